/*
 * sketch.h — bounded-memory summaries of a stream of items, for the tumbling table
 * functions TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING (spec 5.1, 7.1).
 *
 * Purpose: two summaries that see every item of a window once and answer at the
 * window's end:
 *   - sk_topk: the most frequent items, with the space-saving algorithm (Metwally,
 *     Agrawal, El Abbadi, "Efficient computation of frequent and top-k elements in
 *     data streams", 2005). With `capacity` counters and N items seen, every reported
 *     count c of an item whose true count is f satisfies f <= c <= f + min_count, and
 *     min_count <= N / capacity; an item that is not monitored occurred at most
 *     min_count times. While no more than `capacity` distinct items were seen, no
 *     counter was ever replaced and every count is exact.
 *   - sk_distinct: the number of distinct items, exact (a set of the items
 *     themselves, compared byte for byte) up to `exact_limit` distinct items, then
 *     a HyperLogLog sketch of 2^precision one-byte registers with Ertl's improved
 *     estimator ("New cardinality estimation algorithms for HyperLogLog sketches",
 *     2017), which needs no bias tables and is unbiased from 0 to 2^64 items. Its
 *     relative standard error is about 1.04 / sqrt(2^precision).
 *
 * An item is a byte string (the caller encodes a typed value; equal values must
 * encode to equal bytes) with a 64-bit hash that the caller computes once
 * (core_hash64). HyperLogLog mixes the hash once more before reading its bits, so a
 * cheap hash of short keys does not bias the estimate.
 *
 * Ownership: each summary owns its memory (malloc); _free releases it, _reset empties
 * the summary for the next window and keeps its allocations. Entries returned by
 * sk_topk_top() point into the summary and are valid until the next add or reset.
 * Threads: one thread at a time per summary; no global state.
 * Errors: SLUICE_NOMEM from the calls that allocate; the summary is unchanged then.
 */
#ifndef SLUICE_FUNCTIONS_SKETCH_H
#define SLUICE_FUNCTIONS_SKETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"

/* ------------------------------------------------------ space-saving -- */

typedef struct sk_topk sk_topk;

typedef struct sk_topk_entry {
  const void *key; /* the item's bytes */
  uint32_t len;
  int64_t count; /* estimated count: the true count plus at most `error` */
  int64_t error; /* the counter's value when this item took it over (0 = exact) */
} sk_topk_entry;

/* A summary of `capacity` counters (>= 1); NULL on OOM. Counters are allocated as
 * distinct items arrive, so a small window costs little. */
sk_topk *sk_topk_new(uint32_t capacity);
void sk_topk_free(sk_topk *t);
void sk_topk_reset(sk_topk *t);

/* Counts one occurrence of the item (key, len) with hash `hash`. */
int sk_topk_add(sk_topk *t, const void *key, uint32_t len, uint64_t hash);

/* Items seen since the last reset (N), and the number of counters in use. */
uint64_t sk_topk_total(const sk_topk *t);
uint32_t sk_topk_size(const sk_topk *t);
/* The smallest count among the counters when all are in use, else 0: the bound on
 * the overestimate of every count and on the true count of any unmonitored item. */
int64_t sk_topk_min_count(const sk_topk *t);

/* The k entries with the largest counts into out[] (room for k), ordered by count
 * descending, then by the time the item took its counter (earliest first); *nout
 * gets min(k, size). Sorts a copy of the counters: O(size log size). */
int sk_topk_top(sk_topk *t, uint32_t k, sk_topk_entry *out, uint32_t *nout);

/* Aborts with file and line when the summary's invariants do not hold (debug). */
void sk_topk_verify(const sk_topk *t);

/* -------------------------------------------------- distinct counting -- */

typedef struct sk_distinct sk_distinct;

#define SK_DISTINCT_EXACT_LIMIT 10000 /* spec 7.1: exact up to 10,000 distinct items */
#define SK_HLL_PRECISION 16           /* 65,536 registers: standard error ~0.41 % */

/* A counter exact up to exact_limit distinct items (0: HyperLogLog from the first
 * item), then HyperLogLog with 2^precision registers (4 <= precision <= 18). NULL
 * on OOM or a precision out of range. */
sk_distinct *sk_distinct_new(uint32_t exact_limit, int precision);
void sk_distinct_free(sk_distinct *d);
void sk_distinct_reset(sk_distinct *d);

int sk_distinct_add(sk_distinct *d, const void *key, uint32_t len, uint64_t hash);

/* The number of distinct items (exact while sk_distinct_exact() is true). */
uint64_t sk_distinct_count(const sk_distinct *d);
bool sk_distinct_exact(const sk_distinct *d);

/* The HyperLogLog estimate of a register histogram: c[v] = number of registers
 * holding v, for v in 0..q+1 where q = 64 - precision (exposed for tests). */
double sk_hll_estimate(const uint32_t *c, int precision);

#endif /* SLUICE_FUNCTIONS_SKETCH_H */

/*
 * rcf.h — a robust random cut forest: the streaming anomaly model behind the
 * table functions RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION
 * (spec 5.2; the operator is exec/tablefn_rcf.c).
 *
 * Purpose: score each row of a stream against the recent past, then learn
 * from it. The model follows Guha, Mishra, Roy and Schrijvers, "Robust Random
 * Cut Forest Based Anomaly Detection on Streams" (ICML 2016):
 *   - a row of `columns` numbers, together with the rows before it when
 *     shingle > 1, is one point of dimension columns * shingle;
 *   - each of `trees` trees keeps a sample of at most `sample` points, chosen
 *     by a time-decayed reservoir: a point that arrives at position t gets the
 *     weight exp(t / time_decay), so older points leave the sample more and
 *     more readily;
 *   - a tree is a random cut tree over its sample: a cut picks a dimension
 *     with probability proportional to the sample's extent along it and a
 *     position uniformly inside that extent; points are inserted and deleted
 *     in place, so a tree is always distributed as if it had been built from
 *     scratch on its current sample;
 *   - the score of a point is how early, in expectation, random cuts would
 *     isolate it: walking from the root toward where the point would fall,
 *     each node adds P(first separated here) / (depth at which it would sit),
 *     and the forest's mean is multiplied by log2(sample) (the expected
 *     inverse isolation depth, rather than the paper's CoDisp). Typical points
 *     of a 256-point sample score about 0.7-1; a point cut off at the root
 *     scores log2(sample) = 8 (the scale of the AWS examples).
 *     exec/README.md, "Random cut forest", gives the exact formulas;
 *   - the attribution of a score to a column is the part contributed by
 *     separation along that column, split into the part where the point lies
 *     below the sample (low) and above it (high), summed over the shingle; the
 *     attributions of a row sum to its score;
 *   - the direction of a column is where the row's value lies against the
 *     column's recent mean, and its strength how many recent standard
 *     deviations away (both over the rows fed, forgetting like the sampler).
 *
 * The first sample + shingle - 1 rows only train the forest and score 0
 * (every tree then holds a full sample); a NaN or infinite value is refused
 * (SLUICE_INVALID, the forest unchanged) — the operator turns NULLs and such
 * rows into NULL scores.
 *
 * Determinism: all randomness comes from generators (one per tree) seeded by
 * rcf_config.seed; the same rows and seed give bit-identical scores, however
 * the rows are split into batches.
 *
 * Memory: everything is allocated when the forest is made: per tree, pools of
 * sample - 1 internal nodes (cut, children, bounding box) and sample leaves
 * (each with its own copy of the point), and the sampler's heap; rcf_update
 * allocates nothing. Per tree that is about sample * (24 * dim + 48) bytes
 * (rcf_memory gives the exact figure); forests whose pools would pass 2 GiB
 * are refused (SLUICE_LIMIT).
 *
 * Ownership: the forest owns all its memory; rcf_free releases it.
 * Threads: a forest is used by one thread at a time; no global state.
 * Errors: int codes of sluice.h with a core_error.
 */
#ifndef SLUICE_RCF_H
#define SLUICE_RCF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define RCF_MAX_COLUMNS 30 /* spec 5.2: up to 30 numeric columns */
#define RCF_MAX_SHINGLE 30

typedef struct rcf_config {
  int columns;        /* numbers per row, 1..RCF_MAX_COLUMNS */
  int shingle;        /* rows per point, 1..RCF_MAX_SHINGLE */
  int trees;          /* 1..1000 */
  int sample;         /* points per tree, 2..1000 */
  int64_t time_decay; /* rows; > 0 */
  uint64_t seed;
} rcf_config;

/* The explanation of one row, per column (see rcf_update). */
typedef struct rcf_explanation {
  double low[RCF_MAX_COLUMNS];       /* the attribution where the point lies below the sample */
  double high[RCF_MAX_COLUMNS];      /* ... above it */
  int8_t direction[RCF_MAX_COLUMNS]; /* +1 above the recent mean, -1 below or equal, 0 training */
  double strength[RCF_MAX_COLUMNS];  /* |value - recent mean| / recent standard deviation */
} rcf_explanation;

typedef struct rcf_forest rcf_forest;

/* A new, empty forest. SLUICE_INVALID for a configuration out of range, SLUICE_LIMIT when its
 * pools would pass 2 GiB, SLUICE_NOMEM. */
int rcf_new(const rcf_config *c, rcf_forest **out, core_error *err);
void rcf_free(rcf_forest *f);

/*
 * Feeds one row of c.columns values: scores the point it completes against the forest,
 * then offers the point to every tree's sample. *score: 0 while the forest is still
 * training, else >= 0. ex (may be NULL, which is faster): the attribution of the score to
 * each column (low[c] + high[c] summed over the columns equals *score), and where the row's
 * value of each column lies against that column's mean over the rows fed before it:
 * direction[c] +1 above, -1 otherwise; strength[c] = |value - mean| / standard deviation
 * (capped at 1e6, which a change after a constant column gets). Mean and variance weigh
 * the rows fed equally until time_decay rows, then forget exponentially with that horizon.
 * All zero while training. SLUICE_INVALID for a NaN or infinite value (nothing changes).
 */
int rcf_update(rcf_forest *f, const double *row, double *score, rcf_explanation *ex,
               core_error *err);

/* n rows at once (row r at rows[r * columns]; scores[n]; ex NULL or [n]): exactly the
 * results of n calls of rcf_update, whatever n, computed tree by tree (each tree's nodes stay
 * in cache while it takes the rows) — the faster way. SLUICE_INVALID when a value is NaN or
 * infinite: nothing changes. */
int rcf_update_batch(rcf_forest *f, const double *rows, int n, double *scores, rcf_explanation *ex,
                     core_error *err);

/* Rows fed so far, and whether the next complete point will be scored. */
int64_t rcf_rows(const rcf_forest *f);
bool rcf_ready(const rcf_forest *f);

/* Bytes held by the forest (its pools and per-row buffers). */
size_t rcf_memory(const rcf_forest *f);

/* Walks every tree and sampler and aborts with file and line on the first broken invariant
 * (boxes are exact unions, cuts separate, masses match the sampler's copies, heaps are heaps,
 * free lists hold the rest). For tests; debug builds also run it every 65536 points. */
void rcf_verify(const rcf_forest *f);

#endif /* SLUICE_RCF_H */

/*
 * window_int.h — private to exec/: what the window operators (tumble.c, slide.c,
 * stagger.c) share.
 *
 *   win_keys  a hash table from key tuples (some columns of a batch, plus a 64-bit
 *             tag) to dense ids 0 .. cap-1, reused after removal. The ids index the
 *             grouped aggregate states (functions.h) and the operators' own arrays.
 *             Key values are copied into a record per id: strings of up to 16 bytes
 *             inline (compared as two 64-bit words plus the length, no memcmp),
 *             longer ones into one block per id, freed with it.
 *   win_aggs  the grouped states of an operator's aggregates, created from the
 *             exec_agg list with the checks every window operator makes.
 *
 * Memory: everything here is owned by the operator that holds the struct.
 * Threads: one at a time. Errors: int codes of sluice.h with a core_error.
 */
#ifndef SLUICE_EXEC_WINDOW_INT_H
#define SLUICE_EXEC_WINDOW_INT_H

#include "exec/exec.h"

#define WIN_NONE UINT32_MAX

/* ------------------------------------------------------------ key table -- */

typedef struct win_slot {
  uint64_t hash;
  uint32_t id; /* WIN_NONE: empty */
} win_slot;

typedef struct win_keys {
  int nkeys;
  int *cols;        /* [nkeys] input columns */
  core_type *types; /* [nkeys] */
  char *repr;       /* [nkeys] core_type_repr */
  uint32_t *off;    /* [nkeys] offset of each key's value in a record */
  bool has_strings;
  bool one_int; /* a single key of representation 'i': the fast path */
  bool one_str; /* a single string key: the other fast path */
  /* per id: a record [tag 8][null byte per key, padded to 8][values], rec_size bytes, so
   * that comparing a row with an id touches one place; a string value is [length 8][16
   * bytes inline, zero-padded | pointer into blob[id] when longer] */
  size_t rec_size;
  unsigned char *recs;
  uint32_t cap;   /* ids 0 .. cap-1 have storage */
  uint32_t fresh; /* ids >= fresh were never used */
  uint32_t live;
  uint32_t *free_ids;
  uint32_t nfree;
  uint64_t *hash; /* the id's full hash (tag included) */
  char **blob;    /* string bytes of the id's keys, or NULL */
  /* open addressing, linear probing, size a power of two, at most half full */
  win_slot *tab;
  uint32_t tmask;
} win_keys;

/* The full hash of a key hash (win_keys_hash) and a tag: what win_keys_find takes. */
static inline uint64_t win_keys_mix(uint64_t h, uint64_t tag) {
  uint64_t x = h ^ (tag * 0xff51afd7ed558ccdull);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* Starts loading the cache line of addr. An asm statement rather than __builtin_prefetch:
 * GCC 12 drops builtin prefetches of inlined helpers whose addresses come from loads (seen
 * in slide.c), and these are the whole point of the loops that issue them. */
#if defined(__x86_64__) || defined(__i386__)
#define WIN_PREFETCH(addr) __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)(addr)))
#else
#define WIN_PREFETCH(addr) __builtin_prefetch(addr)
#endif

/* Starts loading the table slot of full hash hh (call a few rows ahead of the find). */
static inline void win_keys_prefetch(const win_keys *k, uint64_t hh) {
  WIN_PREFETCH(&k->tab[(uint32_t)hh & k->tmask]);
}

/* Starts loading the record of the id whose slot holds full hash hh, when the slot is
 * already in cache (win_keys_prefetch some rows earlier): comparing a row with its
 * group's record is otherwise a cache miss per row once the groups outgrow the cache. */
static inline void win_keys_prefetch_rec(const win_keys *k, uint64_t hh) {
  const win_slot *s = &k->tab[(uint32_t)hh & k->tmask];
  if (s->id != WIN_NONE && s->hash == hh) WIN_PREFETCH(k->recs + (size_t)s->id * k->rec_size);
}

int win_keys_init(win_keys *k, int nkeys, const int *cols, const core_type *types, core_error *err);
void win_keys_free(win_keys *k);

/* The hash of the key columns of rows[0..n) of b (rows NULL: rows 0..n-1) into h. */
void win_keys_hash(const win_keys *k, const core_batch *b, const uint16_t *rows, int n,
                   uint64_t *h);

/* The id of (key of row `row` of b, tag), hh = win_keys_mix(its win_keys_hash, tag). Adds
 * it when absent (*added = true). SLUICE_NOMEM. */
int win_keys_find(win_keys *k, const core_batch *b, int row, uint64_t hh, uint64_t tag,
                  uint32_t *id, bool *added);

/* Forgets id (its strings are freed; the id is reused later). */
void win_keys_remove(win_keys *k, uint32_t id);

/* Writes key `key` of id to row `row` of out; strings point into k (valid until remove). */
void win_keys_put(const win_keys *k, uint32_t id, int key, core_vec *out, int row);

/* Bytes held, for memory accounting. */
size_t win_keys_bytes(const win_keys *k);

/* ----------------------------------------------------------- aggregates -- */

typedef struct win_aggs {
  int n;
  const exec_agg *aggs;     /* borrowed from the config */
  fn_agg_groups **g;        /* [n] */
  const fn_agg_impl **impl; /* [n] */
  uint32_t cap;             /* ids reserved in every state */
} win_aggs;

/* Creates the states; rejects (SLUICE_UNSUPPORTED, naming the aggregate) what the window
 * operators cannot compute. allow_positional: FIRST_VALUE / LAST_VALUE are accepted. */
int win_aggs_init(win_aggs *a, const exec_agg *aggs, int n, const core_type *input_types,
                  int ninput, bool allow_positional, core_error *err);
void win_aggs_free(win_aggs *a);
/* Makes ids 0 .. cap-1 valid in every state. */
int win_aggs_reserve(win_aggs *a, uint32_t cap, core_error *err);
/* Empties ids in every state. */
void win_aggs_clear(win_aggs *a, const uint32_t *ids, size_t n);
/* Adds rows[0..n) of b to ids[0..n) in every state. */
int win_aggs_add(win_aggs *a, const core_batch *b, const uint32_t *rows, const uint32_t *ids,
                 size_t n, core_error *err);

/* ---------------------------------------------------------------- time -- */

/* t plus `months` calendar months (FLOOR TO MONTH / YEAR window ends). */
int64_t win_add_months(int64_t t, int32_t months);

/* Reports every live row r of out with bad[j][r] set for some aggregate j (its result
 * does not fit the result type) as a FunctionError, which deselects it. bad[j][0..out->n)
 * must hold 0 or 1 (rows that are not live: 0 or stale flags, which only cost time). */
void win_report_bad(exec_ctx *ctx, core_batch *out, const win_aggs *a, uint8_t *const *bad);

#endif /* SLUICE_EXEC_WINDOW_INT_H */

/*
 * sketch.c — space-saving top-k and exact-then-HyperLogLog distinct counting
 * (sketch.h has the contract and the error bounds).
 *
 * Space-saving keeps its counters in a min-heap on the count (the counter to
 * replace is the root) and finds an item's counter through an open-addressing
 * hash table (linear probing, backward-shift deletion, so replacing an item
 * leaves no tombstones). An increment moves a counter down the heap; a frequent
 * item sits near the leaves, so its increment costs O(1) in practice.
 *
 * The distinct counter keeps the items themselves while there are few (exact by
 * byte comparison, not by hash), and on the first item past the limit moves their
 * hashes into the HyperLogLog registers and forgets them.
 */
#include "functions/sketch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SK_CHECK(cond)                                                                             \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: sketch invariant failed: %s\n", __FILE__, __LINE__, #cond);          \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* ---------------------------------------------------------- hash slots -- */

/* A linear-probing table of uint32 values (an index + 1; 0 = empty) whose home
 * slot the owner computes from its own record. */
typedef struct sk_slots {
  uint32_t *v;
  uint32_t mask; /* size - 1; size a power of two */
} sk_slots;

static int slots_init(sk_slots *s, uint32_t size) {
  uint32_t *v = calloc(size, sizeof *v);
  if (!v) return SLUICE_NOMEM;
  free(s->v);
  s->v = v;
  s->mask = size - 1;
  return SLUICE_OK;
}

/* Empties slot i and moves later entries of its probe run back (no tombstones).
 * home(arg, value) is the home slot of an entry. */
static void slots_delete(sk_slots *s, uint32_t i, uint32_t (*home)(const void *, uint32_t),
                         const void *arg) {
  for (;;) {
    s->v[i] = 0;
    uint32_t j = i;
    for (;;) {
      j = (j + 1) & s->mask;
      if (!s->v[j]) return;
      uint32_t k = home(arg, s->v[j]) & s->mask;
      /* the entry at j may stay when its home k lies cyclically in (i, j] */
      bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!stays) break;
    }
    s->v[i] = s->v[j];
    i = j;
  }
}

/* ------------------------------------------------------- space-saving -- */

#define TK_INLINE 16

typedef struct tk_counter {
  uint64_t hash;
  int64_t count, error;
  uint64_t seq; /* when the current item took the counter */
  uint32_t len, bigcap;
  uint32_t heap_pos;
  uint8_t inl[TK_INLINE]; /* the key when len <= TK_INLINE */
  uint8_t *big;           /* else here (kept across replacements) */
} tk_counter;

struct sk_topk {
  uint32_t capacity;
  uint32_t n, alloc; /* counters in use / allocated */
  tk_counter *c;
  uint32_t *heap; /* counter indices, a min-heap on count */
  sk_slots slots;
  uint64_t total, seq;
  struct tk_rank {
    int64_t count;
    uint64_t seq;
    uint32_t idx;
  } * rank; /* scratch of sk_topk_top */
  uint32_t rank_cap;
};

static const uint8_t *tk_key(const tk_counter *c) {
  return c->len <= TK_INLINE ? c->inl : c->big;
}

static uint32_t tk_home(const void *arg, uint32_t v) {
  const sk_topk *t = arg;
  return (uint32_t)t->c[v - 1].hash;
}

sk_topk *sk_topk_new(uint32_t capacity) {
  if (capacity < 1) capacity = 1;
  sk_topk *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->capacity = capacity;
  if (slots_init(&t->slots, 64)) {
    free(t);
    return NULL;
  }
  return t;
}

void sk_topk_free(sk_topk *t) {
  if (!t) return;
  for (uint32_t i = 0; i < t->alloc; i++) free(t->c[i].big);
  free(t->c);
  free(t->heap);
  free(t->slots.v);
  free(t->rank);
  free(t);
}

void sk_topk_reset(sk_topk *t) {
  memset(t->slots.v, 0, sizeof *t->slots.v * ((size_t)t->slots.mask + 1));
  t->n = 0;
  t->total = 0;
  t->seq = 0;
}

uint64_t sk_topk_total(const sk_topk *t) {
  return t->total;
}
uint32_t sk_topk_size(const sk_topk *t) {
  return t->n;
}
int64_t sk_topk_min_count(const sk_topk *t) {
  return t->n == t->capacity ? t->c[t->heap[0]].count : 0;
}

static void heap_set(sk_topk *t, uint32_t pos, uint32_t idx) {
  t->heap[pos] = idx;
  t->c[idx].heap_pos = pos;
}

static void heap_down(sk_topk *t, uint32_t pos) {
  uint32_t idx = t->heap[pos];
  int64_t v = t->c[idx].count;
  for (;;) {
    uint32_t l = 2 * pos + 1, r = l + 1, m = pos;
    int64_t mv = v;
    if (l < t->n && t->c[t->heap[l]].count < mv) m = l, mv = t->c[t->heap[l]].count;
    if (r < t->n && t->c[t->heap[r]].count < mv) m = r;
    if (m == pos) break;
    heap_set(t, pos, t->heap[m]);
    pos = m;
  }
  heap_set(t, pos, idx);
}

static void heap_up(sk_topk *t, uint32_t pos) {
  uint32_t idx = t->heap[pos];
  int64_t v = t->c[idx].count;
  while (pos > 0) {
    uint32_t parent = (pos - 1) / 2;
    if (t->c[t->heap[parent]].count <= v) break;
    heap_set(t, pos, t->heap[parent]);
    pos = parent;
  }
  heap_set(t, pos, idx);
}

/* The slot holding the item, or the empty slot where it would go. */
static uint32_t tk_find(const sk_topk *t, const void *key, uint32_t len, uint64_t hash) {
  uint32_t i = (uint32_t)hash & t->slots.mask;
  for (;; i = (i + 1) & t->slots.mask) {
    uint32_t v = t->slots.v[i];
    if (!v) return i;
    const tk_counter *c = &t->c[v - 1];
    if (c->hash == hash && c->len == len && memcmp(tk_key(c), key, len) == 0) return i;
  }
}

/* Doubles the hash table when it is half full (before the counter is added). */
static int tk_grow_slots(sk_topk *t) {
  if (2 * ((size_t)t->n + 1) <= (size_t)t->slots.mask + 1) return SLUICE_OK;
  sk_slots s = {0};
  if (slots_init(&s, 2 * (t->slots.mask + 1))) return SLUICE_NOMEM;
  for (uint32_t k = 0; k < t->n; k++) {
    uint32_t i = (uint32_t)t->c[k].hash & s.mask;
    while (s.v[i]) i = (i + 1) & s.mask;
    s.v[i] = k + 1;
  }
  free(t->slots.v);
  t->slots = s;
  return SLUICE_OK;
}

/* Room for a new counter: arrays grown geometrically up to the capacity. */
static int tk_grow_counters(sk_topk *t) {
  if (t->n < t->alloc) return SLUICE_OK;
  uint32_t cap = t->alloc ? t->alloc * 2 : 64;
  if (cap > t->capacity) cap = t->capacity;
  tk_counter *c = realloc(t->c, sizeof *c * cap);
  if (!c) return SLUICE_NOMEM;
  t->c = c;
  memset(c + t->alloc, 0, sizeof *c * (cap - t->alloc));
  uint32_t *h = realloc(t->heap, sizeof *h * cap);
  if (!h) return SLUICE_NOMEM;
  t->heap = h;
  t->alloc = cap;
  return SLUICE_OK;
}

/* Makes counter c able to hold a key of len bytes. */
static int tk_reserve_key(tk_counter *c, uint32_t len) {
  if (len <= TK_INLINE || len <= c->bigcap) return SLUICE_OK;
  uint8_t *b = realloc(c->big, len);
  if (!b) return SLUICE_NOMEM;
  c->big = b;
  c->bigcap = len;
  return SLUICE_OK;
}

static void tk_set_key(sk_topk *t, tk_counter *c, const void *key, uint32_t len, uint64_t hash) {
  c->hash = hash;
  c->len = len;
  memcpy(len <= TK_INLINE ? c->inl : c->big, key, len);
  c->seq = t->seq;
}

int sk_topk_add(sk_topk *t, const void *key, uint32_t len, uint64_t hash) {
  uint32_t slot = tk_find(t, key, len, hash);
  if (t->slots.v[slot]) { /* monitored: count it */
    uint32_t idx = t->slots.v[slot] - 1;
    t->c[idx].count++;
    heap_down(t, t->c[idx].heap_pos);
  } else if (t->n < t->capacity) { /* a free counter */
    int rc = tk_grow_counters(t);
    if (!rc) rc = tk_grow_slots(t);
    if (!rc) rc = tk_reserve_key(&t->c[t->n], len);
    if (rc) return rc;
    slot = tk_find(t, key, len, hash); /* the table may have been rebuilt */
    uint32_t idx = t->n++;
    tk_counter *c = &t->c[idx];
    tk_set_key(t, c, key, len, hash);
    c->count = 1;
    c->error = 0;
    t->slots.v[slot] = idx + 1;
    heap_set(t, t->n - 1, idx);
    heap_up(t, t->n - 1);
  } else { /* take over the counter with the least count */
    uint32_t idx = t->heap[0];
    tk_counter *c = &t->c[idx];
    int rc = tk_reserve_key(c, len);
    if (rc) return rc;
    uint32_t old = tk_find(t, tk_key(c), c->len, c->hash);
    slots_delete(&t->slots, old, tk_home, t);
    tk_set_key(t, c, key, len, hash);
    c->error = c->count;
    c->count++;
    t->slots.v[tk_find(t, key, len, hash)] = idx + 1;
    heap_down(t, 0);
  }
  t->total++;
  t->seq++;
  return SLUICE_OK;
}

static int rank_cmp(const void *a, const void *b) {
  const struct tk_rank *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int sk_topk_top(sk_topk *t, uint32_t k, sk_topk_entry *out, uint32_t *nout) {
  *nout = 0;
  if (t->n == 0 || k == 0) return SLUICE_OK;
  if (t->rank_cap < t->n) {
    struct tk_rank *r = realloc(t->rank, sizeof *t->rank * t->alloc);
    if (!r) return SLUICE_NOMEM;
    t->rank = r;
    t->rank_cap = t->alloc;
  }
  for (uint32_t i = 0; i < t->n; i++)
    t->rank[i] = (struct tk_rank){.count = t->c[i].count, .seq = t->c[i].seq, .idx = i};
  qsort(t->rank, t->n, sizeof *t->rank, rank_cmp);
  uint32_t m = k < t->n ? k : t->n;
  for (uint32_t i = 0; i < m; i++) {
    const tk_counter *c = &t->c[t->rank[i].idx];
    out[i] = (sk_topk_entry){tk_key(c), c->len, c->count, c->error};
  }
  *nout = m;
  return SLUICE_OK;
}

void sk_topk_verify(const sk_topk *t) {
  SK_CHECK(t->n <= t->capacity && t->n <= t->alloc);
  int64_t sum = 0;
  for (uint32_t p = 0; p < t->n; p++) {
    uint32_t idx = t->heap[p];
    SK_CHECK(idx < t->n && t->c[idx].heap_pos == p);
    if (p > 0) SK_CHECK(t->c[t->heap[(p - 1) / 2]].count <= t->c[idx].count);
    const tk_counter *c = &t->c[idx];
    SK_CHECK(c->count > c->error && c->error >= 0);
    uint32_t s = tk_find(t, tk_key(c), c->len, c->hash);
    SK_CHECK(t->slots.v[s] == idx + 1);
    sum += c->count;
  }
  uint32_t used = 0;
  for (uint32_t i = 0; i <= t->slots.mask; i++) used += t->slots.v[i] != 0;
  SK_CHECK(used == t->n);
  /* space-saving conserves the total: counts add up to the items seen */
  SK_CHECK((uint64_t)sum == t->total);
}

/* ------------------------------------------------- distinct counting -- */

typedef struct dx_item {
  uint64_t hash;
  uint64_t off; /* into bytes */
  uint32_t len;
} dx_item;

struct sk_distinct {
  uint32_t limit;
  int p;
  bool hll;
  /* the exact set */
  uint32_t n, items_cap;
  dx_item *items;
  sk_slots slots;
  uint8_t *bytes;
  size_t nbytes, bytes_cap;
  /* HyperLogLog */
  uint8_t *reg; /* 2^p registers, allocated at the first switch */
};

sk_distinct *sk_distinct_new(uint32_t exact_limit, int precision) {
  if (precision < 4 || precision > 18) return NULL;
  sk_distinct *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->limit = exact_limit;
  d->p = precision;
  if (slots_init(&d->slots, 64)) {
    free(d);
    return NULL;
  }
  return d;
}

void sk_distinct_free(sk_distinct *d) {
  if (!d) return;
  free(d->items);
  free(d->slots.v);
  free(d->bytes);
  free(d->reg);
  free(d);
}

void sk_distinct_reset(sk_distinct *d) {
  if (d->n) memset(d->slots.v, 0, sizeof *d->slots.v * ((size_t)d->slots.mask + 1));
  if (d->hll) memset(d->reg, 0, (size_t)1 << d->p);
  d->n = 0;
  d->nbytes = 0;
  d->hll = false;
}

bool sk_distinct_exact(const sk_distinct *d) {
  return !d->hll;
}

static void hll_add(sk_distinct *d, uint64_t hash) {
  /* a finalizer (splitmix64's) first: the register index and rank read the top and
   * the rest of the bits, and a cheap hash of a short key mixes them too little */
  hash ^= hash >> 30;
  hash *= 0xBF58476D1CE4E5B9ULL;
  hash ^= hash >> 27;
  hash *= 0x94D049BB133111EBULL;
  hash ^= hash >> 31;
  uint32_t idx = (uint32_t)(hash >> (64 - d->p));
  uint64_t w = hash << d->p; /* the other q = 64 - p bits, at the top */
  int q = 64 - d->p;
  uint8_t rank = (uint8_t)(w ? __builtin_clzll(w) + 1 : q + 1);
  if (rank > d->reg[idx]) d->reg[idx] = rank;
}

/* Moves the exact set's hashes into the registers and forgets the set. */
static int dx_switch(sk_distinct *d) {
  if (!d->reg) {
    d->reg = calloc((size_t)1 << d->p, 1);
    if (!d->reg) return SLUICE_NOMEM;
  }
  for (uint32_t i = 0; i < d->n; i++) hll_add(d, d->items[i].hash);
  if (d->n) memset(d->slots.v, 0, sizeof *d->slots.v * ((size_t)d->slots.mask + 1));
  d->n = 0;
  d->nbytes = 0;
  d->hll = true;
  return SLUICE_OK;
}

static uint32_t dx_find(const sk_distinct *d, const void *key, uint32_t len, uint64_t hash) {
  uint32_t i = (uint32_t)hash & d->slots.mask;
  for (;; i = (i + 1) & d->slots.mask) {
    uint32_t v = d->slots.v[i];
    if (!v) return i;
    const dx_item *it = &d->items[v - 1];
    if (it->hash == hash && it->len == len && memcmp(d->bytes + it->off, key, len) == 0) return i;
  }
}

/* Room for one more item of len bytes in the exact set. */
static int dx_reserve(sk_distinct *d, uint32_t len) {
  if (d->n == d->items_cap) {
    uint32_t cap = d->items_cap ? 2 * d->items_cap : 64;
    dx_item *it = realloc(d->items, sizeof *it * cap);
    if (!it) return SLUICE_NOMEM;
    d->items = it;
    d->items_cap = cap;
  }
  if (d->nbytes + len > d->bytes_cap) {
    size_t cap = d->bytes_cap ? 2 * d->bytes_cap : 1024;
    while (cap < d->nbytes + len) cap *= 2;
    uint8_t *b = realloc(d->bytes, cap);
    if (!b) return SLUICE_NOMEM;
    d->bytes = b;
    d->bytes_cap = cap;
  }
  if (2 * ((size_t)d->n + 1) > (size_t)d->slots.mask + 1) {
    sk_slots s = {0};
    if (slots_init(&s, 2 * (d->slots.mask + 1))) return SLUICE_NOMEM;
    for (uint32_t k = 0; k < d->n; k++) {
      uint32_t i = (uint32_t)d->items[k].hash & s.mask;
      while (s.v[i]) i = (i + 1) & s.mask;
      s.v[i] = k + 1;
    }
    free(d->slots.v);
    d->slots = s;
  }
  return SLUICE_OK;
}

int sk_distinct_add(sk_distinct *d, const void *key, uint32_t len, uint64_t hash) {
  if (d->hll) {
    hll_add(d, hash);
    return SLUICE_OK;
  }
  uint32_t slot = dx_find(d, key, len, hash);
  if (d->slots.v[slot]) return SLUICE_OK; /* seen */
  if (d->n >= d->limit) {
    int rc = dx_switch(d);
    if (rc) return rc;
    hll_add(d, hash);
    return SLUICE_OK;
  }
  int rc = dx_reserve(d, len);
  if (rc) return rc;
  slot = dx_find(d, key, len, hash); /* the table may have been rebuilt */
  dx_item *it = &d->items[d->n];
  it->hash = hash;
  it->off = d->nbytes;
  it->len = len;
  if (len) memcpy(d->bytes + d->nbytes, key, len);
  d->nbytes += len;
  d->slots.v[slot] = ++d->n;
  return SLUICE_OK;
}

/* Ertl's sigma and tau series (the HyperLogLog paper cited in sketch.h, section 4). */
static double hll_sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1.0, z = x, prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (z != prev);
  return z;
}

static double hll_tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0, z = 1.0 - x, prev;
  do {
    x = sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
  } while (z != prev);
  return z / 3.0;
}

double sk_hll_estimate(const uint32_t *c, int precision) {
  int q = 64 - precision;
  double m = (double)((uint64_t)1 << precision);
  double z = m * hll_tau(1.0 - c[q + 1] / m);
  for (int k = q; k >= 1; k--) z = 0.5 * (z + c[k]);
  z += m * hll_sigma(c[0] / m);
  return m * m / (2.0 * log(2.0)) / z;
}

uint64_t sk_distinct_count(const sk_distinct *d) {
  if (!d->hll) return d->n;
  uint32_t c[66] = {0};
  size_t m = (size_t)1 << d->p;
  for (size_t i = 0; i < m; i++) c[d->reg[i]]++;
  double e = sk_hll_estimate(c, d->p);
  return isfinite(e) && e > 0 ? (uint64_t)llround(e) : 0;
}

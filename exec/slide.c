/*
 * slide.c — sliding OVER windows (exec.h, spec 1.11, 4.2, 4.3; DESIGN.md 5).
 *
 * Every input row produces one output row at once: the input's columns (passed
 * through without copying: the output batch's first vectors ARE the input's,
 * which stays alive for the push) and one column per aggregate over the frame
 * that ends at the row: RANGE = rows of the partition with ROWTIME in
 * [t - range_ms, t] that have arrived so far (peers arriving later are not
 * waited for [IMPL]), ROWS n = the row and the n before it, UNBOUNDED = every
 * row of the partition so far. Nothing is emitted when rows merely expire.
 *
 * State per partition (id from a win_keys table): one block holding a ring of
 * the rows in its frame, column by column (ROWTIME, each argument value, its
 * null flags; strings copied), seqs head..tail, and one deque per MIN / MAX /
 * FIRST_VALUE IGNORE NULLS / LAST_VALUE IGNORE NULLS of (seq, value) pairs. A
 * batch is processed in two phases:
 *
 *   A  in row order: each row evicts what left its frame (head moves) and is
 *      appended (tail moves); per row the evicted seq range is recorded. Slots
 *      of rows evicted during the batch are not reused before its end.
 *   B  per aggregate, over the whole batch:
 *      - invertible ones (COUNT, SUM, AVG, VAR_*, STDDEV_*): one call of
 *        fn_agg_groups_run with the steps REMOVE (evicted values, gathered from
 *        the rings), ADD (the row) and RESULT, in row order;
 *      - MIN / MAX: a monotonic deque (front = the extreme of the frame);
 *        FIRST_VALUE / LAST_VALUE ... IGNORE NULLS: a queue of the non-NULL
 *        values; RESPECT NULLS: the ring's head / the row itself.
 *   UNBOUNDED frames keep no rows: every aggregate is grouped state with
 *   ADD and RESULT steps.
 *
 * Speed: with many partitions each row touches cold state (its partition's
 * header, ring ends and deque ends), so the partition ids of a batch are
 * found first and the loops prefetch the state of the rows a few places
 * ahead; a deque holds its values so that comparing and answering stay on
 * its own cache lines.
 *
 * Memory is bounded by the window: rows leave a ring when a newer row of the
 * partition arrives, and (RANGE) a partition whose newest row is older than
 * bound - range_ms is dropped whole on a bound (a FIFO of (last ROWTIME of a
 * batch, partition touched by it) finds them). ROWS partitions keep their last
 * n+1 rows.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/window_int.h"

#define AHEAD 8 /* rows between a prefetch and its use */

typedef struct sl_part {
  uint64_t head, tail, reclaim; /* frame = [head, tail); slots [reclaim, head) still held */
  int64_t last_rt;
  unsigned char *block; /* see slide.hdr / the *_pre offsets */
  uint32_t cap;         /* ring slots, a power of two (0: no block yet) */
  uint32_t mark;        /* the batch that touched it last */
  uint32_t dq[4];       /* front, back + 1 of deques 0 and 1 (others: in the block) */
} sl_part;              /* one cache line */

#define DQ_INLINE 2
typedef enum sl_kind { SL_INVERTIBLE, SL_MIN, SL_MAX, SL_NONNULL, SL_HEAD, SL_ROW } sl_kind;

/* Specialized deque loops (8-byte values) and the rest. */
typedef enum sl_fast {
  SL_FAST_NONE, /* invertible: the kernels' business */
  SL_FAST_MIN_I,
  SL_FAST_MAX_I,
  SL_FAST_MIN_D,
  SL_FAST_MAX_D,
  SL_FAST_GENERAL,
} sl_fast;

typedef struct sl_agg {
  sl_kind kind;
  sl_fast fast;
  int vslot;  /* value slot in the ring, -1: none (COUNT(*)) */
  int dq;     /* deque index, -1: none */
  bool first; /* SL_NONNULL: FIRST_VALUE (front), else LAST_VALUE (back) */
} sl_agg;

typedef struct sl_fifo_ent {
  int64_t rt;
  uint32_t id;
} sl_fifo_ent;

typedef struct slide {
  exec_op op;
  exec_frame frame;
  int64_t rows, range_ms;
  int ninput, naggs;
  exec_agg *aggs;
  sl_agg *sa;
  win_keys keys;
  win_aggs st;

  /* block layout: [deque positions, hdr bytes] then columns at hdr + cap * pre */
  int nv;      /* value slots */
  int *vcol;   /* [nv] input column of each slot */
  char *vrepr; /* [nv] */
  core_type *vtype;
  size_t *vsize;   /* [nv] 8 or 16 */
  size_t *val_off; /* [nv] offset of each value in a ring entry */
  size_t esize;    /* ring entry: [ROWTIME 8][null byte per slot, to 8][values] */
  int ndq;
  int *dq_slot;         /* [ndq] the value slot a deque holds */
  size_t *dq_pre;       /* [ndq] */
  size_t *dq_size;      /* [ndq] entry bytes: 16 (8-byte values) or 32 */
  size_t hdr, dq_bytes; /* deque entries per ring slot: sum of dq_size */
  bool any_invertible, any_string, any_positional;

  sl_part *parts; /* [pcap] by partition id */
  uint32_t pcap;
  uint32_t batchno;
  sl_fifo_ent *fifo; /* RANGE: (ROWTIME, partition) of each row, oldest first */
  size_t fhead, ftail, fcap;

  /* scratch for one batch */
  int scap;
  uint16_t *selc;
  uint64_t *hash;
  uint32_t *pid;
  uint64_t *seq, *ev_from, *ev_to;
  uint32_t *touched;
  int ntouched;
  fn_agg_step *steps;
  size_t stepcap;
  uint32_t *rem_pid;
  uint64_t *rem_seq;
  size_t remcap, nrem;
  core_vec *remv; /* [nv] the values of the rows removed during the batch */

  /* output: a batch over the input's vectors plus our aggregate vectors */
  core_batch *aggout;
  core_batch view;
  core_vec *view_cols;
  uint8_t **bad;
} slide;

/* ---------------------------------------------------------------- block -- */

/* Ring entries are row-major: a row's ROWTIME, null flags and values share a cache line
 * (or two), which is what evicting and appending touch. */
static inline unsigned char *entry(const slide *s, const sl_part *p, uint64_t q) {
  return p->block + s->hdr + (q & (p->cap - 1)) * s->esize;
}
static inline int64_t rt_at(const slide *s, const sl_part *p, uint64_t q) {
  int64_t t;
  memcpy(&t, entry(s, p, q), sizeof t);
  return t;
}
static inline unsigned char *val_at(const slide *s, const sl_part *p, int v, uint64_t q) {
  return entry(s, p, q) + s->val_off[v];
}
static inline uint8_t *null_at(const slide *s, const sl_part *p, int v, uint64_t q) {
  return entry(s, p, q) + 8 + v;
}
/* Deque d's positions: [0] front, [1] back + 1 (32-bit counters: only differences and
 * the low bits are used, so they may wrap). */
static inline uint32_t *dq_pos(sl_part *p, int d) {
  return d < DQ_INLINE ? &p->dq[2 * d] : (uint32_t *)(void *)p->block + 2 * (d - DQ_INLINE);
}
static inline unsigned char *dq_at(const slide *s, const sl_part *p, int d, uint32_t pos) {
  return p->block + s->hdr + p->cap * (s->esize + s->dq_pre[d]) +
         (pos & (p->cap - 1)) * s->dq_size[d];
}
static inline uint64_t dq_seq(const unsigned char *e) {
  uint64_t q;
  memcpy(&q, e, sizeof q);
  return q;
}
/* The value of a deque entry: after the seq (8-byte values) or at 16 (16-byte values). */
static inline unsigned char *dq_val(const slide *s, int d, unsigned char *e) {
  return e + (s->dq_size[d] == 32 ? 16 : 8);
}

/* Frees the string copies of the rows with seqs [from, to). */
static void free_rows(slide *s, sl_part *p, uint64_t from, uint64_t to) {
  if (!s->any_string) return;
  for (int v = 0; v < s->nv; v++) {
    if (s->vrepr[v] != 's') continue;
    for (uint64_t q = from; q < to; q++) {
      if (*null_at(s, p, v, q)) continue;
      core_str x;
      memcpy(&x, val_at(s, p, v, q), sizeof x);
      free((void *)x.p);
    }
  }
}

/* Makes room for one more row: slots [reclaim, tail] must fit. The block is reallocated
 * column by column at twice the size. */
static int ring_grow(slide *s, sl_part *p) {
  uint64_t used = p->tail - p->reclaim;
  if (used + 1 <= p->cap) return SLUICE_OK;
  uint32_t cap = p->cap ? p->cap * 2 : 16;
  while (cap < used + 1) cap *= 2;
  sl_part np = *p;
  np.cap = cap;
  np.block =
      aligned_alloc(64, (s->hdr + (size_t)cap * (s->esize + s->dq_bytes) + 63) & ~(size_t)63);
  if (!np.block) return SLUICE_NOMEM;
  if (p->cap) {
    memcpy(np.block, p->block, s->hdr);
    for (uint64_t q = p->reclaim; q < p->tail; q++)
      memcpy(entry(s, &np, q), entry(s, p, q), s->esize);
    for (int d = 0; d < s->ndq; d++) {
      uint32_t *pos = dq_pos(p, d);
      for (uint32_t x = pos[0]; x != pos[1]; x++)
        memcpy(dq_at(s, &np, d, x), dq_at(s, p, d, x), s->dq_size[d]);
    }
  } else if (s->hdr) {
    memset(np.block, 0, s->hdr);
  }
  free(p->block);
  *p = np;
  return SLUICE_OK;
}

/* Stores row r of b as seq p->tail. */
static int ring_append(slide *s, sl_part *p, const core_batch *b, int r) {
  if (ring_grow(s, p)) return SLUICE_NOMEM;
  uint64_t q = p->tail;
  memcpy(entry(s, p, q), &b->rowtime[r], sizeof(int64_t));
  for (int v = 0; v < s->nv; v++) {
    const core_vec *c = &b->cols[s->vcol[v]];
    unsigned char *x = val_at(s, p, v, q);
    *null_at(s, p, v, q) = c->null[r];
    if (c->null[r]) continue;
    switch (s->vrepr[v]) {
      case 'd':
        memcpy(x, &c->u.d[r], 8);
        break;
      case 'x':
        memcpy(x, &c->u.dec[r], 16);
        break;
      case 's': {
        uint32_t n = c->u.s[r].n;
        char *copy = malloc(n ? n : 1);
        if (!copy) {
          for (int w = v; w < s->nv; w++) *null_at(s, p, w, q) = 1; /* nothing to free */
          free_rows(s, p, q, q + 1);
          return SLUICE_NOMEM;
        }
        if (n) memcpy(copy, c->u.s[r].p, n);
        core_str cs = {copy, n};
        memcpy(x, &cs, sizeof cs);
        break;
      }
      default:
        memcpy(x, &c->u.i[r], 8);
    }
  }
  p->tail++;
  return SLUICE_OK;
}

/* Starts loading what processing a row will touch in p: the ring's ends (ROWTIME and
 * values at the head, which may leave, and at the tail, which is written) and the ends of
 * the deques. */
static inline void prefetch_part(const slide *s, sl_part *p) {
  if (!p->cap) return;
  if (s->ndq > DQ_INLINE) WIN_PREFETCH(p->block);
  /* lines, not entries: an entry may straddle two, the second is usually the next row's */
  WIN_PREFETCH(entry(s, p, p->head));
  WIN_PREFETCH(entry(s, p, p->tail));
  for (int d = 0; d < s->ndq && d < DQ_INLINE; d++) {
    const unsigned char *f = dq_at(s, p, d, p->dq[2 * d]);
    WIN_PREFETCH(f);
    WIN_PREFETCH(dq_at(s, p, d, p->dq[2 * d + 1]));
  }
}

/* ----------------------------------------------------------- partitions -- */

static int grow_parts(slide *s, core_error *err) {
  uint32_t cap = s->keys.cap;
  if (cap > s->pcap) {
    sl_part *np = realloc(s->parts, sizeof *np * cap);
    if (!np) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    memset(np + s->pcap, 0, sizeof *np * (cap - s->pcap));
    s->parts = np;
    s->pcap = cap;
  }
  return win_aggs_reserve(&s->st, cap, err);
}

/* Drops partition id entirely (its rows, states and key). */
static void drop_part(slide *s, uint32_t id) {
  sl_part *p = &s->parts[id];
  if (p->cap) free_rows(s, p, p->reclaim, p->tail);
  free(p->block);
  memset(p, 0, sizeof *p);
  win_aggs_clear(&s->st, &id, 1);
  win_keys_remove(&s->keys, id);
}

/* Remembers that partition id had rows up to ROWTIME rt (RANGE: see slide_bound). The
 * capacity is a power of two. */
static int fifo_push(slide *s, int64_t rt, uint32_t id) {
  if (s->ftail - s->fhead == s->fcap) {
    size_t cap = s->fcap ? 2 * s->fcap : 4096;
    sl_fifo_ent *f = malloc(sizeof *f * cap);
    if (!f) return SLUICE_NOMEM;
    for (size_t i = s->fhead; i < s->ftail; i++) f[i - s->fhead] = s->fifo[i & (s->fcap - 1)];
    free(s->fifo);
    s->fifo = f;
    s->ftail -= s->fhead;
    s->fhead = 0;
    s->fcap = cap;
  }
  s->fifo[s->ftail++ & (s->fcap - 1)] = (sl_fifo_ent){rt, id};
  return SLUICE_OK;
}

/* --------------------------------------------------------------- scratch -- */

static int ensure_scratch(slide *s, int n, core_error *err) {
  if (n > s->scap) {
    int ok = 1;
#define RE(p, cnt)                                                                                 \
  do {                                                                                             \
    void *q_ = realloc((p), sizeof *(p) * (size_t)(cnt));                                          \
    if (q_)                                                                                        \
      (p) = q_;                                                                                    \
    else                                                                                           \
      ok = 0;                                                                                      \
  } while (0)
    RE(s->selc, n);
    RE(s->hash, n);
    RE(s->pid, n);
    RE(s->seq, n);
    RE(s->ev_from, n);
    RE(s->ev_to, n);
    RE(s->touched, n);
#undef RE
    if (!ok) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    s->scap = n;
  }
  if (!s->aggout || s->aggout->cap < n) {
    core_type *types = calloc((size_t)(s->naggs + 1), sizeof *types);
    if (!types) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    for (int j = 0; j < s->naggs; j++) types[j] = s->aggs[j].type;
    int cap = n > CORE_BATCH_CAP ? n : CORE_BATCH_CAP;
    core_batch *nb = core_batch_new(s->naggs, types, cap);
    free(types);
    if (!nb) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    for (int j = 0; j < s->naggs; j++) {
      uint8_t *x = calloc((size_t)cap, 1);
      if (!x) {
        core_batch_free(nb);
        return core_error_set(err, SLUICE_NOMEM, "out of memory");
      }
      free(s->bad[j]);
      s->bad[j] = x;
    }
    core_batch_free(s->aggout);
    s->aggout = nb;
  }
  return SLUICE_OK;
}

static int ensure_steps(slide *s, size_t n, core_error *err) {
  if (n <= s->stepcap) return SLUICE_OK;
  size_t cap = s->stepcap ? s->stepcap : 4096;
  while (cap < n) cap *= 2;
  fn_agg_step *x = realloc(s->steps, sizeof *x * cap);
  if (!x) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  s->steps = x;
  s->stepcap = cap;
  return SLUICE_OK;
}

/* Makes room for n removed rows (their partition, seq and values). */
static int ensure_removed(slide *s, size_t n) {
  if (n <= s->remcap) return SLUICE_OK;
  size_t cap = s->remcap ? s->remcap : 1024;
  while (cap < n) cap *= 2;
  uint32_t *a = realloc(s->rem_pid, sizeof *a * cap);
  if (a) s->rem_pid = a;
  uint64_t *q = realloc(s->rem_seq, sizeof *q * cap);
  if (q) s->rem_seq = q;
  if (!a || !q) return SLUICE_NOMEM;
  for (int v = 0; v < s->nv; v++) {
    uint8_t *nl = realloc(s->remv[v].null, cap);
    if (nl) s->remv[v].null = nl;
    void *d = realloc(s->remv[v].u.i, cap * 16);
    if (d) s->remv[v].u.i = d;
    if (!nl || !d) return SLUICE_NOMEM;
  }
  s->remcap = cap;
  return SLUICE_OK;
}

/* Row q of partition id leaves its frame: its values are kept for the kernels' REMOVE
 * steps (the ring slot stays valid until the end of the batch anyway). */
static inline int record_removed(slide *s, const sl_part *p, uint32_t id, uint64_t q) {
  if (s->nrem == s->remcap && ensure_removed(s, s->nrem + 1)) return SLUICE_NOMEM;
  size_t m = s->nrem++;
  s->rem_pid[m] = id;
  s->rem_seq[m] = q;
  const unsigned char *e = entry(s, p, q);
  for (int v = 0; v < s->nv; v++) {
    core_vec *x = &s->remv[v];
    x->null[m] = e[8 + v];
    if (s->vsize[v] == 8)
      memcpy(&x->u.i[m], e + s->val_off[v], 8);
    else
      memcpy(&x->u.dec[m], e + s->val_off[v], 16);
  }
  return SLUICE_OK;
}

/* --------------------------------------------------------------- phase A -- */

/* The partition of every row (ids found first, so that the next loop can prefetch). */
static int find_partitions(slide *s, const core_batch *b, const uint16_t *rows, int live,
                           core_error *err) {
  win_keys_hash(&s->keys, b, rows, live, s->hash);
  for (int k = 0; k < live; k++) s->hash[k] = win_keys_mix(s->hash[k], 0);
  s->batchno++;
  s->ntouched = 0;
  for (int k = 0; k < live; k++) {
    if (k + AHEAD < live) win_keys_prefetch(&s->keys, s->hash[k + AHEAD]);
    int r = rows ? rows[k] : k;
    uint32_t id;
    bool added;
    if (win_keys_find(&s->keys, b, r, s->hash[k], 0, &id, &added))
      return core_error_set(err, SLUICE_NOMEM, "out of memory");
    if (added) {
      if (s->keys.cap > s->pcap) {
        int rc = grow_parts(s, err);
        if (rc) return rc;
      }
      memset(&s->parts[id], 0, sizeof s->parts[id]);
    }
    sl_part *p = &s->parts[id];
    if (p->mark != s->batchno) {
      p->mark = s->batchno;
      s->touched[s->ntouched++] = id;
    }
    s->pid[k] = id;
  }
  return SLUICE_OK;
}

/* Row r of out := the value at p (8 or 16 bytes of the slot's representation). */
static inline void put_value(char repr, const unsigned char *p, core_vec *out, int r) {
  out->null[r] = 0;
  switch (repr) {
    case 'd':
      memcpy(&out->u.d[r], p, 8);
      break;
    case 'x':
      memcpy(&out->u.dec[r], p, 16);
      break;
    case 's': {
      core_str x;
      memcpy(&x, p, sizeof x);
      out->u.s[r] = x.n ? x : (core_str){"", 0};
      break;
    }
    default:
      memcpy(&out->u.i[r], p, 8);
  }
}

/* <0, 0, >0 as a compares with b (values of representation repr). */
static inline int cmp_value(char repr, const unsigned char *a, const unsigned char *b) {
  switch (repr) {
    case 'd': {
      double x, y;
      memcpy(&x, a, 8);
      memcpy(&y, b, 8);
      return x < y ? -1 : x > y;
    }
    case 'x': {
      core_i128 x, y;
      memcpy(&x, a, 16);
      memcpy(&y, b, 16);
      return x < y ? -1 : x > y;
    }
    case 's': {
      core_str x, y;
      memcpy(&x, a, sizeof x);
      memcpy(&y, b, sizeof y);
      uint32_t m = x.n < y.n ? x.n : y.n;
      int c = m ? memcmp(x.p, y.p, m) : 0;
      return c ? (c > 0) - (c < 0) : x.n < y.n ? -1 : x.n > y.n;
    }
    default: {
      int64_t x, y;
      memcpy(&x, a, 8);
      memcpy(&y, b, 8);
      return x < y ? -1 : x > y;
    }
  }
}

/* One deque of one partition, resolved once per row. */
typedef struct dq_view {
  unsigned char *base; /* entry 0 */
  uint32_t mask;
  uint32_t *pos; /* [0] front, [1] back + 1 */
} dq_view;

static inline dq_view dq_view_of(const slide *s, sl_part *p, int d) {
  dq_view v = {p->block + s->hdr + p->cap * (s->esize + s->dq_pre[d]), p->cap - 1, dq_pos(p, d)};
  return v;
}

/* The deque of 8-byte values of a MIN (keep = -1) or MAX (keep = 1) of integers (T =
 * int64_t) or doubles (T = double): front out of the frame, back entries that can no longer
 * be the extreme, then the row; the answer is the front. 16-byte entries [seq][value]. */
#define DQ_MINMAX_8(T)                                                                             \
  do {                                                                                             \
    uint32_t *pos = dv.pos;                                                                        \
    while (pos[0] != pos[1] && dq_seq(dv.base + (size_t)(pos[0] & dv.mask) * 16) < p->head)        \
      pos[0]++;                                                                                    \
    if (!e[8 + v]) {                                                                               \
      T x;                                                                                         \
      memcpy(&x, e + s->val_off[v], 8);                                                            \
      while (pos[0] != pos[1]) {                                                                   \
        T y;                                                                                       \
        memcpy(&y, dv.base + (size_t)((pos[1] - 1) & dv.mask) * 16 + 8, 8);                        \
        if (keep < 0 ? y < x : y > x) break;                                                       \
        pos[1]--;                                                                                  \
      }                                                                                            \
      unsigned char *w = dv.base + (size_t)(pos[1] & dv.mask) * 16;                                \
      memcpy(w, &q, 8);                                                                            \
      memcpy(w + 8, &x, 8);                                                                        \
      pos[1]++;                                                                                    \
    }                                                                                              \
    if (pos[0] == pos[1]) {                                                                        \
      out->null[r] = 1;                                                                            \
    } else {                                                                                       \
      out->null[r] = 0;                                                                            \
      memcpy(&out->u.i[r], dv.base + (size_t)(pos[0] & dv.mask) * 16 + 8, 8);                      \
    }                                                                                              \
  } while (0)

/* Any deque (any representation, MIN / MAX / non-NULL queue), through cmp_value. */
static void dq_general(const slide *s, const sl_agg *a, sl_part *p, const unsigned char *e,
                       uint64_t q, core_vec *out, int r) {
  int v = a->vslot, d = a->dq;
  char repr = s->vrepr[v];
  uint32_t *pos = dq_pos(p, d);
  while (pos[0] != pos[1] && dq_seq(dq_at(s, p, d, pos[0])) < p->head) pos[0]++;
  if (!e[8 + v]) {
    const unsigned char *x = e + s->val_off[v]; /* the ring's copy */
    if (a->kind != SL_NONNULL) {
      /* values that can no longer be the extreme leave from the back */
      int keep = a->kind == SL_MIN ? -1 : 1;
      while (pos[0] != pos[1] &&
             cmp_value(repr, dq_val(s, d, dq_at(s, p, d, pos[1] - 1)), x) != keep)
        pos[1]--;
    }
    unsigned char *w = dq_at(s, p, d, pos[1]);
    memcpy(w, &q, 8);
    if (s->vsize[v] == 8)
      memcpy(dq_val(s, d, w), x, 8);
    else
      memcpy(dq_val(s, d, w), x, 16);
    pos[1]++;
  }
  if (pos[0] == pos[1]) {
    out->null[r] = 1;
    return;
  }
  uint32_t at = a->kind == SL_NONNULL && !a->first ? pos[1] - 1 : pos[0];
  put_value(repr, dq_val(s, d, dq_at(s, p, d, at)), out, r);
}

/* MIN / MAX / FIRST_VALUE / LAST_VALUE of row r (seq q, frame from head) in partition p. */
static void ring_aggs_row(slide *s, sl_part *p, uint64_t q, int r) {
  const unsigned char *e = entry(s, p, q);
  for (int j = 0; j < s->naggs; j++) {
    const sl_agg *a = &s->sa[j];
    core_vec *out = &s->aggout->cols[j];
    int v = a->vslot;
    switch (a->fast) {
      case SL_FAST_NONE:
        continue;
      case SL_FAST_MIN_I:
      case SL_FAST_MAX_I: {
        dq_view dv = dq_view_of(s, p, a->dq);
        int keep = a->fast == SL_FAST_MIN_I ? -1 : 1;
        DQ_MINMAX_8(int64_t);
        continue;
      }
      case SL_FAST_MIN_D:
      case SL_FAST_MAX_D: {
        dq_view dv = dq_view_of(s, p, a->dq);
        int keep = a->fast == SL_FAST_MIN_D ? -1 : 1;
        DQ_MINMAX_8(double);
        continue;
      }
      default:
        break;
    }
    if (a->kind == SL_HEAD || a->kind == SL_ROW) {
      /* RESPECT NULLS: the frame's first row, or the row itself */
      uint64_t at = a->kind == SL_HEAD ? p->head : q;
      if (*null_at(s, p, v, at))
        out->null[r] = 1;
      else
        put_value(s->vrepr[v], val_at(s, p, v, at), out, r);
      continue;
    }
    dq_general(s, a, p, e, q, out, r);
  }
}

/* In row order: evicts what left each row's frame (keeping the values for the kernels),
 * appends the row, and answers the deque and positional aggregates. State of rows ahead is
 * prefetched in two stages: the partition's line, then what it points to. */
static int phase_a(slide *s, const core_batch *b, const uint16_t *rows, int live, core_error *err) {
  int rc = find_partitions(s, b, rows, live, err);
  if (rc || s->frame == EXEC_FRAME_UNBOUNDED) return rc;
  s->nrem = 0;
  bool keep_removed = s->any_invertible;
  for (int k = 0; k < live; k++) {
    if (k + 2 * AHEAD < live) WIN_PREFETCH(&s->parts[s->pid[k + 2 * AHEAD]]);
    if (k + AHEAD < live) prefetch_part(s, &s->parts[s->pid[k + AHEAD]]);
    int r = rows ? rows[k] : k;
    uint32_t id = s->pid[k];
    sl_part *p = &s->parts[id];
    int64_t t = b->rowtime[r];
    s->ev_from[k] = p->head;
    if (s->frame == EXEC_FRAME_RANGE) {
      int64_t lo = t - s->range_ms;
      if (p->cap) {
        while (p->head < p->tail && rt_at(s, p, p->head) < lo) {
          if (keep_removed && record_removed(s, p, id, p->head)) goto oom;
          p->head++;
        }
      }
      p->last_rt = t;
    }
    if (ring_append(s, p, b, r)) goto oom;
    uint64_t q = p->tail - 1;
    if (s->frame == EXEC_FRAME_ROWS)
      while (p->tail - p->head > (uint64_t)s->rows + 1) {
        if (keep_removed && record_removed(s, p, id, p->head)) goto oom;
        p->head++;
      }
    s->ev_to[k] = p->head;
    if (s->ndq || s->any_positional) ring_aggs_row(s, p, q, r);
  }
  if (s->frame == EXEC_FRAME_RANGE) {
    /* one entry per partition touched, at the batch's last ROWTIME: the FIFO stays in
     * ROWTIME order and holds at most a row's worth of entries per row */
    int64_t last = b->rowtime[rows ? rows[live - 1] : live - 1];
    for (int i = 0; i < s->ntouched; i++)
      if (fifo_push(s, last, s->touched[i])) goto oom;
  }
  return SLUICE_OK;
oom:
  return core_error_set(err, SLUICE_NOMEM, "out of memory");
}

/* Gives back the slots of rows evicted during the batch (after the output is emitted:
 * output strings may point into them). */
static void reclaim(slide *s) {
  if (s->frame == EXEC_FRAME_UNBOUNDED) return;
  for (int i = 0; i < s->ntouched; i++) {
    sl_part *p = &s->parts[s->touched[i]];
    free_rows(s, p, p->reclaim, p->head);
    p->reclaim = p->head;
  }
}

/* --------------------------------------------------------------- phase B -- */

/* The invertible aggregates (and, for UNBOUNDED frames, all of them) through the
 * kernels' step lists: per row its removals (in the order phase A recorded them), its
 * addition and its result. */
static int run_kernels(slide *s, const core_batch *b, const uint16_t *rows, int live,
                       core_error *err) {
  if (!s->any_invertible) return SLUICE_OK;
  size_t nrem = s->frame == EXEC_FRAME_UNBOUNDED ? 0 : s->nrem;
  int rc = ensure_steps(s, 2 * (size_t)live + nrem, err);
  if (rc) return rc;
  size_t n = 0, m = 0;
  for (int k = 0; k < live; k++) {
    uint32_t r = rows ? rows[k] : (uint32_t)k, id = s->pid[k];
    if (s->frame != EXEC_FRAME_UNBOUNDED)
      for (uint64_t q = s->ev_from[k]; q < s->ev_to[k]; q++)
        s->steps[n++] = (fn_agg_step){id, (uint32_t)m++, FN_AGG_REMOVE};
    s->steps[n++] = (fn_agg_step){id, r, FN_AGG_ADD};
    s->steps[n++] = (fn_agg_step){id, r, FN_AGG_RESULT};
  }
  for (int j = 0; j < s->naggs; j++) {
    if (s->sa[j].kind != SL_INVERTIBLE) continue;
    int arg = s->aggs[j].arg;
    const core_vec *add = arg >= 0 ? &b->cols[arg] : NULL;
    const core_vec *rem = s->sa[j].vslot >= 0 ? &s->remv[s->sa[j].vslot] : NULL;
    if (fn_agg_groups_run(s->st.g[j], s->steps, n, add, rem, &s->aggout->cols[j], s->bad[j],
                          s->aggout->heap))
      return core_error_set(err, SLUICE_NOMEM, "out of memory");
  }
  return SLUICE_OK;
}

/* ------------------------------------------------------------------ push -- */

static int slide_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  slide *s = (slide *)op;
  int live = core_batch_live(b);
  if (live == 0) return SLUICE_OK;
  int rc = ensure_scratch(s, b->n, err);
  if (rc) return rc;
  const uint16_t *rows = NULL;
  if (b->sel) {
    memcpy(s->selc, b->sel, sizeof *s->selc * (size_t)live);
    rows = s->selc;
  }
  core_batch_reset(s->aggout);
  for (int j = 0; j < s->naggs; j++) memset(s->bad[j], 0, (size_t)b->n);
  if ((rc = phase_a(s, b, rows, live, err))) goto out;
  if ((rc = run_kernels(s, b, rows, live, err))) goto out;

  /* the output: the input's vectors, then ours */
  core_batch *o = &s->view;
  o->n = b->n;
  o->cap = b->n;
  o->rowtime = b->rowtime;
  for (int c = 0; c < s->ninput; c++) s->view_cols[c] = b->cols[c];
  for (int j = 0; j < s->naggs; j++) s->view_cols[s->ninput + j] = s->aggout->cols[j];
  o->cols = s->view_cols;
  o->heap = s->aggout->heap;
  o->sel = NULL;
  o->nsel = 0;
  if (rows) {
    memcpy(o->sel_buf, rows, sizeof *rows * (size_t)live);
    o->sel = o->sel_buf;
    o->nsel = live;
  }
  win_report_bad(s->op.ctx, o, &s->st, s->bad);
  if (core_batch_live(o) > 0) rc = exec_emit(op, o, err);
out:
  reclaim(s);
  return rc;
}

static int slide_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  slide *s = (slide *)op;
  if (s->frame == EXEC_FRAME_RANGE) {
    /* partitions whose newest row is outside every future frame */
    int64_t limit = bound_ms - s->range_ms;
    while (s->fhead < s->ftail && s->fifo[s->fhead & (s->fcap - 1)].rt < limit) {
      sl_fifo_ent e = s->fifo[s->fhead++ & (s->fcap - 1)];
      /* whatever partition holds the id now: dropped only if all its rows are too old */
      if (e.id < s->pcap && s->parts[e.id].cap && s->parts[e.id].last_rt < limit)
        drop_part(s, e.id);
    }
  }
  return exec_emit_bound(op, bound_ms, err);
}

static void slide_free(exec_op *op) {
  slide *s = (slide *)op;
  for (uint32_t id = 0; id < s->pcap; id++) {
    sl_part *p = &s->parts[id];
    if (p->cap) free_rows(s, p, p->reclaim, p->tail);
    free(p->block);
  }
  free(s->parts);
  free(s->fifo);
  win_keys_free(&s->keys);
  win_aggs_free(&s->st);
  if (s->remv)
    for (int v = 0; v < s->nv; v++) {
      free(s->remv[v].null);
      free(s->remv[v].u.i);
    }
  free(s->remv);
  free(s->vcol);
  free(s->vrepr);
  free(s->vtype);
  free(s->vsize);
  free(s->val_off);
  free(s->dq_slot);
  free(s->dq_pre);
  free(s->dq_size);
  free(s->sa);
  free(s->aggs);
  free(s->selc);
  free(s->hash);
  free(s->pid);
  free(s->seq);
  free(s->ev_from);
  free(s->ev_to);
  free(s->touched);
  free(s->steps);
  free(s->rem_pid);
  free(s->rem_seq);
  core_batch_free(s->aggout);
  free(s->view_cols);
  free(s->view.sel_buf);
  if (s->bad)
    for (int j = 0; j < s->naggs; j++) free(s->bad[j]);
  free(s->bad);
  free(s);
}

/* ---------------------------------------------------------- constructor -- */

/* The ring slot of input column col, added when new. */
static int value_slot(slide *s, int col, const core_type *types) {
  for (int v = 0; v < s->nv; v++)
    if (s->vcol[v] == col) return v;
  s->vcol[s->nv] = col;
  s->vtype[s->nv] = types[col];
  s->vrepr[s->nv] = core_type_repr((core_type_id)types[col].id);
  s->vsize[s->nv] = s->vrepr[s->nv] == 'x' || s->vrepr[s->nv] == 's' ? 16 : 8;
  if (s->vrepr[s->nv] == 's') s->any_string = true;
  return s->nv++;
}

static int plan_aggs(slide *s, const exec_slide_config *c, core_error *err) {
  for (int j = 0; j < c->naggs; j++) {
    sl_agg *a = &s->sa[j];
    const fn_agg_impl *im = s->st.impl[j];
    a->vslot = -1;
    a->dq = -1;
    if (c->frame == EXEC_FRAME_UNBOUNDED || im->invertible) {
      a->kind = SL_INVERTIBLE; /* through the kernel (UNBOUNDED: no removal) */
      s->any_invertible = true;
      if (c->frame != EXEC_FRAME_UNBOUNDED && s->aggs[j].arg >= 0)
        a->vslot = value_slot(s, s->aggs[j].arg, c->input_types);
      continue;
    }
    a->vslot = value_slot(s, s->aggs[j].arg, c->input_types);
    if (im->ordered) {
      a->kind = strcmp(s->aggs[j].fn->name, "MIN") == 0 ? SL_MIN : SL_MAX;
      a->dq = s->ndq++;
    } else if (im->positional) {
      a->first = strcmp(s->aggs[j].fn->name, "FIRST_VALUE") == 0;
      if (s->aggs[j].ignore_nulls) {
        a->kind = SL_NONNULL;
        a->dq = s->ndq++;
      } else {
        a->kind = a->first ? SL_HEAD : SL_ROW;
        s->any_positional = true;
      }
    } else {
      return core_error_set(err, SLUICE_UNSUPPORTED, "aggregate %s is not available in windows yet",
                            s->aggs[j].fn->name);
    }
    if (a->dq >= 0) s->dq_slot[a->dq] = a->vslot;
    a->fast = SL_FAST_GENERAL;
    char rp = s->vrepr[a->vslot];
    if (a->kind == SL_MIN || a->kind == SL_MAX) {
      bool mn = a->kind == SL_MIN;
      if (rp == 'i') a->fast = mn ? SL_FAST_MIN_I : SL_FAST_MAX_I;
      if (rp == 'd') a->fast = mn ? SL_FAST_MIN_D : SL_FAST_MAX_D;
    }
  }
  return SLUICE_OK;
}

/* The block layout: [positions of deques 2.., to 64 bytes][cap ring entries][deque 0: cap
 * entries][deque 1] ...; 32-byte deque entries first so that all stay 16-byte aligned. */
static void plan_layout(slide *s) {
  s->hdr = s->ndq > DQ_INLINE ? ((size_t)(s->ndq - DQ_INLINE) * 8 + 63) & ~(size_t)63 : 0;
  size_t off = 8 + (((size_t)s->nv + 7) & ~(size_t)7);
  for (int v = 0; v < s->nv; v++) {
    s->val_off[v] = off;
    off += s->vsize[v];
  }
  s->esize = off;
  size_t pre = 0;
  for (int d = 0; d < s->ndq; d++) {
    s->dq_size[d] = s->vsize[s->dq_slot[d]] == 16 ? 32 : 16;
    if (s->dq_size[d] == 32) s->dq_pre[d] = pre, pre += 32;
  }
  for (int d = 0; d < s->ndq; d++)
    if (s->dq_size[d] == 16) s->dq_pre[d] = pre, pre += 16;
  s->dq_bytes = pre;
  /* dq_at() adds cap * esize: keep the deques 16-byte aligned (cap >= 16) */
}

exec_op *exec_slide_new(exec_ctx *ctx, const exec_slide_config *c, core_error *err) {
  if (c->frame == EXEC_FRAME_ROWS && c->rows < 0) {
    core_error_set(err, SLUICE_INVALID, "ROWS needs a non-negative number of rows");
    return NULL;
  }
  if (c->frame == EXEC_FRAME_RANGE && c->range_ms < 0) {
    core_error_set(err, SLUICE_INVALID, "RANGE needs a non-negative interval");
    return NULL;
  }
  for (int j = 0; j < c->naggs; j++)
    if (c->aggs[j].fn && c->aggs[j].arg < 0 && strcmp(c->aggs[j].fn->name, "COUNT") != 0) {
      core_error_set(err, SLUICE_INTERNAL, "internal: aggregate %s without an argument",
                     c->aggs[j].fn->name);
      return NULL;
    }
  slide *s = calloc(1, sizeof *s);
  if (!s) {
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    return NULL;
  }
  s->op.name = "slide";
  s->op.push = slide_push;
  s->op.bound = slide_bound;
  s->op.free = slide_free;
  s->op.ctx = ctx;
  s->frame = c->frame;
  s->rows = c->rows;
  s->range_ms = c->range_ms;
  s->ninput = c->ninput;
  s->naggs = c->naggs;
  size_t na = c->naggs ? (size_t)c->naggs : 1;
  s->aggs = calloc(na, sizeof *s->aggs);
  s->sa = calloc(na, sizeof *s->sa);
  s->vcol = calloc(na, sizeof *s->vcol);
  s->vrepr = calloc(na, 1);
  s->vtype = calloc(na, sizeof *s->vtype);
  s->vsize = calloc(na, sizeof *s->vsize);
  s->val_off = calloc(na, sizeof *s->val_off);
  s->dq_slot = calloc(na, sizeof *s->dq_slot);
  s->dq_pre = calloc(na, sizeof *s->dq_pre);
  s->dq_size = calloc(na, sizeof *s->dq_size);
  s->bad = calloc(na, sizeof *s->bad);
  s->view_cols = calloc((size_t)c->ninput + na, sizeof *s->view_cols);
  s->view.sel_buf = malloc(sizeof *s->view.sel_buf * 65536);
  s->view.ncols = c->ninput + c->naggs;
  int rc = SLUICE_OK;
  if (!s->aggs || !s->sa || !s->vcol || !s->vrepr || !s->vtype || !s->vsize || !s->val_off ||
      !s->dq_slot || !s->dq_pre || !s->dq_size || !s->bad || !s->view_cols || !s->view.sel_buf)
    rc = core_error_set(err, SLUICE_NOMEM, "out of memory");
  if (!rc) {
    if (c->naggs) memcpy(s->aggs, c->aggs, sizeof *s->aggs * (size_t)c->naggs);
    rc = win_keys_init(&s->keys, c->npartition, c->partition, c->input_types, err);
  }
  if (!rc) rc = win_aggs_init(&s->st, s->aggs, c->naggs, c->input_types, c->ninput, true, err);
  if (!rc) rc = plan_aggs(s, c, err);
  if (!rc) {
    plan_layout(s);
    s->remv = calloc(s->nv > 0 ? (size_t)s->nv : 1, sizeof *s->remv);
    if (!s->remv) rc = core_error_set(err, SLUICE_NOMEM, "out of memory");
    for (int v = 0; v < s->nv && !rc; v++) s->remv[v].type = s->vtype[v];
  }
  if (!rc) rc = ensure_scratch(s, CORE_BATCH_CAP, err);
  if (rc) {
    slide_free(&s->op);
    return NULL;
  }
  return &s->op;
}

/*
 * join.c — stream-to-stream joins (exec_join_new), stream-to-table joins
 * (exec_lookup_new), and the row store they share with order.c (join_int.h).
 *
 * Stream-to-stream semantics (spec 1.8, 8.20; README.md "Joins and ordering"):
 *
 *   - The two inputs are merged by ROWTIME before joining: a row is joined only
 *     once nothing earlier can still arrive on the other input (its bound or a
 *     later row says so). Rows of equal ROWTIME are joined in arrival order,
 *     except that a windowed side's rows go before an unwindowed side's, so
 *     that an unwindowed side's row sees the whole window [t - range, t].
 *   - Joining a row r (side X, time t) pairs it with the rows of the other side
 *     Y that are in Y's window relative to r: RANGE: processed Y rows with
 *     ROWTIME >= t - range; ROWS n: the last n + 1 processed Y rows; no window:
 *     none (an unwindowed side contributes only its current row, which meets
 *     the other side's window when it is itself joined). Every pair is thus
 *     found once, when its later row is joined, and gets that row's ROWTIME:
 *     the later of the two. Outputs come out in ROWTIME order by construction.
 *   - Outer sides: a row that never matched is null-extended when no row of
 *     the other side can match it any more: RANGE: once the other input has
 *     passed ROWTIME + range (its bound or rows are beyond it), emitted with
 *     ROWTIME = its own ROWTIME + range; ROWS n: when n + 1 newer rows of its
 *     own side have been joined, with that newest row's ROWTIME; no window:
 *     right after it was joined, with its own ROWTIME.
 *
 * State per side: one FIFO (exec_ring) holding [head, mid) the processed rows
 * still in the window and [mid, tail) the rows waiting for the other input,
 * plus a hash index (bucket -> newest seq, per-row link to the next older seq)
 * over the processed rows' key columns. Evicted rows are not unlinked: a chain
 * is walked from new to old and stops at the first seq below head.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "exec/join_int.h"

/* ======================================================= row store == */

#define STRCHUNK_SIZE ((size_t)64 * 1024)
#define SPARE_CHUNKS 2

struct exec_strchunk {
  exec_strchunk *next; /* in the spare list */
  size_t cap, used;
  uint32_t refs; /* stored rows whose strings are here */
  char data[];
};

static const char empty_string[1] = "";

static void chunk_recycle(exec_strpool *p, exec_strchunk *c) {
  if (c->cap == STRCHUNK_SIZE && p->nspare < SPARE_CHUNKS) {
    c->next = p->spare;
    p->spare = c;
    p->nspare++;
  } else {
    free(c);
  }
}

/* n bytes for one row's strings; the row holds a reference on *chunk. */
static char *pool_alloc(exec_strpool *p, size_t n, exec_strchunk **chunk) {
  exec_strchunk *c = p->cur;
  if (!c || c->cap - c->used < n) {
    if (c) {
      p->cur = NULL;
      if (c->refs == 0) chunk_recycle(p, c);
    }
    size_t cap = n > STRCHUNK_SIZE ? n : STRCHUNK_SIZE;
    if (cap == STRCHUNK_SIZE && p->spare) {
      c = p->spare;
      p->spare = c->next;
      p->nspare--;
    } else {
      c = malloc(sizeof *c + cap);
      if (!c) return NULL;
      c->cap = cap;
    }
    c->next = NULL;
    c->used = 0;
    c->refs = 0;
    p->cur = c;
  }
  char *s = c->data + c->used;
  c->used += n;
  c->refs++;
  *chunk = c;
  return s;
}

static void pool_release(exec_strpool *p, exec_strchunk *c) {
  if (--c->refs > 0) return;
  if (c == p->cur)
    c->used = 0; /* nothing in it is alive: fill it again from the start */
  else
    chunk_recycle(p, c);
}

static void pool_free(exec_strpool *p) {
  free(p->cur);
  while (p->spare) {
    exec_strchunk *c = p->spare;
    p->spare = c->next;
    free(c);
  }
  p->cur = NULL;
  p->nspare = 0;
}

int exec_rowbuf_init(exec_rowbuf *rb, int ncols, const core_type *types) {
  memset(rb, 0, sizeof *rb);
  rb->ncols = ncols;
  rb->types = malloc(sizeof *rb->types * (size_t)(ncols + 1));
  rb->repr = malloc((size_t)ncols + 1);
  if (!rb->types || !rb->repr) return SLUICE_NOMEM;
  for (int c = 0; c < ncols; c++) {
    rb->types[c] = types[c];
    rb->repr[c] = core_type_repr(types[c].id);
    if (rb->repr[c] == 's') rb->has_strings = true;
  }
  return SLUICE_OK;
}

void exec_rowbuf_free(exec_rowbuf *rb) {
  /* rows still stored may hold chunks that are no longer the pool's current one */
  for (uint32_t i = 0; rb->chunk && i < rb->cap; i++) exec_rowbuf_release(rb, i);
  pool_free(&rb->pool);
  free(rb->types);
  free(rb->repr);
  free(rb->cells);
  free(rb->nulls);
  free(rb->rowtime);
  free(rb->chunk);
  free(rb->hash);
  free(rb->link);
  free(rb->order);
  free(rb->flag);
  memset(rb, 0, sizeof *rb);
}

static int grow_array(void **p, size_t elem, size_t old, size_t cap) {
  void *n = realloc(*p, elem * cap);
  if (!n) return SLUICE_NOMEM;
  memset((char *)n + elem * old, 0, elem * (cap - old));
  *p = n;
  return SLUICE_OK;
}

int exec_rowbuf_grow(exec_rowbuf *rb, uint32_t cap) {
  size_t old = rb->cap, w = rb->ncols > 0 ? (size_t)rb->ncols : 1;
  /* cells hold 128-bit decimals: keep them 16-byte aligned whatever realloc does */
  exec_cell *cells = aligned_alloc(16, sizeof(exec_cell) * w * cap);
  if (!cells) return SLUICE_NOMEM;
  if (rb->cells) memcpy(cells, rb->cells, sizeof(exec_cell) * w * old);
  free(rb->cells);
  rb->cells = cells;
  if (grow_array((void **)&rb->nulls, w, old, cap) ||
      grow_array((void **)&rb->rowtime, sizeof(int64_t), old, cap) ||
      grow_array((void **)&rb->chunk, sizeof(exec_strchunk *), old, cap) ||
      grow_array((void **)&rb->hash, sizeof(uint64_t), old, cap) ||
      grow_array((void **)&rb->link, sizeof(uint64_t), old, cap) ||
      grow_array((void **)&rb->order, sizeof(uint64_t), old, cap) ||
      grow_array((void **)&rb->flag, 1, old, cap))
    return SLUICE_NOMEM;
  rb->cap = cap;
  return SLUICE_OK;
}

void exec_rowbuf_move(exec_rowbuf *rb, uint32_t to, uint32_t from) {
  size_t w = (size_t)rb->ncols;
  memcpy(&rb->cells[to * w], &rb->cells[from * w], sizeof(exec_cell) * w);
  memcpy(&rb->nulls[to * w], &rb->nulls[from * w], w);
  rb->rowtime[to] = rb->rowtime[from];
  rb->chunk[to] = rb->chunk[from];
  rb->hash[to] = rb->hash[from];
  rb->link[to] = rb->link[from];
  rb->order[to] = rb->order[from];
  rb->flag[to] = rb->flag[from];
  rb->chunk[from] = NULL;
}

void exec_cell_get(const core_vec *v, int row, char repr, exec_cell *out) {
  switch (repr) {
    case 'd':
      out->d = v->u.d[row];
      break;
    case 'x':
      out->dec = v->u.dec[row];
      break;
    case 's':
      out->s = v->u.s[row];
      break;
    default:
      out->i = v->u.i[row];
  }
}

int exec_rowbuf_store(exec_rowbuf *rb, uint32_t slot, const core_batch *b, int row) {
  size_t w = (size_t)rb->ncols;
  exec_cell *c = &rb->cells[slot * w];
  uint8_t *nl = &rb->nulls[slot * w];
  size_t bytes = 0;
  for (int k = 0; k < rb->ncols; k++) {
    const core_vec *v = &b->cols[k];
    nl[k] = v->null[row] ? 1 : 0;
    if (nl[k]) {
      memset(&c[k], 0, sizeof c[k]);
      continue;
    }
    exec_cell_get(v, row, rb->repr[k], &c[k]);
    if (rb->repr[k] == 's') bytes += c[k].s.n;
  }
  rb->chunk[slot] = NULL;
  if (bytes) {
    char *p = pool_alloc(&rb->pool, bytes, &rb->chunk[slot]);
    if (!p) return SLUICE_NOMEM;
    for (int k = 0; k < rb->ncols; k++) {
      if (rb->repr[k] != 's' || nl[k] || !c[k].s.n) continue;
      memcpy(p, c[k].s.p, c[k].s.n);
      c[k].s.p = p;
      p += c[k].s.n;
    }
  }
  if (rb->has_strings)
    for (int k = 0; k < rb->ncols; k++)
      if (rb->repr[k] == 's' && (nl[k] || !c[k].s.n)) c[k].s = (core_str){empty_string, 0};
  rb->rowtime[slot] = b->rowtime[row];
  rb->flag[slot] = 0;
  return SLUICE_OK;
}

void exec_rowbuf_release(exec_rowbuf *rb, uint32_t slot) {
  if (rb->chunk[slot]) pool_release(&rb->pool, rb->chunk[slot]);
  rb->chunk[slot] = NULL;
}

int exec_cell_put(core_batch *out, int col, int row, char repr, const exec_cell *c, bool null) {
  core_vec *v = &out->cols[col];
  v->null[row] = null ? 1 : 0;
  if (null) return SLUICE_OK;
  switch (repr) {
    case 'd':
      v->u.d[row] = c->d;
      break;
    case 'x':
      v->u.dec[row] = c->dec;
      break;
    case 's': {
      const char *p = empty_string;
      if (c->s.n) {
        char *q = core_arena_alloc(out->heap, c->s.n);
        if (!q) return SLUICE_NOMEM;
        memcpy(q, c->s.p, c->s.n);
        p = q;
      }
      v->u.s[row] = (core_str){p, c->s.n};
      break;
    }
    default:
      v->u.i[row] = c->i;
  }
  return SLUICE_OK;
}

int exec_rowbuf_put(const exec_rowbuf *rb, uint32_t slot, core_batch *out, int row, int col0) {
  for (int k = 0; k < rb->ncols; k++) {
    int rc = exec_cell_put(out, col0 + k, row, rb->repr[k], exec_rowbuf_cell(rb, slot, k),
                           exec_rowbuf_isnull(rb, slot, k));
    if (rc) return rc;
  }
  return SLUICE_OK;
}

void exec_put_nulls(core_batch *out, int row, int col0, int n) {
  for (int k = 0; k < n; k++) out->cols[col0 + k].null[row] = 1;
}

uint64_t exec_cell_hash(char repr, const exec_cell *c, uint64_t h) {
  switch (repr) {
    case 'd': {
      double d = c->d == 0 ? 0.0 : c->d; /* -0.0 = 0.0 */
      return core_hash64(&d, sizeof d, h);
    }
    case 'x':
      return core_hash64(&c->dec, sizeof c->dec, h);
    case 's':
      return core_hash64(c->s.p, c->s.n, h);
    default:
      return core_hash64(&c->i, sizeof c->i, h);
  }
}

bool exec_cell_equal(char repr, const exec_cell *a, const exec_cell *b) {
  switch (repr) {
    case 'd':
      return a->d == b->d;
    case 'x':
      return a->dec == b->dec;
    case 's':
      return a->s.n == b->s.n && (a->s.n == 0 || memcmp(a->s.p, b->s.p, a->s.n) == 0);
    default:
      return a->i == b->i;
  }
}

int exec_cell_compare(char repr, const exec_cell *a, const exec_cell *b) {
  switch (repr) {
    case 'd':
      return (a->d > b->d) - (a->d < b->d);
    case 'x':
      return (a->dec > b->dec) - (a->dec < b->dec);
    case 's': {
      uint32_t n = a->s.n < b->s.n ? a->s.n : b->s.n;
      int c = n ? memcmp(a->s.p, b->s.p, n) : 0;
      if (c) return c < 0 ? -1 : 1;
      return (a->s.n > b->s.n) - (a->s.n < b->s.n);
    }
    default:
      return (a->i > b->i) - (a->i < b->i);
  }
}

#define KEY_SEED 0x9e3779b97f4a7c15ull

uint64_t exec_rowbuf_key_hash(const exec_rowbuf *rb, uint32_t slot, const int *keys, int nkeys,
                              bool *has_null) {
  uint64_t h = KEY_SEED;
  *has_null = false;
  for (int k = 0; k < nkeys; k++) {
    if (exec_rowbuf_isnull(rb, slot, keys[k])) {
      *has_null = true;
      return 0;
    }
    h = exec_cell_hash(rb->repr[keys[k]], exec_rowbuf_cell(rb, slot, keys[k]), h);
  }
  return h;
}

/* ---- FIFO ---- */

#define RING_INITIAL 16

int exec_ring_init(exec_ring *r, int ncols, const core_type *types) {
  r->head = r->tail = 0;
  int rc = exec_rowbuf_init(&r->rb, ncols, types);
  return rc ? rc : exec_rowbuf_grow(&r->rb, RING_INITIAL);
}

void exec_ring_free(exec_ring *r) {
  exec_rowbuf_free(&r->rb);
}

/* Doubles the ring: a row keeps its slot or moves to slot + old capacity, which is free. */
static int ring_grow(exec_ring *r) {
  uint32_t old = r->rb.cap;
  int rc = exec_rowbuf_grow(&r->rb, old * 2);
  if (rc) return rc;
  for (uint64_t s = r->head; s < r->tail; s++) {
    uint32_t from = (uint32_t)(s & (old - 1)), to = exec_ring_slot(r, s);
    if (from != to) exec_rowbuf_move(&r->rb, to, from);
  }
  return SLUICE_OK;
}

int exec_ring_push(exec_ring *r, const core_batch *b, int row) {
  if (r->tail - r->head == r->rb.cap) {
    int rc = ring_grow(r);
    if (rc) return rc;
  }
  int rc = exec_rowbuf_store(&r->rb, exec_ring_slot(r, r->tail), b, row);
  if (rc) return rc;
  r->tail++;
  return SLUICE_OK;
}

void exec_ring_pop(exec_ring *r) {
  exec_rowbuf_release(&r->rb, exec_ring_slot(r, r->head));
  r->head++;
}

/* ---- operators' helpers ---- */

int exec_flush(exec_op *op, core_batch *out, core_error *err) {
  if (out->n == 0) return SLUICE_OK;
  int rc = exec_emit(op, out, err);
  core_batch_reset(out);
  return rc;
}

const char *exec_time_text(int64_t ms, char buf[CORE_TIMESTAMP_TEXT]) {
  core_timestamp_format(ms, buf);
  return buf;
}

static int nomem(core_error *err) {
  return core_error_set(err, SLUICE_NOMEM, "out of memory");
}

/* The key columns of both sides must compare by representation. */
static int check_keys(const exec_join_side *a, const exec_join_side *b, int nkeys,
                      core_error *err) {
  for (int k = 0; k < nkeys; k++) {
    int ca = a->keys[k], cb = b->keys[k];
    if (ca < 0 || ca >= a->ncols || cb < 0 || cb >= b->ncols)
      return core_error_set(err, SLUICE_INTERNAL, "internal: join key %d is not a column", k);
    core_type ta = a->types[ca], tb = b->types[cb];
    if (core_type_repr(ta.id) != core_type_repr(tb.id) ||
        (ta.id == CORE_T_DECIMAL && ta.scale != tb.scale) ||
        core_type_is_string(ta.id) != core_type_is_string(tb.id))
      return core_error_set(err, SLUICE_UNSUPPORTED,
                            "join key %d compares %s with %s: cast one side first", k + 1,
                            core_type_name(ta.id), core_type_name(tb.id));
  }
  return SLUICE_OK;
}

static core_batch *new_output(const exec_join_side *a, const exec_join_side *b) {
  int n = a->ncols + b->ncols;
  core_type *t = malloc(sizeof *t * (size_t)(n + 1));
  if (!t) return NULL;
  memcpy(t, a->types, sizeof *t * (size_t)a->ncols);
  memcpy(t + a->ncols, b->types, sizeof *t * (size_t)b->ncols);
  core_batch *out = core_batch_new(n, t, CORE_BATCH_CAP);
  free(t);
  return out;
}

/* Grow-only scratch array of seqs (candidate partners). */
typedef struct seqs {
  uint64_t *v;
  size_t n, cap;
} seqs;

static int seqs_add(seqs *s, uint64_t x) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    uint64_t *v = realloc(s->v, sizeof *v * cap);
    if (!v) return SLUICE_NOMEM;
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = x;
  return SLUICE_OK;
}

static void seqs_reverse(seqs *s) {
  for (size_t i = 0, k = s->n; i + 1 < k; i++, k--) {
    uint64_t t = s->v[i];
    s->v[i] = s->v[k - 1];
    s->v[k - 1] = t;
  }
}

/* ================================================ stream-stream join == */

#define JF_MATCHED 1 /* the row has been part of an output pair */
#define JF_NULLKEY 2 /* a key column is NULL: matches nothing */
#define NO_SEQ UINT64_MAX
#define BUCKETS_INITIAL 64u

typedef struct join_side {
  exec_ring q; /* [q.head, mid): joined rows still in the window; [mid, q.tail): waiting */
  uint64_t mid;
  uint64_t scan; /* outer RANGE side: the rows in [q.head, scan) have matched */
  int64_t bound; /* the input's latest rowtime bound */
  int64_t last;  /* ROWTIME of the input's latest row */
  bool windowed, outer;
  exec_frame frame;
  int64_t range_ms, rows;
  int ncols, col0; /* its columns in the output start at col0 */
  int *keys;
  uint64_t *buckets; /* newest seq of each chain, or NO_SEQ; NULL without keys */
  uint32_t nbuckets; /* a power of two */
} join_side;

typedef struct join_op {
  exec_op op;
  join_side s[2];
  int kind, nkeys;
  exec_expr *residual;
  core_batch *out;  /* output rows being gathered */
  core_batch *cand; /* candidate pairs for the residual */
  seqs cands;       /* partners of the row being joined, oldest first */
  uint64_t arrivals;
  int64_t bound_out;
} join_op;

static inline uint32_t side_slot(const join_side *x, uint64_t seq) {
  return exec_ring_slot(&x->q, seq);
}

/* The earliest ROWTIME the side can still join: its first waiting row, or else what its
 * bound and latest row promise. */
static int64_t side_next(const join_side *x) {
  if (x->mid < x->q.tail) return x->q.rb.rowtime[side_slot(x, x->mid)];
  return x->last > x->bound ? x->last : x->bound;
}

/* Which side's waiting row is joined next: -1 when neither can go yet. */
static int join_pick(const join_op *j) {
  const join_side *L = &j->s[0], *R = &j->s[1];
  bool hl = L->mid < L->q.tail, hr = R->mid < R->q.tail;
  if (!hl && !hr) return -1;
  if (hl && hr) {
    uint32_t sl = side_slot(L, L->mid), sr = side_slot(R, R->mid);
    int64_t tl = L->q.rb.rowtime[sl], tr = R->q.rb.rowtime[sr];
    if (tl != tr) return tl < tr ? 0 : 1;
    if (L->windowed != R->windowed) return L->windowed ? 0 : 1;
    return L->q.rb.order[sl] < R->q.rb.order[sr] ? 0 : 1;
  }
  int x = hl ? 0 : 1;
  const join_side *X = &j->s[x], *Y = &j->s[1 - x];
  int64_t t = X->q.rb.rowtime[side_slot(X, X->mid)], fy = side_next(Y);
  if (fy == EXEC_NO_TIME) return -1;
  if (t < fy) return x;
  /* a row of Y at time t would arrive later, and goes after X's unless only Y is windowed */
  if (t == fy && (X->windowed || !Y->windowed)) return x;
  return -1;
}

static int side_rehash(join_side *x, uint32_t nbuckets) {
  uint64_t *b = malloc(sizeof *b * nbuckets);
  if (!b) return SLUICE_NOMEM;
  for (uint32_t i = 0; i < nbuckets; i++) b[i] = NO_SEQ;
  free(x->buckets);
  x->buckets = b;
  x->nbuckets = nbuckets;
  exec_rowbuf *rb = &x->q.rb;
  for (uint64_t s = x->q.head; s < x->mid; s++) {
    uint32_t slot = side_slot(x, s);
    if (rb->flag[slot] & JF_NULLKEY) continue;
    uint32_t h = (uint32_t)(rb->hash[slot] & (nbuckets - 1));
    rb->link[slot] = b[h];
    b[h] = s;
  }
  return SLUICE_OK;
}

/* Adds the row at mid (about to become joined) to the side's index. */
static int side_index(join_side *x) {
  if (!x->buckets) return SLUICE_OK;
  exec_rowbuf *rb = &x->q.rb;
  uint32_t slot = side_slot(x, x->mid);
  if (rb->flag[slot] & JF_NULLKEY) return SLUICE_OK;
  if ((x->mid - x->q.head) * 2 >= x->nbuckets) {
    int rc = side_rehash(x, x->nbuckets * 2);
    if (rc) return rc;
  }
  uint32_t h = (uint32_t)(rb->hash[slot] & (x->nbuckets - 1));
  rb->link[slot] = x->buckets[h];
  x->buckets[h] = x->mid;
  return SLUICE_OK;
}

static bool keys_equal(const join_op *j, const join_side *x, uint32_t xs, const join_side *y,
                       uint32_t ys) {
  for (int k = 0; k < j->nkeys; k++) {
    int cx = x->keys[k], cy = y->keys[k];
    if (!exec_cell_equal(x->q.rb.repr[cx], exec_rowbuf_cell(&x->q.rb, xs, cx),
                         exec_rowbuf_cell(&y->q.rb, ys, cy)))
      return false;
  }
  return true;
}

/* The rows of Y in Y's window relative to X's row at xs (time t), oldest first. */
static int join_candidates(join_op *j, const join_side *X, uint32_t xs, const join_side *Y,
                           int64_t t) {
  j->cands.n = 0;
  if (!Y->windowed || Y->mid == Y->q.head) return SLUICE_OK;
  int64_t lo = Y->frame == EXEC_FRAME_RANGE ? exec_time_add(t, -Y->range_ms) : EXEC_NO_TIME;
  const exec_rowbuf *yb = &Y->q.rb;
  int rc;
  if (j->nkeys == 0) {
    for (uint64_t s = Y->mid; s-- > Y->q.head;) {
      if (yb->rowtime[side_slot(Y, s)] < lo) break;
      if ((rc = seqs_add(&j->cands, s))) return rc;
    }
  } else {
    const exec_rowbuf *xb = &X->q.rb;
    if (xb->flag[xs] & JF_NULLKEY) return SLUICE_OK;
    uint64_t h = xb->hash[xs];
    for (uint64_t s = Y->buckets[h & (Y->nbuckets - 1)]; s != NO_SEQ && s >= Y->q.head;) {
      uint32_t ys = side_slot(Y, s);
      if (yb->rowtime[ys] < lo) break; /* chains run from new to old */
      if (yb->hash[ys] == h && keys_equal(j, X, xs, Y, ys) && (rc = seqs_add(&j->cands, s)))
        return rc;
      s = yb->link[ys];
    }
  }
  seqs_reverse(&j->cands);
  return SLUICE_OK;
}

/* Writes the pair (X's xs, Y's ys) into row `row` of b with ROWTIME t. */
static int put_pair(core_batch *b, int row, const join_side *X, uint32_t xs, const join_side *Y,
                    uint32_t ys, int64_t t) {
  int rc = exec_rowbuf_put(&X->q.rb, xs, b, row, X->col0);
  if (!rc) rc = exec_rowbuf_put(&Y->q.rb, ys, b, row, Y->col0);
  b->rowtime[row] = t;
  return rc;
}

/* Emits the pairs of X's row xs with the candidates that pass the residual. */
static int join_matches(join_op *j, join_side *X, uint32_t xs, join_side *Y, int64_t t,
                        core_error *err) {
  exec_op *op = &j->op;
  exec_rowbuf *yb = &Y->q.rb;
  bool any = false;
  int rc;
  if (!j->residual) {
    for (size_t i = 0; i < j->cands.n; i++) {
      uint32_t ys = side_slot(Y, j->cands.v[i]);
      if ((rc = exec_out_room(op, j->out, err))) return rc;
      if ((rc = put_pair(j->out, j->out->n, X, xs, Y, ys, t))) return nomem(err);
      j->out->n++;
      yb->flag[ys] |= JF_MATCHED;
      any = true;
    }
  } else {
    for (size_t i = 0; i < j->cands.n;) {
      core_batch *c = j->cand;
      core_batch_reset(c);
      size_t first = i;
      for (; i < j->cands.n && c->n < c->cap; i++, c->n++)
        if ((rc = put_pair(c, c->n, X, xs, Y, side_slot(Y, j->cands.v[i]), t))) return nomem(err);
      if ((rc = exec_expr_filter(j->residual, op->ctx, c, err))) return rc;
      int live = core_batch_live(c);
      for (int k = 0; k < live; k++) {
        int r = core_batch_row(c, k);
        if ((rc = exec_out_room(op, j->out, err))) return rc;
        if ((rc = core_batch_copy_row(j->out, j->out->n, c, r))) return nomem(err);
        j->out->n++;
        yb->flag[side_slot(Y, j->cands.v[first + (size_t)r])] |= JF_MATCHED;
        any = true;
      }
    }
  }
  if (any) X->q.rb.flag[xs] |= JF_MATCHED;
  return SLUICE_OK;
}

/* Drops the oldest joined row of side x; an outer side's row that never matched is
 * emitted null-extended with ROWTIME t first. */
static int side_evict(join_op *j, int x, int64_t t, core_error *err) {
  join_side *X = &j->s[x];
  uint32_t slot = side_slot(X, X->q.head);
  if (X->outer && !(X->q.rb.flag[slot] & JF_MATCHED)) {
    int rc = exec_out_room(&j->op, j->out, err);
    if (rc) return rc;
    int row = j->out->n;
    if (exec_rowbuf_put(&X->q.rb, slot, j->out, row, X->col0)) return nomem(err);
    const join_side *Y = &j->s[1 - x];
    exec_put_nulls(j->out, row, Y->col0, Y->ncols);
    j->out->rowtime[row] = t;
    j->out->n++;
  }
  exec_ring_pop(&X->q);
  if (X->scan < X->q.head) X->scan = X->q.head;
  return SLUICE_OK;
}

/* Joins the waiting row at side x's mid. */
static int join_row(join_op *j, int x, core_error *err) {
  join_side *X = &j->s[x], *Y = &j->s[1 - x];
  uint32_t xs = side_slot(X, X->mid);
  int64_t t = X->q.rb.rowtime[xs];
  int rc = join_candidates(j, X, xs, Y, t);
  if (!rc) rc = join_matches(j, X, xs, Y, t, err);
  if (rc) return rc == SLUICE_NOMEM ? nomem(err) : rc;
  if (X->windowed && (rc = side_index(X))) return nomem(err);
  X->mid++;
  if (!X->windowed) return side_evict(j, x, t, err);
  if (X->frame == EXEC_FRAME_ROWS)
    while (X->mid - X->q.head > (uint64_t)X->rows + 1)
      if ((rc = side_evict(j, x, t, err))) return rc;
  return SLUICE_OK;
}

/*
 * Drops RANGE-window rows that no row of the other side can match any more: the other
 * input has passed ROWTIME + range. An outer side's unmatched row is emitted then with
 * ROWTIME = ROWTIME + range, once its own input has reached that time too (so that
 * nothing earlier is still to come from it); the two sides' rows go out in time order.
 */
static int join_expire(join_op *j, core_error *err) {
  int64_t f[2] = {side_next(&j->s[0]), side_next(&j->s[1])};
  for (;;) {
    int best = -1;
    int64_t bt = 0;
    for (int x = 0; x < 2; x++) {
      const join_side *X = &j->s[x];
      if (!X->windowed || X->frame != EXEC_FRAME_RANGE || X->q.head == X->mid) continue;
      uint32_t slot = side_slot(X, X->q.head);
      int64_t t = exec_time_add(X->q.rb.rowtime[slot], X->range_ms);
      if (!(f[1 - x] > t)) continue;
      bool emits = X->outer && !(X->q.rb.flag[slot] & JF_MATCHED);
      if (emits && f[x] < t) continue;
      if (best < 0 || t < bt) {
        best = x;
        bt = t;
      }
    }
    if (best < 0) return SLUICE_OK;
    int rc = side_evict(j, best, bt, err);
    if (rc) return rc;
  }
}

/* Output bound: no row to come is earlier than the next joinable row of either side, nor
 * than the null-extension time of an outer RANGE side's first unmatched row. */
static int64_t join_bound_out(join_op *j) {
  int64_t b0 = side_next(&j->s[0]), b1 = side_next(&j->s[1]);
  int64_t b = b0 < b1 ? b0 : b1;
  for (int x = 0; x < 2; x++) {
    join_side *X = &j->s[x];
    if (!X->outer || !X->windowed || X->frame != EXEC_FRAME_RANGE) continue;
    if (X->scan < X->q.head) X->scan = X->q.head;
    while (X->scan < X->mid && (X->q.rb.flag[side_slot(X, X->scan)] & JF_MATCHED)) X->scan++;
    if (X->scan < X->mid) {
      int64_t t = exec_time_add(X->q.rb.rowtime[side_slot(X, X->scan)], X->range_ms);
      if (t < b) b = t;
    }
  }
  return b;
}

#ifndef NDEBUG
/* Walks the join's state and aborts on a broken invariant (debug builds). */
static void join_verify(const join_op *j) {
  for (int x = 0; x < 2; x++) {
    const join_side *X = &j->s[x];
    assert(X->q.head <= X->mid && X->mid <= X->q.tail);
    assert(X->q.tail - X->q.head <= X->q.rb.cap);
    assert(X->windowed || X->q.head == X->mid);
    assert(!X->windowed || X->frame != EXEC_FRAME_ROWS ||
           X->mid - X->q.head <= (uint64_t)X->rows + 1);
    for (uint64_t s = X->q.head; s + 1 < X->q.tail; s++)
      assert(X->q.rb.rowtime[side_slot(X, s)] <= X->q.rb.rowtime[side_slot(X, s + 1)]);
  }
  assert(j->out->n == 0);
}
#endif

static int join_run(join_op *j, core_error *err) {
  int rc, x;
  while ((x = join_pick(j)) >= 0) {
    if ((rc = join_expire(j, err))) return rc;
    if ((rc = join_row(j, x, err))) return rc;
  }
  if ((rc = join_expire(j, err))) return rc;
  if ((rc = exec_flush(&j->op, j->out, err))) return rc;
#ifndef NDEBUG
  join_verify(j);
#endif
  int64_t b = join_bound_out(j);
  if (b == EXEC_NO_TIME || b <= j->bound_out) return SLUICE_OK;
  j->bound_out = b;
  return exec_emit_bound(&j->op, b, err);
}

static int join_push(exec_op *op, int port, core_batch *b, core_error *err) {
  join_op *j = (join_op *)op;
  if (port != 0 && port != 1)
    return core_error_set(err, SLUICE_INTERNAL, "internal: a join has no input port %d", port);
  join_side *x = &j->s[port];
  char t1[CORE_TIMESTAMP_TEXT], t2[CORE_TIMESTAMP_TEXT];
  for (int k = 0; k < core_batch_live(b);) {
    int row = core_batch_row(b, k);
    int64_t t = b->rowtime[row], floor = x->last > x->bound ? x->last : x->bound;
    if (t < floor) {
      exec_row_error(op->ctx, b, row, "OutOfOrderRowtime",
                     "join input %d: ROWTIME %s is before %s, where the input already was", port,
                     exec_time_text(t, t1), exec_time_text(floor, t2));
      continue; /* the row left the selection: k now names the next one */
    }
    if (exec_ring_push(&x->q, b, row)) return nomem(err);
    exec_rowbuf *rb = &x->q.rb;
    uint32_t slot = side_slot(x, x->q.tail - 1);
    rb->order[slot] = j->arrivals++;
    if (j->nkeys > 0) {
      bool has_null;
      rb->hash[slot] = exec_rowbuf_key_hash(rb, slot, x->keys, j->nkeys, &has_null);
      if (has_null) rb->flag[slot] |= JF_NULLKEY;
    }
    x->last = t;
    k++;
  }
  return join_run(j, err);
}

static int join_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  join_op *j = (join_op *)op;
  if (port != 0 && port != 1)
    return core_error_set(err, SLUICE_INTERNAL, "internal: a join has no input port %d", port);
  if (bound_ms <= j->s[port].bound) return SLUICE_OK;
  j->s[port].bound = bound_ms;
  return join_run(j, err);
}

static void join_free(exec_op *op) {
  join_op *j = (join_op *)op;
  for (int x = 0; x < 2; x++) {
    exec_ring_free(&j->s[x].q);
    free(j->s[x].keys);
    free(j->s[x].buckets);
  }
  core_batch_free(j->out);
  core_batch_free(j->cand);
  free(j->cands.v);
  free(j);
}

static int side_check(const exec_join_side *s, const char *which, core_error *err) {
  if (s->ncols < 0 || (s->ncols > 0 && !s->types))
    return core_error_set(err, SLUICE_INTERNAL, "internal: bad %s join input", which);
  if (!s->windowed) return SLUICE_OK;
  if (s->frame == EXEC_FRAME_RANGE && s->range_ms >= 0) return SLUICE_OK;
  if (s->frame == EXEC_FRAME_ROWS && s->rows >= 0) return SLUICE_OK;
  return core_error_set(err, SLUICE_UNSUPPORTED,
                        "the %s join window must be RANGE <interval> PRECEDING or ROWS <n> "
                        "PRECEDING",
                        which);
}

static int side_init(join_side *x, const exec_join_side *c, int nkeys, bool outer, int col0) {
  memset(x, 0, sizeof *x);
  x->bound = x->last = EXEC_NO_TIME;
  x->windowed = c->windowed;
  x->outer = outer;
  x->frame = c->frame;
  x->range_ms = c->range_ms;
  x->rows = c->rows;
  x->ncols = c->ncols;
  x->col0 = col0;
  if (exec_ring_init(&x->q, c->ncols, c->types)) return SLUICE_NOMEM;
  x->keys = malloc(sizeof(int) * (size_t)(nkeys + 1));
  if (!x->keys) return SLUICE_NOMEM;
  for (int k = 0; k < nkeys; k++) x->keys[k] = c->keys[k];
  if (nkeys > 0 && x->windowed) return side_rehash(x, BUCKETS_INITIAL);
  return SLUICE_OK;
}

exec_op *exec_join_new(exec_ctx *ctx, const exec_join_config *c, core_error *err) {
  bool lo = false, ro = false;
  switch (c->kind) {
    case PARSE_JOIN_INNER:
    case PARSE_JOIN_CROSS:
    case PARSE_JOIN_COMMA:
      break;
    case PARSE_JOIN_LEFT:
      lo = true;
      break;
    case PARSE_JOIN_RIGHT:
      ro = true;
      break;
    case PARSE_JOIN_FULL:
      lo = ro = true;
      break;
    default:
      core_error_set(err, SLUICE_INTERNAL, "internal: join kind %d", c->kind);
      return NULL;
  }
  if (side_check(&c->left, "left", err) || side_check(&c->right, "right", err)) return NULL;
  if (!c->left.windowed && !c->right.windowed) {
    core_error_set(err, SLUICE_INVALID,
                   "a stream-to-stream join needs a window (OVER) on at least one side");
    return NULL;
  }
  if (c->nkeys < 0 || check_keys(&c->left, &c->right, c->nkeys, err)) {
    if (c->nkeys < 0) core_error_set(err, SLUICE_INTERNAL, "internal: join with %d keys", c->nkeys);
    return NULL;
  }
  join_op *j = calloc(1, sizeof *j);
  if (!j) {
    nomem(err);
    return NULL;
  }
  j->op = (exec_op){
      .name = "join", .push = join_push, .bound = join_bound, .free = join_free, .ctx = ctx};
  j->kind = c->kind;
  j->nkeys = c->nkeys;
  j->residual = c->residual;
  j->bound_out = EXEC_NO_TIME;
  int rc = side_init(&j->s[0], &c->left, c->nkeys, lo, 0);
  if (!rc) rc = side_init(&j->s[1], &c->right, c->nkeys, ro, c->left.ncols);
  j->out = new_output(&c->left, &c->right);
  if (c->residual) j->cand = new_output(&c->left, &c->right);
  if (rc || !j->out || (c->residual && !j->cand)) {
    join_free(&j->op);
    nomem(err);
    return NULL;
  }
  return &j->op;
}

/* ================================================= stream-table join == */

/*
 * The table's rows are copied once into a rowbuf (slot i = table row i) with a hash index
 * on the key columns: buckets hold slot + 1 (0 = empty) and link[] the next slot of the
 * chain + 1, chains in table order. A stream row's keys are read from its batch into
 * scratch cells, hashed the same way, and compared with the chain's rows.
 */
typedef struct lookup_op {
  exec_op op;
  bool left; /* LEFT JOIN: unmatched stream rows are null-extended */
  int nkeys, ns, nt;
  int *skeys, *tkeys;
  char *krepr;       /* [nkeys] */
  exec_cell *kcells; /* [nkeys] scratch: the stream row's key values */
  exec_rowbuf table; /* slot i = table row i */
  uint32_t nrows;
  uint32_t *buckets; /* first slot + 1 of each chain, 0 = empty */
  uint32_t nbuckets; /* a power of two */
  exec_expr *residual;
  core_batch *out, *cand;
  seqs cands;
} lookup_op;

static int lookup_index(lookup_op *l) {
  uint32_t nb = 16;
  while (nb < l->nrows * 2) nb *= 2;
  l->buckets = calloc(nb, sizeof *l->buckets);
  if (!l->buckets) return SLUICE_NOMEM;
  l->nbuckets = nb;
  /* insert from the last row so that each chain lists its rows in table order */
  for (uint32_t i = l->nrows; i-- > 0;) {
    bool has_null;
    uint64_t h = exec_rowbuf_key_hash(&l->table, i, l->tkeys, l->nkeys, &has_null);
    l->table.hash[i] = h;
    if (has_null) continue;
    uint32_t b = (uint32_t)(h & (nb - 1));
    l->table.link[i] = l->buckets[b];
    l->buckets[b] = i + 1;
  }
  return SLUICE_OK;
}

/* The table rows matching the stream row `row` of b on the keys, in table order. */
static int lookup_candidates(lookup_op *l, const core_batch *b, int row) {
  l->cands.n = 0;
  int rc;
  if (l->nkeys == 0) {
    for (uint32_t i = 0; i < l->nrows; i++)
      if ((rc = seqs_add(&l->cands, i))) return rc;
    return SLUICE_OK;
  }
  uint64_t h = KEY_SEED;
  for (int k = 0; k < l->nkeys; k++) {
    const core_vec *v = &b->cols[l->skeys[k]];
    if (v->null[row]) return SLUICE_OK; /* NULL = anything is unknown: no match */
    exec_cell_get(v, row, l->krepr[k], &l->kcells[k]);
    h = exec_cell_hash(l->krepr[k], &l->kcells[k], h);
  }
  for (uint32_t s = l->buckets[h & (l->nbuckets - 1)]; s; s = (uint32_t)l->table.link[s - 1]) {
    uint32_t i = s - 1;
    if (l->table.hash[i] != h) continue;
    bool eq = true;
    for (int k = 0; eq && k < l->nkeys; k++)
      eq = exec_cell_equal(l->krepr[k], &l->kcells[k], exec_rowbuf_cell(&l->table, i, l->tkeys[k]));
    if (eq && (rc = seqs_add(&l->cands, i))) return rc;
  }
  return SLUICE_OK;
}

/* Writes stream row `row` of b and table row i (or NULLs when i < 0) into row `to` of dst. */
static int lookup_put(lookup_op *l, core_batch *dst, int to, const core_batch *b, int row,
                      int64_t i) {
  for (int c = 0; c < l->ns; c++) {
    exec_cell cell = {0};
    const core_vec *v = &b->cols[c];
    char repr = core_type_repr(v->type.id);
    bool null = v->null[row] != 0;
    if (!null) exec_cell_get(v, row, repr, &cell);
    if (exec_cell_put(dst, c, to, repr, &cell, null)) return SLUICE_NOMEM;
  }
  if (i < 0)
    exec_put_nulls(dst, to, l->ns, l->nt);
  else if (exec_rowbuf_put(&l->table, (uint32_t)i, dst, to, l->ns))
    return SLUICE_NOMEM;
  dst->rowtime[to] = b->rowtime[row];
  return SLUICE_OK;
}

static int lookup_row(lookup_op *l, const core_batch *b, int row, core_error *err) {
  exec_op *op = &l->op;
  int rc = lookup_candidates(l, b, row);
  if (rc) return nomem(err);
  bool any = false;
  if (!l->residual) {
    for (size_t i = 0; i < l->cands.n; i++) {
      if ((rc = exec_out_room(op, l->out, err))) return rc;
      if (lookup_put(l, l->out, l->out->n, b, row, (int64_t)l->cands.v[i])) return nomem(err);
      l->out->n++;
      any = true;
    }
  } else {
    for (size_t i = 0; i < l->cands.n;) {
      core_batch *c = l->cand;
      core_batch_reset(c);
      for (; i < l->cands.n && c->n < c->cap; i++, c->n++)
        if (lookup_put(l, c, c->n, b, row, (int64_t)l->cands.v[i])) return nomem(err);
      if ((rc = exec_expr_filter(l->residual, op->ctx, c, err))) return rc;
      int live = core_batch_live(c);
      for (int k = 0; k < live; k++) {
        if ((rc = exec_out_room(op, l->out, err))) return rc;
        if (core_batch_copy_row(l->out, l->out->n, c, core_batch_row(c, k))) return nomem(err);
        l->out->n++;
        any = true;
      }
    }
  }
  if (any || !l->left) return SLUICE_OK;
  if ((rc = exec_out_room(op, l->out, err))) return rc;
  if (lookup_put(l, l->out, l->out->n, b, row, -1)) return nomem(err);
  l->out->n++;
  return SLUICE_OK;
}

static int lookup_push(exec_op *op, int port, core_batch *b, core_error *err) {
  lookup_op *l = (lookup_op *)op;
  (void)port;
  int live = core_batch_live(b);
  for (int k = 0; k < live; k++) {
    int rc = lookup_row(l, b, core_batch_row(b, k), err);
    if (rc) return rc;
  }
  return exec_flush(op, l->out, err);
}

static int lookup_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  lookup_op *l = (lookup_op *)op;
  (void)port;
  int rc = exec_flush(op, l->out, err);
  return rc ? rc : exec_emit_bound(op, bound_ms, err);
}

static void lookup_free(exec_op *op) {
  lookup_op *l = (lookup_op *)op;
  exec_rowbuf_free(&l->table);
  free(l->buckets);
  free(l->skeys);
  free(l->tkeys);
  free(l->krepr);
  free(l->kcells);
  core_batch_free(l->out);
  core_batch_free(l->cand);
  free(l->cands.v);
  free(l);
}

static int lookup_load(lookup_op *l, const core_batch *rows) {
  int live = core_batch_live(rows);
  if (exec_rowbuf_grow(&l->table, live > 0 ? (uint32_t)live : 1)) return SLUICE_NOMEM;
  for (int k = 0; k < live; k++)
    if (exec_rowbuf_store(&l->table, (uint32_t)k, rows, core_batch_row(rows, k)))
      return SLUICE_NOMEM;
  l->nrows = (uint32_t)live;
  return lookup_index(l);
}

exec_op *exec_lookup_new(exec_ctx *ctx, int kind, const exec_join_side *stream,
                         const exec_join_side *table, int nkeys, const core_batch *table_rows,
                         exec_expr *residual, core_error *err) {
  if (kind != PARSE_JOIN_INNER && kind != PARSE_JOIN_LEFT && kind != PARSE_JOIN_CROSS &&
      kind != PARSE_JOIN_COMMA) {
    core_error_set(err, SLUICE_UNSUPPORTED,
                   "a join of a stream with a reference table must be INNER or LEFT");
    return NULL;
  }
  if (stream->windowed || table->windowed) {
    core_error_set(err, SLUICE_UNSUPPORTED, "a reference table join takes no window (OVER)");
    return NULL;
  }
  if (nkeys < 0 || table_rows->ncols != table->ncols) {
    core_error_set(err, SLUICE_INTERNAL, "internal: reference table rows do not fit the join");
    return NULL;
  }
  if (check_keys(stream, table, nkeys, err)) return NULL;
  lookup_op *l = calloc(1, sizeof *l);
  if (!l) {
    nomem(err);
    return NULL;
  }
  l->op = (exec_op){.name = "lookup",
                    .push = lookup_push,
                    .bound = lookup_bound,
                    .free = lookup_free,
                    .ctx = ctx};
  l->left = kind == PARSE_JOIN_LEFT;
  l->nkeys = nkeys;
  l->ns = stream->ncols;
  l->nt = table->ncols;
  l->residual = residual;
  l->skeys = malloc(sizeof(int) * (size_t)(nkeys + 1));
  l->tkeys = malloc(sizeof(int) * (size_t)(nkeys + 1));
  l->krepr = malloc((size_t)nkeys + 1);
  l->kcells = malloc(sizeof(exec_cell) * (size_t)(nkeys + 1));
  int rc = exec_rowbuf_init(&l->table, table->ncols, table->types);
  if (!rc && l->skeys && l->tkeys && l->krepr && l->kcells) {
    for (int k = 0; k < nkeys; k++) {
      l->skeys[k] = stream->keys[k];
      l->tkeys[k] = table->keys[k];
      l->krepr[k] = core_type_repr(stream->types[stream->keys[k]].id);
    }
    rc = lookup_load(l, table_rows);
  } else {
    rc = SLUICE_NOMEM;
  }
  l->out = new_output(stream, table);
  if (residual) l->cand = new_output(stream, table);
  if (rc || !l->out || (residual && !l->cand)) {
    lookup_free(&l->op);
    nomem(err);
    return NULL;
  }
  return &l->op;
}

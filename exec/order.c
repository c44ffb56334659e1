/*
 * order.c — UNION ALL merges (exec_union_new) and streaming ORDER BY / T-sort
 * (exec_sort_new). Semantics in README.md "Joins and ordering".
 *
 * UNION ALL: each port's rows wait in a FIFO (exec_ring, join_int.h) until no
 * port can still send an earlier row: a waiting row goes out once every port
 * with nothing waiting has a bound (or a latest row) at or after its ROWTIME.
 * Rows of equal ROWTIME go out in arrival order. When nothing waits anywhere
 * and a whole batch is releasable, it is passed on as it is.
 *
 * Sort: rows are kept in slots of an exec_rowbuf with a binary heap of slots
 * ordered by the sort keys, then by arrival (so ties keep arrival order).
 *   - ORDER BY with a time-based leading key: the heap holds the current group
 *     (rows with equal leading key); it is released, sorted, when a row with a
 *     greater leading key arrives or when a bound's key (key_of_time) passes
 *     it. Released rows all get the ROWTIME of the group's latest row.
 *   - T-sort (rowtime_col >= 0): the heap holds rows by their timestamp key;
 *     the release point is max(largest key seen, input bound) - WITHIN; rows
 *     before it go out with ROWTIME = key (a row exactly at it is still within
 *     the interval and may still arrive, so it waits: this keeps the order of
 *     the further keys exact); a row whose key is before the release point is a
 *     LateRow error; a NULL key is discarded.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "exec/join_int.h"

static int nomem(core_error *err) {
  return core_error_set(err, SLUICE_NOMEM, "out of memory");
}

/* =========================================================== UNION ALL == */

typedef struct union_port {
  exec_ring q;
  int64_t bound, last; /* latest bound, ROWTIME of the latest row */
} union_port;

typedef struct union_op {
  exec_op op;
  int nports;
  union_port *ports;
  core_batch *out;
  uint64_t arrivals;
  int64_t bound_out;
} union_op;

static inline int64_t max64(int64_t a, int64_t b) {
  return a > b ? a : b;
}

static inline int64_t port_floor(const union_port *p) {
  return max64(p->last, p->bound);
}

/* The earliest ROWTIME the port can still deliver. */
static int64_t port_next(const union_port *p) {
  if (p->q.head < p->q.tail) return p->q.rb.rowtime[exec_ring_slot(&p->q, p->q.head)];
  return port_floor(p);
}

/* Releases waiting rows in ROWTIME (then arrival) order while no idle port could still send
 * an earlier one. */
static int union_release(union_op *u, core_error *err) {
  for (;;) {
    int best = -1;
    int64_t bt = 0;
    uint64_t ba = 0;
    for (int p = 0; p < u->nports; p++) {
      const exec_ring *q = &u->ports[p].q;
      if (q->head == q->tail) continue;
      uint32_t slot = exec_ring_slot(q, q->head);
      int64_t t = q->rb.rowtime[slot];
      uint64_t a = q->rb.order[slot];
      if (best < 0 || t < bt || (t == bt && a < ba)) {
        best = p;
        bt = t;
        ba = a;
      }
    }
    if (best < 0) return SLUICE_OK;
    for (int p = 0; p < u->nports; p++) {
      const union_port *x = &u->ports[p];
      if (x->q.head == x->q.tail && port_floor(x) < bt) return SLUICE_OK;
    }
    exec_ring *q = &u->ports[best].q;
    int rc = exec_out_room(&u->op, u->out, err);
    if (rc) return rc;
    if (exec_rowbuf_put(&q->rb, exec_ring_slot(q, q->head), u->out, u->out->n, 0))
      return nomem(err);
    u->out->rowtime[u->out->n++] = bt;
    exec_ring_pop(q);
  }
}

#ifndef NDEBUG
/* Walks the union's queues and aborts on a broken invariant (debug builds). */
static void union_verify(const union_op *u) {
  for (int p = 0; p < u->nports; p++) {
    const exec_ring *q = &u->ports[p].q;
    assert(q->head <= q->tail && q->tail - q->head <= q->rb.cap);
    for (uint64_t s = q->head; s + 1 < q->tail; s++)
      assert(q->rb.rowtime[exec_ring_slot(q, s)] <= q->rb.rowtime[exec_ring_slot(q, s + 1)]);
  }
}
#endif

static int union_progress(union_op *u, core_error *err) {
  int rc = union_release(u, err);
#ifndef NDEBUG
  union_verify(u);
#endif
  if (!rc) rc = exec_flush(&u->op, u->out, err);
  if (rc) return rc;
  int64_t b = INT64_MAX;
  for (int p = 0; p < u->nports; p++) {
    int64_t t = port_next(&u->ports[p]);
    if (t < b) b = t;
  }
  if (b == EXEC_NO_TIME || b <= u->bound_out) return SLUICE_OK;
  u->bound_out = b;
  return exec_emit_bound(&u->op, b, err);
}

/* True when b can go on untouched: nothing waits, its rows are in order, and no other port
 * can still send a row before its last one. */
static bool union_direct(const union_op *u, int port, const core_batch *b) {
  for (int p = 0; p < u->nports; p++)
    if (u->ports[p].q.head != u->ports[p].q.tail) return false;
  int live = core_batch_live(b);
  if (live == 0) return true;
  int64_t prev = port_floor(&u->ports[port]);
  for (int k = 0; k < live; k++) {
    int64_t t = b->rowtime[core_batch_row(b, k)];
    if (t < prev) return false;
    prev = t;
  }
  for (int p = 0; p < u->nports; p++)
    if (p != port && port_floor(&u->ports[p]) < prev) return false;
  return true;
}

static int union_push(exec_op *op, int port, core_batch *b, core_error *err) {
  union_op *u = (union_op *)op;
  if (port < 0 || port >= u->nports)
    return core_error_set(err, SLUICE_INTERNAL, "internal: a union has no input port %d", port);
  union_port *x = &u->ports[port];
  if (union_direct(u, port, b)) {
    int live = core_batch_live(b);
    if (live == 0) return SLUICE_OK;
    int rc = exec_flush(op, u->out, err);
    if (rc) return rc;
    x->last = b->rowtime[core_batch_row(b, live - 1)];
    u->arrivals += (uint64_t)live;
    if ((rc = exec_emit(op, b, err))) return rc;
    return union_progress(u, err);
  }
  char t1[CORE_TIMESTAMP_TEXT], t2[CORE_TIMESTAMP_TEXT];
  for (int k = 0; k < core_batch_live(b);) {
    int row = core_batch_row(b, k);
    int64_t t = b->rowtime[row], floor = port_floor(x);
    if (t < floor) {
      exec_row_error(op->ctx, b, row, "OutOfOrderRowtime",
                     "union input %d: ROWTIME %s is before %s, where the input already was", port,
                     exec_time_text(t, t1), exec_time_text(floor, t2));
      continue;
    }
    if (exec_ring_push(&x->q, b, row)) return nomem(err);
    x->q.rb.order[exec_ring_slot(&x->q, x->q.tail - 1)] = u->arrivals++;
    x->last = t;
    k++;
  }
  return union_progress(u, err);
}

static int union_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  union_op *u = (union_op *)op;
  if (port < 0 || port >= u->nports)
    return core_error_set(err, SLUICE_INTERNAL, "internal: a union has no input port %d", port);
  if (bound_ms <= u->ports[port].bound) return SLUICE_OK;
  u->ports[port].bound = bound_ms;
  return union_progress(u, err);
}

static void union_free(exec_op *op) {
  union_op *u = (union_op *)op;
  if (u->ports)
    for (int p = 0; p < u->nports; p++) exec_ring_free(&u->ports[p].q);
  free(u->ports);
  core_batch_free(u->out);
  free(u);
}

exec_op *exec_union_new(exec_ctx *ctx, int nports, int ncols, const core_type *types,
                        core_error *err) {
  if (nports < 1 || ncols < 0) {
    core_error_set(err, SLUICE_INTERNAL, "internal: a union of %d inputs", nports);
    return NULL;
  }
  union_op *u = calloc(1, sizeof *u);
  if (!u) {
    nomem(err);
    return NULL;
  }
  u->op = (exec_op){
      .name = "union", .push = union_push, .bound = union_bound, .free = union_free, .ctx = ctx};
  u->nports = nports;
  u->bound_out = EXEC_NO_TIME;
  u->ports = calloc((size_t)nports, sizeof *u->ports);
  u->out = core_batch_new(ncols, types, CORE_BATCH_CAP);
  bool ok = u->ports && u->out;
  for (int p = 0; ok && p < nports; p++) {
    u->ports[p].bound = u->ports[p].last = EXEC_NO_TIME;
    ok = exec_ring_init(&u->ports[p].q, ncols, types) == SLUICE_OK;
  }
  if (!ok) {
    union_free(&u->op);
    nomem(err);
    return NULL;
  }
  return &u->op;
}

/* ================================================================ sort == */

typedef int (*key_of_time_fn)(void *arg, int64_t t, core_value *out);

typedef struct sort_op {
  exec_op op;
  int nkeys;
  exec_sort_key *keys;
  char *krepr; /* [nkeys] */
  bool tsort;
  int64_t within;
  int rtcol;
  exec_rowbuf rows;
  uint32_t *free_slots, nfree;
  uint32_t *heap, nheap;
  uint64_t arrivals;
  int64_t in_bound, in_last;
  /* ORDER BY: the open group, and the leading key of the last released one */
  bool open;
  uint32_t gslot; /* a row of the open group */
  int64_t gmax;   /* ROWTIME of the group's latest row (never decreases) */
  bool released, rel_null;
  exec_cell rel_key;
  char *rel_buf; /* string bytes of rel_key */
  size_t rel_cap;
  key_of_time_fn key_of_time;
  void *kot_arg;
  /* T-sort */
  int64_t maxkey, wm;
  core_batch *out;
  int64_t bound_out;
} sort_op;

/* Sort order of two stored rows: keys (NULL above every value, so first under DESC), then
 * arrival. */
static bool sort_less(const sort_op *s, uint32_t a, uint32_t b) {
  const exec_rowbuf *rb = &s->rows;
  for (int k = 0; k < s->nkeys; k++) {
    int col = s->keys[k].col;
    bool na = exec_rowbuf_isnull(rb, a, col), nb = exec_rowbuf_isnull(rb, b, col);
    int c = (na || nb) ? (int)na - (int)nb
                       : exec_cell_compare(s->krepr[k], exec_rowbuf_cell(rb, a, col),
                                           exec_rowbuf_cell(rb, b, col));
    if (c) return s->keys[k].desc ? c > 0 : c < 0;
  }
  return rb->order[a] < rb->order[b];
}

static void heap_push(sort_op *s, uint32_t slot) {
  uint32_t i = s->nheap++;
  while (i > 0) {
    uint32_t up = (i - 1) / 2;
    if (!sort_less(s, slot, s->heap[up])) break;
    s->heap[i] = s->heap[up];
    i = up;
  }
  s->heap[i] = slot;
}

static uint32_t heap_pop(sort_op *s) {
  uint32_t top = s->heap[0], last = s->heap[--s->nheap], i = 0;
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= s->nheap) break;
    if (c + 1 < s->nheap && sort_less(s, s->heap[c + 1], s->heap[c])) c++;
    if (!sort_less(s, s->heap[c], last)) break;
    s->heap[i] = s->heap[c];
    i = c;
  }
  if (s->nheap > 0) s->heap[i] = last;
  return top;
}

/* A free slot, growing the store when there is none. */
static int sort_slot(sort_op *s, uint32_t *slot) {
  if (s->nfree == 0) {
    uint32_t old = s->rows.cap, cap = old ? old * 2 : 64;
    uint32_t *f = realloc(s->free_slots, sizeof *f * cap);
    if (f) s->free_slots = f;
    uint32_t *h = realloc(s->heap, sizeof *h * cap);
    if (h) s->heap = h;
    if (!f || !h || exec_rowbuf_grow(&s->rows, cap)) return SLUICE_NOMEM;
    for (uint32_t i = cap; i-- > old;) s->free_slots[s->nfree++] = i;
  }
  *slot = s->free_slots[--s->nfree];
  return SLUICE_OK;
}

static int sort_add(sort_op *s, const core_batch *b, int row, uint32_t *slot) {
  if (sort_slot(s, slot)) return SLUICE_NOMEM;
  if (exec_rowbuf_store(&s->rows, *slot, b, row)) {
    s->free_slots[s->nfree++] = *slot;
    return SLUICE_NOMEM;
  }
  s->rows.order[*slot] = s->arrivals++;
  heap_push(s, *slot);
  return SLUICE_OK;
}

/* Emits the heap's smallest row with ROWTIME t and frees its slot. */
static int sort_emit_top(sort_op *s, int64_t t, core_error *err) {
  int rc = exec_out_room(&s->op, s->out, err);
  if (rc) return rc;
  uint32_t slot = heap_pop(s);
  if (exec_rowbuf_put(&s->rows, slot, s->out, s->out->n, 0)) return nomem(err);
  s->out->rowtime[s->out->n++] = t;
  exec_rowbuf_release(&s->rows, slot);
  s->free_slots[s->nfree++] = slot;
  return SLUICE_OK;
}

#ifndef NDEBUG
/* Checks the heap order and the slot accounting; aborts when broken (debug builds). */
static void sort_verify(const sort_op *s) {
  assert(s->nheap + s->nfree == s->rows.cap);
  for (uint32_t i = 1; i < s->nheap; i++) assert(!sort_less(s, s->heap[i], s->heap[(i - 1) / 2]));
}
#endif

static int sort_emit_bound(sort_op *s, int64_t b, core_error *err) {
#ifndef NDEBUG
  sort_verify(s);
#endif
  int rc = exec_flush(&s->op, s->out, err);
  if (rc || b == EXEC_NO_TIME || b <= s->bound_out) return rc;
  s->bound_out = b;
  return exec_emit_bound(&s->op, b, err);
}

/* ---- ORDER BY with a time-based leading key ---- */

/* Compares a leading-key value (null or cell) with the leading key of stored row slot. */
static int lead_compare(const sort_op *s, bool null, const exec_cell *c, bool onull,
                        const exec_cell *o) {
  if (null || onull) return (int)null - (int)onull;
  return exec_cell_compare(s->krepr[0], c, o);
}

/* Releases the open group, sorted, and remembers its leading key. */
static int group_release(sort_op *s, core_error *err) {
  int lead = s->keys[0].col;
  s->rel_null = exec_rowbuf_isnull(&s->rows, s->gslot, lead);
  s->rel_key = *exec_rowbuf_cell(&s->rows, s->gslot, lead);
  if (!s->rel_null && s->krepr[0] == 's' && s->rel_key.s.n) {
    if (s->rel_cap < s->rel_key.s.n) {
      char *p = realloc(s->rel_buf, s->rel_key.s.n);
      if (!p) return nomem(err);
      s->rel_buf = p;
      s->rel_cap = s->rel_key.s.n;
    }
    memcpy(s->rel_buf, s->rel_key.s.p, s->rel_key.s.n);
    s->rel_key.s.p = s->rel_buf;
  }
  s->released = true;
  s->open = false;
  while (s->nheap > 0) {
    int rc = sort_emit_top(s, s->gmax, err);
    if (rc) return rc;
  }
  return SLUICE_OK;
}

static int order_row(sort_op *s, core_batch *b, int row, bool *late, core_error *err) {
  const core_vec *v = &b->cols[s->keys[0].col];
  bool null = v->null[row] != 0;
  exec_cell c = {0};
  if (!null) exec_cell_get(v, row, s->krepr[0], &c);
  *late = false;
  int rc;
  if (s->open) {
    int lead = s->keys[0].col;
    int cmp = lead_compare(s, null, &c, exec_rowbuf_isnull(&s->rows, s->gslot, lead),
                           exec_rowbuf_cell(&s->rows, s->gslot, lead));
    if (cmp < 0) {
      *late = true;
      return SLUICE_OK;
    }
    if (cmp > 0 && (rc = group_release(s, err))) return rc;
  } else if (s->released && lead_compare(s, null, &c, s->rel_null, &s->rel_key) < 0) {
    *late = true;
    return SLUICE_OK;
  }
  uint32_t slot;
  if (sort_add(s, b, row, &slot)) return nomem(err);
  if (!s->open) {
    s->open = true;
    s->gslot = slot;
  }
  s->gmax = max64(s->gmax, b->rowtime[row]);
  return SLUICE_OK;
}

/* The open group is complete when the key of the bound's time is past its leading key. */
static int order_bound(sort_op *s, core_error *err) {
  if (!s->open || !s->key_of_time) return SLUICE_OK;
  core_value v;
  int rc = s->key_of_time(s->kot_arg, s->in_bound, &v);
  if (rc) return core_error_set(err, rc, "the ORDER BY key of a rowtime bound failed");
  int lead = s->keys[0].col;
  exec_cell c = {0};
  switch (s->krepr[0]) {
    case 'd':
      c.d = v.u.d;
      break;
    case 'x':
      c.dec = v.u.dec;
      break;
    case 's':
      c.s = (core_str){v.u.s.p, v.u.s.n};
      break;
    default:
      c.i = v.type.id == CORE_T_BOOLEAN ? (int64_t)v.u.b : v.u.i;
  }
  if (lead_compare(s, v.is_null, &c, exec_rowbuf_isnull(&s->rows, s->gslot, lead),
                   exec_rowbuf_cell(&s->rows, s->gslot, lead)) > 0)
    return group_release(s, err);
  return SLUICE_OK;
}

static int64_t order_bound_out(const sort_op *s) {
  return s->open ? s->gmax : max64(s->in_bound, s->in_last);
}

/* ---- T-sort ---- */

static int tsort_release(sort_op *s, core_error *err) {
  int col = s->keys[0].col;
  while (s->nheap > 0) {
    int64_t k = exec_rowbuf_cell(&s->rows, s->heap[0], col)->i;
    if (k >= s->wm) break; /* a row at the release point itself may still come */
    int rc = sort_emit_top(s, k, err);
    if (rc) return rc;
  }
  return SLUICE_OK;
}

static void tsort_advance(sort_op *s, int64_t to) {
  if (to != EXEC_NO_TIME && to > s->wm) s->wm = to;
}

static int tsort_row(sort_op *s, core_batch *b, int row, bool *late, core_error *err) {
  const core_vec *v = &b->cols[s->keys[0].col];
  *late = false;
  if (v->null[row]) return SLUICE_OK; /* spec 1.12: rows whose key is NULL are discarded */
  int64_t k = v->u.i[row];
  if (s->wm != EXEC_NO_TIME && k < s->wm) {
    *late = true;
    return SLUICE_OK;
  }
  uint32_t slot;
  if (sort_add(s, b, row, &slot)) return nomem(err);
  if (s->maxkey == EXEC_NO_TIME || k > s->maxkey) s->maxkey = k;
  tsort_advance(s, exec_time_add(s->maxkey, -s->within));
  return tsort_release(s, err);
}

/* ---- the operator ---- */

static int sort_push(exec_op *op, int port, core_batch *b, core_error *err) {
  sort_op *s = (sort_op *)op;
  (void)port;
  char t1[CORE_TIMESTAMP_TEXT], t2[CORE_TIMESTAMP_TEXT];
  for (int k = 0; k < core_batch_live(b);) {
    int row = core_batch_row(b, k);
    bool late;
    int rc = s->tsort ? tsort_row(s, b, row, &late, err) : order_row(s, b, row, &late, err);
    if (rc) return rc;
    if (late) {
      if (s->tsort)
        exec_row_error(op->ctx, b, row, "LateRow",
                       "row is late: its t-sort key %s is before %s, the point already "
                       "released (within %lld ms)",
                       exec_time_text(b->cols[s->keys[0].col].u.i[row], t1),
                       exec_time_text(s->wm, t2), (long long)s->within);
      else
        exec_row_error(op->ctx, b, row, "LateRow",
                       "row is late: its leading order key is before rows already released");
      continue;
    }
    s->in_last = max64(s->in_last, b->rowtime[row]);
    k++;
  }
  return sort_emit_bound(s, s->tsort ? s->wm : order_bound_out(s), err);
}

static int sort_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  sort_op *s = (sort_op *)op;
  (void)port;
  if (bound_ms <= s->in_bound) return SLUICE_OK;
  s->in_bound = bound_ms;
  int rc;
  if (s->tsort) {
    tsort_advance(s, exec_time_add(bound_ms, -s->within));
    rc = tsort_release(s, err);
  } else {
    rc = order_bound(s, err);
  }
  if (rc) return rc;
  return sort_emit_bound(s, s->tsort ? s->wm : order_bound_out(s), err);
}

static void sort_free(exec_op *op) {
  sort_op *s = (sort_op *)op;
  exec_rowbuf_free(&s->rows);
  free(s->keys);
  free(s->krepr);
  free(s->free_slots);
  free(s->heap);
  free(s->rel_buf);
  core_batch_free(s->out);
  free(s);
}

static int sort_check(int ncols, const core_type *types, const exec_sort_key *keys, int nkeys,
                      int64_t within_ms, int rowtime_col, core_error *err) {
  if (nkeys < 1)
    return core_error_set(err, SLUICE_INTERNAL, "internal: a streaming sort without keys");
  for (int k = 0; k < nkeys; k++)
    if (keys[k].col < 0 || keys[k].col >= ncols)
      return core_error_set(err, SLUICE_INTERNAL, "internal: sort key %d is not a column", k);
  if (keys[0].desc)
    return core_error_set(err, SLUICE_UNSUPPORTED,
                          "the leading key of a streaming ORDER BY must be ascending");
  if (rowtime_col < 0) return SLUICE_OK;
  if (rowtime_col >= ncols || keys[0].col != rowtime_col ||
      types[rowtime_col].id != CORE_T_TIMESTAMP)
    return core_error_set(err, SLUICE_UNSUPPORTED,
                          "the leading key of ORDER BY ... WITHIN must be the TIMESTAMP "
                          "aliased AS ROWTIME");
  if (within_ms < 0)
    return core_error_set(err, SLUICE_INVALID, "the WITHIN interval must not be negative");
  return SLUICE_OK;
}

exec_op *exec_sort_new(exec_ctx *ctx, int ncols, const core_type *types, const exec_sort_key *keys,
                       int nkeys, int64_t within_ms, int rowtime_col, core_error *err) {
  if (sort_check(ncols, types, keys, nkeys, within_ms, rowtime_col, err)) return NULL;
  sort_op *s = calloc(1, sizeof *s);
  if (!s) {
    nomem(err);
    return NULL;
  }
  s->op = (exec_op){
      .name = "sort", .push = sort_push, .bound = sort_bound, .free = sort_free, .ctx = ctx};
  s->nkeys = nkeys;
  s->tsort = rowtime_col >= 0;
  s->within = within_ms;
  s->rtcol = rowtime_col;
  s->in_bound = s->in_last = s->gmax = EXEC_NO_TIME;
  s->maxkey = s->wm = s->bound_out = EXEC_NO_TIME;
  s->keys = malloc(sizeof *s->keys * (size_t)nkeys);
  s->krepr = malloc((size_t)nkeys);
  s->out = core_batch_new(ncols, types, CORE_BATCH_CAP);
  if (!s->keys || !s->krepr || !s->out || exec_rowbuf_init(&s->rows, ncols, types)) {
    sort_free(&s->op);
    nomem(err);
    return NULL;
  }
  for (int k = 0; k < nkeys; k++) {
    s->keys[k] = keys[k];
    s->krepr[k] = core_type_repr(types[keys[k].col].id);
  }
  return &s->op;
}

int exec_sort_set_key_of_time(exec_op *op,
                              int (*key_of_time)(void *arg, int64_t t, core_value *out),
                              void *arg) {
  if (!op || op->free != sort_free) return SLUICE_INVALID;
  sort_op *s = (sort_op *)op;
  s->key_of_time = key_of_time;
  s->kot_arg = arg;
  return SLUICE_OK;
}

int exec_key_of_time_rowtime(void *arg, int64_t t, core_value *out) {
  (void)arg;
  memset(out, 0, sizeof *out);
  out->type.id = CORE_T_TIMESTAMP;
  out->u.i = t;
  return SLUICE_OK;
}

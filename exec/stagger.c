/*
 * stagger.c — stagger windows (exec.h, spec 4.5).
 *
 * Each distinct key (the PARTITION BY values) gets its own window: it opens at
 * the ROWTIME of the first row with that key and covers [open, open +
 * range_ms). When a row or bound reaches open + range_ms the window closes
 * and one row is emitted: the keys, then the aggregates of the rows of that
 * key that arrived meanwhile, with ROWTIME = open + range_ms. The next row of
 * the key opens a new window.
 *
 * The key table maps a key to the id of its open window; the aggregates keep
 * grouped state by id (functions.h). The timer structure of DESIGN.md 5 is a
 * FIFO: every window has the same length and windows open in ROWTIME order,
 * so they also close in the order they opened (a heap would give the same
 * order at a higher price). Windows closing at the same instant come out in
 * the order they opened.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/window_int.h"

typedef struct stagger {
  exec_op op;
  int nkeys, naggs;
  int64_t range_ms;
  exec_agg *aggs; /* own copy */
  win_keys keys;
  win_aggs st;
  int64_t *open_at; /* [idcap] */
  uint32_t *fnext;  /* [idcap] FIFO of open windows */
  uint32_t fhead, ftail;
  uint32_t idcap;

  int scap;
  uint16_t *selc;
  uint64_t *hash;
  uint32_t *prow, *pgid;
  int npend;
  core_batch *out;
  uint8_t **bad;
  uint32_t ids[CORE_BATCH_CAP];
} stagger;

static int flush(stagger *s, const core_batch *b, core_error *err) {
  if (!s->npend) return SLUICE_OK;
  int rc = win_aggs_add(&s->st, b, s->prow, s->pgid, (size_t)s->npend, err);
  s->npend = 0;
  return rc;
}

/* Emits and releases every window that closes at or before t, in FIFO order. */
static int close_until(stagger *s, int64_t t, core_error *err) {
  int rc = SLUICE_OK;
  while (s->fhead != WIN_NONE && s->open_at[s->fhead] + s->range_ms <= t) {
    core_batch *out = s->out;
    core_batch_reset(out);
    int n = 0;
    while (n < out->cap && s->fhead != WIN_NONE && s->open_at[s->fhead] + s->range_ms <= t) {
      uint32_t id = s->fhead;
      s->fhead = s->fnext[id];
      out->rowtime[n] = s->open_at[id] + s->range_ms;
      s->ids[n++] = id;
    }
    if (s->fhead == WIN_NONE) s->ftail = WIN_NONE;
    for (int j = 0; j < s->nkeys; j++)
      for (int i = 0; i < n; i++) win_keys_put(&s->keys, s->ids[i], j, &out->cols[j], i);
    for (int a = 0; a < s->naggs && !rc; a++)
      if (fn_agg_groups_result(s->st.g[a], s->ids, (size_t)n, &out->cols[s->nkeys + a], 0,
                               s->bad[a], out->heap))
        rc = core_error_set(err, SLUICE_NOMEM, "out of memory");
    out->n = n;
    if (!rc) {
      win_report_bad(s->op.ctx, out, &s->st, s->bad);
      if (core_batch_live(out) > 0) rc = exec_emit(&s->op, out, err);
    }
    /* after the emit: output key strings point into the key table */
    win_aggs_clear(&s->st, s->ids, (size_t)n);
    for (int i = 0; i < n; i++) win_keys_remove(&s->keys, s->ids[i]);
    if (rc) return rc;
  }
  return SLUICE_OK;
}

static int ensure_scratch(stagger *s, int n, core_error *err) {
  if (n <= s->scap) return SLUICE_OK;
  int ok = 1;
#define RE(p)                                                                                      \
  do {                                                                                             \
    void *q_ = realloc((p), sizeof *(p) * (size_t)n);                                              \
    if (q_)                                                                                        \
      (p) = q_;                                                                                    \
    else                                                                                           \
      ok = 0;                                                                                      \
  } while (0)
  RE(s->selc);
  RE(s->hash);
  RE(s->prow);
  RE(s->pgid);
#undef RE
  if (!ok) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  s->scap = n;
  return SLUICE_OK;
}

static int grow_ids(stagger *s, core_error *err) {
  uint32_t cap = s->keys.cap;
  if (cap > s->idcap) {
    int64_t *o = realloc(s->open_at, sizeof *o * cap);
    if (o) s->open_at = o;
    uint32_t *f = realloc(s->fnext, sizeof *f * cap);
    if (f) s->fnext = f;
    if (!o || !f) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    s->idcap = cap;
  }
  return win_aggs_reserve(&s->st, cap, err);
}

static int stagger_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  stagger *s = (stagger *)op;
  int live = core_batch_live(b);
  if (live == 0) return SLUICE_OK;
  int rc = ensure_scratch(s, live, err);
  if (rc) return rc;
  const uint16_t *rows = NULL;
  if (b->sel) {
    memcpy(s->selc, b->sel, sizeof *s->selc * (size_t)live);
    rows = s->selc;
  }
  win_keys_hash(&s->keys, b, rows, live, s->hash);
  for (int k = 0; k < live; k++) s->hash[k] = win_keys_mix(s->hash[k], 0);
  s->npend = 0;
  for (int k = 0; k < live; k++) {
    if (k + 8 < live) win_keys_prefetch(&s->keys, s->hash[k + 8]);
    int r = rows ? rows[k] : k;
    int64_t rt = b->rowtime[r];
    if (s->fhead != WIN_NONE && s->open_at[s->fhead] + s->range_ms <= rt) {
      if ((rc = flush(s, b, err)) || (rc = close_until(s, rt, err))) return rc;
    }
    uint32_t id;
    bool added;
    if (win_keys_find(&s->keys, b, r, s->hash[k], 0, &id, &added))
      return core_error_set(err, SLUICE_NOMEM, "out of memory");
    if (added) {
      if (s->keys.cap > s->idcap && (rc = grow_ids(s, err))) return rc;
      s->open_at[id] = rt;
      s->fnext[id] = WIN_NONE;
      if (s->ftail == WIN_NONE)
        s->fhead = id;
      else
        s->fnext[s->ftail] = id;
      s->ftail = id;
    }
    s->prow[s->npend] = (uint32_t)r;
    s->pgid[s->npend++] = id;
  }
  return flush(s, b, err);
}

static int stagger_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  stagger *s = (stagger *)op;
  int rc = close_until(s, bound_ms, err);
  if (rc) return rc;
  return exec_emit_bound(op, bound_ms, err);
}

static void stagger_free(exec_op *op) {
  stagger *s = (stagger *)op;
  win_keys_free(&s->keys);
  win_aggs_free(&s->st);
  free(s->open_at);
  free(s->fnext);
  free(s->selc);
  free(s->hash);
  free(s->prow);
  free(s->pgid);
  core_batch_free(s->out);
  if (s->bad)
    for (int a = 0; a < s->naggs; a++) free(s->bad[a]);
  free(s->bad);
  free(s->aggs);
  free(s);
}

exec_op *exec_stagger_new(exec_ctx *ctx, const exec_stagger_config *c, core_error *err) {
  if (c->range_ms <= 0) {
    core_error_set(err, SLUICE_INVALID, "a STAGGER window needs a positive range");
    return NULL;
  }
  for (int j = 0; j < c->nkeys; j++)
    if (c->keys[j] < 0 || c->keys[j] >= c->ninput) {
      core_error_set(err, SLUICE_INTERNAL, "internal: partition column %d of %d", c->keys[j],
                     c->ninput);
      return NULL;
    }
  stagger *s = calloc(1, sizeof *s);
  if (!s) {
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    return NULL;
  }
  s->op.name = "stagger";
  s->op.push = stagger_push;
  s->op.bound = stagger_bound;
  s->op.free = stagger_free;
  s->op.ctx = ctx;
  s->nkeys = c->nkeys;
  s->naggs = c->naggs;
  s->range_ms = c->range_ms;
  s->fhead = s->ftail = WIN_NONE;
  s->aggs = calloc((size_t)(c->naggs + 1), sizeof *s->aggs);
  s->bad = calloc((size_t)(c->naggs + 1), sizeof *s->bad);
  core_type *types = calloc((size_t)(c->nkeys + c->naggs + 1), sizeof *types);
  int rc = (!s->aggs || !s->bad || !types) ? core_error_set(err, SLUICE_NOMEM, "out of memory")
                                           : SLUICE_OK;
  if (!rc) {
    if (c->naggs) memcpy(s->aggs, c->aggs, sizeof *s->aggs * (size_t)c->naggs);
    for (int j = 0; j < c->nkeys; j++) types[j] = c->input_types[c->keys[j]];
    for (int a = 0; a < c->naggs; a++) types[c->nkeys + a] = c->aggs[a].type;
    rc = win_keys_init(&s->keys, c->nkeys, c->keys, c->input_types, err);
  }
  if (!rc) rc = win_aggs_init(&s->st, s->aggs, c->naggs, c->input_types, c->ninput, false, err);
  if (!rc && !(s->out = core_batch_new(c->nkeys + c->naggs, types, CORE_BATCH_CAP)))
    rc = core_error_set(err, SLUICE_NOMEM, "out of memory");
  for (int a = 0; a < c->naggs && !rc; a++)
    if (!(s->bad[a] = calloc(CORE_BATCH_CAP, 1)))
      rc = core_error_set(err, SLUICE_NOMEM, "out of memory");
  free(types);
  if (rc) {
    stagger_free(&s->op);
    return NULL;
  }
  return &s->op;
}

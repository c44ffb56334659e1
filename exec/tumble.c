/*
 * tumble.c — tumbling GROUP BY windows (exec.h, spec 1.10, 4.1; DESIGN.md 4, 5).
 *
 * Hash aggregation of the open window(s). One key table maps (window, other
 * keys) to a dense group id; each aggregate keeps its states in arrays indexed
 * by that id (functions.h, grouped state). A batch is processed in one pass
 * that assigns every live row its group id and collects (row, id) pairs; the
 * pairs are applied to each aggregate with one vectorized call. The pass stops
 * to apply what it has collected only when a window must close in the middle
 * of a batch.
 *
 * The time key (config time_key) identifies the window: its value is the
 * window's start, and it is not stored per group. Three ways to close windows:
 *
 *   ROWTIME    window_ms / window_months > 0, time key = STEP/FLOOR(s.ROWTIME):
 *              [start, end) closes when a row or bound reaches end; its rows get
 *              ROWTIME = end. Rows arrive in ROWTIME order, so normally one
 *              window is open.
 *   general    both 0: the monotonic key's group closes when a row with another
 *              key value arrives, or a bound whose key_of_time() differs; the
 *              rows get the ROWTIME of that row or bound.
 *   event      event_time: the time key is STEP/FLOOR of an event timestamp.
 *              With the event timestamp itself (event_col): watermark = the
 *              largest event time seen - lateness_ms, and windows ending at or
 *              below it close (DESIGN.md 4). Without: watermark = the largest
 *              window end seen - lateness_ms, and windows ending below it close.
 *              Rows for closed windows are LateRow errors. [IMPL] The rows get
 *              the ROWTIME of the row that moved the
 *              watermark (the instant the window became complete in processing
 *              time): ROWTIME is processing time, so an event-time window end
 *              could lie below a bound already passed downstream. Bounds do not
 *              move the watermark.
 *
 * Groups of a window are emitted in order of first appearance, in batches of
 * at most CORE_BATCH_CAP rows; then their ids and key strings are released.
 * Output ROWTIMEs never decrease (an odd time key whose window ends before
 * rows already seen is clamped to the last output ROWTIME).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/window_int.h"

enum { TB_RING = 32, TB_AHEAD = 16, TB_NEAR = 8 }; /* TB_RING: a power of two > TB_AHEAD */

typedef enum tb_mode { TB_ROWTIME, TB_GENERAL, TB_EVENT } tb_mode;

typedef struct tb_window {
  core_value start;     /* the time key's value */
  int64_t end;          /* ROWTIME and event modes */
  uint64_t tag;         /* distinguishes the window's groups in the key table */
  uint32_t first, last; /* its groups in order of first appearance, linked by next[] */
  struct tb_window *next;
} tb_window;

typedef struct tumble {
  exec_op op;
  int report_cols; /* exec_tumble_config.report_cols */
  tb_mode mode;
  int nkeys, time_key, time_col;
  char time_repr;
  int64_t window_ms;
  int32_t window_months;
  int64_t lateness_ms;
  int event_col; /* event mode: the event TIMESTAMP column, or -1 (window ends stand for it) */
  int (*key_of_time)(void *arg, int64_t t, core_value *out);
  void *key_arg;
  exec_agg *aggs; /* own copy */
  int naggs;
  int *key_slot; /* key index -> index in the key table, -1 for the time key */

  win_keys keys;
  win_aggs st;
  uint32_t *next; /* [idcap] next group of the same window */
  uint32_t idcap;

  tb_window *open;  /* sorted by end (event mode); one window otherwise */
  tb_window *cache; /* the window of the previous row */
  uint64_t tags;
  int64_t last_out; /* ROWTIME of the last output row */
  bool have_wm;
  int64_t watermark; /* event mode */

  /* scratch for one batch */
  int scap;
  uint64_t *hash;
  uint32_t *prow, *pgid;
  uint16_t *selc;
  int npend;
  core_batch *out;
  uint8_t **bad; /* [naggs][CORE_BATCH_CAP] */
  uint32_t ids[CORE_BATCH_CAP];
  /* the full hashes of the rows ahead (ring indexed by row & (TB_RING - 1)), computed once
   * with a guessed window tag (the tag too): for the prefetches and then the lookup */
  uint64_t ahead_hash[TB_RING], ahead_tag[TB_RING];
} tumble;

/* ------------------------------------------------------------- windows -- */

static bool same_start(const tb_window *w, const core_vec *v, int r, char repr) {
  if (v->null[r] || w->start.is_null) return v->null[r] && w->start.is_null;
  switch (repr) {
    case 'd':
      return w->start.u.d == v->u.d[r];
    case 'x':
      return w->start.u.dec == v->u.dec[r];
    default:
      return w->start.u.i == v->u.i[r];
  }
}

static bool same_value(const tb_window *w, const core_value *v, char repr) {
  if (v->is_null || w->start.is_null) return v->is_null && w->start.is_null;
  switch (repr) {
    case 'd':
      return w->start.u.d == v->u.d;
    case 'x':
      return w->start.u.dec == v->u.dec;
    default:
      return w->start.u.i == v->u.i;
  }
}

static int64_t end_of(const tumble *t, int64_t start) {
  if (t->window_months) return win_add_months(start, t->window_months);
  return start + t->window_ms;
}

/* A new window for the time key value in row r of v, linked in the open list by end. */
static tb_window *open_window(tumble *t, const core_vec *v, int r) {
  tb_window *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  core_vec_get(v, r, &w->start);
  w->end = t->mode == TB_GENERAL ? 0 : end_of(t, w->start.u.i);
  w->tag = ++t->tags;
  w->first = w->last = WIN_NONE;
  tb_window **p = &t->open;
  while (*p && (*p)->end <= w->end) p = &(*p)->next;
  w->next = *p;
  *p = w;
  return w;
}

/* The open window of the time key in row r, or NULL. */
static tb_window *find_window(tumble *t, const core_vec *v, int r) {
  if (t->cache && same_start(t->cache, v, r, t->time_repr)) return t->cache;
  for (tb_window *w = t->open; w; w = w->next)
    if (same_start(w, v, r, t->time_repr)) return t->cache = w;
  return NULL;
}

/* Applies the collected (row, group) pairs to every aggregate. */
static int flush(tumble *t, const core_batch *b, core_error *err) {
  if (!t->npend) return SLUICE_OK;
  int rc = win_aggs_add(&t->st, b, t->prow, t->pgid, (size_t)t->npend, err);
  t->npend = 0;
  return rc;
}

/* Emits the groups of w with ROWTIME rowtime, releases them and frees w. */
static int close_window(tumble *t, tb_window *w, int64_t rowtime, core_error *err) {
  if (rowtime < t->last_out) rowtime = t->last_out;
  t->last_out = rowtime;
  tb_window **p = &t->open;
  while (*p != w) p = &(*p)->next;
  *p = w->next;
  if (t->cache == w) t->cache = NULL;

  core_batch *out = t->out;
  uint32_t g = w->first;
  int rc = SLUICE_OK;
  while (g != WIN_NONE && !rc) {
    core_batch_reset(out);
    int n = 0;
    for (; g != WIN_NONE && n < out->cap; g = t->next[g]) t->ids[n++] = g;
    for (int j = 0; j < t->nkeys; j++) {
      core_vec *v = &out->cols[j];
      if (t->key_slot[j] < 0) {
        for (int i = 0; i < n; i++) {
          v->null[i] = w->start.is_null;
          if (t->time_repr == 'd')
            v->u.d[i] = w->start.u.d;
          else if (t->time_repr == 'x')
            v->u.dec[i] = w->start.u.dec;
          else
            v->u.i[i] = w->start.u.i;
        }
      } else {
        for (int i = 0; i < n; i++) win_keys_put(&t->keys, t->ids[i], t->key_slot[j], v, i);
      }
    }
    for (int a = 0; a < t->naggs && !rc; a++)
      if (fn_agg_groups_result(t->st.g[a], t->ids, (size_t)n, &out->cols[t->nkeys + a], 0,
                               t->bad[a], out->heap))
        rc = core_error_set(err, SLUICE_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) out->rowtime[i] = rowtime;
    out->n = n;
    if (!rc) {
      win_report_bad(t->op.ctx, out, &t->st, t->bad);
      if (core_batch_live(out) > 0) rc = exec_emit(&t->op, out, err);
    }
    /* released after the emit: the output's key strings point into the key table */
    win_aggs_clear(&t->st, t->ids, (size_t)n);
    for (int i = 0; i < n; i++) win_keys_remove(&t->keys, t->ids[i]);
  }
  /* on failure, release what was not emitted */
  while (g != WIN_NONE) {
    uint32_t nx = t->next[g];
    win_aggs_clear(&t->st, &g, 1);
    win_keys_remove(&t->keys, g);
    g = nx;
  }
  free(w);
  return rc;
}

/* Closes every open window whose end is <= limit (ROWTIME mode) or < limit (event mode),
 * in order of end, with ROWTIME = end (ROWTIME mode) or `rowtime`. */
static int close_until(tumble *t, int64_t limit, bool strict, int64_t rowtime, core_error *err) {
  while (t->open && (strict ? t->open->end < limit : t->open->end <= limit)) {
    tb_window *w = t->open;
    int rc = close_window(t, w, t->mode == TB_ROWTIME ? w->end : rowtime, err);
    if (rc) return rc;
  }
  return SLUICE_OK;
}

/* --------------------------------------------------------------- groups -- */

static int grow_groups(tumble *t, core_error *err) {
  uint32_t cap = t->keys.cap;
  if (cap > t->idcap) {
    uint32_t *n = realloc(t->next, sizeof *n * cap);
    if (!n) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    t->next = n;
    t->idcap = cap;
  }
  return win_aggs_reserve(&t->st, cap, err);
}

/* The group of row r (full hash hh, with w's tag) in window w, added at the end of w's list
 * when new. */
static int group_of(tumble *t, tb_window *w, const core_batch *b, int r, uint64_t hh, uint32_t *id,
                    core_error *err) {
  bool added;
  if (win_keys_find(&t->keys, b, r, hh, w->tag, id, &added))
    return core_error_set(err, SLUICE_NOMEM, "out of memory");
  if (!added) return SLUICE_OK;
  if (t->keys.cap > t->idcap) {
    int rc = grow_groups(t, err);
    if (rc) return rc;
  }
  t->next[*id] = WIN_NONE;
  if (w->last == WIN_NONE)
    w->first = *id;
  else
    t->next[w->last] = *id;
  w->last = *id;
  return SLUICE_OK;
}

/* ---------------------------------------------------------------- push -- */

static int ensure_scratch(tumble *t, int n, core_error *err) {
  if (n <= t->scap) return SLUICE_OK;
  uint64_t *h = realloc(t->hash, sizeof *h * (size_t)n);
  if (h) t->hash = h;
  uint32_t *pr = realloc(t->prow, sizeof *pr * (size_t)n);
  if (pr) t->prow = pr;
  uint32_t *pg = realloc(t->pgid, sizeof *pg * (size_t)n);
  if (pg) t->pgid = pg;
  uint16_t *sc = realloc(t->selc, sizeof *sc * (size_t)n);
  if (sc) t->selc = sc;
  if (!h || !pr || !pg || !sc) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  t->scap = n;
  return SLUICE_OK;
}

/* Reports row r as failed, as the pump's row when only the first report_cols columns are
 * its own (the rest are keys and arguments the builder computed). */
static void report(tumble *t, core_batch *b, int r, const char *name, const char *message) {
  int saved = b->ncols;
  if (t->report_cols > 0 && t->report_cols < saved) b->ncols = t->report_cols;
  exec_row_error(t->op.ctx, b, r, name, "%s", message);
  b->ncols = saved;
}

/* Event mode with the event column: row r is late when its window (end) has closed, i.e.
 * the watermark reached its end; otherwise the row's event time may move the watermark,
 * closing the windows that end at or below it. Returns 1 when the row is late. */
static int event_check_col(tumble *t, core_batch *b, int r, int64_t end, core_error *err, int *rc) {
  *rc = SLUICE_OK;
  if (t->have_wm && end <= t->watermark) {
    char e[CORE_TIMESTAMP_TEXT], m[CORE_TIMESTAMP_TEXT];
    core_timestamp_format(end, e);
    core_timestamp_format(t->watermark, m);
    char msg[160];
    snprintf(msg, sizeof msg, "event-time window ending %s has closed (watermark %s)", e, m);
    report(t, b, r, "LateRow", msg);
    return 1;
  }
  const core_vec *ev = &b->cols[t->event_col];
  if (ev->null[r]) return 0;
  int64_t wm = ev->u.i[r] - t->lateness_ms;
  if (!t->have_wm || wm > t->watermark) {
    if ((*rc = flush(t, b, err))) return 0;
    t->have_wm = true;
    t->watermark = wm;
    *rc = close_until(t, wm, false, b->rowtime[r], err);
  }
  return 0;
}

/* Event mode: checks row r's window against the watermark and moves the watermark.
 * Returns 1 when the row is late (reported), 0 to keep it. */
static int event_check(tumble *t, core_batch *b, int r, int64_t end, core_error *err, int *rc) {
  *rc = SLUICE_OK;
  if (t->have_wm && end < t->watermark) {
    char e[CORE_TIMESTAMP_TEXT], m[CORE_TIMESTAMP_TEXT];
    core_timestamp_format(end, e);
    core_timestamp_format(t->watermark, m);
    char msg[160];
    snprintf(msg, sizeof msg, "event-time window ending %s has closed (watermark %s)", e, m);
    report(t, b, r, "LateRow", msg);
    return 1;
  }
  int64_t wm = end - t->lateness_ms;
  if (!t->have_wm || wm > t->watermark) {
    if ((*rc = flush(t, b, err))) return 0;
    t->have_wm = true;
    t->watermark = wm;
    *rc = close_until(t, wm, true, b->rowtime[r], err);
  }
  return 0;
}

/* Row k of the batch will likely fall in the window of the row before: computes its full
 * hash with that window's tag and starts loading its key table slot. */
static void stage_ahead(tumble *t, int k) {
  /* no window yet: the next one opened gets tag tags + 1 */
  uint64_t tag = t->cache ? t->cache->tag : t->tags + 1;
  uint64_t hh = win_keys_mix(t->hash[k], tag);
  t->ahead_hash[k & (TB_RING - 1)] = hh;
  t->ahead_tag[k & (TB_RING - 1)] = tag;
  win_keys_prefetch(&t->keys, hh);
}

static int tumble_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  tumble *t = (tumble *)op;
  int live = core_batch_live(b);
  if (live == 0) return SLUICE_OK;
  int rc = ensure_scratch(t, live, err);
  if (rc) return rc;
  /* the rows are walked from a copy of the selection: late rows are deselected */
  uint16_t *rows = NULL;
  if (b->sel) {
    memcpy(t->selc, b->sel, sizeof *t->selc * (size_t)live);
    rows = t->selc;
  }
  win_keys_hash(&t->keys, b, rows, live, t->hash);
  const core_vec *tk = &b->cols[t->time_col];
  t->npend = 0;
  for (int k = 0; k < live && k < TB_AHEAD; k++) stage_ahead(t, k);
  for (int k = 0; k < live; k++) {
    /* the key table slot of the row TB_AHEAD ahead and, through its slot fetched so earlier,
     * the group record of the row TB_NEAR ahead: with many groups both are cache misses */
    if (k + TB_AHEAD < live) stage_ahead(t, k + TB_AHEAD);
    if (k + TB_NEAR < live)
      win_keys_prefetch_rec(&t->keys, t->ahead_hash[(k + TB_NEAR) & (TB_RING - 1)]);
    int r = rows ? rows[k] : k;
    int64_t rt = b->rowtime[r];
    tb_window *w;
    if (t->mode == TB_GENERAL) {
      w = t->open;
      if (w && !same_start(w, tk, r, t->time_repr)) {
        if ((rc = flush(t, b, err)) || (rc = close_window(t, w, rt, err))) return rc;
        w = NULL;
      }
    } else {
      if (tk->null[r]) {
        report(t, b, r, "FunctionError", "the window key is NULL: the row belongs to no window");
        continue;
      }
      if (t->mode == TB_ROWTIME && t->open && t->open->end <= rt) {
        if ((rc = flush(t, b, err)) || (rc = close_until(t, rt, false, 0, err))) return rc;
      }
      if (t->mode == TB_EVENT && t->event_col >= 0) {
        /* every row may move the watermark: its event time, not its window, counts */
        int late = event_check_col(t, b, r, end_of(t, tk->u.i[r]), err, &rc);
        if (rc) return rc;
        if (late) continue;
      }
      w = find_window(t, tk, r);
      if (!w && t->mode == TB_EVENT && t->event_col < 0) {
        int late = event_check(t, b, r, end_of(t, tk->u.i[r]), err, &rc);
        if (rc) return rc;
        if (late) continue;
      }
    }
    if (!w && !(w = t->cache = open_window(t, tk, r)))
      return core_error_set(err, SLUICE_NOMEM, "out of memory");
    uint32_t id;
    int slot = k & (TB_RING - 1); /* the hash staged for row k, when its guess was right */
    uint64_t hh =
        t->ahead_tag[slot] == w->tag ? t->ahead_hash[slot] : win_keys_mix(t->hash[k], w->tag);
    if ((rc = group_of(t, w, b, r, hh, &id, err))) return rc;
    t->prow[t->npend] = (uint32_t)r;
    t->pgid[t->npend++] = id;
  }
  return flush(t, b, err);
}

static int tumble_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  tumble *t = (tumble *)op;
  int rc = SLUICE_OK;
  if (t->mode == TB_ROWTIME) {
    rc = close_until(t, bound_ms, false, 0, err);
  } else if (t->mode == TB_GENERAL && t->open && t->key_of_time) {
    core_value v;
    rc = t->key_of_time(t->key_arg, bound_ms, &v);
    if (rc) return core_error_set(err, rc, "the window key of a bound could not be computed");
    if (!same_value(t->open, &v, t->time_repr)) rc = close_window(t, t->open, bound_ms, err);
  }
  if (rc) return rc;
  return exec_emit_bound(op, bound_ms, err);
}

static void tumble_free(exec_op *op) {
  tumble *t = (tumble *)op;
  while (t->open) {
    tb_window *w = t->open;
    t->open = w->next;
    free(w);
  }
  win_keys_free(&t->keys);
  win_aggs_free(&t->st);
  free(t->next);
  free(t->hash);
  free(t->prow);
  free(t->pgid);
  free(t->selc);
  core_batch_free(t->out);
  if (t->bad)
    for (int a = 0; a < t->naggs; a++) free(t->bad[a]);
  free(t->bad);
  free(t->aggs);
  free(t->key_slot);
  free(t);
}

/* --------------------------------------------------------- constructor -- */

static int check_config(const exec_tumble_config *c, core_error *err) {
  if (c->nkeys < 1 || c->time_key < 0 || c->time_key >= c->nkeys)
    return core_error_set(err, SLUICE_INTERNAL, "internal: tumbling window without a time key");
  for (int j = 0; j < c->nkeys; j++)
    if (c->keys[j] < 0 || c->keys[j] >= c->ninput)
      return core_error_set(err, SLUICE_INTERNAL, "internal: group key column %d of %d", c->keys[j],
                            c->ninput);
  core_type tt = c->input_types[c->keys[c->time_key]];
  char tr = core_type_repr((core_type_id)tt.id);
  bool timed = c->window_ms > 0 || c->window_months > 0;
  if (c->window_ms < 0 || c->window_months < 0 || (c->window_ms > 0 && c->window_months > 0))
    return core_error_set(err, SLUICE_INTERNAL, "internal: bad tumbling window length");
  if (timed && tr != 'i')
    return core_error_set(err, SLUICE_INTERNAL, "internal: a timed window key must be TIMESTAMP");
  if (!timed && c->event_time)
    return core_error_set(err, SLUICE_UNSUPPORTED,
                          "an event-time window needs a STEP or FLOOR window length");
  if (c->event_time && c->has_event_col &&
      (c->event_col < 0 || c->event_col >= c->ninput ||
       c->input_types[c->event_col].id != CORE_T_TIMESTAMP))
    return core_error_set(err, SLUICE_INTERNAL,
                          "internal: the event-time column is not a TIMESTAMP");
  if (tr == 's') {
    char t[64];
    core_type_format(tt, t, sizeof t);
    return core_error_set(err, SLUICE_UNSUPPORTED, "a %s monotonic GROUP BY key is not available",
                          t);
  }
  return SLUICE_OK;
}

exec_op *exec_tumble_new(exec_ctx *ctx, const exec_tumble_config *c, core_error *err) {
  if (check_config(c, err)) return NULL;
  tumble *t = calloc(1, sizeof *t);
  if (!t) {
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    return NULL;
  }
  t->op.name = "tumble";
  t->op.push = tumble_push;
  t->op.bound = tumble_bound;
  t->op.free = tumble_free;
  t->op.ctx = ctx;
  t->nkeys = c->nkeys;
  t->time_key = c->time_key;
  t->time_col = c->keys[c->time_key];
  t->time_repr = core_type_repr((core_type_id)c->input_types[t->time_col].id);
  t->window_ms = c->window_ms;
  t->window_months = c->window_months;
  t->lateness_ms = c->lateness_ms > 0 ? c->lateness_ms : 0;
  t->event_col = c->event_time && c->has_event_col ? c->event_col : -1;
  t->report_cols = c->report_cols;
  t->key_of_time = c->key_of_time;
  t->key_arg = c->key_arg;
  t->mode = c->event_time                                ? TB_EVENT
            : (c->window_ms > 0 || c->window_months > 0) ? TB_ROWTIME
                                                         : TB_GENERAL;
  t->naggs = c->naggs;
  t->aggs = calloc((size_t)(c->naggs + 1), sizeof *t->aggs);
  t->key_slot = calloc((size_t)c->nkeys, sizeof *t->key_slot);
  int *other = calloc((size_t)c->nkeys, sizeof *other);
  core_type *types = calloc((size_t)(c->nkeys + c->naggs), sizeof *types);
  t->bad = calloc((size_t)(c->naggs + 1), sizeof *t->bad);
  int rc = (!t->aggs || !t->key_slot || !other || !types || !t->bad) ? SLUICE_NOMEM : SLUICE_OK;
  if (!rc) {
    if (c->naggs) memcpy(t->aggs, c->aggs, sizeof *t->aggs * (size_t)c->naggs);
    int no = 0;
    for (int j = 0; j < c->nkeys; j++) {
      types[j] = c->input_types[c->keys[j]];
      t->key_slot[j] = j == c->time_key ? -1 : no;
      if (j != c->time_key) other[no++] = c->keys[j];
    }
    for (int a = 0; a < c->naggs; a++) types[c->nkeys + a] = c->aggs[a].type;
    rc = win_keys_init(&t->keys, no, other, c->input_types, err);
  }
  if (!rc) rc = win_aggs_init(&t->st, t->aggs, c->naggs, c->input_types, c->ninput, false, err);
  if (!rc) {
    t->out = core_batch_new(c->nkeys + c->naggs, types, CORE_BATCH_CAP);
    if (!t->out) rc = SLUICE_NOMEM;
    for (int a = 0; a < c->naggs && !rc; a++)
      if (!(t->bad[a] = calloc(CORE_BATCH_CAP, 1))) rc = SLUICE_NOMEM;
  }
  free(other);
  free(types);
  if (rc) {
    if (rc == SLUICE_NOMEM) core_error_set(err, SLUICE_NOMEM, "out of memory");
    tumble_free(&t->op);
    return NULL;
  }
  return &t->op;
}

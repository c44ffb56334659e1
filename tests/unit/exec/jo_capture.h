/*
 * jo_capture.h — test helpers of the join and ordering operator tests
 * (test_join.c, test_lookup.c, test_union.c, test_sort.c): a capture operator
 * at the end of a chain that records every output row as text (with its
 * ROWTIME), every bound and every batch size; a context that records row
 * errors; and small builders of input batches.
 *
 * Times are written as they read best in the tests: ms since the epoch for a
 * day that starts at TBASE (2024-01-01 00:00:00), printed as HH:MM:SS with
 * .mmm only when not zero.
 */
#ifndef SLUICE_TEST_JO_CAPTURE_H
#define SLUICE_TEST_JO_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

#define TBASE 1704067200000LL /* 2024-01-01 00:00:00 UTC */

static inline int64_t T(int h, int m, int s, int ms) {
  return TBASE + ((h * 60LL + m) * 60LL + s) * 1000LL + ms;
}

static inline core_type ty(core_type_id id) {
  core_type t = {0};
  t.id = (uint8_t)id;
  if (id == CORE_T_VARCHAR) t.precision = 64;
  return t;
}

/* "10:00:45" or "10:00:45.001"; other days in full. */
static inline void fmt_time(int64_t ms, char *buf, size_t size) {
  char t[CORE_TIMESTAMP_TEXT];
  core_timestamp_format(ms, t);
  const char *p = t;
  if (strncmp(t, "2024-01-01 ", 11) == 0) p = t + 11;
  size_t n = strlen(p);
  if (n >= 4 && strcmp(p + n - 4, ".000") == 0) n -= 4;
  snprintf(buf, size, "%.*s", (int)n, p);
}

/* ---- capture operator ---- */

typedef struct capture {
  exec_op op;
  int view[32]; /* the columns to print, in order */
  int nview;    /* 0: all columns */
  char **rows;
  int nrows, caprows;
  int64_t bounds[4096];
  int nbounds;
  int batches, max_batch;
} capture;

/* The row as "ROWTIME, v1, v2, ..." in a malloc'd string. */
static inline char *capture_fmt_row(const capture *c, const core_batch *b, int row) {
  size_t size = 256, n;
  char *buf = malloc(size);
  fmt_time(b->rowtime[row], buf, size);
  n = strlen(buf);
  int ncols = c->nview ? c->nview : b->ncols;
  for (int i = 0; i < ncols; i++) {
    int col = c->nview ? c->view[i] : i;
    core_value v;
    core_vec_get(&b->cols[col], row, &v);
    char small[64];
    const char *val = small;
    char *big = NULL;
    if (v.is_null) {
      val = "NULL";
    } else if (v.type.id == CORE_T_TIMESTAMP) {
      fmt_time(v.u.i, small, sizeof small);
    } else {
      size_t need = core_value_format(&v, small, sizeof small);
      if (need >= sizeof small) {
        big = malloc(need + 1);
        core_value_format(&v, big, need + 1);
        val = big;
      }
    }
    size_t len = strlen(val);
    if (n + len + 3 > size) {
      size = (n + len + 3) * 2;
      buf = realloc(buf, size);
    }
    n += (size_t)snprintf(buf + n, size - n, ", %s", val);
    free(big);
  }
  return buf;
}

static inline int capture_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  (void)err;
  capture *c = (capture *)op;
  int live = core_batch_live(b);
  c->batches++;
  if (live > c->max_batch) c->max_batch = live;
  for (int k = 0; k < live; k++) {
    if (c->nrows == c->caprows) {
      c->caprows = c->caprows ? c->caprows * 2 : 64;
      c->rows = realloc(c->rows, sizeof *c->rows * (size_t)c->caprows);
    }
    c->rows[c->nrows++] = capture_fmt_row(c, b, core_batch_row(b, k));
  }
  return SLUICE_OK;
}

static inline int capture_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  (void)err;
  capture *c = (capture *)op;
  if (c->nbounds < 4096) c->bounds[c->nbounds++] = bound_ms;
  return SLUICE_OK;
}

static inline void capture_clear(capture *c) {
  for (int i = 0; i < c->nrows; i++) free(c->rows[i]);
  c->nrows = 0;
  c->nbounds = 0;
  c->batches = 0;
  c->max_batch = 0;
}

static inline void capture_free(exec_op *op) {
  capture *c = (capture *)op;
  capture_clear(c);
  free(c->rows);
  free(c);
}

/* A capture printing the given columns (n = 0: all). */
static inline capture *capture_new(const int *view, int n) {
  capture *c = calloc(1, sizeof *c);
  c->op = (exec_op){
      .name = "capture", .push = capture_push, .bound = capture_bound, .free = capture_free};
  for (int i = 0; i < n; i++) c->view[i] = view[i];
  c->nview = n;
  return c;
}

static inline void capture_attach(exec_op *op, capture *c) {
  op->next = &c->op;
  op->next_port = 0;
}

/* Asserts that the captured rows are exactly expected[0..n-1]. */
#define assert_rows(c, ...)                                                                        \
  do {                                                                                             \
    const char *expected_[] = {__VA_ARGS__};                                                       \
    int n_ = (int)(sizeof expected_ / sizeof expected_[0]);                                        \
    for (int i_ = 0; i_ < (c)->nrows && i_ < n_; i_++)                                             \
      assert_string_equal((c)->rows[i_], expected_[i_]);                                           \
    assert_int_equal((c)->nrows, n_);                                                              \
  } while (0)

static inline int64_t capture_last_bound(const capture *c) {
  return c->nbounds ? c->bounds[c->nbounds - 1] : INT64_MIN;
}

/* ---- row errors ---- */

typedef struct errlog {
  char lines[64][320];
  int n;
} errlog;

static inline void errlog_add(void *arg, const char *name, const char *message, const core_batch *b,
                              int row) {
  (void)b;
  (void)row;
  errlog *e = arg;
  if (e->n < 64) snprintf(e->lines[e->n++], sizeof e->lines[0], "%s: %s", name, message);
}

static inline exec_ctx ctx_with(errlog *e) {
  exec_ctx ctx = {0};
  ctx.row_error = errlog_add;
  ctx.arg = e;
  return ctx;
}

/* ---- input batches ---- */

static inline void set_i(core_batch *b, int col, int row, int64_t v) {
  core_value x = {0};
  x.type = b->cols[col].type;
  if (x.type.id == CORE_T_BOOLEAN)
    x.u.b = v != 0;
  else
    x.u.i = v;
  assert_int_equal(core_vec_set(b, col, row, &x), SLUICE_OK);
}

static inline void set_d(core_batch *b, int col, int row, double v) {
  core_value x = {0};
  x.type = b->cols[col].type;
  x.u.d = v;
  assert_int_equal(core_vec_set(b, col, row, &x), SLUICE_OK);
}

static inline void set_s(core_batch *b, int col, int row, const char *s) {
  core_value x = {0};
  x.type = b->cols[col].type;
  x.u.s.p = s;
  x.u.s.n = (uint32_t)strlen(s);
  assert_int_equal(core_vec_set(b, col, row, &x), SLUICE_OK);
}

static inline void set_null(core_batch *b, int col, int row) {
  core_value x = {0};
  x.type = b->cols[col].type;
  x.is_null = true;
  assert_int_equal(core_vec_set(b, col, row, &x), SLUICE_OK);
}

#endif /* SLUICE_TEST_JO_CAPTURE_H */

/*
 * window_test.h — helpers of the window operator tests (test_tumble.c, test_slide.c,
 * test_stagger.c): batches built by hand, and a capture operator at the end of a chain
 * that records every output row as text ("ROWTIME|col|col...") and every bound
 * ("bound ROWTIME"), so tests compare exact lines.
 */
#ifndef SLUICE_TESTS_WINDOW_TEST_H
#define SLUICE_TESTS_WINDOW_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exec/exec.h"

/* ---- types and values ---- */

static inline core_type ty(core_type_id id) {
  core_type t = {.id = (uint8_t)id};
  if (id == CORE_T_VARCHAR) t.precision = 20;
  return t;
}
static inline core_type ty_dec(int p, int s) {
  core_type t = {.id = CORE_T_DECIMAL, .precision = p, .scale = s};
  return t;
}

static inline int64_t ts(const char *text) {
  int64_t ms = 0;
  int rc = core_timestamp_parse(text, strlen(text), &ms);
  assert_int_equal(rc, SLUICE_OK);
  return ms;
}

/* A value for col of b: integers/timestamps as int64, doubles, strings; NULL. */
typedef struct tv {
  char kind; /* 'i', 'd', 's', 'x', 'n' (NULL) */
  int64_t i;
  double d;
  const char *s;
  core_i128 x;
} tv;
#define I(v) ((tv){.kind = 'i', .i = (v)})
#define D(v) ((tv){.kind = 'd', .d = (v)})
#define S(v) ((tv){.kind = 's', .s = (v)})
#define X(v) ((tv){.kind = 'x', .x = (v)})
#define NUL ((tv){.kind = 'n'})
#define T(text) I(ts(text))

/* Appends a row (ROWTIME rt, then one tv per column) to b. */
static inline void add_row(core_batch *b, int64_t rt, ...) {
  va_list ap;
  va_start(ap, rt);
  int r = b->n++;
  assert_true(r < b->cap);
  b->rowtime[r] = rt;
  for (int c = 0; c < b->ncols; c++) {
    tv v = va_arg(ap, tv);
    core_value x;
    memset(&x, 0, sizeof x);
    x.type = b->cols[c].type;
    x.is_null = v.kind == 'n';
    switch (v.kind) {
      case 'i':
        if (x.type.id == CORE_T_BOOLEAN)
          x.u.b = v.i != 0;
        else
          x.u.i = v.i;
        break;
      case 'd':
        x.u.d = v.d;
        break;
      case 'x':
        x.u.dec = v.x;
        break;
      case 's':
        x.u.s.p = v.s;
        x.u.s.n = (uint32_t)strlen(v.s);
        break;
    }
    assert_int_equal(core_vec_set(b, c, r, &x), SLUICE_OK);
  }
  va_end(ap);
}

/* ---- the capture operator ---- */

/* A value as text: core_value_format, except REAL / DOUBLE, always printed with %.17g so
 * that the expected texts here do not depend on how core prints floating point. */
static inline void fmt_value(const core_value *x, char *buf, size_t size) {
  if (!x->is_null && (x->type.id == CORE_T_REAL || x->type.id == CORE_T_DOUBLE))
    snprintf(buf, size, "%.17g", x->u.d);
  else
    core_value_format(x, buf, size);
}

typedef struct capture {
  exec_op op;
  char **lines;
  int n, cap;
  int batches;
  int batch_rows[64]; /* live rows of the first 64 batches */
  bool no_time;       /* lines without the ROWTIME prefix */
} capture;

static inline void cap_add(capture *c, const char *line) {
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 64;
    c->lines = realloc(c->lines, sizeof *c->lines * (size_t)c->cap);
    assert_non_null(c->lines);
  }
  c->lines[c->n++] = strdup(line);
}

static inline int cap_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  (void)err;
  capture *c = (capture *)op;
  int live = core_batch_live(b);
  if (c->batches < 64) c->batch_rows[c->batches] = live;
  c->batches++;
  for (int k = 0; k < live; k++) {
    int r = core_batch_row(b, k);
    char line[2048], v[512];
    size_t o = 0;
    line[0] = '\0';
    if (!c->no_time) o = core_timestamp_format(b->rowtime[r], line);
    for (int col = 0; col < b->ncols; col++) {
      core_value x;
      core_vec_get(&b->cols[col], r, &x);
      fmt_value(&x, v, sizeof v);
      o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", o || col ? "|" : "", v);
    }
    cap_add(c, line);
  }
  return SLUICE_OK;
}

static inline int cap_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  (void)err;
  capture *c = (capture *)op;
  char t[CORE_TIMESTAMP_TEXT], line[64];
  core_timestamp_format(bound_ms, t);
  snprintf(line, sizeof line, "bound %s", t);
  cap_add(c, line);
  return SLUICE_OK;
}

static inline void cap_free(exec_op *op) {
  capture *c = (capture *)op;
  for (int i = 0; i < c->n; i++) free(c->lines[i]);
  free(c->lines);
  free(c);
}

static inline capture *cap_new(void) {
  capture *c = calloc(1, sizeof *c);
  assert_non_null(c);
  c->op.name = "capture";
  c->op.push = cap_push;
  c->op.bound = cap_bound;
  c->op.free = cap_free;
  return c;
}

/* Forgets what was captured so far. */
static inline void cap_clear(capture *c) {
  for (int i = 0; i < c->n; i++) free(c->lines[i]);
  c->n = 0;
  c->batches = 0;
}

/* Asserts the captured lines are exactly the NULL-terminated list. */
static inline void cap_expect(const capture *c, const char *const *want) {
  int n = 0;
  while (want[n]) n++;
  for (int i = 0; i < c->n || i < n; i++) {
    const char *got = i < c->n ? c->lines[i] : "(nothing)";
    const char *exp = i < n ? want[i] : "(nothing)";
    if (strcmp(got, exp) != 0) {
      for (int j = 0; j < c->n; j++) print_message("  got[%d] %s\n", j, c->lines[j]);
      print_message("line %d: got '%s', want '%s'\n", i, got, exp);
      fail();
    }
  }
}
#define EXPECT(c, ...)                                                                             \
  do {                                                                                             \
    const char *const want_[] = {__VA_ARGS__, NULL};                                               \
    cap_expect((c), want_);                                                                        \
  } while (0)

/* ---- row errors ---- */

typedef struct errlog {
  char lines[16][256];
  int n;
} errlog;

static inline void log_row_error(void *arg, const char *name, const char *message,
                                 const core_batch *b, int row) {
  errlog *l = arg;
  if (l->n < 16) {
    char t[CORE_TIMESTAMP_TEXT];
    core_timestamp_format(b->rowtime[row], t);
    snprintf(l->lines[l->n], sizeof l->lines[0], "%s %s: %s", t, name, message);
  }
  l->n++;
}

/* ---- aggregates ---- */

static inline exec_agg agg(const char *name, int arg, core_type type) {
  exec_agg a;
  memset(&a, 0, sizeof a);
  a.fn = fn_lookup(name);
  assert_non_null(a.fn);
  a.arg = arg;
  a.type = type;
  return a;
}

/* Pushes b into op and resets it for the next rows. */
static inline void push(exec_op *op, core_batch *b) {
  core_error e;
  memset(&e, 0, sizeof e);
  int rc = op->push(op, 0, b, &e);
  if (rc) print_message("push: %s\n", e.message);
  assert_int_equal(rc, SLUICE_OK);
  core_batch_reset(b);
}

static inline void bound(exec_op *op, int64_t t) {
  core_error e;
  memset(&e, 0, sizeof e);
  int rc = op->bound(op, 0, t, &e);
  if (rc) print_message("bound: %s\n", e.message);
  assert_int_equal(rc, SLUICE_OK);
}

#endif

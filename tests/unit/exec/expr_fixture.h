/*
 * expr_fixture.h — the harness of the expression tests (test_expr*.c,
 * test_project.c): the real parser and binder over a catalog in a temporary
 * directory with one stream S of every type, a layout that maps each column
 * of S to its batch column, an input batch of S's columns, and helpers that
 * compile `SELECT STREAM <expr> FROM S`, run it and print values as text.
 * Row errors are recorded (name, message, row) instead of printed.
 */
#ifndef SLUICE_TESTS_EXPR_FIXTURE_H
#define SLUICE_TESTS_EXPR_FIXTURE_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec/exec.h"

/* Each test file uses a part of the helpers. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* The columns of S: name and SQL type, in batch order. */
static const char *const FX_COLUMNS[][2] = {
    {"I", "INTEGER"},       {"B", "BIGINT"},         {"T", "TINYINT"},    {"SI", "SMALLINT"},
    {"D", "DECIMAL(10,2)"}, {"D3", "DECIMAL(12,3)"}, {"R", "REAL"},       {"F", "DOUBLE"},
    {"V", "VARCHAR(32)"},   {"C", "CHAR(8)"},        {"TS", "TIMESTAMP"}, {"DT", "DATE"},
    {"TM", "TIME"},         {"BO", "BOOLEAN"},       {"BO2", "BOOLEAN"},  {"V2", "VARCHAR(32)"},
    {"I2", "INTEGER"},      {"BIN", "VARBINARY(8)"},
};
#define FX_NCOLS ((int)(sizeof FX_COLUMNS / sizeof FX_COLUMNS[0]))

typedef struct fx_error {
  char name[32];
  char message[256];
  int row;
} fx_error;

typedef struct fx {
  char dir[64];
  catalog *cat;
  core_arena *arena;
  core_error err;
  plan_ctx ctx;
  const plan_column *cols; /* S's columns as bound */
  core_type types[FX_NCOLS];
  core_batch *in;
  core_batch *out;
  exec_ctx ectx;
  fx_error errors[64];
  int nerrors;
  exec_expr *last; /* the last compiled program */
} fx;

static void fx_record(void *arg, const char *name, const char *message, const core_batch *b,
                      int row) {
  fx *f = arg;
  (void)b;
  if (f->nerrors < 64) {
    fx_error *e = &f->errors[f->nerrors++];
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->message, sizeof e->message, "%s", message);
    e->row = row;
  }
}

/* Parses and runs a script: DDL through plan_execute. */
static int fx_ddl(fx *f, const char *sql) {
  parse_script sc;
  core_error_clear(&f->err);
  int rc = parse_script_text(f->arena, sql, strlen(sql), &sc, &f->err);
  for (int i = 0; rc == SLUICE_OK && i < sc.n; i++)
    rc = plan_execute(&f->ctx, sc.stmts[i], NULL, &f->err);
  return rc;
}

static int fx_setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/sluice-expr-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  assert_int_equal(catalog_open(f->dir, &f->cat, &f->err), SLUICE_OK);
  f->arena = core_arena_new(0);
  int64_t app;
  assert_int_equal(catalog_app_create(f->cat, "test", NULL, &app, &f->err), SLUICE_OK);
  f->ctx = (plan_ctx){.cat = f->cat, .app = app, .arena = f->arena};
  char sql[1024] = "CREATE STREAM S (";
  for (int c = 0; c < FX_NCOLS; c++) {
    strcat(sql, c ? ", " : "");
    strcat(sql, FX_COLUMNS[c][0]);
    strcat(sql, " ");
    strcat(sql, FX_COLUMNS[c][1]);
  }
  strcat(sql, ")");
  assert_int_equal(fx_ddl(f, sql), SLUICE_OK);
  /* the column types as the binder sees them */
  parse_stmt *st;
  const char *q = "SELECT STREAM * FROM S";
  assert_int_equal(parse_statement(f->arena, q, strlen(q), &st, &f->err), SLUICE_OK);
  plan_stmt *ps;
  assert_int_equal(plan_bind(&f->ctx, st, &ps, &f->err), SLUICE_OK);
  assert_int_equal(ps->query->ncolumns, FX_NCOLS);
  for (int c = 0; c < FX_NCOLS; c++) f->types[c] = ps->query->columns[c].type;
  f->in = core_batch_new(FX_NCOLS, f->types, CORE_BATCH_CAP);
  assert_non_null(f->in);
  f->ectx = (exec_ctx){.row_error = fx_record, .arg = f, .statement_ms = 0};
  *state = f;
  return 0;
}

static int fx_teardown(void **state) {
  fx *f = *state;
  core_batch_free(f->in);
  core_batch_free(f->out);
  catalog_close(f->cat);
  core_arena_free(f->arena);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static int fx_col(const char *name) {
  for (int c = 0; c < FX_NCOLS; c++)
    if (strcmp(FX_COLUMNS[c][0], name) == 0) return c;
  fail_msg("no column %s", name);
  return -1;
}

/* ---- filling the input batch (rows are NULL until set) ---- */

static void fx_rows(fx *f, int n) {
  core_batch_reset(f->in);
  f->in->n = n;
  for (int c = 0; c < FX_NCOLS; c++) memset(f->in->cols[c].null, 1, (size_t)n);
  for (int i = 0; i < n; i++) f->in->rowtime[i] = 1000 * (int64_t)i;
  f->nerrors = 0;
}

static void fx_set(fx *f, int row, const char *col, const core_value *v) {
  assert_int_equal(core_vec_set(f->in, fx_col(col), row, v), SLUICE_OK);
}

static void fx_i(fx *f, int row, const char *col, int64_t x) {
  core_value v = {.type = f->types[fx_col(col)], .u.i = x};
  if (v.type.id == CORE_T_BOOLEAN) v.u.b = x != 0;
  fx_set(f, row, col, &v);
}

static void fx_d(fx *f, int row, const char *col, double x) {
  core_value v = {.type = f->types[fx_col(col)], .u.d = x};
  fx_set(f, row, col, &v);
}

/* A DECIMAL column from its unscaled value. */
static void fx_dec(fx *f, int row, const char *col, int64_t unscaled) {
  core_value v = {.type = f->types[fx_col(col)], .u.dec = unscaled};
  fx_set(f, row, col, &v);
}

static void fx_s(fx *f, int row, const char *col, const char *s) {
  core_value v = {.type = f->types[fx_col(col)], .u.s = {s, (uint32_t)strlen(s)}};
  fx_set(f, row, col, &v);
}

static void fx_ts(fx *f, int row, const char *col, const char *text) {
  int64_t ms;
  assert_int_equal(core_timestamp_parse(text, strlen(text), &ms), SLUICE_OK);
  core_type t = f->types[fx_col(col)];
  if (t.id == CORE_T_DATE) ms = core_floor_div(ms, 86400000);
  if (t.id == CORE_T_TIME) ms = core_floor_mod(ms, 86400000);
  fx_i(f, row, col, ms);
}

/* ---- compiling ---- */

static int fx_find(void *arg, const plan_expr *e) {
  (void)arg;
  return e->kind == PLAN_E_COLUMN ? e->u.column.index : -1;
}

/* Binds `SELECT STREAM <expr> FROM S` and returns the item's expression. */
static const plan_expr *fx_bind(fx *f, const char *expr) {
  char *sql = core_arena_printf(f->arena, "SELECT STREAM %s FROM S", expr);
  parse_stmt *st;
  core_error_clear(&f->err);
  if (parse_statement(f->arena, sql, strlen(sql), &st, &f->err) != SLUICE_OK)
    fail_msg("parse %s: %s", sql, f->err.message);
  plan_stmt *ps;
  if (plan_bind(&f->ctx, st, &ps, &f->err) != SLUICE_OK)
    fail_msg("bind %s: %s", sql, f->err.message);
  return ps->query->u.select.items[0].expr;
}

/* Compiles expr; returns the result code (the error is in f->err). */
static int fx_compile(fx *f, const char *expr, exec_expr **out) {
  const plan_expr *e = fx_bind(f, expr);
  exec_layout layout = {fx_find, f};
  core_error_clear(&f->err);
  return exec_expr_compile(e, &layout, f->arena, out, &f->err);
}

/* Compiles and evaluates expr over the input rows into f->out (column 0). */
static exec_expr *fx_eval(fx *f, const char *expr) {
  exec_expr *x;
  if (fx_compile(f, expr, &x) != SLUICE_OK) fail_msg("compile %s: %s", expr, f->err.message);
  core_batch_free(f->out);
  core_type t = exec_expr_type(x);
  f->out = core_batch_new(1, &t, CORE_BATCH_CAP);
  f->out->n = f->in->n;
  f->nerrors = 0;
  f->in->sel = NULL; /* every row live unless a test sets a selection after fx_rows */
  assert_int_equal(exec_expr_eval(x, &f->ectx, f->in, f->out, 0, &f->err), SLUICE_OK);
  f->last = x;
  return x;
}

/* ---- reading results as text ---- */

/* Shortest text that reads back as d (Java-like digits: 2.7182818284590455). */
static void fx_double_text(double d, char *buf, size_t n) {
  if (d == floor(d) && fabs(d) < 1e15) {
    snprintf(buf, n, "%.0f", d);
    return;
  }
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, n, "%.*g", p, d);
    if (strtod(buf, NULL) == d) return;
  }
}

static char fx_buf[8][512];
static int fx_next;

/* The value of row `row` of column 0 of f->out as text: NULL, TRUE/FALSE, numbers
 * (DECIMAL with its scale), strings as they are, datetimes as core formats them,
 * intervals as "<n> ms" / "<n> months". */
static const char *fx_text(fx *f, int row) {
  char *buf = fx_buf[fx_next++ % 8];
  core_value v;
  core_vec_get(&f->out->cols[0], row, &v);
  if (v.is_null) return strcpy(buf, "NULL");
  switch (v.type.id) {
    case CORE_T_REAL:
    case CORE_T_DOUBLE:
      fx_double_text(v.u.d, buf, 512);
      return buf;
    case CORE_T_CHAR:
    case CORE_T_VARCHAR:
      snprintf(buf, 512, "%.*s", (int)v.u.s.n, v.u.s.p);
      return buf;
    default:
      core_value_format(&v, buf, 512);
      return buf;
  }
}

/* Evaluates expr over the current rows and returns row 0 as text. */
static const char *fx_val(fx *f, const char *expr) {
  fx_eval(f, expr);
  return fx_text(f, 0);
}

/* The value of a constant expression (one row, no input values). */
static const char *fx_const(fx *f, const char *expr) {
  fx_rows(f, 1);
  return fx_val(f, expr);
}

/* A constant DOUBLE expression equals exactly the double that `want` denotes (the spec
 * prints doubles as Java does, not always with the fewest digits). */
static void fx_expect_double(fx *f, const char *expr, const char *want) {
  fx_rows(f, 1);
  fx_eval(f, expr);
  core_value v;
  core_vec_get(&f->out->cols[0], 0, &v);
  assert_false(v.is_null);
  if (v.u.d != strtod(want, NULL)) fail_msg("%s = %.17g, not %s", expr, v.u.d, want);
}

#define EXPECT(f, expr, want) assert_string_equal(fx_val((f), (expr)), (want))
#define EXPECT_CONST(f, expr, want) assert_string_equal(fx_const((f), (expr)), (want))

/* Evaluates expr and expects row `row` to fail with error name and message. */
static void fx_expect_error(fx *f, const char *expr, int row, const char *name,
                            const char *message) {
  fx_eval(f, expr);
  for (int k = 0; k < f->nerrors; k++)
    if (f->errors[k].row == row) {
      assert_string_equal(f->errors[k].name, name);
      assert_string_equal(f->errors[k].message, message);
      /* the row is gone from the input's selection */
      for (int j = 0; j < core_batch_live(f->in); j++)
        assert_int_not_equal(core_batch_row(f->in, j), row);
      return;
    }
  fail_msg("%s: no error for row %d (%d errors)", expr, row, f->nerrors);
}

/* Compiling expr fails with code and message. */
static void fx_expect_compile_error(fx *f, const char *expr, int code, const char *message) {
  exec_expr *x;
  int rc = fx_compile(f, expr, &x);
  assert_int_equal(rc, code);
  assert_string_equal(f->err.message, message);
}

#define FX fx *f = *state

#endif /* SLUICE_TESTS_EXPR_FIXTURE_H */

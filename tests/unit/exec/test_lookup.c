/* test_lookup.c — stream-to-table joins (exec_lookup_new): spec 8.19 reference-data
 * enrichment (LEFT JOIN), INNER with several matches per row, NULL keys, keyless
 * joins, ROWTIME and bounds, copies of the table and multi-batch outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/exec/jo_capture.h"

/* SOURCE_SQL_STREAM_001(ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE,
 * price DOUBLE) */
static const core_type stream_cols[4] = {{.id = CORE_T_VARCHAR, .precision = 4},
                                         {.id = CORE_T_VARCHAR, .precision = 12},
                                         {.id = CORE_T_DOUBLE},
                                         {.id = CORE_T_DOUBLE}};
/* "CompanyName"("Ticker", "Company") */
static const core_type table_cols[2] = {{.id = CORE_T_VARCHAR, .precision = 8},
                                        {.id = CORE_T_VARCHAR, .precision = 20}};
static const int key0[1] = {0};

/* The reference CSV of spec 8.19, header line included: it is data (no trimming). */
static core_batch *company_table(void) {
  static const char *rows[][2] = {{"Ticker", " Company"},
                                  {"AMZN", "Amazon"},
                                  {"ASD", " SomeCompanyA"},
                                  {"MMB", " SomeCompanyB"},
                                  {"WAS", "  SomeCompanyC"}};
  core_batch *t = core_batch_new(2, table_cols, 8);
  for (int i = 0; i < 5; i++) {
    set_s(t, 0, i, rows[i][0]);
    set_s(t, 1, i, rows[i][1]);
    t->rowtime[i] = 0;
  }
  t->n = 5;
  return t;
}

static void put_trade(core_batch *b, const char *ticker, const char *sector, double change,
                      double price, int64_t t) {
  int r = b->n++;
  if (ticker)
    set_s(b, 0, r, ticker);
  else
    set_null(b, 0, r);
  set_s(b, 1, r, sector);
  set_d(b, 2, r, change);
  set_d(b, 3, r, price);
  b->rowtime[r] = t;
}

static exec_op *company_join(exec_ctx *ctx, int kind, const int *view, int nview, capture **cap) {
  exec_join_side s = {.ncols = 4, .types = stream_cols, .keys = key0};
  exec_join_side t = {.ncols = 2, .types = table_cols, .keys = key0};
  core_batch *rows = company_table();
  core_error err = {0};
  exec_op *op = exec_lookup_new(ctx, kind, &s, &t, 1, rows, NULL, &err);
  assert_non_null(op);
  /* the operator copied the table: wipe and free it */
  memset(rows->cols[1].u.s, 0, sizeof(core_str) * 5);
  core_batch_free(rows);
  *cap = capture_new(view, nview);
  capture_attach(op, *cap);
  return op;
}

/* SELECT STREAM ticker_symbol, "c"."Company", sector, change, price */
static const int view_8_19[5] = {0, 5, 1, 2, 3};

static void test_8_19_left_join(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = company_join(&ctx, PARSE_JOIN_LEFT, view_8_19, 5, &cap);
  core_batch *b = core_batch_new(4, stream_cols, 8);
  put_trade(b, "AMZN", "RETAIL", -0.5, 100.25, T(9, 0, 1, 0));
  put_trade(b, "XYZ", "TECHNOLOGY", 1.5, 12.5, T(9, 0, 2, 0));
  put_trade(b, "ASD", "FINANCIAL", 0.25, 8, T(9, 0, 2, 0));
  put_trade(b, "WAS", "ENERGY", -1, 55, T(9, 0, 3, 0));
  put_trade(b, "AMZN", "RETAIL", 2, 102.25, T(9, 0, 4, 0));
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  core_batch_reset(b); /* the output was already captured; strings live in the operator */
  assert_rows(cap, "09:00:01, AMZN, Amazon, RETAIL, -0.5, 100.25",
              "09:00:02, XYZ, NULL, TECHNOLOGY, 1.5, 12.5",
              "09:00:02, ASD,  SomeCompanyA, FINANCIAL, 0.25, 8",
              "09:00:03, WAS,   SomeCompanyC, ENERGY, -1, 55",
              "09:00:04, AMZN, Amazon, RETAIL, 2, 102.25");
  /* bounds pass through, after the rows */
  assert_int_equal(op->bound(op, 0, T(9, 0, 5, 0), &err), SLUICE_OK);
  assert_int_equal(capture_last_bound(cap), T(9, 0, 5, 0));
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_inner_drops_unmatched_and_null_keys(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  static const int view[2] = {0, 5};
  exec_op *op = company_join(&ctx, PARSE_JOIN_INNER, view, 2, &cap);
  core_batch *b = core_batch_new(4, stream_cols, 8);
  put_trade(b, "XYZ", "X", 0, 0, T(9, 0, 1, 0));
  put_trade(b, NULL, "X", 0, 0, T(9, 0, 1, 0));
  put_trade(b, "MMB", "X", 0, 0, T(9, 0, 2, 0));
  put_trade(b, "Tick", "X", 0, 0, T(9, 0, 2, 0)); /* VARCHAR(4) 'Tick' is not 'Ticker' */
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_rows(cap, "09:00:02, MMB,  SomeCompanyB");
  exec_op_free(op);
  exec_op_free(&cap->op);
  /* LEFT keeps the NULL-key row, null-extended */
  op = company_join(&ctx, PARSE_JOIN_LEFT, view, 2, &cap);
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_rows(cap, "09:00:01, XYZ, NULL", "09:00:01, NULL, NULL", "09:00:02, MMB,  SomeCompanyB",
              "09:00:02, Tick, NULL");
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* Table rows with equal keys: one output row each, in table order; a selection on the
 * input batch is honoured. Columns: stream (k INTEGER), table (k INTEGER, v VARCHAR). */
static const core_type int_col[1] = {{.id = CORE_T_INTEGER}};
static const core_type kv_cols[2] = {{.id = CORE_T_INTEGER},
                                     {.id = CORE_T_VARCHAR, .precision = 8}};

static exec_op *kv_lookup(exec_ctx *ctx, int kind, int nkeys, capture **cap) {
  core_batch *t = core_batch_new(2, kv_cols, 8);
  static const int ks[] = {1, 2, 1, 3, 1};
  static const char *vs[] = {"one-a", "two", "one-b", "three", "one-c"};
  for (int i = 0; i < 5; i++) {
    set_i(t, 0, i, ks[i]);
    set_s(t, 1, i, vs[i]);
  }
  t->n = 5;
  exec_join_side s = {.ncols = 1, .types = int_col, .keys = key0};
  exec_join_side tb = {.ncols = 2, .types = kv_cols, .keys = key0};
  core_error err = {0};
  exec_op *op = exec_lookup_new(ctx, kind, &s, &tb, nkeys, t, NULL, &err);
  core_batch_free(t);
  assert_non_null(op);
  *cap = capture_new(NULL, 0);
  capture_attach(op, *cap);
  return op;
}

static void test_several_matches_in_table_order(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = kv_lookup(&ctx, PARSE_JOIN_INNER, 1, &cap);
  core_batch *b = core_batch_new(1, int_col, 8);
  for (int i = 0; i < 4; i++) {
    set_i(b, 0, i, i); /* 0 1 2 3 */
    b->rowtime[i] = T(1, 0, i, 0);
  }
  b->n = 4;
  core_batch_deselect(b, 3); /* a filter upstream dropped the row with key 3 */
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_rows(cap, "01:00:01, 1, 1, one-a", "01:00:01, 1, 1, one-b", "01:00:01, 1, 1, one-c",
              "01:00:02, 2, 2, two");
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* No key (a join on a non-equality condition, or a cross join): every table row. */
static void test_keyless_pairs_every_row(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = kv_lookup(&ctx, PARSE_JOIN_CROSS, 0, &cap);
  core_batch *b = core_batch_new(1, int_col, 2);
  set_i(b, 0, 0, 9);
  b->rowtime[0] = T(1, 0, 0, 0);
  b->n = 1;
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_rows(cap, "01:00:00, 9, 1, one-a", "01:00:00, 9, 2, two", "01:00:00, 9, 1, one-b",
              "01:00:00, 9, 3, three", "01:00:00, 9, 1, one-c");
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* Three matches per stream row, 1000 rows per batch: 3000 rows out in batches of at most
 * CORE_BATCH_CAP. */
static void test_multi_batch_output(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = kv_lookup(&ctx, PARSE_JOIN_INNER, 1, &cap);
  core_batch *b = core_batch_new(1, int_col, 1000);
  for (int i = 0; i < 1000; i++) {
    set_i(b, 0, i, 1);
    b->rowtime[i] = T(2, 0, 0, 0) + i;
  }
  b->n = 1000;
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_int_equal(cap->nrows, 3000);
  assert_int_equal(cap->batches, 3);
  assert_int_equal(cap->max_batch, CORE_BATCH_CAP);
  assert_string_equal(cap->rows[2999], "02:00:00.999, 1, 1, one-c");
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_rejects_outer_table_side(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  exec_join_side s = {.ncols = 1, .types = int_col, .keys = key0};
  exec_join_side tb = {.ncols = 2, .types = kv_cols, .keys = key0};
  core_batch *t = core_batch_new(2, kv_cols, 1);
  core_error err = {0};
  assert_null(exec_lookup_new(&ctx, PARSE_JOIN_RIGHT, &s, &tb, 1, t, NULL, &err));
  assert_int_equal(err.code, SLUICE_UNSUPPORTED);
  assert_string_equal(err.message,
                      "a join of a stream with a reference table must be INNER or LEFT");
  core_batch_free(t);
}

/* ---- residuals ---- */

static int combined_find(void *arg, const plan_expr *e) {
  (void)arg;
  return e->kind == PLAN_E_COLUMN ? e->u.column.index : -1;
}

/* t.v <> 'text' over the combined row (stream k, table k, table v). */
static exec_expr *v_differs(core_arena *a, const char *text, parse_op op) {
  plan_expr *col = core_arena_zalloc(a, sizeof *col);
  col->kind = PLAN_E_COLUMN;
  col->type = kv_cols[1];
  col->u.column.index = 2;
  plan_expr *lit = core_arena_zalloc(a, sizeof *lit);
  lit->kind = PLAN_E_LITERAL;
  lit->type = kv_cols[1];
  lit->constant = true;
  lit->u.value.type = kv_cols[1];
  lit->u.value.u.s.p = text;
  lit->u.value.u.s.n = (uint32_t)strlen(text);
  plan_expr *e = core_arena_zalloc(a, sizeof *e);
  e->kind = PLAN_E_BINARY;
  e->type.id = CORE_T_BOOLEAN;
  e->u.binary.op = op;
  e->u.binary.left = col;
  e->u.binary.right = lit;
  exec_layout lay = {.find = combined_find};
  exec_expr *x = NULL;
  core_error err = {0};
  assert_int_equal(exec_expr_compile(e, &lay, a, &x, &err), SLUICE_OK);
  return x;
}

static exec_op *kv_lookup_residual(exec_ctx *ctx, int kind, exec_expr *residual, capture **cap) {
  core_batch *t = core_batch_new(2, kv_cols, 8);
  static const int ks[] = {1, 2, 1, 3, 1};
  static const char *vs[] = {"one-a", "two", "one-b", "three", "one-c"};
  for (int i = 0; i < 5; i++) {
    set_i(t, 0, i, ks[i]);
    set_s(t, 1, i, vs[i]);
  }
  t->n = 5;
  exec_join_side s = {.ncols = 1, .types = int_col, .keys = key0};
  exec_join_side tb = {.ncols = 2, .types = kv_cols, .keys = key0};
  core_error err = {0};
  exec_op *op = exec_lookup_new(ctx, kind, &s, &tb, 1, t, residual, &err);
  core_batch_free(t);
  assert_non_null(op);
  *cap = capture_new(NULL, 0);
  capture_attach(op, *cap);
  return op;
}

static void test_residual(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  core_arena *a = core_arena_new(0);
  capture *cap;
  exec_op *op = kv_lookup_residual(&ctx, PARSE_JOIN_LEFT, v_differs(a, "one-b", PARSE_OP_NE), &cap);
  core_batch *b = core_batch_new(1, int_col, 4);
  set_i(b, 0, 0, 1);
  set_i(b, 0, 1, 2);
  b->rowtime[0] = b->rowtime[1] = T(1, 0, 0, 0);
  b->n = 2;
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_rows(cap, "01:00:00, 1, 1, one-a", "01:00:00, 1, 1, one-c", "01:00:00, 2, 2, two");
  exec_op_free(op);
  exec_op_free(&cap->op);
  /* LEFT: a stream row whose every candidate fails the residual is null-extended */
  op = kv_lookup_residual(&ctx, PARSE_JOIN_LEFT, v_differs(a, "two", PARSE_OP_EQ), &cap);
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_rows(cap, "01:00:00, 1, NULL, NULL", "01:00:00, 2, 2, two");
  exec_op_free(op);
  exec_op_free(&cap->op);
  core_batch_free(b);
  core_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_8_19_left_join),
      cmocka_unit_test(test_inner_drops_unmatched_and_null_keys),
      cmocka_unit_test(test_several_matches_in_table_order),
      cmocka_unit_test(test_keyless_pairs_every_row),
      cmocka_unit_test(test_multi_batch_output),
      cmocka_unit_test(test_rejects_outer_table_side),
      cmocka_unit_test(test_residual),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

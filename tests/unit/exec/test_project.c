/* Unit tests of the filter and projection operators (exec/project.c): batches
 * and bounds passed on, output columns and types, selections, run-time row
 * errors with the pump's error names, `expr AS ROWTIME` ordering. */
#include "expr_fixture.h"

/* A sink that records what reaches it: rows as text "v1|v2|..@rowtime", bounds. */
typedef struct sink {
  exec_op op;
  char rows[64][128];
  int nrows;
  int64_t bounds[16];
  int nbounds;
  int batches;
} sink;

static int sink_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port, (void)err;
  sink *s = (sink *)op;
  s->batches++;
  for (int k = 0; k < core_batch_live(b); k++) {
    int i = core_batch_row(b, k);
    char *line = s->rows[s->nrows++];
    size_t n = 0;
    line[0] = '\0';
    for (int c = 0; c < b->ncols; c++) {
      core_value v;
      char buf[64];
      core_vec_get(&b->cols[c], i, &v);
      core_value_format(&v, buf, sizeof buf);
      n += (size_t)snprintf(line + n, 128 - n, "%s%s", c ? "|" : "", buf);
    }
    snprintf(line + n, 128 - n, "@%lld", (long long)b->rowtime[i]);
  }
  return SLUICE_OK;
}

static int sink_bound(exec_op *op, int port, int64_t bound, core_error *err) {
  (void)port, (void)err;
  sink *s = (sink *)op;
  s->bounds[s->nbounds++] = bound;
  return SLUICE_OK;
}

static void sink_free(exec_op *op) {
  (void)op;
}

static void sink_init(sink *s) {
  memset(s, 0, sizeof *s);
  s->op = (exec_op){.name = "sink", .push = sink_push, .bound = sink_bound, .free = sink_free};
}

static exec_expr *compile(fx *f, const char *expr) {
  exec_expr *x;
  if (fx_compile(f, expr, &x) != SLUICE_OK) fail_msg("compile %s: %s", expr, f->err.message);
  return x;
}

static void test_filter_passes_true_rows_and_bounds(void **state) {
  FX;
  sink s;
  sink_init(&s);
  exec_op *op = exec_filter_new(&f->ectx, compile(f, "I > 1 AND V LIKE 'a%'"), &f->err);
  assert_non_null(op);
  assert_string_equal(op->name, "filter");
  op->next = &s.op;
  fx_rows(f, 4);
  fx_i(f, 0, "I", 5), fx_s(f, 0, "V", "abc");
  fx_i(f, 1, "I", 0), fx_s(f, 1, "V", "abc");
  fx_i(f, 2, "I", 7); /* V NULL: UNKNOWN */
  fx_i(f, 3, "I", 9), fx_s(f, 3, "V", "axe");
  assert_int_equal(op->push(op, 0, f->in, &f->err), SLUICE_OK);
  assert_int_equal(s.nrows, 2);
  assert_int_equal(core_batch_row(f->in, 0), 0);
  assert_int_equal(core_batch_row(f->in, 1), 3);
  /* a batch with no TRUE row is not passed on */
  fx_rows(f, 1);
  fx_i(f, 0, "I", 0);
  assert_int_equal(op->push(op, 0, f->in, &f->err), SLUICE_OK);
  assert_int_equal(s.batches, 1);
  assert_int_equal(op->bound(op, 0, 12345, &f->err), SLUICE_OK);
  assert_int_equal(s.nbounds, 1);
  assert_int_equal(s.bounds[0], 12345);
  exec_op_free(op);
}

static void test_project_columns_selection_and_errors(void **state) {
  FX;
  sink s;
  sink_init(&s);
  exec_expr *exprs[3] = {compile(f, "V || '!'"), compile(f, "100 / I"),
                         compile(f, "CAST(D AS DOUBLE) * 2")};
  exec_op *op = exec_project_new(&f->ectx, exprs, 3, NULL, &f->err);
  assert_non_null(op);
  op->next = &s.op;
  fx_rows(f, 5);
  const char *names[5] = {"a", "b", "c", "d", "e"};
  int ivals[5] = {1, 0, 4, 5, 0};
  for (int i = 0; i < 5; i++) {
    fx_s(f, i, "V", names[i]);
    fx_i(f, i, "I", ivals[i]);
    fx_dec(f, i, "D", 125 * i);
  }
  /* row 4 was already filtered out upstream */
  uint16_t sel[4] = {0, 1, 2, 3};
  memcpy(f->in->sel_buf, sel, sizeof sel);
  f->in->sel = f->in->sel_buf;
  f->in->nsel = 4;
  f->ectx.pump = "STREAM_PUMP";
  assert_int_equal(op->push(op, 0, f->in, &f->err), SLUICE_OK);
  /* row 1 divides by zero: reported once, dropped; the others pass */
  assert_int_equal(f->nerrors, 1);
  assert_int_equal(f->errors[0].row, 1);
  assert_string_equal(f->errors[0].name, "DivideByZero");
  assert_string_equal(f->errors[0].message, "division by zero");
  assert_int_equal(s.nrows, 3);
  assert_string_equal(s.rows[0], "a!|100|0@0");
  assert_string_equal(s.rows[1], "c!|25|5@2000");
  assert_string_equal(s.rows[2], "d!|20|7.5@3000");
  assert_int_equal(op->bound(op, 0, 777, &f->err), SLUICE_OK);
  assert_int_equal(s.bounds[0], 777);
  exec_op_free(op);
}

static void test_project_rowtime_must_not_go_backwards(void **state) {
  FX;
  sink s;
  sink_init(&s);
  exec_expr *exprs[1] = {compile(f, "I")};
  exec_op *op = exec_project_new(&f->ectx, exprs, 1, compile(f, "TS"), &f->err);
  assert_non_null(op);
  op->next = &s.op;
  fx_rows(f, 4);
  fx_ts(f, 0, "TS", "2020-01-01 00:00:10");
  fx_ts(f, 1, "TS", "2020-01-01 00:00:05"); /* backwards */
  fx_ts(f, 2, "TS", "2020-01-01 00:00:10"); /* ties are fine */
  /* row 3: NULL ROWTIME */
  for (int i = 0; i < 4; i++) fx_i(f, i, "I", i);
  assert_int_equal(op->push(op, 0, f->in, &f->err), SLUICE_OK);
  assert_int_equal(f->nerrors, 2);
  assert_int_equal(f->errors[0].row, 1);
  assert_string_equal(f->errors[0].name, "OutOfOrderRowtime");
  assert_string_equal(f->errors[0].message, "ROWTIME 2020-01-01 00:00:05.000 is earlier than the "
                                            "previous row's 2020-01-01 00:00:10.000");
  assert_int_equal(f->errors[1].row, 3);
  assert_string_equal(f->errors[1].name, "NotNullViolation");
  assert_int_equal(s.nrows, 2);
  assert_string_equal(s.rows[0], "0@1577836810000");
  assert_string_equal(s.rows[1], "2@1577836810000");
  /* the next batch continues from the last ROWTIME emitted */
  fx_rows(f, 1);
  fx_ts(f, 0, "TS", "2020-01-01 00:00:09");
  fx_i(f, 0, "I", 9);
  assert_int_equal(op->push(op, 0, f->in, &f->err), SLUICE_OK);
  assert_int_equal(f->nerrors, 1);
  assert_int_equal(s.nrows, 2);
  /* bounds: the last ROWTIME emitted, not the input's */
  assert_int_equal(op->bound(op, 0, 1577836900000, &f->err), SLUICE_OK);
  assert_int_equal(s.nbounds, 1);
  assert_int_equal(s.bounds[0], 1577836810000);
  exec_op_free(op);
}

static void test_filter_then_project_chain(void **state) {
  FX;
  sink s;
  sink_init(&s);
  exec_expr *exprs[2] = {compile(f, "UPPER(V)"),
                         compile(f, "STEP(S.ROWTIME BY INTERVAL '2' SECOND)")};
  exec_op *proj = exec_project_new(&f->ectx, exprs, 2, NULL, &f->err);
  exec_op *filt = exec_filter_new(&f->ectx, compile(f, "V SIMILAR TO '%TECH%'"), &f->err);
  assert_non_null(proj);
  assert_non_null(filt);
  filt->next = proj;
  proj->next = &s.op;
  fx_rows(f, 4);
  fx_s(f, 0, "V", "tech");
  fx_s(f, 1, "V", "TECHNOLOGY");
  fx_s(f, 2, "V", "ENERGY");
  fx_s(f, 3, "V", "BIOTECH");
  assert_int_equal(filt->push(filt, 0, f->in, &f->err), SLUICE_OK);
  assert_int_equal(s.nrows, 2);
  assert_string_equal(s.rows[0], "TECHNOLOGY|1970-01-01 00:00:00.000@1000");
  assert_string_equal(s.rows[1], "BIOTECH|1970-01-01 00:00:02.000@3000");
  assert_int_equal(filt->bound(filt, 0, 4000, &f->err), SLUICE_OK);
  assert_int_equal(s.bounds[0], 4000);
  exec_op_free(filt);
  exec_op_free(proj);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_filter_passes_true_rows_and_bounds, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_project_columns_selection_and_errors, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_project_rowtime_must_not_go_backwards, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_filter_then_project_chain, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

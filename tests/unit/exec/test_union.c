/* test_union.c — UNION ALL merges (exec_union_new): ROWTIME order across interleaved
 * ports, an idle port holding the merge until its bound moves, ties in arrival order,
 * bounds out = least of the inputs, batches passed on untouched, strings, multi-batch
 * outputs and out-of-order rows. Columns: (v INTEGER, s VARCHAR). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/exec/jo_capture.h"

static const core_type cols[2] = {{.id = CORE_T_INTEGER}, {.id = CORE_T_VARCHAR, .precision = 16}};

/* Pushes rows (v, "p<port>-<v>") at the given seconds to port. */
static void push_rows(exec_op *op, int port, const int *secs, int n) {
  core_batch *b = core_batch_new(2, cols, 64);
  char s[32];
  for (int i = 0; i < n; i++) {
    set_i(b, 0, i, secs[i]);
    snprintf(s, sizeof s, "p%d-%d", port, secs[i]);
    set_s(b, 1, i, s);
    b->rowtime[i] = T(0, 0, secs[i], 0);
  }
  b->n = n;
  core_error err = {0};
  assert_int_equal(op->push(op, port, b, &err), SLUICE_OK);
  /* whatever the union kept must not point into the batch */
  core_batch_reset(b);
  memset(b->cols[1].u.s, 0, sizeof(core_str) * 64);
  core_batch_free(b);
}

static void bound(exec_op *op, int port, int64_t t) {
  core_error err = {0};
  assert_int_equal(op->bound(op, port, t, &err), SLUICE_OK);
}

static exec_op *new_union(exec_ctx *ctx, int nports, capture **cap) {
  core_error err = {0};
  exec_op *op = exec_union_new(ctx, nports, 2, cols, &err);
  assert_non_null(op);
  *cap = capture_new(NULL, 0);
  capture_attach(op, *cap);
  return op;
}

static void test_merge_interleaved_ports(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = new_union(&ctx, 2, &cap);
  push_rows(op, 0, (int[]){1, 3, 5}, 3);
  assert_int_equal(cap->nrows, 0); /* port 1 has said nothing: it could send a row at 0s */
  push_rows(op, 1, (int[]){2, 4}, 2);
  /* port 1 may still send a row at 4s, but not before: everything up to 4s goes */
  assert_rows(cap, "00:00:01, 1, p0-1", "00:00:02, 2, p1-2", "00:00:03, 3, p0-3",
              "00:00:04, 4, p1-4");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 4, 0));
  bound(op, 1, T(0, 0, 5, 0)); /* a row of port 1 at 5s could go before or after: fine */
  assert_int_equal(cap->nrows, 5);
  assert_string_equal(cap->rows[4], "00:00:05, 5, p0-5");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 5, 0));
  bound(op, 0, T(0, 0, 9, 0));
  assert_int_equal(capture_last_bound(cap), T(0, 0, 5, 0)); /* port 1 is still at 5s */
  bound(op, 1, T(0, 0, 7, 0));
  assert_int_equal(capture_last_bound(cap), T(0, 0, 7, 0));
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_idle_port_holds_merge(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = new_union(&ctx, 3, &cap);
  push_rows(op, 0, (int[]){1, 2}, 2);
  push_rows(op, 1, (int[]){1, 3}, 2);
  bound(op, 0, T(0, 0, 10, 0));
  bound(op, 1, T(0, 0, 10, 0));
  assert_int_equal(cap->nrows, 0);
  assert_int_equal(cap->nbounds, 0);
  bound(op, 2, T(0, 0, 2, 0)); /* port 2 is idle up to 2s: rows up to 2s go */
  assert_rows(cap, "00:00:01, 1, p0-1", "00:00:01, 1, p1-1", "00:00:02, 2, p0-2");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 2, 0));
  bound(op, 2, T(0, 0, 20, 0));
  assert_rows(cap, "00:00:01, 1, p0-1", "00:00:01, 1, p1-1", "00:00:02, 2, p0-2",
              "00:00:03, 3, p1-3");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 10, 0));
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* Equal ROWTIMEs leave in arrival order, whatever their port. */
static void test_ties_in_arrival_order(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = new_union(&ctx, 2, &cap);
  push_rows(op, 1, (int[]){5}, 1);
  push_rows(op, 0, (int[]){5, 5}, 2);
  push_rows(op, 1, (int[]){5, 6}, 2);
  bound(op, 0, T(0, 0, 6, 0));
  assert_rows(cap, "00:00:05, 5, p1-5", "00:00:05, 5, p0-5", "00:00:05, 5, p0-5",
              "00:00:05, 5, p1-5", "00:00:06, 6, p1-6");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* When the other ports are ahead, a batch goes on as it is (with its selection). */
static void test_batch_passes_through(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = new_union(&ctx, 2, &cap);
  bound(op, 1, T(0, 1, 0, 0));
  core_batch *b = core_batch_new(2, cols, 8);
  for (int i = 0; i < 4; i++) {
    set_i(b, 0, i, i);
    set_s(b, 1, i, "x");
    b->rowtime[i] = T(0, 0, i, 0);
  }
  b->n = 4;
  core_batch_deselect(b, 1);
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_int_equal(cap->batches, 1);
  assert_rows(cap, "00:00:00, 0, x", "00:00:02, 2, x", "00:00:03, 3, x");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 3, 0));
  /* port 1 promised nothing before 1 min: a row of it at 0s breaks that and is a row error */
  push_rows(op, 1, (int[]){0}, 1);
  assert_int_equal(ctx.errors, 1);
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_multi_batch_output(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = new_union(&ctx, 2, &cap);
  core_batch *b = core_batch_new(2, cols, 1000);
  core_error err = {0};
  for (int port = 0; port < 2; port++) {
    core_batch_reset(b);
    for (int i = 0; i < 1000; i++) {
      set_i(b, 0, i, port * 1000 + i);
      set_s(b, 1, i, port ? "right" : "left");
      b->rowtime[i] = T(0, 0, 0, 2 * i + port); /* port 0 even ms, port 1 odd ms */
    }
    b->n = 1000;
    assert_int_equal(op->push(op, port, b, &err), SLUICE_OK);
  }
  bound(op, 0, T(0, 0, 5, 0));
  bound(op, 1, T(0, 0, 5, 0));
  assert_int_equal(cap->nrows, 2000);
  assert_int_equal(cap->max_batch, CORE_BATCH_CAP);
  /* 1999 rows go when port 1's rows arrive (1024 + 975), the last one on the bound */
  assert_int_equal(cap->batches, 3);
  assert_string_equal(cap->rows[0], "00:00:00, 0, left");
  assert_string_equal(cap->rows[1], "00:00:00.001, 1000, right");
  assert_string_equal(cap->rows[1998], "00:00:01.998, 999, left");
  assert_string_equal(cap->rows[1999], "00:00:01.999, 1999, right");
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_out_of_order_row(void **state) {
  (void)state;
  errlog log = {0};
  exec_ctx ctx = ctx_with(&log);
  capture *cap;
  exec_op *op = new_union(&ctx, 2, &cap);
  bound(op, 0, T(0, 0, 5, 0));
  push_rows(op, 0, (int[]){4, 6}, 2);
  assert_int_equal(log.n, 1);
  assert_string_equal(log.lines[0],
                      "OutOfOrderRowtime: union input 0: ROWTIME 2024-01-01 00:00:04.000 is before "
                      "2024-01-01 00:00:05.000, where the input already was");
  bound(op, 1, T(0, 0, 7, 0));
  assert_rows(cap, "00:00:06, 6, p0-6");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* Strings bigger than the row store's chunks, some kept when the operator is freed: they
 * come out intact and nothing leaks (the ASan build checks the latter). */
static void test_large_strings(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = new_union(&ctx, 2, &cap);
  enum { N = 12, LEN = 30000 };
  char *text = malloc(100001);
  core_batch *b = core_batch_new(2, cols, N);
  for (int i = 0; i < N; i++) {
    size_t len = i == 5 ? 100000 : LEN; /* one larger than a whole chunk */
    memset(text, 'a' + i, len);
    text[len] = 0;
    set_i(b, 0, i, i);
    set_s(b, 1, i, text);
    b->rowtime[i] = T(0, 0, i, 0);
  }
  b->n = N;
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  core_batch_free(b);
  bound(op, 1, T(0, 0, 7, 0)); /* rows 0..7 go, 8..11 stay buffered */
  assert_int_equal(cap->nrows, 8);
  for (int i = 0; i < 8; i++) {
    const char *row = cap->rows[i];
    const char *v = strchr(strchr(row, ',') + 1, ',') + 2;
    size_t len = i == 5 ? 100000 : LEN;
    assert_int_equal(strlen(v), len);
    assert_int_equal(v[0], 'a' + i);
    assert_int_equal(v[len - 1], 'a' + i);
  }
  free(text);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_merge_interleaved_ports), cmocka_unit_test(test_idle_port_holds_merge),
      cmocka_unit_test(test_ties_in_arrival_order),   cmocka_unit_test(test_batch_passes_through),
      cmocka_unit_test(test_multi_batch_output),      cmocka_unit_test(test_out_of_order_row),
      cmocka_unit_test(test_large_strings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

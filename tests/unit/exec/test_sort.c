/* test_sort.c — streaming ORDER BY and T-sort (exec_sort_new): reordering within the
 * WITHIN interval, LateRow beyond it, release on bounds, stable ties, NULL keys, groups
 * of a time-based leading key released on key change or on a bound's key, multi-batch
 * outputs, strings, and the rules on keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/exec/jo_capture.h"

/* (ts TIMESTAMP, id INTEGER, name VARCHAR) */
static const core_type cols[3] = {
    {.id = CORE_T_TIMESTAMP}, {.id = CORE_T_INTEGER}, {.id = CORE_T_VARCHAR, .precision = 16}};

typedef struct in_row {
  int64_t ts; /* ms after 00:00:00; -1 = NULL */
  int id;
  const char *name;
} in_row;

/* Pushes rows with ROWTIME = rowtime (the T-sort input's own ROWTIME does not matter). */
static void push(exec_op *op, const in_row *rows, int n, int64_t rowtime) {
  core_batch *b = core_batch_new(3, cols, 64);
  for (int i = 0; i < n; i++) {
    if (rows[i].ts < 0)
      set_null(b, 0, i);
    else
      set_i(b, 0, i, TBASE + rows[i].ts);
    set_i(b, 1, i, rows[i].id);
    set_s(b, 2, i, rows[i].name);
    b->rowtime[i] = rowtime;
  }
  b->n = n;
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  core_batch_reset(b); /* what the sort kept must not point into the batch */
  memset(b->cols[2].u.s, 0, sizeof(core_str) * 64);
  core_batch_free(b);
}

static void bound(exec_op *op, int64_t t) {
  core_error err = {0};
  assert_int_equal(op->bound(op, 0, t, &err), SLUICE_OK);
}

static exec_op *tsort(exec_ctx *ctx, const exec_sort_key *keys, int nkeys, int64_t within,
                      capture **cap) {
  core_error err = {0};
  exec_op *op = exec_sort_new(ctx, 3, cols, keys, nkeys, within, 0, &err);
  assert_non_null(op);
  *cap = capture_new(NULL, 0);
  capture_attach(op, *cap);
  return op;
}

static const exec_sort_key by_ts[1] = {{0, false}};

static void test_tsort_reorders_within_interval(void **state) {
  (void)state;
  errlog log = {0};
  exec_ctx ctx = ctx_with(&log);
  capture *cap;
  exec_op *op = tsort(&ctx, by_ts, 1, 2000, &cap);
  int64_t rt = T(5, 0, 0, 0);
  push(op, (in_row[]){{10000, 1, "a"}}, 1, rt);
  assert_int_equal(cap->nrows, 0); /* release point 8s */
  push(op, (in_row[]){{12000, 2, "b"}, {11000, 3, "c"}, {13000, 4, "d"}}, 3, rt);
  assert_rows(cap, "00:00:10, 00:00:10, 1, a"); /* release point 11s */
  assert_int_equal(capture_last_bound(cap), T(0, 0, 11, 0));
  push(op, (in_row[]){{15000, 5, "e"}, {14000, 6, "f"}}, 2, rt);
  assert_rows(cap, "00:00:10, 00:00:10, 1, a", "00:00:11, 00:00:11, 3, c",
              "00:00:12, 00:00:12, 2, b"); /* release point 13s */
  /* 12s is beyond the interval (before 13s): LateRow; 13s is just within it */
  push(op, (in_row[]){{12000, 7, "late"}, {13000, 8, "g"}}, 2, rt);
  assert_int_equal(log.n, 1);
  assert_string_equal(log.lines[0], "LateRow: row is late: its t-sort key 2024-01-01 00:00:12.000 "
                                    "is before 2024-01-01 00:00:13.000, the point already "
                                    "released (within 2000 ms)");
  assert_int_equal(ctx.errors, 1);
  assert_int_equal(cap->nrows, 3);
  assert_int_equal(capture_last_bound(cap), T(0, 0, 13, 0));
  /* an input bound at 16s moves the release point to 14s: both 13s rows, in arrival order */
  bound(op, T(0, 0, 16, 0));
  assert_int_equal(cap->nrows, 5);
  assert_string_equal(cap->rows[3], "00:00:13, 00:00:13, 4, d");
  assert_string_equal(cap->rows[4], "00:00:13, 00:00:13, 8, g");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 14, 0));
  bound(op, T(0, 0, 30, 0));
  assert_int_equal(cap->nrows, 7);
  assert_string_equal(cap->rows[5], "00:00:14, 00:00:14, 6, f");
  assert_string_equal(cap->rows[6], "00:00:15, 00:00:15, 5, e");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 28, 0));
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* Equal keys keep arrival order; a second key orders within equal timestamps; NULL
 * timestamps are discarded without an error. */
static void test_tsort_stable_ties(void **state) {
  (void)state;
  errlog log = {0};
  exec_ctx ctx = ctx_with(&log);
  capture *cap;
  exec_op *op = tsort(&ctx, by_ts, 1, 1000, &cap);
  push(op,
       (in_row[]){{5000, 1, "x"}, {4000, 2, "y"}, {5000, 3, "z"}, {-1, 9, "null"}, {4000, 4, "w"}},
       5, 0);
  bound(op, T(0, 1, 0, 0));
  assert_rows(cap, "00:00:04, 00:00:04, 2, y", "00:00:04, 00:00:04, 4, w",
              "00:00:05, 00:00:05, 1, x", "00:00:05, 00:00:05, 3, z");
  assert_int_equal(log.n, 0);
  exec_op_free(op);
  exec_op_free(&cap->op);

  static const exec_sort_key ts_then_id_desc[2] = {{0, false}, {1, true}};
  op = tsort(&ctx, ts_then_id_desc, 2, 1000, &cap);
  push(op, (in_row[]){{5000, 1, "x"}, {4000, 2, "y"}, {5000, 3, "z"}, {4000, 4, "w"}}, 4, 0);
  bound(op, T(0, 1, 0, 0));
  assert_rows(cap, "00:00:04, 00:00:04, 4, w", "00:00:04, 00:00:04, 2, y",
              "00:00:05, 00:00:05, 3, z", "00:00:05, 00:00:05, 1, x");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* ---- ORDER BY FLOOR(s.ROWTIME TO MINUTE), score DESC: (minute TIMESTAMP, score DOUBLE,
 * name VARCHAR) ---- */

static const core_type ocols[3] = {
    {.id = CORE_T_TIMESTAMP}, {.id = CORE_T_DOUBLE}, {.id = CORE_T_VARCHAR, .precision = 16}};
static const exec_sort_key by_minute_score_desc[2] = {{0, false}, {1, true}};

static void push_scored(exec_op *op, int64_t rowtime, double score, const char *name) {
  core_batch *b = core_batch_new(3, ocols, 4);
  set_i(b, 0, 0, core_floor_div(rowtime, 60000) * 60000);
  set_d(b, 1, 0, score);
  set_s(b, 2, 0, name);
  b->rowtime[0] = rowtime;
  b->n = 1;
  core_error err = {0};
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  core_batch_reset(b);
  memset(b->cols[2].u.s, 0, sizeof(core_str) * 4);
  core_batch_free(b);
}

static int floor_minute(void *arg, int64_t t, core_value *out) {
  (void)arg;
  memset(out, 0, sizeof *out);
  out->type.id = CORE_T_TIMESTAMP;
  out->u.i = core_floor_div(t, 60000) * 60000;
  return SLUICE_OK;
}

static void test_order_by_groups(void **state) {
  (void)state;
  errlog log = {0};
  exec_ctx ctx = ctx_with(&log);
  core_error err = {0};
  exec_op *op = exec_sort_new(&ctx, 3, ocols, by_minute_score_desc, 2, 0, -1, &err);
  assert_non_null(op);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  push_scored(op, T(10, 0, 5, 0), 1, "a");
  push_scored(op, T(10, 0, 20, 0), 5, "b");
  push_scored(op, T(10, 0, 40, 0), 3, "c");
  push_scored(op, T(10, 0, 50, 0), 5, "d");
  assert_int_equal(cap->nrows, 0);
  assert_int_equal(capture_last_bound(cap), T(10, 0, 50, 0));
  push_scored(op, T(10, 1, 10, 0), 2, "e"); /* the leading key changes: 10:00 is complete */
  assert_rows(cap, "10:00:50, 10:00:00, 5, b", "10:00:50, 10:00:00, 5, d",
              "10:00:50, 10:00:00, 3, c", "10:00:50, 10:00:00, 1, a");
  /* without key_of_time a bound cannot close the 10:01 group */
  bound(op, T(10, 5, 0, 0));
  assert_int_equal(cap->nrows, 4);
  assert_int_equal(capture_last_bound(cap), T(10, 1, 10, 0));
  /* a row whose minute was released is late */
  core_batch *b = core_batch_new(3, ocols, 1);
  set_i(b, 0, 0, T(10, 0, 0, 0));
  set_d(b, 1, 0, 1);
  set_s(b, 2, 0, "late");
  b->rowtime[0] = T(10, 1, 20, 0);
  b->n = 1;
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_int_equal(log.n, 1);
  assert_string_equal(
      log.lines[0], "LateRow: row is late: its leading order key is before rows already released");
  assert_int_equal(core_batch_live(b), 0); /* deselected */
  assert_int_equal(cap->nrows, 4);
  core_batch_free(b);
  exec_op_free(op);
  log.n = 0;
  exec_op_free(&cap->op);

  /* with key_of_time: a bound whose minute is past the group's closes it, not earlier */
  op = exec_sort_new(&ctx, 3, ocols, by_minute_score_desc, 2, 0, -1, &err);
  cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  assert_int_equal(exec_sort_set_key_of_time(op, floor_minute, NULL), SLUICE_OK);
  push_scored(op, T(10, 1, 10, 0), 2, "e");
  push_scored(op, T(10, 1, 30, 0), 7, "g");
  bound(op, T(10, 1, 59, 999));
  assert_int_equal(cap->nrows, 0);
  bound(op, T(10, 2, 0, 0));
  assert_rows(cap, "10:01:30, 10:01:00, 7, g", "10:01:30, 10:01:00, 2, e");
  assert_int_equal(capture_last_bound(cap), T(10, 2, 0, 0));
  push_scored(op, T(10, 2, 1, 0), 1, "h");
  b = core_batch_new(3, ocols, 1);
  set_i(b, 0, 0, T(10, 1, 0, 0)); /* leading key 10:01, already released */
  set_d(b, 1, 0, 1);
  set_s(b, 2, 0, "late");
  b->rowtime[0] = T(10, 2, 2, 0);
  b->n = 1;
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  assert_int_equal(log.n, 1); /* below the open 10:02 group */
  assert_int_equal(cap->nrows, 2);
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* ORDER BY ROWTIME itself: exec_key_of_time_rowtime closes a group once the bound is
 * past it (a bound equal to it does not: rows of that instant may still come). */
static void test_order_by_rowtime_key(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  core_error err = {0};
  static const exec_sort_key by_ts_name[2] = {{0, false}, {2, false}};
  exec_op *op = exec_sort_new(&ctx, 3, cols, by_ts_name, 2, 0, -1, &err);
  assert_int_equal(exec_sort_set_key_of_time(op, exec_key_of_time_rowtime, NULL), SLUICE_OK);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  push(op, (in_row[]){{1000, 1, "zed"}, {1000, 2, "amy"}}, 2, T(0, 0, 1, 0));
  bound(op, T(0, 0, 1, 0));
  assert_int_equal(cap->nrows, 0);
  bound(op, T(0, 0, 1, 1));
  assert_rows(cap, "00:00:01, 00:00:01, 2, amy", "00:00:01, 00:00:01, 1, zed");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* A group larger than a batch goes out in batches of at most CORE_BATCH_CAP rows, sorted
 * across the batch boundary. */
static void test_multi_batch_output(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  core_error err = {0};
  exec_op *op = exec_sort_new(&ctx, 3, ocols, by_minute_score_desc, 2, 0, -1, &err);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  core_batch *b = core_batch_new(3, ocols, 1500);
  for (int i = 0; i < 1500; i++) {
    set_i(b, 0, i, T(10, 0, 0, 0));
    set_d(b, 1, i, (i * 7) % 1500); /* a permutation of 0..1499 */
    set_s(b, 2, i, i % 2 ? "odd" : "even");
    b->rowtime[i] = T(10, 0, 0, 0) + i;
  }
  b->n = 1500;
  assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  core_batch_free(b);
  push_scored(op, T(10, 1, 0, 0), 0, "next");
  assert_int_equal(cap->nrows, 1500);
  assert_int_equal(cap->batches, 2);
  assert_int_equal(cap->max_batch, CORE_BATCH_CAP);
  char want[64];
  for (int i = 0; i < 1500; i++) {
    int src = 0; /* the input row with score 1499 - i */
    while ((src * 7) % 1500 != 1499 - i) src++;
    snprintf(want, sizeof want, "10:00:01.499, 10:00:00, %d, %s", 1499 - i,
             src % 2 ? "odd" : "even");
    assert_string_equal(cap->rows[i], want);
  }
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_key_rules(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  core_error err = {0};
  static const exec_sort_key desc_lead[1] = {{0, true}};
  assert_null(exec_sort_new(&ctx, 3, cols, desc_lead, 1, 0, -1, &err));
  assert_int_equal(err.code, SLUICE_UNSUPPORTED);
  assert_string_equal(err.message, "the leading key of a streaming ORDER BY must be ascending");
  static const exec_sort_key by_id[1] = {{1, false}};
  assert_null(exec_sort_new(&ctx, 3, cols, by_id, 1, 1000, 1, &err));
  assert_int_equal(err.code, SLUICE_UNSUPPORTED);
  assert_string_equal(err.message, "the leading key of ORDER BY ... WITHIN must be the TIMESTAMP "
                                   "aliased AS ROWTIME");
  capture *cap = capture_new(NULL, 0);
  assert_int_equal(exec_sort_set_key_of_time(&cap->op, floor_minute, NULL), SLUICE_INVALID);
  exec_op_free(&cap->op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tsort_reorders_within_interval),
      cmocka_unit_test(test_tsort_stable_ties),
      cmocka_unit_test(test_order_by_groups),
      cmocka_unit_test(test_order_by_rowtime_key),
      cmocka_unit_test(test_multi_batch_output),
      cmocka_unit_test(test_key_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

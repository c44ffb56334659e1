/* test_join.c — stream-to-stream joins (exec_join_new): the six orders/shipments
 * variants of spec 8.20 with their exact rows, outer rows only after the opposite
 * window passed, null extension, many-to-many, ROWS windows, keyless windows,
 * bounds, strings, multi-batch outputs and row errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/exec/jo_capture.h"

/* ---- spec 8.20: ORDERS_STREAM(orderid, orderrowtime), SHIPMENTS_STREAM(orderid,
 * shipmentrowtime); output columns 0 o.orderid, 1 o.orderrowtime, 2 s.orderid,
 * 3 s.shipmentrowtime ---- */

static const core_type two_cols[2] = {{.id = CORE_T_INTEGER}, {.id = CORE_T_TIMESTAMP}};
static const int key0[1] = {0};

typedef struct event {
  int port; /* 0 orders, 1 shipments */
  int id;
  int64_t t;
} event;

/* The source stream in arrival order. At 10:00:45 the shipment of 104 arrives before the
 * order 100: the order in which spec 8.20 lists the two matches of that instant. */
static const event source[] = {
    {0, 101, 0}, /* times are seconds after 10:00:00 */
    {1, 100, 0}, {0, 102, 20}, {0, 103, 30}, {0, 104, 40}, {1, 104, 45}, {0, 100, 45}, {1, 105, 50},
};
#define NSOURCE ((int)(sizeof source / sizeof source[0]))

static exec_join_side orders_side(bool windowed) {
  exec_join_side s = {.ncols = 2, .types = two_cols, .keys = key0};
  if (windowed) {
    s.windowed = true;
    s.frame = EXEC_FRAME_RANGE;
    s.range_ms = 60000;
  }
  return s;
}

static void push_one(exec_op *op, int port, int id, int64_t t) {
  core_batch *b = core_batch_new(2, two_cols, 4);
  set_i(b, 0, 0, id);
  set_i(b, 1, 0, t);
  b->rowtime[0] = t;
  b->n = 1;
  core_error err = {0};
  assert_int_equal(op->push(op, port, b, &err), SLUICE_OK);
  core_batch_free(b);
}

static void bound(exec_op *op, int port, int64_t t) {
  core_error err = {0};
  assert_int_equal(op->bound(op, port, t, &err), SLUICE_OK);
}

static void feed_source(exec_op *op) {
  for (int i = 0; i < NSOURCE; i++)
    push_one(op, source[i].port, source[i].id, T(10, 0, 0, 0) + source[i].t * 1000);
}

static exec_op *variant(exec_ctx *ctx, int kind, bool ship_window, const int *view, int nview,
                        capture **cap) {
  exec_join_config c = {
      .kind = kind, .left = orders_side(true), .right = orders_side(ship_window), .nkeys = 1};
  core_error err = {0};
  exec_op *op = exec_join_new(ctx, &c, &err);
  assert_non_null(op);
  *cap = capture_new(view, nview);
  capture_attach(op, *cap);
  return op;
}

static void finish(exec_op *op) {
  bound(op, 0, T(10, 5, 0, 0));
  bound(op, 1, T(10, 5, 0, 0));
}

static void assert_bounds_ascending(const capture *c) {
  for (int i = 1; i < c->nbounds; i++) assert_true(c->bounds[i] > c->bounds[i - 1]);
}

/* (resultrowtime, orderid, shipmenttime, ordertime) */
static const int view_ost[3] = {0, 3, 1};

static void test_8_20_1_inner_o1_s0(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_INNER, false, view_ost, 3, &cap);
  feed_source(op);
  finish(op);
  assert_rows(cap, "10:00:45, 104, 10:00:45, 10:00:40");
  assert_bounds_ascending(cap);
  assert_int_equal(capture_last_bound(cap), T(10, 5, 0, 0));
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_8_20_2_inner_o1_s1(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_INNER, true, view_ost, 3, &cap);
  feed_source(op);
  finish(op);
  assert_rows(cap, "10:00:45, 104, 10:00:45, 10:00:40", "10:00:45, 100, 10:00:00, 10:00:45");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_8_20_3_right_o1_s0(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  static const int view[2] = {2, 1}; /* s.orderid, o.ROWTIME */
  exec_op *op = variant(&ctx, PARSE_JOIN_RIGHT, false, view, 2, &cap);
  feed_source(op);
  finish(op);
  assert_rows(cap, "10:00:00, 100, NULL", "10:00:45, 104, 10:00:40", "10:00:50, 105, NULL");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_8_20_4_right_o1_s1(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  static const int view[3] = {2, 3, 1}; /* s.orderid, shipmenttime, ordertime */
  exec_op *op = variant(&ctx, PARSE_JOIN_RIGHT, true, view, 3, &cap);
  feed_source(op);
  finish(op);
  assert_rows(cap, "10:00:45, 104, 10:00:45, 10:00:40", "10:00:45, 100, 10:00:00, 10:00:45",
              "10:01:50, 105, 10:00:50, NULL");
  assert_bounds_ascending(cap);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static const int view_oo[2] = {0, 1}; /* o.orderid, o.ROWTIME */

static void test_8_20_5_left_o1_s0(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_LEFT, false, view_oo, 2, &cap);
  feed_source(op);
  finish(op);
  assert_rows(cap, "10:00:45, 104, 10:00:40", "10:01:00, 101, 10:00:00", "10:01:20, 102, 10:00:20",
              "10:01:30, 103, 10:00:30", "10:01:45, 100, 10:00:45");
  assert_bounds_ascending(cap);
  assert_int_equal(capture_last_bound(cap), T(10, 5, 0, 0));
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_8_20_6_left_o1_s1(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_LEFT, true, view_ost, 3, &cap);
  feed_source(op);
  finish(op);
  assert_rows(cap, "10:00:45, 104, 10:00:45, 10:00:40", "10:00:45, 100, 10:00:00, 10:00:45",
              "10:01:00, 101, NULL, 10:00:00", "10:01:20, 102, NULL, 10:00:20",
              "10:01:30, 103, NULL, 10:00:30");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* The inputs need not arrive interleaved: all orders in one batch, then all shipments,
 * give the same rows (the join merges its inputs by ROWTIME). */
static void test_8_20_5_inputs_out_of_step(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_LEFT, false, view_oo, 2, &cap);
  core_batch *o = core_batch_new(2, two_cols, 8), *s = core_batch_new(2, two_cols, 8);
  for (int i = 0; i < NSOURCE; i++) {
    core_batch *b = source[i].port == 0 ? o : s;
    int64_t t = T(10, 0, 0, 0) + source[i].t * 1000;
    set_i(b, 0, b->n, source[i].id);
    set_i(b, 1, b->n, t);
    b->rowtime[b->n++] = t;
  }
  core_error err = {0};
  assert_int_equal(op->push(op, 0, o, &err), SLUICE_OK);
  assert_int_equal(op->bound(op, 0, T(10, 5, 0, 0), &err), SLUICE_OK);
  assert_int_equal(cap->nrows, 0); /* nothing is known of the shipments yet */
  assert_int_equal(cap->nbounds, 0);
  assert_int_equal(op->push(op, 1, s, &err), SLUICE_OK);
  assert_int_equal(op->bound(op, 1, T(10, 5, 0, 0), &err), SLUICE_OK);
  assert_rows(cap, "10:00:45, 104, 10:00:40", "10:01:00, 101, 10:00:00", "10:01:20, 102, 10:00:20",
              "10:01:30, 103, 10:00:30", "10:01:45, 100, 10:00:45");
  core_batch_free(o);
  core_batch_free(s);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* Spec 7.3: an unmatched outer row appears only after the opposite window has passed. */
static void test_outer_waits_for_opposite_window(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_LEFT, false, view_oo, 2, &cap);
  feed_source(op);
  bound(op, 0, T(10, 5, 0, 0));
  bound(op, 1, T(10, 1, 0, 0)); /* a shipment at 10:01:00 could still match order 101 */
  assert_rows(cap, "10:00:45, 104, 10:00:40");
  assert_int_equal(capture_last_bound(cap), T(10, 1, 0, 0));
  bound(op, 1, T(10, 1, 0, 1)); /* one ms later it cannot */
  assert_rows(cap, "10:00:45, 104, 10:00:40", "10:01:00, 101, 10:00:00");
  assert_int_equal(capture_last_bound(cap), T(10, 1, 0, 1));
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* The null-extended row at 10:01:00 must also wait until its own input has passed
 * 10:01:00: an order at 10:00:55 could still be joined with an output at 10:00:55. */
static void test_outer_waits_for_own_input(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_LEFT, false, view_oo, 2, &cap);
  push_one(op, 0, 101, T(10, 0, 0, 0));
  bound(op, 1, T(10, 2, 0, 0));
  bound(op, 0, T(10, 0, 50, 0));
  assert_int_equal(cap->nrows, 0);
  push_one(op, 0, 7, T(10, 0, 55, 0));
  push_one(op, 1, 7, T(10, 2, 0, 0));
  bound(op, 0, T(10, 2, 0, 0));
  /* shipment 7 at 10:02:00 is outside order 7's window (10:00:55 + 1 min): both null */
  assert_rows(cap, "10:01:00, 101, 10:00:00", "10:01:55, 7, 10:00:55");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* FULL join, both windowed: many-to-many pairs (oldest partner first) and null rows on
 * both sides. Columns (k INTEGER, tag VARCHAR). */
static const core_type kv_cols[2] = {{.id = CORE_T_INTEGER},
                                     {.id = CORE_T_VARCHAR, .precision = 8}};

static void push_kv(exec_op *op, int port, int k, const char *tag, int64_t t) {
  core_batch *b = core_batch_new(2, kv_cols, 4);
  if (k < 0)
    set_null(b, 0, 0);
  else
    set_i(b, 0, 0, k);
  set_s(b, 1, 0, tag);
  b->rowtime[0] = t;
  b->n = 1;
  core_error err = {0};
  assert_int_equal(op->push(op, port, b, &err), SLUICE_OK);
  /* the operator must have copied what it keeps */
  core_batch_reset(b);
  memset(b->cols[1].u.s, 0, sizeof(core_str) * 4);
  core_batch_free(b);
}

static exec_join_side kv_side(exec_frame frame, int64_t n) {
  exec_join_side s = {.ncols = 2, .types = kv_cols, .keys = key0, .windowed = true, .frame = frame};
  if (frame == EXEC_FRAME_RANGE)
    s.range_ms = n;
  else
    s.rows = n;
  return s;
}

static void test_full_many_to_many(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  exec_join_config c = {.kind = PARSE_JOIN_FULL,
                        .left = kv_side(EXEC_FRAME_RANGE, 10000),
                        .right = kv_side(EXEC_FRAME_RANGE, 10000),
                        .nkeys = 1};
  core_error err = {0};
  exec_op *op = exec_join_new(&ctx, &c, &err);
  assert_non_null(op);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  push_kv(op, 0, 1, "a1", T(0, 0, 1, 0));
  push_kv(op, 0, 1, "a2", T(0, 0, 2, 0));
  push_kv(op, 0, 2, "a3", T(0, 0, 2, 0));
  push_kv(op, 1, 1, "b1", T(0, 0, 3, 0));
  push_kv(op, 1, 1, "b2", T(0, 0, 4, 0));
  push_kv(op, 0, 1, "a4", T(0, 0, 5, 0));
  push_kv(op, 1, 3, "b3", T(0, 0, 6, 0));
  push_kv(op, 1, -1, "bn", T(0, 0, 7, 0)); /* a NULL key matches nothing */
  bound(op, 0, T(0, 1, 0, 0));
  bound(op, 1, T(0, 1, 0, 0));
  assert_rows(cap, "00:00:03, 1, a1, 1, b1", "00:00:03, 1, a2, 1, b1", "00:00:04, 1, a1, 1, b2",
              "00:00:04, 1, a2, 1, b2", "00:00:05, 1, a4, 1, b1", "00:00:05, 1, a4, 1, b2",
              "00:00:12, 2, a3, NULL, NULL", "00:00:16, NULL, NULL, 3, b3",
              "00:00:17, NULL, NULL, NULL, bn");
  assert_bounds_ascending(cap);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* ROWS windows: the left keeps its last 2 rows (ROWS 1 PRECEDING); an unmatched left row
 * is null-extended when it leaves, with the ROWTIME of the row that pushed it out. */
static void test_rows_window_left_join(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  exec_join_side r = kv_side(EXEC_FRAME_RANGE, 0);
  r.windowed = false;
  exec_join_config c = {
      .kind = PARSE_JOIN_LEFT, .left = kv_side(EXEC_FRAME_ROWS, 1), .right = r, .nkeys = 1};
  core_error err = {0};
  exec_op *op = exec_join_new(&ctx, &c, &err);
  assert_non_null(op);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  push_kv(op, 0, 1, "a1", T(0, 0, 1, 0));
  push_kv(op, 0, 1, "a2", T(0, 0, 2, 0));
  bound(op, 1, T(0, 0, 3, 0));
  assert_int_equal(cap->nrows, 0);
  assert_int_equal(capture_last_bound(cap), T(0, 0, 2, 0)); /* a row at 2s may still come */
  push_kv(op, 0, 1, "a3", T(0, 0, 3, 0));                   /* a1 leaves the window */
  assert_rows(cap, "00:00:03, 1, a1, NULL, NULL");
  push_kv(op, 1, 1, "b1", T(0, 0, 4, 0)); /* sees a2 and a3 only */
  bound(op, 0, T(0, 0, 5, 0));
  assert_rows(cap, "00:00:03, 1, a1, NULL, NULL", "00:00:04, 1, a2, 1, b1",
              "00:00:04, 1, a3, 1, b1");
  push_kv(op, 0, 2, "a4", T(0, 0, 6, 0)); /* a2 leaves: it matched, no null row */
  push_kv(op, 0, 2, "a5", T(0, 0, 7, 0)); /* a3 leaves: matched too */
  push_kv(op, 0, 2, "a6", T(0, 0, 8, 0)); /* a4 leaves unmatched */
  bound(op, 1, T(0, 0, 9, 0));
  assert_rows(cap, "00:00:03, 1, a1, NULL, NULL", "00:00:04, 1, a2, 1, b1",
              "00:00:04, 1, a3, 1, b1", "00:00:08, 2, a4, NULL, NULL");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* No equi-join key (a windowed cross join): every row of the other window pairs. */
static void test_keyless_window(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  exec_join_side r = kv_side(EXEC_FRAME_RANGE, 0);
  r.windowed = false;
  exec_join_config c = {
      .kind = PARSE_JOIN_CROSS, .left = kv_side(EXEC_FRAME_RANGE, 2000), .right = r, .nkeys = 0};
  core_error err = {0};
  exec_op *op = exec_join_new(&ctx, &c, &err);
  assert_non_null(op);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  push_kv(op, 0, 1, "a1", T(0, 0, 1, 0));
  push_kv(op, 0, 2, "a2", T(0, 0, 2, 0));
  push_kv(op, 0, 3, "a3", T(0, 0, 3, 500));
  push_kv(op, 1, 9, "b1", T(0, 0, 3, 500)); /* window [1.5s, 3.5s]: a2 and a3 */
  bound(op, 0, T(0, 0, 10, 0));
  bound(op, 1, T(0, 0, 10, 0));
  assert_rows(cap, "00:00:03.500, 2, a2, 9, b1", "00:00:03.500, 3, a3, 9, b1");
  assert_int_equal(capture_last_bound(cap), T(0, 0, 10, 0));
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* RANGE windows include the lower endpoint: t - range matches, t - range - 1 does not. */
static void test_range_lower_endpoint(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  exec_join_side r = kv_side(EXEC_FRAME_RANGE, 0);
  r.windowed = false;
  exec_join_config c = {
      .kind = PARSE_JOIN_INNER, .left = kv_side(EXEC_FRAME_RANGE, 1000), .right = r, .nkeys = 1};
  core_error err = {0};
  exec_op *op = exec_join_new(&ctx, &c, &err);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  push_kv(op, 0, 1, "old", T(0, 0, 0, 999));
  push_kv(op, 0, 1, "edge", T(0, 0, 1, 0));
  push_kv(op, 1, 1, "b", T(0, 0, 2, 0));
  bound(op, 0, T(0, 0, 3, 0));
  assert_rows(cap, "00:00:02, 1, edge, 1, b");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* More matches than a batch holds: several output batches of at most CORE_BATCH_CAP rows;
 * the buffer and its index grow far past their first size. */
static void test_multi_batch_output(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  exec_join_side r = kv_side(EXEC_FRAME_RANGE, 0);
  r.windowed = false;
  exec_join_config c = {
      .kind = PARSE_JOIN_INNER, .left = kv_side(EXEC_FRAME_RANGE, 60000), .right = r, .nkeys = 1};
  core_error err = {0};
  exec_op *op = exec_join_new(&ctx, &c, &err);
  capture *cap = capture_new(NULL, 0);
  capture_attach(op, cap);
  enum { N = 2500 };
  core_batch *b = core_batch_new(2, kv_cols, 1000);
  char tag[16];
  for (int i = 0; i < N;) {
    core_batch_reset(b);
    for (; b->n < 1000 && i < N; i++, b->n++) {
      set_i(b, 0, b->n, i % 2); /* half the rows have key 0, half key 1 */
      snprintf(tag, sizeof tag, "a%d", i);
      set_s(b, 1, b->n, tag);
      b->rowtime[b->n] = T(0, 0, 1, 0) + i;
    }
    assert_int_equal(op->push(op, 0, b, &err), SLUICE_OK);
  }
  core_batch_free(b);
  push_kv(op, 1, 1, "b", T(0, 0, 30, 0));
  bound(op, 0, T(0, 0, 31, 0));
  assert_int_equal(cap->nrows, N / 2);
  assert_true(cap->batches >= 2);
  assert_int_equal(cap->max_batch, CORE_BATCH_CAP);
  assert_string_equal(cap->rows[0], "00:00:30, 1, a1, 1, b");
  assert_string_equal(cap->rows[N / 2 - 1], "00:00:30, 1, a2499, 1, b");
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* The output bound is the least of the input bounds (with nothing buffered). */
static void test_bound_is_minimum(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_INNER, true, NULL, 0, &cap);
  bound(op, 0, T(0, 0, 5, 0));
  assert_int_equal(cap->nbounds, 0); /* the right input has said nothing yet */
  bound(op, 1, T(0, 0, 3, 0));
  assert_int_equal(capture_last_bound(cap), T(0, 0, 3, 0));
  bound(op, 1, T(0, 0, 8, 0));
  assert_int_equal(capture_last_bound(cap), T(0, 0, 5, 0));
  assert_int_equal(cap->nbounds, 2);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

/* A row earlier than its input's previous row or bound is a row error, not a failure. */
static void test_out_of_order_row_error(void **state) {
  (void)state;
  errlog log = {0};
  exec_ctx ctx = ctx_with(&log);
  capture *cap;
  exec_op *op = variant(&ctx, PARSE_JOIN_INNER, true, NULL, 0, &cap);
  push_one(op, 0, 1, T(10, 0, 5, 0));
  push_one(op, 0, 2, T(10, 0, 4, 0));
  assert_int_equal(log.n, 1);
  assert_string_equal(log.lines[0],
                      "OutOfOrderRowtime: join input 0: ROWTIME 2024-01-01 10:00:04.000 is before "
                      "2024-01-01 10:00:05.000, where the input already was");
  assert_int_equal(ctx.errors, 1);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

static void test_needs_a_window(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  exec_join_config c = {.kind = PARSE_JOIN_INNER,
                        .left = orders_side(false),
                        .right = orders_side(false),
                        .nkeys = 1};
  core_error err = {0};
  assert_null(exec_join_new(&ctx, &c, &err));
  assert_int_equal(err.code, SLUICE_INVALID);
  assert_string_equal(err.message,
                      "a stream-to-stream join needs a window (OVER) on at least one side");
  exec_join_side l = orders_side(true);
  l.types = kv_cols; /* key INTEGER = INTEGER, fine; now make it VARCHAR = INTEGER */
  static const int key1[1] = {1};
  l.keys = key1;
  exec_join_config d = {
      .kind = PARSE_JOIN_INNER, .left = l, .right = orders_side(false), .nkeys = 1};
  assert_null(exec_join_new(&ctx, &d, &err));
  assert_int_equal(err.code, SLUICE_UNSUPPORTED);
  assert_string_equal(err.message, "join key 1 compares VARCHAR with INTEGER: cast one side first");
}

/* ---- residuals: the ON condition beyond the equi-join keys, compiled by expr.c ---- */

/* A layout where a PLAN_E_COLUMN node's index is the column of the combined row. */
static int combined_find(void *arg, const plan_expr *e) {
  (void)arg;
  return e->kind == PLAN_E_COLUMN ? e->u.column.index : -1;
}

static plan_expr *col_expr(core_arena *a, int index, core_type_id id) {
  plan_expr *e = core_arena_zalloc(a, sizeof *e);
  e->kind = PLAN_E_COLUMN;
  e->type.id = (uint8_t)id;
  e->u.column.index = index;
  return e;
}

static plan_expr *binary_expr(core_arena *a, parse_op op, plan_expr *l, plan_expr *r,
                              core_type_id id) {
  plan_expr *e = core_arena_zalloc(a, sizeof *e);
  e->kind = PLAN_E_BINARY;
  e->type.id = (uint8_t)id;
  e->u.binary.op = op;
  e->u.binary.left = l;
  e->u.binary.right = r;
  return e;
}

static exec_expr *compile_residual(core_arena *a, plan_expr *e) {
  exec_layout lay = {.find = combined_find};
  exec_expr *x = NULL;
  core_error err = {0};
  assert_int_equal(exec_expr_compile(e, &lay, a, &x, &err), SLUICE_OK);
  return x;
}

/* O1 LEFT JOIN S1 ON o.orderid = s.orderid AND s.shipmentrowtime >= o.orderrowtime: the
 * pair of order 100 (shipped before it was ordered) fails the residual, so order 100 never
 * matched and is null-extended at 10:01:45. */
static void test_residual_filters_pairs(void **state) {
  (void)state;
  exec_ctx ctx = {0};
  core_arena *a = core_arena_new(0);
  plan_expr *e = binary_expr(a, PARSE_OP_GE, col_expr(a, 3, CORE_T_TIMESTAMP),
                             col_expr(a, 1, CORE_T_TIMESTAMP), CORE_T_BOOLEAN);
  exec_join_config c = {.kind = PARSE_JOIN_LEFT,
                        .left = orders_side(true),
                        .right = orders_side(true),
                        .nkeys = 1,
                        .residual = compile_residual(a, e)};
  core_error err = {0};
  exec_op *op = exec_join_new(&ctx, &c, &err);
  assert_non_null(op);
  capture *cap = capture_new(view_ost, 3);
  capture_attach(op, cap);
  feed_source(op);
  finish(op);
  assert_rows(cap, "10:00:45, 104, 10:00:45, 10:00:40", "10:01:00, 101, NULL, 10:00:00",
              "10:01:20, 102, NULL, 10:00:20", "10:01:30, 103, NULL, 10:00:30",
              "10:01:45, 100, NULL, 10:00:45");
  exec_op_free(op);
  exec_op_free(&cap->op);
  core_arena_free(a);
}

/* A residual that fails on a pair (division by zero) reports the pair and drops it. */
static void test_residual_row_error(void **state) {
  (void)state;
  errlog log = {0};
  exec_ctx ctx = ctx_with(&log);
  core_arena *a = core_arena_new(0);
  /* o.orderid / (s.orderid - o.orderid) >= o.orderid: always divides by zero */
  plan_expr *diff = binary_expr(a, PARSE_OP_SUB, col_expr(a, 2, CORE_T_INTEGER),
                                col_expr(a, 0, CORE_T_INTEGER), CORE_T_INTEGER);
  plan_expr *div =
      binary_expr(a, PARSE_OP_DIV, col_expr(a, 0, CORE_T_INTEGER), diff, CORE_T_INTEGER);
  plan_expr *e = binary_expr(a, PARSE_OP_GE, div, col_expr(a, 0, CORE_T_INTEGER), CORE_T_BOOLEAN);
  exec_join_config c = {.kind = PARSE_JOIN_INNER,
                        .left = orders_side(true),
                        .right = orders_side(true),
                        .nkeys = 1,
                        .residual = compile_residual(a, e)};
  core_error err = {0};
  exec_op *op = exec_join_new(&ctx, &c, &err);
  capture *cap = capture_new(view_ost, 3);
  capture_attach(op, cap);
  feed_source(op);
  finish(op);
  assert_int_equal(cap->nrows, 0);
  assert_int_equal(ctx.errors, 2); /* the pairs of 104 and of 100 */
  assert_int_equal(log.n, 2);
  assert_true(strncmp(log.lines[0], "DivideByZero: ", 14) == 0);
  exec_op_free(op);
  exec_op_free(&cap->op);
  core_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_8_20_1_inner_o1_s0),
      cmocka_unit_test(test_8_20_2_inner_o1_s1),
      cmocka_unit_test(test_8_20_3_right_o1_s0),
      cmocka_unit_test(test_8_20_4_right_o1_s1),
      cmocka_unit_test(test_8_20_5_left_o1_s0),
      cmocka_unit_test(test_8_20_6_left_o1_s1),
      cmocka_unit_test(test_8_20_5_inputs_out_of_step),
      cmocka_unit_test(test_outer_waits_for_opposite_window),
      cmocka_unit_test(test_outer_waits_for_own_input),
      cmocka_unit_test(test_full_many_to_many),
      cmocka_unit_test(test_rows_window_left_join),
      cmocka_unit_test(test_keyless_window),
      cmocka_unit_test(test_range_lower_endpoint),
      cmocka_unit_test(test_multi_batch_output),
      cmocka_unit_test(test_bound_is_minimum),
      cmocka_unit_test(test_out_of_order_row_error),
      cmocka_unit_test(test_needs_a_window),
      cmocka_unit_test(test_residual_filters_pairs),
      cmocka_unit_test(test_residual_row_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

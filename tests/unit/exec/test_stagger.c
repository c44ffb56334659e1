/*
 * test_stagger.c — stagger windows (exec/stagger.c): the worked example of spec 4.5 and
 * example 8.12 with their exact rows and ROWTIMEs, windows reopening, the half-open end,
 * simultaneous closes in opening order over several output batches, NULL keys, bounds.
 */
#include "window_test.h"

#define MIN_MS 60000

typedef struct rig {
  exec_ctx ctx;
  capture *cap;
  exec_op *op;
  core_batch *in;
} rig;

static void rig_init(rig *r, const exec_stagger_config *c) {
  memset(r, 0, sizeof *r);
  core_error e;
  memset(&e, 0, sizeof e);
  r->op = exec_stagger_new(&r->ctx, c, &e);
  if (!r->op) print_message("exec_stagger_new: %s\n", e.message);
  assert_non_null(r->op);
  r->cap = cap_new();
  r->op->next = &r->cap->op;
  r->in = core_batch_new(c->ninput, c->input_types, CORE_BATCH_CAP);
  assert_non_null(r->in);
}

static void rig_free(rig *r) {
  exec_op_free(r->op);
  exec_op_free(&r->cap->op);
  core_batch_free(r->in);
}

/* Spec 4.5: PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1'
 * MINUTE, COUNT(TICKER_SYMBOL). Columns: ticker, FLOOR(event time TO MINUTE). */
static void test_spec_4_5_worked_example(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_TIMESTAMP)};
  int keys[] = {1, 0};
  exec_agg aggs[] = {agg("COUNT", 0, ty(CORE_T_BIGINT))};
  exec_stagger_config c = {.ninput = 2,
                           .input_types = types,
                           .keys = keys,
                           .nkeys = 2,
                           .range_ms = MIN_MS,
                           .aggs = aggs,
                           .naggs = 1};
  rig r;
  rig_init(&r, &c);
  const char *in[][2] = {{"2024-05-01 11:00:20", "2024-05-01 11:00:10"},
                         {"2024-05-01 11:00:30", "2024-05-01 11:00:20"},
                         {"2024-05-01 11:01:05", "2024-05-01 11:00:55"},
                         {"2024-05-01 11:01:15", "2024-05-01 11:01:05"}};
  for (int i = 0; i < 4; i++) {
    int64_t ev = ts(in[i][1]);
    add_row(r.in, ts(in[i][0]), S("AMZN"), I(core_floor_div(ev, MIN_MS) * MIN_MS));
    push(r.op, r.in);
  }
  assert_int_equal(r.cap->n, 0);
  bound(r.op, ts("2024-05-01 11:01:19.999"));
  bound(r.op, ts("2024-05-01 11:01:20"));
  bound(r.op, ts("2024-05-01 11:02:15"));
  EXPECT(r.cap, "bound 2024-05-01 11:01:19.999",
         "2024-05-01 11:01:20.000|2024-05-01 11:00:00.000|AMZN|3", "bound 2024-05-01 11:01:20.000",
         "2024-05-01 11:02:15.000|2024-05-01 11:01:00.000|AMZN|1", "bound 2024-05-01 11:02:15.000");
  rig_free(&r);
}

/* Spec 8.12: PARTITION BY TICKER, EVENT_TIME RANGE INTERVAL '1' MINUTE, COUNT(TICKER). */
static void test_spec_8_12(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_TIMESTAMP), ty(CORE_T_VARCHAR)};
  int keys[] = {1, 0};
  exec_agg aggs[] = {agg("COUNT", 1, ty(CORE_T_BIGINT))};
  exec_stagger_config c = {.ninput = 2,
                           .input_types = types,
                           .keys = keys,
                           .nkeys = 2,
                           .range_ms = MIN_MS,
                           .aggs = aggs,
                           .naggs = 1};
  rig r;
  rig_init(&r, &c);
  /* event times truncated to ms, as the JSON mapping stores them */
  int64_t amzn = ts("2018-08-01 20:17:20.797"), intc = ts("2018-08-01 20:18:21.043");
  const char *at[] = {"2018-08-01 20:17:30", "2018-08-01 20:17:40", "2018-08-01 20:17:50",
                      "2018-08-01 20:18:00", "2018-08-01 20:18:10", "2018-08-01 20:18:21"};
  for (int i = 0; i < 6; i++) add_row(r.in, ts(at[i]), I(amzn), S("AMZN"));
  push(r.op, r.in);
  int64_t t = ts("2018-08-01 20:18:31");
  for (int i = 0; i < 6; i++) {
    add_row(r.in, t + i * 10000, I(intc), S("INTC"));
    push(r.op, r.in); /* one record at a time */
  }
  bound(r.op, ts("2018-08-01 20:19:31"));
  EXPECT(r.cap, "2018-08-01 20:18:30.000|AMZN|2018-08-01 20:17:20.797|6",
         "2018-08-01 20:19:31.000|INTC|2018-08-01 20:18:21.043|6", "bound 2018-08-01 20:19:31.000");
  rig_free(&r);
}

/* A key's window covers [open, open + range): a row at open + range closes it and opens
 * the next one; SUM / MIN / MAX with NULL keys forming one partition. */
static void test_reopen_and_nulls(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_INTEGER)};
  int keys[] = {0};
  exec_agg aggs[] = {agg("SUM", 1, ty(CORE_T_INTEGER)), agg("MIN", 1, ty(CORE_T_INTEGER)),
                     agg("MAX", 0, ty(CORE_T_VARCHAR))};
  exec_stagger_config c = {.ninput = 2,
                           .input_types = types,
                           .keys = keys,
                           .nkeys = 1,
                           .range_ms = 1000,
                           .aggs = aggs,
                           .naggs = 3};
  rig r;
  rig_init(&r, &c);
  int64_t t0 = ts("2024-01-01");
  add_row(r.in, t0, S("a"), I(1));
  add_row(r.in, t0 + 10, NUL, I(5));
  add_row(r.in, t0 + 500, S("a"), NUL);
  add_row(r.in, t0 + 900, NUL, I(-5));
  add_row(r.in, t0 + 1000, S("a"), I(7)); /* a's first window closes first */
  add_row(r.in, t0 + 1010, S("b"), I(2)); /* NULL's window closed at t0 + 1010 */
  push(r.op, r.in);
  bound(r.op, t0 + 5000);
  EXPECT(r.cap, "2024-01-01 00:00:01.000|a|1|1|a", "2024-01-01 00:00:01.010|NULL|0|-5|NULL",
         "2024-01-01 00:00:02.000|a|7|7|a", "2024-01-01 00:00:02.010|b|2|2|b",
         "bound 2024-01-01 00:00:05.000");
  rig_free(&r);
}

/* 1,500 keys opening at the same instant close together: two output batches (1024 + 476),
 * in opening order. */
static void test_many_windows_close_together(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_BIGINT)};
  int keys[] = {0};
  exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT))};
  exec_stagger_config c = {.ninput = 1,
                           .input_types = types,
                           .keys = keys,
                           .nkeys = 1,
                           .range_ms = 100,
                           .aggs = aggs,
                           .naggs = 1};
  rig r;
  rig_init(&r, &c);
  r.cap->no_time = true;
  int64_t t0 = ts("2024-01-01");
  for (int k = 0; k < 1500; k++) {
    add_row(r.in, t0, I(1499 - k));
    if (r.in->n == r.in->cap) push(r.op, r.in);
  }
  push(r.op, r.in);
  add_row(r.in, t0 + 50, I(3)); /* joins the open window of key 3 */
  push(r.op, r.in);
  bound(r.op, t0 + 100);
  assert_int_equal(r.cap->n, 1501);
  assert_int_equal(r.cap->batches, 2);
  assert_int_equal(r.cap->batch_rows[0], 1024);
  assert_int_equal(r.cap->batch_rows[1], 476);
  for (int k = 0; k < 1500; k++) {
    char want[32];
    snprintf(want, sizeof want, "%d|%d", 1499 - k, 1499 - k == 3 ? 2 : 1);
    assert_string_equal(r.cap->lines[k], want);
  }
  rig_free(&r);
}

static void test_rejected(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER)};
  int keys[] = {0};
  exec_ctx ctx = {0};
  core_error e;
  exec_agg a = agg("LAST_VALUE", 0, ty(CORE_T_INTEGER));
  exec_stagger_config c = {.ninput = 1,
                           .input_types = types,
                           .keys = keys,
                           .nkeys = 1,
                           .range_ms = 1000,
                           .aggs = &a,
                           .naggs = 1};
  assert_null(exec_stagger_new(&ctx, &c, &e));
  assert_string_equal(e.message, "aggregate LAST_VALUE is not available in windows yet");
  a = agg("COUNT", 0, ty(CORE_T_BIGINT));
  c.range_ms = 0;
  assert_null(exec_stagger_new(&ctx, &c, &e));
  assert_string_equal(e.message, "a STAGGER window needs a positive range");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_4_5_worked_example),
      cmocka_unit_test(test_spec_8_12),
      cmocka_unit_test(test_reopen_and_nulls),
      cmocka_unit_test(test_many_windows_close_together),
      cmocka_unit_test(test_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

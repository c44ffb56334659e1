/*
 * test_tumble.c — tumbling GROUP BY windows (exec/tumble.c): the spec's examples
 * 8.4, 8.5, 8.8 and the tumbling half of 4.5 with their exact rows and ROWTIMEs,
 * emission on a bound, empty windows, ROWTIME ties, FLOOR TO MONTH, the general
 * monotonic key, event time (watermark, LateRow), big windows over several output
 * batches, NULLs, overflow, rejected aggregates, and a differential test against a
 * naive recomputation.
 */
#include "window_test.h"

#define MIN_MS 60000

typedef struct rig {
  exec_ctx ctx;
  errlog errs;
  capture *cap;
  exec_op *op;
  core_batch *in;
} rig;

static void rig_init(rig *r, const exec_tumble_config *c) {
  memset(r, 0, sizeof *r);
  r->ctx.row_error = log_row_error;
  r->ctx.arg = &r->errs;
  core_error e;
  memset(&e, 0, sizeof e);
  r->op = exec_tumble_new(&r->ctx, c, &e);
  if (!r->op) print_message("exec_tumble_new: %s\n", e.message);
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

static int64_t step(int64_t t, int64_t w) {
  return core_floor_div(t, w) * w;
}

/* ---------------------------------------------------------------- 8.4 -- */

/* SELECT STREAM ticker_symbol, COUNT(*) ... GROUP BY ticker_symbol, STEP(ROWTIME BY 60 s).
 * Columns: ticker, STEP(ROWTIME). */
static void test_spec_8_4_step_count(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_TIMESTAMP)};
  int keys[] = {0, 1};
  exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT))};
  exec_tumble_config c = {.ninput = 2,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 1,
                          .window_ms = MIN_MS,
                          .aggs = aggs,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c);
  const char *in[][2] = {{"2024-05-01 10:00:05", "AMZN"},
                         {"2024-05-01 10:00:20", "MSFT"},
                         {"2024-05-01 10:00:50", "AMZN"},
                         {"2024-05-01 10:01:10", "AMZN"},
                         {"2024-05-01 10:02:01", "MSFT"}};
  for (int i = 0; i < 5; i++) {
    int64_t t = ts(in[i][0]);
    add_row(r.in, t, S(in[i][1]), I(step(t, MIN_MS)));
  }
  push(r.op, r.in);
  EXPECT(r.cap, "2024-05-01 10:01:00.000|AMZN|2024-05-01 10:00:00.000|2",
         "2024-05-01 10:01:00.000|MSFT|2024-05-01 10:00:00.000|1",
         "2024-05-01 10:02:00.000|AMZN|2024-05-01 10:01:00.000|1");
  /* the 10:02:01 row's window is still open: a bound at its end emits it */
  bound(r.op, ts("2024-05-01 10:02:59.999"));
  assert_string_equal(r.cap->lines[3], "bound 2024-05-01 10:02:59.999");
  bound(r.op, ts("2024-05-01 10:03:00"));
  assert_int_equal(r.cap->n, 6);
  assert_string_equal(r.cap->lines[4], "2024-05-01 10:03:00.000|MSFT|2024-05-01 10:02:00.000|1");
  assert_string_equal(r.cap->lines[5], "bound 2024-05-01 10:03:00.000");
  rig_free(&r);
}

/* ---------------------------------------------------------------- 8.5 -- */

static void test_spec_8_5_min_max_real(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_REAL), ty(CORE_T_TIMESTAMP)};
  int keys[] = {0, 2};
  exec_agg aggs[] = {agg("MIN", 1, ty(CORE_T_REAL)), agg("MAX", 1, ty(CORE_T_REAL))};
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 1,
                          .window_ms = MIN_MS,
                          .aggs = aggs,
                          .naggs = 2};
  rig r;
  rig_init(&r, &c);
  struct {
    const char *t, *tick;
    double p;
  } in[] = {{"2024-05-01 10:00:01", "TBV", 33.25},
            {"2024-05-01 10:00:02", "QXZ", 10.5},
            {"2024-05-01 10:00:30", "TBV", 32.75},
            {"2024-05-01 10:00:59.999", "TBV", 34},
            {"2024-05-01 10:01:00", "TBV", 30.5}};
  for (int i = 0; i < 5; i++) {
    int64_t t = ts(in[i].t);
    add_row(r.in, t, S(in[i].tick), D(in[i].p), I(step(t, MIN_MS)));
  }
  push(r.op, r.in);
  bound(r.op, ts("2024-05-01 10:02:00"));
  EXPECT(r.cap, "2024-05-01 10:01:00.000|TBV|2024-05-01 10:00:00.000|32.75|34",
         "2024-05-01 10:01:00.000|QXZ|2024-05-01 10:00:00.000|10.5|10.5",
         "2024-05-01 10:02:00.000|TBV|2024-05-01 10:01:00.000|30.5|30.5",
         "bound 2024-05-01 10:02:00.000");
  rig_free(&r);
}

/* ---------------------------------------------------------------- 8.8 -- */

static const struct {
  const char *t, *city;
  int temp;
} WEATHER[] = {
    {"2018-11-01 01:00", "Denver", 29},    {"2018-11-01 01:00", "Anchorage", 2},
    {"2018-11-01 06:00", "Miami", 65},     {"2018-11-01 07:00", "Denver", 32},
    {"2018-11-01 09:00", "Anchorage", 9},  {"2018-11-01 13:00", "Denver", 50},
    {"2018-11-01 17:00", "Anchorage", 10}, {"2018-11-01 18:00", "Miami", 71},
    {"2018-11-01 19:00", "Denver", 43},    {"2018-11-02 01:00", "Anchorage", 4},
    {"2018-11-02 01:00", "Denver", 39},    {"2018-11-02 07:00", "Denver", 46},
    {"2018-11-02 09:00", "Anchorage", 3},  {"2018-11-02 13:00", "Denver", 56},
    {"2018-11-02 17:00", "Anchorage", 2},  {"2018-11-02 19:00", "Denver", 50},
    {"2018-11-03 01:00", "Denver", 36},    {"2018-11-03 01:00", "Anchorage", 1},
};
#define DAY_MS INT64_C(86400000)

/* (a) FLOOR(ROWTIME TO DAY), MIN(TEMP), MAX(TEMP). Columns: city, temp, floor_day. */
static void test_spec_8_8a_weather_day(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_INTEGER), ty(CORE_T_TIMESTAMP)};
  int keys[] = {2};
  exec_agg aggs[] = {agg("MIN", 1, ty(CORE_T_INTEGER)), agg("MAX", 1, ty(CORE_T_INTEGER))};
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 1,
                          .time_key = 0,
                          .window_ms = DAY_MS,
                          .aggs = aggs,
                          .naggs = 2};
  rig r;
  rig_init(&r, &c);
  for (size_t i = 0; i < sizeof WEATHER / sizeof WEATHER[0]; i++) {
    int64_t t = ts(WEATHER[i].t);
    add_row(r.in, t, S(WEATHER[i].city), I(WEATHER[i].temp), I(step(t, DAY_MS)));
    push(r.op, r.in); /* one row at a time, as records arrive */
  }
  EXPECT(r.cap, "2018-11-02 00:00:00.000|2018-11-01 00:00:00.000|2|71",
         "2018-11-03 00:00:00.000|2018-11-02 00:00:00.000|2|56");
  bound(r.op, ts("2018-11-03 23:59:59.999"));
  assert_int_equal(r.cap->n, 3); /* only the bound */
  bound(r.op, ts("2018-11-04 00:00"));
  EXPECT(r.cap, "2018-11-02 00:00:00.000|2018-11-01 00:00:00.000|2|71",
         "2018-11-03 00:00:00.000|2018-11-02 00:00:00.000|2|56", "bound 2018-11-03 23:59:59.999",
         "2018-11-04 00:00:00.000|2018-11-03 00:00:00.000|1|36", "bound 2018-11-04 00:00:00.000");
  rig_free(&r);
}

/* (b) GROUP BY FLOOR(... TO DAY), CITY with MIN, MAX, SUM, COUNT and AVG (SUM/COUNT on
 * INTEGER is the spec's AVG_TEMP; AVG itself truncates the same way). */
static void test_spec_8_8b_weather_city(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_INTEGER), ty(CORE_T_TIMESTAMP)};
  int keys[] = {2, 0};
  exec_agg aggs[] = {agg("MIN", 1, ty(CORE_T_INTEGER)), agg("MAX", 1, ty(CORE_T_INTEGER)),
                     agg("SUM", 1, ty(CORE_T_INTEGER)), agg("COUNT", 1, ty(CORE_T_BIGINT)),
                     agg("AVG", 1, ty(CORE_T_INTEGER))};
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 0,
                          .window_ms = DAY_MS,
                          .aggs = aggs,
                          .naggs = 5};
  rig r;
  rig_init(&r, &c);
  for (size_t i = 0; i < sizeof WEATHER / sizeof WEATHER[0]; i++) {
    int64_t t = ts(WEATHER[i].t);
    add_row(r.in, t, S(WEATHER[i].city), I(WEATHER[i].temp), I(step(t, DAY_MS)));
  }
  push(r.op, r.in);
  bound(r.op, ts("2018-11-04 00:00"));
  /* groups in order of first appearance (Denver's row came first on 11-01) */
  EXPECT(r.cap, "2018-11-02 00:00:00.000|2018-11-01 00:00:00.000|Denver|29|50|154|4|38",
         "2018-11-02 00:00:00.000|2018-11-01 00:00:00.000|Anchorage|2|10|21|3|7",
         "2018-11-02 00:00:00.000|2018-11-01 00:00:00.000|Miami|65|71|136|2|68",
         "2018-11-03 00:00:00.000|2018-11-02 00:00:00.000|Anchorage|2|4|9|3|3",
         "2018-11-03 00:00:00.000|2018-11-02 00:00:00.000|Denver|39|56|191|4|47",
         "2018-11-04 00:00:00.000|2018-11-03 00:00:00.000|Denver|36|36|36|1|36",
         "2018-11-04 00:00:00.000|2018-11-03 00:00:00.000|Anchorage|1|1|1|1|1",
         "bound 2018-11-04 00:00:00.000");
  rig_free(&r);
}

/* ------------------------------------------------- 4.5's tumbling twin -- */

/* GROUP BY ticker, FLOOR(EVENT_TIME TO MINUTE), STEP(ROWTIME BY 1 MINUTE): the late row
 * gives a partial row (spec 3.3, 4.5). Columns: ticker, floor(event), step(rowtime). */
static void test_spec_4_5_tumbling_partials(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_TIMESTAMP), ty(CORE_T_TIMESTAMP)};
  int keys[] = {0, 1, 2};
  exec_agg aggs[] = {agg("COUNT", 0, ty(CORE_T_BIGINT))};
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 3,
                          .time_key = 2,
                          .window_ms = MIN_MS,
                          .aggs = aggs,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c);
  const char *in[][2] = {{"2024-05-01 11:00:20", "2024-05-01 11:00:10"},
                         {"2024-05-01 11:00:30", "2024-05-01 11:00:20"},
                         {"2024-05-01 11:01:05", "2024-05-01 11:00:55"},
                         {"2024-05-01 11:01:15", "2024-05-01 11:01:05"}};
  for (int i = 0; i < 4; i++) {
    int64_t t = ts(in[i][0]);
    add_row(r.in, t, S("AMZN"), I(step(ts(in[i][1]), MIN_MS)), I(step(t, MIN_MS)));
  }
  push(r.op, r.in);
  bound(r.op, ts("2024-05-01 11:02:00"));
  EXPECT(r.cap, "2024-05-01 11:01:00.000|AMZN|2024-05-01 11:00:00.000|2024-05-01 11:00:00.000|2",
         "2024-05-01 11:02:00.000|AMZN|2024-05-01 11:00:00.000|2024-05-01 11:01:00.000|1",
         "2024-05-01 11:02:00.000|AMZN|2024-05-01 11:01:00.000|2024-05-01 11:01:00.000|1",
         "bound 2024-05-01 11:02:00.000");
  rig_free(&r);
}

/* ------------------------------------------ emission, ties, empties -- */

static rig count_rig(core_type *types, int *keys, exec_agg *aggs, exec_tumble_config *c) {
  types[0] = ty(CORE_T_INTEGER);
  types[1] = ty(CORE_T_TIMESTAMP);
  keys[0] = 0;
  keys[1] = 1;
  aggs[0] = agg("COUNT", -1, ty(CORE_T_BIGINT));
  *c = (exec_tumble_config){.ninput = 2,
                            .input_types = types,
                            .keys = keys,
                            .nkeys = 2,
                            .time_key = 1,
                            .window_ms = 10000,
                            .aggs = aggs,
                            .naggs = 1};
  rig r;
  rig_init(&r, c);
  return r;
}

/* Emission on a bound alone, nothing for the empty windows in between, ties accumulate,
 * and a window whose end equals a row's ROWTIME closes before that row counts. */
static void test_bound_ties_and_empty_windows(void **state) {
  (void)state;
  core_type types[2];
  int keys[2];
  exec_agg aggs[1];
  exec_tumble_config c;
  rig r = count_rig(types, keys, aggs, &c);
  int64_t t0 = ts("2024-01-01 00:00:00");
  for (int i = 0; i < 3; i++) add_row(r.in, t0 + 9999, I(7), I(t0)); /* three ties */
  push(r.op, r.in);
  assert_int_equal(r.cap->n, 0);
  add_row(r.in, t0 + 9999, I(7), I(t0)); /* same ROWTIME, another batch: still accumulates */
  push(r.op, r.in);
  bound(r.op, t0 + 9999);
  assert_int_equal(r.cap->n, 1);
  bound(r.op, t0 + 10000); /* no row: the bound closes the window */
  EXPECT(r.cap, "bound 2024-01-01 00:00:09.999",
         "2024-01-01 00:00:10.000|7|2024-01-01 00:00:00.000|4", "bound 2024-01-01 00:00:10.000");
  cap_clear(r.cap);
  /* a row 50 s later: no output for the four empty windows; then the row at exactly the
   * end of its window closes it first */
  add_row(r.in, t0 + 60000, I(7), I(t0 + 60000));
  add_row(r.in, t0 + 70000, I(8), I(t0 + 70000));
  push(r.op, r.in);
  bound(r.op, t0 + 75000);
  bound(r.op, t0 + 200000);
  EXPECT(r.cap, "2024-01-01 00:01:10.000|7|2024-01-01 00:01:00.000|1",
         "bound 2024-01-01 00:01:15.000", "2024-01-01 00:01:20.000|8|2024-01-01 00:01:10.000|1",
         "bound 2024-01-01 00:03:20.000");
  assert_int_equal(r.cap->batches, 2);
  rig_free(&r);
}

/* The selection of the input batch is honoured. */
static void test_selection(void **state) {
  (void)state;
  core_type types[2];
  int keys[2];
  exec_agg aggs[1];
  exec_tumble_config c;
  rig r = count_rig(types, keys, aggs, &c);
  int64_t t0 = ts("2024-01-01 00:00:00");
  for (int i = 0; i < 6; i++) add_row(r.in, t0 + i, I(i % 2), I(t0));
  core_batch_deselect(r.in, 1);
  core_batch_deselect(r.in, 2);
  push(r.op, r.in);
  bound(r.op, t0 + 10000);
  EXPECT(r.cap, "2024-01-01 00:00:10.000|0|2024-01-01 00:00:00.000|2",
         "2024-01-01 00:00:10.000|1|2024-01-01 00:00:00.000|2", "bound 2024-01-01 00:00:10.000");
  rig_free(&r);
}

/* A window of 2,500 groups leaves in three output batches (1024, 1024, 452), groups in
 * order of first appearance. */
static void test_window_over_several_batches(void **state) {
  (void)state;
  core_type types[2];
  int keys[2];
  exec_agg aggs[1];
  exec_tumble_config c;
  rig r = count_rig(types, keys, aggs, &c);
  int64_t t0 = ts("2024-01-01 00:00:00");
  for (int pass = 0; pass < 2; pass++)
    for (int k = 0; k < 2500; k++) {
      add_row(r.in, t0 + pass, I((k * 7919) % 2500), I(t0));
      if (r.in->n == r.in->cap) push(r.op, r.in);
    }
  push(r.op, r.in);
  bound(r.op, t0 + 10000);
  assert_int_equal(r.cap->n, 2501);
  assert_int_equal(r.cap->batches, 3);
  assert_int_equal(r.cap->batch_rows[0], 1024);
  assert_int_equal(r.cap->batch_rows[1], 1024);
  assert_int_equal(r.cap->batch_rows[2], 452);
  for (int k = 0; k < 2500; k++) {
    char want[128];
    snprintf(want, sizeof want, "2024-01-01 00:00:10.000|%d|2024-01-01 00:00:00.000|2",
             (k * 7919) % 2500);
    assert_string_equal(r.cap->lines[k], want);
  }
  rig_free(&r);
}

/* ----------------------------------------------------------- months -- */

/* FLOOR(ROWTIME TO MONTH): windows of calendar months (January 31 days, February 29 in
 * 2024), ROWTIME = the first instant of the next month. */
static void test_floor_to_month(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER), ty(CORE_T_TIMESTAMP)};
  int keys[] = {1};
  exec_agg aggs[] = {agg("SUM", 0, ty(CORE_T_INTEGER))};
  exec_tumble_config c = {.ninput = 2,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 1,
                          .time_key = 0,
                          .window_months = 1,
                          .aggs = aggs,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c);
  int64_t jan = ts("2024-01-01"), feb = ts("2024-02-01");
  add_row(r.in, ts("2024-01-15 12:00"), I(1), I(jan));
  add_row(r.in, ts("2024-01-31 23:59:59.999"), I(2), I(jan));
  add_row(r.in, ts("2024-02-01"), I(4), I(feb));
  add_row(r.in, ts("2024-02-29 23:00"), I(8), I(feb));
  push(r.op, r.in);
  bound(r.op, ts("2024-02-29 23:59:59.999"));
  bound(r.op, ts("2024-03-01"));
  EXPECT(r.cap, "2024-02-01 00:00:00.000|2024-01-01 00:00:00.000|3",
         "bound 2024-02-29 23:59:59.999", "2024-03-01 00:00:00.000|2024-02-01 00:00:00.000|12",
         "bound 2024-03-01 00:00:00.000");
  rig_free(&r);
}

/* --------------------------------------------------- general keys -- */

/* key_of_time for a key = ROWTIME / 1000 (seconds), as BIGINT. */
static int seconds_of(void *arg, int64_t t, core_value *out) {
  (void)arg;
  memset(out, 0, sizeof *out);
  out->type = ty(CORE_T_BIGINT);
  out->u.i = core_floor_div(t, 1000);
  return SLUICE_OK;
}

/* A general monotonic key: the group closes on a row with another key value (ROWTIME of
 * that row) or on a bound whose key differs (ROWTIME of the bound). */
static void test_general_monotonic_key(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_BIGINT), ty(CORE_T_INTEGER)};
  int keys[] = {0};
  exec_agg aggs[] = {agg("SUM", 1, ty(CORE_T_INTEGER))};
  exec_tumble_config c = {.ninput = 2,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 1,
                          .time_key = 0,
                          .key_of_time = seconds_of,
                          .aggs = aggs,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c);
  int64_t t0 = ts("2024-01-01 00:00:00");
  add_row(r.in, t0 + 100, I(core_floor_div(t0, 1000)), I(1));
  add_row(r.in, t0 + 900, I(core_floor_div(t0, 1000)), I(2));
  add_row(r.in, t0 + 1500, I(core_floor_div(t0, 1000) + 1), I(4));
  push(r.op, r.in);
  bound(r.op, t0 + 1999); /* same key: nothing closes */
  bound(r.op, t0 + 2000);
  char k0[32], k1[32];
  snprintf(k0, sizeof k0, "|%lld|3", (long long)core_floor_div(t0, 1000));
  snprintf(k1, sizeof k1, "|%lld|4", (long long)core_floor_div(t0, 1000) + 1);
  assert_int_equal(r.cap->n, 4);
  assert_string_equal(r.cap->lines[0] + 23, k0);
  assert_memory_equal(r.cap->lines[0], "2024-01-01 00:00:01.500", 23);
  assert_string_equal(r.cap->lines[1], "bound 2024-01-01 00:00:01.999");
  assert_string_equal(r.cap->lines[2] + 23, k1);
  assert_memory_equal(r.cap->lines[2], "2024-01-01 00:00:02.000", 23);
  assert_string_equal(r.cap->lines[3], "bound 2024-01-01 00:00:02.000");
  rig_free(&r);
}

/* ------------------------------------------------------- event time -- */

/* Event-time windows: the watermark (largest window end - lateness) closes windows; a row
 * for a closed window is a LateRow error; output ROWTIME = the row that moved the
 * watermark; bounds do not close event-time windows. Columns: ticker, STEP(event, 60 s). */
static void test_event_time_watermark(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_TIMESTAMP)};
  int keys[] = {0, 1};
  exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT))};
  exec_tumble_config c = {.ninput = 2,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 1,
                          .window_ms = MIN_MS,
                          .event_time = true,
                          .aggs = aggs,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c);
  int64_t rt = ts("2024-06-01 12:00:00");
  int64_t e10 = ts("2024-06-01 10:00:00"), e11 = ts("2024-06-01 10:01:00"),
          e12 = ts("2024-06-01 10:02:00");
  add_row(r.in, rt, S("A"), I(e10));
  add_row(r.in, rt + 1, S("B"), I(e11)); /* watermark 10:02 closes 10:00 (end 10:01) */
  add_row(r.in, rt + 2, S("A"), I(e10)); /* window 10:00 ended at 10:01 < watermark: late */
  push(r.op, r.in);
  assert_int_equal(r.errs.n, 1);
  assert_string_equal(r.errs.lines[0], "2024-06-01 12:00:00.002 LateRow: event-time window "
                                       "ending 2024-06-01 10:01:00.000 has closed (watermark "
                                       "2024-06-01 10:02:00.000)");
  bound(r.op, rt + 100000); /* bounds do not move the watermark */
  add_row(r.in, rt + 200000, S("B"), I(e11));
  add_row(r.in, rt + 200001, S("A"), I(e12));
  push(r.op, r.in);
  EXPECT(r.cap, "2024-06-01 12:00:00.001|A|2024-06-01 10:00:00.000|1",
         "bound 2024-06-01 12:01:40.000", "2024-06-01 12:03:20.001|B|2024-06-01 10:01:00.000|2");
  assert_int_equal(r.ctx.errors, 1);
  rig_free(&r);

  /* with 60 s of lateness the 10:00 window accepts the third row */
  c.lateness_ms = MIN_MS;
  rig_init(&r, &c);
  add_row(r.in, rt, S("A"), I(e10));
  add_row(r.in, rt + 1, S("B"), I(e11));
  add_row(r.in, rt + 2, S("A"), I(e10));
  add_row(r.in, rt + 3, S("A"), I(e12)); /* watermark 10:02: closes 10:00 */
  push(r.op, r.in);
  EXPECT(r.cap, "2024-06-01 12:00:00.003|A|2024-06-01 10:00:00.000|2");
  assert_int_equal(r.errs.n, 0);
  rig_free(&r);
}

/* Event time with the event TIMESTAMP column (DESIGN.md 4): watermark = the largest event
 * time seen; [t, t + 1 minute) closes when an event at or after t + 1 minute is seen, its
 * rows with the ROWTIME of that event's row; a row for a closed window is a LateRow error;
 * a NULL event time belongs to no window; bounds close nothing. The clickstream of
 * tests/slt/run_wild.slt. Columns: page, event_time, STEP(event_time BY 1 MINUTE). */
static void test_event_time_column_watermark(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_TIMESTAMP), ty(CORE_T_TIMESTAMP)};
  int keys[] = {0, 2};
  exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT))};
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 1,
                          .window_ms = MIN_MS,
                          .event_time = true,
                          .has_event_col = true,
                          .event_col = 1,
                          .aggs = aggs,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c);
  struct {
    const char *at, *page, *ev;
  } in[] = {{"00:00:05", "/home", "00:00:01"}, {"00:00:06", "/cart", "00:00:03"},
            {"00:01:02", "/home", "00:00:55"}, {"00:01:10", "/cart", "00:01:02"},
            {"00:01:20", "/cart", "00:00:58"}, {"00:02:05", "/home", "00:01:40"},
            {"00:02:30", "/cart", "00:02:20"}, {"00:03:01", "/home", "00:03:00"},
            {"00:03:02", "/home", "00:03:01"}, {"00:03:03", "/home", "00:03:02"},
            {"00:03:04", "/home", "00:03:03"}, {"00:03:05", "/home", "00:03:04"},
            {"00:03:06", "/home", "00:03:05"}, {"00:03:07", "/home", "00:03:06"},
            {"00:03:30", "/home", NULL}};
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
    char at[32], ev[32];
    snprintf(at, sizeof at, "2024-01-01 %s", in[i].at);
    if (in[i].ev) {
      snprintf(ev, sizeof ev, "2024-01-01 %s", in[i].ev);
      int64_t e = ts(ev);
      add_row(r.in, ts(at), S(in[i].page), I(e), I(step(e, MIN_MS)));
    } else {
      add_row(r.in, ts(at), S(in[i].page), NUL, NUL);
    }
    push(r.op, r.in);
  }
  bound(r.op, ts("2024-01-01 00:04:30"));
  add_row(r.in, ts("2024-01-01 00:05:00"), S("/cart"), T("2024-01-01 00:04:10"),
          T("2024-01-01 00:04:00"));
  push(r.op, r.in);
  EXPECT(r.cap, "2024-01-01 00:01:10.000|/home|2024-01-01 00:00:00.000|2",
         "2024-01-01 00:01:10.000|/cart|2024-01-01 00:00:00.000|1",
         "2024-01-01 00:02:30.000|/cart|2024-01-01 00:01:00.000|1",
         "2024-01-01 00:02:30.000|/home|2024-01-01 00:01:00.000|1",
         "2024-01-01 00:03:01.000|/cart|2024-01-01 00:02:00.000|1", "bound 2024-01-01 00:04:30.000",
         "2024-01-01 00:05:00.000|/home|2024-01-01 00:03:00.000|7");
  assert_int_equal(r.errs.n, 2);
  assert_string_equal(r.errs.lines[0], "2024-01-01 00:01:20.000 LateRow: event-time window "
                                       "ending 2024-01-01 00:01:00.000 has closed (watermark "
                                       "2024-01-01 00:01:02.000)");
  assert_string_equal(r.errs.lines[1], "2024-01-01 00:03:30.000 FunctionError: the window key "
                                       "is NULL: the row belongs to no window");
  rig_free(&r);

  /* 30 s of lateness: the 00:00:58 event still counts ([00:00, 00:01) waits for 01:30) */
  c.lateness_ms = 30000;
  rig_init(&r, &c);
  add_row(r.in, ts("2024-01-01 00:00:05"), S("/home"), T("2024-01-01 00:00:01"),
          T("2024-01-01 00:00:00"));
  add_row(r.in, ts("2024-01-01 00:01:10"), S("/cart"), T("2024-01-01 00:01:02"),
          T("2024-01-01 00:01:00"));
  add_row(r.in, ts("2024-01-01 00:01:20"), S("/cart"), T("2024-01-01 00:00:58"),
          T("2024-01-01 00:00:00"));
  add_row(r.in, ts("2024-01-01 00:01:40"), S("/home"), T("2024-01-01 00:01:30"),
          T("2024-01-01 00:01:00"));
  push(r.op, r.in);
  EXPECT(r.cap, "2024-01-01 00:01:40.000|/home|2024-01-01 00:00:00.000|1",
         "2024-01-01 00:01:40.000|/cart|2024-01-01 00:00:00.000|1");
  assert_int_equal(r.errs.n, 0);
  rig_free(&r);
}

/* --------------------------------------------------------------- NULLs -- */

/* NULL keys form one group; aggregates ignore NULLs; all-NULL gives NULL (COUNT 0). */
static void test_nulls(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_INTEGER), ty(CORE_T_TIMESTAMP)};
  int keys[] = {0, 2};
  exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT)), agg("COUNT", 1, ty(CORE_T_BIGINT)),
                     agg("SUM", 1, ty(CORE_T_INTEGER)),   agg("AVG", 1, ty(CORE_T_INTEGER)),
                     agg("MIN", 1, ty(CORE_T_INTEGER)),   agg("MAX", 0, ty(CORE_T_VARCHAR))};
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 1,
                          .window_ms = 1000,
                          .aggs = aggs,
                          .naggs = 6};
  rig r;
  rig_init(&r, &c);
  int64_t t0 = ts("2024-01-01");
  add_row(r.in, t0, NUL, NUL, I(t0));
  add_row(r.in, t0 + 1, S("x"), NUL, I(t0));
  add_row(r.in, t0 + 2, NUL, I(-7), I(t0));
  add_row(r.in, t0 + 3, NUL, NUL, I(t0));
  add_row(r.in, t0 + 4, NUL, I(2), I(t0));
  push(r.op, r.in);
  bound(r.op, t0 + 1000);
  /* AVG(-7, 2) = -2.5 truncates toward zero */
  EXPECT(r.cap, "2024-01-01 00:00:01.000|NULL|2024-01-01 00:00:00.000|4|2|-5|-2|-7|NULL",
         "2024-01-01 00:00:01.000|x|2024-01-01 00:00:00.000|1|0|NULL|NULL|NULL|x",
         "bound 2024-01-01 00:00:01.000");
  rig_free(&r);
}

/* SUM keeps the argument's type: a SMALLINT sum past 32767 is an error row, not a wrapped
 * value; the other groups are emitted. */
static void test_sum_overflow_is_a_row_error(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER), ty(CORE_T_SMALLINT), ty(CORE_T_TIMESTAMP)};
  int keys[] = {0, 2};
  exec_agg aggs[] = {agg("SUM", 1, ty(CORE_T_SMALLINT))};
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 1,
                          .window_ms = 1000,
                          .aggs = aggs,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c);
  int64_t t0 = ts("2024-01-01");
  add_row(r.in, t0, I(1), I(30000), I(t0));
  add_row(r.in, t0, I(2), I(30000), I(t0));
  add_row(r.in, t0, I(1), I(30000), I(t0));
  add_row(r.in, t0, I(2), I(-30000), I(t0));
  push(r.op, r.in);
  bound(r.op, t0 + 1000);
  EXPECT(r.cap, "2024-01-01 00:00:01.000|2|2024-01-01 00:00:00.000|0",
         "bound 2024-01-01 00:00:01.000");
  assert_int_equal(r.errs.n, 1);
  assert_string_equal(r.errs.lines[0],
                      "2024-01-01 00:00:01.000 FunctionError: the result of SUM does not fit "
                      "SMALLINT");
  rig_free(&r);
}

/* What the operator cannot compute is refused by the constructor, by name. */
static void test_rejected_aggregates(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER), ty(CORE_T_TIMESTAMP), ty(CORE_T_VARCHAR)};
  int keys[] = {1};
  exec_ctx ctx = {0};
  core_error e;
  struct {
    exec_agg a;
    bool distinct;
    const char *msg;
  } cases[] = {
      {agg("LAG", 0, ty(CORE_T_INTEGER)), false, "aggregate LAG is not available in windows yet"},
      {agg("SUM", 0, ty(CORE_T_INTEGER)), true,
       "aggregate SUM(DISTINCT ...) is not available in windows yet"},
      {agg("SUM", 2, ty(CORE_T_VARCHAR)), false, "aggregate SUM is not available for VARCHAR(20)"},
      {agg("FIRST_VALUE", 0, ty(CORE_T_INTEGER)), false,
       "aggregate FIRST_VALUE is not available in windows yet"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cases[i].a.distinct = cases[i].distinct;
    exec_tumble_config c = {.ninput = 3,
                            .input_types = types,
                            .keys = keys,
                            .nkeys = 1,
                            .time_key = 0,
                            .window_ms = 1000,
                            .aggs = &cases[i].a,
                            .naggs = 1};
    memset(&e, 0, sizeof e);
    assert_null(exec_tumble_new(&ctx, &c, &e));
    assert_int_equal(e.code, SLUICE_UNSUPPORTED);
    assert_string_equal(e.message, cases[i].msg);
  }
  /* MIN(DISTINCT x) is MIN(x) */
  exec_agg m = agg("MIN", 0, ty(CORE_T_INTEGER));
  m.distinct = true;
  exec_tumble_config c = {.ninput = 3,
                          .input_types = types,
                          .keys = keys,
                          .nkeys = 1,
                          .time_key = 0,
                          .window_ms = 1000,
                          .aggs = &m,
                          .naggs = 1};
  exec_op *op = exec_tumble_new(&ctx, &c, &e);
  assert_non_null(op);
  exec_op_free(op);
}

/* ------------------------------------------------------- differential -- */

typedef struct drow {
  int64_t rt;
  int key; /* 0..nkeys-1 or -1 = NULL */
  bool vnull;
  int64_t v;
  double d;
  const char *s; /* or NULL */
} drow;

static const char *WORDS[] = {"pear", "apple", "fig", "", "kiwi", "banana", "date", "apricot"};

/* Random streams (printed seed) through tumbling windows of w ms with COUNT(*), COUNT(v),
 * SUM(v), AVG(v), MIN(v), MAX(v), SUM(d), MIN(s), MAX(s), compared row by row with a naive
 * recomputation from the list of rows. Batches are cut at random; bounds come at random. */
static void test_differential_random(void **state) {
  (void)state;
  unsigned seed = (unsigned)core_wall_ms();
  const char *env = getenv("SLUICE_TEST_SEED");
  if (env) seed = (unsigned)strtoul(env, NULL, 10);
  print_message("test_differential_random seed %u (SLUICE_TEST_SEED)\n", seed);
  srand(seed);
  for (int round = 0; round < 20; round++) {
    int nrows = 1 + rand() % 3000, nkeys = 1 + rand() % 40;
    int64_t w = 1 + rand() % 2000;
    drow *rows = calloc((size_t)nrows, sizeof *rows);
    int64_t t = ts("2024-03-01") + rand() % 100000;
    for (int i = 0; i < nrows; i++) {
      t += rand() % 4 == 0 ? rand() % (3 * w) : rand() % 3; /* ties and gaps */
      rows[i].rt = t;
      rows[i].key = rand() % 10 == 0 ? -1 : rand() % nkeys;
      rows[i].vnull = rand() % 6 == 0;
      rows[i].v = (rand() % 2001) - 1000;
      rows[i].d = (double)((rand() % 2001) - 1000) / 4;
      rows[i].s = rand() % 5 == 0 ? NULL : WORDS[rand() % 8];
    }
    core_type types[] = {ty(CORE_T_INTEGER), ty(CORE_T_BIGINT), ty(CORE_T_DOUBLE),
                         ty(CORE_T_VARCHAR), ty(CORE_T_TIMESTAMP)};
    int keys[] = {0, 4};
    exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT)), agg("COUNT", 1, ty(CORE_T_BIGINT)),
                       agg("SUM", 1, ty(CORE_T_BIGINT)),    agg("AVG", 1, ty(CORE_T_BIGINT)),
                       agg("MIN", 1, ty(CORE_T_BIGINT)),    agg("MAX", 1, ty(CORE_T_BIGINT)),
                       agg("SUM", 2, ty(CORE_T_DOUBLE)),    agg("MIN", 3, ty(CORE_T_VARCHAR)),
                       agg("MAX", 3, ty(CORE_T_VARCHAR))};
    exec_tumble_config c = {.ninput = 5,
                            .input_types = types,
                            .keys = keys,
                            .nkeys = 2,
                            .time_key = 1,
                            .window_ms = w,
                            .aggs = aggs,
                            .naggs = 9};
    rig r;
    rig_init(&r, &c);
    r.cap->no_time = false;
    int cut = 1 + rand() % 300;
    for (int i = 0; i < nrows; i++) {
      drow *x = &rows[i];
      add_row(r.in, x->rt, x->key < 0 ? NUL : I(x->key), x->vnull ? NUL : I(x->v),
              x->vnull ? NUL : D(x->d), x->s ? S(x->s) : NUL, I(core_floor_div(x->rt, w) * w));
      if (r.in->n >= cut || i == nrows - 1) {
        push(r.op, r.in);
        /* a bound never passes the next row's ROWTIME */
        int64_t room = i + 1 < nrows ? rows[i + 1].rt - x->rt : 2 * w;
        if (rand() % 3 == 0) bound(r.op, x->rt + rand() % (room + 1));
        cut = 1 + rand() % 300;
      }
    }
    bound(r.op, t + 3 * w);
    /* the naive answer: windows in order, groups in order of first appearance */
    int line = 0;
    for (int i = 0; i < nrows;) {
      int64_t ws = core_floor_div(rows[i].rt, w) * w;
      int j = i;
      while (j < nrows && core_floor_div(rows[j].rt, w) * w == ws) j++;
      /* keys in order of first appearance */
      int order[64], no = 0;
      for (int k = i; k < j; k++) {
        bool seen = false;
        for (int o = 0; o < no; o++) seen |= order[o] == rows[k].key;
        if (!seen) order[no++] = rows[k].key;
      }
      for (int o = 0; o < no; o++) {
        int64_t cnt = 0, cv = 0, sum = 0, mn = 0, mx = 0;
        double dsum = 0;
        const char *smin = NULL, *smax = NULL;
        for (int k = i; k < j; k++) {
          if (rows[k].key != order[o]) continue;
          cnt++;
          if (!rows[k].vnull) {
            if (cv == 0 || rows[k].v < mn) mn = rows[k].v;
            if (cv == 0 || rows[k].v > mx) mx = rows[k].v;
            cv++;
            sum += rows[k].v;
            dsum += rows[k].d;
          }
          if (rows[k].s) {
            if (!smin || strcmp(rows[k].s, smin) < 0) smin = rows[k].s;
            if (!smax || strcmp(rows[k].s, smax) > 0) smax = rows[k].s;
          }
        }
        char want[512], tb[CORE_TIMESTAMP_TEXT], wb[CORE_TIMESTAMP_TEXT], kb[16], vals[256];
        core_timestamp_format(ws + w, tb);
        core_timestamp_format(ws, wb);
        if (order[o] < 0)
          snprintf(kb, sizeof kb, "NULL");
        else
          snprintf(kb, sizeof kb, "%d", order[o]);
        if (cv)
          snprintf(vals, sizeof vals, "%lld|%lld|%lld|%lld|%.17g", (long long)sum,
                   (long long)(sum / cv), (long long)mn, (long long)mx, dsum);
        else
          snprintf(vals, sizeof vals, "NULL|NULL|NULL|NULL|NULL");
        snprintf(want, sizeof want, "%s|%s|%s|%lld|%lld|%s|%s|%s", tb, kb, wb, (long long)cnt,
                 (long long)cv, vals, smin ? smin : "NULL", smax ? smax : "NULL");
        while (line < r.cap->n && strncmp(r.cap->lines[line], "bound", 5) == 0) line++;
        assert_true(line < r.cap->n);
        if (strcmp(r.cap->lines[line], want) != 0)
          print_message("seed %u round %d: got %s\nwant %s\n", seed, round, r.cap->lines[line],
                        want);
        assert_string_equal(r.cap->lines[line], want);
        line++;
      }
      i = j;
    }
    while (line < r.cap->n && strncmp(r.cap->lines[line], "bound", 5) == 0) line++;
    assert_int_equal(line, r.cap->n);
    rig_free(&r);
    free(rows);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_8_4_step_count),
      cmocka_unit_test(test_spec_8_5_min_max_real),
      cmocka_unit_test(test_spec_8_8a_weather_day),
      cmocka_unit_test(test_spec_8_8b_weather_city),
      cmocka_unit_test(test_spec_4_5_tumbling_partials),
      cmocka_unit_test(test_bound_ties_and_empty_windows),
      cmocka_unit_test(test_selection),
      cmocka_unit_test(test_window_over_several_batches),
      cmocka_unit_test(test_floor_to_month),
      cmocka_unit_test(test_general_monotonic_key),
      cmocka_unit_test(test_event_time_watermark),
      cmocka_unit_test(test_event_time_column_watermark),
      cmocka_unit_test(test_nulls),
      cmocka_unit_test(test_sum_overflow_is_a_row_error),
      cmocka_unit_test(test_rejected_aggregates),
      cmocka_unit_test(test_differential_random),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

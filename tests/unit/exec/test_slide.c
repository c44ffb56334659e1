/*
 * test_slide.c — sliding OVER windows (exec/slide.c): the spec's examples 8.9, 8.10,
 * 8.11, 8.13 (tumbling + sliding), 8.27 and the 4.2 walk-through with exact values;
 * RANGE's inclusive lower end, peers, ROWS CURRENT ROW, UNBOUNDED, NULLs and
 * FIRST_VALUE / LAST_VALUE, strings leaving the window, partitions dropped on bounds,
 * overflow, and a differential test against a naive recomputation per row.
 */
#include <math.h>

#include "window_test.h"

typedef struct rig {
  exec_ctx ctx;
  errlog errs;
  capture *cap;
  exec_op *op;
  core_batch *in;
} rig;

static exec_op *slide_or_fail(exec_ctx *ctx, const exec_slide_config *c) {
  core_error e;
  memset(&e, 0, sizeof e);
  exec_op *op = exec_slide_new(ctx, c, &e);
  if (!op) print_message("exec_slide_new: %s\n", e.message);
  assert_non_null(op);
  return op;
}

static void rig_init(rig *r, const exec_slide_config *c) {
  memset(r, 0, sizeof *r);
  r->ctx.row_error = log_row_error;
  r->ctx.arg = &r->errs;
  r->op = slide_or_fail(&r->ctx, c);
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

#define DAY_MS INT64_C(86400000)

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
#define NWEATHER ((int)(sizeof WEATHER / sizeof WEATHER[0]))

/* 8.9 (a): MIN, MAX OVER (RANGE INTERVAL '1' DAY PRECEDING), the lower end included. */
static void test_spec_8_9a_range_day(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_INTEGER)};
  exec_agg aggs[] = {agg("MIN", 1, ty(CORE_T_INTEGER)), agg("MAX", 1, ty(CORE_T_INTEGER))};
  exec_slide_config c = {.ninput = 2,
                         .input_types = types,
                         .frame = EXEC_FRAME_RANGE,
                         .range_ms = DAY_MS,
                         .aggs = aggs,
                         .naggs = 2};
  rig r;
  rig_init(&r, &c);
  r.cap->no_time = true;
  for (int i = 0; i < NWEATHER; i++) {
    add_row(r.in, ts(WEATHER[i].t), S(WEATHER[i].city), I(WEATHER[i].temp));
    if (i % 5 == 4) push(r.op, r.in); /* batches of 5 */
  }
  push(r.op, r.in);
  const char *mm[] = {"29|29", "2|29", "2|65", "2|65", "2|65", "2|65", "2|65", "2|71", "2|71",
                      "2|71",  "2|71", "4|71", "3|71", "3|71", "2|71", "2|56", "2|56", "1|56"};
  assert_int_equal(r.cap->n, NWEATHER);
  for (int i = 0; i < NWEATHER; i++) {
    char want[64];
    snprintf(want, sizeof want, "%s|%d|%s", WEATHER[i].city, WEATHER[i].temp, mm[i]);
    assert_string_equal(r.cap->lines[i], want);
  }
  rig_free(&r);
}

/* 8.9 (b): PARTITION BY CITY with MIN, MAX and AVG on INTEGER (truncating). */
static void test_spec_8_9b_partition_city(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_INTEGER)};
  int part[] = {0};
  exec_agg aggs[] = {agg("MIN", 1, ty(CORE_T_INTEGER)), agg("MAX", 1, ty(CORE_T_INTEGER)),
                     agg("AVG", 1, ty(CORE_T_INTEGER))};
  exec_slide_config c = {.ninput = 2,
                         .input_types = types,
                         .partition = part,
                         .npartition = 1,
                         .frame = EXEC_FRAME_RANGE,
                         .range_ms = DAY_MS,
                         .aggs = aggs,
                         .naggs = 3};
  rig r;
  rig_init(&r, &c);
  for (int i = 0; i < NWEATHER; i++)
    add_row(r.in, ts(WEATHER[i].t), S(WEATHER[i].city), I(WEATHER[i].temp));
  push(r.op, r.in);
  const char *want[] = {"Denver 29/29/29",  "Anchorage 2/2/2", "Miami 65/65/65",
                        "Denver 29/32/30",  "Anchorage 2/9/5", "Denver 29/50/37",
                        "Anchorage 2/10/7", "Miami 65/71/68",  "Denver 29/50/38",
                        "Anchorage 2/10/6", "Denver 29/50/38", "Denver 32/50/42",
                        "Anchorage 3/10/6", "Denver 39/56/46", "Anchorage 2/10/4",
                        "Denver 39/56/46",  "Denver 36/56/45", "Anchorage 1/4/2"};
  assert_int_equal(r.cap->n, NWEATHER);
  for (int i = 0; i < NWEATHER; i++) {
    char city[16];
    int mn, mx, av;
    assert_int_equal(sscanf(want[i], "%15s %d/%d/%d", city, &mn, &mx, &av), 4);
    char line[128], t[CORE_TIMESTAMP_TEXT];
    core_timestamp_format(ts(WEATHER[i].t), t);
    snprintf(line, sizeof line, "%s|%s|%d|%d|%d|%d", t, city, WEATHER[i].temp, mn, mx, av);
    assert_string_equal(r.cap->lines[i], line);
  }
  rig_free(&r);
}

/* The 4.2 walk-through: rows at t1, t2, t6, t7 and three at t8 (seconds), COUNT(*) over a
 * window that lets t1 go at t6 (5 s without its lower end: '4.999' SECOND): 1, 2, 2, 2 and
 * 3, 4, 5 for the peers as they arrive [IMPL]. With the full 5 s the lower end is in. */
static void test_spec_4_2_walkthrough(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER)};
  exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT))};
  exec_slide_config c = {.ninput = 1,
                         .input_types = types,
                         .frame = EXEC_FRAME_RANGE,
                         .range_ms = 4999,
                         .aggs = aggs,
                         .naggs = 1};
  int64_t t0 = ts("2024-01-01");
  int at[] = {1, 2, 6, 7, 8, 8, 8};
  for (int variant = 0; variant < 2; variant++) {
    rig r;
    c.range_ms = variant ? 5000 : 4999;
    rig_init(&r, &c);
    r.cap->no_time = true;
    for (int i = 0; i < 7; i++) {
      add_row(r.in, t0 + at[i] * 1000, I(i));
      push(r.op, r.in);
      if (i == 3) bound(r.op, t0 + 7500); /* expiry alone emits nothing */
    }
    if (variant == 0)
      EXPECT(r.cap, "0|1", "1|2", "2|2", "3|2", "bound 2024-01-01 00:00:07.500", "4|3", "5|4",
             "6|5");
    else /* [t - 5 s, t]: t1 is still in at t6, t2 at t7, t3 is empty */
      EXPECT(r.cap, "0|1", "1|2", "2|3", "3|3", "bound 2024-01-01 00:00:07.500", "4|3", "5|4",
             "6|5");
    rig_free(&r);
  }
}

/* 8.10: per-ticker MIN, MAX, AVG over RANGE 1 MINUTE on DOUBLE prices. */
static void test_spec_8_10_ticker_stats(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_DOUBLE)};
  int part[] = {0};
  exec_agg aggs[] = {agg("MIN", 1, ty(CORE_T_DOUBLE)), agg("MAX", 1, ty(CORE_T_DOUBLE)),
                     agg("AVG", 1, ty(CORE_T_DOUBLE))};
  exec_slide_config c = {.ninput = 2,
                         .input_types = types,
                         .partition = part,
                         .npartition = 1,
                         .frame = EXEC_FRAME_RANGE,
                         .range_ms = 60000,
                         .aggs = aggs,
                         .naggs = 3};
  rig r;
  rig_init(&r, &c);
  int64_t t0 = ts("2024-01-01 09:30");
  add_row(r.in, t0, S("AAPL"), D(10));
  add_row(r.in, t0 + 30000, S("AAPL"), D(20));
  add_row(r.in, t0 + 45000, S("MSFT"), D(5));
  add_row(r.in, t0 + 60000, S("AAPL"), D(40));  /* t0 is on the lower end: in */
  add_row(r.in, t0 + 60001, S("AAPL"), D(1.5)); /* t0 out */
  push(r.op, r.in);
  EXPECT(r.cap, "2024-01-01 09:30:00.000|AAPL|10|10|10|10",
         "2024-01-01 09:30:30.000|AAPL|20|10|20|15", "2024-01-01 09:30:45.000|MSFT|5|5|5|5",
         "2024-01-01 09:31:00.000|AAPL|40|10|40|23.333333333333332",
         "2024-01-01 09:31:00.001|AAPL|1.5|1.5|40|20.5");
  rig_free(&r);
}

/* 8.11: AVG(price) OVER last2rows and OVER last10rows: two operators in a chain, the
 * second reading the first's output (input columns + its aggregate). */
static void test_spec_8_11_rows_2_vs_10(void **state) {
  (void)state;
  core_type t1[] = {ty(CORE_T_VARCHAR), ty(CORE_T_DOUBLE)};
  core_type t2[] = {ty(CORE_T_VARCHAR), ty(CORE_T_DOUBLE), ty(CORE_T_DOUBLE)};
  int part[] = {0};
  exec_agg a1[] = {agg("AVG", 1, ty(CORE_T_DOUBLE))};
  exec_agg a2[] = {agg("AVG", 1, ty(CORE_T_DOUBLE))};
  exec_slide_config c1 = {.ninput = 2,
                          .input_types = t1,
                          .partition = part,
                          .npartition = 1,
                          .frame = EXEC_FRAME_ROWS,
                          .rows = 2,
                          .aggs = a1,
                          .naggs = 1};
  exec_slide_config c2 = {.ninput = 3,
                          .input_types = t2,
                          .partition = part,
                          .npartition = 1,
                          .frame = EXEC_FRAME_ROWS,
                          .rows = 10,
                          .aggs = a2,
                          .naggs = 1};
  rig r;
  rig_init(&r, &c1);
  exec_op *second = slide_or_fail(&r.ctx, &c2);
  r.op->next = second;
  second->next = &r.cap->op;
  r.cap->no_time = true;
  int64_t t0 = ts("2024-01-01");
  for (int p = 1; p <= 4; p++) {
    add_row(r.in, t0 + p, S("X"), D(p));
    add_row(r.in, t0 + p, S("Y"), D(10 * p));
  }
  push(r.op, r.in);
  EXPECT(r.cap, "X|1|1|1", "Y|10|10|10", "X|2|1.5|1.5", "Y|20|15|15", "X|3|2|2", "Y|30|20|20",
         "X|4|3|2.5", "Y|40|30|25");
  exec_op_free(second);
  rig_free(&r);
}

/* 8.13: a tumbling COUNT per (ROWTIME minute, arrival minute, ticker) feeds a sliding
 * SUM over PARTITION BY the ROWTIME minute: the later partial row of a minute carries the
 * complete count. */
static void test_spec_8_13_partial_results(void **state) {
  (void)state;
  core_type tin[] = {ty(CORE_T_VARCHAR), ty(CORE_T_TIMESTAMP), ty(CORE_T_TIMESTAMP)};
  int keys[] = {1, 2, 0}; /* STEP(ROWTIME), STEP(arrival), ticker */
  exec_agg counts[] = {agg("COUNT", -1, ty(CORE_T_BIGINT))};
  exec_tumble_config tc = {.ninput = 3,
                           .input_types = tin,
                           .keys = keys,
                           .nkeys = 3,
                           .time_key = 0,
                           .window_ms = 60000,
                           .aggs = counts,
                           .naggs = 1};
  core_type tmid[] = {ty(CORE_T_TIMESTAMP), ty(CORE_T_TIMESTAMP), ty(CORE_T_VARCHAR),
                      ty(CORE_T_BIGINT)};
  int part[] = {0};
  exec_agg sums[] = {agg("SUM", 3, ty(CORE_T_BIGINT))};
  exec_slide_config sc = {.ninput = 4,
                          .input_types = tmid,
                          .partition = part,
                          .npartition = 1,
                          .frame = EXEC_FRAME_RANGE,
                          .range_ms = 600000,
                          .aggs = sums,
                          .naggs = 1};
  exec_ctx ctx = {0};
  core_error e;
  exec_op *tumble = exec_tumble_new(&ctx, &tc, &e);
  assert_non_null(tumble);
  exec_op *slide = slide_or_fail(&ctx, &sc);
  capture *cap = cap_new();
  tumble->next = slide;
  slide->next = &cap->op;
  core_batch *in = core_batch_new(3, tin, CORE_BATCH_CAP);
  int64_t m0 = ts("2024-01-01 10:00"), m1 = m0 + 60000, prev = m0 - 60000;
  add_row(in, m0 + 1000, S("AMZN"), I(m0), I(prev)); /* arrived in the previous minute */
  add_row(in, m0 + 2000, S("AMZN"), I(m0), I(m0));
  add_row(in, m0 + 3000, S("MSFT"), I(m0), I(m0));
  add_row(in, m0 + 4000, S("AMZN"), I(m0), I(m0));
  add_row(in, m1 + 1000, S("AMZN"), I(m1), I(m1));
  push(tumble, in);
  bound(tumble, m1 + 60000);
  cap->no_time = false;
  EXPECT(cap, "2024-01-01 10:01:00.000|2024-01-01 10:00:00.000|2024-01-01 09:59:00.000|AMZN|1|1",
         "2024-01-01 10:01:00.000|2024-01-01 10:00:00.000|2024-01-01 10:00:00.000|AMZN|2|3",
         "2024-01-01 10:01:00.000|2024-01-01 10:00:00.000|2024-01-01 10:00:00.000|MSFT|1|4",
         "2024-01-01 10:02:00.000|2024-01-01 10:01:00.000|2024-01-01 10:01:00.000|AMZN|1|1",
         "bound 2024-01-01 10:02:00.000");
  exec_op_free(tumble);
  exec_op_free(slide);
  exec_op_free(&cap->op);
  core_batch_free(in);
}

/* 8.27: hourly volume per ticker with bounds between rows; bounds produce no rows. */
static void test_spec_8_27_bounds(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_INTEGER)};
  int part[] = {0};
  exec_agg aggs[] = {agg("SUM", 1, ty(CORE_T_INTEGER))};
  exec_slide_config c = {.ninput = 2,
                         .input_types = types,
                         .partition = part,
                         .npartition = 1,
                         .frame = EXEC_FRAME_RANGE,
                         .range_ms = 3600000,
                         .aggs = aggs,
                         .naggs = 1};
  rig r;
  rig_init(&r, &c);
  add_row(r.in, ts("2024-01-01 10:00"), S("IBM"), I(10));
  add_row(r.in, ts("2024-01-01 10:10"), S("ORCL"), I(20));
  push(r.op, r.in);
  bound(r.op, ts("2024-01-01 10:15"));
  add_row(r.in, ts("2024-01-01 10:25"), S("ORCL"), I(15));
  add_row(r.in, ts("2024-01-01 11:05"), S("IBM"), I(30));
  push(r.op, r.in);
  bound(r.op, ts("2024-01-01 11:10"));
  EXPECT(r.cap, "2024-01-01 10:00:00.000|IBM|10|10", "2024-01-01 10:10:00.000|ORCL|20|20",
         "bound 2024-01-01 10:15:00.000", "2024-01-01 10:25:00.000|ORCL|15|35",
         "2024-01-01 11:05:00.000|IBM|30|30", "bound 2024-01-01 11:10:00.000");
  rig_free(&r);
}

/* ROWS CURRENT ROW is one row; RANGE CURRENT ROW is the peers that arrived so far. */
static void test_current_row_frames(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER)};
  exec_agg aggs[] = {agg("SUM", 0, ty(CORE_T_INTEGER)), agg("MAX", 0, ty(CORE_T_INTEGER))};
  exec_slide_config c = {.ninput = 1,
                         .input_types = types,
                         .frame = EXEC_FRAME_ROWS,
                         .rows = 0,
                         .aggs = aggs,
                         .naggs = 2};
  int64_t t0 = ts("2024-01-01");
  for (int v = 0; v < 2; v++) {
    c.frame = v ? EXEC_FRAME_RANGE : EXEC_FRAME_ROWS;
    rig r;
    rig_init(&r, &c);
    r.cap->no_time = true;
    add_row(r.in, t0, I(5));
    add_row(r.in, t0, I(3));
    add_row(r.in, t0 + 1, I(1));
    add_row(r.in, t0 + 1, I(4));
    push(r.op, r.in);
    if (v == 0)
      EXPECT(r.cap, "5|5|5", "3|3|3", "1|1|1", "4|4|4");
    else
      EXPECT(r.cap, "5|5|5", "3|8|5", "1|1|1", "4|5|4");
    rig_free(&r);
  }
}

/* UNBOUNDED: every row of the partition so far; string MIN/MAX copies survive the batch. */
static void test_unbounded(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER), ty(CORE_T_VARCHAR)};
  int part[] = {0};
  exec_agg aggs[] = {agg("COUNT", -1, ty(CORE_T_BIGINT)), agg("MIN", 1, ty(CORE_T_VARCHAR)),
                     agg("MAX", 1, ty(CORE_T_VARCHAR)), agg("FIRST_VALUE", 1, ty(CORE_T_VARCHAR)),
                     agg("LAST_VALUE", 1, ty(CORE_T_VARCHAR))};
  exec_slide_config c = {.ninput = 2,
                         .input_types = types,
                         .partition = part,
                         .npartition = 1,
                         .frame = EXEC_FRAME_UNBOUNDED,
                         .aggs = aggs,
                         .naggs = 5};
  rig r;
  rig_init(&r, &c);
  r.cap->no_time = true;
  int64_t t0 = ts("2024-01-01");
  add_row(r.in, t0, I(1), S("m"));
  add_row(r.in, t0 + 1, I(1), S("z"));
  add_row(r.in, t0 + 2, I(2), NUL);
  add_row(r.in, t0 + 3, I(1), S("a"));
  push(r.op, r.in);
  bound(r.op, t0 + 100 * DAY_MS); /* UNBOUNDED partitions never expire */
  add_row(r.in, t0 + 100 * DAY_MS, I(1), S("b"));
  push(r.op, r.in);
  EXPECT(r.cap, "1|m|1|m|m|m|m", "1|z|2|m|z|m|z", "2|NULL|1|NULL|NULL|NULL|NULL", "1|a|3|a|z|m|a",
         "bound 2024-04-10 00:00:00.000", "1|b|4|a|z|m|b");
  rig_free(&r);
}

/* NULLs: ignored by COUNT(x), SUM, MIN; FIRST_VALUE / LAST_VALUE respect them unless
 * IGNORE NULLS. ROWS 2 frame. */
static void test_nulls_first_last(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER)};
  exec_agg aggs[] = {
      agg("COUNT", 0, ty(CORE_T_BIGINT)),        agg("SUM", 0, ty(CORE_T_INTEGER)),
      agg("MIN", 0, ty(CORE_T_INTEGER)),         agg("FIRST_VALUE", 0, ty(CORE_T_INTEGER)),
      agg("FIRST_VALUE", 0, ty(CORE_T_INTEGER)), agg("LAST_VALUE", 0, ty(CORE_T_INTEGER)),
      agg("LAST_VALUE", 0, ty(CORE_T_INTEGER))};
  aggs[4].ignore_nulls = true;
  aggs[6].ignore_nulls = true;
  exec_slide_config c = {.ninput = 1,
                         .input_types = types,
                         .frame = EXEC_FRAME_ROWS,
                         .rows = 2,
                         .aggs = aggs,
                         .naggs = 7};
  rig r;
  rig_init(&r, &c);
  r.cap->no_time = true;
  int64_t t0 = ts("2024-01-01");
  tv vals[] = {NUL, I(4), NUL, NUL, NUL, I(6)};
  for (int i = 0; i < 6; i++) add_row(r.in, t0 + i, vals[i]);
  push(r.op, r.in);
  /* value|count|sum|min|first|first ignoring|last|last ignoring */
  EXPECT(r.cap, "NULL|0|NULL|NULL|NULL|NULL|NULL|NULL", "4|1|4|4|NULL|4|4|4",
         "NULL|1|4|4|NULL|4|NULL|4", "NULL|1|4|4|4|4|NULL|4",
         "NULL|0|NULL|NULL|NULL|NULL|NULL|NULL", "6|1|6|6|NULL|6|6|6");
  rig_free(&r);
}

/* String values leave the window (their copies are freed: ASan would tell) and MIN/MAX
 * deques over strings follow; a partition dropped on a bound is reused cleanly by a new
 * key. */
static void test_strings_and_dropped_partitions(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_VARCHAR), ty(CORE_T_VARCHAR)};
  int part[] = {0};
  exec_agg aggs[] = {agg("MIN", 1, ty(CORE_T_VARCHAR)), agg("MAX", 1, ty(CORE_T_VARCHAR)),
                     agg("COUNT", -1, ty(CORE_T_BIGINT))};
  exec_slide_config c = {.ninput = 2,
                         .input_types = types,
                         .partition = part,
                         .npartition = 1,
                         .frame = EXEC_FRAME_RANGE,
                         .range_ms = 10,
                         .aggs = aggs,
                         .naggs = 3};
  rig r;
  rig_init(&r, &c);
  r.cap->no_time = true;
  int64_t t0 = ts("2024-01-01");
  add_row(r.in, t0, S("k"), S("pear"));
  add_row(r.in, t0 + 5, S("k"), S("apple"));
  add_row(r.in, t0 + 11, S("k"), S("zebra")); /* pear leaves */
  add_row(r.in, t0 + 16, S("k"), S("mango")); /* apple leaves */
  push(r.op, r.in);
  bound(r.op, t0 + 27); /* k's newest row (t0+16) is older than 27 - 10: k is dropped */
  add_row(r.in, t0 + 27, S("other"), S("b"));
  add_row(r.in, t0 + 28, S("k"), S("c"));
  push(r.op, r.in);
  EXPECT(r.cap, "k|pear|pear|pear|1", "k|apple|apple|pear|2", "k|zebra|apple|zebra|2",
         "k|mango|mango|zebra|2", "bound 2024-01-01 00:00:00.027", "other|b|b|b|1", "k|c|c|c|1");
  rig_free(&r);
}

/* SUM on SMALLINT overflowing in a frame: that row is an error, the next ones recover as
 * values leave. */
static void test_sliding_overflow(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_SMALLINT)};
  exec_agg aggs[] = {agg("SUM", 0, ty(CORE_T_SMALLINT))};
  exec_slide_config c = {.ninput = 1,
                         .input_types = types,
                         .frame = EXEC_FRAME_ROWS,
                         .rows = 1,
                         .aggs = aggs,
                         .naggs = 1};
  rig r;
  rig_init(&r, &c);
  r.cap->no_time = true;
  int64_t t0 = ts("2024-01-01");
  add_row(r.in, t0, I(20000));
  add_row(r.in, t0 + 1, I(20000));
  add_row(r.in, t0 + 2, I(-20000));
  push(r.op, r.in);
  EXPECT(r.cap, "20000|20000", "-20000|0");
  assert_int_equal(r.errs.n, 1);
  assert_string_equal(r.errs.lines[0], "2024-01-01 00:00:00.001 FunctionError: the result of "
                                       "SUM does not fit SMALLINT");
  rig_free(&r);
}

static void test_rejected(void **state) {
  (void)state;
  core_type types[] = {ty(CORE_T_INTEGER)};
  exec_ctx ctx = {0};
  core_error e;
  const char *names[] = {"NTH_VALUE", "LAG", "EXP_AVG"};
  for (int i = 0; i < 3; i++) {
    exec_agg a = agg(names[i], 0, ty(CORE_T_INTEGER));
    exec_slide_config c = {.ninput = 1,
                           .input_types = types,
                           .frame = EXEC_FRAME_ROWS,
                           .rows = 3,
                           .aggs = &a,
                           .naggs = 1};
    memset(&e, 0, sizeof e);
    assert_null(exec_slide_new(&ctx, &c, &e));
    assert_int_equal(e.code, SLUICE_UNSUPPORTED);
    char want[128];
    snprintf(want, sizeof want, "aggregate %s is not available in windows yet", names[i]);
    assert_string_equal(e.message, want);
  }
  exec_agg a = agg("AVG", 0, ty(CORE_T_INTEGER));
  a.distinct = true;
  exec_slide_config c = {.ninput = 1,
                         .input_types = types,
                         .frame = EXEC_FRAME_ROWS,
                         .rows = 3,
                         .aggs = &a,
                         .naggs = 1};
  assert_null(exec_slide_new(&ctx, &c, &e));
  assert_string_equal(e.message, "aggregate AVG(DISTINCT ...) is not available in windows yet");
}

/* ------------------------------------------------------- differential -- */

typedef struct drow {
  int64_t rt;
  int key; /* -1 = NULL */
  bool vnull;
  int64_t v;
  double d;
  const char *s;
} drow;

static const char *WORDS[] = {"pear", "apple", "fig", "", "kiwi", "banana", "date", "apricot"};

static void fmt_i(char *b, size_t n, bool null, int64_t v) {
  if (null)
    snprintf(b, n, "NULL");
  else
    snprintf(b, n, "%lld", (long long)v);
}

/* The naive answer for row i: the frame recomputed from the list. */
static void naive_row(const drow *rows, int i, exec_frame frame, int64_t nrows_frame, int64_t range,
                      char *out, size_t size, double *var, bool *var_null) {
  const drow *x = &rows[i];
  int idx[4096], n = 0;
  for (int k = 0; k <= i; k++)
    if (rows[k].key == x->key) idx[n++] = k;
  int from = 0;
  if (frame == EXEC_FRAME_ROWS && n > nrows_frame + 1) from = n - (int)(nrows_frame + 1);
  if (frame == EXEC_FRAME_RANGE)
    while (rows[idx[from]].rt < x->rt - range) from++;
  int64_t cnt = 0, cv = 0, sum = 0, mn = 0, mx = 0;
  double dsum = 0, dmean = 0;
  const char *smin = NULL, *smax = NULL, *sfirst = NULL, *slast = NULL;
  for (int q = from; q < n; q++) {
    const drow *y = &rows[idx[q]];
    cnt++;
    if (!y->vnull) {
      if (!cv || y->v < mn) mn = y->v;
      if (!cv || y->v > mx) mx = y->v;
      cv++;
      sum += y->v;
      dsum += y->d;
    }
    if (y->s) {
      if (!smin || strcmp(y->s, smin) < 0) smin = y->s;
      if (!smax || strcmp(y->s, smax) > 0) smax = y->s;
      if (!sfirst) sfirst = y->s;
      slast = y->s;
    }
  }
  *var_null = cv == 0;
  *var = 0;
  if (cv) {
    dmean = dsum / (double)cv;
    for (int q = from; q < n; q++)
      if (!rows[idx[q]].vnull) *var += (rows[idx[q]].d - dmean) * (rows[idx[q]].d - dmean);
    *var /= (double)cv;
  }
  const drow *f = &rows[idx[from]];
  char kb[16], vb[32], sb[32], avg[32], first[32], last[32], dsb[40], mnb[32], mxb[32];
  fmt_i(kb, sizeof kb, x->key < 0, x->key);
  fmt_i(vb, sizeof vb, x->vnull, x->v);
  fmt_i(sb, sizeof sb, cv == 0, sum);
  fmt_i(avg, sizeof avg, cv == 0, cv ? sum / cv : 0);
  fmt_i(mnb, sizeof mnb, cv == 0, mn);
  fmt_i(mxb, sizeof mxb, cv == 0, mx);
  fmt_i(first, sizeof first, f->vnull, f->v);
  fmt_i(last, sizeof last, x->vnull, x->v);
  if (cv)
    snprintf(dsb, sizeof dsb, "%.17g", dsum);
  else
    snprintf(dsb, sizeof dsb, "NULL");
  char xd[40];
  if (x->vnull)
    snprintf(xd, sizeof xd, "NULL");
  else
    snprintf(xd, sizeof xd, "%.17g", x->d);
  char tb[CORE_TIMESTAMP_TEXT];
  core_timestamp_format(x->rt, tb);
  snprintf(out, size, "%s|%s|%s|%s|%s|%lld|%lld|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", tb, kb, vb, xd,
           x->s ? x->s : "NULL", (long long)cnt, (long long)cv, sb, avg, mnb, mxb, dsb,
           smin ? smin : "NULL", smax ? smax : "NULL", first, last, sfirst ? sfirst : "NULL",
           slast ? slast : "NULL");
}

/* Random streams (printed seed) through ROWS, RANGE and UNBOUNDED frames, compared row by
 * row with the naive recomputation: COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(v), MAX(v),
 * SUM(d), MIN(s), MAX(s), FIRST_VALUE(v), LAST_VALUE(v), FIRST_VALUE(s) IGNORE NULLS,
 * LAST_VALUE(s) IGNORE NULLS exactly, and VAR_POP(d) to 1e-9. */
static void test_differential_random(void **state) {
  (void)state;
  unsigned seed = (unsigned)core_wall_ms();
  const char *env = getenv("SLUICE_TEST_SEED");
  if (env) seed = (unsigned)strtoul(env, NULL, 10);
  print_message("test_differential_random seed %u (SLUICE_TEST_SEED)\n", seed);
  srand(seed);
  for (int round = 0; round < 30; round++) {
    int nrows = 1 + rand() % 2500, nkeys = 1 + rand() % 30;
    exec_frame frame = (exec_frame)(rand() % 3);
    int64_t nf = rand() % 25, range = rand() % 3000;
    drow *rows = calloc((size_t)nrows, sizeof *rows);
    int64_t t = ts("2024-03-01") + rand() % 100000;
    for (int i = 0; i < nrows; i++) {
      t += rand() % 4 == 0 ? rand() % 2000 : rand() % 3;
      rows[i].rt = t;
      rows[i].key = rand() % 10 == 0 ? -1 : rand() % nkeys;
      rows[i].vnull = rand() % 6 == 0;
      rows[i].v = (rand() % 2001) - 1000;
      rows[i].d = (double)((rand() % 2001) - 1000) / 4;
      rows[i].s = rand() % 5 == 0 ? NULL : WORDS[rand() % 8];
    }
    core_type types[] = {ty(CORE_T_INTEGER), ty(CORE_T_BIGINT), ty(CORE_T_DOUBLE),
                         ty(CORE_T_VARCHAR)};
    int part[] = {0};
    exec_agg aggs[] = {
        agg("COUNT", -1, ty(CORE_T_BIGINT)),      agg("COUNT", 1, ty(CORE_T_BIGINT)),
        agg("SUM", 1, ty(CORE_T_BIGINT)),         agg("AVG", 1, ty(CORE_T_BIGINT)),
        agg("MIN", 1, ty(CORE_T_BIGINT)),         agg("MAX", 1, ty(CORE_T_BIGINT)),
        agg("SUM", 2, ty(CORE_T_DOUBLE)),         agg("MIN", 3, ty(CORE_T_VARCHAR)),
        agg("MAX", 3, ty(CORE_T_VARCHAR)),        agg("FIRST_VALUE", 1, ty(CORE_T_BIGINT)),
        agg("LAST_VALUE", 1, ty(CORE_T_BIGINT)),  agg("FIRST_VALUE", 3, ty(CORE_T_VARCHAR)),
        agg("LAST_VALUE", 3, ty(CORE_T_VARCHAR)), agg("VAR_POP", 2, ty(CORE_T_DOUBLE))};
    aggs[11].ignore_nulls = aggs[12].ignore_nulls = true;
    exec_slide_config c = {.ninput = 4,
                           .input_types = types,
                           .partition = part,
                           .npartition = 1,
                           .frame = frame,
                           .rows = nf,
                           .range_ms = range,
                           .aggs = aggs,
                           .naggs = 14};
    rig r;
    rig_init(&r, &c);
    int cut = 1 + rand() % 300;
    for (int i = 0; i < nrows; i++) {
      drow *x = &rows[i];
      add_row(r.in, x->rt, x->key < 0 ? NUL : I(x->key), x->vnull ? NUL : I(x->v),
              x->vnull ? NUL : D(x->d), x->s ? S(x->s) : NUL);
      if (r.in->n >= cut || i == nrows - 1) {
        push(r.op, r.in);
        int64_t room = i + 1 < nrows ? rows[i + 1].rt - x->rt : 1000;
        if (rand() % 3 == 0) bound(r.op, x->rt + rand() % (room + 1));
        cut = 1 + rand() % 300;
      }
    }
    int line = 0;
    for (int i = 0; i < nrows; i++) {
      char want[1024];
      double var;
      bool var_null;
      naive_row(rows, i, frame, nf, range, want, sizeof want, &var, &var_null);
      while (line < r.cap->n && strncmp(r.cap->lines[line], "bound", 5) == 0) line++;
      assert_true(line < r.cap->n);
      const char *got = r.cap->lines[line++];
      const char *bar = strrchr(got, '|');
      size_t plen = (size_t)(bar - got);
      if (strlen(want) != plen || strncmp(got, want, plen) != 0) {
        print_message("seed %u round %d frame %d rows %lld range %lld row %d:\n got  %s\n want "
                      "%s\n",
                      seed, round, frame, (long long)nf, (long long)range, i, got, want);
        fail();
      }
      if (var_null) {
        assert_string_equal(bar + 1, "NULL");
      } else {
        double g = strtod(bar + 1, NULL);
        if (fabs(g - var) > 1e-9 * (1 + fabs(var))) {
          print_message("seed %u round %d row %d: VAR_POP %.17g want %.17g\n", seed, round, i, g,
                        var);
          fail();
        }
      }
    }
    while (line < r.cap->n && strncmp(r.cap->lines[line], "bound", 5) == 0) line++;
    assert_int_equal(line, r.cap->n);
    rig_free(&r);
    free(rows);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_8_9a_range_day),
      cmocka_unit_test(test_spec_8_9b_partition_city),
      cmocka_unit_test(test_spec_4_2_walkthrough),
      cmocka_unit_test(test_spec_8_10_ticker_stats),
      cmocka_unit_test(test_spec_8_11_rows_2_vs_10),
      cmocka_unit_test(test_spec_8_13_partial_results),
      cmocka_unit_test(test_spec_8_27_bounds),
      cmocka_unit_test(test_current_row_frames),
      cmocka_unit_test(test_unbounded),
      cmocka_unit_test(test_nulls_first_last),
      cmocka_unit_test(test_strings_and_dropped_partitions),
      cmocka_unit_test(test_sliding_overflow),
      cmocka_unit_test(test_rejected),
      cmocka_unit_test(test_differential_random),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_topk.c — TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING
 * (exec/tablefn_topk.c) and the sketches under them (functions/sketch.c).
 *
 * The sketches against exact answers on Zipf-skewed and uniform streams (seed printed,
 * SLUICE_TEST_SEED repeats a run): space-saving's counts stay within [true, true +
 * min_count], min_count <= N / counters, and no unreported item is more frequent than
 * the K-th reported one; the distinct counter is exact up to 10,000 items and within
 * five standard errors (5 x 1.04 / 256) above. The operators: exact rows and ROWTIMEs
 * (window end), ordering, windows closed by a row or a bound, empty windows, NULL (a
 * value for TOP_K, none for COUNT_DISTINCT), several windows, value types, output over
 * several batches, late rows, arguments.
 */
#include <math.h>

#include "functions/sketch.h"
#include "window_test.h"

/* ------------------------------------------------------------ random -- */

static uint64_t rng_state;

static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static double rnd01(void) {
  return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void seed_rng(const char *test) {
  uint64_t seed = (uint64_t)core_wall_ms();
  const char *env = getenv("SLUICE_TEST_SEED");
  if (env) seed = strtoull(env, NULL, 10);
  print_message("%s seed %llu (SLUICE_TEST_SEED)\n", test, (unsigned long long)seed);
  rng_state = seed;
}

/* Zipf(s) over 0..n-1: a cumulative table and binary search. */
typedef struct zipf {
  double *cdf;
  int n;
} zipf;

static zipf zipf_new(int n, double s) {
  zipf z = {malloc(sizeof(double) * (size_t)n), n};
  assert_non_null(z.cdf);
  double sum = 0;
  for (int i = 0; i < n; i++) z.cdf[i] = sum += 1.0 / pow(i + 1, s);
  for (int i = 0; i < n; i++) z.cdf[i] /= sum;
  return z;
}

static int zipf_draw(const zipf *z) {
  double u = rnd01();
  int lo = 0, hi = z->n - 1;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (z->cdf[mid] < u)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static uint64_t h64(const void *p, uint32_t n) {
  return core_hash64(p, n, 42);
}

/* ------------------------------------------------------ space-saving -- */

static void test_topk_sketch_exact_when_small(void **state) {
  (void)state;
  sk_topk *t = sk_topk_new(8);
  assert_non_null(t);
  /* 8 distinct items = the capacity: never replaced, exact */
  const char *stream = "aabbbcdddddeefgh";
  for (const char *p = stream; *p; p++) assert_int_equal(sk_topk_add(t, p, 1, h64(p, 1)), 0);
  sk_topk_verify(t);
  sk_topk_entry e[8];
  uint32_t n = 0;
  assert_int_equal(sk_topk_top(t, 8, e, &n), SLUICE_OK);
  assert_int_equal(n, 8);
  const char *want_key = "dbaecfgh"; /* by count, then first appearance */
  const int64_t want_count[] = {5, 3, 2, 2, 1, 1, 1, 1};
  for (uint32_t i = 0; i < n; i++) {
    assert_int_equal(e[i].len, 1);
    assert_int_equal(((const char *)e[i].key)[0], want_key[i]);
    assert_int_equal(e[i].count, want_count[i]);
    assert_int_equal(e[i].error, 0);
  }
  assert_int_equal(sk_topk_min_count(t), 1);
  /* a ninth item replaces a counter of count 1: the newcomer gets 2 with error 1 */
  assert_int_equal(sk_topk_add(t, "z", 1, h64("z", 1)), 0);
  sk_topk_verify(t);
  assert_int_equal(sk_topk_top(t, 3, e, &n), SLUICE_OK);
  assert_int_equal(n, 3);
  assert_int_equal(e[0].count, 5);
  /* reset keeps nothing */
  sk_topk_reset(t);
  assert_int_equal(sk_topk_total(t), 0);
  assert_int_equal(sk_topk_top(t, 3, e, &n), SLUICE_OK);
  assert_int_equal(n, 0);
  /* long keys (heap buffers) survive replacement */
  sk_topk *s = sk_topk_new(2);
  char k1[40], k2[40], k3[40];
  memset(k1, 'x', 40), memset(k2, 'y', 40), memset(k3, 'z', 40);
  sk_topk_add(s, k1, 40, h64(k1, 40));
  sk_topk_add(s, k1, 40, h64(k1, 40));
  sk_topk_add(s, k2, 40, h64(k2, 40));
  sk_topk_add(s, k3, 30, h64(k3, 30)); /* replaces k2 (count 1) */
  sk_topk_verify(s);
  assert_int_equal(sk_topk_top(s, 2, e, &n), SLUICE_OK);
  assert_int_equal(n, 2);
  assert_int_equal(e[0].count, 2);
  assert_memory_equal(e[0].key, k1, 40);
  assert_int_equal(e[1].count, 2);
  assert_int_equal(e[1].error, 1);
  assert_int_equal(e[1].len, 30);
  assert_memory_equal(e[1].key, k3, 30);
  sk_topk_free(s);
  sk_topk_free(t);
}

/* One stream of N draws over a universe of U items (Zipf s, or uniform when s = 0) into
 * a summary of `counters`; checks the space-saving guarantees against exact counts. */
static void check_space_saving(int U, double s, int N, uint32_t counters, uint32_t K) {
  zipf z = {0};
  if (s > 0) z = zipf_new(U, s);
  int64_t *truth = calloc((size_t)U, sizeof *truth);
  assert_non_null(truth);
  sk_topk *t = sk_topk_new(counters);
  for (int i = 0; i < N; i++) {
    uint64_t item = s > 0 ? (uint64_t)zipf_draw(&z) : rnd() % (uint64_t)U;
    truth[item]++;
    assert_int_equal(sk_topk_add(t, &item, 8, h64(&item, 8)), SLUICE_OK);
  }
  sk_topk_verify(t);
  assert_int_equal(sk_topk_total(t), (uint64_t)N);
  int64_t min = sk_topk_min_count(t);
  assert_true(min <= (int64_t)N / counters); /* the documented bound */
  /* every counter: true <= count <= true + min, and count - error <= true */
  uint32_t size = sk_topk_size(t);
  sk_topk_entry *all = malloc(sizeof *all * size);
  uint32_t n;
  assert_int_equal(sk_topk_top(t, size, all, &n), SLUICE_OK);
  assert_int_equal(n, size);
  char *reported = calloc((size_t)U, 1);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t item;
    memcpy(&item, all[i].key, 8);
    int64_t f = truth[item];
    assert_true(f <= all[i].count && all[i].count <= f + min);
    assert_true(all[i].count - all[i].error <= f);
    if (i < K) reported[item] = 1;
  }
  /* no unreported item is more frequent than the K-th reported count */
  int64_t ck = all[K - 1].count;
  int missed = 0;
  for (int i = 0; i < U; i++) missed += !reported[i] && truth[i] > ck;
  assert_int_equal(missed, 0);
  /* unmonitored items occurred at most min times */
  print_message("  U=%d s=%.2f N=%d counters=%u: min_count %lld (N/counters %d), top count %lld\n",
                U, s, N, counters, (long long)min, N / (int)counters, (long long)all[0].count);
  free(reported);
  free(all);
  sk_topk_free(t);
  free(truth);
  free(z.cdf);
}

static void test_topk_sketch_error_bounds(void **state) {
  (void)state;
  seed_rng("test_topk_sketch_error_bounds");
  check_space_saving(50000, 1.1, 200000, 4096, 10); /* skewed */
  check_space_saving(50000, 0.8, 200000, 4096, 10); /* mildly skewed */
  check_space_saving(10000, 0.0, 200000, 4096, 10); /* uniform: counts close together */
  check_space_saving(3000, 1.0, 100000, 4096, 100); /* fewer distinct than counters: exact */
}

/* -------------------------------------------------- distinct counting -- */

static void test_distinct_exact_up_to_limit(void **state) {
  (void)state;
  sk_distinct *d = sk_distinct_new(SK_DISTINCT_EXACT_LIMIT, SK_HLL_PRECISION);
  assert_non_null(d);
  /* 10,000 distinct strings, each three times, in two orders */
  char key[32];
  for (int rep = 0; rep < 3; rep++)
    for (int i = 0; i < 10000; i++) {
      int v = rep == 1 ? 9999 - i : i;
      int n = snprintf(key, sizeof key, "item-%d", v);
      assert_int_equal(sk_distinct_add(d, key, (uint32_t)n, h64(key, (uint32_t)n)), SLUICE_OK);
    }
  assert_true(sk_distinct_exact(d));
  assert_int_equal(sk_distinct_count(d), 10000);
  /* equal hashes do not make items equal: two keys forced onto one hash */
  sk_distinct *e = sk_distinct_new(10, SK_HLL_PRECISION);
  assert_int_equal(sk_distinct_add(e, "a", 1, 7), SLUICE_OK);
  assert_int_equal(sk_distinct_add(e, "b", 1, 7), SLUICE_OK);
  assert_int_equal(sk_distinct_add(e, "a", 1, 7), SLUICE_OK);
  assert_int_equal(sk_distinct_count(e), 2);
  sk_distinct_free(e);
  /* the 10,001st distinct item switches to HyperLogLog */
  assert_int_equal(sk_distinct_add(d, "new", 3, h64("new", 3)), SLUICE_OK);
  assert_false(sk_distinct_exact(d));
  uint64_t est = sk_distinct_count(d);
  print_message("  10001 distinct -> estimate %llu\n", (unsigned long long)est);
  assert_true(fabs((double)est - 10001) <= 5 * 1.04 / 256 * 10001);
  /* reset: exact again */
  sk_distinct_reset(d);
  assert_true(sk_distinct_exact(d));
  assert_int_equal(sk_distinct_count(d), 0);
  assert_int_equal(sk_distinct_add(d, "x", 1, h64("x", 1)), SLUICE_OK);
  assert_int_equal(sk_distinct_count(d), 1);
  sk_distinct_free(d);
  assert_null(sk_distinct_new(10, 3));
  assert_null(sk_distinct_new(10, 19));
}

/* HyperLogLog against exact counts, over the whole range (exact_limit 0 forces the sketch
 * from the first item), uniform and Zipf streams, several seeds for the bias. */
static void test_distinct_hll_error_bounds(void **state) {
  (void)state;
  seed_rng("test_distinct_hll_error_bounds");
  const double sigma = 1.04 / 256; /* 2^16 registers */
  const int sizes[] = {1, 10, 100, 1000, 10000, 20000, 65536, 100000, 200000, 500000, 1000000};
  double worst = 0;
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    int n = sizes[k];
    sk_distinct *d = sk_distinct_new(0, SK_HLL_PRECISION);
    uint64_t base = rnd();
    for (int i = 0; i < n; i++) {
      uint64_t item = base + (uint64_t)i;
      sk_distinct_add(d, &item, 8, h64(&item, 8));
      if ((i & 3) == 0) sk_distinct_add(d, &item, 8, h64(&item, 8)); /* repeats change nothing */
    }
    double est = (double)sk_distinct_count(d), rel = fabs(est - n) / n;
    print_message("  %7d distinct -> %.0f (%.3f %%)\n", n, est, 100 * rel);
    assert_true(fabs(est - n) <= fmax(5 * sigma * n, 1.0));
    if (rel > worst) worst = rel;
    sk_distinct_free(d);
  }
  /* bias: the mean relative error of 20 independent runs at 100,000 is within 5 sigma/sqrt(20) */
  double sum = 0;
  for (int run = 0; run < 20; run++) {
    sk_distinct *d = sk_distinct_new(0, SK_HLL_PRECISION);
    uint64_t base = rnd();
    for (int i = 0; i < 100000; i++) {
      uint64_t item = base ^ ((uint64_t)i * 0x9E3779B97F4A7C15ULL);
      sk_distinct_add(d, &item, 8, h64(&item, 8));
    }
    sum += ((double)sk_distinct_count(d) - 100000) / 100000;
    sk_distinct_free(d);
  }
  print_message("  mean relative error of 20 runs at 100000: %.4f %%\n", 100 * sum / 20);
  assert_true(fabs(sum / 20) <= 5 * sigma / sqrt(20));
  /* a Zipf stream: many repeats of few items plus a long tail */
  zipf z = zipf_new(300000, 1.05);
  char *seen = calloc(300000, 1);
  sk_distinct *d = sk_distinct_new(SK_DISTINCT_EXACT_LIMIT, SK_HLL_PRECISION);
  int exact = 0;
  for (int i = 0; i < 1000000; i++) {
    uint32_t item = (uint32_t)zipf_draw(&z);
    exact += !seen[item];
    seen[item] = 1;
    sk_distinct_add(d, &item, 4, h64(&item, 4));
  }
  double est = (double)sk_distinct_count(d);
  print_message("  zipf: %d distinct -> %.0f\n", exact, est);
  assert_true(fabs(est - exact) <= 5 * sigma * exact);
  sk_distinct_free(d);
  free(seen);
  free(z.cdf);
  /* the estimator of an empty and of a saturated histogram */
  uint32_t c[66] = {0};
  c[0] = 1u << 16;
  assert_true(sk_hll_estimate(c, 16) == 0.0);
}

/* ---------------------------------------------------------- operators -- */

typedef struct rig {
  exec_ctx ctx;
  errlog errs;
  capture *cap;
  exec_op *op;
  core_batch *in;
  core_type in_types[3];
  const char *in_names[3];
  core_value args[3];
  core_type out_types[2];
  const char *out_names[2];
} rig;

/* A chain cursor(col TYPE, other INTEGER) -> fn(CURSOR, 'COL', [k,] seconds) -> capture. */
static exec_op *rig_make(rig *r, const char *fn, core_type item, const char *colname, int64_t k,
                         int64_t seconds, core_error *e) {
  memset(r, 0, sizeof *r);
  r->ctx.row_error = log_row_error;
  r->ctx.arg = &r->errs;
  r->in_types[0] = item;
  r->in_types[1] = ty(CORE_T_INTEGER);
  r->in_names[0] = "COL";
  r->in_names[1] = "OTHER";
  bool topk = strcmp(fn, "TOP_K_ITEMS_TUMBLING") == 0;
  int na = 0;
  r->args[na].type = ty(CORE_T_CHAR);
  r->args[na].u.s.p = colname;
  r->args[na++].u.s.n = (uint32_t)strlen(colname);
  if (topk) {
    r->args[na].type = ty(CORE_T_INTEGER);
    r->args[na++].u.i = k;
  }
  r->args[na].type = ty(CORE_T_INTEGER);
  r->args[na++].u.i = seconds;
  int nout = 0;
  if (topk) {
    r->out_types[nout] = item;
    r->out_names[nout++] = "COL";
    r->out_types[nout] = ty(CORE_T_BIGINT);
    r->out_names[nout++] = "MOST_FREQUENT_VALUES";
  } else {
    r->out_types[nout] = ty(CORE_T_BIGINT);
    r->out_names[nout++] = "NUMBER_OF_DISTINCT_ITEMS";
  }
  exec_tablefn_config c = {.fn = fn_lookup(fn),
                           .ninput = 2,
                           .input_types = r->in_types,
                           .input_names = r->in_names,
                           .nargs = na,
                           .args = r->args,
                           .nout = nout,
                           .out_types = r->out_types,
                           .out_names = r->out_names};
  assert_non_null(c.fn);
  memset(e, 0, sizeof *e);
  return exec_tablefn_new(&r->ctx, &c, e);
}

static void rig_init(rig *r, const char *fn, core_type item, int64_t k, int64_t seconds) {
  core_error e;
  r->op = NULL;
  exec_op *op = rig_make(r, fn, item, "COL", k, seconds, &e);
  if (!op) print_message("exec_tablefn_new: %s\n", e.message);
  assert_non_null(op);
  r->op = op;
  r->cap = cap_new();
  r->op->next = &r->cap->op;
  r->in = core_batch_new(2, r->in_types, CORE_BATCH_CAP);
  assert_non_null(r->in);
}

static void rig_free(rig *r) {
  exec_op_free(r->op);
  exec_op_free(&r->cap->op);
  core_batch_free(r->in);
}

#define TOPK "TOP_K_ITEMS_TUMBLING"
#define DISTINCT "COUNT_DISTINCT_ITEMS_TUMBLING"

/* Spec 8.14 at small volume: <= K distinct values give the exact counts, by count, then
 * first appearance; NULL is a value, as in GROUP BY; ROWTIME = window end; the window
 * closes on the first later row. */
static void test_topk_rows_and_order(void **state) {
  (void)state;
  rig r;
  rig_init(&r, TOPK, ty(CORE_T_VARCHAR), 4, 60);
  add_row(r.in, ts("2024-05-01 10:00:05"), S("AMZN"), I(1));
  add_row(r.in, ts("2024-05-01 10:00:10"), S("MSFT"), I(2));
  add_row(r.in, ts("2024-05-01 10:00:20"), S("INTC"), I(3));
  add_row(r.in, ts("2024-05-01 10:00:30"), S("MSFT"), I(4));
  add_row(r.in, ts("2024-05-01 10:00:40"), NUL, I(5));
  add_row(r.in, ts("2024-05-01 10:00:41"), S(""), I(5)); /* not NULL */
  add_row(r.in, ts("2024-05-01 10:00:59.999"), S("INTC"), I(6));
  add_row(r.in, ts("2024-05-01 10:00:59.999"), S("TBV"), I(7));
  push(r.op, r.in);
  EXPECT(r.cap, NULL); /* nothing before the window ends */
  add_row(r.in, ts("2024-05-01 10:01:00"), S("TBV"), I(8));
  push(r.op, r.in);
  /* MSFT and INTC have 2 (MSFT first seen), then AMZN, NULL, '' and TBV 1: K = 4 */
  EXPECT(r.cap, "2024-05-01 10:01:00.000|MSFT|2", "2024-05-01 10:01:00.000|INTC|2",
         "2024-05-01 10:01:00.000|AMZN|1", "2024-05-01 10:01:00.000|NULL|1");
  cap_clear(r.cap);
  /* the next window (TBV at 10:01:00 opened it): NULL and '' are two values */
  add_row(r.in, ts("2024-05-01 10:01:01"), S(""), I(5));
  add_row(r.in, ts("2024-05-01 10:01:02"), NUL, I(5));
  add_row(r.in, ts("2024-05-01 10:01:03"), S(""), I(5));
  push(r.op, r.in);
  bound(r.op, ts("2024-05-01 10:02:00"));
  EXPECT(r.cap, "2024-05-01 10:02:00.000||2", "2024-05-01 10:02:00.000|TBV|1",
         "2024-05-01 10:02:00.000|NULL|1", "bound 2024-05-01 10:02:00.000");
  assert_int_equal(r.errs.n, 0);
  rig_free(&r);
}

/* Bounds close windows without a row; a bound exactly at the end closes it, one ms
 * before does not; empty windows emit nothing; bounds pass through after the rows. */
static void test_topk_bounds_and_empty_windows(void **state) {
  (void)state;
  rig r;
  rig_init(&r, TOPK, ty(CORE_T_VARCHAR), 5, 10);
  add_row(r.in, ts("2024-05-01 10:00:01"), S("A"), I(1));
  add_row(r.in, ts("2024-05-01 10:00:02"), S("B"), I(1));
  add_row(r.in, ts("2024-05-01 10:00:03"), S("A"), I(1));
  push(r.op, r.in);
  bound(r.op, ts("2024-05-01 10:00:09.999"));
  EXPECT(r.cap, "bound 2024-05-01 10:00:09.999");
  cap_clear(r.cap);
  bound(r.op, ts("2024-05-01 10:00:10"));
  EXPECT(r.cap, "2024-05-01 10:00:10.000|A|2", "2024-05-01 10:00:10.000|B|1",
         "bound 2024-05-01 10:00:10.000");
  cap_clear(r.cap);
  /* 10:00:10 .. 10:00:40: no rows, no output; then a row at 10:00:41 */
  bound(r.op, ts("2024-05-01 10:00:40"));
  add_row(r.in, ts("2024-05-01 10:00:41"), S("C"), I(1));
  push(r.op, r.in);
  bound(r.op, ts("2024-05-01 10:01:30"));
  EXPECT(r.cap, "bound 2024-05-01 10:00:40.000", "2024-05-01 10:00:50.000|C|1",
         "bound 2024-05-01 10:01:30.000");
  rig_free(&r);
}

/* Several windows in one batch, windows aligned to the epoch (not to the first row). */
static void test_topk_multiple_windows_in_one_batch(void **state) {
  (void)state;
  rig r;
  rig_init(&r, TOPK, ty(CORE_T_INTEGER), 2, 1);
  add_row(r.in, ts("2024-05-01 10:00:00.500"), I(7), I(0));
  add_row(r.in, ts("2024-05-01 10:00:00.900"), I(7), I(0));
  add_row(r.in, ts("2024-05-01 10:00:01.000"), I(8), I(0)); /* closes [10:00:00, 10:00:01) */
  add_row(r.in, ts("2024-05-01 10:00:03.250"), I(9), I(0)); /* closes [01, 02); 02 is empty */
  add_row(r.in, ts("2024-05-01 10:00:03.999"), I(-1), I(0));
  add_row(r.in, ts("2024-05-01 10:00:03.999"), I(-1), I(0));
  push(r.op, r.in);
  bound(r.op, ts("2024-05-01 10:00:04"));
  EXPECT(r.cap, "2024-05-01 10:00:01.000|7|2", "2024-05-01 10:00:02.000|8|1",
         "2024-05-01 10:00:04.000|-1|2", "2024-05-01 10:00:04.000|9|1",
         "bound 2024-05-01 10:00:04.000");
  rig_free(&r);
}

/* DOUBLE items: -0.0 and 0.0 are one value; BOOLEAN, TIMESTAMP and DECIMAL items keep
 * their type in the output. */
static void test_topk_value_types(void **state) {
  (void)state;
  rig r;
  rig_init(&r, TOPK, ty(CORE_T_DOUBLE), 5, 60);
  add_row(r.in, 1000, D(0.0), I(0));
  add_row(r.in, 1000, D(-0.0), I(0));
  add_row(r.in, 1000, D(2.5), I(0));
  push(r.op, r.in);
  bound(r.op, 60000);
  EXPECT(r.cap, "1970-01-01 00:01:00.000|0|2", "1970-01-01 00:01:00.000|2.5|1",
         "bound 1970-01-01 00:01:00.000");
  rig_free(&r);

  rig_init(&r, TOPK, ty(CORE_T_BOOLEAN), 5, 60);
  add_row(r.in, 1000, I(1), I(0));
  add_row(r.in, 1000, I(0), I(0));
  add_row(r.in, 1000, NUL, I(0));
  add_row(r.in, 1000, I(1), I(0));
  add_row(r.in, 1000, NUL, I(0));
  add_row(r.in, 1000, NUL, I(0));
  push(r.op, r.in);
  bound(r.op, 60000);
  EXPECT(r.cap, "1970-01-01 00:01:00.000|NULL|3", "1970-01-01 00:01:00.000|TRUE|2",
         "1970-01-01 00:01:00.000|FALSE|1", "bound 1970-01-01 00:01:00.000");
  rig_free(&r);

  rig_init(&r, TOPK, ty_dec(6, 2), 5, 60);
  add_row(r.in, 1000, X(1250), I(0));
  add_row(r.in, 1000, X(1250), I(0));
  add_row(r.in, 1000, X(-5), I(0));
  push(r.op, r.in);
  bound(r.op, 60000);
  EXPECT(r.cap, "1970-01-01 00:01:00.000|12.50|2", "1970-01-01 00:01:00.000|-0.05|1",
         "bound 1970-01-01 00:01:00.000");
  rig_free(&r);

  rig_init(&r, TOPK, ty(CORE_T_TIMESTAMP), 5, 60);
  add_row(r.in, 1000, T("2024-01-02 03:04:05"), I(0));
  push(r.op, r.in);
  bound(r.op, 60000);
  EXPECT(r.cap, "1970-01-01 00:01:00.000|2024-01-02 03:04:05.000|1",
         "bound 1970-01-01 00:01:00.000");
  rig_free(&r);
}

/* K larger than one output batch: 1,500 distinct values, K = 2,000, one window; counts
 * exact (fewer distinct values than counters), over two batches. */
static void test_topk_many_rows_over_batches(void **state) {
  (void)state;
  rig r;
  rig_init(&r, TOPK, ty(CORE_T_INTEGER), 2000, 60);
  for (int rep = 0; rep < 3; rep++)
    for (int v = 0; v < 1500; v += 1) {
      if (rep == 2 && v % 2) continue; /* even values 3 times, odd ones twice */
      add_row(r.in, 1000 + rep, I(v), I(0));
      if (r.in->n == r.in->cap) push(r.op, r.in);
    }
  push(r.op, r.in);
  bound(r.op, 60000);
  assert_int_equal(r.cap->n, 1501);
  assert_int_equal(r.cap->batches, 2);
  assert_int_equal(r.cap->batch_rows[0], CORE_BATCH_CAP);
  /* the 750 even values first (count 3, in first-appearance order), then the odd ones */
  for (int i = 0; i < 1500; i++) {
    char want[64];
    int v = i < 750 ? 2 * i : 2 * (i - 750) + 1;
    snprintf(want, sizeof want, "1970-01-01 00:01:00.000|%d|%d", v, i < 750 ? 3 : 2);
    assert_string_equal(r.cap->lines[i], want);
  }
  rig_free(&r);
}

/* A Zipf stream of 200,000 rows over 50,000 values in one window through the operator
 * (K = 10: 4,096 counters): the reported counts bound the true ones from above by at
 * most N / 4096, and the reported items are the true top 10 wherever the counts allow
 * telling them apart. */
static void test_topk_operator_against_exact(void **state) {
  (void)state;
  seed_rng("test_topk_operator_against_exact");
  rig r;
  rig_init(&r, TOPK, ty(CORE_T_VARCHAR), 10, 3600);
  const int U = 50000, N = 200000;
  zipf z = zipf_new(U, 1.0);
  int64_t *truth = calloc((size_t)U, sizeof *truth);
  char key[16];
  for (int i = 0; i < N; i++) {
    int v = zipf_draw(&z);
    truth[v]++;
    snprintf(key, sizeof key, "v%d", v);
    add_row(r.in, 1000 + i / 100, S(key), I(0));
    if (r.in->n == r.in->cap) push(r.op, r.in);
  }
  push(r.op, r.in);
  bound(r.op, 3600000);
  assert_int_equal(r.cap->n, 11); /* 10 rows and the bound */
  int64_t slack = N / 4096, prev = INT64_MAX, kth = 0;
  for (int i = 0; i < 10; i++) {
    int v;
    long long count;
    assert_int_equal(sscanf(r.cap->lines[i], "1970-01-01 01:00:00.000|v%d|%lld", &v, &count), 2);
    assert_true(truth[v] <= count && count <= truth[v] + slack);
    assert_true(count <= prev);
    prev = kth = count;
    truth[v] = -truth[v]; /* reported */
  }
  for (int v = 0; v < U; v++) assert_true(truth[v] <= kth);
  free(truth);
  free(z.cdf);
  rig_free(&r);
}

/* Spec 8.15 at small volume: exact; a window of NULLs only gives 0; windows close on
 * rows and bounds; none for empty windows. */
static void test_count_distinct_rows(void **state) {
  (void)state;
  rig r;
  rig_init(&r, DISTINCT, ty(CORE_T_VARCHAR), 0, 60);
  add_row(r.in, ts("2024-05-01 10:00:05"), S("AMZN"), I(1));
  add_row(r.in, ts("2024-05-01 10:00:10"), S("MSFT"), I(1));
  add_row(r.in, ts("2024-05-01 10:00:20"), S("AMZN"), I(1));
  add_row(r.in, ts("2024-05-01 10:00:30"), NUL, I(1));
  add_row(r.in, ts("2024-05-01 10:01:00"), NUL, I(1));    /* closes 10:00, opens 10:01 */
  add_row(r.in, ts("2024-05-01 10:03:10"), S("X"), I(1)); /* closes 10:01; 10:02 empty */
  push(r.op, r.in);
  bound(r.op, ts("2024-05-01 10:04:00"));
  EXPECT(r.cap, "2024-05-01 10:01:00.000|2", "2024-05-01 10:02:00.000|0",
         "2024-05-01 10:04:00.000|1", "bound 2024-05-01 10:04:00.000");
  rig_free(&r);
}

/* 10,000 distinct values in a window are counted exactly, 50,000 within 5 standard
 * errors; the next window starts from zero. */
static void test_count_distinct_exact_then_estimate(void **state) {
  (void)state;
  rig r;
  rig_init(&r, DISTINCT, ty(CORE_T_BIGINT), 0, 10);
  for (int rep = 0; rep < 2; rep++)
    for (int v = 0; v < 10000; v++) {
      add_row(r.in, 1000, I((int64_t)v * 7919), I(0));
      if (r.in->n == r.in->cap) push(r.op, r.in);
    }
  push(r.op, r.in);
  for (int v = 0; v < 50000; v++) {
    add_row(r.in, 10000, I(v), I(0));
    if (r.in->n == r.in->cap) push(r.op, r.in);
  }
  push(r.op, r.in);
  bound(r.op, 20000);
  assert_int_equal(r.cap->n, 3);
  assert_string_equal(r.cap->lines[0], "1970-01-01 00:00:10.000|10000");
  long long est;
  assert_int_equal(sscanf(r.cap->lines[1], "1970-01-01 00:00:20.000|%lld", &est), 1);
  print_message("  50000 distinct -> %lld\n", est);
  assert_true(llabs(est - 50000) <= (long long)(5 * 1.04 / 256 * 50000));
  rig_free(&r);
}

/* A row earlier than a bound already passed is an OutOfOrderRowtime error, not counted. */
static void test_late_row_is_an_error(void **state) {
  (void)state;
  rig r;
  rig_init(&r, DISTINCT, ty(CORE_T_INTEGER), 0, 60);
  add_row(r.in, 1000, I(1), I(0));
  push(r.op, r.in);
  bound(r.op, 70000);
  add_row(r.in, 65000, I(2), I(0));
  add_row(r.in, 75000, I(3), I(0));
  push(r.op, r.in);
  bound(r.op, 120000);
  EXPECT(r.cap, "1970-01-01 00:01:00.000|1", "bound 1970-01-01 00:01:10.000",
         "1970-01-01 00:02:00.000|1", "bound 1970-01-01 00:02:00.000");
  assert_int_equal(r.errs.n, 1);
  assert_string_equal(r.errs.lines[0],
                      "1970-01-01 00:01:05.000 OutOfOrderRowtime: row is earlier than "
                      "1970-01-01 00:01:10.000, which COUNT_DISTINCT_ITEMS_TUMBLING has already "
                      "passed");
  rig_free(&r);
}

/* The constructor's checks (the binder makes the same ones first). */
static void test_arguments(void **state) {
  (void)state;
  rig r;
  core_error e;
  assert_null(rig_make(&r, TOPK, ty(CORE_T_VARCHAR), "NOPE", 5, 60, &e));
  assert_string_equal(e.message, "column \"NOPE\" not found in the cursor of TOP_K_ITEMS_TUMBLING");
  assert_null(rig_make(&r, TOPK, ty(CORE_T_VARCHAR), "COL", 0, 60, &e));
  assert_string_equal(e.message,
                      "K of TOP_K_ITEMS_TUMBLING must be an integer between 1 and 100000");
  assert_null(rig_make(&r, TOPK, ty(CORE_T_VARCHAR), "COL", 100001, 60, &e));
  assert_null(rig_make(&r, TOPK, ty(CORE_T_VARCHAR), "COL", 5, 3601, &e));
  assert_string_equal(e.message, "the window size of TOP_K_ITEMS_TUMBLING must be an integer "
                                 "between 1 and 3600");
  assert_null(rig_make(&r, DISTINCT, ty(CORE_T_VARCHAR), "COL", 0, 0, &e));
  assert_string_equal(e.message, "the window size of COUNT_DISTINCT_ITEMS_TUMBLING must be an "
                                 "integer between 1 and 3600");
  exec_op *op = rig_make(&r, TOPK, ty(CORE_T_VARCHAR), "COL", 100000, 3600, &e);
  assert_non_null(op); /* the largest K: counters are allocated only as values arrive */
  exec_op_free(op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_topk_sketch_exact_when_small),
      cmocka_unit_test(test_topk_sketch_error_bounds),
      cmocka_unit_test(test_distinct_exact_up_to_limit),
      cmocka_unit_test(test_distinct_hll_error_bounds),
      cmocka_unit_test(test_topk_rows_and_order),
      cmocka_unit_test(test_topk_bounds_and_empty_windows),
      cmocka_unit_test(test_topk_multiple_windows_in_one_batch),
      cmocka_unit_test(test_topk_value_types),
      cmocka_unit_test(test_topk_many_rows_over_batches),
      cmocka_unit_test(test_topk_operator_against_exact),
      cmocka_unit_test(test_count_distinct_rows),
      cmocka_unit_test(test_count_distinct_exact_then_estimate),
      cmocka_unit_test(test_late_row_is_an_error),
      cmocka_unit_test(test_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_agg.c — the aggregate kernels of functions/ (functions.h, "aggregate kernels")
 * over grouped state: result types of spec 5.1 (SUM keeps the argument's type, AVG on
 * exact types truncates, DECIMAL exact), NULLs and empty groups, every representation of
 * MIN / MAX, FIRST_VALUE / LAST_VALUE, variances, ANY / EVERY, removal (inverse),
 * interleaved steps, reuse of cleared groups, and the refusals.
 */
#include <math.h>

#include "window_test.h"

/* A one-column batch holding the values; returns it (caller frees). */
static core_batch *column(core_type t, const tv *vals, int n) {
  core_batch *b = core_batch_new(1, &t, CORE_BATCH_CAP);
  assert_non_null(b);
  for (int i = 0; i < n; i++) add_row(b, 0, vals[i]);
  return b;
}

static fn_agg_groups *make(const char *name, core_type arg, core_type result, bool star) {
  fn_agg_spec s = {.fn = fn_lookup(name), .arg = arg, .result = result, .star = star};
  fn_agg_groups *g = NULL;
  core_error e;
  int rc = fn_agg_groups_new(&s, &g, &e);
  if (rc) print_message("%s: %s\n", name, e.message);
  assert_int_equal(rc, SLUICE_OK);
  assert_int_equal(fn_agg_groups_reserve(g, 4), SLUICE_OK);
  return g;
}

/* Adds every row of b to group 0 and returns group 0's result as text ("!" if it does not
 * fit). */
static const char *result_of(fn_agg_groups *g, core_type result, const core_batch *b, char *buf,
                             size_t size) {
  static const uint32_t zeros[CORE_BATCH_CAP];
  if (b) assert_int_equal(fn_agg_groups_add(g, &b->cols[0], NULL, zeros, (size_t)b->n), SLUICE_OK);
  core_batch *out = core_batch_new(1, &result, 4);
  uint8_t bad[4] = {0};
  uint32_t id = 0;
  assert_int_equal(fn_agg_groups_result(g, &id, 1, &out->cols[0], 0, bad, NULL), SLUICE_OK);
  if (bad[0]) {
    snprintf(buf, size, "!");
  } else {
    core_value v;
    core_vec_get(&out->cols[0], 0, &v);
    fmt_value(&v, buf, size);
  }
  core_batch_free(out);
  return buf;
}

/* The result of name(values) with the given argument and result types. */
static void check(const char *name, core_type arg, core_type result, const tv *vals, int n,
                  const char *want) {
  fn_agg_groups *g = make(name, arg, result, false);
  core_batch *b = column(arg, vals, n);
  char buf[128];
  const char *got = result_of(g, result, b, buf, sizeof buf);
  if (strcmp(got, want) != 0) print_message("%s: got %s want %s\n", name, got, want);
  assert_string_equal(got, want);
  core_batch_free(b);
  fn_agg_groups_free(g);
}
#define CHECK(name, arg, result, want, ...)                                                        \
  do {                                                                                             \
    const tv v_[] = {__VA_ARGS__};                                                                 \
    check((name), (arg), (result), v_, (int)(sizeof v_ / sizeof v_[0]), (want));                   \
  } while (0)

static void test_impl_table(void **state) {
  (void)state;
  const fn_agg_impl *c = fn_agg_impl_of(fn_lookup("COUNT"));
  assert_non_null(c);
  assert_true(c->invertible);
  assert_true(fn_agg_impl_of(fn_lookup("MIN"))->ordered);
  assert_false(fn_agg_impl_of(fn_lookup("MAX"))->invertible);
  assert_true(fn_agg_impl_of(fn_lookup("FIRST_VALUE"))->positional);
  assert_true(fn_agg_impl_of(fn_lookup("VAR_SAMP"))->invertible);
  assert_null(fn_agg_impl_of(fn_lookup("LAG")));
  assert_null(fn_agg_impl_of(fn_lookup("ABS")));
  assert_null(fn_agg_impl_of(NULL));
  /* every aggregate row of the registry either has a kernel or is one we know lacks it */
  for (size_t i = 0; i < fn_count(); i++) {
    const fn_def *f = fn_at(i);
    if (f->kind != FN_AGGREGATE) continue;
    assert_non_null(fn_agg_impl_of(f));
  }
}

static void test_count(void **state) {
  (void)state;
  core_type i32 = ty(CORE_T_INTEGER), big = ty(CORE_T_BIGINT);
  CHECK("COUNT", i32, big, "2", I(1), NUL, I(3), NUL);
  CHECK("COUNT", i32, big, "0", NUL, NUL);
  CHECK("COUNT", i32, ty(CORE_T_INTEGER), "1", I(5)); /* another integer result type */
  fn_agg_groups *g = make("COUNT", i32, big, true);   /* COUNT(*) counts NULL rows */
  tv v[] = {NUL, NUL, I(3)};
  core_batch *b = column(i32, v, 3);
  char buf[64];
  assert_string_equal(result_of(g, big, b, buf, sizeof buf), "3");
  core_batch_free(b);
  fn_agg_groups_free(g);
  /* an empty group: COUNT 0 */
  g = make("COUNT", i32, big, true);
  assert_string_equal(result_of(g, big, NULL, buf, sizeof buf), "0");
  fn_agg_groups_free(g);
}

static void test_sum_types(void **state) {
  (void)state;
  core_type tiny = ty(CORE_T_TINYINT), i32 = ty(CORE_T_INTEGER), big = ty(CORE_T_BIGINT);
  CHECK("SUM", tiny, tiny, "127", I(100), I(27));
  CHECK("SUM", tiny, tiny, "!", I(100), I(28)); /* SUM keeps TINYINT: 128 does not fit */
  CHECK("SUM", tiny, tiny, "-128", I(-100), I(-28));
  CHECK("SUM", i32, i32, "-5", I(-7), NUL, I(2));
  CHECK("SUM", i32, i32, "NULL", NUL, NUL);
  CHECK("SUM", i32, i32, "!", I(INT32_MAX), I(1));
  /* BIGINT: exact beyond 64 bits in between, the total fits */
  CHECK("SUM", big, big, "9223372036854775806", I(INT64_MAX), I(INT64_MAX), I(-INT64_MAX), I(-1));
  CHECK("SUM", big, big, "!", I(INT64_MAX), I(1));
  /* DECIMAL is exact */
  core_type d102 = ty_dec(10, 2), d52 = ty_dec(5, 2);
  CHECK("SUM", d102, d102, "0.30", X(10), X(20));
  CHECK("SUM", d102, d102, "-12345.67", X(-1234567));
  CHECK("SUM", d52, d52, "!", X(99999), X(1)); /* 1000.00 is not a DECIMAL(5,2) */
  CHECK("SUM", d52, ty_dec(18, 4), "1000.0000", X(99999), X(1));
  /* REAL rounds to float; DOUBLE stays double */
  core_type real = ty(CORE_T_REAL), dbl = ty(CORE_T_DOUBLE);
  CHECK("SUM", real, real, "0.30000001192092896", D(0.1), D(0.2));
  CHECK("SUM", dbl, dbl, "0.30000000000000004", D(0.1), D(0.2));
  /* compensated: 1e16 + 1 + 1 - 1e16 */
  CHECK("SUM", dbl, dbl, "2", D(1e16), D(1), D(1), D(-1e16));
}

static void test_avg_types(void **state) {
  (void)state;
  core_type i32 = ty(CORE_T_INTEGER), dbl = ty(CORE_T_DOUBLE);
  CHECK("AVG", i32, i32, "30", I(29), I(32)); /* spec 5.1 */
  CHECK("AVG", i32, i32, "6", I(2), I(9), I(10), I(4));
  CHECK("AVG", i32, i32, "-2", I(-7), I(2)); /* toward zero */
  CHECK("AVG", i32, i32, "NULL", NUL);
  core_type d62 = ty_dec(6, 2);
  CHECK("AVG", d62, d62, "1.66", X(100), X(200), X(200)); /* 1.666.. truncated */
  CHECK("AVG", d62, ty_dec(8, 4), "1.6666", X(100), X(200), X(200));
  CHECK("AVG", dbl, dbl, "2.5", D(2), D(3), NUL);
  CHECK("AVG", i32, dbl, "2.5", I(2), I(3)); /* a DOUBLE result from an exact argument */
}

static void test_min_max_types(void **state) {
  (void)state;
  core_type i32 = ty(CORE_T_INTEGER), vc = ty(CORE_T_VARCHAR), tsy = ty(CORE_T_TIMESTAMP),
            bo = ty(CORE_T_BOOLEAN), dbl = ty(CORE_T_DOUBLE), d = ty_dec(10, 3),
            vb = ty(CORE_T_VARBINARY), iv = ty(CORE_T_INTERVAL_DT);
  CHECK("MIN", i32, i32, "-3", I(4), NUL, I(-3), I(9));
  CHECK("MAX", i32, i32, "9", I(4), NUL, I(-3), I(9));
  CHECK("MIN", i32, i32, "NULL", NUL);
  CHECK("MIN", vc, vc, "B", S("a"), S("B"), S("ab"));    /* bytewise: 'B' < 'a' */
  CHECK("MAX", vc, vc, "abc", S("ab"), S("abc"), S("")); /* a prefix sorts first */
  CHECK("MIN", vc, vc, "", S("ab"), S(""), NUL);
  CHECK("MAX", tsy, tsy, "2024-02-29 12:00:00.000", T("2024-01-01"), T("2024-02-29 12:00"));
  CHECK("MIN", bo, bo, "FALSE", I(1), I(0), NUL);
  CHECK("MAX", bo, bo, "TRUE", I(1), I(0), NUL);
  CHECK("MIN", dbl, dbl, "-1.5", D(2), D(-1.5), D(0));
  CHECK("MAX", d, d, "1.250", X(-5000), X(1250), X(1249));
  CHECK("MIN", iv, iv, "-30 ms", I(10), I(-30));
  CHECK("MAX", vb, vb, "FF01", S("\x7f"), S("\xff"), S("\xff\x01")); /* a prefix first */
}

static void test_first_last(void **state) {
  (void)state;
  core_type i32 = ty(CORE_T_INTEGER), vc = ty(CORE_T_VARCHAR);
  CHECK("FIRST_VALUE", i32, i32, "NULL", NUL, I(1), I(2));
  CHECK("FIRST_VALUE", vc, vc, "x", S("x"), S("y"));
  CHECK("LAST_VALUE", i32, i32, "NULL", I(1), I(2), NUL);
  CHECK("LAST_VALUE", vc, vc, "y", S("x"), S("y"));
  /* IGNORE NULLS */
  for (int last = 0; last < 2; last++) {
    fn_agg_spec s = {.fn = fn_lookup(last ? "LAST_VALUE" : "FIRST_VALUE"),
                     .arg = i32,
                     .result = i32,
                     .ignore_nulls = true};
    fn_agg_groups *g;
    core_error e;
    assert_int_equal(fn_agg_groups_new(&s, &g, &e), SLUICE_OK);
    assert_int_equal(fn_agg_groups_reserve(g, 1), SLUICE_OK);
    tv v[] = {NUL, I(1), I(2), NUL};
    core_batch *b = column(i32, v, 4);
    char buf[32];
    assert_string_equal(result_of(g, i32, b, buf, sizeof buf), last ? "2" : "1");
    core_batch_free(b);
    fn_agg_groups_free(g);
  }
}

static void test_variance(void **state) {
  (void)state;
  core_type dbl = ty(CORE_T_DOUBLE), i32 = ty(CORE_T_INTEGER);
  CHECK("VAR_POP", i32, dbl, "4", I(2), I(4), I(4), I(4), I(5), I(5), I(7), I(9));
  CHECK("STDDEV_POP", dbl, dbl, "2", D(2), D(4), D(4), D(4), D(5), D(5), D(7), D(9), NUL);
  CHECK("VAR_SAMP", i32, dbl, "2.5", I(1), I(2), I(3), I(4), I(5));
  CHECK("STDDEV_SAMP", i32, dbl, "NULL", I(1));
  CHECK("VAR_POP", i32, dbl, "0", I(1));
  CHECK("VAR_POP", i32, dbl, "NULL", NUL);
  CHECK("VAR_POP", ty_dec(5, 1), dbl, "0.25", X(10), X(20)); /* 1.0 and 2.0 */
}

static void test_any_every(void **state) {
  (void)state;
  core_type bo = ty(CORE_T_BOOLEAN);
  CHECK("ANY", bo, bo, "TRUE", I(0), I(1), NUL);
  CHECK("ANY", bo, bo, "FALSE", I(0), NUL);
  CHECK("EVERY", bo, bo, "FALSE", I(1), I(0));
  CHECK("EVERY", bo, bo, "TRUE", I(1), NUL, I(1));
  CHECK("EVERY", bo, bo, "NULL", NUL);
}

/* Removing what was added gives what adding only the rest gives. */
static void test_remove_is_inverse(void **state) {
  (void)state;
  core_type i32 = ty(CORE_T_INTEGER), dbl = ty(CORE_T_DOUBLE), big = ty(CORE_T_BIGINT);
  struct {
    const char *name;
    core_type arg, res;
  } cases[] = {{"SUM", i32, i32},         {"AVG", i32, i32},
               {"COUNT", i32, big},       {"SUM", dbl, dbl},
               {"AVG", dbl, dbl},         {"VAR_POP", dbl, dbl},
               {"STDDEV_SAMP", dbl, dbl}, {"ANY", ty(CORE_T_BOOLEAN), ty(CORE_T_BOOLEAN)}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    bool is_bool = cases[c].arg.id == CORE_T_BOOLEAN;
    tv all[] = {I(5), NUL, I(-2), I(9), I(1), NUL, I(4)};
    tv alld[] = {D(0.5), NUL, D(-2.25), D(9), D(1e3), NUL, D(4)};
    tv allb[] = {I(1), NUL, I(0), I(0), I(1), NUL, I(0)};
    const tv *src = cases[c].arg.id == CORE_T_DOUBLE ? alld : is_bool ? allb : all;
    core_batch *b = column(cases[c].arg, src, 7);
    fn_agg_groups *g = make(cases[c].name, cases[c].arg, cases[c].res, false);
    fn_agg_groups *h = make(cases[c].name, cases[c].arg, cases[c].res, false);
    uint32_t zeros[7] = {0}, rows_rm[] = {0, 1, 4}, rows_keep[] = {2, 3, 5, 6};
    assert_int_equal(fn_agg_groups_add(g, &b->cols[0], NULL, zeros, 7), SLUICE_OK);
    assert_int_equal(fn_agg_groups_remove(g, &b->cols[0], rows_rm, zeros, 3), SLUICE_OK);
    assert_int_equal(fn_agg_groups_add(h, &b->cols[0], rows_keep, zeros, 4), SLUICE_OK);
    char x[64], y[64];
    result_of(g, cases[c].res, NULL, x, sizeof x);
    result_of(h, cases[c].res, NULL, y, sizeof y);
    if (cases[c].res.id == CORE_T_DOUBLE)
      assert_true(fabs(strtod(x, NULL) - strtod(y, NULL)) < 1e-9);
    else
      assert_string_equal(x, y);
    /* removing the rest too: empty again */
    assert_int_equal(fn_agg_groups_remove(g, &b->cols[0], rows_keep, zeros, 4), SLUICE_OK);
    result_of(g, cases[c].res, NULL, x, sizeof x);
    assert_string_equal(x, strcmp(cases[c].name, "COUNT") == 0 ? "0" : "NULL");
    core_batch_free(b);
    fn_agg_groups_free(g);
    fn_agg_groups_free(h);
  }
  /* compensated double sums survive a huge value passing through */
  fn_agg_groups *d = make("SUM", dbl, dbl, false);
  tv big_vals[] = {D(1e16), D(1), D(1), D(0.25)};
  core_batch *bb = column(dbl, big_vals, 4);
  uint32_t z4[4] = {0}, first[] = {0};
  assert_int_equal(fn_agg_groups_add(d, &bb->cols[0], NULL, z4, 4), SLUICE_OK);
  assert_int_equal(fn_agg_groups_remove(d, &bb->cols[0], first, z4, 1), SLUICE_OK);
  char buf[64];
  assert_string_equal(result_of(d, dbl, NULL, buf, sizeof buf), "2.25");
  core_batch_free(bb);
  fn_agg_groups_free(d);
  /* MIN has no inverse */
  fn_agg_groups *m = make("MIN", i32, i32, false);
  tv one[] = {I(1)};
  core_batch *b = column(i32, one, 1);
  uint32_t z = 0;
  assert_int_equal(fn_agg_groups_remove(m, &b->cols[0], NULL, &z, 1), SLUICE_INTERNAL);
  core_batch_free(b);
  fn_agg_groups_free(m);
}

/* Several groups in one call, interleaved steps with results in between, clear and reuse
 * (strings given back), and results copied to a heap. */
static void test_groups_steps_and_reuse(void **state) {
  (void)state;
  core_type vc = ty(CORE_T_VARCHAR), i32 = ty(CORE_T_INTEGER);
  fn_agg_groups *g = make("MAX", vc, vc, false);
  assert_int_equal(fn_agg_groups_reserve(g, 1000), SLUICE_OK);
  tv v[] = {S("b"), S("zz"), S("a"), S("c")};
  core_batch *b = column(vc, v, 4);
  uint32_t gids[] = {7, 999, 7, 999};
  assert_int_equal(fn_agg_groups_add(g, &b->cols[0], NULL, gids, 4), SLUICE_OK);
  core_batch *out = core_batch_new(1, &vc, 4);
  uint32_t ids[] = {999, 7, 3};
  assert_int_equal(fn_agg_groups_result(g, ids, 3, &out->cols[0], 0, NULL, out->heap), SLUICE_OK);
  core_value x;
  core_vec_get(&out->cols[0], 0, &x);
  assert_memory_equal(x.u.s.p, "zz", 2);
  core_vec_get(&out->cols[0], 1, &x);
  assert_int_equal(x.u.s.n, 1);
  assert_memory_equal(x.u.s.p, "b", 1);
  core_vec_get(&out->cols[0], 2, &x);
  assert_true(x.is_null); /* group 3 is empty */
  fn_agg_groups_clear(g, ids, 2);
  assert_int_equal(fn_agg_groups_result(g, ids, 2, &out->cols[0], 0, NULL, NULL), SLUICE_OK);
  assert_true(out->cols[0].null[0] && out->cols[0].null[1]);
  assert_true(fn_agg_groups_bytes(g) > 1000);
  fn_agg_groups_free(g);

  /* steps: add 5, result, add 3, remove 5, result, remove 3, result */
  fn_agg_groups *s = make("SUM", i32, i32, false);
  tv nums[] = {I(5), I(3)};
  core_batch *nb = column(i32, nums, 2);
  core_batch *res = core_batch_new(1, &i32, 4);
  fn_agg_step steps[] = {{2, 0, FN_AGG_ADD},    {2, 0, FN_AGG_RESULT}, {2, 1, FN_AGG_ADD},
                         {2, 0, FN_AGG_REMOVE}, {2, 1, FN_AGG_RESULT}, {2, 1, FN_AGG_REMOVE},
                         {2, 2, FN_AGG_RESULT}};
  uint8_t bad[4] = {0};
  assert_int_equal(
      fn_agg_groups_run(s, steps, 7, &nb->cols[0], &nb->cols[0], &res->cols[0], bad, NULL),
      SLUICE_OK);
  assert_int_equal(res->cols[0].u.i[0], 5);
  assert_int_equal(res->cols[0].u.i[1], 3);
  assert_true(res->cols[0].null[2]);
  assert_int_equal(bad[0] | bad[1] | bad[2], 0);
  fn_agg_groups_free(s);
  core_batch_free(nb);
  core_batch_free(res);
  core_batch_free(b);
  core_batch_free(out);
}

static void test_refusals(void **state) {
  (void)state;
  core_type dts = {.id = CORE_T_INTERVAL_DT, .start = CORE_IU_DAY, .end = CORE_IU_SECOND};
  struct {
    const char *name;
    core_type arg, res;
    int code;
    const char *msg;
  } cases[] = {
      {"SUM", ty(CORE_T_VARCHAR), ty(CORE_T_VARCHAR), SLUICE_UNSUPPORTED,
       "aggregate SUM is not available for VARCHAR(20)"},
      {"AVG", dts, dts, SLUICE_UNSUPPORTED,
       "aggregate AVG is not available for INTERVAL DAY TO SECOND"},
      {"VAR_POP", ty(CORE_T_BOOLEAN), ty(CORE_T_DOUBLE), SLUICE_UNSUPPORTED,
       "aggregate VAR_POP is not available for BOOLEAN"},
      {"LAG", ty(CORE_T_INTEGER), ty(CORE_T_INTEGER), SLUICE_UNSUPPORTED,
       "aggregate LAG is not available in windows yet"},
      {"MIN", ty(CORE_T_INTEGER), ty(CORE_T_VARCHAR), SLUICE_INTERNAL,
       "internal: aggregate MIN cannot return VARCHAR(20)"},
      {"ABS", ty(CORE_T_INTEGER), ty(CORE_T_INTEGER), SLUICE_INTERNAL,
       "internal: ABS is not an aggregate"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fn_agg_spec s = {.fn = fn_lookup(cases[i].name), .arg = cases[i].arg, .result = cases[i].res};
    fn_agg_groups *g = (fn_agg_groups *)1;
    core_error e;
    memset(&e, 0, sizeof e);
    assert_int_equal(fn_agg_groups_new(&s, &g, &e), cases[i].code);
    assert_null(g);
    assert_string_equal(e.message, cases[i].msg);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_impl_table),        cmocka_unit_test(test_count),
      cmocka_unit_test(test_sum_types),         cmocka_unit_test(test_avg_types),
      cmocka_unit_test(test_min_max_types),     cmocka_unit_test(test_first_last),
      cmocka_unit_test(test_variance),          cmocka_unit_test(test_any_every),
      cmocka_unit_test(test_remove_is_inverse), cmocka_unit_test(test_groups_steps_and_reuse),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

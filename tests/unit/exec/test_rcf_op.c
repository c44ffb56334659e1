/*
 * test_rcf_op.c — the operator of RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION
 * (exec/tablefn_rcf.c, reached through exec_tablefn_new): one output row per live input
 * row with its ROWTIME and columns unchanged, the score 0 for exactly the training rows,
 * planted anomalies on top, NULL scores for rows with a NULL or non-finite value (which the
 * model never sees), the explanation's exact JSON shape with and without directionality,
 * key escaping, defaults, bounds passed on, and the rejections made when the pump is built.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exec/exec.h"

#define SEED 0x51CE5EEDull
#define T0 1704067200000LL /* 2024-01-01 00:00:00 UTC */

/* ------------------------------------------------------------- capture -- */

/* One output row as the test reads it. */
typedef struct out_row {
  int64_t rowtime;
  core_value v[8]; /* strings copied into text[] */
  char *text[8];
} out_row;

typedef struct capture {
  exec_op op;
  out_row *rows;
  int n, cap;
  int64_t bound;
} capture;

static int cap_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  (void)err;
  capture *c = (capture *)op;
  for (int k = 0; k < core_batch_live(b); k++) {
    int i = core_batch_row(b, k);
    if (c->n == c->cap) {
      c->cap = c->cap ? 2 * c->cap : 256;
      c->rows = realloc(c->rows, sizeof *c->rows * (size_t)c->cap);
      assert_non_null(c->rows);
    }
    out_row *r = &c->rows[c->n++];
    memset(r, 0, sizeof *r);
    r->rowtime = b->rowtime[i];
    assert_true(b->ncols <= 8);
    for (int col = 0; col < b->ncols; col++) {
      core_vec_get(&b->cols[col], i, &r->v[col]);
      if (!r->v[col].is_null && core_type_repr(r->v[col].type.id) == 's') {
        r->text[col] = strndup(r->v[col].u.s.p, r->v[col].u.s.n);
        r->v[col].u.s.p = r->text[col];
      }
    }
  }
  return SLUICE_OK;
}

static int cap_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  (void)err;
  ((capture *)op)->bound = bound_ms;
  return SLUICE_OK;
}

static void cap_free(capture *c) {
  for (int i = 0; i < c->n; i++)
    for (int k = 0; k < 8; k++) free(c->rows[i].text[k]);
  free(c->rows);
}

/* ----------------------------------------------------------------- rig -- */

typedef struct rig {
  exec_ctx ctx;
  capture cap;
  exec_op *op;
  core_type in_types[4];
  const char *in_names[4];
  core_type out_types[6];
  const char *out_names[6];
  core_value args[5];
  exec_tablefn_config c;
} rig;

static core_type ty(core_type_id id) {
  core_type t = {.id = (uint8_t)id};
  if (id == CORE_T_VARCHAR) t.precision = 20480;
  return t;
}

static core_value int_arg(int64_t v) {
  core_value x = {.type = {.id = CORE_T_INTEGER}};
  x.u.i = v;
  return x;
}

/* A configuration for fn over the given input columns (output: the binder's). */
static void rig_config(rig *r, const char *fn, int ninput, const core_type_id *types,
                       const char *const *names, int nargs) {
  memset(r, 0, sizeof *r);
  bool explain = strlen(fn) > strlen("RANDOM_CUT_FOREST");
  for (int i = 0; i < ninput; i++) {
    r->in_types[i] = r->out_types[i] = ty(types[i]);
    r->in_names[i] = r->out_names[i] = names[i];
  }
  r->out_types[ninput] = ty(CORE_T_DOUBLE);
  r->out_names[ninput] = "ANOMALY_SCORE";
  if (explain) {
    r->out_types[ninput + 1] = ty(CORE_T_VARCHAR);
    r->out_names[ninput + 1] = "ANOMALY_EXPLANATION";
  }
  r->c = (exec_tablefn_config){.fn = fn_lookup(fn),
                               .ninput = ninput,
                               .input_types = r->in_types,
                               .input_names = r->in_names,
                               .nargs = nargs,
                               .args = r->args,
                               .nout = ninput + 1 + explain,
                               .out_types = r->out_types,
                               .out_names = r->out_names,
                               .seed = SEED};
  assert_non_null(r->c.fn);
}

static void rig_start(rig *r) {
  core_error e;
  memset(&e, 0, sizeof e);
  r->op = exec_tablefn_new(&r->ctx, &r->c, &e);
  if (!r->op) print_message("exec_tablefn_new: %s\n", e.message);
  assert_non_null(r->op);
  r->cap.op = (exec_op){.name = "capture", .push = cap_push, .bound = cap_bound};
  r->op->next = &r->cap.op;
}

static void rig_free(rig *r) {
  exec_op_free(r->op);
  cap_free(&r->cap);
}

static void push(rig *r, core_batch *b) {
  core_error e;
  int rc = r->op->push(r->op, 0, b, &e);
  if (rc) print_message("push: %s\n", e.message);
  assert_int_equal(rc, SLUICE_OK);
}

/* ------------------------------------------------------------ the data -- */

typedef struct gen {
  uint64_t s;
} gen;

static double gen_uniform(gen *g) {
  uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

/* Spec 8.16's heart rates: row i of the stream is HIGH (150..200) when i % 97 == 50 past the
 * training rows, else NORMAL (60..100); a row a millisecond. */
static bool heart_high(int i) {
  return i >= 300 && i % 97 == 50;
}

static void fill_heart(core_batch *b, int first, int n, gen *g) {
  core_batch_reset(b);
  for (int k = 0; k < n; k++) {
    int i = first + k;
    b->rowtime[k] = T0 + i;
    bool high = heart_high(i);
    b->cols[0].null[k] = 0;
    b->cols[0].u.i[k] = high ? 150 + (int)(51 * gen_uniform(g)) : 60 + (int)(41 * gen_uniform(g));
    b->cols[1].null[k] = 0;
    b->cols[1].u.s[k] = high ? (core_str){"HIGH", 4} : (core_str){"NORMAL", 6};
  }
  b->n = n;
}

static const core_type_id HEART_TYPES[2] = {CORE_T_INTEGER, CORE_T_VARCHAR};
static const char *const HEART_NAMES[2] = {"heartRate", "rateType"};

/* --------------------------------------------------------------- tests -- */

/* Spec 8.16 with the defaults: 2000 rows in batches of 500. */
static void test_scores_pass_through(void **state) {
  (void)state;
  rig r;
  rig_config(&r, "RANDOM_CUT_FOREST", 2, HEART_TYPES, HEART_NAMES, 0);
  rig_start(&r);
  core_type t[2] = {ty(CORE_T_INTEGER), ty(CORE_T_VARCHAR)};
  core_batch *b = core_batch_new(2, t, CORE_BATCH_CAP);
  gen g = {7};
  int64_t *hr = calloc(2000, sizeof *hr);
  for (int first = 0; first < 2000; first += 500) {
    fill_heart(b, first, 500, &g);
    for (int k = 0; k < 500; k++) hr[first + k] = b->cols[0].u.i[k];
    push(&r, b);
    core_error e;
    assert_int_equal(r.op->bound(r.op, 0, T0 + first + 500, &e), SLUICE_OK);
    assert_int_equal(r.cap.bound, T0 + first + 500);
  }
  assert_int_equal(r.cap.n, 2000);
  int high = 0, high_on_top = 0;
  double min_high = 1e300, max_normal = 0;
  for (int i = 0; i < 2000; i++) {
    out_row *o = &r.cap.rows[i];
    assert_int_equal(o->rowtime, T0 + i);
    assert_int_equal(o->v[0].u.i, hr[i]);
    assert_string_equal(o->text[1], heart_high(i) ? "HIGH" : "NORMAL");
    assert_int_equal(o->v[2].type.id, CORE_T_DOUBLE);
    assert_false(o->v[2].is_null);
    double s = o->v[2].u.d;
    if (i < 256) {
      assert_true(s == 0);
      continue;
    }
    assert_true(s > 0);
    if (heart_high(i)) {
      high++;
      if (s < min_high) min_high = s;
    } else if (s > max_normal) {
      max_normal = s;
    }
  }
  for (int i = 256; i < 2000; i++)
    high_on_top += heart_high(i) && r.cap.rows[i].v[2].u.d > max_normal;
  printf("rcf operator, spec 8.16 data (seed %#llx): %d HIGH rows, lowest score %.3f, highest "
         "NORMAL score %.3f\n",
         SEED, high, min_high, max_normal);
  assert_int_equal(high, 18);
  /* every HIGH row scores above every NORMAL one */
  assert_int_equal(high_on_top, high);
  free(hr);
  core_batch_free(b);
  rig_free(&r);
}

/* Rows outside the selection are neither scored nor emitted; the output keeps the selection. */
static void test_selection_and_nulls(void **state) {
  (void)state;
  core_type t[2] = {ty(CORE_T_INTEGER), ty(CORE_T_VARCHAR)};
  core_batch *b = core_batch_new(2, t, CORE_BATCH_CAP);
  /* reference: the 600 rows without the deselected and NULL ones */
  rig ref;
  rig_config(&ref, "RANDOM_CUT_FOREST", 2, HEART_TYPES, HEART_NAMES, 0);
  rig_start(&ref);
  gen g = {11};
  fill_heart(b, 0, 600, &g);
  core_batch *clean = core_batch_new(2, t, CORE_BATCH_CAP);
  for (int i = 0; i < 600; i++)
    if (i % 5 != 0 && i % 7 != 0) {
      core_batch_copy_row(clean, clean->n, b, i);
      clean->n++;
    }
  push(&ref, clean);
  /* the same rows with every 5th deselected and every 7th NULL */
  rig r;
  rig_config(&r, "RANDOM_CUT_FOREST", 2, HEART_TYPES, HEART_NAMES, 0);
  rig_start(&r);
  for (int i = 0; i < 600; i += 7) b->cols[0].null[i] = 1;
  for (int i = 0; i < 600; i += 5) core_batch_deselect(b, i);
  push(&r, b);
  int live = core_batch_live(b);
  assert_int_equal(r.cap.n, live);
  int j = 0;
  for (int k = 0; k < live; k++) {
    int i = core_batch_row(b, k);
    out_row *o = &r.cap.rows[k];
    assert_int_equal(o->rowtime, T0 + i);
    if (i % 7 == 0) {
      assert_true(o->v[0].is_null && o->v[2].is_null);
      continue;
    }
    /* the model saw exactly the clean rows: identical scores */
    assert_true(o->v[2].u.d == ref.cap.rows[j].v[2].u.d);
    j++;
  }
  assert_int_equal(j, ref.cap.n);
  core_batch_free(clean);
  core_batch_free(b);
  rig_free(&ref);
  rig_free(&r);
}

/* A DOUBLE NaN or infinity gets a NULL score like a NULL. */
static void test_non_finite(void **state) {
  (void)state;
  static const core_type_id types[1] = {CORE_T_DOUBLE};
  static const char *const names[1] = {"x"};
  rig r;
  rig_config(&r, "RANDOM_CUT_FOREST", 1, types, names, 2);
  r.args[0] = int_arg(10);
  r.args[1] = int_arg(10);
  rig_start(&r);
  core_type t = ty(CORE_T_DOUBLE);
  core_batch *b = core_batch_new(1, &t, CORE_BATCH_CAP);
  for (int i = 0; i < 30; i++) {
    b->rowtime[i] = T0 + i;
    b->cols[0].u.d[i] = i == 20 ? NAN : i == 21 ? INFINITY : i == 22 ? -INFINITY : i % 3;
  }
  b->n = 30;
  push(&r, b);
  assert_int_equal(r.cap.n, 30);
  for (int i = 0; i < 30; i++) {
    out_row *o = &r.cap.rows[i];
    if (i >= 20 && i <= 22)
      assert_true(o->v[1].is_null);
    else if (i < 10)
      assert_true(!o->v[1].is_null && o->v[1].u.d == 0);
    else
      assert_true(!o->v[1].is_null && o->v[1].u.d > 0);
  }
  core_batch_free(b);
  rig_free(&r);
}

static const core_type_id BP_TYPES[3] = {CORE_T_INTEGER, CORE_T_INTEGER, CORE_T_VARCHAR};
static const char *const BP_NAMES[3] = {"Systolic", "Diastolic", "BloodPressureLevel"};

/* Reads `"NAME":{"DIRECTION":"D","STRENGTH":"S","ATTRIBUTION_SCORE":"A"}` at *p (without
 * the direction and strength when !dir); returns false on any difference of shape. */
static bool read_entry(const char **p, const char *name, bool dir, char *direction,
                       double *strength, double *attribution) {
  char want[64];
  snprintf(want, sizeof want, "\"%s\":{", name);
  if (strncmp(*p, want, strlen(want)) != 0) return false;
  *p += strlen(want);
  int used = 0;
  if (dir) {
    if (sscanf(*p, "\"DIRECTION\":\"%4[A-Z]\",\"STRENGTH\":\"%lf\",%n", direction, strength,
               &used) != 2 ||
        used == 0)
      return false;
    if (strcmp(direction, "HIGH") != 0 && strcmp(direction, "LOW") != 0) return false;
    *p += used;
  }
  used = 0;
  if (sscanf(*p, "\"ATTRIBUTION_SCORE\":\"%lf\"}%n", attribution, &used) != 1 || used == 0)
    return false;
  /* four decimals, as strings */
  const char *dot = strchr(*p + strlen("\"ATTRIBUTION_SCORE\":\""), '.');
  if (!dot || strncmp(dot + 5, "\"}", 2) != 0) return false;
  *p += used;
  return true;
}

/* Spec 8.17 with directionality: the exact text while training, then the shape, the sum, and
 * HIGH for planted high blood pressure. */
static void test_explanation_json(void **state) {
  (void)state;
  rig r;
  rig_config(&r, "RANDOM_CUT_FOREST_WITH_EXPLANATION", 3, BP_TYPES, BP_NAMES, 5);
  r.args[0] = int_arg(100);
  r.args[1] = int_arg(256);
  r.args[2] = int_arg(100000);
  r.args[3] = int_arg(1);
  r.args[4] = (core_value){.type = {.id = CORE_T_BOOLEAN}, .u.b = true};
  rig_start(&r);
  core_type t[3] = {ty(CORE_T_INTEGER), ty(CORE_T_INTEGER), ty(CORE_T_VARCHAR)};
  core_batch *b = core_batch_new(3, t, CORE_BATCH_CAP);
  gen g = {13};
  for (int first = 0; first < 1500; first += 500) {
    core_batch_reset(b);
    for (int k = 0; k < 500; k++) {
      int i = first + k;
      bool high = i >= 300 && i % 101 == 0;
      b->rowtime[k] = T0 + i;
      b->cols[0].u.i[k] =
          high ? 150 + (int)(50 * gen_uniform(&g)) : 90 + (int)(31 * gen_uniform(&g));
      b->cols[1].u.i[k] =
          high ? 100 + (int)(50 * gen_uniform(&g)) : 60 + (int)(21 * gen_uniform(&g));
      b->cols[2].u.s[k] = high ? (core_str){"HIGH", 4} : (core_str){"NORMAL", 6};
    }
    b->n = 500;
    push(&r, b);
  }
  assert_int_equal(r.cap.n, 1500);
  assert_string_equal(r.cap.rows[0].text[4],
                      "{\"Systolic\":{\"DIRECTION\":\"LOW\",\"STRENGTH\":\"0.0000\","
                      "\"ATTRIBUTION_SCORE\":\"0.0000\"},\"Diastolic\":{\"DIRECTION\":\"LOW\","
                      "\"STRENGTH\":\"0.0000\",\"ATTRIBUTION_SCORE\":\"0.0000\"}}");
  int high = 0;
  for (int i = 256; i < 1500; i++) {
    out_row *o = &r.cap.rows[i];
    const char *p = o->text[4];
    char d1[8], d2[8];
    double s1, s2, a1, a2;
    assert_true(*p++ == '{');
    assert_true(read_entry(&p, "Systolic", true, d1, &s1, &a1));
    assert_true(*p++ == ',');
    assert_true(read_entry(&p, "Diastolic", true, d2, &s2, &a2));
    assert_string_equal(p, "}");
    assert_true(s1 >= 0 && s2 >= 0);
    assert_true(fabs(a1 + a2 - o->v[3].u.d) <= 0.0001 + 1e-12);
    if (strcmp(o->text[2], "HIGH") == 0) {
      high++;
      assert_string_equal(d1, "HIGH");
      assert_string_equal(d2, "HIGH");
      assert_true(s1 > 1 && s2 > 1);
    }
  }
  assert_int_equal(high, 12);
  core_batch_free(b);
  rig_free(&r);
}

/* Without directionality (absent: FALSE) only ATTRIBUTION_SCORE; names are escaped; NULL
 * arguments are the defaults. */
static void test_explanation_without_direction(void **state) {
  (void)state;
  static const core_type_id types[2] = {CORE_T_DOUBLE, CORE_T_SMALLINT};
  static const char *const names[2] = {"a\"b\\c", "n"};
  rig r;
  rig_config(&r, "RANDOM_CUT_FOREST_WITH_EXPLANATION", 2, types, names, 2);
  r.args[0] = (core_value){.type = {.id = CORE_T_NULL}, .is_null = true};
  r.args[1] = int_arg(10);
  rig_start(&r);
  core_type t[2] = {ty(CORE_T_DOUBLE), ty(CORE_T_SMALLINT)};
  core_batch *b = core_batch_new(2, t, CORE_BATCH_CAP);
  for (int i = 0; i < 12; i++) {
    b->rowtime[i] = T0 + i;
    b->cols[0].u.d[i] = i;
    b->cols[1].u.i[i] = i % 2;
  }
  b->n = 12;
  push(&r, b);
  assert_int_equal(r.cap.n, 12);
  assert_string_equal(r.cap.rows[9].text[3], "{\"a\\\"b\\\\c\":{\"ATTRIBUTION_SCORE\":\"0.0000\"},"
                                             "\"n\":{\"ATTRIBUTION_SCORE\":\"0.0000\"}}");
  const char *p = r.cap.rows[11].text[3];
  double a1, a2;
  assert_true(*p++ == '{');
  assert_true(read_entry(&p, "a\\\"b\\\\c", false, NULL, NULL, &a1));
  assert_true(*p++ == ',');
  assert_true(read_entry(&p, "n", false, NULL, NULL, &a2));
  assert_string_equal(p, "}");
  assert_true(r.cap.rows[11].v[2].u.d > 0);
  core_batch_free(b);
  rig_free(&r);
}

static void expect_rejection(rig *r, int code, const char *message) {
  core_error e;
  memset(&e, 0, sizeof e);
  assert_null(exec_tablefn_new(&r->ctx, &r->c, &e));
  assert_int_equal(e.code, code);
  assert_string_equal(e.message, message);
}

static void test_rejections(void **state) {
  (void)state;
  rig r;
  rig_config(&r, "RANDOM_CUT_FOREST", 2, HEART_TYPES, HEART_NAMES, 3);
  r.args[0] = int_arg(100);
  r.args[1] = int_arg(256);
  r.args[2] = int_arg(256);
  expect_rejection(&r, SLUICE_SEMANTIC,
                   "the sub-sample size of RANDOM_CUT_FOREST (256) must be less than the time "
                   "decay (256)");
  r.args[1] = int_arg(9);
  expect_rejection(&r, SLUICE_SEMANTIC,
                   "the sub-sample size of RANDOM_CUT_FOREST must be between 10 and 1000");
  static const core_type_id dec[2] = {CORE_T_DECIMAL, CORE_T_INTEGER};
  static const char *const dn[2] = {"price", "n"};
  rig_config(&r, "RANDOM_CUT_FOREST", 2, dec, dn, 0);
  expect_rejection(&r, SLUICE_SEMANTIC,
                   "RANDOM_CUT_FOREST does not accept DECIMAL column \"price\"");
  static const core_type_id text[1] = {CORE_T_VARCHAR};
  static const char *const tn[1] = {"s"};
  rig_config(&r, "RANDOM_CUT_FOREST", 1, text, tn, 0);
  expect_rejection(&r, SLUICE_SEMANTIC, "RANDOM_CUT_FOREST needs at least one numeric column");
}

/* The same seed through the operator gives the same scores, batch boundaries aside. */
static void test_operator_determinism(void **state) {
  (void)state;
  core_type t[2] = {ty(CORE_T_INTEGER), ty(CORE_T_VARCHAR)};
  core_batch *b = core_batch_new(2, t, CORE_BATCH_CAP);
  rig r1, r2;
  rig_config(&r1, "RANDOM_CUT_FOREST", 2, HEART_TYPES, HEART_NAMES, 0);
  rig_start(&r1);
  rig_config(&r2, "RANDOM_CUT_FOREST", 2, HEART_TYPES, HEART_NAMES, 0);
  rig_start(&r2);
  gen g1 = {5}, g2 = {5};
  fill_heart(b, 0, 1000, &g1);
  push(&r1, b);
  for (int first = 0; first < 1000; first += 100) {
    fill_heart(b, first, 100, &g2);
    push(&r2, b);
  }
  assert_int_equal(r1.cap.n, 1000);
  assert_int_equal(r2.cap.n, 1000);
  for (int i = 0; i < 1000; i++)
    assert_memory_equal(&r1.cap.rows[i].v[2].u.d, &r2.cap.rows[i].v[2].u.d, sizeof(double));
  core_batch_free(b);
  rig_free(&r1);
  rig_free(&r2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scores_pass_through),
      cmocka_unit_test(test_selection_and_nulls),
      cmocka_unit_test(test_non_finite),
      cmocka_unit_test(test_explanation_json),
      cmocka_unit_test(test_explanation_without_direction),
      cmocka_unit_test(test_rejections),
      cmocka_unit_test(test_operator_determinism),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_rcf.c — the random cut forest model (functions/rcf.h), measured on synthetic streams
 * with planted anomalies of four kinds. For each kind the test computes the ROC AUC of the
 * scores against the planted labels over the scored rows and requires >= 0.95:
 *   - spikes: one column, N(10, 1), 1 % of rows moved 5-10 sigma up or down;
 *   - level shifts: one column, N(0, 1), four stretches of 25 rows 5 sigma off;
 *   - a changed periodic pattern: a sine of period 24 whose frequency triples for a period,
 *     values never leaving the normal range: needs shingling (shingle 8; shingle 1 is
 *     printed for comparison);
 *   - a changed correlation: two columns with y = x + noise; 30 rows have y = -x (each
 *     value alone is ordinary).
 * The explanation names the planted column (largest attribution, on the right side) with
 * the right direction and a high strength for single-column spikes; attributions add up to
 * the score; the same seed gives bit-identical scores; the
 * batches give exactly the row-by-row results; the warm-up rows score exactly 0; time decay
 * makes the forest forget; rcf_verify() walks the structures after each stream. Seeds and
 * AUCs are printed.
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

#include "functions/rcf.h"

/* ---------------------------------------------------------------- data -- */

typedef struct gen {
  uint64_t s;
} gen;

static uint64_t gen_u64(gen *g) {
  uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double gen_uniform(gen *g) {
  return ((double)(gen_u64(g) >> 11) + 0.5) * 0x1.0p-53;
}

static double gen_normal(gen *g) {
  double u = gen_uniform(g), v = gen_uniform(g);
  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A stream: rows of `cols` values, a 0/1 label per row. */
typedef struct stream {
  int n, cols;
  double *x; /* [n][cols] */
  int *label;
} stream;

static stream stream_new(int n, int cols) {
  stream s = {.n = n, .cols = cols};
  s.x = calloc((size_t)n * (size_t)cols, sizeof *s.x);
  s.label = calloc((size_t)n, sizeof *s.label);
  assert_non_null(s.x);
  assert_non_null(s.label);
  return s;
}

static void stream_free(stream *s) {
  free(s->x);
  free(s->label);
}

/* Picks k distinct rows in [lo, hi) at least `gap` apart, into rows[]. */
static void pick_rows(gen *g, int k, int lo, int hi, int gap, int *rows) {
  for (int i = 0; i < k;) {
    int r = lo + (int)(gen_uniform(g) * (hi - lo));
    bool ok = r + gap <= hi;
    for (int j = 0; j < i && ok; j++) ok = abs(rows[j] - r) >= gap;
    if (ok) rows[i++] = r;
  }
}

/* ------------------------------------------------------------- scoring -- */

static rcf_config config(int cols, int shingle, uint64_t seed) {
  return (rcf_config){.columns = cols,
                      .shingle = shingle,
                      .trees = 100,
                      .sample = 256,
                      .time_decay = 100000,
                      .seed = seed};
}

static rcf_forest *forest_or_fail(const rcf_config *c) {
  core_error e;
  memset(&e, 0, sizeof e);
  rcf_forest *f = NULL;
  int rc = rcf_new(c, &f, &e);
  if (rc) print_message("rcf_new: %s\n", e.message);
  assert_int_equal(rc, SLUICE_OK);
  return f;
}

/* Scores every row of s (scores[n]); verifies the forest at the end. */
static void score_stream(const rcf_config *c, const stream *s, double *scores) {
  rcf_forest *f = forest_or_fail(c);
  core_error e;
  for (int i = 0; i < s->n; i++)
    assert_int_equal(rcf_update(f, s->x + (size_t)i * (size_t)s->cols, &scores[i], NULL, &e),
                     SLUICE_OK);
  rcf_verify(f);
  rcf_free(f);
}

/* ROC AUC of scores[from..n) against labels: P(anomaly scores above normal), ties half. */
static double auc(const double *scores, const int *label, int from, int n) {
  double wins = 0;
  long pos = 0, neg = 0;
  for (int i = from; i < n; i++) label[i] ? pos++ : neg++;
  for (int i = from; i < n; i++) {
    if (!label[i]) continue;
    for (int j = from; j < n; j++) {
      if (label[j]) continue;
      wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
    }
  }
  return pos && neg ? wins / ((double)pos * (double)neg) : 0;
}

/* The first scored row for the configuration (rcf.h: sample + shingle - 1 rows train). */
static int first_scored(const rcf_config *c) {
  return c->sample + c->shingle - 1;
}

static double measure(const char *kind, const rcf_config *c, const stream *s, uint64_t data_seed) {
  double *scores = calloc((size_t)s->n, sizeof *scores);
  assert_non_null(scores);
  score_stream(c, s, scores);
  double a = auc(scores, s->label, first_scored(c), s->n);
  int anomalies = 0;
  double mean_normal = 0, mean_anomaly = 0;
  for (int i = first_scored(c); i < s->n; i++) {
    if (s->label[i]) {
      anomalies++;
      mean_anomaly += scores[i];
    } else {
      mean_normal += scores[i];
    }
  }
  mean_anomaly /= anomalies;
  mean_normal /= s->n - first_scored(c) - anomalies;
  printf("rcf %-22s data seed %#llx forest seed %#llx trees %d sample %d decay %lld shingle %d: "
         "AUC %.4f (mean score normal %.3f, anomalous %.3f, %d anomalous rows of %d)\n",
         kind, (unsigned long long)data_seed, (unsigned long long)c->seed, c->trees, c->sample,
         (long long)c->time_decay, c->shingle, a, mean_normal, mean_anomaly, anomalies,
         s->n - first_scored(c));
  free(scores);
  return a;
}

/* ------------------------------------------------------------- streams -- */

static stream spikes(uint64_t seed) {
  gen g = {seed};
  stream s = stream_new(4000, 1);
  for (int i = 0; i < s.n; i++) s.x[i] = 10 + gen_normal(&g);
  int rows[40];
  pick_rows(&g, 40, 300, s.n, 2, rows);
  for (int k = 0; k < 40; k++) {
    double m = 5 + 5 * gen_uniform(&g);
    s.x[rows[k]] = 10 + (k % 2 ? m : -m);
    s.label[rows[k]] = 1;
  }
  return s;
}

static stream level_shifts(uint64_t seed) {
  gen g = {seed};
  stream s = stream_new(4000, 1);
  for (int i = 0; i < s.n; i++) s.x[i] = gen_normal(&g);
  int starts[4];
  pick_rows(&g, 4, 400, s.n, 200, starts);
  for (int k = 0; k < 4; k++)
    for (int i = starts[k]; i < starts[k] + 25; i++) {
      s.x[i] += k % 2 ? 5 : -5;
      s.label[i] = 1;
    }
  return s;
}

/* A sine of period 24 with noise; in three stretches of one period the frequency triples.
 * A row is anomalous when the shingle ending at it holds a changed value. */
static stream periodic(uint64_t seed, int shingle) {
  gen g = {seed};
  const int period = 24;
  stream s = stream_new(5000, 1);
  int starts[3];
  pick_rows(&g, 3, 600, s.n - 2 * period, 400, starts);
  for (int i = 0; i < s.n; i++) {
    double freq = 1;
    for (int k = 0; k < 3; k++)
      if (i >= starts[k] && i < starts[k] + period) freq = 3;
    s.x[i] = sin(2 * M_PI * freq * i / period) + 0.05 * gen_normal(&g);
  }
  for (int k = 0; k < 3; k++)
    for (int i = starts[k]; i < starts[k] + period + shingle - 1; i++) s.label[i] = 1;
  return s;
}

/* x ~ N(0, 1), y = x + N(0, 0.1); 30 rows with |x| in [1, 3] have y = -x + N(0, 0.1). */
static stream correlation(uint64_t seed) {
  gen g = {seed};
  stream s = stream_new(4000, 2);
  int rows[30];
  pick_rows(&g, 30, 300, s.n, 2, rows);
  for (int i = 0; i < s.n; i++) {
    double x = gen_normal(&g);
    s.x[2 * i] = x;
    s.x[2 * i + 1] = x + 0.1 * gen_normal(&g);
  }
  for (int k = 0; k < 30; k++) {
    double x = (1 + 2 * gen_uniform(&g)) * (k % 2 ? 1 : -1);
    s.x[2 * rows[k]] = x;
    s.x[2 * rows[k] + 1] = -x + 0.1 * gen_normal(&g);
    s.label[rows[k]] = 1;
  }
  return s;
}

/* --------------------------------------------------------------- tests -- */

#define DATA_SEED 0x5EEDDA7Aull
#define FOREST_SEED 0x51CE5EEDull

static void test_auc_spikes(void **state) {
  (void)state;
  stream s = spikes(DATA_SEED);
  rcf_config c = config(1, 1, FOREST_SEED);
  assert_true(measure("spikes", &c, &s, DATA_SEED) >= 0.95);
  stream_free(&s);
}

static void test_auc_level_shifts(void **state) {
  (void)state;
  stream s = level_shifts(DATA_SEED + 1);
  rcf_config c = config(1, 1, FOREST_SEED);
  assert_true(measure("level shifts", &c, &s, DATA_SEED + 1) >= 0.95);
  stream_free(&s);
}

static void test_auc_periodic_pattern(void **state) {
  (void)state;
  stream s = periodic(DATA_SEED + 2, 8);
  rcf_config c = config(1, 8, FOREST_SEED);
  assert_true(measure("changed period (sh 8)", &c, &s, DATA_SEED + 2) >= 0.95);
  stream_free(&s);
  /* the same change seen one row at a time: every value is an ordinary sine value */
  s = periodic(DATA_SEED + 2, 1);
  c = config(1, 1, FOREST_SEED);
  double one = measure("changed period (sh 1)", &c, &s, DATA_SEED + 2);
  assert_true(one < 0.8);
  stream_free(&s);
}

static void test_auc_correlation(void **state) {
  (void)state;
  stream s = correlation(DATA_SEED + 3);
  rcf_config c = config(2, 1, FOREST_SEED);
  assert_true(measure("changed correlation", &c, &s, DATA_SEED + 3) >= 0.95);
  stream_free(&s);
}

/* Spec 8.16's data: integer heart rates 60..100, 1 % of them 150..200 (many duplicates). */
static void test_auc_integer_duplicates(void **state) {
  (void)state;
  gen g = {DATA_SEED + 4};
  stream s = stream_new(4000, 1);
  for (int i = 0; i < s.n; i++) {
    s.label[i] = gen_uniform(&g) < 0.01;
    s.x[i] = s.label[i] ? 150 + (int)(51 * gen_uniform(&g)) : 60 + (int)(41 * gen_uniform(&g));
  }
  rcf_config c = config(1, 1, FOREST_SEED);
  assert_true(measure("heart rate (8.16)", &c, &s, DATA_SEED + 4) >= 0.95);
  stream_free(&s);
}

/* Three columns of different scales; every 50th row one column is moved 6-10 sigma up or
 * down. The explanation must name that column (largest attribution) with the right
 * direction, every time; attributions add up to the score; the planted column's strength is
 * high and the usual strength low. */
static void test_explanation_names_the_column(void **state) {
  (void)state;
  const double sd[3] = {1, 2, 0.5}, mu[3] = {0, 50, -20};
  gen g = {DATA_SEED + 5};
  rcf_config c = config(3, 1, FOREST_SEED);
  rcf_forest *f = forest_or_fail(&c);
  core_error e;
  int planted = 0, named = 0, directed = 0, sided = 0;
  double min_planted_strength = 1e300, usual_strength = 0;
  int usual = 0;
  for (int i = 0; i < 4000; i++) {
    double row[3];
    for (int j = 0; j < 3; j++) row[j] = mu[j] + sd[j] * gen_normal(&g);
    int col = -1, dir = 0;
    if (i >= 300 && i % 50 == 0) {
      col = (i / 50) % 3;
      dir = (i / 150) % 2 ? 1 : -1;
      row[col] = mu[col] + dir * sd[col] * (6 + 4 * gen_uniform(&g));
    }
    double score, sum = 0;
    rcf_explanation ex;
    assert_int_equal(rcf_update(f, row, &score, &ex, &e), SLUICE_OK);
    for (int j = 0; j < 3; j++) sum += ex.low[j] + ex.high[j];
    assert_true(fabs(sum - score) <= 1e-9 * (1 + score));
    if (i < c.sample) {
      assert_true(score == 0 && sum == 0 && ex.strength[0] == 0 && ex.direction[0] == 0);
      continue;
    }
    if (col < 0) {
      for (int j = 0; j < 3; j++) usual_strength += ex.strength[j];
      usual += 3;
      continue;
    }
    planted++;
    int best = 0;
    for (int j = 1; j < 3; j++)
      if (ex.low[j] + ex.high[j] > ex.low[best] + ex.high[best]) best = j;
    named += best == col;
    directed += ex.direction[col] == dir;
    sided += (ex.high[col] > ex.low[col]) == (dir > 0);
    if (ex.strength[col] < min_planted_strength) min_planted_strength = ex.strength[col];
  }
  usual_strength /= usual;
  printf("rcf explanation data seed %#llx forest seed %#llx: %d planted spikes, column named %d, "
         "direction right %d, attribution on the right side %d; strength: planted min %.3f, "
         "usual mean %.3f\n",
         DATA_SEED + 5, FOREST_SEED, planted, named, directed, sided, min_planted_strength,
         usual_strength);
  assert_int_equal(planted, 74);
  assert_int_equal(named, planted);
  assert_int_equal(directed, planted);
  assert_int_equal(sided, planted);
  assert_true(min_planted_strength > 4);
  assert_true(usual_strength < 0.9);
  rcf_verify(f);
  rcf_free(f);
}

/* The same seed and rows give bit-identical scores; another seed does not. */
static void test_determinism(void **state) {
  (void)state;
  stream s = correlation(DATA_SEED + 6);
  double *a = calloc((size_t)s.n, sizeof *a), *b = calloc((size_t)s.n, sizeof *b),
         *other = calloc((size_t)s.n, sizeof *other);
  assert_true(a && b && other);
  rcf_config c = config(2, 3, FOREST_SEED);
  score_stream(&c, &s, a);
  score_stream(&c, &s, b);
  c.seed = FOREST_SEED + 1;
  score_stream(&c, &s, other);
  assert_memory_equal(a, b, sizeof *a * (size_t)s.n);
  int differ = 0;
  for (int i = 0; i < s.n; i++) differ += a[i] != other[i];
  printf("rcf determinism: seeds %#llx twice: identical; seed %#llx: %d of %d scores differ\n",
         FOREST_SEED, FOREST_SEED + 1, differ, s.n);
  assert_true(differ > s.n / 2);
  free(a);
  free(b);
  free(other);
  stream_free(&s);
}

/* rcf_update_batch gives exactly what rcf_update row by row gives (scores and explanations,
 * bit for bit), whatever the batch sizes; a batch with a NaN changes nothing. */
static void test_batches_equal_rows(void **state) {
  (void)state;
  stream s = correlation(DATA_SEED + 10);
  rcf_config c = config(2, 3, FOREST_SEED);
  c.sample = 64;
  c.time_decay = 300; /* a short memory: many insertions inside each batch */
  rcf_forest *one = forest_or_fail(&c), *many = forest_or_fail(&c);
  core_error e;
  double *a = calloc((size_t)s.n, sizeof *a), *b = calloc((size_t)s.n, sizeof *b);
  rcf_explanation *xa = calloc((size_t)s.n, sizeof *xa), *xb = calloc((size_t)s.n, sizeof *xb);
  assert_true(a && b && xa && xb);
  for (int i = 0; i < s.n; i++)
    assert_int_equal(rcf_update(one, s.x + 2 * i, &a[i], &xa[i], &e), SLUICE_OK);
  static const int sizes[] = {1, 7, 128, 129, 1000, 300, 2};
  int done = 0;
  for (int k = 0; done < s.n; k = (k + 1) % 7) {
    int n = s.n - done < sizes[k] ? s.n - done : sizes[k];
    assert_int_equal(rcf_update_batch(many, s.x + 2 * done, n, b + done, xb + done, &e), SLUICE_OK);
    done += n;
  }
  assert_memory_equal(a, b, sizeof *a * (size_t)s.n);
  assert_memory_equal(xa, xb, sizeof *xa * (size_t)s.n);
  /* a NaN in the third row of a batch: refused, nothing fed */
  double rows[8] = {1, 2, 3, 4, NAN, 6, 7, 8}, scores[4];
  assert_int_equal(rcf_update_batch(many, rows, 4, scores, NULL, &e), SLUICE_INVALID);
  assert_string_equal(e.message, "random cut forest: value 1 of row 3 is not a finite number");
  assert_int_equal(rcf_rows(many), s.n);
  rcf_verify(one);
  rcf_verify(many);
  rcf_free(one);
  rcf_free(many);
  free(a);
  free(b);
  free(xa);
  free(xb);
  stream_free(&s);
}

/* sample + shingle - 1 rows train (score exactly 0); the next row is scored. */
static void test_warm_up(void **state) {
  (void)state;
  rcf_config c = {.columns = 2,
                  .shingle = 4,
                  .trees = 20,
                  .sample = 50,
                  .time_decay = 1000,
                  .seed = FOREST_SEED};
  rcf_forest *f = forest_or_fail(&c);
  core_error e;
  gen g = {DATA_SEED + 7};
  for (int i = 0; i < 60; i++) {
    double row[2] = {gen_normal(&g), gen_normal(&g)}, score = -1;
    assert_int_equal(rcf_ready(f), i >= 53);
    assert_int_equal(rcf_update(f, row, &score, NULL, &e), SLUICE_OK);
    if (i < 53)
      assert_true(score == 0);
    else
      assert_true(score > 0);
  }
  assert_int_equal(rcf_rows(f), 60);
  rcf_free(f);
}

/* Time decay: after 1000 rows near 0 and 5000 rows near 10, a row near 0 is new again to a
 * forest with a short memory (timeDecay 500) and still familiar with a long one (100000). */
static double score_after_shift(int64_t decay) {
  rcf_config c = config(1, 1, FOREST_SEED);
  c.time_decay = decay;
  rcf_forest *f = forest_or_fail(&c);
  core_error e;
  gen g = {DATA_SEED + 8};
  double score = 0;
  for (int i = 0; i < 6000; i++) {
    double x = (i < 1000 ? 0 : 10) + gen_normal(&g);
    assert_int_equal(rcf_update(f, &x, &score, NULL, &e), SLUICE_OK);
  }
  double x = 0;
  assert_int_equal(rcf_update(f, &x, &score, NULL, &e), SLUICE_OK);
  rcf_verify(f);
  rcf_free(f);
  return score;
}

static void test_time_decay_forgets(void **state) {
  (void)state;
  double short_memory = score_after_shift(500), long_memory = score_after_shift(100000);
  printf("rcf time decay: the old level scores %.3f with timeDecay 500, %.3f with 100000\n",
         short_memory, long_memory);
  assert_true(short_memory > 4);
  assert_true(long_memory < 2);
}

/* Heavy churn (a short memory, a small sample, many duplicate points) with the structures
 * walked every 97 rows. */
static void test_churn_keeps_invariants(void **state) {
  (void)state;
  rcf_config c = {
      .columns = 3, .shingle = 2, .trees = 7, .sample = 10, .time_decay = 15, .seed = FOREST_SEED};
  rcf_forest *f = forest_or_fail(&c);
  core_error e;
  gen g = {DATA_SEED + 9};
  for (int i = 0; i < 20000; i++) {
    double row[3] = {(double)(gen_u64(&g) % 3), (double)(gen_u64(&g) % 2), i % 7 == 0 ? 5 : 1};
    double score;
    assert_int_equal(rcf_update(f, row, &score, NULL, &e), SLUICE_OK);
    assert_true(score >= 0 && score <= log2(10) + 1e-12);
    if (i % 97 == 0) rcf_verify(f);
  }
  rcf_verify(f);
  rcf_free(f);
}

static void test_rejections(void **state) {
  (void)state;
  core_error e;
  rcf_forest *f = NULL;
  rcf_config c = config(31, 1, 1);
  assert_int_equal(rcf_new(&c, &f, &e), SLUICE_INVALID);
  assert_null(f);
  c = config(30, 30, 1);
  c.trees = 1000;
  c.sample = 1000;
  assert_int_equal(rcf_new(&c, &f, &e), SLUICE_LIMIT);
  assert_string_equal(e.message, "a random cut forest of 1000 trees of 1000 points in 900 "
                                 "dimensions needs 20631 MiB, more than the limit of 2048 MiB");
  c = config(2, 1, 1);
  f = forest_or_fail(&c);
  double row[2] = {1, NAN}, score = -1;
  assert_int_equal(rcf_update(f, row, &score, NULL, &e), SLUICE_INVALID);
  assert_string_equal(e.message, "random cut forest: value 2 of row 1 is not a finite number");
  assert_int_equal(rcf_rows(f), 0);
  row[1] = INFINITY;
  assert_int_equal(rcf_update(f, row, &score, NULL, &e), SLUICE_INVALID);
  rcf_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_auc_spikes),
      cmocka_unit_test(test_auc_level_shifts),
      cmocka_unit_test(test_auc_periodic_pattern),
      cmocka_unit_test(test_auc_correlation),
      cmocka_unit_test(test_auc_integer_duplicates),
      cmocka_unit_test(test_explanation_names_the_column),
      cmocka_unit_test(test_determinism),
      cmocka_unit_test(test_batches_equal_rows),
      cmocka_unit_test(test_warm_up),
      cmocka_unit_test(test_time_decay_forgets),
      cmocka_unit_test(test_churn_keeps_invariants),
      cmocka_unit_test(test_rejections),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

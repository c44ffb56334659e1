/*
 * rcf.c — `sluice bench rcf`: RANDOM_CUT_FOREST on one core (functions/rcf.h through the
 * operator of exec/tablefn_rcf.c), with the AWS defaults (100 trees, 256 points per tree,
 * timeDecay 100000, shingle 1), for 1, 4 and 16 numeric input columns.
 *
 * The stream: N rows (default 300,000) of DOUBLE columns drawn from N(0, 1), 1 % of the
 * rows moved 6 sigma in one column, in batches of 1024, all built before the clock starts.
 * For each column count:
 *   - the operator RANDOM_CUT_FOREST (what a pump runs): rows/s;
 *   - the model alone, in batches of 1024 (tree by tree) and row by row: rows/s;
 *   - RANDOM_CUT_FOREST_WITH_EXPLANATION (attribution, strength, the JSON text): rows/s;
 *   - the forest's memory (rcf_memory: the pools of trees, boxes, samplers and the point
 *     store, after the run);
 *   - references side by side: a plain pass that reads every value of every row (the floor
 *     of any per-row work), and a brute-force k-NN score (the mean distance to the 5
 *     nearest of the last 256 rows), the naive distance-based detector that a forest of
 *     256-point samples replaces;
 *   - the AUC of the forest's and of the k-NN's scores against the planted rows, so that
 *     the speed ratio compares two detectors that both work.
 *
 * Rates are given per second of this thread's CPU time and of wall time: on a shared
 * machine the first is what the work costs on its core.
 *
 * Options: --rows N  --trees T  --sample S  --columns C (one count instead of 1, 4, 16)
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "exec/exec.h"
#include "functions/rcf.h"

typedef struct rcfb_cfg {
  int64_t rows, trees, sample, columns;
} rcfb_cfg;

typedef struct rcfb_data {
  int cols;
  core_batch **b;
  int nb;
  int64_t rows;
  double *x;   /* [rows][cols]: the same values, row by row */
  char *label; /* [rows]: planted */
} rcfb_data;

/* A measurement: wall time and this thread's CPU time (the machine may be shared: CPU time
 * is what the work took on its core). */
typedef struct span {
  int64_t wall, cpu;
} span;

static int64_t cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static span span_start(void) {
  return (span){core_mono_ns(), cpu_ns()};
}

static span span_end(span s) {
  return (span){core_mono_ns() - s.wall, cpu_ns() - s.cpu};
}

static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *s) {
  return ((double)(rng_next(s) >> 11) + 0.5) * 0x1.0p-53;
}

static double rng_normal(uint64_t *s) {
  return sqrt(-2 * log(rng_uniform(s))) * cos(2 * M_PI * rng_uniform(s));
}

static void free_data(rcfb_data *d) {
  for (int i = 0; i < d->nb; i++) core_batch_free(d->b[i]);
  free(d->b);
  free(d->x);
  free(d->label);
}

static int make_data(int64_t rows, int cols, rcfb_data *d) {
  memset(d, 0, sizeof *d);
  d->cols = cols;
  d->rows = rows;
  d->nb = (int)((rows + CORE_BATCH_CAP - 1) / CORE_BATCH_CAP);
  d->b = calloc((size_t)d->nb, sizeof *d->b);
  d->x = malloc(sizeof *d->x * (size_t)rows * (size_t)cols);
  d->label = calloc((size_t)rows, 1);
  if (!d->b || !d->x || !d->label) return -1;
  core_type types[RCF_MAX_COLUMNS];
  for (int c = 0; c < cols; c++) types[c] = (core_type){.id = CORE_T_DOUBLE};
  uint64_t seed = 0xBE4C4u + (uint64_t)cols;
  int64_t row = 0;
  for (int i = 0; i < d->nb; i++) {
    core_batch *b = d->b[i] = core_batch_new(cols, types, CORE_BATCH_CAP);
    if (!b) return -1;
    int n = (int)(rows - row < CORE_BATCH_CAP ? rows - row : CORE_BATCH_CAP);
    for (int r = 0; r < n; r++, row++) {
      b->rowtime[r] = 1700000000000 + row;
      bool spike = row >= 1000 && rng_uniform(&seed) < 0.01;
      int which = (int)(rng_next(&seed) % (uint64_t)cols);
      d->label[row] = spike;
      for (int c = 0; c < cols; c++) {
        double v = rng_normal(&seed) + (spike && c == which ? 6 : 0);
        b->cols[c].u.d[r] = v;
        d->x[row * cols + c] = v;
      }
    }
    b->n = n;
  }
  return 0;
}

/* ------------------------------------------------------------------ sink -- */

typedef struct sink {
  exec_op op;
  int64_t rows;
  double *scores; /* [rows] */
  size_t bytes;   /* explanation text seen; (size_t)-1 without an explanation column */
} sink;

static int sink_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  (void)err;
  sink *s = (sink *)op;
  int score_col = s->bytes == (size_t)-1 ? b->ncols - 1 : b->ncols - 2; /* then the text */
  for (int k = 0; k < core_batch_live(b); k++) {
    int i = core_batch_row(b, k);
    s->scores[s->rows++] = b->cols[score_col].u.d[i];
    if (s->bytes != (size_t)-1) s->bytes += b->cols[b->ncols - 1].u.s[i].n;
  }
  return SLUICE_OK;
}

static int sink_bound(exec_op *op, int port, int64_t t, core_error *err) {
  (void)op;
  (void)port;
  (void)t;
  (void)err;
  return SLUICE_OK;
}

/* ----------------------------------------------------------------- runs -- */

/* The operator over the data (scores[] gets each row's score, *text the explanations'
 * bytes); wall < 0 on failure. */
static span run_operator(const rcfb_cfg *c, const rcfb_data *d, bool explain, double *scores,
                         size_t *text) {
  const char *fn = explain ? "RANDOM_CUT_FOREST_WITH_EXPLANATION" : "RANDOM_CUT_FOREST";
  core_type in[RCF_MAX_COLUMNS], out[RCF_MAX_COLUMNS + 2];
  const char *names[RCF_MAX_COLUMNS + 2];
  char namebuf[RCF_MAX_COLUMNS][16];
  for (int k = 0; k < d->cols; k++) {
    in[k] = out[k] = (core_type){.id = CORE_T_DOUBLE};
    snprintf(namebuf[k], sizeof namebuf[k], "C%d", k + 1);
    names[k] = namebuf[k];
  }
  out[d->cols] = (core_type){.id = CORE_T_DOUBLE};
  names[d->cols] = "ANOMALY_SCORE";
  out[d->cols + 1] = (core_type){.id = CORE_T_VARCHAR, .precision = 20480};
  names[d->cols + 1] = "ANOMALY_EXPLANATION";
  core_value args[5];
  memset(args, 0, sizeof args);
  int64_t vals[4] = {c->trees, c->sample, 100000, 1};
  for (int k = 0; k < 4; k++) {
    args[k].type.id = CORE_T_INTEGER;
    args[k].u.i = vals[k];
  }
  args[4].type.id = CORE_T_BOOLEAN;
  args[4].u.b = true;
  exec_tablefn_config tc = {.fn = fn_lookup(fn),
                            .ninput = d->cols,
                            .input_types = in,
                            .input_names = names,
                            .nargs = explain ? 5 : 4,
                            .args = args,
                            .nout = d->cols + 1 + explain,
                            .out_types = out,
                            .out_names = names,
                            .seed = 0x51CE5EED};
  exec_ctx ctx = {0};
  core_error e = {0};
  exec_op *op = exec_tablefn_new(&ctx, &tc, &e);
  if (!op) {
    fprintf(stderr, "bench rcf: %s\n", e.message);
    return (span){-1, -1};
  }
  sink s = {.op = {.name = "sink", .push = sink_push, .bound = sink_bound},
            .scores = scores,
            .bytes = explain ? 0 : (size_t)-1};
  op->next = &s.op;
  span t = span_start();
  int rc = SLUICE_OK;
  for (int i = 0; i < d->nb && !rc; i++) rc = op->push(op, 0, d->b[i], &e);
  t = span_end(t);
  exec_op_free(op);
  if (rc) {
    fprintf(stderr, "bench rcf: %s\n", e.message);
    return (span){-1, -1};
  }
  if (text) *text = s.bytes;
  return t;
}

/* The model alone, `batch` rows per rcf_update_batch call (1: rcf_update row by row); *mem:
 * its bytes at the end. */
static span run_model(const rcfb_cfg *c, const rcfb_data *d, int batch, double *scores,
                      size_t *mem) {
  rcf_config fc = {.columns = d->cols,
                   .shingle = 1,
                   .trees = (int)c->trees,
                   .sample = (int)c->sample,
                   .time_decay = 100000,
                   .seed = 0x51CE5EED};
  rcf_forest *f = NULL;
  core_error e = {0};
  if (rcf_new(&fc, &f, &e)) {
    fprintf(stderr, "bench rcf: %s\n", e.message);
    return (span){-1, -1};
  }
  span t = span_start();
  for (int64_t r = 0; r < d->rows; r += batch) {
    int n = d->rows - r < batch ? (int)(d->rows - r) : batch;
    int rc = batch == 1 ? rcf_update(f, d->x + r * d->cols, scores + r, NULL, &e)
                        : rcf_update_batch(f, d->x + r * d->cols, n, scores + r, NULL, &e);
    if (rc) {
      fprintf(stderr, "bench rcf: %s\n", e.message);
      rcf_free(f);
      return (span){-1, -1};
    }
  }
  t = span_end(t);
  *mem = rcf_memory(f);
  rcf_free(f);
  return t;
}

/* Reads every value of every row once (the floor of per-row work). */
static span run_plain(const rcfb_data *d, double *sum) {
  span t = span_start();
  double s = 0;
  for (int i = 0; i < d->nb; i++)
    for (int c = 0; c < d->cols; c++)
      for (int r = 0; r < d->b[i]->n; r++) s += d->b[i]->cols[c].u.d[r];
  *sum = s;
  return span_end(t);
}

/* Brute-force k-NN: the mean Euclidean distance to the 5 nearest of the previous 256 rows
 * (0 for the first 256), for the first `rows` rows. */
static span run_knn(const rcfb_data *d, int64_t rows, double *scores) {
  enum { WINDOW = 256, K = 5 };
  span t = span_start();
  for (int64_t r = 0; r < rows; r++) {
    const double *q = d->x + r * d->cols;
    double best[K];
    for (int k = 0; k < K; k++) best[k] = INFINITY;
    if (r < WINDOW) {
      scores[r] = 0;
      continue;
    }
    for (int64_t o = r - WINDOW; o < r; o++) {
      const double *p = d->x + o * d->cols;
      double dist = 0;
      for (int c = 0; c < d->cols; c++) dist += (p[c] - q[c]) * (p[c] - q[c]);
      if (dist < best[K - 1]) {
        int k = K - 1;
        while (k > 0 && best[k - 1] > dist) {
          best[k] = best[k - 1];
          k--;
        }
        best[k] = dist;
      }
    }
    double m = 0;
    for (int k = 0; k < K; k++) m += sqrt(best[k]);
    scores[r] = m / K;
  }
  return span_end(t);
}

/* ROC AUC of scores[from, n) against the planted rows (sorting; ties count half). */
static const double *auc_scores;
static int by_score(const void *a, const void *b) {
  double x = auc_scores[*(const int64_t *)a], y = auc_scores[*(const int64_t *)b];
  return x < y ? -1 : x > y;
}

static double auc(const double *scores, const char *label, int64_t from, int64_t n) {
  int64_t m = n - from, *idx = malloc(sizeof *idx * (size_t)m);
  if (!idx) return NAN;
  for (int64_t i = 0; i < m; i++) idx[i] = from + i;
  auc_scores = scores;
  qsort(idx, (size_t)m, sizeof *idx, by_score);
  double rank_sum = 0;
  int64_t pos = 0;
  for (int64_t i = 0; i < m;) {
    int64_t j = i;
    while (j < m && scores[idx[j]] == scores[idx[i]]) j++;
    double rank = (double)(i + j + 1) / 2; /* 1-based mean rank of the tie group */
    for (int64_t k = i; k < j; k++)
      if (label[idx[k]]) {
        rank_sum += rank;
        pos++;
      }
    i = j;
  }
  free(idx);
  int64_t neg = m - pos;
  return pos && neg ? (rank_sum - (double)pos * (double)(pos + 1) / 2) / ((double)pos * (double)neg)
                    : NAN;
}

static double rate(int64_t rows, int64_t ns) {
  return ns > 0 ? (double)rows * 1e9 / (double)ns : 0;
}

static void line(const char *what, int64_t rows, span t) {
  printf("  %-52s %11.0f rows/s cpu %11.0f wall  (%.3f s cpu)\n", what, rate(rows, t.cpu),
         rate(rows, t.wall), (double)t.cpu / 1e9);
}

static int bench_columns(const rcfb_cfg *c, int cols) {
  rcfb_data d;
  double *scores = NULL, *knn = NULL;
  if (make_data(c->rows, cols, &d) || !(scores = malloc(sizeof *scores * (size_t)c->rows)) ||
      !(knn = malloc(sizeof *knn * (size_t)c->rows))) {
    fprintf(stderr, "bench rcf: out of memory\n");
    free_data(&d);
    free(scores);
    return 1;
  }
  printf("%d numeric column%s, %" PRId64 " rows:\n", cols, cols > 1 ? "s" : "", d.rows);
  size_t mem = 0, text = 0;
  double sum;
  span t_op = run_operator(c, &d, false, scores, NULL);
  span t_model = run_model(c, &d, CORE_BATCH_CAP, knn, &mem);
  span t_row = run_model(c, &d, 1, knn, &mem);
  if (t_op.wall < 0 || t_model.wall < 0 || t_row.wall < 0) {
    free_data(&d);
    free(scores);
    free(knn);
    return 1;
  }
  double a_rcf = auc(scores, d.label, c->sample, d.rows);
  double *ex_scores = malloc(sizeof *ex_scores * (size_t)c->rows);
  span t_ex = ex_scores ? run_operator(c, &d, true, ex_scores, &text) : (span){-1, -1};
  free(ex_scores);
  span t_plain = run_plain(&d, &sum);
  int64_t knn_rows = d.rows < 100000 ? d.rows : 100000;
  span t_knn = run_knn(&d, knn_rows, knn);
  double a_knn = auc(knn, d.label, 256, knn_rows);
  line("RANDOM_CUT_FOREST operator (batches of 1024)", d.rows, t_op);
  line("the model alone, rcf_update_batch of 1024 rows", d.rows, t_model);
  line("the model alone, rcf_update row by row", d.rows, t_row);
  if (t_ex.wall >= 0) {
    line("RANDOM_CUT_FOREST_WITH_EXPLANATION operator", d.rows, t_ex);
    printf("    (explanations: %.1f bytes a row)\n", (double)text / (double)d.rows);
  }
  line("reference: plain pass reading every value", d.rows, t_plain);
  line("reference: brute-force 5-NN over the last 256 rows", knn_rows, t_knn);
  printf("  forest memory: %.2f MiB (%zu bytes)\n", (double)mem / (1 << 20), mem);
  printf("  AUC against the planted rows: forest %.4f, 5-NN %.4f\n", a_rcf, a_knn);
  printf("  ratios (cpu): forest/5-NN speed %.2f, plain pass/forest %.0f  (checksum %.3g)\n",
         rate(d.rows, t_op.cpu) / rate(knn_rows, t_knn.cpu),
         rate(d.rows, t_plain.cpu) / rate(d.rows, t_op.cpu), sum);
  free_data(&d);
  free(scores);
  free(knn);
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: sluice bench rcf [--rows N] [--trees T] [--sample S] "
                  "[--columns C]\n");
  return 2;
}

int bench_rcf_main(int argc, char **argv) {
  rcfb_cfg c = {.rows = 300000, .trees = 100, .sample = 256, .columns = 0};
  for (int i = 1; i < argc; i++) {
    int64_t *opt = NULL;
    if (strcmp(argv[i], "--rows") == 0)
      opt = &c.rows;
    else if (strcmp(argv[i], "--trees") == 0)
      opt = &c.trees;
    else if (strcmp(argv[i], "--sample") == 0)
      opt = &c.sample;
    else if (strcmp(argv[i], "--columns") == 0)
      opt = &c.columns;
    else
      return usage();
    if (++i >= argc) return usage();
    *opt = strtoll(argv[i], NULL, 10);
    if (*opt <= 0) return usage();
  }
  if (c.trees > 1000 || c.sample < 10 || c.sample > 1000 || c.columns > RCF_MAX_COLUMNS ||
      c.rows <= c.sample)
    return usage();
  printf("sluice bench rcf: %" PRId64 " trees, %" PRId64 " points per tree, timeDecay 100000, "
         "shingle 1; one core; N(0,1) columns, 1 %% of rows moved 6 sigma in one column\n",
         c.trees, c.sample);
  static const int counts[] = {1, 4, 16};
  int rc = 0;
  if (c.columns) return bench_columns(&c, (int)c.columns);
  for (int k = 0; k < 3 && !rc; k++) rc = bench_columns(&c, counts[k]);
  return rc;
}

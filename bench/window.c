/*
 * window.c — `sluice bench window`: the window operators (exec/tumble.c, slide.c,
 * stagger.c) alone, on decoded rows in batches of 1024 (no parsing, no store).
 *
 * The stream: N rows (default 4,000,000) with a BIGINT key drawn uniformly from K keys
 * (default 10,000), a BIGINT value, and ROWTIMEs `rate` rows per stream second apart
 * (default 100,000/s, so a 10-second window holds 1,000,000 rows). All batches are built
 * before the clock starts; each measurement runs a fresh operator over them (best of 3)
 * into a sink that only counts rows.
 *
 *   (a) tumbling 10 s windows, GROUP BY key, COUNT(*), SUM, AVG, MIN, MAX;
 *       references: a loop that only hashes the keys into a table (the floor cost of any
 *       hash aggregation) and a hand-written fused loop doing the same aggregation with
 *       everything known at compile time (what a specializing code generator could do);
 *   (b) sliding SUM, AVG, MIN, MAX over PARTITION BY key RANGE 10 s, and over ROWS 100;
 *       reference: a naive sliding window that recomputes each row's frame from its
 *       partition's rows (a plain loop over arrays, the best case of recomputing), to show
 *       the gain of incremental aggregation;
 *   (c) stagger windows of 10 s per key, COUNT(*), SUM, MIN, MAX; reference: the same
 *       hash floor.
 *
 * Options: --rows N  --keys K  --rate R  --naive-rows M (default: all)
 *          --only tumble|slide|stagger
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "exec/exec.h"

typedef struct wcfg {
  int64_t rows, keys, rate, naive_rows;
  const char *only; /* "tumble", "slide", "stagger" or NULL: all */
} wcfg;

/* ------------------------------------------------------------------ data -- */

typedef struct dataset {
  core_batch **b;
  int nb;
  int64_t rows;
} dataset;

static uint64_t rng(uint64_t *s) {
  uint64_t x = *s += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* Columns: key BIGINT, value BIGINT, STEP(ROWTIME BY 10 s) TIMESTAMP. */
static int make_data(const wcfg *c, dataset *d) {
  core_type t[3] = {{.id = CORE_T_BIGINT}, {.id = CORE_T_BIGINT}, {.id = CORE_T_TIMESTAMP}};
  d->nb = (int)((c->rows + CORE_BATCH_CAP - 1) / CORE_BATCH_CAP);
  d->b = calloc((size_t)d->nb, sizeof *d->b);
  if (!d->b) return -1;
  uint64_t seed = 42;
  int64_t t0 = 1700000000000, row = 0;
  for (int i = 0; i < d->nb; i++) {
    core_batch *b = d->b[i] = core_batch_new(3, t, CORE_BATCH_CAP);
    if (!b) return -1;
    int n = (int)(c->rows - row < CORE_BATCH_CAP ? c->rows - row : CORE_BATCH_CAP);
    for (int r = 0; r < n; r++, row++) {
      int64_t rt = t0 + row * 1000 / c->rate;
      b->rowtime[r] = rt;
      b->cols[0].u.i[r] = (int64_t)(rng(&seed) % (uint64_t)c->keys);
      b->cols[1].u.i[r] = (int64_t)(rng(&seed) % 100000);
      b->cols[2].u.i[r] = rt - core_floor_mod(rt, 10000);
    }
    b->n = n;
  }
  d->rows = row;
  return 0;
}

static void free_data(dataset *d) {
  for (int i = 0; i < d->nb; i++) core_batch_free(d->b[i]);
  free(d->b);
}

/* ------------------------------------------------------------------ sink -- */

typedef struct sink {
  exec_op op;
  int64_t rows;
  int64_t check; /* keeps the outputs alive */
} sink;

static int sink_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  (void)err;
  sink *s = (sink *)op;
  int live = core_batch_live(b);
  s->rows += live;
  if (live) s->check += b->cols[b->ncols - 1].u.i[core_batch_row(b, live - 1)];
  return SLUICE_OK;
}

static int sink_bound(exec_op *op, int port, int64_t t, core_error *err) {
  (void)op;
  (void)port;
  (void)t;
  (void)err;
  return SLUICE_OK;
}

static void sink_free(exec_op *op) {
  (void)op;
}

/* --------------------------------------------------------------- running -- */

static exec_agg mk(const char *name, int arg, core_type_id t) {
  exec_agg a;
  memset(&a, 0, sizeof a);
  a.fn = fn_lookup(name);
  a.arg = arg;
  a.type = (core_type){.id = (uint8_t)t};
  return a;
}

/* Pushes the data (first `limit` batches) through a new operator from make(); returns ns
 * (best of `reps`), or -1. */
typedef exec_op *(*maker)(exec_ctx *ctx, core_error *err);

static int64_t run_op(maker make, const dataset *d, int limit, int reps, int64_t *out_rows) {
  int64_t best = -1;
  for (int rep = 0; rep < reps; rep++) {
    exec_ctx ctx = {0};
    core_error e = {0};
    exec_op *op = make(&ctx, &e);
    if (!op) {
      fprintf(stderr, "bench window: %s\n", e.message);
      return -1;
    }
    sink s = {.op = {.name = "sink", .push = sink_push, .bound = sink_bound, .free = sink_free}};
    op->next = &s.op;
    int64_t t0 = core_mono_ns();
    int rc = SLUICE_OK;
    for (int i = 0; i < limit && !rc; i++) {
      core_batch *b = d->b[i];
      rc = op->push(op, 0, b, &e);
      if (!rc && (i & 15) == 15) rc = op->bound(op, 0, b->rowtime[b->n - 1], &e);
    }
    if (!rc) rc = op->bound(op, 0, d->b[limit - 1]->rowtime[d->b[limit - 1]->n - 1] + 3600000, &e);
    int64_t ns = core_mono_ns() - t0;
    exec_op_free(op);
    if (rc) {
      fprintf(stderr, "bench window: %s\n", e.message);
      return -1;
    }
    *out_rows = s.rows;
    if (best < 0 || ns < best) best = ns;
  }
  return best;
}

static const core_type TYPES[3] = {
    {.id = CORE_T_BIGINT}, {.id = CORE_T_BIGINT}, {.id = CORE_T_TIMESTAMP}};

static exec_op *make_tumble(exec_ctx *ctx, core_error *err) {
  static const int keys[] = {0, 2};
  static exec_agg aggs[5];
  aggs[0] = mk("COUNT", -1, CORE_T_BIGINT);
  aggs[1] = mk("SUM", 1, CORE_T_BIGINT);
  aggs[2] = mk("AVG", 1, CORE_T_BIGINT);
  aggs[3] = mk("MIN", 1, CORE_T_BIGINT);
  aggs[4] = mk("MAX", 1, CORE_T_BIGINT);
  exec_tumble_config c = {.ninput = 3,
                          .input_types = TYPES,
                          .keys = keys,
                          .nkeys = 2,
                          .time_key = 1,
                          .window_ms = 10000,
                          .aggs = aggs,
                          .naggs = 5};
  return exec_tumble_new(ctx, &c, err);
}

static exec_op *make_slide(exec_ctx *ctx, core_error *err, exec_frame f) {
  static const int part[] = {0};
  static exec_agg aggs[4];
  aggs[0] = mk("SUM", 1, CORE_T_BIGINT);
  aggs[1] = mk("AVG", 1, CORE_T_BIGINT);
  aggs[2] = mk("MIN", 1, CORE_T_BIGINT);
  aggs[3] = mk("MAX", 1, CORE_T_BIGINT);
  exec_slide_config c = {.ninput = 3,
                         .input_types = TYPES,
                         .partition = part,
                         .npartition = 1,
                         .frame = f,
                         .rows = 100,
                         .range_ms = 10000,
                         .aggs = aggs,
                         .naggs = 4};
  return exec_slide_new(ctx, &c, err);
}
static exec_op *make_slide_range(exec_ctx *ctx, core_error *err) {
  return make_slide(ctx, err, EXEC_FRAME_RANGE);
}
static exec_op *make_slide_rows(exec_ctx *ctx, core_error *err) {
  return make_slide(ctx, err, EXEC_FRAME_ROWS);
}

static exec_op *make_stagger(exec_ctx *ctx, core_error *err) {
  static const int keys[] = {0};
  static exec_agg aggs[4];
  aggs[0] = mk("COUNT", -1, CORE_T_BIGINT);
  aggs[1] = mk("SUM", 1, CORE_T_BIGINT);
  aggs[2] = mk("MIN", 1, CORE_T_BIGINT);
  aggs[3] = mk("MAX", 1, CORE_T_BIGINT);
  exec_stagger_config c = {.ninput = 3,
                           .input_types = TYPES,
                           .keys = keys,
                           .nkeys = 1,
                           .range_ms = 10000,
                           .aggs = aggs,
                           .naggs = 4};
  return exec_stagger_new(ctx, &c, err);
}

/* ------------------------------------------------------------ references -- */

typedef struct ref_table {
  int64_t *key;
  uint32_t *gid;
  uint32_t mask;
} ref_table;

static inline uint32_t ref_find(ref_table *t, int64_t k, uint32_t *ngroups) {
  uint64_t h = (uint64_t)k * 0x9e3779b97f4a7c15ull;
  uint32_t j = (uint32_t)(h >> 40) & t->mask;
  for (;;) {
    if (t->gid[j] == UINT32_MAX) {
      t->key[j] = k;
      return t->gid[j] = (*ngroups)++;
    }
    if (t->key[j] == k) return t->gid[j];
    j = (j + 1) & t->mask;
  }
}

/* The floor: hash each row's key into a table (find or insert) and count; the table is
 * emptied at each 10-second window end, as a tumbling window would. fused: also the five
 * aggregates, inline. */
static int64_t run_ref_hash(const dataset *d, int64_t keys, bool fused, int64_t *check) {
  uint32_t size = 1;
  while (size < 2 * keys) size *= 2;
  ref_table t = {malloc(sizeof(int64_t) * size), malloc(sizeof(uint32_t) * size), size - 1};
  int64_t *cnt = calloc((size_t)keys + 1, sizeof *cnt), *sum = calloc((size_t)keys + 1, 8),
          *mn = calloc((size_t)keys + 1, 8), *mx = calloc((size_t)keys + 1, 8);
  int64_t best = -1;
  for (int rep = 0; rep < 3; rep++) {
    memset(t.gid, 0xff, sizeof(uint32_t) * size);
    uint32_t ng = 0;
    int64_t win = d->b[0]->cols[2].u.i[0], acc = 0;
    int64_t t0 = core_mono_ns();
    for (int i = 0; i < d->nb; i++) {
      const core_batch *b = d->b[i];
      const int64_t *k = b->cols[0].u.i, *v = b->cols[1].u.i, *w = b->cols[2].u.i;
      for (int r = 0; r < b->n; r++) {
        if (w[r] != win) { /* window end: "emit" and reset */
          for (uint32_t g = 0; g < ng; g++) acc += cnt[g] + (fused ? sum[g] / cnt[g] : 0);
          memset(cnt, 0, sizeof *cnt * ng);
          memset(t.gid, 0xff, sizeof(uint32_t) * size);
          ng = 0;
          win = w[r];
        }
        uint32_t g = ref_find(&t, k[r], &ng);
        if (fused) {
          if (cnt[g] == 0) {
            sum[g] = 0;
            mn[g] = mx[g] = v[r];
          }
          sum[g] += v[r];
          mn[g] = v[r] < mn[g] ? v[r] : mn[g];
          mx[g] = v[r] > mx[g] ? v[r] : mx[g];
        }
        cnt[g]++;
      }
    }
    for (uint32_t g = 0; g < ng; g++) acc += cnt[g] + mn[g] + mx[g];
    int64_t ns = core_mono_ns() - t0;
    *check = acc;
    memset(cnt, 0, sizeof *cnt * (size_t)keys);
    if (best < 0 || ns < best) best = ns;
  }
  free(t.key);
  free(t.gid);
  free(cnt);
  free(sum);
  free(mn);
  free(mx);
  return best;
}

/* A naive sliding window: per partition the list of its rows; each row's SUM, AVG, MIN,
 * MAX recomputed over the rows of its RANGE 10 s frame. First `limit` rows. */
static int64_t run_ref_naive_slide(const dataset *d, int64_t keys, int64_t limit, int64_t *check) {
  typedef struct plist {
    int64_t *t, *v;
    int64_t n, cap, head;
  } plist;
  plist *p = calloc((size_t)keys, sizeof *p);
  int64_t acc = 0, done = 0;
  int64_t t0 = core_mono_ns();
  for (int i = 0; i < d->nb && done < limit; i++) {
    const core_batch *b = d->b[i];
    for (int r = 0; r < b->n && done < limit; r++, done++) {
      plist *x = &p[b->cols[0].u.i[r]];
      if (x->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 16;
        x->t = realloc(x->t, sizeof *x->t * (size_t)x->cap);
        x->v = realloc(x->v, sizeof *x->v * (size_t)x->cap);
      }
      x->t[x->n] = b->rowtime[r];
      x->v[x->n++] = b->cols[1].u.i[r];
      int64_t lo = b->rowtime[r] - 10000, s = 0, c = 0, mn = INT64_MAX, mx = INT64_MIN;
      while (x->t[x->head] < lo) x->head++;
      for (int64_t q = x->head; q < x->n; q++) {
        s += x->v[q];
        c++;
        mn = x->v[q] < mn ? x->v[q] : mn;
        mx = x->v[q] > mx ? x->v[q] : mx;
      }
      acc += s + s / c + mn + mx;
    }
  }
  int64_t ns = core_mono_ns() - t0;
  for (int64_t k = 0; k < keys; k++) {
    free(p[k].t);
    free(p[k].v);
  }
  free(p);
  *check = acc;
  return ns;
}

/* ------------------------------------------------------------------ main -- */

static double mrate(int64_t rows, int64_t ns) {
  return ns > 0 ? (double)rows / ((double)ns / 1e9) / 1e6 : 0;
}

static void line(const char *what, int64_t rows, int64_t ns) {
  printf("  %-52s %8.1f M rows/s  (%.3f s)\n", what, mrate(rows, ns), (double)ns / 1e9);
}

static int usage(void) {
  fprintf(stderr, "usage: sluice bench window [--rows N] [--keys K] [--rate ROWS_PER_S] "
                  "[--naive-rows M] [--only tumble|slide|stagger]\n");
  return 2;
}

int bench_window_main(int argc, char **argv) {
  wcfg c = {.rows = 4000000, .keys = 10000, .rate = 100000, .naive_rows = INT64_MAX};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: sluice bench window [--rows N] [--keys K] [--rate ROWS_PER_S] "
             "[--naive-rows M] [--only tumble|slide|stagger]\n");
      return 0;
    }
    int64_t *opt = NULL;
    if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      c.only = argv[++i];
      continue;
    }
    if (strcmp(argv[i], "--rows") == 0)
      opt = &c.rows;
    else if (strcmp(argv[i], "--keys") == 0)
      opt = &c.keys;
    else if (strcmp(argv[i], "--rate") == 0)
      opt = &c.rate;
    else if (strcmp(argv[i], "--naive-rows") == 0)
      opt = &c.naive_rows;
    else
      return usage();
    if (++i >= argc) return usage();
    *opt = strtoll(argv[i], NULL, 10);
    if (*opt <= 0) return usage();
  }
  dataset d = {0};
  if (make_data(&c, &d)) {
    fprintf(stderr, "bench window: out of memory\n");
    free_data(&d);
    return 1;
  }
  printf("sluice bench window: %" PRId64 " rows in batches of %d, %" PRId64 " keys, %" PRId64
         " rows per stream second (best of 3, one core)\n",
         d.rows, CORE_BATCH_CAP, c.keys, c.rate);
  int64_t out = 0, chk = 0, rc = 0;

#define RUN(name) (!c.only || strcmp(c.only, name) == 0)
  int64_t th = 0;
  if (RUN("tumble") || RUN("stagger")) th = run_ref_hash(&d, c.keys, false, &chk);
  if (RUN("tumble")) {
    printf("(a) tumbling 10 s, GROUP BY key: COUNT(*), SUM, AVG, MIN, MAX\n");
    int64_t ta = run_op(make_tumble, &d, d.nb, 3, &out);
    int64_t tf = run_ref_hash(&d, c.keys, true, &chk);
    if (ta < 0) rc = 1;
    line("tumble operator", d.rows, ta);
    line("reference: hash the keys only (floor)", d.rows, th);
    line("reference: fused hand-written aggregation", d.rows, tf);
    printf("  ratio operator/floor %.2f, operator/fused %.2f  (%" PRId64 " groups out)\n",
           (double)th / (double)ta, (double)tf / (double)ta, out);
  }
  if (RUN("slide")) {
    printf("(b) sliding PARTITION BY key: SUM, AVG, MIN, MAX\n");
    int64_t tr = run_op(make_slide_range, &d, d.nb, 3, &out);
    if (tr < 0) rc = 1;
    line("slide operator, RANGE 10 s", d.rows, tr);
    int64_t to = run_op(make_slide_rows, &d, d.nb, 3, &out);
    if (to < 0) rc = 1;
    line("slide operator, ROWS 100", d.rows, to);
    /* whole batches of the same rows for both, so that the frames are as full */
    int64_t nb = c.naive_rows >= d.rows ? d.nb : c.naive_rows / CORE_BATCH_CAP;
    if (nb < 1) nb = 1;
    int64_t nrows = nb * CORE_BATCH_CAP < d.rows ? nb * CORE_BATCH_CAP : d.rows;
    int64_t tn = run_ref_naive_slide(&d, c.keys, nrows, &chk);
    int64_t trn = nb == d.nb ? tr : run_op(make_slide_range, &d, (int)nb, 3, &out);
    char what[96];
    snprintf(what, sizeof what, "reference: naive recompute RANGE 10 s (%" PRId64 " rows)", nrows);
    line(what, nrows, tn);
    if (nb != d.nb) {
      snprintf(what, sizeof what, "slide operator, RANGE 10 s (same %" PRId64 " rows)", nrows);
      line(what, nrows, trn);
    }
    printf("  incremental gain over naive %.1fx (frames of about %" PRId64 " rows)\n",
           (double)tn / (double)trn, c.rate * 10 / c.keys);
  }
  if (RUN("stagger")) {
    printf("(c) stagger 10 s per key: COUNT(*), SUM, MIN, MAX\n");
    int64_t ts = run_op(make_stagger, &d, d.nb, 3, &out);
    if (ts < 0) rc = 1;
    line("stagger operator", d.rows, ts);
    line("reference: hash the keys only (floor)", d.rows, th);
    printf("  ratio operator/floor %.2f  (%" PRId64 " windows out)\n", (double)th / (double)ts,
           out);
  }
  if (chk == 42) printf(" \n"); /* keeps the references' work observable */
  free_data(&d);
  return (int)rc;
}

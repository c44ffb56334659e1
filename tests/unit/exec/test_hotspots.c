/*
 * test_hotspots.c — HOTSPOTS (exec/tablefn_hotspots.c).
 *
 * Exact JSON for hand-made windows (clusters with border points, noise, eviction, the
 * density of a flat box, the parameter edges minPts = 2 and = windowSize, a distance of
 * exactly scanRadius, NULL coordinates, the length limit of the result column); planted
 * dense blobs in a uniform background (seed printed) are found with bounds around them
 * and nothing else; every row of random streams (2-D, 4-D beyond the grid's 3, integer
 * 1-D with ties) equals a brute-force O(n^2) DBSCAN of the same window; the arguments'
 * checks; rows and bounds pass through.
 */
#include <math.h>

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

/* ------------------------------------------------------- the result JSON -- */

#define MAXD 8
#define MAXSPOTS 200

typedef struct spot {
  double density;
  double lo[MAXD], hi[MAXD];
} spot;

static bool lit(const char **p, const char *s) {
  size_t n = strlen(s);
  if (strncmp(*p, s, n) != 0) return false;
  *p += n;
  return true;
}

static bool num(const char **p, double *out) {
  char *end;
  *out = strtod(*p, &end);
  if (end == *p) return false;
  *p = end;
  return true;
}

static bool values(const char **p, int d, double *v) {
  if (!lit(p, "[")) return false;
  for (int i = 0; i < d; i++)
    if ((i && !lit(p, ",")) || !num(p, &v[i])) return false;
  return lit(p, "]");
}

/* Parses exactly {"hotspots":[{"density":n,"minValues":[..d..],"maxValues":[..d..]},...]};
 * the number of hotspots, or -1 when the text has any other shape. */
static int parse_result(const char *s, int d, spot *out) {
  const char *p = s;
  if (!lit(&p, "{\"hotspots\":[")) return -1;
  int n = 0;
  while (*p == '{' || (n && *p == ',')) {
    if (n && !lit(&p, ",")) return -1;
    if (n == MAXSPOTS) return -1;
    spot *sp = &out[n++];
    if (!lit(&p, "{\"density\":") || !num(&p, &sp->density) || !lit(&p, ",\"minValues\":") ||
        !values(&p, d, sp->lo) || !lit(&p, ",\"maxValues\":") || !values(&p, d, sp->hi) ||
        !lit(&p, "}"))
      return -1;
  }
  if (!lit(&p, "]}") || *p) return -1;
  return n;
}

/* The HOTSPOTS_RESULT of captured line i (the text after the last '|'). */
static const char *result_of(const capture *c, int i) {
  const char *bar = strrchr(c->lines[i], '|');
  assert_non_null(bar);
  return bar + 1;
}

/* The capture of window_test.h with string values of any length (the JSON can be long):
 * its push replaced by this one. */
static int full_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  (void)err;
  capture *c = (capture *)op;
  int live = core_batch_live(b);
  c->batches++;
  for (int k = 0; k < live; k++) {
    int r = core_batch_row(b, k);
    size_t cap = 256, o = 0;
    for (int col = 0; col < b->ncols; col++)
      if (core_type_is_string(b->cols[col].type.id)) cap += b->cols[col].u.s[r].n;
    char *line = malloc(cap + 64 * (size_t)b->ncols), v[512];
    assert_non_null(line);
    o = core_timestamp_format(b->rowtime[r], line);
    for (int col = 0; col < b->ncols; col++) {
      const core_vec *cv = &b->cols[col];
      line[o++] = '|';
      if (core_type_is_string(cv->type.id) && !cv->null[r]) {
        memcpy(line + o, cv->u.s[r].p, cv->u.s[r].n);
        o += cv->u.s[r].n;
      } else {
        core_value x;
        core_vec_get(cv, r, &x);
        size_t n = core_value_format(&x, v, sizeof v);
        memcpy(line + o, v, n);
        o += n;
      }
    }
    line[o] = '\0';
    cap_add(c, line);
    free(line);
  }
  return SLUICE_OK;
}

static capture *full_cap_new(void) {
  capture *c = cap_new();
  c->op.push = full_push;
  return c;
}

/* ---------------------------------------------------------------- rig -- */

typedef struct rig {
  exec_ctx ctx;
  errlog errs;
  capture *cap;
  exec_op *op;
  core_batch *in;
  int ncols;
  core_type types[MAXD + 2];
  const char *names[MAXD + 2];
  core_type out_types[MAXD + 3];
  const char *out_names[MAXD + 3];
  core_value args[3];
} rig;

/* HOTSPOTS over columns of the given types (names C0, C1, ...); result length `len`. */
static exec_op *rig_make(rig *r, int ncols, const core_type *types, core_value window,
                         core_value radius, core_value minpts, int len, core_error *e) {
  memset(r, 0, sizeof *r);
  static const char *names[] = {"C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"};
  r->ctx.row_error = log_row_error;
  r->ctx.arg = &r->errs;
  r->ncols = ncols;
  for (int i = 0; i < ncols; i++) {
    r->types[i] = r->out_types[i] = types[i];
    r->names[i] = r->out_names[i] = names[i];
  }
  r->out_types[ncols] = (core_type){.id = CORE_T_VARCHAR, .precision = len};
  r->out_names[ncols] = "HOTSPOTS_RESULT";
  r->args[0] = window;
  r->args[1] = radius;
  r->args[2] = minpts;
  exec_tablefn_config c = {.fn = fn_lookup("HOTSPOTS"),
                           .ninput = ncols,
                           .input_types = r->types,
                           .input_names = r->names,
                           .nargs = 3,
                           .args = r->args,
                           .nout = ncols + 1,
                           .out_types = r->out_types,
                           .out_names = r->out_names};
  assert_non_null(c.fn);
  memset(e, 0, sizeof *e);
  return exec_tablefn_new(&r->ctx, &c, e);
}

static core_value vint(int64_t v) {
  core_value x = {.type = ty(CORE_T_INTEGER)};
  x.u.i = v;
  return x;
}
static core_value vdouble(double v) {
  core_value x = {.type = ty(CORE_T_DOUBLE)};
  x.u.d = v;
  return x;
}

static void rig_init_len(rig *r, int ncols, const core_type *types, int w, double radius,
                         int minpts, int len) {
  core_error e;
  exec_op *op = rig_make(r, ncols, types, vint(w), vdouble(radius), vint(minpts), len, &e);
  if (!op) print_message("exec_tablefn_new: %s\n", e.message);
  assert_non_null(op);
  r->op = op;
  r->cap = full_cap_new();
  r->op->next = &r->cap->op;
  r->in = core_batch_new(ncols, r->types, CORE_BATCH_CAP);
  assert_non_null(r->in);
}

static void rig_init(rig *r, int ncols, const core_type *types, int w, double radius, int minpts) {
  rig_init_len(r, ncols, types, w, radius, minpts, 10000);
}

static void rig_free(rig *r) {
  exec_op_free(r->op);
  exec_op_free(&r->cap->op);
  core_batch_free(r->in);
}

/* Pushes one 2-D point (and its label) as its own batch; returns its result JSON. */
static const char *put_xy(rig *r, int64_t t, tv x, tv y) {
  add_row(r->in, t, x, y, S("p"));
  push(r->op, r->in);
  return result_of(r->cap, r->cap->n - 1);
}

static const core_type XY[] = {
    {.id = CORE_T_DOUBLE}, {.id = CORE_T_DOUBLE}, {.id = CORE_T_VARCHAR, .precision = 8}};

/* ------------------------------------------------------- exact windows -- */

/* A chain of 5 points 0.3 apart (radius 0.5, minPts 3: the middle three are core, the
 * ends border points), a tight triangle (all core), two noise points; then far points
 * push everything out of the 100-row window. */
static void test_exact_clusters_and_eviction(void **state) {
  (void)state;
  rig r;
  rig_init(&r, 3, XY, 100, 0.5, 3);
  const char *none = "{\"hotspots\":[]}";
  assert_string_equal(put_xy(&r, 1, D(5), D(5)), none); /* noise */
  assert_string_equal(put_xy(&r, 2, D(0), D(0)), none);
  assert_string_equal(put_xy(&r, 3, D(0.3), D(0)), none);
  /* the third point within reach makes (0.3, 0) core: all three form a hotspot; the
   * box is 0.6 x 0 -> 0.6 x 0.5 (a side is at least the radius): 3 / 0.3 = 10 */
  assert_string_equal(
      put_xy(&r, 4, D(0.6), D(0)),
      "{\"hotspots\":[{\"density\":10,\"minValues\":[0,0],\"maxValues\":[0.6,0]}]}");
  put_xy(&r, 5, D(0.9), D(0));
  assert_string_equal(put_xy(&r, 6, D(1.2), D(0)),
                      "{\"hotspots\":[{\"density\":8.333333333333334,\"minValues\":[0,0],"
                      "\"maxValues\":[1.2,0]}]}");
  put_xy(&r, 7, D(10), D(10));
  put_xy(&r, 8, D(10.1), D(10));
  /* the triangle: 3 / (0.5 x 0.5) = 12, denser, first */
  const char *both =
      "{\"hotspots\":[{\"density\":12,\"minValues\":[10,10],\"maxValues\":[10.1,10.1]},"
      "{\"density\":8.333333333333334,\"minValues\":[0,0],\"maxValues\":[1.2,0]}]}";
  assert_string_equal(put_xy(&r, 9, D(10), D(10.1)), both);
  assert_string_equal(put_xy(&r, 10, D(20), D(20)), both); /* noise changes nothing */
  /* 90 more far points fill the window (100 rows) */
  for (int i = 0; i < 90; i++) {
    const char *res = put_xy(&r, 11 + i, D(100 + i), D(100));
    assert_string_equal(res, both);
  }
  /* the 101st row pushes out (5, 5): noise; the 102nd pushes out (0, 0): the chain's end
   * leaves, (0.3, 0) is a border point now */
  assert_string_equal(put_xy(&r, 200, D(300), D(0)), both);
  assert_string_equal(
      put_xy(&r, 201, D(302), D(0)),
      "{\"hotspots\":[{\"density\":12,\"minValues\":[10,10],\"maxValues\":[10.1,10.1]},"
      "{\"density\":8.88888888888889,\"minValues\":[0.3,0],\"maxValues\":[1.2,0]}]}");
  for (int i = 0; i < 3; i++) put_xy(&r, 202 + i, D(304 + 2 * i), D(0));
  /* (0.3, 0), (0.6, 0), (0.9, 0) gone: (1.2, 0) alone */
  assert_string_equal(
      put_xy(&r, 205, D(310), D(0)),
      "{\"hotspots\":[{\"density\":12,\"minValues\":[10,10],\"maxValues\":[10.1,10.1]}]}");
  for (int i = 0; i < 3; i++) put_xy(&r, 206 + i, D(312 + 2 * i), D(0));
  assert_string_equal(put_xy(&r, 209, D(318), D(0)), none);
  /* every row passed through with its ROWTIME and columns */
  assert_int_equal(r.cap->n, 110);
  assert_true(strncmp(r.cap->lines[0], "1970-01-01 00:00:00.001|5|5|p|{", 31) == 0);
  assert_int_equal(r.errs.n, 0);
  rig_free(&r);
}

/* minPts = 2: any two points within the radius; a distance of exactly the radius counts. */
static void test_min_points_two_and_exact_radius(void **state) {
  (void)state;
  rig r;
  rig_init(&r, 3, XY, 100, 0.5, 2);
  assert_string_equal(put_xy(&r, 1, D(0), D(0)), "{\"hotspots\":[]}");
  assert_string_equal(put_xy(&r, 2, D(0.5), D(0)),
                      "{\"hotspots\":[{\"density\":8,\"minValues\":[0,0],\"maxValues\":[0.5,0]}]}");
  assert_string_equal(put_xy(&r, 3, D(3), D(3.5000000000000004)),
                      "{\"hotspots\":[{\"density\":8,\"minValues\":[0,0],\"maxValues\":[0.5,0]}]}");
  assert_string_equal(put_xy(&r, 4, D(3), D(3)), /* 0.5000000000000004 apart: not neighbours */
                      "{\"hotspots\":[{\"density\":8,\"minValues\":[0,0],\"maxValues\":[0.5,0]}]}");
  rig_free(&r);
}

/* minPts = windowSize = 100: only a window whose 100 points are all within the radius of
 * one of them; identical points make a box of zero size, counted as radius x radius. */
static void test_min_points_equal_to_window(void **state) {
  (void)state;
  rig r;
  rig_init(&r, 3, XY, 100, 0.5, 100);
  for (int i = 0; i < 99; i++) assert_string_equal(put_xy(&r, i, D(1), D(2)), "{\"hotspots\":[]}");
  assert_string_equal(put_xy(&r, 99, D(1), D(2)),
                      "{\"hotspots\":[{\"density\":400,\"minValues\":[1,2],\"maxValues\":[1,2]}]}");
  assert_string_equal(put_xy(&r, 100, D(9), D(9)), "{\"hotspots\":[]}");
  rig_free(&r);
}

/* A row with a NULL coordinate passes with the current hotspots and does not enter the
 * window; integer and REAL coordinates; a text column passes through untouched. */
static void test_nulls_and_column_types(void **state) {
  (void)state;
  core_type types[] = {
      {.id = CORE_T_VARCHAR, .precision = 8}, {.id = CORE_T_BIGINT}, {.id = CORE_T_REAL}};
  rig r;
  rig_init(&r, 3, types, 100, 1.0, 2);
  add_row(r.in, 1, S("a"), I(1), D(0.5));
  add_row(r.in, 2, S("b"), NUL, D(0.5));
  add_row(r.in, 3, S("c"), I(2), D(0.5));
  add_row(r.in, 4, S("d"), I(7), NUL);
  add_row(r.in, 5, S("e"), I(2), D(INFINITY));
  push(r.op, r.in);
  const char *one = "{\"hotspots\":[{\"density\":2,\"minValues\":[1,0.5],\"maxValues\":[2,0.5]}]}";
  char want[5][256];
  snprintf(want[0], 256, "1970-01-01 00:00:00.001|a|1|0.5|{\"hotspots\":[]}");
  snprintf(want[1], 256, "1970-01-01 00:00:00.002|b|NULL|0.5|{\"hotspots\":[]}");
  snprintf(want[2], 256, "1970-01-01 00:00:00.003|c|2|0.5|%s", one);
  snprintf(want[3], 256, "1970-01-01 00:00:00.004|d|7|NULL|%s", one);
  snprintf(want[4], 256, "1970-01-01 00:00:00.005|e|2|inf|%s", one);
  for (int i = 0; i < 5; i++) assert_string_equal(r.cap->lines[i], want[i]);
  bound(r.op, 77);
  assert_string_equal(r.cap->lines[5], "bound 1970-01-01 00:00:00.077");
  rig_free(&r);
}

/* The result column's length: hotspots that would not fit are left out, least dense
 * first, and the text stays valid JSON. */
static void test_result_length_limit(void **state) {
  (void)state;
  rig r;
  rig_init_len(&r, 3, XY, 100, 0.5, 2, 150);
  put_xy(&r, 1, D(0), D(0));
  put_xy(&r, 2, D(0.1), D(0)); /* 2 / 0.25 = 8 */
  put_xy(&r, 3, D(5), D(5));
  put_xy(&r, 4, D(5), D(5)); /* 8 as well, fewer... equal: found later, listed later */
  put_xy(&r, 5, D(9), D(9));
  put_xy(&r, 6, D(9), D(9));
  const char *res = put_xy(&r, 7, D(9), D(9)); /* 3 points: 12, first */
  spot s[MAXSPOTS];
  int n = parse_result(res, 2, s);
  assert_int_equal(n, 2);
  assert_true(strlen(res) <= 150);
  assert_string_equal(res,
                      "{\"hotspots\":[{\"density\":12,\"minValues\":[9,9],\"maxValues\":[9,9]},"
                      "{\"density\":8,\"minValues\":[0,0],\"maxValues\":[0.1,0]}]}");
  rig_free(&r);
}

/* --------------------------------------------------------- planted blobs -- */

/* The spec 8.18 setting: a 10 x 10 field of uniform points, windowSize 1000, scanRadius
 * 0.2, minPts 17; three 0.5 x 0.5 squares receive 9 % of the points each. Once the window
 * is full, every result must list exactly three hotspots, each inside one square widened
 * by two radii and holding at least 90 % of that square's points in the window. */
static void test_planted_blobs_are_found(void **state) {
  (void)state;
  seed_rng("test_planted_blobs_are_found");
  rig r;
  rig_init(&r, 3, XY, 1000, 0.2, 17);
  double bx[3], by[3];
  for (int b = 0; b < 3; b++) { /* corners on a coarse grid, far apart */
    bx[b] = 1 + 3 * b + rnd01();
    by[b] = 1 + 8 * rnd01();
  }
  enum { N = 4000 };
  double *xs = malloc(sizeof(double) * N), *ys = malloc(sizeof(double) * N);
  int *blob = malloc(sizeof(int) * N);
  for (int i = 0; i < N; i++) {
    double u = rnd01();
    blob[i] = u < 0.09 ? 0 : u < 0.18 ? 1 : u < 0.27 ? 2 : -1;
    if (blob[i] >= 0) {
      xs[i] = bx[blob[i]] + 0.5 * rnd01();
      ys[i] = by[blob[i]] + 0.5 * rnd01();
    } else {
      xs[i] = 10 * rnd01();
      ys[i] = 10 * rnd01();
    }
    add_row(r.in, i, D(xs[i]), D(ys[i]), S(blob[i] >= 0 ? "Y" : "N"));
    if (r.in->n == r.in->cap) push(r.op, r.in);
  }
  push(r.op, r.in);
  assert_int_equal(r.cap->n, N);
  double worst = 1;
  for (int i = 999; i < N; i += 50) {
    spot s[MAXSPOTS];
    int n = parse_result(result_of(r.cap, i), 2, s);
    if (n != 3) print_message("row %d: %s\n", i, result_of(r.cap, i));
    assert_int_equal(n, 3);
    bool used[3] = {false, false, false};
    for (int b = 0; b < 3; b++) {
      int in_window = 0, covered = 0, k = -1;
      for (int j = 0; j < 3; j++) /* the hotspot inside this square, widened by 2 radii */
        if (s[j].lo[0] >= bx[b] - 0.4 && s[j].hi[0] <= bx[b] + 0.9 && s[j].lo[1] >= by[b] - 0.4 &&
            s[j].hi[1] <= by[b] + 0.9)
          k = j;
      assert_true(k >= 0 && !used[k]);
      used[k] = true;
      for (int p = i - 999; p <= i; p++) {
        if (blob[p] != b) continue;
        in_window++;
        covered += xs[p] >= s[k].lo[0] && xs[p] <= s[k].hi[0] && ys[p] >= s[k].lo[1] &&
                   ys[p] <= s[k].hi[1];
      }
      double frac = (double)covered / in_window;
      if (frac < worst) worst = frac;
      assert_true(frac >= 0.9);
      assert_true(s[k].density > 100); /* ~90 points / 0.25: background is ~7 */
    }
  }
  print_message("  least covered share of a blob's points: %.3f\n", worst);
  free(xs);
  free(ys);
  free(blob);
  rig_free(&r);
}

/* ------------------------------------------------------ brute force -- */

typedef struct bf_spot {
  int id, n;
  double density;
  double lo[MAXD], hi[MAXD];
} bf_spot;

static int bf_cmp(const void *a, const void *b) {
  const bf_spot *x = a, *y = b;
  if (x->density != y->density) return x->density > y->density ? -1 : 1;
  if (x->n != y->n) return x->n > y->n ? -1 : 1;
  return x->id - y->id;
}

/* DBSCAN of pts[0..n) (oldest first) by definition: O(n^2), no index. */
static int brute_force(const double (*pts)[MAXD], int n, int d, double radius, int minpts,
                       bf_spot *out) {
  int *cnt = calloc((size_t)n, sizeof *cnt), *label = malloc(sizeof(int) * (size_t)n);
  int *queue = malloc(sizeof(int) * (size_t)n);
  bool *near = calloc((size_t)n * (size_t)n, 1);
  for (int i = 0; i < n; i++) {
    label[i] = -1;
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int k = 0; k < d; k++) s += (pts[i][k] - pts[j][k]) * (pts[i][k] - pts[j][k]);
      near[i * n + j] = s <= radius * radius;
      cnt[i] += near[i * n + j]; /* itself included */
    }
  }
  int ns = 0;
  for (int i = 0; i < n; i++) {
    if (label[i] >= 0 || cnt[i] < minpts) continue;
    bf_spot *sp = &out[ns];
    sp->id = ns;
    sp->n = 0;
    int head = 0, tail = 0;
    label[i] = ns;
    queue[tail++] = i;
    while (head < tail) {
      int p = queue[head++];
      if (sp->n++ == 0)
        memcpy(sp->lo, pts[p], sizeof sp->lo), memcpy(sp->hi, pts[p], sizeof sp->hi);
      for (int k = 0; k < d; k++)
        sp->lo[k] = fmin(sp->lo[k], pts[p][k]), sp->hi[k] = fmax(sp->hi[k], pts[p][k]);
      if (cnt[p] < minpts) continue; /* a border point does not extend the hotspot */
      for (int q = 0; q < n; q++)
        if (near[p * n + q] && label[q] < 0) label[q] = ns, queue[tail++] = q;
    }
    long double vol = 1;
    for (int k = 0; k < d; k++) vol *= fmax(sp->hi[k] - sp->lo[k], radius);
    sp->density = (double)((long double)sp->n / vol);
    ns++;
  }
  qsort(out, (size_t)ns, sizeof *out, bf_cmp);
  free(cnt);
  free(label);
  free(queue);
  free(near);
  return ns;
}

/* Random streams with clusters, compared row by row with the brute force: the window's
 * adjacency, core counts and evictions must stay exact through thousands of updates. */
static void differential(int d, bool integers, double radius, int minpts, double spread, int rows) {
  core_type types[MAXD];
  for (int i = 0; i < d; i++) types[i] = ty(integers ? CORE_T_INTEGER : CORE_T_DOUBLE);
  rig r;
  rig_init(&r, d, types, 100, radius, minpts);
  double(*pts)[MAXD] = calloc((size_t)rows, sizeof *pts);
  bool *null = calloc((size_t)rows, 1);
  double centre[4][MAXD];
  for (int c = 0; c < 4; c++)
    for (int k = 0; k < d; k++) centre[c][k] = integers ? (double)(rnd() % 20) : 10 * rnd01();
  for (int i = 0; i < rows; i++) {
    int c = (int)(rnd() % 6); /* 4 of 6: near a centre (which drifts), else anywhere */
    if (i % 150 == 0) centre[rnd() % 4][0] += integers ? 3 : 1.5;
    null[i] = rnd() % 40 == 0;
    for (int k = 0; k < d; k++) {
      double v = c < 4 ? centre[c][k] + (rnd01() - 0.5) * spread : 10 * rnd01();
      pts[i][k] = integers ? floor(v) : v;
    }
    core_batch *b = r.in;
    int row = b->n++;
    b->rowtime[row] = i;
    for (int k = 0; k < d; k++) {
      b->cols[k].null[row] = null[i] && k == d - 1;
      if (integers)
        b->cols[k].u.i[row] = (int64_t)pts[i][k];
      else
        b->cols[k].u.d[row] = pts[i][k];
    }
    if (b->n == 37) push(r.op, b); /* odd batch sizes */
  }
  push(r.op, r.in);
  assert_int_equal(r.cap->n, rows);
  double(*win)[MAXD] = calloc(100, sizeof *win);
  bf_spot *want = calloc(100, sizeof *want);
  spot got[MAXSPOTS];
  int total = 0;
  for (int i = 0; i < rows; i++) {
    int n = 0;
    for (int j = i, seen = 0; j >= 0 && seen < 100; j--)
      if (!null[j]) seen++, n++;
    for (int j = i, k = n; j >= 0 && k > 0; j--)
      if (!null[j]) memcpy(win[--k], pts[j], sizeof pts[j]);
    int nw = brute_force((const double(*)[MAXD])win, n, d, radius, minpts, want);
    int ng = parse_result(result_of(r.cap, i), d, got);
    if (ng != nw) print_message("row %d: got %s, want %d hotspots\n", i, result_of(r.cap, i), nw);
    assert_int_equal(ng, nw);
    for (int s = 0; s < nw; s++) {
      assert_true(fabs(got[s].density - want[s].density) <= 1e-12 * want[s].density);
      for (int k = 0; k < d; k++) {
        assert_true(got[s].lo[k] == want[s].lo[k]);
        assert_true(got[s].hi[k] == want[s].hi[k]);
      }
    }
    total += nw;
  }
  print_message("  d=%d%s: %d rows, %d hotspots compared\n", d, integers ? " (integers)" : "", rows,
                total);
  free(win);
  free(want);
  free(pts);
  free(null);
  rig_free(&r);
}

static void test_differential_brute_force(void **state) {
  (void)state;
  seed_rng("test_differential_brute_force");
  differential(2, false, 0.4, 5, 1.6, 1500);
  differential(4, false, 1.0, 4, 2.0, 1500); /* beyond the grid's 3 dimensions */
  differential(1, true, 1.0, 6, 4.0, 1500);  /* many ties and flat boxes */
  differential(3, true, 1.5, 8, 3.0, 800);
}

/* ----------------------------------------------------------- arguments -- */

static void test_arguments(void **state) {
  (void)state;
  rig r;
  core_error e;
  const core_type two[] = {{.id = CORE_T_DOUBLE}, {.id = CORE_T_VARCHAR, .precision = 4}};
  assert_null(rig_make(&r, 2, two, vint(100), vdouble(0), vint(2), 10000, &e));
  assert_string_equal(e.message, "the scan radius of HOTSPOTS must be greater than 0");
  assert_null(rig_make(&r, 2, two, vint(100), vdouble(-1), vint(2), 10000, &e));
  assert_null(rig_make(&r, 2, two, vint(100), vdouble(NAN), vint(2), 10000, &e));
  assert_null(rig_make(&r, 2, two, vint(99), vdouble(1), vint(2), 10000, &e));
  assert_string_equal(e.message,
                      "the window size of HOTSPOTS must be an integer between 100 and 1000");
  assert_null(rig_make(&r, 2, two, vint(1001), vdouble(1), vint(2), 10000, &e));
  assert_null(rig_make(&r, 2, two, vint(100), vdouble(1), vint(1), 10000, &e));
  assert_string_equal(e.message, "the minimum number of points of HOTSPOTS must be an integer "
                                 "between 2 and the window size");
  assert_null(rig_make(&r, 2, two, vint(100), vdouble(1), vint(101), 10000, &e));
  const core_type text[] = {{.id = CORE_T_VARCHAR, .precision = 4}};
  assert_null(rig_make(&r, 1, text, vint(100), vdouble(1), vint(2), 10000, &e));
  assert_string_equal(e.message, "HOTSPOTS needs between 1 and 30 numeric columns");
  const core_type dec[] = {{.id = CORE_T_DECIMAL, .precision = 5, .scale = 2}};
  assert_null(rig_make(&r, 1, dec, vint(100), vdouble(1), vint(2), 10000, &e));
  assert_string_equal(e.message, "HOTSPOTS does not accept DECIMAL column \"C0\"");
  /* the extremes: windowSize 1000 with minPts 1000 */
  exec_op *op = rig_make(&r, 2, two, vint(1000), vdouble(1), vint(1000), 10000, &e);
  assert_non_null(op);
  exec_op_free(op);
  /* a DECIMAL literal radius: 0.2 is 2 at scale 1 */
  core_value radius = {.type = {.id = CORE_T_DECIMAL, .precision = 2, .scale = 1}};
  radius.u.dec = 2;
  op = rig_make(&r, 2, two, vint(100), radius, vint(2), 10000, &e);
  assert_non_null(op);
  capture *cap = full_cap_new();
  op->next = &cap->op;
  core_batch *b = core_batch_new(2, two, CORE_BATCH_CAP);
  add_row(b, 1, D(0), S("a"));
  add_row(b, 2, D(0.2), S("b")); /* 0.2 apart: neighbours */
  add_row(b, 3, D(5), S("c"));
  add_row(b, 4, D(5.21), S("d")); /* 0.21 apart: not */
  push(op, b);
  const char *one = "{\"hotspots\":[{\"density\":10,\"minValues\":[0],\"maxValues\":[0.2]}]}";
  assert_string_equal(result_of(cap, 1), one);
  assert_string_equal(result_of(cap, 3), one);
  core_batch_free(b);
  exec_op_free(op);
  exec_op_free(&cap->op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exact_clusters_and_eviction),
      cmocka_unit_test(test_min_points_two_and_exact_radius),
      cmocka_unit_test(test_min_points_equal_to_window),
      cmocka_unit_test(test_nulls_and_column_types),
      cmocka_unit_test(test_result_length_limit),
      cmocka_unit_test(test_planted_blobs_are_found),
      cmocka_unit_test(test_differential_brute_force),
      cmocka_unit_test(test_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

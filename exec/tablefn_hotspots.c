/*
 * tablefn_hotspots.c — HOTSPOTS(CURSOR(q), windowSize, scanRadius, minimumNumberOfPoints)
 * (spec 5.2, 7.1, 8.18): dense regions among the last windowSize rows.
 *
 * Every row passes through with one more column, HOTSPOTS_RESULT, and its own ROWTIME.
 * The numeric columns of the cursor, in cursor order, are the coordinates of a point;
 * the other columns only pass through. The row's point enters a sliding window of the
 * last windowSize points (the oldest leaves), then the hotspots of the window are
 * computed with DBSCAN's density rule, scanRadius as its epsilon:
 *   - two points are neighbours when their Euclidean distance is <= scanRadius;
 *   - a point is a core point when it has at least minimumNumberOfPoints - 1
 *     neighbours (with itself, minimumNumberOfPoints points within the radius);
 *   - core points that are neighbours belong to one hotspot, and so does every point
 *     that is a neighbour of one of its core points (a point within reach of two
 *     hotspots joins the one found first, scanning core points oldest first);
 *   - points in no hotspot are noise.
 * HOTSPOTS_RESULT is the JSON of every hotspot of the window after the row entered it
 * ([IMPL]: all current hotspots, as the AWS visualiser reads them, not only the row's):
 *   {"hotspots":[{"density":d,"minValues":[...],"maxValues":[...]},...]}
 * minValues / maxValues: the bounding box of the hotspot's points, one entry per numeric
 * column; density: points / the box's volume, each side at least scanRadius long
 * ([IMPL]: a flat side, such as one integer value, would otherwise make it infinite).
 * Hotspots are listed by density, highest first (then more points first). Numbers are
 * written in the shortest form that reads back as the same double. [IMPL] When the JSON
 * would not fit the output column (VARCHAR(10000)) the least dense hotspots are left
 * out, so the text stays valid JSON. Before the window is full, the hotspots of the rows
 * so far. A row with a NULL (or infinite, NaN) coordinate does not enter the window and
 * gets the current hotspots ([IMPL]).
 *
 * Cost. Points are indexed in a hash grid whose cells are scanRadius wide over the first
 * min(d, 3) coordinates, so a point's neighbours are among the points of the 3^min(d,3)
 * cells around it. Each point keeps its number of neighbours, updated when a point
 * enters or leaves (O(points in those cells)). The hotspots are recomputed only when the
 * row changed something: a point that enters or leaves while neither it nor any of its
 * neighbours is a core point changes no hotspot, and the previous row's JSON is reused.
 * A recomputation grows each hotspot from core point to core point, looking at the
 * points of the cells around each one that are not yet in a hotspot; points drop out of
 * their cell's list of candidates once taken, and a core point at the coordinates of
 * one already expanded (integer data) is not expanded again, so a dense region costs
 * about one pass over its points rather than one per pair of neighbours: O(window +
 * cells x 3^min(d,3)) plus the distance checks against points that stay outside (noise
 * next to a hotspot).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

#define HS_GRID_DIMS 3
#define HS_MAX_OFFSETS 27           /* 3^HS_GRID_DIMS cells around a point */
#define HS_JSON_DEFAULT_LIMIT 65535 /* a result column without a length */
#ifdef NDEBUG
#define HS_VERIFY 0
#else
#define HS_VERIFY 1 /* debug builds check the window every 1024 points */
#endif

typedef struct hs_point {
  int32_t nb;         /* points of the window within the radius, itself not counted */
  int32_t prev, next; /* in its cell's list (-1 ends it) */
  int64_t cc[HS_GRID_DIMS];
  /* scratch of find_hotspots, valid when gen is the computation's */
  uint32_t gen;
  int32_t label; /* hotspot id, -1: none */
  int32_t cell;  /* its cell's table entry */
  int32_t pos;   /* its index in order[] */
} hs_point;

typedef struct hs_cell {
  int64_t cc[HS_GRID_DIMS];
  int32_t head; /* first point's slot; -1: the table entry is free */
} hs_cell;

/* Scratch of find_hotspots per cell table entry, made when the computation first needs
 * the cell (gen): the cell's points are order[start ..), those not yet in a hotspot
 * first (nun of them); its occupied neighbour cells (itself included) are
 * nbcells[nb_first .. + nb_count), -1: not yet looked up. */
typedef struct hs_seg {
  uint32_t gen;
  int32_t start, nun, nb_first, nb_count;
} hs_seg;

typedef struct hs_spot {
  int32_t id;
  int32_t n;
  double density;
} hs_spot;

typedef struct hotspots {
  exec_op op;
  int ninput;
  int d;     /* coordinates */
  int *dims; /* [d]: their input columns */
  int g;     /* grid dimensions: min(d, HS_GRID_DIMS) */
  int noff;  /* 3^g */
  int8_t off[HS_MAX_OFFSETS][HS_GRID_DIMS];
  int w, minpts;
  double radius, r2, cell;

  uint64_t seq; /* points entered so far */
  int count;    /* points in the window */
  hs_point *pts;
  double *xy; /* [w * d] */
  hs_cell *cells;
  uint32_t cmask;

  /* the hotspots of the window */
  int32_t *order; /* [w] */
  int32_t norder;
  hs_seg *seg;      /* [cmask + 1] */
  int32_t *nbcells; /* [HS_MAX_OFFSETS * w] */
  int32_t nnb;
  int32_t *queue; /* [w] */
  /* points expanded in this computation, by coordinates: a duplicate of one (integer data)
   * has the same neighbours and is not expanded again */
  int32_t *dup_slot; /* [dmask + 1] */
  uint32_t *dup_gen;
  uint32_t dmask;
  uint32_t gen;   /* the computation: stamps the scratch above, so none is cleared */
  hs_spot *spots; /* [w] */
  int nspots;
  double *lo, *hi; /* [w * d] by hotspot id */
  char *json;
  size_t jlen, jcap, jlimit;

  core_batch *out;
  int result_col;
  core_str heap_json; /* this batch's copy of json */
  bool heap_valid;
} hotspots;

static bool hs_core(const hotspots *h, int s) {
  return h->pts[s].nb + 1 >= h->minpts;
}

static const double *hs_xy(const hotspots *h, int s) {
  return &h->xy[(size_t)s * (size_t)h->d];
}

/* ------------------------------------------------------------- the grid -- */

static uint64_t cell_hash(const int64_t *cc, int g) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < g; i++) {
    x ^= (uint64_t)cc[i] + 0x9E3779B97F4A7C15ULL + (x << 6) + (x >> 2);
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 31;
  }
  return x;
}

static bool cell_eq(const int64_t *a, const int64_t *b, int g) {
  for (int i = 0; i < g; i++)
    if (a[i] != b[i]) return false;
  return true;
}

/* The table entry of cell cc, or the free entry where it would go. */
static uint32_t cell_find(const hotspots *h, const int64_t *cc) {
  uint32_t i = (uint32_t)cell_hash(cc, h->g) & h->cmask;
  while (h->cells[i].head >= 0 && !cell_eq(h->cells[i].cc, cc, h->g)) i = (i + 1) & h->cmask;
  return i;
}

/* Frees entry i, moving later entries of its probe run back (no tombstones). */
static void cell_delete(hotspots *h, uint32_t i) {
  for (;;) {
    h->cells[i].head = -1;
    uint32_t j = i;
    for (;;) {
      j = (j + 1) & h->cmask;
      if (h->cells[j].head < 0) return;
      uint32_t k = (uint32_t)cell_hash(h->cells[j].cc, h->g) & h->cmask;
      bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!stays) break;
    }
    h->cells[i] = h->cells[j];
    i = j;
  }
}

static int64_t cell_coord(double x, double cell) {
  double q = floor(x / cell);
  const double lim = 4611686018427387904.0; /* 2^62: far cells merge, which only widens */
  if (!(q < lim)) return INT64_C(4611686018427387904);
  if (!(q > -lim)) return -INT64_C(4611686018427387904);
  return (int64_t)q;
}

/* The cell of point s shifted by offset o. */
static void cell_around(const hotspots *h, const int64_t *cc, int o, int64_t *out) {
  for (int i = 0; i < h->g; i++) out[i] = cc[i] + h->off[o][i];
}

/* ---------------------------------------------------------- the window -- */

static double dist2(const double *a, const double *b, int d) {
  double s = 0;
  for (int i = 0; i < d; i++) {
    double t = a[i] - b[i];
    s += t * t;
  }
  return s;
}

/*
 * Adds delta (+1 or -1) to the neighbour counts of point s and of every point within the
 * radius of it (s itself must not be in the grid). True when s or one of them is a core
 * point: after the change when a point enters, before it when one leaves, so the answer
 * says whether a hotspot can change.
 */
static bool hs_count(hotspots *h, int s, int delta) {
  const double *x = hs_xy(h, s);
  hs_point *p = &h->pts[s];
  bool near_core = false;
  for (int o = 0; o < h->noff; o++) {
    int64_t cc[HS_GRID_DIMS];
    cell_around(h, p->cc, o, cc);
    uint32_t c = cell_find(h, cc);
    for (int q = h->cells[c].head; q >= 0; q = h->pts[q].next) {
      if (dist2(x, hs_xy(h, q), h->d) > h->r2) continue;
      if (delta < 0) near_core |= hs_core(h, q);
      h->pts[q].nb += delta;
      p->nb += delta;
      if (delta > 0) near_core |= hs_core(h, q);
    }
  }
  return near_core || (delta > 0 && hs_core(h, s));
}

/* Takes the point in slot s out of the window; *changed when a hotspot may change. */
static void hs_evict(hotspots *h, int s, bool *changed) {
  hs_point *p = &h->pts[s];
  bool was_core = hs_core(h, s);
  if (p->prev >= 0) {
    h->pts[p->prev].next = p->next;
  } else {
    uint32_t c = cell_find(h, p->cc);
    h->cells[c].head = p->next;
    if (p->next < 0) cell_delete(h, c);
  }
  if (p->next >= 0) h->pts[p->next].prev = p->prev;
  *changed |= hs_count(h, s, -1) || was_core;
  h->count--;
}

/* Puts the point already written to xy[s] into the window. */
static void hs_insert(hotspots *h, int s, bool *changed) {
  hs_point *p = &h->pts[s];
  const double *x = hs_xy(h, s);
  for (int i = 0; i < h->g; i++) p->cc[i] = cell_coord(x[i], h->cell);
  p->nb = 0;
  *changed |= hs_count(h, s, +1);
  uint32_t c = cell_find(h, p->cc);
  if (h->cells[c].head < 0) memcpy(h->cells[c].cc, p->cc, sizeof p->cc);
  p->prev = -1;
  p->next = h->cells[c].head;
  if (p->next >= 0) h->pts[p->next].prev = s;
  h->cells[c].head = s;
  h->count++;
}

static int hs_slot(const hotspots *h, int k) { /* the k-th oldest point */
  return (int)((h->seq - (uint64_t)h->count + (uint64_t)k) % (uint64_t)h->w);
}

/* Walks the window and aborts with file and line when its structure is broken: the
 * cells' lists, and every neighbour count against a count by brute force. */
static void hs_verify(const hotspots *h) {
#define HS_CHECK(c)                                                                                \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: hotspots invariant failed: %s\n", __FILE__, __LINE__, #c);           \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)
  int listed = 0;
  for (uint32_t c = 0; c <= h->cmask; c++) {
    if (h->cells[c].head < 0) continue;
    HS_CHECK(cell_find(h, h->cells[c].cc) == c);
    int prev = -1;
    for (int q = h->cells[c].head; q >= 0; q = h->pts[q].next, listed++) {
      HS_CHECK(h->pts[q].prev == prev && cell_eq(h->pts[q].cc, h->cells[c].cc, h->g));
      prev = q;
    }
  }
  HS_CHECK(listed == h->count);
  for (int k = 0; k < h->count; k++) {
    int s = hs_slot(h, k), n = 0;
    for (int j = 0; j < h->count; j++)
      n += j != k && dist2(hs_xy(h, s), hs_xy(h, hs_slot(h, j)), h->d) <= h->r2;
    HS_CHECK(h->pts[s].nb == n);
  }
#undef HS_CHECK
}

/* --------------------------------------------------------- the hotspots -- */

static void spot_add_point(hotspots *h, int id, int s) {
  const double *x = hs_xy(h, s);
  double *lo = &h->lo[(size_t)id * (size_t)h->d], *hi = &h->hi[(size_t)id * (size_t)h->d];
  if (h->spots[id].n++ == 0) {
    memcpy(lo, x, sizeof *x * (size_t)h->d);
    memcpy(hi, x, sizeof *x * (size_t)h->d);
    return;
  }
  for (int i = 0; i < h->d; i++) {
    if (x[i] < lo[i]) lo[i] = x[i];
    if (x[i] > hi[i]) hi[i] = x[i];
  }
}

/* The scratch of cell entry c for this computation, made on first use. */
static hs_seg *seg_of(hotspots *h, int32_t c) {
  hs_seg *g = &h->seg[c];
  if (g->gen == h->gen) return g;
  g->gen = h->gen;
  g->start = h->norder;
  g->nb_first = -1;
  for (int q = h->cells[c].head; q >= 0; q = h->pts[q].next) {
    hs_point *pq = &h->pts[q];
    h->order[h->norder] = q;
    pq->pos = h->norder++;
    pq->cell = c;
    pq->gen = h->gen;
    pq->label = -1;
  }
  g->nun = h->norder - g->start;
  return g;
}

static int32_t label_of(const hotspots *h, int s) {
  return h->pts[s].gen == h->gen ? h->pts[s].label : -1;
}

/* Puts point q (its cell's scratch made) into hotspot id and out of its cell's points
 * without one. */
static void take(hotspots *h, int q, int id) {
  hs_point *pq = &h->pts[q];
  hs_seg *g = &h->seg[pq->cell];
  int last = g->start + --g->nun, other = h->order[last];
  h->order[pq->pos] = other;
  h->pts[other].pos = pq->pos;
  h->order[last] = q;
  pq->pos = last;
  pq->label = id;
  spot_add_point(h, id, q);
}

/* The occupied cells around cell entry c (itself included), looked up once per
 * computation. */
static const int32_t *cell_neighbours(hotspots *h, int32_t c, int *n) {
  hs_seg *g = seg_of(h, c);
  if (g->nb_first < 0) {
    g->nb_first = h->nnb;
    for (int o = 0; o < h->noff; o++) {
      int64_t cc[HS_GRID_DIMS];
      cell_around(h, h->cells[c].cc, o, cc);
      uint32_t e = cell_find(h, cc);
      if (h->cells[e].head >= 0) h->nbcells[h->nnb++] = (int32_t)e;
    }
    g->nb_count = h->nnb - g->nb_first;
  }
  *n = g->nb_count;
  return &h->nbcells[g->nb_first];
}

/* Adds to hotspot id the points without one within the radius of core point p; pushes
 * the core points among them. Only points not yet in a hotspot are looked at, so a
 * dense region is scanned about once, not once per core point. */
static void expand(hotspots *h, int p, int id, int *tail) {
  const double *x = hs_xy(h, p);
  int n;
  const int32_t *nb = cell_neighbours(h, h->pts[p].cell, &n);
  for (int k = 0; k < n; k++) {
    hs_seg *g = seg_of(h, nb[k]);
    for (int i = g->start; i < g->start + g->nun;) {
      int q = h->order[i];
      if (dist2(x, hs_xy(h, q), h->d) > h->r2) {
        i++;
        continue;
      }
      take(h, q, id); /* order[i] is now another point without a hotspot */
      if (hs_core(h, q)) h->queue[(*tail)++] = q;
    }
  }
}

/* True when a point with p's coordinates was expanded already in this computation;
 * else remembers p. */
static bool expanded_before(hotspots *h, int p) {
  const double *x = hs_xy(h, p);
  uint64_t k = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < h->d; i++) {
    uint64_t v;
    memcpy(&v, &x[i], 8);
    k = (k ^ v) * 0xBF58476D1CE4E5B9ULL;
    k ^= k >> 29;
  }
  uint32_t i = (uint32_t)k & h->dmask;
  for (; h->dup_gen[i] == h->gen; i = (i + 1) & h->dmask)
    if (memcmp(hs_xy(h, h->dup_slot[i]), x, sizeof *x * (size_t)h->d) == 0) return true;
  h->dup_gen[i] = h->gen;
  h->dup_slot[i] = p;
  return false;
}

/* DBSCAN over the window: a hotspot grows from each core point not yet in one, oldest
 * first, through the core points within the radius of each other. */
static void find_hotspots(hotspots *h) {
  if (++h->gen == 0) { /* wrapped: forget every stamp */
    for (int i = 0; i < h->w; i++) h->pts[i].gen = 0;
    for (uint32_t c = 0; c <= h->cmask; c++) h->seg[c].gen = 0;
    memset(h->dup_gen, 0, sizeof *h->dup_gen * ((size_t)h->dmask + 1));
    h->gen = 1;
  }
  h->norder = 0;
  h->nnb = 0;
  h->nspots = 0;
  for (int k = 0; k < h->count; k++) {
    int s = hs_slot(h, k);
    if (!hs_core(h, s) || label_of(h, s) >= 0) continue;
    if (h->pts[s].gen != h->gen) seg_of(h, (int32_t)cell_find(h, h->pts[s].cc));
    int id = h->nspots++;
    h->spots[id] = (hs_spot){.id = id};
    take(h, s, id);
    int head = 0, tail = 0;
    h->queue[tail++] = s;
    while (head < tail) {
      int p = h->queue[head++];
      if (!expanded_before(h, p)) expand(h, p, id, &tail);
    }
  }
  for (int i = 0; i < h->nspots; i++) {
    const double *lo = &h->lo[(size_t)i * (size_t)h->d], *hi = &h->hi[(size_t)i * (size_t)h->d];
    long double vol = 1;
    for (int j = 0; j < h->d; j++) vol *= hi[j] - lo[j] > h->radius ? hi[j] - lo[j] : h->radius;
    long double dens = (long double)h->spots[i].n / vol;
    h->spots[i].density = dens > DBL_MAX ? DBL_MAX : (double)dens;
  }
}

static int spot_cmp(const void *a, const void *b) {
  const hs_spot *x = a, *y = b;
  if (x->density != y->density) return x->density > y->density ? -1 : 1;
  if (x->n != y->n) return x->n > y->n ? -1 : 1;
  return x->id - y->id;
}

/* The shortest %g form of x that reads back as x (x finite). */
static int fmt_double(char *buf, size_t size, double x) {
  int n = 0;
  for (int prec = 15; prec <= 17; prec++) {
    n = snprintf(buf, size, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) break;
  }
  return n;
}

static int json_put(hotspots *h, const char *s, size_t n) {
  if (h->jlen + n + 1 > h->jcap) {
    size_t cap = h->jcap ? h->jcap : 256;
    while (cap < h->jlen + n + 1) cap *= 2;
    char *j = realloc(h->json, cap);
    if (!j) return SLUICE_NOMEM;
    h->json = j;
    h->jcap = cap;
  }
  memcpy(h->json + h->jlen, s, n);
  h->jlen += n;
  h->json[h->jlen] = '\0';
  return SLUICE_OK;
}

static int json_values(hotspots *h, const double *v) {
  char num[40];
  int rc = json_put(h, "[", 1);
  for (int i = 0; rc == SLUICE_OK && i < h->d; i++) {
    if (i) rc = json_put(h, ",", 1);
    if (!rc) rc = json_put(h, num, (size_t)fmt_double(num, sizeof num, v[i]));
  }
  return rc ? rc : json_put(h, "]", 1);
}

/* Appends one hotspot's object; *fits false (and nothing appended) past the length limit. */
static int json_spot(hotspots *h, const hs_spot *sp, bool comma, bool *fits) {
  size_t mark = h->jlen;
  char num[40];
  int rc = json_put(h, comma ? ",{\"density\":" : "{\"density\":", comma ? 12 : 11);
  if (!rc) rc = json_put(h, num, (size_t)fmt_double(num, sizeof num, sp->density));
  if (!rc) rc = json_put(h, ",\"minValues\":", 13);
  if (!rc) rc = json_values(h, &h->lo[(size_t)sp->id * (size_t)h->d]);
  if (!rc) rc = json_put(h, ",\"maxValues\":", 13);
  if (!rc) rc = json_values(h, &h->hi[(size_t)sp->id * (size_t)h->d]);
  if (!rc) rc = json_put(h, "}", 1);
  *fits = h->jlen + 2 <= h->jlimit; /* room for the closing "]}" */
  if (!*fits) h->jlen = mark;
  return rc;
}

static int build_json(hotspots *h) {
  find_hotspots(h);
  qsort(h->spots, (size_t)h->nspots, sizeof *h->spots, spot_cmp);
  h->jlen = 0;
  int rc = json_put(h, "{\"hotspots\":[", 13);
  bool fits = true;
  for (int i = 0; rc == SLUICE_OK && fits && i < h->nspots; i++)
    rc = json_spot(h, &h->spots[i], i > 0, &fits);
  if (!rc) rc = json_put(h, "]}", 2);
  h->heap_valid = false;
  return rc;
}

/* ------------------------------------------------------------ operator -- */

/* Reads row r's coordinates into the window's next slot and enters them; a row with a
 * NULL or not finite coordinate stays out. */
static void enter_row(hotspots *h, const core_batch *b, int r, bool *changed) {
  int s = (int)(h->seq % (uint64_t)h->w);
  double x[64];
  for (int i = 0; i < h->d; i++) {
    const core_vec *v = &b->cols[h->dims[i]];
    if (v->null[r]) return;
    x[i] = core_type_repr(v->type.id) == 'd' ? v->u.d[r] : (double)v->u.i[r];
    if (!isfinite(x[i])) return;
  }
  if (h->count == h->w) hs_evict(h, s, changed);
  memcpy(&h->xy[(size_t)s * (size_t)h->d], x, sizeof *x * (size_t)h->d);
  h->seq++;
  hs_insert(h, s, changed);
  if (HS_VERIFY && (h->seq & 1023) == 0) hs_verify(h);
}

static int flush(hotspots *h, core_error *err) {
  if (h->out->n == 0) return SLUICE_OK;
  int rc = exec_emit(&h->op, h->out, err);
  core_batch_reset(h->out);
  h->heap_valid = false;
  return rc;
}

static int hs_nomem(core_error *err) {
  return core_error_set(err, SLUICE_NOMEM, "out of memory in HOTSPOTS");
}

static int hs_push(exec_op *op, int port, core_batch *b, core_error *err) {
  hotspots *h = (hotspots *)op;
  int live = core_batch_live(b);
  for (int k = 0; k < live; k++) {
    int r = core_batch_row(b, k);
    bool changed = false;
    enter_row(h, b, r, &changed);
    if (changed && build_json(h)) return hs_nomem(err);
    if (h->out->n == h->out->cap) {
      int rc = flush(h, err);
      if (rc) return rc;
    }
    int o = h->out->n++;
    if (core_batch_copy_row(h->out, o, b, r)) return hs_nomem(err);
    core_vec *res = &h->out->cols[h->result_col];
    if (!h->heap_valid) {
      core_value v = {.type = res->type};
      v.u.s.p = h->json;
      v.u.s.n = (uint32_t)h->jlen;
      if (core_vec_set(h->out, h->result_col, o, &v)) return hs_nomem(err);
      h->heap_json = res->u.s[o];
      h->heap_valid = true;
    } else { /* unchanged: the bytes already in this batch's heap */
      res->u.s[o] = h->heap_json;
      res->null[o] = 0;
    }
  }
  return flush(h, err);
}

static int hs_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  return exec_emit_bound(op, bound_ms, err);
}

static void hs_free(exec_op *op) {
  hotspots *h = (hotspots *)op;
  free(h->pts);
  free(h->order);
  free(h->seg);
  free(h->nbcells);
  free(h->dims);
  free(h->xy);
  free(h->cells);
  free(h->queue);
  free(h->dup_slot);
  free(h->dup_gen);
  free(h->spots);
  free(h->lo);
  free(h->hi);
  free(h->json);
  core_batch_free(h->out);
  free(h);
}

/* A numeric constant argument as a double. */
static bool number_arg(const core_value *a, double *out) {
  if (a->is_null) return false;
  if (core_type_is_integer(a->type.id)) {
    *out = (double)a->u.i;
  } else if (a->type.id == CORE_T_DECIMAL) {
    *out = (double)a->u.dec / pow(10, a->type.scale); /* one rounding: 10^s is exact */
  } else if (a->type.id == CORE_T_REAL || a->type.id == CORE_T_DOUBLE) {
    *out = a->u.d;
  } else {
    return false;
  }
  return true;
}

/* Checks the arguments and the cursor's columns into h. */
static int hs_configure(hotspots *h, const exec_tablefn_config *c, core_error *err) {
  double w, radius, minpts;
  if (c->nargs != 3 || !number_arg(&c->args[0], &w) || !number_arg(&c->args[1], &radius) ||
      !number_arg(&c->args[2], &minpts))
    return core_error_set(err, SLUICE_INVALID,
                          "HOTSPOTS takes a window size, a scan radius and a minimum number of "
                          "points, all numbers");
  if (w != floor(w) || w < 100 || w > 1000)
    return core_error_set(err, SLUICE_INVALID,
                          "the window size of HOTSPOTS must be an integer between 100 and 1000");
  if (!(radius > 0) || !isfinite(radius))
    return core_error_set(err, SLUICE_INVALID,
                          "the scan radius of HOTSPOTS must be greater than 0");
  if (minpts != floor(minpts) || minpts < 2 || minpts > w)
    return core_error_set(err, SLUICE_INVALID,
                          "the minimum number of points of HOTSPOTS must be an integer between 2 "
                          "and the window size");
  h->w = (int)w;
  h->minpts = (int)minpts;
  h->radius = radius;
  h->r2 = radius * radius;
  h->cell = radius * (1 + 1e-9); /* a bit wider: rounding never puts neighbours 2 cells apart */
  h->ninput = c->ninput;
  h->dims = malloc(sizeof *h->dims * (size_t)(c->ninput + 1));
  if (!h->dims) return hs_nomem(err);
  for (int i = 0; i < c->ninput; i++) {
    core_type_id id = c->input_types[i].id;
    if (id == CORE_T_DECIMAL)
      return core_error_set(err, SLUICE_INVALID, "HOTSPOTS does not accept DECIMAL column \"%s\"",
                            c->input_names[i]);
    if (core_type_is_numeric(id)) h->dims[h->d++] = i;
  }
  if (h->d == 0 || h->d > 30)
    return core_error_set(err, SLUICE_INVALID, "HOTSPOTS needs between 1 and 30 numeric columns");
  if (c->nout != c->ninput + 1 || !core_type_is_string(c->out_types[c->ninput].id))
    return core_error_set(err, SLUICE_INTERNAL, "internal: unexpected output columns for HOTSPOTS");
  h->g = h->d < HS_GRID_DIMS ? h->d : HS_GRID_DIMS;
  h->noff = 1;
  for (int i = 0; i < h->g; i++) h->noff *= 3;
  for (int o = 0; o < h->noff; o++) /* offsets -1, 0, 1 per grid dimension */
    for (int i = 0, r = o; i < h->g; i++, r /= 3) h->off[o][i] = (int8_t)(r % 3 - 1);
  h->result_col = c->ninput;
  int32_t len = c->out_types[c->ninput].precision;
  h->jlimit = len > 0 ? (size_t)len : HS_JSON_DEFAULT_LIMIT;
  return SLUICE_OK;
}

static int hs_allocate(hotspots *h, const exec_tablefn_config *c) {
  size_t w = (size_t)h->w, d = (size_t)h->d;
  h->cmask = 1;
  while (h->cmask + 1 < 4 * w) h->cmask = 2 * h->cmask + 1;
  h->pts = calloc(w, sizeof *h->pts);
  h->xy = malloc(sizeof *h->xy * w * d);
  h->cells = malloc(sizeof *h->cells * (h->cmask + 1));
  h->order = malloc(sizeof *h->order * w);
  h->seg = calloc(h->cmask + 1, sizeof *h->seg);
  h->nbcells = malloc(sizeof *h->nbcells * HS_MAX_OFFSETS * w);
  h->queue = malloc(sizeof *h->queue * w);
  h->dmask = 1;
  while (h->dmask + 1 < 2 * w) h->dmask = 2 * h->dmask + 1;
  h->dup_slot = malloc(sizeof *h->dup_slot * (h->dmask + 1));
  h->dup_gen = calloc(h->dmask + 1, sizeof *h->dup_gen);
  h->spots = malloc(sizeof *h->spots * w);
  h->lo = malloc(sizeof *h->lo * w * d);
  h->hi = malloc(sizeof *h->hi * w * d);
  h->out = core_batch_new(c->nout, c->out_types, CORE_BATCH_CAP);
  if (!h->pts || !h->xy || !h->cells || !h->order || !h->seg || !h->nbcells || !h->queue ||
      !h->dup_slot || !h->dup_gen || !h->spots || !h->lo || !h->hi || !h->out)
    return SLUICE_NOMEM;
  for (uint32_t i = 0; i <= h->cmask; i++) h->cells[i].head = -1;
  h->gen = UINT32_MAX - 2; /* the stamps wrap at the third computation: every run tests it */
  return json_put(h, "{\"hotspots\":[]}", 15);
}

exec_op *exec_hotspots_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err) {
  hotspots *h = calloc(1, sizeof *h);
  if (!h) {
    hs_nomem(err);
    return NULL;
  }
  h->op.name = "hotspots";
  h->op.push = hs_push;
  h->op.bound = hs_bound;
  h->op.free = hs_free;
  h->op.ctx = ctx;
  if (hs_configure(h, c, err)) {
    hs_free(&h->op);
    return NULL;
  }
  if (hs_allocate(h, c)) {
    hs_free(&h->op);
    hs_nomem(err);
    return NULL;
  }
  return &h->op;
}

/*
 * rcf.c — robust random cut forests (rcf.h).
 *
 * Layout. A tree has two pools, both allocated when the forest is made:
 * internal nodes (at most sample - 1) and leaves (at most sample). A child
 * reference is an int32: >= 0 names an internal node, < 0 names leaf ~ref.
 * A node record holds what the walk reads: the cut (x[dim] <= cut goes to
 * child 0), the children and the bounding box of every point below it (lo[],
 * then hi[]); its dimension and parent are in side arrays. A leaf record holds
 * its mass (how many copies of the point the sample holds: duplicates share a
 * leaf) and the point itself, so that a walk ends without another lookup;
 * every tree keeps its own copies of its points (with the default time decay
 * the trees' samples are nearly disjoint anyway).
 *
 * Sampling. Every tree keeps a max-heap of (key, leaf) for the copies in its
 * sample. The key of a point offered at position t is log(E) - t / time_decay
 * with E ~ Exp(1): keeping the `sample` smallest keys is weighted reservoir
 * sampling with weights exp(t / time_decay) (Efraimidis and Spirakis, in log
 * form). Once a tree is full a new point enters iff its key is below the
 * largest, which evicts that copy; the test is done on a uniform draw against
 * a threshold (no logarithm unless the point gets in). Keys are kept relative
 * to a base position, a multiple of `rebase` points that every tree moves to
 * when it passes it, so that t / time_decay stays small.
 *
 * Work order. Each tree has its own random generator (seeded from the forest's
 * seed and its index), and what a tree does with a point depends only on its
 * own state and draws. So the rows of a batch can be processed tree by tree —
 * one tree's nodes stay in cache while it scores and takes the batch's points
 * in order — and the results are those of row-by-row processing, whatever the
 * batch sizes: each row's score sums the trees in index order.
 *
 * Scoring and attribution: the comment before walk_lanes, rcf.h, and
 * exec/README.md "Random cut forest".
 */
#include "functions/rcf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define NIL INT32_MIN
#define LEAF_REF(i) (~(int32_t)(i))
#define IS_LEAF(ref) ((ref) < 0)

/* The forest's pools may not exceed this (the largest configuration the binder accepts,
 * 1000 trees of 1000 points in 900 dimensions, would need about 20 GiB). */
#define RCF_MAX_POOL_BYTES ((size_t)2 << 30)

/* Keys are rebased every this many time_decays of points. */
#define RCF_REBASE_SPAN 16.0

/* Points processed tree by tree at a time. */
#define RCF_CHUNK 128

/* An internal node: `node_size` bytes (32 with one dimension). */
typedef struct rcf_node {
  double cut;
  int32_t child[2]; /* child references: [0] x[dim] <= cut, [1] x[dim] > cut */
  double box[];     /* [2][dim]: lo[dim], then hi[dim] */
} rcf_node;

/* A leaf: `leaf_size` bytes. */
typedef struct rcf_leaf {
  int32_t mass; /* copies of the point in the sample; 0 while free */
  int32_t next; /* the next free leaf while free */
  double x[];   /* [dim]: the point */
} rcf_leaf;

typedef struct rcf_tree {
  char *nodes;          /* [sample - 1] node records */
  int32_t *node_dim;    /* [sample - 1]: the cut's dimension */
  int32_t *node_parent; /* [sample - 1]: internal node, or NIL at the root */
  char *leaves;         /* [sample] leaf records */
  int32_t *leaf_parent; /* [sample]: internal node, or NIL when the leaf is the root */
  double *key;          /* [sample]: the sampler's max-heap of keys */
  int32_t *entry;       /* [sample]: the leaf of each heap entry */
  int n;                /* copies in the sample */
  int32_t root;         /* NIL while empty */
  int32_t free_node;    /* free lists, linked through child[0] / next */
  int32_t free_leaf;
  double max_weight; /* exp(key[0]) once full: the acceptance threshold's factor */
  int64_t base;      /* the position the keys are relative to */
  uint64_t rng[4];   /* this tree's generator */
} rcf_tree;

/* The points of the chunk being processed. */
typedef struct rcf_chunk {
  int n;          /* points */
  double *q;      /* [RCF_CHUNK][dim] */
  bool *scored;   /* [RCF_CHUNK] */
  double *age;    /* [RCF_CHUNK]: (position - base) / time_decay */
  double *growth; /* [RCF_CHUNK]: exp(age) */
  int64_t *base;  /* [RCF_CHUNK]: the keys' base at the point's position */
  double *score;  /* [RCF_CHUNK]: the trees' walks summed */
  double *acc_lo; /* [RCF_CHUNK][dim]: attribution, when explaining */
  double *acc_hi; /* [RCF_CHUNK][dim] */
  int *row;       /* [RCF_CHUNK]: the batch row of each point */
} rcf_chunk;

struct rcf_forest {
  rcf_config c;
  int dim;        /* columns * shingle */
  double lambda;  /* 1 / time_decay */
  double scale;   /* log2(sample) / trees: from the trees' summed walks to the score */
  int64_t rebase; /* keys are relative to a multiple of this many points */
  int64_t rows;   /* rows fed */
  int64_t points; /* complete points offered to the samplers */
  rcf_tree *trees;
  /* the pools of all trees, one allocation per kind */
  size_t node_size, leaf_size, pool_bytes;
  char *all_nodes, *all_leaves;
  int32_t *all_node_dim, *all_node_parent, *all_leaf_parent, *all_entry;
  double *all_key;
  rcf_chunk k;
  double *ring;      /* [shingle][columns]: the last rows */
  int ring_pos;      /* where the next row goes; the oldest row is there too */
  double *tlo, *thi; /* [dim]: scratch bounds for insertion */
  double *inv_depth; /* [sample + 1]: 1 / (d + 1) */
  double *log_mass;  /* [sample + 1]: log2(m + 1) */
  /* each column's recent mean and variance, for directions and strengths */
  double mean[RCF_MAX_COLUMNS];
  double var[RCF_MAX_COLUMNS];
};

/* ------------------------------------------------------------ randomness -- */

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static inline uint64_t next_u64(uint64_t s[4]) {
  uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

/* Uniform in [0, 1). */
static inline double uniform(uint64_t s[4]) {
  return (double)(next_u64(s) >> 11) * 0x1.0p-53;
}

/* Uniform in (0, 1): never 0, so that logarithms of it are finite. */
static inline double uniform_open(uint64_t s[4]) {
  return ((double)(next_u64(s) >> 11) + 0.5) * 0x1.0p-53;
}

/* ----------------------------------------------------------------- trees -- */

static inline rcf_node *node_at(const rcf_forest *f, const rcf_tree *t, int32_t i) {
  return (rcf_node *)(t->nodes + (size_t)i * f->node_size);
}

static inline rcf_leaf *leaf_at(const rcf_forest *f, const rcf_tree *t, int32_t i) {
  return (rcf_leaf *)(t->leaves + (size_t)i * f->leaf_size);
}

static void set_parent(rcf_tree *t, int32_t ref, int32_t parent) {
  if (IS_LEAF(ref))
    t->leaf_parent[~ref] = parent;
  else
    t->node_parent[ref] = parent;
}

static int32_t parent_of(const rcf_tree *t, int32_t ref) {
  return IS_LEAF(ref) ? t->leaf_parent[~ref] : t->node_parent[ref];
}

/* Makes `parent` (or the root) point to `to` where it pointed to `from`. */
static void replace_child(const rcf_forest *f, rcf_tree *t, int32_t parent, int32_t from,
                          int32_t to) {
  if (parent == NIL) {
    t->root = to;
  } else {
    rcf_node *n = node_at(f, t, parent);
    n->child[n->child[0] == from ? 0 : 1] = to;
  }
  set_parent(t, to, parent);
}

/* The bound of everything below ref along dimension j: the lowest (hi 0) or highest. */
static double bound_of(const rcf_forest *f, const rcf_tree *t, int32_t ref, int j, int hi) {
  if (IS_LEAF(ref)) return leaf_at(f, t, ~ref)->x[j];
  return node_at(f, t, ref)->box[hi * f->dim + j];
}

/* The bounds of everything below ref into lo, hi. */
static void load_bounds(const rcf_forest *f, const rcf_tree *t, int32_t ref, double *lo,
                        double *hi) {
  size_t bytes = sizeof *lo * (size_t)f->dim;
  if (IS_LEAF(ref)) {
    const double *x = leaf_at(f, t, ~ref)->x;
    memcpy(lo, x, bytes);
    memcpy(hi, x, bytes);
  } else {
    const double *b = node_at(f, t, ref)->box;
    memcpy(lo, b, bytes);
    memcpy(hi, b + f->dim, bytes);
  }
}

/* Recomputes node's box from its children; true if it changed. */
static bool refresh_box(rcf_forest *f, rcf_tree *t, int32_t node) {
  rcf_node *n = node_at(f, t, node);
  double *lo = n->box, *hi = n->box + f->dim;
  bool changed = false;
  for (int j = 0; j < f->dim; j++) {
    double l0 = bound_of(f, t, n->child[0], j, 0), l1 = bound_of(f, t, n->child[1], j, 0);
    double h0 = bound_of(f, t, n->child[0], j, 1), h1 = bound_of(f, t, n->child[1], j, 1);
    double l = l0 < l1 ? l0 : l1, h = h0 > h1 ? h0 : h1;
    changed |= l != lo[j] || h != hi[j];
    lo[j] = l;
    hi[j] = h;
  }
  return changed;
}

/* Grows node's box to take p; true if it changed. */
static bool extend_box(rcf_forest *f, rcf_tree *t, int32_t node, const double *p) {
  double *lo = node_at(f, t, node)->box, *hi = lo + f->dim;
  bool changed = false;
  for (int j = 0; j < f->dim; j++) {
    if (p[j] < lo[j]) {
      lo[j] = p[j];
      changed = true;
    }
    if (p[j] > hi[j]) {
      hi[j] = p[j];
      changed = true;
    }
  }
  return changed;
}

/*
 * Picks a random cut of the box [lo, hi] grown to take p: the dimension with probability
 * proportional to the grown extent, the position uniform in it. Returns -1 when the cut
 * passes between p and the box with p on its child-0 side (x <= cut), +1 with p on its
 * child-1 side, 0 when it falls inside the box (and so separates nothing from the old points:
 * the insertion goes on below). *dim, *cut: the cut when it separates. total: the grown
 * extents' sum.
 */
static int random_cut(const rcf_forest *f, rcf_tree *t, const double *lo, const double *hi,
                      const double *p, double total, int *dim, double *cut) {
  double r = uniform(t->rng) * total;
  int j = 0, last = -1;
  for (; j < f->dim; j++) {
    double w = (hi[j] > p[j] ? hi[j] : p[j]) - (lo[j] < p[j] ? lo[j] : p[j]);
    if (w > 0) last = j;
    if (r < w) break;
    r -= w;
  }
  if (j == f->dim) { /* rounding left r at the very end: take the last extent's middle */
    j = last;
    r = 0.5 * ((hi[j] > p[j] ? hi[j] : p[j]) - (lo[j] < p[j] ? lo[j] : p[j]));
  }
  *dim = j;
  double below = lo[j] > p[j] ? lo[j] - p[j] : 0, inside = hi[j] - lo[j];
  if (r < below) { /* in [p, lo): p <= cut < lo */
    double c = p[j] + r;
    *cut = c < lo[j] ? c : p[j];
    return -1;
  }
  if (p[j] > hi[j] && r >= below + inside) { /* in [hi, p): hi <= cut < p */
    double c = hi[j] + (r - below - inside);
    *cut = c < p[j] ? c : hi[j];
    return 1;
  }
  return 0;
}

static int32_t new_leaf(rcf_forest *f, rcf_tree *t, const double *p, int32_t parent) {
  int32_t li = t->free_leaf;
  rcf_leaf *l = leaf_at(f, t, li);
  t->free_leaf = l->next;
  l->mass = 1;
  l->next = NIL;
  memcpy(l->x, p, sizeof *p * (size_t)f->dim);
  t->leaf_parent[li] = parent;
  return li;
}

/* Inserts one copy of p; returns its leaf. The insertion of RRCF: at each node, draw a cut of
 * the node's box grown by p; if it separates p, p becomes the sibling of the whole subtree
 * there; otherwise go down the node's own cut. */
static int32_t tree_insert(rcf_forest *f, rcf_tree *t, const double *p) {
  if (t->root == NIL) {
    int32_t li = new_leaf(f, t, p, NIL);
    t->root = LEAF_REF(li);
    return li;
  }
  double *lo = f->tlo, *hi = f->thi;
  int32_t v = t->root;
  for (;;) {
    load_bounds(f, t, v, lo, hi);
    double total = 0;
    for (int j = 0; j < f->dim; j++)
      total += (hi[j] > p[j] ? hi[j] : p[j]) - (lo[j] < p[j] ? lo[j] : p[j]);
    if (total == 0) { /* only a leaf equal to p has no extent with p */
      leaf_at(f, t, ~v)->mass++;
      return ~v;
    }
    int dim;
    double cut;
    int side = random_cut(f, t, lo, hi, p, total, &dim, &cut);
    if (side != 0) {
      int32_t parent = parent_of(t, v);
      int32_t ni = t->free_node;
      rcf_node *n = node_at(f, t, ni);
      t->free_node = n->child[0];
      int32_t li = new_leaf(f, t, p, ni);
      t->node_dim[ni] = dim;
      n->cut = cut;
      n->child[0] = side < 0 ? LEAF_REF(li) : v;
      n->child[1] = side < 0 ? v : LEAF_REF(li);
      replace_child(f, t, parent, v, ni);
      set_parent(t, v, ni);
      for (int j = 0; j < f->dim; j++) {
        n->box[j] = lo[j] < p[j] ? lo[j] : p[j];
        n->box[f->dim + j] = hi[j] > p[j] ? hi[j] : p[j];
      }
      /* an ancestor that already contains p has ancestors that do too */
      for (int32_t a = parent; a != NIL && extend_box(f, t, a, p); a = t->node_parent[a]) {
      }
      return li;
    }
    /* an inside cut means v has extent: not a leaf */
    v = node_at(f, t, v)->child[p[t->node_dim[v]] > node_at(f, t, v)->cut];
  }
}

/* Removes one copy of leaf li's point; the leaf and its parent go when the last copy goes. */
static void tree_delete(rcf_forest *f, rcf_tree *t, int32_t li) {
  rcf_leaf *l = leaf_at(f, t, li);
  if (--l->mass > 0) return;
  int32_t parent = t->leaf_parent[li];
  l->next = t->free_leaf;
  t->free_leaf = li;
  if (parent == NIL) {
    t->root = NIL;
    return;
  }
  rcf_node *pn = node_at(f, t, parent);
  int32_t sibling = pn->child[pn->child[0] == LEAF_REF(li) ? 1 : 0];
  int32_t grand = t->node_parent[parent];
  replace_child(f, t, grand, parent, sibling);
  pn->child[0] = t->free_node;
  t->free_node = parent;
  /* an ancestor whose box did not change has ancestors that did not either */
  for (int32_t a = grand; a != NIL && refresh_box(f, t, a); a = t->node_parent[a]) {
  }
}

/* --------------------------------------------------------------- sampler -- */

static void heap_swap(rcf_tree *t, int a, int b) {
  double k = t->key[a];
  int32_t e = t->entry[a];
  t->key[a] = t->key[b];
  t->entry[a] = t->entry[b];
  t->key[b] = k;
  t->entry[b] = e;
}

static void heap_push(rcf_tree *t, double key, int32_t leaf) {
  int i = t->n++;
  t->key[i] = key;
  t->entry[i] = leaf;
  while (i > 0 && t->key[(i - 1) / 2] < t->key[i]) {
    heap_swap(t, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

/* Removes the largest key; returns its leaf. */
static int32_t heap_pop(rcf_tree *t) {
  int32_t leaf = t->entry[0];
  t->n--;
  t->key[0] = t->key[t->n];
  t->entry[0] = t->entry[t->n];
  for (int i = 0;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < t->n && t->key[l] > t->key[m]) m = l;
    if (r < t->n && t->key[r] > t->key[m]) m = r;
    if (m == i) break;
    heap_swap(t, i, m);
    i = m;
  }
  return leaf;
}

/* Moves t's keys to base (adds the same amount to every key: the order stays). */
static void rebase_tree(const rcf_forest *f, rcf_tree *t, int64_t base) {
  double shift = f->lambda * (double)(base - t->base);
  for (int k = 0; k < t->n; k++) t->key[k] += shift;
  if (t->n) t->max_weight = exp(t->key[0]);
  t->base = base;
}

/*
 * Whether point i of the chunk enters t's sample, drawing one number from t's generator;
 * *key: its key when it does. While the sample is not full every point enters. Once full, a
 * point enters iff log(E) - age < key[0], E = -log(1 - v) ~ Exp(1), age = (position - base)
 * / time_decay: iff v < 1 - exp(-th) with th = exp(key[0] + age) = max_weight * growth.
 * That is below th, so most points stop at the first comparison.
 */
static bool sample_decide(const rcf_forest *f, rcf_tree *t, int i, double *key) {
  const rcf_chunk *k = &f->k;
  if (k->base[i] != t->base) rebase_tree(f, t, k->base[i]);
  double v = uniform_open(t->rng);
  if (t->n == f->c.sample) {
    double th = t->max_weight * k->growth[i];
    if (v >= th || v >= -expm1(-th)) return false;
  }
  *key = log(-log1p(-v)) - k->age[i];
  return t->n < f->c.sample || *key < t->key[0]; /* the latter: rounding at the threshold */
}

/* Point i of the chunk enters t with key: the largest key leaves first when t is full. */
static void sample_enter(rcf_forest *f, rcf_tree *t, int i, double key) {
  if (t->n == f->c.sample) tree_delete(f, t, heap_pop(t));
  heap_push(t, key, tree_insert(f, t, f->k.q + (size_t)i * (size_t)f->dim));
  if (t->n == f->c.sample) t->max_weight = exp(t->key[0]);
}

/* --------------------------------------------------------------- scoring -- */

/*
 * How far q lies outside the box b (lo[dim], hi[dim]): *gap = the sum over dimensions of
 * the distance from q to the box, *width = the sum of the extents of the box grown by q.
 * Computed as width = sum(max(hi, q) - min(lo, q)) and gap = width - sum(hi - lo), both
 * sums with the same association, so that q inside the box gives a gap of exactly 0; two
 * dimensions at a time (SSE2 where there is one: bit-identical to the scalar loop).
 */
static inline __attribute__((always_inline)) void
separation(const double *q, const double *b, const int dim, double *gap, double *width) {
  const double *lo = b, *hi = b + dim;
  if (dim == 1) {
    double w = (hi[0] > q[0] ? hi[0] : q[0]) - (lo[0] < q[0] ? lo[0] : q[0]);
    *width = w;
    *gap = w - (hi[0] - lo[0]);
    return;
  }
  int j = 0;
#ifdef __SSE2__
  __m128d w2 = _mm_setzero_pd(), r2 = _mm_setzero_pd();
  for (; j + 1 < dim; j += 2) {
    __m128d x = _mm_loadu_pd(q + j), l = _mm_loadu_pd(lo + j), h = _mm_loadu_pd(hi + j);
    w2 = _mm_add_pd(w2, _mm_sub_pd(_mm_max_pd(h, x), _mm_min_pd(l, x)));
    r2 = _mm_add_pd(r2, _mm_sub_pd(h, l));
  }
  double w[2], r[2];
  _mm_storeu_pd(w, w2);
  _mm_storeu_pd(r, r2);
#else
  double w[2] = {0, 0}, r[2] = {0, 0};
  for (; j + 1 < dim; j += 2)
    for (int k = 0; k < 2; k++) {
      double x = q[j + k], l = lo[j + k], h = hi[j + k];
      w[k] += (h > x ? h : x) - (l < x ? l : x);
      r[k] += h - l;
    }
#endif
  if (j < dim) {
    double x = q[j], l = lo[j], h = hi[j];
    w[0] += (h > x ? h : x) - (l < x ? l : x);
    r[0] += h - l;
  }
  *width = w[0] + w[1];
  *gap = *width - (r[0] + r[1]);
}

/* Adds w times q's distance below lo to alo and above hi to ahi, per dimension. */
static inline void attribute_gaps(const double *q, const double *lo, const double *hi, int dim,
                                  double w, double *alo, double *ahi) {
  for (int j = 0; j < dim; j++) {
    double below = lo[j] - q[j], above = q[j] - hi[j];
    alo[j] += w * (below > 0 ? below : 0);
    ahi[j] += w * (above > 0 ? above : 0);
  }
}

/* The leaf's part of a walk that ended at leaf ref, depth d, with probability rem left: a
 * different point is separated there for sure (q at depth d + 1); an equal point with m
 * copies counts as depth d + 1 + log2(m + 1), as if its copies were about to be split. */
static inline double leaf_part(const rcf_forest *f, const rcf_tree *t, const double *q, int32_t ref,
                               int d, double rem, double *alo, double *ahi) {
  const rcf_leaf *l = leaf_at(f, t, ~ref);
  const double *x = l->x;
  const int dim = f->dim;
  double width = 0;
  for (int j = 0; j < dim; j++) width += fabs(x[j] - q[j]);
  if (width == 0) {
    double share = rem / (d + 1 + f->log_mass[l->mass]);
    if (alo)
      for (int j = 0; j < dim; j++) {
        alo[j] += 0.5 * share / dim;
        ahi[j] += 0.5 * share / dim;
      }
    return share;
  }
  if (alo) attribute_gaps(q, x, x, dim, rem * f->inv_depth[d] / width, alo, ahi);
  return rem * f->inv_depth[d];
}

/*
 * The walks of tree t for the chunk's points pts[0..n) (rcf.h), added to their scores. At
 * the node at depth d, with q outside its box by gap_j along dimension j, a random cut of
 * the box grown by q would separate q first there with probability p = sum(gap) /
 * sum(grown extents), given that no node above did; q would then sit at depth d + 1 and the
 * node adds rem * p / (d + 1), rem being the probability that q is still not separated; the
 * leaf ends the walk (leaf_part). With attribution, each separation's share goes to its
 * dimensions in proportion to their gaps, to acc_lo where q is below the box and to acc_hi
 * where above; an equal leaf's share is spread evenly.
 *
 * The points (at most RCF_LANES) are walked side by side, one level at a time: their node
 * loads do not depend on each other, so the processor overlaps the cache misses that one
 * walk after another would wait for in turn, and each walk's next node is prefetched as
 * soon as it is known. fixed_dim: f->dim when the caller knows it at compile time (one
 * column: no loops over dimensions), else 0.
 */
#define RCF_LANES 4

static inline __attribute__((always_inline)) void walk_lanes(rcf_forest *f, const rcf_tree *t,
                                                             const int *pts, int n,
                                                             const bool attribute,
                                                             const int fixed_dim) {
  const int dim = fixed_dim ? fixed_dim : f->dim;
  const size_t node_size = f->node_size, leaf_size = f->leaf_size;
  const double *inv = f->inv_depth;
  rcf_chunk *ck = &f->k;
  const double *q[RCF_LANES];
  double *alo[RCF_LANES], *ahi[RCF_LANES];
  int32_t v[RCF_LANES];
  double s[RCF_LANES], rem[RCF_LANES];
  int depth[RCF_LANES], live = 0;
  for (int k = 0; k < RCF_LANES; k++) {
    int i = k < n ? pts[k] : pts[0];
    q[k] = ck->q + (size_t)i * (size_t)f->dim;
    alo[k] = attribute ? ck->acc_lo + (size_t)i * (size_t)f->dim : NULL;
    ahi[k] = attribute ? ck->acc_hi + (size_t)i * (size_t)f->dim : NULL;
    v[k] = k < n ? t->root : -1;
    s[k] = 0;
    rem[k] = 1;
    depth[k] = 0;
    live += v[k] >= 0;
  }
  for (int d = 0; live; d++) {
    for (int k = 0; k < RCF_LANES; k++) {
      if (v[k] < 0) continue;
      const rcf_node *nd = (const rcf_node *)(t->nodes + (size_t)v[k] * node_size);
      double gap, width;
      separation(q[k], nd->box, dim, &gap, &width);
      if (gap > 0) {
        double p = gap / width;
        if (attribute)
          attribute_gaps(q[k], nd->box, nd->box + dim, dim, rem[k] * inv[d] / width, alo[k],
                         ahi[k]);
        s[k] += rem[k] * p * inv[d];
        rem[k] -= rem[k] * p;
      }
      v[k] = nd->child[(fixed_dim == 1 ? q[k][0] : q[k][t->node_dim[v[k]]]) > nd->cut];
      if (v[k] < 0) {
        depth[k] = d + 1;
        live--;
        __builtin_prefetch(t->leaves + (size_t)~v[k] * leaf_size);
      } else {
        __builtin_prefetch(t->nodes + (size_t)v[k] * node_size);
      }
    }
  }
  for (int k = 0; k < n; k++)
    ck->score[pts[k]] += s[k] + leaf_part(f, t, q[k], v[k], depth[k], rem[k], alo[k], ahi[k]);
}

/*
 * walk_lanes without attribution and without branches that depend on the data: where the
 * walks go, whether q is outside a box and which lane reaches its leaf first cannot be
 * predicted, and mispredicted branches were the largest cost. A lane that has reached its
 * leaf stays on its last node and its updates are multiplied by 0 until every lane is done;
 * the separation probability is computed whether or not it is 0 (an internal node's box
 * has extent, so the division is defined).
 */
static inline __attribute__((always_inline)) void
walk_lanes_fast(rcf_forest *f, const rcf_tree *t, const int *pts, int n, const int fixed_dim) {
  const int dim = fixed_dim ? fixed_dim : f->dim;
  const size_t node_size = f->node_size;
  const double *inv = f->inv_depth;
  rcf_chunk *ck = &f->k;
  const double *q[RCF_LANES];
  int32_t cur[RCF_LANES], leaf[RCF_LANES];
  double s[RCF_LANES], rem[RCF_LANES];
  int on[RCF_LANES], depth[RCF_LANES]; /* on: 1 while the lane walks */
  for (int k = 0; k < RCF_LANES; k++) {
    q[k] = ck->q + (size_t)(k < n ? pts[k] : pts[0]) * (size_t)f->dim;
    cur[k] = t->root;
    leaf[k] = t->root;
    s[k] = 0;
    rem[k] = 1;
    on[k] = k < n;
    depth[k] = 0;
  }
  if (t->root >= 0) {
    for (int d = 0;; d++) {
      int live = 0;
#pragma GCC unroll 4
      for (int k = 0; k < RCF_LANES; k++) {
        const rcf_node *nd = (const rcf_node *)(t->nodes + (size_t)cur[k] * node_size);
        double gap, width;
        separation(q[k], nd->box, dim, &gap, &width);
        double p = gap / width * (double)on[k];
        s[k] += rem[k] * p * inv[d];
        rem[k] -= rem[k] * p;
        int32_t next = nd->child[(fixed_dim == 1 ? q[k][0] : q[k][t->node_dim[cur[k]]]) > nd->cut];
        int is_leaf = next < 0, ends = on[k] & is_leaf, goes = on[k] & !is_leaf;
        leaf[k] = ends ? next : leaf[k];
        depth[k] = ends ? d + 1 : depth[k];
        cur[k] = goes ? next : cur[k];
        on[k] = goes;
        live |= goes;
        __builtin_prefetch(t->nodes + (size_t)cur[k] * node_size);
      }
      if (!live) break;
    }
  }
  for (int k = 0; k < n; k++)
    ck->score[pts[k]] += s[k] + leaf_part(f, t, q[k], leaf[k], depth[k], rem[k], NULL, NULL);
}

/* Up to this many dimensions the branch-free walk wins; beyond, its lanes that are done cost
 * more (each visit reads a larger box) than the branches it saves (measured: 1 and 4
 * dimensions faster, 16 slower). */
#define RCF_FAST_DIMS 8

static void walk(rcf_forest *f, const rcf_tree *t, const int *pts, int n, bool attribute) {
  if (attribute)
    walk_lanes(f, t, pts, n, true, 0);
  else if (f->dim == 1)
    walk_lanes_fast(f, t, pts, n, 1);
  else if (f->dim <= RCF_FAST_DIMS)
    walk_lanes_fast(f, t, pts, n, 0);
  else
    walk_lanes(f, t, pts, n, false, 0);
}

/*
 * Tree t takes the chunk's points in order: each scored point is walked before the tree
 * changes for a later one. Points go in groups of up to RCF_LANES walked together; a group
 * ends with a point that enters the sample (the tree changes after its walk).
 */
static void tree_chunk(rcf_forest *f, rcf_tree *t, bool attribute) {
  const rcf_chunk *ck = &f->k;
  for (int i = 0; i < ck->n;) {
    int pts[RCF_LANES], n = 0, enters = -1;
    double key = 0;
    while (n < RCF_LANES && i < ck->n && enters < 0) {
      if (ck->scored[i]) pts[n++] = i;
      if (sample_decide(f, t, i, &key)) enters = i;
      i++;
    }
    if (n) walk(f, t, pts, n, attribute);
    if (enters >= 0) sample_enter(f, t, enters, key);
  }
}

/* ------------------------------------------------------------ per row -- */

/* Where each value of the row lies against its column's recent mean (before the row). */
static void explain_direction(const rcf_forest *f, const double *row, rcf_explanation *ex) {
  for (int c = 0; c < f->c.columns; c++) {
    double d = row[c] - f->mean[c], sd = sqrt(f->var[c]);
    ex->direction[c] = d > 0 ? 1 : -1;
    double z = sd > 0 ? fabs(d) / sd : d != 0 ? INFINITY : 0;
    ex->strength[c] = z < 1e6 ? z : 1e6;
  }
}

/* Adds the row to the columns' means and variances: equal weights for the first time_decay
 * rows, then exponential forgetting (West's weighted update). */
static void track_columns(rcf_forest *f, const double *row) {
  double w = f->rows < f->c.time_decay ? 1.0 / (double)f->rows : 1.0 / (double)f->c.time_decay;
  for (int c = 0; c < f->c.columns; c++) {
    double d = row[c] - f->mean[c];
    f->mean[c] += w * d;
    f->var[c] = (1 - w) * (f->var[c] + w * d * d);
  }
}

/*
 * Takes rows [from, ...) of the batch into the chunk until it holds RCF_CHUNK points or the
 * batch ends: shingles, directions and strengths, scored flags, the sampler's clock. Returns
 * the row after the last one taken.
 */
static int fill_chunk(rcf_forest *f, const double *rows, int from, int nrows, double *scores,
                      rcf_explanation *ex) {
  const int cols = f->c.columns, sh = f->c.shingle;
  rcf_chunk *ck = &f->k;
  ck->n = 0;
  int r = from;
  for (; r < nrows && ck->n < RCF_CHUNK; r++) {
    const double *row = rows + (size_t)r * (size_t)cols;
    scores[r] = 0;
    if (ex) memset(&ex[r], 0, sizeof ex[r]);
    memcpy(f->ring + (size_t)f->ring_pos * (size_t)cols, row, sizeof *row * (size_t)cols);
    f->ring_pos = (f->ring_pos + 1) % sh;
    int64_t position = f->points + ck->n; /* of this row's point, if it makes one */
    bool scored = f->rows >= sh - 1 && position >= f->c.sample;
    if (ex && scored) explain_direction(f, row, &ex[r]);
    f->rows++;
    track_columns(f, row);
    if (f->rows < sh) continue;
    /* the point: the last `shingle` rows, oldest first (the oldest is at ring_pos) */
    int i = ck->n++;
    double *q = ck->q + (size_t)i * (size_t)f->dim;
    for (int k = 0; k < sh; k++)
      memcpy(q + (size_t)k * (size_t)cols,
             f->ring + (size_t)((f->ring_pos + k) % sh) * (size_t)cols, sizeof *q * (size_t)cols);
    ck->row[i] = r;
    ck->scored[i] = scored;
    ck->base[i] = position - position % f->rebase;
    ck->age[i] = f->lambda * (double)(position - ck->base[i]);
    ck->growth[i] = exp(ck->age[i]);
    ck->score[i] = 0;
    if (ex) {
      memset(ck->acc_lo + (size_t)i * (size_t)f->dim, 0, sizeof(double) * (size_t)f->dim);
      memset(ck->acc_hi + (size_t)i * (size_t)f->dim, 0, sizeof(double) * (size_t)f->dim);
    }
  }
  return r;
}

/* The chunk's scores (and attributions folded per column, summed over the shingle). */
static void finish_chunk(rcf_forest *f, double *scores, rcf_explanation *ex) {
  const rcf_chunk *ck = &f->k;
  const int cols = f->c.columns;
  for (int i = 0; i < ck->n; i++) {
    if (!ck->scored[i]) continue;
    int r = ck->row[i];
    scores[r] = ck->score[i] * f->scale;
    if (!ex) continue;
    const double *alo = ck->acc_lo + (size_t)i * (size_t)f->dim,
                 *ahi = ck->acc_hi + (size_t)i * (size_t)f->dim;
    for (int j = 0; j < f->dim; j++) {
      ex[r].low[j % cols] += alo[j] * f->scale;
      ex[r].high[j % cols] += ahi[j] * f->scale;
    }
  }
}

/* ------------------------------------------------------------ the forest -- */

int rcf_new(const rcf_config *c, rcf_forest **out, core_error *err) {
  *out = NULL;
  if (c->columns < 1 || c->columns > RCF_MAX_COLUMNS || c->shingle < 1 ||
      c->shingle > RCF_MAX_SHINGLE || c->trees < 1 || c->trees > 1000 || c->sample < 2 ||
      c->sample > 1000 || c->time_decay < 1)
    return core_error_set(err, SLUICE_INVALID,
                          "random cut forest configuration out of range (columns %d, shingle %d, "
                          "trees %d, sample %d, time decay %lld)",
                          c->columns, c->shingle, c->trees, c->sample, (long long)c->time_decay);
  size_t dim = (size_t)c->columns * (size_t)c->shingle, T = (size_t)c->trees, S = (size_t)c->sample;
  size_t node_size = sizeof(rcf_node) + 2 * dim * sizeof(double);
  size_t leaf_size = sizeof(rcf_leaf) + dim * sizeof(double);
  size_t pool = T * ((S - 1) * (node_size + 2 * sizeof(int32_t)) +
                     S * (leaf_size + sizeof(int32_t) + sizeof(double) + sizeof(int32_t)));
  if (pool > RCF_MAX_POOL_BYTES)
    return core_error_set(err, SLUICE_LIMIT,
                          "a random cut forest of %zu trees of %zu points in %zu dimensions needs "
                          "%zu MiB, more than the limit of %zu MiB",
                          T, S, dim, pool >> 20, RCF_MAX_POOL_BYTES >> 20);
  rcf_forest *f = calloc(1, sizeof *f);
  if (!f) goto nomem;
  f->c = *c;
  f->dim = (int)dim;
  f->lambda = 1.0 / (double)c->time_decay;
  f->scale = log2((double)c->sample) / (double)c->trees;
  f->rebase = (int64_t)(RCF_REBASE_SPAN * (double)c->time_decay);
  if (f->rebase < 1) f->rebase = 1;
  f->node_size = node_size;
  f->leaf_size = leaf_size;
  f->pool_bytes = pool;
  f->trees = calloc(T, sizeof *f->trees);
  f->all_nodes = aligned_alloc(64, (T * (S - 1) * node_size + 63) & ~(size_t)63);
  f->all_leaves = aligned_alloc(64, (T * S * leaf_size + 63) & ~(size_t)63);
  f->all_node_dim = malloc(T * (S - 1) * sizeof *f->all_node_dim);
  f->all_node_parent = malloc(T * (S - 1) * sizeof *f->all_node_parent);
  f->all_leaf_parent = malloc(T * S * sizeof *f->all_leaf_parent);
  f->all_key = malloc(T * S * sizeof *f->all_key);
  f->all_entry = malloc(T * S * sizeof *f->all_entry);
  rcf_chunk *ck = &f->k;
  ck->q = malloc(RCF_CHUNK * dim * sizeof *ck->q);
  ck->scored = malloc(RCF_CHUNK * sizeof *ck->scored);
  ck->age = malloc(RCF_CHUNK * sizeof *ck->age);
  ck->growth = malloc(RCF_CHUNK * sizeof *ck->growth);
  ck->base = malloc(RCF_CHUNK * sizeof *ck->base);
  ck->score = malloc(RCF_CHUNK * sizeof *ck->score);
  ck->acc_lo = malloc(RCF_CHUNK * dim * sizeof *ck->acc_lo);
  ck->acc_hi = malloc(RCF_CHUNK * dim * sizeof *ck->acc_hi);
  ck->row = malloc(RCF_CHUNK * sizeof *ck->row);
  f->ring = calloc((size_t)c->shingle * (size_t)c->columns, sizeof *f->ring);
  f->tlo = calloc(dim, sizeof *f->tlo);
  f->thi = calloc(dim, sizeof *f->thi);
  f->inv_depth = malloc((S + 1) * sizeof *f->inv_depth);
  f->log_mass = malloc((S + 1) * sizeof *f->log_mass);
  if (!f->trees || !f->all_nodes || !f->all_leaves || !f->all_node_dim || !f->all_node_parent ||
      !f->all_leaf_parent || !f->all_key || !f->all_entry || !ck->q || !ck->scored || !ck->age ||
      !ck->growth || !ck->base || !ck->score || !ck->acc_lo || !ck->acc_hi || !ck->row ||
      !f->ring || !f->tlo || !f->thi || !f->inv_depth || !f->log_mass)
    goto nomem;
  for (size_t d = 0; d <= S; d++) {
    f->inv_depth[d] = 1.0 / (double)(d + 1);
    f->log_mass[d] = log2((double)d + 1);
  }
  for (size_t i = 0; i < T; i++) {
    rcf_tree *t = &f->trees[i];
    t->nodes = f->all_nodes + i * (S - 1) * node_size;
    t->leaves = f->all_leaves + i * S * leaf_size;
    t->node_dim = f->all_node_dim + i * (S - 1);
    t->node_parent = f->all_node_parent + i * (S - 1);
    t->leaf_parent = f->all_leaf_parent + i * S;
    t->key = f->all_key + i * S;
    t->entry = f->all_entry + i * S;
    t->root = NIL;
    for (size_t k = 0; k < S - 1; k++)
      node_at(f, t, (int32_t)k)->child[0] = k + 2 < S ? (int32_t)(k + 1) : NIL;
    for (size_t k = 0; k < S; k++) {
      rcf_leaf *l = leaf_at(f, t, (int32_t)k);
      l->mass = 0;
      l->next = k + 1 < S ? (int32_t)(k + 1) : NIL;
    }
    /* the tree's own generator: the seed's stream skipped to a place of its own */
    uint64_t sm = c->seed ^ (0xD1B54A32D192ED03ull * (uint64_t)(i + 1));
    for (int k = 0; k < 4; k++) t->rng[k] = splitmix64(&sm);
  }
  *out = f;
  return SLUICE_OK;
nomem:
  rcf_free(f);
  return core_error_set(err, SLUICE_NOMEM, "out of memory");
}

void rcf_free(rcf_forest *f) {
  if (!f) return;
  free(f->trees);
  free(f->all_nodes);
  free(f->all_leaves);
  free(f->all_node_dim);
  free(f->all_node_parent);
  free(f->all_leaf_parent);
  free(f->all_key);
  free(f->all_entry);
  free(f->k.q);
  free(f->k.scored);
  free(f->k.age);
  free(f->k.growth);
  free(f->k.base);
  free(f->k.score);
  free(f->k.acc_lo);
  free(f->k.acc_hi);
  free(f->k.row);
  free(f->ring);
  free(f->tlo);
  free(f->thi);
  free(f->inv_depth);
  free(f->log_mass);
  free(f);
}

int64_t rcf_rows(const rcf_forest *f) {
  return f->rows;
}

bool rcf_ready(const rcf_forest *f) {
  return f->points >= f->c.sample;
}

size_t rcf_memory(const rcf_forest *f) {
  size_t dim = (size_t)f->dim, S = (size_t)f->c.sample;
  size_t chunk = RCF_CHUNK * (3 * dim * sizeof(double) + sizeof(bool) + 3 * sizeof(double) +
                              sizeof(int64_t) + sizeof(int));
  return sizeof *f + (size_t)f->c.trees * sizeof(rcf_tree) + f->pool_bytes + chunk +
         (size_t)f->c.shingle * (size_t)f->c.columns * sizeof(double) + 2 * dim * sizeof(double) +
         2 * (S + 1) * sizeof(double);
}

int rcf_update_batch(rcf_forest *f, const double *rows, int nrows, double *scores,
                     rcf_explanation *ex, core_error *err) {
  const int cols = f->c.columns;
  for (int r = 0; r < nrows; r++)
    for (int c = 0; c < cols; c++)
      if (!isfinite(rows[(size_t)r * (size_t)cols + (size_t)c]))
        return core_error_set(err, SLUICE_INVALID,
                              "random cut forest: value %d of row %d is not a finite number", c + 1,
                              r + 1);
  for (int r = 0; r < nrows;) {
    r = fill_chunk(f, rows, r, nrows, scores, ex);
    for (int i = 0; i < f->c.trees; i++) tree_chunk(f, &f->trees[i], ex != NULL);
    finish_chunk(f, scores, ex);
#ifndef NDEBUG
    int64_t before = f->points;
#endif
    f->points += f->k.n;
#ifndef NDEBUG
    if (before >> 16 != f->points >> 16) rcf_verify(f);
#endif
  }
  return SLUICE_OK;
}

int rcf_update(rcf_forest *f, const double *row, double *score, rcf_explanation *ex,
               core_error *err) {
  return rcf_update_batch(f, row, 1, score, ex, err);
}

/* ---------------------------------------------------------------- verify -- */

#define VERIFY(cond)                                                                               \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: rcf_verify: %s\n", __FILE__, __LINE__, #cond);                       \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* Checks one tree (copies[] and stack[] are scratch). */
static void verify_tree(const rcf_forest *f, const rcf_tree *t, int32_t *copies, int32_t *stack) {
  const int S = f->c.sample;
  VERIFY(t->n >= 0 && t->n <= S);
  if (f->points >= S) VERIFY(t->n == S);
  for (int i = 1; i < t->n; i++) VERIFY(t->key[(i - 1) / 2] >= t->key[i]);
  memset(copies, 0, sizeof *copies * (size_t)S);
  for (int i = 0; i < t->n; i++) {
    VERIFY(t->entry[i] >= 0 && t->entry[i] < S);
    copies[t->entry[i]]++;
  }
  int top = 0, leaves = 0, nodes = 0, mass = 0;
  if (t->root == NIL) {
    VERIFY(t->n == 0);
  } else {
    stack[top++] = t->root;
    VERIFY(parent_of(t, t->root) == NIL);
  }
  while (top) {
    int32_t v = stack[--top];
    if (IS_LEAF(v)) {
      const rcf_leaf *l = leaf_at(f, t, ~v);
      VERIFY(l->mass >= 1 && l->mass == copies[~v]);
      for (int j = 0; j < f->dim; j++) VERIFY(isfinite(l->x[j]));
      mass += l->mass;
      leaves++;
      continue;
    }
    VERIFY(++nodes < S);
    const rcf_node *n = node_at(f, t, v);
    VERIFY(parent_of(t, n->child[0]) == v && parent_of(t, n->child[1]) == v);
    int dim = t->node_dim[v];
    VERIFY(dim >= 0 && dim < f->dim);
    /* the cut separates: child 0's top is at most the cut, child 1's bottom above it */
    VERIFY(bound_of(f, t, n->child[0], dim, 1) <= n->cut);
    VERIFY(bound_of(f, t, n->child[1], dim, 0) > n->cut);
    /* the box is exactly the union of the children's */
    for (int j = 0; j < f->dim; j++) {
      double l0 = bound_of(f, t, n->child[0], j, 0), l1 = bound_of(f, t, n->child[1], j, 0);
      double h0 = bound_of(f, t, n->child[0], j, 1), h1 = bound_of(f, t, n->child[1], j, 1);
      VERIFY(n->box[j] == (l0 < l1 ? l0 : l1));
      VERIFY(n->box[f->dim + j] == (h0 > h1 ? h0 : h1));
    }
    stack[top++] = n->child[0];
    stack[top++] = n->child[1];
  }
  VERIFY(mass == t->n);
  VERIFY(t->root == NIL || nodes == leaves - 1);
  /* the free lists hold the rest */
  int free_leaves = 0, free_nodes = 0;
  for (int32_t l = t->free_leaf; l != NIL; l = leaf_at(f, t, l)->next) {
    VERIFY(leaf_at(f, t, l)->mass == 0);
    VERIFY(++free_leaves <= S);
  }
  for (int32_t n = t->free_node; n != NIL; n = node_at(f, t, n)->child[0]) VERIFY(++free_nodes < S);
  VERIFY(free_leaves + leaves == S);
  VERIFY(free_nodes + nodes == S - 1);
}

void rcf_verify(const rcf_forest *f) {
  int32_t *copies = calloc((size_t)f->c.sample, sizeof *copies);
  int32_t *stack = calloc(2 * (size_t)f->c.sample + 2, sizeof *stack);
  VERIFY(copies && stack);
  for (int i = 0; i < f->c.trees; i++) verify_tree(f, &f->trees[i], copies, stack);
  free(copies);
  free(stack);
}

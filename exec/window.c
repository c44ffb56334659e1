/*
 * window.c — what the window operators share (window_int.h): the key table, the
 * aggregate states of an operator, calendar months.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec/window_int.h"

/* ------------------------------------------------------------ key table -- */

static inline uint64_t combine(uint64_t h, uint64_t v) {
  return (h ^ v) * 0x9e3779b97f4a7c15ull + (h >> 29);
}

/* Bytes of a key value in a record. A string takes [length 8][16 bytes]: up to
 * WIN_INLINE_STR bytes inline, zero-padded, else a pointer to its bytes in blob[id]. */
static size_t repr_size(char r) {
  return r == 's' ? 24 : r == 'x' ? 16 : 8;
}

#define WIN_INLINE_STR 16

static inline uint64_t load64(const void *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  return w;
}

static inline uint64_t load32(const void *p) {
  uint32_t w;
  memcpy(&w, p, sizeof w);
  return w;
}

/* The n <= 16 bytes at p as two little-endian words, zero-padded (what the bytes copied into
 * zeroed memory read as), loading only bytes inside [p, p + n): no memcpy call, no branch per
 * byte. The record of a short string key holds exactly these words. */
static inline void str_words(const char *p, uint32_t n, uint64_t *w0, uint64_t *w1) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const unsigned char *u = (const unsigned char *)p;
  if (n >= 8) {
    *w0 = load64(u);
    *w1 = n > 8 ? load64(u + n - 8) >> (8 * (16 - n)) : 0;
  } else if (n >= 4) {
    *w0 = load32(u) | ((load32(u + n - 4) >> (8 * (8 - n))) << 32);
    *w1 = 0;
  } else {
    *w0 = n ? (uint64_t)u[0] | (uint64_t)u[n >> 1] << (8 * (n >> 1)) |
                  (uint64_t)u[n - 1] << (8 * (n - 1))
            : 0;
    *w1 = 0;
  }
#else
  unsigned char buf[16] = {0};
  memcpy(buf, p, n);
  *w0 = load64(buf);
  *w1 = load64(buf + 8);
#endif
}

/* Whether string x equals the string value at record position p. */
static inline bool str_equal(const unsigned char *p, const core_str *x) {
  uint64_t n = load64(p);
  if (n != x->n) return false;
  if (n <= WIN_INLINE_STR) {
    uint64_t w0, w1;
    str_words(x->p, x->n, &w0, &w1);
    return ((w0 ^ load64(p + 8)) | (w1 ^ load64(p + 16))) == 0;
  }
  const char *a;
  memcpy(&a, p + 8, sizeof a);
  return memcmp(a, x->p, n) == 0;
}

/* The hash of a string: short ones from their words, without a call. */
static inline uint64_t hash_str(const core_str *s) {
  if (s->n > WIN_INLINE_STR) return core_hash64(s->p, s->n, 0x5851f42d);
  uint64_t w0, w1;
  str_words(s->p, s->n, &w0, &w1);
  uint64_t h = (w0 ^ 0x5851f42d4c957f2dull) * 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 32) ^ w1) * 0xd6e8feb86659fd93ull;
  return h ^ (h >> 32) ^ s->n;
}

int win_keys_init(win_keys *k, int nkeys, const int *cols, const core_type *types,
                  core_error *err) {
  memset(k, 0, sizeof *k);
  k->nkeys = nkeys;
  int n = nkeys ? nkeys : 1;
  k->cols = calloc((size_t)n, sizeof *k->cols);
  k->types = calloc((size_t)n, sizeof *k->types);
  k->repr = calloc((size_t)n, 1);
  k->off = calloc((size_t)n, sizeof *k->off);
  k->tab = malloc(64 * sizeof *k->tab);
  if (!k->cols || !k->types || !k->repr || !k->off || !k->tab) {
    win_keys_free(k);
    return core_error_set(err, SLUICE_NOMEM, "out of memory");
  }
  for (int i = 0; i < 64; i++) k->tab[i].id = WIN_NONE;
  k->tmask = 63;
  size_t off = 8 + (((size_t)nkeys + 7) & ~(size_t)7);
  for (int i = 0; i < nkeys; i++) {
    k->cols[i] = cols[i];
    k->types[i] = types[cols[i]];
    k->repr[i] = core_type_repr((core_type_id)k->types[i].id);
    if (k->repr[i] == 's') k->has_strings = true;
    k->off[i] = (uint32_t)off;
    off += repr_size(k->repr[i]);
  }
  k->rec_size = (off + 7) & ~(size_t)7;
  k->one_int = nkeys == 1 && k->repr[0] == 'i';
  k->one_str = nkeys == 1 && k->repr[0] == 's';
  return SLUICE_OK;
}

void win_keys_free(win_keys *k) {
  if (k->blob)
    for (uint32_t i = 0; i < k->cap; i++) free(k->blob[i]);
  free(k->cols);
  free(k->types);
  free(k->repr);
  free(k->off);
  free(k->recs);
  free(k->free_ids);
  free(k->hash);
  free(k->blob);
  free(k->tab);
  memset(k, 0, sizeof *k);
}

size_t win_keys_bytes(const win_keys *k) {
  size_t per = k->rec_size + sizeof(uint32_t) + sizeof(uint64_t) + sizeof(char *);
  return per * k->cap + (k->tmask + 1) * sizeof(win_slot);
}

static inline unsigned char *rec_of(const win_keys *k, uint32_t id) {
  return k->recs + (size_t)id * k->rec_size;
}

static inline uint64_t hash_double(double d) {
  if (d == 0) d = 0; /* -0.0 and 0.0 are one group */
  if (isnan(d)) return 0x7ff8000000000000ull;
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

void win_keys_hash(const win_keys *k, const core_batch *b, const uint16_t *rows, int n,
                   uint64_t *h) {
  for (int j = 0; j < n; j++) h[j] = 0x2545f4914f6cdd1dull;
  for (int i = 0; i < k->nkeys; i++) {
    const core_vec *v = &b->cols[k->cols[i]];
    const uint64_t null_h = 0x6a09e667f3bcc909ull;
#define R(j) (rows ? rows[j] : j)
    switch (k->repr[i]) {
      case 'd':
        for (int j = 0; j < n; j++) {
          int r = R(j);
          h[j] = combine(h[j], v->null[r] ? null_h : hash_double(v->u.d[r]));
        }
        break;
      case 'x':
        for (int j = 0; j < n; j++) {
          int r = R(j);
          core_u128 x = (core_u128)v->u.dec[r];
          h[j] = v->null[r] ? combine(h[j], null_h)
                            : combine(combine(h[j], (uint64_t)x), (uint64_t)(x >> 64));
        }
        break;
      case 's':
        for (int j = 0; j < n; j++) {
          int r = R(j);
          h[j] = combine(h[j], v->null[r] ? null_h : hash_str(&v->u.s[r]));
        }
        break;
      default:
        for (int j = 0; j < n; j++) {
          int r = R(j);
          h[j] = combine(h[j], v->null[r] ? null_h : (uint64_t)v->u.i[r]);
        }
    }
#undef R
  }
}

static bool key_equal(const win_keys *k, const unsigned char *rec, const core_batch *b, int row) {
  for (int i = 0; i < k->nkeys; i++) {
    const core_vec *v = &b->cols[k->cols[i]];
    bool vn = v->null[row] != 0, kn = rec[8 + i] != 0;
    if (vn || kn) {
      if (vn != kn) return false;
      continue;
    }
    const unsigned char *p = rec + k->off[i];
    switch (k->repr[i]) {
      case 'd': {
        double a, x = v->u.d[row];
        memcpy(&a, p, sizeof a);
        if (!(a == x || (isnan(a) && isnan(x)))) return false;
        break;
      }
      case 'x': {
        core_i128 a;
        memcpy(&a, p, sizeof a);
        if (a != v->u.dec[row]) return false;
        break;
      }
      case 's':
        if (!str_equal(p, &v->u.s[row])) return false;
        break;
      default: {
        int64_t a;
        memcpy(&a, p, sizeof a);
        if (a != v->u.i[row]) return false;
      }
    }
  }
  return true;
}

static int grow_ids(win_keys *k) {
  uint32_t cap = k->cap ? k->cap * 2 : 64;
#define GROW(p, sz)                                                                                \
  do {                                                                                             \
    void *q_ = realloc((p), (size_t)cap * (sz));                                                   \
    if (!q_) return SLUICE_NOMEM;                                                                  \
    memset((char *)q_ + (size_t)k->cap * (sz), 0, (size_t)(cap - k->cap) * (sz));                  \
    (p) = q_;                                                                                      \
  } while (0)
  GROW(k->recs, k->rec_size);
  GROW(k->hash, sizeof *k->hash);
  GROW(k->free_ids, sizeof *k->free_ids);
  if (k->has_strings) GROW(k->blob, sizeof *k->blob);
#undef GROW
  k->cap = cap;
  return SLUICE_OK;
}

static int grow_table(win_keys *k) {
  uint32_t size = (k->tmask + 1) * 2;
  win_slot *t = malloc((size_t)size * sizeof *t);
  if (!t) return SLUICE_NOMEM;
  for (uint32_t i = 0; i < size; i++) t[i].id = WIN_NONE;
  for (uint32_t i = 0; i <= k->tmask; i++) {
    if (k->tab[i].id == WIN_NONE) continue;
    uint32_t j = (uint32_t)k->tab[i].hash & (size - 1);
    while (t[j].id != WIN_NONE) j = (j + 1) & (size - 1);
    t[j] = k->tab[i];
  }
  free(k->tab);
  k->tab = t;
  k->tmask = size - 1;
  return SLUICE_OK;
}

/* Copies the key values of row `row` of b (and the tag) into id's record. */
static int store_key(win_keys *k, uint32_t id, uint64_t tag, const core_batch *b, int row) {
  size_t bytes = 0;
  for (int i = 0; i < k->nkeys; i++) {
    const core_vec *v = &b->cols[k->cols[i]];
    if (k->repr[i] == 's' && !v->null[row] && v->u.s[row].n > WIN_INLINE_STR)
      bytes += v->u.s[row].n;
  }
  char *blob = NULL;
  if (bytes) {
    blob = malloc(bytes);
    if (!blob) return SLUICE_NOMEM;
  }
  if (k->has_strings) k->blob[id] = blob;
  unsigned char *rec = rec_of(k, id);
  memset(rec, 0, k->rec_size);
  memcpy(rec, &tag, sizeof tag);
  size_t off = 0;
  for (int i = 0; i < k->nkeys; i++) {
    const core_vec *v = &b->cols[k->cols[i]];
    unsigned char *p = rec + k->off[i];
    rec[8 + i] = v->null[row];
    if (v->null[row]) continue;
    switch (k->repr[i]) {
      case 'd':
        memcpy(p, &v->u.d[row], sizeof(double));
        break;
      case 'x':
        memcpy(p, &v->u.dec[row], sizeof(core_i128));
        break;
      case 's': {
        const core_str *s = &v->u.s[row];
        uint64_t n = s->n;
        memcpy(p, &n, sizeof n);
        if (n <= WIN_INLINE_STR) {
          if (n) memcpy(p + 8, s->p, n); /* the rest stays zero: str_words reads it so */
        } else {
          char *q = blob + off;
          memcpy(q, s->p, n);
          memcpy(p + 8, &q, sizeof q);
          off += n;
        }
        break;
      }
      default:
        memcpy(p, &v->u.i[row], sizeof(int64_t));
    }
  }
  return SLUICE_OK;
}

int win_keys_find(win_keys *k, const core_batch *b, int row, uint64_t hh, uint64_t tag,
                  uint32_t *id, bool *added) {
  uint32_t j = (uint32_t)hh & k->tmask;
  for (;;) {
    uint32_t x = k->tab[j].id;
    if (x == WIN_NONE) break;
    if (k->tab[j].hash == hh) {
      const unsigned char *rec = rec_of(k, x);
      uint64_t t;
      memcpy(&t, rec, sizeof t);
      bool eq;
      if (k->one_int) { /* the common case, without the loop */
        const core_vec *v = &b->cols[k->cols[0]];
        int64_t a;
        memcpy(&a, rec + k->off[0], sizeof a);
        eq = rec[8] ? v->null[row] != 0 : !v->null[row] && a == v->u.i[row];
      } else if (k->one_str) {
        const core_vec *v = &b->cols[k->cols[0]];
        eq = rec[8] ? v->null[row] != 0 : !v->null[row] && str_equal(rec + k->off[0], &v->u.s[row]);
      } else {
        eq = key_equal(k, rec, b, row);
      }
      if (t == tag && eq) {
        *id = x;
        *added = false;
        return SLUICE_OK;
      }
    }
    j = (j + 1) & k->tmask;
  }
  /* absent: a new id */
  uint32_t nid;
  if (k->nfree) {
    nid = k->free_ids[--k->nfree];
  } else {
    if (k->fresh == k->cap && grow_ids(k)) return SLUICE_NOMEM;
    nid = k->fresh++;
  }
  if (store_key(k, nid, tag, b, row)) {
    k->free_ids[k->nfree++] = nid;
    return SLUICE_NOMEM;
  }
  k->hash[nid] = hh;
  k->tab[j] = (win_slot){hh, nid};
  k->live++;
  *id = nid;
  *added = true;
  if (2 * (k->live + 1) > k->tmask + 1 && grow_table(k)) return SLUICE_NOMEM;
  return SLUICE_OK;
}

void win_keys_remove(win_keys *k, uint32_t id) {
  uint32_t j = (uint32_t)k->hash[id] & k->tmask;
  while (k->tab[j].id != id) j = (j + 1) & k->tmask;
  /* backward-shift deletion: move later entries of the probe run into the hole */
  for (;;) {
    k->tab[j].id = WIN_NONE;
    uint32_t i = j;
    for (;;) {
      i = (i + 1) & k->tmask;
      if (k->tab[i].id == WIN_NONE) goto done;
      uint32_t home = (uint32_t)k->tab[i].hash & k->tmask;
      /* entry i may move to j if j lies cyclically in [home, i) */
      if (((i - home) & k->tmask) >= ((i - j) & k->tmask)) break;
    }
    k->tab[j] = k->tab[i];
    j = i;
  }
done:
  if (k->has_strings) {
    free(k->blob[id]);
    k->blob[id] = NULL;
  }
  k->free_ids[k->nfree++] = id;
  k->live--;
}

void win_keys_put(const win_keys *k, uint32_t id, int key, core_vec *out, int row) {
  const unsigned char *rec = rec_of(k, id), *p = rec + k->off[key];
  out->null[row] = rec[8 + key];
  if (out->null[row]) return;
  switch (k->repr[key]) {
    case 'd':
      memcpy(&out->u.d[row], p, sizeof(double));
      break;
    case 'x':
      memcpy(&out->u.dec[row], p, sizeof(core_i128));
      break;
    case 's': {
      uint64_t n = load64(p);
      const char *s = (const char *)p + 8;
      if (n > WIN_INLINE_STR) memcpy(&s, p + 8, sizeof s);
      out->u.s[row] = (core_str){s, (uint32_t)n};
      break;
    }
    default:
      memcpy(&out->u.i[row], p, sizeof(int64_t));
  }
}

/* ----------------------------------------------------------- aggregates -- */

int win_aggs_init(win_aggs *a, const exec_agg *aggs, int n, const core_type *input_types,
                  int ninput, bool allow_positional, core_error *err) {
  memset(a, 0, sizeof *a);
  a->n = n;
  a->aggs = aggs;
  a->g = calloc((size_t)(n ? n : 1), sizeof *a->g);
  a->impl = calloc((size_t)(n ? n : 1), sizeof *a->impl);
  if (!a->g || !a->impl) {
    win_aggs_free(a);
    return core_error_set(err, SLUICE_NOMEM, "out of memory");
  }
  for (int j = 0; j < n; j++) {
    const exec_agg *x = &aggs[j];
    const char *name = x->fn ? x->fn->name : "(null)";
    a->impl[j] = fn_agg_impl_of(x->fn);
    int rc = SLUICE_OK;
    if (!a->impl[j] || (a->impl[j]->positional && !allow_positional))
      rc = core_error_set(err, SLUICE_UNSUPPORTED, "aggregate %s is not available in windows yet",
                          name);
    else if (x->distinct && !a->impl[j]->ordered)
      rc = core_error_set(err, SLUICE_UNSUPPORTED,
                          "aggregate %s(DISTINCT ...) is not available in windows yet", name);
    else if (x->arg >= ninput || (x->arg < 0 && strcmp(name, "COUNT") != 0))
      rc = core_error_set(err, SLUICE_INTERNAL, "internal: aggregate %s reads column %d of %d",
                          name, x->arg, ninput);
    if (!rc) {
      fn_agg_spec s = {
          .fn = x->fn, .result = x->type, .star = x->arg < 0, .ignore_nulls = x->ignore_nulls};
      if (x->arg >= 0) s.arg = input_types[x->arg];
      rc = fn_agg_groups_new(&s, &a->g[j], err);
    }
    if (rc) {
      win_aggs_free(a);
      return rc;
    }
  }
  return SLUICE_OK;
}

void win_aggs_free(win_aggs *a) {
  if (a->g)
    for (int j = 0; j < a->n; j++) fn_agg_groups_free(a->g[j]);
  free(a->g);
  free(a->impl);
  memset(a, 0, sizeof *a);
}

int win_aggs_reserve(win_aggs *a, uint32_t cap, core_error *err) {
  if (cap <= a->cap) return SLUICE_OK;
  for (int j = 0; j < a->n; j++)
    if (fn_agg_groups_reserve(a->g[j], cap))
      return core_error_set(err, SLUICE_NOMEM, "out of memory");
  a->cap = cap;
  return SLUICE_OK;
}

void win_aggs_clear(win_aggs *a, const uint32_t *ids, size_t n) {
  for (int j = 0; j < a->n; j++) fn_agg_groups_clear(a->g[j], ids, n);
}

int win_aggs_add(win_aggs *a, const core_batch *b, const uint32_t *rows, const uint32_t *ids,
                 size_t n, core_error *err) {
  for (int j = 0; j < a->n; j++) {
    int arg = a->aggs[j].arg;
    if (fn_agg_groups_add(a->g[j], arg >= 0 ? &b->cols[arg] : NULL, rows, ids, n))
      return core_error_set(err, SLUICE_NOMEM, "out of memory");
  }
  return SLUICE_OK;
}

void win_report_bad(exec_ctx *ctx, core_batch *out, const win_aggs *a, uint8_t *const *bad) {
  bool some = false; /* the common case: nothing to report, found by memchr */
  for (int j = 0; j < a->n && !some; j++) some = memchr(bad[j], 1, (size_t)out->n) != NULL;
  if (!some) return;
  int live = core_batch_live(out);
  /* collect first: exec_row_error narrows the selection as we go */
  uint16_t small[64], *rows = small;
  int n = 0, cap = 64;
  for (int k = 0; k < live; k++) {
    int r = core_batch_row(out, k);
    bool any = false;
    for (int j = 0; j < a->n && !any; j++) any = bad[j][r] != 0;
    if (!any) continue;
    if (n == cap) {
      uint16_t *x = malloc(sizeof *x * (size_t)live);
      if (!x) break; /* out of memory: the rest go out as NULL */
      memcpy(x, rows, sizeof *x * (size_t)n);
      rows = x;
      cap = live;
    }
    rows[n++] = (uint16_t)r;
  }
  for (int k = 0; k < n; k++)
    for (int j = 0; j < a->n; j++)
      if (bad[j][rows[k]]) {
        char t[64];
        core_type_format(a->aggs[j].type, t, sizeof t);
        exec_row_error(ctx, out, rows[k], "FunctionError", "the result of %s does not fit %s",
                       a->aggs[j].fn->name, t);
        break;
      }
  if (rows != small) free(rows);
}

/* ---------------------------------------------------------------- time -- */

int64_t win_add_months(int64_t t, int32_t months) {
  const int64_t day = 86400000;
  int64_t days = core_floor_div(t, day), ms = t - days * day;
  int64_t y;
  unsigned m, d;
  core_civil_from_days((int32_t)days, &y, &m, &d);
  int64_t mi = y * 12 + (m - 1) + months;
  int64_t ny = core_floor_div(mi, 12);
  unsigned nm = (unsigned)(mi - ny * 12) + 1;
  static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned last = mdays[nm - 1];
  if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) last = 29;
  if (d > last) d = last;
  return (int64_t)core_days_from_civil(ny, nm, d) * day + ms;
}

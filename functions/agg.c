/*
 * agg.c — aggregate kernels over grouped state (functions.h, "aggregate kernels").
 *
 * A fn_agg_groups is a set of parallel arrays indexed by group id; which arrays
 * exist depends on the kernel kind chosen once from the call site (aggregate,
 * argument representation, result type). Every entry point switches on the kind
 * once and then runs a tight loop over the rows of a batch, so the window
 * operators pay no per-row dispatch.
 *
 * Exact sums (integers, DECIMAL) accumulate in 128 bits: 2^32 rows of 64-bit
 * values cannot overflow them, so add and remove are exact and order-free and
 * only the final conversion to the result type can fail. Approximate sums
 * (REAL, DOUBLE) use Neumaier's compensated summation so that a sliding
 * window's long run of adds and removes does not drift. Variances use
 * Welford's update and its inverse.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "functions/functions.h"

/* ------------------------------------------------------------ the table -- */

static const fn_agg_impl IMPLS[] = {
    {"ANY", true, false, false},         {"AVG", true, false, false},
    {"COUNT", true, false, false},       {"EVERY", true, false, false},
    {"FIRST_VALUE", false, false, true}, {"LAST_VALUE", false, false, true},
    {"MAX", false, true, false},         {"MIN", false, true, false},
    {"STDDEV_POP", true, false, false},  {"STDDEV_SAMP", true, false, false},
    {"SUM", true, false, false},         {"VAR_POP", true, false, false},
    {"VAR_SAMP", true, false, false},
};

const fn_agg_impl *fn_agg_impl_of(const fn_def *f) {
  if (!f) return NULL;
  for (size_t i = 0; i < sizeof IMPLS / sizeof IMPLS[0]; i++)
    if (strcmp(IMPLS[i].name, f->name) == 0) return &IMPLS[i];
  return NULL;
}

/* ------------------------------------------------------------ the state -- */

typedef enum agg_kind {
  K_COUNT_STAR,
  K_COUNT,
  K_SUM_X, /* exact: integers ('i') and DECIMAL ('x') */
  K_SUM_D, /* REAL, DOUBLE */
  K_AVG_X,
  K_AVG_D,
  K_MIN,
  K_MAX,
  K_FIRST,
  K_LAST,
  K_VAR,
  K_ANY,
  K_EVERY,
} agg_kind;

typedef struct agg_str {
  char *p;
  uint32_t n, cap;
} agg_str;

struct fn_agg_groups {
  fn_agg_spec spec;
  agg_kind kind;
  char repr;            /* the argument's representation: 'i', 'd', 'x', 's' */
  int arg_scale;        /* DECIMAL argument scale, else 0 */
  bool var_samp;        /* VAR_SAMP / STDDEV_SAMP */
  bool var_sqrt;        /* STDDEV_* */
  uint8_t fast;         /* put_fast's case, chosen once: see choose_fast() */
  uint32_t cap;         /* ids 0 .. cap-1 are valid */
  int64_t *cnt;         /* rows counted: COUNT, SUM/AVG/ANY/EVERY non-null values */
  core_i128 *xsum;      /* exact sums */
  double *dsum, *dcomp; /* approximate sums and their compensation; VAR: mean, m2 */
  int64_t *ival;
  double *dval;
  core_i128 *xval;
  agg_str *sval;
  uint8_t *has;   /* MIN/MAX/FIRST/LAST: 0 nothing yet, 1 a value, 2 a NULL (RESPECT NULLS) */
  int64_t *ntrue; /* ANY / EVERY */
};

#define ROW(k) (rows ? rows[k] : (uint32_t)(k))

static bool is_exact(core_type_id id) {
  return core_type_is_integer(id) || id == CORE_T_DECIMAL;
}

static int unsupported_type(const fn_agg_spec *s, core_error *err) {
  char t[64];
  core_type_format(s->arg, t, sizeof t);
  return core_error_set(err, SLUICE_UNSUPPORTED, "aggregate %s is not available for %s",
                        s->fn->name, t);
}

/* Chooses the kernel kind for s, or fails with the reason. */
static int choose_kind(fn_agg_groups *g, core_error *err) {
  const fn_agg_spec *s = &g->spec;
  const char *name = s->fn->name;
  core_type_id a = (core_type_id)s->arg.id, r = (core_type_id)s->result.id;
  char rr = core_type_repr(r);
  if (strcmp(name, "COUNT") == 0) {
    g->kind = s->star ? K_COUNT_STAR : K_COUNT;
    if (!core_type_is_integer(r) && r != CORE_T_DECIMAL) goto bad_result;
    return SLUICE_OK;
  }
  if (strcmp(name, "SUM") == 0 || strcmp(name, "AVG") == 0) {
    bool avg = name[0] == 'A';
    if (!core_type_is_numeric(a)) return unsupported_type(s, err);
    if (!core_type_is_numeric(r)) goto bad_result;
    if (is_exact(a))
      g->kind = avg ? K_AVG_X : K_SUM_X;
    else
      g->kind = avg ? K_AVG_D : K_SUM_D;
    return SLUICE_OK;
  }
  if (strcmp(name, "MIN") == 0 || strcmp(name, "MAX") == 0) {
    if (a == CORE_T_NULL || a == CORE_T_ANY || !fn_arg_accepts(FN_A_ORDERED, s->arg))
      return unsupported_type(s, err);
    if (rr != g->repr) goto bad_result;
    g->kind = strcmp(name, "MIN") == 0 ? K_MIN : K_MAX;
    return SLUICE_OK;
  }
  if (strcmp(name, "FIRST_VALUE") == 0 || strcmp(name, "LAST_VALUE") == 0) {
    if (a == CORE_T_NULL || a == CORE_T_ANY) return unsupported_type(s, err);
    if (rr != g->repr) goto bad_result;
    g->kind = name[0] == 'F' ? K_FIRST : K_LAST;
    return SLUICE_OK;
  }
  if (strncmp(name, "VAR_", 4) == 0 || strncmp(name, "STDDEV_", 7) == 0) {
    if (!core_type_is_numeric(a)) return unsupported_type(s, err);
    if (rr != 'd') goto bad_result;
    g->kind = K_VAR;
    g->var_samp = strstr(name, "_SAMP") != NULL;
    g->var_sqrt = name[0] == 'S';
    return SLUICE_OK;
  }
  if (strcmp(name, "ANY") == 0 || strcmp(name, "EVERY") == 0) {
    if (a != CORE_T_BOOLEAN) return unsupported_type(s, err);
    if (r != CORE_T_BOOLEAN) goto bad_result;
    g->kind = name[0] == 'A' ? K_ANY : K_EVERY;
    return SLUICE_OK;
  }
  return core_error_set(err, SLUICE_UNSUPPORTED, "aggregate %s is not available in windows yet",
                        name);
bad_result : {
  char t[64];
  core_type_format(s->result, t, sizeof t);
  return core_error_set(err, SLUICE_INTERNAL, "internal: aggregate %s cannot return %s", name, t);
}
}

static uint8_t choose_fast(const fn_agg_groups *g);

int fn_agg_groups_new(const fn_agg_spec *s, fn_agg_groups **out, core_error *err) {
  *out = NULL;
  if (!s->fn || s->fn->kind == FN_SCALAR || s->fn->kind == FN_TABLE)
    return core_error_set(err, SLUICE_INTERNAL, "internal: %s is not an aggregate",
                          s->fn ? s->fn->name : "(null)");
  fn_agg_groups *g = calloc(1, sizeof *g);
  if (!g) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  g->spec = *s;
  g->repr = s->star ? 'i' : core_type_repr((core_type_id)s->arg.id);
  g->arg_scale = s->arg.id == CORE_T_DECIMAL ? s->arg.scale : 0;
  int rc = choose_kind(g, err);
  if (rc) {
    free(g);
    return rc;
  }
  g->fast = choose_fast(g);
  *out = g;
  return SLUICE_OK;
}

static void free_strings(fn_agg_groups *g) {
  if (!g->sval) return;
  for (uint32_t i = 0; i < g->cap; i++) free(g->sval[i].p);
}

void fn_agg_groups_free(fn_agg_groups *g) {
  if (!g) return;
  free_strings(g);
  free(g->cnt);
  free(g->xsum);
  free(g->dsum);
  free(g->dcomp);
  free(g->ival);
  free(g->dval);
  free(g->xval);
  free(g->sval);
  free(g->has);
  free(g->ntrue);
  free(g);
}

/* Grows *p from old to cap elements of size sz, zeroing the new ones. */
static int grow(void **p, size_t sz, uint32_t old, uint32_t cap) {
  void *q = realloc(*p, sz * cap);
  if (!q) return SLUICE_NOMEM;
  memset((char *)q + sz * old, 0, sz * (cap - old));
  *p = q;
  return SLUICE_OK;
}

int fn_agg_groups_reserve(fn_agg_groups *g, uint32_t n) {
  if (n <= g->cap) return SLUICE_OK;
  uint32_t cap = g->cap ? g->cap : 64;
  while (cap < n) cap *= 2;
  uint32_t old = g->cap;
  bool value = g->kind == K_MIN || g->kind == K_MAX || g->kind == K_FIRST || g->kind == K_LAST;
  int rc = SLUICE_OK;
  if (g->kind != K_MIN && g->kind != K_MAX && g->kind != K_FIRST && g->kind != K_LAST)
    rc |= grow((void **)&g->cnt, sizeof *g->cnt, old, cap);
  if (g->kind == K_SUM_X || g->kind == K_AVG_X)
    rc |= grow((void **)&g->xsum, sizeof *g->xsum, old, cap);
  if (g->kind == K_SUM_D || g->kind == K_AVG_D || g->kind == K_VAR) {
    rc |= grow((void **)&g->dsum, sizeof *g->dsum, old, cap);
    rc |= grow((void **)&g->dcomp, sizeof *g->dcomp, old, cap);
  }
  if (value) {
    rc |= grow((void **)&g->has, 1, old, cap);
    switch (g->repr) {
      case 'd':
        rc |= grow((void **)&g->dval, sizeof *g->dval, old, cap);
        break;
      case 'x':
        rc |= grow((void **)&g->xval, sizeof *g->xval, old, cap);
        break;
      case 's':
        rc |= grow((void **)&g->sval, sizeof *g->sval, old, cap);
        break;
      default:
        rc |= grow((void **)&g->ival, sizeof *g->ival, old, cap);
    }
  }
  if (g->kind == K_ANY || g->kind == K_EVERY)
    rc |= grow((void **)&g->ntrue, sizeof *g->ntrue, old, cap);
  if (rc) return SLUICE_NOMEM; /* arrays that did grow keep their larger size: harmless */
  g->cap = cap;
  return SLUICE_OK;
}

void fn_agg_groups_clear(fn_agg_groups *g, const uint32_t *gids, size_t n) {
  for (size_t k = 0; k < n; k++) {
    uint32_t i = gids[k];
    if (g->cnt) g->cnt[i] = 0;
    if (g->xsum) g->xsum[i] = 0;
    if (g->dsum) g->dsum[i] = g->dcomp[i] = 0;
    if (g->has) g->has[i] = 0;
    if (g->ntrue) g->ntrue[i] = 0;
    if (g->sval) {
      /* keep small buffers for reuse; give back big ones */
      if (g->sval[i].cap > 256) {
        free(g->sval[i].p);
        g->sval[i] = (agg_str){0};
      }
      g->sval[i].n = 0;
    }
  }
}

size_t fn_agg_groups_bytes(const fn_agg_groups *g) {
  size_t per = 0;
  if (g->cnt) per += sizeof *g->cnt;
  if (g->xsum) per += sizeof *g->xsum;
  if (g->dsum) per += 2 * sizeof *g->dsum;
  if (g->ival) per += sizeof *g->ival;
  if (g->dval) per += sizeof *g->dval;
  if (g->xval) per += sizeof *g->xval;
  if (g->sval) per += sizeof *g->sval;
  if (g->has) per += 1;
  if (g->ntrue) per += sizeof *g->ntrue;
  size_t bytes = sizeof *g + per * g->cap;
  if (g->sval)
    for (uint32_t i = 0; i < g->cap; i++) bytes += g->sval[i].cap;
  return bytes;
}

/* ------------------------------------------------- single-value helpers -- */

static inline void neumaier(double *s, double *c, double x) {
  double t = *s + x;
  if (fabs(*s) >= fabs(x))
    *c += (*s - t) + x;
  else
    *c += (x - t) + *s;
  *s = t;
}

static inline core_i128 exact_of(const core_vec *v, char repr, uint32_t r) {
  return repr == 'x' ? v->u.dec[r] : (core_i128)v->u.i[r];
}

static double pow10d(int n) {
  double p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

static core_i128 pow10x(int n) {
  core_i128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

static inline double approx_of(const fn_agg_groups *g, const core_vec *v, uint32_t r) {
  switch (g->repr) {
    case 'd':
      return v->u.d[r];
    case 'x':
      return (double)v->u.dec[r] / pow10d(g->arg_scale);
    default:
      return (double)v->u.i[r];
  }
}

static int str_set(agg_str *s, const char *p, uint32_t n) {
  if (n > s->cap || !s->p) {
    uint32_t cap = s->cap ? s->cap : 16;
    while (cap < n) cap *= 2;
    char *q = realloc(s->p, cap);
    if (!q) return SLUICE_NOMEM;
    s->p = q;
    s->cap = cap;
  }
  if (n) memcpy(s->p, p, n);
  s->n = n;
  return SLUICE_OK;
}

static inline int str_cmp(const char *a, uint32_t an, const char *b, uint32_t bn) {
  uint32_t m = an < bn ? an : bn;
  int c = m ? memcmp(a, b, m) : 0;
  if (c) return c;
  return an < bn ? -1 : an > bn;
}

/* ------------------------------------------------------------- results -- */

static bool int_fits(core_type_id id, core_i128 v) {
  switch (id) {
    case CORE_T_TINYINT:
      return v >= -128 && v <= 127;
    case CORE_T_SMALLINT:
      return v >= -32768 && v <= 32767;
    case CORE_T_INTEGER:
      return v >= INT32_MIN && v <= INT32_MAX;
    default:
      return v >= INT64_MIN && v <= INT64_MAX;
  }
}

/* Divides toward zero by 10^n. */
static core_i128 unscale(core_i128 v, int n) {
  return n > 0 ? v / pow10x(n) : v;
}

/*
 * Writes the exact value v (scale vscale) divided by div (1 for a sum) to row r of out, in
 * out's type: integers and DECIMAL are truncated toward zero, REAL/DOUBLE rounded. Returns
 * false when it does not fit the type.
 */
static bool put_exact(core_i128 v, int vscale, int64_t div, core_vec *out, int r) {
  core_type t = out->type;
  out->null[r] = 0;
  switch (t.id) {
    case CORE_T_REAL:
    case CORE_T_DOUBLE: {
      double d = (double)v / pow10d(vscale) / (double)div;
      if (t.id == CORE_T_REAL) {
        float f = (float)d;
        if (isinf(f) && !isinf(d)) return false;
        d = f;
      }
      out->u.d[r] = d;
      return true;
    }
    case CORE_T_DECIMAL: {
      int s = t.scale;
      core_i128 x = v;
      if (s > vscale) {
        if (__builtin_mul_overflow(x, pow10x(s - vscale), &x)) return false;
      } else {
        x = unscale(x, vscale - s);
      }
      x /= div;
      int p = t.precision > 0 && t.precision <= 38 ? t.precision : 38;
      core_i128 lim = pow10x(p);
      if (x >= lim || x <= -lim) return false;
      out->u.dec[r] = x;
      return true;
    }
    default: {
      core_i128 x = unscale(v, vscale) / div; /* integer results drop the fraction */
      if (!int_fits((core_type_id)t.id, x)) return false;
      out->u.i[r] = (int64_t)x;
      return true;
    }
  }
}

/* Row r of out := the result of group i. Returns false when it does not fit. */
static int put_result(const fn_agg_groups *g, uint32_t i, core_vec *out, int r, bool *fits,
                      core_arena *heap) {
  *fits = true;
  out->null[r] = 1;
  switch (g->kind) {
    case K_COUNT_STAR:
    case K_COUNT:
      *fits = put_exact(g->cnt[i], 0, 1, out, r);
      break;
    case K_SUM_X:
      if (g->cnt[i]) *fits = put_exact(g->xsum[i], g->arg_scale, 1, out, r);
      break;
    case K_AVG_X:
      if (g->cnt[i]) *fits = put_exact(g->xsum[i], g->arg_scale, g->cnt[i], out, r);
      break;
    case K_SUM_D:
    case K_AVG_D:
      if (g->cnt[i]) {
        double d = g->dsum[i] + g->dcomp[i];
        if (g->kind == K_AVG_D) d /= (double)g->cnt[i];
        if (out->type.id == CORE_T_REAL) {
          float f = (float)d;
          if (isinf(f) && !isinf(d)) *fits = false;
          d = f;
        }
        if (*fits) {
          out->null[r] = 0;
          out->u.d[r] = d;
        }
      }
      break;
    case K_VAR: {
      int64_t n = g->cnt[i];
      if (n == 0 || (g->var_samp && n == 1)) break;
      double m2 = g->dcomp[i] > 0 ? g->dcomp[i] : 0;
      double v = m2 / (double)(g->var_samp ? n - 1 : n);
      out->null[r] = 0;
      out->u.d[r] = g->var_sqrt ? sqrt(v) : v;
      break;
    }
    case K_ANY:
    case K_EVERY:
      if (g->cnt[i]) {
        out->null[r] = 0;
        out->u.i[r] = g->kind == K_ANY ? g->ntrue[i] > 0 : g->ntrue[i] == g->cnt[i];
      }
      break;
    default: /* MIN, MAX, FIRST, LAST */
      if (g->has[i] != 1) break;
      out->null[r] = 0;
      switch (g->repr) {
        case 'd':
          out->u.d[r] = g->dval[i];
          break;
        case 'x':
          out->u.dec[r] = g->xval[i];
          break;
        case 's': {
          const agg_str *s = &g->sval[i];
          const char *p = s->n ? s->p : "";
          if (heap && s->n) {
            char *q = core_arena_alloc(heap, s->n);
            if (!q) return SLUICE_NOMEM;
            memcpy(q, s->p, s->n);
            p = q;
          }
          out->u.s[r] = (core_str){p, s->n};
          break;
        }
        default:
          out->u.i[r] = g->ival[i];
      }
  }
  if (!*fits) out->null[r] = 1;
  return SLUICE_OK;
}

/* Which results put_fast() handles (chosen when the state is made). */
enum { FAST_NONE, FAST_COUNT, FAST_EXACT_INT, FAST_APPROX_DOUBLE };

static uint8_t choose_fast(const fn_agg_groups *g) {
  core_type_id rt = (core_type_id)g->spec.result.id;
  switch (g->kind) {
    case K_COUNT_STAR:
    case K_COUNT:
      return rt == CORE_T_BIGINT ? FAST_COUNT : FAST_NONE;
    case K_SUM_X:
    case K_AVG_X:
      return !g->arg_scale && core_type_is_integer(rt) ? FAST_EXACT_INT : FAST_NONE;
    case K_SUM_D:
    case K_AVG_D:
      return rt == CORE_T_DOUBLE ? FAST_APPROX_DOUBLE : FAST_NONE;
    default:
      return FAST_NONE;
  }
}

/* The common results without the general conversion: exact sums and counts into a 64-bit
 * integer type, approximate sums into DOUBLE. Returns false when it does not apply (the
 * caller takes put_result). *fits as put_result. */
static inline __attribute__((always_inline)) bool put_fast(const fn_agg_groups *g, uint32_t i,
                                                           core_vec *out, int r, bool *fits) {
  core_type_id rt = (core_type_id)out->type.id;
  switch (g->fast) {
    case FAST_COUNT:
      out->null[r] = 0;
      out->u.i[r] = g->cnt[i];
      *fits = true;
      return true;
    case FAST_EXACT_INT: {
      core_i128 v = g->xsum[i];
      if (v < INT64_MIN || v > INT64_MAX) return false;
      *fits = true;
      if (!g->cnt[i]) {
        out->null[r] = 1;
        return true;
      }
      int64_t x = (int64_t)v;
      if (g->kind == K_AVG_X) x /= g->cnt[i];
      if (rt != CORE_T_BIGINT && !int_fits(rt, x)) {
        out->null[r] = 1;
        *fits = false;
        return true;
      }
      out->null[r] = 0;
      out->u.i[r] = x;
      return true;
    }
    case FAST_APPROX_DOUBLE:
      *fits = true;
      if (!g->cnt[i]) {
        out->null[r] = 1;
        return true;
      }
      out->null[r] = 0;
      out->u.d[r] = (g->dsum[i] + g->dcomp[i]) / (g->kind == K_AVG_D ? (double)g->cnt[i] : 1.0);
      return true;
    default:
      return false;
  }
}

int fn_agg_groups_result(const fn_agg_groups *g, const uint32_t *gids, size_t n, core_vec *out,
                         int row0, uint8_t *bad, core_arena *heap) {
  for (size_t k = 0; k < n; k++) {
    bool fits;
    if (!put_fast(g, gids[k], out, row0 + (int)k, &fits)) {
      int rc = put_result(g, gids[k], out, row0 + (int)k, &fits, heap);
      if (rc) return rc;
    }
    if (bad) bad[row0 + (int)k] = !fits;
  }
  return SLUICE_OK;
}

/* ---------------------------------------------------------------- add -- */

/* MIN / MAX / FIRST / LAST of one value (not NULL unless FIRST/LAST respect NULLs). */
static int put_value(fn_agg_groups *g, uint32_t i, const core_vec *v, uint32_t r) {
  if (v->null[r]) {
    g->has[i] = 2;
    return SLUICE_OK;
  }
  g->has[i] = 1;
  switch (g->repr) {
    case 'd':
      g->dval[i] = v->u.d[r];
      return SLUICE_OK;
    case 'x':
      g->xval[i] = v->u.dec[r];
      return SLUICE_OK;
    case 's':
      return str_set(&g->sval[i], v->u.s[r].p, v->u.s[r].n);
    default:
      g->ival[i] = v->u.i[r];
      return SLUICE_OK;
  }
}

/* The loop of MIN (sign 1) or MAX (sign -1) for one representation. */
#define MINMAX_LOOP(VAL, ARR)                                                                      \
  for (size_t k = 0; k < n; k++) {                                                                 \
    uint32_t r = ROW(k), i = gids[k];                                                              \
    if (v->null[r]) continue;                                                                      \
    if (!g->has[i] || (sign > 0 ? v->u.VAL[r] < g->ARR[i] : v->u.VAL[r] > g->ARR[i])) {            \
      g->ARR[i] = v->u.VAL[r];                                                                     \
      g->has[i] = 1;                                                                               \
    }                                                                                              \
  }

static int add_minmax(fn_agg_groups *g, const core_vec *v, const uint32_t *rows,
                      const uint32_t *gids, size_t n, int sign) {
  switch (g->repr) {
    case 'd':
      MINMAX_LOOP(d, dval);
      return SLUICE_OK;
    case 'x':
      MINMAX_LOOP(dec, xval);
      return SLUICE_OK;
    case 's':
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (v->null[r]) continue;
        const core_str *x = &v->u.s[r];
        if (g->has[i]) {
          int c = str_cmp(x->p, x->n, g->sval[i].p, g->sval[i].n);
          if (sign > 0 ? c >= 0 : c <= 0) continue;
        }
        if (str_set(&g->sval[i], x->p, x->n)) return SLUICE_NOMEM;
        g->has[i] = 1;
      }
      return SLUICE_OK;
    default:
      MINMAX_LOOP(i, ival);
      return SLUICE_OK;
  }
}

int fn_agg_groups_add(fn_agg_groups *g, const core_vec *v, const uint32_t *rows,
                      const uint32_t *gids, size_t n) {
  switch (g->kind) {
    case K_COUNT_STAR:
      for (size_t k = 0; k < n; k++) g->cnt[gids[k]]++;
      return SLUICE_OK;
    case K_COUNT:
      for (size_t k = 0; k < n; k++) g->cnt[gids[k]] += !v->null[ROW(k)];
      return SLUICE_OK;
    case K_SUM_X:
    case K_AVG_X:
      if (g->repr == 'x') {
        for (size_t k = 0; k < n; k++) {
          uint32_t r = ROW(k), i = gids[k];
          if (v->null[r]) continue;
          g->xsum[i] += v->u.dec[r];
          g->cnt[i]++;
        }
      } else {
        for (size_t k = 0; k < n; k++) {
          uint32_t r = ROW(k), i = gids[k];
          if (v->null[r]) continue;
          g->xsum[i] += v->u.i[r];
          g->cnt[i]++;
        }
      }
      return SLUICE_OK;
    case K_SUM_D:
    case K_AVG_D:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (v->null[r]) continue;
        neumaier(&g->dsum[i], &g->dcomp[i], approx_of(g, v, r));
        g->cnt[i]++;
      }
      return SLUICE_OK;
    case K_VAR:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (v->null[r]) continue;
        double x = approx_of(g, v, r);
        double *mean = &g->dsum[i], *m2 = &g->dcomp[i];
        int64_t c = ++g->cnt[i];
        double d = x - *mean;
        *mean += d / (double)c;
        *m2 += d * (x - *mean);
      }
      return SLUICE_OK;
    case K_ANY:
    case K_EVERY:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (v->null[r]) continue;
        g->cnt[i]++;
        g->ntrue[i] += v->u.i[r] != 0;
      }
      return SLUICE_OK;
    case K_MIN:
      return add_minmax(g, v, rows, gids, n, 1);
    case K_MAX:
      return add_minmax(g, v, rows, gids, n, -1);
    case K_FIRST:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (g->has[i] == 1 || (g->has[i] == 2 && !g->spec.ignore_nulls)) continue;
        if (v->null[r] && g->spec.ignore_nulls) continue;
        if (put_value(g, i, v, r)) return SLUICE_NOMEM;
      }
      return SLUICE_OK;
    case K_LAST:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k);
        if (v->null[r] && g->spec.ignore_nulls) continue;
        if (put_value(g, gids[k], v, r)) return SLUICE_NOMEM;
      }
      return SLUICE_OK;
  }
  return SLUICE_INTERNAL;
}

/* ------------------------------------------------------------- remove -- */

static inline void var_remove(fn_agg_groups *g, uint32_t i, double x) {
  double *mean = &g->dsum[i], *m2 = &g->dcomp[i];
  int64_t c = --g->cnt[i];
  if (c <= 0) {
    g->cnt[i] = 0;
    *mean = *m2 = 0;
    return;
  }
  double d = x - *mean;
  *mean -= d / (double)c;
  *m2 -= d * (x - *mean);
}

int fn_agg_groups_remove(fn_agg_groups *g, const core_vec *v, const uint32_t *rows,
                         const uint32_t *gids, size_t n) {
  switch (g->kind) {
    case K_COUNT_STAR:
      for (size_t k = 0; k < n; k++) g->cnt[gids[k]]--;
      return SLUICE_OK;
    case K_COUNT:
      for (size_t k = 0; k < n; k++) g->cnt[gids[k]] -= !v->null[ROW(k)];
      return SLUICE_OK;
    case K_SUM_X:
    case K_AVG_X:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (v->null[r]) continue;
        g->xsum[i] -= exact_of(v, g->repr, r);
        g->cnt[i]--;
      }
      return SLUICE_OK;
    case K_SUM_D:
    case K_AVG_D:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (v->null[r]) continue;
        /* the last value out leaves exactly nothing, whatever rounding happened */
        if (--g->cnt[i] == 0)
          g->dsum[i] = g->dcomp[i] = 0;
        else
          neumaier(&g->dsum[i], &g->dcomp[i], -approx_of(g, v, r));
      }
      return SLUICE_OK;
    case K_VAR:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k);
        if (!v->null[r]) var_remove(g, gids[k], approx_of(g, v, r));
      }
      return SLUICE_OK;
    case K_ANY:
    case K_EVERY:
      for (size_t k = 0; k < n; k++) {
        uint32_t r = ROW(k), i = gids[k];
        if (v->null[r]) continue;
        g->cnt[i]--;
        g->ntrue[i] -= v->u.i[r] != 0;
      }
      return SLUICE_OK;
    default:
      return SLUICE_INTERNAL;
  }
}

/* ---------------------------------------------------------------- run -- */

/*
 * The hot kernels of sliding windows get their own loop; the others apply each step
 * through the batch entry points with n = 1 (UNBOUNDED frames only, where MIN, MAX,
 * FIRST_VALUE and LAST_VALUE need no removal).
 */
#define RUN_LOOP(ADD, REM)                                                                         \
  for (size_t k = 0; k < n; k++) {                                                                 \
    uint32_t i = steps[k].gid, r = steps[k].row;                                                   \
    switch (steps[k].op) {                                                                         \
      case FN_AGG_ADD:                                                                             \
        ADD;                                                                                       \
        break;                                                                                     \
      case FN_AGG_REMOVE:                                                                          \
        REM;                                                                                       \
        break;                                                                                     \
      default: {                                                                                   \
        bool fits;                                                                                 \
        if (!put_fast(g, i, out, (int)r, &fits)) {                                                 \
          int rc = put_result(g, i, out, (int)r, &fits, heap);                                     \
          if (rc) return rc;                                                                       \
        }                                                                                          \
        if (bad) bad[r] = !fits;                                                                   \
      }                                                                                            \
    }                                                                                              \
  }

int fn_agg_groups_run(fn_agg_groups *g, const fn_agg_step *steps, size_t n, const core_vec *add,
                      const core_vec *rem, core_vec *out, uint8_t *bad, core_arena *heap) {
  switch (g->kind) {
    case K_COUNT_STAR:
      RUN_LOOP(g->cnt[i]++, g->cnt[i]--);
      return SLUICE_OK;
    case K_COUNT:
      RUN_LOOP(g->cnt[i] += !add->null[r], g->cnt[i] -= !rem->null[r]);
      return SLUICE_OK;
    case K_SUM_X:
    case K_AVG_X:
      if (g->repr == 'x') {
        RUN_LOOP(
            if (!add->null[r]) {
              g->xsum[i] += add->u.dec[r];
              g->cnt[i]++;
            },
            if (!rem->null[r]) {
              g->xsum[i] -= rem->u.dec[r];
              g->cnt[i]--;
            });
      } else {
        RUN_LOOP(
            if (!add->null[r]) {
              g->xsum[i] += add->u.i[r];
              g->cnt[i]++;
            },
            if (!rem->null[r]) {
              g->xsum[i] -= rem->u.i[r];
              g->cnt[i]--;
            });
      }
      return SLUICE_OK;
    case K_SUM_D:
    case K_AVG_D:
      RUN_LOOP(
          if (!add->null[r]) {
            neumaier(&g->dsum[i], &g->dcomp[i], approx_of(g, add, r));
            g->cnt[i]++;
          },
          if (!rem->null[r]) {
            if (--g->cnt[i] == 0)
              g->dsum[i] = g->dcomp[i] = 0;
            else
              neumaier(&g->dsum[i], &g->dcomp[i], -approx_of(g, rem, r));
          });
      return SLUICE_OK;
    default:
      for (size_t k = 0; k < n; k++) {
        uint32_t i = steps[k].gid, r = steps[k].row;
        int rc;
        switch (steps[k].op) {
          case FN_AGG_ADD:
            rc = fn_agg_groups_add(g, add, &r, &i, 1);
            break;
          case FN_AGG_REMOVE:
            rc = fn_agg_groups_remove(g, rem, &r, &i, 1);
            break;
          default: {
            bool fits;
            rc = put_result(g, i, out, (int)r, &fits, heap);
            if (bad) bad[r] = !fits;
          }
        }
        if (rc) return rc;
      }
      return SLUICE_OK;
  }
}

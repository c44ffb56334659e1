/*
 * expr_ops.c — the kernels of expression programs (expr_int.h): arithmetic,
 * comparisons, three-valued logic, selection splits for lazy evaluation,
 * concatenation, LIKE / SIMILAR TO, datetime arithmetic and the bridge to the
 * function kernels of functions/.
 *
 * Each kernel is one loop over the rows of its selection. Arithmetic loops
 * compute every row without branches and collect an "a row failed" flag; only
 * when it is set does a second loop find and report the failing rows.
 */
#include <math.h>
#include <stdio.h>

#include "exec/expr_int.h"

void x_fail(xrun *r, int reg, int i, const char *name, const char *fmt, ...) {
  if (reg >= 0) XR(r, reg)->null[i] = 1;
  exec_expr *x = r->x;
  if (x->dead[i]) return;
  x->dead[i] = 1;
  x->dirty = true;
  r->nfail++;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  exec_row_error(r->ctx, r->in, r->base + i, name, "%s", msg);
}

static const char *type_name(int64_t id) {
  return core_type_name((core_type_id)id);
}

/* ======================================================== integers == */

#define BIN_SETUP(T, field)                                                                        \
  const core_vec *A = XR(r, s->a), *B = XR(r, s->b);                                               \
  core_vec *O = XR(r, s->out);                                                                     \
  const T *a = A->u.field, *b = B->u.field;                                                        \
  const uint8_t *an = A->null, *bn = B->null;                                                      \
  uint8_t *on = O->null;                                                                           \
  (void)an, (void)bn, (void)on

void xk_int_arith(xrun *r, const xstep *s) {
  BIN_SETUP(int64_t, i);
  int64_t *o = O->u.i;
  int64_t lo, hi;
  fn_int_bounds((core_type_id)s->k2, &lo, &hi);
  int bad = 0;
  switch ((parse_op)s->k) {
    case PARSE_OP_ADD:
      X_EACH(r, s, i, {
        int64_t v;
        int ov = __builtin_add_overflow(a[i], b[i], &v);
        uint8_t nl = an[i] | bn[i];
        o[i] = v;
        on[i] = nl;
        bad |= (ov | (v < lo) | (v > hi)) & !nl;
      });
      break;
    case PARSE_OP_SUB:
      X_EACH(r, s, i, {
        int64_t v;
        int ov = __builtin_sub_overflow(a[i], b[i], &v);
        uint8_t nl = an[i] | bn[i];
        o[i] = v;
        on[i] = nl;
        bad |= (ov | (v < lo) | (v > hi)) & !nl;
      });
      break;
    case PARSE_OP_MUL:
      X_EACH(r, s, i, {
        int64_t v;
        int ov = __builtin_mul_overflow(a[i], b[i], &v);
        uint8_t nl = an[i] | bn[i];
        o[i] = v;
        on[i] = nl;
        bad |= (ov | (v < lo) | (v > hi)) & !nl;
      });
      break;
    case PARSE_OP_DIV:
      X_EACH(r, s, i, {
        uint8_t nl = an[i] | bn[i];
        int64_t d = b[i];
        int z = d == 0 || (d == -1 && a[i] == INT64_MIN);
        int64_t v = z ? 0 : a[i] / d;
        o[i] = v;
        on[i] = nl;
        bad |= (z | (v < lo) | (v > hi)) & !nl;
      });
      break;
    default: /* MOD: the sign of the dividend */
      X_EACH(r, s, i, {
        uint8_t nl = an[i] | bn[i];
        int64_t d = b[i];
        o[i] = d == 0 || d == -1 ? 0 : a[i] % d;
        on[i] = nl;
        bad |= (d == 0) & !nl;
      });
  }
  if (!bad) return;
  X_EACH(r, s, i, {
    if (an[i] | bn[i]) continue;
    parse_op op = (parse_op)s->k;
    if ((op == PARSE_OP_DIV || op == PARSE_OP_MOD) && b[i] == 0) {
      x_fail(r, s->out, i, "DivideByZero", "division by zero");
      continue;
    }
    int64_t v;
    bool ov = op == PARSE_OP_ADD   ? __builtin_add_overflow(a[i], b[i], &v)
              : op == PARSE_OP_SUB ? __builtin_sub_overflow(a[i], b[i], &v)
              : op == PARSE_OP_MUL ? __builtin_mul_overflow(a[i], b[i], &v)
              : op == PARSE_OP_DIV ? (b[i] == -1 && a[i] == INT64_MIN) || ((v = a[i] / b[i]), false)
                                   : (v = 0, false);
    if (ov || v < lo || v > hi) x_fail(r, s->out, i, "Overflow", "%s overflow", type_name(s->k2));
  });
}

/* ==================================================== REAL, DOUBLE == */

void xk_dbl_arith(xrun *r, const xstep *s) {
  BIN_SETUP(double, d);
  double *o = O->u.d;
  int bad = 0;
  switch ((parse_op)s->k) {
    case PARSE_OP_ADD:
      X_EACH(r, s, i, {
        o[i] = a[i] + b[i];
        on[i] = an[i] | bn[i];
      });
      break;
    case PARSE_OP_SUB:
      X_EACH(r, s, i, {
        o[i] = a[i] - b[i];
        on[i] = an[i] | bn[i];
      });
      break;
    case PARSE_OP_MUL:
      X_EACH(r, s, i, {
        o[i] = a[i] * b[i];
        on[i] = an[i] | bn[i];
      });
      break;
    default: /* DIV: by zero is an error for floating point too (spec 2.3) */
      X_EACH(r, s, i, {
        uint8_t nl = an[i] | bn[i];
        o[i] = a[i] / b[i];
        on[i] = nl;
        bad |= (b[i] == 0) & !nl;
      });
  }
  if (s->k2) X_EACH(r, s, i, { o[i] = (double)(float)o[i]; });
  if (bad)
    X_EACH(r, s, i, {
      if (!(an[i] | bn[i]) && b[i] == 0) x_fail(r, s->out, i, "DivideByZero", "division by zero");
    });
}

/* ======================================================== DECIMAL == */

static inline bool dec_fits(core_i128 v, int p) {
  core_i128 m = fn_pow10[p > 38 ? 38 : p];
  return v < m && v > -m;
}

static void dec_overflow(xrun *r, const xstep *s, int i) {
  x_fail(r, s->out, i, "Overflow", "DECIMAL(%d,%d) overflow", XR(r, s->out)->type.precision,
         XR(r, s->out)->type.scale);
}

void xk_dec_add(xrun *r, const xstep *s) {
  BIN_SETUP(core_i128, dec);
  core_i128 *o = O->u.dec;
  int p = (int)s->k2;
  bool sub = s->k == PARSE_OP_SUB;
  int bad = 0;
  X_EACH(r, s, i, {
    /* wrapping (no UB on the unspecified values of NULL rows); fits() catches overflow */
    core_i128 v =
        (core_i128)(sub ? (core_u128)a[i] - (core_u128)b[i] : (core_u128)a[i] + (core_u128)b[i]);
    uint8_t nl = an[i] | bn[i];
    o[i] = v;
    on[i] = nl;
    bad |= !dec_fits(v, p) & !nl;
  });
  if (bad)
    X_EACH(r, s, i, {
      if (!on[i] && !dec_fits(o[i], p)) dec_overflow(r, s, i);
    });
}

void xk_dec_mul(xrun *r, const xstep *s) {
  BIN_SETUP(core_i128, dec);
  core_i128 *o = O->u.dec;
  int drop = (int)s->k, p = (int)s->k2;
  X_EACH(r, s, i, {
    on[i] = an[i] | bn[i];
    if (on[i]) continue;
    core_i128 v;
    if (__builtin_mul_overflow(a[i], b[i], &v) ||
        !dec_fits(v = drop ? fn_div_round(v, fn_pow10[drop]) : v, p)) {
      dec_overflow(r, s, i);
      continue;
    }
    o[i] = v;
  });
}

void xk_dec_div(xrun *r, const xstep *s) {
  BIN_SETUP(core_i128, dec);
  core_i128 *o = O->u.dec;
  int shift = (int)s->k, p = (int)s->k2;
  X_EACH(r, s, i, {
    on[i] = an[i] | bn[i];
    if (on[i]) continue;
    if (b[i] == 0) {
      x_fail(r, s->out, i, "DivideByZero", "division by zero");
      continue;
    }
    core_i128 v;
    if (!fn_dec_div(a[i], shift, b[i], &v) || !dec_fits(v, p)) {
      dec_overflow(r, s, i);
      continue;
    }
    o[i] = v;
  });
}

void xk_dec_mod(xrun *r, const xstep *s) {
  BIN_SETUP(core_i128, dec);
  core_i128 *o = O->u.dec;
  X_EACH(r, s, i, {
    on[i] = an[i] | bn[i];
    if (on[i]) continue;
    if (b[i] == 0) {
      x_fail(r, s->out, i, "DivideByZero", "division by zero");
      continue;
    }
    o[i] = a[i] % b[i];
  });
}

/* ========================================================== unary - == */

void xk_neg(xrun *r, const xstep *s) {
  const core_vec *A = XR(r, s->a);
  core_vec *O = XR(r, s->out);
  const uint8_t *an = A->null;
  uint8_t *on = O->null;
  switch (core_type_repr(A->type.id)) {
    case 'd':
      X_EACH(r, s, i, {
        O->u.d[i] = -A->u.d[i];
        on[i] = an[i];
      });
      return;
    case 'x':
      X_EACH(r, s, i, {
        O->u.dec[i] = (core_i128)(0 - (core_u128)A->u.dec[i]);
        on[i] = an[i];
      });
      return;
    default: {
      int64_t lo, hi;
      fn_int_bounds(core_type_is_integer(A->type.id) ? (core_type_id)s->k2 : CORE_T_BIGINT, &lo,
                    &hi);
      X_EACH(r, s, i, {
        int64_t v = A->u.i[i];
        on[i] = an[i];
        if (!an[i] && (v == INT64_MIN || -v > hi || -v < lo)) {
          x_fail(r, s->out, i, "Overflow", "%s overflow", type_name(s->k2));
          continue;
        }
        O->u.i[i] = v == INT64_MIN ? 0 : -v;
      });
    }
  }
}

/* ====================================================== comparisons == */

/* One loop per operator; IS [NOT] DISTINCT FROM compares NULLs as values. */
#define CMP_KERNEL(NAME, T, field, CMP)                                                            \
  void NAME(xrun *r, const xstep *s) {                                                             \
    BIN_SETUP(T, field);                                                                           \
    int64_t *o = O->u.i;                                                                           \
    switch ((parse_op)s->k) {                                                                      \
      case PARSE_OP_EQ:                                                                            \
        X_EACH(r, s, i, {                                                                          \
          on[i] = an[i] | bn[i];                                                                   \
          o[i] = CMP(a[i], b[i]) == 0;                                                             \
        });                                                                                        \
        break;                                                                                     \
      case PARSE_OP_NE:                                                                            \
        X_EACH(r, s, i, {                                                                          \
          on[i] = an[i] | bn[i];                                                                   \
          o[i] = CMP(a[i], b[i]) != 0;                                                             \
        });                                                                                        \
        break;                                                                                     \
      case PARSE_OP_LT:                                                                            \
        X_EACH(r, s, i, {                                                                          \
          on[i] = an[i] | bn[i];                                                                   \
          o[i] = CMP(a[i], b[i]) < 0;                                                              \
        });                                                                                        \
        break;                                                                                     \
      case PARSE_OP_LE:                                                                            \
        X_EACH(r, s, i, {                                                                          \
          on[i] = an[i] | bn[i];                                                                   \
          o[i] = CMP(a[i], b[i]) <= 0;                                                             \
        });                                                                                        \
        break;                                                                                     \
      case PARSE_OP_GT:                                                                            \
        X_EACH(r, s, i, {                                                                          \
          on[i] = an[i] | bn[i];                                                                   \
          o[i] = CMP(a[i], b[i]) > 0;                                                              \
        });                                                                                        \
        break;                                                                                     \
      case PARSE_OP_GE:                                                                            \
        X_EACH(r, s, i, {                                                                          \
          on[i] = an[i] | bn[i];                                                                   \
          o[i] = CMP(a[i], b[i]) >= 0;                                                             \
        });                                                                                        \
        break;                                                                                     \
      case PARSE_OP_IS_DISTINCT:                                                                   \
        X_EACH(r, s, i, {                                                                          \
          on[i] = 0;                                                                               \
          o[i] = an[i] != bn[i] || (!an[i] && CMP(a[i], b[i]) != 0);                               \
        });                                                                                        \
        break;                                                                                     \
      default: /* IS NOT DISTINCT FROM */                                                          \
        X_EACH(r, s, i, {                                                                          \
          on[i] = 0;                                                                               \
          o[i] = an[i] == bn[i] && (an[i] || CMP(a[i], b[i]) == 0);                                \
        });                                                                                        \
    }                                                                                              \
  }

#define CMP_NUM(x, y) (((x) > (y)) - ((x) < (y)))

CMP_KERNEL(xk_cmp_int, int64_t, i, CMP_NUM)
CMP_KERNEL(xk_cmp_dbl, double, d, CMP_NUM)
CMP_KERNEL(xk_cmp_dec, core_i128, dec, CMP_NUM)

/* Bytes, and with pad (a CHAR operand) the shorter string as if padded with spaces. */
static inline int cmp_bytes(core_str a, core_str b, bool pad) {
  uint32_t m = a.n < b.n ? a.n : b.n;
  int c = m ? memcmp(a.p, b.p, m) : 0;
  if (c) return c;
  if (!pad) return (a.n > b.n) - (a.n < b.n);
  const core_str *l = a.n > b.n ? &a : &b;
  for (uint32_t k = m; k < l->n; k++)
    if ((unsigned char)l->p[k] != ' ')
      return ((unsigned char)l->p[k] > ' ' ? 1 : -1) * (l == &a ? 1 : -1);
  return 0;
}

/* pad is a constant in each caller, so the loop is specialised for both cases. */
static inline __attribute__((always_inline)) void cmp_str(xrun *r, const xstep *s, const bool pad) {
  BIN_SETUP(core_str, s);
  int64_t *o = O->u.i;
  parse_op op = (parse_op)s->k;
  bool nullable = op != PARSE_OP_IS_DISTINCT && op != PARSE_OP_IS_NOT_DISTINCT;
  X_EACH(r, s, i, {
    uint8_t nl = an[i] | bn[i];
    int c = nl ? 0 : cmp_bytes(a[i], b[i], pad);
    bool v;
    switch (op) {
      case PARSE_OP_EQ:
        v = c == 0;
        break;
      case PARSE_OP_NE:
        v = c != 0;
        break;
      case PARSE_OP_LT:
        v = c < 0;
        break;
      case PARSE_OP_LE:
        v = c <= 0;
        break;
      case PARSE_OP_GT:
        v = c > 0;
        break;
      case PARSE_OP_GE:
        v = c >= 0;
        break;
      case PARSE_OP_IS_DISTINCT:
        v = an[i] != bn[i] || (!nl && c != 0);
        break;
      default:
        v = an[i] == bn[i] && (an[i] || c == 0);
    }
    on[i] = nullable && nl;
    o[i] = v;
  });
}

void xk_cmp_str(xrun *r, const xstep *s) {
  if (s->k2)
    cmp_str(r, s, true);
  else
    cmp_str(r, s, false);
}

/* ==================================================== boolean logic == */

void xk_and(xrun *r, const xstep *s) {
  BIN_SETUP(int64_t, i);
  int64_t *o = O->u.i;
  X_EACH(r, s, i, {
    uint8_t f = ((an[i] == 0) & (a[i] == 0)) | ((bn[i] == 0) & (b[i] == 0)); /* FALSE wins */
    uint8_t nl = an[i] | bn[i];
    on[i] = (f == 0) & nl;
    o[i] = (f == 0) & (nl == 0);
  });
}

void xk_or(xrun *r, const xstep *s) {
  BIN_SETUP(int64_t, i);
  int64_t *o = O->u.i;
  X_EACH(r, s, i, {
    uint8_t t = ((an[i] == 0) & (a[i] != 0)) | ((bn[i] == 0) & (b[i] != 0)); /* TRUE wins */
    on[i] = (t == 0) & (an[i] | bn[i]);
    o[i] = t;
  });
}

void xk_not(xrun *r, const xstep *s) {
  const core_vec *A = XR(r, s->a);
  core_vec *O = XR(r, s->out);
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    O->u.i[i] = !A->u.i[i];
  });
}

void xk_is(xrun *r, const xstep *s) {
  const core_vec *A = XR(r, s->a);
  core_vec *O = XR(r, s->out);
  const uint8_t *an = A->null;
  const int64_t *a = A->u.i;
  int64_t neg = s->k2 != 0;
  switch ((parse_is_what)s->k) {
    case PARSE_IS_TRUE:
      X_EACH(r, s, i, {
        O->null[i] = 0;
        O->u.i[i] = (!an[i] && a[i]) ^ neg;
      });
      break;
    case PARSE_IS_FALSE:
      X_EACH(r, s, i, {
        O->null[i] = 0;
        O->u.i[i] = (!an[i] && !a[i]) ^ neg;
      });
      break;
    default: /* IS NULL, IS UNKNOWN */
      X_EACH(r, s, i, {
        O->null[i] = 0;
        O->u.i[i] = (an[i] != 0) ^ neg;
      });
  }
}

/* ============================================== selections for laziness == */

void xk_split(xrun *r, const xstep *s) {
  const core_vec *A = XR(r, s->a);
  xsel *t = &r->x->sels[s->sel_t];
  xsel *f = s->sel_f >= 0 ? &r->x->sels[s->sel_f] : NULL;
  int nt = 0, nf = 0;
  int mode = (int)s->k;
  X_EACH(r, s, i, {
    bool take;
    switch (mode) {
      case 0: /* TRUE */
        take = !A->null[i] && A->u.i[i];
        break;
      case 1: /* not FALSE (lazy AND: the right side is needed) */
        take = A->null[i] || A->u.i[i];
        break;
      case 2: /* not TRUE (lazy OR) */
        take = A->null[i] || !A->u.i[i];
        break;
      default: /* NULL (COALESCE: the next argument is needed) */
        take = A->null[i];
    }
    if (take)
      t->rows[nt++] = (uint16_t)i;
    else if (f)
      f->rows[nf++] = (uint16_t)i;
  });
  t->n = nt;
  t->dense = false;
  if (f) {
    f->n = nf;
    f->dense = false;
  }
}

void xk_gather(xrun *r, const xstep *s) {
  const core_vec *A = XR(r, s->a);
  core_vec *O = XR(r, s->out);
  switch (core_type_repr(O->type.id)) {
    case 'd':
      X_EACH(r, s, i, {
        O->u.d[i] = A->u.d[i];
        O->null[i] = A->null[i];
      });
      break;
    case 'x':
      X_EACH(r, s, i, {
        O->u.dec[i] = A->u.dec[i];
        O->null[i] = A->null[i];
      });
      break;
    case 's':
      X_EACH(r, s, i, {
        O->u.s[i] = A->u.s[i];
        O->null[i] = A->null[i];
      });
      break;
    default:
      X_EACH(r, s, i, {
        O->u.i[i] = A->u.i[i];
        O->null[i] = A->null[i];
      });
  }
}

void xk_set_null(xrun *r, const xstep *s) {
  core_vec *O = XR(r, s->out);
  X_EACH(r, s, i, { O->null[i] = 1; });
}

void xk_nullif(xrun *r, const xstep *s) {
  xk_gather(r, s);
  const core_vec *B = XR(r, s->b);
  core_vec *O = XR(r, s->out);
  X_EACH(r, s, i, { O->null[i] |= !B->null[i] && B->u.i[i]; });
}

void xk_split_nonnull(xrun *r, const xstep *s) {
  const int *regs = s->aux;
  int nregs = (int)s->k;
  xsel *t = &r->x->sels[s->sel_t];
  int nt = 0;
  X_EACH(r, s, i, {
    uint8_t any = 0;
    for (int k = 0; k < nregs; k++) any |= XR(r, regs[k])->null[i];
    if (!any) t->rows[nt++] = (uint16_t)i;
  });
  t->n = nt;
  t->dense = false;
}

/* ===================================================== strings == */

void xk_concat(xrun *r, const xstep *s) {
  BIN_SETUP(core_str, s);
  core_str *o = O->u.s;
  X_EACH(r, s, i, {
    on[i] = an[i] | bn[i];
    if (on[i]) continue;
    uint32_t n = a[i].n + b[i].n;
    char *p = n ? core_arena_alloc(r->heap, n) : (char *)"";
    if (!p) {
      r->oom = true;
      on[i] = 1;
      continue;
    }
    if (a[i].n) memcpy(p, a[i].p, a[i].n);
    if (b[i].n) memcpy(p + a[i].n, b[i].p, b[i].n);
    o[i] = (core_str){p, n};
  });
}

/* LIKE / SIMILAR TO. aux: the compiled constant pattern; else per row from register b
 * (and escape c), recompiled only when the pattern text changes. */
void xk_like(xrun *r, const xstep *s) {
  const core_vec *A = XR(r, s->a);
  core_vec *O = XR(r, s->out);
  fn_pattern *pt = s->aux;
  int64_t neg = s->k != 0;
  if (pt) {
    X_EACH(r, s, i, {
      O->null[i] = A->null[i];
      if (!A->null[i]) O->u.i[i] = fn_pattern_match(pt, A->u.s[i].p, A->u.s[i].n) ^ neg;
    });
    return;
  }
  const core_vec *P = XR(r, s->b), *E = s->c >= 0 ? XR(r, s->c) : NULL;
  core_str last_p = {NULL, 0}, last_e = {NULL, 0};
  fn_pattern *cur = NULL;
  X_EACH(r, s, i, {
    O->null[i] = A->null[i] | P->null[i] | (E ? E->null[i] : 0);
    if (O->null[i]) continue;
    core_str p = P->u.s[i], e = E ? E->u.s[i] : (core_str){NULL, 0};
    bool same = cur && p.n == last_p.n && memcmp(p.p, last_p.p, p.n) == 0 && e.n == last_e.n &&
                (e.n == 0 || memcmp(e.p, last_e.p, e.n) == 0);
    if (!same) {
      core_error err;
      cur = NULL;
      if (fn_pattern_compile(r->heap, s->k2 != 0, p.p, p.n, E ? e.p : NULL, e.n, &cur, &err)) {
        x_fail(r, s->out, i, "FunctionError", "%s", err.message);
        continue;
      }
      last_p = p;
      last_e = e;
    }
    O->u.i[i] = fn_pattern_match(cur, A->u.s[i].p, A->u.s[i].n) ^ neg;
  });
}

/* ================================================== function kernels == */

static void call_fail(void *arg, int row, const char *name, const char *message) {
  x_fail(arg, -1, row, name, "%s", message);
}

void xk_call(xrun *r, const xstep *s) {
  const xcall *xc = s->aux;
  core_vec args[FN_CALL_MAX_ARGS];
  for (int k = 0; k < xc->call.nargs; k++) args[k] = *XR(r, xc->args[k]);
  const xsel *sel = &r->x->sels[s->sel];
  fn_rows rows = {
      .rows = sel->dense ? NULL : sel->rows,
      .n = sel->n,
      .args = args,
      .out = XR(r, s->out),
      .heap = r->heap,
      .statement_ms = r->ctx->statement_ms,
      .clock = r->ctx->clock,
      .fail = call_fail,
      .fail_arg = r,
  };
  xc->call.run(&xc->call, &rows);
}

/* =============================================== datetime arithmetic == */

/* datetime +- day-time interval (k: +1 or -1; k2: the datetime's type). */
void xk_ts_add_ms(xrun *r, const xstep *s) {
  BIN_SETUP(int64_t, i);
  int64_t *o = O->u.i;
  int64_t sign = s->k;
  switch ((core_type_id)s->k2) {
    case CORE_T_DATE:
      X_EACH(r, s, i, {
        on[i] = an[i] | bn[i];
        if (on[i]) continue;
        o[i] = core_floor_div(a[i] * 86400000 + sign * b[i], 86400000);
      });
      break;
    case CORE_T_TIME:
      X_EACH(r, s, i, {
        on[i] = an[i] | bn[i];
        if (on[i]) continue;
        o[i] = core_floor_mod(a[i] + sign * (b[i] % 86400000), 86400000);
      });
      break;
    default:
      X_EACH(r, s, i, {
        on[i] = an[i] | bn[i];
        int64_t d;
        if (!on[i] &&
            (__builtin_mul_overflow(sign, b[i], &d) || __builtin_add_overflow(a[i], d, &o[i]))) {
          x_fail(r, s->out, i, "Overflow", "TIMESTAMP out of range");
          continue;
        }
      });
  }
}

/* TIMESTAMP or DATE +- year-month interval, clamping to the end of the month. */
void xk_add_months(xrun *r, const xstep *s) {
  BIN_SETUP(int64_t, i);
  int64_t *o = O->u.i;
  bool days = s->k2 == CORE_T_DATE;
  X_EACH(r, s, i, {
    on[i] = an[i] | bn[i];
    if (on[i]) continue;
    if (b[i] > 12 * 1000000 || b[i] < -12 * 1000000) {
      x_fail(r, s->out, i, "Overflow", "%s out of range", days ? "DATE" : "TIMESTAMP");
      continue;
    }
    o[i] = fn_add_months(a[i], s->k * b[i], days);
  });
}

/* A double quotient close to an integer is that integer (noise of binary fractions). */
static double trunc_quotient(double q) {
  double n = round(q);
  return fabs(q - n) <= 1e-9 * fmax(1.0, fabs(q)) ? n : trunc(q);
}

/* interval * number (k = 0) or interval / number (k = 1); k2: the number's type id;
 * k3: its scale when DECIMAL. Products round, quotients truncate toward zero (so
 * FLOOR(... / 10 TO SECOND) floors exactly). */
void xk_iv_mul(xrun *r, const xstep *s) {
  const core_vec *A = XR(r, s->a), *B = XR(r, s->b);
  core_vec *O = XR(r, s->out);
  bool div = s->k != 0;
  char repr = core_type_repr((core_type_id)s->k2);
  int scale = (int)s->k3;
  X_EACH(r, s, i, {
    O->null[i] = A->null[i] | B->null[i];
    if (O->null[i]) continue;
    int64_t v = A->u.i[i];
    bool zero = repr == 'd' ? B->u.d[i] == 0 : repr == 'x' ? B->u.dec[i] == 0 : B->u.i[i] == 0;
    if (div && zero) {
      x_fail(r, s->out, i, "DivideByZero", "division by zero");
      continue;
    }
    bool ok = true;
    int64_t res = 0;
    if (repr == 'd') {
      double q = div ? trunc_quotient((double)v / B->u.d[i]) : round((double)v * B->u.d[i]);
      ok = q >= -9.2e18 && q <= 9.2e18;
      res = ok ? (int64_t)q : 0;
    } else if (repr == 'x') {
      core_i128 q, u = B->u.dec[i];
      if (div)
        q = (core_i128)v * fn_pow10[scale] / u; /* scale <= 18: no overflow */
      else
        ok = !__builtin_mul_overflow((core_i128)v, u, &q) &&
             ((q = fn_div_round(q, fn_pow10[scale])), true);
      ok = ok && q >= INT64_MIN && q <= INT64_MAX;
      res = ok ? (int64_t)q : 0;
    } else if (div) {
      ok = !(B->u.i[i] == -1 && v == INT64_MIN);
      res = ok ? (B->u.i[i] == -1 ? -v : v / B->u.i[i]) : 0;
    } else {
      ok = !__builtin_mul_overflow(v, B->u.i[i], &res);
    }
    if (!ok) {
      x_fail(r, s->out, i, "Overflow", "INTERVAL overflow");
      continue;
    }
    O->u.i[i] = res;
  });
}

/* Whole months from b to a (the day and time of day decide the last partial month). */
static int64_t months_between(int64_t a, int64_t b, bool days) {
  int64_t da = days ? a : core_floor_div(a, 86400000), db = days ? b : core_floor_div(b, 86400000);
  int64_t ta = days ? 0 : a - da * 86400000, tb = days ? 0 : b - db * 86400000;
  int64_t ya, yb;
  unsigned ma, mb, dda, ddb;
  core_civil_from_days((int32_t)da, &ya, &ma, &dda);
  core_civil_from_days((int32_t)db, &yb, &mb, &ddb);
  int64_t m = (ya * 12 + ma) - (yb * 12 + mb);
  /* within-month positions compared as (day, time of day) */
  int64_t pa = (int64_t)dda * 86400000 + ta, pb = (int64_t)ddb * 86400000 + tb;
  if (m > 0 && pa < pb) m--;
  if (m < 0 && pa > pb) m++;
  return m;
}

/* (a - b) qualifier: a and b of the same datetime type (k2); aux: the qualifier. The
 * difference is truncated toward zero to the qualifier's trailing field (SECOND keeps
 * its fractional precision, milliseconds by default). */
void xk_dt_diff(xrun *r, const xstep *s) {
  BIN_SETUP(int64_t, i);
  int64_t *o = O->u.i;
  const core_type *q = s->aux;
  core_type_id t = (core_type_id)s->k2;
  int end = q->end ? q->end : q->start;
  if (q->id == CORE_T_INTERVAL_YM) {
    X_EACH(r, s, i, {
      on[i] = an[i] | bn[i];
      if (on[i]) continue;
      int64_t m = months_between(a[i], b[i], t == CORE_T_DATE);
      o[i] = end == CORE_IU_YEAR ? m / 12 * 12 : m;
    });
    return;
  }
  int64_t unit = end == CORE_IU_DAY      ? 86400000
                 : end == CORE_IU_HOUR   ? 3600000
                 : end == CORE_IU_MINUTE ? 60000
                                         : 1;
  if (end == CORE_IU_SECOND && q->scale >= 0 && q->scale < 3)
    unit = q->scale == 0 ? 1000 : q->scale == 1 ? 100 : 10;
  int64_t mul = t == CORE_T_DATE ? 86400000 : 1;
  X_EACH(r, s, i, {
    on[i] = an[i] | bn[i];
    if (on[i]) continue;
    int64_t d;
    if (__builtin_sub_overflow(a[i] * mul, b[i] * mul, &d)) {
      x_fail(r, s->out, i, "Overflow", "INTERVAL overflow");
      continue;
    }
    o[i] = d / unit * unit;
  });
}

/*
 * expr.c — compiles a bound plan_expr into a flat program of vectorized steps
 * (expr_int.h) and runs it over batches (exec.h "expressions").
 *
 * Compilation walks the tree once. At every node it first asks the layout
 * whether the value already is a column of the input batch (GROUP BY keys,
 * aggregates computed by a window operator); otherwise the node's operands
 * are compiled into registers and one step computes the node. Constant
 * subtrees (literals, deterministic functions of literals) are folded: they
 * are compiled and run once on a one-row batch at compile time, unless that
 * run fails (then each row fails at run time, as it should). The binder
 * inserts no implicit conversions, so the compiler does: numeric operands are
 * brought to the operation's type (integers as BIGINT, DECIMAL at the scale
 * the operation needs, REAL/DOUBLE as DOUBLE) before the operator's step.
 *
 * User SQL functions are inlined: the function's CREATE FUNCTION text is
 * parsed and bound again (without a catalog: a body that calls another user
 * function or reads a relation is not inlined), its parameters become the
 * registers of the call's arguments. The layout is not asked about the
 * nodes of a body, which are not part of the query.
 */
#include <stdio.h>
#include <stdlib.h>

#include "exec/expr_int.h"

typedef struct comp {
  exec_expr *x;
  const exec_layout *layout;
  core_arena *arena;
  core_error *err;
  bool folding;      /* compiling a constant subtree to fold it: no layout, no nested folds */
  bool in_body;      /* inside an inlined function body: no layout */
  const int *params; /* registers of the arguments of the function being inlined */
  int nparams;
  int depth; /* inlined function calls */
} comp;

static int cx(comp *c, const plan_expr *e, int sel, int *out);

static core_type mk(core_type_id id, int32_t precision, int32_t scale) {
  core_type t;
  memset(&t, 0, sizeof t);
  t.id = (uint8_t)id;
  t.precision = precision;
  t.scale = scale;
  return t;
}

static int oom(comp *c) {
  return core_error_set(c->err, SLUICE_NOMEM, "out of memory");
}

static const char *tstr(comp *c, core_type t) {
  const char *s = plan_type_str(c->arena, t);
  return s ? s : "?";
}

/* ========================================================== program == */

static exec_expr *prog_new(core_arena *a) {
  exec_expr *x = core_arena_zalloc(a, sizeof *x);
  if (!x) return NULL;
  x->dead = core_arena_zalloc(a, XCAP);
  x->zeros = core_arena_zalloc(a, XCAP);
  x->capregs = 16;
  x->regs = core_arena_zalloc(a, sizeof(xreg) * (size_t)x->capregs);
  x->capsels = 4;
  x->sels = core_arena_zalloc(a, sizeof(xsel) * (size_t)x->capsels);
  x->capsteps = 16;
  x->steps = core_arena_zalloc(a, sizeof(xstep) * (size_t)x->capsteps);
  if (!x->dead || !x->zeros || !x->regs || !x->sels || !x->steps) return NULL;
  /* selection 0: the live rows of the input */
  x->sels[0].rows = core_arena_alloc(a, sizeof(uint16_t) * XCAP);
  x->nsels = 1;
  return x->sels[0].rows ? x : NULL;
}

/* Grows an arena array of elem-size items to hold one more. */
static void *grow(core_arena *a, void *arr, int n, int *cap, size_t elem) {
  if (n < *cap) return arr;
  int ncap = *cap * 2;
  void *p = core_arena_zalloc(a, elem * (size_t)ncap);
  if (!p) return NULL;
  memcpy(p, arr, elem * (size_t)n);
  *cap = ncap;
  return p;
}

static int reg_add(comp *c, core_type t, xreg_kind kind, int *out) {
  exec_expr *x = c->x;
  xreg *regs = grow(c->arena, x->regs, x->nregs, &x->capregs, sizeof(xreg));
  if (!regs) return oom(c);
  x->regs = regs;
  xreg *r = &x->regs[x->nregs];
  memset(r, 0, sizeof *r);
  r->v.type = t;
  r->kind = (uint8_t)kind;
  if (kind == XR_OWNED || kind == XR_CONST) {
    r->v.null = core_arena_zalloc(c->arena, XCAP);
    r->v.u.i = core_arena_zalloc(c->arena, core_type_repr_size((core_type_id)t.id) * XCAP);
    if (!r->v.null || !r->v.u.i) return oom(c);
  }
  *out = x->nregs++;
  return SLUICE_OK;
}

static int reg_new(comp *c, core_type t, int *out) {
  return reg_add(c, t, XR_OWNED, out);
}

/* A constant register: v (is_null, or the value in t's representation) in every row. */
static int reg_const(comp *c, const core_value *v, core_type t, int *out) {
  int rc = reg_add(c, t, XR_CONST, out);
  if (rc) return rc;
  xreg *r = &c->x->regs[*out];
  core_value *cv = core_arena_alloc(c->arena, sizeof *cv);
  if (!cv) return oom(c);
  *cv = *v;
  cv->type = t;
  r->cval = cv;
  bool null = v->is_null || t.id == CORE_T_NULL;
  cv->is_null = null;
  memset(r->v.null, null, XCAP);
  if (null) return SLUICE_OK;
  for (int i = 0; i < XCAP; i++) switch (core_type_repr((core_type_id)t.id)) {
      case 'd':
        r->v.u.d[i] = v->u.d;
        break;
      case 'x':
        r->v.u.dec[i] = v->u.dec;
        break;
      case 's':
        r->v.u.s[i] = (core_str){v->u.s.p, v->u.s.n};
        break;
      default:
        r->v.u.i[i] = t.id == CORE_T_BOOLEAN ? (int64_t)v->u.b : v->u.i;
    }
  return SLUICE_OK;
}

static int reg_null(comp *c, core_type t, int *out) {
  core_value v;
  memset(&v, 0, sizeof v);
  v.is_null = true;
  return reg_const(c, &v, t, out);
}

static int reg_input(comp *c, xreg_kind kind, int col, core_type t, int *out) {
  exec_expr *x = c->x;
  for (int k = 0; k < x->nregs; k++) { /* one register per input column and type */
    const xreg *r = &x->regs[k];
    if (r->kind == kind && r->col == col && memcmp(&r->v.type, &t, sizeof t) == 0) {
      *out = k;
      return SLUICE_OK;
    }
  }
  int rc = reg_add(c, t, kind, out);
  if (rc == SLUICE_OK) x->regs[*out].col = col;
  return rc;
}

static int sel_new(comp *c, int *out) {
  exec_expr *x = c->x;
  xsel *sels = grow(c->arena, x->sels, x->nsels, &x->capsels, sizeof(xsel));
  if (!sels) return oom(c);
  x->sels = sels;
  x->sels[x->nsels].rows = core_arena_alloc(c->arena, sizeof(uint16_t) * XCAP);
  if (!x->sels[x->nsels].rows) return oom(c);
  *out = x->nsels++;
  return SLUICE_OK;
}

static int emit(comp *c, xstep st) {
  exec_expr *x = c->x;
  xstep *steps = grow(c->arena, x->steps, x->nsteps, &x->capsteps, sizeof(xstep));
  if (!steps) return oom(c);
  x->steps = steps;
  x->steps[x->nsteps++] = st;
  return SLUICE_OK;
}

static xstep step(xkernel fn, int sel, int out, int a, int b) {
  return (xstep){
      .fn = fn, .sel = sel, .out = out, .a = a, .b = b, .c = -1, .sel_t = -1, .sel_f = -1};
}

/* One step computing a new register of type t. */
static int emit_new(comp *c, xstep st, core_type t, int *out) {
  int rc = reg_new(c, t, &st.out);
  if (rc) return rc;
  *out = st.out;
  return emit(c, st);
}

static core_type rtype(comp *c, int reg) {
  return c->x->regs[reg].v.type;
}

/* ======================================================= conversions == */

static bool needs_conv(core_type from, core_type to) {
  core_type_id f = (core_type_id)from.id, t = (core_type_id)to.id;
  if (f == CORE_T_NULL) return t != CORE_T_NULL;
  if (f == t)
    return (f == CORE_T_DECIMAL && from.scale != to.scale) ||
           (f == CORE_T_CHAR && to.precision > from.precision); /* CHAR(n) values are padded */
  if (core_type_is_string(f) && core_type_is_string(t)) return false;
  if (core_type_is_binary(f) && core_type_is_binary(t)) return false;
  if (core_type_is_integer(f) && core_type_is_integer(t)) return t < f; /* narrowing: range */
  if (f == CORE_T_REAL && t == CORE_T_DOUBLE) return false;
  return true;
}

/* reg converted to type `to` (implicitly: no precision or length checks). */
static int conv(comp *c, int reg, core_type to, int sel, int *out) {
  core_type from = rtype(c, reg);
  if (!needs_conv(from, to)) {
    *out = reg;
    return SLUICE_OK;
  }
  if (from.id == CORE_T_NULL) return reg_null(c, to, out);
  xkernel k = x_cast_kernel(from, to, false);
  if (!k)
    return core_error_set(c->err, SLUICE_INTERNAL, "internal: no conversion from %s to %s",
                          tstr(c, from), tstr(c, to));
  return emit_new(c, step(k, sel, -1, reg, -1), to, out);
}

static core_type bool_type(void) {
  return mk(CORE_T_BOOLEAN, 0, 0);
}

/* The exact type of a register as DECIMAL(38, its scale). */
static core_type dec_at(int scale) {
  return mk(CORE_T_DECIMAL, 38, scale);
}

static int scale_of(core_type t) {
  return t.id == CORE_T_DECIMAL ? t.scale : 0;
}

/* ======================================================= comparisons == */

/* l <op> r for two registers of comparable types: a BOOLEAN register. */
static int cmp_regs(comp *c, parse_op op, int l, int r, int sel, int *out) {
  core_type lt = rtype(c, l), rt = rtype(c, r);
  int rc;
  if (lt.id == CORE_T_NULL && rt.id == CORE_T_NULL) {
    lt = rt = bool_type();
    if ((rc = conv(c, l, lt, sel, &l)) || (rc = conv(c, r, rt, sel, &r))) return rc;
  } else if (lt.id == CORE_T_NULL) {
    if ((rc = conv(c, l, rt, sel, &l))) return rc;
    lt = rt;
  } else if (rt.id == CORE_T_NULL) {
    if ((rc = conv(c, r, lt, sel, &r))) return rc;
    rt = lt;
  }
  xkernel k = xk_cmp_int;
  int64_t pad = 0;
  if (core_type_is_numeric(lt.id)) {
    bool approx = lt.id == CORE_T_REAL || lt.id == CORE_T_DOUBLE || rt.id == CORE_T_REAL ||
                  rt.id == CORE_T_DOUBLE;
    if (approx) {
      k = xk_cmp_dbl;
      if ((rc = conv(c, l, mk(CORE_T_DOUBLE, 0, 0), sel, &l)) ||
          (rc = conv(c, r, mk(CORE_T_DOUBLE, 0, 0), sel, &r)))
        return rc;
    } else if (lt.id == CORE_T_DECIMAL || rt.id == CORE_T_DECIMAL) {
      k = xk_cmp_dec;
      int s = scale_of(lt) > scale_of(rt) ? scale_of(lt) : scale_of(rt);
      if ((rc = conv(c, l, dec_at(s), sel, &l)) || (rc = conv(c, r, dec_at(s), sel, &r))) return rc;
    }
  } else if (core_type_is_string(lt.id)) {
    k = xk_cmp_str;
    pad = lt.id == CORE_T_CHAR || rt.id == CORE_T_CHAR; /* blank-padded comparison */
  } else if (core_type_is_binary(lt.id)) {
    k = xk_cmp_str;
  }
  xstep st = step(k, sel, -1, l, r);
  st.k = op;
  st.k2 = pad;
  return emit_new(c, st, bool_type(), out);
}

static int logic(comp *c, xkernel k, int l, int r, int sel, int *out) {
  return emit_new(c, step(k, sel, -1, l, r), bool_type(), out);
}

static int negate(comp *c, int reg, int sel, int *out) {
  return emit_new(c, step(xk_not, sel, -1, reg, -1), bool_type(), out);
}

/* Compiles e as a BOOLEAN register (an untyped NULL becomes UNKNOWN). */
static int cx_bool(comp *c, const plan_expr *e, int sel, int *out) {
  int rc = cx(c, e, sel, out);
  return rc ? rc : conv(c, *out, bool_type(), sel, out);
}

/* ============================================== constants and folding == */

/* Deterministic, no columns, no ROWTIME, no parameters: computable at compile time. */
static bool foldable(const plan_expr *e) {
  if (!e) return true;
  switch (e->kind) {
    case PLAN_E_LITERAL:
      return true;
    case PLAN_E_UNARY:
      return foldable(e->u.unary.arg);
    case PLAN_E_BINARY:
      return foldable(e->u.binary.left) && foldable(e->u.binary.right);
    case PLAN_E_IS:
      return foldable(e->u.is.arg);
    case PLAN_E_BETWEEN:
      return foldable(e->u.between.arg) && foldable(e->u.between.low) &&
             foldable(e->u.between.high);
    case PLAN_E_IN_LIST:
      for (int i = 0; i < e->u.in.n; i++)
        if (!foldable(e->u.in.list[i])) return false;
      return foldable(e->u.in.arg);
    case PLAN_E_LIKE:
      return foldable(e->u.like.arg) && foldable(e->u.like.pattern) && foldable(e->u.like.escape);
    case PLAN_E_CASE:
      for (int i = 0; i < e->u.case_.n; i++)
        if (!foldable(e->u.case_.whens[i]) || !foldable(e->u.case_.thens[i])) return false;
      return foldable(e->u.case_.operand) && foldable(e->u.case_.else_);
    case PLAN_E_CAST: /* TIME to TIMESTAMP takes the statement's date */
      return foldable(e->u.cast.arg) &&
             !(e->u.cast.arg->type.id == CORE_T_TIME && e->type.id == CORE_T_TIMESTAMP);
    case PLAN_E_DATETIME_DIFF:
      return foldable(e->u.diff.left) && foldable(e->u.diff.right);
    case PLAN_E_CALL: {
      const fn_def *f = e->u.call.fn;
      if (!(f->flags & FN_DETERMINISTIC) || (f->flags & FN_ROW_RESULT)) return false;
      if (strncmp(f->name, "CHAR_TO_", 8) == 0) return false; /* yy: relative to now */
      for (int i = 0; i < e->u.call.nargs; i++)
        if (!foldable(e->u.call.args[i])) return false;
      return true;
    }
    default:
      return false;
  }
}

static int fold_layout(void *arg, const plan_expr *e) {
  (void)arg, (void)e;
  return -1;
}

/* Runs the constant e once. *done = false (and SLUICE_OK) when it cannot be folded:
 * it fails on its one row, or it does not compile (the normal path reports why). */
static int try_fold(comp *c, const plan_expr *e, int *out, bool *done) {
  *done = false;
  core_arena *tmp = core_arena_new(0);
  if (!tmp) return oom(c);
  int rc = SLUICE_OK;
  core_error sub_err;
  exec_layout none = {fold_layout, NULL};
  comp sub = {.layout = &none, .arena = tmp, .err = &sub_err, .folding = true};
  core_batch *in = core_batch_new(0, NULL, 1);
  core_batch *res = core_batch_new(1, &e->type, 1);
  sub.x = prog_new(tmp);
  if (!in || !res || !sub.x) {
    rc = oom(c);
    goto done;
  }
  int reg;
  if (cx(&sub, e, 0, &reg) != SLUICE_OK) goto done;
  sub.x->result = reg;
  sub.x->type = e->type;
  in->n = res->n = 1;
  exec_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  if (exec_expr_eval(sub.x, &ctx, in, res, 0, &sub_err) != SLUICE_OK || ctx.errors) goto done;
  core_value v;
  core_vec_get(&res->cols[0], 0, &v);
  if (!v.is_null && core_type_repr((core_type_id)e->type.id) == 's') {
    char *p = core_arena_strndup(c->arena, v.u.s.p, v.u.s.n);
    if (!p) {
      rc = oom(c);
      goto done;
    }
    v.u.s.p = p;
  }
  if (e->type.id == CORE_T_BOOLEAN && !v.is_null) v.u.b = v.u.b != 0;
  rc = reg_const(c, &v, e->type, out);
  *done = rc == SLUICE_OK;
done:
  core_batch_free(in);
  core_batch_free(res);
  core_arena_free(tmp);
  return rc;
}

static int cx_literal(comp *c, const plan_expr *e, int *out) {
  return reg_const(c, &e->u.value, e->type, out);
}

/* ======================================================= arithmetic == */

static int cx_arith(comp *c, const plan_expr *e, int sel, int *out) {
  parse_op op = e->u.binary.op;
  core_type t = e->type;
  int l, r, rc;
  if ((rc = cx(c, e->u.binary.left, sel, &l)) || (rc = cx(c, e->u.binary.right, sel, &r)))
    return rc;
  core_type lt = rtype(c, l), rt = rtype(c, r);
  if (lt.id == CORE_T_NULL || rt.id == CORE_T_NULL || t.id == CORE_T_NULL)
    return reg_null(c, t, out); /* NULL with anything is NULL */
  xstep st;
  if (core_type_is_integer(t.id)) {
    st = step(xk_int_arith, sel, -1, l, r);
    st.k = op;
    st.k2 = t.id;
    return emit_new(c, st, t, out);
  }
  if (t.id == CORE_T_REAL || t.id == CORE_T_DOUBLE) {
    core_type d = mk(CORE_T_DOUBLE, 0, 0);
    if ((rc = conv(c, l, d, sel, &l)) || (rc = conv(c, r, d, sel, &r))) return rc;
    st = step(xk_dbl_arith, sel, -1, l, r);
    st.k = op;
    st.k2 = t.id == CORE_T_REAL;
    return emit_new(c, st, t, out);
  }
  if (t.id == CORE_T_DECIMAL) {
    int sl = scale_of(lt), sr = scale_of(rt);
    switch (op) {
      case PARSE_OP_ADD:
      case PARSE_OP_SUB:
        if ((rc = conv(c, l, dec_at(t.scale), sel, &l)) ||
            (rc = conv(c, r, dec_at(t.scale), sel, &r)))
          return rc;
        st = step(xk_dec_add, sel, -1, l, r);
        st.k = op;
        st.k2 = t.precision;
        return emit_new(c, st, t, out);
      case PARSE_OP_MUL:
        if ((rc = conv(c, l, dec_at(sl), sel, &l)) || (rc = conv(c, r, dec_at(sr), sel, &r)))
          return rc;
        st = step(xk_dec_mul, sel, -1, l, r);
        st.k = sl + sr - t.scale;
        st.k2 = t.precision;
        if (st.k < 0) return core_error_set(c->err, SLUICE_INTERNAL, "internal: DECIMAL scale");
        return emit_new(c, st, t, out);
      case PARSE_OP_DIV: {
        int shift = t.scale - sl + sr;
        if (shift < 0) { /* drop dividend digits first so the shift is not negative */
          sl = t.scale + sr;
          shift = 0;
        }
        if ((rc = conv(c, l, dec_at(sl), sel, &l)) || (rc = conv(c, r, dec_at(sr), sel, &r)))
          return rc;
        st = step(xk_dec_div, sel, -1, l, r);
        st.k = shift;
        st.k2 = t.precision;
        return emit_new(c, st, t, out);
      }
      default: /* MOD */
        if ((rc = conv(c, l, dec_at(t.scale), sel, &l)) ||
            (rc = conv(c, r, dec_at(t.scale), sel, &r)))
          return rc;
        return emit_new(c, step(xk_dec_mod, sel, -1, l, r), t, out);
    }
  }
  if (core_type_is_interval(t.id) && core_type_is_interval(lt.id) &&
      core_type_is_interval(rt.id)) { /* interval +- interval */
    st = step(xk_int_arith, sel, -1, l, r);
    st.k = op;
    st.k2 = CORE_T_BIGINT;
    return emit_new(c, st, t, out);
  }
  if (core_type_is_interval(t.id) && (op == PARSE_OP_MUL || op == PARSE_OP_DIV)) {
    int iv = core_type_is_interval(lt.id) ? l : r, num = iv == l ? r : l;
    core_type nt = rtype(c, num);
    if (nt.id == CORE_T_REAL && (rc = conv(c, num, mk(CORE_T_DOUBLE, 0, 0), sel, &num))) return rc;
    nt = rtype(c, num);
    st = step(xk_iv_mul, sel, -1, iv, num);
    st.k = op == PARSE_OP_DIV;
    st.k2 = nt.id;
    st.k3 = scale_of(nt);
    return emit_new(c, st, t, out);
  }
  if (core_type_is_datetime(t.id)) { /* datetime +- interval, interval + datetime */
    int dt = core_type_is_datetime(lt.id) ? l : r, iv = dt == l ? r : l;
    core_type it = rtype(c, iv);
    st = step(it.id == CORE_T_INTERVAL_YM ? xk_add_months : xk_ts_add_ms, sel, -1, dt, iv);
    st.k = op == PARSE_OP_SUB ? -1 : 1;
    st.k2 = rtype(c, dt).id;
    return emit_new(c, st, t, out);
  }
  return core_error_set(c->err, SLUICE_UNSUPPORTED, "operator %s on %s and %s is not available yet",
                        parse_op_text(op), tstr(c, lt), tstr(c, rt));
}

/* ====================================================== logic, tests == */

/* Whether evaluating e can fail a row (then AND/OR evaluate it lazily). */
static bool may_fail(const plan_expr *e) {
  if (!e) return false;
  switch (e->kind) {
    case PLAN_E_LITERAL:
    case PLAN_E_COLUMN:
    case PLAN_E_ROWTIME:
    case PLAN_E_PARAM:
    case PLAN_E_AGG:
    case PLAN_E_WINDOWED:
      return false;
    case PLAN_E_UNARY:
      return e->u.unary.op == PARSE_OP_NEG || may_fail(e->u.unary.arg);
    case PLAN_E_BINARY:
      switch (e->u.binary.op) {
        case PARSE_OP_ADD:
        case PARSE_OP_SUB:
        case PARSE_OP_MUL:
        case PARSE_OP_DIV:
        case PARSE_OP_MOD:
          return true;
        default:
          return may_fail(e->u.binary.left) || may_fail(e->u.binary.right);
      }
    case PLAN_E_IS:
      return may_fail(e->u.is.arg);
    case PLAN_E_BETWEEN:
      return may_fail(e->u.between.arg) || may_fail(e->u.between.low) ||
             may_fail(e->u.between.high);
    case PLAN_E_IN_LIST:
      for (int i = 0; i < e->u.in.n; i++)
        if (may_fail(e->u.in.list[i])) return true;
      return may_fail(e->u.in.arg);
    case PLAN_E_LIKE:
      return e->u.like.pattern->kind != PLAN_E_LITERAL ||
             (e->u.like.escape && e->u.like.escape->kind != PLAN_E_LITERAL) ||
             may_fail(e->u.like.arg);
    case PLAN_E_CASE:
      for (int i = 0; i < e->u.case_.n; i++)
        if (may_fail(e->u.case_.whens[i]) || may_fail(e->u.case_.thens[i])) return true;
      return may_fail(e->u.case_.operand) || may_fail(e->u.case_.else_);
    default:
      return true;
  }
}

/* AND / OR: the right side runs only for the rows whose result it can change
 * (when it can fail; otherwise both sides run over all rows, which is faster). */
static int cx_logic(comp *c, const plan_expr *e, int sel, int *out) {
  bool and_ = e->u.binary.op == PARSE_OP_AND;
  int l, r, rc;
  if ((rc = cx_bool(c, e->u.binary.left, sel, &l))) return rc;
  int rsel = sel;
  if (may_fail(e->u.binary.right)) {
    if ((rc = sel_new(c, &rsel))) return rc;
    xstep st = step(xk_split, sel, -1, l, -1);
    st.sel_t = rsel;
    st.k = and_ ? 1 : 2;
    if ((rc = emit(c, st))) return rc;
  }
  if ((rc = cx_bool(c, e->u.binary.right, rsel, &r))) return rc;
  return logic(c, and_ ? xk_and : xk_or, l, r, sel, out);
}

static int cx_between(comp *c, const plan_expr *e, int sel, int *out) {
  int a, lo, hi, c1, c2, rc;
  if ((rc = cx(c, e->u.between.arg, sel, &a)) || (rc = cx(c, e->u.between.low, sel, &lo)) ||
      (rc = cx(c, e->u.between.high, sel, &hi)))
    return rc;
  if ((rc = cmp_regs(c, PARSE_OP_GE, a, lo, sel, &c1)) ||
      (rc = cmp_regs(c, PARSE_OP_LE, a, hi, sel, &c2)) || (rc = logic(c, xk_and, c1, c2, sel, out)))
    return rc;
  if (e->u.between.symmetric) { /* also between hi and lo */
    int c3, c4, r2;
    if ((rc = cmp_regs(c, PARSE_OP_GE, a, hi, sel, &c3)) ||
        (rc = cmp_regs(c, PARSE_OP_LE, a, lo, sel, &c4)) ||
        (rc = logic(c, xk_and, c3, c4, sel, &r2)) || (rc = logic(c, xk_or, *out, r2, sel, out)))
      return rc;
  }
  return e->u.between.negated ? negate(c, *out, sel, out) : SLUICE_OK;
}

/* x IN (a, b, ...) = x = a OR x = b OR ...: TRUE if one is equal, else UNKNOWN if a
 * comparison was, else FALSE. */
static int cx_in_list(comp *c, const plan_expr *e, int sel, int *out) {
  int a, rc, acc = -1;
  if ((rc = cx(c, e->u.in.arg, sel, &a))) return rc;
  for (int i = 0; i < e->u.in.n; i++) {
    int v, eq;
    if ((rc = cx(c, e->u.in.list[i], sel, &v)) || (rc = cmp_regs(c, PARSE_OP_EQ, a, v, sel, &eq)))
      return rc;
    if (acc < 0)
      acc = eq;
    else if ((rc = logic(c, xk_or, acc, eq, sel, &acc)))
      return rc;
  }
  if (acc < 0) { /* an empty list (not written by the parser) */
    core_value f = {.type = bool_type(), .u.b = false};
    if ((rc = reg_const(c, &f, bool_type(), &acc))) return rc;
  }
  *out = acc;
  return e->u.in.negated ? negate(c, acc, sel, out) : SLUICE_OK;
}

static int cx_like(comp *c, const plan_expr *e, int sel, int *out) {
  int a, p, esc = -1, rc;
  core_type vc = mk(CORE_T_VARCHAR, PLAN_VARCHAR_MAX, 0);
  if ((rc = cx(c, e->u.like.arg, sel, &a)) || (rc = conv(c, a, vc, sel, &a)) ||
      (rc = cx(c, e->u.like.pattern, sel, &p)) || (rc = conv(c, p, vc, sel, &p)))
    return rc;
  if (e->u.like.escape &&
      ((rc = cx(c, e->u.like.escape, sel, &esc)) || (rc = conv(c, esc, vc, sel, &esc))))
    return rc;
  xstep st = step(xk_like, sel, -1, a, p);
  st.c = esc;
  st.k = e->u.like.negated;
  st.k2 = e->u.like.similar;
  const xreg *pr = &c->x->regs[p], *er = esc >= 0 ? &c->x->regs[esc] : NULL;
  if (pr->kind == XR_CONST && (!er || er->kind == XR_CONST)) {
    /* a constant pattern compiles once */
    if (pr->cval->is_null || (er && er->cval->is_null)) return reg_null(c, bool_type(), out);
    fn_pattern *pt;
    rc = fn_pattern_compile(c->arena, e->u.like.similar, pr->cval->u.s.p, pr->cval->u.s.n,
                            er ? er->cval->u.s.p : NULL, er ? er->cval->u.s.n : 0, &pt, c->err);
    if (rc) return rc == SLUICE_NOMEM ? oom(c) : (c->err->code = SLUICE_SEMANTIC);
    st.aux = pt;
  }
  return emit_new(c, st, bool_type(), out);
}

/* ============================================== CASE, COALESCE, NULLIF == */

static int split(comp *c, int mode, int reg, int sel, int *t, int *f) {
  int rc;
  if ((rc = sel_new(c, t)) || (f && (rc = sel_new(c, f)))) return rc;
  xstep st = step(xk_split, sel, -1, reg, -1);
  st.sel_t = *t;
  st.sel_f = f ? *f : -1;
  st.k = mode;
  return emit(c, st);
}

/* Computes e over sel into register out (of out's type). */
static int cx_into(comp *c, const plan_expr *e, int sel, int out) {
  int v, rc;
  if ((rc = cx(c, e, sel, &v)) || (rc = conv(c, v, rtype(c, out), sel, &v))) return rc;
  return emit(c, step(xk_gather, sel, out, v, -1));
}

static int cx_case(comp *c, const plan_expr *e, int sel, int *out) {
  int rc, operand = -1, rem = sel;
  if ((rc = reg_new(c, e->type, out))) return rc;
  if (e->u.case_.operand && (rc = cx(c, e->u.case_.operand, sel, &operand))) return rc;
  for (int i = 0; i < e->u.case_.n; i++) {
    int w, take, rest;
    if (operand >= 0) {
      int v;
      if ((rc = cx(c, e->u.case_.whens[i], rem, &v)) ||
          (rc = cmp_regs(c, PARSE_OP_EQ, operand, v, rem, &w)))
        return rc;
    } else if ((rc = cx_bool(c, e->u.case_.whens[i], rem, &w))) {
      return rc;
    }
    if ((rc = split(c, 0, w, rem, &take, &rest))) return rc;
    if ((rc = cx_into(c, e->u.case_.thens[i], take, *out))) return rc;
    rem = rest;
  }
  if (e->u.case_.else_) return cx_into(c, e->u.case_.else_, rem, *out);
  return emit(c, step(xk_set_null, rem, *out, -1, -1));
}

static int cx_coalesce(comp *c, const plan_expr *e, int sel, int *out) {
  int rc, rem = sel;
  if ((rc = reg_new(c, e->type, out))) return rc;
  for (int i = 0; i < e->u.call.nargs; i++) {
    if ((rc = cx_into(c, e->u.call.args[i], rem, *out))) return rc;
    if (i + 1 < e->u.call.nargs) {
      int next;
      if ((rc = split(c, 3, *out, rem, &next, NULL))) return rc; /* the rows still NULL */
      rem = next;
    }
  }
  return SLUICE_OK;
}

static int cx_nullif(comp *c, const plan_expr *e, int sel, int *out) {
  int a, b, eq, rc;
  if ((rc = cx(c, e->u.call.args[0], sel, &a)) || (rc = cx(c, e->u.call.args[1], sel, &b)) ||
      (rc = cmp_regs(c, PARSE_OP_EQ, a, b, sel, &eq)) || (rc = conv(c, a, e->type, sel, &a)))
    return rc;
  return emit_new(c, step(xk_nullif, sel, -1, a, eq), e->type, out);
}

/* ================================================================ CAST == */

static int cx_cast(comp *c, const plan_expr *e, int sel, int *out) {
  int a, rc;
  if ((rc = cx(c, e->u.cast.arg, sel, &a))) return rc;
  core_type from = rtype(c, a), to = e->type;
  if (from.id == CORE_T_NULL) return reg_null(c, to, out);
  core_type f0 = from, t0 = to;
  f0.not_null = t0.not_null = 0;
  if (memcmp(&f0, &t0, sizeof f0) == 0) {
    *out = a;
    return SLUICE_OK;
  }
  xkernel k = x_cast_kernel(from, to, true);
  if (!k)
    return core_error_set(c->err, SLUICE_UNSUPPORTED, "CAST from %s to %s is not available yet",
                          tstr(c, from), tstr(c, to));
  xstep st = step(k, sel, -1, a, -1);
  st.k = 1;
  return emit_new(c, st, to, out);
}

/* =========================================================== functions == */

static int not_available(comp *c, const char *name) {
  return core_error_set(c->err, SLUICE_UNSUPPORTED, "function %s is not available yet", name);
}

static int cx_call(comp *c, const plan_expr *e, int sel, int *out) {
  const fn_def *f = e->u.call.fn;
  const char *name = f->name;
  int n = e->u.call.nargs, rc;
  if (strcmp(name, "COALESCE") == 0) return cx_coalesce(c, e, sel, out);
  if (strcmp(name, "NULLIF") == 0) return cx_nullif(c, e, sel, out);
  if (strcmp(name, "MONOTONIC") == 0) { /* an assertion for the validator; the value as is */
    if ((rc = cx(c, e->u.call.args[0], sel, out))) return rc;
    return conv(c, *out, e->type, sel, out);
  }
  const fn_scalar_impl *impl = fn_scalar_impl_of(f);
  if (!impl || (f->flags & FN_ROW_RESULT) || n > FN_CALL_MAX_ARGS) return not_available(c, name);
  xcall *xc = core_arena_zalloc(c->arena, sizeof *xc);
  if (!xc) return oom(c);
  fn_call *call = &xc->call;
  call->fn = f;
  call->nargs = n;
  call->result = e->type;
  call->unit = e->u.call.unit;
  call->trim = (uint8_t)e->u.call.trim; /* parse_trim_spec and fn_trim share their order */
  call->comma_form = strcmp(name, "SUBSTRING") == 0 && e->u.call.form == PARSE_CALL_PLAIN;
  for (int i = 0; i < n; i++) {
    if ((rc = cx(c, e->u.call.args[i], sel, &xc->args[i]))) return rc;
    const xreg *r = &c->x->regs[xc->args[i]];
    call->args[i] = r->v.type;
    call->consts[i] = r->kind == XR_CONST ? r->cval : NULL;
  }
  core_error_clear(c->err);
  rc = impl->prepare(call, c->arena, c->err);
  if (rc) {
    if (rc == SLUICE_NOMEM) return oom(c);
    if (!c->err->message[0]) return not_available(c, name);
    c->err->code = rc;
    return rc;
  }
  for (int i = 0; i < n; i++)
    if ((rc = conv(c, xc->args[i], call->args[i], sel, &xc->args[i]))) return rc;
  xstep st = step(xk_call, sel, -1, -1, -1);
  st.aux = xc;
  return emit_new(c, st, e->type, out);
}

/* ------------------------------------------------- user SQL functions -- */

/* A body that uses only built-in functions and no relations can be bound without a
 * catalog. */
static bool inlinable(const parse_expr *e, int depth) {
  if (!e) return true;
  if (depth > 256) return false;
  switch (e->kind) {
    case PARSE_E_LITERAL:
    case PARSE_E_COLUMN:
      return true;
    case PARSE_E_UNARY:
      return inlinable(e->u.unary.arg, depth + 1);
    case PARSE_E_BINARY:
      return inlinable(e->u.binary.left, depth + 1) && inlinable(e->u.binary.right, depth + 1);
    case PARSE_E_IS:
      return inlinable(e->u.is.arg, depth + 1);
    case PARSE_E_BETWEEN:
      return inlinable(e->u.between.arg, depth + 1) && inlinable(e->u.between.low, depth + 1) &&
             inlinable(e->u.between.high, depth + 1);
    case PARSE_E_IN_LIST:
      for (int i = 0; i < e->u.in.list.n; i++)
        if (!inlinable(e->u.in.list.items[i], depth + 1)) return false;
      return inlinable(e->u.in.arg, depth + 1);
    case PARSE_E_LIKE:
      return inlinable(e->u.like.arg, depth + 1) && inlinable(e->u.like.pattern, depth + 1) &&
             inlinable(e->u.like.escape, depth + 1);
    case PARSE_E_CASE:
      for (int i = 0; i < e->u.case_.whens.n; i++) {
        const parse_when *w = e->u.case_.whens.items[i];
        if (!inlinable(w->when, depth + 1) || !inlinable(w->then, depth + 1)) return false;
      }
      return inlinable(e->u.case_.operand, depth + 1) && inlinable(e->u.case_.else_, depth + 1);
    case PARSE_E_CAST:
      return inlinable(e->u.cast.arg, depth + 1);
    case PARSE_E_CALL:
      if (!fn_lookup(e->u.call.name.name) || e->u.call.over) return false;
      for (int i = 0; i < e->u.call.args.n; i++)
        if (!inlinable(e->u.call.args.items[i], depth + 1)) return false;
      return true;
    case PARSE_E_DATETIME_DIFF:
      return inlinable(e->u.diff.left, depth + 1) && inlinable(e->u.diff.right, depth + 1);
    case PARSE_E_ROW:
      for (int i = 0; i < e->u.row.items.n; i++)
        if (!inlinable(e->u.row.items.items[i], depth + 1)) return false;
      return true;
    case PARSE_E_PERIOD_PRED:
      return inlinable(e->u.period.left, depth + 1) && inlinable(e->u.period.right, depth + 1);
    default:
      return false;
  }
}

static int cx_udf(comp *c, const plan_expr *e, int sel, int *out) {
  const catalog_function *f = e->u.call.udf;
  int n = e->u.call.nargs, rc;
  if (c->depth >= 16)
    return core_error_set(c->err, SLUICE_UNSUPPORTED, "function %s is nested too deeply", f->name);
  parse_stmt *st;
  core_error perr;
  if (!f->sql || parse_statement(c->arena, f->sql, strlen(f->sql), &st, &perr) != SLUICE_OK ||
      st->kind != PARSE_S_CREATE_FUNCTION || !inlinable(st->u.create_function.body, 0))
    return core_error_set(c->err, SLUICE_UNSUPPORTED,
                          "function %s is not available yet: its body calls another user "
                          "function or reads a relation",
                          f->name);
  plan_ctx pc = {.cat = NULL, .app = f->app, .arena = c->arena};
  plan_stmt *ps;
  if ((rc = plan_bind(&pc, st, &ps, &perr)) != SLUICE_OK)
    return core_error_set(c->err, rc == SLUICE_NOMEM ? rc : SLUICE_INTERNAL,
                          "internal: the body of function %s does not bind: %s", f->name,
                          perr.message);
  int *args = core_arena_alloc(c->arena, sizeof(int) * (size_t)(n ? n : 1));
  if (!args) return oom(c);
  for (int i = 0; i < n; i++)
    if ((rc = cx(c, e->u.call.args[i], sel, &args[i])) ||
        (rc = conv(c, args[i], f->params[i].type, sel, &args[i])))
      return rc;
  int body_sel = sel;
  if ((rc = reg_new(c, e->type, out))) return rc;
  if (f->null_on_null && n > 0) {
    /* RETURNS NULL ON NULL INPUT: the body runs only for rows without a NULL argument */
    if ((rc = emit(c, step(xk_set_null, sel, *out, -1, -1))) || (rc = sel_new(c, &body_sel)))
      return rc;
    xstep sp = step(xk_split_nonnull, sel, -1, -1, -1);
    sp.sel_t = body_sel;
    sp.k = n;
    sp.aux = args;
    if ((rc = emit(c, sp))) return rc;
  }
  comp saved = *c;
  c->params = args;
  c->nparams = n;
  c->in_body = true;
  c->depth++;
  rc = cx_into(c, ps->body, body_sel, *out);
  c->params = saved.params;
  c->nparams = saved.nparams;
  c->in_body = saved.in_body;
  c->depth = saved.depth;
  return rc;
}

/* =================================================== datetime, periods == */

static int cx_diff(comp *c, const plan_expr *e, int sel, int *out) {
  int l, r, rc;
  if ((rc = cx(c, e->u.diff.left, sel, &l)) || (rc = cx(c, e->u.diff.right, sel, &r))) return rc;
  core_type lt = rtype(c, l), rt = rtype(c, r);
  if (lt.id == CORE_T_NULL || rt.id == CORE_T_NULL) return reg_null(c, e->type, out);
  core_type *q = core_arena_alloc(c->arena, sizeof *q);
  if (!q) return oom(c);
  *q = e->type;
  xstep st = step(xk_dt_diff, sel, -1, l, r);
  st.k2 = lt.id;
  st.aux = q;
  return emit_new(c, st, e->type, out);
}

/* The start and end of a period (s, e), or a single instant (end = -1). */
static int period_regs(comp *c, const plan_expr *p, int sel, int *s, int *e) {
  int rc;
  if (p->kind != PLAN_E_ROW) {
    *e = -1;
    return cx(c, p, sel, s);
  }
  if ((rc = cx(c, p->u.row.items[0], sel, s))) return rc;
  return cx(c, p->u.row.items[1], sel, e);
}

/* Both comparisons a1 <o1> b1 and a2 <o2> b2. */
static int both(comp *c, parse_op o1, int a1, int b1, parse_op o2, int a2, int b2, int sel,
                int *out) {
  int x, y, rc;
  if ((rc = cmp_regs(c, o1, a1, b1, sel, &x)) || (rc = cmp_regs(c, o2, a2, b2, sel, &y))) return rc;
  return logic(c, xk_and, x, y, sel, out);
}

/*
 * Temporal predicates of spec 2.6 on half-open periods [s, e) ([IMPL] Allen's
 * relations): OVERLAPS s1 < e2 AND s2 < e1 (STRICTLY: no shared endpoint);
 * EQUALS; CONTAINS (a period, or an instant: s <= t < e); PRECEDES e1 <= s2
 * (STRICTLY <, IMMEDIATELY =); SUCCEEDS mirrored; LEADS s1 < s2 < e1 < e2; LAGS
 * mirrored.
 */
static int cx_period(comp *c, const plan_expr *e, int sel, int *out) {
  int s1, e1, s2, e2, rc;
  if ((rc = period_regs(c, e->u.period.left, sel, &s1, &e1)) ||
      (rc = period_regs(c, e->u.period.right, sel, &s2, &e2)))
    return rc;
  bool strictly = e->u.period.strictly, imm = e->u.period.immediately;
  switch (e->u.period.op) {
    case PARSE_PP_OVERLAPS:
      if (imm) break;
      if ((rc = both(c, PARSE_OP_LT, s1, e2, PARSE_OP_LT, s2, e1, sel, out))) return rc;
      if (strictly) {
        int x, y;
        if ((rc = both(c, PARSE_OP_NE, s1, s2, PARSE_OP_NE, e1, e2, sel, &x)) ||
            (rc = logic(c, xk_and, *out, x, sel, out)) ||
            (rc = both(c, PARSE_OP_NE, s1, e2, PARSE_OP_NE, s2, e1, sel, &y)))
          return rc;
        return logic(c, xk_and, *out, y, sel, out);
      }
      return SLUICE_OK;
    case PARSE_PP_EQUALS:
      if (strictly || imm) break;
      return both(c, PARSE_OP_EQ, s1, s2, PARSE_OP_EQ, e1, e2, sel, out);
    case PARSE_PP_CONTAINS:
      if (imm) break;
      if (e2 < 0) /* an instant */
        return both(c, strictly ? PARSE_OP_LT : PARSE_OP_LE, s1, s2, PARSE_OP_LT, s2, e1, sel, out);
      return both(c, strictly ? PARSE_OP_LT : PARSE_OP_LE, s1, s2,
                  strictly ? PARSE_OP_LT : PARSE_OP_LE, e2, e1, sel, out);
    case PARSE_PP_PRECEDES:
      return cmp_regs(c,
                      imm        ? PARSE_OP_EQ
                      : strictly ? PARSE_OP_LT
                                 : PARSE_OP_LE,
                      e1, s2, sel, out);
    case PARSE_PP_SUCCEEDS:
      return cmp_regs(c,
                      imm        ? PARSE_OP_EQ
                      : strictly ? PARSE_OP_GT
                                 : PARSE_OP_GE,
                      s1, e2, sel, out);
    case PARSE_PP_LEADS:
    case PARSE_PP_LAGS: {
      if (imm) break;
      bool lags = e->u.period.op == PARSE_PP_LAGS;
      int a_s = lags ? s2 : s1, a_e = lags ? e2 : e1, b_s = lags ? s1 : s2, b_e = lags ? e1 : e2;
      int x;
      if ((rc = both(c, PARSE_OP_LT, a_s, b_s, PARSE_OP_LT, b_s, a_e, sel, &x)) ||
          (rc = cmp_regs(c, PARSE_OP_LT, a_e, b_e, sel, out)))
        return rc;
      return logic(c, xk_and, x, *out, sel, out);
    }
  }
  return core_error_set(c->err, SLUICE_UNSUPPORTED,
                        "this form of temporal predicate is not available yet");
}

/* ========================================================== dispatch == */

static int cx_node(comp *c, const plan_expr *e, int sel, int *out) {
  int rc, a;
  switch (e->kind) {
    case PLAN_E_LITERAL:
      return cx_literal(c, e, out);
    case PLAN_E_COLUMN:
      return core_error_set(c->err, SLUICE_INTERNAL,
                            "internal: column %d of \"%s\" is not in the layout", e->u.column.index,
                            e->u.column.rel && e->u.column.rel->alias ? e->u.column.rel->alias
                                                                      : "?");
    case PLAN_E_ROWTIME:
      return reg_input(c, XR_ROWTIME, -1, mk(CORE_T_TIMESTAMP, 0, 0), out);
    case PLAN_E_PARAM:
      if (e->u.param.index >= c->nparams)
        return core_error_set(c->err, SLUICE_INTERNAL, "internal: parameter %d outside a function",
                              e->u.param.index);
      *out = c->params[e->u.param.index];
      return SLUICE_OK;
    case PLAN_E_AGG:
    case PLAN_E_WINDOWED:
      return core_error_set(c->err, SLUICE_INTERNAL, "internal: unmapped aggregate");
    case PLAN_E_SUBQUERY:
    case PLAN_E_EXISTS:
    case PLAN_E_IN_QUERY:
      return core_error_set(c->err, SLUICE_UNSUPPORTED,
                            "subqueries in expressions are not available yet");
    case PLAN_E_ROW:
      return core_error_set(c->err, SLUICE_UNSUPPORTED,
                            "a row value is only available in IN and temporal predicates");
    case PLAN_E_FIELD:
      return core_error_set(c->err, SLUICE_UNSUPPORTED,
                            "fields of row values (log parsing functions) are not available yet");
    case PLAN_E_UNARY:
      if (e->u.unary.op == PARSE_OP_NOT) {
        if ((rc = cx_bool(c, e->u.unary.arg, sel, &a))) return rc;
        return negate(c, a, sel, out);
      }
      if ((rc = cx(c, e->u.unary.arg, sel, &a)) || (rc = conv(c, a, e->type, sel, &a))) return rc;
      if (e->u.unary.op == PARSE_OP_PLUS || e->type.id == CORE_T_NULL) {
        *out = a;
        return SLUICE_OK;
      }
      {
        xstep st = step(xk_neg, sel, -1, a, -1);
        st.k2 = e->type.id;
        return emit_new(c, st, e->type, out);
      }
    case PLAN_E_BINARY:
      switch (e->u.binary.op) {
        case PARSE_OP_AND:
        case PARSE_OP_OR:
          return cx_logic(c, e, sel, out);
        case PARSE_OP_EQ:
        case PARSE_OP_NE:
        case PARSE_OP_LT:
        case PARSE_OP_LE:
        case PARSE_OP_GT:
        case PARSE_OP_GE:
        case PARSE_OP_IS_DISTINCT:
        case PARSE_OP_IS_NOT_DISTINCT: {
          int l, r;
          if ((rc = cx(c, e->u.binary.left, sel, &l)) || (rc = cx(c, e->u.binary.right, sel, &r)))
            return rc;
          return cmp_regs(c, e->u.binary.op, l, r, sel, out);
        }
        case PARSE_OP_CONCAT: {
          int l, r;
          if ((rc = cx(c, e->u.binary.left, sel, &l)) || (rc = cx(c, e->u.binary.right, sel, &r)))
            return rc;
          if (e->type.id == CORE_T_NULL || rtype(c, l).id == CORE_T_NULL ||
              rtype(c, r).id == CORE_T_NULL)
            return reg_null(c, e->type, out);
          return emit_new(c, step(xk_concat, sel, -1, l, r), e->type, out);
        }
        default:
          return cx_arith(c, e, sel, out);
      }
    case PLAN_E_IS: {
      if ((rc = cx(c, e->u.is.arg, sel, &a))) return rc;
      if (e->u.is.what != PARSE_IS_NULL && (rc = conv(c, a, bool_type(), sel, &a))) return rc;
      xstep st = step(xk_is, sel, -1, a, -1);
      st.k = e->u.is.what;
      st.k2 = e->u.is.negated;
      return emit_new(c, st, bool_type(), out);
    }
    case PLAN_E_BETWEEN:
      return cx_between(c, e, sel, out);
    case PLAN_E_IN_LIST:
      return cx_in_list(c, e, sel, out);
    case PLAN_E_LIKE:
      return cx_like(c, e, sel, out);
    case PLAN_E_CASE:
      return cx_case(c, e, sel, out);
    case PLAN_E_CAST:
      return cx_cast(c, e, sel, out);
    case PLAN_E_CALL:
      return cx_call(c, e, sel, out);
    case PLAN_E_UDF:
      return cx_udf(c, e, sel, out);
    case PLAN_E_DATETIME_DIFF:
      return cx_diff(c, e, sel, out);
    case PLAN_E_PERIOD_PRED:
      return cx_period(c, e, sel, out);
  }
  return core_error_set(c->err, SLUICE_INTERNAL, "internal: expression kind %d", (int)e->kind);
}

static int cx(comp *c, const plan_expr *e, int sel, int *out) {
  if (!c->folding && !c->in_body && c->layout && c->layout->find) {
    int col = c->layout->find(c->layout->arg, e);
    if (col >= 0) return reg_input(c, XR_COLUMN, col, e->type, out);
  }
  if (!c->folding && e->kind != PLAN_E_LITERAL && foldable(e)) {
    bool done;
    int rc = try_fold(c, e, out, &done);
    if (rc || done) return rc;
  }
  int rc = cx_node(c, e, sel, out);
  if (rc && c->err->location < 0 && e->src && rc != SLUICE_NOMEM)
    core_error_at(c->err, e->src->loc.off);
  return rc;
}

/* =========================================================== public == */

int exec_expr_compile(const plan_expr *e, const exec_layout *layout, core_arena *arena,
                      exec_expr **out, core_error *err) {
  *out = NULL;
  exec_expr *x = prog_new(arena);
  if (!x) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  comp c = {.x = x, .layout = layout, .arena = arena, .err = err};
  int reg, rc = cx(&c, e, 0, &reg);
  if (rc) return rc;
  if (core_arena_oom(arena)) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  x->result = reg;
  x->type = e->type;
  *out = x;
  return SLUICE_OK;
}

core_type exec_expr_type(const exec_expr *x) {
  return x->type;
}

static bool same_repr(core_type a, core_type b) {
  char ra = core_type_repr((core_type_id)a.id), rb = core_type_repr((core_type_id)b.id);
  return ra == rb && (ra != 'x' || a.scale == b.scale);
}

/* The first position of in->sel holding a row >= row (the selection ascends). */
static int sel_lower_bound(const core_batch *in, int row) {
  int lo = 0, hi = in->nsel;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (in->sel[mid] < row)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/*
 * Runs every step over the live rows base .. base + n - 1 of `in` (n <= XCAP): the
 * input registers point into in's vectors at base, and register row i is in's row
 * base + i. Batches of up to XCAP rows are one chunk with base 0.
 */
static int run_chunk(exec_expr *x, exec_ctx *ctx, core_batch *in, int base, int n, core_arena *heap,
                     xrun *r, core_error *err) {
  xsel *s0 = &x->sels[0];
  if (in->sel) {
    s0->n = 0;
    for (int k = sel_lower_bound(in, base); k < in->nsel && in->sel[k] < base + n; k++)
      s0->rows[s0->n++] = (uint16_t)(in->sel[k] - base);
    s0->dense = false;
  } else {
    s0->n = n;
    s0->dense = true;
  }
  if (x->dirty) {
    memset(x->dead, 0, XCAP);
    x->dirty = false;
  }
  for (int k = 0; k < x->nregs; k++) {
    xreg *g = &x->regs[k];
    if (g->kind == XR_ROWTIME) {
      g->v.u.i = in->rowtime + base;
      g->v.null = x->zeros;
    } else if (g->kind == XR_COLUMN) {
      const core_vec *c = &in->cols[g->col];
      if (g->col >= in->ncols || !same_repr(c->type, g->v.type))
        return core_error_set(err, SLUICE_INTERNAL,
                              "internal: input column %d does not hold the expected type", g->col);
      g->v.null = c->null + base;
      g->v.u.i =
          (void *)((char *)c->u.i + core_type_repr_size((core_type_id)c->type.id) * (size_t)base);
    }
  }
  *r = (xrun){.x = x, .ctx = ctx, .in = in, .base = base, .heap = heap};
  for (int k = 0; k < x->nsteps; k++) x->steps[k].fn(r, &x->steps[k]);
  if (r->oom || core_arena_oom(heap)) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  return SLUICE_OK;
}

/* Copies the chunk's results (the live rows that did not fail) to dst at base. */
static int copy_result(exec_expr *x, core_vec *dst, int base, core_arena *heap, core_error *err) {
  const xreg *g = &x->regs[x->result];
  const core_vec *src = &g->v;
  const xsel *s0 = &x->sels[0];
  char repr = core_type_repr((core_type_id)x->type.id);
  size_t size = core_type_repr_size((core_type_id)x->type.id);
  if (repr != 's' && s0->dense) { /* one copy of the whole vector */
    memcpy(dst->null + base, src->null, (size_t)s0->n);
    memcpy((char *)dst->u.i + size * (size_t)base, src->u.i, size * (size_t)s0->n);
    return SLUICE_OK;
  }
  for (int k = 0; k < s0->n; k++) {
    int i = s0->dense ? k : s0->rows[k], o = base + i;
    if (x->dead[i]) continue;
    dst->null[o] = src->null[i];
    switch (repr) {
      case 'd':
        dst->u.d[o] = src->u.d[i];
        break;
      case 'x':
        dst->u.dec[o] = src->u.dec[i];
        break;
      case 's': {
        core_str v = src->u.s[i];
        if (!src->null[i] && v.n && g->kind != XR_CONST) { /* constants outlive the batch */
          char *p = core_arena_alloc(heap, v.n);
          if (!p) return core_error_set(err, SLUICE_NOMEM, "out of memory");
          memcpy(p, v.p, v.n);
          v.p = p;
        }
        dst->u.s[o] = v;
        break;
      }
      default:
        dst->u.i[o] = src->u.i[i];
    }
  }
  return SLUICE_OK;
}

int exec_expr_eval(exec_expr *x, exec_ctx *ctx, core_batch *in, core_batch *out, int col,
                   core_error *err) {
  xrun r;
  if (col < 0 || col >= out->ncols || !same_repr(out->cols[col].type, x->type))
    return core_error_set(err, SLUICE_INTERNAL, "internal: output column %d does not hold %s", col,
                          core_type_name((core_type_id)x->type.id));
  if (out->cap < in->n)
    return core_error_set(err, SLUICE_INTERNAL, "internal: output batch too small");
  for (int base = 0; base < in->n; base += XCAP) {
    int n = in->n - base < XCAP ? in->n - base : XCAP, rc;
    if ((rc = run_chunk(x, ctx, in, base, n, out->heap, &r, err)) ||
        (rc = copy_result(x, &out->cols[col], base, out->heap, err)))
      return rc;
  }
  return SLUICE_OK;
}

/* Whether chunk row i passed the filter. */
static inline bool kept(const exec_expr *x, const core_vec *v, int i) {
  return !v->null[i] & (v->u.i[i] != 0) & !x->dead[i];
}

int exec_expr_filter(exec_expr *x, exec_ctx *ctx, core_batch *in, core_error *err) {
  xrun r;
  if (x->type.id != CORE_T_BOOLEAN && x->type.id != CORE_T_NULL)
    return core_error_set(err, SLUICE_INTERNAL, "internal: a filter must be BOOLEAN");
  const core_vec *v = &x->regs[x->result].v;
  const xsel *s0 = &x->sels[0];
  if (in->n <= XCAP) { /* one chunk: the new selection straight from the result */
    int rc = run_chunk(x, ctx, in, 0, in->n, in->heap, &r, err);
    if (rc) return rc;
    uint16_t *dst = in->sel_buf;
    int n = 0;
    for (int k = 0; k < s0->n; k++) {
      int i = s0->dense ? k : s0->rows[k];
      dst[n] = (uint16_t)i;
      n += kept(x, v, i);
    }
    in->sel = dst;
    in->nsel = n;
    return SLUICE_OK;
  }
  /* larger batches: a flag per row, then the selection (failed rows are already gone) */
  uint8_t *keep = calloc((size_t)in->n, 1);
  if (!keep) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  for (int base = 0; base < in->n; base += XCAP) {
    int n = in->n - base < XCAP ? in->n - base : XCAP;
    int rc = run_chunk(x, ctx, in, base, n, in->heap, &r, err);
    if (rc) {
      free(keep);
      return rc;
    }
    for (int k = 0; k < s0->n; k++) {
      int i = s0->dense ? k : s0->rows[k];
      keep[base + i] = kept(x, v, i);
    }
  }
  int live = core_batch_live(in), n = 0;
  for (int k = 0; k < live; k++) { /* in place: the write position never passes the read */
    int i = core_batch_row(in, k);
    if (keep[i]) in->sel_buf[n++] = (uint16_t)i;
  }
  in->sel = in->sel_buf;
  in->nsel = n;
  free(keep);
  return SLUICE_OK;
}

/*
 * types.c — the type system of the dialect (spec 2): arithmetic result types,
 * comparison and common types, the CAST table, assignment, monotonicity.
 */
#include <stdio.h>
#include <string.h>

#include "planner/planner.h"

static core_type mk(core_type_id id, int32_t precision, int32_t scale, bool not_null) {
  core_type t;
  memset(&t, 0, sizeof t);
  t.id = (uint8_t)id;
  t.precision = precision;
  t.scale = scale;
  t.not_null = not_null ? 1 : 0;
  return t;
}

static int imax(int a, int b) {
  return a > b ? a : b;
}
static int imin(int a, int b) {
  return a < b ? a : b;
}

const char *plan_type_str(core_arena *a, core_type t) {
  char buf[64];
  core_type_format(t, buf, sizeof buf);
  return core_arena_strdup(a, buf);
}

core_type plan_decimal_of(core_type t) {
  switch (t.id) {
    case CORE_T_TINYINT:
      return mk(CORE_T_DECIMAL, 3, 0, t.not_null);
    case CORE_T_SMALLINT:
      return mk(CORE_T_DECIMAL, 5, 0, t.not_null);
    case CORE_T_INTEGER:
      return mk(CORE_T_DECIMAL, 10, 0, t.not_null);
    case CORE_T_BIGINT:
      return mk(CORE_T_DECIMAL, 19, 0, t.not_null);
    default:
      return t;
  }
}

/* DECIMAL(p,s) with the cap of spec 2.3: p <= 18, s <= p. */
static core_type dec_capped(int p, int s, bool not_null) {
  if (p > PLAN_DECIMAL_MAX) p = PLAN_DECIMAL_MAX;
  if (p < 1) p = 1;
  if (s > p) s = p;
  if (s < 0) s = 0;
  return mk(CORE_T_DECIMAL, p, s, not_null);
}

static bool is_exact(core_type_id id) {
  return core_type_is_integer(id) || id == CORE_T_DECIMAL;
}
static bool is_approx(core_type_id id) {
  return id == CORE_T_REAL || id == CORE_T_DOUBLE;
}

/* The interval type spanning both qualifiers (DAY + DAY TO HOUR -> DAY TO HOUR). */
static core_type interval_span(core_type a, core_type b, bool not_null) {
  core_type t = a;
  int a_end = a.end ? a.end : a.start, b_end = b.end ? b.end : b.start;
  t.start = (uint8_t)imin(a.start, b.start);
  int end = imax(a_end, b_end);
  t.end = (uint8_t)(end == t.start ? CORE_IU_NONE : end);
  t.precision = imax(a.precision, b.precision);
  t.scale = imax(a.scale, b.scale);
  t.not_null = not_null;
  return t;
}

static int op_error(parse_op op, core_type a, core_type b, core_error *err) {
  char ta[64], tb[64];
  core_type_format(a, ta, sizeof ta);
  core_type_format(b, tb, sizeof tb);
  return core_error_set(err, SLUICE_SEMANTIC, "cannot apply operator %s to %s and %s",
                        parse_op_text(op), ta, tb);
}

/* + - * / on two numeric types. */
static core_type numeric_arith(parse_op op, core_type a, core_type b, bool nn) {
  core_type_id ia = (core_type_id)a.id, ib = (core_type_id)b.id;
  if (ia == CORE_T_DOUBLE || ib == CORE_T_DOUBLE) return mk(CORE_T_DOUBLE, 0, 0, nn);
  if (is_approx(ia) || is_approx(ib)) return mk(CORE_T_REAL, 0, 0, nn);
  if (core_type_is_integer(ia) && core_type_is_integer(ib))
    return mk(ia > ib ? ia : ib, 0, 0, nn); /* integer widening; / truncates */
  core_type da = plan_decimal_of(a), db = plan_decimal_of(b);
  int p1 = da.precision, s1 = da.scale, p2 = db.precision, s2 = db.scale;
  switch (op) {
    case PARSE_OP_ADD:
    case PARSE_OP_SUB: {
      int s = imax(s1, s2);
      return dec_capped(imax(p1 - s1, p2 - s2) + s + 1, s, nn);
    }
    case PARSE_OP_MUL:
      return dec_capped(p1 + p2, imin(s1 + s2, PLAN_DECIMAL_MAX), nn);
    default: { /* DIV */
      int d = p1 - s1 + s2;
      int s = imax(6, s1 + p2 + 1);
      int p = d + s;
      if (p > PLAN_DECIMAL_MAX) {
        /* keep at least the dividend's scale, then as many whole digits as fit */
        s = imin(s, imax(s1, PLAN_DECIMAL_MAX - d));
        p = PLAN_DECIMAL_MAX;
      }
      return dec_capped(p, s, nn);
    }
  }
}

int plan_type_binary(parse_op op, core_type a, core_type b, core_type *out, core_error *err) {
  core_type_id ia = (core_type_id)a.id, ib = (core_type_id)b.id;
  bool nn = a.not_null && b.not_null;
  /* An untyped NULL takes the other operand's type. */
  if (ia == CORE_T_NULL && ib == CORE_T_NULL) {
    *out = mk(CORE_T_NULL, 0, 0, false);
    return SLUICE_OK;
  }
  if (ia == CORE_T_NULL) {
    a = b;
    a.not_null = 0;
    ia = ib;
    if (core_type_is_interval(ib) && (op == PARSE_OP_MUL || op == PARSE_OP_DIV)) {
      *out = b;
      out->not_null = 0;
      return SLUICE_OK;
    }
  }
  if (ib == CORE_T_NULL) {
    b = a;
    b.not_null = 0;
    ib = ia;
    if (core_type_is_interval(ia) && (op == PARSE_OP_MUL || op == PARSE_OP_DIV)) {
      *out = a;
      out->not_null = 0;
      return SLUICE_OK;
    }
  }
  switch (op) {
    case PARSE_OP_CONCAT: {
      bool strs = core_type_is_string(ia) && core_type_is_string(ib);
      bool bins = core_type_is_binary(ia) && core_type_is_binary(ib);
      if (!strs && !bins) return op_error(op, a, b, err);
      int len = imin(a.precision + b.precision, PLAN_VARCHAR_MAX);
      core_type_id fixed = strs ? CORE_T_CHAR : CORE_T_BINARY;
      core_type_id var = strs ? CORE_T_VARCHAR : CORE_T_VARBINARY;
      *out = mk(ia == fixed && ib == fixed ? fixed : var, len, 0, nn);
      return SLUICE_OK;
    }
    case PARSE_OP_MOD: {
      if (!is_exact(ia) || !is_exact(ib) || (ia == CORE_T_DECIMAL && a.scale != 0) ||
          (ib == CORE_T_DECIMAL && b.scale != 0))
        return op_error(op, a, b, err);
      if (core_type_is_integer(ia) && core_type_is_integer(ib))
        *out = mk(ia > ib ? ia : ib, 0, 0, nn);
      else
        *out = dec_capped(imax(plan_decimal_of(a).precision, plan_decimal_of(b).precision), 0, nn);
      return SLUICE_OK;
    }
    case PARSE_OP_ADD:
    case PARSE_OP_SUB:
      if (core_type_is_numeric(ia) && core_type_is_numeric(ib)) {
        *out = numeric_arith(op, a, b, nn);
        return SLUICE_OK;
      }
      /* datetime +- interval, interval + datetime */
      if (core_type_is_datetime(ia) && core_type_is_interval(ib)) {
        if (ia == CORE_T_TIME && ib == CORE_T_INTERVAL_YM) return op_error(op, a, b, err);
        *out = mk(ia, 0, 0, nn);
        return SLUICE_OK;
      }
      if (op == PARSE_OP_ADD && core_type_is_interval(ia) && core_type_is_datetime(ib)) {
        if (ib == CORE_T_TIME && ia == CORE_T_INTERVAL_YM) return op_error(op, a, b, err);
        *out = mk(ib, 0, 0, nn);
        return SLUICE_OK;
      }
      if (core_type_is_interval(ia) && ia == ib) {
        *out = interval_span(a, b, nn);
        return SLUICE_OK;
      }
      if (op == PARSE_OP_SUB && core_type_is_datetime(ia) && core_type_is_datetime(ib)) {
        op_error(op, a, b, err);
        core_error_hint(err, "Write the difference with an interval qualifier, for example "
                             "(a - b) SECOND.");
        return SLUICE_SEMANTIC;
      }
      return op_error(op, a, b, err);
    case PARSE_OP_MUL:
      if (core_type_is_numeric(ia) && core_type_is_numeric(ib)) {
        *out = numeric_arith(op, a, b, nn);
        return SLUICE_OK;
      }
      if (core_type_is_interval(ia) && core_type_is_numeric(ib)) {
        *out = a;
        out->not_null = nn;
        return SLUICE_OK;
      }
      if (core_type_is_numeric(ia) && core_type_is_interval(ib)) {
        *out = b;
        out->not_null = nn;
        return SLUICE_OK;
      }
      return op_error(op, a, b, err);
    case PARSE_OP_DIV:
      if (core_type_is_numeric(ia) && core_type_is_numeric(ib)) {
        *out = numeric_arith(op, a, b, nn);
        return SLUICE_OK;
      }
      if (core_type_is_interval(ia) && core_type_is_numeric(ib)) {
        *out = a;
        out->not_null = nn;
        return SLUICE_OK;
      }
      return op_error(op, a, b, err);
    default:
      return core_error_set(err, SLUICE_INTERNAL, "operator %d is not arithmetic", (int)op);
  }
}

int plan_type_datetime_diff(core_type a, core_type b, core_type qualifier, core_type *out,
                            core_error *err) {
  core_type_id ia = (core_type_id)a.id, ib = (core_type_id)b.id;
  bool ok = (core_type_is_datetime(ia) || ia == CORE_T_NULL) &&
            (core_type_is_datetime(ib) || ib == CORE_T_NULL) &&
            (ia == ib || ia == CORE_T_NULL || ib == CORE_T_NULL);
  core_type_id dt = ia == CORE_T_NULL ? ib : ia;
  if (ok && dt == CORE_T_TIME && qualifier.id == CORE_T_INTERVAL_YM) ok = false;
  if (!ok) {
    char ta[64], tb[64];
    core_type_format(a, ta, sizeof ta);
    core_type_format(b, tb, sizeof tb);
    return core_error_set(err, SLUICE_SEMANTIC, "cannot compute the interval between %s and %s", ta,
                          tb);
  }
  *out = qualifier;
  out->not_null = a.not_null && b.not_null;
  return SLUICE_OK;
}

bool plan_type_comparable(core_type a, core_type b) {
  core_type_id ia = (core_type_id)a.id, ib = (core_type_id)b.id;
  if (ia == CORE_T_NULL || ib == CORE_T_NULL) return true;
  if (core_type_is_numeric(ia)) return core_type_is_numeric(ib);
  if (core_type_is_string(ia)) return core_type_is_string(ib);
  if (core_type_is_binary(ia)) return core_type_is_binary(ib);
  return ia == ib && ia != CORE_T_ANY; /* BOOLEAN, each datetime, each interval class */
}

bool plan_type_ordered(core_type t) {
  core_type_id id = (core_type_id)t.id;
  return id != CORE_T_ANY;
}

bool plan_type_common(core_type a, core_type b, core_type *out) {
  core_type_id ia = (core_type_id)a.id, ib = (core_type_id)b.id;
  bool nn = a.not_null && b.not_null;
  if (ia == CORE_T_NULL) {
    *out = b;
    out->not_null = 0;
    return true;
  }
  if (ib == CORE_T_NULL) {
    *out = a;
    out->not_null = 0;
    return true;
  }
  if (core_type_is_numeric(ia) && core_type_is_numeric(ib)) {
    if (ia == CORE_T_DOUBLE || ib == CORE_T_DOUBLE) {
      *out = mk(CORE_T_DOUBLE, 0, 0, nn);
    } else if (is_approx(ia) || is_approx(ib)) {
      *out = mk(CORE_T_REAL, 0, 0, nn);
    } else if (core_type_is_integer(ia) && core_type_is_integer(ib)) {
      *out = mk(ia > ib ? ia : ib, 0, 0, nn);
    } else {
      core_type da = plan_decimal_of(a), db = plan_decimal_of(b);
      int s = imax(da.scale, db.scale);
      int whole = imax(da.precision - da.scale, db.precision - db.scale);
      *out = dec_capped(whole + s, s, nn);
    }
    return true;
  }
  if ((core_type_is_string(ia) && core_type_is_string(ib)) ||
      (core_type_is_binary(ia) && core_type_is_binary(ib))) {
    core_type_id id = ia == ib ? ia : (core_type_is_string(ia) ? CORE_T_VARCHAR : CORE_T_VARBINARY);
    *out = mk(id, imax(a.precision, b.precision), 0, nn);
    return true;
  }
  if (core_type_is_interval(ia) && ia == ib) {
    *out = interval_span(a, b, nn);
    return true;
  }
  if (ia == ib && ia != CORE_T_ANY) {
    *out = a;
    out->not_null = nn;
    return true;
  }
  return false;
}

bool plan_cast_allowed(core_type from, core_type to) {
  core_type_id f = (core_type_id)from.id, t = (core_type_id)to.id;
  if (f == CORE_T_NULL) return true;
  bool to_string = core_type_is_string(t);
  if (core_type_is_numeric(f)) return to_string || core_type_is_numeric(t);
  if (core_type_is_string(f))
    return to_string || core_type_is_numeric(t) || core_type_is_datetime(t) ||
           t == CORE_T_INTERVAL_DT || t == CORE_T_BOOLEAN;
  switch (f) {
    case CORE_T_DATE:
      return t == CORE_T_DATE || to_string || t == CORE_T_TIMESTAMP;
    case CORE_T_TIME:
      return t == CORE_T_TIME || to_string || t == CORE_T_TIMESTAMP;
    case CORE_T_TIMESTAMP:
      return t == CORE_T_TIME || to_string || t == CORE_T_TIMESTAMP || t == CORE_T_DATE;
    case CORE_T_INTERVAL_DT:
    case CORE_T_INTERVAL_YM:
      /* [IMPL] year-month intervals cast like day-time ones (spec 2.4 lists day-time) */
      return t == f || t == CORE_T_BIGINT || t == CORE_T_DECIMAL || to_string;
    case CORE_T_BOOLEAN:
      return to_string || t == CORE_T_BOOLEAN;
    case CORE_T_BINARY:
    case CORE_T_VARBINARY:
      return core_type_is_binary(t);
    default:
      return false;
  }
}

bool plan_assignable(core_type from, core_type to) {
  core_type_id f = (core_type_id)from.id, t = (core_type_id)to.id;
  if (f == CORE_T_NULL) return true;
  if (core_type_is_numeric(f)) return core_type_is_numeric(t);
  if (core_type_is_string(f)) return core_type_is_string(t);
  if (core_type_is_binary(f)) return core_type_is_binary(t);
  return f == t;
}

plan_mono plan_mono_neg(plan_mono m) {
  if (m == PLAN_MONO_ASC) return PLAN_MONO_DESC;
  if (m == PLAN_MONO_DESC) return PLAN_MONO_ASC;
  return m;
}

plan_mono plan_mono_add(plan_mono a, plan_mono b) {
  if (a == PLAN_MONO_NONE || b == PLAN_MONO_NONE) return PLAN_MONO_NONE;
  if (a == PLAN_MONO_CONST) return b;
  if (b == PLAN_MONO_CONST) return a;
  return a == b ? a : PLAN_MONO_NONE;
}

plan_mono plan_mono_sub(plan_mono a, plan_mono b) {
  return plan_mono_add(a, plan_mono_neg(b));
}

plan_mono plan_mono_scale(plan_mono m, int sign) {
  if (sign == 0) return PLAN_MONO_CONST;
  return sign > 0 ? m : plan_mono_neg(m);
}

const char *plan_mono_name(plan_mono m) {
  switch (m) {
    case PLAN_MONO_NONE:
      return "none";
    case PLAN_MONO_CONST:
      return "constant";
    case PLAN_MONO_ASC:
      return "ascending";
    case PLAN_MONO_DESC:
      return "descending";
  }
  return "?";
}

plan_tv plan_tv_not(plan_tv a) {
  return a == PLAN_TV_UNKNOWN ? a : (plan_tv)!a;
}

plan_tv plan_tv_and(plan_tv a, plan_tv b) {
  if (a == PLAN_TV_FALSE || b == PLAN_TV_FALSE) return PLAN_TV_FALSE;
  if (a == PLAN_TV_UNKNOWN || b == PLAN_TV_UNKNOWN) return PLAN_TV_UNKNOWN;
  return PLAN_TV_TRUE;
}

plan_tv plan_tv_or(plan_tv a, plan_tv b) {
  if (a == PLAN_TV_TRUE || b == PLAN_TV_TRUE) return PLAN_TV_TRUE;
  if (a == PLAN_TV_UNKNOWN || b == PLAN_TV_UNKNOWN) return PLAN_TV_UNKNOWN;
  return PLAN_TV_FALSE;
}

plan_tv plan_tv_is(plan_tv a, parse_is_what what, bool negated) {
  bool r;
  switch (what) {
    case PARSE_IS_TRUE:
      r = a == PLAN_TV_TRUE;
      break;
    case PARSE_IS_FALSE:
      r = a == PLAN_TV_FALSE;
      break;
    default:
      r = a == PLAN_TV_UNKNOWN;
      break; /* IS UNKNOWN, IS NULL */
  }
  return (plan_tv)(negated ? !r : r);
}

/*
 * scalar_math.c — numeric and time-bucketing kernels (spec 5.4, 5.6): ABS,
 * FLOOR/CEIL (numbers, datetimes TO unit, intervals), STEP, MOD, POWER, LN,
 * LOG10, EXP, TSDIFF, UNIX_TIMESTAMP, TO_TIMESTAMP, EXTRACT and the clock
 * functions (CURRENT_TIMESTAMP, CURRENT_ROW_TIMESTAMP, ...).
 */
#include <math.h>

#include "functions/scalar_int.h"

static core_type mk(core_type_id id) {
  core_type t;
  memset(&t, 0, sizeof t);
  t.id = (uint8_t)id;
  return t;
}

static int unsupported(core_error *err, const fn_call *c, const char *what) {
  return core_error_set(err, SLUICE_UNSUPPORTED, "function %s is not available yet for %s",
                        c->fn->name, what);
}

static const char *tname(core_type t) {
  return core_type_name((core_type_id)t.id);
}

/* Milliseconds of a day-time unit (DAY .. SECOND). */
static int64_t unit_ms(int unit) {
  switch (unit) {
    case CORE_IU_DAY:
      return 86400000;
    case CORE_IU_HOUR:
      return 3600000;
    case CORE_IU_MINUTE:
      return 60000;
    case CORE_IU_SECOND:
      return 1000;
    default:
      return 1;
  }
}

/* ================================================================= ABS == */

static void run_abs_int(const fn_call *c, const fn_rows *r) {
  int64_t lo, hi;
  fn_int_bounds((core_type_id)c->result.id, &lo, &hi);
  const int64_t *a = r->args[0].u.i;
  const uint8_t *an = r->args[0].null;
  FN_EACH(r, i) {
    r->out->null[i] = an[i];
    int64_t v = a[i];
    if (an[i]) continue;
    if (v < 0 && (v == INT64_MIN || -v > hi)) {
      fn_fail(r, i, "Overflow", "ABS(%lld) is out of range for %s", (long long)v, tname(c->result));
      continue;
    }
    r->out->u.i[i] = v < 0 ? -v : v;
  }
}

static void run_abs_interval(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    int64_t v = r->args[0].u.i[i];
    r->out->null[i] = r->args[0].null[i];
    r->out->u.i[i] = v < 0 && v != INT64_MIN ? -v : v;
  }
}

static void run_abs_dec(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    core_i128 v = r->args[0].u.dec[i];
    r->out->null[i] = r->args[0].null[i];
    r->out->u.dec[i] = v < 0 ? (core_i128)(0 - (core_u128)v) : v; /* no UB on any value */
  }
}

static void run_abs_dbl(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    r->out->u.d[i] = fabs(r->args[0].u.d[i]);
  }
}

FN_PREPARE(fn_prepare_abs) {
  (void)a;
  core_type_id t = (core_type_id)c->args[0].id;
  if (core_type_is_integer(t))
    c->run = run_abs_int;
  else if (core_type_is_interval(t))
    c->run = run_abs_interval;
  else if (t == CORE_T_DECIMAL)
    c->run = run_abs_dec;
  else if (t == CORE_T_REAL || t == CORE_T_DOUBLE)
    c->run = run_abs_dbl;
  else
    return unsupported(err, c, tname(c->args[0]));
  return SLUICE_OK;
}

/* ========================================================= FLOOR / CEIL == */

typedef struct bucket_state {
  bool ceil;
  int64_t width; /* ms, days or months, by kind */
  int unit;
} bucket_state;

static int64_t floor_to(int64_t v, int64_t w, bool ceil) {
  int64_t f = core_floor_div(v, w) * w;
  return ceil && f != v ? f + w : f;
}

/* A timestamp (ms) or date (days) floored or ceiled to MONTH or YEAR. */
static int64_t months_bucket(int64_t t, int64_t months, bool ceil, bool days_only) {
  int64_t days = days_only ? t : core_floor_div(t, 86400000);
  int64_t y;
  unsigned m, d;
  core_civil_from_days((int32_t)days, &y, &m, &d);
  int64_t idx = (y - 1970) * 12 + (int64_t)(m - 1); /* months since 1970-01 */
  int64_t b = core_floor_div(idx, months) * months;
  int64_t by = 1970 + core_floor_div(b, 12);
  unsigned bm = (unsigned)core_floor_mod(b, 12) + 1;
  int64_t start = core_days_from_civil(by, bm, 1);
  int64_t start_t = days_only ? start : start * 86400000;
  if (ceil && start_t != t) start_t = fn_add_months(start_t, months, days_only);
  return start_t;
}

static void run_bucket_int(const fn_call *c, const fn_rows *r) {
  const bucket_state *s = c->state;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    if (!r->out->null[i]) r->out->u.i[i] = floor_to(r->args[0].u.i[i], s->width, s->ceil);
  }
}

static void run_bucket_time(const fn_call *c, const fn_rows *r) {
  const bucket_state *s = c->state;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    if (!r->out->null[i])
      r->out->u.i[i] = core_floor_mod(floor_to(r->args[0].u.i[i], s->width, s->ceil), 86400000);
  }
}

static void run_bucket_months(const fn_call *c, const fn_rows *r) {
  const bucket_state *s = c->state;
  bool days = c->args[0].id == CORE_T_DATE;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    if (!r->out->null[i])
      r->out->u.i[i] = months_bucket(r->args[0].u.i[i], s->width, s->ceil, days);
  }
}

static void run_round_dec(const fn_call *c, const fn_rows *r) {
  const bucket_state *s = c->state;
  core_i128 p = fn_pow10[c->args[0].scale];
  FN_EACH(r, i) {
    core_i128 v = r->args[0].u.dec[i];
    core_i128 q = v / p;
    if (v % p != 0) {
      if (!s->ceil && v < 0) q--;
      if (s->ceil && v > 0) q++;
    }
    r->out->null[i] = r->args[0].null[i];
    r->out->u.dec[i] = q;
  }
}

static void run_round_dbl(const fn_call *c, const fn_rows *r) {
  const bucket_state *s = c->state;
  bool real = c->result.id == CORE_T_REAL;
  FN_EACH(r, i) {
    double v = r->args[0].u.d[i];
    v = s->ceil ? ceil(v) : floor(v);
    r->out->null[i] = r->args[0].null[i];
    r->out->u.d[i] = real ? (double)(float)v : v;
  }
}

static void run_copy(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    r->out->u.i[i] = r->args[0].u.i[i];
  }
}

static int prepare_bucket(fn_call *c, core_arena *a, core_error *err, bool ceil) {
  bucket_state *s = core_arena_zalloc(a, sizeof *s);
  if (!s) return SLUICE_NOMEM;
  s->ceil = ceil;
  c->state = s;
  core_type t = c->args[0];
  int unit = c->unit;
  if (core_type_is_integer(t.id) && !unit) {
    c->run = run_copy;
  } else if (t.id == CORE_T_DECIMAL && !unit) {
    c->run = run_round_dec;
  } else if ((t.id == CORE_T_REAL || t.id == CORE_T_DOUBLE) && !unit) {
    c->run = run_round_dbl;
  } else if (t.id == CORE_T_TIMESTAMP && unit) {
    if (unit <= CORE_IU_MONTH) {
      s->width = unit == CORE_IU_YEAR ? 12 : 1;
      c->run = run_bucket_months;
    } else {
      s->width = unit_ms(unit);
      c->run = run_bucket_int;
    }
  } else if (t.id == CORE_T_DATE && unit) {
    if (unit <= CORE_IU_MONTH) {
      s->width = unit == CORE_IU_YEAR ? 12 : 1;
      c->run = run_bucket_months;
    } else {
      c->run = run_copy; /* a date is already a whole day */
    }
  } else if (t.id == CORE_T_TIME && unit) {
    if (unit <= CORE_IU_MONTH) return unsupported(err, c, "TIME TO MONTH or YEAR");
    s->width = unit_ms(unit);
    c->run = run_bucket_time;
  } else if (t.id == CORE_T_INTERVAL_DT) {
    /* FLOOR(interval [TO unit]): to a multiple of the unit (default: the trailing field) */
    int u = unit ? unit : (t.end ? t.end : t.start);
    if (u <= CORE_IU_MONTH) return unsupported(err, c, "a day-time INTERVAL TO MONTH or YEAR");
    s->width = unit_ms(u);
    c->run = run_bucket_int;
  } else if (t.id == CORE_T_INTERVAL_YM) {
    int u = unit ? unit : (t.end ? t.end : t.start);
    if (u > CORE_IU_MONTH) return unsupported(err, c, "a year-month INTERVAL TO a day-time unit");
    s->width = u == CORE_IU_YEAR ? 12 : 1;
    c->run = run_bucket_int;
  } else if (core_type_is_datetime(t.id)) {
    return core_error_set(err, SLUICE_UNSUPPORTED, "%s of a %s needs TO unit", c->fn->name,
                          tname(t));
  } else {
    return unsupported(err, c, tname(t));
  }
  return SLUICE_OK;
}

FN_PREPARE(fn_prepare_floor) {
  return prepare_bucket(c, a, err, false);
}

FN_PREPARE(fn_prepare_ceil) {
  return prepare_bucket(c, a, err, true);
}

/* ================================================================ STEP == */

/* STEP(x BY w) over integers, datetimes with day-time widths and intervals:
 * w > 0 required (DivideByZero for 0, FunctionError below). */
static bool step_width_ok(const fn_rows *r, int i, int64_t w) {
  if (w > 0) return true;
  if (w == 0)
    fn_fail(r, i, "DivideByZero", "division by zero");
  else
    fn_fail(r, i, "FunctionError", "STEP width must be positive");
  return false;
}

/* Numbers: (x / w) * w with integer division (spec 5.4). */
static void run_step_int(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    int64_t x = r->args[0].u.i[i], w = r->args[1].u.i[i];
    if (!step_width_ok(r, i, w)) continue;
    r->out->u.i[i] = (x / w) * w;
  }
}

static void run_step_dec(const fn_call *c, const fn_rows *r) {
  /* at the larger of the two scales, then back to the value's scale */
  int sx = c->args[0].scale, sw = c->args[1].scale, s = sx > sw ? sx : sw;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    core_i128 x, w, v;
    if (!fn_dec_rescale(r->args[0].u.dec[i], sx, s, &x) ||
        !fn_dec_rescale(r->args[1].u.dec[i], sw, s, &w)) {
      fn_fail(r, i, "Overflow", "STEP is out of range");
      continue;
    }
    if (!step_width_ok(r, i, w > 0 ? 1 : w == 0 ? 0 : -1)) continue;
    fn_dec_rescale((x / w) * w, s, sx, &v);
    r->out->u.dec[i] = v;
  }
}

static void run_step_dbl(const fn_call *c, const fn_rows *r) {
  bool real = c->result.id == CORE_T_REAL;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    double x = r->args[0].u.d[i], w = r->args[1].u.d[i];
    if (!step_width_ok(r, i, w > 0 ? 1 : w == 0 ? 0 : -1)) continue;
    double v = trunc(x / w) * w;
    r->out->u.d[i] = real ? (double)(float)v : v;
  }
}

/* Timestamps, times and intervals by a width in the same unit: epoch-aligned floor. */
static void run_step_floor(const fn_call *c, const fn_rows *r) {
  bool time = c->args[0].id == CORE_T_TIME;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    int64_t w = r->args[1].u.i[i];
    if (!step_width_ok(r, i, w)) continue;
    int64_t v = core_floor_div(r->args[0].u.i[i], w) * w;
    r->out->u.i[i] = time ? core_floor_mod(v, 86400000) : v;
  }
}

/* Dates by a day-time width: the day of the floored instant. */
static void run_step_date(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    int64_t w = r->args[1].u.i[i];
    if (!step_width_ok(r, i, w)) continue;
    int64_t t = r->args[0].u.i[i] * 86400000;
    r->out->u.i[i] = core_floor_div(core_floor_div(t, w) * w, 86400000);
  }
}

/* Timestamps and dates by a year-month width: the first day of the month bucket. */
static void run_step_months(const fn_call *c, const fn_rows *r) {
  bool days = c->args[0].id == CORE_T_DATE;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    int64_t w = r->args[1].u.i[i];
    if (!step_width_ok(r, i, w)) continue;
    r->out->u.i[i] = months_bucket(r->args[0].u.i[i], w, false, days);
  }
}

FN_PREPARE(fn_prepare_step) {
  (void)a;
  core_type x = c->args[0], w = c->args[1];
  if (core_type_is_integer(x.id) && core_type_is_integer(w.id)) {
    c->args[1] = mk(CORE_T_BIGINT);
    c->run = run_step_int;
  } else if (x.id == CORE_T_DECIMAL && (core_type_is_integer(w.id) || w.id == CORE_T_DECIMAL)) {
    if (w.id != CORE_T_DECIMAL) {
      c->args[1] = mk(CORE_T_DECIMAL);
      c->args[1].precision = 19;
    }
    c->run = run_step_dec;
  } else if ((x.id == CORE_T_REAL || x.id == CORE_T_DOUBLE) && core_type_is_numeric(w.id)) {
    c->args[1] = mk(CORE_T_DOUBLE);
    c->run = run_step_dbl;
  } else if ((x.id == CORE_T_TIMESTAMP || x.id == CORE_T_TIME) && w.id == CORE_T_INTERVAL_DT) {
    c->run = run_step_floor;
  } else if (x.id == CORE_T_DATE && w.id == CORE_T_INTERVAL_DT) {
    c->run = run_step_date;
  } else if ((x.id == CORE_T_TIMESTAMP || x.id == CORE_T_DATE) && w.id == CORE_T_INTERVAL_YM) {
    c->run = run_step_months;
  } else if (core_type_is_interval(x.id) && x.id == w.id) {
    c->run = run_step_floor;
  } else {
    char what[96];
    snprintf(what, sizeof what, "%s BY %s", tname(x), tname(w));
    return unsupported(err, c, what);
  }
  return SLUICE_OK;
}

/* ================================================================= MOD == */

static void run_mod_int(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    int64_t x = r->args[0].u.i[i], y = r->args[1].u.i[i];
    if (y == 0) {
      fn_fail(r, i, "DivideByZero", "division by zero");
      continue;
    }
    r->out->u.i[i] = y == -1 ? 0 : x % y; /* INT64_MIN % -1 traps in C */
  }
}

static void run_mod_dec(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    core_i128 x = r->args[0].u.dec[i], y = r->args[1].u.dec[i];
    if (y == 0) {
      fn_fail(r, i, "DivideByZero", "division by zero");
      continue;
    }
    r->out->u.dec[i] = x % y;
  }
}

FN_PREPARE(fn_prepare_mod) {
  (void)a;
  /* both arguments in the result type (the common type): the remainder of equal scales */
  c->args[0] = c->args[1] = c->result;
  if (core_type_is_integer(c->result.id))
    c->run = run_mod_int;
  else if (c->result.id == CORE_T_DECIMAL)
    c->run = run_mod_dec;
  else
    return unsupported(err, c, tname(c->result));
  return SLUICE_OK;
}

/* ======================================================== POWER, LN ... == */

static void run_power(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    double b = r->args[0].u.d[i], e = r->args[1].u.d[i];
    if (b == 0 && e < 0) {
      fn_fail(r, i, "FunctionError", "POWER of zero to a negative exponent");
      continue;
    }
    if (b < 0 && e != floor(e)) {
      fn_fail(r, i, "FunctionError", "POWER of a negative number to a non-integer exponent");
      continue;
    }
    r->out->u.d[i] = pow(b, e);
  }
}

static void run_ln(const fn_call *c, const fn_rows *r) {
  bool ten = strcmp(c->fn->name, "LOG10") == 0;
  FN_EACH(r, i) {
    if (fn_any_null(r, 1, i)) continue;
    double x = r->args[0].u.d[i];
    if (!(x > 0)) {
      fn_fail(r, i, "FunctionError", "cannot take the logarithm of %s",
              x == 0 ? "zero" : "a negative number");
      continue;
    }
    r->out->u.d[i] = ten ? log10(x) : log(x);
  }
}

static void run_exp(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    r->out->u.d[i] = exp(r->args[0].u.d[i]);
  }
}

static int prepare_double_fn(fn_call *c, void (*run)(const fn_call *, const fn_rows *)) {
  for (int k = 0; k < c->nargs; k++) c->args[k] = mk(CORE_T_DOUBLE);
  c->run = run;
  return SLUICE_OK;
}

FN_PREPARE(fn_prepare_power) {
  (void)a, (void)err;
  return prepare_double_fn(c, run_power);
}
FN_PREPARE(fn_prepare_ln) {
  (void)a, (void)err;
  return prepare_double_fn(c, run_ln);
}
FN_PREPARE(fn_prepare_log10) {
  (void)a, (void)err;
  return prepare_double_fn(c, run_ln);
}
FN_PREPARE(fn_prepare_exp) {
  (void)a, (void)err;
  return prepare_double_fn(c, run_exp);
}

/* ====================================================== epoch and clocks == */

static void run_tsdiff(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    int64_t d;
    if (__builtin_sub_overflow(r->args[1].u.i[i], r->args[0].u.i[i], &d)) {
      fn_fail(r, i, "Overflow", "TSDIFF is out of range for BIGINT");
      continue;
    }
    r->out->u.i[i] = d;
  }
}

FN_PREPARE(fn_prepare_tsdiff) {
  (void)a, (void)err;
  /* TSDIFF(BIGINT, BIGINT) and TSDIFF(TIMESTAMP, TIMESTAMP) (spec 7.4 #2) */
  for (int k = 0; k < 2; k++)
    if (core_type_is_integer(c->args[k].id)) c->args[k] = mk(CORE_T_BIGINT);
  c->run = run_tsdiff;
  return SLUICE_OK;
}

FN_PREPARE(fn_prepare_unix_timestamp) {
  (void)a, (void)err;
  c->run = run_copy;
  return SLUICE_OK;
}

FN_PREPARE(fn_prepare_to_timestamp) {
  (void)a, (void)err;
  c->args[0] = mk(CORE_T_BIGINT);
  c->run = run_copy;
  return SLUICE_OK;
}

static void run_current(const fn_call *c, const fn_rows *r) {
  const char *n = c->fn->name;
  int64_t t = r->statement_ms;
  if (strcmp(n, "CURRENT_ROW_TIMESTAMP") == 0) {
    FN_EACH(r, i) {
      r->out->null[i] = 0;
      r->out->u.i[i] = r->clock ? core_clock_now(r->clock) : t;
    }
    return;
  }
  int64_t v = t; /* CURRENT_TIMESTAMP, LOCALTIMESTAMP */
  if (strcmp(n, "CURRENT_DATE") == 0)
    v = core_floor_div(t, 86400000);
  else if (strcmp(n, "CURRENT_TIME") == 0 || strcmp(n, "LOCALTIME") == 0)
    v = core_floor_mod(t, 86400000);
  FN_EACH(r, i) {
    r->out->null[i] = 0;
    r->out->u.i[i] = v;
  }
}

FN_PREPARE(fn_prepare_current) {
  (void)a, (void)err;
  c->run = run_current;
  return SLUICE_OK;
}

/* ============================================================= EXTRACT == */

static int64_t extract_ts(int64_t t, int unit, bool *frac) {
  fn_civil cv;
  fn_civil_of(t, &cv);
  *frac = false;
  switch (unit) {
    case CORE_IU_YEAR:
      return cv.year;
    case CORE_IU_MONTH:
      return cv.month;
    case CORE_IU_DAY:
      return cv.day;
    case CORE_IU_HOUR:
      return cv.hour;
    case CORE_IU_MINUTE:
      return cv.minute;
    default:
      *frac = true;
      return cv.second * 1000 + cv.ms; /* DECIMAL(5,3) */
  }
}

static int64_t extract_dt_interval(int64_t ms, int unit) {
  switch (unit) {
    case CORE_IU_DAY:
      return ms / 86400000;
    case CORE_IU_HOUR:
      return ms / 3600000 % 24;
    case CORE_IU_MINUTE:
      return ms / 60000 % 60;
    default:
      return ms % 60000; /* seconds with ms: DECIMAL(5,3) unscaled */
  }
}

static void run_extract(const fn_call *c, const fn_rows *r) {
  core_type_id t = (core_type_id)c->args[0].id;
  int unit = c->unit;
  bool dec = c->result.id == CORE_T_DECIMAL;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    if (r->out->null[i]) continue;
    int64_t v = r->args[0].u.i[i], x;
    bool frac;
    if (t == CORE_T_TIMESTAMP)
      x = extract_ts(v, unit, &frac);
    else if (t == CORE_T_DATE)
      x = extract_ts(v * 86400000, unit, &frac);
    else if (t == CORE_T_TIME)
      x = extract_ts(v, unit, &frac);
    else if (t == CORE_T_INTERVAL_YM)
      x = unit == CORE_IU_YEAR ? v / 12 : v % 12;
    else
      x = extract_dt_interval(v, unit);
    if (dec)
      r->out->u.dec[i] = x; /* SECOND: ms are the unscaled DECIMAL(5,3) */
    else
      r->out->u.i[i] = x;
  }
}

FN_PREPARE(fn_prepare_extract) {
  (void)a;
  core_type_id t = (core_type_id)c->args[0].id;
  int unit = c->unit;
  bool ok = t == CORE_T_TIMESTAMP || (t == CORE_T_DATE && unit <= CORE_IU_DAY) ||
            (t == CORE_T_TIME && unit >= CORE_IU_HOUR) ||
            (t == CORE_T_INTERVAL_YM && unit <= CORE_IU_MONTH) ||
            (t == CORE_T_INTERVAL_DT && unit >= CORE_IU_DAY);
  if (!ok || unit == CORE_IU_NONE) {
    static const char *units[] = {"?", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
    char what[64];
    snprintf(what, sizeof what, "%s FROM %s", units[unit <= CORE_IU_SECOND ? unit : 0],
             tname(c->args[0]));
    return unsupported(err, c, what);
  }
  if ((unit == CORE_IU_SECOND) != (c->result.id == CORE_T_DECIMAL))
    return unsupported(err, c, "this result type");
  c->run = run_extract;
  return SLUICE_OK;
}

/*
 * expr_cast.c — CAST (spec 2.4) and the implicit conversions the compiler
 * inserts (integer widening, exact to DECIMAL or DOUBLE, DECIMAL rescaling).
 *
 * A cast step reads register a (the source type) and writes register out
 * (the target type); step.k is 1 for an explicit CAST, whose checks an
 * implicit conversion skips: the DECIMAL precision and the CHAR/VARCHAR
 * length of the target (both pad a CHAR(n) value with blanks to n characters:
 * CASE 'a' ... ELSE 'bb' END is CHAR(2) 'a '). A value that does not fit, or text that does not
 * parse, fails its row with CastError.
 *
 * Rules chosen where the spec leaves room ([IMPL], recorded in tests):
 * exact or approximate to integer rounds half away from zero; DOUBLE to text
 * prints like Java's Double.toString (`1.0`, `1.5E10`); TIMESTAMP, DATE and
 * TIME print as core formats them (`2004-09-30 13:48:23.000`); an INTERVAL to
 * a number counts its trailing field, truncated toward zero; TIME to TIMESTAMP
 * takes the date of CURRENT_DATE; text to BOOLEAN accepts TRUE and FALSE in
 * any case; text longer than a CHAR/VARCHAR target fails unless the excess is
 * blanks (dropped).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "exec/expr_int.h"

#define CAST_SETUP()                                                                               \
  const core_vec *A = XR(r, s->a);                                                                 \
  core_vec *O = XR(r, s->out);                                                                     \
  const core_type to = O->type;                                                                    \
  const bool explicit_cast = s->k != 0;                                                            \
  (void)to, (void)explicit_cast

static const char *tname(core_type t, char *buf, size_t n) {
  core_type_format(t, buf, n);
  return buf;
}

static void cast_fail(xrun *r, const xstep *s, int i, const char *what) {
  char tb[64];
  x_fail(r, s->out, i, "CastError", "cannot cast %s to %s", what,
         tname(XR(r, s->out)->type, tb, sizeof tb));
}

static void cast_fail_num(xrun *r, const xstep *s, int i, const char *text) {
  char what[96];
  snprintf(what, sizeof what, "%s: value out of range", text);
  cast_fail(r, s, i, what);
}

static bool dec_fits(core_i128 v, int p) {
  core_i128 m = fn_pow10[p > 38 || p <= 0 ? 38 : p];
  return v < m && v > -m;
}

/* The DECIMAL precision a value must fit: the target's for CAST, none for implicit. */
static int target_precision(const xstep *s, core_type to) {
  return s->k && to.precision > 0 ? to.precision : 38;
}

/* ======================================================= numeric casts == */

static void k_int_int(xrun *r, const xstep *s) {
  CAST_SETUP();
  int64_t lo, hi;
  fn_int_bounds((core_type_id)to.id, &lo, &hi);
  int bad = 0;
  X_EACH(r, s, i, {
    int64_t v = A->u.i[i];
    O->u.i[i] = v;
    O->null[i] = A->null[i];
    bad |= (v < lo || v > hi) & !A->null[i];
  });
  if (bad)
    X_EACH(r, s, i, {
      int64_t v = A->u.i[i];
      if (!A->null[i] && (v < lo || v > hi)) {
        char t[32];
        snprintf(t, sizeof t, "%lld", (long long)v);
        cast_fail_num(r, s, i, t);
      }
    });
}

static void k_int_dec(xrun *r, const xstep *s) {
  CAST_SETUP();
  core_i128 m = fn_pow10[to.scale];
  int p = target_precision(s, to);
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    core_i128 v = (core_i128)A->u.i[i] * m; /* |int64| * 10^18 < 2^127 */
    O->u.dec[i] = v;
    if (!A->null[i] && !dec_fits(v, p)) {
      char t[32];
      snprintf(t, sizeof t, "%lld", (long long)A->u.i[i]);
      cast_fail_num(r, s, i, t);
    }
  });
}

static void k_int_dbl(xrun *r, const xstep *s) {
  CAST_SETUP();
  bool real = to.id == CORE_T_REAL;
  X_EACH(r, s, i, {
    double d = (double)A->u.i[i];
    O->u.d[i] = real ? (double)(float)d : d;
    O->null[i] = A->null[i];
  });
}

static void k_dec_int(xrun *r, const xstep *s) {
  CAST_SETUP();
  int64_t lo, hi;
  fn_int_bounds((core_type_id)to.id, &lo, &hi);
  int scale = A->type.scale;
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    core_i128 v;
    fn_dec_rescale(A->u.dec[i], scale, 0, &v);
    if (v < lo || v > hi) {
      char t[48];
      fn_dec_format(A->u.dec[i], scale, t);
      cast_fail_num(r, s, i, t);
      continue;
    }
    O->u.i[i] = (int64_t)v;
  });
}

static void k_dec_dec(xrun *r, const xstep *s) {
  CAST_SETUP();
  int from = A->type.scale, ts = to.scale, p = target_precision(s, to);
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    core_i128 v;
    if (!fn_dec_rescale(A->u.dec[i], from, ts, &v) || !dec_fits(v, p)) {
      char t[48];
      fn_dec_format(A->u.dec[i], from, t);
      cast_fail_num(r, s, i, t);
      continue;
    }
    O->u.dec[i] = v;
  });
}

static double dec_to_double(core_i128 v, int scale) {
  return (double)((long double)v / (long double)fn_pow10[scale]);
}

static void k_dec_dbl(xrun *r, const xstep *s) {
  CAST_SETUP();
  bool real = to.id == CORE_T_REAL;
  int scale = A->type.scale;
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    double d = dec_to_double(A->u.dec[i], scale);
    O->u.d[i] = real ? (double)(float)d : d;
  });
}

static void k_dbl_int(xrun *r, const xstep *s) {
  CAST_SETUP();
  int64_t lo, hi;
  fn_int_bounds((core_type_id)to.id, &lo, &hi);
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    double d = round(A->u.d[i]); /* half away from zero */
    if (!(d >= (double)lo && d <= (double)hi) || d >= 9223372036854775808.0) {
      char t[48];
      snprintf(t, sizeof t, "%.17g", A->u.d[i]);
      cast_fail_num(r, s, i, t);
      continue;
    }
    O->u.i[i] = (int64_t)d;
  });
}

static void k_dbl_dec(xrun *r, const xstep *s) {
  CAST_SETUP();
  int p = target_precision(s, to);
  long double m = (long double)fn_pow10[to.scale];
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    long double x = roundl((long double)A->u.d[i] * m);
    if (!(fabsl(x) < 1e38L) || !dec_fits((core_i128)x, p)) {
      char t[48];
      snprintf(t, sizeof t, "%.17g", A->u.d[i]);
      cast_fail_num(r, s, i, t);
      continue;
    }
    O->u.dec[i] = (core_i128)x;
  });
}

static void k_dbl_dbl(xrun *r, const xstep *s) {
  CAST_SETUP();
  bool real = to.id == CORE_T_REAL;
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    O->u.d[i] = real ? (double)(float)A->u.d[i] : A->u.d[i];
  });
}

static void k_copy(xrun *r, const xstep *s) {
  xk_gather(r, s);
}

/* ===================================================== text targets == */

/* Places text p[0..n) (already in the heap or longer-lived memory) into a CHAR/VARCHAR
 * target: CHAR pads with blanks; too long fails unless the excess is blanks. */
static void put_text(xrun *r, const xstep *s, int i, const char *p, size_t n, bool copy,
                     bool ascii) {
  core_vec *O = XR(r, s->out);
  core_type to = O->type;
  size_t chars = ascii ? n : core_utf8_length(p, n);
  size_t limit = s->k && to.precision > 0 ? (size_t)to.precision : (size_t)-1;
  if (chars > limit) {
    /* the characters past the limit may only be blanks */
    size_t keep = 0, c = 0;
    while (c < limit && keep < n) {
      unsigned char b = (unsigned char)p[keep];
      keep += b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
      c++;
    }
    for (size_t k = keep; k < n; k++)
      if (p[k] != ' ') {
        char what[96];
        snprintf(what, sizeof what, "'%.*s': value too long", (int)(n > 40 ? 40 : n), p);
        cast_fail(r, s, i, what);
        return;
      }
    n = keep;
    chars = limit;
  }
  size_t pad = to.id == CORE_T_CHAR && to.precision > 0 && chars < (size_t)to.precision
                   ? (size_t)to.precision - chars
                   : 0;
  if (pad || copy) {
    char *q = n + pad ? core_arena_alloc(r->heap, n + pad) : (char *)"";
    if (!q) {
      r->oom = true;
      O->null[i] = 1;
      return;
    }
    if (n) memcpy(q, p, n);
    memset(q + n, ' ', pad);
    p = q;
  }
  O->u.s[i] = (core_str){p, (uint32_t)(n + pad)};
  O->null[i] = 0;
}

/* Java's Double.toString: shortest digits that read back, plain between 10^-3 and
 * 10^7, else d.dddE<n>; at least one digit after the point. */
static size_t format_double(double d, bool real, char *buf) {
  if (isnan(d)) return (size_t)sprintf(buf, "NaN");
  if (isinf(d)) return (size_t)sprintf(buf, d < 0 ? "-Infinity" : "Infinity");
  if (d == 0) return (size_t)sprintf(buf, signbit(d) ? "-0.0" : "0.0");
  char e[40];
  int maxp = real ? 9 : 17;
  for (int p = 1; p <= maxp; p++) {
    snprintf(e, sizeof e, "%.*e", p - 1, d);
    double back = strtod(e, NULL);
    if (real ? (float)back == (float)d : back == d) break;
  }
  /* e: [-]D[.DDD]e[+-]XX */
  const char *q = e;
  bool neg = *q == '-';
  if (neg) q++;
  char digits[24];
  int nd = 0;
  for (; *q && *q != 'e'; q++)
    if (*q != '.') digits[nd++] = *q;
  int exp = atoi(q + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  size_t n = 0;
  if (neg) buf[n++] = '-';
  if (exp >= -3 && exp < 7) {
    if (exp < 0) {
      buf[n++] = '0';
      buf[n++] = '.';
      for (int k = 0; k < -exp - 1; k++) buf[n++] = '0';
      for (int k = 0; k < nd; k++) buf[n++] = digits[k];
    } else {
      for (int k = 0; k <= exp; k++) buf[n++] = k < nd ? digits[k] : '0';
      buf[n++] = '.';
      if (nd > exp + 1)
        for (int k = exp + 1; k < nd; k++) buf[n++] = digits[k];
      else
        buf[n++] = '0';
    }
  } else {
    buf[n++] = digits[0];
    buf[n++] = '.';
    if (nd > 1)
      for (int k = 1; k < nd; k++) buf[n++] = digits[k];
    else
      buf[n++] = '0';
    n += (size_t)sprintf(buf + n, "E%d", exp);
  }
  buf[n] = '\0';
  return n;
}

static const int64_t UNIT_MS[7] = {1, 12, 1, 86400000, 3600000, 60000, 1000};

/* An interval as SQL prints it under its qualifier: `+3 04:20`, `-2-04`, `+5.678`. */
static size_t format_interval(int64_t v, core_type t, char *buf) {
  char *b = buf;
  *b++ = v < 0 ? '-' : '+';
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  int start = t.start, end = t.end ? t.end : t.start;
  if (t.id == CORE_T_INTERVAL_YM) {
    if (start == CORE_IU_YEAR && end == CORE_IU_MONTH)
      b += sprintf(b, "%llu-%02llu", (unsigned long long)(u / 12), (unsigned long long)(u % 12));
    else if (start == CORE_IU_YEAR)
      b += sprintf(b, "%llu", (unsigned long long)(u / 12));
    else
      b += sprintf(b, "%llu", (unsigned long long)u);
    return (size_t)(b - buf);
  }
  static const uint64_t range[7] = {0, 0, 0, 0, 24, 60, 60};
  for (int f = start; f <= end; f++) {
    uint64_t x = u / (uint64_t)UNIT_MS[f];
    if (f > start) {
      x %= range[f];
      *b++ = f == CORE_IU_HOUR ? ' ' : ':';
      b += sprintf(b, "%02llu", (unsigned long long)x);
    } else {
      b += sprintf(b, "%llu", (unsigned long long)x);
    }
  }
  if (end == CORE_IU_SECOND) {
    int digits = t.scale < 0 || t.scale > 3 ? 3 : t.scale;
    if (digits > 0) {
      int ms = (int)(u % 1000);
      for (int k = digits; k < 3; k++) ms /= 10;
      *b++ = '.';
      for (int k = digits - 1; k >= 0; k--) b[k] = (char)('0' + ms % 10), ms /= 10;
      b += digits;
    }
  }
  return (size_t)(b - buf);
}

static void k_to_text(xrun *r, const xstep *s) {
  CAST_SETUP();
  core_type from = A->type;
  char buf[96];
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    size_t n;
    switch (from.id) {
      case CORE_T_BOOLEAN:
        n = (size_t)sprintf(buf, A->u.i[i] ? "TRUE" : "FALSE");
        break;
      case CORE_T_DECIMAL:
        n = fn_dec_format(A->u.dec[i], from.scale, buf);
        break;
      case CORE_T_REAL:
      case CORE_T_DOUBLE:
        n = format_double(A->u.d[i], from.id == CORE_T_REAL, buf);
        break;
      case CORE_T_DATE:
        n = core_date_format((int32_t)A->u.i[i], buf);
        break;
      case CORE_T_TIME:
        n = core_time_format((int32_t)A->u.i[i], buf);
        break;
      case CORE_T_TIMESTAMP:
        n = core_timestamp_format(A->u.i[i], buf);
        break;
      case CORE_T_INTERVAL_YM:
      case CORE_T_INTERVAL_DT:
        n = format_interval(A->u.i[i], from, buf);
        break;
      default: { /* integers: digits written backwards, then moved to the front */
        int64_t v = A->u.i[i];
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        char *e = buf + sizeof buf, *q = e;
        do {
          *--q = (char)('0' + u % 10);
          u /= 10;
        } while (u);
        if (v < 0) *--q = '-';
        n = (size_t)(e - q);
        memmove(buf, q, n);
      }
    }
    put_text(r, s, i, buf, n, true, true);
  });
}

static void k_text_text(xrun *r, const xstep *s) {
  CAST_SETUP();
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (!A->null[i]) put_text(r, s, i, A->u.s[i].p, A->u.s[i].n, false, false);
  });
}

static void k_bin_bin(xrun *r, const xstep *s) {
  CAST_SETUP();
  size_t limit = explicit_cast && to.precision > 0 ? (size_t)to.precision : (size_t)-1;
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    core_str v = A->u.s[i];
    if (v.n > limit) {
      cast_fail(r, s, i, "a binary string: value too long");
      continue;
    }
    size_t pad = to.id == CORE_T_BINARY && limit != (size_t)-1 ? limit - v.n : 0;
    if (pad) {
      char *q = core_arena_alloc(r->heap, v.n + pad);
      if (!q) {
        r->oom = true;
        O->null[i] = 1;
        continue;
      }
      memcpy(q, v.p, v.n);
      memset(q + v.n, 0, pad);
      v = (core_str){q, (uint32_t)(v.n + pad)};
    }
    O->u.s[i] = v;
  });
}

/* ======================================================= text sources == */

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static core_str trimmed(core_str v) {
  while (v.n && is_blank(v.p[0])) v.p++, v.n--;
  while (v.n && is_blank(v.p[v.n - 1])) v.n--;
  return v;
}

/* A number in text: exact (v at scale) when it has no exponent and few digits,
 * else approximate (d). */
typedef struct num {
  bool exact;
  core_i128 v;
  int scale;
  double d;
} num;

static bool parse_number(core_str t, num *out) {
  t = trimmed(t);
  const char *p = t.p;
  size_t n = t.n, i = 0;
  bool neg = false;
  if (i < n && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
  int digits = 0, frac = 0;
  core_i128 v = 0;
  bool dot = false, exp = false;
  for (; i < n; i++) {
    char c = p[i];
    if (c >= '0' && c <= '9') {
      if (digits < 36) v = v * 10 + (c - '0');
      digits++;
      if (dot) frac++;
    } else if (c == '.' && !dot) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits) {
      exp = true;
      i++;
      if (i < n && (p[i] == '+' || p[i] == '-')) i++;
      if (i >= n) return false;
      for (; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
      break;
    } else {
      return false;
    }
  }
  if (!digits) return false;
  if (exp || digits > 36) {
    char buf[128];
    if (n >= sizeof buf) return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    out->exact = false;
    out->d = strtod(buf, NULL);
    return true;
  }
  out->exact = true;
  out->v = neg ? -v : v;
  out->scale = frac;
  return true;
}

static void text_fail(xrun *r, const xstep *s, int i, core_str v) {
  char what[96];
  snprintf(what, sizeof what, "'%.*s'", (int)(v.n > 40 ? 40 : v.n), v.p);
  cast_fail(r, s, i, what);
}

static void k_text_num(xrun *r, const xstep *s) {
  CAST_SETUP();
  char repr = core_type_repr(to.id);
  int64_t lo = 0, hi = 0;
  if (repr == 'i') fn_int_bounds((core_type_id)to.id, &lo, &hi);
  int p = target_precision(s, to);
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    num x;
    if (!parse_number(A->u.s[i], &x)) {
      text_fail(r, s, i, A->u.s[i]);
      continue;
    }
    bool ok = true;
    if (repr == 'd') {
      double d = x.exact ? dec_to_double(x.v, x.scale) : x.d;
      O->u.d[i] = to.id == CORE_T_REAL ? (double)(float)d : d;
    } else if (repr == 'x') {
      core_i128 v = 0;
      if (x.exact) {
        ok = fn_dec_rescale(x.v, x.scale, to.scale, &v);
      } else {
        long double y = roundl((long double)x.d * (long double)fn_pow10[to.scale]);
        ok = fabsl(y) < 1e38L;
        v = ok ? (core_i128)y : 0;
      }
      ok = ok && dec_fits(v, p);
      O->u.dec[i] = v;
    } else {
      core_i128 v = 0;
      if (x.exact) {
        fn_dec_rescale(x.v, x.scale, 0, &v);
      } else {
        double d = round(x.d);
        ok = d > -9.3e18 && d < 9.3e18;
        v = ok ? (core_i128)d : 0;
      }
      ok = ok && v >= lo && v <= hi;
      O->u.i[i] = (int64_t)v;
    }
    if (!ok) text_fail(r, s, i, A->u.s[i]);
  });
}

static void k_text_bool(xrun *r, const xstep *s) {
  CAST_SETUP();
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    core_str t = trimmed(A->u.s[i]);
    if (t.n == 4 && strncasecmp(t.p, "true", 4) == 0)
      O->u.i[i] = 1;
    else if (t.n == 5 && strncasecmp(t.p, "false", 5) == 0)
      O->u.i[i] = 0;
    else
      text_fail(r, s, i, A->u.s[i]);
  });
}

static void k_text_datetime(xrun *r, const xstep *s) {
  CAST_SETUP();
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    core_str t = trimmed(A->u.s[i]);
    int rc;
    if (to.id == CORE_T_DATE) {
      int32_t d;
      rc = core_date_parse(t.p, t.n, &d);
      O->u.i[i] = d;
    } else if (to.id == CORE_T_TIME) {
      int32_t ms;
      rc = core_time_parse(t.p, t.n, &ms);
      O->u.i[i] = ms;
    } else {
      rc = core_timestamp_parse(t.p, t.n, &O->u.i[i]);
    }
    if (rc) text_fail(r, s, i, A->u.s[i]);
  });
}

/* Text under an interval qualifier: [+|-]fields with the separators of SQL literals
 * (`3 04:20` for DAY TO MINUTE, `1-06` for YEAR TO MONTH, `5.678` for SECOND). */
static bool parse_interval(core_str t, core_type q, int64_t *out) {
  t = trimmed(t);
  const char *s = t.p;
  size_t n = t.n, i = 0;
  bool neg = false;
  if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  int start = q.start, end = q.end ? q.end : q.start;
  int64_t f[7] = {0}, frac = 0;
  for (int u = start; u <= end; u++) {
    if (u > start) {
      char sep = u == CORE_IU_MONTH ? '-' : u == CORE_IU_HOUR ? ' ' : ':';
      if (i >= n || s[i] != sep) return false;
      i++;
    }
    int d = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && d < 12) f[u] = f[u] * 10 + (s[i++] - '0'), d++;
    if (d == 0) return false;
    if (u > start && f[u] > (u == CORE_IU_MONTH ? 11 : u == CORE_IU_HOUR ? 23 : 59)) return false;
  }
  if (end == CORE_IU_SECOND && i < n && s[i] == '.') {
    i++;
    int d = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (d < 3) frac = frac * 10 + (s[i] - '0');
      d++, i++;
    }
    if (!d) return false;
    for (; d < 3; d++) frac *= 10;
  }
  if (i != n) return false;
  int64_t v = q.id == CORE_T_INTERVAL_YM
                  ? f[CORE_IU_YEAR] * 12 + f[CORE_IU_MONTH]
                  : f[CORE_IU_DAY] * 86400000 + f[CORE_IU_HOUR] * 3600000 +
                        f[CORE_IU_MINUTE] * 60000 + f[CORE_IU_SECOND] * 1000 + frac;
  *out = neg ? -v : v;
  return true;
}

static void k_text_interval(xrun *r, const xstep *s) {
  CAST_SETUP();
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (!A->null[i] && !parse_interval(A->u.s[i], to, &O->u.i[i])) text_fail(r, s, i, A->u.s[i]);
  });
}

/* ===================================================== datetime casts == */

static void k_datetime(xrun *r, const xstep *s) {
  CAST_SETUP();
  core_type_id from = (core_type_id)A->type.id;
  int64_t today = core_floor_div(r->ctx->statement_ms, 86400000) * 86400000;
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    int64_t v = A->u.i[i];
    if (from == CORE_T_DATE && to.id == CORE_T_TIMESTAMP)
      v *= 86400000;
    else if (from == CORE_T_TIME && to.id == CORE_T_TIMESTAMP)
      v += today;
    else if (from == CORE_T_TIMESTAMP && to.id == CORE_T_DATE)
      v = core_floor_div(v, 86400000);
    else if (from == CORE_T_TIMESTAMP && to.id == CORE_T_TIME)
      v = core_floor_mod(v, 86400000);
    O->u.i[i] = v;
  });
}

/* The milliseconds (or months) of an interval's trailing field. */
static int64_t trailing_unit(core_type t) {
  int end = t.end ? t.end : t.start;
  return UNIT_MS[end];
}

static void k_interval_num(xrun *r, const xstep *s) {
  CAST_SETUP();
  int64_t unit = trailing_unit(A->type);
  int64_t lo = 0, hi = 0;
  bool dec = to.id == CORE_T_DECIMAL;
  if (!dec) fn_int_bounds((core_type_id)to.id, &lo, &hi);
  int p = target_precision(s, to);
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    if (A->null[i]) continue;
    int64_t v = A->u.i[i];
    if (dec) {
      /* exact: v / unit at the target's scale */
      core_i128 x;
      if (!fn_dec_div(v, to.scale, unit, &x) || !dec_fits(x, p)) {
        cast_fail(r, s, i, "an INTERVAL: value out of range");
        continue;
      }
      O->u.dec[i] = x;
    } else {
      int64_t x = v / unit;
      if (x < lo || x > hi) {
        cast_fail(r, s, i, "an INTERVAL: value out of range");
        continue;
      }
      O->u.i[i] = x;
    }
  });
}

static void k_interval_interval(xrun *r, const xstep *s) {
  CAST_SETUP();
  int64_t unit = trailing_unit(to);
  X_EACH(r, s, i, {
    O->null[i] = A->null[i];
    O->u.i[i] = A->u.i[i] / unit * unit;
  });
}

/* ============================================================= choice == */

xkernel x_cast_kernel(core_type from, core_type to, bool explicit_cast) {
  core_type_id f = (core_type_id)from.id, t = (core_type_id)to.id;
  bool tt = core_type_is_string(t);
  if (core_type_is_string(f)) {
    if (tt) return k_text_text;
    if (core_type_is_numeric(t)) return k_text_num;
    if (t == CORE_T_BOOLEAN) return k_text_bool;
    if (core_type_is_datetime(t)) return k_text_datetime;
    if (core_type_is_interval(t)) return k_text_interval;
    return NULL;
  }
  if (tt) return core_type_is_binary(f) ? NULL : k_to_text;
  if (core_type_is_numeric(f) && core_type_is_numeric(t)) {
    char rf = core_type_repr(f), rt = core_type_repr(t);
    if (rf == 'i') return rt == 'i' ? k_int_int : rt == 'x' ? k_int_dec : k_int_dbl;
    if (rf == 'x') return rt == 'i' ? k_dec_int : rt == 'x' ? k_dec_dec : k_dec_dbl;
    return rt == 'i' ? k_dbl_int : rt == 'x' ? k_dbl_dec : k_dbl_dbl;
  }
  if (core_type_is_binary(f) && core_type_is_binary(t)) return k_bin_bin;
  if (core_type_is_datetime(f) && core_type_is_datetime(t)) return k_datetime;
  if (core_type_is_interval(f)) {
    if (t == f) return k_interval_interval;
    if (t == CORE_T_DECIMAL || core_type_is_integer(t)) return k_interval_num;
    return NULL;
  }
  if (f == t) return k_copy;
  (void)explicit_cast;
  return NULL;
}

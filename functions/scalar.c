/*
 * scalar.c — the table of scalar kernels (functions.h "scalar kernels") and the
 * helpers they share: decimal arithmetic, month arithmetic, UTF-8, case
 * mapping, civil time fields.
 */
#include <string.h>

#include "functions/scalar_int.h"

/* Sorted by name (fn_scalar_impl_of searches it). */
static const fn_scalar_impl IMPLS[] = {
    {"ABS", fn_prepare_abs},
    {"CEIL", fn_prepare_ceil},
    {"CEILING", fn_prepare_ceil},
    {"CHARACTER_LENGTH", fn_prepare_char_length},
    {"CHAR_LENGTH", fn_prepare_char_length},
    {"CHAR_TO_DATE", fn_prepare_char_to},
    {"CHAR_TO_TIME", fn_prepare_char_to},
    {"CHAR_TO_TIMESTAMP", fn_prepare_char_to},
    {"CURRENT_DATE", fn_prepare_current},
    {"CURRENT_ROW_TIMESTAMP", fn_prepare_current},
    {"CURRENT_TIME", fn_prepare_current},
    {"CURRENT_TIMESTAMP", fn_prepare_current},
    {"DATE_TO_CHAR", fn_prepare_to_char},
    {"EXP", fn_prepare_exp},
    {"EXTRACT", fn_prepare_extract},
    {"FLOOR", fn_prepare_floor},
    {"INITCAP", fn_prepare_initcap},
    {"LN", fn_prepare_ln},
    {"LOCALTIME", fn_prepare_current},
    {"LOCALTIMESTAMP", fn_prepare_current},
    {"LOG10", fn_prepare_log10},
    {"LOWER", fn_prepare_lower},
    {"MOD", fn_prepare_mod},
    {"OVERLAY", fn_prepare_overlay},
    {"POSITION", fn_prepare_position},
    {"POWER", fn_prepare_power},
    {"REGEX_REPLACE", fn_prepare_regex_replace},
    {"STEP", fn_prepare_step},
    {"SUBSTRING", fn_prepare_substring},
    {"TIMESTAMP_TO_CHAR", fn_prepare_to_char},
    {"TIME_TO_CHAR", fn_prepare_to_char},
    {"TO_TIMESTAMP", fn_prepare_to_timestamp},
    {"TRIM", fn_prepare_trim},
    {"TSDIFF", fn_prepare_tsdiff},
    {"UNIX_TIMESTAMP", fn_prepare_unix_timestamp},
    {"UPPER", fn_prepare_upper},
};

const fn_scalar_impl *fn_scalar_impl_of(const fn_def *f) {
  if (!f || f->kind != FN_SCALAR) return NULL;
  size_t lo = 0, hi = sizeof IMPLS / sizeof IMPLS[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(f->name, IMPLS[mid].name);
    if (c == 0) return &IMPLS[mid];
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}

/* ------------------------------------------------------------ decimals -- */

#define P10(k) ((core_i128)k##ULL)
const core_i128 fn_pow10[39] = {
    P10(1),
    P10(10),
    P10(100),
    P10(1000),
    P10(10000),
    P10(100000),
    P10(1000000),
    P10(10000000),
    P10(100000000),
    P10(1000000000),
    P10(10000000000),
    P10(100000000000),
    P10(1000000000000),
    P10(10000000000000),
    P10(100000000000000),
    P10(1000000000000000),
    P10(10000000000000000),
    P10(100000000000000000),
    P10(1000000000000000000),
    P10(10000000000000000000),
    P10(10000000000000000000) * 10,
    P10(10000000000000000000) * 100,
    P10(10000000000000000000) * 1000,
    P10(10000000000000000000) * 10000,
    P10(10000000000000000000) * 100000,
    P10(10000000000000000000) * 1000000,
    P10(10000000000000000000) * 10000000,
    P10(10000000000000000000) * 100000000,
    P10(10000000000000000000) * 1000000000,
    P10(10000000000000000000) * 10000000000,
    P10(10000000000000000000) * 100000000000,
    P10(10000000000000000000) * 1000000000000,
    P10(10000000000000000000) * 10000000000000,
    P10(10000000000000000000) * 100000000000000,
    P10(10000000000000000000) * 1000000000000000,
    P10(10000000000000000000) * 10000000000000000,
    P10(10000000000000000000) * 100000000000000000,
    P10(10000000000000000000) * 1000000000000000000,
    P10(10000000000000000000) * 10000000000000000000ULL,
};

bool fn_dec_rescale(core_i128 v, int from, int to, core_i128 *out) {
  if (to == from) {
    *out = v;
    return true;
  }
  if (to > from) {
    if (to - from > 38) return v == 0 ? (*out = 0, true) : false;
    return !__builtin_mul_overflow(v, fn_pow10[to - from], out);
  }
  if (from - to > 38) {
    *out = 0;
    return true;
  }
  *out = fn_div_round(v, fn_pow10[from - to]);
  return true;
}

bool fn_dec_div(core_i128 a, int shift, core_i128 b, core_i128 *out) {
  core_i128 num;
  if (shift <= 38 && !__builtin_mul_overflow(a, fn_pow10[shift], &num)) {
    *out = fn_div_round(num, b);
    return true;
  }
  /* Long division, one decimal digit at a time: the remainder stays below |b|. */
  bool neg = (a < 0) != (b < 0);
  core_u128 ua = a < 0 ? -(core_u128)a : (core_u128)a, ub = b < 0 ? -(core_u128)b : (core_u128)b;
  core_u128 q = ua / ub, r = ua % ub;
  const core_u128 limit = ((core_u128)1 << 127) / 10;
  for (int k = 0; k < shift; k++) {
    if (q > limit) return false;
    r *= 10; /* r < ub <= 2^127: no overflow */
    q = q * 10 + r / ub;
    r %= ub;
  }
  if (r >= ub - r) q++;
  if (q >> 127) return false;
  *out = neg ? -(core_i128)q : (core_i128)q;
  return true;
}

size_t fn_dec_format(core_i128 v, int scale, char *buf) {
  char digits[48];
  core_u128 u = v < 0 ? -(core_u128)v : (core_u128)v;
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u);
  while (n <= scale) digits[n++] = '0';
  size_t len = 0;
  if (v < 0) buf[len++] = '-';
  for (int k = n - 1; k >= 0; k--) {
    buf[len++] = digits[k];
    if (k == scale && scale > 0) buf[len++] = '.';
  }
  buf[len] = '\0';
  return len;
}

/* -------------------------------------------------------------- months -- */

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dm[m - 1];
}

int64_t fn_add_months(int64_t t, int64_t months, bool days_only) {
  int64_t days = days_only ? t : core_floor_div(t, 86400000);
  int64_t rest = days_only ? 0 : t - days * 86400000;
  int64_t y;
  unsigned m, d;
  core_civil_from_days((int32_t)days, &y, &m, &d);
  int64_t total = y * 12 + (int64_t)(m - 1) + months;
  y = core_floor_div(total, 12);
  m = (unsigned)(total - y * 12) + 1;
  unsigned dim = days_in_month(y, m);
  if (d > dim) d = dim;
  int64_t nd = core_days_from_civil(y, m, d);
  return days_only ? nd : nd * 86400000 + rest;
}

void fn_civil_of(int64_t ms, fn_civil *c) {
  int64_t days = core_floor_div(ms, 86400000);
  int64_t t = ms - days * 86400000;
  unsigned m, d;
  core_civil_from_days((int32_t)days, &c->year, &m, &d);
  c->month = (int)m;
  c->day = (int)d;
  c->hour = (int)(t / 3600000);
  c->minute = (int)(t / 60000 % 60);
  c->second = (int)(t / 1000 % 60);
  c->ms = (int)(t % 1000);
  c->weekday = (int)core_floor_mod(days + 3, 7) + 1; /* 1970-01-01 was a Thursday */
  c->yday = (int)(days - core_days_from_civil(c->year, 1, 1)) + 1;
}

/* ------------------------------------------------------------- results -- */

void fn_fail(const fn_rows *r, int i, const char *name, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  r->out->null[i] = 1;
  if (r->fail) r->fail(r->fail_arg, i, name, msg);
}

bool fn_set_str(const fn_rows *r, int i, const char *p, size_t n) {
  char *dst = (char *)"";
  if (n) {
    dst = core_arena_alloc(r->heap, n);
    if (!dst) {
      r->out->null[i] = 1;
      return false;
    }
    memcpy(dst, p, n);
  }
  r->out->u.s[i] = (core_str){dst, (uint32_t)n};
  r->out->null[i] = 0;
  return true;
}

/* --------------------------------------------------------------- UTF-8 -- */

uint32_t fn_utf8_decode(const char *s, size_t n, size_t *i) {
  const unsigned char *u = (const unsigned char *)s;
  size_t k = *i;
  unsigned char c = u[k];
  int len = fn_utf8_len(c);
  if (len == 1 || k + (size_t)len > n) {
    *i = k + 1;
    return c;
  }
  uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (int j = 1; j < len; j++) cp = (cp << 6) | (u[k + (size_t)j] & 0x3F);
  *i = k + (size_t)len;
  return cp;
}

int fn_utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/*
 * Case mapping without locale state: ASCII, Latin-1 Supplement, Latin
 * Extended-A, basic Greek and Cyrillic — the scripts of nearly all stream
 * data seen in practice. Other code points map to themselves (documented in
 * exec/README.md).
 */
uint32_t fn_upper(uint32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
    if (c == 0x131) return 'I';
    if (c == 0x138 || c == 0x149 || c == 0x17F || c == 0x130 || c == 0x178) return c;
    return (c & 1) ? c - 1 : c;
  }
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

uint32_t fn_lower(uint32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    if (c == 0x130) return 'i';
    if (c == 0x138 || c == 0x149 || c == 0x17F || c == 0x131) return c;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

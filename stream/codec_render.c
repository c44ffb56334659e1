/*
 * codec_render.c — rows as JSON objects or CSV lines (spec 6.6), for readers
 * of in-application streams through the Kinesis API and for outputs. Texts
 * are chosen so that the input mapping reads them back to the same values:
 * REAL/DOUBLE print the shortest digits that round-trip, DECIMAL keeps its
 * scale, times use the `yyyy-MM-dd HH:mm:ss.SSS` forms.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/codec_int.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Appends n bytes (room reserved by the caller). */
static inline void put(stream_buf *o, const void *p, size_t n) {
  memcpy(o->data + o->len, p, n);
  o->len += n;
}

static int append(stream_buf *o, const void *p, size_t n) {
  if (stream_buf_reserve(o, n) != SLUICE_OK) return SLUICE_NOMEM;
  put(o, p, n);
  return SLUICE_OK;
}

/* --------------------------------------------------------- numbers -- */

/*
 * The shortest %g text that reads back to the same double (float): a normal
 * value whose shortest form has at most 15 (6) digits prints exactly that at
 * precision 15 (6), since every such decimal survives a round trip; above,
 * 16 or 17 (7 to 9) digits are tried in turn. Subnormals have fewer
 * significant bits, so for them the search starts at one digit.
 */
static size_t format_float_slow(double d, bool single, char *buf, size_t cap) {
  if (single) {
    float f = (float)d;
    /* subnormals carry fewer digits: search from 1 */
    for (int prec = fabsf(f) < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
      size_t n = (size_t)snprintf(buf, cap, "%.*g", prec, (double)f);
      if (prec == 9 || strtof(buf, NULL) == f) return n;
    }
  }
  for (int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
    size_t n = (size_t)snprintf(buf, cap, "%.*g", prec, d);
    if (prec == 17 || strtod(buf, NULL) == d) return n;
  }
  return 0;
}

static const double pow10_table[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* |m| in decimal with a point k digits from the right (k may exceed the digits: 0.05). */
static size_t fixed_point(uint64_t m, bool neg, int k, char *buf) {
  char digits[24];
  size_t nd = 0, o = 0;
  do digits[nd++] = (char)('0' + m % 10);
  while (m /= 10);
  while (nd <= (size_t)k) digits[nd++] = '0'; /* at least one digit before the point */
  if (neg) buf[o++] = '-';
  while (nd > (size_t)k) buf[o++] = digits[--nd];
  if (k) buf[o++] = '.';
  while (nd) buf[o++] = digits[--nd];
  return o;
}

/*
 * The shortest text for the magnitudes values usually have (1e-4 <= |d| <
 * 1e15): the fewest fraction digits k such that m / 10^k, with m the nearest
 * integer to d * 10^k, reads back as d. (double)m / 10^k with both operands
 * exact is one correctly rounded division, the same value strtod() gives for
 * that text (for REAL the same in float arithmetic, m < 2^24, k <= 10). The
 * text is the one %g prints with as many digits. Anything else, or a miss,
 * goes to the snprintf() search.
 */
static size_t format_float(double d, bool single, char *buf, size_t cap) {
  double a = fabs(d);
  if (a >= 1e-4 && a < 1e15) {
    for (int k = 0; k <= 15; k++) {
      double scaled = a * pow10_table[k];
      if (scaled >= (single ? 16777216.0 : 4503599627370496.0)) break; /* 2^24, 2^52 */
      uint64_t m = (uint64_t)(scaled + 0.5);
      bool hit = single ? k <= 10 && (float)m / (float)pow10_table[k] == (float)a
                        : (double)m / pow10_table[k] == a;
      if (hit) return fixed_point(m, signbit(d), k, buf);
    }
  }
  return format_float_slow(d, single, buf, cap);
}

/* `yyyy-MM-dd`, `HH:mm:ss.SSS`, with digits written directly (years 0-9999). */
static size_t date_text(int32_t days, char *buf) {
  int64_t y;
  unsigned m, d;
  core_civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) return core_date_format(days, buf);
  buf[0] = (char)('0' + y / 1000);
  buf[1] = (char)('0' + y / 100 % 10);
  buf[2] = (char)('0' + y / 10 % 10);
  buf[3] = (char)('0' + y % 10);
  buf[4] = '-';
  buf[5] = (char)('0' + m / 10);
  buf[6] = (char)('0' + m % 10);
  buf[7] = '-';
  buf[8] = (char)('0' + d / 10);
  buf[9] = (char)('0' + d % 10);
  return 10;
}

static size_t time_text(int32_t ms, char *buf) {
  unsigned h = (unsigned)ms / 3600000, mi = (unsigned)ms / 60000 % 60,
           sec = (unsigned)ms / 1000 % 60, f = (unsigned)ms % 1000;
  buf[0] = (char)('0' + h / 10);
  buf[1] = (char)('0' + h % 10);
  buf[2] = ':';
  buf[3] = (char)('0' + mi / 10);
  buf[4] = (char)('0' + mi % 10);
  buf[5] = ':';
  buf[6] = (char)('0' + sec / 10);
  buf[7] = (char)('0' + sec % 10);
  buf[8] = '.';
  buf[9] = (char)('0' + f / 100);
  buf[10] = (char)('0' + f / 10 % 10);
  buf[11] = (char)('0' + f % 10);
  return 12;
}

static size_t timestamp_text(int64_t ms, char *buf) {
  int64_t days = core_floor_div(ms, 86400000);
  if (days < INT32_MIN || days > INT32_MAX) return core_timestamp_format(ms, buf);
  size_t n = date_text((int32_t)days, buf);
  if (n != 10) return core_timestamp_format(ms, buf);
  buf[10] = ' ';
  return 11 + time_text((int32_t)(ms - days * 86400000), buf + 11);
}

/* DECIMAL: the unscaled value with the point `scale` digits from the right (12.50, -0.05). */
static size_t format_decimal(core_i128 x, int scale, char *buf) {
  char digits[48];
  core_u128 u = x < 0 ? -(core_u128)x : (core_u128)x;
  size_t nd = core_u128_format(u, digits);
  size_t o = 0;
  if (x < 0) buf[o++] = '-';
  if (scale <= 0) {
    memcpy(buf + o, digits, nd);
    return o + nd;
  }
  size_t sc = (size_t)scale;
  if (nd <= sc) {
    buf[o++] = '0';
    buf[o++] = '.';
    for (size_t k = nd; k < sc; k++) buf[o++] = '0';
    memcpy(buf + o, digits, nd);
    return o + nd;
  }
  memcpy(buf + o, digits, nd - sc);
  o += nd - sc;
  buf[o++] = '.';
  memcpy(buf + o, digits + nd - sc, sc);
  return o + sc;
}

/*
 * The text of a non-NULL, non-string value into buf (at least 64 bytes);
 * *quote says whether JSON needs it in quotes (times, non-finite floats).
 */
static size_t scalar_text(const core_vec *v, int row, char *buf, bool *quote) {
  *quote = false;
  switch (v->type.id) {
    case CORE_T_BOOLEAN:
      if (v->u.i[row]) return memcpy(buf, "true", 4), 4;
      return memcpy(buf, "false", 5), 5;
    case CORE_T_DECIMAL:
      return format_decimal(v->u.dec[row], v->type.scale, buf);
    case CORE_T_REAL:
    case CORE_T_DOUBLE: {
      double d = v->u.d[row];
      if (!isfinite(d)) {
        *quote = true;
        const char *w = isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
        size_t n = strlen(w);
        memcpy(buf, w, n);
        return n;
      }
      return format_float(d, v->type.id == CORE_T_REAL, buf, 64);
    }
    case CORE_T_DATE:
      *quote = true;
      return date_text((int32_t)v->u.i[row], buf);
    case CORE_T_TIME: /* a valid TIME is within the day */
      *quote = true;
      if (v->u.i[row] < 0 || v->u.i[row] >= 86400000)
        return core_time_format((int32_t)v->u.i[row], buf);
      return time_text((int32_t)v->u.i[row], buf);
    case CORE_T_TIMESTAMP:
      *quote = true;
      return timestamp_text(v->u.i[row], buf);
    default: { /* integers, intervals (as their count of months or ms) */
      int64_t x = v->u.i[row];
      char tmp[24];
      size_t n = 0;
      uint64_t u = x < 0 ? -(uint64_t)x : (uint64_t)x;
      do tmp[n++] = (char)('0' + u % 10);
      while (u /= 10);
      size_t o = 0;
      if (x < 0) buf[o++] = '-';
      while (n) buf[o++] = tmp[--n];
      return o;
    }
  }
}

/* ------------------------------------------------------------ JSON -- */

/* Length of a valid UTF-8 sequence at p (lead >= 0x80), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n) {
  unsigned c = p[0], cp;
  size_t len;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, cp = c & 0x07;
  else
    return 0;
  if (n < len) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (p[k] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

/* A JSON string with quotes: escapes ", \ and control characters; bad UTF-8 becomes U+FFFD. */
static int json_string(stream_buf *o, const char *s, size_t n) {
  /* worst case: every byte a \u00XX escape (6) or a U+FFFD (3) */
  if (stream_buf_reserve(o, 6 * n + 2) != SLUICE_OK) return SLUICE_NOMEM;
  const uint8_t *p = (const uint8_t *)s;
  uint8_t *d = o->data + o->len;
  *d++ = '"';
  size_t i = 0;
  while (i < n) {
    while (i + 8 <= n) { /* plain ASCII runs eight bytes at a time */
      uint64_t x, q, b;
      memcpy(&x, p + i, 8);
      q = x ^ (ONES * '"');
      b = x ^ (ONES * '\\');
      if ((((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x) | x) & HIGHS) break;
      memcpy(d, p + i, 8);
      d += 8;
      i += 8;
    }
    if (i >= n) break;
    uint8_t c = p[i];
    if (c >= 0x80) {
      size_t l = utf8_seq(p + i, n - i);
      if (l) {
        memcpy(d, p + i, l);
        d += l;
        i += l;
      } else {
        memcpy(d, "\xEF\xBF\xBD", 3);
        d += 3;
        i++;
      }
      continue;
    }
    i++;
    if (c == '"' || c == '\\') {
      *d++ = '\\';
      *d++ = c;
    } else if (c >= 0x20) {
      *d++ = c;
    } else {
      static const char short_form[32] = {
          ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
      *d++ = '\\';
      if (short_form[c]) {
        *d++ = (uint8_t)short_form[c];
      } else {
        static const char hex[] = "0123456789abcdef";
        memcpy(d, "u00", 3);
        d[3] = (uint8_t)hex[c >> 4];
        d[4] = (uint8_t)hex[c & 15];
        d += 5;
      }
    }
  }
  *d++ = '"';
  o->len = (size_t)(d - o->data);
  return SLUICE_OK;
}

static int base64_value(stream_buf *o, const core_str *s, bool quote) {
  size_t n = core_base64_encoded_size(s->n);
  if (stream_buf_reserve(o, n + 2) != SLUICE_OK) return SLUICE_NOMEM;
  if (quote) put(o, "\"", 1);
  o->len += core_base64_encode(s->p, s->n, (char *)o->data + o->len);
  if (quote) put(o, "\"", 1);
  return SLUICE_OK;
}

int stream_row_json(const core_batch *b, int row, const char *const *names, stream_buf *out) {
  size_t mark = out->len;
  int rc = append(out, "{", 1);
  for (int c = 0; c < b->ncols && rc == SLUICE_OK; c++) {
    const core_vec *v = &b->cols[c];
    if (c) rc = append(out, ",", 1);
    if (rc == SLUICE_OK) rc = json_string(out, names[c], strlen(names[c]));
    if (rc == SLUICE_OK) rc = append(out, ":", 1);
    if (rc != SLUICE_OK) break;
    if (v->null[row]) {
      rc = append(out, "null", 4);
    } else if (core_type_is_string(v->type.id)) {
      rc = json_string(out, v->u.s[row].p, v->u.s[row].n);
    } else if (core_type_is_binary(v->type.id)) {
      rc = base64_value(out, &v->u.s[row], true);
    } else {
      char buf[80];
      bool quote;
      size_t n = scalar_text(v, row, buf, &quote);
      if ((rc = stream_buf_reserve(out, n + 2)) != SLUICE_OK) break;
      if (quote) put(out, "\"", 1);
      put(out, buf, n);
      if (quote) put(out, "\"", 1);
    }
  }
  if (rc == SLUICE_OK) rc = append(out, "}", 1);
  if (rc != SLUICE_OK) out->len = mark;
  return rc;
}

/* ------------------------------------------------------------- CSV -- */

static int csv_string(stream_buf *o, const char *s, size_t n) {
  bool quote = n == 0;
  for (size_t i = 0; i < n && !quote; i++)
    quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!quote) return append(o, s, n);
  if (stream_buf_reserve(o, 2 * n + 2) != SLUICE_OK) return SLUICE_NOMEM;
  put(o, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') put(o, "\"", 1);
    put(o, s + i, 1);
  }
  put(o, "\"", 1);
  return SLUICE_OK;
}

int stream_row_csv(const core_batch *b, int row, stream_buf *out) {
  size_t mark = out->len;
  int rc = SLUICE_OK;
  for (int c = 0; c < b->ncols && rc == SLUICE_OK; c++) {
    const core_vec *v = &b->cols[c];
    if (c) rc = append(out, ",", 1);
    if (rc != SLUICE_OK || v->null[row]) continue;
    if (core_type_is_string(v->type.id)) {
      rc = csv_string(out, v->u.s[row].p, v->u.s[row].n);
    } else if (core_type_is_binary(v->type.id)) {
      /* an empty field would read as NULL */
      rc = v->u.s[row].n ? base64_value(out, &v->u.s[row], false) : append(out, "\"\"", 2);
    } else {
      char buf[80];
      bool quote;
      rc = append(out, buf, scalar_text(v, row, buf, &quote));
    }
  }
  if (rc == SLUICE_OK) rc = append(out, "\n", 1);
  if (rc != SLUICE_OK) out->len = mark;
  return rc;
}

/*
 * codec_coerce.c — one value of an input record into one batch cell: the
 * coercion table of spec 6.2, shared by the JSON and CSV decoders (a CSV
 * field follows the rules of a JSON string).
 *
 * Numbers are converted exactly: the text is read into an unscaled 128-bit
 * integer and a decimal exponent, so 123.4 into INTEGER or 1.005 into
 * DECIMAL(5,2) is detected as a loss of precision, never rounded through a
 * double. REAL and DOUBLE use the exact fast path (Clinger) when the digits
 * fit, and strtod()/strtof() otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stream/codec_int.h"

/* ------------------------------------------------------------ messages -- */

/*
 * About 60 bytes of p for a message (cut at a character boundary, "..." when
 * cut), control characters written as \n, \t, \r or \xNN so that the message
 * stays one line. buf holds at least 256 bytes.
 */
static const char *excerpt(const char *p, size_t n, char *buf) {
  size_t o = 0, i = 0;
  for (; i < n && o < 60; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0x20) {
      buf[o++] = (char)c;
    } else if (c == '\n' || c == '\t' || c == '\r') {
      buf[o++] = '\\';
      buf[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
    } else {
      o += (size_t)snprintf(buf + o, 8, "\\x%02X", c);
    }
  }
  while (i < n && ((unsigned char)p[i] & 0xC0) == 0x80) buf[o++] = p[i++]; /* finish a character */
  if (i < n) memcpy(buf + o, "...", 3), o += 3;
  buf[o] = '\0';
  return buf;
}

/* "JSON string "abc"", "JSON number 1.5", "a JSON object", "CSV field "x"". */
static const char *describe(const codec_out *o, const codec_slot *s, char *buf, size_t cap) {
  char ex[256];
  const char *p = (const char *)o->data + s->off;
  bool csv = o->m->format == STREAM_FORMAT_CSV;
  switch (s->kind) {
    case SLOT_TRUE:
      return "JSON boolean true";
    case SLOT_FALSE:
      return "JSON boolean false";
    case SLOT_NUMBER:
      snprintf(buf, cap, "JSON number %s", excerpt(p, s->len, ex));
      return buf;
    case SLOT_ARRAY:
      return "a JSON array";
    case SLOT_OBJECT:
      return "a JSON object";
    default:
      snprintf(buf, cap, "%s \"%s\"", csv ? "CSV field" : "JSON string", excerpt(p, s->len, ex));
      return buf;
  }
}

/* "cannot convert <value> to <type>[: <reason>] (column <name>)"; reason may be NULL. */
static int coercion_error(codec_out *o, int col, const codec_slot *s, const char *reason) {
  char d[300], t[64];
  const codec_col *c = &o->m->cols[col];
  core_type_format(c->type, t, sizeof t);
  const char *what = describe(o, s, d, sizeof d);
  o->error_name = STREAM_ERROR_COERCION;
  return core_error_set(o->err, SLUICE_INVALID, "cannot convert %s to %s%s%s (column %s)", what, t,
                        reason ? ": " : "", reason ? reason : "", c->name);
}

#define OUT_OF_RANGE "out of range"
#define INEXACT "it would lose precision"
#define NOT_BINARY "not a binary literal X'..' with an even number of hex digits"

/* -------------------------------------------------------------- text -- */

/* The text of a STRING slot with its escapes decoded (into the scratch). */
static int slot_text(codec_out *o, const codec_slot *s, const char **p, size_t *n) {
  const uint8_t *raw = o->data + s->off;
  if (!s->escaped) {
    *p = (const char *)raw;
    *n = s->len;
    return SLUICE_OK;
  }
  if (codec_scratch(o->m, s->len) != SLUICE_OK) return SLUICE_NOMEM;
  *n = o->m->format == STREAM_FORMAT_CSV ? codec_csv_unquote(raw, s->len, o->m->scratch)
                                         : codec_json_unescape(raw, s->len, o->m->scratch);
  *p = o->m->scratch;
  return SLUICE_OK;
}

static bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const char **p, size_t *n) {
  while (*n && blank(**p)) (*p)++, (*n)--;
  while (*n && blank((*p)[*n - 1])) (*n)--;
}

/* Bytes of the first `chars` characters of UTF-8 text p[0..n). */
static size_t utf8_prefix(const char *p, size_t n, size_t chars) {
  if (n <= chars) return n;
  size_t i = 0;
  for (size_t k = 0; k < chars && i < n; k++) {
    i++;
    while (i < n && ((unsigned char)p[i] & 0xC0) == 0x80) i++;
  }
  return i;
}

/* ----------------------------------------------------------- numbers -- */

/* A number read exactly: value = (neg ? -1 : 1) * mant * 10^exp. */
typedef struct exact_num {
  bool neg;
  bool toolong; /* more than 38 significant digits: mant is not the value */
  int ndig;     /* significant digits (0 for zero), trailing zeros not counted */
  int64_t exp;
  core_u128 mant;
} exact_num;

static inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/*
 * Reads [+-]?digits[.digits][(e|E)[+-]digits] with at least one mantissa
 * digit: the JSON grammar (checked by the scanner already) and the looser
 * forms text fields use (+5, 5., .5, 007).
 */
static bool num_read(const char *s, size_t n, exact_num *v) {
  size_t i = 0;
  memset(v, 0, sizeof *v);
  if (i < n && (s[i] == '-' || s[i] == '+')) v->neg = s[i++] == '-';
  size_t ib = i;
  while (i < n && is_digit(s[i])) i++;
  size_t ie = i, fb = i, fe = i;
  if (i < n && s[i] == '.') {
    fb = ++i;
    while (i < n && is_digit(s[i])) i++;
    fe = i;
  }
  if (ie - ib + fe - fb == 0) return false;
  int64_t e = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    bool eneg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
    size_t eb = i;
    for (; i < n && is_digit(s[i]); i++)
      if (e < 1000000000) e = e * 10 + (s[i] - '0');
    if (i == eb) return false;
    if (eneg) e = -e;
  }
  if (i != n) return false;
  int64_t zeros = 0; /* zeros seen after the last non-zero digit */
  for (size_t k = ib; k < fe; k++) {
    if (k == ie) k = fb; /* skip the point */
    if (k >= fe) break;
    int d = s[k] - '0';
    if (d == 0) {
      if (v->ndig) zeros++;
      continue;
    }
    for (int64_t z = 0; z < zeros && !v->toolong; z++) v->mant *= 10;
    v->ndig += (int)zeros + 1;
    zeros = 0;
    if (v->ndig > 38) v->toolong = true;
    if (!v->toolong) v->mant = v->mant * 10 + (core_u128)d;
  }
  /* value = digits * 10^(e - fraction digits); stripped trailing zeros add to it */
  v->exp = e - (int64_t)(fe - fb) + zeros;
  if (v->ndig == 0) v->exp = 0;
  return true;
}

static core_u128 pow10_u128(int k) {
  core_u128 r = 1;
  while (k-- > 0) r *= 10;
  return r;
}

typedef enum { NUM_OK, NUM_RANGE, NUM_INEXACT } num_fit;

/*
 * v * 10^scale as an integer of at most maxdig digits: NUM_RANGE when it has
 * more integer digits, NUM_INEXACT when non-zero digits fall below the scale.
 */
static num_fit num_scaled(const exact_num *v, int scale, int maxdig, core_i128 *out) {
  *out = 0;
  if (v->ndig == 0) return NUM_OK;
  int64_t e = v->exp + scale;
  if (v->ndig + e > maxdig) return NUM_RANGE;
  if (e < 0) return NUM_INEXACT; /* trailing zeros are stripped: the last digit is not 0 */
  core_u128 u = v->mant * pow10_u128((int)e);
  *out = v->neg ? -(core_i128)u : (core_i128)u;
  return NUM_OK;
}

/* -?[0-9]{1,18} read directly: the common case of integers. */
static bool small_int(const char *s, size_t n, int64_t *out) {
  size_t i = s[0] == '-' || s[0] == '+';
  if (n - i < 1 || n - i > 18) return false;
  int64_t v = 0;
  for (size_t k = i; k < n; k++) {
    if (!is_digit(s[k])) return false;
    v = v * 10 + (s[k] - '0');
  }
  *out = s[0] == '-' ? -v : v;
  return true;
}

static void int_bounds(uint8_t id, int64_t *lo, int64_t *hi, int *digits) {
  switch (id) {
    case CORE_T_TINYINT:
      *lo = INT8_MIN, *hi = INT8_MAX, *digits = 3;
      break;
    case CORE_T_SMALLINT:
      *lo = INT16_MIN, *hi = INT16_MAX, *digits = 5;
      break;
    case CORE_T_INTEGER:
      *lo = INT32_MIN, *hi = INT32_MAX, *digits = 10;
      break;
    default:
      *lo = INT64_MIN, *hi = INT64_MAX, *digits = 19;
  }
}

static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* strtod/strtof on a NUL-terminated copy (numbers of any length). */
static double parse_float_slow(const char *s, size_t n, bool single) {
  char stack[128];
  char *buf = n < sizeof stack ? stack : malloc(n + 1);
  if (!buf) return NAN; /* out of memory: reported as unparsable, never crashes */
  memcpy(buf, s, n);
  buf[n] = '\0';
  double d = single ? (double)strtof(buf, NULL) : strtod(buf, NULL);
  if (buf != stack) free(buf);
  return d;
}

/*
 * The double or float nearest to the number v read from s[0..n). Clinger's
 * fast path: an integer mantissa below 2^53 (2^24) times or divided by an
 * exactly representable power of ten is one correctly rounded operation.
 */
static double to_float(const char *s, size_t n, const exact_num *v, bool single) {
  if (v->ndig == 0) return v->neg ? -0.0 : 0.0;
  if (!v->toolong) {
    if (single && v->mant < ((core_u128)1 << 24) && v->exp >= -10 && v->exp <= 10) {
      float f = (float)(uint32_t)v->mant, p = (float)exact_pow10[v->exp < 0 ? -v->exp : v->exp];
      f = v->exp < 0 ? f / p : f * p;
      return v->neg ? -f : f;
    }
    if (!single && v->mant < ((core_u128)1 << 53) && v->exp >= -22 && v->exp <= 22) {
      double d = (double)(uint64_t)v->mant, p = exact_pow10[v->exp < 0 ? -v->exp : v->exp];
      d = v->exp < 0 ? d / p : d * p;
      return v->neg ? -d : d;
    }
  }
  return parse_float_slow(s, n, single);
}

/* ------------------------------------------------------- per type -- */

static inline void set_null(core_batch *b, int col, int row) {
  core_vec *v = &b->cols[col];
  v->null[row] = 1;
  switch (core_type_repr(v->type.id)) {
    case 'x':
      v->u.dec[row] = 0;
      break;
    case 's':
      v->u.s[row] = (core_str){"", 0};
      break;
    case 'd':
      v->u.d[row] = 0;
      break;
    default:
      v->u.i[row] = 0;
  }
}

/* TINYINT..BIGINT and DECIMAL from a number's text (a JSON number or a text field). */
static int exact_from_text(codec_out *o, int col, const codec_slot *s, const char *p, size_t n,
                           int row) {
  core_vec *v = &o->b->cols[col];
  core_type t = v->type;
  if (t.id != CORE_T_DECIMAL) {
    int64_t lo, hi, x;
    int digits;
    int_bounds(t.id, &lo, &hi, &digits);
    if (n && small_int(p, n, &x)) {
      if (x < lo || x > hi) return coercion_error(o, col, s, OUT_OF_RANGE);
      v->u.i[row] = x;
      v->null[row] = 0;
      return SLUICE_OK;
    }
    exact_num e;
    core_i128 r;
    if (!num_read(p, n, &e)) return coercion_error(o, col, s, NULL);
    num_fit fit = num_scaled(&e, 0, digits, &r);
    if (fit == NUM_OK && (r < lo || r > hi)) fit = NUM_RANGE;
    if (fit == NUM_RANGE) return coercion_error(o, col, s, OUT_OF_RANGE);
    if (fit == NUM_INEXACT) return coercion_error(o, col, s, INEXACT);
    v->u.i[row] = (int64_t)r;
    v->null[row] = 0;
    return SLUICE_OK;
  }
  exact_num e;
  core_i128 r;
  if (!num_read(p, n, &e)) return coercion_error(o, col, s, NULL);
  int prec = t.precision > 0 && t.precision <= 38 ? t.precision : 38;
  num_fit fit = num_scaled(&e, t.scale, prec, &r);
  if (fit == NUM_RANGE) return coercion_error(o, col, s, OUT_OF_RANGE);
  if (fit == NUM_INEXACT) return coercion_error(o, col, s, INEXACT);
  v->u.dec[row] = r;
  v->null[row] = 0;
  return SLUICE_OK;
}

/*
 * The common short decimal (-?digits[.digits], at most 19 digits) as an
 * integer mantissa and a count of fraction digits, read in one pass.
 */
static bool short_decimal(const char *p, size_t n, uint64_t *mant, int *frac, bool *neg) {
  size_t i = 0;
  *neg = n && p[0] == '-';
  i = *neg;
  uint64_t m = 0;
  int digits = 0, f = -1;
  for (; i < n; i++) {
    unsigned d = (unsigned)(p[i] - '0');
    if (d < 10) {
      m = m * 10 + d;
      digits++;
      if (f >= 0) f++;
    } else if (p[i] == '.' && f < 0) {
      f = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || digits > 19) return false;
  *mant = m;
  *frac = f < 0 ? 0 : f;
  return true;
}

/* REAL and DOUBLE from text; strings may also say NaN, Infinity, -Infinity. */
static int float_from_text(codec_out *o, int col, const codec_slot *s, const char *p, size_t n,
                           bool allow_words, int row) {
  core_vec *v = &o->b->cols[col];
  bool single = v->type.id == CORE_T_REAL;
  double d;
  exact_num e;
  uint64_t mant;
  int frac;
  bool neg;
  /* Clinger's fast path on a short decimal: one exact division, correctly rounded */
  if (short_decimal(p, n, &mant, &frac, &neg) &&
      (single ? mant < (1u << 24) && frac <= 10 : mant < (1ULL << 53) && frac <= 22)) {
    if (single) {
      float f = (float)mant / (float)exact_pow10[frac];
      v->u.d[row] = neg ? -f : f;
    } else {
      d = (double)mant / exact_pow10[frac];
      v->u.d[row] = neg ? -d : d;
    }
    v->null[row] = 0;
    return SLUICE_OK;
  }
  if (allow_words && n == 3 && memcmp(p, "NaN", 3) == 0) {
    d = NAN;
  } else if (allow_words && ((n == 8 && memcmp(p, "Infinity", 8) == 0) ||
                             (n == 9 && memcmp(p, "+Infinity", 9) == 0))) {
    d = INFINITY;
  } else if (allow_words && n == 9 && memcmp(p, "-Infinity", 9) == 0) {
    d = -INFINITY;
  } else {
    if (!num_read(p, n, &e)) return coercion_error(o, col, s, NULL);
    d = to_float(p, n, &e, single);
    if (isnan(d)) return coercion_error(o, col, s, NULL);
    if (isinf(d)) return coercion_error(o, col, s, OUT_OF_RANGE);
  }
  v->u.d[row] = single ? (double)(float)d : d;
  v->null[row] = 0;
  return SLUICE_OK;
}

static int numeric(codec_out *o, int col, const codec_slot *s, int row) {
  core_vec *v = &o->b->cols[col];
  bool flt = v->type.id == CORE_T_REAL || v->type.id == CORE_T_DOUBLE;
  const char *p;
  size_t n;
  switch (s->kind) {
    case SLOT_TRUE:
    case SLOT_FALSE: {
      int one = s->kind == SLOT_TRUE;
      if (flt)
        v->u.d[row] = one;
      else if (v->type.id == CORE_T_DECIMAL)
        v->u.dec[row] = one ? (core_i128)pow10_u128(v->type.scale) : 0;
      else
        v->u.i[row] = one;
      v->null[row] = 0;
      return SLUICE_OK;
    }
    case SLOT_NUMBER:
      p = (const char *)o->data + s->off;
      n = s->len;
      return flt ? float_from_text(o, col, s, p, n, false, row)
                 : exact_from_text(o, col, s, p, n, row);
    case SLOT_STRING:
      if (slot_text(o, s, &p, &n) != SLUICE_OK) return SLUICE_NOMEM;
      trim(&p, &n);
      return flt ? float_from_text(o, col, s, p, n, true, row)
                 : exact_from_text(o, col, s, p, n, row);
    default:
      return coercion_error(o, col, s, NULL);
  }
}

static int boolean(codec_out *o, int col, const codec_slot *s, int row) {
  core_vec *v = &o->b->cols[col];
  const char *p;
  size_t n;
  exact_num e;
  switch (s->kind) {
    case SLOT_TRUE:
    case SLOT_FALSE:
      v->u.i[row] = s->kind == SLOT_TRUE;
      break;
    case SLOT_NUMBER: /* 0 -> FALSE, anything else -> TRUE */
      if (!num_read((const char *)o->data + s->off, s->len, &e))
        return coercion_error(o, col, s, NULL);
      v->u.i[row] = e.ndig != 0;
      break;
    case SLOT_STRING: /* 'true' in any case -> TRUE, anything else -> FALSE */
      if (slot_text(o, s, &p, &n) != SLUICE_OK) return SLUICE_NOMEM;
      v->u.i[row] = n == 4 && strncasecmp(p, "true", 4) == 0;
      break;
    default:
      return coercion_error(o, col, s, NULL);
  }
  v->null[row] = 0;
  return SLUICE_OK;
}

/* Copies text into the batch heap, cut to the type's length and padded for CHAR/BINARY. */
static int store_bytes(codec_out *o, int col, const char *p, size_t n, int row) {
  core_vec *v = &o->b->cols[col];
  core_type t = v->type;
  bool text = core_type_is_string(t.id);
  size_t len = t.precision > 0 ? (size_t)t.precision : SIZE_MAX;
  size_t keep = text ? utf8_prefix(p, n, len) : (n < len ? n : len);
  size_t pad = 0;
  if (t.id == CORE_T_CHAR && t.precision > 0) pad = len - core_utf8_length(p, keep);
  if (t.id == CORE_T_BINARY && t.precision > 0) pad = len - keep;
  size_t total = keep + pad;
  char *dst = (char *)"";
  if (total) {
    dst = core_arena_alloc(o->b->heap, total);
    if (!dst) return core_error_set(o->err, SLUICE_NOMEM, "out of memory decoding a record");
    memcpy(dst, p, keep);
    memset(dst + keep, text ? ' ' : 0, pad);
  }
  v->u.s[row] = (core_str){dst, (uint32_t)total};
  v->null[row] = 0;
  return SLUICE_OK;
}

static int string(codec_out *o, int col, const codec_slot *s, int row) {
  const char *p = (const char *)o->data + s->off;
  size_t n = s->len;
  switch (s->kind) {
    case SLOT_TRUE:
      return store_bytes(o, col, "true", 4, row);
    case SLOT_FALSE:
      return store_bytes(o, col, "false", 5, row);
    case SLOT_STRING:
      if (slot_text(o, s, &p, &n) != SLUICE_OK) return SLUICE_NOMEM;
      return store_bytes(o, col, p, n, row);
    default: /* a number's text, an array's or object's JSON text */
      return store_bytes(o, col, p, n, row);
  }
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int binary(codec_out *o, int col, const codec_slot *s, int row) {
  const char *p;
  size_t n;
  switch (s->kind) {
    case SLOT_TRUE: /* one byte, low bit set / all clear */
      return store_bytes(o, col, "\1", 1, row);
    case SLOT_FALSE:
      return store_bytes(o, col, "\0", 1, row);
    case SLOT_STRING:
      break;
    default:
      return coercion_error(o, col, s, NULL);
  }
  if (slot_text(o, s, &p, &n) != SLUICE_OK) return SLUICE_NOMEM;
  trim(&p, &n);
  /* X'3F67A23A': an even number of hex digits */
  if (n < 3 || (p[0] != 'X' && p[0] != 'x') || p[1] != '\'' || p[n - 1] != '\'' || (n - 3) % 2)
    return coercion_error(o, col, s, NOT_BINARY);
  size_t nb = (n - 3) / 2;
  char stack[256];
  char *bytes = nb <= sizeof stack ? stack : malloc(nb);
  if (!bytes) return core_error_set(o->err, SLUICE_NOMEM, "out of memory decoding a record");
  for (size_t k = 0; k < nb; k++) {
    int hi = hex_value(p[2 + 2 * k]), lo = hex_value(p[3 + 2 * k]);
    if (hi < 0 || lo < 0) {
      if (bytes != stack) free(bytes);
      return coercion_error(o, col, s, NOT_BINARY);
    }
    bytes[k] = (char)(hi << 4 | lo);
  }
  int rc = store_bytes(o, col, bytes, nb, row);
  if (bytes != stack) free(bytes);
  return rc;
}

static int datetime(codec_out *o, int col, const codec_slot *s, int row) {
  core_vec *v = &o->b->cols[col];
  if (s->kind != SLOT_STRING) return coercion_error(o, col, s, NULL);
  const char *p;
  size_t n;
  if (slot_text(o, s, &p, &n) != SLUICE_OK) return SLUICE_NOMEM;
  trim(&p, &n);
  int64_t ts;
  int32_t x;
  switch (v->type.id) {
    case CORE_T_DATE:
      if (core_date_parse(p, n, &x) == SLUICE_OK) {
        v->u.i[row] = x;
      } else if (core_timestamp_parse(p, n, &ts) == SLUICE_OK) {
        v->u.i[row] = core_floor_div(ts, 86400000);
      } else {
        return coercion_error(o, col, s, NULL);
      }
      break;
    case CORE_T_TIME:
      if (core_time_parse(p, n, &x) == SLUICE_OK) {
        v->u.i[row] = x;
      } else if (core_timestamp_parse(p, n, &ts) == SLUICE_OK) {
        v->u.i[row] = core_floor_mod(ts, 86400000);
      } else {
        return coercion_error(o, col, s, NULL);
      }
      break;
    default:
      if (core_timestamp_parse(p, n, &ts) != SLUICE_OK) return coercion_error(o, col, s, NULL);
      v->u.i[row] = ts;
  }
  v->null[row] = 0;
  return SLUICE_OK;
}

/*
 * A JSON number the scanner has read already (slot ndig set) into an integer
 * column or a REAL/DOUBLE: the same results as exact_from_text() and
 * float_from_text() give from its text, without reading it again. False when
 * the slow path must decide (fractions into integers, long mantissas, errors).
 */
static inline bool number_fast(core_vec *v, const codec_slot *s, int row) {
  uint8_t id = v->type.id;
  if (id == CORE_T_DOUBLE || id == CORE_T_REAL) {
    bool single = id == CORE_T_REAL;
    /* Clinger's fast path, as float_from_text() takes it on a short decimal */
    if (single ? !(s->mant < (1u << 24) && s->frac <= 10)
               : !(s->mant < (1ULL << 53) && s->frac <= 22))
      return false;
    if (single) {
      float f = (float)s->mant / (float)exact_pow10[s->frac];
      v->u.d[row] = s->neg ? -f : f;
    } else {
      double d = (double)s->mant / exact_pow10[s->frac];
      v->u.d[row] = s->neg ? -d : d;
    }
    v->null[row] = 0;
    return true;
  }
  if (id < CORE_T_TINYINT || id > CORE_T_BIGINT || s->frac || s->ndig > 18) return false;
  int64_t lo, hi, x = s->neg ? -(int64_t)s->mant : (int64_t)s->mant;
  int digits;
  int_bounds(id, &lo, &hi, &digits);
  if (x < lo || x > hi) return false; /* the slow path words the error */
  v->u.i[row] = x;
  v->null[row] = 0;
  return true;
}

int codec_coerce(codec_out *o, int col, const codec_slot *s, int row) {
  if (s->kind == SLOT_NUMBER && s->ndig && number_fast(&o->b->cols[col], s, row)) return SLUICE_OK;
  if (s->kind == SLOT_MISSING || s->kind == SLOT_NULL) {
    set_null(o->b, col, row);
    return SLUICE_OK;
  }
  switch (o->b->cols[col].type.id) {
    case CORE_T_BOOLEAN:
      return boolean(o, col, s, row);
    case CORE_T_TINYINT:
    case CORE_T_SMALLINT:
    case CORE_T_INTEGER:
    case CORE_T_BIGINT:
    case CORE_T_DECIMAL:
    case CORE_T_REAL:
    case CORE_T_DOUBLE:
      return numeric(o, col, s, row);
    case CORE_T_CHAR:
    case CORE_T_VARCHAR:
      return string(o, col, s, row);
    case CORE_T_BINARY:
    case CORE_T_VARBINARY:
      return binary(o, col, s, row);
    default: /* DATE, TIME, TIMESTAMP (the mapping accepts no other type) */
      return datetime(o, col, s, row);
  }
}

void codec_copy_cell(core_batch *b, int col, int from, int to) {
  core_vec *v = &b->cols[col];
  v->null[to] = v->null[from];
  switch (core_type_repr(v->type.id)) {
    case 'x':
      v->u.dec[to] = v->u.dec[from];
      break;
    case 's':
      v->u.s[to] = v->u.s[from]; /* the same heap bytes: the batch owns them either way */
      break;
    case 'd':
      v->u.d[to] = v->u.d[from];
      break;
    default:
      v->u.i[to] = v->u.i[from];
  }
}

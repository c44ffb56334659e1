/*
 * literal.c — decoding of literal tokens into parse_literal values.
 *
 * The lexer has already checked each literal's shape (quotes closed, hex
 * digits, the words of an interval qualifier); here the text becomes a value:
 * '' and U& escapes are resolved, numbers get their SQL type, DATE/TIME/
 * TIMESTAMP strings are parsed by core, and interval strings are read under
 * their qualifier. A value that does not fit is a SLUICE_SYNTAX error at the
 * literal's location.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parser/build.h"
#include "grammar.h"

static bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_int_token(const char *s, size_t n, int64_t *out) {
  int64_t v = 0;
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(s[i])) return false;
    int d = s[i] - '0';
    if (v > (INT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

/* The end of the quoted string that starts at s[0] (a quote): the index of the
 * closing quote, skipping doubled quotes. */
static size_t quoted_end(const char *s, size_t n, char quote) {
  size_t i = 1;
  while (i < n) {
    if (s[i] == quote) {
      if (i + 1 < n && s[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  return n;
}

char *parse_decode_quoted(parse_ctx *ctx, const char *s, size_t n, char quote, uint32_t *out_len) {
  size_t end = quoted_end(s, n, quote);
  char *out = core_arena_alloc(ctx->arena, end + 1);
  if (!out) return NULL;
  size_t k = 0;
  for (size_t i = 1; i < end; i++) {
    out[k++] = s[i];
    if (s[i] == quote) i++; /* doubled */
  }
  out[k] = '\0';
  *out_len = (uint32_t)k;
  return out;
}

static size_t put_utf8(char *out, uint32_t cp) {
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

/* U&'...' [UESCAPE 'c']: t->off points at U. */
static int decode_unicode(parse_ctx *ctx, const parse_tok *t, parse_literal *lit) {
  const char *s = ctx->text + t->off;
  size_t n = (size_t)t->len;
  size_t q0 = 2, q1 = 2 + quoted_end(s + 2, n - 2, '\'');
  char esc = '\\';
  /* UESCAPE 'c' after the string */
  size_t i = q1 + 1;
  while (i < n && is_ws(s[i])) i++;
  if (i < n) {
    i += 7; /* UESCAPE */
    while (i < n && is_ws(s[i])) i++;
    esc = s[i + 1];
    if (hexval(esc) >= 0 || esc == '+' || esc == '\'' || esc == '"' || is_ws(esc)) {
      return parse_fail(ctx, SLUICE_SYNTAX, t->off + (int32_t)i + 1,
                        "invalid Unicode escape character '%c'", esc);
    }
  }
  uint32_t rawlen;
  char *raw = parse_decode_quoted(ctx, s + q0, q1 - q0 + 1, '\'', &rawlen);
  if (!raw) return SLUICE_NOMEM;
  char *out = core_arena_alloc(ctx->arena, (size_t)rawlen * 4 + 1);
  if (!out) return SLUICE_NOMEM;
  size_t k = 0;
  for (size_t j = 0; j < rawlen; j++) {
    if (raw[j] != esc) {
      out[k++] = raw[j];
      continue;
    }
    /* the location is approximate when the text had doubled quotes before it */
    int32_t at = t->off + (int32_t)(q0 + 1 + j);
    if (j + 1 < rawlen && raw[j + 1] == esc) {
      out[k++] = esc;
      j++;
      continue;
    }
    int digits = 4;
    size_t p = j + 1;
    if (p < rawlen && raw[p] == '+') {
      digits = 6;
      p++;
    }
    uint32_t cp = 0;
    for (int d = 0; d < digits; d++) {
      int h = (p + (size_t)d < rawlen) ? hexval(raw[p + (size_t)d]) : -1;
      if (h < 0)
        return parse_fail(ctx, SLUICE_SYNTAX, at,
                          "invalid Unicode escape: %c must be followed by 4 hexadecimal digits, "
                          "+ and 6 hexadecimal digits, or %c",
                          esc, esc);
      cp = cp * 16 + (uint32_t)h;
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return parse_fail(ctx, SLUICE_SYNTAX, at, "invalid Unicode code point U+%04X", cp);
    k += put_utf8(out + k, cp);
    j = p + (size_t)digits - 1;
  }
  out[k] = '\0';
  lit->kind = PARSE_L_STRING;
  lit->text = out;
  lit->text_len = (uint32_t)k;
  return SLUICE_OK;
}

static void string_value(parse_literal *lit) {
  lit->value.type.id = CORE_T_CHAR;
  lit->value.type.precision = (int32_t)core_utf8_length(lit->text, lit->text_len);
  lit->value.u.s.p = lit->text;
  lit->value.u.s.n = lit->text_len;
}

static int decode_number(parse_ctx *ctx, const parse_tok *t, parse_literal *lit) {
  const char *s = ctx->text + t->off;
  size_t n = (size_t)t->len;
  char *text = core_arena_strndup(ctx->arena, s, n);
  if (!text) return SLUICE_NOMEM;
  lit->text = text;
  lit->text_len = (uint32_t)n;
  if (t->cls == PARSE_TC_APPROX) {
    for (size_t i = 0; i < n; i++)
      if (text[i] == 'e') text[i] = 'E';
    errno = 0;
    double d = strtod(text, NULL);
    if (errno == ERANGE && isinf(d))
      return parse_fail(ctx, SLUICE_SYNTAX, t->off, "numeric literal %s is out of range", text);
    lit->kind = PARSE_L_APPROX;
    lit->value.type.id = CORE_T_DOUBLE;
    lit->value.u.d = d;
    return SLUICE_OK;
  }
  /* exact: digits with an optional point */
  core_i128 v = 0;
  int digits = 0, scale = 0;
  bool point = false, leading = true;
  for (size_t i = 0; i < n; i++) {
    if (text[i] == '.') {
      point = true;
      continue;
    }
    if (point) scale++;
    if (leading && text[i] == '0' && !point) continue;
    leading = false;
    digits++;
    if (digits > 38)
      return parse_fail(ctx, SLUICE_SYNTAX, t->off, "numeric literal %s has too many digits", text);
    v = v * 10 + (text[i] - '0');
  }
  if (t->cls == PARSE_TC_INTEGER) {
    lit->kind = PARSE_L_INTEGER;
    if (v <= INT32_MAX) {
      lit->value.type.id = CORE_T_INTEGER;
      lit->value.u.i = (int64_t)v;
    } else if (v <= INT64_MAX) {
      lit->value.type.id = CORE_T_BIGINT;
      lit->value.u.i = (int64_t)v;
    } else {
      lit->value.type.id = CORE_T_DECIMAL;
      lit->value.type.precision = digits;
      lit->value.u.dec = v;
    }
    return SLUICE_OK;
  }
  lit->kind = PARSE_L_DECIMAL;
  lit->value.type.id = CORE_T_DECIMAL;
  lit->value.type.precision = digits > scale ? digits : (scale > 0 ? scale : 1);
  lit->value.type.scale = scale;
  lit->value.u.dec = v;
  return SLUICE_OK;
}

int parse_unit_from_word(const char *s, size_t n) {
  static const char *names[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
  for (int u = 0; u < 6; u++) {
    size_t k = strlen(names[u]);
    if (k != n) continue;
    size_t i = 0;
    for (; i < n; i++) {
      char c = s[i];
      if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
      if (c != names[u][i]) break;
    }
    if (i == n) return CORE_IU_YEAR + u;
  }
  return CORE_IU_NONE;
}

core_type parse_interval_type(int start, int end, int32_t precision, int32_t scale) {
  core_type t;
  memset(&t, 0, sizeof t);
  t.id = (uint8_t)(start <= CORE_IU_MONTH ? CORE_T_INTERVAL_YM : CORE_T_INTERVAL_DT);
  t.start = (uint8_t)start;
  t.end = (uint8_t)end;
  t.precision = precision;
  t.scale = scale;
  return t;
}

/* Reads an unsigned number of at most 9 digits; returns digits read (0 on none). */
static int read_num(const char *s, size_t n, size_t *i, int64_t *v) {
  int d = 0;
  *v = 0;
  while (*i < n && is_digit(s[*i])) {
    if (d == 9) return -1;
    *v = *v * 10 + (s[*i] - '0');
    (*i)++;
    d++;
  }
  return d;
}

bool parse_interval_value(const char *s, size_t n, core_type q, int64_t *out) {
  size_t i = 0;
  while (i < n && is_ws(s[i])) i++;
  while (n > i && is_ws(s[n - 1])) n--;
  bool neg = false;
  if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  int start = q.start, end = q.end ? q.end : q.start;
  /* separators between consecutive fields */
  int64_t f[7] = {0};
  int64_t ms_frac = 0;
  for (int u = start; u <= end; u++) {
    if (u > start) {
      char sep = (u == CORE_IU_MONTH) ? '-' : (u == CORE_IU_HOUR) ? ' ' : ':';
      if (i >= n || s[i] != sep) return false;
      i++;
    }
    int d = read_num(s, n, &i, &f[u]);
    if (d <= 0) return false;
    if (u == start && q.precision > 0 && d > q.precision) return false;
    if (u > start) {
      int64_t max = u == CORE_IU_MONTH ? 11 : u == CORE_IU_HOUR ? 23 : 59;
      if (f[u] > max) return false;
    }
  }
  if (end == CORE_IU_SECOND && i < n && s[i] == '.') {
    i++;
    int d = 0;
    while (i < n && is_digit(s[i])) {
      if (d < 3) ms_frac = ms_frac * 10 + (s[i] - '0');
      d++;
      i++;
    }
    if (d == 0) return false;
    for (int k = d; k < 3; k++) ms_frac *= 10;
  }
  if (i != n) return false;
  int64_t v;
  if (q.id == CORE_T_INTERVAL_YM)
    v = f[CORE_IU_YEAR] * 12 + f[CORE_IU_MONTH];
  else
    v = f[CORE_IU_DAY] * 86400000LL + f[CORE_IU_HOUR] * 3600000LL + f[CORE_IU_MINUTE] * 60000LL +
        f[CORE_IU_SECOND] * 1000LL + ms_frac;
  *out = neg ? -v : v;
  return true;
}

/* Reads the qualifier words of an interval token after the string (the lexer
 * has checked their shape: field [(p[,s])] [TO field [(s)]]). */
static bool read_qualifier(const char *s, size_t n, core_type *out) {
  size_t i = 0;
  int units[2] = {0, 0};
  int64_t p[2][2] = {{0, 0}, {0, 0}};
  bool w[2][2] = {{false, false}, {false, false}};
  for (int part = 0; part < 2; part++) {
    while (i < n && is_ws(s[i])) i++;
    if (i >= n) break;
    if (part == 1) { /* TO */
      i += 2;
      while (i < n && is_ws(s[i])) i++;
    }
    size_t word = i;
    while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) i++;
    units[part] = parse_unit_from_word(s + word, i - word);
    while (i < n && is_ws(s[i])) i++;
    if (i < n && s[i] == '(') {
      i++;
      for (int k = 0; k < 2; k++) {
        while (i < n && is_ws(s[i])) i++;
        int64_t v = 0;
        int d = 0;
        while (i < n && is_digit(s[i])) {
          if (d++ < 3) v = v * 10 + (s[i] - '0');
          i++;
        }
        p[part][k] = v;
        w[part][k] = true;
        while (i < n && is_ws(s[i])) i++;
        if (i < n && s[i] == ',') {
          i++;
          continue;
        }
        break;
      }
      while (i < n && s[i] != ')') i++;
      if (i < n) i++;
    }
  }
  int64_t prec = w[0][0] ? p[0][0] : 0;
  int64_t scale = units[1] ? (w[1][0] ? p[1][0] : -1) : (w[0][1] ? p[0][1] : -1);
  if (w[0][0] && (prec < 1 || prec > 9)) return false;
  if (scale != -1 && scale > 9) return false;
  *out = parse_interval_type(units[0], units[1], (int32_t)prec, (int32_t)scale);
  return true;
}

static int decode_interval(parse_ctx *ctx, const parse_tok *t, parse_literal *lit) {
  const char *s = ctx->text + t->off;
  size_t n = (size_t)t->len;
  size_t i = 8; /* INTERVAL */
  while (i < n && is_ws(s[i])) i++;
  bool neg = false;
  if (s[i] == '+' || s[i] == '-') {
    neg = s[i] == '-';
    i++;
    while (i < n && is_ws(s[i])) i++;
  }
  size_t qend = i + quoted_end(s + i, n - i, '\'');
  uint32_t len;
  char *text = parse_decode_quoted(ctx, s + i, qend - i + 1, '\'', &len);
  if (!text) return SLUICE_NOMEM;
  core_type q;
  if (!read_qualifier(s + qend + 1, n - qend - 1, &q)) {
    size_t at = qend + 1;
    while (at < n && is_ws(s[at])) at++;
    return parse_fail(ctx, SLUICE_SYNTAX, t->off + (int32_t)at, "interval precision out of range");
  }
  int64_t v;
  if (!parse_interval_value(text, len, q, &v)) {
    const char *qual = parse_print_type(ctx->arena, q);
    return parse_fail(ctx, SLUICE_SYNTAX, t->off, "invalid interval literal '%s' for %s", text,
                      qual ? qual : "INTERVAL");
  }
  lit->kind = PARSE_L_INTERVAL;
  lit->text = text;
  lit->text_len = len;
  lit->negative = neg;
  lit->value.type = q;
  lit->value.u.i = neg ? -v : v;
  return SLUICE_OK;
}

static int decode_datetime(parse_ctx *ctx, const parse_tok *t, parse_literal *lit) {
  const char *s = ctx->text + t->off;
  size_t n = (size_t)t->len;
  size_t q0 = 0;
  while (q0 < n && s[q0] != '\'') q0++;
  size_t q1 = q0 + quoted_end(s + q0, n - q0, '\'');
  uint32_t len;
  char *text = parse_decode_quoted(ctx, s + q0, q1 - q0 + 1, '\'', &len);
  if (!text) return SLUICE_NOMEM;
  lit->text = text;
  lit->text_len = len;
  int rc;
  const char *what;
  if (t->cls == PARSE_TC_DATE) {
    int32_t days = 0;
    rc = core_date_parse(text, len, &days);
    lit->kind = PARSE_L_DATE;
    lit->value.type.id = CORE_T_DATE;
    lit->value.u.i = days;
    what = "DATE";
  } else if (t->cls == PARSE_TC_TIME) {
    int32_t ms = 0;
    rc = core_time_parse(text, len, &ms);
    lit->kind = PARSE_L_TIME;
    lit->value.type.id = CORE_T_TIME;
    lit->value.u.i = ms;
    what = "TIME";
  } else {
    int64_t ms = 0;
    rc = core_timestamp_parse(text, len, &ms);
    lit->kind = PARSE_L_TIMESTAMP;
    lit->value.type.id = CORE_T_TIMESTAMP;
    lit->value.u.i = ms;
    what = "TIMESTAMP";
  }
  if (rc != SLUICE_OK)
    return parse_fail(ctx, SLUICE_SYNTAX, t->off, "invalid %s literal '%s'", what, text);
  return SLUICE_OK;
}

static int decode_binary(parse_ctx *ctx, const parse_tok *t, parse_literal *lit) {
  const char *s = ctx->text + t->off + 2;
  size_t n = (size_t)t->len - 3;
  char *hex = core_arena_alloc(ctx->arena, n + 1);
  uint8_t *bytes = core_arena_alloc(ctx->arena, n / 2 + 1);
  if (!hex || !bytes) return SLUICE_NOMEM;
  for (size_t i = 0; i < n; i++) hex[i] = (s[i] >= 'a' && s[i] <= 'f') ? (char)(s[i] - 32) : s[i];
  hex[n] = '\0';
  for (size_t i = 0; i + 1 < n; i += 2)
    bytes[i / 2] = (uint8_t)(hexval(s[i]) * 16 + hexval(s[i + 1]));
  lit->kind = PARSE_L_BINARY;
  lit->text = hex;
  lit->text_len = (uint32_t)n;
  lit->value.type.id = CORE_T_BINARY;
  lit->value.type.precision = (int32_t)(n / 2);
  lit->value.u.s.p = (const char *)bytes;
  lit->value.u.s.n = (uint32_t)(n / 2);
  return SLUICE_OK;
}

int parse_decode_literal(parse_ctx *ctx, const parse_tok *t, parse_literal *lit) {
  memset(lit, 0, sizeof *lit);
  lit->text = "";
  int rc = SLUICE_OK;
  switch (t->code) {
    case TK_INTLIT:
    case TK_NUMLIT:
      rc = decode_number(ctx, t, lit);
      break;
    case TK_STRING:
      if (t->cls == PARSE_TC_UNICODE_STRING)
        rc = decode_unicode(ctx, t, lit);
      else {
        lit->kind = PARSE_L_STRING;
        lit->text =
            parse_decode_quoted(ctx, ctx->text + t->off, (size_t)t->len, '\'', &lit->text_len);
        if (!lit->text) rc = SLUICE_NOMEM;
      }
      if (rc == SLUICE_OK) string_value(lit);
      break;
    case TK_BINSTR:
      rc = decode_binary(ctx, t, lit);
      break;
    case TK_DTLIT:
      rc = decode_datetime(ctx, t, lit);
      break;
    case TK_IVLIT:
      rc = decode_interval(ctx, t, lit);
      break;
    case TK_NULL:
      lit->kind = PARSE_L_NULL;
      lit->value.is_null = true;
      break;
    case TK_TRUE:
    case TK_FALSE:
      lit->kind = PARSE_L_BOOLEAN;
      lit->value.type.id = CORE_T_BOOLEAN;
      lit->value.u.b = t->code == TK_TRUE;
      break;
    case TK_UNKNOWN:
      lit->kind = PARSE_L_UNKNOWN;
      lit->value.type.id = CORE_T_BOOLEAN;
      lit->value.is_null = true;
      break;
    default:
      rc = parse_fail(ctx, SLUICE_INTERNAL, t->off, "token is not a literal");
  }
  if (rc == SLUICE_NOMEM) return parse_fail(ctx, SLUICE_NOMEM, t->off, "out of memory");
  return rc;
}

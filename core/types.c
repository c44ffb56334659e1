/* types.c — names, spelling and classification of SQL types; value text. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static const char *const type_names[CORE_T__COUNT] = {
    [CORE_T_NULL] = "NULL",
    [CORE_T_BOOLEAN] = "BOOLEAN",
    [CORE_T_TINYINT] = "TINYINT",
    [CORE_T_SMALLINT] = "SMALLINT",
    [CORE_T_INTEGER] = "INTEGER",
    [CORE_T_BIGINT] = "BIGINT",
    [CORE_T_DECIMAL] = "DECIMAL",
    [CORE_T_REAL] = "REAL",
    [CORE_T_DOUBLE] = "DOUBLE",
    [CORE_T_CHAR] = "CHAR",
    [CORE_T_VARCHAR] = "VARCHAR",
    [CORE_T_BINARY] = "BINARY",
    [CORE_T_VARBINARY] = "VARBINARY",
    [CORE_T_DATE] = "DATE",
    [CORE_T_TIME] = "TIME",
    [CORE_T_TIMESTAMP] = "TIMESTAMP",
    [CORE_T_INTERVAL_YM] = "INTERVAL",
    [CORE_T_INTERVAL_DT] = "INTERVAL",
    [CORE_T_ANY] = "ANY",
};

static const char *const unit_names[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};

const char *core_type_name(core_type_id id) {
  return id < CORE_T__COUNT ? type_names[id] : "UNKNOWN";
}

size_t core_type_format(core_type t, char *buf, size_t size) {
  const char *name = core_type_name((core_type_id)t.id);
  int n;
  switch (t.id) {
    case CORE_T_DECIMAL:
      n = snprintf(buf, size, "DECIMAL(%d,%d)", t.precision, t.scale);
      break;
    case CORE_T_CHAR:
    case CORE_T_VARCHAR:
    case CORE_T_BINARY:
    case CORE_T_VARBINARY:
      n = t.precision > 0 ? snprintf(buf, size, "%s(%d)", name, t.precision)
                          : snprintf(buf, size, "%s", name);
      break;
    case CORE_T_INTERVAL_YM:
    case CORE_T_INTERVAL_DT:
      if (t.start > CORE_IU_SECOND || t.end > CORE_IU_SECOND || t.start == CORE_IU_NONE) {
        n = snprintf(buf, size, "INTERVAL %s", t.id == CORE_T_INTERVAL_YM ? "MONTH" : "SECOND");
      } else if (t.end != CORE_IU_NONE) {
        n = snprintf(buf, size, "INTERVAL %s TO %s", unit_names[t.start], unit_names[t.end]);
      } else {
        n = snprintf(buf, size, "INTERVAL %s", unit_names[t.start]);
      }
      break;
    default:
      n = snprintf(buf, size, "%s", name);
  }
  return n < 0 ? 0 : (size_t)n;
}

bool core_type_is_integer(core_type_id id) {
  return id >= CORE_T_TINYINT && id <= CORE_T_BIGINT;
}
bool core_type_is_numeric(core_type_id id) {
  return id >= CORE_T_TINYINT && id <= CORE_T_DOUBLE;
}
bool core_type_is_string(core_type_id id) {
  return id == CORE_T_CHAR || id == CORE_T_VARCHAR;
}
bool core_type_is_binary(core_type_id id) {
  return id == CORE_T_BINARY || id == CORE_T_VARBINARY;
}
bool core_type_is_datetime(core_type_id id) {
  return id >= CORE_T_DATE && id <= CORE_T_TIMESTAMP;
}
bool core_type_is_interval(core_type_id id) {
  return id == CORE_T_INTERVAL_YM || id == CORE_T_INTERVAL_DT;
}

/* An unscaled decimal with `scale` digits after the point. */
static size_t format_decimal(core_i128 v, int scale, char *out) {
  char digits[CORE_U128_DIGITS + 2];
  bool neg = v < 0;
  core_u128 mag = neg ? (core_u128)0 - (core_u128)v : (core_u128)v;
  size_t nd = core_u128_format(mag, digits);
  size_t o = 0;
  if (neg) out[o++] = '-';
  if (scale <= 0) {
    memcpy(out + o, digits, nd);
    o += nd;
  } else {
    size_t sc = (size_t)scale;
    size_t whole = nd > sc ? nd - sc : 0;
    if (whole == 0) {
      out[o++] = '0';
    } else {
      memcpy(out + o, digits, whole);
      o += whole;
    }
    out[o++] = '.';
    for (size_t k = nd; k < sc; k++) out[o++] = '0';
    memcpy(out + o, digits + whole, nd - whole);
    o += nd - whole;
  }
  out[o] = '\0';
  return o;
}

/* The shortest text that reads back to the same value: a float for REAL (a REAL column
 * holds a float's value), a double for DOUBLE. Plain decimal notation from 1e-5 to 1e16
 * (410, 0.25), scientific beyond (1.5e+20). */
static size_t shortest_float(double d, bool real, char *buf, size_t size) {
  if (!isfinite(d)) return (size_t)snprintf(buf, size, "%g", d);
  int digits = 17;
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, size, "%.*e", p - 1, d);
    if (real ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d) {
      digits = p;
      break;
    }
  }
  snprintf(buf, size, "%.*e", digits - 1, d);
  const char *e = strchr(buf, 'e');
  int exp = e ? atoi(e + 1) : 0;
  if (exp >= -5 && exp < 16) {
    int decimals = digits - 1 - exp;
    return (size_t)snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, d);
  }
  return strlen(buf);
}

size_t core_value_format(const core_value *v, char *buf, size_t size) {
  char tmp[96];
  const char *text = tmp;
  size_t len;
  if (v->is_null || v->type.id == CORE_T_NULL) {
    text = "NULL";
    len = 4;
  } else {
    switch (v->type.id) {
      case CORE_T_BOOLEAN:
        text = v->u.b ? "TRUE" : "FALSE";
        len = strlen(text);
        break;
      case CORE_T_TINYINT:
      case CORE_T_SMALLINT:
      case CORE_T_INTEGER:
      case CORE_T_BIGINT:
        len = (size_t)snprintf(tmp, sizeof tmp, "%" PRId64, v->u.i);
        break;
      case CORE_T_DECIMAL:
        len = format_decimal(v->u.dec, v->type.scale, tmp);
        break;
      case CORE_T_REAL:
      case CORE_T_DOUBLE:
        len = shortest_float(v->u.d, v->type.id == CORE_T_REAL, tmp, sizeof tmp);
        break;
      case CORE_T_DATE:
        len = core_date_format((int32_t)v->u.i, tmp);
        break;
      case CORE_T_TIME:
        len = core_time_format((int32_t)v->u.i, tmp);
        break;
      case CORE_T_TIMESTAMP:
        len = core_timestamp_format(v->u.i, tmp);
        break;
      case CORE_T_INTERVAL_YM:
        len = (size_t)snprintf(tmp, sizeof tmp, "%" PRId64 " months", v->u.i);
        break;
      case CORE_T_INTERVAL_DT:
        len = (size_t)snprintf(tmp, sizeof tmp, "%" PRId64 " ms", v->u.i);
        break;
      case CORE_T_BINARY:
      case CORE_T_VARBINARY: {
        static const char hex[] = "0123456789ABCDEF";
        size_t need = 2 * (size_t)v->u.s.n;
        for (size_t k = 0; k < need && k + 1 < size; k++) {
          unsigned char c = (unsigned char)v->u.s.p[k / 2];
          buf[k] = hex[k % 2 ? c & 15 : c >> 4];
        }
        if (size) buf[need < size ? need : size - 1] = '\0';
        return need;
      }
      default: /* CHAR, VARCHAR */
        text = v->u.s.p;
        len = v->u.s.n;
    }
  }
  if (size) {
    size_t c = len < size ? len : size - 1;
    memcpy(buf, text, c);
    buf[c] = '\0';
  }
  return len;
}

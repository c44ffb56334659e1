/*
 * scalar_datetime.c — CHAR_TO_TIMESTAMP / CHAR_TO_DATE / CHAR_TO_TIME and
 * TIMESTAMP_TO_CHAR / DATE_TO_CHAR / TIME_TO_CHAR with the pattern letters
 * of Java's SimpleDateFormat (spec 5.6, 5.7), in UTC and English.
 *
 * A template compiles once (when it is a constant) into a list of fields and
 * literal texts. Parsing follows the spec's vectors: numbers take as many
 * digits as there are unless the next field is also a number (then exactly
 * the letter count), leading blanks before a field are skipped, literals must
 * match exactly, text after the template is ignored, every field must be in
 * range, and an input that does not fit gives NULL (spec 5.6 [IMPL]).
 */
#include <strings.h>

#include "functions/scalar_int.h"

typedef struct tfield {
  char letter; /* 0: literal text */
  int count;
  const char *text; /* literal */
  size_t len;
} tfield;

typedef struct template_ {
  tfield *f;
  int n;
} template_;

static const char *MONTHS[12] = {"January",   "February", "March",    "April",
                                 "May",       "June",     "July",     "August",
                                 "September", "October",  "November", "December"};
static const char *DAYS[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                              "Friday", "Saturday", "Sunday"};

static bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool known_letter(char c) {
  return strchr("GyYMwWDdFEuaHkKhmsSzZX", c) != NULL;
}

/* Splits a SimpleDateFormat template into fields and literals. */
static int template_compile(core_arena *a, const char *p, size_t n, template_ *t, char *msg,
                            size_t msgsize) {
  t->f = core_arena_zalloc(a, sizeof(tfield) * (n + 1));
  char *lit = core_arena_alloc(a, n + 1);
  if (!t->f || !lit) return SLUICE_NOMEM;
  t->n = 0;
  size_t i = 0;
  while (i < n) {
    char c = p[i];
    if (is_letter(c)) {
      if (!known_letter(c)) {
        snprintf(msg, msgsize, "illegal pattern character '%c'", c);
        return SLUICE_INVALID;
      }
      size_t j = i;
      while (j < n && p[j] == c) j++;
      t->f[t->n++] = (tfield){.letter = c, .count = (int)(j - i)};
      i = j;
      continue;
    }
    /* a run of literal text, with '...' quoting and '' for a quote */
    size_t len = 0;
    while (i < n && !is_letter(p[i])) {
      if (p[i] == '\'') {
        if (i + 1 < n && p[i + 1] == '\'') {
          lit[len++] = '\'';
          i += 2;
          continue;
        }
        i++;
        while (i < n) {
          if (p[i] == '\'') {
            if (i + 1 < n && p[i + 1] == '\'') {
              lit[len++] = '\'';
              i += 2;
              continue;
            }
            break;
          }
          lit[len++] = p[i++];
        }
        if (i >= n) {
          snprintf(msg, msgsize, "unterminated quote");
          return SLUICE_INVALID;
        }
        i++;
        continue;
      }
      lit[len++] = p[i++];
    }
    if (len) {
      t->f[t->n++] = (tfield){.text = lit, .len = len};
      lit += len;
    }
  }
  return SLUICE_OK;
}

/* =========================================================== formatting == */

typedef struct out {
  char buf[512];
  size_t n;
} out;

static void put(out *o, const char *s, size_t n) {
  if (o->n + n > sizeof o->buf) n = sizeof o->buf - o->n;
  memcpy(o->buf + o->n, s, n);
  o->n += n;
}

/* v in decimal, zero-padded to width digits (no snprintf: this runs per field and row). */
static void put_num(out *o, int64_t v, int width) {
  char tmp[32];
  int n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u && n < 24);
  while (n < width && n < 24) tmp[sizeof tmp - 1 - n++] = '0';
  if (v < 0) tmp[sizeof tmp - 1 - n++] = '-';
  put(o, tmp + sizeof tmp - n, (size_t)n);
}

static void put_text(out *o, const char *name, int count) {
  put(o, name, count >= 4 ? strlen(name) : 3);
}

/* Week of year and week-year with Sunday-first weeks, week 1 containing January 1
 * (Java's US defaults). */
static void week_of(const fn_civil *c, int64_t *week, int64_t *week_year) {
  int64_t jan1 = core_days_from_civil(c->year, 1, 1);
  int jan1_dow = (int)core_floor_mod(jan1 + 4, 7); /* 1970-01-01: Thursday = 4 */
  int64_t next_jan1 = core_days_from_civil(c->year + 1, 1, 1);
  int next_dow = (int)core_floor_mod(next_jan1 + 4, 7);
  int64_t day = jan1 + c->yday - 1;
  if (day >= next_jan1 - next_dow) {
    *week = 1;
    *week_year = c->year + 1;
    return;
  }
  *week = (c->yday - 1 + jan1_dow) / 7 + 1;
  *week_year = c->year;
}

static void format_field(out *o, const tfield *f, const fn_civil *c) {
  int k = f->count;
  int64_t week, wy;
  switch (f->letter) {
    case 'G':
      put(o, c->year > 0 ? "AD" : "BC", 2);
      break;
    case 'y':
      if (k == 2)
        put_num(o, core_floor_mod(c->year, 100), 2);
      else
        put_num(o, c->year, k);
      break;
    case 'Y':
      week_of(c, &week, &wy);
      if (k == 2)
        put_num(o, core_floor_mod(wy, 100), 2);
      else
        put_num(o, wy, k);
      break;
    case 'M':
      if (k >= 3)
        put_text(o, MONTHS[c->month - 1], k);
      else
        put_num(o, c->month, k);
      break;
    case 'w':
      week_of(c, &week, &wy);
      put_num(o, week, k);
      break;
    case 'W': {
      int first_dow = (int)core_floor_mod(c->weekday % 7 - (c->day - 1), 7); /* of the 1st */
      put_num(o, (c->day - 1 + first_dow) / 7 + 1, k);
      break;
    }
    case 'D':
      put_num(o, c->yday, k);
      break;
    case 'd':
      put_num(o, c->day, k);
      break;
    case 'F':
      put_num(o, (c->day - 1) / 7 + 1, k);
      break;
    case 'E':
      put_text(o, DAYS[c->weekday - 1], k);
      break;
    case 'u':
      put_num(o, c->weekday, k);
      break;
    case 'a':
      put(o, c->hour < 12 ? "AM" : "PM", 2);
      break;
    case 'H':
      put_num(o, c->hour, k);
      break;
    case 'k':
      put_num(o, c->hour == 0 ? 24 : c->hour, k);
      break;
    case 'K':
      put_num(o, c->hour % 12, k);
      break;
    case 'h':
      put_num(o, c->hour % 12 == 0 ? 12 : c->hour % 12, k);
      break;
    case 'm':
      put_num(o, c->minute, k);
      break;
    case 's':
      put_num(o, c->second, k);
      break;
    case 'S':
      put_num(o, c->ms, k);
      break;
    case 'z':
      put(o, k >= 4 ? "Coordinated Universal Time" : "UTC", k >= 4 ? 26 : 3);
      break;
    case 'Z':
      put(o, "+0000", 5);
      break;
    case 'X':
      put(o, "Z", 1);
      break;
  }
}

static size_t format_ts(const template_ *t, int64_t ms, char *buf, size_t size) {
  fn_civil c;
  fn_civil_of(ms, &c);
  out o = {.n = 0};
  for (int k = 0; k < t->n; k++) {
    if (t->f[k].letter)
      format_field(&o, &t->f[k], &c);
    else
      put(&o, t->f[k].text, t->f[k].len);
  }
  size_t n = o.n < size ? o.n : size;
  memcpy(buf, o.buf, n);
  return n;
}

/* ============================================================== parsing == */

typedef struct fields {
  int64_t year;
  int month, day, hour, minute, second, ms;
  int yday; /* D, or 0 */
  int ampm; /* -1 none, 0 AM, 1 PM */
  bool twelve;
  int64_t offset_ms; /* zone offset read (local = UTC + offset) */
} fields;

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static bool is_numeric_field(const tfield *f) {
  return f->letter && !(f->letter == 'M' && f->count >= 3) && f->letter != 'E' &&
         f->letter != 'a' && f->letter != 'G' && f->letter != 'z' && f->letter != 'Z' &&
         f->letter != 'X';
}

/* Reads a number: exactly `width` digits when width > 0, else all digits. */
static bool read_number(const char *s, size_t n, size_t *i, int width, int64_t *v, int *digits) {
  int d = 0;
  *v = 0;
  while (*i < n && is_digit(s[*i]) && (width == 0 || d < width) && d < 18) {
    *v = *v * 10 + (s[*i] - '0');
    (*i)++;
    d++;
  }
  *digits = d;
  return d > 0 && (width == 0 || d == width);
}

/* Matches one of names (full or 3-letter form, any case); returns its index or -1. */
static int read_name(const char *s, size_t n, size_t *i, const char **names, int count) {
  for (int pass = 0; pass < 2; pass++)
    for (int k = 0; k < count; k++) {
      size_t len = pass == 0 ? strlen(names[k]) : 3;
      if (*i + len <= n && strncasecmp(s + *i, names[k], len) == 0) {
        *i += len;
        return k;
      }
    }
  return -1;
}

/* A zone: Z, +hh[[:]mm], -hh[[:]mm], GMT/UTC[+-hh:mm]. */
static bool read_zone(const char *s, size_t n, size_t *i, int64_t *offset) {
  if (*i < n && s[*i] == 'Z') {
    (*i)++;
    *offset = 0;
    return true;
  }
  if (*i + 3 <= n && (strncmp(s + *i, "GMT", 3) == 0 || strncmp(s + *i, "UTC", 3) == 0)) {
    *i += 3;
    *offset = 0;
    if (*i >= n || (s[*i] != '+' && s[*i] != '-')) return true;
  }
  if (*i >= n || (s[*i] != '+' && s[*i] != '-')) return false;
  int sign = s[(*i)++] == '-' ? -1 : 1;
  int64_t h, m = 0;
  int d;
  if (!read_number(s, n, i, 2, &h, &d)) return false;
  if (*i < n && s[*i] == ':') (*i)++;
  if (*i + 1 < n && is_digit(s[*i]) && is_digit(s[*i + 1]) && !read_number(s, n, i, 2, &m, &d))
    return false;
  if (h > 23 || m > 59) return false;
  *offset = sign * (h * 3600000 + m * 60000);
  return true;
}

/* The year of a two-digit year: within 80 years before and 20 after now. */
static int64_t pivot_year(int64_t yy, int64_t now_ms) {
  fn_civil c;
  fn_civil_of(now_ms, &c);
  int64_t base = c.year - 80;
  int64_t y = base - core_floor_mod(base, 100) + yy;
  if (y < base) y += 100;
  return y;
}

static bool parse_field(const tfield *f, const tfield *next, const char *s, size_t n, size_t *i,
                        fields *v, int64_t now_ms) {
  while (*i < n && (s[*i] == ' ' || s[*i] == '\t')) (*i)++;
  if (is_numeric_field(f)) {
    int width = next && is_numeric_field(next) ? f->count : 0;
    int64_t x;
    int digits;
    if (!read_number(s, n, i, width, &x, &digits)) return false;
    switch (f->letter) {
      case 'y':
      case 'Y':
        v->year = f->count == 2 && digits == 2 ? pivot_year(x, now_ms) : x;
        return true;
      case 'M':
        v->month = (int)x;
        return x >= 1 && x <= 12;
      case 'd':
        v->day = (int)x;
        return x >= 1 && x <= 31;
      case 'D':
        v->yday = (int)x;
        return x >= 1 && x <= 366;
      case 'H':
        v->hour = (int)x;
        return x <= 23;
      case 'k':
        v->hour = x == 24 ? 0 : (int)x;
        return x >= 1 && x <= 24;
      case 'K':
        v->hour = (int)x;
        v->twelve = true;
        return x <= 11;
      case 'h':
        v->hour = x == 12 ? 0 : (int)x;
        v->twelve = true;
        return x >= 1 && x <= 12;
      case 'm':
        v->minute = (int)x;
        return x <= 59;
      case 's':
        v->second = (int)x;
        return x <= 59;
      case 'S':
        v->ms = (int)x;
        return x <= 999;
      default: /* w W F u: read and not used */
        return true;
    }
  }
  switch (f->letter) {
    case 'M': {
      int m = read_name(s, n, i, MONTHS, 12);
      v->month = m + 1;
      return m >= 0;
    }
    case 'E':
      return read_name(s, n, i, DAYS, 7) >= 0;
    case 'a': {
      static const char *AMPM[2] = {"AM", "PM"};
      v->ampm = read_name(s, n, i, AMPM, 2);
      return v->ampm >= 0;
    }
    case 'G': {
      static const char *ERAS[2] = {"AD", "BC"};
      return read_name(s, n, i, ERAS, 2) == 0;
    }
    default: /* z Z X */
      return read_zone(s, n, i, &v->offset_ms);
  }
}

/* Parses s with t into ms since the epoch; false if it does not fit. */
static bool parse_ts(const template_ *t, const char *s, size_t n, int64_t now_ms, int64_t *ms) {
  fields v = {.year = 1970, .month = 1, .day = 1, .ampm = -1};
  size_t i = 0;
  for (int k = 0; k < t->n; k++) {
    const tfield *f = &t->f[k];
    if (!f->letter) {
      if (i + f->len > n || memcmp(s + i, f->text, f->len) != 0) return false;
      i += f->len;
      continue;
    }
    if (!parse_field(f, k + 1 < t->n ? &t->f[k + 1] : NULL, s, n, &i, &v, now_ms)) return false;
  }
  if (v.ampm == 1) v.hour += 12;
  int64_t days;
  if (v.yday) {
    days = core_days_from_civil(v.year, 1, 1) + v.yday - 1;
  } else {
    unsigned dim = 31;
    if (v.month == 4 || v.month == 6 || v.month == 9 || v.month == 11) dim = 30;
    if (v.month == 2) dim = ((v.year % 4 == 0 && v.year % 100 != 0) || v.year % 400 == 0) ? 29 : 28;
    if ((unsigned)v.day > dim) return false;
    days = core_days_from_civil(v.year, (unsigned)v.month, (unsigned)v.day);
  }
  *ms = days * 86400000 + v.hour * 3600000LL + v.minute * 60000LL + v.second * 1000LL + v.ms -
        v.offset_ms;
  return true;
}

/* ============================================================= kernels == */

typedef struct dt_state {
  template_ t; /* a constant template, or n < 0: per row */
  bool constant;
} dt_state;

/* The template of row i (the constant one, or compiled into the heap). */
static bool row_template(const dt_state *st, const fn_rows *r, int i, template_ *t) {
  if (st->constant) {
    *t = st->t;
    return true;
  }
  core_str p = r->args[0].u.s[i];
  char msg[128];
  int rc = template_compile(r->heap, p.p, p.n, t, msg, sizeof msg);
  if (rc) {
    fn_fail(r, i, "FunctionError", "%s", rc == SLUICE_NOMEM ? "out of memory" : msg);
    return false;
  }
  return true;
}

static void run_char_to(const fn_call *c, const fn_rows *r) {
  const dt_state *st = c->state;
  core_type_id to = (core_type_id)c->result.id;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    template_ t;
    if (!row_template(st, r, i, &t)) continue;
    core_str s = r->args[1].u.s[i];
    int64_t ms;
    if (!parse_ts(&t, s.p, s.n, r->statement_ms, &ms)) {
      r->out->null[i] = 1; /* spec 5.6: no result [IMPL: NULL] */
      continue;
    }
    r->out->u.i[i] = to == CORE_T_DATE   ? core_floor_div(ms, 86400000)
                     : to == CORE_T_TIME ? core_floor_mod(ms, 86400000)
                                         : ms;
  }
}

static void run_to_char(const fn_call *c, const fn_rows *r) {
  const dt_state *st = c->state;
  core_type_id from = (core_type_id)c->args[1].id;
  FN_EACH(r, i) {
    if (r->args[0].null[i]) { /* no template: NULL */
      r->out->null[i] = 1;
      continue;
    }
    if (r->args[1].null[i]) { /* spec 5.6: a NULL value prints as 'null' */
      r->out->null[i] = 0;
      r->out->u.s[i] = (core_str){"null", 4};
      continue;
    }
    template_ t;
    if (!row_template(st, r, i, &t)) continue;
    int64_t v = r->args[1].u.i[i];
    int64_t ms = from == CORE_T_DATE ? v * 86400000 : v;
    char buf[512];
    size_t n = format_ts(&t, ms, buf, sizeof buf);
    fn_set_str(r, i, buf, n);
  }
}

static int prepare_template(fn_call *c, core_arena *a, core_error *err) {
  dt_state *st = core_arena_zalloc(a, sizeof *st);
  if (!st) return SLUICE_NOMEM;
  c->state = st;
  const core_value *v = c->consts[0];
  if (v && !v->is_null) {
    char msg[128];
    int rc = template_compile(a, v->u.s.p, v->u.s.n, &st->t, msg, sizeof msg);
    if (rc == SLUICE_INVALID)
      return core_error_set(err, SLUICE_SEMANTIC, "invalid %s template '%.*s': %s", c->fn->name,
                            (int)(v->u.s.n > 64 ? 64 : v->u.s.n), v->u.s.p, msg);
    if (rc) return rc;
    st->constant = true;
  }
  return SLUICE_OK;
}

FN_PREPARE(fn_prepare_char_to) {
  c->run = run_char_to;
  return prepare_template(c, a, err);
}

FN_PREPARE(fn_prepare_to_char) {
  if (!core_type_is_datetime(c->args[1].id) && c->args[1].id != CORE_T_NULL)
    return core_error_set(err, SLUICE_UNSUPPORTED, "function %s is not available yet for %s",
                          c->fn->name, core_type_name((core_type_id)c->args[1].id));
  c->run = run_to_char;
  return prepare_template(c, a, err);
}

/*
 * scalar_string.c — string kernels (spec 5.5): CHAR_LENGTH, UPPER, LOWER,
 * INITCAP, SUBSTRING (FROM/FOR, comma and regex forms), POSITION, TRIM,
 * OVERLAY, REGEX_REPLACE. Positions and lengths count characters (code
 * points of UTF-8), never bytes.
 */
#include "functions/scalar_int.h"

static core_type mk(core_type_id id) {
  core_type t;
  memset(&t, 0, sizeof t);
  t.id = (uint8_t)id;
  return t;
}

/* Integer arguments (start, length, occurrence) are read as BIGINT. */
static void want_bigint(fn_call *c, int from) {
  for (int k = from; k < c->nargs; k++) c->args[k] = mk(CORE_T_BIGINT);
}

/* Characters in s[0..n): every byte that does not continue a sequence. */
static int64_t char_count(const char *s, size_t n) {
  int64_t count = 0;
  for (size_t k = 0; k < n; k++) count += ((unsigned char)s[k] & 0xC0) != 0x80;
  return count;
}

/* ========================================================= CHAR_LENGTH == */

static void run_char_length(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    r->out->null[i] = r->args[0].null[i];
    core_str s = r->args[0].u.s[i];
    r->out->u.i[i] = r->out->null[i] ? 0 : char_count(s.p, s.n);
  }
}

FN_PREPARE(fn_prepare_char_length) {
  (void)a, (void)err;
  c->run = run_char_length;
  return SLUICE_OK;
}

/* ================================================= UPPER, LOWER, INITCAP == */

typedef enum case_kind { CASE_UPPER, CASE_LOWER, CASE_INITCAP } case_kind;

static bool is_space(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v';
}

/* Maps the case of s into out (no longer than s: every mapping here keeps or shortens
 * the UTF-8 length); returns the length written. */
static size_t map_case(const char *s, size_t n, char *out, case_kind kind) {
  size_t o = 0, i = 0;
  bool word_start = true;
  while (i < n) {
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) { /* ASCII fast path */
      char ch = (char)b;
      bool up = kind == CASE_UPPER || (kind == CASE_INITCAP && word_start);
      if (up && ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
      if (!up && ch >= 'A' && ch <= 'Z') ch = (char)(ch + 32);
      out[o++] = ch;
      word_start = is_space(b);
      i++;
      continue;
    }
    size_t start = i;
    uint32_t cp = fn_utf8_decode(s, n, &i);
    bool up = kind == CASE_UPPER || (kind == CASE_INITCAP && word_start);
    uint32_t m = up ? fn_upper(cp) : fn_lower(cp);
    char enc[4];
    int len = fn_utf8_encode(m, enc);
    if ((size_t)len <= i - start) {
      memcpy(out + o, enc, (size_t)len);
      o += (size_t)len;
    } else { /* cannot happen with the tables of scalar.c; keep the original */
      memcpy(out + o, s + start, i - start);
      o += i - start;
    }
    word_start = false;
  }
  return o;
}

static void run_case(const fn_call *c, const fn_rows *r) {
  case_kind kind = (case_kind)(intptr_t)c->state;
  FN_EACH(r, i) {
    if (fn_any_null(r, 1, i)) continue;
    core_str s = r->args[0].u.s[i];
    char *out = s.n ? core_arena_alloc(r->heap, s.n) : (char *)"";
    if (!out) {
      r->out->null[i] = 1;
      continue;
    }
    size_t n = s.n ? map_case(s.p, s.n, out, kind) : 0;
    r->out->u.s[i] = (core_str){out, (uint32_t)n};
  }
}

static int prepare_case(fn_call *c, case_kind kind) {
  c->state = (void *)(intptr_t)kind;
  c->run = run_case;
  return SLUICE_OK;
}

FN_PREPARE(fn_prepare_upper) {
  (void)a, (void)err;
  return prepare_case(c, CASE_UPPER);
}
FN_PREPARE(fn_prepare_lower) {
  (void)a, (void)err;
  return prepare_case(c, CASE_LOWER);
}
FN_PREPARE(fn_prepare_initcap) {
  (void)a, (void)err;
  return prepare_case(c, CASE_INITCAP);
}

/* =========================================================== SUBSTRING == */

/* The characters [from, to) (1-based, clamped to the string) of s. */
static core_str char_range(core_str s, int64_t from, int64_t to) {
  if (from < 1) from = 1;
  if (to <= from) return (core_str){s.p, 0};
  size_t b = fn_utf8_skip(s.p, s.n, from - 1);
  size_t e = b + fn_utf8_skip(s.p + b, s.n - b, to - from);
  return (core_str){s.p + b, (uint32_t)(e - b)};
}

static void run_substring(const fn_call *c, const fn_rows *r) {
  bool has_len = c->nargs == 3;
  FN_EACH(r, i) {
    if (fn_any_null(r, c->nargs, i)) continue;
    core_str s = r->args[0].u.s[i];
    int64_t start = r->args[1].u.i[i];
    int64_t len = has_len ? r->args[2].u.i[i] : INT64_MAX;
    if (len < 0) {
      fn_fail(r, i, "FunctionError", "negative substring length not allowed");
      continue;
    }
    if (c->comma_form && start > char_count(s.p, s.n)) {
      r->out->null[i] = 1; /* spec 7.4 #4: the comma form gives NULL past the end */
      continue;
    }
    int64_t end;
    if (__builtin_add_overflow(start, len, &end)) end = INT64_MAX;
    r->out->u.s[i] = char_range(s, start, end); /* a slice of the argument */
  }
}

/* SUBSTRING(s FROM regex): the first match, NULL if none. */
typedef struct regex_arg {
  fn_regex *re; /* a constant pattern, compiled once; NULL: per row */
} regex_arg;

/* The compiled pattern of row i: the constant one, or compiled into the batch's heap. */
static fn_regex *row_regex(const regex_arg *ra, const fn_rows *r, int arg, int i) {
  if (ra->re) return ra->re;
  core_str p = r->args[arg].u.s[i];
  fn_regex *re;
  core_error err;
  if (fn_regex_compile(r->heap, p.p, p.n, &re, &err) != SLUICE_OK) {
    fn_fail(r, i, "FunctionError", "%s", err.message);
    return NULL;
  }
  return re;
}

static void run_substring_regex(const fn_call *c, const fn_rows *r) {
  const regex_arg *ra = c->state;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    fn_regex *re = row_regex(ra, r, 1, i);
    if (!re) continue;
    core_str s = r->args[0].u.s[i];
    size_t ov[2 * 64];
    if (fn_regex_groups(re) >= 63 || !fn_regex_find(re, s.p, s.n, 0, ov)) {
      r->out->null[i] = 1;
      continue;
    }
    r->out->u.s[i] = (core_str){s.p + ov[0], (uint32_t)(ov[1] - ov[0])};
  }
}

static int prepare_regex_arg(fn_call *c, int arg, core_arena *a, core_error *err) {
  regex_arg *ra = core_arena_zalloc(a, sizeof *ra);
  if (!ra) return SLUICE_NOMEM;
  c->state = ra;
  const core_value *v = c->consts[arg];
  if (v && !v->is_null) {
    int rc = fn_regex_compile(a, v->u.s.p, v->u.s.n, &ra->re, err);
    if (rc) return rc == SLUICE_NOMEM ? rc : SLUICE_SEMANTIC;
  }
  return SLUICE_OK;
}

FN_PREPARE(fn_prepare_substring) {
  if (core_type_is_string(c->args[1].id)) {
    if (c->nargs != 2)
      return core_error_set(err, SLUICE_UNSUPPORTED,
                            "function SUBSTRING is not available yet with a pattern and FOR");
    c->run = run_substring_regex;
    return prepare_regex_arg(c, 1, a, err);
  }
  if (!core_type_is_numeric(c->args[1].id) && c->args[1].id != CORE_T_NULL)
    return core_error_set(err, SLUICE_UNSUPPORTED,
                          "function SUBSTRING is not available yet with a %s start",
                          core_type_name((core_type_id)c->args[1].id));
  want_bigint(c, 1);
  c->run = run_substring;
  return SLUICE_OK;
}

/* ============================================================ POSITION == */

static void run_position(const fn_call *c, const fn_rows *r) {
  (void)c;
  FN_EACH(r, i) {
    if (fn_any_null(r, 2, i)) continue;
    core_str needle = r->args[0].u.s[i], hay = r->args[1].u.s[i];
    if (needle.n == 0) {
      r->out->u.i[i] = 1;
      continue;
    }
    const char *at = needle.n <= hay.n ? memmem(hay.p, hay.n, needle.p, needle.n) : NULL;
    r->out->u.i[i] = at ? char_count(hay.p, (size_t)(at - hay.p)) + 1 : 0;
  }
}

FN_PREPARE(fn_prepare_position) {
  (void)a, (void)err;
  c->run = run_position;
  return SLUICE_OK;
}

/* ================================================================ TRIM == */

static void run_trim(const fn_call *c, const fn_rows *r) {
  fn_trim how = (fn_trim)c->trim;
  FN_EACH(r, i) {
    if (fn_any_null(r, c->nargs, i)) continue;
    core_str s = r->args[0].u.s[i];
    core_str ch = c->nargs > 1 ? r->args[1].u.s[i] : (core_str){" ", 1};
    if (ch.n == 0 || (size_t)fn_utf8_len((unsigned char)ch.p[0]) != ch.n) {
      fn_fail(r, i, "FunctionError", "trim character must be exactly one character, not '%.*s'",
              (int)(ch.n > 32 ? 32 : ch.n), ch.p);
      continue;
    }
    size_t b = 0, e = s.n;
    if (how != FN_TRIM_TRAILING)
      while (e - b >= ch.n && memcmp(s.p + b, ch.p, ch.n) == 0) b += ch.n;
    if (how != FN_TRIM_LEADING)
      while (e - b >= ch.n && memcmp(s.p + e - ch.n, ch.p, ch.n) == 0) e -= ch.n;
    r->out->u.s[i] = (core_str){s.p + b, (uint32_t)(e - b)};
  }
}

FN_PREPARE(fn_prepare_trim) {
  (void)a, (void)err;
  c->run = run_trim;
  return SLUICE_OK;
}

/* ============================================================= OVERLAY == */

/* OVERLAY(s PLACING r FROM start [FOR len]) = s[1, start) || r || s[start + len, end]
 * (clamped to s; len defaults to the length of r; len < 0 is an error). */
static void run_overlay(const fn_call *c, const fn_rows *r) {
  FN_EACH(r, i) {
    if (fn_any_null(r, c->nargs, i)) continue;
    core_str s = r->args[0].u.s[i], p = r->args[1].u.s[i];
    int64_t start = r->args[2].u.i[i];
    int64_t len = c->nargs > 3 ? r->args[3].u.i[i] : char_count(p.p, p.n);
    if (len < 0) {
      fn_fail(r, i, "FunctionError", "negative OVERLAY length not allowed");
      continue;
    }
    int64_t tail;
    if (__builtin_add_overflow(start, len, &tail)) tail = INT64_MAX;
    core_str head = char_range(s, 1, start);
    core_str rest = char_range(s, tail, INT64_MAX);
    size_t n = (size_t)head.n + p.n + rest.n;
    char *out = n ? core_arena_alloc(r->heap, n) : (char *)"";
    if (!out) {
      r->out->null[i] = 1;
      continue;
    }
    memcpy(out, head.p, head.n);
    memcpy(out + head.n, p.p, p.n);
    memcpy(out + head.n + p.n, rest.p, rest.n);
    r->out->u.s[i] = (core_str){out, (uint32_t)n};
  }
}

FN_PREPARE(fn_prepare_overlay) {
  (void)a, (void)err;
  want_bigint(c, 2);
  c->run = run_overlay;
  return SLUICE_OK;
}

/* ======================================================= REGEX_REPLACE == */

/* A growing output buffer in the batch heap. */
typedef struct sbuf {
  char *p;
  size_t n, cap;
  core_arena *heap;
  bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->oom || n == 0) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    while (cap < b->n + n) cap *= 2;
    char *p = core_arena_alloc(b->heap, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    if (b->n) memcpy(p, b->p, b->n);
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}

/*
 * Appends the replacement text with Java's Matcher syntax: `$n` is capture group n
 * (as many digits as still name a group), `\c` is the character c. Returns false
 * with a message for a bad reference.
 */
static bool expand(sbuf *b, core_str rep, const char *subject, const size_t *ov, int groups,
                   char *msg, size_t msgsize) {
  for (size_t k = 0; k < rep.n; k++) {
    char ch = rep.p[k];
    if (ch == '\\') {
      if (++k >= rep.n) {
        snprintf(msg, msgsize, "character to be escaped is missing");
        return false;
      }
      sb_put(b, rep.p + k, 1);
    } else if (ch == '$') {
      if (k + 1 >= rep.n || rep.p[k + 1] < '0' || rep.p[k + 1] > '9') {
        snprintf(msg, msgsize, "illegal group reference in replacement");
        return false;
      }
      int g = rep.p[++k] - '0';
      while (k + 1 < rep.n && rep.p[k + 1] >= '0' && rep.p[k + 1] <= '9' &&
             g * 10 + (rep.p[k + 1] - '0') <= groups)
        g = g * 10 + (rep.p[++k] - '0');
      if (g > groups) {
        snprintf(msg, msgsize, "no group %d", g);
        return false;
      }
      size_t s = ov[2 * g], e = ov[2 * g + 1];
      if (s != (size_t)-1) sb_put(b, subject + s, e - s);
    } else {
      sb_put(b, rep.p + k, 1);
    }
  }
  return true;
}

static void run_regex_replace(const fn_call *c, const fn_rows *r) {
  const regex_arg *ra = c->state;
  FN_EACH(r, i) {
    if (fn_any_null(r, 5, i)) continue;
    core_str s = r->args[0].u.s[i], rep = r->args[2].u.s[i];
    int64_t start = r->args[3].u.i[i], occurrence = r->args[4].u.i[i];
    if (start < 1) {
      fn_fail(r, i, "FunctionError", "REGEX_REPLACE start position must be at least 1");
      continue;
    }
    if (occurrence < 0) {
      fn_fail(r, i, "FunctionError", "REGEX_REPLACE occurrence must not be negative");
      continue;
    }
    fn_regex *re = row_regex(ra, r, 1, i);
    if (!re) continue;
    int groups = fn_regex_groups(re);
    if (groups >= 63) {
      fn_fail(r, i, "FunctionError", "too many capture groups");
      continue;
    }
    size_t pos = fn_utf8_skip(s.p, s.n, start - 1);
    if (start - 1 > char_count(s.p, s.n)) {
      r->out->u.s[i] = s; /* past the end: the original */
      continue;
    }
    sbuf b = {.heap = r->heap};
    size_t last = 0, ov[2 * 64];
    int64_t count = 0;
    char msg[128] = "";
    bool ok = true;
    while (pos <= s.n && fn_regex_find(re, s.p, s.n, pos, ov)) {
      count++;
      if (occurrence == 0 || count == occurrence) {
        sb_put(&b, s.p + last, ov[0] - last);
        if (!(ok = expand(&b, rep, s.p, ov, groups, msg, sizeof msg))) break;
        last = ov[1];
        if (occurrence) break;
      }
      /* an empty match moves on by one character */
      pos = ov[1] > ov[0]
                ? ov[1]
                : ov[1] + (ov[1] < s.n ? (size_t)fn_utf8_len((unsigned char)s.p[ov[1]]) : 1);
    }
    if (!ok) {
      fn_fail(r, i, "FunctionError", "REGEX_REPLACE: %s", msg);
      continue;
    }
    sb_put(&b, s.p + last, s.n - last);
    if (b.oom) {
      r->out->null[i] = 1;
      continue;
    }
    r->out->u.s[i] = (core_str){b.n ? b.p : "", (uint32_t)b.n};
  }
}

FN_PREPARE(fn_prepare_regex_replace) {
  want_bigint(c, 3);
  c->run = run_regex_replace;
  return prepare_regex_arg(c, 1, a, err);
}

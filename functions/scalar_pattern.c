/*
 * scalar_pattern.c — string patterns (spec 2.5): LIKE with its own matcher,
 * SIMILAR TO translated to a PCRE2 regular expression, and the Java-style
 * regular expressions of SUBSTRING(s FROM regex) and REGEX_REPLACE.
 *
 * PCRE2 allocates through a general context whose allocator is the arena the
 * pattern is compiled into (a program's arena, or a batch heap for patterns
 * that change per row), so nothing here needs freeing; PCRE2's "free" is a
 * no-op and its match frames are reused across matches.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "functions/scalar_int.h"

static void *arena_malloc(PCRE2_SIZE n, void *a) {
  return core_arena_alloc(a, n ? n : 1);
}
static void arena_free(void *p, void *a) {
  (void)p, (void)a; /* the arena owns it */
}

typedef struct pcre {
  pcre2_code *code;
  pcre2_match_data *md;
} pcre;

static int pcre_compile(core_arena *a, const char *re, size_t n, uint32_t opts, pcre *out,
                        char *msg, size_t msgsize) {
  pcre2_general_context *g = pcre2_general_context_create(arena_malloc, arena_free, a);
  pcre2_compile_context *cc = g ? pcre2_compile_context_create(g) : NULL;
  if (!cc) return SLUICE_NOMEM;
  int code;
  PCRE2_SIZE at;
  out->code = pcre2_compile((PCRE2_SPTR)re, n, opts | PCRE2_UTF, &code, &at, cc);
  if (!out->code) {
    PCRE2_UCHAR buf[160];
    pcre2_get_error_message(code, buf, sizeof buf);
    snprintf(msg, msgsize, "%s at offset %zu", (const char *)buf, (size_t)at);
    return SLUICE_INVALID;
  }
  out->md = pcre2_match_data_create_from_pattern(out->code, g);
  return out->md ? SLUICE_OK : SLUICE_NOMEM;
}

/* ========================================================== LIKE items == */

typedef enum item_kind { IT_CHAR, IT_ONE, IT_ANY } item_kind;

typedef struct item {
  uint8_t kind; /* item_kind */
  uint8_t len;  /* IT_CHAR: bytes of the character */
  char ch[4];
} item;

typedef enum like_fast {
  LF_GENERAL,
  LF_EQUAL,    /* 'abc' */
  LF_PREFIX,   /* 'abc%' */
  LF_SUFFIX,   /* '%abc' */
  LF_CONTAINS, /* '%abc%' */
} like_fast;

struct fn_pattern {
  bool similar;
  item *items;
  int nitems;
  like_fast fast;
  char *lit; /* the literal of a fast form */
  size_t nlit;
  pcre re; /* SIMILAR TO */
};

/* The single character of an ESCAPE clause (esc, nesc), or an error. */
static int escape_char(const char *esc, size_t nesc, const char *what, core_error *err) {
  if (!esc) return SLUICE_OK;
  if (nesc == 0 || (size_t)fn_utf8_len((unsigned char)esc[0]) != nesc)
    return core_error_set(err, SLUICE_INVALID, "the ESCAPE of %s must be one character, not '%.*s'",
                          what, (int)(nesc > 32 ? 32 : nesc), esc);
  return SLUICE_OK;
}

static bool is_escape(const char *p, size_t n, size_t i, const char *esc, size_t nesc) {
  return esc && i + nesc <= n && memcmp(p + i, esc, nesc) == 0;
}

static int like_items(core_arena *a, fn_pattern *pt, const char *p, size_t n, const char *esc,
                      size_t nesc, core_error *err) {
  pt->items = core_arena_alloc(a, sizeof(item) * (n ? n : 1));
  if (!pt->items) return SLUICE_NOMEM;
  size_t i = 0;
  while (i < n) {
    item it = {.kind = IT_CHAR};
    if (is_escape(p, n, i, esc, nesc)) {
      i += nesc;
      if (i >= n) return core_error_set(err, SLUICE_INVALID, "LIKE pattern ends with the escape");
      bool ok = p[i] == '_' || p[i] == '%' || is_escape(p, n, i, esc, nesc);
      if (!ok)
        return core_error_set(err, SLUICE_INVALID, "invalid escape sequence in LIKE pattern '%.*s'",
                              (int)(n > 64 ? 64 : n), p);
    } else if (p[i] == '_') {
      it.kind = IT_ONE;
    } else if (p[i] == '%') {
      it.kind = IT_ANY;
    }
    if (it.kind == IT_CHAR) {
      int len = fn_utf8_len((unsigned char)p[i]);
      if (i + (size_t)len > n) len = (int)(n - i);
      it.len = (uint8_t)len;
      memcpy(it.ch, p + i, (size_t)len);
      i += (size_t)len;
    } else {
      i++;
    }
    if (it.kind == IT_ANY && pt->nitems && pt->items[pt->nitems - 1].kind == IT_ANY) continue;
    pt->items[pt->nitems++] = it;
  }
  return SLUICE_OK;
}

/* Recognises 'lit', 'lit%', '%lit', '%lit%' (no `_`, no inner `%`). */
static int like_fast_form(core_arena *a, fn_pattern *pt) {
  int b = 0, e = pt->nitems;
  bool lead = e > 0 && pt->items[0].kind == IT_ANY;
  bool trail = e > (lead ? 1 : 0) && pt->items[e - 1].kind == IT_ANY;
  if (lead) b++;
  if (trail) e--;
  size_t len = 0;
  for (int k = b; k < e; k++) {
    if (pt->items[k].kind != IT_CHAR) return SLUICE_OK;
    len += pt->items[k].len;
  }
  pt->lit = core_arena_alloc(a, len ? len : 1);
  if (!pt->lit) return SLUICE_NOMEM;
  for (int k = b; k < e; k++) {
    memcpy(pt->lit + pt->nlit, pt->items[k].ch, pt->items[k].len);
    pt->nlit += pt->items[k].len;
  }
  pt->fast = lead && trail ? LF_CONTAINS : lead ? LF_SUFFIX : trail ? LF_PREFIX : LF_EQUAL;
  return SLUICE_OK;
}

/* Glob matching with backtracking to the last `%` (linear in practice). */
static bool like_general(const fn_pattern *pt, const char *s, size_t n) {
  int pi = 0, star = -1;
  size_t si = 0, star_si = 0;
  const item *it = pt->items;
  while (si < n) {
    if (pi < pt->nitems) {
      const item *x = &it[pi];
      if (x->kind == IT_ANY) {
        star = pi++;
        star_si = si;
        continue;
      }
      if (x->kind == IT_ONE) {
        si += (size_t)fn_utf8_len((unsigned char)s[si]);
        pi++;
        continue;
      }
      if (si + x->len <= n && memcmp(s + si, x->ch, x->len) == 0) {
        si += x->len;
        pi++;
        continue;
      }
    }
    if (star < 0) return false;
    pi = star + 1;
    star_si += (size_t)fn_utf8_len((unsigned char)s[star_si]);
    si = star_si;
  }
  while (pi < pt->nitems && it[pi].kind == IT_ANY) pi++;
  return pi == pt->nitems && si == n;
}

/* ========================================================== SIMILAR TO == */

typedef struct rbuf {
  char *p;
  size_t n, cap;
  core_arena *a;
  bool oom;
} rbuf;

static void rb_put(rbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 128;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = core_arena_alloc(b->a, cap);
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
  b->p[b->n] = '\0';
}
static void rb_str(rbuf *b, const char *s) {
  rb_put(b, s, strlen(s));
}

/* One literal character for the regex: metacharacters escaped, others as they are. */
static void rb_literal(rbuf *b, const char *ch, size_t len) {
  if (len == 1 && strchr("\\^$.|?*+()[]{}-/&#~", ch[0])) {
    char e[2] = {'\\', ch[0]};
    rb_put(b, e, 2);
    return;
  }
  rb_put(b, ch, len);
}

static int similar_error(core_error *err, const char *p, size_t n, const char *why) {
  return core_error_set(err, SLUICE_INVALID, "invalid SIMILAR TO pattern '%.*s': %s",
                        (int)(n > 64 ? 64 : n), p, why);
}

/* A bracket expression starting after `[` at p[*i]: `[abc]`, `[a-e]`, `[^ab]`, and the
 * dialect's exclusion `[a-e^c]` (a to e except c). */
static int similar_bracket(rbuf *b, const char *p, size_t n, size_t *i, const char *esc,
                           size_t nesc, core_error *err) {
  rbuf incl = {.a = b->a}, excl = {.a = b->a};
  rbuf *cur = &incl;
  bool negate = false;
  if (*i < n && p[*i] == '^') {
    negate = true;
    (*i)++;
  }
  bool any = false;
  while (*i < n && p[*i] != ']') {
    if (p[*i] == '^' && any && cur == &incl) {
      cur = &excl;
      (*i)++;
      continue;
    }
    if (p[*i] == '(' || p[*i] == ')' || p[*i] == '[')
      return similar_error(err, p, n,
                           "parentheses and '[' are not allowed in a bracket expression");
    if (is_escape(p, n, *i, esc, nesc)) *i += nesc;
    if (*i >= n) break;
    if (p[*i] == '-' && any && *i + 1 < n && p[*i + 1] != ']') {
      rb_put(cur, "-", 1);
      (*i)++;
      continue;
    }
    int len = fn_utf8_len((unsigned char)p[*i]);
    if (*i + (size_t)len > n) len = (int)(n - *i);
    if (len == 1 && strchr("\\^]-[", p[*i])) rb_put(cur, "\\", 1);
    rb_put(cur, p + *i, (size_t)len);
    *i += (size_t)len;
    any = true;
  }
  if (*i >= n) return similar_error(err, p, n, "missing ']'");
  (*i)++; /* ']' */
  if (!incl.n) return similar_error(err, p, n, "empty bracket expression");
  if (excl.n) {
    rb_str(b, "(?:(?![");
    rb_put(b, excl.p, excl.n);
    rb_str(b, "])");
  }
  rb_str(b, negate ? "[^" : "[");
  rb_put(b, incl.p, incl.n);
  rb_str(b, "]");
  if (excl.n) rb_str(b, ")");
  return incl.oom || excl.oom ? SLUICE_NOMEM : SLUICE_OK;
}

static int similar_to_regex(core_arena *a, const char *p, size_t n, const char *esc, size_t nesc,
                            rbuf *b, core_error *err) {
  b->a = a;
  rb_str(b, "(?:");
  size_t i = 0;
  while (i < n) {
    if (is_escape(p, n, i, esc, nesc)) {
      i += nesc;
      if (i >= n) return similar_error(err, p, n, "the pattern ends with the escape");
      int len = fn_utf8_len((unsigned char)p[i]);
      rb_literal(b, p + i, (size_t)len);
      i += (size_t)len;
      continue;
    }
    char ch = p[i];
    switch (ch) {
      case '%':
        rb_str(b, ".*");
        i++;
        break;
      case '_':
        rb_str(b, ".");
        i++;
        break;
      case '|':
      case '*':
      case '+':
      case '?':
      case '(':
      case ')':
        rb_put(b, &ch, 1);
        i++;
        break;
      case '{': {
        size_t e = i + 1;
        while (e < n && ((p[e] >= '0' && p[e] <= '9') || p[e] == ',')) e++;
        if (e >= n || p[e] != '}' || e == i + 1)
          return similar_error(err, p, n, "bad repetition {...}");
        rb_put(b, p + i, e - i + 1);
        i = e + 1;
        break;
      }
      case '[': {
        i++;
        int rc = similar_bracket(b, p, n, &i, esc, nesc, err);
        if (rc) return rc;
        break;
      }
      default: {
        int len = fn_utf8_len((unsigned char)ch);
        if (i + (size_t)len > n) len = (int)(n - i);
        rb_literal(b, p + i, (size_t)len);
        i += (size_t)len;
      }
    }
  }
  rb_str(b, ")");
  return b->oom ? SLUICE_NOMEM : SLUICE_OK;
}

/* ============================================================= API == */

/* True if a SIMILAR TO pattern means the same as a LIKE pattern: no escape and no
 * regular-expression operators. */
static bool similar_is_like(const char *p, size_t n, const char *esc) {
  if (esc) return false;
  for (size_t i = 0; i < n; i++)
    if (strchr("|*+?(){}[]", p[i]) && p[i] != '\0') return false;
  return true;
}

int fn_pattern_compile(core_arena *a, bool similar, const char *p, size_t n, const char *esc,
                       size_t nesc, fn_pattern **out, core_error *err) {
  fn_pattern *pt = core_arena_zalloc(a, sizeof *pt);
  if (!pt) return SLUICE_NOMEM;
  pt->similar = similar;
  int rc = escape_char(esc, nesc, similar ? "SIMILAR TO" : "LIKE", err);
  if (rc) return rc;
  if (!similar || similar_is_like(p, n, esc)) {
    /* LIKE, or a SIMILAR TO pattern that uses only `%`, `_` and plain characters (such as
     * '%TECH%'): the LIKE matcher, without a regex engine */
    pt->similar = false;
    if ((rc = like_items(a, pt, p, n, esc, nesc, err))) return rc;
    if ((rc = like_fast_form(a, pt))) return rc;
  } else {
    rbuf b = {0};
    if ((rc = similar_to_regex(a, p, n, esc, nesc, &b, err))) return rc;
    char msg[200];
    rc = pcre_compile(a, b.p, b.n, PCRE2_DOTALL | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &pt->re, msg,
                      sizeof msg);
    if (rc == SLUICE_INVALID) return similar_error(err, p, n, msg);
    if (rc) return rc;
  }
  *out = pt;
  return SLUICE_OK;
}

bool fn_pattern_match(fn_pattern *pt, const char *s, size_t n) {
  if (pt->similar)
    return pcre2_match(pt->re.code, (PCRE2_SPTR)(n ? s : ""), n, 0, 0, pt->re.md, NULL) >= 0;
  switch (pt->fast) {
    case LF_EQUAL:
      return n == pt->nlit && memcmp(s, pt->lit, n) == 0;
    case LF_PREFIX:
      return n >= pt->nlit && memcmp(s, pt->lit, pt->nlit) == 0;
    case LF_SUFFIX:
      return n >= pt->nlit && memcmp(s + n - pt->nlit, pt->lit, pt->nlit) == 0;
    case LF_CONTAINS:
      return pt->nlit == 0 || (n >= pt->nlit && memmem(s, n, pt->lit, pt->nlit) != NULL);
    default:
      return like_general(pt, s, n);
  }
}

/* ============================================= Java-style regexes == */

struct fn_regex {
  pcre re;
  int groups;
};

int fn_regex_compile(core_arena *a, const char *p, size_t n, fn_regex **out, core_error *err) {
  fn_regex *re = core_arena_zalloc(a, sizeof *re);
  if (!re) return SLUICE_NOMEM;
  char msg[200];
  int rc = pcre_compile(a, p, n, 0, &re->re, msg, sizeof msg);
  if (rc == SLUICE_INVALID)
    return core_error_set(err, SLUICE_INVALID, "invalid regular expression '%.*s': %s",
                          (int)(n > 64 ? 64 : n), p, msg);
  if (rc) return core_error_set(err, rc, "out of memory");
  uint32_t groups = 0;
  pcre2_pattern_info(re->re.code, PCRE2_INFO_CAPTURECOUNT, &groups);
  re->groups = (int)groups;
  *out = re;
  return SLUICE_OK;
}

int fn_regex_groups(const fn_regex *re) {
  return re->groups;
}

bool fn_regex_find(fn_regex *re, const char *s, size_t n, size_t start, size_t *ov) {
  int rc = pcre2_match(re->re.code, (PCRE2_SPTR)(n ? s : ""), n, start, 0, re->re.md, NULL);
  if (rc < 0) return false;
  const PCRE2_SIZE *v = pcre2_get_ovector_pointer(re->re.md);
  for (int g = 0; g <= re->groups; g++) {
    bool set = g < rc;
    ov[2 * g] = set ? v[2 * g] : (size_t)-1;
    ov[2 * g + 1] = set ? v[2 * g + 1] : (size_t)-1;
  }
  return true;
}

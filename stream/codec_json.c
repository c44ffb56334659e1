/*
 * codec_json.c — the JSON input mapping (spec 6.2): JSONPath compilation and
 * a schema-directed, single-pass scanner.
 *
 * The column paths are compiled into a trie over object keys (codec_node).
 * The scanner walks each document once: at an object whose node has children
 * it looks every key up among them and follows the match; every other value
 * is skipped, but still fully validated (grammar, escapes, UTF-8, nesting
 * depth), so a malformed record is rejected whatever the mapping reads.
 * Where a column's node is reached, its slot notes the value's kind and byte
 * span; nothing is copied or converted until the row element is complete
 * (codec_coerce.c). Strings are scanned sixteen bytes at a time (SSE2): one
 * test finds the next quote, backslash, control or non-ASCII byte.
 *
 * Why hand-written: a general parser (cJSON) builds a tree of every value and
 * allocates per node; the scanner allocates nothing per record and touches
 * each byte once, which is what makes ingestion several times faster
 * (bench/codec.c measures both, and simdjson, side by side).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/codec_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------ paths -- */

typedef struct path_tok {
  bool arr; /* [0:] */
  const char *key;
  size_t len;
} path_tok;

#define PATH_TOKENS_MAX 64

/*
 * Parses `$` followed by `.key`, `['key']`, `["key"]` and `[0:]` tokens.
 * On failure returns false with why set.
 */
static bool path_parse(const char *text, path_tok *t, int *nt, const char **why) {
  *nt = 0;
  if (text[0] != '$') return *why = "a path starts with $", false;
  size_t i = 1;
  while (text[i]) {
    if (*nt == PATH_TOKENS_MAX) return *why = "more than 64 steps", false;
    path_tok *k = &t[*nt];
    if (text[i] == '.') {
      size_t b = ++i;
      while (text[i] && text[i] != '.' && text[i] != '[') i++;
      if (i == b) return *why = "an empty key (recursive descent `..` is not supported)", false;
      if (i - b == 1 && text[b] == '*') return *why = "wildcards are not supported", false;
      *k = (path_tok){false, text + b, i - b};
    } else if (strncmp(text + i, "[0:]", 4) == 0) {
      *k = (path_tok){true, NULL, 0};
      i += 4;
    } else if (text[i] == '[' && (text[i + 1] == '\'' || text[i + 1] == '"')) {
      char q = text[i + 1];
      size_t b = i + 2;
      const char *e = strchr(text + b, q);
      if (!e || e[1] != ']') return *why = "an unterminated ['key']", false;
      if ((size_t)(e - text) == b) return *why = "an empty key", false;
      *k = (path_tok){false, text + b, (size_t)(e - text) - b};
      i = (size_t)(e - text) + 2;
    } else if (text[i] == '[') {
      return *why = "an unsupported array selector (only [0:] is: the whole array, or one row "
                    "per element when followed by a key)",
             false;
    } else {
      return *why = "a step must start with . or [", false;
    }
    (*nt)++;
  }
  return true;
}

static bool tok_eq(const path_tok *a, const path_tok *b) {
  return a->arr == b->arr && a->len == b->len && (a->arr || memcmp(a->key, b->key, a->len) == 0);
}

static int32_t node_new(stream_mapping *m, const char *key, size_t len) {
  if (m->nnodes == m->cap_nodes) {
    int32_t cap = m->cap_nodes ? m->cap_nodes * 2 : 16;
    codec_node *p = realloc(m->nodes, (size_t)cap * sizeof *p);
    if (!p) return -1;
    m->nodes = p;
    m->cap_nodes = cap;
  }
  char *k = NULL;
  if (key) {
    k = malloc(len + 1);
    if (!k) return -1;
    memcpy(k, key, len);
    k[len] = '\0';
  }
  uint64_t sig = 0, sig2 = 0;
  memcpy(&sig, key ? key : "", len < 8 ? len : 8);
  if (len > 8) memcpy(&sig2, key + 8, len < 16 ? len - 8 : 8);
  m->nodes[m->nnodes] = (codec_node){sig, sig2, k, (uint32_t)len, -1, -1, -1, -1, 0, 0, 0, -1};
  return m->nnodes++;
}

/* The child of `parent` for key (created if absent); -1 on OOM. */
static int32_t node_child(stream_mapping *m, int32_t parent, const char *key, size_t len) {
  int32_t last = -1;
  for (int32_t c = m->nodes[parent].child; c >= 0; c = m->nodes[c].sibling) {
    if (m->nodes[c].key_len == len && memcmp(m->nodes[c].key, key, len) == 0) return c;
    last = c;
  }
  int32_t c = node_new(m, key, len);
  if (c < 0) return -1;
  if (last < 0)
    m->nodes[parent].child = c;
  else
    m->nodes[last].sibling = c;
  return c;
}

static int path_error(core_error *err, const char *path, const char *col, const char *why) {
  return core_error_set(err, SLUICE_INVALID, "invalid JSON path \"%s\" for column %s: %s", path,
                        col, why);
}

/* Adds column i with the tokens t[0..nt) below the row element. */
static int add_column(stream_mapping *m, int i, const char *path, const path_tok *t, int nt,
                      const char *const *paths, core_error *err) {
  codec_col *col = &m->cols[i];
  int32_t node = 0;
  bool in_elem = false;
  for (int k = 0; k < nt; k++) {
    if (!t[k].arr) {
      node = node_child(m, node, t[k].key, t[k].len);
      if (node < 0) return core_error_set(err, SLUICE_NOMEM, "out of memory");
      continue;
    }
    if (k == nt - 1) { /* `[0:]` last: the whole array's text */
      col->whole_array = true;
      break;
    }
    if (in_elem)
      return path_error(err, path, col->name, "only one level of array may be flattened");
    if (m->flat_node >= 0 && m->flat_node != node) {
      char why[512];
      snprintf(why, sizeof why,
               "column %s already flattens another array (\"%s\"): only one array may be "
               "flattened per schema",
               m->cols[m->flat_col].name, paths[m->flat_col]);
      return path_error(err, path, col->name, why);
    }
    if (m->flat_node < 0) {
      int32_t root = node_new(m, NULL, 0);
      if (root < 0) return core_error_set(err, SLUICE_NOMEM, "out of memory");
      m->nodes[node].elem = root;
      m->flat_node = node;
      m->flat_col = i;
    }
    node = m->nodes[node].elem;
    in_elem = true;
  }
  col->in_elem = in_elem;
  col->slot = in_elem ? m->nflat++ : i;
  /* append to the node's column list */
  int32_t *link = &m->nodes[node].cols;
  while (*link >= 0) link = &m->cols[*link].next;
  *link = i;
  return SLUICE_OK;
}

/* Lays every node's children out side by side (kid_sig, kid_node) for find_child(). */
static int index_children(stream_mapping *m) {
  m->kid_sig = calloc((size_t)m->nnodes, sizeof *m->kid_sig);
  m->kid_node = calloc((size_t)m->nnodes, sizeof *m->kid_node);
  if (!m->kid_sig || !m->kid_node) return SLUICE_NOMEM;
  int32_t k = 0;
  for (int32_t i = 0; i < m->nnodes; i++) {
    codec_node *nd = &m->nodes[i];
    nd->kid0 = k;
    for (int32_t c = nd->child; c >= 0; c = m->nodes[c].sibling, k++) {
      m->kid_sig[k] = m->nodes[c].sig;
      m->kid_node[k] = c;
    }
    nd->nkid = k - nd->kid0;
  }
  int32_t nshapes = 0;
  for (int32_t i = 0; i < m->nnodes; i++)
    if (m->nodes[i].nkid) m->nodes[i].shape0 = nshapes++ * CODEC_SHAPE_KEYS;
  m->shape = calloc((size_t)(nshapes ? nshapes : 1) * CODEC_SHAPE_KEYS, sizeof *m->shape);
  if (!m->shape) return SLUICE_NOMEM;
  return SLUICE_OK;
}

int codec_json_compile(stream_mapping *m, const stream_mapping_config *c, core_error *err) {
  m->flat_node = -1;
  m->flat_col = -1;
  const char *row_path = c->row_path ? c->row_path : "$";
  path_tok rt[PATH_TOKENS_MAX], t[PATH_TOKENS_MAX];
  int nrt, nt;
  const char *why;
  if (!path_parse(row_path, rt, &nrt, &why))
    return core_error_set(err, SLUICE_INVALID, "invalid RecordRowPath \"%s\": %s", row_path, why);
  for (int k = 0; k < nrt; k++)
    if (rt[k].arr && k != nrt - 1)
      return core_error_set(err, SLUICE_INVALID,
                            "invalid RecordRowPath \"%s\": [0:] may only end it", row_path);
  int nkeys = nrt && rt[nrt - 1].arr ? nrt - 1 : nrt;
  m->row_path_text = strdup(row_path);
  m->row_keys = calloc((size_t)nkeys + 1, sizeof *m->row_keys);
  m->row_key_lens = calloc((size_t)nkeys + 1, sizeof *m->row_key_lens);
  if (!m->row_path_text || !m->row_keys || !m->row_key_lens || node_new(m, NULL, 0) != 0)
    return core_error_set(err, SLUICE_NOMEM, "out of memory");
  for (int k = 0; k < nkeys; k++, m->nrow_keys++) {
    m->row_keys[k] = strndup(rt[k].key, rt[k].len);
    m->row_key_lens[k] = (uint32_t)rt[k].len;
    if (!m->row_keys[k]) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  }

  const char *names_paths[STREAM_MAPPING_COLUMNS_MAX];
  char dflt[64];
  for (int i = 0; i < m->ncols; i++) {
    const char *path = c->paths && c->paths[i] ? c->paths[i] : NULL;
    names_paths[i] = path ? path : "$.<name>";
    if (!path) { /* "$.<name>": the name itself is the key, whatever it holds */
      t[0] = (path_tok){false, m->cols[i].name, strlen(m->cols[i].name)};
      snprintf(dflt, sizeof dflt, "$.%s", m->cols[i].name);
      if (!t[0].len) return path_error(err, dflt, m->cols[i].name, "an empty key");
      int rc = add_column(m, i, dflt, t, 1, names_paths, err);
      if (rc != SLUICE_OK) return rc;
      continue;
    }
    if (!path_parse(path, t, &nt, &why)) return path_error(err, path, m->cols[i].name, why);
    /* written from the document root: drop the row path's keys when they lead the path */
    int skip = 0;
    if (nt >= nkeys) {
      skip = nkeys;
      for (int k = 0; k < nkeys; k++)
        if (!tok_eq(&rt[k], &t[k])) skip = 0;
    }
    /* the row element is already one element of an array found at the row path */
    if (skip < nt && t[skip].arr) skip++;
    int rc = add_column(m, i, path, t + skip, nt - skip, names_paths, err);
    if (rc != SLUICE_OK) return rc;
  }
  if (index_children(m) != SLUICE_OK) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  if (m->nflat) {
    m->elem_cap = 16;
    m->elem_slots = calloc(m->elem_cap * (size_t)m->nflat, sizeof *m->elem_slots);
    if (!m->elem_slots) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  }
  return SLUICE_OK;
}

/* ---------------------------------------------------------- scanner -- */

typedef struct jscan {
  codec_out *o;
  stream_mapping *m;
  const uint8_t *p;
  size_t n, i;
  int depth;
  size_t doc; /* 1-based, for messages */
} jscan;

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline bool is_ws(uint8_t c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline void skip_ws(jscan *s) {
  while (s->i < s->n && is_ws(s->p[s->i])) s->i++;
}

/* A syntax error at the current position: "malformed JSON at byte 12: expected ..." */
static int syntax(jscan *s, const char *expected) {
  if (s->i >= s->n)
    return codec_parse_error(s->o, "truncated JSON: the record ends at byte %zu (%s)", s->i,
                             expected);
  uint8_t c = s->p[s->i];
  if (c >= 0x20 && c < 0x7F)
    return codec_parse_error(s->o, "malformed JSON at byte %zu: %s, found '%c'", s->i, expected, c);
  return codec_parse_error(s->o, "malformed JSON at byte %zu: %s, found byte 0x%02X", s->i,
                           expected, c);
}

/* Length of the well-formed UTF-8 sequence at p[0..n) (lead byte >= 0x80), or 0. */
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

static int hex4(const uint8_t *p, size_t avail, unsigned *out) {
  if (avail < 4) return -1;
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    unsigned c = p[k], d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (c | 0x20) - 'a' + 10;
    else
      return -1;
    v = v << 4 | d;
  }
  *out = v;
  return 0;
}

/* Checks the escape at p[i] == '\\'; returns the index after it, or 0 after setting the error. */
static size_t check_escape(jscan *s, size_t i) {
  const uint8_t *p = s->p;
  size_t n = s->n;
  if (i + 1 >= n) {
    s->i = n;
    syntax(s, "inside a string");
    return 0;
  }
  switch (p[i + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      return i + 2;
    case 'u': {
      unsigned cp, lo;
      if (hex4(p + i + 2, n - i - 2, &cp) < 0) break;
      if (cp >= 0xDC00 && cp <= 0xDFFF) {
        codec_parse_error(
            s->o, "malformed JSON at byte %zu: unpaired surrogate \\u%04X in a string", i, cp);
        return 0;
      }
      if (cp < 0xD800 || cp > 0xDBFF) return i + 6;
      if (i + 7 < n && p[i + 6] == '\\' && p[i + 7] == 'u' &&
          hex4(p + i + 8, n - i - 8, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF)
        return i + 12;
      codec_parse_error(s->o, "malformed JSON at byte %zu: unpaired surrogate \\u%04X in a string",
                        i, cp);
      return 0;
    }
    default:
      break;
  }
  if (p[i + 1] == 'u')
    codec_parse_error(s->o, "malformed JSON at byte %zu: \\u must be followed by 4 hex digits", i);
  else if (p[i + 1] >= 0x20 && p[i + 1] < 0x7F)
    codec_parse_error(s->o, "malformed JSON at byte %zu: invalid escape \\%c in a string", i,
                      p[i + 1]);
  else
    codec_parse_error(s->o, "malformed JSON at byte %zu: invalid escape in a string", i);
  return 0;
}

/*
 * The first byte at or after i that a string scan must look at: a quote, a
 * backslash, a control character or a non-ASCII byte. Sixteen bytes at a time
 * with SSE2 (every x86-64 has it), eight with 64-bit arithmetic otherwise;
 * with SSE2 the last bytes of a record of 16 bytes or more are one load that
 * ends at n (overlapping bytes already seen), else the last few bytes are
 * left to the caller (the result is then below n but may be an ordinary byte).
 */
#ifdef __SSE2__
static inline unsigned special_mask(const uint8_t *p) {
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
  __m128i x = _mm_loadu_si128((const __m128i *)p);
  __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                           _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));    /* x <= 0x1F */
  return (unsigned)_mm_movemask_epi8(m) | (unsigned)_mm_movemask_epi8(x); /* >= 0x80 */
}
#endif

static inline size_t next_special(const uint8_t *p, size_t i, size_t n) {
#ifdef __SSE2__
  while (i + 16 <= n) {
    unsigned mask = special_mask(p + i);
    if (mask) return i + (size_t)__builtin_ctz(mask);
    i += 16;
  }
  if (i < n && n >= 16) { /* the tail: p[n-16 .. n), bytes before i masked out */
    unsigned mask = special_mask(p + n - 16) >> (i - (n - 16));
    return mask ? i + (size_t)__builtin_ctz(mask) : n;
  }
#endif
  while (i + 8 <= n) {
    uint64_t x, q, b;
    memcpy(&x, p + i, 8);
    q = x ^ (ONES * '"');
    b = x ^ (ONES * '\\');
    uint64_t mask = (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x) | x) & HIGHS;
    if (mask) return i + ((size_t)__builtin_ctzll(mask) >> 3);
    i += 8;
  }
  return i;
}

/* scan_string() past its first special byte at i: escapes, non-ASCII, errors, short tails. */
static __attribute__((noinline)) int scan_string_rest(jscan *s, size_t i, uint32_t *off,
                                                      uint32_t *len, uint8_t *escaped) {
  const uint8_t *p = s->p;
  size_t n = s->n, start = s->i + 1;
  uint8_t esc = 0;
  for (;; i = next_special(p, i, n)) {
    if (i >= n) {
      s->i = n;
      return syntax(s, "inside a string");
    }
    uint8_t c = p[i];
    if (c == '"') break;
    if (c == '\\') {
      esc = 1;
      if (!(i = check_escape(s, i))) return SLUICE_INVALID;
    } else if (c < 0x20) {
      return codec_parse_error(s->o,
                               "malformed JSON at byte %zu: control character 0x%02X in a string "
                               "(it must be escaped)",
                               i, c);
    } else if (c >= 0x80) {
      size_t l = utf8_seq(p + i, n - i);
      if (!l) return codec_parse_error(s->o, "invalid UTF-8 in a JSON string at byte %zu", i);
      i += l;
    } else {
      i++;
    }
  }
  *off = (uint32_t)start;
  *len = (uint32_t)(i - start);
  *escaped = esc;
  s->i = i + 1;
  return SLUICE_OK;
}

/* The string at s->i ('"'): validates it, returns its content span, moves past it. Plain
 * ASCII strings end at the first special byte found, the common case inlined. */
static inline __attribute__((always_inline)) int scan_string(jscan *s, uint32_t *off, uint32_t *len,
                                                             uint8_t *escaped) {
  size_t start = s->i + 1, i = next_special(s->p, start, s->n);
  if (__builtin_expect(i < s->n && s->p[i] == '"', 1)) {
    *off = (uint32_t)start;
    *len = (uint32_t)(i - start);
    *escaped = 0;
    s->i = i + 1;
    return SLUICE_OK;
  }
  return scan_string_rest(s, i, off, len, escaped);
}

/*
 * The number at s->i: validates it and moves past it. With num, also notes the
 * value of a plain -?digits[.digits] of at most 19 digits (codec_slot.mant),
 * read in the same pass over the digits.
 */
static inline __attribute__((always_inline)) int scan_number_at(jscan *s, codec_slot *num) {
  const uint8_t *p = s->p;
  size_t n = s->n, i = s->i;
  uint64_t m = 0;
  bool neg = p[i] == '-';
  i += neg;
  size_t ib = i, fb = 0, fe = 0;
  if (i < n && p[i] == '0') {
    i++;
  } else if (i < n && p[i] >= '1' && p[i] <= '9') {
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
      if (num) m = m * 10 + (uint64_t)(p[i] - '0');
  } else {
    s->i = i;
    return syntax(s, "expected a digit in a number");
  }
  size_t ie = i;
  if (i < n && p[i] == '.') {
    fb = ++i;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
      if (num) m = m * 10 + (uint64_t)(p[i] - '0');
    fe = i;
    if (i == fb) return s->i = i, syntax(s, "expected a digit after the decimal point");
  }
  bool expo = false;
  if (i < n && (p[i] == 'e' || p[i] == 'E')) {
    expo = true;
    i++;
    if (i < n && (p[i] == '+' || p[i] == '-')) i++;
    size_t b = i;
    while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    if (i == b) return s->i = i, syntax(s, "expected a digit in the exponent");
  }
  if (i < n && p[i] >= '0' && p[i] <= '9') /* 01 */
    return s->i = i, syntax(s, "expected no digit after a leading 0");
  s->i = i;
  if (num) {
    size_t ndig = ie - ib + fe - fb; /* m overflowed if more than 19 */
    bool plain = !expo && ndig <= 19;
    num->ndig = plain ? (uint8_t)ndig : 0;
    num->frac = (uint8_t)(fe - fb);
    num->neg = neg;
    num->mant = m;
  }
  return SLUICE_OK;
}

static int scan_number(jscan *s) {
  return scan_number_at(s, NULL);
}

static int scan_literal(jscan *s, const char *word, size_t len) {
  if (s->n - s->i < len || memcmp(s->p + s->i, word, len) != 0)
    return syntax(s, "expected a value");
  s->i += len;
  return SLUICE_OK;
}

static int enter(jscan *s) {
  if (++s->depth > STREAM_JSON_DEPTH_MAX)
    return codec_parse_error(s->o, "malformed JSON at byte %zu: nested deeper than %d levels", s->i,
                             STREAM_JSON_DEPTH_MAX);
  s->i++;
  skip_ws(s);
  return SLUICE_OK;
}

static int skip_value(jscan *s);

/* After a member or element: ',' (true, more follow) or the closing bracket (false). */
static inline int next_item(jscan *s, char close, bool *more) {
  skip_ws(s);
  if (s->i < s->n && s->p[s->i] == ',') {
    s->i++;
    skip_ws(s);
    *more = true;
    return SLUICE_OK;
  }
  if (s->i < s->n && s->p[s->i] == close) {
    s->i++;
    s->depth--;
    *more = false;
    return SLUICE_OK;
  }
  return syntax(s, close == '}' ? "expected ',' or '}' in an object"
                                : "expected ',' or ']' in an array");
}

/* An object key and its ':'; leaves s->i at the value. */
static inline int scan_key(jscan *s, uint32_t *off, uint32_t *len, uint8_t *esc) {
  if (s->i >= s->n || s->p[s->i] != '"') return syntax(s, "expected a string as object key");
  int rc = scan_string(s, off, len, esc);
  if (rc != SLUICE_OK) return rc;
  skip_ws(s);
  if (s->i >= s->n || s->p[s->i] != ':') return syntax(s, "expected ':' after an object key");
  s->i++;
  skip_ws(s);
  return SLUICE_OK;
}

static int skip_container(jscan *s) {
  char close = s->p[s->i] == '{' ? '}' : ']';
  int rc = enter(s);
  if (rc != SLUICE_OK) return rc;
  if (s->i < s->n && s->p[s->i] == close) {
    s->i++;
    s->depth--;
    return SLUICE_OK;
  }
  for (bool more = true; more;) {
    if (close == '}') {
      uint32_t off, len;
      uint8_t esc;
      if ((rc = scan_key(s, &off, &len, &esc)) != SLUICE_OK) return rc;
    }
    if ((rc = skip_value(s)) != SLUICE_OK) return rc;
    if ((rc = next_item(s, close, &more)) != SLUICE_OK) return rc;
  }
  return SLUICE_OK;
}

static int skip_value(jscan *s) {
  if (s->i >= s->n) return syntax(s, "expected a value");
  uint32_t off, len;
  uint8_t esc;
  switch (s->p[s->i]) {
    case '"':
      return scan_string(s, &off, &len, &esc);
    case '{':
    case '[':
      return skip_container(s);
    case 't':
      return scan_literal(s, "true", 4);
    case 'f':
      return scan_literal(s, "false", 5);
    case 'n':
      return scan_literal(s, "null", 4);
    default:
      if (s->p[s->i] == '-' || (s->p[s->i] >= '0' && s->p[s->i] <= '9')) return scan_number(s);
      return syntax(s, "expected a value");
  }
}

/* Bytes 8.. of a key longer than 8 bytes equal those of node c (same length). When
 * the record holds 16 bytes from the key on (in_record), bytes 8-15 are one load,
 * masked: a variable-length memcpy() here was a library call per key. */
static inline bool key_rest_equal(const codec_node *c, const char *key, size_t klen,
                                  bool in_record) {
  if (klen > 16) return memcmp(c->key + 8, key + 8, klen - 8) == 0;
  uint64_t w = 0;
  if (in_record) {
    memcpy(&w, key + 8, 8);
    if (klen < 16) w &= (1ULL << (8 * (klen - 8))) - 1;
  } else {
    memcpy(&w, key + 8, klen - 8);
  }
  return w == c->sig2;
}

/*
 * The child of node for the key at p[off..off+len) (JSON escapes decoded
 * first), or -1. Keys are compared by their first eight bytes as one 64-bit
 * word and their length; only longer keys need a memcmp of the rest.
 */
static int32_t find_child(jscan *s, codec_node *node, uint32_t off, uint32_t len, uint8_t esc) {
  const char *key = (const char *)s->p + off;
  size_t klen = len;
  if (esc) {
    if (codec_scratch(s->m, len) != SLUICE_OK) return -2;
    klen = codec_json_unescape(s->p + off, len, s->m->scratch);
    key = s->m->scratch;
  }
  uint64_t sig = 0;
  if (klen >= 8)
    memcpy(&sig, key, 8);
  else if (!esc && off + 8 <= s->n) /* the bytes after a short key are in the record: mask them */
    memcpy(&sig, key, 8), sig &= (1ULL << (8 * klen)) - 1;
  else
    memcpy(&sig, key, klen);
  const stream_mapping *m = s->m;
  const uint64_t *sigs = m->kid_sig + node->kid0;
  /* start where the previous key of this object matched, plus one */
  for (int32_t k = 0, i = node->hint; k < node->nkid; k++, i = i + 1 == node->nkid ? 0 : i + 1) {
    if (sigs[i] != sig) continue;
    const codec_node *c = &m->nodes[m->kid_node[node->kid0 + i]];
    if (c->key_len == klen &&
        (klen <= 8 || key_rest_equal(c, key, klen, !esc && off + 16 <= s->n))) {
      node->hint = i + 1 == node->nkid ? 0 : i + 1;
      return m->kid_node[node->kid0 + i];
    }
  }
  return -1;
}

static int scan_mapped(jscan *s, int32_t node, codec_slot *base);

/* The low len bytes (1..8) of w. */
static inline uint64_t low_bytes(uint64_t w, size_t len) {
  return len >= 8 ? w : w & ((1ULL << (8 * len)) - 1);
}

/* The record holds exactly the learned key k at s->i (quotes included): moves past it. */
static inline bool known_key(jscan *s, const codec_shape_key *k) {
  size_t i = s->i, len = k->len;
  const uint8_t *p = s->p;
  if (!len || i + 18 > s->n || p[i] != '"') return false; /* 18: quote, 16 bytes, quote */
  uint64_t w;
  memcpy(&w, p + i + 1, 8);
  if (low_bytes(w, len) != k->sig) return false;
  if (len > 8) {
    memcpy(&w, p + i + 9, 8);
    if (low_bytes(w, len - 8) != k->sig2) return false;
  }
  if (p[i + 1 + len] != '"') return false;
  s->i = i + 2 + len;
  return true;
}

/* Notes the key p[0..len) (no escapes) and its child c as the shape's key k. */
static inline void learn_key(codec_shape_key *k, const uint8_t *p, size_t len, int32_t c) {
  if (len < 1 || len > 16) {
    k->len = 0;
    return;
  }
  uint64_t sig = 0, sig2 = 0;
  memcpy(&sig, p, len < 8 ? len : 8);
  if (len > 8) memcpy(&sig2, p + 8, len - 8);
  *k = (codec_shape_key){sig, sig2, (uint32_t)len, c};
}

static int scan_object(jscan *s, codec_node *node, codec_slot *base) {
  int rc = enter(s);
  if (rc != SLUICE_OK) return rc;
  if (s->i < s->n && s->p[s->i] == '}') {
    s->i++;
    s->depth--;
    return SLUICE_OK;
  }
  codec_shape_key *shape = s->m->shape + node->shape0; /* scan_object: node has children */
  bool more = true;
  for (uint32_t pos = 0; more; pos++) {
    codec_shape_key *known = pos < CODEC_SHAPE_KEYS ? &shape[pos] : NULL;
    int32_t c;
    if (known && known_key(s, known)) { /* the rest of scan_key() */
      c = known->node;
      skip_ws(s);
      if (s->i >= s->n || s->p[s->i] != ':') return syntax(s, "expected ':' after an object key");
      s->i++;
      skip_ws(s);
    } else {
      uint32_t off, len;
      uint8_t esc;
      if ((rc = scan_key(s, &off, &len, &esc)) != SLUICE_OK) return rc;
      c = find_child(s, node, off, len, esc);
      if (c == -2) return core_error_set(s->o->err, SLUICE_NOMEM, "out of memory");
      if (known && !esc) learn_key(known, s->p + off, len, c);
    }
    if (c >= 0) {
      rc = scan_mapped(s, c, base);
    } else if (s->i < s->n && s->p[s->i] == '"') { /* the common unmapped value, inlined */
      uint32_t off, len;
      uint8_t esc;
      rc = scan_string(s, &off, &len, &esc);
    } else {
      rc = skip_value(s);
    }
    if (rc != SLUICE_OK) return rc;
    if ((rc = next_item(s, '}', &more)) != SLUICE_OK) return rc;
  }
  return SLUICE_OK;
}

/* The flattened array: each element is scanned against the element paths into its own slots. */
static int scan_flatten(jscan *s, const codec_node *node) {
  stream_mapping *m = s->m;
  int rc = enter(s);
  if (rc != SLUICE_OK) return rc;
  m->nelem = 0;
  if (s->i < s->n && s->p[s->i] == ']') {
    s->i++;
    s->depth--;
    return SLUICE_OK;
  }
  for (bool more = true; more;) {
    if (m->nelem == m->elem_cap) {
      size_t cap = m->elem_cap * 2;
      codec_slot *p = realloc(m->elem_slots, cap * (size_t)m->nflat * sizeof *p);
      if (!p) return core_error_set(s->o->err, SLUICE_NOMEM, "out of memory");
      m->elem_slots = p;
      m->elem_cap = cap;
    }
    codec_slot *base = m->elem_slots + m->nelem * (size_t)m->nflat;
    memset(base, 0, (size_t)m->nflat * sizeof *base);
    if ((rc = scan_mapped(s, node->elem, base)) != SLUICE_OK) return rc;
    m->nelem++;
    if ((rc = next_item(s, ']', &more)) != SLUICE_OK) return rc;
  }
  return SLUICE_OK;
}

/* A value whose path is mapped: follows children, fills the slots of the node's columns. */
static int scan_mapped(jscan *s, int32_t ni, codec_slot *base) {
  codec_node *node = &s->m->nodes[ni];
  if (s->i >= s->n) return syntax(s, "expected a value");
  size_t start = s->i;
  uint32_t off = (uint32_t)start, len = 0;
  uint8_t kind, esc = 0;
  codec_slot num = {0};
  int rc;
  switch (s->p[s->i]) {
    case '"':
      kind = SLOT_STRING;
      rc = scan_string(s, &off, &len, &esc);
      break;
    case '{':
      kind = SLOT_OBJECT;
      rc = node->child >= 0 ? scan_object(s, node, base) : skip_container(s);
      break;
    case '[':
      kind = SLOT_ARRAY;
      rc = node->elem >= 0 ? scan_flatten(s, node) : skip_container(s);
      break;
    case 't':
      kind = SLOT_TRUE;
      rc = scan_literal(s, "true", 4);
      break;
    case 'f':
      kind = SLOT_FALSE;
      rc = scan_literal(s, "false", 5);
      break;
    case 'n':
      kind = SLOT_NULL;
      rc = scan_literal(s, "null", 4);
      break;
    default:
      kind = SLOT_NUMBER;
      rc = s->p[s->i] == '-' || (s->p[s->i] >= '0' && s->p[s->i] <= '9')
               ? scan_number_at(s, &num)
               : syntax(s, "expected a value");
  }
  if (rc != SLUICE_OK) return rc;
  if (kind != SLOT_STRING) len = (uint32_t)(s->i - start);
  for (int32_t c = node->cols; c >= 0; c = s->m->cols[c].next) {
    const codec_col *col = &s->m->cols[c];
    codec_slot *sl = &base[col->slot];
    if (col->whole_array && kind != SLOT_ARRAY)
      *sl = (codec_slot){.kind = SLOT_MISSING};
    else
      *sl = (codec_slot){kind, esc, off, len, num.ndig, num.frac, num.neg, num.mant};
  }
  return SLUICE_OK;
}

/* The rows of one row element, from the slots just filled. */
static int emit(jscan *s) {
  stream_mapping *m = s->m;
  codec_out *o = s->o;
  size_t rows = m->nflat && m->nelem > 1 ? m->nelem : 1;
  int rc = codec_room(o, rows);
  if (rc != SLUICE_OK) return rc;
  int r0 = o->b->n + o->produced;
  static const codec_slot missing = {.kind = SLOT_MISSING};
  for (int c = 0; c < m->ncols; c++) {
    const codec_col *col = &m->cols[c];
    if (!col->in_elem) {
      if ((rc = codec_coerce(o, c, &m->slots[c], r0)) != SLUICE_OK) return rc;
      for (size_t k = 1; k < rows; k++) codec_copy_cell(o->b, c, r0, r0 + (int)k);
      continue;
    }
    for (size_t k = 0; k < rows; k++) {
      const codec_slot *sl = m->nelem ? &m->elem_slots[k * (size_t)m->nflat + col->slot] : &missing;
      if ((rc = codec_coerce(o, c, sl, r0 + (int)k)) != SLUICE_OK) return rc;
    }
  }
  o->produced += (int)rows;
  return SLUICE_OK;
}

static int row_element(jscan *s) {
  stream_mapping *m = s->m;
  memset(m->slots, 0, (size_t)m->ncols * sizeof *m->slots);
  m->nelem = 0;
  int rc = scan_mapped(s, 0, m->slots);
  return rc != SLUICE_OK ? rc : emit(s);
}

/* The value at the row path: an array holds one row element per element. */
static int rows_at(jscan *s, bool *found) {
  if (s->i < s->n && s->p[s->i] == 'n') return scan_literal(s, "null", 4); /* not found */
  *found = true;
  if (s->i >= s->n || s->p[s->i] != '[') return row_element(s);
  int rc = enter(s);
  if (rc != SLUICE_OK) return rc;
  if (s->i < s->n && s->p[s->i] == ']') {
    s->i++;
    s->depth--;
    return SLUICE_OK;
  }
  for (bool more = true; more;) {
    if ((rc = row_element(s)) != SLUICE_OK) return rc;
    if ((rc = next_item(s, ']', &more)) != SLUICE_OK) return rc;
  }
  return SLUICE_OK;
}

/* Walks down the RecordRowPath keys from level k; other values are skipped (and validated). */
static int walk_row_path(jscan *s, int k, bool *found) {
  stream_mapping *m = s->m;
  if (k == m->nrow_keys) return rows_at(s, found);
  if (s->i >= s->n || s->p[s->i] != '{') return skip_value(s);
  int rc = enter(s);
  if (rc != SLUICE_OK) return rc;
  if (s->i < s->n && s->p[s->i] == '}') {
    s->i++;
    s->depth--;
    return SLUICE_OK;
  }
  for (bool more = true; more;) {
    uint32_t off, len;
    uint8_t esc;
    if ((rc = scan_key(s, &off, &len, &esc)) != SLUICE_OK) return rc;
    const char *key = (const char *)s->p + off;
    size_t klen = len;
    if (esc) {
      if (codec_scratch(m, len) != SLUICE_OK)
        return core_error_set(s->o->err, SLUICE_NOMEM, "out of memory");
      klen = codec_json_unescape(s->p + off, len, m->scratch);
      key = m->scratch;
    }
    bool hit = klen == m->row_key_lens[k] && memcmp(key, m->row_keys[k], klen) == 0;
    rc = hit ? walk_row_path(s, k + 1, found) : skip_value(s);
    if (rc != SLUICE_OK) return rc;
    if ((rc = next_item(s, '}', &more)) != SLUICE_OK) return rc;
  }
  return SLUICE_OK;
}

int codec_json_decode(codec_out *o) {
  jscan s = {.o = o, .m = o->m, .p = o->data, .n = o->n};
  skip_ws(&s);
  if (s.i >= s.n) return codec_parse_error(o, "the record holds no JSON document");
  while (s.i < s.n) {
    s.doc++;
    uint8_t first = s.p[s.i];
    bool found = false;
    int rc = walk_row_path(&s, 0, &found);
    if (rc != SLUICE_OK) return rc;
    if (!found)
      return codec_parse_error(o, "RecordRowPath %s selects nothing in JSON document %zu",
                               o->m->row_path_text, s.doc);
    /* a number or literal must be followed by a separator, or `12 3` and `123` would blur */
    if (s.i < s.n && !is_ws(s.p[s.i]) && first != '{' && first != '[' && first != '"')
      return syntax(&s, "expected whitespace or the end of the record after a JSON document");
    skip_ws(&s);
  }
  return SLUICE_OK;
}

/* ------------------------------------------------------- unescape -- */

static size_t put_utf8(unsigned cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

size_t codec_json_unescape(const uint8_t *s, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    if (s[i] != '\\') {
      out[o++] = (char)s[i++];
      continue;
    }
    char c = (char)s[i + 1];
    i += 2;
    switch (c) {
      case 'b':
        out[o++] = '\b';
        break;
      case 'f':
        out[o++] = '\f';
        break;
      case 'n':
        out[o++] = '\n';
        break;
      case 'r':
        out[o++] = '\r';
        break;
      case 't':
        out[o++] = '\t';
        break;
      case 'u': {
        unsigned cp = 0, lo = 0;
        hex4(s + i, n - i, &cp);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* the scanner checked the pair */
          hex4(s + i + 2, n - i - 2, &lo);
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        o += put_utf8(cp, out + o);
        break;
      }
      default: /* " \ / */
        out[o++] = c;
    }
  }
  return o;
}

/*
 * lexer.re — the re2c lexer of the KDA dialect (spec 1.1).
 *
 * No globals: all state is in the parse_lexer passed by pointer. The text
 * must be NUL-terminated at text[len]; a NUL inside the text is an error.
 * Keywords are matched by the identifier rule and recognised by one lookup in
 * the sorted keyword table (keywords.c), not by a rule each. Literals that
 * carry a prefix keyword (DATE '...', TIMESTAMP '...', INTERVAL '...' DAY TO
 * SECOND, U&'...' UESCAPE '!', X'..') are single tokens, so the grammar sees
 * one literal; their text is decoded and checked later by literal.c. Comments
 * (`-- ...` and `/ * ... * /`) and white space are skipped; `//` is not a
 * comment (spec 1.1).
 */
#include <string.h>

#include "parser/lexer.h"
#include "grammar.h"

void parse_lexer_init(parse_lexer *lx, const char *text, size_t len, core_error *err) {
  lx->text = text;
  lx->len = len;
  lx->cur = text;
  lx->err = err;
  /* a UTF-8 byte order mark at the start of a file is not text */
  if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) lx->cur = text + 3;
}

/* The error message quotes at most this many bytes of the offending text. */
#define PARSE_QUOTE_MAX 40

static int lex_error(parse_lexer *lx, const char *at, const char *msg) {
  core_error_set(lx->err, SLUICE_SYNTAX, "%s", msg);
  core_error_at(lx->err, (int32_t)(at - lx->text));
  return SLUICE_SYNTAX;
}

/* Length of the UTF-8 sequence starting at p (1 for a broken one). */
static int utf8_len(const unsigned char *p) {
  if (p[0] < 0x80) return 1;
  int n = (p[0] >= 0xF0) ? 4 : (p[0] >= 0xE0) ? 3 : (p[0] >= 0xC0) ? 2 : 1;
  for (int i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80) return 1;
  return n;
}

static int finish(parse_lexer *lx, parse_tok *t, const char *start, int code,
                  parse_token_class cls) {
  t->code = code;
  t->cls = (uint8_t)cls;
  t->off = (int32_t)(start - lx->text);
  t->len = (int32_t)(lx->cur - start);
  return SLUICE_OK;
}

static bool is_ident_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Offset of the first byte of s[0..n) that does not start a well-formed UTF-8
 * sequence (core_utf8_valid's rules: no overlong forms, no surrogates, at most
 * U+10FFFF), or n if the whole slice is valid. */
static size_t utf8_bad_at(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (len > n - i || !core_utf8_valid(s + i, len)) return i;
    i += len;
  }
  return n;
}

/* Fails with "<what> is not valid UTF-8" at the first bad byte of s[0..n). */
static int check_utf8(parse_lexer *lx, const char *s, size_t n, const char *what) {
  size_t bad = utf8_bad_at(s, n);
  if (bad == n) return SLUICE_OK;
  core_error_set(lx->err, SLUICE_SYNTAX, "%s is not valid UTF-8", what);
  core_error_at(lx->err, (int32_t)(s + bad - lx->text));
  core_error_detail(lx->err, "The byte at the caret is 0x%02X.", (unsigned char)s[bad]);
  return SLUICE_SYNTAX;
}

/* Counts the characters of a UTF-8 slice. */
static size_t count_chars(const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) k++;
  return k;
}

/* Checks a quoted identifier "..." (start points at the opening quote). */
static int check_quoted_ident(parse_lexer *lx, const char *start) {
  const char *p = start + 1, *end = lx->cur - 1;
  if (p == end) return lex_error(lx, start, "zero-length delimited identifier");
  for (const char *q = p; q < end; q++)
    if ((unsigned char)*q < 0x20)
      return lex_error(lx, q, "quoted identifier contains a control character");
  int rc = check_utf8(lx, p, (size_t)(end - p), "quoted identifier");
  if (rc) return rc;
  /* "" counts as one character */
  size_t chars = count_chars(p, (size_t)(end - p));
  for (const char *q = p; q + 1 < end; q++)
    if (q[0] == '"' && q[1] == '"') chars--, q++;
  if (chars > PARSE_MAX_IDENT)
    return lex_error(lx, start, "identifier is too long (maximum 128 characters)");
  return SLUICE_OK;
}

/* Checks the inside of a '...' string: any byte but NUL may appear, and the
 * text must be well-formed UTF-8. */
static int check_string(parse_lexer *lx, const char *open, const char *close) {
  return check_utf8(lx, open + 1, (size_t)(close - open - 1), "string literal");
}

/* Checks X'..': hex digits only (spaces not allowed), even count. */
static int check_binary(parse_lexer *lx, const char *start) {
  const char *p = start + 2, *end = lx->cur - 1;
  for (const char *q = p; q < end; q++) {
    char c = *q;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
      return lex_error(lx, q, "invalid hexadecimal digit in binary literal");
  }
  if ((end - p) % 2 != 0)
    return lex_error(lx, start, "binary literal must have an even number of hexadecimal digits");
  return SLUICE_OK;
}

/* A quoted token that did not end: at a NUL inside the text (the quote may
 * well be closed after it) that NUL is the error, else the token's start. */
static int unterminated(parse_lexer *lx, const char *start, const char *cur, const char *msg) {
  if (*cur == '\0' && cur < lx->text + lx->len)
    return lex_error(lx, cur, "invalid character NUL in the statement text");
  return lex_error(lx, start, msg);
}

/* Finds the closing '*' '/' of a comment; returns NULL if unterminated. */
static const char *skip_block_comment(const char *p, const char *lim) {
  for (; p + 1 < lim; p++)
    if (p[0] == '*' && p[1] == '/') return p + 2;
  return NULL;
}

int parse_lex(parse_lexer *lx, parse_tok *t) {
  const char *lim = lx->text + lx->len;
  for (;;) {
    const char *start = lx->cur;
    const char *YYMARKER = NULL;
    const char *YYCURSOR = lx->cur;
    (void)YYMARKER;
#define RET(code, cls)                                                                             \
  do {                                                                                             \
    lx->cur = YYCURSOR;                                                                            \
    return finish(lx, t, start, (code), (cls));                                                    \
  } while (0)
/* a token with a quoted part (DATE '...', INTERVAL '...' DAY) */
#define RET_QUOTED(code, cls)                                                                      \
  do {                                                                                             \
    int rc_ = check_utf8(lx, start, (size_t)(YYCURSOR - start), "string literal");                \
    if (rc_) return rc_;                                                                           \
    RET(code, cls);                                                                                \
  } while (0)
    /*!re2c
      re2c:define:YYCTYPE = "unsigned char";
      re2c:define:YYCURSOR = "YYCURSOR";
      re2c:define:YYMARKER = "YYMARKER";
      re2c:yyfill:enable = 0;
      re2c:flags:utf-8 = 0;
      re2c:indent:string = "  ";

      ws      = [ \t\r\n\f\v];
      digit   = [0-9];
      digits  = digit+;
      ident   = [A-Za-z_] [A-Za-z0-9_]*;
      strbody = ([^'\x00] | "''")*;
      str     = ['] strbody ['];
      prec1   = ws* "(" ws* digits ws* ")";
      prec2   = ws* "(" ws* digits ws* ("," ws* digits ws*)? ")";
      tosec   = ws+ 'TO' ws+ 'SECOND' prec1?;
      qual    = 'YEAR' prec1? (ws+ 'TO' ws+ 'MONTH')?
              | 'MONTH' prec1?
              | 'DAY' prec1? (ws+ 'TO' ws+ ('HOUR' | 'MINUTE') | tosec)?
              | 'HOUR' prec1? (ws+ 'TO' ws+ 'MINUTE' | tosec)?
              | 'MINUTE' prec1? tosec?
              | 'SECOND' prec2?;

      [\x00] {
        if (YYCURSOR - 1 >= lim) {
          lx->cur = YYCURSOR - 1;
          return finish(lx, t, lx->cur, 0, PARSE_TC_PUNCT);
        }
        return lex_error(lx, start, "invalid character NUL in the statement text");
      }

      ws+ { lx->cur = YYCURSOR; continue; }
      "--" [^\n\x00]* {
        int rc = check_utf8(lx, start, (size_t)(YYCURSOR - start), "comment");
        if (rc) return rc;
        lx->cur = YYCURSOR;
        continue;
      }
      "/*" {
        const char *e = skip_block_comment(YYCURSOR, lim);
        if (!e) return lex_error(lx, start, "unterminated /* comment");
        const char *nul = memchr(start, '\0', (size_t)(e - start));
        if (nul) return lex_error(lx, nul, "invalid character NUL in the statement text");
        int rc = check_utf8(lx, start, (size_t)(e - start), "comment");
        if (rc) return rc;
        lx->cur = e;
        continue;
      }

      ident {
        lx->cur = YYCURSOR;
        size_t n = (size_t)(YYCURSOR - start);
        if (n > PARSE_MAX_IDENT)
          return lex_error(lx, start, "identifier is too long (maximum 128 characters)");
        bool reserved = false;
        int code = parse_keyword_code(start, n, &reserved);
        if (code) return finish(lx, t, start, code, PARSE_TC_KEYWORD);
        return finish(lx, t, start, TK_ID, PARSE_TC_IDENT);
      }

      ["] ([^"\x00] | ["]["])* ["] {
        lx->cur = YYCURSOR;
        int rc = check_quoted_ident(lx, start);
        if (rc) return rc;
        return finish(lx, t, start, TK_QID, PARSE_TC_QUOTED_IDENT);
      }
      ["] ([^"\x00] | ["]["])* { return unterminated(lx, start, YYCURSOR, "unterminated quoted identifier"); }

      str {
        lx->cur = YYCURSOR;
        int rc = check_string(lx, start, YYCURSOR - 1);
        if (rc) return rc;
        return finish(lx, t, start, TK_STRING, PARSE_TC_STRING);
      }
      ['] strbody { return unterminated(lx, start, YYCURSOR, "unterminated string literal"); }

      [uU] "&" str (ws* 'UESCAPE' ws* ['] [^'\x00] ['])? {
        lx->cur = YYCURSOR;
        int rc = check_utf8(lx, start, (size_t)(YYCURSOR - start), "string literal");
        if (rc) return rc;
        return finish(lx, t, start, TK_STRING, PARSE_TC_UNICODE_STRING);
      }
      [uU] "&" ['] strbody { return unterminated(lx, start, YYCURSOR, "unterminated string literal"); }

      [xX] str {
        lx->cur = YYCURSOR;
        int rc = check_binary(lx, start);
        if (rc) return rc;
        return finish(lx, t, start, TK_BINSTR, PARSE_TC_BINARY_STRING);
      }
      [xX] ['] strbody { return unterminated(lx, start, YYCURSOR, "unterminated binary literal"); }

      'DATE' ws* str { RET_QUOTED(TK_DTLIT, PARSE_TC_DATE); }
      'TIME' ws* str { RET_QUOTED(TK_DTLIT, PARSE_TC_TIME); }
      'TIMESTAMP' ws* str { RET_QUOTED(TK_DTLIT, PARSE_TC_TIMESTAMP); }
      "{" ws* 'd' ws* str ws* "}" { RET_QUOTED(TK_DTLIT, PARSE_TC_DATE); }
      "{" ws* 't' ws* str ws* "}" { RET_QUOTED(TK_DTLIT, PARSE_TC_TIME); }
      "{" ws* 'ts' ws* str ws* "}" { RET_QUOTED(TK_DTLIT, PARSE_TC_TIMESTAMP); }
      ('DATE' | 'TIME' | 'TIMESTAMP') ws* ['] strbody {
        return unterminated(lx, start, YYCURSOR, "unterminated string literal");
      }

      'INTERVAL' ws* ([+-] ws*)? str ws* qual {
        if (is_ident_char(*YYCURSOR)) {
          const char *w = YYCURSOR;
          while (w > start && is_ident_char((unsigned char)w[-1])) w--;
          return lex_error(lx, w, "invalid interval qualifier");
        }
        RET_QUOTED(TK_IVLIT, PARSE_TC_INTERVAL);
      }
      'INTERVAL' ws* ([+-] ws*)? str {
        const char *w = YYCURSOR;
        while (*w == ' ' || *w == '\t' || *w == '\r' || *w == '\n' || *w == '\f' || *w == '\v') w++;
        if (is_ident_char((unsigned char)*w)) return lex_error(lx, w, "invalid interval qualifier");
        return lex_error(lx, w, "interval literal needs a qualifier such as DAY or HOUR TO MINUTE");
      }
      'INTERVAL' ws* ([+-] ws*)? ['] strbody {
        return unterminated(lx, start, YYCURSOR, "unterminated string literal");
      }

      digits { RET(TK_INTLIT, PARSE_TC_INTEGER); }
      digits "." digit* | "." digits { RET(TK_NUMLIT, PARSE_TC_DECIMAL); }
      (digits | digits "." digit* | "." digits) [eE] [+-]? digits {
        RET(TK_NUMLIT, PARSE_TC_APPROX);
      }

      "="  { RET(TK_EQ, PARSE_TC_OPERATOR); }
      "<>" { RET(TK_NE, PARSE_TC_OPERATOR); }
      "!=" { RET(TK_NE, PARSE_TC_OPERATOR); }
      "<"  { RET(TK_LT, PARSE_TC_OPERATOR); }
      "<=" { RET(TK_LE, PARSE_TC_OPERATOR); }
      ">"  { RET(TK_GT, PARSE_TC_OPERATOR); }
      ">=" { RET(TK_GE, PARSE_TC_OPERATOR); }
      "+"  { RET(TK_PLUS, PARSE_TC_OPERATOR); }
      "-"  { RET(TK_MINUS, PARSE_TC_OPERATOR); }
      "*"  { RET(TK_STAR, PARSE_TC_OPERATOR); }
      "/"  { RET(TK_SLASH, PARSE_TC_OPERATOR); }
      "%"  { RET(TK_PERCENT, PARSE_TC_OPERATOR); }
      "||" { RET(TK_CONCAT, PARSE_TC_OPERATOR); }
      "("  { RET(TK_LP, PARSE_TC_PUNCT); }
      ")"  { RET(TK_RP, PARSE_TC_PUNCT); }
      ","  { RET(TK_COMMA, PARSE_TC_PUNCT); }
      "."  { RET(TK_DOT, PARSE_TC_PUNCT); }
      ";"  { RET(TK_SEMI, PARSE_TC_PUNCT); }

      * {
        if (utf8_bad_at(start, (size_t)(lim - start)) == 0)
          return check_utf8(lx, start, (size_t)(lim - start), "statement text");
        int n = utf8_len((const unsigned char *)start);
        core_error_set(lx->err, SLUICE_SYNTAX, "unexpected character \"%.*s\"", n, start);
        core_error_at(lx->err, (int32_t)(start - lx->text));
        return SLUICE_SYNTAX;
      }
    */
#undef RET
#undef RET_QUOTED
  }
}

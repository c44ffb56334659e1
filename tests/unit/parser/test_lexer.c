/*
 * test_lexer.c — the lexer through parse_tokenize() and the literal values
 * it leads to (through parse_expression()): every token class, comments,
 * escapes, and every lexical error with its exact message and location.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parser/parser.h"

static core_arena *arena;

static int setup(void **state) {
  (void)state;
  arena = core_arena_new(0);
  return arena ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  core_arena_free(arena);
  return 0;
}

/* Tokenizes text and renders "CLASS:text CLASS:text ...". */
static const char *toks(const char *text) {
  parse_token *t;
  int32_t n;
  core_error err;
  int rc = parse_tokenize(arena, text, strlen(text), &t, &n, &err);
  if (rc != SLUICE_OK)
    return core_arena_printf(arena, "error %d at %d: %s", rc, err.location, err.message);
  char *out = core_arena_strdup(arena, "");
  for (int32_t i = 0; i < n; i++)
    out =
        core_arena_printf(arena, "%s%s%s:%.*s", out, i ? " " : "", parse_token_class_name(t[i].cls),
                          (int)t[i].loc.len, text + t[i].loc.off);
  return out;
}

static void test_token_classes(void **state) {
  (void)state;
  assert_string_equal(toks("SELECT ticker \"Mixed\" 'str' 42 2.5 .5 2. 1e2 1.5E-6"),
                      "KEYWORD:SELECT IDENT:ticker QUOTED_IDENT:\"Mixed\" STRING:'str' INTEGER:42 "
                      "DECIMAL:2.5 DECIMAL:.5 DECIMAL:2. APPROX:1e2 APPROX:1.5E-6");
  assert_string_equal(
      toks("U&'\\0009' X'0aFF' u&'x' UESCAPE '!'"),
      "UNICODE_STRING:U&'\\0009' BINARY_STRING:X'0aFF' UNICODE_STRING:u&'x' UESCAPE '!'");
  assert_string_equal(toks("DATE '2008-08-23' TIME '13:48:23' TIMESTAMP '2004-09-30 13:48:23'"),
                      "DATE:DATE '2008-08-23' TIME:TIME '13:48:23' "
                      "TIMESTAMP:TIMESTAMP '2004-09-30 13:48:23'");
  assert_string_equal(
      toks("{d '2008-08-23'} {t '13:48:23'} {ts '2004-09-30 13:48:23'}"),
      "DATE:{d '2008-08-23'} TIME:{t '13:48:23'} TIMESTAMP:{ts '2004-09-30 13:48:23'}");
  assert_string_equal(toks("= <> != < <= > >= + - * / % || ( ) , . ;"),
                      "OPERATOR:= OPERATOR:<> OPERATOR:!= OPERATOR:< OPERATOR:<= OPERATOR:> "
                      "OPERATOR:>= OPERATOR:+ OPERATOR:- OPERATOR:* OPERATOR:/ OPERATOR:% "
                      "OPERATOR:|| PUNCT:( PUNCT:) PUNCT:, PUNCT:. PUNCT:;");
  /* keywords in any case; a keyword prefix of an identifier is an identifier */
  assert_string_equal(
      toks("select Stream dateX date_col TIMESTAMP_TO_CHAR"),
      "KEYWORD:select KEYWORD:Stream IDENT:dateX IDENT:date_col IDENT:TIMESTAMP_TO_CHAR");
  /* DATE without a string is the type keyword */
  assert_string_equal(toks("CAST(x AS DATE)"),
                      "KEYWORD:CAST PUNCT:( IDENT:x KEYWORD:AS KEYWORD:DATE PUNCT:)");
}

static void test_interval_tokens(void **state) {
  (void)state;
  const char *forms[] = {
      "INTERVAL '1' MINUTE",
      "INTERVAL '1:30' HOUR TO MINUTE",
      "INTERVAL '2' DAY(3)",
      "INTERVAL '1.5' SECOND(2,3)",
      "INTERVAL '-1' DAY",
      "INTERVAL -'1' DAY",
      "INTERVAL + '1' DAY",
      "INTERVAL '3-4' YEAR TO MONTH",
      "INTERVAL '3' YEAR(2) TO MONTH",
      "INTERVAL '2 3:4:5.678' DAY TO SECOND",
      "INTERVAL '2 3:4:5.678' DAY TO SECOND(3)",
      "INTERVAL '3 4' DAY TO HOUR",
      "INTERVAL '3 4:05' DAY TO MINUTE",
      "INTERVAL '4:05:06' HOUR TO SECOND",
      "INTERVAL '59:59.999' MINUTE TO SECOND(3)",
      "INTERVAL '7' MONTH",
      "INTERVAL '7' MONTH(2)",
      "interval '1' second ( 2 , 3 )",
      "INTERVAL\n'1'\nDAY",
  };
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    const char *want = core_arena_printf(arena, "INTERVAL:%s", forms[i]);
    assert_string_equal(toks(forms[i]), want);
  }
  /* the qualifier ends at a word boundary */
  assert_string_equal(toks("INTERVAL '1' DAY TOO"), "INTERVAL:INTERVAL '1' DAY IDENT:TOO");
  /* INTERVAL without a string is the type keyword (CAST(x AS INTERVAL DAY)) */
  assert_string_equal(toks("INTERVAL DAY"), "KEYWORD:INTERVAL KEYWORD:DAY");
}

static void test_comments_and_space(void **state) {
  (void)state;
  assert_string_equal(toks("a -- comment ; 'x'\nb"), "IDENT:a IDENT:b");
  assert_string_equal(toks("a /* block\n * comment -- 'x' */ b"), "IDENT:a IDENT:b");
  assert_string_equal(toks("a/**/b"), "IDENT:a IDENT:b");
  assert_string_equal(toks("a--"), "IDENT:a");
  assert_string_equal(toks(" \t\r\n\f\v"), "");
  /* a byte order mark at the start is skipped; offsets still count it */
  assert_string_equal(toks("\xEF\xBB\xBFSELECT\r\n1"), "KEYWORD:SELECT INTEGER:1");
  assert_string_equal(toks("a \xEF\xBB\xBF"),
                      "error 9 at 2: unexpected character \"\xEF\xBB\xBF\"");
  /* `//` is not a comment (spec 1.1) */
  assert_string_equal(toks("a // b"), "IDENT:a OPERATOR:/ OPERATOR:/ IDENT:b");
  /* a comment inside a string is data */
  assert_string_equal(toks("'-- x /* y'"), "STRING:'-- x /* y'");
}

static void test_escapes(void **state) {
  (void)state;
  assert_string_equal(toks("'can''t' \"a\"\"b\" ''"),
                      "STRING:'can''t' QUOTED_IDENT:\"a\"\"b\" STRING:''");
  parse_expr *e;
  core_error err;
  assert_int_equal(parse_expression(arena, "'can''t'", 8, &e, &err), SLUICE_OK);
  assert_string_equal(e->u.lit.text, "can't");
  assert_int_equal(e->u.lit.value.type.id, CORE_T_CHAR);
  assert_int_equal(e->u.lit.value.type.precision, 5);
  const char *u = "U&'a\\0009b\\\\c\\+01F600'";
  assert_int_equal(parse_expression(arena, u, strlen(u), &e, &err), SLUICE_OK);
  assert_string_equal(e->u.lit.text, "a\tb\\c\xF0\x9F\x98\x80");
  assert_int_equal(e->u.lit.value.type.precision, 6);
  const char *u2 = "U&'!0041!!\\' UESCAPE '!'";
  assert_int_equal(parse_expression(arena, u2, strlen(u2), &e, &err), SLUICE_OK);
  assert_string_equal(e->u.lit.text, "A!\\");
  const char *q = "\"a\"\"b\"";
  assert_int_equal(parse_expression(arena, q, strlen(q), &e, &err), SLUICE_OK);
  assert_int_equal(e->kind, PARSE_E_COLUMN);
  parse_ident *id = e->u.column.parts.items[0];
  assert_string_equal(id->name, "a\"b");
  assert_true(id->quoted);
  assert_int_equal(parse_expression(arena, "ticker", 6, &e, &err), SLUICE_OK);
  id = e->u.column.parts.items[0];
  assert_string_equal(id->name, "TICKER");
  assert_false(id->quoted);
  assert_int_equal(parse_expression(arena, "X'0aFF'", 7, &e, &err), SLUICE_OK);
  assert_string_equal(e->u.lit.text, "0AFF");
  assert_int_equal(e->u.lit.value.u.s.n, 2);
  assert_memory_equal(e->u.lit.value.u.s.p, "\x0a\xff", 2);
}

/* Error message and location of a lexical error. */
static void lex_error(const char *text, const char *msg, int loc) {
  parse_token *t;
  int32_t n;
  core_error err;
  assert_int_equal(parse_tokenize(arena, text, strlen(text), &t, &n, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, msg);
  assert_int_equal(err.location, loc);
}

static void test_errors(void **state) {
  (void)state;
  lex_error("SELECT 'abc", "unterminated string literal", 7);
  lex_error("SELECT 'abc''", "unterminated string literal", 7);
  lex_error("a /* x", "unterminated /* comment", 2);
  lex_error("a /* x *", "unterminated /* comment", 2);
  lex_error("SELECT \"abc", "unterminated quoted identifier", 7);
  lex_error("x U&'abc", "unterminated string literal", 2);
  lex_error("x X'ab", "unterminated binary literal", 2);
  lex_error("TIMESTAMP '2024", "unterminated string literal", 0);
  lex_error("INTERVAL '1", "unterminated string literal", 0);
  lex_error("a # b", "unexpected character \"#\"", 2);
  lex_error("a \xc3\xa9 b", "unexpected character \"\xc3\xa9\"", 2);
  lex_error("a ? b", "unexpected character \"?\"", 2);
  lex_error("a | b", "unexpected character \"|\"", 2);
  lex_error("\"\"", "zero-length delimited identifier", 0);
  lex_error("\"a\tb\"", "quoted identifier contains a control character", 2);
  lex_error("X'0G'", "invalid hexadecimal digit in binary literal", 3);
  lex_error("X'ABC'", "binary literal must have an even number of hexadecimal digits", 0);
  lex_error("INTERVAL '1' FORTNIGHT", "invalid interval qualifier", 13);
  lex_error("INTERVAL '1' DAYS", "invalid interval qualifier", 13);
  lex_error("INTERVAL '1' DAY TO HOURS", "invalid interval qualifier", 20);
  lex_error("INTERVAL '1'", "interval literal needs a qualifier such as DAY or HOUR TO MINUTE", 12);
  lex_error("'\xff'", "string literal is not valid UTF-8", 1); /* at the byte */
  char longname[200];
  memset(longname, 'a', 129);
  longname[129] = '\0';
  lex_error(longname, "identifier is too long (maximum 128 characters)", 0);
  longname[128] = '\0';
  parse_token *t;
  int32_t n;
  core_error err;
  assert_int_equal(parse_tokenize(arena, longname, 128, &t, &n, &err), SLUICE_OK);
  /* an embedded NUL is not the end */
  assert_int_equal(parse_tokenize(arena, "a\0b", 3, &t, &n, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, "invalid character NUL in the statement text");
  assert_int_equal(err.location, 1);
}

/* Errors found while decoding a literal (message and location). */
static void literal_error(const char *text, const char *msg, int loc) {
  parse_expr *e;
  core_error err;
  assert_int_equal(parse_expression(arena, text, strlen(text), &e, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, msg);
  assert_int_equal(err.location, loc);
}

static void test_literal_errors(void **state) {
  (void)state;
  literal_error("1 + U&'\\00'",
                "invalid Unicode escape: \\ must be followed by 4 hexadecimal digits, "
                "+ and 6 hexadecimal digits, or \\",
                7);
  literal_error("U&'\\D800'", "invalid Unicode code point U+D800", 3);
  literal_error("U&'x' UESCAPE '+'", "invalid Unicode escape character '+'", 15);
  literal_error("TIMESTAMP '2024-13-01 00:00:00'",
                "invalid TIMESTAMP literal '2024-13-01 00:00:00'", 0);
  literal_error("DATE '2024-02-30'", "invalid DATE literal '2024-02-30'", 0);
  literal_error("TIME '25:00:00'", "invalid TIME literal '25:00:00'", 0);
  literal_error("INTERVAL '1:70' HOUR TO MINUTE",
                "invalid interval literal '1:70' for INTERVAL HOUR TO MINUTE", 0);
  literal_error("INTERVAL '100' DAY(2)", "invalid interval literal '100' for INTERVAL DAY(2)", 0);
  literal_error("INTERVAL '1 2' DAY", "invalid interval literal '1 2' for INTERVAL DAY", 0);
  literal_error("INTERVAL '1' DAY(10)", "interval precision out of range", 13);
  literal_error("123456789012345678901234567890123456789",
                "numeric literal 123456789012345678901234567890123456789 has too many digits", 0);
  literal_error("1e999", "numeric literal 1E999 is out of range", 0);
}

static void test_literal_values(void **state) {
  (void)state;
  struct {
    const char *text;
    int type;
    int64_t v;
  } cases[] = {
      {"42", CORE_T_INTEGER, 42},
      {"2147483648", CORE_T_BIGINT, 2147483648LL},
      {"INTERVAL '1' MINUTE", CORE_T_INTERVAL_DT, 60000},
      {"INTERVAL '1:30' HOUR TO MINUTE", CORE_T_INTERVAL_DT, 5400000},
      {"INTERVAL '2' DAY(3)", CORE_T_INTERVAL_DT, 2 * 86400000LL},
      {"INTERVAL '1.5' SECOND(2,3)", CORE_T_INTERVAL_DT, 1500},
      {"INTERVAL '-1' DAY", CORE_T_INTERVAL_DT, -86400000LL},
      {"INTERVAL -'1' DAY", CORE_T_INTERVAL_DT, -86400000LL},
      {"INTERVAL -'-1' DAY", CORE_T_INTERVAL_DT, 86400000LL},
      {"INTERVAL '3-4' YEAR TO MONTH", CORE_T_INTERVAL_YM, 40},
      {"INTERVAL '7' MONTH", CORE_T_INTERVAL_YM, 7},
      {"INTERVAL '2 3:4:5.678' DAY TO SECOND", CORE_T_INTERVAL_DT, 183845678},
      {"INTERVAL '59:59.999' MINUTE TO SECOND(3)", CORE_T_INTERVAL_DT, 3599999},
      {"INTERVAL '3 4' DAY TO HOUR", CORE_T_INTERVAL_DT, 3 * 86400000LL + 4 * 3600000LL},
      {"INTERVAL '60' SECOND", CORE_T_INTERVAL_DT, 60000},
      /* [IMPL] a leading field wider than the default precision 2 is accepted */
      {"INTERVAL '3600' SECOND", CORE_T_INTERVAL_DT, 3600000},
      {"TIMESTAMP '1970-01-01 00:00:01'", CORE_T_TIMESTAMP, 1000},
      {"DATE '1970-01-02'", CORE_T_DATE, 1},
      {"TIME '00:01:00'", CORE_T_TIME, 60000},
      {"{ts '1970-01-01 00:00:02'}", CORE_T_TIMESTAMP, 2000},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    parse_expr *e;
    core_error err;
    int rc = parse_expression(arena, cases[i].text, strlen(cases[i].text), &e, &err);
    if (rc != SLUICE_OK) fail_msg("%s: %s", cases[i].text, err.message);
    assert_int_equal(e->kind, PARSE_E_LITERAL);
    assert_int_equal(e->u.lit.value.type.id, cases[i].type);
    assert_int_equal(e->u.lit.value.u.i, cases[i].v);
  }
  parse_expr *e;
  core_error err;
  assert_int_equal(parse_expression(arena, "2.50", 4, &e, &err), SLUICE_OK);
  assert_int_equal(e->u.lit.kind, PARSE_L_DECIMAL);
  assert_int_equal(e->u.lit.value.type.precision, 3);
  assert_int_equal(e->u.lit.value.type.scale, 2);
  assert_true(e->u.lit.value.u.dec == 250);
  assert_int_equal(parse_expression(arena, "1.5e-6", 6, &e, &err), SLUICE_OK);
  assert_int_equal(e->u.lit.kind, PARSE_L_APPROX);
  assert_string_equal(e->u.lit.text, "1.5E-6");
  assert_true(e->u.lit.value.u.d == 1.5e-6);
  assert_int_equal(parse_expression(arena, "99999999999999999999", 20, &e, &err), SLUICE_OK);
  assert_int_equal(e->u.lit.value.type.id, CORE_T_DECIMAL);
  assert_int_equal(e->u.lit.value.type.precision, 20);
  /* interval qualifiers as types */
  assert_int_equal(parse_expression(arena, "INTERVAL '1.5' SECOND(2,3)", 26, &e, &err), SLUICE_OK);
  assert_int_equal(e->u.lit.value.type.start, CORE_IU_SECOND);
  assert_int_equal(e->u.lit.value.type.end, CORE_IU_NONE);
  assert_int_equal(e->u.lit.value.type.precision, 2);
  assert_int_equal(e->u.lit.value.type.scale, 3);
  assert_int_equal(parse_expression(arena, "INTERVAL '1' DAY TO SECOND(3)", 29, &e, &err),
                   SLUICE_SYNTAX);
  assert_int_equal(parse_expression(arena, "INTERVAL '1 0:0:0' DAY TO SECOND(3)", 35, &e, &err),
                   SLUICE_OK);
  assert_int_equal(e->u.lit.value.type.start, CORE_IU_DAY);
  assert_int_equal(e->u.lit.value.type.end, CORE_IU_SECOND);
  assert_int_equal(e->u.lit.value.type.precision, 0);
  assert_int_equal(e->u.lit.value.type.scale, 3);
}

static void test_keyword_table_sorted(void **state) {
  (void)state;
  int n = parse_keyword_count();
  assert_true(n > 300);
  for (int i = 1; i < n; i++)
    if (strcmp(parse_keyword_at(i - 1), parse_keyword_at(i)) >= 0)
      fail_msg("keyword table out of order at %s", parse_keyword_at(i));
  bool reserved;
  assert_true(parse_is_keyword("select", 6, &reserved));
  assert_true(reserved);
  assert_true(parse_is_keyword("Description", 11, &reserved));
  assert_false(reserved);
  assert_false(parse_is_keyword("TICKER", 6, &reserved));
  assert_true(parse_is_keyword("ROWTIME", 7, &reserved));
  assert_true(reserved);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_token_classes),
      cmocka_unit_test(test_interval_tokens),
      cmocka_unit_test(test_comments_and_space),
      cmocka_unit_test(test_escapes),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_literal_errors),
      cmocka_unit_test(test_literal_values),
      cmocka_unit_test(test_keyword_table_sorted),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

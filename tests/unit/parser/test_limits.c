/*
 * test_limits.c — the parser at its limits: statements of 1 MB, deep nesting
 * (parentheses, NOT, unary minus, subqueries, calls, CASE, EXPLAIN), long flat
 * chains that the printer and the AST equality walk without recursion,
 * invalid UTF-8 in every place text can appear, and two grammar decisions:
 * NOT binds tighter than IS (spec 2.2), and an operand that binds more loosely
 * than its place allows needs parentheses. Run under ASan with the default
 * 8 MB stack; the chain tests also run in a thread with a 1 MB stack, which a
 * recursive walk of a 250,000-node chain would overflow.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parser/parser.h"

#define MB (1024 * 1024)

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

/* prefix + n copies of unit + suffix, from the arena. */
static char *repeat(const char *prefix, const char *unit, int n, const char *suffix) {
  size_t lp = strlen(prefix), lu = strlen(unit), ls = strlen(suffix);
  char *s = core_arena_alloc(arena, lp + lu * (size_t)n + ls + 1);
  assert_non_null(s);
  memcpy(s, prefix, lp);
  for (int i = 0; i < n; i++) memcpy(s + lp + lu * (size_t)i, unit, lu);
  memcpy(s + lp + lu * (size_t)n, suffix, ls + 1);
  return s;
}

static parse_stmt *parse_ok(const char *sql) {
  parse_stmt *s;
  core_error err;
  int rc = parse_statement(arena, sql, strlen(sql), &s, &err);
  if (rc != SLUICE_OK) fail_msg("%.60s... -> %d at %d: %s", sql, rc, err.location, err.message);
  return s;
}

/* sql fails with code and message at byte offset loc. */
static void parse_fails(const char *sql, size_t len, int code, const char *msg, int32_t loc) {
  parse_stmt *s;
  core_error err;
  assert_int_equal(parse_statement(arena, sql, len, &s, &err), code);
  assert_null(s);
  assert_string_equal(err.message, msg);
  assert_int_equal(err.location, loc);
}

/* Prints s, parses the print and checks that the ASTs are equal; returns the print. */
static const char *round_trip(const parse_stmt *s) {
  const char *p = parse_print_stmt(arena, s);
  assert_non_null(p);
  parse_stmt *again = parse_ok(p);
  assert_true(parse_stmt_equal(s, again));
  return p;
}

static const char *parens(const char *expr) {
  parse_expr *e;
  core_error err;
  int rc = parse_expression(arena, expr, strlen(expr), &e, &err);
  if (rc != SLUICE_OK) fail_msg("%s -> %s", expr, err.message);
  return parse_print_expr(arena, e, PARSE_PRINT_PARENS);
}

static const char *minimal(const char *expr) {
  parse_expr *e, *again;
  core_error err;
  int rc = parse_expression(arena, expr, strlen(expr), &e, &err);
  if (rc != SLUICE_OK) fail_msg("%s -> %s", expr, err.message);
  char *p = parse_print_expr(arena, e, 0);
  assert_int_equal(parse_expression(arena, p, strlen(p), &again, &err), SLUICE_OK);
  assert_true(parse_expr_equal(e, again));
  return p;
}

static void expr_fails(const char *expr, const char *msg, int32_t loc) {
  parse_expr *e;
  core_error err;
  assert_int_equal(parse_expression(arena, expr, strlen(expr), &e, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, msg);
  assert_int_equal(err.location, loc);
}

/* ------------------------------------------------------------- 1 MB -- */

static void test_one_megabyte(void **state) {
  (void)state;
  /* an IN list of 150,000 numbers */
  char *sql = repeat("SELECT STREAM a FROM s WHERE a IN (0", ", 12345", 150000, ")");
  assert_true(strlen(sql) > MB);
  parse_stmt *s = parse_ok(sql);
  const parse_expr *in = s->u.query->u.select.where;
  assert_int_equal(in->kind, PARSE_E_IN_LIST);
  assert_int_equal(in->u.in.list.n, 150001);
  assert_string_equal(round_trip(s),
                      repeat("SELECT STREAM A FROM S WHERE A IN (0", ", 12345", 150000, ")"));

  /* a string literal of 1 MB (with doubled quotes) */
  sql = repeat("VALUES ('", "ab''c", MB / 5, "')");
  s = parse_ok(sql);
  const parse_expr *lit = ((parse_list *)s->u.query->u.values.rows.items[0])->items[0];
  assert_int_equal(lit->u.lit.kind, PARSE_L_STRING);
  assert_int_equal(lit->u.lit.text_len, (MB / 5) * 4);
  assert_memory_equal(lit->u.lit.text, "ab'cab'c", 8);
  round_trip(s);

  /* 1 MB of `a + a + ...`: a left-deep chain of 262,144 terms parses, prints
   * and compares without recursion (see test_flat_chains) */
  sql = repeat("SELECT a", " + a", MB / 4, " FROM s");
  s = parse_ok(sql);
  assert_string_equal(round_trip(s), repeat("SELECT A", " + A", MB / 4, " FROM S"));

  /* and those that must fail, with the message and where */
  sql = repeat("SELECT '", "x", MB, "");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, "unterminated string literal", 7);
  sql = repeat("SELECT a", "b", MB, " FROM s");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, "identifier is too long (maximum 128 characters)",
              7);
  sql = repeat("SELECT \"", "b", MB, "\" FROM s");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, "identifier is too long (maximum 128 characters)",
              7);
  sql = repeat("SELECT ", "(", MB, "1");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, "statement is too deeply nested", 1003);
  /* a NUL byte in the middle of 1 MB */
  sql = repeat("SELECT a FROM s WHERE b = '", "x", MB, "'");
  sql[MB / 2] = '\0';
  parse_fails(sql, strlen(sql + MB / 2 + 1) + MB / 2 + 1, SLUICE_SYNTAX,
              "invalid character NUL in the statement text", MB / 2);
  /* a NUL inside a quoted identifier or a comment too, not "unterminated" */
  parse_fails("SELECT \"a\0b\" FROM s", 17, SLUICE_SYNTAX,
              "invalid character NUL in the statement text", 9);
  parse_fails("SELECT a /* \0 */ FROM s", 24, SLUICE_SYNTAX,
              "invalid character NUL in the statement text", 12);
  parse_fails("SELECT a -- \0\n FROM s", 22, SLUICE_SYNTAX,
              "invalid character NUL in the statement text", 12);
}

/* ------------------------------------------------------ deep nesting -- */

static void test_deep_nesting(void **state) {
  (void)state;
  const int n = 10000;
  const char *msg = "statement is too deeply nested";
  char *sql = repeat("SELECT ", "(", n, repeat("1", ")", n, " FROM s"));
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 1003);
  sql = repeat("SELECT ", "NOT ", n, "TRUE FROM s");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 3990);
  sql = repeat("SELECT ", "- ", n, "1 FROM s");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 1998);
  sql = repeat("SELECT ", "-(", n, "1");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 1003);
  /* (`--` starts a comment: ten thousand minus signs are one comment) */
  sql = repeat("SELECT ", "-", n, "1 FROM s");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, "syntax error at end of input", 10015);
  /* scalar subqueries, FROM subqueries, IN subqueries, EXISTS */
  sql = repeat("SELECT ", "(SELECT ", n, "1");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 1998);
  sql = repeat("SELECT a FROM ", "(SELECT a FROM ", n, "s");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 2496);
  sql = repeat("SELECT a FROM s WHERE ", "a IN (SELECT a FROM s WHERE ", n, "TRUE");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 2798);
  sql = repeat("SELECT a FROM s WHERE ", "EXISTS (SELECT a FROM s WHERE ", n, "TRUE");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 3330);
  /* calls, CASE, CAST, EXPLAIN, period predicates written with parentheses */
  sql = repeat("SELECT ", "f(", n, "1");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 1003);
  sql = repeat("SELECT ", "CASE WHEN ", n, "1");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 3326);
  sql = repeat("SELECT ", "CAST(", n, "1");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 2497);
  sql = repeat("", "EXPLAIN ", n, "VALUES (1)");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 7991);
  sql = repeat("SELECT ", "a + (", n, "1");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, 1667);

  /* within the limits: 300 levels of each parse, print and round-trip */
  round_trip(parse_ok(repeat("SELECT ", "(", 300, repeat("1", ")", 300, " FROM s"))));
  round_trip(parse_ok(repeat("SELECT ", "NOT ", 300, "TRUE FROM s")));
  round_trip(parse_ok(repeat("SELECT ", "- ", 300, "1 FROM s")));
  round_trip(parse_ok(repeat("SELECT ", "-(", 300, repeat("1", ")", 300, " FROM s"))));
  round_trip(parse_ok(repeat("SELECT ", "(SELECT ", 100, repeat("1", " FROM s)", 100, " FROM s"))));
  round_trip(parse_ok(repeat("SELECT ", "f(", 300, repeat("1", ")", 300, " FROM s"))));
  sql = repeat("", "EXPLAIN ", 300, "VALUES (1)");
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, "EXPLAIN cannot explain an EXPLAIN", 2392);
  /* `- -1` prints with a space, not parentheses: printing adds no nesting */
  assert_string_equal(
      round_trip(parse_ok(repeat("SELECT ", "-(", 300, repeat("1", ")", 300, " FROM s")))),
      repeat("SELECT ", "- ", 299, "-1 FROM S"));
}

/* ------------------------------------------------------- flat chains -- */

typedef struct chain_case {
  const char *prefix, *unit, *suffix, *printed_prefix, *printed_unit, *printed_suffix;
} chain_case;

static const chain_case chains[] = {
    {"SELECT a", " + a", " FROM s", "SELECT A", " + A", " FROM S"},
    {"SELECT a FROM s WHERE a", " OR a", "", "SELECT A FROM S WHERE A", " OR A", ""},
    {"SELECT a", " || 'x'", " FROM s", "SELECT A", " || 'x'", " FROM S"},
    {"SELECT a", " IS NOT NULL", " FROM s", "SELECT A", " IS NOT NULL", " FROM S"},
    {"SELECT a FROM s", " UNION ALL SELECT a FROM s", "", "SELECT A FROM S",
     " UNION ALL SELECT A FROM S", ""},
    {"SELECT a FROM s", ", s", "", "SELECT A FROM S", ", S", ""},
    {"SELECT a FROM s", " JOIN t ON TRUE", "", "SELECT A FROM S", " JOIN T ON TRUE", ""},
    {"VALUES (p1", " PRECEDES p2 AND p2", " PRECEDES p3)", "VALUES (P1", " PRECEDES P2 AND P2",
     " PRECEDES P3)"},
};

/* Parses, prints and compares every chain of `terms` terms. Runs in a thread
 * too, so it reports a failure as a message rather than with cmocka. */
typedef struct chain_run {
  int terms;
  char failure[400];
} chain_run;

static void *run_chains(void *arg) {
  chain_run *run = arg;
  core_error err;
  for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++) {
    const chain_case *c = &chains[i];
    const char *sql = repeat(c->prefix, c->unit, run->terms, c->suffix);
    parse_stmt *s, *t, *u;
    if (parse_statement(arena, sql, strlen(sql), &s, &err) != SLUICE_OK ||
        parse_statement(arena, sql, strlen(sql), &t, &err) != SLUICE_OK) {
      snprintf(run->failure, sizeof run->failure, "chain %zu: %s", i, err.message);
      return NULL;
    }
    if (!parse_stmt_equal(s, t)) {
      snprintf(run->failure, sizeof run->failure, "chain %zu: not equal to itself", i);
      return NULL;
    }
    const char *p = parse_print_stmt(arena, s);
    if (!p ||
        strcmp(p, repeat(c->printed_prefix, c->printed_unit, run->terms, c->printed_suffix)) != 0) {
      snprintf(run->failure, sizeof run->failure, "chain %zu: printed %.60s", i, p ? p : "NULL");
      return NULL;
    }
    /* a difference at the bottom of the chain is found: the last name of the
     * prefix (the chain's first term) becomes Q */
    char *other = repeat(c->prefix, c->unit, run->terms, c->suffix);
    char *at = other + strlen(c->prefix);
    while (!(*at >= 'a' && *at <= 'z')) at--;
    *at = 'q';
    if (parse_statement(arena, other, strlen(other), &u, &err) != SLUICE_OK ||
        parse_stmt_equal(s, u)) {
      snprintf(run->failure, sizeof run->failure, "chain %zu: a changed term is not found", i);
      return NULL;
    }
  }
  return NULL;
}

static void test_flat_chains(void **state) {
  (void)state;
  /* the 25,000-term chains on the main thread (8 MB of stack) ... */
  chain_run run = {25000, ""};
  run_chains(&run);
  assert_string_equal(run.failure, "");
  /* ... and 250,000 terms in a thread with 1 MB of stack: a recursive walk
   * of the chain would need far more (the printer's frame alone is >100 bytes) */
  pthread_attr_t attr;
  pthread_t th;
  assert_int_equal(pthread_attr_init(&attr), 0);
  assert_int_equal(pthread_attr_setstacksize(&attr, 1 * MB), 0);
  chain_run big = {250000, ""};
  assert_int_equal(pthread_create(&th, &attr, run_chains, &big), 0);
  assert_int_equal(pthread_join(th, NULL), 0);
  pthread_attr_destroy(&attr);
  assert_string_equal(big.failure, "");
}

/* --------------------------------------------------------- UTF-8 -- */

static void utf8_fails(const char *sql, const char *msg, int32_t loc) {
  parse_fails(sql, strlen(sql), SLUICE_SYNTAX, msg, loc);
  /* the tokenizer reports the same */
  parse_token *t;
  int32_t n;
  core_error err;
  assert_int_equal(parse_tokenize(arena, sql, strlen(sql), &t, &n, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, msg);
  assert_int_equal(err.location, loc);
}

static void test_invalid_utf8(void **state) {
  (void)state;
  /* unquoted identifiers are ASCII; a broken byte in one is reported as such */
  utf8_fails("SELECT ab\xff FROM s", "statement text is not valid UTF-8", 9);
  utf8_fails("SELECT a\xc3 FROM s", "statement text is not valid UTF-8", 8);
  parse_fails("SELECT \xc3\xa9 FROM s", 14, SLUICE_SYNTAX, "unexpected character \"\xc3\xa9\"", 7);
  /* quoted identifiers: truncated, overlong, surrogate, stray continuation byte */
  utf8_fails("SELECT \"ab\xe2\x82\" FROM s", "quoted identifier is not valid UTF-8", 10);
  utf8_fails("SELECT \"\xc0\xaf\" FROM s", "quoted identifier is not valid UTF-8", 8);
  utf8_fails("SELECT \"x\xed\xa0\x80\" FROM s", "quoted identifier is not valid UTF-8", 9);
  utf8_fails("SELECT \"\xe2\x82\xac\x80\" FROM s", "quoted identifier is not valid UTF-8", 11);
  /* string literals of every kind */
  utf8_fails("SELECT 'caf\xc3' FROM s", "string literal is not valid UTF-8", 11);
  utf8_fails("SELECT 'ok', 'x\xf5\x80\x80\x80' FROM s", "string literal is not valid UTF-8", 15);
  utf8_fails("SELECT U&'a\xff' FROM s", "string literal is not valid UTF-8", 11);
  utf8_fails("SELECT DATE '\xff' FROM s", "string literal is not valid UTF-8", 13);
  utf8_fails("SELECT INTERVAL '1\xff' DAY FROM s", "string literal is not valid UTF-8", 18);
  /* comments */
  utf8_fails("SELECT a -- r\xc3sum\xc3\xa9\nFROM s", "comment is not valid UTF-8", 13);
  utf8_fails("SELECT a /* \xf0\x9f\x98 */ FROM s", "comment is not valid UTF-8", 12);
  utf8_fails("-- \xff", "comment is not valid UTF-8", 3);
  /* valid UTF-8 everywhere is fine */
  parse_ok(
      "SELECT \"caf\xc3\xa9\", 'na\xc3\xafve \xf0\x9f\x98\x80' FROM s -- r\xc3\xa9sum\xc3\xa9\n"
      "/* \xe2\x82\xac */");
  /* the detail names the byte */
  parse_stmt *s;
  core_error err;
  const char *sql = "SELECT 'a\x80' FROM s";
  assert_int_equal(parse_statement(arena, sql, strlen(sql), &s, &err), SLUICE_SYNTAX);
  assert_string_equal(err.detail, "The byte at the caret is 0x80.");
}

/* ---------------------------------------------------- NOT versus IS -- */

/*
 * [decision] Spec 2.2 records KDA's results `NOT UNKNOWN IS TRUE` -> FALSE,
 * `NOT UNKNOWN IS FALSE` -> FALSE, `NOT UNKNOWN IS UNKNOWN` -> TRUE, which
 * hold only for `(NOT UNKNOWN) IS ...` (standard SQL's `NOT (UNKNOWN IS TRUE)`
 * would be TRUE). The spec's documented behaviour wins: NOT binds tighter
 * than IS. Against comparisons and the other predicates NOT keeps the
 * standard place (spec 2.3 gives no example there): `NOT a = b` is
 * `NOT (a = b)`.
 */
static void test_not_is(void **state) {
  (void)state;
  assert_string_equal(parens("NOT UNKNOWN IS TRUE"), "((NOT UNKNOWN) IS TRUE)");
  assert_string_equal(parens("NOT UNKNOWN IS FALSE"), "((NOT UNKNOWN) IS FALSE)");
  assert_string_equal(parens("NOT UNKNOWN IS UNKNOWN"), "((NOT UNKNOWN) IS UNKNOWN)");
  assert_string_equal(parens("NOT a IS NOT NULL"), "((NOT A) IS NOT NULL)");
  assert_string_equal(parens("NOT a IS DISTINCT FROM b"), "((NOT A) IS DISTINCT FROM B)");
  assert_string_equal(parens("NOT NOT a IS TRUE"), "((NOT (NOT A)) IS TRUE)");
  assert_string_equal(parens("NOT a = b IS TRUE"), "((NOT (A = B)) IS TRUE)");
  assert_string_equal(parens("NOT a BETWEEN 1 AND 2"), "(NOT (A BETWEEN 1 AND 2))");
  assert_string_equal(parens("NOT a LIKE 'x' IS FALSE"), "((NOT (A LIKE 'x')) IS FALSE)");
  assert_string_equal(parens("NOT a IS TRUE AND NOT b IS FALSE OR c"),
                      "((((NOT A) IS TRUE) AND ((NOT B) IS FALSE)) OR C)");
  /* the standard reading needs parentheses, and the printer keeps them */
  assert_string_equal(parens("NOT (UNKNOWN IS TRUE)"), "(NOT (UNKNOWN IS TRUE))");
  assert_string_equal(minimal("NOT (UNKNOWN IS TRUE)"), "NOT (UNKNOWN IS TRUE)");
  assert_string_equal(minimal("(NOT UNKNOWN) IS TRUE"), "NOT UNKNOWN IS TRUE");
}

/* ------------------------------------------- operands need parentheses -- */

static void test_operand_parentheses(void **state) {
  (void)state;
  /* a postfix predicate on the left of a tighter operator */
  expr_fails("a IS NULL + 1", "syntax error at or near \"+\"", 10);
  expr_fails("a IS NULL = b", "syntax error at or near \"=\"", 10);
  expr_fails("a IN (1) IN (2)", "syntax error at or near \"IN\"", 9);
  expr_fails("a IN (1) || 'x'", "syntax error at or near \"||\"", 9);
  expr_fails("a IS TRUE BETWEEN 1 AND 2", "syntax error at or near \"BETWEEN\"", 10);
  expr_fails("a IS NULL LIKE 'x'", "syntax error at or near \"LIKE\"", 10);
  /* NOT on the right of a tighter operator */
  expr_fails("a = NOT b", "syntax error at or near \"NOT\"", 4);
  expr_fails("a * NOT b", "syntax error at or near \"NOT\"", 4);
  expr_fails("- NOT a", "syntax error at or near \"NOT\"", 2);
  /* anything between BETWEEN and its AND */
  expr_fails("a BETWEEN b = c AND d", "syntax error at or near \"=\"", 12);
  expr_fails("a BETWEEN NOT b AND c", "syntax error at or near \"NOT\"", 10);
  expr_fails("a BETWEEN b /* x */ IN (1) AND d", "syntax error at or near \"IN\"", 20);
  /* the hint */
  parse_expr *e;
  core_error err;
  assert_int_equal(parse_expression(arena, "a IS NULL + 1", 13, &e, &err), SLUICE_SYNTAX);
  assert_string_equal(err.hint, "Write the operand in parentheses.");
  /* with parentheses they parse, and print with them */
  assert_string_equal(minimal("(a IS NULL) + 1"), "(A IS NULL) + 1");
  assert_string_equal(minimal("(a IN (1)) IN (2)"), "(A IN (1)) IN (2)");
  assert_string_equal(minimal("a = (NOT b)"), "A = (NOT B)");
  assert_string_equal(minimal("a BETWEEN (b = c) AND d"), "A BETWEEN (B = C) AND D");
  /* what binds more loosely is fine where precedence puts it */
  assert_string_equal(minimal("a IN (1) = b IN (2)"), "A IN (1) = B IN (2)");
  assert_string_equal(minimal("a IS NULL AND b IS NULL"), "A IS NULL AND B IS NULL");
  assert_string_equal(minimal("a IS NULL IS NOT NULL"), "A IS NULL IS NOT NULL");
  assert_string_equal(minimal("a BETWEEN 1 AND 2 IS TRUE"), "A BETWEEN 1 AND 2 IS TRUE");
  assert_string_equal(minimal("a AND NOT b"), "A AND NOT B");
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  /* one arena per test: the 1 MB cases allocate a lot */
  const struct CMUnitTest tests[] = {
      T(test_one_megabyte), T(test_deep_nesting), T(test_flat_chains),
      T(test_invalid_utf8), T(test_not_is),       T(test_operand_parentheses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

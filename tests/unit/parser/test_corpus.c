/*
 * test_corpus.c — data-driven parser tests.
 *
 * corpus/NAME.sql: every example application of spec section 8 (and the
 * statement examples of section 1). Each file must parse; every statement
 * must print, the printed text must parse to an equal AST, and printing that
 * AST again must give the same text (the printer is canonical). Statement
 * spans must cover exactly the statement's text.
 *
 * errors.sql: statements that must fail. Each case is a header line
 *   -- error <CODE> <location>: <message>
 * followed by the SQL text of the case (up to the next header); the location
 * is a byte offset into that text.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parser/parser.h"

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)size + 1);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
    fclose(f);
    free(buf);
    return NULL;
  }
  buf[size] = '\0';
  fclose(f);
  *n = (size_t)size;
  return buf;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Round-trips every statement of one file; returns the number of statements. */
static int check_file(const char *path) {
  size_t n;
  char *text = slurp(path, &n);
  if (!text) fail_msg("cannot read %s", path);
  core_arena *arena = core_arena_new(0);
  core_error err;
  parse_script script;
  int rc = parse_script_text(arena, text, n, &script, &err);
  if (rc != SLUICE_OK) {
    char buf[2048];
    core_error_format(&err, text, buf, sizeof buf);
    fail_msg("%s does not parse:\n%s", path, buf);
  }
  assert_true(script.n > 0);
  for (int32_t i = 0; i < script.n; i++) {
    const parse_stmt *s = script.stmts[i];
    /* the span starts at the statement's first keyword and ends at its last token */
    assert_true(s->loc.off >= 0 && s->loc.len > 0 && (size_t)(s->loc.off + s->loc.len) <= n);
    const char *first = text + s->loc.off;
    assert_true(!strncmp(first, "CREATE", 6) || !strncmp(first, "SELECT", 6) ||
                !strncmp(first, "VALUES", 6) || !strncmp(first, "INSERT", 6) ||
                !strncmp(first, "EXPLAIN", 7));
    char last = text[s->loc.off + s->loc.len - 1];
    assert_true(last != ' ' && last != '\n' && last != ';');
    char *printed = parse_print_stmt(arena, s);
    assert_non_null(printed);
    parse_stmt *again;
    rc = parse_statement(arena, printed, strlen(printed), &again, &err);
    if (rc != SLUICE_OK)
      fail_msg("%s #%d: printed text does not parse: %s\n%s", path, i, err.message, printed);
    if (!parse_stmt_equal(s, again)) fail_msg("%s #%d: round trip differs:\n%s", path, i, printed);
    char *printed2 = parse_print_stmt(arena, again);
    assert_string_equal(printed, printed2);
  }
  int count = script.n;
  core_arena_free(arena);
  free(text);
  return count;
}

static void test_corpus(void **state) {
  (void)state;
  DIR *d = opendir(PARSER_CORPUS_DIR);
  assert_non_null(d);
  char *names[256];
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < 256) {
    size_t len = strlen(de->d_name);
    if (len > 4 && !strcmp(de->d_name + len - 4, ".sql")) names[n++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_names);
  /* spec 8.1 .. 8.27 (8.3 is in 8.2's file, 8.28 is function suites), section 1,
   * and a whole application with sluice's own statements */
  assert_int_equal(n, 28);
  int stmts = 0;
  for (int i = 0; i < n; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PARSER_CORPUS_DIR, names[i]);
    stmts += check_file(path);
    free(names[i]);
  }
  print_message("corpus: %d files, %d statements round-tripped\n", n, stmts);
  assert_true(stmts >= 100);
}

static int code_of(const char *name) {
  if (!strcmp(name, "SYNTAX")) return SLUICE_SYNTAX;
  if (!strcmp(name, "UNSUPPORTED")) return SLUICE_UNSUPPORTED;
  return -1;
}

static void test_errors(void **state) {
  (void)state;
  size_t n;
  char *text = slurp(PARSER_ERRORS_FILE, &n);
  assert_non_null(text);
  int cases = 0;
  char *p = strstr(text, "-- error ");
  while (p) {
    char *eol = strchr(p, '\n');
    assert_non_null(eol);
    char code[32], msg[512];
    int loc;
    *eol = '\0';
    if (sscanf(p, "-- error %31s %d: %511[^\n]", code, &loc, msg) != 3)
      fail_msg("bad header: %s", p);
    char *sql = eol + 1;
    char *next = strstr(sql, "\n-- error ");
    size_t len = next ? (size_t)(next - sql) : strlen(sql);
    while (len > 0 && sql[len - 1] == '\n') len--;
    core_arena *arena = core_arena_new(0);
    core_error err;
    parse_script script;
    int rc = parse_script_text(arena, sql, len, &script, &err);
    if (rc != code_of(code) || err.location != loc || strcmp(err.message, msg) != 0)
      fail_msg("case %.*s\n  want %s %d: %s\n  got  %d %d: %s", (int)len, sql, code, loc, msg, rc,
               err.location, err.message);
    core_arena_free(arena);
    cases++;
    p = next ? next + 1 : NULL;
  }
  print_message("errors: %d cases\n", cases);
  assert_true(cases >= 50);
  free(text);
}

/* Random edits of the corpus (deleted bytes, inserted SQL fragments, changed
 * bytes) must never crash the parser, every error must have a message and a
 * location inside the text, and whatever still parses must round-trip. The
 * seed is printed; PARSER_SEED=n repeats a run. */
static void test_mutations(void **state) {
  (void)state;
  static const char *frags[] = {" ",           "(",         ")",
                                ",",           "'",         "\"",
                                "--",          "/*",        "*/",
                                " AND ",       " OR ",      " NOT ",
                                " IN ",        " BETWEEN ", " SELECT ",
                                " FROM ",      " JOIN ",    " ON ",
                                " OVER ",      " WINDOW ",  "INTERVAL '1' DAY",
                                " TO ",        " AS ",      ";",
                                "*",           "-",         "+",
                                "||",          "1",         ".",
                                " CASE WHEN ", " END ",     " IS ",
                                " NULL ",      " UNION ",   " ORDER BY ",
                                " ROWTIME ",   "X'",        "U&'",
                                " ESCAPE ",    " LIKE ",    "(SELECT a FROM t)",
                                " PRECEDES ",  " EXPLAIN ", " TABLE(",
                                " CURSOR(",    " VALUES "};
  const char *env = getenv("PARSER_SEED");
  unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : 20261122u;
  print_message("mutations: seed %u\n", seed);
  srand(seed);
  DIR *d = opendir(PARSER_CORPUS_DIR);
  assert_non_null(d);
  struct dirent *de;
  int parsed = 0, failed = 0;
  while ((de = readdir(d))) {
    size_t nl = strlen(de->d_name);
    if (nl <= 4 || strcmp(de->d_name + nl - 4, ".sql")) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PARSER_CORPUS_DIR, de->d_name);
    size_t n;
    char *text = slurp(path, &n);
    assert_non_null(text);
    for (int it = 0; it < 60; it++) {
      char *m = malloc(n + 400);
      assert_non_null(m);
      memcpy(m, text, n);
      size_t len = n;
      int edits = 1 + rand() % 4;
      for (int k = 0; k < edits; k++) {
        size_t pos = len ? (size_t)rand() % len : 0;
        int op = rand() % 3;
        if (op == 0 && len) {
          size_t del = 1 + (size_t)(rand() % 8);
          if (pos + del > len) del = len - pos;
          memmove(m + pos, m + pos + del, len - pos - del);
          len -= del;
        } else if (op == 1) {
          const char *fr = frags[(size_t)rand() % (sizeof frags / sizeof frags[0])];
          size_t fl = strlen(fr);
          if (len + fl < n + 390) {
            memmove(m + pos + fl, m + pos, len - pos);
            memcpy(m + pos, fr, fl);
            len += fl;
          }
        } else if (len) {
          m[pos] = (char)(rand() % 128);
        }
      }
      core_arena *arena = core_arena_new(0);
      core_error err;
      parse_script script;
      int rc = parse_script_text(arena, m, len, &script, &err);
      if (rc == SLUICE_OK) {
        parsed++;
        for (int32_t i = 0; i < script.n; i++) {
          char *p = parse_print_stmt(arena, script.stmts[i]);
          parse_stmt *again;
          if (parse_statement(arena, p, strlen(p), &again, &err) != SLUICE_OK ||
              !parse_stmt_equal(script.stmts[i], again))
            fail_msg("seed %u: round trip fails for\n%.*s\nprinted as\n%s", seed,
                     (int)script.stmts[i]->loc.len, script.text + script.stmts[i]->loc.off, p);
        }
      } else {
        failed++;
        assert_true(rc == SLUICE_SYNTAX || rc == SLUICE_UNSUPPORTED);
        assert_true(err.location >= 0 && (size_t)err.location <= len);
        assert_true(err.message[0] != '\0');
      }
      core_arena_free(arena);
      free(m);
    }
    free(text);
  }
  closedir(d);
  print_message("mutations: %d parsed and round-tripped, %d rejected\n", parsed, failed);
  assert_true(parsed > 0 && failed > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_mutations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_engine.c — the public embedding API (include/sluice.h) driven as an
 * embedder would: nothing but sluice.h is included from the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice.h"

typedef struct fixture {
  char root[64];
  char dir[128];
  sluice_engine *e;
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->root, sizeof f->root, "/tmp/sluice-engine-XXXXXX");
  if (!mkdtemp(f->root)) return -1;
  /* a directory that does not exist yet: sluice_open creates it */
  snprintf(f->dir, sizeof f->dir, "%s/data", f->root);
  if (sluice_open(f->dir, NULL, &f->e) != SLUICE_OK) return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sluice_close(f->e);
  nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

/* Collects rows as "v1|v2" lines and the column names of the last row. */
typedef struct rows {
  char text[8192];
  int n;
  char names[256];
  int stop_after; /* > 0: return non-zero after that many rows */
} rows;

static int collect(void *arg, int ncols, const char *const *values, const char *const *names) {
  rows *r = arg;
  size_t len = strlen(r->text);
  r->names[0] = 0;
  for (int i = 0; i < ncols; i++) {
    len += (size_t)snprintf(r->text + len, sizeof r->text - len, "%s%s", i ? "|" : "", values[i]);
    strcat(r->names, i ? "|" : "");
    strcat(r->names, names[i]);
  }
  snprintf(r->text + len, sizeof r->text - len, "\n");
  r->n++;
  return r->stop_after && r->n >= r->stop_after;
}

static void test_ddl_and_errors(void **state) {
  fixture *f = *state;
  sluice_engine *e = f->e;
  assert_int_equal(sluice_exec(e, "CREATE STREAM s (a INTEGER, b VARCHAR(4));", NULL, NULL),
                   SLUICE_OK);
  assert_int_equal(sluice_errcode(e), SLUICE_OK);
  assert_string_equal(sluice_errmsg(e), "");
  assert_string_equal(sluice_errtext(e), "");
  /* a second CREATE: the catalog's code and message, the caret under the name */
  assert_int_equal(sluice_exec(e, "CREATE STREAM s (a INTEGER)", NULL, NULL), SLUICE_EXISTS);
  assert_int_equal(sluice_errcode(e), SLUICE_EXISTS);
  assert_string_equal(sluice_errmsg(e), "stream \"S\" already exists");
  assert_string_equal(sluice_errtext(e), "error: stream \"S\" already exists\n"
                                         "LINE 1: CREATE STREAM s (a INTEGER)\n"
                                         "                      ^");
  /* a syntax error in the second statement of a script runs nothing */
  assert_int_equal(
      sluice_exec(e, "CREATE STREAM t (a INTEGER);\nCREATE STREAM u (a INTEGR INT)", NULL, NULL),
      SLUICE_SYNTAX);
  assert_true(strstr(sluice_errtext(e), "LINE 2: ") != NULL);
  assert_int_equal(sluice_describe(e, "T", NULL, NULL), SLUICE_NOTFOUND);
  assert_string_equal(sluice_errmsg(e), "object \"T\" not found");
  /* a semantic error stops the script after the statements before it */
  assert_int_equal(sluice_exec(e,
                               "CREATE STREAM t (a INTEGER); CREATE PUMP p AS INSERT INTO t "
                               "SELECT STREAM nope FROM s; CREATE STREAM u (a INTEGER)",
                               NULL, NULL),
                   SLUICE_SEMANTIC);
  assert_string_equal(sluice_errmsg(e), "column \"NOPE\" not found in any table");
  assert_int_equal(sluice_describe(e, "T", NULL, NULL), SLUICE_OK);
  assert_int_equal(sluice_describe(e, "U", NULL, NULL), SLUICE_NOTFOUND);
  assert_int_equal(sluice_exec(e, NULL, NULL, NULL), SLUICE_INVALID);
}

static void test_queries_bind_then_run_only_in_pumps(void **state) {
  fixture *f = *state;
  sluice_engine *e = f->e;
  assert_int_equal(sluice_exec(e, "CREATE STREAM s (a INTEGER)", NULL, NULL), SLUICE_OK);
  /* a valid query: bound, validated, then refused with a clear error */
  assert_int_equal(sluice_exec(e, "SELECT STREAM a FROM s", NULL, NULL), SLUICE_UNSUPPORTED);
  assert_string_equal(sluice_errmsg(e),
                      "a query runs only inside a pump (CREATE PUMP ... AS INSERT INTO ...)");
  assert_int_equal(sluice_exec(e, "INSERT INTO s VALUES (1)", NULL, NULL), SLUICE_UNSUPPORTED);
  /* an invalid query fails binding first */
  assert_int_equal(sluice_exec(e, "SELECT STREAM b FROM s", NULL, NULL), SLUICE_SEMANTIC);
  assert_string_equal(sluice_errmsg(e), "column \"B\" not found in any table");
  assert_int_equal(sluice_exec(e, "SELECT STREAM a FROM s GROUP BY a", NULL, NULL),
                   SLUICE_SEMANTIC);
}

static void test_explain_rows(void **state) {
  fixture *f = *state;
  sluice_engine *e = f->e;
  assert_int_equal(
      sluice_exec(e, "CREATE STREAM s (a INTEGER); CREATE STREAM d (x BIGINT)", NULL, NULL),
      SLUICE_OK);
  rows r = {0};
  assert_int_equal(sluice_exec(e,
                               "EXPLAIN CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s "
                               "WHERE a > 1",
                               collect, &r),
                   SLUICE_OK);
  assert_string_equal(r.names, "PLAN");
  assert_string_equal(r.text, "create pump P\n"
                              "  insert into D (X BIGINT)\n"
                              "    select stream\n"
                              "      items: S.A AS A\n"
                              "      from:\n"
                              "        stream S AS S\n"
                              "      where: (S.A > 1)\n"
                              "      columns: A INTEGER none\n");
  /* EXPLAIN changes nothing */
  assert_int_equal(sluice_describe(e, "P", NULL, NULL), SLUICE_NOTFOUND);
  /* the callback may stop the rows */
  rows stop = {.stop_after = 2};
  assert_int_equal(sluice_exec(e, "EXPLAIN SELECT STREAM a FROM s", collect, &stop), SLUICE_STATE);
  assert_int_equal(stop.n, 2);
  assert_string_equal(sluice_errmsg(e), "the callback stopped the statement");
}

static void test_describe(void **state) {
  fixture *f = *state;
  sluice_engine *e = f->e;
  assert_int_equal(sluice_exec(e,
                               "CREATE STREAM s (a INTEGER NOT NULL, b DECIMAL(10,2));"
                               "CREATE STREAM d (a INTEGER);"
                               "CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s;"
                               "CREATE FUNCTION f(x INTEGER) RETURNS INTEGER RETURN x;"
                               "CREATE OUTPUT \"o\" FROM \"D\" TO STREAM \"out\" FORMAT CSV",
                               NULL, NULL),
                   SLUICE_OK);
  rows r = {0};
  assert_int_equal(sluice_describe(e, NULL, collect, &r), SLUICE_OK);
  assert_string_equal(r.names, "KIND|NAME");
  assert_string_equal(r.text, "stream|D\nstream|S\nsystem_stream|error_stream\npump|P\n"
                              "function|F\noutput|o\n");
  rows c = {0};
  assert_int_equal(sluice_describe(e, "S", collect, &c), SLUICE_OK);
  assert_string_equal(c.names, "ITEM|VALUE");
  assert_string_equal(c.text, "A|INTEGER NOT NULL\nB|DECIMAL(10,2)\n");
  rows p = {0};
  assert_int_equal(sluice_describe(e, "P", collect, &p), SLUICE_OK);
  assert_string_equal(p.text, "target|D\nsource|S\nstate|RUNNING\n");
  /* a pump is found after the relation lookup missed: no error is left behind */
  assert_int_equal(sluice_errcode(e), SLUICE_OK);
  assert_string_equal(sluice_errmsg(e), "");
  rows fn = {0};
  assert_int_equal(sluice_describe(e, "F", collect, &fn), SLUICE_OK);
  assert_string_equal(fn.text, "F(INTEGER)|RETURNS INTEGER\n");
  rows o = {0};
  assert_int_equal(sluice_describe(e, "o", collect, &o), SLUICE_OK);
  assert_string_equal(o.text, "stream|D\ndestination|out\nformat|CSV\n");
  assert_int_equal(sluice_check(e), SLUICE_OK);
  assert_int_equal(
      sluice_exec(e, "CREATE OUTPUT \"o2\" FROM \"X\" TO STREAM \"x\" FORMAT JSON", NULL, NULL),
      SLUICE_OK);
  assert_int_equal(sluice_check(e), SLUICE_NOTFOUND);
  assert_string_equal(sluice_errmsg(e),
                      "output stream \"X\" is not created by the application code");
}

static void test_applications_and_reopen(void **state) {
  fixture *f = *state;
  assert_int_equal(sluice_exec(f->e, "CREATE STREAM s (a INTEGER)", NULL, NULL), SLUICE_OK);
  /* a data directory is open in one engine at a time (its store is locked) */
  sluice_engine *other;
  sluice_options opt = {.application = "OTHER"};
  assert_int_equal(sluice_open(f->dir, &opt, &other), SLUICE_STATE);
  assert_non_null(strstr(sluice_errmsg(other), "is in use by another process"));
  sluice_close(other);
  /* another application on the same directory: its own namespace */
  sluice_close(f->e);
  f->e = NULL;
  assert_int_equal(sluice_open(f->dir, &opt, &other), SLUICE_OK);
  assert_int_equal(sluice_describe(other, "S", NULL, NULL), SLUICE_NOTFOUND);
  assert_int_equal(sluice_exec(other, "CREATE STREAM s (b DOUBLE)", NULL, NULL), SLUICE_OK);
  sluice_close(other);
  /* reopening the default application sees what it created */
  assert_int_equal(sluice_open(f->dir, NULL, &f->e), SLUICE_OK);
  rows r = {0};
  assert_int_equal(sluice_describe(f->e, "S", collect, &r), SLUICE_OK);
  assert_string_equal(r.text, "A|INTEGER\n");
  /* a bad application name */
  sluice_engine *bad;
  sluice_options badopt = {.application = "no spaces"};
  assert_int_equal(sluice_open(f->dir, &badopt, &bad), SLUICE_INVALID);
  assert_non_null(bad);
  char msg[256];
  snprintf(msg, sizeof msg, "%s", sluice_errmsg(bad));
  assert_true(strlen(msg) > 0);
  /* a failed engine keeps its error and refuses work */
  assert_int_equal(sluice_exec(bad, "CREATE STREAM x (a INTEGER)", NULL, NULL), SLUICE_STATE);
  assert_int_equal(sluice_describe(bad, NULL, NULL, NULL), SLUICE_STATE);
  assert_string_equal(sluice_errmsg(bad), msg);
  sluice_close(bad);
}

static void test_strict_and_roundtrip_options(void **state) {
  fixture *f = *state;
  const char *ddl = "CREATE STREAM s (t TIMESTAMP, k INTEGER)";
  const char *q = "SELECT STREAM k, COUNT(*) FROM s GROUP BY k, FLOOR(t TO MINUTE)";
  assert_int_equal(sluice_exec(f->e, ddl, NULL, NULL), SLUICE_OK);
  /* lenient (default): an event-time window, valid */
  assert_int_equal(sluice_exec(f->e, q, NULL, NULL), SLUICE_UNSUPPORTED);
  sluice_engine *strict;
  sluice_options opt = {.strict = 1, .check_roundtrip = 1};
  sluice_close(f->e);
  f->e = NULL;
  assert_int_equal(sluice_open(f->dir, &opt, &strict), SLUICE_OK);
  assert_int_equal(sluice_exec(strict, q, NULL, NULL), SLUICE_SEMANTIC);
  assert_string_equal(
      sluice_errmsg(strict),
      "streaming aggregation requires at least one monotonic expression in GROUP BY clause");
  /* the round-trip check passes for statements the printer handles */
  assert_int_equal(sluice_exec(strict,
                               "CREATE STREAM \"quoted\" (\"select\" INTEGER); EXPLAIN SELECT "
                               "STREAM \"select\" * 2 FROM \"quoted\" WHERE \"select\" IN (1, 2)",
                               NULL, NULL),
                   SLUICE_OK);
  sluice_close(strict);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_ddl_and_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_queries_bind_then_run_only_in_pumps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_explain_rows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
      cmocka_unit_test_setup_teardown(test_applications_and_reopen, setup, teardown),
      cmocka_unit_test_setup_teardown(test_strict_and_roundtrip_options, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_differential.c — random streams through tumbling and sliding windows, compared row
 * for row with the same aggregation computed in batch by SQLite (DESIGN.md section 8).
 *
 * The engine runs with a test clock: each row is put into an in-application stream at its
 * own ROWTIME, the pumps run inside the call, and at the end the clock passes the last
 * window. SQLite holds the same rows (seq, t, k, v) and answers:
 *   - tumbling: GROUP BY t / 10 s, k, emitted at the window end, groups in order of first
 *     appearance;
 *   - RANGE 5 s: for each row, the rows of its key with t in [t - 5 s, t] that arrived
 *     before it or are it (spec 4.2 [IMPL]: peers that arrive later are not waited for);
 *   - ROWS 3: the row and the 3 before it of its key.
 * Seeds are printed; SLUICE_SEED=n reruns one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdbool.h>
#include <time.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"

#define T0 1700000000000LL /* 2023-11-14 22:13:20 UTC */

typedef struct lines {
  char **v;
  int n, cap;
} lines;

static void push(lines *l, const char *s) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 256;
    l->v = realloc(l->v, sizeof *l->v * (size_t)l->cap);
    assert_non_null(l->v);
  }
  l->v[l->n++] = strdup(s);
}

static void lines_free(lines *l) {
  for (int i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  *l = (lines){0};
}

static int collect(void *arg, int ncols, const char *const *values, const char *const *names) {
  (void)names;
  char buf[1024] = "";
  for (int i = 0; i < ncols; i++) {
    if (i) strcat(buf, " ");
    strncat(buf, values[i], sizeof buf - strlen(buf) - 2);
  }
  push(arg, buf);
  return 0;
}

static void ts_text(long long ms, char *out, size_t cap) {
  time_t s = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d.%03lld", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

/* Rows of a SQLite query, each as its values joined by spaces (NULL as "NULL"), with the
 * first column (ms) rendered as a timestamp. */
static void sql_lines(sqlite3 *db, const char *sql, lines *out) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    char buf[1024] = "";
    for (int c = 0; c < sqlite3_column_count(st); c++) {
      char v[64];
      if (c == 0)
        ts_text(sqlite3_column_int64(st, 0), v, sizeof v);
      else if (sqlite3_column_type(st, c) == SQLITE_NULL)
        snprintf(v, sizeof v, "NULL");
      else
        snprintf(v, sizeof v, "%s", (const char *)sqlite3_column_text(st, c));
      if (c) strcat(buf, " ");
      strcat(buf, v);
    }
    push(out, buf);
  }
  sqlite3_finalize(st);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void compare(const char *what, unsigned seed, const lines *want, const lines *got) {
  int n = want->n < got->n ? want->n : got->n;
  for (int i = 0; i < n; i++)
    if (strcmp(want->v[i], got->v[i]) != 0) {
      fprintf(stderr, "%s (seed %u): row %d differs\n  want: %s\n  got:  %s\n", what, seed, i,
              want->v[i], got->v[i]);
      fail();
    }
  if (want->n != got->n) {
    fprintf(stderr, "%s (seed %u): %d rows expected, %d came\n", what, seed, want->n, got->n);
    fail();
  }
}

static void run_seed(unsigned seed, int nrows) {
  fprintf(stderr, "differential: seed %u, %d rows\n", seed, nrows);
  srand(seed);
  char dir[] = "/tmp/sluice-diff-XXXXXX";
  assert_non_null(mkdtemp(dir));
  sluice_options opt = {.test_clock = 1, .test_start_ms = T0};
  sluice_engine *e;
  assert_int_equal(sluice_open(dir, &opt, &e), SLUICE_OK);
  const char *ddl =
      "CREATE STREAM S (K VARCHAR(8), V INTEGER);"
      "CREATE STREAM TUMBLE (K VARCHAR(8), N BIGINT, C BIGINT, SV INTEGER, MINV INTEGER, "
      "  MAXV INTEGER);"
      "CREATE PUMP TP AS INSERT INTO TUMBLE SELECT STREAM K, COUNT(*), COUNT(V), SUM(V), MIN(V), "
      "  MAX(V) FROM S GROUP BY K, STEP(S.ROWTIME BY INTERVAL '10' SECOND);"
      "CREATE STREAM RANGED (K VARCHAR(8), N BIGINT, SV INTEGER, MINV INTEGER, MAXV INTEGER);"
      "CREATE PUMP RP AS INSERT INTO RANGED SELECT STREAM K, COUNT(*) OVER W, SUM(V) OVER W, "
      "  MIN(V) OVER W, MAX(V) OVER W FROM S "
      "  WINDOW W AS (PARTITION BY K RANGE INTERVAL '5' SECOND PRECEDING);"
      "CREATE STREAM ROWSW (K VARCHAR(8), N BIGINT, SV INTEGER, MINV INTEGER, MAXV INTEGER);"
      "CREATE PUMP WP AS INSERT INTO ROWSW SELECT STREAM K, COUNT(V) OVER W, SUM(V) OVER W, "
      "  MIN(V) OVER W, MAX(V) OVER W FROM S WINDOW W AS (PARTITION BY K ROWS 3 PRECEDING);";
  if (sluice_exec(e, ddl, NULL, NULL) != SLUICE_OK) {
    fprintf(stderr, "%s\n", sluice_errtext(e));
    fail();
  }
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "CREATE TABLE r (seq INTEGER, t INTEGER, k TEXT, v INTEGER)", 0, 0, 0),
      SQLITE_OK);
  sqlite3_stmt *ins;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO r VALUES (?, ?, ?, ?)", -1, &ins, NULL),
                   SQLITE_OK);
  static const char *const keys[] = {"a", "b", "c", "d", "e"};
  long long t = T0;
  for (int i = 0; i < nrows; i++) {
    /* bursts of equal ROWTIMEs, gaps across window ends, some empty windows */
    int r = rand() % 100;
    t += r < 30 ? 0 : r < 95 ? rand() % 1500 : 10000 + rand() % 20000;
    const char *k = keys[rand() % 5];
    bool null = rand() % 10 == 0;
    int v = rand() % 201 - 100;
    char rec[128];
    if (null)
      snprintf(rec, sizeof rec, "{\"K\":\"%s\",\"V\":null}", k);
    else
      snprintf(rec, sizeof rec, "{\"K\":\"%s\",\"V\":%d}", k, v);
    if (t != sluice_clock_now(e)) assert_int_equal(sluice_clock_set(e, t), SLUICE_OK);
    if (sluice_put(e, "S", rec, strlen(rec), NULL) != SLUICE_OK) {
      fprintf(stderr, "%s\n", sluice_errtext(e));
      fail();
    }
    sqlite3_bind_int(ins, 1, i);
    sqlite3_bind_int64(ins, 2, t);
    sqlite3_bind_text(ins, 3, k, -1, SQLITE_STATIC);
    if (null)
      sqlite3_bind_null(ins, 4);
    else
      sqlite3_bind_int(ins, 4, v);
    assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  assert_int_equal(sqlite3_exec(db, "CREATE INDEX r_kt ON r (k, t)", 0, 0, 0), SQLITE_OK);
  /* close every window */
  assert_int_equal(sluice_clock_set(e, t + 20000), SLUICE_OK);

  lines want = {0}, got = {0};
  sql_lines(db,
            "SELECT (t / 10000 + 1) * 10000 AS w, k, COUNT(*), COUNT(v), SUM(v), MIN(v), MAX(v) "
            "FROM r GROUP BY t / 10000, k ORDER BY w, MIN(seq)",
            &want);
  assert_int_equal(sluice_read(e, "TUMBLE", -1, collect, &got), SLUICE_OK);
  compare("tumbling", seed, &want, &got);
  lines_free(&want);
  lines_free(&got);

  sql_lines(db,
            "SELECT a.t, a.k, COUNT(*), SUM(b.v), MIN(b.v), MAX(b.v) FROM r a JOIN r b "
            "ON b.k = a.k AND b.t BETWEEN a.t - 5000 AND a.t AND b.seq <= a.seq "
            "GROUP BY a.seq ORDER BY a.seq",
            &want);
  assert_int_equal(sluice_read(e, "RANGED", -1, collect, &got), SLUICE_OK);
  compare("sliding RANGE", seed, &want, &got);
  lines_free(&want);
  lines_free(&got);

  sql_lines(db,
            "SELECT t, k, COUNT(v) OVER w, SUM(v) OVER w, MIN(v) OVER w, MAX(v) OVER w FROM r "
            "WINDOW w AS (PARTITION BY k ORDER BY seq ROWS 3 PRECEDING) ORDER BY seq",
            &want);
  assert_int_equal(sluice_read(e, "ROWSW", -1, collect, &got), SLUICE_OK);
  compare("sliding ROWS", seed, &want, &got);
  lines_free(&want);
  lines_free(&got);

  sqlite3_close(db);
  sluice_close(e);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_random_streams_match_sqlite(void **state) {
  (void)state;
  const char *fixed = getenv("SLUICE_SEED");
  if (fixed) {
    run_seed((unsigned)strtoul(fixed, NULL, 10), 3000);
    return;
  }
  unsigned base = (unsigned)time(NULL);
  for (unsigned i = 0; i < 3; i++) run_seed(base + i, 1500);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_streams_match_sqlite),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

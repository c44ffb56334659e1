/*
 * test_replay.c — replay gives what the live run gave (DESIGN.md section 4): an
 * application fed record by record while the clock moves, and the same application
 * deployed later under another name with its input STARTING AT TRIM_HORIZON over the
 * same stored records, produce the same rows with the same ROWTIMEs. Also: a script's
 * pumps start together with its input, so none misses the input's first rows.
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

#include "sluice.h"

#define T0 1717236000000LL /* 2024-06-01 10:00:00 UTC */

static const char *const APP =
    "CREATE INPUT \"SOURCE_SQL_STREAM\" FROM STREAM \"clicks\" FORMAT JSON COLUMNS ("
    "  \"page\" VARCHAR(16) PATH '$.page', \"ms\" INTEGER PATH '$.ms') STARTING AT TRIM_HORIZON;"
    "CREATE STREAM PER_PAGE (\"page\" VARCHAR(16), VIEWS BIGINT, SLOWEST INTEGER);"
    "CREATE PUMP P1 AS INSERT INTO PER_PAGE SELECT STREAM \"page\", COUNT(*), MAX(\"ms\") "
    "  FROM \"SOURCE_SQL_STREAM_001\" AS s GROUP BY \"page\", STEP(s.ROWTIME BY INTERVAL '10' "
    "SECOND);"
    "CREATE STREAM MOVING (\"page\" VARCHAR(16), AVG_MS INTEGER);"
    "CREATE PUMP P2 AS INSERT INTO MOVING SELECT STREAM \"page\", AVG(\"ms\") OVER ("
    "  PARTITION BY \"page\" RANGE INTERVAL '15' SECOND PRECEDING) FROM \"SOURCE_SQL_STREAM_001\";";

typedef struct text {
  char buf[65536];
  size_t n;
  int rows;
} text;

static int collect(void *arg, int ncols, const char *const *values, const char *const *names) {
  (void)names;
  text *t = arg;
  for (int i = 0; i < ncols; i++)
    t->n += (size_t)snprintf(t->buf + t->n, sizeof t->buf - t->n, "%s%s", i ? " " : "", values[i]);
  t->n += (size_t)snprintf(t->buf + t->n, sizeof t->buf - t->n, "\n");
  t->rows++;
  return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void test_replay_equals_live(void **state) {
  (void)state;
  char dir[] = "/tmp/sluice-replay-XXXXXX";
  assert_non_null(mkdtemp(dir));
  /* live: records arrive while the clock moves */
  sluice_options live = {.application = "LIVE", .test_clock = 1, .test_start_ms = T0};
  sluice_engine *e;
  assert_int_equal(sluice_open(dir, &live, &e), SLUICE_OK);
  if (sluice_exec(e, APP, NULL, NULL) != SLUICE_OK) fail_msg("%s", sluice_errtext(e));
  static const char *const pages[] = {"/a", "/b", "/c"};
  long long t = T0;
  srand(7);
  for (int i = 0; i < 300; i++) {
    t += rand() % 700;
    char rec[64];
    snprintf(rec, sizeof rec, "{\"page\":\"%s\",\"ms\":%d}", pages[rand() % 3], rand() % 1000);
    if (t != sluice_clock_now(e)) assert_int_equal(sluice_clock_set(e, t), SLUICE_OK);
    assert_int_equal(sluice_put(e, "clicks", rec, strlen(rec), pages[i % 3]), SLUICE_OK);
  }
  assert_int_equal(sluice_clock_set(e, t + 60000), SLUICE_OK);
  static text l1, l2, r1, r2;
  assert_int_equal(sluice_read(e, "PER_PAGE", -1, collect, &l1), SLUICE_OK);
  assert_int_equal(sluice_read(e, "MOVING", -1, collect, &l2), SLUICE_OK);
  sluice_close(e);
  assert_true(l1.rows > 20);
  assert_int_equal(l2.rows, 300);

  /* replay: the same code under another name reads the stored records from the start */
  sluice_options replay = {.application = "REPLAY", .test_clock = 1, .test_start_ms = t + 3600000};
  assert_int_equal(sluice_open(dir, &replay, &e), SLUICE_OK);
  if (sluice_exec(e, APP, NULL, NULL) != SLUICE_OK) fail_msg("%s", sluice_errtext(e));
  assert_int_equal(sluice_read(e, "PER_PAGE", -1, collect, &r1), SLUICE_OK);
  assert_int_equal(sluice_read(e, "MOVING", -1, collect, &r2), SLUICE_OK);
  sluice_close(e);
  assert_string_equal(r1.buf, l1.buf);
  assert_string_equal(r2.buf, l2.buf);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_replay_equals_live),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

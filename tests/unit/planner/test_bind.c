/* Unit tests of the binder and validator: the validation errors of spec 7.2
 * with their messages and locations, name resolution and case rules, ROWTIME,
 * DDL execution, [IMPL] decisions, and the conformance applications of spec 8. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "planner/planner.h"

typedef struct fixture {
  char dir[64];
  catalog *cat;
  core_arena *arena;
  core_error err;
  plan_ctx ctx;
  plan_stmt *last; /* the last statement bound */
} fixture;

/* Creates input <prefix> over data stream "src" with the columns given as SQL
 * column definitions (parsed by the parser, so quoted names keep their case). */
static void make_source(fixture *f, const char *prefix, const char *columns, int parallelism) {
  char *sql = core_arena_printf(f->arena, "CREATE STREAM X (%s)", columns);
  parse_stmt *st;
  assert_int_equal(parse_statement(f->arena, sql, strlen(sql), &st, &f->err), SLUICE_OK);
  int n = st->u.create_stream.columns.n;
  catalog_column *cols = core_arena_zalloc(f->arena, sizeof *cols * (size_t)n);
  for (int i = 0; i < n; i++) {
    const parse_column_def *d = st->u.create_stream.columns.items[i];
    cols[i].name = d->name.name;
    cols[i].type = d->type;
    cols[i].mapping = core_arena_printf(f->arena, "$.%s", d->name.name);
  }
  catalog_input in = {.name_prefix = prefix,
                      .source_stream = "src",
                      .parallelism = parallelism,
                      .format = {.type = CATALOG_FORMAT_JSON, .row_path = "$"},
                      .ncolumns = n,
                      .columns = cols};
  assert_int_equal(catalog_input_create(f->cat, f->ctx.app, &in, NULL, &f->err), SLUICE_OK);
}

static const char *DEMO = "TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL";

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/sluice-bind-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  assert_int_equal(catalog_open(f->dir, &f->cat, &f->err), SLUICE_OK);
  f->arena = core_arena_new(0);
  int64_t app;
  assert_int_equal(catalog_app_create(f->cat, "test", NULL, &app, &f->err), SLUICE_OK);
  f->ctx = (plan_ctx){.cat = f->cat, .app = app, .arena = f->arena};
  make_source(f, "SOURCE_SQL_STREAM", DEMO, 1);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  catalog_close(f->cat);
  core_arena_free(f->arena);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static bool is_ddl(parse_stmt_kind k) {
  return k == PARSE_S_CREATE_STREAM || k == PARSE_S_CREATE_PUMP || k == PARSE_S_CREATE_FUNCTION ||
         k == PARSE_S_CREATE_INPUT || k == PARSE_S_CREATE_OUTPUT ||
         k == PARSE_S_CREATE_REFERENCE_TABLE;
}

/* Parses and runs a script: DDL through plan_execute, the rest through plan_bind. */
static int run(fixture *f, const char *sql) {
  parse_script sc;
  core_error_clear(&f->err);
  int rc = parse_script_text(f->arena, sql, strlen(sql), &sc, &f->err);
  if (rc) return rc;
  for (int i = 0; i < sc.n; i++) {
    if (is_ddl(sc.stmts[i]->kind))
      rc = plan_execute(&f->ctx, sc.stmts[i], &f->last, &f->err);
    else
      rc = plan_bind(&f->ctx, sc.stmts[i], &f->last, &f->err);
    if (rc) return rc;
  }
  return SLUICE_OK;
}

static void ok(fixture *f, const char *sql) {
  int rc = run(f, sql);
  if (rc != SLUICE_OK) {
    char buf[2048];
    core_error_format(&f->err, sql, buf, sizeof buf);
    fprintf(stderr, "unexpected error in:\n%s\n%s\n", sql, buf);
  }
  assert_int_equal(rc, SLUICE_OK);
}

/* The last statement of sql fails with code, message, and a location at the
 * first occurrence of `at` (after `after`, when given) in sql. */
static void fails_at(fixture *f, const char *sql, int code, const char *message, const char *at,
                     const char *after) {
  int rc = run(f, sql);
  if (rc != code || strcmp(f->err.message, message) != 0) {
    char buf[2048];
    core_error_format(&f->err, sql, buf, sizeof buf);
    fprintf(stderr, "in:\n%s\n%s\n", sql, buf);
  }
  assert_int_equal(rc, code);
  assert_string_equal(f->err.message, message);
  const char *base = after ? strstr(sql, after) : sql;
  assert_non_null(base);
  const char *p = strstr(base, at);
  assert_non_null(p);
  assert_int_equal(f->err.location, (int32_t)(p - sql));
}

/* at: "needle", or "after|needle" for the first needle after the text `after`. */
static void fails(fixture *f, const char *sql, const char *message, const char *at) {
  const char *bar = strchr(at, '|');
  if (!bar) {
    fails_at(f, sql, SLUICE_SEMANTIC, message, at, NULL);
    return;
  }
  char after[128];
  snprintf(after, sizeof after, "%.*s", (int)(bar - at), at);
  fails_at(f, sql, SLUICE_SEMANTIC, message, bar + 1, after);
}

#define FIX fixture *f = *state

/* ---------------------------------------------------- spec 7.2, one each -- */

static void test_72_1_group_by_needs_monotonic_key(void **state) {
  FIX;
  fails(f,
        "SELECT STREAM ticker_symbol, COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY ticker_symbol",
        "streaming aggregation requires at least one monotonic expression in GROUP BY clause",
        "GROUP BY|ticker_symbol");
  assert_string_equal(f->err.hint,
                      "Group by a ROWTIME-based expression such as STEP(s.ROWTIME BY INTERVAL '1' "
                      "MINUTE) or FLOOR(s.ROWTIME TO MINUTE).");
  /* an aggregate over a whole stream */
  fails(f, "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001",
        "streaming aggregation requires at least one monotonic expression in GROUP BY clause",
        "COUNT");
  /* monotonic keys: ROWTIME, FLOOR/STEP/CEIL of it, + constant, MONOTONIC(), the legacy form */
  ok(f, "SELECT STREAM ticker_symbol, COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s "
        "GROUP BY ticker_symbol, FLOOR(s.ROWTIME TO MINUTE)");
  ok(f, "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY ROWTIME");
  ok(f, "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s "
        "GROUP BY CEIL(s.ROWTIME TO HOUR) + INTERVAL '1' HOUR");
  ok(f, "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s "
        "GROUP BY FLOOR((s.ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)");
  ok(f, "SELECT STREAM MONOTONIC(price), COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY "
        "MONOTONIC(price)");
  /* a descending key qualifies too; a constant does not */
  ok(f, "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s "
        "GROUP BY (TIMESTAMP '2030-01-01 00:00:00' - FLOOR(s.ROWTIME TO DAY)) DAY");
  fails(f, "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY FLOOR(5.5)",
        "streaming aggregation requires at least one monotonic expression in GROUP BY clause",
        "FLOOR");
  /* a relational GROUP BY over a table needs no time key */
  ok(f, "CREATE REFERENCE TABLE \"T\" FROM FILE 't.csv' FORMAT CSV COLUMNS (a INTEGER, b INTEGER);"
        "SELECT a, SUM(b) FROM \"T\" GROUP BY a");
}

static void test_72_1_event_time_windows(void **state) {
  FIX;
  make_source(f, "EV", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4), PRICE REAL", 1);
  const char *q = "SELECT STREAM TICKER, COUNT(*) FROM EV_001 "
                  "GROUP BY TICKER, STEP(EV_001.EVENT_TIME BY INTERVAL '1' MINUTE)";
  /* sluice extension (DESIGN.md 4): accepted as an event-time window */
  ok(f, q);
  plan_select *sel = &f->last->query->u.select;
  assert_true(sel->event_time_window);
  assert_int_equal(sel->time_key, 1);
  ok(f, "SELECT STREAM COUNT(*) FROM EV_001 GROUP BY FLOOR(EVENT_TIME TO MINUTE)");
  assert_true(f->last->query->u.select.event_time_window);
  /* ROWTIME keys are not event-time windows */
  ok(f, "SELECT STREAM COUNT(*) FROM EV_001 GROUP BY FLOOR(EV_001.ROWTIME TO MINUTE), "
        "FLOOR(EVENT_TIME TO MINUTE)");
  assert_false(f->last->query->u.select.event_time_window);
  assert_int_equal(f->last->query->u.select.time_key, 0);
  /* --strict restores KDA's rejection */
  f->ctx.strict = true;
  fails(f, q, "streaming aggregation requires at least one monotonic expression in GROUP BY clause",
        "GROUP BY|TICKER");
  /* a non-time column is never an event-time key */
  f->ctx.strict = false;
  fails(f, "SELECT STREAM COUNT(*) FROM EV_001 GROUP BY FLOOR(PRICE)",
        "streaming aggregation requires at least one monotonic expression in GROUP BY clause",
        "FLOOR");
}

static void test_72_2_multiple_rowtime_keys(void **state) {
  FIX;
  fails(f,
        "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s "
        "GROUP BY FLOOR(s.ROWTIME TO MINUTE), STEP(s.ROWTIME BY INTERVAL '1' HOUR)",
        "multiple ROWTIME columns in GROUP BY", "STEP");
  /* other time keys may be added (spec 3.3) */
  ok(f, "SELECT STREAM STEP(s.ROWTIME BY INTERVAL '60' SECOND) AS \"ingest_time\", "
        "STEP(s.APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND) AS \"APPROXIMATE_ARRIVAL_TIME\", "
        "\"TICKER_SYMBOL\", COUNT(*) AS \"symbol_count\" FROM \"SOURCE_SQL_STREAM_001\" AS s "
        "GROUP BY \"TICKER_SYMBOL\", STEP(s.ROWTIME BY INTERVAL '60' SECOND), "
        "STEP(s.APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND)");
}

static void test_72_3_order_by_leading_key(void **state) {
  FIX;
  fails(f, "SELECT STREAM ticker_symbol, price FROM SOURCE_SQL_STREAM_001 ORDER BY ticker_symbol",
        "streaming ORDER BY must start with monotonic expression", "ORDER BY|ticker_symbol");
  ok(f, "SELECT STREAM ticker_symbol, price FROM SOURCE_SQL_STREAM_001 ORDER BY ROWTIME, "
        "ticker_symbol");
  ok(f, "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 AS s "
        "ORDER BY FLOOR(s.ROWTIME TO SECOND), price DESC");
  /* ordinals and aliases of monotonic items */
  ok(f, "SELECT STREAM FLOOR(s.ROWTIME TO MINUTE) AS m, price FROM SOURCE_SQL_STREAM_001 AS s "
        "ORDER BY m, 2");
  fails(f, "SELECT STREAM price, ticker_symbol FROM SOURCE_SQL_STREAM_001 ORDER BY 2",
        "streaming ORDER BY must start with monotonic expression", "ORDER BY|2");
  /* on a table, any order */
  ok(f, "VALUES (1, 'a'), (2, 'b') ORDER BY 2 DESC");
}

static void test_72_4_having_without_group_by(void **state) {
  FIX;
  fails(f, "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 HAVING COUNT(*) > 1",
        "HAVING clause requires GROUP BY in a streaming query", "COUNT(*) >");
  ok(f, "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 AS s GROUP BY "
        "FLOOR(s.ROWTIME TO HOUR), ticker_symbol HAVING SUM(price * change) > 1000");
}

static void test_72_5_window_functions_in_where_and_having(void **state) {
  FIX;
  fails(f,
        "SELECT STREAM price FROM SOURCE_SQL_STREAM_001 "
        "WHERE AVG(price) OVER (ROWS 2 PRECEDING) > 1",
        "windowed aggregate expression is illegal in WHERE clause", "AVG");
  fails(f, "SELECT STREAM price FROM SOURCE_SQL_STREAM_001 WHERE AVG(price) > 1",
        "aggregate expression is illegal in WHERE clause", "AVG");
  fails(f,
        "SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY ROWTIME "
        "HAVING MAX(price) OVER (ROWS 2 PRECEDING) > 1",
        "windowed aggregate expression is illegal in HAVING clause", "MAX");
  fails(f, "SELECT STREAM price FROM SOURCE_SQL_STREAM_001 GROUP BY ROWTIME, COUNT(*)",
        "aggregate expression is illegal in GROUP BY clause", "COUNT");
  fails(f, "SELECT STREAM SUM(COUNT(*)) FROM SOURCE_SQL_STREAM_001 GROUP BY ROWTIME",
        "aggregate function calls cannot be nested", "COUNT");
  /* a windowed aggregate over grouped rows: its argument must be grouped */
  fails(f,
        "SELECT STREAM COUNT(*), AVG(price) OVER (ROWS 2 PRECEDING) FROM SOURCE_SQL_STREAM_001 "
        "GROUP BY ROWTIME",
        "expression \"PRICE\" is not being grouped", "price");
  /* analytic functions require OVER */
  fails(f, "SELECT STREAM LAG(price) FROM SOURCE_SQL_STREAM_001", "LAG requires an OVER clause",
        "LAG");
}

static void test_72_6_count_distinct(void **state) {
  FIX;
  fails(f,
        "SELECT STREAM COUNT(DISTINCT ticker_symbol) FROM SOURCE_SQL_STREAM_001 AS s "
        "GROUP BY FLOOR(s.ROWTIME TO MINUTE)",
        "COUNT(DISTINCT ...) is not supported in streaming or windowed aggregation", "COUNT");
  fails(f,
        "SELECT STREAM COUNT(DISTINCT ticker_symbol) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001",
        "COUNT(DISTINCT ...) is not supported in streaming or windowed aggregation", "COUNT");
  /* SUM(DISTINCT x) OVER w is documented */
  ok(f, "SELECT STREAM SUM(DISTINCT price) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001");
  /* on a table, COUNT(DISTINCT) is relational SQL */
  ok(f, "SELECT COUNT(DISTINCT x) FROM (VALUES (1), (1), (2)) AS t(x)");
}

static void test_72_7_window_rules(void **state) {
  FIX;
  fails(f,
        "SELECT STREAM SUM(price) OVER (ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING) "
        "FROM SOURCE_SQL_STREAM_001",
        "UNBOUNDED FOLLOWING is not allowed in a window", "UNBOUNDED");
  fails(f,
        "SELECT STREAM SUM(price) OVER (ROWS BETWEEN 0 PRECEDING AND 4 PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001",
        "window size must not be negative", "OVER (ROWS");
  fails(f,
        "SELECT STREAM SUM(price) OVER (ROWS BETWEEN 4 PRECEDING AND 2 PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001",
        "a window must end at CURRENT ROW", "2 PRECEDING");
  fails(f,
        "SELECT STREAM SUM(price) OVER (ROWS BETWEEN 2 PRECEDING AND 4 FOLLOWING) "
        "FROM SOURCE_SQL_STREAM_001",
        "a window must end at CURRENT ROW", "4 FOLLOWING");
  fails(f, "SELECT STREAM SUM(price) OVER (ROWS 0 PRECEDING) FROM SOURCE_SQL_STREAM_001",
        "0 PRECEDING is not allowed in a windowed aggregation", "0 PRECEDING");
  assert_string_equal(f->err.hint, "Write CURRENT ROW instead.");
  fails(f,
        "SELECT STREAM SUM(price) OVER (RANGE INTERVAL '0' SECOND PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001",
        "0 PRECEDING is not allowed in a windowed aggregation", "INTERVAL '0'");
  /* [IMPL] ORDER BY ROWTIME is accepted unless --strict (tests/slt/strict/wild.slt) */
  fails(f,
        "SELECT STREAM SUM(price) OVER (ORDER BY price RANGE INTERVAL '1' MINUTE PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001",
        "ORDER BY is not allowed in a windowed aggregation window", "price RANGE");
  fails(f,
        "SELECT STREAM o.price FROM SOURCE_SQL_STREAM_001 AS o JOIN SOURCE_SQL_STREAM_001 "
        "OVER (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING) AS t "
        "ON o.ticker_symbol = t.ticker_symbol",
        "PARTITION BY is not allowed in a join window", "ticker_symbol RANGE");
  /* allowed forms */
  ok(f, "SELECT STREAM SUM(price) OVER (ROWS CURRENT ROW), SUM(price) OVER (RANGE CURRENT ROW), "
        "SUM(price) OVER (ROWS BETWEEN 3 PRECEDING AND CURRENT ROW), "
        "SUM(price) OVER (RANGE INTERVAL '59:59.999' MINUTE TO SECOND(3) PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001");
  fails(f, "SELECT STREAM SUM(price) OVER w FROM SOURCE_SQL_STREAM_001", "window \"W\" not found",
        "w FROM");
}

static void test_72_7_negative_window_integers(void **state) {
  FIX;
  fails(f, "SELECT STREAM SUM(price) OVER (ROWS -1 PRECEDING) FROM SOURCE_SQL_STREAM_001",
        "window offset must not be negative", "-1 PRECEDING");
  fails(f,
        "SELECT STREAM SUM(price) OVER (RANGE INTERVAL -'1' MINUTE PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001",
        "window offset must not be negative", "INTERVAL -'1'");
  fails(f,
        "SELECT STREAM SUM(price) OVER (RANGE INTERVAL '-1' MINUTE PRECEDING) "
        "FROM SOURCE_SQL_STREAM_001",
        "window offset must not be negative", "INTERVAL '-1'");
  fails(f, "SELECT STREAM SUM(price) OVER (ROWS 1.5 PRECEDING) FROM SOURCE_SQL_STREAM_001",
        "ROWS needs an integer number of rows", "1.5");
}

static void test_72_8_join_without_window(void **state) {
  FIX;
  fails(f,
        "SELECT STREAM o.price FROM SOURCE_SQL_STREAM_001 AS o JOIN SOURCE_SQL_STREAM_001 AS t "
        "ON o.ticker_symbol = t.ticker_symbol",
        "stream-to-stream join requires a window on at least one side",
        "SOURCE_SQL_STREAM_001 AS o");
  ok(f, "SELECT STREAM ROWTIME, o.price, t.change FROM SOURCE_SQL_STREAM_001 AS o "
        "JOIN SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t "
        "ON o.ticker_symbol = t.ticker_symbol");
  /* a window in FROM outside a join */
  fails(f,
        "SELECT STREAM price FROM SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '1' MINUTE PRECEDING)",
        "OVER in the FROM clause is only allowed in a stream-to-stream join", "OVER (RANGE");
}

static void test_72_9_set_operations(void **state) {
  FIX;
  ok(f, "CREATE REFERENCE TABLE \"T\" FROM FILE 't.csv' FORMAT CSV COLUMNS (a VARCHAR(4))");
  fails(f, "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 UNION ALL SELECT a FROM \"T\"",
        "set operator cannot combine streaming and non-streaming inputs", "SELECT");
  fails(f,
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 EXCEPT "
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001",
        "EXCEPT is not allowed on streams", "SELECT");
  fails(f,
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 INTERSECT "
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001",
        "INTERSECT is not allowed on streams", "SELECT");
  fails(f,
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 UNION "
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001",
        "UNION on streams requires ALL", "SELECT");
  /* the parser rejects these */
  fails_at(f, "SELECT a FROM \"T\" EXCEPT ALL SELECT a FROM \"T\"", SLUICE_UNSUPPORTED,
           "EXCEPT ALL is not supported in the KDA dialect", "EXCEPT", NULL);
  fails_at(f, "SELECT a FROM \"T\" INTERSECT ALL SELECT a FROM \"T\"", SLUICE_UNSUPPORTED,
           "INTERSECT ALL is not supported in the KDA dialect", "INTERSECT", NULL);
  ok(f, "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 UNION ALL "
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 ORDER BY ROWTIME");
  assert_true(f->last->query->streaming);
  ok(f, "SELECT a FROM \"T\" EXCEPT SELECT a FROM \"T\"");
  fails(f, "VALUES (1, 2) UNION VALUES (3)", "column count mismatch in UNION: 2 and 1 columns",
        "VALUES");
  fails(f, "VALUES (1) UNION VALUES ('a')",
        "type mismatch in column 1 of UNION: INTEGER and CHAR(1)", "VALUES ('a')");
}

static void test_72_10_insert_and_pump(void **state) {
  FIX;
  ok(f, "CREATE STREAM D (ticker VARCHAR(4), price DOUBLE, ts TIMESTAMP)");
  fails(f,
        "CREATE PUMP P AS INSERT INTO D SELECT STREAM ticker_symbol, price, sector "
        "FROM SOURCE_SQL_STREAM_001",
        "cannot assign to target field \"TS\" of type TIMESTAMP from source field \"SECTOR\" of "
        "type VARCHAR(16)",
        "sector");
  fails(f,
        "CREATE PUMP P AS INSERT INTO D (price, ticker) SELECT STREAM ticker_symbol, price "
        "FROM SOURCE_SQL_STREAM_001",
        "cannot assign to target field \"PRICE\" of type DOUBLE from source field "
        "\"TICKER_SYMBOL\" of type VARCHAR(4)",
        "ticker_symbol");
  fails(f, "CREATE PUMP P AS INSERT INTO D SELECT STREAM price FROM SOURCE_SQL_STREAM_001",
        "number of INSERT target columns (3) does not equal number of source items (1)", "SELECT");
  fails(f, "CREATE PUMP P AS INSERT INTO NOPE SELECT STREAM price FROM SOURCE_SQL_STREAM_001",
        "object \"NOPE\" not found", "NOPE");
  fails(f,
        "CREATE PUMP P AS INSERT INTO D (price, nope) SELECT STREAM price, price "
        "FROM SOURCE_SQL_STREAM_001",
        "column \"NOPE\" not found in stream \"D\"", "nope");
  fails(f,
        "CREATE PUMP P AS INSERT INTO D (price, price) SELECT STREAM price, price "
        "FROM SOURCE_SQL_STREAM_001",
        "column \"PRICE\" specified more than once", "price)");
  /* a pump target must be a stream */
  ok(f, "CREATE REFERENCE TABLE \"T\" FROM FILE 't.csv' FORMAT CSV COLUMNS (a DOUBLE)");
  fails(f, "CREATE PUMP P AS INSERT INTO \"T\" SELECT STREAM price FROM SOURCE_SQL_STREAM_001",
        "pump target \"T\" is not a stream", "\"T\"");
  fails(f, "CREATE PUMP P AS INSERT INTO error_stream SELECT STREAM * FROM SOURCE_SQL_STREAM_001",
        "cannot insert into error_stream", "error_stream");
  fails(f, "CREATE PUMP P AS INSERT INTO D SELECT * FROM \"T\", \"T\" AS u, \"T\" AS v",
        "the query of a pump must read a stream", "SELECT");
  /* a subset of columns, in any order; the rest get NULL */
  ok(f, "CREATE PUMP P AS INSERT INTO D (price, ticker) SELECT STREAM price, ticker_symbol "
        "FROM SOURCE_SQL_STREAM_001");
  assert_int_equal(f->last->insert->target_columns[0], 1);
  assert_int_equal(f->last->insert->target_columns[1], 0);
  catalog_pump *p;
  assert_int_equal(catalog_pump_get(f->cat, f->ctx.app, "P", f->arena, &p, &f->err), SLUICE_OK);
  assert_string_equal(p->target, "D");
  assert_int_equal(p->nsources, 1);
  assert_string_equal(p->sources[0], "SOURCE_SQL_STREAM_001");
  assert_string_equal(p->sql, "CREATE PUMP P AS INSERT INTO D (price, ticker) SELECT STREAM price, "
                              "ticker_symbol FROM SOURCE_SQL_STREAM_001");
}

static void test_72_11_invalid_cast(void **state) {
  FIX;
  fails(f, "SELECT STREAM CAST(ROWTIME AS BIGINT) FROM SOURCE_SQL_STREAM_001",
        "invalid casting from TIMESTAMP to BIGINT", "CAST");
  assert_string_equal(f->err.hint,
                      "Use UNIX_TIMESTAMP or TO_TIMESTAMP to convert between timestamps and "
                      "numbers.");
  fails(f, "VALUES CAST(TRUE AS INTEGER)", "invalid casting from BOOLEAN to INTEGER", "CAST");
  fails(f, "VALUES CAST(DATE '2008-08-23' AS TIME)", "invalid casting from DATE to TIME", "CAST");
  ok(f, "VALUES (CAST('2004-09-30 13:48:23' AS TIMESTAMP), CAST(DATE '2008-08-23' AS VARCHAR(9)), "
        "CAST(-1.7 AS INTEGER), CAST(INTERVAL '3' DAY AS BIGINT))");
  /* [IMPL] VARCHAR without a length is VARCHAR(65535) */
  ok(f, "VALUES CAST(1 AS VARCHAR)");
  assert_int_equal(f->last->query->columns[0].type.precision, 65535);
}

static void test_72_12_stream_redefinition(void **state) {
  FIX;
  ok(f, "CREATE OR REPLACE STREAM D (a INTEGER); CREATE OR REPLACE STREAM D (a INTEGER, b INT)");
  ok(f, "CREATE PUMP P AS INSERT INTO D SELECT STREAM 1, 2 FROM SOURCE_SQL_STREAM_001");
  fails_at(f, "CREATE OR REPLACE STREAM D (a INTEGER)", SLUICE_STATE, "stream redefined", "D",
           NULL);
  fails_at(f, "CREATE STREAM D (a INTEGER)", SLUICE_EXISTS, "stream \"D\" already exists", "D",
           NULL);
  fails_at(f, "CREATE STREAM error_stream (a INTEGER)", SLUICE_INVALID,
           "a stream may not be named error_stream", "error_stream", NULL);
  fails_at(f, "CREATE STREAM \"error_stream\" (a INTEGER)", SLUICE_INVALID,
           "a stream may not be named error_stream", "\"error_stream\"", NULL);
  fails(f, "SELECT STREAM * FROM error_stream", "cannot read from error_stream", "error_stream");
  fails(f, "CREATE STREAM E (\"ROWTIME\" TIMESTAMP)",
        "ROWTIME is a system column and cannot be declared", "\"ROWTIME\"");
  fails(f, "CREATE STREAM E (a INTEGER, A INTEGER)", "column \"A\" specified more than once",
        "A INTEGER");
}

static void test_72_13_unknown_identifiers_and_case(void **state) {
  FIX;
  /* spec 1.1: ExampleStream is EXAMPLESTREAM */
  ok(f, "CREATE STREAM ExampleStream (x INTEGER)");
  ok(f, "SELECT STREAM * FROM ExampleStream");
  ok(f, "SELECT STREAM * FROM examplestream");
  ok(f, "SELECT STREAM * FROM EXAMPLESTREAM");
  ok(f, "SELECT STREAM * FROM \"EXAMPLESTREAM\"");
  fails(f, "SELECT STREAM * FROM \"examplestream\"", "object \"examplestream\" not found",
        "\"examplestream\"");
  assert_string_equal(f->err.hint,
                      "A relation named \"EXAMPLESTREAM\" exists. Quoted names are case-sensitive; "
                      "unquoted names are folded to upper case.");
  fails(f, "SELECT STREAM nope FROM SOURCE_SQL_STREAM_001",
        "column \"NOPE\" not found in any table", "nope");
  fails(f, "SELECT STREAM \"price\" FROM SOURCE_SQL_STREAM_001",
        "column \"price\" not found in any table", "\"price\"");
  assert_string_equal(f->err.hint,
                      "A column named \"PRICE\" exists. Quoted names are case-sensitive; unquoted "
                      "names are folded to upper case.");
  fails(f, "SELECT STREAM s.nope FROM SOURCE_SQL_STREAM_001 AS s",
        "column \"NOPE\" not found in table \"S\"", "nope");
  fails(f, "SELECT STREAM x.price FROM SOURCE_SQL_STREAM_001 AS s",
        "table \"X\" not found in the FROM clause", "x.");
  fails(f, "SELECT STREAM FOO(price) FROM SOURCE_SQL_STREAM_001",
        "no match found for function signature FOO(REAL)", "FOO");
  fails(f, "SELECT STREAM CONCAT(sector, sector) FROM SOURCE_SQL_STREAM_001",
        "no match found for function signature CONCAT(VARCHAR(16), VARCHAR(16))", "CONCAT");
  fails(f, "SELECT STREAM SUBSTRING(price, 1) FROM SOURCE_SQL_STREAM_001",
        "no match found for function signature SUBSTRING(REAL, INTEGER)", "SUBSTRING");
  fails(f,
        "SELECT STREAM price FROM SOURCE_SQL_STREAM_001 AS s JOIN SOURCE_SQL_STREAM_001 "
        "OVER (ROWS 1 PRECEDING) AS t ON s.price = t.price",
        "column \"PRICE\" is ambiguous", "price FROM");
  fails(f,
        "SELECT STREAM t.price FROM (SELECT STREAM a.price, b.price FROM SOURCE_SQL_STREAM_001 "
        "AS a JOIN SOURCE_SQL_STREAM_001 OVER (ROWS 1 PRECEDING) AS b ON a.price = b.price) AS t",
        "column \"PRICE\" is ambiguous", "price FROM (");
  /* mixed-case source columns must be quoted (8.21 negative case) */
  make_source(f, "MIX", "\"Oid\" INTEGER, \"RecordType\" VARCHAR(10)", 1);
  ok(f, "SELECT STREAM \"Oid\" FROM MIX_001 WHERE \"RecordType\" = 'Order'");
  fails(f, "SELECT STREAM Oid FROM MIX_001", "column \"OID\" not found in any table", "Oid");
}

static void test_72_14_from_alias_columns(void **state) {
  FIX;
  fails(f, "SELECT STREAM * FROM SOURCE_SQL_STREAM_001 AS t(a, b, c)",
        "list of column aliases must have same degree as table; table has 4 columns "
        "('T'), whereas alias list has 3 columns",
        "a,");
  fails(f, "SELECT STREAM * FROM SOURCE_SQL_STREAM_001 AS t(a, b, \"ROWTIME\", d)",
        "cannot rename a column to ROWTIME", "\"ROWTIME\"");
  ok(f, "SELECT STREAM t.a, d FROM SOURCE_SQL_STREAM_001 AS t(a, b, c, d)");
  ok(f, "SELECT * FROM (VALUES (42, 'Fred'), (34, 'Wilma')) AS t(age, name)");
  assert_string_equal(f->last->query->columns[1].name, "NAME");
}

static void test_72_15_t_sort(void **state) {
  FIX;
  make_source(f, "EV", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4)", 1);
  ok(f, "SELECT STREAM EVENT_TIME AS ROWTIME, TICKER FROM EV_001 ORDER BY EVENT_TIME WITHIN "
        "INTERVAL '1' MINUTE");
  assert_int_equal(f->last->query->ncolumns, 1); /* ROWTIME is not a column */
  fails(f,
        "SELECT STREAM EVENT_TIME AS ROWTIME, TICKER FROM EV_001 "
        "ORDER BY EVENT_TIME DESC WITHIN INTERVAL '1' MINUTE",
        "the T-sort key cannot be sorted DESC", "EVENT_TIME DESC");
  fails(f, "SELECT STREAM TICKER FROM EV_001 ORDER BY EVENT_TIME WITHIN INTERVAL '1' MINUTE",
        "the T-sort key must appear in the select list aliased AS ROWTIME", "EVENT_TIME WITHIN");
  fails(f, "SELECT STREAM TICKER AS ROWTIME FROM EV_001 ORDER BY TICKER WITHIN INTERVAL '1' MINUTE",
        "an expression aliased AS ROWTIME must be TIMESTAMP, not VARCHAR(4)", "TICKER AS");
  fails(f, "SELECT STREAM TICKER FROM EV_001 ORDER BY TICKER WITHIN INTERVAL '1' MINUTE",
        "the T-sort key must be TIMESTAMP, not VARCHAR(4)", "TICKER WITHIN");
  fails(f,
        "SELECT STREAM FLOOR(ROWTIME TO MINUTE) AS ROWTIME FROM EV_001 "
        "ORDER BY FLOOR(ROWTIME TO MINUTE) WITHIN INTERVAL '1' MINUTE",
        "ROWTIME must be qualified in a T-sort key", "ROWTIME TO MINUTE) WITHIN");
  ok(f, "SELECT STREAM FLOOR(EV_001.ROWTIME TO MINUTE) AS ROWTIME FROM EV_001 "
        "ORDER BY FLOOR(EV_001.ROWTIME TO MINUTE) WITHIN INTERVAL '1' MINUTE");
}

static void test_72_16_udf_exact_arguments(void **state) {
  FIX;
  ok(f, "CREATE FUNCTION get_fraction(degrees DOUBLE) RETURNS DOUBLE CONTAINS SQL "
        "RETURN degrees - FLOOR(degrees)");
  ok(f, "SELECT STREAM get_fraction(CAST(price AS DOUBLE)) FROM SOURCE_SQL_STREAM_001");
  assert_int_equal(f->last->query->columns[0].type.id, CORE_T_DOUBLE);
  fails(f, "SELECT STREAM get_fraction(price) FROM SOURCE_SQL_STREAM_001",
        "no match found for function signature GET_FRACTION(REAL)", "get_fraction");
  assert_string_equal(f->err.detail, "Arguments of user functions are never cast: GET_FRACTION "
                                     "takes (DOUBLE).");
  ok(f, "CREATE OR REPLACE FUNCTION FLOOR30MIN(p_time TIMESTAMP) RETURNS TIMESTAMP CONTAINS SQL "
        "RETURNS NULL ON NULL INPUT RETURN FLOOR(p_time TO HOUR) + "
        "((EXTRACT(MINUTE FROM p_time)/30) * INTERVAL '30' MINUTE)");
  ok(f, "SELECT STREAM FLOOR30MIN(ROWTIME) FROM SOURCE_SQL_STREAM_001");
  catalog_function **fns;
  size_t n;
  assert_int_equal(
      catalog_function_lookup(f->cat, f->ctx.app, "FLOOR30MIN", f->arena, &fns, &n, &f->err),
      SLUICE_OK);
  assert_int_equal(n, 1);
  assert_true(fns[0]->null_on_null);
  assert_string_equal(fns[0]->body, "FLOOR(p_time TO HOUR) + ((EXTRACT(MINUTE FROM p_time)/30) * "
                                    "INTERVAL '30' MINUTE)");
  fails(f, "CREATE FUNCTION f(x INTEGER) RETURNS TIMESTAMP CONTAINS SQL RETURN x + 1",
        "the body of function \"F\" returns INTEGER, not TIMESTAMP", "x + 1");
  fails(f, "CREATE FUNCTION f(x INTEGER) RETURNS INTEGER CONTAINS SQL RETURN y",
        "column \"Y\" not found in any table", "y");
  fails(f, "CREATE FUNCTION \"FLOOR\"(x INTEGER) RETURNS INTEGER CONTAINS SQL RETURN x",
        "function \"FLOOR\" is a built-in function", "\"FLOOR\"");
}

static void test_72_17_output_stream_must_exist(void **state) {
  FIX;
  ok(f, "CREATE OUTPUT out1 FROM \"DESTINATION_SQL_STREAM\" TO STREAM \"alerts\" FORMAT JSON");
  assert_int_equal(catalog_output_check(f->cat, f->ctx.app, &f->err), SLUICE_NOTFOUND);
  assert_string_equal(f->err.message, "output stream \"DESTINATION_SQL_STREAM\" is not created by "
                                      "the application code");
  ok(f, "CREATE STREAM destination_sql_stream (a INTEGER)");
  assert_int_equal(catalog_output_check(f->cat, f->ctx.app, &f->err), SLUICE_OK);
}

/* ------------------------------------------------------ other rules -- */

static void test_select_stream_over_table(void **state) {
  FIX;
  ok(f, "CREATE REFERENCE TABLE \"CompanyName\" FROM FILE 'TickerReference.csv' FORMAT CSV "
        "COLUMNS (\"Ticker\" VARCHAR(4), \"Company\" VARCHAR(20))");
  fails(f, "SELECT STREAM * FROM \"CompanyName\"", "cannot convert table \"CompanyName\" to stream",
        "\"CompanyName\"");
  ok(f, "SELECT * FROM \"CompanyName\"");
  assert_false(f->last->query->streaming);
  /* [IMPL] spec 1.3: a missing STREAM keyword over a stream is a streaming query */
  ok(f, "SELECT * FROM SOURCE_SQL_STREAM_001");
  assert_true(f->last->query->streaming);
  /* stream-table joins keep the stream side */
  ok(f, "SELECT STREAM ticker_symbol, \"c\".\"Company\" FROM SOURCE_SQL_STREAM_001 LEFT JOIN "
        "\"CompanyName\" AS \"c\" ON SOURCE_SQL_STREAM_001.ticker_symbol = \"c\".\"Ticker\"");
  fails(f,
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 RIGHT JOIN \"CompanyName\" AS c "
        "ON ticker_symbol = c.\"Ticker\"",
        "an outer join of a stream with a table must preserve the stream side",
        "SOURCE_SQL_STREAM_001 RIGHT");
  fails(f, "SELECT * FROM \"CompanyName\" OVER (ROWS 2 PRECEDING)",
        "reference table \"CompanyName\" cannot have a window", "OVER (ROWS");
}

static void test_grouping_rules(void **state) {
  FIX;
  fails(f,
        "SELECT STREAM ticker_symbol, price, COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s "
        "GROUP BY ticker_symbol, FLOOR(s.ROWTIME TO MINUTE)",
        "expression \"PRICE\" is not being grouped", "price");
  /* derivable from keys, constants, and the output ROWTIME are fine */
  ok(f,
     "SELECT STREAM ROWTIME, FLOOR(s.ROWTIME TO MINUTE) AS m, UPPER(ticker_symbol) || 'x', 1, "
     "COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s GROUP BY ticker_symbol, FLOOR(s.ROWTIME TO MINUTE)");
  /* streaming DISTINCT needs a monotonic item */
  fails(f, "SELECT STREAM DISTINCT ticker_symbol FROM SOURCE_SQL_STREAM_001",
        "streaming SELECT DISTINCT requires a monotonic expression in the select list", "SELECT");
  ok(f, "SELECT STREAM DISTINCT ROWTIME, ticker_symbol, FLOOR(s.ROWTIME TO DAY) "
        "FROM SOURCE_SQL_STREAM_001 AS s");
  /* stagger: non-aggregated items are partition keys */
  make_source(f, "EV", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4)", 1);
  ok(f, "SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER, COUNT(TICKER) FROM EV_001 "
        "WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER "
        "RANGE INTERVAL '1' MINUTE)");
  assert_non_null(f->last->query->u.select.stagger);
  fails(f,
        "SELECT STREAM EVENT_TIME, TICKER, COUNT(*) FROM EV_001 "
        "WINDOWED BY STAGGER (PARTITION BY TICKER RANGE INTERVAL '1' MINUTE)",
        "expression \"EVENT_TIME\" is not being grouped", "EVENT_TIME,");
}

static void test_rowtime_resolution(void **state) {
  FIX;
  ok(f, "SELECT STREAM ROWTIME, s.ROWTIME, s.a FROM SOURCE_SQL_STREAM_001 AS s(a, b, c, d)");
  /* the stream's name is not visible once it has an alias: only the alias is */
  fails(f, "SELECT STREAM SOURCE_SQL_STREAM_001.ROWTIME FROM SOURCE_SQL_STREAM_001 AS s",
        "table \"SOURCE_SQL_STREAM_001\" not found in the FROM clause", "SOURCE_SQL_STREAM_001.");
  ok(f, "SELECT STREAM SOURCE_SQL_STREAM_001.ROWTIME FROM SOURCE_SQL_STREAM_001");
  plan_query *q = f->last->query;
  assert_int_equal(q->u.select.items[0].expr->kind, PLAN_E_ROWTIME);
  assert_int_equal(q->u.select.items[0].expr->type.id, CORE_T_TIMESTAMP);
  assert_int_equal(q->u.select.items[0].expr->mono, PLAN_MONO_ASC);
  assert_string_equal(q->columns[0].name, "ROWTIME");
  /* SELECT * never includes ROWTIME, nor APPROXIMATE_ARRIVAL_TIME ([IMPL]) */
  ok(f, "SELECT STREAM * FROM SOURCE_SQL_STREAM_001");
  assert_int_equal(f->last->query->ncolumns, 4);
  ok(f, "SELECT STREAM ROWTIME, * FROM SOURCE_SQL_STREAM_001");
  assert_int_equal(f->last->query->ncolumns, 5);
  ok(f, "SELECT STREAM APPROXIMATE_ARRIVAL_TIME, s.APPROXIMATE_ARRIVAL_TIME FROM "
        "SOURCE_SQL_STREAM_001 AS s");
  assert_int_equal(f->last->query->columns[0].type.id, CORE_T_TIMESTAMP);
  /* only source streams have APPROXIMATE_ARRIVAL_TIME */
  ok(f, "CREATE STREAM D (a INTEGER)");
  fails(f, "SELECT STREAM APPROXIMATE_ARRIVAL_TIME FROM D",
        "column \"APPROXIMATE_ARRIVAL_TIME\" not found in any table", "APPROXIMATE");
  /* tables have no ROWTIME */
  ok(f, "CREATE REFERENCE TABLE \"T\" FROM FILE 't.csv' FORMAT CSV COLUMNS (a INTEGER)");
  fails(f, "SELECT \"T\".ROWTIME FROM \"T\"", "relation \"T\" is not a stream: it has no ROWTIME",
        "ROWTIME");
  fails(f, "SELECT ROWTIME FROM \"T\"", "ROWTIME is not available: the FROM clause has no stream",
        "ROWTIME");
  /* default names: column name, alias, EXPR$n */
  ok(f, "SELECT STREAM s.price, price + 1, change AS c FROM SOURCE_SQL_STREAM_001 AS s");
  assert_string_equal(f->last->query->columns[0].name, "PRICE");
  assert_string_equal(f->last->query->columns[1].name, "EXPR$1");
  assert_string_equal(f->last->query->columns[2].name, "C");
}

static void test_expression_types(void **state) {
  FIX;
  ok(f, "SELECT STREAM price * 2, change / (price - change), ticker_symbol || sector, "
        "ROWTIME - INTERVAL '1' MINUTE * 5, EXTRACT(SECOND FROM ROWTIME), "
        "EXTRACT(HOUR FROM ROWTIME), CHAR_LENGTH(sector), COUNT(*) OVER (ROWS 2 PRECEDING), "
        "AVG(CAST(price AS INTEGER)) OVER (ROWS 2 PRECEDING), "
        "COALESCE(CAST(NULL AS INTEGER), 2, 5), SUBSTRING(sector FROM 2 FOR 3), "
        "CASE WHEN price > 1 THEN 1 ELSE 2.5 END, "
        "(ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND, UNIX_TIMESTAMP(ROWTIME), "
        "TSDIFF(ROWTIME, ROWTIME), TSDIFF(1, 2) FROM SOURCE_SQL_STREAM_001");
  static const char *const want[] = {
      "REAL",        "REAL",          "VARCHAR(20)",     "TIMESTAMP", "DECIMAL(5,3)",
      "BIGINT",      "INTEGER",       "BIGINT",          "INTEGER",   "INTEGER",
      "VARCHAR(16)", "DECIMAL(11,1)", "INTERVAL SECOND", "BIGINT",    "BIGINT",
      "BIGINT"};
  plan_query *q = f->last->query;
  assert_int_equal(q->ncolumns, (int)(sizeof want / sizeof want[0]));
  for (int i = 0; i < q->ncolumns; i++)
    assert_string_equal(plan_type_str(f->arena, q->columns[i].type), want[i]);
  fails(f, "SELECT STREAM ticker_symbol = price FROM SOURCE_SQL_STREAM_001",
        "cannot compare VARCHAR(4) with REAL", "ticker_symbol =");
  fails(f, "SELECT STREAM price FROM SOURCE_SQL_STREAM_001 WHERE price",
        "argument of WHERE must be BOOLEAN, not REAL", "WHERE|price");
  fails(f, "SELECT STREAM ROWTIME + ROWTIME FROM SOURCE_SQL_STREAM_001",
        "cannot apply operator + to TIMESTAMP and TIMESTAMP", "ROWTIME +");
  fails(f, "SELECT STREAM TSDIFF(ROWTIME, 5) FROM SOURCE_SQL_STREAM_001",
        "no match found for function signature TSDIFF(TIMESTAMP, INTEGER)", "TSDIFF");
  fails(f, "SELECT STREAM * FROM TABLE(INITCAP('a'))", "\"INITCAP\" is not a table function",
        "INITCAP");
  fails(f, "SELECT STREAM HOTSPOTS(1) FROM SOURCE_SQL_STREAM_001",
        "table function HOTSPOTS can only be used in FROM TABLE(...)", "HOTSPOTS");
}

static void test_monotonicity_derivation(void **state) {
  FIX;
  ok(f, "SELECT STREAM ROWTIME, FLOOR(s.ROWTIME TO DAY), STEP(s.ROWTIME BY INTERVAL '10' SECOND), "
        "s.ROWTIME + INTERVAL '1' HOUR, (TIMESTAMP '2030-01-01 00:00:00' - s.ROWTIME) SECOND, "
        "(s.ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND * -2, price, 5, "
        "CURRENT_ROW_TIMESTAMP, CURRENT_TIMESTAMP, MONOTONIC(price), -MONOTONIC(price) "
        "FROM SOURCE_SQL_STREAM_001 AS s");
  static const plan_mono want[] = {PLAN_MONO_ASC,  PLAN_MONO_ASC,   PLAN_MONO_ASC,  PLAN_MONO_ASC,
                                   PLAN_MONO_DESC, PLAN_MONO_DESC,  PLAN_MONO_NONE, PLAN_MONO_CONST,
                                   PLAN_MONO_ASC,  PLAN_MONO_CONST, PLAN_MONO_ASC,  PLAN_MONO_DESC};
  plan_query *q = f->last->query;
  for (int i = 0; i < q->u.select.nitems; i++) {
    if (q->u.select.items[i].expr->mono != want[i]) fprintf(stderr, "item %d\n", i);
    assert_int_equal(q->u.select.items[i].expr->mono, want[i]);
  }
}

/* ---------------------------------------------------------- DDL -- */

static void test_ddl_inputs_and_transactions(void **state) {
  FIX;
  ok(f, "CREATE INPUT \"W\" FROM STREAM \"weather\" PARALLELISM 2 FORMAT JSON "
        "COLUMNS (CITY VARCHAR(20) PATH '$.city', TEMP INTEGER PATH '$.temp')");
  ok(f, "SELECT STREAM CITY, TEMP, APPROXIMATE_ARRIVAL_TIME FROM \"W_002\"");
  catalog_input **ins;
  size_t n;
  assert_int_equal(catalog_input_list(f->cat, f->ctx.app, f->arena, &ins, &n, &f->err), SLUICE_OK);
  assert_int_equal(n, 2);
  fails(f, "CREATE INPUT \"X\" FROM STREAM \"s\" FORMAT JSON COLUMNS (A INTEGER)",
        "JSON column \"A\" needs a PATH", "A INTEGER");
  /* the parser checks DECIMAL precision itself */
  fails_at(f, "CREATE STREAM S (d DECIMAL(20,2))", SLUICE_SYNTAX,
           "DECIMAL precision must be between 1 and 19", "20,2", NULL);
  ok(f, "CREATE STREAM S (d DECIMAL(19,5))"); /* spec 7.4 #1 */
  fails_at(f, "CREATE STREAM S2 (v VARCHAR(65535))", SLUICE_SYNTAX,
           "the length of VARCHAR must be between 1 and 65534", "65535", NULL);
  fails_at(f, "CREATE STREAM S2 (v INTERVAL DAY)", SLUICE_SYNTAX,
           "a stream column cannot have an INTERVAL type", "INTERVAL", NULL);
  /* one transaction around several statements: the caller rolls everything back */
  catalog_relation **before, **after;
  size_t nb, na;
  assert_int_equal(catalog_relation_list(f->cat, f->ctx.app, f->arena, &before, &nb, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_begin(f->cat, &f->err), SLUICE_OK);
  ok(f, "CREATE STREAM T1 (a INTEGER); CREATE PUMP P1 AS INSERT INTO T1 "
        "SELECT STREAM CAST(price AS INTEGER) FROM SOURCE_SQL_STREAM_001");
  assert_int_not_equal(run(f, "CREATE PUMP P2 AS INSERT INTO T1 SELECT STREAM sector FROM "
                              "SOURCE_SQL_STREAM_001"),
                       SLUICE_OK);
  assert_int_equal(catalog_rollback(f->cat, &f->err), SLUICE_OK);
  assert_int_equal(catalog_relation_list(f->cat, f->ctx.app, f->arena, &after, &na, &f->err),
                   SLUICE_OK);
  assert_int_equal(na, nb);
  catalog_pump **pumps;
  assert_int_equal(catalog_pump_list(f->cat, f->ctx.app, f->arena, &pumps, &n, &f->err), SLUICE_OK);
  assert_int_equal(n, 0);
}

static void test_impl_decisions(void **state) {
  FIX;
  /* [IMPL] INSERT ... VALUES binds outside pumps (test harness); a pump needs a stream */
  ok(f, "CREATE STREAM D (a INTEGER, b VARCHAR(8))");
  ok(f, "INSERT INTO D VALUES (1, 'x'), (2, NULL)");
  assert_false(f->last->insert->query->streaming);
  ok(f, "INSERT INTO D (b) VALUES ('only b')");
  /* [IMPL] spec 1.3: STOPPED is accepted and ignored: pumps are created RUNNING */
  ok(f, "CREATE OR REPLACE PUMP P STOPPED AS INSERT INTO D SELECT STREAM 1, sector "
        "FROM SOURCE_SQL_STREAM_001");
  catalog_pump *p;
  assert_int_equal(catalog_pump_get(f->cat, f->ctx.app, "P", f->arena, &p, &f->err), SLUICE_OK);
  assert_int_equal(p->state, CATALOG_PUMP_RUNNING);
  /* [IMPL] a subquery inside an expression is relational */
  fails(f,
        "SELECT STREAM price FROM SOURCE_SQL_STREAM_001 WHERE ticker_symbol IN "
        "(SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001)",
        "a subquery in an expression must not be a stream", "SELECT STREAM ticker_symbol");
  fails(f, "SELECT STREAM * FROM (VALUES (1)) AS t(x)", "cannot stream VALUES", "(VALUES");
  /* [IMPL] REGEX_LOG_PARSE without a capture group: COLUMN1 is the whole match */
  ok(f, "SELECT STREAM t.r.COLUMN1 FROM (SELECT STREAM REGEX_LOG_PARSE(sector, '.*') AS r FROM "
        "SOURCE_SQL_STREAM_001) AS t");
  assert_string_equal(plan_type_str(f->arena, f->last->query->columns[0].type), "VARCHAR(1024)");
  /* a window over ROWTIME needs an interval RANGE */
  fails(f, "SELECT STREAM SUM(price) OVER (RANGE 5 PRECEDING) FROM SOURCE_SQL_STREAM_001",
        "RANGE of a window ordered by ROWTIME needs an INTERVAL", "5 PRECEDING");
  /* spec 2.7: SUBSTRING(m FROM 0 FOR c) keeps m's direction, other substrings do not */
  ok(f, "SELECT STREAM SUBSTRING(CAST(s.ROWTIME AS VARCHAR(23)) FROM 0 FOR 10), "
        "SUBSTRING(CAST(s.ROWTIME AS VARCHAR(23)) FROM 3 FOR 10) FROM SOURCE_SQL_STREAM_001 AS s");
  /* CAST to VARCHAR drops monotonicity ([IMPL]: string order is not time order in general) */
  assert_int_equal(f->last->query->u.select.items[0].expr->mono, PLAN_MONO_NONE);
  ok(f, "SELECT STREAM SUBSTRING(m FROM 0 FOR 4), SUBSTRING(m FROM 2 FOR 4) FROM (SELECT STREAM "
        "MONOTONIC(sector) AS m FROM SOURCE_SQL_STREAM_001) AS t");
  assert_int_equal(f->last->query->u.select.items[0].expr->mono, PLAN_MONO_ASC);
  assert_int_equal(f->last->query->u.select.items[1].expr->mono, PLAN_MONO_NONE);
  /* [IMPL] FOLLOWING is not supported in join windows (spec 1.8 makes it optional) */
  fails(f,
        "SELECT STREAM o.price FROM SOURCE_SQL_STREAM_001 AS o JOIN SOURCE_SQL_STREAM_001 "
        "OVER (RANGE INTERVAL '1' HOUR FOLLOWING) AS t ON o.ticker_symbol = t.ticker_symbol",
        "FOLLOWING is not supported in a join window", "INTERVAL '1' HOUR FOLLOWING");
  /* [IMPL] FLOOR/CEIL of DECIMAL(p,s) is DECIMAL(p-s+1,0) */
  ok(f, "VALUES (FLOOR(12.345), CEIL(-3.3))");
  assert_string_equal(plan_type_str(f->arena, f->last->query->columns[0].type), "DECIMAL(3,0)");
  /* [IMPL] USING columns must exist on both sides */
  fails(f,
        "SELECT STREAM * FROM SOURCE_SQL_STREAM_001 AS a JOIN SOURCE_SQL_STREAM_001 OVER "
        "(ROWS 1 PRECEDING) AS b USING (nope)",
        "column \"NOPE\" specified in USING clause not found on the left side", "nope");
  /* UDF overloads resolve by exact parameter types */
  ok(f, "CREATE FUNCTION twice(x INTEGER) RETURNS INTEGER CONTAINS SQL RETURN x * 2;"
        "CREATE FUNCTION twice(x DOUBLE) RETURNS DOUBLE CONTAINS SQL RETURN x * 2;"
        "SELECT STREAM twice(1), twice(CAST(price AS DOUBLE)) FROM SOURCE_SQL_STREAM_001");
  assert_string_equal(plan_type_str(f->arena, f->last->query->columns[0].type), "INTEGER");
  assert_string_equal(plan_type_str(f->arena, f->last->query->columns[1].type), "DOUBLE");
  /* pumps record every relation they read, including subqueries and cursors */
  ok(f, "CREATE REFERENCE TABLE \"T\" FROM FILE 't.csv' FORMAT CSV COLUMNS (k VARCHAR(4));"
        "CREATE STREAM E (a INTEGER, b VARCHAR(8));"
        "CREATE PUMP Q AS INSERT INTO E SELECT STREAM 1, ticker_symbol FROM (SELECT STREAM * FROM "
        "SOURCE_SQL_STREAM_001) AS x JOIN \"T\" ON x.ticker_symbol = \"T\".k");
  assert_int_equal(catalog_pump_get(f->cat, f->ctx.app, "Q", f->arena, &p, &f->err), SLUICE_OK);
  assert_int_equal(p->nsources, 2);
  assert_string_equal(p->sources[0], "SOURCE_SQL_STREAM_001");
  assert_string_equal(p->sources[1], "T");
  /* the stream a pump reads cannot be redefined either */
  fails_at(f, "CREATE OR REPLACE STREAM E (a INTEGER)", SLUICE_STATE, "stream redefined", "E (a",
           NULL);
  assert_string_equal(f->err.detail, "Stream \"E\" is read or written by pump \"Q\".");
}

static void test_bound_tree_dump(void **state) {
  FIX;
  ok(f, "SELECT STREAM ticker_symbol, FLOOR(s.ROWTIME TO MINUTE) AS m, COUNT(*) AS n "
        "FROM SOURCE_SQL_STREAM_001 AS s WHERE price > 10 "
        "GROUP BY ticker_symbol, FLOOR(s.ROWTIME TO MINUTE) HAVING COUNT(*) > 1 "
        "ORDER BY FLOOR(s.ROWTIME TO MINUTE), n DESC");
  char *text = plan_print_query(f->arena, f->last->query);
  assert_non_null(text);
  assert_string_equal(text, "select stream\n"
                            "  items: S.TICKER_SYMBOL AS TICKER_SYMBOL, FLOOR(S.ROWTIME TO MINUTE) "
                            "AS M, COUNT(*) AS N\n"
                            "  from:\n"
                            "    stream SOURCE_SQL_STREAM_001 AS S\n"
                            "  where: (S.PRICE > 10)\n"
                            "  group by: S.TICKER_SYMBOL, FLOOR(S.ROWTIME TO MINUTE) [time key]\n"
                            "  having: (COUNT(*) > 1)\n"
                            "  order by: FLOOR(S.ROWTIME TO MINUTE), COUNT(*) DESC\n"
                            "  columns: TICKER_SYMBOL VARCHAR(4) none, M TIMESTAMP ascending, N "
                            "BIGINT none\n");
  ok(f, "SELECT STREAM ROWTIME, o.price, t.change FROM SOURCE_SQL_STREAM_001 AS o "
        "JOIN SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t "
        "ON o.ticker_symbol = t.ticker_symbol");
  text = plan_print_query(f->arena, f->last->query);
  assert_string_equal(text, "select stream\n"
                            "  items: ROWTIME AS ROWTIME, O.PRICE AS PRICE, T.CHANGE AS CHANGE\n"
                            "  from:\n"
                            "    inner join on (O.TICKER_SYMBOL = T.TICKER_SYMBOL)\n"
                            "      stream SOURCE_SQL_STREAM_001 AS O\n"
                            "      stream SOURCE_SQL_STREAM_001 AS T OVER (window)\n"
                            "  columns: ROWTIME TIMESTAMP ascending, PRICE REAL none, CHANGE REAL "
                            "none\n");
  assert_int_equal(f->last->query->u.select.from->join.right->window->range_ms, 60000);
}

static void test_using_and_natural_joins(void **state) {
  FIX;
  ok(f, "CREATE REFERENCE TABLE \"T\" FROM FILE 't.csv' FORMAT CSV COLUMNS (TICKER_SYMBOL "
        "VARCHAR(4), NAME VARCHAR(20))");
  ok(f, "SELECT STREAM * FROM SOURCE_SQL_STREAM_001 JOIN \"T\" USING (ticker_symbol)");
  plan_query *q = f->last->query;
  assert_int_equal(q->ncolumns, 5); /* TICKER_SYMBOL once */
  assert_string_equal(q->columns[4].name, "NAME");
  ok(f, "SELECT STREAM ticker_symbol, name FROM SOURCE_SQL_STREAM_001 NATURAL LEFT JOIN \"T\"");
  q = f->last->query;
  assert_int_equal(q->u.select.from->join.nusing, 1);
  assert_string_equal(q->u.select.from->join.using_[0], "TICKER_SYMBOL");
  /* the unqualified USING column is the left one */
  assert_ptr_equal(q->u.select.items[0].expr->u.column.rel, q->u.select.leaves[0]);
  /* without USING the name is ambiguous */
  fails(f,
        "SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 AS s JOIN \"T\" AS t "
        "ON s.ticker_symbol = t.ticker_symbol",
        "column \"TICKER_SYMBOL\" is ambiguous", "ticker_symbol FROM");
}

/* -------------------------------------------- spec 8 conformance apps -- */

static void test_conformance_applications(void **state) {
  FIX;
  /* 8.1 */
  ok(f, "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (ticker_symbol VARCHAR(4), sector "
        "VARCHAR(12), change DOUBLE, price DOUBLE);"
        "CREATE OR REPLACE PUMP \"STREAM_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\" "
        "SELECT STREAM ticker_symbol, sector, change, price FROM \"SOURCE_SQL_STREAM_001\" "
        "WHERE sector SIMILAR TO '%TECH%';");
  /* 8.2 / 8.3 */
  ok(f, "CREATE OR REPLACE STREAM ALERTS (ticker_symbol VARCHAR(4), price DOUBLE);"
        "CREATE OR REPLACE PUMP A1 AS INSERT INTO ALERTS SELECT STREAM ticker_symbol, price FROM "
        "SOURCE_SQL_STREAM_001 WHERE (ABS(Change / (Price - Change)) * 100) > 1;"
        "CREATE OR REPLACE PUMP A2 AS INSERT INTO ALERTS SELECT STREAM TICKER_SYMBOL, PRICE FROM "
        "SOURCE_SQL_STREAM_001 WHERE (ABS((CHANGE / (PRICE-CHANGE)) * 100)) > 15;");
  /* 8.4 and its FLOOR variant */
  ok(f, "CREATE OR REPLACE STREAM COUNTS (ticker_symbol VARCHAR(4), ticker_count INTEGER);"
        "CREATE OR REPLACE PUMP C1 AS INSERT INTO COUNTS SELECT STREAM ticker_symbol, COUNT(*) "
        "FROM \"SOURCE_SQL_STREAM_001\" GROUP BY ticker_symbol, "
        "STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '60' SECOND);"
        "CREATE OR REPLACE PUMP C2 AS INSERT INTO COUNTS SELECT STREAM ticker_symbol, COUNT(*) "
        "FROM \"SOURCE_SQL_STREAM_001\" GROUP BY ticker_symbol, "
        "FLOOR(\"SOURCE_SQL_STREAM_001\".ROWTIME TO MINUTE);");
  /* 8.13 */
  ok(f, "CREATE OR REPLACE STREAM \"CALC_COUNT_SQL_STREAM\" (TICKER VARCHAR(4), TRADETIME "
        "TIMESTAMP, TICKERCOUNT DOUBLE);"
        "CREATE OR REPLACE STREAM \"DEST2\" (TICKER VARCHAR(4), TRADETIME TIMESTAMP, TICKERCOUNT "
        "DOUBLE);"
        "CREATE PUMP \"CALC_COUNT_SQL_PUMP_001\" AS INSERT INTO \"CALC_COUNT_SQL_STREAM\" "
        "(\"TICKER\",\"TRADETIME\",\"TICKERCOUNT\") SELECT STREAM \"TICKER_SYMBOL\", "
        "STEP(\"SOURCE_SQL_STREAM_001\".\"ROWTIME\" BY INTERVAL '1' MINUTE) AS \"TradeTime\", "
        "COUNT(*) AS \"TickerCount\" FROM \"SOURCE_SQL_STREAM_001\" GROUP BY "
        "STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '1' MINUTE), "
        "STEP(\"SOURCE_SQL_STREAM_001\".\"APPROXIMATE_ARRIVAL_TIME\" BY INTERVAL '1' MINUTE), "
        "TICKER_SYMBOL;"
        "CREATE PUMP \"AGGREGATED_SQL_PUMP\" AS INSERT INTO \"DEST2\" "
        "(\"TICKER\",\"TRADETIME\",\"TICKERCOUNT\") SELECT STREAM \"TICKER\", \"TRADETIME\", "
        "SUM(\"TICKERCOUNT\") OVER W1 AS \"TICKERCOUNT\" FROM \"CALC_COUNT_SQL_STREAM\" WINDOW W1 "
        "AS (PARTITION BY \"TRADETIME\" RANGE INTERVAL '10' MINUTE PRECEDING);");
  /* 8.10, 8.11 */
  ok(f, "SELECT STREAM ticker_symbol, MIN(Price) OVER W1 AS Min_Price, MAX(Price) OVER W1 AS "
        "Max_Price, AVG(Price) OVER W1 AS Avg_Price FROM \"SOURCE_SQL_STREAM_001\" WINDOW W1 AS "
        "(PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)");
  ok(f, "SELECT STREAM ticker_symbol, price, AVG(price) OVER last2rows, AVG(price) OVER "
        "last10rows FROM SOURCE_SQL_STREAM_001 WINDOW last2rows AS (PARTITION BY ticker_symbol "
        "ROWS 2 PRECEDING), last10rows AS (PARTITION BY ticker_symbol ROWS 10 PRECEDING)");
  /* 8.14, 8.15 */
  ok(f, "CREATE OR REPLACE STREAM TOPK (\"TICKER_SYMBOL\" VARCHAR(4), \"MOST_FREQUENT_VALUES\" "
        "BIGINT);"
        "CREATE OR REPLACE PUMP \"TOPK_PUMP\" AS INSERT INTO TOPK SELECT STREAM * FROM "
        "TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\"), "
        "'TICKER_SYMBOL', 5, 60));");
  ok(f, "CREATE OR REPLACE STREAM DISTINCTS (NUMBER_OF_DISTINCT_ITEMS BIGINT);"
        "CREATE OR REPLACE PUMP DP AS INSERT INTO DISTINCTS SELECT STREAM * FROM "
        "TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "
        "\"SOURCE_SQL_STREAM_001\"), 'TICKER_SYMBOL', 60));");
  ok(f, "SELECT STREAM TICKER_SYMBOL, COUNT(distinct_stream.price) FROM (SELECT STREAM DISTINCT "
        "rowtime AS window_time, TICKER_SYMBOL, CHANGE, PRICE, STEP(rowtime BY INTERVAL '5' "
        "SECOND) FROM SOURCE_SQL_STREAM_001) AS distinct_stream GROUP BY TICKER_SYMBOL, "
        "STEP(distinct_stream.window_time BY INTERVAL '5' SECOND)");
  /* 8.19 */
  ok(f, "CREATE REFERENCE TABLE \"CompanyName\" FROM FILE 'TickerReference.csv' FORMAT CSV "
        "COLUMNS (\"Ticker\" VARCHAR(4), \"Company\" VARCHAR(20));"
        "CREATE OR REPLACE STREAM \"ENRICHED\" (ticker_symbol VARCHAR(4), \"Company\" VARCHAR(20), "
        "sector VARCHAR(12), change DOUBLE, price DOUBLE);"
        "CREATE OR REPLACE PUMP \"ENRICH_PUMP\" AS INSERT INTO \"ENRICHED\" SELECT STREAM "
        "ticker_symbol, \"c\".\"Company\", sector, change, price FROM \"SOURCE_SQL_STREAM_001\" "
        "LEFT JOIN \"CompanyName\" AS \"c\" ON \"SOURCE_SQL_STREAM_001\".ticker_symbol = "
        "\"c\".\"Ticker\";");
  /* 8.24: subquery without alias [DOC 7.4 #15], DOUBLE -> REAL */
  ok(f, "CREATE OR REPLACE STREAM \"CHANGE_STREAM\" (ticker_symbol VARCHAR(4), sector "
        "VARCHAR(12), change DOUBLE, price DOUBLE);"
        "CREATE OR REPLACE PUMP \"change_pump\" AS INSERT INTO \"CHANGE_STREAM\" SELECT STREAM "
        "ticker_symbol, sector, change, price FROM \"SOURCE_SQL_STREAM_001\" WHERE "
        "(ABS(Change / (Price - Change)) * 100) > 1;"
        "CREATE OR REPLACE STREAM TRIGGER_COUNT_STREAM (ticker_symbol VARCHAR(4), change REAL, "
        "trigger_count INTEGER);"
        "CREATE OR REPLACE PUMP trigger_count_pump AS INSERT INTO TRIGGER_COUNT_STREAM SELECT "
        "STREAM ticker_symbol, change, trigger_count FROM (SELECT STREAM ticker_symbol, change, "
        "COUNT(*) OVER W1 AS trigger_count FROM \"CHANGE_STREAM\" WINDOW W1 AS (PARTITION BY "
        "ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)) WHERE trigger_count >= 1;");
  /* 8.25 b */
  ok(f, "CREATE OR REPLACE STREAM ERRS (ticker_symbol VARCHAR(4), sector VARCHAR(16), change "
        "REAL, ProblemColumn REAL);"
        "CREATE OR REPLACE PUMP \"STREAM_PUMP_E\" AS INSERT INTO ERRS SELECT STREAM "
        "ticker_symbol, sector, change, (price / 0) AS ProblemColumn FROM "
        "\"SOURCE_SQL_STREAM_001\" WHERE sector SIMILAR TO '%TECH%';");
  /* 8.22 a, b, c */
  make_source(f, "WEB",
              "\"REFERRER\" VARCHAR(64), \"log\" VARCHAR(256), \"Col_E_Unstructured\" "
              "VARCHAR(32), \"Col_A\" VARCHAR(4)",
              1);
  ok(f, "CREATE OR REPLACE STREAM R1 (\"ingest_time\" TIMESTAMP, \"referrer\" VARCHAR(32));"
        "CREATE OR REPLACE PUMP RP AS INSERT INTO R1 SELECT STREAM \"APPROXIMATE_ARRIVAL_TIME\", "
        "SUBSTRING(\"REFERRER\", 12, (POSITION('.com' IN \"REFERRER\") - POSITION('www.' IN "
        "\"REFERRER\") - 4)) FROM \"WEB_001\";"
        "CREATE OR REPLACE PUMP RP2 AS INSERT INTO R1 SELECT STREAM \"APPROXIMATE_ARRIVAL_TIME\", "
        "REGEX_REPLACE(\"REFERRER\", 'http://', 'https://', 1, 0) FROM \"WEB_001\";");
  ok(f, "SELECT STREAM t.r.COLUMN1, t.r.COLUMN4 FROM (SELECT STREAM "
        "REGEX_LOG_PARSE(\"log\", '(\\w.+) (\\d.+) (\\w.+) (\\w.+)') AS r FROM \"WEB_001\") AS t");
  fails(f,
        "SELECT STREAM t.r.COLUMN5 FROM (SELECT STREAM "
        "REGEX_LOG_PARSE(\"log\", '(\\w.+) (\\d.+) (\\w.+) (\\w.+)') AS r FROM \"WEB_001\") AS t",
        "field \"COLUMN5\" not found in row", "COLUMN5");
  /* 8.22 d, e */
  ok(f, "SELECT STREAM l.r.COLUMN1, l.r.COLUMN7 FROM (SELECT STREAM W3C_LOG_PARSE(\"log\", "
        "'COMMON') FROM \"WEB_001\") AS l(r)");
  ok(f, "SELECT STREAM t.\"Col_A\", t.r.\"COL_1\", t.r.COL_3 FROM (SELECT STREAM \"Col_A\", "
        "VARIABLE_COLUMN_LOG_PARSE(\"Col_E_Unstructured\", 'COL_1 TYPE VARCHAR(16), COL_2 TYPE "
        "VARCHAR(16), COL_3 TYPE VARCHAR(16)', ',') AS r FROM \"WEB_001\") AS t");
  assert_string_equal(plan_type_str(f->arena, f->last->query->columns[1].type), "VARCHAR(16)");
  /* 8.6, 8.12, 8.23 (EVENT_TIME sources) */
  make_source(f, "EVS", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4), PRICE REAL", 1);
  ok(f, "CREATE OR REPLACE STREAM E1 (EVENT_TIME TIMESTAMP, TICKER VARCHAR(4), min_price REAL, "
        "max_price REAL);"
        "CREATE OR REPLACE PUMP EP AS INSERT INTO E1 SELECT STREAM STEP(\"EVS_001\".EVENT_TIME BY "
        "INTERVAL '60' SECOND), TICKER, MIN(PRICE), MAX(PRICE) FROM \"EVS_001\" GROUP BY TICKER, "
        "STEP(\"EVS_001\".ROWTIME BY INTERVAL '60' SECOND), STEP(\"EVS_001\".EVENT_TIME BY "
        "INTERVAL '60' SECOND);");
  ok(f, "CREATE OR REPLACE STREAM E2 (event_time TIMESTAMP, ticker_symbol VARCHAR(4), "
        "ticker_count INTEGER);"
        "CREATE OR REPLACE PUMP EP2 AS INSERT INTO E2 SELECT STREAM EVENT_TIME, TICKER, "
        "COUNT(TICKER) AS ticker_count FROM \"EVS_001\" WINDOWED BY STAGGER (PARTITION BY TICKER, "
        "EVENT_TIME RANGE INTERVAL '1' MINUTE);");
  ok(f, "CREATE OR REPLACE STREAM E3 (TICKER VARCHAR(4), event_time TIMESTAMP, "
        "five_minutes_before TIMESTAMP, event_unix_timestamp BIGINT, event_timestamp_as_char "
        "VARCHAR(50), event_second INTEGER);"
        "CREATE OR REPLACE PUMP EP3 AS INSERT INTO E3 SELECT STREAM TICKER, EVENT_TIME, "
        "EVENT_TIME - INTERVAL '5' MINUTE, UNIX_TIMESTAMP(EVENT_TIME), TIMESTAMP_TO_CHAR("
        "'yyyy-MM-dd hh:mm:ss', EVENT_TIME), EXTRACT(SECOND FROM EVENT_TIME) FROM \"EVS_001\";");
  /* 8.16, 8.17, 8.18 */
  make_source(f, "HR",
              "\"heartRate\" INTEGER, \"rateType\" VARCHAR(20), \"x\" DOUBLE, \"y\" DOUBLE, "
              "\"is_hot\" VARCHAR(4)",
              1);
  ok(f, "CREATE OR REPLACE STREAM \"TEMP_STREAM\" (\"heartRate\" INTEGER, \"rateType\" "
        "VARCHAR(20), \"ANOMALY_SCORE\" DOUBLE);"
        "CREATE OR REPLACE STREAM \"DEST_HR\" (\"heartRate\" INTEGER, \"rateType\" VARCHAR(20), "
        "\"ANOMALY_SCORE\" DOUBLE);"
        "CREATE OR REPLACE PUMP \"HR_PUMP\" AS INSERT INTO \"TEMP_STREAM\" SELECT STREAM "
        "\"heartRate\", \"rateType\", ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT "
        "STREAM \"heartRate\", \"rateType\" FROM \"HR_001\")));"
        "CREATE OR REPLACE PUMP \"OUTPUT_PUMP\" AS INSERT INTO \"DEST_HR\" SELECT STREAM * FROM "
        "\"TEMP_STREAM\" ORDER BY FLOOR(\"TEMP_STREAM\".ROWTIME TO SECOND), ANOMALY_SCORE DESC;");
  ok(f, "SELECT STREAM \"heartRate\", ANOMALY_SCORE, ANOMALY_EXPLANATION FROM "
        "TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM \"heartRate\", \"x\" FROM "
        "\"HR_001\"), 100, 256, 100000, 1, true))");
  ok(f, "CREATE OR REPLACE STREAM \"HOT\" (\"x\" DOUBLE, \"y\" DOUBLE, \"is_hot\" VARCHAR(4), "
        "HOTSPOTS_RESULT VARCHAR(10000));"
        "CREATE OR REPLACE PUMP \"HOT_PUMP\" AS INSERT INTO \"HOT\" SELECT \"x\", \"y\", "
        "\"is_hot\", \"HOTSPOTS_RESULT\" FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM \"x\", \"y\", "
        "\"is_hot\" FROM \"HR_001\"), 1000, 0.2, 17));");
  fails(f,
        "SELECT STREAM * FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM \"x\" FROM \"HR_001\"), 10, "
        "0.2, 17))",
        "the window size of HOTSPOTS must be between 100 and 1000", "10,");
  /* 8.20: windowed stream-stream joins */
  make_source(f, "OS", "\"orders\" INTEGER, \"shipments\" INTEGER, \"orderid\" INTEGER", 1);
  ok(f, "CREATE OR REPLACE STREAM ORDERS_STREAM (\"orderid\" INT, \"orderrowtime\" TIMESTAMP);"
        "CREATE OR REPLACE STREAM SHIPMENTS_STREAM (\"orderid\" INT, \"shipmentrowtime\" "
        "TIMESTAMP);"
        "CREATE PUMP OP AS INSERT INTO ORDERS_STREAM SELECT STREAM \"orderid\", ROWTIME FROM "
        "\"OS_001\" WHERE \"orders\" = 1;"
        "CREATE PUMP SP AS INSERT INTO SHIPMENTS_STREAM SELECT STREAM \"orderid\", \"ROWTIME\" "
        "FROM \"OS_001\" WHERE \"shipments\" = 2;");
  ok(f, "SELECT STREAM ROWTIME AS \"resultrowtime\", s.\"orderid\", s.\"shipmentrowtime\", "
        "o.\"orderrowtime\" FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o "
        "RIGHT JOIN SHIPMENTS_STREAM OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s "
        "ON o.\"orderid\" = s.\"orderid\"");
  ok(f, "SELECT STREAM o.\"orderid\", o.ROWTIME FROM ORDERS_STREAM OVER w AS o LEFT JOIN "
        "SHIPMENTS_STREAM AS s ON o.\"orderid\" = s.\"orderid\" WINDOW w AS (RANGE INTERVAL '1' "
        "MINUTE PRECEDING)");
  /* 8.26 b: lower-case unquoted names fold */
  make_source(f, "P2", DEMO, 2);
  ok(f, "CREATE OR REPLACE STREAM in_application_stream_001 (ticker VARCHAR(64), ticker_count "
        "INTEGER);"
        "CREATE OR REPLACE PUMP pump1 AS INSERT INTO in_application_stream_001 SELECT STREAM "
        "ticker_symbol, COUNT(*) FROM p2_001 GROUP BY STEP(p2_001.rowtime BY INTERVAL '60' "
        "SECOND), ticker_symbol;"
        "CREATE OR REPLACE PUMP pump2 AS INSERT INTO in_application_stream_001 SELECT STREAM "
        "ticker_symbol, COUNT(*) FROM p2_002 GROUP BY STEP(p2_002.rowtime BY INTERVAL '60' "
        "SECOND), ticker_symbol;");
  /* 8.27, 8.8 */
  ok(f, "SELECT STREAM ROWTIME, ticker_symbol, price, SUM(price) OVER (PARTITION BY ticker_symbol "
        "RANGE INTERVAL '1' HOUR PRECEDING) AS hourlyVolume FROM SOURCE_SQL_STREAM_001");
  make_source(f, "WX", "CITY VARCHAR(20), TEMP INTEGER", 1);
  ok(f,
     "SELECT STREAM FLOOR(WX_001.ROWTIME TO DAY) AS FLOOR_DAY, CITY, MIN(TEMP), MAX(TEMP), "
     "SUM(TEMP)/COUNT(TEMP) AS AVG_TEMP FROM WX_001 GROUP BY FLOOR(WX_001.ROWTIME TO DAY), CITY");
  assert_string_equal(plan_type_str(f->arena, f->last->query->columns[4].type), "BIGINT");
}

/* The parser's corpus of conformance applications (tests/unit/parser/corpus/\*.sql): each file
 * runs in a fresh application with the inputs and objects its text assumes; every statement
 * binds, except the ones listed with the error they must raise. */
typedef struct corpus_setup {
  const char *file;
  const char *columns; /* of input SOURCE_SQL_STREAM */
  int parallelism;
  const char *sql;      /* more objects the file reads */
  const char *failures; /* expected error messages, in order, separated by '|' */
} corpus_setup;

/* Files that define their own inputs and tables (whole applications). */
static bool corpus_bare(const char *file) {
  return strcmp(file, "sluice_application.sql") == 0;
}

static const char *COMPANY =
    "CREATE REFERENCE TABLE \"CompanyName\" FROM FILE 'TickerReference.csv' FORMAT CSV "
    "COLUMNS (\"Ticker\" VARCHAR(4), \"Company\" VARCHAR(20), \"Sector\" VARCHAR(16));";

static const corpus_setup CORPUS[] = {
    {"8_05_tumbling_min_max.sql", "TICKER VARCHAR(4), PRICE REAL", 1, NULL, NULL},
    {"8_06_tumbling_event_time.sql", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4), PRICE REAL", 1, NULL,
     NULL},
    {"8_08_weather_aggregation.sql", NULL, 1,
     "CREATE STREAM WEATHERSTREAM (CITY VARCHAR(20), TEMP INTEGER);", NULL},
    {"8_09_weather_sliding.sql", NULL, 1,
     "CREATE STREAM WEATHERSTREAM (CITY VARCHAR(20), TEMP INTEGER);", NULL},
    {"8_12_stagger.sql", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4), TICKER_SYMBOL VARCHAR(4)", 1,
     NULL, NULL},
    {"8_16_random_cut_forest.sql", "\"heartRate\" INTEGER, \"rateType\" VARCHAR(20)", 1, NULL,
     NULL},
    {"8_17_rcf_explanation.sql",
     "\"Systolic\" INTEGER, \"Diastolic\" INTEGER, \"BloodPressureLevel\" VARCHAR(20)", 1, NULL,
     NULL},
    {"8_18_hotspots.sql",
     "\"x\" DOUBLE, \"y\" DOUBLE, \"is_hot\" VARCHAR(4), CHANGE REAL, PRICE REAL", 1, NULL, NULL},
    {"8_19_reference_join.sql", NULL, 1, NULL, NULL},
    {"8_20_stream_joins.sql", "\"orderid\" INTEGER, \"orders\" INTEGER, \"shipments\" INTEGER", 1,
     "CREATE STREAM OrderStream (orderId INTEGER); "
     "CREATE STREAM TradeStream (orderId INTEGER, amount INTEGER);",
     /* `JOIN TradeStream OVER t ... t.orderId`: OVER t names a window, not an alias, so the
      * relation is still called TRADESTREAM */
     "table \"T\" not found in the FROM clause"},
    {"8_21_record_types.sql",
     "\"Oid\" INTEGER, \"Otype\" VARCHAR(10), \"Oticker\" VARCHAR(4), \"Oprice\" DOUBLE, "
     "\"RecordType\" VARCHAR(10), \"Tid\" INTEGER, \"Toid\" INTEGER, \"Tprice\" DOUBLE, "
     "\"Tticker\" VARCHAR(4)",
     1, NULL, NULL},
    {"8_22_string_transformations.sql",
     "\"REFERRER\" VARCHAR(64), \"log\" VARCHAR(512), \"Col_A\" VARCHAR(16), \"Col_B\" "
     "VARCHAR(16), \"Col_C\" VARCHAR(16), \"Col_E_Unstructured\" VARCHAR(64)",
     1, NULL, NULL},
    {"8_23_datetime_transformations.sql", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4)", 1, NULL, NULL},
    {"8_26_pipeline_parallelism.sql", NULL, 2, NULL, NULL},
    {"8_27_rowtime_bounds.sql", NULL, 1,
     "CREATE STREAM Trades (ticker VARCHAR(4), amount INTEGER);", NULL},
    {"spec_1_x_statements.sql", NULL, 1,
     "CREATE STREAM Orders (prodId INTEGER);"
     "CREATE STREAM \"Orders\" (\"prodId\" INTEGER, \"quantity\" INTEGER, \"price\" DOUBLE);"
     "CREATE STREAM OrderStream (orderId INTEGER);"
     "CREATE STREAM TradeStream (orderId INTEGER, amount INTEGER);"
     "CREATE STREAM \"TEMP_STREAM\" (\"heartRate\" INTEGER, ANOMALY_SCORE DOUBLE);"
     "CREATE STREAM s (event_time TIMESTAMP, ticker VARCHAR(4), x VARCHAR(64), ticker_symbol "
     "VARCHAR(4), sector VARCHAR(16));"
     "CREATE STREAM s1 (a INTEGER); CREATE STREAM s2 (b INTEGER);",
     /* the corpus's T-sort example sorts on FLOOR(s.event_time TO MINUTE) but aliases
      * event_time AS ROWTIME: spec 1.12 requires the key itself to be aliased AS ROWTIME */
     "the T-sort key must appear in the select list aliased AS ROWTIME"},
};

static void test_parser_corpus(void **state) {
  FIX;
  DIR *d = opendir(SLUICE_CORPUS_DIR);
  if (!d) {
    fprintf(stderr, "no corpus at %s\n", SLUICE_CORPUS_DIR);
    return;
  }
  struct dirent *ent;
  int files = 0, statements = 0, app_no = 0, unexpected = 0;
  while ((ent = readdir(d))) {
    size_t len = strlen(ent->d_name);
    if (len < 5 || strcmp(ent->d_name + len - 4, ".sql") != 0) continue;
    const corpus_setup *cs = NULL;
    for (size_t i = 0; i < sizeof CORPUS / sizeof CORPUS[0]; i++)
      if (strcmp(CORPUS[i].file, ent->d_name) == 0) cs = &CORPUS[i];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SLUICE_CORPUS_DIR, ent->d_name);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = 0;
    char name[32];
    snprintf(name, sizeof name, "corpus%d", app_no++);
    int64_t app;
    assert_int_equal(catalog_app_create(f->cat, name, NULL, &app, &f->err), SLUICE_OK);
    f->ctx.app = app;
    bool bare = corpus_bare(ent->d_name);
    if (!bare) {
      make_source(f, "SOURCE_SQL_STREAM", cs && cs->columns ? cs->columns : DEMO,
                  cs ? cs->parallelism : 1);
      ok(f, COMPANY);
    }
    if (cs && cs->sql) ok(f, cs->sql);
    parse_script sc;
    assert_int_equal(parse_script_text(f->arena, text, n, &sc, &f->err), SLUICE_OK);
    const char *expect = cs ? cs->failures : NULL;
    for (int i = 0; i < sc.n; i++) {
      parse_stmt *st = sc.stmts[i];
      int rc = is_ddl(st->kind) ? plan_execute(&f->ctx, st, &f->last, &f->err)
                                : plan_bind(&f->ctx, st, &f->last, &f->err);
      statements++;
      if (rc == SLUICE_OK) continue;
      size_t elen = expect ? strcspn(expect, "|") : 0;
      if (expect && strlen(f->err.message) == elen && strncmp(f->err.message, expect, elen) == 0) {
        expect = expect[elen] ? expect + elen + 1 : NULL;
        continue;
      }
      char buf[4096];
      core_error_format(&f->err, text, buf, sizeof buf);
      fprintf(stderr, "%s:\n%s\n", ent->d_name, buf);
      unexpected++;
    }
    if (expect) {
      fprintf(stderr, "%s: expected error not raised: %s\n", ent->d_name, expect);
      unexpected++;
    }
    if (bare) /* a whole application: its outputs name streams it creates */
      assert_int_equal(catalog_output_check(f->cat, app, &f->err), SLUICE_OK);
    files++;
  }
  closedir(d);
  fprintf(stderr, "corpus: %d files, %d statements\n", files, statements);
  assert_int_equal(unexpected, 0);
}

/* Robustness: every corpus statement with one token deleted (or two adjacent tokens
 * swapped) either fails to parse, or binds,
 * or fails to bind with an error that has a message and a location inside the text. The
 * deletions are exhaustive (no randomness). */
static void test_token_deletions(void **state) {
  FIX;
  DIR *d = opendir(SLUICE_CORPUS_DIR);
  if (!d) return;
  make_source(f, "EV", "EVENT_TIME TIMESTAMP, TICKER VARCHAR(4), PRICE REAL", 1);
  ok(f, COMPANY);
  ok(f, "CREATE STREAM s (event_time TIMESTAMP, ticker VARCHAR(4), x VARCHAR(64), ticker_symbol "
        "VARCHAR(4), sector VARCHAR(16)); CREATE STREAM WEATHERSTREAM (CITY VARCHAR(20), TEMP "
        "INTEGER); CREATE STREAM \"TEMP_STREAM\" (\"heartRate\" INTEGER, ANOMALY_SCORE DOUBLE);"
        "CREATE STREAM \"DESTINATION_SQL_STREAM\" (a VARCHAR(4), b DOUBLE)");
  struct dirent *ent;
  long binds = 0, bound = 0;
  core_arena *scratch = core_arena_new(0);
  plan_ctx ctx = f->ctx;
  ctx.arena = scratch;
  while ((ent = readdir(d))) {
    size_t len = strlen(ent->d_name);
    if (len < 5 || strcmp(ent->d_name + len - 4, ".sql") != 0) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SLUICE_CORPUS_DIR, ent->d_name);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char text[1 << 17], mutated[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = 0;
    parse_token *toks;
    int32_t ntok;
    assert_int_equal(parse_tokenize(f->arena, text, n, &toks, &ntok, &f->err), SLUICE_OK);
    for (int32_t k = 0; k < 2 * ntok; k++) {
      /* k < ntok: delete token k; else swap token k - ntok with the next one */
      size_t m;
      if (k < ntok) {
        size_t a = (size_t)toks[k].loc.off, z = a + (size_t)toks[k].loc.len;
        memcpy(mutated, text, a);
        memcpy(mutated + a, text + z, n - z);
        m = n - (z - a);
      } else {
        int32_t j = k - ntok;
        if (j + 1 >= ntok) continue;
        size_t a = (size_t)toks[j].loc.off, al = (size_t)toks[j].loc.len;
        size_t b2 = (size_t)toks[j + 1].loc.off, bl = (size_t)toks[j + 1].loc.len;
        size_t p = 0;
        memcpy(mutated, text, a);
        p = a;
        memcpy(mutated + p, text + b2, bl);
        p += bl;
        memcpy(mutated + p, text + a + al, b2 - (a + al));
        p += b2 - (a + al);
        memcpy(mutated + p, text + a, al);
        p += al;
        memcpy(mutated + p, text + b2 + bl, n - (b2 + bl));
        m = p + n - (b2 + bl);
      }
      mutated[m] = 0;
      core_arena_reset(scratch);
      parse_script sc;
      core_error e;
      if (parse_script_text(scratch, mutated, m, &sc, &e) != SLUICE_OK) continue;
      for (int i = 0; i < sc.n; i++) {
        plan_stmt *ps;
        binds++;
        int rc = plan_bind(&ctx, sc.stmts[i], &ps, &e);
        if (rc == SLUICE_OK) {
          bound++;
          const plan_query *pq = ps->query ? ps->query : ps->insert ? ps->insert->query : NULL;
          if (pq) assert_non_null(plan_print_query(scratch, pq));
          continue;
        }
        assert_true(e.message[0] != 0);
        assert_true(e.location >= 0 && (size_t)e.location <= m);
      }
    }
  }
  closedir(d);
  core_arena_free(scratch);
  fprintf(stderr, "token deletions: %ld statements bound, %ld without error\n", binds, bound);
  assert_true(binds > 0);
}

/* ---------------------------------------------------------- depth limit -- */

/* sql = prefix + n copies of unit + suffix (heap; the caller frees it). */
static char *repeat(const char *prefix, const char *unit, int n, const char *suffix) {
  size_t lp = strlen(prefix), lu = strlen(unit), ls = strlen(suffix);
  char *s = malloc(lp + lu * (size_t)n + ls + 1);
  assert_non_null(s);
  memcpy(s, prefix, lp);
  for (int i = 0; i < n; i++) memcpy(s + lp + lu * (size_t)i, unit, lu);
  memcpy(s + lp + lu * (size_t)n, suffix, ls + 1);
  return s;
}

/*
 * The parser accepts left-deep chains of any length (`a + a + ...`); the
 * binder measures the tree first and refuses more than 1000 levels with the
 * parser's own message and code (SLUICE_SYNTAX), at the start of the deepest
 * subtree, instead of recursing without bound.
 */
static void test_depth_limit(void **state) {
  FIX; /* setup made SOURCE_SQL_STREAM_001 */
  char *sql = repeat("SELECT STREAM PRICE", " + PRICE", 900, " AS P FROM SOURCE_SQL_STREAM_001");
  ok(f, sql);
  free(sql);
  sql = repeat("SELECT STREAM PRICE", " + PRICE", 1100, " AS P FROM SOURCE_SQL_STREAM_001");
  fails_at(f, sql, SLUICE_SYNTAX, "statement is too deeply nested", "PRICE", NULL);
  free(sql);
  /* 25,000 terms: parses, and the binder stops cleanly */
  sql = repeat("SELECT STREAM PRICE", " + PRICE", 25000, " AS P FROM SOURCE_SQL_STREAM_001");
  fails_at(f, sql, SLUICE_SYNTAX, "statement is too deeply nested", "PRICE", NULL);
  free(sql);
  sql = repeat("SELECT STREAM PRICE FROM SOURCE_SQL_STREAM_001 WHERE PRICE > 0", " OR PRICE > 0",
               5000, "");
  fails_at(f, sql, SLUICE_SYNTAX, "statement is too deeply nested", "PRICE", "WHERE ");
  free(sql);
  sql = repeat("SELECT STREAM PRICE FROM SOURCE_SQL_STREAM_001",
               " UNION ALL SELECT STREAM PRICE FROM SOURCE_SQL_STREAM_001", 3000, "");
  fails_at(f, sql, SLUICE_SYNTAX, "statement is too deeply nested", "SELECT", NULL);
  free(sql);
  sql = repeat("CREATE PUMP P AS INSERT INTO S SELECT STREAM A.PRICE FROM SOURCE_SQL_STREAM_001 A",
               " CROSS JOIN SOURCE_SQL_STREAM_001", 3000, "");
  fails_at(f, sql, SLUICE_SYNTAX, "statement is too deeply nested", "SOURCE_SQL_STREAM_001", NULL);
  free(sql);
  /* the limit counts nesting of every kind: 400 CASTs around a 700-term sum */
  sql = repeat("SELECT STREAM ", "CAST(", 400, "PRICE");
  char *sum = repeat(sql, " + PRICE", 700, "");
  free(sql);
  char *casts = repeat(sum, " AS DOUBLE)", 400, " AS P FROM SOURCE_SQL_STREAM_001");
  free(sum);
  fails_at(f, casts, SLUICE_SYNTAX, "statement is too deeply nested", "PRICE", NULL);
  free(casts);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_72_1_group_by_needs_monotonic_key),
      T(test_depth_limit),
      T(test_72_1_event_time_windows),
      T(test_72_2_multiple_rowtime_keys),
      T(test_72_3_order_by_leading_key),
      T(test_72_4_having_without_group_by),
      T(test_72_5_window_functions_in_where_and_having),
      T(test_72_6_count_distinct),
      T(test_72_7_window_rules),
      T(test_72_7_negative_window_integers),
      T(test_72_8_join_without_window),
      T(test_72_9_set_operations),
      T(test_72_10_insert_and_pump),
      T(test_72_11_invalid_cast),
      T(test_72_12_stream_redefinition),
      T(test_72_13_unknown_identifiers_and_case),
      T(test_72_14_from_alias_columns),
      T(test_72_15_t_sort),
      T(test_72_16_udf_exact_arguments),
      T(test_72_17_output_stream_must_exist),
      T(test_select_stream_over_table),
      T(test_grouping_rules),
      T(test_rowtime_resolution),
      T(test_expression_types),
      T(test_monotonicity_derivation),
      T(test_ddl_inputs_and_transactions),
      T(test_impl_decisions),
      T(test_bound_tree_dump),
      T(test_using_and_natural_joins),
      T(test_conformance_applications),
      T(test_parser_corpus),
      T(test_token_deletions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_grammar.c — one test per statement form (the AST fields the planner
 * relies on, and the canonical printed text), operator precedence as
 * parenthesised trees, multi-statement scripts with their spans, and the
 * statements that are not in the KDA dialect.
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

static parse_stmt *parse1(const char *sql) {
  parse_stmt *s;
  core_error err;
  int rc = parse_statement(arena, sql, strlen(sql), &s, &err);
  if (rc != SLUICE_OK) fail_msg("%s\n-> %d at %d: %s", sql, rc, err.location, err.message);
  return s;
}

/* The canonical text of sql; also checks that it round-trips. */
static const char *canon(const char *sql) {
  parse_stmt *s = parse1(sql);
  char *p = parse_print_stmt(arena, s);
  parse_stmt *again = parse1(p);
  if (!parse_stmt_equal(s, again)) fail_msg("round trip differs: %s", p);
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
  parse_expr *e;
  core_error err;
  int rc = parse_expression(arena, expr, strlen(expr), &e, &err);
  if (rc != SLUICE_OK) fail_msg("%s -> %s", expr, err.message);
  char *p = parse_print_expr(arena, e, 0);
  parse_expr *again;
  assert_int_equal(parse_expression(arena, p, strlen(p), &again, &err), SLUICE_OK);
  if (!parse_expr_equal(e, again)) fail_msg("round trip differs: %s", p);
  return p;
}

static void test_create_stream(void **state) {
  (void)state;
  const char *sql = "CREATE OR REPLACE STREAM \"OrderData\" (\"key_order\" BIGINT NOT NULL, "
                    "\"eur\" DECIMAL(19,5), ticker varchar(4), c char, t TIMESTAMP) "
                    "DESCRIPTION 'conditioned order data'";
  parse_stmt *s = parse1(sql);
  assert_int_equal(s->kind, PARSE_S_CREATE_STREAM);
  assert_true(s->u.create_stream.or_replace);
  assert_string_equal(s->u.create_stream.name.name, "OrderData");
  assert_true(s->u.create_stream.name.quoted);
  assert_int_equal(s->u.create_stream.columns.n, 5);
  parse_column_def *c0 = s->u.create_stream.columns.items[0];
  assert_string_equal(c0->name.name, "key_order");
  assert_int_equal(c0->type.id, CORE_T_BIGINT);
  assert_int_equal(c0->type.not_null, 1);
  assert_int_equal(c0->loc.off, 38);
  assert_int_equal(c0->loc.len, (int)strlen("\"key_order\" BIGINT NOT NULL"));
  parse_column_def *c1 = s->u.create_stream.columns.items[1];
  assert_int_equal(c1->type.id, CORE_T_DECIMAL);
  assert_int_equal(c1->type.precision, 19);
  assert_int_equal(c1->type.scale, 5);
  assert_int_equal(c1->type.not_null, 0);
  parse_column_def *c2 = s->u.create_stream.columns.items[2];
  assert_string_equal(c2->name.name, "TICKER");
  assert_int_equal(c2->type.id, CORE_T_VARCHAR);
  assert_int_equal(c2->type.precision, 4);
  parse_column_def *c3 = s->u.create_stream.columns.items[3];
  assert_int_equal(c3->type.id, CORE_T_CHAR);
  assert_int_equal(c3->type.precision, 1);
  assert_string_equal(s->u.create_stream.description, "conditioned order data");
  assert_int_equal(s->loc.off, 0);
  assert_int_equal(s->loc.len, (int)strlen(sql));
  assert_string_equal(canon(sql),
                      "CREATE OR REPLACE STREAM \"OrderData\" (\"key_order\" BIGINT NOT "
                      "NULL, \"eur\" DECIMAL(19, 5), TICKER VARCHAR(4), C CHAR(1), T "
                      "TIMESTAMP) DESCRIPTION 'conditioned order data'");
  /* every type spelling */
  assert_string_equal(
      canon(
          "CREATE STREAM s (a INT, b INTEGER, c SMALLINT, d TINYINT, e DOUBLE PRECISION, f FLOAT, "
          "g REAL, h NUMERIC, i DEC(5), j CHARACTER VARYING(3), k CHAR VARYING(2), l "
          "VARBINARY(8), m BINARY(2), n BOOLEAN, o DATE, p TIME)"),
      "CREATE STREAM S (A INTEGER, B INTEGER, C SMALLINT, D TINYINT, E DOUBLE, F DOUBLE, G REAL, H "
      "DECIMAL(18, 0), I DECIMAL(5, 0), J VARCHAR(3), K VARCHAR(2), L VARBINARY(8), M BINARY(2), N "
      "BOOLEAN, O DATE, P TIME)");
  /* quoted reserved words and names that are non-reserved keywords */
  assert_string_equal(canon("CREATE STREAM \"user\" (\"VALUE\" INT, description VARCHAR(9), "
                            "format INT, \"select\" INT)"),
                      "CREATE STREAM \"user\" (\"VALUE\" INTEGER, \"DESCRIPTION\" VARCHAR(9), "
                      "\"FORMAT\" INTEGER, \"select\" INTEGER)");
}

static void test_create_pump_and_insert(void **state) {
  (void)state;
  parse_stmt *s = parse1("CREATE PUMP p STOPPED DESCRIPTION 'x' AS INSERT INTO \"T\" (a, \"b\") "
                         "SELECT STREAM x, y FROM s");
  assert_int_equal(s->kind, PARSE_S_CREATE_PUMP);
  assert_false(s->u.create_pump.or_replace);
  assert_true(s->u.create_pump.stopped);
  assert_string_equal(s->u.create_pump.description, "x");
  parse_insert *ins = s->u.create_pump.insert;
  assert_string_equal(ins->target.name, "T");
  assert_int_equal(ins->columns.n, 2);
  assert_string_equal(ins->columns.items[0].name, "A");
  assert_string_equal(ins->columns.items[1].name, "b");
  assert_int_equal(ins->query->kind, PARSE_Q_SELECT);
  assert_true(ins->query->u.select.stream);
  s = parse1("INSERT EXPEDITED INTO t SELECT STREAM * FROM s");
  assert_int_equal(s->kind, PARSE_S_INSERT);
  assert_true(s->u.insert->expedited);
  assert_int_equal(s->u.insert->columns.n, 0);
  assert_string_equal(canon("insert into t (a) values (1, 'x'), (2, 'y')"),
                      "INSERT INTO T (A) VALUES (1, 'x'), (2, 'y')");
  assert_string_equal(canon("INSERT INTO t (SELECT STREAM * FROM s)"),
                      "INSERT INTO T SELECT STREAM * FROM S");
}

static void test_create_function(void **state) {
  (void)state;
  parse_stmt *s =
      parse1("CREATE OR REPLACE FUNCTION FLOOR30MIN(p_time TIMESTAMP) RETURNS TIMESTAMP "
             "CONTAINS SQL RETURNS NULL ON NULL INPUT RETURN FLOOR(p_time TO HOUR) + "
             "((EXTRACT(MINUTE FROM p_time)/30) * INTERVAL '30' MINUTE)");
  assert_int_equal(s->kind, PARSE_S_CREATE_FUNCTION);
  assert_true(s->u.create_function.or_replace);
  assert_int_equal(s->u.create_function.params.n, 1);
  assert_int_equal(s->u.create_function.returns.id, CORE_T_TIMESTAMP);
  assert_true(s->u.create_function.contains_sql);
  assert_false(s->u.create_function.language_sql);
  assert_int_equal(s->u.create_function.null_call, 1);
  assert_int_equal(s->u.create_function.deterministic, -1);
  assert_int_equal(s->u.create_function.body->kind, PARSE_E_BINARY);
  assert_string_equal(
      canon("create function f(a double, b varchar(3)) returns double language sql specific f2 "
            "not deterministic contains sql reads sql data modifies sql data called on null input "
            "return a * 2"),
      "CREATE FUNCTION F(A DOUBLE, B VARCHAR(3)) RETURNS DOUBLE LANGUAGE SQL SPECIFIC F2 NOT "
      "DETERMINISTIC CONTAINS SQL READS SQL DATA MODIFIES SQL DATA CALLED ON NULL INPUT RETURN A * "
      "2");
  assert_string_equal(canon("CREATE FUNCTION g() RETURNS INT DETERMINISTIC RETURN 1"),
                      "CREATE FUNCTION G() RETURNS INTEGER DETERMINISTIC RETURN 1");
}

static void test_select_clauses(void **state) {
  (void)state;
  parse_stmt *s = parse1("SELECT STREAM DISTINCT s.*, a AS x, b y, c, ROWTIME, s.ROWTIME, "
                         "ts AS ROWTIME FROM s WHERE a > 1 GROUP BY a, STEP(s.ROWTIME BY "
                         "INTERVAL '1' MINUTE) HAVING COUNT(*) > 2 WINDOW w AS (ROWS 2 PRECEDING)");
  assert_int_equal(s->kind, PARSE_S_QUERY);
  parse_select *sel = &s->u.query->u.select;
  assert_true(sel->stream);
  assert_int_equal(sel->quantifier, PARSE_Q_DISTINCT);
  assert_int_equal(sel->items.n, 7);
  parse_select_item *i0 = sel->items.items[0];
  assert_int_equal(i0->expr->kind, PARSE_E_STAR);
  assert_int_equal(i0->expr->u.column.parts.n, 1);
  parse_select_item *i1 = sel->items.items[1];
  assert_string_equal(i1->alias.name, "X");
  parse_select_item *i2 = sel->items.items[2];
  assert_string_equal(i2->alias.name, "Y");
  parse_select_item *i4 = sel->items.items[4];
  assert_int_equal(i4->expr->kind, PARSE_E_COLUMN);
  assert_string_equal(((parse_ident *)i4->expr->u.column.parts.items[0])->name, "ROWTIME");
  parse_select_item *i6 = sel->items.items[6];
  assert_string_equal(i6->alias.name, "ROWTIME");
  assert_non_null(sel->where);
  assert_int_equal(sel->group_by.n, 2);
  parse_expr *step = sel->group_by.items[1];
  assert_int_equal(step->kind, PARSE_E_CALL);
  assert_string_equal(step->u.call.name.name, "STEP");
  assert_int_equal(step->u.call.form, PARSE_CALL_STEP);
  assert_int_equal(step->u.call.args.n, 2);
  assert_non_null(sel->having);
  assert_int_equal(sel->windows.n, 1);
  parse_window *w = sel->windows.items[0];
  assert_string_equal(w->name.name, "W");
  assert_int_equal(w->units, PARSE_FRAME_ROWS);
  assert_int_equal(w->start.kind, PARSE_BOUND_PRECEDING);
  assert_string_equal(canon("select a from s"), "SELECT A FROM S");
  assert_string_equal(canon("select all a from s"), "SELECT ALL A FROM S");
  /* NTH_VALUE ... FROM FIRST|LAST, and FROM clauses that look alike */
  s = parse1("SELECT STREAM NTH_VALUE(x, 2) FROM LAST IGNORE NULLS OVER w, NTH_VALUE(x, 3) from "
             "first OVER (ROWS 5 PRECEDING) FROM s WINDOW w AS (ROWS 5 PRECEDING)");
  parse_expr *nth = ((parse_select_item *)s->u.query->u.select.items.items[0])->expr;
  assert_int_equal(nth->u.call.nth_from, PARSE_NTH_LAST);
  assert_int_equal(nth->u.call.nulls, PARSE_NULLS_IGNORE);
  assert_string_equal(
      parse_print_stmt(arena, s),
      "SELECT STREAM NTH_VALUE(X, 2) FROM LAST IGNORE NULLS OVER W, NTH_VALUE(X, 3) "
      "FROM FIRST OVER (ROWS 5 PRECEDING) FROM S WINDOW W AS (ROWS 5 PRECEDING)");
  assert_string_equal(canon("SELECT STREAM COUNT(x) FROM last"),
                      "SELECT STREAM COUNT(X) FROM \"LAST\"");
  assert_string_equal(
      canon("SELECT STREAM a FROM first OVER w, last WINDOW w AS (ROWS 2 PRECEDING)"),
      "SELECT STREAM A FROM \"FIRST\" OVER W, \"LAST\" WINDOW W AS (ROWS 2 PRECEDING)");
  assert_string_equal(
      canon("SELECT STREAM f(a) FROM \"LAST\" OVER w WINDOW w AS (ROWS 2 PRECEDING)"),
      "SELECT STREAM F(A) FROM \"LAST\" OVER W WINDOW W AS (ROWS 2 PRECEDING)");
  /* an aggregate with DISTINCT, COUNT(*), null treatment */
  assert_string_equal(canon("SELECT STREAM COUNT(DISTINCT x), count(*), SUM(ALL y), "
                            "FIRST_VALUE(x) IGNORE NULLS OVER w FROM s WINDOW w AS (RANGE "
                            "INTERVAL '1' HOUR PRECEDING)"),
                      "SELECT STREAM COUNT(DISTINCT X), COUNT(*), SUM(ALL Y), FIRST_VALUE(X) "
                      "IGNORE NULLS OVER W FROM S WINDOW W AS (RANGE INTERVAL '1' HOUR PRECEDING)");
}

static void test_expressions(void **state) {
  (void)state;
  assert_string_equal(minimal("CASE WHEN a = 1 THEN 'x' WHEN a = 2 THEN 'y' ELSE 'z' END"),
                      "CASE WHEN A = 1 THEN 'x' WHEN A = 2 THEN 'y' ELSE 'z' END");
  assert_string_equal(minimal("case a when 1 then 2 end"), "CASE A WHEN 1 THEN 2 END");
  assert_string_equal(minimal("CAST(x AS VARCHAR(8))"), "CAST(X AS VARCHAR(8))");
  assert_string_equal(minimal("cast(x as interval hour(3) to second(2))"),
                      "CAST(X AS INTERVAL HOUR(3) TO SECOND(2))");
  assert_string_equal(minimal("EXTRACT(second FROM ts)"), "EXTRACT(SECOND FROM TS)");
  assert_string_equal(minimal("position('.com' IN referrer)"), "POSITION('.com' IN REFERRER)");
  assert_string_equal(minimal("POSITION(a IN (b))"), "POSITION(A IN B)");
  assert_string_equal(minimal("SUBSTRING(s FROM 2 FOR 3)"), "SUBSTRING(S FROM 2 FOR 3)");
  assert_string_equal(minimal("SUBSTRING(s FROM 2)"), "SUBSTRING(S FROM 2)");
  assert_string_equal(minimal("substring(s, 2, 3)"), "SUBSTRING(S, 2, 3)");
  assert_string_equal(minimal("TRIM(s)"), "TRIM(S)");
  assert_string_equal(minimal("TRIM(' ' FROM s)"), "TRIM(BOTH ' ' FROM S)");
  assert_string_equal(minimal("TRIM(LEADING FROM s)"), "TRIM(LEADING FROM S)");
  assert_string_equal(minimal("trim(trailing 'x' from s)"), "TRIM(TRAILING 'x' FROM S)");
  assert_string_equal(minimal("OVERLAY(s PLACING 'ab' FROM 2 FOR 3)"),
                      "OVERLAY(S PLACING 'ab' FROM 2 FOR 3)");
  assert_string_equal(minimal("FLOOR(x TO MINUTE)"), "FLOOR(X TO MINUTE)");
  assert_string_equal(minimal("ceil(x to day) + ceiling(y) + floor(z)"),
                      "CEIL(X TO DAY) + CEILING(Y) + FLOOR(Z)");
  assert_string_equal(minimal("STEP(s.ROWTIME BY INTERVAL '10' SECOND)"),
                      "STEP(S.ROWTIME BY INTERVAL '10' SECOND)");
  assert_string_equal(minimal("(ROWTIME - TIMESTAMP '1970-01-01 00:00:00') MINUTE"),
                      "(ROWTIME - TIMESTAMP '1970-01-01 00:00:00') MINUTE");
  assert_string_equal(minimal("(a - b) DAY(3) TO SECOND(3)"), "(A - B) DAY(3) TO SECOND(3)");
  assert_string_equal(minimal("CURRENT_ROW_TIMESTAMP + LOCALTIMESTAMP - current_timestamp"),
                      "CURRENT_ROW_TIMESTAMP + LOCALTIMESTAMP - CURRENT_TIMESTAMP");
  assert_string_equal(minimal("a NOT BETWEEN SYMMETRIC 1 AND 2"),
                      "A NOT BETWEEN SYMMETRIC 1 AND 2");
  assert_string_equal(minimal("a BETWEEN ASYMMETRIC 1 AND 2 AND b"),
                      "A BETWEEN ASYMMETRIC 1 AND 2 AND B");
  assert_string_equal(minimal("a not in (1, 2)"), "A NOT IN (1, 2)");
  assert_string_equal(minimal("a IN (SELECT b FROM t)"), "A IN (SELECT B FROM T)");
  assert_string_equal(minimal("a NOT LIKE 'x\\_%' ESCAPE '\\'"), "A NOT LIKE 'x\\_%' ESCAPE '\\'");
  assert_string_equal(minimal("a SIMILAR TO '%TECH%'"), "A SIMILAR TO '%TECH%'");
  assert_string_equal(minimal("a NOT SIMILAR TO 'x'"), "A NOT SIMILAR TO 'x'");
  assert_string_equal(minimal("a IS NOT NULL AND b IS TRUE AND c IS NOT FALSE AND d IS UNKNOWN"),
                      "A IS NOT NULL AND B IS TRUE AND C IS NOT FALSE AND D IS UNKNOWN");
  assert_string_equal(minimal("a IS NOT DISTINCT FROM b"), "A IS NOT DISTINCT FROM B");
  assert_string_equal(minimal("a != b"), "A <> B");
  assert_string_equal(minimal("EXISTS (SELECT 1 FROM t)"), "EXISTS (SELECT 1 FROM T)");
  assert_string_equal(minimal("(SELECT MAX(a) FROM t) + 1"), "(SELECT MAX(A) FROM T) + 1");
  assert_string_equal(minimal("((SELECT 1 FROM t))"), "(SELECT 1 FROM T)");
  assert_string_equal(minimal("(a, b) IN (SELECT c, d FROM t)"), "(A, B) IN (SELECT C, D FROM T)");
  assert_string_equal(minimal("ROW(1)"), "ROW(1)");
  assert_string_equal(minimal("- -1"), "- -1"); /* a space, never a `--` comment */
  assert_string_equal(minimal("-(-1)"), "- -1");
  assert_string_equal(minimal("+ + -a"), "++-A");
  /* datetime and interval literals print their text as a plain '...', control characters
   * included: they have no U&'...' form (found by tests/fuzz) */
  assert_string_equal(minimal("INTERVAL '60\r' SECOND"), "INTERVAL '60\r' SECOND");
  assert_string_equal(minimal("-(a + b) * +c"), "-(A + B) * +C");
  assert_string_equal(minimal("\"myFunc\"(1) + \"LEFT\"(2) + MOD(3, 2) + my_func()"),
                      "\"myFunc\"(1) + \"LEFT\"(2) + MOD(3, 2) + MY_FUNC()");
  assert_string_equal(minimal("t.r.\"COL_1\" || 'x'"), "T.R.COL_1 || 'x'");
  assert_string_equal(minimal("'a' || U&'\\000A'"), "'a' || U&'\\000A'");
  assert_string_equal(minimal("TIME '13:48:23' > {t '01:00:00'}"),
                      "TIME '13:48:23' > TIME '01:00:00'");
  /* temporal predicates: a chain is an AND of neighbours (spec 2.6) */
  assert_string_equal(minimal("(h.s, h.e) OVERLAPS (w.s, w.e)"), "(H.S, H.E) OVERLAPS (W.S, W.E)");
  assert_string_equal(minimal("PERIOD(a, b) STRICTLY CONTAINS c"),
                      "PERIOD(A, B) STRICTLY CONTAINS C");
  assert_string_equal(minimal("(a, b) PRECEDES (c, d) IMMEDIATELY PRECEDES (e, f)"),
                      "(A, B) PRECEDES (C, D) AND (C, D) IMMEDIATELY PRECEDES (E, F)");
  /* PERIOD is not a keyword: a column may have that name */
  assert_string_equal(minimal("period + 1"), "PERIOD + 1");
  assert_string_equal(minimal("\"PERIOD\"(a, b)"), "\"PERIOD\"(A, B)");
  /* functions on windows */
  assert_string_equal(
      minimal("SUM(x) OVER (PARTITION BY a, b ORDER BY s.ROWTIME RANGE BETWEEN INTERVAL '1' "
              "HOUR PRECEDING AND CURRENT ROW)"),
      "SUM(X) OVER (PARTITION BY A, B ORDER BY S.ROWTIME RANGE BETWEEN INTERVAL '1' HOUR "
      "PRECEDING AND CURRENT ROW)");
  assert_string_equal(minimal("AVG(x) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)"),
                      "AVG(X) OVER (W ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)");
  assert_string_equal(minimal("COUNT(*) OVER (ROWS CURRENT ROW)"),
                      "COUNT(*) OVER (ROWS CURRENT ROW)");
}

static void test_call_forms(void **state) {
  (void)state;
  parse_expr *e;
  core_error err;
  const char *t = "SUBSTRING(s FROM 2 FOR 3)";
  assert_int_equal(parse_expression(arena, t, strlen(t), &e, &err), SLUICE_OK);
  assert_int_equal(e->u.call.form, PARSE_CALL_FROM_FOR);
  assert_int_equal(e->u.call.args.n, 3);
  t = "TRIM(LEADING 'x' FROM s)";
  assert_int_equal(parse_expression(arena, t, strlen(t), &e, &err), SLUICE_OK);
  assert_int_equal(e->u.call.form, PARSE_CALL_TRIM);
  assert_int_equal(e->u.call.trim, PARSE_TRIM_LEADING);
  assert_int_equal(e->u.call.args.n, 2);
  assert_int_equal(((parse_expr *)e->u.call.args.items[0])->kind, PARSE_E_COLUMN);
  t = "FLOOR(ts TO HOUR)";
  assert_int_equal(parse_expression(arena, t, strlen(t), &e, &err), SLUICE_OK);
  assert_string_equal(e->u.call.name.name, "FLOOR");
  assert_int_equal(e->u.call.form, PARSE_CALL_TO_UNIT);
  assert_int_equal(e->u.call.unit, CORE_IU_HOUR);
  t = "CURRENT_ROW_TIMESTAMP";
  assert_int_equal(parse_expression(arena, t, strlen(t), &e, &err), SLUICE_OK);
  assert_int_equal(e->kind, PARSE_E_CALL);
  assert_int_equal(e->u.call.form, PARSE_CALL_NO_PARENS);
  t = "COUNT(*)";
  assert_int_equal(parse_expression(arena, t, strlen(t), &e, &err), SLUICE_OK);
  assert_true(e->u.call.star);
  assert_int_equal(e->u.call.args.n, 0);
  t = "(a - b) SECOND";
  assert_int_equal(parse_expression(arena, t, strlen(t), &e, &err), SLUICE_OK);
  assert_int_equal(e->kind, PARSE_E_DATETIME_DIFF);
  assert_int_equal(e->u.diff.qualifier.id, CORE_T_INTERVAL_DT);
  assert_int_equal(e->u.diff.qualifier.start, CORE_IU_SECOND);
  /* locations: the whole call, and its argument */
  t = "1 + ABS(x)";
  assert_int_equal(parse_expression(arena, t, strlen(t), &e, &err), SLUICE_OK);
  parse_expr *call = e->u.binary.right;
  assert_int_equal(call->loc.off, 4);
  assert_int_equal(call->loc.len, 6);
  parse_expr *arg = call->u.call.args.items[0];
  assert_int_equal(arg->loc.off, 8);
  assert_int_equal(arg->loc.len, 1);
}

static void test_from_clause(void **state) {
  (void)state;
  parse_stmt *s = parse1("SELECT STREAM * FROM ORDERS_STREAM OVER (RANGE INTERVAL '1' MINUTE "
                         "PRECEDING) AS o LEFT OUTER JOIN SHIPMENTS_STREAM OVER w AS s ON o.id = "
                         "s.id");
  parse_from *f = s->u.query->u.select.from;
  assert_int_equal(f->kind, PARSE_F_JOIN);
  assert_int_equal(f->u.join.kind, PARSE_JOIN_LEFT);
  assert_true(f->u.join.outer_kw);
  parse_from *l = f->u.join.left;
  assert_int_equal(l->kind, PARSE_F_STREAM);
  assert_string_equal(l->alias.name, "O");
  assert_non_null(l->u.stream.window);
  assert_int_equal(l->u.stream.window->units, PARSE_FRAME_RANGE);
  parse_from *r = f->u.join.right;
  assert_string_equal(r->u.stream.window->ref.name, "W");
  assert_false(r->u.stream.window->parens);
  assert_string_equal(canon("select * from a, b cross join c, d natural join e, f full join g "
                            "using (x, y), h inner join i on true, j right join k on 1 = 1"),
                      "SELECT * FROM A, B CROSS JOIN C, D NATURAL JOIN E, F FULL JOIN G USING (X, "
                      "Y), H INNER JOIN I ON TRUE, J RIGHT JOIN K ON 1 = 1");
  s = parse1(
      "SELECT STREAM * FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM x FROM s), 100, 0.2, 17)) AS h");
  f = s->u.query->u.select.from;
  assert_int_equal(f->kind, PARSE_F_TABLE_FUNC);
  assert_string_equal(f->alias.name, "H");
  parse_expr *call = f->u.table_func.call;
  assert_string_equal(call->u.call.name.name, "HOTSPOTS");
  assert_int_equal(call->u.call.args.n, 4);
  assert_int_equal(((parse_expr *)call->u.call.args.items[0])->kind, PARSE_E_CURSOR);
  s = parse1("SELECT STREAM * FROM (SELECT STREAM a FROM s) t(x)");
  f = s->u.query->u.select.from;
  assert_int_equal(f->kind, PARSE_F_SUBQUERY);
  assert_string_equal(f->alias.name, "T");
  assert_int_equal(f->alias_cols.n, 1);
  /* a subquery without alias (spec 7.4 #15) */
  s = parse1("SELECT STREAM * FROM (SELECT STREAM a FROM s) WHERE a > 1");
  assert_null(s->u.query->u.select.from->alias.name);
}

static void test_stagger_and_order(void **state) {
  (void)state;
  parse_stmt *s = parse1("SELECT STREAM TICKER, COUNT(*) FROM s WHERE x > 0 WINDOWED BY STAGGER "
                         "(PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' "
                         "MINUTE) HAVING COUNT(*) > 1");
  parse_select *sel = &s->u.query->u.select;
  assert_int_equal(sel->group_by.n, 0);
  assert_non_null(sel->stagger);
  assert_true(sel->stagger->stagger);
  assert_int_equal(sel->stagger->partition_by.n, 2);
  assert_int_equal(sel->stagger->units, PARSE_FRAME_RANGE);
  assert_int_equal(sel->stagger->start.offset->kind, PARSE_E_LITERAL);
  assert_non_null(sel->having);
  assert_string_equal(
      parse_print_stmt(arena, s),
      "SELECT STREAM TICKER, COUNT(*) FROM S WHERE X > 0 WINDOWED BY STAGGER "
      "(PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE) "
      "HAVING COUNT(*) > 1");
  s = parse1("SELECT STREAM ts AS ROWTIME FROM s ORDER BY FLOOR(s.ts TO MINUTE) ASC, 2 DESC "
             "WITHIN INTERVAL '2' SECOND");
  assert_int_equal(s->u.query->order_by.n, 2);
  parse_order_item *o = s->u.query->order_by.items[0];
  assert_int_equal(o->dir, PARSE_SORT_ASC);
  assert_non_null(s->u.query->within);
  assert_int_equal(s->u.query->within->u.lit.kind, PARSE_L_INTERVAL);
  /* ORDER BY applies to the whole UNION ALL */
  s = parse1("SELECT STREAM a FROM s UNION ALL SELECT STREAM a FROM t ORDER BY ROWTIME");
  assert_int_equal(s->u.query->kind, PARSE_Q_SETOP);
  assert_true(s->u.query->u.setop.all);
  assert_int_equal(s->u.query->order_by.n, 1);
}

static void test_set_operations(void **state) {
  (void)state;
  /* INTERSECT binds tighter than UNION/EXCEPT, left-associative */
  parse_stmt *s = parse1("SELECT a FROM r UNION SELECT a FROM s INTERSECT SELECT a FROM t EXCEPT "
                         "SELECT a FROM u");
  parse_query *q = s->u.query;
  assert_int_equal(q->u.setop.op, PARSE_SET_EXCEPT);
  assert_int_equal(q->u.setop.left->u.setop.op, PARSE_SET_UNION);
  assert_int_equal(q->u.setop.left->u.setop.right->u.setop.op, PARSE_SET_INTERSECT);
  assert_string_equal(canon("(SELECT a FROM r UNION SELECT a FROM s) INTERSECT SELECT a FROM t"),
                      "(SELECT A FROM R UNION SELECT A FROM S) INTERSECT SELECT A FROM T");
  assert_string_equal(canon("SELECT a FROM r UNION (SELECT a FROM s UNION ALL SELECT a FROM t)"),
                      "SELECT A FROM R UNION (SELECT A FROM S UNION ALL SELECT A FROM T)");
  assert_string_equal(canon("SELECT a FROM r UNION DISTINCT SELECT a FROM s"),
                      "SELECT A FROM R UNION SELECT A FROM S");
  assert_string_equal(canon("VALUES 1 + 2 > 3"), "VALUES (1 + 2 > 3)");
  assert_string_equal(canon("VALUES ROW(1, 'a'), (2, 'b')"), "VALUES (1, 'a'), (2, 'b')");
}

static void test_sluice_statements(void **state) {
  (void)state;
  parse_stmt *s = parse1("CREATE INPUT \"SOURCE_SQL_STREAM\" FROM STREAM \"clicks\" PARALLELISM 2 "
                         "FORMAT JSON ROW PATH '$' COLUMNS (\"ticker\" VARCHAR(4) PATH '$.ticker', "
                         "price DOUBLE PATH '$.price') STARTING AT TRIM_HORIZON");
  assert_int_equal(s->kind, PARSE_S_CREATE_INPUT);
  assert_string_equal(s->u.create_input.name_prefix.name, "SOURCE_SQL_STREAM");
  assert_string_equal(s->u.create_input.source.name, "clicks");
  assert_int_equal(s->u.create_input.parallelism, 2);
  assert_int_equal(s->u.create_input.format.kind, PARSE_FORMAT_JSON);
  assert_string_equal(s->u.create_input.format.row_path, "$");
  assert_int_equal(s->u.create_input.columns.n, 2);
  parse_input_column *c = s->u.create_input.columns.items[0];
  assert_string_equal(c->name.name, "ticker");
  assert_string_equal(c->path, "$.ticker");
  assert_int_equal(s->u.create_input.start, PARSE_START_TRIM_HORIZON);
  s = parse1(
      "create input src from stream \"c\" format csv row delimiter '\\r\\n' column delimiter "
      "'|' columns (a int, b varchar(8)) starting at timestamp '2024-01-01 00:00:01'");
  assert_int_equal(s->u.create_input.format.kind, PARSE_FORMAT_CSV);
  assert_string_equal(s->u.create_input.format.row_delimiter, "\r\n");
  assert_string_equal(s->u.create_input.format.column_delimiter, "|");
  assert_null(((parse_input_column *)s->u.create_input.columns.items[0])->path);
  assert_int_equal(s->u.create_input.start, PARSE_START_TIMESTAMP);
  assert_int_equal(s->u.create_input.start_ms, 1704067201000LL);
  assert_string_equal(parse_print_stmt(arena, s),
                      "CREATE INPUT SRC FROM STREAM \"c\" FORMAT CSV ROW DELIMITER '\\r\\n' COLUMN "
                      "DELIMITER '|' COLUMNS (A INTEGER, B VARCHAR(8)) STARTING AT TIMESTAMP "
                      "'2024-01-01 00:00:01.000'");
  s = parse1(
      "CREATE OUTPUT alerts_out FROM \"DESTINATION_SQL_STREAM\" TO STREAM \"alerts\" FORMAT CSV");
  assert_int_equal(s->kind, PARSE_S_CREATE_OUTPUT);
  assert_string_equal(s->u.create_output.name.name, "ALERTS_OUT");
  assert_string_equal(s->u.create_output.from.name, "DESTINATION_SQL_STREAM");
  assert_string_equal(s->u.create_output.target.name, "alerts");
  assert_int_equal(s->u.create_output.format.kind, PARSE_FORMAT_CSV);
  s = parse1("CREATE REFERENCE TABLE \"companies\" FROM FILE 'companies.csv' FORMAT CSV COLUMNS "
             "(\"Ticker\" VARCHAR(4), \"Company\" VARCHAR(20))");
  assert_int_equal(s->kind, PARSE_S_CREATE_REFERENCE_TABLE);
  assert_string_equal(s->u.create_reference_table.name.name, "companies");
  assert_string_equal(s->u.create_reference_table.file, "companies.csv");
  assert_int_equal(s->u.create_reference_table.columns.n, 2);
  assert_string_equal(canon("CREATE REFERENCE TABLE r FROM FILE 'r.json' FORMAT JSON ROW PATH "
                            "'$.rows[0:]' COLUMNS (a INT PATH '$.a')"),
                      "CREATE REFERENCE TABLE R FROM FILE 'r.json' FORMAT JSON ROW PATH "
                      "'$.rows[0:]' COLUMNS (A INTEGER PATH '$.a')");
  assert_string_equal(canon("create or replace output o from d to stream \"x\" format json"),
                      "CREATE OR REPLACE OUTPUT O FROM D TO STREAM \"x\" FORMAT JSON");
  s = parse1("CREATE OR REPLACE INPUT i FROM STREAM \"c\" FORMAT JSON COLUMNS (a INT)");
  assert_true(s->u.create_input.or_replace);
  assert_int_equal(s->u.create_input.start, PARSE_START_DEFAULT);
  assert_int_equal(s->u.create_input.parallelism, 0);
  assert_null(((parse_input_column *)s->u.create_input.columns.items[0])->path);
  s = parse1("EXPLAIN CREATE PUMP p AS INSERT INTO t SELECT STREAM * FROM s");
  assert_int_equal(s->kind, PARSE_S_EXPLAIN);
  assert_int_equal(s->u.explain.stmt->kind, PARSE_S_CREATE_PUMP);
  assert_string_equal(parse_stmt_kind_name(s->u.explain.stmt->kind), "CREATE PUMP");
}

static void test_precedence(void **state) {
  (void)state;
  assert_string_equal(parens("a OR b AND NOT c = d + e * f"),
                      "(A OR (B AND (NOT (C = (D + (E * F))))))");
  assert_string_equal(parens("a + b - c"), "((A + B) - C)");
  assert_string_equal(parens("a * b / c % d"), "(((A * B) / C) % D)");
  assert_string_equal(parens("-a * b"), "((-A) * B)");
  assert_string_equal(parens("- a . b"), "(-A.B)");
  assert_string_equal(parens("a || b + c"), "(A || (B + C))");
  assert_string_equal(parens("a || b = c"), "((A || B) = C)");
  assert_string_equal(parens("NOT a AND b"), "((NOT A) AND B)");
  assert_string_equal(parens("NOT a = b"), "(NOT (A = B))");
  assert_string_equal(parens("a = b IS NULL"), "((A = B) IS NULL)");
  /* spec 2.2: NOT binds tighter than IS (see test_not_is in test_limits.c) */
  assert_string_equal(parens("NOT a IS NULL"), "((NOT A) IS NULL)");
  assert_string_equal(parens("NOT a = b IS TRUE"), "((NOT (A = B)) IS TRUE)");
  assert_string_equal(parens("NOT a IS TRUE AND b"), "(((NOT A) IS TRUE) AND B)");
  assert_string_equal(parens("a BETWEEN b + 1 AND c * 2 AND d"),
                      "((A BETWEEN (B + 1) AND (C * 2)) AND D)");
  assert_string_equal(parens("a < b BETWEEN c AND d"), "(A < (B BETWEEN C AND D))");
  assert_string_equal(parens("a LIKE b || c ESCAPE d"), "(A LIKE (B || C) ESCAPE D)");
  assert_string_equal(parens("a IN (1, 2) OR b NOT IN (3)"), "((A IN (1, 2)) OR (B NOT IN (3)))");
  assert_string_equal(parens("a OR b OR c AND d"), "((A OR B) OR (C AND D))");
  assert_string_equal(parens("a IS DISTINCT FROM b = c"), "(A IS DISTINCT FROM (B = C))");
  assert_string_equal(parens("f(a + b * c, -d)"), "F((A + (B * C)), (-D))");
  /* printing with the fewest parentheses keeps the tree */
  assert_string_equal(minimal("(a OR b) AND c"), "(A OR B) AND C");
  assert_string_equal(minimal("a - (b - c)"), "A - (B - C)");
  assert_string_equal(minimal("(a - b) - c"), "A - B - C");
  assert_string_equal(minimal("(a = b) = c"), "(A = B) = C");
  assert_string_equal(minimal("NOT (a AND b)"), "NOT (A AND B)");
  assert_string_equal(minimal("(a BETWEEN 1 AND 2) BETWEEN c AND d"),
                      "(A BETWEEN 1 AND 2) BETWEEN C AND D");
  assert_string_equal(minimal("((a + b)) * ((c))"), "(A + B) * C");
}

static void test_script(void **state) {
  (void)state;
  const char *text = "-- app\nCREATE STREAM s (a INT);;\n  SELECT STREAM a FROM s ;\n"
                     "/* last */ VALUES (1)";
  parse_script script;
  core_error err;
  assert_int_equal(parse_script_text(arena, text, strlen(text), &script, &err), SLUICE_OK);
  assert_int_equal(script.n, 3);
  parse_loc l0 = script.stmts[0]->loc, l1 = script.stmts[1]->loc, l2 = script.stmts[2]->loc;
  assert_int_equal(l0.off, 7);
  assert_int_equal(l0.len, (int)strlen("CREATE STREAM s (a INT)"));
  assert_int_equal(l1.off, 35);
  assert_int_equal(l1.len, (int)strlen("SELECT STREAM a FROM s"));
  assert_int_equal(l2.off, 71);
  assert_int_equal(l2.len, (int)strlen("VALUES (1)"));
  assert_ptr_equal(script.stmts[2]->text, script.text);
  assert_int_equal(parse_script_text(arena, "", 0, &script, &err), SLUICE_OK);
  assert_int_equal(script.n, 0);
  assert_int_equal(parse_script_text(arena, " ; -- x\n;", 9, &script, &err), SLUICE_OK);
  assert_int_equal(script.n, 0);
  /* the first error ends the parse; its location is in the whole text */
  const char *bad = "SELECT STREAM a FROM s; SELECT STREAM * FRM s; DROP STREAM s";
  assert_int_equal(parse_script_text(arena, bad, strlen(bad), &script, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, "syntax error at or near \"FRM\"");
  assert_int_equal(err.location, 40);
  assert_int_equal(script.n, 0);
  char buf[512];
  core_error_format(&err, bad, buf, sizeof buf);
  assert_non_null(strstr(buf, "syntax error at or near \"FRM\""));
  /* hints */
  const char *slash = "SELECT STREAM a FROM s // note";
  assert_int_equal(parse_script_text(arena, slash, strlen(slash), &script, &err), SLUICE_SYNTAX);
  assert_int_equal(err.location, 23);
  assert_string_equal(
      err.hint, "// does not start a comment in SQL; use -- for a comment to the end of the line.");
  const char *user = "CREATE STREAM s (user VARCHAR(4))";
  assert_int_equal(parse_script_text(arena, user, strlen(user), &script, &err), SLUICE_SYNTAX);
  assert_string_equal(err.hint, "USER is a reserved word; to use it as a name, write it in double "
                                "quotes (\"USER\").");
  /* parse_statement wants exactly one */
  parse_stmt *s;
  assert_int_equal(parse_statement(arena, "SELECT a FROM s; SELECT b FROM t", 32, &s, &err),
                   SLUICE_SYNTAX);
  assert_string_equal(err.message, "expected one statement, found 2");
  assert_int_equal(err.location, 17);
  assert_int_equal(parse_statement(arena, " ; ", 3, &s, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, "empty statement");
  assert_int_equal(parse_statement(arena, "SELECT a FROM s;", 16, &s, &err), SLUICE_OK);
  /* an expression must be the whole text */
  parse_expr *e;
  assert_int_equal(parse_expression(arena, "a b", 3, &e, &err), SLUICE_SYNTAX);
  assert_string_equal(err.message, "syntax error at or near \"b\"");
  assert_int_equal(parse_expression(arena, "a;", 2, &e, &err), SLUICE_SYNTAX);
}

static void test_not_in_kda(void **state) {
  (void)state;
  struct {
    const char *sql, *what;
    int loc;
  } cases[] = {
      {"DROP STREAM s", "DROP", 0},
      {"ALTER STREAM s ADD COLUMN b INT", "ALTER", 0},
      {"CREATE VIEW v AS SELECT STREAM * FROM s", "CREATE VIEW", 7},
      {"CREATE TABLE t (a INT)", "CREATE TABLE", 7},
      {"CREATE OR REPLACE INDEX i ON t (a)", "CREATE INDEX", 18},
      {"CREATE SCHEMA x", "CREATE SCHEMA", 7},
      {"SET SCHEMA 'x'", "SET", 0},
      {"DELETE FROM s", "DELETE", 0},
      {"UPDATE s SET a = 1", "UPDATE", 0},
      {"MERGE INTO s USING t ON TRUE", "MERGE", 0},
      {"GRANT SELECT ON s TO u", "GRANT", 0},
      {"REVOKE SELECT ON s FROM u", "REVOKE", 0},
      {"SELECT STREAM a FROM s LIMIT 1", "LIMIT", 23},
      {"SELECT STREAM a FROM s FETCH FIRST 1 ROW ONLY", "FETCH", 23},
      {"SELECT STREAM a FROM s ORDER BY ROWTIME OFFSET 1", "OFFSET", 40},
      {"SELECT a FROM s INTERSECT ALL SELECT a FROM t", "INTERSECT ALL", 16},
      {"SELECT a FROM s EXCEPT ALL SELECT a FROM t", "EXCEPT ALL", 16},
      {"SELECT STREAM COUNT(*) FILTER (WHERE a) FROM s", "FILTER", 23},
      {"SELECT STREAM a FROM s GROUP BY CUBE(a)", "CUBE", 32},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    parse_script script;
    core_error err;
    int rc = parse_script_text(arena, cases[i].sql, strlen(cases[i].sql), &script, &err);
    assert_int_equal(rc, SLUICE_UNSUPPORTED);
    const char *want =
        core_arena_printf(arena, "%s is not supported in the KDA dialect", cases[i].what);
    assert_string_equal(err.message, want);
    assert_int_equal(err.location, cases[i].loc);
  }
}

static void test_quote_ident(void **state) {
  (void)state;
  assert_string_equal(parse_quote_ident(arena, "TICKER"), "TICKER");
  assert_string_equal(parse_quote_ident(arena, "ticker"), "\"ticker\"");
  assert_string_equal(parse_quote_ident(arena, "SELECT"), "\"SELECT\"");
  assert_string_equal(parse_quote_ident(arena, "DESCRIPTION"), "\"DESCRIPTION\"");
  assert_string_equal(parse_quote_ident(arena, "A\"B"), "\"A\"\"B\"");
  assert_string_equal(parse_quote_ident(arena, "1A"), "\"1A\"");
  assert_string_equal(parse_quote_ident(arena, "SOURCE_SQL_STREAM_001"), "SOURCE_SQL_STREAM_001");
  core_type t = {0};
  t.id = CORE_T_INTERVAL_DT;
  t.start = CORE_IU_DAY;
  t.end = CORE_IU_SECOND;
  t.scale = 3;
  assert_string_equal(parse_print_type(arena, t), "INTERVAL DAY TO SECOND(3)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_stream),   cmocka_unit_test(test_create_pump_and_insert),
      cmocka_unit_test(test_create_function), cmocka_unit_test(test_select_clauses),
      cmocka_unit_test(test_expressions),     cmocka_unit_test(test_call_forms),
      cmocka_unit_test(test_from_clause),     cmocka_unit_test(test_stagger_and_order),
      cmocka_unit_test(test_set_operations),  cmocka_unit_test(test_sluice_statements),
      cmocka_unit_test(test_precedence),      cmocka_unit_test(test_script),
      cmocka_unit_test(test_not_in_kda),      cmocka_unit_test(test_quote_ident),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

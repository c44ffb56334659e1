/* Unit tests of expression programs (exec/expr*.c): operators, NULLs and
 * three-valued logic, arithmetic result types, CASE laziness, CAST, patterns,
 * datetime arithmetic, run-time row errors, filters, compile errors. The spec
 * vectors of sections 2.2-2.6 are checked through the real parser and binder
 * (expr_fixture.h). */
#include "expr_fixture.h"

/* ---------------------------------------------------------- arithmetic -- */

static void test_integer_arithmetic(void **state) {
  FX;
  fx_rows(f, 3);
  fx_i(f, 0, "I", 7), fx_i(f, 0, "I2", 2);
  fx_i(f, 1, "I", -7), fx_i(f, 1, "I2", 2);
  fx_i(f, 2, "I", 5); /* I2 NULL */
  fx_eval(f, "I / I2");
  assert_string_equal(fx_text(f, 0), "3"); /* integer division truncates */
  assert_string_equal(fx_text(f, 1), "-3");
  assert_string_equal(fx_text(f, 2), "NULL");
  fx_eval(f, "I % I2");
  assert_string_equal(fx_text(f, 0), "1");
  assert_string_equal(fx_text(f, 1), "-1"); /* sign of the dividend */
  fx_eval(f, "I * I2 + 1");
  assert_string_equal(fx_text(f, 0), "15");
  assert_int_equal(exec_expr_type(f->last).id, CORE_T_INTEGER);
  fx_eval(f, "-I");
  assert_string_equal(fx_text(f, 1), "7");
  /* spec 2.3 vectors */
  EXPECT_CONST(f, "5/2", "2");
  EXPECT_CONST(f, "5*2+2", "12");
  EXPECT_CONST(f, "3.0 + 2", "5.0");
  EXPECT_CONST(f, "2.0+2.0", "4.0");
  EXPECT_CONST(f, "5.0/2", "2.500000000000");
}

static void test_integer_overflow_and_division_by_zero(void **state) {
  FX;
  fx_rows(f, 4);
  fx_i(f, 0, "B", INT64_MAX);
  fx_i(f, 1, "B", 3);
  fx_i(f, 2, "B", INT64_MIN);
  fx_i(f, 3, "B", 4);
  fx_expect_error(f, "B * 2", 0, "Overflow", "BIGINT overflow");
  assert_int_equal(f->nerrors, 2); /* rows 0 and 2 */
  assert_int_equal(f->errors[1].row, 2);
  assert_int_equal(core_batch_live(f->in), 2);
  assert_string_equal(fx_text(f, 1), "6");
  assert_string_equal(fx_text(f, 3), "8");
  /* INTEGER arithmetic that leaves INTEGER's range is an error too */
  fx_rows(f, 2);
  fx_i(f, 0, "I", 2147483647), fx_i(f, 0, "I2", 1);
  fx_i(f, 1, "I", 2), fx_i(f, 1, "I2", 1);
  fx_expect_error(f, "I + I2", 0, "Overflow", "INTEGER overflow");
  assert_string_equal(fx_text(f, 1), "3");
  /* -TINYINT(-128) does not fit TINYINT */
  fx_rows(f, 1);
  fx_i(f, 0, "T", -128);
  fx_expect_error(f, "-T", 0, "Overflow", "TINYINT overflow");
  /* division by zero: integers, DECIMAL, REAL/DOUBLE (spec 2.3), MOD */
  fx_rows(f, 2);
  fx_i(f, 0, "I", 10), fx_i(f, 0, "I2", 0);
  fx_i(f, 1, "I", 10), fx_i(f, 1, "I2", 5);
  fx_d(f, 0, "R", 1.5), fx_d(f, 1, "R", 2);
  fx_dec(f, 0, "D", 150), fx_dec(f, 1, "D", 250);
  fx_expect_error(f, "I / I2", 0, "DivideByZero", "division by zero");
  assert_string_equal(fx_text(f, 1), "2");
  fx_expect_error(f, "R / 0", 0, "DivideByZero", "division by zero");
  assert_int_equal(f->nerrors, 2);
  fx_expect_error(f, "D / I2", 0, "DivideByZero", "division by zero");
  fx_expect_error(f, "MOD(I, I2)", 0, "DivideByZero", "division by zero");
  assert_string_equal(fx_text(f, 1), "0");
  fx_expect_error(f, "I % I2", 0, "DivideByZero", "division by zero");
}

static void test_decimal_arithmetic(void **state) {
  FX;
  fx_rows(f, 2);
  fx_dec(f, 0, "D", 1234);  /* 12.34 */
  fx_dec(f, 0, "D3", 5678); /* 5.678 */
  fx_dec(f, 1, "D", -1);    /* -0.01 */
  fx_dec(f, 1, "D3", 3);    /* 0.003 */
  fx_i(f, 0, "I", 3), fx_i(f, 1, "I", -2);
  char buf[64];
  fx_eval(f, "D + D3");
  core_type_format(exec_expr_type(f->last), buf, sizeof buf);
  assert_string_equal(buf, "DECIMAL(13,3)"); /* spec 2.3: max(8, 9) + 3 + 1 */
  assert_string_equal(fx_text(f, 0), "18.018");
  assert_string_equal(fx_text(f, 1), "-0.007");
  fx_eval(f, "D - D3");
  assert_string_equal(fx_text(f, 0), "6.662");
  fx_eval(f, "D * D3");
  core_type_format(exec_expr_type(f->last), buf, sizeof buf);
  assert_string_equal(buf, "DECIMAL(18,5)");
  assert_string_equal(fx_text(f, 0), "70.06652");
  assert_string_equal(fx_text(f, 1), "-0.00003");
  fx_eval(f, "D / D3");
  core_type_format(exec_expr_type(f->last), buf, sizeof buf);
  assert_string_equal(buf, "DECIMAL(18,7)");
  assert_string_equal(fx_text(f, 0), "2.1733005"); /* 2.173300457... */
  assert_string_equal(fx_text(f, 1), "-3.3333333");
  fx_eval(f, "D * I");
  assert_string_equal(fx_text(f, 0), "37.02");
  assert_string_equal(fx_text(f, 1), "0.02");
  fx_eval(f, "I + D");
  assert_string_equal(fx_text(f, 0), "15.34");
  fx_eval(f, "-D");
  assert_string_equal(fx_text(f, 1), "0.01");
  /* mixed with DOUBLE: DOUBLE */
  fx_d(f, 0, "F", 0.5);
  fx_eval(f, "D + F");
  assert_int_equal(exec_expr_type(f->last).id, CORE_T_DOUBLE);
  assert_string_equal(fx_text(f, 0), "12.84");
  /* overflow of the result precision */
  EXPECT_CONST(f, "CAST(1 AS DECIMAL(18,0)) * 100", "100");
  fx_rows(f, 1);
  fx_dec(f, 0, "D", 99999999999); /* 999999999.99 */
  fx_expect_error(f, "D * D * D", 0, "Overflow", "DECIMAL(18,4) overflow");
}

static void test_approximate_arithmetic(void **state) {
  FX;
  fx_rows(f, 1);
  fx_d(f, 0, "R", 0.1);
  fx_d(f, 0, "F", 0.1);
  fx_i(f, 0, "I", 3);
  fx_eval(f, "R + I");
  assert_int_equal(exec_expr_type(f->last).id, CORE_T_REAL);
  assert_string_equal(fx_text(f, 0), "3.0999999046325684"); /* REAL precision */
  fx_eval(f, "F + I");
  assert_string_equal(fx_text(f, 0), "3.1");
  EXPECT(f, "F * F", "0.010000000000000002");
  EXPECT(f, "I / 2e0", "1.5");
}

/* ---------------------------------------------------- logic and NULLs -- */

static void test_three_valued_logic(void **state) {
  FX;
  /* all 9 combinations of TRUE, FALSE, UNKNOWN */
  int vals[3] = {1, 0, -1};
  fx_rows(f, 9);
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      int row = a * 3 + b;
      if (vals[a] >= 0) fx_i(f, row, "BO", vals[a]);
      if (vals[b] >= 0) fx_i(f, row, "BO2", vals[b]);
    }
  const char *and_[9] = {"TRUE",  "FALSE", "NULL",  "FALSE", "FALSE",
                         "FALSE", "NULL",  "FALSE", "NULL"};
  const char *or_[9] = {"TRUE", "TRUE", "TRUE", "TRUE", "FALSE", "NULL", "TRUE", "NULL", "NULL"};
  fx_eval(f, "BO AND BO2");
  for (int k = 0; k < 9; k++) assert_string_equal(fx_text(f, k), and_[k]);
  fx_eval(f, "BO OR BO2");
  for (int k = 0; k < 9; k++) assert_string_equal(fx_text(f, k), or_[k]);
  fx_eval(f, "NOT BO");
  assert_string_equal(fx_text(f, 0), "FALSE");
  assert_string_equal(fx_text(f, 3), "TRUE");
  assert_string_equal(fx_text(f, 6), "NULL");
  fx_eval(f, "BO IS TRUE");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 6), "FALSE");
  fx_eval(f, "BO IS NOT FALSE");
  assert_string_equal(fx_text(f, 3), "FALSE");
  assert_string_equal(fx_text(f, 6), "TRUE");
  fx_eval(f, "BO IS UNKNOWN");
  assert_string_equal(fx_text(f, 6), "TRUE");
  assert_string_equal(fx_text(f, 0), "FALSE");
  fx_eval(f, "BO IS NOT UNKNOWN");
  assert_string_equal(fx_text(f, 6), "FALSE");
  fx_eval(f, "BO IS NULL");
  assert_string_equal(fx_text(f, 6), "TRUE");
  /* spec 2.2 quirks */
  EXPECT_CONST(f, "NOT UNKNOWN IS TRUE", "FALSE");
  EXPECT_CONST(f, "NOT UNKNOWN IS FALSE", "FALSE");
  EXPECT_CONST(f, "NOT UNKNOWN IS UNKNOWN", "TRUE");
  EXPECT_CONST(f, "UNKNOWN IS NULL", "TRUE");
  EXPECT_CONST(f, "CAST(NULL AS INTEGER) IS NOT DISTINCT FROM CAST(NULL AS INTEGER)", "TRUE");
  EXPECT_CONST(f, "1 IS DISTINCT FROM 1.0", "FALSE");
  EXPECT_CONST(f, "1 IS DISTINCT FROM NULL", "TRUE");
  EXPECT_CONST(f, "NULL = NULL", "NULL");
  EXPECT_CONST(f, "1 + NULL", "NULL");
}

static void test_and_or_are_lazy_for_failing_operands(void **state) {
  FX;
  fx_rows(f, 3);
  fx_i(f, 0, "I", 0);
  fx_i(f, 1, "I", 5);
  fx_i(f, 2, "I", 50);
  fx_eval(f, "I <> 0 AND 10 / I > 1");
  assert_int_equal(f->nerrors, 0);
  assert_string_equal(fx_text(f, 0), "FALSE");
  assert_string_equal(fx_text(f, 1), "TRUE");
  assert_string_equal(fx_text(f, 2), "FALSE");
  fx_eval(f, "I = 0 OR 10 / I > 1");
  assert_int_equal(f->nerrors, 0);
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 2), "FALSE");
}

static void test_comparisons(void **state) {
  FX;
  EXPECT_CONST(f, "'foo' <= 'bar'", "FALSE"); /* spec 2.3 */
  EXPECT_CONST(f, "'abc' < 'abd'", "TRUE");
  EXPECT_CONST(f, "'ab' < 'abc'", "TRUE");
  EXPECT_CONST(f, "1 = 1.0", "TRUE");
  EXPECT_CONST(f, "2 > 1.5", "TRUE");
  EXPECT_CONST(f, "1e0 < 2", "TRUE");
  EXPECT_CONST(f, "TRUE > FALSE", "TRUE");
  EXPECT_CONST(f, "DATE '2008-08-23' < DATE '2008-08-24'", "TRUE");
  EXPECT_CONST(f, "INTERVAL '1' DAY = INTERVAL '24' HOUR", "TRUE");
  fx_rows(f, 3);
  fx_s(f, 0, "C", "ab      "); /* CHAR(8) values arrive blank padded */
  fx_s(f, 0, "V", "ab ");
  fx_s(f, 0, "V2", "ab");
  fx_s(f, 1, "V", "b"), fx_s(f, 1, "V2", "a");
  fx_i(f, 0, "I", 1), fx_d(f, 0, "F", 1.0), fx_dec(f, 0, "D", 100);
  EXPECT(f, "CHAR_LENGTH(C)", "8");
  /* a CHAR operand compares blank-padded (PAD SPACE); VARCHARs compare all bytes */
  EXPECT(f, "C = 'ab'", "TRUE");
  EXPECT(f, "V = 'ab'", "TRUE");
  EXPECT(f, "V = V2", "FALSE");
  EXPECT(f, "C = V2", "TRUE");
  fx_eval(f, "V > V2");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 1), "TRUE");
  assert_string_equal(fx_text(f, 2), "NULL");
  EXPECT(f, "I = F AND F = D AND D = I", "TRUE");
  fx_eval(f, "V IS NOT DISTINCT FROM V2");
  assert_string_equal(fx_text(f, 2), "TRUE"); /* both NULL */
  assert_string_equal(fx_text(f, 1), "FALSE");
}

static void test_between_and_in(void **state) {
  FX;
  fx_rows(f, 4);
  fx_i(f, 0, "I", 5);
  fx_i(f, 1, "I", 10);
  fx_i(f, 2, "I", 11);
  fx_eval(f, "I BETWEEN 5 AND 10");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 1), "TRUE");
  assert_string_equal(fx_text(f, 2), "FALSE");
  assert_string_equal(fx_text(f, 3), "NULL");
  fx_eval(f, "I BETWEEN 10 AND 5");
  assert_string_equal(fx_text(f, 0), "FALSE");
  fx_eval(f, "I BETWEEN SYMMETRIC 10 AND 5");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 2), "FALSE");
  fx_eval(f, "I NOT BETWEEN 5 AND 10");
  assert_string_equal(fx_text(f, 2), "TRUE");
  fx_eval(f, "I IN (1, 5, 11)");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 1), "FALSE");
  assert_string_equal(fx_text(f, 3), "NULL");
  fx_eval(f, "I IN (1, NULL)"); /* no match and a NULL: UNKNOWN */
  assert_string_equal(fx_text(f, 0), "NULL");
  fx_eval(f, "I IN (5, NULL)");
  assert_string_equal(fx_text(f, 0), "TRUE");
  fx_eval(f, "I NOT IN (1, 2)");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 3), "NULL");
  EXPECT_CONST(f, "'b' IN ('a', 'b')", "TRUE");
  EXPECT_CONST(f, "2.5 IN (1, 2.50)", "TRUE");
}

/* ------------------------------------------------------------ patterns -- */

static void test_like_vectors(void **state) {
  FX;
  /* spec 2.5 */
  EXPECT_CONST(f, "'ab' LIKE 'a_'", "TRUE");
  EXPECT_CONST(f, "'a' LIKE 'A'", "FALSE");
  EXPECT_CONST(f, "'ab' LIKE 'a\\_' ESCAPE '\\'", "FALSE");
  EXPECT_CONST(f, "'a_' LIKE 'a\\_' ESCAPE '\\'", "TRUE");
  EXPECT_CONST(f, "'' LIKE ''", "TRUE");
  EXPECT_CONST(f, "'123aXYZ' LIKE '_%_a%_'", "TRUE");
  EXPECT_CONST(f, "'abcd' LIKE 'a_'", "FALSE");
  EXPECT_CONST(f, "'abc' NOT LIKE 'a%'", "FALSE");
  EXPECT_CONST(f, "'50%' LIKE '50!%' ESCAPE '!'", "TRUE");
  /* `_` is one character, not one byte */
  EXPECT_CONST(f, "'é' LIKE '_'", "TRUE");
  EXPECT_CONST(f, "'日本語' LIKE '_本_'", "TRUE");
  fx_rows(f, 4);
  fx_s(f, 0, "V", "HEALTHCARE");
  fx_s(f, 1, "V", "TECHNOLOGY");
  fx_s(f, 2, "V", "ENERGY");
  fx_eval(f, "V LIKE '%TECH%'");
  assert_string_equal(fx_text(f, 0), "FALSE");
  assert_string_equal(fx_text(f, 1), "TRUE");
  assert_string_equal(fx_text(f, 3), "NULL");
  fx_eval(f, "V LIKE '%ER%Y'");
  assert_string_equal(fx_text(f, 1), "FALSE");
  assert_string_equal(fx_text(f, 2), "TRUE");
  /* a pattern from a column: compiled per row */
  fx_s(f, 0, "V2", "H%");
  fx_s(f, 1, "V2", "%X%");
  fx_s(f, 2, "V2", "E_ERGY");
  fx_eval(f, "V LIKE V2");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 1), "FALSE");
  assert_string_equal(fx_text(f, 2), "TRUE");
  assert_string_equal(fx_text(f, 3), "NULL");
  /* a bad escape: a compile error for a constant, a row error otherwise */
  fx_expect_compile_error(f, "V LIKE 'a!b' ESCAPE '!'", SLUICE_SEMANTIC,
                          "invalid escape sequence in LIKE pattern 'a!b'");
  fx_expect_compile_error(f, "V LIKE 'a' ESCAPE '!!'", SLUICE_SEMANTIC,
                          "the ESCAPE of LIKE must be one character, not '!!'");
  fx_s(f, 0, "V2", "x!");
  fx_expect_error(f, "V LIKE V2 ESCAPE '!'", 0, "FunctionError",
                  "LIKE pattern ends with the escape");
}

static void test_similar_to_vectors(void **state) {
  FX;
  EXPECT_CONST(f, "'abd' SIMILAR TO '[ab][bcde]d'", "TRUE");
  EXPECT_CONST(f, "'cd' SIMILAR TO '[a-e^c]d'", "FALSE");
  EXPECT_CONST(f, "'bd' SIMILAR TO '[a-e^c]d'", "TRUE");
  EXPECT_CONST(f, "'acd' SIMILAR TO 'ab*c+d'", "TRUE");
  EXPECT_CONST(f, "'abbb' SIMILAR TO 'a(b{3})'", "TRUE");
  EXPECT_CONST(f, "'abbbbbbbb' SIMILAR TO 'ab{3,6}'", "FALSE");
  EXPECT_CONST(f, "'' SIMILAR TO '(ab)?'", "TRUE");
  EXPECT_CONST(f, "'' SIMILAR TO 'ab?'", "FALSE");
  EXPECT_CONST(f, "'a(b{3})' SIMILAR TO 'a\\(b\\{3\\}\\)' ESCAPE '\\'", "TRUE");
  EXPECT_CONST(f, "'amy' SIMILAR TO 'amy|fred'", "TRUE");
  EXPECT_CONST(f, "'fred' SIMILAR TO 'amy|fred'", "TRUE");
  EXPECT_CONST(f, "'amyfred' SIMILAR TO 'amy|fred'", "FALSE");
  EXPECT_CONST(f, "'a.c' SIMILAR TO 'a.c'", "TRUE");
  EXPECT_CONST(f, "'abc' SIMILAR TO 'a.c'", "FALSE"); /* `.` is no metacharacter here */
  EXPECT_CONST(f, "'SEMITECHNOLOGY' SIMILAR TO '%TECH%'", "TRUE");
  fx_expect_compile_error(
      f, "V SIMILAR TO '[^(a-e)]d'", SLUICE_SEMANTIC,
      "invalid SIMILAR TO pattern '[^(a-e)]d': parentheses and '[' are not allowed in a bracket "
      "expression");
  exec_expr *x;
  assert_int_equal(fx_compile(f, "V SIMILAR TO 'a(b'", &x), SLUICE_SEMANTIC);
  assert_non_null(strstr(f->err.message, "invalid SIMILAR TO pattern 'a(b'"));
}

/* ---------------------------------------------------------------- CASE -- */

static void test_case(void **state) {
  FX;
  fx_rows(f, 4);
  fx_i(f, 0, "I", 0);
  fx_i(f, 1, "I", 4);
  fx_i(f, 2, "I", -2);
  /* the division runs only for the rows that take its branch */
  fx_eval(f, "CASE WHEN I = 0 THEN 0 WHEN I > 0 THEN 100 / I ELSE -1 END");
  assert_int_equal(f->nerrors, 0);
  assert_string_equal(fx_text(f, 0), "0");
  assert_string_equal(fx_text(f, 1), "25");
  assert_string_equal(fx_text(f, 2), "-1");
  assert_string_equal(fx_text(f, 3), "-1"); /* NULL condition: not taken */
  fx_eval(f, "CASE I WHEN 0 THEN 'zero' WHEN 4 THEN 'four' END");
  assert_string_equal(fx_text(f, 0), "zero");
  assert_string_equal(fx_text(f, 1), "four");
  assert_string_equal(fx_text(f, 2), "NULL");
  assert_string_equal(fx_text(f, 3), "NULL");
  /* CHAR branches of different lengths: CHAR(n) values are blank padded */
  fx_eval(f, "CASE WHEN I > 0 THEN 'a' ELSE 'bbb' END || '|'");
  assert_string_equal(fx_text(f, 1), "a  |");
  assert_string_equal(fx_text(f, 0), "bbb|");
  /* branches of different numeric types take the CASE's type */
  fx_eval(f, "CASE WHEN I > 0 THEN 1 ELSE 2.5 END");
  assert_string_equal(fx_text(f, 1), "1.0");
  assert_string_equal(fx_text(f, 0), "2.5");
  /* an error in a taken branch still fails its row */
  fx_expect_error(f, "CASE WHEN I >= 0 THEN 10 / I END", 0, "DivideByZero", "division by zero");
  assert_int_equal(f->nerrors, 1);
  assert_string_equal(fx_text(f, 1), "2");
}

static void test_coalesce_and_nullif(void **state) {
  FX;
  EXPECT_CONST(f, "COALESCE('chair', null, 'sofa')", "chair");
  EXPECT_CONST(f, "COALESCE(null, 2, 5)", "2");
  EXPECT_CONST(f, "NULLIF(4, 4)", "NULL");
  EXPECT_CONST(f, "NULLIF(4, 5)", "4");
  EXPECT_CONST(f, "NULLIF('amy', CAST(NULL AS VARCHAR(3)))", "amy");
  fx_rows(f, 3);
  fx_i(f, 0, "I", 1);
  fx_i(f, 1, "I2", 0); /* I NULL, I2 0 */
  /* later arguments run only where the earlier ones are NULL */
  fx_eval(f, "COALESCE(I, 10 / I2, 7)");
  assert_int_equal(f->nerrors, 1);
  assert_int_equal(f->errors[0].row, 1);
  assert_string_equal(fx_text(f, 0), "1");
  assert_string_equal(fx_text(f, 2), "7"); /* 10 / NULL is NULL too */
  fx_eval(f, "COALESCE(I, I2, 7)");
  assert_string_equal(fx_text(f, 1), "0");
  assert_string_equal(fx_text(f, 2), "7");
}

/* ---------------------------------------------------------------- CAST -- */

static void test_cast_numbers(void **state) {
  FX;
  EXPECT_CONST(f, "CAST(-1.7 AS INTEGER)", "-2"); /* rounds (spec 2.4) */
  EXPECT_CONST(f, "CAST(2.5 AS INTEGER)", "3");   /* [IMPL] half away from zero */
  EXPECT_CONST(f, "CAST(-2.5 AS INTEGER)", "-3");
  EXPECT_CONST(f, "CAST(2.5e0 AS BIGINT)", "3");
  EXPECT_CONST(f, "CAST(1.2345 AS DECIMAL(5,2))", "1.23");
  EXPECT_CONST(f, "CAST(1.235 AS DECIMAL(5,2))", "1.24");
  EXPECT_CONST(f, "CAST(7 AS DECIMAL(5,2))", "7.00");
  EXPECT_CONST(f, "CAST(0.1e0 AS DECIMAL(5,3))", "0.100");
  EXPECT_CONST(f, "CAST(12.5 AS DOUBLE)", "12.5");
  EXPECT_CONST(f, "CAST(1.1e0 AS REAL)", "1.100000023841858");
  EXPECT_CONST(f, "CAST(127 AS TINYINT)", "127");
  EXPECT_CONST(f, "CAST(' 42 ' AS INTEGER)", "42");
  EXPECT_CONST(f, "CAST('-1.5' AS INTEGER)", "-2");
  EXPECT_CONST(f, "CAST('1e3' AS DOUBLE)", "1000");
  EXPECT_CONST(f, "CAST('12.345' AS DECIMAL(6,2))", "12.35");
  EXPECT_CONST(f, "CAST(12345678901 AS BIGINT)", "12345678901");
  fx_rows(f, 2);
  fx_i(f, 0, "I", 300), fx_i(f, 1, "I", 100);
  fx_expect_error(f, "CAST(I AS TINYINT)", 0, "CastError",
                  "cannot cast 300: value out of range to TINYINT");
  assert_string_equal(fx_text(f, 1), "100");
  fx_s(f, 0, "V", "abc"), fx_s(f, 1, "V", "12");
  fx_expect_error(f, "CAST(V AS INTEGER)", 0, "CastError", "cannot cast 'abc' to INTEGER");
  assert_string_equal(fx_text(f, 1), "12");
  fx_d(f, 0, "F", 1234.5), fx_d(f, 1, "F", 1.5);
  fx_expect_error(f, "CAST(F AS DECIMAL(5,2))", 0, "CastError",
                  "cannot cast 1234.5: value out of range to DECIMAL(5,2)");
  assert_string_equal(fx_text(f, 1), "1.50");
  fx_d(f, 0, "F", 1e30);
  fx_expect_error(f, "CAST(F AS BIGINT)", 0, "CastError",
                  "cannot cast 1e+30: value out of range to BIGINT");
}

static void test_cast_text(void **state) {
  FX;
  /* spec 2.4 */
  fx_rows(f, 1);
  fx_expect_error(f, "CAST(DATE '2008-08-23' AS VARCHAR(9))", 0, "CastError",
                  "cannot cast '2008-08-23': value too long to VARCHAR(9)");
  EXPECT_CONST(f, "CAST(DATE '2008-08-23' AS CHAR(25))", "2008-08-23               ");
  EXPECT_CONST(f, "CAST(DATE '2008-08-23' AS VARCHAR(25))", "2008-08-23");
  EXPECT_CONST(f, "CHAR_LENGTH(CAST('fred' AS CHAR(16)))", "16");
  EXPECT_CONST(f, "CAST(ABS(INTERVAL '-3 4:20' DAY TO MINUTE) AS VARCHAR(8))", "+3 04:20");
  EXPECT_CONST(f, "CAST(INTERVAL '-3 4:20' DAY TO MINUTE AS VARCHAR(12))", "-3 04:20");
  EXPECT_CONST(f, "CAST(INTERVAL '2 3:4:5.678' DAY TO SECOND AS VARCHAR(20))", "+2 03:04:05.678");
  EXPECT_CONST(f, "CAST(INTERVAL '3-4' YEAR TO MONTH AS VARCHAR(10))", "+3-04");
  EXPECT_CONST(f, "CAST(TIMESTAMP '2004-09-30 13:48:23' AS VARCHAR(30))",
               "2004-09-30 13:48:23.000");
  EXPECT_CONST(f, "CAST(TIME '13:48:23' AS VARCHAR(30))", "13:48:23.000");
  EXPECT_CONST(f, "CAST(12.50 AS VARCHAR(10))", "12.50");
  EXPECT_CONST(f, "CAST(-0.05 AS VARCHAR(10))", "-0.05");
  EXPECT_CONST(f, "CAST(42 AS CHAR(4))", "42  ");
  EXPECT_CONST(f, "CAST(1.5e0 AS VARCHAR(10))", "1.5");
  EXPECT_CONST(f, "CAST(1e0 AS VARCHAR(10))", "1.0");
  EXPECT_CONST(f, "CAST(1.5e10 AS VARCHAR(10))", "1.5E10");
  EXPECT_CONST(f, "CAST(0.00012e0 AS VARCHAR(10))", "1.2E-4");
  EXPECT_CONST(f, "CAST(TRUE AS VARCHAR(5))", "TRUE");
  EXPECT_CONST(f, "CAST('héllo' AS VARCHAR(5))", "héllo"); /* characters, not bytes */
  EXPECT_CONST(f, "CAST('ab   ' AS VARCHAR(3))", "ab ");   /* excess blanks are dropped */
  fx_expect_error(f, "CAST('abcd' AS VARCHAR(3))", 0, "CastError",
                  "cannot cast 'abcd': value too long to VARCHAR(3)");
  fx_expect_error(f, "CAST(FALSE AS VARCHAR(4))", 0, "CastError",
                  "cannot cast 'FALSE': value too long to VARCHAR(4)");
  /* text to other types */
  EXPECT_CONST(f, "CAST('2004-09-30 13:48:23' AS TIMESTAMP)", "2004-09-30 13:48:23.000");
  EXPECT_CONST(f, "CAST(' 2004-09-30 13:48:23.5 ' AS TIMESTAMP)", "2004-09-30 13:48:23.500");
  EXPECT_CONST(f, "CAST('2008-08-23' AS DATE)", "2008-08-23");
  EXPECT_CONST(f, "CAST('13:48:23' AS TIME)", "13:48:23.000");
  EXPECT_CONST(f, "CAST('tRuE' AS BOOLEAN)", "TRUE");
  EXPECT_CONST(f, "CAST('false' AS BOOLEAN)", "FALSE");
  EXPECT_CONST(f, "CAST('3 04:20' AS INTERVAL DAY TO MINUTE)", "274800000 ms");
  EXPECT_CONST(f, "CAST('-1.5' AS INTERVAL SECOND)", "-1500 ms");
  fx_expect_error(f, "CAST('2004-13-30' AS TIMESTAMP)", 0, "CastError",
                  "cannot cast '2004-13-30' to TIMESTAMP");
  fx_expect_error(f, "CAST('yes' AS BOOLEAN)", 0, "CastError", "cannot cast 'yes' to BOOLEAN");
  fx_expect_error(f, "CAST('1:2' AS INTERVAL DAY)", 0, "CastError",
                  "cannot cast '1:2' to INTERVAL DAY");
}

static void test_cast_datetime_and_intervals(void **state) {
  FX;
  EXPECT_CONST(f, "CAST(TIMESTAMP '2004-09-30 13:48:23' AS DATE)", "2004-09-30");
  EXPECT_CONST(f, "CAST(TIMESTAMP '2004-09-30 13:48:23' AS TIME)", "13:48:23.000");
  EXPECT_CONST(f, "CAST(DATE '2004-09-30' AS TIMESTAMP)", "2004-09-30 00:00:00.000");
  EXPECT_CONST(f, "CAST(TIMESTAMP '1969-12-31 23:00:00' AS DATE)", "1969-12-31");
  EXPECT_CONST(f, "CAST(INTERVAL '3' DAY AS BIGINT)", "3");
  EXPECT_CONST(f, "CAST(INTERVAL '3 4' DAY TO HOUR AS BIGINT)", "76"); /* trailing field */
  EXPECT_CONST(f, "CAST(INTERVAL '1.5' SECOND AS DECIMAL(10,3))", "1.500");
  EXPECT_CONST(f, "CAST(INTERVAL '2-6' YEAR TO MONTH AS BIGINT)", "30");
  EXPECT_CONST(f, "CAST(INTERVAL '90' MINUTE AS INTERVAL HOUR)", "3600000 ms");
  /* TIME to TIMESTAMP takes CURRENT_DATE (the statement's date) */
  fx_rows(f, 1);
  f->ectx.statement_ms = 86400000LL * 3 + 5000;
  fx_ts(f, 0, "TM", "1970-01-01 10:00:00");
  EXPECT(f, "CAST(TM AS TIMESTAMP)", "1970-01-04 10:00:00.000");
  f->ectx.statement_ms = 0;
}

static void test_concat(void **state) {
  FX;
  EXPECT_CONST(f, "'SQL'||'stream'", "SQLstream");
  EXPECT_CONST(f, "'a'||''||'b'", "ab");
  fx_rows(f, 2);
  fx_s(f, 0, "V", "é");
  fx_s(f, 0, "C", "x       ");
  EXPECT(f, "V || '-' || C || '|'", "é-x       |"); /* CHAR keeps its padding */
  fx_eval(f, "V || 'x'");
  assert_string_equal(fx_text(f, 1), "NULL");
}

/* ---------------------------------------------------- datetime arithmetic -- */

static void test_interval_arithmetic_vectors(void **state) {
  FX;
  /* spec 2.6, printed under the result qualifier */
  EXPECT_CONST(f, "CAST(INTERVAL '1' DAY + INTERVAL '3' DAY AS VARCHAR(10))", "+4");
  EXPECT_CONST(f, "CAST(INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR AS VARCHAR(10))", "+4 04");
  EXPECT_CONST(f, "CAST(INTERVAL '1' DAY - INTERVAL '3 4' DAY TO HOUR AS VARCHAR(10))", "-2 04");
  EXPECT_CONST(f, "CAST(INTERVAL '1' YEAR + INTERVAL '3-4' YEAR TO MONTH AS VARCHAR(10))", "+4-04");
  EXPECT_CONST(f, "CAST(2 * INTERVAL '3 4' DAY TO HOUR AS VARCHAR(10))", "+6 08");
  EXPECT_CONST(f, "CAST(INTERVAL '3 4' DAY TO HOUR / 2 AS VARCHAR(10))", "+1 14");
  EXPECT_CONST(f, "INTERVAL '1' SECOND * 1.5", "1500 ms");
  EXPECT_CONST(f, "INTERVAL '1' SECOND * 2.5e0", "2500 ms");
  EXPECT_CONST(f, "INTERVAL '10' SECOND / 4", "2500 ms");
  EXPECT_CONST(f, "INTERVAL '1' MONTH * 3", "3 months");
  fx_rows(f, 1);
  fx_expect_error(f, "INTERVAL '1' DAY / 0", 0, "DivideByZero", "division by zero");
}

static void test_timestamp_arithmetic(void **state) {
  FX;
  fx_rows(f, 2);
  fx_ts(f, 0, "TS", "2018-05-09 12:50:41.337");
  EXPECT(f, "TS - INTERVAL '5' MINUTE", "2018-05-09 12:45:41.337"); /* spec 8.23 */
  EXPECT(f, "INTERVAL '1' DAY + TS", "2018-05-10 12:50:41.337");
  EXPECT(f, "TS + INTERVAL '1-2' YEAR TO MONTH", "2019-07-09 12:50:41.337");
  /* month ends */
  EXPECT_CONST(f, "TIMESTAMP '2004-01-31 10:00:00' + INTERVAL '1' MONTH",
               "2004-02-29 10:00:00.000");
  EXPECT_CONST(f, "TIMESTAMP '2003-01-31 10:00:00' + INTERVAL '1' MONTH",
               "2003-02-28 10:00:00.000");
  EXPECT_CONST(f, "TIMESTAMP '2004-03-31 00:00:00' - INTERVAL '1' MONTH",
               "2004-02-29 00:00:00.000");
  EXPECT_CONST(f, "DATE '2004-12-31' + INTERVAL '2' MONTH", "2005-02-28");
  EXPECT_CONST(f, "DATE '2004-12-31' + INTERVAL '36' HOUR", "2005-01-01");
  EXPECT_CONST(f, "DATE '2004-12-31' - INTERVAL '1' DAY", "2004-12-30");
  EXPECT_CONST(f, "TIME '23:30:00' + INTERVAL '1' HOUR", "00:30:00.000");
  /* the epoch idiom */
  fx_rows(f, 2);
  fx_ts(f, 0, "TS", "2018-05-09 12:50:41.337");
  fx_i(f, 0, "B", 1525870241);
  fx_i(f, 1, "B", -1);
  fx_eval(f, "TIMESTAMP '1970-01-01 00:00:00' + INTERVAL '1' SECOND * B");
  assert_string_equal(fx_text(f, 0), "2018-05-09 12:50:41.000");
  assert_string_equal(fx_text(f, 1), "1969-12-31 23:59:59.000");
  fx_d(f, 0, "F", 1525870241.337);
  EXPECT(f, "TIMESTAMP '1970-01-01 00:00:00' + INTERVAL '1' SECOND * F", "2018-05-09 12:50:41.337");
  /* (a - b) qualifier */
  EXPECT(f, "(TS - TIMESTAMP '1970-01-01 00:00:00') SECOND", "1525870241337 ms");
  EXPECT(f, "(TS - TIMESTAMP '2018-05-09 00:00:00') HOUR", "43200000 ms");
  EXPECT(f, "(TS - TIMESTAMP '2018-05-09 12:00:00') MINUTE(4)", "3000000 ms");
  EXPECT(f, "(TS - TIMESTAMP '2018-05-09 12:50:00') SECOND(2,0)", "41000 ms");
  EXPECT_CONST(f, "(DATE '2004-03-01' - DATE '2004-01-31') MONTH", "1 months");
  EXPECT_CONST(f, "(DATE '2004-03-31' - DATE '2004-01-31') MONTH", "2 months");
  EXPECT_CONST(f, "(DATE '2004-01-31' - DATE '2004-03-01') MONTH", "-1 months");
  EXPECT_CONST(f, "(TIMESTAMP '2010-06-01 00:00:00' - TIMESTAMP '2004-09-30 00:00:00') YEAR",
               "60 months");
  EXPECT_CONST(f, "(DATE '2004-03-01' - DATE '2004-02-01') DAY", "2505600000 ms");
  /* the legacy tumbling key of spec 1.10 */
  fx_rows(f, 2);
  fx_ts(f, 0, "TS", "1970-01-01 00:00:19.999");
  fx_ts(f, 1, "TS", "1970-01-01 00:00:20.000");
  fx_eval(f, "FLOOR((TS - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)");
  assert_string_equal(fx_text(f, 0), "1000 ms");
  assert_string_equal(fx_text(f, 1), "2000 ms");
}

static void test_rowtime_and_periods(void **state) {
  FX;
  fx_rows(f, 2);
  f->in->rowtime[0] = 1000;
  f->in->rowtime[1] = 2500;
  fx_eval(f, "S.ROWTIME + INTERVAL '1' SECOND");
  assert_string_equal(fx_text(f, 0), "1970-01-01 00:00:02.000");
  assert_string_equal(fx_text(f, 1), "1970-01-01 00:00:03.500");
  fx_eval(f, "FLOOR(S.ROWTIME TO SECOND)");
  assert_string_equal(fx_text(f, 1), "1970-01-01 00:00:02.000");
  fx_ts(f, 0, "TS", "1970-01-01 00:00:01.500");
  fx_ts(f, 1, "TS", "1970-01-01 00:00:05.000");
  fx_eval(f, "PERIOD(S.ROWTIME, TS) CONTAINS TIMESTAMP '1970-01-01 00:00:01.000'");
  assert_string_equal(fx_text(f, 0), "TRUE");
  assert_string_equal(fx_text(f, 1), "FALSE");
  EXPECT_CONST(f,
               "(TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP '2020-01-03 00:00:00') OVERLAPS "
               "(TIMESTAMP '2020-01-02 00:00:00', TIMESTAMP '2020-01-04 00:00:00')",
               "TRUE");
  EXPECT_CONST(f,
               "(TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP '2020-01-02 00:00:00') OVERLAPS "
               "(TIMESTAMP '2020-01-02 00:00:00', TIMESTAMP '2020-01-04 00:00:00')",
               "FALSE");
  EXPECT_CONST(f,
               "(TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP '2020-01-02 00:00:00') IMMEDIATELY "
               "PRECEDES (TIMESTAMP '2020-01-02 00:00:00', TIMESTAMP '2020-01-04 00:00:00')",
               "TRUE");
  EXPECT_CONST(f,
               "(TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP '2020-01-03 00:00:00') LEADS "
               "(TIMESTAMP '2020-01-02 00:00:00', TIMESTAMP '2020-01-04 00:00:00')",
               "TRUE");
}

/* ------------------------------------------------- selections, filters -- */

static void test_filter_with_existing_selection(void **state) {
  FX;
  fx_rows(f, 6);
  for (int i = 0; i < 6; i++) fx_i(f, i, "I", i);
  fx_i(f, 5, "I2", 0);
  for (int i = 0; i < 5; i++) fx_i(f, i, "I2", 1);
  exec_expr *x;
  assert_int_equal(fx_compile(f, "I % 2 = 0 AND 10 / I2 > 1", &x), SLUICE_OK);
  /* rows 1, 2, 4, 5 live */
  uint16_t sel[4] = {1, 2, 4, 5};
  memcpy(f->in->sel_buf, sel, sizeof sel);
  f->in->sel = f->in->sel_buf;
  f->in->nsel = 4;
  f->nerrors = 0;
  assert_int_equal(exec_expr_filter(x, &f->ectx, f->in, &f->err), SLUICE_OK);
  assert_int_equal(core_batch_live(f->in), 2);
  assert_int_equal(core_batch_row(f->in, 0), 2);
  assert_int_equal(core_batch_row(f->in, 1), 4);
  /* row 5: 5 % 2 = 1 is FALSE, so 10 / 0 never ran (lazy AND) */
  assert_int_equal(f->nerrors, 0);
  /* a failing row in a filter is reported and dropped; the others stay */
  assert_int_equal(fx_compile(f, "10 / I2 > 1", &x), SLUICE_OK);
  f->in->sel = NULL;
  assert_int_equal(exec_expr_filter(x, &f->ectx, f->in, &f->err), SLUICE_OK);
  assert_int_equal(f->nerrors, 1);
  assert_int_equal(f->errors[0].row, 5);
  assert_string_equal(f->errors[0].name, "DivideByZero");
  assert_int_equal(core_batch_live(f->in), 5);
  assert_int_equal(f->ectx.errors, 1);
  f->ectx.errors = 0;
}

static void test_errors_in_several_steps_report_a_row_once(void **state) {
  FX;
  fx_rows(f, 2);
  fx_i(f, 0, "I", 0), fx_i(f, 0, "I2", 0);
  fx_i(f, 1, "I", 1), fx_i(f, 1, "I2", 1);
  fx_eval(f, "1 / I + 1 / I2");
  assert_int_equal(f->nerrors, 1);
  assert_int_equal(f->errors[0].row, 0);
  assert_string_equal(fx_text(f, 1), "2");
  assert_int_equal(core_batch_live(f->in), 1);
}

static void test_batches_larger_than_the_program_run_in_chunks(void **state) {
  FX;
  int n = 2500;
  core_batch *big = core_batch_new(FX_NCOLS, f->types, n);
  core_type t = {.id = CORE_T_BIGINT};
  core_batch *out = core_batch_new(1, &t, n);
  big->n = out->n = n;
  int ci = fx_col("I");
  for (int i = 0; i < n; i++) {
    big->cols[ci].null[i] = 0;
    big->cols[ci].u.i[i] = i;
    big->rowtime[i] = i;
  }
  big->cols[ci].null[2001] = 1;
  exec_expr *x;
  assert_int_equal(fx_compile(f, "CAST(I AS BIGINT) * 2 + 100000 / (I - 2000)", &x), SLUICE_OK);
  f->nerrors = 0;
  assert_int_equal(exec_expr_eval(x, &f->ectx, big, out, 0, &f->err), SLUICE_OK);
  assert_int_equal(f->nerrors, 1); /* I = 2000, in the second chunk */
  assert_int_equal(f->errors[0].row, 2000);
  assert_int_equal(core_batch_live(big), n - 1);
  assert_int_equal(out->cols[0].u.i[1000], 2000 + 100000 / -1000);
  assert_int_equal(out->cols[0].u.i[2400], 4800 + 100000 / 400);
  assert_int_equal(out->cols[0].null[2001], 1);
  /* a filter over a selection spanning the chunks */
  assert_int_equal(fx_compile(f, "I % 1000 = 999 OR 10 / (I - 2499) = 1", &x), SLUICE_OK);
  f->nerrors = 0;
  assert_int_equal(exec_expr_filter(x, &f->ectx, big, &f->err), SLUICE_OK);
  assert_int_equal(f->nerrors, 1); /* I = 2499: 999 is not 2499 % 1000 = 499; 10 / 0 */
  assert_int_equal(f->errors[0].row, 2499);
  assert_int_equal(core_batch_live(big), 2);
  assert_int_equal(core_batch_row(big, 0), 999);
  assert_int_equal(core_batch_row(big, 1), 1999);
  core_batch_free(big);
  core_batch_free(out);
  f->ectx.errors = 0;
}

/* --------------------------------------------- compile-time behaviour -- */

static int agg_layout(void *arg, const plan_expr *e) {
  (void)arg;
  if (e->kind == PLAN_E_AGG) return 0; /* the aggregate's value is column 0 (I) */
  return e->kind == PLAN_E_COLUMN ? e->u.column.index : -1;
}

static void test_layout_maps_subtrees(void **state) {
  FX;
  const char *sql = "SELECT STREAM COUNT(*) * 2 FROM S GROUP BY FLOOR(S.ROWTIME TO MINUTE)";
  parse_stmt *st;
  plan_stmt *ps;
  assert_int_equal(parse_statement(f->arena, sql, strlen(sql), &st, &f->err), SLUICE_OK);
  assert_int_equal(plan_bind(&f->ctx, st, &ps, &f->err), SLUICE_OK);
  const plan_expr *e = ps->query->u.select.items[0].expr;
  exec_expr *x;
  exec_layout none = {fx_find, f};
  assert_int_equal(exec_expr_compile(e, &none, f->arena, &x, &f->err), SLUICE_INTERNAL);
  assert_string_equal(f->err.message, "internal: unmapped aggregate");
  exec_layout lay = {agg_layout, f};
  assert_int_equal(exec_expr_compile(e, &lay, f->arena, &x, &f->err), SLUICE_OK);
  fx_rows(f, 1);
  fx_i(f, 0, "I", 21);
  core_type t = exec_expr_type(x);
  core_batch *out = core_batch_new(1, &t, 4);
  out->n = 1;
  assert_int_equal(exec_expr_eval(x, &f->ectx, f->in, out, 0, &f->err), SLUICE_OK);
  assert_int_equal(out->cols[0].u.i[0], 42);
  core_batch_free(out);
}

static void test_unsupported_constructs(void **state) {
  FX;
  assert_int_equal(
      fx_ddl(f, "CREATE REFERENCE TABLE \"T\" FROM FILE 't.csv' FORMAT CSV COLUMNS (a INTEGER)"),
      SLUICE_OK);
  fx_expect_compile_error(f, "(SELECT a FROM \"T\") + 1", SLUICE_UNSUPPORTED,
                          "subqueries in expressions are not available yet");
  fx_expect_compile_error(f, "FLOOR(TS)", SLUICE_UNSUPPORTED, "FLOOR of a TIMESTAMP needs TO unit");
  fx_expect_compile_error(f, "REGEX_LOG_PARSE(V, '(a)(b)')", SLUICE_UNSUPPORTED,
                          "function REGEX_LOG_PARSE is not available yet");
  /* the location points at the construct */
  exec_expr *x;
  assert_int_equal(fx_compile(f, "CAST(FLOOR(TS) AS DATE)", &x), SLUICE_UNSUPPORTED);
  assert_int_equal(f->err.location, (int32_t)strlen("SELECT STREAM CAST("));
}

static void test_constant_folding_keeps_run_time_errors(void **state) {
  FX;
  /* 1/0 cannot fold: every row fails at run time */
  fx_rows(f, 2);
  fx_eval(f, "1 / 0");
  assert_int_equal(f->nerrors, 2);
  assert_int_equal(core_batch_live(f->in), 0);
  /* a folded constant is shared by all rows */
  fx_rows(f, 3);
  fx_eval(f, "UPPER('abc') || CAST(1 + 2 AS VARCHAR(3))");
  for (int i = 0; i < 3; i++) assert_string_equal(fx_text(f, i), "ABC3");
}

static void test_user_functions_inline(void **state) {
  FX;
  assert_int_equal(fx_ddl(f, "CREATE FUNCTION get_fraction(degrees DOUBLE) RETURNS DOUBLE "
                             "CONTAINS SQL RETURN degrees - FLOOR(degrees)"),
                   SLUICE_OK);
  assert_int_equal(
      fx_ddl(f, "CREATE OR REPLACE FUNCTION FLOOR30MIN(p_time TIMESTAMP) RETURNS TIMESTAMP "
                "CONTAINS SQL RETURNS NULL ON NULL INPUT RETURN FLOOR(p_time TO HOUR) + "
                "((EXTRACT(MINUTE FROM p_time)/30) * INTERVAL '30' MINUTE)"),
      SLUICE_OK);
  assert_int_equal(fx_ddl(f, "CREATE FUNCTION inv(x INTEGER) RETURNS INTEGER RETURNS NULL ON NULL "
                             "INPUT RETURN 100 / COALESCE(x, 0)"),
                   SLUICE_OK);
  fx_rows(f, 3);
  fx_d(f, 0, "F", 3.25);
  fx_d(f, 1, "F", -1.5);
  fx_ts(f, 0, "TS", "2004-09-30 13:48:23");
  fx_ts(f, 1, "TS", "2004-09-30 13:18:23");
  fx_i(f, 0, "I", 4);
  fx_eval(f, "GET_FRACTION(F)");
  assert_string_equal(fx_text(f, 0), "0.25");
  assert_string_equal(fx_text(f, 1), "0.5");
  assert_string_equal(fx_text(f, 2), "NULL");
  fx_eval(f, "FLOOR30MIN(TS)");
  assert_string_equal(fx_text(f, 0), "2004-09-30 13:30:00.000");
  assert_string_equal(fx_text(f, 1), "2004-09-30 13:00:00.000");
  assert_string_equal(fx_text(f, 2), "NULL");
  /* RETURNS NULL ON NULL INPUT: the body does not run for NULL arguments */
  fx_eval(f, "INV(I)");
  assert_int_equal(f->nerrors, 0);
  assert_string_equal(fx_text(f, 0), "25");
  assert_string_equal(fx_text(f, 1), "NULL");
  /* a body calling another user function is not inlined */
  assert_int_equal(fx_ddl(f, "CREATE FUNCTION twice_inv(x INTEGER) RETURNS INTEGER RETURN "
                             "2 * inv(x)"),
                   SLUICE_OK);
  fx_expect_compile_error(f, "TWICE_INV(I)", SLUICE_UNSUPPORTED,
                          "function TWICE_INV is not available yet: its body calls another user "
                          "function or reads a relation");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_integer_arithmetic, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_integer_overflow_and_division_by_zero, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_decimal_arithmetic, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_approximate_arithmetic, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_three_valued_logic, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_and_or_are_lazy_for_failing_operands, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_comparisons, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_between_and_in, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_like_vectors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_similar_to_vectors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_case, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_coalesce_and_nullif, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_cast_numbers, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_cast_text, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_cast_datetime_and_intervals, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_concat, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_interval_arithmetic_vectors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_timestamp_arithmetic, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_rowtime_and_periods, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_filter_with_existing_selection, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_errors_in_several_steps_report_a_row_once, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_batches_larger_than_the_program_run_in_chunks, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_layout_maps_subtrees, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_unsupported_constructs, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_constant_folding_keeps_run_time_errors, fx_setup,
                                      fx_teardown),
      cmocka_unit_test_setup_teardown(test_user_functions_inline, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

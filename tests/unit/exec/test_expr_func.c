/* Unit tests of the scalar function kernels (functions/scalar*.c) through
 * compiled expressions: the worked values of spec section 5 (5.3-5.7), the
 * decisions of 7.4 (#3 STEP, #4 SUBSTRING), UTF-8 character semantics, row
 * errors of functions, and the functions that are not available yet. */
#include "expr_fixture.h"

static void test_numeric_function_vectors(void **state) {
  FX;
  /* spec 5.4 */
  EXPECT_CONST(f, "ABS(-1.0)", "1.0");
  EXPECT_CONST(f, "ABS(-3*3)", "9");
  EXPECT_CONST(f, "CAST(ABS(INTERVAL '-3 4:20' DAY TO MINUTE) AS VARCHAR(10))", "+3 04:20");
  EXPECT_CONST(f, "CEIL(5.2)", "6");
  EXPECT_CONST(f, "CEILING(-3.3)", "-3");
  EXPECT_CONST(f, "CEILING(-3*3.1)", "-9");
  EXPECT_CONST(f, "FLOOR(-3.3)", "-4");
  EXPECT_CONST(f, "FLOOR(-3*3.1)", "-10");
  EXPECT_CONST(f, "FLOOR(5.2)", "5");
  EXPECT_CONST(f, "FLOOR(5.7e0)", "5");
  EXPECT_CONST(f, "CEIL(-0.5e0)", "-0");
  EXPECT_CONST(f, "FLOOR(7)", "7");
  EXPECT_CONST(f, "STEP(23 BY 5)", "20");
  EXPECT_CONST(f, "STEP(30 BY 10)", "30");
  EXPECT_CONST(f, "STEP(-3 BY 5)", "0"); /* (x / n) * n with integer division */
  EXPECT_CONST(f, "STEP(2.75 BY 0.5)", "2.50");
  /* the C library's exp() is correctly rounded; Java's (the spec's 2.7182818284590455) is one
   * ulp above */
  fx_expect_double(f, "EXP(1)", "2.718281828459045");
  EXPECT_CONST(f, "EXP(0)", "1");
  fx_expect_double(f, "EXP(-1)", "0.36787944117144233");
  fx_expect_double(f, "EXP(10)", "22026.465794806718");
  fx_expect_double(f, "EXP(2.5)", "12.182493960703473");
  EXPECT_CONST(f, "LN(1)", "0");
  fx_expect_double(f, "LN(10)", "2.302585092994046");
  fx_expect_double(f, "LN(2.5)", "0.9162907318741551");
  EXPECT_CONST(f, "LOG10(1)", "0");
  EXPECT_CONST(f, "LOG10(100)", "2");
  fx_expect_double(f, "LOG10(CAST('23' AS DECIMAL))", "1.3617278360175928");
  EXPECT_CONST(f, "MOD(4,2)", "0");
  EXPECT_CONST(f, "MOD(5,3)", "2");
  EXPECT_CONST(f, "MOD(-4,3)", "-1");
  EXPECT_CONST(f, "MOD(5,12)", "5");
  EXPECT_CONST(f, "MOD(CAST(17 AS DECIMAL(5,0)), 5)", "2");
  EXPECT_CONST(f, "POWER(3,2)", "9");
  EXPECT_CONST(f, "POWER(-2,3)", "-8");
  EXPECT_CONST(f, "POWER(4,-2)", "0.0625");
  fx_expect_double(f, "POWER(10.1,2.5)", "324.19285157140644");
}

static void test_numeric_function_errors(void **state) {
  FX;
  fx_rows(f, 3);
  fx_i(f, 0, "I", 0);
  fx_i(f, 1, "I", -5);
  fx_i(f, 2, "I", 100);
  fx_expect_error(f, "LN(I)", 0, "FunctionError", "cannot take the logarithm of zero");
  assert_int_equal(f->nerrors, 2);
  assert_string_equal(f->errors[1].message, "cannot take the logarithm of a negative number");
  assert_string_equal(fx_text(f, 2), "4.605170185988092");
  fx_rows(f, 3);
  fx_i(f, 0, "I", 0);
  fx_i(f, 1, "I", -5);
  fx_i(f, 2, "I", 100);
  fx_expect_error(f, "LOG10(I)", 1, "FunctionError",
                  "cannot take the logarithm of a negative number");
  assert_string_equal(fx_text(f, 2), "2");
  fx_rows(f, 2);
  fx_i(f, 0, "I", 0), fx_d(f, 0, "F", -1);
  fx_i(f, 1, "I", -8), fx_d(f, 1, "F", 0.5);
  fx_expect_error(f, "POWER(I, F)", 0, "FunctionError", "POWER of zero to a negative exponent");
  fx_expect_error(f, "POWER(I, F)", 1, "FunctionError",
                  "POWER of a negative number to a non-integer exponent");
  fx_rows(f, 1);
  fx_i(f, 0, "I", -2147483647 - 1);
  fx_expect_error(f, "ABS(I)", 0, "Overflow", "ABS(-2147483648) is out of range for INTEGER");
  fx_rows(f, 1);
  fx_i(f, 0, "I", 0);
  fx_expect_error(f, "STEP(5 BY I)", 0, "DivideByZero", "division by zero");
}

static void test_datetime_buckets(void **state) {
  FX;
  const char *ts = "TIMESTAMP '2004-09-30 13:48:23'";
  char buf[256];
#define AT(fmt, want)                                                                              \
  snprintf(buf, sizeof buf, fmt, ts);                                                              \
  EXPECT_CONST(f, buf, want)
  /* spec 5.4 */
  AT("CEILING(%s TO HOUR)", "2004-09-30 14:00:00.000");
  AT("CEILING(%s TO MINUTE)", "2004-09-30 13:49:00.000");
  AT("CEILING(%s TO DAY)", "2004-10-01 00:00:00.000");
  AT("CEILING(%s TO YEAR)", "2005-01-01 00:00:00.000");
  AT("FLOOR(%s TO HOUR)", "2004-09-30 13:00:00.000");
  AT("FLOOR(%s TO MINUTE)", "2004-09-30 13:48:00.000");
  AT("FLOOR(%s TO DAY)", "2004-09-30 00:00:00.000");
  AT("FLOOR(%s TO YEAR)", "2004-01-01 00:00:00.000");
  AT("FLOOR(%s TO MONTH)", "2004-09-01 00:00:00.000");
  AT("CEIL(%s TO MONTH)", "2004-10-01 00:00:00.000");
  AT("FLOOR(%s TO SECOND)", "2004-09-30 13:48:23.000");
  AT("STEP(%s BY INTERVAL '10' SECOND)", "2004-09-30 13:48:20.000");
  AT("STEP(%s BY INTERVAL '2' HOUR)", "2004-09-30 12:00:00.000");
  AT("STEP(%s BY INTERVAL '5' MINUTE)", "2004-09-30 13:45:00.000");
  AT("STEP(%s BY INTERVAL '1' YEAR)", "2004-01-01 00:00:00.000");
  AT("STEP(%s BY INTERVAL '3' MONTH)", "2004-07-01 00:00:00.000");
  /* spec 7.4 #3: the epoch formula, not the documentation's 2004-09-25 */
  EXPECT_CONST(f, "STEP(TIMESTAMP '2004-09-27 13:48:23' BY INTERVAL '5' DAY)",
               "2004-09-24 00:00:00.000");
  EXPECT_CONST(f, "CEIL(TIMESTAMP '2004-09-30 00:00:00' TO DAY)", "2004-09-30 00:00:00.000");
  EXPECT_CONST(f, "FLOOR(TIMESTAMP '1969-12-31 23:59:59.500' TO SECOND)",
               "1969-12-31 23:59:59.000");
  EXPECT_CONST(f, "FLOOR(DATE '2004-09-30' TO MONTH)", "2004-09-01");
  EXPECT_CONST(f, "STEP(DATE '2004-09-27' BY INTERVAL '5' DAY)", "2004-09-24");
  EXPECT_CONST(f, "FLOOR(TIME '13:48:23' TO HOUR)", "13:00:00.000");
  EXPECT_CONST(f, "FLOOR(INTERVAL '100' SECOND TO MINUTE)", "60000 ms");
  EXPECT_CONST(f, "STEP(INTERVAL '100' SECOND BY INTERVAL '30' SECOND)", "90000 ms");
  /* over a column, with NULLs */
  fx_rows(f, 3);
  fx_ts(f, 0, "TS", "2018-05-09 12:50:41.337");
  fx_ts(f, 1, "TS", "2018-05-09 12:59:59.999");
  fx_eval(f, "STEP(TS BY INTERVAL '10' MINUTE)");
  assert_string_equal(fx_text(f, 0), "2018-05-09 12:50:00.000");
  assert_string_equal(fx_text(f, 1), "2018-05-09 12:50:00.000");
  assert_string_equal(fx_text(f, 2), "NULL");
#undef AT
}

static void test_extract_and_epoch_functions(void **state) {
  FX;
  EXPECT_CONST(f, "EXTRACT(DAY FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "2");
  EXPECT_CONST(f, "EXTRACT(HOUR FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "3");
  EXPECT_CONST(f, "EXTRACT(MINUTE FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "4");
  EXPECT_CONST(f, "EXTRACT(SECOND FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "5.678");
  EXPECT_CONST(f, "EXTRACT(MINUTE FROM TIMESTAMP '2016-09-23 04:29:26.234')", "29");
  EXPECT_CONST(f, "EXTRACT(HOUR FROM TIMESTAMP '2016-09-23 04:29:26.234')", "4");
  EXPECT_CONST(f, "EXTRACT(YEAR FROM DATE '2016-09-23')", "2016");
  EXPECT_CONST(f, "EXTRACT(MONTH FROM INTERVAL '3-4' YEAR TO MONTH)", "4");
  /* spec 8.23 */
  fx_rows(f, 1);
  fx_ts(f, 0, "TS", "2018-05-09 12:50:41.337");
  EXPECT(f, "UNIX_TIMESTAMP(TS)", "1525870241337");
  EXPECT(f, "EXTRACT(SECOND FROM TS)", "41.337");
  EXPECT(f, "TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', TS)", "2018-05-09 12:50:41");
  EXPECT(f, "TO_TIMESTAMP(UNIX_TIMESTAMP(TS)) = TS", "TRUE");
  EXPECT_CONST(f, "TO_TIMESTAMP(1525870241337)", "2018-05-09 12:50:41.337");
  EXPECT_CONST(f, "TSDIFF(1000, 4500)", "3500");
  EXPECT_CONST(f, "TSDIFF(TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP '2020-01-01 00:00:01.5')",
               "1500");
}

static void test_clock_functions(void **state) {
  FX;
  fx_rows(f, 3);
  f->ectx.statement_ms = 1525870241337; /* 2018-05-09 12:50:41.337 */
  core_clock *clock = core_clock_new(CORE_CLOCK_TEST, 1000);
  f->ectx.clock = clock;
  fx_eval(f, "CURRENT_TIMESTAMP");
  for (int i = 0; i < 3; i++) assert_string_equal(fx_text(f, i), "2018-05-09 12:50:41.337");
  EXPECT(f, "LOCALTIMESTAMP", "2018-05-09 12:50:41.337");
  EXPECT(f, "CURRENT_DATE", "2018-05-09");
  EXPECT(f, "CURRENT_TIME", "12:50:41.337");
  EXPECT(f, "CURRENT_ROW_TIMESTAMP", "1970-01-01 00:00:01.000"); /* the clock, per row */
  core_clock_set(clock, 5000);
  EXPECT(f, "CURRENT_ROW_TIMESTAMP", "1970-01-01 00:00:05.000");
  f->ectx.clock = NULL;
  EXPECT(f, "CURRENT_ROW_TIMESTAMP", "2018-05-09 12:50:41.337");
  core_clock_free(clock);
  f->ectx.statement_ms = 0;
}

static void test_string_function_vectors(void **state) {
  FX;
  /* spec 5.5 */
  EXPECT_CONST(f, "CHAR_LENGTH('one')", "3");
  EXPECT_CONST(f, "CHAR_LENGTH('')", "0");
  EXPECT_CONST(f, "CHARACTER_LENGTH('日本語')", "3");
  EXPECT_CONST(f, "UPPER('abcDEFghi123')", "ABCDEFGHI123");
  EXPECT_CONST(f, "UPPER('')", "");
  EXPECT_CONST(f, "LOWER('ABCdef')", "abcdef");
  EXPECT_CONST(f, "UPPER('straße éà ωσ жё')", "STRAßE ÉÀ ΩΣ ЖЁ");
  EXPECT_CONST(f, "LOWER('ÉÀ ΩΣ ЖЁ')", "éà ωσ жё");
  EXPECT_CONST(f, "INITCAP('Each FIRST lEtTeR is cAPITALIZED')",
               "Each First Letter Is Capitalized");
  EXPECT_CONST(f, "INITCAP('élan vital')", "Élan Vital");
  EXPECT_CONST(f, "POSITION('findme' IN '1234findmeXXX')", "5");
  EXPECT_CONST(f, "POSITION('7' IN '1234567')", "7");
  EXPECT_CONST(f, "POSITION('z' IN '1234567')", "0");
  EXPECT_CONST(f, "POSITION('' IN 'abc')", "1");
  EXPECT_CONST(f, "POSITION('c' IN 'ééc')", "3");
  EXPECT_CONST(f, "SUBSTRING('123456789' FROM 3 FOR 4)", "3456");
  EXPECT_CONST(f, "SUBSTRING('123456789' FROM -1 FOR 4)", "12");
  EXPECT_CONST(f, "SUBSTRING('123456789' FROM 17 FOR 4)", "");
  EXPECT_CONST(f, "SUBSTRING('123456789' FROM 8 FOR 4)", "89");
  EXPECT_CONST(f, "SUBSTRING('123456789' FROM 3)", "3456789");
  EXPECT_CONST(f, "SUBSTRING('123456789', 3, 4)", "3456");
  EXPECT_CONST(f, "SUBSTRING('123456789', 7, 4)", "789");
  EXPECT_CONST(f, "SUBSTRING('123456789', 10, 4)", "NULL"); /* spec 7.4 #4 */
  EXPECT_CONST(f, "SUBSTRING('日本語です' FROM 2 FOR 2)", "本語");
  EXPECT_CONST(f, "SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*')", "LOGY");
  EXPECT_CONST(f, "SUBSTRING('TECHNOLOGY' FROM 'O[A-Z]')", "OL");
  EXPECT_CONST(f, "SUBSTRING('TECHNOLOGY' FROM 'FOO')", "NULL");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM 1)", "foo45");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM 0)", "foo345");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM -2)", "foo12345");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM 4)", "123foo");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM 17)", "12345foo");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM 2 FOR 0)", "1foo2345");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM 2 FOR 2)", "1foo45");
  EXPECT_CONST(f, "OVERLAY('12345' PLACING 'foo' FROM 2 FOR 9)", "1foo");
  EXPECT_CONST(f, "TRIM(LEADING 'x' FROM 'xxxTrim frontxxx')", "Trim frontxxx");
  EXPECT_CONST(f, "TRIM(TRAILING 'x' FROM 'xxxTrimxBackxxx')", "xxxTrimxBack");
  EXPECT_CONST(f, "TRIM(BOTH 'y' FROM 'xxxNo y to trimxxx')", "xxxNo y to trimxxx");
  EXPECT_CONST(f, "TRIM('  both  ')", "both");
  EXPECT_CONST(f, "TRIM(BOTH 'é' FROM 'ééaéé')", "a");
  EXPECT_CONST(f, "REGEX_REPLACE('http://www.amazon.com', 'http://', 'https://', 1, 0)",
               "https://www.amazon.com");
  EXPECT_CONST(f, "REGEX_REPLACE('aaa', 'a', 'b', 1, 2)", "aba");
  EXPECT_CONST(f, "REGEX_REPLACE('aaa', 'a', 'b', 2, 0)", "abb");
  EXPECT_CONST(f, "REGEX_REPLACE('aaa', 'a', 'b', 9, 0)", "aaa");
  EXPECT_CONST(f, "REGEX_REPLACE('john smith', '(\\w+) (\\w+)', '$2, $1', 1, 0)", "smith, john");
  /* spec 8.22 a */
  fx_rows(f, 1);
  fx_s(f, 0, "V", "http://www.amazon.com");
  EXPECT(f, "SUBSTRING(V, 12, (POSITION('.com' IN V) - POSITION('www.' IN V) - 4))", "amazon");
}

static void test_string_function_errors(void **state) {
  FX;
  fx_rows(f, 2);
  fx_s(f, 0, "V", "abc"), fx_i(f, 0, "I", -1);
  fx_s(f, 1, "V", "abc"), fx_i(f, 1, "I", 1);
  fx_expect_error(f, "SUBSTRING(V FROM 1 FOR I)", 0, "FunctionError",
                  "negative substring length not allowed");
  assert_string_equal(fx_text(f, 1), "a");
  fx_rows(f, 2);
  fx_s(f, 0, "V", "xxaxx"), fx_s(f, 0, "V2", "xy");
  fx_s(f, 1, "V", "xxaxx"), fx_s(f, 1, "V2", "x");
  fx_expect_error(f, "TRIM(BOTH V2 FROM V)", 0, "FunctionError",
                  "trim character must be exactly one character, not 'xy'");
  assert_string_equal(fx_text(f, 1), "a");
  fx_rows(f, 1);
  fx_expect_error(f, "OVERLAY('abc' PLACING 'x' FROM 1 FOR -1)", 0, "FunctionError",
                  "negative OVERLAY length not allowed");
  fx_rows(f, 1);
  fx_expect_error(f, "REGEX_REPLACE('abc', 'b', 'x', 0, 0)", 0, "FunctionError",
                  "REGEX_REPLACE start position must be at least 1");
  fx_rows(f, 1);
  fx_expect_error(f, "REGEX_REPLACE('abc', 'b', '$9', 1, 0)", 0, "FunctionError",
                  "REGEX_REPLACE: no group 9");
  fx_expect_compile_error(
      f, "SUBSTRING(V FROM '(')", SLUICE_SEMANTIC,
      "invalid regular expression '(': missing closing parenthesis at offset 1");
}

static void test_char_to_timestamp_templates(void **state) {
  FX;
  f->ectx.statement_ms = 1770000000000; /* 2026: the pivot of two-digit years */
  /* spec 5.6 */
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', '2009-09-16 03:15:24')",
               "2009-09-16 03:15:24.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('yyyy-mm', '2011-02-08 07:23:19')", "2011-01-01 00:02:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('MMM dd, yyyy', 'March 7, 2010')", "2010-03-07 00:00:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('MMM dd,', 'March 7, 2010')", "1970-03-07 00:00:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('MMM dd,y', 'March 7, 2010')", "2010-03-07 00:00:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('MMM dd,y', 'March 7, 10')", "0010-03-07 00:00:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('M-d', '2-8')", "1970-02-08 00:00:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('M-d', '2011-2-8')", "NULL");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('MM-dd-yyyy', '06-23-2011 10:11:12')",
               "2011-06-23 00:00:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('dd-MM-yy hh:mm:ss', '23-06-11 10:11:12')",
               "2011-06-23 10:11:12.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('MM-dd-yy ss:hh:mm', '06-23-11 12:10:11')",
               "2011-06-23 10:11:12.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('yy-dd-MM ss:hh:mm', '06-23-11 12:10:11')",
               "2006-11-23 10:11:12.000");
  /* more of 5.7 */
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('yyyyMMddHHmmss', '20180509125041')",
               "2018-05-09 12:50:41.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('dd/MMM/yyyy:HH:mm:ss Z', '24/May/2004:22:01:02 -0700')",
               "2004-05-25 05:01:02.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('yyyy-MM-dd''T''HH:mm:ss.SSSX', '2018-05-09T12:50:41.337Z')",
               "2018-05-09 12:50:41.337");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('h:mm a', '1:05 PM')", "1970-01-01 13:05:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('EEE, d MMM yyyy', 'Wed, 4 Jul 2001')",
               "2001-07-04 00:00:00.000");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2004-02-30')", "NULL");
  EXPECT_CONST(f, "CHAR_TO_TIMESTAMP('yyyy-MM-dd', 'garbage')", "NULL");
  EXPECT_CONST(f, "CHAR_TO_DATE('dd.MM.yyyy', '23.08.2008')", "2008-08-23");
  EXPECT_CONST(f, "CHAR_TO_TIME('HH:mm', '13:48')", "13:48:00.000");
  fx_expect_compile_error(f, "CHAR_TO_TIMESTAMP('yyyy-qq', V)", SLUICE_SEMANTIC,
                          "invalid CHAR_TO_TIMESTAMP template 'yyyy-qq': illegal pattern "
                          "character 'q'");
  f->ectx.statement_ms = 0;
}

static void test_timestamp_to_char(void **state) {
  FX;
  const char *ts = "TIMESTAMP '2001-07-04 13:08:56.235'";
  char buf[256];
#define FMT(fmt, want)                                                                             \
  snprintf(buf, sizeof buf, "TIMESTAMP_TO_CHAR('%s', %s)", fmt, ts);                               \
  EXPECT_CONST(f, buf, want)
  FMT("yyyy-MM-dd hh:mm:ss", "2001-07-04 01:08:56"); /* hh is 12-hour (spec 5.7) */
  FMT("yyyy-MM-dd HH:mm:ss.SSS", "2001-07-04 13:08:56.235");
  /* (quotes are doubled once for SQL, once more for a quote inside the template) */
  FMT("yyyy.MM.dd G ''at'' HH:mm:ss z", "2001.07.04 AD at 13:08:56 UTC");
  FMT("EEE, MMM d, ''''yy", "Wed, Jul 4, '01");
  FMT("h:mm a", "1:08 PM");
  FMT("hh ''o''''clock'' a, zzzz", "01 o'clock PM, Coordinated Universal Time");
  FMT("K:mm a", "1:08 PM");
  FMT("yyyyy.MMMMM.dd GGG hh:mm aaa", "02001.July.04 AD 01:08 PM");
  FMT("EEE, d MMM yyyy HH:mm:ss Z", "Wed, 4 Jul 2001 13:08:56 +0000");
  FMT("yyMMddHHmmssZ", "010704130856+0000");
  FMT("yyyy-MM-dd''T''HH:mm:ss.SSSX", "2001-07-04T13:08:56.235Z");
  FMT("D w W F u E k", "185 27 1 1 3 Wed 13");
#undef FMT
  EXPECT_CONST(f, "DATE_TO_CHAR('dd/MM/yyyy', DATE '2008-08-23')", "23/08/2008");
  EXPECT_CONST(f, "TIME_TO_CHAR('HH:mm', TIME '07:05:00')", "07:05");
  EXPECT_CONST(f, "TIMESTAMP_TO_CHAR('yyyy', CAST(NULL AS TIMESTAMP))", "null"); /* spec 5.6 */
  /* a template from a column: parsed per row */
  fx_rows(f, 2);
  fx_s(f, 0, "V", "yyyy");
  fx_s(f, 1, "V", "MM/dd");
  fx_ts(f, 0, "TS", "2018-05-09 12:50:41");
  fx_ts(f, 1, "TS", "2018-05-09 12:50:41");
  fx_eval(f, "TIMESTAMP_TO_CHAR(V, TS)");
  assert_string_equal(fx_text(f, 0), "2018");
  assert_string_equal(fx_text(f, 1), "05/09");
}

static void test_not_available_yet(void **state) {
  FX;
  const char *row_fns[] = {
      "FAST_REGEX_LOG_PARSE(V, '(.*)')", "FIXED_COLUMN_LOG_PARSE(V, 'a TYPE VARCHAR(2) START 0')",
      "SYS_LOG_PARSE(V)", "W3C_LOG_PARSE(V, 'COMMON')", "VARIABLE_COLUMN_LOG_PARSE(V, 2, ',')"};
  const char *names[] = {"FAST_REGEX_LOG_PARSE", "FIXED_COLUMN_LOG_PARSE", "SYS_LOG_PARSE",
                         "W3C_LOG_PARSE", "VARIABLE_COLUMN_LOG_PARSE"};
  for (int k = 0; k < 5; k++) {
    char msg[128];
    snprintf(msg, sizeof msg, "function %s is not available yet", names[k]);
    fx_expect_compile_error(f, row_fns[k], SLUICE_UNSUPPORTED, msg);
  }
  /* every other scalar row of the registry has a kernel or is a special form */
  for (size_t i = 0; i < fn_count(); i++) {
    const fn_def *d = fn_at(i);
    if (d->kind != FN_SCALAR || (d->flags & FN_ROW_RESULT)) continue;
    bool special = strcmp(d->name, "COALESCE") == 0 || strcmp(d->name, "NULLIF") == 0 ||
                   strcmp(d->name, "MONOTONIC") == 0;
    if (!special && !fn_scalar_impl_of(d)) fail_msg("no kernel for %s", d->name);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_numeric_function_vectors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_numeric_function_errors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_datetime_buckets, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_extract_and_epoch_functions, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_clock_functions, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_string_function_vectors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_string_function_errors, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_char_to_timestamp_templates, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_timestamp_to_char, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_not_available_yet, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

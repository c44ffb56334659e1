/*
 * test_codec_input.c — the input mappings of stream/ (spec 6.2, 6.3): every
 * row of the JSON coercion table with its exact value or error message, JSON
 * paths (nested, missing, whole arrays, flattening), RecordRowPath, several
 * documents per record, malformed JSON, CSV quoting, delimiters, missing and
 * extra fields, and the batch-capacity rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stream/stream.h"

static core_type ty(core_type_id id, int p, int s) {
  return (core_type){.id = (uint8_t)id, .precision = p, .scale = s};
}
#define T(id) ty(CORE_T_##id, 0, 0)

/* The text of a cell: core_value_format (NULL, TRUE, 12.50, hex for binaries...). */
static const char *cell(const core_batch *b, int col, int row, char *buf, size_t cap) {
  core_value v;
  core_vec_get(&b->cols[col], row, &v);
  core_value_format(&v, buf, cap);
  return buf;
}

/* Decodes rec; returns "ERR <name>: <message>", or the rows as "a|b|c" joined by "; ". */
static const char *run(stream_mapping *m, core_batch *b, const char *rec, size_t len, char *out,
                       size_t cap) {
  core_error e;
  const char *name = NULL;
  int before = b->n;
  int rc = stream_decode(m, (const uint8_t *)rec, len, 1000, b, &name, &e);
  if (rc != SLUICE_OK) {
    assert_int_equal(b->n, before); /* all or nothing */
    snprintf(out, cap, "ERR %s: %s", name ? name : "?", e.message);
    return out;
  }
  size_t o = 0;
  out[0] = '\0';
  for (int r = before; r < b->n; r++) {
    assert_int_equal(b->rowtime[r], 1000);
    for (int c = 0; c < b->ncols; c++) {
      char v[512];
      if (o < cap)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", c ? "|" : (r > before ? "; " : ""),
                              cell(b, c, r, v, sizeof v));
    }
  }
  return out;
}

/* One JSON column V with path $.v of type t, record {"v": <json>}. */
static const char *json1(core_type t, const char *json) {
  static char out[1024];
  const char *names[] = {"V"}, *paths[] = {"$.v"};
  stream_mapping_config c = {STREAM_FORMAT_JSON, NULL, NULL, NULL, 1, names, &t, paths};
  stream_mapping *m;
  core_error e;
  assert_int_equal(stream_mapping_compile(&c, &m, &e), SLUICE_OK);
  core_batch *b = core_batch_new(1, &t, 8);
  char rec[512];
  snprintf(rec, sizeof rec, "{\"v\": %s}", json);
  run(m, b, rec, strlen(rec), out, sizeof out);
  core_batch_free(b);
  stream_mapping_free(m);
  return out;
}

typedef struct coerce_case {
  core_type t;
  const char *json, *want;
} coerce_case;

#define ERRC "ERR CoercionError: cannot convert "

static void check_cases(const coerce_case *cs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const char *got = json1(cs[i].t, cs[i].json);
    if (strcmp(got, cs[i].want) != 0) {
      char t[64];
      core_type_format(cs[i].t, t, sizeof t);
      fail_msg("%s from %s: got [%s], want [%s]", t, cs[i].json, got, cs[i].want);
    }
  }
}

/* Row 1 and 2 of the table: null, true/false. */
static void test_coerce_null_and_booleans(void **state) {
  (void)state;
  const coerce_case cs[] = {
      {T(BOOLEAN), "null", "NULL"},
      {T(INTEGER), "null", "NULL"},
      {ty(CORE_T_DECIMAL, 5, 2), "null", "NULL"},
      {T(DOUBLE), "null", "NULL"},
      {ty(CORE_T_VARCHAR, 4, 0), "null", "NULL"},
      {ty(CORE_T_VARBINARY, 4, 0), "null", "NULL"},
      {T(DATE), "null", "NULL"},
      {T(TIME), "null", "NULL"},
      {T(TIMESTAMP), "null", "NULL"},
      /* numeric: 1 / 0 */
      {T(TINYINT), "true", "1"},
      {T(INTEGER), "false", "0"},
      {T(BIGINT), "true", "1"},
      {ty(CORE_T_DECIMAL, 5, 2), "true", "1.00"},
      {T(DOUBLE), "true", "1"},
      {T(REAL), "false", "0"},
      /* binary: one byte, low bit set / all clear */
      {ty(CORE_T_VARBINARY, 4, 0), "true", "01"},
      {ty(CORE_T_VARBINARY, 4, 0), "false", "00"},
      {ty(CORE_T_BINARY, 2, 0), "true", "0100"},
      {T(BOOLEAN), "true", "TRUE"},
      {T(BOOLEAN), "false", "FALSE"},
      {ty(CORE_T_VARCHAR, 10, 0), "true", "true"},
      {ty(CORE_T_VARCHAR, 10, 0), "false", "false"},
      {ty(CORE_T_VARCHAR, 3, 0), "false", "fal"},
      {T(DATE), "true", ERRC "JSON boolean true to DATE (column V)"},
      {T(TIME), "false", ERRC "JSON boolean false to TIME (column V)"},
      {T(TIMESTAMP), "true", ERRC "JSON boolean true to TIMESTAMP (column V)"},
  };
  check_cases(cs, sizeof cs / sizeof *cs);
}

/* Row 3: numbers. */
static void test_coerce_numbers(void **state) {
  (void)state;
  const coerce_case cs[] = {
      {T(INTEGER), "123", "123"},
      {T(INTEGER), "-42", "-42"},
      {T(INTEGER), "123.0", "123"},
      {T(INTEGER), "1e2", "100"},
      {T(INTEGER), "1.5e1", "15"},
      {T(INTEGER), "123.4",
       ERRC "JSON number 123.4 to INTEGER: it would lose precision (column V)"},
      {T(INTEGER), "1e-1", ERRC "JSON number 1e-1 to INTEGER: it would lose precision (column V)"},
      {T(INTEGER), "2147483647", "2147483647"},
      {T(INTEGER), "-2147483648", "-2147483648"},
      {T(INTEGER), "2147483648", ERRC "JSON number 2147483648 to INTEGER: out of range (column V)"},
      {T(INTEGER), "99999999999.5",
       ERRC "JSON number 99999999999.5 to INTEGER: out of range (column V)"},
      {T(TINYINT), "127", "127"},
      {T(TINYINT), "-128", "-128"},
      {T(TINYINT), "180", ERRC "JSON number 180 to TINYINT: out of range (column V)"},
      {T(TINYINT), "-129", ERRC "JSON number -129 to TINYINT: out of range (column V)"},
      {T(SMALLINT), "32767", "32767"},
      {T(SMALLINT), "32768", ERRC "JSON number 32768 to SMALLINT: out of range (column V)"},
      {T(BIGINT), "9223372036854775807", "9223372036854775807"},
      {T(BIGINT), "-9223372036854775808", "-9223372036854775808"},
      {T(BIGINT), "9223372036854775808",
       ERRC "JSON number 9223372036854775808 to BIGINT: out of range (column V)"},
      {T(BIGINT), "1e400", ERRC "JSON number 1e400 to BIGINT: out of range (column V)"},
      {T(BIGINT), "0.000000000000000000000000000000000000000000001",
       ERRC "JSON number 0.000000000000000000000000000000000000000000001 to BIGINT: it would "
            "lose precision (column V)"},
      {T(BIGINT), "-0", "0"},
      /* DECIMAL is exact: digits beyond the scale that are not 0 are a loss of precision */
      {ty(CORE_T_DECIMAL, 5, 2), "123.45", "123.45"},
      {ty(CORE_T_DECIMAL, 5, 2), "12.500", "12.50"},
      {ty(CORE_T_DECIMAL, 5, 2), "-0.05", "-0.05"},
      {ty(CORE_T_DECIMAL, 5, 2), "7", "7.00"},
      {ty(CORE_T_DECIMAL, 5, 2), "1.005",
       ERRC "JSON number 1.005 to DECIMAL(5,2): it would lose precision (column V)"},
      {ty(CORE_T_DECIMAL, 5, 2), "1234.5",
       ERRC "JSON number 1234.5 to DECIMAL(5,2): out of range (column V)"},
      {ty(CORE_T_DECIMAL, 19, 0), "9999999999999999999", "9999999999999999999"},
      {ty(CORE_T_DECIMAL, 18, 4), "0.1", "0.1000"},
      {T(DOUBLE), "33.11", "33.11"},
      {T(DOUBLE), "-1.5e-3", "-0.0015"},
      {T(DOUBLE), "12345678901234567890", "1.2345678901234567e+19"},
      {T(DOUBLE), "1e400", ERRC "JSON number 1e400 to DOUBLE: out of range (column V)"},
      {T(REAL), "0.1", "0.1"},
      {T(REAL), "3.4e38", "3.4e+38"},
      {T(REAL), "1e39", ERRC "JSON number 1e39 to REAL: out of range (column V)"},
      {T(BOOLEAN), "0", "FALSE"},
      {T(BOOLEAN), "0.0", "FALSE"},
      {T(BOOLEAN), "-0e5", "FALSE"},
      {T(BOOLEAN), "2", "TRUE"},
      {T(BOOLEAN), "-1.5", "TRUE"},
      {ty(CORE_T_VARCHAR, 10, 0), "1.50", "1.50"},
      {ty(CORE_T_VARCHAR, 10, 0), "-1e3", "-1e3"},
      {ty(CORE_T_VARCHAR, 3, 0), "123456", "123"},
      {ty(CORE_T_VARBINARY, 4, 0), "5", ERRC "JSON number 5 to VARBINARY(4) (column V)"},
      {T(DATE), "19920214", ERRC "JSON number 19920214 to DATE (column V)"},
      {T(TIMESTAMP), "1700000000000", ERRC "JSON number 1700000000000 to TIMESTAMP (column V)"},
  };
  check_cases(cs, sizeof cs / sizeof *cs);
}

/* Row 4: strings. */
static void test_coerce_strings(void **state) {
  (void)state;
  const coerce_case cs[] = {
      {T(INTEGER), "\"42\"", "42"},
      {T(INTEGER), "\" 42 \"", "42"},
      {T(INTEGER), "\"+42\"", "42"},
      {T(INTEGER), "\"12.0\"", "12"},
      {T(INTEGER), "\"12.5\"",
       ERRC "JSON string \"12.5\" to INTEGER: it would lose precision (column V)"},
      {T(INTEGER), "\"AMZN\"", ERRC "JSON string \"AMZN\" to INTEGER (column V)"},
      {T(INTEGER), "\"4x\"", ERRC "JSON string \"4x\" to INTEGER (column V)"},
      {T(INTEGER), "\"\"", ERRC "JSON string \"\" to INTEGER (column V)"},
      {T(TINYINT), "\"180\"", ERRC "JSON string \"180\" to TINYINT: out of range (column V)"},
      {ty(CORE_T_DECIMAL, 6, 3), "\"-1.25\"", "-1.250"},
      {ty(CORE_T_DECIMAL, 6, 3), "\".5\"", "0.500"},
      {T(DOUBLE), "\"1.5\"", "1.5"},
      {T(DOUBLE), "\"NaN\"", "nan"},
      {T(DOUBLE), "\"-Infinity\"", "-inf"},
      {T(DOUBLE), "\"nan\"", ERRC "JSON string \"nan\" to DOUBLE (column V)"},
      {T(DOUBLE), "\"0x10\"", ERRC "JSON string \"0x10\" to DOUBLE (column V)"},
      {T(BOOLEAN), "\"true\"", "TRUE"},
      {T(BOOLEAN), "\"TrUe\"", "TRUE"},
      {T(BOOLEAN), "\"yes\"", "FALSE"},
      {T(BOOLEAN), "\"1\"", "FALSE"},
      {T(BOOLEAN), "\"\"", "FALSE"},
      {ty(CORE_T_VARCHAR, 4, 0), "\"ABCDE\"", "ABCD"},
      {ty(CORE_T_VARCHAR, 4, 0), "\"AB\"", "AB"},
      {ty(CORE_T_VARCHAR, 3, 0), "\"h\\u00e9llo\"", "h\xc3\xa9l"}, /* characters, not bytes */
      {ty(CORE_T_VARCHAR, 2, 0), "\"\xe2\x82\xac\xf0\x9f\x98\x80x\"",
       "\xe2\x82\xac\xf0\x9f\x98\x80"},
      {ty(CORE_T_VARCHAR, 10, 0), "\"a\\\"b\\\\c\\/d\\n\"", "a\"b\\c/d\n"},
      {ty(CORE_T_VARCHAR, 10, 0), "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"},
      {ty(CORE_T_VARCHAR, 10, 0), "\"\"", ""},
      {ty(CORE_T_CHAR, 5, 0), "\"ab\"", "ab   "},
      {ty(CORE_T_CHAR, 2, 0), "\"abc\"", "ab"},
      {ty(CORE_T_VARBINARY, 8, 0), "\"X'3F67A23A'\"", "3F67A23A"},
      {ty(CORE_T_VARBINARY, 8, 0), "\"x'0a'\"", "0A"},
      {ty(CORE_T_VARBINARY, 8, 0), "\"X''\"", ""},
      {ty(CORE_T_VARBINARY, 2, 0), "\"X'010203'\"", "0102"},
      {ty(CORE_T_BINARY, 4, 0), "\"X'01'\"", "01000000"},
      {ty(CORE_T_VARBINARY, 8, 0), "\"X'3F6'\"",
       ERRC "JSON string \"X'3F6'\" to VARBINARY(8): not a binary literal X'..' with an even "
            "number of hex digits (column V)"},
      {ty(CORE_T_VARBINARY, 8, 0), "\"3F67\"",
       ERRC "JSON string \"3F67\" to VARBINARY(8): not a binary literal X'..' with an even "
            "number of hex digits (column V)"},
      {ty(CORE_T_VARBINARY, 8, 0), "\"X'GG'\"",
       ERRC "JSON string \"X'GG'\" to VARBINARY(8): not a binary literal X'..' with an even "
            "number of hex digits (column V)"},
      {T(DATE), "\"1992-02-14\"", "1992-02-14"},
      {T(DATE), "\"1992-02-14 18:35:44.0\"", "1992-02-14"},
      {T(DATE), "\"1992-02-30\"", ERRC "JSON string \"1992-02-30\" to DATE (column V)"},
      {T(TIME), "\"18:35:44.123\"", "18:35:44.123"},
      {T(TIME), "\"1992-02-14T18:35:44.5\"", "18:35:44.500"},
      {T(TIME), "\"25:00:00\"", ERRC "JSON string \"25:00:00\" to TIME (column V)"},
      {T(TIMESTAMP), "\"1992-02-14 18:35:44.0\"", "1992-02-14 18:35:44.000"},
      {T(TIMESTAMP), "\"2018-06-13T14:11:05.766191\"", "2018-06-13 14:11:05.766"},
      {T(TIMESTAMP), "\"1992-02-14\"", "1992-02-14 00:00:00.000"},
      {T(TIMESTAMP), "\"2018-06-13T14:11:05Z\"", "2018-06-13 14:11:05.000"},
      {T(TIMESTAMP), "\"yesterday\"", ERRC "JSON string \"yesterday\" to TIMESTAMP (column V)"},
  };
  check_cases(cs, sizeof cs / sizeof *cs);
}

/* Row 5: arrays and objects. */
static void test_coerce_arrays_objects(void **state) {
  (void)state;
  const coerce_case cs[] = {
      {T(INTEGER), "[1]", ERRC "a JSON array to INTEGER (column V)"},
      {ty(CORE_T_DECIMAL, 5, 2), "{\"a\":1}", ERRC "a JSON object to DECIMAL(5,2) (column V)"},
      {ty(CORE_T_VARBINARY, 4, 0), "[]", ERRC "a JSON array to VARBINARY(4) (column V)"},
      {T(BOOLEAN), "{}", ERRC "a JSON object to BOOLEAN (column V)"},
      {T(TIMESTAMP), "[\"2020-01-01\"]", ERRC "a JSON array to TIMESTAMP (column V)"},
      {ty(CORE_T_VARCHAR, 64, 0), "[1, 2 ,\"x\"]", "[1, 2 ,\"x\"]"},
      {ty(CORE_T_VARCHAR, 64, 0), "{\"a\": {\"b\": null}}", "{\"a\": {\"b\": null}}"},
      {ty(CORE_T_VARCHAR, 4, 0), "[10, 20]", "[10,"},
  };
  check_cases(cs, sizeof cs / sizeof *cs);
}

/* ------------------------------------------------------------- paths -- */

typedef struct fixture {
  stream_mapping *m;
  core_batch *b;
  char out[4096];
} fixture;

static fixture *mk(stream_format f, const char *row_path, int n, const char *const *names,
                   const core_type *types, const char *const *paths, int cap) {
  fixture *x = calloc(1, sizeof *x);
  stream_mapping_config c = {f, row_path, NULL, NULL, n, names, types, paths};
  core_error e;
  int rc = stream_mapping_compile(&c, &x->m, &e);
  if (rc != SLUICE_OK) fail_msg("compile: %s", e.message);
  x->b = core_batch_new(n, types, cap);
  return x;
}

static const char *dec(fixture *x, const char *rec) {
  return run(x->m, x->b, rec, strlen(rec), x->out, sizeof x->out);
}

static void done(fixture *x) {
  core_batch_free(x->b);
  stream_mapping_free(x->m);
  free(x);
}

static const char *compile_error(stream_format f, const char *row_path, int n,
                                 const char *const *names, const core_type *types,
                                 const char *const *paths) {
  static core_error e;
  stream_mapping_config c = {f, row_path, NULL, NULL, n, names, types, paths};
  stream_mapping *m = NULL;
  int rc = stream_mapping_compile(&c, &m, &e);
  assert_int_equal(rc, SLUICE_INVALID);
  assert_null(m);
  return e.message;
}

static void test_paths_nested_missing_case(void **state) {
  (void)state;
  const char *names[] = {"C", "X", "UPPER", "OBJ", "DEEP"};
  const char *paths[] = {"$.a.b.c", "$.a.x.c", "$.A", "$.a.b", "$['a']['b'].c"};
  core_type types[] = {T(INTEGER), T(INTEGER), T(INTEGER), ty(CORE_T_VARCHAR, 40, 0), T(BIGINT)};
  fixture *x = mk(STREAM_FORMAT_JSON, "$", 5, names, types, paths, 16);
  assert_string_equal(dec(x, "{\"a\": {\"b\": {\"c\": 5}, \"x\": 1}}"), "5|NULL|NULL|{\"c\": 5}|5");
  /* a mapped path whose value is not an object: its children are missing */
  assert_string_equal(dec(x, "{\"a\": {\"b\": 7}}"), "NULL|NULL|NULL|7|NULL");
  /* duplicate keys: the last one wins */
  assert_string_equal(dec(x, "{\"a\":{\"b\":{\"c\":1}},\"a\":{\"b\":{\"c\":2}}}"),
                      "2|NULL|NULL|{\"c\":2}|2");
  /* keys written with escapes match */
  assert_string_equal(dec(x, "{\"\\u0061\":{\"b\\u0000\":1,\"\\u0062\":{\"c\":3}}}"),
                      "3|NULL|NULL|{\"c\":3}|3");
  done(x);
}

static void test_paths_default_and_whole_array(void **state) {
  (void)state;
  const char *names[] = {"TICKER", "ARR", "ARR2", "price"};
  const char *paths[] = {NULL, "$.arr[0:]", "$.arr", NULL};
  core_type types[] = {ty(CORE_T_VARCHAR, 4, 0), ty(CORE_T_VARCHAR, 20, 0),
                       ty(CORE_T_VARCHAR, 20, 0), T(DOUBLE)};
  fixture *x = mk(STREAM_FORMAT_JSON, NULL, 4, names, types, paths, 16);
  assert_string_equal(dec(x, "{\"TICKER\":\"AMZN\",\"arr\":[1, [2], {\"a\":3}],\"price\":1.5}"),
                      "AMZN|[1, [2], {\"a\":3}]|[1, [2], {\"a\":3}]|1.5");
  /* [0:] takes only an array; the plain path takes any value */
  assert_string_equal(dec(x, "{\"ticker\":\"AMZN\",\"arr\":\"x\",\"PRICE\":1}"),
                      "NULL|NULL|x|NULL");
  done(x);
}

static void test_paths_flatten(void **state) {
  (void)state;
  const char *names[] = {"ID", "X", "Y", "ITEMS", "Z"};
  const char *paths[] = {"$.id", "$.items[0:].x", "$.items[0:].y.v", "$.items[0:]",
                         "$.items[0:].x"};
  core_type types[] = {T(INTEGER), T(INTEGER), ty(CORE_T_VARCHAR, 8, 0), ty(CORE_T_VARCHAR, 64, 0),
                       T(DOUBLE)};
  fixture *x = mk(STREAM_FORMAT_JSON, "$", 5, names, types, paths, 16);
  assert_string_equal(
      dec(x, "{\"id\":7,\"items\":[{\"x\":1,\"y\":{\"v\":\"a\"}},{\"x\":2},{\"y\":{\"v\":\"c\"}},"
             "5]}"),
      "7|1|a|[{\"x\":1,\"y\":{\"v\":\"a\"}},{\"x\":2},{\"y\":{\"v\":\"c\"}},5]|1; "
      "7|2|NULL|[{\"x\":1,\"y\":{\"v\":\"a\"}},{\"x\":2},{\"y\":{\"v\":\"c\"}},5]|2; "
      "7|NULL|c|[{\"x\":1,\"y\":{\"v\":\"a\"}},{\"x\":2},{\"y\":{\"v\":\"c\"}},5]|NULL; "
      "7|NULL|NULL|[{\"x\":1,\"y\":{\"v\":\"a\"}},{\"x\":2},{\"y\":{\"v\":\"c\"}},5]|NULL");
  /* an empty array still yields one row, array-derived columns NULL */
  assert_string_equal(dec(x, "{\"id\":8,\"items\":[]}"), "8|NULL|NULL|[]|NULL");
  /* so does a missing array, or another value in its place */
  assert_string_equal(dec(x, "{\"id\":9}"), "9|NULL|NULL|NULL|NULL");
  assert_string_equal(dec(x, "{\"items\":{\"x\":1},\"id\":10}"), "10|NULL|NULL|NULL|NULL");
  /* many elements: the element slots grow */
  char big[8192];
  size_t o = (size_t)snprintf(big, sizeof big, "{\"id\":1,\"items\":[");
  for (int i = 0; i < 100; i++)
    o += (size_t)snprintf(big + o, sizeof big - o, "%s{\"x\":%d}", i ? "," : "", i);
  snprintf(big + o, sizeof big - o, "]}");
  core_batch_free(x->b);
  x->b = core_batch_new(5, types, 128);
  dec(x, big);
  assert_int_equal(x->b->n, 100);
  assert_int_equal(x->b->cols[1].u.i[99], 99);
  assert_int_equal(x->b->cols[0].u.i[99], 1);
  done(x);
}

static void test_paths_errors(void **state) {
  (void)state;
  const char *names[] = {"A", "B"};
  core_type types[] = {T(INTEGER), T(INTEGER)};
  const char *two[] = {"$.a[0:].x", "$.b[0:].y"};
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, NULL, 2, names, types, two),
                      "invalid JSON path \"$.b[0:].y\" for column B: column A already flattens "
                      "another array (\"$.a[0:].x\"): only one array may be flattened per schema");
  const char *nested[] = {"$.a[0:].b[0:].c", "$.b"};
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, NULL, 2, names, types, nested),
                      "invalid JSON path \"$.a[0:].b[0:].c\" for column A: only one level of "
                      "array may be flattened");
  const char *index[] = {"$.a[1]", "$.b"};
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, NULL, 2, names, types, index),
                      "invalid JSON path \"$.a[1]\" for column A: an unsupported array selector "
                      "(only [0:] is: the whole array, or one row per element when followed by a "
                      "key)");
  const char *descent[] = {"$..a", "$.b"};
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, NULL, 2, names, types, descent),
                      "invalid JSON path \"$..a\" for column A: an empty key (recursive descent "
                      "`..` is not supported)");
  const char *wild[] = {"$.a", "$.*"};
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, NULL, 2, names, types, wild),
                      "invalid JSON path \"$.*\" for column B: wildcards are not supported");
  const char *nodollar[] = {"a.b", "$.b"};
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, NULL, 2, names, types, nodollar),
                      "invalid JSON path \"a.b\" for column A: a path starts with $");
  const char *ok[] = {"$.a", "$.b"};
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, "$.a[0:].b", 2, names, types, ok),
                      "invalid RecordRowPath \"$.a[0:].b\": [0:] may only end it");
  core_type bad[] = {T(INTEGER), ty(CORE_T_INTERVAL_DT, 2, 0)};
  bad[1].start = CORE_IU_DAY;
  const char *msg = compile_error(STREAM_FORMAT_JSON, NULL, 2, names, bad, ok);
  assert_true(strncmp(msg, "column B has type INTERVAL", 26) == 0);
  assert_string_equal(compile_error(STREAM_FORMAT_JSON, NULL, 0, names, types, ok),
                      "an input schema has 1 to 1000 columns, not 0");
  /* the same array flattened by several columns, and referenced whole, is fine */
  const char *same[] = {"$.a[0:].x", "$.a[0:].y"};
  stream_mapping_config c = {STREAM_FORMAT_JSON, NULL, NULL, NULL, 2, names, types, same};
  stream_mapping *m;
  core_error e;
  assert_int_equal(stream_mapping_compile(&c, &m, &e), SLUICE_OK);
  stream_mapping_free(m);
}

static void test_row_path(void **state) {
  (void)state;
  const char *names[] = {"X", "Y", "Z"};
  const char *paths[] = {"$.data.x", "$.y", "$.data[0:].z"};
  core_type types[] = {T(INTEGER), T(INTEGER), T(INTEGER)};
  fixture *x = mk(STREAM_FORMAT_JSON, "$.data", 3, names, types, paths, 16);
  /* an array at the row path: one row per element; column paths from the root or the row */
  assert_string_equal(
      dec(x, "{\"meta\":{\"data\":1},\"data\":[{\"x\":1,\"y\":2,\"z\":3},{\"x\":4}]}"),
      "1|2|3; 4|NULL|NULL");
  /* an object at the row path: one row */
  assert_string_equal(dec(x, "{\"data\":{\"x\":5,\"y\":6}}"), "5|6|NULL");
  /* an empty array: no rows, no error */
  core_batch_reset(x->b);
  assert_string_equal(dec(x, "{\"data\":[]}"), "");
  assert_int_equal(x->b->n, 0);
  assert_string_equal(dec(x, "{\"other\":[]}\n{\"data\":{}}"),
                      "ERR ParseError: RecordRowPath $.data selects nothing in JSON document 1");
  assert_string_equal(dec(x, "{\"data\":{}} {\"data\":null}"),
                      "ERR ParseError: RecordRowPath $.data selects nothing in JSON document 2");
  done(x);

  /* "$" over a top-level array: each element is a row */
  const char *p2[] = {"$.x", "$[0:].y", "$.z"};
  x = mk(STREAM_FORMAT_JSON, "$", 3, names, types, p2, 16);
  assert_string_equal(dec(x, "[{\"x\":1,\"y\":2},{\"z\":3}]"), "1|2|NULL; NULL|NULL|3");
  done(x);
  x = mk(STREAM_FORMAT_JSON, "$.a.b[0:]", 3, names, types, p2, 16);
  assert_string_equal(dec(x, "{\"a\":{\"b\":[{\"x\":1},{\"x\":2}]}}"), "1|NULL|NULL; 2|NULL|NULL");
  done(x);
  /* with or without [0:], in the row path or in the column paths: the same rows */
  const char *p3[] = {"$.a.b.x", "$.a.b[0:].y", "$.z"};
  const char *rows = "{\"a\":{\"b\":[{\"x\":1,\"y\":2,\"z\":3}]}}";
  x = mk(STREAM_FORMAT_JSON, "$.a.b[0:]", 3, names, types, p3, 16);
  assert_string_equal(dec(x, rows), "1|2|3");
  done(x);
  x = mk(STREAM_FORMAT_JSON, "$.a.b", 3, names, types, p3, 16);
  assert_string_equal(dec(x, rows), "1|2|3");
  done(x);
}

static void test_several_documents(void **state) {
  (void)state;
  const char *names[] = {"X", "S"};
  const char *paths[] = {"$.x", "$.s"};
  core_type types[] = {T(INTEGER), ty(CORE_T_VARCHAR, 8, 0)};
  fixture *x = mk(STREAM_FORMAT_JSON, "$", 2, names, types, paths, 16);
  assert_string_equal(dec(x, "{\"x\":1}{\"x\":2}\n{\"x\":3,\"s\":\"c\"}\r\n\t {\"x\":4}\n"),
                      "1|NULL; 2|NULL; 3|c; 4|NULL");
  /* all or nothing: an error in the third document appends none of the record's rows */
  core_batch_reset(x->b);
  assert_string_equal(dec(x, "{\"x\":1} {\"x\":2} {\"x\":\"q\"}"),
                      "ERR CoercionError: cannot convert JSON string \"q\" to INTEGER (column X)");
  assert_int_equal(x->b->n, 0);
  assert_string_equal(dec(x, "{\"x\":1} {\"x\":"),
                      "ERR ParseError: truncated JSON: the record ends at byte 13 (expected a "
                      "value)");
  /* scalars need a separator; a scalar document has no fields */
  assert_string_equal(dec(x, "1 2"), "NULL|NULL; NULL|NULL");
  assert_string_equal(dec(x, "12x"),
                      "ERR ParseError: malformed JSON at byte 2: expected whitespace or the end "
                      "of the record after a JSON document, found 'x'");
  done(x);
}

typedef struct bad_case {
  const char *rec;
  size_t len; /* 0: strlen */
  const char *want;
} bad_case;

static void test_malformed_json(void **state) {
  (void)state;
  const char *names[] = {"A"};
  const char *paths[] = {"$.a"};
  core_type types[] = {ty(CORE_T_VARCHAR, 8, 0)};
  fixture *x = mk(STREAM_FORMAT_JSON, "$", 1, names, types, paths, 16);
  static const bad_case cs[] = {
      {"", 0, "the record holds no JSON document"},
      {" \n ", 0, "the record holds no JSON document"},
      {"{\"a\":1", 0,
       "truncated JSON: the record ends at byte 6 (expected ',' or '}' in an object)"},
      {"{\"a\":\"abc", 0, "truncated JSON: the record ends at byte 9 (inside a string)"},
      {"{\"a\":\"abcdefghijklmnop", 0,
       "truncated JSON: the record ends at byte 22 (inside a string)"},
      {"{\"a\":\"\\", 0, "truncated JSON: the record ends at byte 7 (inside a string)"},
      {"{\"a\":\"\xff\"}", 0, "invalid UTF-8 in a JSON string at byte 6"},
      {"{\"a\":\"abcdefgh\xc3\x28\"}", 0, "invalid UTF-8 in a JSON string at byte 14"},
      {"{\"a\":\"\xed\xa0\x80\"}", 0, "invalid UTF-8 in a JSON string at byte 6"}, /* surrogate */
      {"{\"a\":\"\xc0\xaf\"}", 0, "invalid UTF-8 in a JSON string at byte 6"},     /* overlong */
      {"{\"b\":\"\xf4\x90\x80\x80\"}", 0, "invalid UTF-8 in a JSON string at byte 6"},
      {"{\"a\":\"\\q\"}", 0, "malformed JSON at byte 6: invalid escape \\q in a string"},
      {"{\"a\":\"\\u12\"}", 0, "malformed JSON at byte 6: \\u must be followed by 4 hex digits"},
      {"{\"a\":\"\\ud800x\"}", 0,
       "malformed JSON at byte 6: unpaired surrogate \\uD800 in a string"},
      {"{\"a\":\"\\udc00\"}", 0,
       "malformed JSON at byte 6: unpaired surrogate \\uDC00 in a string"},
      {"{\"a\":\"a\nb\"}", 0,
       "malformed JSON at byte 7: control character 0x0A in a string (it must be escaped)"},
      {"{\"a\":01}", 0, "malformed JSON at byte 6: expected no digit after a leading 0, found '1'"},
      {"{\"a\":-}", 0, "malformed JSON at byte 6: expected a digit in a number, found '}'"},
      {"{\"a\":1.}", 0,
       "malformed JSON at byte 7: expected a digit after the decimal point, found '}'"},
      {"{\"a\":1e+}", 0, "malformed JSON at byte 8: expected a digit in the exponent, found '}'"},
      {"{\"a\":tru}", 0, "malformed JSON at byte 5: expected a value, found 't'"},
      {"{\"a\":nul", 0, "malformed JSON at byte 5: expected a value, found 'n'"},
      {"{a:1}", 0, "malformed JSON at byte 1: expected a string as object key, found 'a'"},
      {"{\"a\" 1}", 0, "malformed JSON at byte 5: expected ':' after an object key, found '1'"},
      {"{\"b\":[1,]}", 0, "malformed JSON at byte 8: expected a value, found ']'"},
      {"{\"b\":[1 2]}", 0, "malformed JSON at byte 8: expected ',' or ']' in an array, found '2'"},
      {"{\"a\":1,}", 0, "malformed JSON at byte 7: expected a string as object key, found '}'"},
      {"{\"a\":1}}", 0, "malformed JSON at byte 7: expected a value, found '}'"},
      {"{\"a\":1}\xff", 0, "malformed JSON at byte 7: expected a value, found byte 0xFF"},
      {"{\"a\":'x'}", 0, "malformed JSON at byte 5: expected a value, found '''"},
      {"{\"a\":1}\0", 8, "malformed JSON at byte 7: expected a value, found byte 0x00"},
  };
  for (size_t i = 0; i < sizeof cs / sizeof *cs; i++) {
    char want[512];
    snprintf(want, sizeof want, "ERR ParseError: %s", cs[i].want);
    const char *got = run(x->m, x->b, cs[i].rec, cs[i].len ? cs[i].len : strlen(cs[i].rec), x->out,
                          sizeof x->out);
    if (strcmp(got, want) != 0) fail_msg("case %zu: got [%s], want [%s]", i, got, want);
  }
  /* nesting: 1000 levels are fine, 1001 are not */
  char deep[2100];
  for (int d = 1000; d <= 1001; d++) {
    size_t o = 0;
    o += (size_t)snprintf(deep, sizeof deep, "{\"b\":");
    for (int k = 1; k < d; k++) deep[o++] = '[';
    for (int k = 1; k < d; k++) deep[o++] = ']';
    deep[o++] = '}';
    deep[o] = 0;
    core_batch_reset(x->b);
    const char *got = run(x->m, x->b, deep, o, x->out, sizeof x->out);
    if (d == 1000)
      assert_string_equal(got, "NULL");
    else
      assert_string_equal(got, "ERR ParseError: malformed JSON at byte 1004: nested deeper than "
                               "1000 levels");
  }
  done(x);
}

static void test_capacity(void **state) {
  (void)state;
  const char *names[] = {"X"};
  const char *paths[] = {"$.x"};
  core_type types[] = {T(INTEGER)};
  fixture *x = mk(STREAM_FORMAT_JSON, "$", 1, names, types, paths, 3);
  core_error e;
  const char *name;
  const char *two = "{\"x\":1} {\"x\":2}";
  assert_int_equal(stream_decode(x->m, (const uint8_t *)two, strlen(two), 5, x->b, &name, &e),
                   SLUICE_OK);
  /* one row left: a record of two rows is refused whole, the caller flushes and retries */
  assert_int_equal(stream_decode(x->m, (const uint8_t *)two, strlen(two), 5, x->b, &name, &e),
                   SLUICE_LIMIT);
  assert_int_equal(x->b->n, 2);
  core_batch_reset(x->b);
  assert_int_equal(stream_decode(x->m, (const uint8_t *)two, strlen(two), 5, x->b, &name, &e),
                   SLUICE_OK);
  /* a record with more rows than an empty batch holds is a bad record */
  core_batch_reset(x->b);
  const char *four = "[{\"x\":1},{\"x\":2},{\"x\":3},{\"x\":4}]";
  assert_int_equal(stream_decode(x->m, (const uint8_t *)four, strlen(four), 5, x->b, &name, &e),
                   SLUICE_INVALID);
  assert_string_equal(name, "TooManyRows");
  assert_string_equal(e.message, "the record yields more rows than a batch of 3 holds");
  assert_int_equal(x->b->n, 0);
  /* a batch with more columns than the mapping: the others are left alone */
  core_type wide[] = {T(INTEGER), T(DOUBLE)};
  core_batch *b = core_batch_new(2, wide, 4);
  b->cols[1].u.d[0] = 9.5;
  assert_int_equal(stream_decode(x->m, (const uint8_t *)"{\"x\":3}", 7, 5, b, &name, &e),
                   SLUICE_OK);
  assert_int_equal(b->n, 1);
  assert_true(b->cols[1].u.d[0] == 9.5);
  /* a batch of other types is a caller's bug, reported */
  core_type other[] = {T(BIGINT)};
  core_batch *b2 = core_batch_new(1, other, 4);
  assert_int_equal(stream_decode(x->m, (const uint8_t *)"{\"x\":3}", 7, 5, b2, &name, &e),
                   SLUICE_INVALID);
  core_batch_free(b);
  core_batch_free(b2);
  done(x);
}

/* --------------------------------------------------------------- CSV -- */

static fixture *csv(const char *row, const char *col, int n, const core_type *types, int cap) {
  static const char *names[] = {"C0", "C1", "C2", "C3"};
  fixture *x = calloc(1, sizeof *x);
  stream_mapping_config c = {STREAM_FORMAT_CSV, NULL, row, col, n, names, types, NULL};
  core_error e;
  int rc = stream_mapping_compile(&c, &x->m, &e);
  if (rc != SLUICE_OK) fail_msg("compile: %s", e.message);
  x->b = core_batch_new(n, types, cap);
  return x;
}

static void test_csv_basic(void **state) {
  (void)state;
  core_type t[] = {ty(CORE_T_VARCHAR, 4, 0), T(DOUBLE), T(INTEGER)};
  fixture *x = csv(NULL, NULL, 3, t, 16);
  assert_string_equal(dec(x, "AMZN,33.5,100\nTBV,1.5,7"), "AMZN|33.5|100; TBV|1.5|7");
  /* a trailing row delimiter starts no row; an empty line is a row of NULLs */
  assert_string_equal(dec(x, "A,1,2\n\nB,3,4\n"), "A|1|2; NULL|NULL|NULL; B|3|4");
  /* missing fields are NULL, extra ones ignored; VARCHAR(4) is cut */
  assert_string_equal(dec(x, "ABCDEFG\nX,2\nY,3,4,5,6"), "ABCD|NULL|NULL; X|2|NULL; Y|3|4");
  /* empty unquoted field: NULL; quoted empty: '' (and an error for a number) */
  assert_string_equal(dec(x, ",,\n\"\",,"), "NULL|NULL|NULL; |NULL|NULL");
  assert_string_equal(dec(x, "a,\"\",1"),
                      "ERR CoercionError: cannot convert CSV field \"\" to DOUBLE (column C1)");
  /* blanks around numbers are allowed */
  assert_string_equal(dec(x, "a, 2.5 ,\t3\r"), "a|2.5|3");
  /* messages stay on one line and short */
  assert_string_equal(dec(x, "x,1,a\tb\x01"),
                      "ERR CoercionError: cannot convert CSV field \"a\\tb\\x01\" to INTEGER "
                      "(column C2)");
  assert_string_equal(dec(x,
                          "x,1,0123456789012345678901234567890123456789012345678901234567\xc3\xa9"
                          "\xc3\xa9\xc3\xa9"),
                      "ERR CoercionError: cannot convert CSV field \"0123456789012345678901234567"
                      "890123456789012345678901234567\xc3\xa9...\" to INTEGER (column C2)");
  /* a header line is data: it fails on the numeric columns */
  assert_string_equal(
      dec(x, "ticker,price,volume\nA,1,2"),
      "ERR CoercionError: cannot convert CSV field \"price\" to DOUBLE (column C1)");
  done(x);
}

static void test_csv_quoting(void **state) {
  (void)state;
  core_type t[] = {ty(CORE_T_VARCHAR, 40, 0), ty(CORE_T_VARCHAR, 40, 0), T(INTEGER)};
  fixture *x = csv(NULL, NULL, 3, t, 16);
  assert_string_equal(dec(x, "\"a,b\",\"he said \"\"hi\"\"\",\"7\""), "a,b|he said \"hi\"|7");
  assert_string_equal(dec(x, "\"line1\nline2\",x\ny,\"\"\"\""), "line1\nline2|x|NULL; y|\"|NULL");
  /* a quote inside an unquoted field is an ordinary character */
  assert_string_equal(dec(x, "ab\"c,d"), "ab\"c|d|NULL");
  assert_string_equal(dec(x, "\"ab\"c,d"),
                      "ERR ParseError: malformed CSV at byte 4: a closing quote must be followed "
                      "by a delimiter");
  assert_string_equal(dec(x, "a,\"open"),
                      "ERR ParseError: malformed CSV: the quoted field at byte 2 has no closing "
                      "quote");
  assert_string_equal(dec(x, ""), "ERR ParseError: the CSV record is empty");
  assert_string_equal(dec(x, "ok,caf\xc3\xa9\nbad,\xe9t\xe9"),
                      "ERR ParseError: invalid UTF-8 in the CSV record at byte 13");
  done(x);
}

static void test_csv_delimiters(void **state) {
  (void)state;
  core_type t[] = {ty(CORE_T_VARCHAR, 8, 0), T(INTEGER)};
  fixture *x = csv("\r\n", "||", 2, t, 16);
  assert_string_equal(dec(x, "a||1\r\nb|c||2\r\n\"x||\r\n\"||3\r\n"), "a|1; b|c|2; x||\r\n|3");
  done(x);
  x = csv("\n", "\t", 2, t, 16);
  assert_string_equal(dec(x, "a b\t1\nc,d\t2"), "a b|1; c,d|2");
  done(x);
  /* overlapping delimiters: the longer one wins */
  x = csv(";;", ";", 2, t, 16);
  assert_string_equal(dec(x, "a;1;;b;2"), "a|1; b|2");
  done(x);
  const char *names[] = {"A", "B"};
  stream_mapping_config c = {STREAM_FORMAT_CSV, NULL, ",", ",", 2, names, t, NULL};
  stream_mapping *m;
  core_error e;
  assert_int_equal(stream_mapping_compile(&c, &m, &e), SLUICE_INVALID);
  assert_string_equal(e.message, "the CSV row and column delimiters must differ (both are \",\")");
  c.row_delim = "";
  assert_int_equal(stream_mapping_compile(&c, &m, &e), SLUICE_INVALID);
  assert_string_equal(e.message, "a CSV row delimiter must not be empty");
  c.row_delim = "\"";
  assert_int_equal(stream_mapping_compile(&c, &m, &e), SLUICE_INVALID);
  assert_string_equal(e.message, "a CSV delimiter must not contain '\"', which quotes fields");
}

static void test_csv_types(void **state) {
  (void)state;
  core_type t[] = {T(TIMESTAMP), T(BOOLEAN), ty(CORE_T_DECIMAL, 8, 2), ty(CORE_T_VARBINARY, 4, 0)};
  fixture *x = csv(NULL, NULL, 4, t, 16);
  assert_string_equal(dec(x, "2018-06-13T14:11:05.766191,TRUE,12.5,X'0aff'"),
                      "2018-06-13 14:11:05.766|TRUE|12.50|0AFF");
  assert_string_equal(dec(x, "\"2018-06-13 14:11:05\",no,-0.01,"),
                      "2018-06-13 14:11:05.000|FALSE|-0.01|NULL");
  assert_string_equal(dec(x, "2018-06-13,x,1.234"),
                      "ERR CoercionError: cannot convert CSV field \"1.234\" to DECIMAL(8,2): it "
                      "would lose precision (column C2)");
  done(x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_coerce_null_and_booleans),
      cmocka_unit_test(test_coerce_numbers),
      cmocka_unit_test(test_coerce_strings),
      cmocka_unit_test(test_coerce_arrays_objects),
      cmocka_unit_test(test_paths_nested_missing_case),
      cmocka_unit_test(test_paths_default_and_whole_array),
      cmocka_unit_test(test_paths_flatten),
      cmocka_unit_test(test_paths_errors),
      cmocka_unit_test(test_row_path),
      cmocka_unit_test(test_several_documents),
      cmocka_unit_test(test_malformed_json),
      cmocka_unit_test(test_capacity),
      cmocka_unit_test(test_csv_basic),
      cmocka_unit_test(test_csv_quoting),
      cmocka_unit_test(test_csv_delimiters),
      cmocka_unit_test(test_csv_types),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

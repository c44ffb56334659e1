/*
 * test_codec_rows.c — the internal row codec (exact bytes, a round trip of
 * every type with NULLs, empty strings and a 100 KB string, corrupt records),
 * the JSON and CSV rendering of rows (exact bytes), the hex of error_stream,
 * and a randomized round trip (seed printed): rows through the row codec,
 * and rows rendered as JSON and CSV then decoded again by the input mapping.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "stream/stream.h"

static core_type ty(core_type_id id, int p, int s) {
  return (core_type){.id = (uint8_t)id, .precision = p, .scale = s};
}
#define T(id) ty(CORE_T_##id, 0, 0)

static void set_str(core_batch *b, int c, int r, const char *s, size_t n) {
  core_value v = {.type = b->cols[c].type};
  v.u.s.p = s;
  v.u.s.n = (uint32_t)n;
  assert_int_equal(core_vec_set(b, c, r, &v), SLUICE_OK);
}

/* Two cells are the same value: NULL-ness, and the bits of the value. */
static bool same_cell(const core_batch *a, int ra, const core_batch *b, int rb, int c) {
  const core_vec *x = &a->cols[c], *y = &b->cols[c];
  if (x->null[ra] != y->null[rb]) return false;
  if (x->null[ra]) return true;
  switch (core_type_repr(x->type.id)) {
    case 'd':
      return memcmp(&x->u.d[ra], &y->u.d[rb], sizeof(double)) == 0 ||
             (isnan(x->u.d[ra]) && isnan(y->u.d[rb]));
    case 'x':
      return x->u.dec[ra] == y->u.dec[rb];
    case 's':
      return x->u.s[ra].n == y->u.s[rb].n && memcmp(x->u.s[ra].p, y->u.s[rb].p, x->u.s[ra].n) == 0;
    default:
      return x->u.i[ra] == y->u.i[rb];
  }
}

static void assert_same_row(const core_batch *a, int ra, const core_batch *b, int rb,
                            const char *what) {
  for (int c = 0; c < a->ncols; c++) {
    if (same_cell(a, ra, b, rb, c)) continue;
    char x[256], y[256];
    core_value v;
    core_vec_get(&a->cols[c], ra, &v);
    core_value_format(&v, x, sizeof x);
    core_vec_get(&b->cols[c], rb, &v);
    core_value_format(&v, y, sizeof y);
    fail_msg("%s: row %d column %d differs: [%s] vs [%s]", what, ra, c, x, y);
  }
}

/* ------------------------------------------------------------ row codec -- */

static void test_row_codec_exact_bytes(void **state) {
  (void)state;
  core_type t[] = {T(INTEGER), ty(CORE_T_VARCHAR, 10, 0), T(BOOLEAN), T(SMALLINT)};
  core_batch *b = core_batch_new(4, t, 4);
  b->n = 1;
  b->rowtime[0] = 0x0102030405060708LL;
  b->cols[0].u.i[0] = -2;
  set_str(b, 1, 0, "ab", 2);
  b->cols[2].null[0] = 1;
  b->cols[3].u.i[0] = 0x1234;
  stream_buf out = {0};
  assert_int_equal(stream_row_encode(b, 0, &out), SLUICE_OK);
  static const uint8_t want[] = {1,    4,    0,    8,    7,    6, 5,   4,   3,    2,   1,
                                 0x04, 0xFE, 0xFF, 0xFF, 0xFF, 2, 'a', 'b', 0x34, 0x12};
  assert_int_equal(out.len, sizeof want);
  assert_memory_equal(out.data, want, sizeof want);
  stream_buf_free(&out);
  core_batch_free(b);
}

enum {
  C_BOOL,
  C_TINY,
  C_SMALL,
  C_INT,
  C_BIG,
  C_DEC,
  C_DEC19,
  C_REAL,
  C_DOUBLE,
  C_CHAR,
  C_VARCHAR,
  C_BIGTEXT,
  C_BIN,
  C_VARBIN,
  C_DATE,
  C_TIME,
  C_TS,
  C_IYM,
  C_IDT,
  C_N
};

static void all_types(core_type *t) {
  t[C_BOOL] = T(BOOLEAN);
  t[C_TINY] = T(TINYINT);
  t[C_SMALL] = T(SMALLINT);
  t[C_INT] = T(INTEGER);
  t[C_BIG] = T(BIGINT);
  t[C_DEC] = ty(CORE_T_DECIMAL, 10, 2);
  t[C_DEC19] = ty(CORE_T_DECIMAL, 19, 4);
  t[C_REAL] = T(REAL);
  t[C_DOUBLE] = T(DOUBLE);
  t[C_CHAR] = ty(CORE_T_CHAR, 3, 0);
  t[C_VARCHAR] = ty(CORE_T_VARCHAR, 20, 0);
  t[C_BIGTEXT] = ty(CORE_T_VARCHAR, 65535, 0);
  t[C_BIN] = ty(CORE_T_BINARY, 2, 0);
  t[C_VARBIN] = ty(CORE_T_VARBINARY, 8, 0);
  t[C_DATE] = T(DATE);
  t[C_TIME] = T(TIME);
  t[C_TS] = T(TIMESTAMP);
  t[C_IYM] = T(INTERVAL_YM);
  t[C_IDT] = T(INTERVAL_DT);
}

static void test_row_codec_round_trip(void **state) {
  (void)state;
  core_type t[C_N];
  all_types(t);
  core_batch *b = core_batch_new(C_N, t, 8);
  /* 100 KB of two-byte characters: 51,200 characters */
  size_t big_n = 102400;
  char *big = malloc(big_n);
  for (size_t i = 0; i < big_n; i += 2) big[i] = (char)0xC3, big[i + 1] = (char)0xA9;
  /* row 0: ordinary values */
  b->rowtime[0] = 1700000000123;
  b->cols[C_BOOL].u.i[0] = 1;
  b->cols[C_TINY].u.i[0] = -7;
  b->cols[C_SMALL].u.i[0] = 300;
  b->cols[C_INT].u.i[0] = 70000;
  b->cols[C_BIG].u.i[0] = 1LL << 40;
  b->cols[C_DEC].u.dec[0] = 1250;
  b->cols[C_DEC19].u.dec[0] = (core_i128)9999999999999999999ULL;
  b->cols[C_REAL].u.d[0] = (double)0.1f;
  b->cols[C_DOUBLE].u.d[0] = 33.11;
  set_str(b, C_CHAR, 0, "ab ", 3);
  set_str(b, C_VARCHAR, 0, "h\xc3\xa9llo", 6);
  set_str(b, C_BIGTEXT, 0, big, big_n);
  set_str(b, C_BIN, 0, "\x01\x00", 2);
  set_str(b, C_VARBIN, 0, "\xff", 1);
  b->cols[C_DATE].u.i[0] = 8080;
  b->cols[C_TIME].u.i[0] = 86399999;
  b->cols[C_TS].u.i[0] = -1;
  b->cols[C_IYM].u.i[0] = -14;
  b->cols[C_IDT].u.i[0] = 90061001;
  /* row 1: all NULL */
  b->rowtime[1] = 0;
  for (int c = 0; c < C_N; c++) b->cols[c].null[1] = 1;
  /* row 2: extremes, empty strings */
  b->rowtime[2] = INT64_MIN;
  b->cols[C_BOOL].u.i[2] = 0;
  b->cols[C_TINY].u.i[2] = -128;
  b->cols[C_SMALL].u.i[2] = -32768;
  b->cols[C_INT].u.i[2] = INT32_MIN;
  b->cols[C_BIG].u.i[2] = INT64_MIN;
  b->cols[C_DEC].u.dec[2] = -99999999;
  b->cols[C_DEC19].u.dec[2] = -(core_i128)9999999999999999999ULL;
  b->cols[C_REAL].u.d[2] = -INFINITY;
  b->cols[C_DOUBLE].u.d[2] = -0.0;
  set_str(b, C_CHAR, 2, "", 0);
  set_str(b, C_VARCHAR, 2, "", 0);
  set_str(b, C_BIGTEXT, 2, "x", 1);
  set_str(b, C_BIN, 2, "", 0);
  set_str(b, C_VARBIN, 2, "", 0);
  b->cols[C_DATE].u.i[2] = -719528; /* 0000-01-01 */
  b->cols[C_TIME].u.i[2] = 0;
  b->cols[C_TS].u.i[2] = INT64_MAX;
  b->cols[C_IYM].u.i[2] = INT64_MIN;
  b->cols[C_IDT].u.i[2] = INT64_MAX;
  b->n = 3;

  stream_buf buf = {0};
  size_t ends[3];
  for (int r = 0; r < 3; r++) {
    assert_int_equal(stream_row_encode(b, r, &buf), SLUICE_OK);
    ends[r] = buf.len;
  }
  /* compact: the all-NULL row is the header and the bitmap */
  assert_int_equal(ends[1] - ends[0], 11 + 3);
  core_batch *d = core_batch_new(C_N, t, 8);
  core_error e;
  for (int r = 0; r < 3; r++) {
    size_t from = r ? ends[r - 1] : 0;
    assert_int_equal(stream_row_decode(buf.data + from, ends[r] - from, d, &e), SLUICE_OK);
    assert_int_equal(d->rowtime[r], b->rowtime[r]);
    assert_same_row(b, r, d, r, "row codec");
  }
  assert_true(signbit(d->cols[C_DOUBLE].u.d[2]));
  /* the decoded strings live in the batch heap, not in the record */
  memset(buf.data, 0, buf.len);
  assert_int_equal(d->cols[C_BIGTEXT].u.s[0].n, big_n);
  assert_memory_equal(d->cols[C_BIGTEXT].u.s[0].p, big, big_n);
  stream_buf_free(&buf);
  core_batch_free(d);
  core_batch_free(b);
  free(big);
}

static void test_row_codec_corrupt(void **state) {
  (void)state;
  core_type t[] = {T(INTEGER), ty(CORE_T_VARCHAR, 10, 0), T(BOOLEAN), T(TIME)};
  core_batch *b = core_batch_new(4, t, 2);
  b->n = 1;
  b->rowtime[0] = 5;
  b->cols[0].u.i[0] = 1;
  set_str(b, 1, 0, "abc", 3);
  b->cols[2].u.i[0] = 1;
  b->cols[3].u.i[0] = 1000;
  stream_buf buf = {0};
  assert_int_equal(stream_row_encode(b, 0, &buf), SLUICE_OK);
  assert_int_equal(buf.len, 11 + 1 + 4 + 1 + 3 + 1 + 4);
  core_batch *d = core_batch_new(4, t, 2);
  core_error e;
  uint8_t rec[64];
  struct {
    size_t at; /* byte to change, or SIZE_MAX */
    uint8_t to;
    size_t len; /* length to decode */
    const char *why;
  } cs[] = {
      {0, 2, buf.len, "bad header"},
      {1, 5, buf.len, "another column count"},
      {SIZE_MAX, 0, buf.len - 1, "the record is too short"},
      {SIZE_MAX, 0, buf.len + 1, "bytes left over"},
      {16, 9, buf.len, "a string runs past the record"},
      {16, 0x80, 17, "bad string length"},
      {20, 2, buf.len, "a BOOLEAN byte other than 0 or 1"},
      {24, 0x10, buf.len, "a TIME outside the day"},
      {11, 0xF0, buf.len, "null bits beyond the last column"},
      {SIZE_MAX, 0, 5, "bad header"},
  };
  for (size_t i = 0; i < sizeof cs / sizeof *cs; i++) {
    memcpy(rec, buf.data, buf.len);
    rec[buf.len] = 0;
    if (cs[i].at != SIZE_MAX) rec[cs[i].at] = cs[i].to;
    assert_int_equal(stream_row_decode(rec, cs[i].len, d, &e), SLUICE_CORRUPT);
    char want[128];
    snprintf(want, sizeof want, "stored row does not match the stream's columns: %s", cs[i].why);
    if (strcmp(e.message, want) != 0) fail_msg("case %zu: %s", i, e.message);
    assert_int_equal(d->n, 0);
  }
  /* a batch of other columns */
  core_type t3[] = {T(INTEGER), ty(CORE_T_VARCHAR, 10, 0), T(BOOLEAN)};
  core_batch *d3 = core_batch_new(3, t3, 2);
  assert_int_equal(stream_row_decode(buf.data, buf.len, d3, &e), SLUICE_CORRUPT);
  /* full */
  assert_int_equal(stream_row_decode(buf.data, buf.len, d, &e), SLUICE_OK);
  assert_int_equal(stream_row_decode(buf.data, buf.len, d, &e), SLUICE_OK);
  assert_int_equal(stream_row_decode(buf.data, buf.len, d, &e), SLUICE_LIMIT);
  assert_int_equal(d->n, 2);
  stream_buf_free(&buf);
  core_batch_free(b);
  core_batch_free(d);
  core_batch_free(d3);
}

/* ------------------------------------------------------------ rendering -- */

static char *render(const core_batch *b, int row, const char *const *names, bool json) {
  static char text[4096];
  stream_buf buf = {0};
  int rc = json ? stream_row_json(b, row, names, &buf) : stream_row_csv(b, row, &buf);
  assert_int_equal(rc, SLUICE_OK);
  assert_true(buf.len < sizeof text);
  memcpy(text, buf.data, buf.len);
  text[buf.len] = '\0';
  stream_buf_free(&buf);
  return text;
}

static void test_render_exact(void **state) {
  (void)state;
  core_type t[C_N];
  all_types(t);
  t[C_BIGTEXT] = ty(CORE_T_VARCHAR, 10, 0);
  const char *names[C_N] = {"ID",     "tiny", "S",   "I",  "BIG", "P",  "P19", "R",  "D", "CH",
                            "te\"xt", "ctl",  "BIN", "VB", "DT",  "TM", "TS",  "YM", "DS"};
  core_batch *b = core_batch_new(C_N, t, 4);
  b->n = 2;
  b->cols[C_BOOL].u.i[0] = 1;
  b->cols[C_TINY].u.i[0] = -7;
  b->cols[C_SMALL].u.i[0] = 300;
  b->cols[C_INT].u.i[0] = 70000;
  b->cols[C_BIG].u.i[0] = INT64_MIN;
  b->cols[C_DEC].u.dec[0] = -5;
  b->cols[C_DEC19].u.dec[0] = 123456789;
  b->cols[C_REAL].u.d[0] = (double)33.11f;
  b->cols[C_DOUBLE].u.d[0] = 1e20;
  set_str(b, C_CHAR, 0, "ab ", 3);
  set_str(b, C_VARCHAR, 0, "a,\"b\"\\", 6);
  set_str(b, C_BIGTEXT, 0, "\n\t\x01\xc3\xa9\xff", 6);
  set_str(b, C_BIN, 0, "\x01\x02", 2);
  set_str(b, C_VARBIN, 0, "", 0);
  b->cols[C_DATE].u.i[0] = 19724; /* 2024-01-02 */
  b->cols[C_TIME].u.i[0] = 11045006;
  b->cols[C_TS].u.i[0] = 1704164645006;
  b->cols[C_IYM].u.i[0] = -14;
  b->cols[C_IDT].u.i[0] = 90061001;
  for (int c = 0; c < C_N; c++) b->cols[c].null[1] = 1;
  b->cols[C_DOUBLE].null[1] = 0;
  b->cols[C_DOUBLE].u.d[1] = NAN;
  b->cols[C_REAL].null[1] = 0;
  b->cols[C_REAL].u.d[1] = -INFINITY;
  b->cols[C_VARCHAR].null[1] = 0;
  set_str(b, C_VARCHAR, 1, "", 0);
  assert_string_equal(
      render(b, 0, names, true),
      "{\"ID\":true,\"tiny\":-7,\"S\":300,\"I\":70000,\"BIG\":-9223372036854775808,"
      "\"P\":-0.05,\"P19\":12345.6789,\"R\":33.11,\"D\":1e+20,\"CH\":\"ab \","
      "\"te\\\"xt\":\"a,\\\"b\\\"\\\\\",\"ctl\":\"\\n\\t\\u0001\xc3\xa9\xef\xbf\xbd\","
      "\"BIN\":\"AQI=\",\"VB\":\"\",\"DT\":\"2024-01-02\",\"TM\":\"03:04:05.006\","
      "\"TS\":\"2024-01-02 03:04:05.006\",\"YM\":-14,\"DS\":90061001}");
  assert_string_equal(
      render(b, 1, names, true),
      "{\"ID\":null,\"tiny\":null,\"S\":null,\"I\":null,\"BIG\":null,\"P\":null,"
      "\"P19\":null,\"R\":\"-Infinity\",\"D\":\"NaN\",\"CH\":null,\"te\\\"xt\":\"\","
      "\"ctl\":null,\"BIN\":null,\"VB\":null,\"DT\":null,\"TM\":null,\"TS\":null,"
      "\"YM\":null,\"DS\":null}");
  assert_string_equal(
      render(b, 0, names, false),
      "true,-7,300,70000,-9223372036854775808,-0.05,12345.6789,33.11,1e+20,ab ,"
      "\"a,\"\"b\"\"\\\",\"\n\t\x01\xc3\xa9\xff\",AQI=,\"\",2024-01-02,03:04:05.006,"
      "2024-01-02 03:04:05.006,-14,90061001\n");
  assert_string_equal(render(b, 1, names, false), ",,,,,,,-Infinity,NaN,,\"\",,,,,,,,\n");
  core_batch_free(b);
}

static void test_render_floats(void **state) {
  (void)state;
  core_type t[] = {T(DOUBLE), T(REAL)};
  const char *names[] = {"D", "R"};
  core_batch *b = core_batch_new(2, t, 1);
  b->n = 1;
  struct {
    double d;
    float r;
    const char *want;
  } cs[] = {
      {0.1, 0.1f, "{\"D\":0.1,\"R\":0.1}"},
      {1.0 / 3, 1.0f / 3, "{\"D\":0.3333333333333333,\"R\":0.33333334}"},
      {100, 16777216.0f, "{\"D\":100,\"R\":16777216}"},
      {5e-324, 1e-45f, "{\"D\":5e-324,\"R\":1e-45}"},
      {1.7976931348623157e308, 3.4028235e38f,
       "{\"D\":1.7976931348623157e+308,\"R\":3.4028235e+38}"},
      {-0.0, -0.0f, "{\"D\":-0,\"R\":-0}"},
      {123456789012345680.0, 0.3f, "{\"D\":1.2345678901234568e+17,\"R\":0.3}"},
  };
  for (size_t i = 0; i < sizeof cs / sizeof *cs; i++) {
    b->cols[0].u.d[0] = cs[i].d;
    b->cols[1].u.d[0] = cs[i].r;
    assert_string_equal(render(b, 0, names, true), cs[i].want);
  }
  core_batch_free(b);
}

static void test_hex(void **state) {
  (void)state;
  char out[16];
  assert_int_equal(stream_hex_encode("\x01\xab\xff", 3, out, sizeof out), 6);
  assert_memory_equal(out, "01ABFF", 6);
  /* cut to whole bytes that fit */
  assert_int_equal(stream_hex_encode("\x01\xab\xff", 3, out, 5), 4);
  assert_memory_equal(out, "01AB", 4);
  char *big = malloc(STREAM_DATA_ROW_MAX);
  uint8_t data[30000] = {0};
  assert_int_equal(stream_hex_encode(data, sizeof data, big, STREAM_DATA_ROW_MAX),
                   STREAM_DATA_ROW_MAX);
  free(big);
}

/* ------------------------------------------------------------ random -- */

static uint64_t rng_state;
static uint64_t rnd(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}

/* Random UTF-8 text of at most max characters, with characters that need escaping or quoting. */
static size_t rnd_text(char *out, int max) {
  static const char *const pieces[] = {"a",
                                       "Z",
                                       "0",
                                       " ",
                                       ",",
                                       "\"",
                                       "\\",
                                       "\n",
                                       "\r",
                                       "\t",
                                       "\x01",
                                       "/",
                                       "\xc3\xa9",
                                       "\xe2\x82\xac",
                                       "\xf0\x9f\x98\x80",
                                       "{",
                                       "[",
                                       "'"};
  int chars = (int)(rnd() % (uint64_t)(max + 1));
  size_t n = 0;
  for (int k = 0; k < chars; k++) {
    const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
    size_t l = strlen(p);
    memcpy(out + n, p, l);
    n += l;
  }
  return n;
}

static void rnd_row(core_batch *b, int r) {
  b->rowtime[r] = (int64_t)(rnd() >> 1) - (int64_t)(rnd() >> 2);
  for (int c = 0; c < b->ncols; c++) {
    core_vec *v = &b->cols[c];
    v->null[r] = rnd() % 5 == 0;
    if (v->null[r]) {
      if (core_type_repr(v->type.id) == 's') v->u.s[r] = (core_str){"", 0};
      continue;
    }
    int64_t x = (int64_t)rnd();
    char text[2048];
    switch (v->type.id) {
      case CORE_T_BOOLEAN:
        v->u.i[r] = x & 1;
        break;
      case CORE_T_TINYINT:
        v->u.i[r] = (int8_t)x;
        break;
      case CORE_T_SMALLINT:
        v->u.i[r] = (int16_t)x;
        break;
      case CORE_T_INTEGER:
        v->u.i[r] = (int32_t)x;
        break;
      case CORE_T_BIGINT:
        v->u.i[r] = x;
        break;
      case CORE_T_DECIMAL: /* within DECIMAL(p,s) */
        v->u.dec[r] = (core_i128)(x % 1000000000000000000LL);
        if (v->type.precision > 18) v->u.dec[r] = v->u.dec[r] * 10 + (x & 7);
        break;
      case CORE_T_REAL: {
        uint32_t bits = (uint32_t)x;
        float f;
        memcpy(&f, &bits, 4);
        v->u.d[r] = rnd() % 4 ? f : (float)(x % 100000) / 100;
        break;
      }
      case CORE_T_DOUBLE: {
        double d;
        memcpy(&d, &x, 8);
        v->u.d[r] = rnd() % 4 ? d : (double)(x % 100000) / 1000;
        break;
      }
      case CORE_T_CHAR: { /* stored padded, as the mapping pads */
        size_t n = rnd_text(text, v->type.precision);
        size_t chars = core_utf8_length(text, n);
        memset(text + n, ' ', (size_t)v->type.precision - chars);
        set_str(b, c, r, text, n + (size_t)v->type.precision - chars);
        break;
      }
      case CORE_T_VARCHAR:
        set_str(b, c, r, text, rnd_text(text, v->type.precision));
        break;
      case CORE_T_BINARY:
      case CORE_T_VARBINARY: {
        size_t n = v->type.id == CORE_T_BINARY ? (size_t)v->type.precision
                                               : rnd() % ((uint64_t)v->type.precision + 1);
        for (size_t k = 0; k < n; k++) text[k] = (char)rnd();
        set_str(b, c, r, text, n);
        break;
      }
      case CORE_T_DATE: /* years 1000..9999: the 4-digit text form */
        v->u.i[r] = -354285 + (int64_t)(rnd() % 3287182);
        break;
      case CORE_T_TIME:
        v->u.i[r] = (int64_t)(rnd() % 86400000);
        break;
      case CORE_T_TIMESTAMP:
        v->u.i[r] = (-354285 + (int64_t)(rnd() % 3287182)) * 86400000 + (int64_t)(rnd() % 86400000);
        break;
      default:
        v->u.i[r] = x;
    }
  }
}

/* The types that JSON and CSV render and the input mapping reads back unchanged. */
static const core_type *text_types(int *n) {
  static core_type t[13];
  t[0] = T(BOOLEAN);
  t[1] = T(TINYINT);
  t[2] = T(SMALLINT);
  t[3] = T(INTEGER);
  t[4] = T(BIGINT);
  t[5] = ty(CORE_T_DECIMAL, 19, 5);
  t[6] = T(REAL);
  t[7] = T(DOUBLE);
  t[8] = ty(CORE_T_CHAR, 4, 0);
  t[9] = ty(CORE_T_VARCHAR, 12, 0);
  t[10] = T(DATE);
  t[11] = T(TIME);
  t[12] = T(TIMESTAMP);
  *n = 13;
  return t;
}

static void round_trip_text(core_batch *src, stream_format f, const char *const *names) {
  int n = src->ncols;
  core_type types[16];
  for (int c = 0; c < n; c++) types[c] = src->cols[c].type;
  stream_mapping_config cfg = {f, NULL, NULL, NULL, n, names, types, NULL};
  stream_mapping *m;
  core_error e;
  assert_int_equal(stream_mapping_compile(&cfg, &m, &e), SLUICE_OK);
  core_batch *d = core_batch_new(n, types, src->cap);
  stream_buf buf = {0};
  for (int r = 0; r < src->n; r++) {
    buf.len = 0;
    int rc = f == STREAM_FORMAT_JSON ? stream_row_json(src, r, names, &buf)
                                     : stream_row_csv(src, r, &buf);
    assert_int_equal(rc, SLUICE_OK);
    const char *ename;
    rc = stream_decode(m, buf.data, buf.len, 7, d, &ename, &e);
    if (rc != SLUICE_OK)
      fail_msg("%s row %d: %s: %s [%.*s]", f == STREAM_FORMAT_JSON ? "JSON" : "CSV", r, ename,
               e.message, (int)buf.len, buf.data);
    assert_int_equal(d->n, r + 1);
    assert_same_row(src, r, d, r, f == STREAM_FORMAT_JSON ? "JSON round trip" : "CSV round trip");
  }
  stream_buf_free(&buf);
  core_batch_free(d);
  stream_mapping_free(m);
}

static void test_random_round_trip(void **state) {
  (void)state;
  const char *env = getenv("SLUICE_SEED");
  uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
  printf("test_random_round_trip: seed %llu (set SLUICE_SEED to repeat)\n",
         (unsigned long long)seed);
  rng_state = seed * 2 + 1;
  /* the row codec: every type */
  core_type t[C_N];
  all_types(t);
  t[C_BIGTEXT] = ty(CORE_T_VARCHAR, 300, 0);
  core_batch *b = core_batch_new(C_N, t, 256), *d = core_batch_new(C_N, t, 256);
  stream_buf buf = {0};
  core_error e;
  for (int round = 0; round < 4; round++) {
    core_batch_reset(b);
    core_batch_reset(d);
    for (int r = 0; r < 256; r++) rnd_row(b, r);
    b->n = 256;
    for (int r = 0; r < b->n; r++) {
      buf.len = 0;
      assert_int_equal(stream_row_encode(b, r, &buf), SLUICE_OK);
      assert_int_equal(stream_row_decode(buf.data, buf.len, d, &e), SLUICE_OK);
      assert_int_equal(d->rowtime[r], b->rowtime[r]);
      assert_same_row(b, r, d, r, "row codec");
    }
  }
  stream_buf_free(&buf);
  core_batch_free(b);
  core_batch_free(d);
  /* rendered as JSON and CSV, then read by the input mapping */
  int n;
  const core_type *tt = text_types(&n);
  const char *names[] = {"b", "t\"i", "SMALL", "I",  "BIG", "DEC", "R",
                         "D", "CH",   "V",     "DT", "TM",  "TS"};
  core_batch *s = core_batch_new(n, tt, 512);
  for (int r = 0; r < 512; r++) rnd_row(s, r);
  s->n = 512;
  round_trip_text(s, STREAM_FORMAT_JSON, names);
  round_trip_text(s, STREAM_FORMAT_CSV, names);
  core_batch_free(s);
}

/* The schema attribute of in-application streams: exact bytes, round trip, corruption. */
static void test_schema_attribute(void **state) {
  (void)state;
  const char *names[2] = {"ticker", "P"};
  core_type types[2] = {{.id = CORE_T_VARCHAR, .precision = 4},
                        {.id = CORE_T_DECIMAL, .not_null = 1, .precision = 10, .scale = 2}};
  stream_buf b = {0};
  assert_int_equal(stream_schema_encode(2, names, types, &b), SLUICE_OK);
  static const uint8_t want[] = {2,
                                 0, /* columns */
                                 CORE_T_VARCHAR,
                                 0,
                                 0,
                                 0,
                                 4,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 6,
                                 0,
                                 't',
                                 'i',
                                 'c',
                                 'k',
                                 'e',
                                 'r', /* column 1 */
                                 CORE_T_DECIMAL,
                                 1,
                                 0,
                                 0,
                                 10,
                                 0,
                                 0,
                                 0,
                                 2,
                                 0,
                                 0,
                                 0,
                                 1,
                                 0,
                                 'P'};
  assert_int_equal(b.len, sizeof want);
  assert_memory_equal(b.data, want, sizeof want);
  core_arena *a = core_arena_new(0);
  int n;
  const char **nm;
  core_type *ty;
  core_error e;
  core_error_clear(&e);
  assert_int_equal(stream_schema_decode(b.data, b.len, a, &n, &nm, &ty, &e), SLUICE_OK);
  assert_int_equal(n, 2);
  assert_string_equal(nm[0], "ticker");
  assert_string_equal(nm[1], "P");
  assert_memory_equal(&ty[1], &types[1], sizeof ty[1]);
  assert_int_equal(stream_schema_decode(b.data, b.len - 1, a, &n, &nm, &ty, &e), SLUICE_CORRUPT);
  assert_string_equal(e.message, "stream schema is malformed");
  assert_int_equal(stream_schema_decode(b.data, 1, a, &n, &nm, &ty, &e), SLUICE_CORRUPT);
  assert_string_equal(e.message, "stream schema is truncated");
  stream_buf_free(&b);
  core_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_row_codec_exact_bytes), cmocka_unit_test(test_row_codec_round_trip),
      cmocka_unit_test(test_row_codec_corrupt),     cmocka_unit_test(test_render_exact),
      cmocka_unit_test(test_render_floats),         cmocka_unit_test(test_hex),
      cmocka_unit_test(test_schema_attribute),      cmocka_unit_test(test_random_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

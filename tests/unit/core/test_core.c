/* test_core.c — unit tests of core/: errors, arenas, clocks, hash keys, CRC32C,
 * UTF-8, base64, timestamps, types. Expected values were computed independently
 * (Python's hashlib for MD5, RFC 3720's CRC32C vectors, RFC 4648 for base64). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

static void test_error_format_caret(void **state) {
  (void)state;
  core_error e;
  core_error_clear(&e);
  assert_int_equal(core_error_set(&e, SLUICE_SYNTAX, "syntax error at or near \"%s\"", "FRM"),
                   SLUICE_SYNTAX);
  core_error_at(&e, 26);
  core_error_hint(&e, "Did you mean FROM?");
  char buf[512];
  const char *text = "CREATE PUMP p AS\nSELECT x FRM s";
  size_t n = core_error_format(&e, text, buf, sizeof buf);
  assert_string_equal(buf, "error: syntax error at or near \"FRM\"\n"
                           "LINE 2: SELECT x FRM s\n"
                           "                 ^\n"
                           "HINT: Did you mean FROM?\n");
  assert_int_equal(n, strlen(buf));
  int line, col;
  core_text_position(text, 26, &line, &col);
  assert_int_equal(line, 2);
  assert_int_equal(col, 10);
}

static void test_error_format_truncates(void **state) {
  (void)state;
  core_error e;
  core_error_set(&e, SLUICE_NOTFOUND, "stream \"%s\" not found", "clicks");
  char small[10];
  size_t need = core_error_format(&e, NULL, small, sizeof small);
  assert_int_equal(need, strlen("error: stream \"clicks\" not found\n"));
  assert_string_equal(small, "error: st");
  assert_int_equal(core_error_set(NULL, SLUICE_IO, "x"), SLUICE_IO);
  assert_string_equal(sluice_errstr(SLUICE_NOTFOUND), "not found");
}

static void test_arena(void **state) {
  (void)state;
  core_arena *a = core_arena_new(1024);
  char *s = core_arena_strdup(a, "hello");
  assert_string_equal(s, "hello");
  assert_int_equal((uintptr_t)s % 16, 0);
  char *big = core_arena_alloc(a, 100000); /* its own block */
  memset(big, 7, 100000);
  for (int i = 0; i < 1000; i++) assert_non_null(core_arena_alloc(a, 24));
  assert_string_equal(s, "hello"); /* earlier allocations stay put */
  assert_string_equal(core_arena_printf(a, "%d-%s", 42, "x"), "42-x");
  assert_true(core_arena_used(a) >= 100000 + 1000 * 32);
  core_arena_reset(a);
  assert_int_equal(core_arena_used(a), 0);
  assert_false(core_arena_oom(a));
  unsigned char *z = core_arena_zalloc(a, 64);
  for (int i = 0; i < 64; i++) assert_int_equal(z[i], 0);
  core_arena_free(a);
}

static void test_clocks(void **state) {
  (void)state;
  core_clock *t = core_clock_new(CORE_CLOCK_TEST, 1000);
  assert_int_equal(core_clock_now(t), 1000);
  core_clock_advance(t, 500);
  assert_int_equal(core_clock_now(t), 1500);
  core_clock_set(t, 1200); /* never backwards */
  assert_int_equal(core_clock_now(t), 1500);
  core_clock_set(t, 9000);
  assert_int_equal(core_clock_now(t), 9000);
  assert_int_equal(core_clock_kind_of(t), CORE_CLOCK_TEST);
  core_clock_free(t);
  core_clock *live = core_clock_new(CORE_CLOCK_LIVE, 0);
  int64_t now = core_clock_now(live);
  assert_true(now > 1700000000000LL); /* after Nov 2023: the clock reads the real time */
  core_clock_free(live);
}

static void test_hash_keys(void **state) {
  (void)state;
  char buf[CORE_U128_DIGITS];
  core_u128_format(core_hash_key("a", 1), buf);
  assert_string_equal(buf, "16955237001963240173058271559858726497");
  core_u128_format(core_hash_key("partitionKey", 12), buf);
  assert_string_equal(buf, "193318062818912349798954611745638949166");
  core_u128_format(core_hash_key("", 0), buf);
  assert_string_equal(buf, "281949768489412648962353822266799178366");
  core_u128_format(CORE_U128_MAX, buf);
  assert_string_equal(buf, "340282366920938463463374607431768211455");
  core_u128_format(0, buf);
  assert_string_equal(buf, "0");

  core_u128 v;
  const char *max = "340282366920938463463374607431768211455";
  assert_int_equal(core_u128_parse(max, strlen(max), &v), SLUICE_OK);
  assert_true(v == CORE_U128_MAX);
  const char *over = "340282366920938463463374607431768211456";
  assert_int_equal(core_u128_parse(over, strlen(over), &v), SLUICE_INVALID);
  assert_int_equal(core_u128_parse("0", 1, &v), SLUICE_OK);
  assert_true(v == 0);
  assert_int_equal(core_u128_parse("01", 2, &v), SLUICE_INVALID);
  assert_int_equal(core_u128_parse("", 0, &v), SLUICE_INVALID);
  assert_int_equal(core_u128_parse("12a", 3, &v), SLUICE_INVALID);
  assert_int_equal(core_u128_parse("-1", 2, &v), SLUICE_INVALID);
}

static void test_crc32c(void **state) {
  (void)state;
  assert_int_equal(core_crc32c(0, "123456789", 9), 0xE3069283u);
  unsigned char zeros[32] = {0}, ones[32], inc[32];
  memset(ones, 0xFF, sizeof ones);
  for (int i = 0; i < 32; i++) inc[i] = (unsigned char)i;
  assert_int_equal(core_crc32c(0, zeros, 32), 0x8A9136AAu);
  assert_int_equal(core_crc32c(0, ones, 32), 0x62A8AB43u);
  assert_int_equal(core_crc32c(0, inc, 32), 0x46DD794Eu);
  /* incremental == one shot, at every split point and odd lengths */
  for (size_t k = 0; k <= 32; k++)
    assert_int_equal(core_crc32c(core_crc32c(0, inc, k), inc + k, 32 - k), 0x46DD794Eu);
  assert_int_equal(core_crc32c(0, "", 0), 0);
}

static void test_hash64(void **state) {
  (void)state;
  assert_true(core_hash64("abc", 3, 0) == core_hash64("abc", 3, 0));
  assert_true(core_hash64("abc", 3, 0) != core_hash64("abd", 3, 0));
  assert_true(core_hash64("abc", 3, 0) != core_hash64("abc", 3, 1));
  assert_true(core_hash64("abcdefgh1", 9, 0) != core_hash64("abcdefgh2", 9, 0));
}

static void test_utf8(void **state) {
  (void)state;
  assert_true(core_utf8_valid("plain", 5));
  assert_true(core_utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14));
  assert_int_equal(core_utf8_length("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14), 8);
  assert_false(core_utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
  assert_false(core_utf8_valid("\xE0\x80\xAF", 3));     /* overlong, 3 bytes */
  assert_false(core_utf8_valid("\xED\xA0\x80", 3));     /* surrogate U+D800 */
  assert_false(core_utf8_valid("\xF4\x90\x80\x80", 4)); /* beyond U+10FFFF */
  assert_false(core_utf8_valid("\xC3", 1));             /* truncated */
  assert_false(core_utf8_valid("\x80", 1));             /* lone continuation */
  assert_false(core_utf8_valid("\xC3\x28", 2));         /* bad continuation */
}

static void test_base64(void **state) {
  (void)state;
  static const struct {
    const char *plain, *enc;
  } v[] = {{"", ""},
           {"f", "Zg=="},
           {"fo", "Zm8="},
           {"foo", "Zm9v"},
           {"foob", "Zm9vYg=="},
           {"fooba", "Zm9vYmE="},
           {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    char out[16];
    size_t n = core_base64_encode(v[i].plain, strlen(v[i].plain), out);
    assert_int_equal(n, strlen(v[i].enc));
    assert_int_equal(n, core_base64_encoded_size(strlen(v[i].plain)));
    assert_memory_equal(out, v[i].enc, n);
    uint8_t dec[16];
    size_t dn = 99, bad;
    assert_int_equal(core_base64_decode(v[i].enc, n, dec, &dn, &bad), SLUICE_OK);
    assert_int_equal(dn, strlen(v[i].plain));
    assert_memory_equal(dec, v[i].plain, dn);
  }
  uint8_t dec[16];
  size_t dn, bad;
  assert_int_equal(core_base64_decode("Zm9v YmFy", 9, dec, &dn, &bad), SLUICE_INVALID);
  assert_int_equal(bad, 4);
  assert_int_equal(core_base64_decode("Zm9 Ym==", 8, dec, &dn, &bad), SLUICE_INVALID);
  assert_int_equal(bad, 3);
  assert_int_equal(core_base64_decode("Zg=a", 4, dec, &dn, &bad), SLUICE_INVALID);
  assert_int_equal(core_base64_decode("Z===", 4, dec, &dn, &bad), SLUICE_INVALID);
  assert_int_equal(core_base64_decode("Zm9", 3, dec, &dn, &bad), SLUICE_INVALID);
  assert_int_equal(bad, 3);
}

static void test_timestamps(void **state) {
  (void)state;
  char buf[CORE_TIMESTAMP_TEXT];
  assert_int_equal(core_timestamp_format(0, buf), 23);
  assert_string_equal(buf, "1970-01-01 00:00:00.000");
  core_timestamp_format(1795316074366LL, buf);
  assert_string_equal(buf, "2026-11-22 02:54:34.366");
  core_timestamp_format(-1, buf);
  assert_string_equal(buf, "1969-12-31 23:59:59.999");
  core_timestamp_format(951782400000LL, buf); /* a leap day */
  assert_string_equal(buf, "2000-02-29 00:00:00.000");

  int64_t ms;
  assert_int_equal(core_timestamp_parse("2026-11-22 02:54:34.366", 23, &ms), SLUICE_OK);
  assert_int_equal(ms, 1795316074366LL);
  assert_int_equal(core_timestamp_parse("2026-11-22T02:54:34.3661234Z", 28, &ms), SLUICE_OK);
  assert_int_equal(ms, 1795316074366LL);
  assert_int_equal(core_timestamp_parse("2026-11-22 02:54", 16, &ms), SLUICE_OK);
  assert_int_equal(ms, 1795316040000LL);
  assert_int_equal(core_timestamp_parse("2026-11-22", 10, &ms), SLUICE_OK);
  assert_int_equal(ms, 1795305600000LL);
  assert_int_equal(core_timestamp_parse("2026-02-29", 10, &ms), SLUICE_INVALID);
  assert_int_equal(core_timestamp_parse("2026-13-01", 10, &ms), SLUICE_INVALID);
  assert_int_equal(core_timestamp_parse("2026-01-01 24:00:00", 19, &ms), SLUICE_INVALID);
  assert_int_equal(core_timestamp_parse("2026-01-01 10:00:00.", 20, &ms), SLUICE_INVALID);
  assert_int_equal(core_timestamp_parse("2026-1-01", 9, &ms), SLUICE_INVALID);
  assert_int_equal(core_timestamp_parse("2026-01-01x", 11, &ms), SLUICE_INVALID);

  int32_t days, tod;
  assert_int_equal(core_date_parse("1969-12-31", 10, &days), SLUICE_OK);
  assert_int_equal(days, -1);
  core_date_format(days, buf);
  assert_string_equal(buf, "1969-12-31");
  assert_int_equal(core_time_parse("13:45:07.5", 10, &tod), SLUICE_OK);
  assert_int_equal(tod, 49507500);
  core_time_format(tod, buf);
  assert_string_equal(buf, "13:45:07.500");
  assert_int_equal(core_floor_div(-1, 1000), -1);
  assert_int_equal(core_floor_mod(-1, 1000), 999);
}

static void test_types_and_values(void **state) {
  (void)state;
  char buf[64];
  core_type dec = {.id = CORE_T_DECIMAL, .precision = 10, .scale = 2};
  core_type_format(dec, buf, sizeof buf);
  assert_string_equal(buf, "DECIMAL(10,2)");
  core_type vc = {.id = CORE_T_VARCHAR, .precision = 4};
  core_type_format(vc, buf, sizeof buf);
  assert_string_equal(buf, "VARCHAR(4)");
  core_type iv = {.id = CORE_T_INTERVAL_DT, .start = CORE_IU_DAY, .end = CORE_IU_SECOND};
  core_type_format(iv, buf, sizeof buf);
  assert_string_equal(buf, "INTERVAL DAY TO SECOND");
  assert_true(core_type_is_numeric(CORE_T_DECIMAL));
  assert_false(core_type_is_numeric(CORE_T_VARCHAR));
  assert_true(core_type_is_datetime(CORE_T_TIMESTAMP));

  core_value v = {.type = dec, .u.dec = -5};
  core_value_format(&v, buf, sizeof buf);
  assert_string_equal(buf, "-0.05");
  v.u.dec = 123456;
  core_value_format(&v, buf, sizeof buf);
  assert_string_equal(buf, "1234.56");
  v.is_null = true;
  core_value_format(&v, buf, sizeof buf);
  assert_string_equal(buf, "NULL");
  core_value ts = {.type = {.id = CORE_T_TIMESTAMP}, .u.i = 60000};
  core_value_format(&ts, buf, sizeof buf);
  assert_string_equal(buf, "1970-01-01 00:01:00.000");
  core_value bin = {.type = {.id = CORE_T_VARBINARY}, .u.s = {"\x01\xAB", 2}};
  core_value_format(&bin, buf, sizeof buf);
  assert_string_equal(buf, "01AB");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_error_format_caret),
      cmocka_unit_test(test_error_format_truncates),
      cmocka_unit_test(test_arena),
      cmocka_unit_test(test_clocks),
      cmocka_unit_test(test_hash_keys),
      cmocka_unit_test(test_crc32c),
      cmocka_unit_test(test_hash64),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_base64),
      cmocka_unit_test(test_timestamps),
      cmocka_unit_test(test_types_and_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

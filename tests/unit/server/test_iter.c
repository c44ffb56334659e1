/* Shard iterators: round trip, size, expiry (with AWS's message), tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server/server.h"

static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static server_iter sample(void) {
  server_iter it;
  memset(&it, 0, sizeof it);
  snprintf(it.stream, sizeof it.stream, "clicks");
  it.stream_gen = 7;
  it.shard = 3;
  it.position = 123456789;
  it.issued_ms = 1795316074366;
  return it;
}

static void test_round_trip(void **state) {
  server_iter it = sample(), back;
  char s[SERVER_ITER_MAX + 1];
  size_t n = server_iter_encode(&it, key, s);
  assert_int_equal(strlen(s), n);
  assert_memory_equal(s, "AAAAAAAAAAE", 11); /* 00..01 like AWS's */
  core_error e;
  assert_int_equal(server_iter_decode(s, n, key, it.issued_ms + 1000, &back, &e), SLUICE_OK);
  assert_string_equal(back.stream, "clicks");
  assert_int_equal(back.stream_gen, 7);
  assert_int_equal(back.shard, 3);
  assert_int_equal(back.position, 123456789);
  assert_int_equal(back.issued_ms, it.issued_ms);
}

static void test_longest_name_fits(void **state) {
  server_iter it = sample(), back;
  memset(it.stream, 'x', 128);
  it.stream[128] = 0;
  char s[SERVER_ITER_MAX + 1];
  size_t n = server_iter_encode(&it, key, s);
  assert_true(n <= SERVER_ITER_MAX);
  assert_int_equal(server_iter_decode(s, n, key, it.issued_ms, &back, NULL), SLUICE_OK);
  assert_int_equal(strlen(back.stream), 128);
}

static void test_expiry(void **state) {
  server_iter it = sample(), back;
  char s[SERVER_ITER_MAX + 1];
  size_t n = server_iter_encode(&it, key, s);
  core_error e;
  assert_int_equal(server_iter_decode(s, n, key, it.issued_ms + 300000, &back, &e), SLUICE_OK);
  assert_int_equal(server_iter_decode(s, n, key, it.issued_ms + 300001, &back, &e), SLUICE_EXPIRED);
  assert_string_equal(e.message,
                      "Iterator expired. The iterator was created at time Sun Nov 22 02:54:34 UTC "
                      "2026 while right now it is Sun Nov 22 02:59:34 UTC 2026 which is further in "
                      "the future than the tolerated delay of 300000 milliseconds.");
}

static void test_tamper(void **state) {
  server_iter it = sample(), back;
  char s[SERVER_ITER_MAX + 1];
  size_t n = server_iter_encode(&it, key, s);
  core_error e;
  /* flip each character in turn: every change is detected */
  for (size_t i = 0; i < n; i++) {
    char saved = s[i];
    if (s[i] == '=') continue;
    s[i] = s[i] == 'A' ? 'B' : 'A';
    int rc = server_iter_decode(s, n, key, it.issued_ms, &back, &e);
    assert_int_equal(rc, SLUICE_INVALID);
    assert_string_equal(e.message, "Invalid ShardIterator.");
    s[i] = saved;
  }
  uint8_t other[32] = {9};
  assert_int_equal(server_iter_decode(s, n, other, it.issued_ms, &back, &e), SLUICE_INVALID);
  assert_int_equal(server_iter_decode("AAAAAAAAAAFbogus", 16, key, it.issued_ms, &back, &e),
                   SLUICE_INVALID);
  assert_int_equal(server_iter_decode("x", 1, key, it.issued_ms, &back, &e), SLUICE_INVALID);
  assert_int_equal(server_iter_decode(s, n - 4, key, it.issued_ms, &back, &e), SLUICE_INVALID);
}

static void test_amz_time(void **state) {
  char b[32];
  server_amz_time(1421889722000, b);
  assert_string_equal(b, "Thu Jan 22 01:22:02 UTC 2015");
  server_amz_time(0, b);
  assert_string_equal(b, "Thu Jan 01 00:00:00 UTC 1970");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip), cmocka_unit_test(test_longest_name_fits),
      cmocka_unit_test(test_expiry),     cmocka_unit_test(test_tamper),
      cmocka_unit_test(test_amz_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The event-stream frame encoder: exact bytes, computed independently with
 * Python's zlib.crc32 when this test was written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "server/server.h"

static const uint8_t initial_response[104] = {
    0x00, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00, 0x56, 0x4e, 0x68, 0x17, 0x24, 0x0d, 0x3a, 0x6d,
    0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x05, 0x65,
    0x76, 0x65, 0x6e, 0x74, 0x0b, 0x3a, 0x65, 0x76, 0x65, 0x6e, 0x74, 0x2d, 0x74, 0x79, 0x70,
    0x65, 0x07, 0x00, 0x10, 0x69, 0x6e, 0x69, 0x74, 0x69, 0x61, 0x6c, 0x2d, 0x72, 0x65, 0x73,
    0x70, 0x6f, 0x6e, 0x73, 0x65, 0x0d, 0x3a, 0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d,
    0x74, 0x79, 0x70, 0x65, 0x07, 0x00, 0x10, 0x61, 0x70, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74,
    0x69, 0x6f, 0x6e, 0x2f, 0x6a, 0x73, 0x6f, 0x6e, 0x7b, 0x7d, 0xfe, 0x94, 0x2c, 0x1d};

static void test_crc32_ieee(void **state) {
  /* the CRC-32 check value (IEEE, zlib), not CRC32C's 0xe3069283 */
  assert_int_equal(server_crc32(0, "123456789", 9), 0xcbf43926u);
  assert_int_equal(server_crc32(server_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void test_initial_response_bytes(void **state) {
  server_evheader h[3] = {{":message-type", "event"},
                          {":event-type", "initial-response"},
                          {":content-type", "application/json"}};
  uint8_t out[256];
  size_t n = server_evstream_encode(h, 3, "{}", 2, out, sizeof out);
  assert_int_equal(n, sizeof initial_response);
  assert_memory_equal(out, initial_response, n);
}

static void test_too_small(void **state) {
  server_evheader h[1] = {{":message-type", "event"}};
  uint8_t out[40];
  assert_int_equal(server_evstream_encode(h, 1, "0123456789012345", 16, out, sizeof out), 0);
  /* no headers, no payload: 16 bytes, the prelude CRC over 8 bytes */
  uint8_t small[16];
  assert_int_equal(server_evstream_encode(NULL, 0, "", 0, small, sizeof small), 16);
  assert_int_equal(small[3], 16);
  uint32_t crc = server_crc32(0, small, 8);
  assert_int_equal(small[8], crc >> 24);
  assert_int_equal(small[11], crc & 0xff);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crc32_ieee),
      cmocka_unit_test(test_initial_response_bytes),
      cmocka_unit_test(test_too_small),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

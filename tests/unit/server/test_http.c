/* HTTP/1.1 request parsing (incl. pipelining and limits) and the h2c preface check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "server/server.h"

static const char cli_put[] =
    "POST / HTTP/1.1\r\n"
    "Host: 127.0.0.1:4568\r\n"
    "Accept-Encoding: identity\r\n"
    "X-Amz-Target: Kinesis_20131202.PutRecord\r\n"
    "Content-Type: application/x-amz-json-1.1\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDLOCALDUMMY/20261122/us-east-1/kinesis/"
    "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=78\r\n"
    "Content-Length: 81\r\n"
    "\r\n"
    "{\"StreamName\": \"wire\", \"Data\": \"aGVsbG8ga2luZXNpcw==\", \"PartitionKey\": \"user-42\"}";

static void test_one_request(void **state) {
  server_http_req rq;
  size_t n = strlen(cli_put);
  assert_int_equal(server_http_parse(cli_put, n, SERVER_MAX_BODY, &rq), SERVER_HTTP_DONE);
  assert_int_equal(rq.total_len, n);
  assert_int_equal(rq.method_len, 4);
  assert_memory_equal(rq.method, "POST", 4);
  assert_int_equal(rq.path_len, 1);
  assert_int_equal(rq.minor, 1);
  assert_int_equal(rq.target_len, strlen("Kinesis_20131202.PutRecord"));
  assert_memory_equal(rq.target, "Kinesis_20131202.PutRecord", rq.target_len);
  assert_int_equal(rq.content_type_len, strlen("application/x-amz-json-1.1"));
  assert_true(rq.has_auth);
  assert_true(rq.keep_alive);
  assert_int_equal(rq.content_length, 81);
  assert_memory_equal(rq.body, "{\"StreamName\": \"wire\"", 21);
}

static void test_incomplete_every_prefix(void **state) {
  server_http_req rq;
  size_t n = strlen(cli_put);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(server_http_parse(cli_put, i, SERVER_MAX_BODY, &rq), SERVER_HTTP_INCOMPLETE);
}

static void test_pipelining(void **state) {
  /* three requests back to back, the last one lower-case headers (boto3) */
  char buf[4096];
  const char *third = "POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: Kinesis_20131202.ListStreams\r\n"
                      "content-type: application/x-amz-json-1.1\r\ncontent-length: 2\r\n\r\n{}";
  int n = snprintf(buf, sizeof buf, "%s%s%s", cli_put, cli_put, third);
  size_t off = 0;
  int count = 0;
  server_http_req rq;
  while (off < (size_t)n) {
    assert_int_equal(server_http_parse(buf + off, (size_t)n - off, SERVER_MAX_BODY, &rq),
                     SERVER_HTTP_DONE);
    off += rq.total_len;
    count++;
  }
  assert_int_equal(count, 3);
  assert_int_equal(off, (size_t)n);
  assert_memory_equal(rq.target, "Kinesis_20131202.ListStreams", rq.target_len);
  assert_false(rq.has_auth);
}

/* The same pipelined stream fed in random pieces gives the same requests.
 * The seed is printed; SLUICE_TEST_SEED repeats a run. */
static void test_random_pieces(void **state) {
  const char *seed_env = getenv("SLUICE_TEST_SEED");
  unsigned seed = seed_env ? (unsigned)strtoul(seed_env, NULL, 10) : (unsigned)time(NULL);
  printf("test_random_pieces: seed %u\n", seed);
  srand(seed);
  static char stream[16384];
  size_t n = 0;
  for (int i = 0; i < 20; i++) {
    char body[64];
    int bl = snprintf(body, sizeof body, "{\"StreamName\":\"s%d\"}", i);
    n += (size_t)snprintf(stream + n, sizeof stream - n,
                          "POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.DescribeStream\r\n"
                          "Content-Length: %d\r\n\r\n%s",
                          bl, body);
  }
  for (int round = 0; round < 200; round++) {
    /* a receive buffer that gets the stream a random piece at a time */
    size_t have = 0, off = 0;
    int seen = 0;
    while (off < n) {
      size_t piece = 1 + (size_t)rand() % 97;
      if (have + piece > n) piece = n - have;
      have += piece;
      server_http_req rq;
      int rc;
      while ((rc = server_http_parse(stream + off, have - off, 1000, &rq)) == SERVER_HTTP_DONE) {
        char want[32];
        snprintf(want, sizeof want, "{\"StreamName\":\"s%d\"}", seen);
        assert_int_equal(rq.content_length, strlen(want));
        assert_memory_equal(rq.body, want, rq.content_length);
        seen++;
        off += rq.total_len;
      }
      assert_int_equal(rc, SERVER_HTTP_INCOMPLETE);
      if (have == n && off < n) fail_msg("stuck at %zu of %zu", off, n);
    }
    assert_int_equal(seen, 20);
  }
}

static void test_connection_semantics(void **state) {
  server_http_req rq;
  const char *a = "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  assert_int_equal(server_http_parse(a, strlen(a), 100, &rq), SERVER_HTTP_DONE);
  assert_false(rq.keep_alive);
  const char *b = "POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n";
  assert_int_equal(server_http_parse(b, strlen(b), 100, &rq), SERVER_HTTP_DONE);
  assert_false(rq.keep_alive);
  const char *c = "POST / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
  assert_int_equal(server_http_parse(c, strlen(c), 100, &rq), SERVER_HTTP_DONE);
  assert_true(rq.keep_alive);
  assert_int_equal(rq.content_length, 0);
  const char *d = "GET / HTTP/1.1\r\n\r\n";
  assert_int_equal(server_http_parse(d, strlen(d), 100, &rq), SERVER_HTTP_DONE);
  assert_memory_equal(rq.method, "GET", 3);
}

static void test_errors(void **state) {
  server_http_req rq;
  const char *big = "POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n";
  assert_int_equal(server_http_parse(big, strlen(big), 100, &rq), SERVER_HTTP_TOO_LARGE);
  const char *chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  assert_int_equal(server_http_parse(chunked, strlen(chunked), 100, &rq), SERVER_HTTP_CHUNKED);
  const char *badlen = "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n";
  assert_int_equal(server_http_parse(badlen, strlen(badlen), 100, &rq), SERVER_HTTP_BAD);
  const char *twolen = "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab";
  assert_int_equal(server_http_parse(twolen, strlen(twolen), 100, &rq), SERVER_HTTP_BAD);
  const char *badver = "POST / HTTP/2.0\r\n\r\n";
  assert_int_equal(server_http_parse(badver, strlen(badver), 100, &rq), SERVER_HTTP_BAD);
  const char *nocolon = "POST / HTTP/1.1\r\nfoo\r\n\r\n";
  assert_int_equal(server_http_parse(nocolon, strlen(nocolon), 100, &rq), SERVER_HTTP_BAD);
  const char *garbage = "\x16\x03\x01\x02";
  assert_int_equal(server_http_parse(garbage, 4, 100, &rq), SERVER_HTTP_BAD);
  /* headers without an end grow past the limit */
  size_t n = SERVER_HTTP_MAX_HEADER + 10;
  char *h = malloc(n);
  memcpy(h, "POST / HTTP/1.1\r\nX: ", 20);
  memset(h + 20, 'a', n - 20);
  assert_int_equal(server_http_parse(h, n, 100, &rq), SERVER_HTTP_TOO_LARGE);
  free(h);
}

static void test_expect_continue(void **state) {
  server_http_req rq;
  const char *a = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
  assert_int_equal(server_http_parse(a, strlen(a), 100, &rq), SERVER_HTTP_INCOMPLETE);
  assert_true(rq.expect_continue);
  assert_int_equal(rq.header_len, strlen(a));
  assert_int_equal(rq.content_length, 5);
}

static void test_h2_preface(void **state) {
  const char p[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04";
  assert_int_equal(server_h2_preface(p, 28), 1);
  assert_int_equal(server_h2_preface(p, 24), 1);
  for (size_t i = 0; i < 24; i++) assert_int_equal(server_h2_preface(p, i), -1);
  assert_int_equal(server_h2_preface("POST / HTTP/1.1\r\n", 17), 0);
  assert_int_equal(server_h2_preface("PRX", 3), 0);
  assert_int_equal(server_h2_preface("P", 1), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_request), cmocka_unit_test(test_incomplete_every_prefix),
      cmocka_unit_test(test_pipelining),  cmocka_unit_test(test_connection_semantics),
      cmocka_unit_test(test_errors),      cmocka_unit_test(test_expect_continue),
      cmocka_unit_test(test_h2_preface),  cmocka_unit_test(test_random_pieces),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

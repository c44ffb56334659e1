/* The server's fast paths. PutRecords (server_put_records_parse): what it
 * takes, with the exact records it produces, what it must leave to the
 * general path, and a differential check against cJSON + server_validate on
 * mutated bodies (the seed is printed). GetRecords: the base64 encoder and
 * the timestamp text against the plain ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "server/server.h"
#include "server/server_int.h"

static server_put_batch batch;
static uint8_t data[SERVER_PUT_DATA_BOUND(8u << 20)];

static bool parse(const char *body) {
  return server_put_records_parse(body, strlen(body), data, &batch);
}

static void expect_record(size_t i, const char *pk, const void *d, size_t dl) {
  const server_put_record *r = &batch.recs[i];
  assert_int_equal(r->partition_key_len, strlen(pk));
  assert_memory_equal(r->partition_key, pk, strlen(pk));
  assert_int_equal(r->data_len, dl);
  if (dl) assert_memory_equal(r->data, d, dl);
}

static void test_plain_bodies(void **state) {
  assert_true(parse("{\"StreamName\":\"s-1.x_y\",\"Records\":[{\"Data\":\"aGVsbG8=\","
                    "\"PartitionKey\":\"pk-1\"},{\"Data\":\"YWJj\",\"PartitionKey\":\"pk-2\"}]}"));
  assert_int_equal(batch.stream_len, 7);
  assert_memory_equal(batch.stream, "s-1.x_y", 7);
  assert_int_equal(batch.n, 2);
  expect_record(0, "pk-1", "hello", 5);
  expect_record(1, "pk-2", "abc", 3);
  assert_false(batch.recs[0].has_explicit_hash);

  /* any member order, JSON whitespace everywhere, empty data, a non-ASCII key,
   * the largest hash key */
  assert_true(parse(" {\r\n \"Records\" : [ { \"PartitionKey\" :\t\"\xd0\xba\xd0\xbb\" , "
                    "\"ExplicitHashKey\": \"340282366920938463463374607431768211455\", "
                    "\"Data\" : \"\" } , {\"PartitionKey\":\"k\",\"Data\":\"YQ==\","
                    "\"ExplicitHashKey\":\"0\"} ] ,\n\"StreamName\" : \"s\" } \n"));
  assert_int_equal(batch.n, 2);
  expect_record(0, "\xd0\xba\xd0\xbb", "", 0);
  assert_true(batch.recs[0].has_explicit_hash);
  assert_true(batch.recs[0].explicit_hash == CORE_U128_MAX);
  expect_record(1, "k", "a", 1);
  assert_true(batch.recs[1].has_explicit_hash);
  assert_true(batch.recs[1].explicit_hash == 0);

  /* padding: one and two '=', and bits past the last byte as the strict decoder keeps them */
  assert_true(parse("{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YWI=\",\"PartitionKey\":\"a\"},"
                    "{\"Data\":\"/+8=\",\"PartitionKey\":\"b\"},{\"Data\":\"YR==\","
                    "\"PartitionKey\":\"c\"}]}"));
  expect_record(0, "a", "ab", 2);
  expect_record(1, "b", "\xff\xef", 2);
  expect_record(2, "c", "a", 1);
}

/* A body with n records "{"Data":"<data>","PartitionKey":"<pk>"}" (static buffer). */
static const char *records_body(int n, const char *d, const char *pk) {
  static char body[1 << 23];
  size_t len = (size_t)sprintf(body, "{\"StreamName\":\"s\",\"Records\":[");
  for (int i = 0; i < n; i++)
    len += (size_t)sprintf(body + len, "%s{\"Data\":\"%s\",\"PartitionKey\":\"%s\"}", i ? "," : "",
                           d, pk);
  sprintf(body + len, "]}");
  return body;
}

static void test_limits(void **state) {
  assert_true(parse(records_body(500, "YQ==", "k")));
  assert_int_equal(batch.n, 500);
  assert_false(parse(records_body(501, "YQ==", "k")));
  assert_false(parse("{\"StreamName\":\"s\",\"Records\":[]}"));

  char key[1200];
  memset(key, 'k', 256);
  key[256] = 0;
  assert_true(parse(records_body(1, "", key)));
  key[256] = 'k';
  key[257] = 0;
  assert_false(parse(records_body(1, "", key)));
  assert_false(parse(records_body(1, "", "")));
  /* outside the BMP a code point counts two UTF-16 units: 128 fit, 129 do not */
  for (int i = 0; i < 129; i++) memcpy(key + 4 * i, "\xf0\x9f\x98\x80", 4);
  key[4 * 128] = 0;
  assert_true(parse(records_body(1, "", key)));
  key[4 * 128] = '\xf0';
  key[4 * 129] = 0;
  assert_false(parse(records_body(1, "", key)));

  /* Data: 1 MiB decoded fits, one quantum more does not */
  static char big[(1 << 20) / 3 * 4 + 16];
  size_t q = (1u << 20) / 3; /* 349525 quanta = 1048575 bytes */
  memset(big, 'A', q * 4);
  memcpy(big + q * 4, "AA==", 5); /* + 1 byte = 1048576 */
  assert_true(parse(records_body(1, big, "k")));
  assert_int_equal(batch.recs[0].data_len, 1u << 20);
  memcpy(big + q * 4, "AAA=", 5);
  assert_false(parse(records_body(1, big, "k")));

  /* at most 5 MiB of data and partition keys per request */
  memcpy(big + q * 4, "", 1);                      /* 1048575 bytes of data each */
  assert_true(parse(records_body(5, big, "k")));   /* 5 * 1048576 */
  assert_false(parse(records_body(5, big, "kk"))); /* 5 * 1048577 */
}

static void test_declined(void **state) {
  static const char *const bodies[] = {
      /* escapes, nulls, other members: the general path's business */
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\\u0041\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\\\"\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\","
      "\"ExplicitHashKey\":null}]}",
      "{\"StreamName\":null,\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/s\",\"Records\":[{\"Data\":"
      "\"YQ==\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\",\"X\":1}]}",
      "{\"StreamName\":\"s\",\"Extra\":1,\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\"}]}",
      /* repeated members (cJSON takes the first, validation sees only that one) */
      "{\"StreamName\":\"s\",\"StreamName\":\"t\",\"Records\":[{\"Data\":\"YQ==\","
      "\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"Data\":\"YQ==\","
      "\"PartitionKey\":\"p\"}]}",
      /* missing members, wrong types */
      "{\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\"}",
      "{\"StreamName\":\"s\",\"Records\":[{\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\"}]}",
      "{\"StreamName\":\"s\",\"Records\":{}}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":1,\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":true}]}",
      "{\"StreamName\":1,\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\"}]}",
      /* bad base64 */
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ=\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"Y===\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ=A\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"Y=Q=\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==YQ==\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YW-j\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YWJ\\u006a\",\"PartitionKey\":\"p\"}]}",
      /* hash keys: pattern and range */
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\","
      "\"ExplicitHashKey\":\"01\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\","
      "\"ExplicitHashKey\":\"340282366920938463463374607431768211456\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\","
      "\"ExplicitHashKey\":\"\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\","
      "\"ExplicitHashKey\":\"12a\"}]}",
      /* stream names */
      "{\"StreamName\":\"bad name\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\"}]}",
      "{\"StreamName\":\"\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\"}]}",
      /* raw control characters and bad UTF-8 (the body check of kin_handle) */
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\x01\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\xc3\"}]}",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"\xed\xa0\x80\"}]}",
      /* not one JSON object */
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\"}]} x",
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\"},]}",
      "{\"StreamName\":\"s\",,\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\"}]}",
      "[]",
      "",
  };
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
    if (parse(bodies[i])) fail_msg("took %s", bodies[i]);
  /* 129-byte stream name */
  char name[300];
  memset(name, 'n', 129);
  name[129] = 0;
  char body[600];
  snprintf(body, sizeof body,
           "{\"StreamName\":\"%s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\"}]}", name);
  assert_false(parse(body));
  name[128] = 0;
  snprintf(body, sizeof body,
           "{\"StreamName\":\"%s\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"p\"}]}", name);
  assert_true(parse(body));
}

static void test_prefixes(void **state) {
  /* every proper prefix of a good body is declined, and never read past */
  const char *good = "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"aGk=\",\"PartitionKey\":"
                     "\"p\",\"ExplicitHashKey\":\"7\"}]}";
  size_t n = strlen(good);
  for (size_t i = 0; i < n; i++) {
    char *copy = malloc(i ? i : 1); /* exactly i bytes: ASan sees any overread */
    memcpy(copy, good, i);
    assert_false(server_put_records_parse(copy, i, data, &batch));
    free(copy);
  }
  assert_true(parse(good));
}

/* What the general path makes of body: true if it accepts it (valid UTF-8
 * without raw control characters, cJSON, server_validate), with its records
 * compared against the fast path's batch. */
static bool general_path_agrees(const char *body, size_t n) {
  if (!core_utf8_valid(body, n)) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)body[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
  }
  char type[64], msg[8192];
  if (server_validate("PutRecords", body, n, type, msg, sizeof msg) != SLUICE_OK) return false;
  cJSON *root = cJSON_ParseWithLength(body, n);
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "StreamName");
  const cJSON *recs = cJSON_GetObjectItemCaseSensitive(root, "Records");
  bool same = cJSON_IsString(name) && strlen(name->valuestring) == batch.stream_len &&
              memcmp(name->valuestring, batch.stream, batch.stream_len) == 0 &&
              (size_t)cJSON_GetArraySize(recs) == batch.n;
  size_t i = 0;
  const cJSON *r;
  cJSON_ArrayForEach(r, recs) {
    if (!same || i >= batch.n) break;
    const server_put_record *pr = &batch.recs[i++];
    const char *pk = cJSON_GetObjectItemCaseSensitive(r, "PartitionKey")->valuestring;
    const char *d = cJSON_GetObjectItemCaseSensitive(r, "Data")->valuestring;
    const cJSON *ehk = cJSON_GetObjectItemCaseSensitive(r, "ExplicitHashKey");
    static uint8_t dec[1 << 16];
    size_t dl = 0, bad = 0;
    same = strlen(pk) == pr->partition_key_len &&
           memcmp(pk, pr->partition_key, pr->partition_key_len) == 0 &&
           core_base64_decode(d, strlen(d), dec, &dl, &bad) == SLUICE_OK && dl == pr->data_len &&
           memcmp(dec, pr->data, dl) == 0 && pr->has_explicit_hash == (ehk != NULL);
    core_u128 v;
    if (same && ehk)
      same = core_u128_parse(ehk->valuestring, strlen(ehk->valuestring), &v) == SLUICE_OK &&
             v == pr->explicit_hash;
  }
  cJSON_Delete(root);
  return same;
}

static void test_differential(void **state) {
  unsigned seed = (unsigned)time(NULL);
  const char *env = getenv("SLUICE_TEST_SEED");
  if (env) seed = (unsigned)strtoul(env, NULL, 10);
  printf("test_differential seed %u (SLUICE_TEST_SEED)\n", seed);
  srand(seed);
  static const char *const seeds[] = {
      "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"aGVsbG8=\",\"PartitionKey\":\"pk-1\"},"
      "{\"Data\":\"YWJj\",\"PartitionKey\":\"\xc3\xa9t\xc3\xa9\",\"ExplicitHashKey\":\"12\"}]}",
      "{ \"Records\" : [ { \"PartitionKey\" : \"a\" , \"Data\" : \"YQ==\" } ] , \"StreamName\" : "
      "\"x.y\" }",
  };
  /* bytes that mutations put in: structure, base64 edges, escapes, UTF-8 pieces */
  static const char alphabet[] = "{}[]\":, =\\/+aAzZ09\x01\x7f\xc3\xa9\xf0\x9f\x98\x80\xed\xa0";
  int accepted = 0;
  for (int round = 0; round < 20000; round++) {
    char body[512];
    const char *src = seeds[rand() % 2];
    size_t n = strlen(src);
    memcpy(body, src, n);
    int edits = 1 + rand() % 3;
    for (int e = 0; e < edits; e++) {
      size_t at = (size_t)rand() % n;
      char c = alphabet[(size_t)rand() % (sizeof alphabet - 1)];
      switch (rand() % 3) {
        case 0: /* replace */
          body[at] = c;
          break;
        case 1: /* insert */
          if (n + 1 < sizeof body) {
            memmove(body + at + 1, body + at, n - at);
            body[at] = c;
            n++;
          }
          break;
        default: /* delete */
          memmove(body + at, body + at + 1, n - at - 1);
          n--;
      }
    }
    if (!server_put_records_parse(body, n, data, &batch)) continue;
    accepted++;
    if (!general_path_agrees(body, n))
      fail_msg("seed %u round %d: the fast path took %.*s", seed, round, (int)n, body);
  }
  /* mutations that keep the body valid (e.g. a different base64 letter) are common */
  assert_true(accepted > 100);
}

static void test_b64_encode(void **state) {
  uint8_t in[300];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 131 + 7);
  char want[420], got[420 + 8];
  for (size_t n = 0; n <= sizeof in; n++) {
    size_t wn = core_base64_encode(in, n, want);
    memset(got, '#', sizeof got);
    assert_int_equal(srv_b64_encode(in, n, got), wn);
    assert_memory_equal(got, want, wn);
    assert_int_equal(got[wn], '#'); /* nothing written past the end */
  }
}

static void test_ts_text(void **state) {
  static const struct {
    int64_t ms;
    const char *text;
  } cases[] = {{0, "0"},
               {1795316074366, "1795316074.366"},
               {1795316074360, "1795316074.36"},
               {1795316074300, "1795316074.3"},
               {1795316065000, "1795316065"},
               {1795316065001, "1795316065.001"},
               {-1500, "-2.5"},
               {-1000, "-1"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[JSON_TS_TEXT];
    size_t n = json_ts_text(cases[i].ms, out);
    assert_int_equal(n, strlen(cases[i].text));
    assert_memory_equal(out, cases[i].text, n);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_bodies), cmocka_unit_test(test_limits),
      cmocka_unit_test(test_declined),     cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_differential), cmocka_unit_test(test_b64_encode),
      cmocka_unit_test(test_ts_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

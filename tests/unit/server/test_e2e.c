/* End to end: the server in-process on 127.0.0.1 port 0, raw HTTP/1.1 requests
 * (create, put, get, errors, pipelining), exact JSON answers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/server.h"
#include "stream/stream.h"

/* The server runs on the main thread and the tests on another one, so that
 * thread-local caches of the server's thread live until exit. */
static server_t *srv;
static char dir[64];

static int setup(void **state) {
  return 0;
}

static int start_server(void) {
  snprintf(dir, sizeof dir, "/tmp/sluice-server-e2e-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  server_config c;
  server_config_init(&c);
  c.data_dir = dir;
  c.listen = "127.0.0.1:0";
  c.quiet = true;
  c.heartbeat_ms = 200; /* short event streams for test_subscribe */
  c.subscribe_ms = 1500;
  core_error e;
  if (server_new(&c, &srv, &e) != SLUICE_OK) {
    fprintf(stderr, "server_new: %s\n", e.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  return 0;
}

static int connect_server(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port(srv))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {.tv_sec = 10};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  return fd;
}

static void send_all(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t w = write(fd, s, n);
    assert_true(w > 0);
    s += w;
    n -= (size_t)w;
  }
}

/* Reads one response; returns its status and body (static buffer). */
static char rbuf[16 << 20]; /* two GetRecords pages of test_get_large */
static size_t rlen;
static int read_response(int fd, char **body) {
  static char out[16 << 20];
  for (int guard = 0; guard < 1000; guard++) {
    char *end = memmem(rbuf, rlen, "\r\n\r\n", 4);
    if (end) {
      size_t hl = (size_t)(end - rbuf) + 4;
      char *cl = strcasestr(rbuf, "Content-Length: ");
      size_t blen = cl && cl < end ? strtoul(cl + 16, NULL, 10) : 0;
      if (rlen >= hl + blen) {
        int status = atoi(rbuf + 9);
        memcpy(out, rbuf + hl, blen);
        out[blen] = 0;
        memmove(rbuf, rbuf + hl + blen, rlen - hl - blen);
        rlen -= hl + blen;
        *body = out;
        return status;
      }
    }
    ssize_t n = read(fd, rbuf + rlen, sizeof rbuf - rlen - 1);
    if (n <= 0) return -1;
    rlen += (size_t)n;
    rbuf[rlen] = 0;
  }
  return -1;
}

static void request(char *out, size_t size, const char *action, const char *body) {
  snprintf(out, size,
           "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Kinesis_20131202.%s\r\n"
           "Content-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 "
           "Credential=AKID/20261122/us-east-1/kinesis/aws4_request, SignedHeaders=host, "
           "Signature=00\r\nContent-Length: %zu\r\n\r\n%s",
           action, strlen(body), body);
}

static int call(int fd, const char *action, const char *body, char **out) {
  char req[8192];
  request(req, sizeof req, action, body);
  send_all(fd, req, strlen(req));
  return read_response(fd, out);
}

/* Replaces the value of "key":<number> with 0 so times compare exactly. */
static void zero_number(char *s, const char *key) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  for (char *p = strstr(s, pat); p; p = strstr(p + 1, pat)) {
    char *v = p + strlen(pat);
    char *e = v;
    while ((*e >= '0' && *e <= '9') || *e == '.') e++;
    memmove(v + 1, e, strlen(e) + 1);
    *v = '0';
  }
}

static void test_create_put_get(void **state) {
  rlen = 0;
  int fd = connect_server();
  char *b;
  assert_int_equal(call(fd, "CreateStream", "{\"StreamName\": \"wire\", \"ShardCount\": 2}", &b),
                   200);
  assert_string_equal(b, "");
  assert_int_equal(call(fd, "CreateStream", "{\"StreamName\": \"wire\", \"ShardCount\": 1}", &b),
                   400);
  assert_string_equal(b, "{\"__type\":\"ResourceInUseException\",\"message\":\"Stream wire under "
                         "account 000000000000 already exists.\"}");
  assert_int_equal(call(fd, "PutRecord",
                        "{\"StreamName\": \"wire\", \"Data\": \"aGVsbG8ga2luZXNpcw==\", "
                        "\"PartitionKey\": \"user-42\"}",
                        &b),
                   200);
  /* MD5("user-42") routes to the lower half, shard 0 (as in kinesalite's capture) */
  assert_string_equal(b, "{\"ShardId\":\"shardId-000000000000\",\"SequenceNumber\":"
                         "\"49000000000000000000000000000000000000000000000000000000\"}");
  assert_int_equal(
      call(fd, "PutRecords",
           "{\"Records\": [{\"Data\": \"cmVjLWE=\", \"PartitionKey\": \"a\", \"ExplicitHashKey\": "
           "\"0\"}, {\"Data\": \"cmVjLWI=\", \"PartitionKey\": \"b\", \"ExplicitHashKey\": "
           "\"170141183460469231731687303715884105728\"}], \"StreamARN\": "
           "\"arn:aws:kinesis:eu-west-1:123456789012:stream/wire\"}",
           &b),
      200);
  assert_string_equal(
      b, "{\"FailedRecordCount\":0,\"Records\":[{\"SequenceNumber\":"
         "\"49000000000000000000000000000001000000000000000000000000\",\"ShardId\":\"shardId-"
         "000000000000\"},{\"SequenceNumber\":"
         "\"49000000000100000000000000000000000000000000000000000000"
         "\",\"ShardId\":\"shardId-000000000001\"}]}");
  assert_int_equal(call(fd, "GetShardIterator",
                        "{\"StreamName\": \"wire\", \"ShardId\": \"shardId-000000000000\", "
                        "\"ShardIteratorType\": \"TRIM_HORIZON\"}",
                        &b),
                   200);
  char it[600];
  assert_int_equal(sscanf(b, "{\"ShardIterator\":\"%599[^\"]\"}", it), 1);
  char body[800];
  snprintf(body, sizeof body, "{\"ShardIterator\": \"%s\", \"Limit\": 1}", it);
  assert_int_equal(call(fd, "GetRecords", body, &b), 200);
  char next[600];
  char *ni = strstr(b, "\"NextShardIterator\":\"");
  assert_non_null(ni);
  assert_int_equal(sscanf(ni, "\"NextShardIterator\":\"%599[^\"]\"", next), 1);
  *ni = 0;
  zero_number(b, "ApproximateArrivalTimestamp");
  zero_number(b, "MillisBehindLatest"); /* the second record is a moment younger */
  assert_string_equal(b, "{\"Records\":[{\"SequenceNumber\":"
                         "\"49000000000000000000000000000000000000000000000000000000\","
                         "\"ApproximateArrivalTimestamp\":0,\"Data\":\"aGVsbG8ga2luZXNpcw==\","
                         "\"PartitionKey\":\"user-42\"}],\"MillisBehindLatest\":0,");
  snprintf(body, sizeof body, "{\"ShardIterator\": \"%s\"}", next);
  assert_int_equal(call(fd, "GetRecords", body, &b), 200);
  ni = strstr(b, ",\"NextShardIterator\"");
  assert_non_null(ni);
  *ni = 0;
  zero_number(b, "ApproximateArrivalTimestamp");
  assert_string_equal(b, "{\"Records\":[{\"SequenceNumber\":"
                         "\"49000000000000000000000000000001000000000000000000000000\","
                         "\"ApproximateArrivalTimestamp\":0,\"Data\":\"cmVjLWE=\","
                         "\"PartitionKey\":\"a\"}],\"MillisBehindLatest\":0");
  close(fd);
}

static void test_sequence_runs(void **state) {
  /* twelve records in one shard: positions 0..11, the run counts up across a carry */
  rlen = 0;
  int fd = connect_server();
  char *b;
  assert_int_equal(call(fd, "CreateStream", "{\"StreamName\": \"seq\", \"ShardCount\": 1}", &b),
                   200);
  char body[4096];
  size_t n = (size_t)sprintf(body, "{\"StreamName\": \"seq\", \"Records\": [");
  for (int i = 0; i < 12; i++)
    n += (size_t)sprintf(body + n, "%s{\"Data\": \"\", \"PartitionKey\": \"k%d\"}", i ? ", " : "",
                         i);
  sprintf(body + n, "]}");
  assert_int_equal(call(fd, "PutRecords", body, &b), 200);
  char want[4096];
  n = (size_t)sprintf(want, "{\"FailedRecordCount\":0,\"Records\":[");
  for (int i = 0; i < 12; i++)
    n += (size_t)sprintf(want + n,
                         "%s{\"SequenceNumber\":\"490000000000%020d000000000000000000000000\","
                         "\"ShardId\":\"shardId-000000000000\"}",
                         i ? "," : "", i);
  sprintf(want + n, "]}");
  assert_string_equal(b, want);
  close(fd);
}

/* PutRecords takes a one-pass parser for the plain JSON that SDKs send and
 * cJSON for everything else (escapes here): the replies and the stored
 * records must not tell the two apart. */
static void test_put_paths(void **state) {
  rlen = 0;
  int fd = connect_server();
  char *b;
  assert_int_equal(call(fd, "CreateStream", "{\"StreamName\": \"paths\", \"ShardCount\": 1}", &b),
                   200);
  static const char *const bodies[2] = {
      "{\"StreamName\":\"paths\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\xc3\xa9\"},"
      "{\"Data\":\"YWI=\",\"PartitionKey\":\"q\",\"ExplicitHashKey\":\"5\"}]}",
      "{\"StreamName\":\"paths\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"p\\u00e9\"},"
      "{\"Data\":\"YWI=\",\"PartitionKey\":\"\\u0071\",\"ExplicitHashKey\":\"5\"}]}",
  };
  for (int i = 0; i < 2; i++) {
    assert_int_equal(call(fd, "PutRecords", bodies[i], &b), 200);
    char want[512];
    snprintf(want, sizeof want,
             "{\"FailedRecordCount\":0,\"Records\":[{\"SequenceNumber\":"
             "\"490000000000%020d000000000000000000000000\",\"ShardId\":\"shardId-000000000000\"},"
             "{\"SequenceNumber\":\"490000000000%020d000000000000000000000000\",\"ShardId\":"
             "\"shardId-000000000000\"}]}",
             2 * i, 2 * i + 1);
    assert_string_equal(b, want);
  }
  assert_int_equal(call(fd, "GetShardIterator",
                        "{\"StreamName\": \"paths\", \"ShardId\": \"shardId-000000000000\", "
                        "\"ShardIteratorType\": \"TRIM_HORIZON\"}",
                        &b),
                   200);
  char it[600], body[800];
  assert_int_equal(sscanf(b, "{\"ShardIterator\":\"%599[^\"]\"}", it), 1);
  snprintf(body, sizeof body, "{\"ShardIterator\": \"%s\"}", it);
  assert_int_equal(call(fd, "GetRecords", body, &b), 200);
  char *ni = strstr(b, ",\"NextShardIterator\"");
  assert_non_null(ni);
  *ni = 0;
  zero_number(b, "ApproximateArrivalTimestamp");
  zero_number(b, "MillisBehindLatest");
  char want[2048];
  size_t n = (size_t)sprintf(want, "{\"Records\":[");
  for (int i = 0; i < 4; i += 2)
    n += (size_t)sprintf(
        want + n,
        "%s{\"SequenceNumber\":\"490000000000%020d000000000000000000000000\","
        "\"ApproximateArrivalTimestamp\":0,\"Data\":\"YQ==\",\"PartitionKey\":\"p\xc3\xa9\"},"
        "{\"SequenceNumber\":\"490000000000%020d000000000000000000000000\","
        "\"ApproximateArrivalTimestamp\":0,\"Data\":\"YWI=\",\"PartitionKey\":\"q\"}",
        i ? "," : "", i, i + 1);
  sprintf(want + n, "],\"MillisBehindLatest\":0");
  assert_string_equal(b, want);
  /* errors after validation come out the same way on both paths */
  static const char *const missing[2] = {
      "{\"StreamName\":\"nope\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"k\"}]}",
      "{\"StreamName\":\"nope\",\"Records\":[{\"Data\":\"\",\"PartitionKey\":\"\\u006b\"}]}",
  };
  for (int i = 0; i < 2; i++) {
    assert_int_equal(call(fd, "PutRecords", missing[i], &b), 400);
    assert_string_equal(b, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Stream nope "
                           "under account 000000000000 not found.\"}");
  }
  close(fd);
}

/* Sends action with body (any size) and reads the response. */
static int call_big(int fd, const char *action, const char *body, char **out) {
  char head[512];
  int hl = snprintf(head, sizeof head,
                    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Kinesis_20131202.%s\r\n"
                    "Content-Type: application/x-amz-json-1.1\r\nContent-Length: %zu\r\n\r\n",
                    action, strlen(body));
  send_all(fd, head, (size_t)hl);
  send_all(fd, body, strlen(body));
  return read_response(fd, out);
}

/* The data of record i of test_get_large: 1000 bytes that differ per record. */
static void large_data(int i, uint8_t d[1000]) {
  for (int j = 0; j < 1000; j++) d[j] = (uint8_t)(i * 7 + j * 13 + (j >> 8));
}

/* The first occurrence of lit in [p, p + 4096) (bounded: strstr under ASan
 * measures the whole remaining page on every call). */
static const char *near(const char *p, const char *lit) {
  size_t n = strnlen(p, 4096);
  return memmem(p, n, lit, strlen(lit));
}

/* Checks a GetRecords reply of test_get_large: n records from position 0,
 * each with its own data and key. */
static void check_large_page(const char *b, int n) {
  const char *p = b;
  for (int i = 0; i < n; i++) {
    char want[128];
    snprintf(want, sizeof want, "{\"SequenceNumber\":\"490000000000%020d000000000000000000000000\"",
             i);
    p = near(p, want);
    if (!p) fail_msg("record %d not found", i);
    const char *d = near(p, "\"Data\":\"");
    assert_non_null(d);
    d += 8;
    const char *e = memchr(d, '"', 2000);
    assert_non_null(e);
    uint8_t got[1000], exp[1000];
    size_t len = 0, bad = 0;
    assert_int_equal(e - d, 1336);
    assert_int_equal(core_base64_decode(d, (size_t)(e - d), got, &len, &bad), SLUICE_OK);
    assert_int_equal(len, 1000);
    large_data(i, exp);
    assert_memory_equal(got, exp, 1000);
    snprintf(want, sizeof want, "\",\"PartitionKey\":\"key-%d\"}", i);
    assert_memory_equal(e, want, strlen(want));
    p = e;
  }
  assert_null(near(p, "SequenceNumber"));
}

/* GetRecords pages of several MB go out partly straight from the reply
 * buffer and partly queued; two pipelined requests check that the queued
 * rest of the first reply stays in front of the second. */
static void test_get_large(void **state) {
  rlen = 0;
  int fd = connect_server();
  char *b;
  assert_int_equal(call(fd, "CreateStream", "{\"StreamName\": \"large\", \"ShardCount\": 1}", &b),
                   200);
  enum { PUTS = 8, PER = 500 };
  char *body = malloc(PER * 1500 + 256);
  for (int k = 0; k < PUTS; k++) {
    size_t n = (size_t)sprintf(body, "{\"StreamName\": \"large\", \"Records\": [");
    for (int i = k * PER; i < (k + 1) * PER; i++) {
      uint8_t d[1000];
      large_data(i, d);
      n += (size_t)sprintf(body + n, "%s{\"PartitionKey\": \"key-%d\", \"Data\": \"",
                           i > k * PER ? ", " : "", i);
      n += core_base64_encode(d, sizeof d, body + n);
      n += (size_t)sprintf(body + n, "\"}");
    }
    sprintf(body + n, "]}");
    assert_int_equal(call_big(fd, "PutRecords", body, &b), 200);
    assert_non_null(strstr(b, "\"FailedRecordCount\":0,"));
  }
  free(body);
  assert_int_equal(call(fd, "GetShardIterator",
                        "{\"StreamName\": \"large\", \"ShardId\": \"shardId-000000000000\", "
                        "\"ShardIteratorType\": \"TRIM_HORIZON\"}",
                        &b),
                   200);
  char it[600];
  assert_int_equal(sscanf(b, "{\"ShardIterator\":\"%599[^\"]\"}", it), 1);
  char get[800], req[2][2048], both[4096];
  snprintf(get, sizeof get, "{\"ShardIterator\": \"%s\"}", it);
  request(req[0], sizeof req[0], "GetRecords", get);
  snprintf(get, sizeof get, "{\"ShardIterator\": \"%s\", \"Limit\": 3000}", it);
  request(req[1], sizeof req[1], "GetRecords", get);
  snprintf(both, sizeof both, "%s%s", req[0], req[1]);
  send_all(fd, both, strlen(both));
  usleep(100000); /* not reading yet: the first reply fills the socket and the rest queues */
  assert_int_equal(read_response(fd, &b), 200);
  check_large_page(b, PUTS * PER);
  assert_int_equal(read_response(fd, &b), 200);
  check_large_page(b, 3000);
  close(fd);
}

static void test_errors_and_pipelining(void **state) {
  rlen = 0;
  int fd = connect_server();
  char req[3][2048];
  request(req[0], sizeof req[0], "DescribeStreamSummary", "{\"StreamName\": \"does-not-exist\"}");
  request(req[1], sizeof req[1], "DescribeLimits", "{}");
  request(req[2], sizeof req[2], "GetRecords", "{\"ShardIterator\": \"AAAAAAAAAAFbogus\"}");
  char all[6144];
  snprintf(all, sizeof all, "%s%s%s", req[0], req[1], req[2]);
  send_all(fd, all, strlen(all)); /* three pipelined requests in one write */
  char *b;
  assert_int_equal(read_response(fd, &b), 400);
  assert_string_equal(b, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Stream "
                         "does-not-exist under account 000000000000 not found.\"}");
  assert_int_equal(read_response(fd, &b), 200);
  assert_string_equal(b, "{\"ShardLimit\":10000,\"OpenShardCount\":3,\"OnDemandStreamCount\":0,"
                         "\"OnDemandStreamCountLimit\":50}");
  assert_int_equal(read_response(fd, &b), 400);
  assert_string_equal(b, "{\"__type\":\"InvalidArgumentException\",\"message\":\"Invalid "
                         "ShardIterator.\"}");
  assert_int_equal(call(fd, "Nonexistent", "{}", &b), 400);
  assert_string_equal(b, "{\"__type\":\"UnknownOperationException\"}");
  assert_int_equal(call(fd, "PutRecord", "{bad json", &b), 400);
  assert_string_equal(b, "{\"__type\":\"SerializationException\"}");
  assert_int_equal(call(fd, "ListShards", "{\"StreamName\":\"wire\",\"NextToken\":\"abc\"}", &b),
                   400);
  assert_string_equal(b, "{\"__type\":\"InvalidArgumentException\",\"message\":\"NextToken and "
                         "StreamName cannot be provided together.\"}");
  assert_int_equal(call(fd, "IncreaseStreamRetentionPeriod",
                        "{\"StreamName\":\"wire\",\"RetentionPeriodHours\":8761}", &b),
                   400);
  assert_string_equal(b, "{\"__type\":\"InvalidArgumentException\",\"message\":\"Maximum allowed "
                         "retention period is 8760 hours. Requested retention period (8761 "
                         "hours) is too long.\"}");
  /* spec section 4: semantic checks (InvalidArgument) before existence (ResourceNotFound) */
  assert_int_equal(call(fd, "IncreaseStreamRetentionPeriod",
                        "{\"StreamName\":\"nope\",\"RetentionPeriodHours\":23}", &b),
                   400);
  assert_string_equal(b, "{\"__type\":\"InvalidArgumentException\",\"message\":\"Minimum allowed "
                         "retention period is 24 hours. Requested retention period (23 hours) is "
                         "too short.\"}");
  assert_int_equal(call(fd, "PutRecord",
                        "{\"StreamName\":\"nope\",\"Data\":\"aGk=\",\"PartitionKey\":\"a\","
                        "\"ExplicitHashKey\":\"340282366920938463463374607431768211456\"}",
                        &b),
                   400);
  assert_string_equal(b, "{\"__type\":\"InvalidArgumentException\",\"message\":\"Invalid "
                         "ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                         "Specified value was 340282366920938463463374607431768211456\"}");
  assert_int_equal(call(fd, "GetShardIterator",
                        "{\"StreamName\":\"nope\",\"ShardId\":\"shardId-000000000000\","
                        "\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\"}",
                        &b),
                   400);
  assert_non_null(strstr(b, "InvalidArgumentException"));
  /* a GET gets kinesalite's 403 XML */
  send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
  assert_int_equal(read_response(fd, &b), 403);
  assert_string_equal(b, "<AccessDeniedException>\n  <Message>Unable to determine "
                         "service/operation name to be authorized</Message>\n"
                         "</AccessDeniedException>\n");
  close(fd);
}

static void test_void_and_missing_auth(void **state) {
  /* [IMPL] a request without Authorization is served (signatures are never checked) */
  rlen = 0;
  int fd = connect_server();
  const char *r = "POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.AddTagsToStream\r\n"
                  "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 46\r\n\r\n"
                  "{\"StreamName\": \"wire\", \"Tags\": {\"env\": \"dev\"}}";
  send_all(fd, r, strlen(r));
  char *b;
  assert_int_equal(read_response(fd, &b), 200);
  assert_true(strstr(rbuf, "") != NULL);
  assert_string_equal(b, "");
  assert_int_equal(call(fd, "ListTagsForStream", "{\"StreamName\": \"wire\"}", &b), 200);
  assert_string_equal(b, "{\"Tags\":[{\"Key\":\"env\",\"Value\":\"dev\"}],\"HasMoreTags\":false}");
  close(fd);
}

static void test_body_too_large(void **state) {
  rlen = 0;
  int fd = connect_server();
  char head[256];
  snprintf(head, sizeof head,
           "POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\n"
           "Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n",
           SERVER_MAX_BODY + 1);
  send_all(fd, head, strlen(head));
  char *b;
  assert_int_equal(read_response(fd, &b), 413);
  close(fd);
}

static void test_put_records_5mib(void **state) {
  /* 6 records of 1 MiB - 64 bytes: each valid, together above 5 MiB */
  rlen = 0;
  int fd = connect_server();
  size_t each = 1048576 - 64, b64 = (each + 2) / 3 * 4;
  char *body = malloc(6 * (b64 + 64) + 128);
  size_t n = (size_t)sprintf(body, "{\"StreamName\": \"wire\", \"Records\": [");
  for (int i = 0; i < 6; i++) {
    n += (size_t)sprintf(body + n, "%s{\"PartitionKey\": \"k\", \"Data\": \"", i ? ", " : "");
    memset(body + n, 'A', b64);
    n += b64;
    n += (size_t)sprintf(body + n, "\"}");
  }
  n += (size_t)sprintf(body + n, "]}");
  char head[256];
  snprintf(head, sizeof head,
           "POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\n"
           "Content-Type: application/x-amz-json-1.1\r\nContent-Length: %zu\r\n\r\n",
           n);
  send_all(fd, head, strlen(head));
  send_all(fd, body, n);
  free(body);
  char *b;
  assert_int_equal(read_response(fd, &b), 400);
  assert_string_equal(b, "{\"__type\":\"InvalidArgumentException\",\"message\":\"Records size "
                         "exceeds 5 MB limit\"}");
  close(fd);
}

static void test_protocol_errors(void **state) {
  rlen = 0;
  int fd = connect_server();
  char *b;
  const char *cbor = "POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                     "Content-Type: application/x-amz-cbor-1.1\r\nContent-Length: 1\r\n\r\n\xa0";
  send_all(fd, cbor, strlen(cbor));
  assert_int_equal(read_response(fd, &b), 400);
  assert_string_equal(b,
                      "{\"__type\":\"SerializationException\",\"message\":\"sluice does not "
                      "speak CBOR; disable it in the client (AWS_CBOR_DISABLE=1 for the Java SDK "
                      "v1, -Daws.cborEnabled=false for v2)\"}");
  const char *plain = "POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n"
                      "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}";
  send_all(fd, plain, strlen(plain));
  assert_int_equal(read_response(fd, &b), 404);
  assert_string_equal(b, "<UnknownOperationException/>\n");
  static const char nul[] = "POST / HTTP/1.1\r\nX-Amz-Target: Kinesis_20131202.CreateStream\r\n"
                            "Content-Type: application/x-amz-json-1.1\r\nContent-Length: 35\r\n\r\n"
                            "{\"StreamName\":\"a\0b\",\"ShardCount\":1}";
  send_all(fd, nul, sizeof nul - 1);
  assert_int_equal(read_response(fd, &b), 400);
  assert_string_equal(b, "{\"__type\":\"SerializationException\"}");
  const char *chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  send_all(fd, chunked, strlen(chunked));
  assert_int_equal(read_response(fd, &b), 411);
  close(fd);
}

static void test_h2c_preface(void **state) {
  /* prior knowledge: the preface and an empty SETTINGS frame get the server's SETTINGS */
  int fd = connect_server();
  static const char hello[] =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";
  send_all(fd, hello, sizeof hello - 1);
  uint8_t head[9];
  size_t got = 0;
  while (got < 9) {
    ssize_t n = read(fd, head + got, 9 - got);
    assert_true(n > 0);
    got += (size_t)n;
  }
  assert_int_equal(head[3], 0x04); /* SETTINGS */
  assert_int_equal(head[4], 0x00); /* not an ACK: the server's own */
  assert_int_equal(head[2] % 6, 0);
  close(fd);
}

/* Reads the chunked body of an event stream until its last chunk. */
static size_t read_chunked(int fd, uint8_t *out, size_t size) {
  size_t n = 0;
  for (int guard = 0; guard < 100000; guard++) {
    char *end = memmem(rbuf, rlen, "\r\n", 2);
    if (end) {
      size_t len = strtoul(rbuf, NULL, 16);
      size_t hl = (size_t)(end - rbuf) + 2;
      if (rlen >= hl + len + 2) {
        assert_true(n + len <= size);
        memcpy(out + n, rbuf + hl, len);
        n += len;
        memmove(rbuf, rbuf + hl + len + 2, rlen - hl - len - 2);
        rlen -= hl + len + 2;
        if (len == 0) return n;
        continue;
      }
    }
    ssize_t r = read(fd, rbuf + rlen, sizeof rbuf - rlen - 1);
    assert_true(r > 0);
    rlen += (size_t)r;
  }
  fail();
  return 0;
}

static void test_subscribe(void **state) {
  rlen = 0;
  int fd = connect_server();
  char *b;
  assert_int_equal(call(fd, "CreateStream", "{\"StreamName\": \"sub\", \"ShardCount\": 1}", &b),
                   200);
  assert_int_equal(call(fd, "PutRecord",
                        "{\"StreamName\": \"sub\", \"Data\": \"b25l\", \"PartitionKey\": \"k\"}",
                        &b),
                   200);
  assert_int_equal(call(fd, "RegisterStreamConsumer",
                        "{\"StreamARN\": \"arn:aws:kinesis:us-east-1:000000000000:stream/sub\", "
                        "\"ConsumerName\": \"c1\"}",
                        &b),
                   200);
  char arn[300];
  assert_int_equal(
      sscanf(b, "{\"Consumer\":{\"ConsumerName\":\"c1\",\"ConsumerARN\":\"%299[^\"]\"", arn), 1);
  assert_non_null(strstr(b, "\"ConsumerStatus\":\"CREATING\""));
  char body[600];
  snprintf(body, sizeof body,
           "{\"ConsumerARN\": \"%s\", \"ShardId\": \"shardId-000000000000\", "
           "\"StartingPosition\": {\"Type\": \"TRIM_HORIZON\"}}",
           arn);
  char req[2048];
  request(req, sizeof req, "SubscribeToShard", body);
  send_all(fd, req, strlen(req));
  /* headers of a chunked response */
  char *end = NULL;
  for (int i = 0; i < 1000 && !(end = memmem(rbuf, rlen, "\r\n\r\n", 4)); i++) {
    ssize_t r = read(fd, rbuf + rlen, sizeof rbuf - rlen - 1);
    assert_true(r > 0);
    rlen += (size_t)r;
  }
  assert_non_null(end);
  *end = 0;
  assert_memory_equal(rbuf, "HTTP/1.1 200 OK", 15);
  assert_non_null(strstr(rbuf, "Content-Type: application/vnd.amazon.eventstream"));
  assert_non_null(strstr(rbuf, "Transfer-Encoding: chunked"));
  size_t hl = (size_t)(end - rbuf) + 4;
  memmove(rbuf, rbuf + hl, rlen - hl);
  rlen -= hl;
  /* the stream ends after subscribe_ms (1.5 s here) */
  static uint8_t ev[1 << 16];
  size_t n = read_chunked(fd, ev, sizeof ev);
  /* first message: initial-response, byte for byte as in test_evstream.c */
  assert_true(n > 104);
  assert_int_equal(ev[3], 104);
  assert_memory_equal(ev + 12 + 22 + 13, "\x00\x10initial-response", 18);
  /* second: the record */
  uint8_t *m = ev + 104;
  uint32_t total = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
  uint32_t hlen = (uint32_t)m[4] << 24 | (uint32_t)m[5] << 16 | (uint32_t)m[6] << 8 | m[7];
  assert_true(104 + total <= n);
  uint32_t crc = server_crc32(0, m, total - 4);
  assert_int_equal(m[total - 4], crc >> 24);
  assert_int_equal(m[total - 1], crc & 0xff);
  char payload[1024];
  size_t pl = total - 16 - hlen;
  assert_true(pl < sizeof payload);
  memcpy(payload, m + 12 + hlen, pl);
  payload[pl] = 0;
  zero_number(payload, "ApproximateArrivalTimestamp");
  assert_string_equal(payload,
                      "{\"Records\":[{\"SequenceNumber\":"
                      "\"49000000000000000000000000000000000000000000000000000000\","
                      "\"ApproximateArrivalTimestamp\":0,\"Data\":\"b25l\",\"PartitionKey\":\"k\","
                      "\"EncryptionType\":\"NONE\"}],\"ContinuationSequenceNumber\":"
                      "\"49000000000000000000000000000000000000000000000000000000\","
                      "\"MillisBehindLatest\":0}");
  close(fd);
}

static void *run_server(void *arg) {
  server_run(arg, NULL);
  return NULL;
}

static void test_borrowed_store(void **state) {
  /* a server over a store someone else opened (the engine's): it serves the
   * store's streams and leaves the store open when it stops */
  char bdir[64];
  snprintf(bdir, sizeof bdir, "/tmp/sluice-server-borrow-XXXXXX");
  assert_non_null(mkdtemp(bdir));
  core_clock *clock = core_clock_new(CORE_CLOCK_LIVE, 0);
  stream_store *st = NULL;
  assert_int_equal(stream_store_open(bdir, NULL, clock, &st, NULL), SLUICE_OK);
  assert_int_equal(stream_create(st, "APP.DEST_SQL_STREAM", 1, STREAM_PROVISIONED, NULL, NULL),
                   SLUICE_OK);
  server_config c;
  server_config_init(&c);
  c.data_dir = bdir;
  c.listen = "127.0.0.1:0";
  c.quiet = true;
  c.store = st;
  server_t *other = NULL;
  assert_int_equal(server_new(&c, &other, NULL), SLUICE_OK);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, run_server, other), 0);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port(other))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  rlen = 0;
  char *b;
  assert_int_equal(call(fd, "ListStreams", "{}", &b), 200);
  assert_memory_equal(b, "{\"StreamNames\":[\"APP.DEST_SQL_STREAM\"],\"HasMoreStreams\":false,",
                      62);
  /* arrival times chosen by the appender come back as epoch seconds with the
   * millisecond fraction's trailing zeros dropped */
  stream_handle *h = NULL;
  assert_int_equal(stream_get(st, "APP.DEST_SQL_STREAM", &h, NULL), SLUICE_OK);
  int64_t sec = core_wall_ms() / 1000 - 60; /* recent: inside the retention period */
  static const int64_t offsets[] = {0, 9300, 9360, 9366, 10007};
  for (int i = 0; i < 5; i++) {
    stream_record_in r = {.partition_key = "k", .partition_key_len = 1, .data = "", .data_len = 0};
    stream_append_result ar;
    assert_int_equal(stream_append(h, &r, 1, sec * 1000 + offsets[i], &ar, NULL), SLUICE_OK);
    assert_int_equal(ar.rc, SLUICE_OK);
  }
  stream_release(h);
  assert_int_equal(call(fd, "GetShardIterator",
                        "{\"StreamName\": \"APP.DEST_SQL_STREAM\", \"ShardId\": "
                        "\"shardId-000000000000\", \"ShardIteratorType\": \"TRIM_HORIZON\"}",
                        &b),
                   200);
  char it[SERVER_ITER_MAX + 64], gr[SERVER_ITER_MAX + 128];
  assert_int_equal(sscanf(b, "{\"ShardIterator\":\"%[^\"]\"}", it), 1);
  snprintf(gr, sizeof gr, "{\"ShardIterator\": \"%s\"}", it);
  assert_int_equal(call(fd, "GetRecords", gr, &b), 200);
  static const char *const texts[] = {"%lld,", "%lld.3,", "%lld.36,", "%lld.366,", "%lld.007,"};
  static const int64_t whole[] = {0, 9, 9, 9, 10};
  const char *p = b;
  for (int i = 0; i < 5; i++) {
    char ts[40], want[160];
    snprintf(ts, sizeof ts, texts[i], (long long)(sec + whole[i]));
    snprintf(want, sizeof want,
             "{\"SequenceNumber\":\"490000000000%020d000000000000000000000000\","
             "\"ApproximateArrivalTimestamp\":%s",
             i, ts);
    p = strstr(p, want);
    assert_non_null(p);
  }
  close(fd);
  server_stop(other);
  pthread_join(t, NULL);
  server_free(other);
  /* still open and usable */
  const char **names = NULL;
  size_t n = 0;
  bool more = false;
  core_arena *ar = core_arena_new(0);
  assert_int_equal(stream_list(st, NULL, 0, ar, &names, &n, &more, NULL), SLUICE_OK);
  assert_int_equal(n, 1);
  core_arena_free(ar);
  stream_store_close(st);
  core_clock_free(clock);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", bdir);
  assert_int_equal(system(cmd), 0);
}

static int failed;

static void *tests_thread(void *arg) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_put_get),
      cmocka_unit_test(test_sequence_runs),
      cmocka_unit_test(test_errors_and_pipelining), /* counts the open shards up to here */
      cmocka_unit_test(test_put_paths),
      cmocka_unit_test(test_get_large),
      cmocka_unit_test(test_void_and_missing_auth),
      cmocka_unit_test(test_body_too_large),
      cmocka_unit_test(test_put_records_5mib),
      cmocka_unit_test(test_protocol_errors),
      cmocka_unit_test(test_h2c_preface),
      cmocka_unit_test(test_subscribe),
      cmocka_unit_test(test_borrowed_store),
  };
  failed = cmocka_run_group_tests(tests, setup, teardown);
  server_stop(srv);
  return NULL;
}

int main(void) {
  if (start_server() != 0) return 1;
  pthread_t t;
  if (pthread_create(&t, NULL, tests_thread, NULL) != 0) return 1;
  server_run(srv, NULL);
  pthread_join(t, NULL);
  server_free(srv);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) return 1;
  return failed;
}

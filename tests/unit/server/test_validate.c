/* Request validation: every rule of the spec's limits table with AWS's exact
 * wording, type errors, several violations at once, and ARN parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/server.h"

static char type[64];
static char msg[8192];

/* Validates body for action and checks the error type and message. */
static void expect(const char *action, const char *body, const char *want_type,
                   const char *want_msg) {
  int rc = server_validate(action, body, strlen(body), type, msg, sizeof msg);
  if (!want_type) {
    if (rc != SLUICE_OK) fail_msg("%s %s: unexpected %s: %s", action, body, type, msg);
    return;
  }
  assert_int_equal(rc, SLUICE_INVALID);
  assert_string_equal(type, want_type);
  assert_string_equal(msg, want_msg);
}

#define VE1 "1 validation error detected: "
#define NAME_RX "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"

static void test_stream_name(void **state) {
  expect("DescribeStream", "{\"StreamName\":\"ok_name-1.x\"}", NULL, NULL);
  expect("CreateStream", "{\"StreamName\":\"bad name!\",\"ShardCount\":1}", "ValidationException",
         VE1 "Value 'bad name!' at 'streamName' failed to satisfy constraint: " NAME_RX);
  expect("DescribeStream", "{\"StreamName\":\"\"}", "ValidationException",
         "2 validation errors detected: Value '' at 'streamName' failed to satisfy "
         "constraint: " NAME_RX
         "; Value '' at 'streamName' failed to satisfy constraint: Member must have length greater "
         "than or equal to 1");
  char body[300], want[600];
  char name[130];
  memset(name, 'a', 129);
  name[129] = 0;
  snprintf(body, sizeof body, "{\"StreamName\":\"%s\"}", name);
  snprintf(want, sizeof want,
           VE1 "Value '%s' at 'streamName' failed to satisfy constraint: Member must have length "
               "less than or equal to 128",
           name);
  expect("DescribeStreamSummary", body, "ValidationException", want);
  expect("DescribeStreamSummary", "{}", "ValidationException",
         VE1 "Value null at 'streamName' failed to satisfy constraint: Member must not be null");
  /* StreamARN stands in for StreamName */
  expect("DescribeStreamSummary",
         "{\"StreamARN\":\"arn:aws:kinesis:eu-west-1:123456789012:stream/x\"}", NULL, NULL);
}

static void test_stream_arn(void **state) {
  expect("DescribeStreamSummary", "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123:stream/x\"}",
         "ValidationException",
         VE1 "Value 'arn:aws:kinesis:us-east-1:123:stream/x' at 'streamARN' failed to satisfy "
             "constraint: Member must satisfy regular expression pattern: "
             "arn:aws.*:kinesis:.*:\\d{12}:stream/.+");
  expect("UpdateStreamMode", "{\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}",
         "ValidationException",
         VE1 "Value null at 'streamARN' failed to satisfy constraint: Member must not be null");
  expect("UpdateStreamMode",
         "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/wm\","
         "\"StreamModeDetails\":{\"StreamMode\":\"FAST\"}}",
         "ValidationException",
         VE1 "Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member "
             "must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
}

static void test_consumer(void **state) {
  expect("RegisterStreamConsumer",
         "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/wm\","
         "\"ConsumerName\":\"bad/name\"}",
         "ValidationException",
         VE1 "Value 'bad/name' at 'consumerName' failed to satisfy constraint: " NAME_RX);
  expect("DescribeStreamConsumer",
         "{\"ConsumerARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/wm\"}",
         "ValidationException",
         VE1 "Value 'arn:aws:kinesis:us-east-1:000000000000:stream/wm' at 'consumerARN' failed to "
             "satisfy constraint: Member must satisfy regular expression pattern: "
             "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/"
             "[a-zA-Z0-9_.-]+:[0-9]+");
  expect("DescribeStreamConsumer",
         "{\"ConsumerARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/wm/consumer/"
         "c:1795316738\"}",
         NULL, NULL);
}

static void test_shard_id_and_keys(void **state) {
  expect("GetShardIterator",
         "{\"StreamName\":\"s\",\"ShardId\":\"shard id\",\"ShardIteratorType\":\"LATEST\"}",
         "ValidationException",
         VE1 "Value 'shard id' at 'shardId' failed to satisfy constraint: " NAME_RX);
  expect("GetShardIterator",
         "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
         "\"OLDEST\"}",
         "ValidationException",
         VE1 "Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must "
             "satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, "
             "LATEST, AT_TIMESTAMP]");
  expect("GetShardIterator",
         "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
         "\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"012\"}",
         "ValidationException",
         VE1 "Value '012' at 'startingSequenceNumber' failed to satisfy constraint: Member must "
             "satisfy regular expression pattern: 0|([1-9]\\d{0,128})");
  expect(
      "PutRecord",
      "{\"StreamName\":\"s\",\"Data\":\"aGk=\",\"PartitionKey\":\"a\",\"ExplicitHashKey\":\"-1\"}",
      "ValidationException",
      VE1 "Value '-1' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy "
          "regular expression pattern: 0|([1-9]\\d{0,38})");
  expect("SplitShard",
         "{\"StreamName\":\"s\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":"
         "\"1a\"}",
         "ValidationException",
         VE1 "Value '1a' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy "
             "regular expression pattern: 0|([1-9]\\d{0,38})");
}

static void test_partition_key_and_data(void **state) {
  expect("PutRecord", "{\"StreamName\":\"val\",\"Data\":\"aGk=\",\"PartitionKey\":\"\"}",
         "ValidationException",
         VE1 "Value '' at 'partitionKey' failed to satisfy constraint: Member must have length "
             "greater than or equal to 1");
  char *body = malloc(2 * 1024 * 1024);
  char key[258];
  memset(key, 'k', 257);
  key[257] = 0;
  sprintf(body, "{\"StreamName\":\"val\",\"Data\":\"aGk=\",\"PartitionKey\":\"%s\"}", key);
  char want[1024];
  snprintf(want, sizeof want,
           VE1 "Value '%s' at 'partitionKey' failed to satisfy constraint: Member must have "
               "length less than or equal to 256",
           key);
  expect("PutRecord", body, "ValidationException", want);
  /* 1 MiB + 3 bytes of data: 1398108 base64 characters */
  size_t n = sprintf(body, "{\"StreamName\":\"val\",\"PartitionKey\":\"a\",\"Data\":\"");
  memset(body + n, 'A', 1398104);
  n += 1398104;
  strcpy(body + n, "\"}");
  expect("PutRecord", body, "ValidationException",
         VE1 "Value 'java.nio.HeapByteBuffer[pos=0 lim=1048578 cap=1048578]' at 'data' failed to "
             "satisfy constraint: Member must have length less than or equal to 1048576");
  free(body);
  expect("PutRecord", "{\"StreamName\":\"val\",\"Data\":\"not base64!!\",\"PartitionKey\":\"a\"}",
         "SerializationException",
         "'not base64!!' can not be converted to a Blob: Invalid Base64 character: ' '");
  expect("PutRecord", "{\"StreamName\":\"val\",\"Data\":\"abc\",\"PartitionKey\":\"a\"}",
         "SerializationException",
         "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 "
         "bytes but found: 3");
  expect("PutRecord", "{\"StreamName\":\"val\",\"Data\":\"YQ=a\",\"PartitionKey\":\"a\"}",
         "SerializationException",
         "'YQ=a' can not be converted to a Blob: Invalid Base64 character: '='");
  expect("PutRecord", "{\"StreamName\":\"val\",\"Data\":\"Y===\",\"PartitionKey\":\"a\"}",
         "SerializationException",
         "'Y===' can not be converted to a Blob: Invalid Base64 character: '='");
  expect("PutRecord", "{\"StreamName\":\"val\",\"Data\":\"YQ==\",\"PartitionKey\":\"a\"}", NULL,
         NULL);
  expect("PutRecord", "{\"StreamName\":\"val\",\"PartitionKey\":\"a\"}", "ValidationException",
         VE1 "Value null at 'data' failed to satisfy constraint: Member must not be null");
}

static void test_put_records(void **state) {
  expect("PutRecords", "{\"StreamName\":\"s\",\"Records\":[]}", "ValidationException",
         VE1 "Value '[]' at 'records' failed to satisfy constraint: Member must have length "
             "greater than or equal to 1");
  {
    size_t cap = 600 * 40 + 100, n = 0;
    static char b_buf[600 * 40 + 100];
    char *b = b_buf;
    (void)cap;
    n += (size_t)sprintf(b + n, "{\"StreamName\":\"s\",\"Records\":[");
    for (int i = 0; i < 501; i++)
      n += (size_t)sprintf(b + n, "%s{\"Data\":\"\",\"PartitionKey\":\"k\"}", i ? "," : "");
    strcpy(b + n, "]}");
    int rc = server_validate("PutRecords", b, strlen(b), type, msg, sizeof msg);
    assert_int_equal(rc, SLUICE_INVALID);
    assert_string_equal(type, "ValidationException");
    if (!strstr(msg, "' at 'records'"))
      fprintf(stderr, "%.300s ... %s\n", msg, msg + strlen(msg) - 200);
    assert_non_null(strstr(msg, "' at 'records' failed to satisfy constraint: Member must have "
                                "length less than or equal to 500"));
    assert_memory_equal(msg, VE1 "Value '[", strlen(VE1 "Value '["));
    b = NULL;
  }
  expect("PutRecords",
         "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"YQ==\",\"PartitionKey\":\"\"},"
         "{\"Data\":\"YQ==\"}]}",
         "ValidationException",
         "2 validation errors detected: Value '' at 'records.1.member.partitionKey' failed to "
         "satisfy constraint: Member must have length greater than or equal to 1; Value null at "
         "'records.2.member.partitionKey' failed to satisfy constraint: Member must not be null");
}

static void test_limits(void **state) {
  expect("GetRecords", "{\"ShardIterator\":\"x\",\"Limit\":10001}", "ValidationException",
         VE1 "Value '10001' at 'limit' failed to satisfy constraint: Member must have value less "
             "than or equal to 10000");
  expect("GetRecords", "{\"ShardIterator\":\"x\",\"Limit\":0}", "ValidationException",
         VE1 "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
             "than or equal to 1");
  char it[600], body[700], want[1000];
  memset(it, 'A', 513);
  it[513] = 0;
  snprintf(body, sizeof body, "{\"ShardIterator\":\"%s\"}", it);
  snprintf(want, sizeof want,
           VE1 "Value '%s' at 'shardIterator' failed to satisfy constraint: Member must have "
               "length less than or equal to 512",
           it);
  expect("GetRecords", body, "ValidationException", want);
  expect("ListShards", "{\"StreamName\":\"s\",\"MaxResults\":10001}", "ValidationException",
         VE1 "Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value "
             "less than or equal to 10000");
  expect("DescribeStream", "{\"StreamName\":\"s\",\"Limit\":0}", "ValidationException",
         VE1 "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
             "than or equal to 1");
  expect("ListStreams", "{\"Limit\":10001}", "ValidationException",
         VE1 "Value '10001' at 'limit' failed to satisfy constraint: Member must have value less "
             "than or equal to 10000");
  expect("ListStreamConsumers",
         "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/wm\",\"MaxResults\":0}",
         "ValidationException",
         VE1 "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value "
             "greater than or equal to 1");
  expect("ListTagsForStream", "{\"StreamName\":\"s\",\"Limit\":51}", "ValidationException",
         VE1 "Value '51' at 'limit' failed to satisfy constraint: Member must have value less "
             "than or equal to 50");
  expect("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":0}", "ValidationException",
         VE1 "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value "
             "greater than or equal to 1");
  expect("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"s\",\"RetentionPeriodHours\":0}",
         "ValidationException",
         VE1 "Value '0' at 'retentionPeriodHours' failed to satisfy constraint: Member must have "
             "value greater than or equal to 1");
  expect("UpdateShardCount",
         "{\"StreamName\":\"s\",\"TargetShardCount\":2,\"ScalingType\":\"FAST\"}",
         "ValidationException",
         VE1 "Value 'FAST' at 'scalingType' failed to satisfy constraint: Member must satisfy enum "
             "value set: [UNIFORM_SCALING]");
}

static void test_tags(void **state) {
  expect("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{}}", "ValidationException",
         VE1 "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater "
             "than or equal to 1");
  char key[130], body[600], want[1200];
  memset(key, 'k', 129);
  key[129] = 0;
  snprintf(body, sizeof body, "{\"StreamName\":\"s\",\"Tags\":{\"%s\":\"v\"}}", key);
  snprintf(want, sizeof want,
           VE1 "Value '{%s=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy "
               "constraint: [Member must have length less than or equal to 128, Member must have "
               "length greater than or equal to 1]",
           key);
  expect("AddTagsToStream", body, "ValidationException", want);
  char val[258];
  memset(val, 'v', 257);
  val[257] = 0;
  snprintf(body, sizeof body, "{\"StreamName\":\"s\",\"Tags\":{\"k\":\"%s\"}}", val);
  snprintf(want, sizeof want,
           VE1 "Value '{k=%s}' at 'tags' failed to satisfy constraint: Map value must satisfy "
               "constraint: [Member must have length less than or equal to 256, Member must have "
               "length greater than or equal to 0]",
           val);
  expect("AddTagsToStream", body, "ValidationException", want);
  expect("RemoveTagsFromStream", "{\"StreamName\":\"s\",\"TagKeys\":[\"\"]}", "ValidationException",
         VE1 "Value '[]' at 'tagKeys' failed to satisfy constraint: Member must satisfy "
             "constraint: [Member must have length less than or equal to 128, Member must have "
             "length greater than or equal to 1]");
}

static void test_metrics(void **state) {
  expect("EnableEnhancedMonitoring", "{\"StreamName\":\"s\",\"ShardLevelMetrics\":[\"Bogus\"]}",
         "ValidationException",
         VE1 "Value '[Bogus]' at 'shardLevelMetrics' failed to satisfy constraint: Member must "
             "satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, "
             "IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, "
             "ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]");
  expect("DisableEnhancedMonitoring", "{\"StreamName\":\"s\",\"ShardLevelMetrics\":[]}",
         "ValidationException",
         VE1 "Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have "
             "length greater than or equal to 1");
  expect("EnableEnhancedMonitoring", "{\"StreamName\":\"s\",\"ShardLevelMetrics\":[\"ALL\"]}", NULL,
         NULL);
}

static void test_types(void **state) {
  expect("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":\"2\"}", "SerializationException",
         "class java.lang.String can not be converted to an Integer");
  expect("CreateStream", "{\"StreamName\":5,\"ShardCount\":1}", "SerializationException",
         "class java.math.BigDecimal can not be converted to an String");
  expect("DeleteStream", "{\"StreamName\":\"s\",\"EnforceConsumerDeletion\":\"yes\"}",
         "SerializationException", "'YES' can not be converted to an Boolean");
  expect("PutRecords", "{\"StreamName\":\"s\",\"Records\":{}}", "SerializationException",
         "Start of structure or map found where not expected.");
  expect("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":[]}", "SerializationException",
         "Start of list found where not expected");
  expect("PutRecord", "{\"StreamName\":\"s\",\"Data\":true,\"PartitionKey\":\"a\"}",
         "SerializationException", "class java.lang.Boolean can not be converted to a Blob");
  expect("PutRecord", "{bad json", "SerializationException", "");
  expect("Nonexistent", "{}", "UnknownOperationException", "");
  /* unknown members are ignored, as AWS does */
  expect("ListStreams", "{\"Whatever\":1}", NULL, NULL);
}

static void test_resource_tags(void **state) {
  expect("ListTagsForResource", "{\"ResourceARN\":\"bogus\"}", "ValidationException",
         VE1 "Value 'bogus' at 'resourceARN' failed to satisfy constraint: Member must satisfy "
             "regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.+");
  expect("ListTagsForResource", "{}", "ValidationException",
         VE1 "Value null at 'resourceARN' failed to satisfy constraint: Member must not be null");
  expect("TagResource",
         "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/"
         "s\",\"Tags\":{\"k\":\"v\"}}",
         NULL, NULL);
  expect("UntagResource",
         "{\"ResourceARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\",\"TagKeys\":[]}",
         "ValidationException",
         VE1
         "Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater "
         "than or equal to 1");
}

static void test_arn_parsing(void **state) {
  char name[129], consumer[129];
  const char *a = "arn:aws:kinesis:us-east-1:000000000000:stream/wire";
  assert_int_equal(server_parse_stream_arn(a, strlen(a), name), SLUICE_OK);
  assert_string_equal(name, "wire");
  const char *b = "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/APP.DEST_SQL_STREAM";
  assert_int_equal(server_parse_stream_arn(b, strlen(b), name), SLUICE_OK);
  assert_string_equal(name, "APP.DEST_SQL_STREAM");
  const char *bad[] = {"arn:aws:kinesis:us-east-1:00000000000:stream/x",
                       "arn:aws:s3:us-east-1:000000000000:stream/x",
                       "arn:aws:kinesis:us-east-1:000000000000:stream/",
                       "arn:aws:kinesis:us-east-1:000000000000:stream/a/b",
                       "xarn:aws:kinesis:us-east-1:000000000000:stream/x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(server_parse_stream_arn(bad[i], strlen(bad[i]), name), SLUICE_INVALID);
  const char *c =
      "arn:aws:kinesis:us-east-1:000000000000:stream/wm/consumer/wire-consumer:1795316738";
  assert_int_equal(server_parse_consumer_arn(c, strlen(c), name, consumer), SLUICE_OK);
  assert_string_equal(name, "wm");
  assert_string_equal(consumer, "wire-consumer");
  const char *d = "arn:aws:kinesis:us-east-1:000000000000:stream/wm/consumer/c";
  assert_int_equal(server_parse_consumer_arn(d, strlen(d), name, consumer), SLUICE_INVALID);
  assert_int_equal(server_parse_consumer_arn(a, strlen(a), name, consumer), SLUICE_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stream_name),
      cmocka_unit_test(test_stream_arn),
      cmocka_unit_test(test_consumer),
      cmocka_unit_test(test_shard_id_and_keys),
      cmocka_unit_test(test_partition_key_and_data),
      cmocka_unit_test(test_put_records),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_tags),
      cmocka_unit_test(test_metrics),
      cmocka_unit_test(test_types),
      cmocka_unit_test(test_resource_tags),
      cmocka_unit_test(test_arn_parsing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

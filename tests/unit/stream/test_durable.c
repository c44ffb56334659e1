/*
 * test_durable.c — what survives close and reopen: records, metadata,
 * lineage; retention driven by the test clock; recovery from a torn or
 * garbage tail; stale positions after delete and recreate; fsync policies.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "helpers.h"

#define HOUR 3600000LL

static void small_segments(stream_options *o) {
  o->segment_bytes = 4096;
  o->index_interval_bytes = 512;
}

static void put_range(fx *f, stream_handle *h, int from, int to, int64_t t) {
  for (int i = from; i < to; i++) {
    char d[120];
    snprintf(d, sizeof d, "record-%04d-%s", i, "................................................");
    fx_put(f, h, "k", d, t);
  }
}

static int read_all(fx *f, stream_handle *h, uint32_t shard, int *first) {
  stream_pos p = fx_iter(f, h, shard, STREAM_TRIM_HORIZON, NULL, 0);
  stream_read_result r;
  assert_int_equal(stream_read(h, &p, 10000, 64 << 20, f->a, &r, &f->e), SLUICE_OK);
  for (size_t i = 0; i < r.n; i++) {
    int no = rec_num(&r.records[i], 7);
    if (i == 0 && first) *first = no;
    if (i > 0) assert_int_equal(no, rec_num(&r.records[i - 1], 7) + 1);
    assert_int_equal(r.records[i].pos, p.pos + i);
  }
  return (int)r.n;
}

static void test_metadata_persists(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "meta", 2);
  core_clock_advance(f->clock, 5);
  assert_int_equal(stream_set_retention(h, 48, 1, &f->e), SLUICE_OK);
  assert_int_equal(stream_set_retention(h, 36, -1, &f->e), SLUICE_OK);
  assert_int_equal(stream_set_mode(h, STREAM_ON_DEMAND, &f->e), SLUICE_OK);
  assert_int_equal(stream_set_encryption(h, STREAM_ENCRYPTION_KMS, "alias/aws/kinesis", &f->e),
                   SLUICE_OK);
  stream_tag tags[3] = {{"team", "data"}, {"env", "prod"}, {"cost", ""}};
  assert_int_equal(stream_tags_add(h, tags, 3, &f->e), SLUICE_OK);
  stream_tag over = {"env", "dev"};
  assert_int_equal(stream_tags_add(h, &over, 1, &f->e), SLUICE_OK);
  const char *rm[] = {"cost", "absent"};
  assert_int_equal(stream_tags_remove(h, rm, 2, &f->e), SLUICE_OK);
  const char *metrics[] = {"IncomingRecords", "IncomingBytes", "IncomingRecords"};
  assert_int_equal(stream_set_metrics(h, metrics, 3, &f->e), SLUICE_OK);
  assert_int_equal(stream_consumer_add(h, "c1",
                                       "arn:aws:kinesis:us-east-1:000000000000:stream/"
                                       "meta/consumer/c1:1700000000",
                                       STREAM_CONSUMER_CREATING, T0, &f->e),
                   SLUICE_OK);
  assert_int_equal(stream_consumer_add(h, "c2", "arn2", STREAM_CONSUMER_ACTIVE, T0 + 1, &f->e),
                   SLUICE_OK);
  assert_int_equal(stream_consumer_set_status(h, "c1", STREAM_CONSUMER_ACTIVE, &f->e), SLUICE_OK);
  assert_int_equal(stream_consumer_remove(h, "c2", &f->e), SLUICE_OK);
  static const uint8_t schema[] = {0, 1, 2, 0xff};
  assert_int_equal(stream_set_attr(h, "kind", "in-application", 14, &f->e), SLUICE_OK);
  assert_int_equal(stream_set_attr(h, "schema", schema, sizeof schema, &f->e), SLUICE_OK);
  assert_int_equal(stream_set_attr(h, "tmp", "x", 1, &f->e), SLUICE_OK);
  assert_int_equal(stream_set_attr(h, "tmp", NULL, 0, &f->e), SLUICE_OK);
  assert_int_equal(stream_split(h, 1, ((core_u128)3) << 126, &f->e), SLUICE_OK);
  uint64_t gen = stream_generation(h);
  stream_release(h);

  fx_reopen(f);
  /* One store per directory. */
  stream_store *second;
  assert_int_equal(stream_store_open(f->dir, &f->opt, f->clock, &second, &f->e), SLUICE_STATE);
  char msg[400];
  snprintf(msg, sizeof msg, "store directory %s is in use by another process", f->dir);
  assert_string_equal(f->e.message, msg);
  assert_int_equal(stream_get(f->st, "meta", &h, &f->e), SLUICE_OK);
  assert_int_equal(stream_generation(h), gen);
  stream_info *in;
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
  assert_string_equal(in->name, "meta");
  assert_int_equal(in->created_ms, T0);
  assert_int_equal(in->retention_hours, 36);
  assert_int_equal(in->mode, STREAM_ON_DEMAND);
  assert_int_equal(in->encryption, STREAM_ENCRYPTION_KMS);
  assert_string_equal(in->key_id, "alias/aws/kinesis");
  assert_int_equal(in->n_tags, 2);
  assert_string_equal(in->tags[0].key, "env");
  assert_string_equal(in->tags[0].value, "dev");
  assert_string_equal(in->tags[1].key, "team");
  assert_int_equal(in->n_metrics, 2);
  assert_string_equal(in->metrics[0], "IncomingBytes");
  assert_string_equal(in->metrics[1], "IncomingRecords");
  assert_int_equal(in->n_consumers, 1);
  assert_string_equal(in->consumers[0].name, "c1");
  assert_string_equal(in->consumers[0].arn,
                      "arn:aws:kinesis:us-east-1:000000000000:stream/meta/consumer/c1:1700000000");
  assert_int_equal(in->consumers[0].status, STREAM_CONSUMER_ACTIVE);
  assert_int_equal(in->consumers[0].created_ms, T0);
  assert_int_equal(in->n_shards, 4);
  assert_true(in->shards[1].closed);
  assert_int_equal(in->shards[3].parent, 1);
  assert_int_equal(in->shards[1].n_children, 2);
  void *v;
  size_t n;
  assert_int_equal(stream_get_attr(h, "kind", f->a, &v, &n, &f->e), SLUICE_OK);
  assert_int_equal(n, 14);
  assert_string_equal(v, "in-application");
  assert_int_equal(stream_get_attr(h, "schema", f->a, &v, &n, &f->e), SLUICE_OK);
  assert_int_equal(n, 4);
  assert_memory_equal(v, schema, 4);
  assert_int_equal(stream_get_attr(h, "tmp", f->a, &v, &n, &f->e), SLUICE_NOTFOUND);
  /* The tag limit: 200 per stream. */
  stream_tag many[199];
  char keys[199][8];
  for (int i = 0; i < 199; i++) {
    snprintf(keys[i], sizeof keys[i], "t%03d", i);
    many[i] = (stream_tag){keys[i], "v"};
  }
  assert_int_equal(stream_tags_add(h, many, 199, &f->e), SLUICE_LIMIT);
  assert_string_equal(f->e.message, "stream meta would hold 201 tags, more than 200");
  assert_int_equal(stream_tags_add(h, many, 198, &f->e), SLUICE_OK);
  stream_release(h);
  fx_free(f);
}

static void test_records_persist_and_generation(void **state) {
  (void)state;
  fx *f = fx_new(small_segments);
  stream_handle *h = fx_create(f, "p", 1);
  put_range(f, h, 0, 299, -1);
  put_range(f, h, 299, 300, T0 + 777); /* the newest arrival, recovered at open */
  stream_pos old = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  stream_release(h);
  fx_reopen(f);
  assert_int_equal(stream_get(f->st, "p", &h, &f->e), SLUICE_OK);
  assert_int_equal(stream_last_arrival(h), T0 + 777);
  assert_int_equal(fx_put(f, h, "k", "record-0300", T0).arrival_ms, T0 + 777);
  int first = -1;
  assert_int_equal(read_all(f, h, 0, &first), 301);
  assert_int_equal(first, 0);
  /* Positions survive a restart. */
  stream_read_result r;
  assert_int_equal(stream_read(h, &old, 1, 1000, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 1);
  /* The store keeps appending after the recovered tip. */
  assert_int_equal(fx_put(f, h, "k", "record-0301", -1).pos, 301);
  stream_store_verify(f->st);
  /* Delete and recreate: old positions are refused, even after reopen. */
  assert_int_equal(stream_delete(h, false, &f->e), SLUICE_OK);
  stream_release(h);
  fx_reopen(f);
  h = fx_create(f, "p", 1);
  assert_int_equal(stream_read(h, &old, 1, 1000, f->a, &r, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "position belongs to another incarnation of stream p");
  assert_int_equal(read_all(f, h, 0, NULL), 0);
  stream_release(h);
  fx_free(f);
}

static int count_segments(fx *f, stream_handle *h, uint32_t shard) {
  (void)h;
  char path[512];
  snprintf(path, sizeof path, "%s/streams/%016llx/%012u", f->dir,
           (unsigned long long)stream_generation(h), shard);
  DIR *d = opendir(path);
  if (!d) return -1;
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)))
    if (strstr(de->d_name, ".seg")) n++;
  closedir(d);
  return n;
}

static void test_retention(void **state) {
  (void)state;
  fx *f = fx_new(small_segments);
  stream_handle *h = fx_create(f, "ret", 1);
  put_range(f, h, 0, 100, T0);          /* old records */
  put_range(f, h, 100, 200, T0 + HOUR); /* one hour later */
  int segs = count_segments(f, h, 0);
  assert_true(segs > 4);
  /* Nothing is older than 24 h yet. */
  core_clock_set(f->clock, T0 + 24 * HOUR);
  assert_int_equal(stream_store_expire(f->st, &f->e), 0);
  assert_int_equal(read_all(f, h, 0, NULL), 200);
  /* Now the first hour's segments go: whole segments only. */
  core_clock_set(f->clock, T0 + 24 * HOUR + 1);
  int gone = stream_store_expire(f->st, &f->e);
  assert_true(gone > 0);
  assert_int_equal(count_segments(f, h, 0), segs - gone);
  int first = -1, n = read_all(f, h, 0, &first);
  assert_true(first > 0 && first <= 100);
  assert_int_equal(first + n, 200);
  stream_pos th = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  assert_int_equal(th.pos, (uint64_t)first);
  /* An expired sequence number reads from the trim horizon. */
  char seq[STREAM_SEQ_TEXT];
  stream_seq_format(0, 0, seq);
  stream_pos p = fx_iter(f, h, 0, STREAM_AT_SEQUENCE_NUMBER, seq, 0);
  assert_int_equal(p.pos, (uint64_t)first);
  p.pos = 0; /* a position taken before expiry */
  stream_read_result r;
  assert_int_equal(stream_read(h, &p, 1, 1000, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.records[0].pos, (uint64_t)first);
  /* A longer retention keeps the rest. */
  assert_int_equal(stream_set_retention(h, 48, 1, &f->e), SLUICE_OK);
  core_clock_set(f->clock, T0 + 30 * HOUR);
  assert_int_equal(stream_store_expire(f->st, &f->e), 0);
  /* Everything expires: the shard keeps its tip and accepts appends. */
  core_clock_set(f->clock, T0 + 50 * HOUR);
  assert_true(stream_store_expire(f->st, &f->e) > 0);
  assert_int_equal(read_all(f, h, 0, NULL), 0);
  assert_int_equal(fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0).pos, 200);
  assert_int_equal(fx_put(f, h, "k", "record-0200", -1).pos, 200);
  stream_release(h);
  /* The tip survives a restart after expiry. */
  fx_reopen(f);
  assert_int_equal(stream_get(f->st, "ret", &h, &f->e), SLUICE_OK);
  assert_int_equal(fx_put(f, h, "k", "record-0201", -1).pos, 201);

  /* A closed shard disappears once it closed more than retention ago. */
  assert_int_equal(stream_set_retention(h, 24, -1, &f->e), SLUICE_OK);
  assert_int_equal(stream_split(h, 0, (core_u128)1 << 127, &f->e), SLUICE_OK);
  core_clock_advance(f->clock, 24 * HOUR - 1);
  stream_store_expire(f->st, &f->e);
  stream_info *in;
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
  assert_int_equal(in->n_shards, 3);
  core_clock_advance(f->clock, 2);
  assert_true(stream_store_expire(f->st, &f->e) >= 1);
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
  assert_int_equal(in->n_shards, 2);
  assert_string_equal(in->shards[0].id, "shardId-000000000001");
  assert_int_equal(in->shards[0].parent, 0); /* lineage still names it */
  stream_pos q;
  assert_int_equal(stream_iterator(h, 0, STREAM_TRIM_HORIZON, NULL, 0, 0, &q, NULL, &f->e),
                   SLUICE_NOTFOUND);
  assert_int_equal(count_segments(f, h, 0), -1);
  stream_release(h);
  fx_reopen(f);
  assert_int_equal(stream_get(f->st, "ret", &h, &f->e), SLUICE_OK);
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
  assert_int_equal(in->n_shards, 2);
  stream_release(h);
  fx_free(f);
}

static char *seg_file(fx *f, stream_handle *h, char *path, size_t cap) {
  snprintf(path, cap, "%s/streams/%016llx/000000000000/00000000000000000000.seg", f->dir,
           (unsigned long long)stream_generation(h));
  return path;
}

static void test_torn_tail(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "torn", 1);
  put_range(f, h, 0, 10, -1);
  char path[512];
  seg_file(f, h, path, sizeof path);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  off_t whole = sb.st_size;
  put_range(f, h, 10, 11, -1);
  stream_release(h);
  stream_store_close(f->st);
  f->st = NULL;
  /* Cut the last batch in the middle. */
  assert_int_equal(truncate(path, whole + 20), 0);
  fx_store_open(f);
  stream_store_stats s;
  stream_store_stats_get(f->st, &s);
  assert_int_equal(s.tails_truncated, 1);
  assert_int_equal(s.bytes_truncated, 20);
  assert_int_equal(stream_get(f->st, "torn", &h, &f->e), SLUICE_OK);
  assert_int_equal(read_all(f, h, 0, NULL), 10);
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_size, whole);
  assert_int_equal(fx_put(f, h, "k", "record-0010", -1).pos, 10);
  stream_release(h);
  stream_store_close(f->st);
  f->st = NULL;
  /* Garbage after the last batch. */
  assert_int_equal(stat(path, &sb), 0);
  whole = sb.st_size;
  int fd = open(path, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "\x10\x00\x00\x00garbage-garbage-garbage", 27), 27);
  close(fd);
  fx_store_open(f);
  stream_store_stats_get(f->st, &s);
  assert_int_equal(s.tails_truncated, 1);
  assert_int_equal(s.bytes_truncated, 27);
  assert_int_equal(stream_get(f->st, "torn", &h, &f->e), SLUICE_OK);
  assert_int_equal(read_all(f, h, 0, NULL), 11);
  assert_int_equal(fx_put(f, h, "k", "record-0011", -1).pos, 11);
  /* A flipped byte inside the last batch: its CRC fails, it is cut. */
  assert_int_equal(stat(path, &sb), 0);
  stream_release(h);
  stream_store_close(f->st);
  f->st = NULL;
  fd = open(path, O_RDWR);
  assert_int_equal(pwrite(fd, "X", 1, sb.st_size - 3), 1);
  close(fd);
  fx_store_open(f);
  assert_int_equal(stream_get(f->st, "torn", &h, &f->e), SLUICE_OK);
  assert_int_equal(read_all(f, h, 0, NULL), 11);
  stream_release(h);
  fx_free(f);
}

static void sync_always(stream_options *o) {
  o->fsync = STREAM_FSYNC_ALWAYS;
}
static void sync_interval(stream_options *o) {
  o->fsync = STREAM_FSYNC_INTERVAL;
  o->fsync_interval_ms = 5;
}

static void test_fsync_policies(void **state) {
  (void)state;
  void (*pol[2])(stream_options *) = {sync_always, sync_interval};
  for (int i = 0; i < 2; i++) {
    fx *f = fx_new(pol[i]);
    stream_handle *h = fx_create(f, "sync", 2);
    put_range(f, h, 0, 50, -1);
    usleep(20000); /* let the interval thread run at least once (not asserted) */
    stream_release(h);
    fx_reopen(f);
    assert_int_equal(stream_get(f->st, "sync", &h, &f->e), SLUICE_OK);
    uint32_t idx;
    assert_int_equal(stream_route(h, core_hash_key("k", 1), &idx, &f->e), SLUICE_OK);
    assert_int_equal(read_all(f, h, idx, NULL), 50);
    stream_release(h);
    fx_free(f);
  }
}

/* A damaged batch in an earlier segment: that segment is cut there, the later
 * segments stay, and reads skip the gap instead of misreading it. */
static void test_damaged_middle_segment(void **state) {
  (void)state;
  fx *f = fx_new(small_segments);
  stream_handle *h = fx_create(f, "mid", 1);
  put_range(f, h, 0, 120, -1);
  char path[512];
  seg_file(f, h, path, sizeof path); /* the first segment, positions 0.. */
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  stream_release(h);
  stream_store_close(f->st);
  f->st = NULL;
  int fd = open(path, O_RDWR);
  assert_int_equal(pwrite(fd, "#", 1, sb.st_size / 2), 1);
  close(fd);
  fx_store_open(f);
  stream_store_stats s;
  stream_store_stats_get(f->st, &s);
  assert_int_equal(s.tails_truncated, 1);
  assert_int_equal(stream_get(f->st, "mid", &h, &f->e), SLUICE_OK);
  stream_pos p = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  stream_read_result r;
  assert_int_equal(stream_read(h, &p, 10000, 64 << 20, f->a, &r, &f->e), SLUICE_OK);
  assert_true(r.n > 0 && r.n < 120);
  int gaps = 0;
  for (size_t i = 0; i < r.n; i++) {
    assert_int_equal(rec_num(&r.records[i], 7), (int)r.records[i].pos);
    if (i && r.records[i].pos != r.records[i - 1].pos + 1) gaps++;
  }
  assert_int_equal(gaps, 1);
  assert_int_equal(r.records[r.n - 1].pos, 119);
  /* A position inside the gap reads from the next segment. */
  uint64_t after_gap = 0;
  for (size_t i = 1; i < r.n; i++)
    if (r.records[i].pos != r.records[i - 1].pos + 1) after_gap = r.records[i].pos;
  p.pos = after_gap - 1;
  assert_int_equal(stream_read(h, &p, 1, 1000, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 1);
  assert_int_equal(r.records[0].pos, after_gap);
  assert_int_equal(fx_put(f, h, "k", "record-0120", -1).pos, 120);
  stream_release(h);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_metadata_persists),
      cmocka_unit_test(test_records_persist_and_generation),
      cmocka_unit_test(test_retention),
      cmocka_unit_test(test_torn_tail),
      cmocka_unit_test(test_fsync_policies),
      cmocka_unit_test(test_damaged_middle_segment),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

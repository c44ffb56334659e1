/*
 * test_basic.c — routing, hash-key ranges, sequence numbers, shard ids,
 * names, stream lifecycle and status transitions, listing, and the error of
 * each bad argument.
 */
#include <time.h>

#include "helpers.h"

/* MD5 vectors computed independently with Python's hashlib:
 *   int.from_bytes(hashlib.md5(k.encode()).digest(), "big") */
static void test_md5_routing(void **state) {
  (void)state;
  static const struct {
    const char *key;
    const char *hash;
    int shard[4]; /* in streams of 2, 3, 4, 7 shards */
  } v[] = {
      {"a", "16955237001963240173058271559858726497", {0, 0, 0, 0}},
      {"hello", "123957004363873451094272536567338222994", {0, 1, 1, 2}},
      {"partitionKey-1", "159499196025307651934328298402289840726", {0, 1, 1, 3}},
      {"user-42", "157107139746365290205026809710278036035", {0, 1, 1, 3}},
      {"\xc3\xbc\xc3\x9f\xe2\x82\xac", "60347968619455912704655613280326582398", {0, 0, 0, 1}},
  };
  fx *f = fx_new(NULL);
  static const uint32_t counts[4] = {2, 3, 4, 7};
  stream_handle *hs[4];
  for (int c = 0; c < 4; c++) {
    char name[16];
    snprintf(name, sizeof name, "s%u", counts[c]);
    hs[c] = fx_create(f, name, counts[c]);
  }
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    char buf[CORE_U128_DIGITS];
    core_u128 k = core_hash_key(v[i].key, strlen(v[i].key));
    assert_string_equal(u128s(k, buf), v[i].hash);
    assert_string_equal(u128s(core_hash_key(v[i].key, strlen(v[i].key)), buf), v[i].hash);
    for (int c = 0; c < 4; c++) {
      uint32_t idx;
      assert_int_equal(stream_route(hs[c], k, &idx, &f->e), SLUICE_OK);
      assert_int_equal(idx, v[i].shard[c]);
      /* Appending by partition key lands in the same shard. */
      stream_append_result r = fx_put(f, hs[c], v[i].key, "x", -1);
      assert_int_equal(r.shard, v[i].shard[c]);
    }
  }
  /* An explicit hash key overrides the partition key. */
  stream_append_result r = fx_put_hash(f, hs[0], CORE_U128_MAX, "y", -1);
  assert_int_equal(r.shard, 1);
  r = fx_put_hash(f, hs[0], 0, "y", -1);
  assert_int_equal(r.shard, 0);
  for (int c = 0; c < 4; c++) stream_release(hs[c]);
  fx_free(f);
}

/* Kinesis's ranges: step = floor(2^128 / N); values from Python. */
static void test_hash_ranges(void **state) {
  (void)state;
  static const struct {
    uint32_t n;
    const char *bounds[14]; /* start0, end0, start1, end1, ... */
  } v[] = {
      {1, {"0", "340282366920938463463374607431768211455"}},
      {2,
       {"0", "170141183460469231731687303715884105727", "170141183460469231731687303715884105728",
        "340282366920938463463374607431768211455"}},
      {3,
       {"0", "113427455640312821154458202477256070484", "113427455640312821154458202477256070485",
        "226854911280625642308916404954512140969", "226854911280625642308916404954512140970",
        "340282366920938463463374607431768211455"}},
      {4,
       {"0", "85070591730234615865843651857942052863", "85070591730234615865843651857942052864",
        "170141183460469231731687303715884105727", "170141183460469231731687303715884105728",
        "255211775190703847597530955573826158591", "255211775190703847597530955573826158592",
        "340282366920938463463374607431768211455"}},
      {7,
       {"0", "48611766702991209066196372490252601635", "48611766702991209066196372490252601636",
        "97223533405982418132392744980505203271", "97223533405982418132392744980505203272",
        "145835300108973627198589117470757804907", "145835300108973627198589117470757804908",
        "194447066811964836264785489961010406543", "194447066811964836264785489961010406544",
        "243058833514956045330981862451263008179", "243058833514956045330981862451263008180",
        "291670600217947254397178234941515609815", "291670600217947254397178234941515609816",
        "340282366920938463463374607431768211455"}},
  };
  fx *f = fx_new(NULL);
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    char name[16], buf[CORE_U128_DIGITS];
    snprintf(name, sizeof name, "r%u", v[i].n);
    stream_handle *h = fx_create(f, name, v[i].n);
    stream_info *in;
    assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
    assert_int_equal(in->n_shards, v[i].n);
    assert_int_equal(in->open_shards, v[i].n);
    for (uint32_t s = 0; s < v[i].n; s++) {
      char id[STREAM_SHARD_ID_TEXT];
      snprintf(id, sizeof id, "shardId-%012u", s);
      assert_string_equal(in->shards[s].id, id);
      assert_string_equal(u128s(in->shards[s].start_hash, buf), v[i].bounds[2 * s]);
      assert_string_equal(u128s(in->shards[s].end_hash, buf), v[i].bounds[2 * s + 1]);
      assert_int_equal(in->shards[s].parent, -1);
      assert_false(in->shards[s].closed);
      assert_string_equal(in->shards[s].ending_seq, "");
    }
    stream_release(h);
  }
  fx_free(f);
}

static void test_sequence_numbers(void **state) {
  (void)state;
  char buf[STREAM_SEQ_TEXT];
  stream_seq_format(0, 0, buf);
  assert_string_equal(buf, "49000000000000000000000000000000000000000000000000000000");
  stream_seq_format(1, 12345, buf);
  assert_string_equal(buf, "49000000000100000000000000012345000000000000000000000000");
  assert_int_equal(strlen(buf), 56);
  uint32_t s;
  uint64_t p;
  assert_int_equal(stream_seq_decode(buf, strlen(buf), &s, &p), SLUICE_OK);
  assert_int_equal(s, 1);
  assert_int_equal(p, 12345);
  stream_seq_format(4294967295u, UINT64_MAX, buf);
  assert_string_equal(buf, "49429496729518446744073709551615000000000000000000000000");
  assert_int_equal(stream_seq_decode(buf, 56, &s, &p), SLUICE_OK);
  assert_int_equal(s, 4294967295u);
  assert_true(p == UINT64_MAX);
  /* Not ours: wrong length, prefix, a non-digit, a non-zero tail, overflow. */
  assert_int_equal(stream_seq_decode("4900", 4, &s, &p), SLUICE_INVALID);
  assert_int_equal(
      stream_seq_decode("59000000000100000000000000012345000000000000000000000000", 56, &s, &p),
      SLUICE_INVALID);
  assert_int_equal(
      stream_seq_decode("4900000000010000000000000001234x000000000000000000000000", 56, &s, &p),
      SLUICE_INVALID);
  assert_int_equal(
      stream_seq_decode("49000000000100000000000000012345000000000000000000000001", 56, &s, &p),
      SLUICE_INVALID);
  assert_int_equal(
      stream_seq_decode("49999999999900000000000000012345000000000000000000000000", 56, &s, &p),
      SLUICE_INVALID);
  assert_int_equal(
      stream_seq_decode("49000000000199999999999999999999000000000000000000000000", 56, &s, &p),
      SLUICE_INVALID);

  /* Appended records: strictly increasing within a shard, as numbers and strings. */
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "seq", 1);
  char prev[STREAM_SEQ_TEXT] = "";
  for (int i = 0; i < 50; i++) {
    stream_append_result r = fx_put(f, h, "k", "v", -1);
    assert_int_equal(r.pos, (uint64_t)i);
    stream_seq_format(r.shard, r.pos, buf);
    assert_true(strcmp(prev, buf) < 0);
    memcpy(prev, buf, sizeof buf);
  }
  stream_release(h);
  fx_free(f);
}

/* The hand-written digit writing of stream_seq_format and
 * stream_shard_id_format against printf's, at the digit-count boundaries and
 * at random values (seed printed). */
static void test_formats_match_printf(void **state) {
  (void)state;
  uint64_t seed = (uint64_t)time(NULL);
  printf("test_formats_match_printf: seed %llu\n", (unsigned long long)seed);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  char got[STREAM_SEQ_TEXT], want[STREAM_SEQ_TEXT + 8];
  char gid[STREAM_SHARD_ID_TEXT], wid[STREAM_SHARD_ID_TEXT + 8];
  for (int i = 0; i < 20000; i++) {
    uint64_t pos;
    uint32_t shard;
    if (i < 21 * 11) { /* 0, 10^k - 1 and 10^k for every digit count */
      uint64_t p10 = 1, s10 = 1;
      for (int k = 0; k < i / 11; k++) p10 *= 10;
      for (int k = 0; k < i % 11; k++) s10 *= 10;
      pos = i / 11 == 20 ? UINT64_MAX : p10 - (i & 1);
      shard = i % 11 == 10 ? UINT32_MAX : (uint32_t)(s10 - (i & 1));
    } else {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      pos = x >> (x & 63);
      shard = (uint32_t)(x >> 32) >> (x & 31);
    }
    stream_seq_format(shard, pos, got);
    snprintf(want, sizeof want, "49%010u%020llu000000000000000000000000", shard,
             (unsigned long long)pos);
    assert_string_equal(got, want);
    assert_int_equal(stream_shard_id_format(shard, gid), 20);
    snprintf(wid, sizeof wid, "shardId-%012u", shard);
    assert_string_equal(gid, wid);
  }
}

static void test_shard_ids_and_names(void **state) {
  (void)state;
  char id[STREAM_SHARD_ID_TEXT];
  assert_int_equal(stream_shard_id_format(7, id), 20);
  assert_string_equal(id, "shardId-000000000007");
  uint32_t i;
  assert_int_equal(stream_shard_id_parse(id, strlen(id), &i), SLUICE_OK);
  assert_int_equal(i, 7);
  assert_int_equal(stream_shard_id_parse("shardId-", 8, &i), SLUICE_INVALID);
  assert_int_equal(stream_shard_id_parse("shard-0001", 10, &i), SLUICE_INVALID);
  assert_int_equal(stream_shard_id_parse("shardId-00x", 11, &i), SLUICE_INVALID);
  assert_true(stream_name_valid("APP.STREAM", 10));
  assert_true(stream_name_valid("a-b_c.9", 7));
  assert_false(stream_name_valid("", 0));
  assert_false(stream_name_valid("a b", 3));
  assert_false(stream_name_valid("a/b", 3));
  char big[130];
  memset(big, 'x', sizeof big);
  assert_true(stream_name_valid(big, 128));
  assert_false(stream_name_valid(big, 129));
}

static void test_lifecycle_and_list(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  const char *names[] = {"b", "APP.STREAM", "a", "c.d"};
  for (int i = 0; i < 4; i++) stream_release(fx_create(f, names[i], 1));
  const char **v;
  size_t n;
  bool more;
  assert_int_equal(stream_list(f->st, NULL, 0, f->a, &v, &n, &more, &f->e), SLUICE_OK);
  assert_int_equal(n, 4);
  assert_false(more);
  assert_string_equal(v[0], "APP.STREAM");
  assert_string_equal(v[1], "a");
  assert_string_equal(v[2], "b");
  assert_string_equal(v[3], "c.d");
  assert_int_equal(stream_list(f->st, "a", 1, f->a, &v, &n, &more, &f->e), SLUICE_OK);
  assert_int_equal(n, 1);
  assert_true(more);
  assert_string_equal(v[0], "b");
  assert_int_equal(stream_list(f->st, "b", 5, f->a, &v, &n, &more, &f->e), SLUICE_OK);
  assert_int_equal(n, 1);
  assert_false(more);
  assert_string_equal(v[0], "c.d");
  assert_int_equal(stream_list(f->st, "aa", 0, f->a, &v, &n, &more, &f->e), SLUICE_OK);
  assert_int_equal(n, 2); /* after a name that is not a stream */

  /* On-demand: 4 shards. */
  stream_handle *h;
  assert_int_equal(stream_create(f->st, "od", 0, STREAM_ON_DEMAND, &h, &f->e), SLUICE_OK);
  stream_info *in;
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
  assert_int_equal(in->n_shards, 4);
  assert_int_equal(in->mode, STREAM_ON_DEMAND);
  assert_int_equal(in->status, STREAM_ACTIVE);
  assert_int_equal(in->retention_hours, 24);
  assert_int_equal(in->created_ms, T0);
  assert_string_equal(stream_mode_name(in->mode), "ON_DEMAND");
  uint32_t open, limit, od;
  stream_store_counts(f->st, &open, &limit, &od);
  assert_int_equal(open, 8);
  assert_int_equal(limit, 10000);
  assert_int_equal(od, 1);

  /* Delete: gone at once; the handle answers NOTFOUND; the name is free again. */
  uint64_t gen = stream_generation(h);
  assert_int_equal(stream_delete(h, false, &f->e), SLUICE_OK);
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_NOTFOUND);
  assert_string_equal(f->e.message, "stream od not found");
  stream_handle *g;
  assert_int_equal(stream_get(f->st, "od", &g, &f->e), SLUICE_NOTFOUND);
  assert_string_equal(f->e.message, "stream od not found");
  assert_int_equal(stream_delete(h, false, &f->e), SLUICE_NOTFOUND);
  stream_release(h);
  stream_store_counts(f->st, &open, &limit, &od);
  assert_int_equal(open, 4);
  assert_int_equal(od, 0);
  h = fx_create(f, "od", 2);
  assert_true(stream_generation(h) > gen);
  stream_release(h);
  fx_free(f);
}

static void delays(stream_options *o) {
  o->create_delay_ms = 500;
  o->update_delay_ms = 300;
  o->delete_delay_ms = 200;
}

static void test_status_transitions(void **state) {
  (void)state;
  fx *f = fx_new(delays);
  stream_handle *h = fx_create(f, "st", 2);
  assert_int_equal(stream_status_now(h), STREAM_CREATING);
  assert_string_equal(stream_status_name(stream_status_now(h)), "CREATING");
  /* Not active yet: appends, reshards and deletion are refused. */
  stream_record_in r = {"k", 1, false, 0, "d", 1};
  stream_append_result res;
  assert_int_equal(stream_append(h, &r, 1, -1, &res, &f->e), SLUICE_STATE);
  assert_string_equal(f->e.message, "stream st is not active (it is CREATING)");
  assert_int_equal(stream_merge(h, 0, 1, &f->e), SLUICE_STATE);
  assert_int_equal(stream_delete(h, false, &f->e), SLUICE_STATE);
  assert_string_equal(f->e.message, "stream st is still being created");
  core_clock_advance(f->clock, 499);
  assert_int_equal(stream_status_now(h), STREAM_CREATING);
  core_clock_advance(f->clock, 1);
  assert_int_equal(stream_status_now(h), STREAM_ACTIVE);
  assert_int_equal(stream_append(h, &r, 1, -1, &res, &f->e), SLUICE_OK);
  /* A reshard: UPDATING for 300 ms; appends still work; another reshard waits. */
  assert_int_equal(stream_merge(h, 0, 1, &f->e), SLUICE_OK);
  assert_int_equal(stream_status_now(h), STREAM_UPDATING);
  assert_int_equal(stream_append(h, &r, 1, -1, &res, &f->e), SLUICE_OK);
  assert_int_equal(res.shard, 2);
  assert_int_equal(stream_update_shard_count(h, 2, NULL, &f->e), SLUICE_STATE);
  assert_string_equal(f->e.message, "stream st is not active (it is UPDATING)");
  core_clock_advance(f->clock, 300);
  assert_int_equal(stream_status_now(h), STREAM_ACTIVE);
  /* Delete: DELETING for 200 ms, listed and describable, then gone. */
  assert_int_equal(stream_delete(h, false, &f->e), SLUICE_OK);
  assert_int_equal(stream_status_now(h), STREAM_DELETING);
  assert_int_equal(stream_append(h, &r, 1, -1, &res, &f->e), SLUICE_STATE);
  assert_int_equal(stream_delete(h, false, &f->e), SLUICE_STATE);
  stream_handle *g;
  assert_int_equal(stream_get(f->st, "st", &g, &f->e), SLUICE_OK);
  stream_release(g);
  assert_int_equal(stream_create(f->st, "st", 1, STREAM_PROVISIONED, NULL, &f->e), SLUICE_EXISTS);
  core_clock_advance(f->clock, 200);
  assert_int_equal(stream_get(f->st, "st", &g, &f->e), SLUICE_NOTFOUND);
  stream_info *in;
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_NOTFOUND);
  stream_release(h);
  fx_free(f);
}

static void limits(stream_options *o) {
  o->shard_limit = 10;
  o->create_delay_ms = 1000;
}

/* Each bad argument gets its own code and message. */
static void test_errors(void **state) {
  (void)state;
  fx *f = fx_new(limits);
  stream_handle *h;
  assert_int_equal(stream_create(f->st, "bad name", 1, STREAM_PROVISIONED, &h, &f->e),
                   SLUICE_INVALID);
  assert_string_equal(f->e.message,
                      "stream name must be 1 to 128 characters of a-z, A-Z, 0-9, _, . and -");
  assert_int_equal(stream_create(f->st, "", 1, STREAM_PROVISIONED, &h, &f->e), SLUICE_INVALID);
  assert_int_equal(stream_create(f->st, "z", 0, STREAM_PROVISIONED, &h, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "shard count must be at least 1 for stream z");
  assert_int_equal(stream_create(f->st, "big", 11, STREAM_PROVISIONED, &h, &f->e), SLUICE_LIMIT);
  assert_string_equal(f->e.message,
                      "creating stream big with 11 shards would exceed the shard limit of 10");
  for (int i = 0; i < 5; i++) {
    char name[8];
    snprintf(name, sizeof name, "c%d", i);
    assert_int_equal(stream_create(f->st, name, 1, STREAM_PROVISIONED, NULL, &f->e), SLUICE_OK);
  }
  assert_int_equal(stream_create(f->st, "c5", 1, STREAM_PROVISIONED, NULL, &f->e), SLUICE_LIMIT);
  assert_string_equal(f->e.message, "5 streams are already being created");
  assert_int_equal(stream_create(f->st, "c0", 1, STREAM_PROVISIONED, NULL, &f->e), SLUICE_EXISTS);
  assert_string_equal(f->e.message, "stream c0 already exists");
  core_clock_advance(f->clock, 1000);
  assert_int_equal(stream_get(f->st, "nope", &h, &f->e), SLUICE_NOTFOUND);
  assert_string_equal(f->e.message, "stream nope not found");

  h = fx_create(f, "e", 2);
  core_clock_advance(f->clock, 1000);
  /* Records with their own errors; the valid one is written. */
  char longkey[300];
  memset(longkey, 'k', sizeof longkey);
  static uint8_t bigdata[STREAM_RECORD_MAX + 1];
  stream_record_in r[5] = {
      {"", 0, false, 0, "x", 1},
      {longkey, 257, false, 0, "x", 1},
      {"\xff\xfe", 2, false, 0, "x", 1},
      {"ok", 2, false, 0, "x", 1},
      {"k", 1, false, 0, bigdata, sizeof bigdata},
  };
  stream_append_result res[5];
  assert_int_equal(stream_append(h, r, 5, -1, res, &f->e), SLUICE_OK);
  assert_int_equal(res[0].rc, SLUICE_INVALID);
  assert_string_equal(res[0].message, "partition key is empty");
  assert_int_equal(res[1].rc, SLUICE_INVALID);
  assert_string_equal(res[1].message, "partition key is longer than 256 characters");
  assert_int_equal(res[2].rc, SLUICE_INVALID);
  assert_string_equal(res[2].message, "partition key is not valid utf-8");
  assert_int_equal(res[3].rc, SLUICE_OK);
  assert_int_equal(res[4].rc, SLUICE_INVALID);
  assert_string_equal(res[4].message, "data is larger than 1 MiB");
  /* 256 characters of 4 bytes each are fine. */
  char emoji[256 * 4];
  for (int i = 0; i < 256; i++) memcpy(emoji + 4 * i, "\xf0\x9f\x98\x80", 4);
  stream_record_in er = {emoji, sizeof emoji, false, 0, "", 0};
  assert_int_equal(stream_append(h, &er, 1, -1, res, &f->e), SLUICE_OK);
  assert_int_equal(res[0].rc, SLUICE_OK);

  /* Resharding errors. */
  assert_int_equal(stream_split(h, 9, 5, &f->e), SLUICE_NOTFOUND);
  assert_string_equal(f->e.message, "shard shardId-000000000009 of stream e does not exist");
  assert_int_equal(stream_split(h, 0, 1, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message,
                      "new starting hash key 1 is not both greater than one plus the starting "
                      "hash key 0 and less than the ending hash key "
                      "170141183460469231731687303715884105727 of shard shardId-000000000000");
  assert_int_equal(stream_split(h, 0, ((core_u128)1 << 127) - 1, &f->e), SLUICE_INVALID);
  assert_int_equal(stream_merge(h, 0, 0, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message,
                      "shards shardId-000000000000 and shardId-000000000000 of stream e are not "
                      "adjacent");
  assert_int_equal(stream_split(h, 0, (core_u128)1 << 126, &f->e), SLUICE_OK); /* -> 2, 3 */
  assert_int_equal(stream_split(h, 0, (core_u128)1 << 125, &f->e), SLUICE_STATE);
  assert_string_equal(f->e.message, "shard shardId-000000000000 of stream e is closed: it has "
                                    "already been merged or split");
  assert_int_equal(stream_merge(h, 2, 1, &f->e), SLUICE_INVALID); /* 2 = [0, 2^126-1] */
  assert_int_equal(stream_merge(h, 0, 1, &f->e), SLUICE_STATE);
  assert_int_equal(stream_update_shard_count(h, 0, NULL, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "target shard count must be at least 1");
  assert_int_equal(stream_update_shard_count(h, 10001, NULL, &f->e), SLUICE_LIMIT);
  assert_string_equal(f->e.message, "target shard count 10001 is more than 10000");
  assert_int_equal(stream_update_shard_count(h, 7, NULL, &f->e), SLUICE_LIMIT);
  assert_string_equal(f->e.message, "target shard count 7 of stream e is not between half and "
                                    "double its 3 open shards");
  assert_int_equal(stream_update_shard_count(h, 1, NULL, &f->e), SLUICE_LIMIT);
  /* The store-wide shard limit (5 streams of 1 + 3 open here = 8 of 10). */
  assert_int_equal(stream_update_shard_count(h, 6, NULL, &f->e), SLUICE_LIMIT);
  assert_string_equal(f->e.message, "resharding stream e would exceed the shard limit of 10");

  /* Iterator and read errors. */
  stream_pos p;
  uint32_t enc = 99;
  char seq[STREAM_SEQ_TEXT];
  stream_seq_format(3, 0, seq);
  assert_int_equal(stream_iterator(h, 2, STREAM_AT_SEQUENCE_NUMBER, seq, 56, 0, &p, &enc, &f->e),
                   SLUICE_INVALID);
  assert_int_equal(enc, 3);
  assert_string_equal(f->e.message, "sequence number encodes shardId-000000000003, while it was "
                                    "used with shardId-000000000002");
  assert_int_equal(stream_iterator(h, 2, STREAM_AT_SEQUENCE_NUMBER, "12", 2, 0, &p, &enc, &f->e),
                   SLUICE_INVALID);
  assert_string_equal(f->e.message, "sequence number 12 is not valid");
  stream_seq_format(2, 1000, seq);
  assert_int_equal(stream_iterator(h, 2, STREAM_AT_SEQUENCE_NUMBER, seq, 56, 0, &p, &enc, &f->e),
                   SLUICE_INVALID);
  assert_string_equal(f->e.message,
                      "sequence number is beyond the last record of shard shardId-000000000002");
  assert_int_equal(stream_iterator(h, 40, STREAM_LATEST, NULL, 0, 0, &p, NULL, &f->e),
                   SLUICE_NOTFOUND);
  p = fx_iter(f, h, 2, STREAM_TRIM_HORIZON, NULL, 0);
  stream_read_result rr;
  assert_int_equal(stream_read(h, &p, 0, 100, f->a, &rr, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "read limit must be at least 1");
  stream_pos stale = p;
  stale.generation++;
  assert_int_equal(stream_read(h, &stale, 10, 100, f->a, &rr, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "position belongs to another incarnation of stream e");
  stale = p;
  stale.pos = 99;
  assert_int_equal(stream_read(h, &stale, 10, 100, f->a, &rr, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "position 99 is beyond the end of shard shardId-000000000002");

  /* Metadata errors. */
  assert_int_equal(stream_set_retention(h, 23, 0, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "retention of 23 hours is not between 24 and 8760");
  assert_int_equal(stream_set_retention(h, 8761, 0, &f->e), SLUICE_INVALID);
  assert_int_equal(stream_set_retention(h, 24, 1, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message,
                      "retention of 24 hours is not longer than the current 24 hours of stream e");
  assert_int_equal(stream_set_retention(h, 48, -1, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message,
                      "retention of 48 hours is not shorter than the current 24 hours of stream e");
  assert_int_equal(stream_set_encryption(h, STREAM_ENCRYPTION_KMS, "", &f->e), SLUICE_INVALID);
  stream_tag t = {"", "v"};
  assert_int_equal(stream_tags_add(h, &t, 1, &f->e), SLUICE_INVALID);
  assert_string_equal(f->e.message, "tag key must be 1 to 128 bytes");
  assert_int_equal(stream_consumer_add(h, "bad name", "arn", STREAM_CONSUMER_ACTIVE, 0, &f->e),
                   SLUICE_INVALID);
  assert_int_equal(stream_consumer_add(h, "c", "arn", STREAM_CONSUMER_ACTIVE, 0, &f->e), SLUICE_OK);
  assert_int_equal(stream_consumer_add(h, "c", "arn", STREAM_CONSUMER_ACTIVE, 0, &f->e),
                   SLUICE_EXISTS);
  assert_string_equal(f->e.message, "consumer c of stream e already exists");
  assert_int_equal(stream_consumer_remove(h, "d", &f->e), SLUICE_NOTFOUND);
  assert_string_equal(f->e.message, "consumer d of stream e not found");
  void *val;
  size_t vn;
  assert_int_equal(stream_get_attr(h, "kind", f->a, &val, &vn, &f->e), SLUICE_NOTFOUND);
  assert_string_equal(f->e.message, "attribute kind of stream e not found");
  /* Consumers block deletion unless enforced. */
  assert_int_equal(stream_delete(h, false, &f->e), SLUICE_STATE);
  assert_string_equal(f->e.message, "stream e has 1 registered consumers");
  assert_int_equal(stream_delete(h, true, &f->e), SLUICE_OK);
  assert_int_equal(stream_set_retention(h, 48, 0, &f->e), SLUICE_NOTFOUND);
  stream_release(h);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_md5_routing),         cmocka_unit_test(test_hash_ranges),
      cmocka_unit_test(test_sequence_numbers),    cmocka_unit_test(test_formats_match_printf),
      cmocka_unit_test(test_shard_ids_and_names), cmocka_unit_test(test_lifecycle_and_list),
      cmocka_unit_test(test_status_transitions),  cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

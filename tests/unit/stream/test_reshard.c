/*
 * test_reshard.c — split and merge lineage, reading a split shard's records
 * in order across parent and children, UpdateShardCount lineage.
 */
#include "helpers.h"

static stream_info *describe(fx *f, stream_handle *h) {
  stream_info *in;
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
  return in;
}

/* The observed kinesalite sequence of spec 5.2: split shard 0 of a 2-shard
 * stream... here a 1-shard stream, then merge the children back. */
static void test_split_merge_lineage(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "sm", 2);
  char buf[CORE_U128_DIGITS];
  for (int i = 0; i < 3; i++) fx_put_hash(f, h, 5, "p", -1);
  core_clock_advance(f->clock, 10);
  assert_int_equal(stream_split(h, 0, (core_u128)1 << 126, &f->e), SLUICE_OK);
  stream_info *in = describe(f, h);
  assert_int_equal(in->n_shards, 4);
  assert_int_equal(in->open_shards, 3);
  stream_shard_info *s0 = &in->shards[0], *s2 = &in->shards[2], *s3 = &in->shards[3];
  assert_true(s0->closed);
  assert_int_equal(s0->closed_ms, T0 + 10);
  assert_string_equal(s0->starting_seq, "49000000000000000000000000000000000000000000000000000000");
  assert_string_equal(s0->ending_seq, "49000000000000000000000000000002000000000000000000000000");
  assert_int_equal(s0->n_children, 2);
  assert_int_equal(s0->children[0], 2);
  assert_int_equal(s0->children[1], 3);
  assert_string_equal(s2->id, "shardId-000000000002");
  assert_string_equal(u128s(s2->start_hash, buf), "0");
  assert_string_equal(u128s(s2->end_hash, buf), "85070591730234615865843651857942052863");
  assert_string_equal(u128s(s3->start_hash, buf), "85070591730234615865843651857942052864");
  assert_string_equal(u128s(s3->end_hash, buf), "170141183460469231731687303715884105727");
  assert_int_equal(s2->parent, 0);
  assert_int_equal(s2->adjacent_parent, -1);
  assert_int_equal(s3->parent, 0);
  assert_string_equal(s2->starting_seq, "49000000000200000000000000000000000000000000000000000000");
  assert_false(in->shards[1].closed);
  assert_int_equal(in->shards[1].n_children, 0);

  assert_int_equal(stream_merge(h, 2, 3, &f->e), SLUICE_OK);
  in = describe(f, h);
  assert_int_equal(in->n_shards, 5);
  stream_shard_info *s4 = &in->shards[4];
  assert_string_equal(s4->id, "shardId-000000000004");
  assert_string_equal(u128s(s4->start_hash, buf), "0");
  assert_string_equal(u128s(s4->end_hash, buf), "170141183460469231731687303715884105727");
  assert_int_equal(s4->parent, 2);
  assert_int_equal(s4->adjacent_parent, 3);
  assert_int_equal(in->shards[2].n_children, 1);
  assert_int_equal(in->shards[2].children[0], 4);
  assert_int_equal(in->shards[3].children[0], 4);
  /* An empty closed shard ends at its starting sequence number. */
  assert_string_equal(in->shards[2].ending_seq, in->shards[2].starting_seq);
  /* Merge in the other order: parent is the first argument. */
  assert_int_equal(stream_merge(h, 1, 4, &f->e), SLUICE_OK);
  in = describe(f, h);
  assert_int_equal(in->shards[5].parent, 1);
  assert_int_equal(in->shards[5].adjacent_parent, 4);
  assert_true(in->shards[5].start_hash == 0 && in->shards[5].end_hash == CORE_U128_MAX);
  assert_int_equal(in->open_shards, 1);
  stream_release(h);
  fx_free(f);
}

/* Records of one key read in order: the parent to its end, then the child. */
static void test_read_across_split(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "rs", 1);
  core_u128 k = core_hash_key("user-7", 6);
  char d[16];
  for (int i = 0; i < 5; i++) {
    snprintf(d, sizeof d, "%d", i);
    assert_int_equal(fx_put(f, h, "user-7", d, -1).shard, 0);
  }
  assert_int_equal(stream_split(h, 0, (core_u128)1 << 127, &f->e), SLUICE_OK);
  uint32_t child;
  assert_int_equal(stream_route(h, k, &child, &f->e), SLUICE_OK);
  assert_int_equal(child, k < ((core_u128)1 << 127) ? 1 : 2);
  for (int i = 5; i < 9; i++) {
    snprintf(d, sizeof d, "%d", i);
    assert_int_equal(fx_put(f, h, "user-7", d, -1).shard, child);
  }
  /* Appends no longer reach the parent. */
  char out[128];
  stream_pos p = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  stream_read_result r = fx_read(f, h, &p, 100, out, sizeof out);
  assert_string_equal(out, "0,1,2,3,4");
  assert_true(r.shard_end);
  stream_shard_info si;
  assert_int_equal(stream_shard_get(h, 0, f->a, &si, &f->e), SLUICE_OK);
  assert_int_equal(si.n_children, 2);
  /* Partial reads of the parent: shard_end only after the last record. */
  r = fx_read(f, h, &p, 4, out, sizeof out);
  assert_false(r.shard_end);
  r = fx_read(f, h, &r.next, 4, out, sizeof out);
  assert_string_equal(out, "4");
  assert_true(r.shard_end);
  /* LATEST on a closed shard is its end. */
  stream_pos l = fx_iter(f, h, 0, STREAM_LATEST, NULL, 0);
  r = fx_read(f, h, &l, 4, out, sizeof out);
  assert_int_equal(r.n, 0);
  assert_true(r.shard_end);
  /* Then the child. */
  p = fx_iter(f, h, child, STREAM_TRIM_HORIZON, NULL, 0);
  r = fx_read(f, h, &p, 100, out, sizeof out);
  assert_string_equal(out, "5,6,7,8");
  assert_false(r.shard_end);
  /* Arrival times never decrease from parent to child. */
  stream_release(h);
  fx_free(f);
}

static void test_update_shard_count(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  char buf[CORE_U128_DIGITS];
  /* 1 -> 2 as real AWS did: both children have parent 0, boundary 2^127. */
  stream_handle *h = fx_create(f, "u", 1);
  uint32_t prev;
  assert_int_equal(stream_update_shard_count(h, 2, &prev, &f->e), SLUICE_OK);
  assert_int_equal(prev, 1);
  stream_info *in = describe(f, h);
  assert_int_equal(in->n_shards, 3);
  assert_string_equal(in->shards[1].id, "shardId-000000000001");
  assert_string_equal(u128s(in->shards[1].end_hash, buf),
                      "170141183460469231731687303715884105727");
  assert_string_equal(u128s(in->shards[2].start_hash, buf),
                      "170141183460469231731687303715884105728");
  assert_int_equal(in->shards[1].parent, 0);
  assert_int_equal(in->shards[1].adjacent_parent, -1);
  assert_int_equal(in->shards[2].parent, 0);
  assert_int_equal(in->shards[0].n_children, 2);
  /* 2 -> 3: new shard 1 of 3 straddles the old boundary. */
  assert_int_equal(stream_update_shard_count(h, 3, &prev, &f->e), SLUICE_OK);
  assert_int_equal(prev, 2);
  in = describe(f, h);
  assert_int_equal(in->n_shards, 6);
  assert_int_equal(in->open_shards, 3);
  assert_int_equal(in->shards[3].parent, 1);
  assert_int_equal(in->shards[3].adjacent_parent, -1);
  assert_int_equal(in->shards[4].parent, 1);
  assert_int_equal(in->shards[4].adjacent_parent, 2);
  assert_int_equal(in->shards[5].parent, 2);
  assert_int_equal(in->shards[5].adjacent_parent, -1);
  assert_string_equal(u128s(in->shards[4].start_hash, buf),
                      "113427455640312821154458202477256070485");
  assert_int_equal(in->shards[1].n_children, 2); /* 3 and 4 */
  assert_int_equal(in->shards[2].n_children, 2); /* 4 and 5 */
  assert_int_equal(in->shards[2].children[0], 4);
  assert_int_equal(in->shards[2].children[1], 5);
  /* 3 -> 2: each new shard has two parents. */
  assert_int_equal(stream_update_shard_count(h, 2, &prev, &f->e), SLUICE_OK);
  in = describe(f, h);
  assert_int_equal(in->shards[6].parent, 3);
  assert_int_equal(in->shards[6].adjacent_parent, 4);
  assert_int_equal(in->shards[7].parent, 4);
  assert_int_equal(in->shards[7].adjacent_parent, 5);
  /* [IMPL] the same count is accepted and changes nothing. */
  assert_int_equal(stream_update_shard_count(h, 2, &prev, &f->e), SLUICE_OK);
  in = describe(f, h);
  assert_int_equal(in->n_shards, 8);
  /* Records still route to exactly one open shard. */
  assert_int_equal(fx_put_hash(f, h, 0, "a", -1).shard, 6);
  assert_int_equal(fx_put_hash(f, h, CORE_U128_MAX, "b", -1).shard, 7);
  stream_verify(h);
  stream_release(h);
  /* At most 10 scalings in 24 hours per stream: the 11th waits a day. */
  h = fx_create(f, "u10", 1);
  for (int i = 0; i < 10; i++)
    assert_int_equal(stream_update_shard_count(h, i % 2 ? 1 : 2, NULL, &f->e), SLUICE_OK);
  assert_int_equal(stream_update_shard_count(h, 2, NULL, &f->e), SLUICE_LIMIT);
  assert_string_equal(f->e.message, "stream u10 was already rescaled 10 times in 24 hours");
  core_clock_advance(f->clock, 24 * 3600000LL);
  assert_int_equal(stream_update_shard_count(h, 2, NULL, &f->e), SLUICE_OK);
  stream_release(h);
  fx_free(f);
}

/* Appenders on three threads while the main thread reshards, expires and
 * reads: every acknowledged record is found exactly once afterwards. */
#include <pthread.h>

#define CW_THREADS 3
#define CW_CALLS 150
#define CW_PER 8

typedef struct cw {
  stream_handle *h;
  int t;
  int acked;
} cw;

static void *cw_main(void *arg) {
  cw *c = arg;
  core_error e;
  for (int call = 0; call < CW_CALLS; call++) {
    stream_record_in r[CW_PER];
    char d[CW_PER][24];
    for (int i = 0; i < CW_PER; i++) {
      snprintf(d[i], sizeof d[i], "%d-%d-%d", c->t, call, i);
      r[i] =
          (stream_record_in){d[i], (uint32_t)strlen(d[i]), false, 0, d[i], (uint32_t)strlen(d[i])};
    }
    stream_append_result res[CW_PER];
    if (stream_append(c->h, r, CW_PER, -1, res, &e) != SLUICE_OK) return NULL;
    for (int i = 0; i < CW_PER; i++) c->acked += res[i].rc == SLUICE_OK;
  }
  return NULL;
}

static void test_concurrent_reshard(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "cr", 2);
  cw c[CW_THREADS];
  pthread_t th[CW_THREADS];
  for (int t = 0; t < CW_THREADS; t++) {
    c[t] = (cw){h, t, 0};
    assert_int_equal(pthread_create(&th[t], NULL, cw_main, &c[t]), 0);
  }
  /* Reshape the stream while they append (bounded: 30 rounds). */
  for (int round = 0; round < 30; round++) {
    stream_info *in;
    assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
    uint32_t target = in->open_shards == 1 ? 2 : in->open_shards - 1;
    int rc = round % 3 == 0 ? stream_update_shard_count(h, target, NULL, &f->e)
                            : stream_split(h, in->shards[in->n_shards - 1].index,
                                           in->shards[in->n_shards - 1].start_hash +
                                               (in->shards[in->n_shards - 1].end_hash -
                                                in->shards[in->n_shards - 1].start_hash) /
                                                   2,
                                           &f->e);
    assert_true(rc == SLUICE_OK || rc == SLUICE_LIMIT || rc == SLUICE_STATE ||
                rc == SLUICE_INVALID);
    stream_store_expire(f->st, &f->e);
    stream_verify(h);
    core_arena_reset(f->a);
  }
  int acked = 0;
  for (int t = 0; t < CW_THREADS; t++) {
    pthread_join(th[t], NULL);
    acked += c[t].acked;
  }
  assert_int_equal(acked, CW_THREADS * CW_CALLS * CW_PER);
  /* Every record once, over all shards. */
  stream_info *in;
  assert_int_equal(stream_describe(h, f->a, &in, &f->e), SLUICE_OK);
  int found = 0;
  for (uint32_t i = 0; i < in->n_shards; i++) {
    stream_pos p = fx_iter(f, h, in->shards[i].index, STREAM_TRIM_HORIZON, NULL, 0);
    for (int guard = 0; guard < 1000; guard++) {
      stream_read_result r;
      assert_int_equal(stream_read(h, &p, 1000, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
      for (size_t k = 0; k < r.n; k++) {
        /* The record routes to this shard's range. */
        core_u128 hk =
            core_hash_key(r.records[k].partition_key, r.records[k].partition_key_len);
        assert_false(r.records[k].has_explicit_hash);
        assert_true(hk >= in->shards[i].start_hash && hk <= in->shards[i].end_hash);
      }
      found += (int)r.n;
      p = r.next;
      if (r.n == 0) break;
    }
  }
  assert_int_equal(found, acked);
  stream_release(h);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_split_merge_lineage),
      cmocka_unit_test(test_read_across_split),
      cmocka_unit_test(test_update_shard_count),
      cmocka_unit_test(test_concurrent_reshard),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

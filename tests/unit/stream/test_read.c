/*
 * test_read.c — every iterator type, positions at batch and segment
 * boundaries, timestamps between records, read limits, millis behind,
 * arrival-time clamping, waiting and notification.
 */
#include <poll.h>
#include <pthread.h>

#include "helpers.h"

static void small_segments(stream_options *o) {
  o->segment_bytes = 4096; /* about 30 records of 100 bytes per segment */
  o->index_interval_bytes = 256;
}

/* Appends record i ("r<i>" padded to 100 bytes) at time T0 + 10 * i. */
static void put_n(fx *f, stream_handle *h, int from, int to) {
  for (int i = from; i < to; i++) {
    char d[101];
    snprintf(d, sizeof d, "r%d", i);
    size_t l = strlen(d);
    memset(d + l, '.', 100 - l);
    d[100] = 0;
    stream_record_in r = {"k", 1, false, 0, d, 100};
    stream_append_result res;
    assert_int_equal(stream_append(h, &r, 1, T0 + 10 * i, &res, &f->e), SLUICE_OK);
    assert_int_equal(res.pos, (uint64_t)i);
    assert_int_equal(res.arrival_ms, T0 + 10 * i);
  }
}

/* The index in "r<i>..." of a record. */
static int rec_no(const stream_record *r) {
  return rec_num(r, 1);
}

static void test_iterator_types(void **state) {
  (void)state;
  fx *f = fx_new(small_segments);
  stream_handle *h = fx_create(f, "it", 1);
  put_n(f, h, 0, 200); /* several segments */
  char seq[STREAM_SEQ_TEXT];
  stream_read_result r;
  char out[64];
  (void)out;

  stream_pos p = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  assert_int_equal(p.pos, 0);
  assert_int_equal(p.generation, stream_generation(h));
  assert_int_equal(stream_read(h, &p, 5, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 5);
  for (int i = 0; i < 5; i++) {
    assert_int_equal(rec_no(&r.records[i]), i);
    assert_int_equal(r.records[i].pos, (uint64_t)i);
    assert_int_equal(r.records[i].arrival_ms, T0 + 10 * i);
    assert_int_equal(r.records[i].partition_key_len, 1);
    assert_memory_equal(r.records[i].partition_key, "k", 1);
    assert_int_equal(r.records[i].data_len, 100);
  }
  assert_int_equal(r.next.pos, 5);
  assert_false(r.shard_end);

  /* LATEST: nothing now, the next record later. */
  p = fx_iter(f, h, 0, STREAM_LATEST, NULL, 0);
  assert_int_equal(p.pos, 200);
  assert_int_equal(stream_read(h, &p, 10, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 0);
  assert_int_equal(r.millis_behind, 0);
  assert_int_equal(r.next.pos, 200);
  put_n(f, h, 200, 201);
  assert_int_equal(stream_read(h, &p, 10, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 1);
  assert_int_equal(rec_no(&r.records[0]), 200);

  /* AT / AFTER at every position, including segment boundaries. */
  for (int i = 0; i <= 200; i++) {
    stream_seq_format(0, (uint64_t)i, seq);
    p = fx_iter(f, h, 0, STREAM_AT_SEQUENCE_NUMBER, seq, 0);
    assert_int_equal(stream_read(h, &p, 1, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(rec_no(&r.records[0]), i);
    p = fx_iter(f, h, 0, STREAM_AFTER_SEQUENCE_NUMBER, seq, 0);
    assert_int_equal(stream_read(h, &p, 1, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
    if (i == 200) {
      assert_int_equal(r.n, 0);
    } else {
      assert_int_equal(r.n, 1);
      assert_int_equal(rec_no(&r.records[0]), i + 1);
    }
  }

  /* AT_TIMESTAMP: exact, between records, before all, after all. */
  p = fx_iter(f, h, 0, STREAM_AT_TIMESTAMP, NULL, T0 + 10 * 57);
  assert_int_equal(p.pos, 57);
  p = fx_iter(f, h, 0, STREAM_AT_TIMESTAMP, NULL, T0 + 10 * 57 + 3);
  assert_int_equal(p.pos, 58);
  for (int i = 0; i < 200; i++) {
    p = fx_iter(f, h, 0, STREAM_AT_TIMESTAMP, NULL, T0 + 10 * i - 9);
    assert_int_equal(p.pos, (uint64_t)i);
  }
  p = fx_iter(f, h, 0, STREAM_AT_TIMESTAMP, NULL, 0);
  assert_int_equal(p.pos, 0);
  p = fx_iter(f, h, 0, STREAM_AT_TIMESTAMP, NULL, T0 + 1000000);
  assert_int_equal(p.pos, 201);

  /* Reading everything across segments in order, in small steps. */
  p = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  int seen = 0;
  for (int guard = 0; guard < 1000 && seen < 201; guard++) {
    assert_int_equal(stream_read(h, &p, 7, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
    for (size_t i = 0; i < r.n; i++) assert_int_equal(rec_no(&r.records[i]), seen++);
    p = r.next;
  }
  assert_int_equal(seen, 201);
  /* One read may cross segments. */
  p = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  assert_int_equal(stream_read(h, &p, 10000, 10 << 20, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 201);
  stream_release(h);
  fx_free(f);
}

static void test_limits_and_behind(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "lim", 1);
  put_n(f, h, 0, 10);
  stream_pos p = fx_iter(f, h, 0, STREAM_TRIM_HORIZON, NULL, 0);
  stream_read_result r;
  /* 101 bytes per record (1 key byte + 100 data bytes): 250 bytes hold 2. */
  assert_int_equal(stream_read(h, &p, 100, 250, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 2);
  assert_int_equal(r.next.pos, 2);
  /* At least one record even if it alone passes the byte limit. */
  assert_int_equal(stream_read(h, &p, 100, 10, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 1);
  /* Millis behind: now - arrival of the last record returned; 0 when caught up. */
  core_clock_set(f->clock, T0 + 1000);
  assert_int_equal(stream_read(h, &p, 3, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.millis_behind, 1000 - 20);
  assert_int_equal(stream_read(h, &p, 100, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
  assert_int_equal(r.n, 10);
  assert_int_equal(r.millis_behind, 0);
  stream_release(h);
  fx_free(f);
}

static void test_arrival_clamp(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "clamp", 4);
  assert_int_equal(stream_last_arrival(h), INT64_MIN);
  /* Explicit times never go back, across shards either. */
  stream_append_result a = fx_put_hash(f, h, 0, "a", T0 + 500);
  assert_int_equal(a.arrival_ms, T0 + 500);
  stream_append_result b = fx_put_hash(f, h, CORE_U128_MAX, "b", T0 + 100);
  assert_int_equal(b.shard, 3);
  assert_int_equal(b.arrival_ms, T0 + 500);
  /* The store's clock is behind the last arrival: clamped too. */
  stream_append_result c = fx_put(f, h, "x", "c", -1);
  assert_int_equal(c.arrival_ms, T0 + 500);
  core_clock_set(f->clock, T0 + 700);
  c = fx_put(f, h, "x", "c", -1);
  assert_int_equal(c.arrival_ms, T0 + 700);
  assert_int_equal(stream_last_arrival(h), T0 + 700);
  /* Nothing in flight: the bound is the last arrival, or the clock if later. */
  assert_int_equal(stream_time_bound(h, INT64_MIN), T0 + 700);
  assert_int_equal(stream_time_bound(h, T0 + 900), T0 + 900);
  assert_int_equal(stream_time_bound(h, T0 + 600), T0 + 700);
  /* One call's records spread over shards; each shard's records consecutive. */
  stream_record_in rs[6];
  char keys[6][8];
  for (int i = 0; i < 6; i++) {
    snprintf(keys[i], sizeof keys[i], "k%d", i);
    rs[i] = (stream_record_in){
        keys[i], (uint32_t)strlen(keys[i]), true, (core_u128)(i % 2 ? 3 : 0) << 126, keys[i], 2};
  }
  stream_append_result res[6];
  assert_int_equal(stream_append(h, rs, 6, -1, res, &f->e), SLUICE_OK);
  assert_int_equal(res[0].shard, 0);
  assert_int_equal(res[1].shard, 3);
  assert_int_equal(res[0].pos + 1, res[2].pos);
  assert_int_equal(res[2].pos + 1, res[4].pos);
  assert_int_equal(res[1].pos + 1, res[3].pos);
  stream_release(h);
  fx_free(f);
}

typedef struct waiter {
  stream_handle *h;
  stream_pos p;
  int rc;
} waiter;

static void *wait_main(void *arg) {
  waiter *w = arg;
  core_error e;
  w->rc = stream_wait(w->h, &w->p, 10000, &e);
  return NULL;
}

static int notified;
static void on_notify(void *arg, stream_handle *h, uint32_t shard) {
  (void)h;
  notified++;
  *(uint32_t *)arg = shard;
}

static void test_wait_and_notify(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "w", 2);
  stream_pos p = fx_iter(f, h, 1, STREAM_LATEST, NULL, 0);
  /* Times out when nothing comes. */
  assert_int_equal(stream_wait(h, &p, 20, &f->e), SLUICE_TIMEOUT);
  assert_string_equal(f->e.message, "no new records in stream w within 20 ms");
  /* A record on another shard does not end the wait; one on this shard does. */
  waiter w = {h, p, -1};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, wait_main, &w), 0);
  fx_put_hash(f, h, 0, "other", -1);
  fx_put_hash(f, h, CORE_U128_MAX, "mine", -1);
  pthread_join(t, NULL);
  assert_int_equal(w.rc, SLUICE_OK);
  assert_int_equal(stream_wait(h, &p, 0, &f->e), SLUICE_OK); /* already there */

  /* Callback and eventfd. */
  uint32_t last = 99;
  uint64_t id1, id2;
  int fd;
  assert_int_equal(stream_subscribe(h, on_notify, &last, &id1, &f->e), SLUICE_OK);
  assert_int_equal(stream_subscribe_fd(h, &fd, &id2, &f->e), SLUICE_OK);
  struct pollfd pf = {fd, POLLIN, 0};
  assert_int_equal(poll(&pf, 1, 0), 0);
  uint64_t v0 = stream_version(h);
  fx_put_hash(f, h, 0, "x", -1);
  assert_true(stream_version(h) > v0);
  assert_int_equal(notified, 1);
  assert_int_equal(last, 0);
  assert_int_equal(poll(&pf, 1, 0), 1);
  uint64_t cnt;
  assert_int_equal(read(fd, &cnt, sizeof cnt), 8);
  assert_int_equal(cnt, 1);
  /* A reshard notifies with UINT32_MAX and wakes waiters of closed shards. */
  assert_int_equal(stream_split(h, 0, (core_u128)1 << 100, &f->e), SLUICE_OK);
  assert_int_equal(last, UINT32_MAX);
  stream_pos p0 = fx_iter(f, h, 0, STREAM_LATEST, NULL, 0);
  assert_int_equal(stream_wait(h, &p0, 1000, &f->e), SLUICE_OK);
  stream_unsubscribe(h, id1);
  stream_unsubscribe(h, id2);
  fx_put_hash(f, h, CORE_U128_MAX, "y", -1);
  assert_int_equal(notified, 2);
  stream_release(h);
  fx_free(f);
}

/* Parallel appenders on four shards and a reader waiting on one of them. */
#define PAR_THREADS 4
#define PAR_BATCHES 300
#define PAR_PER 5

typedef struct par {
  fx *f;
  stream_handle *h;
  int t;
  int seen;
} par;

static void *par_writer(void *arg) {
  par *p = arg;
  core_error e;
  for (int b = 0; b < PAR_BATCHES; b++) {
    stream_record_in r[PAR_PER];
    char d[PAR_PER][16];
    for (int i = 0; i < PAR_PER; i++) {
      snprintf(d[i], sizeof d[i], "%d", b * PAR_PER + i);
      r[i] = (stream_record_in){"k", 1, true, (core_u128)p->t << 126, d[i], (uint32_t)strlen(d[i])};
    }
    stream_append_result res[PAR_PER];
    if (stream_append(p->h, r, PAR_PER, -1, res, &e) != SLUICE_OK) return NULL;
    core_clock_advance(p->f->clock, 1); /* the clock moves while others append */
  }
  return NULL;
}

static void *par_reader(void *arg) {
  par *p = arg;
  core_error e;
  core_arena *a = core_arena_new(0);
  stream_pos pos;
  stream_iterator(p->h, 0, STREAM_TRIM_HORIZON, NULL, 0, 0, &pos, NULL, &e);
  int64_t last = INT64_MIN;
  for (int guard = 0; guard < 100000 && p->seen < PAR_BATCHES * PAR_PER; guard++) {
    if (stream_wait(p->h, &pos, 5000, &e) != SLUICE_OK) break;
    core_arena_reset(a);
    stream_read_result r;
    if (stream_read(p->h, &pos, 50, 1 << 20, a, &r, &e) != SLUICE_OK) break;
    for (size_t i = 0; i < r.n; i++) {
      if (rec_num(&r.records[i], 0) != p->seen) goto out; /* out of order */
      if (r.records[i].arrival_ms < last) goto out;
      last = r.records[i].arrival_ms;
      p->seen++;
    }
    pos = r.next;
  }
out:
  core_arena_free(a);
  return NULL;
}

static void test_parallel(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  stream_handle *h = fx_create(f, "par", 4);
  par ps[PAR_THREADS + 1];
  pthread_t th[PAR_THREADS + 1];
  for (int t = 0; t <= PAR_THREADS; t++) {
    ps[t] = (par){f, h, t, 0};
    assert_int_equal(
        pthread_create(&th[t], NULL, t < PAR_THREADS ? par_writer : par_reader, &ps[t]), 0);
  }
  for (int t = 0; t <= PAR_THREADS; t++) pthread_join(th[t], NULL);
  assert_int_equal(ps[PAR_THREADS].seen, PAR_BATCHES * PAR_PER);
  for (uint32_t s = 0; s < 4; s++) {
    stream_pos p = fx_iter(f, h, s, STREAM_TRIM_HORIZON, NULL, 0);
    stream_read_result r;
    assert_int_equal(stream_read(h, &p, 10000, 1 << 20, f->a, &r, &f->e), SLUICE_OK);
    assert_int_equal(r.n, PAR_BATCHES * PAR_PER);
    for (size_t i = 0; i < r.n; i++) {
      assert_int_equal(rec_num(&r.records[i], 0), (int)i);
      if (i) assert_true(r.records[i].arrival_ms >= r.records[i - 1].arrival_ms);
      assert_true(r.records[i].arrival_ms <= stream_last_arrival(h));
    }
  }
  stream_verify(h);
  stream_release(h);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_iterator_types), cmocka_unit_test(test_limits_and_behind),
      cmocka_unit_test(test_arrival_clamp),  cmocka_unit_test(test_wait_and_notify),
      cmocka_unit_test(test_parallel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * helpers.h — shared fixtures of the stream store's unit tests: a store in a
 * fresh temporary directory on a test clock, and small append/read helpers.
 */
#ifndef SLUICE_TEST_STREAM_HELPERS_H
#define SLUICE_TEST_STREAM_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <unistd.h>

#include "stream/stream.h"

#define T0 1700000000000LL /* the test clock's start, ms */

typedef struct fx {
  char dir[256];
  core_clock *clock;
  stream_store *st;
  stream_options opt;
  core_arena *a;
  core_error e;
} fx;

static int fx_rm(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb;
  (void)f;
  (void)w;
  return remove(p);
}

static inline void fx_store_open(fx *f) {
  int rc = stream_store_open(f->dir, &f->opt, f->clock, &f->st, &f->e);
  if (rc != SLUICE_OK) fprintf(stderr, "open: %s\n", f->e.message);
  assert_int_equal(rc, SLUICE_OK);
}

/* A new store; opt_fn may adjust the options first. */
static inline fx *fx_new(void (*opt_fn)(stream_options *)) {
  fx *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/sluice-stream-test-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  f->clock = core_clock_new(CORE_CLOCK_TEST, T0);
  stream_options_default(&f->opt);
  f->opt.fsync = STREAM_FSYNC_NEVER;
  if (opt_fn) opt_fn(&f->opt);
  f->a = core_arena_new(0);
  fx_store_open(f);
  return f;
}

static inline void fx_reopen(fx *f) {
  stream_store_close(f->st);
  f->st = NULL;
  fx_store_open(f);
}

static inline void fx_free(fx *f) {
  stream_store_close(f->st);
  nftw(f->dir, fx_rm, 16, FTW_DEPTH | FTW_PHYS);
  core_clock_free(f->clock);
  core_arena_free(f->a);
  free(f);
}

static inline stream_handle *fx_create(fx *f, const char *name, uint32_t shards) {
  stream_handle *h = NULL;
  int rc = stream_create(f->st, name, shards, STREAM_PROVISIONED, &h, &f->e);
  if (rc != SLUICE_OK) fprintf(stderr, "create: %s\n", f->e.message);
  assert_int_equal(rc, SLUICE_OK);
  return h;
}

/* Appends one record with key pk and data text; returns its result. */
static inline stream_append_result fx_put(fx *f, stream_handle *h, const char *pk, const char *data,
                                          int64_t arrival) {
  stream_record_in r = {pk, (uint32_t)strlen(pk), false, 0, data, (uint32_t)strlen(data)};
  stream_append_result res;
  int rc = stream_append(h, &r, 1, arrival, &res, &f->e);
  if (rc != SLUICE_OK) fprintf(stderr, "append: %s\n", f->e.message);
  assert_int_equal(rc, SLUICE_OK);
  return res;
}

/* Appends with an explicit hash key. */
static inline stream_append_result fx_put_hash(fx *f, stream_handle *h, core_u128 k,
                                               const char *data, int64_t arrival) {
  stream_record_in r = {"k", 1, true, k, data, (uint32_t)strlen(data)};
  stream_append_result res;
  assert_int_equal(stream_append(h, &r, 1, arrival, &res, &f->e), SLUICE_OK);
  assert_int_equal(res.rc, SLUICE_OK);
  return res;
}

/* Reads everything from pos in shard and writes "data,data,..." into out. */
static inline stream_read_result fx_read(fx *f, stream_handle *h, const stream_pos *p, size_t max,
                                         char *out, size_t cap) {
  stream_read_result r;
  int rc = stream_read(h, p, max, 1 << 20, f->a, &r, &f->e);
  if (rc != SLUICE_OK) fprintf(stderr, "read: %s\n", f->e.message);
  assert_int_equal(rc, SLUICE_OK);
  size_t o = 0;
  out[0] = 0;
  for (size_t i = 0; i < r.n; i++)
    o += (size_t)snprintf(out + o, cap - o, "%s%.*s", i ? "," : "", (int)r.records[i].data_len,
                          (const char *)r.records[i].data);
  return r;
}

static inline stream_pos fx_iter(fx *f, stream_handle *h, uint32_t shard, stream_iterator_type t,
                                 const char *seq, int64_t ts) {
  stream_pos p;
  int rc = stream_iterator(h, shard, t, seq, seq ? strlen(seq) : 0, ts, &p, NULL, &f->e);
  if (rc != SLUICE_OK) fprintf(stderr, "iterator: %s\n", f->e.message);
  assert_int_equal(rc, SLUICE_OK);
  return p;
}

/* The decimal number at byte `skip` of a record's data, read within the
 * record (data is not NUL-terminated). */
static inline int rec_num(const stream_record *r, size_t skip) {
  int v = 0;
  for (size_t i = skip; i < r->data_len && r->data[i] >= '0' && r->data[i] <= '9'; i++)
    v = v * 10 + (r->data[i] - '0');
  return v;
}

static inline const char *u128s(core_u128 v, char buf[CORE_U128_DIGITS]) {
  core_u128_format(v, buf);
  return buf;
}

#endif

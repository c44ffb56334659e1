/*
 * crash.c — kill -9 during appends; nothing acknowledged may be lost.
 *
 * Each round forks a child that opens the store (fsync never: acknowledged
 * means written to the file) and appends batches of random records to a
 * 3-shard stream, reporting every acknowledged batch on a pipe (one write of
 * less than PIPE_BUF bytes, so a report is whole or absent), and every 64
 * batches rescales the stream between 3 and 4 open shards, so that kills also
 * land during resharding. The parent kills
 * the child with SIGKILL after a random delay, reopens the store, and checks
 * that every acknowledged record reads back byte for byte at its sequence
 * number, then appends a batch of its own. Record contents are a function of
 * (round, batch, index), so the parent regenerates them instead of keeping
 * copies. After the rounds, a tail torn in the middle of a batch and a tail
 * of garbage are both cut back to the last whole batch.
 *
 * Usage: stream_crash [seed [rounds]]; the seed is printed first.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stream/stream.h"

#define SHARDS 3
#define MAX_BATCH 40

typedef struct ack {
  uint32_t round, batch, index;
  uint32_t shard;
  uint64_t pos;
} ack;

static ack *acks;
static size_t n_acks, cap_acks;
static char dir[256];

#define CHECK(c, ...)                                                                              \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "crash test failed at line %d (store kept in %s): ", __LINE__, dir);         \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
      exit(1);                                                                                     \
    }                                                                                              \
  } while (0)

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

/* The record (round, batch, index): its key, data and length. */
static void gen(uint32_t round, uint32_t batch, uint32_t index, char *key, uint8_t *data,
                uint32_t *len) {
  uint64_t s = mix(((uint64_t)round << 40) ^ ((uint64_t)batch << 16) ^ index);
  snprintf(key, 32, "k%u-%u-%u", round, batch, index);
  *len = (uint32_t)(s % 1500);
  for (uint32_t i = 0; i < *len; i++) {
    if (i % 8 == 0) s = mix(s + i);
    data[i] = (uint8_t)(s >> (8 * (i % 8)));
  }
}

static stream_store *open_store(core_clock *clock) {
  stream_options o;
  stream_options_default(&o);
  o.fsync = STREAM_FSYNC_NEVER;
  o.segment_bytes = 256 << 10; /* several segments per round */
  core_error e;
  stream_store *st;
  int rc = stream_store_open(dir, &o, clock, &st, &e);
  CHECK(rc == SLUICE_OK, "open: %s", e.message);
  return st;
}

static stream_handle *get_stream(stream_store *st) {
  core_error e;
  stream_handle *h;
  if (stream_get(st, "crash", &h, &e) == SLUICE_OK) return h;
  int rc = stream_create(st, "crash", SHARDS, STREAM_PROVISIONED, &h, &e);
  CHECK(rc == SLUICE_OK, "create: %s", e.message);
  return h;
}

/* Appends batch `batch` of round `round`; fills the results. */
static void append_batch(stream_handle *h, uint32_t round, uint32_t batch, uint32_t n,
                         stream_append_result *res) {
  static char keys[MAX_BATCH][32];
  static uint8_t data[MAX_BATCH][1500];
  stream_record_in r[MAX_BATCH] = {0};
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len;
    gen(round, batch, i, keys[i], data[i], &len);
    r[i] = (stream_record_in){keys[i], (uint32_t)strlen(keys[i]), false, 0, data[i], len};
  }
  core_error e;
  int rc = stream_append(h, r, n, -1, res, &e);
  CHECK(rc == SLUICE_OK, "append: %s", e.message);
  for (uint32_t i = 0; i < n; i++)
    CHECK(res[i].rc == SLUICE_OK, "record %u: %s", i, res[i].message);
}

static void child(int fd, uint32_t round, uint64_t seed) {
  core_clock *clock = core_clock_new(CORE_CLOCK_LIVE, 0);
  stream_store *st = open_store(clock);
  stream_handle *h = get_stream(st);
  uint32_t ready[3] = {round, UINT32_MAX, 0}; /* "opened": the parent starts its timer */
  if (write(fd, ready, sizeof ready) < 0) _exit(2);
  uint64_t s = seed;
  for (uint32_t batch = 0;; batch++) {
    s = mix(s + batch);
    uint32_t n = 1 + (uint32_t)(s % MAX_BATCH);
    stream_append_result res[MAX_BATCH];
    append_batch(h, round, batch, n, res);
    /* One report per batch, smaller than PIPE_BUF: written whole or not at all. */
    uint8_t msg[12 + MAX_BATCH * 12];
    memcpy(msg, &round, 4);
    memcpy(msg + 4, &batch, 4);
    memcpy(msg + 8, &n, 4);
    for (uint32_t i = 0; i < n; i++) {
      memcpy(msg + 12 + 12 * i, &res[i].shard, 4);
      memcpy(msg + 16 + 12 * i, &res[i].pos, 8);
    }
    if (write(fd, msg, 12 + 12 * n) < 0) _exit(2);
    /* Every 64 batches, reshape the stream (3 <-> 4 open shards), so that
     * kills also land during resharding. */
    if (batch % 64 == 63) {
      core_error e;
      uint32_t open = 0;
      stream_store_counts(st, &open, NULL, NULL);
      int rc = stream_update_shard_count(h, open == SHARDS ? SHARDS + 1 : SHARDS, NULL, &e);
      if (rc != SLUICE_OK && rc != SLUICE_LIMIT) _exit(3);
    }
  }
}

static void add_ack(uint32_t round, uint32_t batch, uint32_t index, uint32_t shard, uint64_t pos) {
  if (n_acks == cap_acks) {
    cap_acks = cap_acks ? cap_acks * 2 : 4096;
    acks = realloc(acks, cap_acks * sizeof *acks);
    CHECK(acks, "out of memory");
  }
  acks[n_acks++] = (ack){round, batch, index, shard, pos};
}

static int cmp_ack(const void *a, const void *b) {
  const ack *x = a, *y = b;
  if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Every acknowledged record reads back exactly. */
static void verify(stream_handle *h, core_arena *a) {
  qsort(acks, n_acks, sizeof *acks, cmp_ack);
  size_t i = 0;
  core_error e;
  stream_info *in;
  CHECK(stream_describe(h, a, &in, &e) == SLUICE_OK, "describe: %s", e.message);
  uint32_t n_shards = in->n_shards; /* nothing expires here: index = position in the list */
  for (uint32_t sh = 0; sh < n_shards; sh++) {
    stream_pos p;
    CHECK(stream_iterator(h, sh, STREAM_TRIM_HORIZON, NULL, 0, 0, &p, NULL, &e) == SLUICE_OK,
          "iterator: %s", e.message);
    for (;;) {
      core_arena_reset(a);
      stream_read_result r;
      CHECK(stream_read(h, &p, 10000, 8 << 20, a, &r, &e) == SLUICE_OK, "read: %s", e.message);
      if (r.n == 0) break;
      for (size_t k = 0; k < r.n; k++) {
        const stream_record *rec = &r.records[k];
        if (i >= n_acks || acks[i].shard != sh || acks[i].pos != rec->pos) continue; /* unacked */
        char key[32];
        static uint8_t data[1500];
        uint32_t len;
        gen(acks[i].round, acks[i].batch, acks[i].index, key, data, &len);
        CHECK(rec->partition_key_len == strlen(key) &&
                  memcmp(rec->partition_key, key, rec->partition_key_len) == 0,
              "shard %u pos %" PRIu64 ": wrong partition key", sh, rec->pos);
        CHECK(rec->data_len == len && memcmp(rec->data, data, len) == 0,
              "shard %u pos %" PRIu64 ": wrong data", sh, rec->pos);
        i++;
      }
      p = r.next;
    }
    CHECK(i == n_acks || acks[i].shard != sh,
          "shard %u: acknowledged record at position %" PRIu64 " is missing", sh, acks[i].pos);
  }
  CHECK(i == n_acks, "%zu of %zu acknowledged records found", i, n_acks);
}

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb;
  (void)f;
  (void)w;
  return remove(p);
}

/* The newest segment file of shard `shard`. */
static void newest_segment(uint64_t gen, uint32_t shard, char *path, size_t cap) {
  char sub[320];
  snprintf(sub, sizeof sub, "%s/streams/%016" PRIx64 "/%012u", dir, gen, shard);
  DIR *d = opendir(sub);
  CHECK(d, "open %s", sub);
  char best[256] = "";
  struct dirent *de;
  while ((de = readdir(d)))
    if (strstr(de->d_name, ".seg") && strcmp(de->d_name, best) > 0)
      snprintf(best, sizeof best, "%s", de->d_name); /* names are zero-padded positions */
  closedir(d);
  CHECK(best[0], "no segment in %s", sub);
  snprintf(path, cap, "%s/%s", sub, best);
}

/* Cuts or pollutes the tail of the open shard holding hash key 0, reopens,
 * and checks that the file went back to its last whole batch. */
static void tail_case(core_clock *clock, bool garbage) {
  stream_store *st = open_store(clock);
  stream_handle *h = get_stream(st);
  core_error e;
  uint32_t shard;
  CHECK(stream_route(h, 0, &shard, &e) == SLUICE_OK, "route");
  /* One batch of one record: frame 8 + batch header 24 + record header 8 +
   * explicit hash 16 + key 4 + data 16 = 76 bytes at the end of the file. */
  stream_record_in r = {"tail", 4, true, 0, "0123456789abcdef", 16};
  stream_append_result res;
  CHECK(stream_append(h, &r, 1, -1, &res, &e) == SLUICE_OK && res.shard == shard, "tail append");
  uint64_t gen = stream_generation(h);
  stream_release(h);
  stream_store_close(st);
  char path[600];
  newest_segment(gen, shard, path, sizeof path);
  struct stat sb;
  CHECK(stat(path, &sb) == 0, "stat %s", path);
  off_t whole = sb.st_size, before = whole - 76;
  if (garbage) { /* garbage after the whole batch: the batch stays, the garbage goes */
    int fd = open(path, O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "\x40\0\0\0\x12\x34\x56\x78garbage!", 16) == 16, "garbage");
    close(fd);
  } else { /* the batch torn in its middle: it goes */
    CHECK(truncate(path, before + 38) == 0, "truncate");
  }
  st = open_store(clock);
  h = get_stream(st);
  stream_store_stats s;
  stream_store_stats_get(st, &s);
  CHECK(s.tails_truncated == 1, "%u tails truncated", s.tails_truncated);
  CHECK(stat(path, &sb) == 0, "stat %s", path);
  CHECK(sb.st_size == (garbage ? whole : before), "segment not cut back to its last whole batch");
  core_arena *a = core_arena_new(0);
  verify(h, a);
  stream_shard_info si;
  CHECK(stream_shard_get(h, shard, a, &si, &e) == SLUICE_OK, "shard");
  CHECK(si.next_pos == (garbage ? res.pos + 1 : res.pos), "tip %" PRIu64 " after %s", si.next_pos,
        garbage ? "garbage" : "truncation");
  core_arena_free(a);
  stream_release(h);
  stream_store_close(st);
}

/* Whole reports read so far from the child's pipe. */
typedef struct reports {
  uint8_t buf[1 << 16];
  size_t have, batches, recs;
  bool ready; /* the child has opened the store */
} reports;

/* Reads what the pipe has and records every whole report; false at EOF. */
static bool read_reports(int fd, reports *rp) {
  ssize_t r;
  do r = read(fd, rp->buf + rp->have, sizeof rp->buf - rp->have);
  while (r < 0 && errno == EINTR);
  if (r > 0) rp->have += (size_t)r;
  size_t off = 0;
  while (rp->have - off >= 12) {
    uint32_t rd, b, n;
    memcpy(&rd, rp->buf + off, 4);
    memcpy(&b, rp->buf + off + 4, 4);
    memcpy(&n, rp->buf + off + 8, 4);
    if (rp->have - off < 12 + 12 * (size_t)n) break;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t sh;
      uint64_t pos;
      memcpy(&sh, rp->buf + off + 12 + 12 * i, 4);
      memcpy(&pos, rp->buf + off + 16 + 12 * i, 8);
      add_ack(rd, b, i, sh, pos);
    }
    off += 12 + 12 * (size_t)n;
    if (b == UINT32_MAX) {
      rp->ready = true;
      continue;
    }
    rp->batches++;
    rp->recs += n;
  }
  memmove(rp->buf, rp->buf + off, rp->have - off);
  rp->have -= off;
  return r > 0;
}

int main(int argc, char **argv) {
  uint64_t seed =
      argc > 1 ? strtoull(argv[1], NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
  uint32_t rounds = argc > 2 ? (uint32_t)atoi(argv[2]) : 20;
  printf("stream_crash seed %" PRIu64 " rounds %u\n", seed, rounds);
  fflush(stdout);
  snprintf(dir, sizeof dir, "/tmp/sluice-crash-XXXXXX");
  CHECK(mkdtemp(dir), "mkdtemp");
  core_clock *clock = core_clock_new(CORE_CLOCK_LIVE, 0);
  core_arena *a = core_arena_new(0);
  uint64_t s = seed;
  for (uint32_t round = 1; round <= rounds; round++) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    s = mix(s + round);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      close(fds[0]);
      child(fds[1], round, s);
      _exit(0);
    }
    close(fds[1]);
    /* Read reports while the child runs (a full pipe would stall it), kill
     * it after a random delay, then read what is left. */
    reports rp = {0};
    int64_t limit = core_mono_ns() + 60 * 1000000000LL; /* bounded wait for "opened" */
    while (!rp.ready && core_mono_ns() < limit) {
      struct pollfd pf = {fds[0], POLLIN, 0};
      if (poll(&pf, 1, 100) > 0 && !read_reports(fds[0], &rp)) break;
    }
    CHECK(rp.ready, "the child did not open the store within 60 s");
    int64_t deadline = core_mono_ns() + (int64_t)(1 + mix(s) % 200) * 1000000;
    while (core_mono_ns() < deadline) {
      struct pollfd pf = {fds[0], POLLIN, 0};
      int ms = (int)((deadline - core_mono_ns()) / 1000000);
      if (poll(&pf, 1, ms > 0 ? ms : 0) > 0 && !read_reports(fds[0], &rp)) break;
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child exited by itself (%d)",
          status);
    while (read_reports(fds[0], &rp)) {
    }
    size_t batches = rp.batches, recs = rp.recs;
    close(fds[0]);
    /* Reopen, check, and make sure appends still work. */
    stream_store *st = open_store(clock);
    stream_handle *h = get_stream(st);
    verify(h, a);
    stream_append_result res[MAX_BATCH];
    append_batch(h, 100000 + round, 0, 10, res);
    for (uint32_t i = 0; i < 10; i++) add_ack(100000 + round, 0, i, res[i].shard, res[i].pos);
    stream_store_stats st_stats;
    stream_store_stats_get(st, &st_stats);
    printf("round %2u: %zu batches, %zu records acknowledged (total %zu); %u torn tails cut\n",
           round, batches, recs, n_acks, st_stats.tails_truncated);
    stream_release(h);
    stream_store_close(st);
  }
  tail_case(clock, false);
  tail_case(clock, true);
  printf("torn and garbage tails recovered to their last whole batch\n");
  core_arena_free(a);
  core_clock_free(clock);
  free(acks);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  printf("ok\n");
  return 0;
}

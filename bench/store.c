/*
 * store.c — `sluice bench store`: the stream store's append and read speed.
 *
 * One thread appends N records of S bytes (default 5,000,000 of 100 bytes)
 * in batches of B (default 500) to a stream of K shards (default 1; records
 * routed by the MD5 of 64 partition keys), first with fsync
 * policy `never`, then `interval`, and reads them all back (GetRecords-sized
 * reads: 10,000 records or 10 MiB). The reference, measured in the same run,
 * is the least the machine can do for the same data (best of two runs): write() of the same
 * record bytes into one file in the same batch-sized chunks, and read() of
 * that file in 10 MiB chunks. Ratios store/reference are printed. Everything
 * lives in a temporary directory that is removed afterwards.
 *
 * Options: --records N  --size S  --batch B  --shards K  --dir D (parent of the
 * temporary directory)
 */
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "stream/stream.h"

typedef struct bench_cfg {
  uint64_t records;
  uint32_t size, batch, shards;
  const char *parent;
} bench_cfg;

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb;
  (void)f;
  (void)w;
  return remove(p);
}

static double secs(int64_t ns) {
  return (double)ns / 1e9;
}

static void report(const char *what, uint64_t recs, uint64_t bytes, int64_t ns) {
  printf("  %-34s %12.0f records/s %9.1f MB/s  (%.3f s)\n", what, (double)recs / secs(ns),
         (double)bytes / 1e6 / secs(ns), secs(ns));
}

/* Appends cfg->records records; returns elapsed ns, or -1. */
static int64_t run_append(const bench_cfg *cfg, stream_handle *h, uint8_t *data) {
  stream_record_in *r = calloc(cfg->batch, sizeof *r);
  stream_append_result *res = calloc(cfg->batch, sizeof *res);
  static char keys[64][16];
  for (int i = 0; i < 64; i++) snprintf(keys[i], sizeof keys[i], "pk-%d", i);
  core_error e;
  int64_t t0 = core_mono_ns();
  uint64_t done = 0;
  int rc = SLUICE_OK;
  while (done < cfg->records && rc == SLUICE_OK) {
    uint32_t n = cfg->records - done < cfg->batch ? (uint32_t)(cfg->records - done) : cfg->batch;
    for (uint32_t i = 0; i < n; i++) {
      uint64_t k = done + i;
      memcpy(data + (size_t)i * cfg->size, &k, sizeof k < cfg->size ? sizeof k : cfg->size);
      r[i] = (stream_record_in){
          keys[k % 64], (uint32_t)strlen(keys[k % 64]), false, 0, data + (size_t)i * cfg->size,
          cfg->size};
    }
    rc = stream_append(h, r, n, -1, res, &e);
    done += n;
  }
  int64_t ns = core_mono_ns() - t0;
  free(r);
  free(res);
  if (rc != SLUICE_OK) {
    fprintf(stderr, "bench store: append failed: %s\n", e.message);
    return -1;
  }
  return ns;
}

/* Reads every shard back; returns elapsed ns, or -1. */
static int64_t run_read(const bench_cfg *cfg, stream_handle *h, uint64_t *bytes) {
  core_arena *a = core_arena_new(16 << 20);
  core_error e;
  stream_pos p;
  uint64_t n = 0, b = 0, sum = 0;
  int64_t t0 = core_mono_ns();
  for (uint32_t shard = 0; shard < cfg->shards; shard++) {
    if (stream_iterator(h, shard, STREAM_TRIM_HORIZON, NULL, 0, 0, &p, NULL, &e) != SLUICE_OK) {
      core_arena_free(a);
      return -1;
    }
    for (;;) {
      core_arena_reset(a);
      stream_read_result r;
      if (stream_read(h, &p, 10000, 10 << 20, a, &r, &e) != SLUICE_OK) {
        fprintf(stderr, "bench store: read failed: %s\n", e.message);
        core_arena_free(a);
        return -1;
      }
      if (r.n == 0) break;
      for (size_t i = 0; i < r.n; i++) {
        b += r.records[i].data_len + r.records[i].partition_key_len;
        sum += r.records[i].data[0]; /* touch the data */
      }
      n += r.n;
      p = r.next;
    }
  }
  int64_t ns = core_mono_ns() - t0;
  core_arena_free(a);
  if (n != cfg->records) {
    fprintf(stderr, "bench store: read %" PRIu64 " records, expected %" PRIu64 " (%" PRIu64 ")\n",
            n, cfg->records, sum);
    return -1;
  }
  *bytes = b;
  return ns;
}

static int run_store(const bench_cfg *cfg, stream_fsync_policy pol, int64_t *app_ns,
                     int64_t *read_ns, uint64_t *read_bytes, uint64_t *disk) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/sluice-bench-store-XXXXXX", cfg->parent);
  if (!mkdtemp(dir)) {
    perror("bench store: mkdtemp");
    return 1;
  }
  core_clock *clock = core_clock_new(CORE_CLOCK_LIVE, 0);
  stream_options o;
  stream_options_default(&o);
  o.fsync = pol;
  stream_store *st = NULL;
  stream_handle *h = NULL;
  core_error e;
  int rc = stream_store_open(dir, &o, clock, &st, &e);
  if (rc == SLUICE_OK) rc = stream_create(st, "bench", cfg->shards, STREAM_PROVISIONED, &h, &e);
  uint8_t *data = malloc((size_t)cfg->batch * cfg->size);
  memset(data, 'x', (size_t)cfg->batch * cfg->size);
  int status = 1;
  if (rc != SLUICE_OK) {
    fprintf(stderr, "bench store: %s\n", e.message);
  } else if ((*app_ns = run_append(cfg, h, data)) >= 0 &&
             (!read_ns || (*read_ns = run_read(cfg, h, read_bytes)) >= 0)) {
    stream_store_stats s;
    stream_store_stats_get(st, &s);
    *disk = s.bytes_appended;
    status = 0;
  }
  free(data);
  stream_release(h);
  stream_store_close(st);
  core_clock_free(clock);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return status;
}

/* The reference: write() the same record bytes in batch-sized chunks, read() back. */
static int run_raw(const bench_cfg *cfg, int64_t *w_ns, int64_t *r_ns) {
  char path[512];
  snprintf(path, sizeof path, "%s/sluice-bench-raw-XXXXXX", cfg->parent);
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("bench store: mkstemp");
    return 1;
  }
  size_t chunk = (size_t)cfg->batch * cfg->size;
  uint8_t *buf = malloc(chunk > (10u << 20) ? chunk : (10u << 20));
  memset(buf, 'x', chunk);
  int64_t t0 = core_mono_ns();
  uint64_t left = cfg->records * cfg->size;
  while (left > 0) {
    size_t n = left < chunk ? (size_t)left : chunk;
    for (size_t i = 0; i + 8 <= n; i += cfg->size) buf[i] ^= 1; /* like filling records */
    if (write(fd, buf, n) != (ssize_t)n) {
      perror("bench store: write");
      break;
    }
    left -= n;
  }
  *w_ns = core_mono_ns() - t0;
  lseek(fd, 0, SEEK_SET);
  t0 = core_mono_ns();
  uint64_t sum = 0;
  ssize_t r;
  while ((r = read(fd, buf, 10u << 20)) > 0) sum += buf[0];
  *r_ns = core_mono_ns() - t0 + (int64_t)(sum & 0);
  free(buf);
  close(fd);
  unlink(path);
  return left == 0 ? 0 : 1;
}

int bench_store_main(int argc, char **argv) {
  bench_cfg cfg = {5000000, 100, 500, 1, "/tmp"};
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(argv[i], "--records") && v)
      cfg.records = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--size") && v)
      cfg.size = (uint32_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--batch") && v)
      cfg.batch = (uint32_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--dir") && v)
      cfg.parent = argv[++i];
    else if (!strcmp(argv[i], "--shards") && v)
      cfg.shards = (uint32_t)atoi(argv[++i]);
    else {
      fprintf(stderr,
              "usage: bench store [--records N] [--size S] [--batch B] [--shards K] [--dir D]\n");
      return 2;
    }
  }
  if (cfg.records == 0 || cfg.size < 1 || cfg.size > STREAM_RECORD_MAX || cfg.batch < 1 ||
      cfg.shards < 1 || cfg.shards > 1000) {
    fprintf(stderr, "bench store: records, size (1 B to 1 MiB), batch and shards (1 to 1000) "
                    "must be positive\n");
    return 2;
  }
  printf("store: %" PRIu64 " records of %u bytes in batches of %u, one thread, %u shard(s)\n",
         cfg.records, cfg.size, cfg.batch, cfg.shards);
  uint64_t payload = cfg.records * cfg.size, rbytes = 0, disk = 0, disk2 = 0;
  int64_t raw_w, raw_r, app_never, app_interval, rd;
  /* The reference runs twice and keeps its best: the first run into fresh
   * page-cache pages is the slowest, and the store should not profit from that. */
  for (int i = 0; i < 2; i++) {
    int64_t w, r;
    if (run_raw(&cfg, &w, &r) != 0) return 1;
    if (i == 0 || w < raw_w) raw_w = w;
    if (i == 0 || r < raw_r) raw_r = r;
  }
  if (run_store(&cfg, STREAM_FSYNC_NEVER, &app_never, &rd, &rbytes, &disk) != 0) return 1;
  if (run_store(&cfg, STREAM_FSYNC_INTERVAL, &app_interval, NULL, NULL, &disk2) != 0) return 1;
  report("reference write() of the data", cfg.records, payload, raw_w);
  report("append, fsync never", cfg.records, payload, app_never);
  report("append, fsync interval (1000 ms)", cfg.records, payload, app_interval);
  report("reference read() of the data", cfg.records, payload, raw_r);
  report("read (10000 records / 10 MiB per call)", cfg.records, rbytes, rd);
  printf("  on disk: %.1f MB for %.1f MB of data (%.2f x, framing and keys)\n", (double)disk / 1e6,
         (double)payload / 1e6, (double)disk / (double)payload);
  printf("  ratio append never / reference write:    %.2f\n", (double)raw_w / (double)app_never);
  printf("  ratio append interval / reference write: %.2f\n", (double)raw_w / (double)app_interval);
  printf("  ratio read / reference read:             %.2f\n", (double)raw_r / (double)rd);
  return 0;
}

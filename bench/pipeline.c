/*
 * pipeline.c — `sluice bench pipeline`: a KDA application end to end on one core, against
 * DuckDB running the same queries in batch over the same records.
 *
 * Setup (not measured): N (default 10,000,000) generated ~200-byte JSON clickstream records,
 * e.g.
 *
 *   {"ts":1700000000050,"page":"/p/0123","user":"u004711","key":"k01234","latency_ms":123,
 *    "bytes":45678,"status":200,"region":"eu-west-1","agent":"Mozilla/5.0 (X11; Linux
 *    x86_64) Gecko/20100101","ok":true}
 *
 * with "key" drawn uniformly from K keys (default 10,000), are appended in batches of 500
 * to the one-shard data stream "clicks" of a fresh store in a temporary directory, with
 * explicit arrival times: 10,000 records per second (one arrival time per batch, 50 ms
 * apart), so that N records span N / 10,000 seconds and N / 100,000 10-second windows.
 * "ts" is the record's arrival time. The same records go, one per line, into an NDJSON file
 * for DuckDB. While generating, the expected results are computed in C.
 *
 * Measured: on a fresh engine on that directory (sluice_open with a test clock that starts
 * 20 s after the last arrival, so every window has closed), the wall time of one
 * sluice_exec() that deploys an application whose input reads "clicks" from TRIM_HORIZON.
 * With a test clock the engine runs the input and the pump inside sluice_exec, on the
 * calling thread, until they settle: that call is the whole replay (JSON decoding, the
 * in-application source stream, the pump's operators, the output stream). Two applications,
 * each on its own fresh engine, over the same stored records:
 *   (a) filter + project: SELECT STREAM "page", "latency_ms", "status" ... WHERE "status" >=
 *       400 OR "latency_ms" > 250
 *   (b) a 10-second tumbling window over the K keys: "key", COUNT(*), SUM("bytes"),
 *       AVG("latency_ms"), MAX("latency_ms") ... GROUP BY "key", STEP(s.ROWTIME BY
 *       INTERVAL '10' SECOND)
 * Afterwards (untimed) the output streams are read with sluice_read and checked against
 * the counts computed in C, so that a wrong pipeline cannot look fast: (a) its row count and
 * the sum of its latencies, (b) its number of groups (distinct key and window), the sum of
 * the counts (= N) and the sum of the byte sums. No row may have gone to error_stream.
 *
 * Reference, in the same run: bench/duckdb/run.mjs (node, npm @duckdb/node-api, installed by
 * scripts/setup) runs the same two queries with SET threads = 1 over read_json() of the
 * NDJSON file (the same eight columns), each materialized into a temporary table; it
 * reports the wall time of each query including the JSON reading, and the same check
 * figures, which are verified here too. Without node or the package the reference is
 * skipped with the reason; the benchmark still measures sluice.
 *
 * Printed: records/s for sluice and DuckDB, (a) and (b), their ratios, and whether the
 * goals of the issue are met: at least 2.5 million records/s end to end on one core, and at
 * least twice DuckDB's records/s, for both queries.
 *
 * Options: --records N  --keys K  --seed S  --dir D (parent of the temporary directory,
 * default $TMPDIR or /tmp)  --duckdb DIR (where run.mjs and node_modules are)  --no-duckdb
 * --only a|b (run one of the two applications)  --repeat R (best wall time of R runs, each on
 * a fresh engine and application; DuckDB likewise; default 1)  --keep (keep the temporary
 * directory)
 * --perf-ctl CTL[,ACK]: the control FIFOs of `perf record --control=fifo:CTL,ACK -D -1`;
 * events are enabled around each timed sluice_exec() only, so a profile shows the replay
 * and not the setup (bench/README.md shows the commands).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "sluice.h"
#include "stream/stream.h"

extern char **environ;

#define PIPE_BATCH 500          /* records per stream_append */
#define PIPE_RATE 10000         /* records per second of arrival time */
#define PIPE_WINDOW_MS 10000    /* the tumbling window */
#define PIPE_T0 1700000000000LL /* first arrival: a multiple of the window */
#define PIPE_GOAL_RATE 2.5e6    /* records/s end to end, one core */
#define PIPE_GOAL_RATIO 2.0     /* times DuckDB's records/s */

typedef struct pipe_cfg {
  uint64_t records;
  uint32_t keys;
  uint64_t seed;
  const char *parent;
  const char *duckdb; /* directory of run.mjs, or NULL: search */
  bool no_duckdb;
  bool keep;
  char only;            /* 'a', 'b' or 0: both */
  int repeat;           /* runs of each query; the best wall time counts */
  const char *perf_ctl; /* "CTL[,ACK]" FIFOs of perf record, or NULL */
} pipe_cfg;

/* What the queries must produce, computed while generating. */
typedef struct pipe_expect {
  uint64_t filter_rows;    /* (a) rows */
  uint64_t filter_latency; /* (a) sum of latency_ms over its rows */
  uint64_t groups;         /* (b) distinct (key, window) */
  uint64_t bytes_sum;      /* (b) sum of "bytes" over all records */
  uint64_t data_bytes;     /* JSON bytes of all records */
  int64_t last_arrival;
} pipe_expect;

/* One query's measurement and the check figures of its output. */
typedef struct pipe_result {
  bool ok;
  double secs, user, sys; /* wall, user and system CPU seconds */
  uint64_t rows;          /* (a) rows, (b) groups */
  uint64_t sum1;          /* (a) sum of latency_ms, (b) sum of COUNT(*) */
  uint64_t sum2;          /* (b) sum of SUM("bytes") */
} pipe_result;

/* --------------------------------------------------------------- records -- */

static uint64_t pipe_rng(uint64_t *s) {
  uint64_t x = *s += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static char *put_str(char *p, const char *s) {
  size_t n = strlen(s);
  memcpy(p, s, n);
  return p + n;
}

static char *put_u64(char *p, uint64_t v) {
  char tmp[24];
  int k = 0;
  do tmp[k++] = (char)('0' + v % 10);
  while ((v /= 10) > 0);
  while (k > 0) *p++ = tmp[--k];
  return p;
}

/* v with at least `width` digits (zero padded). */
static char *put_padded(char *p, uint64_t v, int width) {
  char tmp[24];
  int k = 0;
  do tmp[k++] = (char)('0' + v % 10);
  while ((v /= 10) > 0);
  while (k < width) tmp[k++] = '0';
  while (k > 0) *p++ = tmp[--k];
  return p;
}

static const char *const REGIONS[] = {"eu-west-1",  "us-east-1",    "us-west-2",
                                      "ap-south-1", "eu-central-1", "sa-east-1"};
static const char *const AGENTS[] = {
    "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1) Safari/605",
    "curl/8.4.0 (x86_64-pc-linux-gnu) libcurl/8.4.0 zlib",
};

typedef struct pipe_fields {
  uint32_t key, latency, bytes, status;
} pipe_fields;

/* Writes record i's JSON into p (no newline); returns its end. */
static char *make_record(char *p, uint64_t *seed, uint32_t keys, int64_t ts, pipe_fields *f) {
  uint64_t r1 = pipe_rng(seed), r2 = pipe_rng(seed), r3 = pipe_rng(seed);
  f->key = (uint32_t)(r1 % keys);
  /* 8 % slow requests (251..2000 ms), the rest 5..249 ms */
  f->latency =
      (r2 % 100) < 8 ? 251 + (uint32_t)((r2 >> 8) % 1750) : 5 + (uint32_t)((r2 >> 8) % 245);
  /* 4 % errors */
  static const uint32_t OK[] = {200, 200, 200, 200, 200, 200, 301, 304};
  static const uint32_t BAD[] = {404, 500, 503, 429};
  f->status = (r3 % 100) < 4 ? BAD[(r3 >> 8) % 4] : OK[(r3 >> 8) % 8];
  f->bytes = 200 + (uint32_t)((r3 >> 16) % 50000);
  p = put_str(p, "{\"ts\":");
  p = put_u64(p, (uint64_t)ts);
  p = put_str(p, ",\"page\":\"/p/");
  p = put_padded(p, (r1 >> 24) % 1000, 4);
  p = put_str(p, "\",\"user\":\"u");
  p = put_padded(p, (r1 >> 40) % 1000000, 6);
  p = put_str(p, "\",\"key\":\"k");
  p = put_padded(p, f->key, 5);
  p = put_str(p, "\",\"latency_ms\":");
  p = put_u64(p, f->latency);
  p = put_str(p, ",\"bytes\":");
  p = put_u64(p, f->bytes);
  p = put_str(p, ",\"status\":");
  p = put_u64(p, f->status);
  p = put_str(p, ",\"region\":\"");
  p = put_str(p, REGIONS[(r2 >> 40) % 6]);
  p = put_str(p, "\",\"agent\":\"");
  p = put_str(p, AGENTS[(r2 >> 48) % 4]);
  p = put_str(p, (r2 >> 56) % 16 ? "\",\"ok\":true}" : "\",\"ok\":false}");
  return p;
}

static int rm_entry(const char *p, const struct stat *sb, int f, struct FTW *w) {
  (void)sb;
  (void)f;
  (void)w;
  return remove(p);
}

/* Appends the records to "clicks" in dir (a fresh store) and writes them to the NDJSON file;
 * fills the expectations. */
static int make_data(const pipe_cfg *c, const char *dir, const char *ndjson, pipe_expect *x) {
  memset(x, 0, sizeof *x);
  core_clock *clock = core_clock_new(CORE_CLOCK_LIVE, 0);
  stream_options o;
  stream_options_default(&o);
  o.fsync = STREAM_FSYNC_NEVER;
  stream_store *st = NULL;
  stream_handle *h = NULL;
  core_error e;
  core_error_clear(&e);
  int rc = clock ? stream_store_open(dir, &o, clock, &st, &e) : SLUICE_NOMEM;
  if (!rc) rc = stream_create(st, "clicks", 1, STREAM_PROVISIONED, &h, &e);
  FILE *f = rc ? NULL : fopen(ndjson, "w");
  if (!rc && !f) rc = core_error_set(&e, SLUICE_IO, "cannot write %s", ndjson);
  char *buf = malloc((size_t)PIPE_BATCH * 512);
  stream_record_in *in = calloc(PIPE_BATCH, sizeof *in);
  stream_append_result *res = calloc(PIPE_BATCH, sizeof *res);
  int64_t *seen = malloc(sizeof *seen * c->keys); /* window each key was last counted in */
  if (!rc && (!buf || !in || !res || !seen)) rc = SLUICE_NOMEM;
  for (uint32_t k = 0; !rc && k < c->keys; k++) seen[k] = INT64_MIN;
  uint64_t seed = c->seed;
  for (uint64_t done = 0; !rc && done < c->records; done += PIPE_BATCH) {
    uint32_t n = c->records - done < PIPE_BATCH ? (uint32_t)(c->records - done) : PIPE_BATCH;
    int64_t arrival = PIPE_T0 + (int64_t)(done * 1000 / PIPE_RATE);
    int64_t window = arrival / PIPE_WINDOW_MS;
    char *p = buf;
    for (uint32_t i = 0; i < n; i++) {
      pipe_fields fl;
      char *end = make_record(p, &seed, c->keys, arrival, &fl);
      in[i] = (stream_record_in){
          .partition_key = "0", .partition_key_len = 1, .data = p, .data_len = (uint32_t)(end - p)};
      *end++ = '\n';
      x->data_bytes += in[i].data_len;
      if (fl.status >= 400 || fl.latency > 250) {
        x->filter_rows++;
        x->filter_latency += fl.latency;
      }
      if (seen[fl.key] != window) {
        seen[fl.key] = window;
        x->groups++;
      }
      x->bytes_sum += fl.bytes;
      p = end;
    }
    if (fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf))
      rc = core_error_set(&e, SLUICE_IO, "cannot write %s", ndjson);
    if (!rc) rc = stream_append(h, in, n, arrival, res, &e);
    for (uint32_t i = 0; !rc && i < n; i++)
      if (res[i].rc) rc = core_error_set(&e, res[i].rc, "append: %s", res[i].message);
    x->last_arrival = arrival;
  }
  if (f && fclose(f) != 0 && !rc) rc = core_error_set(&e, SLUICE_IO, "cannot write %s", ndjson);
  if (rc) fprintf(stderr, "bench pipeline: setup failed: %s\n", e.message);
  free(seen);
  free(res);
  free(in);
  free(buf);
  stream_release(h);
  stream_store_close(st);
  core_clock_free(clock);
  return rc ? 1 : 0;
}

/* --------------------------------------------------------------- sluice -- */

static const char *const INPUT_SQL =
    "CREATE INPUT \"SOURCE_SQL_STREAM\" FROM STREAM \"clicks\" FORMAT JSON COLUMNS (\n"
    "  \"ts\" BIGINT PATH '$.ts', \"page\" VARCHAR(16) PATH '$.page',\n"
    "  \"user\" VARCHAR(16) PATH '$.user', \"key\" VARCHAR(16) PATH '$.key',\n"
    "  \"latency_ms\" INTEGER PATH '$.latency_ms', \"bytes\" INTEGER PATH '$.bytes',\n"
    "  \"status\" INTEGER PATH '$.status', \"region\" VARCHAR(16) PATH '$.region')\n"
    "  STARTING AT TRIM_HORIZON;\n";

static const char *const FILTER_SQL =
    "CREATE STREAM \"SLOW_OR_FAILED\" (\"page\" VARCHAR(16), \"latency_ms\" INTEGER,\n"
    "  \"status\" INTEGER);\n"
    "CREATE PUMP \"FILTER_PUMP\" AS INSERT INTO \"SLOW_OR_FAILED\"\n"
    "  SELECT STREAM \"page\", \"latency_ms\", \"status\" FROM \"SOURCE_SQL_STREAM_001\"\n"
    "  WHERE \"status\" >= 400 OR \"latency_ms\" > 250;\n";

static const char *const WINDOW_SQL =
    "CREATE STREAM \"PER_KEY\" (\"key\" VARCHAR(16), \"cnt\" BIGINT, \"sum_bytes\" BIGINT,\n"
    "  \"avg_latency\" INTEGER, \"max_latency\" INTEGER);\n"
    "CREATE PUMP \"WINDOW_PUMP\" AS INSERT INTO \"PER_KEY\"\n"
    "  SELECT STREAM \"key\", COUNT(*), SUM(\"bytes\"), AVG(\"latency_ms\"), MAX(\"latency_ms\")\n"
    "  FROM \"SOURCE_SQL_STREAM_001\" AS s\n"
    "  GROUP BY \"key\", STEP(s.ROWTIME BY INTERVAL '10' SECOND);\n";

/* User and system CPU seconds of the process so far (all threads: the store's fsync thread
 * too). */
static void cpu_secs(double *user, double *sys) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
  *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* sluice_read callback: counts rows and sums two columns (values[0] is ROWTIME). */
typedef struct pipe_tally {
  int col1, col2; /* value indexes to sum, or -1 */
  uint64_t rows, sum1, sum2;
} pipe_tally;

static int tally_row(void *arg, int ncols, const char *const *values, const char *const *names) {
  (void)names;
  pipe_tally *t = arg;
  t->rows++;
  if (t->col1 >= 0 && t->col1 < ncols) t->sum1 += strtoull(values[t->col1], NULL, 10);
  if (t->col2 >= 0 && t->col2 < ncols) t->sum2 += strtoull(values[t->col2], NULL, 10);
  return 0;
}

/* perf record's control FIFOs (--perf-ctl), open for the whole run; -1 when unused. */
typedef struct pipe_perf {
  int ctl, ack;
} pipe_perf;

static int perf_open(const char *spec, pipe_perf *p) {
  p->ctl = p->ack = -1;
  if (!spec) return 0;
  char ctl[PATH_MAX];
  snprintf(ctl, sizeof ctl, "%s", spec);
  char *comma = strchr(ctl, ',');
  if (comma) *comma++ = 0;
  p->ctl = open(ctl, O_WRONLY | O_CLOEXEC);
  if (comma) p->ack = open(comma, O_RDONLY | O_CLOEXEC);
  if (p->ctl < 0 || (comma && p->ack < 0)) {
    fprintf(stderr, "bench pipeline: cannot open --perf-ctl %s: %s\n", spec, strerror(errno));
    return -1;
  }
  return 0;
}

/* Sends "enable" or "disable" and waits for perf's "ack" when there is an ack FIFO. */
static void perf_command(const pipe_perf *p, const char *cmd) {
  if (p->ctl < 0) return;
  char text[16], ack[8];
  int n = snprintf(text, sizeof text, "%s\n", cmd);
  if (write(p->ctl, text, (size_t)n) != n) return;
  if (p->ack >= 0 && read(p->ack, ack, sizeof ack) <= 0) return;
}

static void perf_close(pipe_perf *p) {
  if (p->ctl >= 0) close(p->ctl);
  if (p->ack >= 0) close(p->ack);
}

/* Deploys input + pump as application `app` on a fresh engine and times the replay. */
static int run_sluice(const char *dir, const char *app, const char *pump_sql, const char *out,
                      int64_t start_ms, const pipe_perf *perf, pipe_tally *tally, pipe_result *r) {
  memset(r, 0, sizeof *r);
  size_t n = strlen(INPUT_SQL) + strlen(pump_sql) + 1;
  char *sql = malloc(n);
  if (!sql) return 1;
  snprintf(sql, n, "%s%s", INPUT_SQL, pump_sql);
  sluice_options o = {.application = app, .test_clock = 1, .test_start_ms = start_ms};
  sluice_engine *e = NULL;
  int rc = sluice_open(dir, &o, &e);
  if (rc) {
    fprintf(stderr, "bench pipeline: sluice_open: %s\n", e ? sluice_errmsg(e) : sluice_errstr(rc));
    sluice_close(e);
    free(sql);
    return 1;
  }
  perf_command(perf, "enable");
  double u0, s0, u1, s1;
  cpu_secs(&u0, &s0);
  int64_t t0 = core_mono_ns();
  rc = sluice_exec(e, sql, NULL, NULL);
  int64_t ns = core_mono_ns() - t0;
  cpu_secs(&u1, &s1);
  r->user = u1 - u0;
  r->sys = s1 - s0;
  perf_command(perf, "disable");
  r->secs = (double)ns / 1e9;
  free(sql);
  if (rc) {
    fprintf(stderr, "bench pipeline: application %s: %s\n", app, sluice_errtext(e));
    sluice_close(e);
    return 1;
  }
  unsigned long long errors = sluice_error_count(e);
  rc = sluice_read(e, out, -1, tally_row, tally);
  if (rc) fprintf(stderr, "bench pipeline: reading %s: %s\n", out, sluice_errmsg(e));
  sluice_close(e);
  if (rc) return 1;
  if (errors) {
    fprintf(stderr, "bench pipeline: application %s wrote %llu rows to error_stream\n", app,
            errors);
    return 1;
  }
  r->ok = true;
  r->rows = tally->rows;
  r->sum1 = tally->sum1;
  r->sum2 = tally->sum2;
  return 0;
}

/* --------------------------------------------------------------- duckdb -- */

static bool is_file(const char *path, bool dir) {
  struct stat st;
  return stat(path, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/* out = a/b; false when it does not fit. */
static bool path_join(char *out, size_t cap, const char *a, const char *b) {
  int n = snprintf(out, cap, "%s/%s", a, b);
  return n > 0 && (size_t)n < cap;
}

/* True when base/bench/duckdb/run.mjs exists; out is then base/bench/duckdb. */
static bool duckdb_dir_at(const char *base, char *out, size_t cap) {
  char script[PATH_MAX];
  return path_join(out, cap, base, "bench/duckdb") &&
         path_join(script, sizeof script, out, "run.mjs") && is_file(script, false);
}

/* Looks for bench/duckdb/run.mjs from the working directory and from the directories above
 * this executable (build/NAME/repl/sluice lives under the source tree). */
static bool find_duckdb_dir(char *out, size_t cap) {
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) && duckdb_dir_at(cwd, out, cap)) return true;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return false;
  exe[n] = 0;
  for (int up = 0; up < 6; up++) {
    char *slash = strrchr(exe, '/');
    if (!slash || slash == exe) break;
    *slash = 0;
    if (duckdb_dir_at(exe, out, cap)) return true;
  }
  return false;
}

/* Parses "NAME seconds S user U sys Y k1 v1 k2 v2 [k3 v3]" lines of run.mjs. */
static void parse_duckdb_line(const char *line, pipe_result *a, pipe_result *b) {
  pipe_result *best = line[0] == 'a' ? a : line[0] == 'b' ? b : NULL;
  if (!best || line[1] != ' ') return;
  char k1[32], k2[32], k3[32] = "";
  unsigned long long v1 = 0, v2 = 0, v3 = 0;
  pipe_result r = {.ok = true};
  int got = sscanf(line + 2, "seconds %lf user %lf sys %lf %31s %llu %31s %llu %31s %llu", &r.secs,
                   &r.user, &r.sys, k1, &v1, k2, &v2, k3, &v3);
  if (got < 7) return;
  r.rows = v1;
  r.sum1 = v2;
  r.sum2 = v3;
  /* one line per run: the best wall time counts, as for sluice */
  if (!best->ok || r.secs < best->secs) *best = r;
}

/* Runs node run.mjs on the NDJSON file; a missing node or package is reported, not fatal.
 * Returns false when DuckDB did not run (why is in *why). */
static bool run_duckdb(const pipe_cfg *c, const char *ndjson, pipe_result *a, pipe_result *b,
                       char *version, size_t vcap, char *why, size_t wcap) {
  memset(a, 0, sizeof *a);
  memset(b, 0, sizeof *b);
  char dir[PATH_MAX], script[PATH_MAX], pkg[PATH_MAX];
  if (c->duckdb) {
    snprintf(dir, sizeof dir, "%s", c->duckdb);
  } else if (!find_duckdb_dir(dir, sizeof dir)) {
    snprintf(why, wcap, "bench/duckdb/run.mjs not found from here or above the executable");
    return false;
  }
  if (!path_join(script, sizeof script, dir, "run.mjs") || !is_file(script, false) ||
      !path_join(pkg, sizeof pkg, dir, "node_modules/@duckdb/node-api")) {
    snprintf(why, wcap, "%s not found", script);
    return false;
  }
  if (!is_file(pkg, true)) {
    snprintf(why, wcap, "%s not installed (run scripts/setup)", pkg);
    return false;
  }
  int fds[2];
  if (pipe(fds) != 0) {
    snprintf(why, wcap, "pipe: %s", strerror(errno));
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  char repeat[16];
  snprintf(repeat, sizeof repeat, "%d", c->repeat);
  char *argv[] = {
      "node", script, (char *)ndjson, repeat, c->only == 'a' ? "a" : c->only == 'b' ? "b" : "ab",
      NULL};
  pid_t pid;
  int err = posix_spawnp(&pid, "node", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (err) {
    close(fds[0]);
    snprintf(why, wcap, "cannot run node (%s)%s", strerror(err),
             err == ENOENT ? ": not on PATH" : "");
    return false;
  }
  FILE *f = fdopen(fds[0], "r");
  char line[512];
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (!strncmp(line, "version ", 8)) {
      size_t k = strlen(line + 8) < vcap - 1 ? strlen(line + 8) : vcap - 1;
      memcpy(version, line + 8, k);
      version[k] = 0;
    } else {
      parse_duckdb_line(line, a, b);
    }
  }
  if (f)
    fclose(f);
  else
    close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || (c->only != 'b' && !a->ok) ||
      (c->only != 'a' && !b->ok)) {
    snprintf(why, wcap, "node %s failed (exit status %d; its messages are above)", script,
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return false;
  }
  return true;
}

/* ---------------------------------------------------------------- report -- */

static bool check(const char *who, const char *what, uint64_t got, uint64_t want) {
  if (got == want) return true;
  printf("  CHECK FAILED: %s %s is %" PRIu64 ", expected %" PRIu64 "\n", who, what, got, want);
  return false;
}

/* Checks a result of (a) or (b), sluice's or DuckDB's, against the expectations. */
static bool check_result(const char *who, char query, const pipe_result *r, const pipe_expect *x,
                         uint64_t records) {
  if (query == 'a')
    return check(who, "row count", r->rows, x->filter_rows) &
           check(who, "sum of latency_ms", r->sum1, x->filter_latency);
  return check(who, "group count", r->rows, x->groups) &
         check(who, "sum of COUNT(*)", r->sum1, records) &
         check(who, "sum of SUM(bytes)", r->sum2, x->bytes_sum);
}

static void print_line(const char *what, uint64_t records, const pipe_result *r, uint64_t out,
                       const char *unit) {
  printf("  %-38s %10.0f records/s  %7.3f s wall (cpu %.3f user + %.3f sys)  %" PRIu64 " %s out\n",
         what, (double)records / r->secs, r->secs, r->user, r->sys, out, unit);
}

static const char *met(bool ok) {
  return ok ? "met" : "NOT met";
}

static int usage(void) {
  fprintf(stderr, "usage: bench pipeline [--records N] [--keys K] [--seed S] [--dir D]\n"
                  "                      [--duckdb DIR | --no-duckdb] [--only a|b] [--keep]\n"
                  "                      [--repeat R] [--perf-ctl CTL_FIFO[,ACK_FIFO]]\n"
                  "Replays N JSON records (default 10000000) through a sluice application on\n"
                  "one core, (a) filter + project and (b) a 10-second tumbling GROUP BY over K\n"
                  "keys (default 10000), against DuckDB (bench/duckdb, node) on one thread.\n");
  return 2;
}

static int parse_args(int argc, char **argv, pipe_cfg *c) {
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(argv[i], "--records") && v)
      c->records = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--keys") && v)
      c->keys = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--seed") && v)
      c->seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--dir") && v)
      c->parent = argv[++i];
    else if (!strcmp(argv[i], "--duckdb") && v)
      c->duckdb = argv[++i];
    else if (!strcmp(argv[i], "--no-duckdb"))
      c->no_duckdb = true;
    else if (!strcmp(argv[i], "--keep"))
      c->keep = true;
    else if (!strcmp(argv[i], "--only") && v && (!strcmp(v, "a") || !strcmp(v, "b")))
      c->only = argv[++i][0];
    else if (!strcmp(argv[i], "--repeat") && v)
      c->repeat = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--perf-ctl") && v)
      c->perf_ctl = argv[++i];
    else
      return usage();
  }
  if (c->records == 0 || c->keys == 0 || c->keys > 99999 || c->repeat < 1 || c->repeat > 100) {
    fprintf(stderr, "bench pipeline: --records must be positive, --keys 1 to 99999 and "
                    "--repeat 1 to 100\n");
    return 2;
  }
  return 0;
}

/* The measurements of one query: sluice's, DuckDB's, and their report. */
typedef struct pipe_query {
  char name;          /* 'a' or 'b' */
  const char *sluice; /* label */
  const char *duck;   /* label */
  const char *unit;   /* "rows", "groups" */
  pipe_result s, d;
} pipe_query;

/* Prints one query's figures; returns false if a check failed. */
static bool report(const pipe_cfg *c, const pipe_expect *x, const pipe_query *q, bool duck) {
  char who[32];
  snprintf(who, sizeof who, "sluice (%c)", q->name);
  print_line(q->sluice, c->records, &q->s, q->s.rows, q->unit);
  bool ok = check_result(who, q->name, &q->s, x, c->records);
  if (duck) {
    snprintf(who, sizeof who, "duckdb (%c)", q->name);
    print_line(q->duck, c->records, &q->d, q->d.rows, q->unit);
    ok &= check_result(who, q->name, &q->d, x, c->records);
  }
  return ok;
}

/* The goals of the issue, said plainly. */
static void print_goals(const pipe_cfg *c, const pipe_query *qs, int nq, bool duck) {
  for (int i = 0; i < nq; i++) {
    const pipe_query *q = &qs[i];
    double rate = (double)c->records / q->s.secs;
    printf("  goal (%c) >= %.1f M records/s on one core: %s (%.2f M)\n", q->name,
           PIPE_GOAL_RATE / 1e6, met(rate >= PIPE_GOAL_RATE), rate / 1e6);
    if (duck) {
      double ratio = q->d.secs / q->s.secs;
      double cpu_ratio = (q->d.user + q->d.sys) / (q->s.user + q->s.sys);
      printf("  goal (%c) >= %.0fx DuckDB: %s (ratio sluice / duckdb %.2f by wall time, %.2f by "
             "CPU time)\n",
             q->name, PIPE_GOAL_RATIO, met(ratio >= PIPE_GOAL_RATIO), ratio, cpu_ratio);
    } else {
      printf("  goal (%c) >= %.0fx DuckDB: not measured (DuckDB skipped)\n", q->name,
             PIPE_GOAL_RATIO);
    }
  }
}

int bench_pipeline_main(int argc, char **argv) {
  const char *tmp = getenv("TMPDIR");
  pipe_cfg c = {.records = 10000000,
                .keys = 10000,
                .seed = 42,
                .repeat = 1,
                .parent = tmp && *tmp ? tmp : "/tmp"};
  int rc = parse_args(argc, argv, &c);
  if (rc) return rc;
  pipe_perf perf;
  if (perf_open(c.perf_ctl, &perf)) return 1;
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/sluice-bench-pipeline-XXXXXX", c.parent);
  if (!mkdtemp(dir)) {
    perror("bench pipeline: mkdtemp");
    perf_close(&perf);
    return 1;
  }
  char ndjson[PATH_MAX + 16];
  snprintf(ndjson, sizeof ndjson, "%s/clicks.ndjson", dir);
  pipe_expect x;
  int64_t t0 = core_mono_ns();
  int status = make_data(&c, dir, ndjson, &x);
  double setup = (double)(core_mono_ns() - t0) / 1e9;
  pipe_query qs[2] = {
      {'a', "sluice (a) filter + project", "duckdb (a) filter + project", "rows", {0}, {0}},
      {'b',
       "sluice (b) tumbling 10 s GROUP BY key",
       "duckdb (b) GROUP BY key, ts // 10000",
       "groups",
       {0},
       {0}}};
  pipe_query *run = c.only == 'b' ? &qs[1] : &qs[0];
  int nq = c.only ? 1 : 2;
  char version[64] = "?", why[PATH_MAX + 128] = "";
  bool duck = false;
  if (status == 0) {
    int64_t windows = x.last_arrival / PIPE_WINDOW_MS - PIPE_T0 / PIPE_WINDOW_MS + 1;
    printf("pipeline: %" PRIu64 " JSON records (%.0f bytes on average, %.1f MB), %u keys, "
           "seed %" PRIu64 "\n",
           c.records, (double)x.data_bytes / (double)c.records, (double)x.data_bytes / 1e6, c.keys,
           c.seed);
    printf("  one-shard data stream, %d records/s of arrival time: %.1f s, %" PRId64
           " windows of 10 s (setup %.1f s, not measured)\n",
           PIPE_RATE, (double)(x.last_arrival - PIPE_T0) / 1000.0, windows, setup);
    printf("  expected: (a) %" PRIu64 " rows, (b) %" PRIu64 " groups\n", x.filter_rows, x.groups);
    fflush(stdout);
    /* every window has closed: the clock starts two windows after the last arrival */
    int64_t start_ms = x.last_arrival + 2 * PIPE_WINDOW_MS;
    for (int i = 0; i < nq && status == 0; i++)
      for (int k = 1; k <= c.repeat && status == 0; k++) {
        bool a = run[i].name == 'a';
        char app[32];
        snprintf(app, sizeof app, "PIPE_%c%d", a ? 'A' : 'B', k);
        /* (a) ROWTIME, page, latency_ms, status; (b) ROWTIME, key, cnt, sum_bytes, ... */
        pipe_tally t = {.col1 = 2, .col2 = a ? -1 : 3};
        pipe_result r;
        if (run_sluice(dir, app, a ? FILTER_SQL : WINDOW_SQL, a ? "SLOW_OR_FAILED" : "PER_KEY",
                       start_ms, &perf, &t, &r))
          status = 1;
        else if (k == 1 || r.secs < run[i].s.secs)
          run[i].s = r;
      }
    if (status == 0 && c.no_duckdb)
      snprintf(why, sizeof why, "--no-duckdb");
    else if (status == 0)
      duck = run_duckdb(&c, ndjson, &qs[0].d, &qs[1].d, version, sizeof version, why, sizeof why);
  }
  if (status == 0) {
    bool ok = true;
    for (int i = 0; i < nq; i++) ok &= report(&c, &x, &run[i], duck);
    if (duck)
      printf("  (DuckDB %s via node, SET threads = 1, read_json of the NDJSON file included)\n",
             version);
    else
      printf("  duckdb: skipped: %s\n", why);
    print_goals(&c, run, nq, duck);
    if (!ok) status = 1;
  }
  perf_close(&perf);
  if (c.keep)
    printf("  kept %s\n", dir);
  else
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return status;
}

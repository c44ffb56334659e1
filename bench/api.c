/*
 * api.c — `sluice bench api`: the same PutRecords / GetRecords load against sluice and
 * kinesalite, side by side, with ratios.
 *
 * Both servers are started by this benchmark on free loopback ports and stopped by PID at the
 * end: `sluice serve` (this very binary, /proc/self/exe) on a temporary data directory, and
 * kinesalite (npm, from tests/api/node_modules) in memory through a small node wrapper that binds
 * it to 127.0.0.1. The load generator is plain C: N threads, each with one keep-alive HTTP/1.1
 * connection, sending AWS JSON 1.1 requests exactly as the SDKs do (with a dummy SigV4 header,
 * which kinesalite requires). Phase 1 sends PutRecords batches (default 500 records of 100 bytes,
 * partition keys pk-0 ... pk-499 as in the spec's reference benchmark, section 8) until the record
 * count or the time cap is reached; phase 2 reads every shard from TRIM_HORIZON with GetRecords
 * (Limit 10000) until an empty page at MillisBehindLatest 0. Printed per server: records/s in and
 * out, payload MB/s in, p50/p99 latency of each call, the server's CPU seconds per phase (from
 * /proc/PID/stat); then the ratios sluice/kinesalite and the project's two goals (>= 50x
 * kinesalite's records/s in, p99 PutRecords < 5 ms). Everything is bounded in time; the figures
 * are never asserted. Without kinesalite (not installed) it says so and measures sluice alone.
 * On a 2-core machine the client threads share the CPUs with the server under test.
 */
#include "bench/bench.h"
#include "core/core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define API_AUTH                                                                                   \
  "AWS4-HMAC-SHA256 Credential=AKIDLOCALDUMMY/20261122/us-east-1/kinesis/aws4_request, "           \
  "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "                                      \
  "Signature=0000000000000000000000000000000000000000000000000000000000000000"
#define API_STREAM "bench"
#define API_MAX_SHARDS 256

typedef struct api_opts {
  long records;           /* records to put per server */
  int batch;              /* records per PutRecords */
  int size;               /* payload bytes per record */
  int conns;              /* client connections (threads) */
  int shards;             /* shards of the stream */
  double seconds;         /* time cap of each phase */
  const char *kinesalite; /* directory of the kinesalite package, or NULL to search */
  bool no_kinesalite;
} api_opts;

/* ------------------------------------------------------------------ HTTP client -- */

typedef struct api_conn {
  int port;
  int fd;
  char *buf; /* response bytes */
  size_t cap, len;
  size_t body_off, body_len;
  int status;
  char err[256];
} api_conn;

static double api_now(void) {
  return (double)core_mono_ns() / 1e9;
}

static int api_connect(api_conn *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct timeval tv = {.tv_sec = 30};
  setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
    snprintf(c->err, sizeof c->err, "connect to 127.0.0.1:%d: %s", c->port, strerror(errno));
    close(c->fd);
    c->fd = -1;
    return -1;
  }
  return 0;
}

static void api_close(api_conn *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
}

static int api_reserve(api_conn *c, size_t need) {
  if (need <= c->cap) return 0;
  size_t cap = c->cap ? c->cap : 65536;
  while (cap < need) cap *= 2;
  char *p = realloc(c->buf, cap);
  if (!p) return -1;
  c->buf = p;
  c->cap = cap;
  return 0;
}

/* Case-insensitive search for header `name` in the response head [0, head_len); value -> *v. */
static bool api_header(const char *head, size_t head_len, const char *name, const char **v) {
  size_t n = strlen(name);
  for (size_t i = 0; i + n + 1 < head_len; i++) {
    if ((i == 0 || head[i - 1] == '\n') && strncasecmp(head + i, name, n) == 0 &&
        head[i + n] == ':') {
      const char *p = head + i + n + 1;
      while (*p == ' ') p++;
      *v = p;
      return true;
    }
  }
  return false;
}

/* One request/response on the keep-alive connection (reconnects once if the server closed it). */
static int api_call_once(api_conn *c, const char *target, const char *body, size_t body_len);

/* SLUICE_BENCH_TRACE=1 prints every call and its latency to stderr. */
static int api_call(api_conn *c, const char *target, const char *body, size_t body_len) {
  static int trace = -1;
  if (trace < 0) trace = getenv("SLUICE_BENCH_TRACE") != NULL;
  double t = trace ? api_now() : 0;
  int rc = api_call_once(c, target, body, body_len);
  if (trace)
    fprintf(stderr, "%.6f %s %zu bytes -> rc %d HTTP %d, %zu bytes, %.3f ms\n", t, target, body_len,
            rc, c->status, c->body_len, (api_now() - t) * 1e3);
  return rc;
}

static int api_call_once(api_conn *c, const char *target, const char *body, size_t body_len) {
  char head[1024];
  int hl = snprintf(
      head, sizeof head,
      "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-amz-json-1.1\r\n"
      "X-Amz-Target: Kinesis_20131202.%s\r\nX-Amz-Date: 20261122T000000Z\r\n"
      "Authorization: " API_AUTH "\r\nContent-Length: %zu\r\n\r\n",
      c->port, target, body_len);
  for (int attempt = 0; attempt < 2; attempt++) {
    if (c->fd < 0 && api_connect(c) != 0) return -1;
    struct iovec iov[2] = {{head, (size_t)hl}, {(void *)body, body_len}};
    size_t total = (size_t)hl + body_len, sent = 0;
    bool broken = false;
    while (sent < total) {
      struct iovec v[2];
      int nv = 0;
      size_t skip = sent;
      for (int i = 0; i < 2; i++) {
        if (skip >= iov[i].iov_len) {
          skip -= iov[i].iov_len;
          continue;
        }
        v[nv].iov_base = (char *)iov[i].iov_base + skip;
        v[nv].iov_len = iov[i].iov_len - skip;
        skip = 0;
        nv++;
      }
      ssize_t w = writev(c->fd, v, nv);
      if (w <= 0) {
        if (w < 0 && errno == EINTR) continue;
        broken = true;
        break;
      }
      sent += (size_t)w;
    }
    if (broken) {
      api_close(c);
      if (sent == 0 && attempt == 0) continue;
      snprintf(c->err, sizeof c->err, "%s: write failed: %s", target, strerror(errno));
      return -1;
    }
    /* read the head */
    c->len = 0;
    char *end = NULL;
    while (!end) {
      if (api_reserve(c, c->len + 65536) != 0) return -1;
      ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      c->len += (size_t)r;
      c->buf[c->len] = 0;
      end = strstr(c->buf, "\r\n\r\n");
    }
    if (!end) {
      api_close(c);
      if (c->len == 0 && attempt == 0) continue; /* keep-alive connection closed by the server */
      snprintf(c->err, sizeof c->err, "%s: no response (%s)", target,
               c->len ? "truncated" : "closed");
      return -1;
    }
    size_t head_len = (size_t)(end - c->buf) + 4;
    c->status = atoi(c->buf + 9);
    const char *v;
    if (!api_header(c->buf, head_len, "content-length", &v)) {
      snprintf(c->err, sizeof c->err, "%s: response without Content-Length", target);
      api_close(c);
      return -1;
    }
    size_t clen = strtoull(v, NULL, 10);
    if (api_reserve(c, head_len + clen + 1) != 0) return -1;
    while (c->len < head_len + clen) {
      ssize_t r = read(c->fd, c->buf + c->len, head_len + clen - c->len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        snprintf(c->err, sizeof c->err, "%s: body truncated", target);
        api_close(c);
        return -1;
      }
      c->len += (size_t)r;
    }
    c->buf[head_len + clen] = 0;
    c->body_off = head_len;
    c->body_len = clen;
    if (api_header(c->buf, head_len, "connection", &v) && strncasecmp(v, "close", 5) == 0)
      api_close(c);
    return 0;
  }
  return -1;
}

static const char *api_body(const api_conn *c) {
  return c->buf + c->body_off;
}

/* The string value of "key":"..." in s (no escapes in the values we read), copied into out. */
static bool api_json_str(const char *s, const char *key, char *out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(s, pat);
  if (!p) return false;
  p += strlen(pat);
  while (*p == ' ') p++;
  if (*p != '"') return false;
  p++;
  const char *q = strchr(p, '"');
  if (!q || (size_t)(q - p) >= cap) return false;
  memcpy(out, p, (size_t)(q - p));
  out[q - p] = 0;
  return true;
}

static long api_json_int(const char *s, const char *key, long dflt) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(s, pat);
  if (!p) return dflt;
  return strtol(p + strlen(pat), NULL, 10);
}

/* Occurrences of needle in s[0, len). memmem with the remaining length, not strstr: strstr per
 * match is quadratic under ASan, whose interceptor measures the whole remaining string on every
 * call; and not a byte loop: counting a GetRecords page that way took more CPU than the server
 * took to produce it (perf: api_get_worker 18 % of the machine). */
static long api_count(const char *s, size_t len, const char *needle) {
  long n = 0;
  size_t l = strlen(needle);
  const char *p = s, *end = s + len;
  while ((p = memmem(p, (size_t)(end - p), needle, l)) != NULL) {
    n++;
    p += l;
  }
  return n;
}

/* ------------------------------------------------------------------ processes -- */

typedef struct api_proc {
  pid_t pid;
  int port;
  int out;            /* read end of its stdout, kept open until it stops */
  char dir[PATH_MAX]; /* temporary data directory to remove, or "" */
} api_proc;

/* Starts argv with stdout on a pipe; waits (<= 30 s) for a line containing `marker` followed by
 * the port number. */
static int api_spawn(api_proc *p, char *const argv[], const char *marker) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execvp(argv[0], argv);
    fprintf(stderr, "sluice bench api: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  p->pid = pid;
  p->port = 0;
  char buf[4096];
  size_t len = 0;
  double deadline = api_now() + 30;
  while (api_now() < deadline && !p->port) {
    struct pollfd pf = {.fd = fds[0], .events = POLLIN};
    if (poll(&pf, 1, 200) <= 0) continue;
    ssize_t r = read(fds[0], buf + len, sizeof buf - 1 - len);
    if (r <= 0) break;
    len += (size_t)r;
    buf[len] = 0;
    char *m = strstr(buf, marker);
    if (m && strchr(m, '\n')) p->port = atoi(m + strlen(marker));
    if (len >= sizeof buf - 1) len = 0;
  }
  /* keep the pipe open but never read again: the servers print only a line or two */
  p->out = fds[0];
  return p->port ? 0 : -1;
}

static void api_stop(api_proc *p) {
  if (p->out > 0) close(p->out);
  p->out = -1;
  if (p->pid <= 0) return;
  kill(p->pid, SIGTERM);
  for (int i = 0; i < 100; i++) {
    if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
      p->pid = 0;
      return;
    }
    usleep(100000);
  }
  kill(p->pid, SIGKILL);
  waitpid(p->pid, NULL, 0);
  p->pid = 0;
}

static int api_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static bool api_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Looks for tests/api/node_modules/kinesalite from the working directory and from the
 * directories above this executable. */
static bool api_find_kinesalite(char *out, size_t cap) {
  const char *rel = "tests/api/node_modules/kinesalite";
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd)) {
    int w = snprintf(out, cap, "%s/%s", cwd, rel);
    if (w > 0 && (size_t)w < cap && api_is_dir(out)) return true;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return false;
  exe[n] = 0;
  for (int up = 0; up < 6; up++) {
    char *slash = strrchr(exe, '/');
    if (!slash || slash == exe) break;
    *slash = 0;
    int w = snprintf(out, cap, "%s/%s", exe, rel);
    if (w > 0 && (size_t)w < cap && api_is_dir(out)) return true;
  }
  return false;
}

/* ------------------------------------------------------------------ the load -- */

typedef struct api_result {
  bool ok;
  long put_ok, put_failed, put_calls;
  double put_s, put_p50, put_p99;
  long got, get_calls;
  double get_s, get_p50, get_p99;
  double put_cpu, get_cpu; /* server CPU seconds (user + system) in each phase */
} api_result;

typedef struct api_run {
  const api_opts *o;
  int port;
  long batches;
  atomic_long next_batch;
  atomic_long next_shard;
  char shard_ids[API_MAX_SHARDS][32];
  int nshards;
  double t0, cap_end;
  atomic_bool failed;
  char err[256];
  pthread_mutex_t mu;
  const char *payload_b64;
} api_run;

typedef struct api_worker {
  api_run *run;
  int id;
  double *lat;
  long nlat, caplat;
  long ok, failed, calls, got;
} api_worker;

static void api_fail(api_run *r, const char *msg) {
  pthread_mutex_lock(&r->mu);
  if (!atomic_load(&r->failed)) snprintf(r->err, sizeof r->err, "%s", msg);
  atomic_store(&r->failed, true);
  pthread_mutex_unlock(&r->mu);
}

static void api_lat(api_worker *w, double s) {
  if (w->nlat == w->caplat) {
    long cap = w->caplat ? w->caplat * 2 : 1024;
    double *p = realloc(w->lat, (size_t)cap * sizeof *p);
    if (!p) return;
    w->lat = p;
    w->caplat = cap;
  }
  w->lat[w->nlat++] = s;
}

static void *api_put_worker(void *arg) {
  api_worker *w = arg;
  api_run *r = w->run;
  const api_opts *o = r->o;
  size_t b64 = strlen(r->payload_b64);
  size_t cap = 64 + (size_t)o->batch * (b64 + 64);
  char *body = malloc(cap);
  api_conn c = {.port = r->port, .fd = -1};
  if (!body) {
    api_fail(r, "out of memory");
    return NULL;
  }
  /* The same body every time, as the spec's reference benchmark does (section 8): partition
   * keys pk-0 ... pk-<batch-1>, so the load spreads over all shards and the client stays cheap. */
  size_t n = (size_t)snprintf(body, cap, "{\"StreamName\":\"" API_STREAM "\",\"Records\":[");
  for (int i = 0; i < o->batch; i++)
    n += (size_t)snprintf(body + n, cap - n, "%s{\"Data\":\"%s\",\"PartitionKey\":\"pk-%d\"}",
                          i ? "," : "", r->payload_b64, i);
  n += (size_t)snprintf(body + n, cap - n, "]}");
  for (;;) {
    long b = atomic_fetch_add(&r->next_batch, 1);
    if (b >= r->batches || api_now() > r->cap_end || atomic_load(&r->failed)) break;
    double t = api_now();
    if (api_call(&c, "PutRecords", body, n) != 0) {
      api_fail(r, c.err);
      break;
    }
    api_lat(w, api_now() - t);
    w->calls++;
    if (c.status != 200) {
      char msg[240];
      snprintf(msg, sizeof msg, "PutRecords: HTTP %d %.120s", c.status, api_body(&c));
      api_fail(r, msg);
      break;
    }
    long failed = api_json_int(api_body(&c), "FailedRecordCount", 0);
    w->failed += failed;
    w->ok += o->batch - failed;
  }
  api_close(&c);
  free(c.buf);
  free(body);
  return NULL;
}

static void *api_get_worker(void *arg) {
  api_worker *w = arg;
  api_run *r = w->run;
  api_conn c = {.port = r->port, .fd = -1};
  char body[1024], it[1024];
  for (;;) {
    long s = atomic_fetch_add(&r->next_shard, 1);
    if (s >= r->nshards || atomic_load(&r->failed)) break;
    int n = snprintf(body, sizeof body,
                     "{\"StreamName\":\"" API_STREAM
                     "\",\"ShardId\":\"%s\",\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                     r->shard_ids[s]);
    if (api_call(&c, "GetShardIterator", body, (size_t)n) != 0 || c.status != 200 ||
        !api_json_str(api_body(&c), "ShardIterator", it, sizeof it)) {
      api_fail(r, c.status != 200 ? "GetShardIterator failed" : c.err);
      break;
    }
    while (api_now() < r->cap_end && !atomic_load(&r->failed)) {
      n = snprintf(body, sizeof body, "{\"ShardIterator\":\"%s\",\"Limit\":10000}", it);
      double t = api_now();
      if (api_call(&c, "GetRecords", body, (size_t)n) != 0) {
        api_fail(r, c.err);
        break;
      }
      api_lat(w, api_now() - t);
      w->calls++;
      if (c.status != 200) {
        char msg[240];
        snprintf(msg, sizeof msg, "GetRecords: HTTP %d %.120s", c.status, api_body(&c));
        api_fail(r, msg);
        break;
      }
      long got = api_count(api_body(&c), c.body_len, "\"SequenceNumber\"");
      w->got += got;
      long behind = api_json_int(api_body(&c), "MillisBehindLatest", 0);
      if (!api_json_str(api_body(&c), "NextShardIterator", it, sizeof it)) break;
      if (got == 0 && behind == 0) break;
    }
  }
  api_close(&c);
  free(c.buf);
  return NULL;
}

static int api_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void api_percentiles(api_worker *w, int n, double *p50, double *p99) {
  long total = 0;
  for (int i = 0; i < n; i++) total += w[i].nlat;
  *p50 = *p99 = 0;
  if (!total) return;
  double *all = malloc((size_t)total * sizeof *all);
  if (!all) return;
  long k = 0;
  for (int i = 0; i < n; i++) {
    memcpy(all + k, w[i].lat, (size_t)w[i].nlat * sizeof *all);
    k += w[i].nlat;
  }
  qsort(all, (size_t)total, sizeof *all, api_cmp);
  *p50 = all[(total - 1) * 50 / 100];
  *p99 = all[(total - 1) * 99 / 100];
  free(all);
}

/* A control call that must succeed with HTTP 200; body into c. */
static int api_control(api_conn *c, const char *target, const char *body) {
  if (api_call(c, target, body, strlen(body)) != 0) return -1;
  if (c->status != 200) {
    snprintf(c->err, sizeof c->err, "%s: HTTP %d %.100s", target, c->status, api_body(c));
    return -1;
  }
  return 0;
}

/* CPU seconds (user + system) the process has used so far, from /proc/PID/stat; -1 if unknown. */
static double api_cpu(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may hold spaces */
  if (!p) return -1;
  unsigned long ut = 0, st = 0;
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
    return -1;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int api_load(const api_opts *o, pid_t pid, int port, const char *payload_b64,
                    api_result *res, char *err, size_t errcap) {
  memset(res, 0, sizeof *res);
  api_conn c = {.port = port, .fd = -1};
  char body[256];
  int rc = -1;
  api_run *r = calloc(1, sizeof *r);
  api_worker *w = calloc((size_t)o->conns, sizeof *w);
  pthread_t *th = calloc((size_t)o->conns, sizeof *th);
  if (!r || !w || !th) goto out;
  snprintf(body, sizeof body, "{\"StreamName\":\"" API_STREAM "\",\"ShardCount\":%d}", o->shards);
  if (api_control(&c, "CreateStream", body) != 0) goto fail;
  double deadline = api_now() + 30;
  for (;;) {
    if (api_control(&c, "DescribeStreamSummary", "{\"StreamName\":\"" API_STREAM "\"}") != 0)
      goto fail;
    if (strstr(api_body(&c), "\"ACTIVE\"")) break;
    if (api_now() > deadline) {
      snprintf(c.err, sizeof c.err, "stream not ACTIVE within 30 s");
      goto fail;
    }
    usleep(20000);
  }
  if (api_control(&c, "ListShards", "{\"StreamName\":\"" API_STREAM "\"}") != 0) goto fail;
  for (const char *p = strstr(api_body(&c), "\"ShardId\":"); p && r->nshards < API_MAX_SHARDS;
       p = strstr(p + 10, "\"ShardId\":")) {
    if (api_json_str(p, "ShardId", r->shard_ids[r->nshards], sizeof r->shard_ids[0])) r->nshards++;
  }
  r->o = o;
  r->port = port;
  r->payload_b64 = payload_b64;
  r->batches = (o->records + o->batch - 1) / o->batch;
  pthread_mutex_init(&r->mu, NULL);

  /* phase 1: PutRecords */
  double cpu0 = api_cpu(pid);
  r->t0 = api_now();
  r->cap_end = r->t0 + o->seconds;
  for (int i = 0; i < o->conns; i++) {
    w[i] = (api_worker){.run = r, .id = i};
    pthread_create(&th[i], NULL, api_put_worker, &w[i]);
  }
  for (int i = 0; i < o->conns; i++) pthread_join(th[i], NULL);
  res->put_s = api_now() - r->t0;
  res->put_cpu = api_cpu(pid) - cpu0;
  for (int i = 0; i < o->conns; i++) {
    res->put_ok += w[i].ok;
    res->put_failed += w[i].failed;
    res->put_calls += w[i].calls;
  }
  api_percentiles(w, o->conns, &res->put_p50, &res->put_p99);
  for (int i = 0; i < o->conns; i++) free(w[i].lat);
  if (atomic_load(&r->failed)) {
    snprintf(c.err, sizeof c.err, "%s", r->err);
    goto fail;
  }

  /* phase 2: GetRecords of everything */
  cpu0 = api_cpu(pid);
  r->t0 = api_now();
  r->cap_end = r->t0 + o->seconds;
  for (int i = 0; i < o->conns; i++) {
    w[i] = (api_worker){.run = r, .id = i};
    pthread_create(&th[i], NULL, api_get_worker, &w[i]);
  }
  for (int i = 0; i < o->conns; i++) pthread_join(th[i], NULL);
  res->get_s = api_now() - r->t0;
  res->get_cpu = api_cpu(pid) - cpu0;
  for (int i = 0; i < o->conns; i++) {
    res->got += w[i].got;
    res->get_calls += w[i].calls;
  }
  api_percentiles(w, o->conns, &res->get_p50, &res->get_p99);
  for (int i = 0; i < o->conns; i++) free(w[i].lat);
  if (atomic_load(&r->failed)) {
    snprintf(c.err, sizeof c.err, "%s", r->err);
    goto fail;
  }
  api_control(&c, "DeleteStream", "{\"StreamName\":\"" API_STREAM "\"}");
  res->ok = true;
  rc = 0;
  goto out;
fail:
  snprintf(err, errcap, "%s", c.err);
out:
  if (r) pthread_mutex_destroy(&r->mu);
  api_close(&c);
  free(c.buf);
  free(r);
  free(w);
  free(th);
  return rc;
}

static void api_print(const char *name, const api_opts *o, const api_result *r) {
  double in = r->put_s > 0 ? (double)r->put_ok / r->put_s : 0;
  double out = r->get_s > 0 ? (double)r->got / r->get_s : 0;
  printf("%-11s put %8ld records (%ld failed) in %6.2f s: %10.0f records/s, %7.2f MB/s payload; "
         "PutRecords p50 %7.2f ms, p99 %7.2f ms (%ld calls); server CPU %.2f s\n",
         name, r->put_ok, r->put_failed, r->put_s, in, in * o->size / 1e6, r->put_p50 * 1e3,
         r->put_p99 * 1e3, r->put_calls, r->put_cpu);
  printf(
      "%-11s got %8ld records in %6.2f s: %10.0f records/s; GetRecords p50 %7.2f ms, p99 %7.2f ms "
      "(%ld calls); server CPU %.2f s%s\n",
      name, r->got, r->get_s, out, r->get_p50 * 1e3, r->get_p99 * 1e3, r->get_calls, r->get_cpu,
      r->got == r->put_ok ? "" : "  [MISMATCH: records read != records acknowledged]");
}

static void api_usage(FILE *f) {
  fprintf(
      f,
      "usage: sluice bench api [--records N] [--batch N] [--size BYTES] [--conns N] [--shards N]\n"
      "                        [--seconds S] [--kinesalite DIR | --no-kinesalite]\n"
      "Puts N records (default 200000) with PutRecords batches (default 500 x 100 bytes) over\n"
      "--conns keep-alive connections (default 4) into a stream of --shards shards (default 4),\n"
      "then reads everything back with GetRecords; each phase is capped at --seconds (default\n"
      "30). Runs against `sluice serve` and kinesalite (tests/api/node_modules/kinesalite,\n"
      "installed by scripts/setup) side by side and prints the ratios.\n");
}

int bench_api_main(int argc, char **argv) {
  api_opts o = {
      .records = 200000, .batch = 500, .size = 100, .conns = 4, .shards = 4, .seconds = 30};
  static const struct option longopts[] = {{"records", required_argument, 0, 'r'},
                                           {"batch", required_argument, 0, 'b'},
                                           {"size", required_argument, 0, 's'},
                                           {"conns", required_argument, 0, 'c'},
                                           {"shards", required_argument, 0, 'n'},
                                           {"seconds", required_argument, 0, 't'},
                                           {"kinesalite", required_argument, 0, 'k'},
                                           {"no-kinesalite", no_argument, 0, 'K'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  optind = 1;
  int ch;
  while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (ch) {
      case 'r':
        o.records = atol(optarg);
        break;
      case 'b':
        o.batch = atoi(optarg);
        break;
      case 's':
        o.size = atoi(optarg);
        break;
      case 'c':
        o.conns = atoi(optarg);
        break;
      case 'n':
        o.shards = atoi(optarg);
        break;
      case 't':
        o.seconds = atof(optarg);
        break;
      case 'k':
        o.kinesalite = optarg;
        break;
      case 'K':
        o.no_kinesalite = true;
        break;
      case 'h':
        api_usage(stdout);
        return 0;
      default:
        api_usage(stderr);
        return 2;
    }
  }
  if (o.records < 1 || o.batch < 1 || o.batch > 500 || o.size < 1 || o.size > 1048576 ||
      o.conns < 1 || o.conns > 64 || o.shards < 1 || o.shards > API_MAX_SHARDS || o.seconds <= 0) {
    fprintf(stderr,
            "sluice bench api: bad option value (batch 1..500, size 1..1048576, conns 1..64, "
            "shards 1..%d)\n",
            API_MAX_SHARDS);
    return 2;
  }
  if ((long)o.batch * (o.size + 16) > 5L * 1048576) {
    fprintf(
        stderr,
        "sluice bench api: a PutRecords request holds at most 5 MiB: lower --batch or --size\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  /* payload: size bytes of printable text, base64-encoded once */
  char *raw = malloc((size_t)o.size), *b64 = malloc(core_base64_encoded_size((size_t)o.size) + 1);
  if (!raw || !b64) return 1;
  for (int i = 0; i < o.size; i++) raw[i] = (char)('a' + (i * 7) % 26);
  b64[core_base64_encode(raw, (size_t)o.size, b64)] = 0;
  free(raw);

  printf("sluice bench api: %ld records of %d bytes in PutRecords batches of %d, %d connections, "
         "%d shards, each phase capped at %.0f s\n",
         o.records, o.size, o.batch, o.conns, o.shards, o.seconds);
  fflush(stdout);

  int status = 0;
  api_result rs = {0}, rk = {0};
  char err[256];

  /* sluice */
  api_proc sp = {0};
  snprintf(sp.dir, sizeof sp.dir, "/tmp/sluice-bench-api.XXXXXX");
  if (!mkdtemp(sp.dir)) {
    fprintf(stderr, "sluice bench api: mkdtemp: %s\n", strerror(errno));
    free(b64);
    return 1;
  }
  char *sargv[] = {"/proc/self/exe", "serve", "--data", sp.dir, "--listen", "127.0.0.1:0", NULL};
  if (api_spawn(&sp, sargv, "sluice: listening on 127.0.0.1:") != 0) {
    fprintf(stderr, "sluice bench api: `sluice serve` did not start listening within 30 s\n");
    status = 1;
  } else if (api_load(&o, sp.pid, sp.port, b64, &rs, err, sizeof err) != 0) {
    fprintf(stderr, "sluice bench api: sluice: %s\n", err);
    status = 1;
  }
  api_stop(&sp);
  nftw(sp.dir, api_rm, 16, FTW_DEPTH | FTW_PHYS);
  if (rs.ok) api_print("sluice", &o, &rs);
  fflush(stdout);

  /* kinesalite */
  char kdir[PATH_MAX];
  bool have_k = false;
  if (o.no_kinesalite) {
    printf("kinesalite: skipped (--no-kinesalite)\n");
  } else if (o.kinesalite) {
    snprintf(kdir, sizeof kdir, "%s", o.kinesalite);
    have_k = api_is_dir(kdir);
    if (!have_k) printf("kinesalite: NOT FOUND at %s; measured sluice alone\n", kdir);
  } else {
    have_k = api_find_kinesalite(kdir, sizeof kdir);
    if (!have_k)
      printf("kinesalite: NOT INSTALLED (no tests/api/node_modules/kinesalite here or above the "
             "sluice "
             "binary; run scripts/setup or pass --kinesalite DIR); measured sluice alone\n");
  }
  if (have_k) {
    /* the wrapper of spec section 7: kinesalite in memory, bound to loopback, on a free port;
     * its directory is passed as an argument (process.argv[1]), never spliced into the code */
    char script[] = "const s=require(process.argv[1])({createStreamMs:50,deleteStreamMs:50,"
                    "updateStreamMs:50,shardLimit:1000});"
                    "s.listen(0,'127.0.0.1',()=>console.log('kinesalite listening on 127.0.0.1:'+"
                    "s.address().port));";
    api_proc kp = {0};
    char *kargv[] = {"node", "-e", script, kdir, NULL};
    if (api_spawn(&kp, kargv, "kinesalite listening on 127.0.0.1:") != 0) {
      printf("kinesalite: did not start (is node installed?); measured sluice alone\n");
      have_k = false;
    } else if (api_load(&o, kp.pid, kp.port, b64, &rk, err, sizeof err) != 0) {
      fprintf(stderr, "sluice bench api: kinesalite: %s\n", err);
      have_k = false;
    }
    api_stop(&kp);
    if (rk.ok) api_print("kinesalite", &o, &rk);
  }
  free(b64);

  if (rs.ok && have_k && rk.ok) {
    double in_s = rs.put_ok / rs.put_s, in_k = rk.put_ok / rk.put_s;
    double out_s = rs.got / rs.get_s, out_k = rk.got / rk.get_s;
    printf("ratio sluice/kinesalite: records/s in %.1fx, records/s out %.1fx; PutRecords p99 %.2f "
           "ms vs "
           "%.2f ms (%.1fx lower)\n",
           in_s / in_k, out_s / out_k, rs.put_p99 * 1e3, rk.put_p99 * 1e3,
           rs.put_p99 > 0 ? rk.put_p99 / rs.put_p99 : 0);
    printf("goals: >= 50x kinesalite's records/s in: %s; p99 PutRecords < 5 ms: %s\n",
           in_s / in_k >= 50 ? "met" : "NOT met", rs.put_p99 * 1e3 < 5 ? "met" : "NOT met");
  } else if (rs.ok) {
    printf("goal: p99 PutRecords < 5 ms: %s (no kinesalite figures to compare with)\n",
           rs.put_p99 * 1e3 < 5 ? "met" : "NOT met");
  }
  return status;
}

/*
 * store.c — the store: opening and recovery, the table of streams, stream
 * creation, deletion and listing, retention, the background fsync thread.
 *
 * Layout of a store directory:
 *   store.meta                 the next stream generation
 *   streams/<gen, 16 hex>/     one stream: stream.meta and one directory per
 *                              shard (`%012u`) of segments
 *   trash/                     deleted streams on their way out
 * A stream directory without stream.meta is a creation that did not finish
 * and is removed at open.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stream/stream_int.h"

void stream_options_default(stream_options *o) {
  *o = (stream_options){
      .fsync = STREAM_FSYNC_INTERVAL,
      .fsync_interval_ms = 1000,
      .segment_bytes = 64u << 20,
      .index_interval_bytes = 4096,
      .create_delay_ms = 0,
      .update_delay_ms = 0,
      .delete_delay_ms = 0,
      .shard_limit = 10000,
      .max_creating = 5,
  };
}

bool stream_sync_enabled(const stream_store *st) {
  return st->opt.fsync != STREAM_FSYNC_NEVER;
}

core_clock *stream_store_clock(stream_store *st) {
  return st->clock;
}

_Noreturn void stream_verify_fail(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: stream_verify: %s\n", file, line, what);
  abort();
}

const char *stream_status_name(stream_status s) {
  switch (s) {
    case STREAM_CREATING:
      return "CREATING";
    case STREAM_DELETING:
      return "DELETING";
    case STREAM_ACTIVE:
      return "ACTIVE";
    case STREAM_UPDATING:
      return "UPDATING";
  }
  return "?";
}

const char *stream_mode_name(stream_mode m) {
  return m == STREAM_ON_DEMAND ? "ON_DEMAND" : "PROVISIONED";
}

const char *stream_encryption_name(stream_encryption x) {
  return x == STREAM_ENCRYPTION_KMS ? "KMS" : "NONE";
}

const char *stream_consumer_status_name(stream_consumer_status s) {
  switch (s) {
    case STREAM_CONSUMER_CREATING:
      return "CREATING";
    case STREAM_CONSUMER_DELETING:
      return "DELETING";
    case STREAM_CONSUMER_ACTIVE:
      return "ACTIVE";
  }
  return "?";
}

bool stream_name_valid(const char *name, size_t n) {
  if (n < 1 || n > STREAM_NAME_MAX) return false;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  }
  return true;
}

/* Fsyncs the directory that holds path (its new or removed entry). */
static void sync_parent(const char *path) {
  char *d = strdup(path);
  if (!d) return;
  char *slash = strrchr(d, '/');
  if (slash) {
    *slash = 0;
    stream_fs_sync_dir(d);
  }
  free(d);
}

/* --------------------------------------------------------- stream objects -- */

stream_handle *stream_alloc(stream_store *st, const char *name, uint64_t gen, const char *dir) {
  stream_handle *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->st = st;
  atomic_init(&h->refs, 1);
  h->name = strdup(name);
  h->dir = strdup(dir);
  h->key_id = strdup("");
  h->gen = gen;
  h->retention_hours = STREAM_RETENTION_DEFAULT_H;
  atomic_init(&h->deleting, false);
  atomic_init(&h->gone, false);
  atomic_init(&h->last_arrival, INT64_MIN);
  atomic_init(&h->version, 0);
  atomic_init(&h->waiters, 0);
  atomic_init(&h->n_subs, 0);
  h->next_sub_id = 1;
  pthread_rwlock_init(&h->lock, NULL);
  pthread_mutex_init(&h->meta_mu, NULL);
  pthread_mutex_init(&h->wait_mu, NULL);
  pthread_mutex_init(&h->sub_mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&h->wait_cv, &ca);
  pthread_condattr_destroy(&ca);
  if (!h->name || !h->dir || !h->key_id) {
    stream_free(h);
    return NULL;
  }
  return h;
}

void stream_free(stream_handle *h) {
  if (!h) return;
  for (uint32_t i = 0; i < h->n_shards; i++) stream_shard_free(h->shards[i]);
  free(h->shards);
  free(h->routes);
  for (uint32_t i = 0; i < h->n_tags; i++) {
    free((char *)h->tags[i].key);
    free((char *)h->tags[i].value);
  }
  free(h->tags);
  for (uint32_t i = 0; i < h->n_metrics; i++) free(h->metrics[i]);
  free(h->metrics);
  for (uint32_t i = 0; i < h->n_consumers; i++) {
    free(h->consumers[i].name);
    free(h->consumers[i].arn);
  }
  free(h->consumers);
  for (uint32_t i = 0; i < h->n_attrs; i++) {
    free(h->attrs[i].key);
    free(h->attrs[i].value);
  }
  free(h->attrs);
  for (uint32_t i = 0; i < h->n_subs_cap; i++)
    if (h->subs[i].id && h->subs[i].fd >= 0) close(h->subs[i].fd);
  free(h->subs);
  free(h->name);
  free(h->dir);
  free(h->key_id);
  free(h->trash);
  pthread_rwlock_destroy(&h->lock);
  pthread_mutex_destroy(&h->meta_mu);
  pthread_mutex_destroy(&h->wait_mu);
  pthread_mutex_destroy(&h->sub_mu);
  pthread_cond_destroy(&h->wait_cv);
  free(h);
}

stream_handle *stream_ref(stream_handle *h) {
  if (h) atomic_fetch_add(&h->refs, 1);
  return h;
}

void stream_release(stream_handle *h) {
  if (h && atomic_fetch_sub(&h->refs, 1) == 1) stream_free(h);
}

const char *stream_name(const stream_handle *h) {
  return h->name;
}
uint64_t stream_generation(const stream_handle *h) {
  return h->gen;
}

stream_status stream_status_locked(stream_handle *h, int64_t now) {
  if (atomic_load(&h->deleting)) return STREAM_DELETING;
  if (now < h->created_ms + h->st->opt.create_delay_ms) return STREAM_CREATING;
  if (now < h->update_until_ms) return STREAM_UPDATING;
  return STREAM_ACTIVE;
}

stream_status stream_status_now(stream_handle *h) {
  pthread_rwlock_rdlock(&h->lock);
  stream_status s = stream_status_locked(h, core_clock_now(h->st->clock));
  pthread_rwlock_unlock(&h->lock);
  return s;
}

static int cmp_route(const void *a, const void *b) {
  const route *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

int stream_rebuild_routes(stream_handle *h) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < h->n_shards; i++)
    if (!h->shards[i]->closed) n++;
  route *r = malloc((n ? n : 1) * sizeof *r);
  if (!r) return SLUICE_NOMEM;
  n = 0;
  for (uint32_t i = 0; i < h->n_shards; i++)
    if (!h->shards[i]->closed) r[n++] = (route){h->shards[i]->start, h->shards[i]};
  qsort(r, n, sizeof *r, cmp_route);
  free(h->routes);
  h->routes = r;
  h->n_routes = n;
  return SLUICE_OK;
}

/* ----------------------------------------------------------------- table -- */

/* Index of name in the table, or -(insertion point) - 1. Caller holds st->mu. */
static int64_t table_find(stream_store *st, const char *name) {
  int64_t lo = 0, hi = (int64_t)st->n_streams - 1;
  while (lo <= hi) {
    int64_t mid = (lo + hi) / 2;
    int c = strcmp(st->streams[mid]->name, name);
    if (c == 0) return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -lo - 1;
}

static int table_insert(stream_store *st, stream_handle *h) {
  int64_t at = table_find(st, h->name);
  if (at >= 0) return SLUICE_EXISTS;
  at = -at - 1;
  if (st->n_streams == st->cap_streams) {
    uint32_t cap = st->cap_streams ? st->cap_streams * 2 : 16;
    stream_handle **x = realloc(st->streams, cap * sizeof *x);
    if (!x) return SLUICE_NOMEM;
    st->streams = x;
    st->cap_streams = cap;
  }
  memmove(st->streams + at + 1, st->streams + at,
          (st->n_streams - (uint32_t)at) * sizeof *st->streams);
  st->streams[at] = h;
  st->n_streams++;
  return SLUICE_OK;
}

static void table_remove(stream_store *st, stream_handle *h) {
  int64_t at = table_find(st, h->name);
  if (at < 0 || st->streams[at] != h) return;
  memmove(st->streams + at, st->streams + at + 1,
          (st->n_streams - (uint32_t)at - 1) * sizeof *st->streams);
  st->n_streams--;
}

/* Takes h out of the table (dropping the table's reference) and removes its
 * files. Caller holds no store lock. */
static void stream_finish_delete(stream_store *st, stream_handle *h) {
  pthread_mutex_lock(&st->mu);
  bool was = !atomic_exchange(&h->gone, true);
  if (was) table_remove(st, h);
  pthread_mutex_unlock(&st->mu);
  if (!was) return;
  if (h->trash) stream_fs_remove_tree(h->trash);
  stream_notify(h, UINT32_MAX);
  stream_release(h);
}

void stream_store_purge(stream_store *st) {
  int64_t now = core_clock_now(st->clock);
  for (;;) {
    stream_handle *due = NULL;
    pthread_mutex_lock(&st->mu);
    for (uint32_t i = 0; i < st->n_streams && !due; i++) {
      stream_handle *h = st->streams[i];
      if (atomic_load(&h->deleting) && now >= h->delete_at_ms) due = stream_ref(h);
    }
    pthread_mutex_unlock(&st->mu);
    if (!due) return;
    stream_finish_delete(st, due);
    stream_release(due);
  }
}

/* ------------------------------------------------------------ fsync thread -- */

/* References to every stream in the table (caller releases each, frees array). */
static stream_handle **table_snapshot(stream_store *st, uint32_t *n) {
  pthread_mutex_lock(&st->mu);
  stream_handle **v = malloc((st->n_streams ? st->n_streams : 1) * sizeof *v);
  *n = 0;
  if (v)
    for (uint32_t i = 0; i < st->n_streams; i++) v[(*n)++] = stream_ref(st->streams[i]);
  pthread_mutex_unlock(&st->mu);
  return v;
}

static void sync_all(stream_store *st, bool force) {
  uint32_t n;
  stream_handle **v = table_snapshot(st, &n);
  if (!v) return;
  for (uint32_t i = 0; i < n; i++) {
    stream_handle *h = v[i];
    pthread_rwlock_rdlock(&h->lock);
    if (!atomic_load(&h->gone))
      for (uint32_t k = 0; k < h->n_shards; k++) {
        shard *sh = h->shards[k];
        if (atomic_load(&sh->expired)) continue;
        if (force) atomic_store(&sh->dirty, true);
        stream_shard_sync(h, sh);
      }
    pthread_rwlock_unlock(&h->lock);
    stream_release(h);
  }
  free(v);
}

static void *fsync_main(void *arg) {
  stream_store *st = arg;
  pthread_mutex_lock(&st->fsync_mu);
  while (!st->stopping) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = ts.tv_nsec + (st->opt.fsync_interval_ms % 1000) * 1000000;
    ts.tv_sec += st->opt.fsync_interval_ms / 1000 + ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    pthread_cond_timedwait(&st->fsync_cv, &st->fsync_mu, &ts);
    if (st->stopping) break;
    pthread_mutex_unlock(&st->fsync_mu);
    sync_all(st, false);
    pthread_mutex_lock(&st->fsync_mu);
  }
  pthread_mutex_unlock(&st->fsync_mu);
  return NULL;
}

/* ------------------------------------------------------------ open, close -- */

static int open_stream_dir(stream_store *st, const char *dir, core_error *e) {
  char *meta = stream_fs_join(dir, "stream.meta");
  if (!meta) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  bool has = access(meta, F_OK) == 0;
  free(meta);
  if (!has) { /* a creation that never committed */
    stream_fs_remove_tree(dir);
    return SLUICE_OK;
  }
  stream_handle *h;
  int rc = stream_meta_load(st, dir, &h, e);
  if (rc != SLUICE_OK) return rc;
  int64_t last = INT64_MIN;
  for (uint32_t i = 0; i < h->n_shards && rc == SLUICE_OK; i++) {
    shard *sh = h->shards[i];
    if (atomic_load(&sh->expired)) continue;
    rc = stream_shard_recover(h, sh, e);
    /* The newest arrival: that of the last segment holding records (the very
     * last may be empty after a roll). */
    for (uint32_t k = rc == SLUICE_OK ? sh->n_segs : 0; k-- > 0;)
      if (sh->segs[k]->last_arrival != INT64_MIN) {
        if (sh->segs[k]->last_arrival > last) last = sh->segs[k]->last_arrival;
        break;
      }
  }
  if (rc == SLUICE_OK && stream_rebuild_routes(h) != SLUICE_OK)
    rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
  if (rc != SLUICE_OK) {
    stream_free(h);
    return rc;
  }
  atomic_store(&h->last_arrival, last);
  if (h->gen >= st->next_gen) st->next_gen = h->gen + 1;
  rc = table_insert(st, h);
  if (rc != SLUICE_OK) {
    stream_free(h);
    return core_error_set(e, rc == SLUICE_EXISTS ? SLUICE_CORRUPT : rc,
                          "two stream directories hold a stream called %s", h->name);
  }
  atomic_fetch_add(&st->open_shards, (int)h->n_routes);
  STREAM_DEBUG_VERIFY(h);
  return SLUICE_OK;
}

int stream_store_open(const char *dir, const stream_options *opt, core_clock *clock,
                      stream_store **out, core_error *e) {
  *out = NULL;
  stream_store *st = calloc(1, sizeof *st);
  if (!st) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  if (opt)
    st->opt = *opt;
  else
    stream_options_default(&st->opt);
  stream_options def;
  stream_options_default(&def);
  if (st->opt.segment_bytes < 4096) st->opt.segment_bytes = 4096;
  if (st->opt.index_interval_bytes == 0) st->opt.index_interval_bytes = def.index_interval_bytes;
  if (st->opt.fsync_interval_ms <= 0) st->opt.fsync_interval_ms = def.fsync_interval_ms;
  if (st->opt.shard_limit == 0) st->opt.shard_limit = def.shard_limit;
  if (st->opt.max_creating == 0) st->opt.max_creating = def.max_creating;
  st->clock = clock;
  st->dir = strdup(dir);
  st->lock_fd = -1;
  pthread_mutex_init(&st->mu, NULL);
  pthread_mutex_init(&st->fsync_mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&st->fsync_cv, &ca);
  pthread_condattr_destroy(&ca);
  atomic_init(&st->open_shards, 0);
  int rc = st->dir ? SLUICE_OK : core_error_set(e, SLUICE_NOMEM, "out of memory");
  char *streams = NULL, *trash = NULL;
  if (rc == SLUICE_OK) rc = stream_fs_mkdir(dir, e);
  if (rc == SLUICE_OK) {
    char *lock = stream_fs_join(dir, "LOCK");
    st->lock_fd = lock ? open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
    if (st->lock_fd < 0)
      rc =
          core_error_set(e, SLUICE_IO, "could not open %s: %s", lock ? lock : dir, strerror(errno));
    else if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0)
      rc = core_error_set(e, SLUICE_STATE, "store directory %s is in use by another process", dir);
    free(lock);
  }
  if (rc == SLUICE_OK) {
    streams = stream_fs_join(dir, "streams");
    trash = stream_fs_join(dir, "trash");
    if (!streams || !trash) rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  if (rc == SLUICE_OK) stream_fs_remove_tree(trash);
  if (rc == SLUICE_OK) rc = stream_fs_mkdir(streams, e);
  if (rc == SLUICE_OK) rc = stream_fs_mkdir(trash, e);
  if (rc == SLUICE_OK) rc = stream_store_meta_load(st, e);
  if (rc == SLUICE_OK) {
    DIR *d = opendir(streams);
    if (!d) {
      rc = core_error_set(e, SLUICE_IO, "could not open %s: %s", streams, strerror(errno));
    } else {
      struct dirent *de;
      while (rc == SLUICE_OK && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char *p = stream_fs_join(streams, de->d_name);
        if (!p)
          rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
        else
          rc = open_stream_dir(st, p, e);
        free(p);
      }
      closedir(d);
    }
  }
  free(streams);
  free(trash);
  /* Every segment keeps a file descriptor open (readers pread() it without
   * opening anything): allow as many as the system lets this process have. */
  struct rlimit rl;
  if (rc == SLUICE_OK && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rc == SLUICE_OK && st->opt.fsync == STREAM_FSYNC_INTERVAL) {
    if (pthread_create(&st->fsync_thread, NULL, fsync_main, st) != 0)
      rc = core_error_set(e, SLUICE_ERROR, "could not start the fsync thread");
    else
      st->fsync_running = true;
  }
  if (rc != SLUICE_OK) {
    stream_store_close(st);
    return rc;
  }
  *out = st;
  return SLUICE_OK;
}

void stream_store_close(stream_store *st) {
  if (!st) return;
  if (st->fsync_running) {
    pthread_mutex_lock(&st->fsync_mu);
    st->stopping = true;
    pthread_cond_signal(&st->fsync_cv);
    pthread_mutex_unlock(&st->fsync_mu);
    pthread_join(st->fsync_thread, NULL);
  }
  if (stream_sync_enabled(st)) sync_all(st, true);
  for (uint32_t i = 0; i < st->n_streams; i++) stream_release(st->streams[i]);
  free(st->streams);
  pthread_mutex_destroy(&st->mu);
  pthread_mutex_destroy(&st->fsync_mu);
  pthread_cond_destroy(&st->fsync_cv);
  if (st->lock_fd >= 0) close(st->lock_fd);
  free(st->dir);
  free(st);
}

void stream_store_stats_get(stream_store *st, stream_store_stats *out) {
  out->records_appended = atomic_load(&st->records_appended);
  out->bytes_appended = atomic_load(&st->bytes_appended);
  out->tails_truncated = atomic_load(&st->tails_truncated);
  out->bytes_truncated = atomic_load(&st->bytes_truncated);
}

/* ---------------------------------------------------- create, get, delete -- */

void stream_even_range(uint32_t n, uint32_t i, core_u128 *start, core_u128 *end) {
  if (n <= 1) {
    *start = 0;
    *end = CORE_U128_MAX;
    return;
  }
  /* step = floor(2^128 / n), computed without 2^128: (2^128 - 1) / n is one
   * less exactly when n divides 2^128. */
  core_u128 q = CORE_U128_MAX / n, r = CORE_U128_MAX % n;
  core_u128 step = r == (core_u128)(n - 1) ? q + 1 : q;
  *start = step * i;
  *end = i + 1 == n ? CORE_U128_MAX : step * (i + 1) - 1;
}

int stream_create(stream_store *st, const char *name, uint32_t shard_count, stream_mode mode,
                  stream_handle **out, core_error *e) {
  if (out) *out = NULL;
  size_t nl = name ? strlen(name) : 0;
  if (!stream_name_valid(name ? name : "", nl))
    return core_error_set(e, SLUICE_INVALID,
                          "stream name must be 1 to 128 characters of a-z, A-Z, 0-9, _, . and -");
  if (mode != STREAM_PROVISIONED && mode != STREAM_ON_DEMAND)
    return core_error_set(e, SLUICE_INVALID, "unknown stream mode %d", (int)mode);
  if (mode == STREAM_ON_DEMAND && shard_count == 0) shard_count = STREAM_ON_DEMAND_SHARDS;
  if (shard_count < 1)
    return core_error_set(e, SLUICE_INVALID, "shard count must be at least 1 for stream %s", name);
  stream_store_purge(st);
  int64_t now = core_clock_now(st->clock);
  pthread_mutex_lock(&st->mu);
  int rc = SLUICE_OK;
  stream_handle *h = NULL;
  char *dir = NULL;
  if (table_find(st, name) >= 0) {
    rc = core_error_set(e, SLUICE_EXISTS, "stream %s already exists", name);
    goto done;
  }
  if ((uint64_t)atomic_load(&st->open_shards) + shard_count > st->opt.shard_limit) {
    rc = core_error_set(e, SLUICE_LIMIT,
                        "creating stream %s with %u shards would exceed the shard limit of %u",
                        name, shard_count, st->opt.shard_limit);
    goto done;
  }
  uint32_t creating = 0;
  for (uint32_t i = 0; i < st->n_streams; i++)
    if (now < st->streams[i]->created_ms + st->opt.create_delay_ms) creating++;
  if (creating >= st->opt.max_creating) {
    rc = core_error_set(e, SLUICE_LIMIT, "%u streams are already being created", creating);
    goto done;
  }
  uint64_t gen = st->next_gen++;
  rc = stream_store_meta_save(st, e);
  if (rc != SLUICE_OK) goto done;
  char rel[48];
  snprintf(rel, sizeof rel, "streams/%016" PRIx64, gen);
  dir = stream_fs_join(st->dir, rel);
  h = dir ? stream_alloc(st, name, gen, dir) : NULL;
  if (!h) {
    rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
    goto done;
  }
  h->mode = mode;
  h->created_ms = now;
  h->update_until_ms = INT64_MIN;
  h->shards = calloc(shard_count, sizeof *h->shards);
  h->cap_shards = shard_count;
  rc = h->shards ? stream_fs_mkdir(dir, e) : core_error_set(e, SLUICE_NOMEM, "out of memory");
  for (uint32_t i = 0; i < shard_count && rc == SLUICE_OK; i++) {
    core_u128 s, en;
    stream_even_range(shard_count, i, &s, &en);
    shard *sh = stream_shard_new(i, s, en);
    if (!sh) {
      rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
      break;
    }
    sh->created_ms = now;
    h->shards[h->n_shards++] = sh;
    rc = stream_shard_init_files(h, sh, e);
  }
  if (rc == SLUICE_OK && stream_rebuild_routes(h) != SLUICE_OK)
    rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
  if (rc == SLUICE_OK) rc = stream_meta_save(h, e); /* the commit point */
  if (rc == SLUICE_OK && stream_sync_enabled(st)) sync_parent(dir);
  if (rc == SLUICE_OK) rc = table_insert(st, h);
  if (rc != SLUICE_OK) {
    if (h) stream_fs_remove_tree(dir);
    stream_free(h);
    h = NULL;
    goto done;
  }
  atomic_fetch_add(&st->open_shards, (int)shard_count);
  if (out) *out = stream_ref(h);
done:
  pthread_mutex_unlock(&st->mu);
  free(dir);
  if (h) STREAM_DEBUG_VERIFY(h);
  return rc;
}

int stream_get(stream_store *st, const char *name, stream_handle **out, core_error *e) {
  *out = NULL;
  stream_store_purge(st);
  pthread_mutex_lock(&st->mu);
  int64_t at = table_find(st, name ? name : "");
  if (at >= 0) *out = stream_ref(st->streams[at]);
  pthread_mutex_unlock(&st->mu);
  if (!*out) return core_error_set(e, SLUICE_NOTFOUND, "stream %s not found", name ? name : "");
  return SLUICE_OK;
}

int stream_delete(stream_handle *h, bool enforce_consumer_deletion, core_error *e) {
  stream_store *st = h->st;
  pthread_rwlock_wrlock(&h->lock);
  int64_t now = core_clock_now(st->clock);
  int rc = SLUICE_OK;
  if (atomic_load(&h->gone)) {
    rc = core_error_set(e, SLUICE_NOTFOUND, "stream %s not found", h->name);
  } else if (atomic_load(&h->deleting)) {
    rc = core_error_set(e, SLUICE_STATE, "stream %s is already being deleted", h->name);
  } else if (stream_status_locked(h, now) == STREAM_CREATING) {
    rc = core_error_set(e, SLUICE_STATE, "stream %s is still being created", h->name);
  } else if (h->n_consumers > 0 && !enforce_consumer_deletion) {
    rc = core_error_set(e, SLUICE_STATE, "stream %s has %u registered consumers", h->name,
                        h->n_consumers);
  }
  if (rc != SLUICE_OK) {
    pthread_rwlock_unlock(&h->lock);
    return rc;
  }
  char rel[48];
  snprintf(rel, sizeof rel, "trash/%016" PRIx64, h->gen);
  h->trash = stream_fs_join(st->dir, rel);
  if (!h->trash || rename(h->dir, h->trash) != 0) {
    rc = core_error_set(e, SLUICE_IO, "could not remove the files of stream %s: %s", h->name,
                        strerror(errno));
    free(h->trash);
    h->trash = NULL;
    pthread_rwlock_unlock(&h->lock);
    return rc;
  }
  if (stream_sync_enabled(st)) { /* the deletion survives a power loss */
    sync_parent(h->dir);
    sync_parent(h->trash);
  }
  h->delete_at_ms = now + st->opt.delete_delay_ms;
  atomic_store(&h->deleting, true);
  atomic_fetch_sub(&st->open_shards, (int)h->n_routes);
  pthread_rwlock_unlock(&h->lock);
  if (st->opt.delete_delay_ms <= 0)
    stream_finish_delete(st, h);
  else
    stream_notify(h, UINT32_MAX);
  return SLUICE_OK;
}

int stream_list(stream_store *st, const char *after, size_t limit, core_arena *a,
                const char ***names, size_t *n, bool *more, core_error *e) {
  stream_store_purge(st);
  pthread_mutex_lock(&st->mu);
  uint32_t from = 0;
  if (after && *after) {
    int64_t at = table_find(st, after);
    from = at >= 0 ? (uint32_t)at + 1 : (uint32_t)(-at - 1);
  }
  size_t avail = st->n_streams - from, take = limit && limit < avail ? limit : avail;
  const char **v = core_arena_alloc(a, (take ? take : 1) * sizeof *v);
  for (size_t i = 0; v && i < take; i++) v[i] = core_arena_strdup(a, st->streams[from + i]->name);
  pthread_mutex_unlock(&st->mu);
  if (!v || core_arena_oom(a)) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  *names = v;
  *n = take;
  if (more) *more = take < avail;
  return SLUICE_OK;
}

/* -------------------------------------------------------------- retention -- */

static int expire_closed_shard(stream_handle *h, shard *sh, core_error *e) {
  pthread_mutex_lock(&h->meta_mu);
  atomic_store(&sh->expired, true);
  int rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) atomic_store(&sh->expired, false);
  pthread_mutex_unlock(&h->meta_mu);
  if (rc != SLUICE_OK) return -rc;
  pthread_mutex_lock(&sh->append_mu);
  pthread_mutex_lock(&sh->seg_mu);
  seg **v = sh->segs;
  uint32_t n = sh->n_segs;
  sh->segs = NULL;
  sh->n_segs = sh->cap_segs = 0;
  sh->active = NULL;
  sh->trim_pos = sh->next_pos;
  pthread_mutex_unlock(&sh->seg_mu);
  pthread_mutex_unlock(&sh->append_mu);
  for (uint32_t i = 0; i < n; i++) stream_seg_unref(v[i]);
  free(v);
  stream_fs_remove_tree(sh->dir);
  return (int)n;
}

int stream_store_expire(stream_store *st, core_error *e) {
  stream_store_purge(st);
  int64_t now = core_clock_now(st->clock);
  uint32_t n;
  stream_handle **v = table_snapshot(st, &n);
  if (!v) return -core_error_set(e, SLUICE_NOMEM, "out of memory");
  int total = 0, rc = SLUICE_OK;
  for (uint32_t i = 0; i < n; i++) {
    stream_handle *h = v[i];
    pthread_rwlock_rdlock(&h->lock);
    if (!atomic_load(&h->gone) && !atomic_load(&h->deleting)) {
      int64_t cutoff = now - (int64_t)h->retention_hours * 3600000;
      for (uint32_t k = 0; k < h->n_shards; k++) {
        shard *sh = h->shards[k];
        if (atomic_load(&sh->expired)) continue;
        int r = sh->closed && sh->closed_ms < cutoff ? expire_closed_shard(h, sh, e)
                                                     : stream_shard_expire(h, sh, cutoff, e);
        if (r < 0)
          rc = -r;
        else
          total += r;
      }
    }
    pthread_rwlock_unlock(&h->lock);
    STREAM_DEBUG_VERIFY(h);
    stream_release(h);
  }
  free(v);
  return rc != SLUICE_OK ? -rc : total;
}

/* ------------------------------------------------------------------ verify -- */

void stream_verify(stream_handle *h) {
  pthread_rwlock_rdlock(&h->lock);
  if (!atomic_load(&h->gone)) {
    uint32_t open = 0;
    for (uint32_t i = 0; i < h->n_shards; i++) {
      const shard *sh = h->shards[i];
      STREAM_VERIFY(sh->index == i);
      STREAM_VERIFY(sh->parent < (int64_t)i && sh->adjacent_parent < (int64_t)i);
      STREAM_VERIFY(sh->closed || !atomic_load(&((shard *)sh)->expired));
      if (!sh->closed) open++;
      if (i > 0) STREAM_VERIFY(sh->born_epoch >= h->shards[i - 1]->born_epoch);
      if (!atomic_load(&((shard *)sh)->expired) && !atomic_load(&h->deleting))
        stream_shard_verify(sh, __FILE__, __LINE__);
    }
    STREAM_VERIFY(open == h->n_routes);
    STREAM_VERIFY(h->n_routes >= 1);
    STREAM_VERIFY(h->routes[0].start == 0);
    for (uint32_t i = 0; i < h->n_routes; i++) {
      const shard *sh = h->routes[i].sh;
      STREAM_VERIFY(!sh->closed && sh->start == h->routes[i].start);
      if (i > 0) STREAM_VERIFY(h->routes[i - 1].sh->end + 1 == sh->start);
    }
    STREAM_VERIFY(h->routes[h->n_routes - 1].sh->end == CORE_U128_MAX);
  }
  pthread_rwlock_unlock(&h->lock);
}

void stream_store_verify(stream_store *st) {
  uint32_t n;
  stream_handle **v = table_snapshot(st, &n);
  if (!v) return;
  for (uint32_t i = 0; i < n; i++) {
    if (i > 0) STREAM_VERIFY(strcmp(v[i - 1]->name, v[i]->name) < 0);
    stream_verify(v[i]);
    stream_release(v[i]);
  }
  free(v);
}

void stream_store_counts(stream_store *st, uint32_t *open_shards, uint32_t *shard_limit,
                         uint32_t *on_demand_streams) {
  uint32_t n;
  stream_handle **v = table_snapshot(st, &n);
  uint32_t od = 0;
  for (uint32_t i = 0; v && i < n; i++) {
    stream_handle *h = v[i];
    pthread_mutex_lock(&h->meta_mu);
    if (h->mode == STREAM_ON_DEMAND && !atomic_load(&h->deleting)) od++;
    pthread_mutex_unlock(&h->meta_mu);
    stream_release(h);
  }
  free(v);
  if (open_shards) *open_shards = (uint32_t)atomic_load(&st->open_shards);
  if (shard_limit) *shard_limit = st->opt.shard_limit;
  if (on_demand_streams) *on_demand_streams = od;
}

/*
 * stream_int.h — private to stream/: the in-memory structures of the store.
 *
 * Lock order (outer to inner), never taken the other way round:
 *   stream.lock (rwlock) -> stream.meta_mu -> shard.append_mu -> shard.seg_mu
 *   -> store.mu (the stream table) ; stream.wait_mu and stream.sub_mu are
 *   leaves taken with no other store lock held.
 * Appenders hold stream.lock for reading; resharding and deletion hold it for
 * writing, so they never see an append in flight. Readers hold seg_mu only
 * to look up a segment and its committed length.
 */
#ifndef SLUICE_STREAM_INT_H
#define SLUICE_STREAM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "stream/stream.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the segment format is written little-endian by memcpy; port the codec first"
#endif

/* ------------------------------------------------------------ file format -- */

#define SEG_MAGIC "SLSEG\0\0\1"
#define SEG_HEADER 32              /* magic 8 | generation 8 | first_pos 8 | shard 4 | crc 4 */
#define FRAME_HEADER 8             /* body length 4 | crc32c of the body 4 */
#define BATCH_HEADER 24            /* first_pos 8 | arrival_ms 8 | count 4 | flags 4 */
#define RECORD_HEADER 8            /* pk_len 2 | flags 1 | 0 1 | data_len 4 ; [hash 16] pk data */
#define RECORD_F_HASH 0x1          /* an explicit hash key follows the record header */
#define STREAM_SCALINGS_PER_DAY 10 /* UpdateShardCount calls per stream in 24 hours */
#define BATCH_MAX (8u << 20)       /* a batch body never exceeds this unless one record does */
#define BODY_MAX ((uint32_t)(STREAM_RECORD_MAX + 2048 + BATCH_HEADER))

static inline void put_u16(uint8_t *p, uint16_t v) {
  memcpy(p, &v, 2);
}
static inline void put_u32(uint8_t *p, uint32_t v) {
  memcpy(p, &v, 4);
}
static inline void put_u64(uint8_t *p, uint64_t v) {
  memcpy(p, &v, 8);
}
static inline uint16_t get_u16(const uint8_t *p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}
static inline uint32_t get_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline uint64_t get_u64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* ------------------------------------------------------------- segments -- */

/* A sparse-index entry: the batch starting at file offset off holds
 * positions from pos on, all arrived at arrival_ms. */
typedef struct seg_index {
  uint64_t pos;
  int64_t arrival_ms;
  uint64_t off;
} seg_index;

/*
 * One segment file. Everything but fd and first_pos is published under the
 * shard's seg_mu; the appender changes it only while also holding append_mu.
 * refs counts the shard's list (1) and readers holding it; the file
 * descriptor is closed when the last reference goes.
 */
typedef struct seg {
  atomic_int refs;
  int fd;
  uint64_t first_pos;
  uint64_t end_pos;      /* one past the last record */
  uint64_t size;         /* committed bytes, header included */
  int64_t first_arrival; /* INT64_MIN while empty */
  int64_t last_arrival;
  seg_index *idx;
  uint32_t n_idx, cap_idx;
  uint64_t last_idx_off;
  char *path;
} seg;

/* --------------------------------------------------------------- shards -- */

typedef struct shard {
  uint32_t index;
  core_u128 start, end; /* inclusive hash-key range */
  int64_t parent, adjacent_parent;
  int64_t created_ms, closed_ms;
  uint32_t born_epoch, closed_epoch; /* reshard counter values */
  bool closed;
  atomic_bool expired;
  uint64_t end_pos_meta; /* next_pos at close, as recorded in the metadata */
  char *dir;

  pthread_mutex_t append_mu; /* one appender at a time; owns active, buf */
  seg *active;
  uint8_t *buf;
  size_t buf_cap;
  atomic_bool dirty; /* written since the last background fsync */
  /* A lower bound of the arrival time of the batch being appended, or
   * INT64_MAX when none is in flight (see stream_time_bound). */
  _Atomic int64_t inflight;

  pthread_mutex_t seg_mu; /* the segment list and the published tip */
  seg **segs;
  uint32_t n_segs, cap_segs;
  uint64_t next_pos;
  uint64_t trim_pos;
} shard;

/* --------------------------------------------------------------- streams -- */

typedef struct route {
  core_u128 start;
  shard *sh;
} route;

typedef struct attr {
  char *key;
  uint8_t *value;
  size_t n;
} attr;

typedef struct sub {
  uint64_t id;
  stream_notify_fn fn;
  void *arg;
  int fd; /* >= 0 for stream_subscribe_fd */
} sub;

typedef struct consumer {
  char *name, *arn;
  stream_consumer_status status;
  int64_t created_ms;
} consumer;

/* The stream object; a stream_handle * is a pointer to it. */
struct stream_handle {
  stream_store *st;
  atomic_int refs;
  char *name;
  uint64_t gen;
  char *dir;

  pthread_rwlock_t lock; /* shards, routes, status: read for appends, write to change */
  shard **shards;        /* by index, never freed before the stream */
  uint32_t n_shards, cap_shards;
  route *routes; /* open shards sorted by start */
  uint32_t n_routes;
  uint32_t epoch;
  int64_t scalings[STREAM_SCALINGS_PER_DAY]; /* times of the last UpdateShardCounts (ring) */
  uint32_t n_scalings;
  int64_t update_until_ms;
  int64_t delete_at_ms;
  atomic_bool deleting;
  atomic_bool gone;
  char *trash; /* where the files went when deleted */

  pthread_mutex_t meta_mu; /* metadata below and writing stream.meta */
  stream_mode mode;
  int64_t created_ms;
  uint32_t retention_hours;
  stream_encryption encryption;
  char *key_id;
  stream_tag *tags; /* heap copies, sorted by key */
  uint32_t n_tags;
  char **metrics; /* sorted */
  uint32_t n_metrics;
  consumer *consumers;
  uint32_t n_consumers;
  attr *attrs;
  uint32_t n_attrs;

  _Atomic int64_t last_arrival;
  atomic_uint_fast64_t version;

  pthread_mutex_t wait_mu;
  pthread_cond_t wait_cv;
  atomic_int waiters;

  pthread_mutex_t sub_mu;
  sub *subs;
  uint32_t n_subs_cap;
  atomic_int n_subs;
  uint64_t next_sub_id;
};

struct stream_store {
  char *dir;
  int lock_fd; /* flock()ed: one process per store directory */
  stream_options opt;
  core_clock *clock;

  pthread_mutex_t mu;      /* the table below and next_gen */
  stream_handle **streams; /* sorted by name, each holding one reference */
  uint32_t n_streams, cap_streams;
  uint64_t next_gen;
  atomic_int open_shards; /* over all streams not deleting */

  pthread_t fsync_thread;
  bool fsync_running;
  pthread_mutex_t fsync_mu;
  pthread_cond_t fsync_cv;
  bool stopping;

  atomic_uint_fast64_t records_appended, bytes_appended;
  atomic_uint tails_truncated;
  atomic_uint_fast64_t bytes_truncated;
};

/* ------------------------------------------------------ shared internals -- */

/* shard.c */
shard *stream_shard_new(uint32_t index, core_u128 start, core_u128 end);
void stream_shard_free(shard *sh);
/* Creates the shard's directory and first segment at position 0. */
int stream_shard_init_files(stream_handle *h, shard *sh, core_error *e);
/* Scans and repairs the shard's segments, rebuilding indexes. */
int stream_shard_recover(stream_handle *h, shard *sh, core_error *e);
void stream_seg_unref(seg *s);
/* Writes one batch (records sel[0..n-1] of recs) at arrival time arr. */
int stream_shard_append(stream_handle *h, shard *sh, const stream_record_in *recs,
                        const uint32_t *sel, size_t n, int64_t arrival_ms,
                        stream_append_result *res, core_error *e);
/* Expires segments older than cutoff; returns the count or -rc. */
int stream_shard_expire(stream_handle *h, shard *sh, int64_t cutoff, core_error *e);
int stream_shard_sync(stream_handle *h, shard *sh);
/* Reads from pos (records, next.pos, millis_behind; the caller fills the rest). */
int stream_shard_read(stream_handle *h, shard *sh, uint64_t pos, size_t max_records,
                      size_t max_bytes, core_arena *a, stream_read_result *out, core_error *e);
void stream_shard_bounds(shard *sh, uint64_t *trim, uint64_t *next);
/* The first position that arrived at or after ts (the tip if none). */
int stream_shard_pos_at_time(stream_handle *h, shard *sh, int64_t ts, uint64_t *out, core_error *e);
void stream_shard_verify(const shard *sh, const char *file, int line);

/* meta.c */
int stream_meta_save(stream_handle *h, core_error *e);
int stream_meta_load(stream_store *st, const char *dir, stream_handle **out, core_error *e);
int stream_store_meta_save(stream_store *st, core_error *e);
int stream_store_meta_load(stream_store *st, core_error *e);

/* fs helpers (meta.c) */
int stream_fs_write_atomic(const char *path, const void *data, size_t n, bool sync, core_error *e);
int stream_fs_sync_dir(const char *dir);
int stream_fs_remove_tree(const char *path);
int stream_fs_mkdir(const char *path, core_error *e);
char *stream_fs_join(const char *a, const char *b);

/* store.c */
stream_handle *stream_alloc(stream_store *st, const char *name, uint64_t gen, const char *dir);
void stream_free(stream_handle *h);
int stream_rebuild_routes(stream_handle *h);
/* Range i of n evenly divided shards, as a new stream of n shards has them. */
void stream_even_range(uint32_t n, uint32_t i, core_u128 *start, core_u128 *end);
/* Status at now; caller holds h->lock. */
stream_status stream_status_locked(stream_handle *h, int64_t now);
/* Wakes stream_wait() callers and runs subscriptions for shard (UINT32_MAX: all). */
void stream_notify(stream_handle *h, uint32_t shard);
/* Forgets DELETING streams whose delay has passed (removes their files). */
void stream_store_purge(stream_store *st);
bool stream_sync_enabled(const stream_store *st);

#define STREAM_VERIFY(cond)                                                                        \
  do {                                                                                             \
    if (!(cond)) stream_verify_fail(__FILE__, __LINE__, #cond);                                    \
  } while (0)
_Noreturn void stream_verify_fail(const char *file, int line, const char *what);

#ifndef NDEBUG
#define STREAM_DEBUG_VERIFY(h) stream_verify(h)
#else
#define STREAM_DEBUG_VERIFY(h) ((void)0)
#endif

#endif /* SLUICE_STREAM_INT_H */

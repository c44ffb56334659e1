/*
 * stream.h — the embedded shard store: durable, sharded streams that behave
 * like Amazon Kinesis Data Streams (spec/kinesis-api.md sections 2.2, 4, 5).
 *
 * Purpose: a store is a directory holding streams. A stream has shards; each
 * shard owns a range of the 128-bit hash-key space (MD5 of the partition key,
 * or an explicit hash key) and is a directory of append-only segment files of
 * CRC-framed record batches. The store assigns sequence numbers and arrival
 * times, reads by iterator position, splits and merges shards with Kinesis's
 * lineage, expires data by retention, and keeps the per-stream metadata the
 * Kinesis API reports (mode, retention, encryption, tags, enhanced metrics,
 * consumers, opaque attributes) durable across restarts. The Kinesis API
 * server (server/) and the engine (engine/) are its clients; neither sees the
 * files. stream/README.md describes the on-disk format.
 *
 * Ownership and lifetimes:
 *   - stream_store_open() returns a store the caller closes with
 *     stream_store_close() after every handle is released and every thread
 *     using it has stopped. The clock passed in is borrowed: it must outlive
 *     the store.
 *   - stream_get()/stream_create() return a reference-counted handle; the
 *     caller gives it back with stream_release(). A handle stays valid (its
 *     memory alive) after the stream is deleted: operations on it then answer
 *     SLUICE_NOTFOUND. A stream deleted and created again under the same name
 *     is a new stream with a new generation; old handles and old positions do
 *     not reach it.
 *   - Everything a read or describe call returns (records, names, shard
 *     tables, metadata) is allocated from the core_arena the caller passes,
 *     and lives as long as that arena. Records point into read buffers in the
 *     arena, no copy per record.
 *   - Input records (stream_record_in) are borrowed for the duration of the
 *     append call only.
 *
 * Threads: every function may be called from any thread, concurrently, on the
 * same store and stream, except stream_store_close(). Appends to different
 * shards run in parallel (one append lock per shard); the stream-wide arrival
 * clock is one atomic maximum. Readers never block writers: a reader holds a
 * shard's segment lock only to look up a file and its published committed
 * length, then reads with pread() outside every lock. Resharding and
 * deletion take the stream's lock for writing and wait for appends and reads
 * in flight; metadata changes take a separate metadata mutex. Notification
 * callbacks (stream_subscribe) run on the appending thread after the records
 * are committed, with only the subscription mutex held; they must be short
 * and must not block (ev_async_send(), a write to an eventfd).
 *
 * Errors: every function that can fail returns an int result code from
 * sluice.h and fills the core_error it is given (which may be NULL). The codes
 * are chosen so that the server can map them to AWS's exception types:
 *   SLUICE_NOTFOUND  the stream, shard, consumer or attribute does not exist
 *                    (ResourceNotFoundException)
 *   SLUICE_EXISTS    a stream or consumer of that name exists (ResourceInUse)
 *   SLUICE_STATE     the stream is not in a status that allows the operation,
 *                    or a shard is closed (ResourceInUse / InvalidArgument)
 *   SLUICE_INVALID   an argument breaks a documented rule: a bad name, a hash
 *                    key outside a shard, a split key not strictly inside the
 *                    shard, shards not adjacent, bad retention, a sequence
 *                    number for another shard, a stale position
 *                    (InvalidArgumentException / ValidationException)
 *   SLUICE_LIMIT     a quota: shard count, tag count, scaling factor
 *                    (LimitExceededException)
 *   SLUICE_IO, SLUICE_CORRUPT, SLUICE_NOMEM  the system or stored data failed
 *   SLUICE_TIMEOUT   stream_wait() ended without new records
 * Messages are lower case without a trailing period and name the objects
 * involved (`shard shardId-000000000003 of stream clicks is closed`). The
 * server words AWS's messages itself from the code and the identifiers.
 *
 * Time: arrival timestamps and every status delay are measured on the
 * store's clock (core_clock), in milliseconds since the epoch, so that tests
 * drive creation delays and retention with a CORE_CLOCK_TEST clock. Waits with
 * a timeout (stream_wait) are measured on the real monotonic clock.
 */
#ifndef SLUICE_STREAM_H
#define SLUICE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ------------------------------------------------------------- constants -- */

#define STREAM_NAME_MAX 128          /* stream and consumer names: [a-zA-Z0-9_.-]{1,128} */
#define STREAM_PARTITION_KEY_MAX 256 /* partition key, in Unicode code points */
#define STREAM_RECORD_MAX (1u << 20) /* data blob, bytes (1 MiB) */
#define STREAM_ON_DEMAND_SHARDS 4    /* shards of a new ON_DEMAND stream */
#define STREAM_RETENTION_MIN_H 24
#define STREAM_RETENTION_MAX_H 8760
#define STREAM_RETENTION_DEFAULT_H 24
#define STREAM_TAGS_MAX 200      /* tags per stream */
#define STREAM_TAG_KEY_MAX 128   /* bytes of UTF-8 */
#define STREAM_TAG_VALUE_MAX 256 /* bytes of UTF-8 */
#define STREAM_CONSUMERS_MAX 20  /* registered consumers per stream */

/* `shardId-` and 12 digits, NUL-terminated. */
#define STREAM_SHARD_ID_TEXT 24
/* A sequence number: exactly 56 decimal digits, NUL-terminated. */
#define STREAM_SEQ_DIGITS 56
#define STREAM_SEQ_TEXT 57

/* ----------------------------------------------------------------- store -- */

typedef enum stream_fsync_policy {
  STREAM_FSYNC_NEVER,    /* acknowledged = write() returned (survives a killed process) */
  STREAM_FSYNC_INTERVAL, /* plus a background fsync of written shards every fsync_interval_ms */
  STREAM_FSYNC_ALWAYS,   /* fsync of the segment before every acknowledgement */
} stream_fsync_policy;

typedef struct stream_options {
  stream_fsync_policy fsync;     /* default STREAM_FSYNC_INTERVAL */
  int64_t fsync_interval_ms;     /* default 1000 */
  uint64_t segment_bytes;        /* roll a segment past this size; default 64 MiB */
  uint32_t index_interval_bytes; /* one sparse-index entry per this many bytes; default 4096 */
  int64_t create_delay_ms;       /* CREATING -> ACTIVE after this; default 0 */
  int64_t update_delay_ms;       /* UPDATING -> ACTIVE after a reshard; default 0 */
  int64_t delete_delay_ms;       /* DELETING -> gone; default 0 (gone at once) */
  uint32_t shard_limit;          /* open shards over all streams; default 10000 */
  uint32_t max_creating;         /* streams CREATING at once; default 5 */
} stream_options;

/* Fills o with the defaults above. */
void stream_options_default(stream_options *o);

typedef struct stream_store stream_store;

/*
 * Opens (creating if needed) the store in directory dir. opt may be NULL for
 * the defaults. clock is borrowed. Recovery happens here: every shard's
 * segments are scanned, a torn or corrupt tail batch is cut off (the file is
 * truncated to its last whole batch), and the sparse indexes are rebuilt.
 * A store directory is used by one store at a time (an exclusive flock() on
 * dir/LOCK): SLUICE_STATE if another process or store holds it. Segments keep
 * their files open, so the process's soft RLIMIT_NOFILE is raised to the hard
 * limit.
 * Returns SLUICE_OK and *out, or SLUICE_IO / SLUICE_CORRUPT / SLUICE_NOMEM.
 */
int stream_store_open(const char *dir, const stream_options *opt, core_clock *clock,
                      stream_store **out, core_error *e);

/* Stops the fsync thread, syncs (unless policy never), closes every file and
 * frees the store. Every handle must have been released. NULL is ignored. */
void stream_store_close(stream_store *st);

/* The clock the store was opened with. */
core_clock *stream_store_clock(stream_store *st);

/*
 * Applies retention on the store's clock: deletes every segment whose newest
 * record arrived before now - retention (the active segment of an open shard
 * is rolled first), forgets closed shards that closed before now - retention,
 * and finishes deletions whose DELETING delay has passed. Trim horizons move
 * forward. Returns the number of segments deleted (>= 0), or a negative
 * result code (-SLUICE_IO) when a file could not be removed.
 */
int stream_store_expire(stream_store *st, core_error *e);

/* Open shards over all streams (for DescribeLimits' OpenShardCount), the
 * shard limit, and the number of ON_DEMAND streams. */
void stream_store_counts(stream_store *st, uint32_t *open_shards, uint32_t *shard_limit,
                         uint32_t *on_demand_streams);

/* Bytes written since open and batches recovered at open, for tests and metrics. */
typedef struct stream_store_stats {
  uint64_t records_appended;
  uint64_t bytes_appended;
  uint32_t tails_truncated; /* segments whose torn tail was cut at open */
  uint64_t bytes_truncated;
} stream_store_stats;
void stream_store_stats_get(stream_store *st, stream_store_stats *out);

/* ------------------------------------------------------- streams, status -- */

typedef enum stream_status {
  STREAM_CREATING,
  STREAM_DELETING,
  STREAM_ACTIVE,
  STREAM_UPDATING,
} stream_status;

typedef enum stream_mode {
  STREAM_PROVISIONED,
  STREAM_ON_DEMAND,
} stream_mode;

typedef enum stream_encryption {
  STREAM_ENCRYPTION_NONE,
  STREAM_ENCRYPTION_KMS,
} stream_encryption;

/* "CREATING", "PROVISIONED", "NONE"... (Kinesis spellings). */
const char *stream_status_name(stream_status s);
const char *stream_mode_name(stream_mode m);
const char *stream_encryption_name(stream_encryption x);

/* A handle on one stream (reference counted). */
typedef struct stream_handle stream_handle;

/* True if name is a valid stream (or consumer) name: [a-zA-Z0-9_.-]{1,128}.
 * Qualified in-application names such as `APP.STREAM` are valid. */
bool stream_name_valid(const char *name, size_t n);

/*
 * Creates a stream. mode STREAM_ON_DEMAND with shard_count 0 gets
 * STREAM_ON_DEMAND_SHARDS shards; PROVISIONED needs shard_count >= 1. The
 * shards divide the hash-key space as Kinesis does (step = floor(2^128 / N),
 * shard i = [i*step, (i+1)*step - 1], the last one ends at 2^128 - 1). The
 * stream is CREATING until create_delay_ms has passed on the store's clock.
 * out may be NULL; otherwise it receives a handle to release.
 * Errors: SLUICE_INVALID (name, shard count), SLUICE_EXISTS, SLUICE_LIMIT
 * (shard_limit, max_creating), SLUICE_IO.
 */
int stream_create(stream_store *st, const char *name, uint32_t shard_count, stream_mode mode,
                  stream_handle **out, core_error *e);

/* A handle on the stream called name (not yet gone; DELETING ones included).
 * SLUICE_NOTFOUND if there is none. */
int stream_get(stream_store *st, const char *name, stream_handle **out, core_error *e);
/* Another reference to h (returns h), and giving one back. NULL is ignored. */
stream_handle *stream_ref(stream_handle *h);
void stream_release(stream_handle *h);

/*
 * Deletes a stream: it becomes DELETING (appends and reshards are refused)
 * and is gone after delete_delay_ms (at once by default); its files are
 * removed. A stream with registered consumers is only deleted when
 * enforce_consumer_deletion is true. SLUICE_STATE if the stream is CREATING or
 * already DELETING, or has consumers; SLUICE_NOTFOUND if gone.
 */
int stream_delete(stream_handle *h, bool enforce_consumer_deletion, core_error *e);

/*
 * Names of the streams (not gone) sorted by byte order, starting after
 * `after` (NULL or "" for the first), at most limit of them (0 = all).
 * *more says whether names remain after the last one returned. The array and
 * names are allocated from a.
 */
int stream_list(stream_store *st, const char *after, size_t limit, core_arena *a,
                const char ***names, size_t *n, bool *more, core_error *e);

/* The stream's name (lives as long as the handle), generation, status now. */
const char *stream_name(const stream_handle *h);
uint64_t stream_generation(const stream_handle *h);
stream_status stream_status_now(stream_handle *h);

/* ---------------------------------------------------------------- shards -- */

/* Formats `shardId-%012u` into buf; returns the length (20). */
size_t stream_shard_id_format(uint32_t index, char buf[STREAM_SHARD_ID_TEXT]);
/* Parses `shardId-` followed by 1-12 digits (AWS ids are 12); SLUICE_INVALID otherwise. */
int stream_shard_id_parse(const char *s, size_t n, uint32_t *index);

/*
 * One shard as DescribeStream/ListShards report it. parent and
 * adjacent_parent are shard indexes or -1. children lists the shards created
 * by the reshard that closed this one and whose ranges overlap it (what
 * GetRecords reports as ChildShards at the end of a closed shard).
 */
typedef struct stream_shard_info {
  uint32_t index;
  char id[STREAM_SHARD_ID_TEXT];
  core_u128 start_hash, end_hash; /* inclusive */
  int64_t parent, adjacent_parent;
  bool closed;
  char starting_seq[STREAM_SEQ_TEXT];
  char ending_seq[STREAM_SEQ_TEXT]; /* "" while open */
  uint64_t trim_pos;                /* first retained position (trim horizon) */
  uint64_t next_pos;                /* position the next record gets (closed: end) */
  int64_t created_ms;
  int64_t closed_ms; /* -1 while open */
  uint32_t *children;
  uint32_t n_children;
} stream_shard_info;

/* A registered (enhanced fan-out) consumer. */
typedef enum stream_consumer_status {
  STREAM_CONSUMER_CREATING,
  STREAM_CONSUMER_DELETING,
  STREAM_CONSUMER_ACTIVE,
} stream_consumer_status;
const char *stream_consumer_status_name(stream_consumer_status s);

typedef struct stream_consumer {
  const char *name;
  const char *arn;
  stream_consumer_status status;
  int64_t created_ms;
} stream_consumer;

typedef struct stream_tag {
  const char *key;
  const char *value;
} stream_tag;

/*
 * Everything DescribeStream / DescribeStreamSummary need. Shards lists every
 * shard that has not expired, in index order (open and closed).
 */
typedef struct stream_info {
  const char *name;
  uint64_t generation;
  stream_status status;
  stream_mode mode;
  int64_t created_ms;
  uint32_t retention_hours;
  stream_encryption encryption;
  const char *key_id; /* "" when none */
  stream_shard_info *shards;
  uint32_t n_shards;
  uint32_t open_shards;
  stream_tag *tags; /* sorted by key */
  uint32_t n_tags;
  const char **metrics; /* enhanced monitoring shard-level metrics, sorted */
  uint32_t n_metrics;
  stream_consumer *consumers; /* in registration order */
  uint32_t n_consumers;
} stream_info;

/* Describes the stream into memory from a. SLUICE_NOTFOUND if it is gone. */
int stream_describe(stream_handle *h, core_arena *a, stream_info **out, core_error *e);

/* One shard by index. SLUICE_NOTFOUND for an index never used or a shard that
 * has expired (a closed shard forgotten by retention). */
int stream_shard_get(stream_handle *h, uint32_t index, core_arena *a, stream_shard_info *out,
                     core_error *e);

/*
 * The open shard whose range holds hash key k (there is always exactly one).
 * SLUICE_NOTFOUND only if the stream is gone.
 */
int stream_route(stream_handle *h, core_u128 k, uint32_t *index, core_error *e);

/*
 * Splits open shard `index` at new_start: the parent closes (gets its ending
 * sequence number) and two children take the next free indexes:
 * [parent.start, new_start - 1] and [new_start, parent.end], both with
 * ParentShardId = parent. As Kinesis (and kinesalite) require, new_start
 * must be greater than one plus parent.start and less than parent.end
 * (SLUICE_INVALID otherwise). SLUICE_STATE if the stream is not
 * ACTIVE or the shard is closed; SLUICE_NOTFOUND for an unknown shard.
 * The stream is UPDATING for update_delay_ms afterwards.
 */
int stream_split(stream_handle *h, uint32_t index, core_u128 new_start, core_error *e);

/*
 * Merges two adjacent open shards (a.end + 1 == b.start or b.end + 1 ==
 * a.start): both close, one child with ParentShardId = a and
 * AdjacentParentShardId = b covers the union. SLUICE_INVALID if not adjacent
 * or a == b, SLUICE_STATE if either is closed or the stream not ACTIVE.
 */
int stream_merge(stream_handle *h, uint32_t a, uint32_t b, core_error *e);

/*
 * UpdateShardCount with UNIFORM_SCALING: closes every open shard and creates
 * target evenly divided shards (the same boundaries as a new stream of target
 * shards). Lineage: a new shard's ParentShardId is the old open shard holding
 * its starting hash key, its AdjacentParentShardId the next old shard its
 * range overlaps (if any); every old shard lists all new shards overlapping
 * it as children. SLUICE_INVALID if target is 0; SLUICE_LIMIT if target is
 * above 10000, above twice or below half the current open count, over
 * shard_limit, or if the stream was already rescaled 10 times in the last 24
 * hours on the store's clock (counted since the store was opened);
 * SLUICE_STATE if not ACTIVE. A target equal to the open count is accepted
 * and changes nothing. *previous receives the open count before (may be NULL).
 */
int stream_update_shard_count(stream_handle *h, uint32_t target, uint32_t *previous, core_error *e);

/* --------------------------------------------------- sequence numbers -- */

/*
 * Sequence numbers are 56 decimal digits:
 *   "49" | shard index (10 digits) | position (20 digits) | 24 zeros
 * where position is the record's ordinal in its shard (0, 1, 2...). Within a
 * shard they increase strictly and compare equally as strings or numbers;
 * decoding is O(1). A shard's starting sequence number is the one of position
 * 0; a closed shard's ending sequence number is the one of its last record
 * (of position 0 if it never had one).
 */
void stream_seq_format(uint32_t shard, uint64_t pos, char buf[STREAM_SEQ_TEXT]);
/* SLUICE_INVALID unless s is one of ours (56 digits, prefix 49). */
int stream_seq_decode(const char *s, size_t n, uint32_t *shard, uint64_t *pos);

/* ---------------------------------------------------------------- append -- */

/* One record to append; all memory borrowed during the call. */
typedef struct stream_record_in {
  const char *partition_key; /* UTF-8, 1-256 code points */
  uint32_t partition_key_len;
  bool has_explicit_hash;
  core_u128 explicit_hash; /* routes the record instead of MD5(partition key) */
  const void *data;
  uint32_t data_len; /* 0 .. STREAM_RECORD_MAX */
} stream_record_in;

/* What happened to one record of an append, in request order. */
typedef struct stream_append_result {
  int rc;              /* SLUICE_OK, or this record's own error */
  const char *message; /* static text for rc != OK, e.g. "partition key is empty" */
  uint32_t shard;      /* shard index (valid when rc == OK) */
  uint64_t pos;        /* position in that shard: stream_seq_format(shard, pos) */
  int64_t arrival_ms;
} stream_append_result;

/*
 * Appends n records in one call. Each valid record goes to the open shard
 * that holds its hash key; the records of one shard become one batch written
 * with one write(), so they get consecutive positions and one arrival time.
 * arrival_ms < 0 means "now on the store's clock"; any value is clamped up
 * to the stream's last arrival time, so arrival times never decrease within
 * the stream across all its shards. When the call returns SLUICE_OK every
 * record whose result rc is SLUICE_OK is written (and fsynced under policy
 * always). Records with a bad partition key or oversized data get their own
 * SLUICE_INVALID result and are not written. The call itself fails with
 * SLUICE_NOTFOUND (gone), SLUICE_STATE (CREATING or DELETING) or SLUICE_IO
 * (nothing after the failed shard's batch is written; results of shards
 * already written stay valid and say so).
 */
int stream_append(stream_handle *h, const stream_record_in *recs, size_t n, int64_t arrival_ms,
                  stream_append_result *results, core_error *e);

/* ------------------------------------------------------------------ read -- */

/*
 * A read position: which stream incarnation, which shard, and the position
 * of the next record to read. Plain data so the server can pack it (with an
 * issue time and a MAC) into an opaque shard iterator.
 */
typedef struct stream_pos {
  uint64_t generation;
  uint32_t shard;
  uint32_t reserved; /* 0 */
  uint64_t pos;
} stream_pos;

typedef enum stream_iterator_type {
  STREAM_AT_SEQUENCE_NUMBER,
  STREAM_AFTER_SEQUENCE_NUMBER,
  STREAM_TRIM_HORIZON,
  STREAM_LATEST,
  STREAM_AT_TIMESTAMP,
} stream_iterator_type;

/*
 * A position in shard `shard` for an iterator type:
 *   TRIM_HORIZON: the oldest retained record;
 *   LATEST: just after the newest record (what comes next);
 *   AT_/AFTER_SEQUENCE_NUMBER: at / just after seq (a sequence number of this
 *     shard; positions already expired move up to the trim horizon);
 *   AT_TIMESTAMP: the first record that arrived at or after timestamp_ms
 *     (before the trim horizon: the oldest; after the newest: LATEST, so a
 *     timestamp in the future also returns records that arrive before it).
 * seq is ignored unless the type needs it; timestamp_ms unless AT_TIMESTAMP.
 * Errors: SLUICE_NOTFOUND (stream gone or no such shard, or shard expired),
 * SLUICE_INVALID (seq malformed, or beyond the shard's end). A well-formed
 * sequence number of another shard is SLUICE_INVALID with *seq_shard set to
 * the shard it encodes (otherwise *seq_shard = shard); seq_shard may be NULL.
 * Closed shards give positions too (reading them ends with shard_end).
 */
int stream_iterator(stream_handle *h, uint32_t shard, stream_iterator_type type, const char *seq,
                    size_t seq_len, int64_t timestamp_ms, stream_pos *out, uint32_t *seq_shard,
                    core_error *e);

/* One record read back. Memory from the read's arena. */
typedef struct stream_record {
  uint64_t pos; /* in the shard read; stream_seq_format(shard, pos) */
  int64_t arrival_ms;
  const char *partition_key; /* not NUL-terminated */
  uint32_t partition_key_len;
  bool has_explicit_hash;
  core_u128 explicit_hash;
  const uint8_t *data;
  uint32_t data_len;
} stream_record;

typedef struct stream_read_result {
  stream_record *records;
  size_t n;
  stream_pos next;       /* where the next read continues */
  int64_t millis_behind; /* 0 when caught up, else now - arrival of the last record returned */
  bool shard_end;        /* closed shard fully read: no next iterator, report children */
} stream_read_result;

/*
 * Reads from *at up to max_records records (>= 1) and about max_bytes of
 * data and partition keys: a read stops before the record that would pass
 * max_bytes, but always returns at least one record if one is available. A
 * position below the trim horizon reads from the trim horizon. Returns
 * SLUICE_OK with out filled (possibly no records), SLUICE_INVALID for a
 * position of another stream generation (a stream deleted and created again)
 * or beyond the shard's end, SLUICE_NOTFOUND if the stream or shard is gone.
 */
int stream_read(stream_handle *h, const stream_pos *at, size_t max_records, size_t max_bytes,
                core_arena *a, stream_read_result *out, core_error *e);

/*
 * Blocks until shard at->shard has a record at or beyond at->pos, or is
 * closed, or the stream is deleted (SLUICE_OK in all three), or timeout_ms
 * passes (SLUICE_TIMEOUT; a negative timeout waits forever).
 */
int stream_wait(stream_handle *h, const stream_pos *at, int64_t timeout_ms, core_error *e);

/*
 * Notification without polling, for event loops. fn(arg, h, shard) is called
 * on the appending thread after each append call, once per shard it wrote to
 * (shard = UINT32_MAX: several shards, or a reshard or deletion). *id identifies the subscription
 * for stream_unsubscribe(), which returns only after no call of fn is running. fn runs under the
 * stream's subscription mutex: it must be short, must not block, and must not subscribe or
 * unsubscribe (it may call anything else).
 */
typedef void (*stream_notify_fn)(void *arg, stream_handle *h, uint32_t shard);
int stream_subscribe(stream_handle *h, stream_notify_fn fn, void *arg, uint64_t *id, core_error *e);
/* The same with an eventfd (non-blocking, close-on-exec) that is written on
 * each notification: *fd becomes readable; the subscriber reads it to reset.
 * stream_unsubscribe() closes the fd. */
int stream_subscribe_fd(stream_handle *h, int *fd, uint64_t *id, core_error *e);
void stream_unsubscribe(stream_handle *h, uint64_t id);

/* A counter that increases with each committed batch of the stream, for
 * callers that want "anything new since I last looked". */
uint64_t stream_version(stream_handle *h);

/* The stream's last arrival time (ms; INT64_MIN before the first record). */
int64_t stream_last_arrival(stream_handle *h);

/*
 * A time bound for readers that merge shards by arrival time (the engine's
 * rowtime bound): every record whose arrival time is below the bound is
 * already committed and readable, and no record appended later can get an
 * arrival time below it. Appends on different shards commit in parallel, so
 * a record with an earlier time can become visible after one with a later
 * time on another shard; the bound accounts for batches in flight.
 * now_floor: when every append of the stream takes its time from the store's
 * clock (arrival_ms < 0), pass the clock's current time, read before the
 * call, to let the bound follow the clock while the stream is idle; pass
 * INT64_MIN when callers supply arrival times.
 */
int64_t stream_time_bound(stream_handle *h, int64_t now_floor);

/* --------------------------------------------------- per-stream metadata -- */

/*
 * Metadata setters validate only what the store must (ranges, counts); the
 * server validates the API's constraints. Each change is written durably
 * (temporary file, fsync, rename) before the call returns. All answer
 * SLUICE_NOTFOUND once the stream is gone.
 */

/* Retention in hours, 24..8760 (SLUICE_INVALID). direction > 0 requires
 * hours > current (IncreaseStreamRetentionPeriod), < 0 requires hours <
 * current (Decrease...), 0 accepts any: SLUICE_INVALID when violated. */
int stream_set_retention(stream_handle *h, uint32_t hours, int direction, core_error *e);

int stream_set_mode(stream_handle *h, stream_mode mode, core_error *e);

/* key_id must be non-empty for KMS and is ignored (cleared) for NONE. */
int stream_set_encryption(stream_handle *h, stream_encryption type, const char *key_id,
                          core_error *e);

/* Adds or overwrites tags. SLUICE_LIMIT if the stream would hold more than
 * STREAM_TAGS_MAX; SLUICE_INVALID for a key of 0 or more than 128 bytes or a
 * value of more than 256 bytes. All or nothing. */
int stream_tags_add(stream_handle *h, const stream_tag *tags, size_t n, core_error *e);
/* Removes the tags with these keys (absent keys are ignored). */
int stream_tags_remove(stream_handle *h, const char *const *keys, size_t n, core_error *e);

/* Replaces the set of enhanced-monitoring shard-level metric names. */
int stream_set_metrics(stream_handle *h, const char *const *names, size_t n, core_error *e);

/* Registers a consumer (SLUICE_EXISTS if the name is taken, SLUICE_LIMIT past
 * STREAM_CONSUMERS_MAX, SLUICE_INVALID for a bad name). */
int stream_consumer_add(stream_handle *h, const char *name, const char *arn,
                        stream_consumer_status status, int64_t created_ms, core_error *e);
int stream_consumer_set_status(stream_handle *h, const char *name, stream_consumer_status status,
                               core_error *e);
int stream_consumer_remove(stream_handle *h, const char *name, core_error *e);

/* Opaque attributes (e.g. "kind", "schema" of an in-application stream).
 * Keys are 1-64 bytes; values up to 1 MiB; a NULL value of length 0 removes. */
int stream_set_attr(stream_handle *h, const char *key, const void *value, size_t n, core_error *e);
/* SLUICE_NOTFOUND if absent; the copy is allocated from a (NUL-terminated too). */
int stream_get_attr(stream_handle *h, const char *key, core_arena *a, void **value, size_t *n,
                    core_error *e);

/* --------------------------------------------------------- record codecs -- */

/*
 * Record codecs (spec sections 6.1-6.3, 6.6, 6.7; DESIGN.md section 3): the
 * input mapping that turns the raw records of a data stream into typed rows
 * (JSON or CSV), the internal row codec in which in-application streams store
 * their rows (one store record = one row), and the JSON/CSV rendering of rows
 * for readers and outputs. They work on core_batch (core.h) and plain arrays:
 * stream/ sits below the catalog, so callers pass names and types themselves.
 *
 * Ownership: stream_mapping_compile() copies what it needs from the config
 * (names, paths, delimiters); the mapping is freed with stream_mapping_free().
 * Decoded string bytes are always copied into the batch's heap (the record
 * buffer does not outlive the call). A stream_buf is a growable malloc()
 * buffer owned by the caller, reused across calls (set it to {0} first).
 *
 * Threads: a mapping holds scratch space, so one thread decodes with it at a
 * time (one mapping per pump/reader). The row codec and the renderers keep no
 * state.
 *
 * Errors: SLUICE_INVALID for bad records or bad mapping configurations (the
 * message says why), SLUICE_LIMIT when decoded rows do not fit in a batch,
 * SLUICE_CORRUPT for a stored row that does not match the stream's columns,
 * SLUICE_NOMEM.
 */

typedef enum stream_format { STREAM_FORMAT_JSON = 1, STREAM_FORMAT_CSV = 2 } stream_format;

/* ERROR_NAME values of error_stream (spec 6.7) for records that fail to decode. */
#define STREAM_ERROR_PARSE "ParseError"          /* not JSON / CSV, bad UTF-8, bad row path */
#define STREAM_ERROR_COERCION "CoercionError"    /* a value does not convert to its column */
#define STREAM_ERROR_TOO_MANY_ROWS "TooManyRows" /* one record yields more rows than a batch */

/*
 * An input schema (spec 6.1 InputSchema): the record format, its mapping
 * parameters and the RecordColumns. All pointers are borrowed during
 * stream_mapping_compile() only.
 *
 * JSON paths (spec 6.2): `$.a`, `$.a.b.c` (also `$['a.b']`), `$.arr[0:]` (the
 * JSON text of the whole array), `$.arr[0:].x.y` (flatten: one row per
 * element; only one array per schema, one level). Keys are case-sensitive;
 * a missing path gives NULL. RecordRowPath `$` or `$.a.b` (an optional
 * trailing `[0:]` means the same): the value there is the row, or, when it is
 * an array, each element is a row. Column paths are written from the document
 * root as in KDA; a column path that starts with the row path is taken from
 * the row element onwards; any other path is taken relative to the row
 * element ([IMPL], so `$.x` also works under RecordRowPath `$.data`).
 */
typedef struct stream_mapping_config {
  stream_format format;
  const char *row_path;     /* JSON RecordRowPath; NULL = "$" */
  const char *row_delim;    /* CSV RecordRowDelimiter; NULL = "\n" */
  const char *col_delim;    /* CSV RecordColumnDelimiter; NULL = "," */
  int ncolumns;             /* 1..STREAM_MAPPING_COLUMNS_MAX */
  const char *const *names; /* [ncolumns] column names as stored (messages name them) */
  const core_type *types;   /* [ncolumns] BOOLEAN..TIMESTAMP (no intervals) */
  const char *const *paths; /* [ncolumns] JSON mappings; NULL array or NULL entry: "$.<name>" */
} stream_mapping_config;

#define STREAM_MAPPING_COLUMNS_MAX 1000
#define STREAM_JSON_DEPTH_MAX 1000 /* deeper nesting is a ParseError */

typedef struct stream_mapping stream_mapping;

/*
 * Checks and compiles a mapping. SLUICE_INVALID with a message naming the
 * column for: a bad or unsupported JSON path (`[1]`, `[*]`, `..`), two
 * flattened arrays, a nested flatten (`$.a[0:].b[0:].c`), a column type the
 * mapping cannot fill, empty or clashing CSV delimiters, a bad column count.
 */
int stream_mapping_compile(const stream_mapping_config *c, stream_mapping **out, core_error *err);
void stream_mapping_free(stream_mapping *m);

/*
 * Decodes one record into rows appended at b->n, b->n + 1, ... with ROWTIME =
 * rowtime. Columns 0..ncolumns-1 of b must have the mapping's types (b may
 * have more columns: they are left alone); b must have no selection. One
 * record may hold several rows: several JSON documents (concatenated or
 * whitespace separated), an array at the row path, a flattened array, or
 * several CSV rows.
 *
 * All or nothing: SLUICE_OK appends every row of the record. On a bad record
 * nothing is appended (b->n is unchanged; string bytes already copied stay
 * in b's heap until it is reset), the result is SLUICE_INVALID, err says why
 * (with the column and the offending text, or the byte offset of a syntax
 * error) and *error_name is STREAM_ERROR_PARSE (malformed JSON or CSV,
 * invalid UTF-8, nothing at the row path, an empty CSV record),
 * STREAM_ERROR_COERCION (a value that does not convert, spec 6.2 table) or
 * STREAM_ERROR_TOO_MANY_ROWS (the record yields more rows than b->cap).
 * SLUICE_LIMIT: the rows do not fit in b's remaining capacity; nothing is
 * appended, the caller flushes the batch and decodes the record again.
 * error_name may be NULL.
 *
 * Conversions ([IMPL] choices, all tested): DECIMAL(p,s) is exact, and
 * digits beyond the scale that are not zero are a CoercionError like 123.4
 * into INTEGER (no silent rounding); numbers into CHAR/VARCHAR keep their
 * source text; CHAR(n) is blank-padded and BINARY(n) zero-padded to n, every
 * string and binary value is cut to its length (VARCHAR in characters);
 * text for numbers, dates and binaries may have surrounding blanks (space,
 * tab, CR, LF); DATE and TIME also accept a whole timestamp and keep its date
 * or time of day; REAL/DOUBLE accept the strings "NaN", "Infinity" and
 * "-Infinity" (what the JSON rendering writes for them). CSV: an empty
 * unquoted field is NULL, a quoted empty field ("") is the empty string.
 */
int stream_decode(stream_mapping *m, const uint8_t *data, size_t n, int64_t rowtime, core_batch *b,
                  const char **error_name, core_error *err);

/* A growable byte buffer (malloc), owned by the caller; {0} is an empty one. */
typedef struct stream_buf {
  uint8_t *data;
  size_t len, cap;
} stream_buf;

/* Makes room for extra more bytes after len. SLUICE_NOMEM on failure. */
int stream_buf_reserve(stream_buf *buf, size_t extra);
void stream_buf_free(stream_buf *buf);

/*
 * The internal row codec: one row of b (all b->ncols columns and its
 * ROWTIME) appended to out as one store record:
 *
 *   format u8 (1) | column count u16 | ROWTIME i64 | null bitmap (1 bit per
 *   column, set = NULL, ceil(ncols / 8) bytes) | the non-NULL values in
 *   column order
 *
 * little-endian; BOOLEAN and TINYINT 1 byte, SMALLINT 2, INTEGER, DATE,
 * TIME and REAL (IEEE single: a REAL column holds floats) 4, BIGINT,
 * TIMESTAMP, intervals and DOUBLE 8, DECIMAL 8 when p <= 18 else 16,
 * strings and binaries a LEB128 length and the bytes.
 */
int stream_row_encode(const core_batch *b, int row, stream_buf *out);

/*
 * Decodes one record of the row codec and appends it at b->n (ROWTIME
 * included), types taken from b's columns; string bytes are copied into b's
 * heap. SLUICE_LIMIT if b is full; SLUICE_CORRUPT (nothing appended) if the
 * record does not match b's columns (format, column count, sizes, a
 * BOOLEAN byte other than 0/1, a TIME out of the day, bytes left over).
 */
int stream_row_decode(const uint8_t *data, size_t n, core_batch *b, core_error *err);

/*
 * Renders row `row` of b (all b->ncols columns, not ROWTIME) for readers and
 * outputs (spec 6.6), appended to out:
 *   JSON: one object, no newline: {"name":value,...} with names[c] as keys
 *   (exactly as stored, escaped); NULL -> null; BOOLEAN true/false;
 *   integers (intervals as their count of months or ms); DECIMAL with its
 *   scale (12.50); REAL/DOUBLE as the shortest
 *   text that reads back to the same float/double (NaN and infinities as the
 *   strings "NaN", "Infinity", "-Infinity"); CHAR/VARCHAR as JSON strings
 *   (invalid UTF-8 replaced by U+FFFD); BINARY/VARBINARY as base64 strings
 *   (spec 2.1); DATE "yyyy-MM-dd", TIME "HH:mm:ss.SSS", TIMESTAMP
 *   "yyyy-MM-dd HH:mm:ss.SSS".
 *   CSV: the values in column order, comma separated, "\n" terminated; the
 *   same texts unquoted, NULL as an empty field, a string quoted (RFC 4180,
 *   quotes doubled) when it is empty or holds a comma, quote, CR or LF, an
 *   empty binary as "".
 * Both read back to the same row through a mapping of the same columns
 * (binaries excepted: the mapping reads X'..' literals, not base64).
 */
int stream_row_json(const core_batch *b, int row, const char *const *names, stream_buf *out);
int stream_row_csv(const core_batch *b, int row, stream_buf *out);

/*
 * The schema of an in-application stream, kept as the stream attribute
 * STREAM_ATTR_SCHEMA so that a reader through the Kinesis API can render its
 * rows as JSON: u16 column count, then per column u8 type id, u8 not_null,
 * u8 interval start, u8 interval end, i32 precision, i32 scale, u16 name
 * length and the name (little-endian). decode allocates names and types from
 * a; SLUICE_CORRUPT for bytes that are not a schema.
 */
#define STREAM_ATTR_SCHEMA "schema"
int stream_schema_encode(int ncols, const char *const *names, const core_type *types,
                         stream_buf *out);
int stream_schema_decode(const uint8_t *data, size_t n, core_arena *a, int *ncols,
                         const char ***names, core_type **types, core_error *err);

/* error_stream's DATA_ROW is VARCHAR(49152) of hex (spec 6.7). */
#define STREAM_DATA_ROW_MAX 49152

/*
 * Upper-case hex of data into out, at most max_chars characters (rounded
 * down to whole bytes: a longer record is cut to its first max_chars / 2
 * bytes). Returns the characters written; no NUL is added.
 */
size_t stream_hex_encode(const void *data, size_t n, char *out, size_t max_chars);

/* ----------------------------------------------------------------- debug -- */

/*
 * Walks the stream's structures (shard ranges partition the hash space,
 * lineage, segment chains and indexes, committed lengths) and aborts with
 * file and line on the first broken invariant. Called by the store itself in
 * debug builds after open, reshard and expiry.
 */
void stream_verify(stream_handle *h);
void stream_store_verify(stream_store *st);

#endif /* SLUICE_STREAM_H */

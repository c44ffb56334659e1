/*
 * kinesis_int.h — private to server/: the state behind the Kinesis actions
 * (kinesis.c) and SubscribeToShard (subscribe.c).
 */
#ifndef SLUICE_SERVER_KINESIS_INT_H
#define SLUICE_SERVER_KINESIS_INT_H

#include <cjson/cJSON.h>

#include "server/server_int.h"
#include "server/validate.h"
#include "stream/stream.h"

/* Per-shard traffic in the current second: for --enforce-limits and for
 * on-demand scaling. An open-addressed table; stale slots are reused. */
#define KIN_RATE_SLOTS 4096
typedef struct kin_rate {
  bool used;
  uint64_t gen;
  uint32_t shard;
  int64_t sec;
  uint32_t recs_in;
  uint64_t bytes_in;
  uint32_t calls_out;
  uint64_t bytes_out;
  uint32_t hot_secs;              /* consecutive seconds above one shard's write capacity */
  int64_t reads_blocked_until_ms; /* --enforce-limits: 2 MiB/s out */
  char name[129];
} kin_rate;

/* A stream generation's encryption, as last seen. */
#define KIN_ENC_SLOTS 64
/* When each (consumer, shard) last subscribed: the 5-second rule. */
#define KIN_RECENT_SUBS 256
typedef struct kin_sub_recent {
  int64_t ms;
  uint32_t shard;
  char consumer_arn[400];
} kin_sub_recent;

typedef struct kin_enc {
  uint64_t gen;
  int64_t checked_ms;
  bool kms;
} kin_enc;

struct kin_state {
  server_t *srv;
  stream_store *store;
  bool borrowed_store; /* server_config.store: not ours to close */
  core_clock *clock;
  core_arena *arena; /* per request */
  uint8_t key[32];   /* signs iterators and NextTokens */
  bool enforce;
  uint32_t shard_limit;
  kin_rate *rates;
  uint8_t *data; /* decoded record data of the current request */
  size_t data_cap;
  server_put_batch *put;    /* the PutRecords fast path's parsed request */
  stream_record_in *put_in; /* and its records for the store (SERVER_PUT_MAX_RECORDS) */
  int64_t last_expire_ms;
  srv_sub *subs; /* active subscriptions (doubly linked) */
  kin_enc enc[KIN_ENC_SLOTS];
  kin_sub_recent recent[KIN_RECENT_SUBS];
};

/* SubscribeToShard (subscribe.c). */
void kin_subscribe(server_t *s, const cJSON *root, srv_reply *rp);
/* Ends the subscriptions of a stream generation (0: all), or of a consumer. */
void kin_sub_cancel_stream(kin_state *k, uint64_t gen, uint32_t shard);
void kin_sub_cancel_consumer(kin_state *k, const char *consumer_arn);

/* `"ChildShards":[...]` of a shard read to its end; memory from a. */
void kin_child_shards_json(sbuf *b, stream_handle *h, uint32_t shard, core_arena *a);

/* Records as JSON, comma-separated (GetRecords, SubscribeToShardEvent). */
/* Records of an in-application stream (its schema attribute is set) rewritten in place as
 * the JSON objects of their rows, in memory from arena; other streams' records untouched. */
int kin_render_rows(core_arena *arena, stream_handle *h, stream_read_result *res);
void kin_records_json(sbuf *b, uint32_t shard, const stream_record *recs, size_t n, bool kms,
                      bool enc_type);

#endif

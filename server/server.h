/*
 * server.h — `sluice serve`: the Kinesis Data Streams API over the stream store.
 *
 * Purpose: one libev event loop that accepts TCP connections on one port and
 * speaks HTTP/1.1 (keep-alive, pipelining) and HTTP/2 cleartext with prior
 * knowledge (detected by the `PRI * HTTP/2.0` preface) on the same socket. Each
 * request is an AWS JSON 1.1 call routed on `X-Amz-Target:
 * Kinesis_20131202.<Action>`, validated as AWS does (spec kinesis-api.md
 * section 4) and executed against the store of stream/stream.h. The API reads
 * any store stream by name (in-application streams under their qualified
 * name are the engine's concern).
 *
 * Ownership: a server_t owns its loop, listening socket, connections and, when
 * it opened it, the store. server_free() releases everything.
 *
 * Threads: a server runs on the thread that calls server_run(); all request
 * handling happens on that thread. server_stop() may be called from any thread
 * (it wakes the loop through an ev_async) and from signal handlers installed by
 * server_cli_main().
 *
 * Errors: functions return an int rc from sluice.h and fill a core_error. API
 * errors travel to the client as `{"__type": ..., "message": ...}` bodies and
 * never end the server.
 *
 * The second half of this header exposes the pure pieces of the module (the
 * HTTP/1.1 parser, the h2c preface check, the event-stream encoder, shard
 * iterators, ARN parsing and request validation) so that tests/unit/server can
 * test them in isolation. They allocate nothing unless stated.
 */
#ifndef SLUICE_SERVER_H
#define SLUICE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* `sluice serve [--data DIR] [--listen HOST:PORT] [--fsync always|interval|never]
 * [--enforce-limits]`. argv[0] is "serve". Returns the process exit status. */
int server_cli_main(int argc, char **argv);

typedef enum server_fsync {
  SERVER_FSYNC_ALWAYS,
  SERVER_FSYNC_INTERVAL,
  SERVER_FSYNC_NEVER,
} server_fsync;

typedef struct server_config {
  const char *data_dir; /* default "./sluice-data" */
  const char *listen;   /* "HOST:PORT", default "127.0.0.1:4566"; port 0 picks one */
  server_fsync fsync;   /* default SERVER_FSYNC_INTERVAL */
  bool enforce_limits;  /* provisioned shard throughput limits */
  bool quiet;           /* no "listening" line on stdout */
  int64_t subscribe_ms; /* SubscribeToShard lifetime, default 300000 */
  int64_t heartbeat_ms; /* SubscribeToShard heartbeat, default 3000 */
  /* Borrowed: serve this open store (the engine's, say) instead of opening
   * data_dir; it must outlive the server. NULL: open data_dir. data_dir
   * still holds server.key, the key that signs shard iterators. */
  struct stream_store *store;
} server_config;

typedef struct server_t server_t;

/* Fills c with the defaults above. */
void server_config_init(server_config *c);

/* Opens the store and binds the listening socket (does not run the loop).
 * A busy port gives SLUICE_IO and the message
 * `cannot listen on HOST:PORT: address already in use`. */
int server_new(const server_config *c, server_t **out, core_error *err);

/* The port actually bound (useful with port 0). */
int server_port(const server_t *s);

/* Runs the loop until server_stop(); then stops accepting, finishes in-flight
 * requests (bounded by a few seconds) and returns SLUICE_OK. */
int server_run(server_t *s, core_error *err);

/* Asks the loop to shut down cleanly. Async-signal-safe; any thread. */
void server_stop(server_t *s);

/* Closes connections and the store. */
void server_free(server_t *s);

/* ------------------------------------------------ pieces exposed for tests -- */

/* One parsed HTTP/1.1 request; all pointers point into the parsed buffer. */
typedef struct server_http_req {
  const char *method;
  size_t method_len;
  const char *path;
  size_t path_len;
  int minor;          /* HTTP/1.<minor> */
  const char *target; /* X-Amz-Target value or NULL */
  size_t target_len;
  const char *content_type; /* Content-Type value or NULL */
  size_t content_type_len;
  bool has_auth;   /* an Authorization header is present */
  bool keep_alive; /* connection persists after this request */
  bool expect_continue;
  size_t content_length;
  const char *body;  /* content_length bytes */
  size_t header_len; /* request line and headers including the blank line */
  size_t total_len;  /* header_len + content_length */
} server_http_req;

enum {
  SERVER_HTTP_DONE = 0,       /* rq->total_len bytes form one request */
  SERVER_HTTP_INCOMPLETE = 1, /* read more */
  SERVER_HTTP_BAD = 2,        /* answer 400 and close */
  SERVER_HTTP_TOO_LARGE = 3,  /* answer 413 and close */
  SERVER_HTTP_CHUNKED = 4,    /* chunked request body: answer 411 and close */
};

/* Limits: request line + headers at most 64 KiB; bodies at most max_body. */
#define SERVER_HTTP_MAX_HEADER (64 * 1024)
#define SERVER_MAX_BODY (8 * 1024 * 1024)

/* Parses the request at the start of buf[0..n). With SERVER_HTTP_INCOMPLETE
 * and rq->header_len != 0 the headers are complete and only body bytes are
 * missing (rq->content_length tells how many in all). */
int server_http_parse(const char *buf, size_t n, size_t max_body, server_http_req *rq);

/* 1: buf starts with the HTTP/2 connection preface; 0: it cannot (HTTP/1.1);
 * -1: the n bytes are a proper prefix of the preface (read more). */
int server_h2_preface(const char *buf, size_t n);

/* CRC-32 (IEEE 802.3, as zlib's crc32) continuing from crc. */
uint32_t server_crc32(uint32_t crc, const void *data, size_t n);

/* An event-stream header with a string value (type 7). */
typedef struct server_evheader {
  const char *name;
  const char *value;
} server_evheader;

/* Encodes one application/vnd.amazon.eventstream message into out (size
 * bytes). Returns the message length, or 0 if it does not fit. */
size_t server_evstream_encode(const server_evheader *h, size_t nh, const void *payload,
                              size_t payload_len, uint8_t *out, size_t size);

/* What a shard iterator carries. name is NUL-terminated (1..128 bytes). */
typedef struct server_iter {
  char stream[129];
  uint64_t stream_gen; /* the stream's incarnation (a recreated stream differs) */
  uint32_t shard;      /* shard index */
  uint64_t position;   /* the store's position within the shard */
  int64_t issued_ms;   /* when the iterator was handed out */
} server_iter;

#define SERVER_ITER_MAX 512
#define SERVER_ITER_TTL_MS 300000

/* Encodes it into out (NUL-terminated, at most SERVER_ITER_MAX chars) signed
 * with the 32-byte key; returns the length. */
size_t server_iter_encode(const server_iter *it, const uint8_t key[32], char *out);

/* Decodes and checks an iterator. SLUICE_INVALID: not one of ours (malformed
 * or the signature does not match; message `Invalid ShardIterator.`);
 * SLUICE_EXPIRED: older than SERVER_ITER_TTL_MS at now_ms (message as
 * AWS's ExpiredIteratorException). The message goes into err. */
int server_iter_decode(const char *s, size_t n, const uint8_t key[32], int64_t now_ms,
                       server_iter *it, core_error *err);

/* `Thu Jan 22 01:22:02 UTC 2015` (as AWS prints iterator times); returns length. */
size_t server_amz_time(int64_t ms, char buf[32]);

/*
 * Stream ARN `arn:aws:kinesis:<region>:<12 digits>:stream/<name>` (any
 * partition starting with aws, any region): copies the name (at most 128
 * bytes, the stream-name pattern) into name. Consumer ARN
 * `...:stream/<name>/consumer/<consumer>:<digits>`: also the consumer name.
 * Return SLUICE_OK or SLUICE_INVALID.
 */
int server_parse_stream_arn(const char *s, size_t n, char name[129]);
int server_parse_consumer_arn(const char *s, size_t n, char stream[129], char consumer[129]);

/*
 * Validates the JSON body of a Kinesis action as AWS does, in AWS's order
 * (content type and target first, then JSON syntax, types, constraints). On
 * failure returns SLUICE_INVALID and writes the AWS error type (e.g.
 * "ValidationException", "SerializationException") into type and the message
 * into msg (both NUL-terminated); a message may be empty (the body then has
 * no message member). Unknown actions give "UnknownOperationException".
 */
int server_validate(const char *action, const char *body, size_t n, char type[64], char *msg,
                    size_t msg_size);

/*
 * The fast path of PutRecords (putparse.c). One record of a parsed request:
 * the partition key points into the body, the data into the caller's buffer.
 */
#define SERVER_PUT_MAX_RECORDS 500
#define SERVER_PUT_MAX_BYTES (5u * 1024 * 1024) /* data and partition keys of one PutRecords */
typedef struct server_put_record {
  const char *partition_key;
  uint32_t partition_key_len;
  bool has_explicit_hash;
  core_u128 explicit_hash;
  const uint8_t *data;
  uint32_t data_len;
} server_put_record;

typedef struct server_put_batch {
  const char *stream; /* StreamName, into the body */
  size_t stream_len;
  size_t n;
  server_put_record recs[SERVER_PUT_MAX_RECORDS];
} server_put_batch;

/* Bytes of data the parser may write for a body of n bytes. */
#define SERVER_PUT_DATA_BOUND(n) ((n) / 4 * 3 + 3)

/*
 * Parses a PutRecords body of n bytes in one pass, decoding each record's
 * data into data (SERVER_PUT_DATA_BOUND(n) bytes). true only for a request
 * that the general path (server_validate and the action's semantic checks:
 * ExplicitHashKey range, SERVER_PUT_MAX_BYTES) accepts as it stands, written
 * the plain way SDKs write it: StreamName and Records (Data, PartitionKey,
 * ExplicitHashKey) without escapes, nulls or other members. false: not
 * handled here (nothing is wrong with declining a valid request); the caller
 * then takes the general path, which gives every error its AWS text.
 */
bool server_put_records_parse(const char *body, size_t n, uint8_t *data, server_put_batch *out);

#endif /* SLUICE_SERVER_H */

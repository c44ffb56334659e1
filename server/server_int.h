/*
 * server_int.h — private to server/: the pieces shared by the files of the
 * module (growable buffers and the JSON writer, the transport-neutral request
 * and reply, the Kinesis dispatcher, subscriptions). Not included from
 * outside server/.
 */
#ifndef SLUICE_SERVER_INT_H
#define SLUICE_SERVER_INT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "server/server.h"

/* ---------------------------------------------------------------- buffers -- */

/* A growable byte buffer. Growth failure sets oom and drops further writes. */
typedef struct sbuf {
  char *p;
  size_t len, cap;
  bool oom;
} sbuf;

void sbuf_free(sbuf *b);
bool sbuf_reserve(sbuf *b, size_t extra);
void sbuf_put(sbuf *b, const void *s, size_t n);
static inline void sbuf_puts(sbuf *b, const char *s) {
  sbuf_put(b, s, strlen(s));
}
static inline void sbuf_putc(sbuf *b, char c) {
  if (b->len < b->cap || sbuf_reserve(b, 1)) b->p[b->len++] = c;
}
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* JSON output: a string (quoted, escaped), integers, epoch seconds with a
 * millisecond fraction (`1795316074.366`, `1795316065`), base64 of bytes. */
void json_str(sbuf *b, const char *s, size_t n);
void json_cstr(sbuf *b, const char *s);
void json_i64(sbuf *b, int64_t v);
void json_ts(sbuf *b, int64_t ms);
void json_b64(sbuf *b, const void *data, size_t n);
void json_u128(sbuf *b, core_u128 v);

/* The text of json_ts (NUL not written); returns its length. */
#define JSON_TS_TEXT 32
size_t json_ts_text(int64_t ms, char out[JSON_TS_TEXT]);
/* Standard base64 of n bytes into out (4 * ceil(n / 3) characters, no NUL),
 * as core_base64_encode but faster on long inputs; returns the length. */
size_t srv_b64_encode(const void *data, size_t n, char *out);

/* -------------------------------------------------------- requests/replies -- */

/* A request, whichever transport carried it. */
typedef struct srv_request {
  const char *method;
  size_t method_len;
  const char *target;
  size_t target_len;
  const char *content_type;
  size_t content_type_len;
  bool has_auth;
  const char *body;
  size_t body_len;
} srv_request;

typedef struct srv_sub srv_sub;

/* A reply: status, content type (NULL: none), body. sub is set when the reply
 * opens an event stream (SubscribeToShard); the transport then keeps the
 * response open and hands the subscription its sink. */
typedef struct srv_reply {
  int status;
  const char *content_type;
  sbuf body;
  srv_sub *sub;
} srv_reply;

#define SRV_JSON_TYPE "application/x-amz-json-1.1"
#define SRV_EVENTSTREAM_TYPE "application/vnd.amazon.eventstream"

/* Where a subscription's frames go: HTTP/1.1 chunks or an HTTP/2 stream. */
typedef struct srv_sink {
  void *ctx;
  /* Appends bytes of the response body; false if the peer is gone. */
  bool (*write)(void *ctx, const void *data, size_t n);
  /* Ends the response body. */
  void (*end)(void *ctx);
  /* Bytes queued and not yet sent (for backpressure). */
  size_t (*pending)(void *ctx);
} srv_sink;

/* ------------------------------------------------------------ the server -- */

typedef struct srv_conn srv_conn;
typedef struct kin_state kin_state;

struct server_t {
  server_config cfg;
  struct ev_loop *loop;
  ev_io accept_io;
  ev_async stop_async;
  ev_timer tick; /* once a second: retention, on-demand scaling, limits */
  ev_timer drain_timer;
  ev_timer accept_retry;
  int listen_fd;
  int port;
  bool stopping;
  srv_conn *conns; /* doubly linked */
  int nconns;
  kin_state *kin;
  uint64_t request_seq;
  char host[256];
  sbuf reply_buf; /* reused reply body between requests */
};

/* Handles one request; fills rp (status, type, body, maybe sub). */
void kin_handle(server_t *s, const srv_request *rq, srv_reply *rp);

/* Sets up and tears down the Kinesis state (store, iterator key...). */
int kin_open(server_t *s, core_error *err);
void kin_close(server_t *s);
/* Once a second from the loop. */
void kin_tick(server_t *s);

/* Starts a subscription after its reply headers went out. */
void srv_sub_start(srv_sub *sub, srv_sink sink);
/* The transport's peer went away (or the server stops): release it. */
void srv_sub_cancel(srv_sub *sub);
/* The sink drained; the subscription may produce more. */
void srv_sub_resume(srv_sub *sub);

/* Writes an error body `{"__type":..,"message":..}` (message NULL: none). */
void srv_error(srv_reply *rp, int status, const char *type, const char *msg);

/* HTTP/2 connection glue (h2.c). */
int srv_h2_start(srv_conn *c);
int srv_h2_feed(srv_conn *c, const char *data, size_t n);
/* Moves what nghttp2 has to send into c->out and writes it. */
void srv_h2_flush(srv_conn *c);
/* True while a stream is open (a request or an event stream in progress). */
bool srv_h2_busy(srv_conn *c);
bool srv_h2_want_write(srv_conn *c);
/* True while an event stream (SubscribeToShard) is open on the connection. */
bool srv_h2_streaming(srv_conn *c);
void srv_h2_free(srv_conn *c);

/* Ends every subscription (shutdown). */
void kin_sub_cancel_all(server_t *s);

/* Connection internals shared by loop.c and h2.c. */
struct srv_conn {
  server_t *srv;
  srv_conn *prev, *next;
  int fd;
  int proto; /* 0 undecided, 1 HTTP/1.1, 2 HTTP/2 */
  ev_io rio, wio;
  ev_timer timer; /* idle and stall timeouts */
  ev_timer kick;  /* deferred work: flushes, closing, ending a stream */
  ev_tstamp last_progress;
  char *rbuf;
  size_t rlen, rcap;
  sbuf out;
  size_t out_off; /* bytes of out already written */
  bool close_after_write;
  bool reading_paused;
  bool dead; /* closing: no more I/O, freed from the kick timer */
  bool sent_continue;
  srv_sub *sub;   /* HTTP/1.1: the subscription streaming on this connection */
  bool sub_ended; /* its response has ended */
  bool sub_close; /* close the connection after it */
  void *h2;       /* h2.c state */
};

/* Flushes c->out to the socket (arming the write watcher if needed). */
void srv_conn_flush(srv_conn *c);
/* Closes and frees c. */
void srv_conn_close(srv_conn *c);

/* Reply helpers shared by both transports. */
void srv_dispatch(server_t *s, const srv_request *rq, srv_reply *rp);
void srv_request_id(server_t *s, char out[40]);
/* `Sun, 22 Nov 2026 02:54:33 GMT` (cached per second). */
const char *srv_http_date(void);

#endif /* SLUICE_SERVER_INT_H */

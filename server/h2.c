/*
 * h2.c — HTTP/2 cleartext with prior knowledge (what the JS SDK v3 speaks even
 * to http:// endpoints), on nghttp2's server session in memory mode: bytes
 * read by loop.c go in with nghttp2_session_mem_recv(), frames to send come
 * out of nghttp2_session_mem_send() into the connection's output buffer.
 *
 * Each stream collects its headers and body; at END_STREAM the request goes
 * through the same dispatcher as HTTP/1.1. An ordinary reply is a buffer
 * served by a data provider; a SubscribeToShard reply keeps its stream open
 * and its data provider defers until the subscription queues frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "server/server_int.h"

#define H2_OUT_HIGH (4u << 20)

typedef struct h2_stream {
  int32_t id;
  struct h2_conn *hc;
  struct h2_stream *prev, *next;
  char method[16];
  char target[160];
  char ctype[160];
  bool has_target, has_ctype, has_auth;
  sbuf body;
  bool too_large;
  sbuf resp;
  size_t resp_off;
  bool resp_eof;
  bool deferred;
  srv_sub *sub;
} h2_stream;

typedef struct h2_conn {
  srv_conn *c;
  nghttp2_session *ng;
  h2_stream *streams;
  int open;
} h2_conn;

static void copy_value(char *dst, size_t size, const uint8_t *v, size_t n) {
  if (n >= size) n = size - 1;
  memcpy(dst, v, n);
  dst[n] = 0;
}

static ssize_t read_body(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                         nghttp2_data_source *src, void *user) {
  h2_stream *st = src->ptr;
  size_t avail = st->resp.len - st->resp_off;
  if (avail == 0) {
    if (st->resp_eof) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    st->deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  size_t n = avail < len ? avail : len;
  memcpy(buf, st->resp.p + st->resp_off, n);
  st->resp_off += n;
  if (st->resp_off == st->resp.len) {
    st->resp.len = st->resp_off = 0;
    if (st->resp_eof) *flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return (ssize_t)n;
}

static void kick(h2_conn *hc) {
  srv_conn *c = hc->c;
  if (!ev_is_active(&c->kick)) {
    ev_timer_set(&c->kick, 0., 0.);
    ev_timer_start(c->srv->loop, &c->kick);
  }
}

static bool sink_write(void *ctx, const void *data, size_t n) {
  h2_stream *st = ctx;
  if (!st->hc) return false;
  sbuf_put(&st->resp, data, n);
  if (st->deferred) {
    st->deferred = false;
    nghttp2_session_resume_data(st->hc->ng, st->id);
  }
  kick(st->hc);
  return !st->resp.oom;
}

static void sink_end(void *ctx) {
  h2_stream *st = ctx;
  if (!st->hc) return;
  st->resp_eof = true;
  if (st->deferred) {
    st->deferred = false;
    nghttp2_session_resume_data(st->hc->ng, st->id);
  }
  kick(st->hc);
}

static size_t sink_pending(void *ctx) {
  h2_stream *st = ctx;
  return st->resp.len - st->resp_off + (st->hc ? st->hc->c->out.len - st->hc->c->out_off : 0);
}

static void respond(h2_conn *hc, h2_stream *st, int status, const char *ctype) {
  char sbuf_status[8], clen[24], rid[40];
  snprintf(sbuf_status, sizeof sbuf_status, "%d", status);
  srv_request_id(hc->c->srv, rid);
  const char *date = srv_http_date();
  nghttp2_nv nv[5];
  size_t n = 0;
#define NV(k, v)                                                                                   \
  nv[n++] = (nghttp2_nv){(uint8_t *)(k), (uint8_t *)(v), strlen(k), strlen(v),                     \
                         NGHTTP2_NV_FLAG_NO_COPY_NAME}
  NV(":status", sbuf_status);
  NV("x-amzn-requestid", rid);
  if (ctype) NV("content-type", ctype);
  if (!st->sub) {
    snprintf(clen, sizeof clen, "%zu", st->resp.len);
    NV("content-length", clen);
  }
  NV("date", date);
#undef NV
  if (st->resp.len == 0 && !st->sub) {
    nghttp2_submit_response(hc->ng, st->id, nv, n, NULL);
    return;
  }
  nghttp2_data_provider dp = {.source.ptr = st, .read_callback = read_body};
  nghttp2_submit_response(hc->ng, st->id, nv, n, &dp);
}

static void handle(h2_conn *hc, h2_stream *st) {
  if (st->too_large) {
    st->resp_eof = true;
    respond(hc, st, 413, NULL);
    return;
  }
  srv_request rq = {.method = st->method,
                    .method_len = strlen(st->method),
                    .target = st->has_target ? st->target : NULL,
                    .target_len = strlen(st->target),
                    .content_type = st->has_ctype ? st->ctype : NULL,
                    .content_type_len = strlen(st->ctype),
                    .has_auth = st->has_auth,
                    .body = st->body.p,
                    .body_len = st->body.len};
  srv_reply rp = {0};
  srv_dispatch(hc->c->srv, &rq, &rp);
  sbuf_free(&st->body);
  st->resp = rp.body;
  st->resp_off = 0;
  if (rp.sub) {
    st->sub = rp.sub;
    respond(hc, st, rp.status, rp.content_type);
    srv_sink sink = {.ctx = st, .write = sink_write, .end = sink_end, .pending = sink_pending};
    srv_sub_start(rp.sub, sink);
  } else {
    st->resp_eof = true;
    respond(hc, st, rp.status, rp.content_type);
  }
}

static int on_begin_headers(nghttp2_session *ng, const nghttp2_frame *f, void *user) {
  h2_conn *hc = user;
  if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  h2_stream *st = calloc(1, sizeof *st);
  if (!st) return NGHTTP2_ERR_CALLBACK_FAILURE;
  st->id = f->hd.stream_id;
  st->hc = hc;
  st->next = hc->streams;
  if (hc->streams) hc->streams->prev = st;
  hc->streams = st;
  hc->open++;
  nghttp2_session_set_stream_user_data(ng, st->id, st);
  return 0;
}

static int on_header(nghttp2_session *ng, const nghttp2_frame *f, const uint8_t *name, size_t nl,
                     const uint8_t *value, size_t vl, uint8_t flags, void *user) {
  h2_stream *st = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
  if (!st) return 0;
  if (nl == 7 && memcmp(name, ":method", 7) == 0)
    copy_value(st->method, sizeof st->method, value, vl);
  else if (nl == 12 && memcmp(name, "x-amz-target", 12) == 0) {
    copy_value(st->target, sizeof st->target, value, vl);
    st->has_target = true;
  } else if (nl == 12 && memcmp(name, "content-type", 12) == 0) {
    copy_value(st->ctype, sizeof st->ctype, value, vl);
    st->has_ctype = true;
  } else if (nl == 13 && memcmp(name, "authorization", 13) == 0)
    st->has_auth = true;
  return 0;
}

static int on_data(nghttp2_session *ng, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                   void *user) {
  h2_stream *st = nghttp2_session_get_stream_user_data(ng, id);
  if (!st) return 0;
  if (st->body.len + len > SERVER_MAX_BODY) {
    st->too_large = true;
    sbuf_free(&st->body);
    return 0;
  }
  if (!st->too_large) sbuf_put(&st->body, data, len);
  return 0;
}

static int on_frame(nghttp2_session *ng, const nghttp2_frame *f, void *user) {
  h2_conn *hc = user;
  if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
      (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    h2_stream *st = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
    if (st) handle(hc, st);
  }
  return 0;
}

static void stream_free(h2_conn *hc, h2_stream *st) {
  if (st->prev)
    st->prev->next = st->next;
  else
    hc->streams = st->next;
  if (st->next) st->next->prev = st->prev;
  hc->open--;
  st->hc = NULL;
  if (st->sub) srv_sub_cancel(st->sub);
  sbuf_free(&st->body);
  sbuf_free(&st->resp);
  free(st);
}

static int on_close(nghttp2_session *ng, int32_t id, uint32_t code, void *user) {
  h2_conn *hc = user;
  h2_stream *st = nghttp2_session_get_stream_user_data(ng, id);
  if (st) {
    nghttp2_session_set_stream_user_data(ng, id, NULL);
    stream_free(hc, st);
  }
  return 0;
}

int srv_h2_start(srv_conn *c) {
  h2_conn *hc = calloc(1, sizeof *hc);
  if (!hc) return SLUICE_NOMEM;
  hc->c = c;
  nghttp2_session_callbacks *cb;
  if (nghttp2_session_callbacks_new(&cb) != 0) {
    free(hc);
    return SLUICE_NOMEM;
  }
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
  int rc = nghttp2_session_server_new(&hc->ng, cb, hc);
  nghttp2_session_callbacks_del(cb);
  if (rc != 0) {
    free(hc);
    return SLUICE_NOMEM;
  }
  nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 128},
                                 {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20}};
  nghttp2_submit_settings(hc->ng, NGHTTP2_FLAG_NONE, iv, 2);
  nghttp2_session_set_local_window_size(hc->ng, NGHTTP2_FLAG_NONE, 0, 16 << 20);
  c->h2 = hc;
  return SLUICE_OK;
}

int srv_h2_feed(srv_conn *c, const char *data, size_t n) {
  h2_conn *hc = c->h2;
  ssize_t r = nghttp2_session_mem_recv(hc->ng, (const uint8_t *)data, n);
  return r < 0 ? SLUICE_INVALID : SLUICE_OK;
}

void srv_h2_flush(srv_conn *c) {
  h2_conn *hc = c->h2;
  if (!hc || c->dead) return;
  while (c->out.len - c->out_off < H2_OUT_HIGH) {
    const uint8_t *p;
    ssize_t n = nghttp2_session_mem_send(hc->ng, &p);
    if (n < 0) {
      c->close_after_write = true;
      break;
    }
    if (n == 0) break;
    sbuf_put(&c->out, p, (size_t)n);
  }
  if (!nghttp2_session_want_read(hc->ng) && !nghttp2_session_want_write(hc->ng))
    c->close_after_write = true;
  if (c->srv->stopping && hc->open == 0) c->close_after_write = true;
  srv_conn_flush(c);
}

bool srv_h2_want_write(srv_conn *c) {
  h2_conn *hc = c->h2;
  return hc && nghttp2_session_want_write(hc->ng);
}

bool srv_h2_busy(srv_conn *c) {
  h2_conn *hc = c->h2;
  return hc && hc->open > 0;
}

bool srv_h2_streaming(srv_conn *c) {
  h2_conn *hc = c->h2;
  for (h2_stream *st = hc ? hc->streams : NULL; st; st = st->next)
    if (st->sub) return true;
  return false;
}

void srv_h2_free(srv_conn *c) {
  h2_conn *hc = c->h2;
  if (!hc) return;
  while (hc->streams) stream_free(hc, hc->streams);
  nghttp2_session_del(hc->ng);
  free(hc);
  c->h2 = NULL;
}

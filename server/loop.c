/*
 * loop.c — the event loop: the listening socket, connections, HTTP/1.1
 * (keep-alive, pipelining, chunked event streams), protocol detection (the
 * HTTP/2 preface hands a connection to h2.c), timeouts, bounded buffers and
 * the clean shutdown.
 *
 * One libev loop on one thread does all socket I/O and runs every request to
 * completion (the store's calls are short: a write() per shard batch and,
 * with --fsync always, an fsync). Buffers are bounded: a request may not
 * exceed SERVER_MAX_BODY, and a connection whose unsent output passes
 * OUT_HIGH stops being read until it drains, so a slow reader cannot make
 * the server buffer without limit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "server/server_int.h"

#define READ_CHUNK 65536
#define DIRECT_WRITE_MIN 16384 /* bodies from this size are written without a copy */
#define REPLY_KEEP (32u << 20) /* the reply buffer is kept up to this size (10 MiB pages) */
#define OUT_HIGH (8u << 20)
#define IDLE_TIMEOUT 120.0 /* keep-alive connection without a request */
#define STALL_TIMEOUT 30.0 /* a request or a response that makes no progress */
#define DRAIN_SECONDS 5.0  /* shutdown: time given to in-flight requests */

static void conn_process(srv_conn *c);

/* -------------------------------------------------------- small helpers -- */

void srv_request_id(server_t *s, char out[40]) {
  uint64_t n = ++s->request_seq;
  snprintf(out, 40, "%08x-%04x-11f1-a289-%012llx", (unsigned)(n * 2654435761u),
           (unsigned)(n >> 32) & 0xffff, (unsigned long long)(n & 0xffffffffffffull));
}

const char *srv_http_date(void) {
  static __thread time_t cached;
  static __thread char buf[40];
  time_t now = time(NULL);
  if (now != cached) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = now;
  }
  return buf;
}

static const char *reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Request Entity Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Unknown";
}

void srv_dispatch(server_t *s, const srv_request *rq, srv_reply *rp) {
  kin_handle(s, rq, rp);
}

/* ---------------------------------------------------------- connections -- */

static void kick_soon(srv_conn *c);

static void conn_kill(srv_conn *c) {
  if (c->dead) return;
  c->dead = true;
  ev_io_stop(c->srv->loop, &c->rio);
  ev_io_stop(c->srv->loop, &c->wio);
  kick_soon(c);
}

void srv_conn_close(srv_conn *c) {
  server_t *s = c->srv;
  struct ev_loop *loop = s->loop;
  ev_io_stop(loop, &c->rio);
  ev_io_stop(loop, &c->wio);
  ev_timer_stop(loop, &c->timer);
  ev_timer_stop(loop, &c->kick);
  if (c->sub) srv_sub_cancel(c->sub);
  c->sub = NULL;
  if (c->h2) srv_h2_free(c);
  close(c->fd);
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  s->nconns--;
  free(c->rbuf);
  sbuf_free(&c->out);
  free(c);
  if (s->stopping && s->nconns == 0) ev_break(loop, EVBREAK_ALL);
}

static size_t out_pending(const srv_conn *c) {
  return c->out.len - c->out_off;
}

void srv_conn_flush(srv_conn *c) {
  if (c->dead) return;
  size_t before = out_pending(c);
  while (c->out_off < c->out.len) {
    ssize_t n = write(c->fd, c->out.p + c->out_off, c->out.len - c->out_off);
    if (n > 0) {
      c->out_off += (size_t)n;
      c->last_progress = ev_now(c->srv->loop);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      ev_io_start(c->srv->loop, &c->wio);
      return;
    }
    conn_kill(c);
    return;
  }
  c->out.len = c->out_off = 0;
  ev_io_stop(c->srv->loop, &c->wio);
  if (c->out.oom) {
    conn_kill(c);
    return;
  }
  if (c->close_after_write) {
    conn_kill(c);
    return;
  }
  if (c->reading_paused) {
    c->reading_paused = false;
    ev_io_start(c->srv->loop, &c->rio);
    kick_soon(c); /* parse what is already buffered */
  }
  if ((c->sub && before >= (1u << 20)) || (c->h2 && srv_h2_want_write(c))) kick_soon(c);
}

static void on_write(struct ev_loop *loop, ev_io *w, int revents) {
  srv_conn *c = w->data;
  srv_conn_flush(c);
}

/* --------------------------------------------------------- HTTP/1.1 out -- */

static void write_head(srv_conn *c, int status, const char *ctype, size_t len, bool chunked,
                       bool close) {
  char rid[40];
  srv_request_id(c->srv, rid);
  sbuf *o = &c->out;
  sbuf_printf(o, "HTTP/1.1 %d %s\r\nx-amzn-RequestId: %s\r\n", status, reason(status), rid);
  if (ctype) sbuf_printf(o, "Content-Type: %s\r\n", ctype);
  if (chunked)
    sbuf_puts(o, "Transfer-Encoding: chunked\r\n");
  else
    sbuf_printf(o, "Content-Length: %zu\r\n", len);
  sbuf_printf(o, "Date: %s\r\n", srv_http_date());
  if (close) sbuf_puts(o, "Connection: close\r\n");
  sbuf_puts(o, "\r\n");
}

static void simple_reply(srv_conn *c, int status, const char *ctype, const char *body, bool close) {
  size_t n = body ? strlen(body) : 0;
  write_head(c, status, ctype, n, false, close);
  sbuf_put(&c->out, body, n);
  if (close) c->close_after_write = true;
}

/* The HTTP/1.1 sink of a subscription: chunks on the connection. */
static bool h1_sink_write(void *ctx, const void *data, size_t n) {
  srv_conn *c = ctx;
  if (c->dead) return false;
  sbuf_printf(&c->out, "%zx\r\n", n);
  sbuf_put(&c->out, data, n);
  sbuf_put(&c->out, "\r\n", 2);
  kick_soon(c);
  return !c->out.oom;
}

static void h1_sink_end(void *ctx) {
  srv_conn *c = ctx;
  if (c->dead) return;
  sbuf_puts(&c->out, "0\r\n\r\n");
  c->sub_ended = true;
  kick_soon(c);
}

static size_t h1_sink_pending(void *ctx) {
  return out_pending(ctx);
}

/* Queues a response body after what c->out holds. A big body (a GetRecords
 * page runs to megabytes) goes to the socket straight from the reply buffer
 * together with what is queued, in one writev(); only what the socket does
 * not take is copied into c->out. */
static void send_body(srv_conn *c, const char *body, size_t n) {
  if (n < DIRECT_WRITE_MIN || c->dead) {
    sbuf_put(&c->out, body, n);
    return;
  }
  size_t queued = out_pending(c);
  struct iovec iov[2] = {{c->out.p + c->out_off, queued}, {(void *)body, n}};
  ssize_t w;
  do {
    w = writev(c->fd, iov, 2);
  } while (w < 0 && errno == EINTR);
  if (w <= 0) { /* EAGAIN, or an error that the next flush reports */
    sbuf_put(&c->out, body, n);
    return;
  }
  c->last_progress = ev_now(c->srv->loop);
  size_t sent = (size_t)w;
  if (sent < queued) {
    c->out_off += sent;
    sbuf_put(&c->out, body, n);
    return;
  }
  sent -= queued;
  c->out.len = c->out_off = 0;
  sbuf_put(&c->out, body + sent, n - sent);
}

/* ---------------------------------------------------------- HTTP/1.1 in -- */

static void handle_h1(srv_conn *c, const server_http_req *hr) {
  srv_request rq = {.method = hr->method,
                    .method_len = hr->method_len,
                    .target = hr->target,
                    .target_len = hr->target_len,
                    .content_type = hr->content_type,
                    .content_type_len = hr->content_type_len,
                    .has_auth = hr->has_auth,
                    .body = hr->body,
                    .body_len = hr->content_length};
  srv_reply rp = {0};
  rp.body = c->srv->reply_buf;
  rp.body.len = 0;
  srv_dispatch(c->srv, &rq, &rp);
  bool close = !hr->keep_alive || c->srv->stopping;
  if (rp.sub) {
    write_head(c, rp.status, rp.content_type, 0, true, close);
    if (close) c->close_after_write = false; /* closes once the stream ends */
    c->sub = rp.sub;
    c->sub_close = close;
    srv_sink sink = {
        .ctx = c, .write = h1_sink_write, .end = h1_sink_end, .pending = h1_sink_pending};
    srv_sub_start(rp.sub, sink);
  } else {
    write_head(c, rp.status, rp.content_type, rp.body.len, false, close);
    send_body(c, rp.body.p, rp.body.len);
    if (close) c->close_after_write = true;
  }
  c->srv->reply_buf = rp.body; /* keep the grown buffer for the next reply */
  if (c->srv->reply_buf.cap > REPLY_KEEP) sbuf_free(&c->srv->reply_buf);
}

/* Parses and answers every complete request in the buffer (pipelining). */
static void process_h1(srv_conn *c) {
  size_t off = 0;
  while (!c->dead && !c->sub && !c->close_after_write && off < c->rlen) {
    if (out_pending(c) > OUT_HIGH) {
      c->reading_paused = true;
      ev_io_stop(c->srv->loop, &c->rio);
      break;
    }
    server_http_req hr;
    int rc = server_http_parse(c->rbuf + off, c->rlen - off, SERVER_MAX_BODY, &hr);
    if (rc == SERVER_HTTP_INCOMPLETE) {
      if (hr.header_len && hr.expect_continue && !c->sent_continue) {
        sbuf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
        c->sent_continue = true;
      }
      break;
    }
    if (rc == SERVER_HTTP_BAD) {
      simple_reply(c, 400, NULL, NULL, true);
      break;
    }
    if (rc == SERVER_HTTP_TOO_LARGE) {
      simple_reply(c, 413, NULL, NULL, true);
      break;
    }
    if (rc == SERVER_HTTP_CHUNKED) {
      simple_reply(c, 411, NULL, NULL, true);
      break;
    }
    c->sent_continue = false;
    handle_h1(c, &hr);
    off += hr.total_len;
  }
  if (off) {
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
  }
  srv_conn_flush(c);
}

static void conn_process(srv_conn *c) {
  if (c->dead) return;
  if (c->proto == 0) {
    int p = server_h2_preface(c->rbuf, c->rlen);
    if (p < 0) return;
    c->proto = p ? 2 : 1;
    if (c->proto == 2 && srv_h2_start(c) != SLUICE_OK) {
      conn_kill(c);
      return;
    }
  }
  if (c->proto == 1) {
    process_h1(c);
    return;
  }
  size_t n = c->rlen;
  c->rlen = 0;
  if (n && srv_h2_feed(c, c->rbuf, n) != SLUICE_OK) {
    conn_kill(c);
    return;
  }
  srv_h2_flush(c);
}

static void on_read(struct ev_loop *loop, ev_io *w, int revents) {
  srv_conn *c = w->data;
  for (int i = 0; i < 16; i++) {
    size_t limit = SERVER_MAX_BODY + SERVER_HTTP_MAX_HEADER + READ_CHUNK;
    if (c->rcap - c->rlen < READ_CHUNK) {
      size_t cap = c->rcap ? c->rcap * 2 : READ_CHUNK * 2;
      if (cap > limit) cap = limit;
      if (cap <= c->rcap) {
        /* a buffered request bigger than any allowed: parsing has answered 413 */
        c->reading_paused = true;
        ev_io_stop(loop, &c->rio);
        break;
      }
      char *p = realloc(c->rbuf, cap);
      if (!p) {
        conn_kill(c);
        return;
      }
      c->rbuf = p;
      c->rcap = cap;
    }
    ssize_t n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
    if (n > 0) {
      c->rlen += (size_t)n;
      c->last_progress = ev_now(loop);
      if (c->sub && c->proto == 1) c->rlen = 0; /* nothing is read while streaming */
      if ((size_t)n < READ_CHUNK) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n == 0 && c->proto == 1 && !c->sub && c->rlen) {
      /* the peer closed its side after sending: answer what is complete, then close */
      ev_io_stop(loop, &c->rio);
      process_h1(c);
      if (!c->dead) {
        c->close_after_write = true;
        srv_conn_flush(c);
      }
      return;
    }
    /* EOF or error: the peer is gone (answers not yet written are dropped) */
    srv_conn_close(c);
    return;
  }
  conn_process(c);
}

static void on_kick(struct ev_loop *loop, ev_timer *w, int revents) {
  srv_conn *c = w->data;
  if (c->dead) {
    srv_conn_close(c);
    return;
  }
  if (c->sub && c->sub_ended) {
    srv_sub *sub = c->sub;
    c->sub = NULL;
    c->sub_ended = false;
    srv_sub_cancel(sub);
    if (c->sub_close || c->srv->stopping) c->close_after_write = true;
    if (out_pending(c) == 0 && c->close_after_write) {
      conn_kill(c);
      return;
    }
    srv_conn_flush(c);
    if (!c->dead && c->proto == 1 && c->rlen) process_h1(c);
    return;
  }
  if (c->proto == 2) {
    srv_h2_flush(c);
    return;
  }
  if (c->sub && out_pending(c) < (1u << 20)) srv_sub_resume(c->sub);
  srv_conn_flush(c);
  if (!c->dead && !c->sub && c->proto == 1 && c->rlen && !c->reading_paused) process_h1(c);
}

static void kick_soon(srv_conn *c) {
  if (!ev_is_active(&c->kick)) {
    ev_timer_set(&c->kick, 0., 0.);
    ev_timer_start(c->srv->loop, &c->kick);
  }
}

static bool conn_idle(const srv_conn *c) {
  return c->rlen == 0 && out_pending(c) == 0 && !c->sub && !(c->h2 && srv_h2_busy((srv_conn *)c));
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents) {
  srv_conn *c = w->data;
  ev_tstamp now = ev_now(loop);
  /* an open event stream waiting for records is alive; anything else that
   * makes no progress (a slow upload, an unread response) is stalled */
  bool streaming = c->sub || (c->h2 && srv_h2_streaming(c));
  if (conn_idle(c)) {
    if (now - c->last_progress > IDLE_TIMEOUT || c->srv->stopping) {
      srv_conn_close(c);
      return;
    }
  } else if (!streaming || out_pending(c) > 0) {
    if (now - c->last_progress > STALL_TIMEOUT) {
      srv_conn_close(c);
      return;
    }
  } else {
    c->last_progress = now;
  }
  ev_timer_again(loop, w);
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents) {
  server_t *s = w->data;
  for (int i = 0; i < 64; i++) {
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        /* out of descriptors: pause accepting for a moment */
        ev_io_stop(loop, &s->accept_io);
        ev_timer_set(&s->accept_retry, 0.1, 0.);
        ev_timer_start(loop, &s->accept_retry);
      }
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    srv_conn *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->srv = s;
    c->fd = fd;
    c->last_progress = ev_now(loop);
    ev_io_init(&c->rio, on_read, fd, EV_READ);
    ev_io_init(&c->wio, on_write, fd, EV_WRITE);
    c->rio.data = c->wio.data = c;
    ev_init(&c->timer, on_timer);
    c->timer.repeat = 5.0;
    c->timer.data = c;
    ev_init(&c->kick, on_kick);
    c->kick.data = c;
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    ev_io_start(loop, &c->rio);
    ev_timer_again(loop, &c->timer);
  }
}

static void on_accept_retry(struct ev_loop *loop, ev_timer *w, int revents) {
  server_t *s = w->data;
  if (!s->stopping) ev_io_start(loop, &s->accept_io);
}

/* -------------------------------------------------------------- server -- */

void server_config_init(server_config *c) {
  memset(c, 0, sizeof *c);
  c->data_dir = "./sluice-data";
  c->listen = "127.0.0.1:4566";
  c->fsync = SERVER_FSYNC_INTERVAL;
  c->subscribe_ms = 300000;
  c->heartbeat_ms = 3000;
}

static void raise_nofile(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static int open_listener(server_t *s, core_error *err) {
  const char *l = s->cfg.listen;
  const char *colon = strrchr(l, ':');
  if (!colon || colon == l || !colon[1])
    return core_error_set(err, SLUICE_INVALID, "cannot listen on %s: expected HOST:PORT", l);
  char host[256];
  size_t hl = (size_t)(colon - l);
  if (hl >= sizeof host) hl = sizeof host - 1;
  memcpy(host, l, hl);
  host[hl] = 0;
  char *h = host;
  if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
    h[hl - 1] = 0;
    h++;
  }
  struct addrinfo hints = {
      .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
  struct addrinfo *ai = NULL;
  int g = getaddrinfo(h, colon + 1, &hints, &ai);
  if (g != 0)
    return core_error_set(err, SLUICE_INVALID, "cannot listen on %s: %s", l, gai_strerror(g));
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(ai);
    return core_error_set(err, SLUICE_IO, "cannot listen on %s: %s", l, strerror(errno));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
    int en = errno;
    close(fd);
    freeaddrinfo(ai);
    return core_error_set(err, SLUICE_IO, "cannot listen on %s: %s", l,
                          en == EADDRINUSE ? "address already in use" : strerror(en));
  }
  freeaddrinfo(ai);
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &sl);
  s->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                     : ntohs(((struct sockaddr_in *)&ss)->sin_port);
  snprintf(s->host, sizeof s->host, "%s", h);
  s->listen_fd = fd;
  return SLUICE_OK;
}

static void begin_shutdown(server_t *s) {
  if (s->stopping) return;
  s->stopping = true;
  ev_io_stop(s->loop, &s->accept_io);
  ev_timer_stop(s->loop, &s->accept_retry);
  if (s->listen_fd >= 0) close(s->listen_fd);
  s->listen_fd = -1;
  kin_sub_cancel_all(s);
  srv_conn *next;
  for (srv_conn *c = s->conns; c; c = next) {
    next = c->next;
    if (conn_idle(c))
      srv_conn_close(c);
    else if (c->proto == 1 && !c->sub)
      c->close_after_write = true;
  }
  if (s->nconns == 0) {
    ev_break(s->loop, EVBREAK_ALL);
    return;
  }
  ev_timer_set(&s->drain_timer, DRAIN_SECONDS, 0.);
  ev_timer_start(s->loop, &s->drain_timer);
}

static void on_stop(struct ev_loop *loop, ev_async *w, int revents) {
  begin_shutdown(w->data);
}

static void on_drain(struct ev_loop *loop, ev_timer *w, int revents) {
  ev_break(loop, EVBREAK_ALL);
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents) {
  kin_tick(w->data);
}

int server_new(const server_config *cfg, server_t **out, core_error *err) {
  *out = NULL;
  server_t *s = calloc(1, sizeof *s);
  if (!s) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  s->cfg = *cfg;
  s->listen_fd = -1;
  signal(SIGPIPE, SIG_IGN);
  raise_nofile();
  int rc = open_listener(s, err);
  if (rc == SLUICE_OK) rc = kin_open(s, err);
  if (rc != SLUICE_OK) {
    server_free(s);
    return rc;
  }
  s->loop = ev_loop_new(EVFLAG_AUTO);
  if (!s->loop) {
    server_free(s);
    return core_error_set(err, SLUICE_ERROR, "cannot create the event loop");
  }
  ev_io_init(&s->accept_io, on_accept, s->listen_fd, EV_READ);
  s->accept_io.data = s;
  ev_init(&s->accept_retry, on_accept_retry);
  s->accept_retry.data = s;
  ev_async_init(&s->stop_async, on_stop);
  s->stop_async.data = s;
  ev_timer_init(&s->tick, on_tick, 1.0, 1.0);
  s->tick.data = s;
  ev_init(&s->drain_timer, on_drain);
  s->drain_timer.data = s;
  ev_io_start(s->loop, &s->accept_io);
  ev_async_start(s->loop, &s->stop_async);
  ev_timer_start(s->loop, &s->tick);
  *out = s;
  return SLUICE_OK;
}

int server_port(const server_t *s) {
  return s->port;
}

int server_run(server_t *s, core_error *err) {
  if (!s->cfg.quiet) {
    if (strchr(s->host, ':'))
      printf("sluice: listening on [%s]:%d\n", s->host, s->port);
    else
      printf("sluice: listening on %s:%d\n", s->host, s->port);
    fflush(stdout);
  }
  ev_run(s->loop, 0);
  return SLUICE_OK;
}

void server_stop(server_t *s) {
  if (s && s->loop) ev_async_send(s->loop, &s->stop_async);
}

void server_free(server_t *s) {
  if (!s) return;
  while (s->conns) srv_conn_close(s->conns);
  if (s->listen_fd >= 0) close(s->listen_fd);
  kin_close(s);
  if (s->loop) ev_loop_destroy(s->loop);
  sbuf_free(&s->reply_buf);
  free(s);
}

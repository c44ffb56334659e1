/*
 * subscribe.c — SubscribeToShard: an application/vnd.amazon.eventstream
 * response that starts with an `initial-response` event and then carries one
 * `SubscribeToShardEvent` per batch of new records, or per heartbeat when
 * nothing arrives, until the subscription's lifetime (5 minutes) ends.
 *
 * New records are noticed through the store's notification callback
 * (stream_subscribe), which runs on the appending thread and only wakes this
 * subscription's ev_async; reading happens on the loop thread. No polling.
 *
 * Lifetime: kin_subscribe() creates the subscription and hands it to the
 * transport in the reply; the transport calls srv_sub_start() once the
 * response headers are queued, and srv_sub_cancel() exactly once when it is
 * done with it (peer gone, response ended, server stopping). Only
 * srv_sub_cancel() frees. Sinks never call back into the subscription
 * synchronously.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/kinesis_int.h"

#define SUB_READ_BYTES (1u << 20)
#define SUB_READ_RECORDS 10000
#define SUB_MAX_PENDING (4u << 20)
#define SUB_TAKEOVER_MS 5000

struct srv_sub {
  server_t *srv;
  kin_state *k;
  srv_sub *prev, *next;
  stream_handle *h;
  uint64_t notify_id;
  bool notifying;
  ev_async wake;
  ev_timer heartbeat;
  ev_timer lifetime;
  char stream[129];
  char consumer_arn[400];
  uint32_t shard;
  stream_pos pos;
  int64_t created_ms;
  int64_t last_event_ms;
  srv_sink sink;
  bool started, ended;
  bool kms;
  core_arena *arena;
  sbuf payload;
  uint8_t *frame;
  size_t frame_cap;
};

static void sub_unlink(srv_sub *sub) {
  kin_state *k = sub->k;
  if (sub->prev)
    sub->prev->next = sub->next;
  else if (k->subs == sub)
    k->subs = sub->next;
  if (sub->next) sub->next->prev = sub->prev;
  sub->prev = sub->next = NULL;
}

static bool emit(srv_sub *sub, const server_evheader *hd, size_t nh, const sbuf *payload) {
  size_t need = payload->len + 256;
  if (need > sub->frame_cap) {
    uint8_t *p = realloc(sub->frame, need);
    if (!p) return false;
    sub->frame = p;
    sub->frame_cap = need;
  }
  size_t n = server_evstream_encode(hd, nh, payload->p ? payload->p : "", payload->len, sub->frame,
                                    sub->frame_cap);
  if (!n) return false;
  sub->last_event_ms = core_wall_ms();
  return sub->sink.write(sub->sink.ctx, sub->frame, n);
}

static bool emit_event(srv_sub *sub, const char *event_type, const sbuf *payload) {
  server_evheader hd[3] = {{":message-type", "event"},
                           {":event-type", event_type},
                           {":content-type", "application/json"}};
  return emit(sub, hd, 3, payload);
}

/* Stops producing: timers, notifications; the response ends. */
static void sub_finish(srv_sub *sub) {
  if (sub->ended) return;
  sub->ended = true;
  struct ev_loop *loop = sub->srv->loop;
  /* first: no notification callback is running or will run after this */
  if (sub->notifying) {
    stream_unsubscribe(sub->h, sub->notify_id);
    sub->notifying = false;
  }
  ev_timer_stop(loop, &sub->heartbeat);
  ev_timer_stop(loop, &sub->lifetime);
  ev_async_stop(loop, &sub->wake);
  if (sub->started) sub->sink.end(sub->sink.ctx);
}

/* Reads what is new and sends it; with force, sends an event even if empty. */
static void pump(srv_sub *sub, bool force) {
  if (!sub->started || sub->ended) return;
  for (int round = 0; round < 64; round++) {
    if (sub->sink.pending(sub->sink.ctx) > SUB_MAX_PENDING) return; /* resumes on drain */
    core_arena_reset(sub->arena);
    stream_read_result res;
    memset(&res, 0, sizeof res);
    core_error e;
    core_error_clear(&e);
    int rc = stream_read(sub->h, &sub->pos, SUB_READ_RECORDS, SUB_READ_BYTES, sub->arena, &res, &e);
    if (rc != SLUICE_OK) {
      sbuf *b = &sub->payload;
      b->len = 0;
      sbuf_puts(b, "{\"message\":");
      char msg[300], sidt[STREAM_SHARD_ID_TEXT];
      stream_shard_id_format(sub->shard, sidt);
      snprintf(msg, sizeof msg, "Shard %s in stream %s under account 000000000000 does not exist",
               sidt, sub->stream);
      json_cstr(b, msg);
      sbuf_putc(b, '}');
      server_evheader hd[3] = {{":message-type", "exception"},
                               {":exception-type", "ResourceNotFoundException"},
                               {":content-type", "application/json"}};
      emit(sub, hd, 3, b);
      sub_finish(sub);
      return;
    }
    if (res.n == 0 && !res.shard_end && !force) return;
    if (res.n && kin_render_rows(sub->arena, sub->h, &res) != SLUICE_OK) {
      /* rows that cannot be rendered end the subscription; nothing is skipped */
      sbuf *b = &sub->payload;
      b->len = 0;
      sbuf_puts(b, "{\"message\":\"cannot render the stream's rows\"}");
      server_evheader hd[3] = {{":message-type", "exception"},
                               {":exception-type", "InternalFailureException"},
                               {":content-type", "application/json"}};
      emit(sub, hd, 3, b);
      sub_finish(sub);
      return;
    }
    sbuf *b = &sub->payload;
    b->len = 0;
    sbuf_puts(b, "{\"Records\":[");
    kin_records_json(b, sub->shard, res.records, res.n, sub->kms, true);
    sbuf_puts(b, "],\"ContinuationSequenceNumber\":");
    char seq[STREAM_SEQ_TEXT];
    stream_seq_format(sub->shard, res.next.pos ? res.next.pos - 1 : 0, seq);
    json_cstr(b, seq);
    sbuf_puts(b, ",\"MillisBehindLatest\":");
    json_i64(b, res.millis_behind < 0 ? 0 : res.millis_behind);
    if (res.shard_end) {
      sbuf_putc(b, ',');
      kin_child_shards_json(b, sub->h, sub->shard, sub->arena);
    }
    sbuf_putc(b, '}');
    sub->pos = res.next;
    if (b->oom || !emit_event(sub, "SubscribeToShardEvent", b) || res.shard_end) {
      sub_finish(sub);
      return;
    }
    force = false;
    if (res.n == 0) return;
  }
}

static void on_wake(struct ev_loop *loop, ev_async *w, int revents) {
  srv_sub *sub = w->data;
  pump(sub, false);
}

static void on_heartbeat(struct ev_loop *loop, ev_timer *w, int revents) {
  srv_sub *sub = w->data;
  if (core_wall_ms() - sub->last_event_ms >= (int64_t)(sub->srv->cfg.heartbeat_ms * 9 / 10))
    pump(sub, true);
}

static void on_lifetime(struct ev_loop *loop, ev_timer *w, int revents) {
  sub_finish(w->data);
}

/* Runs on the appending thread: only wake the loop. */
static void on_notify(void *arg, stream_handle *h, uint32_t shard) {
  srv_sub *sub = arg;
  if (shard == sub->shard || shard == UINT32_MAX) ev_async_send(sub->srv->loop, &sub->wake);
}

void srv_sub_start(srv_sub *sub, srv_sink sink) {
  sub->sink = sink;
  sub->started = true;
  struct ev_loop *loop = sub->srv->loop;
  ev_async_init(&sub->wake, on_wake);
  sub->wake.data = sub;
  ev_async_start(loop, &sub->wake);
  double hb = (double)sub->srv->cfg.heartbeat_ms / 1000.0;
  ev_timer_init(&sub->heartbeat, on_heartbeat, hb, hb);
  sub->heartbeat.data = sub;
  ev_timer_start(loop, &sub->heartbeat);
  ev_timer_init(&sub->lifetime, on_lifetime, (double)sub->srv->cfg.subscribe_ms / 1000.0, 0);
  sub->lifetime.data = sub;
  ev_timer_start(loop, &sub->lifetime);
  if (stream_subscribe(sub->h, on_notify, sub, &sub->notify_id, NULL) == SLUICE_OK)
    sub->notifying = true;
  sbuf empty = {0};
  sbuf_puts(&empty, "{}");
  bool ok = emit_event(sub, "initial-response", &empty);
  sbuf_free(&empty);
  if (!ok) {
    sub_finish(sub);
    return;
  }
  pump(sub, true);
}

void srv_sub_resume(srv_sub *sub) {
  pump(sub, false);
}

void srv_sub_cancel(srv_sub *sub) {
  if (!sub) return;
  sub->started = false; /* the sink is gone: do not end it */
  sub_finish(sub);
  sub_unlink(sub);
  stream_release(sub->h);
  core_arena_free(sub->arena);
  sbuf_free(&sub->payload);
  free(sub->frame);
  free(sub);
}

/* Ends (without freeing) subscriptions of one stream generation (0: all). */
void kin_sub_cancel_stream(kin_state *k, uint64_t gen, uint32_t shard) {
  for (srv_sub *s = k->subs; s; s = s->next)
    if (gen == 0 || s->pos.generation == gen) sub_finish(s);
}

void kin_sub_cancel_all(server_t *s) {
  if (s->kin) kin_sub_cancel_stream(s->kin, 0, UINT32_MAX);
}

static void takeover(srv_sub *old) {
  sbuf b = {0};
  char msg[600];
  snprintf(msg, sizeof msg,
           "Another active subscription exists for consumer %s on shard shardId-%012u.",
           old->consumer_arn, old->shard);
  sbuf_puts(&b, "{\"message\":");
  json_cstr(&b, msg);
  sbuf_putc(&b, '}');
  server_evheader hd[3] = {{":message-type", "exception"},
                           {":exception-type", "ResourceInUseException"},
                           {":content-type", "application/json"}};
  if (old->started && !old->ended) emit(old, hd, 3, &b);
  sbuf_free(&b);
  sub_finish(old);
}

void kin_sub_cancel_consumer(kin_state *k, const char *consumer_arn) {
  for (srv_sub *s = k->subs; s; s = s->next)
    if (strcmp(s->consumer_arn, consumer_arn) == 0) sub_finish(s);
}

void kin_subscribe(server_t *s, const cJSON *root, srv_reply *rp) {
  kin_state *k = s->kin;
  const char *carn = cJSON_GetObjectItemCaseSensitive(root, "ConsumerARN")->valuestring;
  const char *sid = cJSON_GetObjectItemCaseSensitive(root, "ShardId")->valuestring;
  const cJSON *sp = cJSON_GetObjectItemCaseSensitive(root, "StartingPosition");
  const char *type = cJSON_GetObjectItemCaseSensitive(sp, "Type")->valuestring;
  const cJSON *seqj = cJSON_GetObjectItemCaseSensitive(sp, "SequenceNumber");
  const cJSON *tsj = cJSON_GetObjectItemCaseSensitive(sp, "Timestamp");
  const char *seq = cJSON_IsString(seqj) ? seqj->valuestring : NULL;
  char stream[129], consumer[129];
  if (server_parse_consumer_arn(carn, strlen(carn), stream, consumer) != SLUICE_OK) {
    srv_error(rp, 400, "InvalidArgumentException", "Invalid ConsumerARN.");
    return;
  }
  stream_iterator_type t = STREAM_LATEST;
  if (strcmp(type, "AT_SEQUENCE_NUMBER") == 0) t = STREAM_AT_SEQUENCE_NUMBER;
  if (strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0) t = STREAM_AFTER_SEQUENCE_NUMBER;
  if (strcmp(type, "TRIM_HORIZON") == 0) t = STREAM_TRIM_HORIZON;
  if (strcmp(type, "AT_TIMESTAMP") == 0) t = STREAM_AT_TIMESTAMP;
  char msg[700];
  if ((t == STREAM_AT_SEQUENCE_NUMBER || t == STREAM_AFTER_SEQUENCE_NUMBER) && !seq) {
    snprintf(msg, sizeof msg, "StartingPosition of type %s requires a SequenceNumber.", type);
    srv_error(rp, 400, "InvalidArgumentException", msg);
    return;
  }
  int64_t ts = 0;
  if (t == STREAM_AT_TIMESTAMP) {
    if (cJSON_IsNumber(tsj))
      ts = (int64_t)llround(tsj->valuedouble * 1000.0);
    else if (!cJSON_IsString(tsj) ||
             core_timestamp_parse(tsj->valuestring, strlen(tsj->valuestring), &ts) != SLUICE_OK) {
      srv_error(rp, 400, "InvalidArgumentException",
                "StartingPosition of type AT_TIMESTAMP requires a Timestamp.");
      return;
    }
  }
  stream_handle *h = NULL;
  if (stream_get(k->store, stream, &h, NULL) != SLUICE_OK) {
    snprintf(msg, sizeof msg, "Stream %s under account 000000000000 not found.", stream);
    srv_error(rp, 400, "ResourceNotFoundException", msg);
    return;
  }
  core_arena *a = core_arena_new(0);
  stream_info *info = NULL;
  const stream_consumer *c = NULL;
  if (a && stream_describe(h, a, &info, NULL) == SLUICE_OK)
    for (uint32_t i = 0; i < info->n_consumers; i++)
      if (strcmp(info->consumers[i].arn, carn) == 0) c = &info->consumers[i];
  if (!c) {
    snprintf(msg, sizeof msg, "Consumer %s, stream %s under account 000000000000 not found.", carn,
             stream);
    srv_error(rp, 400, "ResourceNotFoundException", msg);
    goto fail;
  }
  if (c->status != STREAM_CONSUMER_ACTIVE) {
    snprintf(msg, sizeof msg, "Consumer %s is not in ACTIVE state.", carn);
    srv_error(rp, 400, "ResourceInUseException", msg);
    goto fail;
  }
  uint32_t idx;
  stream_pos pos;
  uint32_t seq_shard = 0;
  if (stream_shard_id_parse(sid, strlen(sid), &idx) != SLUICE_OK ||
      stream_iterator(h, idx, t, seq, seq ? strlen(seq) : 0, ts, &pos, &seq_shard, NULL) !=
          SLUICE_OK) {
    if (stream_shard_id_parse(sid, strlen(sid), &idx) == SLUICE_OK &&
        stream_shard_get(h, idx, a, &(stream_shard_info){0}, NULL) == SLUICE_OK) {
      snprintf(msg, sizeof msg, "Invalid StartingSequenceNumber %s for shard %s.", seq ? seq : "",
               sid);
      srv_error(rp, 400, "InvalidArgumentException", msg);
    } else {
      snprintf(msg, sizeof msg, "Shard %s in stream %s under account 000000000000 does not exist",
               sid, stream);
      srv_error(rp, 400, "ResourceNotFoundException", msg);
    }
    goto fail;
  }
  int64_t now = core_wall_ms();
  /* AWS: a second call for the same consumer and shard within 5 s of a
   * successful one is refused, whether or not the first stream is still open */
  kin_sub_recent *slot = NULL, *oldest = &k->recent[0];
  for (size_t i = 0; i < KIN_RECENT_SUBS; i++) {
    kin_sub_recent *r = &k->recent[i];
    if (r->ms < oldest->ms) oldest = r;
    if (r->shard == idx && strcmp(r->consumer_arn, carn) == 0) slot = r;
  }
  if (slot && now - slot->ms < SUB_TAKEOVER_MS) {
    snprintf(msg, sizeof msg,
             "Another active subscription exists for consumer %s on shard %s. Wait 5 seconds "
             "before subscribing again.",
             carn, sid);
    srv_error(rp, 400, "ResourceInUseException", msg);
    goto fail;
  }
  for (srv_sub *o = k->subs; o; o = o->next)
    if (!o->ended && o->shard == idx && strcmp(o->consumer_arn, carn) == 0) takeover(o);
  if (!slot) slot = oldest;
  slot->ms = now;
  slot->shard = idx;
  snprintf(slot->consumer_arn, sizeof slot->consumer_arn, "%s", carn);
  srv_sub *sub = calloc(1, sizeof *sub);
  if (!sub) {
    srv_error(rp, 500, "InternalFailure", "out of memory");
    goto fail;
  }
  sub->srv = s;
  sub->k = k;
  sub->h = h;
  sub->arena = a;
  sub->shard = idx;
  sub->pos = pos;
  sub->created_ms = now;
  sub->kms = info->encryption == STREAM_ENCRYPTION_KMS;
  snprintf(sub->stream, sizeof sub->stream, "%s", stream);
  snprintf(sub->consumer_arn, sizeof sub->consumer_arn, "%s", carn);
  sub->next = k->subs;
  if (k->subs) k->subs->prev = sub;
  k->subs = sub;
  rp->status = 200;
  rp->content_type = SRV_EVENTSTREAM_TYPE;
  rp->body.len = 0;
  rp->sub = sub;
  return;
fail:
  core_arena_free(a);
  stream_release(h);
}

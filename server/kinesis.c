/*
 * kinesis.c — the Kinesis Data Streams actions over the store.
 *
 * Request flow (spec section 4's order): method -> content type -> target ->
 * JSON syntax -> member types -> constraints (validate.c) -> semantic checks
 * (InvalidArgumentException) -> existence (ResourceNotFoundException) ->
 * state (ResourceInUseException) -> the store call -> the JSON reply. Every
 * handler writes its reply into rp; nothing here does I/O.
 *
 * Memory: one arena per request (reset at the start of the next one) holds
 * what the store returns; decoded record data goes into one reusable buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "server/kinesis_int.h"

#define ACCOUNT "000000000000"
#define REGION "us-east-1"
#define GET_MAX_BYTES (10u * 1024 * 1024)

/* ------------------------------------------------------------- helpers -- */

void srv_error(srv_reply *rp, int status, const char *type, const char *msg) {
  rp->status = status;
  rp->content_type = SRV_JSON_TYPE;
  rp->body.len = 0;
  sbuf_put(&rp->body, "{\"__type\":", 10);
  json_cstr(&rp->body, type);
  if (msg) {
    sbuf_put(&rp->body, ",\"message\":", 11);
    json_cstr(&rp->body, msg);
  }
  sbuf_putc(&rp->body, '}');
}

static void kerr(srv_reply *rp, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void kerr(srv_reply *rp, const char *type, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  srv_error(rp, 400, type, msg);
}

static void internal(srv_reply *rp, const core_error *e) {
  srv_error(rp, 500, "InternalFailure",
            e && e->message[0] ? e->message : "Internal service failure.");
}

static void ok_empty(srv_reply *rp) {
  rp->status = 200;
  rp->content_type = SRV_JSON_TYPE;
  rp->body.len = 0;
}

static void ok_json(srv_reply *rp) {
  rp->status = 200;
  rp->content_type = SRV_JSON_TYPE;
}

static const char *jstr(const cJSON *o, const char *k) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(j) ? j->valuestring : NULL;
}

static bool jint(const cJSON *o, const char *k, int64_t *v) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
  if (!cJSON_IsNumber(j)) return false;
  *v = (int64_t)floor(j->valuedouble);
  return true;
}

static bool jbool(const cJSON *o, const char *k) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* A timestamp member: epoch seconds (number or numeric string) or ISO 8601. */
static bool jts(const cJSON *o, const char *k, int64_t *ms) {
  const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
  if (cJSON_IsNumber(j)) {
    *ms = (int64_t)llround(j->valuedouble * 1000.0);
    return true;
  }
  if (cJSON_IsString(j)) {
    char *end = NULL;
    double d = strtod(j->valuestring, &end);
    if (end && end != j->valuestring && *end == 0) {
      *ms = (int64_t)llround(d * 1000.0);
      return true;
    }
    return core_timestamp_parse(j->valuestring, strlen(j->valuestring), ms) == SLUICE_OK;
  }
  return false;
}

static void stream_arn(sbuf *b, const char *name) {
  char tmp[200];
  snprintf(tmp, sizeof tmp, "arn:aws:kinesis:" REGION ":" ACCOUNT ":stream/%s", name);
  json_cstr(b, tmp);
}

static void not_found(srv_reply *rp, const char *name) {
  kerr(rp, "ResourceNotFoundException", "Stream %s under account " ACCOUNT " not found.", name);
}

static void shard_not_found(srv_reply *rp, const char *shard, const char *name) {
  kerr(rp, "ResourceNotFoundException",
       "Shard %s in stream %s under account " ACCOUNT " does not exist", shard, name);
}

static void not_active(srv_reply *rp, const char *name, stream_status st) {
  kerr(rp, "ResourceInUseException",
       "Stream %s under account " ACCOUNT " not ACTIVE, instead in state %s", name,
       stream_status_name(st));
}

/* Maps a store failure to an AWS error. */
static void store_fail(srv_reply *rp, int rc, const core_error *e, const char *name,
                       stream_handle *h) {
  switch (rc) {
    case SLUICE_NOTFOUND:
      not_found(rp, name);
      return;
    case SLUICE_EXISTS:
      kerr(rp, "ResourceInUseException", "Stream %s under account " ACCOUNT " already exists.",
           name);
      return;
    case SLUICE_STATE:
      if (h && stream_status_now(h) != STREAM_ACTIVE) {
        not_active(rp, name, stream_status_now(h));
        return;
      }
      kerr(rp, "ResourceInUseException", "%s", e->message);
      return;
    case SLUICE_INVALID:
      kerr(rp, "InvalidArgumentException", "%s", e->message);
      return;
    case SLUICE_LIMIT:
      kerr(rp, "LimitExceededException", "%s", e->message);
      return;
    default:
      internal(rp, e);
  }
}

/* The stream a request names: StreamName, else the name inside StreamARN. */
static bool req_stream_name(const cJSON *root, char name[129], srv_reply *rp) {
  const char *n = jstr(root, "StreamName");
  if (n) {
    snprintf(name, 129, "%s", n);
    return true;
  }
  const char *arn = jstr(root, "StreamARN");
  if (arn && server_parse_stream_arn(arn, strlen(arn), name) == SLUICE_OK) return true;
  if (arn) {
    kerr(rp, "ResourceNotFoundException", "Stream arn %s not found.", arn);
    return false;
  }
  kerr(rp, "ValidationException",
       "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: "
       "Member must not be null");
  return false;
}

/* Opens the request's stream; on failure writes the error and returns NULL. */
static stream_handle *req_stream(kin_state *k, const cJSON *root, char name[129], srv_reply *rp) {
  if (!req_stream_name(root, name, rp)) return NULL;
  stream_handle *h = NULL;
  core_error e;
  core_error_clear(&e);
  int rc = stream_get(k->store, name, &h, &e);
  if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, NULL);
    return NULL;
  }
  return h;
}

static stream_info *describe(kin_state *k, stream_handle *h, const char *name, srv_reply *rp) {
  stream_info *info = NULL;
  core_error e;
  core_error_clear(&e);
  int rc = stream_describe(h, k->arena, &info, &e);
  if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, h);
    return NULL;
  }
  return info;
}

/* The description of the stream the request names (req_stream + describe);
 * NULL when an error reply was written. */
static stream_info *req_describe(kin_state *k, const cJSON *root, char name[129], srv_reply *rp) {
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return NULL;
  stream_info *info = describe(k, h, name, rp);
  stream_release(h);
  return info;
}

/* Ends a void action: the store's error, or 200 with no body. */
static void reply_rc(srv_reply *rp, int rc, const core_error *e, const char *name,
                     stream_handle *h) {
  if (rc != SLUICE_OK)
    store_fail(rp, rc, e, name, h);
  else
    ok_empty(rp);
}

/* ------------------------------------------------------ JSON of objects -- */

static void shard_json(sbuf *b, const stream_shard_info *s) {
  char id[STREAM_SHARD_ID_TEXT];
  sbuf_puts(b, "{\"ShardId\":");
  json_cstr(b, s->id);
  if (s->parent >= 0) {
    stream_shard_id_format((uint32_t)s->parent, id);
    sbuf_puts(b, ",\"ParentShardId\":");
    json_cstr(b, id);
  }
  if (s->adjacent_parent >= 0) {
    stream_shard_id_format((uint32_t)s->adjacent_parent, id);
    sbuf_puts(b, ",\"AdjacentParentShardId\":");
    json_cstr(b, id);
  }
  sbuf_puts(b, ",\"HashKeyRange\":{\"StartingHashKey\":");
  json_u128(b, s->start_hash);
  sbuf_puts(b, ",\"EndingHashKey\":");
  json_u128(b, s->end_hash);
  sbuf_puts(b, "},\"SequenceNumberRange\":{\"StartingSequenceNumber\":");
  json_cstr(b, s->starting_seq);
  if (s->ending_seq[0]) {
    sbuf_puts(b, ",\"EndingSequenceNumber\":");
    json_cstr(b, s->ending_seq);
  }
  sbuf_puts(b, "}}");
}

static void metrics_json(sbuf *b, const stream_info *info) {
  sbuf_puts(b, "\"EnhancedMonitoring\":[{\"ShardLevelMetrics\":[");
  for (uint32_t i = 0; i < info->n_metrics; i++) {
    if (i) sbuf_putc(b, ',');
    json_cstr(b, info->metrics[i]);
  }
  sbuf_puts(b, "]}]");
}

static void common_desc_json(sbuf *b, const stream_info *info) {
  sbuf_puts(b, "\"StreamName\":");
  json_cstr(b, info->name);
  sbuf_puts(b, ",\"StreamARN\":");
  stream_arn(b, info->name);
  sbuf_puts(b, ",\"StreamStatus\":");
  json_cstr(b, stream_status_name(info->status));
  sbuf_puts(b, ",\"StreamModeDetails\":{\"StreamMode\":");
  json_cstr(b, stream_mode_name(info->mode));
  sbuf_puts(b, "},\"RetentionPeriodHours\":");
  json_i64(b, info->retention_hours);
  sbuf_puts(b, ",\"StreamCreationTimestamp\":");
  json_ts(b, info->created_ms / 1000 * 1000);
  sbuf_putc(b, ',');
  metrics_json(b, info);
  sbuf_puts(b, ",\"EncryptionType\":");
  json_cstr(b, stream_encryption_name(info->encryption));
  if (info->encryption == STREAM_ENCRYPTION_KMS && info->key_id && info->key_id[0]) {
    sbuf_puts(b, ",\"KeyId\":");
    json_cstr(b, info->key_id);
  }
}

/* ------------------------------------------------------ rates and limits -- */

static kin_rate *rate_slot(kin_state *k, uint64_t gen, uint32_t shard, const char *name,
                           int64_t sec) {
  uint64_t hk = gen * 0x9E3779B97F4A7C15ull ^ shard;
  size_t mask = KIN_RATE_SLOTS - 1;
  size_t i = (size_t)(hk ^ (hk >> 29)) & mask;
  kin_rate *victim = NULL;
  for (size_t probe = 0; probe < 16; probe++, i = (i + 1) & mask) {
    kin_rate *r = &k->rates[i];
    if (r->used && r->gen == gen && r->shard == shard) {
      if (r->sec != sec) {
        bool hot = r->recs_in > 1000 || r->bytes_in > 1048576;
        r->hot_secs = (hot && r->sec == sec - 1) ? r->hot_secs + 1 : 0;
        r->sec = sec;
        r->recs_in = r->bytes_in = r->calls_out = r->bytes_out = 0;
      }
      return r;
    }
    if (!r->used || r->sec < sec - 10) {
      if (!victim) victim = r;
    }
  }
  if (!victim) victim = &k->rates[(size_t)(hk ^ (hk >> 29)) & mask];
  memset(victim, 0, sizeof *victim);
  victim->used = true;
  victim->gen = gen;
  victim->shard = shard;
  victim->sec = sec;
  snprintf(victim->name, sizeof victim->name, "%s", name);
  return victim;
}

/* ------------------------------------------------------------ iterators -- */

static size_t make_iterator(kin_state *k, const char *name, const stream_pos *p, char *out) {
  server_iter it;
  memset(&it, 0, sizeof it);
  snprintf(it.stream, sizeof it.stream, "%s", name);
  it.stream_gen = p->generation;
  it.shard = p->shard;
  it.position = p->pos;
  it.issued_ms = core_wall_ms();
  return server_iter_encode(&it, k->key, out);
}

/* ---------------------------------------------------------- next tokens -- */

/* A ListShards NextToken: the listing's state, issue time and a MAC. */
typedef struct list_token {
  char name[129];
  int64_t after; /* last shard index returned */
  int ftype;     /* filter type index + 1, 0 none */
  int64_t fts;
  int64_t issued_ms;
} list_token;

static void token_encode(kin_state *k, const list_token *t, sbuf *b) {
  char raw[400];
  int n = snprintf(raw, sizeof raw, "%lld/%lld/%d/%lld/%s", (long long)t->issued_ms,
                   (long long)t->after, t->ftype, (long long)t->fts, t->name);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int ml = 0;
  HMAC(EVP_sha256(), k->key, 32, (unsigned char *)raw, (size_t)n, mac, &ml);
  memcpy(raw + n, mac, 12);
  json_b64(b, raw, (size_t)n + 12);
}

static int token_decode(kin_state *k, const char *s, list_token *t) {
  size_t n = strlen(s), len = 0, bad = 0;
  if (n == 0 || n > 600 || n % 4) return SLUICE_INVALID;
  uint8_t raw[600];
  if (core_base64_decode(s, n, raw, &len, &bad) != SLUICE_OK || len <= 12) return SLUICE_INVALID;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int ml = 0;
  HMAC(EVP_sha256(), k->key, 32, raw, len - 12, mac, &ml);
  if (CRYPTO_memcmp(mac, raw + len - 12, 12) != 0) return SLUICE_INVALID;
  raw[len - 12] = 0;
  long long issued, after, fts;
  int ftype, off = 0;
  if (sscanf((char *)raw, "%lld/%lld/%d/%lld/%n", &issued, &after, &ftype, &fts, &off) != 4 ||
      off <= 0)
    return SLUICE_INVALID;
  snprintf(t->name, sizeof t->name, "%s", (char *)raw + off);
  t->issued_ms = issued;
  t->after = after;
  t->ftype = ftype;
  t->fts = fts;
  return SLUICE_OK;
}

/* ============================================================= actions == */

/* On-demand streams in the store (DescribeLimits reports the limit of 50). */
#define ON_DEMAND_STREAM_LIMIT 50
static uint32_t count_on_demand(kin_state *k) {
  const char **names = NULL;
  size_t n = 0;
  bool more = false;
  uint32_t count = 0;
  if (stream_list(k->store, NULL, 0, k->arena, &names, &n, &more, NULL) != SLUICE_OK) return 0;
  for (size_t i = 0; i < n; i++) {
    stream_handle *h = NULL;
    stream_info *info = NULL;
    if (stream_get(k->store, names[i], &h, NULL) != SLUICE_OK) continue;
    if (stream_describe(h, k->arena, &info, NULL) == SLUICE_OK)
      count += info->mode == STREAM_ON_DEMAND;
    stream_release(h);
  }
  return count;
}

static bool on_demand_allowed(kin_state *k, srv_reply *rp) {
  if (count_on_demand(k) < ON_DEMAND_STREAM_LIMIT) return true;
  kerr(rp, "LimitExceededException",
       "This request would exceed the on-demand stream count limit of %d for the account " ACCOUNT
       " in " REGION ".",
       ON_DEMAND_STREAM_LIMIT);
  return false;
}

static void act_create(kin_state *k, const cJSON *root, srv_reply *rp) {
  const char *name = jstr(root, "StreamName");
  stream_mode mode = STREAM_PROVISIONED;
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "StreamModeDetails");
  const char *ms = md ? jstr(md, "StreamMode") : NULL;
  if (ms && strcmp(ms, "ON_DEMAND") == 0) mode = STREAM_ON_DEMAND;
  int64_t count = 0;
  bool has_count = jint(root, "ShardCount", &count);
  if (mode == STREAM_PROVISIONED && !has_count) {
    kerr(rp, "ValidationException",
         "1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: "
         "Member must not be null");
    return;
  }
  if (mode == STREAM_ON_DEMAND) {
    count = 0;
    if (!on_demand_allowed(k, rp)) return;
  }
  stream_handle *h = NULL;
  core_error e;
  core_error_clear(&e);
  int rc = stream_create(k->store, name, (uint32_t)count, mode, &h, &e);
  if (rc == SLUICE_LIMIT) {
    kerr(rp, "LimitExceededException",
         "This request would exceed the shard limit for the account " ACCOUNT " in " REGION
         ". Requested shard count: %lld.",
         (long long)count);
    return;
  }
  if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, NULL);
    return;
  }
  const cJSON *tags = cJSON_GetObjectItemCaseSensitive(root, "Tags");
  if (cJSON_IsObject(tags) && cJSON_GetArraySize(tags) > 0) {
    size_t n = (size_t)cJSON_GetArraySize(tags), i = 0;
    stream_tag *t = core_arena_alloc(k->arena, n * sizeof *t);
    const cJSON *c;
    cJSON_ArrayForEach(c, tags) {
      t[i].key = c->string;
      t[i].value = cJSON_IsString(c) ? c->valuestring : "";
      i++;
    }
    stream_tags_add(h, t, n, &e);
  }
  stream_release(h);
  ok_empty(rp);
}

static void act_delete(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  core_error e;
  core_error_clear(&e);
  bool enforce = jbool(root, "EnforceConsumerDeletion");
  int rc = stream_delete(h, enforce, &e);
  if (rc == SLUICE_STATE && stream_status_now(h) == STREAM_ACTIVE) {
    kerr(rp, "ResourceInUseException",
         "Stream %s under account " ACCOUNT
         " has registered consumers. Set EnforceConsumerDeletion to true to delete it.",
         name);
  } else if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, h);
  } else {
    kin_sub_cancel_stream(k, stream_generation(h), UINT32_MAX);
    ok_empty(rp);
  }
  stream_release(h);
}

static void act_describe(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_info *info = req_describe(k, root, name, rp);
  if (!info) return;
  int64_t limit = 100;
  jint(root, "Limit", &limit);
  if (limit > 100) limit = 100;
  int64_t after = -1;
  const char *ex = jstr(root, "ExclusiveStartShardId");
  uint32_t idx;
  if (ex && stream_shard_id_parse(ex, strlen(ex), &idx) == SLUICE_OK) after = idx;
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"StreamDescription\":{");
  common_desc_json(b, info);
  sbuf_puts(b, ",\"Shards\":[");
  int64_t n = 0;
  bool more = false;
  for (uint32_t i = 0; i < info->n_shards; i++) {
    const stream_shard_info *s = &info->shards[i];
    if ((int64_t)s->index <= after) continue;
    if (n == limit) {
      more = true;
      break;
    }
    if (n++) sbuf_putc(b, ',');
    shard_json(b, s);
  }
  sbuf_puts(b, "],\"HasMoreShards\":");
  sbuf_puts(b, more ? "true" : "false");
  sbuf_puts(b, "}}");
}

static void act_describe_summary(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_info *info = req_describe(k, root, name, rp);
  if (!info) return;
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"StreamDescriptionSummary\":{");
  common_desc_json(b, info);
  sbuf_puts(b, ",\"OpenShardCount\":");
  json_i64(b, info->open_shards);
  sbuf_puts(b, ",\"ConsumerCount\":");
  json_i64(b, info->n_consumers);
  sbuf_puts(b, "}}");
}

static void act_list_streams(kin_state *k, const cJSON *root, srv_reply *rp) {
  int64_t limit = 100;
  jint(root, "Limit", &limit);
  if (limit > 100) limit = 100;
  const char *after = jstr(root, "NextToken");
  if (!after) after = jstr(root, "ExclusiveStartStreamName");
  const char **names = NULL;
  size_t n = 0;
  bool more = false;
  core_error e;
  core_error_clear(&e);
  int rc = stream_list(k->store, after, (size_t)limit, k->arena, &names, &n, &more, &e);
  if (rc != SLUICE_OK) {
    internal(rp, &e);
    return;
  }
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"StreamNames\":[");
  for (size_t i = 0; i < n; i++) {
    if (i) sbuf_putc(b, ',');
    json_cstr(b, names[i]);
  }
  sbuf_puts(b, "],\"HasMoreStreams\":");
  sbuf_puts(b, more ? "true" : "false");
  if (more && n) {
    sbuf_puts(b, ",\"NextToken\":");
    json_cstr(b, names[n - 1]);
  }
  sbuf_puts(b, ",\"StreamSummaries\":[");
  size_t written = 0;
  for (size_t i = 0; i < n; i++) {
    stream_handle *h = NULL;
    stream_info *info = NULL;
    if (stream_get(k->store, names[i], &h, NULL) != SLUICE_OK) continue;
    if (stream_describe(h, k->arena, &info, NULL) == SLUICE_OK) {
      if (written++) sbuf_putc(b, ',');
      sbuf_puts(b, "{\"StreamName\":");
      json_cstr(b, info->name);
      sbuf_puts(b, ",\"StreamARN\":");
      stream_arn(b, info->name);
      sbuf_puts(b, ",\"StreamStatus\":");
      json_cstr(b, stream_status_name(info->status));
      sbuf_puts(b, ",\"StreamModeDetails\":{\"StreamMode\":");
      json_cstr(b, stream_mode_name(info->mode));
      sbuf_puts(b, "},\"StreamCreationTimestamp\":");
      json_ts(b, info->created_ms / 1000 * 1000);
      sbuf_putc(b, '}');
    }
    stream_release(h);
  }
  sbuf_puts(b, "]}");
}

static const char *const filter_names[] = {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
                                           "AT_LATEST",      "AT_TIMESTAMP",    "FROM_TIMESTAMP"};

static bool shard_in_list(const stream_info *info, int64_t idx) {
  if (idx < 0) return false;
  for (uint32_t i = 0; i < info->n_shards; i++)
    if ((int64_t)info->shards[i].index == idx) return true;
  return false;
}

static bool filter_keeps(const stream_info *info, const stream_shard_info *s, int ftype,
                         int64_t fts) {
  switch (ftype) {
    case 2: /* AT_TRIM_HORIZON: the oldest retained generation of the lineage */
      return !shard_in_list(info, s->parent) && !shard_in_list(info, s->adjacent_parent);
    case 3:
      return true; /* FROM_TRIM_HORIZON */
    case 4:
      return !s->closed;
    case 5: /* AT_TIMESTAMP: open at fts */
      return (s->created_ms <= fts || (s->parent < 0 && s->adjacent_parent < 0)) &&
             (!s->closed || s->closed_ms > fts);
    case 6:
      return !s->closed || s->closed_ms > fts; /* FROM_TIMESTAMP */
  }
  return true;
}

static void act_list_shards(kin_state *k, const cJSON *root, srv_reply *rp) {
  const char *token = jstr(root, "NextToken");
  bool named = jstr(root, "StreamName") || jstr(root, "StreamARN");
  if (token && named) {
    kerr(rp, "InvalidArgumentException", "NextToken and StreamName cannot be provided together.");
    return;
  }
  list_token t;
  memset(&t, 0, sizeof t);
  t.after = -1;
  int64_t now = core_wall_ms();
  char name[129];
  if (token) {
    if (token_decode(k, token, &t) != SLUICE_OK) {
      kerr(rp, "InvalidArgumentException", "Invalid NextToken.");
      return;
    }
    if (now - t.issued_ms > 300000) {
      kerr(rp, "ExpiredNextTokenException", "The NextToken has expired.");
      return;
    }
    snprintf(name, sizeof name, "%s", t.name);
  } else if (!named) {
    kerr(rp, "InvalidArgumentException", "Either NextToken or StreamName should be provided.");
    return;
  } else {
    if (!req_stream_name(root, name, rp)) return;
    const char *ex = jstr(root, "ExclusiveStartShardId");
    uint32_t idx;
    if (ex) {
      if (stream_shard_id_parse(ex, strlen(ex), &idx) == SLUICE_OK) t.after = idx;
    }
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "ShardFilter");
    if (cJSON_IsObject(f)) {
      const char *ft = jstr(f, "Type");
      for (int i = 0; ft && i < 6; i++)
        if (strcmp(ft, filter_names[i]) == 0) t.ftype = i + 1;
      if (t.ftype == 1) {
        const char *sid = jstr(f, "ShardId");
        if (!sid) {
          kerr(rp, "InvalidArgumentException",
               "Must specify ShardId in ShardFilter when ShardFilter type is AFTER_SHARD_ID.");
          return;
        }
        if (stream_shard_id_parse(sid, strlen(sid), &idx) == SLUICE_OK && (int64_t)idx > t.after)
          t.after = idx;
        t.ftype = 0;
      } else if (t.ftype == 5 || t.ftype == 6) {
        if (!jts(f, "Timestamp", &t.fts)) {
          kerr(rp, "InvalidArgumentException",
               "Must specify Timestamp in ShardFilter when ShardFilter type is %s.",
               filter_names[t.ftype - 1]);
          return;
        }
      }
    }
  }
  stream_handle *h = NULL;
  if (stream_get(k->store, name, &h, NULL) != SLUICE_OK) {
    not_found(rp, name);
    return;
  }
  stream_info *info = describe(k, h, name, rp);
  stream_release(h);
  if (!info) return;
  int64_t max = 1000;
  jint(root, "MaxResults", &max);
  if (max > 1000) max = 1000;
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"Shards\":[");
  int64_t n = 0, last = t.after;
  bool more = false;
  for (uint32_t i = 0; i < info->n_shards; i++) {
    const stream_shard_info *s = &info->shards[i];
    if ((int64_t)s->index <= t.after || !filter_keeps(info, s, t.ftype, t.fts)) continue;
    if (n == max) {
      more = true;
      break;
    }
    if (n++) sbuf_putc(b, ',');
    shard_json(b, s);
    last = s->index;
  }
  sbuf_putc(b, ']');
  if (more) {
    list_token nt = t;
    snprintf(nt.name, sizeof nt.name, "%s", name);
    nt.after = last;
    nt.issued_ms = now;
    sbuf_puts(b, ",\"NextToken\":");
    token_encode(k, &nt, b);
  }
  sbuf_putc(b, '}');
}

/* Decodes base64 s at *off in k->data (grown as needed, so earlier pointers
 * into it may move: callers keep offsets) and advances *off. */
static const uint8_t *blob(kin_state *k, const char *s, size_t *len, size_t *off) {
  size_t n = strlen(s);
  size_t need = *off + n / 4 * 3 + 3;
  if (need > k->data_cap) {
    size_t cap = k->data_cap ? k->data_cap : 65536;
    while (cap < need) cap *= 2;
    uint8_t *p = realloc(k->data, cap);
    if (!p) return NULL;
    k->data = p;
    k->data_cap = cap;
  }
  size_t bad = 0;
  uint8_t *out = k->data + *off;
  if (core_base64_decode(s, n, out, len, &bad) != SLUICE_OK) return NULL;
  *off += *len;
  return out;
}

static bool explicit_hash(const char *s, core_u128 *v, srv_reply *rp) {
  if (core_u128_parse(s, strlen(s), v) != SLUICE_OK) {
    kerr(rp, "InvalidArgumentException",
         "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified "
         "value was %s",
         s);
    return false;
  }
  return true;
}

/* Checks and counts a record against its shard's write limits. */
static bool write_allowed(kin_state *k, stream_handle *h, const char *name, uint32_t shard,
                          size_t bytes, int64_t sec) {
  kin_rate *r = rate_slot(k, stream_generation(h), shard, name, sec);
  if (k->enforce && (r->recs_in + 1 > 1000 || r->bytes_in + bytes > 1048576)) return false;
  r->recs_in++;
  r->bytes_in += bytes;
  return true;
}

/* Whether records of the stream report EncryptionType KMS. The answer is
 * cached per stream generation for a second, so that the data path does not
 * describe the whole stream on every call. */
static bool stream_is_kms(kin_state *k, stream_handle *h) {
  uint64_t gen = stream_generation(h);
  int64_t now = core_wall_ms();
  kin_enc *c = &k->enc[gen % KIN_ENC_SLOTS];
  if (c->gen == gen && now - c->checked_ms < 1000) return c->kms;
  stream_info *info = NULL;
  if (stream_describe(h, k->arena, &info, NULL) != SLUICE_OK) return false;
  c->gen = gen;
  c->checked_ms = now;
  c->kms = info->encryption == STREAM_ENCRYPTION_KMS;
  return c->kms;
}

static void forget_kms(kin_state *k, stream_handle *h) {
  k->enc[stream_generation(h) % KIN_ENC_SLOTS].gen = 0;
}

/* The sequence number of the next position in the same shard: the position
 * field (digits 12..31 of the layout in stream.h) plus one. Cheaper than
 * formatting all 56 digits again for each record of a batch. */
static void seq_increment(char seq[STREAM_SEQ_TEXT]) {
  for (int i = 31; i >= 12; i--) {
    if (seq[i] != '9') {
      seq[i]++;
      return;
    }
    seq[i] = '0';
  }
}

/* PutRecords reply entries `{"SequenceNumber":"..","ShardId":".."}`, kept per
 * shard so that the next record of a shard only increments the digits. */
#define PUT_ENTRY_SLOTS 8
#define PUT_ENTRY_SEQ 19 /* offset of the sequence number in the entry */
typedef struct put_entry {
  bool used;
  uint32_t shard;
  uint64_t pos;
  size_t len;
  char text[128];
} put_entry;

static const put_entry *put_entry_for(put_entry *cache, uint32_t shard, uint64_t pos) {
  put_entry *e = &cache[shard % PUT_ENTRY_SLOTS];
  if (e->used && e->shard == shard && e->pos + 1 == pos) {
    seq_increment(e->text + PUT_ENTRY_SEQ);
    e->pos = pos;
    return e;
  }
  char sid[STREAM_SHARD_ID_TEXT];
  stream_shard_id_format(shard, sid);
  memcpy(e->text, "{\"SequenceNumber\":\"", PUT_ENTRY_SEQ);
  stream_seq_format(shard, pos, e->text + PUT_ENTRY_SEQ);
  size_t n = PUT_ENTRY_SEQ + STREAM_SEQ_DIGITS;
  n += (size_t)snprintf(e->text + n, sizeof e->text - n, "\",\"ShardId\":\"%s\"}", sid);
  e->used = true;
  e->shard = shard;
  e->pos = pos;
  e->len = n;
  return e;
}

/* Opens stream `name`; on failure writes the error and returns NULL. */
static stream_handle *open_named(kin_state *k, const char *name, srv_reply *rp) {
  stream_handle *h = NULL;
  core_error e;
  core_error_clear(&e);
  int rc = stream_get(k->store, name, &h, &e);
  if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, NULL);
    return NULL;
  }
  return h;
}

/*
 * Appends the n records of a PutRecord (single) or PutRecords request that
 * passed validation (data decoded) to h and writes the reply; releases h.
 * With --enforce-limits, records over their shard's write limits are left
 * out and answered with ProvisionedThroughputExceededException. in[] is
 * reordered.
 */
static void put_run(kin_state *k, stream_handle *h, const char *name, stream_record_in *in,
                    size_t n, bool single, srv_reply *rp) {
  bool *throttled = NULL;
  uint32_t *tshard = NULL;
  size_t m = n;
  int64_t sec = core_wall_ms() / 1000;
  if (k->enforce) {
    throttled = core_arena_zalloc(k->arena, n * sizeof *throttled);
    tshard = core_arena_zalloc(k->arena, n * sizeof *tshard);
    if (!throttled || !tshard) {
      stream_release(h);
      internal(rp, NULL);
      return;
    }
    m = 0;
    for (size_t i = 0; i < n; i++) {
      stream_record_in r = in[i];
      core_u128 hk = r.has_explicit_hash ? r.explicit_hash
                                         : core_hash_key(r.partition_key, r.partition_key_len);
      uint32_t shard = 0;
      if (stream_route(h, hk, &shard, NULL) == SLUICE_OK &&
          !write_allowed(k, h, name, shard, r.data_len + r.partition_key_len, sec)) {
        throttled[i] = true;
        tshard[i] = shard;
        continue;
      }
      in[m++] = r;
    }
  }
  core_error e;
  core_error_clear(&e);
  stream_append_result *ar = core_arena_zalloc(k->arena, (m ? m : 1) * sizeof *ar);
  if (!ar) {
    stream_release(h);
    internal(rp, NULL);
    return;
  }
  int rc = m ? stream_append(h, in, m, -1, ar, &e) : SLUICE_OK;
  if (rc != SLUICE_OK && rc != SLUICE_IO) {
    store_fail(rp, rc, &e, name, h);
    stream_release(h);
    return;
  }
  bool kms = stream_is_kms(k, h);
  if (!k->enforce) {
    /* count what was written, per shard, for on-demand scaling */
    kin_rate *r = NULL;
    for (size_t j = 0; j < m; j++) {
      if (ar[j].rc != SLUICE_OK) continue;
      if (!r || r->shard != ar[j].shard)
        r = rate_slot(k, stream_generation(h), ar[j].shard, name, sec);
      r->recs_in++;
      r->bytes_in += in[j].data_len + in[j].partition_key_len;
    }
  }
  sbuf *b = &rp->body;
  char seq[STREAM_SEQ_TEXT], sid[STREAM_SHARD_ID_TEXT];
  if (single) {
    if (throttled && throttled[0]) {
      stream_shard_id_format(tshard[0], sid);
      kerr(rp, "ProvisionedThroughputExceededException",
           "Rate exceeded for shard %s in stream %s under account " ACCOUNT ".", sid, name);
    } else if (m == 1 && ar[0].rc == SLUICE_OK) {
      ok_json(rp);
      stream_seq_format(ar[0].shard, ar[0].pos, seq);
      stream_shard_id_format(ar[0].shard, sid);
      sbuf_puts(b, "{\"ShardId\":");
      json_cstr(b, sid);
      sbuf_puts(b, ",\"SequenceNumber\":");
      json_cstr(b, seq);
      if (kms) sbuf_puts(b, ",\"EncryptionType\":\"KMS\"");
      sbuf_putc(b, '}');
    } else if (m == 1 && ar[0].rc == SLUICE_INVALID) {
      kerr(rp, "InvalidArgumentException", "%s", ar[0].message ? ar[0].message : "invalid record");
    } else {
      internal(rp, &e);
    }
    stream_release(h);
    return;
  }
  ok_json(rp);
  size_t failed = n - m;
  for (size_t j = 0; j < m; j++) failed += ar[j].rc != SLUICE_OK;
  if (!sbuf_reserve(b, 64 + n * 112)) {
    stream_release(h);
    internal(rp, NULL);
    return;
  }
  sbuf_puts(b, "{\"FailedRecordCount\":");
  json_i64(b, (int64_t)failed);
  sbuf_puts(b, ",\"Records\":[");
  put_entry cache[PUT_ENTRY_SLOTS];
  memset(cache, 0, sizeof cache);
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    if (i) sbuf_putc(b, ',');
    if (throttled && throttled[i]) {
      stream_shard_id_format(tshard[i], sid);
      sbuf_puts(b, "{\"ErrorCode\":\"ProvisionedThroughputExceededException\",\"ErrorMessage\":");
      char msg[300];
      snprintf(msg, sizeof msg,
               "Rate exceeded for shard %s in stream %s under account " ACCOUNT ".", sid, name);
      json_cstr(b, msg);
      sbuf_putc(b, '}');
      continue;
    }
    const stream_append_result *r = &ar[j++];
    if (r->rc != SLUICE_OK) {
      sbuf_puts(b, "{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":\"Internal service "
                   "failure.\"}");
      continue;
    }
    const put_entry *pe = put_entry_for(cache, r->shard, r->pos);
    sbuf_put(b, pe->text, pe->len);
  }
  sbuf_putc(b, ']');
  if (kms) sbuf_puts(b, ",\"EncryptionType\":\"KMS\"");
  sbuf_putc(b, '}');
  stream_release(h);
}

/* PutRecord and PutRecords through cJSON: every request the fast path
 * (putparse.c) declines, with validation already passed. */
static void put_common(kin_state *k, const cJSON *root, srv_reply *rp, bool single) {
  char name[129];
  const cJSON *list = single ? NULL : cJSON_GetObjectItemCaseSensitive(root, "Records");
  /* ExplicitHashKey ranges and the request size are semantic checks: before existence */
  size_t total = 0;
  for (const cJSON *it = single ? root : list->child; it; it = single ? NULL : it->next) {
    const char *ehk = jstr(it, "ExplicitHashKey");
    core_u128 v;
    if (ehk && !explicit_hash(ehk, &v, rp)) return;
    const char *d = jstr(it, "Data"), *pk = jstr(it, "PartitionKey");
    size_t dl = d ? strlen(d) : 0;
    total += dl / 4 * 3 - (dl && d[dl - 1] == '=') - (dl > 1 && d[dl - 2] == '=');
    total += pk ? strlen(pk) : 0;
  }
  if (!single && total > SERVER_PUT_MAX_BYTES) {
    kerr(rp, "InvalidArgumentException", "Records size exceeds 5 MB limit");
    return;
  }
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  size_t n = single ? 1 : (size_t)cJSON_GetArraySize(list);
  stream_record_in *in = core_arena_alloc(k->arena, n * sizeof *in);
  size_t *doff = core_arena_alloc(k->arena, n * sizeof *doff); /* in[i] -> data offset */
  if (!in || !doff) {
    stream_release(h);
    internal(rp, NULL);
    return;
  }
  size_t off = 0;
  const cJSON *item = single ? root : (list ? list->child : NULL);
  for (size_t i = 0; i < n; i++, item = single ? NULL : item->next) {
    stream_record_in *r = &in[i];
    memset(r, 0, sizeof *r);
    const char *pk = jstr(item, "PartitionKey");
    const char *data = jstr(item, "Data");
    const char *ehk = jstr(item, "ExplicitHashKey");
    size_t len = 0;
    doff[i] = off;
    if (!blob(k, data ? data : "", &len, &off)) {
      stream_release(h);
      internal(rp, NULL);
      return;
    }
    r->partition_key = pk;
    r->partition_key_len = (uint32_t)strlen(pk);
    r->data_len = (uint32_t)len;
    if (ehk) {
      if (!explicit_hash(ehk, &r->explicit_hash, rp)) {
        stream_release(h);
        return;
      }
      r->has_explicit_hash = true;
    }
  }
  /* k->data may have moved while it grew: point into it only now */
  for (size_t i = 0; i < n; i++) in[i].data = k->data + doff[i];
  put_run(k, h, name, in, n, single, rp);
}

/* PutRecords through putparse.c; false if the body is not one it takes
 * (then nothing was answered and the general path runs). */
static bool put_records_fast(kin_state *k, const srv_request *rq, srv_reply *rp) {
  size_t need = SERVER_PUT_DATA_BOUND(rq->body_len);
  if (need > k->data_cap) {
    size_t cap = k->data_cap ? k->data_cap : 65536;
    while (cap < need) cap *= 2;
    uint8_t *p = realloc(k->data, cap);
    if (!p) return false;
    k->data = p;
    k->data_cap = cap;
  }
  server_put_batch *pb = k->put;
  if (!server_put_records_parse(rq->body, rq->body_len, k->data, pb)) return false;
  char name[129];
  memcpy(name, pb->stream, pb->stream_len);
  name[pb->stream_len] = 0;
  stream_handle *h = open_named(k, name, rp);
  if (!h) return true;
  stream_record_in *in = k->put_in;
  for (size_t i = 0; i < pb->n; i++) {
    const server_put_record *r = &pb->recs[i];
    in[i] = (stream_record_in){.partition_key = r->partition_key,
                               .partition_key_len = r->partition_key_len,
                               .has_explicit_hash = r->has_explicit_hash,
                               .explicit_hash = r->explicit_hash,
                               .data = r->data,
                               .data_len = r->data_len};
  }
  put_run(k, h, name, in, pb->n, false, rp);
  return true;
}

static void act_put_record(kin_state *k, const cJSON *root, srv_reply *rp) {
  const char *ord = jstr(root, "SequenceNumberForOrdering");
  if (ord) {
    uint32_t sh;
    uint64_t pos;
    if (stream_seq_decode(ord, strlen(ord), &sh, &pos) != SLUICE_OK) {
      char name[129] = "";
      const char *n = jstr(root, "StreamName");
      snprintf(name, sizeof name, "%s", n ? n : "");
      if (!n && jstr(root, "StreamARN"))
        server_parse_stream_arn(jstr(root, "StreamARN"), strlen(jstr(root, "StreamARN")), name);
      kerr(rp, "InvalidArgumentException",
           "ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account " ACCOUNT
           " is invalid.",
           ord, name);
      return;
    }
  }
  put_common(k, root, rp, true);
}

static void act_put_records(kin_state *k, const cJSON *root, srv_reply *rp) {
  put_common(k, root, rp, false);
}

static bool parse_shard(const char *sid, uint32_t *idx) {
  return sid && stream_shard_id_parse(sid, strlen(sid), idx) == SLUICE_OK;
}

static void act_get_iterator(kin_state *k, const cJSON *root, srv_reply *rp) {
  const char *type = jstr(root, "ShardIteratorType");
  const char *seq = jstr(root, "StartingSequenceNumber");
  const char *sid = jstr(root, "ShardId");
  bool has_ts = cJSON_GetObjectItemCaseSensitive(root, "Timestamp") &&
                !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "Timestamp"));
  stream_iterator_type t;
  if (strcmp(type, "AT_SEQUENCE_NUMBER") == 0)
    t = STREAM_AT_SEQUENCE_NUMBER;
  else if (strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0)
    t = STREAM_AFTER_SEQUENCE_NUMBER;
  else if (strcmp(type, "TRIM_HORIZON") == 0)
    t = STREAM_TRIM_HORIZON;
  else if (strcmp(type, "LATEST") == 0)
    t = STREAM_LATEST;
  else
    t = STREAM_AT_TIMESTAMP;
  bool needs_seq = t == STREAM_AT_SEQUENCE_NUMBER || t == STREAM_AFTER_SEQUENCE_NUMBER;
  if (needs_seq != (seq != NULL) && t != STREAM_AT_TIMESTAMP) {
    kerr(rp, "InvalidArgumentException",
         "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
         "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
         "Request specified %s and %s.",
         type, seq ? "also a StartingSequenceNumber" : "no StartingSequenceNumber");
    return;
  }
  int64_t ts = 0;
  int64_t now = core_wall_ms();
  if (t == STREAM_AT_TIMESTAMP) {
    if (!has_ts || !jts(root, "Timestamp", &ts)) {
      kerr(rp, "InvalidArgumentException",
           "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
           "request has no timestamp parameter.");
      return;
    }
    if (ts > now) {
      kerr(rp, "InvalidArgumentException",
           "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
           "timestampInMillis: %lld, currentTimestampInMillis: %lld",
           (long long)ts, (long long)now);
      return;
    }
  } else if (has_ts) {
    kerr(rp, "InvalidArgumentException",
         "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
         "request has an iterator type %s and a timestamp parameter.",
         type);
    return;
  }
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  uint32_t idx;
  if (!parse_shard(sid, &idx)) {
    shard_not_found(rp, sid, name);
    stream_release(h);
    return;
  }
  stream_pos pos;
  uint32_t seq_shard = idx;
  core_error e;
  core_error_clear(&e);
  int rc = stream_iterator(h, idx, t, seq, seq ? strlen(seq) : 0, ts, &pos, &seq_shard, &e);
  if (rc == SLUICE_NOTFOUND) {
    if (stream_status_now(h) == STREAM_DELETING)
      not_found(rp, name);
    else
      shard_not_found(rp, sid, name);
  } else if (rc == SLUICE_INVALID && seq_shard != idx) {
    char a[STREAM_SHARD_ID_TEXT], b2[STREAM_SHARD_ID_TEXT];
    stream_shard_id_format(seq_shard, a);
    stream_shard_id_format(idx, b2);
    kerr(rp, "InvalidArgumentException",
         "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard "
         "with %s",
         a, b2);
  } else if (rc == SLUICE_INVALID) {
    kerr(rp, "InvalidArgumentException",
         "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under "
         "account " ACCOUNT " is invalid.",
         seq ? seq : "", sid, name);
  } else if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, h);
  } else {
    char it[SERVER_ITER_MAX + 1];
    make_iterator(k, name, &pos, it);
    ok_json(rp);
    sbuf_puts(&rp->body, "{\"ShardIterator\":");
    json_cstr(&rp->body, it);
    sbuf_putc(&rp->body, '}');
  }
  stream_release(h);
}

/* An in-application stream of the engine holds rows in the internal row codec, with its
 * schema as a stream attribute: its records are given to readers as the JSON objects an
 * output would write (spec 6.6). Other streams' records are left as they are. */
int kin_render_rows(core_arena *arena, stream_handle *h, stream_read_result *res) {
  void *schema;
  size_t n;
  core_error e;
  core_error_clear(&e);
  int rc = stream_get_attr(h, STREAM_ATTR_SCHEMA, arena, &schema, &n, &e);
  if (rc == SLUICE_NOTFOUND) return SLUICE_OK;
  int ncols;
  const char **names;
  core_type *types;
  if (!rc) rc = stream_schema_decode(schema, n, arena, &ncols, &names, &types, &e);
  if (rc) return rc;
  core_batch *row = core_batch_new(ncols, types, 1);
  if (!row) return SLUICE_NOMEM;
  stream_buf json = {0};
  for (size_t i = 0; i < res->n && !rc; i++) {
    stream_record *r = &res->records[i];
    core_batch_reset(row);
    json.len = 0;
    rc = stream_row_decode(r->data, r->data_len, row, &e);
    if (!rc) rc = stream_row_json(row, 0, names, &json);
    uint8_t *copy = rc ? NULL : core_arena_alloc(arena, json.len ? json.len : 1);
    if (!rc && !copy) rc = SLUICE_NOMEM;
    if (!rc) {
      memcpy(copy, json.data, json.len);
      r->data = copy;
      r->data_len = (uint32_t)json.len;
    }
  }
  stream_buf_free(&json);
  core_batch_free(row);
  return rc;
}

/* Writes `"ChildShards":[...]` for a shard read to its end (GetRecords and
 * SubscribeToShardEvent). Children that expired meanwhile are left out. */
void kin_child_shards_json(sbuf *b, stream_handle *h, uint32_t shard, core_arena *a) {
  stream_shard_info si;
  sbuf_puts(b, "\"ChildShards\":[");
  if (stream_shard_get(h, shard, a, &si, NULL) == SLUICE_OK) {
    uint32_t written = 0;
    for (uint32_t i = 0; i < si.n_children; i++) {
      stream_shard_info c;
      if (stream_shard_get(h, si.children[i], a, &c, NULL) != SLUICE_OK) continue;
      if (written++) sbuf_putc(b, ',');
      char id[STREAM_SHARD_ID_TEXT];
      sbuf_puts(b, "{\"ShardId\":");
      json_cstr(b, c.id);
      sbuf_puts(b, ",\"ParentShards\":[");
      if (c.parent >= 0) {
        stream_shard_id_format((uint32_t)c.parent, id);
        json_cstr(b, id);
      }
      if (c.adjacent_parent >= 0) {
        stream_shard_id_format((uint32_t)c.adjacent_parent, id);
        if (c.parent >= 0) sbuf_putc(b, ',');
        json_cstr(b, id);
      }
      sbuf_puts(b, "],\"HashKeyRange\":{\"StartingHashKey\":");
      json_u128(b, c.start_hash);
      sbuf_puts(b, ",\"EndingHashKey\":");
      json_u128(b, c.end_hash);
      sbuf_puts(b, "}}");
    }
  }
  sbuf_putc(b, ']');
}

/* Appends s[0..n) at o; returns the end. */
static char *put_bytes(char *o, const char *s, size_t n) {
  memcpy(o, s, n);
  return o + n;
}
#define PUT_LIT(o, lit) put_bytes(o, lit, sizeof lit - 1)

/*
 * Records as GetRecords and SubscribeToShardEvent show them, separated by
 * commas. This runs once per record read, so it writes into one
 * reservation, and carries from record to record what a read's records
 * share: consecutive positions (the next sequence number is the last one
 * plus one) and arrival times (one per store batch).
 */
void kin_records_json(sbuf *b, uint32_t shard, const stream_record *recs, size_t n, bool kms,
                      bool enc_type) {
  size_t need = 0;
  for (size_t i = 0; i < n; i++)
    need +=
        200 + 6 * (size_t)recs[i].partition_key_len + core_base64_encoded_size(recs[i].data_len);
  if (!sbuf_reserve(b, need)) return;
  char seq[STREAM_SEQ_TEXT], ts[JSON_TS_TEXT];
  size_t ts_len = 0;
  uint64_t seq_pos = 0;
  int64_t ts_ms = 0;
  char *o = b->p + b->len;
  for (size_t i = 0; i < n; i++) {
    const stream_record *r = &recs[i];
    if (i && r->pos == seq_pos + 1)
      seq_increment(seq);
    else
      stream_seq_format(shard, r->pos, seq);
    seq_pos = r->pos;
    if (!i || r->arrival_ms != ts_ms) ts_len = json_ts_text(r->arrival_ms, ts);
    ts_ms = r->arrival_ms;
    if (i) *o++ = ',';
    o = PUT_LIT(o, "{\"SequenceNumber\":\"");
    o = put_bytes(o, seq, STREAM_SEQ_DIGITS);
    o = PUT_LIT(o, "\",\"ApproximateArrivalTimestamp\":");
    o = put_bytes(o, ts, ts_len);
    o = PUT_LIT(o, ",\"Data\":\"");
    o += srv_b64_encode(r->data, r->data_len, o);
    o = PUT_LIT(o, "\",\"PartitionKey\":");
    bool plain = true;
    for (uint32_t j = 0; j < r->partition_key_len && plain; j++) {
      unsigned char c = (unsigned char)r->partition_key[j];
      plain = c >= 0x20 && c != '"' && c != '\\';
    }
    if (plain) {
      *o++ = '"';
      o = put_bytes(o, r->partition_key, r->partition_key_len);
      *o++ = '"';
    } else { /* escapes: within the reservation, so b->p stays where it is */
      b->len = (size_t)(o - b->p);
      json_str(b, r->partition_key, r->partition_key_len);
      o = b->p + b->len;
    }
    if (kms)
      o = PUT_LIT(o, ",\"EncryptionType\":\"KMS\"");
    else if (enc_type)
      o = PUT_LIT(o, ",\"EncryptionType\":\"NONE\"");
    *o++ = '}';
  }
  b->len = (size_t)(o - b->p);
}

static void act_get_records(kin_state *k, const cJSON *root, srv_reply *rp) {
  const char *its = jstr(root, "ShardIterator");
  server_iter it;
  core_error e;
  core_error_clear(&e);
  int64_t now = core_wall_ms();
  int rc = server_iter_decode(its, strlen(its), k->key, now, &it, &e);
  if (rc == SLUICE_EXPIRED) {
    kerr(rp, "ExpiredIteratorException", "%s", e.message);
    return;
  }
  if (rc != SLUICE_OK) {
    kerr(rp, "InvalidArgumentException", "Invalid ShardIterator.");
    return;
  }
  char sid[STREAM_SHARD_ID_TEXT];
  stream_shard_id_format(it.shard, sid);
  stream_handle *h = NULL;
  if (stream_get(k->store, it.stream, &h, NULL) != SLUICE_OK ||
      stream_generation(h) != it.stream_gen) {
    stream_release(h);
    shard_not_found(rp, sid, it.stream);
    return;
  }
  int64_t limit = 10000;
  jint(root, "Limit", &limit);
  kin_rate *rate = rate_slot(k, it.stream_gen, it.shard, it.stream, now / 1000);
  /* 5 calls/s per shard, and 2 MiB/s: a call that returned B bytes holds the
   * shard's reads for B / 2 MiB seconds (AWS: 5 s after a 10 MiB call). */
  if (k->enforce && (rate->calls_out >= 5 || now < rate->reads_blocked_until_ms)) {
    stream_release(h);
    kerr(rp, "ProvisionedThroughputExceededException",
         "Rate exceeded for shard %s in stream %s under account " ACCOUNT ".", sid, it.stream);
    return;
  }
  rate->calls_out++;
  stream_pos at = {.generation = it.stream_gen, .shard = it.shard, .pos = it.position};
  stream_read_result res;
  memset(&res, 0, sizeof res);
  rc = stream_read(h, &at, (size_t)limit, GET_MAX_BYTES, k->arena, &res, &e);
  if (rc == SLUICE_NOTFOUND) {
    shard_not_found(rp, sid, it.stream);
    stream_release(h);
    return;
  }
  if (rc == SLUICE_INVALID) {
    kerr(rp, "InvalidArgumentException", "Invalid ShardIterator.");
    stream_release(h);
    return;
  }
  if (rc != SLUICE_OK) {
    internal(rp, &e);
    stream_release(h);
    return;
  }
  if (res.n && kin_render_rows(k->arena, h, &res) != SLUICE_OK) {
    stream_release(h);
    internal(rp, NULL);
    return;
  }
  bool kms = res.n ? stream_is_kms(k, h) : false;
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"Records\":[");
  kin_records_json(b, it.shard, res.records, res.n, kms, false);
  if (b->oom) {
    stream_release(h);
    internal(rp, NULL);
    return;
  }
  uint64_t bytes = 0;
  for (size_t i = 0; i < res.n; i++)
    bytes += res.records[i].data_len + res.records[i].partition_key_len;
  rate->bytes_out += bytes;
  if (bytes > 0) rate->reads_blocked_until_ms = now + (int64_t)(bytes * 1000 / (2u * 1048576));
  sbuf_puts(b, "],\"MillisBehindLatest\":");
  json_i64(b, res.millis_behind < 0 ? 0 : res.millis_behind);
  if (res.shard_end) {
    sbuf_putc(b, ',');
    kin_child_shards_json(b, h, it.shard, k->arena);
  } else {
    char next[SERVER_ITER_MAX + 1];
    make_iterator(k, it.stream, &res.next, next);
    sbuf_puts(b, ",\"NextShardIterator\":");
    json_cstr(b, next);
  }
  sbuf_putc(b, '}');
  stream_release(h);
}

static bool shard_info(kin_state *k, stream_handle *h, const char *sid, const char *name,
                       stream_shard_info *si, srv_reply *rp) {
  uint32_t idx;
  if (!parse_shard(sid, &idx) || stream_shard_get(h, idx, k->arena, si, NULL) != SLUICE_OK) {
    shard_not_found(rp, sid, name);
    return false;
  }
  return true;
}

static void already_resharded(srv_reply *rp, const char *sid, const char *name) {
  kerr(rp, "InvalidArgumentException",
       "Shard %s in stream %s under account " ACCOUNT
       " has already been merged or split, and thus is not eligible for merging or splitting.",
       sid, name);
}

static void act_split(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  const char *sid = jstr(root, "ShardToSplit");
  const char *key = jstr(root, "NewStartingHashKey");
  stream_shard_info si;
  core_u128 v;
  if (stream_status_now(h) != STREAM_ACTIVE) {
    not_active(rp, name, stream_status_now(h));
  } else if (!shard_info(k, h, sid, name, &si, rp)) {
  } else if (si.closed) {
    already_resharded(rp, sid, name);
  } else if (core_u128_parse(key, strlen(key), &v) != SLUICE_OK || v <= si.start_hash + 1 ||
             v >= si.end_hash) {
    char a[CORE_U128_DIGITS], b2[CORE_U128_DIGITS];
    core_u128_format(si.start_hash, a);
    core_u128_format(si.end_hash, b2);
    kerr(
        rp, "InvalidArgumentException",
        "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account " ACCOUNT
        " is not both greater than one plus the shard's StartingHashKey %s and less than the "
        "shard's EndingHashKey %s.",
        key, sid, name, a, b2);
  } else {
    core_error e;
    core_error_clear(&e);
    int rc = stream_split(h, si.index, v, &e);
    reply_rc(rp, rc, &e, name, h);
  }
  stream_release(h);
}

static void act_merge(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  const char *sa = jstr(root, "ShardToMerge"), *sb = jstr(root, "AdjacentShardToMerge");
  stream_shard_info a, b;
  if (stream_status_now(h) != STREAM_ACTIVE) {
    not_active(rp, name, stream_status_now(h));
  } else if (!shard_info(k, h, sa, name, &a, rp) || !shard_info(k, h, sb, name, &b, rp)) {
  } else if (a.closed) {
    already_resharded(rp, sa, name);
  } else if (b.closed) {
    already_resharded(rp, sb, name);
  } else if (a.index == b.index ||
             !((a.end_hash != CORE_U128_MAX && a.end_hash + 1 == b.start_hash) ||
               (b.end_hash != CORE_U128_MAX && b.end_hash + 1 == a.start_hash))) {
    kerr(rp, "InvalidArgumentException",
         "Shards %s and %s in stream %s under account " ACCOUNT
         " are not an adjacent pair of shards eligible for merging",
         sa, sb, name);
  } else {
    core_error e;
    core_error_clear(&e);
    int rc = stream_merge(h, a.index, b.index, &e);
    reply_rc(rp, rc, &e, name, h);
  }
  stream_release(h);
}

static void act_update_shard_count(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  int64_t target = 0;
  jint(root, "TargetShardCount", &target);
  uint32_t prev = 0;
  core_error e;
  core_error_clear(&e);
  if (stream_status_now(h) != STREAM_ACTIVE) {
    not_active(rp, name, stream_status_now(h));
    stream_release(h);
    return;
  }
  int rc = stream_update_shard_count(h, (uint32_t)target, &prev, &e);
  if (rc == SLUICE_LIMIT) {
    kerr(rp, "LimitExceededException",
         "UpdateShardCount failed for stream %s under account " ACCOUNT
         ": target shard count %lld is more than double or less than half the current number "
         "of open shards, or exceeds the shard limit.",
         name, (long long)target);
  } else if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, h);
  } else {
    ok_json(rp);
    sbuf *b = &rp->body;
    sbuf_puts(b, "{\"StreamName\":");
    json_cstr(b, name);
    sbuf_puts(b, ",\"CurrentShardCount\":");
    json_i64(b, prev);
    sbuf_puts(b, ",\"TargetShardCount\":");
    json_i64(b, target);
    sbuf_puts(b, ",\"StreamARN\":");
    stream_arn(b, name);
    sbuf_putc(b, '}');
  }
  stream_release(h);
}

static void act_retention(kin_state *k, const cJSON *root, srv_reply *rp, int direction) {
  char name[129];
  int64_t hours = 0;
  jint(root, "RetentionPeriodHours", &hours);
  /* semantic checks come before existence (spec section 4) */
  if (hours < STREAM_RETENTION_MIN_H) {
    kerr(rp, "InvalidArgumentException",
         "Minimum allowed retention period is 24 hours. Requested retention period (%lld hours) "
         "is too short.",
         (long long)hours);
    return;
  }
  if (hours > STREAM_RETENTION_MAX_H) {
    kerr(rp, "InvalidArgumentException",
         "Maximum allowed retention period is 8760 hours. Requested retention period (%lld "
         "hours) is too long.",
         (long long)hours);
    return;
  }
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  stream_info *info = describe(k, h, name, rp);
  if (!info) {
    stream_release(h);
    return;
  }
  if (hours < STREAM_RETENTION_MIN_H) {
    kerr(rp, "InvalidArgumentException",
         "Minimum allowed retention period is 24 hours. Requested retention period (%lld hours) "
         "is too short.",
         (long long)hours);
  } else if (hours > STREAM_RETENTION_MAX_H) {
    kerr(rp, "InvalidArgumentException",
         "Maximum allowed retention period is 8760 hours. Requested retention period (%lld "
         "hours) is too long.",
         (long long)hours);
  } else if (direction > 0 && hours < info->retention_hours) {
    kerr(rp, "InvalidArgumentException",
         "Requested retention period (%lld hours) for stream %s can not be shorter than existing "
         "retention period (%u hours). Use DecreaseRetentionPeriod API.",
         (long long)hours, name, info->retention_hours);
  } else if (direction < 0 && hours > info->retention_hours) {
    kerr(rp, "InvalidArgumentException",
         "Requested retention period (%lld hours) for stream %s can not be longer than existing "
         "retention period (%u hours). Use IncreaseRetentionPeriod API.",
         (long long)hours, name, info->retention_hours);
  } else if (info->status != STREAM_ACTIVE) {
    not_active(rp, name, info->status);
  } else {
    core_error e;
    core_error_clear(&e);
    int rc = stream_set_retention(h, (uint32_t)hours, 0, &e);
    reply_rc(rp, rc, &e, name, h);
  }
  stream_release(h);
}

static void act_add_tags(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  if (!req_stream_name(root, name, rp)) return;
  const cJSON *tags = cJSON_GetObjectItemCaseSensitive(root, "Tags");
  size_t n = (size_t)cJSON_GetArraySize(tags), i = 0;
  if (n > 50) {
    kerr(rp, "InvalidArgumentException",
         "Failed to add tags to stream %s under account " ACCOUNT
         " because a given request cannot have more than 50 tags.",
         name);
    return;
  }
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  stream_tag *t = core_arena_alloc(k->arena, (n ? n : 1) * sizeof *t);
  const cJSON *c;
  cJSON_ArrayForEach(c, tags) {
    t[i].key = c->string;
    t[i].value = cJSON_IsString(c) ? c->valuestring : "";
    i++;
  }
  core_error e;
  core_error_clear(&e);
  int rc = stream_tags_add(h, t, n, &e);
  if (rc == SLUICE_LIMIT)
    kerr(rp, "LimitExceededException",
         "Failed to add tags to stream %s under account " ACCOUNT
         " because a given stream cannot have more than 200 tags.",
         name);
  else if (rc != SLUICE_OK)
    store_fail(rp, rc, &e, name, h);
  else
    ok_empty(rp);
  stream_release(h);
}

static void act_remove_tags(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "TagKeys");
  size_t n = (size_t)cJSON_GetArraySize(keys), i = 0;
  const char **kk = core_arena_alloc(k->arena, (n ? n : 1) * sizeof *kk);
  const cJSON *c;
  cJSON_ArrayForEach(c, keys) kk[i++] = cJSON_IsString(c) ? c->valuestring : "";
  core_error e;
  core_error_clear(&e);
  int rc = stream_tags_remove(h, kk, n, &e);
  reply_rc(rp, rc, &e, name, h);
  stream_release(h);
}

static void act_list_tags(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_info *info = req_describe(k, root, name, rp);
  if (!info) return;
  int64_t limit = 50;
  jint(root, "Limit", &limit);
  const char *after = jstr(root, "ExclusiveStartTagKey");
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"Tags\":[");
  int64_t n = 0;
  bool more = false;
  for (uint32_t i = 0; i < info->n_tags; i++) {
    if (after && strcmp(info->tags[i].key, after) <= 0) continue;
    if (n == limit) {
      more = true;
      break;
    }
    if (n++) sbuf_putc(b, ',');
    sbuf_puts(b, "{\"Key\":");
    json_cstr(b, info->tags[i].key);
    sbuf_puts(b, ",\"Value\":");
    json_cstr(b, info->tags[i].value);
    sbuf_putc(b, '}');
  }
  sbuf_puts(b, "],\"HasMoreTags\":");
  sbuf_puts(b, more ? "true}" : "false}");
}

/* TagResource, UntagResource, ListTagsForResource: the stream-tag actions
 * addressed by ARN. Consumers' tags are not kept by the store. */
static void act_resource_tags(kin_state *k, cJSON *root, int id, srv_reply *rp) {
  const char *arn = jstr(root, "ResourceARN");
  char name[129], consumer[129];
  if (server_parse_consumer_arn(arn, strlen(arn), name, consumer) == SLUICE_OK) {
    kerr(rp, "InvalidArgumentException",
         "Tags of stream consumers are not supported by sluice; tag the stream instead.");
    return;
  }
  if (server_parse_stream_arn(arn, strlen(arn), name) != SLUICE_OK) {
    kerr(rp, "ResourceNotFoundException", "Resource %s not found.", arn);
    return;
  }
  cJSON_DeleteItemFromObjectCaseSensitive(root, "StreamName");
  cJSON_DeleteItemFromObjectCaseSensitive(root, "StreamARN");
  if (!cJSON_AddStringToObject(root, "StreamName", name)) {
    internal(rp, NULL);
    return;
  }
  if (id == ACT_TAG_RESOURCE) {
    act_add_tags(k, root, rp);
    return;
  }
  if (id == ACT_UNTAG_RESOURCE) {
    act_remove_tags(k, root, rp);
    return;
  }
  stream_info *info = req_describe(k, root, name, rp);
  if (!info) return;
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"Tags\":[");
  for (uint32_t i = 0; i < info->n_tags; i++) {
    if (i) sbuf_putc(b, ',');
    sbuf_puts(b, "{\"Key\":");
    json_cstr(b, info->tags[i].key);
    sbuf_puts(b, ",\"Value\":");
    json_cstr(b, info->tags[i].value);
    sbuf_putc(b, '}');
  }
  sbuf_puts(b, "]}");
}

static void act_encryption(kin_state *k, const cJSON *root, srv_reply *rp, bool start) {
  char name[129];
  const char *type = jstr(root, "EncryptionType");
  const char *key = jstr(root, "KeyId");
  if (strcmp(type, "KMS") != 0) {
    kerr(rp, "InvalidArgumentException",
         "Encryption type %s is not supported. Only KMS encryption is supported.", type);
    return;
  }
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  if (stream_status_now(h) != STREAM_ACTIVE) {
    not_active(rp, name, stream_status_now(h));
  } else {
    core_error e;
    core_error_clear(&e);
    int rc = start ? stream_set_encryption(h, STREAM_ENCRYPTION_KMS, key, &e)
                   : stream_set_encryption(h, STREAM_ENCRYPTION_NONE, "", &e);
    forget_kms(k, h);
    reply_rc(rp, rc, &e, name, h);
  }
  stream_release(h);
}

static const char *const all_metrics[] = {"IncomingBytes",
                                          "IncomingRecords",
                                          "OutgoingBytes",
                                          "OutgoingRecords",
                                          "WriteProvisionedThroughputExceeded",
                                          "ReadProvisionedThroughputExceeded",
                                          "IteratorAgeMilliseconds"};

static void act_monitoring(kin_state *k, const cJSON *root, srv_reply *rp, bool enable) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  stream_info *info = describe(k, h, name, rp);
  if (!info) {
    stream_release(h);
    return;
  }
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "ShardLevelMetrics");
  bool want[7] = {false};
  for (uint32_t i = 0; i < info->n_metrics; i++)
    for (int m = 0; m < 7; m++)
      if (strcmp(info->metrics[i], all_metrics[m]) == 0) want[m] = true;
  const cJSON *c;
  cJSON_ArrayForEach(c, list) {
    for (int m = 0; m < 7; m++)
      if (strcmp(c->valuestring, "ALL") == 0 || strcmp(c->valuestring, all_metrics[m]) == 0)
        want[m] = enable;
  }
  const char *names[7];
  size_t n = 0;
  for (int m = 0; m < 7; m++)
    if (want[m]) names[n++] = all_metrics[m];
  core_error e;
  core_error_clear(&e);
  int rc = info->status != STREAM_ACTIVE ? SLUICE_STATE : stream_set_metrics(h, names, n, &e);
  if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, h);
    stream_release(h);
    return;
  }
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"StreamName\":");
  json_cstr(b, name);
  sbuf_puts(b, ",\"StreamARN\":");
  stream_arn(b, name);
  sbuf_puts(b, ",\"CurrentShardLevelMetrics\":[");
  for (uint32_t i = 0; i < info->n_metrics; i++) {
    if (i) sbuf_putc(b, ',');
    json_cstr(b, info->metrics[i]);
  }
  sbuf_puts(b, "],\"DesiredShardLevelMetrics\":[");
  for (size_t i = 0; i < n; i++) {
    if (i) sbuf_putc(b, ',');
    json_cstr(b, names[i]);
  }
  sbuf_puts(b, "]}");
  stream_release(h);
}

static void act_describe_limits(kin_state *k, const cJSON *root, srv_reply *rp) {
  const char **names = NULL;
  size_t n = 0;
  bool more = false;
  uint32_t open = 0, on_demand = 0;
  if (stream_list(k->store, NULL, 0, k->arena, &names, &n, &more, NULL) == SLUICE_OK) {
    for (size_t i = 0; i < n; i++) {
      stream_handle *h = NULL;
      stream_info *info = NULL;
      if (stream_get(k->store, names[i], &h, NULL) != SLUICE_OK) continue;
      if (stream_describe(h, k->arena, &info, NULL) == SLUICE_OK) {
        open += info->open_shards;
        on_demand += info->mode == STREAM_ON_DEMAND;
      }
      stream_release(h);
    }
  }
  ok_json(rp);
  sbuf_printf(&rp->body,
              "{\"ShardLimit\":%u,\"OpenShardCount\":%u,\"OnDemandStreamCount\":%u,"
              "\"OnDemandStreamCountLimit\":%d}",
              k->shard_limit, open, on_demand, ON_DEMAND_STREAM_LIMIT);
}

static void act_update_mode(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "StreamModeDetails");
  const char *m = jstr(md, "StreamMode");
  core_error e;
  core_error_clear(&e);
  if (strcmp(m, "ON_DEMAND") == 0 && !on_demand_allowed(k, rp)) {
    stream_release(h);
    return;
  }
  int rc = stream_status_now(h) != STREAM_ACTIVE
               ? SLUICE_STATE
               : stream_set_mode(
                     h, strcmp(m, "ON_DEMAND") == 0 ? STREAM_ON_DEMAND : STREAM_PROVISIONED, &e);
  reply_rc(rp, rc, &e, name, h);
  stream_release(h);
}

/* ------------------------------------------------------------ consumers -- */

static void consumer_json(sbuf *b, const stream_consumer *c, const char *stream, bool with_stream) {
  sbuf_puts(b, "{\"ConsumerName\":");
  json_cstr(b, c->name);
  sbuf_puts(b, ",\"ConsumerARN\":");
  json_cstr(b, c->arn);
  sbuf_puts(b, ",\"ConsumerStatus\":");
  json_cstr(b, stream_consumer_status_name(c->status));
  sbuf_puts(b, ",\"ConsumerCreationTimestamp\":");
  json_ts(b, c->created_ms);
  if (with_stream) {
    sbuf_puts(b, ",\"StreamARN\":");
    stream_arn(b, stream);
  }
  sbuf_putc(b, '}');
}

static void act_register(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_handle *h = req_stream(k, root, name, rp);
  if (!h) return;
  const char *cname = jstr(root, "ConsumerName");
  int64_t now = core_wall_ms();
  char arn[400];
  snprintf(arn, sizeof arn, "arn:aws:kinesis:" REGION ":" ACCOUNT ":stream/%s/consumer/%s:%lld",
           name, cname, (long long)(now / 1000));
  core_error e;
  core_error_clear(&e);
  /* [IMPL] consumers are usable at once; the reply says CREATING as AWS's does. */
  int rc = stream_consumer_add(h, cname, arn, STREAM_CONSUMER_ACTIVE, now, &e);
  if (rc == SLUICE_EXISTS) {
    kerr(rp, "ResourceInUseException",
         "Consumer %s under stream %s already exists for account " ACCOUNT ".", cname, name);
  } else if (rc == SLUICE_LIMIT) {
    kerr(rp, "LimitExceededException",
         "Consumer limit of 20 for stream %s under account " ACCOUNT " has been reached.", name);
  } else if (rc != SLUICE_OK) {
    store_fail(rp, rc, &e, name, h);
  } else {
    stream_consumer c = {
        .name = cname, .arn = arn, .status = STREAM_CONSUMER_CREATING, .created_ms = now};
    ok_json(rp);
    sbuf_puts(&rp->body, "{\"Consumer\":");
    consumer_json(&rp->body, &c, name, false);
    sbuf_putc(&rp->body, '}');
  }
  stream_release(h);
}

/* Finds the consumer a request names (ConsumerARN, or StreamARN + ConsumerName). */
static const stream_consumer *req_consumer(kin_state *k, const cJSON *root, char stream[129],
                                           stream_handle **hp, srv_reply *rp) {
  const char *carn = jstr(root, "ConsumerARN");
  const char *cname = jstr(root, "ConsumerName");
  const char *sarn = jstr(root, "StreamARN");
  char consumer[129];
  if (carn) {
    if (server_parse_consumer_arn(carn, strlen(carn), stream, consumer) != SLUICE_OK) {
      kerr(rp, "InvalidArgumentException", "Invalid ConsumerARN %s.", carn);
      return NULL;
    }
  } else if (cname && sarn) {
    if (server_parse_stream_arn(sarn, strlen(sarn), stream) != SLUICE_OK) {
      kerr(rp, "ResourceNotFoundException", "Stream arn %s not found.", sarn);
      return NULL;
    }
    snprintf(consumer, sizeof consumer, "%s", cname);
  } else {
    kerr(rp, "InvalidArgumentException",
         "Either ConsumerARN or both ConsumerName and StreamARN must be provided.");
    return NULL;
  }
  stream_handle *h = NULL;
  if (stream_get(k->store, stream, &h, NULL) != SLUICE_OK) {
    not_found(rp, stream);
    return NULL;
  }
  stream_info *info = describe(k, h, stream, rp);
  if (!info) {
    stream_release(h);
    return NULL;
  }
  for (uint32_t i = 0; i < info->n_consumers; i++) {
    const stream_consumer *c = &info->consumers[i];
    if (strcmp(c->name, consumer) == 0 && (!carn || strcmp(c->arn, carn) == 0)) {
      *hp = h;
      return c;
    }
  }
  stream_release(h);
  kerr(rp, "ResourceNotFoundException",
       "Consumer %s, stream %s under account " ACCOUNT " not found.", carn ? carn : consumer,
       stream);
  return NULL;
}

static void act_describe_consumer(kin_state *k, const cJSON *root, srv_reply *rp) {
  char stream[129];
  stream_handle *h = NULL;
  const stream_consumer *c = req_consumer(k, root, stream, &h, rp);
  if (!c) return;
  ok_json(rp);
  sbuf_puts(&rp->body, "{\"ConsumerDescription\":");
  consumer_json(&rp->body, c, stream, true);
  sbuf_putc(&rp->body, '}');
  stream_release(h);
}

static void act_deregister(kin_state *k, const cJSON *root, srv_reply *rp) {
  char stream[129];
  stream_handle *h = NULL;
  const stream_consumer *c = req_consumer(k, root, stream, &h, rp);
  if (!c) return;
  core_error e;
  core_error_clear(&e);
  kin_sub_cancel_consumer(k, c->arn);
  int rc = stream_consumer_remove(h, c->name, &e);
  reply_rc(rp, rc, &e, stream, h);
  stream_release(h);
}

static void act_list_consumers(kin_state *k, const cJSON *root, srv_reply *rp) {
  char name[129];
  stream_info *info = req_describe(k, root, name, rp);
  if (!info) return;
  int64_t max = 100, start = 0;
  jint(root, "MaxResults", &max);
  if (max > 100) max = 100;
  const char *tok = jstr(root, "NextToken");
  if (tok) {
    char *end = NULL;
    start = strtoll(tok, &end, 10);
    if (!end || *end || start < 0) {
      kerr(rp, "InvalidArgumentException", "Invalid NextToken.");
      return;
    }
  }
  sbuf *b = &rp->body;
  ok_json(rp);
  sbuf_puts(b, "{\"Consumers\":[");
  int64_t n = 0;
  for (int64_t i = start; i < (int64_t)info->n_consumers && n < max; i++) {
    if (n++) sbuf_putc(b, ',');
    consumer_json(b, &info->consumers[i], name, false);
  }
  sbuf_putc(b, ']');
  if (start + n < (int64_t)info->n_consumers)
    sbuf_printf(b, ",\"NextToken\":\"%lld\"", (long long)(start + n));
  sbuf_putc(b, '}');
}

/* ------------------------------------------------------------- dispatch -- */

static bool media_type_is(const char *ct, size_t n, const char *want) {
  size_t e = 0;
  while (e < n && ct[e] != ';' && ct[e] != ' ') e++;
  return e == strlen(want) && strncasecmp(ct, want, e) == 0;
}

static const char forbidden_xml[] =
    "<AccessDeniedException>\n"
    "  <Message>Unable to determine service/operation name to be authorized</Message>\n"
    "</AccessDeniedException>\n";

void kin_handle(server_t *s, const srv_request *rq, srv_reply *rp) {
  kin_state *k = s->kin;
  core_arena_reset(k->arena);
  rp->status = 200;
  rp->content_type = SRV_JSON_TYPE;
  rp->body.len = 0;
  if (rq->method_len != 4 || memcmp(rq->method, "POST", 4) != 0) {
    rp->status = 403;
    rp->content_type = "application/xml";
    sbuf_puts(&rp->body, forbidden_xml);
    return;
  }
  const char *ct = rq->content_type;
  size_t ctn = rq->content_type_len;
  if (ct && media_type_is(ct, ctn, "application/x-amz-cbor-1.1")) {
    srv_error(rp, 400, "SerializationException",
              "sluice does not speak CBOR; disable it in the client (AWS_CBOR_DISABLE=1 for the "
              "Java SDK v1, -Daws.cborEnabled=false for v2)");
    return;
  }
  if (!ct || !(media_type_is(ct, ctn, "application/x-amz-json-1.1") ||
               media_type_is(ct, ctn, "application/x-amz-json-1.0") ||
               media_type_is(ct, ctn, "application/json"))) {
    rp->status = 404;
    rp->content_type = "application/xml";
    sbuf_puts(&rp->body, "<UnknownOperationException/>\n");
    return;
  }
  static const char prefix[] = "Kinesis_20131202.";
  size_t pl = sizeof prefix - 1;
  const vaction *a = NULL;
  if (rq->target && rq->target_len > pl && memcmp(rq->target, prefix, pl) == 0)
    a = vaction_find(rq->target + pl, rq->target_len - pl);
  if (!a) {
    srv_error(rp, 400, "UnknownOperationException", NULL);
    return;
  }
  if (a->id == ACT_PUT_RECORDS && put_records_fast(k, rq, rp)) {
    if (rp->body.oom) internal(rp, NULL);
    return;
  }
  /* JSON forbids raw control characters, and bodies are UTF-8; cJSON would
   * accept both (and cut strings at a NUL), so they are refused here. */
  bool clean = core_utf8_valid(rq->body, rq->body_len);
  for (size_t i = 0; clean && i < rq->body_len; i++) {
    unsigned char ch = (unsigned char)rq->body[i];
    if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') clean = false;
  }
  cJSON *root = !clean         ? NULL
                : rq->body_len ? cJSON_ParseWithLength(rq->body, rq->body_len)
                               : cJSON_CreateObject();
  if (!root || !cJSON_IsObject(root)) {
    cJSON_Delete(root);
    srv_error(rp, 400, "SerializationException", NULL);
    return;
  }
  char type[64];
  static __thread char msg[65536];
  if (vaction_check(a, root, type, msg, sizeof msg) != SLUICE_OK) {
    if (strcmp(type, "SerializationException") == 0) {
      /* AWS spells this one's member with a capital M. */
      rp->status = 400;
      sbuf_puts(&rp->body, "{\"__type\":\"SerializationException\",\"Message\":");
      json_cstr(&rp->body, msg);
      sbuf_putc(&rp->body, '}');
    } else {
      srv_error(rp, 400, type, msg[0] ? msg : NULL);
    }
    cJSON_Delete(root);
    return;
  }
  switch (a->id) {
    case ACT_ADD_TAGS:
      act_add_tags(k, root, rp);
      break;
    case ACT_CREATE:
      act_create(k, root, rp);
      break;
    case ACT_DECREASE_RETENTION:
      act_retention(k, root, rp, -1);
      break;
    case ACT_DELETE:
      act_delete(k, root, rp);
      break;
    case ACT_DEREGISTER_CONSUMER:
      act_deregister(k, root, rp);
      break;
    case ACT_DESCRIBE_LIMITS:
      act_describe_limits(k, root, rp);
      break;
    case ACT_DESCRIBE:
      act_describe(k, root, rp);
      break;
    case ACT_DESCRIBE_CONSUMER:
      act_describe_consumer(k, root, rp);
      break;
    case ACT_DESCRIBE_SUMMARY:
      act_describe_summary(k, root, rp);
      break;
    case ACT_DISABLE_MONITORING:
      act_monitoring(k, root, rp, false);
      break;
    case ACT_ENABLE_MONITORING:
      act_monitoring(k, root, rp, true);
      break;
    case ACT_GET_RECORDS:
      act_get_records(k, root, rp);
      break;
    case ACT_GET_ITERATOR:
      act_get_iterator(k, root, rp);
      break;
    case ACT_INCREASE_RETENTION:
      act_retention(k, root, rp, 1);
      break;
    case ACT_LIST_SHARDS:
      act_list_shards(k, root, rp);
      break;
    case ACT_LIST_CONSUMERS:
      act_list_consumers(k, root, rp);
      break;
    case ACT_LIST_STREAMS:
      act_list_streams(k, root, rp);
      break;
    case ACT_LIST_TAGS:
      act_list_tags(k, root, rp);
      break;
    case ACT_MERGE:
      act_merge(k, root, rp);
      break;
    case ACT_PUT_RECORD:
      act_put_record(k, root, rp);
      break;
    case ACT_PUT_RECORDS:
      act_put_records(k, root, rp);
      break;
    case ACT_REGISTER_CONSUMER:
      act_register(k, root, rp);
      break;
    case ACT_REMOVE_TAGS:
      act_remove_tags(k, root, rp);
      break;
    case ACT_SPLIT:
      act_split(k, root, rp);
      break;
    case ACT_START_ENCRYPTION:
      act_encryption(k, root, rp, true);
      break;
    case ACT_STOP_ENCRYPTION:
      act_encryption(k, root, rp, false);
      break;
    case ACT_SUBSCRIBE:
      kin_subscribe(s, root, rp);
      break;
    case ACT_UPDATE_SHARD_COUNT:
      act_update_shard_count(k, root, rp);
      break;
    case ACT_UPDATE_MODE:
      act_update_mode(k, root, rp);
      break;
    case ACT_TAG_RESOURCE:
    case ACT_UNTAG_RESOURCE:
    case ACT_LIST_TAGS_RESOURCE:
      act_resource_tags(k, root, a->id, rp);
      break;
    default:
      srv_error(rp, 400, "UnknownOperationException", NULL);
  }
  cJSON_Delete(root);
  if (rp->body.oom) internal(rp, NULL);
}

/* ------------------------------------------------------- state, ticking -- */

/* The key that signs iterators and tokens: kept in the data directory so
 * that iterators stay valid across a restart (for their 5 minutes). */
static int load_key(const char *dir, uint8_t key[32]) {
  char path[4096];
  snprintf(path, sizeof path, "%s/server.key", dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, key, 32);
    close(fd);
    if (n == 32) return SLUICE_OK;
  }
  if (RAND_bytes(key, 32) != 1) return SLUICE_ERROR;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    bool ok = write(fd, key, 32) == 32 && fsync(fd) == 0;
    close(fd);
    if (ok) rename(tmp, path);
  }
  return SLUICE_OK;
}

int kin_open(server_t *s, core_error *err) {
  kin_state *k = calloc(1, sizeof *k);
  if (!k) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  s->kin = k;
  k->srv = s;
  k->enforce = s->cfg.enforce_limits;
  /* Blocks of 8 MiB: a GetRecords page's read chunk and record array come out
   * of the block that every reset keeps, not out of fresh memory that the
   * kernel must fault in on each call. */
  k->arena = core_arena_new(8u << 20);
  k->rates = calloc(KIN_RATE_SLOTS, sizeof *k->rates);
  k->clock = core_clock_new(CORE_CLOCK_LIVE, 0);
  k->put = malloc(sizeof *k->put);
  k->put_in = malloc(SERVER_PUT_MAX_RECORDS * sizeof *k->put_in);
  if (!k->arena || !k->rates || !k->clock || !k->put || !k->put_in)
    return core_error_set(err, SLUICE_NOMEM, "out of memory");
  if (mkdir(s->cfg.data_dir, 0755) != 0 && errno != EEXIST)
    return core_error_set(err, SLUICE_IO, "cannot create data directory %s: %s", s->cfg.data_dir,
                          strerror(errno));
  stream_options opt;
  stream_options_default(&opt);
  opt.fsync = s->cfg.fsync == SERVER_FSYNC_ALWAYS  ? STREAM_FSYNC_ALWAYS
              : s->cfg.fsync == SERVER_FSYNC_NEVER ? STREAM_FSYNC_NEVER
                                                   : STREAM_FSYNC_INTERVAL;
  k->shard_limit = opt.shard_limit;
  if (s->cfg.store) {
    k->store = s->cfg.store;
    k->borrowed_store = true;
  } else {
    int rc = stream_store_open(s->cfg.data_dir, &opt, k->clock, &k->store, err);
    if (rc != SLUICE_OK) return rc;
  }
  if (load_key(s->cfg.data_dir, k->key) != SLUICE_OK)
    return core_error_set(err, SLUICE_ERROR, "cannot make a random key for shard iterators");
  return SLUICE_OK;
}

void kin_close(server_t *s) {
  kin_state *k = s->kin;
  if (!k) return;
  kin_sub_cancel_stream(k, 0, UINT32_MAX);
  if (k->store && !k->borrowed_store) stream_store_close(k->store);
  core_clock_free(k->clock);
  core_arena_free(k->arena);
  free(k->rates);
  free(k->data);
  free(k->put);
  free(k->put_in);
  free(k);
  s->kin = NULL;
}

/* On-demand scaling: a shard of an ON_DEMAND stream that stayed above one
 * shard's capacity for 3 seconds in a row is split in the middle, up to
 * ON_DEMAND_MAX_SHARDS open shards ([IMPL]: AWS's default on-demand write
 * maximum is 200 MB/s, i.e. 200 shards' worth). */
#define ON_DEMAND_MAX_SHARDS 200
static void scale_on_demand(kin_state *k, int64_t sec) {
  for (size_t i = 0; i < KIN_RATE_SLOTS; i++) {
    kin_rate *r = &k->rates[i];
    if (!r->used) continue;
    bool hot_now = r->sec == sec - 1 && (r->recs_in > 1000 || r->bytes_in > 1048576);
    if (!((r->sec == sec && r->hot_secs >= 3) || (hot_now && r->hot_secs >= 2))) continue;
    r->hot_secs = 0;
    stream_handle *h = NULL;
    if (stream_get(k->store, r->name, &h, NULL) != SLUICE_OK) continue;
    stream_info *info = NULL;
    stream_shard_info si;
    if (stream_generation(h) == r->gen && stream_describe(h, k->arena, &info, NULL) == SLUICE_OK &&
        info->mode == STREAM_ON_DEMAND && info->status == STREAM_ACTIVE &&
        info->open_shards < ON_DEMAND_MAX_SHARDS &&
        stream_shard_get(h, r->shard, k->arena, &si, NULL) == SLUICE_OK && !si.closed &&
        si.end_hash - si.start_hash > 4) {
      core_u128 mid = si.start_hash + (si.end_hash - si.start_hash) / 2 + 1;
      stream_split(h, r->shard, mid, NULL);
    }
    stream_release(h);
  }
}

void kin_tick(server_t *s) {
  kin_state *k = s->kin;
  core_arena_reset(k->arena);
  int64_t now = core_wall_ms();
  if (now - k->last_expire_ms >= 10000) {
    k->last_expire_ms = now;
    stream_store_expire(k->store, NULL);
  }
  scale_on_demand(k, now / 1000);
}

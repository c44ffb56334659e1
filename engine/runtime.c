/*
 * runtime.c — inputs, pumps and outputs running over the store (runtime.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/runtime.h"
#include "exec/exec.h"
#include "parser/parser.h"
#include "planner/planner.h"

#define READ_RECORDS 1024            /* records per store read */
#define READ_BYTES (4 * 1024 * 1024) /* bytes per store read */
#define NO_BOUND INT64_MIN

/* ============================================================ streams == */

/* A writer's rows waiting to be merged into a stream with several writers. */
typedef struct rt_queued {
  int64_t rowtime;
  uint32_t off, len;
} rt_queued;

typedef struct rt_writer {
  rt_queued *q;
  size_t n, head, cap;
  uint8_t *bytes;
  size_t nbytes, capbytes;
  int64_t bound;        /* this writer's rowtime bound */
  int64_t last_rowtime; /* ROWTIME of its last row */
} rt_writer;

typedef struct rt_stream {
  char *name;       /* catalog name */
  char *store_name; /* APP.NAME in the store */
  int64_t rel_id;
  int kind; /* catalog_rel_kind */
  stream_handle *h;
  int ncols;
  core_type *types;
  char **names;
  rt_writer **writers;
  int nwriters;
  int64_t bound;        /* rowtime bound published to readers */
  int64_t last_rowtime; /* ROWTIME of the last row appended */
  uint64_t tip;         /* position the next record of shard 0 gets */
  bool seen;            /* rt_sync mark */
} rt_stream;

/* A job's position in an in-application stream. */
typedef struct rt_reader {
  rt_stream *s;
  stream_pos pos;
  core_batch *batch;
  exec_op *op;
  int port;
  int64_t sent_bound;
} rt_reader;

typedef struct rt_pump rt_pump;

typedef struct rt_sink {
  exec_op op;
  rt_pump *pump;
} rt_sink;

struct rt_pump {
  int64_t id;
  char *name;
  char *sql;
  core_arena *arena; /* AST, bound plan, chain */
  exec_ctx ctx;
  exec_chain *chain;
  rt_reader *readers;
  int nreaders;
  rt_stream *target;
  rt_writer *writer;
  rt_sink sink;
  const catalog_relation *target_rel;
  runtime *rt;
  bool seen;
};

typedef struct rt_shard_reader {
  uint32_t shard;
  stream_pos pos;
  bool ended;
  bool caught_up;
} rt_shard_reader;

typedef struct rt_input {
  char *source_stream; /* data stream */
  int number;          /* 1..parallelism */
  int parallelism;
  stream_handle *data;
  stream_mapping *map;
  rt_stream *target;
  rt_writer *writer;
  rt_shard_reader *shards;
  int nshards;
  core_batch *batch;
  int start;
  int64_t start_ms;
  bool seen;
} rt_input;

typedef struct rt_output {
  int64_t id;
  rt_stream *src;
  stream_pos pos;
  core_batch *batch;
  stream_handle *dest;
  int format;
  uint64_t counter;
  bool seen;
} rt_output;

typedef struct rt_table {
  int64_t id;
  core_batch *rows;
} rt_table;

struct runtime {
  rt_config cfg;
  char *app_name;
  stream_store *store;
  core_clock *clock;
  pthread_mutex_t lock;
  rt_stream **streams;
  int nstreams;
  rt_pump **pumps;
  int npumps;
  rt_input **inputs;
  int ninputs;
  rt_output **outputs;
  int noutputs;
  rt_table *tables;
  int ntables;
  rt_stream *errors;
  core_batch *error_batch;
  uint64_t error_rows;
  core_arena *scratch;               /* one step's reads */
  stream_buf enc;                    /* row encoding buffer */
  stream_buf text;                   /* JSON/CSV rendering buffer */
  char hex[STREAM_DATA_ROW_MAX + 1]; /* error_stream DATA_ROW */
  char row_text[STREAM_DATA_ROW_MAX / 2];
  pthread_t worker;
  bool worker_running;
  volatile bool worker_stop;
};

static int oom(core_error *err) {
  return core_error_set(err, SLUICE_NOMEM, "out of memory");
}

static char *xstrdup(const char *s) {
  return s ? strdup(s) : NULL;
}

/* ------------------------------------------------------ store names -- */

/* APP.NAME with characters a Kinesis stream name cannot hold as -XX. */
static char *store_name_of(const char *app, const char *name) {
  size_t cap = (strlen(app) + strlen(name)) * 3 + 2;
  char *out = malloc(cap);
  if (!out) return NULL;
  size_t k = 0;
  const char *parts[2] = {app, name};
  for (int p = 0; p < 2; p++) {
    if (p) out[k++] = '.';
    for (const unsigned char *s = (const unsigned char *)parts[p]; *s; s++) {
      bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                *s == '_' || *s == '.';
      if (ok)
        out[k++] = (char)*s;
      else
        k += (size_t)snprintf(out + k, cap - k, "-%02X", *s);
    }
  }
  out[k] = 0;
  return out;
}

/* ------------------------------------------------------- row buffers -- */

static int enc_row(runtime *rt, const core_batch *b, int row, uint8_t **out, size_t *n) {
  rt->enc.len = 0;
  int rc = stream_row_encode(b, row, &rt->enc);
  if (rc) return rc;
  *out = rt->enc.data;
  *n = rt->enc.len;
  return SLUICE_OK;
}

static int writer_push(rt_writer *w, int64_t rowtime, const uint8_t *data, size_t len) {
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 256;
    rt_queued *q = realloc(w->q, cap * sizeof *q);
    if (!q) return SLUICE_NOMEM;
    w->q = q;
    w->cap = cap;
  }
  if (w->nbytes + len > w->capbytes) {
    size_t cap = w->capbytes ? w->capbytes * 2 : 65536;
    while (cap < w->nbytes + len) cap *= 2;
    uint8_t *p = realloc(w->bytes, cap);
    if (!p) return SLUICE_NOMEM;
    w->bytes = p;
    w->capbytes = cap;
  }
  memcpy(w->bytes + w->nbytes, data, len);
  w->q[w->n++] = (rt_queued){rowtime, (uint32_t)w->nbytes, (uint32_t)len};
  w->nbytes += len;
  w->last_rowtime = rowtime;
  return SLUICE_OK;
}

static void writer_free(rt_writer *w) {
  if (!w) return;
  free(w->q);
  free(w->bytes);
  free(w);
}

/* The time below which a writer will add no row. */
static int64_t writer_limit(const rt_writer *w) {
  int64_t l = w->bound;
  if (w->head < w->n && w->last_rowtime > l) l = w->last_rowtime;
  return l;
}

/* Appends records to the stream's single shard. */
static int append_records(rt_stream *s, const stream_record_in *recs, size_t n, core_error *err) {
  if (!n) return SLUICE_OK;
  stream_append_result res[256];
  for (size_t i = 0; i < n; i += 256) {
    size_t k = n - i < 256 ? n - i : 256;
    int rc = stream_append(s->h, recs + i, k, -1, res, err);
    if (rc) return rc;
    for (size_t j = 0; j < k; j++)
      if (res[j].rc)
        return core_error_set(err, res[j].rc, "cannot append a row to \"%s\": %s", s->name,
                              res[j].message);
    s->tip = res[k - 1].pos + 1;
  }
  return SLUICE_OK;
}

/* Moves the rows that every writer has made certain into the store, in ROWTIME order,
 * and publishes the stream's bound. */
static int stream_flush(rt_stream *s, core_error *err) {
  if (!s->nwriters) return SLUICE_OK;
  int64_t limit = INT64_MAX;
  for (int i = 0; i < s->nwriters; i++) {
    int64_t l = writer_limit(s->writers[i]);
    if (l < limit) limit = l;
  }
  stream_record_in recs[256];
  size_t nrecs = 0;
  for (;;) {
    /* the writer whose next row is the earliest, among rows at or below the limit */
    rt_writer *best = NULL;
    for (int i = 0; i < s->nwriters; i++) {
      rt_writer *w = s->writers[i];
      if (w->head == w->n) continue;
      if (s->nwriters > 1 && w->q[w->head].rowtime > limit) continue;
      if (!best || w->q[w->head].rowtime < best->q[best->head].rowtime) best = w;
    }
    if (!best || nrecs == 256) {
      int rc = append_records(s, recs, nrecs, err);
      if (rc) return rc;
      nrecs = 0;
      if (!best) break;
    }
    rt_queued *q = &best->q[best->head++];
    recs[nrecs++] = (stream_record_in){.partition_key = "0",
                                       .partition_key_len = 1,
                                       .data = best->bytes + q->off,
                                       .data_len = q->len};
    if (q->rowtime > s->last_rowtime) s->last_rowtime = q->rowtime;
  }
  for (int i = 0; i < s->nwriters; i++) {
    rt_writer *w = s->writers[i];
    if (w->head == w->n) w->head = w->n = w->nbytes = 0;
  }
  if (limit != INT64_MAX && limit > s->bound) s->bound = limit;
  return SLUICE_OK;
}

static int stream_add_writer(rt_stream *s, rt_writer **out) {
  rt_writer *w = calloc(1, sizeof *w);
  rt_writer **ws = realloc(s->writers, sizeof *ws * (size_t)(s->nwriters + 1));
  if (!w || !ws) {
    free(w);
    if (ws) s->writers = ws;
    return SLUICE_NOMEM;
  }
  w->bound = NO_BOUND;
  w->last_rowtime = NO_BOUND;
  s->writers = ws;
  s->writers[s->nwriters++] = w;
  *out = w;
  return SLUICE_OK;
}

static void stream_remove_writer(rt_stream *s, rt_writer *w) {
  for (int i = 0; i < s->nwriters; i++)
    if (s->writers[i] == w) {
      s->writers[i] = s->writers[--s->nwriters];
      break;
    }
  writer_free(w);
}

static void rt_stream_free(rt_stream *s) {
  if (!s) return;
  for (int i = 0; i < s->nwriters; i++) writer_free(s->writers[i]);
  free(s->writers);
  stream_release(s->h);
  for (int i = 0; i < s->ncols; i++) free(s->names[i]);
  free(s->names);
  free(s->types);
  free(s->name);
  free(s->store_name);
  free(s);
}

static rt_stream *find_stream(runtime *rt, const char *name) {
  for (int i = 0; i < rt->nstreams; i++)
    if (strcmp(rt->streams[i]->name, name) == 0) return rt->streams[i];
  return NULL;
}

static bool same_schema(const rt_stream *s, const catalog_relation *r, int extra) {
  if (s->ncols != r->ncolumns + extra) return false;
  for (int i = 0; i < r->ncolumns; i++)
    if (strcmp(s->names[i], r->columns[i].name) != 0 ||
        memcmp(&s->types[i], &r->columns[i].type, sizeof(core_type)) != 0)
      return false;
  return true;
}

/* The store stream and schema of an in-application stream (created when missing; a
 * stream redefined by CREATE OR REPLACE starts empty). */
static int open_stream(runtime *rt, const catalog_relation *r, core_error *err) {
  int extra = r->kind == CATALOG_REL_SOURCE ? 1 : 0;
  rt_stream *s = find_stream(rt, r->name);
  if (s && same_schema(s, r, extra)) {
    s->seen = true;
    return SLUICE_OK;
  }
  bool replaced = s != NULL;
  if (!s) {
    s = calloc(1, sizeof *s);
    rt_stream **v = realloc(rt->streams, sizeof *v * (size_t)(rt->nstreams + 1));
    if (!s || !v) {
      free(s);
      if (v) rt->streams = v;
      return oom(err);
    }
    rt->streams = v;
    rt->streams[rt->nstreams++] = s;
    s->name = xstrdup(r->name);
    s->store_name = store_name_of(rt->app_name, r->name);
    s->bound = NO_BOUND;
    s->last_rowtime = NO_BOUND;
    if (!s->name || !s->store_name) return oom(err);
  } else {
    for (int i = 0; i < s->ncols; i++) free(s->names[i]);
    free(s->names);
    free(s->types);
    s->names = NULL;
    s->types = NULL;
  }
  s->seen = true;
  s->rel_id = r->id;
  s->kind = r->kind;
  s->ncols = r->ncolumns + extra;
  s->types = calloc((size_t)s->ncols + 1, sizeof *s->types);
  s->names = calloc((size_t)s->ncols + 1, sizeof *s->names);
  if (!s->types || !s->names) return oom(err);
  for (int i = 0; i < r->ncolumns; i++) {
    s->types[i] = r->columns[i].type;
    s->names[i] = xstrdup(r->columns[i].name);
  }
  if (extra) {
    s->types[r->ncolumns] = (core_type){.id = CORE_T_TIMESTAMP};
    s->names[r->ncolumns] = xstrdup("APPROXIMATE_ARRIVAL_TIME");
  }
  /* the store stream: a redefined stream starts over */
  stream_handle *h = NULL;
  int rc = stream_get(rt->store, s->store_name, &h, err);
  if (rc == SLUICE_OK && (replaced || !s->h)) {
    if (replaced) {
      stream_delete(h, true, err);
      stream_release(h);
      h = NULL;
      rc = SLUICE_NOTFOUND;
    }
  }
  if (rc == SLUICE_NOTFOUND) {
    core_error_clear(err);
    rc = stream_create(rt->store, s->store_name, 1, STREAM_PROVISIONED, &h, err);
  }
  if (rc) return rc;
  stream_release(s->h);
  s->h = h;
  stream_pos tip;
  rc = stream_iterator(h, 0, STREAM_LATEST, NULL, 0, 0, &tip, NULL, err);
  if (rc) return rc;
  s->tip = tip.pos;
  /* readers through the Kinesis API render the rows as JSON with this schema */
  stream_buf sb = {0};
  rc = stream_schema_encode(s->ncols, (const char *const *)s->names, s->types, &sb);
  if (!rc) rc = stream_set_attr(h, STREAM_ATTR_SCHEMA, sb.data, sb.len, err);
  stream_buf_free(&sb);
  return rc ? (err->code ? rc : oom(err)) : SLUICE_OK;
}

/* ======================================================== error_stream == */

/* One row of error_stream (spec 6.7). */
static void error_row(runtime *rt, const char *name, const char *message, int64_t data_rowtime,
                      const uint8_t *data, size_t n, const char *pump) {
  rt_stream *s = rt->errors;
  rt->error_rows++;
  if (!s || !rt->error_batch) return;
  core_batch *b = rt->error_batch;
  core_batch_reset(b);
  b->n = 1;
  int64_t now = core_clock_now(rt->clock);
  if (now < s->last_rowtime) now = s->last_rowtime;
  b->rowtime[0] = now;
  char *hex = rt->hex;
  hex[stream_hex_encode(data, n, hex, STREAM_DATA_ROW_MAX)] = 0;
  core_value v[7];
  memset(v, 0, sizeof v);
  for (int i = 0; i < 7 && i < b->ncols; i++) v[i].type = b->cols[i].type;
  v[0].u.i = now;
  v[1].u.s.p = "ERROR";
  v[1].u.s.n = 5;
  v[2].u.s.p = name;
  v[2].u.s.n = (uint32_t)strlen(name);
  v[3].u.s.p = message;
  v[3].u.s.n = (uint32_t)strlen(message);
  v[4].u.i = data_rowtime;
  v[4].is_null = data_rowtime == NO_BOUND;
  v[5].u.s.p = hex;
  v[5].u.s.n = (uint32_t)strlen(hex);
  v[6].u.s.p = pump ? pump : "";
  v[6].u.s.n = (uint32_t)strlen(v[6].u.s.p);
  v[6].is_null = pump == NULL;
  for (int i = 0; i < 7 && i < b->ncols; i++) {
    /* truncate to the declared length */
    if (core_type_repr(v[i].type.id) == 's' && v[i].type.precision > 0 &&
        v[i].u.s.n > (uint32_t)v[i].type.precision)
      v[i].u.s.n = (uint32_t)v[i].type.precision;
    core_vec_set(b, i, 0, &v[i]);
  }
  uint8_t *rec;
  size_t len;
  if (enc_row(rt, b, 0, &rec, &len)) return;
  stream_record_in in = {
      .partition_key = "0", .partition_key_len = 1, .data = rec, .data_len = (uint32_t)len};
  stream_append_result res;
  core_error e;
  if (stream_append(s->h, &in, 1, -1, &res, &e) == SLUICE_OK && res.rc == SLUICE_OK) {
    s->last_rowtime = now;
    if (now > s->bound) s->bound = now;
  }
}

/* A row's values as text, for DATA_ROW of a run-time error. */
static size_t row_text(const core_batch *b, int row, char *buf, size_t cap) {
  size_t k = 0;
  for (int c = 0; c < b->ncols && k + 1 < cap; c++) {
    core_value v;
    core_vec_get(&b->cols[c], row, &v);
    if (c) buf[k++] = ',';
    size_t need = core_value_format(&v, buf + k, cap - k);
    k += need < cap - k ? need : cap - k - 1;
  }
  buf[k] = 0;
  return k;
}

static void pump_row_error(void *arg, const char *name, const char *message, const core_batch *b,
                           int row) {
  rt_pump *p = arg;
  char *text = p->rt->row_text;
  size_t n = row_text(b, row, text, sizeof p->rt->row_text);
  error_row(p->rt, name, message, b->rowtime[row], (const uint8_t *)text, n, p->name);
}

/* =============================================================== pumps == */

/* A string value assigned to a CHAR(n) / VARCHAR(n) column: cut to n characters, and a
 * CHAR blank-padded to n (spec 2.1, 8.22c). */
static int fit_string(core_batch *b, int col, int row, core_type t) {
  core_vec *v = &b->cols[col];
  if (v->null[row] || t.precision <= 0) return SLUICE_OK;
  core_str *x = &v->u.s[row];
  uint32_t chars = 0, i = 0;
  while (i < x->n && chars < (uint32_t)t.precision) {
    unsigned char c = (unsigned char)x->p[i];
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    chars++;
  }
  if (i < x->n) x->n = i; /* cut at a character boundary */
  if (t.id == CORE_T_CHAR && chars < (uint32_t)t.precision) {
    uint32_t pad = (uint32_t)t.precision - chars;
    char *p = core_arena_alloc(b->heap, x->n + pad);
    if (!p) return SLUICE_NOMEM;
    memcpy(p, x->p, x->n);
    memset(p + x->n, ' ', pad);
    *x = (core_str){p, x->n + pad};
  }
  return SLUICE_OK;
}

static int sink_push(exec_op *op, int port, core_batch *b, core_error *err) {
  rt_sink *sk = (rt_sink *)op;
  rt_pump *p = sk->pump;
  runtime *rt = p->rt;
  const catalog_relation *t = p->target_rel;
  int live = core_batch_live(b);
  for (int k = 0; k < live; k++) {
    int row = core_batch_row(b, k);
    for (int c = 0; c < t->ncolumns && c < b->ncols; c++)
      if (core_type_is_string(t->columns[c].type.id) && fit_string(b, c, row, t->columns[c].type))
        return oom(err);
    bool bad = false;
    for (int c = 0; c < t->ncolumns && c < b->ncols && !bad; c++)
      if (t->columns[c].type.not_null && b->cols[c].null[row]) {
        char msg[256];
        snprintf(msg, sizeof msg, "column \"%s\" of stream \"%s\" is NOT NULL", t->columns[c].name,
                 t->name);
        pump_row_error(p, "NotNullViolation", msg, b, row);
        bad = true;
      }
    if (bad) continue;
    if (b->rowtime[row] < p->writer->last_rowtime) {
      char msg[256];
      snprintf(msg, sizeof msg, "ROWTIME goes backwards in stream \"%s\"", t->name);
      pump_row_error(p, "OutOfOrderRowtime", msg, b, row);
      continue;
    }
    uint8_t *rec;
    size_t len;
    if (enc_row(rt, b, row, &rec, &len) || writer_push(p->writer, b->rowtime[row], rec, len))
      return oom(err);
  }
  return stream_flush(p->target, err);
}

static int sink_bound(exec_op *op, int port, int64_t bound, core_error *err) {
  rt_sink *sk = (rt_sink *)op;
  rt_pump *p = sk->pump;
  if (bound > p->writer->bound) p->writer->bound = bound;
  return stream_flush(p->target, err);
}

static void sink_free(exec_op *op) {
  (void)op;
}

static int table_rows(void *arg, const catalog_relation *rel, const core_batch **out,
                      core_error *err);

static void pump_free(rt_pump *p) {
  if (!p) return;
  exec_chain_free(p->chain);
  for (int i = 0; i < p->nreaders; i++) core_batch_free(p->readers[i].batch);
  free(p->readers);
  if (p->target && p->writer) stream_remove_writer(p->target, p->writer);
  core_arena_free(p->arena);
  free(p->name);
  free(p->sql);
  free(p);
}

static int reader_init(runtime *rt, rt_reader *r, rt_stream *s, exec_op *op, int port,
                       core_error *err) {
  r->s = s;
  r->op = op;
  r->port = port;
  r->sent_bound = NO_BOUND;
  r->batch = core_batch_new(s->ncols, s->types, CORE_BATCH_CAP);
  if (!r->batch) return oom(err);
  return stream_iterator(s->h, 0, STREAM_LATEST, NULL, 0, 0, &r->pos, NULL, err);
}

static int pump_start(runtime *rt, const catalog_pump *cp, core_error *err) {
  rt_pump *p = calloc(1, sizeof *p);
  if (!p) return oom(err);
  p->rt = rt;
  p->id = cp->id;
  p->name = xstrdup(cp->name);
  p->sql = xstrdup(cp->sql);
  p->arena = core_arena_new(0);
  p->seen = true;
  int rc = SLUICE_OK;
  if (!p->name || !p->sql || !p->arena) rc = oom(err);
  parse_stmt *st = NULL;
  if (!rc) rc = parse_statement(p->arena, p->sql, strlen(p->sql), &st, err);
  plan_stmt *ps = NULL;
  if (!rc) {
    plan_ctx pc = {
        .cat = rt->cfg.cat, .app = rt->cfg.app, .arena = p->arena, .strict = rt->cfg.strict};
    rc = plan_bind(&pc, st, &ps, err);
  }
  if (!rc && (!ps->insert))
    rc = core_error_set(err, SLUICE_INTERNAL, "internal: pump \"%s\" has no INSERT", cp->name);
  if (!rc) {
    p->ctx.row_error = pump_row_error;
    p->ctx.arg = p;
    p->ctx.pump = p->name;
    p->ctx.statement_ms = core_clock_now(rt->clock);
    p->ctx.clock = rt->clock;
    exec_build_env env = {table_rows, rt};
    rc = exec_build_insert(ps->insert, &p->ctx, &env, p->arena, &p->chain, err);
  }
  if (!rc) {
    p->target_rel = ps->insert->target;
    p->target = find_stream(rt, ps->insert->target->name);
    if (!p->target)
      rc = core_error_set(err, SLUICE_INTERNAL, "internal: stream \"%s\" is not open",
                          ps->insert->target->name);
  }
  if (!rc) rc = stream_add_writer(p->target, &p->writer) ? oom(err) : SLUICE_OK;
  if (!rc) {
    p->sink.op = (exec_op){
        .name = "sink", .push = sink_push, .bound = sink_bound, .free = sink_free, .ctx = &p->ctx};
    p->sink.pump = p;
    exec_chain_connect(p->chain, &p->sink.op, 0);
    p->readers = calloc((size_t)p->chain->ninputs + 1, sizeof *p->readers);
    if (!p->readers) rc = oom(err);
  }
  for (int i = 0; !rc && i < p->chain->ninputs; i++) {
    exec_input *in = &p->chain->inputs[i];
    rt_stream *s = find_stream(rt, in->rel->name);
    if (!s) {
      rc = core_error_set(err, SLUICE_INTERNAL, "internal: stream \"%s\" is not open",
                          in->rel->name);
      break;
    }
    rc = reader_init(rt, &p->readers[i], s, in->op, in->port, err);
    if (!rc) p->nreaders++;
  }
  if (rc) {
    pump_free(p);
    return rc;
  }
  rt_pump **v = realloc(rt->pumps, sizeof *v * (size_t)(rt->npumps + 1));
  if (!v) {
    pump_free(p);
    return oom(err);
  }
  rt->pumps = v;
  rt->pumps[rt->npumps++] = p;
  return SLUICE_OK;
}

/* Reads a reader's new rows into its operator; then its stream's bound. */
static int reader_step(runtime *rt, rt_reader *r, bool *progress, core_error *err) {
  for (;;) {
    core_arena_reset(rt->scratch);
    stream_read_result res;
    int rc = stream_read(r->s->h, &r->pos, READ_RECORDS, READ_BYTES, rt->scratch, &res, err);
    if (rc) return rc;
    if (res.n == 0) break;
    *progress = true;
    core_batch *b = r->batch;
    core_batch_reset(b);
    for (size_t i = 0; i < res.n; i++) {
      if (b->n == b->cap) {
        if ((rc = r->op->push(r->op, r->port, b, err))) return rc;
        core_batch_reset(b);
      }
      rc = stream_row_decode(res.records[i].data, res.records[i].data_len, b, err);
      if (rc) return rc;
    }
    if (b->n && (rc = r->op->push(r->op, r->port, b, err))) return rc;
    r->pos = res.next;
  }
  if (r->s->bound > r->sent_bound) {
    r->sent_bound = r->s->bound;
    *progress = true;
    return r->op->bound(r->op, r->port, r->sent_bound, err);
  }
  return SLUICE_OK;
}

/* ============================================================== inputs == */

static void input_free(rt_input *in) {
  if (!in) return;
  if (in->target && in->writer) stream_remove_writer(in->target, in->writer);
  stream_mapping_free(in->map);
  core_batch_free(in->batch);
  stream_release(in->data);
  free(in->shards);
  free(in->source_stream);
  free(in);
}

static int input_add_shard(rt_input *in, uint32_t shard, stream_iterator_type type, int64_t ms,
                           core_error *err) {
  rt_shard_reader *v = realloc(in->shards, sizeof *v * (size_t)(in->nshards + 1));
  if (!v) return oom(err);
  in->shards = v;
  rt_shard_reader *s = &in->shards[in->nshards];
  memset(s, 0, sizeof *s);
  s->shard = shard;
  int rc = stream_iterator(in->data, shard, type, NULL, 0, ms, &s->pos, NULL, err);
  if (rc) return rc;
  in->nshards++;
  return SLUICE_OK;
}

static int get_or_create_data_stream(runtime *rt, const char *name, stream_handle **h,
                                     core_error *err) {
  int rc = stream_get(rt->store, name, h, err);
  if (rc == SLUICE_NOTFOUND) {
    /* [IMPL] a .sql application is self-contained: a data stream it names but that does
     * not exist yet is created with one shard */
    core_error_clear(err);
    rc = stream_create(rt->store, name, 1, STREAM_PROVISIONED, h, err);
  }
  return rc;
}

static int input_start(runtime *rt, const catalog_input *ci, int number, rt_stream *target,
                       core_error *err) {
  rt_input *in = calloc(1, sizeof *in);
  if (!in) return oom(err);
  in->source_stream = xstrdup(ci->source_stream);
  in->number = number;
  in->parallelism = ci->parallelism;
  in->target = target;
  in->start = ci->start;
  in->start_ms = ci->start_ms;
  in->seen = true;
  int rc = in->source_stream ? SLUICE_OK : oom(err);
  if (!rc) rc = get_or_create_data_stream(rt, ci->source_stream, &in->data, err);
  if (!rc) {
    const char **names = calloc((size_t)ci->ncolumns + 1, sizeof *names);
    const char **paths = calloc((size_t)ci->ncolumns + 1, sizeof *paths);
    core_type *types = calloc((size_t)ci->ncolumns + 1, sizeof *types);
    if (!names || !paths || !types) {
      rc = oom(err);
    } else {
      for (int i = 0; i < ci->ncolumns; i++) {
        names[i] = ci->columns[i].name;
        paths[i] = ci->columns[i].mapping;
        types[i] = ci->columns[i].type;
      }
      stream_mapping_config mc = {
          .format = ci->format.type == CATALOG_FORMAT_CSV ? STREAM_FORMAT_CSV : STREAM_FORMAT_JSON,
          .row_path = ci->format.row_path,
          .row_delim = ci->format.row_delimiter,
          .col_delim = ci->format.col_delimiter,
          .ncolumns = ci->ncolumns,
          .names = names,
          .types = types,
          .paths = paths};
      rc = stream_mapping_compile(&mc, &in->map, err);
    }
    free(names);
    free(paths);
    free(types);
  }
  if (!rc) {
    in->batch = core_batch_new(target->ncols, target->types, CORE_BATCH_CAP);
    if (!in->batch) rc = oom(err);
  }
  if (!rc) rc = stream_add_writer(target, &in->writer) ? oom(err) : SLUICE_OK;
  if (!rc) {
    core_arena_reset(rt->scratch);
    stream_info *info;
    rc = stream_describe(in->data, rt->scratch, &info, err);
    stream_iterator_type type = in->start == CATALOG_START_TRIM_HORIZON ? STREAM_TRIM_HORIZON
                                : in->start == CATALOG_START_TIMESTAMP  ? STREAM_AT_TIMESTAMP
                                                                        : STREAM_LATEST;
    for (uint32_t i = 0; !rc && i < info->n_shards; i++) {
      const stream_shard_info *sh = &info->shards[i];
      if ((int)(sh->index % (uint32_t)in->parallelism) != number - 1) continue;
      if (sh->closed && type == STREAM_LATEST) continue;
      rc = input_add_shard(in, sh->index, type, in->start_ms, err);
    }
  }
  if (rc) {
    input_free(in);
    return rc;
  }
  rt_input **v = realloc(rt->inputs, sizeof *v * (size_t)(rt->ninputs + 1));
  if (!v) {
    input_free(in);
    return oom(err);
  }
  rt->inputs = v;
  rt->inputs[rt->ninputs++] = in;
  return SLUICE_OK;
}

typedef struct in_rec {
  const stream_record *r;
  int shard;
} in_rec;

static int cmp_in_rec(const void *a, const void *b) {
  const in_rec *x = a, *y = b;
  if (x->r->arrival_ms != y->r->arrival_ms) return x->r->arrival_ms < y->r->arrival_ms ? -1 : 1;
  if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
  return x->r->pos < y->r->pos ? -1 : (x->r->pos > y->r->pos);
}

/* Moves the decoded rows of in->batch into the target's writer. */
/* Moves the decoded rows of in->batch into the source stream. A pump reader that has
 * read everything the stream holds gets the same rows at once, from the decoded batch:
 * they are not read back from the store and decoded again (a source stream has one
 * writer, the input, so the rows appended are exactly the batch, in order). */
static int input_flush_batch(runtime *rt, rt_input *in, core_error *err) {
  core_batch *b = in->batch;
  if (!b->n) return SLUICE_OK;
  rt_stream *s = in->target;
  uint64_t before = s->tip;
  for (int row = 0; row < b->n; row++) {
    uint8_t *rec;
    size_t len;
    if (enc_row(rt, b, row, &rec, &len) || writer_push(in->writer, b->rowtime[row], rec, len))
      return oom(err);
  }
  int rc = stream_flush(s, err);
  if (rc) return rc;
  bool whole = s->tip == before + (uint64_t)b->n;
  for (int i = 0; whole && i < rt->npumps; i++) {
    rt_pump *p = rt->pumps[i];
    for (int k = 0; k < p->nreaders; k++) {
      rt_reader *r = &p->readers[k];
      if (r->s != s || r->pos.pos != before) continue;
      b->sel = NULL; /* an operator may have narrowed it for the reader before */
      if ((rc = r->op->push(r->op, r->port, b, err))) {
        core_error_detail(err, "In pump \"%s\".", p->name);
        return rc;
      }
      r->pos.pos = s->tip;
    }
  }
  core_batch_reset(b);
  return SLUICE_OK;
}

static int input_step(runtime *rt, rt_input *in, bool *progress, core_error *err) {
  core_arena_reset(rt->scratch);
  in_rec *all = NULL;
  size_t nall = 0, capall = 0;
  bool caught_up = true;
  int rc = SLUICE_OK;
  int nshards = in->nshards;
  for (int i = 0; i < nshards && !rc; i++) {
    rt_shard_reader *sh = &in->shards[i];
    if (sh->ended) continue;
    stream_read_result res;
    rc = stream_read(in->data, &sh->pos, READ_RECORDS, READ_BYTES, rt->scratch, &res, err);
    if (rc) break;
    if (res.n == READ_RECORDS || res.millis_behind > 0) caught_up = false;
    if (res.n) {
      if (nall + res.n > capall) {
        size_t cap = capall ? capall * 2 : 1024;
        while (cap < nall + res.n) cap *= 2;
        in_rec *v = realloc(all, cap * sizeof *v);
        if (!v) {
          rc = oom(err);
          break;
        }
        all = v;
        capall = cap;
      }
      for (size_t k = 0; k < res.n; k++) all[nall++] = (in_rec){&res.records[k], i};
    }
    sh->pos = res.next;
    if (res.shard_end) {
      /* a closed shard read to its end: continue with its children of this subset */
      sh->ended = true;
      stream_shard_info info;
      if (stream_shard_get(in->data, sh->shard, rt->scratch, &info, err) == SLUICE_OK)
        for (uint32_t c = 0; c < info.n_children && !rc; c++) {
          uint32_t child = info.children[c];
          bool have = false;
          for (int j = 0; j < in->nshards; j++) have |= in->shards[j].shard == child;
          if (!have && (int)(child % (uint32_t)in->parallelism) == in->number - 1)
            rc = input_add_shard(in, child, STREAM_TRIM_HORIZON, 0, err);
        }
      core_error_clear(err);
      caught_up = false;
    }
  }
  if (!rc && nall) {
    *progress = true;
    bool sorted = true; /* one shard, or shards read in arrival order: nothing to sort */
    for (size_t k = 1; k < nall && sorted; k++) sorted = cmp_in_rec(&all[k - 1], &all[k]) <= 0;
    if (!sorted) qsort(all, nall, sizeof *all, cmp_in_rec);
    int aat = in->target->ncols - 1; /* APPROXIMATE_ARRIVAL_TIME */
    for (size_t k = 0; k < nall && !rc; k++) {
      const stream_record *r = all[k].r;
      int64_t rowtime = r->arrival_ms;
      if (rowtime < in->writer->last_rowtime) rowtime = in->writer->last_rowtime;
      if (rowtime < in->writer->bound) rowtime = in->writer->bound;
      int first = in->batch->n;
      const char *ename = NULL;
      core_error derr;
      core_error_clear(&derr);
      int drc = stream_decode(in->map, r->data, r->data_len, rowtime, in->batch, &ename, &derr);
      if (drc == SLUICE_LIMIT) {
        if ((rc = input_flush_batch(rt, in, err))) break;
        first = 0;
        core_error_clear(&derr);
        drc = stream_decode(in->map, r->data, r->data_len, rowtime, in->batch, &ename, &derr);
      }
      if (drc) {
        error_row(rt, ename ? ename : "ParseError", derr.message, rowtime, r->data, r->data_len,
                  NULL);
        continue;
      }
      for (int row = first; row < in->batch->n; row++) {
        in->batch->cols[aat].null[row] = 0;
        in->batch->cols[aat].u.i[row] = r->arrival_ms;
      }
      in->writer->last_rowtime = rowtime;
    }
    if (!rc) rc = input_flush_batch(rt, in, err);
  }
  free(all);
  if (rc) return rc;
  /* the bound: caught up, nothing older can come than the clock; else the last row */
  int64_t bound = caught_up ? core_clock_now(rt->clock) : in->writer->last_rowtime;
  if (bound > in->writer->bound) {
    in->writer->bound = bound;
    *progress = true;
  }
  return stream_flush(in->target, err);
}

/* ============================================================= outputs == */

static void output_free(rt_output *o) {
  if (!o) return;
  core_batch_free(o->batch);
  stream_release(o->dest);
  free(o);
}

static int output_start(runtime *rt, const catalog_output *co, core_error *err) {
  rt_stream *s = find_stream(rt, co->stream);
  if (!s)
    return core_error_set(err, SLUICE_NOTFOUND,
                          "output stream \"%s\" is not created by the application code",
                          co->stream);
  rt_output *o = calloc(1, sizeof *o);
  if (!o) return oom(err);
  o->id = co->id;
  o->src = s;
  o->format = co->format;
  o->seen = true;
  int rc = get_or_create_data_stream(rt, co->destination, &o->dest, err);
  if (!rc) rc = stream_iterator(s->h, 0, STREAM_LATEST, NULL, 0, 0, &o->pos, NULL, err);
  if (!rc) {
    o->batch = core_batch_new(s->ncols, s->types, CORE_BATCH_CAP);
    if (!o->batch) rc = oom(err);
  }
  rt_output **v = rc ? NULL : realloc(rt->outputs, sizeof *v * (size_t)(rt->noutputs + 1));
  if (!rc && !v) rc = oom(err);
  if (rc) {
    output_free(o);
    return rc;
  }
  rt->outputs = v;
  rt->outputs[rt->noutputs++] = o;
  return SLUICE_OK;
}

static int output_step(runtime *rt, rt_output *o, bool *progress, core_error *err) {
  for (;;) {
    core_arena_reset(rt->scratch);
    stream_read_result res;
    int rc = stream_read(o->src->h, &o->pos, 256, READ_BYTES, rt->scratch, &res, err);
    if (rc) return rc;
    if (res.n == 0) return SLUICE_OK;
    *progress = true;
    core_batch_reset(o->batch);
    for (size_t i = 0; i < res.n; i++)
      if ((rc = stream_row_decode(res.records[i].data, res.records[i].data_len, o->batch, err)))
        return rc;
    stream_record_in recs[256];
    char keys[256][24];
    /* render every row into one buffer, then point the records into it */
    size_t offs[257];
    rt->text.len = 0;
    for (int row = 0; row < o->batch->n; row++) {
      offs[row] = rt->text.len;
      rc = o->format == CATALOG_FORMAT_CSV
               ? stream_row_csv(o->batch, row, &rt->text)
               : stream_row_json(o->batch, row, (const char *const *)o->src->names, &rt->text);
      if (rc) return rc;
    }
    offs[o->batch->n] = rt->text.len;
    for (int row = 0; row < o->batch->n; row++) {
      int kn = snprintf(keys[row], sizeof keys[row], "%llu", (unsigned long long)o->counter++);
      recs[row] = (stream_record_in){.partition_key = keys[row],
                                     .partition_key_len = (uint32_t)kn,
                                     .data = rt->text.data + offs[row],
                                     .data_len = (uint32_t)(offs[row + 1] - offs[row])};
    }
    stream_append_result results[256];
    rc = stream_append(o->dest, recs, (size_t)o->batch->n, -1, results, err);
    if (rc) return rc;
    o->pos = res.next;
  }
}

/* ====================================================== reference data == */

static int table_rows(void *arg, const catalog_relation *rel, const core_batch **out,
                      core_error *err) {
  runtime *rt = arg;
  for (int i = 0; i < rt->ntables; i++)
    if (rt->tables[i].id == rel->id) {
      *out = rt->tables[i].rows;
      return SLUICE_OK;
    }
  core_arena *a = core_arena_new(0);
  if (!a) return oom(err);
  catalog_reference **refs;
  size_t nrefs;
  int rc = catalog_reference_list(rt->cfg.cat, rt->cfg.app, a, &refs, &nrefs, err);
  const catalog_reference *ref = NULL;
  for (size_t i = 0; !rc && i < nrefs; i++)
    if (refs[i]->id == rel->id) ref = refs[i];
  if (!rc && !ref)
    rc = core_error_set(err, SLUICE_NOTFOUND, "reference table \"%s\" has no source", rel->name);
  FILE *f = NULL;
  char *data = NULL;
  size_t n = 0;
  if (!rc) {
    f = fopen(ref->file, "rb");
    if (!f)
      rc = core_error_set(err, SLUICE_IO, "cannot read reference table \"%s\" from \"%s\"",
                          rel->name, ref->file);
  }
  if (!rc) {
    size_t cap = 65536;
    data = malloc(cap);
    while (data) {
      size_t k = fread(data + n, 1, cap - n, f);
      n += k;
      if (k == 0) break;
      if (n == cap) {
        char *d = realloc(data, cap * 2);
        if (!d) {
          free(data);
          data = NULL;
          break;
        }
        data = d;
        cap *= 2;
      }
    }
    fclose(f);
    if (!data) rc = oom(err);
  }
  core_batch *rows = NULL;
  stream_mapping *map = NULL;
  if (!rc) {
    const char **names = core_arena_alloc(a, sizeof *names * (size_t)(ref->ncolumns + 1));
    const char **paths = core_arena_alloc(a, sizeof *paths * (size_t)(ref->ncolumns + 1));
    core_type *types = core_arena_alloc(a, sizeof *types * (size_t)(ref->ncolumns + 1));
    if (!names || !paths || !types) rc = oom(err);
    for (int i = 0; !rc && i < ref->ncolumns; i++) {
      names[i] = ref->columns[i].name;
      paths[i] = ref->columns[i].mapping;
      types[i] = ref->columns[i].type;
    }
    stream_mapping_config mc = {
        .format = ref->format.type == CATALOG_FORMAT_CSV ? STREAM_FORMAT_CSV : STREAM_FORMAT_JSON,
        .row_path = ref->format.row_path,
        .row_delim = ref->format.row_delimiter,
        .col_delim = ref->format.col_delimiter,
        .ncolumns = ref->ncolumns,
        .names = names,
        .types = types,
        .paths = paths};
    if (!rc) rc = stream_mapping_compile(&mc, &map, err);
    /* one record per line (JSON) or the whole file (CSV rows by the row delimiter) */
    int cap = 1024;
    while (!rc) {
      rows = core_batch_new(ref->ncolumns, types, cap);
      if (!rows) {
        rc = oom(err);
        break;
      }
      const char *ename;
      rc = stream_decode(map, (const uint8_t *)data, n, 0, rows, &ename, err);
      if (rc != SLUICE_LIMIT || cap >= 65535) break;
      core_batch_free(rows);
      rows = NULL;
      core_error_clear(err);
      rc = SLUICE_OK;
      cap = cap * 4 > 65535 ? 65535 : cap * 4;
    }
    if (rc && rows) {
      core_batch_free(rows);
      rows = NULL;
    }
    if (rc && rc != SLUICE_NOMEM)
      core_error_detail(err, "Loading reference table \"%s\" from \"%s\".", rel->name, ref->file);
  }
  stream_mapping_free(map);
  free(data);
  core_arena_free(a);
  if (rc) return rc;
  rt_table *v = realloc(rt->tables, sizeof *v * (size_t)(rt->ntables + 1));
  if (!v) {
    core_batch_free(rows);
    return oom(err);
  }
  rt->tables = v;
  rt->tables[rt->ntables++] = (rt_table){rel->id, rows};
  *out = rows;
  return SLUICE_OK;
}

/* ================================================================ sync == */

static rt_pump *find_pump(runtime *rt, int64_t id) {
  for (int i = 0; i < rt->npumps; i++)
    if (rt->pumps[i]->id == id) return rt->pumps[i];
  return NULL;
}

int rt_sync(runtime *rt, core_error *err) {
  core_arena *a = core_arena_new(0);
  if (!a) return oom(err);
  catalog_relation **rels;
  size_t nrels;
  int rc = catalog_relation_list(rt->cfg.cat, rt->cfg.app, a, &rels, &nrels, err);
  for (size_t i = 0; !rc && i < nrels; i++) {
    if (rels[i]->kind == CATALOG_REL_TABLE) continue;
    rc = open_stream(rt, rels[i], err);
    if (!rc && rels[i]->kind == CATALOG_REL_SYSTEM) {
      rt->errors = find_stream(rt, rels[i]->name);
      if (!rt->error_batch) {
        rt->error_batch = core_batch_new(rt->errors->ncols, rt->errors->types, 1);
        if (!rt->error_batch) rc = oom(err);
      }
    }
  }
  /* inputs: one job per source stream */
  catalog_input **ins;
  size_t nins = 0;
  if (!rc) rc = catalog_input_list(rt->cfg.cat, rt->cfg.app, a, &ins, &nins, err);
  for (size_t i = 0; !rc && i < nins; i++)
    for (int k = 1; !rc && k <= ins[i]->parallelism; k++) {
      char name[64];
      snprintf(name, sizeof name, "%s_%03d", ins[i]->name_prefix, k);
      rt_stream *s = find_stream(rt, name);
      if (!s) continue;
      bool have = false;
      for (int j = 0; j < rt->ninputs; j++) have |= rt->inputs[j]->target == s;
      if (!have) rc = input_start(rt, ins[i], k, s, err);
    }
  /* pumps: new ones start, replaced ones restart */
  catalog_pump **pumps;
  size_t npumps = 0;
  if (!rc) rc = catalog_pump_list(rt->cfg.cat, rt->cfg.app, a, &pumps, &npumps, err);
  for (size_t i = 0; !rc && i < npumps; i++) {
    rt_pump *p = find_pump(rt, pumps[i]->id);
    if (p && strcmp(p->sql, pumps[i]->sql) == 0) continue;
    if (p) {
      for (int j = 0; j < rt->npumps; j++)
        if (rt->pumps[j] == p) rt->pumps[j] = rt->pumps[--rt->npumps];
      pump_free(p);
    }
    if (pumps[i]->state != CATALOG_PUMP_RUNNING) continue;
    rc = pump_start(rt, pumps[i], err);
  }
  /* outputs */
  catalog_output **outs;
  size_t nouts = 0;
  if (!rc) rc = catalog_output_list(rt->cfg.cat, rt->cfg.app, a, &outs, &nouts, err);
  for (size_t i = 0; !rc && i < nouts; i++) {
    bool have = false;
    for (int j = 0; j < rt->noutputs; j++) have |= rt->outputs[j]->id == outs[i]->id;
    if (!have && find_stream(rt, outs[i]->stream)) rc = output_start(rt, outs[i], err);
  }
  core_arena_free(a);
  return rc;
}

/* ================================================================ step == */

int rt_step(runtime *rt, core_error *err) {
  for (int round = 0; round < 100000; round++) {
    bool progress = false;
    int rc;
    /* a stream that no job writes is fed through the API: its bound follows the clock */
    int64_t now = core_clock_now(rt->clock);
    for (int i = 0; i < rt->nstreams; i++) {
      rt_stream *s = rt->streams[i];
      if (s->nwriters == 0 && s->bound < now) s->bound = now;
    }
    for (int i = 0; i < rt->ninputs; i++)
      if ((rc = input_step(rt, rt->inputs[i], &progress, err))) return rc;
    for (int i = 0; i < rt->npumps; i++) {
      rt_pump *p = rt->pumps[i];
      for (int k = 0; k < p->nreaders; k++) {
        rc = reader_step(rt, &p->readers[k], &progress, err);
        if (rc) {
          core_error_detail(err, "In pump \"%s\".", p->name);
          return rc;
        }
      }
    }
    for (int i = 0; i < rt->noutputs; i++)
      if ((rc = output_step(rt, rt->outputs[i], &progress, err))) return rc;
    if (!progress) return SLUICE_OK;
  }
  return core_error_set(err, SLUICE_INTERNAL, "internal: the pumps did not settle");
}

/* ======================================================== put and read == */

int rt_put(runtime *rt, const char *name, const void *data, size_t n, const char *key,
           core_error *err) {
  rt_stream *s = find_stream(rt, name);
  if (s && s->kind != CATALOG_REL_SYSTEM) {
    /* a row of an in-application stream, from a JSON object keyed by column names */
    const char **paths = calloc((size_t)s->ncols + 1, sizeof *paths);
    char **owned = calloc((size_t)s->ncols + 1, sizeof *owned);
    if (!paths || !owned) {
      free(paths);
      free(owned);
      return oom(err);
    }
    int rc = SLUICE_OK;
    for (int i = 0; i < s->ncols && !rc; i++) {
      size_t len = strlen(s->names[i]) + 8;
      owned[i] = malloc(len);
      if (!owned[i])
        rc = oom(err);
      else
        snprintf(owned[i], len, "$.%s", s->names[i]);
      paths[i] = owned[i];
    }
    stream_mapping *map = NULL;
    stream_mapping_config mc = {.format = STREAM_FORMAT_JSON,
                                .ncolumns = s->ncols,
                                .names = (const char *const *)s->names,
                                .types = s->types,
                                .paths = paths};
    if (!rc) rc = stream_mapping_compile(&mc, &map, err);
    core_batch *b = rc ? NULL : core_batch_new(s->ncols, s->types, CORE_BATCH_CAP);
    if (!rc && !b) rc = oom(err);
    int64_t now = core_clock_now(rt->clock);
    if (now < s->last_rowtime) now = s->last_rowtime;
    const char *ename;
    if (!rc) rc = stream_decode(map, data, n, now, b, &ename, err);
    stream_record_in recs[CORE_BATCH_CAP];
    uint8_t *copies[CORE_BATCH_CAP];
    int nrec = 0;
    for (int row = 0; !rc && b && row < b->n; row++) {
      uint8_t *rec;
      size_t len;
      if (enc_row(rt, b, row, &rec, &len)) {
        rc = oom(err);
        break;
      }
      copies[nrec] = malloc(len);
      if (!copies[nrec]) {
        rc = oom(err);
        break;
      }
      memcpy(copies[nrec], rec, len);
      recs[nrec] = (stream_record_in){.partition_key = "0",
                                      .partition_key_len = 1,
                                      .data = copies[nrec],
                                      .data_len = (uint32_t)len};
      nrec++;
    }
    if (!rc) rc = append_records(s, recs, (size_t)nrec, err);
    if (!rc && nrec) {
      s->last_rowtime = now;
      if (now > s->bound) s->bound = now;
    }
    for (int i = 0; i < nrec; i++) free(copies[i]);
    for (int i = 0; i < s->ncols; i++) free(owned[i]);
    free(owned);
    free(paths);
    core_batch_free(b);
    stream_mapping_free(map);
    return rc;
  }
  stream_handle *h;
  int rc = stream_get(rt->store, name, &h, err);
  if (rc == SLUICE_NOTFOUND)
    return core_error_set(err, SLUICE_NOTFOUND, "stream \"%s\" not found", name);
  if (rc) return rc;
  stream_record_in rec = {.partition_key = key && *key ? key : "0",
                          .partition_key_len = (uint32_t)strlen(key && *key ? key : "0"),
                          .data = data,
                          .data_len = (uint32_t)n};
  stream_append_result res;
  rc = stream_append(h, &rec, 1, -1, &res, err);
  stream_release(h);
  if (!rc && res.rc) rc = core_error_set(err, res.rc, "%s", res.message);
  return rc;
}

typedef struct read_rec {
  int64_t arrival;
  uint32_t shard;
  uint64_t pos;
  const char *key;
  uint32_t keylen;
  const uint8_t *data;
  uint32_t len;
} read_rec;

static int cmp_read_rec(const void *a, const void *b) {
  const read_rec *x = a, *y = b;
  if (x->arrival != y->arrival) return x->arrival < y->arrival ? -1 : 1;
  if (x->shard != y->shard) return x->shard < y->shard ? -1 : 1;
  return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

int rt_read(runtime *rt, const char *name, int64_t limit, rt_row_fn cb, void *arg,
            core_error *err) {
  rt_stream *s = find_stream(rt, name);
  stream_handle *h = NULL;
  int rc;
  if (s) {
    h = s->h;
  } else if ((rc = stream_get(rt->store, name, &h, err))) {
    if (rc == SLUICE_NOTFOUND)
      return core_error_set(err, SLUICE_NOTFOUND, "stream \"%s\" not found", name);
    return rc;
  }
  core_arena *a = core_arena_new(0);
  if (!a) {
    if (!s) stream_release(h);
    return oom(err);
  }
  stream_info *info;
  rc = stream_describe(h, a, &info, err);
  read_rec *recs = NULL;
  size_t n = 0, cap = 0;
  for (uint32_t i = 0; !rc && i < info->n_shards; i++) {
    stream_pos pos;
    rc =
        stream_iterator(h, info->shards[i].index, STREAM_TRIM_HORIZON, NULL, 0, 0, &pos, NULL, err);
    while (!rc) {
      stream_read_result res;
      rc = stream_read(h, &pos, READ_RECORDS, READ_BYTES, a, &res, err);
      if (rc || res.n == 0) break;
      for (size_t k = 0; k < res.n; k++) {
        if (n == cap) {
          cap = cap ? cap * 2 : 256;
          read_rec *v = realloc(recs, cap * sizeof *v);
          if (!v) {
            rc = oom(err);
            break;
          }
          recs = v;
        }
        const stream_record *r = &res.records[k];
        recs[n++] = (read_rec){r->arrival_ms,    info->shards[i].index, r->pos,
                               r->partition_key, r->partition_key_len,  r->data,
                               r->data_len};
      }
      pos = res.next;
      if (res.shard_end) break;
    }
  }
  if (!rc && !s) qsort(recs, n, sizeof *recs, cmp_read_rec);
  core_batch *b = s ? core_batch_new(s->ncols, s->types, 1) : NULL;
  if (s && !b && !rc) rc = oom(err);
  size_t m = limit >= 0 && (size_t)limit < n ? (size_t)limit : n;
  for (size_t i = 0; !rc && i < m; i++) {
    if (s) {
      core_batch_reset(b);
      if ((rc = stream_row_decode(recs[i].data, recs[i].len, b, err))) break;
      const char **vals = core_arena_alloc(a, sizeof *vals * (size_t)(s->ncols + 1));
      const char **names = core_arena_alloc(a, sizeof *names * (size_t)(s->ncols + 1));
      if (!vals || !names) {
        rc = oom(err);
        break;
      }
      char ts[CORE_TIMESTAMP_TEXT];
      core_timestamp_format(b->rowtime[0], ts);
      vals[0] = core_arena_strdup(a, ts);
      names[0] = "ROWTIME";
      for (int c = 0; c < s->ncols; c++) {
        core_value v;
        core_vec_get(&b->cols[c], 0, &v);
        size_t need = core_value_format(&v, NULL, 0);
        char *t = core_arena_alloc(a, need + 1);
        if (!t) {
          rc = oom(err);
          break;
        }
        core_value_format(&v, t, need + 1);
        vals[c + 1] = t;
        names[c + 1] = s->names[c];
      }
      if (!rc && cb(arg, s->ncols + 1, vals, names) != 0)
        rc = core_error_set(err, SLUICE_STATE, "the callback stopped the statement");
    } else {
      const char *vals[2] = {core_arena_strndup(a, recs[i].key, recs[i].keylen),
                             core_arena_strndup(a, (const char *)recs[i].data, recs[i].len)};
      const char *names[2] = {"PARTITION_KEY", "DATA"};
      if (!vals[0] || !vals[1])
        rc = oom(err);
      else if (cb(arg, 2, vals, names) != 0)
        rc = core_error_set(err, SLUICE_STATE, "the callback stopped the statement");
    }
  }
  core_batch_free(b);
  free(recs);
  core_arena_free(a);
  if (!s) stream_release(h);
  return rc;
}

/* ============================================================ lifecycle == */

int rt_open(const rt_config *c, runtime **out, core_error *err) {
  *out = NULL;
  runtime *rt = calloc(1, sizeof *rt);
  if (!rt) return oom(err);
  rt->cfg = *c;
  rt->app_name = xstrdup(c->app_name);
  pthread_mutex_init(&rt->lock, NULL);
  rt->clock = c->test_clock ? core_clock_new(CORE_CLOCK_TEST, c->test_start_ms)
                            : core_clock_new(CORE_CLOCK_LIVE, 0);
  rt->scratch = core_arena_new(0);
  int rc = rt->clock && rt->scratch && rt->app_name ? SLUICE_OK : oom(err);
  if (!rc) {
    stream_options so;
    stream_options_default(&so);
    rc = stream_store_open(c->data_dir, &so, rt->clock, &rt->store, err);
  }
  if (rc) {
    rt_close(rt);
    return rc;
  }
  *out = rt;
  return SLUICE_OK;
}

void rt_close(runtime *rt) {
  if (!rt) return;
  rt_stop_worker(rt);
  for (int i = 0; i < rt->npumps; i++) pump_free(rt->pumps[i]);
  for (int i = 0; i < rt->ninputs; i++) input_free(rt->inputs[i]);
  for (int i = 0; i < rt->noutputs; i++) output_free(rt->outputs[i]);
  for (int i = 0; i < rt->nstreams; i++) rt_stream_free(rt->streams[i]);
  for (int i = 0; i < rt->ntables; i++) core_batch_free(rt->tables[i].rows);
  free(rt->pumps);
  free(rt->inputs);
  free(rt->outputs);
  free(rt->streams);
  free(rt->tables);
  core_batch_free(rt->error_batch);
  stream_store_close(rt->store);
  core_clock_free(rt->clock);
  core_arena_free(rt->scratch);
  stream_buf_free(&rt->enc);
  stream_buf_free(&rt->text);
  free(rt->app_name);
  pthread_mutex_destroy(&rt->lock);
  free(rt);
}

void rt_lock(runtime *rt) {
  pthread_mutex_lock(&rt->lock);
}
void rt_unlock(runtime *rt) {
  pthread_mutex_unlock(&rt->lock);
}
core_clock *rt_clock(runtime *rt) {
  return rt->clock;
}
stream_store *rt_store(runtime *rt) {
  return rt->store;
}
uint64_t rt_error_count(runtime *rt) {
  return rt->error_rows;
}

/* Live mode: run the jobs every few milliseconds, so bounds follow the clock. */
static void *worker_main(void *arg) {
  runtime *rt = arg;
  while (!rt->worker_stop) {
    core_error err;
    core_error_clear(&err);
    rt_lock(rt);
    int rc = rt_step(rt, &err);
    rt_unlock(rt);
    if (rc) fprintf(stderr, "sluice: %s\n", err.message);
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return NULL;
}

int rt_start_worker(runtime *rt, core_error *err) {
  if (rt->worker_running) return SLUICE_OK;
  rt->worker_stop = false;
  if (pthread_create(&rt->worker, NULL, worker_main, rt) != 0)
    return core_error_set(err, SLUICE_ERROR, "cannot start the pump worker thread");
  rt->worker_running = true;
  return SLUICE_OK;
}

void rt_stop_worker(runtime *rt) {
  if (!rt->worker_running) return;
  rt->worker_stop = true;
  pthread_join(rt->worker, NULL);
  rt->worker_running = false;
}

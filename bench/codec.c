/*
 * codec.c — `sluice bench codec`: the record codecs of stream/ on one core.
 *
 * Generates N (default 1,000,000) ticker/clickstream JSON records of about
 * 200 bytes and 8 fields, e.g.
 *
 *   {"event_time":"2024-05-01T12:34:56.789","ticker_symbol":"AMZN","sector":
 *    "TECHNOLOGY","change":-0.45,"price":183.27,"volume":12345,"user_id":
 *    "u-00012345","session_id":"3f9a2b7c-1d2e-4f5a-8b9c-0d1e2f3a4b5c"}
 *
 * and decodes them into column batches of 1024 rows with 5 mapped columns
 * (EVENT_TIME TIMESTAMP, TICKER_SYMBOL VARCHAR(8), CHANGE REAL, PRICE DOUBLE,
 * VOLUME INTEGER), three ways, side by side:
 *   sluice    stream_decode() (the schema-directed scanner of stream/codec_json.c)
 *   cJSON     cJSON_ParseWithLength + five lookups + the same conversions
 *   simdjson  simdjson On-Demand (C++, through bench/simdjson_shim.cpp) + the
 *             same conversions, when simdjson was found at build time
 * then the same records as CSV lines (the five mapped fields first), and the
 * row codec and the JSON rendering of the decoded rows. It prints records/s,
 * MB/s and the ratios against sluice's JSON decoder.
 *
 * Options: --records N  --seed S
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench/bench.h"
#include "stream/stream.h"
#ifdef SLUICE_HAVE_SIMDJSON
#include "bench/simdjson_shim.h"
#endif

#define PADDING 64 /* readable bytes after the last record (simdjson's padding) */
#define NCOLS 5
enum { COL_TIME, COL_TICKER, COL_CHANGE, COL_PRICE, COL_VOLUME };

typedef struct corpus {
  char *data;  /* records back to back, PADDING bytes after the last */
  size_t *off; /* [n + 1] */
  size_t n, bytes;
} corpus;

static uint64_t next(uint64_t *s) { /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

/* One record's fields, printed as JSON or CSV. */
static int make_record(uint64_t *rng, uint64_t i, bool json, char *out, size_t cap) {
  static const char *const tickers[] = {"AMZN", "TBV", "QXZ", "WSB", "ASD", "NFLX", "AAPL", "MSFT"};
  static const char *const sectors[] = {"TECHNOLOGY", "FINANCIAL", "RETAIL", "HEALTHCARE",
                                        "ENERGY"};
  uint64_t r = next(rng), r2 = next(rng);
  char ts[CORE_TIMESTAMP_TEXT];
  core_timestamp_format(1714566896789LL + (int64_t)i * 37 + (int64_t)(r % 1000), ts);
  ts[10] = 'T'; /* ISO form, as producers often send */
  const char *tick = tickers[r % 8], *sector = sectors[(r >> 3) % 5];
  int change = (int)((r >> 8) % 2001) - 1000; /* hundredths */
  int price = 1000 + (int)((r >> 20) % 90000);
  unsigned volume = (unsigned)((r >> 40) % 1000000);
  unsigned user = (unsigned)(r2 % 100000000);
  uint32_t s1 = (uint32_t)(r2 >> 32), s2 = (uint32_t)next(rng), s3 = (uint32_t)next(rng);
  char session[40];
  snprintf(session, sizeof session, "%08x-%04x-%04x-%04x-%04x%08x", s1, s2 & 0xffff, s2 >> 16,
           s3 & 0xffff, s3 >> 16, s1 ^ s2);
  const char *sign = change < 0 ? "-" : "";
  int ac = change < 0 ? -change : change;
  if (json)
    return snprintf(out, cap,
                    "{\"event_time\":\"%s\",\"ticker_symbol\":\"%s\",\"sector\":\"%s\","
                    "\"change\":%s%d.%02d,\"price\":%d.%02d,\"volume\":%u,\"user_id\":"
                    "\"u-%08u\",\"session_id\":\"%s\"}",
                    ts, tick, sector, sign, ac / 100, ac % 100, price / 100, price % 100, volume,
                    user, session);
  return snprintf(out, cap, "%s,%s,%s%d.%02d,%d.%02d,%u,%s,u-%08u,%s", ts, tick, sign, ac / 100,
                  ac % 100, price / 100, price % 100, volume, sector, user, session);
}

static int corpus_make(corpus *c, size_t n, uint64_t seed, bool json) {
  c->n = n;
  c->off = malloc((n + 1) * sizeof *c->off);
  size_t cap = n * 256 + PADDING;
  c->data = malloc(cap);
  if (!c->off || !c->data) return -1;
  uint64_t rng = seed * 2 + 1;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    c->off[i] = o;
    o += (size_t)make_record(&rng, i, json, c->data + o, cap - o);
  }
  c->off[n] = o;
  c->bytes = o;
  memset(c->data + o, ' ', PADDING);
  return 0;
}

static void corpus_free(corpus *c) {
  free(c->data);
  free(c->off);
}

typedef struct result {
  const char *name;
  double secs;
  size_t records, bytes, rows, errors;
} result;

static void print_result(const result *r, const result *ref) {
  double rps = (double)r->records / r->secs, mbs = (double)r->bytes / 1e6 / r->secs;
  printf("  %-34s %10.2f M records/s %8.1f MB/s", r->name, rps / 1e6, mbs);
  if (ref && ref != r) printf("   %5.2fx of sluice", rps / ((double)ref->records / ref->secs));
  if (r->errors) printf("   (%zu errors)", r->errors);
  printf("\n");
}

static core_batch *new_batch(void) {
  core_type t[NCOLS] = {
      [COL_TIME] = {.id = CORE_T_TIMESTAMP}, [COL_TICKER] = {.id = CORE_T_VARCHAR, .precision = 8},
      [COL_CHANGE] = {.id = CORE_T_REAL},    [COL_PRICE] = {.id = CORE_T_DOUBLE},
      [COL_VOLUME] = {.id = CORE_T_INTEGER},
  };
  return core_batch_new(NCOLS, t, CORE_BATCH_CAP);
}

/* ---------------------------------------------------------------- sluice -- */

static result run_sluice(const corpus *c, stream_format f, const char *name, core_batch *b) {
  const char *names[NCOLS] = {"EVENT_TIME", "TICKER_SYMBOL", "CHANGE", "PRICE", "VOLUME"};
  const char *paths[NCOLS] = {"$.event_time", "$.ticker_symbol", "$.change", "$.price", "$.volume"};
  core_type types[NCOLS];
  for (int k = 0; k < NCOLS; k++) types[k] = b->cols[k].type;
  stream_mapping_config cfg = {f, NULL, NULL, NULL, NCOLS, names, types, paths};
  stream_mapping *m;
  core_error e;
  result r = {.name = name, .records = c->n, .bytes = c->bytes};
  if (stream_mapping_compile(&cfg, &m, &e) != SLUICE_OK) {
    fprintf(stderr, "bench codec: %s\n", e.message);
    exit(1);
  }
  core_batch_reset(b);
  int64_t t0 = core_mono_ns();
  for (size_t i = 0; i < c->n; i++) {
    if (b->n == b->cap) {
      r.rows += (size_t)b->n;
      core_batch_reset(b);
    }
    int rc = stream_decode(m, (const uint8_t *)c->data + c->off[i], c->off[i + 1] - c->off[i],
                           (int64_t)i, b, NULL, &e);
    if (rc != SLUICE_OK && r.errors++ == 0) fprintf(stderr, "  first error: %s\n", e.message);
  }
  r.secs = (double)(core_mono_ns() - t0) / 1e9;
  r.rows += (size_t)b->n;
  stream_mapping_free(m);
  return r;
}

/* ---------------------------------------------------------------- common -- */

/* The conversions stream_decode does for these five columns, for the other parsers. */
static bool store_row(core_batch *b, const char *time, size_t time_len, const char *ticker,
                      size_t ticker_len, double change, double price, double volume) {
  int r = b->n;
  int64_t ts;
  if (core_timestamp_parse(time, time_len, &ts) != SLUICE_OK) return false;
  if (volume != (double)(int32_t)volume) return false; /* loses precision or out of range */
  size_t keep = ticker_len < 8 ? ticker_len : 8;       /* ASCII here: bytes are characters */
  char *p = core_arena_alloc(b->heap, keep ? keep : 1);
  if (!p) return false;
  memcpy(p, ticker, keep);
  b->cols[COL_TIME].u.i[r] = ts;
  b->cols[COL_TICKER].u.s[r] = (core_str){p, (uint32_t)keep};
  b->cols[COL_CHANGE].u.d[r] = (float)change;
  b->cols[COL_PRICE].u.d[r] = price;
  b->cols[COL_VOLUME].u.i[r] = (int64_t)volume;
  for (int k = 0; k < NCOLS; k++) b->cols[k].null[r] = 0;
  b->n++;
  return true;
}

/* ----------------------------------------------------------------- cJSON -- */

static result run_cjson(const corpus *c, core_batch *b) {
  result r = {.name = "cJSON parse + 5 lookups", .records = c->n, .bytes = c->bytes};
  core_batch_reset(b);
  int64_t t0 = core_mono_ns();
  for (size_t i = 0; i < c->n; i++) {
    if (b->n == b->cap) {
      r.rows += (size_t)b->n;
      core_batch_reset(b);
    }
    cJSON *root = cJSON_ParseWithLength(c->data + c->off[i], c->off[i + 1] - c->off[i]);
    cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "event_time");
    cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "ticker_symbol");
    cJSON *ch = cJSON_GetObjectItemCaseSensitive(root, "change");
    cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "price");
    cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "volume");
    bool ok = cJSON_IsString(t) && cJSON_IsString(k) && cJSON_IsNumber(ch) && cJSON_IsNumber(p) &&
              cJSON_IsNumber(v) &&
              store_row(b, t->valuestring, strlen(t->valuestring), k->valuestring,
                        strlen(k->valuestring), ch->valuedouble, p->valuedouble, v->valuedouble);
    if (!ok) r.errors++;
    cJSON_Delete(root);
  }
  r.secs = (double)(core_mono_ns() - t0) / 1e9;
  r.rows += (size_t)b->n;
  return r;
}

/* -------------------------------------------------------------- simdjson -- */

#ifdef SLUICE_HAVE_SIMDJSON
static result run_simdjson(const corpus *c, core_batch *b) {
  static char name[64];
  snprintf(name, sizeof name, "simdjson (%s) + 5 lookups", bench_simd_implementation());
  result r = {.name = name, .records = c->n, .bytes = c->bytes};
  bench_simd *s = bench_simd_new();
  core_batch_reset(b);
  int64_t t0 = core_mono_ns();
  for (size_t i = 0; i < c->n; i++) {
    if (b->n == b->cap) {
      r.rows += (size_t)b->n;
      core_batch_reset(b);
    }
    bench_simd_row row;
    size_t len = c->off[i + 1] - c->off[i];
    size_t cap = c->bytes + PADDING - c->off[i]; /* the following records are the padding */
    bool ok = bench_simd_decode(s, c->data + c->off[i], len, cap, &row) == 0 &&
              store_row(b, row.time, row.time_len, row.ticker, row.ticker_len, row.change,
                        row.price, (double)row.volume);
    if (!ok) r.errors++;
  }
  r.secs = (double)(core_mono_ns() - t0) / 1e9;
  r.rows += (size_t)b->n;
  bench_simd_free(s);
  return r;
}
#endif

/* ------------------------------------------------------ row codec, render -- */

/* Decodes the first batch of records once, then encodes/decodes/renders its rows repeatedly. */
static void run_rows(core_batch *b, size_t n) {
  const char *names[NCOLS] = {"EVENT_TIME", "TICKER_SYMBOL", "CHANGE", "PRICE", "VOLUME"};
  result enc = {.name = "row codec: encode", .records = n};
  result dec = {.name = "row codec: decode", .records = n};
  result json = {.name = "render JSON (stream_row_json)", .records = n};
  core_batch *d = new_batch();
  stream_buf buf = {0}, out = {0};
  core_error e;
  size_t *ends = malloc((size_t)b->n * sizeof *ends);
  int64_t t0 = core_mono_ns();
  for (size_t done = 0; done < n;) {
    buf.len = 0;
    for (int r = 0; r < b->n && done < n; r++, done++) {
      stream_row_encode(b, r, &buf);
      ends[r] = buf.len;
    }
    enc.bytes += buf.len;
  }
  enc.secs = (double)(core_mono_ns() - t0) / 1e9;
  /* decode the whole batch each time (the last pass of encode may have been partial) */
  buf.len = 0;
  for (int r = 0; r < b->n; r++) {
    stream_row_encode(b, r, &buf);
    ends[r] = buf.len;
  }
  t0 = core_mono_ns();
  for (size_t done = 0; done < n;) {
    core_batch_reset(d);
    for (int r = 0; r < b->n && done < n; r++, done++) {
      size_t from = r ? ends[r - 1] : 0;
      if (stream_row_decode(buf.data + from, ends[r] - from, d, &e) != SLUICE_OK) dec.errors++;
    }
  }
  dec.secs = (double)(core_mono_ns() - t0) / 1e9;
  dec.bytes = enc.bytes;
  t0 = core_mono_ns();
  for (size_t done = 0; done < n;) {
    out.len = 0;
    for (int r = 0; r < b->n && done < n; r++, done++) stream_row_json(b, r, names, &out);
    json.bytes += out.len;
  }
  json.secs = (double)(core_mono_ns() - t0) / 1e9;
  printf("  (%.1f bytes per row in the row codec, %.1f as JSON)\n", (double)enc.bytes / (double)n,
         (double)json.bytes / (double)n);
  print_result(&enc, NULL);
  print_result(&dec, NULL);
  print_result(&json, NULL);
  free(ends);
  stream_buf_free(&buf);
  stream_buf_free(&out);
  core_batch_free(d);
}

/* ------------------------------------------------------------------ main -- */

int bench_codec_main(int argc, char **argv) {
  size_t n = 1000000;
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--records") == 0 && i + 1 < argc) {
      n = strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = strtoull(argv[++i], NULL, 10);
    } else {
      printf("usage: sluice bench codec [--records N (1000000)] [--seed S (1)]\n"
             "Decodes N generated ~200-byte JSON records (8 fields, 5 mapped) with sluice's\n"
             "input mapping, cJSON and simdjson (when built in), then as CSV; measures the\n"
             "row codec and the JSON rendering; one thread.\n");
      return strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }
  if (n < 1) n = 1;
  corpus json = {0}, csv = {0};
  if (corpus_make(&json, n, seed, true) || corpus_make(&csv, n, seed, false)) {
    fprintf(stderr, "bench codec: out of memory\n");
    return 1;
  }
  core_batch *b = new_batch();
  printf("sluice bench codec: %zu records, JSON %.1f bytes/record, CSV %.1f bytes/record, "
         "seed %" PRIu64 ", one thread\n",
         n, (double)json.bytes / (double)n, (double)csv.bytes / (double)n, seed);
  printf("JSON, 5 of 8 fields mapped into batches of %d rows:\n", CORE_BATCH_CAP);
  run_sluice(&json, STREAM_FORMAT_JSON, "warm-up", b);
  result ref = run_sluice(&json, STREAM_FORMAT_JSON, "sluice stream_decode", b);
  print_result(&ref, NULL);
  result cj = run_cjson(&json, b);
  print_result(&cj, &ref);
#ifdef SLUICE_HAVE_SIMDJSON
  result sj = run_simdjson(&json, b);
  print_result(&sj, &ref);
#else
  printf("  simdjson                           not built (libsimdjson-dev was not found)\n");
#endif
  printf("CSV, the same records, first 5 of 8 fields mapped:\n");
  result cs = run_sluice(&csv, STREAM_FORMAT_CSV, "sluice stream_decode (CSV)", b);
  print_result(&cs, &ref);
  printf("Rows (the last decoded batch, %d rows, over and over):\n", b->n);
  run_rows(b, n);
  core_batch_free(b);
  corpus_free(&json);
  corpus_free(&csv);
  return 0;
}

/*
 * codec_fuzz.c — libFuzzer target over the record codecs of stream/ (the
 * JSON and CSV input mappings, the row codec, the JSON/CSV rendering).
 *
 * The first byte of an input picks one of a few mappings (JSON with nested
 * paths, a flattened array and a row path; JSON over every column type; CSV
 * with one-byte and with multi-byte delimiters); the rest is the record. The
 * target checks the decoder's contract, not just memory safety:
 *   - SLUICE_OK appends rows; SLUICE_INVALID names the error (ParseError,
 *     CoercionError, TooManyRows) with a message and appends nothing;
 *     SLUICE_LIMIT appends nothing;
 *   - every decoded VARCHAR/CHAR value is valid UTF-8 within its length;
 *   - every decoded row survives the row codec unchanged, and its JSON and
 *     CSV renderings decode back to the same row (binaries excepted, which
 *     render as base64 but are read as X'..' literals).
 * A broken rule prints the input and aborts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/stream.h"

static core_type ty(core_type_id id, int p, int s) {
  return (core_type){.id = (uint8_t)id, .precision = p, .scale = s};
}

static void fail(const char *what, const uint8_t *data, size_t n) {
  fprintf(stderr, "codec_fuzz: %s\n--- record (%zu bytes)\n%.*s\n", what, n, (int)n,
          (const char *)data);
  abort();
}

typedef struct setup {
  stream_format format;
  const char *row_path, *row_delim, *col_delim;
  int n;
  const char *names[8];
  const char *paths[8];
  core_type types[8];
} setup;

static void setups(setup *s) {
  s[0] = (setup){STREAM_FORMAT_JSON,
                 "$",
                 NULL,
                 NULL,
                 5,
                 {"ID", "X", "NAME", "ITEMS", "DEEP"},
                 {"$.id", "$.items[0:].x", "$.items[0:].name", "$.items[0:]", "$.a.b.c"},
                 {ty(CORE_T_BIGINT, 0, 0), ty(CORE_T_DOUBLE, 0, 0), ty(CORE_T_VARCHAR, 6, 0),
                  ty(CORE_T_VARCHAR, 40, 0), ty(CORE_T_DECIMAL, 9, 3)}};
  s[1] = (setup){STREAM_FORMAT_JSON,
                 "$.rows",
                 NULL,
                 NULL,
                 8,
                 {"b", "t", "i", "r", "c", "d", "tm", "ts"},
                 {NULL, NULL, NULL, NULL, NULL, NULL, NULL, "$.rows.ts"},
                 {ty(CORE_T_BOOLEAN, 0, 0), ty(CORE_T_TINYINT, 0, 0), ty(CORE_T_INTEGER, 0, 0),
                  ty(CORE_T_REAL, 0, 0), ty(CORE_T_CHAR, 3, 0), ty(CORE_T_DATE, 0, 0),
                  ty(CORE_T_TIME, 0, 0), ty(CORE_T_TIMESTAMP, 0, 0)}};
  s[2] = (setup){STREAM_FORMAT_CSV,
                 NULL,
                 NULL,
                 NULL,
                 4,
                 {"A", "B", "C", "D"},
                 {NULL},
                 {ty(CORE_T_VARCHAR, 8, 0), ty(CORE_T_DECIMAL, 19, 4), ty(CORE_T_TIMESTAMP, 0, 0),
                  ty(CORE_T_VARBINARY, 4, 0)}};
  s[3] = (setup){STREAM_FORMAT_CSV,
                 NULL,
                 "\r\n",
                 "||",
                 3,
                 {"A", "B", "C"},
                 {NULL},
                 {ty(CORE_T_SMALLINT, 0, 0), ty(CORE_T_VARCHAR, 3, 0), ty(CORE_T_BOOLEAN, 0, 0)}};
}

static bool same_cell(const core_batch *a, int ra, const core_batch *b, int rb, int c) {
  const core_vec *x = &a->cols[c], *y = &b->cols[c];
  if (x->null[ra] != y->null[rb]) return false;
  if (x->null[ra]) return true;
  switch (core_type_repr(x->type.id)) {
    case 'd':
      return memcmp(&x->u.d[ra], &y->u.d[rb], sizeof(double)) == 0 ||
             (isnan(x->u.d[ra]) && isnan(y->u.d[rb]));
    case 'x':
      return x->u.dec[ra] == y->u.dec[rb];
    case 's':
      return x->u.s[ra].n == y->u.s[rb].n && memcmp(x->u.s[ra].p, y->u.s[rb].p, x->u.s[ra].n) == 0;
    default:
      return x->u.i[ra] == y->u.i[rb];
  }
}

/* Renders row r of b as JSON or CSV and decodes it again: the same values must come back. */
static void rerender(const setup *st, const core_batch *b, int r, stream_format f,
                     const uint8_t *data, size_t n) {
  int keep[8], nk = 0;
  for (int c = 0; c < b->ncols; c++)
    if (!core_type_is_binary(b->cols[c].type.id)) keep[nk++] = c;
  core_type types[8];
  const char *names[8];
  for (int k = 0; k < nk; k++) types[k] = b->cols[keep[k]].type, names[k] = st->names[keep[k]];
  core_batch *one = core_batch_new(nk, types, 1), *back = core_batch_new(nk, types, 1);
  stream_mapping_config cfg = {f, NULL, NULL, NULL, nk, names, types, NULL};
  stream_mapping *m;
  core_error e;
  if (!one || !back || stream_mapping_compile(&cfg, &m, &e) != SLUICE_OK) abort();
  for (int k = 0; k < nk; k++) {
    core_value v;
    core_vec_get(&b->cols[keep[k]], r, &v);
    core_vec_set(one, k, 0, &v);
  }
  one->n = 1;
  stream_buf buf = {0};
  int rc =
      f == STREAM_FORMAT_JSON ? stream_row_json(one, 0, names, &buf) : stream_row_csv(one, 0, &buf);
  if (rc != SLUICE_OK) abort();
  const char *ename;
  if (stream_decode(m, buf.data, buf.len, 0, back, &ename, &e) != SLUICE_OK) {
    fprintf(stderr, "rendered: %.*s\nerror: %s\n", (int)buf.len, buf.data, e.message);
    fail("a rendered row does not decode", data, n);
  }
  for (int k = 0; k < nk; k++)
    if (!same_cell(one, 0, back, 0, k)) {
      fprintf(stderr, "rendered: %.*s\ncolumn %s\n", (int)buf.len, buf.data, names[k]);
      fail("a rendered row decodes to other values", data, n);
    }
  stream_buf_free(&buf);
  stream_mapping_free(m);
  core_batch_free(one);
  core_batch_free(back);
}

static void check_rows(const setup *st, core_batch *b, int from, const uint8_t *data, size_t n) {
  core_batch *d = core_batch_new(b->ncols, st->types, b->cap);
  stream_buf buf = {0};
  core_error e;
  for (int r = from; r < b->n; r++) {
    for (int c = 0; c < b->ncols; c++) {
      const core_vec *v = &b->cols[c];
      if (v->null[r] || !core_type_is_string(v->type.id)) continue;
      const core_str *s = &v->u.s[r];
      if (!core_utf8_valid(s->p, s->n)) fail("a decoded string is not UTF-8", data, n);
      if (core_utf8_length(s->p, s->n) > (size_t)v->type.precision)
        fail("a decoded string is longer than its column", data, n);
    }
    buf.len = 0;
    if (stream_row_encode(b, r, &buf) != SLUICE_OK) abort();
    if (stream_row_decode(buf.data, buf.len, d, &e) != SLUICE_OK)
      fail("the row codec cannot decode what it encoded", data, n);
    for (int c = 0; c < b->ncols; c++)
      if (!same_cell(b, r, d, d->n - 1, c)) fail("the row codec changed a value", data, n);
    rerender(st, b, r, STREAM_FORMAT_JSON, data, n);
    rerender(st, b, r, STREAM_FORMAT_CSV, data, n);
  }
  stream_buf_free(&buf);
  core_batch_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  setup all[4];
  setups(all);
  const setup *st = &all[data[0] % 4];
  const uint8_t *rec = data + 1;
  size_t n = size - 1;
  stream_mapping_config cfg = {st->format, st->row_path, st->row_delim, st->col_delim,
                               st->n,      st->names,    st->types,     st->paths};
  stream_mapping *m;
  core_error e;
  if (stream_mapping_compile(&cfg, &m, &e) != SLUICE_OK) {
    fprintf(stderr, "%s\n", e.message);
    abort();
  }
  core_batch *b = core_batch_new(st->n, st->types, 16);
  /* decode twice: the second time after a row, so SLUICE_LIMIT can happen too */
  for (int pass = 0; pass < 2; pass++) {
    int before = b->n;
    const char *name = NULL;
    e.message[0] = '\0';
    int rc = stream_decode(m, rec, n, 42, b, &name, &e);
    if (rc == SLUICE_OK) {
      for (int r = before; r < b->n; r++)
        if (b->rowtime[r] != 42) fail("a row without its ROWTIME", rec, n);
      check_rows(st, b, before, rec, n);
    } else if (rc == SLUICE_INVALID) {
      if (b->n != before) fail("a bad record appended rows", rec, n);
      if (!name || !e.message[0]) fail("an error without a name or a message", rec, n);
      if (strcmp(name, STREAM_ERROR_PARSE) && strcmp(name, STREAM_ERROR_COERCION) &&
          strcmp(name, STREAM_ERROR_TOO_MANY_ROWS))
        fail("an unknown error name", rec, n);
    } else if (rc == SLUICE_LIMIT) {
      if (b->n != before || before == 0)
        fail("SLUICE_LIMIT with rows appended or none before", rec, n);
    } else {
      fail("an unexpected result code", rec, n);
    }
    if (b->n == 0) {
      b->n = 15; /* rows already there (their values are not looked at) */
      for (int c = 0; c < b->ncols; c++) memset(b->cols[c].null, 1, 15);
    }
  }
  core_batch_free(b);
  stream_mapping_free(m);
  return 0;
}

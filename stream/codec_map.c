/*
 * codec_map.c — input mappings (stream.h, record codecs): checking and
 * compiling a stream_mapping_config, the entry point stream_decode() and the
 * small helpers the decoders share (scratch, room in the batch, errors,
 * UTF-8 validation), plus stream_buf and the hex encoding of error_stream.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/codec_int.h"

/* -------------------------------------------------------- helpers -- */

int codec_scratch(stream_mapping *m, size_t n) {
  if (n <= m->scratch_cap) return SLUICE_OK;
  size_t cap = m->scratch_cap ? m->scratch_cap : 256;
  while (cap < n) cap *= 2;
  char *p = realloc(m->scratch, cap);
  if (!p) return SLUICE_NOMEM;
  m->scratch = p;
  m->scratch_cap = cap;
  return SLUICE_OK;
}

int codec_parse_error(codec_out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  core_error_setv(o->err, SLUICE_INVALID, fmt, ap);
  va_end(ap);
  o->error_name = STREAM_ERROR_PARSE;
  return SLUICE_INVALID;
}

int codec_room(codec_out *o, size_t rows) {
  core_batch *b = o->b;
  if ((size_t)b->n + (size_t)o->produced + rows <= (size_t)b->cap) return SLUICE_OK;
  if (b->n > 0) return SLUICE_LIMIT;
  o->error_name = STREAM_ERROR_TOO_MANY_ROWS;
  return core_error_set(o->err, SLUICE_INVALID,
                        "the record yields more rows than a batch of %d holds", b->cap);
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

size_t codec_utf8_check(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    /* ASCII runs eight bytes at a time */
    while (i + 8 <= n) {
      uint64_t x;
      memcpy(&x, s + i, 8);
      if (x & HIGHS) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF)
      len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      len = 4, cp = c & 0x07;
    else
      return i;
    if (n - i < len) return i;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return n;
}

/* -------------------------------------------------------- compile -- */

static bool mappable(uint8_t id) {
  return id >= CORE_T_BOOLEAN && id <= CORE_T_TIMESTAMP;
}

static char *dup_or(const char *s, const char *dflt) {
  return strdup(s ? s : dflt);
}

static int compile_csv(stream_mapping *m, const stream_mapping_config *c, core_error *err) {
  m->row_delim = dup_or(c->row_delim, "\n");
  m->col_delim = dup_or(c->col_delim, ",");
  if (!m->row_delim || !m->col_delim) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  m->row_delim_len = strlen(m->row_delim);
  m->col_delim_len = strlen(m->col_delim);
  if (!m->row_delim_len || !m->col_delim_len)
    return core_error_set(err, SLUICE_INVALID, "a CSV %s delimiter must not be empty",
                          m->row_delim_len ? "column" : "row");
  if (strcmp(m->row_delim, m->col_delim) == 0)
    return core_error_set(err, SLUICE_INVALID,
                          "the CSV row and column delimiters must differ (both are \"%s\")",
                          m->row_delim);
  if (strchr(m->row_delim, '"') || strchr(m->col_delim, '"'))
    return core_error_set(err, SLUICE_INVALID,
                          "a CSV delimiter must not contain '\"', which quotes fields");
  m->delim_first[(uint8_t)m->row_delim[0]] = 1;
  m->delim_first[(uint8_t)m->col_delim[0]] = 1;
  return SLUICE_OK;
}

int stream_mapping_compile(const stream_mapping_config *c, stream_mapping **out, core_error *err) {
  *out = NULL;
  if (c->format != STREAM_FORMAT_JSON && c->format != STREAM_FORMAT_CSV)
    return core_error_set(err, SLUICE_INVALID, "unknown record format %d", (int)c->format);
  if (c->ncolumns < 1 || c->ncolumns > STREAM_MAPPING_COLUMNS_MAX)
    return core_error_set(err, SLUICE_INVALID, "an input schema has 1 to %d columns, not %d",
                          STREAM_MAPPING_COLUMNS_MAX, c->ncolumns);
  stream_mapping *m = calloc(1, sizeof *m);
  if (!m) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  m->format = c->format;
  m->ncols = c->ncolumns;
  m->cols = calloc((size_t)m->ncols, sizeof *m->cols);
  m->slots = calloc((size_t)m->ncols, sizeof *m->slots);
  int rc = m->cols && m->slots ? SLUICE_OK : core_error_set(err, SLUICE_NOMEM, "out of memory");
  for (int i = 0; i < m->ncols && rc == SLUICE_OK; i++) {
    codec_col *col = &m->cols[i];
    col->name = strdup(c->names && c->names[i] ? c->names[i] : "");
    col->type = c->types[i];
    col->next = -1;
    col->slot = i;
    if (!col->name) {
      rc = core_error_set(err, SLUICE_NOMEM, "out of memory");
    } else if (!mappable(col->type.id)) {
      char t[64];
      core_type_format(col->type, t, sizeof t);
      rc = core_error_set(err, SLUICE_INVALID,
                          "column %s has type %s, which an input mapping "
                          "cannot fill",
                          col->name, t);
    }
  }
  if (rc == SLUICE_OK)
    rc = m->format == STREAM_FORMAT_JSON ? codec_json_compile(m, c, err) : compile_csv(m, c, err);
  if (rc != SLUICE_OK) {
    stream_mapping_free(m);
    return rc;
  }
  *out = m;
  return SLUICE_OK;
}

void stream_mapping_free(stream_mapping *m) {
  if (!m) return;
  for (int i = 0; m->cols && i < m->ncols; i++) free(m->cols[i].name);
  for (int32_t i = 0; i < m->nnodes; i++) free(m->nodes[i].key);
  for (int i = 0; i < m->nrow_keys; i++) free(m->row_keys[i]);
  free(m->row_keys);
  free(m->row_key_lens);
  free(m->row_path_text);
  free(m->nodes);
  free(m->kid_sig);
  free(m->kid_node);
  free(m->shape);
  free(m->cols);
  free(m->row_delim);
  free(m->col_delim);
  free(m->slots);
  free(m->elem_slots);
  free(m->scratch);
  free(m);
}

/* --------------------------------------------------------- decode -- */

int stream_decode(stream_mapping *m, const uint8_t *data, size_t n, int64_t rowtime, core_batch *b,
                  const char **error_name, core_error *err) {
  if (error_name) *error_name = NULL;
  if (b->sel || b->ncols < m->ncols)
    return core_error_set(err, SLUICE_INVALID,
                          "stream_decode needs a batch without a selection "
                          "and with at least the mapping's %d columns",
                          m->ncols);
  for (int c = 0; c < m->ncols; c++)
    if (b->cols[c].type.id != m->cols[c].type.id)
      return core_error_set(err, SLUICE_INVALID,
                            "column %d of the batch is not of the mapping's "
                            "type",
                            c);
  codec_out o = {.m = m, .data = data, .n = n, .b = b, .rowtime = rowtime, .err = err};
  int rc;
  if (n > STREAM_RECORD_MAX * (size_t)64) /* slots hold 32-bit offsets; far above any record */
    rc = codec_parse_error(&o, "record of %zu bytes is too large to decode", n);
  else
    rc = m->format == STREAM_FORMAT_JSON ? codec_json_decode(&o) : codec_csv_decode(&o);
  if (rc == SLUICE_OK) {
    for (int r = b->n; r < b->n + o.produced; r++) b->rowtime[r] = rowtime;
    b->n += o.produced;
  } else if (error_name) {
    *error_name = o.error_name;
  }
  return rc;
}

/* ---------------------------------------------------- stream_buf, hex -- */

int stream_buf_reserve(stream_buf *buf, size_t extra) {
  if (buf->cap - buf->len >= extra) return SLUICE_OK;
  size_t cap = buf->cap ? buf->cap : 256;
  while (cap - buf->len < extra) cap *= 2;
  uint8_t *p = realloc(buf->data, cap);
  if (!p) return SLUICE_NOMEM;
  buf->data = p;
  buf->cap = cap;
  return SLUICE_OK;
}

void stream_buf_free(stream_buf *buf) {
  free(buf->data);
  *buf = (stream_buf){0};
}

size_t stream_hex_encode(const void *data, size_t n, char *out, size_t max_chars) {
  static const char hex[] = "0123456789ABCDEF";
  const uint8_t *p = data;
  size_t bytes = n < max_chars / 2 ? n : max_chars / 2;
  for (size_t i = 0; i < bytes; i++) {
    out[2 * i] = hex[p[i] >> 4];
    out[2 * i + 1] = hex[p[i] & 15];
  }
  return 2 * bytes;
}

/*
 * codec_csv.c — the CSV input mapping (spec 6.3): a record holds rows
 * separated by the row delimiter, fields separated by the column delimiter
 * (both strings of one or more bytes). Columns are positional: field i fills
 * column i, extra fields are ignored, missing ones are NULL. Quoting follows
 * RFC 4180: a field that starts with `"` runs to the next lone `"` (a
 * doubled `""` is one quote) and may hold delimiters and line breaks; after
 * its closing quote comes a delimiter or the end of the record. A quote
 * inside an unquoted field is an ordinary character. An empty unquoted field
 * is NULL; `""` is the empty string. Field text is converted with the rules
 * of a JSON string (codec_coerce.c).
 */
#include <string.h>

#include "stream/codec_int.h"

enum { AT_NONE, AT_COL, AT_ROW };

static bool starts(const uint8_t *p, size_t avail, const char *d, size_t len) {
  return avail >= len && memcmp(p, d, len) == 0;
}

/* Which delimiter starts at p[i] (the longer one wins when both match). */
static int delim_at(const stream_mapping *m, const uint8_t *p, size_t n, size_t i) {
  if (!m->delim_first[p[i]]) return AT_NONE;
  bool col = starts(p + i, n - i, m->col_delim, m->col_delim_len);
  bool row = starts(p + i, n - i, m->row_delim, m->row_delim_len);
  if (col && row) return m->col_delim_len >= m->row_delim_len ? AT_COL : AT_ROW;
  return col ? AT_COL : row ? AT_ROW : AT_NONE;
}

/* One field at *i; fills sl and moves *i to the delimiter (or the end) after it. */
static int field(codec_out *o, size_t *i, codec_slot *sl) {
  const stream_mapping *m = o->m;
  const uint8_t *p = o->data;
  size_t n = o->n, j = *i;
  if (j < n && p[j] == '"') {
    size_t start = j + 1;
    bool esc = false;
    j = start;
    for (;;) {
      const uint8_t *q = memchr(p + j, '"', n - j);
      if (!q)
        return codec_parse_error(o,
                                 "malformed CSV: the quoted field at byte %zu has no closing "
                                 "quote",
                                 *i);
      j = (size_t)(q - p);
      if (j + 1 < n && p[j + 1] == '"') {
        esc = true;
        j += 2;
        continue;
      }
      break;
    }
    *sl = (codec_slot){
        .kind = SLOT_STRING, .escaped = esc, .off = (uint32_t)start, .len = (uint32_t)(j - start)};
    j++;
    if (j < n && delim_at(m, p, n, j) == AT_NONE)
      return codec_parse_error(o,
                               "malformed CSV at byte %zu: a closing quote must be followed "
                               "by a delimiter",
                               j);
    *i = j;
    return SLUICE_OK;
  }
  size_t start = j;
  if (m->col_delim_len == 1 && m->row_delim_len == 1) {
    uint8_t c = (uint8_t)m->col_delim[0], r = (uint8_t)m->row_delim[0];
    while (j < n && p[j] != c && p[j] != r) j++;
  } else {
    while (j < n && delim_at(m, p, n, j) == AT_NONE) j++;
  }
  *sl =
      j == start
          ? (codec_slot){.kind = SLOT_MISSING}
          : (codec_slot){.kind = SLOT_STRING, .off = (uint32_t)start, .len = (uint32_t)(j - start)};
  *i = j;
  return SLUICE_OK;
}

static int emit_row(codec_out *o) {
  stream_mapping *m = o->m;
  int rc = codec_room(o, 1);
  if (rc != SLUICE_OK) return rc;
  int r = o->b->n + o->produced;
  for (int c = 0; c < m->ncols; c++)
    if ((rc = codec_coerce(o, c, &m->slots[c], r)) != SLUICE_OK) return rc;
  o->produced++;
  return SLUICE_OK;
}

int codec_csv_decode(codec_out *o) {
  stream_mapping *m = o->m;
  const uint8_t *p = o->data;
  size_t n = o->n, i = 0;
  if (n == 0) return codec_parse_error(o, "the CSV record is empty");
  size_t bad = codec_utf8_check(p, n);
  if (bad < n) return codec_parse_error(o, "invalid UTF-8 in the CSV record at byte %zu", bad);
  while (i < n) {
    memset(m->slots, 0, (size_t)m->ncols * sizeof *m->slots);
    for (int f = 0;; f++) {
      codec_slot sl;
      int rc = field(o, &i, &sl);
      if (rc != SLUICE_OK) return rc;
      if (f < m->ncols) m->slots[f] = sl;
      int at = i < n ? delim_at(m, p, n, i) : AT_ROW;
      if (at == AT_COL) {
        i += m->col_delim_len;
        continue;
      }
      if (i < n) i += m->row_delim_len; /* a delimiter that ends the record starts no row */
      break;
    }
    int rc = emit_row(o);
    if (rc != SLUICE_OK) return rc;
  }
  return SLUICE_OK;
}

size_t codec_csv_unquote(const uint8_t *s, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    out[o++] = (char)s[i];
    if (s[i] == '"') i++; /* "" is one quote */
  }
  return o;
}

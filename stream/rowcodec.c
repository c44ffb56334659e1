/*
 * rowcodec.c — the internal row codec: how an in-application stream stores
 * one row per store record (layout in stream.h). Compact and branch-light:
 * a pump writes every output row through stream_row_encode(), and readers
 * decode every row with stream_row_decode().
 */
#include <string.h>

#include "stream/codec_int.h"

#define ROW_FORMAT 1
#define ROW_HEADER 11 /* format u8 | ncols u16 | rowtime i64 */

/* Bytes of a fixed-width value of type t in the codec; 0 for strings and binaries. */
static size_t fixed_width(core_type t) {
  switch (t.id) {
    case CORE_T_BOOLEAN:
    case CORE_T_TINYINT:
      return 1;
    case CORE_T_SMALLINT:
      return 2;
    case CORE_T_INTEGER:
    case CORE_T_DATE:
    case CORE_T_TIME:
    case CORE_T_REAL:
      return 4;
    case CORE_T_DECIMAL:
      return t.precision <= 18 ? 8 : 16;
    case CORE_T_CHAR:
    case CORE_T_VARCHAR:
    case CORE_T_BINARY:
    case CORE_T_VARBINARY:
      return 0;
    default: /* BIGINT, TIMESTAMP, intervals, DOUBLE */
      return 8;
  }
}

/* Little-endian stores and loads (memcpy compiles to one move on x86-64). */
static inline void put_le(uint8_t *p, uint64_t v, size_t w) {
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v) >> (64 - 8 * w);
#endif
  memcpy(p, &v, w);
}

static inline uint64_t get_le(const uint8_t *p, size_t w) {
  uint64_t v = 0;
  memcpy(&v, p, w);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v) >> (64 - 8 * w);
#endif
  return v;
}

static inline int64_t sign_extend(uint64_t v, size_t w) {
  unsigned shift = (unsigned)(64 - 8 * w);
  return (int64_t)(v << shift) >> shift;
}

int stream_row_encode(const core_batch *b, int row, stream_buf *out) {
  size_t need = ROW_HEADER + ((size_t)b->ncols + 7) / 8;
  for (int c = 0; c < b->ncols; c++) {
    const core_vec *v = &b->cols[c];
    if (v->null[row]) continue;
    size_t w = fixed_width(v->type);
    need += w ? w : 5 + v->u.s[row].n;
  }
  if (stream_buf_reserve(out, need) != SLUICE_OK) return SLUICE_NOMEM;
  uint8_t *p = out->data + out->len, *start = p;
  p[0] = ROW_FORMAT;
  put_le(p + 1, (uint64_t)b->ncols, 2);
  put_le(p + 3, (uint64_t)b->rowtime[row], 8);
  p += ROW_HEADER;
  uint8_t *bitmap = p;
  memset(bitmap, 0, ((size_t)b->ncols + 7) / 8);
  p += ((size_t)b->ncols + 7) / 8;
  for (int c = 0; c < b->ncols; c++) {
    const core_vec *v = &b->cols[c];
    if (v->null[row]) {
      bitmap[c >> 3] |= (uint8_t)(1u << (c & 7));
      continue;
    }
    size_t w = fixed_width(v->type);
    switch (core_type_repr(v->type.id)) {
      case 'i':
        put_le(p, (uint64_t)v->u.i[row], w);
        break;
      case 'd':
        if (w == 4) {
          float f = (float)v->u.d[row];
          uint32_t bits;
          memcpy(&bits, &f, 4);
          put_le(p, bits, 4);
        } else {
          uint64_t bits;
          memcpy(&bits, &v->u.d[row], 8);
          put_le(p, bits, 8);
        }
        break;
      case 'x': {
        core_i128 x = v->u.dec[row];
        put_le(p, (uint64_t)x, 8);
        if (w == 16) put_le(p + 8, (uint64_t)(x >> 64), 8);
        break;
      }
      default: { /* LEB128 length, then the bytes */
        uint32_t n = v->u.s[row].n;
        do {
          *p++ = (uint8_t)((n & 0x7F) | (n > 0x7F ? 0x80 : 0));
          n >>= 7;
        } while (n);
        memcpy(p, v->u.s[row].p, v->u.s[row].n);
        p += v->u.s[row].n;
        w = 0;
      }
    }
    p += w;
  }
  out->len += (size_t)(p - start);
  return SLUICE_OK;
}

static int corrupt(core_error *err, const char *why) {
  return core_error_set(err, SLUICE_CORRUPT, "stored row does not match the stream's columns: %s",
                        why);
}

int stream_row_decode(const uint8_t *data, size_t n, core_batch *b, core_error *err) {
  if (b->n >= b->cap)
    return core_error_set(err, SLUICE_LIMIT, "the batch is full (%d rows)", b->cap);
  size_t nb = ((size_t)b->ncols + 7) / 8;
  if (n < ROW_HEADER + nb || data[0] != ROW_FORMAT) return corrupt(err, "bad header");
  if (get_le(data + 1, 2) != (uint64_t)b->ncols) return corrupt(err, "another column count");
  const uint8_t *bitmap = data + ROW_HEADER, *p = bitmap + nb, *end = data + n;
  /* first pass: check the sizes and sum the string bytes, so that a bad record writes nothing */
  size_t text = 0;
  for (int c = 0; c < b->ncols; c++) {
    if (bitmap[c >> 3] >> (c & 7) & 1) continue;
    size_t w = fixed_width(b->cols[c].type);
    if (!w) {
      uint64_t len = 0;
      for (unsigned shift = 0;; shift += 7) {
        if (p >= end || shift > 28) return corrupt(err, "bad string length");
        len |= (uint64_t)(*p & 0x7F) << shift;
        if (!(*p++ & 0x80)) break;
      }
      if (len > (uint64_t)(end - p)) return corrupt(err, "a string runs past the record");
      text += len;
      w = len;
    } else if ((size_t)(end - p) < w) {
      return corrupt(err, "the record is too short");
    } else if (b->cols[c].type.id == CORE_T_BOOLEAN && *p > 1) {
      return corrupt(err, "a BOOLEAN byte other than 0 or 1");
    } else if (b->cols[c].type.id == CORE_T_TIME && get_le(p, 4) >= 86400000) {
      return corrupt(err, "a TIME outside the day");
    }
    p += w;
  }
  if (p != end) return corrupt(err, "bytes left over");
  if (nb && b->ncols % 8 && bitmap[nb - 1] >> (b->ncols % 8))
    return corrupt(err, "null bits beyond the last column");
  char *heap = NULL;
  if (text && !(heap = core_arena_alloc(b->heap, text)))
    return core_error_set(err, SLUICE_NOMEM, "out of memory decoding a row");

  int row = b->n;
  b->rowtime[row] = (int64_t)get_le(data + 3, 8);
  p = bitmap + nb;
  for (int c = 0; c < b->ncols; c++) {
    core_vec *v = &b->cols[c];
    if (bitmap[c >> 3] >> (c & 7) & 1) {
      v->null[row] = 1;
      if (core_type_repr(v->type.id) == 's') v->u.s[row] = (core_str){"", 0};
      continue;
    }
    v->null[row] = 0;
    size_t w = fixed_width(v->type);
    switch (core_type_repr(v->type.id)) {
      case 'i':
        v->u.i[row] = v->type.id == CORE_T_BOOLEAN ? (int64_t)*p : sign_extend(get_le(p, w), w);
        break;
      case 'd':
        if (w == 4) {
          uint32_t bits = (uint32_t)get_le(p, 4);
          float f;
          memcpy(&f, &bits, 4);
          v->u.d[row] = f;
        } else {
          uint64_t bits = get_le(p, 8);
          memcpy(&v->u.d[row], &bits, 8);
        }
        break;
      case 'x':
        if (w == 8)
          v->u.dec[row] = (int64_t)get_le(p, 8);
        else
          v->u.dec[row] = (core_i128)((core_u128)get_le(p + 8, 8) << 64 | get_le(p, 8));
        break;
      default: {
        uint32_t len = 0;
        for (unsigned shift = 0;; shift += 7) {
          len |= (uint32_t)(*p & 0x7F) << shift;
          if (!(*p++ & 0x80)) break;
        }
        if (len) {
          memcpy(heap, p, len);
          v->u.s[row] = (core_str){heap, len};
          heap += len;
        } else {
          v->u.s[row] = (core_str){"", 0};
        }
        w = len;
      }
    }
    p += w;
  }
  b->n++;
  return SLUICE_OK;
}

/* ------------------------------------------------------------- schemas -- */

int stream_schema_encode(int ncols, const char *const *names, const core_type *types,
                         stream_buf *out) {
  for (int c = 0; c < ncols; c++)
    if (strlen(names[c]) > 65535) return SLUICE_INVALID;
  size_t need = 2;
  for (int c = 0; c < ncols; c++) need += 14 + strlen(names[c]);
  if (ncols < 0 || ncols > 65535 || stream_buf_reserve(out, need)) return SLUICE_NOMEM;
  uint8_t *p = out->data + out->len;
  *p++ = (uint8_t)(ncols & 0xff);
  *p++ = (uint8_t)(ncols >> 8);
  for (int c = 0; c < ncols; c++) {
    const core_type *t = &types[c];
    *p++ = t->id;
    *p++ = t->not_null;
    *p++ = t->start;
    *p++ = t->end;
    for (int k = 0; k < 4; k++) *p++ = (uint8_t)((uint32_t)t->precision >> (8 * k));
    for (int k = 0; k < 4; k++) *p++ = (uint8_t)((uint32_t)t->scale >> (8 * k));
    size_t len = strlen(names[c]);
    *p++ = (uint8_t)(len & 0xff);
    *p++ = (uint8_t)(len >> 8);
    memcpy(p, names[c], len);
    p += len;
  }
  out->len = (size_t)(p - out->data);
  return SLUICE_OK;
}

int stream_schema_decode(const uint8_t *data, size_t n, core_arena *a, int *ncols,
                         const char ***names, core_type **types, core_error *err) {
  const uint8_t *p = data, *end = data + n;
  if (n < 2) return core_error_set(err, SLUICE_CORRUPT, "stream schema is truncated");
  int nc = p[0] | p[1] << 8;
  p += 2;
  const char **nm = core_arena_alloc(a, sizeof *nm * (size_t)(nc + 1));
  core_type *ty = core_arena_zalloc(a, sizeof *ty * (size_t)(nc + 1));
  if (!nm || !ty) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  for (int c = 0; c < nc; c++) {
    if (end - p < 14) return core_error_set(err, SLUICE_CORRUPT, "stream schema is truncated");
    ty[c].id = p[0];
    ty[c].not_null = p[1];
    ty[c].start = p[2];
    ty[c].end = p[3];
    uint32_t prec = 0, scale = 0;
    for (int k = 0; k < 4; k++) prec |= (uint32_t)p[4 + k] << (8 * k);
    for (int k = 0; k < 4; k++) scale |= (uint32_t)p[8 + k] << (8 * k);
    ty[c].precision = (int32_t)prec;
    ty[c].scale = (int32_t)scale;
    size_t len = (size_t)(p[12] | p[13] << 8);
    p += 14;
    if ((size_t)(end - p) < len || ty[c].id == CORE_T_NULL || ty[c].id >= CORE_T_ANY)
      return core_error_set(err, SLUICE_CORRUPT, "stream schema is malformed");
    nm[c] = core_arena_strndup(a, (const char *)p, len);
    if (!nm[c]) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    p += len;
  }
  if (p != end) return core_error_set(err, SLUICE_CORRUPT, "stream schema has bytes left over");
  *ncols = nc;
  *names = nm;
  *types = ty;
  return SLUICE_OK;
}

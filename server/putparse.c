/*
 * putparse.c — the fast path of PutRecords: one pass over the request body
 * that recognises the shape every SDK sends (`{"StreamName":..,"Records":[
 * {"Data":..,"PartitionKey":..,"ExplicitHashKey":..}, ...]}` in any member
 * order, with any JSON whitespace) and decodes each record's base64 straight
 * into the caller's buffer. No DOM, no allocation, no second look at a byte.
 *
 * It only ever says yes to a body that the general path (cJSON, validate.c,
 * the semantic checks of put_common in kinesis.c) accepts in full: the UTF-8
 * and control-character rules of the body, every member type and constraint
 * of the PutRecords model, base64 alphabet and padding, ExplicitHashKey range
 * and the 5 MiB request limit. Anything else — escapes, nulls, unknown or
 * repeated members, StreamARN, any violation — is declined, and the general
 * path answers it with AWS's exact error. So the fast path can change speed,
 * never behaviour.
 */
#include <string.h>

#include "server/server.h"

/* Base64 alphabet value + 1; 0 for every other byte (including '=' and '"'). */
static const uint8_t b64_plus1[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64};

/* Bytes a stream name may hold: the pattern [a-zA-Z0-9_.-]. */
static bool name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

#define PUT_MAX_KEY_UNITS 256   /* PartitionKey length, UTF-16 code units */
#define PUT_MAX_DATA (1u << 20) /* Data, decoded bytes */
#define STREAM_NAME_MAX 128

typedef struct cursor {
  const unsigned char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) c->p++;
}

/* Consumes ch (after whitespace). */
static bool expect(cursor *c, char ch) {
  skip_ws(c);
  if (c->p >= c->end || *c->p != (unsigned char)ch) return false;
  c->p++;
  return true;
}

/* Consumes `"key":` when the next member is named key (after whitespace). */
static bool member_is(cursor *c, const char *key, size_t n) {
  if ((size_t)(c->end - c->p) < n + 2 || c->p[0] != '"' || c->p[n + 1] != '"' ||
      memcmp(c->p + 1, key, n) != 0)
    return false;
  c->p += n + 2;
  return expect(c, ':');
}

/* The body of a string up to its closing quote, with no escapes and no raw
 * control characters; *hi gets the OR of its bytes (>= 0x80: not ASCII). */
static bool plain_string(cursor *c, const char **s, size_t *n, unsigned *hi) {
  if (!expect(c, '"')) return false;
  const unsigned char *start = c->p;
  unsigned any = 0;
  while (c->p < c->end && *c->p != '"') {
    if (*c->p < 0x20 || *c->p == '\\') return false;
    any |= *c->p++;
  }
  if (c->p >= c->end) return false;
  *s = (const char *)start;
  *n = (size_t)(c->p - start);
  *hi = any;
  c->p++;
  return true;
}

/* StreamName: 1..128 bytes of [a-zA-Z0-9_.-]. */
static bool stream_name(cursor *c, server_put_batch *out) {
  const char *s;
  size_t n;
  unsigned hi;
  if (!plain_string(c, &s, &n, &hi) || n < 1 || n > STREAM_NAME_MAX) return false;
  for (size_t i = 0; i < n; i++)
    if (!name_char((unsigned char)s[i])) return false;
  out->stream = s;
  out->stream_len = n;
  return true;
}

/* PartitionKey: valid UTF-8 of 1..256 UTF-16 code units (validate.c's length_of). */
static bool partition_key(cursor *c, server_put_record *r) {
  const char *s;
  size_t n;
  unsigned hi;
  if (!plain_string(c, &s, &n, &hi)) return false;
  size_t units = n;
  if (hi & 0x80) {
    if (!core_utf8_valid(s, n)) return false;
    units = 0;
    for (size_t i = 0; i < n; i++) {
      unsigned char ch = (unsigned char)s[i];
      if ((ch & 0xC0) != 0x80) units += ch >= 0xF0 ? 2 : 1;
    }
  }
  if (units < 1 || units > PUT_MAX_KEY_UNITS) return false;
  r->partition_key = s;
  r->partition_key_len = (uint32_t)n;
  return true;
}

/* ExplicitHashKey: `0|([1-9]\d{0,38})` and at most 2^128 - 1. */
static bool explicit_hash_key(cursor *c, server_put_record *r) {
  const char *s;
  size_t n;
  unsigned hi;
  if (!plain_string(c, &s, &n, &hi) || core_u128_parse(s, n, &r->explicit_hash) != SLUICE_OK)
    return false;
  r->has_explicit_hash = true;
  return true;
}

/* Data: strict base64 (length a multiple of 4, at most two '=' at the very
 * end), decoded into *o, which advances. At most 1 MiB decoded. */
static bool data_blob(cursor *c, uint8_t **o, server_put_record *r) {
  if (!expect(c, '"')) return false;
  const unsigned char *s = c->p, *end = c->end;
  uint8_t *out = *o, *start = out;
  while (end - s >= 4) {
    int a = b64_plus1[s[0]] - 1, b = b64_plus1[s[1]] - 1, d2 = b64_plus1[s[2]] - 1,
        d3 = b64_plus1[s[3]] - 1;
    if ((a | b | d2 | d3) < 0) break;
    uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)d2 << 6 | (uint32_t)d3;
    out[0] = (uint8_t)(w >> 16);
    out[1] = (uint8_t)(w >> 8);
    out[2] = (uint8_t)w;
    out += 3;
    s += 4;
  }
  if (s < end && *s == '"') {
    s += 1;
  } else if (end - s >= 5 && s[4] == '"' && s[3] == '=') {
    /* the last quantum: `xx==` (one byte) or `xxx=` (two) */
    int a = b64_plus1[s[0]] - 1, b = b64_plus1[s[1]] - 1, d2 = b64_plus1[s[2]] - 1;
    if ((a | b) < 0 || (d2 < 0 && s[2] != '=')) return false;
    uint32_t w = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)(d2 < 0 ? 0 : d2) << 6;
    *out++ = (uint8_t)(w >> 16);
    if (d2 >= 0) *out++ = (uint8_t)(w >> 8);
    s += 5;
  } else {
    return false;
  }
  if ((size_t)(out - start) > PUT_MAX_DATA) return false;
  c->p = s;
  r->data = start;
  r->data_len = (uint32_t)(out - start);
  *o = out;
  return true;
}

/* One element of Records: Data and PartitionKey required, ExplicitHashKey optional. */
static bool record(cursor *c, uint8_t **o, server_put_record *r) {
  if (!expect(c, '{')) return false;
  memset(r, 0, sizeof *r);
  bool data = false, key = false, hash = false;
  do {
    skip_ws(c);
    if (!data && member_is(c, "Data", 4)) {
      if (!data_blob(c, o, r)) return false;
      data = true;
    } else if (!key && member_is(c, "PartitionKey", 12)) {
      if (!partition_key(c, r)) return false;
      key = true;
    } else if (!hash && member_is(c, "ExplicitHashKey", 15)) {
      if (!explicit_hash_key(c, r)) return false;
      hash = true;
    } else {
      return false;
    }
  } while (expect(c, ','));
  return data && key && expect(c, '}');
}

/* Records: 1..500 records. */
static bool records(cursor *c, uint8_t *data, server_put_batch *out) {
  if (!expect(c, '[')) return false;
  uint8_t *o = data;
  size_t total = 0;
  out->n = 0;
  do {
    if (out->n == SERVER_PUT_MAX_RECORDS) return false;
    server_put_record *r = &out->recs[out->n];
    if (!record(c, &o, r)) return false;
    total += r->data_len + r->partition_key_len;
    out->n++;
  } while (expect(c, ','));
  return expect(c, ']') && total <= SERVER_PUT_MAX_BYTES;
}

bool server_put_records_parse(const char *body, size_t n, uint8_t *data, server_put_batch *out) {
  cursor c = {(const unsigned char *)body, (const unsigned char *)body + n};
  bool name = false, recs = false;
  out->stream = NULL;
  out->stream_len = 0;
  out->n = 0;
  if (!expect(&c, '{')) return false;
  do {
    skip_ws(&c);
    if (!name && member_is(&c, "StreamName", 10)) {
      if (!stream_name(&c, out)) return false;
      name = true;
    } else if (!recs && member_is(&c, "Records", 7)) {
      if (!records(&c, data, out)) return false;
      recs = true;
    } else {
      return false;
    }
  } while (expect(&c, ','));
  if (!name || !recs || !expect(&c, '}')) return false;
  skip_ws(&c);
  return c.p == c.end;
}

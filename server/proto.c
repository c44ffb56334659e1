/*
 * proto.c — the pure pieces of the server: growable buffers and JSON output,
 * the HTTP/1.1 request parser, the HTTP/2 preface check, the event-stream
 * encoder, shard iterators and ARN parsing. Nothing here does I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "server/server_int.h"

/* ---------------------------------------------------------------- buffers -- */

void sbuf_free(sbuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
  b->oom = false;
}

bool sbuf_reserve(sbuf *b, size_t extra) {
  if (b->oom) return false;
  if (b->len + extra <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->oom = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void sbuf_put(sbuf *b, const void *s, size_t n) {
  if (!n || !sbuf_reserve(b, n)) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

void sbuf_printf(sbuf *b, const char *fmt, ...) {
  va_list ap;
  char tmp[512];
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) {
    sbuf_put(b, tmp, (size_t)n);
    return;
  }
  if (!sbuf_reserve(b, (size_t)n + 1)) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

/* ---------------------------------------------------------- JSON writing -- */

void json_str(sbuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (!sbuf_reserve(b, n + 2)) return;
  b->p[b->len++] = '"';
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    sbuf_put(b, s + start, i - start);
    start = i + 1;
    char esc[6] = {'\\', 0};
    switch (c) {
      case '"':
        esc[1] = '"';
        break;
      case '\\':
        esc[1] = '\\';
        break;
      case '\n':
        esc[1] = 'n';
        break;
      case '\r':
        esc[1] = 'r';
        break;
      case '\t':
        esc[1] = 't';
        break;
      default:
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        sbuf_put(b, esc, 6);
        continue;
    }
    sbuf_put(b, esc, 2);
  }
  sbuf_put(b, s + start, n - start);
  sbuf_putc(b, '"');
}

void json_cstr(sbuf *b, const char *s) {
  json_str(b, s, strlen(s));
}

/* Writes v in decimal ending just before end; returns the first character.
 * json_i64 and json_ts run once or more per record of a GetRecords reply. */
static char *u64_digits(char *end, uint64_t v) {
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return end;
}

void json_i64(sbuf *b, int64_t v) {
  char tmp[24];
  char *end = tmp + sizeof tmp;
  char *p = u64_digits(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
  if (v < 0) *--p = '-';
  sbuf_put(b, p, (size_t)(end - p));
}

size_t json_ts_text(int64_t ms, char out[JSON_TS_TEXT]) {
  char tmp[24];
  char *end = tmp + sizeof tmp;
  int64_t sec = core_floor_div(ms, 1000);
  char *p = u64_digits(end, sec < 0 ? 0 - (uint64_t)sec : (uint64_t)sec);
  if (sec < 0) *--p = '-';
  size_t n = (size_t)(end - p);
  memcpy(out, p, n);
  int frac = (int)core_floor_mod(ms, 1000);
  if (frac == 0) return n;
  char f[4] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
               (char)('0' + frac % 10)};
  size_t fn = 4;
  while (f[fn - 1] == '0') fn--;
  memcpy(out + n, f, fn);
  return n + fn;
}

void json_ts(sbuf *b, int64_t ms) {
  char tmp[JSON_TS_TEXT];
  sbuf_put(b, tmp, json_ts_text(ms, tmp));
}

/* Six bytes at a time: one 64-bit load, eight table lookups, one 64-bit
 * store, instead of a byte store per character; the tail (and big-endian
 * hosts) go through the core encoder. The output is the same. */
size_t srv_b64_encode(const void *data, size_t n, char *out) {
  static const char alphabet[65] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const uint8_t *p = data;
  char *o = out;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (n >= 8) { /* 8 readable bytes; 6 are used */
    uint64_t w;
    memcpy(&w, p, 8);
    w = __builtin_bswap64(w);
    uint64_t r = 0;
    for (int k = 0; k < 8; k++)
      r |= (uint64_t)(uint8_t)alphabet[(w >> (58 - 6 * k)) & 63] << (8 * k);
    memcpy(o, &r, 8);
    p += 6;
    n -= 6;
    o += 8;
  }
#endif
  return (size_t)(o - out) + core_base64_encode(p, n, o);
}

void json_b64(sbuf *b, const void *data, size_t n) {
  size_t m = core_base64_encoded_size(n);
  if (!sbuf_reserve(b, m + 2)) return;
  b->p[b->len++] = '"';
  b->len += srv_b64_encode(data, n, b->p + b->len);
  b->p[b->len++] = '"';
}

void json_u128(sbuf *b, core_u128 v) {
  char tmp[CORE_U128_DIGITS];
  size_t n = core_u128_format(v, tmp);
  sbuf_putc(b, '"');
  sbuf_put(b, tmp, n);
  sbuf_putc(b, '"');
}

/* -------------------------------------------------------------- HTTP/1.1 -- */

static bool is_tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool name_is(const char *name, size_t n, const char *want) {
  return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* True if the comma-separated header value contains token (case-insensitive). */
static bool value_has_token(const char *v, size_t n, const char *token) {
  size_t tl = strlen(token);
  size_t i = 0;
  while (i < n) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
    size_t s = i;
    while (i < n && v[i] != ',') i++;
    size_t e = i;
    while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
    if (e - s == tl && strncasecmp(v + s, token, tl) == 0) return true;
  }
  return false;
}

int server_http_parse(const char *buf, size_t n, size_t max_body, server_http_req *rq) {
  memset(rq, 0, sizeof *rq);
  size_t start = 0;
  /* RFC 9112 2.2: ignore empty lines before the request line. */
  while (start + 1 < n && buf[start] == '\r' && buf[start + 1] == '\n') start += 2;
  if (start < n && buf[start] == '\n') start++;
  const char *end = NULL;
  size_t lim = n < SERVER_HTTP_MAX_HEADER + start ? n : SERVER_HTTP_MAX_HEADER + start;
  for (size_t i = start; i + 3 < n && i < lim; i++) {
    if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
      end = buf + i;
      break;
    }
  }
  if (!end) {
    if (n - start >= SERVER_HTTP_MAX_HEADER) return SERVER_HTTP_TOO_LARGE;
    /* Reject garbage early: the first bytes must look like a method. */
    for (size_t i = start; i < n && buf[i] != ' '; i++)
      if (!is_tchar((unsigned char)buf[i])) return SERVER_HTTP_BAD;
    return SERVER_HTTP_INCOMPLETE;
  }
  const char *p = buf + start;
  /* Request line. */
  const char *m = p;
  while (p < end && is_tchar((unsigned char)*p)) p++;
  if (p == m || p >= end || *p != ' ') return SERVER_HTTP_BAD;
  rq->method = m;
  rq->method_len = (size_t)(p - m);
  p++;
  const char *path = p;
  while (p < end && *p != ' ' && *p != '\r' && (unsigned char)*p > 0x20) p++;
  if (p == path || p >= end || *p != ' ') return SERVER_HTTP_BAD;
  rq->path = path;
  rq->path_len = (size_t)(p - path);
  p++;
  if (end - p < 8 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1'))
    return SERVER_HTTP_BAD;
  rq->minor = p[7] - '0';
  p += 8;
  if (p > end || p[0] != '\r' || p[1] != '\n') return SERVER_HTTP_BAD;
  bool conn_close = false, conn_keep = false, have_len = false;
  size_t clen = 0;
  p += 2;
  /* Header lines. end points at the CRLF that ends the last header line. */
  while (p < end) {
    const char *line = p;
    const char *eol = line;
    while (eol < end && !(eol[0] == '\r' && eol[1] == '\n')) eol++;
    const char *colon = memchr(line, ':', (size_t)(eol - line));
    if (!colon || colon == line) return SERVER_HTTP_BAD;
    for (const char *q = line; q < colon; q++)
      if (!is_tchar((unsigned char)*q)) return SERVER_HTTP_BAD;
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1;
    while (v < eol && (*v == ' ' || *v == '\t')) v++;
    const char *ve = eol;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
    size_t vlen = (size_t)(ve - v);
    for (const char *q = v; q < ve; q++)
      if (*q == '\r' || *q == '\n' || *q == 0) return SERVER_HTTP_BAD;
    if (name_is(line, nlen, "x-amz-target")) {
      rq->target = v;
      rq->target_len = vlen;
    } else if (name_is(line, nlen, "content-type")) {
      rq->content_type = v;
      rq->content_type_len = vlen;
    } else if (name_is(line, nlen, "authorization")) {
      rq->has_auth = true;
    } else if (name_is(line, nlen, "content-length")) {
      if (vlen == 0 || vlen > 12) return vlen > 12 ? SERVER_HTTP_TOO_LARGE : SERVER_HTTP_BAD;
      size_t x = 0;
      for (size_t i = 0; i < vlen; i++) {
        if (v[i] < '0' || v[i] > '9') return SERVER_HTTP_BAD;
        x = x * 10 + (size_t)(v[i] - '0');
      }
      if (have_len && x != clen) return SERVER_HTTP_BAD;
      have_len = true;
      clen = x;
    } else if (name_is(line, nlen, "transfer-encoding")) {
      return SERVER_HTTP_CHUNKED;
    } else if (name_is(line, nlen, "connection")) {
      if (value_has_token(v, vlen, "close")) conn_close = true;
      if (value_has_token(v, vlen, "keep-alive")) conn_keep = true;
    } else if (name_is(line, nlen, "expect")) {
      if (value_has_token(v, vlen, "100-continue")) rq->expect_continue = true;
    }
    p = eol + 2;
  }
  rq->keep_alive = rq->minor == 1 ? !conn_close : (conn_keep && !conn_close);
  rq->header_len = (size_t)(end - buf) + 4;
  rq->content_length = clen;
  if (clen > max_body) return SERVER_HTTP_TOO_LARGE;
  rq->total_len = rq->header_len + clen;
  if (n < rq->total_len) return SERVER_HTTP_INCOMPLETE;
  rq->body = buf + rq->header_len;
  return SERVER_HTTP_DONE;
}

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

int server_h2_preface(const char *buf, size_t n) {
  size_t pl = sizeof h2_preface - 1;
  size_t k = n < pl ? n : pl;
  if (memcmp(buf, h2_preface, k) != 0) return 0;
  return n >= pl ? 1 : -1;
}

/* ---------------------------------------------------------- event stream -- */

uint32_t server_crc32(uint32_t c, const void *data, size_t n) {
  const unsigned char *p = data;
  while (n) {
    uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
    c = (uint32_t)crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return c;
}

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

size_t server_evstream_encode(const server_evheader *h, size_t nh, const void *payload,
                              size_t payload_len, uint8_t *out, size_t size) {
  size_t hlen = 0;
  for (size_t i = 0; i < nh; i++) {
    size_t nl = strlen(h[i].name), vl = strlen(h[i].value);
    if (nl > 255 || vl > 65535) return 0;
    hlen += 1 + nl + 1 + 2 + vl;
  }
  size_t total = 12 + hlen + payload_len + 4;
  if (total > size || total > UINT32_MAX) return 0;
  put_be32(out, (uint32_t)total);
  put_be32(out + 4, (uint32_t)hlen);
  put_be32(out + 8, server_crc32(0, out, 8));
  uint8_t *p = out + 12;
  for (size_t i = 0; i < nh; i++) {
    size_t nl = strlen(h[i].name), vl = strlen(h[i].value);
    *p++ = (uint8_t)nl;
    memcpy(p, h[i].name, nl);
    p += nl;
    *p++ = 7;
    *p++ = (uint8_t)(vl >> 8);
    *p++ = (uint8_t)vl;
    memcpy(p, h[i].value, vl);
    p += vl;
  }
  if (payload_len) memcpy(p, payload, payload_len);
  p += payload_len;
  put_be32(p, server_crc32(0, out, (size_t)(p - out)));
  return total;
}

/* ------------------------------------------------------------- iterators -- */

static void put_u64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = (uint8_t)v;
    v >>= 8;
  }
}

static uint64_t get_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | p[i];
  return v;
}

#define ITER_MAC 16

size_t server_iter_encode(const server_iter *it, const uint8_t key[32], char *out) {
  uint8_t raw[8 + 1 + 128 + 8 + 4 + 8 + 8 + 32];
  size_t nl = strnlen(it->stream, 128);
  uint8_t *p = raw;
  memset(p, 0, 7);
  p[7] = 1; /* like AWS's iterators, which start with 00..01 (`AAAAAAAAAAE`) */
  p += 8;
  *p++ = (uint8_t)nl;
  memcpy(p, it->stream, nl);
  p += nl;
  put_u64(p, it->stream_gen);
  p += 8;
  put_be32(p, it->shard);
  p += 4;
  put_u64(p, it->position);
  p += 8;
  put_u64(p, (uint64_t)it->issued_ms);
  p += 8;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int maclen = 0;
  HMAC(EVP_sha256(), key, 32, raw, (size_t)(p - raw), mac, &maclen);
  memcpy(p, mac, ITER_MAC);
  p += ITER_MAC;
  size_t n = core_base64_encode(raw, (size_t)(p - raw), out);
  out[n] = 0;
  return n;
}

static int iter_invalid(core_error *err) {
  return core_error_set(err, SLUICE_INVALID, "Invalid ShardIterator.");
}

int server_iter_decode(const char *s, size_t n, const uint8_t key[32], int64_t now_ms,
                       server_iter *it, core_error *err) {
  uint8_t raw[SERVER_ITER_MAX];
  size_t len = 0, bad = 0;
  if (n == 0 || n > SERVER_ITER_MAX || n % 4) return iter_invalid(err);
  if (core_base64_decode(s, n, raw, &len, &bad) != SLUICE_OK) return iter_invalid(err);
  if (len < 8 + 1 + 1 + 8 + 4 + 8 + 8 + ITER_MAC) return iter_invalid(err);
  static const uint8_t head[8] = {0, 0, 0, 0, 0, 0, 0, 1};
  if (memcmp(raw, head, 8) != 0) return iter_invalid(err);
  size_t nl = raw[8];
  if (nl == 0 || nl > 128 || len != 8 + 1 + nl + 8 + 4 + 8 + 8 + ITER_MAC) return iter_invalid(err);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int maclen = 0;
  HMAC(EVP_sha256(), key, 32, raw, len - ITER_MAC, mac, &maclen);
  if (CRYPTO_memcmp(mac, raw + len - ITER_MAC, ITER_MAC) != 0) return iter_invalid(err);
  const uint8_t *p = raw + 9;
  memcpy(it->stream, p, nl);
  it->stream[nl] = 0;
  p += nl;
  it->stream_gen = get_u64(p);
  p += 8;
  it->shard = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  p += 4;
  it->position = get_u64(p);
  p += 8;
  it->issued_ms = (int64_t)get_u64(p);
  if (now_ms - it->issued_ms > SERVER_ITER_TTL_MS) {
    char a[32], b[32];
    server_amz_time(it->issued_ms, a);
    server_amz_time(now_ms, b);
    return core_error_set(err, SLUICE_EXPIRED,
                          "Iterator expired. The iterator was created at time %s while right now "
                          "it is %s which is further in the future than the tolerated delay of "
                          "300000 milliseconds.",
                          a, b);
  }
  return SLUICE_OK;
}

size_t server_amz_time(int64_t ms, char buf[32]) {
  static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t secs = core_floor_div(ms, 1000);
  int32_t day = (int32_t)core_floor_div(secs, 86400);
  int64_t sod = secs - (int64_t)day * 86400;
  int64_t y;
  unsigned mo, d;
  core_civil_from_days(day, &y, &mo, &d);
  int wd = (int)core_floor_mod((int64_t)day + 4, 7); /* 1970-01-01 was a Thursday */
  int n = snprintf(buf, 32, "%s %s %02u %02d:%02d:%02d UTC %lld", days[wd], months[mo - 1], d,
                   (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (long long)y);
  return n < 0 ? 0 : (size_t)n;
}

/* ------------------------------------------------------------------ ARNs -- */

static bool name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

/* Finds `:<12 digits>:stream/` after `arn:aws...:kinesis:`; returns the offset
 * just after `stream/` or 0. */
static size_t arn_stream_start(const char *s, size_t n) {
  if (n < 7 || memcmp(s, "arn:aws", 7) != 0) return 0;
  const char *k = NULL;
  for (size_t i = 7; i + 9 <= n; i++)
    if (memcmp(s + i, ":kinesis:", 9) == 0) {
      k = s + i + 9;
      break;
    }
  if (!k) return 0;
  size_t from = (size_t)(k - s) - 1; /* the ':' of `:\d{12}` may not be the one of `:kinesis:` */
  for (size_t i = from + 1; i + 1 + 12 + 8 <= n; i++) {
    if (s[i] != ':') continue;
    bool digits = true;
    for (size_t j = 1; j <= 12; j++)
      if (s[i + j] < '0' || s[i + j] > '9') digits = false;
    if (digits && memcmp(s + i + 13, ":stream/", 8) == 0) return i + 21;
  }
  return 0;
}

int server_parse_stream_arn(const char *s, size_t n, char name[129]) {
  size_t st = arn_stream_start(s, n);
  if (!st || st >= n || n - st > 128) return SLUICE_INVALID;
  for (size_t i = st; i < n; i++)
    if (!name_char((unsigned char)s[i])) return SLUICE_INVALID;
  memcpy(name, s + st, n - st);
  name[n - st] = 0;
  return SLUICE_OK;
}

int server_parse_consumer_arn(const char *s, size_t n, char stream[129], char consumer[129]) {
  size_t st = arn_stream_start(s, n);
  if (!st) return SLUICE_INVALID;
  size_t i = st;
  while (i < n && name_char((unsigned char)s[i])) i++;
  if (i == st || i - st > 128 || n - i < 10 || memcmp(s + i, "/consumer/", 10) != 0)
    return SLUICE_INVALID;
  memcpy(stream, s + st, i - st);
  stream[i - st] = 0;
  i += 10;
  size_t cs = i;
  while (i < n && name_char((unsigned char)s[i])) i++;
  if (i == cs || i - cs > 128 || i >= n || s[i] != ':' || i + 1 >= n) return SLUICE_INVALID;
  memcpy(consumer, s + cs, i - cs);
  consumer[i - cs] = 0;
  for (size_t j = i + 1; j < n; j++)
    if (s[j] < '0' || s[j] > '9') return SLUICE_INVALID;
  return SLUICE_OK;
}

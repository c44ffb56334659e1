/* text.c — UTF-8 validation and base64, both strict. */
#include <string.h>

#include "core/core.h"

bool core_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str, *end = s + n;
  while (s < end) {
    unsigned c = *s;
    if (c < 0x80) {
      s++;
      continue;
    }
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false; /* continuation byte, overlong lead (C0, C1) or beyond U+10FFFF */
    }
    if ((size_t)(end - s) < len) return false;
    for (size_t i = 1; i < len; i++) {
      if ((s[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    s += len;
  }
  return true;
}

size_t core_utf8_length(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) count += ((unsigned char)s[i] & 0xC0) != 0x80;
  return count;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t core_base64_encoded_size(size_t n) {
  return (n + 2) / 3 * 4;
}

size_t core_base64_encode(const void *data, size_t n, char *out) {
  const unsigned char *p = data;
  char *o = out;
  while (n >= 3) {
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    o[0] = b64[v >> 18];
    o[1] = b64[(v >> 12) & 63];
    o[2] = b64[(v >> 6) & 63];
    o[3] = b64[v & 63];
    o += 4;
    p += 3;
    n -= 3;
  }
  if (n) {
    uint32_t v = (uint32_t)p[0] << 16 | (n == 2 ? (uint32_t)p[1] << 8 : 0);
    o[0] = b64[v >> 18];
    o[1] = b64[(v >> 12) & 63];
    o[2] = n == 2 ? b64[(v >> 6) & 63] : '=';
    o[3] = '=';
    o += 4;
  }
  return (size_t)(o - out);
}

static int8_t b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return (int8_t)(c - 'A');
  if (c >= 'a' && c <= 'z') return (int8_t)(c - 'a' + 26);
  if (c >= '0' && c <= '9') return (int8_t)(c - '0' + 52);
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int core_base64_decode(const char *s, size_t n, uint8_t *out, size_t *out_len, size_t *bad) {
  size_t o = 0;
  *bad = 0;
  if (n % 4) {
    /* The first character that cannot complete a quantum is the end of input. */
    for (size_t i = 0; i < n; i++)
      if (b64_value((unsigned char)s[i]) < 0 && s[i] != '=') {
        *bad = i;
        return SLUICE_INVALID;
      }
    *bad = n;
    return SLUICE_INVALID;
  }
  for (size_t i = 0; i < n; i += 4) {
    int8_t v[4];
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      unsigned char c = (unsigned char)s[i + k];
      if (c == '=' && i + 4 == n && k >= 2 && (k == 3 || s[i + 3] == '=')) {
        v[k] = 0;
        pad++;
        continue;
      }
      v[k] = b64_value(c);
      if (v[k] < 0 || pad) {
        *bad = i + (size_t)k;
        return SLUICE_INVALID;
      }
    }
    uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
    out[o++] = (uint8_t)(w >> 16);
    if (pad < 2) out[o++] = (uint8_t)(w >> 8);
    if (pad < 1) out[o++] = (uint8_t)w;
  }
  *out_len = o;
  return SLUICE_OK;
}

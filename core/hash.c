/*
 * hash.c — 128-bit hash keys (MD5 of a partition key, as Kinesis routes),
 * their decimal text, CRC32C for the store's batch framing, and a 64-bit
 * hash for hash tables.
 *
 * MD5 comes from OpenSSL (a well-kept library for a non-core algorithm),
 * through its one-shot MD5() rather than the EVP interface: EVP's per-call
 * context and provider dispatch cost more than hashing a short partition key
 * (30% of a 4-shard append in `sluice bench store`). OpenSSL 3 marks MD5()
 * deprecated but keeps it; core/CMakeLists.txt pins the API level for it.
 */
#include <openssl/md5.h>
#include <pthread.h>
#include <string.h>

#include "core/core.h"

size_t core_u128_format(core_u128 v, char buf[CORE_U128_DIGITS]) {
  char tmp[CORE_U128_DIGITS];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + (int)(v % 10));
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
  return n;
}

int core_u128_parse(const char *s, size_t n, core_u128 *out) {
  if (n == 0 || n > 39 || (n > 1 && s[0] == '0')) return SLUICE_INVALID;
  core_u128 v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return SLUICE_INVALID;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (CORE_U128_MAX - d) / 10) return SLUICE_INVALID;
    v = v * 10 + d;
  }
  *out = v;
  return SLUICE_OK;
}

void core_md5(const void *data, size_t n, uint8_t out[16]) {
  MD5(data, n, out);
}

core_u128 core_hash_key(const void *data, size_t n) {
  uint8_t d[16];
  core_md5(data, n, d);
  core_u128 v = 0;
  for (int i = 0; i < 16; i++) v = (v << 8) | d[i];
  return v;
}

/* ---- CRC32C: the SSE4.2 instruction when present, else a slicing-by-8 table. */

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static bool crc_hw;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    crc_table[0][i] = c;
  }
  for (int t = 1; t < 8; t++)
    for (uint32_t i = 0; i < 256; i++)
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
#if defined(__x86_64__)
  __builtin_cpu_init();
  crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t crc_sw(uint32_t crc, const unsigned char *p, size_t n) {
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    w ^= crc;
    crc = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^ crc_table[5][(w >> 16) & 0xff] ^
          crc_table[4][(w >> 24) & 0xff] ^ crc_table[3][(w >> 32) & 0xff] ^
          crc_table[2][(w >> 40) & 0xff] ^ crc_table[1][(w >> 48) & 0xff] ^
          crc_table[0][(w >> 56) & 0xff];
    p += 8;
    n -= 8;
  }
  while (n--) crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw_run(uint32_t crc, const unsigned char *p,
                                                             size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

uint32_t core_crc32c(uint32_t crc, const void *data, size_t n) {
  pthread_once(&crc_once, crc_init);
  crc = ~crc;
#if defined(__x86_64__)
  if (crc_hw) return ~crc_hw_run(crc, data, n);
#endif
  return ~crc_sw(crc, data, n);
}

/* ---- 64-bit hash: multiply-xorshift over 8-byte words (after wyhash's mixing). */

static inline uint64_t mix(uint64_t a, uint64_t b) {
  core_u128 r = (core_u128)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t core_hash64(const void *data, size_t n, uint64_t seed) {
  const unsigned char *p = data;
  const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
  uint64_t h = seed ^ mix(seed ^ k0, n ^ k1);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = mix(h ^ w, k1);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; i++) tail |= (uint64_t)p[i] << (8 * i);
  return mix(h ^ tail ^ k0, k1 ^ n);
}

/*
 * simdjson_shim.h — the C face of bench/simdjson_shim.cpp, a few lines of C++
 * around simdjson's On-Demand API so that bench/codec.c (C) can measure it.
 * Built only when simdjson is installed (bench/CMakeLists.txt defines
 * SLUICE_HAVE_SIMDJSON then).
 */
#ifndef SLUICE_BENCH_SIMDJSON_SHIM_H
#define SLUICE_BENCH_SIMDJSON_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_simd bench_simd;

/* The five fields the benchmark maps; strings point into the parser (valid until the next call). */
typedef struct bench_simd_row {
  const char *time, *ticker;
  size_t time_len, ticker_len;
  double change, price;
  int64_t volume;
} bench_simd_row;

bench_simd *bench_simd_new(void);
void bench_simd_free(bench_simd *s);
/* Parses one record of len bytes; capacity - len >= 64 bytes after it must be readable
 * (simdjson's padding). Returns 0, or 1 on any error. */
int bench_simd_decode(bench_simd *s, const char *data, size_t len, size_t capacity,
                      bench_simd_row *out);
/* The implementation simdjson chose for this CPU ("haswell", "westmere", ...). */
const char *bench_simd_implementation(void);

#ifdef __cplusplus
}
#endif

#endif

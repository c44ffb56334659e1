/*
 * scalar_int.h — private helpers of the scalar kernels (scalar*.c): row loops,
 * result setters, UTF-8 stepping. Not included from outside functions/.
 */
#ifndef SLUICE_FUNCTIONS_SCALAR_INT_H
#define SLUICE_FUNCTIONS_SCALAR_INT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "functions/functions.h"

/* The k-th row of a run. */
static inline int fn_row(const fn_rows *r, int k) {
  return r->rows ? r->rows[k] : k;
}

/* Loops over the rows of a run: `FN_EACH(r, i) { ... }` with i the row index. */
#define FN_EACH(r, i)                                                                              \
  for (int fn_k_ = 0, i = 0; fn_k_ < (r)->n && ((i = fn_row((r), fn_k_)), 1); fn_k_++)

/* True (and the result set NULL) if any of the first n arguments is NULL at row i. */
static inline bool fn_any_null(const fn_rows *r, int nargs, int i) {
  for (int a = 0; a < nargs; a++)
    if (r->args[a].null[i]) {
      r->out->null[i] = 1;
      return true;
    }
  r->out->null[i] = 0;
  return false;
}

/* Reports row i as failed (its result NULL). */
void fn_fail(const fn_rows *r, int i, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sets a string result: the bytes are copied to r->heap. False on OOM (result NULL). */
bool fn_set_str(const fn_rows *r, int i, const char *p, size_t n);

/* Length in bytes of the UTF-8 sequence starting with byte c (1 for invalid bytes). */
static inline int fn_utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

/* Byte offset of the character after `chars` characters from s[0..n) (n if fewer). */
static inline size_t fn_utf8_skip(const char *s, size_t n, int64_t chars) {
  size_t i = 0;
  while (chars > 0 && i < n) {
    i += (size_t)fn_utf8_len((unsigned char)s[i]);
    chars--;
  }
  return i < n ? i : n;
}

/* Decodes one code point at s[*i] (advancing *i); invalid bytes decode as themselves. */
uint32_t fn_utf8_decode(const char *s, size_t n, size_t *i);
/* Encodes cp into out (4 bytes room); returns the length. */
int fn_utf8_encode(uint32_t cp, char *out);

/* Simple case mappings (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic). */
uint32_t fn_upper(uint32_t cp);
uint32_t fn_lower(uint32_t cp);

/* Civil fields of a timestamp (ms since the epoch). */
typedef struct fn_civil {
  int64_t year;
  int month, day, hour, minute, second, ms;
  int weekday; /* 1 = Monday .. 7 = Sunday */
  int yday;    /* 1 .. 366 */
} fn_civil;
void fn_civil_of(int64_t ms, fn_civil *c);

/* The prepare() functions of each file, gathered by scalar.c. */
#define FN_PREPARE(name) int name(fn_call *c, core_arena *a, core_error *err)
FN_PREPARE(fn_prepare_abs);
FN_PREPARE(fn_prepare_floor);
FN_PREPARE(fn_prepare_ceil);
FN_PREPARE(fn_prepare_step);
FN_PREPARE(fn_prepare_mod);
FN_PREPARE(fn_prepare_power);
FN_PREPARE(fn_prepare_ln);
FN_PREPARE(fn_prepare_log10);
FN_PREPARE(fn_prepare_exp);
FN_PREPARE(fn_prepare_tsdiff);
FN_PREPARE(fn_prepare_unix_timestamp);
FN_PREPARE(fn_prepare_to_timestamp);
FN_PREPARE(fn_prepare_extract);
FN_PREPARE(fn_prepare_current);
FN_PREPARE(fn_prepare_char_length);
FN_PREPARE(fn_prepare_upper);
FN_PREPARE(fn_prepare_lower);
FN_PREPARE(fn_prepare_initcap);
FN_PREPARE(fn_prepare_substring);
FN_PREPARE(fn_prepare_position);
FN_PREPARE(fn_prepare_trim);
FN_PREPARE(fn_prepare_overlay);
FN_PREPARE(fn_prepare_regex_replace);
FN_PREPARE(fn_prepare_char_to);
FN_PREPARE(fn_prepare_to_char);

/* Regular expressions (PCRE2 with Java-like syntax) for SUBSTRING FROM regex and
 * REGEX_REPLACE (scalar_pattern.c). */
typedef struct fn_regex fn_regex;
int fn_regex_compile(core_arena *a, const char *p, size_t n, fn_regex **out, core_error *err);
/* Finds the first match in s[start..n): true with the match's byte offsets in ov[0..1]
 * and capture groups in ov[2..]; ov holds 2 * (fn_regex_groups + 1) entries. */
bool fn_regex_find(fn_regex *re, const char *s, size_t n, size_t start, size_t *ov);
int fn_regex_groups(const fn_regex *re);

#endif /* SLUICE_FUNCTIONS_SCALAR_INT_H */

/*
 * core.h — the ground floor every other module stands on.
 *
 * Purpose: the small, dependency-free facilities that more than one module
 * needs: the error object of DESIGN.md section 7, arenas, the clock interface
 * (live, replay, test), 128-bit hash keys (MD5 of a partition key, decimal
 * formatting and parsing), CRC32C, UTF-8 validation, millisecond timestamps,
 * and the SQL types and values of the dialect.
 *
 * Ownership: every object here is owned by its creator. An arena owns all
 * memory allocated from it until core_arena_free(); nothing allocated from an
 * arena is freed on its own. Error objects are plain structs, usually on the
 * caller's stack, and own no heap memory.
 *
 * Threads: all functions are reentrant. An arena or an error object is used by
 * one thread at a time. A clock may be read from any thread; only the thread
 * that drives a test or replay clock moves it.
 *
 * Errors: functions that can fail return an int result code from sluice.h
 * (SLUICE_OK on success) and, when given one, fill a core_error. Out of memory
 * is reported as SLUICE_NOMEM; arenas also keep it as a sticky flag so a long
 * builder sequence can check once at the end.
 */
#ifndef SLUICE_CORE_H
#define SLUICE_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sluice.h"

/* ---------------------------------------------------------------- errors -- */

/*
 * An error: a result code, a one-line message (lower case, no trailing
 * period), an optional detail and hint (full sentences), and an optional
 * location (a byte offset into the statement text, or -1). Fixed-size buffers
 * keep it free of heap memory; longer texts are truncated.
 */
typedef struct core_error {
  int code;
  int32_t location;
  char message[256];
  char detail[512];
  char hint[256];
} core_error;

/* Clears e (code SLUICE_OK, no texts, location -1). */
void core_error_clear(core_error *e);

/* Sets code and message (printf-style) and clears detail, hint and location.
 * Returns code, so that `return core_error_set(e, SLUICE_INVALID, ...)` reads
 * naturally. e may be NULL: the code is still returned. */
int core_error_set(core_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int core_error_setv(core_error *e, int code, const char *fmt, va_list ap);

/* Adds a detail or hint (full sentences) or a location to an error already set. */
void core_error_detail(core_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void core_error_hint(core_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void core_error_at(core_error *e, int32_t location);

/*
 * Formats e for a person into buf (always NUL-terminated):
 *
 *   error: <message>
 *   LINE 2: select stream x frm s
 *                           ^
 *   DETAIL: <detail>
 *   HINT: <hint>
 *
 * text is the statement the location refers to (may be NULL). Returns the
 * length that the whole text needs, like snprintf.
 */
size_t core_error_format(const core_error *e, const char *text, char *buf, size_t size);

/* The line (1-based) and column (1-based, in bytes) of byte offset loc in text. */
void core_text_position(const char *text, int32_t loc, int *line, int *column);

/* ---------------------------------------------------------------- arenas -- */

/*
 * A region allocator: allocation is a pointer bump in the current block,
 * freeing is all at once. Used for a statement's parse, a plan, a batch.
 */
typedef struct core_arena core_arena;

/* A new arena whose blocks are block_size bytes (0: 64 KiB). NULL on OOM. */
core_arena *core_arena_new(size_t block_size);
void core_arena_free(core_arena *a);

/* Releases everything allocated, keeping the first block for reuse. */
void core_arena_reset(core_arena *a);

/* size bytes aligned to 16; NULL (and the sticky OOM flag set) on failure. */
void *core_arena_alloc(core_arena *a, size_t size);
void *core_arena_zalloc(core_arena *a, size_t size);
char *core_arena_strndup(core_arena *a, const char *s, size_t n);
char *core_arena_strdup(core_arena *a, const char *s);
char *core_arena_printf(core_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True once any allocation from a has failed (until reset). */
bool core_arena_oom(const core_arena *a);

/* Bytes handed out since creation or the last reset (for memory accounting). */
size_t core_arena_used(const core_arena *a);

/* ----------------------------------------------------------------- clock -- */

/*
 * All time in sluice comes through a clock, in milliseconds since the Unix
 * epoch (UTC). A live clock reads the system clock; a test clock moves only
 * when core_clock_set() or core_clock_advance() is called; a replay clock is
 * moved by whoever replays stored data (it never moves backwards).
 */
typedef enum core_clock_kind {
  CORE_CLOCK_LIVE,
  CORE_CLOCK_REPLAY,
  CORE_CLOCK_TEST,
} core_clock_kind;

typedef struct core_clock core_clock;

core_clock *core_clock_new(core_clock_kind kind, int64_t start_ms);
void core_clock_free(core_clock *c);
core_clock_kind core_clock_kind_of(const core_clock *c);

/* Now, in ms since the epoch. Never decreases for a test or replay clock. */
int64_t core_clock_now(const core_clock *c);

/* Moves a test or replay clock to ms (ignored if ms is earlier than now, and
 * for a live clock). */
void core_clock_set(core_clock *c, int64_t ms);
void core_clock_advance(core_clock *c, int64_t delta_ms);

/* The system's wall clock in ms, and a monotonic clock in ns (for measuring). */
int64_t core_wall_ms(void);
int64_t core_mono_ns(void);

/* -------------------------------------------------------- 128-bit numbers -- */

/* An unsigned 128-bit integer: Kinesis hash keys, decimals' magnitudes. */
typedef unsigned __int128 core_u128;
typedef __int128 core_i128;

#define CORE_U128_MAX (~(core_u128)0)

/* Decimal digits of v into buf (at most 39 digits and a NUL); returns the length. */
#define CORE_U128_DIGITS 40
size_t core_u128_format(core_u128 v, char buf[CORE_U128_DIGITS]);

/*
 * Parses a decimal string of n bytes as Kinesis's hash-key pattern does:
 * `0|([1-9]\d{0,38})` and at most 2^128 - 1. Returns SLUICE_OK or
 * SLUICE_INVALID (not digits, a leading zero, empty, or out of range).
 */
int core_u128_parse(const char *s, size_t n, core_u128 *out);

/* MD5 of data (16 bytes out), and MD5 read as a big-endian 128-bit hash key. */
void core_md5(const void *data, size_t n, uint8_t out[16]);
core_u128 core_hash_key(const void *data, size_t n);

/* ------------------------------------------------------------- checksums -- */

/* CRC32C (Castagnoli), continuing from crc (start with 0). Uses the SSE4.2
 * instruction when the CPU has it. */
uint32_t core_crc32c(uint32_t crc, const void *data, size_t n);

/* 64-bit hash for hash tables (not cryptographic, stable across runs). */
uint64_t core_hash64(const void *data, size_t n, uint64_t seed);

/* ----------------------------------------------------------------- UTF-8 -- */

/* True if the n bytes are well-formed UTF-8 (no overlongs, no surrogates). */
bool core_utf8_valid(const char *s, size_t n);

/* Code points in well-formed UTF-8 of n bytes. */
size_t core_utf8_length(const char *s, size_t n);

/* --------------------------------------------------------------- base64 -- */

/* Standard base64 with padding. encoded length = 4 * ceil(n / 3). */
size_t core_base64_encoded_size(size_t n);
size_t core_base64_encode(const void *data, size_t n, char *out);

/* Strict decoding (standard alphabet, padding required, no whitespace).
 * out must hold 3 * (n / 4) bytes. Returns SLUICE_OK or SLUICE_INVALID, with
 * *bad set to the offset of the first bad character. */
int core_base64_decode(const char *s, size_t n, uint8_t *out, size_t *out_len, size_t *bad);

/* ------------------------------------------------------------ timestamps -- */

/*
 * Timestamps are int64 milliseconds since 1970-01-01 00:00:00 UTC; dates are
 * int32 days since the epoch; times of day are ms since midnight. The text
 * form is the one KDA prints: `yyyy-MM-dd HH:mm:ss.SSS`.
 */
#define CORE_TIMESTAMP_TEXT 32

/* `yyyy-MM-dd HH:mm:ss.SSS` into buf; returns the length (23 for years 0-9999). */
size_t core_timestamp_format(int64_t ms, char buf[CORE_TIMESTAMP_TEXT]);
size_t core_date_format(int32_t days, char buf[CORE_TIMESTAMP_TEXT]);
size_t core_time_format(int32_t ms_of_day, char buf[CORE_TIMESTAMP_TEXT]);

/*
 * Parses `yyyy-MM-dd[( |T)HH:mm[:ss[.f{1,9}]]][Z]` (fractions beyond ms are
 * truncated). Returns SLUICE_OK or SLUICE_INVALID (bad form, or a field out
 * of range such as month 13 or February 30).
 */
int core_timestamp_parse(const char *s, size_t n, int64_t *ms);
int core_date_parse(const char *s, size_t n, int32_t *days);
int core_time_parse(const char *s, size_t n, int32_t *ms_of_day);

/* Civil calendar conversions (proleptic Gregorian, H. Hinnant's algorithms). */
int32_t core_days_from_civil(int64_t year, unsigned month, unsigned day);
void core_civil_from_days(int32_t days, int64_t *year, unsigned *month, unsigned *day);

/* Floor division and modulo for negative timestamps. */
static inline int64_t core_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
static inline int64_t core_floor_mod(int64_t a, int64_t b) {
  return a - core_floor_div(a, b) * b;
}

/* ------------------------------------------------------- SQL types, values -- */

/*
 * The SQL types of the dialect (spec section 2.1). A core_type is the type
 * together with its parameters: length for CHAR/VARCHAR/BINARY/VARBINARY,
 * precision and scale for DECIMAL, the qualifier for INTERVAL.
 */
typedef enum core_type_id {
  CORE_T_NULL = 0, /* the type of the NULL literal before it is cast */
  CORE_T_BOOLEAN,
  CORE_T_TINYINT,
  CORE_T_SMALLINT,
  CORE_T_INTEGER,
  CORE_T_BIGINT,
  CORE_T_DECIMAL,
  CORE_T_REAL,
  CORE_T_DOUBLE,
  CORE_T_CHAR,
  CORE_T_VARCHAR,
  CORE_T_BINARY,
  CORE_T_VARBINARY,
  CORE_T_DATE,
  CORE_T_TIME,
  CORE_T_TIMESTAMP,
  CORE_T_INTERVAL_YM, /* year-month interval: a count of months */
  CORE_T_INTERVAL_DT, /* day-time interval: a count of milliseconds */
  CORE_T_ANY,         /* functions' polymorphic parameters only */
  CORE_T__COUNT
} core_type_id;

/* INTERVAL qualifier fields, for printing and validation. */
typedef enum core_interval_unit {
  CORE_IU_NONE = 0,
  CORE_IU_YEAR,
  CORE_IU_MONTH,
  CORE_IU_DAY,
  CORE_IU_HOUR,
  CORE_IU_MINUTE,
  CORE_IU_SECOND,
} core_interval_unit;

typedef struct core_type {
  uint8_t id;        /* core_type_id */
  uint8_t not_null;  /* declared NOT NULL */
  uint8_t start;     /* INTERVAL: leading field (core_interval_unit) */
  uint8_t end;       /* INTERVAL: trailing field, or CORE_IU_NONE */
  int32_t precision; /* DECIMAL precision; CHAR/VARCHAR/BINARY length; INTERVAL leading precision */
  int32_t scale;     /* DECIMAL scale; INTERVAL fractional-second precision */
} core_type;

/* The canonical SQL spelling of id ("VARCHAR", "INTERVAL DAY TO SECOND" is
 * printed by core_type_format). */
const char *core_type_name(core_type_id id);

/* `VARCHAR(4)`, `DECIMAL(10,2)`, `INTERVAL DAY TO SECOND` into buf; returns length. */
size_t core_type_format(core_type t, char *buf, size_t size);

bool core_type_is_integer(core_type_id id);  /* TINYINT .. BIGINT */
bool core_type_is_numeric(core_type_id id);  /* integers, DECIMAL, REAL, DOUBLE */
bool core_type_is_string(core_type_id id);   /* CHAR, VARCHAR */
bool core_type_is_binary(core_type_id id);   /* BINARY, VARBINARY */
bool core_type_is_datetime(core_type_id id); /* DATE, TIME, TIMESTAMP */
bool core_type_is_interval(core_type_id id);

/*
 * One SQL value, used where values pass one at a time (literals, parameters,
 * catalog defaults, tests). Batches hold columns, not core_values. Strings and
 * binaries point into memory owned by someone else (an arena, a batch heap).
 *   BOOLEAN: b; integers, DATE, TIME, TIMESTAMP, intervals: i;
 *   DECIMAL: dec (unscaled, scale from the type); REAL/DOUBLE: d;
 *   CHAR/VARCHAR/BINARY/VARBINARY: s (not NUL-terminated).
 */
typedef struct core_value {
  core_type type;
  bool is_null;
  union {
    bool b;
    int64_t i;
    double d;
    core_i128 dec;
    struct {
      const char *p;
      uint32_t n;
    } s;
  } u;
} core_value;

/* Writes v as SQL text would show it (NULL, TRUE, 12.50, 'text' unquoted,
 * timestamps as `yyyy-MM-dd HH:mm:ss.SSS`); returns the length needed. */
size_t core_value_format(const core_value *v, char *buf, size_t size);

/* ------------------------------------------------------------ batches -- */

/*
 * Column batches (DESIGN.md section 5): what the record codecs (stream/), the
 * function kernels (functions/) and the operators (exec/) exchange. A batch
 * holds up to `cap` rows as one typed vector per column, a null byte per
 * value, the ROWTIME of every row, an optional selection vector and a heap for
 * string bytes. It lives here, below stream/ and functions/, because all three
 * layers fill or read it.
 *
 * Physical representation by type:
 *   BOOLEAN (0/1), TINYINT..BIGINT, DATE (days since 1970-01-01), TIME (ms of
 *   the day), TIMESTAMP (ms since the epoch), INTERVAL_YM (months),
 *   INTERVAL_DT (ms): u.i;  REAL, DOUBLE: u.d;  DECIMAL: u.dec (unscaled,
 *   scale from the type);  CHAR, VARCHAR, BINARY, VARBINARY: u.s (bytes in the
 *   batch heap or in memory that outlives the batch, never NUL-terminated).
 *
 * Selection: sel == NULL means rows 0..n-1 are all live; otherwise the live
 * rows are sel[0..nsel-1], ascending. Values of rows that are not live are
 * unspecified. core_batch_compact() makes the selection physical.
 *
 * Ownership: a batch owns its vectors and heap; core_batch_reset() empties it
 * for reuse (n = 0, no selection, heap reset). Threads: one at a time.
 */
#define CORE_BATCH_CAP 1024

typedef struct core_str {
  const char *p;
  uint32_t n;
} core_str;

typedef struct core_vec {
  core_type type;
  uint8_t *null; /* [cap]: 1 = NULL */
  union {
    int64_t *i;
    double *d;
    core_i128 *dec;
    core_str *s;
  } u;
} core_vec;

typedef struct core_batch {
  int n;   /* rows 0..n-1 (live or not) */
  int cap; /* rows allocated per vector */
  int ncols;
  core_vec *cols;   /* [ncols] */
  int64_t *rowtime; /* [cap]: ROWTIME of each row, ms */
  uint16_t *sel;    /* NULL: all n rows live; else nsel live rows */
  int nsel;
  uint16_t *sel_buf; /* [cap]: storage for sel */
  core_arena *heap;  /* string bytes of this batch */
} core_batch;

/* Which union member a type uses: 'i', 'd', 'x' (decimal) or 's'; and its size in bytes. */
char core_type_repr(core_type_id id);
size_t core_type_repr_size(core_type_id id);

/* A batch of ncols columns of the given types with room for cap rows
 * (cap <= 65535); NULL on OOM. */
core_batch *core_batch_new(int ncols, const core_type *types, int cap);
void core_batch_free(core_batch *b);
/* Empties the batch for reuse (n = 0, no selection, heap reset). */
void core_batch_reset(core_batch *b);
/* Number of live rows. */
static inline int core_batch_live(const core_batch *b) {
  return b->sel ? b->nsel : b->n;
}
/* The k-th live row's index. */
static inline int core_batch_row(const core_batch *b, int k) {
  return b->sel ? b->sel[k] : k;
}
/* Makes the selection physical: live rows moved to 0..nsel-1 in order, sel = NULL. */
void core_batch_compact(core_batch *b);
/* Removes row `row` from the live rows (creating a selection if there is none). */
void core_batch_deselect(core_batch *b, int row);

/* One value in and out. core_vec_set copies string bytes into b's heap
 * (SLUICE_NOMEM on failure); a value of another representation than the
 * column's is a bug (the caller casts first). */
int core_vec_set(core_batch *b, int col, int row, const core_value *v);
void core_vec_get(const core_vec *v, int row, core_value *out);
/* Copies row `from_row` of src (same column types) to row `to_row` of dst,
 * ROWTIME included; string bytes go to dst's heap. */
int core_batch_copy_row(core_batch *dst, int to_row, const core_batch *src, int from_row);

#endif /* SLUICE_CORE_H */

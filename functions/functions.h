/*
 * functions.h — the registry of the dialect's built-in functions (spec section 5).
 *
 * Purpose: one table with a row per SQL function: its name, arity, kind
 * (scalar, aggregate, analytic, table), the rule that gives its result type,
 * the classes of its arguments, and flags the validator needs (deterministic,
 * monotonic-preserving, ...). The binder in planner/ resolves every call
 * against this table; documentation and tests can be generated from it.
 *
 * The rows carry no implementation pointers: the kernels of each kind are in
 * tables of their own, keyed by the row's name and read through the lookups
 * of the sections below (scalar kernels, aggregate kernels).
 *
 * Ownership: the table is static, read-only data; pointers into it are valid
 * for the life of the process.
 * Threads: read-only, safe from any thread.
 * Errors: lookups return NULL when a name is not in the table.
 */
#ifndef SLUICE_FUNCTIONS_H
#define SLUICE_FUNCTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef enum fn_kind {
  FN_SCALAR,    /* one value per row */
  FN_AGGREGATE, /* with GROUP BY (tumbling) or OVER (sliding) */
  FN_ANALYTIC,  /* OVER required (FIRST_VALUE, LAG, EXP_AVG, ...) */
  FN_TABLE,     /* FROM TABLE(f(CURSOR(...), ...)) only */
} fn_kind;

enum fn_flags {
  FN_DETERMINISTIC = 1 << 0,   /* same arguments, same result */
  FN_MONO_PRESERVING = 1 << 1, /* f(m, c...) keeps m's direction (FLOOR, CEIL, STEP, ...) */
  FN_MONO_ASCENDING = 1 << 2,  /* ascending by itself over a query's life (CURRENT_ROW_TIMESTAMP) */
  FN_MONO_ASSERT = 1 << 3,     /* MONOTONIC(x): asserts that x is monotonic */
  FN_NO_PARENS = 1 << 4,       /* written without parentheses (CURRENT_DATE) */
  FN_ROW_RESULT = 1 << 5,      /* returns a row with fields COLUMN1.. (log parsers) */
  FN_NULLS_OPTION = 1 << 6,    /* accepts IGNORE NULLS / RESPECT NULLS */
  FN_STAR = 1 << 7,            /* accepts f(*) (COUNT) */
  FN_DISTINCT = 1 << 8,        /* accepts DISTINCT / ALL quantifiers */
};

/* How the result type is derived from the argument types. */
typedef enum fn_ret {
  FN_RET_FIXED,        /* ret_type */
  FN_RET_ARG0,         /* the first argument's type (ABS, MIN, SUM, FLOOR, STEP, LAG, ...) */
  FN_RET_COMMON,       /* the common type of all arguments (COALESCE) */
  FN_RET_VARCHAR_ARG0, /* VARCHAR as long as the first argument (SUBSTRING, TRIM, UPPER) */
  FN_RET_OVERLAY,      /* VARCHAR(len(arg0) + len(arg1)) */
  FN_RET_EXTRACT,      /* BIGINT; SECOND -> DECIMAL(5,3) */
  FN_RET_ROW,          /* a row (FN_ROW_RESULT): fields derived by the binder */
  FN_RET_TABLE,        /* a table function: cursor columns + the function's own columns */
} fn_ret;

/* Argument classes, checked by the binder. */
typedef enum fn_arg {
  FN_A_ANY = 0,
  FN_A_NUMERIC,      /* TINYINT .. DOUBLE */
  FN_A_EXACT,        /* integers and DECIMAL */
  FN_A_STRING,       /* CHAR, VARCHAR */
  FN_A_TIMESTAMP,    /* TIMESTAMP */
  FN_A_DATETIME,     /* DATE, TIME, TIMESTAMP */
  FN_A_INTERVAL,     /* INTERVAL */
  FN_A_BOOLEAN,      /* BOOLEAN */
  FN_A_NUM_OR_IV,    /* numeric or INTERVAL (ABS) */
  FN_A_NUM_DT_IV,    /* numeric, datetime or INTERVAL (FLOOR, CEIL, STEP) */
  FN_A_ORDERED,      /* numbers, strings, datetimes, intervals, booleans (MIN, MAX) */
  FN_A_DT_OR_IV,     /* datetime or INTERVAL (EXTRACT) */
  FN_A_CURSOR,       /* CURSOR(query) */
  FN_A_INT_OR_TS,    /* BIGINT-like or TIMESTAMP (TSDIFF overloads) */
  FN_A_STRING_OR_INT /* VARIABLE_COLUMN_LOG_PARSE column spec */
} fn_arg;

#define FN_MAX_ARGS 8 /* classes given for the first 8 arguments; the rest are ANY */

typedef struct fn_def {
  const char *name; /* upper case, as the parser gives call names */
  int8_t min_args;
  int8_t max_args; /* -1: unbounded */
  uint8_t kind;    /* fn_kind */
  uint8_t ret;     /* fn_ret */
  uint16_t flags;  /* fn_flags */
  core_type ret_type;
  uint8_t args[FN_MAX_ARGS]; /* fn_arg per position */
  const char *signature;     /* for messages and docs */
  /* No implementation pointers yet: see the contract above. */
} fn_def;

/* ================================================ scalar kernels (scalar*.c) == */
/*
 * Vectorized kernels behind the FN_SCALAR rows. The expression compiler
 * (exec/expr.c) prepares a call once: it fills an fn_call with the bound
 * argument types (and the values of constant arguments), and prepare() checks
 * them, may replace an argument type with the type the kernel wants (the
 * compiler then converts the argument first), and sets run() and its state.
 * run() then computes the call for a list of rows of a batch: one loop over
 * the rows, no per-row dispatch. Kernels set the result and its null byte for
 * every row they are given; a row that fails (LN(0), a bad TRIM character)
 * is given NULL and reported through fn_rows.fail.
 *
 * Not here: COALESCE, NULLIF and MONOTONIC are special forms of the compiler
 * (lazy arguments, comparisons), CAST and the operators are exec's own.
 * Functions whose prepare() returns SLUICE_UNSUPPORTED (or that have no
 * entry) are `not available yet`.
 *
 * State made by prepare() lives in the arena given to it (the program's).
 * Kernels keep no other state; a prepared call is used by one thread at a time.
 */
#define FN_CALL_MAX_ARGS 8

typedef enum fn_trim {
  FN_TRIM_BOTH,
  FN_TRIM_LEADING,
  FN_TRIM_TRAILING,
} fn_trim;

/* One run of a prepared call over rows of a batch. */
typedef struct fn_rows {
  const uint16_t *rows; /* the rows to compute, ascending; NULL: rows 0..n-1 */
  int n;
  const core_vec *args;    /* [nargs] argument vectors, of the prepared argument types */
  core_vec *out;           /* the result vector (type fn_call.result) */
  core_arena *heap;        /* string results: lives at least as long as the batch */
  int64_t statement_ms;    /* CURRENT_TIMESTAMP, CURRENT_DATE, ...; also the yy pivot */
  const core_clock *clock; /* CURRENT_ROW_TIMESTAMP; NULL: statement_ms */
  /* Row `row` failed: error_name is an error_stream ERROR_NAME (FunctionError,
   * DivideByZero, Overflow); the kernel has set the row's result NULL. */
  void (*fail)(void *arg, int row, const char *error_name, const char *message);
  void *fail_arg;
} fn_rows;

typedef struct fn_call fn_call;
struct fn_call {
  const fn_def *fn;
  int nargs;
  /* In: the bound argument types. prepare() may replace one with the type it
   * wants the argument converted to (numeric to numeric, CHAR to VARCHAR, ...). */
  core_type args[FN_CALL_MAX_ARGS];
  /* In: the value of each constant argument (of its bound type), or NULL. */
  const core_value *consts[FN_CALL_MAX_ARGS];
  core_type result; /* the bound result type */
  uint8_t unit;     /* EXTRACT and FLOOR/CEIL TO unit: core_interval_unit; else CORE_IU_NONE */
  uint8_t trim;     /* fn_trim */
  bool comma_form;  /* SUBSTRING(s, i [, n]) rather than FROM/FOR (spec 7.4 #4) */
  /* Set by prepare(): */
  void (*run)(const fn_call *c, const fn_rows *r);
  void *state;
};

typedef struct fn_scalar_impl {
  const char *name;
  /* Checks c's argument types and options, asks for conversions, pre-compiles
   * constant arguments (patterns, formats), sets c->run. SLUICE_UNSUPPORTED for
   * forms not implemented; SLUICE_SEMANTIC for an invalid constant argument. */
  int (*prepare)(fn_call *c, core_arena *a, core_error *err);
} fn_scalar_impl;

/* The kernel of a scalar function, or NULL if it has none (yet). */
const fn_scalar_impl *fn_scalar_impl_of(const fn_def *f);

/* ---- numeric helpers shared with exec/ ---- */

/* 10^k for 0 <= k <= 38. */
extern const core_i128 fn_pow10[39];

/* The range of an integer type (TINYINT .. BIGINT). */
static inline void fn_int_bounds(core_type_id id, int64_t *lo, int64_t *hi) {
  switch (id) {
    case CORE_T_TINYINT:
      *lo = INT8_MIN, *hi = INT8_MAX;
      break;
    case CORE_T_SMALLINT:
      *lo = INT16_MIN, *hi = INT16_MAX;
      break;
    case CORE_T_INTEGER:
      *lo = INT32_MIN, *hi = INT32_MAX;
      break;
    default:
      *lo = INT64_MIN, *hi = INT64_MAX;
  }
}

/* a / b rounded half away from zero (b != 0). */
static inline core_i128 fn_div_round(core_i128 a, core_i128 b) {
  core_i128 q = a / b, r = a % b;
  if (r != 0) {
    core_i128 ar = r < 0 ? -r : r, ab = b < 0 ? -b : b;
    if (ar >= ab - ar) q += ((a < 0) != (b < 0)) ? -1 : 1;
  }
  return q;
}

/* v (at scale from) at scale to, rounding half away from zero when digits are dropped;
 * false on 128-bit overflow. */
bool fn_dec_rescale(core_i128 v, int from, int to, core_i128 *out);

/* a * 10^shift / b rounded half away from zero, without intermediate overflow where
 * the quotient fits; false if the quotient overflows 128 bits (b != 0, shift >= 0). */
bool fn_dec_div(core_i128 a, int shift, core_i128 b, core_i128 *out);

/* Decimal text of unscaled v at scale s (`-12.50`, `0.05`); returns the length.
 * buf holds at least 48 bytes. */
size_t fn_dec_format(core_i128 v, int scale, char *buf);

/* Adds months to a timestamp (ms) or date (days when days_only), clamping the day to
 * the end of the target month (2004-01-31 + 1 month = 2004-02-29). */
int64_t fn_add_months(int64_t t, int64_t months, bool days_only);

/* ---- LIKE and SIMILAR TO patterns (scalar_pattern.c), for exec's operators ---- */

typedef struct fn_pattern fn_pattern;

/* Compiles a LIKE (similar = false) or SIMILAR TO pattern with an optional escape
 * character (esc NULL: none) into arena a. SLUICE_INVALID with a message in err for a
 * bad pattern or escape (`invalid SIMILAR TO pattern ...`). */
int fn_pattern_compile(core_arena *a, bool similar, const char *p, size_t n, const char *esc,
                       size_t nesc, fn_pattern **out, core_error *err);
/* Whole-string match of s (UTF-8). */
bool fn_pattern_match(fn_pattern *p, const char *s, size_t n);

/* ============================================== aggregate kernels (agg*.c) == */
/*
 * Aggregates run over GROUPED STATE: the states of many groups (the groups of
 * tumbling windows, the partitions of a sliding window, stagger windows) held
 * in arrays indexed by a group id (0 .. capacity-1), and updated a batch at a
 * time from a vector of group ids: one call per batch and aggregate, a tight
 * loop inside, no call per row.
 *
 *   step (add):      fn_agg_groups_add    row rows[k] of a vector into group gids[k]
 *   inverse:         fn_agg_groups_remove the opposite of add (invertible aggregates only)
 *   final:           fn_agg_groups_result one result per listed group into a vector
 *   init:            fn_agg_groups_clear  a group back to empty (ids are reused)
 *   in order:        fn_agg_groups_run    add / remove / result steps interleaved, as a
 *                                         sliding window needs (a result after each row)
 *
 * Semantics (spec 2.2, 5.1): NULL arguments are ignored; an empty group gives
 * COUNT 0 and NULL for the others; SUM keeps the argument's type [IMPL] and is
 * exact for integers and DECIMAL (a result outside the result type is reported
 * through `bad`, never wrapped); AVG of an exact type is exact and truncates
 * toward zero (AVG(29, 32) = 30 on INTEGER); VAR_* / STDDEV_* are DOUBLE
 * (Welford's update, also for removal); FIRST_VALUE / LAST_VALUE respect NULLs
 * unless ignore_nulls. MIN, MAX, FIRST_VALUE and LAST_VALUE copy string values
 * into memory the state owns. MIN and MAX compare strings bytewise.
 *
 * Ownership: a fn_agg_groups is owned by the operator that created it; result
 * strings point into the state (valid until the group is next changed) unless
 * a heap is given. Threads: one at a time. Errors: int codes of sluice.h.
 */

/* What the window operators need to know about an aggregate's kernel. */
typedef struct fn_agg_impl {
  const char *name; /* the fn_def name */
  bool invertible;  /* fn_agg_groups_remove works: sliding windows subtract on evict */
  bool ordered;     /* MIN / MAX: sliding windows keep a monotonic deque instead */
  bool positional;  /* FIRST_VALUE / LAST_VALUE: sliding windows read the frame's rows */
} fn_agg_impl;

/* The kernel behind an aggregate row of the registry, or NULL when f has none yet. */
const fn_agg_impl *fn_agg_impl_of(const fn_def *f);

/* One aggregate call site. */
typedef struct fn_agg_spec {
  const fn_def *fn;
  core_type arg;     /* the argument's type (ignored for COUNT(*)) */
  core_type result;  /* the result type (the bound call's type) */
  bool star;         /* COUNT(*) */
  bool ignore_nulls; /* FIRST_VALUE / LAST_VALUE ... IGNORE NULLS */
} fn_agg_spec;

typedef struct fn_agg_groups fn_agg_groups;

/* Grouped state for s with no groups yet. SLUICE_UNSUPPORTED (`aggregate NAME is not
 * available in windows yet`, or a type the aggregate does not take). */
int fn_agg_groups_new(const fn_agg_spec *s, fn_agg_groups **out, core_error *err);
void fn_agg_groups_free(fn_agg_groups *g);

/* Makes ids 0 .. n-1 valid; new ids start empty. SLUICE_NOMEM. */
int fn_agg_groups_reserve(fn_agg_groups *g, uint32_t n);

/* Empties the listed groups (frees the strings they hold). */
void fn_agg_groups_clear(fn_agg_groups *g, const uint32_t *gids, size_t n);

/* Adds (removes) row rows[k] of v to (from) group gids[k], k < n; rows NULL: row k. v is
 * ignored for COUNT(*). Removing a value that was not added is undefined. add: SLUICE_NOMEM
 * (a string copy); remove: SLUICE_INTERNAL if the aggregate is not invertible. */
int fn_agg_groups_add(fn_agg_groups *g, const core_vec *v, const uint32_t *rows,
                      const uint32_t *gids, size_t n);
int fn_agg_groups_remove(fn_agg_groups *g, const core_vec *v, const uint32_t *rows,
                         const uint32_t *gids, size_t n);

/* Writes the result of group gids[k] to row row0 + k of out (a vector of the result
 * type). A result that does not fit the result type is written as NULL with bad[row0 + k]
 * set (bad may be NULL). heap: copy string results there (NULL: point into the state). */
int fn_agg_groups_result(const fn_agg_groups *g, const uint32_t *gids, size_t n, core_vec *out,
                         int row0, uint8_t *bad, core_arena *heap);

/* Steps applied in order: ADD row `row` of `add`, REMOVE row `row` of `rem`, RESULT into
 * row `row` of out (then as fn_agg_groups_result). */
enum { FN_AGG_ADD, FN_AGG_REMOVE, FN_AGG_RESULT };
typedef struct fn_agg_step {
  uint32_t gid;
  uint32_t row;
  uint32_t op; /* FN_AGG_ADD, FN_AGG_REMOVE, FN_AGG_RESULT */
} fn_agg_step;
int fn_agg_groups_run(fn_agg_groups *g, const fn_agg_step *steps, size_t n, const core_vec *add,
                      const core_vec *rem, core_vec *out, uint8_t *bad, core_arena *heap);

/* Bytes held by the state (arrays and strings), for memory accounting. */
size_t fn_agg_groups_bytes(const fn_agg_groups *g);

/* The row for name (exact, upper case), or NULL. */
const fn_def *fn_lookup(const char *name);

/* The whole table, for listings and tests. */
size_t fn_count(void);
const fn_def *fn_at(size_t i);

/* "scalar", "aggregate", "analytic", "table". */
const char *fn_kind_name(fn_kind k);

/* True if a value of type t belongs to argument class c. CORE_T_NULL belongs to every class. */
bool fn_arg_accepts(fn_arg c, core_type t);

#endif /* SLUICE_FUNCTIONS_H */

/*
 * functions.h — the registry of the dialect's built-in functions (spec section 5).
 *
 * Purpose: one table with a row per SQL function: its name, arity, kind
 * (scalar, aggregate, analytic, table), the rule that gives its result type,
 * the classes of its arguments, and flags the validator needs (deterministic,
 * monotonic-preserving, ...). The binder in planner/ resolves every call
 * against this table; documentation and tests can be generated from it.
 *
 * Scope of this version: NAMES AND SIGNATURES ONLY. The rows carry no
 * implementation: evaluation entry points (scalar kernels; for aggregates
 * init/step/inverse/merge/final) are added by the execution work in a later
 * issue, as new fields of fn_def. Nothing here can evaluate a function, and
 * nothing pretends to.
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

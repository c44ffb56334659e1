/*
 * planner.h — the SQL front end after the parser: the type system of the
 * dialect, the binder (names and types), the validator (KDA's rules), and the
 * execution of DDL statements against the catalog.
 *
 * Purpose:
 *   - types (types.c): result types of operators (spec 2.3, 2.6), comparison
 *     and common types, the CAST table of spec 2.4 and assignment rules,
 *     monotonicity algebra (spec 2.7);
 *   - binder (binder.c): resolves every name of a parsed statement (parser.h)
 *     against the catalog of one application (case rules: the parser folds
 *     unquoted names to upper case; lookups here are exact), types every
 *     expression, resolves function calls against the registry of
 *     functions/functions.h and the application's SQL functions, and builds
 *     the bound query tree below;
 *   - validator (validate.c): the compile-time rules of spec 7.2 (streaming
 *     GROUP BY needs a monotonic key, windows, joins, set operations, T-sort,
 *     INSERT compatibility, ...), run by plan_bind() on the bound tree;
 *   - DDL (ddl.c): plan_execute() binds, validates and applies CREATE STREAM /
 *     PUMP / FUNCTION / INPUT / OUTPUT / REFERENCE TABLE in one catalog
 *     transaction.
 *
 * The bound tree (plan_stmt, plan_query, plan_rel, plan_expr) is what the
 * logical/physical planner consumes. It is read-only once built. Every node
 * keeps a pointer to the AST node it came from (src), so errors found later
 * can still point at the text.
 *
 * Ownership: all bound nodes, names and catalog objects the tree refers to
 * are allocated in ctx->arena and live until it is freed; the tree also points
 * into the AST, which must outlive it.
 *
 * Threads: no global state; one plan_ctx per thread.
 *
 * Errors: int result codes of sluice.h with a core_error whose location is the
 * byte offset (into parse_stmt.text) of the offending node:
 *   SLUICE_SEMANTIC     names that do not resolve, type errors, KDA
 *                       validation rules (messages listed in README.md);
 *   SLUICE_UNSUPPORTED  syntax that parses but the dialect does not allow
 *                       (e.g. EXCEPT ALL, RENAME);
 *   catalog codes       from plan_execute() (SLUICE_EXISTS, SLUICE_STATE "stream
 *                       redefined", ...).
 */
#ifndef SLUICE_PLANNER_H
#define SLUICE_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "core/core.h"
#include "functions/functions.h"
#include "parser/parser.h"

/* ================================================================ types == */

/* DECIMAL precision and scale are capped at this in arithmetic (spec 2.3). */
#define PLAN_DECIMAL_MAX 18
/* VARCHAR without a length, and the longest string a function returns. */
#define PLAN_VARCHAR_MAX 65535

/*
 * Result type of a binary arithmetic operator (PARSE_OP_ADD, SUB, MUL, DIV,
 * MOD, CONCAT) on operand types a and b, per spec 2.3 and 2.6. Nullability:
 * the result is NOT NULL only if both operands are. Returns SLUICE_OK or
 * SLUICE_SEMANTIC with a message such as
 * `cannot apply operator + to TIMESTAMP and TIMESTAMP` (no location).
 */
int plan_type_binary(parse_op op, core_type a, core_type b, core_type *out, core_error *err);

/* The type of a datetime difference (a - b) <qualifier> (spec 2.6). */
int plan_type_datetime_diff(core_type a, core_type b, core_type qualifier, core_type *out,
                            core_error *err);

/* True if values of a and b can be compared with = <> (and < > when ordered). */
bool plan_type_comparable(core_type a, core_type b);
/* True if the type has an order (< > MIN MAX ORDER BY). */
bool plan_type_ordered(core_type t);

/* The type that values of a and b both convert to (CASE arms, COALESCE,
 * UNION columns, IN lists). False if there is none. */
bool plan_type_common(core_type a, core_type b, core_type *out);

/* Explicit CAST allowed (the table of spec 2.4)? */
bool plan_cast_allowed(core_type from, core_type to);
/* Implicit conversion on assignment (INSERT into a column, spec 2.4 [IMPL]):
 * numeric <-> numeric, CHAR <-> VARCHAR, same datetime / boolean / binary. */
bool plan_assignable(core_type from, core_type to);

/* The exact-numeric view of an integer or DECIMAL type as DECIMAL(p,s)
 * (TINYINT (3,0), SMALLINT (5,0), INTEGER (10,0), BIGINT (19,0)). */
core_type plan_decimal_of(core_type t);

/* `DECIMAL(13,2)` etc. into an arena (for messages and tests). */
const char *plan_type_str(core_arena *a, core_type t);

/* Three-valued logic (spec 2.2): the truth tables constant folding and the
 * executor share. UNKNOWN is the boolean NULL. */
typedef enum plan_tv {
  PLAN_TV_FALSE = 0,
  PLAN_TV_TRUE = 1,
  PLAN_TV_UNKNOWN = 2,
} plan_tv;

plan_tv plan_tv_not(plan_tv a);            /* NOT U = U */
plan_tv plan_tv_and(plan_tv a, plan_tv b); /* FALSE dominates */
plan_tv plan_tv_or(plan_tv a, plan_tv b);  /* TRUE dominates */
/* x IS TRUE / IS FALSE / IS UNKNOWN (what: PARSE_IS_TRUE...), never UNKNOWN. */
plan_tv plan_tv_is(plan_tv a, parse_is_what what, bool negated);

/* Monotonicity of an expression over a stream (spec 2.7). */
typedef enum plan_mono {
  PLAN_MONO_NONE = 0, /* not monotonic */
  PLAN_MONO_CONST,    /* constant (monotonic, but does not qualify as a key) */
  PLAN_MONO_ASC,      /* non-decreasing */
  PLAN_MONO_DESC,     /* non-increasing */
} plan_mono;

plan_mono plan_mono_neg(plan_mono m);
plan_mono plan_mono_add(plan_mono a, plan_mono b);
plan_mono plan_mono_sub(plan_mono a, plan_mono b);
/* m * c where sign is the sign of the constant c (-1, 0, 1). */
plan_mono plan_mono_scale(plan_mono m, int sign);
/* Qualifies as a streaming key: ascending or descending. */
static inline bool plan_mono_key(plan_mono m) {
  return m == PLAN_MONO_ASC || m == PLAN_MONO_DESC;
}

/* ============================================================ bound tree == */

typedef struct plan_query plan_query;
typedef struct plan_rel plan_rel;
typedef struct plan_window plan_window;
typedef struct plan_expr plan_expr;

/* A column of a relation or of a query's result. */
typedef struct plan_column {
  const char *name;
  core_type type;
  uint8_t mono;                     /* plan_mono of the column over its stream */
  bool hidden;                      /* not expanded by `*` (APPROXIMATE_ARRIVAL_TIME) */
  const struct plan_column *fields; /* row-valued column (log parsers): its fields */
  int nfields;
} plan_column;

typedef enum plan_expr_kind {
  PLAN_E_LITERAL,       /* u.value */
  PLAN_E_COLUMN,        /* u.column: a column of a FROM relation */
  PLAN_E_ROWTIME,       /* u.rowtime: ROWTIME of a relation, or of the current row */
  PLAN_E_PARAM,         /* u.param: a parameter inside a CREATE FUNCTION body */
  PLAN_E_UNARY,         /* u.unary */
  PLAN_E_BINARY,        /* u.binary (arithmetic, comparison, AND/OR, ||) */
  PLAN_E_IS,            /* u.is */
  PLAN_E_BETWEEN,       /* u.between */
  PLAN_E_IN_LIST,       /* u.in */
  PLAN_E_IN_QUERY,      /* u.in */
  PLAN_E_LIKE,          /* u.like (LIKE and SIMILAR TO) */
  PLAN_E_CASE,          /* u.case_ */
  PLAN_E_CAST,          /* u.cast: to `type` */
  PLAN_E_CALL,          /* u.call: built-in scalar function */
  PLAN_E_UDF,           /* u.call: user SQL function (call.udf) */
  PLAN_E_AGG,           /* u.call: aggregate of a GROUP BY / STAGGER query */
  PLAN_E_WINDOWED,      /* u.call: aggregate or analytic function OVER a window */
  PLAN_E_DATETIME_DIFF, /* u.diff */
  PLAN_E_SUBQUERY,      /* u.subquery: scalar subquery */
  PLAN_E_EXISTS,        /* u.subquery */
  PLAN_E_ROW,           /* u.row: (a, b) in IN and periods */
  PLAN_E_FIELD,         /* u.field: a field of a row-valued expression (t.rec.COLUMN1) */
  PLAN_E_PERIOD_PRED,   /* u.period */
} plan_expr_kind;

struct plan_expr {
  plan_expr_kind kind;
  core_type type;            /* CORE_T_ANY for rows (see fields) */
  uint8_t mono;              /* plan_mono over the stream(s) of its query */
  bool rowtime_based;        /* derived from a ROWTIME (spec 1.10 "ROWTIME-based") */
  bool constant;             /* no column, no ROWTIME, no aggregate, deterministic */
  const parse_expr *src;     /* the AST node (location: src->loc) */
  const plan_column *fields; /* row-valued expressions: the fields */
  int nfields;
  union {
    core_value value;
    struct {
      plan_rel *rel; /* a leaf relation (stream, table, subquery, table function) */
      int index;     /* into rel->columns */
      int level;     /* 0: this query; 1..: enclosing queries (correlated) */
    } column;
    struct {
      plan_rel *rel; /* NULL: unqualified ROWTIME (the current row's time) */
      int level;
    } rowtime;
    struct {
      int index;
    } param;
    struct {
      parse_op op;
      plan_expr *arg;
    } unary;
    struct {
      parse_op op;
      plan_expr *left, *right;
    } binary;
    struct {
      plan_expr *arg;
      parse_is_what what;
      bool negated;
    } is;
    struct {
      plan_expr *arg, *low, *high;
      bool negated, symmetric;
    } between;
    struct {
      plan_expr *arg;
      plan_expr **list; /* IN_LIST */
      int n;
      plan_query *query; /* IN_QUERY */
      bool negated;
    } in;
    struct {
      plan_expr *arg, *pattern, *escape;
      bool negated, similar;
    } like;
    struct {
      plan_expr *operand; /* simple CASE, or NULL */
      plan_expr **whens, **thens;
      int n;
      plan_expr *else_; /* or NULL */
    } case_;
    struct {
      plan_expr *arg;
    } cast;
    struct {
      const fn_def *fn;            /* CALL, AGG, WINDOWED */
      const catalog_function *udf; /* UDF */
      plan_expr **args;
      int nargs;
      parse_call_form form;
      uint8_t unit; /* EXTRACT / TO_UNIT: core_interval_unit */
      parse_trim_spec trim;
      parse_null_treatment nulls;
      parse_nth_from nth_from; /* NTH_VALUE(x, n) FROM FIRST | FROM LAST */
      bool distinct, star;
      plan_window *window; /* WINDOWED */
    } call;
    struct {
      plan_expr *left, *right;
    } diff;
    struct {
      plan_query *query;
    } subquery;
    struct {
      plan_expr **items;
      int n;
    } row;
    struct {
      plan_expr *arg;
      int index;
    } field;
    struct {
      parse_period_op op;
      plan_expr *left, *right;
      bool strictly, immediately;
    } period;
  } u;
};

/* A window: OVER of a call, a WINDOW clause entry, a FROM item's OVER, or STAGGER. */
struct plan_window {
  const parse_window *src;
  const char *name; /* WINDOW name, or NULL */
  plan_expr **partition;
  int npartition;
  plan_expr **order; /* join windows only (ROWTIME) */
  int norder;
  parse_frame_units units; /* ROWS or RANGE (NONE: the whole partition up to the current row) */
  bool current_row;        /* ROWS/RANGE CURRENT ROW */
  int64_t rows;            /* ROWS n PRECEDING */
  plan_expr *range;        /* RANGE x PRECEDING: the offset (interval or number) */
  int64_t range_ms;        /* RANGE with a day-time interval: its length in ms */
  bool stagger;
};

typedef enum plan_rel_kind {
  PLAN_R_STREAM,     /* a catalog stream (user, source or error_stream) */
  PLAN_R_TABLE,      /* a reference table */
  PLAN_R_SUBQUERY,   /* (query) AS alias */
  PLAN_R_TABLE_FUNC, /* TABLE(f(CURSOR(query), args)) */
  PLAN_R_JOIN,       /* left JOIN right */
} plan_rel_kind;

struct plan_rel {
  plan_rel_kind kind;
  const parse_from *src;
  const char *alias; /* leaves: the name used to qualify columns (NULL for JOIN) */
  int ncolumns;      /* leaves: visible columns after alias renaming */
  plan_column *columns;
  bool is_stream;                  /* rows arrive over time (has ROWTIME) */
  bool is_source;                  /* created by an input (has APPROXIMATE_ARRIVAL_TIME) */
  const catalog_relation *catalog; /* STREAM, TABLE */
  plan_window *window;             /* STREAM: OVER (...) in FROM (windowed join) */
  plan_query *query;               /* SUBQUERY, and TABLE_FUNC's cursor */
  const fn_def *fn;                /* TABLE_FUNC */
  plan_expr **args;                /* TABLE_FUNC: arguments after the cursor */
  int nargs;
  struct {
    parse_join_kind kind;
    bool natural;
    plan_rel *left, *right;
    plan_expr *on; /* or NULL */
    const char **using_;
    int nusing;
  } join;
};

typedef struct plan_item {
  plan_expr *expr;
  const char *name; /* alias, column name, or EXPR$n */
  const parse_select_item *src;
} plan_item;

typedef struct plan_sort {
  plan_expr *expr;
  bool desc;
  int ordinal; /* 0-based select item if written as an ordinal or alias, else -1 */
  const parse_order_item *src;
} plan_sort;

typedef struct plan_select {
  bool stream_kw; /* SELECT STREAM written */
  bool distinct;
  plan_item *items;
  int nitems;
  plan_rel *from;
  plan_rel **leaves; /* the named relations in scope, left to right */
  int nleaves;
  plan_expr *where;
  plan_expr **group_by;
  int ngroup;
  int time_key;           /* GROUP BY key that closes windows (monotonic), or -1 */
  bool event_time_window; /* sluice extension (DESIGN.md 4): time_key is STEP/FLOOR of a
                           * TIMESTAMP column, closed by a watermark */
  plan_window *stagger;   /* WINDOWED BY STAGGER */
  plan_expr *having;
  plan_window **windows; /* WINDOW clause */
  int nwindows;
  bool aggregate;   /* GROUP BY, STAGGER or aggregate calls */
  bool windowed;    /* calls with OVER */
  int rowtime_item; /* the item aliased AS ROWTIME, or -1 */
} plan_select;

typedef enum plan_query_kind {
  PLAN_Q_SELECT,
  PLAN_Q_SETOP,
  PLAN_Q_VALUES,
} plan_query_kind;

struct plan_query {
  plan_query_kind kind;
  const parse_query *src;
  bool streaming; /* the result is a stream */
  int ncolumns;   /* the result's columns (ROWTIME not among them) */
  plan_column *columns;
  union {
    plan_select select;
    struct {
      parse_setop op;
      bool all;
      plan_query *left, *right;
    } setop;
    struct {
      plan_expr ***rows;
      int nrows;
    } values;
  } u;
  plan_sort *order_by;
  int norder;
  plan_expr *within; /* T-sort interval, or NULL */
};

/* INSERT (alone or in a pump): target columns in the order the query fills them. */
typedef struct plan_insert {
  const catalog_relation *target;
  int *target_columns; /* [query->ncolumns]: index into target->columns */
  plan_query *query;
  const char **sources; /* names of the catalog relations the query reads, sorted, unique */
  int nsources;
} plan_insert;

typedef struct plan_stmt {
  parse_stmt_kind kind;
  const parse_stmt *src;
  plan_query *query;   /* PARSE_S_QUERY */
  plan_insert *insert; /* PARSE_S_INSERT, PARSE_S_CREATE_PUMP */
  plan_expr *body;     /* PARSE_S_CREATE_FUNCTION: the bound RETURN expression */
} plan_stmt;

/* ========================================================== binding API == */

typedef struct plan_ctx {
  catalog *cat;
  int64_t app;       /* the application whose names are visible */
  core_arena *arena; /* owns the bound tree */
  bool strict;       /* --strict: reject event-time GROUP BY as KDA does */
} plan_ctx;

/*
 * Binds and validates one statement. DDL statements are bound too (the pump's
 * query, the function's body) but nothing is written to the catalog: see
 * plan_execute(). EXPLAIN binds its statement.
 */
int plan_bind(const plan_ctx *ctx, const parse_stmt *stmt, plan_stmt **out, core_error *err);

/*
 * Binds, validates and applies a DDL statement (CREATE STREAM / PUMP /
 * FUNCTION / INPUT / OUTPUT / REFERENCE TABLE) to the catalog. Opens and
 * commits a catalog transaction unless one is already open (then the caller
 * commits or rolls back, e.g. around a whole application); on any error the
 * catalog is left as it was before the statement. Other statements:
 * SLUICE_INVALID "statement is not DDL". *out (may be NULL) gets the bound
 * statement.
 */
int plan_execute(const plan_ctx *ctx, const parse_stmt *stmt, plan_stmt **out, core_error *err);

/* Names for messages and tests. */
const char *plan_mono_name(plan_mono m);

/* A text dump of a bound expression (SQL with every name resolved, e.g.
 * `FLOOR(S.ROWTIME TO MINUTE)`) or query (one clause per line, then the output
 * columns with type and monotonicity), allocated from a; NULL on OOM. For
 * EXPLAIN, debugging and tests. */
char *plan_print_expr(core_arena *a, const plan_expr *e);
char *plan_print_query(core_arena *a, const plan_query *q);

#endif /* SLUICE_PLANNER_H */

/*
 * parser.h — the SQL parser of sluice: KDA dialect text -> abstract syntax tree.
 *
 * Purpose: turns the text of a KDA SQL application (several statements
 * separated by `;`) into one AST per statement, with every node carrying the
 * byte range of the source text it came from. Also: sluice's own statements
 * that stand for what KDA configured outside the SQL (CREATE INPUT, CREATE
 * OUTPUT, CREATE REFERENCE TABLE), EXPLAIN, a printer that turns any AST back
 * into canonical SQL text, and an AST equality test that ignores locations.
 * The parser checks syntax and literals only; names, types and the dialect's
 * streaming rules are checked by planner/.
 *
 * Ownership and lifetimes: every AST node, name and string is allocated from
 * the core_arena the caller passes in and lives until that arena is freed or
 * reset. Nothing in an AST is freed on its own and no AST refers to the
 * caller's text buffer: the parse copies the text into the arena
 * (parse_script.text, parse_stmt.text), so the caller may free its buffer
 * right after the call. Names are NUL-terminated; string literal contents also
 * carry their length (they may not contain NUL either: the lexer rejects it).
 *
 * Threads: no global state. Concurrent parses on different arenas are safe.
 *
 * Errors: functions return SLUICE_OK or a code from sluice.h and fill the
 * core_error with a message and a location (a byte offset into the text given
 * to the call; core_error_format() prints the caret):
 *   SLUICE_SYNTAX      text that does not parse: `syntax error at or near "FRM"`,
 *                      `unterminated string literal`, bad literals, text that is
 *                      not UTF-8, `statement is too deeply nested` (more than the
 *                      parser's 1000-entry stack), ...;
 *   SLUICE_UNSUPPORTED SQL that exists elsewhere but not in KDA:
 *                      `DROP is not supported in the KDA dialect`;
 *   SLUICE_NOMEM       the arena ran out of memory.
 * The first error ends the parse. On error *out is left NULL/empty.
 *
 * Depth: nesting is bounded by the parser's stack, but left-deep chains
 * (`a + a + ...`, `q UNION q ...`, joins) are as long as the text; the printer
 * and the equality walk them with loops. Other recursive walks must bound the
 * depth themselves (the binder refuses more than 1000 levels).
 *
 * Locations: parse_loc.off is a byte offset into parse_script.text (for
 * parse_statement(): into the text given), parse_loc.len a byte length. They
 * are converted to line and column only when an error is printed.
 */
#ifndef SLUICE_PARSER_H
#define SLUICE_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ------------------------------------------------------------- basics -- */

typedef struct parse_loc {
  int32_t off; /* byte offset into the statement text */
  int32_t len; /* byte length */
} parse_loc;

/*
 * An identifier. Unquoted identifiers are folded to upper case; quoted ones
 * ("...") keep their case, with "" unescaped. `quoted` records how it was
 * written (for messages only: equality and the binder use `name` alone, so
 * EXAMPLESTREAM and "EXAMPLESTREAM" are the same name). name == NULL means
 * "absent" where an identifier is optional (aliases, window names).
 */
typedef struct parse_ident {
  const char *name;
  bool quoted;
  parse_loc loc;
} parse_ident;

/* A growable array of node pointers; the element type is given at each use. */
typedef struct parse_list {
  int32_t n;
  int32_t cap;
  void **items;
} parse_list;

/* A list of parse_ident (by value) for column lists such as `(a, b)` and USING. */
typedef struct parse_ident_list {
  int32_t n;
  int32_t cap;
  parse_ident *items;
} parse_ident_list;

/*
 * Data types are core_type (core/core.h) as written, with these conventions:
 *   CHAR/BINARY without length -> precision 1; VARCHAR/VARBINARY without
 *   length -> precision 0 ("not written"); DECIMAL/DEC/NUMERIC -> (18,0),
 *   DECIMAL(p) -> (p,0); INT -> INTEGER; FLOAT and DOUBLE PRECISION -> DOUBLE;
 *   CHARACTER VARYING -> VARCHAR; INTERVAL <q>: id INTERVAL_YM or INTERVAL_DT,
 *   start/end the qualifier fields (end CORE_IU_NONE for a single field),
 *   precision = leading field precision (0 = not written), scale =
 *   fractional second precision (-1 = not written); not_null from NOT NULL
 *   (column definitions only).
 */

/* ----------------------------------------------------------- literals -- */

typedef enum parse_lit_kind {
  PARSE_L_NULL,      /* NULL: value.is_null, type CORE_T_NULL */
  PARSE_L_BOOLEAN,   /* TRUE, FALSE: value.u.b */
  PARSE_L_UNKNOWN,   /* UNKNOWN: the boolean NULL (value.is_null, type BOOLEAN) */
  PARSE_L_INTEGER,   /* 42: INTEGER if it fits 32 bits, else BIGINT, else DECIMAL(p,0) */
  PARSE_L_DECIMAL,   /* 2.50: DECIMAL(p,s), value.u.dec unscaled */
  PARSE_L_APPROX,    /* 1.5E-6: DOUBLE */
  PARSE_L_STRING,    /* 'it''s', U&'\0009': CHAR(n chars), value.u.s = text */
  PARSE_L_BINARY,    /* X'3F00': BINARY(n bytes), value.u.s = the bytes */
  PARSE_L_DATE,      /* DATE '2008-08-23': value.u.i = days since the epoch */
  PARSE_L_TIME,      /* TIME '13:48:23': value.u.i = ms since midnight */
  PARSE_L_TIMESTAMP, /* TIMESTAMP '2004-09-30 13:48:23': value.u.i = ms since the epoch */
  PARSE_L_INTERVAL,  /* INTERVAL -'1:30' HOUR TO MINUTE: value.type = the qualifier,
                      * value.u.i = months (YEAR/MONTH) or ms (DAY..SECOND), sign applied */
} parse_lit_kind;

typedef struct parse_literal {
  parse_lit_kind kind;
  /* The literal's text without quotes or prefixes: the digits of a number as
   * written ("2.50", "1.5E-6"), the decoded content of a string (UTF-8, with
   * '' and U& escapes resolved), the hex digits of a binary literal (upper
   * case), the quoted text of a DATE/TIME/TIMESTAMP/INTERVAL literal. */
  const char *text;
  uint32_t text_len;
  bool negative;    /* INTERVAL only: a sign written outside the quotes (INTERVAL -'1' DAY) */
  core_value value; /* the decoded value (strings point into the arena) */
} parse_literal;

/* ------------------------------------------------------- expressions -- */

typedef enum parse_expr_kind {
  PARSE_E_LITERAL,       /* lit */
  PARSE_E_COLUMN,        /* column reference: parts = 1..n parse_ident* (s.ROWTIME, t.r."COL_1") */
  PARSE_E_STAR,          /* `*` or `s.*` (select list, COUNT(*)): parts = qualifier (0..n) */
  PARSE_E_UNARY,         /* op (NOT, NEG, PLUS), arg */
  PARSE_E_BINARY,        /* op, left, right */
  PARSE_E_IS,            /* arg IS [NOT] NULL|TRUE|FALSE|UNKNOWN: is_what, negated */
  PARSE_E_BETWEEN,       /* arg [NOT] BETWEEN [SYMMETRIC|ASYMMETRIC] low AND high */
  PARSE_E_IN_LIST,       /* arg [NOT] IN (list of parse_expr*) */
  PARSE_E_IN_QUERY,      /* arg [NOT] IN (query); arg may be a PARSE_E_ROW */
  PARSE_E_LIKE,          /* arg [NOT] LIKE|SIMILAR TO pattern [ESCAPE escape] */
  PARSE_E_CASE,          /* CASE [operand] WHEN .. THEN .. [ELSE ..] END */
  PARSE_E_CAST,          /* CAST(arg AS type) */
  PARSE_E_CALL,          /* every function call, incl. the special forms (see parse_call_form) */
  PARSE_E_DATETIME_DIFF, /* (left - right) <interval qualifier>: the legacy interval difference */
  PARSE_E_SUBQUERY,      /* scalar subquery (query) */
  PARSE_E_EXISTS,        /* EXISTS (query) */
  PARSE_E_ROW,           /* (a, b, ...) or ROW(a, ...): items; `(a,b) IN (query)`, periods */
  PARSE_E_CURSOR,        /* CURSOR(query): argument of a table function */
  PARSE_E_PERIOD_PRED,   /* temporal predicate: left <period_op> right (spec 2.6) */
} parse_expr_kind;

typedef enum parse_op {
  PARSE_OP_NONE,
  /* unary */
  PARSE_OP_NOT,
  PARSE_OP_NEG,  /* -x */
  PARSE_OP_PLUS, /* +x */
  /* binary */
  PARSE_OP_OR,
  PARSE_OP_AND,
  PARSE_OP_EQ, /* = */
  PARSE_OP_NE, /* <> and != (printed <>) */
  PARSE_OP_LT,
  PARSE_OP_LE,
  PARSE_OP_GT,
  PARSE_OP_GE,
  PARSE_OP_IS_DISTINCT,     /* IS DISTINCT FROM */
  PARSE_OP_IS_NOT_DISTINCT, /* IS NOT DISTINCT FROM */
  PARSE_OP_CONCAT,          /* || */
  PARSE_OP_ADD,
  PARSE_OP_SUB,
  PARSE_OP_MUL,
  PARSE_OP_DIV,
  PARSE_OP_MOD, /* % */
} parse_op;

typedef enum parse_is_what {
  PARSE_IS_NULL,
  PARSE_IS_TRUE,
  PARSE_IS_FALSE,
  PARSE_IS_UNKNOWN,
} parse_is_what;

/* Temporal predicates of spec 2.6 (left and right are PARSE_E_ROW or PERIOD(...) rows,
 * or for CONTAINS a single datetime on the right). */
typedef enum parse_period_op {
  PARSE_PP_OVERLAPS,
  PARSE_PP_EQUALS,
  PARSE_PP_CONTAINS,
  PARSE_PP_PRECEDES,
  PARSE_PP_SUCCEEDS,
  PARSE_PP_LEADS,
  PARSE_PP_LAGS,
} parse_period_op;

/*
 * The surface form of a call. The function is always identified by
 * call.name (upper case, as the registry of functions/ knows it); the form
 * only says how the arguments were written, which matters for a few
 * functions whose semantics depend on it (SUBSTRING FROM/FOR vs comma form,
 * FLOOR(x) vs FLOOR(x TO unit)). Argument layout per form:
 *   PLAIN     f(a, b, ...)                       args as written (may be empty)
 *   NO_PARENS CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_ROW_TIMESTAMP, ...  no args
 *   EXTRACT   EXTRACT(unit FROM x)               args [x], unit
 *   TO_UNIT   FLOOR(x TO unit), CEIL(x TO unit)  args [x], unit
 *   STEP      STEP(x BY interval)                args [x, interval]
 *   POSITION  POSITION(a IN b)                   args [a, b]
 *   FROM_FOR  SUBSTRING(s FROM i [FOR n])        args [s, i] or [s, i, n]
 *   OVERLAY   OVERLAY(s PLACING r FROM i [FOR n]) args [s, r, i] or [s, r, i, n]
 *   TRIM      TRIM([BOTH|LEADING|TRAILING] [c] FROM s)  args [s] or [s, c], trim
 *             (plain TRIM(s) is form PLAIN with args [s])
 */
typedef enum parse_call_form {
  PARSE_CALL_PLAIN,
  PARSE_CALL_NO_PARENS,
  PARSE_CALL_EXTRACT,
  PARSE_CALL_TO_UNIT,
  PARSE_CALL_STEP,
  PARSE_CALL_POSITION,
  PARSE_CALL_FROM_FOR,
  PARSE_CALL_OVERLAY,
  PARSE_CALL_TRIM,
} parse_call_form;

typedef enum parse_trim_spec {
  PARSE_TRIM_BOTH, /* also when not written in the TRIM form */
  PARSE_TRIM_LEADING,
  PARSE_TRIM_TRAILING,
} parse_trim_spec;

typedef enum parse_quantifier {
  PARSE_Q_NONE, /* not written */
  PARSE_Q_ALL,
  PARSE_Q_DISTINCT,
} parse_quantifier;

typedef enum parse_null_treatment {
  PARSE_NULLS_NONE, /* not written */
  PARSE_NULLS_RESPECT,
  PARSE_NULLS_IGNORE,
} parse_null_treatment;

/* NTH_VALUE(x, n) FROM FIRST | FROM LAST (spec 5.1). */
typedef enum parse_nth_from {
  PARSE_NTH_NONE, /* not written (FROM FIRST) */
  PARSE_NTH_FIRST,
  PARSE_NTH_LAST,
} parse_nth_from;

typedef struct parse_expr parse_expr;
typedef struct parse_query parse_query;
typedef struct parse_window parse_window;

/* One WHEN ... THEN ... arm of a CASE. */
typedef struct parse_when {
  parse_expr *when;
  parse_expr *then;
  parse_loc loc;
} parse_when;

struct parse_expr {
  parse_expr_kind kind;
  parse_loc loc; /* the whole expression's text */
  union {
    parse_literal lit; /* PARSE_E_LITERAL */
    struct {
      parse_list parts; /* parse_ident*; COLUMN: 1..n; STAR: the qualifier, 0..n */
    } column;           /* PARSE_E_COLUMN, PARSE_E_STAR */
    struct {
      parse_op op;
      parse_expr *arg;
    } unary; /* PARSE_E_UNARY */
    struct {
      parse_op op;
      parse_expr *left, *right;
    } binary; /* PARSE_E_BINARY */
    struct {
      parse_expr *arg;
      parse_is_what what;
      bool negated;
    } is; /* PARSE_E_IS */
    struct {
      parse_expr *arg, *low, *high;
      bool negated;
      bool symmetric;     /* BETWEEN SYMMETRIC */
      bool asymmetric_kw; /* ASYMMETRIC written (same meaning as nothing) */
    } between;            /* PARSE_E_BETWEEN */
    struct {
      parse_expr *arg;
      parse_list list;    /* parse_expr*, IN_LIST */
      parse_query *query; /* IN_QUERY */
      bool negated;
    } in; /* PARSE_E_IN_LIST, PARSE_E_IN_QUERY */
    struct {
      parse_expr *arg, *pattern, *escape; /* escape may be NULL */
      bool negated;
      bool similar; /* SIMILAR TO rather than LIKE */
    } like;         /* PARSE_E_LIKE */
    struct {
      parse_expr *operand; /* simple CASE; NULL for the searched form */
      parse_list whens;    /* parse_when* */
      parse_expr *else_;   /* may be NULL */
    } case_;               /* PARSE_E_CASE */
    struct {
      parse_expr *arg;
      core_type type;
    } cast; /* PARSE_E_CAST */
    struct {
      parse_ident name; /* upper case unless quoted */
      parse_call_form form;
      parse_quantifier quantifier; /* COUNT(DISTINCT x), SUM(ALL x) */
      bool star;                   /* COUNT(*): args empty */
      parse_list args;             /* parse_expr* (see parse_call_form) */
      uint8_t unit;                /* core_interval_unit for EXTRACT and TO_UNIT */
      parse_trim_spec trim;        /* TRIM form */
      parse_null_treatment nulls;  /* FIRST_VALUE(x) IGNORE NULLS */
      parse_nth_from nth_from;     /* NTH_VALUE(x, 2) FROM LAST */
      parse_window *over;          /* OVER w / OVER (...), or NULL */
    } call;                        /* PARSE_E_CALL */
    struct {
      parse_expr *left, *right; /* (left - right) */
      core_type qualifier;      /* INTERVAL_YM or INTERVAL_DT, as in a literal */
    } diff;                     /* PARSE_E_DATETIME_DIFF */
    struct {
      parse_query *query;
    } subquery; /* PARSE_E_SUBQUERY, PARSE_E_EXISTS, PARSE_E_CURSOR */
    struct {
      parse_list items; /* parse_expr* */
      bool row_kw;      /* written ROW(...) */
      bool period_kw;   /* written PERIOD(...) */
    } row;              /* PARSE_E_ROW */
    struct {
      parse_period_op op;
      parse_expr *left, *right;
      bool strictly, immediately;
    } period; /* PARSE_E_PERIOD_PRED */
  } u;
};

/* --------------------------------------------------------- windows -- */

typedef enum parse_frame_units {
  PARSE_FRAME_NONE, /* no frame written */
  PARSE_FRAME_ROWS,
  PARSE_FRAME_RANGE,
} parse_frame_units;

typedef enum parse_bound_kind {
  PARSE_BOUND_NONE,
  PARSE_BOUND_UNBOUNDED_PRECEDING,
  PARSE_BOUND_PRECEDING, /* offset PRECEDING */
  PARSE_BOUND_CURRENT_ROW,
  PARSE_BOUND_FOLLOWING, /* offset FOLLOWING */
  PARSE_BOUND_UNBOUNDED_FOLLOWING,
} parse_bound_kind;

typedef struct parse_bound {
  parse_bound_kind kind;
  parse_expr *offset; /* PRECEDING/FOLLOWING: an interval literal or a number */
  parse_loc loc;
} parse_bound;

typedef struct parse_order_item parse_order_item;

/*
 * A window: the body of OVER (...), of WINDOW w AS (...), of a FROM item's
 * OVER, or of WINDOWED BY STAGGER (...). Also `OVER w` (a reference to a
 * named window): then ref is set and nothing else.
 *   RANGE x PRECEDING                        start = PRECEDING x, between = false
 *   RANGE BETWEEN x PRECEDING AND CURRENT ROW start, end, between = true
 *   STAGGER (PARTITION BY ... RANGE INTERVAL '1' MINUTE): units RANGE, start =
 *   PRECEDING with the interval, stagger = true (no PRECEDING keyword written).
 */
struct parse_window {
  parse_ident name;        /* WINDOW name AS (...): the name; else absent */
  parse_ident ref;         /* OVER w, or the base window of OVER (w ...); else absent */
  bool parens;             /* written with parentheses (OVER (...)) rather than OVER w */
  parse_list partition_by; /* parse_expr* */
  parse_list order_by;     /* parse_order_item* */
  parse_frame_units units;
  bool between;
  bool stagger;
  parse_bound start, end; /* end.kind NONE unless between */
  parse_loc loc;
};

/* ------------------------------------------------------------ queries -- */

typedef enum parse_sort_dir {
  PARSE_SORT_NONE, /* not written (ascending) */
  PARSE_SORT_ASC,
  PARSE_SORT_DESC,
} parse_sort_dir;

struct parse_order_item {
  parse_expr *expr; /* a literal integer is an ordinal position */
  parse_sort_dir dir;
  parse_loc loc;
};

/* One item of a select list: an expression with an optional alias, `*` or `s.*`
 * (expr kind PARSE_E_STAR). */
typedef struct parse_select_item {
  parse_expr *expr;
  parse_ident alias; /* absent if not written */
  parse_loc loc;
} parse_select_item;

typedef enum parse_from_kind {
  PARSE_F_STREAM,     /* a named stream or table: name [OVER window] [AS alias [(cols)]] */
  PARSE_F_SUBQUERY,   /* (query) [AS alias [(cols)]]; alias may be absent (spec 7.4 #15) */
  PARSE_F_TABLE_FUNC, /* TABLE(f(CURSOR(...), args)) [AS alias [(cols)]] */
  PARSE_F_JOIN,       /* left <join> right [ON cond | USING (cols)] */
} parse_from_kind;

typedef enum parse_join_kind {
  PARSE_JOIN_INNER, /* JOIN, INNER JOIN */
  PARSE_JOIN_LEFT,
  PARSE_JOIN_RIGHT,
  PARSE_JOIN_FULL,
  PARSE_JOIN_CROSS, /* CROSS JOIN */
  PARSE_JOIN_COMMA, /* FROM a, b (a cross join) */
} parse_join_kind;

typedef struct parse_from parse_from;
struct parse_from {
  parse_from_kind kind;
  parse_loc loc;
  parse_ident alias;           /* STREAM, SUBQUERY, TABLE_FUNC; absent if not written */
  parse_ident_list alias_cols; /* AS t(a, b): renamed columns (n == 0 if none) */
  union {
    struct {
      parse_ident name;
      parse_window *window; /* OVER (...) or OVER w, or NULL */
    } stream;               /* PARSE_F_STREAM */
    struct {
      parse_query *query;
    } subquery; /* PARSE_F_SUBQUERY */
    struct {
      parse_expr *call; /* PARSE_E_CALL; CURSOR arguments are PARSE_E_CURSOR */
    } table_func;       /* PARSE_F_TABLE_FUNC */
    struct {
      parse_join_kind kind;
      bool natural;
      bool outer_kw; /* OUTER written */
      bool inner_kw; /* INNER written */
      parse_from *left, *right;
      parse_expr *on;          /* or NULL */
      parse_ident_list using_; /* USING (cols); n == 0 if none */
    } join;                    /* PARSE_F_JOIN */
  } u;
};

typedef struct parse_select {
  bool stream; /* SELECT STREAM */
  parse_quantifier quantifier;
  parse_list items;      /* parse_select_item* */
  parse_from *from;      /* never NULL: FROM is required */
  parse_expr *where;     /* or NULL */
  parse_list group_by;   /* parse_expr*; n == 0 if no GROUP BY */
  parse_window *stagger; /* WINDOWED BY STAGGER (...), or NULL */
  parse_expr *having;    /* or NULL */
  parse_list windows;    /* parse_window* of the WINDOW clause (each has a name) */
} parse_select;

typedef enum parse_query_kind {
  PARSE_Q_SELECT,
  PARSE_Q_SETOP,  /* left UNION|INTERSECT|EXCEPT [ALL] right */
  PARSE_Q_VALUES, /* VALUES row, row, ... */
} parse_query_kind;

typedef enum parse_setop {
  PARSE_SET_UNION,
  PARSE_SET_INTERSECT,
  PARSE_SET_EXCEPT,
} parse_setop;

struct parse_query {
  parse_query_kind kind;
  parse_loc loc;
  bool parens; /* written inside parentheses */
  union {
    parse_select select; /* PARSE_Q_SELECT */
    struct {
      parse_setop op;
      bool all;
      parse_query *left, *right;
    } setop; /* PARSE_Q_SETOP */
    struct {
      parse_list rows; /* parse_list* of parse_expr* (one list per row) */
    } values;          /* PARSE_Q_VALUES */
  } u;
  parse_list order_by; /* parse_order_item*: ORDER BY of this query (after set ops) */
  parse_expr *within;  /* T-sort: ORDER BY ts WITHIN <interval>, or NULL */
};

/* --------------------------------------------------------- statements -- */

typedef enum parse_stmt_kind {
  PARSE_S_CREATE_STREAM,
  PARSE_S_CREATE_PUMP,
  PARSE_S_INSERT,
  PARSE_S_CREATE_FUNCTION,
  PARSE_S_QUERY, /* a stand-alone SELECT or VALUES (REPL, tests) */
  PARSE_S_CREATE_INPUT,
  PARSE_S_CREATE_OUTPUT,
  PARSE_S_CREATE_REFERENCE_TABLE,
  PARSE_S_EXPLAIN,
} parse_stmt_kind;

/* A column of CREATE STREAM or a parameter of CREATE FUNCTION. */
typedef struct parse_column_def {
  parse_ident name;
  core_type type; /* not_null from NOT NULL */
  parse_loc loc;
} parse_column_def;

/* INSERT [EXPEDITED] INTO target [(columns)] query (also the body of a pump). */
typedef struct parse_insert {
  parse_ident target;
  parse_ident_list columns; /* n == 0 if no column list */
  parse_query *query;       /* a SELECT, a set operation or VALUES */
  bool expedited;
  parse_loc loc;
} parse_insert;

typedef enum parse_format_kind {
  PARSE_FORMAT_JSON,
  PARSE_FORMAT_CSV,
} parse_format_kind;

/* FORMAT JSON [ROW PATH '$'] | FORMAT CSV [ROW DELIMITER '\n'] [COLUMN DELIMITER ','].
 * Strings are NULL when not written (defaults: "$", "\n", ","). */
typedef struct parse_format {
  parse_format_kind kind;
  const char *row_path;
  const char *row_delimiter;
  const char *column_delimiter;
  parse_loc loc;
} parse_format;

/* A column of CREATE INPUT / CREATE REFERENCE TABLE: name type [PATH '$.x'].
 * FORMAT JSON: path is the JSONPath as written, or NULL when not written (the
 * planner rejects that: a JSON column names its path, because an unquoted
 * column name is folded to upper case and would rarely match the record's key). FORMAT CSV: path is
 * always NULL (the parser rejects PATH); the column's position in the list is its field number. */
typedef struct parse_input_column {
  parse_ident name;
  core_type type;
  const char *path; /* JSON mapping, or NULL */
  parse_loc loc;
} parse_input_column;

typedef enum parse_start_kind {
  PARSE_START_DEFAULT, /* not written: NOW */
  PARSE_START_NOW,
  PARSE_START_TRIM_HORIZON,
  PARSE_START_LAST_STOPPED_POINT,
  PARSE_START_TIMESTAMP, /* STARTING AT TIMESTAMP '...': start_ms */
} parse_start_kind;

typedef struct parse_stmt parse_stmt;
struct parse_stmt {
  parse_stmt_kind kind;
  parse_loc loc;    /* the statement's span in text (without the `;`) */
  const char *text; /* the whole text the locations refer to (arena copy) */
  union {
    struct {
      bool or_replace;
      parse_ident name;
      parse_list columns;      /* parse_column_def* */
      const char *description; /* or NULL */
    } create_stream;
    struct {
      bool or_replace;
      bool stopped; /* accepted and ignored (spec 1.3) */
      parse_ident name;
      const char *description; /* or NULL */
      parse_insert *insert;
    } create_pump;
    parse_insert *insert; /* PARSE_S_INSERT */
    struct {
      bool or_replace;
      parse_ident name;
      parse_list params; /* parse_column_def* */
      core_type returns;
      bool language_sql;   /* LANGUAGE SQL written */
      bool contains_sql;   /* CONTAINS SQL written */
      bool reads_sql_data; /* READS SQL DATA */
      bool modifies_sql_data;
      int8_t deterministic; /* -1 not written, 0 NOT DETERMINISTIC, 1 DETERMINISTIC */
      int8_t null_call; /* -1 not written, 0 CALLED ON NULL INPUT, 1 RETURNS NULL ON NULL INPUT */
      parse_ident specific; /* SPECIFIC name, or absent */
      parse_expr *body;     /* RETURN expr */
    } create_function;
    parse_query *query; /* PARSE_S_QUERY */
    struct {
      bool or_replace;
      parse_ident name_prefix; /* creates name_prefix_001 .. _00n */
      parse_ident source;      /* FROM STREAM "clicks": the data stream */
      int32_t parallelism;     /* PARALLELISM n, 0 if not written (1) */
      parse_format format;
      parse_list columns; /* parse_input_column* */
      parse_start_kind start;
      int64_t start_ms; /* PARSE_START_TIMESTAMP */
    } create_input;
    struct {
      bool or_replace;
      parse_ident name;   /* the output's name */
      parse_ident from;   /* the in-application stream (case-sensitive, verbatim) */
      parse_ident target; /* TO STREAM "alerts": the data stream */
      parse_format format;
    } create_output;
    struct {
      bool or_replace;
      parse_ident name;
      const char *file; /* FROM FILE 'companies.csv' */
      parse_format format;
      parse_list columns; /* parse_input_column* */
    } create_reference_table;
    struct {
      parse_stmt *stmt;
    } explain;
  } u;
};

/* The result of parsing a whole application text. */
typedef struct parse_script {
  const char *text; /* arena copy of the input, NUL-terminated */
  size_t text_len;
  parse_stmt **stmts;
  int32_t n;
} parse_script;

/* ------------------------------------------------------------ parsing -- */

/*
 * Parses text[0..len) as a script of statements separated by `;` (empty
 * statements are skipped; the last `;` is optional). On success *out holds
 * the statements in order. The first error ends the parse.
 */
int parse_script_text(core_arena *arena, const char *text, size_t len, parse_script *out,
                      core_error *err);

/*
 * Parses exactly one statement (a trailing `;` is allowed). Text with no
 * statement or with more than one is a SLUICE_SYNTAX error.
 */
int parse_statement(core_arena *arena, const char *text, size_t len, parse_stmt **out,
                    core_error *err);

/* Parses a single expression (tests, REPL, defaults): the whole text must be one expression. */
int parse_expression(core_arena *arena, const char *text, size_t len, parse_expr **out,
                     core_error *err);

/* ------------------------------------------------------------- tokens -- */

/* Token classes of the lexer (for tests, the REPL's highlighting and its
 * statement-completeness check). */
typedef enum parse_token_class {
  PARSE_TC_KEYWORD,        /* SELECT, STREAM, ... (reserved or not) */
  PARSE_TC_IDENT,          /* ticker_symbol */
  PARSE_TC_QUOTED_IDENT,   /* "ticker" */
  PARSE_TC_STRING,         /* 'text' */
  PARSE_TC_UNICODE_STRING, /* U&'\0009' [UESCAPE '!'] */
  PARSE_TC_BINARY_STRING,  /* X'0AFF' */
  PARSE_TC_INTEGER,        /* 42 */
  PARSE_TC_DECIMAL,        /* 2.5, .5, 2. */
  PARSE_TC_APPROX,         /* 1e2, 1.5E-6 */
  PARSE_TC_DATE,           /* DATE '2008-08-23', {d '...'} */
  PARSE_TC_TIME,           /* TIME '13:48:23', {t '...'} */
  PARSE_TC_TIMESTAMP,      /* TIMESTAMP '2004-09-30 13:48:23', {ts '...'} */
  PARSE_TC_INTERVAL,       /* INTERVAL [+|-]'1:30' HOUR TO MINUTE */
  PARSE_TC_OPERATOR,       /* = <> != < <= > >= + - * / % || */
  PARSE_TC_PUNCT,          /* ( ) , . ; */
} parse_token_class;

typedef struct parse_token {
  parse_token_class cls;
  parse_loc loc; /* the token's slice of the text */
} parse_token;

/*
 * Splits text into tokens (comments and white space dropped). On success
 * *out is an arena array of *n tokens. Lexical errors (unterminated string or
 * comment, bad escape, stray character) return SLUICE_SYNTAX with the
 * location.
 */
int parse_tokenize(core_arena *arena, const char *text, size_t len, parse_token **out, int32_t *n,
                   core_error *err);

/* "KEYWORD", "IDENT", ... */
const char *parse_token_class_name(parse_token_class cls);

/* True if name (any case) is a keyword of the dialect; *reserved says whether
 * it can only be used as a name when quoted. */
bool parse_is_keyword(const char *name, size_t len, bool *reserved);

/* The keywords in sorted order (upper case), e.g. for the REPL's completion. */
int parse_keyword_count(void);
const char *parse_keyword_at(int i);

/* ----------------------------------------------------------- printing -- */

/* Printing options. */
enum {
  PARSE_PRINT_PARENS = 1, /* parenthesise every operator expression (precedence tests) */
};

/*
 * Canonical SQL text of a node: keywords in upper case, single spaces,
 * identifiers quoted only when needed (not a regular upper-case identifier,
 * or a keyword), literals in their canonical form. Parsing the text again
 * gives an equal AST (parse_*_equal). The result is allocated from arena
 * (NULL on OOM).
 */
char *parse_print_stmt(core_arena *arena, const parse_stmt *s);
char *parse_print_query(core_arena *arena, const parse_query *q);
char *parse_print_expr(core_arena *arena, const parse_expr *e, int flags);
char *parse_print_type(core_arena *arena, core_type t);

/* The SQL spelling of an operator: "AND", "<>", "||", "IS DISTINCT FROM", "-" for
 * both subtraction and negation ("?" for PARSE_OP_NONE). A static string. */
const char *parse_op_text(parse_op op);

/* An identifier as SQL text: ticker -> TICKER stays bare, "ticker" -> "ticker", "SELECT" ->
 * "SELECT" quoted. */
char *parse_quote_ident(core_arena *arena, const char *name);
bool parse_ident_needs_quotes(const char *name);

/* ----------------------------------------------------------- equality -- */

/* Structural equality ignoring locations and how identifiers were quoted. */
bool parse_stmt_equal(const parse_stmt *a, const parse_stmt *b);
bool parse_query_equal(const parse_query *a, const parse_query *b);
bool parse_expr_equal(const parse_expr *a, const parse_expr *b);

/* Names for messages and EXPLAIN: "CREATE STREAM", "SELECT", ... */
const char *parse_stmt_kind_name(parse_stmt_kind k);

#endif /* SLUICE_PARSER_H */

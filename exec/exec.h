/*
 * exec.h — the execution layer: expression programs and operators over column
 * batches (core.h), and the builder that turns a bound query (planner.h) into
 * a chain of operators.
 *
 * Purpose (DESIGN.md section 5):
 *   - expressions (expr.c): a bound plan_expr compiles once into a flat program
 *     of vectorized steps; a step runs over every live row of a batch;
 *   - operators: filter and projection (project.c), tumbling GROUP BY windows
 *     (tumble.c), sliding OVER windows (slide.c), stagger windows (stagger.c),
 *     stream-stream and stream-table joins (join.c), UNION ALL merges, streaming
 *     ORDER BY and T-sort (order.c);
 *   - the builder (build.c): plan_query -> operator chain, with a layout that
 *     says which column of which batch holds each bound expression.
 *
 * The push model. A source pushes batches of rows in non-decreasing ROWTIME
 * order into its operator, and rowtime bounds (DESIGN.md section 4: no later
 * row on that input will have a ROWTIME below the bound). An operator pushes
 * its own output batches and bounds to `next` (at port `next_port`). Operators
 * with two inputs (joins, UNION ALL) tell them apart by port (0 = left/first,
 * 1 = right/second). A batch handed to push() is borrowed for the call: the
 * operator copies what it keeps (rows, strings) and may modify only the
 * batch's selection (a filter narrows it). Output batches belong to the
 * operator that made them and are reused after push() returns.
 *
 * Output ROWTIMEs of every operator never decrease (spec 3.1); a bound is
 * passed on once everything below it has been emitted.
 *
 * Run-time errors of a row (spec 7.3: division by zero, LN of a non-positive
 * number, CAST overflow, a row later than an event-time watermark, ...) are
 * not failures of the call: the row is reported through exec_ctx.row_error
 * (the engine writes it to error_stream), removed from its batch's selection,
 * and produces no output; processing continues. A call fails (non-zero
 * return) only for what stops the pump: out of memory, a broken invariant.
 *
 * Ownership: each operator is created by its constructor and freed on its own
 * with exec_op_free() (not the operators behind `next`); a chain made by the
 * builder frees all of its operators. Compiled expressions live in the arena
 * given to the compiler and are borrowed by the operators that run them.
 *
 * Threads: an operator chain belongs to one pump and runs on one thread at a
 * time. Nothing here has global state.
 *
 * Errors: int codes of sluice.h with a core_error.
 */
#ifndef SLUICE_EXEC_H
#define SLUICE_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "functions/functions.h"
#include "planner/planner.h"

/* ============================================================ context == */

typedef struct exec_ctx {
  /*
   * A row failed at run time. name: the ERROR_NAME of error_stream
   * (DivideByZero, FunctionError, CastError, OutOfOrderRowtime, LateRow,
   * NotNullViolation, ...); message: lower case, no trailing period; (b, row):
   * the offending input row, for DATA_ROWTIME and DATA_ROW. May be NULL
   * (tests): errors are then only counted.
   */
  void (*row_error)(void *arg, const char *name, const char *message, const core_batch *b, int row);
  void *arg;
  const char *pump;        /* name of the pump running the chain (messages), or NULL */
  int64_t statement_ms;    /* CURRENT_TIMESTAMP, CURRENT_DATE, ...: fixed when the query started */
  const core_clock *clock; /* CURRENT_ROW_TIMESTAMP: now() per row; NULL: statement_ms */
  uint64_t errors;         /* rows reported so far */
} exec_ctx;

/* Reports a failed row through ctx (counts it) and deselects it from b. */
void exec_row_error(exec_ctx *ctx, core_batch *b, int row, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ======================================================== expressions == */

/*
 * Where the value of a bound expression already is: find() returns the index
 * of the input batch's column that holds the value of e, or -1 when e must be
 * computed from its parts. The compiler asks for every node, outermost first,
 * so a layout can map whole subtrees (a GROUP BY key, an aggregate computed
 * by a window operator). PLAN_E_COLUMN nodes must be mapped. An unmapped
 * PLAN_E_ROWTIME reads the batch's rowtime vector.
 */
typedef struct exec_layout {
  int (*find)(void *arg, const plan_expr *e);
  void *arg;
} exec_layout;

typedef struct exec_expr exec_expr;

/* Compiles e. Everything is allocated from arena, which must outlive the
 * program. SLUICE_UNSUPPORTED with a message naming the construct for what the
 * executor cannot evaluate (never a wrong answer). */
int exec_expr_compile(const plan_expr *e, const exec_layout *layout, core_arena *arena,
                      exec_expr **out, core_error *err);

/* The result type of a compiled program (e->type). */
core_type exec_expr_type(const exec_expr *x);

/*
 * Evaluates x for every live row of `in` into column `col` of `out`: row i of
 * in gives row i of out (out->cap >= in->n; the caller sets out->n); strings
 * are written to out->heap. Rows that fail are reported and deselected from
 * `in`; the caller copies in's selection to out afterwards.
 */
int exec_expr_eval(exec_expr *x, exec_ctx *ctx, core_batch *in, core_batch *out, int col,
                   core_error *err);

/* Narrows in's selection to the live rows where the BOOLEAN program x is TRUE
 * (FALSE and UNKNOWN are dropped). */
int exec_expr_filter(exec_expr *x, exec_ctx *ctx, core_batch *in, core_error *err);

/* ========================================================== operators == */

typedef struct exec_op exec_op;
struct exec_op {
  const char *name; /* "filter", "tumble", ... for EXPLAIN ANALYZE-like dumps and tests */
  int (*push)(exec_op *op, int port, core_batch *b, core_error *err);
  int (*bound)(exec_op *op, int port, int64_t bound_ms, core_error *err);
  void (*free)(exec_op *op);
  exec_op *next; /* downstream, set by whoever builds the chain */
  int next_port;
  exec_ctx *ctx;
};

static inline int exec_emit(exec_op *op, core_batch *b, core_error *err) {
  return op->next->push(op->next, op->next_port, b, err);
}
static inline int exec_emit_bound(exec_op *op, int64_t bound_ms, core_error *err) {
  return op->next->bound(op->next, op->next_port, bound_ms, err);
}
static inline void exec_op_free(exec_op *op) {
  if (op) op->free(op);
}

/* ---- filter and projection (project.c) ---- */

/* Keeps the rows where pred is TRUE; passes batches (narrowed) and bounds on. */
exec_op *exec_filter_new(exec_ctx *ctx, exec_expr *pred, core_error *err);

/*
 * Computes n output columns from each input batch. rowtime: a TIMESTAMP
 * program that gives the output ROWTIME (`expr AS ROWTIME`), or NULL to keep
 * the input's. With a rowtime program, a row whose ROWTIME would go backwards
 * is an OutOfOrderRowtime error.
 */
exec_op *exec_project_new(exec_ctx *ctx, exec_expr *const *exprs, int n, exec_expr *rowtime,
                          core_error *err);

/* ---- aggregates shared by the window operators ---- */

typedef struct exec_agg {
  const fn_def *fn; /* an aggregate of functions.h (COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, ...) */
  int arg;          /* input column of the argument; -1 for COUNT(*) */
  bool distinct;
  bool ignore_nulls; /* FIRST_VALUE / LAST_VALUE ... IGNORE NULLS (default: RESPECT NULLS) */
  core_type type;    /* the result type (the bound call's type) */
} exec_agg;

/* ---- tumbling windows (tumble.c) ---- */

typedef struct exec_tumble_config {
  int ninput;
  const core_type *input_types; /* the columns of pushed batches */
  const int *keys;              /* group keys (input columns), in output order */
  int nkeys;
  int time_key; /* index into keys[] of the key that closes windows (its value: TIMESTAMP ms,
                 * or an INTERVAL_DT/numeric monotonic value) */
  /* Window length when the time key is a window start (STEP, FLOOR TO unit): the window
   * [start, start + length) closes when a bound or row reaches its end, and its rows get
   * ROWTIME = end. One of window_ms / window_months (FLOOR TO MONTH / YEAR) is > 0.
   * Both 0: a general monotonic key; its group closes when a row with another key value
   * arrives or when key_of_time(bound) differs, and the output ROWTIME is the ROWTIME of
   * that row or bound. */
  int64_t window_ms;
  int32_t window_months;
  /* The time key's value for a row at ROWTIME t (general keys only). */
  int (*key_of_time)(void *arg, int64_t t, core_value *out);
  void *key_arg;
  /* Event time (DESIGN.md section 4): the time key is STEP/FLOOR over an ordinary TIMESTAMP
   * column; windows close when the watermark (largest event-time key end seen minus
   * lateness_ms) passes their end; rows for closed windows are LateRow errors. Their rows
   * get the ROWTIME of the row that moved the watermark [IMPL]; bounds do not close them. */
  bool event_time;
  int64_t lateness_ms;
  /* Event time with the event TIMESTAMP itself in input column event_col (has_event_col):
   * the watermark is the largest event time seen minus lateness_ms (DESIGN.md section 4)
   * and a window closes when the watermark reaches its end. Without it, the window end
   * stands for the event time (the rule above). */
  bool has_event_col;
  int event_col;
  /* > 0: a failing row (LateRow, a NULL window key) is reported with only its first
   * report_cols columns, the pump's own row when the builder passes it through first */
  int report_cols;
  const exec_agg *aggs;
  int naggs;
} exec_tumble_config;

/* Output columns: the keys in keys[] order, then one per aggregate. Groups of a window
 * are emitted in order of first appearance. */
exec_op *exec_tumble_new(exec_ctx *ctx, const exec_tumble_config *c, core_error *err);

/* ---- sliding windows (slide.c) ---- */

typedef enum exec_frame {
  EXEC_FRAME_ROWS,     /* the current row and `rows` rows before it in the partition */
  EXEC_FRAME_RANGE,    /* rows with ROWTIME in [current - range_ms, current] */
  EXEC_FRAME_UNBOUNDED /* every row of the partition so far */
} exec_frame;

typedef struct exec_slide_config {
  int ninput;
  const core_type *input_types;
  const int *partition; /* PARTITION BY columns */
  int npartition;
  exec_frame frame;
  int64_t rows;
  int64_t range_ms;
  const exec_agg *aggs;
  int naggs;
} exec_slide_config;

/* One output row per input row, immediately: the input columns, then one column per
 * aggregate over the frame ending at that row; ROWTIME unchanged. */
exec_op *exec_slide_new(exec_ctx *ctx, const exec_slide_config *c, core_error *err);

/* ---- stagger windows (stagger.c) ---- */

typedef struct exec_stagger_config {
  int ninput;
  const core_type *input_types;
  const int *keys; /* PARTITION BY columns, in output order */
  int nkeys;
  int64_t range_ms;
  const exec_agg *aggs;
  int naggs;
} exec_stagger_config;

/* Output: the keys, then the aggregates; one row per key and window, ROWTIME = the
 * window's open time + range_ms (spec 4.5), emitted when a bound or row reaches it. */
exec_op *exec_stagger_new(exec_ctx *ctx, const exec_stagger_config *c, core_error *err);

/* ---- joins (join.c) ---- */

typedef struct exec_join_side {
  int ncols;
  const core_type *types;
  const int *keys;  /* equi-join key columns (nkeys of exec_join_config) */
  bool windowed;    /* OVER (...) on this side's FROM item */
  exec_frame frame; /* RANGE (range_ms) or ROWS (rows) */
  int64_t range_ms;
  int64_t rows;
} exec_join_side;

typedef struct exec_join_config {
  int kind; /* parse_join_kind: INNER, LEFT, RIGHT, FULL, CROSS */
  exec_join_side left, right;
  int nkeys;
  /* A BOOLEAN program over the combined row (left columns, then right columns), or NULL. */
  exec_expr *residual;
} exec_join_config;

/* Stream-stream join: port 0 = left, port 1 = right. Output: left columns then right
 * columns; ROWTIME = the later of the two rows; unmatched rows of an outer side are
 * null-extended and emitted once the opposite side's window can no longer match them.
 * The inputs are merged by ROWTIME first (exact rules: exec/README.md, "Joins and
 * ordering"). SLUICE_INVALID when neither side has a window. */
exec_op *exec_join_new(exec_ctx *ctx, const exec_join_config *c, core_error *err);

/* Stream-table join (INNER or LEFT): the table's rows are in `table` (all live, any
 * order; the operator copies them). Output: stream columns then table columns,
 * ROWTIME of the stream row. */
exec_op *exec_lookup_new(exec_ctx *ctx, int kind, const exec_join_side *stream,
                         const exec_join_side *table, int nkeys, const core_batch *table_rows,
                         exec_expr *residual, core_error *err);

/* ---- UNION ALL and ordering (order.c) ---- */

/* Merges nports inputs of the same columns in ROWTIME order, using bounds. */
exec_op *exec_union_new(exec_ctx *ctx, int nports, int ncols, const core_type *types,
                        core_error *err);

typedef struct exec_sort_key {
  int col;
  bool desc;
} exec_sort_key;

/* Streaming ORDER BY (leading key time-based) and T-sort (ORDER BY ... WITHIN): rows
 * are buffered and released in key order once a bound (or, for WITHIN, the largest key
 * seen minus within_ms) guarantees no earlier row can come. rowtime_col >= 0 makes it a
 * T-sort: keys[0] must be that TIMESTAMP column (the key aliased ROWTIME), the output
 * ROWTIME is its value, and a row whose key is before the release point is a LateRow
 * error. rowtime_col < 0: plain ORDER BY (within_ms unused); a group of equal leading keys
 * goes out sorted when a greater leading key arrives (or a bound's key passes it, see
 * exec_sort_set_key_of_time), every row with the ROWTIME of the group's latest row; a row
 * whose leading key is below a released group's is a LateRow error. */
exec_op *exec_sort_new(exec_ctx *ctx, int ncols, const core_type *types, const exec_sort_key *keys,
                       int nkeys, int64_t within_ms, int rowtime_col, core_error *err);

/* Plain ORDER BY only: key_of_time(arg, t, out) gives the leading key's value for a row at
 * ROWTIME t (FLOOR(t TO MINUTE), ...), so that a bound can close the open group. Without
 * it a group closes only when a row with a greater leading key arrives.
 * exec_key_of_time_rowtime is the one for a leading key that is ROWTIME itself.
 * SLUICE_INVALID when op is not a sort. */
int exec_sort_set_key_of_time(exec_op *op,
                              int (*key_of_time)(void *arg, int64_t t, core_value *out), void *arg);
int exec_key_of_time_rowtime(void *arg, int64_t t, core_value *out);

/* ---- table functions (tablefn.c): FROM TABLE(f(CURSOR(query), args...)) ---- */

typedef struct exec_tablefn_config {
  const fn_def *fn; /* RANDOM_CUT_FOREST, HOTSPOTS, TOP_K_ITEMS_TUMBLING, ... */
  int ninput;       /* the cursor query's columns: what pushed batches hold */
  const core_type *input_types;
  const char *const *input_names;
  int nargs; /* the arguments after the cursor, constants (literals) */
  const core_value *args;
  int nout; /* the relation's columns, as the binder made them (planner/binder.c
             * bind_table_func): the cursor's columns then the function's, or only the
             * function's (TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING) */
  const core_type *out_types;
  const char *const *out_names;
  uint64_t seed; /* randomness, so that a run can be repeated exactly */
} exec_tablefn_config;

/* The operator of a table function; SLUICE_UNSUPPORTED `table function NAME is not
 * available yet` for one that has none. */
exec_op *exec_tablefn_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err);

/* ---- streaming DISTINCT (distinct.c) ---- */

/* Passes a row the first time its ncols values are seen while the monotonic columns keys[]
 * keep their values; forgets the rows seen when they change. */
exec_op *exec_distinct_new(exec_ctx *ctx, int ncols, const int *keys, int nkeys, core_error *err);

/* ============================================================ builder == */

/* One stream a chain reads: its batches (the relation's columns in catalog order, then
 * APPROXIMATE_ARRIVAL_TIME for a source stream) and bounds go to (op, port). */
typedef struct exec_input {
  const catalog_relation *rel;
  exec_op *op;
  int port;
  int ncols;
  const core_type *types;
} exec_input;

/* A chain built from a query. Its output batches carry the query's columns (then, for an
 * INSERT, the target's columns: see exec_build_insert) and go to the operator connected
 * with exec_chain_connect(). */
typedef struct exec_chain {
  exec_input *inputs;
  int ninputs;
  exec_op **ops; /* every operator, freed with the chain */
  int nops, capops;
  exec_op *tail; /* the last operator, or NULL when an input feeds the output directly */
  int tail_input;
  int ncols;
  const core_type *types;
} exec_chain;

/* What the builder needs from the engine. */
typedef struct exec_build_env {
  /* The rows of a reference table (all live, the table's columns); borrowed until the chain
   * is freed. */
  int (*table_rows)(void *arg, const catalog_relation *rel, const core_batch **out,
                    core_error *err);
  void *arg;
} exec_build_env;

/*
 * Builds the operator chain of an INSERT (a pump's statement): the query, then a
 * projection to the target stream's columns in catalog order (assignment casts; columns
 * the INSERT does not name are NULL). ctx and arena must outlive the chain. Constructs
 * the executor cannot run yet fail with SLUICE_UNSUPPORTED and a message naming them.
 */
int exec_build_insert(const plan_insert *ins, exec_ctx *ctx, const exec_build_env *env,
                      core_arena *arena, exec_chain **out, core_error *err);
/* The same for a query alone (its columns are the output). */
int exec_build_query(const plan_query *q, exec_ctx *ctx, const exec_build_env *env,
                     core_arena *arena, exec_chain **out, core_error *err);
/* Sends the chain's output to (op, port). */
void exec_chain_connect(exec_chain *c, exec_op *op, int port);
void exec_chain_free(exec_chain *c);

#endif /* SLUICE_EXEC_H */

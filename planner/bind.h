/*
 * bind.h — private to planner/: the binder's state shared by binder.c,
 * validate.c and ddl.c. Not included from outside the module.
 */
#ifndef SLUICE_PLANNER_BIND_H
#define SLUICE_PLANNER_BIND_H

#include "planner/planner.h"

/* Where in a query an expression is bound (what it may contain). */
typedef enum bind_clause {
  CL_SELECT,
  CL_WHERE,
  CL_GROUP_BY,
  CL_HAVING,
  CL_ON,
  CL_ORDER_BY,
  CL_WINDOW, /* PARTITION BY / ORDER BY of a window */
  CL_ARG,    /* arguments of a table function, window offsets, function body */
} bind_clause;

typedef struct bind_scope bind_scope;
struct bind_scope {
  bind_scope *outer;
  plan_rel **leaves;
  int nleaves;
  plan_window **windows; /* the WINDOW clause of the select */
  int nwindows;
  bind_clause clause;
  bool in_agg;      /* inside an aggregate call's arguments */
  bool in_windowed; /* inside a windowed call's arguments (an aggregate there is over
                     * the grouped rows: AVG(COUNT(*)) OVER (...)) */
  bool saw_agg;     /* an aggregate call was bound in this scope */
  bool saw_window;
  /* CREATE FUNCTION body: parameters instead of relations */
  const parse_list *params; /* parse_column_def* */
  /* USING / NATURAL join columns: one column (the left one), not ambiguous,
   * expanded once by `*` */
  const char **merged;
  int nmerged;
};

typedef struct binder {
  const plan_ctx *ctx;
  core_error *err;
  const char *text;     /* statement text (locations refer to it) */
  const char **sources; /* catalog relations read, collected while binding FROM */
  int nsources, capsources;
  const parse_list *from_windows; /* WINDOW clause of the select whose FROM is bound */
} binder;

/* Sets err (code, message) with the location of loc; returns code. */
int bind_fail(binder *b, parse_loc loc, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int bind_oom(binder *b);

/* SQL text of an expression for messages. */
const char *bind_expr_text(binder *b, const parse_expr *e);

/* Sign (-1, 0, 1) of a numeric or interval literal, possibly negated; 2 otherwise. */
int bind_const_sign(const plan_expr *e);

/* Structural equality of bound expressions (GROUP BY matching). */
bool bind_expr_equal(const plan_expr *a, const plan_expr *b);

/* Walks e and its children (not into subqueries); stops when fn returns true. */
bool bind_expr_any(const plan_expr *e, bool (*fn)(const plan_expr *e, void *arg), void *arg);

/* validate.c: the KDA rules of spec 7.2 on a bound select / query / window. */
int validate_select(binder *b, plan_query *q);
int validate_setop(binder *b, plan_query *q);
int validate_order_by(binder *b, plan_query *q);
int validate_agg_window(binder *b, plan_window *w);
int validate_join_window(binder *b, plan_window *w);
int validate_join(binder *b, plan_rel *join);

#endif /* SLUICE_PLANNER_BIND_H */

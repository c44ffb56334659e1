/*
 * equal.c — structural equality of ASTs, ignoring source locations, how an
 * identifier was quoted and whether a query was written in parentheses
 * (none of which changes meaning). Used by the round-trip tests:
 * parse(print(parse(x))) == parse(x).
 */
#include <string.h>

#include "parser/build.h"

static bool str_eq(const char *a, const char *b) {
  if (!a || !b) return a == b;
  return strcmp(a, b) == 0;
}

static bool ident_eq(const parse_ident *a, const parse_ident *b) {
  return str_eq(a->name, b->name);
}

static bool idlist_eq(const parse_ident_list *a, const parse_ident_list *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++)
    if (!ident_eq(&a->items[i], &b->items[i])) return false;
  return true;
}

static bool type_eq(core_type a, core_type b) {
  return a.id == b.id && a.not_null == b.not_null && a.start == b.start && a.end == b.end &&
         a.precision == b.precision && a.scale == b.scale;
}

static bool window_eq(const parse_window *a, const parse_window *b);
static bool from_eq(const parse_from *a, const parse_from *b);

static bool exprs_eq(const parse_list *a, const parse_list *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++)
    if (!parse_expr_equal(a->items[i], b->items[i])) return false;
  return true;
}

static bool idents_eq(const parse_list *a, const parse_list *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++)
    if (!ident_eq(a->items[i], b->items[i])) return false;
  return true;
}

static bool sort_eq(const parse_list *a, const parse_list *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++) {
    const parse_order_item *x = a->items[i], *y = b->items[i];
    if (x->dir != y->dir || !parse_expr_equal(x->expr, y->expr)) return false;
  }
  return true;
}

static bool literal_eq(const parse_literal *a, const parse_literal *b) {
  if (a->kind != b->kind || a->negative != b->negative || a->text_len != b->text_len) return false;
  if (a->text_len && memcmp(a->text, b->text, a->text_len) != 0) return false;
  if (a->kind == PARSE_L_BOOLEAN && a->value.u.b != b->value.u.b) return false;
  if (a->kind == PARSE_L_INTERVAL && !type_eq(a->value.type, b->value.type)) return false;
  return true;
}

/*
 * Compares everything of an operator node but its left operand and returns
 * that operand's pair in *la, *lb; false if the nodes differ. Left-deep
 * chains (`a + a + ...`, built without growing the parser's stack) are then
 * compared with a loop, so the recursion depth does not depend on their
 * length (see pr_expr in print.c).
 */
static bool operator_eq(const parse_expr *a, const parse_expr *b, const parse_expr **la,
                        const parse_expr **lb) {
  switch (a->kind) {
    case PARSE_E_BINARY:
      *la = a->u.binary.left, *lb = b->u.binary.left;
      return a->u.binary.op == b->u.binary.op &&
             parse_expr_equal(a->u.binary.right, b->u.binary.right);
    case PARSE_E_IS:
      *la = a->u.is.arg, *lb = b->u.is.arg;
      return a->u.is.what == b->u.is.what && a->u.is.negated == b->u.is.negated;
    case PARSE_E_BETWEEN:
      *la = a->u.between.arg, *lb = b->u.between.arg;
      return a->u.between.negated == b->u.between.negated &&
             a->u.between.symmetric == b->u.between.symmetric &&
             a->u.between.asymmetric_kw == b->u.between.asymmetric_kw &&
             parse_expr_equal(a->u.between.low, b->u.between.low) &&
             parse_expr_equal(a->u.between.high, b->u.between.high);
    case PARSE_E_IN_LIST:
      *la = a->u.in.arg, *lb = b->u.in.arg;
      return a->u.in.negated == b->u.in.negated && exprs_eq(&a->u.in.list, &b->u.in.list);
    case PARSE_E_IN_QUERY:
      *la = a->u.in.arg, *lb = b->u.in.arg;
      return a->u.in.negated == b->u.in.negated && parse_query_equal(a->u.in.query, b->u.in.query);
    case PARSE_E_LIKE:
      *la = a->u.like.arg, *lb = b->u.like.arg;
      return a->u.like.negated == b->u.like.negated && a->u.like.similar == b->u.like.similar &&
             parse_expr_equal(a->u.like.pattern, b->u.like.pattern) &&
             parse_expr_equal(a->u.like.escape, b->u.like.escape);
    case PARSE_E_PERIOD_PRED:
      *la = a->u.period.left, *lb = b->u.period.left;
      return a->u.period.op == b->u.period.op && a->u.period.strictly == b->u.period.strictly &&
             a->u.period.immediately == b->u.period.immediately &&
             parse_expr_equal(a->u.period.right, b->u.period.right);
    default:
      *la = *lb = NULL;
      return false;
  }
}

static bool is_operator(parse_expr_kind k) {
  return k == PARSE_E_BINARY || k == PARSE_E_IS || k == PARSE_E_BETWEEN || k == PARSE_E_IN_LIST ||
         k == PARSE_E_IN_QUERY || k == PARSE_E_LIKE || k == PARSE_E_PERIOD_PRED;
}

bool parse_expr_equal(const parse_expr *a, const parse_expr *b) {
  while (a && b && a->kind == b->kind && is_operator(a->kind))
    if (!operator_eq(a, b, &a, &b)) return false;
  if (!a || !b) return a == b;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case PARSE_E_LITERAL:
      return literal_eq(&a->u.lit, &b->u.lit);
    case PARSE_E_COLUMN:
    case PARSE_E_STAR:
      return idents_eq(&a->u.column.parts, &b->u.column.parts);
    case PARSE_E_UNARY:
      return a->u.unary.op == b->u.unary.op && parse_expr_equal(a->u.unary.arg, b->u.unary.arg);
    case PARSE_E_BINARY:
    case PARSE_E_IS:
    case PARSE_E_BETWEEN:
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
    case PARSE_E_LIKE:
    case PARSE_E_PERIOD_PRED:
      return false; /* compared by the loop above */
    case PARSE_E_CASE: {
      if (!parse_expr_equal(a->u.case_.operand, b->u.case_.operand) ||
          !parse_expr_equal(a->u.case_.else_, b->u.case_.else_) ||
          a->u.case_.whens.n != b->u.case_.whens.n)
        return false;
      for (int32_t i = 0; i < a->u.case_.whens.n; i++) {
        const parse_when *x = a->u.case_.whens.items[i], *y = b->u.case_.whens.items[i];
        if (!parse_expr_equal(x->when, y->when) || !parse_expr_equal(x->then, y->then))
          return false;
      }
      return true;
    }
    case PARSE_E_CAST:
      return type_eq(a->u.cast.type, b->u.cast.type) &&
             parse_expr_equal(a->u.cast.arg, b->u.cast.arg);
    case PARSE_E_CALL:
      return ident_eq(&a->u.call.name, &b->u.call.name) && a->u.call.form == b->u.call.form &&
             a->u.call.quantifier == b->u.call.quantifier && a->u.call.star == b->u.call.star &&
             a->u.call.unit == b->u.call.unit && a->u.call.trim == b->u.call.trim &&
             a->u.call.nulls == b->u.call.nulls && a->u.call.nth_from == b->u.call.nth_from &&
             exprs_eq(&a->u.call.args, &b->u.call.args) &&
             window_eq(a->u.call.over, b->u.call.over);
    case PARSE_E_DATETIME_DIFF:
      return type_eq(a->u.diff.qualifier, b->u.diff.qualifier) &&
             parse_expr_equal(a->u.diff.left, b->u.diff.left) &&
             parse_expr_equal(a->u.diff.right, b->u.diff.right);
    case PARSE_E_SUBQUERY:
    case PARSE_E_EXISTS:
    case PARSE_E_CURSOR:
      return parse_query_equal(a->u.subquery.query, b->u.subquery.query);
    case PARSE_E_ROW:
      return a->u.row.row_kw == b->u.row.row_kw && a->u.row.period_kw == b->u.row.period_kw &&
             exprs_eq(&a->u.row.items, &b->u.row.items);
  }
  return false;
}

static bool bound_eq(const parse_bound *a, const parse_bound *b) {
  return a->kind == b->kind && parse_expr_equal(a->offset, b->offset);
}

static bool window_eq(const parse_window *a, const parse_window *b) {
  if (!a || !b) return a == b;
  return ident_eq(&a->name, &b->name) && ident_eq(&a->ref, &b->ref) && a->parens == b->parens &&
         exprs_eq(&a->partition_by, &b->partition_by) && sort_eq(&a->order_by, &b->order_by) &&
         a->units == b->units && a->between == b->between && a->stagger == b->stagger &&
         bound_eq(&a->start, &b->start) && bound_eq(&a->end, &b->end);
}

static bool windows_eq(const parse_list *a, const parse_list *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++)
    if (!window_eq(a->items[i], b->items[i])) return false;
  return true;
}

static bool from_eq(const parse_from *a, const parse_from *b) {
  /* a chain of joins is left-deep: compare it with a loop (see operator_eq) */
  while (a && b && a->kind == PARSE_F_JOIN && b->kind == PARSE_F_JOIN) {
    if (!ident_eq(&a->alias, &b->alias) || !idlist_eq(&a->alias_cols, &b->alias_cols) ||
        a->u.join.kind != b->u.join.kind || a->u.join.natural != b->u.join.natural ||
        a->u.join.outer_kw != b->u.join.outer_kw || a->u.join.inner_kw != b->u.join.inner_kw ||
        !from_eq(a->u.join.right, b->u.join.right) ||
        !parse_expr_equal(a->u.join.on, b->u.join.on) ||
        !idlist_eq(&a->u.join.using_, &b->u.join.using_))
      return false;
    a = a->u.join.left;
    b = b->u.join.left;
  }
  if (!a || !b) return a == b;
  if (a->kind != b->kind || !ident_eq(&a->alias, &b->alias) ||
      !idlist_eq(&a->alias_cols, &b->alias_cols))
    return false;
  switch (a->kind) {
    case PARSE_F_STREAM:
      return ident_eq(&a->u.stream.name, &b->u.stream.name) &&
             window_eq(a->u.stream.window, b->u.stream.window);
    case PARSE_F_SUBQUERY:
      return parse_query_equal(a->u.subquery.query, b->u.subquery.query);
    case PARSE_F_TABLE_FUNC:
      return parse_expr_equal(a->u.table_func.call, b->u.table_func.call);
    case PARSE_F_JOIN:
      return false; /* compared by the loop above */
  }
  return false;
}

static bool select_eq(const parse_select *a, const parse_select *b) {
  if (a->stream != b->stream || a->quantifier != b->quantifier || a->items.n != b->items.n)
    return false;
  for (int32_t i = 0; i < a->items.n; i++) {
    const parse_select_item *x = a->items.items[i], *y = b->items.items[i];
    if (!ident_eq(&x->alias, &y->alias) || !parse_expr_equal(x->expr, y->expr)) return false;
  }
  return from_eq(a->from, b->from) && parse_expr_equal(a->where, b->where) &&
         exprs_eq(&a->group_by, &b->group_by) && window_eq(a->stagger, b->stagger) &&
         parse_expr_equal(a->having, b->having) && windows_eq(&a->windows, &b->windows);
}

bool parse_query_equal(const parse_query *a, const parse_query *b) {
  /* q1 UNION q2 UNION ... is left-deep: compare it with a loop (see operator_eq) */
  while (a && b && a->kind == PARSE_Q_SETOP && b->kind == PARSE_Q_SETOP) {
    if (!sort_eq(&a->order_by, &b->order_by) || !parse_expr_equal(a->within, b->within) ||
        a->u.setop.op != b->u.setop.op || a->u.setop.all != b->u.setop.all ||
        !parse_query_equal(a->u.setop.right, b->u.setop.right))
      return false;
    a = a->u.setop.left;
    b = b->u.setop.left;
  }
  if (!a || !b) return a == b;
  if (a->kind != b->kind || !sort_eq(&a->order_by, &b->order_by) ||
      !parse_expr_equal(a->within, b->within))
    return false;
  switch (a->kind) {
    case PARSE_Q_SELECT:
      return select_eq(&a->u.select, &b->u.select);
    case PARSE_Q_SETOP:
      return false; /* compared by the loop above */
    case PARSE_Q_VALUES: {
      if (a->u.values.rows.n != b->u.values.rows.n) return false;
      for (int32_t i = 0; i < a->u.values.rows.n; i++)
        if (!exprs_eq(a->u.values.rows.items[i], b->u.values.rows.items[i])) return false;
      return true;
    }
  }
  return false;
}

static bool insert_eq(const parse_insert *a, const parse_insert *b) {
  if (!a || !b) return a == b;
  return a->expedited == b->expedited && ident_eq(&a->target, &b->target) &&
         idlist_eq(&a->columns, &b->columns) && parse_query_equal(a->query, b->query);
}

static bool coldefs_eq(const parse_list *a, const parse_list *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++) {
    const parse_column_def *x = a->items[i], *y = b->items[i];
    if (!ident_eq(&x->name, &y->name) || !type_eq(x->type, y->type)) return false;
  }
  return true;
}

static bool format_eq(const parse_format *a, const parse_format *b) {
  return a->kind == b->kind && str_eq(a->row_path, b->row_path) &&
         str_eq(a->row_delimiter, b->row_delimiter) &&
         str_eq(a->column_delimiter, b->column_delimiter);
}

static bool incols_eq(const parse_list *a, const parse_list *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++) {
    const parse_input_column *x = a->items[i], *y = b->items[i];
    if (!ident_eq(&x->name, &y->name) || !type_eq(x->type, y->type) || !str_eq(x->path, y->path))
      return false;
  }
  return true;
}

bool parse_stmt_equal(const parse_stmt *a, const parse_stmt *b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case PARSE_S_CREATE_STREAM:
      return a->u.create_stream.or_replace == b->u.create_stream.or_replace &&
             ident_eq(&a->u.create_stream.name, &b->u.create_stream.name) &&
             coldefs_eq(&a->u.create_stream.columns, &b->u.create_stream.columns) &&
             str_eq(a->u.create_stream.description, b->u.create_stream.description);
    case PARSE_S_CREATE_PUMP:
      return a->u.create_pump.or_replace == b->u.create_pump.or_replace &&
             a->u.create_pump.stopped == b->u.create_pump.stopped &&
             ident_eq(&a->u.create_pump.name, &b->u.create_pump.name) &&
             str_eq(a->u.create_pump.description, b->u.create_pump.description) &&
             insert_eq(a->u.create_pump.insert, b->u.create_pump.insert);
    case PARSE_S_INSERT:
      return insert_eq(a->u.insert, b->u.insert);
    case PARSE_S_CREATE_FUNCTION: {
      const typeof(a->u.create_function) *x = &a->u.create_function, *y = &b->u.create_function;
      return x->or_replace == y->or_replace && ident_eq(&x->name, &y->name) &&
             coldefs_eq(&x->params, &y->params) && type_eq(x->returns, y->returns) &&
             x->language_sql == y->language_sql && x->contains_sql == y->contains_sql &&
             x->reads_sql_data == y->reads_sql_data &&
             x->modifies_sql_data == y->modifies_sql_data && x->deterministic == y->deterministic &&
             x->null_call == y->null_call && ident_eq(&x->specific, &y->specific) &&
             parse_expr_equal(x->body, y->body);
    }
    case PARSE_S_QUERY:
      return parse_query_equal(a->u.query, b->u.query);
    case PARSE_S_CREATE_INPUT: {
      const typeof(a->u.create_input) *x = &a->u.create_input, *y = &b->u.create_input;
      return x->or_replace == y->or_replace && ident_eq(&x->name_prefix, &y->name_prefix) &&
             ident_eq(&x->source, &y->source) && x->parallelism == y->parallelism &&
             format_eq(&x->format, &y->format) && incols_eq(&x->columns, &y->columns) &&
             x->start == y->start && x->start_ms == y->start_ms;
    }
    case PARSE_S_CREATE_OUTPUT:
      return a->u.create_output.or_replace == b->u.create_output.or_replace &&
             ident_eq(&a->u.create_output.name, &b->u.create_output.name) &&
             ident_eq(&a->u.create_output.from, &b->u.create_output.from) &&
             ident_eq(&a->u.create_output.target, &b->u.create_output.target) &&
             format_eq(&a->u.create_output.format, &b->u.create_output.format);
    case PARSE_S_CREATE_REFERENCE_TABLE:
      return a->u.create_reference_table.or_replace == b->u.create_reference_table.or_replace &&
             ident_eq(&a->u.create_reference_table.name, &b->u.create_reference_table.name) &&
             str_eq(a->u.create_reference_table.file, b->u.create_reference_table.file) &&
             format_eq(&a->u.create_reference_table.format, &b->u.create_reference_table.format) &&
             incols_eq(&a->u.create_reference_table.columns, &b->u.create_reference_table.columns);
    case PARSE_S_EXPLAIN:
      return parse_stmt_equal(a->u.explain.stmt, b->u.explain.stmt);
  }
  return false;
}

/*
 * print.c — AST -> canonical SQL text.
 *
 * Canonical form: keywords in upper case, one space between words, AS before
 * every alias, identifiers quoted only when they are not regular upper-case
 * identifiers or are keywords, the fewest parentheses that keep the tree
 * (or every operator parenthesised with PARSE_PRINT_PARENS). Parsing the
 * printed text gives an AST equal to the original (parse_*_equal); the unit
 * tests check that on the whole corpus.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/build.h"

typedef struct sb {
  char *p;
  size_t n, cap;
  bool oom;
} sb;

static void sb_grow(sb *b, size_t need) {
  if (b->oom || b->n + need + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->n + need + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->oom = true;
    return;
  }
  b->p = p;
  b->cap = cap;
}

static void put(sb *b, const char *s, size_t n) {
  sb_grow(b, n);
  if (b->oom) return;
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void puts_(sb *b, const char *s) {
  put(b, s, strlen(s));
}

static void putf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(sb *b, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) put(b, tmp, (size_t)(n < (int)sizeof tmp ? n : (int)sizeof tmp - 1));
}

static char *sb_finish(sb *b, core_arena *arena) {
  char *out = NULL;
  if (!b->oom) out = core_arena_strndup(arena, b->p ? b->p : "", b->n);
  free(b->p);
  return out;
}

/* ---------------------------------------------------------- names -- */

bool parse_ident_needs_quotes(const char *name) {
  if (!name || !*name) return true;
  if (!((name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_')) return true;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')) return true;
  if (strlen(name) > PARSE_MAX_IDENT) return true;
  /* FIRST and LAST are not keywords, but `) FROM LAST OVER` reads as NTH_VALUE's
   * FROM LAST (see parse.c): quoting keeps a stream of that name unambiguous */
  if (!strcmp(name, "FIRST") || !strcmp(name, "LAST")) return true;
  return parse_is_keyword(name, strlen(name), NULL);
}

static void put_quoted_name(sb *b, const char *name) {
  put(b, "\"", 1);
  for (const char *p = name; *p; p++) {
    if (*p == '"') put(b, "\"", 1);
    put(b, p, 1);
  }
  put(b, "\"", 1);
}

static void put_name(sb *b, const char *name) {
  if (parse_ident_needs_quotes(name))
    put_quoted_name(b, name ? name : "");
  else
    puts_(b, name);
}

char *parse_quote_ident(core_arena *arena, const char *name) {
  sb b = {0};
  put_name(&b, name);
  return sb_finish(&b, arena);
}

static void put_ident(sb *b, const parse_ident *id) {
  put_name(b, id->name);
}

/* A column path part or an alias: ROWTIME may be written bare. */
static void put_colpart(sb *b, const parse_ident *id) {
  if (id->name && !strcmp(id->name, "ROWTIME"))
    puts_(b, "ROWTIME");
  else
    put_ident(b, id);
}

static void put_idlist(sb *b, const parse_ident_list *l) {
  put(b, "(", 1);
  for (int32_t i = 0; i < l->n; i++) {
    if (i) puts_(b, ", ");
    put_ident(b, &l->items[i]);
  }
  put(b, ")", 1);
}

/* --------------------------------------------------------- literals -- */

/* A string literal; control characters make it a U&'...' literal unless
 * plain_only (the text of DATE/TIME/TIMESTAMP/INTERVAL literals, which the
 * lexer reads as a plain '...' only: control characters stay as they are). */
static void put_string_lit(sb *b, const char *s, size_t n, bool plain_only) {
  bool plain = true;
  for (size_t i = 0; i < n && !plain_only; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) plain = false;
  if (plain) {
    put(b, "'", 1);
    for (size_t i = 0; i < n; i++) {
      if (s[i] == '\'') put(b, "'", 1);
      put(b, s + i, 1);
    }
    put(b, "'", 1);
    return;
  }
  puts_(b, "U&'");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7F)
      putf(b, "\\%04X", c);
    else if (c == '\\')
      puts_(b, "\\\\");
    else if (c == '\'')
      puts_(b, "''");
    else
      put(b, s + i, 1);
  }
  put(b, "'", 1);
}

static void put_string(sb *b, const char *s, size_t n) {
  put_string_lit(b, s, n, false);
}

static const char *unit_name(int u) {
  static const char *names[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
  return (u >= 0 && u <= CORE_IU_SECOND) ? names[u] : "?";
}

static void put_qualifier(sb *b, core_type t) {
  puts_(b, unit_name(t.start));
  if (!t.end) {
    if (t.precision > 0) {
      if (t.start == CORE_IU_SECOND && t.scale >= 0)
        putf(b, "(%d, %d)", t.precision, t.scale);
      else
        putf(b, "(%d)", t.precision);
    }
    return;
  }
  if (t.precision > 0) putf(b, "(%d)", t.precision);
  puts_(b, " TO ");
  puts_(b, unit_name(t.end));
  if (t.end == CORE_IU_SECOND && t.scale >= 0) putf(b, "(%d)", t.scale);
}

static void put_type(sb *b, core_type t) {
  switch ((core_type_id)t.id) {
    case CORE_T_BOOLEAN:
      puts_(b, "BOOLEAN");
      break;
    case CORE_T_TINYINT:
      puts_(b, "TINYINT");
      break;
    case CORE_T_SMALLINT:
      puts_(b, "SMALLINT");
      break;
    case CORE_T_INTEGER:
      puts_(b, "INTEGER");
      break;
    case CORE_T_BIGINT:
      puts_(b, "BIGINT");
      break;
    case CORE_T_DECIMAL:
      putf(b, "DECIMAL(%d, %d)", t.precision, t.scale);
      break;
    case CORE_T_REAL:
      puts_(b, "REAL");
      break;
    case CORE_T_DOUBLE:
      puts_(b, "DOUBLE");
      break;
    case CORE_T_CHAR:
      putf(b, "CHAR(%d)", t.precision);
      break;
    case CORE_T_VARCHAR:
      if (t.precision > 0)
        putf(b, "VARCHAR(%d)", t.precision);
      else
        puts_(b, "VARCHAR");
      break;
    case CORE_T_BINARY:
      putf(b, "BINARY(%d)", t.precision);
      break;
    case CORE_T_VARBINARY:
      if (t.precision > 0)
        putf(b, "VARBINARY(%d)", t.precision);
      else
        puts_(b, "VARBINARY");
      break;
    case CORE_T_DATE:
      puts_(b, "DATE");
      break;
    case CORE_T_TIME:
      puts_(b, "TIME");
      break;
    case CORE_T_TIMESTAMP:
      puts_(b, "TIMESTAMP");
      break;
    case CORE_T_INTERVAL_YM:
    case CORE_T_INTERVAL_DT:
      puts_(b, "INTERVAL ");
      put_qualifier(b, t);
      break;
    default:
      puts_(b, "?");
      break;
  }
}

static void put_literal(sb *b, const parse_literal *l) {
  switch (l->kind) {
    case PARSE_L_NULL:
      puts_(b, "NULL");
      break;
    case PARSE_L_BOOLEAN:
      puts_(b, l->value.u.b ? "TRUE" : "FALSE");
      break;
    case PARSE_L_UNKNOWN:
      puts_(b, "UNKNOWN");
      break;
    case PARSE_L_INTEGER:
    case PARSE_L_DECIMAL:
    case PARSE_L_APPROX:
      put(b, l->text, l->text_len);
      break;
    case PARSE_L_STRING:
      put_string(b, l->text, l->text_len);
      break;
    case PARSE_L_BINARY:
      puts_(b, "X'");
      put(b, l->text, l->text_len);
      puts_(b, "'");
      break;
    case PARSE_L_DATE:
      puts_(b, "DATE ");
      put_string_lit(b, l->text, l->text_len, true);
      break;
    case PARSE_L_TIME:
      puts_(b, "TIME ");
      put_string_lit(b, l->text, l->text_len, true);
      break;
    case PARSE_L_TIMESTAMP:
      puts_(b, "TIMESTAMP ");
      put_string_lit(b, l->text, l->text_len, true);
      break;
    case PARSE_L_INTERVAL:
      puts_(b, "INTERVAL ");
      if (l->negative) put(b, "-", 1);
      put_string_lit(b, l->text, l->text_len, true);
      put(b, " ", 1);
      put_qualifier(b, l->value.type);
      break;
  }
}

/* ------------------------------------------------------ expressions -- */

enum {
  P_OR = 10,
  P_AND = 20,
  P_IS = 30, /* NOT binds tighter than IS (spec 2.2): see grammar.y */
  P_NOT = 40,
  P_CMP = 50,
  P_PERIOD = 55,
  P_PRED = 60,
  P_CONCAT = 70,
  P_ADD = 80,
  P_MUL = 90,
  P_UNARY = 100,
  P_PRIMARY = 110,
};

static int op_prec(parse_op op) {
  switch (op) {
    case PARSE_OP_OR:
      return P_OR;
    case PARSE_OP_AND:
      return P_AND;
    case PARSE_OP_NOT:
      return P_NOT;
    case PARSE_OP_IS_DISTINCT:
    case PARSE_OP_IS_NOT_DISTINCT:
      return P_IS;
    case PARSE_OP_EQ:
    case PARSE_OP_NE:
    case PARSE_OP_LT:
    case PARSE_OP_LE:
    case PARSE_OP_GT:
    case PARSE_OP_GE:
      return P_CMP;
    case PARSE_OP_CONCAT:
      return P_CONCAT;
    case PARSE_OP_ADD:
    case PARSE_OP_SUB:
      return P_ADD;
    case PARSE_OP_MUL:
    case PARSE_OP_DIV:
    case PARSE_OP_MOD:
      return P_MUL;
    case PARSE_OP_NEG:
    case PARSE_OP_PLUS:
      return P_UNARY;
    case PARSE_OP_NONE:
      break;
  }
  return P_PRIMARY;
}

const char *parse_op_text(parse_op op) {
  switch (op) {
    case PARSE_OP_OR:
      return "OR";
    case PARSE_OP_AND:
      return "AND";
    case PARSE_OP_NOT:
      return "NOT";
    case PARSE_OP_EQ:
      return "=";
    case PARSE_OP_NE:
      return "<>";
    case PARSE_OP_LT:
      return "<";
    case PARSE_OP_LE:
      return "<=";
    case PARSE_OP_GT:
      return ">";
    case PARSE_OP_GE:
      return ">=";
    case PARSE_OP_IS_DISTINCT:
      return "IS DISTINCT FROM";
    case PARSE_OP_IS_NOT_DISTINCT:
      return "IS NOT DISTINCT FROM";
    case PARSE_OP_CONCAT:
      return "||";
    case PARSE_OP_ADD:
      return "+";
    case PARSE_OP_SUB:
      return "-";
    case PARSE_OP_MUL:
      return "*";
    case PARSE_OP_DIV:
      return "/";
    case PARSE_OP_MOD:
      return "%";
    case PARSE_OP_NEG:
      return "-";
    case PARSE_OP_PLUS:
      return "+";
    case PARSE_OP_NONE:
      break;
  }
  return "?";
}

static int expr_prec(const parse_expr *e) {
  switch (e->kind) {
    case PARSE_E_BINARY:
      return op_prec(e->u.binary.op);
    case PARSE_E_UNARY:
      return op_prec(e->u.unary.op);
    case PARSE_E_IS:
      return P_IS;
    case PARSE_E_PERIOD_PRED:
      return P_PERIOD;
    case PARSE_E_BETWEEN:
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
    case PARSE_E_LIKE:
      return P_PRED;
    default:
      return P_PRIMARY;
  }
}

/* The precedence an operand must have to be printed without parentheses in
 * its place under parent (the levels of grammar.y's precedence lines). */
static int operand_prec(const parse_expr *parent, const parse_expr *operand) {
  int prec = expr_prec(parent);
  switch (parent->kind) {
    case PARSE_E_UNARY:
      return parent->u.unary.op == PARSE_OP_NOT ? P_NOT : P_UNARY;
    case PARSE_E_BINARY:
      if (operand != parent->u.binary.left) return prec + 1;
      return prec == P_CMP ? P_CMP + 1 : prec;
    case PARSE_E_IS:
      return P_IS;
    case PARSE_E_BETWEEN:
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
    case PARSE_E_LIKE:
      return P_PRED + 1;
    case PARSE_E_PERIOD_PRED:
      return P_PERIOD + 1;
    default:
      return 0;
  }
}

bool parse_operand_needs_parens(const parse_expr *parent, const parse_expr *operand) {
  return operand && expr_prec(operand) < operand_prec(parent, operand);
}

typedef struct printer {
  sb b;
  int flags;
} printer;

static void pr_expr(printer *p, const parse_expr *e, int minprec);
static void pr_query(printer *p, const parse_query *q);
static void pr_window_body(printer *p, const parse_window *w);

static void pr_exprlist(printer *p, const parse_list *l) {
  for (int32_t i = 0; i < l->n; i++) {
    if (i) puts_(&p->b, ", ");
    pr_expr(p, l->items[i], 0);
  }
}

static void pr_sortlist(printer *p, const parse_list *l) {
  for (int32_t i = 0; i < l->n; i++) {
    const parse_order_item *o = l->items[i];
    if (i) puts_(&p->b, ", ");
    pr_expr(p, o->expr, 0);
    if (o->dir == PARSE_SORT_ASC)
      puts_(&p->b, " ASC");
    else if (o->dir == PARSE_SORT_DESC)
      puts_(&p->b, " DESC");
  }
}

static void pr_call_name(printer *p, const parse_expr *e) {
  const char *name = e->u.call.name.name;
  if (e->u.call.form != PARSE_CALL_PLAIN) {
    puts_(&p->b, name);
    return;
  }
  /* a call named PERIOD must stay quoted: bare PERIOD(a, b) is a period row */
  bool bare = name && !parse_ident_needs_quotes(name) && strcmp(name, "PERIOD") != 0;
  if (!bare && name && *name) {
    /* keywords that the grammar accepts as function names stay bare */
    bool regular = (name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_';
    for (const char *c = name; *c && regular; c++)
      regular = (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
    bare = regular && parse_keyword_callable(name) && strcmp(name, "PERIOD") != 0;
  }
  if (bare)
    puts_(&p->b, name);
  else
    put_quoted_name(&p->b, name ? name : "");
}

static void pr_call(printer *p, const parse_expr *e) {
  sb *b = &p->b;
  const parse_list *a = &e->u.call.args;
  pr_call_name(p, e);
  switch (e->u.call.form) {
    case PARSE_CALL_NO_PARENS:
      return;
    case PARSE_CALL_EXTRACT:
      putf(b, "(%s FROM ", unit_name(e->u.call.unit));
      pr_expr(p, a->items[0], 0);
      puts_(b, ")");
      return;
    case PARSE_CALL_TO_UNIT:
      puts_(b, "(");
      pr_expr(p, a->items[0], 0);
      putf(b, " TO %s)", unit_name(e->u.call.unit));
      return;
    case PARSE_CALL_STEP:
      puts_(b, "(");
      pr_expr(p, a->items[0], 0);
      puts_(b, " BY ");
      pr_expr(p, a->items[1], 0);
      puts_(b, ")");
      return;
    case PARSE_CALL_POSITION:
      puts_(b, "(");
      pr_expr(p, a->items[0], P_PRED + 1);
      puts_(b, " IN ");
      pr_expr(p, a->items[1], P_PRED + 1);
      puts_(b, ")");
      return;
    case PARSE_CALL_FROM_FOR:
      puts_(b, "(");
      pr_expr(p, a->items[0], 0);
      puts_(b, " FROM ");
      pr_expr(p, a->items[1], 0);
      if (a->n > 2) {
        puts_(b, " FOR ");
        pr_expr(p, a->items[2], 0);
      }
      puts_(b, ")");
      return;
    case PARSE_CALL_OVERLAY:
      puts_(b, "(");
      pr_expr(p, a->items[0], 0);
      puts_(b, " PLACING ");
      pr_expr(p, a->items[1], 0);
      puts_(b, " FROM ");
      pr_expr(p, a->items[2], 0);
      if (a->n > 3) {
        puts_(b, " FOR ");
        pr_expr(p, a->items[3], 0);
      }
      puts_(b, ")");
      return;
    case PARSE_CALL_TRIM:
      puts_(b, e->u.call.trim == PARSE_TRIM_LEADING    ? "(LEADING "
               : e->u.call.trim == PARSE_TRIM_TRAILING ? "(TRAILING "
                                                       : "(BOTH ");
      if (a->n > 1) {
        pr_expr(p, a->items[1], 0);
        puts_(b, " ");
      }
      puts_(b, "FROM ");
      pr_expr(p, a->items[0], 0);
      puts_(b, ")");
      return;
    case PARSE_CALL_PLAIN:
      break;
  }
  puts_(b, "(");
  if (e->u.call.star)
    puts_(b, "*");
  else {
    if (e->u.call.quantifier == PARSE_Q_ALL)
      puts_(b, "ALL ");
    else if (e->u.call.quantifier == PARSE_Q_DISTINCT)
      puts_(b, "DISTINCT ");
    pr_exprlist(p, a);
  }
  puts_(b, ")");
  if (e->u.call.nth_from == PARSE_NTH_FIRST)
    puts_(b, " FROM FIRST");
  else if (e->u.call.nth_from == PARSE_NTH_LAST)
    puts_(b, " FROM LAST");
  if (e->u.call.nulls == PARSE_NULLS_IGNORE)
    puts_(b, " IGNORE NULLS");
  else if (e->u.call.nulls == PARSE_NULLS_RESPECT)
    puts_(b, " RESPECT NULLS");
  if (e->u.call.over) {
    const parse_window *w = e->u.call.over;
    puts_(b, " OVER ");
    if (!w->parens)
      put_ident(b, &w->ref);
    else {
      puts_(b, "(");
      pr_window_body(p, w);
      puts_(b, ")");
    }
  }
}

static const char *period_op_text(parse_period_op op) {
  switch (op) {
    case PARSE_PP_OVERLAPS:
      return "OVERLAPS";
    case PARSE_PP_EQUALS:
      return "EQUALS";
    case PARSE_PP_CONTAINS:
      return "CONTAINS";
    case PARSE_PP_PRECEDES:
      return "PRECEDES";
    case PARSE_PP_SUCCEEDS:
      return "SUCCEEDS";
    case PARSE_PP_LEADS:
      return "LEADS";
    case PARSE_PP_LAGS:
      return "LAGS";
  }
  return "?";
}

/* Prints an expression whose kind has no left operand (see pr_expr). */
static void pr_leaf(printer *p, const parse_expr *e, int minprec) {
  sb *b = &p->b;
  if (!e) {
    puts_(b, "?");
    return;
  }
  int prec = expr_prec(e);
  bool parens = prec < minprec || ((p->flags & PARSE_PRINT_PARENS) && prec < P_PRIMARY);
  if (parens) puts_(b, "(");
  switch (e->kind) {
    case PARSE_E_BINARY:
    case PARSE_E_IS:
    case PARSE_E_BETWEEN:
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
    case PARSE_E_LIKE:
    case PARSE_E_PERIOD_PRED:
      break; /* operator nodes: pr_expr prints them */
    case PARSE_E_LITERAL:
      put_literal(b, &e->u.lit);
      break;
    case PARSE_E_COLUMN:
    case PARSE_E_STAR:
      for (int32_t i = 0; i < e->u.column.parts.n; i++) {
        if (i) puts_(b, ".");
        put_colpart(b, e->u.column.parts.items[i]);
      }
      if (e->kind == PARSE_E_STAR) puts_(b, e->u.column.parts.n ? ".*" : "*");
      break;
    case PARSE_E_UNARY:
      if (e->u.unary.op == PARSE_OP_NOT) {
        puts_(b, "NOT ");
        pr_expr(p, e->u.unary.arg, P_NOT);
      } else {
        puts_(b, parse_op_text(e->u.unary.op));
        /* `- -x`: never let two signs make a `--` comment (a space rather than
         * parentheses, which would add nesting) */
        const parse_expr *a = e->u.unary.arg;
        if (a && a->kind == PARSE_E_UNARY && a->u.unary.op == PARSE_OP_NEG &&
            e->u.unary.op == PARSE_OP_NEG && !(p->flags & PARSE_PRINT_PARENS))
          puts_(b, " ");
        pr_expr(p, a, P_UNARY);
      }
      break;
    case PARSE_E_CASE:
      puts_(b, "CASE");
      if (e->u.case_.operand) {
        puts_(b, " ");
        pr_expr(p, e->u.case_.operand, 0);
      }
      for (int32_t i = 0; i < e->u.case_.whens.n; i++) {
        const parse_when *w = e->u.case_.whens.items[i];
        puts_(b, " WHEN ");
        pr_expr(p, w->when, 0);
        puts_(b, " THEN ");
        pr_expr(p, w->then, 0);
      }
      if (e->u.case_.else_) {
        puts_(b, " ELSE ");
        pr_expr(p, e->u.case_.else_, 0);
      }
      puts_(b, " END");
      break;
    case PARSE_E_CAST:
      puts_(b, "CAST(");
      pr_expr(p, e->u.cast.arg, 0);
      puts_(b, " AS ");
      put_type(b, e->u.cast.type);
      puts_(b, ")");
      break;
    case PARSE_E_CALL:
      pr_call(p, e);
      break;
    case PARSE_E_DATETIME_DIFF:
      puts_(b, "(");
      pr_expr(p, e->u.diff.left, P_ADD);
      puts_(b, " - ");
      pr_expr(p, e->u.diff.right, P_ADD + 1);
      puts_(b, ") ");
      put_qualifier(b, e->u.diff.qualifier);
      break;
    case PARSE_E_SUBQUERY:
      puts_(b, "(");
      pr_query(p, e->u.subquery.query);
      puts_(b, ")");
      break;
    case PARSE_E_EXISTS:
      puts_(b, "EXISTS (");
      pr_query(p, e->u.subquery.query);
      puts_(b, ")");
      break;
    case PARSE_E_CURSOR:
      puts_(b, "CURSOR(");
      pr_query(p, e->u.subquery.query);
      puts_(b, ")");
      break;
    case PARSE_E_ROW:
      if (e->u.row.period_kw)
        puts_(b, "PERIOD");
      else if (e->u.row.row_kw || e->u.row.items.n < 2)
        puts_(b, "ROW");
      puts_(b, "(");
      pr_exprlist(p, &e->u.row.items);
      puts_(b, ")");
      break;
  }
  if (parens) puts_(b, ")");
}

/*
 * The operand that an operator node prints first (its left operand), and the
 * precedence that operand must have to go without parentheses; NULL for nodes
 * that do not start with an operand.
 */
static bool left_operand(const parse_expr *e, int prec, const parse_expr **left, int *minprec) {
  switch (e->kind) {
    case PARSE_E_BINARY:
      *left = e->u.binary.left;
      *minprec = prec == P_CMP ? P_CMP + 1 : prec;
      return true;
    case PARSE_E_IS:
      *left = e->u.is.arg;
      *minprec = P_IS;
      return true;
    case PARSE_E_BETWEEN:
      *left = e->u.between.arg;
      *minprec = P_PRED + 1;
      return true;
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
      *left = e->u.in.arg;
      *minprec = P_PRED + 1;
      return true;
    case PARSE_E_LIKE:
      *left = e->u.like.arg;
      *minprec = P_PRED + 1;
      return true;
    case PARSE_E_PERIOD_PRED:
      *left = e->u.period.left;
      *minprec = P_PERIOD + 1;
      return true;
    default:
      return false;
  }
}

/* Prints what follows the left operand of an operator node. */
static void pr_rest(printer *p, const parse_expr *e) {
  sb *b = &p->b;
  switch (e->kind) {
    case PARSE_E_BINARY: {
      int prec = expr_prec(e);
      putf(b, " %s ", parse_op_text(e->u.binary.op));
      pr_expr(p, e->u.binary.right, prec + 1);
      break;
    }
    case PARSE_E_IS: {
      static const char *what[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
      putf(b, " IS %s%s", e->u.is.negated ? "NOT " : "", what[e->u.is.what]);
      break;
    }
    case PARSE_E_BETWEEN:
      puts_(b, e->u.between.negated ? " NOT BETWEEN " : " BETWEEN ");
      if (e->u.between.symmetric)
        puts_(b, "SYMMETRIC ");
      else if (e->u.between.asymmetric_kw)
        puts_(b, "ASYMMETRIC ");
      pr_expr(p, e->u.between.low, P_PRED + 1);
      puts_(b, " AND ");
      pr_expr(p, e->u.between.high, P_PRED + 1);
      break;
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
      puts_(b, e->u.in.negated ? " NOT IN (" : " IN (");
      if (e->kind == PARSE_E_IN_LIST)
        pr_exprlist(p, &e->u.in.list);
      else
        pr_query(p, e->u.in.query);
      puts_(b, ")");
      break;
    case PARSE_E_LIKE:
      if (e->u.like.negated) puts_(b, " NOT");
      puts_(b, e->u.like.similar ? " SIMILAR TO " : " LIKE ");
      pr_expr(p, e->u.like.pattern, P_PRED + 1);
      if (e->u.like.escape) {
        puts_(b, " ESCAPE ");
        pr_expr(p, e->u.like.escape, P_PRED + 1);
      }
      break;
    case PARSE_E_PERIOD_PRED:
      puts_(b, " ");
      if (e->u.period.strictly) puts_(b, "STRICTLY ");
      if (e->u.period.immediately) puts_(b, "IMMEDIATELY ");
      puts_(b, period_op_text(e->u.period.op));
      puts_(b, " ");
      pr_expr(p, e->u.period.right, P_PERIOD + 1);
      break;
    default:
      break;
  }
}

/*
 * Left-deep chains such as `a + a + ... + a` or `x IN (1) IN (2) ...` are built
 * by left-recursive rules that do not grow the parser's stack, so their length
 * is bounded only by the text. The printer walks the chain of left operands
 * with a loop and recurses only into the other operands, whose nesting the
 * parser's 1000-entry stack bounds: the recursion depth never depends on the
 * length of a chain.
 */
typedef struct spine_frame {
  const parse_expr *e;
  bool parens;
} spine_frame;

static void pr_expr(printer *p, const parse_expr *e, int minprec) {
  sb *b = &p->b;
  spine_frame local[16], *st = local;
  size_t n = 0, cap = sizeof local / sizeof local[0];
  const parse_expr *left;
  int leftprec;
  while (e && left_operand(e, expr_prec(e), &left, &leftprec)) {
    int prec = expr_prec(e);
    bool parens = prec < minprec || ((p->flags & PARSE_PRINT_PARENS) && prec < P_PRIMARY);
    if (n == cap) {
      spine_frame *bigger = malloc(sizeof *st * cap * 2);
      if (!bigger) {
        b->oom = true;
        break;
      }
      memcpy(bigger, st, sizeof *st * n);
      if (st != local) free(st);
      st = bigger;
      cap *= 2;
    }
    st[n].e = e;
    st[n++].parens = parens;
    if (parens) puts_(b, "(");
    e = left;
    minprec = leftprec;
  }
  if (!b->oom) {
    pr_leaf(p, e, minprec);
    while (n > 0) {
      n--;
      pr_rest(p, st[n].e);
      if (st[n].parens) puts_(b, ")");
    }
  }
  if (st != local) free(st);
}

/* ---------------------------------------------------------- windows -- */

static void pr_bound(printer *p, const parse_bound *bd) {
  sb *b = &p->b;
  switch (bd->kind) {
    case PARSE_BOUND_UNBOUNDED_PRECEDING:
      puts_(b, "UNBOUNDED PRECEDING");
      break;
    case PARSE_BOUND_UNBOUNDED_FOLLOWING:
      puts_(b, "UNBOUNDED FOLLOWING");
      break;
    case PARSE_BOUND_CURRENT_ROW:
      puts_(b, "CURRENT ROW");
      break;
    case PARSE_BOUND_PRECEDING:
      pr_expr(p, bd->offset, 0);
      puts_(b, " PRECEDING");
      break;
    case PARSE_BOUND_FOLLOWING:
      pr_expr(p, bd->offset, 0);
      puts_(b, " FOLLOWING");
      break;
    case PARSE_BOUND_NONE:
      break;
  }
}

static void pr_window_body(printer *p, const parse_window *w) {
  sb *b = &p->b;
  const char *sep = "";
  if (w->ref.name) {
    put_ident(b, &w->ref);
    sep = " ";
  }
  if (w->partition_by.n) {
    puts_(b, sep);
    puts_(b, "PARTITION BY ");
    pr_exprlist(p, &w->partition_by);
    sep = " ";
  }
  if (w->order_by.n) {
    puts_(b, sep);
    puts_(b, "ORDER BY ");
    pr_sortlist(p, &w->order_by);
    sep = " ";
  }
  if (w->units != PARSE_FRAME_NONE) {
    puts_(b, sep);
    puts_(b, w->units == PARSE_FRAME_ROWS ? "ROWS " : "RANGE ");
    if (w->stagger) {
      pr_expr(p, w->start.offset, 0);
    } else if (w->between) {
      puts_(b, "BETWEEN ");
      pr_bound(p, &w->start);
      puts_(b, " AND ");
      pr_bound(p, &w->end);
    } else {
      pr_bound(p, &w->start);
    }
  }
}

/* ------------------------------------------------------------- FROM -- */

static void pr_alias(printer *p, const parse_from *f) {
  if (!f->alias.name) return;
  puts_(&p->b, " AS ");
  put_ident(&p->b, &f->alias);
  if (f->alias_cols.n) put_idlist(&p->b, &f->alias_cols);
}

static void pr_from(printer *p, const parse_from *f);

/* Prints a FROM item that is not a join. */
static void pr_from_leaf(printer *p, const parse_from *f) {
  sb *b = &p->b;
  if (!f) {
    puts_(b, "?");
    return;
  }
  switch (f->kind) {
    case PARSE_F_STREAM:
      put_ident(b, &f->u.stream.name);
      if (f->u.stream.window) {
        const parse_window *w = f->u.stream.window;
        puts_(b, " OVER ");
        if (!w->parens)
          put_ident(b, &w->ref);
        else {
          puts_(b, "(");
          pr_window_body(p, w);
          puts_(b, ")");
        }
      }
      pr_alias(p, f);
      break;
    case PARSE_F_SUBQUERY:
      puts_(b, "(");
      pr_query(p, f->u.subquery.query);
      puts_(b, ")");
      pr_alias(p, f);
      break;
    case PARSE_F_TABLE_FUNC:
      puts_(b, "TABLE(");
      pr_expr(p, f->u.table_func.call, 0);
      puts_(b, ")");
      pr_alias(p, f);
      break;
    case PARSE_F_JOIN:
      break; /* pr_from prints joins */
  }
}

/* Prints what follows the left input of a join. */
static void pr_join_rest(printer *p, const parse_from *f) {
  sb *b = &p->b;
  if (f->u.join.kind == PARSE_JOIN_COMMA) {
    puts_(b, ", ");
    pr_from(p, f->u.join.right);
    return;
  }
  puts_(b, " ");
  if (f->u.join.natural) puts_(b, "NATURAL ");
  switch (f->u.join.kind) {
    case PARSE_JOIN_INNER:
      puts_(b, f->u.join.inner_kw ? "INNER JOIN " : "JOIN ");
      break;
    case PARSE_JOIN_LEFT:
      puts_(b, f->u.join.outer_kw ? "LEFT OUTER JOIN " : "LEFT JOIN ");
      break;
    case PARSE_JOIN_RIGHT:
      puts_(b, f->u.join.outer_kw ? "RIGHT OUTER JOIN " : "RIGHT JOIN ");
      break;
    case PARSE_JOIN_FULL:
      puts_(b, f->u.join.outer_kw ? "FULL OUTER JOIN " : "FULL JOIN ");
      break;
    case PARSE_JOIN_CROSS:
      puts_(b, "CROSS JOIN ");
      break;
    case PARSE_JOIN_COMMA:
      break;
  }
  pr_from(p, f->u.join.right);
  if (f->u.join.on) {
    puts_(b, " ON ");
    pr_expr(p, f->u.join.on, 0);
  } else if (f->u.join.using_.n) {
    puts_(b, " USING ");
    put_idlist(b, &f->u.join.using_);
  }
}

/* FROM a, b JOIN c ... is a left-deep chain of joins (see pr_expr): the
 * left inputs are walked with a loop. */
static void pr_from(printer *p, const parse_from *f) {
  sb *b = &p->b;
  const parse_from *local[16], **st = local;
  size_t n = 0, cap = sizeof local / sizeof local[0];
  while (f && f->kind == PARSE_F_JOIN) {
    if (n == cap) {
      const parse_from **bigger = malloc(sizeof *st * cap * 2);
      if (!bigger) {
        b->oom = true;
        break;
      }
      memcpy(bigger, st, sizeof *st * n);
      if (st != local) free(st);
      st = bigger;
      cap *= 2;
    }
    st[n++] = f;
    f = f->u.join.left;
  }
  if (!b->oom) {
    pr_from_leaf(p, f);
    while (n > 0) pr_join_rest(p, st[--n]);
  }
  if (st != local) free(st);
}

/* ---------------------------------------------------------- queries -- */

static int setop_prec(const parse_query *q) {
  if (q->kind != PARSE_Q_SETOP) return 3;
  return q->u.setop.op == PARSE_SET_INTERSECT ? 2 : 1;
}

static void pr_query_operand(printer *p, const parse_query *q, bool parens) {
  if (parens) puts_(&p->b, "(");
  pr_query(p, q);
  if (parens) puts_(&p->b, ")");
}

static void pr_select(printer *p, const parse_select *s) {
  sb *b = &p->b;
  puts_(b, "SELECT ");
  if (s->stream) puts_(b, "STREAM ");
  if (s->quantifier == PARSE_Q_ALL)
    puts_(b, "ALL ");
  else if (s->quantifier == PARSE_Q_DISTINCT)
    puts_(b, "DISTINCT ");
  for (int32_t i = 0; i < s->items.n; i++) {
    const parse_select_item *it = s->items.items[i];
    if (i) puts_(b, ", ");
    pr_expr(p, it->expr, 0);
    if (it->alias.name) {
      puts_(b, " AS ");
      put_colpart(b, &it->alias);
    }
  }
  puts_(b, " FROM ");
  pr_from(p, s->from);
  if (s->where) {
    puts_(b, " WHERE ");
    pr_expr(p, s->where, 0);
  }
  if (s->group_by.n) {
    puts_(b, " GROUP BY ");
    pr_exprlist(p, &s->group_by);
  }
  if (s->stagger) {
    puts_(b, " WINDOWED BY STAGGER (");
    pr_window_body(p, s->stagger);
    puts_(b, ")");
  }
  if (s->having) {
    puts_(b, " HAVING ");
    pr_expr(p, s->having, 0);
  }
  for (int32_t i = 0; i < s->windows.n; i++) {
    const parse_window *w = s->windows.items[i];
    puts_(b, i ? ", " : " WINDOW ");
    put_ident(b, &w->name);
    puts_(b, " AS (");
    pr_window_body(p, w);
    puts_(b, ")");
  }
}

static void pr_order_by(printer *p, const parse_query *q) {
  sb *b = &p->b;
  if (q->order_by.n) {
    puts_(b, " ORDER BY ");
    pr_sortlist(p, &q->order_by);
    if (q->within) {
      puts_(b, " WITHIN ");
      pr_expr(p, q->within, 0);
    }
  }
}

/* A chain q1 UNION q2 UNION ... is left-deep, like an operator chain in an
 * expression (see pr_expr): its left operands are walked with a loop. */
typedef struct setop_frame {
  const parse_query *q;
  bool left_parens;
} setop_frame;

static void pr_query(printer *p, const parse_query *q) {
  sb *b = &p->b;
  setop_frame local[16], *st = local;
  size_t n = 0, cap = sizeof local / sizeof local[0];
  while (q && q->kind == PARSE_Q_SETOP && q->u.setop.left) {
    const parse_query *l = q->u.setop.left;
    bool parens = setop_prec(l) < setop_prec(q) || l->order_by.n > 0;
    if (n == cap) {
      setop_frame *bigger = malloc(sizeof *st * cap * 2);
      if (!bigger) {
        b->oom = true;
        break;
      }
      memcpy(bigger, st, sizeof *st * n);
      if (st != local) free(st);
      st = bigger;
      cap *= 2;
    }
    st[n].q = q;
    st[n++].left_parens = parens;
    q = l;
  }
  for (size_t i = n; i > 0; i--)
    if (st[i - 1].left_parens) puts_(b, "(");
  if (b->oom) {
    /* nothing: the result is discarded */
  } else if (!q || q->kind == PARSE_Q_SETOP) {
    puts_(b, "?");
  } else {
    if (q->kind == PARSE_Q_SELECT) {
      pr_select(p, &q->u.select);
    } else {
      puts_(b, "VALUES ");
      for (int32_t i = 0; i < q->u.values.rows.n; i++) {
        if (i) puts_(b, ", ");
        puts_(b, "(");
        pr_exprlist(p, q->u.values.rows.items[i]);
        puts_(b, ")");
      }
    }
    pr_order_by(p, q);
    while (n > 0) {
      const parse_query *s = st[--n].q, *r = s->u.setop.right;
      if (st[n].left_parens) puts_(b, ")");
      puts_(b, s->u.setop.op == PARSE_SET_UNION       ? " UNION "
               : s->u.setop.op == PARSE_SET_INTERSECT ? " INTERSECT "
                                                      : " EXCEPT ");
      if (s->u.setop.all) puts_(b, "ALL ");
      pr_query_operand(p, r, r && (setop_prec(r) <= setop_prec(s) || r->order_by.n > 0));
      pr_order_by(p, s);
    }
  }
  if (st != local) free(st);
}

/* ------------------------------------------------------- statements -- */

static void pr_insert(printer *p, const parse_insert *i) {
  sb *b = &p->b;
  puts_(b, "INSERT ");
  if (i->expedited) puts_(b, "EXPEDITED ");
  puts_(b, "INTO ");
  put_ident(b, &i->target);
  if (i->columns.n) {
    puts_(b, " ");
    put_idlist(b, &i->columns);
  }
  puts_(b, " ");
  pr_query(p, i->query);
}

static void put_delimiter(sb *b, const char *s) {
  sb tmp = {0};
  for (const char *c = s; *c; c++) {
    if (*c == '\n')
      puts_(&tmp, "\\n");
    else if (*c == '\r')
      puts_(&tmp, "\\r");
    else if (*c == '\t')
      puts_(&tmp, "\\t");
    else if (*c == '\\')
      puts_(&tmp, "\\\\");
    else
      put(&tmp, c, 1);
  }
  put_string(b, tmp.p ? tmp.p : "", tmp.n);
  free(tmp.p);
}

static void pr_format(printer *p, const parse_format *f) {
  sb *b = &p->b;
  puts_(b, f->kind == PARSE_FORMAT_JSON ? " FORMAT JSON" : " FORMAT CSV");
  if (f->row_path) {
    puts_(b, " ROW PATH ");
    put_string(b, f->row_path, strlen(f->row_path));
  }
  if (f->row_delimiter) {
    puts_(b, " ROW DELIMITER ");
    put_delimiter(b, f->row_delimiter);
  }
  if (f->column_delimiter) {
    puts_(b, " COLUMN DELIMITER ");
    put_delimiter(b, f->column_delimiter);
  }
}

static void pr_input_columns(printer *p, const parse_list *cols) {
  sb *b = &p->b;
  puts_(b, " COLUMNS (");
  for (int32_t i = 0; i < cols->n; i++) {
    const parse_input_column *c = cols->items[i];
    if (i) puts_(b, ", ");
    put_ident(b, &c->name);
    puts_(b, " ");
    put_type(b, c->type);
    if (c->path) {
      puts_(b, " PATH ");
      put_string(b, c->path, strlen(c->path));
    }
  }
  puts_(b, ")");
}

static void pr_column_defs(printer *p, const parse_list *cols) {
  sb *b = &p->b;
  puts_(b, "(");
  for (int32_t i = 0; i < cols->n; i++) {
    const parse_column_def *c = cols->items[i];
    if (i) puts_(b, ", ");
    put_ident(b, &c->name);
    puts_(b, " ");
    put_type(b, c->type);
    if (c->type.not_null) puts_(b, " NOT NULL");
  }
  puts_(b, ")");
}

static void pr_stmt(printer *p, const parse_stmt *s) {
  sb *b = &p->b;
  switch (s->kind) {
    case PARSE_S_CREATE_STREAM:
      puts_(b, s->u.create_stream.or_replace ? "CREATE OR REPLACE STREAM " : "CREATE STREAM ");
      put_ident(b, &s->u.create_stream.name);
      puts_(b, " ");
      pr_column_defs(p, &s->u.create_stream.columns);
      if (s->u.create_stream.description) {
        puts_(b, " DESCRIPTION ");
        put_string(b, s->u.create_stream.description, strlen(s->u.create_stream.description));
      }
      break;
    case PARSE_S_CREATE_PUMP:
      puts_(b, s->u.create_pump.or_replace ? "CREATE OR REPLACE PUMP " : "CREATE PUMP ");
      put_ident(b, &s->u.create_pump.name);
      if (s->u.create_pump.stopped) puts_(b, " STOPPED");
      if (s->u.create_pump.description) {
        puts_(b, " DESCRIPTION ");
        put_string(b, s->u.create_pump.description, strlen(s->u.create_pump.description));
      }
      puts_(b, " AS ");
      pr_insert(p, s->u.create_pump.insert);
      break;
    case PARSE_S_INSERT:
      pr_insert(p, s->u.insert);
      break;
    case PARSE_S_CREATE_FUNCTION: {
      const typeof(s->u.create_function) *f = &s->u.create_function;
      puts_(b, f->or_replace ? "CREATE OR REPLACE FUNCTION " : "CREATE FUNCTION ");
      put_ident(b, &f->name);
      pr_column_defs(p, &f->params);
      puts_(b, " RETURNS ");
      put_type(b, f->returns);
      if (f->language_sql) puts_(b, " LANGUAGE SQL");
      if (f->specific.name) {
        puts_(b, " SPECIFIC ");
        put_ident(b, &f->specific);
      }
      if (f->deterministic == 1)
        puts_(b, " DETERMINISTIC");
      else if (f->deterministic == 0)
        puts_(b, " NOT DETERMINISTIC");
      if (f->contains_sql) puts_(b, " CONTAINS SQL");
      if (f->reads_sql_data) puts_(b, " READS SQL DATA");
      if (f->modifies_sql_data) puts_(b, " MODIFIES SQL DATA");
      if (f->null_call == 1)
        puts_(b, " RETURNS NULL ON NULL INPUT");
      else if (f->null_call == 0)
        puts_(b, " CALLED ON NULL INPUT");
      puts_(b, " RETURN ");
      pr_expr(p, f->body, 0);
      break;
    }
    case PARSE_S_QUERY:
      pr_query(p, s->u.query);
      break;
    case PARSE_S_CREATE_INPUT: {
      const typeof(s->u.create_input) *in = &s->u.create_input;
      puts_(b, in->or_replace ? "CREATE OR REPLACE INPUT " : "CREATE INPUT ");
      put_ident(b, &in->name_prefix);
      puts_(b, " FROM STREAM ");
      put_ident(b, &in->source);
      if (in->parallelism > 0) putf(b, " PARALLELISM %d", in->parallelism);
      pr_format(p, &in->format);
      pr_input_columns(p, &in->columns);
      switch (in->start) {
        case PARSE_START_DEFAULT:
          break;
        case PARSE_START_NOW:
          puts_(b, " STARTING AT NOW");
          break;
        case PARSE_START_TRIM_HORIZON:
          puts_(b, " STARTING AT TRIM_HORIZON");
          break;
        case PARSE_START_LAST_STOPPED_POINT:
          puts_(b, " STARTING AT LAST_STOPPED_POINT");
          break;
        case PARSE_START_TIMESTAMP: {
          char ts[CORE_TIMESTAMP_TEXT];
          core_timestamp_format(in->start_ms, ts);
          putf(b, " STARTING AT TIMESTAMP '%s'", ts);
          break;
        }
      }
      break;
    }
    case PARSE_S_CREATE_OUTPUT:
      puts_(b, s->u.create_output.or_replace ? "CREATE OR REPLACE OUTPUT " : "CREATE OUTPUT ");
      put_ident(b, &s->u.create_output.name);
      puts_(b, " FROM ");
      put_ident(b, &s->u.create_output.from);
      puts_(b, " TO STREAM ");
      put_ident(b, &s->u.create_output.target);
      pr_format(p, &s->u.create_output.format);
      break;
    case PARSE_S_CREATE_REFERENCE_TABLE:
      puts_(b, s->u.create_reference_table.or_replace ? "CREATE OR REPLACE REFERENCE TABLE "
                                                      : "CREATE REFERENCE TABLE ");
      put_ident(b, &s->u.create_reference_table.name);
      puts_(b, " FROM FILE ");
      put_string(b, s->u.create_reference_table.file, strlen(s->u.create_reference_table.file));
      pr_format(p, &s->u.create_reference_table.format);
      pr_input_columns(p, &s->u.create_reference_table.columns);
      break;
    case PARSE_S_EXPLAIN:
      puts_(b, "EXPLAIN ");
      pr_stmt(p, s->u.explain.stmt);
      break;
  }
}

char *parse_print_stmt(core_arena *arena, const parse_stmt *s) {
  printer p = {{0}, 0};
  pr_stmt(&p, s);
  return sb_finish(&p.b, arena);
}

char *parse_print_query(core_arena *arena, const parse_query *q) {
  printer p = {{0}, 0};
  pr_query(&p, q);
  return sb_finish(&p.b, arena);
}

char *parse_print_expr(core_arena *arena, const parse_expr *e, int flags) {
  printer p = {{0}, flags};
  pr_expr(&p, e, 0);
  return sb_finish(&p.b, arena);
}

char *parse_print_type(core_arena *arena, core_type t) {
  sb b = {0};
  put_type(&b, t);
  return sb_finish(&b, arena);
}

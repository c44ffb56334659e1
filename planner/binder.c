/*
 * binder.c — resolves names and types of a parsed statement into the bound
 * tree of planner.h. Names: the parser has folded unquoted identifiers to
 * upper case, so every lookup here is an exact comparison (spec 1.1). Rules
 * that are about the dialect's streaming semantics live in validate.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "planner/bind.h"

/* ------------------------------------------------------------- helpers -- */

int bind_fail(binder *b, parse_loc loc, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  core_error_setv(b->err, code, fmt, ap);
  va_end(ap);
  core_error_at(b->err, loc.off);
  return code;
}

int bind_oom(binder *b) {
  return core_error_set(b->err, SLUICE_NOMEM, "out of memory");
}

const char *bind_expr_text(binder *b, const parse_expr *e) {
  const char *s = parse_print_expr(b->ctx->arena, e, 0);
  return s ? s : "?";
}

static void *zalloc(binder *b, size_t n) {
  return core_arena_zalloc(b->ctx->arena, n ? n : 1);
}

#define NEW(b, T) ((T *)zalloc((b), sizeof(T)))
#define NEWN(b, T, n) ((T *)zalloc((b), sizeof(T) * (size_t)(n)))

static core_type mk_type(core_type_id id, int32_t p, int32_t s) {
  core_type t;
  memset(&t, 0, sizeof t);
  t.id = (uint8_t)id;
  t.precision = p;
  t.scale = s;
  return t;
}

static const char *tstr(binder *b, core_type t) {
  return plan_type_str(b->ctx->arena, t);
}

static plan_expr *new_expr(binder *b, plan_expr_kind kind, const parse_expr *src) {
  plan_expr *e = NEW(b, plan_expr);
  if (e) {
    e->kind = kind;
    e->src = src;
  }
  return e;
}

static bool is_bool_or_null(core_type t) {
  return t.id == CORE_T_BOOLEAN || t.id == CORE_T_NULL;
}

/* Adds a catalog relation name to the statement's sources (unique). */
static int add_source(binder *b, const char *name) {
  for (int i = 0; i < b->nsources; i++)
    if (strcmp(b->sources[i], name) == 0) return SLUICE_OK;
  if (b->nsources == b->capsources) {
    int cap = b->capsources ? 2 * b->capsources : 8;
    const char **v = NEWN(b, const char *, cap);
    if (!v) return bind_oom(b);
    if (b->nsources) memcpy(v, b->sources, sizeof *v * (size_t)b->nsources);
    b->sources = v;
    b->capsources = cap;
  }
  b->sources[b->nsources++] = name;
  return SLUICE_OK;
}

/* A hint when a name exists in another case (quoted names are exact). */
static void case_hint_relation(binder *b, const char *name) {
  catalog_relation **rels;
  size_t n;
  core_error e2;
  core_arena *a = b->ctx->arena;
  if (catalog_relation_list(b->ctx->cat, b->ctx->app, a, &rels, &n, &e2) != SLUICE_OK) return;
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(rels[i]->name, name) == 0) {
      core_error_hint(b->err,
                      "A relation named \"%s\" exists. Quoted names are case-sensitive; unquoted "
                      "names are folded to upper case.",
                      rels[i]->name);
      return;
    }
}

/* --------------------------------------------------------- equality -- */

static bool values_equal(const core_value *a, const core_value *b) {
  if (a->is_null != b->is_null || a->type.id != b->type.id) return false;
  if (a->is_null) return true;
  switch (a->type.id) {
    case CORE_T_BOOLEAN:
      return a->u.b == b->u.b;
    case CORE_T_REAL:
    case CORE_T_DOUBLE:
      return a->u.d == b->u.d;
    case CORE_T_DECIMAL:
      return a->u.dec == b->u.dec && a->type.scale == b->type.scale;
    case CORE_T_CHAR:
    case CORE_T_VARCHAR:
    case CORE_T_BINARY:
    case CORE_T_VARBINARY:
      return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
    default:
      return a->u.i == b->u.i;
  }
}

static bool list_equal(plan_expr *const *a, plan_expr *const *b, int n) {
  for (int i = 0; i < n; i++)
    if (!bind_expr_equal(a[i], b[i])) return false;
  return true;
}

bool bind_expr_equal(const plan_expr *a, const plan_expr *b) {
  if (a == b) return true;
  if (!a || !b || a->kind != b->kind) return false;
  switch (a->kind) {
    case PLAN_E_LITERAL:
      return values_equal(&a->u.value, &b->u.value);
    case PLAN_E_COLUMN:
      return a->u.column.rel == b->u.column.rel && a->u.column.index == b->u.column.index &&
             a->u.column.level == b->u.column.level;
    case PLAN_E_ROWTIME:
      return a->u.rowtime.level == b->u.rowtime.level &&
             (a->u.rowtime.rel == b->u.rowtime.rel || !a->u.rowtime.rel || !b->u.rowtime.rel);
    case PLAN_E_PARAM:
      return a->u.param.index == b->u.param.index;
    case PLAN_E_UNARY:
      return a->u.unary.op == b->u.unary.op && bind_expr_equal(a->u.unary.arg, b->u.unary.arg);
    case PLAN_E_BINARY:
      return a->u.binary.op == b->u.binary.op &&
             bind_expr_equal(a->u.binary.left, b->u.binary.left) &&
             bind_expr_equal(a->u.binary.right, b->u.binary.right);
    case PLAN_E_IS:
      return a->u.is.what == b->u.is.what && a->u.is.negated == b->u.is.negated &&
             bind_expr_equal(a->u.is.arg, b->u.is.arg);
    case PLAN_E_CAST:
      return a->type.id == b->type.id && a->type.precision == b->type.precision &&
             a->type.scale == b->type.scale && bind_expr_equal(a->u.cast.arg, b->u.cast.arg);
    case PLAN_E_CALL:
    case PLAN_E_UDF:
    case PLAN_E_AGG:
      return a->u.call.fn == b->u.call.fn && a->u.call.udf == b->u.call.udf &&
             a->u.call.nargs == b->u.call.nargs && a->u.call.unit == b->u.call.unit &&
             a->u.call.form == b->u.call.form && a->u.call.distinct == b->u.call.distinct &&
             a->u.call.star == b->u.call.star &&
             list_equal(a->u.call.args, b->u.call.args, a->u.call.nargs);
    case PLAN_E_DATETIME_DIFF:
      return a->type.start == b->type.start && a->type.end == b->type.end &&
             bind_expr_equal(a->u.diff.left, b->u.diff.left) &&
             bind_expr_equal(a->u.diff.right, b->u.diff.right);
    case PLAN_E_FIELD:
      return a->u.field.index == b->u.field.index &&
             bind_expr_equal(a->u.field.arg, b->u.field.arg);
    case PLAN_E_CASE:
      return a->u.case_.n == b->u.case_.n &&
             bind_expr_equal(a->u.case_.operand, b->u.case_.operand) &&
             list_equal(a->u.case_.whens, b->u.case_.whens, a->u.case_.n) &&
             list_equal(a->u.case_.thens, b->u.case_.thens, a->u.case_.n) &&
             bind_expr_equal(a->u.case_.else_, b->u.case_.else_);
    default:
      /* Other kinds are compared by their source text. */
      return a->src && b->src && parse_expr_equal(a->src, b->src);
  }
}

static bool any_list(plan_expr *const *v, int n, bool (*fn)(const plan_expr *, void *), void *arg) {
  for (int i = 0; i < n; i++)
    if (bind_expr_any(v[i], fn, arg)) return true;
  return false;
}

bool bind_expr_any(const plan_expr *e, bool (*fn)(const plan_expr *e, void *arg), void *arg) {
  if (!e) return false;
  if (fn(e, arg)) return true;
  switch (e->kind) {
    case PLAN_E_UNARY:
      return bind_expr_any(e->u.unary.arg, fn, arg);
    case PLAN_E_BINARY:
      return bind_expr_any(e->u.binary.left, fn, arg) || bind_expr_any(e->u.binary.right, fn, arg);
    case PLAN_E_IS:
      return bind_expr_any(e->u.is.arg, fn, arg);
    case PLAN_E_BETWEEN:
      return bind_expr_any(e->u.between.arg, fn, arg) || bind_expr_any(e->u.between.low, fn, arg) ||
             bind_expr_any(e->u.between.high, fn, arg);
    case PLAN_E_IN_LIST:
    case PLAN_E_IN_QUERY:
      return bind_expr_any(e->u.in.arg, fn, arg) || any_list(e->u.in.list, e->u.in.n, fn, arg);
    case PLAN_E_LIKE:
      return bind_expr_any(e->u.like.arg, fn, arg) || bind_expr_any(e->u.like.pattern, fn, arg) ||
             bind_expr_any(e->u.like.escape, fn, arg);
    case PLAN_E_CASE:
      return bind_expr_any(e->u.case_.operand, fn, arg) ||
             any_list(e->u.case_.whens, e->u.case_.n, fn, arg) ||
             any_list(e->u.case_.thens, e->u.case_.n, fn, arg) ||
             bind_expr_any(e->u.case_.else_, fn, arg);
    case PLAN_E_CAST:
      return bind_expr_any(e->u.cast.arg, fn, arg);
    case PLAN_E_CALL:
    case PLAN_E_UDF:
    case PLAN_E_AGG:
    case PLAN_E_WINDOWED:
      return any_list(e->u.call.args, e->u.call.nargs, fn, arg);
    case PLAN_E_DATETIME_DIFF:
      return bind_expr_any(e->u.diff.left, fn, arg) || bind_expr_any(e->u.diff.right, fn, arg);
    case PLAN_E_ROW:
      return any_list(e->u.row.items, e->u.row.n, fn, arg);
    case PLAN_E_FIELD:
      return bind_expr_any(e->u.field.arg, fn, arg);
    case PLAN_E_PERIOD_PRED:
      return bind_expr_any(e->u.period.left, fn, arg) || bind_expr_any(e->u.period.right, fn, arg);
    default:
      return false;
  }
}

/* ------------------------------------------------------- declarations -- */

static int bind_expr(binder *b, bind_scope *s, const parse_expr *e, plan_expr **out);
static int bind_query(binder *b, bind_scope *outer, const parse_query *q, plan_query **out);
static int bind_window(binder *b, bind_scope *s, const parse_window *w, plan_window **out);

/* ------------------------------------------------------ monotonicity -- */

/* Sign of a numeric literal (possibly negated); 2 if not a literal. */
int bind_const_sign(const plan_expr *e) {
  if (e->kind == PLAN_E_UNARY && e->u.unary.op == PARSE_OP_NEG) {
    int s = bind_const_sign(e->u.unary.arg);
    return s == 2 ? 2 : -s;
  }
  if (e->kind != PLAN_E_LITERAL || e->u.value.is_null) return 2;
  const core_value *v = &e->u.value;
  switch (v->type.id) {
    case CORE_T_TINYINT:
    case CORE_T_SMALLINT:
    case CORE_T_INTEGER:
    case CORE_T_BIGINT:
    case CORE_T_INTERVAL_DT:
    case CORE_T_INTERVAL_YM:
      return v->u.i > 0 ? 1 : v->u.i < 0 ? -1 : 0;
    case CORE_T_DECIMAL:
      return v->u.dec > 0 ? 1 : v->u.dec < 0 ? -1 : 0;
    case CORE_T_REAL:
    case CORE_T_DOUBLE:
      return v->u.d > 0 ? 1 : v->u.d < 0 ? -1 : 0;
    default:
      return 2;
  }
}

static void derive_binary_mono(plan_expr *e) {
  plan_expr *l = e->u.binary.left, *r = e->u.binary.right;
  plan_mono ml = (plan_mono)l->mono, mr = (plan_mono)r->mono;
  switch (e->u.binary.op) {
    case PARSE_OP_ADD:
      e->mono = plan_mono_add(ml, mr);
      break;
    case PARSE_OP_SUB:
      e->mono = plan_mono_sub(ml, mr);
      break;
    case PARSE_OP_MUL:
      if (mr == PLAN_MONO_CONST && bind_const_sign(r) != 2)
        e->mono = plan_mono_scale(ml, bind_const_sign(r));
      else if (ml == PLAN_MONO_CONST && bind_const_sign(l) != 2)
        e->mono = plan_mono_scale(mr, bind_const_sign(l));
      else
        e->mono = ml == PLAN_MONO_CONST && mr == PLAN_MONO_CONST ? PLAN_MONO_CONST : PLAN_MONO_NONE;
      break;
    case PARSE_OP_DIV:
      /* m / c keeps (c > 0) or reverses (c < 0) the direction; c / m is not derived */
      if (mr == PLAN_MONO_CONST && bind_const_sign(r) != 2 && bind_const_sign(r) != 0)
        e->mono = plan_mono_scale(ml, bind_const_sign(r));
      else
        e->mono = ml == PLAN_MONO_CONST && mr == PLAN_MONO_CONST ? PLAN_MONO_CONST : PLAN_MONO_NONE;
      break;
    default:
      e->mono = ml == PLAN_MONO_CONST && mr == PLAN_MONO_CONST ? PLAN_MONO_CONST : PLAN_MONO_NONE;
  }
}

/* ------------------------------------------------------ name lookup -- */

/* Index of the column called name in r; -1 if none, -2 if several columns of r
 * have that name (a subquery's `SELECT a.x, b.x`). */
static int find_column(const plan_rel *r, const char *name) {
  int k = -1;
  for (int i = 0; i < r->ncolumns; i++)
    if (strcmp(r->columns[i].name, name) == 0) {
      if (k >= 0) return -2;
      k = i;
    }
  return k;
}

static plan_rel *find_leaf(bind_scope *s, const char *alias) {
  for (int i = 0; i < s->nleaves; i++)
    if (s->leaves[i]->alias && strcmp(s->leaves[i]->alias, alias) == 0) return s->leaves[i];
  return NULL;
}

static bool is_merged(const bind_scope *s, const char *name) {
  for (int i = 0; i < s->nmerged; i++)
    if (strcmp(s->merged[i], name) == 0) return true;
  return false;
}

/* Collects the USING / NATURAL columns of every join under r into s->merged. */
static int scope_merged(binder *b, const plan_rel *r, bind_scope *s) {
  if (r->kind != PLAN_R_JOIN) return SLUICE_OK;
  int rc = scope_merged(b, r->join.left, s);
  if (!rc) rc = scope_merged(b, r->join.right, s);
  if (rc || r->join.nusing == 0) return rc;
  const char **v = NEWN(b, const char *, s->nmerged + r->join.nusing);
  if (!v) return bind_oom(b);
  if (s->nmerged) memcpy(v, s->merged, sizeof *v * (size_t)s->nmerged);
  for (int i = 0; i < r->join.nusing; i++) v[s->nmerged + i] = r->join.using_[i];
  s->merged = v;
  s->nmerged += r->join.nusing;
  return SLUICE_OK;
}

static bool any_stream_leaf(bind_scope *s) {
  for (int i = 0; i < s->nleaves; i++)
    if (s->leaves[i]->is_stream) return true;
  return false;
}

static int make_column_ref(binder *b, const parse_expr *src, plan_rel *rel, int index, int level,
                           plan_expr **out) {
  plan_expr *e = new_expr(b, PLAN_E_COLUMN, src);
  if (!e) return bind_oom(b);
  e->u.column.rel = rel;
  e->u.column.index = index;
  e->u.column.level = level;
  const plan_column *c = &rel->columns[index];
  e->type = c->type;
  e->mono = level == 0 ? c->mono : PLAN_MONO_CONST; /* an outer column is fixed per row */
  e->fields = c->fields;
  e->nfields = c->nfields;
  *out = e;
  return SLUICE_OK;
}

static int make_rowtime(binder *b, const parse_expr *src, plan_rel *rel, int level,
                        plan_expr **out) {
  plan_expr *e = new_expr(b, PLAN_E_ROWTIME, src);
  if (!e) return bind_oom(b);
  e->u.rowtime.rel = rel;
  e->u.rowtime.level = level;
  e->type = mk_type(CORE_T_TIMESTAMP, 0, 0);
  e->type.not_null = 1;
  e->mono = level == 0 ? PLAN_MONO_ASC : PLAN_MONO_CONST;
  e->rowtime_based = true;
  *out = e;
  return SLUICE_OK;
}

static int make_field(binder *b, const parse_expr *src, plan_expr *row, const parse_ident *name,
                      plan_expr **out) {
  if (!row->fields) {
    return bind_fail(b, name->loc, SLUICE_SEMANTIC, "%s is not a row: it has no field \"%s\"",
                     bind_expr_text(b, src), name->name);
  }
  for (int i = 0; i < row->nfields; i++)
    if (strcmp(row->fields[i].name, name->name) == 0) {
      plan_expr *e = new_expr(b, PLAN_E_FIELD, src);
      if (!e) return bind_oom(b);
      e->u.field.arg = row;
      e->u.field.index = i;
      e->type = row->fields[i].type;
      e->fields = row->fields[i].fields;
      e->nfields = row->fields[i].nfields;
      *out = e;
      return SLUICE_OK;
    }
  return bind_fail(b, name->loc, SLUICE_SEMANTIC, "field \"%s\" not found in row", name->name);
}

/* Case-insensitive match of a column name in scope, for the hint. */
static void case_hint_column(binder *b, bind_scope *s, const char *name) {
  for (bind_scope *sc = s; sc; sc = sc->outer)
    for (int i = 0; i < sc->nleaves; i++)
      for (int j = 0; j < sc->leaves[i]->ncolumns; j++)
        if (strcasecmp(sc->leaves[i]->columns[j].name, name) == 0) {
          core_error_hint(b->err,
                          "A column named \"%s\" exists. Quoted names are case-sensitive; "
                          "unquoted names are folded to upper case.",
                          sc->leaves[i]->columns[j].name);
          return;
        }
}

static int bind_column(binder *b, bind_scope *s, const parse_expr *e, plan_expr **out) {
  const parse_list *parts = &e->u.column.parts;
  const parse_ident *p0 = parts->items[0];
  int level = 0;
  for (bind_scope *sc = s; sc; sc = sc->outer, level++) {
    /* CREATE FUNCTION body: parameters */
    if (sc->params && parts->n == 1) {
      for (int i = 0; i < sc->params->n; i++) {
        const parse_column_def *d = sc->params->items[i];
        if (strcmp(d->name.name, p0->name) == 0) {
          plan_expr *x = new_expr(b, PLAN_E_PARAM, e);
          if (!x) return bind_oom(b);
          x->u.param.index = i;
          x->type = d->type;
          x->mono = PLAN_MONO_NONE;
          *out = x;
          return SLUICE_OK;
        }
      }
    }
    if (parts->n == 1) {
      if (strcmp(p0->name, "ROWTIME") == 0 && any_stream_leaf(sc)) {
        /* unqualified ROWTIME: the current (output) row's time */
        if (sc->nleaves == 1) return make_rowtime(b, e, sc->leaves[0], level, out);
        return make_rowtime(b, e, NULL, level, out);
      }
      plan_rel *found = NULL;
      int index = -1;
      for (int i = 0; i < sc->nleaves; i++) {
        int k = find_column(sc->leaves[i], p0->name);
        if (k == -1) continue;
        if (found && k >= 0 && is_merged(sc, p0->name)) continue; /* USING: the left column */
        if (found || k == -2)
          return bind_fail(b, p0->loc, SLUICE_SEMANTIC, "column \"%s\" is ambiguous", p0->name);
        found = sc->leaves[i];
        index = k;
      }
      if (found) return make_column_ref(b, e, found, index, level, out);
      continue;
    }
    /* qualified: alias.column[.field...] or column.field... */
    plan_rel *rel = find_leaf(sc, p0->name);
    if (rel) {
      const parse_ident *p1 = parts->items[1];
      plan_expr *x;
      int rc;
      if (strcmp(p1->name, "ROWTIME") == 0 && find_column(rel, "ROWTIME") < 0) {
        if (!rel->is_stream)
          return bind_fail(b, p1->loc, SLUICE_SEMANTIC,
                           "relation \"%s\" is not a stream: it has no ROWTIME", p0->name);
        rc = make_rowtime(b, e, rel, level, &x);
      } else {
        int k = find_column(rel, p1->name);
        if (k == -2)
          return bind_fail(b, p1->loc, SLUICE_SEMANTIC, "column \"%s\" is ambiguous", p1->name);
        if (k < 0) {
          bind_fail(b, p1->loc, SLUICE_SEMANTIC, "column \"%s\" not found in table \"%s\"",
                    p1->name, p0->name);
          case_hint_column(b, s, p1->name);
          return SLUICE_SEMANTIC;
        }
        rc = make_column_ref(b, e, rel, k, level, &x);
      }
      for (int i = 2; rc == SLUICE_OK && i < parts->n; i++)
        rc = make_field(b, e, x, parts->items[i], &x);
      if (rc == SLUICE_OK) *out = x;
      return rc;
    }
    /* a row-valued column followed by field names */
    for (int i = 0; i < sc->nleaves; i++) {
      int k = find_column(sc->leaves[i], p0->name);
      if (k < 0 || !sc->leaves[i]->columns[k].fields) continue;
      plan_expr *x;
      int rc = make_column_ref(b, e, sc->leaves[i], k, level, &x);
      for (int j = 1; rc == SLUICE_OK && j < parts->n; j++)
        rc = make_field(b, e, x, parts->items[j], &x);
      if (rc == SLUICE_OK) *out = x;
      return rc;
    }
  }
  if (parts->n == 1) {
    if (strcmp(p0->name, "ROWTIME") == 0)
      return bind_fail(b, p0->loc, SLUICE_SEMANTIC,
                       "ROWTIME is not available: the FROM clause has no stream");
    bind_fail(b, p0->loc, SLUICE_SEMANTIC, "column \"%s\" not found in any table", p0->name);
    case_hint_column(b, s, p0->name);
    return SLUICE_SEMANTIC;
  }
  return bind_fail(b, p0->loc, SLUICE_SEMANTIC, "table \"%s\" not found in the FROM clause",
                   p0->name);
}

/* ---------------------------------------------------- function calls -- */

static const char *signature_text(binder *b, const char *name, plan_expr **args, int n, bool star) {
  size_t cap = 64 + (size_t)n * 40 + strlen(name);
  char *buf = core_arena_alloc(b->ctx->arena, cap);
  if (!buf) return name;
  size_t len = (size_t)snprintf(buf, cap, "%s(", name);
  if (star) len += (size_t)snprintf(buf + len, cap - len, "*");
  for (int i = 0; i < n && len < cap; i++) {
    char t[64];
    core_type_format(args[i]->type, t, sizeof t);
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", t);
  }
  snprintf(buf + len, cap - len, ")");
  return buf;
}

static int no_match(binder *b, const parse_expr *e, plan_expr **args, int n) {
  const parse_ident *name = &e->u.call.name;
  bind_fail(b, e->loc, SLUICE_SEMANTIC, "no match found for function signature %s",
            signature_text(b, name->name, args, n, e->u.call.star));
  return SLUICE_SEMANTIC;
}

/* Column specs of the log parsers: 'NAME TYPE type [NOT NULL] [START n [FOR m]] [\'fmt\'], ...'.
 * Each type is parsed by the SQL parser through a CREATE STREAM text. */
static int parse_column_specs(binder *b, const parse_expr *where, const char *spec,
                              plan_column **out, int *n) {
  int cap = 8, cnt = 0;
  plan_column *cols = NEWN(b, plan_column, cap);
  if (!cols) return bind_oom(b);
  const char *p = spec;
  while (*p) {
    /* one item up to a comma outside parentheses and quotes */
    const char *start = p;
    int depth = 0;
    bool q = false;
    while (*p && (depth > 0 || q || *p != ',')) {
      if (*p == '\'') q = !q;
      if (!q && *p == '(') depth++;
      if (!q && *p == ')') depth--;
      p++;
    }
    size_t len = (size_t)(p - start);
    if (*p == ',') p++;
    char *item = core_arena_strndup(b->ctx->arena, start, len);
    if (!item) return bind_oom(b);
    /* cut optional clauses after the type */
    char *type_kw = strstr(item, " TYPE ");
    if (!type_kw) type_kw = strcasestr(item, " type ");
    if (!type_kw)
      return bind_fail(b, where->loc, SLUICE_SEMANTIC,
                       "invalid column specification \"%s\": expected name TYPE type", item);
    *type_kw = 0;
    char *tt = type_kw + 6;
    static const char *const stops[] = {" NOT NULL", " START ",   " FOR ",
                                        "'",         " not null", " start "};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
      char *cut = strstr(tt, stops[i]);
      if (cut) *cut = 0;
    }
    char *sql = core_arena_printf(b->ctx->arena, "CREATE STREAM X (%s %s)", item, tt);
    parse_stmt *st;
    core_error e2;
    if (!sql) return bind_oom(b);
    if (parse_statement(b->ctx->arena, sql, strlen(sql), &st, &e2) != SLUICE_OK ||
        st->kind != PARSE_S_CREATE_STREAM || st->u.create_stream.columns.n != 1)
      return bind_fail(b, where->loc, SLUICE_SEMANTIC, "invalid column specification \"%s %s\"",
                       item, tt);
    const parse_column_def *d = st->u.create_stream.columns.items[0];
    if (cnt == cap) {
      plan_column *bigger = NEWN(b, plan_column, cap * 2);
      if (!bigger) return bind_oom(b);
      memcpy(bigger, cols, sizeof *cols * (size_t)cnt);
      cols = bigger;
      cap *= 2;
    }
    cols[cnt].name = d->name.name;
    cols[cnt].type = d->type;
    cols[cnt].type.not_null = 0;
    if (cols[cnt].type.id == CORE_T_VARCHAR && cols[cnt].type.precision == 0)
      cols[cnt].type.precision = PLAN_VARCHAR_MAX;
    cnt++;
  }
  *out = cols;
  *n = cnt;
  return SLUICE_OK;
}

static int generic_columns(binder *b, int n, core_type t, plan_column **out) {
  plan_column *cols = NEWN(b, plan_column, n);
  if (!cols) return bind_oom(b);
  for (int i = 0; i < n; i++) {
    cols[i].name = core_arena_printf(b->ctx->arena, "COLUMN%d", i + 1);
    cols[i].type = t;
  }
  *out = cols;
  return SLUICE_OK;
}

/* Capture groups of a regular expression ('(' not escaped, not in a class, not '(?'). */
static int count_groups(const char *re, bool fast) {
  int n = 0;
  bool in_class = false, in_quote = false;
  for (const char *p = re; *p; p++) {
    if (*p == '\\' && p[1]) {
      p++;
      continue;
    }
    if (fast && *p == '"') in_quote = !in_quote;
    if (in_quote) continue;
    if (*p == '[') in_class = true;
    if (*p == ']') in_class = false;
    if (!in_class && *p == '(' && p[1] != '?' && !(fast && p[1] == ')')) n++;
  }
  return n;
}

static const char *literal_string(const plan_expr *e) {
  if (e->kind != PLAN_E_LITERAL || e->u.value.is_null || !core_type_is_string(e->u.value.type.id))
    return NULL;
  return e->src ? e->src->u.lit.text : NULL;
}

/* The fields of a row-valued log-parsing call. */
static int row_fields(binder *b, const parse_expr *src, const fn_def *fn, plan_expr **args,
                      int nargs, plan_expr *out) {
  core_type vc = mk_type(CORE_T_VARCHAR, 1024, 0);
  plan_column *cols = NULL;
  int n = 0, rc;
  const char *name = fn->name;
  if (strcmp(name, "SYS_LOG_PARSE") == 0) {
    if ((rc = generic_columns(b, 2, vc, &cols))) return rc;
    cols[0].type = mk_type(CORE_T_TIMESTAMP, 0, 0);
    n = 2;
  } else if (strcmp(name, "W3C_LOG_PARSE") == 0) {
    const char *fmt = literal_string(args[1]);
    if (!fmt)
      return bind_fail(b, args[1]->src->loc, SLUICE_SEMANTIC,
                       "the format of W3C_LOG_PARSE must be a string literal");
    if (strcasecmp(fmt, "COMMON") == 0)
      n = 7;
    else if (strcasecmp(fmt, "COMMON WITH VHOST") == 0)
      n = 8;
    else if (strcasecmp(fmt, "NCSA EXTENDED") == 0)
      n = 9;
    else if (strcasecmp(fmt, "REFERER") == 0)
      n = 2;
    else if (strcasecmp(fmt, "AGENT") == 0)
      n = 1;
    else if (strcasecmp(fmt, "IIS") == 0)
      n = 14; /* [IMPL] the 14 fields of the IIS log format */
    else
      for (const char *p = fmt; *p; p++)
        if (*p == '%') {
          if (p[1] == '%')
            p++;
          else
            n++;
        }
    if (n == 0)
      return bind_fail(b, args[1]->src->loc, SLUICE_SEMANTIC,
                       "W3C_LOG_PARSE format \"%s\" has no fields", fmt);
    if ((rc = generic_columns(b, n, vc, &cols))) return rc;
  } else if (strcmp(name, "REGEX_LOG_PARSE") == 0 || strcmp(name, "FAST_REGEX_LOG_PARSE") == 0) {
    const char *re = literal_string(args[1]);
    if (!re)
      return bind_fail(b, args[1]->src->loc, SLUICE_SEMANTIC,
                       "the pattern of %s must be a string literal", name);
    if (nargs == 3) {
      const char *spec = literal_string(args[2]);
      if (!spec)
        return bind_fail(b, args[2]->src->loc, SLUICE_SEMANTIC,
                         "the columns of %s must be a string literal", name);
      if ((rc = parse_column_specs(b, args[2]->src, spec, &cols, &n))) return rc;
    } else {
      n = count_groups(re, name[0] == 'F');
      if (n == 0) n = 1; /* [IMPL] no capture group: COLUMN1 holds the whole match */
      if ((rc = generic_columns(b, n, vc, &cols))) return rc;
    }
  } else if (strcmp(name, "FIXED_COLUMN_LOG_PARSE") == 0) {
    const char *spec = literal_string(args[1]);
    if (!spec)
      return bind_fail(b, args[1]->src->loc, SLUICE_SEMANTIC,
                       "the columns of %s must be a string literal", name);
    if ((rc = parse_column_specs(b, args[1]->src, spec, &cols, &n))) return rc;
  } else { /* VARIABLE_COLUMN_LOG_PARSE */
    plan_expr *a1 = args[1];
    if (a1->kind == PLAN_E_LITERAL && core_type_is_integer(a1->type.id)) {
      n = (int)a1->u.value.u.i;
      if (n < 1 || n > 1000)
        return bind_fail(b, a1->src->loc, SLUICE_SEMANTIC,
                         "the column count of %s must be between 1 and 1000", name);
      if ((rc = generic_columns(b, n, vc, &cols))) return rc;
    } else {
      const char *spec = literal_string(a1);
      if (!spec)
        return bind_fail(b, a1->src->loc, SLUICE_SEMANTIC, "the columns of %s must be a literal",
                         name);
      if ((rc = parse_column_specs(b, a1->src, spec, &cols, &n))) return rc;
    }
  }
  (void)src;
  out->type = mk_type(CORE_T_ANY, 0, 0);
  out->fields = cols;
  out->nfields = n;
  return SLUICE_OK;
}

/* Result type of a built-in scalar/aggregate/analytic call. */
static int call_result_type(binder *b, const parse_expr *e, const fn_def *fn, plan_expr *x) {
  plan_expr **args = x->u.call.args;
  int n = x->u.call.nargs;
  switch ((fn_ret)fn->ret) {
    case FN_RET_FIXED:
      x->type = fn->ret_type;
      break;
    case FN_RET_ARG0:
      x->type = n > 0 ? args[0]->type : mk_type(CORE_T_NULL, 0, 0);
      if ((strcmp(fn->name, "FLOOR") == 0 || strncmp(fn->name, "CEIL", 4) == 0) &&
          x->type.id == CORE_T_DECIMAL) {
        int p = x->type.precision - x->type.scale + 1;
        x->type.precision = p > PLAN_DECIMAL_MAX ? PLAN_DECIMAL_MAX : p;
        x->type.scale = 0;
      }
      break;
    case FN_RET_COMMON: {
      core_type t = args[0]->type;
      for (int i = 1; i < n; i++) {
        core_type u;
        if (!plan_type_common(t, args[i]->type, &u))
          return bind_fail(b, args[i]->src->loc, SLUICE_SEMANTIC,
                           "arguments of %s have incompatible types %s and %s", fn->name,
                           tstr(b, t), tstr(b, args[i]->type));
        t = u;
      }
      x->type = t;
      if (strcmp(fn->name, "COALESCE") == 0) {
        /* COALESCE is NOT NULL if any argument is */
        for (int i = 0; i < n; i++)
          if (args[i]->type.not_null) x->type.not_null = 1;
      }
      break;
    }
    case FN_RET_VARCHAR_ARG0: {
      int len = args[0]->type.precision > 0 ? args[0]->type.precision : PLAN_VARCHAR_MAX;
      x->type = mk_type(CORE_T_VARCHAR, len, 0);
      break;
    }
    case FN_RET_OVERLAY: {
      int len = args[0]->type.precision + args[1]->type.precision;
      x->type =
          mk_type(CORE_T_VARCHAR, len > PLAN_VARCHAR_MAX || len <= 0 ? PLAN_VARCHAR_MAX : len, 0);
      break;
    }
    case FN_RET_EXTRACT:
      x->type = x->u.call.unit == CORE_IU_SECOND ? mk_type(CORE_T_DECIMAL, 5, 3)
                                                 : mk_type(CORE_T_BIGINT, 0, 0);
      break;
    case FN_RET_ROW:
      return row_fields(b, e, fn, args, n, x);
    case FN_RET_TABLE:
      return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                       "table function %s can only be used in FROM TABLE(...)", fn->name);
  }
  if (fn->kind == FN_AGGREGATE && strcmp(fn->name, "COUNT") == 0)
    x->type.not_null = 1;
  else if (fn->kind != FN_SCALAR)
    x->type.not_null = 0;
  return SLUICE_OK;
}

/* Extra argument checks that one class per position cannot express. */
static int check_call_args(binder *b, const parse_expr *e, const fn_def *fn, plan_expr **args,
                           int n) {
  const char *name = fn->name;
  if (strcmp(name, "STEP") == 0) {
    core_type_id t0 = args[0]->type.id, t1 = args[1]->type.id;
    bool ok = (core_type_is_datetime(t0) && (core_type_is_interval(t1) || t1 == CORE_T_NULL)) ||
              (core_type_is_numeric(t0) && (core_type_is_numeric(t1) || t1 == CORE_T_NULL)) ||
              (core_type_is_interval(t0) && (core_type_is_interval(t1) || t1 == CORE_T_NULL)) ||
              t0 == CORE_T_NULL;
    if (!ok) return no_match(b, e, args, n);
  } else if (strcmp(name, "TSDIFF") == 0) {
    if (args[0]->type.id != CORE_T_NULL && args[1]->type.id != CORE_T_NULL &&
        core_type_is_integer(args[0]->type.id) != core_type_is_integer(args[1]->type.id))
      return no_match(b, e, args, n);
  } else if (strcmp(name, "NULLIF") == 0 || strcmp(name, "LAG") == 0) {
    int j = strcmp(name, "LAG") == 0 ? 2 : 1;
    if (n > j && !plan_type_comparable(args[0]->type, args[j]->type))
      return no_match(b, e, args, n);
  } else if ((strcmp(name, "FLOOR") == 0 || strncmp(name, "CEIL", 4) == 0) &&
             e->u.call.form == PARSE_CALL_TO_UNIT) {
    core_type_id t0 = args[0]->type.id;
    if (!core_type_is_datetime(t0) && !core_type_is_interval(t0) && t0 != CORE_T_NULL)
      return no_match(b, e, args, n);
  }
  return SLUICE_OK;
}

static int bind_udf_call(binder *b, bind_scope *s, const parse_expr *e, plan_expr **args, int n,
                         plan_expr **out) {
  catalog_function **fns;
  size_t nf;
  int rc = catalog_function_lookup(b->ctx->cat, b->ctx->app, e->u.call.name.name, b->ctx->arena,
                                   &fns, &nf, b->err);
  if (rc) return rc;
  (void)s;
  for (size_t i = 0; i < nf; i++) {
    if (fns[i]->nparams != n) continue;
    bool ok = true;
    for (int k = 0; k < n && ok; k++)
      ok = args[k]->type.id == CORE_T_NULL || args[k]->type.id == fns[i]->params[k].type.id;
    if (!ok) continue;
    plan_expr *x = new_expr(b, PLAN_E_UDF, e);
    if (!x) return bind_oom(b);
    x->u.call.udf = fns[i];
    x->u.call.args = args;
    x->u.call.nargs = n;
    x->type = fns[i]->returns;
    x->type.not_null = 0;
    bool all_const = true;
    for (int k = 0; k < n; k++) all_const = all_const && args[k]->mono == PLAN_MONO_CONST;
    x->mono = all_const && fns[i]->deterministic ? PLAN_MONO_CONST : PLAN_MONO_NONE;
    *out = x;
    return SLUICE_OK;
  }
  no_match(b, e, args, n);
  if (nf > 0) {
    catalog_function *f = fns[0];
    char params[512];
    size_t len = 0;
    params[0] = 0;
    for (int k = 0; k < f->nparams && len < sizeof params; k++) {
      char t[64];
      core_type_format(f->params[k].type, t, sizeof t);
      len += (size_t)snprintf(params + len, sizeof params - len, "%s%s", k ? ", " : "", t);
    }
    core_error_detail(b->err, "Arguments of user functions are never cast: %s takes (%s).", f->name,
                      params);
  }
  return SLUICE_SEMANTIC;
}

static int bind_call(binder *b, bind_scope *s, const parse_expr *e, plan_expr **out) {
  const parse_ident *name = &e->u.call.name;
  const fn_def *fn = fn_lookup(name->name);
  int n = e->u.call.args.n;
  plan_expr **args = NEWN(b, plan_expr *, n);
  if (!args) return bind_oom(b);
  bool agg_call = fn && (fn->kind == FN_AGGREGATE || fn->kind == FN_ANALYTIC);
  bool windowed = e->u.call.over != NULL;
  if (fn && fn->kind == FN_TABLE)
    return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                     "table function %s can only be used in FROM TABLE(...)", fn->name);
  if (agg_call && !windowed) {
    if (fn->kind == FN_ANALYTIC)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "%s requires an OVER clause", fn->name);
    if (s->in_agg)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "aggregate function calls cannot be nested");
    if (s->clause == CL_WHERE)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                       "aggregate expression is illegal in WHERE clause");
    if (s->clause == CL_GROUP_BY)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                       "aggregate expression is illegal in GROUP BY clause");
    if (s->clause == CL_ON)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "aggregate expression is illegal in ON clause");
    if (s->clause == CL_WINDOW || s->clause == CL_ARG)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "aggregate expression is illegal here");
  }
  if (windowed) {
    if (!agg_call)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "%s is not an aggregate or analytic function",
                       name->name);
    if (s->clause == CL_WHERE)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                       "windowed aggregate expression is illegal in WHERE clause");
    if (s->clause == CL_HAVING)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                       "windowed aggregate expression is illegal in HAVING clause");
    if (s->clause != CL_SELECT && s->clause != CL_ORDER_BY)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "windowed aggregate expression is illegal here");
    if (s->in_agg || s->in_windowed)
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "aggregate function calls cannot be nested");
  }
  bool saved = s->in_agg, saved_windowed = s->in_windowed;
  /* an aggregate inside a windowed call is over the grouped rows, not nested */
  if (agg_call && windowed) {
    s->in_windowed = true;
    s->in_agg = false;
  } else if (agg_call) {
    s->in_agg = true;
  }
  for (int i = 0; i < n; i++) {
    const parse_expr *a = e->u.call.args.items[i];
    if (a->kind == PARSE_E_CURSOR) {
      s->in_agg = saved;
      s->in_windowed = saved_windowed;
      return bind_fail(b, a->loc, SLUICE_SEMANTIC,
                       "CURSOR is only allowed as an argument of a table function");
    }
    int rc = bind_expr(b, s, a, &args[i]);
    if (rc) {
      s->in_agg = saved;
      s->in_windowed = saved_windowed;
      return rc;
    }
  }
  s->in_agg = saved;
  s->in_windowed = saved_windowed;
  if (!fn) {
    if (windowed || e->u.call.star || e->u.call.quantifier != PARSE_Q_NONE)
      return no_match(b, e, args, n);
    return bind_udf_call(b, s, e, args, n, out);
  }
  /* arity and argument classes */
  if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args) ||
      (e->u.call.star && !(fn->flags & FN_STAR)) ||
      (!e->u.call.star && n == 0 && fn->min_args == 0 && (fn->flags & FN_STAR)))
    goto mismatch;
  for (int i = 0; i < n && i < FN_MAX_ARGS; i++)
    if (!fn_arg_accepts((fn_arg)fn->args[i], args[i]->type)) goto mismatch;
  if (e->u.call.quantifier == PARSE_Q_DISTINCT && !(fn->flags & FN_DISTINCT))
    return bind_fail(b, e->loc, SLUICE_SEMANTIC, "DISTINCT is not allowed in %s", fn->name);
  if (e->u.call.nulls != PARSE_NULLS_NONE && !(fn->flags & FN_NULLS_OPTION))
    return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                     "IGNORE NULLS / RESPECT NULLS is not allowed in %s", fn->name);
  if (e->u.call.nth_from != PARSE_NTH_NONE && strcmp(fn->name, "NTH_VALUE") != 0)
    return bind_fail(b, e->loc, SLUICE_SEMANTIC, "FROM FIRST / FROM LAST is not allowed in %s",
                     fn->name);
  int rc = check_call_args(b, e, fn, args, n);
  if (rc) return rc;
  plan_expr *x = new_expr(b, agg_call ? (windowed ? PLAN_E_WINDOWED : PLAN_E_AGG) : PLAN_E_CALL, e);
  if (!x) return bind_oom(b);
  x->u.call.fn = fn;
  x->u.call.args = args;
  x->u.call.nargs = n;
  x->u.call.form = e->u.call.form;
  x->u.call.unit = e->u.call.unit;
  x->u.call.trim = e->u.call.trim;
  x->u.call.nulls = e->u.call.nulls;
  x->u.call.nth_from = e->u.call.nth_from;
  x->u.call.distinct = e->u.call.quantifier == PARSE_Q_DISTINCT;
  x->u.call.star = e->u.call.star;
  if ((rc = call_result_type(b, e, fn, x))) return rc;
  if (!agg_call) {
    bool all_nn = true;
    for (int i = 0; i < n; i++) all_nn = all_nn && args[i]->type.not_null;
    if (fn->ret != FN_RET_COMMON) x->type.not_null = all_nn && n > 0 && fn->ret != FN_RET_ROW;
  }
  /* monotonicity and ROWTIME derivation (spec 2.7) */
  bool all_const = true, rest_const = true;
  for (int i = 0; i < n; i++) {
    all_const = all_const && args[i]->mono == PLAN_MONO_CONST;
    if (i > 0) rest_const = rest_const && args[i]->mono == PLAN_MONO_CONST;
  }
  if (agg_call) {
    x->mono = PLAN_MONO_NONE;
  } else if (fn->flags & FN_MONO_ASSERT) {
    x->mono = n > 0 && args[0]->mono == PLAN_MONO_CONST ? PLAN_MONO_CONST : PLAN_MONO_ASC;
    x->rowtime_based = n > 0 && args[0]->rowtime_based;
  } else if (fn->flags & FN_MONO_ASCENDING) {
    x->mono = PLAN_MONO_ASC;
  } else if ((fn->flags & FN_MONO_PRESERVING) && n > 0 && rest_const) {
    x->mono = args[0]->mono;
    x->rowtime_based = args[0]->rowtime_based;
  } else if (strcmp(fn->name, "SUBSTRING") == 0 && x->u.call.form == PARSE_CALL_FROM_FOR &&
             n == 3 && rest_const && args[1]->kind == PLAN_E_LITERAL &&
             core_type_is_integer(args[1]->type.id) && args[1]->u.value.u.i <= 1) {
    /* SUBSTRING(m FROM 0 FOR c): a prefix keeps the order (spec 2.7) */
    x->mono = args[0]->mono == PLAN_MONO_CONST ? PLAN_MONO_CONST : args[0]->mono;
  } else if (all_const && (fn->flags & FN_DETERMINISTIC)) {
    x->mono = PLAN_MONO_CONST;
  } else if (n == 0) {
    x->mono = PLAN_MONO_CONST; /* CURRENT_TIMESTAMP etc.: fixed for the query */
  } else {
    x->mono = PLAN_MONO_NONE;
  }
  if (!agg_call && (fn->flags & FN_MONO_PRESERVING) == 0 && !(fn->flags & FN_MONO_ASSERT))
    for (int i = 0; i < n; i++) x->rowtime_based = x->rowtime_based || args[i]->rowtime_based;
  if (windowed) {
    if ((rc = bind_window(b, s, e->u.call.over, &x->u.call.window))) return rc;
    if ((rc = validate_agg_window(b, x->u.call.window))) return rc;
    s->saw_window = true;
  } else if (agg_call) {
    s->saw_agg = true;
  }
  *out = x;
  return SLUICE_OK;
mismatch:
  no_match(b, e, args, n);
  core_error_detail(b->err, "The signature of %s is %s.", fn->name, fn->signature);
  return SLUICE_SEMANTIC;
}

/* -------------------------------------------------------- expressions -- */

static int expect_bool(binder *b, plan_expr *x, const char *what) {
  if (is_bool_or_null(x->type)) return SLUICE_OK;
  return bind_fail(b, x->src->loc, SLUICE_SEMANTIC, "argument of %s must be BOOLEAN, not %s", what,
                   tstr(b, x->type));
}

static int compare_error(binder *b, parse_loc loc, core_type l, core_type r) {
  return bind_fail(b, loc, SLUICE_SEMANTIC, "cannot compare %s with %s", tstr(b, l), tstr(b, r));
}

static int bind_subquery_expr(binder *b, bind_scope *s, const parse_query *q, plan_query **out) {
  bind_clause saved = s->clause;
  int rc = bind_query(b, s, q, out);
  s->clause = saved;
  if (rc == SLUICE_OK && (*out)->streaming)
    return bind_fail(b, q->loc, SLUICE_SEMANTIC,
                     "a subquery in an expression must not be a stream");
  return rc;
}

static int bind_expr(binder *b, bind_scope *s, const parse_expr *e, plan_expr **out) {
  int rc;
  plan_expr *x;
  switch (e->kind) {
    case PARSE_E_LITERAL:
      if (!(x = new_expr(b, PLAN_E_LITERAL, e))) return bind_oom(b);
      x->u.value = e->u.lit.value;
      x->type = e->u.lit.value.type;
      x->type.not_null = !e->u.lit.value.is_null;
      if (e->u.lit.kind == PARSE_L_NULL) x->type.id = CORE_T_NULL;
      x->mono = PLAN_MONO_CONST;
      x->constant = true;
      *out = x;
      return SLUICE_OK;
    case PARSE_E_COLUMN:
      if ((rc = bind_column(b, s, e, out))) return rc;
      if ((*out)->kind == PLAN_E_ROWTIME && (*out)->u.rowtime.level == 0 && s->clause == CL_ARG &&
          !s->nleaves)
        return bind_fail(b, e->loc, SLUICE_SEMANTIC, "ROWTIME is not allowed here");
      return SLUICE_OK;
    case PARSE_E_STAR:
      return bind_fail(b, e->loc, SLUICE_SEMANTIC, "\"*\" is only allowed in a select list");
    case PARSE_E_UNARY: {
      plan_expr *a;
      if ((rc = bind_expr(b, s, e->u.unary.arg, &a))) return rc;
      if (!(x = new_expr(b, PLAN_E_UNARY, e))) return bind_oom(b);
      x->u.unary.op = e->u.unary.op;
      x->u.unary.arg = a;
      x->rowtime_based = a->rowtime_based;
      x->constant = a->constant;
      if (e->u.unary.op == PARSE_OP_NOT) {
        if ((rc = expect_bool(b, a, "NOT"))) return rc;
        x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
        x->type.not_null = a->type.not_null;
        x->mono = a->mono == PLAN_MONO_CONST ? PLAN_MONO_CONST : PLAN_MONO_NONE;
      } else {
        if (!core_type_is_numeric(a->type.id) && !core_type_is_interval(a->type.id) &&
            a->type.id != CORE_T_NULL)
          return bind_fail(b, e->loc, SLUICE_SEMANTIC, "cannot apply unary %s to %s",
                           e->u.unary.op == PARSE_OP_NEG ? "-" : "+", tstr(b, a->type));
        x->type = a->type;
        x->mono = e->u.unary.op == PARSE_OP_NEG ? plan_mono_neg((plan_mono)a->mono) : a->mono;
      }
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_BINARY: {
      plan_expr *l, *r;
      if ((rc = bind_expr(b, s, e->u.binary.left, &l))) return rc;
      if ((rc = bind_expr(b, s, e->u.binary.right, &r))) return rc;
      if (!(x = new_expr(b, PLAN_E_BINARY, e))) return bind_oom(b);
      parse_op op = e->u.binary.op;
      x->u.binary.op = op;
      x->u.binary.left = l;
      x->u.binary.right = r;
      x->rowtime_based = l->rowtime_based || r->rowtime_based;
      x->constant = l->constant && r->constant;
      switch (op) {
        case PARSE_OP_AND:
        case PARSE_OP_OR:
          if ((rc = expect_bool(b, l, op == PARSE_OP_AND ? "AND" : "OR"))) return rc;
          if ((rc = expect_bool(b, r, op == PARSE_OP_AND ? "AND" : "OR"))) return rc;
          x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
          x->type.not_null = l->type.not_null && r->type.not_null;
          break;
        case PARSE_OP_EQ:
        case PARSE_OP_NE:
        case PARSE_OP_LT:
        case PARSE_OP_LE:
        case PARSE_OP_GT:
        case PARSE_OP_GE:
        case PARSE_OP_IS_DISTINCT:
        case PARSE_OP_IS_NOT_DISTINCT:
          if (!plan_type_comparable(l->type, r->type))
            return compare_error(b, e->loc, l->type, r->type);
          x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
          x->type.not_null = (op == PARSE_OP_IS_DISTINCT || op == PARSE_OP_IS_NOT_DISTINCT) ||
                             (l->type.not_null && r->type.not_null);
          break;
        default:
          if ((rc = plan_type_binary(op, l->type, r->type, &x->type, b->err))) {
            core_error_at(b->err, e->loc.off);
            return rc;
          }
      }
      derive_binary_mono(x);
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_IS: {
      plan_expr *a;
      if ((rc = bind_expr(b, s, e->u.is.arg, &a))) return rc;
      if (e->u.is.what != PARSE_IS_NULL && (rc = expect_bool(b, a, "IS"))) return rc;
      if (!(x = new_expr(b, PLAN_E_IS, e))) return bind_oom(b);
      x->u.is.arg = a;
      x->u.is.what = e->u.is.what;
      x->u.is.negated = e->u.is.negated;
      x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
      x->type.not_null = 1;
      x->mono = a->mono == PLAN_MONO_CONST ? PLAN_MONO_CONST : PLAN_MONO_NONE;
      x->rowtime_based = a->rowtime_based;
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_BETWEEN: {
      plan_expr *a, *lo, *hi;
      if ((rc = bind_expr(b, s, e->u.between.arg, &a))) return rc;
      if ((rc = bind_expr(b, s, e->u.between.low, &lo))) return rc;
      if ((rc = bind_expr(b, s, e->u.between.high, &hi))) return rc;
      if (!plan_type_comparable(a->type, lo->type))
        return compare_error(b, e->loc, a->type, lo->type);
      if (!plan_type_comparable(a->type, hi->type))
        return compare_error(b, e->loc, a->type, hi->type);
      if (!(x = new_expr(b, PLAN_E_BETWEEN, e))) return bind_oom(b);
      x->u.between.arg = a;
      x->u.between.low = lo;
      x->u.between.high = hi;
      x->u.between.negated = e->u.between.negated;
      x->u.between.symmetric = e->u.between.symmetric;
      x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
      x->type.not_null = a->type.not_null && lo->type.not_null && hi->type.not_null;
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_IN_LIST: {
      plan_expr *a;
      if ((rc = bind_expr(b, s, e->u.in.arg, &a))) return rc;
      int n = e->u.in.list.n;
      plan_expr **list = NEWN(b, plan_expr *, n);
      if (!list) return bind_oom(b);
      for (int i = 0; i < n; i++) {
        if ((rc = bind_expr(b, s, e->u.in.list.items[i], &list[i]))) return rc;
        if (!plan_type_comparable(a->type, list[i]->type))
          return compare_error(b, list[i]->src->loc, a->type, list[i]->type);
      }
      if (!(x = new_expr(b, PLAN_E_IN_LIST, e))) return bind_oom(b);
      x->u.in.arg = a;
      x->u.in.list = list;
      x->u.in.n = n;
      x->u.in.negated = e->u.in.negated;
      x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_IN_QUERY: {
      plan_expr *a;
      plan_query *q;
      if ((rc = bind_expr(b, s, e->u.in.arg, &a))) return rc;
      if ((rc = bind_subquery_expr(b, s, e->u.in.query, &q))) return rc;
      int width = a->kind == PLAN_E_ROW ? a->u.row.n : 1;
      if (q->ncolumns != width)
        return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                         "IN: the subquery has %d columns but %d values are compared", q->ncolumns,
                         width);
      for (int i = 0; i < width; i++) {
        core_type t = a->kind == PLAN_E_ROW ? a->u.row.items[i]->type : a->type;
        if (!plan_type_comparable(t, q->columns[i].type))
          return compare_error(b, e->loc, t, q->columns[i].type);
      }
      if (!(x = new_expr(b, PLAN_E_IN_QUERY, e))) return bind_oom(b);
      x->u.in.arg = a;
      x->u.in.query = q;
      x->u.in.negated = e->u.in.negated;
      x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_LIKE: {
      plan_expr *a, *p, *esc = NULL;
      if ((rc = bind_expr(b, s, e->u.like.arg, &a))) return rc;
      if ((rc = bind_expr(b, s, e->u.like.pattern, &p))) return rc;
      if (e->u.like.escape && (rc = bind_expr(b, s, e->u.like.escape, &esc))) return rc;
      const char *what = e->u.like.similar ? "SIMILAR TO" : "LIKE";
      plan_expr *chk[3] = {a, p, esc};
      for (int i = 0; i < 3; i++)
        if (chk[i] && !core_type_is_string(chk[i]->type.id) && chk[i]->type.id != CORE_T_NULL)
          return bind_fail(b, chk[i]->src->loc, SLUICE_SEMANTIC,
                           "arguments of %s must be strings, not %s", what, tstr(b, chk[i]->type));
      if (!(x = new_expr(b, PLAN_E_LIKE, e))) return bind_oom(b);
      x->u.like.arg = a;
      x->u.like.pattern = p;
      x->u.like.escape = esc;
      x->u.like.negated = e->u.like.negated;
      x->u.like.similar = e->u.like.similar;
      x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
      x->type.not_null = a->type.not_null && p->type.not_null;
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_CASE: {
      plan_expr *operand = NULL, *else_ = NULL;
      if (e->u.case_.operand && (rc = bind_expr(b, s, e->u.case_.operand, &operand))) return rc;
      int n = e->u.case_.whens.n;
      plan_expr **whens = NEWN(b, plan_expr *, n), **thens = NEWN(b, plan_expr *, n);
      if (!whens || !thens) return bind_oom(b);
      core_type t = mk_type(CORE_T_NULL, 0, 0);
      for (int i = 0; i < n; i++) {
        const parse_when *w = e->u.case_.whens.items[i];
        if ((rc = bind_expr(b, s, w->when, &whens[i]))) return rc;
        if ((rc = bind_expr(b, s, w->then, &thens[i]))) return rc;
        if (operand) {
          if (!plan_type_comparable(operand->type, whens[i]->type))
            return compare_error(b, w->when->loc, operand->type, whens[i]->type);
        } else if ((rc = expect_bool(b, whens[i], "WHEN"))) {
          return rc;
        }
        core_type u;
        if (!plan_type_common(t, thens[i]->type, &u))
          return bind_fail(b, w->then->loc, SLUICE_SEMANTIC,
                           "CASE branches have incompatible types %s and %s", tstr(b, t),
                           tstr(b, thens[i]->type));
        t = i == 0 ? thens[i]->type : u;
      }
      if (e->u.case_.else_) {
        if ((rc = bind_expr(b, s, e->u.case_.else_, &else_))) return rc;
        core_type u;
        if (!plan_type_common(t, else_->type, &u))
          return bind_fail(b, e->u.case_.else_->loc, SLUICE_SEMANTIC,
                           "CASE branches have incompatible types %s and %s", tstr(b, t),
                           tstr(b, else_->type));
        t = u;
      } else {
        t.not_null = 0;
      }
      if (!(x = new_expr(b, PLAN_E_CASE, e))) return bind_oom(b);
      x->u.case_.operand = operand;
      x->u.case_.whens = whens;
      x->u.case_.thens = thens;
      x->u.case_.n = n;
      x->u.case_.else_ = else_;
      x->type = t;
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_CAST: {
      plan_expr *a;
      if ((rc = bind_expr(b, s, e->u.cast.arg, &a))) return rc;
      core_type to = e->u.cast.type;
      if ((to.id == CORE_T_VARCHAR || to.id == CORE_T_VARBINARY) && to.precision == 0)
        to.precision = PLAN_VARCHAR_MAX; /* [IMPL] VARCHAR without a length */
      if (a->fields || !plan_cast_allowed(a->type, to)) {
        bind_fail(b, e->loc, SLUICE_SEMANTIC, "invalid casting from %s to %s", tstr(b, a->type),
                  tstr(b, to));
        if ((a->type.id == CORE_T_TIMESTAMP && core_type_is_numeric(to.id)) ||
            (core_type_is_numeric(a->type.id) && to.id == CORE_T_TIMESTAMP))
          core_error_hint(b->err, "Use UNIX_TIMESTAMP or TO_TIMESTAMP to convert between "
                                  "timestamps and numbers.");
        return SLUICE_SEMANTIC;
      }
      if (!(x = new_expr(b, PLAN_E_CAST, e))) return bind_oom(b);
      x->u.cast.arg = a;
      x->type = to;
      x->type.not_null = a->type.not_null;
      x->rowtime_based = a->rowtime_based;
      x->constant = a->constant;
      /* order-preserving casts keep monotonicity: numeric<->numeric, datetime->TIMESTAMP/DATE */
      bool keeps = (core_type_is_numeric(a->type.id) && core_type_is_numeric(to.id)) ||
                   (core_type_is_datetime(a->type.id) &&
                    (to.id == CORE_T_TIMESTAMP || to.id == CORE_T_DATE)) ||
                   a->type.id == to.id;
      x->mono = a->mono == PLAN_MONO_CONST ? PLAN_MONO_CONST : keeps ? a->mono : PLAN_MONO_NONE;
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_CALL:
      return bind_call(b, s, e, out);
    case PARSE_E_DATETIME_DIFF: {
      plan_expr *l, *r;
      if ((rc = bind_expr(b, s, e->u.diff.left, &l))) return rc;
      if ((rc = bind_expr(b, s, e->u.diff.right, &r))) return rc;
      if (!(x = new_expr(b, PLAN_E_DATETIME_DIFF, e))) return bind_oom(b);
      if ((rc = plan_type_datetime_diff(l->type, r->type, e->u.diff.qualifier, &x->type, b->err))) {
        core_error_at(b->err, e->loc.off);
        return rc;
      }
      x->u.diff.left = l;
      x->u.diff.right = r;
      x->mono = plan_mono_sub((plan_mono)l->mono, (plan_mono)r->mono);
      x->rowtime_based = l->rowtime_based || r->rowtime_based;
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_SUBQUERY:
    case PARSE_E_EXISTS: {
      plan_query *q;
      if ((rc = bind_subquery_expr(b, s, e->u.subquery.query, &q))) return rc;
      if (!(x = new_expr(b, e->kind == PARSE_E_EXISTS ? PLAN_E_EXISTS : PLAN_E_SUBQUERY, e)))
        return bind_oom(b);
      x->u.subquery.query = q;
      if (e->kind == PARSE_E_EXISTS) {
        x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
        x->type.not_null = 1;
      } else {
        if (q->ncolumns != 1)
          return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                           "a scalar subquery must return one column, not %d", q->ncolumns);
        x->type = q->columns[0].type;
        x->type.not_null = 0;
      }
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_ROW: {
      int n = e->u.row.items.n;
      plan_expr **items = NEWN(b, plan_expr *, n);
      plan_column *fields = NEWN(b, plan_column, n);
      if (!items || !fields) return bind_oom(b);
      plan_mono m = PLAN_MONO_CONST;
      for (int i = 0; i < n; i++) {
        if ((rc = bind_expr(b, s, e->u.row.items.items[i], &items[i]))) return rc;
        fields[i].name = core_arena_printf(b->ctx->arena, "EXPR$%d", i);
        fields[i].type = items[i]->type;
        if (items[i]->mono != PLAN_MONO_CONST) m = PLAN_MONO_NONE;
      }
      if (!(x = new_expr(b, PLAN_E_ROW, e))) return bind_oom(b);
      x->u.row.items = items;
      x->u.row.n = n;
      x->type = mk_type(CORE_T_ANY, 0, 0);
      x->fields = fields;
      x->nfields = n;
      x->mono = m;
      *out = x;
      return SLUICE_OK;
    }
    case PARSE_E_CURSOR:
      return bind_fail(b, e->loc, SLUICE_SEMANTIC,
                       "CURSOR is only allowed as an argument of a table function");
    case PARSE_E_PERIOD_PRED: {
      plan_expr *l, *r;
      if ((rc = bind_expr(b, s, e->u.period.left, &l))) return rc;
      if ((rc = bind_expr(b, s, e->u.period.right, &r))) return rc;
      plan_expr *sides[2] = {l, r};
      for (int i = 0; i < 2; i++) {
        plan_expr *p = sides[i];
        bool ok;
        if (p->kind == PLAN_E_ROW)
          ok = p->u.row.n == 2 && core_type_is_datetime(p->u.row.items[0]->type.id) &&
               plan_type_comparable(p->u.row.items[0]->type, p->u.row.items[1]->type);
        else
          ok = i == 1 && e->u.period.op == PARSE_PP_CONTAINS && core_type_is_datetime(p->type.id);
        if (!ok)
          return bind_fail(b, p->src->loc, SLUICE_SEMANTIC,
                           "a period must be a pair (start, end) of datetime values");
      }
      if (!(x = new_expr(b, PLAN_E_PERIOD_PRED, e))) return bind_oom(b);
      x->u.period.op = e->u.period.op;
      x->u.period.left = l;
      x->u.period.right = r;
      x->u.period.strictly = e->u.period.strictly;
      x->u.period.immediately = e->u.period.immediately;
      x->type = mk_type(CORE_T_BOOLEAN, 0, 0);
      *out = x;
      return SLUICE_OK;
    }
  }
  return bind_fail(b, e->loc, SLUICE_INTERNAL, "unknown expression kind %d", (int)e->kind);
}

/* ------------------------------------------------------------ windows -- */

static plan_window *find_window(bind_scope *s, const char *name) {
  for (; s; s = s->outer)
    for (int i = 0; i < s->nwindows; i++)
      if (s->windows[i]->name && strcmp(s->windows[i]->name, name) == 0) return s->windows[i];
  return NULL;
}

static int bind_window(binder *b, bind_scope *s, const parse_window *w, plan_window **out) {
  if (w->ref.name && !w->parens && w->partition_by.n == 0 && w->units == PARSE_FRAME_NONE) {
    plan_window *named = find_window(s, w->ref.name);
    if (!named)
      return bind_fail(b, w->ref.loc, SLUICE_SEMANTIC, "window \"%s\" not found", w->ref.name);
    *out = named;
    return SLUICE_OK;
  }
  plan_window *pw = NEW(b, plan_window);
  if (!pw) return bind_oom(b);
  const plan_window *base = NULL;
  if (w->ref.name) {
    base = find_window(s, w->ref.name);
    if (!base)
      return bind_fail(b, w->ref.loc, SLUICE_SEMANTIC, "window \"%s\" not found", w->ref.name);
    *pw = *base;
  }
  pw->src = w;
  pw->name = w->name.name;
  pw->stagger = w->stagger;
  bind_clause saved = s->clause;
  bool saved_agg = s->in_agg;
  s->clause = CL_WINDOW;
  s->in_agg = false;
  int rc = SLUICE_OK;
  if (w->partition_by.n) {
    pw->npartition = w->partition_by.n;
    pw->partition = NEWN(b, plan_expr *, pw->npartition);
    if (!pw->partition) rc = bind_oom(b);
    for (int i = 0; rc == SLUICE_OK && i < pw->npartition; i++)
      rc = bind_expr(b, s, w->partition_by.items[i], &pw->partition[i]);
  }
  if (rc == SLUICE_OK && w->order_by.n) {
    pw->norder = w->order_by.n;
    pw->order = NEWN(b, plan_expr *, pw->norder);
    if (!pw->order) rc = bind_oom(b);
    for (int i = 0; rc == SLUICE_OK && i < pw->norder; i++) {
      const parse_order_item *oi = w->order_by.items[i];
      rc = bind_expr(b, s, oi->expr, &pw->order[i]);
    }
  }
  if (rc == SLUICE_OK && w->units != PARSE_FRAME_NONE) {
    pw->units = w->units;
    const parse_bound *start = &w->start;
    s->clause = CL_ARG;
    if (start->kind == PARSE_BOUND_CURRENT_ROW) {
      pw->current_row = true;
    } else if (start->kind == PARSE_BOUND_PRECEDING && start->offset) {
      plan_expr *off;
      rc = bind_expr(b, s, start->offset, &off);
      if (rc == SLUICE_OK) {
        pw->range = off;
        if (off->kind == PLAN_E_LITERAL && core_type_is_integer(off->type.id))
          pw->rows = off->u.value.u.i;
        else if (off->kind == PLAN_E_LITERAL && off->type.id == CORE_T_INTERVAL_DT)
          pw->range_ms = off->u.value.u.i;
      }
    }
  }
  s->clause = saved;
  s->in_agg = saved_agg;
  if (rc) return rc;
  *out = pw;
  return SLUICE_OK;
}

/* ---------------------------------------------------------------- FROM -- */

static int collect_leaves(binder *b, plan_rel *r, plan_rel ***leaves, int *n, int *cap) {
  if (r->kind == PLAN_R_JOIN) {
    int rc = collect_leaves(b, r->join.left, leaves, n, cap);
    return rc ? rc : collect_leaves(b, r->join.right, leaves, n, cap);
  }
  if (*n == *cap) {
    int c = *cap ? *cap * 2 : 4;
    plan_rel **v = NEWN(b, plan_rel *, c);
    if (!v) return bind_oom(b);
    if (*n) memcpy(v, *leaves, sizeof *v * (size_t)*n);
    *leaves = v;
    *cap = c;
  }
  (*leaves)[(*n)++] = r;
  return SLUICE_OK;
}

/* AS t(a, b, c): renames the visible (non-hidden) columns. */
static int apply_alias_columns(binder *b, plan_rel *r, const parse_from *f) {
  const parse_ident_list *ac = &f->alias_cols;
  if (ac->n == 0) return SLUICE_OK;
  int visible = 0;
  for (int i = 0; i < r->ncolumns; i++) visible += !r->columns[i].hidden;
  if (visible != ac->n)
    return bind_fail(b, ac->items[0].loc, SLUICE_SEMANTIC,
                     "list of column aliases must have same degree as table; table has %d "
                     "columns ('%s'), whereas alias list has %d columns",
                     visible, r->alias ? r->alias : "?", ac->n);
  plan_column *cols = NEWN(b, plan_column, r->ncolumns);
  if (!cols) return bind_oom(b);
  memcpy(cols, r->columns, sizeof *cols * (size_t)r->ncolumns);
  int k = 0;
  for (int i = 0; i < r->ncolumns; i++) {
    if (cols[i].hidden) continue;
    const parse_ident *id = &ac->items[k++];
    if (strcmp(id->name, "ROWTIME") == 0)
      return bind_fail(b, id->loc, SLUICE_SEMANTIC, "cannot rename a column to ROWTIME");
    for (int j = 0; j < k - 1; j++)
      if (strcmp(ac->items[j].name, id->name) == 0)
        return bind_fail(b, id->loc, SLUICE_SEMANTIC, "duplicate column alias \"%s\"", id->name);
    cols[i].name = id->name;
  }
  r->columns = cols;
  return SLUICE_OK;
}

static plan_column table_func_column(const char *name, core_type_id id, int precision) {
  plan_column c;
  memset(&c, 0, sizeof c);
  c.name = name;
  c.type = mk_type(id, precision, 0);
  return c;
}

static int literal_int(binder *b, plan_expr *a, int64_t lo, int64_t hi, const char *fn,
                       const char *what) {
  if (a->kind != PLAN_E_LITERAL || !core_type_is_integer(a->type.id))
    return bind_fail(b, a->src->loc, SLUICE_SEMANTIC, "%s of %s must be an integer literal", what,
                     fn);
  int64_t v = a->u.value.u.i;
  if (v < lo || v > hi)
    return bind_fail(b, a->src->loc, SLUICE_SEMANTIC, "%s of %s must be between %lld and %lld",
                     what, fn, (long long)lo, (long long)hi);
  return SLUICE_OK;
}

static int bind_table_func(binder *b, bind_scope *s, const parse_from *f, plan_rel *r) {
  const parse_expr *call = f->u.table_func.call;
  const char *name = call->u.call.name.name;
  const fn_def *fn = fn_lookup(name);
  if (!fn || fn->kind != FN_TABLE)
    return bind_fail(b, call->loc, SLUICE_SEMANTIC, "\"%s\" is not a table function", name);
  int n = call->u.call.args.n;
  if (n < fn->min_args || n > fn->max_args) {
    bind_fail(b, call->loc, SLUICE_SEMANTIC, "no match found for function signature %s", name);
    core_error_detail(b->err, "The signature of %s is %s.", fn->name, fn->signature);
    return SLUICE_SEMANTIC;
  }
  const parse_expr *cur = call->u.call.args.items[0];
  if (cur->kind != PARSE_E_CURSOR)
    return bind_fail(b, cur->loc, SLUICE_SEMANTIC, "the first argument of %s must be CURSOR(query)",
                     name);
  int rc = bind_query(b, s->outer, cur->u.subquery.query, &r->query);
  if (rc) return rc;
  plan_query *q = r->query;
  if (!q->streaming)
    return bind_fail(b, cur->loc, SLUICE_SEMANTIC, "the cursor of %s must be a streaming query",
                     name);
  r->fn = fn;
  r->nargs = n - 1;
  r->args = NEWN(b, plan_expr *, n);
  if (!r->args) return bind_oom(b);
  bind_scope argscope = {.clause = CL_ARG};
  for (int i = 1; i < n; i++) {
    if ((rc = bind_expr(b, &argscope, call->u.call.args.items[i], &r->args[i - 1]))) return rc;
    if (i < FN_MAX_ARGS && !fn_arg_accepts((fn_arg)fn->args[i], r->args[i - 1]->type)) {
      bind_fail(b, r->args[i - 1]->src->loc, SLUICE_SEMANTIC,
                "no match found for function signature %s", name);
      core_error_detail(b->err, "The signature of %s is %s.", fn->name, fn->signature);
      return SLUICE_SEMANTIC;
    }
  }
  /* output columns: the cursor's columns and the function's own */
  plan_column extra[2];
  int nextra = 0;
  bool pass_through = true;
  int numeric_cols = 0;
  for (int i = 0; i < q->ncolumns; i++) numeric_cols += core_type_is_numeric(q->columns[i].type.id);
  if (strcmp(name, "RANDOM_CUT_FOREST") == 0 ||
      strcmp(name, "RANDOM_CUT_FOREST_WITH_EXPLANATION") == 0 || strcmp(name, "HOTSPOTS") == 0) {
    for (int i = 0; i < q->ncolumns; i++)
      if (q->columns[i].type.id == CORE_T_DECIMAL)
        return bind_fail(b, cur->loc, SLUICE_SEMANTIC, "%s does not accept DECIMAL column \"%s\"",
                         name, q->columns[i].name);
    if (numeric_cols == 0)
      return bind_fail(b, cur->loc, SLUICE_SEMANTIC, "%s needs at least one numeric column", name);
    if (numeric_cols > 30)
      return bind_fail(b, cur->loc, SLUICE_SEMANTIC, "%s accepts at most 30 numeric columns", name);
    if (name[0] == 'H') {
      if ((rc = literal_int(b, r->args[0], 100, 1000, name, "the window size"))) return rc;
      if ((rc = literal_int(b, r->args[2], 2, r->args[0]->u.value.u.i, name,
                            "the minimum number of points")))
        return rc;
      extra[nextra++] = table_func_column("HOTSPOTS_RESULT", CORE_T_VARCHAR, 10000);
    } else {
      static const struct {
        int64_t lo, hi;
        const char *what;
      } ranges[] = {{1, 1000, "the number of trees"},
                    {10, 1000, "the sub-sample size"},
                    {1, 2147483647, "the time decay"},
                    {1, 30, "the shingle size"}};
      for (int i = 0; i < r->nargs && i < 4; i++)
        if ((rc = literal_int(b, r->args[i], ranges[i].lo, ranges[i].hi, name, ranges[i].what)))
          return rc;
      extra[nextra++] = table_func_column("ANOMALY_SCORE", CORE_T_DOUBLE, 0);
      if (strlen(name) > strlen("RANDOM_CUT_FOREST"))
        extra[nextra++] = table_func_column("ANOMALY_EXPLANATION", CORE_T_VARCHAR, 20480);
    }
  } else if (strcmp(name, "TOP_K_ITEMS_TUMBLING") == 0 ||
             strcmp(name, "COUNT_DISTINCT_ITEMS_TUMBLING") == 0) {
    const char *col = literal_string(r->args[0]);
    if (!col)
      return bind_fail(b, r->args[0]->src->loc, SLUICE_SEMANTIC,
                       "the column name of %s must be a string literal", name);
    int k = -1;
    for (int i = 0; i < q->ncolumns; i++)
      if (strcmp(q->columns[i].name, col) == 0) k = i;
    if (k < 0)
      return bind_fail(b, r->args[0]->src->loc, SLUICE_SEMANTIC,
                       "column \"%s\" not found in the cursor of %s", col, name);
    pass_through = false;
    if (name[0] == 'T') {
      if ((rc = literal_int(b, r->args[1], 1, 100000, name, "K"))) return rc;
      if ((rc = literal_int(b, r->args[2], 1, 3600, name, "the window size"))) return rc;
      extra[nextra] = q->columns[k];
      extra[nextra].mono = PLAN_MONO_NONE;
      extra[nextra++].hidden = false;
      extra[nextra++] = table_func_column("MOST_FREQUENT_VALUES", CORE_T_BIGINT, 0);
    } else {
      if ((rc = literal_int(b, r->args[1], 1, 3600, name, "the window size"))) return rc;
      extra[nextra++] = table_func_column("NUMBER_OF_DISTINCT_ITEMS", CORE_T_BIGINT, 0);
    }
  } else { /* GROUP_RANK */
    const char *by = literal_string(r->args[0]);
    const char *outcol = literal_string(r->args[1]);
    if (!by || !outcol)
      return bind_fail(b, call->loc, SLUICE_SEMANTIC,
                       "the column names of GROUP_RANK must be string literals");
    int k = -1;
    for (int i = 0; i < q->ncolumns; i++)
      if (strcmp(q->columns[i].name, by) == 0) k = i;
    if (k < 0)
      return bind_fail(b, r->args[0]->src->loc, SLUICE_SEMANTIC,
                       "column \"%s\" not found in the cursor of GROUP_RANK", by);
    core_type_id t = q->columns[k].type.id;
    if (!core_type_is_integer(t) && !core_type_is_string(t))
      return bind_fail(b, r->args[0]->src->loc, SLUICE_SEMANTIC,
                       "GROUP_RANK ranks INTEGER, CHAR or VARCHAR columns, not %s",
                       tstr(b, q->columns[k].type));
    extra[nextra++] = table_func_column(outcol, CORE_T_INTEGER, 0);
  }
  int base = pass_through ? q->ncolumns : 0;
  r->ncolumns = base + nextra;
  r->columns = NEWN(b, plan_column, r->ncolumns);
  if (!r->columns) return bind_oom(b);
  if (base) memcpy(r->columns, q->columns, sizeof(plan_column) * (size_t)base);
  memcpy(r->columns + base, extra, sizeof(plan_column) * (size_t)nextra);
  r->is_stream = true;
  return SLUICE_OK;
}

static int bind_from(binder *b, bind_scope *s, const parse_from *f, plan_rel **out) {
  plan_rel *r = NEW(b, plan_rel);
  if (!r) return bind_oom(b);
  r->src = f;
  int rc;
  switch (f->kind) {
    case PARSE_F_STREAM: {
      const char *name = f->u.stream.name.name;
      catalog_relation *cr;
      core_error e2;
      rc = catalog_relation_get(b->ctx->cat, b->ctx->app, name, b->ctx->arena, &cr, &e2);
      if (rc == SLUICE_NOTFOUND && strcasecmp(name, CATALOG_ERROR_STREAM) == 0)
        return bind_fail(b, f->u.stream.name.loc, SLUICE_SEMANTIC, "cannot read from error_stream");
      if (rc == SLUICE_NOTFOUND) {
        bind_fail(b, f->u.stream.name.loc, SLUICE_SEMANTIC, "object \"%s\" not found", name);
        case_hint_relation(b, name);
        return SLUICE_SEMANTIC;
      }
      if (rc) {
        *b->err = e2;
        return rc;
      }
      if (cr->kind == CATALOG_REL_SYSTEM)
        return bind_fail(b, f->u.stream.name.loc, SLUICE_SEMANTIC, "cannot read from error_stream");
      r->kind = cr->kind == CATALOG_REL_TABLE ? PLAN_R_TABLE : PLAN_R_STREAM;
      r->catalog = cr;
      r->is_stream = cr->kind != CATALOG_REL_TABLE;
      r->is_source = cr->kind == CATALOG_REL_SOURCE;
      r->alias = f->alias.name ? f->alias.name : cr->name;
      r->ncolumns = cr->ncolumns + (r->is_source ? 1 : 0);
      r->columns = NEWN(b, plan_column, r->ncolumns);
      if (!r->columns) return bind_oom(b);
      for (int i = 0; i < cr->ncolumns; i++) {
        r->columns[i].name = cr->columns[i].name;
        r->columns[i].type = cr->columns[i].type;
      }
      if (r->is_source) {
        /* [IMPL] hidden from `*` like ROWTIME, so `SELECT *` maps onto the input's columns */
        plan_column *aat = &r->columns[cr->ncolumns];
        aat->name = "APPROXIMATE_ARRIVAL_TIME";
        aat->type = mk_type(CORE_T_TIMESTAMP, 0, 0);
        aat->hidden = true;
      }
      if ((rc = add_source(b, cr->name))) return rc;
      if ((rc = apply_alias_columns(b, r, f))) return rc;
      if (f->u.stream.window) {
        if (!r->is_stream)
          return bind_fail(b, f->u.stream.window->loc, SLUICE_SEMANTIC,
                           "reference table \"%s\" cannot have a window", name);
        bind_scope ws = {.outer = s->outer, .leaves = &r, .nleaves = 1};
        const parse_window *w = f->u.stream.window;
        if (w->ref.name && !w->parens && b->from_windows) {
          /* OVER w: the WINDOW clause entry, bound over this relation */
          const parse_window *named = NULL;
          for (int i = 0; i < b->from_windows->n && !named; i++) {
            const parse_window *c = b->from_windows->items[i];
            if (strcmp(c->name.name, w->ref.name) == 0) named = c;
          }
          if (!named)
            return bind_fail(b, w->ref.loc, SLUICE_SEMANTIC, "window \"%s\" not found",
                             w->ref.name);
          w = named;
        }
        if ((rc = bind_window(b, &ws, w, &r->window))) return rc;
      }
      break;
    }
    case PARSE_F_SUBQUERY:
      r->kind = PLAN_R_SUBQUERY;
      /* not correlated to sibling FROM items: only the enclosing query's outer scopes */
      if ((rc = bind_query(b, s->outer, f->u.subquery.query, &r->query))) return rc;
      r->alias = f->alias.name; /* [IMPL] spec 7.4 #15: may be absent */
      r->ncolumns = r->query->ncolumns;
      r->columns = r->query->columns;
      r->is_stream = r->query->streaming;
      if ((rc = apply_alias_columns(b, r, f))) return rc;
      break;
    case PARSE_F_TABLE_FUNC:
      r->kind = PLAN_R_TABLE_FUNC;
      r->alias = f->alias.name ? f->alias.name : f->u.table_func.call->u.call.name.name;
      if ((rc = bind_table_func(b, s, f, r))) return rc;
      if ((rc = apply_alias_columns(b, r, f))) return rc;
      break;
    case PARSE_F_JOIN: {
      r->kind = PLAN_R_JOIN;
      r->join.kind = f->u.join.kind;
      r->join.natural = f->u.join.natural;
      if ((rc = bind_from(b, s, f->u.join.left, &r->join.left))) return rc;
      if ((rc = bind_from(b, s, f->u.join.right, &r->join.right))) return rc;
      r->is_stream = r->join.left->is_stream || r->join.right->is_stream;
      plan_rel **leaves = NULL;
      int n = 0, cap = 0;
      if ((rc = collect_leaves(b, r, &leaves, &n, &cap))) return rc;
      for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
          if (leaves[i]->alias && leaves[j]->alias &&
              strcmp(leaves[i]->alias, leaves[j]->alias) == 0)
            return bind_fail(b, leaves[i]->src->loc, SLUICE_SEMANTIC,
                             "duplicate relation name \"%s\" in FROM clause: use an alias",
                             leaves[i]->alias);
      if (f->u.join.on) {
        bind_scope js = {.outer = s->outer,
                         .leaves = leaves,
                         .nleaves = n,
                         .clause = CL_ON,
                         .windows = s->windows,
                         .nwindows = s->nwindows};
        if ((rc = bind_expr(b, &js, f->u.join.on, &r->join.on))) return rc;
        if ((rc = expect_bool(b, r->join.on, "ON"))) return rc;
      }
      if (f->u.join.natural) {
        /* NATURAL: the visible column names both sides have, in left order */
        plan_rel **ll = NULL, **rl = NULL;
        int ln = 0, lc = 0, rn = 0, rcap = 0;
        if ((rc = collect_leaves(b, r->join.left, &ll, &ln, &lc))) return rc;
        if ((rc = collect_leaves(b, r->join.right, &rl, &rn, &rcap))) return rc;
        int total = 0;
        for (int i = 0; i < ln; i++) total += ll[i]->ncolumns;
        r->join.using_ = NEWN(b, const char *, total);
        if (!r->join.using_) return bind_oom(b);
        for (int i = 0; i < ln; i++)
          for (int k = 0; k < ll[i]->ncolumns; k++) {
            const plan_column *c = &ll[i]->columns[k];
            bool right = false, dup = false;
            for (int j = 0; j < rn && !right; j++) right = find_column(rl[j], c->name) >= 0;
            for (int j = 0; j < r->join.nusing && !dup; j++)
              dup = strcmp(r->join.using_[j], c->name) == 0;
            if (!c->hidden && right && !dup) r->join.using_[r->join.nusing++] = c->name;
          }
      }
      if (f->u.join.using_.n) {
        r->join.nusing = f->u.join.using_.n;
        r->join.using_ = NEWN(b, const char *, r->join.nusing);
        if (!r->join.using_) return bind_oom(b);
        for (int i = 0; i < r->join.nusing; i++) {
          const parse_ident *id = &f->u.join.using_.items[i];
          plan_rel *sides[2] = {r->join.left, r->join.right};
          for (int k = 0; k < 2; k++) {
            plan_rel **lv = NULL;
            int ln = 0, lc = 0;
            if ((rc = collect_leaves(b, sides[k], &lv, &ln, &lc))) return rc;
            bool found = false;
            for (int j = 0; j < ln; j++) found = found || find_column(lv[j], id->name) >= 0;
            if (!found)
              return bind_fail(b, id->loc, SLUICE_SEMANTIC,
                               "column \"%s\" specified in USING clause not found on the %s side",
                               id->name, k == 0 ? "left" : "right");
          }
          r->join.using_[i] = id->name;
        }
      }
      if ((rc = validate_join(b, r))) return rc;
      break;
    }
  }
  *out = r;
  return SLUICE_OK;
}

/* ------------------------------------------------------------- SELECT -- */

static bool is_rowtime_name(const parse_ident *id) {
  return id->name && strcmp(id->name, "ROWTIME") == 0;
}

static int add_item(binder *b, plan_select *sel, int *cap, plan_item item) {
  if (sel->nitems == *cap) {
    int c = *cap ? *cap * 2 : 8;
    plan_item *v = NEWN(b, plan_item, c);
    if (!v) return bind_oom(b);
    if (sel->nitems) memcpy(v, sel->items, sizeof *v * (size_t)sel->nitems);
    sel->items = v;
    *cap = c;
  }
  sel->items[sel->nitems++] = item;
  return SLUICE_OK;
}

static int expand_star(binder *b, bind_scope *s, const parse_select_item *it, plan_select *sel,
                       int *cap) {
  const parse_expr *e = it->expr;
  const parse_list *q = &e->u.column.parts;
  bool any = false;
  for (int i = 0; i < s->nleaves; i++) {
    plan_rel *r = s->leaves[i];
    if (q->n > 0) {
      const parse_ident *qual = q->items[q->n - 1];
      if (!r->alias || strcmp(r->alias, qual->name) != 0) continue;
    }
    any = true;
    for (int k = 0; k < r->ncolumns; k++) {
      if (r->columns[k].hidden) continue;
      if (q->n == 0 && is_merged(s, r->columns[k].name)) {
        bool seen = false;
        for (int j = 0; j < sel->nitems && !seen; j++)
          seen = sel->items[j].src == it && strcmp(sel->items[j].name, r->columns[k].name) == 0;
        if (seen) continue; /* a USING / NATURAL column appears once */
      }
      plan_item item = {.name = r->columns[k].name, .src = it};
      int rc = make_column_ref(b, e, r, k, 0, &item.expr);
      if (rc) return rc;
      if ((rc = add_item(b, sel, cap, item))) return rc;
    }
  }
  if (!any) {
    const parse_ident *qual = q->n ? q->items[q->n - 1] : NULL;
    if (qual)
      return bind_fail(b, qual->loc, SLUICE_SEMANTIC, "table \"%s\" not found in the FROM clause",
                       qual->name);
    return bind_fail(b, e->loc, SLUICE_SEMANTIC, "\"*\" has no columns to expand");
  }
  return SLUICE_OK;
}

static int bind_select(binder *b, bind_scope *outer, const parse_query *pq, plan_query *q) {
  const parse_select *ps = &pq->u.select;
  plan_select *sel = &q->u.select;
  sel->stream_kw = ps->stream;
  sel->distinct = ps->quantifier == PARSE_Q_DISTINCT;
  sel->time_key = -1;
  sel->rowtime_item = -1;
  bind_scope *s = NEW(b, bind_scope);
  if (!s) return bind_oom(b);
  s->outer = outer;
  s->clause = CL_ARG;
  /* WINDOW clause names are visible to FROM items' OVER w */
  int rc;
  if (ps->windows.n) {
    sel->nwindows = ps->windows.n;
    sel->windows = NEWN(b, plan_window *, sel->nwindows);
    if (!sel->windows) return bind_oom(b);
  }
  /* FROM first (windows refer to its columns); a FROM item's `OVER w` binds
   * the WINDOW clause entry w over that item alone. */
  bind_scope pre = {.outer = outer};
  const parse_list *saved_windows = b->from_windows;
  b->from_windows = &ps->windows;
  rc = bind_from(b, &pre, ps->from, &sel->from);
  b->from_windows = saved_windows;
  if (rc) return rc;
  int cap = 0;
  if ((rc = collect_leaves(b, sel->from, &sel->leaves, &sel->nleaves, &cap))) return rc;
  s->leaves = sel->leaves;
  s->nleaves = sel->nleaves;
  if ((rc = scope_merged(b, sel->from, s))) return rc;
  s->windows = sel->windows;
  for (int i = 0; i < ps->windows.n; i++) {
    const parse_window *w = ps->windows.items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(sel->windows[j]->name, w->name.name) == 0)
        return bind_fail(b, w->name.loc, SLUICE_SEMANTIC, "duplicate window name \"%s\"",
                         w->name.name);
    s->nwindows = i; /* a window may refer to the ones before it */
    if ((rc = bind_window(b, s, w, &sel->windows[i]))) return rc;
    if (sel->windows[i]->src != w) { /* WINDOW w2 AS w1: copy under the new name */
      plan_window *copy = NEW(b, plan_window);
      if (!copy) return bind_oom(b);
      *copy = *sel->windows[i];
      copy->src = w;
      sel->windows[i] = copy;
    }
    sel->windows[i]->name = w->name.name;
  }
  s->nwindows = ps->windows.n;
  q->streaming = sel->from->is_stream;
  if (ps->stream && !q->streaming) {
    for (int i = 0; i < sel->nleaves; i++)
      if (sel->leaves[i]->kind == PLAN_R_SUBQUERY && sel->leaves[i]->query->kind == PLAN_Q_VALUES)
        return bind_fail(b, sel->leaves[i]->src->loc, SLUICE_SEMANTIC, "cannot stream VALUES");
    const char *tname = sel->nleaves && sel->leaves[0]->alias ? sel->leaves[0]->alias : "?";
    return bind_fail(b, ps->from->loc, SLUICE_SEMANTIC, "cannot convert table \"%s\" to stream",
                     tname);
  }
  /* WHERE */
  if (ps->where) {
    s->clause = CL_WHERE;
    if ((rc = bind_expr(b, s, ps->where, &sel->where))) return rc;
    if ((rc = expect_bool(b, sel->where, "WHERE"))) return rc;
  }
  /* GROUP BY */
  if (ps->group_by.n) {
    s->clause = CL_GROUP_BY;
    sel->ngroup = ps->group_by.n;
    sel->group_by = NEWN(b, plan_expr *, sel->ngroup);
    if (!sel->group_by) return bind_oom(b);
    for (int i = 0; i < sel->ngroup; i++)
      if ((rc = bind_expr(b, s, ps->group_by.items[i], &sel->group_by[i]))) return rc;
  }
  if (ps->stagger) {
    s->clause = CL_GROUP_BY;
    if ((rc = bind_window(b, s, ps->stagger, &sel->stagger))) return rc;
  }
  /* select list */
  s->clause = CL_SELECT;
  s->saw_agg = s->saw_window = false;
  int icap = 0;
  for (int i = 0; i < ps->items.n; i++) {
    const parse_select_item *it = ps->items.items[i];
    if (it->expr->kind == PARSE_E_STAR) {
      if ((rc = expand_star(b, s, it, sel, &icap))) return rc;
      continue;
    }
    plan_item item = {.src = it};
    if ((rc = bind_expr(b, s, it->expr, &item.expr))) return rc;
    if (it->alias.name) {
      item.name = it->alias.name;
    } else if (it->expr->kind == PARSE_E_COLUMN) {
      const parse_list *parts = &it->expr->u.column.parts;
      item.name = ((const parse_ident *)parts->items[parts->n - 1])->name;
    } else {
      item.name = core_arena_printf(b->ctx->arena, "EXPR$%d", sel->nitems);
    }
    if (is_rowtime_name(&it->alias)) {
      if (sel->rowtime_item >= 0)
        return bind_fail(b, it->alias.loc, SLUICE_SEMANTIC,
                         "more than one item is aliased AS ROWTIME");
      if (item.expr->type.id != CORE_T_TIMESTAMP)
        return bind_fail(b, it->expr->loc, SLUICE_SEMANTIC,
                         "an expression aliased AS ROWTIME must be TIMESTAMP, not %s",
                         tstr(b, item.expr->type));
      sel->rowtime_item = sel->nitems;
    }
    if ((rc = add_item(b, sel, &icap, item))) return rc;
  }
  sel->windowed = s->saw_window;
  bool items_agg = s->saw_agg;
  /* HAVING */
  s->saw_agg = false;
  if (ps->having) {
    s->clause = CL_HAVING;
    if ((rc = bind_expr(b, s, ps->having, &sel->having))) return rc;
    if ((rc = expect_bool(b, sel->having, "HAVING"))) return rc;
  }
  sel->aggregate = items_agg || s->saw_agg || sel->ngroup > 0 || sel->stagger;
  /* output columns: every item except the one aliased AS ROWTIME */
  q->ncolumns = sel->nitems - (sel->rowtime_item >= 0);
  q->columns = NEWN(b, plan_column, q->ncolumns);
  if (!q->columns) return bind_oom(b);
  for (int i = 0, k = 0; i < sel->nitems; i++) {
    if (i == sel->rowtime_item) continue;
    plan_column *c = &q->columns[k++];
    c->name = sel->items[i].name;
    c->type = sel->items[i].expr->type;
    /* a windowed select emits one row per input row: its items keep their monotonicity */
    c->mono = sel->aggregate ? PLAN_MONO_NONE : sel->items[i].expr->mono;
    if (sel->aggregate) {
      /* a grouping key that closes windows stays monotonic in the output */
      for (int g = 0; g < sel->ngroup; g++)
        if (plan_mono_key((plan_mono)sel->group_by[g]->mono) &&
            bind_expr_equal(sel->group_by[g], sel->items[i].expr))
          c->mono = sel->group_by[g]->mono;
    }
    if (!q->streaming) c->mono = PLAN_MONO_NONE;
    c->fields = sel->items[i].expr->fields;
    c->nfields = sel->items[i].expr->nfields;
  }
  return SLUICE_OK;
}

/* ORDER BY of a query: ordinals, output names, or expressions over the select's scope. */
static int bind_order_by(binder *b, bind_scope *outer, const parse_query *pq, plan_query *q) {
  q->norder = pq->order_by.n;
  q->order_by = NEWN(b, plan_sort, q->norder);
  if (!q->order_by) return bind_oom(b);
  bind_scope s = {.outer = outer, .clause = CL_ORDER_BY};
  if (q->kind == PLAN_Q_SELECT) {
    s.leaves = q->u.select.leaves;
    s.nleaves = q->u.select.nleaves;
    int rc = scope_merged(b, q->u.select.from, &s);
    if (rc) return rc;
    s.windows = q->u.select.windows;
    s.nwindows = q->u.select.nwindows;
  }
  if (q->kind != PLAN_Q_SELECT) {
    /* a set operation or VALUES: its result is the one relation in scope (an
     * anonymous PLAN_R_SUBQUERY whose query is q itself) */
    plan_rel *self = NEW(b, plan_rel);
    plan_rel **lv = NEWN(b, plan_rel *, 1);
    if (!self || !lv) return bind_oom(b);
    self->kind = PLAN_R_SUBQUERY;
    self->query = q;
    self->ncolumns = q->ncolumns;
    self->columns = q->columns;
    self->is_stream = q->streaming;
    lv[0] = self;
    s.leaves = lv;
    s.nleaves = 1;
  }
  for (int i = 0; i < q->norder; i++) {
    const parse_order_item *oi = pq->order_by.items[i];
    plan_sort *ps = &q->order_by[i];
    ps->src = oi;
    ps->desc = oi->dir == PARSE_SORT_DESC;
    ps->ordinal = -1;
    const parse_expr *e = oi->expr;
    int nitems = q->kind == PLAN_Q_SELECT ? q->u.select.nitems : q->ncolumns;
    if (e->kind == PARSE_E_LITERAL && e->u.lit.kind == PARSE_L_INTEGER) {
      int64_t k = e->u.lit.value.u.i;
      if (k < 1 || k > nitems)
        return bind_fail(b, e->loc, SLUICE_SEMANTIC, "ordinal %lld out of range", (long long)k);
      ps->ordinal = (int)k - 1;
    } else if (e->kind == PARSE_E_COLUMN && e->u.column.parts.n == 1) {
      const char *name = ((const parse_ident *)e->u.column.parts.items[0])->name;
      for (int k = 0; k < nitems && ps->ordinal < 0; k++) {
        const char *iname =
            q->kind == PLAN_Q_SELECT ? q->u.select.items[k].name : q->columns[k].name;
        if (strcmp(iname, name) == 0) ps->ordinal = k;
      }
    }
    if (ps->ordinal >= 0) {
      if (q->kind == PLAN_Q_SELECT) {
        ps->expr = q->u.select.items[ps->ordinal].expr;
      } else {
        int rc = make_column_ref(b, e, s.leaves[0], ps->ordinal, 0, &ps->expr);
        if (rc) return rc;
      }
      continue;
    }
    int rc = bind_expr(b, &s, e, &ps->expr);
    if (rc) return rc;
  }
  if (pq->within) {
    bind_scope ws = {.clause = CL_ARG};
    int rc = bind_expr(b, &ws, pq->within, &q->within);
    if (rc) return rc;
    if (!core_type_is_interval(q->within->type.id))
      return bind_fail(b, pq->within->loc, SLUICE_SEMANTIC, "WITHIN needs an interval, not %s",
                       tstr(b, q->within->type));
  }
  return validate_order_by(b, q);
}

static int bind_query(binder *b, bind_scope *outer, const parse_query *pq, plan_query **out) {
  plan_query *q = NEW(b, plan_query);
  if (!q) return bind_oom(b);
  q->src = pq;
  int rc;
  switch (pq->kind) {
    case PARSE_Q_SELECT:
      q->kind = PLAN_Q_SELECT;
      if ((rc = bind_select(b, outer, pq, q))) return rc;
      if ((rc = validate_select(b, q))) return rc;
      break;
    case PARSE_Q_SETOP: {
      q->kind = PLAN_Q_SETOP;
      q->u.setop.op = pq->u.setop.op;
      q->u.setop.all = pq->u.setop.all;
      if ((rc = bind_query(b, outer, pq->u.setop.left, &q->u.setop.left))) return rc;
      if ((rc = bind_query(b, outer, pq->u.setop.right, &q->u.setop.right))) return rc;
      plan_query *l = q->u.setop.left, *r = q->u.setop.right;
      static const char *const names[] = {"UNION", "INTERSECT", "EXCEPT"};
      if (l->ncolumns != r->ncolumns)
        return bind_fail(b, pq->loc, SLUICE_SEMANTIC,
                         "column count mismatch in %s: %d and %d columns", names[pq->u.setop.op],
                         l->ncolumns, r->ncolumns);
      q->ncolumns = l->ncolumns;
      q->columns = NEWN(b, plan_column, q->ncolumns);
      if (!q->columns) return bind_oom(b);
      for (int i = 0; i < q->ncolumns; i++) {
        q->columns[i] = l->columns[i];
        if (!plan_type_common(l->columns[i].type, r->columns[i].type, &q->columns[i].type))
          return bind_fail(b, pq->u.setop.right->loc, SLUICE_SEMANTIC,
                           "type mismatch in column %d of %s: %s and %s", i + 1,
                           names[pq->u.setop.op], tstr(b, l->columns[i].type),
                           tstr(b, r->columns[i].type));
        q->columns[i].mono = PLAN_MONO_NONE;
        q->columns[i].fields = NULL;
        q->columns[i].nfields = 0;
      }
      q->streaming = l->streaming || r->streaming;
      if ((rc = validate_setop(b, q))) return rc;
      break;
    }
    case PARSE_Q_VALUES: {
      q->kind = PLAN_Q_VALUES;
      int nrows = pq->u.values.rows.n;
      q->u.values.nrows = nrows;
      q->u.values.rows = NEWN(b, plan_expr **, nrows);
      if (!q->u.values.rows) return bind_oom(b);
      bind_scope vs = {.outer = outer, .clause = CL_ARG};
      for (int i = 0; i < nrows; i++) {
        const parse_list *row = pq->u.values.rows.items[i];
        if (i == 0) {
          q->ncolumns = row->n;
          q->columns = NEWN(b, plan_column, row->n);
          if (!q->columns) return bind_oom(b);
        } else if (row->n != q->ncolumns) {
          return bind_fail(b, pq->loc, SLUICE_SEMANTIC,
                           "VALUES rows have different numbers of values: %d and %d", q->ncolumns,
                           row->n);
        }
        q->u.values.rows[i] = NEWN(b, plan_expr *, row->n);
        if (!q->u.values.rows[i]) return bind_oom(b);
        for (int k = 0; k < row->n; k++) {
          plan_expr *x;
          if ((rc = bind_expr(b, &vs, row->items[k], &x))) return rc;
          q->u.values.rows[i][k] = x;
          if (i == 0) {
            q->columns[k].name = core_arena_printf(b->ctx->arena, "EXPR$%d", k);
            q->columns[k].type = x->type;
          } else if (!plan_type_common(q->columns[k].type, x->type, &q->columns[k].type)) {
            return bind_fail(b, x->src->loc, SLUICE_SEMANTIC,
                             "type mismatch in column %d of VALUES: %s and %s", k + 1,
                             tstr(b, q->columns[k].type), tstr(b, x->type));
          }
        }
      }
      break;
    }
  }
  if (pq->order_by.n || pq->within) {
    if ((rc = bind_order_by(b, outer, pq, q))) return rc;
  }
  *out = q;
  return SLUICE_OK;
}

/* ------------------------------------------------------------- INSERT -- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int bind_insert(binder *b, const parse_insert *pi, bool pump, plan_insert **out) {
  plan_insert *ins = NEW(b, plan_insert);
  if (!ins) return bind_oom(b);
  catalog_relation *t;
  core_error e2;
  int rc = catalog_relation_get(b->ctx->cat, b->ctx->app, pi->target.name, b->ctx->arena, &t, &e2);
  if (rc == SLUICE_NOTFOUND && strcasecmp(pi->target.name, CATALOG_ERROR_STREAM) == 0)
    return bind_fail(b, pi->target.loc, SLUICE_SEMANTIC, "cannot insert into error_stream");
  if (rc == SLUICE_NOTFOUND) {
    bind_fail(b, pi->target.loc, SLUICE_SEMANTIC, "object \"%s\" not found", pi->target.name);
    case_hint_relation(b, pi->target.name);
    return SLUICE_SEMANTIC;
  }
  if (rc) {
    *b->err = e2;
    return rc;
  }
  if (t->kind == CATALOG_REL_SYSTEM)
    return bind_fail(b, pi->target.loc, SLUICE_SEMANTIC, "cannot insert into error_stream");
  if (t->kind == CATALOG_REL_TABLE)
    return bind_fail(b, pi->target.loc, SLUICE_SEMANTIC, "%s target \"%s\" is not a stream",
                     pump ? "pump" : "INSERT", t->name);
  ins->target = t;
  if ((rc = bind_query(b, NULL, pi->query, &ins->query))) return rc;
  plan_query *q = ins->query;
  if (pump && !q->streaming)
    return bind_fail(b, pi->query->loc, SLUICE_SEMANTIC, "the query of a pump must read a stream");
  int ntarget = pi->columns.n ? pi->columns.n : t->ncolumns;
  int *map = NEWN(b, int, ntarget);
  if (!map) return bind_oom(b);
  for (int i = 0; i < ntarget; i++) {
    if (!pi->columns.n) {
      map[i] = i;
      continue;
    }
    const parse_ident *id = &pi->columns.items[i];
    map[i] = -1;
    for (int k = 0; k < t->ncolumns; k++)
      if (strcmp(t->columns[k].name, id->name) == 0) map[i] = k;
    if (map[i] < 0) {
      bind_fail(b, id->loc, SLUICE_SEMANTIC, "column \"%s\" not found in stream \"%s\"", id->name,
                t->name);
      for (int k = 0; k < t->ncolumns; k++)
        if (strcasecmp(t->columns[k].name, id->name) == 0)
          core_error_hint(b->err, "A column named \"%s\" exists. Quoted names are case-sensitive.",
                          t->columns[k].name);
      return SLUICE_SEMANTIC;
    }
    for (int k = 0; k < i; k++)
      if (map[k] == map[i])
        return bind_fail(b, id->loc, SLUICE_SEMANTIC, "column \"%s\" specified more than once",
                         id->name);
  }
  if (ntarget != q->ncolumns)
    return bind_fail(b, pi->query->loc, SLUICE_SEMANTIC,
                     "number of INSERT target columns (%d) does not equal number of source items "
                     "(%d)",
                     ntarget, q->ncolumns);
  for (int i = 0; i < ntarget; i++) {
    const catalog_column *tc = &t->columns[map[i]];
    const plan_column *sc = &q->columns[i];
    if (sc->fields || !plan_assignable(sc->type, tc->type)) {
      parse_loc loc = pi->query->loc;
      if (q->kind == PLAN_Q_SELECT) {
        int k = i;
        if (q->u.select.rowtime_item >= 0 && k >= q->u.select.rowtime_item) k++;
        loc = q->u.select.items[k].src->loc;
      }
      return bind_fail(b, loc, SLUICE_SEMANTIC,
                       "cannot assign to target field \"%s\" of type %s from source field \"%s\" "
                       "of type %s",
                       tc->name, tstr(b, tc->type), sc->name, tstr(b, sc->type));
    }
  }
  ins->target_columns = map;
  if (b->nsources) qsort(b->sources, (size_t)b->nsources, sizeof *b->sources, cmp_str);
  ins->sources = b->sources;
  ins->nsources = b->nsources;
  *out = ins;
  return SLUICE_OK;
}

/* ------------------------------------------------------------ entry -- */

static int bind_function_body(binder *b, const parse_stmt *st, plan_expr **out) {
  const parse_list *params = &st->u.create_function.params;
  for (int i = 0; i < params->n; i++) {
    const parse_column_def *d = params->items[i];
    for (int j = 0; j < i; j++) {
      const parse_column_def *o = params->items[j];
      if (strcmp(o->name.name, d->name.name) == 0)
        return bind_fail(b, d->name.loc, SLUICE_SEMANTIC,
                         "parameter \"%s\" specified more than once", d->name.name);
    }
  }
  bind_scope s = {.clause = CL_ARG, .params = params};
  int rc = bind_expr(b, &s, st->u.create_function.body, out);
  if (rc) return rc;
  core_type ret = st->u.create_function.returns;
  if (!plan_assignable((*out)->type, ret))
    return bind_fail(b, st->u.create_function.body->loc, SLUICE_SEMANTIC,
                     "the body of function \"%s\" returns %s, not %s",
                     st->u.create_function.name.name, tstr(b, (*out)->type), tstr(b, ret));
  return SLUICE_OK;
}

/* ------------------------------------------------------ depth limit -- */

/*
 * The binder, validate.c and the stages after them walk trees recursively.
 * The parser bounds the nesting written with parentheses, NOT, subqueries ...
 * (its 1000-entry stack) but not left-deep chains such as `a + a + ... + a`
 * or `q UNION q UNION ...`, whose length only the text bounds. So plan_bind
 * first measures the statement's tree with a walk whose own recursion stops at
 * BIND_MAX_DEPTH, and a deeper statement fails with the parser's message and
 * code: SLUICE_SYNTAX `statement is too deeply nested` (a client sees one code
 * for one message, whichever stage finds it). 1000 levels keep the binder's
 * recursion within a few hundred KB of stack, also under ASan.
 */
#define BIND_MAX_DEPTH 1000

static bool deep_expr(const parse_expr *e, int d, parse_loc *at);
static bool deep_query(const parse_query *q, int d, parse_loc *at);

static bool deep_exprs(const parse_list *l, int d, parse_loc *at) {
  for (int32_t i = 0; i < l->n; i++)
    if (deep_expr(l->items[i], d, at)) return true;
  return false;
}

static bool deep_sort(const parse_list *l, int d, parse_loc *at) {
  for (int32_t i = 0; i < l->n; i++) {
    const parse_order_item *it = l->items[i];
    if (it && deep_expr(it->expr, d, at)) return true;
  }
  return false;
}

static bool deep_window(const parse_window *w, int d, parse_loc *at) {
  if (!w) return false;
  return deep_exprs(&w->partition_by, d, at) || deep_sort(&w->order_by, d, at) ||
         deep_expr(w->start.offset, d, at) || deep_expr(w->end.offset, d, at);
}

static bool deep_expr(const parse_expr *e, int d, parse_loc *at) {
  if (!e) return false;
  if (d > BIND_MAX_DEPTH) {
    *at = e->loc;
    return true;
  }
  d++;
  switch (e->kind) {
    case PARSE_E_LITERAL:
    case PARSE_E_COLUMN:
    case PARSE_E_STAR:
      return false;
    case PARSE_E_UNARY:
      return deep_expr(e->u.unary.arg, d, at);
    case PARSE_E_BINARY:
      return deep_expr(e->u.binary.left, d, at) || deep_expr(e->u.binary.right, d, at);
    case PARSE_E_IS:
      return deep_expr(e->u.is.arg, d, at);
    case PARSE_E_BETWEEN:
      return deep_expr(e->u.between.arg, d, at) || deep_expr(e->u.between.low, d, at) ||
             deep_expr(e->u.between.high, d, at);
    case PARSE_E_IN_LIST:
      return deep_expr(e->u.in.arg, d, at) || deep_exprs(&e->u.in.list, d, at);
    case PARSE_E_IN_QUERY:
      return deep_expr(e->u.in.arg, d, at) || deep_query(e->u.in.query, d, at);
    case PARSE_E_LIKE:
      return deep_expr(e->u.like.arg, d, at) || deep_expr(e->u.like.pattern, d, at) ||
             deep_expr(e->u.like.escape, d, at);
    case PARSE_E_CASE:
      if (deep_expr(e->u.case_.operand, d, at) || deep_expr(e->u.case_.else_, d, at)) return true;
      for (int32_t i = 0; i < e->u.case_.whens.n; i++) {
        const parse_when *w = e->u.case_.whens.items[i];
        if (w && (deep_expr(w->when, d, at) || deep_expr(w->then, d, at))) return true;
      }
      return false;
    case PARSE_E_CAST:
      return deep_expr(e->u.cast.arg, d, at);
    case PARSE_E_CALL:
      return deep_exprs(&e->u.call.args, d, at) || deep_window(e->u.call.over, d, at);
    case PARSE_E_DATETIME_DIFF:
      return deep_expr(e->u.diff.left, d, at) || deep_expr(e->u.diff.right, d, at);
    case PARSE_E_SUBQUERY:
    case PARSE_E_EXISTS:
    case PARSE_E_CURSOR:
      return deep_query(e->u.subquery.query, d, at);
    case PARSE_E_ROW:
      return deep_exprs(&e->u.row.items, d, at);
    case PARSE_E_PERIOD_PRED:
      return deep_expr(e->u.period.left, d, at) || deep_expr(e->u.period.right, d, at);
  }
  return false;
}

static bool deep_from(const parse_from *f, int d, parse_loc *at) {
  if (!f) return false;
  if (d > BIND_MAX_DEPTH) {
    *at = f->loc;
    return true;
  }
  d++;
  switch (f->kind) {
    case PARSE_F_STREAM:
      return deep_window(f->u.stream.window, d, at);
    case PARSE_F_SUBQUERY:
      return deep_query(f->u.subquery.query, d, at);
    case PARSE_F_TABLE_FUNC:
      return deep_expr(f->u.table_func.call, d, at);
    case PARSE_F_JOIN:
      return deep_from(f->u.join.left, d, at) || deep_from(f->u.join.right, d, at) ||
             deep_expr(f->u.join.on, d, at);
  }
  return false;
}

static bool deep_query(const parse_query *q, int d, parse_loc *at) {
  if (!q) return false;
  if (d > BIND_MAX_DEPTH) {
    *at = q->loc;
    return true;
  }
  d++;
  if (deep_sort(&q->order_by, d, at) || deep_expr(q->within, d, at)) return true;
  switch (q->kind) {
    case PARSE_Q_SELECT: {
      const parse_select *s = &q->u.select;
      for (int32_t i = 0; i < s->items.n; i++) {
        const parse_select_item *it = s->items.items[i];
        if (it && deep_expr(it->expr, d, at)) return true;
      }
      if (deep_from(s->from, d, at) || deep_expr(s->where, d, at) ||
          deep_exprs(&s->group_by, d, at) || deep_window(s->stagger, d, at) ||
          deep_expr(s->having, d, at))
        return true;
      for (int32_t i = 0; i < s->windows.n; i++)
        if (deep_window(s->windows.items[i], d, at)) return true;
      return false;
    }
    case PARSE_Q_SETOP:
      return deep_query(q->u.setop.left, d, at) || deep_query(q->u.setop.right, d, at);
    case PARSE_Q_VALUES:
      for (int32_t i = 0; i < q->u.values.rows.n; i++)
        if (deep_exprs(q->u.values.rows.items[i], d, at)) return true;
      return false;
  }
  return false;
}

static bool deep_stmt(const parse_stmt *st, parse_loc *at) {
  switch (st->kind) {
    case PARSE_S_QUERY:
      return deep_query(st->u.query, 0, at);
    case PARSE_S_INSERT:
      return st->u.insert && deep_query(st->u.insert->query, 0, at);
    case PARSE_S_CREATE_PUMP:
      return st->u.create_pump.insert && deep_query(st->u.create_pump.insert->query, 0, at);
    case PARSE_S_CREATE_FUNCTION:
      return deep_expr(st->u.create_function.body, 0, at);
    default:
      return false; /* EXPLAIN: its statement is checked when plan_bind binds it */
  }
}

int plan_bind(const plan_ctx *ctx, const parse_stmt *stmt, plan_stmt **out, core_error *err) {
  binder bb = {.ctx = ctx, .err = err, .text = stmt->text};
  binder *b = &bb;
  *out = NULL;
  plan_stmt *ps = NEW(b, plan_stmt);
  if (!ps) return bind_oom(b);
  ps->kind = stmt->kind;
  ps->src = stmt;
  parse_loc at;
  if (deep_stmt(stmt, &at))
    return bind_fail(b, at, SLUICE_SYNTAX, "statement is too deeply nested");
  int rc = SLUICE_OK;
  switch (stmt->kind) {
    case PARSE_S_QUERY:
      rc = bind_query(b, NULL, stmt->u.query, &ps->query);
      break;
    case PARSE_S_INSERT:
      rc = bind_insert(b, stmt->u.insert, false, &ps->insert);
      break;
    case PARSE_S_CREATE_PUMP:
      rc = bind_insert(b, stmt->u.create_pump.insert, true, &ps->insert);
      break;
    case PARSE_S_CREATE_FUNCTION:
      rc = bind_function_body(b, stmt, &ps->body);
      break;
    case PARSE_S_EXPLAIN: {
      plan_stmt *inner;
      rc = plan_bind(ctx, stmt->u.explain.stmt, &inner, err);
      if (rc == SLUICE_OK) {
        ps->query = inner->query;
        ps->insert = inner->insert;
        ps->body = inner->body;
      }
      break;
    }
    default:
      break; /* CREATE STREAM / INPUT / OUTPUT / REFERENCE TABLE: checked by plan_execute */
  }
  if (rc == SLUICE_OK && core_arena_oom(ctx->arena)) rc = bind_oom(b);
  if (rc) return rc;
  *out = ps;
  return SLUICE_OK;
}

/*
 * build.c — the AST builders called by the grammar's actions.
 *
 * Every node comes from ctx->arena. A builder computes the node's source
 * location from the tokens and child nodes it is given. Problems found while
 * building (a JOIN without ON, INTERSECT ALL, a bad interval qualifier) are
 * recorded with parse_fail(); the first one wins and ends the parse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parser/build.h"
#include "grammar.h"

/* ------------------------------------------------------------ helpers -- */

int parse_fail(parse_ctx *ctx, int code, int32_t loc, const char *fmt, ...) {
  if (ctx->rc != SLUICE_OK) return ctx->rc;
  va_list ap;
  va_start(ap, fmt);
  core_error_setv(ctx->err, code, fmt, ap);
  va_end(ap);
  core_error_at(ctx->err, loc);
  ctx->rc = code;
  return code;
}

void *parse_alloc(parse_ctx *ctx, size_t size) {
  return core_arena_zalloc(ctx->arena, size);
}

static parse_loc tokloc(const parse_tok *t) {
  parse_loc l = {t->off, t->len};
  return l;
}

static int32_t endof(parse_loc l) {
  return l.off + l.len;
}

/* The span from the start of a to the end of b (b may end before a: then a). */
static parse_loc span(parse_loc a, parse_loc b) {
  parse_loc l = a;
  if (endof(b) > endof(a)) l.len = endof(b) - a.off;
  return l;
}

static parse_loc exprloc(const parse_expr *e, parse_loc dflt) {
  return e ? e->loc : dflt;
}

static char *upper_copy(parse_ctx *ctx, const char *s, size_t n) {
  char *p = core_arena_strndup(ctx->arena, s, n);
  if (!p) return NULL;
  for (size_t i = 0; i < n; i++)
    if (p[i] >= 'a' && p[i] <= 'z') p[i] = (char)(p[i] - 'a' + 'A');
  return p;
}

static char *tok_upper(parse_ctx *ctx, const parse_tok *t) {
  return upper_copy(ctx, ctx->text + t->off, (size_t)t->len);
}

parse_tok parse_tok_none(void) {
  parse_tok t = {0, 0, -1, 0};
  return t;
}

parse_ident parse_ident_none(void) {
  parse_ident id = {NULL, false, {-1, 0}};
  return id;
}

parse_ident parse_ident_tok(parse_ctx *ctx, const parse_tok *t) {
  parse_ident id;
  id.loc = tokloc(t);
  if (t->cls == PARSE_TC_QUOTED_IDENT) {
    uint32_t n;
    id.name = parse_decode_quoted(ctx, ctx->text + t->off, (size_t)t->len, '"', &n);
    id.quoted = true;
  } else {
    id.name = tok_upper(ctx, t);
    id.quoted = false;
  }
  return id;
}

parse_ident *parse_ident_copy(parse_ctx *ctx, const parse_ident *id) {
  parse_ident *p = parse_alloc(ctx, sizeof *p);
  if (p) *p = *id;
  return p;
}

parse_list parse_list_none(void) {
  parse_list l = {0, 0, NULL};
  return l;
}

void parse_list_add(parse_ctx *ctx, parse_list *l, void *item) {
  if (l->n == l->cap) {
    int32_t cap = l->cap ? l->cap * 2 : 4;
    void **items = core_arena_alloc(ctx->arena, sizeof(void *) * (size_t)cap);
    if (!items) return;
    if (l->n) memcpy(items, l->items, sizeof(void *) * (size_t)l->n);
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n++] = item;
}

parse_list parse_list_one(parse_ctx *ctx, void *item) {
  parse_list l = parse_list_none();
  parse_list_add(ctx, &l, item);
  return l;
}

void parse_idlist_add(parse_ctx *ctx, parse_ident_list *l, const parse_ident *id) {
  if (l->n == l->cap) {
    int32_t cap = l->cap ? l->cap * 2 : 4;
    parse_ident *items = core_arena_alloc(ctx->arena, sizeof(parse_ident) * (size_t)cap);
    if (!items) return;
    if (l->n) memcpy(items, l->items, sizeof(parse_ident) * (size_t)l->n);
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n++] = *id;
}

parse_ident_list parse_idlist_one(parse_ctx *ctx, const parse_ident *id) {
  parse_ident_list l = {0, 0, NULL};
  parse_idlist_add(ctx, &l, id);
  return l;
}

static parse_expr *new_expr(parse_ctx *ctx, parse_expr_kind kind, parse_loc loc) {
  parse_expr *e = parse_alloc(ctx, sizeof *e);
  if (!e) return NULL;
  e->kind = kind;
  e->loc = loc;
  return e;
}

static parse_stmt *new_stmt(parse_ctx *ctx, parse_stmt_kind kind, parse_loc loc) {
  parse_stmt *s = parse_alloc(ctx, sizeof *s);
  if (!s) return NULL;
  s->kind = kind;
  s->loc = loc;
  s->text = ctx->text;
  return s;
}

static char *decode_string_tok(parse_ctx *ctx, const parse_tok *t) {
  parse_literal lit;
  if (parse_decode_literal(ctx, t, &lit) != SLUICE_OK) return NULL;
  return (char *)lit.text;
}

/* ------------------------------------------------------------- errors -- */

void parse_syntax_error(parse_ctx *ctx, const parse_tok *t) {
  if (ctx->rc != SLUICE_OK) return;
  if (t->code == 0) {
    parse_fail(ctx, SLUICE_SYNTAX, (int32_t)ctx->len, "syntax error at end of input");
    return;
  }
  int n = t->len > 40 ? 40 : t->len;
  parse_fail(ctx, SLUICE_SYNTAX, t->off, "syntax error at or near \"%.*s\"", n, ctx->text + t->off);
  if (t->len == 1 && ctx->text[t->off] == '/' && ctx->text[t->off + 1] == '/') {
    core_error_hint(ctx->err, "// does not start a comment in SQL; use -- for a comment to the "
                              "end of the line.");
    return;
  }
  bool reserved = false;
  if (t->cls == PARSE_TC_KEYWORD &&
      parse_keyword_code(ctx->text + t->off, (size_t)t->len, &reserved) && reserved) {
    char *up = tok_upper(ctx, t);
    if (up)
      core_error_hint(ctx->err,
                      "%s is a reserved word; to use it as a name, write it in double quotes "
                      "(\"%s\").",
                      up, up);
  }
}

void parse_stack_overflow(parse_ctx *ctx) {
  parse_fail(ctx, SLUICE_SYNTAX, ctx->prev_end, "statement is too deeply nested");
}

void parse_unsupported(parse_ctx *ctx, const parse_tok *t, const char *what, bool sserver) {
  if (ctx->rc != SLUICE_OK) return;
  if (sserver)
    parse_fail(ctx, SLUICE_UNSUPPORTED, t->off,
               "%s is an s-Server feature that is not supported in the KDA dialect", what);
  else
    parse_fail(ctx, SLUICE_UNSUPPORTED, t->off, "%s is not supported in the KDA dialect", what);
  const char *hint = NULL;
  if (!strcmp(what, "DROP") || !strcmp(what, "ALTER") || !strcmp(what, "TRUNCATE"))
    hint = "A KDA application's code is replaced as a whole; redefine a stream, pump or function "
           "with CREATE OR REPLACE.";
  else if (!strncmp(what, "CREATE ", 7))
    hint = "KDA application code has CREATE STREAM, CREATE PUMP and CREATE FUNCTION only; "
           "reference data comes from CREATE REFERENCE TABLE.";
  else if (!strcmp(what, "LIMIT") || !strcmp(what, "OFFSET") || !strcmp(what, "FETCH"))
    hint = "A streaming query has no end; filter rows with WHERE or aggregate them over a window.";
  else if (!strcmp(what, "ROLLUP") || !strcmp(what, "CUBE") || !strcmp(what, "GROUPING SETS"))
    hint = "Group by a list of expressions, one of them time-based.";
  else if (!strcmp(what, "OPTIONS") || !strcmp(what, "RENAME"))
    hint = "Remove the clause: KDA streams take only columns and DESCRIPTION.";
  if (hint) core_error_hint(ctx->err, "%s", hint);
}

void parse_outer_alone(parse_ctx *ctx, const parse_tok *t) {
  parse_fail(ctx, SLUICE_SYNTAX, t->off, "OUTER JOIN needs LEFT, RIGHT or FULL");
}

/* --------------------------------------------------------- statements -- */

void parse_add_stmt(parse_ctx *ctx, parse_stmt *s) {
  if (!s || ctx->rc != SLUICE_OK) return;
  if (ctx->stmt_start >= 0 && ctx->prev_end > ctx->stmt_start) {
    s->loc.off = ctx->stmt_start;
    s->loc.len = ctx->prev_end - ctx->stmt_start;
  }
  parse_list_add(ctx, &ctx->stmts, s);
}

void parse_set_expr_result(parse_ctx *ctx, parse_expr *e) {
  ctx->expr = e;
}

parse_stmt *parse_stmt_explain(parse_ctx *ctx, const parse_tok *x, parse_stmt *inner) {
  if (!inner) return NULL;
  if (inner->kind == PARSE_S_EXPLAIN) {
    parse_fail(ctx, SLUICE_SYNTAX, inner->loc.off, "EXPLAIN cannot explain an EXPLAIN");
    return NULL;
  }
  parse_stmt *s = new_stmt(ctx, PARSE_S_EXPLAIN, span(tokloc(x), inner->loc));
  if (s) s->u.explain.stmt = inner;
  return s;
}

parse_stmt *parse_stmt_query(parse_ctx *ctx, parse_query *q) {
  if (!q) return NULL;
  parse_stmt *s = new_stmt(ctx, PARSE_S_QUERY, q->loc);
  if (s) s->u.query = q;
  return s;
}

parse_stmt *parse_stmt_insert(parse_ctx *ctx, parse_insert *i) {
  if (!i) return NULL;
  parse_stmt *s = new_stmt(ctx, PARSE_S_INSERT, i->loc);
  if (s) s->u.insert = i;
  return s;
}

parse_stmt *parse_create_stream(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                const parse_ident *name, const parse_list *cols,
                                const parse_tok *desc, const parse_tok *rp) {
  parse_loc loc = span(tokloc(x), tokloc(rp));
  if (desc->code) loc = span(loc, tokloc(desc));
  parse_stmt *s = new_stmt(ctx, PARSE_S_CREATE_STREAM, loc);
  if (!s) return NULL;
  s->u.create_stream.or_replace = orrep;
  s->u.create_stream.name = *name;
  s->u.create_stream.columns = *cols;
  if (desc->code) s->u.create_stream.description = decode_string_tok(ctx, desc);
  return s;
}

parse_column_def *parse_column_def_make(parse_ctx *ctx, const parse_ident *name,
                                        const parse_typeloc *t, const parse_tok *notnull) {
  parse_column_def *c = parse_alloc(ctx, sizeof *c);
  if (!c) return NULL;
  c->name = *name;
  c->type = t->t;
  c->loc = span(name->loc, t->loc);
  if (notnull && notnull->code) {
    c->type.not_null = 1;
    c->loc = span(c->loc, tokloc(notnull));
  }
  if (c->type.id == CORE_T_INTERVAL_YM || c->type.id == CORE_T_INTERVAL_DT) {
    if (notnull) /* a stream column, not a function parameter */
      parse_fail(ctx, SLUICE_SYNTAX, t->loc.off, "a stream column cannot have an INTERVAL type");
  }
  return c;
}

parse_stmt *parse_create_pump(parse_ctx *ctx, const parse_tok *x, bool orrep,
                              const parse_ident *name, bool stopped, const parse_tok *desc,
                              parse_insert *ins) {
  if (!ins) return NULL;
  parse_stmt *s = new_stmt(ctx, PARSE_S_CREATE_PUMP, span(tokloc(x), ins->loc));
  if (!s) return NULL;
  s->u.create_pump.or_replace = orrep;
  s->u.create_pump.stopped = stopped;
  s->u.create_pump.name = *name;
  if (desc->code) s->u.create_pump.description = decode_string_tok(ctx, desc);
  s->u.create_pump.insert = ins;
  return s;
}

parse_insert *parse_insert_make(parse_ctx *ctx, const parse_tok *x, bool expedited,
                                const parse_ident *target, const parse_ident_list *cols,
                                parse_query *q) {
  if (!q) return NULL;
  parse_insert *i = parse_alloc(ctx, sizeof *i);
  if (!i) return NULL;
  i->target = *target;
  if (cols) i->columns = *cols;
  i->query = q;
  i->expedited = expedited;
  i->loc = span(tokloc(x), q->loc);
  return i;
}

parse_stmt *parse_create_function(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                  const parse_ident *name, const parse_list *params,
                                  const parse_typeloc *ret, const parse_fn_opts *o,
                                  parse_expr *body) {
  if (!body) return NULL;
  parse_stmt *s = new_stmt(ctx, PARSE_S_CREATE_FUNCTION, span(tokloc(x), body->loc));
  if (!s) return NULL;
  s->u.create_function.or_replace = orrep;
  s->u.create_function.name = *name;
  s->u.create_function.params = *params;
  s->u.create_function.returns = ret->t;
  s->u.create_function.language_sql = o->language_sql;
  s->u.create_function.contains_sql = o->contains_sql;
  s->u.create_function.reads_sql_data = o->reads_sql_data;
  s->u.create_function.modifies_sql_data = o->modifies_sql_data;
  s->u.create_function.deterministic = o->deterministic;
  s->u.create_function.null_call = o->null_call;
  s->u.create_function.specific = o->specific;
  s->u.create_function.body = body;
  return s;
}

parse_fn_opts parse_fn_opts_none(void) {
  parse_fn_opts o;
  memset(&o, 0, sizeof o);
  o.deterministic = -1;
  o.null_call = -1;
  o.specific = parse_ident_none();
  return o;
}

static void fn_repeated(parse_ctx *ctx, const parse_tok *x) {
  parse_fail(ctx, SLUICE_SYNTAX, x->off, "conflicting or repeated function characteristic");
}

void parse_fn_flag(parse_ctx *ctx, parse_fn_opts *o, const parse_tok *x, int flag) {
  bool *b = NULL;
  switch (flag) {
    case PARSE_FN_LANGUAGE_SQL:
      b = &o->language_sql;
      break;
    case PARSE_FN_CONTAINS_SQL:
      b = &o->contains_sql;
      break;
    case PARSE_FN_READS_SQL_DATA:
      b = &o->reads_sql_data;
      break;
    case PARSE_FN_MODIFIES_SQL_DATA:
      b = &o->modifies_sql_data;
      break;
    case PARSE_FN_DETERMINISTIC:
    case PARSE_FN_NOT_DETERMINISTIC:
      if (o->deterministic >= 0) return fn_repeated(ctx, x);
      o->deterministic = flag == PARSE_FN_DETERMINISTIC ? 1 : 0;
      return;
    case PARSE_FN_RETURNS_NULL:
    case PARSE_FN_CALLED:
      if (o->null_call >= 0) return fn_repeated(ctx, x);
      o->null_call = flag == PARSE_FN_RETURNS_NULL ? 1 : 0;
      return;
  }
  if (!b) return;
  if (*b) return fn_repeated(ctx, x);
  *b = true;
}

void parse_fn_language(parse_ctx *ctx, parse_fn_opts *o, const parse_tok *x,
                       const parse_ident *lang) {
  (void)o;
  parse_fail(ctx, SLUICE_UNSUPPORTED, lang->loc.off,
             "LANGUAGE %s is not supported in the KDA dialect", lang->name ? lang->name : "");
  core_error_hint(ctx->err,
                  "KDA functions are SQL functions: LANGUAGE SQL ... RETURN <expression>.");
}

void parse_fn_specific(parse_ctx *ctx, parse_fn_opts *o, const parse_tok *x,
                       const parse_ident *name) {
  if (o->specific.name) return fn_repeated(ctx, x);
  o->specific = *name;
}

/* -------------------------------------------- sluice's own statements -- */

parse_fmt_opts parse_fmt_opts_none(void) {
  parse_fmt_opts o;
  memset(&o, 0, sizeof o);
  return o;
}

void parse_fmt_opt(parse_ctx *ctx, parse_fmt_opts *o, const parse_tok *kw, int which,
                   const parse_tok *s) {
  parse_tok *slot = which == PARSE_FMT_ROW_PATH        ? &o->row_path
                    : which == PARSE_FMT_ROW_DELIMITER ? &o->row_delimiter
                                                       : &o->column_delimiter;
  parse_tok *kslot = which == PARSE_FMT_ROW_PATH        ? &o->kw_row_path
                     : which == PARSE_FMT_ROW_DELIMITER ? &o->kw_row_delimiter
                                                        : &o->kw_column_delimiter;
  if (slot->code) {
    parse_fail(ctx, SLUICE_SYNTAX, kw->off, "repeated %s option",
               which == PARSE_FMT_ROW_PATH        ? "ROW PATH"
               : which == PARSE_FMT_ROW_DELIMITER ? "ROW DELIMITER"
                                                  : "COLUMN DELIMITER");
    return;
  }
  *slot = *s;
  *kslot = *kw;
}

/* A delimiter: the string with \n \r \t \\ resolved (documented in README). */
static const char *delimiter_text(parse_ctx *ctx, const parse_tok *t) {
  const char *s = decode_string_tok(ctx, t);
  if (!s) return NULL;
  size_t n = strlen(s);
  char *out = core_arena_alloc(ctx->arena, n + 1);
  if (!out) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n) {
      char c = s[i + 1];
      if (c == 'n' || c == 'r' || c == 't' || c == '\\') {
        out[k++] = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : '\\';
        i++;
        continue;
      }
    }
    out[k++] = s[i];
  }
  out[k] = '\0';
  if (k == 0) {
    parse_fail(ctx, SLUICE_SYNTAX, t->off, "a delimiter must not be empty");
    return NULL;
  }
  return out;
}

parse_format parse_format_make(parse_ctx *ctx, const parse_tok *x, const parse_ident *kind,
                               const parse_fmt_opts *o) {
  parse_format f;
  memset(&f, 0, sizeof f);
  f.loc = span(tokloc(x), kind->loc);
  const char *k = kind->name ? kind->name : "";
  if (!strcmp(k, "JSON"))
    f.kind = PARSE_FORMAT_JSON;
  else if (!strcmp(k, "CSV"))
    f.kind = PARSE_FORMAT_CSV;
  else {
    parse_fail(ctx, SLUICE_SYNTAX, kind->loc.off, "unknown record format \"%s\"", k);
    core_error_hint(ctx->err, "Use FORMAT JSON or FORMAT CSV.");
    return f;
  }
  if (o->row_path.code) {
    if (f.kind != PARSE_FORMAT_JSON) {
      parse_fail(ctx, SLUICE_SYNTAX, o->kw_row_path.off, "ROW PATH applies to FORMAT JSON only");
      return f;
    }
    f.row_path = decode_string_tok(ctx, &o->row_path);
    f.loc = span(f.loc, tokloc(&o->row_path));
  }
  if (o->row_delimiter.code || o->column_delimiter.code) {
    if (f.kind != PARSE_FORMAT_CSV) {
      parse_fail(ctx, SLUICE_SYNTAX,
                 o->row_delimiter.code ? o->kw_row_delimiter.off : o->kw_column_delimiter.off,
                 "%s applies to FORMAT CSV only",
                 o->row_delimiter.code ? "ROW DELIMITER" : "COLUMN DELIMITER");
      return f;
    }
    if (o->row_delimiter.code) {
      f.row_delimiter = delimiter_text(ctx, &o->row_delimiter);
      f.loc = span(f.loc, tokloc(&o->row_delimiter));
    }
    if (o->column_delimiter.code) {
      f.column_delimiter = delimiter_text(ctx, &o->column_delimiter);
      f.loc = span(f.loc, tokloc(&o->column_delimiter));
    }
  }
  return f;
}

parse_input_column *parse_input_column_make(parse_ctx *ctx, const parse_ident *name,
                                            const parse_typeloc *t, const parse_tok *path) {
  parse_input_column *c = parse_alloc(ctx, sizeof *c);
  if (!c) return NULL;
  c->name = *name;
  c->type = t->t;
  c->loc = span(name->loc, t->loc);
  if (path) {
    c->path = decode_string_tok(ctx, path);
    c->loc = span(c->loc, tokloc(path));
  }
  if (c->type.id == CORE_T_INTERVAL_YM || c->type.id == CORE_T_INTERVAL_DT)
    parse_fail(ctx, SLUICE_SYNTAX, t->loc.off, "an input column cannot have an INTERVAL type");
  return c;
}

static bool check_columns(parse_ctx *ctx, const parse_format *f, const parse_list *cols) {
  for (int32_t i = 0; i < cols->n; i++) {
    parse_input_column *c = cols->items[i];
    if (c && c->path && f->kind == PARSE_FORMAT_CSV) {
      parse_fail(ctx, SLUICE_SYNTAX, c->loc.off,
                 "PATH is not allowed with FORMAT CSV: CSV columns are mapped by position");
      return false;
    }
  }
  return true;
}

parse_stmt *parse_create_input(parse_ctx *ctx, const parse_tok *x, bool orrep,
                               const parse_ident *name, const parse_ident *source,
                               const parse_tok *parallel, const parse_format *fmt,
                               const parse_list *cols, const parse_tok *rp,
                               const parse_tok *starting) {
  parse_loc loc = span(tokloc(x), tokloc(rp));
  if (starting->code) loc = span(loc, tokloc(starting));
  parse_stmt *s = new_stmt(ctx, PARSE_S_CREATE_INPUT, loc);
  if (!s) return NULL;
  s->u.create_input.or_replace = orrep;
  s->u.create_input.name_prefix = *name;
  s->u.create_input.source = *source;
  s->u.create_input.format = *fmt;
  s->u.create_input.columns = *cols;
  if (name->name && strlen(name->name) > 32)
    parse_fail(ctx, SLUICE_SYNTAX, name->loc.off, "an input name prefix has at most 32 characters");
  if (parallel->code) {
    int64_t n = 0;
    if (!parse_int_token(ctx->text + parallel->off, (size_t)parallel->len, &n) || n < 1 || n > 64)
      parse_fail(ctx, SLUICE_SYNTAX, parallel->off, "PARALLELISM must be between 1 and 64");
    s->u.create_input.parallelism = (int32_t)n;
  }
  if (starting->code == TK_ID) {
    char *w = tok_upper(ctx, starting);
    if (w && !strcmp(w, "NOW"))
      s->u.create_input.start = PARSE_START_NOW;
    else if (w && !strcmp(w, "TRIM_HORIZON"))
      s->u.create_input.start = PARSE_START_TRIM_HORIZON;
    else if (w && !strcmp(w, "LAST_STOPPED_POINT"))
      s->u.create_input.start = PARSE_START_LAST_STOPPED_POINT;
    else {
      parse_fail(ctx, SLUICE_SYNTAX, starting->off, "unknown starting position \"%.*s\"",
                 (int)starting->len, ctx->text + starting->off);
      core_error_hint(ctx->err,
                      "Use STARTING AT NOW, TRIM_HORIZON, LAST_STOPPED_POINT or a TIMESTAMP.");
    }
  } else if (starting->code == TK_DTLIT) {
    parse_literal lit;
    if (starting->cls != PARSE_TC_TIMESTAMP) {
      parse_fail(ctx, SLUICE_SYNTAX, starting->off, "STARTING AT needs a TIMESTAMP literal");
    } else if (parse_decode_literal(ctx, starting, &lit) == SLUICE_OK) {
      s->u.create_input.start = PARSE_START_TIMESTAMP;
      s->u.create_input.start_ms = lit.value.u.i;
    }
  }
  check_columns(ctx, fmt, cols);
  return s;
}

parse_stmt *parse_create_output(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                const parse_ident *name, const parse_ident *from,
                                const parse_ident *target, const parse_format *fmt) {
  parse_stmt *s = new_stmt(ctx, PARSE_S_CREATE_OUTPUT, span(tokloc(x), fmt->loc));
  if (!s) return NULL;
  s->u.create_output.or_replace = orrep;
  s->u.create_output.name = *name;
  s->u.create_output.from = *from;
  s->u.create_output.target = *target;
  s->u.create_output.format = *fmt;
  if (fmt->row_path)
    parse_fail(ctx, SLUICE_SYNTAX, fmt->loc.off, "ROW PATH applies to inputs only");
  return s;
}

parse_stmt *parse_create_reference(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                   const parse_ident *name, const parse_tok *file,
                                   const parse_format *fmt, const parse_list *cols,
                                   const parse_tok *rp) {
  parse_stmt *s = new_stmt(ctx, PARSE_S_CREATE_REFERENCE_TABLE, span(tokloc(x), tokloc(rp)));
  if (!s) return NULL;
  s->u.create_reference_table.or_replace = orrep;
  s->u.create_reference_table.name = *name;
  s->u.create_reference_table.file = decode_string_tok(ctx, file);
  s->u.create_reference_table.format = *fmt;
  s->u.create_reference_table.columns = *cols;
  if (name->name && strlen(name->name) > 32)
    parse_fail(ctx, SLUICE_SYNTAX, name->loc.off,
               "a reference table name has at most 32 characters");
  check_columns(ctx, fmt, cols);
  return s;
}

/* ------------------------------------------------------------ queries -- */

static parse_query *new_query(parse_ctx *ctx, parse_query_kind kind, parse_loc loc) {
  parse_query *q = parse_alloc(ctx, sizeof *q);
  if (!q) return NULL;
  q->kind = kind;
  q->loc = loc;
  return q;
}

parse_query *parse_query_finish(parse_ctx *ctx, parse_query *q, const parse_orderby *o) {
  if (!q) return NULL;
  if (o->items.n == 0) return q;
  if (q->order_by.n > 0) {
    parse_fail(ctx, SLUICE_SYNTAX, o->loc.off, "multiple ORDER BY clauses are not allowed");
    return NULL;
  }
  q->order_by = o->items;
  q->within = o->within;
  q->loc = span(q->loc, o->loc);
  return q;
}

parse_query *parse_setop_make(parse_ctx *ctx, const parse_tok *x, parse_setop op, int quant,
                              parse_query *l, parse_query *r) {
  if (!l || !r) return NULL;
  if (quant == PARSE_Q_ALL && op != PARSE_SET_UNION) {
    parse_fail(ctx, SLUICE_UNSUPPORTED, x->off, "%s ALL is not supported in the KDA dialect",
               op == PARSE_SET_INTERSECT ? "INTERSECT" : "EXCEPT");
    return NULL;
  }
  parse_query *q = new_query(ctx, PARSE_Q_SETOP, span(l->loc, r->loc));
  if (!q) return NULL;
  q->u.setop.op = op;
  q->u.setop.all = quant == PARSE_Q_ALL;
  q->u.setop.left = l;
  q->u.setop.right = r;
  return q;
}

parse_query *parse_query_parens(parse_ctx *ctx, const parse_tok *lp, parse_query *q,
                                const parse_tok *rp) {
  if (!q) return NULL;
  q->parens = true;
  q->loc = span(tokloc(lp), tokloc(rp));
  return q;
}

parse_orderby parse_orderby_none(void) {
  parse_orderby o;
  memset(&o, 0, sizeof o);
  return o;
}

parse_orderby parse_orderby_make(parse_ctx *ctx, const parse_tok *x, const parse_list *items,
                                 parse_expr *within) {
  parse_orderby o;
  o.items = *items;
  o.within = within;
  o.loc = tokloc(x);
  for (int32_t i = 0; i < items->n; i++)
    if (items->items[i]) o.loc = span(o.loc, ((parse_order_item *)items->items[i])->loc);
  if (within) o.loc = span(o.loc, within->loc);
  (void)ctx;
  return o;
}

parse_order_item *parse_order_item_make(parse_ctx *ctx, parse_expr *e, parse_sort_dir dir,
                                        const parse_tok *kw) {
  if (!e) return NULL;
  parse_order_item *o = parse_alloc(ctx, sizeof *o);
  if (!o) return NULL;
  o->expr = e;
  o->dir = dir;
  o->loc = kw ? span(e->loc, tokloc(kw)) : e->loc;
  return o;
}

parse_query *parse_values(parse_ctx *ctx, const parse_tok *x, const parse_list *rows) {
  parse_query *q = new_query(ctx, PARSE_Q_VALUES, tokloc(x));
  if (!q) return NULL;
  for (int32_t i = 0; i < rows->n; i++) {
    parse_expr *e = rows->items[i];
    if (!e) return NULL;
    parse_list *row = parse_alloc(ctx, sizeof *row);
    if (!row) return NULL;
    if (e->kind == PARSE_E_ROW)
      *row = e->u.row.items;
    else
      *row = parse_list_one(ctx, e);
    parse_list_add(ctx, &q->u.values.rows, row);
    q->loc = span(q->loc, e->loc);
  }
  return q;
}

parse_query *parse_select_make(parse_ctx *ctx, const parse_tok *x, bool stream, int quant,
                               const parse_list *items, parse_from *from, parse_expr *where,
                               const parse_groupby *g, parse_expr *having,
                               const parse_list *windows) {
  if (!from) return NULL;
  parse_query *q = new_query(ctx, PARSE_Q_SELECT, tokloc(x));
  if (!q) return NULL;
  parse_select *s = &q->u.select;
  s->stream = stream;
  s->quantifier = (parse_quantifier)quant;
  s->items = *items;
  s->from = from;
  s->where = where;
  s->group_by = g->exprs;
  s->stagger = g->stagger;
  s->having = having;
  s->windows = *windows;
  parse_loc l = span(q->loc, from->loc);
  if (where) l = span(l, where->loc);
  for (int32_t i = 0; i < g->exprs.n; i++)
    if (g->exprs.items[i]) l = span(l, ((parse_expr *)g->exprs.items[i])->loc);
  if (g->stagger) l = span(l, g->stagger->loc);
  if (having) l = span(l, having->loc);
  for (int32_t i = 0; i < windows->n; i++)
    if (windows->items[i]) l = span(l, ((parse_window *)windows->items[i])->loc);
  q->loc = l;
  return q;
}

parse_select_item *parse_select_item_make(parse_ctx *ctx, parse_expr *e, const parse_ident *alias) {
  if (!e) return NULL;
  parse_select_item *it = parse_alloc(ctx, sizeof *it);
  if (!it) return NULL;
  it->expr = e;
  it->alias = *alias;
  it->loc = alias->name ? span(e->loc, alias->loc) : e->loc;
  return it;
}

parse_select_item *parse_select_star(parse_ctx *ctx, const parse_list *qual,
                                     const parse_tok *star) {
  parse_loc loc = tokloc(star);
  if (qual && qual->n > 0) loc = span(((parse_ident *)qual->items[0])->loc, loc);
  parse_expr *e = new_expr(ctx, PARSE_E_STAR, loc);
  if (!e) return NULL;
  if (qual) e->u.column.parts = *qual;
  parse_ident none = parse_ident_none();
  return parse_select_item_make(ctx, e, &none);
}

parse_groupby parse_groupby_none(void) {
  parse_groupby g;
  memset(&g, 0, sizeof g);
  return g;
}

parse_groupby parse_groupby_list(parse_ctx *ctx, const parse_list *l) {
  parse_groupby g = parse_groupby_none();
  g.exprs = *l;
  (void)ctx;
  return g;
}

parse_groupby parse_groupby_stagger(parse_ctx *ctx, const parse_tok *x, const parse_list *part,
                                    parse_expr *range, const parse_tok *rp) {
  parse_groupby g = parse_groupby_none();
  parse_window *w = parse_alloc(ctx, sizeof *w);
  if (!w) return g;
  w->name = parse_ident_none();
  w->ref = parse_ident_none();
  w->parens = true;
  w->stagger = true;
  w->partition_by = *part;
  w->units = PARSE_FRAME_RANGE;
  w->start.kind = PARSE_BOUND_PRECEDING;
  w->start.offset = range;
  w->start.loc = exprloc(range, tokloc(x));
  w->loc = span(tokloc(x), tokloc(rp));
  g.stagger = w;
  return g;
}

/* ------------------------------------------------------------ windows -- */

parse_window *parse_window_make(parse_ctx *ctx, const parse_ident *base, const parse_list *part,
                                const parse_list *order, const parse_frame *frame) {
  parse_window *w = parse_alloc(ctx, sizeof *w);
  if (!w) return NULL;
  w->name = parse_ident_none();
  w->ref = *base;
  w->parens = true;
  w->partition_by = *part;
  w->order_by = *order;
  w->units = frame->units;
  w->between = frame->between;
  w->start = frame->start;
  w->end = frame->end;
  w->loc = frame->loc;
  return w;
}

parse_window *parse_window_named(parse_ctx *ctx, const parse_ident *name, parse_window *w,
                                 const parse_tok *rp) {
  (void)ctx;
  if (!w) return NULL;
  w->name = *name;
  w->loc = span(name->loc, tokloc(rp));
  return w;
}

parse_window *parse_window_ref(parse_ctx *ctx, const parse_tok *over, const parse_ident *name) {
  parse_window *w = parse_alloc(ctx, sizeof *w);
  if (!w) return NULL;
  w->name = parse_ident_none();
  w->ref = *name;
  w->parens = false;
  w->loc = span(tokloc(over), name->loc);
  return w;
}

parse_window *parse_window_parens(parse_ctx *ctx, const parse_tok *over, parse_window *w,
                                  const parse_tok *rp) {
  (void)ctx;
  if (!w) return NULL;
  w->parens = true;
  w->loc = span(tokloc(over), tokloc(rp));
  return w;
}

parse_frame parse_frame_none(void) {
  parse_frame f;
  memset(&f, 0, sizeof f);
  f.loc.off = -1;
  return f;
}

parse_frame parse_frame_make(parse_ctx *ctx, const parse_tok *x, parse_frame_units units,
                             const parse_bound *start, const parse_bound *end) {
  parse_frame f = parse_frame_none();
  (void)ctx;
  f.units = units;
  f.start = *start;
  f.loc = span(tokloc(x), start->loc);
  if (end) {
    f.between = true;
    f.end = *end;
    f.loc = span(f.loc, end->loc);
  }
  return f;
}

parse_bound parse_bound_make(parse_ctx *ctx, const parse_tok *first, parse_bound_kind kind,
                             parse_expr *offset, const parse_tok *last) {
  parse_bound b;
  (void)ctx;
  b.kind = kind;
  b.offset = offset;
  b.loc = span(first ? tokloc(first) : exprloc(offset, tokloc(last)), tokloc(last));
  return b;
}

/* --------------------------------------------------------------- FROM -- */

parse_jointype parse_jointype_make(parse_join_kind kind, int flags) {
  parse_jointype j = {kind, flags};
  return j;
}

parse_joincond parse_joincond_none(void) {
  parse_joincond c;
  memset(&c, 0, sizeof c);
  c.end.off = -1;
  return c;
}

parse_joincond parse_joincond_on(parse_expr *e) {
  parse_joincond c = parse_joincond_none();
  c.on = e;
  if (e) c.end = e->loc;
  return c;
}

parse_joincond parse_joincond_using(const parse_ident_list *l, const parse_tok *rp) {
  parse_joincond c = parse_joincond_none();
  c.has_using = true;
  c.using_ = *l;
  c.end = tokloc(rp);
  return c;
}

parse_from *parse_join_make(parse_ctx *ctx, parse_join_kind kind, int flags, parse_from *l,
                            parse_from *r, const parse_joincond *c) {
  if (!l || !r) return NULL;
  if (c && c->has_using == false && c->on == NULL && !(flags & PARSE_JF_NATURAL) &&
      kind != PARSE_JOIN_CROSS && kind != PARSE_JOIN_COMMA) {
    parse_fail(ctx, SLUICE_SYNTAX, endof(r->loc), "JOIN needs an ON or USING condition");
    return NULL;
  }
  parse_from *f = parse_alloc(ctx, sizeof *f);
  if (!f) return NULL;
  f->kind = PARSE_F_JOIN;
  f->alias = parse_ident_none();
  f->loc = span(l->loc, r->loc);
  f->u.join.kind = kind;
  f->u.join.natural = (flags & PARSE_JF_NATURAL) != 0;
  f->u.join.outer_kw = (flags & PARSE_JF_OUTER) != 0;
  f->u.join.inner_kw = (flags & PARSE_JF_INNER) != 0;
  f->u.join.left = l;
  f->u.join.right = r;
  if (c) {
    f->u.join.on = c->on;
    f->u.join.using_ = c->using_;
    if (c->end.off >= 0) f->loc = span(f->loc, c->end);
  }
  return f;
}

parse_talias parse_talias_none(void) {
  parse_talias a;
  memset(&a, 0, sizeof a);
  a.alias = parse_ident_none();
  a.end.off = -1;
  return a;
}

parse_talias parse_talias_make(const parse_ident *alias, const parse_ident_list *cols,
                               const parse_tok *rp) {
  parse_talias a = parse_talias_none();
  a.alias = *alias;
  a.end = alias->loc;
  if (cols) {
    a.cols = *cols;
    a.end = tokloc(rp);
  }
  return a;
}

static parse_from *new_from(parse_ctx *ctx, parse_from_kind kind, parse_loc loc,
                            const parse_talias *a) {
  parse_from *f = parse_alloc(ctx, sizeof *f);
  if (!f) return NULL;
  f->kind = kind;
  f->alias = a->alias;
  f->alias_cols = a->cols;
  f->loc = a->end.off >= 0 ? span(loc, a->end) : loc;
  return f;
}

parse_from *parse_from_stream(parse_ctx *ctx, const parse_ident *name, parse_window *w,
                              const parse_talias *a) {
  parse_loc loc = name->loc;
  if (w) loc = span(loc, w->loc);
  parse_from *f = new_from(ctx, PARSE_F_STREAM, loc, a);
  if (!f) return NULL;
  f->u.stream.name = *name;
  f->u.stream.window = w;
  return f;
}

parse_from *parse_from_subquery(parse_ctx *ctx, const parse_tok *lp, parse_query *q,
                                const parse_tok *rp, const parse_talias *a) {
  if (!q) return NULL;
  parse_from *f = new_from(ctx, PARSE_F_SUBQUERY, span(tokloc(lp), tokloc(rp)), a);
  if (!f) return NULL;
  f->u.subquery.query = q;
  return f;
}

parse_from *parse_from_table_func(parse_ctx *ctx, const parse_tok *x, parse_expr *call,
                                  const parse_tok *rp, const parse_talias *a) {
  if (!call) return NULL;
  if (call->kind != PARSE_E_CALL) {
    parse_fail(ctx, SLUICE_SYNTAX, call->loc.off, "TABLE(...) needs a table function call");
    return NULL;
  }
  parse_from *f = new_from(ctx, PARSE_F_TABLE_FUNC, span(tokloc(x), tokloc(rp)), a);
  if (!f) return NULL;
  f->u.table_func.call = call;
  return f;
}

/* -------------------------------------------------------------- types -- */

static parse_typeloc typeloc(core_type_id id, parse_loc loc) {
  parse_typeloc t;
  memset(&t, 0, sizeof t);
  t.t.id = (uint8_t)id;
  t.loc = loc;
  return t;
}

parse_typeloc parse_type_simple(parse_ctx *ctx, const parse_tok *x, core_type_id id) {
  (void)ctx;
  return typeloc(id, tokloc(x));
}

parse_typeloc parse_type_simple2(parse_ctx *ctx, const parse_tok *x, const parse_tok *y,
                                 core_type_id id) {
  (void)ctx;
  return typeloc(id, span(tokloc(x), tokloc(y)));
}

static bool tok_int(parse_ctx *ctx, const parse_tok *t, int64_t lo, int64_t hi, int64_t *out,
                    const char *what) {
  if (!parse_int_token(ctx->text + t->off, (size_t)t->len, out) || *out < lo || *out > hi) {
    parse_fail(ctx, SLUICE_SYNTAX, t->off, "%s must be between %lld and %lld", what, (long long)lo,
               (long long)hi);
    return false;
  }
  return true;
}

parse_typeloc parse_type_decimal(parse_ctx *ctx, const parse_tok *x, const parse_tok *p,
                                 const parse_tok *s, const parse_tok *last) {
  parse_typeloc t = typeloc(CORE_T_DECIMAL, span(tokloc(x), tokloc(last)));
  int64_t pv = 18, sv = 0;
  if (p && !tok_int(ctx, p, 1, 19, &pv, "DECIMAL precision")) return t;
  if (s && !tok_int(ctx, s, 0, pv, &sv, "DECIMAL scale")) return t;
  t.t.precision = (int32_t)pv;
  t.t.scale = (int32_t)sv;
  return t;
}

parse_typeloc parse_type_length(parse_ctx *ctx, const parse_tok *x, core_type_id id,
                                const parse_tok *n, const parse_tok *last) {
  parse_typeloc t = typeloc(id, span(tokloc(x), tokloc(last)));
  int64_t v = (id == CORE_T_CHAR || id == CORE_T_BINARY) ? 1 : 0;
  if (n) {
    char what[40];
    snprintf(what, sizeof what, "the length of %s", core_type_name(id));
    if (!tok_int(ctx, n, 1, 65534, &v, what)) return t;
  }
  t.t.precision = (int32_t)v;
  return t;
}

parse_typeloc parse_type_interval(parse_ctx *ctx, const parse_tok *x, const parse_typeloc *q) {
  (void)ctx;
  parse_typeloc t = *q;
  t.loc = span(tokloc(x), q->loc);
  return t;
}

parse_iprec parse_iprec_none(void) {
  parse_iprec p;
  memset(&p, 0, sizeof p);
  return p;
}

parse_iprec parse_iprec_make(const parse_tok *lp, const parse_tok *p, const parse_tok *s,
                             const parse_tok *rp) {
  parse_iprec r = parse_iprec_none();
  r.present = true;
  r.p = *p;
  if (s) {
    r.has_scale = true;
    r.s = *s;
  }
  r.loc = span(tokloc(lp), tokloc(rp));
  return r;
}

static const char *unit_names[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};

parse_typeloc parse_iqual(parse_ctx *ctx, const parse_tok *start, const parse_iprec *sp,
                          const parse_tok *end, const parse_iprec *ep) {
  int su = parse_unit_from_word(ctx->text + start->off, (size_t)start->len);
  int eu = end ? parse_unit_from_word(ctx->text + end->off, (size_t)end->len) : CORE_IU_NONE;
  parse_loc loc = tokloc(start);
  if (sp->present) loc = span(loc, sp->loc);
  if (end) loc = span(loc, tokloc(end));
  if (ep && ep->present) loc = span(loc, ep->loc);
  parse_typeloc t = typeloc(CORE_T_INTERVAL_DT, loc);
  if (end) {
    bool ok = eu > su && !(su <= CORE_IU_MONTH && eu > CORE_IU_MONTH) && su != CORE_IU_MONTH;
    if (!ok) {
      parse_fail(ctx, SLUICE_SYNTAX, start->off, "invalid interval qualifier %s TO %s",
                 unit_names[su], unit_names[eu]);
      return t;
    }
  }
  int64_t prec = 0, scale = -1;
  if (sp->present) {
    if (!tok_int(ctx, &sp->p, 1, 9, &prec, "an interval's leading precision")) return t;
    if (sp->has_scale) {
      if (su != CORE_IU_SECOND || end) {
        parse_fail(ctx, SLUICE_SYNTAX, sp->s.off,
                   "only a single SECOND field takes a fractional precision here");
        return t;
      }
      if (!tok_int(ctx, &sp->s, 0, 9, &scale, "the fractional second precision")) return t;
    }
  }
  if (ep && ep->present) {
    if (eu != CORE_IU_SECOND || ep->has_scale) {
      parse_fail(ctx, SLUICE_SYNTAX, ep->loc.off, "only a trailing SECOND field takes a precision");
      return t;
    }
    if (!tok_int(ctx, &ep->p, 0, 9, &scale, "the fractional second precision")) return t;
  }
  t.t = parse_interval_type(su, eu, (int32_t)prec, (int32_t)scale);
  return t;
}

/* -------------------------------------------------------- expressions -- */

parse_expr *parse_literal_tok(parse_ctx *ctx, const parse_tok *t) {
  parse_expr *e = new_expr(ctx, PARSE_E_LITERAL, tokloc(t));
  if (!e) return NULL;
  if (parse_decode_literal(ctx, t, &e->u.lit) != SLUICE_OK) return NULL;
  return e;
}

parse_expr *parse_column(parse_ctx *ctx, const parse_list *parts) {
  if (parts->n == 0 || !parts->items[0]) return NULL;
  parse_loc loc = ((parse_ident *)parts->items[0])->loc;
  if (parts->items[parts->n - 1]) loc = span(loc, ((parse_ident *)parts->items[parts->n - 1])->loc);
  parse_expr *e = new_expr(ctx, PARSE_E_COLUMN, loc);
  if (!e) return NULL;
  e->u.column.parts = *parts;
  return e;
}

parse_expr *parse_parens(parse_ctx *ctx, const parse_tok *lp, parse_expr *e, const parse_tok *rp) {
  (void)ctx;
  if (!e) return NULL;
  e->loc = span(tokloc(lp), tokloc(rp));
  return e;
}

parse_expr *parse_row(parse_ctx *ctx, const parse_tok *x, parse_expr *first, const parse_list *rest,
                      const parse_tok *rp, int row_kw) {
  parse_expr *e = new_expr(ctx, PARSE_E_ROW, span(tokloc(x), tokloc(rp)));
  if (!e) return NULL;
  e->u.row.row_kw = row_kw != 0;
  if (first) parse_list_add(ctx, &e->u.row.items, first);
  for (int32_t i = 0; i < rest->n; i++) parse_list_add(ctx, &e->u.row.items, rest->items[i]);
  return e;
}

parse_expr *parse_subquery(parse_ctx *ctx, parse_expr_kind kind, const parse_tok *x, parse_query *q,
                           const parse_tok *rp) {
  if (!q) return NULL;
  parse_expr *e = new_expr(ctx, kind, span(tokloc(x), tokloc(rp)));
  if (!e) return NULL;
  e->u.subquery.query = q;
  return e;
}

parse_expr *parse_datetime_diff(parse_ctx *ctx, const parse_tok *lp, parse_expr *in,
                                const parse_typeloc *q) {
  if (!in) return NULL;
  if (in->kind != PARSE_E_BINARY || in->u.binary.op != PARSE_OP_SUB) {
    parse_fail(ctx, SLUICE_SYNTAX, q->loc.off,
               "an interval qualifier after a parenthesized expression needs a datetime "
               "difference such as (a - b) SECOND");
    return NULL;
  }
  parse_expr *e = new_expr(ctx, PARSE_E_DATETIME_DIFF, span(tokloc(lp), q->loc));
  if (!e) return NULL;
  e->u.diff.left = in->u.binary.left;
  e->u.diff.right = in->u.binary.right;
  e->u.diff.qualifier = q->t;
  return e;
}

static parse_expr *new_call(parse_ctx *ctx, parse_ident name, parse_call_form form, parse_loc loc) {
  parse_expr *e = new_expr(ctx, PARSE_E_CALL, loc);
  if (!e) return NULL;
  e->u.call.name = name;
  e->u.call.form = form;
  return e;
}

parse_expr *parse_call(parse_ctx *ctx, const parse_ident *name, int quant, const parse_list *args,
                       bool star, const parse_tok *rp) {
  parse_loc loc = span(name->loc, tokloc(rp));
  /* PERIOD(start, end) of the temporal predicates (spec 2.6) is a row, not a
   * call; PERIOD stays usable as a name, which a keyword would not allow. */
  if (!name->quoted && name->name && !strcmp(name->name, "PERIOD") && quant == PARSE_Q_NONE &&
      !star && args && args->n == 2) {
    parse_expr *e = new_expr(ctx, PARSE_E_ROW, loc);
    if (!e) return NULL;
    e->u.row.period_kw = true;
    e->u.row.items = *args;
    return e;
  }
  parse_expr *e = new_call(ctx, *name, PARSE_CALL_PLAIN, loc);
  if (!e) return NULL;
  e->u.call.quantifier = (parse_quantifier)quant;
  e->u.call.star = star;
  if (args) e->u.call.args = *args;
  return e;
}

parse_expr *parse_call_finish(parse_ctx *ctx, parse_expr *call, int nth_from, const int *nulls,
                              parse_window *over) {
  if (!call) return NULL;
  if (call->kind != PARSE_E_CALL) {
    if (*nulls != PARSE_NULLS_NONE || over || nth_from != PARSE_NTH_NONE)
      parse_fail(ctx, SLUICE_SYNTAX, call->loc.off, "PERIOD(start, end) cannot have OVER");
    return call;
  }
  call->u.call.nulls = (parse_null_treatment)*nulls;
  call->u.call.nth_from = (parse_nth_from)nth_from;
  call->u.call.over = over;
  if (over) call->loc = span(call->loc, over->loc);
  return call;
}

parse_expr *parse_call_niladic(parse_ctx *ctx, const parse_tok *x) {
  return new_call(ctx, parse_ident_tok(ctx, x), PARSE_CALL_NO_PARENS, tokloc(x));
}

parse_expr *parse_call_unit(parse_ctx *ctx, const parse_tok *x, parse_call_form form,
                            const parse_tok *unit, parse_expr *arg, const parse_tok *rp) {
  if (!arg) return NULL;
  parse_expr *e = new_call(ctx, parse_ident_tok(ctx, x), form, span(tokloc(x), tokloc(rp)));
  if (!e) return NULL;
  e->u.call.unit = (uint8_t)parse_unit_from_word(ctx->text + unit->off, (size_t)unit->len);
  parse_list_add(ctx, &e->u.call.args, arg);
  return e;
}

parse_expr *parse_call_special(parse_ctx *ctx, const parse_tok *x, parse_call_form form,
                               const parse_list *args, const parse_tok *rp) {
  parse_expr *e = new_call(ctx, parse_ident_tok(ctx, x), form, span(tokloc(x), tokloc(rp)));
  if (!e) return NULL;
  e->u.call.args = *args;
  return e;
}

parse_expr *parse_call2(parse_ctx *ctx, const parse_tok *x, parse_call_form form, parse_expr *a,
                        parse_expr *b, parse_expr *c, parse_expr *d, const parse_tok *rp) {
  parse_expr *e = new_call(ctx, parse_ident_tok(ctx, x), form, span(tokloc(x), tokloc(rp)));
  if (!e) return NULL;
  parse_expr *args[4] = {a, b, c, d};
  for (int i = 0; i < 4 && args[i]; i++) parse_list_add(ctx, &e->u.call.args, args[i]);
  return e;
}

parse_expr *parse_trim(parse_ctx *ctx, const parse_tok *x, int spec, parse_expr *chars,
                       parse_expr *src, const parse_tok *rp) {
  parse_expr *e = parse_call2(ctx, x, PARSE_CALL_TRIM, src, chars, NULL, NULL, rp);
  if (e) e->u.call.trim = (parse_trim_spec)spec;
  return e;
}

parse_expr *parse_cast(parse_ctx *ctx, const parse_tok *x, parse_expr *arg, const parse_typeloc *t,
                       const parse_tok *rp) {
  if (!arg) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_CAST, span(tokloc(x), tokloc(rp)));
  if (!e) return NULL;
  e->u.cast.arg = arg;
  e->u.cast.type = t->t;
  return e;
}

parse_expr *parse_case(parse_ctx *ctx, const parse_tok *x, parse_expr *operand,
                       const parse_list *whens, parse_expr *else_, const parse_tok *end) {
  parse_expr *e = new_expr(ctx, PARSE_E_CASE, span(tokloc(x), tokloc(end)));
  if (!e) return NULL;
  e->u.case_.operand = operand;
  e->u.case_.whens = *whens;
  e->u.case_.else_ = else_;
  return e;
}

parse_when *parse_when_make(parse_ctx *ctx, const parse_tok *x, parse_expr *c, parse_expr *r) {
  if (!c || !r) return NULL;
  parse_when *w = parse_alloc(ctx, sizeof *w);
  if (!w) return NULL;
  w->when = c;
  w->then = r;
  w->loc = span(tokloc(x), r->loc);
  return w;
}

/* The operand an operator node's text starts with (NULL for prefix operators). */
static const parse_expr *first_operand(const parse_expr *e) {
  switch (e->kind) {
    case PARSE_E_BINARY:
      return e->u.binary.left;
    case PARSE_E_IS:
      return e->u.is.arg;
    case PARSE_E_BETWEEN:
      return e->u.between.arg;
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
      return e->u.in.arg;
    case PARSE_E_LIKE:
      return e->u.like.arg;
    case PARSE_E_PERIOD_PRED:
      return e->u.period.left;
    default:
      return NULL;
  }
}

/* True if e was written in parentheses: parse_parens() then widened its
 * location to the `(`, before the start of its first operand or keyword. */
static bool written_in_parens(const parse_ctx *ctx, const parse_expr *e) {
  const parse_expr *first = first_operand(e);
  if (first) return e->loc.off < first->loc.off;
  return ctx->text[e->loc.off] == '(';
}

/* Offset of the first token at or after off (re-lexed: the text there has
 * been lexed once already, so this cannot fail). */
static parse_tok token_at(const parse_ctx *ctx, int32_t off) {
  core_error scratch;
  parse_lexer lx;
  parse_tok t = {0, 0, off, 0};
  parse_lexer_init(&lx, ctx->text, ctx->len, &scratch);
  lx.cur = ctx->text + off;
  if (parse_lex(&lx, &t) != SLUICE_OK) t.len = 0;
  return t;
}

/*
 * LALR precedence only settles conflicts, so a few forms parse although an
 * operand binds more loosely than its place allows: a postfix predicate on the
 * left of a tighter operator (`a IS NULL + 1`, `a IN (1) IN (2)`), a prefix
 * NOT on the right of one (`a = NOT b`), or anything between BETWEEN and its
 * AND (`a BETWEEN b = c AND d`). Standard SQL has none of them; they are
 * syntax errors here unless the operand is written in parentheses (which is
 * also what the printer writes, so printing never adds nesting).
 */
static parse_expr *check_operands(parse_ctx *ctx, parse_expr *e) {
  const parse_expr *ops[4] = {NULL, NULL, NULL, NULL};
  switch (e->kind) {
    case PARSE_E_UNARY:
      ops[1] = e->u.unary.arg;
      break;
    case PARSE_E_BINARY:
      ops[0] = e->u.binary.left, ops[1] = e->u.binary.right;
      break;
    case PARSE_E_IS:
      ops[0] = e->u.is.arg;
      break;
    case PARSE_E_BETWEEN:
      ops[0] = e->u.between.arg, ops[1] = e->u.between.low, ops[2] = e->u.between.high;
      break;
    case PARSE_E_IN_LIST:
    case PARSE_E_IN_QUERY:
      ops[0] = e->u.in.arg;
      break;
    case PARSE_E_LIKE:
      ops[0] = e->u.like.arg, ops[1] = e->u.like.pattern, ops[2] = e->u.like.escape;
      break;
    case PARSE_E_PERIOD_PRED:
      ops[0] = e->u.period.left, ops[1] = e->u.period.right;
      break;
    default:
      return e;
  }
  for (int i = 0; i < 4; i++) {
    const parse_expr *x = ops[i];
    if (!x || !parse_operand_needs_parens(e, x) || written_in_parens(ctx, x)) continue;
    if (ctx->rc != SLUICE_OK) return NULL;
    /* the error is at e's operator (x on its left) or at x's own operator */
    const parse_expr *xf = first_operand(x);
    parse_tok t = i == 0 ? token_at(ctx, x->loc.off + x->loc.len)
                  : xf   ? token_at(ctx, xf->loc.off + xf->loc.len)
                         : token_at(ctx, x->loc.off);
    int n = t.len > 40 ? 40 : t.len;
    parse_fail(ctx, SLUICE_SYNTAX, t.off, "syntax error at or near \"%.*s\"", n, ctx->text + t.off);
    core_error_hint(ctx->err, "Write the operand in parentheses.");
    return NULL;
  }
  return e;
}

parse_expr *parse_binary(parse_ctx *ctx, parse_op op, parse_expr *l, parse_expr *r) {
  if (!l || !r) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_BINARY, span(l->loc, r->loc));
  if (!e) return NULL;
  e->u.binary.op = op;
  e->u.binary.left = l;
  e->u.binary.right = r;
  return check_operands(ctx, e);
}

parse_expr *parse_unary(parse_ctx *ctx, const parse_tok *x, parse_op op, parse_expr *arg) {
  if (!arg) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_UNARY, span(tokloc(x), arg->loc));
  if (!e) return NULL;
  e->u.unary.op = op;
  e->u.unary.arg = arg;
  return check_operands(ctx, e);
}

parse_expr *parse_is(parse_ctx *ctx, parse_expr *arg, bool negated, parse_is_what what,
                     const parse_tok *last) {
  if (!arg) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_IS, span(arg->loc, tokloc(last)));
  if (!e) return NULL;
  e->u.is.arg = arg;
  e->u.is.what = what;
  e->u.is.negated = negated;
  return check_operands(ctx, e);
}

parse_expr *parse_between(parse_ctx *ctx, parse_expr *arg, bool negated, int sym, parse_expr *lo,
                          parse_expr *hi) {
  if (!arg || !lo || !hi) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_BETWEEN, span(arg->loc, hi->loc));
  if (!e) return NULL;
  e->u.between.arg = arg;
  e->u.between.low = lo;
  e->u.between.high = hi;
  e->u.between.negated = negated;
  e->u.between.symmetric = sym == 1;
  e->u.between.asymmetric_kw = sym == 2;
  return check_operands(ctx, e);
}

parse_expr *parse_in_list(parse_ctx *ctx, parse_expr *arg, bool negated, const parse_list *l,
                          const parse_tok *rp) {
  if (!arg) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_IN_LIST, span(arg->loc, tokloc(rp)));
  if (!e) return NULL;
  e->u.in.arg = arg;
  e->u.in.list = *l;
  e->u.in.negated = negated;
  return check_operands(ctx, e);
}

parse_expr *parse_in_query(parse_ctx *ctx, parse_expr *arg, bool negated, parse_query *q,
                           const parse_tok *rp) {
  if (!arg || !q) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_IN_QUERY, span(arg->loc, tokloc(rp)));
  if (!e) return NULL;
  e->u.in.arg = arg;
  e->u.in.query = q;
  e->u.in.negated = negated;
  return check_operands(ctx, e);
}

parse_expr *parse_like(parse_ctx *ctx, parse_expr *arg, int kind, parse_expr *pat,
                       parse_expr *esc) {
  if (!arg || !pat) return NULL;
  parse_expr *e = new_expr(ctx, PARSE_E_LIKE, span(arg->loc, esc ? esc->loc : pat->loc));
  if (!e) return NULL;
  e->u.like.arg = arg;
  e->u.like.pattern = pat;
  e->u.like.escape = esc;
  e->u.like.negated = kind == 1 || kind == 3;
  e->u.like.similar = kind >= 2;
  return check_operands(ctx, e);
}

parse_ppop parse_ppop_make(const parse_tok *x, parse_period_op op, int flags) {
  parse_ppop p;
  p.tok = *x;
  p.op = op;
  p.strictly = (flags & 1) != 0;
  p.immediately = (flags & 2) != 0;
  return p;
}

static parse_expr *period_pred(parse_ctx *ctx, const parse_ppop *op, parse_expr *l, parse_expr *r) {
  parse_expr *e = new_expr(ctx, PARSE_E_PERIOD_PRED, span(l->loc, r->loc));
  if (!e) return NULL;
  e->u.period.op = op->op;
  e->u.period.left = l;
  e->u.period.right = r;
  e->u.period.strictly = op->strictly;
  e->u.period.immediately = op->immediately;
  return check_operands(ctx, e);
}

parse_expr *parse_period_pred(parse_ctx *ctx, const parse_ppop *op, parse_expr *l, parse_expr *r) {
  if (!l || !r) return NULL;
  if (op->strictly && op->immediately) {
    parse_fail(ctx, SLUICE_SYNTAX, op->tok.off, "STRICTLY and IMMEDIATELY cannot be combined");
    return NULL;
  }
  /* A chain p1 PRECEDES p2 PRECEDES p3 means p1 PRECEDES p2 AND p2 PRECEDES p3
   * (spec 2.6); the middle period is shared by both predicates. */
  if (l->kind == PARSE_E_PERIOD_PRED) {
    parse_expr *second = period_pred(ctx, op, l->u.period.right, r);
    return parse_binary(ctx, PARSE_OP_AND, l, second);
  }
  if (l->kind == PARSE_E_BINARY && l->u.binary.op == PARSE_OP_AND && l->u.binary.right &&
      l->u.binary.right->kind == PARSE_E_PERIOD_PRED && endof(l->loc) <= r->loc.off &&
      l->loc.off == l->u.binary.left->loc.off && l->u.binary.left->kind == PARSE_E_PERIOD_PRED &&
      l->u.binary.right->u.period.left == l->u.binary.left->u.period.right) {
    parse_expr *second = period_pred(ctx, op, l->u.binary.right->u.period.right, r);
    return parse_binary(ctx, PARSE_OP_AND, l, second);
  }
  return period_pred(ctx, op, l, r);
}

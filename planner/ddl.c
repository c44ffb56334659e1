/*
 * ddl.c — plan_execute(): binds, validates and applies DDL statements to the
 * catalog inside one catalog transaction (a failing statement leaves the
 * catalog as it was).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "planner/bind.h"

static const char *slice(core_arena *a, const char *text, parse_loc loc) {
  return core_arena_strndup(a, text + loc.off, (size_t)loc.len);
}

/* A column or parameter type as written in DDL: lengths and precisions in range. */
static int check_ddl_type(binder *b, parse_loc loc, core_type *t, bool allow_interval) {
  switch (t->id) {
    case CORE_T_CHAR:
    case CORE_T_VARCHAR:
    case CORE_T_BINARY:
    case CORE_T_VARBINARY:
      if (t->precision == 0) {
        t->precision = PLAN_VARCHAR_MAX; /* [IMPL] VARCHAR without a length */
      } else if (t->precision < 1 || t->precision >= 65535) {
        return bind_fail(b, loc, SLUICE_SEMANTIC, "length of %s must be between 1 and 65534",
                         core_type_name((core_type_id)t->id));
      }
      break;
    case CORE_T_DECIMAL:
      /* spec 7.4 #1: DDL accepts 19 digits, arithmetic caps at 18 */
      if (t->precision < 1 || t->precision > 19)
        return bind_fail(b, loc, SLUICE_SEMANTIC, "DECIMAL precision must be between 1 and 19");
      if (t->scale < 0 || t->scale > t->precision)
        return bind_fail(b, loc, SLUICE_SEMANTIC,
                         "DECIMAL scale must be between 0 and the precision");
      break;
    case CORE_T_INTERVAL_YM:
    case CORE_T_INTERVAL_DT:
      if (!allow_interval)
        return bind_fail(b, loc, SLUICE_SEMANTIC, "a column cannot have an INTERVAL type");
      break;
    default:
      break;
  }
  return SLUICE_OK;
}

/* Catalog errors point at the statement's object name. */
static int at(core_error *err, int rc, parse_loc loc) {
  if (rc != SLUICE_OK && err->location < 0) core_error_at(err, loc.off);
  return rc;
}

static int stream_columns(binder *b, const parse_list *defs, catalog_column **out) {
  catalog_column *cols = core_arena_zalloc(b->ctx->arena, sizeof *cols * (size_t)(defs->n + 1));
  if (!cols) return bind_oom(b);
  for (int i = 0; i < defs->n; i++) {
    const parse_column_def *d = defs->items[i];
    if (strcmp(d->name.name, "ROWTIME") == 0)
      return bind_fail(b, d->name.loc, SLUICE_SEMANTIC,
                       "ROWTIME is a system column and cannot be declared");
    for (int j = 0; j < i; j++) {
      const parse_column_def *o = defs->items[j];
      if (strcmp(o->name.name, d->name.name) == 0)
        return bind_fail(b, d->name.loc, SLUICE_SEMANTIC, "column \"%s\" specified more than once",
                         d->name.name);
    }
    cols[i].name = d->name.name;
    cols[i].type = d->type;
    int rc = check_ddl_type(b, d->loc, &cols[i].type, false);
    if (rc) return rc;
  }
  *out = cols;
  return SLUICE_OK;
}

static int input_columns(binder *b, const parse_list *defs, bool json, catalog_column **out) {
  catalog_column *cols = core_arena_zalloc(b->ctx->arena, sizeof *cols * (size_t)(defs->n + 1));
  if (!cols) return bind_oom(b);
  for (int i = 0; i < defs->n; i++) {
    const parse_input_column *d = defs->items[i];
    if (strcmp(d->name.name, "ROWTIME") == 0)
      return bind_fail(b, d->name.loc, SLUICE_SEMANTIC,
                       "ROWTIME is a system column and cannot be declared");
    for (int j = 0; j < i; j++) {
      const parse_input_column *o = defs->items[j];
      if (strcmp(o->name.name, d->name.name) == 0)
        return bind_fail(b, d->name.loc, SLUICE_SEMANTIC, "column \"%s\" specified more than once",
                         d->name.name);
    }
    if (json && !d->path)
      return bind_fail(b, d->loc, SLUICE_SEMANTIC, "JSON column \"%s\" needs a PATH", d->name.name);
    if (!json && d->path)
      return bind_fail(b, d->loc, SLUICE_SEMANTIC,
                       "CSV column \"%s\" cannot have a PATH: CSV columns are positional",
                       d->name.name);
    cols[i].name = d->name.name;
    cols[i].type = d->type;
    cols[i].type.not_null = 0;
    cols[i].mapping = d->path;
    int rc = check_ddl_type(b, d->loc, &cols[i].type, false);
    if (rc) return rc;
  }
  *out = cols;
  return SLUICE_OK;
}

static catalog_record_format format_of(const parse_format *f) {
  catalog_record_format r;
  memset(&r, 0, sizeof r);
  if (f->kind == PARSE_FORMAT_CSV) {
    r.type = CATALOG_FORMAT_CSV;
    r.row_delimiter = f->row_delimiter ? f->row_delimiter : "\n";
    r.col_delimiter = f->column_delimiter ? f->column_delimiter : ",";
  } else {
    r.type = CATALOG_FORMAT_JSON;
    r.row_path = f->row_path ? f->row_path : "$";
  }
  return r;
}

static int execute(binder *b, const parse_stmt *st, plan_stmt **out) {
  const plan_ctx *ctx = b->ctx;
  core_error *err = b->err;
  int rc;
  switch (st->kind) {
    case PARSE_S_CREATE_STREAM: {
      catalog_column *cols = NULL;
      if ((rc = stream_columns(b, &st->u.create_stream.columns, &cols))) return rc;
      rc = catalog_stream_create(
          ctx->cat, ctx->app, st->u.create_stream.name.name, st->u.create_stream.description, cols,
          st->u.create_stream.columns.n, st->u.create_stream.or_replace, NULL, err);
      return at(err, rc, st->u.create_stream.name.loc);
    }
    case PARSE_S_CREATE_PUMP: {
      plan_stmt *ps;
      if ((rc = plan_bind(ctx, st, &ps, err))) return rc;
      const char *sql = slice(ctx->arena, st->text, st->loc);
      if (!sql) return bind_oom(b);
      rc = catalog_pump_create(ctx->cat, ctx->app, st->u.create_pump.name.name,
                               st->u.create_pump.description, sql, ps->insert->target->name,
                               ps->insert->sources, ps->insert->nsources,
                               st->u.create_pump.or_replace, NULL, err);
      if (rc == SLUICE_OK && out) *out = ps;
      return at(err, rc, st->u.create_pump.name.loc);
    }
    case PARSE_S_CREATE_FUNCTION: {
      const char *name = st->u.create_function.name.name;
      if (fn_lookup(name))
        return bind_fail(b, st->u.create_function.name.loc, SLUICE_SEMANTIC,
                         "function \"%s\" is a built-in function", name);
      const parse_list *params = &st->u.create_function.params;
      catalog_param *cp =
          core_arena_zalloc(ctx->arena, sizeof *cp * (size_t)(params->n ? params->n : 1));
      if (!cp) return bind_oom(b);
      for (int i = 0; i < params->n; i++) {
        const parse_column_def *d = params->items[i];
        cp[i].name = d->name.name;
        cp[i].type = d->type;
        if ((rc = check_ddl_type(b, d->loc, &cp[i].type, true))) return rc;
      }
      core_type ret = st->u.create_function.returns;
      if ((rc = check_ddl_type(b, st->loc, &ret, true))) return rc;
      plan_stmt *ps;
      if ((rc = plan_bind(ctx, st, &ps, err))) return rc;
      catalog_function f;
      memset(&f, 0, sizeof f);
      f.name = name;
      f.specific = st->u.create_function.specific.name;
      f.nparams = params->n;
      f.params = cp;
      f.returns = ret;
      f.body = slice(ctx->arena, st->text, st->u.create_function.body->loc);
      f.sql = slice(ctx->arena, st->text, st->loc);
      f.deterministic = st->u.create_function.deterministic != 0;
      f.null_on_null = st->u.create_function.null_call == 1;
      if (!f.body || !f.sql) return bind_oom(b);
      rc = catalog_function_create(ctx->cat, ctx->app, &f, st->u.create_function.or_replace, NULL,
                                   err);
      if (rc == SLUICE_OK && out) *out = ps;
      return at(err, rc, st->u.create_function.name.loc);
    }
    case PARSE_S_CREATE_INPUT: {
      catalog_input in;
      memset(&in, 0, sizeof in);
      in.name_prefix = st->u.create_input.name_prefix.name;
      in.source_stream = st->u.create_input.source.name;
      in.parallelism = st->u.create_input.parallelism ? st->u.create_input.parallelism : 1;
      in.format = format_of(&st->u.create_input.format);
      in.ncolumns = st->u.create_input.columns.n;
      if ((rc = input_columns(b, &st->u.create_input.columns, in.format.type == CATALOG_FORMAT_JSON,
                              &in.columns)))
        return rc;
      switch (st->u.create_input.start) {
        case PARSE_START_TRIM_HORIZON:
          in.start = CATALOG_START_TRIM_HORIZON;
          break;
        case PARSE_START_LAST_STOPPED_POINT:
          in.start = CATALOG_START_LAST_STOPPED_POINT;
          break;
        case PARSE_START_TIMESTAMP:
          in.start = CATALOG_START_TIMESTAMP;
          in.start_ms = st->u.create_input.start_ms;
          break;
        default:
          in.start = CATALOG_START_NOW;
          break;
      }
      rc = catalog_input_create(ctx->cat, ctx->app, &in, NULL, err);
      return at(err, rc, st->u.create_input.name_prefix.loc);
    }
    case PARSE_S_CREATE_OUTPUT: {
      int fmt = st->u.create_output.format.kind == PARSE_FORMAT_CSV ? CATALOG_FORMAT_CSV
                                                                    : CATALOG_FORMAT_JSON;
      rc = catalog_output_create(ctx->cat, ctx->app, st->u.create_output.name.name,
                                 st->u.create_output.from.name, st->u.create_output.target.name,
                                 fmt, NULL, err);
      return at(err, rc, st->u.create_output.name.loc);
    }
    case PARSE_S_CREATE_REFERENCE_TABLE: {
      catalog_reference r;
      memset(&r, 0, sizeof r);
      r.name = st->u.create_reference_table.name.name;
      r.file = st->u.create_reference_table.file;
      r.format = format_of(&st->u.create_reference_table.format);
      r.ncolumns = st->u.create_reference_table.columns.n;
      if ((rc = input_columns(b, &st->u.create_reference_table.columns,
                              r.format.type == CATALOG_FORMAT_JSON, &r.columns)))
        return rc;
      rc = catalog_reference_create(ctx->cat, ctx->app, &r, NULL, err);
      return at(err, rc, st->u.create_reference_table.name.loc);
    }
    default:
      return bind_fail(b, st->loc, SLUICE_INVALID, "%s is not a DDL statement",
                       parse_stmt_kind_name(st->kind));
  }
}

int plan_execute(const plan_ctx *ctx, const parse_stmt *stmt, plan_stmt **out, core_error *err) {
  binder bb = {.ctx = ctx, .err = err, .text = stmt->text};
  if (out) *out = NULL;
  core_error_clear(err);
  bool own = !catalog_in_transaction(ctx->cat);
  int rc;
  if (own && (rc = catalog_begin(ctx->cat, err))) return rc;
  rc = execute(&bb, stmt, out);
  if (!own) {
    /* the caller's transaction: a failed call already rolled back its own changes */
    return rc;
  }
  if (rc == SLUICE_OK) return catalog_commit(ctx->cat, err);
  core_error e2;
  catalog_rollback(ctx->cat, &e2);
  return rc;
}

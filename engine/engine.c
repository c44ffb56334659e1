/*
 * engine.c — the facade behind include/sluice.h: an engine is a catalog handle
 * opened on a data directory plus the application whose names its statements
 * see. sluice_exec() parses a script, then binds / validates / executes each
 * statement through planner/; EXPLAIN prints the bound tree; queries are
 * bound and validated and then refused with SLUICE_UNSUPPORTED until the
 * streaming engine (exec/) exists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sluice.h"
#include "catalog/catalog.h"
#include "core/core.h"
#include "engine/engine.h"
#include "engine/runtime.h"
#include "parser/parser.h"
#include "planner/planner.h"

struct sluice_engine {
  catalog *cat;
  runtime *rt; /* the store and the running inputs, pumps and outputs */
  bool test_clock;
  int64_t app;
  bool strict;
  bool roundtrip;
  core_arena *arena; /* one call's parse, plan and rows; reset at the start of each call */
  core_error err;
  char errtext[4096]; /* core_error_format() of err against the failing text */
};

/* Records err (already filled) as the engine's last error, formatted against text. */
static int fail(sluice_engine *e, const char *text) {
  if (e->err.code == SLUICE_OK) e->err.code = SLUICE_INTERNAL;
  core_error_format(&e->err, text, e->errtext, sizeof e->errtext);
  size_t n = strlen(e->errtext);
  if (n && e->errtext[n - 1] == '\n') e->errtext[n - 1] = 0;
  return e->err.code;
}

/* Every API call starts with no error and an empty arena. An engine whose
 * sluice_open() failed keeps its error and refuses every call but close. */
static int start(sluice_engine *e) {
  if (!e->cat || !e->arena) {
    if (e->err.code == SLUICE_OK) core_error_set(&e->err, SLUICE_STATE, "the engine is not open");
    return SLUICE_STATE;
  }
  core_error_clear(&e->err);
  e->errtext[0] = 0;
  core_arena_reset(e->arena);
  return SLUICE_OK;
}

int sluice_open(const char *data_dir, const sluice_options *opt, sluice_engine **out) {
  *out = NULL;
  if (!data_dir || !*data_dir) return SLUICE_INVALID;
  sluice_engine *e = calloc(1, sizeof *e);
  if (!e) return SLUICE_NOMEM;
  core_error_clear(&e->err);
  *out = e;
  e->arena = core_arena_new(0);
  if (!e->arena) {
    core_error_set(&e->err, SLUICE_NOMEM, "out of memory");
    return fail(e, NULL);
  }
  e->strict = opt && opt->strict;
  e->roundtrip = opt && opt->check_roundtrip;
  if (mkdir(data_dir, 0777) != 0 && errno != EEXIST) {
    core_error_set(&e->err, SLUICE_IO, "cannot create data directory \"%s\": %s", data_dir,
                   strerror(errno));
    return fail(e, NULL);
  }
  int rc = catalog_open(data_dir, &e->cat, &e->err);
  if (rc) return fail(e, NULL);
  const char *app = opt && opt->application ? opt->application : "REPL";
  rc = catalog_app_lookup(e->cat, app, &e->app, &e->err);
  if (rc == SLUICE_NOTFOUND) {
    core_error_clear(&e->err);
    rc = catalog_app_create(e->cat, app, NULL, &e->app, &e->err);
  }
  if (!rc) {
    rt_config rc_ = {.data_dir = data_dir,
                     .cat = e->cat,
                     .app = e->app,
                     .app_name = app,
                     .strict = e->strict,
                     .test_clock = opt && opt->test_clock,
                     .test_start_ms = opt ? opt->test_start_ms : 0};
    e->test_clock = rc_.test_clock;
    rc = rt_open(&rc_, &e->rt, &e->err);
  }
  /* what the catalog defines starts running: streams, inputs, pumps, outputs */
  if (!rc) rc = rt_sync(e->rt, &e->err);
  if (!rc && e->test_clock) rc = rt_step(e->rt, &e->err);
  if (rc) {
    rt_close(e->rt); /* the engine keeps only its error */
    e->rt = NULL;
    catalog_close(e->cat);
    e->cat = NULL;
    return fail(e, NULL);
  }
  return SLUICE_OK;
}

void sluice_close(sluice_engine *e) {
  if (!e) return;
  rt_close(e->rt);
  if (e->cat) catalog_close(e->cat);
  core_arena_free(e->arena);
  free(e);
}

int sluice_errcode(const sluice_engine *e) {
  return e ? e->err.code : SLUICE_INVALID;
}

const char *sluice_errmsg(const sluice_engine *e) {
  if (!e) return "no engine";
  if (e->err.code == SLUICE_OK) return "";
  return e->err.message[0] ? e->err.message : sluice_errstr(e->err.code);
}

const char *sluice_errtext(const sluice_engine *e) {
  if (!e) return "no engine";
  return e->err.code == SLUICE_OK ? "" : e->errtext;
}

/* ------------------------------------------------------------- rows -- */

/* Where result rows go: the caller's callback, with one name per column. */
typedef struct rows {
  sluice_row_fn cb;
  void *arg;
  bool stopped;
} rows;

static int row(sluice_engine *e, rows *r, int ncols, const char *const *values,
               const char *const *names) {
  if (r->stopped || !r->cb) return SLUICE_OK;
  if (r->cb(r->arg, ncols, values, names) != 0) {
    r->stopped = true;
    return core_error_set(&e->err, SLUICE_STATE, "the callback stopped the statement");
  }
  return SLUICE_OK;
}

static int row2(sluice_engine *e, rows *r, const char *n1, const char *n2, const char *v1,
                const char *v2) {
  const char *names[2] = {n1, n2};
  const char *values[2] = {v1, v2};
  return row(e, r, 2, values, names);
}

/* ---------------------------------------------------------- EXPLAIN -- */

/* Emits text line by line as rows of the single column PLAN, each line
 * prefixed with 2 * depth spaces. */
static int plan_lines(sluice_engine *e, rows *r, int depth, const char *text) {
  static const char *const names[1] = {"PLAN"};
  if (!text) return core_error_set(&e->err, SLUICE_NOMEM, "out of memory");
  while (*text) {
    size_t n = strcspn(text, "\n");
    char *line = core_arena_printf(e->arena, "%*s%.*s", depth * 2, "", (int)n, text);
    if (!line) return core_error_set(&e->err, SLUICE_NOMEM, "out of memory");
    const char *values[1] = {line};
    int rc = row(e, r, 1, values, names);
    if (rc) return rc;
    text += n;
    if (*text == '\n') text++;
  }
  return SLUICE_OK;
}

static const char *type_str(core_arena *a, core_type t) {
  char buf[96];
  core_type_format(t, buf, sizeof buf);
  return core_arena_printf(a, "%s%s", buf, t.not_null ? " NOT NULL" : "");
}

static const char *quote(core_arena *a, const char *name) {
  return parse_quote_ident(a, name);
}

/* The target line of an INSERT: `insert into T (A VARCHAR(4), B INTEGER)`. */
static char *insert_line(core_arena *a, const plan_insert *ins) {
  char *s = core_arena_printf(a, "insert into %s (", quote(a, ins->target->name));
  for (int i = 0; s && i < ins->query->ncolumns; i++) {
    const catalog_column *c = &ins->target->columns[ins->target_columns[i]];
    s = core_arena_printf(a, "%s%s%s %s", s, i ? ", " : "", quote(a, c->name),
                          type_str(a, c->type));
  }
  return s ? core_arena_printf(a, "%s)", s) : NULL;
}

static int explain(sluice_engine *e, rows *r, const parse_stmt *inner, const plan_stmt *ps) {
  core_arena *a = e->arena;
  int rc = SLUICE_OK;
  switch (inner->kind) {
    case PARSE_S_QUERY:
      return plan_lines(e, r, 0, plan_print_query(a, ps->query));
    case PARSE_S_INSERT:
      if ((rc = plan_lines(e, r, 0, insert_line(a, ps->insert)))) return rc;
      return plan_lines(e, r, 1, plan_print_query(a, ps->insert->query));
    case PARSE_S_CREATE_PUMP:
      rc = plan_lines(e, r, 0,
                      core_arena_printf(a, "create %spump %s",
                                        inner->u.create_pump.or_replace ? "or replace " : "",
                                        quote(a, inner->u.create_pump.name.name)));
      if (!rc) rc = plan_lines(e, r, 1, insert_line(a, ps->insert));
      if (!rc) rc = plan_lines(e, r, 2, plan_print_query(a, ps->insert->query));
      return rc;
    case PARSE_S_CREATE_FUNCTION: {
      const parse_list *p = &inner->u.create_function.params;
      char *s =
          core_arena_printf(a, "create function %s(", quote(a, inner->u.create_function.name.name));
      for (int i = 0; s && i < p->n; i++) {
        const parse_column_def *d = p->items[i];
        s = core_arena_printf(a, "%s%s%s %s", s, i ? ", " : "", quote(a, d->name.name),
                              type_str(a, d->type));
      }
      if (s)
        s = core_arena_printf(a, "%s) returns %s", s,
                              type_str(a, inner->u.create_function.returns));
      if ((rc = plan_lines(e, r, 0, s))) return rc;
      return plan_lines(e, r, 1,
                        core_arena_printf(a, "body: %s %s", plan_print_expr(a, ps->body),
                                          plan_type_str(a, ps->body->type)));
    }
    case PARSE_S_CREATE_STREAM: {
      const parse_list *c = &inner->u.create_stream.columns;
      rc = plan_lines(e, r, 0,
                      core_arena_printf(a, "create %sstream %s",
                                        inner->u.create_stream.or_replace ? "or replace " : "",
                                        quote(a, inner->u.create_stream.name.name)));
      for (int i = 0; !rc && i < c->n; i++) {
        const parse_column_def *d = c->items[i];
        rc = plan_lines(
            e, r, 1,
            core_arena_printf(a, "column %s %s", quote(a, d->name.name), type_str(a, d->type)));
      }
      return rc;
    }
    default:
      /* CREATE INPUT / OUTPUT / REFERENCE TABLE: configuration, nothing to plan */
      {
        char *s = parse_print_stmt(a, inner);
        return plan_lines(e, r, 0,
                          s ? core_arena_printf(a, "%s (configuration, no plan)", s) : NULL);
      }
  }
}

/* ------------------------------------------------------------- exec -- */

static bool is_ddl(parse_stmt_kind k) {
  switch (k) {
    case PARSE_S_CREATE_STREAM:
    case PARSE_S_CREATE_PUMP:
    case PARSE_S_CREATE_FUNCTION:
    case PARSE_S_CREATE_INPUT:
    case PARSE_S_CREATE_OUTPUT:
    case PARSE_S_CREATE_REFERENCE_TABLE:
      return true;
    default:
      return false;
  }
}

/* The printer's canonical text of st must parse to an equal tree (parser.h). */
static int check_roundtrip(sluice_engine *e, const parse_stmt *st) {
  char *text = parse_print_stmt(e->arena, st);
  if (!text) return core_error_set(&e->err, SLUICE_NOMEM, "out of memory");
  parse_stmt *again = NULL;
  core_error perr;
  core_error_clear(&perr);
  int rc = parse_statement(e->arena, text, strlen(text), &again, &perr);
  if (rc) {
    core_error_set(&e->err, SLUICE_INTERNAL, "the printed statement does not parse: %s",
                   perr.message);
  } else if (!parse_stmt_equal(st, again)) {
    core_error_set(&e->err, SLUICE_INTERNAL,
                   "the printed statement parses to a different syntax tree");
  } else {
    return SLUICE_OK;
  }
  core_error_detail(&e->err, "The printed text is: %s", text);
  core_error_at(&e->err, st->loc.off);
  return SLUICE_INTERNAL;
}

/* A DDL statement and the runtime's response to it (a pump's operators are built) take
 * effect together or not at all. */
static int run_ddl(sluice_engine *e, plan_ctx *ctx, const parse_stmt *st) {
  plan_stmt *ps = NULL;
  bool own = !catalog_in_transaction(e->cat);
  if (own && catalog_begin(e->cat, &e->err)) return e->err.code;
  int rc = plan_execute(ctx, st, &ps, &e->err);
  if (!rc) rc = rt_sync(e->rt, &e->err);
  if (rc && !e->err.location && st->loc.off >= 0) core_error_at(&e->err, st->loc.off);
  if (own) {
    core_error ignore;
    if (rc)
      catalog_rollback(e->cat, &ignore);
    else
      rc = catalog_commit(e->cat, &e->err);
  }
  return rc;
}

static int run_stmt(sluice_engine *e, rows *r, const parse_stmt *st) {
  plan_ctx ctx = {.cat = e->cat, .app = e->app, .arena = e->arena, .strict = e->strict};
  plan_stmt *ps = NULL;
  if (e->roundtrip) {
    int rc = check_roundtrip(e, st);
    if (rc) return rc;
  }
  if (is_ddl(st->kind)) return run_ddl(e, &ctx, st);
  int rc = plan_bind(&ctx, st, &ps, &e->err);
  if (rc) return rc;
  if (st->kind == PARSE_S_EXPLAIN) return explain(e, r, st->u.explain.stmt, ps);
  /* PARSE_S_QUERY, PARSE_S_INSERT: they run inside pumps; at a prompt with the REPL */
  core_error_set(&e->err, SLUICE_UNSUPPORTED,
                 "a query runs only inside a pump (CREATE PUMP ... AS INSERT INTO ...)");
  core_error_detail(&e->err,
                    "The %s statement binds and validates. Queries typed at a prompt arrive "
                    "with the REPL.",
                    parse_stmt_kind_name(st->kind));
  core_error_at(&e->err, st->loc.off);
  return SLUICE_UNSUPPORTED;
}

int sluice_exec(sluice_engine *e, const char *sql, sluice_row_fn cb, void *arg) {
  if (!e) return SLUICE_INVALID;
  if (start(e)) return SLUICE_STATE;
  if (!sql) {
    core_error_set(&e->err, SLUICE_INVALID, "no SQL text");
    return fail(e, NULL);
  }
  parse_script script;
  int rc = parse_script_text(e->arena, sql, strlen(sql), &script, &e->err);
  if (rc) return fail(e, sql);
  rows r = {.cb = cb, .arg = arg};
  /* The whole script is deployed before any job runs (the worker waits on the lock), so
   * an input and the pumps created with it start together, as an application does. */
  rt_lock(e->rt);
  for (int i = 0; i < script.n; i++) {
    rc = run_stmt(e, &r, script.stmts[i]);
    if (rc == SLUICE_OK && core_arena_oom(e->arena))
      rc = core_error_set(&e->err, SLUICE_NOMEM, "out of memory");
    if (rc) break;
  }
  /* with a test clock the jobs run now, also after a failing statement (what the
   * statements before it started runs) */
  if (e->test_clock) {
    core_error serr;
    core_error_clear(&serr);
    int src = rt_step(e->rt, &serr);
    if (!rc && src) {
      rc = src;
      e->err = serr;
    }
  }
  rt_unlock(e->rt);
  if (rc) {
    e->err.code = rc;
    return fail(e, script.text);
  }
  core_error_clear(&e->err); /* a success leaves no error, whatever lookups missed */
  return SLUICE_OK;
}

/* ----------------------------------------------------------- describe -- */

static const char *const REL_KINDS[] = {"", "stream", "source_stream", "system_stream",
                                        "reference_table"};

static const char *format_name(int f) {
  return f == CATALOG_FORMAT_CSV ? "CSV" : "JSON";
}

static int describe_all(sluice_engine *e, rows *r) {
  core_arena *a = e->arena;
  catalog_relation **rels;
  size_t nrels;
  int rc = catalog_relation_list(e->cat, e->app, a, &rels, &nrels, &e->err);
  for (int kind = CATALOG_REL_STREAM; !rc && kind <= CATALOG_REL_TABLE; kind++)
    for (size_t i = 0; !rc && i < nrels; i++)
      if (rels[i]->kind == kind) rc = row2(e, r, "KIND", "NAME", REL_KINDS[kind], rels[i]->name);
  catalog_pump **pumps;
  size_t npumps;
  if (!rc) rc = catalog_pump_list(e->cat, e->app, a, &pumps, &npumps, &e->err);
  for (size_t i = 0; !rc && i < npumps; i++)
    rc = row2(e, r, "KIND", "NAME", "pump", pumps[i]->name);
  catalog_function **fns;
  size_t nfns;
  if (!rc) rc = catalog_function_list(e->cat, e->app, a, &fns, &nfns, &e->err);
  for (size_t i = 0; !rc && i < nfns; i++)
    if (i == 0 || strcmp(fns[i]->name, fns[i - 1]->name) != 0)
      rc = row2(e, r, "KIND", "NAME", "function", fns[i]->name);
  catalog_input **ins;
  size_t nins;
  if (!rc) rc = catalog_input_list(e->cat, e->app, a, &ins, &nins, &e->err);
  for (size_t i = 0; !rc && i < nins; i++)
    rc = row2(e, r, "KIND", "NAME", "input", ins[i]->name_prefix);
  catalog_output **outs;
  size_t nouts;
  if (!rc) rc = catalog_output_list(e->cat, e->app, a, &outs, &nouts, &e->err);
  for (size_t i = 0; !rc && i < nouts; i++)
    rc = row2(e, r, "KIND", "NAME", "output", outs[i]->name);
  return rc;
}

static int describe_columns(sluice_engine *e, rows *r, const catalog_column *c, int n) {
  int rc = SLUICE_OK;
  for (int i = 0; !rc && i < n; i++)
    rc = row2(e, r, "ITEM", "VALUE", c[i].name, type_str(e->arena, c[i].type));
  return rc;
}

static int describe_one(sluice_engine *e, rows *r, const char *name) {
  core_arena *a = e->arena;
  catalog_relation *rel;
  int rc = catalog_relation_get(e->cat, e->app, name, a, &rel, &e->err);
  if (rc == SLUICE_OK) return describe_columns(e, r, rel->columns, rel->ncolumns);
  if (rc != SLUICE_NOTFOUND) return rc;
  catalog_pump *p;
  rc = catalog_pump_get(e->cat, e->app, name, a, &p, &e->err);
  if (rc == SLUICE_OK) {
    rc = row2(e, r, "ITEM", "VALUE", "target", p->target);
    for (int i = 0; !rc && i < p->nsources; i++)
      rc = row2(e, r, "ITEM", "VALUE", "source", p->sources[i]);
    if (!rc)
      rc = row2(e, r, "ITEM", "VALUE", "state",
                p->state == CATALOG_PUMP_RUNNING ? "RUNNING" : "STOPPED");
    return rc;
  }
  if (rc != SLUICE_NOTFOUND) return rc;
  catalog_function **fns;
  size_t nfns;
  rc = catalog_function_lookup(e->cat, e->app, name, a, &fns, &nfns, &e->err);
  if (rc) return rc;
  for (size_t i = 0; !rc && i < nfns; i++) {
    char *sig = core_arena_printf(a, "%s(", quote(a, fns[i]->name));
    for (int j = 0; sig && j < fns[i]->nparams; j++)
      sig = core_arena_printf(a, "%s%s%s", sig, j ? ", " : "", type_str(a, fns[i]->params[j].type));
    if (sig) sig = core_arena_printf(a, "%s)", sig);
    const char *ret = core_arena_printf(a, "RETURNS %s", type_str(a, fns[i]->returns));
    if (!sig || !ret) return core_error_set(&e->err, SLUICE_NOMEM, "out of memory");
    rc = row2(e, r, "ITEM", "VALUE", sig, ret);
  }
  if (nfns) return rc;
  catalog_output **outs;
  size_t nouts;
  rc = catalog_output_list(e->cat, e->app, a, &outs, &nouts, &e->err);
  for (size_t i = 0; !rc && i < nouts; i++) {
    if (strcmp(outs[i]->name, name) != 0) continue;
    rc = row2(e, r, "ITEM", "VALUE", "stream", outs[i]->stream);
    if (!rc) rc = row2(e, r, "ITEM", "VALUE", "destination", outs[i]->destination);
    if (!rc) rc = row2(e, r, "ITEM", "VALUE", "format", format_name(outs[i]->format));
    return rc;
  }
  catalog_input **ins;
  size_t nins;
  if (!rc) rc = catalog_input_list(e->cat, e->app, a, &ins, &nins, &e->err);
  for (size_t i = 0; !rc && i < nins; i++) {
    if (strcmp(ins[i]->name_prefix, name) != 0) continue;
    rc = row2(e, r, "ITEM", "VALUE", "source", ins[i]->source_stream);
    if (!rc)
      rc = row2(e, r, "ITEM", "VALUE", "parallelism",
                core_arena_printf(a, "%d", ins[i]->parallelism));
    if (!rc) rc = row2(e, r, "ITEM", "VALUE", "format", format_name(ins[i]->format.type));
    if (!rc) rc = describe_columns(e, r, ins[i]->columns, ins[i]->ncolumns);
    return rc;
  }
  if (rc) return rc;
  return core_error_set(&e->err, SLUICE_NOTFOUND, "object \"%s\" not found", name);
}

int sluice_describe(sluice_engine *e, const char *name, sluice_row_fn cb, void *arg) {
  if (!e) return SLUICE_INVALID;
  if (start(e)) return SLUICE_STATE;
  rows r = {.cb = cb, .arg = arg};
  int rc = name ? describe_one(e, &r, name) : describe_all(e, &r);
  if (rc == SLUICE_OK && core_arena_oom(e->arena))
    rc = core_error_set(&e->err, SLUICE_NOMEM, "out of memory");
  if (rc) {
    e->err.code = rc;
    return fail(e, NULL);
  }
  core_error_clear(&e->err); /* lookups that missed on the way (a pump is not a relation) */
  return SLUICE_OK;
}

int sluice_check(sluice_engine *e) {
  if (!e) return SLUICE_INVALID;
  if (start(e)) return SLUICE_STATE;
  int rc = catalog_output_check(e->cat, e->app, &e->err);
  if (!rc) rc = catalog_verify(e->cat, &e->err);
  if (rc) {
    e->err.code = rc;
    return fail(e, NULL);
  }
  core_error_clear(&e->err);
  return SLUICE_OK;
}

/* ------------------------------------------------------------ streams -- */

static int after_feed(sluice_engine *e, int rc) {
  if (!rc && e->test_clock) rc = rt_step(e->rt, &e->err);
  rt_unlock(e->rt);
  return rc ? fail(e, NULL) : SLUICE_OK;
}

int sluice_put(sluice_engine *e, const char *stream, const void *data, unsigned long n,
               const char *key) {
  if (!e) return SLUICE_INVALID;
  if (start(e)) return SLUICE_STATE;
  if (!stream || (!data && n)) {
    core_error_set(&e->err, SLUICE_INVALID, "no stream or no data");
    return fail(e, NULL);
  }
  rt_lock(e->rt);
  int rc = rt_put(e->rt, stream, data, n, key, &e->err);
  return after_feed(e, rc);
}

typedef struct read_cb {
  sluice_row_fn cb;
  void *arg;
} read_cb;

static int read_row(void *arg, int ncols, const char *const *values, const char *const *names) {
  read_cb *r = arg;
  return r->cb ? r->cb(r->arg, ncols, values, names) : 0;
}

int sluice_read(sluice_engine *e, const char *stream, long long limit, sluice_row_fn cb,
                void *arg) {
  if (!e) return SLUICE_INVALID;
  if (start(e)) return SLUICE_STATE;
  if (!stream) {
    core_error_set(&e->err, SLUICE_INVALID, "no stream");
    return fail(e, NULL);
  }
  read_cb r = {cb, arg};
  rt_lock(e->rt);
  int rc = rt_read(e->rt, stream, limit, read_row, &r, &e->err);
  rt_unlock(e->rt);
  return rc ? fail(e, NULL) : SLUICE_OK;
}

long long sluice_clock_now(sluice_engine *e) {
  return e && e->rt ? core_clock_now(rt_clock(e->rt)) : 0;
}

int sluice_clock_set(sluice_engine *e, long long ms) {
  if (!e) return SLUICE_INVALID;
  if (start(e)) return SLUICE_STATE;
  if (!e->test_clock) {
    core_error_set(&e->err, SLUICE_STATE, "the engine has no test clock");
    return fail(e, NULL);
  }
  rt_lock(e->rt);
  core_clock *c = rt_clock(e->rt);
  if (ms < core_clock_now(c)) {
    rt_unlock(e->rt);
    core_error_set(&e->err, SLUICE_INVALID, "the test clock cannot go backwards");
    return fail(e, NULL);
  }
  core_clock_set(c, ms);
  return after_feed(e, SLUICE_OK);
}

int sluice_clock_advance(sluice_engine *e, long long ms) {
  if (!e) return SLUICE_INVALID;
  if (ms < 0) {
    core_error_set(&e->err, SLUICE_INVALID, "the test clock cannot go backwards");
    return fail(e, NULL);
  }
  return sluice_clock_set(e, sluice_clock_now(e) + ms);
}

int sluice_start(sluice_engine *e) {
  if (!e) return SLUICE_INVALID;
  if (start(e)) return SLUICE_STATE;
  if (e->test_clock) {
    core_error_set(&e->err, SLUICE_STATE, "a test-clock engine runs its pumps inside its calls");
    return fail(e, NULL);
  }
  int rc = rt_start_worker(e->rt, &e->err);
  return rc ? fail(e, NULL) : SLUICE_OK;
}

unsigned long long sluice_error_count(sluice_engine *e) {
  return e && e->rt ? rt_error_count(e->rt) : 0;
}

stream_store *sluice_engine_store(sluice_engine *e) {
  return e && e->rt ? rt_store(e->rt) : NULL;
}

/* Unit tests of the catalog: every object kind, OR REPLACE rules, atomicity of
 * a failing statement, persistence, application namespaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "catalog/catalog.h"

typedef struct fixture {
  char dir[64];
  catalog *cat;
  core_arena *arena;
  core_error err;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/sluice-catalog-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  assert_int_equal(catalog_open(f->dir, &f->cat, &f->err), SLUICE_OK);
  f->arena = core_arena_new(0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  core_error e;
  if (f->cat) assert_int_equal(catalog_verify(f->cat, &e), SLUICE_OK);
  catalog_close(f->cat);
  core_arena_free(f->arena);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static core_type T(core_type_id id, int p, int s) {
  core_type t = {.id = (uint8_t)id, .precision = p, .scale = s};
  return t;
}

/* Appends a textual dump of everything in the catalog to buf. */
static void dump(fixture *f, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = 0;
#define OUT(...) len += (size_t)snprintf(buf + len, len < size ? size - len : 0, __VA_ARGS__)
  catalog_app *apps;
  size_t napps;
  assert_int_equal(catalog_app_list(f->cat, f->arena, &apps, &napps, &f->err), SLUICE_OK);
  for (size_t i = 0; i < napps; i++) {
    int64_t app = apps[i].id;
    OUT("app %s\n", apps[i].name);
    catalog_relation **rels;
    size_t n;
    assert_int_equal(catalog_relation_list(f->cat, app, f->arena, &rels, &n, &f->err), SLUICE_OK);
    for (size_t j = 0; j < n; j++) {
      OUT(" rel %s kind %d desc %s (", rels[j]->name, rels[j]->kind,
          rels[j]->description ? rels[j]->description : "-");
      for (int k = 0; k < rels[j]->ncolumns; k++)
        OUT("%s %d %d %d %d,", rels[j]->columns[k].name, rels[j]->columns[k].type.id,
            rels[j]->columns[k].type.precision, rels[j]->columns[k].type.scale,
            rels[j]->columns[k].type.not_null);
      OUT(")\n");
    }
    catalog_pump **pumps;
    assert_int_equal(catalog_pump_list(f->cat, app, f->arena, &pumps, &n, &f->err), SLUICE_OK);
    for (size_t j = 0; j < n; j++) {
      OUT(" pump %s -> %s state %d sql %s src", pumps[j]->name, pumps[j]->target, pumps[j]->state,
          pumps[j]->sql);
      for (int k = 0; k < pumps[j]->nsources; k++) OUT(" %s", pumps[j]->sources[k]);
      OUT("\n");
    }
    catalog_function **fns;
    assert_int_equal(catalog_function_list(f->cat, app, f->arena, &fns, &n, &f->err), SLUICE_OK);
    for (size_t j = 0; j < n; j++)
      OUT(" fn %s/%d %s\n", fns[j]->name, fns[j]->nparams, fns[j]->body);
    catalog_input **ins;
    assert_int_equal(catalog_input_list(f->cat, app, f->arena, &ins, &n, &f->err), SLUICE_OK);
    for (size_t j = 0; j < n; j++)
      OUT(" input %s %s %d\n", ins[j]->name_prefix, ins[j]->source_stream, ins[j]->parallelism);
    catalog_output **outs;
    assert_int_equal(catalog_output_list(f->cat, app, f->arena, &outs, &n, &f->err), SLUICE_OK);
    for (size_t j = 0; j < n; j++)
      OUT(" output %s %s %s %d\n", outs[j]->name, outs[j]->stream, outs[j]->destination,
          outs[j]->format);
  }
#undef OUT
}

static const catalog_column DEST_COLS[] = {
    {"TICKER_SYMBOL", {.id = CORE_T_VARCHAR, .precision = 4}, "the ticker", NULL},
    {"PRICE", {.id = CORE_T_DOUBLE}, NULL, NULL},
};

static int64_t make_app(fixture *f, const char *name) {
  int64_t app;
  assert_int_equal(catalog_app_create(f->cat, name, NULL, &app, &f->err), SLUICE_OK);
  return app;
}

static int64_t make_input(fixture *f, int64_t app, int parallelism) {
  catalog_column cols[] = {
      {"TICKER_SYMBOL", {.id = CORE_T_VARCHAR, .precision = 4}, NULL, "$.TICKER_SYMBOL"},
      {"SECTOR", {.id = CORE_T_VARCHAR, .precision = 16}, NULL, "$.SECTOR"},
      {"CHANGE", {.id = CORE_T_REAL}, NULL, "$.CHANGE"},
      {"PRICE", {.id = CORE_T_REAL}, NULL, "$.PRICE"},
  };
  catalog_input in = {.name_prefix = "SOURCE_SQL_STREAM",
                      .source_stream = "clicks",
                      .parallelism = parallelism,
                      .format = {.type = CATALOG_FORMAT_JSON, .row_path = "$"},
                      .ncolumns = 4,
                      .columns = cols,
                      .start = CATALOG_START_TRIM_HORIZON};
  int64_t id;
  assert_int_equal(catalog_input_create(f->cat, app, &in, &id, &f->err), SLUICE_OK);
  return id;
}

static void test_app_has_error_stream(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "demo-app_1.0");
  catalog_relation *r;
  assert_int_equal(catalog_relation_get(f->cat, app, "error_stream", f->arena, &r, &f->err),
                   SLUICE_OK);
  assert_int_equal(r->kind, CATALOG_REL_SYSTEM);
  assert_int_equal(r->ncolumns, 7);
  assert_string_equal(r->columns[0].name, "ERROR_TIME");
  assert_int_equal(r->columns[0].type.id, CORE_T_TIMESTAMP);
  assert_string_equal(r->columns[5].name, "DATA_ROW");
  assert_int_equal(r->columns[5].type.precision, 49152);
  assert_string_equal(r->columns[6].name, "PUMP_NAME");
  int64_t id;
  assert_int_equal(catalog_app_lookup(f->cat, "demo-app_1.0", &id, &f->err), SLUICE_OK);
  assert_int_equal(id, app);
  assert_int_equal(catalog_app_lookup(f->cat, "nope", &id, &f->err), SLUICE_NOTFOUND);
  assert_string_equal(f->err.message, "application \"nope\" does not exist");
  assert_int_equal(catalog_app_create(f->cat, "bad name", NULL, &id, &f->err), SLUICE_INVALID);
  assert_string_equal(f->err.message, "invalid application name \"bad name\"");
  assert_int_equal(catalog_app_create(f->cat, "demo-app_1.0", NULL, &id, &f->err), SLUICE_EXISTS);
}

static void test_stream_create_lookup_list(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  int64_t id;
  assert_int_equal(catalog_stream_create(f->cat, app, "DESTINATION_SQL_STREAM", "out", DEST_COLS, 2,
                                         false, &id, &f->err),
                   SLUICE_OK);
  catalog_relation *r;
  assert_int_equal(
      catalog_relation_get(f->cat, app, "DESTINATION_SQL_STREAM", f->arena, &r, &f->err),
      SLUICE_OK);
  assert_int_equal(r->id, id);
  assert_int_equal(r->kind, CATALOG_REL_STREAM);
  assert_string_equal(r->description, "out");
  assert_int_equal(r->ncolumns, 2);
  assert_string_equal(r->columns[0].name, "TICKER_SYMBOL");
  assert_string_equal(r->columns[0].description, "the ticker");
  assert_int_equal(r->columns[0].type.id, CORE_T_VARCHAR);
  assert_int_equal(r->columns[0].type.precision, 4);
  assert_int_equal(r->columns[1].type.id, CORE_T_DOUBLE);
  /* exact-name lookup: the caller folds case */
  assert_int_equal(
      catalog_relation_get(f->cat, app, "destination_sql_stream", f->arena, &r, &f->err),
      SLUICE_NOTFOUND);
  assert_string_equal(f->err.message, "relation \"destination_sql_stream\" does not exist");
  catalog_relation **rels;
  size_t n;
  assert_int_equal(catalog_relation_list(f->cat, app, f->arena, &rels, &n, &f->err), SLUICE_OK);
  assert_int_equal(n, 2);
  assert_string_equal(rels[0]->name, "DESTINATION_SQL_STREAM");
  assert_string_equal(rels[1]->name, "error_stream");
  /* NOT NULL, DECIMAL parameters */
  catalog_column c2[] = {{"key_order", {.id = CORE_T_BIGINT, .not_null = 1}, NULL, NULL},
                         {"eur", {.id = CORE_T_DECIMAL, .precision = 19, .scale = 5}, NULL, NULL}};
  assert_int_equal(catalog_stream_create(f->cat, app, "OrderData", "conditioned order data", c2, 2,
                                         true, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_relation_get(f->cat, app, "OrderData", f->arena, &r, &f->err),
                   SLUICE_OK);
  assert_int_equal(r->columns[0].type.not_null, 1);
  assert_int_equal(r->columns[1].type.precision, 19);
  assert_int_equal(r->columns[1].type.scale, 5);
}

static void test_stream_rules(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  /* [IMPL] error_stream is reserved in any case */
  assert_int_equal(
      catalog_stream_create(f->cat, app, "ERROR_STREAM", NULL, DEST_COLS, 2, false, NULL, &f->err),
      SLUICE_INVALID);
  assert_string_equal(f->err.message, "a stream may not be named error_stream");
  assert_int_equal(
      catalog_stream_create(f->cat, app, "error_stream", NULL, DEST_COLS, 2, true, NULL, &f->err),
      SLUICE_INVALID);
  catalog_column iv[] = {{"D", {.id = CORE_T_INTERVAL_DT, .start = CORE_IU_DAY}, NULL, NULL}};
  assert_int_equal(catalog_stream_create(f->cat, app, "S", NULL, iv, 1, false, NULL, &f->err),
                   SLUICE_INVALID);
  assert_string_equal(f->err.message, "column \"D\" of stream \"S\" cannot have an INTERVAL type");
  catalog_column dup[] = {DEST_COLS[0], DEST_COLS[0]};
  assert_int_equal(catalog_stream_create(f->cat, app, "S", NULL, dup, 2, false, NULL, &f->err),
                   SLUICE_INVALID);
  assert_string_equal(f->err.message, "column \"TICKER_SYMBOL\" specified more than once");
  int64_t id1, id2;
  assert_int_equal(
      catalog_stream_create(f->cat, app, "S", NULL, DEST_COLS, 2, false, &id1, &f->err), SLUICE_OK);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "S", NULL, DEST_COLS, 2, false, &id2, &f->err),
      SLUICE_EXISTS);
  assert_string_equal(f->err.message, "stream \"S\" already exists");
  /* OR REPLACE without a pump: same id, new columns */
  assert_int_equal(catalog_stream_create(f->cat, app, "S", "v2", DEST_COLS, 1, true, &id2, &f->err),
                   SLUICE_OK);
  assert_int_equal(id1, id2);
  catalog_relation *r;
  assert_int_equal(catalog_relation_get(f->cat, app, "S", f->arena, &r, &f->err), SLUICE_OK);
  assert_int_equal(r->ncolumns, 1);
  assert_string_equal(r->description, "v2");
  /* a pump writing S, then redefinition fails */
  make_input(f, app, 1);
  const char *src[] = {"SOURCE_SQL_STREAM_001"};
  assert_int_equal(catalog_pump_create(f->cat, app, "P", NULL, "CREATE PUMP ...", "S", src, 1,
                                       false, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_stream_create(f->cat, app, "S", NULL, DEST_COLS, 2, true, NULL, &f->err),
                   SLUICE_STATE);
  assert_string_equal(f->err.message, "stream redefined");
  assert_string_equal(f->err.detail, "Stream \"S\" is read or written by pump \"P\".");
  /* a stream the pump reads: source streams cannot be replaced at all */
  assert_int_equal(catalog_stream_create(f->cat, app, "SOURCE_SQL_STREAM_001", NULL, DEST_COLS, 2,
                                         true, NULL, &f->err),
                   SLUICE_EXISTS);
  assert_string_equal(f->err.message, "source stream \"SOURCE_SQL_STREAM_001\" already exists");
  /* a user stream that a pump reads */
  assert_int_equal(
      catalog_stream_create(f->cat, app, "T", NULL, DEST_COLS, 2, false, NULL, &f->err), SLUICE_OK);
  const char *src2[] = {"S"};
  assert_int_equal(
      catalog_pump_create(f->cat, app, "Q", NULL, "x", "T", src2, 1, false, NULL, &f->err),
      SLUICE_OK);
  assert_int_equal(catalog_stream_create(f->cat, app, "S", NULL, DEST_COLS, 2, true, NULL, &f->err),
                   SLUICE_STATE);
  assert_int_equal(catalog_relation_delete(f->cat, app, "T", &f->err), SLUICE_STATE);
  assert_string_equal(f->err.message, "stream \"T\" is used by pump \"Q\"");
  assert_int_equal(catalog_pump_delete(f->cat, app, "Q", &f->err), SLUICE_OK);
  assert_int_equal(catalog_relation_delete(f->cat, app, "T", &f->err), SLUICE_OK);
  assert_int_equal(catalog_relation_delete(f->cat, app, "error_stream", &f->err), SLUICE_INVALID);
}

static void test_pumps(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  make_input(f, app, 1);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "D", NULL, DEST_COLS, 2, false, NULL, &f->err), SLUICE_OK);
  const char *src[] = {"SOURCE_SQL_STREAM_001"};
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", "d", "sql1", "NOPE", src, 1, false, NULL, &f->err),
      SLUICE_NOTFOUND);
  assert_string_equal(f->err.message, "stream \"NOPE\" does not exist");
  assert_int_equal(catalog_pump_create(f->cat, app, "P", "d", "sql1", "error_stream", src, 1, false,
                                       NULL, &f->err),
                   SLUICE_INVALID);
  assert_string_equal(f->err.message, "cannot insert into error_stream");
  const char *bad[] = {"error_stream"};
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", "d", "sql1", "D", bad, 1, false, NULL, &f->err),
      SLUICE_INVALID);
  assert_string_equal(f->err.message, "cannot read from error_stream");
  int64_t id, id2;
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", "d", "sql1", "D", src, 1, false, &id, &f->err),
      SLUICE_OK);
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", "d", "sql1", "D", src, 1, false, &id2, &f->err),
      SLUICE_EXISTS);
  assert_string_equal(f->err.message, "pump \"P\" already exists");
  assert_int_equal(catalog_pump_set_state(f->cat, app, "P", CATALOG_PUMP_STOPPED, &f->err),
                   SLUICE_OK);
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", NULL, "sql2", "D", NULL, 0, true, &id2, &f->err),
      SLUICE_OK);
  assert_int_equal(id, id2);
  catalog_pump *p;
  assert_int_equal(catalog_pump_get(f->cat, app, "P", f->arena, &p, &f->err), SLUICE_OK);
  assert_string_equal(p->sql, "sql2");
  assert_string_equal(p->target, "D");
  assert_int_equal(p->nsources, 0);
  assert_int_equal(p->state, CATALOG_PUMP_STOPPED);
  assert_int_equal(catalog_pump_set_state(f->cat, app, "ZZ", CATALOG_PUMP_STOPPED, &f->err),
                   SLUICE_NOTFOUND);
  assert_string_equal(f->err.message, "pump \"ZZ\" does not exist");
  /* checkpoints */
  catalog_position pos[] = {{"clicks", "shardId-000000000000",
                             "49590338271490256608559692538361571095921575989136588898"},
                            {"clicks", "shardId-000000000001", "7"}};
  uint8_t blob[] = {1, 2, 0, 3};
  catalog_checkpoint cp = {.pump = id,
                           .taken_ms = 1234,
                           .npositions = 2,
                           .positions = pos,
                           .blob = blob,
                           .blob_size = 4};
  assert_int_equal(catalog_checkpoint_put(f->cat, &cp, &f->err), SLUICE_OK);
  catalog_checkpoint *got;
  assert_int_equal(catalog_checkpoint_get(f->cat, id, f->arena, &got, &f->err), SLUICE_OK);
  assert_int_equal(got->taken_ms, 1234);
  assert_int_equal(got->npositions, 2);
  assert_string_equal(got->positions[1].shard, "shardId-000000000001");
  assert_string_equal(got->positions[0].sequence, pos[0].sequence);
  assert_int_equal(got->blob_size, 4);
  assert_memory_equal(got->blob, blob, 4);
  cp.npositions = 1;
  cp.taken_ms = 99;
  assert_int_equal(catalog_checkpoint_put(f->cat, &cp, &f->err), SLUICE_OK);
  assert_int_equal(catalog_checkpoint_get(f->cat, id, f->arena, &got, &f->err), SLUICE_OK);
  assert_int_equal(got->npositions, 1);
  assert_int_equal(got->taken_ms, 99);
  assert_int_equal(catalog_pump_delete(f->cat, app, "P", &f->err), SLUICE_OK);
  assert_int_equal(catalog_checkpoint_get(f->cat, id, f->arena, &got, &f->err), SLUICE_NOTFOUND);
}

static void test_functions(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  catalog_param p1[] = {{"DEGREES", {.id = CORE_T_DOUBLE}}};
  catalog_function fn = {.name = "GET_FRACTION",
                         .nparams = 1,
                         .params = p1,
                         .returns = {.id = CORE_T_DOUBLE},
                         .body = "degrees - FLOOR(degrees)",
                         .sql = "CREATE FUNCTION ...",
                         .deterministic = true};
  int64_t id1, id2;
  assert_int_equal(catalog_function_create(f->cat, app, &fn, false, &id1, &f->err), SLUICE_OK);
  assert_int_equal(catalog_function_create(f->cat, app, &fn, false, &id2, &f->err), SLUICE_EXISTS);
  assert_string_equal(f->err.message,
                      "function \"GET_FRACTION\" with these parameter types already exists");
  /* overload by parameter list */
  catalog_param p2[] = {{"X", {.id = CORE_T_INTEGER}}};
  catalog_function fn2 = fn;
  fn2.params = p2;
  fn2.returns = T(CORE_T_INTEGER, 0, 0);
  fn2.body = "x";
  assert_int_equal(catalog_function_create(f->cat, app, &fn2, false, &id2, &f->err), SLUICE_OK);
  catalog_function **v;
  size_t n;
  assert_int_equal(catalog_function_lookup(f->cat, app, "GET_FRACTION", f->arena, &v, &n, &f->err),
                   SLUICE_OK);
  assert_int_equal(n, 2);
  assert_int_equal(v[0]->params[0].type.id, CORE_T_DOUBLE);
  assert_string_equal(v[0]->params[0].name, "DEGREES");
  assert_int_equal(v[1]->returns.id, CORE_T_INTEGER);
  assert_true(v[0]->deterministic);
  assert_false(v[0]->null_on_null);
  /* OR REPLACE of one overload */
  fn.body = "0.5";
  fn.null_on_null = true;
  int64_t id3;
  assert_int_equal(catalog_function_create(f->cat, app, &fn, true, &id3, &f->err), SLUICE_OK);
  assert_int_equal(id3, id1);
  assert_int_equal(catalog_function_lookup(f->cat, app, "GET_FRACTION", f->arena, &v, &n, &f->err),
                   SLUICE_OK);
  assert_int_equal(n, 2);
  assert_string_equal(v[0]->body, "0.5");
  assert_true(v[0]->null_on_null);
  /* specific names are unique */
  catalog_param p3[] = {{"X", {.id = CORE_T_BIGINT}}};
  catalog_function fn3 = fn2;
  fn3.params = p3;
  fn3.specific = "S1";
  assert_int_equal(catalog_function_create(f->cat, app, &fn3, false, NULL, &f->err), SLUICE_OK);
  p3[0].type.id = CORE_T_SMALLINT;
  assert_int_equal(catalog_function_create(f->cat, app, &fn3, false, NULL, &f->err), SLUICE_EXISTS);
  assert_string_equal(f->err.message, "specific name \"S1\" already exists");
  assert_int_equal(catalog_function_lookup(f->cat, app, "NONE", f->arena, &v, &n, &f->err),
                   SLUICE_OK);
  assert_int_equal(n, 0);
}

static void test_inputs_outputs_reference(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  make_input(f, app, 2);
  catalog_relation *r;
  assert_int_equal(
      catalog_relation_get(f->cat, app, "SOURCE_SQL_STREAM_002", f->arena, &r, &f->err), SLUICE_OK);
  assert_int_equal(r->kind, CATALOG_REL_SOURCE);
  assert_int_equal(r->ncolumns, 4);
  assert_string_equal(r->columns[3].mapping, "$.PRICE");
  catalog_input **ins;
  size_t n;
  assert_int_equal(catalog_input_list(f->cat, app, f->arena, &ins, &n, &f->err), SLUICE_OK);
  assert_int_equal(n, 1);
  assert_int_equal(ins[0]->parallelism, 2);
  assert_string_equal(ins[0]->format.row_path, "$");
  assert_int_equal(ins[0]->start, CATALOG_START_TRIM_HORIZON);
  assert_string_equal(ins[0]->columns[0].mapping, "$.TICKER_SYMBOL");
  /* the prefix is taken */
  catalog_input in = *ins[0];
  assert_int_equal(catalog_input_create(f->cat, app, &in, NULL, &f->err), SLUICE_EXISTS);
  assert_string_equal(f->err.message, "source stream \"SOURCE_SQL_STREAM_001\" already exists");
  in.parallelism = 65;
  assert_int_equal(catalog_input_create(f->cat, app, &in, NULL, &f->err), SLUICE_INVALID);
  assert_string_equal(f->err.message, "input parallelism must be between 1 and 64");
  in.parallelism = 1;
  in.name_prefix = "CSV_IN";
  in.format.type = CATALOG_FORMAT_CSV;
  in.format.row_delimiter = "\n";
  in.format.col_delimiter = NULL;
  assert_int_equal(catalog_input_create(f->cat, app, &in, NULL, &f->err), SLUICE_INVALID);
  assert_string_equal(f->err.message, "a CSV format needs row and column delimiters");
  in.format.col_delimiter = ",";
  assert_int_equal(catalog_input_create(f->cat, app, &in, NULL, &f->err), SLUICE_OK);
  assert_int_equal(catalog_relation_get(f->cat, app, "CSV_IN_001", f->arena, &r, &f->err),
                   SLUICE_OK);

  /* outputs: checked against the code at deployment, at most 3 */
  assert_int_equal(catalog_output_create(f->cat, app, "o1", "DESTINATION_SQL_STREAM", "out",
                                         CATALOG_FORMAT_JSON, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_output_check(f->cat, app, &f->err), SLUICE_NOTFOUND);
  assert_string_equal(
      f->err.message,
      "output stream \"DESTINATION_SQL_STREAM\" is not created by the application code");
  assert_int_equal(catalog_stream_create(f->cat, app, "DESTINATION_SQL_STREAM", NULL, DEST_COLS, 2,
                                         false, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_output_check(f->cat, app, &f->err), SLUICE_OK);
  assert_int_equal(catalog_output_create(f->cat, app, "o2", "error_stream", "errs",
                                         CATALOG_FORMAT_CSV, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_output_check(f->cat, app, &f->err), SLUICE_OK);
  assert_int_equal(catalog_output_create(f->cat, app, "o3", "destination_sql_stream", "x",
                                         CATALOG_FORMAT_JSON, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_output_check(f->cat, app, &f->err), SLUICE_NOTFOUND);
  assert_int_equal(
      catalog_output_create(f->cat, app, "o4", "X", "y", CATALOG_FORMAT_JSON, NULL, &f->err),
      SLUICE_LIMIT);
  assert_string_equal(f->err.message, "an application has at most 3 outputs");
  catalog_output **outs;
  assert_int_equal(catalog_output_list(f->cat, app, f->arena, &outs, &n, &f->err), SLUICE_OK);
  assert_int_equal(n, 3);
  assert_string_equal(outs[1]->name, "o2");
  assert_string_equal(outs[1]->stream, "error_stream");
  assert_int_equal(
      catalog_output_create(f->cat, app, "o1", "X", "y", CATALOG_FORMAT_JSON, NULL, &f->err),
      SLUICE_EXISTS);

  /* reference table */
  catalog_column rc[] = {{"Ticker", {.id = CORE_T_VARCHAR, .precision = 4}, NULL, NULL},
                         {"Company", {.id = CORE_T_VARCHAR, .precision = 20}, NULL, NULL}};
  catalog_reference ref = {
      .name = "CompanyName",
      .file = "/data/TickerReference.csv",
      .format = {.type = CATALOG_FORMAT_CSV, .row_delimiter = "\n", .col_delimiter = ","},
      .ncolumns = 2,
      .columns = rc};
  int64_t rid;
  assert_int_equal(catalog_reference_create(f->cat, app, &ref, &rid, &f->err), SLUICE_OK);
  assert_int_equal(catalog_reference_create(f->cat, app, &ref, &rid, &f->err), SLUICE_EXISTS);
  assert_string_equal(f->err.message, "reference table \"CompanyName\" already exists");
  assert_int_equal(
      catalog_stream_create(f->cat, app, "CompanyName", NULL, DEST_COLS, 2, true, NULL, &f->err),
      SLUICE_EXISTS);
  assert_string_equal(f->err.message, "reference table \"CompanyName\" already exists");
  catalog_reference **refs;
  assert_int_equal(catalog_reference_list(f->cat, app, f->arena, &refs, &n, &f->err), SLUICE_OK);
  assert_int_equal(n, 1);
  assert_string_equal(refs[0]->file, "/data/TickerReference.csv");
  assert_string_equal(refs[0]->columns[1].name, "Company");
  assert_int_equal(catalog_relation_get(f->cat, app, "CompanyName", f->arena, &r, &f->err),
                   SLUICE_OK);
  assert_int_equal(r->kind, CATALOG_REL_TABLE);
}

static void test_failed_statement_leaves_catalog_unchanged(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  make_input(f, app, 1);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "D", NULL, DEST_COLS, 2, false, NULL, &f->err), SLUICE_OK);
  static char before[16384], after[16384];
  dump(f, before, sizeof before);
  /* a statement of several steps whose last step fails */
  assert_int_equal(catalog_begin(f->cat, &f->err), SLUICE_OK);
  assert_true(catalog_in_transaction(f->cat));
  assert_int_equal(
      catalog_stream_create(f->cat, app, "D", "replaced", DEST_COLS, 1, true, NULL, &f->err),
      SLUICE_OK);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "E", NULL, DEST_COLS, 2, false, NULL, &f->err), SLUICE_OK);
  const char *src[] = {"SOURCE_SQL_STREAM_001"};
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", NULL, "x", "E", src, 1, false, NULL, &f->err),
      SLUICE_OK);
  assert_int_equal(
      catalog_output_create(f->cat, app, "out1", "E", "out", CATALOG_FORMAT_JSON, NULL, &f->err),
      SLUICE_OK);
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P2", NULL, "x", "MISSING", src, 1, false, NULL, &f->err),
      SLUICE_NOTFOUND);
  dump(f, after, sizeof after);
  assert_string_not_equal(before, after);
  assert_int_equal(catalog_rollback(f->cat, &f->err), SLUICE_OK);
  assert_false(catalog_in_transaction(f->cat));
  dump(f, after, sizeof after);
  assert_string_equal(before, after);

  /* a failing call inside an open transaction changes nothing by itself */
  assert_int_equal(catalog_begin(f->cat, &f->err), SLUICE_OK);
  assert_int_equal(catalog_begin(f->cat, &f->err), SLUICE_STATE);
  catalog_column bad[] = {DEST_COLS[0],
                          {"X", {.id = CORE_T_INTERVAL_YM, .start = CORE_IU_YEAR}, NULL, NULL}};
  assert_int_equal(catalog_stream_create(f->cat, app, "D", NULL, bad, 2, true, NULL, &f->err),
                   SLUICE_INVALID);
  dump(f, after, sizeof after);
  assert_string_equal(before, after);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "E", NULL, DEST_COLS, 2, false, NULL, &f->err), SLUICE_OK);
  assert_int_equal(catalog_commit(f->cat, &f->err), SLUICE_OK);
  dump(f, after, sizeof after);
  assert_non_null(strstr(after, " rel E kind 1"));
  assert_int_equal(catalog_commit(f->cat, &f->err), SLUICE_STATE);
  assert_int_equal(catalog_rollback(f->cat, &f->err), SLUICE_STATE);
}

static void test_persistence(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  make_input(f, app, 1);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "D", NULL, DEST_COLS, 2, false, NULL, &f->err), SLUICE_OK);
  const char *src[] = {"SOURCE_SQL_STREAM_001"};
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", NULL, "sql", "D", src, 1, false, NULL, &f->err),
      SLUICE_OK);
  /* an open transaction is discarded when the handle closes */
  assert_int_equal(catalog_begin(f->cat, &f->err), SLUICE_OK);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "LOST", NULL, DEST_COLS, 2, false, NULL, &f->err),
      SLUICE_OK);
  /* a second handle does not see uncommitted changes */
  catalog *other;
  assert_int_equal(catalog_open(f->dir, &other, &f->err), SLUICE_OK);
  catalog_relation *r;
  assert_int_equal(catalog_relation_get(other, app, "LOST", f->arena, &r, &f->err),
                   SLUICE_NOTFOUND);
  catalog_close(other);
  static char before[16384], after[16384];
  catalog_close(f->cat);
  assert_int_equal(catalog_open(f->dir, &f->cat, &f->err), SLUICE_OK);
  dump(f, before, sizeof before);
  assert_null(strstr(before, "LOST"));
  assert_non_null(strstr(before, " pump P -> D state 1 sql sql src SOURCE_SQL_STREAM_001\n"));
  catalog_close(f->cat);
  assert_int_equal(catalog_open(f->dir, &f->cat, &f->err), SLUICE_OK);
  dump(f, after, sizeof after);
  assert_string_equal(before, after);
}

static void test_two_applications(void **state) {
  fixture *f = *state;
  int64_t a = make_app(f, "first"), b = make_app(f, "second");
  make_input(f, a, 1);
  make_input(f, b, 1);
  catalog_column one[] = {DEST_COLS[0]};
  assert_int_equal(catalog_stream_create(f->cat, a, "D", NULL, DEST_COLS, 2, false, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_stream_create(f->cat, b, "D", NULL, one, 1, false, NULL, &f->err),
                   SLUICE_OK);
  catalog_relation *ra, *rb;
  assert_int_equal(catalog_relation_get(f->cat, a, "D", f->arena, &ra, &f->err), SLUICE_OK);
  assert_int_equal(catalog_relation_get(f->cat, b, "D", f->arena, &rb, &f->err), SLUICE_OK);
  assert_int_not_equal(ra->id, rb->id);
  assert_int_equal(ra->ncolumns, 2);
  assert_int_equal(rb->ncolumns, 1);
  const char *src[] = {"SOURCE_SQL_STREAM_001"};
  assert_int_equal(
      catalog_pump_create(f->cat, a, "P", NULL, "x", "D", src, 1, false, NULL, &f->err), SLUICE_OK);
  /* the pump in a does not lock D of b */
  assert_int_equal(catalog_stream_create(f->cat, b, "D", NULL, DEST_COLS, 2, true, NULL, &f->err),
                   SLUICE_OK);
  assert_int_equal(catalog_stream_create(f->cat, a, "D", NULL, DEST_COLS, 2, true, NULL, &f->err),
                   SLUICE_STATE);
  assert_int_equal(catalog_app_delete(f->cat, a, &f->err), SLUICE_OK);
  int64_t id;
  assert_int_equal(catalog_app_lookup(f->cat, "first", &id, &f->err), SLUICE_NOTFOUND);
  assert_int_equal(catalog_relation_get(f->cat, b, "D", f->arena, &rb, &f->err), SLUICE_OK);
  assert_int_equal(catalog_relation_get(f->cat, b, "SOURCE_SQL_STREAM_001", f->arena, &rb, &f->err),
                   SLUICE_OK);
}

static void test_reset_code(void **state) {
  fixture *f = *state;
  int64_t app = make_app(f, "a");
  make_input(f, app, 1);
  assert_int_equal(
      catalog_stream_create(f->cat, app, "D", NULL, DEST_COLS, 2, false, NULL, &f->err), SLUICE_OK);
  const char *src[] = {"SOURCE_SQL_STREAM_001"};
  int64_t pid;
  assert_int_equal(
      catalog_pump_create(f->cat, app, "P", NULL, "x", "D", src, 1, false, &pid, &f->err),
      SLUICE_OK);
  catalog_checkpoint cp = {.pump = pid, .taken_ms = 1};
  assert_int_equal(catalog_checkpoint_put(f->cat, &cp, &f->err), SLUICE_OK);
  catalog_param p1[] = {{"X", {.id = CORE_T_INTEGER}}};
  catalog_function fn = {
      .name = "F", .nparams = 1, .params = p1, .returns = {.id = CORE_T_INTEGER}, .body = "x"};
  assert_int_equal(catalog_function_create(f->cat, app, &fn, false, NULL, &f->err), SLUICE_OK);
  assert_int_equal(
      catalog_output_create(f->cat, app, "o", "D", "out", CATALOG_FORMAT_JSON, NULL, &f->err),
      SLUICE_OK);
  assert_int_equal(catalog_app_reset_code(f->cat, app, &f->err), SLUICE_OK);
  static char after[16384];
  dump(f, after, sizeof after);
  assert_string_equal(
      after, "app a\n"
             " rel SOURCE_SQL_STREAM_001 kind 2 desc - (TICKER_SYMBOL 10 4 0 0,SECTOR 10 16 0 "
             "0,CHANGE 7 0 0 0,PRICE 7 0 0 0,)\n"
             " rel error_stream kind 3 desc errors of the application (ERROR_TIME 15 0 0 "
             "0,ERROR_LEVEL 10 10 0 0,ERROR_NAME 10 32 0 0,MESSAGE 10 4096 0 0,DATA_ROWTIME "
             "15 0 0 0,DATA_ROW 10 49152 0 0,PUMP_NAME 10 128 0 0,)\n"
             " input SOURCE_SQL_STREAM clicks 1\n"
             " output o D out 1\n");
  catalog_checkpoint *got;
  assert_int_equal(catalog_checkpoint_get(f->cat, pid, f->arena, &got, &f->err), SLUICE_NOTFOUND);
}

static void test_schema_version_and_verify(void **state) {
  fixture *f = *state;
  make_app(f, "a");
  assert_int_equal(catalog_verify(f->cat, &f->err), SLUICE_OK);
  catalog_close(f->cat);
  f->cat = NULL;
  /* a catalog written by a future version is refused, not misread */
  char path[128];
  snprintf(path, sizeof path, "%s/catalog.db", f->dir);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "UPDATE meta SET value='2' WHERE key='schema_version'", NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  catalog *c2;
  assert_int_equal(catalog_open(f->dir, &c2, &f->err), SLUICE_CORRUPT);
  assert_string_equal(f->err.message, "catalog schema version 2 is not supported");
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "UPDATE meta SET value='1' WHERE key='schema_version';"
                                "DELETE FROM relations WHERE kind=3",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  /* columns left without their stream: a broken foreign key */
  assert_int_equal(catalog_open(f->dir, &f->cat, &f->err), SLUICE_OK);
  assert_int_equal(catalog_verify(f->cat, &f->err), SLUICE_CORRUPT);
  assert_string_equal(f->err.message, "catalog check failed: foreign keys");
  assert_int_equal(sqlite3_exec(db,
                                "DELETE FROM relation_columns WHERE owner NOT IN (SELECT id FROM "
                                "relations)",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(catalog_verify(f->cat, &f->err), SLUICE_CORRUPT);
  assert_string_equal(f->err.message, "catalog check failed: system streams");
  assert_string_equal(f->err.detail, "application without error_stream: a.");
  assert_int_equal(catalog_app_delete(f->cat, 1, &f->err), SLUICE_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_app_has_error_stream, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_create_lookup_list, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pumps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inputs_outputs_reference, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failed_statement_leaves_catalog_unchanged, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_applications, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reset_code, setup, teardown),
      cmocka_unit_test_setup_teardown(test_schema_version_and_verify, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * catalog.c — the SQLite-backed catalog (see catalog.h for the contract).
 *
 * Every mutating function runs inside a savepoint (op_begin/op_end), so it is
 * atomic by itself and nests inside an explicit catalog transaction. Lookups
 * read SQLite every time; there is no cache to keep consistent.
 */
#include "catalog/catalog.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct catalog {
  sqlite3 *db;
  bool in_tx;
};

/* Schema version 1. Relations are streams and reference tables (one name space
 * per application). Column rows serve relations and inputs alike. */
static const char *const SCHEMA =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT OR IGNORE INTO meta VALUES('schema_version','1');"
    "CREATE TABLE IF NOT EXISTS applications("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT);"
    "CREATE TABLE IF NOT EXISTS inputs("
    "  id INTEGER PRIMARY KEY,"
    "  app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
    "  name_prefix TEXT NOT NULL, source_stream TEXT NOT NULL, parallelism INTEGER NOT NULL,"
    "  format INTEGER NOT NULL, row_path TEXT, row_delimiter TEXT, col_delimiter TEXT,"
    "  start INTEGER NOT NULL, start_ms INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(app_id, name_prefix));"
    "CREATE TABLE IF NOT EXISTS relations("
    "  id INTEGER PRIMARY KEY,"
    "  app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, kind INTEGER NOT NULL, description TEXT,"
    "  input_id INTEGER REFERENCES inputs(id) ON DELETE CASCADE,"
    "  UNIQUE(app_id, name));"
    "CREATE TABLE IF NOT EXISTS relation_columns("
    "  owner INTEGER NOT NULL REFERENCES relations(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL, name TEXT NOT NULL, type_id INTEGER NOT NULL,"
    "  not_null INTEGER NOT NULL, t_start INTEGER NOT NULL, t_end INTEGER NOT NULL,"
    "  precision INTEGER NOT NULL, scale INTEGER NOT NULL, description TEXT, mapping TEXT,"
    "  PRIMARY KEY(owner, position));"
    "CREATE TABLE IF NOT EXISTS input_columns("
    "  owner INTEGER NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL, name TEXT NOT NULL, type_id INTEGER NOT NULL,"
    "  not_null INTEGER NOT NULL, t_start INTEGER NOT NULL, t_end INTEGER NOT NULL,"
    "  precision INTEGER NOT NULL, scale INTEGER NOT NULL, description TEXT, mapping TEXT,"
    "  PRIMARY KEY(owner, position));"
    "CREATE TABLE IF NOT EXISTS reference_sources("
    "  relation_id INTEGER PRIMARY KEY REFERENCES relations(id) ON DELETE CASCADE,"
    "  file TEXT NOT NULL, format INTEGER NOT NULL, row_path TEXT, row_delimiter TEXT,"
    "  col_delimiter TEXT);"
    "CREATE TABLE IF NOT EXISTS pumps("
    "  id INTEGER PRIMARY KEY,"
    "  app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, description TEXT, sql TEXT NOT NULL,"
    "  target_id INTEGER NOT NULL REFERENCES relations(id),"
    "  state INTEGER NOT NULL, UNIQUE(app_id, name));"
    "CREATE TABLE IF NOT EXISTS pump_sources("
    "  pump_id INTEGER NOT NULL REFERENCES pumps(id) ON DELETE CASCADE,"
    "  relation_id INTEGER NOT NULL REFERENCES relations(id),"
    "  PRIMARY KEY(pump_id, relation_id));"
    "CREATE TABLE IF NOT EXISTS functions("
    "  id INTEGER PRIMARY KEY,"
    "  app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, specific TEXT, signature TEXT NOT NULL,"
    "  r_type_id INTEGER NOT NULL, r_not_null INTEGER NOT NULL, r_start INTEGER NOT NULL,"
    "  r_end INTEGER NOT NULL, r_precision INTEGER NOT NULL, r_scale INTEGER NOT NULL,"
    "  body TEXT NOT NULL, sql TEXT, deterministic INTEGER NOT NULL,"
    "  null_on_null INTEGER NOT NULL,"
    "  UNIQUE(app_id, name, signature), UNIQUE(app_id, specific));"
    "CREATE TABLE IF NOT EXISTS function_params("
    "  owner INTEGER NOT NULL REFERENCES functions(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL, name TEXT NOT NULL, type_id INTEGER NOT NULL,"
    "  not_null INTEGER NOT NULL, t_start INTEGER NOT NULL, t_end INTEGER NOT NULL,"
    "  precision INTEGER NOT NULL, scale INTEGER NOT NULL, PRIMARY KEY(owner, position));"
    "CREATE TABLE IF NOT EXISTS outputs("
    "  id INTEGER PRIMARY KEY,"
    "  app_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, stream TEXT NOT NULL, destination TEXT NOT NULL,"
    "  format INTEGER NOT NULL, UNIQUE(app_id, name));"
    "CREATE TABLE IF NOT EXISTS checkpoints("
    "  pump_id INTEGER PRIMARY KEY REFERENCES pumps(id) ON DELETE CASCADE,"
    "  taken_ms INTEGER NOT NULL, blob BLOB);"
    "CREATE TABLE IF NOT EXISTS checkpoint_positions("
    "  pump_id INTEGER NOT NULL REFERENCES checkpoints(pump_id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL, stream TEXT NOT NULL, shard TEXT NOT NULL,"
    "  sequence TEXT NOT NULL, PRIMARY KEY(pump_id, position));";

/* ------------------------------------------------------------- helpers -- */

static int db_error(catalog *c, core_error *err, const char *what) {
  core_error_set(err, SLUICE_IO, "catalog database error");
  core_error_detail(err, "SQLite failed to %s: %s.", what, sqlite3_errmsg(c->db));
  return SLUICE_IO;
}

static int exec(catalog *c, const char *sql, core_error *err) {
  char *msg = NULL;
  if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    core_error_set(err, SLUICE_IO, "catalog database error");
    core_error_detail(err, "SQLite failed to run a statement: %s.", msg ? msg : "unknown error");
    sqlite3_free(msg);
    return SLUICE_IO;
  }
  return SLUICE_OK;
}

static int prep(catalog *c, const char *sql, sqlite3_stmt **st, core_error *err) {
  if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK) {
    *st = NULL;
    return db_error(c, err, "prepare a statement");
  }
  return SLUICE_OK;
}

/* Runs a prepared statement that returns no rows, then finalizes it. */
static int run(catalog *c, sqlite3_stmt *st, core_error *err) {
  int s = sqlite3_step(st);
  int rc = (s == SQLITE_DONE || s == SQLITE_ROW) ? SLUICE_OK : db_error(c, err, "write");
  sqlite3_finalize(st);
  return rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, i);
}

static const char *col_text(core_arena *a, sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  if (!t) return NULL;
  return core_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

/* A savepoint around one mutating call. */
static int op_begin(catalog *c, core_error *err) {
  return exec(c, "SAVEPOINT catalog_op", err);
}

static int op_end(catalog *c, int rc) {
  if (rc == SLUICE_OK) {
    core_error e2;
    if (exec(c, "RELEASE catalog_op", &e2) == SLUICE_OK) return SLUICE_OK;
    rc = SLUICE_IO;
  }
  sqlite3_exec(c->db, "ROLLBACK TO catalog_op; RELEASE catalog_op", NULL, NULL, NULL);
  return rc;
}

static int oom(core_error *err) {
  return core_error_set(err, SLUICE_NOMEM, "out of memory");
}

/* ----------------------------------------------------------- lifecycle -- */

int catalog_open(const char *dir, catalog **out, core_error *err) {
  *out = NULL;
  catalog *c = calloc(1, sizeof *c);
  if (!c) return oom(err);
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/catalog.db", dir) >= sizeof path) {
    free(c);
    return core_error_set(err, SLUICE_INVALID, "data directory path too long");
  }
  if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    core_error_set(err, SLUICE_IO, "cannot open catalog");
    core_error_detail(err, "SQLite could not open %s: %s.", path,
                      c->db ? sqlite3_errmsg(c->db) : "out of memory");
    sqlite3_close(c->db);
    free(c);
    return SLUICE_IO;
  }
  sqlite3_busy_timeout(c->db, 5000);
  int rc =
      exec(c, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;", err);
  /* The schema is created once; an existing catalog is opened without taking
   * the write lock, so a second handle can open while another one writes. */
  bool has_schema = false;
  sqlite3_stmt *st;
  if (rc == SLUICE_OK &&
      sqlite3_prepare_v2(c->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st,
                         NULL) == SQLITE_OK) {
    has_schema = sqlite3_step(st) == SQLITE_ROW;
    if (has_schema && strcmp((const char *)sqlite3_column_text(st, 0), "1") != 0) {
      core_error_set(err, SLUICE_CORRUPT, "catalog schema version %s is not supported",
                     (const char *)sqlite3_column_text(st, 0));
      core_error_detail(err, "This build of sluice reads catalog schema version 1.");
      rc = SLUICE_CORRUPT;
    }
    sqlite3_finalize(st);
  }
  if (rc == SLUICE_OK && !has_schema) rc = exec(c, "BEGIN IMMEDIATE", err);
  if (rc == SLUICE_OK && !has_schema) {
    rc = exec(c, SCHEMA, err);
    if (rc == SLUICE_OK)
      rc = exec(c, "COMMIT", err);
    else
      sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  }
  if (rc != SLUICE_OK) {
    sqlite3_close(c->db);
    free(c);
    return rc;
  }
  *out = c;
  return SLUICE_OK;
}

void catalog_close(catalog *c) {
  if (!c) return;
  if (c->in_tx) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close(c->db);
  free(c);
}

int catalog_verify(catalog *c, core_error *err) {
  static const struct {
    const char *sql;
    const char *what;
  } checks[] = {
      {"SELECT 'integrity: ' || integrity_check FROM pragma_integrity_check "
       "WHERE integrity_check <> 'ok'",
       "integrity"},
      {"SELECT 'foreign key: ' || \"table\" || ' row ' || rowid FROM pragma_foreign_key_check",
       "foreign keys"},
      {"SELECT 'application without error_stream: ' || name FROM applications a WHERE NOT EXISTS "
       "(SELECT 1 FROM relations r WHERE r.app_id = a.id AND r.kind = 3)",
       "system streams"},
  };
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    sqlite3_stmt *st;
    int rc = prep(c, checks[i].sql, &st, err);
    if (rc) return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
      core_error_set(err, SLUICE_CORRUPT, "catalog check failed: %s", checks[i].what);
      core_error_detail(err, "%s.", (const char *)sqlite3_column_text(st, 0));
      sqlite3_finalize(st);
      return SLUICE_CORRUPT;
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) return db_error(c, err, "check the catalog");
  }
  return SLUICE_OK;
}

int catalog_begin(catalog *c, core_error *err) {
  if (c->in_tx) return core_error_set(err, SLUICE_STATE, "a catalog transaction is already open");
  int rc = exec(c, "BEGIN IMMEDIATE", err);
  if (rc == SLUICE_OK) c->in_tx = true;
  return rc;
}

int catalog_commit(catalog *c, core_error *err) {
  if (!c->in_tx) return core_error_set(err, SLUICE_STATE, "no catalog transaction is open");
  int rc = exec(c, "COMMIT", err);
  if (rc != SLUICE_OK) sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  c->in_tx = false;
  return rc;
}

int catalog_rollback(catalog *c, core_error *err) {
  if (!c->in_tx) return core_error_set(err, SLUICE_STATE, "no catalog transaction is open");
  c->in_tx = false;
  return exec(c, "ROLLBACK", err);
}

bool catalog_in_transaction(const catalog *c) {
  return c->in_tx;
}

/* ------------------------------------------------------------- columns -- */

static bool is_error_stream_name(const char *name) {
  return strcasecmp(name, CATALOG_ERROR_STREAM) == 0;
}

/* table is "relation_columns" or "input_columns". */
static int columns_insert(catalog *c, const char *table, int64_t owner, const catalog_column *cols,
                          int n, core_error *err) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "INSERT INTO %s(owner,position,name,type_id,not_null,t_start,t_end,precision,scale,"
           "description,mapping) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
           table);
  for (int i = 0; i < n; i++) {
    sqlite3_stmt *st;
    int rc = prep(c, sql, &st, err);
    if (rc) return rc;
    const core_type *t = &cols[i].type;
    sqlite3_bind_int64(st, 1, owner);
    sqlite3_bind_int(st, 2, i);
    bind_text(st, 3, cols[i].name);
    sqlite3_bind_int(st, 4, t->id);
    sqlite3_bind_int(st, 5, t->not_null);
    sqlite3_bind_int(st, 6, t->start);
    sqlite3_bind_int(st, 7, t->end);
    sqlite3_bind_int(st, 8, t->precision);
    sqlite3_bind_int(st, 9, t->scale);
    bind_text(st, 10, cols[i].description);
    bind_text(st, 11, cols[i].mapping);
    if ((rc = run(c, st, err))) return rc;
  }
  return SLUICE_OK;
}

static core_type type_from_row(sqlite3_stmt *st, int first) {
  core_type t;
  memset(&t, 0, sizeof t);
  t.id = (uint8_t)sqlite3_column_int(st, first);
  t.not_null = (uint8_t)sqlite3_column_int(st, first + 1);
  t.start = (uint8_t)sqlite3_column_int(st, first + 2);
  t.end = (uint8_t)sqlite3_column_int(st, first + 3);
  t.precision = sqlite3_column_int(st, first + 4);
  t.scale = sqlite3_column_int(st, first + 5);
  return t;
}

static int columns_load(catalog *c, const char *table, int64_t owner, core_arena *a,
                        catalog_column **out, int *n, core_error *err) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT name,type_id,not_null,t_start,t_end,precision,scale,description,mapping "
           "FROM %s WHERE owner=? ORDER BY position",
           table);
  sqlite3_stmt *st;
  int rc = prep(c, sql, &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, owner);
  size_t cap = 8, cnt = 0;
  catalog_column *cols = core_arena_alloc(a, cap * sizeof *cols);
  int s;
  while (cols && (s = sqlite3_step(st)) == SQLITE_ROW) {
    if (cnt == cap) {
      catalog_column *bigger = core_arena_alloc(a, 2 * cap * sizeof *cols);
      if (!bigger) break;
      memcpy(bigger, cols, cnt * sizeof *cols);
      cols = bigger;
      cap *= 2;
    }
    catalog_column *col = &cols[cnt++];
    col->name = col_text(a, st, 0);
    col->type = type_from_row(st, 1);
    col->description = col_text(a, st, 7);
    col->mapping = col_text(a, st, 8);
  }
  sqlite3_finalize(st);
  if (!cols || core_arena_oom(a)) return oom(err);
  *out = cols;
  *n = (int)cnt;
  return SLUICE_OK;
}

static int check_columns(const char *what, const char *name, const catalog_column *cols, int n,
                         bool allow_interval, core_error *err) {
  if (n <= 0) return core_error_set(err, SLUICE_INVALID, "%s \"%s\" has no columns", what, name);
  for (int i = 0; i < n; i++) {
    if (!cols[i].name || !cols[i].name[0])
      return core_error_set(err, SLUICE_INVALID, "column %d of %s \"%s\" has no name", i + 1, what,
                            name);
    if (!allow_interval && core_type_is_interval((core_type_id)cols[i].type.id))
      return core_error_set(err, SLUICE_INVALID,
                            "column \"%s\" of %s \"%s\" cannot have an INTERVAL type", cols[i].name,
                            what, name);
    for (int j = 0; j < i; j++)
      if (strcmp(cols[i].name, cols[j].name) == 0)
        return core_error_set(err, SLUICE_INVALID, "column \"%s\" specified more than once",
                              cols[i].name);
  }
  return SLUICE_OK;
}

/* ------------------------------------------------------------ relations -- */

/* id and kind of a relation by name; SLUICE_NOTFOUND (no error text) if none. */
static int relation_find(catalog *c, int64_t app, const char *name, int64_t *id, int *kind,
                         core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, "SELECT id, kind FROM relations WHERE app_id=? AND name=?", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW) {
    *id = sqlite3_column_int64(st, 0);
    *kind = sqlite3_column_int(st, 1);
    rc = SLUICE_OK;
  } else if (s == SQLITE_DONE) {
    rc = SLUICE_NOTFOUND;
  } else {
    rc = db_error(c, err, "read relations");
  }
  sqlite3_finalize(st);
  return rc;
}

static const char *kind_word(int kind) {
  switch (kind) {
    case CATALOG_REL_TABLE:
      return "reference table";
    case CATALOG_REL_SOURCE:
      return "source stream";
    default:
      return "stream";
  }
}

static int relation_insert(catalog *c, int64_t app, const char *name, int kind,
                           const char *description, int64_t input, const catalog_column *cols,
                           int n, int64_t *id, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, "INSERT INTO relations(app_id,name,kind,description,input_id) VALUES(?,?,?,?,?)",
                &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  sqlite3_bind_int(st, 3, kind);
  bind_text(st, 4, description);
  if (input)
    sqlite3_bind_int64(st, 5, input);
  else
    sqlite3_bind_null(st, 5);
  if ((rc = run(c, st, err))) return rc;
  int64_t rid = sqlite3_last_insert_rowid(c->db);
  if ((rc = columns_insert(c, "relation_columns", rid, cols, n, err))) return rc;
  if (id) *id = rid;
  return SLUICE_OK;
}

/* The name of a pump that reads or writes relation rid, or NULL. */
static const char *pump_using(catalog *c, int64_t rid, char *buf, size_t size) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(c->db,
                         "SELECT name FROM pumps WHERE target_id=?1 OR id IN "
                         "(SELECT pump_id FROM pump_sources WHERE relation_id=?1) "
                         "ORDER BY name LIMIT 1",
                         -1, &st, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_int64(st, 1, rid);
  const char *r = NULL;
  if (sqlite3_step(st) == SQLITE_ROW) {
    snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    r = buf;
  }
  sqlite3_finalize(st);
  return r;
}

static int app_exists(catalog *c, int64_t app, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, "SELECT 1 FROM applications WHERE id=?", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s == SQLITE_ROW) return SLUICE_OK;
  return core_error_set(err, SLUICE_NOTFOUND, "application %lld does not exist", (long long)app);
}

static int stream_create(catalog *c, int64_t app, const char *name, const char *description,
                         const catalog_column *cols, int n, bool or_replace, int64_t *id,
                         core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  if (is_error_stream_name(name))
    return core_error_set(err, SLUICE_INVALID, "a stream may not be named error_stream");
  if ((rc = check_columns("stream", name, cols, n, false, err))) return rc;
  int64_t rid;
  int kind;
  rc = relation_find(c, app, name, &rid, &kind, err);
  if (rc == SLUICE_NOTFOUND)
    return relation_insert(c, app, name, CATALOG_REL_STREAM, description, 0, cols, n, id, err);
  if (rc) return rc;
  if (!or_replace || kind != CATALOG_REL_STREAM)
    return core_error_set(err, SLUICE_EXISTS, "%s \"%s\" already exists", kind_word(kind), name);
  char pump[256];
  if (pump_using(c, rid, pump, sizeof pump)) {
    core_error_set(err, SLUICE_STATE, "stream redefined");
    core_error_detail(err, "Stream \"%s\" is read or written by pump \"%s\".", name, pump);
    core_error_hint(err, "A stream cannot be defined again once a pump uses it.");
    return SLUICE_STATE;
  }
  sqlite3_stmt *st;
  if ((rc = prep(c, "UPDATE relations SET description=? WHERE id=?", &st, err))) return rc;
  bind_text(st, 1, description);
  sqlite3_bind_int64(st, 2, rid);
  if ((rc = run(c, st, err))) return rc;
  if ((rc = prep(c, "DELETE FROM relation_columns WHERE owner=?", &st, err))) return rc;
  sqlite3_bind_int64(st, 1, rid);
  if ((rc = run(c, st, err))) return rc;
  if ((rc = columns_insert(c, "relation_columns", rid, cols, n, err))) return rc;
  if (id) *id = rid;
  return SLUICE_OK;
}

int catalog_stream_create(catalog *c, int64_t app, const char *name, const char *description,
                          const catalog_column *columns, int ncolumns, bool or_replace, int64_t *id,
                          core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  rc = stream_create(c, app, name, description, columns, ncolumns, or_replace, id, err);
  return op_end(c, rc);
}

static int relation_load(catalog *c, sqlite3_stmt *st, core_arena *a, catalog_relation **out,
                         core_error *err) {
  catalog_relation *r = core_arena_zalloc(a, sizeof *r);
  if (!r) return oom(err);
  r->id = sqlite3_column_int64(st, 0);
  r->app = sqlite3_column_int64(st, 1);
  r->name = col_text(a, st, 2);
  r->kind = sqlite3_column_int(st, 3);
  r->description = col_text(a, st, 4);
  r->input = sqlite3_column_int64(st, 5);
  int rc = columns_load(c, "relation_columns", r->id, a, &r->columns, &r->ncolumns, err);
  if (rc) return rc;
  *out = r;
  return SLUICE_OK;
}

#define REL_COLS "SELECT id, app_id, name, kind, description, input_id FROM relations "

int catalog_relation_get(catalog *c, int64_t app, const char *name, core_arena *a,
                         catalog_relation **out, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, REL_COLS "WHERE app_id=? AND name=?", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW)
    rc = relation_load(c, st, a, out, err);
  else if (s == SQLITE_DONE)
    rc = core_error_set(err, SLUICE_NOTFOUND, "relation \"%s\" does not exist", name);
  else
    rc = db_error(c, err, "read relations");
  sqlite3_finalize(st);
  return rc;
}

int catalog_relation_get_id(catalog *c, int64_t id, core_arena *a, catalog_relation **out,
                            core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, REL_COLS "WHERE id=?", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, id);
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW)
    rc = relation_load(c, st, a, out, err);
  else if (s == SQLITE_DONE)
    rc = core_error_set(err, SLUICE_NOTFOUND, "relation %lld does not exist", (long long)id);
  else
    rc = db_error(c, err, "read relations");
  sqlite3_finalize(st);
  return rc;
}

/* Collects rows of a listing into an arena array of pointers. */
typedef int (*row_loader)(catalog *c, sqlite3_stmt *st, core_arena *a, void **out, core_error *err);

static int list_rows(catalog *c, sqlite3_stmt *st, core_arena *a, row_loader load, void ***out,
                     size_t *n, core_error *err) {
  size_t cap = 8, cnt = 0;
  void **v = core_arena_alloc(a, cap * sizeof *v);
  int rc = v ? SLUICE_OK : oom(err);
  int s;
  while (rc == SLUICE_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
    if (cnt == cap) {
      void **bigger = core_arena_alloc(a, 2 * cap * sizeof *v);
      if (!bigger) {
        rc = oom(err);
        break;
      }
      memcpy(bigger, v, cnt * sizeof *v);
      v = bigger;
      cap *= 2;
    }
    rc = load(c, st, a, &v[cnt], err);
    if (rc == SLUICE_OK) cnt++;
  }
  if (rc == SLUICE_OK && s != SQLITE_DONE) rc = db_error(c, err, "read a listing");
  sqlite3_finalize(st);
  if (rc) return rc;
  *out = v;
  *n = cnt;
  return SLUICE_OK;
}

static int load_relation_row(catalog *c, sqlite3_stmt *st, core_arena *a, void **out,
                             core_error *err) {
  return relation_load(c, st, a, (catalog_relation **)out, err);
}

int catalog_relation_list(catalog *c, int64_t app, core_arena *a, catalog_relation ***out,
                          size_t *n, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, REL_COLS "WHERE app_id=? ORDER BY name", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  return list_rows(c, st, a, load_relation_row, (void ***)out, n, err);
}

static int relation_delete(catalog *c, int64_t app, const char *name, core_error *err) {
  int64_t rid;
  int kind;
  int rc = relation_find(c, app, name, &rid, &kind, err);
  if (rc == SLUICE_NOTFOUND)
    return core_error_set(err, SLUICE_NOTFOUND, "relation \"%s\" does not exist", name);
  if (rc) return rc;
  if (kind != CATALOG_REL_STREAM && kind != CATALOG_REL_TABLE)
    return core_error_set(err, SLUICE_INVALID, "%s \"%s\" cannot be deleted", kind_word(kind),
                          name);
  char pump[256];
  if (pump_using(c, rid, pump, sizeof pump)) {
    core_error_set(err, SLUICE_STATE, "%s \"%s\" is used by pump \"%s\"", kind_word(kind), name,
                   pump);
    return SLUICE_STATE;
  }
  sqlite3_stmt *st;
  if ((rc = prep(c, "DELETE FROM relations WHERE id=?", &st, err))) return rc;
  sqlite3_bind_int64(st, 1, rid);
  return run(c, st, err);
}

int catalog_relation_delete(catalog *c, int64_t app, const char *name, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, relation_delete(c, app, name, err));
}

/* --------------------------------------------------------- applications -- */

static const catalog_column ERROR_STREAM_COLUMNS[] = {
    {"ERROR_TIME", {.id = CORE_T_TIMESTAMP}, NULL, NULL},
    {"ERROR_LEVEL", {.id = CORE_T_VARCHAR, .precision = 10}, NULL, NULL},
    {"ERROR_NAME", {.id = CORE_T_VARCHAR, .precision = 32}, NULL, NULL},
    {"MESSAGE", {.id = CORE_T_VARCHAR, .precision = 4096}, NULL, NULL},
    {"DATA_ROWTIME", {.id = CORE_T_TIMESTAMP}, NULL, NULL},
    {"DATA_ROW", {.id = CORE_T_VARCHAR, .precision = 49152}, NULL, NULL},
    {"PUMP_NAME", {.id = CORE_T_VARCHAR, .precision = 128}, NULL, NULL},
};

static bool valid_app_name(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return false;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_' || ch == '.' || ch == '-'))
      return false;
  }
  return true;
}

static int app_create(catalog *c, const char *name, const char *description, int64_t *id,
                      core_error *err) {
  if (!valid_app_name(name)) {
    core_error_set(err, SLUICE_INVALID, "invalid application name \"%s\"", name);
    core_error_detail(err, "An application name has 1 to 128 characters of [a-zA-Z0-9_.-].");
    return SLUICE_INVALID;
  }
  int64_t existing;
  core_error e2;
  if (catalog_app_lookup(c, name, &existing, &e2) == SLUICE_OK)
    return core_error_set(err, SLUICE_EXISTS, "application \"%s\" already exists", name);
  sqlite3_stmt *st;
  int rc = prep(c, "INSERT INTO applications(name, description) VALUES(?,?)", &st, err);
  if (rc) return rc;
  bind_text(st, 1, name);
  bind_text(st, 2, description);
  if ((rc = run(c, st, err))) return rc;
  int64_t app = sqlite3_last_insert_rowid(c->db);
  rc = relation_insert(c, app, CATALOG_ERROR_STREAM, CATALOG_REL_SYSTEM,
                       "errors of the application", 0, ERROR_STREAM_COLUMNS,
                       (int)(sizeof ERROR_STREAM_COLUMNS / sizeof ERROR_STREAM_COLUMNS[0]), NULL,
                       err);
  if (rc) return rc;
  if (id) *id = app;
  return SLUICE_OK;
}

int catalog_app_create(catalog *c, const char *name, const char *description, int64_t *id,
                       core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, app_create(c, name, description, id, err));
}

int catalog_app_lookup(catalog *c, const char *name, int64_t *id, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, "SELECT id FROM applications WHERE name=?", &st, err);
  if (rc) return rc;
  bind_text(st, 1, name);
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW) {
    *id = sqlite3_column_int64(st, 0);
  } else if (s == SQLITE_DONE) {
    rc = core_error_set(err, SLUICE_NOTFOUND, "application \"%s\" does not exist", name);
  } else {
    rc = db_error(c, err, "read applications");
  }
  sqlite3_finalize(st);
  return rc;
}

static int load_app_row(catalog *c, sqlite3_stmt *st, core_arena *a, void **out, core_error *err) {
  catalog_app *app = core_arena_zalloc(a, sizeof *app);
  if (!app) return oom(err);
  app->id = sqlite3_column_int64(st, 0);
  app->name = col_text(a, st, 1);
  app->description = col_text(a, st, 2);
  *out = app;
  return SLUICE_OK;
}

int catalog_app_list(catalog *c, core_arena *a, catalog_app **out, size_t *n, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, "SELECT id, name, description FROM applications ORDER BY name", &st, err);
  if (rc) return rc;
  void **rows;
  size_t cnt;
  if ((rc = list_rows(c, st, a, load_app_row, &rows, &cnt, err))) return rc;
  catalog_app *v = core_arena_alloc(a, (cnt ? cnt : 1) * sizeof *v);
  if (!v) return oom(err);
  for (size_t i = 0; i < cnt; i++) v[i] = *(catalog_app *)rows[i];
  *out = v;
  *n = cnt;
  return SLUICE_OK;
}

static int app_delete(catalog *c, int64_t app, core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  /* Pumps refer to relations without ON DELETE CASCADE: remove them first. */
  static const char *const steps[] = {
      "DELETE FROM pumps WHERE app_id=?",   "DELETE FROM functions WHERE app_id=?",
      "DELETE FROM outputs WHERE app_id=?", "DELETE FROM relations WHERE app_id=?",
      "DELETE FROM inputs WHERE app_id=?",  "DELETE FROM applications WHERE id=?",
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    sqlite3_stmt *st;
    if ((rc = prep(c, steps[i], &st, err))) return rc;
    sqlite3_bind_int64(st, 1, app);
    if ((rc = run(c, st, err))) return rc;
  }
  return SLUICE_OK;
}

static int app_reset_code(catalog *c, int64_t app, core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  static const char *const steps[] = {
      "DELETE FROM pumps WHERE app_id=?", "DELETE FROM functions WHERE app_id=?",
      "DELETE FROM relations WHERE app_id=? AND kind=1", /* CATALOG_REL_STREAM */
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    sqlite3_stmt *st;
    if ((rc = prep(c, steps[i], &st, err))) return rc;
    sqlite3_bind_int64(st, 1, app);
    if ((rc = run(c, st, err))) return rc;
  }
  return SLUICE_OK;
}

int catalog_app_reset_code(catalog *c, int64_t app, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, app_reset_code(c, app, err));
}

int catalog_app_delete(catalog *c, int64_t app, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, app_delete(c, app, err));
}

/* ---------------------------------------------------------------- pumps -- */

static int pump_create(catalog *c, int64_t app, const char *name, const char *description,
                       const char *sql, const char *target, const char *const *sources,
                       int nsources, bool or_replace, int64_t *id, core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  int64_t tid;
  int tkind;
  rc = relation_find(c, app, target, &tid, &tkind, err);
  if (rc == SLUICE_NOTFOUND)
    return core_error_set(err, SLUICE_NOTFOUND, "stream \"%s\" does not exist", target);
  if (rc) return rc;
  if (tkind == CATALOG_REL_TABLE)
    return core_error_set(err, SLUICE_INVALID, "pump target \"%s\" is not a stream", target);
  if (tkind == CATALOG_REL_SYSTEM)
    return core_error_set(err, SLUICE_INVALID, "cannot insert into error_stream");
  int64_t *sids = NULL;
  if (nsources > 0) {
    sids = calloc((size_t)nsources, sizeof *sids);
    if (!sids) return oom(err);
  }
  for (int i = 0; i < nsources; i++) {
    int k;
    rc = relation_find(c, app, sources[i], &sids[i], &k, err);
    if (rc == SLUICE_NOTFOUND)
      rc = core_error_set(err, SLUICE_NOTFOUND, "relation \"%s\" does not exist", sources[i]);
    else if (rc == SLUICE_OK && k == CATALOG_REL_SYSTEM)
      rc = core_error_set(err, SLUICE_INVALID, "cannot read from error_stream");
    if (rc) goto out;
  }
  sqlite3_stmt *st;
  int64_t pid = 0;
  if ((rc = prep(c, "SELECT id FROM pumps WHERE app_id=? AND name=?", &st, err))) goto out;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  if (sqlite3_step(st) == SQLITE_ROW) pid = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (pid && !or_replace) {
    rc = core_error_set(err, SLUICE_EXISTS, "pump \"%s\" already exists", name);
    goto out;
  }
  if (pid) {
    if ((rc = prep(c, "UPDATE pumps SET description=?, sql=?, target_id=? WHERE id=?", &st, err)))
      goto out;
    bind_text(st, 1, description);
    bind_text(st, 2, sql ? sql : "");
    sqlite3_bind_int64(st, 3, tid);
    sqlite3_bind_int64(st, 4, pid);
    if ((rc = run(c, st, err))) goto out;
    if ((rc = prep(c, "DELETE FROM pump_sources WHERE pump_id=?", &st, err))) goto out;
    sqlite3_bind_int64(st, 1, pid);
    if ((rc = run(c, st, err))) goto out;
  } else {
    if ((rc = prep(c,
                   "INSERT INTO pumps(app_id,name,description,sql,target_id,state) "
                   "VALUES(?,?,?,?,?,?)",
                   &st, err)))
      goto out;
    sqlite3_bind_int64(st, 1, app);
    bind_text(st, 2, name);
    bind_text(st, 3, description);
    bind_text(st, 4, sql ? sql : "");
    sqlite3_bind_int64(st, 5, tid);
    sqlite3_bind_int(st, 6, CATALOG_PUMP_RUNNING);
    if ((rc = run(c, st, err))) goto out;
    pid = sqlite3_last_insert_rowid(c->db);
  }
  for (int i = 0; i < nsources; i++) {
    if ((rc = prep(c, "INSERT OR IGNORE INTO pump_sources(pump_id, relation_id) VALUES(?,?)", &st,
                   err)))
      goto out;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, sids[i]);
    if ((rc = run(c, st, err))) goto out;
  }
  if (id) *id = pid;
out:
  free(sids);
  return rc;
}

int catalog_pump_create(catalog *c, int64_t app, const char *name, const char *description,
                        const char *sql, const char *target, const char *const *sources,
                        int nsources, bool or_replace, int64_t *id, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  rc = pump_create(c, app, name, description, sql, target, sources, nsources, or_replace, id, err);
  return op_end(c, rc);
}

static int load_pump_row(catalog *c, sqlite3_stmt *st, core_arena *a, void **out, core_error *err) {
  catalog_pump *p = core_arena_zalloc(a, sizeof *p);
  if (!p) return oom(err);
  p->id = sqlite3_column_int64(st, 0);
  p->app = sqlite3_column_int64(st, 1);
  p->name = col_text(a, st, 2);
  p->description = col_text(a, st, 3);
  p->sql = col_text(a, st, 4);
  p->target = col_text(a, st, 5);
  p->state = sqlite3_column_int(st, 6);
  sqlite3_stmt *s2;
  int rc = prep(c,
                "SELECT r.name FROM pump_sources s JOIN relations r ON r.id = s.relation_id "
                "WHERE s.pump_id=? ORDER BY r.name",
                &s2, err);
  if (rc) return rc;
  sqlite3_bind_int64(s2, 1, p->id);
  int cap = 4;
  p->sources = core_arena_alloc(a, (size_t)cap * sizeof *p->sources);
  while (p->sources && sqlite3_step(s2) == SQLITE_ROW) {
    if (p->nsources == cap) {
      const char **bigger = core_arena_alloc(a, 2 * (size_t)cap * sizeof *bigger);
      if (!bigger) break;
      memcpy(bigger, p->sources, (size_t)cap * sizeof *bigger);
      p->sources = bigger;
      cap *= 2;
    }
    p->sources[p->nsources++] = col_text(a, s2, 0);
  }
  sqlite3_finalize(s2);
  if (!p->sources || core_arena_oom(a)) return oom(err);
  *out = p;
  return SLUICE_OK;
}

#define PUMP_COLS                                                                                  \
  "SELECT p.id, p.app_id, p.name, p.description, p.sql, r.name, p.state FROM pumps p "             \
  "JOIN relations r ON r.id = p.target_id "

int catalog_pump_get(catalog *c, int64_t app, const char *name, core_arena *a, catalog_pump **out,
                     core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, PUMP_COLS "WHERE p.app_id=? AND p.name=?", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW)
    rc = load_pump_row(c, st, a, (void **)out, err);
  else if (s == SQLITE_DONE)
    rc = core_error_set(err, SLUICE_NOTFOUND, "pump \"%s\" does not exist", name);
  else
    rc = db_error(c, err, "read pumps");
  sqlite3_finalize(st);
  return rc;
}

int catalog_pump_list(catalog *c, int64_t app, core_arena *a, catalog_pump ***out, size_t *n,
                      core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, PUMP_COLS "WHERE p.app_id=? ORDER BY p.name", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  return list_rows(c, st, a, load_pump_row, (void ***)out, n, err);
}

static int pump_update(catalog *c, const char *sql, int64_t app, const char *name, int state,
                       bool with_state, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, sql, &st, err);
  if (rc) return rc;
  int i = 1;
  if (with_state) sqlite3_bind_int(st, i++, state);
  sqlite3_bind_int64(st, i++, app);
  bind_text(st, i, name);
  if ((rc = run(c, st, err))) return rc;
  if (sqlite3_changes(c->db) == 0)
    return core_error_set(err, SLUICE_NOTFOUND, "pump \"%s\" does not exist", name);
  return SLUICE_OK;
}

int catalog_pump_set_state(catalog *c, int64_t app, const char *name, int state, core_error *err) {
  if (state != CATALOG_PUMP_RUNNING && state != CATALOG_PUMP_STOPPED)
    return core_error_set(err, SLUICE_INVALID, "invalid pump state %d", state);
  int rc = op_begin(c, err);
  if (rc) return rc;
  rc = pump_update(c, "UPDATE pumps SET state=? WHERE app_id=? AND name=?", app, name, state, true,
                   err);
  return op_end(c, rc);
}

int catalog_pump_delete(catalog *c, int64_t app, const char *name, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  rc = pump_update(c, "DELETE FROM pumps WHERE app_id=? AND name=?", app, name, 0, false, err);
  return op_end(c, rc);
}

/* ------------------------------------------------------------ functions -- */

static void signature_of(const catalog_param *p, int n, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = 0;
  for (int i = 0; i < n && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? "," : "", p[i].type.id);
}

static int function_create(catalog *c, int64_t app, const catalog_function *f, bool or_replace,
                           int64_t *id, core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  if (f->nparams < 0 || f->nparams > 256)
    return core_error_set(err, SLUICE_INVALID, "function \"%s\" has too many parameters", f->name);
  for (int i = 0; i < f->nparams; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(f->params[i].name, f->params[j].name) == 0)
        return core_error_set(err, SLUICE_INVALID, "parameter \"%s\" specified more than once",
                              f->params[i].name);
  char sig[256 * 4 + 1];
  signature_of(f->params, f->nparams, sig, sizeof sig);
  sqlite3_stmt *st;
  if ((rc =
           prep(c, "SELECT id FROM functions WHERE app_id=? AND name=? AND signature=?", &st, err)))
    return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, f->name);
  bind_text(st, 3, sig);
  int64_t old = 0;
  if (sqlite3_step(st) == SQLITE_ROW) old = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (old && !or_replace)
    return core_error_set(err, SLUICE_EXISTS,
                          "function \"%s\" with these parameter types already exists", f->name);
  if (f->specific) {
    if ((rc =
             prep(c, "SELECT id FROM functions WHERE app_id=? AND specific=? AND id<>?", &st, err)))
      return rc;
    sqlite3_bind_int64(st, 1, app);
    bind_text(st, 2, f->specific);
    sqlite3_bind_int64(st, 3, old);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s == SQLITE_ROW)
      return core_error_set(err, SLUICE_EXISTS, "specific name \"%s\" already exists", f->specific);
  }
  if (old) {
    if ((rc = prep(c, "DELETE FROM functions WHERE id=?", &st, err))) return rc;
    sqlite3_bind_int64(st, 1, old);
    if ((rc = run(c, st, err))) return rc;
  }
  if ((rc = prep(c,
                 "INSERT INTO functions(id,app_id,name,specific,signature,r_type_id,r_not_null,"
                 "r_start,r_end,r_precision,r_scale,body,sql,deterministic,null_on_null) "
                 "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                 &st, err)))
    return rc;
  if (old)
    sqlite3_bind_int64(st, 1, old);
  else
    sqlite3_bind_null(st, 1);
  sqlite3_bind_int64(st, 2, app);
  bind_text(st, 3, f->name);
  bind_text(st, 4, f->specific);
  bind_text(st, 5, sig);
  sqlite3_bind_int(st, 6, f->returns.id);
  sqlite3_bind_int(st, 7, f->returns.not_null);
  sqlite3_bind_int(st, 8, f->returns.start);
  sqlite3_bind_int(st, 9, f->returns.end);
  sqlite3_bind_int(st, 10, f->returns.precision);
  sqlite3_bind_int(st, 11, f->returns.scale);
  bind_text(st, 12, f->body ? f->body : "");
  bind_text(st, 13, f->sql);
  sqlite3_bind_int(st, 14, f->deterministic);
  sqlite3_bind_int(st, 15, f->null_on_null);
  if ((rc = run(c, st, err))) return rc;
  int64_t fid = sqlite3_last_insert_rowid(c->db);
  for (int i = 0; i < f->nparams; i++) {
    if ((rc = prep(c,
                   "INSERT INTO function_params(owner,position,name,type_id,not_null,t_start,"
                   "t_end,precision,scale) VALUES(?,?,?,?,?,?,?,?,?)",
                   &st, err)))
      return rc;
    const core_type *t = &f->params[i].type;
    sqlite3_bind_int64(st, 1, fid);
    sqlite3_bind_int(st, 2, i);
    bind_text(st, 3, f->params[i].name);
    sqlite3_bind_int(st, 4, t->id);
    sqlite3_bind_int(st, 5, t->not_null);
    sqlite3_bind_int(st, 6, t->start);
    sqlite3_bind_int(st, 7, t->end);
    sqlite3_bind_int(st, 8, t->precision);
    sqlite3_bind_int(st, 9, t->scale);
    if ((rc = run(c, st, err))) return rc;
  }
  if (id) *id = fid;
  return SLUICE_OK;
}

int catalog_function_create(catalog *c, int64_t app, const catalog_function *f, bool or_replace,
                            int64_t *id, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, function_create(c, app, f, or_replace, id, err));
}

static int load_function_row(catalog *c, sqlite3_stmt *st, core_arena *a, void **out,
                             core_error *err) {
  catalog_function *f = core_arena_zalloc(a, sizeof *f);
  if (!f) return oom(err);
  f->id = sqlite3_column_int64(st, 0);
  f->app = sqlite3_column_int64(st, 1);
  f->name = col_text(a, st, 2);
  f->specific = col_text(a, st, 3);
  f->returns = type_from_row(st, 4);
  f->body = col_text(a, st, 10);
  f->sql = col_text(a, st, 11);
  f->deterministic = sqlite3_column_int(st, 12) != 0;
  f->null_on_null = sqlite3_column_int(st, 13) != 0;
  sqlite3_stmt *s2;
  int rc = prep(c,
                "SELECT name,type_id,not_null,t_start,t_end,precision,scale FROM function_params "
                "WHERE owner=? ORDER BY position",
                &s2, err);
  if (rc) return rc;
  sqlite3_bind_int64(s2, 1, f->id);
  f->params = core_arena_alloc(a, 256 * sizeof *f->params);
  while (f->params && f->nparams < 256 && sqlite3_step(s2) == SQLITE_ROW) {
    f->params[f->nparams].name = col_text(a, s2, 0);
    f->params[f->nparams].type = type_from_row(s2, 1);
    f->nparams++;
  }
  sqlite3_finalize(s2);
  if (!f->params || core_arena_oom(a)) return oom(err);
  *out = f;
  return SLUICE_OK;
}

#define FN_COLS                                                                                    \
  "SELECT id,app_id,name,specific,r_type_id,r_not_null,r_start,r_end,r_precision,r_scale,body,"    \
  "sql,deterministic,null_on_null FROM functions "

int catalog_function_lookup(catalog *c, int64_t app, const char *name, core_arena *a,
                            catalog_function ***out, size_t *n, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, FN_COLS "WHERE app_id=? AND name=? ORDER BY id", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  return list_rows(c, st, a, load_function_row, (void ***)out, n, err);
}

int catalog_function_list(catalog *c, int64_t app, core_arena *a, catalog_function ***out,
                          size_t *n, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, FN_COLS "WHERE app_id=? ORDER BY name, id", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  return list_rows(c, st, a, load_function_row, (void ***)out, n, err);
}

/* --------------------------------------------------------------- inputs -- */

static int check_format(const catalog_record_format *f, core_error *err) {
  if (f->type == CATALOG_FORMAT_JSON) return SLUICE_OK;
  if (f->type == CATALOG_FORMAT_CSV) {
    if (!f->row_delimiter || !f->row_delimiter[0] || !f->col_delimiter || !f->col_delimiter[0])
      return core_error_set(err, SLUICE_INVALID, "a CSV format needs row and column delimiters");
    return SLUICE_OK;
  }
  return core_error_set(err, SLUICE_INVALID, "record format must be JSON or CSV");
}

static int input_create(catalog *c, int64_t app, const catalog_input *in, int64_t *id,
                        core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  size_t plen = in->name_prefix ? strlen(in->name_prefix) : 0;
  if (plen < 1 || plen > 32)
    return core_error_set(err, SLUICE_INVALID, "input name prefix must have 1 to 32 characters");
  if (in->parallelism < 1 || in->parallelism > 64)
    return core_error_set(err, SLUICE_INVALID, "input parallelism must be between 1 and 64");
  if (in->ncolumns > 1000)
    return core_error_set(err, SLUICE_INVALID, "an input schema has at most 1000 columns");
  if (!in->source_stream || !in->source_stream[0])
    return core_error_set(err, SLUICE_INVALID, "input has no source stream");
  if ((rc = check_columns("input", in->name_prefix, in->columns, in->ncolumns, false, err)))
    return rc;
  if ((rc = check_format(&in->format, err))) return rc;
  char names[64][48];
  for (int i = 0; i < in->parallelism; i++) {
    snprintf(names[i], sizeof names[i], "%s_%03d", in->name_prefix, i + 1);
    int64_t rid;
    int kind;
    rc = relation_find(c, app, names[i], &rid, &kind, err);
    if (rc == SLUICE_OK)
      return core_error_set(err, SLUICE_EXISTS, "%s \"%s\" already exists", kind_word(kind),
                            names[i]);
    if (rc != SLUICE_NOTFOUND) return rc;
  }
  sqlite3_stmt *st;
  if ((rc = prep(c, "SELECT 1 FROM inputs WHERE app_id=? AND name_prefix=?", &st, err))) return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, in->name_prefix);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s == SQLITE_ROW)
    return core_error_set(err, SLUICE_EXISTS, "input \"%s\" already exists", in->name_prefix);
  if ((rc = prep(c,
                 "INSERT INTO inputs(app_id,name_prefix,source_stream,parallelism,format,row_path,"
                 "row_delimiter,col_delimiter,start,start_ms) VALUES(?,?,?,?,?,?,?,?,?,?)",
                 &st, err)))
    return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, in->name_prefix);
  bind_text(st, 3, in->source_stream);
  sqlite3_bind_int(st, 4, in->parallelism);
  sqlite3_bind_int(st, 5, in->format.type);
  bind_text(st, 6, in->format.row_path);
  bind_text(st, 7, in->format.row_delimiter);
  bind_text(st, 8, in->format.col_delimiter);
  sqlite3_bind_int(st, 9, in->start);
  sqlite3_bind_int64(st, 10, in->start_ms);
  if ((rc = run(c, st, err))) return rc;
  int64_t iid = sqlite3_last_insert_rowid(c->db);
  if ((rc = columns_insert(c, "input_columns", iid, in->columns, in->ncolumns, err))) return rc;
  for (int i = 0; i < in->parallelism; i++)
    if ((rc = relation_insert(c, app, names[i], CATALOG_REL_SOURCE, NULL, iid, in->columns,
                              in->ncolumns, NULL, err)))
      return rc;
  if (id) *id = iid;
  return SLUICE_OK;
}

int catalog_input_create(catalog *c, int64_t app, const catalog_input *in, int64_t *id,
                         core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, input_create(c, app, in, id, err));
}

static int load_input_row(catalog *c, sqlite3_stmt *st, core_arena *a, void **out,
                          core_error *err) {
  catalog_input *in = core_arena_zalloc(a, sizeof *in);
  if (!in) return oom(err);
  in->id = sqlite3_column_int64(st, 0);
  in->app = sqlite3_column_int64(st, 1);
  in->name_prefix = col_text(a, st, 2);
  in->source_stream = col_text(a, st, 3);
  in->parallelism = sqlite3_column_int(st, 4);
  in->format.type = sqlite3_column_int(st, 5);
  in->format.row_path = col_text(a, st, 6);
  in->format.row_delimiter = col_text(a, st, 7);
  in->format.col_delimiter = col_text(a, st, 8);
  in->start = sqlite3_column_int(st, 9);
  in->start_ms = sqlite3_column_int64(st, 10);
  int rc = columns_load(c, "input_columns", in->id, a, &in->columns, &in->ncolumns, err);
  if (rc) return rc;
  *out = in;
  return SLUICE_OK;
}

int catalog_input_list(catalog *c, int64_t app, core_arena *a, catalog_input ***out, size_t *n,
                       core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c,
                "SELECT id,app_id,name_prefix,source_stream,parallelism,format,row_path,"
                "row_delimiter,col_delimiter,start,start_ms FROM inputs WHERE app_id=? ORDER BY "
                "name_prefix",
                &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  return list_rows(c, st, a, load_input_row, (void ***)out, n, err);
}

/* -------------------------------------------------------------- outputs -- */

static int output_create(catalog *c, int64_t app, const char *name, const char *stream,
                         const char *destination, int format, int64_t *id, core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  if (!name || !name[0]) return core_error_set(err, SLUICE_INVALID, "output has no name");
  size_t len = stream ? strlen(stream) : 0;
  if (len < 1 || len > 32)
    return core_error_set(err, SLUICE_INVALID, "output stream name must have 1 to 32 characters");
  if (!destination || !destination[0])
    return core_error_set(err, SLUICE_INVALID, "output has no destination");
  if (format != CATALOG_FORMAT_JSON && format != CATALOG_FORMAT_CSV)
    return core_error_set(err, SLUICE_INVALID, "record format must be JSON or CSV");
  sqlite3_stmt *st;
  if ((rc = prep(c, "SELECT COUNT(*), SUM(name=?2) FROM outputs WHERE app_id=?1", &st, err)))
    return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  int count = 0, same = 0;
  if (sqlite3_step(st) == SQLITE_ROW) {
    count = sqlite3_column_int(st, 0);
    same = sqlite3_column_int(st, 1);
  }
  sqlite3_finalize(st);
  if (same) return core_error_set(err, SLUICE_EXISTS, "output \"%s\" already exists", name);
  if (count >= 3) return core_error_set(err, SLUICE_LIMIT, "an application has at most 3 outputs");
  if ((rc = prep(c, "INSERT INTO outputs(app_id,name,stream,destination,format) VALUES(?,?,?,?,?)",
                 &st, err)))
    return rc;
  sqlite3_bind_int64(st, 1, app);
  bind_text(st, 2, name);
  bind_text(st, 3, stream);
  bind_text(st, 4, destination);
  sqlite3_bind_int(st, 5, format);
  if ((rc = run(c, st, err))) return rc;
  if (id) *id = sqlite3_last_insert_rowid(c->db);
  return SLUICE_OK;
}

int catalog_output_create(catalog *c, int64_t app, const char *name, const char *stream,
                          const char *destination, int format, int64_t *id, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, output_create(c, app, name, stream, destination, format, id, err));
}

static int load_output_row(catalog *c, sqlite3_stmt *st, core_arena *a, void **out,
                           core_error *err) {
  catalog_output *o = core_arena_zalloc(a, sizeof *o);
  if (!o) return oom(err);
  o->id = sqlite3_column_int64(st, 0);
  o->app = sqlite3_column_int64(st, 1);
  o->name = col_text(a, st, 2);
  o->stream = col_text(a, st, 3);
  o->destination = col_text(a, st, 4);
  o->format = sqlite3_column_int(st, 5);
  *out = o;
  return SLUICE_OK;
}

int catalog_output_list(catalog *c, int64_t app, core_arena *a, catalog_output ***out, size_t *n,
                        core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c,
                "SELECT id,app_id,name,stream,destination,format FROM outputs WHERE app_id=? "
                "ORDER BY id",
                &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  return list_rows(c, st, a, load_output_row, (void ***)out, n, err);
}

int catalog_output_check(catalog *c, int64_t app, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c,
                "SELECT o.stream FROM outputs o WHERE o.app_id=?1 AND NOT EXISTS (SELECT 1 FROM "
                "relations r WHERE r.app_id=?1 AND r.name=o.stream AND r.kind<>?2) ORDER BY o.id "
                "LIMIT 1",
                &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  sqlite3_bind_int(st, 2, CATALOG_REL_TABLE);
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW) {
    core_error_set(err, SLUICE_NOTFOUND,
                   "output stream \"%s\" is not created by the application code",
                   (const char *)sqlite3_column_text(st, 0));
    core_error_detail(err, "Output names match in-application stream names exactly, including "
                           "case.");
    rc = SLUICE_NOTFOUND;
  } else if (s != SQLITE_DONE) {
    rc = db_error(c, err, "read outputs");
  }
  sqlite3_finalize(st);
  return rc;
}

/* ------------------------------------------------------------ reference -- */

static int reference_create(catalog *c, int64_t app, const catalog_reference *r, int64_t *id,
                            core_error *err) {
  int rc = app_exists(c, app, err);
  if (rc) return rc;
  size_t len = r->name ? strlen(r->name) : 0;
  if (len < 1 || len > 32)
    return core_error_set(err, SLUICE_INVALID, "reference table name must have 1 to 32 characters");
  if (is_error_stream_name(r->name))
    return core_error_set(err, SLUICE_INVALID, "a reference table may not be named error_stream");
  if (r->ncolumns > 1000)
    return core_error_set(err, SLUICE_INVALID, "a reference schema has at most 1000 columns");
  if ((rc = check_columns("reference table", r->name, r->columns, r->ncolumns, false, err)))
    return rc;
  if ((rc = check_format(&r->format, err))) return rc;
  if (!r->file || !r->file[0])
    return core_error_set(err, SLUICE_INVALID, "reference table \"%s\" has no file", r->name);
  int64_t rid;
  int kind;
  rc = relation_find(c, app, r->name, &rid, &kind, err);
  if (rc == SLUICE_OK)
    return core_error_set(err, SLUICE_EXISTS, "%s \"%s\" already exists", kind_word(kind), r->name);
  if (rc != SLUICE_NOTFOUND) return rc;
  if ((rc = relation_insert(c, app, r->name, CATALOG_REL_TABLE, NULL, 0, r->columns, r->ncolumns,
                            &rid, err)))
    return rc;
  sqlite3_stmt *st;
  if ((rc = prep(c,
                 "INSERT INTO reference_sources(relation_id,file,format,row_path,row_delimiter,"
                 "col_delimiter) VALUES(?,?,?,?,?,?)",
                 &st, err)))
    return rc;
  sqlite3_bind_int64(st, 1, rid);
  bind_text(st, 2, r->file);
  sqlite3_bind_int(st, 3, r->format.type);
  bind_text(st, 4, r->format.row_path);
  bind_text(st, 5, r->format.row_delimiter);
  bind_text(st, 6, r->format.col_delimiter);
  if ((rc = run(c, st, err))) return rc;
  if (id) *id = rid;
  return SLUICE_OK;
}

int catalog_reference_create(catalog *c, int64_t app, const catalog_reference *r, int64_t *id,
                             core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, reference_create(c, app, r, id, err));
}

static int load_reference_row(catalog *c, sqlite3_stmt *st, core_arena *a, void **out,
                              core_error *err) {
  catalog_reference *r = core_arena_zalloc(a, sizeof *r);
  if (!r) return oom(err);
  r->id = sqlite3_column_int64(st, 0);
  r->app = sqlite3_column_int64(st, 1);
  r->name = col_text(a, st, 2);
  r->file = col_text(a, st, 3);
  r->format.type = sqlite3_column_int(st, 4);
  r->format.row_path = col_text(a, st, 5);
  r->format.row_delimiter = col_text(a, st, 6);
  r->format.col_delimiter = col_text(a, st, 7);
  int rc = columns_load(c, "relation_columns", r->id, a, &r->columns, &r->ncolumns, err);
  if (rc) return rc;
  *out = r;
  return SLUICE_OK;
}

int catalog_reference_list(catalog *c, int64_t app, core_arena *a, catalog_reference ***out,
                           size_t *n, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c,
                "SELECT r.id, r.app_id, r.name, s.file, s.format, s.row_path, s.row_delimiter, "
                "s.col_delimiter FROM relations r JOIN reference_sources s ON s.relation_id=r.id "
                "WHERE r.app_id=? ORDER BY r.name",
                &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, app);
  return list_rows(c, st, a, load_reference_row, (void ***)out, n, err);
}

/* ---------------------------------------------------------- checkpoints -- */

static int checkpoint_put(catalog *c, const catalog_checkpoint *cp, core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, "SELECT 1 FROM pumps WHERE id=?", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, cp->pump);
  int s = sqlite3_step(st);
  sqlite3_finalize(st);
  if (s != SQLITE_ROW)
    return core_error_set(err, SLUICE_NOTFOUND, "pump %lld does not exist", (long long)cp->pump);
  if ((rc = prep(c, "DELETE FROM checkpoints WHERE pump_id=?", &st, err))) return rc;
  sqlite3_bind_int64(st, 1, cp->pump);
  if ((rc = run(c, st, err))) return rc;
  if ((rc = prep(c, "INSERT INTO checkpoints(pump_id,taken_ms,blob) VALUES(?,?,?)", &st, err)))
    return rc;
  sqlite3_bind_int64(st, 1, cp->pump);
  sqlite3_bind_int64(st, 2, cp->taken_ms);
  if (cp->blob)
    sqlite3_bind_blob(st, 3, cp->blob, (int)cp->blob_size, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 3);
  if ((rc = run(c, st, err))) return rc;
  for (int i = 0; i < cp->npositions; i++) {
    if ((rc = prep(c,
                   "INSERT INTO checkpoint_positions(pump_id,position,stream,shard,sequence) "
                   "VALUES(?,?,?,?,?)",
                   &st, err)))
      return rc;
    sqlite3_bind_int64(st, 1, cp->pump);
    sqlite3_bind_int(st, 2, i);
    bind_text(st, 3, cp->positions[i].stream);
    bind_text(st, 4, cp->positions[i].shard);
    bind_text(st, 5, cp->positions[i].sequence);
    if ((rc = run(c, st, err))) return rc;
  }
  return SLUICE_OK;
}

int catalog_checkpoint_put(catalog *c, const catalog_checkpoint *cp, core_error *err) {
  int rc = op_begin(c, err);
  if (rc) return rc;
  return op_end(c, checkpoint_put(c, cp, err));
}

int catalog_checkpoint_get(catalog *c, int64_t pump, core_arena *a, catalog_checkpoint **out,
                           core_error *err) {
  sqlite3_stmt *st;
  int rc = prep(c, "SELECT taken_ms, blob FROM checkpoints WHERE pump_id=?", &st, err);
  if (rc) return rc;
  sqlite3_bind_int64(st, 1, pump);
  int s = sqlite3_step(st);
  if (s != SQLITE_ROW) {
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) return db_error(c, err, "read checkpoints");
    return core_error_set(err, SLUICE_NOTFOUND, "pump %lld has no checkpoint", (long long)pump);
  }
  catalog_checkpoint *cp = core_arena_zalloc(a, sizeof *cp);
  if (!cp) {
    sqlite3_finalize(st);
    return oom(err);
  }
  cp->pump = pump;
  cp->taken_ms = sqlite3_column_int64(st, 0);
  const void *blob = sqlite3_column_blob(st, 1);
  int bn = sqlite3_column_bytes(st, 1);
  if (blob) {
    void *copy = core_arena_alloc(a, (size_t)bn + 1);
    if (copy) memcpy(copy, blob, (size_t)bn);
    cp->blob = copy;
    cp->blob_size = (size_t)bn;
  }
  sqlite3_finalize(st);
  if ((rc = prep(c,
                 "SELECT stream, shard, sequence FROM checkpoint_positions WHERE pump_id=? "
                 "ORDER BY position",
                 &st, err)))
    return rc;
  sqlite3_bind_int64(st, 1, pump);
  int cap = 8;
  cp->positions = core_arena_alloc(a, (size_t)cap * sizeof *cp->positions);
  while (cp->positions && sqlite3_step(st) == SQLITE_ROW) {
    if (cp->npositions == cap) {
      catalog_position *bigger = core_arena_alloc(a, 2 * (size_t)cap * sizeof *bigger);
      if (!bigger) break;
      memcpy(bigger, cp->positions, (size_t)cap * sizeof *bigger);
      cp->positions = bigger;
      cap *= 2;
    }
    catalog_position *p = &cp->positions[cp->npositions++];
    p->stream = col_text(a, st, 0);
    p->shard = col_text(a, st, 1);
    p->sequence = col_text(a, st, 2);
  }
  sqlite3_finalize(st);
  if (core_arena_oom(a)) return oom(err);
  *out = cp;
  return SLUICE_OK;
}

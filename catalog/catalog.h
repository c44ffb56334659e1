/*
 * catalog.h — the persistent catalog of sluice: applications and the objects
 * their code defines, kept in SQLite (DIR/catalog.db, WAL mode).
 *
 * Purpose: store and look up, per application (a namespace as in KDA):
 *   - relations: in-application streams (user streams, the source streams an
 *     input creates, the system stream error_stream) and reference tables,
 *     with their columns (name as stored, type with parameters, NOT NULL,
 *     position, description, input mapping);
 *   - pumps (name, SQL text, target stream, source relations, RUNNING/STOPPED);
 *   - SQL functions (CREATE FUNCTION: name, specific name, parameters, return
 *     type, body SQL; overloads by parameter list);
 *   - inputs (name prefix, source data stream, parallelism, JSON/CSV format,
 *     column mappings, starting position), outputs (in-app stream name ->
 *     data stream, format), reference data sources (file, format);
 *   - checkpoints (per pump: per-shard positions and an opaque blob).
 * Names are stored and matched exactly: the caller applies the dialect's case
 * rules (unquoted identifiers folded to upper case) before calling.
 *
 * Transactions: catalog_begin() opens a catalog transaction; everything a
 * statement changes happens inside it and catalog_commit() makes it durable,
 * catalog_rollback() leaves the catalog exactly as it was at catalog_begin().
 * Each mutating call is also atomic on its own (an internal savepoint): a call
 * that fails changes nothing, even inside an open transaction. Outside an
 * explicit transaction every mutating call commits by itself. There is no
 * in-memory cache: every lookup reads SQLite, so nothing can go stale after a
 * rollback.
 *
 * Ownership: a catalog handle owns its SQLite connection. Objects returned by
 * lookups and listings are allocated in an arena the caller passes and live as
 * long as that arena; input structs passed to create functions are only read
 * during the call.
 *
 * Threads: a handle is used by one thread at a time (the engine serialises
 * DDL). Several handles may open the same directory (SQLite locking, WAL).
 *
 * Errors: int result codes of sluice.h, details in a core_error:
 *   SLUICE_NOTFOUND (no such object), SLUICE_EXISTS (name taken), SLUICE_STATE
 *   (e.g. redefining a stream that a pump reads or writes), SLUICE_INVALID
 *   (a rule of the dialect, e.g. a stream named error_stream), SLUICE_IO
 *   (SQLite failed), SLUICE_NOMEM.
 */
#ifndef SLUICE_CATALOG_H
#define SLUICE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef struct catalog catalog;

/* The name of the system stream every application has (stored in lower case). */
#define CATALOG_ERROR_STREAM "error_stream"

/* ------------------------------------------------------------ lifecycle -- */

/* Opens (creating if needed) dir/catalog.db. dir must exist. */
int catalog_open(const char *dir, catalog **out, core_error *err);
void catalog_close(catalog *c);

/* Checks the database: SQLite's integrity check, foreign keys, and that every
 * application has its error_stream. SLUICE_CORRUPT with a detail on failure. */
int catalog_verify(catalog *c, core_error *err);

/* An explicit catalog transaction (not nested). */
int catalog_begin(catalog *c, core_error *err);
int catalog_commit(catalog *c, core_error *err);
int catalog_rollback(catalog *c, core_error *err);
bool catalog_in_transaction(const catalog *c);

/* --------------------------------------------------------- applications -- */

typedef struct catalog_app {
  int64_t id;
  const char *name;
  const char *description;
} catalog_app;

/* Creates an application and its error_stream. Names: 1..128 chars of
 * [A-Za-z0-9_.-] (SLUICE_INVALID otherwise). */
int catalog_app_create(catalog *c, const char *name, const char *description, int64_t *id,
                       core_error *err);
int catalog_app_lookup(catalog *c, const char *name, int64_t *id, core_error *err);
int catalog_app_list(catalog *c, core_arena *a, catalog_app **out, size_t *n, core_error *err);
/* Deletes an application and everything in it. */
int catalog_app_delete(catalog *c, int64_t app, core_error *err);
/* Removes what the application's SQL code defined (pumps with their
 * checkpoints, user streams, functions) and keeps its configuration (inputs
 * and their source streams, outputs, reference tables, error_stream): the
 * first step of replacing an application's code as a whole. */
int catalog_app_reset_code(catalog *c, int64_t app, core_error *err);

/* ------------------------------------------------------------ relations -- */

typedef enum catalog_rel_kind {
  CATALOG_REL_STREAM = 1, /* CREATE STREAM */
  CATALOG_REL_SOURCE = 2, /* created by an input: has APPROXIMATE_ARRIVAL_TIME */
  CATALOG_REL_SYSTEM = 3, /* error_stream */
  CATALOG_REL_TABLE = 4,  /* reference table (finite, no ROWTIME) */
} catalog_rel_kind;

typedef struct catalog_column {
  const char *name;        /* as stored */
  core_type type;          /* not_null inside */
  const char *description; /* may be NULL */
  const char *mapping;     /* input/reference mapping (JSONPath); may be NULL */
} catalog_column;

typedef struct catalog_relation {
  int64_t id;
  int64_t app;
  int kind; /* catalog_rel_kind */
  const char *name;
  const char *description; /* may be NULL */
  int64_t input;           /* SOURCE: the input that created it, else 0 */
  int ncolumns;
  catalog_column *columns; /* positions 0..ncolumns-1; ROWTIME is never listed */
} catalog_relation;

/*
 * Defines a stream (kind CATALOG_REL_STREAM). Rules (spec 1.2, 0):
 *   - a name equal to error_stream in any case: SLUICE_INVALID
 *     "a stream may not be named error_stream";
 *   - no column, an INTERVAL column, or two columns with one name: SLUICE_INVALID;
 *   - the name exists and or_replace is false: SLUICE_EXISTS
 *     `stream "X" already exists` (or `... reference table "X" already exists`);
 *   - the name is a source stream, error_stream or a reference table: SLUICE_EXISTS
 *     even with or_replace;
 *   - or_replace over a stream that a pump reads or writes: SLUICE_STATE
 *     "stream redefined" (the wording of spec 1.2), with a detail naming the
 *     stream and the pump.
 * A replaced stream keeps its id; its columns are replaced.
 */
int catalog_stream_create(catalog *c, int64_t app, const char *name, const char *description,
                          const catalog_column *columns, int ncolumns, bool or_replace, int64_t *id,
                          core_error *err);

/* Any relation (stream, source stream, error_stream, table) by exact name. */
int catalog_relation_get(catalog *c, int64_t app, const char *name, core_arena *a,
                         catalog_relation **out, core_error *err);
int catalog_relation_get_id(catalog *c, int64_t id, core_arena *a, catalog_relation **out,
                            core_error *err);
/* All relations of an application, ordered by name (bytewise). */
int catalog_relation_list(catalog *c, int64_t app, core_arena *a, catalog_relation ***out,
                          size_t *n, core_error *err);
/* Deletes a user stream or reference table; SLUICE_STATE if a pump uses it. */
int catalog_relation_delete(catalog *c, int64_t app, const char *name, core_error *err);

/* ---------------------------------------------------------------- pumps -- */

typedef enum catalog_pump_state {
  CATALOG_PUMP_STOPPED = 0,
  CATALOG_PUMP_RUNNING = 1,
} catalog_pump_state;

typedef struct catalog_pump {
  int64_t id;
  int64_t app;
  const char *name;
  const char *description; /* may be NULL */
  const char *sql;         /* the whole CREATE PUMP statement text */
  const char *target;      /* target stream name */
  int nsources;
  const char **sources; /* relation names read by the query, sorted */
  int state;            /* catalog_pump_state */
} catalog_pump;

/*
 * Defines a pump. target must name a stream (user or source; not a table, not
 * error_stream); each source must name an existing relation other than
 * error_stream. Exists without or_replace: SLUICE_EXISTS `pump "P" already exists`.
 * A new pump starts in state RUNNING; a replaced one keeps its id and state.
 */
int catalog_pump_create(catalog *c, int64_t app, const char *name, const char *description,
                        const char *sql, const char *target, const char *const *sources,
                        int nsources, bool or_replace, int64_t *id, core_error *err);
int catalog_pump_get(catalog *c, int64_t app, const char *name, core_arena *a, catalog_pump **out,
                     core_error *err);
int catalog_pump_list(catalog *c, int64_t app, core_arena *a, catalog_pump ***out, size_t *n,
                      core_error *err);
int catalog_pump_set_state(catalog *c, int64_t app, const char *name, int state, core_error *err);
int catalog_pump_delete(catalog *c, int64_t app, const char *name, core_error *err);

/* ------------------------------------------------------------ functions -- */

typedef struct catalog_param {
  const char *name;
  core_type type;
} catalog_param;

typedef struct catalog_function {
  int64_t id;
  int64_t app;
  const char *name;
  const char *specific; /* SPECIFIC name; defaults to name when none was given */
  int nparams;
  catalog_param *params;
  core_type returns;
  const char *body;   /* the RETURN expression's text */
  const char *sql;    /* the whole CREATE FUNCTION text */
  bool deterministic; /* [NOT] DETERMINISTIC; default true */
  bool null_on_null;  /* RETURNS NULL ON NULL INPUT; default false (CALLED ON NULL INPUT) */
} catalog_function;

/*
 * Defines a function. Overloads differ by parameter types; a function with the
 * same name and parameter types exists: SLUICE_EXISTS without or_replace,
 * replaced with it. The specific name must be unique in the application.
 * f->id and f->app are ignored on input.
 */
int catalog_function_create(catalog *c, int64_t app, const catalog_function *f, bool or_replace,
                            int64_t *id, core_error *err);
/* All overloads of name (exact), ordered by id; *n = 0 when there is none. */
int catalog_function_lookup(catalog *c, int64_t app, const char *name, core_arena *a,
                            catalog_function ***out, size_t *n, core_error *err);
int catalog_function_list(catalog *c, int64_t app, core_arena *a, catalog_function ***out,
                          size_t *n, core_error *err);

/* --------------------------------------------- inputs, outputs, reference -- */

typedef enum catalog_format {
  CATALOG_FORMAT_JSON = 1,
  CATALOG_FORMAT_CSV = 2,
} catalog_format;

typedef struct catalog_record_format {
  int type;                  /* catalog_format */
  const char *row_path;      /* JSON: RecordRowPath (e.g. "$") */
  const char *row_delimiter; /* CSV: RecordRowDelimiter */
  const char *col_delimiter; /* CSV: RecordColumnDelimiter */
} catalog_record_format;

typedef enum catalog_start {
  CATALOG_START_NOW = 0,
  CATALOG_START_TRIM_HORIZON = 1,
  CATALOG_START_LAST_STOPPED_POINT = 2,
  CATALOG_START_TIMESTAMP = 3, /* start_ms */
} catalog_start;

typedef struct catalog_input {
  int64_t id;
  int64_t app;
  const char *name_prefix;   /* 1..32 chars */
  const char *source_stream; /* the data stream read */
  int parallelism;           /* 1..64 */
  catalog_record_format format;
  int ncolumns; /* 1..1000; each with type and mapping */
  catalog_column *columns;
  int start;        /* catalog_start */
  int64_t start_ms; /* CATALOG_START_TIMESTAMP: arrival time to start from */
} catalog_input;

/*
 * Defines an input and creates its source streams <prefix>_001 ..
 * <prefix>_<parallelism> (kind CATALOG_REL_SOURCE, the input's columns), all in
 * one step. SLUICE_INVALID for out-of-range prefix/parallelism/column count,
 * SLUICE_EXISTS if the prefix or one of the stream names is taken.
 */
int catalog_input_create(catalog *c, int64_t app, const catalog_input *in, int64_t *id,
                         core_error *err);
int catalog_input_list(catalog *c, int64_t app, core_arena *a, catalog_input ***out, size_t *n,
                       core_error *err);

typedef struct catalog_output {
  int64_t id;
  int64_t app;
  const char *name;        /* the output's own name (unique in the application) */
  const char *stream;      /* the in-app stream delivered: exact, case-sensitive, 1..32 chars */
  const char *destination; /* the data stream written */
  int format;              /* catalog_format */
} catalog_output;

/* Defines an output (at most 3 per application: SLUICE_LIMIT; a taken name:
 * SLUICE_EXISTS). The stream need not exist yet: catalog_output_check()
 * verifies that at deployment. */
int catalog_output_create(catalog *c, int64_t app, const char *name, const char *stream,
                          const char *destination, int format, int64_t *id, core_error *err);
int catalog_output_list(catalog *c, int64_t app, core_arena *a, catalog_output ***out, size_t *n,
                        core_error *err);
/* SLUICE_NOTFOUND `output stream "X" is not created by the application code`
 * for the first output whose stream does not exist. */
int catalog_output_check(catalog *c, int64_t app, core_error *err);

typedef struct catalog_reference {
  int64_t id; /* the relation id of the table */
  int64_t app;
  const char *name; /* table name, 1..32 chars, stored verbatim */
  const char *file; /* the file (object) loaded */
  catalog_record_format format;
  int ncolumns;
  catalog_column *columns;
} catalog_reference;

/* Defines a reference table (a relation of kind CATALOG_REL_TABLE) and its
 * source. SLUICE_EXISTS if the name is taken by any relation. */
int catalog_reference_create(catalog *c, int64_t app, const catalog_reference *r, int64_t *id,
                             core_error *err);
int catalog_reference_list(catalog *c, int64_t app, core_arena *a, catalog_reference ***out,
                           size_t *n, core_error *err);

/* ---------------------------------------------------------- checkpoints -- */

typedef struct catalog_position {
  const char *stream;   /* stream read (data stream or APP.STREAM) */
  const char *shard;    /* shard id */
  const char *sequence; /* last sequence number consumed */
} catalog_position;

typedef struct catalog_checkpoint {
  int64_t pump; /* pump id */
  int64_t taken_ms;
  int npositions;
  catalog_position *positions;
  const void *blob; /* operator state; may be NULL */
  size_t blob_size;
} catalog_checkpoint;

/* Replaces the checkpoint of a pump (deleted with the pump). */
int catalog_checkpoint_put(catalog *c, const catalog_checkpoint *cp, core_error *err);
/* SLUICE_NOTFOUND if the pump has none. */
int catalog_checkpoint_get(catalog *c, int64_t pump, core_arena *a, catalog_checkpoint **out,
                           core_error *err);

#endif /* SLUICE_CATALOG_H */

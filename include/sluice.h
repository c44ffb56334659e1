/*
 * sluice.h — the public C API of sluice, a streaming SQL engine for the
 * Kinesis Data Analytics SQL dialect over an embedded Kinesis-compatible store.
 *
 * This is the only installed header. Everything an embedder needs is declared
 * here: opaque handles, sluice_ names, and the result codes below, which every
 * module of the engine also uses as its return convention (an int rc, with
 * details in an error object).
 *
 * The embedding API, SQLite-style: open an engine on a data directory
 * (sluice_open), execute SQL text (sluice_exec), look at the catalog
 * (sluice_describe), put records and read streams (sluice_put, sluice_read),
 * move a test clock, read the last error (sluice_errcode / sluice_errmsg /
 * sluice_errtext), close (sluice_close).
 *
 * Ownership: an engine owns everything it allocates. Strings handed to a
 * callback are valid during the callback only; strings returned by the error
 * accessors are valid until the next call on the same engine.
 *
 * Threads: an engine is used by one thread at a time; its own worker thread
 * (sluice_start) shares it under a lock. Several engines may be open on
 * different data directories in one process.
 *
 * Errors: every function returns a result code below; sluice_errmsg() and
 * sluice_errtext() describe the last failure of an engine.
 */
#ifndef SLUICE_H
#define SLUICE_H

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_VERSION "0.1.0"

/* Result codes. Zero is success; every failure is a positive code. */
#define SLUICE_OK 0
#define SLUICE_ERROR 1        /* generic failure, see the error object */
#define SLUICE_NOMEM 2        /* out of memory */
#define SLUICE_INVALID 3      /* an argument violates a documented rule */
#define SLUICE_NOTFOUND 4     /* a named object does not exist */
#define SLUICE_EXISTS 5       /* an object with that name already exists */
#define SLUICE_STATE 6        /* the object is not in a state that allows this */
#define SLUICE_IO 7           /* the operating system refused a file operation */
#define SLUICE_CORRUPT 8      /* stored data failed its checksum or framing */
#define SLUICE_SYNTAX 9       /* SQL that does not parse */
#define SLUICE_SEMANTIC 10    /* SQL that parses but does not bind or validate */
#define SLUICE_UNSUPPORTED 11 /* valid elsewhere, not in the KDA dialect */
#define SLUICE_LIMIT 12       /* a quota or size limit was reached */
#define SLUICE_EXPIRED 13     /* an iterator or token outlived its validity */
#define SLUICE_TIMEOUT 14     /* a wait ended without the event */
#define SLUICE_RUNTIME 15     /* an expression failed while running */
#define SLUICE_INTERNAL 16    /* a broken invariant: a bug in sluice */
#define SLUICE_END 17         /* not an error: nothing more to read */

/* A short constant English name for a result code ("invalid argument"). */
const char *sluice_errstr(int rc);

/* ------------------------------------------------------------ embedding -- */

/* An engine: the catalog of one data directory, seen from one application. */
typedef struct sluice_engine sluice_engine;

/* Options of sluice_open(); a NULL pointer or a zeroed struct gives the defaults. */
typedef struct sluice_options {
  /* The application whose names statements see and create (DESIGN.md section 3);
   * created when missing. NULL: "REPL". */
  const char *application;
  /* Non-zero: KDA's rules exactly (DESIGN.md section 4 --strict): reject a GROUP BY
   * whose only time key is STEP/FLOOR over an ordinary TIMESTAMP column. */
  int strict;
  /* Non-zero: before running a statement, print its syntax tree as SQL, parse the
   * print and require an equal tree (SLUICE_INTERNAL otherwise). For test suites. */
  int check_roundtrip;
  /* Non-zero: a test clock (DESIGN.md section 4) that starts at test_start_ms (ms since the
   * epoch) and moves only with sluice_clock_set/advance; pumps then run inside the calls
   * that feed them (sluice_exec, sluice_put, sluice_clock_*), so results are deterministic.
   * Zero: the wall clock, and pumps run on a worker thread started by sluice_start(). */
  int test_clock;
  long long test_start_ms;
} sluice_options;

/*
 * Opens an engine on data_dir (created if missing, one level) with its catalog
 * (data_dir/catalog.db). On success *out is the engine; on failure *out is
 * NULL unless the failure came after allocation, in which case *out is an
 * engine whose sluice_errmsg() says what went wrong and which must still be
 * closed. Returns SLUICE_OK, SLUICE_IO, SLUICE_INVALID (bad application name),
 * SLUICE_NOMEM, SLUICE_CORRUPT.
 */
int sluice_open(const char *data_dir, const sluice_options *opt, sluice_engine **out);

/* Closes an engine and frees all it owns. NULL is allowed. */
void sluice_close(sluice_engine *e);

/*
 * A result row. ncols values (never NULL: SQL NULL is "NULL") with their
 * column names. Return 0 to continue, non-zero to stop: sluice_exec() then
 * returns SLUICE_STATE "the callback stopped the statement".
 */
typedef int (*sluice_row_fn)(void *arg, int ncols, const char *const *values,
                             const char *const *names);

/*
 * Executes a script of SQL statements separated by `;`. The whole text is
 * parsed first (a syntax error runs nothing); then each statement in order is
 * bound, validated and:
 *   - CREATE STREAM / PUMP / FUNCTION / INPUT / OUTPUT / REFERENCE TABLE:
 *     applied to the catalog, all or nothing per statement;
 *   - EXPLAIN <statement>: the bound, typed plan as an indented tree, one row
 *     (column "PLAN") per line, passed to cb (may be NULL);
 *     a pump starts running when its statement commits (its operators are
 *     built first: one that cannot be built rolls the statement back);
 *   - a query (SELECT, SELECT STREAM, VALUES) or INSERT outside a pump: bound
 *     and validated, then SLUICE_UNSUPPORTED "a query runs only inside a pump
 *     (CREATE PUMP ... AS INSERT INTO ...)" (nothing is faked).
 * The first failing statement stops the script; the statements before it stay
 * applied. Returns SLUICE_OK or the failing statement's code (SLUICE_SYNTAX,
 * SLUICE_SEMANTIC, SLUICE_EXISTS, ...), with the error in sluice_errmsg().
 */
int sluice_exec(sluice_engine *e, const char *sql, sluice_row_fn cb, void *arg);

/*
 * Catalog introspection, one row per line through cb (may be NULL):
 *   - name NULL: every object of the application, ordered by kind, then by
 *     name (outputs in the order they were created),
 *     as two columns KIND NAME; KIND is one word: stream, source_stream,
 *     system_stream, reference_table, pump, function, input, output;
 *   - name given (exact): the object's details as two columns ITEM VALUE:
 *     for a relation one row per column (name, type with NOT NULL); for a pump
 *     "target", "source" (one per relation read) and "state"; for a function
 *     one row per overload (its signature, "RETURNS type"); for an output
 *     "stream", "destination", "format"; for an input "source", "parallelism",
 *     "format" and one row per column. SLUICE_NOTFOUND `object "X" not found`
 *     when nothing has that name.
 */
int sluice_describe(sluice_engine *e, const char *name, sluice_row_fn cb, void *arg);

/*
 * Checks that the application is complete and the catalog sound, as a
 * deployment does before starting an application (`sluice run`): every
 * output's stream exists (SLUICE_NOTFOUND `output stream "X" is not created by
 * the application code`, spec 7.2 #17), and the catalog passes its integrity
 * check (SLUICE_CORRUPT).
 */
int sluice_check(sluice_engine *e);

/* ------------------------------------------------------------- streams -- */

/*
 * Appends one record. `stream` is a data stream of the store (data are the record's
 * bytes, key its partition key, NULL: "0"), or an in-application stream of the
 * application (data is one JSON object per row, keyed by column names; ROWTIME = now).
 * SLUICE_NOTFOUND `stream "X" not found`. With a test clock the pumps run before the
 * call returns.
 */
int sluice_put(sluice_engine *e, const char *stream, const void *data, unsigned long n,
               const char *key);

/*
 * The rows of a stream from its oldest retained record, at most limit (< 0: all), through
 * cb: an in-application stream gives ROWTIME then its columns (values as SQL text, NULL
 * as "NULL"); a data stream gives PARTITION_KEY and DATA (the record as text), ordered by
 * arrival time.
 */
int sluice_read(sluice_engine *e, const char *stream, long long limit, sluice_row_fn cb, void *arg);

/* The engine's clock, in ms since the epoch. */
long long sluice_clock_now(sluice_engine *e);
/* Moves a test clock forward (SLUICE_STATE without one; SLUICE_INVALID backwards), then
 * runs the pumps: windows whose end the time passed are emitted. */
int sluice_clock_set(sluice_engine *e, long long ms);
int sluice_clock_advance(sluice_engine *e, long long ms);

/* Live engines: starts the worker thread that runs the pumps as records arrive and time
 * passes (idempotent). A test-clock engine answers SLUICE_STATE. */
int sluice_start(sluice_engine *e);

/* Rows written to error_stream since the engine opened. */
unsigned long long sluice_error_count(sluice_engine *e);

/* The result code of the last call on e that failed (SLUICE_OK after a success). */
int sluice_errcode(const sluice_engine *e);
/* The one-line message of the last failure ("" after a success). */
const char *sluice_errmsg(const sluice_engine *e);
/* The whole error for a person: message, the statement line with a caret under
 * the location, DETAIL and HINT lines (core_error_format); "" after a success. */
const char *sluice_errtext(const sluice_engine *e);

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_H */

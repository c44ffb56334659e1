/*
 * runtime.h — private to engine/: the running part of an application.
 *
 * The runtime owns the stream store of the data directory and runs jobs over it:
 *   - an input job per source stream (SOURCE_SQL_STREAM_00n): reads its shards of a
 *     data stream, decodes records with the input's mapping (stream/ codecs) and appends
 *     the rows, ROWTIME = arrival time, to the in-application source stream;
 *   - a pump job per pump: reads its source streams' rows, pushes them and their rowtime
 *     bounds through the operator chain of exec/, and appends the output rows to the
 *     target stream;
 *   - an output job per output: renders an in-application stream's rows as JSON or CSV
 *     records into a data stream.
 * In-application streams live in the store under `APPLICATION.STREAM` (characters that a
 * Kinesis stream name cannot hold are written as `-XX` hex), one shard, one row per
 * record in the internal row codec, with their rowtime bound kept here in memory.
 *
 * Scheduling: rt_step() runs every job until none makes progress. With a test clock the
 * engine calls it inside the calls that feed data or move time, so tests are
 * deterministic; live, a worker thread calls it when the store signals new records and
 * every few milliseconds as the clock moves bounds.
 *
 * Threads: every rt_ function is called with the runtime's lock held (rt_lock), by the
 * API thread or the worker.
 */
#ifndef SLUICE_ENGINE_RUNTIME_H
#define SLUICE_ENGINE_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "core/core.h"
#include "stream/stream.h"

typedef struct runtime runtime;

typedef struct rt_config {
  const char *data_dir;
  catalog *cat;
  int64_t app;
  const char *app_name;
  bool strict;
  bool test_clock;
  int64_t test_start_ms;
} rt_config;

int rt_open(const rt_config *c, runtime **out, core_error *err);
void rt_close(runtime *rt);

void rt_lock(runtime *rt);
void rt_unlock(runtime *rt);

core_clock *rt_clock(runtime *rt);
stream_store *rt_store(runtime *rt);

/* Brings the jobs in line with the catalog after a DDL statement: creates the store
 * streams of new in-application streams, starts new inputs, pumps and outputs, restarts
 * replaced pumps. */
int rt_sync(runtime *rt, core_error *err);

/* Runs every job until no job makes progress. */
int rt_step(runtime *rt, core_error *err);

/* Appends one record to a data stream, or one row (a JSON object) to an in-application
 * stream of the application. */
int rt_put(runtime *rt, const char *stream, const void *data, size_t n, const char *key,
           core_error *err);

/* Rows of a stream from its oldest retained record: an in-application stream gives
 * ROWTIME then its columns; a data stream gives PARTITION_KEY and DATA. */
typedef int (*rt_row_fn)(void *arg, int ncols, const char *const *values, const char *const *names);
int rt_read(runtime *rt, const char *stream, int64_t limit, rt_row_fn cb, void *arg,
            core_error *err);

/* Live mode: the worker thread. */
int rt_start_worker(runtime *rt, core_error *err);
void rt_stop_worker(runtime *rt);

/* Rows appended to error_stream so far (for tests and metrics). */
uint64_t rt_error_count(runtime *rt);

#endif /* SLUICE_ENGINE_RUNTIME_H */

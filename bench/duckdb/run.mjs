// run.mjs — the DuckDB reference of `sluice bench pipeline` (bench/pipeline.c).
//
// Usage: node run.mjs RECORDS.ndjson [REPEAT [QUERIES]]
//
// Runs, on one thread (SET threads = 1) of an in-memory DuckDB, the two queries of the
// benchmark in batch over the records, read from the NDJSON file by read_json with the
// same eight columns the sluice application's input maps:
//   (a) filter + project:  page, latency_ms, status WHERE status >= 400 OR latency_ms > 250
//   (b) tumbling window:   GROUP BY key, ts // 10000 with COUNT(*), SUM(bytes),
//                          AVG(latency_ms), MAX(latency_ms)
// Each result is materialized into a temporary table (sluice writes its results into a
// stream too), and the wall time of each CREATE TABLE ... AS, JSON reading included, is
// what is measured. The counts that pipeline.c checks are read afterwards, untimed. With
// REPEAT (default 1) each query runs that many times (its table dropped in between), one
// line per run; pipeline.c keeps the best. QUERIES (default "ab") chooses the queries.
//
// Output, one line per item, for pipeline.c to parse:
//   version v1.5.6
//   a seconds S user U sys Y rows R latency_sum L
//   b seconds S user U sys Y groups G count_sum N bytes_sum B
// (user, sys: CPU seconds of this process during the query.)
import { DuckDBInstance } from '@duckdb/node-api';
import duckdb from '@duckdb/node-api';

const file = process.argv[2];
const repeat = Number(process.argv[3] ?? '1');
const chosen = [...(process.argv[4] ?? 'ab')];
if (!file || !Number.isInteger(repeat) || repeat < 1 || !chosen.every((q) => q === 'a' || q === 'b')) {
  console.error('usage: node run.mjs RECORDS.ndjson [REPEAT [QUERIES]]');
  process.exit(2);
}

const quoted = `'${file.replaceAll("'", "''")}'`;
const source =
  `read_json(${quoted}, format = 'newline_delimited', columns = {` +
  `ts: 'BIGINT', page: 'VARCHAR', "user": 'VARCHAR', key: 'VARCHAR', ` +
  `latency_ms: 'INTEGER', bytes: 'INTEGER', status: 'INTEGER', region: 'VARCHAR'})`;

const queries = {
  a:
    `CREATE TEMP TABLE out_a AS SELECT page, latency_ms, status FROM ${source} ` +
    `WHERE status >= 400 OR latency_ms > 250`,
  b:
    `CREATE TEMP TABLE out_b AS SELECT key, ts // 10000 AS win, COUNT(*) AS cnt, ` +
    `SUM(bytes) AS sum_bytes, AVG(latency_ms) AS avg_latency, MAX(latency_ms) AS max_latency ` +
    `FROM ${source} GROUP BY key, ts // 10000`,
};
const checks = {
  a: 'SELECT COUNT(*) AS rows, COALESCE(SUM(latency_ms), 0) AS latency_sum FROM out_a',
  b:
    'SELECT COUNT(*) AS groups, COALESCE(SUM(cnt), 0) AS count_sum, ' +
    'COALESCE(SUM(sum_bytes), 0) AS bytes_sum FROM out_b',
};

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const connection = await instance.connect();
await connection.run('SET threads = 1');
console.log(`version ${duckdb.version()}`);

for (const name of chosen) for (let run = 0; run < repeat; run++) {
  await connection.run(`DROP TABLE IF EXISTS out_${name}`);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await connection.run(queries[name]);
  const ns = process.hrtime.bigint() - t0;
  const cpu = process.cpuUsage(cpu0);
  const reader = await connection.runAndReadAll(checks[name]);
  const row = reader.getRowObjects()[0];
  const fields = Object.entries(row)
    .map(([k, v]) => `${k} ${v}`)
    .join(' ');
  const user = cpu.user / 1e6;
  const sys = cpu.system / 1e6;
  console.log(`${name} seconds ${Number(ns) / 1e9} user ${user} sys ${sys} ${fields}`);
}
connection.closeSync();

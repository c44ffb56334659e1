/*
 * bench.h — the built-in benchmarks behind `sluice bench NAME ...`.
 *
 * Each benchmark is a main-like function: it parses its own arguments, runs
 * a bounded workload, prints its figures (and ratios against the reference
 * it measures side by side in the same run) to stdout, and returns an exit
 * status. Benchmarks never run as tests.
 */
#ifndef SLUICE_BENCH_H
#define SLUICE_BENCH_H

/* `sluice bench store`: append then read back 100-byte records (stream/). */
int bench_store_main(int argc, char **argv);

/* `sluice bench api`: PutRecords/GetRecords load against sluice and kinesalite (server/). */
int bench_api_main(int argc, char **argv);

/* `sluice bench codec`: JSON/CSV input mapping vs cJSON and simdjson, row codec (stream/). */
int bench_codec_main(int argc, char **argv);

/* `sluice bench window`: tumbling, sliding and stagger window operators on decoded rows,
 * against a hash-only floor, a fused hand-written loop and a naive sliding window (exec/). */
int bench_window_main(int argc, char **argv);

/* `sluice bench pipeline`: a KDA application end to end on one core (engine/), filter and
 * tumbling GROUP BY over stored JSON records, against DuckDB on the same records. */
int bench_pipeline_main(int argc, char **argv);

/* `sluice bench rcf`: RANDOM_CUT_FOREST (functions/rcf.h, exec/tablefn_rcf.c) for 1, 4 and
 * 16 columns, its memory, against a plain pass and a brute-force k-NN detector. */
int bench_rcf_main(int argc, char **argv);

#endif

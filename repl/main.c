/*
 * main.c — the `sluice` binary: one executable, one subcommand per surface
 * (DESIGN.md section 1). Each subcommand lives in the module that owns it;
 * this file only dispatches.
 */
#include <stdio.h>
#include <string.h>

#include "sluice.h"
#ifdef SLUICE_HAVE_SERVER
#include "repl/repl.h"
#include "server/server.h"
#endif
#ifdef SLUICE_HAVE_BENCH
#include "bench/bench.h"
#endif
#ifdef SLUICE_HAVE_SLT
#include "tests/slt/slt.h"
#endif

static void usage(FILE *out) {
  fprintf(out, "usage: sluice <command> [options]\n"
               "\n"
               "commands:\n"
               "  serve [--data DIR] [--listen HOST:PORT] [--fsync always|interval|never]\n"
               "        [--enforce-limits]\n"
               "                       the stream store and the Kinesis API server\n"
               "  run APP.sql [--data DIR] [--listen HOST:PORT] [--application NAME]\n"
               "                       deploy an application and run it, serving the API\n"
               "  bench store|api|codec|window|pipeline|rcf ...\n"
               "                       built-in benchmarks (see `sluice bench NAME --help`)\n"
               "  test [--roundtrip] [--strict] FILE.slt ...\n"
               "                       run SQL logic test files (tests/slt/README.md)\n"
               "  version              print the version\n"
               "  help                 this text\n"
               "\n"
               "Defaults: --data ./sluice-data, --listen 127.0.0.1:4566.\n");
}

static int bench_main(int argc, char **argv) {
#ifdef SLUICE_HAVE_BENCH
  if (argc >= 2 && strcmp(argv[1], "store") == 0) return bench_store_main(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "api") == 0) return bench_api_main(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "codec") == 0) return bench_codec_main(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "window") == 0) return bench_window_main(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "pipeline") == 0) return bench_pipeline_main(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "rcf") == 0) return bench_rcf_main(argc - 1, argv + 1);
#endif
  fprintf(stderr, "sluice bench: choose a benchmark: store, api, codec, window, pipeline or rcf\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("sluice %s\n", SLUICE_VERSION);
    return 0;
  }
#ifdef SLUICE_HAVE_SERVER
  if (strcmp(cmd, "serve") == 0) return server_cli_main(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0) return repl_run_main(argc - 1, argv + 1);
#endif
  if (strcmp(cmd, "bench") == 0) return bench_main(argc - 1, argv + 1);
#ifdef SLUICE_HAVE_SLT
  if (strcmp(cmd, "test") == 0) return slt_main(argc - 1, argv + 1);
#endif
  if (strcmp(cmd, "repl") == 0) {
    fprintf(stderr,
            "sluice %s: the interactive REPL is not in this build yet; use `sluice run APP.sql`\n",
            cmd);
    return 2;
  }
  fprintf(stderr, "sluice: unknown command '%s'\n\n", cmd);
  usage(stderr);
  return 2;
}

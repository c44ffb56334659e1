/*
 * cli.c — `sluice serve`: argument parsing, signals, and the run.
 *
 * The first SIGINT or SIGTERM asks the loop to stop (it stops accepting,
 * finishes in-flight requests and closes the store); a second one exits at
 * once with status 130.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/server.h"

static server_t *volatile running;
static volatile sig_atomic_t signals_seen;

static void on_signal(int sig) {
  if (signals_seen++ > 0) _exit(130);
  server_t *s = running;
  if (s) server_stop(s);
}

static void usage(FILE *f) {
  fprintf(f, "usage: sluice serve [--data DIR] [--listen HOST:PORT] [--fsync always|interval|never]"
             " [--enforce-limits]\n"
             "\n"
             "Serves the Kinesis Data Streams API over the stream store in DIR\n"
             "(default ./sluice-data) on HOST:PORT (default 127.0.0.1:4566; port 0 picks one).\n");
}

int server_cli_main(int argc, char **argv) {
  server_config cfg;
  server_config_init(&cfg);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = NULL;
    const char *eq = strchr(a, '=');
    char name[64];
    size_t nl = eq ? (size_t)(eq - a) : strlen(a);
    if (nl >= sizeof name) nl = sizeof name - 1;
    memcpy(name, a, nl);
    name[nl] = 0;
    bool takes = strcmp(name, "--data") == 0 || strcmp(name, "--listen") == 0 ||
                 strcmp(name, "--fsync") == 0;
    if (takes) {
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else {
        fprintf(stderr, "error: option %s needs a value\n", name);
        return 2;
      }
    }
    if (strcmp(name, "--data") == 0)
      cfg.data_dir = val;
    else if (strcmp(name, "--listen") == 0)
      cfg.listen = val;
    else if (strcmp(name, "--fsync") == 0) {
      if (strcmp(val, "always") == 0)
        cfg.fsync = SERVER_FSYNC_ALWAYS;
      else if (strcmp(val, "interval") == 0)
        cfg.fsync = SERVER_FSYNC_INTERVAL;
      else if (strcmp(val, "never") == 0)
        cfg.fsync = SERVER_FSYNC_NEVER;
      else {
        fprintf(stderr,
                "error: invalid value for --fsync: %s\nHINT: Use always, interval or never.\n",
                val);
        return 2;
      }
    } else if (strcmp(a, "--enforce-limits") == 0)
      cfg.enforce_limits = true;
    else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "error: unknown option %s\n", a);
      usage(stderr);
      return 2;
    }
  }
  core_error err;
  core_error_clear(&err);
  server_t *s = NULL;
  if (server_new(&cfg, &s, &err) != SLUICE_OK) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  running = s;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  int rc = server_run(s, &err);
  running = NULL;
  server_free(s);
  if (rc != SLUICE_OK) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  return 0;
}

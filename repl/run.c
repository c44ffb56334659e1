/*
 * run.c — `sluice run APP.sql`: deploys a whole application headless and runs it until
 * SIGINT/SIGTERM, serving the Kinesis API over the same store meanwhile.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "repl/repl.h"
#include "server/server.h"

static server_t *volatile running;
static volatile sig_atomic_t signals_seen;

static void on_signal(int sig) {
  (void)sig;
  if (signals_seen++ > 0) _exit(130);
  server_t *s = running;
  if (s) server_stop(s);
}

static void usage(FILE *f) {
  fprintf(f, "usage: sluice run APP.sql [--data DIR] [--listen HOST:PORT] [--application NAME]\n"
             "\n"
             "Deploys the application in APP.sql (its CREATE INPUT / STREAM / PUMP / OUTPUT\n"
             "statements) on the store in DIR (default ./sluice-data), runs its pumps, and\n"
             "serves the Kinesis Data Streams API on HOST:PORT (default 127.0.0.1:4566) until\n"
             "SIGINT or SIGTERM. NAME defaults to the file's base name.\n");
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t k = fread(buf + n, 1, cap - n, f);
    n += k;
    if (n < cap) break;
    char *b = realloc(buf, cap * 2 + 1);
    if (!b) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = b;
    cap *= 2;
  }
  fclose(f);
  if (buf) buf[n] = 0;
  return buf;
}

/* The file's base name without its extension, as an application name. */
static void app_name_of(const char *path, char *out, size_t cap) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strcspn(base, ".");
  if (n >= cap) n = cap - 1;
  memcpy(out, base, n);
  out[n] = 0;
  if (!n) snprintf(out, cap, "APP");
}

int repl_run_main(int argc, char **argv) {
  const char *file = NULL, *data = "./sluice-data", *listen = "127.0.0.1:4566", *app = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool takes =
        strcmp(a, "--data") == 0 || strcmp(a, "--listen") == 0 || strcmp(a, "--application") == 0;
    if (takes && i + 1 >= argc) {
      fprintf(stderr, "error: option %s needs a value\n", a);
      return 2;
    }
    if (strcmp(a, "--data") == 0)
      data = argv[++i];
    else if (strcmp(a, "--listen") == 0)
      listen = argv[++i];
    else if (strcmp(a, "--application") == 0)
      app = argv[++i];
    else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (a[0] == '-' || file) {
      fprintf(stderr, "error: unexpected argument %s\n", a);
      usage(stderr);
      return 2;
    } else
      file = a;
  }
  if (!file) {
    usage(stderr);
    return 2;
  }
  char *sql = read_file(file);
  if (!sql) {
    fprintf(stderr, "error: cannot read %s\n", file);
    return 1;
  }
  char name[129];
  if (app)
    snprintf(name, sizeof name, "%s", app);
  else
    app_name_of(file, name, sizeof name);
  sluice_options opt = {.application = name};
  sluice_engine *e = NULL;
  int rc = sluice_open(data, &opt, &e);
  if (!rc) rc = sluice_exec(e, sql, NULL, NULL);
  if (!rc) rc = sluice_check(e);
  if (!rc) rc = sluice_start(e);
  free(sql);
  if (rc) {
    fprintf(stderr, "error: %s\n", e ? sluice_errtext(e) : sluice_errstr(rc));
    sluice_close(e);
    return 1;
  }
  server_config cfg;
  server_config_init(&cfg);
  cfg.data_dir = data;
  cfg.listen = listen;
  cfg.store = sluice_engine_store(e);
  core_error err;
  core_error_clear(&err);
  server_t *s = NULL;
  if (server_new(&cfg, &s, &err) != SLUICE_OK) {
    fprintf(stderr, "error: %s\n", err.message);
    sluice_close(e);
    return 1;
  }
  printf("sluice: application %s running\n", name);
  fflush(stdout);
  running = s;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  rc = server_run(s, &err);
  running = NULL;
  server_free(s);
  sluice_close(e);
  if (rc != SLUICE_OK) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  return 0;
}

/*
 * runner.c — the SQL logic test runner (slt.h, README.md).
 *
 * A file is read whole and split into lines. A record starts at a line whose
 * first word names a directive in DIRECTIVES below; the directive's row says
 * which body follows (none, SQL up to a blank line, SQL then `----` then
 * expected lines up to a blank line, data lines up to a blank line) and which
 * function runs it. Adding a directive is adding one row. Lines starting with
 * `#` between records are comments.
 */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"
#include "tests/slt/slt.h"

/* ------------------------------------------------------------ strings -- */

/* A growable array of owned strings. */
typedef struct strs {
  char **v;
  int n, cap;
} strs;

static void strs_push(strs *s, char *str) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->v = realloc(s->v, sizeof *s->v * (size_t)s->cap);
    if (!s->v) {
      fprintf(stderr, "sluice test: out of memory\n");
      exit(2);
    }
  }
  s->v[s->n++] = str;
}

static void strs_free(strs *s) {
  for (int i = 0; i < s->n; i++) free(s->v[i]);
  free(s->v);
  *s = (strs){0};
}

static char *xstrdup(const char *s) {
  char *p = strdup(s);
  if (!p) {
    fprintf(stderr, "sluice test: out of memory\n");
    exit(2);
  }
  return p;
}

static void rtrim(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
}

static bool blank(const char *s) {
  return s[strspn(s, " \t\r")] == 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ------------------------------------------------------------ records -- */

typedef enum body_kind {
  BODY_NONE,   /* the directive line alone */
  BODY_SQL,    /* SQL lines up to a blank line */
  BODY_QUERY,  /* SQL lines, `----`, expected lines up to a blank line */
  BODY_DATA,   /* data lines (records to put) up to a blank line */
  BODY_RESULT, /* `----` then expected lines (read STREAM) */
} body_kind;

typedef struct record {
  int line;               /* 1-based line of the directive */
  int rows_from, rows_to; /* BODY_QUERY, BODY_RESULT: 0-based lines of the expected rows */
  const char *name;       /* the directive */
  char *args;             /* the rest of the directive line, trimmed */
  char *sql;              /* BODY_SQL, BODY_QUERY: the lines joined with '\n' */
  strs expected;          /* BODY_QUERY, BODY_RESULT: expected lines; BODY_DATA: the data lines */
} record;

/* --override: the expected rows of query records are replaced by what ran. */
typedef struct patch {
  int from, to; /* lines [from, to) (0-based) hold the expected rows */
  strs rows;
} patch;

typedef struct runner {
  const char *file;
  bool override;
  patch *patches;
  int npatches;
  char *dir; /* the temporary data directory */
  sluice_engine *eng;
  sluice_options opt;
  bool halted;
  int passed, failed;
} runner;

/* Reports a failure of the record (or of the file at line) and counts it. */
static void failure(runner *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void failure(runner *r, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s:%d: ", r->file, line);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  r->failed++;
}

static void print_block(const char *title, const char *text) {
  printf("  %s:\n", title);
  while (text && *text) {
    size_t n = strcspn(text, "\n");
    printf("    %.*s\n", (int)n, text);
    text += n;
    if (*text) text++;
  }
}

static void print_lines(const char *title, const strs *s) {
  printf("  %s:%s\n", title, s->n ? "" : " (no rows)");
  for (int i = 0; i < s->n; i++) printf("    %s\n", s->v[i]);
}

/* -------------------------------------------------- running statements -- */

/* Result rows of a query record (each row's values joined by one space) and the width. */
typedef struct sink {
  strs rows;
  int ncols;
} sink;

static int sink_row(void *arg, int ncols, const char *const *values, const char *const *names) {
  (void)names;
  sink *s = arg;
  if (s->rows.n == 0) s->ncols = ncols;
  size_t len = 1;
  for (int i = 0; i < ncols; i++) len += strlen(values[i]) + 1;
  char *line = malloc(len);
  if (!line) return 1;
  line[0] = 0;
  for (int i = 0; i < ncols; i++) {
    if (i) strcat(line, " ");
    strcat(line, values[i]);
  }
  rtrim(line);
  strs_push(&s->rows, line);
  return 0;
}

/* Runs sql: `\d [NAME]` is catalog introspection (sluice_describe), `\check` the
 * deployment check (sluice_check), anything else is SQL (sluice_exec). Rows go to
 * out (may be NULL). */
static int run_sql(runner *r, const char *sql, sink *out) {
  const char *p = sql + strspn(sql, " \t\n");
  if (strncmp(p, "\\check", 6) == 0 && p[6 + strspn(p + 6, " \t\n")] == 0)
    return sluice_check(r->eng);
  if (p[0] == '\\' && p[1] == 'd' && (p[2] == 0 || p[2] == ' ' || p[2] == '\n')) {
    char *name = xstrdup(p + 2);
    rtrim(name);
    const char *n = name + strspn(name, " \t");
    int rc = sluice_describe(r->eng, *n ? n : NULL, out ? sink_row : NULL, out);
    free(name);
    return rc;
  }
  return sluice_exec(r->eng, sql, out ? sink_row : NULL, out);
}

/* statement ok | statement error [substring] */
static void do_statement(runner *r, record *rec) {
  bool want_ok = strcmp(rec->args, "ok") == 0;
  bool want_err = strncmp(rec->args, "error", 5) == 0 && (rec->args[5] == 0 || rec->args[5] == ' ');
  if (!want_ok && !want_err) {
    failure(r, rec->line, "statement needs `ok` or `error [message]`, got \"%s\"", rec->args);
    return;
  }
  int rc = run_sql(r, rec->sql, NULL);
  if (want_ok) {
    if (rc == SLUICE_OK) {
      r->passed++;
      return;
    }
    failure(r, rec->line, "statement failed");
    print_block("sql", rec->sql);
    printf("  expected: ok\n");
    print_block("got", sluice_errtext(r->eng));
    return;
  }
  const char *want = rec->args + 5 + strspn(rec->args + 5, " ");
  if (rc != SLUICE_OK && strstr(sluice_errmsg(r->eng), want)) {
    r->passed++;
    return;
  }
  failure(r, rec->line,
          rc == SLUICE_OK ? "statement succeeded, an error was expected"
                          : "statement failed with another error");
  print_block("sql", rec->sql);
  printf("  expected: error containing \"%s\"\n", want);
  print_block("got", rc == SLUICE_OK ? "ok" : sluice_errtext(r->eng));
}

/* query <types> [nosort|rowsort] */
static void do_query(runner *r, record *rec) {
  char types[64] = "", mode[64] = "nosort";
  if (sscanf(rec->args, "%63s %63s", types, mode) < 1 || strspn(types, "TIR") != strlen(types) ||
      (strcmp(mode, "nosort") != 0 && strcmp(mode, "rowsort") != 0)) {
    failure(r, rec->line, "query needs `<types of T I R> [nosort|rowsort]`, got \"%s\"", rec->args);
    return;
  }
  sink got = {0};
  int rc = run_sql(r, rec->sql, &got);
  bool ok = rc == SLUICE_OK;
  if (!ok) {
    failure(r, rec->line, "query failed");
    print_block("sql", rec->sql);
    print_lines("expected", &rec->expected);
    print_block("got", sluice_errtext(r->eng));
    strs_free(&got.rows);
    return;
  }
  if (got.rows.n && got.ncols != (int)strlen(types)) {
    failure(r, rec->line, "query returned %d columns, the record declares %d (\"%s\")", got.ncols,
            (int)strlen(types), types);
    strs_free(&got.rows);
    return;
  }
  if (strcmp(mode, "rowsort") == 0 && got.rows.n)
    qsort(got.rows.v, (size_t)got.rows.n, sizeof *got.rows.v, cmp_str);
  if (strcmp(mode, "rowsort") == 0 && rec->expected.n)
    qsort(rec->expected.v, (size_t)rec->expected.n, sizeof *rec->expected.v, cmp_str);
  if (r->override) {
    patch *np = realloc(r->patches, sizeof *np * (size_t)(r->npatches + 1));
    if (!np) exit(2);
    r->patches = np;
    r->patches[r->npatches++] = (patch){rec->rows_from, rec->rows_to, got.rows};
    got.rows = (strs){0};
    r->passed++;
    return;
  }
  bool same = got.rows.n == rec->expected.n;
  for (int i = 0; same && i < got.rows.n; i++)
    same = strcmp(got.rows.v[i], rec->expected.v[i]) == 0;
  if (same) {
    r->passed++;
  } else {
    failure(r, rec->line, "query result differs");
    print_block("sql", rec->sql);
    print_lines("expected", &rec->expected);
    print_lines("got", &got.rows);
  }
  strs_free(&got.rows);
}

static void do_halt(runner *r, record *rec) {
  (void)rec;
  r->halted = true;
}

/* engine strict|lenient: reopens the engine on the same data directory. */
static void do_engine(runner *r, record *rec) {
  bool strict = strcmp(rec->args, "strict") == 0;
  if (!strict && strcmp(rec->args, "lenient") != 0) {
    failure(r, rec->line, "engine needs `strict` or `lenient`, got \"%s\"", rec->args);
    return;
  }
  sluice_close(r->eng);
  r->opt.strict = strict;
  int rc = sluice_open(r->dir, &r->opt, &r->eng);
  if (rc) {
    failure(r, rec->line, "cannot reopen the engine: %s", sluice_errmsg(r->eng));
    r->halted = true;
    return;
  }
  r->passed++;
}

/* ------------------------------------------------ streaming directives -- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

/* `2024-01-01T00:00:00.000Z`, `2024-01-01 00:00:00[.fff]` or `2024-01-01` as ms since the
 * epoch (UTC); a quoted form is accepted too. */
static bool parse_time(const char *s, long long *ms) {
  while (*s == ' ' || *s == '\'') s++;
  int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
  char sep = 0;
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return false;
  s += n;
  if (*s == 'T' || *s == ' ') {
    sep = *s;
    if (sscanf(s + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3) return false;
    s += 1 + n;
  }
  (void)sep;
  long long frac = 0;
  if (*s == '.') {
    int digits = 0;
    for (s++; *s >= '0' && *s <= '9'; s++, digits++)
      if (digits < 3) frac = frac * 10 + (*s - '0');
    while (digits > 0 && digits < 3) {
      frac *= 10;
      digits++;
    }
  }
  if (*s == 'Z') s++;
  while (*s == ' ' || *s == '\'') s++;
  if (*s) return false;
  *ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + mi) * 60000LL +
        sec * 1000LL + frac;
  return true;
}

/* `10 seconds`, `1 minute`, `500 ms`, `2 hours`, `1 day` as ms. */
static bool parse_interval(const char *s, long long *ms) {
  long long n;
  char unit[32] = "";
  if (sscanf(s, "%lld %31s", &n, unit) != 2 || n < 0) return false;
  static const struct {
    const char *name;
    long long ms;
  } units[] = {{"ms", 1},         {"millisecond", 1}, {"milliseconds", 1}, {"s", 1000},
               {"second", 1000},  {"seconds", 1000},  {"minute", 60000},   {"minutes", 60000},
               {"hour", 3600000}, {"hours", 3600000}, {"day", 86400000},   {"days", 86400000}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(unit, units[i].name) == 0) {
      *ms = n * units[i].ms;
      return true;
    }
  return false;
}

/* A stream name at the start of args ("quoted" exactly, or a bare word); returns it
 * (owned) and moves *rest past it. */
static char *take_name(const char *args, const char **rest) {
  const char *p = args + strspn(args, " ");
  if (*p == '"') {
    const char *q = strchr(p + 1, '"');
    if (!q) return NULL;
    *rest = q + 1;
    return strndup(p + 1, (size_t)(q - p - 1));
  }
  size_t n = strcspn(p, " ");
  if (!n) return NULL;
  *rest = p + n;
  return strndup(p, n);
}

/* put STREAM [AT <timestamp>]: the data lines, one record each, with that arrival time. */
static void do_put(runner *r, record *rec) {
  const char *rest;
  char *name = take_name(rec->args, &rest);
  rest += strspn(rest, " ");
  long long at = -1;
  bool ok = name != NULL;
  if (ok && strncmp(rest, "AT ", 3) == 0)
    ok = parse_time(rest + 3, &at);
  else if (ok && *rest)
    ok = false;
  if (!ok) {
    failure(r, rec->line, "put needs `STREAM [AT <timestamp>]`, got \"%s\"", rec->args);
    free(name);
    return;
  }
  if (at >= 0 && at != sluice_clock_now(r->eng) && sluice_clock_set(r->eng, at) != SLUICE_OK) {
    failure(r, rec->line, "cannot move the clock: %s", sluice_errmsg(r->eng));
    free(name);
    return;
  }
  for (int i = 0; i < rec->expected.n; i++) {
    const char *data = rec->expected.v[i];
    if (sluice_put(r->eng, name, data, strlen(data), NULL) != SLUICE_OK) {
      failure(r, rec->line + 1 + i, "put failed");
      print_block("record", data);
      print_block("got", sluice_errtext(r->eng));
      free(name);
      return;
    }
  }
  free(name);
  r->passed++;
}

/* clock advance <interval> | clock set <timestamp> */
static void do_clock(runner *r, record *rec) {
  long long v;
  int rc;
  if (strncmp(rec->args, "advance ", 8) == 0 && parse_interval(rec->args + 8, &v))
    rc = sluice_clock_advance(r->eng, v);
  else if (strncmp(rec->args, "set ", 4) == 0 && parse_time(rec->args + 4, &v))
    rc = sluice_clock_set(r->eng, v);
  else {
    failure(r, rec->line, "clock needs `advance <n> <unit>` or `set <timestamp>`, got \"%s\"",
            rec->args);
    return;
  }
  if (rc != SLUICE_OK) {
    failure(r, rec->line, "clock failed");
    print_block("got", sluice_errtext(r->eng));
    return;
  }
  r->passed++;
}

/* read STREAM [rowsort] [LIMIT n]: the rows so far, ROWTIME first. */
static void do_read(runner *r, record *rec) {
  const char *rest;
  char *name = take_name(rec->args, &rest);
  long long limit = -1;
  bool rowsort = false, ok = name != NULL;
  while (ok && *(rest += strspn(rest, " "))) {
    int n = 0;
    if (strncmp(rest, "rowsort", 7) == 0) {
      rowsort = true;
      rest += 7;
    } else if (sscanf(rest, "LIMIT %lld%n", &limit, &n) == 1) {
      rest += n;
    } else {
      ok = false;
    }
  }
  if (!ok) {
    failure(r, rec->line, "read needs `STREAM [rowsort] [LIMIT n]`, got \"%s\"", rec->args);
    free(name);
    return;
  }
  sink got = {0};
  int rc = sluice_read(r->eng, name, limit, sink_row, &got);
  free(name);
  if (rc != SLUICE_OK) {
    failure(r, rec->line, "read failed");
    print_lines("expected", &rec->expected);
    print_block("got", sluice_errtext(r->eng));
    strs_free(&got.rows);
    return;
  }
  if (rowsort) {
    if (got.rows.n) qsort(got.rows.v, (size_t)got.rows.n, sizeof *got.rows.v, cmp_str);
    if (rec->expected.n)
      qsort(rec->expected.v, (size_t)rec->expected.n, sizeof *rec->expected.v, cmp_str);
  }
  if (r->override) {
    patch *np = realloc(r->patches, sizeof *np * (size_t)(r->npatches + 1));
    if (!np) exit(2);
    r->patches = np;
    r->patches[r->npatches++] = (patch){rec->rows_from, rec->rows_to, got.rows};
    r->passed++;
    return;
  }
  bool same = got.rows.n == rec->expected.n;
  for (int i = 0; same && i < got.rows.n; i++)
    same = strcmp(got.rows.v[i], rec->expected.v[i]) == 0;
  if (same) {
    r->passed++;
  } else {
    failure(r, rec->line, "stream rows differ");
    printf("  stream: %s\n", rec->args);
    print_lines("expected", &rec->expected);
    print_lines("got", &got.rows);
  }
  strs_free(&got.rows);
}

/* wait idle | wait STREAM N: with the test clock the pumps have run when a call
 * returns, so this checks that the stream has at least N rows. */
static void do_wait(runner *r, record *rec) {
  if (strcmp(rec->args, "idle") == 0) {
    r->passed++;
    return;
  }
  const char *rest;
  char *name = take_name(rec->args, &rest);
  long long want;
  if (!name || sscanf(rest, "%lld", &want) != 1) {
    failure(r, rec->line, "wait needs `idle` or `STREAM N`, got \"%s\"", rec->args);
    free(name);
    return;
  }
  sink got = {0};
  int rc = sluice_read(r->eng, name, -1, sink_row, &got);
  free(name);
  if (rc != SLUICE_OK || got.rows.n < want) {
    failure(r, rec->line, "stream has %d rows, %lld expected", rc ? -1 : got.rows.n, want);
    if (rc) print_block("got", sluice_errtext(r->eng));
  } else {
    r->passed++;
  }
  strs_free(&got.rows);
}

/* restart: close and reopen the engine on the same data directory; the test clock
 * continues from where it was. */
static void do_restart(runner *r, record *rec) {
  long long now = sluice_clock_now(r->eng);
  sluice_close(r->eng);
  r->opt.test_start_ms = now;
  int rc = sluice_open(r->dir, &r->opt, &r->eng);
  if (rc) {
    failure(r, rec->line, "cannot reopen the engine: %s", sluice_errmsg(r->eng));
    r->halted = true;
    return;
  }
  r->passed++;
}

/* ---------------------------------------------------------- directives -- */

typedef struct directive {
  const char *name;
  body_kind body;
  void (*run)(runner *r, record *rec);
} directive;

/* One row per directive (README.md documents each). */
static const directive DIRECTIVES[] = {
    {"statement", BODY_SQL, do_statement},
    {"query", BODY_QUERY, do_query},
    {"halt", BODY_NONE, do_halt},
    {"engine", BODY_NONE, do_engine},
    /* the streaming engine */
    {"put", BODY_DATA, do_put},         /* put STREAM [AT <timestamp>], then records */
    {"clock", BODY_NONE, do_clock},     /* clock advance <n> <unit> | clock set <timestamp> */
    {"read", BODY_RESULT, do_read},     /* read STREAM [rowsort] [LIMIT n], ----, rows */
    {"wait", BODY_NONE, do_wait},       /* wait STREAM <n rows> | wait idle */
    {"restart", BODY_NONE, do_restart}, /* close and reopen the engine (recovery) */
};

static const directive *find_directive(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof DIRECTIVES / sizeof DIRECTIVES[0]; i++)
    if (strlen(DIRECTIVES[i].name) == len && strncmp(DIRECTIVES[i].name, name, len) == 0)
      return &DIRECTIVES[i];
  return NULL;
}

/* Reads lines[*i..] up to a blank line (or the end) into out; *i ends on the
 * blank line. With stop_at_dashes, stops at a `----` line (consumed). */
static bool read_block(char **lines, int nlines, int *i, strs *out, bool stop_at_dashes) {
  while (*i < nlines && !blank(lines[*i])) {
    if (stop_at_dashes && strcmp(lines[*i], "----") == 0) {
      (*i)++;
      return true;
    }
    strs_push(out, xstrdup(lines[*i]));
    (*i)++;
  }
  return false;
}

static char *join(const strs *s) {
  size_t len = 1;
  for (int i = 0; i < s->n; i++) len += strlen(s->v[i]) + 1;
  char *p = malloc(len);
  if (!p) exit(2);
  p[0] = 0;
  for (int i = 0; i < s->n; i++) {
    strcat(p, s->v[i]);
    if (i + 1 < s->n) strcat(p, "\n");
  }
  return p;
}

/* ------------------------------------------------------------- files -- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t total = 0;
  char *buf = NULL;
  for (;;) {
    char *nb = realloc(buf, total + 65536 + 1);
    if (!nb) {
      free(buf);
      fclose(f);
      return NULL;
    }
    buf = nb;
    size_t n = fread(buf + total, 1, 65536, f);
    total += n;
    if (n < 65536) break;
  }
  if (ferror(f)) { /* e.g. a directory */
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  buf[total] = 0;
  return buf;
}

/* --override: rewrites the file with the patched expected rows. */
static void write_patched(runner *r, const strs *lines) {
  FILE *f = fopen(r->file, "wb");
  if (!f) {
    fprintf(stderr, "sluice test: cannot write %s: %s\n", r->file, strerror(errno));
    return;
  }
  int p = 0;
  for (int i = 0; i < lines->n;) {
    if (p < r->npatches && r->patches[p].from == i) {
      for (int j = 0; j < r->patches[p].rows.n; j++) fprintf(f, "%s\n", r->patches[p].rows.v[j]);
      i = r->patches[p].to;
      strs_free(&r->patches[p].rows);
      p++;
      continue;
    }
    fprintf(f, "%s\n", lines->v[i++]);
  }
  for (; p < r->npatches; p++) {
    for (int j = 0; j < r->patches[p].rows.n; j++) fprintf(f, "%s\n", r->patches[p].rows.v[j]);
    strs_free(&r->patches[p].rows);
  }
  fclose(f);
  free(r->patches);
  r->patches = NULL;
  r->npatches = 0;
}

/* Runs one file on a fresh engine; returns false if it could not start. */
static bool run_file(runner *r) {
  char *text = read_file(r->file);
  if (!text) {
    fprintf(stderr, "sluice test: cannot read %s: %s\n", r->file, strerror(errno));
    return false;
  }
  const char *tmp = getenv("TMPDIR");
  char tmpl[4096];
  snprintf(tmpl, sizeof tmpl, "%s/sluice-slt-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  r->dir = mkdtemp(tmpl);
  if (!r->dir) {
    fprintf(stderr, "sluice test: cannot create a temporary directory: %s\n", strerror(errno));
    free(text);
    return false;
  }
  /* files a test names (reference tables) are found beside the .slt file */
  char cwd[4096], dir[4096];
  bool moved = false;
  if (getcwd(cwd, sizeof cwd) && realpath(r->file, dir)) {
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    moved = chdir(dir) == 0;
  }
  if (sluice_open(r->dir, &r->opt, &r->eng) != SLUICE_OK) {
    if (moved && chdir(cwd) != 0) exit(2);
    failure(r, 1, "cannot open an engine: %s", sluice_errtext(r->eng));
    sluice_close(r->eng);
    r->eng = NULL;
    nftw(r->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(text);
    return true;
  }
  /* split into lines in place */
  strs lines = {0};
  for (char *p = text; *p;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = 0;
    rtrim(p);
    strs_push(&lines, p);
    if (!nl) break;
    p = nl + 1;
  }
  int nlines = lines.n;
  r->halted = false;
  for (int i = 0; i < nlines && !r->halted;) {
    char *l = lines.v[i];
    if (blank(l) || l[strspn(l, " \t")] == '#') {
      i++;
      continue;
    }
    size_t wl = strcspn(l, " \t");
    const directive *d = find_directive(l, wl);
    if (!d) {
      failure(r, i + 1, "unknown directive \"%.*s\"", (int)wl, l);
      /* skip the record */
      while (i < nlines && !blank(lines.v[i])) i++;
      continue;
    }
    record rec = {.line = i + 1, .name = d->name};
    rec.args = xstrdup(l + wl + strspn(l + wl, " \t"));
    i++;
    strs sql = {0};
    bool ok = true;
    switch (d->body) {
      case BODY_NONE:
        break;
      case BODY_SQL:
        read_block(lines.v, nlines, &i, &sql, false);
        ok = sql.n > 0;
        break;
      case BODY_QUERY:
        ok = read_block(lines.v, nlines, &i, &sql, true) && sql.n > 0;
        rec.rows_from = i;
        if (ok) read_block(lines.v, nlines, &i, &rec.expected, false);
        rec.rows_to = i;
        break;
      case BODY_DATA:
        read_block(lines.v, nlines, &i, &rec.expected, false);
        break;
      case BODY_RESULT:
        ok = i < nlines && strcmp(lines.v[i], "----") == 0;
        if (ok) {
          i++;
          rec.rows_from = i;
          read_block(lines.v, nlines, &i, &rec.expected, false);
          rec.rows_to = i;
        }
        break;
    }
    if (!ok) {
      failure(r, rec.line, "\"%s\" record is incomplete: %s", d->name,
              d->body == BODY_SQL ? "SQL expected on the next lines"
                                  : "SQL, then a `----` line, then the expected rows");
      while (i < nlines && !blank(lines.v[i])) i++;
    } else {
      rec.sql = join(&sql);
      d->run(r, &rec);
    }
    free(rec.args);
    free(rec.sql);
    strs_free(&sql);
    strs_free(&rec.expected);
  }
  if (moved && chdir(cwd) != 0) {
    fprintf(stderr, "sluice test: cannot return to %s\n", cwd);
    exit(2);
  }
  if (r->override) write_patched(r, &lines);
  free(lines.v);
  free(text);
  sluice_close(r->eng);
  r->eng = NULL;
  nftw(r->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return true;
}

static void usage(FILE *out) {
  fprintf(out, "usage: sluice test [--roundtrip] [--strict] [--override] FILE.slt ...\n"
               "  --roundtrip  check that every statement prints and re-parses to an equal tree\n"
               "  --strict     KDA's validation rules exactly (no event-time windows)\n"
               "  --override   write the rows that queries return into the files as their\n"
               "               expected rows (review the diff before keeping it)\n");
}

int slt_main(int argc, char **argv) {
  sluice_options opt = {.test_clock = 1};
  bool override = false;
  int first = 1;
  for (; first < argc && argv[first][0] == '-'; first++) {
    if (strcmp(argv[first], "--roundtrip") == 0) {
      opt.check_roundtrip = 1;
    } else if (strcmp(argv[first], "--override") == 0) {
      override = true;
    } else if (strcmp(argv[first], "--strict") == 0) {
      opt.strict = 1;
    } else if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "sluice test: unknown option %s\n", argv[first]);
      usage(stderr);
      return 2;
    }
  }
  if (first >= argc) {
    usage(stderr);
    return 2;
  }
  int passed = 0, failed = 0, status = 0;
  for (int i = first; i < argc; i++) {
    runner r = {.file = argv[i], .opt = opt, .override = override};
    if (!run_file(&r)) status = 2;
    passed += r.passed;
    failed += r.failed;
  }
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
  if (status) return status;
  return failed ? 1 : 0;
}

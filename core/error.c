/* error.c — the error object of DESIGN.md section 7 and its formatting. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

const char *sluice_errstr(int rc) {
  switch (rc) {
    case SLUICE_OK:
      return "not an error";
    case SLUICE_ERROR:
      return "error";
    case SLUICE_NOMEM:
      return "out of memory";
    case SLUICE_INVALID:
      return "invalid argument";
    case SLUICE_NOTFOUND:
      return "not found";
    case SLUICE_EXISTS:
      return "already exists";
    case SLUICE_STATE:
      return "wrong state";
    case SLUICE_IO:
      return "i/o error";
    case SLUICE_CORRUPT:
      return "corrupt data";
    case SLUICE_SYNTAX:
      return "syntax error";
    case SLUICE_SEMANTIC:
      return "semantic error";
    case SLUICE_UNSUPPORTED:
      return "not supported";
    case SLUICE_LIMIT:
      return "limit exceeded";
    case SLUICE_EXPIRED:
      return "expired";
    case SLUICE_TIMEOUT:
      return "timed out";
    case SLUICE_RUNTIME:
      return "runtime error";
    case SLUICE_INTERNAL:
      return "internal error";
    case SLUICE_END:
      return "end of data";
    default:
      return "unknown result code";
  }
}

void core_error_clear(core_error *e) {
  if (!e) return;
  e->code = SLUICE_OK;
  e->location = -1;
  e->message[0] = e->detail[0] = e->hint[0] = '\0';
}

int core_error_setv(core_error *e, int code, const char *fmt, va_list ap) {
  if (!e) return code;
  core_error_clear(e);
  e->code = code;
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  return code;
}

int core_error_set(core_error *e, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  core_error_setv(e, code, fmt, ap);
  va_end(ap);
  return code;
}

void core_error_detail(core_error *e, const char *fmt, ...) {
  if (!e) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->detail, sizeof e->detail, fmt, ap);
  va_end(ap);
}

void core_error_hint(core_error *e, const char *fmt, ...) {
  if (!e) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->hint, sizeof e->hint, fmt, ap);
  va_end(ap);
}

void core_error_at(core_error *e, int32_t location) {
  if (e) e->location = location;
}

void core_text_position(const char *text, int32_t loc, int *line, int *column) {
  int l = 1, c = 1;
  for (int32_t i = 0; text && i < loc && text[i]; i++) {
    if (text[i] == '\n') {
      l++;
      c = 1;
    } else {
      c++;
    }
  }
  *line = l;
  *column = c;
}

/* snprintf into buf at *len, tracking the length the whole text needs. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = *len < size ? size - *len : 0;
  int n = vsnprintf(room ? buf + *len : NULL, room, fmt, ap);
  va_end(ap);
  if (n > 0) *len += (size_t)n;
}

size_t core_error_format(const core_error *e, const char *text, char *buf, size_t size) {
  size_t len = 0;
  if (size) buf[0] = '\0';
  append(buf, size, &len, "error: %s\n", e->message[0] ? e->message : sluice_errstr(e->code));
  if (text && e->location >= 0 && (size_t)e->location <= strlen(text)) {
    int line, column;
    core_text_position(text, e->location, &line, &column);
    const char *start = text + e->location - (column - 1);
    const char *end = strchr(start, '\n');
    int n = end ? (int)(end - start) : (int)strlen(start);
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "LINE %d: ", line);
    append(buf, size, &len, "%s%.*s\n%*s^\n", prefix, n, start, plen + column - 1, "");
  }
  if (e->detail[0]) append(buf, size, &len, "DETAIL: %s\n", e->detail);
  if (e->hint[0]) append(buf, size, &len, "HINT: %s\n", e->hint);
  return len;
}

/*
 * exec_ctx.c — reporting a row's run-time error (exec.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "exec/exec.h"

void exec_row_error(exec_ctx *ctx, core_batch *b, int row, const char *name, const char *fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  ctx->errors++;
  if (ctx->row_error) ctx->row_error(ctx->arg, name, message, b, row);
  core_batch_deselect(b, row);
}

/*
 * parser_fuzz.c — libFuzzer target over the parser (parser/ only, no binding).
 *
 * Each input is parsed as a script. If it parses, every statement is printed,
 * the print is parsed again and must give an equal AST (parse_stmt_equal),
 * and printing that AST must give the same text (the printer is idempotent):
 * so the fuzzer checks the round trip as well as memory safety. A failure
 * prints the statement and both texts and aborts. The same input is also run
 * through the tokenizer and the expression entry point. An error must come
 * with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/parser.h"

static void fail(const char *what, const char *a, const char *b) {
  fprintf(stderr, "parser_fuzz: %s\n--- first\n%s\n--- second\n%s\n", what, a ? a : "(null)",
          b ? b : "(null)");
  abort();
}

static void check_error(const core_error *err, const char *entry) {
  if (err->message[0] == '\0') fail("an error without a message", entry, "");
}

static void round_trip(core_arena *arena, const parse_stmt *st) {
  core_error err;
  char *text = parse_print_stmt(arena, st);
  if (!text) fail("printer returned NULL", "", "");
  parse_stmt *again = NULL;
  int rc = parse_statement(arena, text, strlen(text), &again, &err);
  if (rc != SLUICE_OK) fail(err.message, text, "(the printed statement does not parse)");
  if (!parse_stmt_equal(st, again)) fail("the printed statement parses to another AST", text, "");
  char *text2 = parse_print_stmt(arena, again);
  if (!text2 || strcmp(text, text2) != 0) fail("printing is not idempotent", text, text2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  core_arena *arena = core_arena_new(0);
  if (!arena) abort();
  core_error err;
  parse_script script;
  const char *text = (const char *)data;
  if (parse_script_text(arena, text, size, &script, &err) == SLUICE_OK) {
    for (int32_t i = 0; i < script.n; i++) round_trip(arena, script.stmts[i]);
  } else {
    check_error(&err, "parse_script_text");
  }
  parse_token *toks;
  int32_t n;
  if (parse_tokenize(arena, text, size, &toks, &n, &err) != SLUICE_OK)
    check_error(&err, "parse_tokenize");
  parse_expr *e;
  if (parse_expression(arena, text, size, &e, &err) == SLUICE_OK) {
    char *p = parse_print_expr(arena, e, 0);
    parse_expr *e2;
    if (!p || parse_expression(arena, p, strlen(p), &e2, &err) != SLUICE_OK)
      fail("a printed expression does not parse", p, err.message);
    if (!parse_expr_equal(e, e2)) fail("the printed expression parses to another AST", p, "");
    (void)parse_print_expr(arena, e, PARSE_PRINT_PARENS);
  } else {
    check_error(&err, "parse_expression");
  }
  core_arena_free(arena);
  return 0;
}

/*
 * lexer.h — private to parser/: the re2c lexer and the keyword table.
 *
 * The lexer keeps all its state in a parse_lexer passed by pointer (no
 * globals). It needs the text to end with a NUL byte at text[len] (the parser
 * copies the text into its arena with that sentinel). A token is a slice of
 * the text plus the lemon token code (TK_* of the generated grammar.h) and a
 * token class for tests and the REPL.
 */
#ifndef SLUICE_PARSER_LEXER_H
#define SLUICE_PARSER_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "parser/parser.h"

typedef struct parse_tok {
  int code;    /* TK_* code; 0 at the end of the input */
  uint8_t cls; /* parse_token_class */
  int32_t off; /* byte offset into the text */
  int32_t len; /* byte length */
} parse_tok;

typedef struct parse_lexer {
  const char *text; /* NUL-terminated at text[len] */
  size_t len;
  const char *cur; /* next byte to scan */
  core_error *err;
} parse_lexer;

void parse_lexer_init(parse_lexer *lx, const char *text, size_t len, core_error *err);

/* Scans the next token into *t (t->code == 0 at the end). Returns SLUICE_OK,
 * or SLUICE_SYNTAX with err filled (message and location). */
int parse_lex(parse_lexer *lx, parse_tok *t);

/* Longest identifier (in characters), spec 1.1. */
#define PARSE_MAX_IDENT 128

/* Keyword lookup (one binary search over a sorted table, case-insensitive).
 * Returns the TK_* code or 0 if word is not a keyword; *reserved tells whether
 * it may be used as a name without quotes. */
int parse_keyword_code(const char *word, size_t len, bool *reserved);

/* True if name (upper case) is usable bare as a function name in a call. */
bool parse_keyword_callable(const char *name);

#endif /* SLUICE_PARSER_LEXER_H */

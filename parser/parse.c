/*
 * parse.c — the driver: text -> tokens (lexer.re) -> lemon parser
 * (grammar.y) -> statements, plus the token API of parser.h.
 *
 * The driver copies the text into the arena (with the NUL sentinel the lexer
 * needs), feeds the tokens one by one and stops at the first error, whether
 * it comes from the lexer, the grammar (%syntax_error) or a builder. The
 * lemon engine is the only heap allocation that is not in the arena; it is
 * freed before returning.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parser/build.h"
#include "grammar.h"

/* lemon's generated entry points (%name parse_lemon) */
void *parse_lemonAlloc(void *(*mallocProc)(size_t));
void parse_lemonFree(void *p, void (*freeProc)(void *));
void parse_lemon(void *p, int major, parse_tok minor, parse_ctx *ctx);

/*
 * A short queue of tokens in front of the lexer. The grammar is LALR(1); the
 * one place where the dialect needs more look-ahead is NTH_VALUE(x, n) FROM
 * FIRST|LAST (spec 5.1), where FROM could also start the FROM clause. The
 * driver turns `) FROM FIRST|LAST` into one token when OVER, IGNORE or
 * RESPECT follows, which a FROM clause never has after its first name
 * (`FROM last OVER w` would need a stream named LAST with a join window right
 * after a call in the select list: then write "LAST"). A lexical error met
 * while peeking is kept until that token is taken, so errors still come in
 * text order.
 */
typedef struct tokq {
  parse_lexer lx;
  parse_tok t[3];
  int rc[3];
  int n;
} tokq;

static int tokq_peek(tokq *q, int i, parse_tok *out) {
  while (q->n <= i) {
    if (q->n > 0 && (q->rc[q->n - 1] != SLUICE_OK || q->t[q->n - 1].code == 0)) {
      *out = q->t[q->n - 1];
      return q->rc[q->n - 1];
    }
    q->rc[q->n] = parse_lex(&q->lx, &q->t[q->n]);
    q->n++;
  }
  *out = q->t[i];
  return q->rc[i];
}

static int tokq_take(tokq *q, parse_tok *out) {
  int rc = tokq_peek(q, 0, out);
  if (q->n > 0) {
    memmove(&q->t[0], &q->t[1], sizeof q->t[0] * (size_t)(q->n - 1));
    memmove(&q->rc[0], &q->rc[1], sizeof q->rc[0] * (size_t)(q->n - 1));
    q->n--;
  }
  return rc;
}

static bool word_is(const char *text, const parse_tok *t, const char *word) {
  return t->code == TK_ID && t->cls == PARSE_TC_IDENT && (size_t)t->len == strlen(word) &&
         strncasecmp(text + t->off, word, (size_t)t->len) == 0;
}

static void nth_from(tokq *q, const char *text, parse_tok *from) {
  parse_tok a, b;
  if (tokq_peek(q, 0, &a) != SLUICE_OK || tokq_peek(q, 1, &b) != SLUICE_OK) return;
  bool first = word_is(text, &a, "FIRST"), last = word_is(text, &a, "LAST");
  if (!(first || last) || !(b.code == TK_OVER || b.code == TK_IGNORE || b.code == TK_RESPECT))
    return;
  tokq_take(q, &a);
  from->code = first ? TK_FROM_FIRST : TK_FROM_LAST;
  from->len = a.off + a.len - from->off;
}

static int run(core_arena *arena, const char *text, size_t len, bool expr_mode, parse_ctx *ctx,
               core_error *err) {
  core_error_clear(err);
  memset(ctx, 0, sizeof *ctx);
  ctx->arena = arena;
  ctx->err = err;
  ctx->stmt_start = -1;
  if (len > INT32_MAX / 2) {
    core_error_set(err, SLUICE_LIMIT, "statement text is too long");
    return SLUICE_LIMIT;
  }
  if (!text && len) return core_error_set(err, SLUICE_INVALID, "no statement text");
  char *copy = core_arena_alloc(arena, len + 1);
  if (!copy) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  if (len) memcpy(copy, text, len);
  copy[len] = '\0';
  ctx->text = copy;
  ctx->len = len;

  void *engine = parse_lemonAlloc(malloc);
  if (!engine) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  tokq q;
  memset(&q, 0, sizeof q);
  parse_lexer_init(&q.lx, copy, len, err);
  if (expr_mode) {
    parse_tok start = {TK_EXPR_START, PARSE_TC_PUNCT, 0, 0};
    parse_lemon(engine, TK_EXPR_START, start, ctx);
  }
  int prev = 0;
  for (;;) {
    parse_tok t;
    int rc = tokq_take(&q, &t);
    if (rc != SLUICE_OK) {
      ctx->rc = rc;
      break;
    }
    if (t.code == TK_FROM && prev == TK_RP) nth_from(&q, copy, &t);
    if (t.code == TK_SEMI && expr_mode) {
      parse_syntax_error(ctx, &t);
      break;
    }
    if (t.code != 0 && t.code != TK_SEMI && ctx->stmt_start < 0) ctx->stmt_start = t.off;
    parse_lemon(engine, t.code, t, ctx);
    if (t.code == TK_SEMI) ctx->stmt_start = -1;
    ctx->prev_end = t.off + t.len;
    prev = t.code;
    if (ctx->rc == SLUICE_OK && core_arena_oom(arena))
      parse_fail(ctx, SLUICE_NOMEM, t.off, "out of memory");
    if (ctx->rc != SLUICE_OK || t.code == 0) break;
  }
  parse_lemonFree(engine, free);
  return ctx->rc;
}

int parse_script_text(core_arena *arena, const char *text, size_t len, parse_script *out,
                      core_error *err) {
  parse_ctx ctx;
  memset(out, 0, sizeof *out);
  int rc = run(arena, text, len, false, &ctx, err);
  if (rc != SLUICE_OK) return rc;
  out->text = ctx.text;
  out->text_len = ctx.len;
  out->stmts = (parse_stmt **)ctx.stmts.items;
  out->n = ctx.stmts.n;
  return SLUICE_OK;
}

int parse_statement(core_arena *arena, const char *text, size_t len, parse_stmt **out,
                    core_error *err) {
  parse_script script;
  *out = NULL;
  int rc = parse_script_text(arena, text, len, &script, err);
  if (rc != SLUICE_OK) return rc;
  if (script.n == 0) {
    core_error_set(err, SLUICE_SYNTAX, "empty statement");
    core_error_at(err, 0);
    return SLUICE_SYNTAX;
  }
  if (script.n > 1) {
    core_error_set(err, SLUICE_SYNTAX, "expected one statement, found %d", (int)script.n);
    core_error_at(err, script.stmts[1]->loc.off);
    return SLUICE_SYNTAX;
  }
  *out = script.stmts[0];
  return SLUICE_OK;
}

int parse_expression(core_arena *arena, const char *text, size_t len, parse_expr **out,
                     core_error *err) {
  parse_ctx ctx;
  *out = NULL;
  int rc = run(arena, text, len, true, &ctx, err);
  if (rc != SLUICE_OK) return rc;
  if (!ctx.expr) {
    core_error_set(err, SLUICE_SYNTAX, "syntax error at end of input");
    core_error_at(err, (int32_t)len);
    return SLUICE_SYNTAX;
  }
  *out = ctx.expr;
  return SLUICE_OK;
}

int parse_tokenize(core_arena *arena, const char *text, size_t len, parse_token **out, int32_t *n,
                   core_error *err) {
  *out = NULL;
  *n = 0;
  core_error_clear(err);
  if (!text && len) return core_error_set(err, SLUICE_INVALID, "no statement text");
  char *copy = core_arena_alloc(arena, len + 1);
  if (!copy) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  if (len) memcpy(copy, text, len);
  copy[len] = '\0';
  parse_lexer lx;
  parse_lexer_init(&lx, copy, len, err);
  int32_t cap = 16, count = 0;
  parse_token *toks = core_arena_alloc(arena, sizeof *toks * (size_t)cap);
  if (!toks) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  for (;;) {
    parse_tok t;
    int rc = parse_lex(&lx, &t);
    if (rc != SLUICE_OK) return rc;
    if (t.code == 0) break;
    if (count == cap) {
      parse_token *bigger = core_arena_alloc(arena, sizeof *toks * (size_t)cap * 2);
      if (!bigger) return core_error_set(err, SLUICE_NOMEM, "out of memory");
      memcpy(bigger, toks, sizeof *toks * (size_t)count);
      toks = bigger;
      cap *= 2;
    }
    toks[count].cls = (parse_token_class)t.cls;
    toks[count].loc.off = t.off;
    toks[count].loc.len = t.len;
    count++;
  }
  *out = toks;
  *n = count;
  return SLUICE_OK;
}

const char *parse_token_class_name(parse_token_class cls) {
  static const char *names[] = {
      "KEYWORD",       "IDENT",     "QUOTED_IDENT", "STRING",   "UNICODE_STRING",
      "BINARY_STRING", "INTEGER",   "DECIMAL",      "APPROX",   "DATE",
      "TIME",          "TIMESTAMP", "INTERVAL",     "OPERATOR", "PUNCT",
  };
  if ((unsigned)cls < sizeof names / sizeof names[0]) return names[cls];
  return "?";
}

const char *parse_stmt_kind_name(parse_stmt_kind k) {
  switch (k) {
    case PARSE_S_CREATE_STREAM:
      return "CREATE STREAM";
    case PARSE_S_CREATE_PUMP:
      return "CREATE PUMP";
    case PARSE_S_INSERT:
      return "INSERT";
    case PARSE_S_CREATE_FUNCTION:
      return "CREATE FUNCTION";
    case PARSE_S_QUERY:
      return "SELECT";
    case PARSE_S_CREATE_INPUT:
      return "CREATE INPUT";
    case PARSE_S_CREATE_OUTPUT:
      return "CREATE OUTPUT";
    case PARSE_S_CREATE_REFERENCE_TABLE:
      return "CREATE REFERENCE TABLE";
    case PARSE_S_EXPLAIN:
      return "EXPLAIN";
  }
  return "?";
}

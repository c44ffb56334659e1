/*
 * build.h — private to parser/: the parse context and the AST builders that
 * the grammar's one-line actions call.
 *
 * Builders allocate from ctx->arena and never fail loudly: on out-of-memory
 * they return NULL and the arena's sticky flag is checked by the driver after
 * every token. A builder that finds a problem in the text (a bad literal, a
 * construct KDA does not have) records it with parse_fail() and the driver
 * stops feeding tokens; builders are tolerant of NULL children that earlier
 * failures may have produced.
 */
#ifndef SLUICE_PARSER_BUILD_H
#define SLUICE_PARSER_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "parser/lexer.h"
#include "parser/parser.h"

typedef struct parse_ctx {
  core_arena *arena;
  const char *text; /* NUL-terminated arena copy */
  size_t len;
  core_error *err;
  int rc;             /* first error, or SLUICE_OK */
  parse_list stmts;   /* parse_stmt* */
  parse_expr *expr;   /* parse_expression() result */
  int32_t stmt_start; /* offset of the first token of the current statement, -1 before it */
  int32_t prev_end;   /* end of the last token before the lookahead */
} parse_ctx;

/* Records the first error (later ones are ignored). Returns ctx->rc. */
int parse_fail(parse_ctx *ctx, int code, int32_t loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void *parse_alloc(parse_ctx *ctx, size_t size); /* zeroed */

/* ------------------------------------------------------ small values -- */

typedef struct parse_typeloc {
  core_type t;
  parse_loc loc;
} parse_typeloc;

typedef struct parse_iprec {
  bool present;
  bool has_scale;
  parse_tok p, s;
  parse_loc loc;
} parse_iprec;

enum {
  PARSE_FN_LANGUAGE_SQL,
  PARSE_FN_DETERMINISTIC,
  PARSE_FN_NOT_DETERMINISTIC,
  PARSE_FN_CONTAINS_SQL,
  PARSE_FN_READS_SQL_DATA,
  PARSE_FN_MODIFIES_SQL_DATA,
  PARSE_FN_RETURNS_NULL,
  PARSE_FN_CALLED,
};

typedef struct parse_fn_opts {
  bool language_sql, contains_sql, reads_sql_data, modifies_sql_data;
  int8_t deterministic, null_call;
  parse_ident specific;
} parse_fn_opts;

enum { PARSE_FMT_ROW_PATH, PARSE_FMT_ROW_DELIMITER, PARSE_FMT_COLUMN_DELIMITER };

typedef struct parse_fmt_opts {
  parse_tok row_path, row_delimiter, column_delimiter; /* code 0 if absent */
  parse_tok kw_row_path, kw_row_delimiter, kw_column_delimiter;
} parse_fmt_opts;

typedef struct parse_orderby {
  parse_list items;
  parse_expr *within;
  parse_loc loc;
} parse_orderby;

typedef struct parse_groupby {
  parse_list exprs;
  parse_window *stagger;
} parse_groupby;

typedef struct parse_frame {
  parse_frame_units units;
  bool between;
  parse_bound start, end;
  parse_loc loc;
} parse_frame;

enum { PARSE_JF_NATURAL = 1, PARSE_JF_INNER = 2, PARSE_JF_OUTER = 4 };

typedef struct parse_jointype {
  parse_join_kind kind;
  int flags;
} parse_jointype;

typedef struct parse_joincond {
  parse_expr *on;
  bool has_using;
  parse_ident_list using_;
  parse_loc end;
} parse_joincond;

typedef struct parse_talias {
  parse_ident alias;
  parse_ident_list cols;
  parse_loc end;
} parse_talias;

typedef struct parse_ppop {
  parse_tok tok;
  parse_period_op op;
  bool strictly, immediately;
} parse_ppop;

/* ------------------------------------------------------- the builders -- */

parse_tok parse_tok_none(void);
parse_ident parse_ident_none(void);
parse_ident parse_ident_tok(parse_ctx *ctx, const parse_tok *t);
parse_ident *parse_ident_copy(parse_ctx *ctx, const parse_ident *id);
parse_list parse_list_none(void);
parse_list parse_list_one(parse_ctx *ctx, void *item);
void parse_list_add(parse_ctx *ctx, parse_list *l, void *item);
parse_ident_list parse_idlist_one(parse_ctx *ctx, const parse_ident *id);
void parse_idlist_add(parse_ctx *ctx, parse_ident_list *l, const parse_ident *id);

void parse_syntax_error(parse_ctx *ctx, const parse_tok *t);
void parse_stack_overflow(parse_ctx *ctx);

/* True if operand, in its place under parent, binds more loosely than the
 * grammar's precedence allows without parentheses (print.c, which prints the
 * parentheses). */
bool parse_operand_needs_parens(const parse_expr *parent, const parse_expr *operand);
void parse_unsupported(parse_ctx *ctx, const parse_tok *t, const char *what, bool sserver);
void parse_outer_alone(parse_ctx *ctx, const parse_tok *t);

void parse_add_stmt(parse_ctx *ctx, parse_stmt *s);
void parse_set_expr_result(parse_ctx *ctx, parse_expr *e);
parse_stmt *parse_stmt_explain(parse_ctx *ctx, const parse_tok *x, parse_stmt *s);
parse_stmt *parse_stmt_query(parse_ctx *ctx, parse_query *q);
parse_stmt *parse_stmt_insert(parse_ctx *ctx, parse_insert *i);
parse_stmt *parse_create_stream(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                const parse_ident *name, const parse_list *cols,
                                const parse_tok *desc, const parse_tok *rp);
parse_column_def *parse_column_def_make(parse_ctx *ctx, const parse_ident *name,
                                        const parse_typeloc *t, const parse_tok *notnull);
parse_stmt *parse_create_pump(parse_ctx *ctx, const parse_tok *x, bool orrep,
                              const parse_ident *name, bool stopped, const parse_tok *desc,
                              parse_insert *ins);
parse_insert *parse_insert_make(parse_ctx *ctx, const parse_tok *x, bool expedited,
                                const parse_ident *target, const parse_ident_list *cols,
                                parse_query *q);
parse_stmt *parse_create_function(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                  const parse_ident *name, const parse_list *params,
                                  const parse_typeloc *ret, const parse_fn_opts *opts,
                                  parse_expr *body);
parse_fn_opts parse_fn_opts_none(void);
void parse_fn_flag(parse_ctx *ctx, parse_fn_opts *o, const parse_tok *x, int flag);
void parse_fn_language(parse_ctx *ctx, parse_fn_opts *o, const parse_tok *x,
                       const parse_ident *lang);
void parse_fn_specific(parse_ctx *ctx, parse_fn_opts *o, const parse_tok *x,
                       const parse_ident *name);

parse_stmt *parse_create_input(parse_ctx *ctx, const parse_tok *x, bool orrep,
                               const parse_ident *name, const parse_ident *source,
                               const parse_tok *parallel, const parse_format *fmt,
                               const parse_list *cols, const parse_tok *rp,
                               const parse_tok *starting);
parse_stmt *parse_create_output(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                const parse_ident *name, const parse_ident *from,
                                const parse_ident *target, const parse_format *fmt);
parse_stmt *parse_create_reference(parse_ctx *ctx, const parse_tok *x, bool orrep,
                                   const parse_ident *name, const parse_tok *file,
                                   const parse_format *fmt, const parse_list *cols,
                                   const parse_tok *rp);
parse_format parse_format_make(parse_ctx *ctx, const parse_tok *x, const parse_ident *kind,
                               const parse_fmt_opts *o);
parse_fmt_opts parse_fmt_opts_none(void);
void parse_fmt_opt(parse_ctx *ctx, parse_fmt_opts *o, const parse_tok *kw, int which,
                   const parse_tok *s);
parse_input_column *parse_input_column_make(parse_ctx *ctx, const parse_ident *name,
                                            const parse_typeloc *t, const parse_tok *path);

parse_query *parse_query_finish(parse_ctx *ctx, parse_query *q, const parse_orderby *o);
parse_query *parse_setop_make(parse_ctx *ctx, const parse_tok *x, parse_setop op, int quant,
                              parse_query *l, parse_query *r);
parse_query *parse_query_parens(parse_ctx *ctx, const parse_tok *lp, parse_query *q,
                                const parse_tok *rp);
parse_orderby parse_orderby_none(void);
parse_orderby parse_orderby_make(parse_ctx *ctx, const parse_tok *x, const parse_list *items,
                                 parse_expr *within);
parse_order_item *parse_order_item_make(parse_ctx *ctx, parse_expr *e, parse_sort_dir dir,
                                        const parse_tok *kw);
parse_query *parse_values(parse_ctx *ctx, const parse_tok *x, const parse_list *rows);
parse_query *parse_select_make(parse_ctx *ctx, const parse_tok *x, bool stream, int quant,
                               const parse_list *items, parse_from *from, parse_expr *where,
                               const parse_groupby *g, parse_expr *having,
                               const parse_list *windows);
parse_select_item *parse_select_item_make(parse_ctx *ctx, parse_expr *e, const parse_ident *alias);
parse_select_item *parse_select_star(parse_ctx *ctx, const parse_list *qual, const parse_tok *star);
parse_groupby parse_groupby_none(void);
parse_groupby parse_groupby_list(parse_ctx *ctx, const parse_list *l);
parse_groupby parse_groupby_stagger(parse_ctx *ctx, const parse_tok *x, const parse_list *part,
                                    parse_expr *range, const parse_tok *rp);

parse_window *parse_window_make(parse_ctx *ctx, const parse_ident *base, const parse_list *part,
                                const parse_list *order, const parse_frame *frame);
parse_window *parse_window_named(parse_ctx *ctx, const parse_ident *name, parse_window *w,
                                 const parse_tok *rp);
parse_window *parse_window_ref(parse_ctx *ctx, const parse_tok *over, const parse_ident *name);
parse_window *parse_window_parens(parse_ctx *ctx, const parse_tok *over, parse_window *w,
                                  const parse_tok *rp);
parse_frame parse_frame_none(void);
parse_frame parse_frame_make(parse_ctx *ctx, const parse_tok *x, parse_frame_units units,
                             const parse_bound *start, const parse_bound *end);
parse_bound parse_bound_make(parse_ctx *ctx, const parse_tok *first, parse_bound_kind kind,
                             parse_expr *offset, const parse_tok *last);

parse_from *parse_join_make(parse_ctx *ctx, parse_join_kind kind, int flags, parse_from *l,
                            parse_from *r, const parse_joincond *c);
parse_jointype parse_jointype_make(parse_join_kind kind, int flags);
parse_joincond parse_joincond_none(void);
parse_joincond parse_joincond_on(parse_expr *e);
parse_joincond parse_joincond_using(const parse_ident_list *l, const parse_tok *rp);
parse_from *parse_from_stream(parse_ctx *ctx, const parse_ident *name, parse_window *w,
                              const parse_talias *a);
parse_from *parse_from_subquery(parse_ctx *ctx, const parse_tok *lp, parse_query *q,
                                const parse_tok *rp, const parse_talias *a);
parse_from *parse_from_table_func(parse_ctx *ctx, const parse_tok *x, parse_expr *call,
                                  const parse_tok *rp, const parse_talias *a);
parse_talias parse_talias_none(void);
parse_talias parse_talias_make(const parse_ident *alias, const parse_ident_list *cols,
                               const parse_tok *rp);

parse_typeloc parse_type_simple(parse_ctx *ctx, const parse_tok *x, core_type_id id);
parse_typeloc parse_type_simple2(parse_ctx *ctx, const parse_tok *x, const parse_tok *y,
                                 core_type_id id);
parse_typeloc parse_type_decimal(parse_ctx *ctx, const parse_tok *x, const parse_tok *p,
                                 const parse_tok *s, const parse_tok *last);
parse_typeloc parse_type_length(parse_ctx *ctx, const parse_tok *x, core_type_id id,
                                const parse_tok *n, const parse_tok *last);
parse_typeloc parse_type_interval(parse_ctx *ctx, const parse_tok *x, const parse_typeloc *q);
parse_typeloc parse_iqual(parse_ctx *ctx, const parse_tok *start, const parse_iprec *sp,
                          const parse_tok *end, const parse_iprec *ep);
parse_iprec parse_iprec_none(void);
parse_iprec parse_iprec_make(const parse_tok *lp, const parse_tok *p, const parse_tok *s,
                             const parse_tok *rp);

parse_expr *parse_literal_tok(parse_ctx *ctx, const parse_tok *t);
parse_expr *parse_column(parse_ctx *ctx, const parse_list *parts);
parse_expr *parse_parens(parse_ctx *ctx, const parse_tok *lp, parse_expr *e, const parse_tok *rp);
parse_expr *parse_row(parse_ctx *ctx, const parse_tok *x, parse_expr *first, const parse_list *rest,
                      const parse_tok *rp, int row_kw);
parse_expr *parse_subquery(parse_ctx *ctx, parse_expr_kind kind, const parse_tok *x, parse_query *q,
                           const parse_tok *rp);
parse_expr *parse_datetime_diff(parse_ctx *ctx, const parse_tok *lp, parse_expr *e,
                                const parse_typeloc *q);
parse_expr *parse_call(parse_ctx *ctx, const parse_ident *name, int quant, const parse_list *args,
                       bool star, const parse_tok *rp);
parse_expr *parse_call_finish(parse_ctx *ctx, parse_expr *call, int nth_from, const int *nulls,
                              parse_window *over);
parse_expr *parse_call_niladic(parse_ctx *ctx, const parse_tok *x);
parse_expr *parse_call_unit(parse_ctx *ctx, const parse_tok *x, parse_call_form form,
                            const parse_tok *unit, parse_expr *arg, const parse_tok *rp);
parse_expr *parse_call_special(parse_ctx *ctx, const parse_tok *x, parse_call_form form,
                               const parse_list *args, const parse_tok *rp);
parse_expr *parse_call2(parse_ctx *ctx, const parse_tok *x, parse_call_form form, parse_expr *a,
                        parse_expr *b, parse_expr *c, parse_expr *d, const parse_tok *rp);
parse_expr *parse_trim(parse_ctx *ctx, const parse_tok *x, int spec, parse_expr *chars,
                       parse_expr *src, const parse_tok *rp);
parse_expr *parse_cast(parse_ctx *ctx, const parse_tok *x, parse_expr *e, const parse_typeloc *t,
                       const parse_tok *rp);
parse_expr *parse_case(parse_ctx *ctx, const parse_tok *x, parse_expr *operand,
                       const parse_list *whens, parse_expr *else_, const parse_tok *end);
parse_when *parse_when_make(parse_ctx *ctx, const parse_tok *x, parse_expr *c, parse_expr *r);
parse_expr *parse_binary(parse_ctx *ctx, parse_op op, parse_expr *l, parse_expr *r);
parse_expr *parse_unary(parse_ctx *ctx, const parse_tok *x, parse_op op, parse_expr *e);
parse_expr *parse_is(parse_ctx *ctx, parse_expr *e, bool negated, parse_is_what what,
                     const parse_tok *last);
parse_expr *parse_between(parse_ctx *ctx, parse_expr *e, bool negated, int sym, parse_expr *lo,
                          parse_expr *hi);
parse_expr *parse_in_list(parse_ctx *ctx, parse_expr *e, bool negated, const parse_list *l,
                          const parse_tok *rp);
parse_expr *parse_in_query(parse_ctx *ctx, parse_expr *e, bool negated, parse_query *q,
                           const parse_tok *rp);
parse_expr *parse_like(parse_ctx *ctx, parse_expr *e, int kind, parse_expr *pat, parse_expr *esc);
parse_ppop parse_ppop_make(const parse_tok *x, parse_period_op op, int flags);
parse_expr *parse_period_pred(parse_ctx *ctx, const parse_ppop *op, parse_expr *l, parse_expr *r);

/* ------------------------------------------------ literals (literal.c) -- */

/* Decodes the literal token t (INTLIT, NUMLIT, STRING, BINSTR, DTLIT,
 * IVLIT, NULL, TRUE, FALSE, UNKNOWN) into lit. Returns SLUICE_OK or
 * SLUICE_SYNTAX (via parse_fail) for a bad literal. */
int parse_decode_literal(parse_ctx *ctx, const parse_tok *t, parse_literal *lit);

/* Decodes the '...' string starting at text[off] (the opening quote): ''
 * becomes '. Returns the arena copy (NUL-terminated) and its length. */
char *parse_decode_quoted(parse_ctx *ctx, const char *s, size_t n, char quote, uint32_t *out_len);

/* Parses the digits of an integer token; false if it does not fit in int64. */
bool parse_int_token(const char *s, size_t n, int64_t *out);

/* The interval value of text under qualifier q (months or ms); false if the
 * text does not match the qualifier. */
bool parse_interval_value(const char *s, size_t n, core_type q, int64_t *out);

/* A core_interval_unit from a keyword (YEAR .. SECOND), CORE_IU_NONE if not one. */
int parse_unit_from_word(const char *s, size_t n);

/* The type of an interval qualifier start..end (INTERVAL_YM or INTERVAL_DT). */
core_type parse_interval_type(int start, int end, int32_t precision, int32_t scale);

#endif /* SLUICE_PARSER_BUILD_H */

/*
 * grammar.y — the lemon grammar of the KDA SQL dialect plus sluice's own
 * statements. Every action is one line that calls a builder in build.c.
 *
 * Memory: every AST node is allocated from the parse's core_arena and is
 * released with it, so no nonterminal owns heap memory of its own and no
 * %destructor is needed (the parser engine itself is freed by the driver).
 *
 * Errors: the first error ends the parse. Syntax errors are reported by
 * %syntax_error; builders report semantic problems of the text (bad literals,
 * constructs that KDA does not have) through ctx and the driver stops feeding
 * tokens as soon as ctx->rc is set.
 *
 * Statements that exist in SQL or s-Server but not in KDA are recognised by
 * their leading keyword in a rule of their own (unsup_*), whose action runs as
 * soon as that keyword is shifted, so the message does not depend on what
 * follows.
 */

%include {
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include "parser/build.h"
#define YYNOERRORRECOVERY 1
#define YYPARSEFREENEVERNULL 1
}

%name parse_lemon
%token_prefix TK_
%token_type {parse_tok}
%extra_argument {parse_ctx *ctx}
%stack_size 1000

%syntax_error { parse_syntax_error(ctx, &TOKEN); }
%stack_overflow { parse_stack_overflow(ctx); }

/* Token classes produced by the lexer's keyword table that no rule uses. */
%token RESERVED UNARY FROM_FIRST FROM_LAST.

/* Keywords that may also be used as names without quotes. */
%fallback ID
  REPLACE STOPPED DESCRIPTION OPTIONS RENAME DATA INPUT OUTPUT FILE FORMAT PATH DELIMITER
  COLUMNS PARALLELISM STARTING EXPLAIN VIEW INDEX SCHEMA SERVER JAR EXPEDITED ASC DESC
  UNBOUNDED PRECEDING FOLLOWING TINYINT CONTAINS EQUALS PRECEDES SUCCEEDS LEADS LAGS
  STRICTLY IMMEDIATELY IGNORE RESPECT NULLS PLACING REFERENCE.

/* POSLOW, COMMA and RP only settle POSITION(a IN (b)): the `(b)` is the
 * second argument of POSITION, not the list of an IN predicate. */
%left POSLOW.
%left COMMA RP.
%left OR.
%left AND.
/* NOT binds tighter than IS (spec 2.2: `NOT UNKNOWN IS TRUE` is FALSE, so it
 * reads `(NOT UNKNOWN) IS TRUE`) and looser than comparisons (`NOT a = b` is
 * `NOT (a = b)`, standard SQL). See parser/README.md. */
%left IS.
%right NOT.
%nonassoc EQ NE LT LE GT GE.
%left OVERLAPS EQUALS CONTAINS PRECEDES SUCCEEDS LEADS LAGS STRICTLY IMMEDIATELY.
%nonassoc BETWEEN IN LIKE SIMILAR.
%right ESCAPE.
%left CONCAT.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UNARY.
%right TO.

/* ------------------------------------------------------------ script -- */

input ::= cmdlist.
input ::= EXPR_START expr(E). { parse_set_expr_result(ctx, E); }

cmdlist ::= cmdlist SEMI ecmd.
cmdlist ::= ecmd.
ecmd ::= .
ecmd ::= cmd(C). { parse_add_stmt(ctx, C); }

%type cmd {parse_stmt *}
cmd(A) ::= EXPLAIN(X) cmd(S). { A = parse_stmt_explain(ctx, &X, S); }
cmd(A) ::= query(Q). { A = parse_stmt_query(ctx, Q); }
cmd(A) ::= insert(I). { A = parse_stmt_insert(ctx, I); }

/* ----------------------------------------------------- CREATE STREAM -- */

cmd(A) ::= CREATE(X) orrep(R) STREAM nm(N) sserver_opt LP coldefs(C) RP(Y) desc(D) sserver_opt. { A = parse_create_stream(ctx, &X, R, &N, &C, &D, &Y); }

sserver_opt ::= .
sserver_opt ::= sserver_kw.
sserver_kw ::= OPTIONS(X). { parse_unsupported(ctx, &X, "OPTIONS", true); }
sserver_kw ::= RENAME(X). { parse_unsupported(ctx, &X, "RENAME", true); }

%type orrep {bool}
orrep(A) ::= . { A = false; }
orrep(A) ::= OR REPLACE. { A = true; }

%type desc {parse_tok}
desc(A) ::= . { A = parse_tok_none(); }
desc(A) ::= DESCRIPTION STRING(S). { A = S; }

%type coldefs {parse_list}
coldefs(A) ::= coldef(C). { A = parse_list_one(ctx, C); }
coldefs(A) ::= coldefs(A) COMMA coldef(C). { parse_list_add(ctx, &A, C); }

%type coldef {parse_column_def *}
coldef(A) ::= nm(N) typename(T) notnull(NN). { A = parse_column_def_make(ctx, &N, &T, &NN); }
coldef(A) ::= unsup_constraint. { A = NULL; }
unsup_constraint ::= PRIMARY(X). { parse_unsupported(ctx, &X, "PRIMARY KEY", false); }
unsup_constraint ::= CONSTRAINT(X). { parse_unsupported(ctx, &X, "CONSTRAINT", false); }
unsup_constraint ::= UNIQUE(X). { parse_unsupported(ctx, &X, "UNIQUE", false); }
unsup_constraint ::= CHECK(X). { parse_unsupported(ctx, &X, "CHECK", false); }
unsup_constraint ::= FOREIGN(X). { parse_unsupported(ctx, &X, "FOREIGN KEY", false); }

%type notnull {parse_tok}
notnull(A) ::= . { A = parse_tok_none(); }
notnull(A) ::= NOT NULL(X). { A = X; }

/* ------------------------------------------------------- CREATE PUMP -- */

cmd(A) ::= CREATE(X) orrep(R) PUMP nm(N) stopped(S) desc(D) AS insert(I). { A = parse_create_pump(ctx, &X, R, &N, S, &D, I); }

%type stopped {bool}
stopped(A) ::= . { A = false; }
stopped(A) ::= STOPPED. { A = true; }

/* ------------------------------------------------------------ INSERT -- */

%type insert {parse_insert *}
insert(A) ::= INSERT(X) expedited(E) INTO nm(N) query(Q). { A = parse_insert_make(ctx, &X, E, &N, NULL, Q); }
insert(A) ::= INSERT(X) expedited(E) INTO nm(N) LP idlist(L) RP query(Q). { A = parse_insert_make(ctx, &X, E, &N, &L, Q); }

%type expedited {bool}
expedited(A) ::= . { A = false; }
expedited(A) ::= EXPEDITED. { A = true; }

/* --------------------------------------------------- CREATE FUNCTION -- */

cmd(A) ::= CREATE(X) orrep(R) FUNCTION nm(N) LP params(P) RP RETURNS typename(T) fnopts(O) RETURN expr(E). { A = parse_create_function(ctx, &X, R, &N, &P, &T, &O, E); }

%type params {parse_list}
params(A) ::= . { A = parse_list_none(); }
params(A) ::= paramlist(A).
%type paramlist {parse_list}
paramlist(A) ::= param(P). { A = parse_list_one(ctx, P); }
paramlist(A) ::= paramlist(A) COMMA param(P). { parse_list_add(ctx, &A, P); }
%type param {parse_column_def *}
param(A) ::= nm(N) typename(T). { A = parse_column_def_make(ctx, &N, &T, NULL); }

%type fnopts {parse_fn_opts}
fnopts(A) ::= . { A = parse_fn_opts_none(); }
fnopts(A) ::= fnopts(A) LANGUAGE(X) nm(L). { parse_fn_language(ctx, &A, &X, &L); }
fnopts(A) ::= fnopts(A) LANGUAGE(X) SQL. { parse_fn_flag(ctx, &A, &X, PARSE_FN_LANGUAGE_SQL); }
fnopts(A) ::= fnopts(A) SPECIFIC(X) nm(N). { parse_fn_specific(ctx, &A, &X, &N); }
fnopts(A) ::= fnopts(A) DETERMINISTIC(X). { parse_fn_flag(ctx, &A, &X, PARSE_FN_DETERMINISTIC); }
fnopts(A) ::= fnopts(A) NOT(X) DETERMINISTIC. { parse_fn_flag(ctx, &A, &X, PARSE_FN_NOT_DETERMINISTIC); }
fnopts(A) ::= fnopts(A) CONTAINS(X) SQL. { parse_fn_flag(ctx, &A, &X, PARSE_FN_CONTAINS_SQL); }
fnopts(A) ::= fnopts(A) READS(X) SQL DATA. { parse_fn_flag(ctx, &A, &X, PARSE_FN_READS_SQL_DATA); }
fnopts(A) ::= fnopts(A) MODIFIES(X) SQL DATA. { parse_fn_flag(ctx, &A, &X, PARSE_FN_MODIFIES_SQL_DATA); }
fnopts(A) ::= fnopts(A) RETURNS(X) NULL ON NULL INPUT. { parse_fn_flag(ctx, &A, &X, PARSE_FN_RETURNS_NULL); }
fnopts(A) ::= fnopts(A) CALLED(X) ON NULL INPUT. { parse_fn_flag(ctx, &A, &X, PARSE_FN_CALLED); }

/* ------------------------------------- sluice: inputs, outputs, files -- */

cmd(A) ::= CREATE(X) orrep(R) INPUT nm(N) FROM STREAM nm(S) parallel(P) format(F) COLUMNS LP incols(C) RP(Y) starting(ST). { A = parse_create_input(ctx, &X, R, &N, &S, &P, &F, &C, &Y, &ST); }
cmd(A) ::= CREATE(X) orrep(R) OUTPUT nm(N) FROM nm(S) TO STREAM nm(T) format(F). { A = parse_create_output(ctx, &X, R, &N, &S, &T, &F); }
cmd(A) ::= CREATE(X) orrep(R) REFERENCE TABLE nm(N) FROM FILE STRING(P) format(F) COLUMNS LP incols(C) RP(Y). { A = parse_create_reference(ctx, &X, R, &N, &P, &F, &C, &Y); }

%type parallel {parse_tok}
parallel(A) ::= . { A = parse_tok_none(); }
parallel(A) ::= PARALLELISM INTLIT(N). { A = N; }

%type format {parse_format}
format(A) ::= FORMAT(X) nm(K) fmtopts(O). { A = parse_format_make(ctx, &X, &K, &O); }

%type fmtopts {parse_fmt_opts}
fmtopts(A) ::= . { A = parse_fmt_opts_none(); }
fmtopts(A) ::= fmtopts(A) ROW(X) PATH STRING(S). { parse_fmt_opt(ctx, &A, &X, PARSE_FMT_ROW_PATH, &S); }
fmtopts(A) ::= fmtopts(A) ROW(X) DELIMITER STRING(S). { parse_fmt_opt(ctx, &A, &X, PARSE_FMT_ROW_DELIMITER, &S); }
fmtopts(A) ::= fmtopts(A) COLUMN(X) DELIMITER STRING(S). { parse_fmt_opt(ctx, &A, &X, PARSE_FMT_COLUMN_DELIMITER, &S); }

%type incols {parse_list}
incols(A) ::= incol(C). { A = parse_list_one(ctx, C); }
incols(A) ::= incols(A) COMMA incol(C). { parse_list_add(ctx, &A, C); }
%type incol {parse_input_column *}
incol(A) ::= nm(N) typename(T). { A = parse_input_column_make(ctx, &N, &T, NULL); }
incol(A) ::= nm(N) typename(T) PATH STRING(P). { A = parse_input_column_make(ctx, &N, &T, &P); }

%type starting {parse_tok}
starting(A) ::= . { A = parse_tok_none(); }
starting(A) ::= STARTING AT ID(N). { A = N; }
starting(A) ::= STARTING AT DTLIT(T). { A = T; }

/* ------------------------------------------- not in the KDA dialect -- */

cmd(A) ::= unsup_stmt. { A = NULL; }
unsup_stmt ::= DROP(X). { parse_unsupported(ctx, &X, "DROP", false); }
unsup_stmt ::= ALTER(X). { parse_unsupported(ctx, &X, "ALTER", false); }
unsup_stmt ::= DELETE(X). { parse_unsupported(ctx, &X, "DELETE", false); }
unsup_stmt ::= UPDATE(X). { parse_unsupported(ctx, &X, "UPDATE", false); }
unsup_stmt ::= MERGE(X). { parse_unsupported(ctx, &X, "MERGE", false); }
unsup_stmt ::= GRANT(X). { parse_unsupported(ctx, &X, "GRANT", false); }
unsup_stmt ::= REVOKE(X). { parse_unsupported(ctx, &X, "REVOKE", false); }
unsup_stmt ::= TRUNCATE(X). { parse_unsupported(ctx, &X, "TRUNCATE", false); }
unsup_stmt ::= SET(X). { parse_unsupported(ctx, &X, "SET", false); }
unsup_stmt ::= COMMIT(X). { parse_unsupported(ctx, &X, "COMMIT", false); }
unsup_stmt ::= ROLLBACK(X). { parse_unsupported(ctx, &X, "ROLLBACK", false); }
unsup_stmt ::= CALL(X). { parse_unsupported(ctx, &X, "CALL", false); }
cmd(A) ::= CREATE orrep unsup_create. { A = NULL; }
unsup_create ::= VIEW(X). { parse_unsupported(ctx, &X, "CREATE VIEW", false); }
unsup_create ::= TABLE(X). { parse_unsupported(ctx, &X, "CREATE TABLE", false); }
unsup_create ::= INDEX(X). { parse_unsupported(ctx, &X, "CREATE INDEX", false); }
unsup_create ::= SCHEMA(X). { parse_unsupported(ctx, &X, "CREATE SCHEMA", false); }
unsup_create ::= TRIGGER(X). { parse_unsupported(ctx, &X, "CREATE TRIGGER", false); }
unsup_create ::= PROCEDURE(X). { parse_unsupported(ctx, &X, "CREATE PROCEDURE", false); }
unsup_create ::= FOREIGN(X). { parse_unsupported(ctx, &X, "CREATE FOREIGN STREAM", true); }
unsup_create ::= SERVER(X). { parse_unsupported(ctx, &X, "CREATE SERVER", true); }
unsup_create ::= JAR(X). { parse_unsupported(ctx, &X, "CREATE JAR", true); }

/* ----------------------------------------------------------- queries -- */

%type query {parse_query *}
query(A) ::= qexpr(Q) orderby(O) limit. { A = parse_query_finish(ctx, Q, &O); }

%type qexpr {parse_query *}
qexpr(A) ::= qterm(A).
qexpr(A) ::= qexpr(L) UNION(X) setq(S) qterm(R). { A = parse_setop_make(ctx, &X, PARSE_SET_UNION, S, L, R); }
qexpr(A) ::= qexpr(L) EXCEPT(X) setq(S) qterm(R). { A = parse_setop_make(ctx, &X, PARSE_SET_EXCEPT, S, L, R); }
%type qterm {parse_query *}
qterm(A) ::= qprim(A).
qterm(A) ::= qterm(L) INTERSECT(X) setq(S) qprim(R). { A = parse_setop_make(ctx, &X, PARSE_SET_INTERSECT, S, L, R); }
%type qprim {parse_query *}
qprim(A) ::= select(A).
qprim(A) ::= values(A).
qprim(A) ::= LP(X) query(Q) RP(Y). { A = parse_query_parens(ctx, &X, Q, &Y); }

/* A subquery in an expression may not start with `(`: `((SELECT 1))` is a
 * parenthesised scalar subquery, never a parenthesised query. */
%type subq {parse_query *}
subq(A) ::= sqexpr(Q) orderby(O) limit. { A = parse_query_finish(ctx, Q, &O); }
%type sqexpr {parse_query *}
sqexpr(A) ::= sqterm(A).
sqexpr(A) ::= sqexpr(L) UNION(X) setq(S) qterm(R). { A = parse_setop_make(ctx, &X, PARSE_SET_UNION, S, L, R); }
sqexpr(A) ::= sqexpr(L) EXCEPT(X) setq(S) qterm(R). { A = parse_setop_make(ctx, &X, PARSE_SET_EXCEPT, S, L, R); }
%type sqterm {parse_query *}
sqterm(A) ::= sqprim(A).
sqterm(A) ::= sqterm(L) INTERSECT(X) setq(S) qprim(R). { A = parse_setop_make(ctx, &X, PARSE_SET_INTERSECT, S, L, R); }
%type sqprim {parse_query *}
sqprim(A) ::= select(A).
sqprim(A) ::= values(A).

%type setq {int}
setq(A) ::= . { A = PARSE_Q_NONE; }
setq(A) ::= ALL. { A = PARSE_Q_ALL; }
setq(A) ::= DISTINCT. { A = PARSE_Q_DISTINCT; }

%type orderby {parse_orderby}
orderby(A) ::= . { A = parse_orderby_none(); }
orderby(A) ::= ORDER(X) BY sortlist(L) within(W). { A = parse_orderby_make(ctx, &X, &L, W); }
%type within {parse_expr *}
within(A) ::= . { A = NULL; }
within(A) ::= WITHIN expr(E). { A = E; }

limit ::= .
limit ::= unsup_limit.
unsup_limit ::= LIMIT(X). { parse_unsupported(ctx, &X, "LIMIT", false); }
unsup_limit ::= OFFSET(X). { parse_unsupported(ctx, &X, "OFFSET", false); }
unsup_limit ::= FETCH(X). { parse_unsupported(ctx, &X, "FETCH", false); }

%type sortlist {parse_list}
sortlist(A) ::= sortitem(S). { A = parse_list_one(ctx, S); }
sortlist(A) ::= sortlist(A) COMMA sortitem(S). { parse_list_add(ctx, &A, S); }
%type sortitem {parse_order_item *}
sortitem(A) ::= expr(E). { A = parse_order_item_make(ctx, E, PARSE_SORT_NONE, NULL); }
sortitem(A) ::= expr(E) ASC(X). { A = parse_order_item_make(ctx, E, PARSE_SORT_ASC, &X); }
sortitem(A) ::= expr(E) DESC(X). { A = parse_order_item_make(ctx, E, PARSE_SORT_DESC, &X); }

%type values {parse_query *}
values(A) ::= VALUES(X) rows(R). { A = parse_values(ctx, &X, &R); }
%type rows {parse_list}
rows(A) ::= expr(E). { A = parse_list_one(ctx, E); }
rows(A) ::= rows(A) COMMA expr(E). { parse_list_add(ctx, &A, E); }

%type select {parse_query *}
select(A) ::= SELECT(X) stream(S) quant(Q) selitems(L) FROM from(F) where(W) groupby(G) having(H) windows(WN). { A = parse_select_make(ctx, &X, S, Q, &L, F, W, &G, H, &WN); }

%type stream {bool}
stream(A) ::= . { A = false; }
stream(A) ::= STREAM. { A = true; }
%type quant {int}
quant(A) ::= . { A = PARSE_Q_NONE; }
quant(A) ::= ALL. { A = PARSE_Q_ALL; }
quant(A) ::= DISTINCT. { A = PARSE_Q_DISTINCT; }

%type selitems {parse_list}
selitems(A) ::= selitem(S). { A = parse_list_one(ctx, S); }
selitems(A) ::= selitems(A) COMMA selitem(S). { parse_list_add(ctx, &A, S); }
%type selitem {parse_select_item *}
selitem(A) ::= expr(E) alias(N). { A = parse_select_item_make(ctx, E, &N); }
selitem(A) ::= STAR(X). { A = parse_select_star(ctx, NULL, &X); }
selitem(A) ::= colpath(P) DOT STAR(X). { A = parse_select_star(ctx, &P, &X); }

%type alias {parse_ident}
alias(A) ::= . { A = parse_ident_none(); }
alias(A) ::= AS nm(N). { A = N; }
alias(A) ::= AS ROWTIME(X). { A = parse_ident_tok(ctx, &X); }
alias(A) ::= nm(N). { A = N; }

%type where {parse_expr *}
where(A) ::= . { A = NULL; }
where(A) ::= WHERE expr(E). { A = E; }

%type groupby {parse_groupby}
groupby(A) ::= . { A = parse_groupby_none(); }
groupby(A) ::= GROUP BY glist(L). { A = parse_groupby_list(ctx, &L); }
groupby(A) ::= WINDOWED(X) BY STAGGER LP PARTITION BY exprlist(P) RANGE expr(R) RP(Y). { A = parse_groupby_stagger(ctx, &X, &P, R, &Y); }
%type glist {parse_list}
glist(A) ::= gitem(E). { A = parse_list_one(ctx, E); }
glist(A) ::= glist(A) COMMA gitem(E). { parse_list_add(ctx, &A, E); }
%type gitem {parse_expr *}
gitem(A) ::= expr(A).
gitem(A) ::= unsup_group. { A = NULL; }
unsup_group ::= ROLLUP(X). { parse_unsupported(ctx, &X, "ROLLUP", false); }
unsup_group ::= CUBE(X). { parse_unsupported(ctx, &X, "CUBE", false); }
unsup_group ::= GROUPING(X). { parse_unsupported(ctx, &X, "GROUPING SETS", false); }

%type having {parse_expr *}
having(A) ::= . { A = NULL; }
having(A) ::= HAVING expr(E). { A = E; }

%type windows {parse_list}
windows(A) ::= . { A = parse_list_none(); }
windows(A) ::= WINDOW wdefs(L). { A = L; }
%type wdefs {parse_list}
wdefs(A) ::= wdef(W). { A = parse_list_one(ctx, W); }
wdefs(A) ::= wdefs(A) COMMA wdef(W). { parse_list_add(ctx, &A, W); }
%type wdef {parse_window *}
wdef(A) ::= nm(N) AS LP wbody(W) RP(Y). { A = parse_window_named(ctx, &N, W, &Y); }

/* ----------------------------------------------------------- windows -- */

%type wbody {parse_window *}
wbody(A) ::= wbase(B) wpart(P) worder(O) wframe(F). { A = parse_window_make(ctx, &B, &P, &O, &F); }
%type wbase {parse_ident}
wbase(A) ::= . { A = parse_ident_none(); }
wbase(A) ::= nm(A).
%type wpart {parse_list}
wpart(A) ::= . { A = parse_list_none(); }
wpart(A) ::= PARTITION BY exprlist(L). { A = L; }
%type worder {parse_list}
worder(A) ::= . { A = parse_list_none(); }
worder(A) ::= ORDER BY sortlist(L). { A = L; }
%type wframe {parse_frame}
wframe(A) ::= . { A = parse_frame_none(); }
wframe(A) ::= ROWS(X) bound(S). { A = parse_frame_make(ctx, &X, PARSE_FRAME_ROWS, &S, NULL); }
wframe(A) ::= RANGE(X) bound(S). { A = parse_frame_make(ctx, &X, PARSE_FRAME_RANGE, &S, NULL); }
wframe(A) ::= ROWS(X) BETWEEN bound(S) AND bound(E). { A = parse_frame_make(ctx, &X, PARSE_FRAME_ROWS, &S, &E); }
wframe(A) ::= RANGE(X) BETWEEN bound(S) AND bound(E). { A = parse_frame_make(ctx, &X, PARSE_FRAME_RANGE, &S, &E); }
%type bound {parse_bound}
bound(A) ::= UNBOUNDED(X) PRECEDING(Y). { A = parse_bound_make(ctx, &X, PARSE_BOUND_UNBOUNDED_PRECEDING, NULL, &Y); }
bound(A) ::= UNBOUNDED(X) FOLLOWING(Y). { A = parse_bound_make(ctx, &X, PARSE_BOUND_UNBOUNDED_FOLLOWING, NULL, &Y); }
bound(A) ::= CURRENT(X) ROW(Y). { A = parse_bound_make(ctx, &X, PARSE_BOUND_CURRENT_ROW, NULL, &Y); }
bound(A) ::= expr(E) PRECEDING(Y). { A = parse_bound_make(ctx, NULL, PARSE_BOUND_PRECEDING, E, &Y); }
bound(A) ::= expr(E) FOLLOWING(Y). { A = parse_bound_make(ctx, NULL, PARSE_BOUND_FOLLOWING, E, &Y); }

%type over {parse_window *}
over(A) ::= . { A = NULL; }
over(A) ::= OVER(X) nm(N). { A = parse_window_ref(ctx, &X, &N); }
over(A) ::= OVER(X) LP wbody(W) RP(Y). { A = parse_window_parens(ctx, &X, W, &Y); }

/* -------------------------------------------------------------- FROM -- */

%type from {parse_from *}
from(A) ::= fitem(A).
from(A) ::= from(L) COMMA fitem(R). { A = parse_join_make(ctx, PARSE_JOIN_COMMA, 0, L, R, NULL); }

%type fitem {parse_from *}
fitem(A) ::= tref(A).
fitem(A) ::= fitem(L) jointype(J) JOIN tref(R) joincond(C). { A = parse_join_make(ctx, J.kind, J.flags, L, R, &C); }
fitem(A) ::= fitem(L) CROSS JOIN tref(R). { A = parse_join_make(ctx, PARSE_JOIN_CROSS, 0, L, R, NULL); }
fitem(A) ::= fitem(L) NATURAL jointype(J) JOIN tref(R). { A = parse_join_make(ctx, J.kind, J.flags | PARSE_JF_NATURAL, L, R, NULL); }
fitem(A) ::= fitem unsup_from. { A = NULL; }
unsup_from ::= MATCH_RECOGNIZE(X). { parse_unsupported(ctx, &X, "MATCH_RECOGNIZE", false); }

%type jointype {parse_jointype}
jointype(A) ::= . { A = parse_jointype_make(PARSE_JOIN_INNER, 0); }
jointype(A) ::= INNER. { A = parse_jointype_make(PARSE_JOIN_INNER, PARSE_JF_INNER); }
jointype(A) ::= LEFT. { A = parse_jointype_make(PARSE_JOIN_LEFT, 0); }
jointype(A) ::= LEFT OUTER. { A = parse_jointype_make(PARSE_JOIN_LEFT, PARSE_JF_OUTER); }
jointype(A) ::= RIGHT. { A = parse_jointype_make(PARSE_JOIN_RIGHT, 0); }
jointype(A) ::= RIGHT OUTER. { A = parse_jointype_make(PARSE_JOIN_RIGHT, PARSE_JF_OUTER); }
jointype(A) ::= FULL. { A = parse_jointype_make(PARSE_JOIN_FULL, 0); }
jointype(A) ::= FULL OUTER. { A = parse_jointype_make(PARSE_JOIN_FULL, PARSE_JF_OUTER); }
jointype(A) ::= OUTER(X). { A = parse_jointype_make(PARSE_JOIN_INNER, 0); parse_outer_alone(ctx, &X); }

%type joincond {parse_joincond}
joincond(A) ::= . { A = parse_joincond_none(); }
joincond(A) ::= ON expr(E). { A = parse_joincond_on(E); }
joincond(A) ::= USING LP idlist(L) RP(Y). { A = parse_joincond_using(&L, &Y); }

%type tref {parse_from *}
tref(A) ::= nm(N) towin(W) talias(T). { A = parse_from_stream(ctx, &N, W, &T); }
tref(A) ::= LP(X) query(Q) RP(Y) talias(T). { A = parse_from_subquery(ctx, &X, Q, &Y, &T); }
tref(A) ::= TABLE(X) LP call(C) RP(Y) talias(T). { A = parse_from_table_func(ctx, &X, C, &Y, &T); }

%type towin {parse_window *}
towin(A) ::= . { A = NULL; }
towin(A) ::= OVER(X) nm(N). { A = parse_window_ref(ctx, &X, &N); }
towin(A) ::= OVER(X) LP wbody(W) RP(Y). { A = parse_window_parens(ctx, &X, W, &Y); }

%type talias {parse_talias}
talias(A) ::= . { A = parse_talias_none(); }
talias(A) ::= AS nm(N). { A = parse_talias_make(&N, NULL, NULL); }
talias(A) ::= AS nm(N) LP idlist(L) RP(Y). { A = parse_talias_make(&N, &L, &Y); }
talias(A) ::= nm(N). { A = parse_talias_make(&N, NULL, NULL); }
talias(A) ::= nm(N) LP idlist(L) RP(Y). { A = parse_talias_make(&N, &L, &Y); }

/* -------------------------------------------------------- identifiers -- */

%type nm {parse_ident}
nm(A) ::= ID(X). { A = parse_ident_tok(ctx, &X); }
nm(A) ::= QID(X). { A = parse_ident_tok(ctx, &X); }

%type idlist {parse_ident_list}
idlist(A) ::= nm(N). { A = parse_idlist_one(ctx, &N); }
idlist(A) ::= idlist(A) COMMA nm(N). { parse_idlist_add(ctx, &A, &N); }

%type colpath {parse_list}
colpath(A) ::= colpart(P). { A = parse_list_one(ctx, parse_ident_copy(ctx, &P)); }
colpath(A) ::= colpath(A) DOT colpart(P). { parse_list_add(ctx, &A, parse_ident_copy(ctx, &P)); }
%type colpart {parse_ident}
colpart(A) ::= nm(A).
colpart(A) ::= ROWTIME(X). { A = parse_ident_tok(ctx, &X); }

/* ------------------------------------------------------------- types -- */

%type typename {parse_typeloc}
typename(A) ::= BOOLEAN(X). { A = parse_type_simple(ctx, &X, CORE_T_BOOLEAN); }
typename(A) ::= TINYINT(X). { A = parse_type_simple(ctx, &X, CORE_T_TINYINT); }
typename(A) ::= SMALLINT(X). { A = parse_type_simple(ctx, &X, CORE_T_SMALLINT); }
typename(A) ::= INTEGER(X). { A = parse_type_simple(ctx, &X, CORE_T_INTEGER); }
typename(A) ::= INT(X). { A = parse_type_simple(ctx, &X, CORE_T_INTEGER); }
typename(A) ::= BIGINT(X). { A = parse_type_simple(ctx, &X, CORE_T_BIGINT); }
typename(A) ::= REAL(X). { A = parse_type_simple(ctx, &X, CORE_T_REAL); }
typename(A) ::= DOUBLE(X). { A = parse_type_simple(ctx, &X, CORE_T_DOUBLE); }
typename(A) ::= DOUBLE(X) PRECISION(Y). { A = parse_type_simple2(ctx, &X, &Y, CORE_T_DOUBLE); }
typename(A) ::= FLOAT(X). { A = parse_type_simple(ctx, &X, CORE_T_DOUBLE); }
typename(A) ::= DATE(X). { A = parse_type_simple(ctx, &X, CORE_T_DATE); }
typename(A) ::= TIME(X). { A = parse_type_simple(ctx, &X, CORE_T_TIME); }
typename(A) ::= TIMESTAMP(X). { A = parse_type_simple(ctx, &X, CORE_T_TIMESTAMP); }
typename(A) ::= deckw(X). { A = parse_type_decimal(ctx, &X, NULL, NULL, &X); }
typename(A) ::= deckw(X) LP INTLIT(P) RP(Y). { A = parse_type_decimal(ctx, &X, &P, NULL, &Y); }
typename(A) ::= deckw(X) LP INTLIT(P) COMMA INTLIT(S) RP(Y). { A = parse_type_decimal(ctx, &X, &P, &S, &Y); }
typename(A) ::= charkw(X). { A = parse_type_length(ctx, &X, CORE_T_CHAR, NULL, &X); }
typename(A) ::= charkw(X) LP INTLIT(N) RP(Y). { A = parse_type_length(ctx, &X, CORE_T_CHAR, &N, &Y); }
typename(A) ::= varcharkw(X). { A = parse_type_length(ctx, &X, CORE_T_VARCHAR, NULL, &X); }
typename(A) ::= varcharkw(X) LP INTLIT(N) RP(Y). { A = parse_type_length(ctx, &X, CORE_T_VARCHAR, &N, &Y); }
typename(A) ::= BINARY(X). { A = parse_type_length(ctx, &X, CORE_T_BINARY, NULL, &X); }
typename(A) ::= BINARY(X) LP INTLIT(N) RP(Y). { A = parse_type_length(ctx, &X, CORE_T_BINARY, &N, &Y); }
typename(A) ::= VARBINARY(X). { A = parse_type_length(ctx, &X, CORE_T_VARBINARY, NULL, &X); }
typename(A) ::= VARBINARY(X) LP INTLIT(N) RP(Y). { A = parse_type_length(ctx, &X, CORE_T_VARBINARY, &N, &Y); }
typename(A) ::= INTERVAL(X) iqual(Q). { A = parse_type_interval(ctx, &X, &Q); }

%type deckw {parse_tok}
deckw(A) ::= DECIMAL(A).
deckw(A) ::= DEC(A).
deckw(A) ::= NUMERIC(A).
%type charkw {parse_tok}
charkw(A) ::= CHAR(A).
charkw(A) ::= CHARACTER(A).
%type varcharkw {parse_tok}
varcharkw(A) ::= VARCHAR(A).
varcharkw(A) ::= CHARACTER(A) VARYING(Y). { A.len = Y.off + Y.len - A.off; }
varcharkw(A) ::= CHAR(A) VARYING(Y). { A.len = Y.off + Y.len - A.off; }

/* An interval qualifier: YEAR(2) TO MONTH, DAY TO SECOND(3), SECOND(2,3) ... */
%type iqual {parse_typeloc}
iqual(A) ::= ifield(S) iprec(P). [TO] { A = parse_iqual(ctx, &S, &P, NULL, NULL); }
iqual(A) ::= ifield(S) iprec(P) TO ifield(E) iprec(F). { A = parse_iqual(ctx, &S, &P, &E, &F); }
%type ifield {parse_tok}
ifield(A) ::= YEAR(A).
ifield(A) ::= MONTH(A).
ifield(A) ::= DAY(A).
ifield(A) ::= HOUR(A).
ifield(A) ::= MINUTE(A).
ifield(A) ::= SECOND(A).
%type iprec {parse_iprec}
iprec(A) ::= . { A = parse_iprec_none(); }
iprec(A) ::= LP(X) INTLIT(P) RP(Y). { A = parse_iprec_make(&X, &P, NULL, &Y); }
iprec(A) ::= LP(X) INTLIT(P) COMMA INTLIT(S) RP(Y). { A = parse_iprec_make(&X, &P, &S, &Y); }

/* ------------------------------------------------------- expressions -- */

%type expr {parse_expr *}
expr(A) ::= literal(A).
expr(A) ::= colpath(P). { A = parse_column(ctx, &P); }
expr(A) ::= LP(X) expr(E) RP(Y). { A = parse_parens(ctx, &X, E, &Y); }
expr(A) ::= LP(X) expr(E) COMMA exprlist(L) RP(Y). { A = parse_row(ctx, &X, E, &L, &Y, 0); }
expr(A) ::= ROW(X) LP exprlist(L) RP(Y). { A = parse_row(ctx, &X, NULL, &L, &Y, 1); }
expr(A) ::= LP(X) subq(Q) RP(Y). [UNARY] { A = parse_subquery(ctx, PARSE_E_SUBQUERY, &X, Q, &Y); }
expr(A) ::= LP(X) expr(E) RP iqual(Q). { A = parse_datetime_diff(ctx, &X, E, &Q); }
expr(A) ::= EXISTS(X) LP query(Q) RP(Y). { A = parse_subquery(ctx, PARSE_E_EXISTS, &X, Q, &Y); }
expr(A) ::= CURSOR(X) LP query(Q) RP(Y). { A = parse_subquery(ctx, PARSE_E_CURSOR, &X, Q, &Y); }
expr(A) ::= call(C) nthfrom(F) nulltreat(N) over(W). { A = parse_call_finish(ctx, C, F, &N, W); }
expr(A) ::= call unsup_filter. { A = NULL; }
unsup_filter ::= FILTER(X). { parse_unsupported(ctx, &X, "FILTER", false); }
expr(A) ::= NILADIC(X). { A = parse_call_niladic(ctx, &X); }
expr(A) ::= CAST(X) LP expr(E) AS typename(T) RP(Y). { A = parse_cast(ctx, &X, E, &T, &Y); }
expr(A) ::= EXTRACT(X) LP ifield(U) FROM expr(E) RP(Y). { A = parse_call_unit(ctx, &X, PARSE_CALL_EXTRACT, &U, E, &Y); }
expr(A) ::= floorkw(X) LP expr(E) TO ifield(U) RP(Y). { A = parse_call_unit(ctx, &X, PARSE_CALL_TO_UNIT, &U, E, &Y); }
expr(A) ::= floorkw(X) LP exprlist(L) RP(Y). { A = parse_call_special(ctx, &X, PARSE_CALL_PLAIN, &L, &Y); }
expr(A) ::= STEP(X) LP expr(E) BY expr(I) RP(Y). { A = parse_call2(ctx, &X, PARSE_CALL_STEP, E, I, NULL, NULL, &Y); }
expr(A) ::= POSITION(X) LP expr(E) IN expr(S) RP(Y). { A = parse_call2(ctx, &X, PARSE_CALL_POSITION, E, S, NULL, NULL, &Y); }
expr(A) ::= SUBSTRING(X) LP expr(S) FROM expr(I) RP(Y). { A = parse_call2(ctx, &X, PARSE_CALL_FROM_FOR, S, I, NULL, NULL, &Y); }
expr(A) ::= SUBSTRING(X) LP expr(S) FROM expr(I) FOR expr(N) RP(Y). { A = parse_call2(ctx, &X, PARSE_CALL_FROM_FOR, S, I, N, NULL, &Y); }
expr(A) ::= SUBSTRING(X) LP exprlist(L) RP(Y). { A = parse_call_special(ctx, &X, PARSE_CALL_PLAIN, &L, &Y); }
expr(A) ::= OVERLAY(X) LP expr(S) PLACING expr(R) FROM expr(I) RP(Y). { A = parse_call2(ctx, &X, PARSE_CALL_OVERLAY, S, R, I, NULL, &Y); }
expr(A) ::= OVERLAY(X) LP expr(S) PLACING expr(R) FROM expr(I) FOR expr(N) RP(Y). { A = parse_call2(ctx, &X, PARSE_CALL_OVERLAY, S, R, I, N, &Y); }
expr(A) ::= TRIM(X) LP trimspec(T) expr(C) FROM expr(S) RP(Y). { A = parse_trim(ctx, &X, T, C, S, &Y); }
expr(A) ::= TRIM(X) LP trimspec(T) FROM expr(S) RP(Y). { A = parse_trim(ctx, &X, T, NULL, S, &Y); }
expr(A) ::= TRIM(X) LP expr(C) FROM expr(S) RP(Y). { A = parse_trim(ctx, &X, PARSE_TRIM_BOTH, C, S, &Y); }
expr(A) ::= TRIM(X) LP FROM expr(S) RP(Y). { A = parse_trim(ctx, &X, PARSE_TRIM_BOTH, NULL, S, &Y); }
expr(A) ::= TRIM(X) LP exprlist(L) RP(Y). { A = parse_call_special(ctx, &X, PARSE_CALL_PLAIN, &L, &Y); }
expr(A) ::= CASE(X) caseop(O) whens(W) caseelse(E) END(Y). { A = parse_case(ctx, &X, O, &W, E, &Y); }

%type floorkw {parse_tok}
floorkw(A) ::= FLOOR(A).
floorkw(A) ::= CEIL(A).
floorkw(A) ::= CEILING(A).
%type trimspec {int}
trimspec(A) ::= BOTH. { A = PARSE_TRIM_BOTH; }
trimspec(A) ::= LEADING. { A = PARSE_TRIM_LEADING; }
trimspec(A) ::= TRAILING. { A = PARSE_TRIM_TRAILING; }

%type caseop {parse_expr *}
caseop(A) ::= . { A = NULL; }
caseop(A) ::= expr(A).
%type whens {parse_list}
whens(A) ::= when(W). { A = parse_list_one(ctx, W); }
whens(A) ::= whens(A) when(W). { parse_list_add(ctx, &A, W); }
%type when {parse_when *}
when(A) ::= WHEN(X) expr(C) THEN expr(R). { A = parse_when_make(ctx, &X, C, R); }
%type caseelse {parse_expr *}
caseelse(A) ::= . { A = NULL; }
caseelse(A) ::= ELSE expr(E). { A = E; }

/* A function call; `over` and null treatment are added by the expr rule. */
%type call {parse_expr *}
call(A) ::= fname(N) LP RP(Y). { A = parse_call(ctx, &N, PARSE_Q_NONE, NULL, false, &Y); }
call(A) ::= fname(N) LP STAR RP(Y). { A = parse_call(ctx, &N, PARSE_Q_NONE, NULL, true, &Y); }
call(A) ::= fname(N) LP exprlist(L) RP(Y). { A = parse_call(ctx, &N, PARSE_Q_NONE, &L, false, &Y); }
call(A) ::= fname(N) LP ALL exprlist(L) RP(Y). { A = parse_call(ctx, &N, PARSE_Q_ALL, &L, false, &Y); }
call(A) ::= fname(N) LP DISTINCT exprlist(L) RP(Y). { A = parse_call(ctx, &N, PARSE_Q_DISTINCT, &L, false, &Y); }
%type fname {parse_ident}
fname(A) ::= nm(A).
fname(A) ::= FUNCKW(X). { A = parse_ident_tok(ctx, &X); }

/* FROM_FIRST and FROM_LAST are made by the driver from FROM FIRST / FROM LAST
 * after a call and before OVER, IGNORE or RESPECT (see parse.c). */
%type nthfrom {int}
nthfrom(A) ::= . { A = PARSE_NTH_NONE; }
nthfrom(A) ::= FROM_FIRST. { A = PARSE_NTH_FIRST; }
nthfrom(A) ::= FROM_LAST. { A = PARSE_NTH_LAST; }

%type nulltreat {int}
nulltreat(A) ::= . { A = PARSE_NULLS_NONE; }
nulltreat(A) ::= IGNORE NULLS. { A = PARSE_NULLS_IGNORE; }
nulltreat(A) ::= RESPECT NULLS. { A = PARSE_NULLS_RESPECT; }

%type exprlist {parse_list}
exprlist(A) ::= expr(E). [POSLOW] { A = parse_list_one(ctx, E); }
exprlist(A) ::= exprlist(A) COMMA expr(E). { parse_list_add(ctx, &A, E); }

%type literal {parse_expr *}
literal(A) ::= INTLIT(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= NUMLIT(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= STRING(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= BINSTR(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= DTLIT(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= IVLIT(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= NULL(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= TRUE(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= FALSE(X). { A = parse_literal_tok(ctx, &X); }
literal(A) ::= UNKNOWN(X). { A = parse_literal_tok(ctx, &X); }

/* Operators, loosest first (the %left/%right lines above give the levels). */
expr(A) ::= expr(L) OR expr(R). { A = parse_binary(ctx, PARSE_OP_OR, L, R); }
expr(A) ::= expr(L) AND expr(R). { A = parse_binary(ctx, PARSE_OP_AND, L, R); }
expr(A) ::= NOT(X) expr(E). { A = parse_unary(ctx, &X, PARSE_OP_NOT, E); }
expr(A) ::= expr(E) IS isnot(N) NULL(Y). { A = parse_is(ctx, E, N, PARSE_IS_NULL, &Y); }
expr(A) ::= expr(E) IS isnot(N) TRUE(Y). { A = parse_is(ctx, E, N, PARSE_IS_TRUE, &Y); }
expr(A) ::= expr(E) IS isnot(N) FALSE(Y). { A = parse_is(ctx, E, N, PARSE_IS_FALSE, &Y); }
expr(A) ::= expr(E) IS isnot(N) UNKNOWN(Y). { A = parse_is(ctx, E, N, PARSE_IS_UNKNOWN, &Y); }
expr(A) ::= expr(L) IS isnot(N) DISTINCT FROM expr(R). [IS] { A = parse_binary(ctx, N ? PARSE_OP_IS_NOT_DISTINCT : PARSE_OP_IS_DISTINCT, L, R); }
%type isnot {bool}
isnot(A) ::= . { A = false; }
isnot(A) ::= NOT. { A = true; }

expr(A) ::= expr(L) EQ expr(R). { A = parse_binary(ctx, PARSE_OP_EQ, L, R); }
expr(A) ::= expr(L) NE expr(R). { A = parse_binary(ctx, PARSE_OP_NE, L, R); }
expr(A) ::= expr(L) LT expr(R). { A = parse_binary(ctx, PARSE_OP_LT, L, R); }
expr(A) ::= expr(L) LE expr(R). { A = parse_binary(ctx, PARSE_OP_LE, L, R); }
expr(A) ::= expr(L) GT expr(R). { A = parse_binary(ctx, PARSE_OP_GT, L, R); }
expr(A) ::= expr(L) GE expr(R). { A = parse_binary(ctx, PARSE_OP_GE, L, R); }

expr(A) ::= expr(L) ppop(P) expr(R). [OVERLAPS] { A = parse_period_pred(ctx, &P, L, R); }
%type ppop {parse_ppop}
ppop(A) ::= OVERLAPS(X). { A = parse_ppop_make(&X, PARSE_PP_OVERLAPS, 0); }
ppop(A) ::= EQUALS(X). { A = parse_ppop_make(&X, PARSE_PP_EQUALS, 0); }
ppop(A) ::= CONTAINS(X). { A = parse_ppop_make(&X, PARSE_PP_CONTAINS, 0); }
ppop(A) ::= PRECEDES(X). { A = parse_ppop_make(&X, PARSE_PP_PRECEDES, 0); }
ppop(A) ::= SUCCEEDS(X). { A = parse_ppop_make(&X, PARSE_PP_SUCCEEDS, 0); }
ppop(A) ::= LEADS(X). { A = parse_ppop_make(&X, PARSE_PP_LEADS, 0); }
ppop(A) ::= LAGS(X). { A = parse_ppop_make(&X, PARSE_PP_LAGS, 0); }
ppop(A) ::= STRICTLY ppop(P). { A = P; A.strictly = true; }
ppop(A) ::= IMMEDIATELY ppop(P). { A = P; A.immediately = true; }

expr(A) ::= expr(E) BETWEEN sym(S) expr(L) AND expr(H). [BETWEEN] { A = parse_between(ctx, E, false, S, L, H); }
expr(A) ::= expr(E) NOT BETWEEN sym(S) expr(L) AND expr(H). [BETWEEN] { A = parse_between(ctx, E, true, S, L, H); }
%type sym {int}
sym(A) ::= . { A = 0; }
sym(A) ::= SYMMETRIC. { A = 1; }
sym(A) ::= ASYMMETRIC. { A = 2; }

expr(A) ::= expr(E) IN LP exprlist(L) RP(Y). [IN] { A = parse_in_list(ctx, E, false, &L, &Y); }
expr(A) ::= expr(E) NOT IN LP exprlist(L) RP(Y). [IN] { A = parse_in_list(ctx, E, true, &L, &Y); }
expr(A) ::= expr(E) IN LP subq(Q) RP(Y). [IN] { A = parse_in_query(ctx, E, false, Q, &Y); }
expr(A) ::= expr(E) NOT IN LP subq(Q) RP(Y). [IN] { A = parse_in_query(ctx, E, true, Q, &Y); }

expr(A) ::= expr(E) likeop(K) expr(P). [LIKE] { A = parse_like(ctx, E, K, P, NULL); }
expr(A) ::= expr(E) likeop(K) expr(P) ESCAPE expr(C). [LIKE] { A = parse_like(ctx, E, K, P, C); }
%type likeop {int}
likeop(A) ::= LIKE. { A = 0; }
likeop(A) ::= NOT LIKE. { A = 1; }
likeop(A) ::= SIMILAR TO. { A = 2; }
likeop(A) ::= NOT SIMILAR TO. { A = 3; }

expr(A) ::= expr(L) CONCAT expr(R). { A = parse_binary(ctx, PARSE_OP_CONCAT, L, R); }
expr(A) ::= expr(L) PLUS expr(R). { A = parse_binary(ctx, PARSE_OP_ADD, L, R); }
expr(A) ::= expr(L) MINUS expr(R). { A = parse_binary(ctx, PARSE_OP_SUB, L, R); }
expr(A) ::= expr(L) STAR expr(R). { A = parse_binary(ctx, PARSE_OP_MUL, L, R); }
expr(A) ::= expr(L) SLASH expr(R). { A = parse_binary(ctx, PARSE_OP_DIV, L, R); }
expr(A) ::= expr(L) PERCENT expr(R). { A = parse_binary(ctx, PARSE_OP_MOD, L, R); }
expr(A) ::= MINUS(X) expr(E). [UNARY] { A = parse_unary(ctx, &X, PARSE_OP_NEG, E); }
expr(A) ::= PLUS(X) expr(E). [UNARY] { A = parse_unary(ctx, &X, PARSE_OP_PLUS, E); }

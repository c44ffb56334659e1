/*
 * build.c — from a bound query (planner.h) to a chain of operators (exec.h).
 *
 * A query becomes a pipeline in the push model:
 *
 *   inputs -> [join | union | subquery] -> filter (WHERE)
 *          -> GROUP BY / STAGGER:  project(keys, aggregate arguments) -> tumble | stagger
 *                                  -> filter (HAVING)
 *          -> OVER windows:        project(pass-through, partitions, arguments) -> slide...
 *          -> project(select list [, ROWTIME])  -> [sort]  -> (INSERT) project(target columns)
 *
 * Between stages a layout says which column of the batch holds each bound
 * expression: a leaf relation's columns at a base offset, expressions mapped by
 * identity (synthetic nodes, aggregate calls) or by their printed text (GROUP BY
 * keys repeated in the select list are different nodes with the same text).
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

/* ------------------------------------------------------------- layouts -- */

typedef struct map_ent {
  const plan_expr *e; /* identity match, or NULL */
  const char *text;   /* printed-text match, or NULL */
  int col;
} map_ent;

typedef struct leaf_map {
  const plan_rel *rel;
  int base;        /* first column of the leaf in the batch */
  int rowtime_col; /* column holding the leaf's ROWTIME, -1: the batch's rowtime */
} leaf_map;

typedef struct layout {
  map_ent *ents;
  int n, cap;
  leaf_map *leaves;
  int nleaves, capleaves;
  core_arena *arena;
} layout;

typedef struct builder {
  exec_ctx *ctx;
  const exec_build_env *env;
  core_arena *arena;
  exec_chain *chain;
  core_error *err;
} builder;

/* A pipeline under construction: where its batches come from and their columns. */
typedef struct node {
  exec_op *tail; /* last operator, or NULL: the input `input` feeds the next stage */
  int input;
  int ncols;
  core_type *types;
  layout lay;
} node;

static int oom(builder *B) {
  return core_error_set(B->err, SLUICE_NOMEM, "out of memory");
}

static int grow(core_arena *a, void **p, int *cap, int need, size_t size) {
  if (need <= *cap) return SLUICE_OK;
  int ncap = *cap ? *cap * 2 : 8;
  while (ncap < need) ncap *= 2;
  void *np = core_arena_alloc(a, (size_t)ncap * size);
  if (!np) return SLUICE_NOMEM;
  if (*p) memcpy(np, *p, (size_t)*cap * size);
  *p = np;
  *cap = ncap;
  return SLUICE_OK;
}

static int lay_add(layout *l, const plan_expr *e, const char *text, int col) {
  if (grow(l->arena, (void **)&l->ents, &l->cap, l->n + 1, sizeof *l->ents)) return SLUICE_NOMEM;
  l->ents[l->n++] = (map_ent){e, text, col};
  return SLUICE_OK;
}

static int lay_leaf(layout *l, const plan_rel *rel, int base, int rowtime_col) {
  if (grow(l->arena, (void **)&l->leaves, &l->capleaves, l->nleaves + 1, sizeof *l->leaves))
    return SLUICE_NOMEM;
  l->leaves[l->nleaves++] = (leaf_map){rel, base, rowtime_col};
  return SLUICE_OK;
}

static const leaf_map *lay_find_leaf(const layout *l, const plan_rel *rel) {
  for (int i = 0; i < l->nleaves; i++)
    if (l->leaves[i].rel == rel) return &l->leaves[i];
  return NULL;
}

static int lay_find(void *arg, const plan_expr *e) {
  layout *l = arg;
  const char *text = NULL;
  for (int i = 0; i < l->n; i++) {
    if (l->ents[i].e == e) return l->ents[i].col;
    if (l->ents[i].text) {
      if (!text) text = plan_print_expr(l->arena, e);
      if (text && strcmp(text, l->ents[i].text) == 0) return l->ents[i].col;
    }
  }
  if (e->kind == PLAN_E_COLUMN && e->u.column.level == 0) {
    const leaf_map *m = lay_find_leaf(l, e->u.column.rel);
    if (m) return m->base + e->u.column.index;
  }
  if (e->kind == PLAN_E_ROWTIME && e->u.rowtime.level == 0 && e->u.rowtime.rel) {
    const leaf_map *m = lay_find_leaf(l, e->u.rowtime.rel);
    if (m && m->rowtime_col >= 0) return m->rowtime_col;
  }
  return -1;
}

static int compile(builder *B, layout *l, const plan_expr *e, exec_expr **out) {
  exec_layout el = {lay_find, l};
  return exec_expr_compile(e, &el, B->arena, out, B->err);
}

/* ---------------------------------------------------- synthetic nodes -- */

/* A node that only a layout entry gives a value: loads column `col`. */
static plan_expr *col_ref(builder *B, layout *l, core_type t, int col) {
  plan_expr *e = core_arena_zalloc(B->arena, sizeof *e);
  if (!e) return NULL;
  e->kind = PLAN_E_COLUMN; /* never resolved through a leaf: the layout maps it by identity */
  e->type = t;
  if (lay_add(l, e, NULL, col)) return NULL;
  return e;
}

static plan_expr *rowtime_ref(builder *B) {
  plan_expr *e = core_arena_zalloc(B->arena, sizeof *e);
  if (!e) return NULL;
  e->kind = PLAN_E_ROWTIME;
  e->type = (core_type){.id = CORE_T_TIMESTAMP, .not_null = 1};
  e->rowtime_based = true;
  return e;
}

static plan_expr *cast_to(builder *B, plan_expr *arg, core_type t) {
  plan_expr *e = core_arena_zalloc(B->arena, sizeof *e);
  if (!e) return NULL;
  e->kind = PLAN_E_CAST;
  e->type = t;
  e->src = arg->src;
  e->u.cast.arg = arg;
  return e;
}

static plan_expr *null_of(builder *B, core_type t) {
  plan_expr *e = core_arena_zalloc(B->arena, sizeof *e);
  if (!e) return NULL;
  e->kind = PLAN_E_LITERAL;
  t.not_null = 0;
  e->type = t;
  e->constant = true;
  e->u.value.type = t;
  e->u.value.is_null = true;
  return e;
}

/* -------------------------------------------------------------- chains -- */

static int chain_add_op(builder *B, exec_op *op) {
  exec_chain *c = B->chain;
  if (grow(B->arena, (void **)&c->ops, &c->capops, c->nops + 1, sizeof *c->ops)) {
    exec_op_free(op);
    return oom(B);
  }
  c->ops[c->nops++] = op;
  return SLUICE_OK;
}

/* Sends n's batches to (op, port). */
static void node_connect(builder *B, const node *n, exec_op *op, int port) {
  if (n->tail) {
    n->tail->next = op;
    n->tail->next_port = port;
  } else {
    B->chain->inputs[n->input].op = op;
    B->chain->inputs[n->input].port = port;
  }
}

/* Appends op after n (op was just made by a constructor; NULL means it failed). */
static int node_then(builder *B, node *n, exec_op *op) {
  if (!op) return B->err->code ? B->err->code : oom(B);
  int rc = chain_add_op(B, op);
  if (rc) return rc;
  node_connect(B, n, op, 0);
  n->tail = op;
  return SLUICE_OK;
}

static int node_init(builder *B, node *n) {
  memset(n, 0, sizeof *n);
  n->input = -1;
  n->lay.arena = B->arena;
  return SLUICE_OK;
}

/* A projection stage: n's batches -> the given programs. The new layout is empty: the
 * caller describes the new columns. */
static int node_project(builder *B, node *n, exec_expr **xs, int nx, exec_expr *rowtime) {
  exec_op *op = exec_project_new(B->ctx, xs, nx, rowtime, B->err);
  int rc = node_then(B, n, op);
  if (rc) return rc;
  n->ncols = nx;
  n->types = core_arena_alloc(B->arena, sizeof(core_type) * (size_t)(nx ? nx : 1));
  if (!n->types) return oom(B);
  for (int i = 0; i < nx; i++) n->types[i] = exec_expr_type(xs[i]);
  n->lay.n = 0;
  n->lay.nleaves = 0;
  return SLUICE_OK;
}

/* Batches a chain owns outside its operators (key_of_time's), freed with the chain by an
 * operator that is never connected. */
typedef struct holder {
  exec_op op;
  core_batch *b;
} holder;

static void holder_free(exec_op *op) {
  holder *h = (holder *)op;
  core_batch_free(h->b);
  free(h);
}

static int hold(builder *B, core_batch *b) {
  if (!b) return oom(B);
  holder *h = calloc(1, sizeof *h);
  if (!h) {
    core_batch_free(b);
    return oom(B);
  }
  h->op.name = "holder";
  h->op.free = holder_free;
  h->b = b;
  return chain_add_op(B, &h->op);
}

/* ------------------------------------------------------- tree walking -- */

typedef int (*visit_fn)(void *arg, plan_expr *e); /* > 0: do not descend; < 0: stop */

static int walk(plan_expr *e, visit_fn fn, void *arg) {
  if (!e) return 0;
  int r = fn(arg, e);
  if (r < 0) return r;
  if (r > 0) return 0;
#define W(x)                                                                                       \
  do {                                                                                             \
    int r_ = walk((x), fn, arg);                                                                   \
    if (r_ < 0) return r_;                                                                         \
  } while (0)
  switch (e->kind) {
    case PLAN_E_UNARY:
      W(e->u.unary.arg);
      break;
    case PLAN_E_BINARY:
      W(e->u.binary.left);
      W(e->u.binary.right);
      break;
    case PLAN_E_IS:
      W(e->u.is.arg);
      break;
    case PLAN_E_BETWEEN:
      W(e->u.between.arg);
      W(e->u.between.low);
      W(e->u.between.high);
      break;
    case PLAN_E_IN_LIST:
    case PLAN_E_IN_QUERY:
      W(e->u.in.arg);
      for (int i = 0; i < e->u.in.n; i++) W(e->u.in.list[i]);
      break;
    case PLAN_E_LIKE:
      W(e->u.like.arg);
      W(e->u.like.pattern);
      W(e->u.like.escape);
      break;
    case PLAN_E_CASE:
      W(e->u.case_.operand);
      for (int i = 0; i < e->u.case_.n; i++) {
        W(e->u.case_.whens[i]);
        W(e->u.case_.thens[i]);
      }
      W(e->u.case_.else_);
      break;
    case PLAN_E_CAST:
      W(e->u.cast.arg);
      break;
    case PLAN_E_CALL:
    case PLAN_E_UDF:
    case PLAN_E_AGG:
    case PLAN_E_WINDOWED:
      for (int i = 0; i < e->u.call.nargs; i++) W(e->u.call.args[i]);
      break;
    case PLAN_E_DATETIME_DIFF:
      W(e->u.diff.left);
      W(e->u.diff.right);
      break;
    case PLAN_E_ROW:
      for (int i = 0; i < e->u.row.n; i++) W(e->u.row.items[i]);
      break;
    case PLAN_E_FIELD:
      W(e->u.field.arg);
      break;
    case PLAN_E_PERIOD_PRED:
      W(e->u.period.left);
      W(e->u.period.right);
      break;
    default:
      break;
  }
#undef W
  return 0;
}

typedef struct expr_list {
  plan_expr **v;
  int n, cap;
  core_arena *a;
  plan_expr_kind kind;
} expr_list;

static int collect_kind(void *arg, plan_expr *e) {
  expr_list *l = arg;
  if (e->kind != l->kind) return 0;
  if (grow(l->a, (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return -1;
  l->v[l->n++] = e;
  return l->kind == PLAN_E_WINDOWED ? 1 : 0; /* arguments of a windowed call are not windows */
}

/* ------------------------------------------------------------ aggregates -- */

static int make_agg(builder *B, const plan_expr *call, int arg_col, exec_agg *out) {
  memset(out, 0, sizeof *out);
  out->fn = call->u.call.fn;
  out->arg = call->u.call.star || call->u.call.nargs == 0 ? -1 : arg_col;
  out->distinct = call->u.call.distinct;
  out->ignore_nulls = call->u.call.nulls == PARSE_NULLS_IGNORE;
  out->type = call->type;
  if (!out->fn)
    return core_error_set(B->err, SLUICE_INTERNAL, "internal: aggregate without a function");
  if (call->u.call.nargs > 1)
    return core_error_set(B->err, SLUICE_UNSUPPORTED,
                          "aggregate %s with %d arguments is not available yet", out->fn->name,
                          call->u.call.nargs);
  return SLUICE_OK;
}

/* --------------------------------------------------------------- FROM -- */

static int build_query(builder *B, const plan_query *q, node *out);

static int build_leaf_stream(builder *B, const plan_rel *r, node *n) {
  exec_chain *c = B->chain;
  node_init(B, n);
  exec_input *in = core_arena_alloc(B->arena, sizeof *in * (size_t)(c->ninputs + 1));
  if (!in) return oom(B);
  if (c->ninputs) memcpy(in, c->inputs, sizeof *in * (size_t)c->ninputs);
  c->inputs = in;
  exec_input *x = &c->inputs[c->ninputs];
  memset(x, 0, sizeof *x);
  x->rel = r->catalog;
  x->ncols = r->ncolumns;
  core_type *types = core_arena_alloc(B->arena, sizeof *types * (size_t)(r->ncolumns + 1));
  if (!types) return oom(B);
  for (int i = 0; i < r->ncolumns; i++) types[i] = r->columns[i].type;
  x->types = types;
  n->input = c->ninputs++;
  n->ncols = r->ncolumns;
  n->types = types;
  if (lay_leaf(&n->lay, r, 0, -1)) return oom(B);
  return SLUICE_OK;
}

static int build_from(builder *B, const plan_rel *r, node *n);

/* A join side: pass its columns through, add its leaves' ROWTIMEs as columns (for
 * qualified s.ROWTIME above the join) and the equi-join key values. */
typedef struct side {
  node n;
  int nkeys;
  int *keys;
} side;

static bool refs_only(plan_expr *e, const layout *l);

typedef struct ref_check {
  const layout *l;
  bool ok;
} ref_check;

static int check_ref(void *arg, plan_expr *e) {
  ref_check *rc = arg;
  if (e->kind == PLAN_E_COLUMN && e->u.column.level == 0 && !lay_find_leaf(rc->l, e->u.column.rel))
    rc->ok = false;
  if (e->kind == PLAN_E_ROWTIME && e->u.rowtime.level == 0 &&
      (!e->u.rowtime.rel || !lay_find_leaf(rc->l, e->u.rowtime.rel)))
    rc->ok = false;
  return 0;
}

static bool refs_only(plan_expr *e, const layout *l) {
  ref_check rc = {l, true};
  walk(e, check_ref, &rc);
  return rc.ok;
}

/* The conjuncts `a = b` of on with a over the left side and b over the right (or the
 * reverse): the equi-join keys. */
static int join_keys(builder *B, plan_expr *on, const layout *ll, const layout *rl, plan_expr ***lk,
                     plan_expr ***rk, int *n) {
  if (!on) return SLUICE_OK;
  if (on->kind == PLAN_E_BINARY && on->u.binary.op == PARSE_OP_AND) {
    int rc = join_keys(B, on->u.binary.left, ll, rl, lk, rk, n);
    return rc ? rc : join_keys(B, on->u.binary.right, ll, rl, lk, rk, n);
  }
  if (on->kind != PLAN_E_BINARY || on->u.binary.op != PARSE_OP_EQ) return SLUICE_OK;
  plan_expr *a = on->u.binary.left, *b = on->u.binary.right;
  if (!(refs_only(a, ll) && refs_only(b, rl))) {
    plan_expr *t = a;
    a = b;
    b = t;
    if (!(refs_only(a, ll) && refs_only(b, rl))) return SLUICE_OK;
  }
  /* keys compare by their common type so that both hash the same way */
  core_type common;
  if (!plan_type_common(a->type, b->type, &common)) return SLUICE_OK;
  plan_expr **nl = core_arena_alloc(B->arena, sizeof *nl * (size_t)(*n + 1));
  plan_expr **nr = core_arena_alloc(B->arena, sizeof *nr * (size_t)(*n + 1));
  if (!nl || !nr) return oom(B);
  if (*n) {
    memcpy(nl, *lk, sizeof *nl * (size_t)*n);
    memcpy(nr, *rk, sizeof *nr * (size_t)*n);
  }
  common.not_null = 0;
  nl[*n] = a->type.id == common.id ? a : cast_to(B, a, common);
  nr[*n] = b->type.id == common.id ? b : cast_to(B, b, common);
  if (!nl[*n] || !nr[*n]) return oom(B);
  *lk = nl;
  *rk = nr;
  (*n)++;
  return SLUICE_OK;
}

/* Projects a side to [its columns..., ROWTIME of each of its leaves..., keys...]. */
static int side_project(builder *B, node *n, plan_expr **keys, int nkeys, int *key_cols) {
  layout old = n->lay;
  int nleaves = old.nleaves;
  int total = n->ncols + nleaves + nkeys;
  exec_expr **xs = core_arena_alloc(B->arena, sizeof *xs * (size_t)(total ? total : 1));
  if (!xs) return oom(B);
  layout tmp = {.arena = B->arena};
  for (int i = 0; i < n->ncols; i++) {
    plan_expr *e = col_ref(B, &tmp, n->types[i], i);
    if (!e) return oom(B);
    int rc = compile(B, &tmp, e, &xs[i]);
    if (rc) return rc;
  }
  for (int i = 0; i < nleaves; i++) {
    const leaf_map *m = &old.leaves[i];
    plan_expr *e = m->rowtime_col >= 0
                       ? col_ref(B, &tmp, (core_type){.id = CORE_T_TIMESTAMP}, m->rowtime_col)
                       : rowtime_ref(B);
    if (!e) return oom(B);
    int rc = compile(B, &tmp, e, &xs[n->ncols + i]);
    if (rc) return rc;
  }
  for (int k = 0; k < nkeys; k++) {
    int rc = compile(B, &old, keys[k], &xs[n->ncols + nleaves + k]);
    if (rc) return rc;
    key_cols[k] = n->ncols + nleaves + k;
  }
  int ncols = n->ncols;
  int rc = node_project(B, n, xs, total, NULL);
  if (rc) return rc;
  /* the leaves keep their columns; their ROWTIMEs are now columns */
  for (int i = 0; i < nleaves; i++)
    if (lay_leaf(&n->lay, old.leaves[i].rel, old.leaves[i].base, ncols + i)) return oom(B);
  for (int i = 0; i < old.n; i++)
    if (lay_add(&n->lay, old.ents[i].e, old.ents[i].text, old.ents[i].col)) return oom(B);
  return SLUICE_OK;
}

static int window_side(builder *B, const plan_rel *r, exec_join_side *s) {
  if (r->kind != PLAN_R_STREAM || !r->window) return SLUICE_OK;
  const plan_window *w = r->window;
  s->windowed = true;
  if (w->units == PARSE_FRAME_ROWS) {
    s->frame = EXEC_FRAME_ROWS;
    s->rows = w->rows;
  } else if (w->units == PARSE_FRAME_RANGE && w->range_ms > 0) {
    s->frame = EXEC_FRAME_RANGE;
    s->range_ms = w->range_ms;
  } else if (w->units == PARSE_FRAME_RANGE && w->current_row) {
    s->frame = EXEC_FRAME_RANGE;
    s->range_ms = 0;
  } else {
    return core_error_set(B->err, SLUICE_UNSUPPORTED,
                          "this join window is not available yet (only RANGE INTERVAL ... "
                          "PRECEDING and ROWS n PRECEDING)");
  }
  return SLUICE_OK;
}

static int build_join(builder *B, const plan_rel *r, node *n) {
  const plan_rel *lr = r->join.left, *rr = r->join.right;
  int kind = r->join.kind;
  if (kind == PARSE_JOIN_COMMA) kind = PARSE_JOIN_CROSS;
  if (r->join.nusing || r->join.natural)
    return core_error_set(B->err, SLUICE_UNSUPPORTED,
                          "JOIN ... USING and NATURAL JOIN are not available yet");
  bool table_right = rr->kind == PLAN_R_TABLE, table_left = lr->kind == PLAN_R_TABLE;
  if (table_left && !table_right) {
    return core_error_set(B->err, SLUICE_UNSUPPORTED,
                          "a reference table on the left of a join with a stream is not "
                          "available yet: write the stream first");
  }
  node L, R;
  int rc = build_from(B, lr, &L);
  if (rc) return rc;
  layout rlay = {.arena = B->arena};
  if (table_right) {
    if (lay_leaf(&rlay, rr, 0, -1)) return oom(B);
  } else {
    if ((rc = build_from(B, rr, &R))) return rc;
    rlay = R.lay;
  }
  plan_expr **lk = NULL, **rk = NULL;
  int nk = 0;
  if ((rc = join_keys(B, r->join.on, &L.lay, &rlay, &lk, &rk, &nk))) return rc;
  int *lkc = core_arena_alloc(B->arena, sizeof(int) * (size_t)(nk + 1));
  int *rkc = core_arena_alloc(B->arena, sizeof(int) * (size_t)(nk + 1));
  if (!lkc || !rkc) return oom(B);
  if ((rc = side_project(B, &L, lk, nk, lkc))) return rc;

  exec_join_side ls = {.ncols = L.ncols, .types = L.types, .keys = lkc};
  exec_join_side rs = {.keys = rkc};
  if ((rc = window_side(B, lr, &ls))) return rc;

  int rbase = L.ncols;
  node_init(B, n);
  if (table_right) {
    /* the table's rows with its key values appended */
    const core_batch *rows;
    if (!B->env || !B->env->table_rows)
      return core_error_set(B->err, SLUICE_INTERNAL, "internal: no reference table loader");
    if ((rc = B->env->table_rows(B->env->arg, rr->catalog, &rows, B->err))) return rc;
    int tn = rr->ncolumns + nk;
    core_type *tt = core_arena_alloc(B->arena, sizeof *tt * (size_t)(tn + 1));
    if (!tt) return oom(B);
    for (int i = 0; i < rr->ncolumns; i++) tt[i] = rr->columns[i].type;
    exec_expr **kx = core_arena_alloc(B->arena, sizeof *kx * (size_t)(nk + 1));
    if (!kx) return oom(B);
    for (int k = 0; k < nk; k++) {
      if ((rc = compile(B, &rlay, rk[k], &kx[k]))) return rc;
      tt[rr->ncolumns + k] = exec_expr_type(kx[k]);
      rkc[k] = rr->ncolumns + k;
    }
    int cap = rows->n > 0 ? rows->n : 1;
    core_batch *tb = core_batch_new(tn, tt, cap);
    if (!tb) return oom(B);
    core_batch *src = (core_batch *)rows; /* evaluation only reads it */
    for (int i = 0; i < rows->n; i++) core_batch_copy_row(tb, i, rows, i);
    tb->n = rows->n;
    for (int k = 0; k < nk; k++) {
      if ((rc = exec_expr_eval(kx[k], B->ctx, src, tb, rr->ncolumns + k, B->err))) {
        core_batch_free(tb);
        return rc;
      }
    }
    rs.ncols = tn;
    rs.types = tt;
    exec_expr *residual = NULL;
    layout jl = {.arena = B->arena};
    for (int i = 0; i < L.lay.nleaves; i++)
      if (lay_leaf(&jl, L.lay.leaves[i].rel, L.lay.leaves[i].base, L.lay.leaves[i].rowtime_col))
        return oom(B);
    if (lay_leaf(&jl, rr, rbase, -1)) return oom(B);
    if (r->join.on && (rc = compile(B, &jl, r->join.on, &residual))) {
      core_batch_free(tb);
      return rc;
    }
    exec_op *op = exec_lookup_new(B->ctx, kind == PARSE_JOIN_CROSS ? PARSE_JOIN_INNER : kind, &ls,
                                  &rs, nk, tb, residual, B->err);
    core_batch_free(tb); /* the operator copied the rows */
    if (!op) return B->err->code ? B->err->code : oom(B);
    if ((rc = chain_add_op(B, op))) return rc;
    node_connect(B, &L, op, 0);
    n->tail = op;
    n->ncols = L.ncols + tn;
    n->types = core_arena_alloc(B->arena, sizeof(core_type) * (size_t)n->ncols);
    if (!n->types) return oom(B);
    memcpy(n->types, L.types, sizeof(core_type) * (size_t)L.ncols);
    memcpy(n->types + L.ncols, tt, sizeof(core_type) * (size_t)tn);
    n->lay = jl;
    return SLUICE_OK;
  }

  if ((rc = side_project(B, &R, rk, nk, rkc))) return rc;
  rs.ncols = R.ncols;
  rs.types = R.types;
  if ((rc = window_side(B, rr, &rs))) return rc;
  layout jl = {.arena = B->arena};
  for (int i = 0; i < L.lay.nleaves; i++)
    if (lay_leaf(&jl, L.lay.leaves[i].rel, L.lay.leaves[i].base, L.lay.leaves[i].rowtime_col))
      return oom(B);
  for (int i = 0; i < R.lay.nleaves; i++)
    if (lay_leaf(&jl, R.lay.leaves[i].rel, rbase + R.lay.leaves[i].base,
                 rbase + R.lay.leaves[i].rowtime_col))
      return oom(B);
  exec_join_config jc = {.kind = kind, .left = ls, .right = rs, .nkeys = nk};
  if (r->join.on && (rc = compile(B, &jl, r->join.on, &jc.residual))) return rc;
  exec_op *op = exec_join_new(B->ctx, &jc, B->err);
  if (!op) return B->err->code ? B->err->code : oom(B);
  if ((rc = chain_add_op(B, op))) return rc;
  node_connect(B, &L, op, 0);
  node_connect(B, &R, op, 1);
  n->tail = op;
  n->ncols = L.ncols + R.ncols;
  n->types = core_arena_alloc(B->arena, sizeof(core_type) * (size_t)n->ncols);
  if (!n->types) return oom(B);
  memcpy(n->types, L.types, sizeof(core_type) * (size_t)L.ncols);
  memcpy(n->types + L.ncols, R.types, sizeof(core_type) * (size_t)R.ncols);
  n->lay = jl;
  return SLUICE_OK;
}

/* TABLE(f(CURSOR(query), constants...)): the cursor's pipeline, then the function. */
static int build_table_func(builder *B, const plan_rel *r, node *n) {
  int rc = build_query(B, r->query, n);
  if (rc) return rc;
  const plan_query *q = r->query;
  core_value *args = core_arena_zalloc(B->arena, sizeof *args * (size_t)(r->nargs + 1));
  const char **in_names = core_arena_alloc(B->arena, sizeof *in_names * (size_t)(q->ncolumns + 1));
  core_type *out_types = core_arena_alloc(B->arena, sizeof *out_types * (size_t)(r->ncolumns + 1));
  const char **out_names =
      core_arena_alloc(B->arena, sizeof *out_names * (size_t)(r->ncolumns + 1));
  if (!args || !in_names || !out_types || !out_names) return oom(B);
  for (int i = 0; i < r->nargs; i++) {
    const plan_expr *a = r->args[i];
    if (a->kind != PLAN_E_LITERAL)
      return core_error_set(B->err, SLUICE_UNSUPPORTED,
                            "the arguments of %s after the cursor must be literals", r->fn->name);
    args[i] = a->u.value;
  }
  for (int i = 0; i < q->ncolumns; i++) in_names[i] = q->columns[i].name;
  for (int i = 0; i < r->ncolumns; i++) {
    out_types[i] = r->columns[i].type;
    out_names[i] = r->columns[i].name;
  }
  exec_tablefn_config c = {.fn = r->fn,
                           .ninput = q->ncolumns,
                           .input_types = n->types,
                           .input_names = in_names,
                           .nargs = r->nargs,
                           .args = args,
                           .nout = r->ncolumns,
                           .out_types = out_types,
                           .out_names = out_names,
                           .seed = 0x51CE5EEDULL};
  if ((rc = node_then(B, n, exec_tablefn_new(B->ctx, &c, B->err)))) return rc;
  n->ncols = r->ncolumns;
  n->types = out_types;
  n->lay.n = 0;
  n->lay.nleaves = 0;
  return lay_leaf(&n->lay, r, 0, -1) ? oom(B) : SLUICE_OK;
}

static int build_from(builder *B, const plan_rel *r, node *n) {
  switch (r->kind) {
    case PLAN_R_STREAM:
      return build_leaf_stream(B, r, n);
    case PLAN_R_SUBQUERY: {
      int rc = build_query(B, r->query, n);
      if (rc) return rc;
      n->lay.n = 0;
      n->lay.nleaves = 0;
      return lay_leaf(&n->lay, r, 0, -1) ? oom(B) : SLUICE_OK;
    }
    case PLAN_R_JOIN:
      return build_join(B, r, n);
    case PLAN_R_TABLE:
      return core_error_set(B->err, SLUICE_UNSUPPORTED,
                            "a query over a reference table alone is not a stream: join it with "
                            "a stream");
    case PLAN_R_TABLE_FUNC:
      return build_table_func(B, r, n);
  }
  return core_error_set(B->err, SLUICE_INTERNAL, "internal: unknown relation kind");
}

/* ------------------------------------------------- tumbling key forms -- */

static int64_t unit_ms(int unit) {
  switch (unit) {
    case CORE_IU_DAY:
      return 86400000;
    case CORE_IU_HOUR:
      return 3600000;
    case CORE_IU_MINUTE:
      return 60000;
    case CORE_IU_SECOND:
      return 1000;
    default:
      return 0;
  }
}

/* Window length of a STEP(ts BY interval) or FLOOR(ts TO unit) key. */
static void window_length(const plan_expr *k, int64_t *ms, int32_t *months) {
  *ms = 0;
  *months = 0;
  if (k->kind != PLAN_E_CALL || !k->u.call.fn) return;
  if (k->type.id != CORE_T_TIMESTAMP) return;
  const char *name = k->u.call.fn->name;
  if (strcmp(name, "STEP") == 0 && k->u.call.nargs == 2) {
    const plan_expr *iv = k->u.call.args[1];
    if (iv->kind != PLAN_E_LITERAL || iv->u.value.is_null) return;
    if (iv->type.id == CORE_T_INTERVAL_DT) *ms = iv->u.value.u.i;
    if (iv->type.id == CORE_T_INTERVAL_YM) *months = (int32_t)iv->u.value.u.i;
  } else if (strcmp(name, "FLOOR") == 0 && k->u.call.form == PARSE_CALL_TO_UNIT) {
    if (k->u.call.unit == CORE_IU_MONTH)
      *months = 1;
    else if (k->u.call.unit == CORE_IU_YEAR)
      *months = 12;
    else
      *ms = unit_ms(k->u.call.unit);
  }
}

typedef struct key_eval {
  exec_expr *x;
  core_batch *in, *out;
  exec_ctx ctx;
} key_eval;

/* The general monotonic key's value for a row at ROWTIME t: the key program over a
 * one-row batch whose columns are NULL. */
static int key_of_time(void *arg, int64_t t, core_value *out) {
  key_eval *k = arg;
  core_batch_reset(k->in);
  core_batch_reset(k->out);
  k->in->n = 1;
  k->in->rowtime[0] = t;
  for (int c = 0; c < k->in->ncols; c++) k->in->cols[c].null[0] = 1;
  k->out->n = 1;
  core_error e = {0};
  int rc = exec_expr_eval(k->x, &k->ctx, k->in, k->out, 0, &e);
  if (rc) return rc;
  if (core_batch_live(k->in) == 0) return SLUICE_RUNTIME;
  core_vec_get(&k->out->cols[0], 0, out);
  return SLUICE_OK;
}

/* key_of_time's state for a key over n's columns (before n's next projection). */
static int key_eval_new(builder *B, node *n, const plan_expr *key, key_eval **out) {
  key_eval *ke = core_arena_zalloc(B->arena, sizeof *ke);
  if (!ke) return oom(B);
  int rc = compile(B, &n->lay, key, &ke->x);
  if (rc) return rc;
  core_type kt = exec_expr_type(ke->x);
  ke->in = core_batch_new(n->ncols, n->types, 1);
  ke->out = core_batch_new(1, &kt, 1);
  ke->ctx.pump = B->ctx->pump;
  ke->ctx.statement_ms = B->ctx->statement_ms;
  if ((rc = hold(B, ke->in)) || (rc = hold(B, ke->out))) return rc;
  *out = ke;
  return SLUICE_OK;
}

/* ----------------------------------------------------------- SELECT -- */

/* Distinct calls of `kind` in the expressions, deduplicated by printed text. */
static int collect_calls(builder *B, plan_expr *const *es, int n, plan_expr_kind kind,
                         expr_list *out) {
  expr_list all = {.a = B->arena, .kind = kind};
  for (int i = 0; i < n; i++)
    if (walk(es[i], collect_kind, &all) < 0) return oom(B);
  memset(out, 0, sizeof *out);
  out->a = B->arena;
  out->kind = kind;
  for (int i = 0; i < all.n; i++) {
    const char *t = plan_print_expr(B->arena, all.v[i]);
    bool seen = false;
    for (int j = 0; j < out->n && !seen; j++)
      seen = strcmp(t, plan_print_expr(B->arena, out->v[j])) == 0;
    if (seen) continue;
    if (grow(B->arena, (void **)&out->v, &out->cap, out->n + 1, sizeof *out->v)) return oom(B);
    out->v[out->n++] = all.v[i];
  }
  return SLUICE_OK;
}

/* The select list, HAVING and ORDER BY expressions of a SELECT, for collecting calls. */
static int select_exprs(builder *B, const plan_query *q, plan_expr ***out, int *n) {
  const plan_select *s = &q->u.select;
  int cap = s->nitems + 1 + q->norder;
  plan_expr **v = core_arena_alloc(B->arena, sizeof *v * (size_t)cap);
  if (!v) return oom(B);
  int k = 0;
  for (int i = 0; i < s->nitems; i++) v[k++] = s->items[i].expr;
  if (s->having) v[k++] = s->having;
  for (int i = 0; i < q->norder; i++)
    if (q->order_by[i].ordinal < 0) v[k++] = q->order_by[i].expr;
  *out = v;
  *n = k;
  return SLUICE_OK;
}

/* GROUP BY or STAGGER: n's batches -> keys and aggregates; n's layout maps the keys (by
 * text) and aggregate calls (by text) to the operator's output. */
static int build_aggregate(builder *B, const plan_query *q, node *n) {
  const plan_select *s = &q->u.select;
  plan_expr **es;
  int nes, rc;
  if ((rc = select_exprs(B, q, &es, &nes))) return rc;
  expr_list aggs;
  if ((rc = collect_calls(B, es, nes, PLAN_E_AGG, &aggs))) return rc;

  plan_expr **keys = s->stagger ? s->stagger->partition : s->group_by;
  int nkeys = s->stagger ? s->stagger->npartition : s->ngroup;
  /* pre-projection: keys, then each aggregate's argument; an event-time window first
   * passes the pump's row through (so that a late row is reported as itself) and ends
   * with the event timestamp (its watermark is the largest event time seen) */
  bool event = !s->stagger && s->event_time_window;
  int pass = event ? n->ncols : 0;
  int np = pass + nkeys + aggs.n + 1;
  exec_expr **xs = core_arena_alloc(B->arena, sizeof *xs * (size_t)np);
  int *key_cols = core_arena_alloc(B->arena, sizeof(int) * (size_t)(nkeys + 1));
  exec_agg *ea = core_arena_alloc(B->arena, sizeof *ea * (size_t)(aggs.n + 1));
  if (!xs || !key_cols || !ea) return oom(B);
  int nx = 0;
  if (pass) {
    layout tmp = {.arena = B->arena};
    for (int i = 0; i < pass; i++) {
      plan_expr *e = col_ref(B, &tmp, n->types[i], i);
      if (!e || (rc = compile(B, &tmp, e, &xs[nx]))) return e ? rc : oom(B);
      nx++;
    }
  }
  for (int i = 0; i < nkeys; i++) {
    if ((rc = compile(B, &n->lay, keys[i], &xs[nx]))) return rc;
    key_cols[i] = nx++;
  }
  for (int j = 0; j < aggs.n; j++) {
    plan_expr *call = aggs.v[j];
    int arg_col = -1;
    if (!call->u.call.star && call->u.call.nargs > 0) {
      if ((rc = compile(B, &n->lay, call->u.call.args[0], &xs[nx]))) return rc;
      arg_col = nx++;
    }
    if ((rc = make_agg(B, call, arg_col, &ea[j]))) return rc;
  }
  int event_col = -1;
  if (event) {
    const plan_expr *k = keys[s->time_key];
    if (k->kind != PLAN_E_CALL || k->u.call.nargs < 1)
      return core_error_set(B->err, SLUICE_INTERNAL, "internal: event-time key without a column");
    if ((rc = compile(B, &n->lay, k->u.call.args[0], &xs[nx]))) return rc;
    event_col = nx++;
  }
  /* a general monotonic time key is evaluated for a bare time too (key_of_time): its
   * own program over a one-row batch of the input's columns, all NULL */
  key_eval *ke = NULL;
  if (!s->stagger) {
    int64_t wms;
    int32_t wmonths;
    window_length(keys[s->time_key], &wms, &wmonths);
    if (wms == 0 && wmonths == 0 && !s->event_time_window) {
      if ((rc = key_eval_new(B, n, keys[s->time_key], &ke))) return rc;
    }
  }
  if ((rc = node_project(B, n, xs, nx, NULL))) return rc;

  exec_op *op;
  if (s->stagger) {
    exec_stagger_config c = {.ninput = n->ncols,
                             .input_types = n->types,
                             .keys = key_cols,
                             .nkeys = nkeys,
                             .range_ms = s->stagger->range_ms,
                             .aggs = ea,
                             .naggs = aggs.n};
    if (s->stagger->range_ms <= 0)
      return core_error_set(B->err, SLUICE_UNSUPPORTED,
                            "a STAGGER window needs a day-time INTERVAL range");
    op = exec_stagger_new(B->ctx, &c, B->err);
  } else {
    exec_tumble_config c = {.ninput = n->ncols,
                            .input_types = n->types,
                            .keys = key_cols,
                            .nkeys = nkeys,
                            .time_key = s->time_key,
                            .event_time = s->event_time_window,
                            .has_event_col = event_col >= 0,
                            .event_col = event_col,
                            .report_cols = pass,
                            .aggs = ea,
                            .naggs = aggs.n};
    window_length(keys[s->time_key], &c.window_ms, &c.window_months);
    if (c.window_ms == 0 && c.window_months == 0) {
      if (s->event_time_window)
        return core_error_set(B->err, SLUICE_UNSUPPORTED,
                              "an event-time window needs STEP(... BY INTERVAL ...) or FLOOR(... "
                              "TO unit) with a constant interval");
      c.key_of_time = key_of_time;
      c.key_arg = ke;
    }
    op = exec_tumble_new(B->ctx, &c, B->err);
  }
  if ((rc = node_then(B, n, op))) return rc;
  /* output: keys, then aggregates */
  int nout = nkeys + aggs.n;
  core_type *ot = core_arena_alloc(B->arena, sizeof *ot * (size_t)(nout + 1));
  if (!ot) return oom(B);
  for (int i = 0; i < nkeys; i++) ot[i] = n->types[key_cols[i]];
  for (int j = 0; j < aggs.n; j++) ot[nkeys + j] = ea[j].type;
  n->ncols = nout;
  n->types = ot;
  n->lay.n = 0;
  n->lay.nleaves = 0;
  for (int i = 0; i < nkeys; i++) {
    const char *t = plan_print_expr(B->arena, keys[i]);
    if (!t || lay_add(&n->lay, keys[i], t, i)) return oom(B);
  }
  for (int j = 0; j < aggs.n; j++) {
    const char *t = plan_print_expr(B->arena, aggs.v[j]);
    if (!t || lay_add(&n->lay, aggs.v[j], t, nkeys + j)) return oom(B);
  }
  return SLUICE_OK;
}

static bool same_window(const plan_window *a, const plan_window *b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return a->units == b->units && a->rows == b->rows && a->range_ms == b->range_ms &&
         a->current_row == b->current_row && a->npartition == 0 && b->npartition == 0;
}

/* OVER windows: one sliding operator per distinct window. The batch's columns pass
 * through; each operator appends its aggregates. */
static int build_windowed(builder *B, const plan_query *q, node *n) {
  plan_expr **es;
  int nes, rc;
  if ((rc = select_exprs(B, q, &es, &nes))) return rc;
  expr_list calls;
  if ((rc = collect_calls(B, es, nes, PLAN_E_WINDOWED, &calls))) return rc;
  if (!calls.n) return SLUICE_OK;

  /* distinct windows, in order of appearance */
  const plan_window **wins = core_arena_alloc(B->arena, sizeof *wins * (size_t)calls.n);
  int *win_of = core_arena_alloc(B->arena, sizeof(int) * (size_t)calls.n);
  if (!wins || !win_of) return oom(B);
  int nw = 0;
  for (int i = 0; i < calls.n; i++) {
    const plan_window *w = calls.v[i]->u.call.window;
    int k = 0;
    while (k < nw && !same_window(wins[k], w)) k++;
    if (k == nw) wins[nw++] = w;
    win_of[i] = k;
  }
  /* pre-projection: pass-through, then per window its partition keys, then arguments */
  int extra = 0;
  for (int k = 0; k < nw; k++) extra += wins[k]->npartition;
  extra += calls.n;
  int base = n->ncols;
  exec_expr **xs = core_arena_alloc(B->arena, sizeof *xs * (size_t)(base + extra + 1));
  if (!xs) return oom(B);
  layout pass = {.arena = B->arena};
  for (int i = 0; i < base; i++) {
    plan_expr *e = col_ref(B, &pass, n->types[i], i);
    if (!e || (rc = compile(B, &pass, e, &xs[i]))) return e ? rc : oom(B);
  }
  int nx = base;
  int **parts = core_arena_alloc(B->arena, sizeof *parts * (size_t)nw);
  if (!parts) return oom(B);
  for (int k = 0; k < nw; k++) {
    parts[k] = core_arena_alloc(B->arena, sizeof(int) * (size_t)(wins[k]->npartition + 1));
    if (!parts[k]) return oom(B);
    for (int p = 0; p < wins[k]->npartition; p++) {
      if ((rc = compile(B, &n->lay, wins[k]->partition[p], &xs[nx]))) return rc;
      parts[k][p] = nx++;
    }
  }
  exec_agg *ea = core_arena_alloc(B->arena, sizeof *ea * (size_t)calls.n);
  if (!ea) return oom(B);
  for (int i = 0; i < calls.n; i++) {
    plan_expr *call = calls.v[i];
    int arg_col = -1;
    if (!call->u.call.star && call->u.call.nargs > 0) {
      if ((rc = compile(B, &n->lay, call->u.call.args[0], &xs[nx]))) return rc;
      arg_col = nx++;
    }
    if ((rc = make_agg(B, call, arg_col, &ea[i]))) return rc;
  }
  layout keep = n->lay;
  if ((rc = node_project(B, n, xs, nx, NULL))) return rc;
  n->lay = keep; /* pass-through keeps every column where it was */

  int width = nx;
  for (int k = 0; k < nw; k++) {
    const plan_window *w = wins[k];
    int na = 0;
    exec_agg *wa = core_arena_alloc(B->arena, sizeof *wa * (size_t)calls.n);
    if (!wa) return oom(B);
    for (int i = 0; i < calls.n; i++)
      if (win_of[i] == k) wa[na++] = ea[i];
    exec_slide_config c = {.ninput = n->ncols,
                           .input_types = n->types,
                           .partition = parts[k],
                           .npartition = w->npartition,
                           .aggs = wa,
                           .naggs = na};
    if (w->units == PARSE_FRAME_ROWS) {
      c.frame = EXEC_FRAME_ROWS;
      c.rows = w->current_row ? 0 : w->rows;
    } else if (w->units == PARSE_FRAME_RANGE) {
      c.frame = EXEC_FRAME_RANGE;
      c.range_ms = w->current_row ? 0 : w->range_ms;
      if (!w->current_row && w->range_ms <= 0)
        return core_error_set(B->err, SLUICE_UNSUPPORTED,
                              "RANGE windows need a day-time INTERVAL ... PRECEDING");
    } else {
      c.frame = EXEC_FRAME_UNBOUNDED;
    }
    exec_op *op = exec_slide_new(B->ctx, &c, B->err);
    if ((rc = node_then(B, n, op))) return rc;
    core_type *ot = core_arena_alloc(B->arena, sizeof *ot * (size_t)(width + na));
    if (!ot) return oom(B);
    memcpy(ot, n->types, sizeof *ot * (size_t)width);
    int j = 0;
    for (int i = 0; i < calls.n; i++)
      if (win_of[i] == k) {
        ot[width + j] = ea[i].type;
        const char *t = plan_print_expr(B->arena, calls.v[i]);
        if (!t || lay_add(&n->lay, calls.v[i], t, width + j)) return oom(B);
        j++;
      }
    n->types = ot;
    width += na;
    n->ncols = width;
  }
  return SLUICE_OK;
}

static int build_select(builder *B, const plan_query *q, node *n) {
  const plan_select *s = &q->u.select;
  int rc;
  if ((rc = build_from(B, s->from, n))) return rc;
  if (s->where) {
    exec_expr *p;
    if ((rc = compile(B, &n->lay, s->where, &p))) return rc;
    if ((rc = node_then(B, n, exec_filter_new(B->ctx, p, B->err)))) return rc;
  }
  if (s->aggregate) {
    if ((rc = build_aggregate(B, q, n))) return rc;
    if (s->having) {
      exec_expr *p;
      if ((rc = compile(B, &n->lay, s->having, &p))) return rc;
      if ((rc = node_then(B, n, exec_filter_new(B->ctx, p, B->err)))) return rc;
    }
  }
  if (s->windowed && (rc = build_windowed(B, q, n))) return rc;

  /* the select list without the item aliased ROWTIME (not a column of the query), then
   * the ORDER BY keys that are not items, then (T-sort) the ROWTIME key */
  bool tsort = q->within != NULL;
  if (tsort && (q->within->kind != PLAN_E_LITERAL || q->within->type.id != CORE_T_INTERVAL_DT))
    return core_error_set(B->err, SLUICE_UNSUPPORTED, "WITHIN needs a constant day-time INTERVAL");
  int cap = s->nitems + q->norder + 2;
  exec_expr **xs = core_arena_alloc(B->arena, sizeof *xs * (size_t)cap);
  int *item_col = core_arena_alloc(B->arena, sizeof(int) * (size_t)(s->nitems + 1));
  if (!xs || !item_col) return oom(B);
  exec_expr *rowtime = NULL;
  int nx = 0;
  for (int i = 0; i < s->nitems; i++) {
    exec_expr *x;
    if ((rc = compile(B, &n->lay, s->items[i].expr, &x))) return rc;
    if (i == s->rowtime_item) {
      item_col[i] = -1;
      if (!tsort) rowtime = x;
      continue;
    }
    item_col[i] = nx;
    xs[nx++] = x;
  }
  int ncolumns = nx;
  exec_sort_key *keys = core_arena_alloc(B->arena, sizeof *keys * (size_t)(q->norder + 1));
  if (!keys) return oom(B);
  int nk = 0, tcol = -1;
  if (tsort) {
    if (s->rowtime_item < 0)
      return core_error_set(B->err, SLUICE_INTERNAL, "internal: T-sort without a ROWTIME item");
    if ((rc = compile(B, &n->lay, s->items[s->rowtime_item].expr, &xs[nx]))) return rc;
    tcol = nx++;
  }
  for (int i = 0; i < q->norder; i++) {
    const plan_sort *o = &q->order_by[i];
    int col;
    if (o->ordinal >= 0 && o->ordinal == s->rowtime_item)
      col = tcol;
    else if (o->ordinal >= 0)
      col = item_col[o->ordinal];
    else {
      if ((rc = compile(B, &n->lay, o->expr, &xs[nx]))) return rc;
      col = nx++;
    }
    if (col < 0)
      return core_error_set(B->err, SLUICE_UNSUPPORTED,
                            "ORDER BY the ROWTIME item needs WITHIN (a T-sort)");
    keys[nk++] = (exec_sort_key){col, o->desc};
  }
  /* a plain ORDER BY's leading key for a bare time, so that bounds close its groups */
  key_eval *ke = NULL;
  if (q->norder && !tsort) {
    const plan_sort *o = &q->order_by[0];
    const plan_expr *lead = o->ordinal >= 0 ? s->items[o->ordinal].expr : o->expr;
    if ((rc = key_eval_new(B, n, lead, &ke))) return rc;
  }
  if ((rc = node_project(B, n, xs, nx, rowtime))) return rc;
  if (s->distinct) {
    int *mk = core_arena_alloc(B->arena, sizeof(int) * (size_t)(s->nitems + 1));
    if (!mk) return oom(B);
    int nm = 0;
    for (int i = 0; i < s->nitems; i++)
      if (item_col[i] >= 0 && plan_mono_key((plan_mono)s->items[i].expr->mono))
        mk[nm++] = item_col[i];
    if (!nm)
      return core_error_set(B->err, SLUICE_UNSUPPORTED,
                            "SELECT DISTINCT needs a monotonic item other than the ROWTIME one");
    if ((rc = node_then(B, n, exec_distinct_new(B->ctx, ncolumns, mk, nm, B->err)))) return rc;
  }
  if (nk) {
    exec_op *op = exec_sort_new(B->ctx, n->ncols, n->types, keys, nk,
                                tsort ? q->within->u.value.u.i : 0, tcol, B->err);
    if ((rc = node_then(B, n, op))) return rc;
    if (ke) exec_sort_set_key_of_time(op, key_of_time, ke);
  }
  return SLUICE_OK;
}

static int build_query(builder *B, const plan_query *q, node *n) {
  int rc;
  switch (q->kind) {
    case PLAN_Q_SELECT:
      rc = build_select(B, q, n);
      break;
    case PLAN_Q_SETOP: {
      if (q->u.setop.op != PARSE_SET_UNION || !q->u.setop.all)
        return core_error_set(B->err, SLUICE_UNSUPPORTED, "only UNION ALL runs on streams");
      node L, R;
      if ((rc = build_query(B, q->u.setop.left, &L))) return rc;
      if ((rc = build_query(B, q->u.setop.right, &R))) return rc;
      /* both sides as the union's column types */
      core_type *ct = core_arena_alloc(B->arena, sizeof *ct * (size_t)(q->ncolumns + 1));
      if (!ct) return oom(B);
      for (int i = 0; i < q->ncolumns; i++) ct[i] = q->columns[i].type;
      node *sides[2] = {&L, &R};
      for (int s = 0; s < 2; s++) {
        node *x = sides[s];
        bool same = x->ncols == q->ncolumns;
        for (int i = 0; same && i < q->ncolumns; i++)
          same = x->types[i].id == ct[i].id && x->types[i].precision == ct[i].precision &&
                 x->types[i].scale == ct[i].scale;
        if (same) continue;
        exec_expr **xs = core_arena_alloc(B->arena, sizeof *xs * (size_t)(q->ncolumns + 1));
        if (!xs) return oom(B);
        layout tmp = {.arena = B->arena};
        for (int i = 0; i < q->ncolumns; i++) {
          plan_expr *e = col_ref(B, &tmp, x->types[i], i);
          if (!e) return oom(B);
          plan_expr *c = x->types[i].id == ct[i].id ? e : cast_to(B, e, ct[i]);
          if (!c || (rc = compile(B, &tmp, c, &xs[i]))) return c ? rc : oom(B);
        }
        if ((rc = node_project(B, x, xs, q->ncolumns, NULL))) return rc;
      }
      exec_op *op = exec_union_new(B->ctx, 2, q->ncolumns, ct, B->err);
      if (!op) return B->err->code ? B->err->code : oom(B);
      if ((rc = chain_add_op(B, op))) return rc;
      node_connect(B, &L, op, 0);
      node_connect(B, &R, op, 1);
      node_init(B, n);
      n->tail = op;
      n->ncols = q->ncolumns;
      n->types = ct;
      return SLUICE_OK;
    }
    case PLAN_Q_VALUES:
    default:
      return core_error_set(B->err, SLUICE_UNSUPPORTED, "VALUES is not a stream");
  }
  return rc;
}

/* ------------------------------------------------------------- public -- */

static int start(exec_ctx *ctx, const exec_build_env *env, core_arena *arena, exec_chain **out,
                 core_error *err, builder *B) {
  *out = NULL;
  exec_chain *c = core_arena_zalloc(arena, sizeof *c);
  if (!c) return core_error_set(err, SLUICE_NOMEM, "out of memory");
  c->tail_input = -1;
  *B = (builder){ctx, env, arena, c, err};
  return SLUICE_OK;
}

static int finish(builder *B, node *n, int rc, exec_chain **out) {
  if (rc) {
    exec_chain_free(B->chain);
    return rc;
  }
  B->chain->tail = n->tail;
  B->chain->tail_input = n->tail ? -1 : n->input;
  B->chain->ncols = n->ncols;
  B->chain->types = n->types;
  *out = B->chain;
  return SLUICE_OK;
}

int exec_build_query(const plan_query *q, exec_ctx *ctx, const exec_build_env *env,
                     core_arena *arena, exec_chain **out, core_error *err) {
  builder B;
  int rc = start(ctx, env, arena, out, err, &B);
  if (rc) return rc;
  node n;
  node_init(&B, &n);
  rc = build_query(&B, q, &n);
  return finish(&B, &n, rc, out);
}

int exec_build_insert(const plan_insert *ins, exec_ctx *ctx, const exec_build_env *env,
                      core_arena *arena, exec_chain **out, core_error *err) {
  builder B;
  int rc = start(ctx, env, arena, out, err, &B);
  if (rc) return rc;
  node n;
  node_init(&B, &n);
  rc = build_query(&B, ins->query, &n);
  if (!rc) {
    /* the target's columns in catalog order: assignment casts, NULL where not named */
    const catalog_relation *t = ins->target;
    exec_expr **xs = core_arena_alloc(arena, sizeof *xs * (size_t)(t->ncolumns + 1));
    layout tmp = {.arena = arena};
    if (!xs) rc = oom(&B);
    for (int i = 0; !rc && i < t->ncolumns; i++) {
      core_type tt = t->columns[i].type;
      tt.not_null = 0; /* NOT NULL is checked where rows are written */
      int from = -1;
      for (int k = 0; k < ins->query->ncolumns; k++)
        if (ins->target_columns[k] == i) from = k;
      plan_expr *e;
      if (from < 0) {
        e = null_of(&B, tt);
      } else {
        core_type st = n.types[from];
        e = col_ref(&B, &tmp, st, from);
        bool same = e && st.id == tt.id && st.precision == tt.precision && st.scale == tt.scale;
        /* a string into a string column is cut or blank-padded to the column's length where
         * rows are written (spec 8.22c, gap 9: assignment truncates), not CAST */
        bool strings = core_type_is_string(st.id) && core_type_is_string(tt.id);
        if (e && !same && !strings) e = cast_to(&B, e, tt);
      }
      if (!e) {
        rc = oom(&B);
        break;
      }
      rc = compile(&B, &tmp, e, &xs[i]);
    }
    if (!rc) rc = node_project(&B, &n, xs, t->ncolumns, NULL);
  }
  return finish(&B, &n, rc, out);
}

void exec_chain_connect(exec_chain *c, exec_op *op, int port) {
  if (c->tail) {
    c->tail->next = op;
    c->tail->next_port = port;
  } else if (c->tail_input >= 0) {
    c->inputs[c->tail_input].op = op;
    c->inputs[c->tail_input].port = port;
  }
}

void exec_chain_free(exec_chain *c) {
  if (!c) return;
  for (int i = 0; i < c->nops; i++) exec_op_free(c->ops[i]);
  c->nops = 0;
}

/*
 * project.c — the filter and projection operators (exec.h "filter and
 * projection").
 *
 * filter: narrows each pushed batch's selection to the rows where its
 * predicate is TRUE and passes the batch itself on (an operator may modify
 * the selection of a batch it is given); batches left empty are not passed.
 *
 * project: computes its programs into an output batch of its own (reused for
 * every push), with the input's ROWTIMEs or those of a rowtime program
 * (`expr AS ROWTIME`). A rowtime program must not go backwards (spec 3.1): a
 * row whose ROWTIME is below the last one emitted is an OutOfOrderRowtime
 * error, a NULL one a NotNullViolation. Bounds: passed on unchanged without a
 * rowtime program; with one, the input's bound says nothing about the
 * computed ROWTIMEs, so the operator passes on the last ROWTIME it emitted
 * (no later row can go below it).
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

/* ============================================================ filter == */

typedef struct filter_op {
  exec_op op;
  exec_expr *pred;
} filter_op;

static int filter_push(exec_op *op, int port, core_batch *b, core_error *err) {
  (void)port;
  filter_op *f = (filter_op *)op;
  if (core_batch_live(b) == 0) return SLUICE_OK;
  int rc = exec_expr_filter(f->pred, op->ctx, b, err);
  if (rc) return rc;
  return core_batch_live(b) ? exec_emit(op, b, err) : SLUICE_OK;
}

static int pass_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  return exec_emit_bound(op, bound_ms, err);
}

static void op_free(exec_op *op) {
  free(op);
}

exec_op *exec_filter_new(exec_ctx *ctx, exec_expr *pred, core_error *err) {
  if (exec_expr_type(pred).id != CORE_T_BOOLEAN && exec_expr_type(pred).id != CORE_T_NULL) {
    core_error_set(err, SLUICE_INTERNAL, "internal: a filter predicate must be BOOLEAN");
    return NULL;
  }
  filter_op *f = calloc(1, sizeof *f);
  if (!f) {
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    return NULL;
  }
  f->op = (exec_op){
      .name = "filter", .push = filter_push, .bound = pass_bound, .free = op_free, .ctx = ctx};
  f->pred = pred;
  return &f->op;
}

/* ======================================================== projection == */

typedef struct project_op {
  exec_op op;
  exec_expr **exprs;
  int n;
  exec_expr *rowtime;
  core_batch *out;
  core_batch *rt;       /* the rowtime program's result column */
  int64_t last_rowtime; /* with a rowtime program: the last ROWTIME emitted */
  bool emitted;
} project_op;

/* Output ROWTIMEs from the rowtime program: failed rows are deselected from `in`. */
static int compute_rowtimes(project_op *p, core_batch *in, core_error *err) {
  core_batch *rt = p->rt;
  core_batch_reset(rt);
  rt->n = in->n;
  int rc = exec_expr_eval(p->rowtime, p->op.ctx, in, rt, 0, err);
  if (rc) return rc;
  const core_vec *v = &rt->cols[0];
  /* walk the live rows in order; deselecting one rewrites in->sel, so restart the scan
   * from the same position */
  for (int k = 0; k < core_batch_live(in);) {
    int i = core_batch_row(in, k);
    if (v->null[i]) {
      exec_row_error(p->op.ctx, in, i, "NotNullViolation", "ROWTIME must not be NULL");
      continue;
    }
    if (p->emitted && v->u.i[i] < p->last_rowtime) {
      char a[CORE_TIMESTAMP_TEXT], b[CORE_TIMESTAMP_TEXT];
      core_timestamp_format(v->u.i[i], a);
      core_timestamp_format(p->last_rowtime, b);
      exec_row_error(p->op.ctx, in, i, "OutOfOrderRowtime",
                     "ROWTIME %s is earlier than the previous row's %s", a, b);
      continue;
    }
    p->last_rowtime = v->u.i[i];
    p->emitted = true;
    k++;
  }
  return SLUICE_OK;
}

static int project_push(exec_op *op, int port, core_batch *in, core_error *err) {
  (void)port;
  project_op *p = (project_op *)op;
  if (core_batch_live(in) == 0) return SLUICE_OK;
  core_batch *out = p->out;
  if (in->n > out->cap)
    return core_error_set(err, SLUICE_INVALID, "a batch of %d rows is larger than %d", in->n,
                          out->cap);
  core_batch_reset(out);
  out->n = in->n;
  int rc;
  for (int c = 0; c < p->n; c++)
    if ((rc = exec_expr_eval(p->exprs[c], op->ctx, in, out, c, err))) return rc;
  if (p->rowtime) {
    if ((rc = compute_rowtimes(p, in, err))) return rc;
    for (int k = 0; k < core_batch_live(in); k++) {
      int i = core_batch_row(in, k);
      out->rowtime[i] = p->rt->cols[0].u.i[i];
    }
  } else {
    memcpy(out->rowtime, in->rowtime, sizeof(int64_t) * (size_t)in->n);
  }
  /* the rows that failed in any program are gone from in's selection */
  if (in->sel) {
    memcpy(out->sel_buf, in->sel, sizeof(uint16_t) * (size_t)in->nsel);
    out->sel = out->sel_buf;
    out->nsel = in->nsel;
  }
  return core_batch_live(out) ? exec_emit(op, out, err) : SLUICE_OK;
}

static int project_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  project_op *p = (project_op *)op;
  if (!p->rowtime) return exec_emit_bound(op, bound_ms, err);
  return p->emitted ? exec_emit_bound(op, p->last_rowtime, err) : SLUICE_OK;
}

static void project_free(exec_op *op) {
  project_op *p = (project_op *)op;
  core_batch_free(p->out);
  core_batch_free(p->rt);
  free(p->exprs);
  free(p);
}

exec_op *exec_project_new(exec_ctx *ctx, exec_expr *const *exprs, int n, exec_expr *rowtime,
                          core_error *err) {
  if (rowtime && exec_expr_type(rowtime).id != CORE_T_TIMESTAMP) {
    core_error_set(err, SLUICE_INTERNAL, "internal: a rowtime program must be TIMESTAMP");
    return NULL;
  }
  project_op *p = calloc(1, sizeof *p);
  core_type *types = calloc((size_t)(n ? n : 1), sizeof *types);
  if (!p || !types) goto nomem;
  p->op = (exec_op){.name = "project",
                    .push = project_push,
                    .bound = project_bound,
                    .free = project_free,
                    .ctx = ctx};
  p->exprs = calloc((size_t)(n ? n : 1), sizeof *p->exprs);
  if (!p->exprs) goto nomem;
  for (int c = 0; c < n; c++) {
    p->exprs[c] = exprs[c];
    types[c] = exec_expr_type(exprs[c]);
  }
  p->n = n;
  p->rowtime = rowtime;
  p->out = core_batch_new(n, types, CORE_BATCH_CAP);
  if (!p->out) goto nomem;
  if (rowtime) {
    core_type ts = exec_expr_type(rowtime);
    if (!(p->rt = core_batch_new(1, &ts, CORE_BATCH_CAP))) goto nomem;
  }
  free(types);
  return &p->op;
nomem:
  free(types);
  if (p) project_free(&p->op);
  core_error_set(err, SLUICE_NOMEM, "out of memory");
  return NULL;
}

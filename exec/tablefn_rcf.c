/*
 * tablefn_rcf.c — RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION (spec 5.2, 8.16,
 * 8.17): one output row per input row, ROWTIME unchanged, the cursor's columns followed by
 * ANOMALY_SCORE DOUBLE (and ANOMALY_EXPLANATION VARCHAR). The model is functions/rcf.h.
 *
 * Arguments after the cursor (absent or NULL: the default): numberOfTrees (100),
 * subSampleSize (256), timeDecay (100000), shingleSize (1), and for the explanation form
 * withDirectionality (FALSE). The binder checks their ranges; subSampleSize < timeDecay is
 * checked here (SLUICE_SEMANTIC when the pump is built).
 *
 * The model's dimensions are the cursor's numeric columns (TINYINT .. BIGINT, REAL,
 * DOUBLE; DECIMAL is refused), in cursor order; the other columns pass through untouched.
 * [IMPL] A row with a NULL, NaN or infinite value in one of them gets a NULL score (and
 * explanation) and is not seen by the model at all: it neither trains the forest nor
 * enters a shingle. The first subSampleSize + shingleSize - 1 rows that reach the model
 * score 0 (training).
 *
 * ANOMALY_EXPLANATION is the JSON object of the AWS examples, keyed by the numeric columns'
 * names in cursor order, values as strings with 4 decimals:
 *   {"Systolic":{"DIRECTION":"LOW","STRENGTH":"0.0922","ATTRIBUTION_SCORE":"0.3792"},...}
 * DIRECTION is HIGH when the value is above the column's recent mean, LOW otherwise (and
 * while training); STRENGTH is its distance from that mean in recent standard deviations
 * (0 while training; rcf.h). Without withDirectionality each column has ATTRIBUTION_SCORE
 * only ([IMPL]).
 *
 * Batches: the live rows with values of a pushed batch go to the model in one
 * rcf_update_batch call (the forest works tree by tree over them; the results are those of
 * row-by-row processing). The output batch borrows the input's column vectors and ROWTIMEs
 * (no copy; the input batch is valid while the output is pushed on) and adds its own score
 * and explanation vectors; the selection is copied so that a consumer narrowing it does not
 * touch the input's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "functions/rcf.h"

/* An explanation's text per column beyond its key: the three fields with their values. */
#define RCF_JSON_PER_COLUMN 128

typedef struct rcf_op {
  exec_op op;
  rcf_forest *forest;
  const char *fn;
  int ninput;
  int ncols;                  /* numeric columns */
  int col[RCF_MAX_COLUMNS];   /* their input indexes */
  char *key[RCF_MAX_COLUMNS]; /* `"NAME":{` with NAME escaped for JSON */
  bool explain, directional;
  core_batch *extra; /* ANOMALY_SCORE [, ANOMALY_EXPLANATION] */
  core_type extra_types[2];
  core_batch view; /* what is emitted */
  char *json;      /* one explanation being written */
  size_t json_cap;
  /* the live rows with values, gathered for rcf_update_batch */
  int cap;             /* rows the buffers hold */
  double *values;      /* [cap][ncols] */
  double *scores;      /* [cap] */
  rcf_explanation *ex; /* [cap], explanation form only */
  int *rows;           /* [cap]: the batch row of each */
} rcf_op;

static void rcf_op_free(exec_op *op) {
  rcf_op *o = (rcf_op *)op;
  rcf_free(o->forest);
  core_batch_free(o->extra);
  free(o->view.cols);
  free(o->view.sel_buf);
  for (int c = 0; c < RCF_MAX_COLUMNS; c++) free(o->key[c]);
  free(o->json);
  free(o->values);
  free(o->scores);
  free(o->ex);
  free(o->rows);
  free(o);
}

/* ------------------------------------------------------------ explanation -- */

/* `"name":{` with name escaped as a JSON string; NULL on OOM. */
static char *json_key(const char *name) {
  size_t n = strlen(name);
  char *s = malloc(n * 6 + 8), *p = s;
  if (!s) return NULL;
  *p++ = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)name[i];
    if (ch == '"' || ch == '\\') {
      *p++ = '\\';
      *p++ = (char)ch;
    } else if (ch < 0x20) {
      p += sprintf(p, "\\u%04x", ch);
    } else {
      *p++ = (char)ch;
    }
  }
  memcpy(p, "\":{", 4);
  return s;
}

/* The explanation of one row into o->json; returns its length. */
static size_t write_explanation(rcf_op *o, const rcf_explanation *ex) {
  char *p = o->json;
  *p++ = '{';
  for (int c = 0; c < o->ncols; c++) {
    if (c) *p++ = ',';
    size_t kn = strlen(o->key[c]);
    memcpy(p, o->key[c], kn);
    p += kn;
    double attribution = ex->low[c] + ex->high[c];
    if (o->directional)
      p += sprintf(p, "\"DIRECTION\":\"%s\",\"STRENGTH\":\"%.4f\",",
                   ex->direction[c] > 0 ? "HIGH" : "LOW", ex->strength[c]);
    p += sprintf(p, "\"ATTRIBUTION_SCORE\":\"%.4f\"}", attribution);
  }
  *p++ = '}';
  return (size_t)(p - o->json);
}

/* ------------------------------------------------------------------- push -- */

/* Buffers for n rows (the row buffers are made here first, the extra vectors and the
 * selection grow when a batch is larger than CORE_BATCH_CAP). */
static int ensure_capacity(rcf_op *o, int n, core_error *err) {
  if (n <= o->cap) return SLUICE_OK;
  int cap = n > CORE_BATCH_CAP ? n : CORE_BATCH_CAP;
  double *values = realloc(o->values, sizeof *values * (size_t)cap * (size_t)o->ncols);
  if (values) o->values = values;
  double *scores = realloc(o->scores, sizeof *scores * (size_t)cap);
  if (scores) o->scores = scores;
  int *rows = realloc(o->rows, sizeof *rows * (size_t)cap);
  if (rows) o->rows = rows;
  rcf_explanation *ex = o->explain ? realloc(o->ex, sizeof *ex * (size_t)cap) : NULL;
  if (ex) o->ex = ex;
  if (!values || !scores || !rows || (o->explain && !ex)) goto nomem;
  if (!o->extra || cap > o->extra->cap) {
    core_batch *b = core_batch_new(o->explain ? 2 : 1, o->extra_types, cap);
    uint16_t *sel = malloc(sizeof *sel * (size_t)cap);
    if (!b || !sel) {
      core_batch_free(b);
      free(sel);
      goto nomem;
    }
    core_batch_free(o->extra);
    free(o->view.sel_buf);
    o->extra = b;
    o->view.sel_buf = sel;
  }
  o->cap = cap;
  return SLUICE_OK;
nomem:
  return core_error_set(err, SLUICE_NOMEM, "out of memory in %s", o->fn);
}

/* The row's model values into v; false when one is NULL or not a finite number. */
static bool row_values(const rcf_op *o, const core_batch *in, int i, double *v) {
  for (int c = 0; c < o->ncols; c++) {
    const core_vec *x = &in->cols[o->col[c]];
    if (x->null[i]) return false;
    v[c] = core_type_repr(x->type.id) == 'd' ? x->u.d[i] : (double)x->u.i[i];
    if (!isfinite(v[c])) return false;
  }
  return true;
}

static int rcf_push(exec_op *op, int port, core_batch *in, core_error *err) {
  (void)port;
  rcf_op *o = (rcf_op *)op;
  if (core_batch_live(in) == 0) return SLUICE_OK;
  int rc = ensure_capacity(o, in->n, err);
  if (rc) return rc;
  core_batch *x = o->extra;
  core_batch_reset(x);
  x->n = in->n;
  core_vec *score = &x->cols[0], *expl = o->explain ? &x->cols[1] : NULL;
  /* the live rows with values go to the model together; the others get NULLs */
  int m = 0;
  for (int k = 0; k < core_batch_live(in); k++) {
    int i = core_batch_row(in, k);
    if (row_values(o, in, i, o->values + (size_t)m * (size_t)o->ncols)) {
      o->rows[m++] = i;
      continue;
    }
    score->null[i] = 1;
    if (expl) expl->null[i] = 1;
  }
  if ((rc = rcf_update_batch(o->forest, o->values, m, o->scores, o->ex, err))) return rc;
  for (int k = 0; k < m; k++) {
    int i = o->rows[k];
    score->null[i] = 0;
    score->u.d[i] = o->scores[k];
    if (!expl) continue;
    size_t n = write_explanation(o, &o->ex[k]);
    char *text = core_arena_alloc(x->heap, n);
    if (!text) return core_error_set(err, SLUICE_NOMEM, "out of memory in %s", o->fn);
    memcpy(text, o->json, n);
    expl->null[i] = 0;
    expl->u.s[i] = (core_str){text, (uint32_t)n};
  }
  /* the output: the input's columns, then ours */
  core_batch *out = &o->view;
  out->n = in->n;
  out->cap = in->n;
  memcpy(out->cols, in->cols, sizeof *in->cols * (size_t)o->ninput);
  memcpy(out->cols + o->ninput, x->cols, sizeof *x->cols * (size_t)x->ncols);
  out->rowtime = in->rowtime;
  out->heap = x->heap;
  out->sel = NULL;
  out->nsel = 0;
  if (in->sel) {
    memcpy(out->sel_buf, in->sel, sizeof *in->sel * (size_t)in->nsel);
    out->sel = out->sel_buf;
    out->nsel = in->nsel;
  }
  return exec_emit(op, out, err);
}

static int rcf_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  (void)port;
  return exec_emit_bound(op, bound_ms, err);
}

/* ------------------------------------------------------------ constructor -- */

/* Argument i after the cursor as an integer; def when absent or NULL. */
static int64_t arg_int(const exec_tablefn_config *c, int i, int64_t def) {
  if (i >= c->nargs || c->args[i].is_null || !core_type_is_integer(c->args[i].type.id)) return def;
  return c->args[i].u.i;
}

static int check_range(const char *fn, const char *what, int64_t v, int64_t lo, int64_t hi,
                       core_error *err) {
  if (v >= lo && v <= hi) return SLUICE_OK;
  return core_error_set(err, SLUICE_SEMANTIC, "%s of %s must be between %lld and %lld", what, fn,
                        (long long)lo, (long long)hi);
}

/* The forest's configuration from the arguments. */
static int read_arguments(const exec_tablefn_config *c, rcf_op *o, rcf_config *rc,
                          core_error *err) {
  int64_t trees = arg_int(c, 0, 100), sample = arg_int(c, 1, 256), decay = arg_int(c, 2, 100000),
          shingle = arg_int(c, 3, 1);
  int r;
  if ((r = check_range(o->fn, "the number of trees", trees, 1, 1000, err)) ||
      (r = check_range(o->fn, "the sub-sample size", sample, 10, 1000, err)) ||
      (r = check_range(o->fn, "the time decay", decay, 1, 2147483647, err)) ||
      (r = check_range(o->fn, "the shingle size", shingle, 1, 30, err)))
    return r;
  if (sample >= decay)
    return core_error_set(err, SLUICE_SEMANTIC,
                          "the sub-sample size of %s (%lld) must be less than the time decay "
                          "(%lld)",
                          o->fn, (long long)sample, (long long)decay);
  if (o->explain && c->nargs > 4 && !c->args[4].is_null && c->args[4].type.id == CORE_T_BOOLEAN)
    o->directional = c->args[4].u.b;
  *rc = (rcf_config){.columns = o->ncols,
                     .shingle = (int)shingle,
                     .trees = (int)trees,
                     .sample = (int)sample,
                     .time_decay = decay,
                     .seed = c->seed};
  return SLUICE_OK;
}

/* The numeric columns of the cursor; the output columns must be the cursor's plus ours. */
static int read_columns(const exec_tablefn_config *c, rcf_op *o, core_error *err) {
  for (int i = 0; i < c->ninput; i++) {
    core_type_id t = c->input_types[i].id;
    if (t == CORE_T_DECIMAL)
      return core_error_set(err, SLUICE_SEMANTIC, "%s does not accept DECIMAL column \"%s\"", o->fn,
                            c->input_names[i]);
    if (!core_type_is_integer(t) && t != CORE_T_REAL && t != CORE_T_DOUBLE) continue;
    if (o->ncols == RCF_MAX_COLUMNS)
      return core_error_set(err, SLUICE_SEMANTIC, "%s accepts at most %d numeric columns", o->fn,
                            RCF_MAX_COLUMNS);
    if (!(o->key[o->ncols] = json_key(c->input_names[i])))
      return core_error_set(err, SLUICE_NOMEM, "out of memory");
    o->col[o->ncols++] = i;
  }
  if (o->ncols == 0)
    return core_error_set(err, SLUICE_SEMANTIC, "%s needs at least one numeric column", o->fn);
  int extra = o->explain ? 2 : 1;
  if (c->nout != c->ninput + extra || c->out_types[c->ninput].id != CORE_T_DOUBLE ||
      (o->explain && c->out_types[c->ninput + 1].id != CORE_T_VARCHAR))
    return core_error_set(err, SLUICE_INTERNAL,
                          "internal: %s's output must be the cursor's columns, ANOMALY_SCORE "
                          "DOUBLE%s",
                          o->fn, o->explain ? " and ANOMALY_EXPLANATION VARCHAR" : "");
  for (int k = 0; k < extra; k++) o->extra_types[k] = c->out_types[c->ninput + k];
  return SLUICE_OK;
}

exec_op *exec_rcf_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err) {
  rcf_op *o = calloc(1, sizeof *o);
  if (!o) {
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    return NULL;
  }
  o->op = (exec_op){.name = "random_cut_forest",
                    .push = rcf_push,
                    .bound = rcf_bound,
                    .free = rcf_op_free,
                    .ctx = ctx};
  o->fn = c->fn->name;
  o->explain = strcmp(c->fn->name, "RANDOM_CUT_FOREST_WITH_EXPLANATION") == 0;
  o->ninput = c->ninput;
  rcf_config rc;
  if (read_columns(c, o, err) || read_arguments(c, o, &rc, err) || rcf_new(&rc, &o->forest, err))
    goto fail;
  if (ensure_capacity(o, CORE_BATCH_CAP, err)) goto fail;
  o->view.ncols = c->nout;
  o->view.cols = calloc((size_t)c->nout, sizeof *o->view.cols);
  o->json_cap = 4;
  for (int k = 0; k < o->ncols; k++) o->json_cap += strlen(o->key[k]) + RCF_JSON_PER_COLUMN;
  o->json = o->explain ? malloc(o->json_cap) : NULL;
  if (!o->view.cols || (o->explain && !o->json)) {
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    goto fail;
  }
  return &o->op;
fail:
  rcf_op_free(&o->op);
  return NULL;
}

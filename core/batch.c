/*
 * batch.c — column batches (core.h): allocation, selection, one-value access.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

char core_type_repr(core_type_id id) {
  switch (id) {
    case CORE_T_REAL:
    case CORE_T_DOUBLE:
      return 'd';
    case CORE_T_DECIMAL:
      return 'x';
    case CORE_T_CHAR:
    case CORE_T_VARCHAR:
    case CORE_T_BINARY:
    case CORE_T_VARBINARY:
      return 's';
    default:
      return 'i';
  }
}

size_t core_type_repr_size(core_type_id id) {
  switch (core_type_repr(id)) {
    case 'd':
      return sizeof(double);
    case 'x':
      return sizeof(core_i128);
    case 's':
      return sizeof(core_str);
    default:
      return sizeof(int64_t);
  }
}

core_batch *core_batch_new(int ncols, const core_type *types, int cap) {
  if (ncols < 0 || cap <= 0 || cap > 65535) return NULL;
  core_batch *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->cap = cap;
  b->ncols = ncols;
  b->cols = calloc(ncols ? (size_t)ncols : 1, sizeof *b->cols);
  b->rowtime = malloc((size_t)cap * sizeof *b->rowtime);
  b->sel_buf = malloc((size_t)cap * sizeof *b->sel_buf);
  b->heap = core_arena_new(64 * 1024);
  if (!b->cols || !b->rowtime || !b->sel_buf || !b->heap) {
    core_batch_free(b);
    return NULL;
  }
  for (int c = 0; c < ncols; c++) {
    core_vec *v = &b->cols[c];
    v->type = types[c];
    v->null = calloc((size_t)cap, 1);
    /* 16-byte alignment for the 128-bit decimals. */
    size_t bytes = (size_t)cap * core_type_repr_size(types[c].id);
    void *data = aligned_alloc(16, (bytes + 15) & ~(size_t)15);
    if (!v->null || !data) {
      free(data);
      core_batch_free(b);
      return NULL;
    }
    memset(data, 0, bytes);
    v->u.i = data;
  }
  return b;
}

void core_batch_free(core_batch *b) {
  if (!b) return;
  if (b->cols)
    for (int c = 0; c < b->ncols; c++) {
      free(b->cols[c].null);
      free(b->cols[c].u.i);
    }
  free(b->cols);
  free(b->rowtime);
  free(b->sel_buf);
  core_arena_free(b->heap);
  free(b);
}

void core_batch_reset(core_batch *b) {
  b->n = 0;
  b->sel = NULL;
  b->nsel = 0;
  core_arena_reset(b->heap);
}

static void move_row(core_batch *b, int to, int from) {
  b->rowtime[to] = b->rowtime[from];
  for (int c = 0; c < b->ncols; c++) {
    core_vec *v = &b->cols[c];
    v->null[to] = v->null[from];
    switch (core_type_repr(v->type.id)) {
      case 'd':
        v->u.d[to] = v->u.d[from];
        break;
      case 'x':
        v->u.dec[to] = v->u.dec[from];
        break;
      case 's':
        v->u.s[to] = v->u.s[from];
        break;
      default:
        v->u.i[to] = v->u.i[from];
    }
  }
}

void core_batch_compact(core_batch *b) {
  if (!b->sel) return;
  for (int k = 0; k < b->nsel; k++)
    if (b->sel[k] != k) move_row(b, k, b->sel[k]);
  b->n = b->nsel;
  b->sel = NULL;
  b->nsel = 0;
}

void core_batch_deselect(core_batch *b, int row) {
  if (!b->sel) {
    b->sel = b->sel_buf;
    b->nsel = 0;
    for (int r = 0; r < b->n; r++)
      if (r != row) b->sel[b->nsel++] = (uint16_t)r;
    return;
  }
  int k = 0;
  for (int j = 0; j < b->nsel; j++)
    if (b->sel[j] != row) b->sel[k++] = b->sel[j];
  b->nsel = k;
}

int core_vec_set(core_batch *b, int col, int row, const core_value *v) {
  core_vec *x = &b->cols[col];
  x->null[row] = v->is_null;
  if (v->is_null) return SLUICE_OK;
  switch (core_type_repr(x->type.id)) {
    case 'd':
      x->u.d[row] = v->u.d;
      break;
    case 'x':
      x->u.dec[row] = v->u.dec;
      break;
    case 's': {
      char *p = v->u.s.n ? core_arena_alloc(b->heap, v->u.s.n) : (char *)"";
      if (!p) return SLUICE_NOMEM;
      if (v->u.s.n) memcpy(p, v->u.s.p, v->u.s.n);
      x->u.s[row] = (core_str){p, v->u.s.n};
      break;
    }
    default:
      x->u.i[row] = v->type.id == CORE_T_BOOLEAN ? (int64_t)v->u.b : v->u.i;
  }
  return SLUICE_OK;
}

void core_vec_get(const core_vec *x, int row, core_value *out) {
  memset(out, 0, sizeof *out);
  out->type = x->type;
  out->is_null = x->null[row] != 0;
  if (out->is_null) return;
  switch (core_type_repr(x->type.id)) {
    case 'd':
      out->u.d = x->u.d[row];
      break;
    case 'x':
      out->u.dec = x->u.dec[row];
      break;
    case 's':
      out->u.s.p = x->u.s[row].p;
      out->u.s.n = x->u.s[row].n;
      break;
    default:
      if (x->type.id == CORE_T_BOOLEAN)
        out->u.b = x->u.i[row] != 0;
      else
        out->u.i = x->u.i[row];
  }
}

int core_batch_copy_row(core_batch *dst, int to_row, const core_batch *src, int from_row) {
  dst->rowtime[to_row] = src->rowtime[from_row];
  int n = dst->ncols < src->ncols ? dst->ncols : src->ncols;
  for (int c = 0; c < n; c++) {
    core_value v;
    core_vec_get(&src->cols[c], from_row, &v);
    int rc = core_vec_set(dst, c, to_row, &v);
    if (rc) return rc;
  }
  return SLUICE_OK;
}

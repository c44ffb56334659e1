/*
 * distinct.c — streaming SELECT DISTINCT (exec.h).
 *
 * A streaming DISTINCT needs a monotonic item (spec 2.7, validated by the planner). A row
 * passes the first time its values are seen while the monotonic items keep their values;
 * when they change, no earlier row can repeat, so the set of rows seen is dropped. Rows
 * pass at once with their own ROWTIME, so the output stays in ROWTIME order.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

typedef struct distinct_op {
  exec_op op;
  int ncols;
  int *keys; /* the monotonic columns */
  int nkeys;
  core_arena *arena; /* the rows seen (reset when the keys move) */
  uint8_t **slots;   /* open addressing: length-prefixed row bytes, NULL = empty */
  uint64_t *hashes;
  size_t cap, n;
  uint8_t *key_now; /* the current monotonic values (in arena), or NULL */
  uint8_t *buf;
  size_t bufcap;
} distinct_op;

/* Appends the bytes of value (row, col) to d->buf at *len: a null byte, then the value. */
static int put_value(distinct_op *d, const core_batch *b, int row, int col, size_t *len) {
  const core_vec *v = &b->cols[col];
  size_t need = *len + 1 + 16 + 4 + (core_type_repr(v->type.id) == 's' ? v->u.s[row].n : 0);
  if (need > d->bufcap) {
    size_t cap = d->bufcap ? d->bufcap : 256;
    while (cap < need) cap *= 2;
    uint8_t *p = realloc(d->buf, cap);
    if (!p) return SLUICE_NOMEM;
    d->buf = p;
    d->bufcap = cap;
  }
  uint8_t *p = d->buf + *len;
  *p++ = v->null[row];
  if (!v->null[row]) switch (core_type_repr(v->type.id)) {
      case 'd': {
        double x = v->u.d[row];
        if (x == 0) x = 0; /* -0.0 equals 0.0 */
        memcpy(p, &x, 8);
        p += 8;
        break;
      }
      case 'x':
        memcpy(p, &v->u.dec[row], 16);
        p += 16;
        break;
      case 's': {
        uint32_t n = v->u.s[row].n;
        memcpy(p, &n, 4);
        memcpy(p + 4, v->u.s[row].p, n);
        p += 4 + n;
        break;
      }
      default:
        memcpy(p, &v->u.i[row], 8);
        p += 8;
    }
  *len = (size_t)(p - d->buf);
  return SLUICE_OK;
}

static void clear_seen(distinct_op *d) {
  core_arena_reset(d->arena);
  memset(d->slots, 0, d->cap * sizeof *d->slots);
  d->n = 0;
  d->key_now = NULL;
}

static int grow(distinct_op *d) {
  size_t cap = d->cap * 2;
  uint8_t **slots = calloc(cap, sizeof *slots);
  uint64_t *hashes = calloc(cap, sizeof *hashes);
  if (!slots || !hashes) {
    free(slots);
    free(hashes);
    return SLUICE_NOMEM;
  }
  for (size_t i = 0; i < d->cap; i++) {
    if (!d->slots[i]) continue;
    size_t j = d->hashes[i] & (cap - 1);
    while (slots[j]) j = (j + 1) & (cap - 1);
    slots[j] = d->slots[i];
    hashes[j] = d->hashes[i];
  }
  free(d->slots);
  free(d->hashes);
  d->slots = slots;
  d->hashes = hashes;
  d->cap = cap;
  return SLUICE_OK;
}

/* True if the row (its bytes in d->buf[0..len)) is new; then it is remembered. */
static int insert(distinct_op *d, size_t len, bool *fresh) {
  uint64_t h = core_hash64(d->buf, len, 0x5eed);
  size_t j = h & (d->cap - 1);
  for (; d->slots[j]; j = (j + 1) & (d->cap - 1)) {
    uint32_t n;
    memcpy(&n, d->slots[j], 4);
    if (d->hashes[j] == h && n == len && memcmp(d->slots[j] + 4, d->buf, len) == 0) {
      *fresh = false;
      return SLUICE_OK;
    }
  }
  uint8_t *copy = core_arena_alloc(d->arena, len + 4);
  if (!copy) return SLUICE_NOMEM;
  uint32_t n = (uint32_t)len;
  memcpy(copy, &n, 4);
  memcpy(copy + 4, d->buf, len);
  d->slots[j] = copy;
  d->hashes[j] = h;
  *fresh = true;
  if (++d->n * 2 > d->cap) return grow(d);
  return SLUICE_OK;
}

static int distinct_push(exec_op *op, int port, core_batch *b, core_error *err) {
  distinct_op *d = (distinct_op *)op;
  int live = core_batch_live(b);
  uint16_t *keep = b->sel_buf;
  int nkeep = 0;
  for (int k = 0; k < live; k++) {
    int row = core_batch_row(b, k);
    size_t len = 0;
    for (int c = 0; c < d->nkeys; c++)
      if (put_value(d, b, row, d->keys[c], &len))
        return core_error_set(err, SLUICE_NOMEM, "out of memory");
    uint32_t klen;
    if (d->key_now) memcpy(&klen, d->key_now, 4);
    if (!d->key_now || klen != len || memcmp(d->key_now + 4, d->buf, len) != 0) {
      clear_seen(d);
      d->key_now = core_arena_alloc(d->arena, len + 4);
      if (!d->key_now) return core_error_set(err, SLUICE_NOMEM, "out of memory");
      klen = (uint32_t)len;
      memcpy(d->key_now, &klen, 4);
      memcpy(d->key_now + 4, d->buf, len);
    }
    len = 0;
    for (int c = 0; c < d->ncols; c++)
      if (put_value(d, b, row, c, &len)) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    bool fresh;
    if (insert(d, len, &fresh)) return core_error_set(err, SLUICE_NOMEM, "out of memory");
    if (fresh) keep[nkeep++] = (uint16_t)row;
  }
  b->sel = keep; /* rows ascend: keep[] never overtakes the live rows it was read from */
  b->nsel = nkeep;
  return nkeep ? exec_emit(op, b, err) : SLUICE_OK;
}

static int distinct_bound(exec_op *op, int port, int64_t bound, core_error *err) {
  return exec_emit_bound(op, bound, err);
}

static void distinct_free(exec_op *op) {
  distinct_op *d = (distinct_op *)op;
  core_arena_free(d->arena);
  free(d->slots);
  free(d->hashes);
  free(d->keys);
  free(d->buf);
  free(d);
}

exec_op *exec_distinct_new(exec_ctx *ctx, int ncols, const int *keys, int nkeys, core_error *err) {
  distinct_op *d = calloc(1, sizeof *d);
  if (!d) goto oom;
  d->op = (exec_op){.name = "distinct",
                    .push = distinct_push,
                    .bound = distinct_bound,
                    .free = distinct_free,
                    .ctx = ctx};
  d->ncols = ncols;
  d->nkeys = nkeys;
  d->keys = malloc(sizeof(int) * (size_t)(nkeys ? nkeys : 1));
  d->arena = core_arena_new(0);
  d->cap = 1024;
  d->slots = calloc(d->cap, sizeof *d->slots);
  d->hashes = calloc(d->cap, sizeof *d->hashes);
  if (!d->keys || !d->arena || !d->slots || !d->hashes) {
    distinct_free(&d->op);
    goto oom;
  }
  memcpy(d->keys, keys, sizeof(int) * (size_t)nkeys);
  return &d->op;
oom:
  core_error_set(err, SLUICE_NOMEM, "out of memory");
  return NULL;
}

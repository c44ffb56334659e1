/*
 * tablefn_topk.c — TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING (spec 5.1,
 * 7.1, 8.14, 8.15): per tumbling window of windowSize seconds, the K most frequent
 * values of one cursor column with their counts, or the number of its distinct values.
 *
 * Windows are aligned to the epoch ([IMPL]: [floor(t / w) * w, + w), like STEP(ROWTIME BY
 * w)). A window closes when a row or a bound reaches its end, emits its rows with ROWTIME
 * = the window's end (spec 4, [IMPL]), and is then forgotten; a window that received no
 * row emits nothing. NULL ([IMPL]): TOP_K counts it as a value, as the GROUP BY that the
 * AWS documentation says the function is equivalent to does; COUNT_DISTINCT does not
 * count it, as COUNT(DISTINCT x) does not, and a window whose rows were all NULL emits
 * NUMBER_OF_DISTINCT_ITEMS = 0.
 *
 * The counting is functions/sketch.h: space-saving with max(4 K, 4096) counters for
 * TOP_K (exact while the window has no more distinct values than counters, so always
 * exact with <= K distinct values; otherwise each count is at most N / counters too
 * high, N the window's rows), and the exact-then-HyperLogLog distinct counter
 * (exact up to 10,000 distinct values, then 2^16 registers, ~0.41 % standard error).
 *
 * TOP_K's rows come ordered by count, descending; equal counts in the order the values
 * took their counters (first appearance in the window when exact) ([IMPL]).
 *
 * Values are compared by their stored representation: integers, datetimes and
 * intervals by their int64, DECIMAL by its unscaled value (one column, one scale),
 * REAL/DOUBLE by their bits after -0.0 -> 0.0 and every NaN -> one NaN, strings by
 * their bytes (CHAR as stored).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "functions/sketch.h"

#define TI_HASH_SEED 0x70F1E5D15C0A7ULL

typedef struct tumbling_items {
  exec_op op;
  const char *fn; /* name, for messages */
  bool topk;
  int col;   /* the item column of pushed batches */
  char repr; /* its representation */
  core_type item_type;
  int64_t window_ms;
  uint32_t k;

  bool open; /* the window [end - window_ms, end) has rows */
  int64_t end;
  int64_t low; /* rows before this are out of order (a bound passed, a window emitted) */

  sk_topk *top;
  sk_distinct *distinct;
  sk_topk_entry *entries; /* [k] */
  uint8_t *kbuf;          /* a tagged string item (item_key) */
  uint32_t kcap;
  core_batch *out;
} tumbling_items;

static int ti_nomem(tumbling_items *t, core_error *err) {
  return core_error_set(err, SLUICE_NOMEM, "out of memory in %s", t->fn);
}

/*
 * The bytes that identify row r's value (sketch.h items). Numbers: their 8 or 16 stored
 * bytes, NULL none (a length no value has). Strings: their bytes; when NULL is an item
 * (TOP_K), behind a tag byte in t->kbuf (0 NULL, 1 a value) so that NULL and '' differ.
 * False for a NULL that is not an item, or out of memory (*nomem).
 */
static bool item_key(tumbling_items *t, const core_vec *v, int r, uint8_t buf[16], const void **key,
                     uint32_t *len, bool *nomem) {
  bool null = v->null[r] != 0;
  if (null && !t->topk) return false;
  *key = buf;
  *len = 0;
  switch (null ? 'n' : t->repr) {
    case 'n':
      if (t->repr == 's') *len = 1, buf[0] = 0;
      break;
    case 'i':
      memcpy(buf, &v->u.i[r], 8);
      *len = 8;
      break;
    case 'd': {
      double x = v->u.d[r];
      if (x == 0.0) x = 0.0; /* -0.0 and 0.0 are one value */
      if (isnan(x)) x = NAN;
      memcpy(buf, &x, 8);
      *len = 8;
      break;
    }
    case 'x':
      memcpy(buf, &v->u.dec[r], 16);
      *len = 16;
      break;
    default: {
      const core_str *str = &v->u.s[r];
      if (!t->topk) {
        *key = str->p;
        *len = str->n;
        break;
      }
      if (str->n + 1 > t->kcap) {
        uint8_t *k = realloc(t->kbuf, (size_t)str->n + 1);
        if (!k) {
          *nomem = true;
          return false;
        }
        t->kbuf = k;
        t->kcap = str->n + 1;
      }
      t->kbuf[0] = 1;
      memcpy(t->kbuf + 1, str->p, str->n);
      *key = t->kbuf;
      *len = str->n + 1;
    }
  }
  return true;
}

/* The value of an item's bytes (TOP_K), for the output column. */
static void item_value(const tumbling_items *t, const sk_topk_entry *e, core_value *v) {
  memset(v, 0, sizeof *v);
  v->type = t->item_type;
  const uint8_t *k = e->key;
  v->is_null = t->repr == 's' ? k[0] == 0 : e->len == 0;
  if (v->is_null) return;
  switch (t->repr) {
    case 'i':
      memcpy(&v->u.i, k, 8);
      if (t->item_type.id == CORE_T_BOOLEAN) v->u.b = v->u.i != 0;
      break;
    case 'd':
      memcpy(&v->u.d, k, 8);
      break;
    case 'x':
      memcpy(&v->u.dec, k, 16);
      break;
    default:
      v->u.s.p = (const char *)k + 1;
      v->u.s.n = e->len - 1;
  }
}

static int emit_topk(tumbling_items *t, core_error *err) {
  uint32_t n = 0;
  if (sk_topk_top(t->top, t->k, t->entries, &n)) return ti_nomem(t, err);
  for (uint32_t i = 0; i < n;) {
    core_batch_reset(t->out);
    for (; i < n && t->out->n < t->out->cap; i++) {
      int r = t->out->n++;
      core_value v;
      item_value(t, &t->entries[i], &v);
      core_value c = {.type = t->out->cols[1].type, .u.i = t->entries[i].count};
      if (core_vec_set(t->out, 0, r, &v) || core_vec_set(t->out, 1, r, &c)) return ti_nomem(t, err);
      t->out->rowtime[r] = t->end;
    }
    int rc = exec_emit(&t->op, t->out, err);
    if (rc) return rc;
  }
  return SLUICE_OK;
}

static int emit_distinct(tumbling_items *t, core_error *err) {
  core_batch_reset(t->out);
  core_value c = {.type = t->out->cols[0].type, .u.i = (int64_t)sk_distinct_count(t->distinct)};
  if (core_vec_set(t->out, 0, 0, &c)) return ti_nomem(t, err);
  t->out->rowtime[0] = t->end;
  t->out->n = 1;
  return exec_emit(&t->op, t->out, err);
}

/* Emits the open window and forgets it. */
static int close_window(tumbling_items *t, core_error *err) {
  int rc = t->topk ? emit_topk(t, err) : emit_distinct(t, err);
  if (rc) return rc;
  if (t->topk)
    sk_topk_reset(t->top);
  else
    sk_distinct_reset(t->distinct);
  t->open = false;
  if (t->end > t->low) t->low = t->end;
  return SLUICE_OK;
}

static int ti_push(exec_op *op, int port, core_batch *b, core_error *err) {
  tumbling_items *t = (tumbling_items *)op;
  const core_vec *v = &b->cols[t->col];
  for (int k = 0; k < core_batch_live(b);) {
    int r = core_batch_row(b, k);
    int64_t rt = b->rowtime[r];
    if (rt < t->low) { /* deselected: the next live row takes index k */
      char when[CORE_TIMESTAMP_TEXT];
      core_timestamp_format(t->low, when);
      exec_row_error(op->ctx, b, r, "OutOfOrderRowtime",
                     "row is earlier than %s, which %s has already passed", when, t->fn);
      continue;
    }
    k++;
    int rc;
    if (t->open && rt >= t->end && (rc = close_window(t, err))) return rc;
    if (!t->open) {
      t->end = core_floor_div(rt, t->window_ms) * t->window_ms + t->window_ms;
      t->open = true;
    }
    uint8_t buf[16];
    const void *key;
    uint32_t len;
    bool nomem = false;
    if (!item_key(t, v, r, buf, &key, &len, &nomem)) {
      if (nomem) return ti_nomem(t, err);
      continue;
    }
    uint64_t h = core_hash64(key, len, TI_HASH_SEED);
    rc = t->topk ? sk_topk_add(t->top, key, len, h) : sk_distinct_add(t->distinct, key, len, h);
    if (rc) return ti_nomem(t, err);
  }
  return SLUICE_OK;
}

static int ti_bound(exec_op *op, int port, int64_t bound_ms, core_error *err) {
  tumbling_items *t = (tumbling_items *)op;
  int rc;
  if (t->open && bound_ms >= t->end && (rc = close_window(t, err))) return rc;
  if (bound_ms > t->low) t->low = bound_ms;
  return exec_emit_bound(op, bound_ms, err);
}

static void ti_free(exec_op *op) {
  tumbling_items *t = (tumbling_items *)op;
  sk_topk_free(t->top);
  sk_distinct_free(t->distinct);
  free(t->entries);
  free(t->kbuf);
  core_batch_free(t->out);
  free(t);
}

/* An integer argument within [lo, hi]. */
static int int_arg(const exec_tablefn_config *c, int i, int64_t lo, int64_t hi, const char *what,
                   int64_t *out, core_error *err) {
  const core_value *a = i < c->nargs ? &c->args[i] : NULL;
  if (!a || a->is_null || !core_type_is_integer(a->type.id) || a->u.i < lo || a->u.i > hi)
    return core_error_set(err, SLUICE_INVALID, "%s of %s must be an integer between %lld and %lld",
                          what, c->fn->name, (long long)lo, (long long)hi);
  *out = a->u.i;
  return SLUICE_OK;
}

/* The cursor column named by the first argument (the last of that name, as the binder). */
static int item_column(const exec_tablefn_config *c, core_error *err) {
  const core_value *a = c->nargs > 0 ? &c->args[0] : NULL;
  if (!a || a->is_null || !core_type_is_string(a->type.id)) {
    core_error_set(err, SLUICE_INVALID, "the column name of %s must be a string literal",
                   c->fn->name);
    return -1;
  }
  int col = -1;
  for (int i = 0; i < c->ninput; i++)
    if (c->input_names[i] && strlen(c->input_names[i]) == a->u.s.n &&
        memcmp(c->input_names[i], a->u.s.p, a->u.s.n) == 0)
      col = i;
  if (col < 0)
    core_error_set(err, SLUICE_INVALID, "column \"%.*s\" not found in the cursor of %s",
                   (int)a->u.s.n, a->u.s.p, c->fn->name);
  return col;
}

static exec_op *tumbling_items_new(exec_ctx *ctx, const exec_tablefn_config *c, bool topk,
                                   core_error *err) {
  int col = item_column(c, err);
  if (col < 0) return NULL;
  int64_t k = 0, seconds = 0;
  if (topk && int_arg(c, 1, 1, 100000, "K", &k, err)) return NULL;
  if (int_arg(c, topk ? 2 : 1, 1, 3600, "the window size", &seconds, err)) return NULL;
  int nout = topk ? 2 : 1;
  if (c->nout != nout ||
      (topk && core_type_repr(c->out_types[0].id) != core_type_repr(c->input_types[col].id))) {
    core_error_set(err, SLUICE_INTERNAL, "internal: unexpected output columns for %s", c->fn->name);
    return NULL;
  }
  tumbling_items *t = calloc(1, sizeof *t);
  if (!t) {
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    return NULL;
  }
  t->op.name = topk ? "top_k_items_tumbling" : "count_distinct_items_tumbling";
  t->op.push = ti_push;
  t->op.bound = ti_bound;
  t->op.free = ti_free;
  t->op.ctx = ctx;
  t->fn = c->fn->name;
  t->topk = topk;
  t->col = col;
  t->item_type = c->input_types[col];
  t->repr = core_type_repr(t->item_type.id);
  t->window_ms = seconds * 1000;
  t->k = (uint32_t)k;
  t->low = INT64_MIN;
  bool ok;
  if (topk) {
    uint32_t counters = t->k * 4 > 4096 ? t->k * 4 : 4096;
    t->top = sk_topk_new(counters);
    t->entries = malloc(sizeof *t->entries * t->k);
    ok = t->top && t->entries;
  } else {
    t->distinct = sk_distinct_new(SK_DISTINCT_EXACT_LIMIT, SK_HLL_PRECISION);
    ok = t->distinct != NULL;
  }
  t->out = ok ? core_batch_new(c->nout, c->out_types, CORE_BATCH_CAP) : NULL;
  if (!t->out) {
    ti_free(&t->op);
    core_error_set(err, SLUICE_NOMEM, "out of memory");
    return NULL;
  }
  return &t->op;
}

exec_op *exec_top_k_items_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err) {
  return tumbling_items_new(ctx, c, true, err);
}

exec_op *exec_count_distinct_items_new(exec_ctx *ctx, const exec_tablefn_config *c,
                                       core_error *err) {
  return tumbling_items_new(ctx, c, false, err);
}

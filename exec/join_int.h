/*
 * join_int.h — private to exec/join.c and exec/order.c: the row store that the
 * join, lookup, UNION ALL and sort operators keep their buffered rows in.
 *
 * Purpose: an operator that holds rows across push() calls must copy them out
 * of the borrowed input batch (exec.h). exec_rowbuf holds such rows one per
 * slot, row-major as 16-byte cells (one per column) with a null byte each, the
 * row's ROWTIME and a few per-slot words for the operator (key hash, a link,
 * a flag). The string bytes of a row are copied, together, into one chunk of
 * a string pool; a chunk counts the rows that use it and is recycled when the
 * last of them is released, so neither a FIFO (join windows, union queues) nor
 * a heap (T-sort) needs a malloc per row.
 *
 * Two ways of allocating slots sit on top: exec_ring, a FIFO addressed by a
 * 64-bit sequence number (slot = seq mod capacity, capacity a power of two),
 * and plain slot indices managed by the caller (sort's free list, lookup's
 * table, which only ever grows).
 *
 * Ownership: a rowbuf owns its arrays and chunks. Threads: one at a time.
 * Errors: SLUICE_NOMEM only.
 */
#ifndef SLUICE_EXEC_JOIN_INT_H
#define SLUICE_EXEC_JOIN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/exec.h"

/* One value of a stored row, by its column's representation (core_type_repr). */
typedef union exec_cell {
  int64_t i;
  double d;
  core_i128 dec;
  core_str s;
} exec_cell;

typedef struct exec_strchunk exec_strchunk;

typedef struct exec_strpool {
  exec_strchunk *cur;   /* the chunk new rows' strings go to */
  exec_strchunk *spare; /* recycled chunks of the default size */
  int nspare;
} exec_strpool;

typedef struct exec_rowbuf {
  int ncols;
  core_type *types; /* [ncols] */
  char *repr;       /* [ncols]: 'i', 'd', 'x' or 's' */
  bool has_strings;
  uint32_t cap;          /* slots */
  exec_cell *cells;      /* [cap * ncols] */
  uint8_t *nulls;        /* [cap * ncols]: 1 = NULL */
  int64_t *rowtime;      /* [cap] */
  exec_strchunk **chunk; /* [cap]: where the row's strings are, or NULL */
  uint64_t *hash;        /* [cap]: the operator's key hash */
  uint64_t *link;        /* [cap]: the operator's hash chain */
  uint64_t *order;       /* [cap]: arrival number (ties keep arrival order) */
  uint8_t *flag;         /* [cap]: the operator's flags */
  exec_strpool pool;
} exec_rowbuf;

int exec_rowbuf_init(exec_rowbuf *rb, int ncols, const core_type *types);
void exec_rowbuf_free(exec_rowbuf *rb);
/* Enlarges to cap slots (cap > rb->cap); every slot keeps its index and content. */
int exec_rowbuf_grow(exec_rowbuf *rb, uint32_t cap);
/* Moves slot `from` to slot `to` (strings stay where they are). */
void exec_rowbuf_move(exec_rowbuf *rb, uint32_t to, uint32_t from);
/* Copies row `row` of b (same column types) into slot, strings into the pool; sets
 * rowtime, clears flag. */
int exec_rowbuf_store(exec_rowbuf *rb, uint32_t slot, const core_batch *b, int row);
/* Drops the slot's hold on its strings (the slot may then be reused). */
void exec_rowbuf_release(exec_rowbuf *rb, uint32_t slot);

static inline const exec_cell *exec_rowbuf_cell(const exec_rowbuf *rb, uint32_t slot, int col) {
  return &rb->cells[(size_t)slot * (size_t)rb->ncols + (size_t)col];
}
static inline bool exec_rowbuf_isnull(const exec_rowbuf *rb, uint32_t slot, int col) {
  return rb->nulls[(size_t)slot * (size_t)rb->ncols + (size_t)col] != 0;
}

/* Writes the slot's columns into columns col0.. of out's row `row` (strings copied into
 * out's heap). ROWTIME is the caller's. */
int exec_rowbuf_put(const exec_rowbuf *rb, uint32_t slot, core_batch *out, int row, int col0);
/* Sets n columns from col0 of out's row `row` to NULL. */
void exec_put_nulls(core_batch *out, int row, int col0, int n);

/* One value of a batch column as a cell (strings point into the batch). */
void exec_cell_get(const core_vec *v, int row, char repr, exec_cell *out);
/* Writes a cell into out's column col, row `row` (strings copied into out's heap). */
int exec_cell_put(core_batch *out, int col, int row, char repr, const exec_cell *c, bool null);

/* Hash and equality of key values: equal values of the same representation hash alike
 * (-0.0 and 0.0 too). */
uint64_t exec_cell_hash(char repr, const exec_cell *c, uint64_t h);
bool exec_cell_equal(char repr, const exec_cell *a, const exec_cell *b);
/* Order of two non-NULL values (<0, 0, >0). */
int exec_cell_compare(char repr, const exec_cell *a, const exec_cell *b);

/* The hash of a stored row's key columns; *has_null when one of them is NULL (such a row
 * matches nothing in an equi-join). */
uint64_t exec_rowbuf_key_hash(const exec_rowbuf *rb, uint32_t slot, const int *keys, int nkeys,
                              bool *has_null);

/* ---- FIFO of rows addressed by sequence number ---- */

typedef struct exec_ring {
  exec_rowbuf rb;
  uint64_t head, tail; /* live rows: seq in [head, tail) */
} exec_ring;

static inline uint32_t exec_ring_slot(const exec_ring *r, uint64_t seq) {
  return (uint32_t)(seq & (uint64_t)(r->rb.cap - 1));
}
int exec_ring_init(exec_ring *r, int ncols, const core_type *types);
void exec_ring_free(exec_ring *r);
/* Appends row `row` of b; its sequence number is the old tail. */
int exec_ring_push(exec_ring *r, const core_batch *b, int row);
/* Drops the oldest row. */
void exec_ring_pop(exec_ring *r);

/* ---- helpers shared by the operators ---- */

#define EXEC_NO_TIME INT64_MIN

static inline int64_t exec_time_add(int64_t t, int64_t d) {
  if (t == EXEC_NO_TIME) return t;
  if (d > 0 && t > INT64_MAX - d) return INT64_MAX;
  if (d < 0 && t < INT64_MIN + 1 - d) return INT64_MIN + 1;
  return t + d;
}

/* Emits out (when it has rows) to op->next and empties it. */
int exec_flush(exec_op *op, core_batch *out, core_error *err);
/* Makes room for one more row in out: emits it first when full. */
static inline int exec_out_room(exec_op *op, core_batch *out, core_error *err) {
  return out->n < out->cap ? SLUICE_OK : exec_flush(op, out, err);
}

/* Format of a timestamp for messages ("2024-01-01 10:00:00.000"). */
const char *exec_time_text(int64_t ms, char buf[CORE_TIMESTAMP_TEXT]);

#endif /* SLUICE_EXEC_JOIN_INT_H */

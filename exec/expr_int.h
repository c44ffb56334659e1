/*
 * expr_int.h — the inside of compiled expression programs (expr*.c only).
 *
 * A program is a flat list of steps over registers. A register is a column
 * vector of CORE_BATCH_CAP values with null bytes: owned scratch storage
 * written by one step, a constant filled at compile time, or (bound at the
 * start of every evaluation) a column of the input batch or its ROWTIME.
 * Registers are indexed by the input batch's row numbers, never compacted.
 *
 * A step runs one kernel (one function call per step and batch) over the
 * rows of a selection: selection 0 holds the live rows of the input batch;
 * CASE, COALESCE and the lazy AND/OR split a selection so that a branch only
 * runs for the rows that take it (a division by zero in an untaken branch is
 * not an error). A dense selection is rows 0..n-1, so kernels run a plain
 * indexed loop the compiler can vectorise.
 *
 * Failing rows: a kernel reports the row (x_fail), which marks it dead for
 * the rest of this evaluation (reported once), deselects it from the input
 * batch (exec_row_error) and sets the step's result NULL there, so the steps
 * that read it see NULL.
 */
#ifndef SLUICE_EXEC_EXPR_INT_H
#define SLUICE_EXEC_EXPR_INT_H

#include <string.h>

#include "exec/exec.h"

#define XCAP CORE_BATCH_CAP

typedef enum xreg_kind {
  XR_OWNED,   /* scratch written by a step */
  XR_CONST,   /* filled at compile time (cval) */
  XR_COLUMN,  /* column `col` of the input batch */
  XR_ROWTIME, /* the input batch's ROWTIME */
} xreg_kind;

typedef struct xreg {
  core_vec v; /* type, null[], data[] */
  uint8_t kind;
  int col;
  const core_value *cval; /* XR_CONST: the value */
} xreg;

typedef struct xsel {
  uint16_t *rows; /* [XCAP] */
  int n;
  bool dense; /* rows 0..n-1 (rows[] not used) */
} xsel;

typedef struct xrun xrun;
typedef struct xstep xstep;
typedef void (*xkernel)(xrun *r, const xstep *s);

struct xstep {
  xkernel fn;
  int sel;          /* the selection it runs over */
  int out;          /* result register, or -1 */
  int a, b, c;      /* operand registers, or -1 */
  int sel_t, sel_f; /* SPLIT: the two output selections */
  int64_t k, k2;    /* immediates: operator, bounds, scales, units */
  core_i128 k3;
  void *aux; /* kernel data (a pattern, a prepared call, a register list) */
};

struct exec_expr {
  core_type type;
  xreg *regs;
  int nregs, capregs;
  xsel *sels;
  int nsels, capsels;
  xstep *steps;
  int nsteps, capsteps;
  int result;
  uint8_t *dead;  /* [XCAP] rows that failed during the current evaluation */
  uint8_t *zeros; /* [XCAP] all zero: the null bytes of ROWTIME */
  bool dirty;     /* dead[] has marks from the last evaluation */
};

/* One evaluation. */
struct xrun {
  exec_expr *x;
  exec_ctx *ctx;
  core_batch *in;
  int base;         /* the chunk's first row in `in` (batches above XCAP rows run in chunks) */
  core_arena *heap; /* strings made during the evaluation */
  int nfail;
  bool oom;
};

/* Reports row i as failed (once) and sets register `reg` NULL there (reg may be -1). */
void x_fail(xrun *r, int reg, int i, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Loops the body (the variadic part) over the rows of step s's selection with `i`
 * the row. The dense form is a plain loop; the body is expanded twice. */
#define X_EACH(r, s, i, ...)                                                                       \
  do {                                                                                             \
    const xsel *x_sel_ = &(r)->x->sels[(s)->sel];                                                  \
    if (x_sel_->dense) {                                                                           \
      const int x_n_ = x_sel_->n;                                                                  \
      for (int i = 0; i < x_n_; i++) {                                                             \
        __VA_ARGS__                                                                                \
      }                                                                                            \
    } else {                                                                                       \
      const uint16_t *x_rows_ = x_sel_->rows;                                                      \
      const int x_n_ = x_sel_->n;                                                                  \
      for (int x_k_ = 0; x_k_ < x_n_; x_k_++) {                                                    \
        const int i = x_rows_[x_k_];                                                               \
        __VA_ARGS__                                                                                \
      }                                                                                            \
    }                                                                                              \
  } while (0)

#define XR(r, k) (&(r)->x->regs[(k)].v)

/* ---- the compiler's view of the kernels (expr_ops.c, expr_cast.c) ---- */

/* Arithmetic and comparison operators (parse_op values in step.k). */
void xk_int_arith(xrun *r, const xstep *s); /* k op, k2 result type id */
void xk_dbl_arith(xrun *r, const xstep *s); /* k op, k2: 1 = round to REAL */
void xk_dec_add(xrun *r, const xstep *s);   /* k op (ADD/SUB), k2 precision */
void xk_dec_mul(xrun *r, const xstep *s);   /* k drop digits, k2 precision */
void xk_dec_div(xrun *r, const xstep *s);   /* k shift, k2 precision */
void xk_dec_mod(xrun *r, const xstep *s);
void xk_neg(xrun *r, const xstep *s);     /* k2 type id */
void xk_cmp_int(xrun *r, const xstep *s); /* k op */
void xk_cmp_dbl(xrun *r, const xstep *s);
void xk_cmp_dec(xrun *r, const xstep *s);
void xk_cmp_str(xrun *r, const xstep *s); /* k2: 1 = pad with spaces (CHAR) */
void xk_and(xrun *r, const xstep *s);
void xk_or(xrun *r, const xstep *s);
void xk_not(xrun *r, const xstep *s);
void xk_is(xrun *r, const xstep *s);     /* k parse_is_what, k2 negated */
void xk_split(xrun *r, const xstep *s);  /* k: 0 = TRUE rows to sel_t; 1 = not-FALSE; 2 = NULL */
void xk_gather(xrun *r, const xstep *s); /* out[i] = a[i] */
void xk_set_null(xrun *r, const xstep *s);
void xk_nullif(xrun *r, const xstep *s); /* out = a, NULL where b TRUE */
void xk_split_nonnull(xrun *r,
                      const xstep *s); /* sel_t: rows where the k registers of aux are not NULL */
void xk_concat(xrun *r, const xstep *s);
void xk_like(xrun *r, const xstep *s); /* aux constant pattern or NULL; k negated, k2 similar */
void xk_call(xrun *r, const xstep *s); /* aux xcall */
/* datetime arithmetic */
void xk_ts_add_ms(xrun *r, const xstep *s);  /* k sign, k2 type id of a */
void xk_add_months(xrun *r, const xstep *s); /* k sign, k2 type id of a */
void xk_iv_mul(xrun *r, const xstep *s);     /* k: 0 mul, 1 div; k2 factor type id; k3 scale */
void xk_dt_diff(xrun *r, const xstep *s);    /* k2 datetime type id; aux: qualifier type */

/* A call of a function kernel: the prepared call and its argument registers. */
typedef struct xcall {
  fn_call call;
  int args[FN_CALL_MAX_ARGS];
} xcall;

/* Casts (expr_cast.c). Chooses the kernel for from -> to; explicit: the checks of
 * CAST (precision, length) rather than an implicit widening. NULL if not castable. */
xkernel x_cast_kernel(core_type from, core_type to, bool explicit_cast);

#endif /* SLUICE_EXEC_EXPR_INT_H */

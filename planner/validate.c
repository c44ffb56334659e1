/*
 * validate.c — the compile-time rules of the KDA dialect (spec 7.2) on the
 * bound tree: streaming aggregation, windows, joins, set operations, ORDER BY
 * and T-sort. Messages follow the wording of the engine KDA was built on
 * (lower-cased per STYLE), e.g. "streaming aggregation requires at least one
 * monotonic expression in GROUP BY clause".
 */
#include <string.h>

#include "planner/bind.h"

static parse_loc loc_of(const plan_expr *e) {
  parse_loc none = {0, 0};
  return e && e->src ? e->src->loc : none;
}

/* ---------------------------------------------------------- windows -- */

static int check_offset(binder *b, const parse_window *w, const parse_bound *bd, bool join) {
  if (!bd->offset) return SLUICE_OK;
  const parse_expr *o = bd->offset;
  bool negative = false;
  if (o->kind == PARSE_E_UNARY && o->u.unary.op == PARSE_OP_NEG) negative = true;
  if (o->kind == PARSE_E_LITERAL) {
    const core_value *v = &o->u.lit.value;
    if (core_type_is_integer(v->type.id) || core_type_is_interval(v->type.id))
      negative = negative || v->u.i < 0;
    else if (v->type.id == CORE_T_DECIMAL)
      negative = negative || v->u.dec < 0;
  }
  if (negative) return bind_fail(b, bd->loc, SLUICE_SEMANTIC, "window offset must not be negative");
  if (o->kind != PARSE_E_LITERAL)
    return bind_fail(b, o->loc, SLUICE_SEMANTIC, "window offset must be a literal");
  const core_value *v = &o->u.lit.value;
  if (w->units == PARSE_FRAME_ROWS && !core_type_is_integer(v->type.id))
    return bind_fail(b, o->loc, SLUICE_SEMANTIC, "ROWS needs an integer number of rows");
  if (w->units == PARSE_FRAME_RANGE && !core_type_is_interval(v->type.id) &&
      !core_type_is_numeric(v->type.id))
    return bind_fail(b, o->loc, SLUICE_SEMANTIC, "RANGE needs an interval or a number");
  bool zero = (core_type_is_integer(v->type.id) || core_type_is_interval(v->type.id)) ? v->u.i == 0
              : v->type.id == CORE_T_DECIMAL ? v->u.dec == 0
                                             : v->u.d == 0;
  if (zero && !join && bd->kind == PARSE_BOUND_PRECEDING) {
    bind_fail(b, bd->loc, SLUICE_SEMANTIC, "0 PRECEDING is not allowed in a windowed aggregation");
    core_error_hint(b->err, "Write CURRENT ROW instead.");
    return SLUICE_SEMANTIC;
  }
  return SLUICE_OK;
}

static int offset_value(const parse_bound *bd, int64_t *v) {
  if (!bd->offset || bd->offset->kind != PARSE_E_LITERAL) return -1;
  const core_value *cv = &bd->offset->u.lit.value;
  if (!core_type_is_integer(cv->type.id) && !core_type_is_interval(cv->type.id)) return -1;
  *v = cv->u.i;
  return 0;
}

static int check_frame(binder *b, const parse_window *w, bool join) {
  if (w->units == PARSE_FRAME_NONE || w->stagger) return SLUICE_OK;
  const parse_bound *st = &w->start, *en = &w->end;
  if (st->kind == PARSE_BOUND_UNBOUNDED_FOLLOWING || en->kind == PARSE_BOUND_UNBOUNDED_FOLLOWING)
    return bind_fail(b, en->kind == PARSE_BOUND_UNBOUNDED_FOLLOWING ? en->loc : st->loc,
                     SLUICE_SEMANTIC, "UNBOUNDED FOLLOWING is not allowed in a window");
  if (w->between && en->kind == PARSE_BOUND_PRECEDING && st->kind == PARSE_BOUND_PRECEDING) {
    int64_t a, z;
    if (offset_value(st, &a) == 0 && offset_value(en, &z) == 0 && a < z)
      return bind_fail(b, w->loc, SLUICE_SEMANTIC, "window size must not be negative");
  }
  int rc = check_offset(b, w, st, join);
  if (rc) return rc;
  if (w->between && (rc = check_offset(b, w, en, true))) return rc;
  if (st->kind == PARSE_BOUND_FOLLOWING) {
    if (join)
      return bind_fail(b, st->loc, SLUICE_SEMANTIC, "FOLLOWING is not supported in a join window");
    return bind_fail(b, st->loc, SLUICE_SEMANTIC, "a window must end at CURRENT ROW");
  }
  if (w->between) {
    if (en->kind != PARSE_BOUND_CURRENT_ROW) {
      if (join && en->kind == PARSE_BOUND_FOLLOWING)
        return bind_fail(b, en->loc, SLUICE_SEMANTIC,
                         "FOLLOWING is not supported in a join window");
      return bind_fail(b, en->loc, SLUICE_SEMANTIC, "a window must end at CURRENT ROW");
    }
    if (st->kind == PARSE_BOUND_CURRENT_ROW) return SLUICE_OK;
  }
  return SLUICE_OK;
}

int validate_agg_window(binder *b, plan_window *w) {
  const parse_window *src = w->src;
  if (w->stagger || !src) return SLUICE_OK;
  /* [IMPL] `ORDER BY ROWTIME` in a sliding window, common in applications written for KDA,
   * says what the window already is; accepted unless --strict */
  const parse_order_item *first = src->order_by.n ? src->order_by.items[0] : NULL;
  bool rowtime_order = w->norder == 1 && !b->ctx->strict && w->order[0]->kind == PLAN_E_ROWTIME &&
                       first && first->dir != PARSE_SORT_DESC;
  if (w->norder > 0 && !rowtime_order) {
    const parse_order_item *oi = first;
    return bind_fail(b, oi ? oi->loc : src->loc, SLUICE_SEMANTIC,
                     "ORDER BY is not allowed in a windowed aggregation window");
  }
  if (w->units == PARSE_FRAME_RANGE && w->range && !core_type_is_interval(w->range->type.id))
    return bind_fail(b, w->range->src->loc, SLUICE_SEMANTIC,
                     "RANGE of a window ordered by ROWTIME needs an INTERVAL");
  return check_frame(b, src, false);
}

int validate_join_window(binder *b, plan_window *w) {
  const parse_window *src = w->src;
  if (w->npartition > 0)
    return bind_fail(b, loc_of(w->partition[0]), SLUICE_SEMANTIC,
                     "PARTITION BY is not allowed in a join window");
  for (int i = 0; i < w->norder; i++)
    if (w->order[i]->kind != PLAN_E_ROWTIME)
      return bind_fail(b, loc_of(w->order[i]), SLUICE_SEMANTIC,
                       "ORDER BY in a join window must be ROWTIME");
  if (w->units == PARSE_FRAME_NONE)
    return bind_fail(b, src->loc, SLUICE_SEMANTIC, "a join window needs ROWS or RANGE");
  if (w->units == PARSE_FRAME_RANGE && w->range && !core_type_is_interval(w->range->type.id))
    return bind_fail(b, w->range->src->loc, SLUICE_SEMANTIC,
                     "RANGE of a window ordered by ROWTIME needs an INTERVAL");
  return check_frame(b, src, true);
}

/* ------------------------------------------------------------ joins -- */

static bool side_has_window(const plan_rel *r) {
  if (r->kind == PLAN_R_JOIN)
    return side_has_window(r->join.left) || side_has_window(r->join.right);
  return r->window != NULL;
}

static int check_leaf_windows(binder *b, const plan_rel *r) {
  if (r->kind == PLAN_R_JOIN) {
    int rc = check_leaf_windows(b, r->join.left);
    return rc ? rc : check_leaf_windows(b, r->join.right);
  }
  return r->window ? validate_join_window(b, r->window) : SLUICE_OK;
}

int validate_join(binder *b, plan_rel *join) {
  plan_rel *l = join->join.left, *r = join->join.right;
  int rc = check_leaf_windows(b, join);
  if (rc) return rc;
  parse_join_kind k = join->join.kind;
  if (l->is_stream && r->is_stream) {
    if (!side_has_window(l) && !side_has_window(r)) {
      bind_fail(b, join->src->loc, SLUICE_SEMANTIC,
                "stream-to-stream join requires a window on at least one side");
      core_error_hint(b->err, "Bound one input with a window, for example s OVER (RANGE "
                              "INTERVAL '1' MINUTE PRECEDING).");
      return SLUICE_SEMANTIC;
    }
    return SLUICE_OK;
  }
  if (l->is_stream != r->is_stream) {
    /* stream-table: the table side can only be looked up (spec 9 #13) */
    if (side_has_window(l) || side_has_window(r))
      return bind_fail(b, join->src->loc, SLUICE_SEMANTIC,
                       "OVER in the FROM clause is only allowed in a stream-to-stream join");
    bool table_right = r->is_stream == false;
    if (k == PARSE_JOIN_FULL || (table_right && k == PARSE_JOIN_RIGHT) ||
        (!table_right && k == PARSE_JOIN_LEFT))
      return bind_fail(b, join->src->loc, SLUICE_SEMANTIC,
                       "an outer join of a stream with a table must preserve the stream side");
  }
  return SLUICE_OK;
}

/* ------------------------------------------------------------ SELECT -- */

static bool is_count_distinct(const plan_expr *e, void *arg) {
  (void)arg;
  return (e->kind == PLAN_E_AGG || e->kind == PLAN_E_WINDOWED) && e->u.call.distinct &&
         e->u.call.fn && strcmp(e->u.call.fn->name, "COUNT") == 0;
}

static bool is_windowed(const plan_expr *e, void *arg) {
  (void)arg;
  return e->kind == PLAN_E_WINDOWED;
}

static bool is_agg(const plan_expr *e, void *arg) {
  (void)arg;
  return e->kind == PLAN_E_AGG;
}

typedef struct grouped_ctx {
  binder *b;
  plan_expr **keys;
  int nkeys;
  bool streaming;
} grouped_ctx;

static int check_grouped(grouped_ctx *g, const plan_expr *e) {
  if (!e) return SLUICE_OK;
  for (int i = 0; i < g->nkeys; i++)
    if (bind_expr_equal(g->keys[i], e)) return SLUICE_OK;
  switch (e->kind) {
    case PLAN_E_AGG:
    case PLAN_E_LITERAL:
    case PLAN_E_PARAM:
    case PLAN_E_SUBQUERY:
    case PLAN_E_EXISTS:
    case PLAN_E_IN_QUERY:
      return SLUICE_OK;
    case PLAN_E_ROWTIME:
      /* unqualified ROWTIME in an aggregate query is the output row's time */
      if (e->u.rowtime.level > 0 || (e->src && e->src->kind == PARSE_E_COLUMN &&
                                     e->src->u.column.parts.n == 1 && g->streaming))
        return SLUICE_OK;
      return bind_fail(g->b, loc_of(e), SLUICE_SEMANTIC, "expression \"%s\" is not being grouped",
                       bind_expr_text(g->b, e->src));
    case PLAN_E_COLUMN:
      if (e->u.column.level > 0) return SLUICE_OK;
      return bind_fail(g->b, loc_of(e), SLUICE_SEMANTIC, "expression \"%s\" is not being grouped",
                       bind_expr_text(g->b, e->src));
    case PLAN_E_FIELD:
      return check_grouped(g, e->u.field.arg);
    case PLAN_E_UNARY:
      return check_grouped(g, e->u.unary.arg);
    case PLAN_E_BINARY: {
      int rc = check_grouped(g, e->u.binary.left);
      return rc ? rc : check_grouped(g, e->u.binary.right);
    }
    case PLAN_E_IS:
      return check_grouped(g, e->u.is.arg);
    case PLAN_E_BETWEEN: {
      int rc = check_grouped(g, e->u.between.arg);
      if (!rc) rc = check_grouped(g, e->u.between.low);
      return rc ? rc : check_grouped(g, e->u.between.high);
    }
    case PLAN_E_IN_LIST: {
      int rc = check_grouped(g, e->u.in.arg);
      for (int i = 0; !rc && i < e->u.in.n; i++) rc = check_grouped(g, e->u.in.list[i]);
      return rc;
    }
    case PLAN_E_LIKE: {
      int rc = check_grouped(g, e->u.like.arg);
      if (!rc) rc = check_grouped(g, e->u.like.pattern);
      return rc ? rc : check_grouped(g, e->u.like.escape);
    }
    case PLAN_E_CASE: {
      int rc = check_grouped(g, e->u.case_.operand);
      for (int i = 0; !rc && i < e->u.case_.n; i++) {
        rc = check_grouped(g, e->u.case_.whens[i]);
        if (!rc) rc = check_grouped(g, e->u.case_.thens[i]);
      }
      return rc ? rc : check_grouped(g, e->u.case_.else_);
    }
    case PLAN_E_CAST:
      return check_grouped(g, e->u.cast.arg);
    case PLAN_E_CALL:
    case PLAN_E_UDF:
    case PLAN_E_WINDOWED: {
      int rc = SLUICE_OK;
      for (int i = 0; !rc && i < e->u.call.nargs; i++) rc = check_grouped(g, e->u.call.args[i]);
      const plan_window *w = e->kind == PLAN_E_WINDOWED ? e->u.call.window : NULL;
      for (int i = 0; !rc && w && i < w->npartition; i++) rc = check_grouped(g, w->partition[i]);
      return rc;
    }
    case PLAN_E_DATETIME_DIFF: {
      int rc = check_grouped(g, e->u.diff.left);
      return rc ? rc : check_grouped(g, e->u.diff.right);
    }
    case PLAN_E_ROW: {
      int rc = SLUICE_OK;
      for (int i = 0; !rc && i < e->u.row.n; i++) rc = check_grouped(g, e->u.row.items[i]);
      return rc;
    }
    case PLAN_E_PERIOD_PRED: {
      int rc = check_grouped(g, e->u.period.left);
      return rc ? rc : check_grouped(g, e->u.period.right);
    }
  }
  return SLUICE_OK;
}

/* First node of e for which fn holds (pre-order), or NULL. */
typedef struct first_hit {
  bool (*fn)(const plan_expr *, void *);
  const plan_expr *hit;
} first_hit;

static bool record_hit(const plan_expr *e, void *arg) {
  first_hit *h = arg;
  if (h->fn(e, NULL)) {
    h->hit = e;
    return true;
  }
  return false;
}

static const plan_expr *first(const plan_expr *e, bool (*fn)(const plan_expr *, void *)) {
  first_hit h = {fn, NULL};
  bind_expr_any(e, record_hit, &h);
  return h.hit;
}

/* STEP/FLOOR/CEIL of an ordinary TIMESTAMP column: the event-time window key of
 * DESIGN.md section 4. */
static bool is_event_time_key(const plan_expr *e) {
  if (e->kind != PLAN_E_CALL || !e->u.call.fn || e->u.call.nargs < 1) return false;
  const char *n = e->u.call.fn->name;
  if (strcmp(n, "STEP") != 0 && strcmp(n, "FLOOR") != 0 && strcmp(n, "CEIL") != 0 &&
      strcmp(n, "CEILING") != 0)
    return false;
  const plan_expr *a = e->u.call.args[0];
  return a->kind == PLAN_E_COLUMN && a->type.id == CORE_T_TIMESTAMP && a->u.column.level == 0;
}

int validate_select(binder *b, plan_query *q) {
  plan_select *sel = &q->u.select;
  const parse_select *ps = &q->src->u.select;
  bool streaming = q->streaming;
  int rc;
  /* a FROM item's OVER is only meaningful in a stream-to-stream join */
  if (sel->from->kind != PLAN_R_JOIN && sel->from->window)
    return bind_fail(b, sel->from->window->src->loc, SLUICE_SEMANTIC,
                     "OVER in the FROM clause is only allowed in a stream-to-stream join");
  /* A windowed aggregate over grouped rows (`AVG(COUNT(*)) OVER (PARTITION BY page ROWS 10
   * PRECEDING)` with GROUP BY) runs over the groups as they are emitted; its arguments and
   * partition keys must be grouped (check_grouped). [IMPL] Not over a STAGGER window. */
  if (sel->stagger && sel->windowed) {
    for (int i = 0; i < sel->nitems; i++) {
      const plan_expr *w = first(sel->items[i].expr, is_windowed);
      if (w)
        return bind_fail(b, loc_of(w), SLUICE_SEMANTIC,
                         "windowed aggregates cannot be combined with WINDOWED BY STAGGER");
    }
  }
  /* COUNT(DISTINCT x): not in streaming or windowed aggregation */
  for (int i = 0; i < sel->nitems; i++) {
    const plan_expr *cd = first(sel->items[i].expr, is_count_distinct);
    if (cd && (streaming || cd->kind == PLAN_E_WINDOWED))
      return bind_fail(b, loc_of(cd), SLUICE_SEMANTIC,
                       "COUNT(DISTINCT ...) is not supported in streaming or windowed "
                       "aggregation");
  }
  if (streaming && sel->having) {
    const plan_expr *cd = first(sel->having, is_count_distinct);
    if (cd)
      return bind_fail(b, loc_of(cd), SLUICE_SEMANTIC,
                       "COUNT(DISTINCT ...) is not supported in streaming or windowed "
                       "aggregation");
  }
  /* HAVING needs GROUP BY on a stream */
  if (streaming && ps->having && sel->ngroup == 0 && !sel->stagger)
    return bind_fail(b, ps->having->loc, SLUICE_SEMANTIC,
                     "HAVING clause requires GROUP BY in a streaming query");
  /* STAGGER needs RANGE <interval> */
  if (sel->stagger) {
    plan_window *w = sel->stagger;
    if (w->units != PARSE_FRAME_RANGE || !w->range || !core_type_is_interval(w->range->type.id))
      return bind_fail(b, w->src->loc, SLUICE_SEMANTIC, "STAGGER needs RANGE INTERVAL ...");
    if (w->npartition == 0)
      return bind_fail(b, w->src->loc, SLUICE_SEMANTIC, "STAGGER needs PARTITION BY");
    if (sel->ngroup)
      return bind_fail(
          b, ps->group_by.items[0] ? ((const parse_expr *)ps->group_by.items[0])->loc : w->src->loc,
          SLUICE_SEMANTIC, "GROUP BY cannot be combined with WINDOWED BY STAGGER");
    if (!streaming)
      return bind_fail(b, w->src->loc, SLUICE_SEMANTIC, "STAGGER windows need a stream");
  }
  /* streaming GROUP BY: a monotonic key closes the windows (spec 1.10) */
  if (streaming && sel->aggregate && !sel->stagger) {
    int nrowtime = 0;
    for (int i = 0; i < sel->ngroup; i++) {
      plan_expr *k = sel->group_by[i];
      if (k->rowtime_based && k->mono != PLAN_MONO_CONST && ++nrowtime > 1)
        return bind_fail(b, loc_of(k), SLUICE_SEMANTIC, "multiple ROWTIME columns in GROUP BY");
    }
    for (int i = 0; i < sel->ngroup && sel->time_key < 0; i++)
      if (plan_mono_key((plan_mono)sel->group_by[i]->mono)) sel->time_key = i;
    if (sel->time_key < 0 && !b->ctx->strict)
      for (int i = 0; i < sel->ngroup && sel->time_key < 0; i++)
        if (is_event_time_key(sel->group_by[i])) {
          sel->time_key = i;
          sel->event_time_window = true;
        }
    if (sel->time_key < 0) {
      parse_loc loc = sel->ngroup ? loc_of(sel->group_by[0]) : ps->from->loc;
      if (!sel->ngroup)
        for (int i = 0; i < sel->nitems; i++) {
          const plan_expr *a = first(sel->items[i].expr, is_agg);
          if (a) {
            loc = loc_of(a);
            break;
          }
        }
      bind_fail(b, loc, SLUICE_SEMANTIC,
                "streaming aggregation requires at least one monotonic expression in GROUP BY "
                "clause");
      core_error_hint(b->err, "Group by a ROWTIME-based expression such as "
                              "STEP(s.ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(s.ROWTIME TO "
                              "MINUTE).");
      return SLUICE_SEMANTIC;
    }
  }
  /* non-aggregated select items must be grouping keys (or derived from them) */
  if (sel->aggregate) {
    grouped_ctx g = {.b = b, .keys = sel->group_by, .nkeys = sel->ngroup, .streaming = streaming};
    if (sel->stagger) {
      g.keys = sel->stagger->partition;
      g.nkeys = sel->stagger->npartition;
    }
    for (int i = 0; i < sel->nitems; i++)
      if ((rc = check_grouped(&g, sel->items[i].expr))) return rc;
    if ((rc = check_grouped(&g, sel->having))) return rc;
  }
  /* streaming DISTINCT needs a monotonic item */
  if (streaming && sel->distinct) {
    bool ok = false;
    for (int i = 0; i < sel->nitems && !ok; i++)
      ok = plan_mono_key((plan_mono)sel->items[i].expr->mono);
    if (!ok)
      return bind_fail(b, q->src->loc, SLUICE_SEMANTIC,
                       "streaming SELECT DISTINCT requires a monotonic expression in the select "
                       "list");
  }
  return SLUICE_OK;
}

/* ------------------------------------------------------ set operations -- */

int validate_setop(binder *b, plan_query *q) {
  static const char *const names[] = {"UNION", "INTERSECT", "EXCEPT"};
  parse_setop op = q->u.setop.op;
  plan_query *l = q->u.setop.left, *r = q->u.setop.right;
  if (q->u.setop.all && op != PARSE_SET_UNION)
    return bind_fail(b, q->src->loc, SLUICE_UNSUPPORTED, "%s ALL is not supported", names[op]);
  if (!q->streaming) return SLUICE_OK;
  if (l->streaming != r->streaming)
    return bind_fail(b, q->src->loc, SLUICE_SEMANTIC,
                     "set operator cannot combine streaming and non-streaming inputs");
  if (op != PARSE_SET_UNION)
    return bind_fail(b, q->src->loc, SLUICE_SEMANTIC, "%s is not allowed on streams", names[op]);
  if (!q->u.setop.all) {
    bind_fail(b, q->src->loc, SLUICE_SEMANTIC, "UNION on streams requires ALL");
    core_error_hint(b->err, "Only UNION ALL is allowed on streams.");
    return SLUICE_SEMANTIC;
  }
  return SLUICE_OK;
}

/* ------------------------------------------------------------ ORDER BY -- */

static bool is_unqualified_rowtime(const plan_expr *e, void *arg) {
  (void)arg;
  return e->kind == PLAN_E_ROWTIME && e->src && e->src->kind == PARSE_E_COLUMN &&
         e->src->u.column.parts.n == 1;
}

int validate_order_by(binder *b, plan_query *q) {
  if (q->norder == 0) {
    if (q->within)
      return bind_fail(b, q->within->src->loc, SLUICE_SEMANTIC, "WITHIN needs ORDER BY");
    return SLUICE_OK;
  }
  plan_sort *lead = &q->order_by[0];
  parse_loc loc = lead->src->loc;
  if (q->within) {
    if (!q->streaming)
      return bind_fail(b, q->within->src->loc, SLUICE_SEMANTIC, "WITHIN needs a streaming query");
    if (lead->expr->type.id != CORE_T_TIMESTAMP)
      return bind_fail(b, loc, SLUICE_SEMANTIC, "the T-sort key must be TIMESTAMP, not %s",
                       plan_type_str(b->ctx->arena, lead->expr->type));
    if (lead->desc)
      return bind_fail(b, loc, SLUICE_SEMANTIC, "the T-sort key cannot be sorted DESC");
    const plan_expr *rt = first(lead->expr, is_unqualified_rowtime);
    if (rt)
      return bind_fail(b, loc_of(rt), SLUICE_SEMANTIC, "ROWTIME must be qualified in a T-sort key");
    bool aliased = false;
    if (q->kind == PLAN_Q_SELECT && q->u.select.rowtime_item >= 0) {
      int k = q->u.select.rowtime_item;
      aliased = lead->ordinal == k || bind_expr_equal(q->u.select.items[k].expr, lead->expr);
    }
    if (!aliased)
      return bind_fail(b, loc, SLUICE_SEMANTIC,
                       "the T-sort key must appear in the select list aliased AS ROWTIME");
    return SLUICE_OK;
  }
  if (q->streaming && !plan_mono_key((plan_mono)lead->expr->mono)) {
    bind_fail(b, loc, SLUICE_SEMANTIC, "streaming ORDER BY must start with monotonic expression");
    core_error_hint(b->err, "Sort by ROWTIME or a ROWTIME-based expression first, for example "
                            "ORDER BY FLOOR(s.ROWTIME TO SECOND), x.");
    return SLUICE_SEMANTIC;
  }
  return SLUICE_OK;
}

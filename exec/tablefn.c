/*
 * tablefn.c — the operators of table functions (exec.h exec_tablefn_new), one entry per
 * function in TABLE_FNS below.
 */
#include <string.h>

#include "exec/exec.h"

typedef exec_op *(*tablefn_ctor)(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err);
exec_op *exec_rcf_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err);
exec_op *exec_hotspots_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err);
exec_op *exec_top_k_items_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err);
exec_op *exec_count_distinct_items_new(exec_ctx *ctx, const exec_tablefn_config *c,
                                       core_error *err);

static const struct {
  const char *name;
  tablefn_ctor make;
} TABLE_FNS[] = {
    {"RANDOM_CUT_FOREST", exec_rcf_new},                              /* tablefn_rcf.c */
    {"RANDOM_CUT_FOREST_WITH_EXPLANATION", exec_rcf_new},             /* tablefn_rcf.c */
    {"HOTSPOTS", exec_hotspots_new},                                  /* tablefn_hotspots.c */
    {"TOP_K_ITEMS_TUMBLING", exec_top_k_items_new},                   /* tablefn_topk.c */
    {"COUNT_DISTINCT_ITEMS_TUMBLING", exec_count_distinct_items_new}, /* tablefn_topk.c */
    {NULL, NULL}, /* the functions of issue 6 register here */
};

exec_op *exec_tablefn_new(exec_ctx *ctx, const exec_tablefn_config *c, core_error *err) {
  for (size_t i = 0; i < sizeof TABLE_FNS / sizeof TABLE_FNS[0]; i++)
    if (TABLE_FNS[i].name && strcmp(TABLE_FNS[i].name, c->fn->name) == 0)
      return TABLE_FNS[i].make(ctx, c, err);
  core_error_set(err, SLUICE_UNSUPPORTED, "table function %s is not available yet", c->fn->name);
  return NULL;
}

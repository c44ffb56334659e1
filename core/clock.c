/* clock.c — the one source of time: live, replay and test clocks. */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/core.h"

struct core_clock {
  core_clock_kind kind;
  _Atomic int64_t now; /* replay and test clocks only */
};

int64_t core_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t core_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

core_clock *core_clock_new(core_clock_kind kind, int64_t start_ms) {
  core_clock *c = malloc(sizeof *c);
  if (!c) return NULL;
  c->kind = kind;
  atomic_init(&c->now, start_ms);
  return c;
}

void core_clock_free(core_clock *c) {
  free(c);
}

core_clock_kind core_clock_kind_of(const core_clock *c) {
  return c->kind;
}

int64_t core_clock_now(const core_clock *c) {
  if (c->kind == CORE_CLOCK_LIVE) return core_wall_ms();
  return atomic_load_explicit(&((core_clock *)c)->now, memory_order_acquire);
}

void core_clock_set(core_clock *c, int64_t ms) {
  if (c->kind == CORE_CLOCK_LIVE) return;
  int64_t cur = atomic_load(&c->now);
  while (ms > cur && !atomic_compare_exchange_weak(&c->now, &cur, ms)) {
  }
}

void core_clock_advance(core_clock *c, int64_t delta_ms) {
  if (c->kind == CORE_CLOCK_LIVE || delta_ms <= 0) return;
  atomic_fetch_add(&c->now, delta_ms);
}

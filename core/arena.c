/*
 * arena.c — region allocation: a chain of blocks, allocation bumps a pointer,
 * everything is released at once. Requests larger than a block get a block of
 * their own so a big string never wastes the rest of a normal block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

typedef struct arena_block {
  struct arena_block *next;
  size_t size; /* usable bytes in data[] */
  size_t used;
  _Alignas(16) unsigned char data[];
} arena_block;

struct core_arena {
  arena_block *head; /* current block; older blocks follow */
  size_t block_size;
  size_t used; /* bytes handed out */
  bool oom;
};

static arena_block *block_new(size_t size) {
  arena_block *b = malloc(sizeof *b + size);
  if (!b) return NULL;
  b->next = NULL;
  b->size = size;
  b->used = 0;
  return b;
}

core_arena *core_arena_new(size_t block_size) {
  core_arena *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->block_size = block_size ? block_size : 64 * 1024;
  a->head = block_new(a->block_size);
  if (!a->head) {
    free(a);
    return NULL;
  }
  return a;
}

void core_arena_free(core_arena *a) {
  if (!a) return;
  for (arena_block *b = a->head, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(a);
}

void core_arena_reset(core_arena *a) {
  arena_block *b = a->head, *keep = NULL;
  while (b) { /* keep the oldest block: it has the standard size */
    arena_block *next = b->next;
    if (!next && b->size == a->block_size) {
      keep = b;
    } else {
      free(b);
    }
    b = next;
  }
  if (!keep) keep = block_new(a->block_size);
  if (keep) keep->used = 0;
  a->head = keep;
  a->used = 0;
  a->oom = keep == NULL;
}

void *core_arena_alloc(core_arena *a, size_t size) {
  size = (size + 15) & ~(size_t)15;
  arena_block *b = a->head;
  if (!b || b->size - b->used < size) {
    if (size > a->block_size / 4) { /* a big request: its own block behind the current one */
      arena_block *big = block_new(size);
      if (!big) {
        a->oom = true;
        return NULL;
      }
      big->used = size;
      if (b) {
        big->next = b->next;
        b->next = big;
      } else {
        a->head = big;
      }
      a->used += size;
      return big->data;
    }
    arena_block *nb = block_new(a->block_size);
    if (!nb) {
      a->oom = true;
      return NULL;
    }
    nb->next = b;
    a->head = b = nb;
  }
  void *p = b->data + b->used;
  b->used += size;
  a->used += size;
  return p;
}

void *core_arena_zalloc(core_arena *a, size_t size) {
  void *p = core_arena_alloc(a, size);
  if (p) memset(p, 0, size);
  return p;
}

char *core_arena_strndup(core_arena *a, const char *s, size_t n) {
  char *p = core_arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *core_arena_strdup(core_arena *a, const char *s) {
  return core_arena_strndup(a, s, strlen(s));
}

char *core_arena_printf(core_arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = n >= 0 ? core_arena_alloc(a, (size_t)n + 1) : NULL;
  if (p) vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

bool core_arena_oom(const core_arena *a) {
  return a->oom;
}

size_t core_arena_used(const core_arena *a) {
  return a->used;
}

/*
 * ops.c — the per-stream operations: shard ids and sequence numbers,
 * describing, routing, resharding, appending, iterators, reading, waiting
 * and notification.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "stream/stream_int.h"

/* ------------------------------------------------- ids, sequence numbers -- */

/* Writes v as exactly width decimal digits (width even), zero-padded on the
 * left, two digits per step. Both formats below are fixed-width and sit on
 * every record of PutRecords and GetRecords replies, where snprintf cost ~10 %
 * of the CPU. */
static void put_digits(char *p, uint64_t v, int width) {
  static const char pairs[201] =
      "00010203040506070809101112131415161718192021222324252627282930313233"
      "34353637383940414243444546474849505152535455565758596061626364656667"
      "6869707172737475767778798081828384858687888990919293949596979899";
  for (int i = width; i > 0; i -= 2) {
    const char *d = pairs + 2 * (v % 100);
    p[i - 2] = d[0];
    p[i - 1] = d[1];
    v /= 100;
  }
}

size_t stream_shard_id_format(uint32_t index, char buf[STREAM_SHARD_ID_TEXT]) {
  /* `shardId-%012u`: 12 digits hold every uint32_t */
  memcpy(buf, "shardId-", 8);
  put_digits(buf + 8, index, 12);
  buf[20] = 0;
  return 20;
}

int stream_shard_id_parse(const char *s, size_t n, uint32_t *index) {
  if (n < 9 || n > 20 || memcmp(s, "shardId-", 8) != 0) return SLUICE_INVALID;
  uint64_t v = 0;
  for (size_t i = 8; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return SLUICE_INVALID;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > UINT32_MAX) return SLUICE_INVALID;
  *index = (uint32_t)v;
  return SLUICE_OK;
}

void stream_seq_format(uint32_t shard_index, uint64_t pos, char buf[STREAM_SEQ_TEXT]) {
  /* "49" | shard, 10 digits | position, 20 digits | 24 zeros (stream.h) */
  buf[0] = '4';
  buf[1] = '9';
  put_digits(buf + 2, shard_index, 10);
  put_digits(buf + 12, pos, 20);
  memset(buf + 32, '0', 24);
  buf[STREAM_SEQ_DIGITS] = 0;
}

int stream_seq_decode(const char *s, size_t n, uint32_t *shard_index, uint64_t *pos) {
  if (n != STREAM_SEQ_DIGITS || s[0] != '4' || s[1] != '9') return SLUICE_INVALID;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return SLUICE_INVALID;
  for (size_t i = 32; i < n; i++)
    if (s[i] != '0') return SLUICE_INVALID;
  uint64_t sh = 0, p = 0;
  for (size_t i = 2; i < 12; i++) sh = sh * 10 + (uint64_t)(s[i] - '0');
  for (size_t i = 12; i < 32; i++) {
    uint64_t d = (uint64_t)(s[i] - '0');
    if (p > (UINT64_MAX - d) / 10) return SLUICE_INVALID;
    p = p * 10 + d;
  }
  if (sh > UINT32_MAX) return SLUICE_INVALID;
  *shard_index = (uint32_t)sh;
  *pos = p;
  return SLUICE_OK;
}

/* ------------------------------------------------------------- notifying -- */

void stream_notify(stream_handle *h, uint32_t shard_index) {
  atomic_fetch_add(&h->version, 1);
  if (atomic_load(&h->waiters) > 0) {
    pthread_mutex_lock(&h->wait_mu);
    pthread_cond_broadcast(&h->wait_cv);
    pthread_mutex_unlock(&h->wait_mu);
  }
  if (atomic_load(&h->n_subs) > 0) {
    pthread_mutex_lock(&h->sub_mu);
    for (uint32_t i = 0; i < h->n_subs_cap; i++) {
      sub *s = &h->subs[i];
      if (!s->id) continue;
      if (s->fd >= 0) {
        uint64_t one = 1;
        ssize_t w = write(s->fd, &one, sizeof one); /* EAGAIN: already readable */
        (void)w;
      } else {
        s->fn(s->arg, h, shard_index);
      }
    }
    pthread_mutex_unlock(&h->sub_mu);
  }
}

uint64_t stream_version(stream_handle *h) {
  return atomic_load(&h->version);
}

int64_t stream_last_arrival(stream_handle *h) {
  return atomic_load(&h->last_arrival);
}

int64_t stream_time_bound(stream_handle *h, int64_t now_floor) {
  pthread_rwlock_rdlock(&h->lock);
  /* last_arrival first, then the in-flight marks: an append that raised
   * last_arrival before this load announced itself before raising it. */
  int64_t last = atomic_load(&h->last_arrival);
  int64_t bound = last > now_floor ? last : now_floor;
  for (uint32_t i = 0; i < h->n_routes; i++) {
    int64_t f = atomic_load(&h->routes[i].sh->inflight);
    if (f < bound) bound = f;
  }
  pthread_rwlock_unlock(&h->lock);
  return bound;
}

static int sub_add(stream_handle *h, stream_notify_fn fn, void *arg, int fd, uint64_t *id,
                   core_error *e) {
  pthread_mutex_lock(&h->sub_mu);
  uint32_t slot = UINT32_MAX;
  for (uint32_t i = 0; i < h->n_subs_cap && slot == UINT32_MAX; i++)
    if (!h->subs[i].id) slot = i;
  if (slot == UINT32_MAX) {
    uint32_t cap = h->n_subs_cap ? h->n_subs_cap * 2 : 4;
    sub *x = realloc(h->subs, cap * sizeof *x);
    if (!x) {
      pthread_mutex_unlock(&h->sub_mu);
      return core_error_set(e, SLUICE_NOMEM, "out of memory");
    }
    memset(x + h->n_subs_cap, 0, (cap - h->n_subs_cap) * sizeof *x);
    slot = h->n_subs_cap;
    h->subs = x;
    h->n_subs_cap = cap;
  }
  h->subs[slot] = (sub){h->next_sub_id++, fn, arg, fd};
  *id = h->subs[slot].id;
  atomic_fetch_add(&h->n_subs, 1);
  pthread_mutex_unlock(&h->sub_mu);
  return SLUICE_OK;
}

int stream_subscribe(stream_handle *h, stream_notify_fn fn, void *arg, uint64_t *id,
                     core_error *e) {
  if (!fn) return core_error_set(e, SLUICE_INVALID, "notification function is missing");
  return sub_add(h, fn, arg, -1, id, e);
}

int stream_subscribe_fd(stream_handle *h, int *fd, uint64_t *id, core_error *e) {
  int f = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (f < 0)
    return core_error_set(e, SLUICE_IO, "could not create an eventfd: %s", strerror(errno));
  int rc = sub_add(h, NULL, NULL, f, id, e);
  if (rc != SLUICE_OK) {
    close(f);
    return rc;
  }
  *fd = f;
  return SLUICE_OK;
}

void stream_unsubscribe(stream_handle *h, uint64_t id) {
  pthread_mutex_lock(&h->sub_mu);
  for (uint32_t i = 0; i < h->n_subs_cap; i++)
    if (h->subs[i].id == id) {
      if (h->subs[i].fd >= 0) close(h->subs[i].fd);
      h->subs[i] = (sub){0, NULL, NULL, -1};
      atomic_fetch_sub(&h->n_subs, 1);
      break;
    }
  pthread_mutex_unlock(&h->sub_mu);
}

/* -------------------------------------------------------------- checking -- */

/* Common entry checks under h->lock: the stream exists. */
static int check_alive(stream_handle *h, core_error *e) {
  if (atomic_load(&h->gone))
    return core_error_set(e, SLUICE_NOTFOUND, "stream %s not found", h->name);
  return SLUICE_OK;
}

static int get_shard(stream_handle *h, uint32_t index, shard **out, core_error *e) {
  if (index >= h->n_shards || atomic_load(&h->shards[index]->expired)) {
    char id[STREAM_SHARD_ID_TEXT];
    stream_shard_id_format(index, id);
    return core_error_set(e, SLUICE_NOTFOUND, "shard %s of stream %s does not exist", id, h->name);
  }
  *out = h->shards[index];
  return SLUICE_OK;
}

/* ------------------------------------------------------------- describing -- */

static void fill_shard_info(stream_handle *h, shard *sh, core_arena *a, stream_shard_info *o) {
  memset(o, 0, sizeof *o);
  o->index = sh->index;
  stream_shard_id_format(sh->index, o->id);
  o->start_hash = sh->start;
  o->end_hash = sh->end;
  o->parent = sh->parent;
  o->adjacent_parent = sh->adjacent_parent;
  o->closed = sh->closed;
  o->created_ms = sh->created_ms;
  o->closed_ms = sh->closed ? sh->closed_ms : -1;
  stream_shard_bounds(sh, &o->trim_pos, &o->next_pos);
  stream_seq_format(sh->index, 0, o->starting_seq);
  o->ending_seq[0] = 0;
  if (sh->closed) {
    stream_seq_format(sh->index, o->next_pos ? o->next_pos - 1 : 0, o->ending_seq);
    /* Children: shards born by the reshard that closed sh (contiguous indexes,
     * since epochs grow with indexes) whose ranges overlap sh. */
    uint32_t first = sh->index + 1, cnt = 0;
    while (first < h->n_shards && h->shards[first]->born_epoch < sh->closed_epoch) first++;
    uint32_t last = first;
    while (last < h->n_shards && h->shards[last]->born_epoch == sh->closed_epoch) last++;
    o->children = core_arena_alloc(a, (last - first + 1) * sizeof *o->children);
    for (uint32_t i = first; o->children && i < last; i++) {
      const shard *c = h->shards[i];
      if (c->start <= sh->end && c->end >= sh->start) o->children[cnt++] = c->index;
    }
    o->n_children = cnt;
  }
}

int stream_describe(stream_handle *h, core_arena *a, stream_info **out, core_error *e) {
  pthread_rwlock_rdlock(&h->lock);
  int rc = check_alive(h, e);
  if (rc != SLUICE_OK) {
    pthread_rwlock_unlock(&h->lock);
    return rc;
  }
  stream_info *in = core_arena_zalloc(a, sizeof *in);
  if (in) {
    in->name = core_arena_strdup(a, h->name);
    in->generation = h->gen;
    in->status = stream_status_locked(h, core_clock_now(h->st->clock));
    in->shards = core_arena_alloc(a, (h->n_shards + 1) * sizeof *in->shards);
    for (uint32_t i = 0; in->shards && i < h->n_shards; i++) {
      shard *sh = h->shards[i];
      if (atomic_load(&sh->expired)) continue;
      fill_shard_info(h, sh, a, &in->shards[in->n_shards++]);
    }
    in->open_shards = h->n_routes;
    pthread_mutex_lock(&h->meta_mu);
    in->mode = h->mode;
    in->created_ms = h->created_ms;
    in->retention_hours = h->retention_hours;
    in->encryption = h->encryption;
    in->key_id = core_arena_strdup(a, h->key_id);
    in->tags = core_arena_alloc(a, (h->n_tags + 1) * sizeof *in->tags);
    for (uint32_t i = 0; in->tags && i < h->n_tags; i++)
      in->tags[i] = (stream_tag){core_arena_strdup(a, h->tags[i].key),
                                 core_arena_strdup(a, h->tags[i].value)};
    in->n_tags = h->n_tags;
    in->metrics = core_arena_alloc(a, (h->n_metrics + 1) * sizeof *in->metrics);
    for (uint32_t i = 0; in->metrics && i < h->n_metrics; i++)
      in->metrics[i] = core_arena_strdup(a, h->metrics[i]);
    in->n_metrics = h->n_metrics;
    in->consumers = core_arena_alloc(a, (h->n_consumers + 1) * sizeof *in->consumers);
    for (uint32_t i = 0; in->consumers && i < h->n_consumers; i++)
      in->consumers[i] = (stream_consumer){core_arena_strdup(a, h->consumers[i].name),
                                           core_arena_strdup(a, h->consumers[i].arn),
                                           h->consumers[i].status, h->consumers[i].created_ms};
    in->n_consumers = h->n_consumers;
    pthread_mutex_unlock(&h->meta_mu);
  }
  pthread_rwlock_unlock(&h->lock);
  if (!in || core_arena_oom(a)) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  *out = in;
  return SLUICE_OK;
}

int stream_shard_get(stream_handle *h, uint32_t index, core_arena *a, stream_shard_info *out,
                     core_error *e) {
  pthread_rwlock_rdlock(&h->lock);
  shard *sh = NULL;
  int rc = check_alive(h, e);
  if (rc == SLUICE_OK) rc = get_shard(h, index, &sh, e);
  if (rc == SLUICE_OK) fill_shard_info(h, sh, a, out);
  pthread_rwlock_unlock(&h->lock);
  if (rc == SLUICE_OK && core_arena_oom(a)) rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
  return rc;
}

/* The index in h->routes of the route holding k. Caller holds h->lock; there
 * is at least one route. */
static uint32_t route_slot(const stream_handle *h, core_u128 k) {
  uint32_t lo = 0, hi = h->n_routes;
  while (hi - lo > 1) {
    uint32_t mid = (lo + hi) / 2;
    if (h->routes[mid].start <= k)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

int stream_route(stream_handle *h, core_u128 k, uint32_t *index, core_error *e) {
  pthread_rwlock_rdlock(&h->lock);
  int rc = check_alive(h, e);
  if (rc == SLUICE_OK) *index = h->routes[route_slot(h, k)].sh->index;
  pthread_rwlock_unlock(&h->lock);
  return rc;
}

/* ------------------------------------------------------------- resharding -- */

typedef struct new_shard {
  core_u128 start, end;
  int64_t parent, adjacent;
} new_shard;

/* Checks that a reshard may start. Caller holds the write lock. */
static int reshard_check(stream_handle *h, int64_t now, core_error *e) {
  int rc = check_alive(h, e);
  if (rc != SLUICE_OK) return rc;
  stream_status s = stream_status_locked(h, now);
  if (s != STREAM_ACTIVE)
    return core_error_set(e, SLUICE_STATE, "stream %s is not active (it is %s)", h->name,
                          stream_status_name(s));
  return SLUICE_OK;
}

static int check_open(stream_handle *h, uint32_t index, shard **out, core_error *e) {
  int rc = get_shard(h, index, out, e);
  if (rc == SLUICE_OK && (*out)->closed) {
    char id[STREAM_SHARD_ID_TEXT];
    stream_shard_id_format(index, id);
    return core_error_set(e, SLUICE_STATE,
                          "shard %s of stream %s is closed: it has already been merged or split",
                          id, h->name);
  }
  return rc;
}

/*
 * Closes the shards close[0..nc-1] and creates ns new shards in one step with
 * one metadata write as the commit point. Caller holds the write lock and has
 * validated everything.
 */
static int reshard_apply(stream_handle *h, const uint32_t *close, uint32_t nc, const new_shard *ns,
                         uint32_t nn, core_error *e) {
  stream_store *st = h->st;
  int64_t now = core_clock_now(st->clock);
  int64_t open_after = (int64_t)atomic_load(&st->open_shards) - nc + nn;
  if (nn > nc && open_after > (int64_t)st->opt.shard_limit)
    return core_error_set(e, SLUICE_LIMIT,
                          "resharding stream %s would exceed the shard limit of %u", h->name,
                          st->opt.shard_limit);
  if (h->n_shards + nn > h->cap_shards) {
    uint32_t cap = h->cap_shards ? h->cap_shards : 4;
    while (cap < h->n_shards + nn) cap *= 2;
    shard **x = realloc(h->shards, cap * sizeof *x);
    if (!x) return core_error_set(e, SLUICE_NOMEM, "out of memory");
    h->shards = x;
    h->cap_shards = cap;
  }
  uint32_t epoch = h->epoch + 1, base = h->n_shards;
  int rc = SLUICE_OK;
  uint32_t made = 0;
  for (; made < nn && rc == SLUICE_OK; made++) {
    shard *sh = stream_shard_new(base + made, ns[made].start, ns[made].end);
    if (!sh) {
      rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
      break;
    }
    sh->parent = ns[made].parent;
    sh->adjacent_parent = ns[made].adjacent;
    sh->born_epoch = epoch;
    sh->created_ms = now;
    h->shards[base + made] = sh;
    rc = stream_shard_init_files(h, sh, e);
  }
  if (rc == SLUICE_OK) {
    for (uint32_t i = 0; i < nc; i++) {
      shard *sh = h->shards[close[i]];
      sh->closed = true;
      sh->closed_ms = now;
      sh->closed_epoch = epoch;
      sh->end_pos_meta = sh->next_pos;
    }
    h->n_shards = base + nn;
    uint32_t old_epoch = h->epoch;
    int64_t old_until = h->update_until_ms;
    h->epoch = epoch;
    h->update_until_ms = now + st->opt.update_delay_ms;
    pthread_mutex_lock(&h->meta_mu);
    rc = stream_meta_save(h, e);
    pthread_mutex_unlock(&h->meta_mu);
    if (rc == SLUICE_OK && stream_rebuild_routes(h) != SLUICE_OK)
      rc = core_error_set(e, SLUICE_NOMEM, "out of memory"); /* (the old routes still stand) */
    if (rc != SLUICE_OK) {
      for (uint32_t i = 0; i < nc; i++) {
        shard *sh = h->shards[close[i]];
        sh->closed = false;
        sh->closed_ms = -1;
        sh->closed_epoch = 0;
        sh->end_pos_meta = 0;
      }
      h->n_shards = base;
      h->epoch = old_epoch;
      h->update_until_ms = old_until;
    }
  }
  if (rc != SLUICE_OK) {
    for (uint32_t i = 0; i < made && i < nn; i++) {
      shard *sh = h->shards[base + i];
      if (!sh) continue;
      if (sh->dir) stream_fs_remove_tree(sh->dir);
      stream_shard_free(sh);
      h->shards[base + i] = NULL;
    }
    return rc;
  }
  atomic_fetch_add(&st->open_shards, (int)nn - (int)nc);
  for (uint32_t i = 0; i < nc; i++) { /* the closed shards' data is final: make it durable */
    shard *sh = h->shards[close[i]];
    if (stream_sync_enabled(st)) {
      atomic_store(&sh->dirty, true);
      stream_shard_sync(h, sh);
    }
  }
  return SLUICE_OK;
}

static int reshard_done(stream_handle *h, int rc) {
  pthread_rwlock_unlock(&h->lock);
  if (rc == SLUICE_OK) {
    STREAM_DEBUG_VERIFY(h);
    stream_notify(h, UINT32_MAX);
  }
  return rc;
}

int stream_split(stream_handle *h, uint32_t index, core_u128 new_start, core_error *e) {
  pthread_rwlock_wrlock(&h->lock);
  int64_t now = core_clock_now(h->st->clock);
  shard *sh = NULL;
  int rc = reshard_check(h, now, e);
  if (rc == SLUICE_OK) rc = check_open(h, index, &sh, e);
  if (rc == SLUICE_OK &&
      !(new_start > sh->start && new_start - sh->start > 1 && new_start < sh->end)) {
    char id[STREAM_SHARD_ID_TEXT], k[CORE_U128_DIGITS], s[CORE_U128_DIGITS], en[CORE_U128_DIGITS];
    stream_shard_id_format(index, id);
    core_u128_format(new_start, k);
    core_u128_format(sh->start, s);
    core_u128_format(sh->end, en);
    rc = core_error_set(e, SLUICE_INVALID,
                        "new starting hash key %s is not both greater than one plus the starting "
                        "hash key %s and less than the ending hash key %s of shard %s",
                        k, s, en, id);
  }
  if (rc == SLUICE_OK) {
    new_shard ns[2] = {{sh->start, new_start - 1, index, -1}, {new_start, sh->end, index, -1}};
    rc = reshard_apply(h, &index, 1, ns, 2, e);
  }
  return reshard_done(h, rc);
}

int stream_merge(stream_handle *h, uint32_t a, uint32_t b, core_error *e) {
  pthread_rwlock_wrlock(&h->lock);
  int64_t now = core_clock_now(h->st->clock);
  shard *sa = NULL, *sb = NULL;
  int rc = reshard_check(h, now, e);
  if (rc == SLUICE_OK) rc = check_open(h, a, &sa, e);
  if (rc == SLUICE_OK) rc = check_open(h, b, &sb, e);
  if (rc == SLUICE_OK && (a == b || !((sa->end != CORE_U128_MAX && sa->end + 1 == sb->start) ||
                                      (sb->end != CORE_U128_MAX && sb->end + 1 == sa->start)))) {
    char ia[STREAM_SHARD_ID_TEXT], ib[STREAM_SHARD_ID_TEXT];
    stream_shard_id_format(a, ia);
    stream_shard_id_format(b, ib);
    rc = core_error_set(e, SLUICE_INVALID, "shards %s and %s of stream %s are not adjacent", ia, ib,
                        h->name);
  }
  if (rc == SLUICE_OK) {
    uint32_t close[2] = {a, b};
    new_shard ns = {sa->start < sb->start ? sa->start : sb->start,
                    sa->end > sb->end ? sa->end : sb->end, a, b};
    rc = reshard_apply(h, close, 2, &ns, 1, e);
  }
  return reshard_done(h, rc);
}

int stream_update_shard_count(stream_handle *h, uint32_t target, uint32_t *previous,
                              core_error *e) {
  pthread_rwlock_wrlock(&h->lock);
  int64_t now = core_clock_now(h->st->clock);
  int rc = reshard_check(h, now, e);
  uint32_t open = h->n_routes;
  if (previous) *previous = open;
  if (rc == SLUICE_OK && target == 0)
    rc = core_error_set(e, SLUICE_INVALID, "target shard count must be at least 1");
  if (rc == SLUICE_OK && target > 10000)
    rc = core_error_set(e, SLUICE_LIMIT, "target shard count %u is more than 10000", target);
  if (rc == SLUICE_OK && ((uint64_t)target > 2ull * open || (uint64_t)target * 2 < open))
    rc = core_error_set(e, SLUICE_LIMIT,
                        "target shard count %u of stream %s is not between half and double its "
                        "%u open shards",
                        target, h->name, open);
  /* At most STREAM_SCALINGS_PER_DAY scalings in any 24 hours (kept in memory). */
  int64_t oldest = h->scalings[h->n_scalings % STREAM_SCALINGS_PER_DAY];
  if (rc == SLUICE_OK && target != open && h->n_scalings >= STREAM_SCALINGS_PER_DAY &&
      now - oldest < 24 * 3600000LL)
    rc = core_error_set(e, SLUICE_LIMIT, "stream %s was already rescaled %d times in 24 hours",
                        h->name, STREAM_SCALINGS_PER_DAY);
  if (rc == SLUICE_OK && target != open) {
    uint32_t *close = malloc(open * sizeof *close);
    new_shard *ns = malloc(target * sizeof *ns);
    if (!close || !ns) {
      rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
    } else {
      for (uint32_t i = 0; i < open; i++) close[i] = h->routes[i].sh->index;
      uint32_t r = 0; /* routes are sorted: walk them alongside the new ranges */
      for (uint32_t i = 0; i < target; i++) {
        stream_even_range(target, i, &ns[i].start, &ns[i].end);
        while (h->routes[r].sh->end < ns[i].start) r++;
        ns[i].parent = h->routes[r].sh->index;
        ns[i].adjacent = r + 1 < open && h->routes[r + 1].sh->start <= ns[i].end
                             ? (int64_t)h->routes[r + 1].sh->index
                             : -1;
      }
      rc = reshard_apply(h, close, open, ns, target, e);
      if (rc == SLUICE_OK) h->scalings[h->n_scalings++ % STREAM_SCALINGS_PER_DAY] = now;
    }
    free(close);
    free(ns);
  }
  return reshard_done(h, rc);
}

/* ----------------------------------------------------------------- append -- */

typedef struct sel_key {
  uint32_t slot; /* route index */
  uint32_t i;    /* record index */
} sel_key;

static int cmp_sel(const void *a, const void *b) {
  const sel_key *x = a, *y = b;
  if (x->slot != y->slot) return x->slot < y->slot ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* Orders keys by route slot, keeping request order within a slot: a counting
 * sort for the usual few hundred shards, qsort beyond. */
static void sort_by_slot(sel_key *keys, size_t n, uint32_t n_routes) {
  sel_key stack[512];
  sel_key *tmp = n <= 512 ? stack : malloc(n * sizeof *tmp);
  if (n_routes > 1024 || !tmp) {
    qsort(keys, n, sizeof *keys, cmp_sel);
    return;
  }
  uint32_t at[1025] = {0};
  for (size_t k = 0; k < n; k++) at[keys[k].slot + 1]++;
  for (uint32_t r = 0; r < n_routes; r++) at[r + 1] += at[r];
  for (size_t k = 0; k < n; k++) tmp[at[keys[k].slot]++] = keys[k];
  memcpy(keys, tmp, n * sizeof *keys);
  if (tmp != stack) free(tmp);
}

static const char *key_problem(const char *k, uint32_t n) {
  if (n == 0 || !k) return "partition key is empty";
  if (n <= STREAM_PARTITION_KEY_MAX) { /* ASCII keys, the usual case: one pass */
    uint8_t any = 0;
    for (uint32_t i = 0; i < n; i++) any |= (uint8_t)k[i];
    if (any < 0x80) return NULL;
  }
  if (n > 4 * STREAM_PARTITION_KEY_MAX) return "partition key is longer than 256 characters";
  if (!core_utf8_valid(k, n)) return "partition key is not valid utf-8";
  if (core_utf8_length(k, n) > STREAM_PARTITION_KEY_MAX)
    return "partition key is longer than 256 characters";
  return NULL;
}

static const char *record_problem(const stream_record_in *r) {
  const char *why = key_problem(r->partition_key, r->partition_key_len);
  if (why) return why;
  if (r->data_len > STREAM_RECORD_MAX) return "data is larger than 1 MiB";
  if (r->data_len && !r->data) return "data is missing";
  return NULL;
}

int stream_append(stream_handle *h, const stream_record_in *recs, size_t n, int64_t arrival_ms,
                  stream_append_result *results, core_error *e) {
  if (n > UINT32_MAX) return core_error_set(e, SLUICE_LIMIT, "too many records in one append");
  sel_key stack_keys[512];
  uint32_t stack_sel[512];
  sel_key *keys = n <= 512 ? stack_keys : malloc(n * sizeof *keys);
  uint32_t *sel = n <= 512 ? stack_sel : malloc(n * sizeof *sel);
  if (!keys || !sel) {
    if (keys != stack_keys) free(keys);
    if (sel != stack_sel) free(sel);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  size_t valid = 0;
  for (size_t i = 0; i < n; i++) {
    const char *why = record_problem(&recs[i]);
    results[i] = (stream_append_result){why ? SLUICE_INVALID : SLUICE_OK, why, 0, 0, 0};
    if (!why) sel[valid++] = (uint32_t)i;
  }

  pthread_rwlock_rdlock(&h->lock);
  int rc = check_alive(h, e);
  if (rc == SLUICE_OK) {
    stream_status s = stream_status_locked(h, core_clock_now(h->st->clock));
    if (s == STREAM_CREATING || s == STREAM_DELETING)
      rc = core_error_set(e, SLUICE_STATE, "stream %s is not active (it is %s)", h->name,
                          stream_status_name(s));
  }
  uint32_t touched_stack[8], n_touched = 0;
  if (rc == SLUICE_OK && valid > 0) {
    if (h->n_routes == 1) {
      /* One open shard holds the whole key space: no hashing needed. */
      rc = stream_shard_append(h, h->routes[0].sh, recs, sel, valid, arrival_ms, results, e);
      touched_stack[n_touched++] = h->routes[0].sh->index;
    } else {
      for (size_t k = 0; k < valid; k++) {
        const stream_record_in *r = &recs[sel[k]];
        core_u128 hk = r->has_explicit_hash ? r->explicit_hash
                                            : core_hash_key(r->partition_key, r->partition_key_len);
        keys[k] = (sel_key){route_slot(h, hk), sel[k]};
      }
      sort_by_slot(keys, valid, h->n_routes);
      for (size_t k = 0; k < valid; k++) sel[k] = keys[k].i;
      size_t g = 0;
      while (g < valid) {
        size_t j = g;
        while (j < valid && keys[j].slot == keys[g].slot) j++;
        shard *sh = h->routes[keys[g].slot].sh;
        int r2 = stream_shard_append(h, sh, recs, sel + g, j - g, arrival_ms, results, e);
        if (n_touched < 8)
          touched_stack[n_touched++] = sh->index;
        else
          touched_stack[7] = UINT32_MAX; /* many shards: one notification for all */
        if (r2 != SLUICE_OK) {
          rc = r2;
          for (size_t k = j; k < valid; k++) {
            results[sel[k]].rc = r2;
            results[sel[k]].message = "not written: an earlier shard's write failed";
          }
          break;
        }
        g = j;
      }
    }
  }
  pthread_rwlock_unlock(&h->lock);
  if (keys != stack_keys) free(keys);
  if (sel != stack_sel) free(sel);
  for (uint32_t i = 0; i < n_touched; i++) stream_notify(h, touched_stack[i]);
  return rc;
}

/* ------------------------------------------------------------- iterators -- */

int stream_iterator(stream_handle *h, uint32_t shard_index, stream_iterator_type type,
                    const char *seq, size_t seq_len, int64_t timestamp_ms, stream_pos *out,
                    uint32_t *seq_shard, core_error *e) {
  if (seq_shard) *seq_shard = shard_index;
  pthread_rwlock_rdlock(&h->lock);
  shard *sh = NULL;
  int rc = check_alive(h, e);
  if (rc == SLUICE_OK) rc = get_shard(h, shard_index, &sh, e);
  uint64_t trim = 0, next = 0, pos = 0;
  if (rc == SLUICE_OK) stream_shard_bounds(sh, &trim, &next);
  if (rc == SLUICE_OK) {
    switch (type) {
      case STREAM_TRIM_HORIZON:
        pos = trim;
        break;
      case STREAM_LATEST:
        pos = next;
        break;
      case STREAM_AT_TIMESTAMP:
        rc = stream_shard_pos_at_time(h, sh, timestamp_ms, &pos, e);
        if (pos < trim) pos = trim;
        break;
      case STREAM_AT_SEQUENCE_NUMBER:
      case STREAM_AFTER_SEQUENCE_NUMBER: {
        uint32_t enc;
        if (!seq || stream_seq_decode(seq, seq_len, &enc, &pos) != SLUICE_OK) {
          rc = core_error_set(e, SLUICE_INVALID, "sequence number %.*s is not valid",
                              seq ? (int)(seq_len > 80 ? 80 : seq_len) : 0, seq ? seq : "");
          break;
        }
        if (enc != shard_index) {
          char a[STREAM_SHARD_ID_TEXT], b[STREAM_SHARD_ID_TEXT];
          stream_shard_id_format(enc, a);
          stream_shard_id_format(shard_index, b);
          if (seq_shard) *seq_shard = enc;
          rc = core_error_set(e, SLUICE_INVALID,
                              "sequence number encodes %s, while it was used with %s", a, b);
          break;
        }
        if (type == STREAM_AFTER_SEQUENCE_NUMBER) pos++;
        if (pos > next + (type == STREAM_AFTER_SEQUENCE_NUMBER)) {
          char id[STREAM_SHARD_ID_TEXT];
          stream_shard_id_format(shard_index, id);
          rc = core_error_set(e, SLUICE_INVALID,
                              "sequence number is beyond the last record of shard %s", id);
          break;
        }
        if (pos > next) pos = next;
        if (pos < trim) pos = trim;
        break;
      }
      default:
        rc = core_error_set(e, SLUICE_INVALID, "unknown iterator type %d", (int)type);
    }
  }
  pthread_rwlock_unlock(&h->lock);
  if (rc == SLUICE_OK) *out = (stream_pos){h->gen, shard_index, 0, pos};
  return rc;
}

/* ------------------------------------------------------------------- read -- */

static int check_pos(stream_handle *h, const stream_pos *at, shard **sh, core_error *e) {
  int rc = check_alive(h, e);
  if (rc != SLUICE_OK) return rc;
  if (at->generation != h->gen || at->reserved != 0)
    return core_error_set(e, SLUICE_INVALID, "position belongs to another incarnation of stream %s",
                          h->name);
  return get_shard(h, at->shard, sh, e);
}

int stream_read(stream_handle *h, const stream_pos *at, size_t max_records, size_t max_bytes,
                core_arena *a, stream_read_result *out, core_error *e) {
  memset(out, 0, sizeof *out);
  if (max_records == 0) return core_error_set(e, SLUICE_INVALID, "read limit must be at least 1");
  pthread_rwlock_rdlock(&h->lock);
  shard *sh = NULL;
  int rc = check_pos(h, at, &sh, e);
  if (rc == SLUICE_OK) {
    uint64_t trim, next;
    stream_shard_bounds(sh, &trim, &next);
    if (at->pos > next) {
      char id[STREAM_SHARD_ID_TEXT];
      stream_shard_id_format(at->shard, id);
      rc = core_error_set(e, SLUICE_INVALID, "position %" PRIu64 " is beyond the end of shard %s",
                          at->pos, id);
    }
  }
  if (rc == SLUICE_OK) rc = stream_shard_read(h, sh, at->pos, max_records, max_bytes, a, out, e);
  if (rc == SLUICE_OK) {
    out->next.generation = h->gen;
    out->next.shard = at->shard;
    out->next.reserved = 0;
    if (sh->closed) {
      uint64_t trim, next;
      stream_shard_bounds(sh, &trim, &next);
      out->shard_end = out->next.pos >= next;
    }
  }
  pthread_rwlock_unlock(&h->lock);
  return rc;
}

/* True when a wait for `at` is over (records, closed, gone). */
static bool wait_done(stream_handle *h, const stream_pos *at, int *rc, core_error *e) {
  pthread_rwlock_rdlock(&h->lock);
  bool done = true;
  shard *sh = NULL;
  if (atomic_load(&h->gone) || atomic_load(&h->deleting)) {
    *rc = SLUICE_OK;
  } else if ((*rc = check_pos(h, at, &sh, e)) == SLUICE_OK) {
    uint64_t trim, next;
    stream_shard_bounds(sh, &trim, &next);
    done = sh->closed || next > at->pos;
  }
  pthread_rwlock_unlock(&h->lock);
  return done;
}

int stream_wait(stream_handle *h, const stream_pos *at, int64_t timeout_ms, core_error *e) {
  struct timespec dl;
  clock_gettime(CLOCK_MONOTONIC, &dl);
  if (timeout_ms >= 0) {
    int64_t ns = dl.tv_nsec + (timeout_ms % 1000) * 1000000;
    dl.tv_sec += timeout_ms / 1000 + ns / 1000000000;
    dl.tv_nsec = ns % 1000000000;
  }
  for (;;) {
    uint64_t v = atomic_load(&h->version);
    int rc = SLUICE_OK;
    if (wait_done(h, at, &rc, e)) return rc;
    atomic_fetch_add(&h->waiters, 1);
    pthread_mutex_lock(&h->wait_mu);
    int w = 0;
    while (atomic_load(&h->version) == v && w != ETIMEDOUT)
      w = timeout_ms >= 0 ? pthread_cond_timedwait(&h->wait_cv, &h->wait_mu, &dl)
                          : pthread_cond_wait(&h->wait_cv, &h->wait_mu);
    pthread_mutex_unlock(&h->wait_mu);
    atomic_fetch_sub(&h->waiters, 1);
    if (w == ETIMEDOUT && atomic_load(&h->version) == v) {
      if (wait_done(h, at, &rc, e)) return rc;
      return core_error_set(e, SLUICE_TIMEOUT, "no new records in stream %s within %" PRId64 " ms",
                            h->name, timeout_ms);
    }
  }
}

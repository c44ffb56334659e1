/*
 * shard.c — one shard: its segment files, the batch codec, appending,
 * reading by position or time, recovery at open and retention.
 *
 * A shard directory holds segments named by the position of their first
 * record (`%020llu.seg`). A segment is a 32-byte header followed by batches;
 * a batch is one write() of the records one append call routed to the shard.
 * The in-memory sparse index (one entry per index_interval_bytes of batches)
 * is rebuilt by scanning at open, which also verifies every CRC and cuts off
 * a torn tail.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/stream_int.h"

/* ---------------------------------------------------------------- helpers -- */

static int sys_error(core_error *e, const char *what, const char *path) {
  return core_error_set(e, SLUICE_IO, "could not %s %s: %s", what, path, strerror(errno));
}

static int pread_full(int fd, void *buf, size_t n, uint64_t off) {
  uint8_t *p = buf;
  while (n > 0) {
    ssize_t r = pread(fd, p, n, (off_t)off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
    off += (uint64_t)r;
  }
  return 0;
}

static int pwrite_full(int fd, const void *buf, size_t n, uint64_t off) {
  const uint8_t *p = buf;
  while (n > 0) {
    ssize_t r = pwrite(fd, p, n, (off_t)off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r == 0) errno = ENOSPC;
      return -1;
    }
    p += r;
    n -= (size_t)r;
    off += (uint64_t)r;
  }
  return 0;
}

static void seg_header(uint8_t out[SEG_HEADER], uint64_t gen, uint64_t first_pos,
                       uint32_t shard_index) {
  memcpy(out, SEG_MAGIC, 8);
  put_u64(out + 8, gen);
  put_u64(out + 16, first_pos);
  put_u32(out + 24, shard_index);
  put_u32(out + 28, core_crc32c(0, out, 28));
}

static seg *seg_alloc(int fd, uint64_t first_pos, char *path) {
  seg *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  atomic_init(&s->refs, 1);
  s->fd = fd;
  s->first_pos = s->end_pos = first_pos;
  s->size = SEG_HEADER;
  s->first_arrival = s->last_arrival = INT64_MIN;
  s->last_idx_off = 0;
  s->path = path;
  return s;
}

void stream_seg_unref(seg *s) {
  if (!s) return;
  if (atomic_fetch_sub(&s->refs, 1) != 1) return;
  if (s->fd >= 0) close(s->fd);
  free(s->idx);
  free(s->path);
  free(s);
}

static char *seg_path(const shard *sh, uint64_t first_pos) {
  size_t n = strlen(sh->dir) + 32;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%020" PRIu64 ".seg", sh->dir, first_pos);
  return p;
}

static int seg_index_add(seg *s, uint64_t pos, int64_t arrival, uint64_t off) {
  if (s->n_idx == s->cap_idx) {
    uint32_t cap = s->cap_idx ? s->cap_idx * 2 : 16;
    seg_index *x = realloc(s->idx, cap * sizeof *x);
    if (!x) return SLUICE_NOMEM;
    s->idx = x;
    s->cap_idx = cap;
  }
  s->idx[s->n_idx++] = (seg_index){pos, arrival, off};
  s->last_idx_off = off;
  return SLUICE_OK;
}

/* Notes a committed batch in s's bookkeeping (caller holds seg_mu or owns s). */
static int seg_note_batch(seg *s, uint32_t interval, uint64_t off, uint64_t len, uint64_t pos,
                          uint32_t count, int64_t arrival) {
  int rc = SLUICE_OK;
  if (s->n_idx == 0 || off - s->last_idx_off >= interval) rc = seg_index_add(s, pos, arrival, off);
  if (s->first_arrival == INT64_MIN) s->first_arrival = arrival;
  s->last_arrival = arrival;
  s->end_pos = pos + count;
  s->size = off + len;
  return rc;
}

static int seg_create(stream_handle *h, shard *sh, uint64_t first_pos, seg **out, core_error *e) {
  char *path = seg_path(sh, first_pos);
  if (!path) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int rc = sys_error(e, "create segment", path);
    free(path);
    return rc;
  }
  uint8_t hdr[SEG_HEADER];
  seg_header(hdr, h->gen, first_pos, sh->index);
  if (pwrite_full(fd, hdr, sizeof hdr, 0) != 0 ||
      (stream_sync_enabled(h->st) && (fdatasync(fd) != 0 || stream_fs_sync_dir(sh->dir) != 0))) {
    int rc = sys_error(e, "write segment header", path);
    close(fd);
    unlink(path);
    free(path);
    return rc;
  }
  seg *s = seg_alloc(fd, first_pos, path);
  if (!s) {
    close(fd);
    free(path);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  *out = s;
  return SLUICE_OK;
}

static int shard_push_seg(shard *sh, seg *s) {
  if (sh->n_segs == sh->cap_segs) {
    uint32_t cap = sh->cap_segs ? sh->cap_segs * 2 : 4;
    seg **x = realloc(sh->segs, cap * sizeof *x);
    if (!x) return SLUICE_NOMEM;
    sh->segs = x;
    sh->cap_segs = cap;
  }
  sh->segs[sh->n_segs++] = s;
  return SLUICE_OK;
}

/* ----------------------------------------------------------------- shards -- */

shard *stream_shard_new(uint32_t index, core_u128 start, core_u128 end) {
  shard *sh = calloc(1, sizeof *sh);
  if (!sh) return NULL;
  sh->index = index;
  sh->start = start;
  sh->end = end;
  sh->parent = sh->adjacent_parent = -1;
  sh->closed_ms = -1;
  atomic_init(&sh->expired, false);
  atomic_init(&sh->dirty, false);
  atomic_init(&sh->inflight, INT64_MAX);
  pthread_mutex_init(&sh->append_mu, NULL);
  pthread_mutex_init(&sh->seg_mu, NULL);
  return sh;
}

void stream_shard_free(shard *sh) {
  if (!sh) return;
  for (uint32_t i = 0; i < sh->n_segs; i++) stream_seg_unref(sh->segs[i]);
  free(sh->segs);
  free(sh->buf);
  free(sh->dir);
  pthread_mutex_destroy(&sh->append_mu);
  pthread_mutex_destroy(&sh->seg_mu);
  free(sh);
}

static int shard_set_dir(stream_handle *h, shard *sh, core_error *e) {
  if (sh->dir) return SLUICE_OK;
  char name[24];
  snprintf(name, sizeof name, "%012u", sh->index);
  sh->dir = stream_fs_join(h->dir, name);
  if (!sh->dir) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  return SLUICE_OK;
}

int stream_shard_init_files(stream_handle *h, shard *sh, core_error *e) {
  int rc = shard_set_dir(h, sh, e);
  if (rc == SLUICE_OK) rc = stream_fs_mkdir(sh->dir, e);
  if (rc != SLUICE_OK) return rc;
  seg *s;
  rc = seg_create(h, sh, 0, &s, e);
  if (rc != SLUICE_OK) return rc;
  if (shard_push_seg(sh, s) != SLUICE_OK) {
    stream_seg_unref(s);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  sh->active = s;
  sh->next_pos = sh->trim_pos = 0;
  return SLUICE_OK;
}

/* ------------------------------------------------------------ batch codec -- */

/*
 * Checks one batch body (after its frame header) and returns its record
 * count, or 0 if it is malformed. Fills *first_pos and *arrival.
 */
static uint32_t batch_check(const uint8_t *body, uint32_t len, uint64_t *first_pos,
                            int64_t *arrival) {
  if (len < BATCH_HEADER) return 0;
  *first_pos = get_u64(body);
  *arrival = (int64_t)get_u64(body + 8);
  uint32_t count = get_u32(body + 16);
  if (count == 0 || get_u32(body + 20) != 0) return 0;
  const uint8_t *p = body + BATCH_HEADER, *end = body + len;
  for (uint32_t i = 0; i < count; i++) {
    if ((size_t)(end - p) < RECORD_HEADER) return 0;
    uint32_t pk = get_u16(p), flags = p[2], dl = get_u32(p + 4);
    if (flags & ~RECORD_F_HASH || p[3] != 0) return 0;
    uint64_t need = RECORD_HEADER + (flags & RECORD_F_HASH ? 16u : 0u) + (uint64_t)pk + dl;
    if (need > (uint64_t)(end - p)) return 0;
    p += need;
  }
  return p == end ? count : 0;
}

static size_t record_size(const stream_record_in *r) {
  return RECORD_HEADER + (r->has_explicit_hash ? 16u : 0u) + r->partition_key_len + r->data_len;
}

/* ---------------------------------------------------------------- recovery -- */

typedef struct scan_buf {
  uint8_t *p;
  size_t cap;
  uint64_t off; /* file offset of p[0] */
  size_t len;
} scan_buf;

/* Makes [off, off + need) available in b; false if the file is shorter. */
static bool scan_fill(scan_buf *b, int fd, uint64_t fsize, uint64_t off, size_t need) {
  if (off >= b->off && off + need <= b->off + b->len) return true;
  if (off + need > fsize) return false;
  size_t want = need > (4u << 20) ? need : (4u << 20);
  if (want > fsize - off) want = (size_t)(fsize - off);
  if (want > b->cap) {
    uint8_t *x = realloc(b->p, want);
    if (!x) return false;
    b->p = x;
    b->cap = want;
  }
  if (pread_full(fd, b->p, want, off) != 0) return false;
  b->off = off;
  b->len = want;
  return true;
}

/* Scans one segment file, truncating a bad tail. *out is NULL if the file
 * was unusable and has been removed. */
static int seg_recover(stream_handle *h, shard *sh, uint64_t first_pos, bool last, seg **out,
                       core_error *e) {
  stream_store *st = h->st;
  *out = NULL;
  char *path = seg_path(sh, first_pos);
  if (!path) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int rc = sys_error(e, "open segment", path);
    free(path);
    return rc;
  }
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int rc = sys_error(e, "stat segment", path);
    close(fd);
    free(path);
    return rc;
  }
  uint64_t fsize = (uint64_t)sb.st_size;
  uint8_t hdr[SEG_HEADER], want[SEG_HEADER];
  seg_header(want, h->gen, first_pos, sh->index);
  bool header_ok = fsize >= SEG_HEADER && pread_full(fd, hdr, SEG_HEADER, 0) == 0 &&
                   memcmp(hdr, want, SEG_HEADER) == 0;
  if (!header_ok) {
    /* A segment torn while being created. The last one is rewritten empty
     * (its name still says where it starts); an earlier one is dropped. */
    atomic_fetch_add(&st->tails_truncated, 1);
    atomic_fetch_add(&st->bytes_truncated, fsize);
    if (!last) {
      close(fd);
      unlink(path);
      free(path);
      return SLUICE_OK;
    }
    if (ftruncate(fd, 0) != 0 || pwrite_full(fd, want, SEG_HEADER, 0) != 0) {
      int rc = sys_error(e, "repair segment", path);
      close(fd);
      free(path);
      return rc;
    }
    fsize = SEG_HEADER;
  }
  seg *s = seg_alloc(fd, first_pos, path);
  if (!s) {
    close(fd);
    free(path);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  scan_buf b = {0};
  uint64_t off = SEG_HEADER, pos = first_pos;
  for (;;) {
    if (!scan_fill(&b, fd, fsize, off, FRAME_HEADER)) break;
    const uint8_t *f = b.p + (off - b.off);
    uint32_t len = get_u32(f), crc = get_u32(f + 4);
    if (len < BATCH_HEADER || len > BATCH_MAX + BODY_MAX) break;
    if (!scan_fill(&b, fd, fsize, off, FRAME_HEADER + (size_t)len)) break;
    const uint8_t *body = b.p + (off - b.off) + FRAME_HEADER;
    if (core_crc32c(0, body, len) != crc) break;
    uint64_t bpos;
    int64_t arr;
    uint32_t count = batch_check(body, len, &bpos, &arr);
    if (count == 0 || bpos != pos) break;
    if (s->last_arrival != INT64_MIN && arr < s->last_arrival) break;
    if (seg_note_batch(s, st->opt.index_interval_bytes, off, FRAME_HEADER + (uint64_t)len, pos,
                       count, arr) != SLUICE_OK) {
      free(b.p);
      stream_seg_unref(s);
      return core_error_set(e, SLUICE_NOMEM, "out of memory");
    }
    pos += count;
    off += FRAME_HEADER + (uint64_t)len;
  }
  free(b.p);
  if (off < fsize) {
    atomic_fetch_add(&st->tails_truncated, 1);
    atomic_fetch_add(&st->bytes_truncated, fsize - off);
    if (ftruncate(fd, (off_t)off) != 0) {
      int rc = sys_error(e, "truncate segment", path);
      stream_seg_unref(s);
      return rc;
    }
    if (stream_sync_enabled(st)) fdatasync(fd);
  }
  s->size = off;
  s->end_pos = pos;
  *out = s;
  return SLUICE_OK;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int stream_shard_recover(stream_handle *h, shard *sh, core_error *e) {
  int rc = shard_set_dir(h, sh, e);
  if (rc != SLUICE_OK) return rc;
  if (mkdir(sh->dir, 0755) != 0 && errno != EEXIST) return sys_error(e, "create", sh->dir);
  DIR *d = opendir(sh->dir);
  if (!d) return sys_error(e, "open directory", sh->dir);
  uint64_t *firsts = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    const char *nm = de->d_name;
    size_t l = strlen(nm);
    if (l != 24 || strcmp(nm + 20, ".seg") != 0) continue;
    uint64_t v = 0;
    bool ok = true;
    for (int i = 0; i < 20; i++) {
      if (nm[i] < '0' || nm[i] > '9') ok = false;
      v = v * 10 + (uint64_t)(nm[i] - '0');
    }
    if (!ok) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      uint64_t *x = realloc(firsts, cap * sizeof *x);
      if (!x) {
        closedir(d);
        free(firsts);
        return core_error_set(e, SLUICE_NOMEM, "out of memory");
      }
      firsts = x;
    }
    firsts[n++] = v;
  }
  closedir(d);
  qsort(firsts, n, sizeof *firsts, cmp_u64);
  for (size_t i = 0; i < n; i++) {
    seg *s;
    rc = seg_recover(h, sh, firsts[i], i + 1 == n, &s, e);
    if (rc != SLUICE_OK) break;
    if (!s) continue;
    if (sh->n_segs > 0 && s->first_pos < sh->segs[sh->n_segs - 1]->end_pos) {
      rc = core_error_set(e, SLUICE_CORRUPT, "segment %s overlaps the segment before it", s->path);
      stream_seg_unref(s);
      break;
    }
    if (shard_push_seg(sh, s) != SLUICE_OK) {
      stream_seg_unref(s);
      rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
      break;
    }
  }
  free(firsts);
  if (rc != SLUICE_OK) return rc;
  if (sh->n_segs == 0) {
    if (sh->closed) {
      sh->next_pos = sh->trim_pos = sh->end_pos_meta;
      sh->active = NULL;
      return SLUICE_OK;
    }
    seg *s;
    rc = seg_create(h, sh, sh->end_pos_meta, &s, e);
    if (rc != SLUICE_OK) return rc;
    if (shard_push_seg(sh, s) != SLUICE_OK) {
      stream_seg_unref(s);
      return core_error_set(e, SLUICE_NOMEM, "out of memory");
    }
  }
  sh->active = sh->segs[sh->n_segs - 1];
  sh->next_pos = sh->active->end_pos;
  sh->trim_pos = sh->segs[0]->first_pos;
  return SLUICE_OK;
}

/* ----------------------------------------------------------------- append -- */

static int shard_roll(stream_handle *h, shard *sh, core_error *e) {
  seg *old = sh->active, *s;
  if (old && stream_sync_enabled(h->st) && fdatasync(old->fd) != 0)
    return sys_error(e, "sync segment", old->path);
  int rc = seg_create(h, sh, sh->next_pos, &s, e);
  if (rc != SLUICE_OK) return rc;
  pthread_mutex_lock(&sh->seg_mu);
  rc = shard_push_seg(sh, s);
  pthread_mutex_unlock(&sh->seg_mu);
  if (rc != SLUICE_OK) {
    unlink(s->path);
    stream_seg_unref(s);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  sh->active = s;
  return SLUICE_OK;
}

int stream_shard_append(stream_handle *h, shard *sh, const stream_record_in *recs,
                        const uint32_t *sel, size_t n, int64_t arrival_ms,
                        stream_append_result *res, core_error *e) {
  stream_store *st = h->st;
  int rc = SLUICE_OK;
  pthread_mutex_lock(&sh->append_mu);

  /* The arrival clock: taken under the shard lock so that it never
   * decreases within the shard, and raised atomically so that it never
   * decreases across the stream's shards either. */
  int64_t arr = arrival_ms >= 0 ? arrival_ms : core_clock_now(st->clock);
  /* Announce the batch before taking its time, so that stream_time_bound()
   * never passes a time this batch may still get (sequentially consistent). */
  int64_t cur = atomic_load(&h->last_arrival);
  atomic_store(&sh->inflight, cur);
  while (cur < arr && !atomic_compare_exchange_weak(&h->last_arrival, &cur, arr)) {
  }
  if (cur > arr) arr = cur;
  atomic_store(&sh->inflight, arr);

  size_t i = 0;
  while (i < n) {
    /* Gather records [i, j) into one batch of at most BATCH_MAX bytes. */
    size_t len = FRAME_HEADER + BATCH_HEADER, j = i;
    while (j < n) {
      size_t rs = record_size(&recs[sel[j]]);
      if (j > i && len + rs > BATCH_MAX) break;
      len += rs;
      j++;
    }
    if (len > sh->buf_cap) {
      size_t cap = sh->buf_cap ? sh->buf_cap : 65536;
      while (cap < len) cap *= 2;
      uint8_t *x = realloc(sh->buf, cap);
      if (!x) {
        rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
        break;
      }
      sh->buf = x;
      sh->buf_cap = cap;
    }
    uint64_t first = sh->next_pos;
    uint32_t count = (uint32_t)(j - i);
    uint8_t *b = sh->buf, *p = b + FRAME_HEADER;
    put_u64(p, first);
    put_u64(p + 8, (uint64_t)arr);
    put_u32(p + 16, count);
    put_u32(p + 20, 0);
    p += BATCH_HEADER;
    for (size_t k = i; k < j; k++) {
      const stream_record_in *r = &recs[sel[k]];
      put_u16(p, (uint16_t)r->partition_key_len);
      p[2] = r->has_explicit_hash ? RECORD_F_HASH : 0;
      p[3] = 0;
      put_u32(p + 4, r->data_len);
      p += RECORD_HEADER;
      if (r->has_explicit_hash) {
        memcpy(p, &r->explicit_hash, 16);
        p += 16;
      }
      memcpy(p, r->partition_key, r->partition_key_len);
      p += r->partition_key_len;
      if (r->data_len) memcpy(p, r->data, r->data_len);
      p += r->data_len;
    }
    uint32_t body = (uint32_t)(len - FRAME_HEADER);
    put_u32(b, body);
    put_u32(b + 4, core_crc32c(0, b + FRAME_HEADER, body));

    seg *s = sh->active;
    if (s->end_pos > s->first_pos && s->size + len > st->opt.segment_bytes) {
      rc = shard_roll(h, sh, e);
      if (rc != SLUICE_OK) break;
      s = sh->active;
    }
    if (pwrite_full(s->fd, b, len, s->size) != 0) {
      rc = sys_error(e, "write segment", s->path);
      if (ftruncate(s->fd, (off_t)s->size) != 0) { /* the tail is cut at the next open anyway */
      }
      break;
    }
    if (st->opt.fsync == STREAM_FSYNC_ALWAYS && fdatasync(s->fd) != 0) {
      rc = sys_error(e, "sync segment", s->path);
      if (ftruncate(s->fd, (off_t)s->size) != 0) {
      }
      break;
    }
    pthread_mutex_lock(&sh->seg_mu);
    /* If the index entry cannot be added (out of memory), the batch is still
     * written and published: a missing entry costs a longer scan, not
     * correctness. */
    (void)seg_note_batch(s, st->opt.index_interval_bytes, s->size, len, first, count, arr);
    sh->next_pos = first + count;
    pthread_mutex_unlock(&sh->seg_mu);
    for (size_t k = i; k < j; k++) {
      stream_append_result *r = &res[sel[k]];
      r->rc = SLUICE_OK;
      r->message = NULL;
      r->shard = sh->index;
      r->pos = first + (k - i);
      r->arrival_ms = arr;
    }
    atomic_fetch_add_explicit(&st->records_appended, count, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->bytes_appended, len, memory_order_relaxed);
    i = j;
  }
  if (i > 0) atomic_store_explicit(&sh->dirty, true, memory_order_relaxed);
  atomic_store(&sh->inflight, INT64_MAX);
  pthread_mutex_unlock(&sh->append_mu);
  /* Records not written because of a failure get the call's error. */
  for (size_t k = i; k < n; k++) {
    res[sel[k]].rc = rc;
    res[sel[k]].message = "not written: the shard's segment could not be written";
  }
  return rc;
}

/* ------------------------------------------------------------------- read -- */

/* Index of the last segment whose first_pos <= pos, or -1. Caller holds seg_mu. */
static int64_t seg_find(const shard *sh, uint64_t pos) {
  int64_t lo = 0, hi = (int64_t)sh->n_segs - 1, ans = -1;
  while (lo <= hi) {
    int64_t mid = (lo + hi) / 2;
    if (sh->segs[mid]->first_pos <= pos) {
      ans = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return ans;
}

/* Offset of the batch that holds pos, or an earlier one. Caller holds seg_mu. */
static uint64_t seg_index_off(const seg *s, uint64_t pos) {
  uint32_t lo = 0, hi = s->n_idx;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (s->idx[mid].pos <= pos)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo == 0 ? SEG_HEADER : s->idx[lo - 1].off;
}

int stream_shard_read(stream_handle *h, shard *sh, uint64_t pos, size_t max_records,
                      size_t max_bytes, core_arena *a, stream_read_result *out, core_error *e) {
  size_t cap = max_records < 256 ? max_records : 256, n = 0, bytes = 0;
  stream_record *recs = core_arena_alloc(a, cap * sizeof *recs);
  if (!recs) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  uint64_t target = pos, next = 0;
  int64_t last_arrival = INT64_MIN;
  bool full = false;
  while (!full && n < max_records) {
    pthread_mutex_lock(&sh->seg_mu);
    next = sh->next_pos;
    if (target < sh->trim_pos) target = sh->trim_pos;
    if (target >= next || sh->n_segs == 0) {
      pthread_mutex_unlock(&sh->seg_mu);
      break;
    }
    int64_t k = seg_find(sh, target);
    if (k < 0) k = 0;
    if (sh->segs[k]->end_pos <= target && k + 1 < (int64_t)sh->n_segs) k++;
    seg *s = sh->segs[k];
    if (s->first_pos > target) target = s->first_pos; /* a gap left by a repaired segment */
    uint64_t off = seg_index_off(s, target), limit = s->size, s_end = s->end_pos;
    /* Bytes per record in this segment, to size reads to what the limits take. */
    uint64_t per = s_end > s->first_pos ? (limit - SEG_HEADER) / (s_end - s->first_pos) + 1 : 256;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&sh->seg_mu);

    int rc = SLUICE_OK;
    while (off < limit && !full && n < max_records) {
      uint64_t want64 = (uint64_t)(max_records - n) * per;
      if (want64 > max_bytes - bytes) want64 = max_bytes - bytes;
      want64 += 65536; /* the batch that straddles the estimate, and index slack */
      size_t want = want64 < 262144 ? 262144 : (size_t)want64;
      if (want > limit - off) want = (size_t)(limit - off);
      uint8_t *chunk = core_arena_alloc(a, want);
      if (!chunk) {
        rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
        break;
      }
      if (pread_full(s->fd, chunk, want, off) != 0) {
        rc = sys_error(e, "read segment", s->path);
        break;
      }
      size_t c = 0;
      while (c + FRAME_HEADER <= want && !full && n < max_records) {
        uint32_t len = get_u32(chunk + c);
        if (c + FRAME_HEADER + len > want) {
          if (c == 0) { /* one batch larger than the chunk: read it whole */
            uint8_t *big = core_arena_alloc(a, FRAME_HEADER + (size_t)len);
            if (!big) {
              rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
              break;
            }
            if (pread_full(s->fd, big, FRAME_HEADER + (size_t)len, off) != 0) {
              rc = sys_error(e, "read segment", s->path);
              break;
            }
            chunk = big;
            want = FRAME_HEADER + (size_t)len;
          } else {
            break;
          }
        }
        const uint8_t *body = chunk + c + FRAME_HEADER;
        uint64_t bpos = get_u64(body);
        int64_t arr = (int64_t)get_u64(body + 8);
        uint32_t count = get_u32(body + 16);
        if (bpos + count <= target) { /* wholly before the target */
          c += FRAME_HEADER + (size_t)len;
          continue;
        }
        const uint8_t *p = body + BATCH_HEADER;
        for (uint32_t r = 0; r < count; r++) {
          uint32_t pkl = get_u16(p), flags = p[2], dl = get_u32(p + 4);
          const uint8_t *q = p + RECORD_HEADER;
          stream_record rec = {.pos = bpos + r, .arrival_ms = arr};
          if (flags & RECORD_F_HASH) {
            rec.has_explicit_hash = true;
            memcpy(&rec.explicit_hash, q, 16);
            q += 16;
          }
          rec.partition_key = (const char *)q;
          rec.partition_key_len = pkl;
          rec.data = q + pkl;
          rec.data_len = dl;
          p = q + pkl + dl;
          if (rec.pos < target) continue;
          if (n == max_records || (n > 0 && bytes + pkl + dl > max_bytes)) {
            full = true;
            break;
          }
          if (n == cap) {
            size_t ncap = cap * 2 < max_records ? cap * 2 : max_records;
            stream_record *x = core_arena_alloc(a, ncap * sizeof *x);
            if (!x) {
              rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
              full = true;
              break;
            }
            memcpy(x, recs, n * sizeof *x);
            recs = x;
            cap = ncap;
          }
          recs[n++] = rec;
          bytes += pkl + dl;
          target = rec.pos + 1;
          last_arrival = arr;
        }
        if (rc != SLUICE_OK) break;
        if (!full) c += FRAME_HEADER + (size_t)len;
      }
      if (rc != SLUICE_OK) break;
      if (c == 0 && !full && n < max_records) { /* no progress: a broken frame */
        rc = core_error_set(e, SLUICE_CORRUPT, "segment %s has a broken batch at offset %" PRIu64,
                            s->path, off);
        break;
      }
      off += c;
    }
    stream_seg_unref(s);
    if (rc != SLUICE_OK) return rc;
    if (full || n >= max_records) break;
    if (target < s_end) target = s_end; /* the segment is read: continue after it */
  }
  out->records = recs;
  out->n = n;
  out->next.pos = target;
  if (target >= next) {
    out->millis_behind = 0;
  } else {
    int64_t now = core_clock_now(h->st->clock);
    out->millis_behind = last_arrival == INT64_MIN || now < last_arrival ? 0 : now - last_arrival;
  }
  return SLUICE_OK;
}

/* The tip and trim horizon of sh. */
void stream_shard_bounds(shard *sh, uint64_t *trim, uint64_t *next) {
  pthread_mutex_lock(&sh->seg_mu);
  *trim = sh->trim_pos;
  *next = sh->next_pos;
  pthread_mutex_unlock(&sh->seg_mu);
}

/* The position of the first record that arrived at or after ts (the tip if none). */
int stream_shard_pos_at_time(stream_handle *h, shard *sh, int64_t ts, uint64_t *out,
                             core_error *e) {
  (void)h;
  pthread_mutex_lock(&sh->seg_mu);
  *out = sh->next_pos;
  seg *s = NULL;
  for (uint32_t i = 0; i < sh->n_segs; i++) {
    seg *c = sh->segs[i];
    if (c->end_pos > c->first_pos && c->last_arrival >= ts) {
      s = c;
      break;
    }
  }
  if (!s) {
    pthread_mutex_unlock(&sh->seg_mu);
    return SLUICE_OK;
  }
  if (s->first_arrival >= ts) {
    *out = s->first_pos > sh->trim_pos ? s->first_pos : sh->trim_pos;
    pthread_mutex_unlock(&sh->seg_mu);
    return SLUICE_OK;
  }
  /* Start at the last index entry that arrived before ts; walk batch headers. */
  uint32_t lo = 0, hi = s->n_idx;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (s->idx[mid].arrival_ms < ts)
      lo = mid + 1;
    else
      hi = mid;
  }
  uint64_t off = lo == 0 ? SEG_HEADER : s->idx[lo - 1].off, limit = s->size;
  atomic_fetch_add(&s->refs, 1);
  pthread_mutex_unlock(&sh->seg_mu);
  int rc = SLUICE_OK;
  uint64_t found = s->end_pos;
  while (off + FRAME_HEADER + BATCH_HEADER <= limit) {
    uint8_t hb[FRAME_HEADER + BATCH_HEADER];
    if (pread_full(s->fd, hb, sizeof hb, off) != 0) {
      rc = sys_error(e, "read segment", s->path);
      break;
    }
    if ((int64_t)get_u64(hb + FRAME_HEADER + 8) >= ts) {
      found = get_u64(hb + FRAME_HEADER);
      break;
    }
    off += FRAME_HEADER + (uint64_t)get_u32(hb);
  }
  stream_seg_unref(s);
  *out = found;
  return rc;
}

/* -------------------------------------------------------------- retention -- */

int stream_shard_expire(stream_handle *h, shard *sh, int64_t cutoff, core_error *e) {
  pthread_mutex_lock(&sh->append_mu);
  pthread_mutex_lock(&sh->seg_mu);
  uint32_t k = 0;
  while (k < sh->n_segs) {
    seg *s = sh->segs[k];
    bool has = s->end_pos > s->first_pos;
    if (has ? s->last_arrival < cutoff : s != sh->active)
      k++;
    else
      break;
  }
  int rc = SLUICE_OK;
  if (k > 0 && k == sh->n_segs && !sh->closed) {
    /* Every record is expired: roll so the open shard keeps a segment that
     * records where its positions continue. */
    pthread_mutex_unlock(&sh->seg_mu);
    rc = shard_roll(h, sh, e);
    pthread_mutex_lock(&sh->seg_mu);
    if (rc != SLUICE_OK) k = 0;
  }
  seg **gone = NULL;
  if (k > 0) {
    gone = malloc(k * sizeof *gone);
    if (!gone) {
      k = 0;
      rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
    } else {
      memcpy(gone, sh->segs, k * sizeof *gone);
      memmove(sh->segs, sh->segs + k, (sh->n_segs - k) * sizeof *sh->segs);
      sh->n_segs -= k;
      if (sh->n_segs == 0) sh->active = NULL;
    }
  }
  sh->trim_pos = sh->n_segs ? sh->segs[0]->first_pos : sh->next_pos;
  pthread_mutex_unlock(&sh->seg_mu);
  pthread_mutex_unlock(&sh->append_mu);
  for (uint32_t i = 0; i < k; i++) {
    if (unlink(gone[i]->path) != 0 && errno != ENOENT && rc == SLUICE_OK)
      rc = sys_error(e, "remove segment", gone[i]->path);
    stream_seg_unref(gone[i]);
  }
  free(gone);
  return rc != SLUICE_OK ? -rc : (int)k;
}

int stream_shard_sync(stream_handle *h, shard *sh) {
  (void)h;
  if (!atomic_exchange(&sh->dirty, false)) return SLUICE_OK;
  pthread_mutex_lock(&sh->seg_mu);
  seg *s = sh->n_segs ? sh->segs[sh->n_segs - 1] : NULL;
  if (s) atomic_fetch_add(&s->refs, 1);
  pthread_mutex_unlock(&sh->seg_mu);
  int rc = SLUICE_OK;
  if (s && fdatasync(s->fd) != 0) rc = SLUICE_IO;
  stream_seg_unref(s);
  return rc;
}

/* ----------------------------------------------------------------- verify -- */

void stream_shard_verify(const shard *sh, const char *file, int line) {
  shard *m = (shard *)sh;
  pthread_mutex_lock(&m->seg_mu);
  const char *bad = NULL;
  if (sh->start > sh->end) bad = "shard range is empty";
  if (sh->trim_pos > sh->next_pos) bad = "trim horizon beyond the tip";
  for (uint32_t i = 0; i < sh->n_segs && !bad; i++) {
    const seg *s = sh->segs[i];
    if (s->end_pos < s->first_pos) bad = "segment ends before it starts";
    if (s->size < SEG_HEADER) bad = "segment shorter than its header";
    if (i > 0 && s->first_pos < sh->segs[i - 1]->end_pos) bad = "segments overlap";
    if (i + 1 == sh->n_segs && s->end_pos != sh->next_pos) bad = "last segment does not end at tip";
    if (!sh->closed && i + 1 == sh->n_segs && s != sh->active) bad = "active is not the last";
    for (uint32_t j = 0; j < s->n_idx && !bad; j++) {
      if (s->idx[j].off < SEG_HEADER || s->idx[j].off >= s->size) bad = "index outside segment";
      if (s->idx[j].pos < s->first_pos || s->idx[j].pos >= s->end_pos) bad = "index pos outside";
      if (j > 0 && (s->idx[j].pos <= s->idx[j - 1].pos || s->idx[j].off <= s->idx[j - 1].off ||
                    s->idx[j].arrival_ms < s->idx[j - 1].arrival_ms))
        bad = "index not increasing";
    }
    if (s->end_pos > s->first_pos && s->n_idx == 0) bad = "segment with records has no index";
  }
  if (!sh->closed && !atomic_load(&m->expired) && sh->n_segs == 0)
    bad = "open shard has no segment";
  pthread_mutex_unlock(&m->seg_mu);
  if (bad) {
    char what[160];
    snprintf(what, sizeof what, "shard %u: %s", sh->index, bad);
    stream_verify_fail(file, line, what);
  }
}

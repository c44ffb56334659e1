/*
 * meta.c — the per-stream metadata file (stream.meta), the store file
 * (store.meta) and small file-system helpers.
 *
 * stream.meta holds everything about a stream that is not records: name,
 * generation, mode, creation time, retention, encryption, the shard table
 * with lineage, tags, enhanced metrics, consumers and opaque attributes. It
 * is rewritten whole on every change (a temporary file, fsync unless the
 * policy is never, rename, fsync of the directory), so a reader after a crash
 * sees either the old or the new version. The format is a little-endian
 * sequence of fixed fields and length-prefixed strings ending in a CRC32C.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/stream_int.h"

#define META_MAGIC "SLMETA01"
#define STORE_MAGIC "SLSTORE1"

/* ------------------------------------------------------------ fs helpers -- */

char *stream_fs_join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", a, b);
  return p;
}

int stream_fs_mkdir(const char *path, core_error *e) {
  if (mkdir(path, 0755) != 0 && errno != EEXIST)
    return core_error_set(e, SLUICE_IO, "could not create %s: %s", path, strerror(errno));
  return SLUICE_OK;
}

int stream_fs_sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int r = fsync(fd);
  close(fd);
  return r;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

int stream_fs_remove_tree(const char *path) {
  struct stat sb;
  if (lstat(path, &sb) != 0) return errno == ENOENT ? 0 : -1;
  return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int stream_fs_write_atomic(const char *path, const void *data, size_t n, bool sync, core_error *e) {
  size_t l = strlen(path);
  char *tmp = malloc(l + 5);
  if (!tmp) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  memcpy(tmp, path, l);
  memcpy(tmp + l, ".tmp", 5);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int rc = core_error_set(e, SLUICE_IO, "could not create %s: %s", tmp, strerror(errno));
    free(tmp);
    return rc;
  }
  const uint8_t *p = data;
  size_t left = n;
  while (left > 0) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    p += w;
    left -= (size_t)w;
  }
  bool ok = left == 0 && (!sync || fsync(fd) == 0);
  close(fd);
  if (!ok || rename(tmp, path) != 0) {
    int rc = core_error_set(e, SLUICE_IO, "could not write %s: %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return rc;
  }
  free(tmp);
  if (sync) {
    char *dir = strdup(path);
    if (dir) {
      char *slash = strrchr(dir, '/');
      if (slash) *slash = 0;
      stream_fs_sync_dir(slash ? dir : ".");
      free(dir);
    }
  }
  return SLUICE_OK;
}

/* ------------------------------------------------------------- the codec -- */

typedef struct wbuf {
  uint8_t *p;
  size_t n, cap;
  bool oom;
} wbuf;

static void w_bytes(wbuf *b, const void *d, size_t n) {
  if (b->oom) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->n + n) cap *= 2;
    uint8_t *x = realloc(b->p, cap);
    if (!x) {
      b->oom = true;
      return;
    }
    b->p = x;
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->n, d, n);
  b->n += n;
}
static void w_u8(wbuf *b, uint8_t v) {
  w_bytes(b, &v, 1);
}
static void w_u32(wbuf *b, uint32_t v) {
  w_bytes(b, &v, 4);
}
static void w_u64(wbuf *b, uint64_t v) {
  w_bytes(b, &v, 8);
}
static void w_i64(wbuf *b, int64_t v) {
  w_bytes(b, &v, 8);
}
static void w_u128(wbuf *b, core_u128 v) {
  w_bytes(b, &v, 16);
}
static void w_blob(wbuf *b, const void *d, size_t n) {
  w_u32(b, (uint32_t)n);
  w_bytes(b, d, n);
}
static void w_str(wbuf *b, const char *s) {
  w_blob(b, s ? s : "", s ? strlen(s) : 0);
}

typedef struct rbuf {
  const uint8_t *p;
  size_t n, off;
  bool bad;
} rbuf;

static const uint8_t *r_bytes(rbuf *b, size_t n) {
  if (b->bad || b->n - b->off < n) {
    b->bad = true;
    return NULL;
  }
  const uint8_t *p = b->p + b->off;
  b->off += n;
  return p;
}
static uint8_t r_u8(rbuf *b) {
  const uint8_t *p = r_bytes(b, 1);
  return p ? *p : 0;
}
static uint32_t r_u32(rbuf *b) {
  const uint8_t *p = r_bytes(b, 4);
  return p ? get_u32(p) : 0;
}
static uint64_t r_u64(rbuf *b) {
  const uint8_t *p = r_bytes(b, 8);
  return p ? get_u64(p) : 0;
}
static int64_t r_i64(rbuf *b) {
  return (int64_t)r_u64(b);
}
static core_u128 r_u128(rbuf *b) {
  core_u128 v = 0;
  const uint8_t *p = r_bytes(b, 16);
  if (p) memcpy(&v, p, 16);
  return v;
}
/* A heap copy, NUL-terminated; *n gets the length. */
static char *r_blob(rbuf *b, size_t *n) {
  uint32_t l = r_u32(b);
  const uint8_t *p = r_bytes(b, l);
  if (!p) return NULL;
  char *s = malloc((size_t)l + 1);
  if (!s) {
    b->bad = true;
    return NULL;
  }
  memcpy(s, p, l);
  s[l] = 0;
  if (n) *n = l;
  return s;
}
static char *r_str(rbuf *b) {
  return r_blob(b, NULL);
}

int stream_meta_save(stream_handle *h, core_error *e) {
  wbuf b = {0};
  w_bytes(&b, META_MAGIC, 8);
  w_u32(&b, 1);
  w_str(&b, h->name);
  w_u64(&b, h->gen);
  w_u8(&b, (uint8_t)h->mode);
  w_i64(&b, h->created_ms);
  w_u32(&b, h->retention_hours);
  w_u8(&b, (uint8_t)h->encryption);
  w_str(&b, h->key_id);
  w_u32(&b, h->epoch);
  w_i64(&b, h->update_until_ms);
  w_u32(&b, h->n_shards);
  for (uint32_t i = 0; i < h->n_shards; i++) {
    const shard *sh = h->shards[i];
    w_u32(&b, sh->index);
    w_u128(&b, sh->start);
    w_u128(&b, sh->end);
    w_i64(&b, sh->parent);
    w_i64(&b, sh->adjacent_parent);
    w_i64(&b, sh->created_ms);
    w_i64(&b, sh->closed_ms);
    w_u32(&b, sh->born_epoch);
    w_u32(&b, sh->closed_epoch);
    w_u8(&b, (uint8_t)((sh->closed ? 1 : 0) | (atomic_load(&sh->expired) ? 2 : 0)));
    w_u64(&b, sh->end_pos_meta);
  }
  w_u32(&b, h->n_tags);
  for (uint32_t i = 0; i < h->n_tags; i++) {
    w_str(&b, h->tags[i].key);
    w_str(&b, h->tags[i].value);
  }
  w_u32(&b, h->n_metrics);
  for (uint32_t i = 0; i < h->n_metrics; i++) w_str(&b, h->metrics[i]);
  w_u32(&b, h->n_consumers);
  for (uint32_t i = 0; i < h->n_consumers; i++) {
    w_str(&b, h->consumers[i].name);
    w_str(&b, h->consumers[i].arn);
    w_u8(&b, (uint8_t)h->consumers[i].status);
    w_i64(&b, h->consumers[i].created_ms);
  }
  w_u32(&b, h->n_attrs);
  for (uint32_t i = 0; i < h->n_attrs; i++) {
    w_str(&b, h->attrs[i].key);
    w_blob(&b, h->attrs[i].value, h->attrs[i].n);
  }
  if (!b.oom) w_u32(&b, core_crc32c(0, b.p, b.n));
  if (b.oom) {
    free(b.p);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  char *path = stream_fs_join(h->dir, "stream.meta");
  int rc = path ? stream_fs_write_atomic(path, b.p, b.n, stream_sync_enabled(h->st), e)
                : core_error_set(e, SLUICE_NOMEM, "out of memory");
  free(path);
  free(b.p);
  return rc;
}

static int read_file(const char *path, uint8_t **out, size_t *n, core_error *e) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core_error_set(e, SLUICE_IO, "could not open %s: %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    close(fd);
    return core_error_set(e, SLUICE_IO, "could not stat %s: %s", path, strerror(errno));
  }
  size_t size = (size_t)sb.st_size;
  uint8_t *p = malloc(size ? size : 1);
  if (!p) {
    close(fd);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  size_t got = 0;
  while (got < size) {
    ssize_t r = read(fd, p + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  if (got != size) {
    free(p);
    return core_error_set(e, SLUICE_IO, "could not read %s", path);
  }
  *out = p;
  *n = size;
  return SLUICE_OK;
}

int stream_meta_load(stream_store *st, const char *dir, stream_handle **out, core_error *e) {
  char *path = stream_fs_join(dir, "stream.meta");
  if (!path) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  uint8_t *data;
  size_t n;
  int rc = read_file(path, &data, &n, e);
  if (rc != SLUICE_OK) {
    free(path);
    return rc;
  }
  if (n < 16 || memcmp(data, META_MAGIC, 8) != 0 ||
      core_crc32c(0, data, n - 4) != get_u32(data + n - 4)) {
    free(data);
    rc = core_error_set(e, SLUICE_CORRUPT, "metadata file %s is damaged", path);
    free(path);
    return rc;
  }
  rbuf b = {data, n - 4, 8, false};
  stream_handle *h = NULL;
  if (r_u32(&b) != 1) b.bad = true;
  char *name = r_str(&b);
  uint64_t gen = r_u64(&b);
  if (!b.bad && name) h = stream_alloc(st, name, gen, dir);
  free(name);
  if (!h) {
    free(data);
    rc = core_error_set(e, b.bad ? SLUICE_CORRUPT : SLUICE_NOMEM, "could not load %s", path);
    free(path);
    return rc;
  }
  h->mode = (stream_mode)r_u8(&b);
  h->created_ms = r_i64(&b);
  h->retention_hours = r_u32(&b);
  h->encryption = (stream_encryption)r_u8(&b);
  free(h->key_id);
  h->key_id = r_str(&b);
  h->epoch = r_u32(&b);
  h->update_until_ms = r_i64(&b);
  uint32_t ns = r_u32(&b);
  if (ns > 1000000) b.bad = true;
  if (!b.bad) {
    h->shards = calloc(ns ? ns : 1, sizeof *h->shards);
    h->cap_shards = ns ? ns : 1;
    if (!h->shards) b.bad = true;
  }
  for (uint32_t i = 0; i < ns && !b.bad; i++) {
    uint32_t index = r_u32(&b);
    core_u128 start = r_u128(&b), end = r_u128(&b);
    if (index != i) b.bad = true;
    shard *sh = stream_shard_new(index, start, end);
    if (!sh) {
      b.bad = true;
      break;
    }
    sh->parent = r_i64(&b);
    sh->adjacent_parent = r_i64(&b);
    sh->created_ms = r_i64(&b);
    sh->closed_ms = r_i64(&b);
    sh->born_epoch = r_u32(&b);
    sh->closed_epoch = r_u32(&b);
    uint8_t flags = r_u8(&b);
    sh->closed = flags & 1;
    atomic_store(&sh->expired, (flags & 2) != 0);
    sh->end_pos_meta = r_u64(&b);
    h->shards[h->n_shards++] = sh;
  }
  uint32_t nt = r_u32(&b);
  if (nt > STREAM_TAGS_MAX) b.bad = true;
  if (!b.bad && nt) {
    h->tags = calloc(nt, sizeof *h->tags);
    if (!h->tags) b.bad = true;
  }
  for (uint32_t i = 0; i < nt && !b.bad; i++) {
    h->tags[i].key = r_str(&b);
    h->tags[i].value = r_str(&b);
    h->n_tags++;
  }
  uint32_t nm = r_u32(&b);
  if (nm > 64) b.bad = true;
  if (!b.bad && nm) {
    h->metrics = calloc(nm, sizeof *h->metrics);
    if (!h->metrics) b.bad = true;
  }
  for (uint32_t i = 0; i < nm && !b.bad; i++) h->metrics[h->n_metrics++] = r_str(&b);
  uint32_t nc = r_u32(&b);
  if (nc > STREAM_CONSUMERS_MAX) b.bad = true;
  if (!b.bad && nc) {
    h->consumers = calloc(nc, sizeof *h->consumers);
    if (!h->consumers) b.bad = true;
  }
  for (uint32_t i = 0; i < nc && !b.bad; i++) {
    consumer *c = &h->consumers[h->n_consumers++];
    c->name = r_str(&b);
    c->arn = r_str(&b);
    c->status = (stream_consumer_status)r_u8(&b);
    c->created_ms = r_i64(&b);
  }
  uint32_t na = r_u32(&b);
  if (na > 4096) b.bad = true;
  if (!b.bad && na) {
    h->attrs = calloc(na, sizeof *h->attrs);
    if (!h->attrs) b.bad = true;
  }
  for (uint32_t i = 0; i < na && !b.bad; i++) {
    attr *x = &h->attrs[h->n_attrs++];
    x->key = r_str(&b);
    x->value = (uint8_t *)r_blob(&b, &x->n);
  }
  if (b.off != b.n) b.bad = true;
  free(data);
  if (b.bad) {
    stream_free(h);
    rc = core_error_set(e, SLUICE_CORRUPT, "metadata file %s is damaged", path);
    free(path);
    return rc;
  }
  free(path);
  *out = h;
  return SLUICE_OK;
}

int stream_store_meta_save(stream_store *st, core_error *e) {
  uint8_t buf[20];
  memcpy(buf, STORE_MAGIC, 8);
  put_u64(buf + 8, st->next_gen);
  put_u32(buf + 16, core_crc32c(0, buf, 16));
  char *path = stream_fs_join(st->dir, "store.meta");
  if (!path) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  int rc = stream_fs_write_atomic(path, buf, sizeof buf, stream_sync_enabled(st), e);
  free(path);
  return rc;
}

int stream_store_meta_load(stream_store *st, core_error *e) {
  char *path = stream_fs_join(st->dir, "store.meta");
  if (!path) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  if (access(path, F_OK) != 0) {
    free(path);
    st->next_gen = 1;
    return stream_store_meta_save(st, e);
  }
  uint8_t *data;
  size_t n;
  int rc = read_file(path, &data, &n, e);
  if (rc == SLUICE_OK) {
    if (n != 20 || memcmp(data, STORE_MAGIC, 8) != 0 ||
        core_crc32c(0, data, 16) != get_u32(data + 16))
      rc = core_error_set(e, SLUICE_CORRUPT, "store file %s is damaged", path);
    else
      st->next_gen = get_u64(data + 8);
    free(data);
  }
  free(path);
  return rc;
}

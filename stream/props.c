/*
 * props.c — per-stream metadata that the Kinesis API reports and changes:
 * retention, mode, encryption, tags, enhanced metrics, consumers and opaque
 * attributes. Each setter changes the in-memory copy, writes stream.meta, and
 * puts the old value back if the write fails, so memory and disk agree.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stream/stream_int.h"

/* Takes the locks a metadata change needs; SLUICE_OK with both held. */
static int meta_begin(stream_handle *h, core_error *e) {
  pthread_rwlock_rdlock(&h->lock);
  int rc = SLUICE_OK;
  if (atomic_load(&h->gone))
    rc = core_error_set(e, SLUICE_NOTFOUND, "stream %s not found", h->name);
  else if (atomic_load(&h->deleting))
    rc = core_error_set(e, SLUICE_STATE, "stream %s is being deleted", h->name);
  if (rc != SLUICE_OK) {
    pthread_rwlock_unlock(&h->lock);
    return rc;
  }
  pthread_mutex_lock(&h->meta_mu);
  return SLUICE_OK;
}

static int meta_end(stream_handle *h, int rc) {
  pthread_mutex_unlock(&h->meta_mu);
  pthread_rwlock_unlock(&h->lock);
  return rc;
}

int stream_set_retention(stream_handle *h, uint32_t hours, int direction, core_error *e) {
  if (hours < STREAM_RETENTION_MIN_H || hours > STREAM_RETENTION_MAX_H)
    return core_error_set(e, SLUICE_INVALID, "retention of %u hours is not between %d and %d",
                          hours, STREAM_RETENTION_MIN_H, STREAM_RETENTION_MAX_H);
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) return rc;
  uint32_t old = h->retention_hours;
  if (direction > 0 && hours <= old)
    return meta_end(h, core_error_set(e, SLUICE_INVALID,
                                      "retention of %u hours is not longer than the current %u "
                                      "hours of stream %s",
                                      hours, old, h->name));
  if (direction < 0 && hours >= old)
    return meta_end(h, core_error_set(e, SLUICE_INVALID,
                                      "retention of %u hours is not shorter than the current %u "
                                      "hours of stream %s",
                                      hours, old, h->name));
  h->retention_hours = hours;
  rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) h->retention_hours = old;
  return meta_end(h, rc);
}

int stream_set_mode(stream_handle *h, stream_mode mode, core_error *e) {
  if (mode != STREAM_PROVISIONED && mode != STREAM_ON_DEMAND)
    return core_error_set(e, SLUICE_INVALID, "unknown stream mode %d", (int)mode);
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) return rc;
  stream_mode old = h->mode;
  h->mode = mode;
  rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) h->mode = old;
  return meta_end(h, rc);
}

int stream_set_encryption(stream_handle *h, stream_encryption type, const char *key_id,
                          core_error *e) {
  if (type != STREAM_ENCRYPTION_NONE && type != STREAM_ENCRYPTION_KMS)
    return core_error_set(e, SLUICE_INVALID, "unknown encryption type %d", (int)type);
  if (type == STREAM_ENCRYPTION_KMS && (!key_id || !*key_id || strlen(key_id) > 2048))
    return core_error_set(e, SLUICE_INVALID, "kms encryption needs a key id of 1 to 2048 bytes");
  char *nk = strdup(type == STREAM_ENCRYPTION_KMS ? key_id : "");
  if (!nk) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) {
    free(nk);
    return rc;
  }
  stream_encryption ot = h->encryption;
  char *ok = h->key_id;
  h->encryption = type;
  h->key_id = nk;
  rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) {
    h->encryption = ot;
    h->key_id = ok;
    free(nk);
  } else {
    free(ok);
  }
  return meta_end(h, rc);
}

/* ------------------------------------------------------------------- tags -- */

static int64_t tag_find(const stream_tag *t, uint32_t n, const char *key) {
  int64_t lo = 0, hi = (int64_t)n - 1;
  while (lo <= hi) {
    int64_t mid = (lo + hi) / 2;
    int c = strcmp(t[mid].key, key);
    if (c == 0) return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -lo - 1;
}

static void tags_free(stream_tag *t, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    free((char *)t[i].key);
    free((char *)t[i].value);
  }
  free(t);
}

/* A deep copy of t with room for extra more entries. */
static stream_tag *tags_copy(const stream_tag *t, uint32_t n, uint32_t extra) {
  stream_tag *c = calloc(n + extra + 1, sizeof *c);
  if (!c) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    c[i].key = strdup(t[i].key);
    c[i].value = strdup(t[i].value);
    if (!c[i].key || !c[i].value) {
      tags_free(c, i + 1);
      return NULL;
    }
  }
  return c;
}

/* Makes c (cn tags, owned) the stream's tags and saves the metadata; on
 * failure the old tags stay and c is freed. Caller holds the metadata mutex. */
static int tags_commit(stream_handle *h, stream_tag *c, uint32_t cn, core_error *e) {
  stream_tag *ot = h->tags;
  uint32_t on = h->n_tags;
  h->tags = c;
  h->n_tags = cn;
  int rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) {
    h->tags = ot;
    h->n_tags = on;
    tags_free(c, cn);
  } else {
    tags_free(ot, on);
  }
  return rc;
}

int stream_tags_add(stream_handle *h, const stream_tag *tags, size_t n, core_error *e) {
  for (size_t i = 0; i < n; i++) {
    size_t kl = tags[i].key ? strlen(tags[i].key) : 0;
    size_t vl = tags[i].value ? strlen(tags[i].value) : 0;
    if (kl < 1 || kl > STREAM_TAG_KEY_MAX)
      return core_error_set(e, SLUICE_INVALID, "tag key must be 1 to %d bytes", STREAM_TAG_KEY_MAX);
    if (vl > STREAM_TAG_VALUE_MAX)
      return core_error_set(e, SLUICE_INVALID, "value of tag %s is longer than %d bytes",
                            tags[i].key, STREAM_TAG_VALUE_MAX);
  }
  if (n > STREAM_TAGS_MAX)
    return core_error_set(e, SLUICE_LIMIT, "stream can hold at most %d tags", STREAM_TAGS_MAX);
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) return rc;
  stream_tag *c = tags_copy(h->tags, h->n_tags, (uint32_t)n);
  uint32_t cn = h->n_tags;
  if (!c) return meta_end(h, core_error_set(e, SLUICE_NOMEM, "out of memory"));
  for (size_t i = 0; i < n && rc == SLUICE_OK; i++) {
    char *v = strdup(tags[i].value ? tags[i].value : "");
    int64_t at = tag_find(c, cn, tags[i].key);
    if (!v) {
      rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
    } else if (at >= 0) {
      free((char *)c[at].value);
      c[at].value = v;
    } else {
      char *k = strdup(tags[i].key);
      if (!k) {
        free(v);
        rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
        break;
      }
      at = -at - 1;
      memmove(c + at + 1, c + at, (cn - (uint32_t)at) * sizeof *c);
      c[at] = (stream_tag){k, v};
      cn++;
    }
  }
  if (rc == SLUICE_OK && cn > STREAM_TAGS_MAX)
    rc = core_error_set(e, SLUICE_LIMIT, "stream %s would hold %u tags, more than %d", h->name, cn,
                        STREAM_TAGS_MAX);
  if (rc != SLUICE_OK) {
    tags_free(c, cn);
    return meta_end(h, rc);
  }
  return meta_end(h, tags_commit(h, c, cn, e));
}

int stream_tags_remove(stream_handle *h, const char *const *keys, size_t n, core_error *e) {
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) return rc;
  stream_tag *c = tags_copy(h->tags, h->n_tags, 0);
  uint32_t cn = h->n_tags;
  if (!c) return meta_end(h, core_error_set(e, SLUICE_NOMEM, "out of memory"));
  for (size_t i = 0; i < n; i++) {
    int64_t at = keys[i] ? tag_find(c, cn, keys[i]) : -1;
    if (at < 0) continue;
    free((char *)c[at].key);
    free((char *)c[at].value);
    memmove(c + at, c + at + 1, (cn - (uint32_t)at - 1) * sizeof *c);
    cn--;
  }
  return meta_end(h, tags_commit(h, c, cn, e));
}

/* ---------------------------------------------------------------- metrics -- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int stream_set_metrics(stream_handle *h, const char *const *names, size_t n, core_error *e) {
  if (n > 64) return core_error_set(e, SLUICE_LIMIT, "too many metric names");
  char **v = calloc(n + 1, sizeof *v);
  uint32_t vn = 0;
  if (!v) return core_error_set(e, SLUICE_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    if (!names[i] || !*names[i]) {
      for (uint32_t k = 0; k < vn; k++) free(v[k]);
      free(v);
      return core_error_set(e, SLUICE_INVALID, "metric name is empty");
    }
    v[vn++] = strdup(names[i]);
    if (!v[vn - 1]) {
      for (uint32_t k = 0; k < vn; k++) free(v[k]);
      free(v);
      return core_error_set(e, SLUICE_NOMEM, "out of memory");
    }
  }
  qsort(v, vn, sizeof *v, cmp_str);
  uint32_t u = 0; /* a set: drop duplicates */
  for (uint32_t i = 0; i < vn; i++) {
    if (u > 0 && strcmp(v[u - 1], v[i]) == 0)
      free(v[i]);
    else
      v[u++] = v[i];
  }
  vn = u;
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) {
    for (uint32_t k = 0; k < vn; k++) free(v[k]);
    free(v);
    return rc;
  }
  char **om = h->metrics;
  uint32_t on = h->n_metrics;
  h->metrics = v;
  h->n_metrics = vn;
  rc = stream_meta_save(h, e);
  char **drop = rc == SLUICE_OK ? om : v;
  uint32_t dn = rc == SLUICE_OK ? on : vn;
  if (rc != SLUICE_OK) {
    h->metrics = om;
    h->n_metrics = on;
  }
  for (uint32_t k = 0; k < dn; k++) free(drop[k]);
  free(drop);
  return meta_end(h, rc);
}

/* -------------------------------------------------------------- consumers -- */

static int64_t consumer_find(stream_handle *h, const char *name) {
  for (uint32_t i = 0; i < h->n_consumers; i++)
    if (strcmp(h->consumers[i].name, name) == 0) return i;
  return -1;
}

int stream_consumer_add(stream_handle *h, const char *name, const char *arn,
                        stream_consumer_status status, int64_t created_ms, core_error *e) {
  if (!name || !stream_name_valid(name, strlen(name)))
    return core_error_set(e, SLUICE_INVALID,
                          "consumer name must be 1 to 128 characters of a-z, A-Z, 0-9, _, . and -");
  char *nn = strdup(name), *na = strdup(arn ? arn : "");
  if (!nn || !na) {
    free(nn);
    free(na);
    return core_error_set(e, SLUICE_NOMEM, "out of memory");
  }
  int rc = meta_begin(h, e);
  if (rc == SLUICE_OK) {
    if (consumer_find(h, name) >= 0)
      rc = core_error_set(e, SLUICE_EXISTS, "consumer %s of stream %s already exists", name,
                          h->name);
    else if (h->n_consumers >= STREAM_CONSUMERS_MAX)
      rc = core_error_set(e, SLUICE_LIMIT, "stream %s already has %d consumers", h->name,
                          STREAM_CONSUMERS_MAX);
    if (rc == SLUICE_OK) {
      consumer *x = realloc(h->consumers, (h->n_consumers + 1) * sizeof *x);
      if (!x) {
        rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
      } else {
        h->consumers = x;
        x[h->n_consumers++] = (consumer){nn, na, status, created_ms};
        rc = stream_meta_save(h, e);
        if (rc != SLUICE_OK)
          h->n_consumers--;
        else
          nn = na = NULL;
      }
    }
    meta_end(h, rc);
  }
  free(nn);
  free(na);
  return rc;
}

int stream_consumer_set_status(stream_handle *h, const char *name, stream_consumer_status status,
                               core_error *e) {
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) return rc;
  int64_t at = name ? consumer_find(h, name) : -1;
  if (at < 0)
    return meta_end(h, core_error_set(e, SLUICE_NOTFOUND, "consumer %s of stream %s not found",
                                      name ? name : "", h->name));
  stream_consumer_status old = h->consumers[at].status;
  h->consumers[at].status = status;
  rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) h->consumers[at].status = old;
  return meta_end(h, rc);
}

int stream_consumer_remove(stream_handle *h, const char *name, core_error *e) {
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) return rc;
  int64_t at = name ? consumer_find(h, name) : -1;
  if (at < 0)
    return meta_end(h, core_error_set(e, SLUICE_NOTFOUND, "consumer %s of stream %s not found",
                                      name ? name : "", h->name));
  consumer c = h->consumers[at];
  memmove(h->consumers + at, h->consumers + at + 1,
          (h->n_consumers - (uint32_t)at - 1) * sizeof *h->consumers);
  h->n_consumers--;
  rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) {
    memmove(h->consumers + at + 1, h->consumers + at,
            (h->n_consumers - (uint32_t)at) * sizeof *h->consumers);
    h->consumers[at] = c;
    h->n_consumers++;
  } else {
    free(c.name);
    free(c.arn);
  }
  return meta_end(h, rc);
}

/* ------------------------------------------------------------- attributes -- */

int stream_set_attr(stream_handle *h, const char *key, const void *value, size_t n, core_error *e) {
  size_t kl = key ? strlen(key) : 0;
  if (kl < 1 || kl > 64)
    return core_error_set(e, SLUICE_INVALID, "attribute key must be 1 to 64 bytes");
  if (n > STREAM_RECORD_MAX)
    return core_error_set(e, SLUICE_INVALID, "attribute %s is larger than 1 MiB", key);
  bool removing = !value && n == 0;
  uint8_t *nv = NULL;
  if (!removing) {
    nv = malloc(n ? n : 1);
    if (!nv) return core_error_set(e, SLUICE_NOMEM, "out of memory");
    if (n) memcpy(nv, value, n);
  }
  int rc = meta_begin(h, e);
  if (rc != SLUICE_OK) {
    free(nv);
    return rc;
  }
  int64_t at = -1;
  for (uint32_t i = 0; i < h->n_attrs; i++)
    if (strcmp(h->attrs[i].key, key) == 0) at = i;
  if (removing) {
    if (at < 0) return meta_end(h, SLUICE_OK);
    attr old = h->attrs[at];
    memmove(h->attrs + at, h->attrs + at + 1, (h->n_attrs - (uint32_t)at - 1) * sizeof *h->attrs);
    h->n_attrs--;
    rc = stream_meta_save(h, e);
    if (rc != SLUICE_OK) {
      memmove(h->attrs + at + 1, h->attrs + at, (h->n_attrs - (uint32_t)at) * sizeof *h->attrs);
      h->attrs[at] = old;
      h->n_attrs++;
    } else {
      free(old.key);
      free(old.value);
    }
    return meta_end(h, rc);
  }
  if (at >= 0) {
    attr old = h->attrs[at];
    h->attrs[at].value = nv;
    h->attrs[at].n = n;
    rc = stream_meta_save(h, e);
    if (rc != SLUICE_OK) {
      h->attrs[at] = old;
      free(nv);
    } else {
      free(old.value);
    }
    return meta_end(h, rc);
  }
  char *k = strdup(key);
  attr *x = k ? realloc(h->attrs, (h->n_attrs + 1) * sizeof *x) : NULL;
  if (!x) {
    free(k);
    free(nv);
    return meta_end(h, core_error_set(e, SLUICE_NOMEM, "out of memory"));
  }
  h->attrs = x;
  x[h->n_attrs++] = (attr){k, nv, n};
  rc = stream_meta_save(h, e);
  if (rc != SLUICE_OK) {
    h->n_attrs--;
    free(k);
    free(nv);
  }
  return meta_end(h, rc);
}

int stream_get_attr(stream_handle *h, const char *key, core_arena *a, void **value, size_t *n,
                    core_error *e) {
  pthread_rwlock_rdlock(&h->lock);
  int rc = atomic_load(&h->gone)
               ? core_error_set(e, SLUICE_NOTFOUND, "stream %s not found", h->name)
               : SLUICE_NOTFOUND;
  if (!atomic_load(&h->gone)) {
    pthread_mutex_lock(&h->meta_mu);
    for (uint32_t i = 0; i < h->n_attrs; i++)
      if (key && strcmp(h->attrs[i].key, key) == 0) {
        uint8_t *c = core_arena_alloc(a, h->attrs[i].n + 1);
        if (!c) {
          rc = core_error_set(e, SLUICE_NOMEM, "out of memory");
          break;
        }
        memcpy(c, h->attrs[i].value, h->attrs[i].n);
        c[h->attrs[i].n] = 0;
        *value = c;
        *n = h->attrs[i].n;
        rc = SLUICE_OK;
        break;
      }
    pthread_mutex_unlock(&h->meta_mu);
    if (rc == SLUICE_NOTFOUND)
      core_error_set(e, SLUICE_NOTFOUND, "attribute %s of stream %s not found", key ? key : "",
                     h->name);
  }
  pthread_rwlock_unlock(&h->lock);
  return rc;
}

/*
 * validate.c — request validation as AWS (and kinesalite, which copies it)
 * does it: first every member's JSON type (SerializationException, the first
 * mismatch ends it), then every constraint of every member in the model's
 * order (ValidationException listing up to 10 violations:
 * `N validation errors detected: ...; ...`). Semantic checks
 * (InvalidArgumentException) and existence come later, in kinesis.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "server/validate.h"

/* ------------------------------------------------------------- patterns -- */

static bool rx_name(const char *s, size_t n) {
  if (!n) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  }
  return true;
}

/* `0|([1-9]\d{0,max-1})` */
static bool rx_decimal(const char *s, size_t n, size_t max) {
  if (n == 1 && s[0] == '0') return true;
  if (n == 0 || n > max || s[0] < '1' || s[0] > '9') return false;
  for (size_t i = 1; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

/* `arn:aws.*:kinesis:.*:\d{12}:stream/.+` */
/* `arn:aws.*:kinesis:.*:\d{12}:.+` */
static bool rx_resource_arn(const char *s, size_t n) {
  if (n < 7 || memcmp(s, "arn:aws", 7) != 0) return false;
  size_t k = 0;
  for (size_t i = 7; i + 9 <= n; i++)
    if (memcmp(s + i, ":kinesis:", 9) == 0) {
      k = i + 8;
      break;
    }
  if (!k) return false;
  for (size_t i = k + 1; i + 14 < n; i++) {
    if (s[i] != ':' || s[i + 13] != ':') continue;
    bool ok = true;
    for (size_t j = 1; j <= 12 && ok; j++) ok = s[i + j] >= '0' && s[i + j] <= '9';
    if (ok) return true;
  }
  return false;
}

static bool rx_stream_arn(const char *s, size_t n) {
  if (n < 7 || memcmp(s, "arn:aws", 7) != 0) return false;
  size_t k = 0;
  for (size_t i = 7; i + 9 <= n; i++)
    if (memcmp(s + i, ":kinesis:", 9) == 0) {
      k = i + 8; /* the last ':' of ":kinesis:" */
      break;
    }
  if (!k) return false;
  for (size_t i = k + 1; i + 22 <= n; i++) {
    if (s[i] != ':') continue;
    bool ok = true;
    for (size_t j = 1; j <= 12 && ok; j++) ok = s[i + j] >= '0' && s[i + j] <= '9';
    if (ok && memcmp(s + i + 13, ":stream/", 8) == 0 && i + 21 < n) {
      /* `.+` excludes line terminators */
      bool any = false;
      for (size_t j = i + 21; j < n; j++) {
        if (s[j] == '\n' || s[j] == '\r') {
          any = false;
          break;
        }
        any = true;
      }
      if (any) return true;
    }
  }
  return false;
}

/* `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`
 * (not anchored at the end) */
static bool rx_consumer_arn(const char *s, size_t n) {
  if (!rx_stream_arn(s, n)) return false;
  for (size_t i = 0; i + 10 <= n; i++) {
    if (memcmp(s + i, "/consumer/", 10) != 0) continue;
    size_t j = i + 10, k = j;
    while (k < n && rx_name(s + k, 1)) k++;
    if (k > j && k + 1 < n && s[k] == ':' && s[k + 1] >= '0' && s[k + 1] <= '9') return true;
  }
  return false;
}

static const char *rx_text(int rx) {
  switch (rx) {
    case RX_NAME:
      return "[a-zA-Z0-9_.-]+";
    case RX_HASHKEY:
      return "0|([1-9]\\d{0,38})";
    case RX_SEQ:
      return "0|([1-9]\\d{0,128})";
    case RX_STREAM_ARN:
      return "arn:aws.*:kinesis:.*:\\d{12}:stream/.+";
    case RX_RESOURCE_ARN:
      return "arn:aws.*:kinesis:.*:\\d{12}:.+";
    case RX_CONSUMER_ARN:
      return "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/"
             "[a-zA-Z0-9_.-]+:[0-9]+";
  }
  return "";
}

static bool rx_match(int rx, const char *s, size_t n) {
  switch (rx) {
    case RX_NAME:
      return rx_name(s, n);
    case RX_HASHKEY:
      return rx_decimal(s, n, 39);
    case RX_SEQ:
      return rx_decimal(s, n, 129);
    case RX_STREAM_ARN:
      return rx_stream_arn(s, n);
    case RX_CONSUMER_ARN:
      return rx_consumer_arn(s, n);
    case RX_RESOURCE_ARN:
      return rx_resource_arn(s, n);
  }
  return true;
}

/* ------------------------------------------------------------ messages -- */

typedef struct vctx {
  char *msg;
  size_t size;
  size_t len;
  int count;
} vctx;

static void vappend(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vappend(vctx *v, const char *fmt, ...) {
  if (v->len >= v->size) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(v->msg + v->len, v->size - v->len, fmt, ap);
  va_end(ap);
  if (n > 0) v->len += (size_t)n;
  if (v->len >= v->size) v->len = v->size - 1;
}

/* A member's path, built only when a violation is reported: a chain of
 * member names (first letter lower-cased) and list positions
 * (`records.1.member.partitionKey`). */
typedef struct vpath {
  const struct vpath *up;
  const char *name; /* NULL: the index-th member of a list */
  int index;
} vpath;

static size_t path_render(const vpath *p, char *out, size_t size) {
  size_t n = p->up ? path_render(p->up, out, size) : 0;
  if (n >= size) return n;
  if (p->up) n += (size_t)snprintf(out + n, size - n, ".");
  if (n >= size) return n;
  if (p->name)
    n += (size_t)snprintf(
        out + n, size - n, "%c%s",
        p->name[0] >= 'A' && p->name[0] <= 'Z' ? p->name[0] - 'A' + 'a' : p->name[0], p->name + 1);
  else
    n += (size_t)snprintf(out + n, size - n, "%d.member", p->index);
  return n;
}

static size_t blob_len(const cJSON *j) {
  size_t n = strlen(j->valuestring), pad = 0;
  if (n >= 1 && j->valuestring[n - 1] == '=') pad++;
  if (n >= 2 && j->valuestring[n - 2] == '=') pad++;
  return n / 4 * 3 - pad;
}

/* The value as AWS prints it inside `Value '...'`. */
static void value_str(char *out, size_t size, const cJSON *j, const vspec *sp) {
  if (!j || cJSON_IsNull(j)) {
    snprintf(out, size, "null");
    return;
  }
  size_t len = 0;
  switch (sp->type) {
    case VT_BLOB: {
      size_t l = blob_len(j);
      snprintf(out, size, "'java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]'", l, l);
      return;
    }
    case VT_LIST: {
      len += (size_t)snprintf(out, size, "'[");
      int i = 0;
      const cJSON *c;
      cJSON_ArrayForEach(c, j) {
        if (len >= size) break;
        const char *item = sp->member_str      ? sp->member_str
                           : cJSON_IsString(c) ? c->valuestring
                                               : "[object Object]";
        len += (size_t)snprintf(out + len, size - len, "%s%s", i++ ? ", " : "", item);
      }
      if (len < size) snprintf(out + len, size - len, "]'");
      return;
    }
    case VT_MAP: {
      len += (size_t)snprintf(out, size, "'{");
      int i = 0;
      const cJSON *c;
      cJSON_ArrayForEach(c, j) {
        if (len >= size) break;
        len += (size_t)snprintf(out + len, size - len, "%s%s=%s", i++ ? ", " : "", c->string,
                                cJSON_IsString(c) ? c->valuestring : "");
      }
      if (len < size) snprintf(out + len, size - len, "}'");
      return;
    }
    case VT_INT:
    case VT_LONG:
      snprintf(out, size, "'%.0f'", floor(j->valuedouble));
      return;
    case VT_BOOL:
      snprintf(out, size, "'%s'", cJSON_IsTrue(j) ? "true" : "false");
      return;
    default:
      if (cJSON_IsString(j))
        snprintf(out, size, "'%s'", j->valuestring);
      else
        snprintf(out, size, "'%g'", j->valuedouble);
  }
}

static void violation(vctx *v, const vpath *vp, const cJSON *j, const vspec *sp,
                      const char *constraint) {
  if (v->count >= 10) return;
  char path[512];
  path[0] = 0;
  path_render(vp, path, sizeof path);
  static __thread char val[4096];
  value_str(val, sizeof val, j, sp);
  size_t vl = strlen(val);
  if (vl == sizeof val - 1) memcpy(val + vl - 4, "...'", 4); /* truncated: still quoted */
  if (v->count) vappend(v, "; ");
  vappend(v, "Value %s at '%s' failed to satisfy constraint: %s", val, path, constraint);
  v->count++;
}

/* ---------------------------------------------------------- type checks -- */

static const char *type_error(const cJSON *j, const vspec *sp, char *buf, size_t size) {
  bool arr = cJSON_IsArray(j), obj = cJSON_IsObject(j);
  switch (sp->type) {
    case VT_BOOL:
      if (cJSON_IsNumber(j)) return "class java.math.BigDecimal can not be converted to an Boolean";
      if (cJSON_IsString(j)) {
        /* AWS upper-cases the value in this message */
        snprintf(buf, size, "'%.200s", j->valuestring);
        for (char *p = buf; *p; p++)
          if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "' can not be converted to an Boolean");
        return buf;
      }
      break;
    case VT_INT:
    case VT_LONG: {
      const char *tn = sp->type == VT_INT ? "Integer" : "Long";
      if (cJSON_IsBool(j)) {
        snprintf(buf, size, "class java.lang.Boolean can not be converted to an %s", tn);
        return buf;
      }
      if (cJSON_IsString(j)) {
        snprintf(buf, size, "class java.lang.String can not be converted to an %s", tn);
        return buf;
      }
      break;
    }
    case VT_TS:
      if (cJSON_IsBool(j)) return "class java.lang.Boolean can not be converted to a Timestamp";
      if (cJSON_IsString(j)) {
        char *end = NULL;
        strtod(j->valuestring, &end);
        int64_t ms;
        if (end && end != j->valuestring && *end == 0) return NULL;
        if (core_timestamp_parse(j->valuestring, strlen(j->valuestring), &ms) == SLUICE_OK)
          return NULL;
        snprintf(buf, size, "'%s' can not be converted to a Timestamp", j->valuestring);
        return buf;
      }
      break;
    case VT_STRING:
      if (cJSON_IsBool(j)) return "class java.lang.Boolean can not be converted to an String";
      if (cJSON_IsNumber(j)) return "class java.math.BigDecimal can not be converted to an String";
      break;
    case VT_BLOB:
      if (cJSON_IsBool(j)) return "class java.lang.Boolean can not be converted to a Blob";
      if (cJSON_IsNumber(j)) return "class java.math.BigDecimal can not be converted to a Blob";
      if (cJSON_IsString(j)) {
        const char *s = j->valuestring;
        size_t n = strlen(s);
        if (n % 4) {
          snprintf(buf, size,
                   "'%.200s' can not be converted to a Blob: Base64 encoded length is expected a "
                   "multiple of 4 bytes but found: %zu",
                   s, n);
          return buf;
        }
        static const uint8_t b64ok[256] = {
            ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
            ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
            ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
            ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
            ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
            ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
            ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
            ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['+'] = 1, ['/'] = 1};
        /* padding: at most two '=', only at the end */
        size_t body = n;
        while (body > 0 && n - body < 2 && s[body - 1] == '=') body--;
        for (size_t i = 0; i < n; i++) {
          if (i < body ? b64ok[(unsigned char)s[i]] : 1) continue;
          snprintf(buf, size,
                   "'%.200s' can not be converted to a Blob: Invalid Base64 character: '%c'", s,
                   s[i]);
          return buf;
        }
        return NULL;
      }
      break;
    case VT_LIST:
      if (cJSON_IsBool(j) || cJSON_IsNumber(j) || cJSON_IsString(j)) return "Expected list or null";
      if (obj) return "Start of structure or map found where not expected.";
      return NULL;
    case VT_MAP:
      if (cJSON_IsBool(j) || cJSON_IsNumber(j) || cJSON_IsString(j)) return "Expected map or null";
      if (arr) return "Start of list found where not expected";
      return NULL;
    case VT_STRUCT:
      if (cJSON_IsBool(j) || cJSON_IsNumber(j) || cJSON_IsString(j)) return "Expected null";
      if (arr) return "Start of list found where not expected";
      return NULL;
  }
  if (arr) return "Start of list found where not expected";
  if (obj) return "Start of structure or map found where not expected.";
  return NULL;
}

static const char *check_types(const cJSON *obj, const vspec *members, char *buf, size_t size);

static const char *check_type(const cJSON *j, const vspec *sp, char *buf, size_t size) {
  if (!j || cJSON_IsNull(j)) return NULL;
  const char *e = type_error(j, sp, buf, size);
  if (e) return e;
  const cJSON *c;
  if (sp->type == VT_LIST || sp->type == VT_MAP) {
    cJSON_ArrayForEach(c, j) {
      if (sp->child && (e = check_type(c, sp->child, buf, size))) return e;
      if (!sp->child && sp->type == VT_MAP && !cJSON_IsString(c) && !cJSON_IsNull(c)) {
        vspec str = {.type = VT_STRING};
        if ((e = type_error(c, &str, buf, size))) return e;
      }
    }
  } else if (sp->type == VT_STRUCT && sp->child) {
    return check_types(j, sp->child, buf, size);
  }
  return NULL;
}

static const char *check_types(const cJSON *obj, const vspec *members, char *buf, size_t size) {
  for (const vspec *m = members; m->name; m++) {
    const char *e = check_type(cJSON_GetObjectItemCaseSensitive(obj, m->name), m, buf, size);
    if (e) return e;
  }
  return NULL;
}

/* --------------------------------------------------------- constraints -- */

static size_t length_of(const cJSON *j, const vspec *sp) {
  if (sp->type == VT_BLOB) return blob_len(j);
  if (sp->type == VT_LIST || sp->type == VT_MAP) return (size_t)cJSON_GetArraySize(j);
  /* String lengths count UTF-16 code units in AWS; code points are close enough
   * except outside the BMP. */
  const char *s = j->valuestring;
  size_t n = strlen(s);
  if (core_utf8_valid(s, n)) {
    size_t cp = 0;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)s[i];
      if ((c & 0xC0) != 0x80) cp += c >= 0xF0 ? 2 : 1;
    }
    return cp;
  }
  return n;
}

static void check_member(vctx *v, const cJSON *parent_obj, const cJSON *j, const vspec *sp,
                         const vpath *path);

static void check_members(vctx *v, const cJSON *obj, const vspec *members, const vpath *parent) {
  for (const vspec *m = members; m->name; m++) {
    vpath path = {.up = parent, .name = m->name};
    check_member(v, obj, cJSON_GetObjectItemCaseSensitive(obj, m->name), m, &path);
  }
}

static void check_member(vctx *v, const cJSON *parent_obj, const cJSON *j, const vspec *sp,
                         const vpath *path) {
  char c[512];
  bool null = !j || cJSON_IsNull(j);
  if (null) {
    bool alt = sp->alt && cJSON_GetObjectItemCaseSensitive(parent_obj, sp->alt) &&
               !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(parent_obj, sp->alt));
    if (sp->not_null && !alt) violation(v, path, NULL, sp, "Member must not be null");
    return;
  }
  if (sp->enums && cJSON_IsString(j)) {
    bool found = false;
    size_t len = (size_t)snprintf(c, sizeof c, "Member must satisfy enum value set: [");
    for (const char *const *e = sp->enums; *e; e++) {
      if (strcmp(*e, j->valuestring) == 0) found = true;
      len += (size_t)snprintf(c + len, sizeof c - len, "%s%s", e == sp->enums ? "" : ", ", *e);
    }
    snprintf(c + len, sizeof c - len, "]");
    if (!found) violation(v, path, j, sp, c);
  }
  if (sp->regex && cJSON_IsString(j) &&
      !rx_match(sp->regex, j->valuestring, strlen(j->valuestring))) {
    snprintf(c, sizeof c, "Member must satisfy regular expression pattern: %s", rx_text(sp->regex));
    violation(v, path, j, sp, c);
  }
  if (sp->min_len || sp->max_len) {
    size_t len = length_of(j, sp);
    if (sp->min_len && len < (size_t)sp->min_len) {
      snprintf(c, sizeof c, "Member must have length greater than or equal to %d", sp->min_len);
      violation(v, path, j, sp, c);
    }
    if (sp->max_len && len > (size_t)sp->max_len) {
      snprintf(c, sizeof c, "Member must have length less than or equal to %d", sp->max_len);
      violation(v, path, j, sp, c);
    }
  }
  if ((sp->type == VT_INT || sp->type == VT_LONG) && cJSON_IsNumber(j)) {
    double d = floor(j->valuedouble);
    if (sp->has_min && d < (double)sp->min_val) {
      snprintf(c, sizeof c, "Member must have value greater than or equal to %lld",
               (long long)sp->min_val);
      violation(v, path, j, sp, c);
    }
    if (sp->has_max && d > (double)sp->max_val) {
      snprintf(c, sizeof c, "Member must have value less than or equal to %lld",
               (long long)sp->max_val);
      violation(v, path, j, sp, c);
    }
  }
  if (sp->type == VT_MAP && (sp->key_len[1] || sp->value_len[1])) {
    const cJSON *e;
    bool keys_ok = true, values_ok = true;
    cJSON_ArrayForEach(e, j) {
      size_t kl = strlen(e->string);
      if (sp->key_len[1] && (kl < (size_t)sp->key_len[0] || kl > (size_t)sp->key_len[1]))
        keys_ok = false;
      size_t vl = cJSON_IsString(e) ? strlen(e->valuestring) : 0;
      if (sp->value_len[1] && (vl < (size_t)sp->value_len[0] || vl > (size_t)sp->value_len[1]))
        values_ok = false;
    }
    if (!keys_ok) {
      snprintf(c, sizeof c,
               "Map keys must satisfy constraint: [Member must have length less than or equal to "
               "%d, Member must have length greater than or equal to %d]",
               sp->key_len[1], sp->key_len[0]);
      violation(v, path, j, sp, c);
    }
    if (!values_ok) {
      snprintf(c, sizeof c,
               "Map value must satisfy constraint: [Member must have length less than or equal to "
               "%d, Member must have length greater than or equal to %d]",
               sp->value_len[1], sp->value_len[0]);
      violation(v, path, j, sp, c);
    }
  }
  if (sp->type == VT_LIST && sp->item_len[1]) {
    const cJSON *e;
    bool ok = true;
    cJSON_ArrayForEach(e, j) {
      size_t l = cJSON_IsString(e) ? strlen(e->valuestring) : 0;
      if (l < (size_t)sp->item_len[0] || l > (size_t)sp->item_len[1]) ok = false;
    }
    if (!ok) {
      snprintf(c, sizeof c,
               "Member must satisfy constraint: [Member must have length less than or equal to "
               "%d, Member must have length greater than or equal to %d]",
               sp->item_len[1], sp->item_len[0]);
      violation(v, path, j, sp, c);
    }
  }
  if (sp->type == VT_LIST && sp->child) {
    int i = 1;
    const cJSON *e;
    cJSON_ArrayForEach(e, j) {
      vpath p = {.up = path, .index = i++};
      if (sp->child->type == VT_STRUCT) check_members(v, e, sp->child->child, &p);
    }
    if (sp->child->enums) {
      /* AWS reports a list member outside its enum on the list itself */
      bool ok = true;
      cJSON_ArrayForEach(e, j) {
        bool found = false;
        for (const char *const *en = sp->child->enums; cJSON_IsString(e) && *en; en++)
          if (strcmp(*en, e->valuestring) == 0) found = true;
        if (!found) ok = false;
      }
      if (!ok) {
        size_t len = (size_t)snprintf(
            c, sizeof c, "Member must satisfy constraint: [Member must satisfy enum value set: [");
        for (const char *const *en = sp->child->enums; *en; en++)
          len += (size_t)snprintf(c + len, sizeof c - len, "%s%s",
                                  en == sp->child->enums ? "" : ", ", *en);
        snprintf(c + len, sizeof c - len, "]]");
        violation(v, path, j, sp, c);
      }
    }
  } else if (sp->type == VT_STRUCT && sp->child) {
    check_members(v, j, sp->child, path);
  }
}

/* ---------------------------------------------------------------- tables -- */

#define STREAM_NAME_REQ                                                                            \
  {                                                                                                \
    .name = "StreamName", .type = VT_STRING, .not_null = true, .alt = "StreamARN",                 \
    .regex = RX_NAME, .min_len = 1, .max_len = 128                                                 \
  }
#define STREAM_NAME_OPT                                                                            \
  { .name = "StreamName", .type = VT_STRING, .regex = RX_NAME, .min_len = 1, .max_len = 128 }
#define STREAM_ARN_OPT                                                                             \
  { .name = "StreamARN", .type = VT_STRING, .regex = RX_STREAM_ARN, .min_len = 1, .max_len = 2048 }
#define STREAM_ARN_REQ                                                                             \
  {                                                                                                \
    .name = "StreamARN", .type = VT_STRING, .not_null = true, .regex = RX_STREAM_ARN,              \
    .min_len = 1, .max_len = 2048                                                                  \
  }
#define SHARD_ID(n, req)                                                                           \
  { .name = n, .type = VT_STRING, .not_null = req, .regex = RX_NAME, .min_len = 1, .max_len = 128 }
#define INT_RANGE(n, req, lo, hi)                                                                  \
  {                                                                                                \
    .name = n, .type = VT_INT, .not_null = req, .has_min = true, .min_val = lo, .has_max = true,   \
    .max_val = hi                                                                                  \
  }
#define END                                                                                        \
  { .name = NULL }

static const char *const it_types[] = {
    "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", NULL};
static const char *const modes[] = {"PROVISIONED", "ON_DEMAND", NULL};
static const char *const filter_types[] = {"AFTER_SHARD_ID",
                                           "AT_TRIM_HORIZON",
                                           "FROM_TRIM_HORIZON",
                                           "AT_LATEST",
                                           "AT_TIMESTAMP",
                                           "FROM_TIMESTAMP",
                                           NULL};
static const char *const enc_types[] = {"NONE", "KMS", NULL};
static const char *const scaling[] = {"UNIFORM_SCALING", NULL};
static const char *const metrics[] = {"IncomingBytes",
                                      "IncomingRecords",
                                      "OutgoingBytes",
                                      "OutgoingRecords",
                                      "WriteProvisionedThroughputExceeded",
                                      "ReadProvisionedThroughputExceeded",
                                      "IteratorAgeMilliseconds",
                                      "ALL",
                                      NULL};

static const vspec mode_details[] = {
    {.name = "StreamMode", .type = VT_STRING, .not_null = true, .enums = modes}, END};
static const vspec filter_members[] = {
    {.name = "Type", .type = VT_STRING, .not_null = true, .enums = filter_types},
    SHARD_ID("ShardId", false),
    {.name = "Timestamp", .type = VT_TS},
    END};
static const vspec position_members[] = {
    {.name = "Type", .type = VT_STRING, .not_null = true, .enums = it_types},
    {.name = "SequenceNumber", .type = VT_STRING, .regex = RX_SEQ},
    {.name = "Timestamp", .type = VT_TS},
    END};
static const vspec put_entry[] = {
    {.name = "PartitionKey", .type = VT_STRING, .not_null = true, .min_len = 1, .max_len = 256},
    {.name = "Data", .type = VT_BLOB, .not_null = true, .max_len = 1048576},
    {.name = "ExplicitHashKey", .type = VT_STRING, .regex = RX_HASHKEY},
    END};
static const vspec put_entry_struct = {.type = VT_STRUCT, .child = put_entry};
static const vspec str_item = {.type = VT_STRING};
static const vspec metric_item = {.type = VT_STRING, .enums = metrics};
static const vspec tag_value = {.type = VT_STRING};

#define TAGS(req, hi)                                                                              \
  {                                                                                                \
    .name = "Tags", .type = VT_MAP, .not_null = req, .min_len = 1, .max_len = hi,                  \
    .child = &tag_value, .key_len = {1, 128}, .value_len = {                                       \
      0,                                                                                           \
      256                                                                                          \
    }                                                                                              \
  }

static const vspec v_add_tags[] = {TAGS(true, 200), STREAM_NAME_REQ, STREAM_ARN_OPT, END};
static const vspec v_create[] = {
    INT_RANGE("ShardCount", false, 1, 1000000),
    {.name = "StreamModeDetails", .type = VT_STRUCT, .child = mode_details},
    {.name = "StreamName",
     .type = VT_STRING,
     .not_null = true,
     .regex = RX_NAME,
     .min_len = 1,
     .max_len = 128},
    TAGS(false, 200),
    INT_RANGE("MaxRecordSizeInKiB", false, 1024, 10240),
    {.name = "WarmThroughputMiBps", .type = VT_INT},
    END};
static const vspec v_retention[] = {INT_RANGE("RetentionPeriodHours", true, 1, 2147483647),
                                    STREAM_NAME_REQ, STREAM_ARN_OPT, END};
static const vspec v_delete[] = {
    STREAM_NAME_REQ, {.name = "EnforceConsumerDeletion", .type = VT_BOOL}, STREAM_ARN_OPT, END};
static const vspec v_empty[] = {END};
static const vspec v_describe[] = {INT_RANGE("Limit", false, 1, 10000),
                                   SHARD_ID("ExclusiveStartShardId", false), STREAM_NAME_REQ,
                                   STREAM_ARN_OPT, END};
static const vspec v_stream_only[] = {STREAM_NAME_REQ, STREAM_ARN_OPT, END};
static const vspec v_get_records[] = {
    {.name = "ShardIterator", .type = VT_STRING, .not_null = true, .min_len = 1, .max_len = 512},
    INT_RANGE("Limit", false, 1, 10000),
    STREAM_ARN_OPT,
    END};
static const vspec v_get_iterator[] = {
    SHARD_ID("ShardId", true),
    {.name = "ShardIteratorType", .type = VT_STRING, .not_null = true, .enums = it_types},
    {.name = "StartingSequenceNumber", .type = VT_STRING, .regex = RX_SEQ},
    {.name = "Timestamp", .type = VT_TS},
    STREAM_NAME_REQ,
    STREAM_ARN_OPT,
    END};
static const vspec v_list_shards[] = {
    SHARD_ID("ExclusiveStartShardId", false),
    INT_RANGE("MaxResults", false, 1, 10000),
    {.name = "NextToken", .type = VT_STRING, .min_len = 1, .max_len = 1048576},
    {.name = "StreamCreationTimestamp", .type = VT_TS},
    STREAM_NAME_OPT,
    {.name = "ShardFilter", .type = VT_STRUCT, .child = filter_members},
    STREAM_ARN_OPT,
    END};
static const vspec v_list_streams[] = {
    INT_RANGE("Limit", false, 1, 10000),
    {.name = "ExclusiveStartStreamName",
     .type = VT_STRING,
     .regex = RX_NAME,
     .min_len = 1,
     .max_len = 128},
    {.name = "NextToken", .type = VT_STRING, .min_len = 1, .max_len = 1048576},
    END};
static const vspec v_list_tags[] = {
    {.name = "ExclusiveStartTagKey", .type = VT_STRING, .min_len = 1, .max_len = 128},
    INT_RANGE("Limit", false, 1, 50),
    STREAM_NAME_REQ,
    STREAM_ARN_OPT,
    END};
static const vspec v_merge[] = {SHARD_ID("AdjacentShardToMerge", true),
                                SHARD_ID("ShardToMerge", true), STREAM_NAME_REQ, STREAM_ARN_OPT,
                                END};
static const vspec v_put_record[] = {
    {.name = "SequenceNumberForOrdering", .type = VT_STRING, .regex = RX_SEQ},
    {.name = "PartitionKey", .type = VT_STRING, .not_null = true, .min_len = 1, .max_len = 256},
    {.name = "ExplicitHashKey", .type = VT_STRING, .regex = RX_HASHKEY},
    {.name = "Data", .type = VT_BLOB, .not_null = true, .max_len = 1048576},
    STREAM_NAME_REQ,
    STREAM_ARN_OPT,
    END};
static const vspec v_put_records[] = {{.name = "Records",
                                       .type = VT_LIST,
                                       .not_null = true,
                                       .min_len = 1,
                                       .max_len = 500,
                                       .child = &put_entry_struct},
                                      STREAM_NAME_REQ,
                                      STREAM_ARN_OPT,
                                      END};
static const vspec v_remove_tags[] = {STREAM_NAME_REQ,
                                      {.name = "TagKeys",
                                       .type = VT_LIST,
                                       .not_null = true,
                                       .min_len = 1,
                                       .max_len = 50,
                                       .child = &str_item,
                                       .item_len = {1, 128}},
                                      STREAM_ARN_OPT,
                                      END};
static const vspec v_split[] = {
    {.name = "NewStartingHashKey", .type = VT_STRING, .not_null = true, .regex = RX_HASHKEY},
    SHARD_ID("ShardToSplit", true),
    STREAM_NAME_REQ,
    STREAM_ARN_OPT,
    END};
static const vspec v_update_count[] = {
    {.name = "ScalingType", .type = VT_STRING, .not_null = true, .enums = scaling},
    STREAM_NAME_REQ,
    INT_RANGE("TargetShardCount", true, 1, 100000),
    STREAM_ARN_OPT,
    END};
static const vspec v_encryption[] = {
    {.name = "EncryptionType", .type = VT_STRING, .not_null = true, .enums = enc_types},
    {.name = "KeyId", .type = VT_STRING, .not_null = true, .min_len = 1, .max_len = 2048},
    STREAM_NAME_REQ,
    STREAM_ARN_OPT,
    END};
static const vspec v_monitoring[] = {{.name = "ShardLevelMetrics",
                                      .type = VT_LIST,
                                      .not_null = true,
                                      .min_len = 1,
                                      .max_len = 7,
                                      .child = &metric_item},
                                     STREAM_NAME_REQ,
                                     STREAM_ARN_OPT,
                                     END};
static const vspec v_update_mode[] = {
    STREAM_ARN_REQ,
    {.name = "StreamModeDetails", .type = VT_STRUCT, .not_null = true, .child = mode_details},
    {.name = "WarmThroughputMiBps", .type = VT_INT},
    END};
static const vspec v_register[] = {STREAM_ARN_REQ,
                                   {.name = "ConsumerName",
                                    .type = VT_STRING,
                                    .not_null = true,
                                    .regex = RX_NAME,
                                    .min_len = 1,
                                    .max_len = 128},
                                   TAGS(false, 50),
                                   END};
static const vspec v_consumer[] = {
    STREAM_ARN_OPT,
    {.name = "ConsumerName", .type = VT_STRING, .regex = RX_NAME, .min_len = 1, .max_len = 128},
    {.name = "ConsumerARN",
     .type = VT_STRING,
     .regex = RX_CONSUMER_ARN,
     .min_len = 1,
     .max_len = 2048},
    END};
static const vspec v_list_consumers[] = {
    STREAM_ARN_REQ,
    {.name = "NextToken", .type = VT_STRING, .min_len = 1, .max_len = 1048576},
    INT_RANGE("MaxResults", false, 1, 10000),
    {.name = "StreamCreationTimestamp", .type = VT_TS},
    END};
static const vspec v_subscribe[] = {
    {.name = "ConsumerARN",
     .type = VT_STRING,
     .not_null = true,
     .regex = RX_CONSUMER_ARN,
     .min_len = 1,
     .max_len = 2048},
    SHARD_ID("ShardId", true),
    {.name = "StartingPosition", .type = VT_STRUCT, .not_null = true, .child = position_members},
    END};

#define RESOURCE_ARN                                                                               \
  {                                                                                                \
    .name = "ResourceARN", .type = VT_STRING, .not_null = true, .regex = RX_RESOURCE_ARN,          \
    .min_len = 1, .max_len = 2048                                                                  \
  }
static const vspec v_tag_resource[] = {TAGS(true, 50), RESOURCE_ARN, END};
static const vspec v_untag_resource[] = {{.name = "TagKeys",
                                          .type = VT_LIST,
                                          .not_null = true,
                                          .min_len = 1,
                                          .max_len = 50,
                                          .child = &str_item,
                                          .item_len = {1, 128}},
                                         RESOURCE_ARN,
                                         END};
static const vspec v_list_tags_resource[] = {RESOURCE_ARN, END};

const vaction vactions[] = {
    {"AddTagsToStream", ACT_ADD_TAGS, v_add_tags},
    {"CreateStream", ACT_CREATE, v_create},
    {"DecreaseStreamRetentionPeriod", ACT_DECREASE_RETENTION, v_retention},
    {"DeleteStream", ACT_DELETE, v_delete},
    {"DeregisterStreamConsumer", ACT_DEREGISTER_CONSUMER, v_consumer},
    {"DescribeLimits", ACT_DESCRIBE_LIMITS, v_empty},
    {"DescribeStream", ACT_DESCRIBE, v_describe},
    {"DescribeStreamConsumer", ACT_DESCRIBE_CONSUMER, v_consumer},
    {"DescribeStreamSummary", ACT_DESCRIBE_SUMMARY, v_stream_only},
    {"DisableEnhancedMonitoring", ACT_DISABLE_MONITORING, v_monitoring},
    {"EnableEnhancedMonitoring", ACT_ENABLE_MONITORING, v_monitoring},
    {"GetRecords", ACT_GET_RECORDS, v_get_records},
    {"GetShardIterator", ACT_GET_ITERATOR, v_get_iterator},
    {"IncreaseStreamRetentionPeriod", ACT_INCREASE_RETENTION, v_retention},
    {"ListShards", ACT_LIST_SHARDS, v_list_shards},
    {"ListStreamConsumers", ACT_LIST_CONSUMERS, v_list_consumers},
    {"ListStreams", ACT_LIST_STREAMS, v_list_streams},
    {"ListTagsForResource", ACT_LIST_TAGS_RESOURCE, v_list_tags_resource},
    {"ListTagsForStream", ACT_LIST_TAGS, v_list_tags},
    {"MergeShards", ACT_MERGE, v_merge},
    {"PutRecord", ACT_PUT_RECORD, v_put_record},
    {"PutRecords", ACT_PUT_RECORDS, v_put_records},
    {"RegisterStreamConsumer", ACT_REGISTER_CONSUMER, v_register},
    {"RemoveTagsFromStream", ACT_REMOVE_TAGS, v_remove_tags},
    {"SplitShard", ACT_SPLIT, v_split},
    {"StartStreamEncryption", ACT_START_ENCRYPTION, v_encryption},
    {"StopStreamEncryption", ACT_STOP_ENCRYPTION, v_encryption},
    {"SubscribeToShard", ACT_SUBSCRIBE, v_subscribe},
    {"TagResource", ACT_TAG_RESOURCE, v_tag_resource},
    {"UntagResource", ACT_UNTAG_RESOURCE, v_untag_resource},
    {"UpdateShardCount", ACT_UPDATE_SHARD_COUNT, v_update_count},
    {"UpdateStreamMode", ACT_UPDATE_MODE, v_update_mode},
    {NULL, 0, NULL},
};

const vaction *vaction_find(const char *name, size_t n) {
  for (const vaction *a = vactions; a->name; a++)
    if (strlen(a->name) == n && memcmp(a->name, name, n) == 0) return a;
  return NULL;
}

int vaction_check(const vaction *a, const cJSON *root, char type[64], char *msg, size_t size) {
  char buf[1024];
  msg[0] = 0;
  const char *te = check_types(root, a->members, buf, sizeof buf);
  if (te) {
    snprintf(type, 64, "SerializationException");
    snprintf(msg, size, "%s", te);
    return SLUICE_INVALID;
  }
  static __thread char body[65536];
  vctx v = {.msg = body, .size = sizeof body};
  body[0] = 0;
  check_members(&v, root, a->members, NULL);
  if (v.count) {
    snprintf(type, 64, "ValidationException");
    snprintf(msg, size, "%d validation error%s detected: %s", v.count, v.count > 1 ? "s" : "",
             body);
    return SLUICE_INVALID;
  }
  return SLUICE_OK;
}

int server_validate(const char *action, const char *body, size_t n, char type[64], char *msg,
                    size_t msg_size) {
  msg[0] = 0;
  const vaction *a = action ? vaction_find(action, strlen(action)) : NULL;
  if (!a) {
    snprintf(type, 64, "UnknownOperationException");
    return SLUICE_INVALID;
  }
  cJSON *root = cJSON_ParseWithLength(body, n);
  if (!root || !cJSON_IsObject(root)) {
    cJSON_Delete(root);
    snprintf(type, 64, "SerializationException");
    return SLUICE_INVALID;
  }
  int rc = vaction_check(a, root, type, msg, msg_size);
  cJSON_Delete(root);
  return rc;
}

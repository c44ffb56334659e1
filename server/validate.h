/*
 * validate.h — private to server/: the request model of every Kinesis
 * action (member types and constraints, in AWS's order) and its checker.
 */
#ifndef SLUICE_SERVER_VALIDATE_H
#define SLUICE_SERVER_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "server/server.h"

enum vtype { VT_STRING, VT_INT, VT_LONG, VT_BOOL, VT_BLOB, VT_LIST, VT_MAP, VT_STRUCT, VT_TS };
enum vregex {
  RX_NONE,
  RX_NAME,
  RX_HASHKEY,
  RX_SEQ,
  RX_STREAM_ARN,
  RX_CONSUMER_ARN,
  RX_RESOURCE_ARN
};

/* One member: its JSON key, type and constraints. A list's or map's element
 * spec, or a structure's members (terminated by name == NULL), is child. */
typedef struct vspec {
  const char *name;
  uint8_t type;
  bool not_null;
  const char *alt; /* not_null is satisfied when this sibling is present (StreamARN) */
  uint8_t regex;
  int32_t min_len, max_len; /* 0: none */
  bool has_min, has_max;
  int64_t min_val, max_val;
  const char *const *enums;
  const struct vspec *child;
  const char *member_str;
  int32_t key_len[2], value_len[2], item_len[2]; /* maps' keys/values, lists' strings */
} vspec;

typedef enum vaction_id {
  ACT_ADD_TAGS = 1,
  ACT_CREATE,
  ACT_DECREASE_RETENTION,
  ACT_DELETE,
  ACT_DEREGISTER_CONSUMER,
  ACT_DESCRIBE_LIMITS,
  ACT_DESCRIBE,
  ACT_DESCRIBE_CONSUMER,
  ACT_DESCRIBE_SUMMARY,
  ACT_DISABLE_MONITORING,
  ACT_ENABLE_MONITORING,
  ACT_GET_RECORDS,
  ACT_GET_ITERATOR,
  ACT_INCREASE_RETENTION,
  ACT_LIST_SHARDS,
  ACT_LIST_CONSUMERS,
  ACT_LIST_STREAMS,
  ACT_LIST_TAGS,
  ACT_MERGE,
  ACT_PUT_RECORD,
  ACT_PUT_RECORDS,
  ACT_REGISTER_CONSUMER,
  ACT_REMOVE_TAGS,
  ACT_SPLIT,
  ACT_START_ENCRYPTION,
  ACT_STOP_ENCRYPTION,
  ACT_SUBSCRIBE,
  ACT_UPDATE_SHARD_COUNT,
  ACT_UPDATE_MODE,
  ACT_TAG_RESOURCE,
  ACT_UNTAG_RESOURCE,
  ACT_LIST_TAGS_RESOURCE,
} vaction_id;

typedef struct vaction {
  const char *name;
  int id;
  const vspec *members;
} vaction;

extern const vaction vactions[];

/* The action called name (n bytes), or NULL. */
const vaction *vaction_find(const char *name, size_t n);

/* Type checks then constraints; SLUICE_INVALID with type and msg filled. */
int vaction_check(const vaction *a, const cJSON *root, char type[64], char *msg, size_t size);

#endif

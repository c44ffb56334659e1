/*
 * codec_int.h — private to the record codecs of stream/ (codec_*.c): the
 * compiled mapping, the value slots that the JSON and CSV scanners fill, and
 * the conversion of one slot into one batch cell (codec_coerce.c).
 *
 * Decoding is two steps per row element: a scanner walks the record once and
 * notes, for each mapped column, where its value is (a slot: kind and byte
 * span in the record, nothing copied); then the slots are converted into the
 * batch cells of the rows the element yields. Nothing is written at or below
 * b->n until the whole record has been decoded, which makes a record all or
 * nothing.
 */
#ifndef SLUICE_STREAM_CODEC_INT_H
#define SLUICE_STREAM_CODEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream/stream.h"

/* What a slot holds. */
enum {
  SLOT_MISSING = 0, /* path absent (NULL) */
  SLOT_NULL,        /* JSON null */
  SLOT_TRUE,
  SLOT_FALSE,
  SLOT_NUMBER, /* span = the number's text */
  SLOT_STRING, /* span = the text between the quotes (JSON) or the field (CSV) */
  SLOT_ARRAY,  /* span = the whole JSON text, brackets included */
  SLOT_OBJECT,
};

typedef struct codec_slot {
  uint8_t kind;
  uint8_t escaped; /* STRING: holds JSON escapes, or CSV doubled quotes */
  uint32_t off, len;
  /* NUMBER of the form -?digits[.digits] with 1..19 digits in all: its value
   * as the JSON scanner read it, mant / 10^frac (negated when neg), so that
   * the common numbers are not read twice. ndig 0: not read (convert the text). */
  uint8_t ndig, frac, neg;
  uint64_t mant;
} codec_slot;

/* One mapped column. */
typedef struct codec_col {
  char *name;
  core_type type;
  int32_t next;     /* next column mapped to the same path node, -1 */
  int32_t slot;     /* index in the document slots, or in an element's slots */
  bool in_elem;     /* below the flattened array: one value per element */
  bool whole_array; /* `[0:]` last: only an array counts, anything else is NULL */
} codec_col;

/* A node of the compiled JSON paths (a trie over object keys). */
typedef struct codec_node {
  uint64_t sig, sig2; /* the key's bytes 0-7 and 8-15, zero-padded: keys up to 16 bytes
                         are compared as two words */
  char *key;          /* in the parent object; not used for roots */
  uint32_t key_len;
  int32_t child;      /* first child, -1 */
  int32_t sibling;    /* next sibling, -1 */
  int32_t cols;       /* first column whose value is this node's, -1 */
  int32_t elem;       /* flattened array: the root of the element paths, -1 */
  int32_t kid0, nkid; /* the children again, as kid_sig/kid_node[kid0 .. kid0 + nkid) */
  int32_t hint;       /* where the last lookup matched: keys usually come in the same order */
  int32_t shape0;     /* its objects' key shape: shape[shape0 .. + CODEC_SHAPE_KEYS), -1 */
} codec_node;

/*
 * The k-th key of the last object seen at a node, mapped or not (the object's
 * "shape"). Producers write the same keys in the same order record after
 * record, so the scanner first checks whether the record holds exactly that
 * key at the k-th position: one or two word compares instead of a string
 * scan and a lookup. Only keys without escapes, of 1..16 bytes, are learned:
 * for them equal bytes followed by a quote are the same valid JSON string.
 */
typedef struct codec_shape_key {
  uint64_t sig, sig2; /* bytes 0-7 and 8-15, zero-padded */
  uint32_t len;       /* 0: nothing learned at this position */
  int32_t node;       /* the child the key selects, -1 (not mapped) */
} codec_shape_key;

#define CODEC_SHAPE_KEYS 32 /* keys learned per object; later ones are looked up */

struct stream_mapping {
  stream_format format;
  int ncols;
  codec_col *cols;

  /* JSON */
  codec_node *nodes; /* nodes[0] is the row element's root */
  int32_t nnodes, cap_nodes;
  uint64_t *kid_sig; /* children's first key words side by side, a scan without pointer chasing */
  int32_t *kid_node;
  codec_shape_key *shape; /* CODEC_SHAPE_KEYS per node with children (codec_node.shape0) */
  char **row_keys;        /* RecordRowPath keys below the document root */
  uint32_t *row_key_lens;
  int nrow_keys;
  char *row_path_text;
  int nflat;         /* columns below the flattened array */
  int32_t flat_node; /* the flattened array's node, -1 */
  int flat_col;      /* the first column that flattens it (for messages), -1 */

  /* CSV */
  char *row_delim, *col_delim;
  size_t row_delim_len, col_delim_len;
  uint8_t delim_first[256]; /* 1 for the first byte of either delimiter */

  /* Scratch, reused by every record (one thread at a time). */
  codec_slot *slots;      /* [ncols] document-level values */
  codec_slot *elem_slots; /* [elem_cap * nflat] one row of nflat per element */
  size_t elem_cap;
  size_t nelem;  /* elements of the flattened array in the current row element */
  char *scratch; /* unescaped strings */
  size_t scratch_cap;
};

/* Where decoded rows go, and what went wrong. */
typedef struct codec_out {
  stream_mapping *m;
  const uint8_t *data; /* the record */
  size_t n;
  core_batch *b;
  int produced; /* rows written so far, at b->n + 0 .. */
  int64_t rowtime;
  const char *error_name;
  core_error *err;
} codec_out;

/* JSON paths and the JSON decoder (codec_json.c). */
int codec_json_compile(stream_mapping *m, const stream_mapping_config *c, core_error *err);
int codec_json_decode(codec_out *o);

/* The CSV decoder (codec_csv.c). */
int codec_csv_decode(codec_out *o);

/* Converts slot s of column col into row `row` of the batch (codec_coerce.c).
 * SLUICE_INVALID with o->error_name = CoercionError, or SLUICE_NOMEM. */
int codec_coerce(codec_out *o, int col, const codec_slot *s, int row);

/* Copies the cell of column col from row `from` to row `to` (same batch). */
void codec_copy_cell(core_batch *b, int col, int from, int to);

/* Makes sure the mapping's scratch holds n bytes. */
int codec_scratch(stream_mapping *m, size_t n);

/* Sets a ParseError with the formatted message. Returns SLUICE_INVALID. */
int codec_parse_error(codec_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Decodes the JSON escapes of a string's text (already validated by the
 * scanner) into out (room for n bytes); returns the decoded length. */
size_t codec_json_unescape(const uint8_t *s, size_t n, char *out);

/* Collapses the doubled quotes of a quoted CSV field's text into out. */
size_t codec_csv_unquote(const uint8_t *s, size_t n, char *out);

/* Offset of the first byte of s[0..n) that is not well-formed UTF-8, or n. */
size_t codec_utf8_check(const uint8_t *s, size_t n);

/*
 * Reserves room for the rows of one row element: SLUICE_OK, SLUICE_LIMIT
 * (does not fit after rows already in the batch) or SLUICE_INVALID with
 * TooManyRows (would not fit an empty batch either).
 */
int codec_room(codec_out *o, size_t rows);

#endif /* SLUICE_STREAM_CODEC_INT_H */

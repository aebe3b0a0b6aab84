/*
 * yaml.h - the YAML document model: parse with libyaml into a typed tree,
 * and emit a tree back as YAML.
 *
 * Scalars are resolved by the YAML 1.2 core schema: null (~, null, Null,
 * NULL, empty), bool (true/false in the three cases), int (decimal,
 * 0o octal, 0x hex; "010" is ten), float (.inf, .nan, decimals and
 * exponents), everything else a string.  Quoted scalars are always
 * strings.  Plain scalars that a YAML 1.1 tool would read differently
 * (yes/no/on/off/y/n, leading-zero numbers, sexagesimal 1:30, ...) carry
 * HNODE_F_YAML11 so `validate` can warn about them.
 *
 * Every node keeps the 1-based line and column where it starts.  Parsing
 * enforces the limits in struct hyaml_limits and fails with a positioned
 * error instead of crashing or hanging: size, nesting depth, alias
 * expansion (aliases are expanded by copy against a node budget, so a
 * "billion laughs" document is refused), duplicate keys, keys that are
 * not strings, and more than one document.
 *
 *	struct hnode *doc;
 *	rc = hyaml_parse(buf, len, NULL, &doc, &warnings, &err);
 *	...
 *	hnode_free(doc);
 */
#ifndef HELIOS_YAML_H
#define HELIOS_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "helios/buf.h"
#include "helios/error.h"

enum hnode_type {
	HNODE_NULL,
	HNODE_BOOL,
	HNODE_INT,
	HNODE_FLOAT,
	HNODE_STR,
	HNODE_SEQ,
	HNODE_MAP,
};

enum hnode_flags {
	HNODE_F_YAML11 = 1 << 0,	/* plain scalar YAML 1.1 reads otherwise */
	HNODE_F_QUOTED = 1 << 1,	/* scalar was quoted or block */
	HNODE_F_FLOW = 1 << 2,		/* collection written in flow style */
	HNODE_F_ALIAS = 1 << 3,		/* copy made by expanding an alias */
};

struct hnode;

struct hpair {
	char *key;		/* NUL-terminated; keys are always strings */
	size_t key_len;
	unsigned line;		/* position of the key */
	unsigned col;
	struct hnode *value;	/* never NULL */
	size_t key_start;	/* byte offsets of the key's text in the */
	size_t key_end;		/* parsed input (0 when built in memory) */
};

struct hnode {
	enum hnode_type type;
	unsigned flags;
	unsigned line;		/* 1-based; 0 for nodes built in memory */
	unsigned col;
	/*
	 * Byte offsets in the parsed input: the node's text is
	 * [start, end).  A block collection ends where its last child
	 * ends.  Both 0 for nodes built in memory.
	 */
	size_t start;
	size_t end;
	union {
		int b;
		int64_t i;
		double f;
		struct {
			char *ptr;	/* NUL-terminated, may hold NULs */
			size_t len;
		} s;
		struct {
			struct hnode **items;
			size_t len;
			size_t cap;
		} seq;
		struct {
			struct hpair *items;	/* in document order */
			size_t len;
			size_t cap;
		} map;
	} u;
};

struct hyaml_limits {
	size_t max_bytes;	/* whole input; default 1 MiB */
	unsigned max_depth;	/* nested collections; default 64 */
	size_t max_nodes;	/* nodes after alias expansion; default 100000 */
};

#define HYAML_MAX_BYTES_DEFAULT ((size_t)1 << 20)
#define HYAML_MAX_DEPTH_DEFAULT 64u
#define HYAML_MAX_NODES_DEFAULT ((size_t)100000)

/* One warning: a position and a message ("key 'x': ..."). */
struct hyaml_warning {
	unsigned line;
	unsigned col;
	char *msg;
};

struct hyaml_warnings {
	struct hyaml_warning *items;
	size_t len;
	size_t cap;
};

void hyaml_limits_default(struct hyaml_limits *lim);

/*
 * Parse exactly one YAML document from buf (len bytes, need not be
 * NUL-terminated).  lim may be NULL for the defaults.  An empty input or
 * one holding only comments parses to a HNODE_NULL root.  warnings may be
 * NULL; otherwise YAML 1.1 ambiguity warnings are appended.
 *
 * On success *out is a new tree the caller frees with hnode_free().  On
 * failure returns HELIOS_EINVAL (syntax, duplicate key, non-string key,
 * several documents, invalid UTF-8) or HELIOS_ELIMIT (a limit), with the
 * position in err->line/col and a message that names the offending key
 * where there is one.  Reentrant; no global state.
 */
int hyaml_parse(const char *buf, size_t len, const struct hyaml_limits *lim,
		struct hnode **out, struct hyaml_warnings *warnings,
		struct helios_error *err);

void hyaml_warnings_release(struct hyaml_warnings *w);

/*
 * Append tree as a YAML block document to out (no "---", ends with a
 * newline).  Output is deterministic, byte for byte, for equal trees.
 * Strings that would resolve to another type, or need escaping, are
 * double-quoted; floats are written with the fewest digits that read back
 * to the same double (.inf, -.inf, .nan for the special values); an
 * empty mapping is "{}" and an empty sequence "[]".  Parsing the output
 * gives an equal tree.  Returns 0, HELIOS_ENOMEM or HELIOS_ELIMIT.
 */
int hyaml_emit(const struct hnode *tree, struct hbuf *out);

/* Node construction; all return NULL on allocation failure. */
struct hnode *hnode_new(enum hnode_type type);
struct hnode *hnode_new_str(const char *s, size_t len);
struct hnode *hnode_new_int(int64_t v);
struct hnode *hnode_new_float(double v);
struct hnode *hnode_new_bool(int v);
struct hnode *hnode_clone(const struct hnode *n);

/* Append to a sequence / mapping; they take ownership of child/value
 * (also on failure, when they free it).  0 or HELIOS_ENOMEM. */
int hnode_seq_push(struct hnode *seq, struct hnode *child);
int hnode_map_set(struct hnode *map, const char *key, size_t key_len,
		  struct hnode *value);

/* Borrowed lookup of a key in a mapping; NULL when absent. */
struct hnode *hnode_map_get(const struct hnode *map, const char *key);

/* Deep structural equality (types and values; positions ignored). */
int hnode_equal(const struct hnode *a, const struct hnode *b);

/* "mapping", "string", ... for messages. */
const char *hnode_type_name(enum hnode_type type);

void hnode_free(struct hnode *n);

#endif

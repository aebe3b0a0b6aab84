/*
 * yaml_i.h - internals shared by the YAML parser, emitter and validator.
 *
 * Scalar resolution lives in one place (yaml_scalar.c) so the parser and
 * the emitter agree on which plain text reads as which type: the emitter
 * quotes exactly the strings that would not read back as strings.
 */
#ifndef HELIOS_YAML_I_H
#define HELIOS_YAML_I_H

#include <stddef.h>

#include "helios/yaml.h"

/* Result of resolving a plain scalar by the YAML 1.2 core schema. */
struct yaml__scalar {
	enum hnode_type type;	/* HNODE_NULL ... HNODE_STR */
	int b;
	int64_t i;
	double f;
	int out_of_range;	/* int or float text that does not fit */
};

/*
 * Resolve plain scalar text (len bytes, with s[len] == '\0') into res.
 * Never fails; a number too big for its type is reported with
 * res->out_of_range set.
 */
void yaml__resolve_plain(const char *s, size_t len, struct yaml__scalar *res);

/*
 * How a YAML 1.1 reader would take this plain scalar when that differs
 * from YAML 1.2: "a boolean", "an octal integer", ... or NULL when both
 * agree.
 */
const char *yaml__yaml11_reading(const char *s, size_t len);

/*
 * Shortest text that reads back as exactly v and as a float ("1.0",
 * "2.5e-07", ".inf", "-.inf", ".nan").  size must be at least 32.
 */
void yaml__format_float(double v, char *out, size_t size);

/*
 * A short, single-line, printable rendering of s for error messages:
 * control and non-ASCII bytes as \xNN, cut with "..." after about 60
 * bytes.  Always NUL-terminates.
 */
void yaml__msg_str(const char *s, size_t len, char *out, size_t size);

/*
 * Append a pair to a mapping, taking ownership of the malloc()ed key and
 * of value, also on failure.  0 or HELIOS_ENOMEM.
 */
int yaml__map_push_owned(struct hnode *map, char *key, size_t key_len,
			 struct hnode *value);

/* Size for yaml__msg_str() buffers that never truncate its output. */
#define YAML__MSG_STR_SIZE 320

#endif

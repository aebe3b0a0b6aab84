/*
 * yaml_edit.h - change one value of a hand-written YAML file in place.
 *
 * People write the configuration files by hand, with comments, their own
 * key order and their own layout.  These functions change one dotted key
 * by splicing the original bytes: everything outside the value that
 * changed (comments before, after and beside it, blank lines, quoting,
 * block or flow style of the other keys) is kept byte for byte.
 *
 *	struct hbuf out;
 *	hbuf_init(&out, HBUF_MAX_DEFAULT);
 *	rc = hyaml_edit_set(src, len, "behaviors.tone", value, &out, &err);
 *	... validate and store out ...
 *	hbuf_release(&out);
 *
 * A dotted key walks mappings only ("a.b.c" is key c of the mapping under
 * b under a); a missing key is inserted at the end of its mapping with the
 * indentation of its siblings, and missing intermediate mappings are
 * created.  New values are written the way hyaml_emit() writes them: block
 * style inside block collections, flow style inside flow collections.
 *
 * Every edit re-parses its result and checks that it equals the parsed
 * source with the one change applied; when it does not (a construct the
 * splice cannot handle, such as an anchored value or a value reached
 * through an alias), nothing is produced and HELIOS_EINVAL says why.  The
 * caller still validates the result against the schema.  Reentrant.
 */
#ifndef HELIOS_YAML_EDIT_H
#define HELIOS_YAML_EDIT_H

#include <stddef.h>

#include "helios/buf.h"
#include "helios/error.h"
#include "helios/yaml.h"

/*
 * Set path to a copy of value in the YAML text src (len bytes) and append
 * the new text to out.  The document must be a mapping (or empty).
 * Returns 0, HELIOS_EINVAL (src does not parse, a segment is empty, a key
 * on the way is not a mapping, or the splice is not possible),
 * HELIOS_ENOMEM or HELIOS_ELIMIT.  out is unchanged on failure.
 */
int hyaml_edit_set(const char *src, size_t len, const char *path,
		   const struct hnode *value, struct hbuf *out,
		   struct helios_error *err);

/*
 * Remove path with its value (and the lines they occupy) and append the
 * new text to out.  Removing the last key of a mapping leaves "{}".
 * HELIOS_ENOTFOUND when the key is not there; otherwise as above.
 */
int hyaml_edit_remove(const char *src, size_t len, const char *path,
		      struct hbuf *out, struct helios_error *err);

#endif

/*
 * validate.h - schema validation of base and persona files, and the
 * naming rules for personas.
 *
 * A diagnostic reads "FILE:LINE:COLUMN: message" and the message names
 * the offending key.  Validation never stops at the first problem when
 * later ones can still be found (schema checks report each bad key), but
 * a YAML syntax error ends it, since nothing after it has a meaning.
 *
 * Schema.  The root must be a mapping.
 *   base:    base_importance: finite number in [0.0, 1.0]  (required)
 *            behaviors: mapping                              (required)
 *   persona: specialization_level: integer >= 1            (required)
 *            behaviors: mapping                              (required)
 * Any other top-level key is ordinary content.
 */
#ifndef HELIOS_VALIDATE_H
#define HELIOS_VALIDATE_H

#include <stddef.h>

#include "helios/yaml.h"

enum hdoc_kind {
	HDOC_NONE,	/* not a configuration file */
	HDOC_BASE,	/* base/identity.yaml */
	HDOC_PERSONA,	/* personas/NAME.yaml */
};

enum hdiag_severity {
	HDIAG_ERROR,
	HDIAG_WARNING,
};

struct hdiag {
	enum hdiag_severity severity;
	unsigned line;		/* 0 when the problem has no position */
	unsigned col;
	char *text;		/* full "FILE:LINE:COLUMN: message" line */
};

struct hdiag_list {
	struct hdiag *items;
	size_t len;
	size_t cap;
	size_t errors;		/* how many items are HDIAG_ERROR */
};

void hdiag_list_init(struct hdiag_list *l);
void hdiag_list_release(struct hdiag_list *l);

/* Append a diagnostic; file may be NULL.  0 or HELIOS_ENOMEM. */
int hdiag_add(struct hdiag_list *l, enum hdiag_severity sev, const char *file,
	      unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * Which kind of configuration a store-relative path names:
 * "base/identity.yaml" is HDOC_BASE, "personas/NAME.yaml" with a valid
 * NAME is HDOC_PERSONA, anything else HDOC_NONE.
 */
enum hdoc_kind hdoc_kind_of_path(const char *relpath);

/*
 * Parse and validate buf as a document of the given kind.  file is the
 * name used in diagnostics.  Diagnostics (errors and warnings) are
 * appended to diags.  When doc is not NULL and the content is valid,
 * *doc receives the parsed tree (caller frees).
 *
 * Returns 0 when valid (warnings may have been added), HELIOS_EINVAL or
 * HELIOS_ELIMIT when not (at least one error added), HELIOS_ENOMEM.
 */
int hdoc_validate(enum hdoc_kind kind, const char *file, const char *buf,
		  size_t len, const struct hyaml_limits *lim,
		  struct hdiag_list *diags, struct hnode **doc);

/*
 * Persona names: 1-64 bytes of [A-Za-z0-9._-], not starting with '.'.
 * hname_check_persona() takes a bare name ("coder"),
 * hname_check_persona_file() a file name ("coder.yaml").  Return 0 or
 * HELIOS_ENAME with a message saying what is wrong.
 */
#define HNAME_MAX 64
int hname_check_persona(const char *name, struct helios_error *err);
int hname_check_persona_file(const char *filename, struct helios_error *err);

#endif

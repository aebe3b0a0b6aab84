/*
 * yaml_validate.c - libFuzzer target for the YAML loader and validation.
 *
 * Each input is parsed with the default limits and validated as a base
 * identity and as a persona.  A document that parses must survive the
 * emitter: emitting it and parsing the result gives an equal tree, and
 * emitting that tree again gives the same bytes.  Anything else aborts.
 * A second parse under tight limits drives the error paths that unwind
 * a half-built tree; when it succeeds, it must agree with the first.
 * The input is also tried as a persona name and as a store path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helios/validate.h"
#include "helios/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct hnode *tree)
{
	struct hnode *again = NULL;
	struct helios_error err = { 0 };
	struct hbuf first, second;

	hbuf_init(&first, HBUF_MAX_DEFAULT);
	hbuf_init(&second, HBUF_MAX_DEFAULT);
	if (hyaml_emit(tree, &first))
		goto out_release;	/* ENOMEM or a limit: not a finding */
	if (hyaml_parse(first.ptr, first.len, NULL, &again, NULL, &err))
		abort();	/* the emitter wrote what the parser refuses */
	if (!hnode_equal(tree, again))
		abort();	/* the round trip changed the tree */
	if (hyaml_emit(again, &second))
		abort();
	if (first.len != second.len || memcmp(first.ptr, second.ptr, first.len))
		abort();	/* emitting is not deterministic */
	hnode_free(again);
out_release:
	hbuf_release(&second);
	hbuf_release(&first);
}

/* Limits low enough that ordinary inputs hit them part-way. */
static void check_tight_limits(const uint8_t *data, size_t size,
			       const struct hnode *tree)
{
	struct hyaml_limits lim = {
		.max_bytes = size & 1 ? size / 2 : size,
		.max_depth = 3,
		.max_nodes = 40,
	};
	struct helios_error err = { 0 };
	struct hnode *small = NULL;

	if (hyaml_parse((const char *)data, size, &lim, &small, NULL, &err))
		return;
	if (!tree || !hnode_equal(tree, small))
		abort();	/* a limit changed the tree it let through */
	hnode_free(small);
}

static void check_validate(enum hdoc_kind kind, const uint8_t *data,
			   size_t size)
{
	struct hdiag_list diags;
	struct hnode *doc = NULL;
	int rc;

	hdiag_list_init(&diags);
	rc = hdoc_validate(kind, "fuzz.yaml", (const char *)data, size, NULL,
			   &diags, &doc);
	if (rc == 0 && diags.errors)
		abort();	/* valid, yet an error was reported */
	if (rc != 0 && !diags.errors)
		abort();	/* refused without saying why */
	if (rc == 0 && !doc)
		abort();
	hnode_free(doc);
	hdiag_list_release(&diags);
}

static void check_names(const uint8_t *data, size_t size)
{
	struct helios_error err = { 0 };
	char *s;

	if (size > 300)
		return;
	s = malloc(size + 1);
	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	hname_check_persona(s, &err);
	hname_check_persona_file(s, &err);
	hdoc_kind_of_path(s);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hyaml_warnings warnings = { 0 };
	struct helios_error err = { 0 };
	struct hnode *tree = NULL;

	if (!hyaml_parse((const char *)data, size, NULL, &tree, &warnings,
			 &err))
		check_round_trip(tree);
	hyaml_warnings_release(&warnings);
	check_tight_limits(data, size, tree);
	hnode_free(tree);
	check_validate(HDOC_BASE, data, size);
	check_validate(HDOC_PERSONA, data, size);
	check_names(data, size);
	return 0;
}

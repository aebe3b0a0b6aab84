/*
 * cli_inheritance.c - `helios-mcp test-inheritance`: show what a persona
 * inherits from the base identity.
 *
 * For each persona, stdout gets
 *
 *	# persona: NAME
 *	# weight: W (base_importance B / specialization_level L^2)
 *	MERGED YAML
 *
 * with a blank line between personas.  Diagnostics for an invalid base
 * or persona go to stderr so stdout stays YAML.  Exit 0 when every
 * persona merged, 1 when any was missing or invalid (or the base is
 * invalid), 2 on usage errors or a missing store.
 */
#include "cli_i.h"

#include <stdio.h>
#include <stdlib.h>

#include "helios/merge.h"
#include "helios/store.h"

/* Read and validate one store file; diagnostics go to stderr. */
static int cli_load(struct store *st, enum hdoc_kind kind, const char *rel,
		    struct hnode **doc)
{
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	struct hbuf buf;
	int rc;

	hbuf_init(&buf, HYAML_MAX_BYTES_DEFAULT + 1);
	rc = store_read(st, rel, &buf, &err);
	if (rc) {
		if (rc == HELIOS_ENOTFOUND)
			cli_log(CLI_LOG_ERROR, "'%s' not found in the store",
				rel);
		else
			cli_log(CLI_LOG_ERROR, "cannot read '%s': %s", rel,
				err.msg);
		goto out_release_buf;
	}

	hdiag_list_init(&diags);
	rc = hdoc_validate(kind, rel, hbuf_str(&buf), buf.len, NULL, &diags,
			   doc);
	cli_print_diags(&diags, 0);
	hdiag_list_release(&diags);
out_release_buf:
	hbuf_release(&buf);
	return rc;
}

static void cli_print_inherits(const struct hnode *n)
{
	if (!n)
		return;
	if (n->type == HNODE_STR)
		cli_outf("# inherits_from: %s\n", n->u.s.ptr);
	else
		cli_outf("# inherits_from: (a %s)\n",
			 hnode_type_name(n->type));
}

/* Merge one persona over the base and print it.  0 or non-zero. */
static int cli_show_persona(struct store *st, const struct hnode *base,
			    const char *name, int *printed)
{
	struct helios_error err = { 0 };
	struct merge_result res;
	struct hnode *doc = NULL;
	char wb[32], bb[32];
	struct hbuf rel, out;
	int rc;

	if (hname_check_persona(name, &err)) {
		cli_log(CLI_LOG_ERROR, "invalid persona name '%s': %s", name,
			err.msg);
		return HELIOS_ENAME;
	}

	hbuf_init(&rel, HBUF_MAX_DEFAULT);
	rc = hbuf_addf(&rel, "personas/%s.yaml", name);
	if (!rc)
		rc = cli_load(st, HDOC_PERSONA, hbuf_str(&rel), &doc);
	hbuf_release(&rel);
	if (rc)
		return rc;

	rc = merge_documents(base, doc, &res, &err);
	hnode_free(doc);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot merge persona '%s': %s", name,
			err.msg);
		return rc;
	}

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	rc = hyaml_emit(res.merged, &out);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot print persona '%s': %s", name,
			helios_code_name(rc));
		goto out_release;
	}

	cli_format_double(res.weight, wb, sizeof(wb));
	cli_format_double(res.base_importance, bb, sizeof(bb));
	cli_outf("%s# persona: %s\n# weight: %s (base_importance %s / "
		 "specialization_level %lld^2)\n", *printed ? "\n" : "", name,
		 wb, bb, (long long)res.specialization_level);
	cli_print_inherits(res.inherits_from);
	cli_out(out.ptr ? out.ptr : "", out.len);
	*printed = 1;

out_release:
	hbuf_release(&out);
	merge_result_release(&res);
	return rc;
}

/*
 * Show the named personas, or all of them.  Names are checked before
 * any path is built from them.
 */
static int cli_show_all(struct store *st, char **names, size_t count)
{
	struct helios_error err = { 0 };
	struct hnode *base = NULL;
	char **all = NULL;
	size_t i, nall = 0;
	int status = CLI_EXIT_OK;
	int printed = 0;

	if (cli_load(st, HDOC_BASE, STORE_BASE_PATH, &base))
		return CLI_EXIT_FAIL;

	if (!count) {
		if (store_list_personas(st, &all, &nall, &err)) {
			cli_log(CLI_LOG_ERROR, "cannot list personas: %s",
				err.msg);
			hnode_free(base);
			return CLI_EXIT_FAIL;
		}
		names = all;
		count = nall;
	}

	for (i = 0; i < count; i++) {
		if (cli_show_persona(st, base, names[i], &printed))
			status = CLI_EXIT_FAIL;
	}

	if (all)
		store_names_free(all, nall);
	hnode_free(base);
	return status;
}

static int cli_inheritance_run(const struct cli_verb *verb, int argc,
			       char **argv)
{
	const char *dir_arg = NULL;
	struct store *st;
	int status;

	status = cli_parse_options(verb, argc, argv, &dir_arg);
	if (status >= 0)
		return status;
	status = cli_open_store(dir_arg, &st);
	if (status)
		return status;
	status = cli_show_all(st, argv + optind, (size_t)(argc - optind));
	store_free(st);
	return status;
}

const struct cli_verb cli_verb_test_inheritance = {
	.name = "test-inheritance",
	.args = "[--helios-dir DIR] [PERSONA...]",
	.summary = "print each persona merged over the base identity",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.details = "For each PERSONA (all when none is given) prints its "
		   "weight and its merged\nconfiguration as YAML.  Exit status: "
		   "0 all merged, 1 a persona or the base\nis missing or "
		   "invalid, 2 usage error or no store.\n",
	.run = cli_inheritance_run,
};

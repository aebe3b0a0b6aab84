/*
 * cli_init.c - `helios-mcp init`: create the store, or confirm it exists.
 */
#include "cli_i.h"

#include <stdlib.h>

#include "helios/store.h"

static int cli_init_run(const struct cli_verb *verb, int argc, char **argv)
{
	struct helios_error err = { 0 };
	struct hdiag_list report;
	struct store *st;
	char *dir;
	int rc;

	rc = cli_parse_dir(verb, argc, argv, &dir, NULL);
	if (rc >= 0)
		return rc;

	hdiag_list_init(&report);
	rc = store_open(dir, STORE_OPEN_CREATE, &st, &report, &err);
	cli_print_diags(&report, 0);
	hdiag_list_release(&report);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot initialise a store at '%s': %s",
			dir, err.msg);
		free(dir);
		return CLI_EXIT_FAIL;
	}

	if (store_was_created(st))
		cli_outf("initialised store at %s\n", store_dir(st));
	else
		cli_outf("store already exists at %s\n", store_dir(st));
	store_free(st);
	free(dir);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_init = {
	.name = "init",
	.args = "[--helios-dir DIR]",
	.summary = "create the store (base identity, welcome persona, git "
		   "repository) unless it exists",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.run = cli_init_run,
};

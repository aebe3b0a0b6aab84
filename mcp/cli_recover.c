/*
 * cli_recover.c - `helios-mcp recover`: repair a store and say what was
 * done.
 */
#include "cli_i.h"

#include <stdlib.h>

#include "helios/maintenance.h"
#include "helios/store.h"

static int cli_recover_run(const struct cli_verb *verb, int argc,
			   char **argv)
{
	struct helios_error err = { 0 };
	struct hdiag_list report;
	char *dir;
	int rc;

	rc = cli_parse_dir(verb, argc, argv, &dir, NULL);
	if (rc >= 0)
		return rc;

	hdiag_list_init(&report);
	rc = store_recover(dir, &report, &err);
	cli_print_diags(&report, 1);
	hdiag_list_release(&report);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "recovery of '%s' incomplete: %s", dir,
			err.msg);
		free(dir);
		return CLI_EXIT_FAIL;
	}
	cli_outf("store at %s is usable\n", dir);
	free(dir);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_recover = {
	.name = "recover",
	.args = "[--helios-dir DIR]",
	.summary = "repair a damaged store from git history or backups and "
		   "report what was done",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.details = "Damaged bytes are never deleted: they are kept under\n"
		   "DIR/" STORE_RECOVERED_DIR "/TIME/.  Valid hand edits are "
		   "left alone.\nExit status 0 when the store is usable "
		   "afterwards, 1 when not.\n",
	.run = cli_recover_run,
};

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
	static const struct option longopts[] = {
		CLI_LONGOPT_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	struct helios_error err = { 0 };
	struct hdiag_list report;
	const char *dir_arg = NULL;
	char *dir;
	int c, rc, status;

	while ((c = cli_getopt(verb, argc, argv, longopts, &status)) != -1) {
		if (c == -2)
			return status;
		if (c == CLI_OPT_HELIOS_DIR)
			dir_arg = optarg;
	}
	if (optind < argc)
		return cli_usage_error(verb, "unexpected argument '%s'",
				       argv[optind]);
	rc = store_resolve_dir(dir_arg, &dir, &err);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot resolve the store directory: %s",
			err.msg);
		return CLI_EXIT_USAGE;
	}

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

/*
 * cli_backup.c - `helios-mcp backup` and `helios-mcp restore-backup`:
 * self-contained git bundles of a store.
 */
#include "cli_i.h"

#include <stdlib.h>

#include "helios/maintenance.h"
#include "helios/store.h"

static int cli_backup_run(const struct cli_verb *verb, int argc, char **argv)
{
	struct helios_error err = { 0 };
	const char *dest;
	char *dir, *path, tip[41];
	int rc = cli_parse_dir(verb, argc, argv, &dir, &dest);

	if (rc >= 0)
		return rc;
	rc = store_backup(dir, dest, &path, &err);
	if (!rc)
		rc = store_backup_verify(path, tip, &err);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot back up '%s': %s", dir, err.msg);
		free(dir);
		return CLI_EXIT_FAIL;
	}
	cli_outf("backup of %s (main at %s) written and verified: %s\n", dir,
		 tip, path);
	free(path);
	free(dir);
	return CLI_EXIT_OK;
}

static int cli_restore_run(const struct cli_verb *verb, int argc,
			   char **argv)
{
	struct helios_error err = { 0 };
	const char *file;
	char *dir, *aside;
	int rc = cli_parse_dir(verb, argc, argv, &dir, &file);

	if (rc >= 0)
		return rc;
	if (!file) {
		free(dir);
		return cli_usage_error(verb, "which backup file?");
	}
	rc = store_restore_backup(file, dir, &aside, &err);
	if (aside)
		cli_log(CLI_LOG_INFO, "the previous store was moved to '%s'",
			aside);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot restore '%s' into '%s': %s",
			file, dir, err.msg);
		free(aside);
		free(dir);
		return CLI_EXIT_FAIL;
	}
	cli_outf("restored %s into %s\n", file, dir);
	if (aside)
		cli_outf("previous store kept at %s\n", aside);
	free(aside);
	free(dir);
	return CLI_EXIT_OK;
}

const struct cli_verb cli_verb_backup = {
	.name = "backup",
	.args = "[--helios-dir DIR] [DEST]",
	.summary = "write a verified, self-contained backup (git bundle) of "
		   "the store",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.details = "DEST is a file or a directory; without it the bundle goes "
		   "to\nDIR/" STORE_BACKUP_DIR "/helios-TIME.bundle.  Copy it "
		   "off the machine to be safe.\n`git clone FILE` also reads "
		   "it.\n",
	.run = cli_backup_run,
};

const struct cli_verb cli_verb_restore_backup = {
	.name = "restore-backup",
	.args = "[--helios-dir DIR] FILE",
	.summary = "restore a backup made by 'helios-mcp backup'",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.details = "The backup is verified first.  An existing store is "
		   "moved aside to\nDIR.before-restore-TIME, never deleted.\n",
	.run = cli_restore_run,
};

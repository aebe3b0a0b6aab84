/*
 * cli_doctor.c - `helios-mcp doctor`: check a store and print what is
 * wrong with the command that fixes it.
 */
#include "cli_i.h"

#include <stdlib.h>

#include "helios/maintenance.h"
#include "helios/store.h"

static int cli_doctor_run(const struct cli_verb *verb, int argc, char **argv)
{
	static const char *const mark[] = {
		[STORE_CHECK_OK] = "ok",
		[STORE_CHECK_WARN] = "warning",
		[STORE_CHECK_FAIL] = "problem",
	};
	struct store_checks checks;
	const struct store_check *it;
	char *dir;
	size_t i;
	int rc;

	rc = cli_parse_dir(verb, argc, argv, &dir, NULL);
	if (rc >= 0)
		return rc;

	store_checks_init(&checks);
	rc = store_doctor(dir, &checks);
	for (i = 0; i < checks.len; i++) {
		it = &checks.items[i];
		cli_outf("%s: %s: %s\n", mark[it->status], it->area, it->text);
		if (it->fix)
			cli_outf("    fix: %s\n", it->fix);
	}
	if (rc < 0)
		cli_log(CLI_LOG_ERROR, "out of memory");
	else if (rc)
		cli_outf("%d problem(s) found in %s\n", rc, dir);
	else
		cli_outf("all well in %s\n", dir);
	store_checks_release(&checks);
	free(dir);
	return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

const struct cli_verb cli_verb_doctor = {
	.name = "doctor",
	.args = "[--helios-dir DIR]",
	.summary = "check the store, its git history, lock, permissions and "
		   "mounts",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.details = "Changes nothing.  Each problem is followed by the command "
		   "that fixes it.\nExit status 0 when all is well, 1 when "
		   "problems were found.\n",
	.run = cli_doctor_run,
};

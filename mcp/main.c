/*
 * main.c - helios-mcp: pick a verb and run it.
 *
 * The verbs live one per file (cli_VERB.c) and are listed in cli_verbs
 * below.  Without a verb, or when the first argument is an option other
 * than --help and --version, helios-mcp runs the MCP server, the way MCP
 * clients start it: `helios-mcp --helios-dir ~/.helios`.
 */
#include "cli_i.h"
#include "server.h"

#include <stdio.h>
#include <string.h>

static int cli_serve_run(const struct cli_verb *verb, int argc, char **argv)
{
	(void)verb;
	return mcp_server_main(argc, argv);
}

static const struct cli_verb cli_verb_serve = {
	.name = "serve",
	.args = "[--helios-dir DIR]",
	.summary = "run the MCP server on stdin/stdout (the default)",
	.run = cli_serve_run,
};

static const struct cli_verb *const cli_verbs[] = {
	&cli_verb_serve,
	&cli_verb_init,
	&cli_verb_validate,
	&cli_verb_test_inheritance,
	&cli_verb_write,
	&cli_verb_rm,
	&cli_verb_recover,
	&cli_verb_backup,
	&cli_verb_restore_backup,
	&cli_verb_doctor,
};

#define CLI_NVERBS (sizeof(cli_verbs) / sizeof(cli_verbs[0]))

static void cli_usage(int to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;
	size_t i;

	fprintf(f, "usage: helios-mcp [serve] [--helios-dir DIR]\n"
		   "       helios-mcp VERB [OPTIONS] [ARGS]\n"
		   "       helios-mcp --help | --version\n\nverbs:\n");
	for (i = 0; i < CLI_NVERBS; i++)
		fprintf(f, "  %-18s %s\n", cli_verbs[i]->name,
			cli_verbs[i]->summary);
	fprintf(f, "\nevery verb takes --helios-dir DIR (default $HELIOS_DIR, "
		   "else ~/.helios),\n--help and --version; see "
		   "'helios-mcp VERB --help'\n");
}

static const struct cli_verb *cli_find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < CLI_NVERBS; i++) {
		if (!strcmp(cli_verbs[i]->name, name))
			return cli_verbs[i];
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cli_verb *verb;
	const char *arg;

	if (argc < 2)
		return mcp_server_main(argc, argv);

	arg = argv[1];
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
		cli_usage(1);
		return CLI_EXIT_OK;
	}
	if (!strcmp(arg, "--version")) {
		cli_print_version();
		return CLI_EXIT_OK;
	}

	if (arg[0] == '-')
		return mcp_server_main(argc, argv);

	verb = cli_find_verb(arg);
	if (!verb) {
		fprintf(stderr, "helios-mcp: unknown verb '%s'\n", arg);
		cli_usage(0);
		return CLI_EXIT_USAGE;
	}
	return verb->run(verb, argc - 1, argv + 1);
}

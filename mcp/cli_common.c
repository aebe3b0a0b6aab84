/*
 * cli_common.c - option handling, output and small helpers shared by the
 * helios-mcp verbs.
 */
#include "cli_i.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helios/store.h"

void cli_out(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
}

void cli_outf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
}

void cli_log(enum cli_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[CLI_LOG_ERROR] = "error: ",
		[CLI_LOG_WARNING] = "warning: ",
		[CLI_LOG_INFO] = "",
	};
	va_list ap;

	fprintf(stderr, "helios-mcp: %s", prefix[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_print_version(void)
{
	cli_outf("helios-mcp %s\n", HELIOS_VERSION);
}

static const char cli_common_help[] =
	"  -h, --help            show this help and exit\n"
	"      --version         show the version and exit\n";

void cli_verb_usage(const struct cli_verb *verb, int to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;

	fprintf(f, "usage: helios-mcp %s %s\n", verb->name, verb->args);
	if (!to_stdout) {
		fprintf(f, "try 'helios-mcp %s --help' for more\n",
			verb->name);
		return;
	}
	fprintf(f, "\n%s\n\noptions:\n%s%s", verb->summary, verb->help,
		cli_common_help);
	if (verb->details)
		fprintf(f, "\n%s", verb->details);
}

int cli_usage_error(const struct cli_verb *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "helios-mcp %s: ", verb->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_verb_usage(verb, 0);
	return CLI_EXIT_USAGE;
}

int cli_getopt(const struct cli_verb *verb, int argc, char **argv,
	       const struct option *longopts, int *exit_code)
{
	int c;

	/* getopt prints nothing itself; unknown options are reported below */
	opterr = 0;
	c = getopt_long(argc, argv, ":h", longopts, NULL);
	switch (c) {
	case CLI_OPT_HELP:
		cli_verb_usage(verb, 1);
		*exit_code = CLI_EXIT_OK;
		return -2;
	case CLI_OPT_VERSION:
		cli_print_version();
		*exit_code = CLI_EXIT_OK;
		return -2;
	case ':':
		*exit_code = cli_usage_error(verb, "option '%s' needs a value",
					     argv[optind - 1]);
		return -2;
	case '?':
		if (optopt)
			*exit_code = cli_usage_error(verb,
						     "unknown option '-%c'",
						     optopt);
		else
			*exit_code = cli_usage_error(verb,
						     "unknown option '%s'",
						     argv[optind - 1]);
		return -2;
	default:
		return c;
	}
}

/*
 * Find where the message starts in "FILE:LINE:COL: message" (or
 * "FILE: message"), so "warning: " can be put in front of it.
 */
static size_t cli_diag_msg_offset(const struct hdiag *d)
{
	char pos[48];
	const char *p;

	if (d->line) {
		snprintf(pos, sizeof(pos), ":%u:%u: ", d->line,
			 d->col ? d->col : 1);
		p = strstr(d->text, pos);
		if (p)
			return (size_t)(p - d->text) + strlen(pos);
	}
	p = strstr(d->text, ": ");
	return p ? (size_t)(p - d->text) + 2 : 0;
}

void cli_print_diag(const struct hdiag *d, int to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;
	const char *text = d->text ? d->text : "";
	size_t off;

	if (d->severity != HDIAG_WARNING || strstr(text, "warning: ")) {
		fprintf(f, "%s\n", text);
		return;
	}
	off = cli_diag_msg_offset(d);
	fprintf(f, "%.*swarning: %s\n", (int)off, text, text + off);
}

void cli_print_diags(const struct hdiag_list *l, int to_stdout)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		cli_print_diag(&l->items[i], to_stdout);
}

void cli_format_double(double v, char *out, size_t size)
{
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
	snprintf(out, size, "%.17g", v);
}

/* Resolve the store directory into *dir; CLI_EXIT_USAGE when it fails. */
static int cli_resolve_dir(const char *dir_arg, char **dir)
{
	struct helios_error err = { 0 };

	if (store_resolve_dir(dir_arg, dir, &err)) {
		cli_log(CLI_LOG_ERROR, "cannot resolve the store directory: %s",
			err.msg);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int cli_parse_options(const struct cli_verb *verb, int argc, char **argv,
		      const char **dir_arg)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_COMMON,
		{ NULL, 0, NULL, 0 },
	};
	int c, status;

	while ((c = cli_getopt(verb, argc, argv, longopts, &status)) != -1) {
		if (c == -2)
			return status;
		if (c == CLI_OPT_HELIOS_DIR)
			*dir_arg = optarg;
	}
	return -1;
}

int cli_parse_dir(const struct cli_verb *verb, int argc, char **argv,
		  char **dir, const char **arg)
{
	const char *dir_arg = NULL;
	int rc;

	rc = cli_parse_options(verb, argc, argv, &dir_arg);
	if (rc >= 0)
		return rc;
	if (arg)
		*arg = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return cli_usage_error(verb, "unexpected argument '%s'",
				       argv[optind]);
	if (cli_resolve_dir(dir_arg, dir))
		return CLI_EXIT_USAGE;
	return -1;
}

int cli_open_store(const char *dir_arg, struct store **out)
{
	struct helios_error err = { 0 };
	struct hdiag_list report;
	char *dir = NULL;
	int rc;

	rc = cli_resolve_dir(dir_arg, &dir);
	if (rc)
		return rc;

	hdiag_list_init(&report);
	rc = store_open(dir, 0, out, &report, &err);
	cli_print_diags(&report, 0);
	hdiag_list_release(&report);
	if (rc == HELIOS_ESTORE) {
		/* the hint, unless the message names its own command */
		cli_log(CLI_LOG_ERROR, "%s%s", err.msg,
			strstr(err.msg, "'helios-mcp ") ? "" :
			" (create one with 'helios-mcp init')");
		free(dir);
		return CLI_EXIT_USAGE;
	}
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot open the store at '%s': %s",
			dir, err.msg);
		free(dir);
		return rc == HELIOS_EINVAL ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
	}
	free(dir);
	return CLI_EXIT_OK;
}

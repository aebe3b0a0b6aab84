/*
 * cli_i.h - shared pieces of the helios-mcp command line.
 *
 * main() picks a verb from the table in main.c and hands it argv
 * starting at the verb's name.  Each verb parses its own options with
 * cli_getopt(), which also handles the options every verb accepts
 * (--help, -h, --version; --helios-dir is in each verb's table), and
 * returns one of the CLI_EXIT_* codes.
 *
 * Output rule: stdout carries the verb's result and nothing else (the
 * MCP server will use it for protocol messages only).  Everything goes
 * through cli_out()/cli_outf() so that there is one place writing to
 * stdout; messages for people go to stderr through cli_log().
 */
#ifndef HELIOS_CLI_I_H
#define HELIOS_CLI_I_H

#include <getopt.h>
#include <stddef.h>

#include "helios/error.h"
#include "helios/validate.h"

enum cli_exit {
	CLI_EXIT_OK = 0,	/* everything checked was fine */
	CLI_EXIT_FAIL = 1,	/* something was invalid or failed */
	CLI_EXIT_USAGE = 2,	/* bad usage, missing file or store, I/O */
};

enum cli_level {
	CLI_LOG_ERROR,
	CLI_LOG_WARNING,
	CLI_LOG_INFO,
};

struct cli_verb {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;	/* one line for the verb list */
	const char *help;	/* option descriptions for --help */
	const char *details;	/* prose after the options, or NULL */
	int (*run)(const struct cli_verb *verb, int argc, char **argv);
};

extern const struct cli_verb cli_verb_init;
extern const struct cli_verb cli_verb_validate;
extern const struct cli_verb cli_verb_test_inheritance;
extern const struct cli_verb cli_verb_write;
extern const struct cli_verb cli_verb_rm;
extern const struct cli_verb cli_verb_recover;
extern const struct cli_verb cli_verb_backup;
extern const struct cli_verb cli_verb_restore_backup;
extern const struct cli_verb cli_verb_doctor;

/* Option ids shared by every verb's long option table. */
enum cli_opt {
	CLI_OPT_HELP = 'h',
	CLI_OPT_VERSION = 0x100,
	CLI_OPT_HELIOS_DIR,
	CLI_OPT_KIND,
};

#define CLI_LONGOPT_COMMON						\
	{ "help", no_argument, NULL, CLI_OPT_HELP },			\
	{ "version", no_argument, NULL, CLI_OPT_VERSION },		\
	{ "helios-dir", required_argument, NULL, CLI_OPT_HELIOS_DIR }

/*
 * getopt_long() over a verb's argv, with the common options answered
 * here: returns the next verb-specific option, -1 at the end of the
 * options, or -2 when the verb must return *exit_code now (after --help,
 * --version or a usage error, which have been reported).
 */
int cli_getopt(const struct cli_verb *verb, int argc, char **argv,
	       const struct option *longopts, int *exit_code);

/* Print "usage: helios-mcp VERB ARGS" and the verb's help. */
void cli_verb_usage(const struct cli_verb *verb, int to_stdout);

/* Report a usage error for verb on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_verb *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void cli_log(enum cli_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Write to stdout; the only functions in mcp/ that do. */
void cli_out(const char *s, size_t len);
void cli_outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the version line to stdout. */
void cli_print_version(void);

/*
 * Print one diagnostic line.  Warnings read "FILE:L:C: warning: ...";
 * to_stdout chooses the stream (validate prints diagnostics on stdout,
 * test-inheritance on stderr to keep its YAML clean).
 */
void cli_print_diag(const struct hdiag *d, int to_stdout);
void cli_print_diags(const struct hdiag_list *l, int to_stdout);

/* Shortest "%g"-style text that reads back as the same double. */
void cli_format_double(double v, char *out, size_t size);

/*
 * The options of a verb whose only option is --helios-dir: its value (if
 * given) goes to *dir_arg, operands start at optind.  Returns -1 to go
 * on, or the CLI_EXIT_* code to return at once (after --help, --version
 * or a usage error, which have been reported).
 */
int cli_parse_options(const struct cli_verb *verb, int argc, char **argv,
		      const char **dir_arg);

/*
 * The command line of a verb whose only option is --helios-dir: parse
 * the options, take at most one argument into *arg (none when arg is
 * NULL), and resolve the store directory into *dir (malloc'd, to free).
 * Returns -1 to go on, or the CLI_EXIT_* code to return at once (after
 * --help, --version or an error, which have been reported).
 */
int cli_parse_dir(const struct cli_verb *verb, int argc, char **argv,
		  char **dir, const char **arg);

/*
 * Resolve the store directory (--helios-dir, $HELIOS_DIR, ~/.helios)
 * and open the existing store there without bootstrapping it.  Recovery
 * notes go to stderr.  Returns a CLI_EXIT_* code; on CLI_EXIT_OK *out is
 * the store to store_free().
 */
struct store;
int cli_open_store(const char *dir_arg, struct store **out);

#endif

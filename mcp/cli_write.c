/*
 * cli_write.c - `helios-mcp write` and `helios-mcp rm`: save or delete
 * one configuration file through the store, the way the mount and the
 * MCP tools do (validated, written atomically, committed).
 *
 * Diagnostics of refused content go to stdout in validate's format; a
 * one-line result goes to stderr.  Exit 0 when the change is committed
 * (or there was nothing to change), 1 when the content is invalid or the
 * change failed, 2 on usage errors, an unreadable FILE or a missing
 * store.
 */
#include "cli_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helios/buf.h"
#include "helios/store.h"
#include "helios/yaml.h"

#define CLI_WRITE_FACE "cli"

/*
 * Read all of fd into out, stopping one byte past the parser's size
 * limit so that validation reports an oversized file without the whole
 * of it in memory.  0 or an errno value.
 */
static int cli_write_slurp(int fd, struct hbuf *out)
{
	ssize_t n;

	do {
		if (hbuf_grow(out, 65536))
			return ENOMEM;
		n = read(fd, out->ptr + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	} while (n > 0 && out->len <= HYAML_MAX_BYTES_DEFAULT);
	return 0;
}

/* The content to save: FILE, or stdin when file is NULL or "-". */
static int cli_write_input(const char *file, struct hbuf *out)
{
	int fd = STDIN_FILENO, rc;

	if (file && strcmp(file, "-")) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			cli_log(CLI_LOG_ERROR, "cannot open '%s': %s", file,
				strerror(errno));
			return CLI_EXIT_USAGE;
		}
	}
	rc = cli_write_slurp(fd, out);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot read '%s': %s",
			file ? file : "-", strerror(rc));
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* Map a failed store call to an exit status, reporting it. */
static int cli_write_failed(const char *what, const char *path, int rc,
			    const struct helios_error *err)
{
	cli_log(CLI_LOG_ERROR, "cannot %s '%s': %s", what, path, err->msg);
	return rc == HELIOS_ENAME ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

/*
 * Parse "[--helios-dir DIR] ARGS..." for both verbs: *dir_arg and the
 * index of the first operand.  Returns -1 to go on, else an exit status.
 */
static int cli_write_options(const struct cli_verb *verb, int argc,
			     char **argv, const char **dir_arg, int min,
			     int max)
{
	int rc = cli_parse_options(verb, argc, argv, dir_arg);

	if (rc >= 0)
		return rc;
	if (argc - optind < min)
		return cli_usage_error(verb, "missing PATH");
	if (argc - optind > max)
		return cli_usage_error(verb, "unexpected argument '%s'",
				       argv[optind + max]);
	return -1;
}

static int cli_write_run(const struct cli_verb *verb, int argc, char **argv)
{
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	const char *dir_arg = NULL, *path, *file;
	struct store *st;
	struct hbuf content;
	char head[41];
	int status, rc;

	status = cli_write_options(verb, argc, argv, &dir_arg, 1, 2);
	if (status >= 0)
		return status;
	path = argv[optind];
	file = optind + 1 < argc ? argv[optind + 1] : NULL;

	hbuf_init(&content, HBUF_MAX_DEFAULT);
	status = cli_write_input(file, &content);
	if (status)
		goto out_release;
	status = cli_open_store(dir_arg, &st);
	if (status)
		goto out_release;

	hdiag_list_init(&diags);
	rc = store_write(st, path, hbuf_str(&content), content.len,
			 CLI_WRITE_FACE, &diags, &err);
	cli_print_diags(&diags, 1);
	fflush(stdout);
	hdiag_list_release(&diags);
	if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		cli_log(CLI_LOG_ERROR, "'%s' not saved: the content is invalid",
			path);
		status = CLI_EXIT_FAIL;
	} else if (rc) {
		status = cli_write_failed("save", path, rc, &err);
	} else if (store_head(st, head, &err) == 0) {
		cli_log(CLI_LOG_INFO, "saved '%s' (HEAD %s)", path, head);
	}
	store_free(st);
out_release:
	hbuf_release(&content);
	return status;
}

static int cli_rm_run(const struct cli_verb *verb, int argc, char **argv)
{
	struct helios_error err = { 0 };
	const char *dir_arg = NULL, *path;
	struct store *st;
	int status, rc;

	status = cli_write_options(verb, argc, argv, &dir_arg, 1, 1);
	if (status >= 0)
		return status;
	path = argv[optind];
	status = cli_open_store(dir_arg, &st);
	if (status)
		return status;
	rc = store_delete(st, path, CLI_WRITE_FACE, &err);
	if (rc)
		status = cli_write_failed("delete", path, rc, &err);
	else
		cli_log(CLI_LOG_INFO, "deleted '%s'", path);
	store_free(st);
	return status;
}

const struct cli_verb cli_verb_write = {
	.name = "write",
	.args = "[--helios-dir DIR] PATH [FILE]",
	.summary = "validate and save one configuration file, committing it",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.details = "PATH is store-relative: base/identity.yaml or\n"
		"personas/NAME.yaml.  The content comes from FILE, or from\n"
		"stdin when FILE is absent or '-'.  Invalid content changes\n"
		"nothing; its diagnostics go to stdout as with validate.\n"
		"Exit status: 0 saved (or already so), 1 invalid content or a\n"
		"failed save, 2 usage error, unreadable FILE or no store.\n",
	.run = cli_write_run,
};

const struct cli_verb cli_verb_rm = {
	.name = "rm",
	.args = "[--helios-dir DIR] PATH",
	.summary = "delete one persona file, committing the deletion",
	.help = "      --helios-dir DIR  store directory (default $HELIOS_DIR, "
		"else ~/.helios)\n",
	.details = "PATH is personas/NAME.yaml; the base identity cannot be\n"
		"deleted.  Exit status: 0 deleted, 1 refused or failed (no such\n"
		"persona, the base identity), 2 usage error or no store.\n",
	.run = cli_rm_run,
};

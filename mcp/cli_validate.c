/*
 * cli_validate.c - `helios-mcp validate`: check a store, a checkout of a
 * configuration repository, or loose files.
 *
 * Diagnostics go to stdout, one "FILE:LINE:COLUMN: message" per line
 * (warnings read "FILE:LINE:COLUMN: warning: message"); a summary line
 * goes to stderr.  Exit 0 when everything is valid, 1 when anything is
 * invalid, 2 on usage errors, missing or unreadable paths.
 */
#include "cli_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helios/buf.h"
#include "helios/store.h"

struct cli_validate {
	enum hdoc_kind forced;	/* --kind, or HDOC_NONE */
	size_t files;		/* files checked */
	size_t invalid;		/* of which invalid */
	size_t errors;
	size_t warnings;
	int io_failed;		/* a path was missing or unreadable */
};

/* Print and count the diagnostics of one file, then empty the list. */
static void cli_validate_flush(struct cli_validate *v, struct hdiag_list *l)
{
	cli_print_diags(l, 1);
	v->errors += l->errors;
	v->warnings += l->len - l->errors;
	hdiag_list_release(l);
	hdiag_list_init(l);
}

/*
 * Read a whole file, stopping one byte past the parser's size limit so
 * that an oversized file is reported by validation, not read in full.
 */
static int cli_read_file(const char *path, struct hbuf *out)
{
	size_t cap = HYAML_MAX_BYTES_DEFAULT + 1;
	int fd, saved, rc;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	do {
		rc = hbuf_grow(out, 65536);
		if (rc) {
			close(fd);
			return ENOMEM;
		}
		n = read(fd, out->ptr + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			return saved;
		}
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	} while (n > 0 && out->len < cap);
	close(fd);
	return 0;
}

static int cli_has_key(const struct hnode *doc, const char *key)
{
	return doc && doc->type == HNODE_MAP && hnode_map_get(doc, key);
}

/*
 * Decide the kind of a loose file from its content.  A file that does
 * not parse gets its syntax error reported here and HDOC_NONE.
 */
static enum hdoc_kind cli_kind_by_content(const char *file,
					  const struct hbuf *buf,
					  struct hdiag_list *diags)
{
	struct helios_error err = { 0 };
	struct hnode *doc = NULL;
	int base, persona;

	if (hyaml_parse(hbuf_str(buf), buf->len, NULL, &doc, NULL, &err)) {
		hdiag_add(diags, HDIAG_ERROR, file, err.line, err.col, "%s",
			  err.msg);
		return HDOC_NONE;
	}
	base = cli_has_key(doc, "base_importance");
	persona = cli_has_key(doc, "specialization_level");
	hnode_free(doc);

	if (base && !persona)
		return HDOC_BASE;
	if (persona && !base)
		return HDOC_PERSONA;
	hdiag_add(diags, HDIAG_ERROR, file, 1, 1,
		  "cannot tell whether this is a base identity "
		  "(base_importance) or a persona (specialization_level); "
		  "use --kind base|persona");
	return HDOC_NONE;
}

/* The kind a path implies: base/identity.yaml or personas/NAME. */
static enum hdoc_kind cli_kind_by_path(const char *path)
{
	char real[PATH_MAX];
	char *slash, *parent;

	if (!realpath(path, real))
		return HDOC_NONE;
	slash = strrchr(real, '/');
	if (!slash || slash == real)
		return HDOC_NONE;
	*slash = '\0';
	parent = strrchr(real, '/');
	parent = parent ? parent + 1 : real;

	if (!strcmp(parent, "base") && !strcmp(slash + 1, "identity.yaml"))
		return HDOC_BASE;
	if (!strcmp(parent, "personas"))
		return HDOC_PERSONA;
	return HDOC_NONE;
}

static const char *cli_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Validate one file.  kind HDOC_NONE means: decide from the path, then
 * from the content.  A file in a personas directory must also have a
 * valid persona file name, since the store ignores any other.
 */
static void cli_validate_file(struct cli_validate *v, const char *path,
			      enum hdoc_kind kind)
{
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	struct hbuf buf;
	struct stat sb;
	int bad_name = 0;
	int rc;

	if (stat(path, &sb)) {
		cli_log(CLI_LOG_ERROR, "cannot read '%s': %s", path,
			strerror(errno));
		v->io_failed = 1;
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		cli_log(CLI_LOG_ERROR, "cannot read '%s': not a regular file",
			path);
		v->io_failed = 1;
		return;
	}

	hbuf_init(&buf, HBUF_MAX_DEFAULT);
	rc = cli_read_file(path, &buf);
	if (rc) {
		cli_log(CLI_LOG_ERROR, "cannot read '%s': %s", path,
			strerror(rc));
		v->io_failed = 1;
		goto out_release_buf;
	}

	hdiag_list_init(&diags);
	if (kind == HDOC_NONE)
		kind = v->forced;
	if (kind == HDOC_NONE) {
		kind = cli_kind_by_path(path);
		if (kind == HDOC_PERSONA &&
		    hname_check_persona_file(cli_basename(path), &err)) {
			hdiag_add(&diags, HDIAG_ERROR, path, 1, 1,
				  "invalid persona file name: %s", err.msg);
			bad_name = 1;
		}
	}
	if (kind == HDOC_NONE)
		kind = cli_kind_by_content(path, &buf, &diags);

	v->files++;
	if (kind == HDOC_NONE) {
		v->invalid++;
	} else {
		rc = hdoc_validate(kind, path, hbuf_str(&buf), buf.len, NULL,
				   &diags, NULL);
		if (rc || bad_name)
			v->invalid++;
	}
	cli_validate_flush(v, &diags);
	hdiag_list_release(&diags);
out_release_buf:
	hbuf_release(&buf);
}

static char *cli_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	int slash = dl && dir[dl - 1] == '/';
	char *out = malloc(dl + strlen(name) + 2);

	if (out)
		sprintf(out, "%s%s%s", dir, slash ? "" : "/", name);
	return out;
}

static int cli_is_dir(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISDIR(sb.st_mode);
}

static int cli_bytewise(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int cli_yaml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	       !strcmp(d->d_name + n - 5, ".yaml");
}

static void cli_validate_personas(struct cli_validate *v, const char *pdir)
{
	struct dirent **ents;
	int i, n;

	n = scandir(pdir, &ents, cli_yaml_name, cli_bytewise);
	if (n < 0) {
		cli_log(CLI_LOG_ERROR, "cannot list '%s': %s", pdir,
			strerror(errno));
		v->io_failed = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		char *path = cli_join(pdir, ents[i]->d_name);

		if (path)
			cli_validate_file(v, path, HDOC_NONE);
		else
			v->io_failed = 1;
		free(path);
		free(ents[i]);
	}
	free(ents);
}

/*
 * A store or a checkout of a configuration repository: base/identity.yaml
 * (required) and personas/NAME.yaml.  No git repository is needed.
 */
static void cli_validate_dir(struct cli_validate *v, const char *dir)
{
	char *bdir = cli_join(dir, "base");
	char *pdir = cli_join(dir, "personas");
	char *base = cli_join(dir, STORE_BASE_PATH);
	enum hdoc_kind forced = v->forced;
	struct hdiag_list diags;

	if (!bdir || !pdir || !base) {
		v->io_failed = 1;
		goto out_free_paths;
	}
	if (!cli_is_dir(bdir) && !cli_is_dir(pdir)) {
		cli_log(CLI_LOG_ERROR, "'%s' is not a helios store or "
			"configuration repository (no base/ or personas/)",
			dir);
		v->io_failed = 1;
		goto out_free_paths;
	}

	if (access(base, F_OK) && errno == ENOENT) {
		hdiag_list_init(&diags);
		hdiag_add(&diags, HDIAG_ERROR, base, 1, 1,
			  "missing base identity");
		v->files++;
		v->invalid++;
		cli_validate_flush(v, &diags);
		hdiag_list_release(&diags);
	} else {
		cli_validate_file(v, base, HDOC_BASE);
	}
	/* --kind is for loose files; here every file's place says its kind */
	v->forced = HDOC_NONE;
	if (cli_is_dir(pdir))
		cli_validate_personas(v, pdir);
	v->forced = forced;

out_free_paths:
	free(bdir);
	free(pdir);
	free(base);
}

static int cli_validate_store(struct cli_validate *v, const char *dir_arg)
{
	struct hdiag_list diags;
	struct store *st;
	int status;

	status = cli_open_store(dir_arg, &st);
	if (status)
		return status;

	hdiag_list_init(&diags);
	if (store_validate_all(st, &diags))
		v->invalid++;
	cli_validate_flush(v, &diags);
	hdiag_list_release(&diags);
	store_free(st);
	return CLI_EXIT_OK;
}

static int cli_parse_kind(const char *s, enum hdoc_kind *kind)
{
	if (!strcmp(s, "base"))
		*kind = HDOC_BASE;
	else if (!strcmp(s, "persona"))
		*kind = HDOC_PERSONA;
	else
		return -1;
	return 0;
}

static int cli_validate_run(const struct cli_verb *verb, int argc,
			    char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPT_COMMON,
		{ "kind", required_argument, NULL, CLI_OPT_KIND },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_validate v = { .forced = HDOC_NONE };
	const char *dir_arg = NULL;
	int c, i, status;

	while ((c = cli_getopt(verb, argc, argv, longopts, &status)) != -1) {
		if (c == -2)
			return status;
		if (c == CLI_OPT_HELIOS_DIR)
			dir_arg = optarg;
		else if (c == CLI_OPT_KIND && cli_parse_kind(optarg, &v.forced))
			return cli_usage_error(verb, "--kind must be 'base' or "
					       "'persona', not '%s'", optarg);
	}
	if (optind < argc && dir_arg)
		return cli_usage_error(verb, "--helios-dir and PATH arguments "
				       "cannot be combined");
	if (optind == argc && v.forced != HDOC_NONE)
		return cli_usage_error(verb, "--kind needs PATH arguments");

	if (optind == argc) {
		status = cli_validate_store(&v, dir_arg);
		if (status)
			return status;
	}
	for (i = optind; i < argc; i++) {
		if (cli_is_dir(argv[i]))
			cli_validate_dir(&v, argv[i]);
		else
			cli_validate_file(&v, argv[i], HDOC_NONE);
	}
	fflush(stdout);

	if (optind == argc)
		fprintf(stderr, "helios-mcp validate: store %s: %zu error(s), "
			"%zu warning(s)\n", v.invalid ? "invalid" : "valid",
			v.errors, v.warnings);
	else
		fprintf(stderr, "helios-mcp validate: %zu file(s) checked, "
			"%zu invalid, %zu error(s), %zu warning(s)%s\n",
			v.files, v.invalid, v.errors, v.warnings,
			v.io_failed ? ", some paths could not be read" : "");

	if (v.io_failed)
		return CLI_EXIT_USAGE;
	return v.invalid ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

const struct cli_verb cli_verb_validate = {
	.name = "validate",
	.args = "[--helios-dir DIR] [--kind base|persona] [PATH...]",
	.summary = "check the store, a configuration checkout or files",
	.help = "      --helios-dir DIR  store to check when no PATH is given\n"
		"                        (default $HELIOS_DIR, else ~/.helios)\n"
		"      --kind KIND       treat every file PATH as 'base' or "
		"'persona'\n",
	.details = "A PATH may be a file or a directory holding base/identity.yaml\n"
		"and personas/*.yaml (a store or a clone of one; git is not\n"
		"needed).  A file's kind comes from its place (base/identity.yaml,\n"
		"personas/NAME.yaml), else from its content.  Diagnostics go to\n"
		"stdout, the summary to stderr.  Exit status: 0 all valid,\n"
		"1 something invalid, 2 usage error or unreadable path.\n",
	.run = cli_validate_run,
};

/*
 * store.c - opening and bootstrapping a store: resolving the directory
 * argument, the default files of a new store, and store_open() and
 * store_free().  Reading is in store_read.c, the one write path every
 * face uses in store_change.c.
 */
#include "helios/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_i.h"
#include "helios/fault.h"
#include "store_i.h"
#include "store_maint_i.h"

#define STORE_DIR_MODE 0700
#define STORE_WELCOME_PATH "personas/welcome.yaml"

static const char default_base[] =
	"# Helios base identity\n"
	"#\n"
	"# The traits every persona inherits.  A persona's weight is\n"
	"# base_importance / specialization_level^2, so the more specialised\n"
	"# a persona is, the less of this file shows through it.\n"
	"# Every save is validated and committed to git.\n"
	"\n"
	"base_importance: 0.7\n"
	"\n"
	"behaviors:\n"
	"  communication_style:\n"
	"    tone: friendly and direct\n"
	"    verbosity: concise\n"
	"  problem_solving:\n"
	"    approach: understand the problem before proposing a fix\n"
	"    steps:\n"
	"      - ask what the goal is\n"
	"      - try the simplest thing that could work\n"
	"      - check the result\n"
	"  learning_approach: explain the reasoning, not only the answer\n";

static const char default_welcome[] =
	"# The welcome persona: a starting point for your own.\n"
	"# Copy it to personas/NAME.yaml and change what you like.\n"
	"\n"
	"specialization_level: 1\n"
	"\n"
	"behaviors:\n"
	"  greeting: Hello, I am your assistant, configured by Helios.\n"
	"  purpose: show how a persona is laid out\n";

static const char default_gitignore[] =
	"# Helios runtime state and temporary files; never committed.\n"
	"/" STORE_RUNTIME_DIR "/\n"
	ATOMIC_TMP_PREFIX "*\n";

const char *store__default_base(void)
{
	return default_base;
}

char *store__path(const struct store *st, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", st->dir, rel) < 0)
		return NULL;
	return p;
}

int store__read_file(const char *path, struct hbuf *out,
		     struct helios_error *err)
{
	char chunk[8192];
	ssize_t n;
	int fd, rc = 0;

	/* a link could lead out of the store: never follow one */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return helios_error_set(err, HELIOS_ENOTFOUND,
					"'%s' does not exist", path);
	if (fd < 0 && errno == ELOOP)	/* as if absent; a save replaces it */
		return helios_error_set(err, HELIOS_ENOTFOUND,
					"'%s' is a symbolic link; not followed",
					path);
	if (fd < 0)
		return helios_error_sys(err, errno, "cannot open '%s'", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = helios_error_sys(err, errno, "cannot read '%s'",
					      path);
			break;
		}
		if (n == 0)
			break;
		rc = hbuf_add(out, chunk, (size_t)n);
		if (rc) {
			helios_error_set(err, rc, "cannot read '%s': %s", path,
					 helios_code_name(rc));
			break;
		}
	}
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Resolving the directory                                              */

/* Expand "~", "~/rest", "~user" and "~user/rest"; other paths copied. */
static int expand_tilde(const char *path, char **out,
			struct helios_error *err)
{
	const char *rest, *home = NULL;
	struct passwd *pw;
	char *user;

	if (path[0] != '~')
		goto out_copy;
	rest = path + 1 + strcspn(path + 1, "/");
	if (rest == path + 1) {
		home = getenv("HOME");
		if (!home || !*home) {
			pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
	} else {
		user = strndup(path + 1, (size_t)(rest - path - 1));
		if (!user)
			goto out_nomem;
		pw = getpwnam(user);
		free(user);
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return helios_error_set(err, HELIOS_ESTORE,
					"cannot expand '~' in '%s': no home "
					"directory", path);
	if (asprintf(out, "%s%s", home, rest) < 0)
		goto out_nomem;
	return 0;

out_copy:
	*out = strdup(path);
	if (*out)
		return 0;
out_nomem:
	return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
}

int store_resolve_dir(const char *arg, char **out, struct helios_error *err)
{
	const char *src = arg;
	char *expanded, *abs, cwd[4096];
	size_t len;
	int rc;

	*out = NULL;
	if (!src) {
		src = getenv("HELIOS_DIR");
		if (!src || !*src)
			src = "~/.helios";
	}
	if (!*src)
		return helios_error_set(err, HELIOS_ESTORE,
					"empty store directory name");
	rc = expand_tilde(src, &expanded, err);
	if (rc)
		return rc;

	if (expanded[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd))) {
			rc = helios_error_sys(err, errno,
					      "cannot get the current "
					      "directory");
			free(expanded);
			return rc;
		}
		if (asprintf(&abs, "%s/%s", strcmp(cwd, "/") ? cwd : "",
			     expanded) < 0) {
			free(expanded);
			return helios_error_set(err, HELIOS_ENOMEM,
						"out of memory");
		}
		free(expanded);
		expanded = abs;
	}

	/* "/a/b/" and "/a/b/." name the same store as "/a/b" */
	len = strlen(expanded);
	for (;;) {
		if (len > 1 && expanded[len - 1] == '/')
			len--;
		else if (len > 2 && !strcmp(expanded + len - 2, "/."))
			len -= 2;
		else
			break;
		expanded[len] = '\0';
	}
	*out = expanded;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Opening and bootstrapping                                            */

/* mkdir -p with STORE_DIR_MODE for every missing component. */
int store__make_dirs(const char *path, struct helios_error *err)
{
	char *p = strdup(path), *s;
	int rc = 0;

	if (!p)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, STORE_DIR_MODE) < 0 && errno != EEXIST) {
			rc = helios_error_sys(err, errno,
					      "cannot create directory '%s'",
					      p);
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

static int is_dir_entry_ours(const char *name)
{
	static const char *const ours[] = {
		STORE_RUNTIME_DIR, ".helios_version", ".gitignore", "base",
		"personas", ".git",
	};
	size_t i;

	if (!strncmp(name, ATOMIC_TMP_PREFIX, strlen(ATOMIC_TMP_PREFIX)))
		return 1;
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (!strcmp(name, ours[i]))
			return 1;
	return 0;
}

/*
 * Does directory dir/sub hold nothing but the file only (and temporary
 * files)?  A missing directory does.
 */
static int subdir_holds_only(const char *dir, const char *sub,
			     const char *only)
{
	struct dirent *de;
	char *path;
	DIR *d;
	int ok = 1;

	if (asprintf(&path, "%s/%s", dir, sub) < 0)
		return 0;
	d = opendir(path);
	free(path);
	if (!d)
		return errno == ENOENT;
	while (ok && (de = readdir(d)))
		ok = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		     !strcmp(de->d_name, only) ||
		     !strncmp(de->d_name, ATOMIC_TMP_PREFIX,
			      strlen(ATOMIC_TMP_PREFIX));
	closedir(d);
	return ok;
}

/* Is dir/rel missing or the default text bootstrap writes there? */
static int file_is_default(const char *dir, const char *rel,
			   const char *text)
{
	struct hbuf b;
	char *path;
	int rc, ok;

	if (asprintf(&path, "%s/%s", dir, rel) < 0)
		return 0;
	hbuf_init(&b, 64 * 1024);
	rc = store__read_file(path, &b, NULL);
	ok = rc == HELIOS_ENOTFOUND ||
	     (rc == 0 && b.len == strlen(text) && !strcmp(hbuf_str(&b), text));
	hbuf_release(&b);
	free(path);
	return ok;
}

/*
 * May dir be bootstrapped?  Only when everything in it is something a
 * Helios bootstrap itself creates (an interrupted bootstrap, or nothing
 * at all): a directory holding anything else - another persona, an
 * edited base - is someone's data.
 */
static int dir_is_bootstrappable(const char *dir, int adopt)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ok = 1;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!is_dir_entry_ours(de->d_name)) {
			ok = 0;
			break;
		}
	}
	closedir(d);
	if (adopt)
		return ok;
	return ok && subdir_holds_only(dir, "personas", "welcome.yaml") &&
	       subdir_holds_only(dir, "base", "identity.yaml") &&
	       file_is_default(dir, STORE_BASE_PATH, default_base) &&
	       file_is_default(dir, STORE_WELCOME_PATH, default_welcome);
}

/* Write a default file unless it exists (a rerun keeps the user's). */
static int write_default(struct store *st, const char *rel, const char *text,
			 struct helios_error *err)
{
	char *path = store__path(st, rel);
	struct stat sb;
	int rc = 0;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (lstat(path, &sb) < 0)
		rc = atomic_write_file(path, text, strlen(text),
				       STORE_FILE_MODE, err);
	free(path);
	return rc;
}

/* Add rel, as it is on disk now, to the initial commit's changes. */
static int bootstrap_change(struct store *st, const char *rel,
			    struct store_change *c, struct hbuf *content,
			    struct helios_error *err)
{
	char *path = store__path(st, rel);
	struct stat sb;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	rc = store__read_file(path, content, err);
	if (!rc && stat(path, &sb) < 0)
		rc = helios_error_sys(err, errno, "cannot stat '%s'", path);
	free(path);
	if (rc)
		return rc;
	c->path = rel;
	c->remove = 0;
	c->buf = content->ptr ? content->ptr : "";
	c->len = content->len;
	c->mode = store_git__mode_of(sb.st_mode);
	return 0;
}

static int bootstrap(struct store *st, struct helios_error *err)
{
	static const char *const files[] = {
		STORE_BASE_PATH, STORE_WELCOME_PATH, ".helios_version",
		".gitignore",
	};
	enum { NFILES = sizeof(files) / sizeof(files[0]) };
	struct store_change changes[NFILES];
	struct hbuf content[NFILES];
	char version[128], *sub;
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int rc = 0;

	strftime(version, sizeof(version),
		 "layout: 1\ninstalled: %Y-%m-%dT%H:%M:%SZ\n",
		 gmtime_r(&now, &tm));
	for (i = 0; i < 2 && !rc; i++) {
		sub = store__path(st, i ? "personas" : "base");
		rc = sub ? store__make_dirs(sub, err) :
			   helios_error_set(err, HELIOS_ENOMEM,
					    "out of memory");
		free(sub);
	}
	if (!rc)
		rc = write_default(st, STORE_BASE_PATH, default_base, err);
	if (!rc)
		rc = write_default(st, STORE_WELCOME_PATH, default_welcome,
				   err);
	if (!rc)
		rc = write_default(st, ".helios_version", version, err);
	if (!rc)
		rc = write_default(st, ".gitignore", default_gitignore, err);
	if (!rc && !st->repo)
		rc = store_git__init(st, err);
	if (rc)
		return rc;

	for (i = 0; i < NFILES; i++)
		hbuf_init(&content[i], HYAML_MAX_BYTES_DEFAULT);
	for (i = 0; i < NFILES && !rc; i++)
		rc = bootstrap_change(st, files[i], &changes[i], &content[i],
				      err);
	if (!rc)
		rc = store_git__commit(st, changes, NFILES,
				       "initialize Helios store", err);
	for (i = 0; i < NFILES; i++)
		hbuf_release(&content[i]);
	if (!rc)
		st->created = 1;
	return rc;
}

/* Open dir's repository when it is a store with a commit on main. */
static int open_existing(struct store *st, struct helios_error *err)
{
	char *gitdir = store__path(st, ".git"), why[sizeof(err->msg)];
	char *head = store__path(st, ".git/HEAD");
	git_filemode_t mode;
	git_oid tip;
	struct stat sb;
	int rc, no_head;

	if (!gitdir || !head) {
		free(gitdir);
		free(head);
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	rc = lstat(gitdir, &sb);
	no_head = lstat(head, &sb) < 0 && errno == ENOENT;
	free(gitdir);
	free(head);
	if (rc < 0)
		return HELIOS_ENOTFOUND;
	if (!st->repo) {
		rc = store_git__open(st, err);
		if (rc && no_head)
			return HELIOS_ENOTFOUND; /* git init killed early */
		if (rc) {
			/* the message is formatted from a copy of itself */
			snprintf(why, sizeof(why), "%s", err ? err->msg :
				 "cannot open its repository");
			return helios_error_set(err, HELIOS_ESTORE,
						"'%s' is not a usable store: "
						"%s", st->dir, why);
		}
	}
	if (store_git__tip(st, &tip, NULL))
		return HELIOS_ENOTFOUND;
	rc = store_git__tip_entry(st, STORE_BASE_PATH, &tip, &mode, err);
	if (rc == HELIOS_ENOTFOUND)
		return helios_error_set(err, HELIOS_ESTORE,
					"'%s' is a git repository but not a "
					"Helios store: branch main has no %s",
					st->dir, STORE_BASE_PATH);
	if (rc) {
		snprintf(why, sizeof(why), "%s", err ? err->msg : "");
		return helios_error_set(err, HELIOS_ESTORE,
					"'%s': its git history cannot be read "
					"(%s); run 'helios-mcp doctor'",
					st->dir, why);
	}
	return 0;
}

/*
 * Open the store in st->dir, or bootstrap it (STORE_OPEN_CREATE) when the
 * directory holds nothing but an interrupted bootstrap or nothing at
 * all.  The bootstrap runs under the lock and checks again, so two
 * processes opening a new store at once make one initial commit.
 */
static int open_or_bootstrap(struct store *st, unsigned flags,
			     struct helios_error *err)
{
	int rc = open_existing(st, err);

	if (rc != HELIOS_ENOTFOUND)
		return rc;
	if (!dir_is_bootstrappable(st->dir, !!(flags & STORE_OPEN_ADOPT)))
		return helios_error_set(err, HELIOS_ESTORE,
					"'%s' is not a Helios store and is not "
					"empty; refusing to create one there "
					"(configuration files that lost their "
					"git history: 'helios-mcp recover' "
					"starts a new one)", st->dir);
	if (!(flags & STORE_OPEN_CREATE))
		return helios_error_set(err, HELIOS_ESTORE,
					"'%s' is not a Helios store", st->dir);

	rc = store__make_dirs(st->dir, err);
	if (!rc)
		rc = store_lock_acquire(&st->lock, err);
	if (rc)
		return rc;
	rc = open_existing(st, err);
	if (rc == HELIOS_ENOTFOUND)
		rc = bootstrap(st, err);
	store_lock_release(&st->lock);
	return rc;
}

/* Warn when HEAD is not main: changes are refused until it is. */
static void check_head(struct store *st, struct hdiag_list *report)
{
	git_reference *head;

	if (!report || git_reference_lookup(&head, st->repo, "HEAD") < 0)
		return;
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
	    strcmp(git_reference_symbolic_target(head), STORE_BRANCH_REF))
		hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
			  "HEAD is not on branch main; changes are refused "
			  "until 'git checkout main'");
	git_reference_free(head);
}

/* Does the file at path (a store path, may be NULL) begin with want? */
static int file_starts(const char *path, const char *want)
{
	char text[64] = "";
	size_t n = strlen(want);
	FILE *f = path ? fopen(path, "re") : NULL;
	int same;

	if (!f)
		return 0;
	same = n < sizeof(text) && fread(text, 1, n, f) == n &&
	       memcmp(text, want, n) == 0;
	fclose(f);
	return same;
}

/*
 * May opening leave git for later?  Only for a store whose opening would
 * find nothing to do or report: a repository with HEAD on main, a base
 * identity, the current layout and no journal of an interrupted save.
 * Anything else takes the full path, which reports and repairs.
 */
static int can_defer_git(const struct store *st)
{
	char *gitdir = store__path(st, ".git");
	char *head = store__path(st, ".git/HEAD");
	char *base = store__path(st, STORE_BASE_PATH);
	char *version = store__path(st, ".helios_version");
	char *journal = NULL;
	struct stat sb;
	int ok;

	if (asprintf(&journal, "%s/%s", st->state_dir, STORE_JOURNAL_NAME) < 0)
		journal = NULL;
	ok = gitdir && base && journal &&
	     lstat(gitdir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	     lstat(base, &sb) == 0 && S_ISREG(sb.st_mode) &&
	     lstat(journal, &sb) < 0 && errno == ENOENT &&
	     file_starts(version, "layout: 1\n") &&
	     file_starts(head, "ref: " STORE_BRANCH_REF "\n");
	free(journal);
	free(version);
	free(base);
	free(head);
	free(gitdir);
	return ok;
}

int store__git_ready(struct store *st, struct helios_error *err)
{
	int rc;

	if (!st->git_deferred)
		return 0;
	rc = open_existing(st, err);
	if (rc == HELIOS_ENOTFOUND)
		rc = helios_error_set(err, HELIOS_ESTORE,
				      "'%s' is not a Helios store: branch "
				      "main has no commit", st->dir);
	if (!rc)
		st->git_deferred = 0;
	return rc;
}

int store_open(const char *dir, unsigned flags, struct store **out,
	       struct hdiag_list *report, struct helios_error *err)
{
	struct store *st;
	int rc;

	*out = NULL;
	if (dir[0] != '/')
		return helios_error_set(err, HELIOS_ESTORE,
					"store directory '%s' is not absolute",
					dir);
	st = calloc(1, sizeof(*st));
	if (!st)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	st->dir = strdup(dir);
	if (st->dir)
		st->state_dir = store__path(st, STORE_RUNTIME_DIR);
	if (!st->dir || !st->state_dir) {
		rc = helios_error_set(err, HELIOS_ENOMEM, "out of memory");
		goto out_free;
	}
	rc = store_lock_init(&st->lock, st->state_dir, err);
	if (rc)
		goto out_free;

	rc = store_migrate__on_open(st, report, err);
	if (rc)
		goto out_destroy_lock;
	if ((flags & STORE_OPEN_DEFER_GIT) && can_defer_git(st)) {
		st->git_deferred = 1;
		*out = st;
		return 0;
	}
	rc = open_or_bootstrap(st, flags, err);
	if (!rc)
		rc = store_recover__run(st, report, err);
	if (rc)
		goto out_destroy_lock;
	check_head(st, report);
	*out = st;
	return 0;

out_destroy_lock:
	store_lock_destroy(&st->lock);
out_free:
	git_repository_free(st->repo);
	free(st->state_dir);
	free(st->dir);
	if (st->git_started)
		git_libgit2_shutdown();
	free(st);
	return rc;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	store_lock_destroy(&st->lock);
	git_repository_free(st->repo);
	free(st->state_dir);
	free(st->dir);
	if (st->git_started)
		git_libgit2_shutdown();
	free(st);
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

int store_was_created(const struct store *st)
{
	return st->created;
}

/*
 * store.c - opening and bootstrapping a store, reading it, and the one
 * write path (validate, journal, atomic write, commit) every face uses.
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

#define STORE_FILE_MODE 0600
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
 * May dir be bootstrapped?  Only when everything in it is something a
 * Helios bootstrap itself creates (an interrupted bootstrap, or nothing
 * at all): a directory holding anything else is someone's data.
 */
static int dir_is_bootstrappable(const char *dir)
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
	return ok;
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
	char *gitdir = store__path(st, ".git");
	git_filemode_t mode;
	git_oid tip;
	struct stat sb;
	int rc;

	if (!gitdir)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	rc = lstat(gitdir, &sb);
	free(gitdir);
	if (rc < 0)
		return HELIOS_ENOTFOUND;
	if (!st->repo) {
		rc = store_git__open(st, err);
		if (rc)
			return helios_error_set(err, HELIOS_ESTORE,
						"'%s' is not a usable store: "
						"%s", st->dir, err ? err->msg :
						"cannot open its repository");
	}
	if (store_git__tip(st, &tip, NULL))
		return HELIOS_ENOTFOUND;
	if (store_git__tip_entry(st, STORE_BASE_PATH, &tip, &mode, NULL))
		return helios_error_set(err, HELIOS_ESTORE,
					"'%s' is a git repository but not a "
					"Helios store: branch main has no %s",
					st->dir, STORE_BASE_PATH);
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
	if (!dir_is_bootstrappable(st->dir))
		return helios_error_set(err, HELIOS_ESTORE,
					"'%s' is not a Helios store and is not "
					"empty; refusing to create one there",
					st->dir);
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

/* Warn when HEAD is not main: commits go to main regardless. */
static void check_head(struct store *st, struct hdiag_list *report)
{
	git_reference *head;

	if (!report || git_reference_lookup(&head, st->repo, "HEAD") < 0)
		return;
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
	    strcmp(git_reference_symbolic_target(head), STORE_BRANCH_REF))
		hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
			  "HEAD is not on branch main; Helios commits to main");
	git_reference_free(head);
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
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
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
	if (!rc)
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
	free(st);
	git_libgit2_shutdown();
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
	free(st);
	git_libgit2_shutdown();
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

int store_was_created(const struct store *st)
{
	return st->created;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */

/* A store-relative path that stays inside the store. */
static int check_relpath(const char *rel, struct helios_error *err)
{
	const char *p = rel;
	size_t n;

	if (!*rel || *rel == '/')
		goto out_bad;
	while (*p) {
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			goto out_bad;
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
out_bad:
	return helios_error_set(err, HELIOS_ENAME,
				"'%s' is not a path inside the store", rel);
}

int store_read(struct store *st, const char *relpath, struct hbuf *out,
	       struct helios_error *err)
{
	char *path;
	int rc = check_relpath(relpath, err);

	if (rc)
		return rc;
	path = store__path(st, relpath);
	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	rc = store__read_file(path, out, err);
	free(path);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void store_names_free(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Is de a regular file named NAME.yaml with a valid NAME?  Sets *len. */
static int persona_entry(int dfd, const struct dirent *de, size_t *len)
{
	struct stat sb;
	size_t n = strlen(de->d_name);

	if (n <= 5 || strcmp(de->d_name + n - 5, ".yaml") ||
	    hname_check_persona_file(de->d_name, NULL))
		return 0;
	if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	*len = n - 5;
	return 1;
}

int store_list_personas(struct store *st, char ***names, size_t *count,
			struct helios_error *err)
{
	char *path = store__path(st, "personas"), **list = NULL, **grown;
	size_t n = 0, cap = 0, len;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*names = NULL;
	*count = 0;
	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	d = opendir(path);
	if (!d) {
		rc = errno == ENOENT ? 0 :
		     helios_error_sys(err, errno, "cannot list '%s'", path);
		free(path);
		return rc;
	}
	while ((de = readdir(d))) {
		if (!persona_entry(dirfd(d), de, &len))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				goto out_nomem;
			list = grown;
		}
		list[n] = strndup(de->d_name, len);
		if (!list[n])
			goto out_nomem;
		n++;
	}
	closedir(d);
	free(path);
	if (n)
		qsort(list, n, sizeof(*list), cmp_names);
	*names = list;
	*count = n;
	return 0;

out_nomem:
	closedir(d);
	free(path);
	store_names_free(list, n);
	return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
}

/* Validate one store file; a missing or unreadable file is an error. */
static int validate_file(struct store *st, const char *rel,
			 struct hdiag_list *diags)
{
	struct helios_error e = { 0 };
	struct hbuf content;
	int rc;

	/* far above the parser's limit, which then reports the size */
	hbuf_init(&content, HBUF_MAX_DEFAULT);
	rc = store_read(st, rel, &content, &e);
	if (rc) {
		hdiag_add(diags, HDIAG_ERROR, rel, 0, 0, "%s",
			  rc == HELIOS_ENOTFOUND ? "missing" : e.msg);
		rc = HELIOS_EINVAL;
	} else {
		rc = hdoc_validate(hdoc_kind_of_path(rel), rel,
				   hbuf_str(&content), content.len, NULL,
				   diags, NULL);
	}
	hbuf_release(&content);
	return rc;
}

int store_validate_all(struct store *st, struct hdiag_list *diags)
{
	char **names, rel[STORE_PATH_MAX];
	struct helios_error e = { 0 };
	size_t n, i;
	int rc, bad;

	bad = validate_file(st, STORE_BASE_PATH, diags) != 0;
	rc = store_list_personas(st, &names, &n, &e);
	if (rc) {
		hdiag_add(diags, HDIAG_ERROR, "personas", 0, 0, "%s", e.msg);
		return HELIOS_EINVAL;
	}
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "personas/%s.yaml", names[i]);
		if (validate_file(st, rel, diags))
			bad = 1;
	}
	store_names_free(names, n);
	return bad ? HELIOS_EINVAL : 0;
}

int store_head(struct store *st, char out[41], struct helios_error *err)
{
	git_oid id;
	int rc;

	store_lock_enter(&st->lock);
	rc = store_git__tip(st, &id, err);
	if (!rc)
		git_oid_tostr(out, 41, &id);
	store_lock_leave(&st->lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Changing                                                             */

/*
 * Validate content as kind; on failure err carries the first error line
 * (already "FILE:LINE:COLUMN: message").
 */
static int validate_content(enum hdoc_kind kind, const char *rel,
			    const void *buf, size_t len,
			    struct hdiag_list *diags, struct helios_error *err)
{
	struct hdiag_list local, *l = diags ? diags : &local;
	size_t first, i;
	int rc;

	if (!diags)
		hdiag_list_init(&local);
	first = l->len;
	rc = hdoc_validate(kind, rel, buf, len, NULL, l, NULL);
	if (rc) {
		for (i = first; i < l->len; i++)
			if (l->items[i].severity == HDIAG_ERROR)
				break;
		helios_error_set(err, rc, "%s", i < l->len ?
				 l->items[i].text : helios_code_name(rc));
	}
	if (!diags)
		hdiag_list_release(&local);
	return rc;
}

int store__working_state(struct store *st, const char *rel, int *exists,
			 git_oid *id, git_filemode_t *mode,
			 struct helios_error *err)
{
	char *path = store__path(st, rel);
	struct hbuf content;
	struct stat sb;
	int rc;

	*exists = 0;
	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	hbuf_init(&content, HBUF_MAX_DEFAULT);
	rc = store__read_file(path, &content, err);
	if (rc == HELIOS_ENOTFOUND) {
		rc = 0;
		goto out_free;
	}
	if (!rc && stat(path, &sb) < 0)
		rc = helios_error_sys(err, errno, "cannot stat '%s'", path);
	if (!rc)
		rc = store_git__hash(hbuf_str(&content), content.len, id, err);
	if (!rc) {
		*exists = 1;
		*mode = store_git__mode_of(sb.st_mode);
	}
out_free:
	hbuf_release(&content);
	free(path);
	return rc;
}

int store__tip_state(struct store *st, const char *rel, git_oid *id,
		     git_filemode_t *mode, struct helios_error *err)
{
	int rc = store_git__tip_entry(st, rel, id, mode, err);

	if (rc == HELIOS_ENOTFOUND) {
		helios_error_clear(err);
		return 0;
	}
	return rc ? rc : 1;
}

static const char *face_name(const char *face)
{
	return face && *face ? face : "core";
}

/* Journal, then replace the working file; on failure no journal stays. */
static int put_file(struct store *st, const char *rel, const git_oid *id,
		    const void *buf, size_t len, struct helios_error *err)
{
	struct store_journal j = { .op = STORE_JOURNAL_WRITE };
	char *path = store__path(st, rel), *dir;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	git_oid_cpy(&j.id, id);
	snprintf(j.path, sizeof(j.path), "%s", rel);
	rc = store_journal__write(st, &j, err);
	if (rc)
		goto out_free;
	fault_point("journal-written");

	/* personas/ may have been removed along with its last file */
	dir = strrchr(path, '/');
	*dir = '\0';
	rc = store__make_dirs(path, err);
	*dir = '/';
	if (!rc)
		rc = atomic_write_file(path, buf, len, STORE_FILE_MODE, err);
	if (rc)
		store_journal__clear(st);
out_free:
	free(path);
	return rc;
}

/* store_write() with the lock held and the content validated. */
static int write_locked(struct store *st, const char *rel, const void *buf,
			size_t len, const char *face, struct helios_error *err)
{
	struct store_change change = { .path = rel, .buf = buf, .len = len };
	git_oid new_id, head_id, work_id;
	git_filemode_t head_mode, work_mode;
	int in_head, exists, rc;
	char *msg;

	rc = store_git__hash(buf, len, &new_id, err);
	if (!rc)
		rc = store__working_state(st, rel, &exists, &work_id,
					  &work_mode, err);
	if (rc)
		return rc;
	in_head = store__tip_state(st, rel, &head_id, &head_mode, err);
	if (in_head < 0)
		return in_head;

	if (exists && git_oid_equal(&work_id, &new_id)) {
		/* same bytes on disk: at most the commit is missing */
		if (in_head && git_oid_equal(&head_id, &new_id) &&
		    head_mode == work_mode)
			return 0;
	} else {
		rc = put_file(st, rel, &new_id, buf, len, err);
		if (rc)
			return rc;
		rc = store__working_state(st, rel, &exists, &work_id,
					  &work_mode, err);
		if (rc)
			return rc;
	}

	change.mode = work_mode;
	if (asprintf(&msg, "%s %s (%s)", in_head ? "update" : "create", rel,
		     face_name(face)) < 0)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	rc = store_git__commit(st, &change, 1, msg, err);
	free(msg);
	if (!rc)
		store_journal__clear(st);
	return rc;
}

/*
 * Take the store lock for a change and first finish whatever save a dead
 * writer left in the journal.  On failure the lock is not held.
 */
static int lock_for_change(struct store *st, struct helios_error *err)
{
	int rc = store_lock_acquire(&st->lock, err);

	if (rc)
		return rc;
	rc = store_recover__pending(st, err);
	if (rc)
		store_lock_release(&st->lock);
	return rc;
}

int store_write(struct store *st, const char *relpath, const void *buf,
		size_t len, const char *face, struct hdiag_list *diags,
		struct helios_error *err)
{
	enum hdoc_kind kind = hdoc_kind_of_path(relpath);
	int rc;

	if (kind == HDOC_NONE)
		return helios_error_set(err, HELIOS_ENAME,
					"'%s' is not a configuration file "
					"(base/identity.yaml or "
					"personas/NAME.yaml)", relpath);
	rc = validate_content(kind, relpath, buf, len, diags, err);
	if (rc)
		return rc;

	rc = lock_for_change(st, err);
	if (rc)
		return rc;
	rc = write_locked(st, relpath, buf, len, face, err);
	store_lock_release(&st->lock);
	return rc;
}

static int delete_locked(struct store *st, const char *rel, const char *face,
			 struct helios_error *err)
{
	struct store_journal j = { .op = STORE_JOURNAL_DELETE };
	struct store_change change = { .path = rel, .remove = 1 };
	char *path = store__path(st, rel), *msg;
	git_filemode_t mode;
	git_oid id;
	struct stat sb;
	int in_head, rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (lstat(path, &sb) < 0) {
		rc = errno == ENOENT ?
		     helios_error_set(err, HELIOS_ENOTFOUND,
				      "'%s' does not exist", rel) :
		     helios_error_sys(err, errno, "cannot stat '%s'", path);
		goto out_free;
	}
	in_head = store__tip_state(st, rel, &id, &mode, err);
	if (in_head < 0) {
		rc = in_head;
		goto out_free;
	}

	snprintf(j.path, sizeof(j.path), "%s", rel);
	rc = store_journal__write(st, &j, err);
	if (rc)
		goto out_free;
	fault_point("journal-written");
	if (unlink(path) < 0) {
		rc = helios_error_sys(err, errno, "cannot delete '%s'", path);
		store_journal__clear(st);
		goto out_free;
	}
	rc = atomic_fsync_parent(path, err);
	if (!rc && in_head) {
		if (asprintf(&msg, "delete %s (%s)", rel,
			     face_name(face)) < 0) {
			rc = helios_error_set(err, HELIOS_ENOMEM,
					      "out of memory");
			goto out_free;
		}
		rc = store_git__commit(st, &change, 1, msg, err);
		free(msg);
	}
	if (!rc)
		store_journal__clear(st);
out_free:
	free(path);
	return rc;
}

int store_delete(struct store *st, const char *relpath, const char *face,
		 struct helios_error *err)
{
	enum hdoc_kind kind = hdoc_kind_of_path(relpath);
	int rc;

	if (kind == HDOC_BASE)
		return helios_error_set(err, HELIOS_EPERM,
					"the base identity '%s' cannot be "
					"deleted", relpath);
	if (kind != HDOC_PERSONA)
		return helios_error_set(err, HELIOS_ENAME,
					"'%s' is not a persona file", relpath);
	rc = lock_for_change(st, err);
	if (rc)
		return rc;
	rc = delete_locked(st, relpath, face, err);
	store_lock_release(&st->lock);
	return rc;
}

/* Commit a rename already done on disk: drop from, put to's content. */
static int rename_commit(struct store *st, const char *from, const char *to,
			 const struct hbuf *content, const git_oid *id,
			 git_filemode_t mode, const char *face,
			 struct helios_error *err)
{
	struct store_change changes[2];
	git_oid head_id;
	git_filemode_t head_mode;
	int in_head, rc;
	size_t n = 0;
	char *msg;

	in_head = store__tip_state(st, from, &head_id, &head_mode, err);
	if (in_head < 0)
		return in_head;
	if (in_head)
		changes[n++] = (struct store_change){ .path = from,
						      .remove = 1 };
	in_head = store__tip_state(st, to, &head_id, &head_mode, err);
	if (in_head < 0)
		return in_head;
	if (!in_head || !git_oid_equal(&head_id, id) || head_mode != mode)
		changes[n++] = (struct store_change){
			.path = to, .buf = hbuf_str(content),
			.len = content->len, .mode = mode };
	if (!n)
		return 0;

	if (asprintf(&msg, "rename %s to %s (%s)", from, to,
		     face_name(face)) < 0)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	rc = store_git__commit(st, changes, n, msg, err);
	free(msg);
	return rc;
}

/* Validate from's content as to, journal, rename(2), commit. */
static int rename_locked(struct store *st, const char *from, const char *to,
			 const char *face, struct hdiag_list *diags,
			 struct helios_error *err)
{
	struct store_journal j = { .op = STORE_JOURNAL_RENAME };
	char *from_path = store__path(st, from), *to_path = store__path(st, to);
	struct hbuf content;
	struct stat sb;
	int rc;

	hbuf_init(&content, HBUF_MAX_DEFAULT);
	if (!from_path || !to_path) {
		rc = helios_error_set(err, HELIOS_ENOMEM, "out of memory");
		goto out_free;
	}
	rc = store__read_file(from_path, &content, err);
	if (rc == HELIOS_ENOTFOUND)
		rc = helios_error_set(err, rc, "'%s' does not exist", from);
	if (!rc)
		rc = validate_content(HDOC_PERSONA, to, hbuf_str(&content),
				      content.len, diags, err);
	if (!rc)
		rc = store_git__hash(hbuf_str(&content), content.len, &j.id,
				     err);
	if (rc)
		goto out_free;

	snprintf(j.path, sizeof(j.path), "%s", from);
	snprintf(j.to, sizeof(j.to), "%s", to);
	rc = store_journal__write(st, &j, err);
	if (rc)
		goto out_free;
	fault_point("journal-written");
	if (rename(from_path, to_path) < 0 || stat(to_path, &sb) < 0) {
		rc = helios_error_sys(err, errno, "cannot rename '%s' to '%s'",
				      from_path, to_path);
		store_journal__clear(st);
		goto out_free;
	}
	rc = atomic_fsync_parent(to_path, err);
	if (!rc)
		rc = rename_commit(st, from, to, &content, &j.id,
				   store_git__mode_of(sb.st_mode), face, err);
	if (!rc)
		store_journal__clear(st);
out_free:
	hbuf_release(&content);
	free(from_path);
	free(to_path);
	return rc;
}

int store_rename(struct store *st, const char *from, const char *to,
		 const char *face, struct hdiag_list *diags,
		 struct helios_error *err)
{
	int rc;

	if (hdoc_kind_of_path(from) != HDOC_PERSONA ||
	    hdoc_kind_of_path(to) != HDOC_PERSONA)
		return helios_error_set(err, HELIOS_ENAME,
					"cannot rename '%s' to '%s': both must "
					"be persona files (personas/NAME.yaml)",
					from, to);
	if (!strcmp(from, to))
		return 0;
	rc = lock_for_change(st, err);
	if (rc)
		return rc;
	rc = rename_locked(st, from, to, face, diags, err);
	store_lock_release(&st->lock);
	return rc;
}

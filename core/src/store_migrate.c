/*
 * store_migrate.c - checks made before a store is opened, and migration
 * of older layouts.
 *
 * Layouts.  .helios_version reads "layout: N" (N = STORE_LAYOUT_VERSION
 * is current).  The original Python Helios wrote a bare version string
 * ("1.0.0"); its stores have the same base/ and personas/, plus learned/
 * (learned patterns, YAML) and temporary/ (scratch), may or may not be
 * git repositories, and may lack a .gitignore.  Such a store is layout 0
 * and migrates to layout 1 in up to three commits, after a backup (a
 * bundle of main when there is history, else a copy of the files, both
 * in STORE_BACKUP_DIR):
 *
 *	1/3  import base/, personas/ and learned/ as they are
 *	2/3  move temporary/ out of the tree to .helios-state/temporary-TIME
 *	3/3  write .gitignore and "layout: 1" in .helios_version
 *
 * A step with nothing to change makes no commit.  A layout newer than
 * STORE_LAYOUT_VERSION is refused.
 */
#include "store_maint_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_i.h"

#define MIGRATE_MAX_FILES 4096

static const char helios_ignore[] =
	"/" STORE_RUNTIME_DIR "/\n"
	ATOMIC_TMP_PREFIX "*\n";

/* The files of one commit, with their contents. */
struct change_set {
	struct store_change items[MIGRATE_MAX_FILES];
	struct hbuf bufs[MIGRATE_MAX_FILES];
	char *paths[MIGRATE_MAX_FILES];
	size_t n;
};

static void change_set_release(struct change_set *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		hbuf_release(&cs->bufs[i]);
		free(cs->paths[i]);
	}
	cs->n = 0;
}

/* Add rel with its working content, unless HEAD already has it. */
static int change_put(struct store *st, struct change_set *cs,
		      const char *rel, struct helios_error *err)
{
	git_oid wid, hid;
	git_filemode_t wmode, hmode;
	int exists, rc;
	size_t i = cs->n;

	if (i == MIGRATE_MAX_FILES)
		return helios_error_set(err, HELIOS_ELIMIT, "more than %d "
					"files to migrate", MIGRATE_MAX_FILES);
	rc = store__working_state(st, rel, &exists, &wid, &wmode, err);
	if (rc || !exists)
		return rc;
	rc = store__tip_state(st, rel, &hid, &hmode, err);
	if (rc < 0)
		return rc;
	if (rc && git_oid_equal(&wid, &hid) && wmode == hmode)
		return 0;
	cs->paths[i] = strdup(rel);
	if (!cs->paths[i])
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	hbuf_init(&cs->bufs[i], HBUF_MAX_DEFAULT);
	rc = store_read(st, rel, &cs->bufs[i], err);
	if (rc) {
		hbuf_release(&cs->bufs[i]);
		free(cs->paths[i]);
		return rc;
	}
	cs->items[i] = (struct store_change){
		.path = cs->paths[i], .buf = hbuf_str(&cs->bufs[i]),
		.len = cs->bufs[i].len, .mode = wmode };
	cs->n++;
	return 0;
}

/* Add every regular file below rel (links and temporaries skipped). */
static int change_put_tree(struct store *st, struct change_set *cs,
			   const char *rel, int depth,
			   struct helios_error *err)
{
	char *path = store__path(st, rel), sub[1024];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int rc = 0;

	d = path ? opendir(path) : NULL;
	free(path);
	while (d && !rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || depth > 16 ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >=
		    (int)sizeof(sub))
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = change_put_tree(st, cs, sub, depth + 1, err);
		else if (S_ISREG(sb.st_mode))
			rc = change_put(st, cs, sub, err);
	}
	if (d)
		closedir(d);
	return rc;
}

static int change_commit(struct store *st, struct change_set *cs,
			 const char *msg, struct hdiag_list *report,
			 struct helios_error *err)
{
	int rc = 0;

	if (cs->n) {
		rc = store_git__commit(st, cs->items, cs->n, msg, err);
		if (!rc && report)
			hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
				  "migration: %s", msg);
	}
	change_set_release(cs);
	return rc;
}

/* Copy the files of a store without history into dest (the backup). */
static int copy_tree(const char *from, const char *to, int depth,
		     struct helios_error *err)
{
	char src[4096], dst[4096];
	struct dirent *de;
	struct hbuf b;
	struct stat sb;
	DIR *d = opendir(from);
	int rc = store__make_dirs(to, err);

	while (!rc && d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, STORE_RUNTIME_DIR) || depth > 16)
			continue;
		snprintf(src, sizeof(src), "%s/%s", from, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", to, de->d_name);
		if (lstat(src, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			rc = copy_tree(src, dst, depth + 1, err);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		hbuf_init(&b, HBUF_MAX_DEFAULT);
		rc = store__read_file(src, &b, err);
		if (!rc)
			rc = atomic_write_file(dst, hbuf_str(&b), b.len, 0600,
					       err);
		hbuf_release(&b);
	}
	if (d)
		closedir(d);
	return rc;
}

/* Backup first: a bundle of the history, else a copy of the files. */
static int migrate_backup(struct store *st, struct hdiag_list *report,
			  struct helios_error *err)
{
	char stamp[32], *path;
	git_reference *head;
	git_oid tip;
	int rc, have_tip = 0;

	store_maint__stamp(stamp);
	if (st->repo && git_repository_head(&head, st->repo) == 0) {
		git_oid_cpy(&tip, git_reference_target(head));
		git_reference_free(head);
		have_tip = 1;
	}
	if (asprintf(&path, "%s/%s/pre-migration-%s%s", st->dir,
		     STORE_BACKUP_DIR, stamp, have_tip ? ".bundle" : "") < 0)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (have_tip) {
		*strrchr(path, '/') = '\0';
		rc = store__make_dirs(path, err);
		path[strlen(path)] = '/';
		if (!rc)
			rc = store_backup__write(st->repo, &tip, path, err);
	} else {
		rc = copy_tree(st->dir, path, 0, err);
	}
	if (!rc && report)
		hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
			  "migration: backup of the old store in '%s'", path);
	free(path);
	return rc;
}

/*
 * Open or create the repository; a Python store on another branch
 * ("master") gets main pointed at that commit and HEAD moved to main.
 */
static int migrate_repo(struct store *st, struct hdiag_list *report,
			struct helios_error *err)
{
	git_reference *head, *ref;
	char *gitdir = store__path(st, ".git");
	struct stat sb;
	git_oid tip;
	int rc, exists;

	if (!gitdir)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	exists = lstat(gitdir, &sb) == 0;
	free(gitdir);
	if (!exists)
		return store_git__init(st, err);
	rc = st->repo ? 0 : store_git__open(st, err);
	if (rc || store_git__tip(st, &tip, NULL) == 0)
		return rc;
	if (git_repository_head(&head, st->repo) < 0)
		return git_repository_set_head(st->repo, STORE_BRANCH_REF) < 0 ?
		       helios_error_set(err, HELIOS_EGIT, "cannot set HEAD") :
		       0;
	rc = git_reference_create(&ref, st->repo, STORE_BRANCH_REF,
				  git_reference_target(head), 0,
				  "migrate: branch main from HEAD");
	if (rc == 0) {
		git_reference_free(ref);
		rc = git_repository_set_head(st->repo, STORE_BRANCH_REF);
	}
	if (!rc && report)
		hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
			  "migration: branch main created from '%s'",
			  git_reference_shorthand(head));
	git_reference_free(head);
	return rc < 0 ? helios_error_set(err, HELIOS_EGIT,
					 "cannot create branch main") : 0;
}

/* Drop the index entries below rel, which the commit did not touch. */
static void forget_index_dir(struct store *st, const char *rel)
{
	git_index *idx;

	if (git_repository_index(&idx, st->repo) < 0)
		return;
	if (git_index_read(idx, 0) == 0 &&
	    git_index_remove_directory(idx, rel, 0) == 0)
		git_index_write(idx);
	git_index_free(idx);
}

/* Step 2: temporary/ leaves the tree and the working directory. */
static int migrate_temporary(struct store *st, struct hdiag_list *report,
			     struct helios_error *err)
{
	struct store_change rm = { .path = "temporary", .remove = 1 };
	char stamp[32], *from = store__path(st, "temporary"), *to = NULL;
	git_oid id;
	git_filemode_t mode;
	struct stat sb;
	int rc = 0, tracked;

	store_maint__stamp(stamp);
	if (!from || asprintf(&to, "%s/temporary-%s", st->state_dir,
			      stamp) < 0) {
		free(from);
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	if (lstat(from, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (rename(from, to) < 0)
			rc = helios_error_sys(err, errno, "cannot move '%s'",
					      from);
		else if (report)
			hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
				  "migration: temporary/ moved to '%s'", to);
	}
	/* is there anything under temporary/ in the tree? */
	tracked = !store_git__tip_entry(st, "temporary", &id, &mode, NULL);
	if (!tracked) {
		git_commit *c = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;

		if (!store_git__tip(st, &id, NULL) &&
		    !git_commit_lookup(&c, st->repo, &id) &&
		    !git_commit_tree(&t, c) &&
		    !git_tree_entry_bypath(&e, t, "temporary"))
			tracked = 1;
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(c);
	}
	if (!rc && tracked) {
		rc = store_git__commit(st, &rm, 1, "migrate from Python "
				       "Helios 2/3: move temporary/ out of git",
				       err);
		if (!rc && report)
			hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
				  "migration: migrate from Python Helios 2/3: "
				  "move temporary/ out of git");
		if (!rc)
			forget_index_dir(st, "temporary");
	}
	free(from);
	free(to);
	return rc;
}

/* Step 3: .gitignore gains the runtime lines; the version file layout 1. */
static int migrate_record(struct store *st, const char *old,
			  struct hdiag_list *report, struct helios_error *err)
{
	char *path = store__path(st, ".gitignore"), stamp[32], version[256];
	struct change_set *cs;
	struct hbuf b;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	hbuf_init(&b, HBUF_MAX_DEFAULT);
	rc = store__read_file(path, &b, err);
	if (rc == HELIOS_ENOTFOUND) {
		helios_error_clear(err);
		rc = 0;
	}
	if (!rc && !strstr(hbuf_str(&b), "/" STORE_RUNTIME_DIR "/")) {
		if (b.len && b.ptr[b.len - 1] != '\n')
			rc = hbuf_adds(&b, "\n");
		if (!rc)
			rc = hbuf_adds(&b, "# Helios runtime state and "
				       "temporary files; never committed.\n");
		if (!rc)
			rc = hbuf_adds(&b, helios_ignore);
		if (!rc)
			rc = atomic_write_file(path, hbuf_str(&b), b.len,
					       0600, err);
	}
	hbuf_release(&b);
	free(path);
	store_maint__stamp(stamp);
	snprintf(version, sizeof(version), "layout: %d\nmigrated: %s from "
		 "Python Helios %.32s\n", STORE_LAYOUT_VERSION, stamp, old);
	path = store__path(st, ".helios_version");
	if (!rc)
		rc = path ? atomic_write_file(path, version, strlen(version),
					      0600, err) :
			    helios_error_set(err, HELIOS_ENOMEM,
					     "out of memory");
	free(path);
	cs = calloc(1, sizeof(*cs));
	if (!rc && !cs)
		rc = helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (!rc)
		rc = change_put(st, cs, ".gitignore", err);
	if (!rc)
		rc = change_put(st, cs, ".helios_version", err);
	if (!rc)
		rc = change_commit(st, cs, "migrate from Python Helios 3/3: "
				   "record layout 1", report, err);
	if (cs)
		change_set_release(cs);
	free(cs);
	return rc;
}

/* Layout 0 (Python Helios) to 1, with the lock held. */
static int migrate_python(struct store *st, const char *old,
			  struct hdiag_list *report, struct helios_error *err)
{
	static const char *const trees[] = { "base", "personas", "learned" };
	struct change_set *cs;
	size_t i;
	int rc;

	char *gitdir = store__path(st, ".git");
	struct stat sb;

	/* the backup sees the store exactly as the Python Helios left it */
	rc = gitdir ? 0 : helios_error_set(err, HELIOS_ENOMEM,
					   "out of memory");
	if (!rc && lstat(gitdir, &sb) == 0)
		rc = store_git__open(st, err);
	free(gitdir);
	if (!rc)
		rc = migrate_backup(st, report, err);
	if (!rc)
		rc = migrate_repo(st, report, err);
	if (rc)
		return rc;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	for (i = 0; i < sizeof(trees) / sizeof(trees[0]) && !rc; i++)
		rc = change_put_tree(st, cs, trees[i], 0, err);
	if (!rc)
		rc = change_commit(st, cs, "migrate from Python Helios 1/3: "
				   "import base, personas and learned",
				   report, err);
	change_set_release(cs);
	free(cs);
	if (!rc)
		rc = migrate_temporary(st, report, err);
	if (!rc)
		rc = migrate_record(st, old, report, err);
	if (!rc)
		store_maint__privatize(st->dir);
	return rc;
}

/* "1.0.0", "v0.9", "1.2.3-beta": what the Python Helios wrote. */
static int is_python_version(const char *s)
{
	size_t n = strspn(s, "v");

	return s[n] >= '0' && s[n] <= '9' && !strchr(s, ':');
}

/* The store's directories must be real directories, never links. */
static int check_links(struct store *st, struct helios_error *err)
{
	static const char *const dirs[] = { "base", "personas", ".git",
					    STORE_RUNTIME_DIR,
					    STORE_BASE_PATH,
					    ".helios_version" };
	struct stat sb;
	char *path;
	size_t i;
	int link;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		path = store__path(st, dirs[i]);
		if (!path)
			return helios_error_set(err, HELIOS_ENOMEM,
						"out of memory");
		link = lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
		free(path);
		if (link)
			return helios_error_set(err, HELIOS_ESTORE,
						"'%s/%s' is a symbolic link; "
						"Helios does not follow links "
						"out of the store", st->dir,
						dirs[i]);
	}
	return 0;
}

int store_migrate__on_open(struct store *st, struct hdiag_list *report,
			   struct helios_error *err)
{
	char *path, text[128];
	struct hbuf b;
	mode_t old;
	int rc, layout;

	/* everything Helios or libgit2 creates from now on is private */
	old = umask(077);
	umask(old | 077);

	rc = check_links(st, err);
	path = rc ? NULL : store__path(st, ".helios_version");
	if (rc || !path)
		return rc ? rc : helios_error_set(err, HELIOS_ENOMEM,
						  "out of memory");
	hbuf_init(&b, 4096);
	rc = store__read_file(path, &b, NULL);
	free(path);
	snprintf(text, sizeof(text), "%.*s", (int)strcspn(hbuf_str(&b), "\r\n"),
		 hbuf_str(&b));
	hbuf_release(&b);
	if (rc)
		return 0;	/* no version file: nothing to migrate */

	if (!strncmp(text, "layout:", 7)) {
		layout = atoi(text + 7);
		if (layout > STORE_LAYOUT_VERSION)
			return helios_error_set(err, HELIOS_ESTORE,
						"'%s' has layout %d, newer "
						"than this Helios knows (%d); "
						"use a newer Helios", st->dir,
						layout, STORE_LAYOUT_VERSION);
		if (layout == STORE_LAYOUT_VERSION)
			return 0;
	} else if (!is_python_version(text)) {
		return helios_error_set(err, HELIOS_ESTORE,
					"'%s': unrecognised .helios_version "
					"'%s'", st->dir, text);
	}

	rc = store_lock_acquire(&st->lock, err);
	if (rc)
		return rc;
	rc = migrate_python(st, text, report, err);
	store_lock_release(&st->lock);
	return rc;
}

/*
 * store_recover_explicit.c - store_recover() (helios-mcp recover): the
 * on-demand recovery, phase by phase, on a store too damaged for
 * store_open().  Phase 1 repairs the git history (store_recover_git.c),
 * phase 2 makes a new history when there is none, phase 3 repairs the
 * working tree (store_recover_tree.c).
 */
#include "store_recover_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_i.h"
#include "helios/fault.h"

/*
 * A struct store on dir with its repository open (when there is one)
 * but none of store_open()'s checks, so a damaged store can be worked
 * on.  Freed with store_free().
 */
static int raw_open(const char *dir, struct store **out,
		    struct helios_error *err)
{
	struct store *st = calloc(1, sizeof(*st));
	struct stat sb;
	char *gitdir;
	int rc;

	*out = NULL;
	if (!st)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	git_libgit2_init();
	st->git_started = 1;
	st->dir = strdup(dir);
	st->state_dir = st->dir ? store__path(st, STORE_RUNTIME_DIR) : NULL;
	if (!st->state_dir || store_lock_init(&st->lock, st->state_dir, err)) {
		free(st->state_dir);
		free(st->dir);
		free(st);
		git_libgit2_shutdown();
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	*out = st;
	gitdir = store__path(st, ".git");
	rc = gitdir && lstat(gitdir, &sb) == 0;
	free(gitdir);
	return rc ? store_git__open(st, err) : 0;
}

/* Phase 1, on the raw store: the git history and the base in it. */
static int recover_history(const char *dir, const char *stamp,
			   int *has_history, struct hdiag_list *report,
			   struct helios_error *err)
{
	struct store *st;
	int rc;

	*has_history = 0;
	rc = raw_open(dir, &st, err);
	if (rc && st) {
		hdiag_add(report, HDIAG_ERROR, dir, 0, 0, "%s; restore a "
			  "backup with 'helios-mcp restore-backup FILE'",
			  err ? err->msg : "unusable git repository");
		rc = HELIOS_ESTORE;
	}
	if (rc) {
		store_free(st);
		return rc;
	}
	rc = store_lock_acquire(&st->lock, err);
	if (rc)
		goto out_free;
	if (st->repo && store_recover__history_exists(st)) {
		rc = store_recover__repair_git(st, report, err);
		if (!rc)
			rc = store_recover__repair_head(st, report, err);
		if (!rc)
			rc = store_recover__restore_base_history(st, stamp, report,
								 err);
		*has_history = !rc;
	}
	store_lock_release(&st->lock);
out_free:
	store_free(st);
	return rc;
}

/* Phase 2, no history: a default base when needed, then bootstrap. */
static int recover_new_history(const char *dir, struct hdiag_list *report,
			       struct helios_error *err)
{
	struct hdiag_list diags;
	char *path, **names, rel[STORE_PATH_MAX];
	struct store *st;
	struct stat sb;
	struct hbuf b;
	size_t n, i;
	int rc = 0;

	if (asprintf(&path, "%s/%s", dir, STORE_BASE_PATH) < 0)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (lstat(path, &sb) < 0) {
		*strrchr(path, '/') = '\0';
		rc = store__make_dirs(path, err);
		path[strlen(path)] = '/';
		if (!rc)
			rc = atomic_write_file(path, store__default_base(),
					       strlen(store__default_base()),
					       0600, err);
		if (!rc)
			hdiag_add(report, HDIAG_WARNING, STORE_BASE_PATH, 0, 0,
				  "was missing and the store has no history; "
				  "restored from the default");
	}
	free(path);
	if (!rc)
		rc = store_open(dir, STORE_OPEN_CREATE | STORE_OPEN_ADOPT, &st,
				report, err);
	if (rc)
		return rc;
	hdiag_add(report, HDIAG_WARNING, dir, 0, 0,
		  "the store had no git history; a new one was started");

	/* adopt the personas that were there before the history */
	rc = store_list_personas(st, &names, &n, err);
	for (i = 0; !rc && i < n; i++) {
		snprintf(rel, sizeof(rel), "personas/%s.yaml", names[i]);
		hbuf_init(&b, HBUF_MAX_DEFAULT);
		hdiag_list_init(&diags);
		if (store_read(st, rel, &b, NULL) == 0 &&
		    store_write(st, rel, hbuf_str(&b), b.len, "recover",
				&diags, NULL) != 0)
			hdiag_add(report, HDIAG_ERROR, rel, 0, 0, "invalid, "
				  "so not committed: %s", diags.len ?
				  diags.items[0].text : "?");
		hdiag_list_release(&diags);
		hbuf_release(&b);
	}
	store_names_free(names, n);
	store_free(st);
	return rc;
}

int store_recover(const char *dir, struct hdiag_list *report,
		  struct helios_error *err)
{
	struct hdiag_list diags;
	struct store *st;
	struct stat sb;
	char stamp[32];
	size_t fixed;
	int rc, has_history;

	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return helios_error_set(err, HELIOS_ESTORE, "there is no store "
					"at '%s' to recover", dir);
	store_maint__stamp(stamp);
	rc = recover_history(dir, stamp, &has_history, report, err);
	if (!rc && !has_history)
		rc = recover_new_history(dir, report, err);
	if (!rc)
		rc = store_open(dir, 0, &st, report, err);
	if (rc)
		return rc;

	rc = store_lock_acquire(&st->lock, err);
	if (!rc) {
		rc = store_recover__restore_worktree(st, stamp, report, err);
		fixed = store_maint__privatize(dir);
		if (fixed)
			hdiag_add(report, HDIAG_WARNING, dir, 0, 0,
				  "removed group/other access from %zu "
				  "entries", fixed);
		store_lock_release(&st->lock);
	}
	if (!rc) {
		hdiag_list_init(&diags);
		if (store_validate_all(st, &diags))
			rc = helios_error_set(err, HELIOS_EINVAL,
					      "the store still has invalid "
					      "files");
		for (size_t i = 0; i < diags.len; i++)
			hdiag_add(report, diags.items[i].severity, NULL, 0, 0,
				  "%s", diags.items[i].text);
		hdiag_list_release(&diags);
	}
	store_free(st);
	return rc;
}

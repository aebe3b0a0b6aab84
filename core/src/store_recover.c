/*
 * store_recover.c - the journal of the save in progress, and recovery on
 * open.
 *
 * Every change writes STORE_RUNTIME_DIR/journal (atomically, fsynced)
 * before it touches the working tree and removes it after its commit.
 * One line names the change:
 *
 *	write OID PATH
 *	delete PATH
 *	rename OID FROM TO
 *
 * (paths are validated configuration paths, which hold no spaces).  When
 * the journal is still there on open, the save was interrupted; if the
 * working tree shows the journaled result, that result is what the user
 * asked for and was validated, so it is committed ("recover ...").
 * Anything else is left alone and reported.
 *
 * store_recover() (helios-mcp recover) goes further, on demand, in three
 * phases: the git history (main pointed at a complete commit, missing
 * objects refilled from the working tree or backups, the base identity
 * brought back into main), a new history when there is none, and the
 * working tree (broken files replaced by HEAD's bytes after the damaged
 * bytes are kept under STORE_RECOVERED_DIR).
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
#include "helios/fault.h"

#define JOURNAL_MAGIC "helios-journal 1\n"

static char *journal_path(const struct store *st)
{
	char *p;

	if (asprintf(&p, "%s/%s", st->state_dir, STORE_JOURNAL_NAME) < 0)
		return NULL;
	return p;
}

int store_journal__write(struct store *st, const struct store_journal *j,
			 struct helios_error *err)
{
	char line[3 * STORE_PATH_MAX + 64], hex[GIT_OID_HEXSZ + 1];
	char *path = journal_path(st);
	int n, rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	git_oid_tostr(hex, sizeof(hex), &j->id);
	switch (j->op) {
	case STORE_JOURNAL_WRITE:
		n = snprintf(line, sizeof(line), JOURNAL_MAGIC "write %s %s\n",
			     hex, j->path);
		break;
	case STORE_JOURNAL_DELETE:
		n = snprintf(line, sizeof(line), JOURNAL_MAGIC "delete %s\n",
			     j->path);
		break;
	default:
		n = snprintf(line, sizeof(line),
			     JOURNAL_MAGIC "rename %s %s %s\n", hex, j->path,
			     j->to);
		break;
	}
	rc = atomic_write_file(path, line, (size_t)n, 0600, err);
	free(path);
	return rc;
}

void store_journal__clear(struct store *st)
{
	char *path = journal_path(st);

	if (path && unlink(path) == 0)
		atomic_fsync_parent(path, NULL);
	free(path);
	fault_point("journal-removed");
}

/* Parse one word of at most size-1 bytes from *p. */
static int take_word(const char **p, char *out, size_t size)
{
	size_t n = strcspn(*p, " \n");

	if (n == 0 || n >= size)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	if (**p == ' ')
		(*p)++;
	return 0;
}

/*
 * Read the journal: 0, HELIOS_ENOTFOUND when there is none, HELIOS_EINVAL
 * when it is not one we wrote (then it is simply discarded).
 */
static int journal_read(struct store *st, struct store_journal *j)
{
	char *path = journal_path(st), op[16], hex[GIT_OID_HEXSZ + 1];
	const char *p;
	struct hbuf b;
	int rc;

	if (!path)
		return HELIOS_ENOMEM;
	memset(j, 0, sizeof(*j));
	hbuf_init(&b, 4096);
	rc = store__read_file(path, &b, NULL);
	free(path);
	if (rc)
		goto out_release;
	rc = HELIOS_EINVAL;
	p = hbuf_str(&b);
	if (strncmp(p, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC)))
		goto out_release;
	p += strlen(JOURNAL_MAGIC);
	if (take_word(&p, op, sizeof(op)))
		goto out_release;
	if (!strcmp(op, "delete")) {
		j->op = STORE_JOURNAL_DELETE;
	} else {
		j->op = strcmp(op, "write") ? STORE_JOURNAL_RENAME :
					       STORE_JOURNAL_WRITE;
		if ((j->op == STORE_JOURNAL_RENAME && strcmp(op, "rename")) ||
		    take_word(&p, hex, sizeof(hex)) ||
		    git_oid_fromstr(&j->id, hex) < 0)
			goto out_release;
	}
	if (take_word(&p, j->path, sizeof(j->path)) ||
	    hdoc_kind_of_path(j->path) == HDOC_NONE)
		goto out_release;
	if (j->op == STORE_JOURNAL_RENAME &&
	    (take_word(&p, j->to, sizeof(j->to)) ||
	     hdoc_kind_of_path(j->to) != HDOC_PERSONA))
		goto out_release;
	rc = 0;
out_release:
	hbuf_release(&b);
	return rc;
}

/* Commit the working file at rel as it is (it was validated before). */
static int commit_working(struct store *st, const char *rel,
			  const char *remove, const char *msg,
			  struct helios_error *err)
{
	struct store_change changes[2];
	struct hbuf content;
	char *path = store__path(st, rel);
	struct stat sb;
	size_t n = 0;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	hbuf_init(&content, HBUF_MAX_DEFAULT);
	rc = store__read_file(path, &content, err);
	if (!rc && stat(path, &sb) < 0)
		rc = helios_error_sys(err, errno, "cannot stat '%s'", path);
	if (rc)
		goto out_free;
	if (remove)
		changes[n++] = (struct store_change){ .path = remove,
						      .remove = 1 };
	changes[n++] = (struct store_change){
		.path = rel, .buf = hbuf_str(&content), .len = content.len,
		.mode = store_git__mode_of(sb.st_mode) };
	rc = store_git__commit(st, changes, n, msg, err);
out_free:
	hbuf_release(&content);
	free(path);
	return rc;
}

/* Does the working file at rel hold the blob id?  Sets *differs_head. */
static int holds(struct store *st, const char *rel, const git_oid *id,
		 int *differs_head, struct helios_error *err)
{
	git_oid work_id, head_id;
	git_filemode_t work_mode, head_mode;
	int exists, in_head, rc;

	rc = store__working_state(st, rel, &exists, &work_id, &work_mode,
				  err);
	if (rc)
		return rc;
	in_head = store__tip_state(st, rel, &head_id, &head_mode, err);
	if (in_head < 0)
		return in_head;
	*differs_head = !in_head || !exists ||
			!git_oid_equal(&work_id, &head_id) ||
			work_mode != head_mode;
	return exists && git_oid_equal(&work_id, id);
}

static int recover_write(struct store *st, const struct store_journal *j,
			 char *msg, size_t size, struct helios_error *err)
{
	int differs, rc = holds(st, j->path, &j->id, &differs, err);

	if (rc <= 0 || !differs)
		return rc;
	snprintf(msg, size, "recover %s", j->path);
	return commit_working(st, j->path, NULL, msg, err);
}

/*
 * Finish a delete: when the file is still there but equals HEAD (so git
 * keeps its bytes), remove it; commit the removal when HEAD has it.
 */
static int recover_delete(struct store *st, const struct store_journal *j,
			  char *msg, size_t size, struct helios_error *err)
{
	struct store_change change = { .path = j->path, .remove = 1 };
	git_oid work_id, head_id;
	git_filemode_t work_mode, head_mode;
	int exists, in_head, rc;
	char *path;

	rc = store__working_state(st, j->path, &exists, &work_id, &work_mode,
				  err);
	if (rc)
		return rc;
	in_head = store__tip_state(st, j->path, &head_id, &head_mode, err);
	if (in_head <= 0)
		return in_head;
	if (exists) {
		if (!git_oid_equal(&work_id, &head_id))
			return 0;
		path = store__path(st, j->path);
		if (!path)
			return helios_error_set(err, HELIOS_ENOMEM,
						"out of memory");
		rc = unlink(path) < 0 ?
		     helios_error_sys(err, errno, "cannot delete '%s'", path) :
		     atomic_fsync_parent(path, err);
		free(path);
		if (rc)
			return rc;
	}
	snprintf(msg, size, "recover delete %s", j->path);
	return store_git__commit(st, &change, 1, msg, err);
}

/* Finish a rename: move the file if that did not happen, then commit. */
static int recover_rename(struct store *st, const struct store_journal *j,
			  char *msg, size_t size, struct helios_error *err)
{
	char *from = store__path(st, j->path), *to = store__path(st, j->to);
	int differs, from_holds, to_holds, rc = 0;
	git_oid id;
	git_filemode_t mode;

	if (!from || !to) {
		rc = helios_error_set(err, HELIOS_ENOMEM, "out of memory");
		goto out_free;
	}
	to_holds = holds(st, j->to, &j->id, &differs, err);
	from_holds = holds(st, j->path, &j->id, &differs, err);
	if (to_holds < 0 || from_holds < 0) {
		rc = to_holds < 0 ? to_holds : from_holds;
		goto out_free;
	}
	if (!to_holds && from_holds) {
		if (rename(from, to) < 0) {
			rc = helios_error_sys(err, errno,
					      "cannot rename '%s'", from);
			goto out_free;
		}
		rc = atomic_fsync_parent(to, err);
		to_holds = 1;
	}
	if (rc || !to_holds)
		goto out_free;

	snprintf(msg, size, "recover rename %s to %s", j->path, j->to);
	rc = store__tip_state(st, j->path, &id, &mode, err);
	if (rc >= 0)
		rc = commit_working(st, j->to, rc > 0 ? j->path : NULL, msg,
				    err);
out_free:
	free(from);
	free(to);
	return rc;
}

static int finish_journal(struct store *st, struct hdiag_list *report,
			  struct helios_error *err)
{
	struct store_journal j;
	char msg[3 * STORE_PATH_MAX];
	int rc = store_multi__recover(st, report, err);

	if (rc != HELIOS_ENOTFOUND)
		return rc;
	rc = journal_read(st, &j);
	msg[0] = '\0';
	if (rc == HELIOS_ENOTFOUND)
		return 0;
	if (rc == HELIOS_EINVAL)
		goto out_clear;
	if (rc)
		return helios_error_set(err, rc, "cannot read the journal");

	if (j.op == STORE_JOURNAL_WRITE)
		rc = recover_write(st, &j, msg, sizeof(msg), err);
	else if (j.op == STORE_JOURNAL_DELETE)
		rc = recover_delete(st, &j, msg, sizeof(msg), err);
	else
		rc = recover_rename(st, &j, msg, sizeof(msg), err);
	if (rc >= 0)
		rc = store_git__index_sync(st, j.path, err);
	if (rc >= 0 && j.op == STORE_JOURNAL_RENAME)
		rc = store_git__index_sync(st, j.to, err);
	if (rc < 0)
		return rc;
	if (msg[0] && report)
		hdiag_add(report, HDIAG_WARNING, j.path, 0, 0,
			  "interrupted save completed: %s", msg);
out_clear:
	store_journal__clear(st);
	return 0;
}

int store_recover__pending(struct store *st, struct helios_error *err)
{
	return finish_journal(st, NULL, err);
}

/* Remove ATOMIC_TMP_PREFIX files in one store directory (lock held). */
static void remove_temps(struct store *st, const char *rel,
			 struct hdiag_list *report)
{
	char *dir = store__path(st, rel);
	struct dirent *de;
	DIR *d;

	d = dir ? opendir(dir) : NULL;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, ATOMIC_TMP_PREFIX,
			    strlen(ATOMIC_TMP_PREFIX)))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0 && report)
			hdiag_add(report, HDIAG_WARNING, rel, 0, 0,
				  "removed leftover temporary file '%s'",
				  de->d_name);
	}
	if (d)
		closedir(d);
	free(dir);
}

/* Report tracked configuration files whose working copy is not HEAD's. */
static int report_differences(struct store *st, struct hdiag_list *report,
			      struct helios_error *err)
{
	git_oid work_id, head_id;
	git_filemode_t work_mode, head_mode;
	char **paths;
	size_t n, i;
	int exists, rc;

	rc = store_git__tip_config_paths(st, &paths, &n, err);
	for (i = 0; !rc && i < n; i++) {
		rc = store__working_state(st, paths[i], &exists, &work_id,
					  &work_mode, err);
		if (rc)
			break;
		rc = store__tip_state(st, paths[i], &head_id, &head_mode, err);
		if (rc < 0)
			break;
		rc = 0;
		if (!exists)
			hdiag_add(report, HDIAG_WARNING, paths[i], 0, 0,
				  "missing from the working tree but in HEAD; "
				  "left as is");
		else if (!git_oid_equal(&work_id, &head_id) ||
			 work_mode != head_mode)
			hdiag_add(report, HDIAG_WARNING, paths[i], 0, 0,
				  "differs from HEAD; left as is");
	}
	store_names_free(paths, n);
	return rc;
}

int store_recover__run(struct store *st, struct hdiag_list *report,
		       struct helios_error *err)
{
	struct helios_error e = { 0 };
	static const char *const dirs[] = {
		".", "base", "personas", STORE_RUNTIME_DIR,
	};
	size_t i;
	int rc;

	rc = store_lock_acquire(&st->lock, &e);
	if (rc == HELIOS_EIO && (e.sys_errno == EROFS ||
				 e.sys_errno == EACCES)) {
		/* a read-only store can still be read and validated */
		if (report)
			hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
				  "read-only store, recovery skipped: %s",
				  e.msg);
		return 0;
	}
	if (rc) {
		if (err)
			*err = e;
		return rc;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		remove_temps(st, dirs[i], report);
	rc = finish_journal(st, report, err);
	if (!rc && report)
		rc = report_differences(st, report, err);
	store_lock_release(&st->lock);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Explicit recovery: store_recover()                                   */

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

/* Write the working file whose bytes hash to id, if there is one. */
static int write_from_worktree(struct store *st, const git_oid *want)
{
	char **names, rel[STORE_PATH_MAX];
	size_t n = 0, i;
	struct hbuf b;
	git_oid id;
	int found = 0;

	store_list_personas(st, &names, &n, NULL);
	for (i = 0; !found && i <= n + 2; i++) {
		if (i < n)
			snprintf(rel, sizeof(rel), "personas/%s.yaml",
				 names[i]);
		else
			snprintf(rel, sizeof(rel), "%s", i == n ?
				 STORE_BASE_PATH : i == n + 1 ? ".gitignore" :
				 ".helios_version");
		hbuf_init(&b, HBUF_MAX_DEFAULT);
		found = store_read(st, rel, &b, NULL) == 0 &&
			git_odb_hash(&id, hbuf_str(&b), b.len,
				     GIT_OBJECT_BLOB) == 0 &&
			git_oid_equal(&id, want) &&
			git_blob_create_from_buffer(&id, st->repo,
						    hbuf_str(&b), b.len) == 0;
		hbuf_release(&b);
	}
	store_names_free(names, n);
	return found;
}

/*
 * Rewrite missing blobs of main's history whose bytes are still in the
 * working tree; returns how many.
 */
static size_t fill_from_worktree(struct store *st)
{
	git_oid tip, bad;
	size_t filled = 0;

	if (git_reference_name_to_id(&tip, st->repo, STORE_BRANCH_REF) < 0)
		return 0;
	while (filled < 10000 &&
	       store_maint__check_reachable(st->repo, &tip, &bad, NULL) ==
	       HELIOS_ENOTFOUND && write_from_worktree(st, &bad))
		filled++;
	return filled;
}

/* Import every backup bundle; *newest gets the tip of the newest one. */
static size_t fill_from_backups(struct store *st, git_oid *newest,
				int *have_newest)
{
	char *dir = store__path(st, STORE_BACKUP_DIR), *path, best[256] = "";
	struct dirent *de;
	size_t n = 0, len;
	git_oid tip;
	DIR *d;

	*have_newest = 0;
	d = dir ? opendir(dir) : NULL;
	while (d && (de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 7, ".bundle") ||
		    asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			continue;
		if (store_backup__import(st->repo, path, &tip, NULL) == 0) {
			n++;
			if (strcmp(de->d_name, best) > 0) {
				snprintf(best, sizeof(best), "%s", de->d_name);
				git_oid_cpy(newest, &tip);
				*have_newest = 1;
			}
		}
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	return n;
}

/* The newest complete commit in the reflogs of main and HEAD. */
static int reflog_candidate(struct store *st, git_oid *out)
{
	static const char *const logs[] = { STORE_BRANCH_REF, "HEAD" };
	const git_reflog_entry *e;
	git_reflog *log;
	git_oid bad;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		if (git_reflog_read(&log, st->repo, logs[k]) < 0)
			continue;
		for (i = 0; i < git_reflog_entrycount(log); i++) {
			e = git_reflog_entry_byindex(log, i);
			git_oid_cpy(out, git_reflog_entry_id_new(e));
			if (!git_oid_is_zero(out) &&
			    !store_maint__check_reachable(st->repo, out, &bad,
							  NULL)) {
				git_reflog_free(log);
				return 1;
			}
		}
		git_reflog_free(log);
	}
	return 0;
}

/* Drop reflog entries naming objects that are gone (git fsck flags them). */
static void prune_reflog(struct store *st, const char *name)
{
	const git_reflog_entry *e;
	git_reflog *log;
	git_odb *odb;
	size_t i;
	int dropped = 0;

	if (git_repository_odb(&odb, st->repo) < 0)
		return;
	if (git_reflog_read(&log, st->repo, name) < 0) {
		git_odb_free(odb);
		return;
	}
	for (i = git_reflog_entrycount(log); i-- > 0;) {
		e = git_reflog_entry_byindex(log, i);
		if ((git_oid_is_zero(git_reflog_entry_id_new(e)) ||
		     git_odb_exists(odb, git_reflog_entry_id_new(e))) &&
		    (git_oid_is_zero(git_reflog_entry_id_old(e)) ||
		     git_odb_exists(odb, git_reflog_entry_id_old(e))))
			continue;
		if (git_reflog_drop(log, i, 1) == 0)
			dropped = 1;
	}
	if (dropped)
		git_reflog_write(log);
	git_reflog_free(log);
	git_odb_free(odb);
}

/* After main moved back: the index follows its tree. */
static void reset_index(struct store *st, const git_oid *id)
{
	git_commit *c;
	git_tree *t;
	git_index *idx;

	if (git_commit_lookup(&c, st->repo, id) < 0)
		return;
	if (git_commit_tree(&t, c) == 0) {
		if (git_repository_index(&idx, st->repo) == 0) {
			if (git_index_read_tree(idx, t) == 0)
				git_index_write(idx);
			git_index_free(idx);
		}
		git_tree_free(t);
	}
	git_commit_free(c);
}

/* Point main at id, replacing whatever (maybe garbage) it held. */
static int reset_main(struct store *st, const git_oid *id,
		      struct helios_error *err)
{
	git_reference *ref;
	char *loose;

	if (asprintf(&loose, "%s/.git/%s", st->dir, STORE_BRANCH_REF) < 0)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (git_reference_lookup(&ref, st->repo, STORE_BRANCH_REF) < 0)
		unlink(loose);	/* garbage: libgit2 cannot replace it */
	else
		git_reference_free(ref);
	free(loose);
	if (git_reference_create(&ref, st->repo, STORE_BRANCH_REF, id, 1,
				 "recover: reset to a complete commit") < 0)
		return helios_error_set(err, HELIOS_EGIT, "cannot reset %s: %s",
					STORE_BRANCH_REF, git_error_last() ?
					git_error_last()->message : "?");
	git_reference_free(ref);
	if (git_repository_set_head(st->repo, STORE_BRANCH_REF) < 0)
		return helios_error_set(err, HELIOS_EGIT, "cannot set HEAD");
	prune_reflog(st, STORE_BRANCH_REF);
	prune_reflog(st, "HEAD");
	reset_index(st, id);
	return 0;
}

/* Is main's whole history present?  Reports the first gap. */
static int main_is_complete(struct store *st, git_oid *tip,
			    struct hdiag_list *report, int quiet)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid bad;

	if (git_reference_name_to_id(tip, st->repo, STORE_BRANCH_REF) < 0) {
		if (!quiet)
			hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
				  "refs/heads/main is missing or broken");
		return 0;
	}
	if (!store_maint__check_reachable(st->repo, tip, &bad, NULL))
		return 1;
	git_oid_tostr(hex, sizeof(hex), &bad);
	if (!quiet)
		hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
			  "object %s reachable from main is missing or "
			  "damaged", hex);
	return 0;
}

/* Make main point at a complete history (lock held). */
static int repair_git(struct store *st, struct hdiag_list *report,
		      struct helios_error *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid tip, newest;
	size_t filled, imported;
	int have_newest, rc;

	if (main_is_complete(st, &tip, report, 0))
		return 0;
	filled = fill_from_worktree(st);
	imported = fill_from_backups(st, &newest, &have_newest);
	if (main_is_complete(st, &tip, report, 1)) {
		hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
			  "repaired: %zu missing object(s) rewritten from the "
			  "working tree, %zu backup(s) imported", filled,
			  imported);
		return 0;
	}
	if (reflog_candidate(st, &tip)) {
		rc = reset_main(st, &tip, err);
		git_oid_tostr(hex, sizeof(hex), &tip);
		if (!rc)
			hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
				  "repaired: main reset to %s, the newest "
				  "complete commit in the reflog", hex);
		return rc;
	}
	if (have_newest) {
		rc = reset_main(st, &newest, err);
		git_oid_tostr(hex, sizeof(hex), &newest);
		if (!rc)
			hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
				  "repaired: main reset to %s from the newest "
				  "backup", hex);
		return rc;
	}
	return helios_error_set(err, HELIOS_ESTORE, "the git history of '%s' "
				"is damaged and neither the reflog nor a "
				"backup can repair it; restore a backup with "
				"'helios-mcp restore-backup FILE'", st->dir);
}

/*
 * Keep damaged bytes: STORE_RECOVERED_DIR/STAMP/REL, never overwriting
 * an earlier copy.  *where (malloc'd) names the copy.
 */
static int keep_damaged(struct store *st, const char *stamp, const char *rel,
			const struct hbuf *b, char **where,
			struct helios_error *err)
{
	char *path, *slash;
	int fd, i, rc = 0;

	for (i = 0; ; i++) {
		if ((i ? asprintf(&path, "%s/%s/%s/%s.%d", st->dir,
				  STORE_RECOVERED_DIR, stamp, rel, i) :
			 asprintf(&path, "%s/%s/%s/%s", st->dir,
				  STORE_RECOVERED_DIR, stamp, rel)) < 0)
			return helios_error_set(err, HELIOS_ENOMEM,
						"out of memory");
		slash = strrchr(path, '/');
		*slash = '\0';
		rc = store__make_dirs(path, err);
		*slash = '/';
		fd = rc ? -1 : open(path, O_WRONLY | O_CREAT | O_EXCL |
				    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || rc || errno != EEXIST || i > 100)
			break;
		free(path);
	}
	if (!rc && fd < 0)
		rc = helios_error_sys(err, errno, "cannot create '%s'", path);
	if (!rc && (write(fd, b->ptr ? b->ptr : "", b->len) !=
		    (ssize_t)b->len || fsync(fd) < 0))
		rc = helios_error_sys(err, errno, "cannot write '%s'", path);
	if (fd >= 0)
		close(fd);
	if (rc)
		free(path);
	else
		*where = path;
	return rc;
}

/* The bytes of a blob into out. */
static int blob_bytes(struct store *st, const git_oid *id, struct hbuf *out)
{
	git_blob *blob;
	int rc;

	if (git_blob_lookup(&blob, st->repo, id) < 0)
		return HELIOS_EGIT;
	rc = hbuf_add(out, git_blob_rawcontent(blob),
		      (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return rc;
}

/*
 * Put good (HEAD's or history's bytes) at rel, keeping the bytes there
 * now in the recovery folder first when there are any.
 */
static int restore_file(struct store *st, const char *stamp, const char *rel,
			const struct hbuf *good, const char *source,
			struct hdiag_list *report, struct helios_error *err)
{
	char *path = store__path(st, rel), *where = NULL;
	struct hbuf now;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	hbuf_init(&now, HBUF_MAX_DEFAULT);
	rc = store__read_file(path, &now, NULL);
	if (rc == 0)
		rc = keep_damaged(st, stamp, rel, &now, &where, err);
	else
		rc = 0;
	if (!rc) {
		*strrchr(path, '/') = '\0';
		rc = store__make_dirs(path, err);
		path[strlen(path)] = '/';
	}
	if (!rc)
		rc = atomic_write_file(path, hbuf_str(good), good->len, 0600,
				       err);
	if (!rc && where)
		hdiag_add(report, HDIAG_WARNING, rel, 0, 0,
			  "was damaged; restored from %s, damaged bytes kept "
			  "in '%s'", source, where);
	else if (!rc)
		hdiag_add(report, HDIAG_WARNING, rel, 0, 0,
			  "was missing; restored from %s", source);
	hbuf_release(&now);
	free(where);
	free(path);
	return rc;
}

/* Valid as its kind?  Missing counts as not valid. */
static int file_valid(struct store *st, const char *rel)
{
	struct hdiag_list diags;
	struct hbuf b;
	int ok;

	hbuf_init(&b, HBUF_MAX_DEFAULT);
	hdiag_list_init(&diags);
	ok = store_read(st, rel, &b, NULL) == 0 &&
	     hdoc_validate(hdoc_kind_of_path(rel), rel, hbuf_str(&b), b.len,
			   NULL, &diags, NULL) == 0;
	hdiag_list_release(&diags);
	hbuf_release(&b);
	return ok;
}

static int bytes_valid(const char *rel, const struct hbuf *b)
{
	struct hdiag_list diags;
	int ok;

	hdiag_list_init(&diags);
	ok = hdoc_validate(hdoc_kind_of_path(rel), rel, hbuf_str(b), b->len,
			   NULL, &diags, NULL) == 0;
	hdiag_list_release(&diags);
	return ok;
}

/*
 * main has no base identity: bring back the newest one in its history,
 * or the default, and commit it (lock held, main complete).
 */
static int restore_base_history(struct store *st, const char *stamp,
				struct hdiag_list *report,
				struct helios_error *err)
{
	struct store_change change = { .path = STORE_BASE_PATH,
				       .mode = GIT_FILEMODE_BLOB };
	char source[96] = "the default (no commit has one)", msg[160];
	git_revwalk *walk = NULL;
	git_filemode_t mode;
	git_oid id, tip;
	git_commit *c;
	git_tree *t;
	git_tree_entry *e;
	struct hbuf good;
	int found = 0, rc;

	if (store_git__tip(st, &tip, NULL) ||
	    !store_git__tip_entry(st, STORE_BASE_PATH, &id, &mode, NULL))
		return 0;
	hbuf_init(&good, HBUF_MAX_DEFAULT);
	if (git_revwalk_new(&walk, st->repo) == 0 &&
	    git_revwalk_push(walk, &tip) == 0) {
		while (!found && git_revwalk_next(&id, walk) == 0) {
			if (git_commit_lookup(&c, st->repo, &id) < 0)
				continue;
			if (git_commit_tree(&t, c) == 0) {
				if (git_tree_entry_bypath(&e, t,
							  STORE_BASE_PATH) ==
				    0) {
					found = !blob_bytes(st,
						git_tree_entry_id(e), &good);
					git_tree_entry_free(e);
				}
				git_tree_free(t);
			}
			if (found)
				snprintf(source, sizeof(source),
					 "history (commit %.12s)",
					 git_oid_tostr_s(&id));
			git_commit_free(c);
		}
	}
	git_revwalk_free(walk);
	if (!found)
		hbuf_adds(&good, store__default_base());
	if (file_valid(st, STORE_BASE_PATH)) {
		/* the working file is fine; only the commit is missing */
		hbuf_setlen(&good, 0);
		rc = store_read(st, STORE_BASE_PATH, &good, err);
		snprintf(source, sizeof(source), "the working tree");
	} else {
		rc = restore_file(st, stamp, STORE_BASE_PATH, &good, source,
				  report, err);
	}
	change.buf = hbuf_str(&good);
	change.len = good.len;
	snprintf(msg, sizeof(msg), "recover %s from %s", STORE_BASE_PATH,
		 source);
	if (!rc)
		rc = store_git__commit(st, &change, 1, msg, err);
	if (!rc)
		hdiag_add(report, HDIAG_WARNING, STORE_BASE_PATH, 0, 0,
			  "missing from main; %s", msg);
	hbuf_release(&good);
	return rc;
}

/* Restore broken working copies of tracked files from HEAD (lock held). */
static int restore_worktree(struct store *st, const char *stamp,
			    struct hdiag_list *report,
			    struct helios_error *err)
{
	git_filemode_t mode;
	struct hbuf good;
	char **paths;
	size_t n, i;
	git_oid id;
	int rc;

	rc = store_git__tip_config_paths(st, &paths, &n, err);
	for (i = 0; !rc && i < n; i++) {
		int is_base = !strcmp(paths[i], STORE_BASE_PATH);
		char *path = store__path(st, paths[i]);
		struct stat sb;
		int missing = path && lstat(path, &sb) < 0;

		free(path);
		/* a missing persona may be a deletion by hand: leave it */
		if ((missing && !is_base) || (!missing &&
					      file_valid(st, paths[i])))
			continue;
		hbuf_init(&good, HBUF_MAX_DEFAULT);
		rc = store_git__tip_entry(st, paths[i], &id, &mode, err);
		if (!rc)
			rc = blob_bytes(st, &id, &good);
		if (!rc && bytes_valid(paths[i], &good))
			rc = restore_file(st, stamp, paths[i], &good, "HEAD",
					  report, err);
		else if (!rc)
			hdiag_add(report, HDIAG_ERROR, paths[i], 0, 0,
				  "invalid, and HEAD's version is invalid "
				  "too; left as is");
		hbuf_release(&good);
	}
	store_names_free(paths, n);
	return rc;
}

/* Has main, or had it according to its reflog? */
static int history_exists(struct store *st)
{
	git_reference *ref;
	git_reflog *log;
	size_t n;
	int rc = git_reference_lookup(&ref, st->repo, STORE_BRANCH_REF);

	if (rc == 0)
		git_reference_free(ref);
	if (rc != GIT_ENOTFOUND)
		return 1;
	if (git_reflog_read(&log, st->repo, STORE_BRANCH_REF) < 0)
		return 0;
	n = git_reflog_entrycount(log);
	git_reflog_free(log);
	return n > 0;
}

/* Put HEAD back on main when it points elsewhere or is broken. */
static int repair_head(struct store *st, struct hdiag_list *report,
		       struct helios_error *err)
{
	git_reference *head = NULL;
	int on_main;

	on_main = git_reference_lookup(&head, st->repo, "HEAD") == 0 &&
		  git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
		  !strcmp(git_reference_symbolic_target(head),
			  STORE_BRANCH_REF);
	git_reference_free(head);
	if (on_main)
		return 0;
	if (git_repository_set_head(st->repo, STORE_BRANCH_REF) < 0)
		return helios_error_set(err, HELIOS_EGIT, "cannot set HEAD: %s",
					git_error_last() ?
					git_error_last()->message : "?");
	hdiag_add(report, HDIAG_WARNING, st->dir, 0, 0,
		  "repaired: HEAD was not on main; it is again");
	return 0;
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
	if (st->repo && history_exists(st)) {
		rc = repair_git(st, report, err);
		if (!rc)
			rc = repair_head(st, report, err);
		if (!rc)
			rc = restore_base_history(st, stamp, report, err);
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
		rc = store_open(dir, STORE_OPEN_CREATE, &st, report, err);
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
		rc = restore_worktree(st, stamp, report, err);
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

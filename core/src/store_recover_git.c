/*
 * store_recover_git.c - the git half of store_recover(): point main at a
 * complete commit, refilling missing objects from the working tree or
 * from backups, and put HEAD back on main.  The lock is held throughout.
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
int store_recover__repair_git(struct store *st, struct hdiag_list *report,
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

/* Has main, or had it according to its reflog? */
int store_recover__history_exists(struct store *st)
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
int store_recover__repair_head(struct store *st, struct hdiag_list *report,
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

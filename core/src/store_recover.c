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
 * bytes are kept under STORE_RECOVERED_DIR).  That is in
 * store_recover_explicit.c, store_recover_git.c and store_recover_tree.c.
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
	if (rc == HELIOS_EINVAL) {
		/* Helios writes it atomically: this one is not Helios's */
		if (report)
			hdiag_add(report, HDIAG_WARNING, STORE_RUNTIME_DIR "/"
				  STORE_JOURNAL_NAME, 0, 0, "not a journal "
				  "Helios wrote; removed without replaying it");
		goto out_clear;
	}
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

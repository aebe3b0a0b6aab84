/*
 * store_change.c - the one write path every face uses: validate,
 * journal, atomic write, commit, for store_write(), store_delete() and
 * store_rename().
 */
#include "helios/store.h"

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
#include "store_i.h"
#include "store_maint_i.h"

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

int store__check_expect(struct store *st, const char *rel,
			const struct store_expect *expect,
			struct helios_error *err)
{
	git_oid want, have;
	git_filemode_t mode;
	int exists, rc;

	if (!expect)
		return 0;
	rc = store__working_state(st, rel, &exists, &have, &mode, err);
	if (!rc && expect->buf)
		rc = store_git__hash(expect->buf, expect->len, &want, err);
	if (rc)
		return rc;
	if (expect->buf ? exists && git_oid_equal(&want, &have) : !exists)
		return 0;
	return helios_error_set(err, HELIOS_ECONFLICT,
				expect->buf ? "'%s' changed since it was read; "
				"nothing was written" : "'%s' already exists; "
				"nothing was written", rel);
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
	rc = store__git_ready(st, err);
	if (!rc)
		rc = store_git__head_on_main(st, err);
	if (!rc)
		rc = store_recover__pending(st, err);
	if (rc)
		store_lock_release(&st->lock);
	return rc;
}

int store_write(struct store *st, const char *relpath, const void *buf,
		size_t len, const char *face, struct hdiag_list *diags,
		struct helios_error *err)
{
	return store_write_if(st, relpath, NULL, buf, len, face, diags, err);
}

static int not_config(const char *relpath, struct helios_error *err)
{
	return helios_error_set(err, HELIOS_ENAME, "'%s' is not a "
				"configuration file (base/identity.yaml or "
				"personas/NAME.yaml)", relpath);
}

int store_write_if(struct store *st, const char *relpath,
		   const struct store_expect *expect, const void *buf,
		   size_t len, const char *face, struct hdiag_list *diags,
		   struct helios_error *err)
{
	enum hdoc_kind kind = hdoc_kind_of_path(relpath);
	int rc;

	if (kind == HDOC_NONE)
		return not_config(relpath, err);
	rc = validate_content(kind, relpath, buf, len, diags, err);
	if (rc)
		return rc;

	rc = lock_for_change(st, err);
	if (rc)
		return rc;
	rc = store__check_expect(st, relpath, expect, err);
	if (!rc)
		rc = write_locked(st, relpath, buf, len, face, err);
	store_lock_release(&st->lock);
	return rc;
}

int store_edit(struct store *st, const char *relpath, store_edit_fn edit,
	       void *arg, const char *face, struct hdiag_list *diags,
	       struct helios_error *err)
{
	enum hdoc_kind kind = hdoc_kind_of_path(relpath);
	struct hbuf cur, out;
	char *path;
	int rc;

	if (kind == HDOC_NONE)
		return not_config(relpath, err);
	path = store__path(st, relpath);
	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	hbuf_init(&cur, HBUF_MAX_DEFAULT);
	hbuf_init(&out, HBUF_MAX_DEFAULT);
	rc = lock_for_change(st, err);
	if (rc)
		goto out_release;
	rc = store__read_file(path, &cur, err);
	if (rc == 0 || rc == HELIOS_ENOTFOUND)
		rc = edit(rc ? NULL : &cur, &out, arg, err);
	if (!rc)
		rc = validate_content(kind, relpath, hbuf_str(&out), out.len,
				      diags, err);
	if (!rc)
		rc = write_locked(st, relpath, hbuf_str(&out), out.len, face,
				  err);
	store_lock_release(&st->lock);
out_release:
	hbuf_release(&out);
	hbuf_release(&cur);
	free(path);
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
	return store_delete_if(st, relpath, NULL, face, err);
}

int store_delete_if(struct store *st, const char *relpath,
		    const struct store_expect *expect, const char *face,
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
	rc = store__check_expect(st, relpath, expect, err);
	if (!rc)
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

/*
 * store_multi.c - one commit for a change that spans several files, and
 * the recovery of such a change when it was interrupted.
 *
 * The journal of a multi-file save lists every file before the first one
 * is touched:
 *
 *	helios-journal 1
 *	multi N
 *	write OID PATH
 *	delete PATH
 *	...
 *
 * On open (store_recover.c hands such a journal to store_multi__recover)
 * the working tree decides: when every file holds its journaled state the
 * save is committed as it was asked for; otherwise it stopped half way and
 * the files it changed are put back to HEAD, so a reader never sees half
 * of a change in git or on disk.
 */
#include "store_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_i.h"
#include "helios/fault.h"

#define JOURNAL_MAGIC "helios-journal 1\n"
#define MULTI_MAX 4096

struct multi_entry {
	int remove;
	git_oid id;			/* new content of a write */
	char path[STORE_PATH_MAX];
};

struct multi_journal {
	struct multi_entry *e;
	size_t n;
};

static char *journal_path(const struct store *st)
{
	char *p;

	if (asprintf(&p, "%s/%s", st->state_dir, STORE_JOURNAL_NAME) < 0)
		return NULL;
	return p;
}

static int journal_write(struct store *st, const struct multi_journal *j,
			 struct helios_error *err)
{
	char hex[GIT_OID_HEXSZ + 1], *path = journal_path(st);
	struct hbuf b;
	size_t i;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	hbuf_init(&b, HBUF_MAX_DEFAULT);
	rc = hbuf_addf(&b, JOURNAL_MAGIC "multi %zu\n", j->n);
	for (i = 0; !rc && i < j->n; i++) {
		if (j->e[i].remove) {
			rc = hbuf_addf(&b, "delete %s\n", j->e[i].path);
			continue;
		}
		git_oid_tostr(hex, sizeof(hex), &j->e[i].id);
		rc = hbuf_addf(&b, "write %s %s\n", hex, j->e[i].path);
	}
	if (rc)
		rc = helios_error_set(err, rc, "out of memory");
	else
		rc = atomic_write_file(path, hbuf_str(&b), b.len, 0600, err);
	hbuf_release(&b);
	free(path);
	return rc;
}

/* Parse "write OID PATH" or "delete PATH" ending at the newline. */
static int parse_entry(const char *line, size_t len, struct multi_entry *e)
{
	char hex[GIT_OID_HEXSZ + 1];
	const char *p;
	size_t plen;

	memset(e, 0, sizeof(*e));
	if (len > 7 && !memcmp(line, "delete ", 7)) {
		e->remove = 1;
		p = line + 7;
	} else if (len > 6 + GIT_OID_HEXSZ + 1 && !memcmp(line, "write ", 6) &&
		   line[6 + GIT_OID_HEXSZ] == ' ') {
		memcpy(hex, line + 6, GIT_OID_HEXSZ);
		hex[GIT_OID_HEXSZ] = '\0';
		if (git_oid_fromstr(&e->id, hex) < 0)
			return -1;
		p = line + 6 + GIT_OID_HEXSZ + 1;
	} else {
		return -1;
	}
	plen = len - (size_t)(p - line);
	if (!plen || plen >= sizeof(e->path))
		return -1;
	memcpy(e->path, p, plen);
	e->path[plen] = '\0';
	return hdoc_kind_of_path(e->path) == HDOC_NONE ? -1 : 0;
}

/*
 * Read a multi-file journal: 0, HELIOS_ENOTFOUND when there is none or
 * it is a single-file one, HELIOS_EINVAL when it is damaged.
 */
static int journal_read(struct store *st, struct multi_journal *j)
{
	char *path = journal_path(st);
	const char *p, *end, *nl;
	struct hbuf b;
	size_t want;
	int rc;

	memset(j, 0, sizeof(*j));
	if (!path)
		return HELIOS_ENOMEM;
	hbuf_init(&b, HBUF_MAX_DEFAULT);
	rc = store__read_file(path, &b, NULL);
	free(path);
	if (rc)
		goto out_release;
	p = hbuf_str(&b);
	end = p + b.len;
	rc = HELIOS_ENOTFOUND;
	if (strncmp(p, JOURNAL_MAGIC "multi ", strlen(JOURNAL_MAGIC) + 6))
		goto out_release;
	p += strlen(JOURNAL_MAGIC) + 6;
	rc = HELIOS_EINVAL;
	if (sscanf(p, "%zu", &want) != 1 || !want || want > MULTI_MAX)
		goto out_release;
	j->e = calloc(want, sizeof(*j->e));
	if (!j->e) {
		rc = HELIOS_ENOMEM;
		goto out_release;
	}
	p = memchr(p, '\n', (size_t)(end - p));
	while (p && ++p < end && j->n < want) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl || parse_entry(p, (size_t)(nl - p), &j->e[j->n]))
			break;
		j->n++;
		p = nl;
	}
	rc = j->n == want ? 0 : HELIOS_EINVAL;
out_release:
	hbuf_release(&b);
	if (rc) {
		free(j->e);
		j->e = NULL;
		j->n = 0;
	}
	return rc;
}

/* Put the tip's blob id back into the working file at rel. */
static int restore_blob(struct store *st, const char *rel, const git_oid *id,
			struct helios_error *err)
{
	char *path = store__path(st, rel);
	git_blob *blob;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (git_blob_lookup(&blob, st->repo, id) < 0) {
		free(path);
		return helios_error_set(err, HELIOS_EGIT,
					"cannot read the blob of '%s'", rel);
	}
	rc = atomic_write_file(path, git_blob_rawcontent(blob),
			       (size_t)git_blob_rawsize(blob), 0600, err);
	git_blob_free(blob);
	free(path);
	return rc;
}

/* Does the working file hold the entry's new state? */
static int holds_new(struct store *st, const struct multi_entry *e,
		     struct helios_error *err)
{
	git_filemode_t mode;
	git_oid id;
	int exists, rc;

	rc = store__working_state(st, e->path, &exists, &id, &mode, err);
	if (rc)
		return rc;
	if (e->remove)
		return !exists;
	return exists && git_oid_equal(&id, &e->id);
}

/* Undo the entries already on disk: back to HEAD. */
static int roll_back(struct store *st, const struct multi_journal *j,
		     struct helios_error *err)
{
	git_filemode_t head_mode, work_mode;
	git_oid head_id, work_id;
	int exists, in_head, rc = 0;
	size_t i;
	char *path;

	for (i = 0; !rc && i < j->n; i++) {
		const struct multi_entry *e = &j->e[i];

		rc = store__working_state(st, e->path, &exists, &work_id,
					  &work_mode, err);
		if (rc)
			break;
		in_head = store__tip_state(st, e->path, &head_id, &head_mode,
					   err);
		if (in_head < 0)
			return in_head;
		if (e->remove) {
			if (!exists && in_head)
				rc = restore_blob(st, e->path, &head_id, err);
			continue;
		}
		/* only what this save wrote; a later hand edit stays */
		if (!exists || !git_oid_equal(&work_id, &e->id) ||
		    (in_head && git_oid_equal(&head_id, &work_id)))
			continue;
		if (in_head) {
			rc = restore_blob(st, e->path, &head_id, err);
			continue;
		}
		path = store__path(st, e->path);
		if (!path)
			return helios_error_set(err, HELIOS_ENOMEM,
						"out of memory");
		rc = unlink(path) < 0 ?
		     helios_error_sys(err, errno, "cannot delete '%s'", path) :
		     atomic_fsync_parent(path, err);
		free(path);
	}
	return rc;
}

/* Commit every entry whose working state differs from the tip. */
static int commit_entries(struct store *st, const struct multi_journal *j,
			  const char *msg, struct helios_error *err)
{
	struct store_change *changes;
	git_filemode_t head_mode, work_mode;
	git_oid head_id, work_id;
	struct hbuf *content;
	size_t i, k = 0;
	int exists, in_head, rc = 0;

	changes = calloc(j->n, sizeof(*changes));
	content = calloc(j->n, sizeof(*content));
	if (!changes || !content) {
		rc = helios_error_set(err, HELIOS_ENOMEM, "out of memory");
		goto out_free;
	}
	for (i = 0; i < j->n; i++)
		hbuf_init(&content[i], HBUF_MAX_DEFAULT);
	for (i = 0; !rc && i < j->n; i++) {
		const struct multi_entry *e = &j->e[i];
		char *path;

		in_head = store__tip_state(st, e->path, &head_id, &head_mode,
					   err);
		if (in_head < 0) {
			rc = in_head;
			break;
		}
		if (e->remove) {
			if (in_head)
				changes[k++] = (struct store_change){
					.path = e->path, .remove = 1 };
			continue;
		}
		rc = store__working_state(st, e->path, &exists, &work_id,
					  &work_mode, err);
		if (rc || !exists ||
		    (in_head && git_oid_equal(&head_id, &work_id) &&
		     head_mode == work_mode))
			continue;
		path = store__path(st, e->path);
		rc = path ? store__read_file(path, &content[i], err) :
		     helios_error_set(err, HELIOS_ENOMEM, "out of memory");
		free(path);
		changes[k++] = (struct store_change){
			.path = e->path, .buf = hbuf_str(&content[i]),
			.len = content[i].len, .mode = work_mode };
	}
	if (!rc && k)
		rc = store_git__commit(st, changes, k, msg, err);
	/*
	 * A save killed between moving the branch and writing the index
	 * leaves nothing to commit but a stale index: bring the entries
	 * that match the tip up to date.
	 */
	for (i = 0; !rc && !k && i < j->n; i++)
		rc = store_git__index_sync(st, j->e[i].path, err);
out_free:
	for (i = 0; content && i < j->n; i++)
		hbuf_release(&content[i]);
	free(content);
	free(changes);
	return rc;
}

int store_multi__recover(struct store *st, struct hdiag_list *report,
			 struct helios_error *err)
{
	struct multi_journal j;
	size_t i;
	int rc = journal_read(st, &j), all = 1;

	if (rc == HELIOS_ENOTFOUND)
		return rc;
	if (rc == HELIOS_EINVAL) {
		store_journal__clear(st);
		return 0;
	}
	if (rc)
		return helios_error_set(err, rc, "cannot read the journal");
	for (i = 0; i < j.n && all > 0; i++)
		all = holds_new(st, &j.e[i], err);
	if (all < 0) {
		rc = all;
		goto out_free;
	}
	rc = all ? commit_entries(st, &j, "recover multi-file save", err) :
		   roll_back(st, &j, err);
	if (rc)
		goto out_free;
	if (report)
		hdiag_add(report, HDIAG_WARNING, j.e[0].path, 0, 0,
			  all ? "interrupted save of %zu files completed" :
				"interrupted save of %zu files rolled back "
				"to HEAD", j.n);
	store_journal__clear(st);
out_free:
	free(j.e);
	return rc;
}

/* Put one entry's new state on disk. */
static int apply_entry(struct store *st, const struct multi_entry *e,
		       const struct store_file *f, struct helios_error *err)
{
	char *path = store__path(st, e->path), *slash;
	int rc;

	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (e->remove) {
		rc = unlink(path) < 0 && errno != ENOENT ?
		     helios_error_sys(err, errno, "cannot delete '%s'", path) :
		     atomic_fsync_parent(path, err);
		goto out_free;
	}
	slash = strrchr(path, '/');
	*slash = '\0';
	rc = store__make_dirs(path, err);
	*slash = '/';
	if (!rc)
		rc = atomic_write_file(path, f->buf, f->len, 0600, err);
out_free:
	free(path);
	return rc;
}

static int many_locked(struct store *st, const struct store_file *files,
		       struct multi_journal *j, const char *msg,
		       struct helios_error *err)
{
	struct helios_error undo = { 0 };
	size_t i, dirty = 0;
	int rc = 0, in_head, on_disk;
	git_filemode_t mode;
	git_oid head_id;

	for (i = 0; !rc && i < j->n; i++) {
		struct multi_entry *e = &j->e[i];

		if (!e->remove)
			rc = store_git__hash(files[i].buf, files[i].len,
					     &e->id, err);
		if (rc)
			break;
		on_disk = holds_new(st, e, err);
		in_head = store__tip_state(st, e->path, &head_id, &mode, err);
		if (on_disk < 0 || in_head < 0)
			return on_disk < 0 ? on_disk : in_head;
		if (!on_disk || (e->remove ? in_head :
				 !in_head || !git_oid_equal(&head_id, &e->id)))
			dirty++;
	}
	if (rc || !dirty)
		return rc;

	rc = journal_write(st, j, err);
	if (rc)
		return rc;
	fault_point("journal-written");
	for (i = 0; !rc && i < j->n; i++) {
		on_disk = holds_new(st, &j->e[i], err);
		if (on_disk < 0)
			rc = on_disk;
		else if (!on_disk)
			rc = apply_entry(st, &j->e[i], &files[i], err);
	}
	if (rc) {
		/* leave no half change behind: back to HEAD */
		if (!roll_back(st, j, &undo))
			store_journal__clear(st);
		return rc;
	}
	rc = commit_entries(st, j, msg, err);
	if (!rc)
		store_journal__clear(st);
	return rc;
}

static int check_files(const struct store_file *files, size_t n,
		       struct hdiag_list *diags, struct helios_error *err)
{
	struct hdiag_list local, *l = diags ? diags : &local;
	size_t i, k, first;
	enum hdoc_kind kind;
	int rc = 0;

	if (!n || n > MULTI_MAX)
		return helios_error_set(err, HELIOS_EINVAL,
					"a change spans 1 to %d files, not %zu",
					MULTI_MAX, n);
	if (!diags)
		hdiag_list_init(&local);
	for (i = 0; !rc && i < n; i++) {
		kind = hdoc_kind_of_path(files[i].relpath);
		if (kind == HDOC_NONE) {
			rc = helios_error_set(err, HELIOS_ENAME,
					      "'%s' is not a configuration "
					      "file", files[i].relpath);
			break;
		}
		if (!files[i].buf && kind == HDOC_BASE) {
			rc = helios_error_set(err, HELIOS_EPERM,
					      "the base identity cannot be "
					      "deleted");
			break;
		}
		for (k = 0; k < i; k++)
			if (!strcmp(files[k].relpath, files[i].relpath))
				break;
		if (k < i) {
			rc = helios_error_set(err, HELIOS_EINVAL,
					      "'%s' appears twice in one "
					      "change", files[i].relpath);
			break;
		}
		if (!files[i].buf)
			continue;
		first = l->len;
		rc = hdoc_validate(kind, files[i].relpath, files[i].buf,
				   files[i].len, NULL, l, NULL);
		if (rc) {
			for (k = first; k < l->len; k++)
				if (l->items[k].severity == HDIAG_ERROR)
					break;
			helios_error_set(err, rc, "%s", k < l->len ?
					 l->items[k].text :
					 helios_code_name(rc));
		}
	}
	if (!diags)
		hdiag_list_release(&local);
	return rc;
}

int store_write_many(struct store *st, const struct store_file *files,
		     size_t n, const char *msg, const char *face,
		     struct hdiag_list *diags, struct helios_error *err)
{
	struct multi_journal j = { 0 };
	char *full;
	size_t i;
	int rc = check_files(files, n, diags, err);

	if (rc)
		return rc;
	j.e = calloc(n, sizeof(*j.e));
	if (!j.e || asprintf(&full, "%s (%s)", msg && *msg ? msg : "change",
			     face && *face ? face : "core") < 0) {
		free(j.e);
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	j.n = n;
	for (i = 0; i < n; i++) {
		j.e[i].remove = !files[i].buf;
		snprintf(j.e[i].path, sizeof(j.e[i].path), "%s",
			 files[i].relpath);
	}
	rc = store_lock_acquire(&st->lock, err);
	if (!rc) {
		rc = store__git_ready(st, err);
		if (!rc)
			rc = store_git__head_on_main(st, err);
		/* a dead writer's journal first, or this one overwrites it */
		if (!rc)
			rc = store_recover__pending(st, err);
		for (i = 0; i < n && !rc; i++)
			rc = store__check_expect(st, files[i].relpath,
						 files[i].expect, err);
		if (!rc)
			rc = many_locked(st, files, &j, full, err);
		store_lock_release(&st->lock);
	}
	free(full);
	free(j.e);
	return rc;
}

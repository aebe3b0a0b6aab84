/*
 * handle.c - open files, and the one path a save takes into the store.
 *
 * A handle that writes a configuration file works on a SHADOW buffer:
 * it starts as the current content (empty with O_TRUNC), write() and
 * ftruncate() change only the shadow, and the visible file keeps its
 * old content until the shadow is published.  Publishing validates the
 * whole shadow and commits it with store_write(); a refused shadow is
 * kept, so a later flush carrying more data may still succeed.
 */
#include "sfs_i.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Every handle is on the live list until it is freed, so that the ones
 * still open when the filesystem goes away (the kernel sends no RELEASE
 * for them after an unmount) are freed by sfs_handles_free_all().
 */
static struct sfs_handle *live;
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;

static void live_add(struct sfs_handle *h)
{
	pthread_mutex_lock(&live_mu);
	h->live_next = live;
	if (live)
		live->live_prev = h;
	live = h;
	pthread_mutex_unlock(&live_mu);
}

static void live_remove(struct sfs_handle *h)
{
	pthread_mutex_lock(&live_mu);
	if (h->live_prev)
		h->live_prev->live_next = h->live_next;
	else
		live = h->live_next;
	if (h->live_next)
		h->live_next->live_prev = h->live_prev;
	pthread_mutex_unlock(&live_mu);
}

int sfs_handle_new(enum sfs_handle_kind kind, struct sfs_handle **out)
{
	struct sfs_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	live_add(h);
	h->kind = kind;
	h->fd = -1;
	hbuf_init(&h->shadow, kind == SFS_H_CONFIG ? SFS_CONFIG_MAX :
			      HBUF_MAX_DEFAULT);
	hbuf_init(&h->base, SFS_CONFIG_MAX);
	*out = h;
	return 0;
}

static struct sfs_handle *writers;

void sfs_writer_add(struct sfs_handle *h)
{
	h->next = writers;
	writers = h;
}

/*
 * Without atomic O_TRUNC, open(O_TRUNC) reaches us as OPEN and then a
 * truncation to 0 by path, with no handle.  It belongs to the newest
 * writer of rel opened by the same process that has not written yet.
 */
struct sfs_handle *sfs_writer_find_fresh(const char *rel, pid_t pid)
{
	struct sfs_handle *h;

	for (h = writers; h; h = h->next)
		if (h->pid == pid && !h->dirty && !h->tried &&
		    strcmp(h->rel, rel) == 0)
			return h;
	return NULL;
}

/* Largest shadow of the writers holding rel pending. */
size_t sfs_writer_pending_size(const char *rel)
{
	struct sfs_handle *h;
	size_t size = 0;

	for (h = writers; h; h = h->next)
		if (h->pending && strcmp(h->rel, rel) == 0 &&
		    h->shadow.len > size)
			size = h->shadow.len;
	return size;
}

/* At unmount: name the files still open with changes never saved. */
void sfs_writers_report(void)
{
	struct sfs_handle *h;

	for (h = writers; h; h = h->next)
		if (h->dirty)
			sfs_log(LOG_WARNING, "'%s' was still open for writing "
				"at unmount; its unsaved changes were not "
				"committed", h->rel);
}

static void writer_remove(struct sfs_handle *h)
{
	struct sfs_handle **pp;

	for (pp = &writers; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			return;
		}
	}
}

void sfs_handle_free(struct sfs_handle *h)
{
	if (!h)
		return;
	live_remove(h);
	if (h->kind == SFS_H_CONFIG && h->writable)
		writer_remove(h);
	if (h->fd >= 0)
		close(h->fd);
	if (h->pending)
		sfs_pending_put(h->rel);
	if (h->sc)
		sfs_scratch_put(h->sc);
	hbuf_release(&h->shadow);
	hbuf_release(&h->base);
	free(h->rel);
	free(h);
}

int sfs_handle_open_dir(const char *path, struct fuse_file_info *fi)
{
	struct sfs_handle *h;
	int rc;

	rc = sfs_handle_new(SFS_H_DIR, &h);
	if (rc)
		return rc;
	h->rel = strdup(path);
	if (!h->rel) {
		sfs_handle_free(h);
		return -ENOMEM;
	}
	fi->fh = (uintptr_t)h;
	return 0;
}

void sfs_handles_free_all(void)
{
	while (live)
		sfs_handle_free(live);
}

struct publish {
	const char *rel;
	const void *buf;
	size_t len;
	const struct sfs_basis *basis;
};

/* Is the store's rel still what basis->pid last read of it? */
static int reader_still(const char *rel, pid_t pid)
{
	char path[4096];
	struct stat st;
	int exists;

	if (pid <= 0 || sfs_store_path(rel, path, sizeof(path)))
		return 1;
	exists = stat(path, &st) == 0;
	return sfs_reads_still(pid, rel, exists ? &st : NULL);
}

/*
 * After a save by pid: a reader of rel now knows the version it wrote
 * (so its next save is not refused over its own).  A blind writer (a
 * shell's >) stays unrecorded: what it writes never came from a read.
 */
static void reader_saved(const char *rel, pid_t pid)
{
	char path[4096];
	struct stat st;

	if (pid > 0 && !sfs_store_path(rel, path, sizeof(path)) &&
	    stat(path, &st) == 0)
		sfs_reads_note(pid, rel, &st, 1);
}

/* Is buf, as rel, refused by validation anyway? */
static int invalid_anyway(const char *rel, const void *buf, size_t len)
{
	struct hdiag_list diags;
	int rc;

	hdiag_list_init(&diags);
	rc = hdoc_validate(hdoc_kind_of_path(rel), rel, buf, len, NULL,
			   &diags, NULL);
	hdiag_list_release(&diags);
	return rc != 0;
}

/*
 * store_edit() callback: the new bytes, if the basis still holds.  New
 * content that is invalid anyway goes on to validation, so its refusal
 * says where and why rather than only that the store changed.
 */
static int publish_edit(const struct hbuf *cur, struct hbuf *out, void *arg,
			struct helios_error *err)
{
	const struct publish *p = arg;

	if (p->basis && (!p->basis->still(cur, p->basis->arg) ||
			 !reader_still(p->rel, p->basis->pid)) &&
	    !invalid_anyway(p->rel, p->buf, p->len))
		return helios_error_set(err, HELIOS_ECONFLICT, "%s",
					p->basis->why);
	if (hbuf_add(out, p->buf, p->len))
		return helios_error_set(err, HELIOS_ELIMIT, "larger than "
					"%zu bytes", out->max);
	return 0;
}

/*
 * Validate buf as the new content of rel and commit it, provided basis
 * (may be NULL) still holds under the store lock: the store's content is
 * what the writer based its save on, so no change another face made
 * meanwhile is overwritten.  Needs sfs_lock().  0 when it landed (or was
 * already there), -EINVAL when it was refused, -ESTALE when the basis no
 * longer held (both recorded in the refusal record), another -errno when
 * the store failed.
 *
 * It does not drop the kernel's caches of rel: a notification that
 * invalidates a config file's pages waits for page locks held by reads
 * in flight, and was seen to deadlock the mount under parallel sed -i
 * and cat.  Writers use direct I/O, and pending files report their
 * writer's size, so no stale size is cached across a save.
 */
int sfs_publish(const char *rel, const void *buf, size_t len,
		const struct sfs_basis *basis)
{
	struct publish p = { rel, buf ? buf : "", len, basis };
	struct hdiag_list diags;
	struct helios_error err;
	int rc;

	hdiag_list_init(&diags);
	helios_error_clear(&err);
	rc = store_edit(sfs.st, rel, publish_edit, &p, "mount", &diags, &err);
	if (rc == 0) {
		sfs_log(LOG_INFO, "committed '%s' (%zu bytes)", rel, len);
		if (basis)
			reader_saved(rel, basis->pid);
		sfs_published(rel);
		sfs_refusal_clear(rel);
	} else if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT ||
		   rc == HELIOS_ECONFLICT) {
		sfs_refusal_add(rel, &diags, &err);
		sfs_refused(rel);
		rc = rc == HELIOS_ECONFLICT ? -ESTALE : -EINVAL;
	} else {
		sfs_log(LOG_ERR, "cannot save '%s': %s", rel, err.msg);
		rc = sfs_errno(rc);
	}
	hdiag_list_release(&diags);
	sfs_invalidate_later(rel);
	return rc;
}

int sfs_basis_same(const struct hbuf *cur, void *arg)
{
	const struct hbuf *was = arg;

	return cur && cur->len == was->len &&
	       memcmp(hbuf_str(cur), hbuf_str(was), cur->len) == 0;
}

int sfs_handle_set_base(struct sfs_handle *h)
{
	int rc;

	hbuf_setlen(&h->base, 0);
	rc = sfs_config_read(h->rel, &h->base);
	h->has_base = rc == 0;
	return rc == -ENOENT ? 0 : rc;
}

/*
 * sfs_basis callback of a handle: may the save replace cur?  Yes when
 * the store still holds what h read when it opened (or, for a new file,
 * still nothing), or already holds the shadow.
 */
static int handle_still(const struct hbuf *cur, void *arg)
{
	struct sfs_handle *h = arg;

	if (!cur)
		return !h->has_base;
	return (h->has_base && sfs_basis_same(cur, &h->base)) ||
	       sfs_basis_same(cur, &h->shadow);
}

int sfs_handle_publish(struct sfs_handle *h)
{
	struct sfs_basis basis = { handle_still, h, "changed in the store "
				   "since it was read or opened; not "
				   "overwritten (reload it and save again)",
				   h->pid };
	int rc;

	sfs_log(LOG_DEBUG, "publishing '%s' (%zu bytes) for pid %d", h->rel,
		h->shadow.len, (int)h->pid);
	rc = sfs_publish(h->rel, h->shadow.ptr, h->shadow.len, &basis);
	if (rc == 0) {
		hbuf_setlen(&h->base, 0);
		if (hbuf_add(&h->base, hbuf_str(&h->shadow), h->shadow.len))
			sfs_handle_set_base(h);
		else
			h->has_base = 1;
		h->dirty = 0;
		h->tried = 0;
		h->trunc_only = 0;
		if (h->pending) {
			sfs_pending_put(h->rel);
			h->pending = 0;
		}
	} else {
		h->tried = 1;
		h->trunc_only = 0;
		/* A refused new file disappears now, not at release. */
		if (h->pending) {
			sfs_pending_put(h->rel);
			h->pending = 0;
		}
	}
	return rc;
}

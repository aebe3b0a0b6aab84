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
#include <stdlib.h>
#include <unistd.h>

int sfs_handle_new(enum sfs_handle_kind kind, struct sfs_handle **out)
{
	struct sfs_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->kind = kind;
	h->fd = -1;
	hbuf_init(&h->shadow, kind == SFS_H_CONFIG ? SFS_CONFIG_MAX :
			      HBUF_MAX_DEFAULT);
	*out = h;
	return 0;
}

void sfs_handle_free(struct sfs_handle *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	if (h->pending)
		sfs_pending_put(h->rel);
	if (h->sc)
		sfs_scratch_put(h->sc);
	hbuf_release(&h->shadow);
	free(h->rel);
	free(h);
}

/*
 * Validate buf as the new content of rel and commit it.  Needs
 * sfs_lock().  0 when it landed (or was already there), -EINVAL when it
 * was refused (recorded in the refusal record), another -errno when the
 * store failed.
 */
int sfs_publish(const char *rel, const void *buf, size_t len)
{
	struct hdiag_list diags;
	struct helios_error err;
	int rc;

	hdiag_list_init(&diags);
	helios_error_clear(&err);
	rc = store_write(sfs.st, rel, buf ? buf : "", len, "mount", &diags,
			 &err);
	if (rc == 0) {
		sfs_log(LOG_INFO, "saved '%s' (%zu bytes)", rel, len);
		sfs_published(rel);
		sfs_refusal_clear(rel);
	} else if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		sfs_refusal_add(rel, &diags, &err);
		sfs_refused(rel);
		rc = -EINVAL;
	} else {
		sfs_log(LOG_ERR, "cannot save '%s': %s", rel, err.msg);
		rc = sfs_errno(rc);
	}
	hdiag_list_release(&diags);
	sfs_invalidate_later(rel);
	return rc;
}

int sfs_handle_publish(struct sfs_handle *h)
{
	int rc = sfs_publish(h->rel, h->shadow.ptr, h->shadow.len);

	if (rc == 0) {
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

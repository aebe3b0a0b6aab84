/*
 * ops_file.c - FUSE operations on open files and file attributes.
 */
#include "sfs_i.h"
#include "views_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int accmode_writes(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY;
}

/*
 * May a reader of the file st use the kernel's page cache as it is?  The notifier
 * drops the cache a moment after the store changes; until then the
 * kernel may hold the old pages and the old size, and a read mixing them
 * with the new file would show neither version.  A file changed in the
 * last SFS_FRESH_SEC is read past the cache instead.
 */
static int reader_cache_ok(const struct stat *st)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec - st->st_mtim.tv_sec > SFS_FRESH_SEC &&
	       now.tv_sec - st->st_ctim.tv_sec > SFS_FRESH_SEC;
}

/*
 * Reader of a config file: a private descriptor on the real file, and a
 * note of the version this process read (reads.c).  *cache_ok: whether
 * the kernel's cached pages may serve it.
 */
static int open_config_reader(struct sfs_handle *h, int *cache_ok)
{
	char path[4096];
	struct stat st;
	int rc;

	*cache_ok = 0;
	if (sfs_pending(h->rel, NULL))
		return 0;	/* reads an empty shadow */
	rc = sfs_store_path(h->rel, path, sizeof(path));
	if (rc)
		return rc;
	h->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	if (fstat(h->fd, &st) == 0) {
		sfs_reads_note(fuse_get_context()->pid, h->rel, &st, 0);
		*cache_ok = reader_cache_ok(&st);
	}
	return 0;
}

/*
 * The store replaces a file on every save (a new inode), and the kernel
 * keeps one size per name, refreshed by the notifier.  A reader that
 * starts reading from the top again moves to the newest version, so that
 * its reads agree with that size; reads further on stay with the version
 * it started on.  No lock: dup3() swaps the file under h->fd atomically
 * for reads running in parallel.
 */
static void reader_follow(struct sfs_handle *h)
{
	struct stat held, now;
	char path[4096];
	int fd;

	if (sfs_store_path(h->rel, path, sizeof(path)) ||
	    stat(path, &now) < 0 || fstat(h->fd, &held) < 0)
		return;
	if (held.st_ino == now.st_ino && held.st_dev == now.st_dev)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (dup3(fd, h->fd, O_CLOEXEC) < 0)
		sfs_log(LOG_DEBUG, "cannot follow '%s': %s", h->rel,
			strerror(errno));
	close(fd);
}

/* Writer of a config file: a shadow of the current content. */
static int open_config_writer(struct sfs_handle *h, int flags, int create,
			      mode_t mode)
{
	int rc;

	/* What the store holds now: a save must not silently undo a
	 * change that lands there while this handle is open. */
	rc = sfs_handle_set_base(h);
	if (rc)
		return rc;
	/*
	 * F renamed or unlinked away and written anew (vim, emacs, mv
	 * from another file system): the writer's basis is F as it was
	 * then, so a change landing in between is not overwritten.
	 */
	if (sfs_hidden(h->rel) != SFS_SHOWN &&
	    sfs_hidden_content(h->rel, &h->base) == 0)
		h->has_base = 1;
	if (create || sfs_pending(h->rel, NULL)) {
		rc = sfs_pending_add(h->rel, mode);
		if (rc)
			return rc;
		h->pending = 1;
		return 0;
	}
	if (flags & O_TRUNC) {
		h->trunc_only = 1;
		return 0;
	}
	if (!h->has_base)
		return -ENOENT;
	return sfs_errno(hbuf_add(&h->shadow, hbuf_str(&h->base),
				  h->base.len));
}

/* Open rel (a config name) for fi.  Locked. */
static int open_config(const char *rel, struct fuse_file_info *fi,
		       int create, mode_t mode)
{
	struct sfs_handle *h;
	int rc, cache_ok = 0;

	rc = sfs_handle_new(SFS_H_CONFIG, &h);
	if (rc)
		return rc;
	h->rel = strdup(rel);
	if (!h->rel) {
		rc = -ENOMEM;
		goto out_free_handle;
	}
	h->writable = accmode_writes(fi->flags);
	h->append = !!(fi->flags & O_APPEND);
	if (h->writable)
		rc = open_config_writer(h, fi->flags, create, mode);
	else
		rc = open_config_reader(h, &cache_ok);
	if (rc)
		goto out_free_handle;
	/*
	 * A writer bypasses the page cache: it is shared by every opener
	 * of the inode, and the shadow must reach no one else before it is
	 * published.  The cost: no shared writable mmap of a config file.
	 */
	if (h->writable) {
		fi->direct_io = 1;
		h->pid = fuse_get_context()->pid;
		sfs_writer_add(h);
	} else if (cache_ok) {
		fi->keep_cache = 1;
	} else {
		fi->direct_io = 1;
	}
	/* Only a writer's close has something to say (sfs_flush()). */
	fi->noflush = !h->writable;
	fi->fh = (uintptr_t)h;
	return 0;

out_free_handle:
	sfs_handle_free(h);
	return rc;
}

/* Open scratch file sc for fi.  Locked. */
static int open_scratch(struct sfs_scratch *sc, struct fuse_file_info *fi)
{
	struct sfs_handle *h;
	int rc;

	if (S_ISLNK(sc->mode))
		return -ELOOP;
	rc = sfs_handle_new(SFS_H_SCRATCH, &h);
	if (rc)
		return rc;
	sfs_scratch_get(sc);
	h->sc = sc;
	h->writable = accmode_writes(fi->flags);
	h->append = !!(fi->flags & O_APPEND);
	if (h->writable && (fi->flags & O_TRUNC) && sc->data.len) {
		hbuf_setlen(&sc->data, 0);
		sfs_scratch_touch(sc);
	}
	fi->noflush = 1;	/* scratch data lives in memory: nothing to flush */
	fi->fh = (uintptr_t)h;
	return 0;
}

static int open_errlog(struct fuse_file_info *fi)
{
	struct sfs_handle *h;
	int rc;

	if (accmode_writes(fi->flags))
		return -EACCES;
	rc = sfs_handle_new(SFS_H_ERRLOG, &h);
	if (rc)
		return rc;
	sfs_lock();
	rc = sfs_refusal_render(&h->shadow);
	sfs_unlock();
	if (rc) {
		sfs_handle_free(h);
		return rc;
	}
	/* Its size changes behind the kernel's back. */
	fi->direct_io = 1;
	fi->noflush = 1;
	fi->fh = (uintptr_t)h;
	return 0;
}

int sfs_open(const char *path, struct fuse_file_info *fi)
{
	struct sfs_scratch *sc;
	struct stat st;
	const char *rel;
	int rc;

	if (sfs_view_path(path))
		return sfs_view_open(path, fi);
	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_ROOT:
	case SFS_P_DIR:
		return -EISDIR;
	case SFS_P_ERRLOG:
		return open_errlog(fi);
	/*
	 * OPEN of a name that is gone means the kernel still had it in its
	 * name cache (deleted behind the mount, which cannot drop single
	 * names).  ESTALE makes the kernel look the name up afresh and
	 * retry: the program gets ENOENT, or with O_CREAT a new file.
	 */
	case SFS_P_CONFIG:
		sfs_lock();
		rc = sfs_config_stat(rel, &st);
		if (!rc)
			rc = open_config(rel, fi, 0, 0);
		sfs_unlock();
		return rc == -ENOENT ? -ESTALE : rc;
	case SFS_P_SCRATCH:
		sfs_lock();
		sc = sfs_scratch_find(rel);
		rc = sc ? open_scratch(sc, fi) : -ESTALE;
		sfs_unlock();
		return rc;
	default:
		return -ENOENT;
	}
}

static int create_config(const char *rel, mode_t mode,
			 struct fuse_file_info *fi)
{
	struct stat st;

	if (sfs_config_stat(rel, &st) == 0) {
		if (fi->flags & O_EXCL)
			return -EEXIST;
		return open_config(rel, fi, 0, 0);
	}
	/* Absent, or hidden by an editor's rename or an unlink. */
	return open_config(rel, fi, 1, mode);
}

static int create_scratch(const char *rel, mode_t mode,
			  struct fuse_file_info *fi)
{
	struct sfs_scratch *sc = sfs_scratch_find(rel);
	int rc;

	if (sc) {
		if (fi->flags & O_EXCL)
			return -EEXIST;
		return open_scratch(sc, fi);
	}
	rc = sfs_scratch_new(rel, S_IFREG | (mode & 07777), &sc);
	if (rc)
		return rc;
	rc = open_scratch(sc, fi);
	if (rc)
		sfs_scratch_unlink(sc);
	return rc;
}

int sfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct helios_error err;
	const char *rel;
	int rc;

	if (sfs_view_path(path))
		return -EROFS;
	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_CONFIG:
		sfs_lock();
		rc = create_config(rel, mode, fi);
		sfs_unlock();
		return rc;
	case SFS_P_SCRATCH:
		sfs_lock();
		rc = create_scratch(rel, mode, fi);
		sfs_unlock();
		return rc;
	case SFS_P_REFUSED:
		helios_error_clear(&err);
		if (strncmp(rel, "base/", 5) == 0)
			helios_error_set(&err, HELIOS_ENAME,
					 "only base/identity.yaml is "
					 "configuration under base/");
		else
			hname_check_persona_file(rel + strlen("personas/"),
						 &err);
		sfs_lock();
		sfs_refusal_add(rel, NULL, &err);
		sfs_unlock();
		return -EINVAL;
	case SFS_P_ERRLOG:
		return (fi->flags & O_EXCL) ? -EEXIST : -EACCES;
	default:
		return -EACCES;
	}
}

static int copy_out(const struct hbuf *b, char *buf, size_t size, off_t off)
{
	size_t n;

	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= b->len)
		return 0;
	n = b->len - (size_t)off;
	if (n > size)
		n = size;
	memcpy(buf, b->ptr + off, n);
	return (int)n;
}

int sfs_read(const char *path, char *buf, size_t size, off_t off,
	     struct fuse_file_info *fi)
{
	struct sfs_handle *h = sfs_fh(fi);
	ssize_t n;
	int rc;

	(void)path;
	if (!h)
		return -EBADF;
	if (h->kind == SFS_H_CONFIG && h->fd >= 0) {
		if (off == 0)
			reader_follow(h);
		n = pread(h->fd, buf, size, off);
		return n < 0 ? -errno : (int)n;
	}
	if (h->kind == SFS_H_ERRLOG)
		return copy_out(&h->shadow, buf, size, off);
	if (h->kind == SFS_H_VIEW)
		return sfs_view_read(h, buf, size, off);

	sfs_lock();
	if (h->kind == SFS_H_SCRATCH)
		rc = copy_out(&h->sc->data, buf, size, off);
	else
		rc = copy_out(&h->shadow, buf, size, off);
	sfs_unlock();
	return rc;
}

/* Write into a buffer with a ceiling; the hole is filled with NULs. */
static int buf_write(struct hbuf *b, size_t max, const char *data,
		     size_t size, off_t off)
{
	size_t end;
	int rc;

	if (off < 0)
		return -EINVAL;
	if ((size_t)off > max || size > max - (size_t)off)
		return -EFBIG;
	end = (size_t)off + size;
	if (end > b->len) {
		rc = hbuf_setlen(b, end);
		if (rc)
			return sfs_errno(rc);
	}
	if (size)
		memcpy(b->ptr + off, data, size);
	return (int)size;
}

/*
 * A writer went over the size limit: the kernel may already have told
 * the program that a first part was written, and that part can even be
 * a valid document.  It is never published; the refusal is recorded
 * once.  Locked.
 */
static void mark_too_big(struct sfs_handle *h)
{
	struct helios_error err;

	if (h->too_big)
		return;
	h->too_big = 1;
	helios_error_clear(&err);
	helios_error_set(&err, HELIOS_ELIMIT, "over the %zu-byte limit of a "
			 "configuration file; nothing saved", SFS_CONFIG_MAX);
	sfs_refusal_add(h->rel, NULL, &err);
}

int sfs_write(const char *path, const char *buf, size_t size, off_t off,
	      struct fuse_file_info *fi)
{
	struct sfs_handle *h = sfs_fh(fi);
	int rc;

	(void)path;
	if (!h || !h->writable)
		return -EBADF;
	sfs_lock();
	if (h->kind == SFS_H_SCRATCH) {
		if (h->append)
			off = (off_t)h->sc->data.len;
		rc = buf_write(&h->sc->data, SFS_SCRATCH_MAX, buf, size, off);
		sfs_scratch_touch(h->sc);
	} else {
		if (h->append)
			off = (off_t)h->shadow.len;
		rc = buf_write(&h->shadow, SFS_CONFIG_MAX, buf, size, off);
		if (rc >= 0) {
			h->dirty = 1;
			h->tried = 0;
			h->trunc_only = 0;
		} else if (rc == -EFBIG) {
			mark_too_big(h);
		}
	}
	sfs_unlock();
	if (rc == -EFBIG)
		sfs_log(LOG_WARNING, "write to '%s' refused: over %zu bytes",
			h->rel ? h->rel : "a scratch file",
			h->rel ? SFS_CONFIG_MAX : SFS_SCRATCH_MAX);
	return rc;
}

/*
 * Publish a writer's shadow if it changed.  A flush before any data
 * (bash duplicates the descriptor) finds nothing to do; a shadow that
 * was refused stays refused until it changes again.
 */
static int flush_handle(struct sfs_handle *h)
{
	int rc = 0;

	if (!h || h->kind != SFS_H_CONFIG || !h->writable)
		return 0;
	sfs_lock();
	if (h->too_big)
		rc = -EFBIG;
	else if (h->dirty && !h->tried)
		rc = sfs_handle_publish(h);
	else if (h->dirty)
		rc = -EINVAL;
	sfs_unlock();
	return rc;
}

int sfs_flush(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	return flush_handle(sfs_fh(fi));
}

int sfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	return flush_handle(sfs_fh(fi));
}

/*
 * The last close.  Errors here reach nobody, so what is left is
 * published and a refusal only recorded: an O_TRUNC handle that never
 * wrote (`: > file`), or a created file that never got content (touch),
 * asks for an empty document, which is refused and recorded.
 */
int sfs_release(const char *path, struct fuse_file_info *fi)
{
	struct sfs_handle *h = sfs_fh(fi);

	(void)path;
	if (!h)
		return 0;
	sfs_lock();
	if (h->kind == SFS_H_CONFIG && h->writable && !h->too_big &&
	    ((h->dirty && !h->tried) || h->trunc_only ||
	     (h->pending && !h->tried)))
		sfs_handle_publish(h);
	sfs_handle_free(h);
	sfs_unlock();
	return 0;
}

/* ---- attributes ---- */

/*
 * ftruncate() on a handle changes its shadow (or scratch) only.  A
 * truncation to 0 before any write counts as O_TRUNC: `truncate -s 0 F`
 * alone is then refused at release (recorded, not reported).
 */
static int truncate_handle(struct sfs_handle *h, off_t size)
{
	size_t max = h->kind == SFS_H_CONFIG ? SFS_CONFIG_MAX :
					       SFS_SCRATCH_MAX;
	struct hbuf *b;
	int rc;

	if (h->kind == SFS_H_ERRLOG || !h->writable)
		return -EINVAL;
	if (size < 0)
		return -EINVAL;
	if ((size_t)size > max) {
		if (h->kind == SFS_H_CONFIG) {
			sfs_lock();
			mark_too_big(h);
			sfs_unlock();
		}
		return -EFBIG;
	}
	sfs_lock();
	b = h->kind == SFS_H_SCRATCH ? &h->sc->data : &h->shadow;
	rc = sfs_errno(hbuf_setlen(b, (size_t)size));
	if (!rc && h->kind == SFS_H_SCRATCH) {
		sfs_scratch_touch(h->sc);
	} else if (!rc && size == 0 && !h->dirty) {
		/*
		 * O_TRUNC arrives this way (no atomic O_TRUNC), before a
		 * flush that may precede the data: like O_TRUNC, it is
		 * only published at release if nothing is written.
		 */
		h->trunc_only = 1;
	} else if (!rc) {
		h->dirty = 1;
		h->tried = 0;
		h->trunc_only = 0;
	}
	sfs_unlock();
	return rc;
}

/*
 * truncate(2) by path on a config file: the O_TRUNC of a writer that
 * just opened it, or else a save of its own.  Locked.
 */
static int truncate_config(const char *rel, off_t size)
{
	struct hbuf b, was;
	struct sfs_basis basis = { sfs_basis_same, &was, "changed in the "
				   "store while it was truncated; not "
				   "overwritten", fuse_get_context()->pid };
	struct sfs_handle *h;
	struct stat st;
	int rc;

	h = size == 0 ? sfs_writer_find_fresh(rel, fuse_get_context()->pid) :
			NULL;
	if (h) {
		hbuf_setlen(&h->shadow, 0);
		h->trunc_only = 1;
		return 0;
	}

	rc = sfs_config_stat(rel, &st);
	if (rc)
		return rc;
	if (sfs_pending(rel, NULL) || st.st_size == size)
		return 0;
	if ((size_t)size > SFS_CONFIG_MAX)
		return -EFBIG;
	hbuf_init(&b, SFS_CONFIG_MAX);
	hbuf_init(&was, SFS_CONFIG_MAX);
	rc = sfs_config_read(rel, &b);
	if (!rc)
		rc = sfs_errno(hbuf_add(&was, hbuf_str(&b), b.len));
	if (!rc)
		rc = sfs_errno(hbuf_setlen(&b, (size_t)size));
	if (!rc)
		rc = sfs_publish(rel, b.ptr, b.len, &basis);
	hbuf_release(&was);
	hbuf_release(&b);
	return rc;
}

int sfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct sfs_handle *h = sfs_fh(fi);
	struct sfs_scratch *sc;
	const char *rel;
	int rc;

	if (sfs_view_path(path) || (h && h->kind == SFS_H_VIEW))
		return -EROFS;
	if (h)
		return truncate_handle(h, size);
	if (size < 0)
		return -EINVAL;
	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_CONFIG:
		sfs_lock();
		rc = truncate_config(rel, size);
		sfs_unlock();
		return rc;
	case SFS_P_SCRATCH:
		if ((size_t)size > SFS_SCRATCH_MAX)
			return -EFBIG;
		sfs_lock();
		sc = sfs_scratch_find(rel);
		rc = sc ? sfs_errno(hbuf_setlen(&sc->data, (size_t)size)) :
			  -ENOENT;
		if (sc && !rc)
			sfs_scratch_touch(sc);
		sfs_unlock();
		return rc;
	case SFS_P_ROOT:
	case SFS_P_DIR:
		return -EISDIR;
	case SFS_P_ERRLOG:
		return -EACCES;
	default:
		return -ENOENT;
	}
}

/*
 * The scratch file an attribute change applies to, through the handle
 * or the path.  Returns 1 with *out set (referenced, sfs_scratch_put()
 * it), 0 for a config file or another name that accepts and ignores
 * the change, or a negative errno.  Locked.
 */
static int attr_target(const char *path, struct fuse_file_info *fi,
		       struct sfs_scratch **out)
{
	struct sfs_handle *h = sfs_fh(fi);
	const char *rel;
	struct stat st;

	if (h && h->kind == SFS_H_SCRATCH) {
		*out = h->sc;
		sfs_scratch_get(h->sc);
		return 1;
	}
	if (h)
		return h->kind == SFS_H_CONFIG ? 0 : -EPERM;
	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_SCRATCH:
		*out = sfs_scratch_find(rel);
		if (!*out)
			return -ENOENT;
		sfs_scratch_get(*out);
		return 1;
	case SFS_P_CONFIG:
		return sfs_config_stat(rel, &st);
	case SFS_P_ROOT:
	case SFS_P_DIR:
	case SFS_P_ERRLOG:
		return -EPERM;
	default:
		return -ENOENT;
	}
}

/*
 * chmod of a config file is accepted and ignored: the store keeps the
 * file's mode (tools re-apply the mode they read, so nothing changes).
 */
/*
 * NEEDSWORK: chmod of a configuration file succeeds but changes nothing
 * (only scratch files keep a mode), so `chmod 644` on a persona reports
 * success while the file stays 0600.
 */
int sfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct sfs_scratch *sc;
	int rc;

	if (sfs_view_path(path))
		return -EROFS;
	sfs_lock();
	rc = attr_target(path, fi, &sc);
	if (rc == 1) {
		sc->mode = (sc->mode & S_IFMT) | (mode & 07777);
		clock_gettime(CLOCK_REALTIME, &sc->ctime);
		sfs_scratch_put(sc);
		rc = 0;
	}
	sfs_unlock();
	return rc;
}

int sfs_chown(const char *path, uid_t uid, gid_t gid,
	      struct fuse_file_info *fi)
{
	struct sfs_scratch *sc;
	int rc;

	if (sfs_view_path(path))
		return -EROFS;
	if ((uid != (uid_t)-1 && uid != sfs.uid) ||
	    (gid != (gid_t)-1 && gid != sfs.gid))
		return -EPERM;
	sfs_lock();
	rc = attr_target(path, fi, &sc);
	if (rc == 1) {
		sfs_scratch_put(sc);
		rc = 0;
	}
	sfs_unlock();
	return rc;
}

static void set_time(struct timespec *dst, const struct timespec *src,
		     const struct timespec *now)
{
	if (src->tv_nsec == UTIME_OMIT)
		return;
	*dst = src->tv_nsec == UTIME_NOW ? *now : *src;
}

/* Times of config files follow the store; set ones are ignored. */
int sfs_utimens(const char *path, const struct timespec tv[2],
		struct fuse_file_info *fi)
{
	struct sfs_scratch *sc;
	struct timespec now;
	int rc;

	if (sfs_view_path(path))
		return -EROFS;
	clock_gettime(CLOCK_REALTIME, &now);
	sfs_lock();
	rc = attr_target(path, fi, &sc);
	if (rc == 1) {
		if (tv) {
			set_time(&sc->atime, &tv[0], &now);
			set_time(&sc->mtime, &tv[1], &now);
		} else {
			sc->atime = sc->mtime = now;
		}
		sc->ctime = now;
		sfs_scratch_put(sc);
		rc = 0;
	}
	sfs_unlock();
	return rc;
}

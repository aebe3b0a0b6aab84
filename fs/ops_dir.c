/*
 * ops_dir.c - FUSE operations on names: lookup attributes, listing,
 * unlink, rename, links, extended attributes, and the mount's lifetime.
 */
#include "sfs_i.h"
#include "views_i.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

void *sfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/*
	 * With atomic O_TRUNC the kernel sets the shared inode's size to 0
	 * when a writer opens, and concurrent readers see an empty file
	 * before anything is validated.  Without it, the truncation comes
	 * as a SETATTR on the writer's handle and stays in its shadow.
	 */
	conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
	sfs.fuse = fuse_get_context()->fuse;
	cfg->use_ino = 1;
	/* No .fuse_hidden* names: an unlinked open file stays ours. */
	cfg->hard_remove = 1;
	/*
	 * Operations on open files get no path and take none of libfuse's
	 * path locks, so a cache invalidation sent from a flush can never
	 * wait on a read that waits on a rename's path lock.
	 */
	cfg->nullpath_ok = 1;
	/*
	 * The kernel caches names, attributes and pages; notify.c drops
	 * them from its own thread whenever the store or a name's overlay
	 * state changes, so the caches can live longer than a moment.
	 * Names are only cached for a second: the high-level API offers
	 * no way to drop one dentry.
	 */
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = SFS_ATTR_TIMEOUT;
	/* Scratch names come and go; never cache their absence. */
	cfg->negative_timeout = 0.0;
	/* Readers choose per open (keep_cache or direct_io). */
	cfg->kernel_cache = 0;
	cfg->auto_cache = 0;
	if (sfs_notify_start())
		sfs_log(LOG_ERR, "cannot start the store watcher; changes "
			"made outside the mount show after %.0f s",
			SFS_ATTR_TIMEOUT);
	/* acknowledged deletes a crashed daemon did not commit */
	sfs_lock();
	sfs_intent_replay();
	sfs_unlock();
	if (sfs_deleter_start())
		sfs_log(LOG_ERR, "cannot start the delete worker; deletes "
			"are committed at unmount");
	return NULL;
}

void sfs_destroy(void *data)
{
	(void)data;
	sfs_deleter_stop();
	sfs_notify_stop();
	sfs_lock();
	sfs_writers_report();
	sfs_unlock();
	sfs_views_stop();
	sfs_lock();
	sfs_handles_free_all();
	sfs_reads_free_all();
	sfs_scratch_free_all();
	sfs_refusal_free_all();
	sfs_unlock();
}

static void errlog_stat(struct stat *st)
{
	struct hbuf b;

	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_uid = sfs.uid;
	st->st_gid = sfs.gid;
	st->st_ino = SFS_INO_ERRLOG;
	st->st_atim = st->st_mtim = st->st_ctim = sfs.started;
	hbuf_init(&b, HBUF_MAX_DEFAULT);
	sfs_lock();
	if (sfs_refusal_render(&b) == 0)
		st->st_size = (off_t)b.len;
	sfs_unlock();
	hbuf_release(&b);
}

static int handle_getattr(struct sfs_handle *h, struct stat *st)
{
	int rc = 0;

	switch (h->kind) {
	case SFS_H_ERRLOG:
		errlog_stat(st);
		st->st_size = (off_t)h->shadow.len;
		return 0;
	case SFS_H_SCRATCH:
		sfs_lock();
		sfs_scratch_stat(h->sc, st);
		sfs_unlock();
		return 0;
	case SFS_H_CONFIG:
		sfs_lock();
		rc = sfs_config_stat(h->rel, st);
		if (rc == -ENOENT && h->writable) {
			/* An open file whose name went away: unlinked. */
			memset(st, 0, sizeof(*st));
			st->st_mode = S_IFREG | 0600;
			st->st_uid = sfs.uid;
			st->st_gid = sfs.gid;
			st->st_size = (off_t)h->shadow.len;
			st->st_blksize = 4096;
			st->st_atim = st->st_mtim = st->st_ctim = sfs.started;
			rc = 0;
		}
		sfs_unlock();
		return rc;
	case SFS_H_DIR:
		return sfs_getattr(h->rel, st, NULL);
	case SFS_H_VIEW:
		return sfs_view_fgetattr(h, st);
	}
	return -EBADF;
}

int sfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct sfs_scratch *sc;
	char real[4096];
	const char *rel;
	int rc;

	if (sfs_fh(fi))
		return handle_getattr(sfs_fh(fi), st);
	if (!path)
		return -ENOENT;
	if (sfs_view_path(path))
		return sfs_view_getattr(path, st);

	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_ROOT:
		return lstat(sfs.dir, st) < 0 ? -errno : 0;
	case SFS_P_DIR:
		rc = sfs_store_path(rel, real, sizeof(real));
		if (!rc && lstat(real, st) < 0)
			rc = -errno;
		return rc;
	case SFS_P_ERRLOG:
		errlog_stat(st);
		return 0;
	case SFS_P_CONFIG:
		sfs_lock();
		rc = sfs_config_stat(rel, st);
		sfs_unlock();
		return rc;
	case SFS_P_SCRATCH:
		sfs_lock();
		sc = sfs_scratch_find(rel);
		if (sc)
			sfs_scratch_stat(sc, st);
		sfs_unlock();
		return sc ? 0 : -ENOENT;
	default:
		return -ENOENT;
	}
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t fill;
};

static void fill_name(const char *name, void *arg)
{
	struct fill_ctx *c = arg;

	c->fill(c->buf, name, NULL, 0, 0);
}

/* Config files of the store directory dir, as the overlay shows them. */
static int fill_store_dir(const char *dir, struct fill_ctx *c)
{
	char real[4096], rel[4096];
	struct dirent *de;
	DIR *d;
	int rc;

	rc = sfs_store_path(dir, real, sizeof(real));
	if (rc)
		return rc;
	d = opendir(real);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (snprintf(rel, sizeof(rel), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(rel))
			continue;
		if (hdoc_kind_of_path(rel) == HDOC_NONE ||
		    sfs_hidden(rel) != SFS_SHOWN || sfs_pending(rel, NULL))
			continue;
		fill_name(de->d_name, c);
	}
	closedir(d);
	return 0;
}

/* A directory handle keeps its path: readdir gets none (nullpath_ok). */
int sfs_opendir(const char *path, struct fuse_file_info *fi)
{
	const char *rel;

	if (sfs_view_path(path))
		return sfs_view_opendir(path, fi);
	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_ROOT:
	case SFS_P_DIR:
		break;
	case SFS_P_NONE:
		return -ENOENT;
	default:
		return -ENOTDIR;
	}
	return sfs_handle_open_dir(path, fi);
}

int sfs_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	sfs_lock();
	sfs_handle_free(sfs_fh(fi));
	sfs_unlock();
	return 0;
}

int sfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct sfs_handle *h = sfs_fh(fi);
	struct fill_ctx c = { buf, fill };
	const char *rel;
	int rc;

	(void)off;
	(void)flags;
	if (h && h->kind == SFS_H_DIR)
		path = h->rel;
	if (!path)
		return -EBADF;
	if (sfs_view_path(path))
		return sfs_view_readdir(path, buf, fill, off, h);
	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_ROOT:
		fill_name(".", &c);
		fill_name("..", &c);
		fill_name("base", &c);
		fill_name("personas", &c);
		fill_name(SFS_ERRLOG_NAME, &c);
		sfs_view_fill_root(buf, fill);
		return 0;
	case SFS_P_DIR:
		fill_name(".", &c);
		fill_name("..", &c);
		sfs_lock();
		rc = fill_store_dir(rel, &c);
		if (!rc) {
			sfs_pending_each(rel, fill_name, &c);
			sfs_scratch_each(rel, fill_name, &c);
		}
		sfs_unlock();
		return rc;
	case SFS_P_NONE:
		return -ENOENT;
	default:
		return -ENOTDIR;
	}
}

int sfs_mkdir(const char *path, mode_t mode)
{
	(void)mode;
	return sfs_view_path(path) ? -EROFS : -EPERM;
}

int sfs_rmdir(const char *path)
{
	return sfs_view_path(path) ? -EROFS : -EPERM;
}

int sfs_link(const char *from, const char *to)
{
	return sfs_view_path(from) || sfs_view_path(to) ? -EROFS : -EPERM;
}

int sfs_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)mode;
	(void)dev;
	return sfs_view_path(path) ? -EROFS : -EPERM;
}

/*
 * Unlinking a persona hides it at once; the delete is committed by the
 * worker in state.c when the unlinking process has exited, unless the
 * name is written again first (mv from another filesystem, git
 * checkout), which makes the pair one update.  Locked.
 */
static int unlink_config(const char *rel)
{
	struct stat st;
	int rc;

	if (hdoc_kind_of_path(rel) == HDOC_BASE)
		return -EPERM;
	if (sfs_pending(rel, NULL)) {
		sfs_pending_drop(rel);
		return 0;
	}
	rc = sfs_config_stat(rel, &st);
	if (rc)
		return rc;
	rc = sfs_intent_delete_record(rel);
	if (rc) {
		sfs_log(LOG_ERR, "cannot record the delete of '%s': %s", rel,
			strerror(-rc));
		return rc;
	}
	sfs_invalidate_later(rel);
	return sfs_hide(rel, SFS_HIDE_UNLINKED, fuse_get_context()->pid);
}

int sfs_unlink(const char *path)
{
	struct sfs_scratch *sc;
	const char *rel;
	int rc;

	if (sfs_view_path(path))
		return -EROFS;
	switch (sfs_path_kind(path, &rel)) {
	case SFS_P_CONFIG:
		sfs_log(LOG_DEBUG, "unlink '%s'", rel);
		sfs_lock();
		rc = unlink_config(rel);
		sfs_unlock();
		return rc;
	case SFS_P_SCRATCH:
		sfs_lock();
		sc = sfs_scratch_find(rel);
		if (sc)
			sfs_scratch_unlink(sc);
		sfs_unlock();
		return sc ? 0 : -ENOENT;
	case SFS_P_ROOT:
	case SFS_P_DIR:
	case SFS_P_ERRLOG:
		return -EPERM;
	default:
		return -ENOENT;
	}
}

/* mv a.yaml b.yaml: one store rename.  Locked. */
static int rename_config_config(const char *from, const char *to)
{
	struct hdiag_list diags;
	struct helios_error err;
	int rc;

	if (strcmp(from, to) == 0)
		return 0;
	if (hdoc_kind_of_path(from) == HDOC_BASE ||
	    hdoc_kind_of_path(to) == HDOC_BASE)
		return -EPERM;
	hdiag_list_init(&diags);
	helios_error_clear(&err);
	rc = store_rename(sfs.st, from, to, "mount", &diags, &err);
	sfs_invalidate_later(from);
	sfs_invalidate_later(to);
	if (rc == 0) {
		sfs_log(LOG_INFO, "committed rename of '%s' to '%s'", from,
			to);
		sfs_published(to);
		sfs_refusal_clear(to);
	} else if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		sfs_refusal_add(to, &diags, &err);
		rc = -EINVAL;
	} else {
		sfs_log(LOG_ERR, "cannot rename '%s': %s", from, err.msg);
		rc = sfs_errno(rc);
	}
	hdiag_list_release(&diags);
	return rc;
}

/*
 * rename(F, F~): an editor's backup, or mv F F.bak.  The content moves
 * into a scratch file and F is hidden; the store is not touched yet.  An
 * editor publishes a new F (one update commit) or renames F~ back (no
 * commit) within moments; when neither happens before the renaming
 * process exits or SFS_RENAME_GRACE_MS pass, F's delete is committed as
 * an unlink's would be, so the mount never shows a state git lacks.
 * Locked.
 */
static int rename_config_scratch(const char *from, const char *to)
{
	struct sfs_scratch *sc, *old;
	struct stat st;
	int rc;

	rc = sfs_config_stat(from, &st);
	if (rc)
		return rc;
	old = sfs_scratch_find(to);
	if (old)
		sfs_scratch_unlink(old);
	rc = sfs_scratch_new(to, S_IFREG | (st.st_mode & 07777), &sc);
	if (rc)
		return rc;
	sc->data.max = SFS_SCRATCH_MAX;
	rc = sfs_config_read(from, &sc->data);
	if (!rc)
		rc = sfs_errno(hbuf_add(&sc->origin, hbuf_str(&sc->data),
					sc->data.len));
	if (rc) {
		sfs_scratch_unlink(sc);
		return rc;
	}
	sc->has_origin = 1;
	sc->atime = st.st_atim;
	sc->mtime = st.st_mtim;
	rc = sfs_hide(from, SFS_HIDE_RENAMED, fuse_get_context()->pid);
	if (rc)
		sfs_scratch_unlink(sc);
	sfs_invalidate_later(from);
	return rc;
}

/* Whether sc holds what the store holds for rel.  Locked. */
static int scratch_matches_store(struct sfs_scratch *sc, const char *rel)
{
	struct hbuf cur;
	int same;

	hbuf_init(&cur, SFS_CONFIG_MAX);
	same = sfs_config_read(rel, &cur) == 0 && cur.len == sc->data.len &&
	       memcmp(hbuf_str(&cur), hbuf_str(&sc->data), cur.len) == 0;
	hbuf_release(&cur);
	return same;
}

struct scratch_basis {
	struct sfs_scratch *sc;
	const char *rel;
};

/*
 * sfs_basis callback of rename(tmp, F): may tmp replace F's current
 * content?  Not when F got a new version after tmp was created: the
 * writer read F before that change, and the rename would silently undo
 * it.  A scratch file renamed away from a config file (vim's F~, put
 * back after a failed save) knows exactly what that file was.  One
 * created fresh (sed's temporary file) noted which version of F lay
 * beside it at birth (every store save makes a new inode); failing that,
 * F's ctime, which the store's atomic rename sets, against the scratch
 * file's birth (a coarse file clock can miss a change within one tick).
 */
static int scratch_still(const struct hbuf *cur, void *arg)
{
	const struct scratch_basis *b = arg;
	const struct timespec *born = &b->sc->born;
	char path[4096];
	struct stat st;
	int exists, saw;

	if (!cur || sfs_basis_same(cur, &b->sc->data))
		return 1;
	if (b->sc->has_origin)
		return sfs_basis_same(cur, &b->sc->origin);
	if (sfs_pending(b->rel, NULL) ||
	    sfs_store_path(b->rel, path, sizeof(path)))
		return 1;
	exists = stat(path, &st) == 0;
	saw = sfs_scratch_saw(b->sc, b->rel, exists ? &st : NULL);
	if (saw >= 0 || !exists)
		return saw != 0;
	return st.st_ctim.tv_sec < born->tv_sec ||
	       (st.st_ctim.tv_sec == born->tv_sec &&
		st.st_ctim.tv_nsec <= born->tv_nsec);
}

/*
 * rename(tmp, F): sed -i, atomic writers, rsync, or an editor putting
 * its backup back.  The scratch content is published as F; refused, the
 * scratch file stays and F is untouched, and a conflict is -EINVAL (the
 * kernel would retry a rename that got ESTALE).  Locked.
 */
static int rename_scratch_config(const char *from, const char *to)
{
	struct sfs_scratch *sc = sfs_scratch_find(from);
	struct scratch_basis sb = { sc, to };
	struct sfs_basis basis = { scratch_still, &sb, NULL,
				   fuse_get_context()->pid };
	char why[NAME_MAX + 96];
	int rc;

	if (!sc)
		return -ENOENT;
	if (S_ISLNK(sc->mode))
		return -EINVAL;
	if (sfs_hidden(to) != SFS_SHOWN && scratch_matches_store(sc, to)) {
		sfs_unhide(to);
		sfs_scratch_unlink(sc);
		sfs_invalidate_later(to);
		return 0;
	}
	snprintf(why, sizeof(why), "changed in the store since it was read "
		 "for this save (temporary file '%s'); not overwritten "
		 "(reload it and save again)", strrchr(sc->rel, '/') + 1);
	basis.why = why;
	rc = sfs_publish(to, sc->data.ptr, sc->data.len, &basis);
	if (rc == 0)
		sfs_scratch_unlink(sc);
	return rc == -ESTALE ? -EINVAL : rc;
}

static int rename_scratch_scratch(const char *from, const char *to)
{
	struct sfs_scratch *sc = sfs_scratch_find(from);

	if (!sc)
		return -ENOENT;
	return sfs_scratch_rename(sc, to);
}

/* Does a name exist as the mount shows it?  Locked. */
static int visible(const char *rel, enum sfs_path_kind kind)
{
	struct stat st;

	if (kind == SFS_P_SCRATCH)
		return sfs_scratch_find(rel) != NULL;
	return sfs_config_stat(rel, &st) == 0;
}

int sfs_rename(const char *from, const char *to, unsigned int flags)
{
	enum sfs_path_kind kf, kt;
	const char *rf, *rt;
	int rc;

	if (sfs_view_path(from) || sfs_view_path(to))
		return -EROFS;
	if (flags & ~(unsigned int)RENAME_NOREPLACE)
		return -EINVAL;
	kf = sfs_path_kind(from, &rf);
	kt = sfs_path_kind(to, &rt);
	if (kf == SFS_P_NONE || kf == SFS_P_REFUSED)
		return -ENOENT;
	if (kt == SFS_P_REFUSED)
		return -EINVAL;
	if ((kf != SFS_P_CONFIG && kf != SFS_P_SCRATCH) ||
	    (kt != SFS_P_CONFIG && kt != SFS_P_SCRATCH))
		return -EPERM;

	sfs_log(LOG_DEBUG, "rename '%s' to '%s'", rf, rt);
	sfs_lock();
	if (!visible(rf, kf)) {
		rc = -ENOENT;
	} else if ((flags & RENAME_NOREPLACE) && visible(rt, kt)) {
		rc = -EEXIST;
	} else if (kf == SFS_P_CONFIG && sfs_pending(rf, NULL)) {
		rc = -EBUSY;
	} else if (kf == SFS_P_CONFIG && kt == SFS_P_CONFIG) {
		rc = rename_config_config(rf, rt);
	} else if (kf == SFS_P_CONFIG) {
		rc = rename_config_scratch(rf, rt);
	} else if (kt == SFS_P_CONFIG) {
		rc = rename_scratch_config(rf, rt);
	} else {
		rc = rename_scratch_scratch(rf, rt);
	}
	sfs_unlock();
	return rc;
}

/* Symbolic links exist only as scratch files (emacs's lock .#F). */
int sfs_symlink(const char *target, const char *path)
{
	struct sfs_scratch *sc = NULL;
	const char *rel;
	int rc;

	if (sfs_view_path(path))
		return -EROFS;
	if (sfs_path_kind(path, &rel) != SFS_P_SCRATCH)
		return -EPERM;
	sfs_lock();
	if (sfs_scratch_find(rel)) {
		rc = -EEXIST;
	} else {
		rc = sfs_scratch_new(rel, S_IFLNK | 0777, &sc);
		if (!rc)
			rc = sfs_errno(hbuf_adds(&sc->data, target));
		if (rc && sc)
			sfs_scratch_unlink(sc);
	}
	sfs_unlock();
	return rc;
}

int sfs_readlink(const char *path, char *buf, size_t size)
{
	struct sfs_scratch *sc;
	const char *rel;
	int rc = -EINVAL;
	size_t n;

	if (size == 0)
		return -EINVAL;
	if (sfs_view_path(path))
		return sfs_view_readlink(path, buf, size);
	if (sfs_path_kind(path, &rel) != SFS_P_SCRATCH)
		return -EINVAL;
	sfs_lock();
	sc = sfs_scratch_find(rel);
	if (!sc) {
		rc = -ENOENT;
	} else if (S_ISLNK(sc->mode)) {
		n = sc->data.len < size - 1 ? sc->data.len : size - 1;
		memcpy(buf, hbuf_str(&sc->data), n);
		buf[n] = '\0';
		rc = 0;
	}
	sfs_unlock();
	return rc;
}

int sfs_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return statvfs(sfs.dir, sv) < 0 ? -errno : 0;
}

/* ---- extended attributes: only user.helios.error, read-only ---- */

int sfs_getxattr(const char *path, const char *name, char *value,
		 size_t size)
{
	const char *rel, *text;
	size_t n;
	int rc;

	if (strcmp(name, SFS_XATTR_ERROR) != 0)
		return -ENOTSUP;
	if (sfs_path_kind(path, &rel) != SFS_P_CONFIG)
		return -ENODATA;
	sfs_lock();
	text = sfs_refusal_last(rel);
	if (!text) {
		rc = -ENODATA;
	} else {
		n = strlen(text);
		if (size == 0)
			rc = (int)n;
		else if (size < n)
			rc = -ERANGE;
		else
			rc = (int)n;
		if (size >= n)
			memcpy(value, text, n);
	}
	sfs_unlock();
	return rc;
}

int sfs_listxattr(const char *path, char *list, size_t size)
{
	const size_t n = sizeof(SFS_XATTR_ERROR);
	const char *rel;
	int has;

	if (sfs_path_kind(path, &rel) != SFS_P_CONFIG)
		return 0;
	sfs_lock();
	has = sfs_refusal_last(rel) != NULL;
	sfs_unlock();
	if (!has)
		return 0;
	if (size == 0)
		return (int)n;
	if (size < n)
		return -ERANGE;
	memcpy(list, SFS_XATTR_ERROR, n);
	return (int)n;
}

int sfs_setxattr(const char *path, const char *name, const char *value,
		 size_t size, int flags)
{
	(void)name;
	(void)value;
	(void)size;
	(void)flags;
	return sfs_view_path(path) ? -EROFS : -ENOTSUP;
}

int sfs_removexattr(const char *path, const char *name)
{
	(void)name;
	return sfs_view_path(path) ? -EROFS : -ENOTSUP;
}

/*
 * views.c - the dispatch of every view path (see views_i.h): paths under
 * /snapshots go to snapshots.c, those under /merged to merged.c.
 */
#include "snapshots_i.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- dispatch of view paths ---- */

static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!path || path[0] != '/' || strncmp(path + 1, dir, n) != 0)
		return NULL;
	if (path[1 + n] != '\0' && path[1 + n] != '/')
		return NULL;
	return path + 1 + n;
}

int sfs_view_path(const char *path)
{
	return under(path, SFS_SNAPSHOTS_DIR) || under(path, SFS_MERGED_DIR);
}

uint64_t sfs_view_ino(const char *path)
{
	uint64_t h = 1469598103934665603ULL;

	/* FNV-1a, kept in the top quarter of the inode space. */
	for (; *path; path++) {
		h ^= (unsigned char)*path;
		h *= 1099511628211ULL;
	}
	return ((uint64_t)3 << 62) | (h >> 2);
}

int sfs_view_getattr(const char *path, struct stat *st)
{
	const char *sub;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((sub = under(path, SFS_SNAPSHOTS_DIR)))
		rc = sfs_snap_getattr(sub, st);
	else if ((sub = under(path, SFS_MERGED_DIR)))
		rc = sfs_merged_getattr(sub, st);
	else
		return -ENOENT;
	if (rc)
		return rc;
	st->st_ino = sfs_view_ino(path);
	st->st_uid = sfs.uid;
	st->st_gid = sfs.gid;
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	if (!st->st_nlink)
		st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	return 0;
}

int sfs_view_fgetattr(const struct sfs_handle *h, struct stat *st)
{
	int rc = sfs_view_getattr(h->rel, st);

	/* An open file keeps what it read at open, even if main moved. */
	if (rc == 0)
		st->st_size = (off_t)h->shadow.len;
	return rc;
}

int sfs_view_opendir(const char *path, struct fuse_file_info *fi)
{
	struct stat st;
	int rc;

	rc = sfs_view_getattr(path, &st);
	if (rc)
		return rc;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (fi->flags & (O_WRONLY | O_RDWR))
		return -EROFS;
	return sfs_handle_open_dir(path, fi);
}

int sfs_view_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		     off_t off, struct sfs_handle *dir)
{
	const char *sub;

	if ((sub = under(path, SFS_SNAPSHOTS_DIR)))
		return sfs_snap_readdir(sub, buf, fill, off, dir);
	if ((sub = under(path, SFS_MERGED_DIR)))
		return sfs_merged_readdir(sub, buf, fill);
	return -ENOENT;
}

int sfs_view_open(const char *path, struct fuse_file_info *fi)
{
	struct sfs_handle *h;
	const char *sub;
	int rc;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	rc = sfs_handle_new(SFS_H_VIEW, &h);
	if (rc)
		return rc;
	h->rel = strdup(path);
	if (!h->rel) {
		rc = -ENOMEM;
		goto out_free_handle;
	}
	if ((sub = under(path, SFS_SNAPSHOTS_DIR))) {
		rc = sfs_snap_open(sub, h);
		/* A path in a snapshot never changes its content. */
		fi->keep_cache = 1;
	} else {
		rc = sfs_merged_open(under(path, SFS_MERGED_DIR), h);
		/* Recomputed at every open; its size may change any time. */
		fi->direct_io = 1;
	}
	if (rc)
		goto out_free_handle;
	fi->noflush = 1;	/* read-only: a close has nothing to report */
	fi->fh = (uintptr_t)h;
	return 0;

out_free_handle:
	sfs_handle_free(h);
	return rc;
}

int sfs_view_read(const struct sfs_handle *h, char *buf, size_t size,
		  off_t off)
{
	size_t n;

	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= h->shadow.len)
		return 0;
	n = h->shadow.len - (size_t)off;
	if (n > size)
		n = size;
	memcpy(buf, h->shadow.ptr + off, n);
	return (int)n;
}

int sfs_view_readlink(const char *path, char *buf, size_t size)
{
	const char *sub = under(path, SFS_SNAPSHOTS_DIR);

	if (!sub)
		return -EINVAL;
	return sfs_snap_readlink(sub, buf, size);
}

void sfs_view_fill_root(void *buf, fuse_fill_dir_t fill)
{
	fill(buf, SFS_SNAPSHOTS_DIR, NULL, 0, 0);
	fill(buf, SFS_MERGED_DIR, NULL, 0, 0);
}

void sfs_views_head_changed(void)
{
	/*
	 * Once the loop has ended, libfuse frees its node table before it
	 * calls sfs_destroy(): an invalidation then reads freed memory.
	 */
	if (!sfs.fuse || fuse_session_exited(fuse_get_session(sfs.fuse)))
		return;
	fuse_invalidate_path(sfs.fuse, "/" SFS_SNAPSHOTS_DIR "/"
			     SFS_SNAPSHOT_LATEST);
	fuse_invalidate_path(sfs.fuse, "/" SFS_SNAPSHOTS_DIR);
}

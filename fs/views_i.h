/*
 * views_i.h - the read-only views of helios-fs: the history of the
 * store and the merged personas.
 *
 *	/snapshots/				one directory per commit of main
 *	/snapshots/latest			symbolic link to the newest one
 *	/snapshots/NAME/base/identity.yaml	the files as at that commit,
 *	/snapshots/NAME/personas/P.yaml		mtime = the commit's time
 *	/merged/P.yaml				persona P merged over the base
 *
 * NAME is the commit time in UTC and the short commit id,
 * "2026-12-04T152216Z-1a2b3c4".  A commit made in the same second as its
 * first parent gets a counter after the "Z" ("...152216Z.001-5d6e7f8",
 * ".002", ... up to ".999"), so that names sort by time and stay unique.
 *
 * Nothing is read from git at mount time.  A snapshot name is resolved
 * directly from its short id (and checked against its time); the
 * listing of /snapshots is built by a revision walk on readdir and
 * cached for as long as main points at the same commit.
 *
 * Every operation that would change something under either view fails
 * with EROFS.  An open view file is a handle of kind SFS_H_VIEW whose
 * shadow holds the whole content, computed (blob inflated, persona
 * merged) once at open; reads copy from it without any lock.
 *
 * Locking: snapshots_history.c has its own git repository handle and
 * listing cache under its own mutex (libgit2 objects are not
 * thread-safe).  It is never taken together with sfs_lock(), in either
 * order.
 *
 * Errors: like every FUSE operation of sfs_i.h, 0 or a negative errno.
 */
#ifndef HELIOS_VIEWS_I_H
#define HELIOS_VIEWS_I_H

#include "sfs_i.h"

#define SFS_SNAPSHOTS_DIR "snapshots"
#define SFS_MERGED_DIR "merged"
#define SFS_SNAPSHOT_LATEST "latest"

/* Longest snapshot name, with its NUL ("...Z.999-" and a full id). */
#define SFS_SNAPSHOT_NAME_MAX 72

/* ---- views.c, the dispatch of view paths ---- */

/* Whether a mount path is one of the views or inside one (NULL: no). */
int sfs_view_path(const char *path);

/*
 * Operations on view paths, called first by the matching sfs_ function
 * when sfs_view_path() says so.  sfs_view_fgetattr() and sfs_view_read()
 * take a handle of kind SFS_H_VIEW.
 */
int sfs_view_getattr(const char *path, struct stat *st);
int sfs_view_fgetattr(const struct sfs_handle *h, struct stat *st);
int sfs_view_opendir(const char *path, struct fuse_file_info *fi);
int sfs_view_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		     off_t off, struct sfs_handle *dir);
int sfs_view_open(const char *path, struct fuse_file_info *fi);
int sfs_view_read(const struct sfs_handle *h, char *buf, size_t size,
		  off_t off);
int sfs_view_readlink(const char *path, char *buf, size_t size);

/* Add the views' names to a listing of the mount root. */
void sfs_view_fill_root(void *buf, fuse_fill_dir_t fill);

/*
 * Main moved (a commit landed, or git changed the store behind the
 * mount): the kernel's cached entries of /snapshots and /snapshots/latest
 * are dropped.  Call it from a thread that is not serving a FUSE
 * request and holds neither sfs_lock() nor any libfuse lock, e.g. the
 * store watcher.  The listing cache needs no call: it is keyed by the
 * id main points at, checked on each readdir and lookup.
 */
void sfs_views_head_changed(void);

/* Free the git handle and caches; from sfs_destroy() (snapshots_history.c). */
void sfs_views_stop(void);

/* ---- snapshots.c, on the part of a path after "/snapshots" ---- */

int sfs_snap_getattr(const char *sub, struct stat *st);
/*
 * The listing of /snapshots is served in pieces, by offset, from a copy
 * kept in the directory handle dir (its shadow), so that a listing of
 * 100,000 names costs one pass and stays consistent while main moves.
 */
int sfs_snap_readdir(const char *sub, void *buf, fuse_fill_dir_t fill,
		     off_t off, struct sfs_handle *dir);
int sfs_snap_open(const char *sub, struct sfs_handle *h);
int sfs_snap_readlink(const char *sub, char *buf, size_t size);

/* ---- merged.c, on the part of a path after "/merged" ---- */

int sfs_merged_getattr(const char *sub, struct stat *st);
int sfs_merged_readdir(const char *sub, void *buf, fuse_fill_dir_t fill);
int sfs_merged_open(const char *sub, struct sfs_handle *h);

/* Inode number of a view path: stable, far from every other one. */
uint64_t sfs_view_ino(const char *path);

#endif

/*
 * snapshots.c - /snapshots, the history of main as read-only
 * directories: the FUSE operations on a snapshot's files and
 * directories.  Which commits there are, and their names, come from
 * snapshots_history.c; the routing of view paths is in views.c.
 */
#include "snapshots_i.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Split sub ("/NAME/personas/x.yaml") into the snapshot name and the
 * path inside it ("personas/x.yaml", "" for the snapshot itself).
 * Returns -ENOENT for anything that cannot exist.
 */
static int snap_split(const char *sub, char *name, const char **inner)
{
	const char *slash;
	size_t n;

	if (sub[0] != '/')
		return -ENOENT;
	sub++;
	slash = strchr(sub, '/');
	n = slash ? (size_t)(slash - sub) : strlen(sub);
	if (n == 0 || n >= SFS_SNAPSHOT_NAME_MAX)
		return -ENOENT;
	memcpy(name, sub, n);
	name[n] = '\0';
	*inner = slash ? slash + 1 : "";
	return 0;
}

/* Only base/ and personas/ of a commit's tree are shown. */
static int inner_allowed(const char *inner)
{
	return strncmp(inner, "base", 4) == 0 ?
		       (inner[4] == '\0' || inner[4] == '/') :
	       strncmp(inner, "personas", 8) == 0 ?
		       (inner[8] == '\0' || inner[8] == '/') : 0;
}

static void snap_time(struct stat *st, git_time_t t)
{
	st->st_mtim.tv_sec = (time_t)t;
	st->st_atim = st->st_ctim = st->st_mtim;
}

/*
 * The tree entry of inner in commit id; *out is NULL for the
 * snapshot's own directory.  Free with git_tree_entry_free().
 */
static int snap_entry_at(git_repository *repo, const git_oid *id,
			 const char *inner, git_tree_entry **out)
{
	git_commit *c;
	git_tree *tree;
	int rc;

	*out = NULL;
	if (*inner == '\0')
		return 0;
	if (!inner_allowed(inner))
		return -ENOENT;
	rc = git_commit_lookup(&c, repo, id);
	if (rc < 0)
		return sfs_snap__git_errno(rc);
	rc = git_commit_tree(&tree, c);
	git_commit_free(c);
	if (rc < 0)
		return sfs_snap__git_errno(rc);
	rc = git_tree_entry_bypath(out, tree, inner);
	git_tree_free(tree);
	return rc < 0 ? sfs_snap__git_errno(rc) : 0;
}

static int entry_stat(git_repository *repo, const git_tree_entry *e,
		      struct stat *st)
{
	git_object_t type;
	git_odb *odb;
	size_t len;
	int rc;

	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_TREE:
		st->st_mode = S_IFDIR | 0555;
		return 0;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		break;
	default:
		return -ENOENT;
	}
	rc = git_repository_odb(&odb, repo);
	if (rc < 0)
		return sfs_snap__git_errno(rc);
	/* The size from the object header: nothing is inflated. */
	rc = git_odb_read_header(&len, &type, odb, git_tree_entry_id(e));
	git_odb_free(odb);
	if (rc < 0)
		return sfs_snap__git_errno(rc);
	st->st_mode = S_IFREG | 0444;
	st->st_size = (off_t)len;
	return 0;
}

static int snap_getattr_locked(git_repository *repo, const char *sub,
			       struct stat *st)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	struct snap_entry se;
	git_tree_entry *e;
	const char *inner;
	git_commit *c;
	git_oid head;
	int rc;

	if (*sub == '\0') {
		rc = sfs_snap__head(repo, &head);
		if (rc == 0 && git_commit_lookup(&c, repo, &head) == 0) {
			snap_time(st, git_commit_time(c));
			git_commit_free(c);
		}
		st->st_mode = S_IFDIR | 0555;
		return 0;
	}
	rc = snap_split(sub, name, &inner);
	if (rc)
		return rc;
	rc = sfs_snap__find(repo, name, &se);
	if (rc)
		return rc;
	snap_time(st, se.time);
	if (strcmp(name, SFS_SNAPSHOT_LATEST) == 0) {
		if (*inner)
			return -ENOTDIR;	/* the kernel follows links */
		st->st_mode = S_IFLNK | 0777;
		st->st_size = (off_t)strlen(se.name);
		return 0;
	}
	rc = snap_entry_at(repo, &se.id, inner, &e);
	if (rc)
		return rc;
	if (!e) {
		st->st_mode = S_IFDIR | 0555;
		return 0;
	}
	rc = entry_stat(repo, e, st);
	git_tree_entry_free(e);
	return rc;
}

int sfs_snap_getattr(const char *sub, struct stat *st)
{
	git_repository *repo;
	int rc;

	pthread_mutex_lock(&sfs_snap__mutex);
	rc = sfs_snap__repo_get(&repo);
	if (!rc)
		rc = snap_getattr_locked(repo, sub, st);
	pthread_mutex_unlock(&sfs_snap__mutex);
	return rc;
}

static int fill_tree(git_repository *repo, const git_oid *id,
		     const char *inner, void *buf, fuse_fill_dir_t fill)
{
	const git_tree_entry *te;
	git_tree_entry *e;
	git_tree *tree;
	git_filemode_t mode;
	size_t i, n;
	int rc;

	rc = snap_entry_at(repo, id, inner, &e);
	if (rc)
		return rc;
	if (!e)
		return -ENOTDIR;
	if (git_tree_entry_filemode(e) != GIT_FILEMODE_TREE) {
		git_tree_entry_free(e);
		return -ENOTDIR;
	}
	rc = git_tree_lookup(&tree, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc < 0)
		return sfs_snap__git_errno(rc);
	n = git_tree_entrycount(tree);
	for (i = 0; i < n; i++) {
		te = git_tree_entry_byindex(tree, i);
		mode = git_tree_entry_filemode(te);
		if (mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_BLOB ||
		    mode == GIT_FILEMODE_BLOB_EXECUTABLE)
			fill(buf, git_tree_entry_name(te), NULL, 0, 0);
	}
	git_tree_free(tree);
	return 0;
}

/* List dir ("base", "personas") when that commit has it. */
static void fill_top(git_repository *repo, const git_oid *id,
		     const char *dir, void *buf, fuse_fill_dir_t fill)
{
	git_tree_entry *e;

	if (snap_entry_at(repo, id, dir, &e) == 0 && e &&
	    git_tree_entry_filemode(e) == GIT_FILEMODE_TREE)
		fill(buf, dir, NULL, 0, 0);
	git_tree_entry_free(e);
}

static int snap_readdir_locked(git_repository *repo, const char *sub,
			       void *buf, fuse_fill_dir_t fill)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	struct snap_entry se;
	const char *inner;
	int rc;

	rc = snap_split(sub, name, &inner);
	if (rc)
		return rc;
	if (strcmp(name, SFS_SNAPSHOT_LATEST) == 0)
		return -ENOTDIR;
	rc = sfs_snap__find(repo, name, &se);
	if (rc)
		return rc;
	if (*inner == '\0') {
		fill(buf, ".", NULL, 0, 0);
		fill(buf, "..", NULL, 0, 0);
		fill_top(repo, &se.id, "base", buf, fill);
		fill_top(repo, &se.id, "personas", buf, fill);
		return 0;
	}
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	return fill_tree(repo, &se.id, inner, buf, fill);
}

/*
 * Entry i of the listing of /snapshots: ".", "..", the snapshots in
 * name order, then "latest".  NULL past the end.
 */
static const char *snap_list_name(const struct snap_item *items, size_t n,
				  size_t i, char *name)
{
	if (i == 0)
		return ".";
	if (i == 1)
		return "..";
	if (i - 2 < n) {
		i -= 2;
		sfs_snap__format(name, items[i].time, items[i].tie,
				 &items[i].id);
		return name;
	}
	return i - 2 == n && n ? SFS_SNAPSHOT_LATEST : NULL;
}

int sfs_snap_readdir(const char *sub, void *buf, fuse_fill_dir_t fill,
		     off_t off, struct sfs_handle *dir)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	const struct snap_item *items;
	git_repository *repo;
	const char *entry;
	size_t i, n;
	int rc;

	if (!dir || off < 0)
		return -EBADF;
	pthread_mutex_lock(&sfs_snap__mutex);
	rc = sfs_snap__repo_get(&repo);
	if (!rc && *sub != '\0') {
		rc = snap_readdir_locked(repo, sub, buf, fill);
	} else if (!rc && (off == 0 || !dir->shadow.len)) {
		/* A listing from the start takes main as it is now. */
		hbuf_setlen(&dir->shadow, 0);
		rc = sfs_snap__list_copy(repo, &dir->shadow);
	}
	pthread_mutex_unlock(&sfs_snap__mutex);
	if (rc || *sub != '\0')
		return rc;

	/* Offsets are positions in the handle's copy: one pass in all. */
	items = (const struct snap_item *)(const void *)dir->shadow.ptr;
	n = dir->shadow.len / sizeof(*items);
	for (i = (size_t)off; (entry = snap_list_name(items, n, i, name));
	     i++)
		if (fill(buf, entry, NULL, (off_t)i + 1, 0))
			break;
	return 0;
}

/* Inflate the blob at sub into the handle's shadow, once per open. */
static int snap_open_locked(git_repository *repo, const char *sub,
			    struct sfs_handle *h)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	struct snap_entry se;
	git_tree_entry *e;
	const char *inner;
	git_blob *blob;
	git_filemode_t mode;
	int rc;

	rc = snap_split(sub, name, &inner);
	if (rc)
		return rc;
	if (strcmp(name, SFS_SNAPSHOT_LATEST) == 0)
		return -ENOENT;	/* the kernel resolves the link first */
	rc = sfs_snap__find(repo, name, &se);
	if (rc)
		return rc;
	rc = snap_entry_at(repo, &se.id, inner, &e);
	if (rc)
		return rc;
	if (!e)
		return -EISDIR;
	mode = git_tree_entry_filemode(e);
	if (mode == GIT_FILEMODE_TREE) {
		rc = -EISDIR;
		goto out_free_entry;
	}
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
		rc = -ENOENT;
		goto out_free_entry;
	}
	rc = git_blob_lookup(&blob, repo, git_tree_entry_id(e));
	if (rc < 0) {
		rc = sfs_snap__git_errno(rc);
		goto out_free_entry;
	}
	rc = sfs_errno(hbuf_add(&h->shadow, git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob)));
	git_blob_free(blob);
out_free_entry:
	git_tree_entry_free(e);
	return rc;
}

int sfs_snap_open(const char *sub, struct sfs_handle *h)
{
	git_repository *repo;
	int rc;

	pthread_mutex_lock(&sfs_snap__mutex);
	rc = sfs_snap__repo_get(&repo);
	if (!rc)
		rc = snap_open_locked(repo, sub, h);
	pthread_mutex_unlock(&sfs_snap__mutex);
	return rc;
}

int sfs_snap_readlink(const char *sub, char *buf, size_t size)
{
	git_repository *repo;
	struct snap_entry se;
	int rc;

	if (strcmp(sub, "/" SFS_SNAPSHOT_LATEST) != 0)
		return -EINVAL;
	if (size == 0)
		return -EINVAL;
	pthread_mutex_lock(&sfs_snap__mutex);
	rc = sfs_snap__repo_get(&repo);
	if (!rc)
		rc = sfs_snap__find(repo, SFS_SNAPSHOT_LATEST, &se);
	pthread_mutex_unlock(&sfs_snap__mutex);
	if (rc)
		return rc;
	snprintf(buf, size, "%s", se.name);
	return 0;
}

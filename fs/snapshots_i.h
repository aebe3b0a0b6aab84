/*
 * snapshots_i.h - what the files of /snapshots share: the history side
 * (snapshots_history.c) that lists and names the commits of main, and
 * the lock that guards it, used by the file side (snapshots.c).
 */
#ifndef HELIOS_FS_SNAPSHOTS_I_H
#define HELIOS_FS_SNAPSHOTS_I_H

#include "views_i.h"

#include <git2.h>
#include <pthread.h>

struct snap_entry {
	char name[SFS_SNAPSHOT_NAME_MAX];
	git_oid id;
	git_time_t time;
};

/* A commit in the listing: its name is made when it is listed. */
struct snap_item {
	git_oid id;
	git_time_t time;
	unsigned tie;
};

/* Guards the repository, the listing and the recent names. */
extern pthread_mutex_t sfs_snap__mutex;

/* Everything below needs sfs_snap__mutex. */

/* A libgit2 error code as -errno. */
int sfs_snap__git_errno(int code);

/* Open the store's repository on first use: nothing at mount time. */
int sfs_snap__repo_get(git_repository **out);

/* Where main points now: one small file read, no history. */
int sfs_snap__head(git_repository *repo, git_oid *out);

/* The name of a snapshot: time, tie counter and abbreviated id. */
void sfs_snap__format(char *out, git_time_t t, unsigned tie,
		      const git_oid *id);

/* The commit a name under /snapshots stands for ("latest" too). */
int sfs_snap__find(git_repository *repo, const char *name,
		   struct snap_entry *out);

/* Copy the listing for main as it is now into out (appended). */
int sfs_snap__list_copy(git_repository *repo, struct hbuf *out);

#endif

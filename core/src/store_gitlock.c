/*
 * store_gitlock.c - clear the lock files a killed writer left in .git.
 *
 * libgit2 moves refs/heads/main and rewrites the index through
 * "NAME.lock" files: created with O_EXCL, written, renamed into place.
 * A writer killed between the create and the rename leaves the lock
 * file behind, and every later commit then fails with "failed to lock
 * file".  Every Helios writer holds the store lock while it commits, so
 * while we hold it, such a file belongs either to a dead Helios writer
 * or to a git command working in the store at this moment.  A git
 * process keeps its lock file open until just before the rename, so a
 * lock file that no process has open, and that is still there after a
 * short wait, is stale and is removed.
 */
#include "store_i.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The lock files a commit by Helios needs to create, relative to .git. */
static const char *const gitlock_names[] = {
	"refs/heads/main.lock",
	"index.lock",
	"HEAD.lock",
	"packed-refs.lock",
};

#define GITLOCK_WAIT_STEPS 20		/* 20 x 50 ms: one second */

/* Non-zero when some process has path open (any /proc/PID/fd entry). */
static int gitlock_is_open(const char *path)
{
	char fddir[300], link[600], target[PATH_MAX];
	struct dirent *p, *f;
	DIR *procs, *fds;
	ssize_t n;
	int found = 0;

	procs = opendir("/proc");
	if (!procs)
		return 1;	/* cannot tell: assume it is in use */
	while (!found && (p = readdir(procs))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%s/fd", p->d_name);
		fds = opendir(fddir);
		if (!fds)
			continue;
		while (!found && (f = readdir(fds))) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%s", fddir,
				 f->d_name);
			n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			found = !strcmp(target, path);
		}
		closedir(fds);
	}
	closedir(procs);
	return found;
}

static void gitlock_sleep_step(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* 1 when path was stale and is gone now, 0 when absent or in use. */
static int gitlock_clear_one(const char *path)
{
	struct stat sb;
	int i;

	for (i = 0; i < GITLOCK_WAIT_STEPS; i++) {
		if (lstat(path, &sb) < 0)
			return 0;
		if (i == 0 && !gitlock_is_open(path))
			break;
		gitlock_sleep_step();
	}
	if (lstat(path, &sb) < 0 || gitlock_is_open(path))
		return 0;
	return unlink(path) == 0;
}

int store_gitlock__find_stale(const char *gitdir, char *path, size_t size)
{
	struct stat sb;
	size_t i;

	for (i = 0; i < sizeof(gitlock_names) / sizeof(gitlock_names[0]);
	     i++) {
		if ((size_t)snprintf(path, size, "%s%s", gitdir,
				     gitlock_names[i]) >= size)
			continue;
		if (lstat(path, &sb) == 0 && !gitlock_is_open(path))
			return 1;
	}
	return 0;
}

int store_gitlock__clear_stale(struct store *st)
{
	const char *gitdir = git_repository_path(st->repo);
	char path[PATH_MAX];
	size_t i;
	int cleared = 0;

	for (i = 0; i < sizeof(gitlock_names) / sizeof(gitlock_names[0]);
	     i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", gitdir,
				     gitlock_names[i]) >= sizeof(path))
			continue;
		cleared += gitlock_clear_one(path);
	}
	return cleared;
}

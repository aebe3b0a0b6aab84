/*
 * daemon.c - what helios-fs checks before it mounts: one daemon per
 * store, and a mountpoint left dead by a daemon that crashed.
 *
 * The mount lock is STORE/.helios-state/mount.lock, held with an open
 * file description lock for the daemon's whole life: the kernel drops it
 * when the daemon dies, however it dies, and it survives the fork into
 * the background.  The file says who holds it ("PID\nMOUNTPOINT\n"), for
 * the message a second daemon prints.
 */
#include "sfs_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define MOUNT_LOCK_NAME STORE_RUNTIME_DIR "/mount.lock"

static int lock_fd = -1;

/* Who holds the lock, from its content: "pid N on 'MNT'". */
static void holder_text(int fd, char *out, size_t size)
{
	char buf[4200], *nl;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		snprintf(out, size, "another helios-fs");
		return;
	}
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (!nl) {
		snprintf(out, size, "another helios-fs");
		return;
	}
	*nl++ = '\0';
	nl[strcspn(nl, "\n")] = '\0';
	snprintf(out, size, "helios-fs (pid %s) on '%s'", buf, nl);
}

int sfs_mount_lock(const char *mountpoint)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[4096], holder[4400];

	if (snprintf(path, sizeof(path), "%s/%s", sfs.dir, STORE_RUNTIME_DIR) >=
	    (int)sizeof(path))
		return -1;
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		sfs_log(LOG_ERR, "cannot create '%s': %s", path,
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", sfs.dir, MOUNT_LOCK_NAME);
	lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock_fd < 0) {
		sfs_log(LOG_ERR, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fcntl(lock_fd, F_OFD_SETLK, &fl) < 0) {
		if (errno == EAGAIN || errno == EACCES) {
			holder_text(lock_fd, holder, sizeof(holder));
			sfs_log(LOG_ERR, "store '%s' is already mounted by %s;"
				" unmount it first (fusermount3 -u MOUNTPOINT)",
				sfs.dir, holder);
		} else {
			sfs_log(LOG_ERR, "cannot lock '%s': %s", path,
				strerror(errno));
		}
		close(lock_fd);
		lock_fd = -1;
		return -1;
	}
	return sfs_mount_lock_owner(mountpoint);
}

/* Record this process as the holder; again after the fork. */
int sfs_mount_lock_owner(const char *mountpoint)
{
	char buf[4200];
	int n;

	if (lock_fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n%s\n", (int)getpid(), mountpoint);
	if (n < 0 || n >= (int)sizeof(buf))
		n = snprintf(buf, sizeof(buf), "%d\n?\n", (int)getpid());
	if (ftruncate(lock_fd, 0) < 0 || pwrite(lock_fd, buf, (size_t)n, 0) < 0)
		sfs_log(LOG_WARNING, "cannot write the mount lock: %s",
			strerror(errno));
	return 0;
}

void sfs_mount_unlock(void)
{
	if (lock_fd < 0)
		return;
	if (ftruncate(lock_fd, 0) < 0) {
		/* the lock goes anyway */
	}
	close(lock_fd);
	lock_fd = -1;
}

static int run_fusermount_lazy(const char *mountpoint)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", "-z", "--",
		       mountpoint, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * statfs() is never answered from the kernel's caches, so it tells a dead
 * mount (ENOTCONN) even when stat() would still find cached attributes.
 */
int sfs_mountpoint_check(const char *mountpoint)
{
	struct statfs sf;
	struct stat st;

	if (statfs(mountpoint, &sf) == 0 || errno != ENOTCONN)
		return 0;
	sfs_log(LOG_NOTICE, "'%s' is a dead mount left by a daemon that "
		"stopped; detaching it (fusermount3 -u -z)", mountpoint);
	if (run_fusermount_lazy(mountpoint) == 0 && stat(mountpoint, &st) == 0)
		return 0;
	sfs_log(LOG_ERR, "'%s' is a dead mount and cannot be detached; run: "
		"fusermount3 -u -z '%s'", mountpoint, mountpoint);
	return -1;
}

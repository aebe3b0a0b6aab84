/*
 * store_lock.c - a mutex for threads plus an OFD lock for processes.
 */
#include "store_lock_i.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int store_lock_init(struct store_lock *l, const char *state_dir,
		    struct helios_error *err)
{
	l->fd = -1;
	l->state_dir = strdup(state_dir);
	if (!l->state_dir ||
	    asprintf(&l->path, "%s/lock", state_dir) < 0) {
		free(l->state_dir);
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	if (pthread_mutex_init(&l->mu, NULL) != 0) {
		free(l->state_dir);
		free(l->path);
		return helios_error_set(err, HELIOS_ENOMEM,
					"cannot create the store mutex");
	}
	return 0;
}

/* Open (creating when needed) the lock file and take the OFD lock. */
static int lock_file_take(struct store_lock *l, struct helios_error *err)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 0,	/* the whole file */
		.l_pid = 0,	/* required by OFD locks */
	};
	int fd, saverr;

	if (mkdir(l->state_dir, 0700) < 0 && errno != EEXIST)
		return helios_error_sys(err, errno, "cannot create '%s'",
					l->state_dir);
	fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return helios_error_sys(err, errno, "cannot open lock '%s'",
					l->path);
	while (fcntl(fd, F_OFD_SETLKW, &fl) < 0) {
		if (errno == EINTR)
			continue;
		saverr = errno;
		close(fd);
		return helios_error_sys(err, saverr, "cannot lock '%s'",
					l->path);
	}
	l->fd = fd;
	return 0;
}

int store_lock_acquire(struct store_lock *l, struct helios_error *err)
{
	int rc;

	pthread_mutex_lock(&l->mu);
	rc = lock_file_take(l, err);
	if (rc)
		pthread_mutex_unlock(&l->mu);
	return rc;
}

void store_lock_release(struct store_lock *l)
{
	/* closing the only descriptor of the description drops the lock */
	close(l->fd);
	l->fd = -1;
	pthread_mutex_unlock(&l->mu);
}

void store_lock_enter(struct store_lock *l)
{
	pthread_mutex_lock(&l->mu);
}

void store_lock_leave(struct store_lock *l)
{
	pthread_mutex_unlock(&l->mu);
}

void store_lock_destroy(struct store_lock *l)
{
	pthread_mutex_destroy(&l->mu);
	free(l->state_dir);
	free(l->path);
	l->state_dir = NULL;
	l->path = NULL;
}

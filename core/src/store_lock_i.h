/*
 * store_lock_i.h - the writer lock of a store.
 *
 * Two layers, always taken in this order and released in reverse:
 *
 *  1. a pthread mutex in struct store_lock serialises the threads of one
 *     process that share a struct store (and protects the libgit2
 *     repository handle, which is not safe to use from two threads);
 *  2. an open-file-description lock (fcntl F_OFD_SETLKW, a write lock on
 *     the whole file) on STORE_RUNTIME_DIR/lock serialises processes.
 *
 * The lock file is opened afresh for every acquisition and closed on
 * release, which drops the OFD lock.  The lock belongs to that open file
 * description, not to the process: it conflicts with every other
 * description, so it also works between threads, and the kernel
 * releases it when the last descriptor closes, which includes the
 * holder's death by SIGKILL: no stale lock, no PID file.  O_CLOEXEC
 * keeps the descriptor out of programs the holder executes, which would
 * otherwise keep the lock alive.  The file is empty and never removed.
 *
 *	struct store_lock l;
 *	store_lock_init(&l, "/store/.helios-state", &err);
 *	store_lock_acquire(&l, &err);	blocks until the lock is ours
 *	...
 *	store_lock_release(&l);
 *	store_lock_destroy(&l);
 */
#ifndef HELIOS_STORE_LOCK_I_H
#define HELIOS_STORE_LOCK_I_H

#include <pthread.h>

#include "helios/error.h"

struct store_lock {
	pthread_mutex_t mu;
	char *state_dir;	/* created on the first acquisition */
	char *path;		/* state_dir + "/lock" */
	int fd;			/* open while held, else -1 */
};

/* No file is touched here.  0 or HELIOS_ENOMEM. */
int store_lock_init(struct store_lock *l, const char *state_dir,
		    struct helios_error *err);

/*
 * Block until this thread holds both layers.  Creates state_dir (0700)
 * and the lock file (0600) when missing.  On failure nothing is held:
 * HELIOS_EIO with errno in err (EROFS or EACCES on a read-only store).
 */
int store_lock_acquire(struct store_lock *l, struct helios_error *err);

void store_lock_release(struct store_lock *l);

/*
 * The thread layer alone, for short reads of the repository that need
 * no exclusion from other processes (and must work on a read-only
 * store).
 */
void store_lock_enter(struct store_lock *l);
void store_lock_leave(struct store_lock *l);

/* Free the contents; the lock must not be held. */
void store_lock_destroy(struct store_lock *l);

#endif

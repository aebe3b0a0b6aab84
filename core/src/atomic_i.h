/*
 * atomic_i.h - replace a file atomically: the reader sees either the old
 * content or the new one, never a mix, and a crash leaves the target
 * untouched or fully replaced.
 *
 * The new content goes to a temporary file "DIR/.helios-tmp-NAME-XXXXXX"
 * beside the target (the same directory, hence the same filesystem, so
 * rename(2) is atomic).  It is created with O_CREAT|O_EXCL and given the
 * mode of the existing target, or the caller's default mode when there is
 * none.  Lifecycle:
 *
 *	struct atomic_file af;
 *	rc = atomic_begin(&af, "/store/personas/coder.yaml", 0600, &err);
 *	atomic_write(&af, buf, n);	(as often as needed; errors stick)
 *	rc = atomic_commit(&af, &err);	fsync, rename, fsync the directory
 * or
 *	atomic_abort(&af);		unlink the temporary file
 *
 * atomic_commit() and atomic_abort() both end the lifecycle and free
 * everything; on any failure the temporary file is unlinked and the
 * target is left as it was.  errno is preserved across the cleanup, so
 * the caller still sees the errno of the call that failed.
 *
 * Leftover temporary files (after a crash) match ATOMIC_TMP_PREFIX and
 * are removed by the store's recovery on open.
 */
#ifndef HELIOS_ATOMIC_I_H
#define HELIOS_ATOMIC_I_H

#include <stddef.h>
#include <sys/types.h>

#include "helios/error.h"

#define ATOMIC_TMP_PREFIX ".helios-tmp-"

struct atomic_file {
	int fd;			/* temporary file, -1 when none */
	char *target;		/* path of the file being replaced */
	char *tmp_path;		/* path of the temporary file */
	int sticky_errno;	/* first write error, 0 when none */
};

/*
 * Create the temporary file for target.  mode_default is used when the
 * target does not exist yet.  0 or HELIOS_EIO / HELIOS_ENOMEM; on
 * failure af holds nothing that needs releasing.
 */
int atomic_begin(struct atomic_file *af, const char *target,
		 mode_t mode_default, struct helios_error *err);

/* Append bytes.  An error is remembered and reported by atomic_commit(). */
void atomic_write(struct atomic_file *af, const void *buf, size_t len);

/*
 * fsync the temporary file, rename it over the target and fsync the
 * directory.  0 or HELIOS_EIO (the temporary file is gone either way).
 */
int atomic_commit(struct atomic_file *af, struct helios_error *err);

/* Drop the temporary file; the target is untouched.  errno preserved. */
void atomic_abort(struct atomic_file *af);

/* The whole lifecycle for one buffer. */
int atomic_write_file(const char *target, const void *buf, size_t len,
		      mode_t mode_default, struct helios_error *err);

/* fsync the directory that holds path, after a rename or an unlink. */
int atomic_fsync_parent(const char *path, struct helios_error *err);

#endif

/*
 * atomic.c - replace a file through a temporary file beside it.
 */
#include "atomic_i.h"
#include "helios/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Split path into a malloc'd directory ("." when none) and a basename. */
static char *path_dirname(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		*base = path;
		return strdup(".");
	}
	*base = slash + 1;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int atomic_fsync_parent(const char *path, struct helios_error *err)
{
	const char *base;
	char *dir = path_dirname(path, &base);
	int fd, rc = 0;

	if (!dir)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = helios_error_sys(err, errno, "cannot fsync directory '%s'",
				      dir);
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

static void atomic_release(struct atomic_file *af)
{
	free(af->target);
	free(af->tmp_path);
	af->target = NULL;
	af->tmp_path = NULL;
	af->fd = -1;
}

int atomic_begin(struct atomic_file *af, const char *target,
		 mode_t mode_default, struct helios_error *err)
{
	const char *base;
	char *dir;
	struct stat st;
	mode_t mode = mode_default;
	int saverr, rc;

	af->fd = -1;
	af->tmp_path = NULL;
	af->sticky_errno = 0;
	af->target = strdup(target);
	dir = path_dirname(target, &base);
	if (!af->target || !dir)
		goto out_nomem;
	if (asprintf(&af->tmp_path, "%s/" ATOMIC_TMP_PREFIX "%s-XXXXXX", dir,
		     base) < 0) {
		af->tmp_path = NULL;
		goto out_nomem;
	}
	/* a link's target is not ours: its mode must not leak in */
	if (lstat(target, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;

	/* mkostemp opens with O_CREAT|O_EXCL and mode 0600 */
	af->fd = mkostemp(af->tmp_path, O_CLOEXEC);
	if (af->fd < 0) {
		saverr = errno;
		rc = helios_error_sys(err, saverr,
				      "cannot create temporary file in '%s'",
				      dir);
		goto out_free;
	}
	if (fchmod(af->fd, mode) < 0) {
		saverr = errno;
		rc = helios_error_sys(err, saverr, "cannot set mode of '%s'",
				      af->tmp_path);
		goto out_unlink;
	}
	free(dir);
	return 0;

out_nomem:
	saverr = ENOMEM;
	rc = helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	goto out_free;
out_unlink:
	unlink(af->tmp_path);
	close(af->fd);
	af->fd = -1;
out_free:
	free(dir);
	atomic_release(af);
	errno = saverr;
	return rc;
}

void atomic_write(struct atomic_file *af, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len && !af->sticky_errno) {
		n = write(af->fd, p, len);
		if (n < 0) {
			if (errno != EINTR)
				af->sticky_errno = errno;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
}

void atomic_abort(struct atomic_file *af)
{
	int saverr = errno;

	if (af->fd >= 0) {
		close(af->fd);
		unlink(af->tmp_path);
	}
	atomic_release(af);
	errno = saverr;
}

int atomic_commit(struct atomic_file *af, struct helios_error *err)
{
	int saverr = af->sticky_errno;
	const char *what = "write";
	int rc;

	fault_point("tmp-written");
	if (!saverr && fsync(af->fd) < 0) {
		saverr = errno;
		what = "fsync";
	}
	if (close(af->fd) < 0 && !saverr) {
		saverr = errno;
		what = "close";
	}
	af->fd = -1;
	fault_point("tmp-fsynced");
	if (!saverr && rename(af->tmp_path, af->target) < 0) {
		saverr = errno;
		what = "rename";
	}
	if (saverr) {
		helios_error_sys(err, saverr, "cannot %s '%s'", what,
				 af->tmp_path);
		unlink(af->tmp_path);
		atomic_release(af);
		errno = saverr;
		return HELIOS_EIO;
	}

	fault_point("renamed");
	rc = atomic_fsync_parent(af->target, err);
	fault_point("dir-fsynced");
	atomic_release(af);
	return rc;
}

int atomic_write_file(const char *target, const void *buf, size_t len,
		      mode_t mode_default, struct helios_error *err)
{
	struct atomic_file af;
	int rc;

	rc = atomic_begin(&af, target, mode_default, err);
	if (rc)
		return rc;
	atomic_write(&af, buf, len);
	return atomic_commit(&af, err);
}

/*
 * intent.c - make an acknowledged rm survive a crash of the daemon.
 *
 * The delete commit of an unlinked persona is deferred (see state.c),
 * but unlink() has already returned 0 to the user.  Before it does, the
 * intent to delete is recorded durably in
 * STORE/.helios-state/mount-deletes/personas@NAME.yaml, holding the
 * bytes the file had when it was unlinked (fsynced, and its directory
 * too).  The record goes when the delete is committed or
 * cancelled (the name was saved again, or renamed back).  A daemon
 * starting on the store finishes every delete still recorded: those are
 * the acknowledged deletes of a daemon that died before committing,
 * unless the file has changed since (another face saved it anew).
 *
 * NEEDSWORK: the record is replayed only when a daemon mounts the store
 * again; until then the command line and the MCP server still see the
 * persona that rm deleted.
 */
#include "sfs_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INTENT_DIR STORE_RUNTIME_DIR "/mount-deletes"

/* rel "personas/x.yaml" <-> record name "personas@x.yaml". */
static int intent_path(const char *rel, char *out, size_t size)
{
	char name[NAME_MAX + 1];
	size_t i;
	int n;

	if (strlen(rel) > NAME_MAX)
		return -ENAMETOOLONG;
	for (i = 0; rel[i]; i++)
		name[i] = rel[i] == '/' ? '@' : rel[i];
	name[i] = '\0';
	n = snprintf(out, size, "%s/%s/%s", sfs.dir, INTENT_DIR, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sfs_intent_delete_record(const char *rel)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct hbuf cur;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s/%s", sfs.dir, STORE_RUNTIME_DIR);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/%s", sfs.dir, INTENT_DIR);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	rc = intent_path(rel, path, sizeof(path));
	if (rc)
		return rc;
	hbuf_init(&cur, SFS_CONFIG_MAX);
	rc = sfs_config_read(rel, &cur);
	if (rc) {
		hbuf_release(&cur);
		return rc;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		  O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		hbuf_release(&cur);
		return rc;
	}
	rc = write_all(fd, hbuf_str(&cur), cur.len);
	hbuf_release(&cur);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (!rc)
		rc = fsync_dir(dir);
	return rc;
}

void sfs_intent_delete_done(const char *rel)
{
	char path[PATH_MAX];

	if (intent_path(rel, path, sizeof(path)) == 0)
		unlink(path);
}

/* Convert a record name back to a store-relative path (in place). */
static const char *intent_rel(char *name)
{
	char *at = strchr(name, '@');

	if (!at)
		return NULL;
	*at = '/';
	return hdoc_kind_of_path(name) == HDOC_PERSONA ? name : NULL;
}

/* Read a record file whole; 0 or -errno. */
static int intent_read(const char *path, struct hbuf *out)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || hbuf_add(out, chunk, (size_t)n)) {
			rc = -EIO;
			break;
		}
	}
	close(fd);
	return rc;
}

/*
 * Finish the delete recorded in record, provided the store still holds
 * the recorded bytes (checked under the store lock): a file saved anew
 * since, by another face, is kept.
 */
static void intent_finish(const char *record, const char *rel)
{
	struct helios_error err;
	struct store_expect was;
	struct hbuf want;
	int rc;

	hbuf_init(&want, SFS_CONFIG_MAX);
	helios_error_clear(&err);
	rc = intent_read(record, &want);
	if (rc) {
		sfs_log(LOG_ERR, "cannot read the delete record of '%s': %s",
			rel, strerror(-rc));
		hbuf_release(&want);
		return;
	}
	was = (struct store_expect){ hbuf_str(&want), want.len };
	rc = store_delete_if(sfs.st, rel, &was, "mount", &err);
	if (rc == HELIOS_ECONFLICT)
		sfs_log(LOG_NOTICE, "'%s' changed after its delete was "
			"acknowledged; kept", rel);
	else if (rc == 0)
		sfs_log(LOG_INFO, "committed delete of '%s' (acknowledged "
			"before a crash)", rel);
	else if (rc != HELIOS_ENOTFOUND)
		sfs_log(LOG_ERR, "cannot finish the delete of '%s': %s", rel,
			err.msg);
	hbuf_release(&want);
}

void sfs_intent_replay(void)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], record[PATH_MAX + NAME_MAX + 2];
	struct dirent *e;
	const char *rel;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", sfs.dir, INTENT_DIR);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s", e->d_name);
		if ((size_t)snprintf(record, sizeof(record), "%s/%s", dir,
				     e->d_name) >= sizeof(record))
			continue;
		rel = intent_rel(name);
		if (rel)
			intent_finish(record, rel);
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

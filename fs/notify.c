/*
 * notify.c - keeping the kernel's caches of the mount true to the store.
 *
 * The kernel caches attributes and pages of the mount's files.  The store
 * also changes behind the mount (the command line, the MCP server, git,
 * hand edits), and a save through the mount can change what a name shows
 * without touching the store (a refusal, a hidden or restored name).
 *
 * One thread owns every cache invalidation.  It watches base/ and
 * personas/ of the store and the git refs with inotify, and takes paths
 * queued by request handlers through sfs_invalidate_later(); for each
 * changed configuration name it drops the kernel's attributes and pages
 * of the name, of its merged view, and of the directory.
 *
 * Invalidations are sent only from this thread, which holds no lock of
 * the daemon while it sends them: dropping a file's pages waits for page
 * locks that a reader holds while its READ is being served, so a request
 * handler that invalidated (or the notifier holding sfs_lock()) could wait
 * on a READ that waits on it.
 */
#include "sfs_i.h"
#include "views_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define QUEUE_MAX 256

static pthread_mutex_t queue_mutex = PTHREAD_MUTEX_INITIALIZER;
static char *queue[QUEUE_MAX];
static size_t queue_len;
static int queue_overflow;
static int queue_open;		/* between start and stop */

static pthread_t notifier;
static int notifier_running;
static int wake_pipe[2] = { -1, -1 };
static int ino_fd = -1;
static int wd_base = -1, wd_personas = -1, wd_root = -1, wd_git = -1;

#define FILE_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
		     IN_DELETE | IN_CREATE | IN_ATTRIB | IN_MODIFY)
#define REF_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE)
#define DIR_EVENTS (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)

static int add_watch(const char *rel, uint32_t mask);

static void wake(void)
{
	char c = 1;

	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0) {
		/* full pipe: the thread is awake already */
	}
}

void sfs_invalidate_later(const char *rel)
{
	char *copy;

	pthread_mutex_lock(&queue_mutex);
	if (!queue_open) {
		pthread_mutex_unlock(&queue_mutex);
		return;
	}
	if (queue_len == QUEUE_MAX) {
		queue_overflow = 1;
	} else {
		copy = strdup(rel);
		if (copy)
			queue[queue_len++] = copy;
		else
			queue_overflow = 1;
	}
	wake();	/* under the mutex: stop closes the pipe under it */
	pthread_mutex_unlock(&queue_mutex);
}

static void inval_path(const char *path)
{
	int rc;

	if (!sfs.fuse)
		return;
	rc = fuse_invalidate_path(sfs.fuse, path);
	sfs_log(LOG_DEBUG, "invalidated '%s'%s", path,
		rc == -ENOENT ? " (not cached)" : "");
}

static void inval_merged(const char *name);

/* Drop the kernel's view of store-relative rel and what derives from it. */
static void inval_rel(const char *rel)
{
	char path[PATH_MAX];
	const char *slash = strchr(rel, '/');

	snprintf(path, sizeof(path), "/%s", rel);
	inval_path(path);
	if (!slash)
		return;
	snprintf(path, sizeof(path), "/%.*s", (int)(slash - rel), rel);
	inval_path(path);
	if (strncmp(rel, "personas/", 9) == 0)
		inval_merged(slash + 1);
	else
		inval_merged(NULL);
}

static int is_persona_name(const char *name)
{
	char rel[NAME_MAX + 16];

	snprintf(rel, sizeof(rel), "personas/%s", name);
	return hdoc_kind_of_path(rel) == HDOC_PERSONA;
}

/* merged/NAME of one persona, or of all of them when name is NULL. */
static void inval_merged(const char *name)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (name) {
		snprintf(path, sizeof(path), "/merged/%s", name);
		inval_path(path);
		return;
	}
	inval_path("/merged");
	snprintf(dir, sizeof(dir), "%s/personas", sfs.dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (is_persona_name(de->d_name))
			inval_merged(de->d_name);
	closedir(d);
}

/* Everything: after an inotify or queue overflow. */
static void inval_all(void)
{
	char dir[PATH_MAX], rel[PATH_MAX];
	struct dirent *de;
	DIR *d;

	inval_rel("base/identity.yaml");
	snprintf(dir, sizeof(dir), "%s/personas", sfs.dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!is_persona_name(de->d_name))
			continue;
		snprintf(rel, sizeof(rel), "personas/%s", de->d_name);
		inval_rel(rel);
	}
	closedir(d);
	inval_path("/" SFS_ERRLOG_NAME);
}

static void drain_queue(void)
{
	char *batch[QUEUE_MAX];
	size_t i, n;
	int overflow;

	pthread_mutex_lock(&queue_mutex);
	n = queue_len;
	memcpy(batch, queue, n * sizeof(*batch));
	queue_len = 0;
	overflow = queue_overflow;
	queue_overflow = 0;
	pthread_mutex_unlock(&queue_mutex);

	for (i = 0; i < n; i++) {
		inval_rel(batch[i]);
		free(batch[i]);
	}
	if (overflow)
		inval_all();
}

/* base/ or personas/ was replaced (a restore, a checkout): watch anew. */
static void rewatch(const char *name)
{
	if (strcmp(name, "base") == 0)
		wd_base = add_watch("base", FILE_EVENTS);
	else if (strcmp(name, "personas") == 0)
		wd_personas = add_watch("personas", FILE_EVENTS);
	else
		return;
	inval_all();
}

static void handle_event(const struct inotify_event *ev)
{
	char rel[NAME_MAX + 16];

	if (ev->mask & IN_Q_OVERFLOW) {
		inval_all();
		return;
	}
	if (ev->mask & IN_IGNORED) {
		/* The directory went away; its new one is seen from root. */
		if (ev->wd == wd_base)
			wd_base = -1;
		else if (ev->wd == wd_personas)
			wd_personas = -1;
		return;
	}
	if (ev->wd == wd_root) {
		if (ev->len)
			rewatch(ev->name);
		return;
	}
	/* In .git itself only HEAD and packed-refs say where main is. */
	if (ev->wd == wd_git && (!ev->len ||
	    (strcmp(ev->name, "HEAD") != 0 &&
	     strcmp(ev->name, "packed-refs") != 0)))
		return;
	if (ev->wd == wd_base || ev->wd == wd_personas) {
		if (!ev->len)
			return;
		snprintf(rel, sizeof(rel), "%s/%s",
			 ev->wd == wd_base ? "base" : "personas", ev->name);
		if (hdoc_kind_of_path(rel) == HDOC_NONE)
			return;
		sfs_log(LOG_DEBUG, "store changed: '%s'", rel);
		inval_rel(rel);
		return;
	}
	/* A ref moved: a commit landed; the history view changes. */
	if (sfs.fuse)
		sfs_views_head_changed();
}

static void read_events(void)
{
	char buf[8192]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(ino_fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			handle_event(ev);
		}
	}
}

static void *notifier_main(void *arg)
{
	struct pollfd fds[2];
	char drain[64];
	ssize_t n;

	(void)arg;
	fds[0].fd = wake_pipe[0];
	fds[0].events = POLLIN;
	fds[1].fd = ino_fd;
	fds[1].events = POLLIN;
	for (;;) {
		if (poll(fds, ino_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents) {
			n = read(wake_pipe[0], drain, sizeof(drain));
			if (n == 0 || (n < 0 && errno != EAGAIN))
				break;	/* write end closed: stop */
		}
		if (ino_fd >= 0 && (fds[1].revents & POLLIN))
			read_events();
		drain_queue();
	}
	return NULL;
}

static int add_watch(const char *rel, uint32_t mask)
{
	char path[PATH_MAX];
	int wd;

	snprintf(path, sizeof(path), "%s/%s", sfs.dir, rel);
	wd = inotify_add_watch(ino_fd, path, mask);
	if (wd < 0)
		sfs_log(LOG_WARNING, "cannot watch '%s': %s; changes made "
			"there show after the caches expire", path,
			strerror(errno));
	return wd;
}

int sfs_notify_start(void)
{
	int rc;

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	pthread_mutex_lock(&queue_mutex);
	queue_open = 1;
	pthread_mutex_unlock(&queue_mutex);
	ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino_fd < 0) {
		sfs_log(LOG_WARNING, "cannot watch the store: %s",
			strerror(errno));
	} else {
		wd_root = add_watch(".", DIR_EVENTS);
		wd_base = add_watch("base", FILE_EVENTS);
		wd_personas = add_watch("personas", FILE_EVENTS);
		wd_git = add_watch(".git", REF_EVENTS);
		add_watch(".git/refs/heads", REF_EVENTS);
	}
	rc = pthread_create(&notifier, NULL, notifier_main, NULL);
	if (rc) {
		sfs_notify_stop();
		return -rc;
	}
	notifier_running = 1;
	return 0;
}

void sfs_notify_stop(void)
{
	size_t i;

	pthread_mutex_lock(&queue_mutex);
	queue_open = 0;
	if (wake_pipe[1] >= 0) {
		close(wake_pipe[1]);	/* the thread sees EOF and ends */
		wake_pipe[1] = -1;
	}
	pthread_mutex_unlock(&queue_mutex);
	if (notifier_running) {
		pthread_join(notifier, NULL);
		notifier_running = 0;
	}
	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		wake_pipe[0] = -1;
	}
	if (ino_fd >= 0) {
		close(ino_fd);
		ino_fd = -1;
	}
	pthread_mutex_lock(&queue_mutex);
	for (i = 0; i < queue_len; i++)
		free(queue[i]);
	queue_len = 0;
	pthread_mutex_unlock(&queue_mutex);
}

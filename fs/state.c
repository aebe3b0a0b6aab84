/*
 * state.c - the daemon's global state, path classification and the
 * overlay of hidden and pending configuration names.
 *
 * The overlay exists because tools save in several steps, and no step
 * on its own may become a commit:
 *  - vim renames F to F~ and creates F again: F is hidden (no delete
 *    commit) until a valid F is published or F~ is renamed back; when
 *    neither comes (mv F F.bak) the delete is committed as below;
 *  - mv from another filesystem and git checkout unlink F and create it
 *    again: the delete commit is deferred until the unlinking process has
 *    exited or SFS_DELETE_GRACE_MS passed, and a publish of F in the
 *    meantime turns the pair into one "update" commit;
 *  - a created configuration file is visible (pending) to its creator
 *    before its first valid flush adds it to the store.
 */
#include "sfs_i.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sfs sfs;

struct sfs_over {
	char *rel;
	enum sfs_hide hide;
	pid_t pid;			/* who unlinked it */
	struct timespec deadline;	/* commit the delete by then */
	struct hbuf gone;		/* its bytes when it was hidden */
	int has_gone;
	unsigned pending_refs;		/* handles that created it */
	int pending;			/* visible as a new, empty file */
	mode_t pmode;
	struct timespec ptime;
	uint64_t pino;
	struct sfs_over *next;
};

static pthread_mutex_t sfs_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct sfs_over *overlay;

static pthread_t deleter;
static pthread_cond_t deleter_cond = PTHREAD_COND_INITIALIZER;
static int deleter_running;
static int deleter_stopping;

void sfs_lock(void)
{
	pthread_mutex_lock(&sfs_mutex);
}

/* Nothing is sent to the kernel here: see notify.c. */
void sfs_unlock(void)
{
	pthread_mutex_unlock(&sfs_mutex);
}

/*
 * The single place where core codes become errnos.  Core functions
 * return negative HELIOS_E* codes; FUSE operations return negative
 * errnos; helios_code_to_errno() gives a positive errno.
 */
int sfs_errno(int code)
{
	if (code >= 0)
		return code;
	return -helios_code_to_errno(code);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum sfs_path_kind sfs_path_kind(const char *path, const char **rel)
{
	const char *name;

	if (path[0] != '/')
		return SFS_P_NONE;
	*rel = path + 1;
	if (path[1] == '\0')
		return SFS_P_ROOT;
	if (strcmp(*rel, SFS_ERRLOG_NAME) == 0)
		return SFS_P_ERRLOG;
	if (strcmp(*rel, "base") == 0 || strcmp(*rel, "personas") == 0)
		return SFS_P_DIR;

	if (strncmp(*rel, "base/", 5) == 0)
		name = *rel + 5;
	else if (strncmp(*rel, "personas/", 9) == 0)
		name = *rel + 9;
	else
		return SFS_P_NONE;
	if (*name == '\0' || strchr(name, '/'))
		return SFS_P_NONE;

	if (hdoc_kind_of_path(*rel) != HDOC_NONE)
		return SFS_P_CONFIG;
	/*
	 * A visible *.yaml name that is not configuration would look like
	 * a persona to the user and vanish at unmount: refuse it.  Dot
	 * names stay scratch (rsync and atomic writers use them).
	 */
	if (name[0] != '.' && has_suffix(name, ".yaml"))
		return SFS_P_REFUSED;
	return SFS_P_SCRATCH;
}

int sfs_store_path(const char *rel, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s", sfs.dir, rel);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static struct sfs_over *over_find(const char *rel)
{
	struct sfs_over *o;

	for (o = overlay; o; o = o->next)
		if (strcmp(o->rel, rel) == 0)
			return o;
	return NULL;
}

static struct sfs_over *over_get(const char *rel)
{
	struct sfs_over *o = over_find(rel);

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->rel = strdup(rel);
	if (!o->rel) {
		free(o);
		return NULL;
	}
	hbuf_init(&o->gone, SFS_CONFIG_MAX);
	o->next = overlay;
	overlay = o;
	return o;
}

/* Drop o when it no longer changes anything. */
static void over_gc(struct sfs_over *o)
{
	struct sfs_over **pp;

	if (o->hide != SFS_SHOWN || o->pending || o->pending_refs)
		return;
	for (pp = &overlay; *pp; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			hbuf_release(&o->gone);
			free(o->rel);
			free(o);
			return;
		}
	}
}

enum sfs_hide sfs_hidden(const char *rel)
{
	struct sfs_over *o = over_find(rel);

	return o ? o->hide : SFS_SHOWN;
}

int sfs_hide(const char *rel, enum sfs_hide how, pid_t pid)
{
	struct sfs_over *o = over_get(rel);
	long grace = how == SFS_HIDE_RENAMED ? SFS_RENAME_GRACE_MS :
					       SFS_DELETE_GRACE_MS;

	if (!o)
		return -ENOMEM;
	/* The delete that may follow removes this version and no other. */
	hbuf_setlen(&o->gone, 0);
	o->has_gone = sfs_config_read(rel, &o->gone) == 0;
	o->hide = how;
	o->pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &o->deadline);
	o->deadline.tv_sec += grace / 1000;
	o->deadline.tv_nsec += grace % 1000 * 1000000;
	if (o->deadline.tv_nsec >= 1000000000) {
		o->deadline.tv_sec++;
		o->deadline.tv_nsec -= 1000000000;
	}
	pthread_cond_signal(&deleter_cond);
	return 0;
}

int sfs_hidden_content(const char *rel, struct hbuf *out)
{
	struct sfs_over *o = over_find(rel);

	if (!o || o->hide == SFS_SHOWN || !o->has_gone)
		return -ENOENT;
	hbuf_setlen(out, 0);
	return sfs_errno(hbuf_add(out, hbuf_str(&o->gone), o->gone.len));
}

void sfs_unhide(const char *rel)
{
	struct sfs_over *o = over_find(rel);

	if (!o)
		return;
	if (o->hide == SFS_HIDE_UNLINKED)
		sfs_intent_delete_done(rel);
	o->hide = SFS_SHOWN;
	over_gc(o);
}

int sfs_pending(const char *rel, struct stat *st)
{
	struct sfs_over *o = over_find(rel);

	if (!o || !o->pending)
		return 0;
	if (st) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFREG | (o->pmode & 07777);
		st->st_nlink = 1;
		st->st_uid = sfs.uid;
		st->st_gid = sfs.gid;
		st->st_ino = o->pino;
		st->st_atim = o->ptime;
		st->st_mtim = o->ptime;
		st->st_ctim = o->ptime;
		st->st_blksize = 4096;
		st->st_size = (off_t)sfs_writer_pending_size(rel);
	}
	return 1;
}

int sfs_pending_add(const char *rel, mode_t mode)
{
	struct sfs_over *o = over_get(rel);

	if (!o)
		return -ENOMEM;
	if (!o->pending) {
		o->pending = 1;
		o->pmode = mode;
		o->pino = sfs_next_ino();
		clock_gettime(CLOCK_REALTIME, &o->ptime);
	}
	o->pending_refs++;
	return 0;
}

void sfs_pending_put(const char *rel)
{
	struct sfs_over *o = over_find(rel);

	if (!o || !o->pending_refs)
		return;
	if (--o->pending_refs == 0)
		o->pending = 0;
	over_gc(o);
}

void sfs_pending_drop(const char *rel)
{
	struct sfs_over *o = over_find(rel);

	if (!o)
		return;
	o->pending = 0;
	over_gc(o);
}

void sfs_pending_each(const char *dir, void (*fn)(const char *name,
						    void *arg), void *arg)
{
	size_t n = strlen(dir);
	struct sfs_over *o;

	for (o = overlay; o; o = o->next)
		if (o->pending && strncmp(o->rel, dir, n) == 0 &&
		    o->rel[n] == '/')
			fn(o->rel + n + 1, arg);
}

int sfs_config_stat(const char *rel, struct stat *st)
{
	char path[4096];
	int rc;

	if (sfs_pending(rel, st))
		return 0;
	if (sfs_hidden(rel) != SFS_SHOWN)
		return -ENOENT;
	rc = sfs_store_path(rel, path, sizeof(path));
	if (rc)
		return rc;
	if (lstat(path, st) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return -ENOENT;
	return 0;
}

int sfs_config_read(const char *rel, struct hbuf *out)
{
	struct helios_error err;
	int rc;

	helios_error_clear(&err);
	rc = store_read(sfs.st, rel, out, &err);
	if (rc && rc != HELIOS_ENOTFOUND)
		sfs_log(LOG_ERR, "cannot read '%s': %s", rel, err.msg);
	return sfs_errno(rc);
}

void sfs_published(const char *rel)
{
	struct sfs_over *o = over_find(rel);

	if (!o)
		return;
	if (o->hide == SFS_HIDE_UNLINKED)
		sfs_intent_delete_done(rel);
	o->hide = SFS_SHOWN;
	o->pending = 0;
	over_gc(o);
}

void sfs_refused(const char *rel)
{
	struct sfs_over *o = over_find(rel);

	/*
	 * A tool that unlinked or renamed away F to write it anew (mv,
	 * git checkout, emacs) and then had the new content refused would
	 * otherwise lose F: keep the old F instead, as every other refused
	 * save does.
	 */
	if (o && o->hide != SFS_SHOWN) {
		sfs_log(LOG_NOTICE, "'%s' kept: its replacement was refused",
			rel);
		sfs_intent_delete_done(rel);
		o->hide = SFS_SHOWN;
		over_gc(o);
	}
	sfs_invalidate_later(rel);
}

/* ---- deferred deletes ---- */

const char *sfs_proc_stat(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	size_t n;

	if (pid <= 0 || size < 2)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strrchr(buf, ')');
}

static int pid_gone(pid_t pid)
{
	char buf[512];
	const char *p;

	if (pid <= 0)
		return 0;
	p = sfs_proc_stat(pid, buf, sizeof(buf));
	return !p || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X';
}

static int ts_passed(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

/*
 * Commit a deferred delete, unless another face saved the file after it
 * was hidden: then that save stays and the file shows again.
 */
static void commit_delete(struct sfs_over *o)
{
	struct store_expect was = { hbuf_str(&o->gone), o->gone.len };
	struct helios_error err;
	int rc;

	helios_error_clear(&err);
	rc = store_delete_if(sfs.st, o->rel, o->has_gone ? &was : NULL,
			     "mount", &err);
	sfs_refusal_clear(o->rel);
	if (rc == HELIOS_ECONFLICT) {
		sfs_log(LOG_NOTICE, "'%s' was saved again in the store after "
			"it was removed through the mount; kept", o->rel);
	} else if (rc == HELIOS_EPERM) {
		/* mv base/identity.yaml elsewhere, and no new base came */
		helios_error_clear(&err);
		helios_error_set(&err, HELIOS_EPERM, "the base identity cannot "
				 "be deleted; it stays");
		sfs_refusal_add(o->rel, NULL, &err);
	} else if (rc) {
		sfs_log(LOG_ERR, "cannot delete '%s': %s", o->rel, err.msg);
	} else {
		sfs_log(LOG_INFO, "committed delete of '%s'", o->rel);
	}
	/* a failed delete is logged; the record would only retry it */
	sfs_intent_delete_done(o->rel);
	sfs_invalidate_later(o->rel);
	o->hide = SFS_SHOWN;
}

/* Commit the deferred deletes that are due (all when force).  Locked. */
static int run_deletes(int force)
{
	struct sfs_over *o, *next;
	int waiting = 0;

	for (o = overlay; o; o = next) {
		next = o->next;
		if (o->hide == SFS_SHOWN)
			continue;
		if (force || pid_gone(o->pid) || ts_passed(&o->deadline)) {
			commit_delete(o);
			over_gc(o);
		} else {
			waiting++;
		}
	}
	return waiting;
}

static void *deleter_main(void *arg)
{
	struct timespec ts;
	int waiting = 0;

	(void)arg;
	sfs_lock();
	while (!deleter_stopping) {
		if (waiting) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 20 * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&deleter_cond, &sfs_mutex, &ts);
		} else {
			pthread_cond_wait(&deleter_cond, &sfs_mutex);
		}
		waiting = run_deletes(0);
	}
	run_deletes(1);
	sfs_unlock();
	return NULL;
}

int sfs_deleter_start(void)
{
	int rc = pthread_create(&deleter, NULL, deleter_main, NULL);

	if (rc)
		return -rc;
	deleter_running = 1;
	return 0;
}

void sfs_deleter_stop(void)
{
	struct sfs_over *o;

	if (deleter_running) {
		sfs_lock();
		deleter_stopping = 1;
		pthread_cond_signal(&deleter_cond);
		sfs_unlock();
		pthread_join(deleter, NULL);
		deleter_running = 0;
	}
	sfs_lock();
	while ((o = overlay)) {
		overlay = o->next;
		hbuf_release(&o->gone);
		free(o->rel);
		free(o);
	}
	sfs_unlock();
}

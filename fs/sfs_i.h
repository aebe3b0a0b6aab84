/*
 * sfs_i.h - internals of helios-fs, the FUSE mount of a Helios store.
 *
 * What the mount shows:
 *
 *	/errors.log		the last refusals, read-only (refusal.c)
 *	/base/identity.yaml	configuration, served from the store's
 *	/personas/NAME.yaml	working tree; saves go through store_write()
 *	/base/OTHER, ...	scratch files, kept in daemon memory only
 *
 * A configuration name can also be in an overlay state (state.c):
 * hidden because an editor renamed it to a backup name, hidden because
 * it was unlinked and its delete commit is deferred for a moment (mv
 * across filesystems and git checkout unlink and re-create), or pending
 * because a handle created it and has not published valid content yet.
 *
 * Locking: one mutex (sfs_lock()/sfs_unlock()) guards the scratch table,
 * the overlay, the refusal record and every handle's mutable state.
 * Store calls are made with it held, which serialises saves; reads of
 * configuration files through read-only handles use pread() on a private
 * descriptor and take no lock.  The kernel's caches are invalidated only
 * by the notifier thread (notify.c), which holds no lock of the daemon
 * while it does: request handlers only queue paths for it.
 *
 * Errors: sfs_ functions that implement FUSE operations return 0 or a
 * negative errno, as libfuse expects.  Core HELIOS_E* codes become
 * errnos in exactly one place, sfs_errno().
 */
#ifndef HELIOS_SFS_I_H
#define HELIOS_SFS_I_H

#define FUSE_USE_VERSION 35

#include <fuse.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>

#include "helios/buf.h"
#include "helios/store.h"
#include "helios/validate.h"

/* Ceiling of a configuration file's pending content (EFBIG beyond). */
#define SFS_CONFIG_MAX ((size_t)1 << 20)
/* Ceiling of one scratch file held in memory (EFBIG beyond). */
#define SFS_SCRATCH_MAX ((size_t)16 << 20)
/* How many refusals /errors.log keeps. */
#define SFS_REFUSALS_MAX 100
/* Attribute cache lifetime; the notifier invalidates on change. */
#define SFS_ATTR_TIMEOUT 10.0
/* A config file changed this recently (s) is read past the page cache. */
#define SFS_FRESH_SEC 2
/* Longest wait before a deferred delete is committed, in ms. */
#define SFS_DELETE_GRACE_MS 2000
/*
 * The same for a file renamed to a scratch name by a process that is
 * still running: an editor between its backup rename and its new file,
 * which may be slow under load.  mv exits at once, so waits none of it.
 */
#define SFS_RENAME_GRACE_MS 10000

#define SFS_ERRLOG_NAME "errors.log"
#define SFS_XATTR_ERROR "user.helios.error"

/* Synthetic inode numbers, far from any real ext4/xfs/btrfs one. */
#define SFS_INO_ERRLOG ((uint64_t)1 << 62)
#define SFS_INO_SYNTH_BASE (((uint64_t)1 << 62) + 16)

/* ---- log.c ---- */

/* Levels are syslog's (LOG_ERR ... LOG_DEBUG). */
void sfs_log_setup(int level, int use_syslog);
int sfs_log_enabled(int level);
void sfs_log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The level test happens before the arguments are evaluated. */
#define sfs_log(level, ...)						\
	do {								\
		if (sfs_log_enabled(level))				\
			sfs_log_msg(level, __VA_ARGS__);		\
	} while (0)

/* ---- state.c: global state, path kinds, overlay ---- */

enum sfs_path_kind {
	SFS_P_NONE,	/* nothing can exist there (ENOENT) */
	SFS_P_ROOT,
	SFS_P_DIR,	/* base/ or personas/ */
	SFS_P_ERRLOG,
	SFS_P_CONFIG,	/* hdoc_kind_of_path() != HDOC_NONE */
	SFS_P_SCRATCH,
	SFS_P_REFUSED,	/* a *.yaml name the naming rules refuse */
};

enum sfs_hide {
	SFS_SHOWN,
	SFS_HIDE_RENAMED,	/* renamed away to a scratch name */
	SFS_HIDE_UNLINKED,	/* unlinked, delete commit deferred */
};

struct sfs {
	struct store *st;
	char *dir;		/* store directory (owned) */
	struct timespec started;
	uid_t uid;
	gid_t gid;
	struct fuse *fuse;	/* set by sfs_init() */
};

extern struct sfs sfs;

void sfs_lock(void);
void sfs_unlock(void);

/* Core code (negative HELIOS_E*) to negative errno, the one mapping. */
int sfs_errno(int code);

/* Classify a mount path ("/personas/x.yaml"); *rel gets the part
 * after the leading slash (borrowed from path). */
enum sfs_path_kind sfs_path_kind(const char *path, const char **rel);

/* Absolute store path of rel into out; -ENAMETOOLONG. */
int sfs_store_path(const char *rel, char *out, size_t size);

/* Overlay queries and updates; all need sfs_lock(). */
enum sfs_hide sfs_hidden(const char *rel);
int sfs_hide(const char *rel, enum sfs_hide how, pid_t pid);
/* The bytes a hidden rel had when it was hidden, into out; -ENOENT. */
int sfs_hidden_content(const char *rel, struct hbuf *out);
void sfs_unhide(const char *rel);
int sfs_pending(const char *rel, struct stat *st);
int sfs_pending_add(const char *rel, mode_t mode);
void sfs_pending_put(const char *rel);
void sfs_pending_drop(const char *rel);

/* A config file's attributes as the mount shows it: pending, hidden
 * (-ENOENT) or the real file.  Needs sfs_lock(). */
int sfs_config_stat(const char *rel, struct stat *st);

/* Read the current content of a config file in the store. */
int sfs_config_read(const char *rel, struct hbuf *out);

/*
 * intent.c: an acknowledged rm is recorded durably before unlink()
 * returns, forgotten when its delete is committed or cancelled, and
 * finished by the next daemon when this one died first.
 */
int sfs_intent_delete_record(const char *rel);
void sfs_intent_delete_done(const char *rel);
void sfs_intent_replay(void);

/* Call after a publish of rel landed: the overlay forgets rel. */
void sfs_published(const char *rel);
/* Call after a publish of rel was refused. */
void sfs_refused(const char *rel);

/* Names of pending and hidden entries under dir ("personas"), for
 * readdir; calls fn for each pending one, returns whether a name is
 * hidden through sfs_hidden(). */
void sfs_pending_each(const char *dir, void (*fn)(const char *name,
						    void *arg), void *arg);

/* The deferred-delete worker. */
int sfs_deleter_start(void);
void sfs_deleter_stop(void);

/* ---- daemon.c: start-up checks ---- */

/* Take the store's mount lock, or log who holds it and return -1. */
int sfs_mount_lock(const char *mountpoint);
/* Write this process's pid as the holder (after the fork). */
int sfs_mount_lock_owner(const char *mountpoint);
void sfs_mount_unlock(void);
/* A dead FUSE mount at mountpoint is detached; -1 (logged) if it stays. */
int sfs_mountpoint_check(const char *mountpoint);

/* ---- notify.c: the kernel's caches follow the store ---- */

/* Watch the store and start the thread that sends invalidations. */
int sfs_notify_start(void);
void sfs_notify_stop(void);
/* Have the notifier drop the kernel's caches of store-relative rel
 * (and of its directory and merged view) soon.  Any thread, any lock:
 * it only queues. */
void sfs_invalidate_later(const char *rel);

/* ---- scratch.c: in-memory scratch files ---- */

struct sfs_scratch {
	char *rel;
	struct hbuf data;	/* content, or the target of a symlink */
	mode_t mode;		/* S_IFREG or S_IFLNK plus permissions */
	struct timespec atime, mtime, ctime;
	struct timespec born;	/* created (CLOCK_REALTIME) */
	struct hbuf origin;	/* the config file it was renamed from, as
				 * that file was then (vim's F~) */
	int has_origin;
	struct sfs_seen *seen;	/* the config files beside it at birth */
	size_t nseen;
	int has_seen;
	uint64_t ino;
	unsigned refs;		/* table link plus open handles */
	int linked;		/* still in the table */
	struct sfs_scratch *next;
};

/*
 * Has the store's file rel (now: its stat, NULL when absent) stayed as
 * it was when sc was born?  1 yes, 0 no (a save landed: every store save
 * makes a new inode), -1 unknown (rel is not beside sc).
 */
int sfs_scratch_saw(const struct sfs_scratch *sc, const char *rel,
		    const struct stat *now);

/* All need sfs_lock(). */
struct sfs_scratch *sfs_scratch_find(const char *rel);
int sfs_scratch_new(const char *rel, mode_t mode, struct sfs_scratch **out);
void sfs_scratch_unlink(struct sfs_scratch *sc);
void sfs_scratch_get(struct sfs_scratch *sc);
void sfs_scratch_put(struct sfs_scratch *sc);
int sfs_scratch_rename(struct sfs_scratch *sc, const char *to);
void sfs_scratch_stat(const struct sfs_scratch *sc, struct stat *st);
void sfs_scratch_touch(struct sfs_scratch *sc);
void sfs_scratch_each(const char *dir, void (*fn)(const char *name,
						    void *arg), void *arg);
uint64_t sfs_next_ino(void);
void sfs_scratch_free_all(void);

/* ---- refusal.c: the refusal record ---- */

/* Record a refused save of rel with its reasons (diags, or err when
 * diags holds no error).  Needs sfs_lock(). */
void sfs_refusal_add(const char *rel, const struct hdiag_list *diags,
		     const struct helios_error *err);
/* A valid save of rel landed: its xattr goes away. */
void sfs_refusal_clear(const char *rel);
/* Render /errors.log into out. */
int sfs_refusal_render(struct hbuf *out);
/* Newest refusal text of rel, or NULL (borrowed, valid under lock). */
const char *sfs_refusal_last(const char *rel);
void sfs_refusal_free_all(void);

/* ---- handle.c: open files ---- */

enum sfs_handle_kind {
	SFS_H_CONFIG,
	SFS_H_SCRATCH,
	SFS_H_ERRLOG,
	SFS_H_DIR,
	SFS_H_VIEW,	/* a file of /snapshots or /merged (views_i.h) */
};

struct sfs_handle {
	enum sfs_handle_kind kind;
	char *rel;			/* config: store-relative path;
					 * dir: the mount path */
	struct sfs_scratch *sc;		/* scratch: referenced object */
	int fd;				/* read-only config: private fd */
	int writable;
	int append;
	struct hbuf shadow;	/* config writers; errors.log snapshot */
	struct hbuf base;	/* config writers: the store's content
				 * when opened or last saved by it */
	unsigned dirty:1;	/* shadow changed since the last publish */
	unsigned tried:1;	/* this shadow was refused already */
	unsigned trunc_only:1;	/* O_TRUNC and nothing written yet */
	unsigned too_big:1;	/* a write went over SFS_CONFIG_MAX: the
				 * shadow is cut short, never published */
	unsigned pending:1;	/* holds a reference on a pending entry */
	unsigned has_base:1;	/* the store had the file (base valid) */
	pid_t pid;		/* config writers: the opener */
	struct sfs_handle *next;	/* config writers: all of them */
	struct sfs_handle *live_prev;	/* every handle not yet freed */
	struct sfs_handle *live_next;
};

int sfs_handle_new(enum sfs_handle_kind kind, struct sfs_handle **out);
/* Config writers are listed, to find the one an O_TRUNC belongs to. */
void sfs_writer_add(struct sfs_handle *h);
struct sfs_handle *sfs_writer_find_fresh(const char *rel, pid_t pid);
size_t sfs_writer_pending_size(const char *rel);
/* Log the writers with unsaved changes (at unmount).  Locked. */
void sfs_writers_report(void);
void sfs_handle_free(struct sfs_handle *h);
/* A directory handle remembering path (readdir gets none); into fi. */
int sfs_handle_open_dir(const char *path, struct fuse_file_info *fi);
/* Free the handles still open at unmount (no RELEASE comes).  Locked. */
void sfs_handles_free_all(void);
/* Remember the store's current content of h->rel as h's base.  Locked. */
int sfs_handle_set_base(struct sfs_handle *h);
/* Validate and commit the shadow; 0, -EINVAL, -ESTALE when the store
 * changed since h's base and the shadow would overwrite that change, or
 * another -errno. */
int sfs_handle_publish(struct sfs_handle *h);
/*
 * What a save was based on, checked under the store lock: still() says
 * whether the store's current content (cur, NULL when there is no file)
 * may be replaced; when not, the save is refused with why.
 */
struct sfs_basis {
	int (*still)(const struct hbuf *cur, void *arg);
	void *arg;
	const char *why;
	pid_t pid;	/* the saving process: what it last read counts too */
};

/*
 * /proc/PID/stat into buf; a pointer to the ')' that ends its command
 * name (the state follows after a space), or NULL when pid is gone.
 */
const char *sfs_proc_stat(pid_t pid, char *buf, size_t size);

/*
 * reads.c: the version of a config file each process last read.  Note
 * st as pid's version of rel (known_only: only if pid read it before).
 * Locked.
 */
void sfs_reads_note(pid_t pid, const char *rel, const struct stat *st,
		    int known_only);
/* 1 unless pid read another version of rel than now (NULL: absent). */
int sfs_reads_still(pid_t pid, const char *rel, const struct stat *now);
void sfs_reads_free_all(void);
/* A still() for a basis that is the bytes of the struct hbuf arg. */
int sfs_basis_same(const struct hbuf *cur, void *arg);
/* Publish from a buffer: the one path every save of the mount takes. */
int sfs_publish(const char *rel, const void *buf, size_t len,
		const struct sfs_basis *basis);

static inline struct sfs_handle *sfs_fh(const struct fuse_file_info *fi)
{
	return fi ? (struct sfs_handle *)(uintptr_t)fi->fh : NULL;
}

/* ---- ops_dir.c and ops_file.c: FUSE operations ---- */

void *sfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg);
void sfs_destroy(void *data);
int sfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi);
int sfs_opendir(const char *path, struct fuse_file_info *fi);
int sfs_releasedir(const char *path, struct fuse_file_info *fi);
int sfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		struct fuse_file_info *fi, enum fuse_readdir_flags flags);
int sfs_mkdir(const char *path, mode_t mode);
int sfs_rmdir(const char *path);
int sfs_unlink(const char *path);
int sfs_rename(const char *from, const char *to, unsigned int flags);
int sfs_symlink(const char *target, const char *path);
int sfs_readlink(const char *path, char *buf, size_t size);
int sfs_link(const char *from, const char *to);
int sfs_mknod(const char *path, mode_t mode, dev_t dev);
int sfs_statfs(const char *path, struct statvfs *sv);
int sfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int sfs_chown(const char *path, uid_t uid, gid_t gid,
	      struct fuse_file_info *fi);
int sfs_utimens(const char *path, const struct timespec tv[2],
		struct fuse_file_info *fi);
int sfs_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int sfs_setxattr(const char *path, const char *name, const char *value,
		 size_t size, int flags);
int sfs_getxattr(const char *path, const char *name, char *value,
		 size_t size);
int sfs_listxattr(const char *path, char *list, size_t size);
int sfs_removexattr(const char *path, const char *name);

int sfs_open(const char *path, struct fuse_file_info *fi);
int sfs_create(const char *path, mode_t mode, struct fuse_file_info *fi);
int sfs_read(const char *path, char *buf, size_t size, off_t off,
	     struct fuse_file_info *fi);
int sfs_write(const char *path, const char *buf, size_t size, off_t off,
	      struct fuse_file_info *fi);
int sfs_flush(const char *path, struct fuse_file_info *fi);
int sfs_fsync(const char *path, int datasync, struct fuse_file_info *fi);
int sfs_release(const char *path, struct fuse_file_info *fi);

#endif

/*
 * store_i.h - internals shared by store.c, store_git.c and
 * store_recover.c.
 */
#ifndef HELIOS_STORE_I_H
#define HELIOS_STORE_I_H

#include <git2.h>
#include <stddef.h>

#include "helios/store.h"
#include "store_lock_i.h"

#define STORE_BRANCH_REF "refs/heads/main"
#define STORE_JOURNAL_NAME "journal"
#define STORE_PATH_MAX 128	/* "personas/" + HNAME_MAX + ".yaml" fits */

struct store {
	char *dir;		/* absolute, no trailing slash */
	char *state_dir;	/* dir + "/" STORE_RUNTIME_DIR */
	int created;
	int git_started;	/* this store called git_libgit2_init() */
	int git_deferred;	/* opened with STORE_OPEN_DEFER_GIT and the
				 * repository not yet opened */
	git_repository *repo;	/* used under lock only */
	struct store_lock lock;
};

/*
 * Finish a deferred open (STORE_OPEN_DEFER_GIT): start libgit2, open the
 * repository and check it is a store.  A no-op once done.  Called with
 * the lock (or at least its mutex) held, before anything uses st->repo.
 */
int store__git_ready(struct store *st, struct helios_error *err);

/*
 * HELIOS_ECONFLICT unless rel holds what expect (may be NULL) says.
 * Runs under the lock.
 */
int store__check_expect(struct store *st, const char *rel,
			const struct store_expect *expect,
			struct helios_error *err);

/* The default base identity bootstrap writes (static text). */
const char *store__default_base(void);

/* malloc'd "DIR/REL"; NULL when out of memory. */
char *store__path(const struct store *st, const char *rel);

/* Read a whole file; ENOTFOUND when missing, the limit of out applies. */
int store__read_file(const char *path, struct hbuf *out,
		     struct helios_error *err);

/*
 * What is on disk at rel: *exists, and when it exists its blob id and
 * git mode.  Runs under the lock.
 */
int store__working_state(struct store *st, const char *rel, int *exists,
			 git_oid *id, git_filemode_t *mode,
			 struct helios_error *err);

/* The tip's entry for rel: 1 when present, 0 when not, or an error. */
int store__tip_state(struct store *st, const char *rel, git_oid *id,
		     git_filemode_t *mode, struct helios_error *err);

/* The mode of every file the store writes. */
#define STORE_FILE_MODE 0600

/* mkdir -p; new directories get mode 0700. */
int store__make_dirs(const char *path, struct helios_error *err);

/*
 * One path touched by a commit: either removed from the tree, or put
 * with the given content and mode (GIT_FILEMODE_BLOB or _EXECUTABLE).
 */
struct store_change {
	const char *path;
	int remove;
	const void *buf;
	size_t len;
	git_filemode_t mode;
};

/* --- store_git.c; all of these run with the store lock held --- */

int store_git__open(struct store *st, struct helios_error *err);
int store_git__init(struct store *st, struct helios_error *err);

/* Blob id the content would have, without writing it. */
/*
 * 0 when HEAD is the symbolic ref to main, else HELIOS_ESTORE saying
 * what to run: every change starts from the working tree and lands on
 * main, so a working tree checked out from elsewhere would undo main's
 * newer commits.  Lock held.
 */
int store_git__head_on_main(struct store *st, struct helios_error *err);
int store_git__hash(const void *buf, size_t len, git_oid *out,
		    struct helios_error *err);

/*
 * Tip of refs/heads/main: 0, HELIOS_ENOTFOUND when the branch is unborn,
 * HELIOS_EGIT.
 */
int store_git__tip(struct store *st, git_oid *out, struct helios_error *err);

/*
 * The blob id and mode of path in the tip's tree.  HELIOS_ENOTFOUND when
 * the path (or the branch) does not exist.
 */
int store_git__tip_entry(struct store *st, const char *path, git_oid *id,
			 git_filemode_t *mode, struct helios_error *err);

/*
 * Configuration files tracked in the tip (base/identity.yaml and
 * personas/NAME.yaml with valid names), malloc'd; free with
 * store_names_free().  An unborn branch gives none.
 */
int store_git__tip_config_paths(struct store *st, char ***paths,
				size_t *count, struct helios_error *err);

/*
 * Commit changes on refs/heads/main, building the tree from the tip's
 * tree (never from the working tree or the index), then update the index
 * entries of exactly those paths from the working files.
 */
int store_git__commit(struct store *st, const struct store_change *changes,
		      size_t n, const char *msg, struct helios_error *err);

/*
 * Make the index entry of path agree with the tip: after a save was
 * interrupted between moving the branch and writing the index, the entry
 * still holds the old blob, and a plain `git commit` would undo the save.
 * When the working file holds the tip's blob, the entry gets it (with the
 * file's stat data); when the tip lacks path, the entry is removed; when
 * the working file differs from the tip, nothing is done.
 */
int store_git__index_sync(struct store *st, const char *path,
			  struct helios_error *err);

/* The mode a working file should have in git. */
git_filemode_t store_git__mode_of(unsigned st_mode);

/*
 * Remove lock files in .git (refs/heads/main.lock, index.lock, ...) that
 * a killed writer left behind: ones no process has open and that do not
 * go away within a second.  Call with the store lock held.  Returns how
 * many were removed.
 */
int store_gitlock__clear_stale(struct store *st);

/*
 * Is there a lock file in gitdir (with its trailing slash, as
 * git_repository_path() gives it) that no process holds open?  1 and its
 * path in path, else 0.  Does not wait and removes nothing.
 */
int store_gitlock__find_stale(const char *gitdir, char *path, size_t size);

/* --- store_recover.c --- */

enum store_journal_op {
	STORE_JOURNAL_WRITE,
	STORE_JOURNAL_DELETE,
	STORE_JOURNAL_RENAME,
};

/* The save in progress, written before the working tree is touched. */
struct store_journal {
	enum store_journal_op op;
	git_oid id;			/* new content (write, rename) */
	char path[STORE_PATH_MAX];	/* target, or rename source */
	char to[STORE_PATH_MAX];	/* rename destination */
};

int store_journal__write(struct store *st, const struct store_journal *j,
			 struct helios_error *err);
void store_journal__clear(struct store *st);

/*
 * Finish a save that a writer which died left in the journal, with the
 * lock held: every change runs this first, so a long-running process
 * (the mount, the MCP server) completes a dead writer's rename before
 * its own save replaces the journal.
 */
int store_recover__pending(struct store *st, struct helios_error *err);

/* Recovery on open; takes the lock itself. */
int store_recover__run(struct store *st, struct hdiag_list *report,
		       struct helios_error *err);

/*
 * store_multi.c: finish or roll back an interrupted multi-file save (lock
 * held).  HELIOS_ENOTFOUND when the journal is not a multi-file one.
 */
int store_multi__recover(struct store *st, struct hdiag_list *report,
			 struct helios_error *err);

#endif

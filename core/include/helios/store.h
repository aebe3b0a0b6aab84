/*
 * store.h - the Helios store: a non-bare git repository with checked-out
 * configuration files, and the one write path every face goes through.
 *
 * Layout (relative to the store directory):
 *	base/identity.yaml	the base identity (required)
 *	personas/NAME.yaml	one file per persona
 *	.helios_version		layout version and install time
 *	.gitignore		keeps the runtime files below out of git
 *	.helios-state/	runtime state, never committed: the lock file,
 *				the journal of the save in progress, temporary
 *				files of atomic writes
 *
 * Calling sequence:
 *
 *	char *dir;
 *	store_resolve_dir(arg_or_NULL, &dir, &err);
 *	store_open(dir, STORE_OPEN_CREATE, &st, &report, &err);
 *	store_write(st, "personas/coder.yaml", buf, len, "mount", &diags, &err);
 *	store_free(st);
 *
 * Every change (store_write, store_delete, store_rename) takes the store
 * lock, validates, writes atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory), commits exactly the
 * touched paths with libgit2 on refs/heads/main, and releases the lock.
 * The lock is an open-file-description lock (F_OFD_SETLKW) on
 * .helios-state/lock, so the kernel drops it when the holder dies; within a
 * process a mutex serialises threads.  All functions are safe to call
 * from several threads on one struct store.
 *
 * Opening never commits anything except the recovery of a save that was
 * interrupted between its rename and its commit (recorded in the
 * journal); every other difference from HEAD is reported and left alone.
 */
#ifndef HELIOS_STORE_H
#define HELIOS_STORE_H

#include <stddef.h>

#include "helios/buf.h"
#include "helios/error.h"
#include "helios/validate.h"

#define STORE_LAYOUT_VERSION 1
#define STORE_BASE_PATH "base/identity.yaml"
#define STORE_RUNTIME_DIR ".helios-state"

struct store;

enum store_open_flags {
	STORE_OPEN_CREATE = 1 << 0,	/* bootstrap a directory that is not
					 * yet a store */
	STORE_OPEN_DEFER_GIT = 1 << 1,	/* leave libgit2 and the repository
					 * until the first change or
					 * store_head(); see store_open() */
	STORE_OPEN_ADOPT = 1 << 2,	/* with CREATE: also bootstrap over
					 * configuration files that have no
					 * history (recovery adopts them) */
};

/*
 * The store directory to use: arg when not NULL, else $HELIOS_DIR when
 * set and non-empty, else "~/.helios".  A leading "~" or "~/" is expanded
 * from $HOME (or the password database).  The result is made absolute
 * but need not exist.  *out is malloc'd.
 */
int store_resolve_dir(const char *arg, char **out, struct helios_error *err);

/*
 * Open the store in dir.  With STORE_OPEN_CREATE a missing or empty
 * directory (or one without a base identity and git repository) is
 * bootstrapped: default base identity, the "welcome" persona,
 * .helios_version, .gitignore, git init on branch main, one commit.
 * Without it, such a directory fails with HELIOS_ESTORE.
 *
 * Recovery runs on open: leftover temporary files are removed, an
 * interrupted save recorded in the journal is committed ("recover
 * PATH"), and other differences from HEAD are reported.  Notes about all
 * of this are appended to report (may be NULL) as warnings.
 *
 * With STORE_OPEN_DEFER_GIT, a store that needs no bootstrap, migration
 * or recovery (it has .git, the base identity, the current layout and no
 * journal) is opened without touching git: reads work from the working
 * tree at once, and the repository is opened and checked on the first
 * change or store_head(), which then fail with HELIOS_ESTORE when it is
 * not a store.  Leftover temporary files stay and differences from HEAD
 * are not reported until an open without the flag.  For a server that
 * mostly reads and must start fast.
 */
int store_open(const char *dir, unsigned flags, struct store **out,
	       struct hdiag_list *report, struct helios_error *err);

void store_free(struct store *st);

/* Absolute store directory (borrowed). */
const char *store_dir(const struct store *st);

/* Non-zero when store_open() bootstrapped the store. */
int store_was_created(const struct store *st);

/* Read a store-relative file into out (appended).  HELIOS_ENOTFOUND. */
int store_read(struct store *st, const char *relpath, struct hbuf *out,
	       struct helios_error *err);

/*
 * Persona names (without ".yaml") present in personas/, sorted bytewise.
 * Files whose names break the naming rules are skipped.  Free with
 * store_names_free().
 */
int store_list_personas(struct store *st, char ***names, size_t *count,
			struct helios_error *err);
void store_names_free(char **names, size_t count);

/*
 * Validate the base and every persona file, appending diagnostics.
 * Returns 0 when all are valid, HELIOS_EINVAL when any is not.
 */
int store_validate_all(struct store *st, struct hdiag_list *diags);

/*
 * Replace or create a configuration file (relpath must be
 * base/identity.yaml or personas/NAME.yaml; else HELIOS_ENAME).  The
 * content is validated first (HELIOS_EINVAL / HELIOS_ELIMIT with the
 * reasons in diags, which may be NULL; nothing is touched then).  The
 * bytes are stored verbatim.  An existing file keeps its mode; a new one
 * gets 0600.  Commit message "update PATH (FACE)" or "create PATH
 * (FACE)".  Writing the content the file and HEAD already hold makes no
 * commit and returns 0.
 */
int store_write(struct store *st, const char *relpath, const void *buf,
		size_t len, const char *face, struct hdiag_list *diags,
		struct helios_error *err);

/*
 * A precondition for read-modify-write: the bytes the caller read and
 * based its change on.  Under the lock, when the file does not hold
 * exactly buf (with buf NULL: when it exists at all), nothing is touched
 * and the call fails with HELIOS_ECONFLICT, because another writer got
 * there first; read again, redo the edit and retry.
 */
struct store_expect {
	const void *buf;	/* NULL: the file must not exist */
	size_t len;
};

/* store_write() when expect (may be NULL: no precondition) holds. */
int store_write_if(struct store *st, const char *relpath,
		   const struct store_expect *expect, const void *buf,
		   size_t len, const char *face, struct hdiag_list *diags,
		   struct helios_error *err);

/*
 * Read-modify-write of one configuration file with the lock held
 * throughout, so no other writer can land between the read and the
 * write.  edit gets the file's current bytes (cur NULL when it does not
 * exist) and appends the new content to out, or returns a HELIOS_E* code
 * with err set to change nothing; that code is returned.  The result is
 * then validated and committed as by store_write().  edit must be quick:
 * every writer of the store waits for it.
 */
typedef int (*store_edit_fn)(const struct hbuf *cur, struct hbuf *out,
			     void *arg, struct helios_error *err);
int store_edit(struct store *st, const char *relpath, store_edit_fn edit,
	       void *arg, const char *face, struct hdiag_list *diags,
	       struct helios_error *err);

/*
 * Delete a persona file and commit "delete PATH (FACE)".  The base
 * identity cannot be deleted (HELIOS_EPERM).  HELIOS_ENOTFOUND.
 */
int store_delete(struct store *st, const char *relpath, const char *face,
		 struct helios_error *err);

/* store_delete() when expect (may be NULL) holds. */
int store_delete_if(struct store *st, const char *relpath,
		    const struct store_expect *expect, const char *face,
		    struct helios_error *err);

/*
 * Rename persona file from to to (both personas/NAME.yaml), replacing to
 * when it exists, in one commit "rename FROM to TO (FACE)".  The content
 * is validated as a persona first.
 */
int store_rename(struct store *st, const char *from, const char *to,
		 const char *face, struct hdiag_list *diags,
		 struct helios_error *err);

/* One file of a change that spans several files. */
struct store_file {
	const char *relpath;	/* base/identity.yaml or personas/NAME.yaml */
	const void *buf;	/* the new content; NULL deletes the file */
	size_t len;
	const struct store_expect *expect;	/* NULL: no precondition */
};

/*
 * Change several configuration files in ONE commit "MSG (FACE)": each
 * file is written (buf) or, for a persona, deleted (buf NULL).  Every
 * content is validated first (nothing is touched when one fails:
 * HELIOS_EINVAL / HELIOS_ELIMIT with the reasons in diags, which may be
 * NULL); a path may appear once only (HELIOS_EINVAL); deleting the base
 * is HELIOS_EPERM.  A file already holding its new state on disk is only
 * committed, so this also commits direct edits.  When nothing differs
 * from HEAD no commit is made and 0 is returned.  A file whose expect
 * does not hold fails the whole change with HELIOS_ECONFLICT.
 *
 * The journal lists every file before the first is touched, so an
 * interrupted save is either completed on the next open (all files hold
 * their new state) or rolled back to HEAD (some do not): never half.
 */
int store_write_many(struct store *st, const struct store_file *files,
		     size_t n, const char *msg, const char *face,
		     struct hdiag_list *diags, struct helios_error *err);

/* Full hex id of HEAD into out (41 bytes). */
int store_head(struct store *st, char out[41], struct helios_error *err);

#endif

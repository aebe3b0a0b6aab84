/*
 * maintenance.h - the tools for a store that something went wrong with:
 * explicit recovery, backups, layout migration and the doctor.
 *
 * Each function takes the store directory rather than an open struct
 * store, because it must also work on a store that cannot be opened
 * (a broken ref, a missing object, an old layout).  All of them take the
 * store lock while they change anything, so they are safe against a
 * running mount or MCP server.  Nothing here prints: what was done and
 * what is still wrong is appended to a struct hdiag_list (warnings for
 * actions taken, errors for problems left) or to a struct store_checks.
 *
 *	store_recover(dir, &report, &err);	repair, then report
 *	store_backup(dir, NULL, &path, &err);	write and verify a bundle
 *	store_backup_verify(path, tip, &err);
 *	store_restore_backup(path, dir, &aside, &err);
 *	store_doctor(dir, &checks);		diagnose, change nothing
 *
 * Migration has no call of its own: store_open() migrates an older
 * layout (see store_migrate.c) and refuses a newer one.
 *
 * Privacy and links.  store_open() adds 077 to the process umask (it
 * never loosens it), so every file Helios or libgit2 creates in the
 * store is private; it refuses a store whose base/, personas/, .git,
 * runtime directory, base identity or version file is a symbolic link,
 * and store reads never follow a link (a persona that is a link is
 * ignored, and a save to its name replaces the link).
 */
#ifndef HELIOS_MAINTENANCE_H
#define HELIOS_MAINTENANCE_H

#include <stddef.h>

#include "helios/error.h"
#include "helios/store.h"
#include "helios/validate.h"

/* Where recover keeps damaged bytes and backups land by default. */
#define STORE_RECOVERED_DIR STORE_RUNTIME_DIR "/recovered"
#define STORE_BACKUP_DIR STORE_RUNTIME_DIR "/backups"

/*
 * Repair the store in dir, as far as git history or a backup allows:
 *  - a broken refs/heads/main (missing, garbage, or pointing at a commit
 *    whose objects are gone) is reset to the newest complete commit in
 *    the reflog; missing objects are first fetched from the working
 *    tree (a file whose bytes hash to the missing blob) and from the
 *    bundles in STORE_BACKUP_DIR;
 *  - a store without history is put under git (missing base identity
 *    written from the default);
 *  - a base identity missing from the working tree or from HEAD comes
 *    back from the newest commit that has it, else from the default;
 *  - a working file that fails validation while HEAD's version passes
 *    is restored from HEAD after its bytes are copied to
 *    STORE_RECOVERED_DIR/TIME/PATH (never deleted);
 *  - group and other permissions are removed everywhere in the store.
 * Valid hand edits are left alone.  Returns 0 when the store opens and
 * validates afterwards, HELIOS_ESTORE or another code when it does not
 * (the reasons are in report as errors).
 */
int store_recover(const char *dir, struct hdiag_list *report,
		  struct helios_error *err);

/*
 * Write a git bundle (v2) of refs/heads/main with every object reachable
 * from it to dest, atomically and mode 0600, then verify it with
 * store_backup_verify().  dest NULL means
 * DIR/STORE_BACKUP_DIR/helios-YYYYmmddTHHMMSSZ.bundle; a dest that is an
 * existing directory gets that file name inside it.  *out_path
 * (malloc'd, may be NULL) receives the file written.
 */
int store_backup(const char *dir, const char *dest, char **out_path,
		 struct helios_error *err);

/*
 * Check a bundle: its header, its pack (checksums of every object) and
 * that every object reachable from its refs/heads/main is inside it.
 * tip (41 bytes, may be NULL) receives the hex id of that commit.
 * HELIOS_EINVAL when the file is not a complete Helios backup.
 */
int store_backup_verify(const char *file, char tip[41],
			struct helios_error *err);

/*
 * Restore a verified bundle into dir.  A missing or empty dir is
 * created; an existing non-empty dir is first renamed to
 * DIR.before-restore-TIME (*moved_aside, malloc'd, else NULL), never
 * deleted.  The result is a fresh repository on main with the bundle's
 * tip checked out privately (0700/0600), opened once to prove it.
 */
int store_restore_backup(const char *file, const char *dir,
			 char **moved_aside, struct helios_error *err);

/* --- the doctor --- */

enum store_check_status {
	STORE_CHECK_OK,
	STORE_CHECK_WARN,	/* worth knowing, not a fault */
	STORE_CHECK_FAIL,	/* a problem; fix says what to run */
};

struct store_check {
	enum store_check_status status;
	char *area;		/* "layout", "files", "git", "lock", ... */
	char *text;		/* what was found */
	char *fix;		/* a command that fixes it, or NULL */
};

struct store_checks {
	struct store_check *items;
	size_t len;
	size_t cap;
	size_t failed;		/* how many are STORE_CHECK_FAIL */
};

void store_checks_init(struct store_checks *c);
void store_checks_release(struct store_checks *c);

/*
 * Diagnose the store in dir without changing it: layout and version,
 * validation of every configuration file, git health (HEAD on main,
 * every object reachable from main present and intact), the lock holder,
 * permissions and symbolic links, and helios-fs mounts of this store
 * (dead ones, which answer ENOTCONN, and duplicates).  Returns the
 * number of failed checks, or a negative code when out of memory.
 */
int store_doctor(const char *dir, struct store_checks *out);

#endif

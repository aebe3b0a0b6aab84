/*
 * store_maint_i.h - internals shared by the maintenance modules
 * (store_recover.c, store_backup.c, store_migrate.c, store_doctor.c).
 */
#ifndef HELIOS_STORE_MAINT_I_H
#define HELIOS_STORE_MAINT_I_H

#include <git2.h>

#include "helios/maintenance.h"
#include "store_i.h"

/*
 * Read every object reachable from the commit tip (commits, trees,
 * blobs; libgit2 checks each object's hash as it reads it).  0 when all
 * are present and intact, HELIOS_ENOTFOUND with *bad set to the first
 * missing or damaged one, HELIOS_ENOMEM.  *count (may be NULL) gets the
 * number of objects read.
 */
int store_maint__check_reachable(git_repository *repo, const git_oid *tip,
				 git_oid *bad, size_t *count);

/*
 * Remove group and other permission bits from dir and everything below
 * it, never following symbolic links.  Returns how many entries changed.
 */
size_t store_maint__privatize(const char *dir);

/* "YYYYmmddTHHMMSSZ" for now, in UTC. */
void store_maint__stamp(char out[32]);

/*
 * Write a bundle of refs/heads/main = tip from repo to path (mode 0600,
 * atomically).  No verification; store_backup() adds it.
 */
int store_backup__write(git_repository *repo, const git_oid *tip,
			const char *path, struct helios_error *err);

/*
 * Add every object of the bundle at file to repo's object database.
 * tip (may be NULL) receives the bundle's refs/heads/main.
 */
int store_backup__import(git_repository *repo, const char *file,
			 git_oid *tip, struct helios_error *err);

/*
 * Run by store_open() before anything else looks at the store: tighten
 * the process umask so everything created is private, refuse symbolic
 * links in place of the store's directories, and migrate an older
 * layout (refusing a newer one).  Takes the lock when it migrates.
 */
int store_migrate__on_open(struct store *st, struct hdiag_list *report,
			   struct helios_error *err);

#endif

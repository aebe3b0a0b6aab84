/*
 * store_recover_i.h - what the files of store_recover() share: the git
 * repairs (store_recover_git.c) and the working-tree repairs
 * (store_recover_tree.c) that store_recover_explicit.c runs in phases.
 * Every function here expects the store's lock to be held.
 */
#ifndef HELIOS_CORE_STORE_RECOVER_I_H
#define HELIOS_CORE_STORE_RECOVER_I_H

#include "store_maint_i.h"

/* store_recover_git.c */

/* Make main point at a complete history (lock held). */
int store_recover__repair_git(struct store *st, struct hdiag_list *report,
			      struct helios_error *err);

/* Has main, or had it according to its reflog? */
int store_recover__history_exists(struct store *st);

/* Put HEAD back on main when it points elsewhere or is broken. */
int store_recover__repair_head(struct store *st, struct hdiag_list *report,
			       struct helios_error *err);

/* store_recover_tree.c */

int store_recover__restore_base_history(struct store *st, const char *stamp,
					struct hdiag_list *report,
					struct helios_error *err);

/* Restore broken working copies of tracked files from HEAD (lock held). */
int store_recover__restore_worktree(struct store *st, const char *stamp,
				    struct hdiag_list *report,
				    struct helios_error *err);

#endif

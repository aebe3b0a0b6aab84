/*
 * store_git.c - the libgit2 side of the store: init, look-ups in the tip
 * of main, and commits that touch exactly the paths of one change.
 *
 * Trees are always built from the tip's tree with the touched entries
 * replaced, so whatever else lies in the working tree or is staged in
 * the index never reaches a commit.  libgit2 runs no hooks.
 */
#include "store_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helios/fault.h"
#include "helios/validate.h"

#define STORE_FALLBACK_NAME "Helios"
#define STORE_FALLBACK_EMAIL "helios@localhost"

/* Record the last libgit2 error under a "cannot ..." message. */
static int git_fail(struct helios_error *err, const char *what,
		    const char *subject)
{
	const git_error *e = git_error_last();

	return helios_error_set(err, HELIOS_EGIT, "cannot %s '%s': %s", what,
				subject, e && e->message ? e->message :
				"unknown libgit2 error");
}

/*
 * Start libgit2 the first time this store needs its repository.  Debian's
 * libgit2 parses the system's whole CA bundle for its TLS stream at
 * initialisation (about 3 MiB and 4 ms), so a store that is only read
 * never pays for it.  NEEDSWORK: the first change still does, and nothing
 * here uses TLS: an MCP server's peak RSS goes from about 5 to about
 * 9 MiB at its first write.
 */
static void git_start(struct store *st)
{
	if (st->git_started)
		return;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	st->git_started = 1;
}

int store_git__open(struct store *st, struct helios_error *err)
{
	git_start(st);
	if (git_repository_open_ext(&st->repo, st->dir,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return git_fail(err, "open git repository", st->dir);
	return 0;
}

int store_git__init(struct store *st, struct helios_error *err)
{
	git_repository_init_options opts;

	git_start(st);
	git_repository_init_options_init(&opts,
					 GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	opts.flags = GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = "main";
	if (git_repository_init_ext(&st->repo, st->dir, &opts) < 0)
		return git_fail(err, "initialise git repository", st->dir);
	return 0;
}

int store_git__head_on_main(struct store *st, struct helios_error *err)
{
	git_reference *head;
	int on_main;

	if (git_reference_lookup(&head, st->repo, "HEAD") < 0)
		return helios_error_set(err, HELIOS_ESTORE, "'%s': HEAD is "
					"broken (%s); nothing was changed (fix "
					"it with: git -C '%s' symbolic-ref HEAD "
					STORE_BRANCH_REF ")", st->dir,
					git_error_last() ?
					git_error_last()->message : "unknown",
					st->dir);
	on_main = git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
		  !strcmp(git_reference_symbolic_target(head),
			  STORE_BRANCH_REF);
	git_reference_free(head);
	if (on_main)
		return 0;
	return helios_error_set(err, HELIOS_ESTORE, "'%s' has HEAD off branch "
				"main, so its files are not main's; nothing "
				"was changed (run: git -C '%s' checkout main)",
				st->dir, st->dir);
}

int store_git__hash(const void *buf, size_t len, git_oid *out,
		    struct helios_error *err)
{
	if (git_odb_hash(out, buf, len, GIT_OBJECT_BLOB) < 0)
		return git_fail(err, "hash", "content");
	return 0;
}

git_filemode_t store_git__mode_of(unsigned st_mode)
{
	return (st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE :
				     GIT_FILEMODE_BLOB;
}

int store_git__tip(struct store *st, git_oid *out, struct helios_error *err)
{
	int rc = git_reference_name_to_id(out, st->repo, STORE_BRANCH_REF);

	if (rc == GIT_ENOTFOUND)
		return helios_error_set(err, HELIOS_ENOTFOUND,
					"branch main has no commit yet");
	if (rc < 0)
		return git_fail(err, "resolve", STORE_BRANCH_REF);
	return 0;
}

/* The tree of the tip; *out stays NULL for an unborn branch. */
static int tip_tree(struct store *st, git_commit **commit, git_tree **out,
		    struct helios_error *err)
{
	git_oid id;
	int rc;

	*commit = NULL;
	*out = NULL;
	rc = store_git__tip(st, &id, NULL);
	if (rc == HELIOS_ENOTFOUND)
		return 0;
	if (rc)
		return git_fail(err, "resolve", STORE_BRANCH_REF);
	if (git_commit_lookup(commit, st->repo, &id) < 0)
		return git_fail(err, "read commit of", STORE_BRANCH_REF);
	if (git_commit_tree(out, *commit) < 0) {
		git_commit_free(*commit);
		*commit = NULL;
		return git_fail(err, "read tree of", STORE_BRANCH_REF);
	}
	return 0;
}

int store_git__tip_entry(struct store *st, const char *path, git_oid *id,
			 git_filemode_t *mode, struct helios_error *err)
{
	git_commit *commit;
	git_tree *tree;
	git_tree_entry *entry = NULL;
	int rc;

	rc = tip_tree(st, &commit, &tree, err);
	if (rc)
		return rc;
	if (!tree) {
		rc = helios_error_set(err, HELIOS_ENOTFOUND,
				      "'%s' is not in HEAD", path);
		goto out_free_tree;
	}
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc == GIT_ENOTFOUND ||
	    (rc == 0 && git_tree_entry_type(entry) != GIT_OBJECT_BLOB)) {
		rc = helios_error_set(err, HELIOS_ENOTFOUND,
				      "'%s' is not in HEAD", path);
		goto out_free_entry;
	}
	if (rc < 0) {
		rc = git_fail(err, "look up", path);
		goto out_free_tree;
	}
	git_oid_cpy(id, git_tree_entry_id(entry));
	*mode = git_tree_entry_filemode(entry);
	rc = 0;
out_free_entry:
	git_tree_entry_free(entry);
out_free_tree:
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}

/* Append a malloc'd copy of s to the growing array. */
static int names_push(char ***names, size_t *count, size_t *cap,
		      const char *s)
{
	char **grown;

	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		grown = realloc(*names, *cap * sizeof(**names));
		if (!grown)
			return HELIOS_ENOMEM;
		*names = grown;
	}
	(*names)[*count] = strdup(s);
	if (!(*names)[*count])
		return HELIOS_ENOMEM;
	(*count)++;
	return 0;
}

/* Add the persona entries of the "personas" subtree of tree. */
static int push_tip_personas(struct store *st, git_tree *tree, char ***paths,
			     size_t *count, size_t *cap)
{
	git_tree_entry *dir;
	git_tree *sub;
	char path[STORE_PATH_MAX];
	size_t i;
	int rc = 0;

	if (git_tree_entry_bypath(&dir, tree, "personas") < 0)
		return 0;
	if (git_tree_entry_type(dir) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&sub, st->repo, git_tree_entry_id(dir)) < 0) {
		git_tree_entry_free(dir);
		return 0;
	}
	for (i = 0; i < git_tree_entrycount(sub) && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(sub, i);

		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
			continue;
		snprintf(path, sizeof(path), "personas/%s",
			 git_tree_entry_name(e));
		if (hdoc_kind_of_path(path) == HDOC_PERSONA)
			rc = names_push(paths, count, cap, path);
	}
	git_tree_free(sub);
	git_tree_entry_free(dir);
	return rc;
}

int store_git__tip_config_paths(struct store *st, char ***paths,
				size_t *count, struct helios_error *err)
{
	git_commit *commit;
	git_tree *tree;
	git_tree_entry *base;
	size_t cap = 0;
	int rc;

	*paths = NULL;
	*count = 0;
	rc = tip_tree(st, &commit, &tree, err);
	if (rc || !tree)
		return rc;
	if (git_tree_entry_bypath(&base, tree, STORE_BASE_PATH) == 0) {
		rc = names_push(paths, count, &cap, STORE_BASE_PATH);
		git_tree_entry_free(base);
	}
	if (!rc)
		rc = push_tip_personas(st, tree, paths, count, &cap);
	git_tree_free(tree);
	git_commit_free(commit);
	if (rc) {
		store_names_free(*paths, *count);
		*paths = NULL;
		*count = 0;
		return helios_error_set(err, rc, "out of memory");
	}
	return 0;
}

/* Write the blobs and the new tree for changes on top of tip. */
static int build_tree(struct store *st, git_tree *tip,
		      const struct store_change *changes, size_t n,
		      git_oid *blob_ids, git_tree **out,
		      struct helios_error *err)
{
	git_tree_update *ups;
	git_oid tree_id;
	size_t i;
	int rc = 0;

	ups = calloc(n, sizeof(*ups));
	if (!ups)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	for (i = 0; i < n && !rc; i++) {
		ups[i].path = changes[i].path;
		if (changes[i].remove) {
			ups[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		ups[i].action = GIT_TREE_UPDATE_UPSERT;
		ups[i].filemode = changes[i].mode;
		if (git_blob_create_from_buffer(&blob_ids[i], st->repo,
						changes[i].buf,
						changes[i].len) < 0)
			rc = git_fail(err, "write blob for", changes[i].path);
		git_oid_cpy(&ups[i].id, &blob_ids[i]);
		fault_point("blob-written");
	}
	/* a NULL baseline (unborn branch) starts from the empty tree */
	if (!rc && (git_tree_create_updated(&tree_id, st->repo, tip, n,
					    ups) < 0 ||
		    git_tree_lookup(out, st->repo, &tree_id) < 0))
		rc = git_fail(err, "write tree for", changes[0].path);
	fault_point("tree-written");
	free(ups);
	return rc;
}

static int author(struct store *st, git_signature **sig,
		  struct helios_error *err)
{
	if (git_signature_default(sig, st->repo) == 0)
		return 0;
	if (git_signature_now(sig, STORE_FALLBACK_NAME,
			      STORE_FALLBACK_EMAIL) < 0)
		return git_fail(err, "create signature for",
				STORE_FALLBACK_NAME);
	return 0;
}

/*
 * Bring the index entries of the changed paths in line with the commit
 * (stat data from the working file, so `git status` sees it clean) and
 * leave every other entry, staged or not, as it was.
 */
static int update_index(struct store *st, const struct store_change *changes,
			size_t n, const git_oid *blob_ids,
			struct helios_error *err)
{
	git_index *idx;
	git_index_entry e;
	struct stat sb;
	size_t i;
	char *full;
	int rc = 0;

	if (git_repository_index(&idx, st->repo) < 0)
		return git_fail(err, "open index of", st->dir);
	if (git_index_read(idx, 0) < 0) {
		rc = git_fail(err, "read index of", st->dir);
		goto out_free_index;
	}
	for (i = 0; i < n && !rc; i++) {
		if (changes[i].remove) {
			if (git_index_remove_bypath(idx, changes[i].path) < 0)
				rc = git_fail(err, "update index for",
					      changes[i].path);
			continue;
		}
		full = store__path(st, changes[i].path);
		if (!full) {
			rc = helios_error_set(err, HELIOS_ENOMEM,
					      "out of memory");
			break;
		}
		if (lstat(full, &sb) < 0) {
			/* gone already: the next save will refresh it */
			free(full);
			continue;
		}
		free(full);
		memset(&e, 0, sizeof(e));
		e.ctime.seconds = (int32_t)sb.st_ctim.tv_sec;
		e.ctime.nanoseconds = (uint32_t)sb.st_ctim.tv_nsec;
		e.mtime.seconds = (int32_t)sb.st_mtim.tv_sec;
		e.mtime.nanoseconds = (uint32_t)sb.st_mtim.tv_nsec;
		e.dev = (uint32_t)sb.st_dev;
		e.ino = (uint32_t)sb.st_ino;
		e.mode = changes[i].mode;
		e.uid = (uint32_t)sb.st_uid;
		e.gid = (uint32_t)sb.st_gid;
		e.file_size = (uint32_t)sb.st_size;
		git_oid_cpy(&e.id, &blob_ids[i]);
		e.path = changes[i].path;
		if (git_index_add(idx, &e) < 0)
			rc = git_fail(err, "update index for", changes[i].path);
	}
	if (!rc && git_index_write(idx) < 0)
		rc = git_fail(err, "write index of", st->dir);
	/* libgit2 gives a new index 0644; the store stays private */
	if (!rc)
		chmod(git_index_path(idx), 0600);
out_free_index:
	git_index_free(idx);
	return rc;
}

/*
 * Point refs/heads/main at id, refusing when the branch no longer points
 * at parent (or exists although parent is NULL): a compare-and-swap, as
 * git_commit_create() does when it updates the ref itself.
 */
static int move_branch(struct store *st, git_commit *parent,
		       const git_oid *id, const char *msg,
		       struct helios_error *err)
{
	git_reference *ref;
	char *log;
	int rc;

	if (asprintf(&log, "commit%s: %s", parent ? "" : " (initial)",
		     msg) < 0)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	if (parent)
		rc = git_reference_create_matching(&ref, st->repo,
						   STORE_BRANCH_REF, id, 1,
						   git_commit_id(parent), log);
	else
		rc = git_reference_create(&ref, st->repo, STORE_BRANCH_REF,
					  id, 0, log);
	free(log);
	if (rc < 0)
		return git_fail(err, "update", STORE_BRANCH_REF);
	git_reference_free(ref);
	return 0;
}

int store_git__commit(struct store *st, const struct store_change *changes,
		      size_t n, const char *msg, struct helios_error *err)
{
	git_commit *parent;
	git_tree *tip, *tree;
	git_signature *sig;
	git_oid *blob_ids, commit_id;
	char *full_msg;
	int rc;

	blob_ids = calloc(n, sizeof(*blob_ids));
	if (!blob_ids || asprintf(&full_msg, "%s\n", msg) < 0) {
		free(blob_ids);
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	/* a writer killed mid-commit may have left git's own lock files */
	store_gitlock__clear_stale(st);
	rc = tip_tree(st, &parent, &tip, err);
	if (rc)
		goto out_free_ids;
	rc = build_tree(st, tip, changes, n, blob_ids, &tree, err);
	if (rc)
		goto out_free_tip;
	rc = author(st, &sig, err);
	if (rc)
		goto out_free_tree;

	/*
	 * The commit object first, then the branch in a separate step, so
	 * that a crash between the two can be tested (fault points).
	 */
	if (git_commit_create(&commit_id, st->repo, NULL, sig, sig,
			      NULL, full_msg, tree, parent ? 1 : 0,
			      (const git_commit **)&parent) < 0) {
		rc = git_fail(err, "commit", msg);
		goto out_free_sig;
	}
	fault_point("commit-written");
	rc = move_branch(st, parent, &commit_id, msg, err);
	if (rc)
		goto out_free_sig;
	fault_point("ref-updated");
	rc = update_index(st, changes, n, blob_ids, err);
	fault_point("index-written");
out_free_sig:
	git_signature_free(sig);
out_free_tree:
	git_tree_free(tree);
out_free_tip:
	git_tree_free(tip);
	git_commit_free(parent);
out_free_ids:
	free(full_msg);
	free(blob_ids);
	return rc;
}

int store_git__index_sync(struct store *st, const char *path,
			  struct helios_error *err)
{
	struct store_change change = { .path = path };
	git_oid work_id, head_id;
	git_filemode_t work_mode, head_mode;
	int exists, in_head, rc;

	rc = store__working_state(st, path, &exists, &work_id, &work_mode,
				  err);
	if (rc)
		return rc;
	in_head = store__tip_state(st, path, &head_id, &head_mode, err);
	if (in_head < 0)
		return in_head;
	if (in_head && (!exists || !git_oid_equal(&work_id, &head_id) ||
			work_mode != head_mode))
		return 0;	/* a real difference, reported elsewhere */
	change.remove = !in_head;
	change.mode = head_mode;
	return update_index(st, &change, 1, &head_id, err);
}

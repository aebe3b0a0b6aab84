/*
 * tool_revert.c - revert_learning (undo the last commits as new revert
 * commits) and commit_changes (commit direct edits of the store's files).
 *
 * Both read history with libgit2 and change the store only through
 * store_write_many(), so every change is validated, journaled, written
 * atomically under the store lock and committed once.  History is never
 * rewritten.
 *
 * A revert works on whole files: reverting commit C (parent P) puts each
 * file C touched back to its state in P, when the file still holds C's
 * state; when a later commit changed it again the revert conflicts and
 * nothing is done.  All the reverts are planned (and each intermediate
 * state validated) before the first is committed.
 */
#include "tools_i.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "helios/validate.h"

#define REVERT_MAX 10
#define MSG_MAX 1000

/* One file in a planned state: its blob id, or absent. */
struct pfile {
	char path[128];
	int present;
	git_oid id;
};

/* The files one revert commit changes, and its message. */
struct pstep {
	struct pfile *files;
	size_t n;
	char msg[256];
	char reverted[GIT_OID_HEXSZ + 1];
	char summary[128];
};

struct plan {
	struct pfile *state;	/* current content of every touched path */
	size_t nstate;
	struct pstep steps[REVERT_MAX];
	size_t nsteps;
};

static int repo_open(struct store *st, git_repository **repo)
{
	static int ready;

	if (!ready) {
		git_libgit2_init();
		ready = 1;
	}
	return git_repository_open(repo, store_dir(st));
}

static struct pfile *state_get(struct plan *p, const char *path)
{
	size_t i;

	for (i = 0; i < p->nstate; i++)
		if (!strcmp(p->state[i].path, path))
			return &p->state[i];
	return NULL;
}

/* Add path to the state with its content in tree (the current tip). */
static struct pfile *state_add(struct plan *p, git_tree *tip,
			       const char *path)
{
	struct pfile *f, *grown;
	git_tree_entry *e = NULL;

	f = state_get(p, path);
	if (f)
		return f;
	grown = realloc(p->state, (p->nstate + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	p->state = grown;
	f = &p->state[p->nstate++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (!git_tree_entry_bypath(&e, tip, path)) {
		f->present = 1;
		git_oid_cpy(&f->id, git_tree_entry_id(e));
		git_tree_entry_free(e);
	}
	return f;
}

static void plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nsteps; i++)
		free(p->steps[i].files);
	free(p->state);
}

static int same_state(int a_present, const git_oid *a, int b_present,
		      const git_oid *b)
{
	if (a_present != b_present)
		return 0;
	return !a_present || git_oid_equal(a, b);
}

/* Does the working file equal the tip's state f? */
static int working_matches(struct store *st, const struct pfile *f)
{
	struct hbuf b;
	git_oid id;
	int rc, same;

	hbuf_init(&b, HBUF_MAX_DEFAULT);
	rc = store_read(st, f->path, &b, NULL);
	if (rc == HELIOS_ENOTFOUND)
		same = !f->present;
	else if (rc)
		same = 0;
	else
		same = f->present &&
		       !git_odb_hash(&id, hbuf_str(&b), b.len,
				     GIT_OBJECT_BLOB) &&
		       git_oid_equal(&id, &f->id);
	hbuf_release(&b);
	return same;
}

/* Validate the planned content of f; the reason goes to why. */
static int validate_blob(git_repository *repo, const struct pfile *f,
			 char *why, size_t whylen)
{
	struct hdiag_list diags;
	git_blob *blob;
	size_t i;
	int rc;

	if (!f->present) {
		if (hdoc_kind_of_path(f->path) == HDOC_BASE) {
			snprintf(why, whylen, "it would delete %s", f->path);
			return -1;
		}
		return 0;
	}
	if (git_blob_lookup(&blob, repo, &f->id)) {
		snprintf(why, whylen, "cannot read %s from git", f->path);
		return -1;
	}
	hdiag_list_init(&diags);
	rc = hdoc_validate(hdoc_kind_of_path(f->path), f->path,
			   git_blob_rawcontent(blob),
			   (size_t)git_blob_rawsize(blob), NULL, &diags, NULL);
	if (rc) {
		for (i = 0; i < diags.len; i++)
			if (diags.items[i].severity == HDIAG_ERROR)
				break;
		snprintf(why, whylen, "%s would be invalid: %s", f->path,
			 i < diags.len ? diags.items[i].text : "invalid");
	}
	hdiag_list_release(&diags);
	git_blob_free(blob);
	return rc ? -1 : 0;
}

/* Plan the revert of commit c on top of the planned state. */
static int plan_one(struct plan *p, git_repository *repo, git_tree *tip,
		    git_commit *c, struct store *st, char *why, size_t whylen)
{
	struct pstep *step = &p->steps[p->nsteps];
	git_commit *parent = NULL;
	git_tree *old = NULL, *new = NULL;
	git_diff *diff = NULL;
	size_t i, nd;
	int rc = -1;

	git_oid_tostr(step->reverted, sizeof(step->reverted), git_commit_id(c));
	snprintf(step->summary, sizeof(step->summary), "%s",
		 git_commit_summary(c) ? git_commit_summary(c) : "");
	if (git_commit_parentcount(c) == 0) {
		snprintf(why, whylen, "commit %.12s is the first commit of "
			 "the store and cannot be reverted", step->reverted);
		return -1;
	}
	if (git_commit_parent(&parent, c, 0) || git_commit_tree(&new, c) ||
	    git_commit_tree(&old, parent) ||
	    git_diff_tree_to_tree(&diff, repo, old, new, NULL)) {
		snprintf(why, whylen, "cannot read commit %.12s",
			 step->reverted);
		goto out_free;
	}
	nd = git_diff_num_deltas(diff);
	step->files = calloc(nd ? nd : 1, sizeof(*step->files));
	if (!step->files) {
		snprintf(why, whylen, "out of memory");
		goto out_free;
	}
	for (i = 0; i < nd; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->new_file.path ? d->new_file.path :
				   d->old_file.path;
		int was = d->status != GIT_DELTA_ADDED;
		int is = d->status != GIT_DELTA_DELETED;
		struct pfile *f;
		int fresh;

		if (hdoc_kind_of_path(path) == HDOC_NONE) {
			snprintf(why, whylen, "commit %.12s changed %s, "
				 "which is not a configuration file; revert "
				 "it with git", step->reverted, path);
			goto out_free;
		}
		fresh = !state_get(p, path);
		f = state_add(p, tip, path);
		if (!f) {
			snprintf(why, whylen, "out of memory");
			goto out_free;
		}
		if (fresh && !working_matches(st, f)) {
			snprintf(why, whylen, "%s has changes that are not "
				 "committed; commit them with commit_changes "
				 "(or undo them) first", path);
			goto out_free;
		}
		if (same_state(f->present, &f->id, was, &d->old_file.id))
			continue;	/* already as before the commit */
		if (!same_state(f->present, &f->id, is, &d->new_file.id)) {
			snprintf(why, whylen, "reverting %.12s (%s) conflicts "
				 "with a later change to %s; restore the file "
				 "from a revision instead", step->reverted,
				 step->summary, path);
			goto out_free;
		}
		f->present = was;
		git_oid_cpy(&f->id, &d->old_file.id);
		if (validate_blob(repo, f, why, whylen))
			goto out_free;
		step->files[step->n++] = *f;
	}
	snprintf(step->msg, sizeof(step->msg), "revert %.12s: %.200s",
		 git_oid_tostr_s(git_commit_id(c)),
		 git_commit_summary(c) ? git_commit_summary(c) : "");
	p->nsteps++;
	rc = 0;
out_free:
	if (rc) {
		free(step->files);
		step->files = NULL;
		step->n = 0;
	}
	git_diff_free(diff);
	git_tree_free(old);
	git_tree_free(new);
	git_commit_free(parent);
	return rc;
}

static int plan_reverts(struct plan *p, git_repository *repo,
			struct store *st, int back, char head[41], char *why,
			size_t whylen)
{
	git_commit *c = NULL, *next;
	git_tree *tip = NULL;
	git_oid id;
	int i, rc = -1;

	if (git_reference_name_to_id(&id, repo, "refs/heads/main") ||
	    git_commit_lookup(&c, repo, &id) || git_commit_tree(&tip, c)) {
		snprintf(why, whylen, "the store has no commits to revert");
		goto out_free;
	}
	git_oid_tostr(head, 41, &id);
	for (i = 0; i < back; i++) {
		if (plan_one(p, repo, tip, c, st, why, whylen))
			goto out_free;
		if (i + 1 == back)
			break;
		if (git_commit_parentcount(c) == 0 ||
		    git_commit_parent(&next, c, 0)) {
			snprintf(why, whylen, "the store has only %d commits "
				 "after its first", i + 1);
			goto out_free;
		}
		git_commit_free(c);
		c = next;
	}
	rc = 0;
out_free:
	git_tree_free(tip);
	git_commit_free(c);
	return rc;
}

/*
 * The bytes of path at commit base (the HEAD this step starts from),
 * as the precondition of its write: another writer's commit landing
 * before the step's takes the lock makes the step fail, never lose it.
 */
static int expect_at(git_repository *repo, const git_oid *base,
		     const char *path, git_blob **blob,
		     struct store_expect *ex)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	int rc = -1;

	*blob = NULL;
	memset(ex, 0, sizeof(*ex));
	if (git_commit_lookup(&c, repo, base) || git_commit_tree(&t, c))
		goto out;
	rc = 0;
	if (git_tree_entry_bypath(&e, t, path))
		goto out;	/* absent there: must be absent now */
	rc = git_blob_lookup(blob, repo, git_tree_entry_id(e));
	if (!rc) {
		ex->buf = git_blob_rawcontent(*blob);
		ex->len = (size_t)git_blob_rawsize(*blob);
		if (!ex->buf)
			ex->buf = "";
	}
out:
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

/* Commit one planned step through the store, starting from base. */
static int apply_step(struct mcp_req *r, git_repository *repo,
		      const struct pstep *step, const char *base,
		      char *why, size_t whylen)
{
	struct helios_error err = { 0 };
	struct store_expect *ex;
	struct store_file *files;
	git_blob **blobs, **was;
	git_oid base_id;
	size_t i;
	int rc = 0;

	if (!step->n)
		return 0;
	files = calloc(step->n, sizeof(*files));
	blobs = calloc(step->n, sizeof(*blobs));
	was = calloc(step->n, sizeof(*was));
	ex = calloc(step->n, sizeof(*ex));
	if (!files || !blobs || !was || !ex) {
		snprintf(why, whylen, "out of memory");
		rc = -1;
		goto out_free;
	}
	if (git_oid_fromstr(&base_id, base)) {
		snprintf(why, whylen, "cannot tell the current HEAD");
		rc = -1;
		goto out_free;
	}
	for (i = 0; i < step->n && !rc; i++) {
		files[i].relpath = step->files[i].path;
		if (expect_at(repo, &base_id, files[i].relpath, &was[i],
			      &ex[i])) {
			snprintf(why, whylen, "cannot read %s at %.12s",
				 files[i].relpath, base);
			rc = -1;
			break;
		}
		files[i].expect = &ex[i];
		if (!step->files[i].present)
			continue;
		if (git_blob_lookup(&blobs[i], repo, &step->files[i].id)) {
			snprintf(why, whylen, "cannot read %s from git",
				 step->files[i].path);
			rc = -1;
			break;
		}
		files[i].buf = git_blob_rawcontent(blobs[i]);
		files[i].len = (size_t)git_blob_rawsize(blobs[i]);
		if (!files[i].buf)
			files[i].buf = "";
	}
	if (!rc && store_write_many(r->srv->st, files, step->n, step->msg,
				    "mcp revert_learning", NULL, &err)) {
		snprintf(why, whylen, "%s", err.code == HELIOS_ECONFLICT ?
			 "another change landed first; nothing of this revert "
			 "was written" : err.msg);
		rc = -1;
	}
out_free:
	for (i = 0; blobs && was && i < step->n; i++) {
		git_blob_free(blobs[i]);
		git_blob_free(was[i]);
	}
	free(ex);
	free(was);
	free(blobs);
	free(files);
	return rc;
}

int tool_revert_learning(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(args, "commits_back");
	git_repository *repo = NULL;
	struct plan p = { 0 };
	char head[41], now[41], why[1024];
	cJSON *s, *list, *made;
	size_t i;
	int rc = TOOL_FAIL;

	if (!cJSON_IsNumber(n) || n->valuedouble != (int)n->valuedouble ||
	    n->valuedouble < 1 || n->valuedouble > REVERT_MAX)
		return mcp_tool_fail(o, "commits_back must be an integer "
				     "from 1 to %d", REVERT_MAX);
	if (repo_open(r->srv->st, &repo))
		return mcp_tool_fail(o, "cannot open the store's repository");
	if (plan_reverts(&p, repo, r->srv->st, (int)n->valuedouble, head, why,
			 sizeof(why))) {
		mcp_tool_fail(o, "nothing was reverted: %s", why);
		goto out_free;
	}
	s = o->structured = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(s, "reverted");
	made = cJSON_AddArrayToObject(s, "commits");
	for (i = 0; i < p.nsteps; i++) {
		struct helios_error err = { 0 };

		/*
		 * Stop when someone else committed in the meantime; a
		 * commit landing after this check is caught by the step's
		 * preconditions under the store lock.
		 */
		if (store_head(r->srv->st, now, &err) || strcmp(now, head)) {
			cJSON_Delete(o->structured);
			o->structured = NULL;
			mcp_tool_fail(o, "the store changed while reverting; "
				      "%zu of %zu reverts were committed",
				      i, p.nsteps);
			goto out_free;
		}
		if (apply_step(r, repo, &p.steps[i], head, why, sizeof(why))) {
			cJSON_Delete(o->structured);
			o->structured = NULL;
			mcp_tool_fail(o, "revert of %.12s failed (%zu of %zu "
				      "committed): %s", p.steps[i].reverted,
				      i, p.nsteps, why);
			goto out_free;
		}
		tools__commit_id(r, head);
		cJSON_AddItemToArray(list,
				     cJSON_CreateString(p.steps[i].reverted));
		cJSON_AddItemToArray(made, cJSON_CreateString(head));
		hbuf_addf(&o->text, "%s (commit %.12s)\n", p.steps[i].msg,
			  head);
		mcp_log_client(r, MCP_LOG_INFO, "revert_learning",
			       p.steps[i].msg);
	}
	rc = 0;
out_free:
	plan_release(&p);
	git_repository_free(repo);
	return rc;
}

/* ---- commit_changes ---- */

struct changed {
	struct store_file *files;
	char (*paths)[128];
	struct hbuf *content;
	size_t n;
	size_t cap;
};

static int changed_add(struct changed *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->paths[i], path))
			return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		void *a = realloc(c->paths, cap * sizeof(*c->paths));

		if (!a)
			return -1;
		c->paths = a;
		a = realloc(c->content, cap * sizeof(*c->content));
		if (!a)
			return -1;
		c->content = a;
		c->cap = cap;
	}
	snprintf(c->paths[c->n], sizeof(c->paths[0]), "%s", path);
	hbuf_init(&c->content[c->n], HBUF_MAX_DEFAULT);
	c->n++;
	return 0;
}

static void changed_release(struct changed *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		hbuf_release(&c->content[i]);
	free(c->content);
	free(c->paths);
	free(c->files);
}

/* Every configuration path in the tip or on disk. */
static int collect_paths(struct store *st, git_tree *tip, struct changed *c)
{
	const git_tree_entry *e;
	git_tree_entry *dir = NULL;
	git_tree *personas = NULL;
	char **names = NULL, path[128];
	size_t i, n = 0;
	int rc = changed_add(c, STORE_BASE_PATH);

	if (tip && !git_tree_entry_bypath(&dir, tip, "personas") &&
	    git_tree_entry_type(dir) == GIT_OBJECT_TREE &&
	    !git_tree_lookup(&personas, git_tree_owner(tip),
			     git_tree_entry_id(dir))) {
		for (i = 0; !rc && i < git_tree_entrycount(personas); i++) {
			e = git_tree_entry_byindex(personas, i);
			snprintf(path, sizeof(path), "personas/%s",
				 git_tree_entry_name(e));
			if (hdoc_kind_of_path(path) == HDOC_PERSONA)
				rc = changed_add(c, path);
		}
	}
	git_tree_free(personas);
	git_tree_entry_free(dir);
	if (!rc && !store_list_personas(st, &names, &n, NULL)) {
		for (i = 0; !rc && i < n; i++) {
			snprintf(path, sizeof(path), "personas/%s.yaml",
				 names[i]);
			rc = changed_add(c, path);
		}
		store_names_free(names, n);
	}
	return rc;
}

int tool_commit_changes(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o)
{
	const char *msg = json_str(args, "message");
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_tree *tip = NULL;
	struct changed ch = { 0 };
	char commit[41], why[1536];
	size_t i, k = 0, used = 0;
	git_tree_entry *e;
	git_oid id;
	cJSON *s, *files;
	int rc = TOOL_FAIL;

	if (!msg || !msg[0] || strlen(msg) > MSG_MAX)
		return mcp_tool_fail(o, "message must be a non-empty string of "
				     "at most %d bytes", MSG_MAX);
	if (repo_open(r->srv->st, &repo))
		return mcp_tool_fail(o, "cannot open the store's repository");
	hdiag_list_init(&diags);
	if (!git_reference_name_to_id(&id, repo, "refs/heads/main") &&
	    !git_commit_lookup(&c, repo, &id))
		git_commit_tree(&tip, c);
	if (collect_paths(r->srv->st, tip, &ch)) {
		mcp_tool_fail(o, "out of memory");
		goto out_free;
	}
	ch.files = calloc(ch.n, sizeof(*ch.files));
	if (!ch.files) {
		mcp_tool_fail(o, "out of memory");
		goto out_free;
	}
	for (i = 0; i < ch.n; i++) {
		int on_disk, in_tip, same;
		git_oid wid;

		on_disk = !store_read(r->srv->st, ch.paths[i], &ch.content[i],
				      NULL);
		in_tip = tip && !git_tree_entry_bypath(&e, tip, ch.paths[i]);
		same = on_disk == in_tip;
		if (same && on_disk) {
			git_odb_hash(&wid, hbuf_str(&ch.content[i]),
				     ch.content[i].len, GIT_OBJECT_BLOB);
			same = git_oid_equal(&wid, git_tree_entry_id(e));
		}
		if (in_tip)
			git_tree_entry_free(e);
		if (same)
			continue;
		ch.files[k].relpath = ch.paths[i];
		ch.files[k].buf = on_disk ? hbuf_str(&ch.content[i]) : NULL;
		ch.files[k].len = ch.content[i].len;
		k++;
	}
	s = o->structured = cJSON_CreateObject();
	files = cJSON_AddArrayToObject(s, "files");
	if (!k) {
		cJSON_AddFalseToObject(s, "committed");
		hbuf_adds(&o->text, "nothing to commit: the configuration "
			  "files match the last commit\n");
		rc = 0;
		goto out_free;
	}
	if (store_write_many(r->srv->st, ch.files, k, msg,
			     "mcp commit_changes", &diags, &err)) {
		why[0] = '\0';
		for (i = 0; i < diags.len && used + 1 < sizeof(why); i++)
			if (diags.items[i].severity == HDIAG_ERROR)
				used += (size_t)snprintf(why + used,
							 sizeof(why) - used,
							 "%s%s", used ? "; " :
							 "",
							 diags.items[i].text);
		cJSON_Delete(o->structured);
		o->structured = NULL;
		mcp_tool_fail(o, "nothing was committed: %s; fix the file and "
			      "call commit_changes again",
			      why[0] ? why : err.msg);
		goto out_free;
	}
	tools__commit_id(r, commit);
	cJSON_AddTrueToObject(s, "committed");
	cJSON_AddStringToObject(s, "commit", commit);
	for (i = 0; i < k; i++) {
		cJSON_AddItemToArray(files,
				     cJSON_CreateString(ch.files[i].relpath));
		hbuf_addf(&o->text, "%s %s\n", ch.files[i].buf ? "changed" :
			  "deleted", ch.files[i].relpath);
	}
	hbuf_addf(&o->text, "committed %zu file%s (commit %.12s)\n", k,
		  k == 1 ? "" : "s", commit);
	mcp_log_client(r, MCP_LOG_INFO, "commit_changes", msg);
	rc = 0;
out_free:
	hdiag_list_release(&diags);
	changed_release(&ch);
	git_tree_free(tip);
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}

/*
 * tool_git.c - the history tools (get_history, get_snapshot, diff) and
 * reading a file at a revision.  These open the store's repository with
 * libgit2 read-only; every change still goes through the core store.
 */
#include "server_i.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "helios/validate.h"

#define HISTORY_LIMIT_DEFAULT 20
#define HISTORY_LIMIT_MAX 100
#define DIFF_MAX ((size_t)1 << 20)

static int git_ready;

static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static int repo_open(struct store *st, git_repository **repo)
{
	if (!git_ready) {
		git_libgit2_init();
		git_ready = 1;
	}
	return git_repository_open(repo, store_dir(st));
}

/* The commit a revision names: a hex id, HEAD~2, main, a tag. */
static int resolve_commit(git_repository *repo, const char *rev,
			  git_commit **out, char *why, size_t whylen)
{
	git_object *obj = NULL, *peeled = NULL;

	if (!rev || !rev[0] || rev[0] == '-' || strchr(rev, ':')) {
		snprintf(why, whylen,
			 "revision must name a commit (a commit id, HEAD, HEAD~1, main)");
		return -1;
	}
	if (git_revparse_single(&obj, repo, rev)) {
		snprintf(why, whylen,
			 "unknown revision '%.100s'; get_history lists the commit ids",
			 rev);
		return -1;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT)) {
		git_object_free(obj);
		snprintf(why, whylen, "revision '%.100s' is not a commit", rev);
		return -1;
	}
	git_object_free(obj);
	*out = (git_commit *)peeled;
	return 0;
}

int mcp_git_file_at(struct store *st, const char *rev, const char *path,
		    struct hbuf *out, char *why, size_t whylen)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int rc = -1;

	if (repo_open(st, &repo)) {
		snprintf(why, whylen, "cannot open the store repository: %s",
			 git_msg());
		return -1;
	}
	if (resolve_commit(repo, rev, &commit, why, whylen))
		goto out_free;
	if (git_commit_tree(&tree, commit)) {
		snprintf(why, whylen, "cannot read the tree: %s", git_msg());
		goto out_free;
	}
	if (git_tree_entry_bypath(&entry, tree, path) ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		snprintf(why, whylen, "%s does not exist at revision %.100s",
			 path, rev);
		goto out_free;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry))) {
		snprintf(why, whylen, "cannot read %s: %s", path, git_msg());
		goto out_free;
	}
	if (hbuf_add(out, git_blob_rawcontent(blob),
		     (size_t)git_blob_rawsize(blob))) {
		snprintf(why, whylen, "%s is too large", path);
		goto out_free;
	}
	rc = 0;
out_free:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(repo);
	return rc;
}

/* Paths a commit changed against its first parent (all, for a root). */
static cJSON *commit_files(git_repository *repo, git_commit *c)
{
	git_commit *parent = NULL;
	git_tree *t = NULL, *pt = NULL;
	git_diff *diff = NULL;
	cJSON *files = cJSON_CreateArray();
	size_t i, n;

	if (git_commit_tree(&t, c))
		goto out_free;
	if (git_commit_parentcount(c) && !git_commit_parent(&parent, c, 0))
		git_commit_tree(&pt, parent);
	if (git_diff_tree_to_tree(&diff, repo, pt, t, NULL))
		goto out_free;
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		cJSON_AddItemToArray(files, cJSON_CreateString(
			d->new_file.path ? d->new_file.path : d->old_file.path));
	}
out_free:
	git_diff_free(diff);
	git_tree_free(pt);
	git_tree_free(t);
	git_commit_free(parent);
	return files;
}

static int has_file(const cJSON *files, const char *path)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, files)
		if (!strcmp(f->valuestring, path))
			return 1;
	return 0;
}

static cJSON *commit_json(git_commit *c, cJSON *files)
{
	const git_signature *a = git_commit_author(c);
	char id[GIT_OID_HEXSZ + 1], when[32], *author = NULL;
	time_t t = (time_t)git_commit_time(c);
	const char *msg = git_commit_message(c);
	size_t mlen = strlen(msg);
	struct tm tm;
	cJSON *j = cJSON_CreateObject();

	git_oid_tostr(id, sizeof(id), git_commit_id(c));
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	while (mlen && msg[mlen - 1] == '\n')
		mlen--;
	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddStringToObject(j, "time", when);
	if (asprintf(&author, "%s <%s>", a->name, a->email) < 0)
		author = NULL;
	cJSON_AddStringToObject(j, "author", author ? author : "");
	free(author);
	author = strndup(msg, mlen);
	cJSON_AddStringToObject(j, "message", author ? author : "");
	free(author);
	cJSON_AddItemToObject(j, "files", files);
	return j;
}

int tool_get_history(struct mcp_req *r, const cJSON *args,
		     struct mcp_toolres *o)
{
	const char *path = json_str(args, "path");
	const char *cursor = json_str(args, "cursor");
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(args, "limit");
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t limit = HISTORY_LIMIT_DEFAULT, seen = 0;
	cJSON *s, *list;
	int rc = 0;

	if (lim) {
		if (!cJSON_IsNumber(lim) || lim->valuedouble < 1 ||
		    lim->valuedouble > HISTORY_LIMIT_MAX ||
		    (double)(size_t)lim->valuedouble != lim->valuedouble)
			return mcp_tool_fail(o, "limit must be an integer from 1 to 100");
		limit = (size_t)lim->valuedouble;
	}
	if (repo_open(r->srv->st, &repo))
		return mcp_tool_fail(o, "cannot open the store repository: %s",
				     git_msg());
	if (git_revwalk_new(&walk, repo)) {
		rc = mcp_tool_fail(o, "cannot walk history: %s", git_msg());
		goto out_free;
	}
	git_revwalk_sorting(walk, GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL);
	if (cursor) {
		if (git_oid_fromstrn(&oid, cursor, strlen(cursor)) ||
		    strlen(cursor) != GIT_OID_HEXSZ ||
		    git_revwalk_push(walk, &oid)) {
			rc = mcp_tool_fail(o, "invalid cursor; pass the nextCursor of a "
				"previous get_history answer");
			goto out_free;
		}
	} else if (git_revwalk_push_head(walk)) {
		rc = mcp_tool_fail(o, "cannot read HEAD: %s", git_msg());
		goto out_free;
	}
	s = cJSON_CreateObject();
	o->structured = s;
	list = cJSON_AddArrayToObject(s, "commits");
	while (!git_revwalk_next(&oid, walk)) {
		git_commit *c = NULL;
		cJSON *files;
		char id[GIT_OID_HEXSZ + 1];

		if ((size_t)cJSON_GetArraySize(list) == limit) {
			git_oid_tostr(id, sizeof(id), &oid);
			cJSON_AddStringToObject(s, "nextCursor", id);
			break;
		}
		if (++seen % 64 == 0) {
			mcp_progress(r, 0, "walking history");
			if (mcp_check_cancel(r)) {
				rc = TOOL_CANCELLED;
				goto out_free;
			}
		}
		if (git_commit_lookup(&c, repo, &oid))
			continue;
		files = commit_files(repo, c);
		if (path && !has_file(files, path)) {
			cJSON_Delete(files);
		} else {
			cJSON *j = commit_json(c, files);

			cJSON_AddItemToArray(list, j);
			hbuf_addf(&o->text, "%.12s %s %s\n",
				  json_str(j, "id"), json_str(j, "time"),
				  json_str(j, "message"));
		}
		git_commit_free(c);
	}
	if (!o->text.len)
		hbuf_adds(&o->text, "no commits\n");
out_free:
	git_revwalk_free(walk);
	git_repository_free(repo);
	return rc;
}

static int check_path(const char *path, struct mcp_toolres *o)
{
	if (!path || hdoc_kind_of_path(path) == HDOC_NONE)
		return mcp_tool_fail(o, "path must be base/identity.yaml or personas/NAME.yaml");
	return 0;
}

int tool_get_snapshot(struct mcp_req *r, const cJSON *args,
		      struct mcp_toolres *o)
{
	const char *rev = json_str(args, "revision");
	const char *path = json_str(args, "path");
	git_repository *repo = NULL;
	git_commit *c = NULL;
	char why[512], id[GIT_OID_HEXSZ + 1];
	cJSON *s;
	int rc;

	if (check_path(path, o))
		return TOOL_FAIL;
	if (repo_open(r->srv->st, &repo))
		return mcp_tool_fail(o, "cannot open the store repository: %s",
				     git_msg());
	rc = resolve_commit(repo, rev, &c, why, sizeof(why));
	if (!rc) {
		git_oid_tostr(id, sizeof(id), git_commit_id(c));
		git_commit_free(c);
	}
	git_repository_free(repo);
	if (rc)
		return mcp_tool_fail(o, "%s", why);
	if (mcp_git_file_at(r->srv->st, id, path, &o->text, why, sizeof(why)))
		return mcp_tool_fail(o, "%s", why);
	s = cJSON_CreateObject();
	o->structured = s;
	cJSON_AddStringToObject(s, "revision", rev);
	cJSON_AddStringToObject(s, "commit", id);
	cJSON_AddStringToObject(s, "path", path);
	cJSON_AddStringToObject(s, "content", hbuf_str(&o->text));
	if (!o->text.len)
		hbuf_adds(&o->text, "(empty file)\n");
	return 0;
}

static int diff_line(const git_diff_delta *d, const git_diff_hunk *h,
		     const git_diff_line *l, void *payload)
{
	struct hbuf *b = payload;

	(void)d;
	(void)h;
	if (b->len >= DIFF_MAX)
		return 0;
	if (l->origin == GIT_DIFF_LINE_CONTEXT ||
	    l->origin == GIT_DIFF_LINE_ADDITION ||
	    l->origin == GIT_DIFF_LINE_DELETION)
		hbuf_add(b, &l->origin, 1);
	hbuf_add(b, l->content, l->content_len);
	return 0;
}

int tool_diff(struct mcp_req *r, const cJSON *args, struct mcp_toolres *o)
{
	const char *from = json_str(args, "from");
	const char *to = json_str(args, "to");
	const char *path = json_str(args, "path");
	git_diff_options opts;
	git_repository *repo = NULL;
	git_commit *ca = NULL, *cb = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	char why[512], *spec[1];
	cJSON *s, *files;
	size_t i;
	int rc = 0;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (!to)
		to = "HEAD";
	if (path && check_path(path, o))
		return TOOL_FAIL;
	if (repo_open(r->srv->st, &repo))
		return mcp_tool_fail(o, "cannot open the store repository: %s",
				     git_msg());
	if (resolve_commit(repo, from, &ca, why, sizeof(why)) ||
	    resolve_commit(repo, to, &cb, why, sizeof(why))) {
		rc = mcp_tool_fail(o, "%s", why);
		goto out_free;
	}
	if (path) {
		spec[0] = (char *)path;
		opts.pathspec.strings = spec;
		opts.pathspec.count = 1;
		opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (git_commit_tree(&ta, ca) || git_commit_tree(&tb, cb) ||
	    git_diff_tree_to_tree(&diff, repo, ta, tb, &opts)) {
		rc = mcp_tool_fail(o, "cannot compute the diff: %s", git_msg());
		goto out_free;
	}
	git_diff_print(diff, GIT_DIFF_FORMAT_PATCH, diff_line, &o->text);
	s = cJSON_CreateObject();
	o->structured = s;
	cJSON_AddStringToObject(s, "from", from);
	cJSON_AddStringToObject(s, "to", to);
	files = cJSON_AddArrayToObject(s, "files");
	for (i = 0; i < git_diff_num_deltas(diff); i++)
		cJSON_AddItemToArray(files, cJSON_CreateString(
			git_diff_get_delta(diff, i)->new_file.path));
	cJSON_AddStringToObject(s, "diff", hbuf_str(&o->text));
	if (!o->text.len)
		hbuf_adds(&o->text, "(no differences)\n");
out_free:
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(ca);
	git_commit_free(cb);
	git_repository_free(repo);
	return rc;
}

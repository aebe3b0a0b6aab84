/*
 * tools_common.c - helpers the MCP tools share: failing a call with a
 * message, loading documents and personas, merging a persona onto the
 * base, and committing new or edited documents under the tool's name.
 */
#include "tools_i.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helios/merge.h"
#include "helios/validate.h"
#include "helios/yaml_edit.h"

int mcp_tool_fail(struct mcp_toolres *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->msg, sizeof(o->msg), fmt, ap);
	va_end(ap);
	return TOOL_FAIL;
}

/* Join the error diagnostics of a list into buf, separated by "; ". */
void tools__diags_join(const struct hdiag_list *d, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < d->len && used + 1 < size; i++) {
		if (d->items[i].severity != HDIAG_ERROR)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 used ? "; " : "", d->items[i].text);
	}
}

/*
 * Read and validate a configuration file.  On success *doc is the tree
 * (caller frees) and raw, when not NULL, holds the bytes.  On failure
 * returns HELIOS_ENOTFOUND or another code, with the reason in why.
 */
int mcp_load_doc(struct store *st, const char *relpath, struct hnode **doc,
		 struct hbuf *raw, char *why, size_t whylen)
{
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	struct hbuf buf;
	int rc;

	hbuf_init(&buf, HBUF_MAX_DEFAULT);
	rc = store_read(st, relpath, &buf, &err);
	if (rc == HELIOS_ENOTFOUND) {
		snprintf(why, whylen, "%s does not exist", relpath);
		goto out_release;
	}
	if (rc) {
		snprintf(why, whylen, "%s", err.msg);
		goto out_release;
	}
	hdiag_list_init(&diags);
	rc = hdoc_validate(hdoc_kind_of_path(relpath), relpath, hbuf_str(&buf),
			   buf.len, NULL, &diags, doc);
	if (rc)
		tools__diags_join(&diags, why, whylen);
	hdiag_list_release(&diags);
	if (!rc && raw)
		hbuf_add(raw, hbuf_str(&buf), buf.len);
out_release:
	hbuf_release(&buf);
	return rc;
}

int tools__persona_path(const char *name, char *out, size_t size,
			struct mcp_toolres *o)
{
	struct helios_error err = { 0 };

	if (!name)
		return mcp_tool_fail(o, "a persona name is required");
	if (hname_check_persona(name, &err))
		return mcp_tool_fail(o,
				     "invalid persona name '%.64s': %s (use 1-64 letters,"
				     " digits, '-', '_' or '.', not starting with '.')",
				     name, err.msg);
	snprintf(out, size, "personas/%s.yaml", name);
	return 0;
}

/* "a, b, c" of the existing personas, for messages. */
void tools__persona_names(struct store *st, char *buf, size_t size)
{
	char **names = NULL;
	size_t n = 0, i, used = 0;

	buf[0] = '\0';
	if (store_list_personas(st, &names, &n, NULL) || !n) {
		snprintf(buf, size, "(none)");
		return;
	}
	for (i = 0; i < n && used + 1 < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? ", " : "", names[i]);
	store_names_free(names, n);
}

/* Load a persona, turning "not found" into a message that lists others. */
int tools__load_persona(struct mcp_req *r, const char *name,
			struct hnode **doc, struct hbuf *raw,
			struct mcp_toolres *o)
{
	char path[96], why[1024], names[1024];
	int rc;

	if (tools__persona_path(name, path, sizeof(path), o))
		return TOOL_FAIL;
	rc = mcp_load_doc(r->srv->st, path, doc, raw, why, sizeof(why));
	if (rc == HELIOS_ENOTFOUND) {
		tools__persona_names(r->srv->st, names, sizeof(names));
		return mcp_tool_fail(o,
				     "persona '%s' does not exist; existing personas: %s",
				     name, names);
	}
	if (rc)
		return mcp_tool_fail(o, "persona '%s' cannot be used: %s",
				     name, why);
	return 0;
}

int mcp_merged(struct store *st, const char *persona, struct hnode **base,
	       struct merge_result *mr, char *why, size_t whylen)
{
	struct helios_error err = { 0 };
	struct hnode *pdoc = NULL;
	char path[96];
	int rc;

	*base = NULL;
	if (hname_check_persona(persona, &err)) {
		snprintf(why, whylen, "invalid persona name: %s", err.msg);
		return HELIOS_ENAME;
	}
	snprintf(path, sizeof(path), "personas/%s.yaml", persona);
	rc = mcp_load_doc(st, STORE_BASE_PATH, base, NULL, why, whylen);
	if (rc)
		return rc;
	rc = mcp_load_doc(st, path, &pdoc, NULL, why, whylen);
	if (!rc) {
		rc = merge_documents(*base, pdoc, mr, &err);
		if (rc)
			snprintf(why, whylen, "%s", err.msg);
	}
	hnode_free(pdoc);
	if (rc) {
		hnode_free(*base);
		*base = NULL;
	}
	return rc;
}

void tools__commit_id(struct mcp_req *r, char commit[41])
{
	if (store_head(r->srv->st, commit, NULL))
		snprintf(commit, 41, "unknown");
}

/*
 * The tool result of a store change to relpath that returned rc: on
 * success the commit it made, logged to the client; a lost race
 * (HELIOS_ECONFLICT) is TOOL_RETRY; anything else a failure saying why.
 */
static int written(struct mcp_req *r, int rc, const char *relpath,
		   const char *tool, const struct hdiag_list *diags,
		   const struct helios_error *err, struct mcp_toolres *o,
		   char commit[41])
{
	char why[1536];

	if (rc == HELIOS_ECONFLICT)
		return TOOL_RETRY;
	if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		tools__diags_join(diags, why, sizeof(why));
		return mcp_tool_fail(o, "the change would make %s invalid, so "
				     "nothing was written: %s", relpath,
				     why[0] ? why : err->msg);
	}
	if (rc)
		return mcp_tool_fail(o, "cannot write %s: %s", relpath,
				     err->msg);
	tools__commit_id(r, commit);
	mcp_log_client(r, MCP_LOG_INFO, tool, relpath);
	return 0;
}

/*
 * Store bytes as relpath in one commit named after the tool, provided
 * the file still is what expect says (else TOOL_RETRY).
 */
static int write_bytes(struct mcp_req *r, const char *relpath,
		       const struct store_expect *expect,
		       const struct hbuf *out, const char *tool,
		       struct mcp_toolres *o, char commit[41])
{
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	char face[64];
	int rc;

	hdiag_list_init(&diags);
	snprintf(face, sizeof(face), "mcp %s", tool);
	rc = store_write_if(r->srv->st, relpath, expect, hbuf_str(out),
			    out->len, face, &diags, &err);
	rc = written(r, rc, relpath, tool, &diags, &err, o, commit);
	hdiag_list_release(&diags);
	return rc;
}

/* Render a whole new document (a new file has no layout to keep). */
int tools__write_new_doc(struct mcp_req *r, const char *relpath,
			 const struct hnode *doc, const char *tool,
			 struct mcp_toolres *o, char commit[41])
{
	static const struct store_expect absent = { NULL, 0 };
	struct hbuf out;
	int rc;

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	rc = hyaml_emit(doc, &out);
	if (rc)
		rc = mcp_tool_fail(o, "cannot render %s: the result is too large or too deep",
				   relpath);
	else
		rc = write_bytes(r, relpath, &absent, &out, tool, o, commit);
	hbuf_release(&out);
	return rc;
}

struct key_edit {
	const char *key;
	const struct hnode *v;
	int failed;		/* the edit itself failed, not the write */
};

/* store_edit() callback: set one dotted key in the current bytes. */
static int edit_key(const struct hbuf *cur, struct hbuf *out, void *arg,
		    struct helios_error *err)
{
	struct key_edit *e = arg;
	int rc;

	if (!cur)
		rc = helios_error_set(err, HELIOS_ENOTFOUND,
				      "the file no longer exists");
	else
		rc = hyaml_edit_set(hbuf_str(cur), cur->len, e->key, e->v,
				    out, err);
	e->failed = rc != 0;
	return rc;
}

/*
 * Set a dotted key of an existing file to v by editing its bytes in
 * place, so comments, key order and layout elsewhere survive; then
 * validate and commit.  The edit runs on the file as it is under the
 * store lock, so a change another writer made since the caller read the
 * file is kept, never overwritten.
 */
int tools__edit_and_write(struct mcp_req *r, const char *relpath,
			  const char *key, const struct hnode *v,
			  const char *tool, struct mcp_toolres *o,
			  char commit[41])
{
	struct key_edit e = { key, v, 0 };
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	char face[64];
	int rc;

	hdiag_list_init(&diags);
	snprintf(face, sizeof(face), "mcp %s", tool);
	rc = store_edit(r->srv->st, relpath, edit_key, &e, face, &diags,
			&err);
	if (rc && e.failed)
		rc = mcp_tool_fail(o, "cannot set '%s': %s", key, err.msg);
	else
		rc = written(r, rc, relpath, tool, &diags, &err, o, commit);
	hdiag_list_release(&diags);
	return rc;
}

cJSON *tools__structured_new(struct mcp_toolres *o)
{
	o->structured = cJSON_CreateObject();
	return o->structured;
}

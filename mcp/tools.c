/*
 * tools.c - the MCP tools: the table (names, schemas, annotations),
 * tools/list and tools/call, and the tools that read and change the
 * configuration.  History tools are in tool_git.c.
 *
 * Every change goes through store_write(), store_write_many() or
 * store_delete() with the face "mcp TOOL", so the commit message names
 * the tool.  Edits of existing files splice the new value into the
 * file's bytes (yaml_edit.h), so hand-written comments and layout stay.
 * revert_learning and commit_changes are in tool_revert.c.  A failure is a tool
 * result with isError and a message that says what to fix; only a
 * malformed call (unknown tool, arguments not an object) is a JSON-RPC
 * error.
 */
#include "server_i.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helios/merge.h"
#include "helios/validate.h"
#include "helios/yaml_edit.h"

#define TOOLS_PAGE 8
#define SEARCH_MAX_MATCHES 100

enum tool_hints {
	HINT_READ_ONLY = 1 << 0,
	HINT_DESTRUCTIVE = 1 << 1,
	HINT_IDEMPOTENT = 1 << 2,
};

typedef int (*tool_fn)(struct mcp_req *r, const cJSON *args,
		       struct mcp_toolres *o);

struct mcp_tool {
	const char *name;
	const char *title;
	const char *description;
	const char *input_schema;
	const char *output_schema;
	unsigned hints;
	tool_fn fn;
};

int mcp_tool_fail(struct mcp_toolres *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->msg, sizeof(o->msg), fmt, ap);
	va_end(ap);
	return TOOL_FAIL;
}

/* Join the error diagnostics of a list into buf, separated by "; ". */
static void diags_join(const struct hdiag_list *d, char *buf, size_t size)
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
		diags_join(&diags, why, whylen);
	hdiag_list_release(&diags);
	if (!rc && raw)
		hbuf_add(raw, hbuf_str(&buf), buf.len);
out_release:
	hbuf_release(&buf);
	return rc;
}

static int persona_path(const char *name, char *out, size_t size,
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
static void persona_names(struct store *st, char *buf, size_t size)
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
static int load_persona(struct mcp_req *r, const char *name,
			struct hnode **doc, struct hbuf *raw,
			struct mcp_toolres *o)
{
	char path[96], why[1024], names[1024];
	int rc;

	if (persona_path(name, path, sizeof(path), o))
		return TOOL_FAIL;
	rc = mcp_load_doc(r->srv->st, path, doc, raw, why, sizeof(why));
	if (rc == HELIOS_ENOTFOUND) {
		persona_names(r->srv->st, names, sizeof(names));
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

/* Store bytes as relpath in one commit named after the tool. */
static int write_bytes(struct mcp_req *r, const char *relpath,
		       const struct hbuf *out, const char *tool,
		       struct mcp_toolres *o, char commit[41])
{
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	char face[64], why[1536];
	int rc;

	hdiag_list_init(&diags);
	snprintf(face, sizeof(face), "mcp %s", tool);
	rc = store_write(r->srv->st, relpath, hbuf_str(out), out->len, face,
			 &diags, &err);
	if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		diags_join(&diags, why, sizeof(why));
		rc = mcp_tool_fail(o, "the change would make %s invalid, so nothing was "
			"written: %s",
				   relpath, why[0] ? why : err.msg);
		goto out_release;
	}
	if (rc) {
		rc = mcp_tool_fail(o, "cannot write %s: %s", relpath, err.msg);
		goto out_release;
	}
	if (store_head(r->srv->st, commit, &err))
		snprintf(commit, 41, "unknown");
	mcp_log_client(r, MCP_LOG_INFO, tool, relpath);
out_release:
	hdiag_list_release(&diags);
	return rc;
}

/* Render a whole new document (a new file has no layout to keep). */
static int write_doc(struct mcp_req *r, const char *relpath,
		     const struct hnode *doc, const char *tool,
		     struct mcp_toolres *o, char commit[41])
{
	struct hbuf out;
	int rc;

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	rc = hyaml_emit(doc, &out);
	if (rc)
		rc = mcp_tool_fail(o, "cannot render %s: the result is too large or too deep",
				   relpath);
	else
		rc = write_bytes(r, relpath, &out, tool, o, commit);
	hbuf_release(&out);
	return rc;
}

/*
 * Set a dotted key of an existing file to v by editing its bytes in
 * place, so comments, key order and layout elsewhere survive; then
 * validate and commit.
 */
static int edit_and_write(struct mcp_req *r, const char *relpath,
			  const char *key, const struct hnode *v,
			  const char *tool, struct mcp_toolres *o,
			  char commit[41])
{
	struct helios_error err = { 0 };
	struct hnode *doc = NULL;
	struct hbuf raw, out;
	char why[1024];
	int rc;

	hbuf_init(&raw, HBUF_MAX_DEFAULT);
	hbuf_init(&out, HBUF_MAX_DEFAULT);
	rc = mcp_load_doc(r->srv->st, relpath, &doc, &raw, why, sizeof(why));
	hnode_free(doc);
	if (rc) {
		rc = mcp_tool_fail(o, "%s cannot be edited: %s", relpath, why);
		goto out_release;
	}
	rc = hyaml_edit_set(hbuf_str(&raw), raw.len, key, v, &out, &err);
	if (rc) {
		rc = mcp_tool_fail(o, "cannot set '%s': %s", key, err.msg);
		goto out_release;
	}
	rc = write_bytes(r, relpath, &out, tool, o, commit);
out_release:
	hbuf_release(&out);
	hbuf_release(&raw);
	return rc;
}

static cJSON *structured_new(struct mcp_toolres *o)
{
	o->structured = cJSON_CreateObject();
	return o->structured;
}

/* ---- reading ---- */

static int t_get_base_config(struct mcp_req *r, const cJSON *args,
			     struct mcp_toolres *o)
{
	struct hnode *doc = NULL;
	char why[1024];
	cJSON *s;

	(void)args;
	if (mcp_load_doc(r->srv->st, STORE_BASE_PATH, &doc, &o->text, why,
			 sizeof(why)))
		return mcp_tool_fail(o, "the base identity cannot be read: %s",
				     why);
	s = structured_new(o);
	cJSON_AddStringToObject(s, "path", STORE_BASE_PATH);
	cJSON_AddItemToObject(s, "config", json_from_hnode(doc));
	hnode_free(doc);
	return 0;
}

static int t_get_active_persona(struct mcp_req *r, const cJSON *args,
				struct mcp_toolres *o)
{
	const char *name = json_str(args, "persona_name");
	struct hnode *doc = NULL;
	char path[96];
	cJSON *s;

	if (load_persona(r, name, &doc, &o->text, o))
		return TOOL_FAIL;
	snprintf(path, sizeof(path), "personas/%s.yaml", name);
	s = structured_new(o);
	cJSON_AddStringToObject(s, "name", name);
	cJSON_AddStringToObject(s, "path", path);
	cJSON_AddItemToObject(s, "config", json_from_hnode(doc));
	hnode_free(doc);
	return 0;
}

static double base_importance_of(const struct hnode *base)
{
	const struct hnode *b = hnode_map_get(base, "base_importance");

	if (b && b->type == HNODE_INT)
		return (double)b->u.i;
	return b && b->type == HNODE_FLOAT ? b->u.f : 0.0;
}

static int t_list_personas(struct mcp_req *r, const cJSON *args,
			   struct mcp_toolres *o)
{
	struct hnode *base = NULL;
	char **names = NULL;
	size_t n = 0, i;
	char why[1024];
	cJSON *s, *list, *bad;
	double bi;

	(void)args;
	if (mcp_load_doc(r->srv->st, STORE_BASE_PATH, &base, NULL, why,
			 sizeof(why)))
		return mcp_tool_fail(o, "the base identity cannot be read: %s",
				     why);
	bi = base_importance_of(base);
	hnode_free(base);
	if (store_list_personas(r->srv->st, &names, &n, NULL))
		return mcp_tool_fail(o, "cannot list the personas directory");
	s = structured_new(o);
	cJSON_AddNumberToObject(s, "base_importance", bi);
	list = cJSON_AddArrayToObject(s, "personas");
	bad = cJSON_AddArrayToObject(s, "invalid");
	hbuf_addf(&o->text, "base_importance: %g\n", bi);
	for (i = 0; i < n; i++) {
		struct hnode *doc = NULL;
		const struct hnode *lvl;
		char path[96];
		cJSON *e = cJSON_CreateObject();

		snprintf(path, sizeof(path), "personas/%s.yaml", names[i]);
		cJSON_AddStringToObject(e, "name", names[i]);
		if (mcp_load_doc(r->srv->st, path, &doc, NULL, why,
				 sizeof(why))) {
			cJSON_AddStringToObject(e, "error", why);
			cJSON_AddItemToArray(bad, e);
			hbuf_addf(&o->text, "%s: invalid: %s\n", names[i], why);
			continue;
		}
		lvl = hnode_map_get(doc, "specialization_level");
		cJSON_AddNumberToObject(e, "specialization_level",
					(double)lvl->u.i);
		cJSON_AddNumberToObject(e, "weight",
					merge_weight(bi, lvl->u.i));
		cJSON_AddItemToArray(list, e);
		hbuf_addf(&o->text, "%s: specialization_level %lld, weight %.4g\n",
			  names[i], (long long)lvl->u.i,
			  merge_weight(bi, lvl->u.i));
		hnode_free(doc);
	}
	store_names_free(names, n);
	return 0;
}

static int t_merge_behaviors(struct mcp_req *r, const cJSON *args,
			     struct mcp_toolres *o)
{
	const char *name = json_str(args, "persona_name");
	struct merge_result mr = { 0 };
	struct hnode *base = NULL, *probe = NULL;
	const struct hnode *beh;
	char why[1024];
	cJSON *s;

	if (load_persona(r, name, &probe, NULL, o))
		return TOOL_FAIL;
	hnode_free(probe);
	if (mcp_merged(r->srv->st, name, &base, &mr, why, sizeof(why)))
		return mcp_tool_fail(o, "cannot merge '%s': %s", name, why);
	beh = hnode_map_get(mr.merged, "behaviors");
	s = structured_new(o);
	cJSON_AddStringToObject(s, "persona", name);
	cJSON_AddNumberToObject(s, "base_importance", mr.base_importance);
	cJSON_AddNumberToObject(s, "specialization_level",
				(double)mr.specialization_level);
	cJSON_AddNumberToObject(s, "inheritance_weight", mr.weight);
	cJSON_AddNumberToObject(s, "persona_weight", 1.0 - mr.weight);
	cJSON_AddItemToObject(s, "behaviors",
			      beh ? json_from_hnode(beh) : cJSON_CreateObject());
	cJSON_AddItemToObject(s, "merged", json_from_hnode(mr.merged));
	hbuf_addf(&o->text,
		  "# weight = base_importance / specialization_level^2 = %g / %lld^2 = "
		  "%.4g (persona %.4g)\n",
		  mr.base_importance, (long long)mr.specialization_level,
		  mr.weight, 1.0 - mr.weight);
	hyaml_emit(mr.merged, &o->text);
	merge_result_release(&mr);
	hnode_free(base);
	return 0;
}

/* ---- search ---- */

struct search {
	const char *query;
	int has_min;
	double min;
	const char *file;
	cJSON *matches;
	size_t count;
	int truncated;
};

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return !n;
}

static int scalar_text(const struct hnode *n, char *buf, size_t size)
{
	switch (n->type) {
	case HNODE_STR:
		snprintf(buf, size, "%s", n->u.s.ptr);
		return 1;
	case HNODE_INT:
		snprintf(buf, size, "%lld", (long long)n->u.i);
		return 1;
	case HNODE_FLOAT:
		snprintf(buf, size, "%g", n->u.f);
		return 1;
	case HNODE_BOOL:
		snprintf(buf, size, "%s", n->u.b ? "true" : "false");
		return 1;
	default:
		return 0;
	}
}

static void search_add(struct search *s, const char *path,
		       const struct hnode *v, int has_conf, double conf)
{
	cJSON *m;

	if (s->has_min && (!has_conf || conf < s->min))
		return;
	if (s->count >= SEARCH_MAX_MATCHES) {
		s->truncated = 1;
		return;
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "file", s->file);
	cJSON_AddStringToObject(m, "key", path);
	cJSON_AddItemToObject(m, "value", json_from_hnode(v));
	if (has_conf)
		cJSON_AddNumberToObject(m, "confidence", conf);
	cJSON_AddItemToArray(s->matches, m);
	s->count++;
}

/*
 * Walk a tree; a key or a scalar value containing the query is a match.
 * A mapping with a numeric "confidence" gives that confidence to
 * everything inside it (learned patterns carry one).
 */
static void search_walk(struct search *s, const struct hnode *n,
			const char *path, int has_conf, double conf)
{
	char text[512];
	size_t i;

	if (n->type == HNODE_MAP) {
		const struct hnode *c = hnode_map_get(n, "confidence");

		if (c && (c->type == HNODE_INT || c->type == HNODE_FLOAT)) {
			has_conf = 1;
			conf = c->type == HNODE_INT ? (double)c->u.i : c->u.f;
		}
		for (i = 0; i < n->u.map.len; i++) {
			const struct hpair *p = &n->u.map.items[i];
			char *sub;

			if (asprintf(&sub, "%s%s%s", path, *path ? "." : "",
				     p->key) < 0)
				return;
			if (contains_ci(p->key, s->query))
				search_add(s, sub, p->value, has_conf, conf);
			else if (scalar_text(p->value, text, sizeof(text)) &&
				 contains_ci(text, s->query))
				search_add(s, sub, p->value, has_conf, conf);
			search_walk(s, p->value, sub, has_conf, conf);
			free(sub);
		}
	} else if (n->type == HNODE_SEQ) {
		for (i = 0; i < n->u.seq.len; i++) {
			const struct hnode *c = n->u.seq.items[i];
			char *sub;

			if (asprintf(&sub, "%s[%zu]", path, i) < 0)
				return;
			if (scalar_text(c, text, sizeof(text)) &&
			    contains_ci(text, s->query))
				search_add(s, sub, c, has_conf, conf);
			search_walk(s, c, sub, has_conf, conf);
			free(sub);
		}
	}
}

static int t_search_patterns(struct mcp_req *r, const cJSON *args,
			     struct mcp_toolres *o)
{
	const cJSON *cm = cJSON_GetObjectItemCaseSensitive(args,
							    "confidence_min");
	struct search s = { 0 };
	char **names = NULL;
	size_t n = 0, i;
	cJSON *res;

	s.query = json_str(args, "query");
	if (!s.query || !s.query[0])
		return mcp_tool_fail(o, "query must be a non-empty string");
	if (cm && !cJSON_IsNull(cm)) {
		if (!cJSON_IsNumber(cm) || cm->valuedouble < 0 ||
		    cm->valuedouble > 1)
			return mcp_tool_fail(o, "confidence_min must be a number from 0 to 1");
		s.has_min = 1;
		s.min = cm->valuedouble;
	}
	if (store_list_personas(r->srv->st, &names, &n, NULL))
		return mcp_tool_fail(o, "cannot list the personas directory");
	res = structured_new(o);
	cJSON_AddStringToObject(res, "query", s.query);
	s.matches = cJSON_AddArrayToObject(res, "matches");
	for (i = 0; i <= n; i++) {
		struct hnode *doc = NULL;
		char path[96], why[1024];

		if (i == 0)
			snprintf(path, sizeof(path), "%s", STORE_BASE_PATH);
		else
			snprintf(path, sizeof(path), "personas/%s.yaml",
				 names[i - 1]);
		mcp_progress(r, (double)n + 1, path);
		if (mcp_check_cancel(r)) {
			store_names_free(names, n);
			return TOOL_CANCELLED;
		}
		if (mcp_load_doc(r->srv->st, path, &doc, NULL, why,
				 sizeof(why)))
			continue;	/* invalid files are reported elsewhere */
		s.file = path;
		search_walk(&s, doc, "", 0, 0);
		hnode_free(doc);
	}
	store_names_free(names, n);
	cJSON_AddNumberToObject(res, "count", (double)s.count);
	cJSON_AddBoolToObject(res, "truncated", s.truncated);
	return 0;
}

/* ---- changing ---- */

static int is_control_key(const char *k, size_t len)
{
	static const char *const keys[] = {
		"base_importance", "specialization_level", "inherits_from",
	};
	size_t i;

	for (i = 0; i < 3; i++)
		if (strlen(keys[i]) == len && !strncmp(k, keys[i], len))
			return 1;
	return 0;
}

static void report_change(struct mcp_toolres *o, const char *relpath,
			  const char *key, const cJSON *value,
			  const char *commit)
{
	cJSON *s = structured_new(o);

	cJSON_AddStringToObject(s, "path", relpath);
	cJSON_AddStringToObject(s, "key", key);
	if (value)
		cJSON_AddItemToObject(s, "value", cJSON_Duplicate(value, 1));
	cJSON_AddStringToObject(s, "commit", commit);
	hbuf_addf(&o->text, "set %s in %s (commit %.12s)\n", key, relpath,
		  commit);
}

/* Set a dotted key in a document and commit it. */
static int set_and_write(struct mcp_req *r, const char *relpath,
			 const char *key, const cJSON *value, const char *tool,
			 struct mcp_toolres *o)
{
	struct hnode *v;
	char commit[41];
	int rc;

	if (!value)
		return mcp_tool_fail(o, "value is required (any JSON value)");
	v = hnode_from_json(value);
	if (!v)
		return mcp_tool_fail(o, "value cannot be stored as YAML");
	rc = edit_and_write(r, relpath, key, v, tool, o, commit);
	hnode_free(v);
	if (!rc)
		report_change(o, relpath, key, value, commit);
	return rc;
}

static int t_update_preference(struct mcp_req *r, const cJSON *args,
			       struct mcp_toolres *o)
{
	const char *domain = json_str(args, "domain");
	const char *key = json_str(args, "key");
	char *path;
	int rc;

	if (!domain || !domain[0] || strchr(domain, '.'))
		return mcp_tool_fail(o, "domain must be a top-level key of the base identity "
			"without dots, e.g. \"behaviors\"");
	if (!key || !key[0])
		return mcp_tool_fail(o, "key must be a non-empty dotted key inside the "
			"domain, e.g. \"communication_style.tone\"");
	if (is_control_key(domain, strlen(domain)))
		return mcp_tool_fail(o, "'%s' is a weight; change it with tune_weight",
				     domain);
	if (asprintf(&path, "%s.%s", domain, key) < 0)
		return mcp_tool_fail(o, "out of memory");
	rc = set_and_write(r, STORE_BASE_PATH, path,
			   cJSON_GetObjectItemCaseSensitive(args, "value"),
			   "update_preference", o);
	free(path);
	return rc;
}

static int t_learn_behavior(struct mcp_req *r, const cJSON *args,
			    struct mcp_toolres *o)
{
	const char *name = json_str(args, "persona");
	const char *key = json_str(args, "key");
	struct hnode *probe = NULL;
	char relpath[96], *path;
	int rc;

	if (!key || !key[0])
		return mcp_tool_fail(o, "key must be a non-empty dotted key under behaviors,"
			" e.g. \"code_review.tone\"");
	if (load_persona(r, name, &probe, NULL, o))
		return TOOL_FAIL;
	hnode_free(probe);
	snprintf(relpath, sizeof(relpath), "personas/%s.yaml", name);
	if (asprintf(&path, "behaviors.%s", key) < 0)
		return mcp_tool_fail(o, "out of memory");
	rc = set_and_write(r, relpath, path,
			   cJSON_GetObjectItemCaseSensitive(args, "value"),
			   "learn_behavior", o);
	free(path);
	return rc;
}

static int t_tune_weight(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o)
{
	const char *target = json_str(args, "target");
	const char *param = json_str(args, "parameter");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, "value");
	char relpath[96];
	cJSON *value;
	int rc;

	if (!target || !param)
		return mcp_tool_fail(o, "target and parameter are required strings");
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return mcp_tool_fail(o, "value must be a number");
	if (!strcmp(target, "base")) {
		if (strcmp(param, "base_importance"))
			return mcp_tool_fail(o, "the base has only base_importance to tune");
		if (v->valuedouble < 0 || v->valuedouble > 1)
			return mcp_tool_fail(o, "base_importance must be from 0.0 to 1.0, got %g",
					     v->valuedouble);
		snprintf(relpath, sizeof(relpath), "%s", STORE_BASE_PATH);
		value = cJSON_CreateNumber(v->valuedouble);
	} else {
		struct hnode *probe = NULL;

		if (strcmp(param, "specialization_level"))
			return mcp_tool_fail(o, "a persona has only specialization_level "
				"to tune; use target \"base\" for base_importance");
		if (floor(v->valuedouble) != v->valuedouble ||
		    v->valuedouble < 1 || v->valuedouble > 1000000)
			return mcp_tool_fail(o, "specialization_level must be an integer "
				">= 1, got %g",
					     v->valuedouble);
		if (load_persona(r, target, &probe, NULL, o))
			return TOOL_FAIL;
		hnode_free(probe);
		snprintf(relpath, sizeof(relpath), "personas/%s.yaml", target);
		value = cJSON_CreateNumber(v->valuedouble);
	}
	if (!value)
		return mcp_tool_fail(o, "out of memory");
	if (!strcmp(param, "base_importance") &&
	    floor(v->valuedouble) == v->valuedouble) {
		/* keep base_importance a float so 1 stays 1.0 in YAML */
		struct hnode *f = hnode_new_float(v->valuedouble);
		char commit[41];

		cJSON_Delete(value);
		if (!f)
			return mcp_tool_fail(o, "out of memory");
		rc = edit_and_write(r, relpath, param, f, "tune_weight", o,
				    commit);
		hnode_free(f);
		if (!rc)
			report_change(o, relpath, param, v, commit);
		return rc;
	}
	rc = set_and_write(r, relpath, param, value, "tune_weight", o);
	cJSON_Delete(value);
	return rc;
}

static int config_path(const char *config, char *out, size_t size,
		       struct mcp_toolres *o)
{
	if (config && !strcmp(config, "base")) {
		snprintf(out, size, "%s", STORE_BASE_PATH);
		return 0;
	}
	return persona_path(config, out, size, o);
}

/*
 * Move behaviors.KEY from one configuration to another in one commit:
 * the key is cut from the source's bytes and set in the target's, both
 * files keep their comments and layout, and store_write_many() commits
 * the two together (a crash leaves both old or both new).
 */
static int t_evolve_behavior(struct mcp_req *r, const cJSON *args,
			     struct mcp_toolres *o)
{
	const char *from = json_str(args, "from_config");
	const char *to = json_str(args, "to_config");
	const char *key = json_str(args, "key");
	struct helios_error err = { 0 };
	struct hnode *src = NULL, *dst = NULL;
	const struct hnode *val;
	struct hbuf sraw, draw, sout, dout;
	struct hdiag_list diags;
	struct store_file files[2];
	char fpath[96], tpath[96], why[1536], commit[41], *path = NULL;
	char *msg = NULL;
	cJSON *s;
	int rc;

	if (!key || !key[0])
		return mcp_tool_fail(o, "key must name a behavior, e.g. \"code_review\"");
	if (config_path(from, fpath, sizeof(fpath), o) ||
	    config_path(to, tpath, sizeof(tpath), o))
		return TOOL_FAIL;
	if (!strcmp(fpath, tpath))
		return mcp_tool_fail(o, "from_config and to_config must differ");
	if (asprintf(&path, "behaviors.%s", key) < 0)
		return mcp_tool_fail(o, "out of memory");
	hbuf_init(&sraw, HBUF_MAX_DEFAULT);
	hbuf_init(&draw, HBUF_MAX_DEFAULT);
	hbuf_init(&sout, HBUF_MAX_DEFAULT);
	hbuf_init(&dout, HBUF_MAX_DEFAULT);
	hdiag_list_init(&diags);
	rc = mcp_load_doc(r->srv->st, fpath, &src, &sraw, why, sizeof(why));
	if (rc == HELIOS_ENOTFOUND)
		rc = load_persona(r, from, &src, &sraw, o);
	else if (rc)
		rc = mcp_tool_fail(o, "%s cannot be used: %s", fpath, why);
	if (rc)
		goto out_free;
	rc = mcp_load_doc(r->srv->st, tpath, &dst, &draw, why, sizeof(why));
	if (rc == HELIOS_ENOTFOUND)
		rc = load_persona(r, to, &dst, &draw, o);
	else if (rc)
		rc = mcp_tool_fail(o, "%s cannot be used: %s", tpath, why);
	if (rc)
		goto out_free;
	val = hnode_get_path(src, path);
	if (!val) {
		rc = mcp_tool_fail(o, "%s has no behavior '%s'", fpath, key);
		goto out_free;
	}
	if (hyaml_edit_remove(hbuf_str(&sraw), sraw.len, path, &sout, &err)) {
		rc = mcp_tool_fail(o, "cannot remove '%s' from %s: %s", path,
				   fpath, err.msg);
		goto out_free;
	}
	if (hyaml_edit_set(hbuf_str(&draw), draw.len, path, val, &dout,
			   &err)) {
		rc = mcp_tool_fail(o, "cannot set '%s' in %s: %s", path, tpath,
				   err.msg);
		goto out_free;
	}
	files[0] = (struct store_file){ tpath, hbuf_str(&dout), dout.len };
	files[1] = (struct store_file){ fpath, hbuf_str(&sout), sout.len };
	if (asprintf(&msg, "evolve %s from %s to %s", path, fpath, tpath) < 0) {
		msg = NULL;
		rc = mcp_tool_fail(o, "out of memory");
		goto out_free;
	}
	rc = store_write_many(r->srv->st, files, 2, msg, "mcp evolve_behavior",
			      &diags, &err);
	if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		diags_join(&diags, why, sizeof(why));
		rc = mcp_tool_fail(o, "the move would make a file invalid, so nothing "
				   "was written: %s", why[0] ? why : err.msg);
		goto out_free;
	}
	if (rc) {
		rc = mcp_tool_fail(o, "cannot move %s: %s", path, err.msg);
		goto out_free;
	}
	if (store_head(r->srv->st, commit, &err))
		snprintf(commit, sizeof(commit), "unknown");
	mcp_log_client(r, MCP_LOG_INFO, "evolve_behavior", msg);
	s = structured_new(o);
	cJSON_AddStringToObject(s, "key", path);
	cJSON_AddStringToObject(s, "from", fpath);
	cJSON_AddStringToObject(s, "to", tpath);
	cJSON_AddItemToObject(s, "value", json_from_hnode(val));
	cJSON_AddStringToObject(s, "commit", commit);
	hbuf_addf(&o->text, "moved %s from %s to %s (commit %.12s)\n", path,
		  fpath, tpath, commit);
out_free:
	free(msg);
	free(path);
	hdiag_list_release(&diags);
	hbuf_release(&dout);
	hbuf_release(&sout);
	hbuf_release(&draw);
	hbuf_release(&sraw);
	hnode_free(src);
	hnode_free(dst);
	return rc;
}

static int t_create_persona(struct mcp_req *r, const cJSON *args,
			    struct mcp_toolres *o)
{
	const char *name = json_str(args, "name");
	const cJSON *lvl = cJSON_GetObjectItemCaseSensitive(args,
							     "specialization_level");
	const cJSON *beh = cJSON_GetObjectItemCaseSensitive(args, "behaviors");
	struct hnode *doc, *b;
	struct hbuf probe;
	char path[96], commit[41];
	cJSON *s;
	int rc;

	if (persona_path(name, path, sizeof(path), o))
		return TOOL_FAIL;
	if (!cJSON_IsNumber(lvl) || floor(lvl->valuedouble) != lvl->valuedouble ||
	    lvl->valuedouble < 1 || lvl->valuedouble > 1000000)
		return mcp_tool_fail(o, "specialization_level must be an integer >= 1");
	if (!cJSON_IsObject(beh))
		return mcp_tool_fail(o, "behaviors must be an object of behavior names to values");
	hbuf_init(&probe, HBUF_MAX_DEFAULT);
	rc = store_read(r->srv->st, path, &probe, NULL);
	hbuf_release(&probe);
	if (rc != HELIOS_ENOTFOUND)
		return mcp_tool_fail(o, "persona '%s' already exists; change it with learn_behavi"
			"or or tune_weight, or delete it first",
				     name);
	doc = hnode_new(HNODE_MAP);
	b = hnode_from_json(beh);
	if (!doc || !b ||
	    hnode_map_set(doc, "specialization_level", 20,
			  hnode_new_int((int64_t)lvl->valuedouble)) ||
	    hnode_map_set(doc, "behaviors", 9, b)) {
		if (!doc)
			hnode_free(b);
		hnode_free(doc);
		return mcp_tool_fail(o, "out of memory");
	}
	rc = write_doc(r, path, doc, "create_persona", o, commit);
	hnode_free(doc);
	if (rc)
		return rc;
	s = structured_new(o);
	cJSON_AddStringToObject(s, "name", name);
	cJSON_AddStringToObject(s, "path", path);
	cJSON_AddStringToObject(s, "commit", commit);
	hbuf_addf(&o->text, "created %s (commit %.12s)\n", path, commit);
	return 0;
}

static int t_delete_persona(struct mcp_req *r, const cJSON *args,
			    struct mcp_toolres *o)
{
	const char *name = json_str(args, "name");
	struct helios_error err = { 0 };
	char path[96], names[1024], commit[41];
	cJSON *s;
	int rc;

	if (persona_path(name, path, sizeof(path), o))
		return TOOL_FAIL;
	rc = store_delete(r->srv->st, path, "mcp delete_persona", &err);
	if (rc == HELIOS_ENOTFOUND) {
		persona_names(r->srv->st, names, sizeof(names));
		return mcp_tool_fail(o, "persona '%s' does not exist; existing personas: %s",
				     name, names);
	}
	if (rc)
		return mcp_tool_fail(o, "cannot delete %s: %s", path, err.msg);
	if (store_head(r->srv->st, commit, &err))
		snprintf(commit, sizeof(commit), "unknown");
	s = structured_new(o);
	cJSON_AddStringToObject(s, "name", name);
	cJSON_AddStringToObject(s, "path", path);
	cJSON_AddStringToObject(s, "commit", commit);
	hbuf_addf(&o->text, "deleted %s (commit %.12s)\n", path, commit);
	return 0;
}

static int t_restore(struct mcp_req *r, const cJSON *args,
		     struct mcp_toolres *o)
{
	const char *rev = json_str(args, "revision");
	const char *path = json_str(args, "path");
	struct helios_error err = { 0 };
	struct hdiag_list diags;
	struct hbuf content;
	char why[1536], commit[41];
	cJSON *s;
	int rc;

	if (!rev || !path)
		return mcp_tool_fail(o, "revision and path are required strings");
	if (hdoc_kind_of_path(path) == HDOC_NONE)
		return mcp_tool_fail(o, "path must be base/identity.yaml or personas/NAME.yaml");
	hbuf_init(&content, HBUF_MAX_DEFAULT);
	hdiag_list_init(&diags);
	rc = mcp_git_file_at(r->srv->st, rev, path, &content, why, sizeof(why));
	if (rc) {
		rc = mcp_tool_fail(o, "%s", why);
		goto out_release;
	}
	rc = store_write(r->srv->st, path, hbuf_str(&content), content.len,
			 "mcp restore", &diags, &err);
	if (rc) {
		diags_join(&diags, why, sizeof(why));
		rc = mcp_tool_fail(o, "cannot restore %s from %s: %s", path,
				   rev, why[0] ? why : err.msg);
		goto out_release;
	}
	if (store_head(r->srv->st, commit, &err))
		snprintf(commit, sizeof(commit), "unknown");
	s = structured_new(o);
	cJSON_AddStringToObject(s, "path", path);
	cJSON_AddStringToObject(s, "revision", rev);
	cJSON_AddStringToObject(s, "commit", commit);
	hbuf_addf(&o->text, "restored %s from %s (commit %.12s)\n", path, rev,
		  commit);
out_release:
	hdiag_list_release(&diags);
	hbuf_release(&content);
	return rc;
}

/* ---- the table ---- */

#define NO_ARGS "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"
#define PERSONA_NAME_SCHEMA \
	"{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$\"," \
	"\"description\":\"persona name without .yaml\"}"
#define CHANGE_OUT \
	"{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}," \
	"\"key\":{\"type\":\"string\"},\"value\":{},\"commit\":{\"type\":\"string\"}}," \
	"\"required\":[\"path\",\"commit\"]}"
#define CONFIG_OUT \
	"{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}," \
	"\"name\":{\"type\":\"string\"},\"config\":{\"type\":\"object\"}}," \
	"\"required\":[\"path\",\"config\"]}"

static const struct mcp_tool tools[] = {
	{
		"get_base_config", "Base identity",
		"Return the base identity (base/identity.yaml) that every persona inherits "
		"from: base_importance and the behaviors.",
		NO_ARGS, CONFIG_OUT, HINT_READ_ONLY | HINT_IDEMPOTENT,
		t_get_base_config,
	},
	{
		"get_active_persona", "Persona configuration",
		"Return one persona's own configuration (personas/NAME.yaml), without inheritance"
		". A missing persona is an error that lists the existing ones.",
		"{\"type\":\"object\",\"properties\":{\"persona_name\":" PERSONA_NAME_SCHEMA "},"
		"\"required\":[\"persona_name\"],\"additionalProperties\":false}",
		CONFIG_OUT, HINT_READ_ONLY | HINT_IDEMPOTENT, t_get_active_persona,
	},
	{
		"list_personas", "List personas",
		"List every persona with its specialization_level and inheritance weight "
		"(base_importance / specialization_level^2, clamped to [0.01, 1]). Invalid "
		"persona files are listed separately with the reason.",
		NO_ARGS,
		"{\"type\":\"object\",\"properties\":{\"base_importance\":{\"type\":\"number\"},"
		"\"personas\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
		"\"name\":{\"type\":\"string\"},\"specialization_level\":{\"type\":\"integer\"},"
		"\"weight\":{\"type\":\"number\"}},\"required\":[\"name\",\"specialization_level\""
		",\"weight\"]}},"
		"\"invalid\":{\"type\":\"array\"}},\"required\":[\"personas\"]}",
		HINT_READ_ONLY | HINT_IDEMPOTENT, t_list_personas,
	},
	{
		"merge_behaviors", "Merged persona",
		"Merge the base identity into a persona with the weighted inheritance rules "
		"and return the merged behaviors with the calculation: base_importance,"
		" specialization_level, inheritance weight and persona weight.",
		"{\"type\":\"object\",\"properties\":{\"persona_name\":" PERSONA_NAME_SCHEMA "},"
		"\"required\":[\"persona_name\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"persona\":{\"type\":\"string\"},"
		"\"base_importance\":{\"type\":\"number\"},\"specialization_level\":{\"type\":\"i"
		"nteger\"},"
		"\"inheritance_weight\":{\"type\":\"number\"},\"persona_weight\":{\"type\":\"numb"
		"er\"},"
		"\"behaviors\":{},\"merged\":{\"type\":\"object\"}},"
		"\"required\":[\"persona\",\"inheritance_weight\",\"behaviors\"]}",
		HINT_READ_ONLY | HINT_IDEMPOTENT, t_merge_behaviors,
	},
	{
		"search_patterns", "Search behaviors",
		"Search keys and values (case-insensitive substring) across the base identity "
		"and all personas. With confidence_min, only matches inside mappings whose "
		"numeric 'confidence' is at least that value (learned patterns) are returned. "
		"At most 100 matches.",
		"{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"minLength\""
		":1},"
		"\"confidence_min\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}},"
		"\"required\":[\"query\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},"
		"\"matches\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
		"\"file\":{\"type\":\"string\"},\"key\":{\"type\":\"string\"},\"value\":{},"
		"\"confidence\":{\"type\":\"number\"}},\"required\":[\"file\",\"key\"]}},"
		"\"count\":{\"type\":\"integer\"},\"truncated\":{\"type\":\"boolean\"}},"
		"\"required\":[\"matches\",\"count\"]}",
		HINT_READ_ONLY | HINT_IDEMPOTENT, t_search_patterns,
	},
	{
		"get_history", "Change history",
		"List commits of the store, newest first, with time, message, author and "
		"the files each touched. Filter by path; page with limit (1-100, default "
		"20) and the nextCursor of the previous answer.",
		"{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
		"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100},"
		"\"cursor\":{\"type\":\"string\"}},\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"commits\":{\"type\":\"array\",\"items\":{"
		"\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"time\":{\"typ"
		"e\":\"string\"},"
		"\"message\":{\"type\":\"string\"},\"author\":{\"type\":\"string\"},"
		"\"files\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
		"\"required\":[\"id\",\"time\",\"message\",\"author\",\"files\"]}},"
		"\"nextCursor\":{\"type\":\"string\"}},\"required\":[\"commits\"]}",
		HINT_READ_ONLY | HINT_IDEMPOTENT, tool_get_history,
	},
	{
		"get_snapshot", "File at a revision",
		"Return a configuration file as it was at a revision (a commit id, HEAD,"
		" HEAD~2, main, ...).",
		"{\"type\":\"object\",\"properties\":{\"revision\":{\"type\":\"string\"},"
		"\"path\":{\"type\":\"string\",\"description\":\"base/identity.yaml or "
		"personas/NAME.yaml\"}},"
		"\"required\":[\"revision\",\"path\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"revision\":{\"type\":\"string\"},"
		"\"commit\":{\"type\":\"string\"},\"path\":{\"type\":\"string\"},"
		"\"content\":{\"type\":\"string\"}},\"required\":[\"commit\",\"path\",\"content\""
		"]}",
		HINT_READ_ONLY | HINT_IDEMPOTENT, tool_get_snapshot,
	},
	{
		"diff", "Diff two revisions",
		"A unified diff between two revisions (to defaults to HEAD), optionally "
		"limited to one path.",
		"{\"type\":\"object\",\"properties\":{\"from\":{\"type\":\"string\"},"
		"\"to\":{\"type\":\"string\"},\"path\":{\"type\":\"string\"}},"
		"\"required\":[\"from\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"from\":{\"type\":\"string\"},"
		"\"to\":{\"type\":\"string\"},\"files\":{\"type\":\"array\",\"items\":{\"type\":\""
		"string\"}},"
		"\"diff\":{\"type\":\"string\"}},\"required\":[\"from\",\"to\",\"diff\"]}",
		HINT_READ_ONLY | HINT_IDEMPOTENT, tool_diff,
	},
	{
		"update_preference", "Set a base preference",
		"Set a value in the base identity at DOMAIN.KEY (KEY may be dotted, e.g. "
		"domain \"behaviors\", key \"communication_style.tone\"). The file is "
		"validated and committed; the file's comments, key order and layout are kept.",
		"{\"type\":\"object\",\"properties\":{\"domain\":{\"type\":\"string\",\"minLength"
		"\":1},"
		"\"key\":{\"type\":\"string\",\"minLength\":1},\"value\":{}},"
		"\"required\":[\"domain\",\"key\",\"value\"],\"additionalProperties\":false}",
		CHANGE_OUT, HINT_IDEMPOTENT, t_update_preference,
	},
	{
		"learn_behavior", "Teach a persona a behavior",
		"Set behaviors.KEY in a persona (KEY may be dotted). The file is validated "
		"and committed; the file's comments, key order and layout are kept.",
		"{\"type\":\"object\",\"properties\":{\"persona\":" PERSONA_NAME_SCHEMA ","
		"\"key\":{\"type\":\"string\",\"minLength\":1},\"value\":{}},"
		"\"required\":[\"persona\",\"key\",\"value\"],\"additionalProperties\":false}",
		CHANGE_OUT, HINT_IDEMPOTENT, t_learn_behavior,
	},
	{
		"tune_weight", "Tune an inheritance weight",
		"Change base_importance of the base (target \"base\", 0.0-1.0) or specialization_"
		"level of a persona (target NAME, integer >= 1).",
		"{\"type\":\"object\",\"properties\":{\"target\":{\"type\":\"string\"},"
		"\"parameter\":{\"type\":\"string\",\"enum\":[\"base_importance\",\"specializatio"
		"n_level\"]},"
		"\"value\":{\"type\":\"number\"}},"
		"\"required\":[\"target\",\"parameter\",\"value\"],\"additionalProperties\":false}",
		CHANGE_OUT, HINT_IDEMPOTENT, t_tune_weight,
	},
	{
		"evolve_behavior", "Move a behavior",
		"Move behaviors.KEY from one configuration to another (\"base\" or a persona "
		"name) in one commit; both files keep their comments and layout.",
		"{\"type\":\"object\",\"properties\":{\"from_config\":{\"type\":\"string\"},"
		"\"to_config\":{\"type\":\"string\"},\"key\":{\"type\":\"string\",\"minLength\":1"
		"}},"
		"\"required\":[\"from_config\",\"to_config\",\"key\"],\"additionalProperties\":fa"
		"lse}",
		"{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"},"
		"\"from\":{\"type\":\"string\"},\"to\":{\"type\":\"string\"},\"value\":{},"
		"\"commit\":{\"type\":\"string\"}},\"required\":[\"key\",\"from\",\"to\","
		"\"commit\"]}",
		HINT_DESTRUCTIVE, t_evolve_behavior,
	},
	{
		"create_persona", "Create a persona",
		"Create personas/NAME.yaml with a specialization_level and behaviors; refused "
		"when the persona exists.",
		"{\"type\":\"object\",\"properties\":{\"name\":" PERSONA_NAME_SCHEMA ","
		"\"specialization_level\":{\"type\":\"integer\",\"minimum\":1},"
		"\"behaviors\":{\"type\":\"object\"}},"
		"\"required\":[\"name\",\"specialization_level\",\"behaviors\"],\"additionalPrope"
		"rties\":false}",
		"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
		"\"path\":{\"type\":\"string\"},\"commit\":{\"type\":\"string\"}},"
		"\"required\":[\"name\",\"path\",\"commit\"]}",
		0, t_create_persona,
	},
	{
		"delete_persona", "Delete a persona",
		"Delete personas/NAME.yaml in a new commit (history keeps it; restore brings "
		"it back).",
		"{\"type\":\"object\",\"properties\":{\"name\":" PERSONA_NAME_SCHEMA "},"
		"\"required\":[\"name\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
		"\"path\":{\"type\":\"string\"},\"commit\":{\"type\":\"string\"}},"
		"\"required\":[\"name\",\"path\",\"commit\"]}",
		HINT_DESTRUCTIVE, t_delete_persona,
	},
	{
		"restore", "Restore a file from history",
		"Bring one configuration file back as it was at a revision, as a new commit "
		"(history is never rewritten).",
		"{\"type\":\"object\",\"properties\":{\"revision\":{\"type\":\"string\"},"
		"\"path\":{\"type\":\"string\"}},"
		"\"required\":[\"revision\",\"path\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
		"\"revision\":{\"type\":\"string\"},\"commit\":{\"type\":\"string\"}},"
		"\"required\":[\"path\",\"revision\",\"commit\"]}",
		HINT_DESTRUCTIVE | HINT_IDEMPOTENT, t_restore,
	},
	{
		"revert_learning", "Undo recent changes",
		"Undo the last commits_back commits (1-10), newest first, each as a new "
		"revert commit; history is never rewritten. Refused, with nothing "
		"changed, when a revert would conflict with a later change, make a file "
		"invalid, or overwrite uncommitted edits.",
		"{\"type\":\"object\",\"properties\":{\"commits_back\":{\"type\":\"integer\","
		"\"minimum\":1,\"maximum\":10}},"
		"\"required\":[\"commits_back\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"reverted\":{\"type\":\"array\","
		"\"items\":{\"type\":\"string\"}},\"commits\":{\"type\":\"array\","
		"\"items\":{\"type\":\"string\"}}},\"required\":[\"reverted\",\"commits\"]}",
		HINT_DESTRUCTIVE, tool_revert_learning,
	},
	{
		"commit_changes", "Commit direct edits",
		"Validate and commit, in one commit with the given message, the "
		"configuration files edited directly in the store (outside Helios). A "
		"no-op when nothing changed; refused, with nothing committed, when a "
		"file is invalid.",
		"{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\","
		"\"minLength\":1,\"maxLength\":1000}},"
		"\"required\":[\"message\"],\"additionalProperties\":false}",
		"{\"type\":\"object\",\"properties\":{\"committed\":{\"type\":\"boolean\"},"
		"\"commit\":{\"type\":\"string\"},\"files\":{\"type\":\"array\","
		"\"items\":{\"type\":\"string\"}}},\"required\":[\"committed\",\"files\"]}",
		HINT_IDEMPOTENT, tool_commit_changes,
	},
};

#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static cJSON *tool_describe(const struct mcp_tool *t, const char *version)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *a;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "name", t->name);
	if (mcp_version_at_least(version, MCP_V20250618))
		cJSON_AddStringToObject(j, "title", t->title);
	cJSON_AddStringToObject(j, "description", t->description);
	cJSON_AddItemToObject(j, "inputSchema", cJSON_Parse(t->input_schema));
	if (mcp_version_at_least(version, MCP_V20250618))
		cJSON_AddItemToObject(j, "outputSchema",
				      cJSON_Parse(t->output_schema));
	if (mcp_version_at_least(version, MCP_V20250326)) {
		a = cJSON_AddObjectToObject(j, "annotations");
		cJSON_AddStringToObject(a, "title", t->title);
		cJSON_AddBoolToObject(a, "readOnlyHint",
				      !!(t->hints & HINT_READ_ONLY));
		cJSON_AddBoolToObject(a, "destructiveHint",
				      !!(t->hints & HINT_DESTRUCTIVE));
		cJSON_AddBoolToObject(a, "idempotentHint",
				      !!(t->hints & HINT_IDEMPOTENT));
		cJSON_AddBoolToObject(a, "openWorldHint", 0);
	}
	return j;
}

cJSON *mcp_tools_list(struct mcp_req *r)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *list;
	size_t first, last, i;

	if (!res)
		return NULL;
	list = cJSON_AddArrayToObject(res, "tools");
	if (mcp_paginate(r, NTOOLS, TOOLS_PAGE, &first, &last, res)) {
		cJSON_Delete(res);
		return NULL;
	}
	for (i = first; i < last; i++)
		cJSON_AddItemToArray(list, tool_describe(&tools[i], r->version));
	mcp_list_decorate(r, res);
	return res;
}

/*
 * Check arguments against the tool's input schema for what a model gets
 * wrong most: unknown names and missing required ones.  Types are checked
 * by each tool, with messages that say what is expected.
 */
static int check_args(const struct mcp_tool *t, const cJSON *args,
		      struct mcp_toolres *o)
{
	cJSON *schema = cJSON_Parse(t->input_schema);
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema,
							       "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const cJSON *a;
	char known[256] = "";
	int rc = 0;

	cJSON_ArrayForEach(a, props) {
		size_t used = strlen(known);

		snprintf(known + used, sizeof(known) - used, "%s%s",
			 used ? ", " : "", a->string);
	}
	cJSON_ArrayForEach(a, args) {
		if (!cJSON_GetObjectItemCaseSensitive(props, a->string)) {
			rc = mcp_tool_fail(o, "unknown argument '%.64s'; %s takes: %s",
					   a->string, t->name,
					   known[0] ? known : "no arguments");
			goto out_free;
		}
	}
	cJSON_ArrayForEach(a, req) {
		if (!cJSON_GetObjectItemCaseSensitive(args, a->valuestring)) {
			rc = mcp_tool_fail(o, "missing required argument '%s'; %s takes: %s",
					   a->valuestring, t->name, known);
			goto out_free;
		}
	}
out_free:
	cJSON_Delete(schema);
	return rc;
}

static cJSON *tool_result(struct mcp_req *r, struct mcp_toolres *o, int rc)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *content, *block;
	char *txt = NULL;

	if (!res)
		return NULL;
	content = cJSON_AddArrayToObject(res, "content");
	block = cJSON_CreateObject();
	cJSON_AddItemToArray(content, block);
	cJSON_AddStringToObject(block, "type", "text");
	if (rc) {
		cJSON_AddStringToObject(block, "text", o->msg);
		cJSON_AddBoolToObject(res, "isError", 1);
		return res;
	}
	if (o->text.len) {
		cJSON_AddStringToObject(block, "text", hbuf_str(&o->text));
	} else {
		txt = cJSON_PrintUnformatted(o->structured);
		cJSON_AddStringToObject(block, "text", txt ? txt : "");
		cJSON_free(txt);
	}
	if (mcp_version_at_least(r->version, MCP_V20250618) && o->structured) {
		cJSON_AddItemToObject(res, "structuredContent", o->structured);
		o->structured = NULL;
	}
	return res;
}

cJSON *mcp_tools_call(struct mcp_req *r)
{
	const char *name = json_str(r->params, "name");
	cJSON *args = cJSON_GetObjectItemCaseSensitive(r->params, "arguments");
	cJSON *empty = NULL, *res;
	struct mcp_toolres o;
	const struct mcp_tool *t = NULL;
	size_t i;
	int rc;

	if (!name)
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: name must be a string");
	for (i = 0; i < NTOOLS; i++)
		if (!strcmp(name, tools[i].name))
			t = &tools[i];
	if (!t)
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "unknown tool: %.128s", name);
	if (!args || cJSON_IsNull(args))
		args = empty = cJSON_CreateObject();
	if (!cJSON_IsObject(args)) {
		cJSON_Delete(empty);
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: arguments must be an object");
	}
	memset(&o, 0, sizeof(o));
	hbuf_init(&o.text, HBUF_MAX_DEFAULT);
	rc = check_args(t, args, &o);
	if (!rc)
		rc = t->fn(r, args, &o);
	if (rc && o.structured) {
		cJSON_Delete(o.structured);
		o.structured = NULL;
	}
	if (rc == TOOL_CANCELLED || r->cancelled) {
		r->cancelled = 1;
		res = NULL;
	} else {
		if (rc)
			mcp_log(MCP_LOG_INFO, "tool %s failed: %s", t->name,
				o.msg);
		res = tool_result(r, &o, rc);
	}
	cJSON_Delete(o.structured);
	hbuf_release(&o.text);
	cJSON_Delete(empty);
	return res;
}

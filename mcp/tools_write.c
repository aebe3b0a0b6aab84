/*
 * tools_write.c - the MCP tools that change the configuration:
 * update_preference, learn_behavior, tune_weight, evolve_behavior,
 * create_persona, delete_persona and restore.  Each commits through
 * the helpers in tools_common.c, so the commit names the tool.
 */
#include "tools_i.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helios/merge.h"
#include "helios/validate.h"
#include "helios/yaml_edit.h"

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
	cJSON *s = tools__structured_new(o);

	cJSON_AddStringToObject(s, "path", relpath);
	cJSON_AddStringToObject(s, "key", key);
	if (value)
		cJSON_AddItemToObject(s, "value", cJSON_Duplicate(value, 1));
	cJSON_AddStringToObject(s, "commit", commit);
	hbuf_addf(&o->text, "set %s in %s (commit %.12s)\n", key, relpath,
		  commit);
}

/*
 * Set a dotted key of relpath to v and commit it, reporting shown as the
 * value.
 */
static int set_and_write(struct mcp_req *r, const char *relpath,
			 const char *key, const struct hnode *v,
			 const cJSON *shown, const char *tool,
			 struct mcp_toolres *o)
{
	char commit[41];
	int rc;

	rc = tools__edit_and_write(r, relpath, key, v, tool, o, commit);
	if (!rc)
		report_change(o, relpath, key, shown, commit);
	return rc;
}

/* As set_and_write(), for a value given as JSON by the client. */
static int set_json_and_write(struct mcp_req *r, const char *relpath,
			      const char *key, const cJSON *value,
			      const char *tool, struct mcp_toolres *o)
{
	struct hnode *v;
	int rc;

	if (!value)
		return mcp_tool_fail(o, "value is required (any JSON value)");
	v = hnode_from_json(value);
	if (!v)
		return mcp_tool_fail(o, "value cannot be stored as YAML");
	rc = set_and_write(r, relpath, key, v, value, tool, o);
	hnode_free(v);
	return rc;
}

int tool_update_preference(struct mcp_req *r, const cJSON *args,
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
	rc = set_json_and_write(r, STORE_BASE_PATH, path,
				cJSON_GetObjectItemCaseSensitive(args, "value"),
				"update_preference", o);
	free(path);
	return rc;
}

int tool_learn_behavior(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o)
{
	const char *name = json_str(args, "persona");
	const char *key = json_str(args, "key");
	struct hnode *doc = NULL;
	char relpath[96], *path;
	struct hbuf raw;
	int rc;

	if (!key || !key[0])
		return mcp_tool_fail(o, "key must be a non-empty dotted key under behaviors,"
			" e.g. \"code_review.tone\"");
	hbuf_init(&raw, HBUF_MAX_DEFAULT);
	rc = tools__load_persona(r, name, &doc, &raw, o);
	hnode_free(doc);
	if (rc)
		goto out_release;
	snprintf(relpath, sizeof(relpath), "personas/%s.yaml", name);
	if (asprintf(&path, "behaviors.%s", key) < 0) {
		rc = mcp_tool_fail(o, "out of memory");
		goto out_release;
	}
	rc = set_json_and_write(r, relpath, path,
				cJSON_GetObjectItemCaseSensitive(args, "value"),
				"learn_behavior", o);
	free(path);
out_release:
	hbuf_release(&raw);
	return rc;
}

int tool_tune_weight(struct mcp_req *r, const cJSON *args,
		     struct mcp_toolres *o)
{
	const char *target = json_str(args, "target");
	const char *param = json_str(args, "parameter");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, "value");
	struct hnode *doc = NULL, *value;
	char relpath[96];
	struct hbuf raw;
	int rc;

	if (!target || !param)
		return mcp_tool_fail(o, "target and parameter are required strings");
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return mcp_tool_fail(o, "value must be a number");
	hbuf_init(&raw, HBUF_MAX_DEFAULT);
	if (!strcmp(target, "base")) {
		if (strcmp(param, "base_importance"))
			return mcp_tool_fail(o, "the base has only base_importance to tune");
		if (v->valuedouble < 0 || v->valuedouble > 1)
			return mcp_tool_fail(o, "base_importance must be from 0.0 to 1.0, got %g",
					     v->valuedouble);
		snprintf(relpath, sizeof(relpath), "%s", STORE_BASE_PATH);
		/* always a float, so 1 is written 1.0 */
		value = hnode_new_float(v->valuedouble);
	} else {
		if (strcmp(param, "specialization_level"))
			return mcp_tool_fail(o, "a persona has only specialization_level "
				"to tune; use target \"base\" for base_importance");
		if (floor(v->valuedouble) != v->valuedouble ||
		    v->valuedouble < 1 || v->valuedouble > 1000000)
			return mcp_tool_fail(o, "specialization_level must be an integer "
				">= 1, got %g",
					     v->valuedouble);
		rc = tools__load_persona(r, target, &doc, &raw, o);
		hnode_free(doc);
		if (rc)
			goto out_release;
		snprintf(relpath, sizeof(relpath), "personas/%s.yaml", target);
		value = hnode_new_int((int64_t)v->valuedouble);
	}
	if (!value) {
		rc = mcp_tool_fail(o, "out of memory");
		goto out_release;
	}
	rc = set_and_write(r, relpath, param, value, v, "tune_weight", o);
	hnode_free(value);
out_release:
	hbuf_release(&raw);
	return rc;
}

static int config_path(const char *config, char *out, size_t size,
		       struct mcp_toolres *o)
{
	if (config && !strcmp(config, "base")) {
		snprintf(out, size, "%s", STORE_BASE_PATH);
		return 0;
	}
	return tools__persona_path(config, out, size, o);
}

/*
 * Move behaviors.KEY from one configuration to another in one commit:
 * the key is cut from the source's bytes and set in the target's, both
 * files keep their comments and layout, and store_write_many() commits
 * the two together (a crash leaves both old or both new).
 */
int tool_evolve_behavior(struct mcp_req *r, const cJSON *args,
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
	struct store_expect sexpect, dexpect;
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
		rc = tools__load_persona(r, from, &src, &sraw, o);
	else if (rc)
		rc = mcp_tool_fail(o, "%s cannot be used: %s", fpath, why);
	if (rc)
		goto out_free;
	rc = mcp_load_doc(r->srv->st, tpath, &dst, &draw, why, sizeof(why));
	if (rc == HELIOS_ENOTFOUND)
		rc = tools__load_persona(r, to, &dst, &draw, o);
	else if (rc)
		rc = mcp_tool_fail(o, "%s cannot be used: %s", tpath, why);
	if (rc)
		goto out_free;
	sexpect = (struct store_expect){ hbuf_str(&sraw), sraw.len };
	dexpect = (struct store_expect){ hbuf_str(&draw), draw.len };
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
	files[0] = (struct store_file){ tpath, hbuf_str(&dout), dout.len,
					&dexpect };
	files[1] = (struct store_file){ fpath, hbuf_str(&sout), sout.len,
					&sexpect };
	if (asprintf(&msg, "evolve %s from %s to %s", path, fpath, tpath) < 0) {
		msg = NULL;
		rc = mcp_tool_fail(o, "out of memory");
		goto out_free;
	}
	rc = store_write_many(r->srv->st, files, 2, msg, "mcp evolve_behavior",
			      &diags, &err);
	if (rc == HELIOS_ECONFLICT) {
		rc = TOOL_RETRY;
		goto out_free;
	}
	if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		tools__diags_join(&diags, why, sizeof(why));
		rc = mcp_tool_fail(o, "the move would make a file invalid, so nothing "
				   "was written: %s", why[0] ? why : err.msg);
		goto out_free;
	}
	if (rc) {
		rc = mcp_tool_fail(o, "cannot move %s: %s", path, err.msg);
		goto out_free;
	}
	tools__commit_id(r, commit);
	mcp_log_client(r, MCP_LOG_INFO, "evolve_behavior", msg);
	s = tools__structured_new(o);
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

/* The result of creating or deleting a persona (what: "created"...). */
static void report_persona(struct mcp_toolres *o, const char *what,
			   const char *name, const char *path,
			   const char *commit)
{
	cJSON *s = tools__structured_new(o);

	cJSON_AddStringToObject(s, "name", name);
	cJSON_AddStringToObject(s, "path", path);
	cJSON_AddStringToObject(s, "commit", commit);
	hbuf_addf(&o->text, "%s %s (commit %.12s)\n", what, path, commit);
}

int tool_create_persona(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o)
{
	const char *name = json_str(args, "name");
	const cJSON *lvl = cJSON_GetObjectItemCaseSensitive(args,
							     "specialization_level");
	const cJSON *beh = cJSON_GetObjectItemCaseSensitive(args, "behaviors");
	struct hnode *doc, *b;
	struct hbuf probe;
	char path[96], commit[41];
	int rc;

	if (tools__persona_path(name, path, sizeof(path), o))
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
	rc = tools__write_new_doc(r, path, doc, "create_persona", o, commit);
	hnode_free(doc);
	if (!rc)
		report_persona(o, "created", name, path, commit);
	return rc;
}

int tool_delete_persona(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o)
{
	const char *name = json_str(args, "name");
	struct helios_error err = { 0 };
	char path[96], names[1024], commit[41];
	int rc;

	if (tools__persona_path(name, path, sizeof(path), o))
		return TOOL_FAIL;
	rc = store_delete(r->srv->st, path, "mcp delete_persona", &err);
	if (rc == HELIOS_ENOTFOUND) {
		tools__persona_names(r->srv->st, names, sizeof(names));
		return mcp_tool_fail(o, "persona '%s' does not exist; existing personas: %s",
				     name, names);
	}
	if (rc)
		return mcp_tool_fail(o, "cannot delete %s: %s", path, err.msg);
	tools__commit_id(r, commit);
	report_persona(o, "deleted", name, path, commit);
	return 0;
}

int tool_restore(struct mcp_req *r, const cJSON *args,
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
		tools__diags_join(&diags, why, sizeof(why));
		rc = mcp_tool_fail(o, "cannot restore %s from %s: %s", path,
				   rev, why[0] ? why : err.msg);
		goto out_release;
	}
	tools__commit_id(r, commit);
	s = tools__structured_new(o);
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

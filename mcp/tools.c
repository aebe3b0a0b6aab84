/*
 * tools.c - the MCP tools: the table (names, schemas, annotations),
 * tools/list and tools/call.  The tools themselves live in
 * tools_read.c (reading), tools_write.c (changing), tool_git.c
 * (history) and tool_revert.c (revert_learning, commit_changes);
 * the helpers they share are in tools_common.c.
 *
 * Every change goes through store_write(), store_write_many() or
 * store_delete() with the face "mcp TOOL", so the commit message names
 * the tool.  Edits of existing files splice the new value into the
 * file's bytes (yaml_edit.h), so hand-written comments and layout stay.
 * A failure is a tool
 * result with isError and a message that says what to fix; only a
 * malformed call (unknown tool, arguments not an object) is a JSON-RPC
 * error.
 */
#include "tools_i.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOOLS_PAGE 8

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
		tool_get_base_config,
	},
	{
		"get_active_persona", "Persona configuration",
		"Return one persona's own configuration (personas/NAME.yaml), without inheritance"
		". A missing persona is an error that lists the existing ones.",
		"{\"type\":\"object\",\"properties\":{\"persona_name\":" PERSONA_NAME_SCHEMA "},"
		"\"required\":[\"persona_name\"],\"additionalProperties\":false}",
		CONFIG_OUT, HINT_READ_ONLY | HINT_IDEMPOTENT,
		tool_get_active_persona,
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
		HINT_READ_ONLY | HINT_IDEMPOTENT, tool_list_personas,
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
		HINT_READ_ONLY | HINT_IDEMPOTENT, tool_merge_behaviors,
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
		HINT_READ_ONLY | HINT_IDEMPOTENT, tool_search_patterns,
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
		CHANGE_OUT, HINT_IDEMPOTENT, tool_update_preference,
	},
	{
		"learn_behavior", "Teach a persona a behavior",
		"Set behaviors.KEY in a persona (KEY may be dotted). The file is validated "
		"and committed; the file's comments, key order and layout are kept.",
		"{\"type\":\"object\",\"properties\":{\"persona\":" PERSONA_NAME_SCHEMA ","
		"\"key\":{\"type\":\"string\",\"minLength\":1},\"value\":{}},"
		"\"required\":[\"persona\",\"key\",\"value\"],\"additionalProperties\":false}",
		CHANGE_OUT, HINT_IDEMPOTENT, tool_learn_behavior,
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
		CHANGE_OUT, HINT_IDEMPOTENT, tool_tune_weight,
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
		HINT_DESTRUCTIVE, tool_evolve_behavior,
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
		0, tool_create_persona,
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
		HINT_DESTRUCTIVE, tool_delete_persona,
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
		HINT_DESTRUCTIVE | HINT_IDEMPOTENT, tool_restore,
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

/* Run t, again from the start while it lost a race (TOOL_RETRY). */
static int run_tool(struct mcp_req *r, const struct mcp_tool *t,
		    const cJSON *args, struct mcp_toolres *o)
{
	int tries, rc;

	for (tries = 1;; tries++) {
		rc = t->fn(r, args, o);
		if (rc != TOOL_RETRY)
			return rc;
		cJSON_Delete(o->structured);
		o->structured = NULL;
		hbuf_setlen(&o->text, 0);
		if (tries == TOOL_TRIES || r->cancelled)
			return mcp_tool_fail(o, "the files kept changing under "
					     "this change (%d tries); nothing "
					     "was written, try again", tries);
		mcp_log(MCP_LOG_INFO, "tool %s: the store changed while it "
			"ran; running it again", t->name);
	}
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
		rc = run_tool(r, t, args, &o);
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

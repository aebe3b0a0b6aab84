/*
 * tools_i.h - what the files of the MCP tools share: the tool handlers
 * the table in tools.c points at, and the helpers in tools_common.c.
 * The rest (struct mcp_toolres, TOOL_FAIL, mcp_tool_fail) is in
 * server_i.h.
 */
#ifndef HELIOS_MCP_TOOLS_I_H
#define HELIOS_MCP_TOOLS_I_H

#include "server_i.h"

#include "helios/validate.h"

/* tools_common.c */
void tools__diags_join(const struct hdiag_list *d, char *buf, size_t size);
int tools__persona_path(const char *name, char *out, size_t size,
			struct mcp_toolres *o);
void tools__persona_names(struct store *st, char *buf, size_t size);
int tools__load_persona(struct mcp_req *r, const char *name,
			struct hnode **doc, struct hbuf *raw,
			struct mcp_toolres *o);
/* Write a new file rendered from doc; TOOL_RETRY when it appeared. */
int tools__write_new_doc(struct mcp_req *r, const char *relpath,
			 const struct hnode *doc, const char *tool,
			 struct mcp_toolres *o, char commit[41]);
/*
 * Set key in relpath to v, keeping the file's layout, and commit it; the
 * edit applies to the file as it is under the store lock.
 */
int tools__edit_and_write(struct mcp_req *r, const char *relpath,
			  const char *key, const struct hnode *v,
			  const char *tool, struct mcp_toolres *o,
			  char commit[41]);
cJSON *tools__structured_new(struct mcp_toolres *o);
/* The commit at the tip of main now, or "unknown". */
void tools__commit_id(struct mcp_req *r, char commit[41]);

/* tools_read.c */
int tool_get_base_config(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o);
int tool_get_active_persona(struct mcp_req *r, const cJSON *args,
			    struct mcp_toolres *o);
int tool_list_personas(struct mcp_req *r, const cJSON *args,
		       struct mcp_toolres *o);
int tool_merge_behaviors(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o);
int tool_search_patterns(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o);

/* tools_write.c */
int tool_update_preference(struct mcp_req *r, const cJSON *args,
			   struct mcp_toolres *o);
int tool_learn_behavior(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o);
int tool_tune_weight(struct mcp_req *r, const cJSON *args,
		     struct mcp_toolres *o);
int tool_evolve_behavior(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o);
int tool_create_persona(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o);
int tool_delete_persona(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o);
int tool_restore(struct mcp_req *r, const cJSON *args,
		 struct mcp_toolres *o);

#endif

/*
 * server_i.h - internals shared by the MCP server's source files.
 *
 * One thread does everything: the main loop in server.c waits with
 * ppoll() on stdin and an inotify descriptor, frames input lines
 * (rpc.c), dispatches each request to a method handler and writes exactly
 * one response per request.  Handlers live in server.c (lifecycle,
 * utilities), tools.c and tool_*.c, resource.c (resources, prompts,
 * completion) and listen.c (subscriptions/listen, whose response is
 * deferred until the stream ends).
 *
 * A handler returns the result object, or NULL after mcp_req_fail() for
 * a JSON-RPC error.  The envelope is built in one place (rpc.c), so every
 * request path ends in one response and no notification path in any.
 */
#ifndef HELIOS_MCP_SERVER_I_H
#define HELIOS_MCP_SERVER_I_H

#include <signal.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "helios/buf.h"
#include "helios/merge.h"
#include "helios/store.h"
#include "helios/yaml.h"

/* The longest accepted message; larger ones get -32700 and are skipped. */
#define MCP_LINE_MAX ((size_t)8 << 20)

#define MCP_SERVER_NAME "helios"

/* JSON-RPC and MCP error codes. */
#define RPC_PARSE_ERROR -32700
#define RPC_INVALID_REQUEST -32600
#define RPC_METHOD_NOT_FOUND -32601
#define RPC_INVALID_PARAMS -32602
#define RPC_INTERNAL_ERROR -32603
#define MCP_RESOURCE_NOT_FOUND -32002
#define MCP_UNSUPPORTED_VERSION -32022

/* Protocol revisions, oldest first; the last handshake one is the default. */
#define MCP_V20241105 "2024-11-05"
#define MCP_V20250326 "2025-03-26"
#define MCP_V20250618 "2025-06-18"
#define MCP_V20251125 "2025-11-25"
#define MCP_V20260728 "2026-07-28"
#define MCP_LATEST_HANDSHAKE MCP_V20251125

#define MCP_META_VERSION "io.modelcontextprotocol/protocolVersion"
#define MCP_META_LOGLEVEL "io.modelcontextprotocol/logLevel"

enum mcp_level {
	MCP_LOG_DEBUG,
	MCP_LOG_INFO,
	MCP_LOG_NOTICE,
	MCP_LOG_WARNING,
	MCP_LOG_ERROR,
	MCP_LOG_CRITICAL,
	MCP_LOG_ALERT,
	MCP_LOG_EMERGENCY,
	MCP_LOG_OFF,
};

/*
 * One subscriptions/listen stream (2026-07-28): the request stays open,
 * its notifications carry its id in _meta, and it ends with a result on
 * shutdown or silently when the client cancels it.
 */
struct mcp_listen {
	cJSON *id;		/* the listen request's id, echoed as given */
	int resources_list;	/* resourcesListChanged was asked for */
	char **uris;		/* resourceSubscriptions */
	size_t nuris;
};

#define MCP_META_SUBSCRIPTION "io.modelcontextprotocol/subscriptionId"

struct mcp_server {
	struct store *st;
	int in_fd;
	int out_fd;
	int out_broken;		/* the client went away (EPIPE) */
	int eof;

	struct hbuf in;		/* bytes read but not yet dispatched */
	size_t done;		/* bytes of in already dispatched */
	int discarding;		/* skipping an over-long line to its end */

	int initialized;	/* an initialize request was answered */
	char version[16];	/* negotiated handshake revision */
	enum mcp_level log_level;

	char **subs;		/* subscribed resource URIs */
	size_t nsubs;
	struct mcp_listen *listens;	/* open subscriptions/listen streams */
	size_t nlistens;
	int inotify_fd;
	int wd_base;
	int wd_personas;
};

/* One request being served. */
struct mcp_req {
	struct mcp_server *srv;
	const char *method;
	cJSON *params;		/* borrowed; may be NULL */
	cJSON *id;		/* the id to echo (raw for numbers) */
	const char *version;	/* revision whose rules apply */
	int modern;		/* a stateless 2026-07-28 request */
	enum mcp_level log_level;
	const cJSON *progress_token;
	double progress;
	size_t line_end;	/* offset in srv->in after this request */
	int cancelled;
	int deferred;		/* answered later (a listen stream) */

	int err_code;		/* set by mcp_req_fail() */
	char err_msg[512];
	cJSON *err_data;
};

typedef cJSON *(*mcp_method_fn)(struct mcp_req *r);

/* rpc.c */
int mcp_version_at_least(const char *have, const char *want);
int mcp_send(struct mcp_server *s, cJSON *msg);
void mcp_notify(struct mcp_server *s, const char *method, cJSON *params);
cJSON *mcp_req_fail(struct mcp_req *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mcp_log(enum mcp_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mcp_log_client(struct mcp_req *r, enum mcp_level level,
		    const char *logger, const char *text);
int mcp_level_parse(const char *name, enum mcp_level *out);
void mcp_progress(struct mcp_req *r, double total, const char *message);
int mcp_check_cancel(struct mcp_req *r);
void mcp_process_input(struct mcp_server *s);
int mcp_utf8_valid(const char *s, size_t len);
int json_raw_member(const char *p, const char *end, const char *key,
		    const char **vstart, const char **vend);
const char *json_skip_value(const char *p, const char *end);

/* server.c */
mcp_method_fn mcp_method_lookup(const char *method, int *legacy_only);
cJSON *mcp_capabilities(const char *version);
int mcp_paginate(struct mcp_req *r, size_t total, size_t page,
		 size_t *first, size_t *last, cJSON *result);
void mcp_list_decorate(struct mcp_req *r, cJSON *result);

/* json_yaml.c */
cJSON *json_from_hnode(const struct hnode *n);
struct hnode *hnode_from_json(const cJSON *j);
struct hnode *hnode_get_path(const struct hnode *root, const char *path);
const char *json_str(const cJSON *obj, const char *key);

/* tools.c */
cJSON *mcp_tools_list(struct mcp_req *r);
cJSON *mcp_tools_call(struct mcp_req *r);

/*
 * What a tool produced: structured content and an optional text rendering
 * on success (return 0), or a message saying what to fix (return
 * TOOL_FAIL after mcp_tool_fail()).  TOOL_CANCELLED: no response at all.
 * TOOL_RETRY: another writer changed a file between this tool's read and
 * its write (HELIOS_ECONFLICT), nothing was written, and the tool is run
 * again from its start, at most TOOL_TRIES times.
 */
struct mcp_toolres {
	cJSON *structured;
	struct hbuf text;	/* empty: the JSON of structured is used */
	char msg[2048];
};

#define TOOL_FAIL 1
#define TOOL_CANCELLED 2
#define TOOL_RETRY 3
#define TOOL_TRIES 8

int mcp_tool_fail(struct mcp_toolres *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* tool_git.c: read-only history through libgit2 */
int tool_get_history(struct mcp_req *r, const cJSON *args,
		     struct mcp_toolres *o);
int tool_get_snapshot(struct mcp_req *r, const cJSON *args,
		      struct mcp_toolres *o);
int tool_diff(struct mcp_req *r, const cJSON *args, struct mcp_toolres *o);
int mcp_git_file_at(struct store *st, const char *rev, const char *path,
		    struct hbuf *out, char *why, size_t whylen);

/* tool_revert.c: revert commits and commit direct edits */
int tool_revert_learning(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o);
int tool_commit_changes(struct mcp_req *r, const cJSON *args,
			struct mcp_toolres *o);

/* listen.c */
cJSON *mcp_subscriptions_listen(struct mcp_req *r);
int mcp_listen_cancel(struct mcp_server *s, const cJSON *request_id);
void mcp_listen_notify(struct mcp_server *s, int list_changed,
		       int (*hit)(const char *uri, void *arg), void *arg);
void mcp_listen_close_all(struct mcp_server *s);
int mcp_uri_subscribable(const char *uri);

/* resource.c */
cJSON *mcp_resources_list(struct mcp_req *r);
cJSON *mcp_resources_templates(struct mcp_req *r);
cJSON *mcp_resources_read(struct mcp_req *r);
cJSON *mcp_resources_subscribe(struct mcp_req *r);
cJSON *mcp_resources_unsubscribe(struct mcp_req *r);
cJSON *mcp_prompts_list(struct mcp_req *r);
cJSON *mcp_prompts_get(struct mcp_req *r);
cJSON *mcp_completion(struct mcp_req *r);
int mcp_watch_start(struct mcp_server *s);
void mcp_watch_handle(struct mcp_server *s);
void mcp_watch_stop(struct mcp_server *s);

/* Helpers for tools and resources (tools_common.c). */
int mcp_load_doc(struct store *st, const char *relpath, struct hnode **doc,
		 struct hbuf *raw, char *why, size_t whylen);
int mcp_merged(struct store *st, const char *persona, struct hnode **base,
	       struct merge_result *mr, char *why, size_t whylen);

#endif

/*
 * server.c - entry point, main loop and lifecycle methods of the MCP
 * server: initialize, ping, server/discover, logging/setLevel, and the
 * table that maps every method to its handler.
 */
#include "server.h"
#include "server_i.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)64 << 10)

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static const char *const handshake_versions[] = {
	MCP_V20241105, MCP_V20250326, MCP_V20250618, MCP_V20251125,
};

static const char instructions[] =
	"Helios keeps an assistant's configuration in a git-backed store: a "
	"base identity and personas that inherit from it with a weight of "
	"base_importance / specialization_level^2. Read with get_base_config, "
	"get_active_persona and merge_behaviors; change with learn_behavior, "
	"update_preference and tune_weight. Every change is validated and "
	"committed to git, so get_history and diff show what was learned.";

cJSON *mcp_capabilities(const char *version)
{
	cJSON *caps = cJSON_CreateObject();
	cJSON *o;
	int modern = mcp_version_at_least(version, MCP_V20260728);

	if (!caps)
		return NULL;
	/*
	 * A handshake session gets resource subscriptions and list
	 * changes unsolicited; a 2026-07-28 client gets the same through
	 * subscriptions/listen.  The tool list never changes at run time,
	 * so stateless clients are not promised tool list changes.
	 */
	o = cJSON_AddObjectToObject(caps, "tools");
	cJSON_AddBoolToObject(o, "listChanged", !modern);
	o = cJSON_AddObjectToObject(caps, "resources");
	cJSON_AddBoolToObject(o, "subscribe", 1);
	cJSON_AddBoolToObject(o, "listChanged", 1);
	o = cJSON_AddObjectToObject(caps, "prompts");
	cJSON_AddBoolToObject(o, "listChanged", 0);
	if (!modern)
		cJSON_AddObjectToObject(caps, "logging");
	if (mcp_version_at_least(version, MCP_V20250326))
		cJSON_AddObjectToObject(caps, "completions");
	return caps;
}

static cJSON *server_info(const char *version)
{
	cJSON *info = cJSON_CreateObject();

	if (!info)
		return NULL;
	cJSON_AddStringToObject(info, "name", MCP_SERVER_NAME);
	if (mcp_version_at_least(version, MCP_V20250618))
		cJSON_AddStringToObject(info, "title", "Helios");
	cJSON_AddStringToObject(info, "version", HELIOS_VERSION);
	return info;
}

/*
 * Answer with the client's revision when it is a handshake revision we
 * speak, else with the newest one; the client decides whether to go on.
 */
static cJSON *m_initialize(struct mcp_req *r)
{
	const char *want = json_str(r->params, "protocolVersion");
	const char *use = MCP_LATEST_HANDSHAKE;
	struct mcp_server *s = r->srv;
	cJSON *res;
	size_t i;

	if (!want)
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: protocolVersion must be a string");
	for (i = 0; i < sizeof(handshake_versions) / sizeof(*handshake_versions);
	     i++)
		if (!strcmp(want, handshake_versions[i]))
			use = handshake_versions[i];
	snprintf(s->version, sizeof(s->version), "%s", use);
	s->initialized = 1;
	r->version = use;
	mcp_log(MCP_LOG_INFO, "initialize: client asked for %s, using %s",
		want, use);

	res = cJSON_CreateObject();
	if (!res)
		return NULL;
	cJSON_AddStringToObject(res, "protocolVersion", use);
	cJSON_AddItemToObject(res, "capabilities", mcp_capabilities(use));
	cJSON_AddItemToObject(res, "serverInfo", server_info(use));
	cJSON_AddStringToObject(res, "instructions", instructions);
	return res;
}

static cJSON *m_discover(struct mcp_req *r)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *list, *meta;
	size_t i;

	if (!res)
		return NULL;
	cJSON_AddStringToObject(res, "resultType", "complete");
	list = cJSON_AddArrayToObject(res, "supportedVersions");
	for (i = 0; i < sizeof(handshake_versions) / sizeof(*handshake_versions);
	     i++)
		cJSON_AddItemToArray(list,
				     cJSON_CreateString(handshake_versions[i]));
	cJSON_AddItemToArray(list, cJSON_CreateString(MCP_V20260728));
	cJSON_AddItemToObject(res, "capabilities",
			      mcp_capabilities(MCP_V20260728));
	meta = cJSON_AddObjectToObject(res, "_meta");
	cJSON_AddItemToObject(meta, "io.modelcontextprotocol/serverInfo",
			      server_info(MCP_V20260728));
	cJSON_AddStringToObject(res, "instructions", instructions);
	r->modern = 1;
	mcp_list_decorate(r, res);
	return res;
}

static cJSON *m_ping(struct mcp_req *r)
{
	(void)r;
	return cJSON_CreateObject();
}

static cJSON *m_set_level(struct mcp_req *r)
{
	const char *name = json_str(r->params, "level");
	enum mcp_level lvl;

	if (mcp_level_parse(name, &lvl))
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: level must be one of debug, info, "
				    "notice, warning, error, critical, alert, emergency");
	r->srv->log_level = lvl;
	return cJSON_CreateObject();
}

static const struct {
	const char *name;
	mcp_method_fn fn;
	int legacy_only;	/* removed in 2026-07-28 */
} methods[] = {
	{ "initialize", m_initialize, 1 },
	{ "ping", m_ping, 1 },
	{ "server/discover", m_discover, 0 },
	{ "logging/setLevel", m_set_level, 1 },
	{ "tools/list", mcp_tools_list, 0 },
	{ "tools/call", mcp_tools_call, 0 },
	{ "resources/list", mcp_resources_list, 0 },
	{ "resources/templates/list", mcp_resources_templates, 0 },
	{ "resources/read", mcp_resources_read, 0 },
	{ "resources/subscribe", mcp_resources_subscribe, 1 },
	{ "resources/unsubscribe", mcp_resources_unsubscribe, 1 },
	{ "prompts/list", mcp_prompts_list, 0 },
	{ "prompts/get", mcp_prompts_get, 0 },
	{ "completion/complete", mcp_completion, 0 },
	{ "subscriptions/listen", mcp_subscriptions_listen, 0 },
};

mcp_method_fn mcp_method_lookup(const char *method, int *legacy_only)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(*methods); i++) {
		if (!strcmp(method, methods[i].name)) {
			*legacy_only = methods[i].legacy_only;
			return methods[i].fn;
		}
	}
	return NULL;
}

/* 2026-07-28 caching hints; nothing here is shared between users. */
void mcp_list_decorate(struct mcp_req *r, cJSON *result)
{
	if (!r->modern)
		return;
	cJSON_AddNumberToObject(result, "ttlMs", 0);
	cJSON_AddStringToObject(result, "cacheScope", "private");
}

/*
 * Offset pagination with opaque cursors "p<offset>".  Fills [first, last)
 * and adds nextCursor to result when more remain.  -1 after
 * mcp_req_fail() for an invalid cursor.
 */
int mcp_paginate(struct mcp_req *r, size_t total, size_t page,
		 size_t *first, size_t *last, cJSON *result)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(r->params, "cursor");
	unsigned long off = 0;
	char *end;
	char next[32];

	if (c && !cJSON_IsNull(c)) {
		if (!cJSON_IsString(c) || c->valuestring[0] != 'p' ||
		    !c->valuestring[1])
			goto out_invalid;
		errno = 0;
		off = strtoul(c->valuestring + 1, &end, 10);
		if (errno || *end || off == 0 || off >= total)
			goto out_invalid;
	}
	*first = off;
	*last = off + page < total ? off + page : total;
	if (*last < total) {
		snprintf(next, sizeof(next), "p%zu", *last);
		cJSON_AddStringToObject(result, "nextCursor", next);
	}
	return 0;

out_invalid:
	mcp_req_fail(r, RPC_INVALID_PARAMS, "invalid params: unknown cursor");
	return -1;
}

static int parse_args(int argc, char **argv, const char **dir)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs("usage: helios-mcp [serve] [--helios-dir DIR]\n"
			      "Run the Model Context Protocol server on stdin/stdout.\n",
			      stdout);	/* stdout-ok: --help, before serving */
			return 1;
		}
		if (!strcmp(a, "--version")) {
			/* stdout-ok: --version, before serving */
			fputs("helios-mcp " HELIOS_VERSION "\n", stdout);
			return 1;
		}
		if (!strcmp(a, "--helios-dir") && i + 1 < argc) {
			*dir = argv[++i];
		} else if (!strncmp(a, "--helios-dir=", 13)) {
			*dir = a + 13;
		} else {
			fprintf(stderr, "helios-mcp serve: unknown argument '%s'\n"
				"usage: helios-mcp [serve] [--helios-dir DIR]\n",
				a);
			return 2;
		}
	}
	return 0;
}

static int open_store(const char *arg, struct store **st)
{
	struct helios_error err = { 0 };
	struct hdiag_list report;
	char *dir = NULL;
	size_t i;
	int rc;

	hdiag_list_init(&report);
	rc = store_resolve_dir(arg, &dir, &err);
	if (!rc)
		rc = store_open(dir, STORE_OPEN_CREATE | STORE_OPEN_DEFER_GIT,
				 st, &report, &err);
	for (i = 0; i < report.len; i++)
		mcp_log(MCP_LOG_WARNING, "%s", report.items[i].text);
	if (rc)
		mcp_log(MCP_LOG_ERROR, "cannot open store '%s': %s",
			dir ? dir : "?", err.msg);
	else
		mcp_log(MCP_LOG_INFO, "serving store %s", dir);
	hdiag_list_release(&report);
	free(dir);
	return rc;
}

/* Read what stdin has; 0, or -1 at EOF or on a read error. */
static int read_input(struct mcp_server *s)
{
	ssize_t n;

	if (hbuf_grow(&s->in, READ_CHUNK)) {
		/* Cannot happen while process_input caps the buffer. */
		s->in.len = 0;
		s->discarding = 1;
		return 0;
	}
	do
		n = read(s->in_fd, s->in.ptr + s->in.len, READ_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n < 0)
			mcp_log(MCP_LOG_ERROR, "cannot read stdin: %s",
				strerror(errno));
		return -1;
	}
	s->in.len += (size_t)n;
	s->in.ptr[s->in.len] = '\0';
	return 0;
}

/*
 * The loop: dispatch complete lines, then sleep in ppoll() until input,
 * a store change or a stop signal.  Stop signals are blocked outside
 * ppoll(), so one never interrupts a commit half-way; the work in
 * flight finishes and the loop ends.
 */
static void server_loop(struct mcp_server *s, const sigset_t *waitmask)
{
	while (!s->out_broken) {
		struct pollfd pfd[2] = {
			{ .fd = s->in_fd, .events = POLLIN },
			{ .fd = s->inotify_fd, .events = POLLIN },
		};
		int n;

		mcp_process_input(s);
		if (s->eof) {
			/* A last line without its newline still counts. */
			if (s->in.len && !s->discarding &&
			    !hbuf_add(&s->in, "\n", 1))
				mcp_process_input(s);
			break;
		}
		if (stop_signal || s->out_broken)
			break;
		n = ppoll(pfd, s->inotify_fd >= 0 ? 2 : 1, NULL, waitmask);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			mcp_log(MCP_LOG_ERROR, "poll failed: %s",
				strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN)
			mcp_watch_handle(s);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR) &&
		    read_input(s))
			s->eof = 1;
	}
}

int mcp_server_main(int argc, char **argv)
{
	const char *dir_arg = NULL;
	struct mcp_server s;
	struct sigaction sa;
	sigset_t block, waitmask;
	int rc;

	rc = parse_args(argc, argv, &dir_arg);
	if (rc)
		return rc == 1 ? 0 : rc;

	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);

	memset(&s, 0, sizeof(s));
	s.in_fd = STDIN_FILENO;
	s.out_fd = STDOUT_FILENO;
	s.inotify_fd = -1;
	s.log_level = MCP_LOG_WARNING;
	hbuf_init(&s.in, MCP_LINE_MAX + 2 * READ_CHUNK + 16);
	if (open_store(dir_arg, &s.st))
		return 1;
	if (mcp_watch_start(&s))
		mcp_log(MCP_LOG_WARNING,
			"store changes will not be notified");

	server_loop(&s, &waitmask);
	if (stop_signal)
		mcp_log(MCP_LOG_INFO, "stopping on signal %d",
			(int)stop_signal);

	mcp_listen_close_all(&s);
	mcp_watch_stop(&s);
	hbuf_release(&s.in);
	store_free(s.st);
	return 0;
}

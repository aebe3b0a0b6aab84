/*
 * listen.c - subscriptions/listen, the change notifications of protocol
 * revision 2026-07-28.
 *
 * A client opens a stream with a filter: resourcesListChanged, and the
 * resource URIs it wants notifications/resources/updated for
 * (resourceSubscriptions).  The server answers at once with
 * notifications/subscriptions/acknowledged carrying the filter it honours
 * (types it cannot deliver are left out: the tool and prompt lists never
 * change here) and then sends each matching change notification tagged
 * with the listen request's id in _meta.  The request itself gets no
 * response while the stream is open: notifications/cancelled from the
 * client ends it silently, and a server shutdown ends it with an empty
 * result, the graceful close.
 */
#include "server_i.h"

#include <stdlib.h>
#include <string.h>

/* At most this many open streams; more are refused before the ack. */
#define LISTEN_MAX 64
#define LISTEN_URIS_MAX 1024

static void listen_release(struct mcp_listen *l)
{
	size_t i;

	cJSON_Delete(l->id);
	for (i = 0; i < l->nuris; i++)
		free(l->uris[i]);
	free(l->uris);
	memset(l, 0, sizeof(*l));
}

static void listen_remove(struct mcp_server *s, size_t i)
{
	listen_release(&s->listens[i]);
	s->listens[i] = s->listens[--s->nlistens];
}

/* The "_meta" object naming the stream l. */
static cJSON *stream_meta(const struct mcp_listen *l)
{
	cJSON *meta = cJSON_CreateObject();

	if (meta)
		cJSON_AddItemToObject(meta, MCP_META_SUBSCRIPTION,
				      cJSON_Duplicate(l->id, 1));
	return meta;
}

/* Read the filter into l; -1 after mcp_req_fail() when it is malformed. */
static int read_filter(struct mcp_req *r, struct mcp_listen *l)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(r->params,
							   "notifications");
	const cJSON *rl, *uris, *u;

	if (!cJSON_IsObject(f)) {
		mcp_req_fail(r, RPC_INVALID_PARAMS,
			     "invalid params: notifications must be an object "
			     "(the subscription filter)");
		return -1;
	}
	rl = cJSON_GetObjectItemCaseSensitive(f, "resourcesListChanged");
	if (rl && !cJSON_IsBool(rl)) {
		mcp_req_fail(r, RPC_INVALID_PARAMS,
			     "invalid params: resourcesListChanged must be a "
			     "boolean");
		return -1;
	}
	l->resources_list = cJSON_IsTrue(rl);
	uris = cJSON_GetObjectItemCaseSensitive(f, "resourceSubscriptions");
	if (!uris)
		return 0;
	if (!cJSON_IsArray(uris) ||
	    cJSON_GetArraySize(uris) > LISTEN_URIS_MAX) {
		mcp_req_fail(r, RPC_INVALID_PARAMS,
			     "invalid params: resourceSubscriptions must be an "
			     "array of at most %d resource URIs",
			     LISTEN_URIS_MAX);
		return -1;
	}
	l->uris = calloc((size_t)cJSON_GetArraySize(uris) + 1,
			 sizeof(*l->uris));
	if (!l->uris)
		return -1;
	cJSON_ArrayForEach(u, uris) {
		if (!cJSON_IsString(u) ||
		    !mcp_uri_subscribable(u->valuestring)) {
			mcp_req_fail(r, RPC_INVALID_PARAMS,
				     "invalid params: only helios://base, "
				     "helios://personas/NAME and "
				     "helios://merged/NAME can be subscribed");
			return -1;
		}
		l->uris[l->nuris] = strdup(u->valuestring);
		if (!l->uris[l->nuris])
			return -1;
		l->nuris++;
	}
	return 0;
}

/* notifications/subscriptions/acknowledged with the honoured filter. */
static void acknowledge(struct mcp_server *s, const struct mcp_listen *l)
{
	cJSON *p = cJSON_CreateObject(), *f, *list;
	size_t i;

	if (!p)
		return;
	cJSON_AddItemToObject(p, "_meta", stream_meta(l));
	f = cJSON_AddObjectToObject(p, "notifications");
	if (l->resources_list)
		cJSON_AddTrueToObject(f, "resourcesListChanged");
	if (l->nuris) {
		list = cJSON_AddArrayToObject(f, "resourceSubscriptions");
		for (i = 0; i < l->nuris; i++)
			cJSON_AddItemToArray(list,
					     cJSON_CreateString(l->uris[i]));
	}
	mcp_notify(s, "notifications/subscriptions/acknowledged", p);
}

cJSON *mcp_subscriptions_listen(struct mcp_req *r)
{
	struct mcp_server *s = r->srv;
	struct mcp_listen l = { 0 }, *grown;
	size_t i;

	if (!r->modern)
		return mcp_req_fail(r, RPC_METHOD_NOT_FOUND,
				    "method not found: subscriptions/listen "
				    "(protocol revision 2026-07-28 only)");
	for (i = 0; i < s->nlistens; i++)
		if (cJSON_Compare(s->listens[i].id, r->id, 1))
			return mcp_req_fail(r, RPC_INVALID_REQUEST,
					    "invalid request: a listen stream "
					    "with this id is already open");
	if (s->nlistens >= LISTEN_MAX)
		return mcp_req_fail(r, RPC_INVALID_REQUEST,
				    "invalid request: too many open listen "
				    "streams (at most %d)", LISTEN_MAX);
	if (read_filter(r, &l)) {
		listen_release(&l);
		return NULL;
	}
	l.id = cJSON_Duplicate(r->id, 1);
	grown = realloc(s->listens, (s->nlistens + 1) * sizeof(*grown));
	if (!l.id || !grown) {
		if (grown)
			s->listens = grown;
		listen_release(&l);
		return NULL;
	}
	s->listens = grown;
	s->listens[s->nlistens++] = l;
	acknowledge(s, &s->listens[s->nlistens - 1]);
	mcp_log(MCP_LOG_INFO, "listen stream opened (%zu resources%s)",
		l.nuris, l.resources_list ? ", list changes" : "");
	r->deferred = 1;
	return NULL;
}

/* Compare a cancelled requestId with a stream id (raw numbers too). */
static int same_id(const cJSON *stream, const cJSON *req)
{
	if (cJSON_IsString(stream) && cJSON_IsString(req))
		return !strcmp(stream->valuestring, req->valuestring);
	if (cJSON_IsRaw(stream) && cJSON_IsNumber(req)) {
		char *end;
		double v = strtod(stream->valuestring, &end);

		return !*end && v == req->valuedouble;
	}
	if (cJSON_IsNumber(stream) && cJSON_IsNumber(req))
		return stream->valuedouble == req->valuedouble;
	return 0;
}

int mcp_listen_cancel(struct mcp_server *s, const cJSON *request_id)
{
	size_t i;

	for (i = 0; i < s->nlistens; i++) {
		if (!same_id(s->listens[i].id, request_id))
			continue;
		listen_remove(s, i);
		mcp_log(MCP_LOG_INFO, "listen stream closed by the client");
		return 1;
	}
	return 0;
}

void mcp_listen_notify(struct mcp_server *s, int list_changed,
		       int (*hit)(const char *uri, void *arg), void *arg)
{
	size_t i, k;
	cJSON *p;

	for (i = 0; i < s->nlistens; i++) {
		const struct mcp_listen *l = &s->listens[i];

		for (k = 0; k < l->nuris; k++) {
			if (!hit(l->uris[k], arg))
				continue;
			p = cJSON_CreateObject();
			if (!p)
				return;
			cJSON_AddStringToObject(p, "uri", l->uris[k]);
			cJSON_AddItemToObject(p, "_meta", stream_meta(l));
			mcp_notify(s, "notifications/resources/updated", p);
		}
		if (list_changed && l->resources_list) {
			p = cJSON_CreateObject();
			if (!p)
				return;
			cJSON_AddItemToObject(p, "_meta", stream_meta(l));
			mcp_notify(s, "notifications/resources/list_changed",
				   p);
		}
	}
}

/* The graceful close: every open stream gets its empty result. */
void mcp_listen_close_all(struct mcp_server *s)
{
	cJSON *msg, *res;

	while (s->nlistens) {
		struct mcp_listen *l = &s->listens[s->nlistens - 1];

		msg = cJSON_CreateObject();
		if (msg) {
			cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
			cJSON_AddItemToObject(msg, "id",
					      cJSON_Duplicate(l->id, 1));
			res = cJSON_AddObjectToObject(msg, "result");
			cJSON_AddItemToObject(res, "_meta", stream_meta(l));
			cJSON_AddStringToObject(res, "resultType", "complete");
			mcp_send(s, msg);
			cJSON_Delete(msg);
		}
		listen_remove(s, s->nlistens - 1);
	}
	free(s->listens);
	s->listens = NULL;
}

/*
 * rpc.c - JSON-RPC 2.0 over newline-framed stdio: framing with a byte
 * ceiling, UTF-8 checks, request/notification/batch handling, the
 * response envelope, and the small notifications (log, progress).
 */
#include "server_i.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)64 << 10)

static const char *const level_names[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency",
};

static const char *const versions[] = {
	MCP_V20241105, MCP_V20250326, MCP_V20250618, MCP_V20251125,
	MCP_V20260728,
};

int mcp_version_at_least(const char *have, const char *want)
{
	/* Revisions are dates, so they order as strings. */
	return strcmp(have, want) >= 0;
}

void mcp_log(enum mcp_level level, const char *fmt, ...)
{
	va_list ap;

	if (level < MCP_LOG_INFO || level >= MCP_LOG_OFF)
		return;
	fprintf(stderr, "helios-mcp: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int mcp_level_parse(const char *name, enum mcp_level *out)
{
	size_t i;

	for (i = 0; name && i < MCP_LOG_OFF; i++) {
		if (!strcmp(name, level_names[i])) {
			*out = (enum mcp_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Strict UTF-8: no overlong forms, no UTF-16 surrogates, nothing above
 * U+10FFFF, no NUL bytes (JSON text cannot hold a raw NUL).
 */
int mcp_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;

	while (p < end) {
		unsigned c = *p;
		size_t n, i;
		unsigned lo = 0x80, hi = 0xbf;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= n)
			return 0;
		if (p[1] < lo || p[1] > hi)
			return 0;
		for (i = 2; i <= n; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return 0;
		p += n + 1;
	}
	return 1;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
			   *p == '\n'))
		p++;
	return p;
}

static const char *skip_string(const char *p, const char *end)
{
	/* p is at the opening quote */
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

/*
 * Skip one JSON value starting at p (after whitespace) in text that
 * cJSON already accepted; returns the first byte after it.
 */
const char *json_skip_value(const char *p, const char *end)
{
	int depth = 0;

	p = skip_ws(p, end);
	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p < end && (*p == '{' || *p == '[')) {
		while (p < end) {
			if (*p == '"') {
				p = skip_string(p, end);
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']')
				depth--;
			p++;
			if (depth == 0)
				return p;
		}
		return end;
	}
	while (p < end && !strchr(",]} \t\r\n", *p))
		p++;
	return p;
}

/*
 * Find the raw text of the first member named key in the JSON object at
 * p.  Keys written with escapes are not matched (the caller falls back
 * to the parsed value).  Returns 1 and the span, or 0.
 */
int json_raw_member(const char *p, const char *end, const char *key,
		    const char **vstart, const char **vend)
{
	size_t klen = strlen(key);

	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return 0;
	p++;
	for (;;) {
		const char *ks, *ke;

		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return 0;
		ks = p + 1;
		p = skip_string(p, end);
		ke = p - 1;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return 0;
		p = skip_ws(p + 1, end);
		if ((size_t)(ke - ks) == klen && !memcmp(ks, key, klen)) {
			*vstart = p;
			*vend = json_skip_value(p, end);
			return 1;
		}
		p = skip_ws(json_skip_value(p, end), end);
		if (p >= end || *p != ',')
			return 0;
		p++;
	}
}

/*
 * Write one message and a newline to stdout in as few write() calls as
 * the kernel allows.  A vanished reader (EPIPE; SIGPIPE is ignored) marks
 * the server so it stops after the work in flight.
 */
int mcp_send(struct mcp_server *s, cJSON *msg)
{
	char *txt;
	size_t len, off = 0;

	if (s->out_broken)
		return -1;
	txt = cJSON_PrintUnformatted(msg);
	if (!txt) {
		mcp_log(MCP_LOG_ERROR, "cannot serialise a message: out of memory");
		return -1;
	}
	len = strlen(txt);
	txt[len] = '\n';	/* replaces the NUL; cJSON_free ignores it */
	len++;
	while (off < len) {
		ssize_t n = write(s->out_fd, txt + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			mcp_log(MCP_LOG_WARNING, "cannot write to stdout: %s",
				strerror(errno));
			s->out_broken = 1;
			break;
		}
		off += (size_t)n;
	}
	cJSON_free(txt);
	return s->out_broken ? -1 : 0;
}

void mcp_notify(struct mcp_server *s, const char *method, cJSON *params)
{
	cJSON *msg = cJSON_CreateObject();

	if (!msg) {
		cJSON_Delete(params);
		return;
	}
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddStringToObject(msg, "method", method);
	if (params)
		cJSON_AddItemToObject(msg, "params", params);
	mcp_send(s, msg);
	cJSON_Delete(msg);
}

cJSON *mcp_req_fail(struct mcp_req *r, int code, const char *fmt, ...)
{
	va_list ap;

	r->err_code = code;
	va_start(ap, fmt);
	vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
	va_end(ap);
	return NULL;
}

void mcp_log_client(struct mcp_req *r, enum mcp_level level,
		    const char *logger, const char *text)
{
	cJSON *p;

	mcp_log(level, "%s: %s", logger, text);
	if (level < r->log_level)
		return;
	p = cJSON_CreateObject();
	if (!p)
		return;
	cJSON_AddStringToObject(p, "level", level_names[level]);
	cJSON_AddStringToObject(p, "logger", logger);
	cJSON_AddStringToObject(p, "data", text);
	mcp_notify(r->srv, "notifications/message", p);
}

void mcp_progress(struct mcp_req *r, double total, const char *message)
{
	cJSON *p;

	if (!r->progress_token)
		return;
	p = cJSON_CreateObject();
	if (!p)
		return;
	r->progress += 1;
	cJSON_AddItemToObject(p, "progressToken",
			      cJSON_Duplicate(r->progress_token, 1));
	cJSON_AddNumberToObject(p, "progress", r->progress);
	if (total > 0)
		cJSON_AddNumberToObject(p, "total", total);
	if (message && mcp_version_at_least(r->version, MCP_V20250326))
		cJSON_AddStringToObject(p, "message", message);
	mcp_notify(r->srv, "notifications/progress", p);
}

static int id_matches(const cJSON *id, const cJSON *other)
{
	if (cJSON_IsString(id))
		return cJSON_IsString(other) &&
		       !strcmp(id->valuestring, other->valuestring);
	if (cJSON_IsRaw(id) && cJSON_IsNumber(other))
		return strtod(id->valuestring, NULL) == other->valuedouble;
	if (cJSON_IsNumber(id) && cJSON_IsNumber(other))
		return id->valuedouble == other->valuedouble;
	return 0;
}

/*
 * Has the client cancelled the request in flight?  Reads what stdin holds
 * without blocking, into the same buffer the main loop frames, and looks
 * at the complete lines after this request for notifications/cancelled
 * naming it.  Those lines stay queued and are dispatched later as usual.
 */
int mcp_check_cancel(struct mcp_req *r)
{
	struct mcp_server *s = r->srv;
	size_t off;

	if (r->cancelled)
		return 1;
	while (!s->eof && s->in.len + READ_CHUNK <= s->in.max) {
		struct pollfd pfd = { .fd = s->in_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 0) <= 0)
			break;
		if (hbuf_grow(&s->in, READ_CHUNK))
			break;
		n = read(s->in_fd, s->in.ptr + s->in.len, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->eof = 1;
			break;
		}
		s->in.len += (size_t)n;
		s->in.ptr[s->in.len] = '\0';
	}
	for (off = r->line_end; off < s->in.len;) {
		char *line = s->in.ptr + off;
		char *nl = memchr(line, '\n', s->in.len - off);
		cJSON *msg, *p, *rid;

		if (!nl)
			break;
		off = (size_t)(nl - s->in.ptr) + 1;
		if (!memmem(line, (size_t)(nl - line), "notifications/cancelled",
			    23))
			continue;
		msg = cJSON_ParseWithLength(line, (size_t)(nl - line));
		p = cJSON_GetObjectItemCaseSensitive(msg, "params");
		rid = cJSON_GetObjectItemCaseSensitive(p, "requestId");
		if (!cJSON_GetObjectItemCaseSensitive(msg, "id") && rid &&
		    id_matches(r->id, rid))
			r->cancelled = 1;
		cJSON_Delete(msg);
	}
	return r->cancelled;
}

static cJSON *rpc_error(cJSON *id, int code, const char *message,
			cJSON *data)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON *e = cJSON_CreateObject();

	if (!msg || !e) {
		cJSON_Delete(msg);
		cJSON_Delete(e);
		cJSON_Delete(id);
		cJSON_Delete(data);
		return NULL;
	}
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	cJSON_AddItemToObject(msg, "id", id ? id : cJSON_CreateNull());
	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	if (data)
		cJSON_AddItemToObject(e, "data", data);
	cJSON_AddItemToObject(msg, "error", e);
	return msg;
}

static void send_error(struct mcp_server *s, int code, const char *message)
{
	cJSON *msg = rpc_error(NULL, code, message, NULL);

	if (msg)
		mcp_send(s, msg);
	cJSON_Delete(msg);
}

static const char *supported_version(const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (!strcmp(v, versions[i]))
			return versions[i];
	return NULL;
}

static cJSON *version_error(struct mcp_req *r, const cJSON *requested)
{
	cJSON *data = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(data, "supported");
	size_t i;

	for (i = 0; list && i < sizeof(versions) / sizeof(versions[0]); i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(versions[i]));
	cJSON_AddItemToObject(data, "requested",
			      cJSON_Duplicate(requested, 1));
	r->err_data = data;
	return mcp_req_fail(r, MCP_UNSUPPORTED_VERSION,
			    "unsupported protocol version");
}

/* Read _meta: protocol version, progress token, per-request log level. */
static int rpc_read_meta(struct mcp_req *r)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(r->params,
							      "_meta");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta,
							   MCP_META_VERSION);
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(meta,
							     "progressToken");
	const cJSON *lvl = cJSON_GetObjectItemCaseSensitive(meta,
							     MCP_META_LOGLEVEL);
	struct mcp_server *s = r->srv;

	r->version = s->initialized ? s->version : MCP_LATEST_HANDSHAKE;
	r->log_level = s->log_level;
	if (v) {
		const char *sv = cJSON_IsString(v) ?
				 supported_version(v->valuestring) : NULL;

		if (!sv) {
			version_error(r, v);
			return -1;
		}
		r->version = sv;
		r->modern = mcp_version_at_least(sv, MCP_V20260728);
		if (r->modern)
			r->log_level = MCP_LOG_OFF;
	}
	if (cJSON_IsString(tok) || cJSON_IsNumber(tok))
		r->progress_token = tok;
	if (lvl && (!cJSON_IsString(lvl) ||
		    mcp_level_parse(lvl->valuestring, &r->log_level))) {
		mcp_req_fail(r, RPC_INVALID_PARAMS,
			     "invalid params: unknown log level in _meta");
		return -1;
	}
	return 0;
}

static cJSON *rpc_dispatch(struct mcp_req *r)
{
	mcp_method_fn fn;
	int legacy_only = 0;
	cJSON *res;

	if (rpc_read_meta(r))
		return NULL;
	fn = mcp_method_lookup(r->method, &legacy_only);
	if (!fn || (legacy_only && r->modern))
		return mcp_req_fail(r, RPC_METHOD_NOT_FOUND,
				    "method not found: %s", r->method);
	res = fn(r);
	if (!res && !r->err_code && !r->cancelled && !r->deferred)
		mcp_req_fail(r, RPC_INTERNAL_ERROR, "internal error");
	if (res && r->modern &&
	    !cJSON_GetObjectItemCaseSensitive(res, "resultType"))
		cJSON_AddStringToObject(res, "resultType", "complete");
	return res;
}

static void rpc_notification(struct mcp_server *s, const char *method,
			     const cJSON *params)
{
	if (!strcmp(method, "notifications/initialized"))
		mcp_log(MCP_LOG_DEBUG, "client initialized");
	/* The cancel of an open listen stream ends it; cancellations of
	 * finished requests and unknown notifications need nothing: a
	 * notification is never answered. */
	if (!strcmp(method, "notifications/cancelled") && cJSON_IsObject(params))
		mcp_listen_cancel(s, cJSON_GetObjectItemCaseSensitive(params,
								      "requestId"));
}

/* The id to echo: strings as they are, integers from their raw text. */
static int rpc_copy_id(const cJSON *id, const char *raw, const char *end,
		       cJSON **out)
{
	const char *vs, *ve;
	char *txt;

	if (cJSON_IsString(id)) {
		*out = cJSON_CreateString(id->valuestring);
		return 0;
	}
	if (!cJSON_IsNumber(id) || !isfinite(id->valuedouble) ||
	    floor(id->valuedouble) != id->valuedouble)
		return -1;
	if (raw && json_raw_member(raw, end, "id", &vs, &ve) && ve > vs &&
	    (*vs == '-' || (*vs >= '0' && *vs <= '9'))) {
		txt = strndup(vs, (size_t)(ve - vs));
		*out = txt ? cJSON_CreateRaw(txt) : NULL;
		free(txt);
		return 0;
	}
	*out = cJSON_CreateNumber(id->valuedouble);
	return 0;
}

/*
 * Handle one message (an object, or anything else found where one was
 * expected).  raw..end is its source text.  Returns the response to send
 * or NULL when none is due.
 */
static cJSON *rpc_message(struct mcp_server *s, cJSON *msg, const char *raw,
			  const char *end, size_t line_end)
{
	const cJSON *id, *method, *jsonrpc;
	cJSON *idcopy = NULL, *res, *out;
	struct mcp_req r;

	if (!cJSON_IsObject(msg))
		return rpc_error(NULL, RPC_INVALID_REQUEST,
				 "invalid request: expected a JSON object",
				 NULL);
	id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	method = cJSON_GetObjectItemCaseSensitive(msg, "method");
	jsonrpc = cJSON_GetObjectItemCaseSensitive(msg, "jsonrpc");
	if (id && rpc_copy_id(id, raw, end, &idcopy))
		idcopy = NULL;	/* refused below, once we know it is a request */
	if (!cJSON_IsString(jsonrpc) || strcmp(jsonrpc->valuestring, "2.0"))
		return rpc_error(idcopy, RPC_INVALID_REQUEST,
				 "invalid request: jsonrpc must be \"2.0\"",
				 NULL);
	if (!method) {
		/* A response from the client: we send no requests, so there is
		 * nothing to match it with, and responses are never answered. */
		if (id && (cJSON_GetObjectItemCaseSensitive(msg, "result") ||
			   cJSON_GetObjectItemCaseSensitive(msg, "error"))) {
			cJSON_Delete(idcopy);
			return NULL;
		}
		return rpc_error(idcopy, RPC_INVALID_REQUEST,
				 "invalid request: missing method", NULL);
	}
	if (!cJSON_IsString(method))
		return rpc_error(idcopy, RPC_INVALID_REQUEST,
				 "invalid request: method must be a string",
				 NULL);
	if (!id) {
		rpc_notification(s, method->valuestring,
				 cJSON_GetObjectItemCaseSensitive(msg, "params"));
		return NULL;
	}
	if (!idcopy)
		return rpc_error(NULL, RPC_INVALID_REQUEST,
				 "invalid request: id must be a string or an integer",
				 NULL);

	memset(&r, 0, sizeof(r));
	r.srv = s;
	r.method = method->valuestring;
	r.params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	r.id = idcopy;
	r.line_end = line_end;
	if (r.params && !cJSON_IsObject(r.params))
		return rpc_error(idcopy, RPC_INVALID_PARAMS,
				 "invalid params: params must be an object",
				 NULL);
	res = rpc_dispatch(&r);
	if (r.deferred) {
		/* the stream owns a copy of the id; its answer comes later */
		cJSON_Delete(res);
		cJSON_Delete(idcopy);
		return NULL;
	}
	if (r.cancelled) {
		mcp_log(MCP_LOG_INFO, "request cancelled: %s", r.method);
		cJSON_Delete(res);
		cJSON_Delete(idcopy);
		cJSON_Delete(r.err_data);
		return NULL;
	}
	if (!res)
		return rpc_error(idcopy, r.err_code, r.err_msg, r.err_data);
	out = cJSON_CreateObject();
	if (!out) {
		cJSON_Delete(res);
		return rpc_error(idcopy, RPC_INTERNAL_ERROR, "out of memory",
				 NULL);
	}
	cJSON_AddStringToObject(out, "jsonrpc", "2.0");
	cJSON_AddItemToObject(out, "id", idcopy);
	cJSON_AddItemToObject(out, "result", res);
	return out;
}

/*
 * A batch (revision 2025-03-26 only): answer every request in one array,
 * leave notifications unanswered, refuse initialize inside it.
 */
static void rpc_batch(struct mcp_server *s, cJSON *arr, const char *raw,
		      const char *end, size_t line_end)
{
	const char *p = raw;
	cJSON *item, *out;

	if (!s->initialized || strcmp(s->version, MCP_V20250326)) {
		send_error(s, RPC_INVALID_REQUEST,
			   "invalid request: batches are accepted only under protocol revision "
			   "2025-03-26");
		return;
	}
	if (!cJSON_GetArraySize(arr)) {
		send_error(s, RPC_INVALID_REQUEST,
			   "invalid request: empty batch");
		return;
	}
	out = cJSON_CreateArray();
	if (!out)
		return;
	p = skip_ws(p, end) + 1;	/* past '[' */
	cJSON_ArrayForEach(item, arr) {
		const char *es = skip_ws(p, end);
		const char *ee = json_skip_value(es, end);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(item,
								  "method");
		cJSON *res;

		p = skip_ws(ee, end) + 1;	/* past ',' or ']' */
		if (cJSON_IsString(m) && !strcmp(m->valuestring, "initialize")) {
			cJSON *id = NULL;

			rpc_copy_id(cJSON_GetObjectItemCaseSensitive(item, "id"),
				    es, ee, &id);
			res = rpc_error(id, RPC_INVALID_REQUEST,
					"invalid request: initialize must not be batched",
					NULL);
		} else
			res = rpc_message(s, item, es, ee, line_end);
		if (res)
			cJSON_AddItemToArray(out, res);
	}
	if (cJSON_GetArraySize(out))
		mcp_send(s, out);
	cJSON_Delete(out);
}

static void rpc_line(struct mcp_server *s, char *line, size_t len,
		     size_t line_end)
{
	cJSON *msg, *res;
	size_t i;

	if (len && line[len - 1] == '\r')
		len--;
	for (i = 0; i < len && strchr(" \t", line[i]); i++)
		;
	if (i == len)
		return;		/* blank lines carry no message */
	if (!mcp_utf8_valid(line, len)) {
		send_error(s, RPC_PARSE_ERROR,
			   "parse error: the message is not valid UTF-8");
		return;
	}
	line[len] = '\0';
	msg = cJSON_ParseWithLengthOpts(line, len + 1, NULL, 1);
	if (!msg) {
		send_error(s, RPC_PARSE_ERROR,
			   "parse error: not a single valid JSON value");
		return;
	}
	if (cJSON_IsArray(msg)) {
		rpc_batch(s, msg, line, line + len, line_end);
	} else {
		res = rpc_message(s, msg, line, line + len, line_end);
		if (res)
			mcp_send(s, res);
		cJSON_Delete(res);
	}
	cJSON_Delete(msg);
}

/*
 * Dispatch every complete line in the input buffer, then drop what was
 * used.  A line longer than MCP_LINE_MAX is answered with one parse error
 * and skipped up to its newline, however many reads that takes.
 */
void mcp_process_input(struct mcp_server *s)
{
	while (!s->out_broken && s->done < s->in.len) {
		char *start = s->in.ptr + s->done;
		char *nl = memchr(start, '\n', s->in.len - s->done);
		size_t len, end;

		if (!nl)
			break;
		len = (size_t)(nl - start);
		end = s->done + len + 1;
		if (s->discarding) {
			s->discarding = 0;
		} else if (len > MCP_LINE_MAX) {
			send_error(s, RPC_PARSE_ERROR,
				   "parse error: message longer than the 8 MiB limit");
		} else {
			rpc_line(s, start, len, end);
		}
		s->done = end;
	}
	if (s->done) {
		memmove(s->in.ptr, s->in.ptr + s->done, s->in.len - s->done);
		s->in.len -= s->done;
		s->done = 0;
		if (s->in.ptr)
			s->in.ptr[s->in.len] = '\0';
	}
	if (!s->discarding && s->in.len > MCP_LINE_MAX) {
		send_error(s, RPC_PARSE_ERROR,
			   "parse error: message longer than the 8 MiB limit");
		s->discarding = 1;
	}
	if (s->discarding)
		s->in.len = 0;
}

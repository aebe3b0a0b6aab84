/*
 * resource.c - resources (helios://base, helios://personas/NAME,
 * helios://merged/NAME, helios://history/REV/PATH), subscriptions fed by
 * inotify on the store directory, prompts (persona, compare) and
 * completion of persona names.
 */
#include "server_i.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "helios/merge.h"
#include "helios/validate.h"

#define RESOURCES_PAGE 50
#define COMPLETION_MAX 100
#define YAML_MIME "application/yaml"

#define URI_BASE "helios://base"
#define URI_PERSONA "helios://personas/"
#define URI_MERGED "helios://merged/"
#define URI_HISTORY "helios://history/"

static int not_found_code(const struct mcp_req *r)
{
	return r->modern ? RPC_INVALID_PARAMS : MCP_RESOURCE_NOT_FOUND;
}

/* A resource (key "uri") or a template (key "uriTemplate") entry. */
static cJSON *listed_entry(const char *key, const char *uri,
			   const char *name, const char *title,
			   const char *description)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, key, uri);
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddStringToObject(j, "title", title);
	cJSON_AddStringToObject(j, "description", description);
	cJSON_AddStringToObject(j, "mimeType", YAML_MIME);
	return j;
}

cJSON *mcp_resources_list(struct mcp_req *r)
{
	char **names = NULL;
	size_t n = 0, first, last, i;
	cJSON *res, *list;

	if (store_list_personas(r->srv->st, &names, &n, NULL))
		return mcp_req_fail(r, RPC_INTERNAL_ERROR,
				    "cannot list the personas directory");
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "resources");
	/* index 0 is the base; then a persona and its merged view each */
	if (mcp_paginate(r, 1 + 2 * n, RESOURCES_PAGE, &first, &last, res)) {
		cJSON_Delete(res);
		store_names_free(names, n);
		return NULL;
	}
	for (i = first; i < last; i++) {
		char uri[128], title[128];
		const char *p;

		if (i == 0) {
			cJSON_AddItemToArray(list, listed_entry("uri", URI_BASE,
				"base", "Base identity",
				"base/identity.yaml, inherited by every persona"));
			continue;
		}
		p = names[(i - 1) / 2];
		if ((i - 1) % 2 == 0) {
			snprintf(uri, sizeof(uri), URI_PERSONA "%s", p);
			snprintf(title, sizeof(title), "Persona %s", p);
			cJSON_AddItemToArray(list, listed_entry("uri", uri, p,
				title, "the persona's own file, without "
				"inheritance"));
		} else {
			snprintf(uri, sizeof(uri), URI_MERGED "%s", p);
			snprintf(title, sizeof(title), "Persona %s merged", p);
			cJSON_AddItemToArray(list, listed_entry("uri", uri, p,
				title, "the persona merged with the base "
				"identity"));
		}
	}
	store_names_free(names, n);
	mcp_list_decorate(r, res);
	return res;
}

cJSON *mcp_resources_templates(struct mcp_req *r)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(res, "resourceTemplates");
	size_t first, last;

	if (mcp_paginate(r, 3, RESOURCES_PAGE, &first, &last, res)) {
		cJSON_Delete(res);
		return NULL;
	}
	cJSON_AddItemToArray(list, listed_entry("uriTemplate",
		URI_PERSONA "{name}", "persona", "Persona",
		"a persona's own configuration"));
	cJSON_AddItemToArray(list, listed_entry("uriTemplate",
		URI_MERGED "{name}", "merged", "Merged persona",
		"a persona merged with the base identity"));
	cJSON_AddItemToArray(list, listed_entry("uriTemplate",
		URI_HISTORY "{revision}/{+path}", "history",
		"File at a revision",
		"a configuration file as it was at a commit"));
	mcp_list_decorate(r, res);
	return res;
}

/* Render helios://merged/NAME as YAML with the calculation on top. */
static int merged_yaml(struct store *st, const char *name, struct hbuf *out,
		       char *why, size_t whylen)
{
	struct merge_result mr = { 0 };
	struct hnode *base = NULL;
	int rc;

	rc = mcp_merged(st, name, &base, &mr, why, whylen);
	if (rc)
		return rc;
	hbuf_addf(out,
		  "# persona %s merged with the base identity\n"
		  "# weight = %g / %lld^2 = %.4g\n",
		  name, mr.base_importance, (long long)mr.specialization_level,
		  mr.weight);
	rc = hyaml_emit(mr.merged, out);
	if (rc)
		snprintf(why, whylen, "the merged document cannot be rendered");
	merge_result_release(&mr);
	hnode_free(base);
	return rc;
}

/*
 * Read a resource into out.  Returns 0, or -1 with why and a JSON-RPC
 * code in *code.
 */
static int resource_text(struct mcp_req *r, const char *uri,
			 struct hbuf *out, int *code, char *why, size_t whylen)
{
	struct helios_error err = { 0 };
	struct store *st = r->srv->st;
	char path[128];
	int rc;

	*code = not_found_code(r);
	if (!strcmp(uri, URI_BASE)) {
		rc = store_read(st, STORE_BASE_PATH, out, &err);
		snprintf(why, whylen, "%s", err.msg);
		return rc ? -1 : 0;
	}
	if (!strncmp(uri, URI_PERSONA, strlen(URI_PERSONA))) {
		const char *name = uri + strlen(URI_PERSONA);

		if (hname_check_persona(name, &err)) {
			snprintf(why, whylen, "resource not found: %.900s", err.msg);
			return -1;
		}
		snprintf(path, sizeof(path), "personas/%s.yaml", name);
		if (store_read(st, path, out, &err)) {
			snprintf(why, whylen, "resource not found: no persona '%s'",
				 name);
			return -1;
		}
		return 0;
	}
	if (!strncmp(uri, URI_MERGED, strlen(URI_MERGED))) {
		rc = merged_yaml(st, uri + strlen(URI_MERGED), out, why, whylen);
		if (rc && rc != HELIOS_ENOTFOUND && rc != HELIOS_ENAME)
			*code = RPC_INTERNAL_ERROR;
		return rc ? -1 : 0;
	}
	if (!strncmp(uri, URI_HISTORY, strlen(URI_HISTORY))) {
		const char *rev = uri + strlen(URI_HISTORY);
		const char *slash = strchr(rev, '/');
		char revbuf[128];

		if (!slash || slash == rev ||
		    (size_t)(slash - rev) >= sizeof(revbuf) ||
		    hdoc_kind_of_path(slash + 1) == HDOC_NONE) {
			snprintf(why, whylen,
				 "resource not found: use helios://history/REVISION/base/identity"
				 ".yaml or .../personas/NAME.yaml");
			return -1;
		}
		snprintf(revbuf, sizeof(revbuf), "%.*s", (int)(slash - rev), rev);
		return mcp_git_file_at(st, revbuf, slash + 1, out, why, whylen);
	}
	snprintf(why, whylen, "resource not found: unknown URI");
	return -1;
}

cJSON *mcp_resources_read(struct mcp_req *r)
{
	const char *uri = json_str(r->params, "uri");
	struct hbuf text;
	char why[1024];
	int code;
	cJSON *res, *list, *c;

	if (!uri)
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: uri must be a string");
	hbuf_init(&text, HBUF_MAX_DEFAULT);
	if (resource_text(r, uri, &text, &code, why, sizeof(why))) {
		hbuf_release(&text);
		r->err_data = cJSON_CreateObject();
		cJSON_AddStringToObject(r->err_data, "uri", uri);
		return mcp_req_fail(r, code, "%s", why);
	}
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "contents");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "uri", uri);
	cJSON_AddStringToObject(c, "mimeType", YAML_MIME);
	cJSON_AddStringToObject(c, "text", hbuf_str(&text));
	cJSON_AddItemToArray(list, c);
	hbuf_release(&text);
	mcp_list_decorate(r, res);
	return res;
}

int mcp_uri_subscribable(const char *uri)
{
	if (!strcmp(uri, URI_BASE))
		return 1;
	if (!strncmp(uri, URI_PERSONA, strlen(URI_PERSONA)))
		return !hname_check_persona(uri + strlen(URI_PERSONA), NULL);
	if (!strncmp(uri, URI_MERGED, strlen(URI_MERGED)))
		return !hname_check_persona(uri + strlen(URI_MERGED), NULL);
	return 0;
}

static ssize_t sub_find(const struct mcp_server *s, const char *uri)
{
	size_t i;

	for (i = 0; i < s->nsubs; i++)
		if (!strcmp(s->subs[i], uri))
			return (ssize_t)i;
	return -1;
}

cJSON *mcp_resources_subscribe(struct mcp_req *r)
{
	const char *uri = json_str(r->params, "uri");
	struct mcp_server *s = r->srv;
	char **subs, *copy;

	if (!uri)
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: uri must be a string");
	if (!mcp_uri_subscribable(uri))
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: only helios://base, helios://personas/NAME "
				    "and helios://merged/NAME can be subscribed");
	if (sub_find(s, uri) >= 0)
		return cJSON_CreateObject();
	subs = realloc(s->subs, (s->nsubs + 1) * sizeof(*subs));
	if (!subs)
		return NULL;
	s->subs = subs;
	copy = strdup(uri);
	if (!copy)
		return NULL;
	s->subs[s->nsubs++] = copy;
	return cJSON_CreateObject();
}

cJSON *mcp_resources_unsubscribe(struct mcp_req *r)
{
	const char *uri = json_str(r->params, "uri");
	struct mcp_server *s = r->srv;
	ssize_t i;

	if (!uri)
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: uri must be a string");
	i = sub_find(s, uri);
	if (i >= 0) {
		free(s->subs[i]);
		s->subs[i] = s->subs[--s->nsubs];
	}
	return cJSON_CreateObject();
}

/* ---- watching the store ---- */

static char **known_names;
static size_t known_count;

int mcp_watch_start(struct mcp_server *s)
{
	const char *dir = store_dir(s->st);
	char path[PATH_MAX];
	unsigned mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
			IN_DELETE | IN_CREATE;

	s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify_fd < 0) {
		mcp_log(MCP_LOG_WARNING, "cannot watch the store: %s",
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/base", dir);
	s->wd_base = inotify_add_watch(s->inotify_fd, path, mask);
	snprintf(path, sizeof(path), "%s/personas", dir);
	s->wd_personas = inotify_add_watch(s->inotify_fd, path, mask);
	if (s->wd_base < 0 || s->wd_personas < 0)
		mcp_log(MCP_LOG_WARNING, "cannot watch %s: %s", path,
			strerror(errno));
	store_list_personas(s->st, &known_names, &known_count, NULL);
	return 0;
}

void mcp_watch_stop(struct mcp_server *s)
{
	size_t i;

	if (s->inotify_fd >= 0)
		close(s->inotify_fd);
	s->inotify_fd = -1;
	store_names_free(known_names, known_count);
	known_names = NULL;
	known_count = 0;
	for (i = 0; i < s->nsubs; i++)
		free(s->subs[i]);
	free(s->subs);
	s->subs = NULL;
	s->nsubs = 0;
}

static int name_in(char **names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

static int names_differ(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 1;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return 1;
	return 0;
}

static void notify_updated(struct mcp_server *s, const char *uri)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "uri", uri);
	mcp_notify(s, "notifications/resources/updated", p);
}

/* What one batch of inotify events changed. */
struct watch_hits {
	int base_changed;
	char **changed;		/* persona names */
	size_t nchanged;
};

/* Does a change in h touch the resource uri? */
static int uri_hit(const char *uri, void *arg)
{
	const struct watch_hits *h = arg;

	if (!strcmp(uri, URI_BASE))
		return h->base_changed;
	if (!strncmp(uri, URI_PERSONA, strlen(URI_PERSONA)))
		return name_in(h->changed, h->nchanged,
			       uri + strlen(URI_PERSONA));
	if (!strncmp(uri, URI_MERGED, strlen(URI_MERGED)))
		return h->base_changed ||
		       name_in(h->changed, h->nchanged,
			       uri + strlen(URI_MERGED));
	return 0;
}

/*
 * Drain the inotify queue, then tell the client which subscribed
 * resources changed and whether the set of personas changed: through the
 * handshake session's subscriptions and through every open
 * subscriptions/listen stream.  Events are only about names; the
 * contents are read again when the client asks.
 */
void mcp_watch_handle(struct mcp_server *s)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct watch_hits h = { 0 };
	char **now = NULL, **grown;
	size_t nnow = 0, i;
	int list_changed = 0;
	ssize_t len;

	while ((len = read(s->inotify_fd, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			size_t nl;

			p += sizeof(*ev) + ev->len;
			if (!ev->len || hname_check_persona_file(ev->name, NULL))
				continue;
			if (ev->wd == s->wd_base) {
				if (!strcmp(ev->name, "identity.yaml"))
					h.base_changed = 1;
				continue;
			}
			if (ev->wd != s->wd_personas)
				continue;
			nl = strlen(ev->name) - 5;	/* drop ".yaml" */
			if (name_in(h.changed, h.nchanged, ev->name))
				continue;
			grown = realloc(h.changed,
					(h.nchanged + 1) * sizeof(*grown));
			if (!grown)
				goto out_free;
			h.changed = grown;
			h.changed[h.nchanged] = strndup(ev->name, nl);
			if (h.changed[h.nchanged])
				h.nchanged++;
		}
	}
	if (h.nchanged && !store_list_personas(s->st, &now, &nnow, NULL)) {
		list_changed = names_differ(known_names, known_count, now,
					    nnow);
		store_names_free(known_names, known_count);
		known_names = now;
		known_count = nnow;
	}
	if (s->initialized) {
		for (i = 0; i < s->nsubs; i++)
			if (uri_hit(s->subs[i], &h))
				notify_updated(s, s->subs[i]);
		if (list_changed)
			mcp_notify(s, "notifications/resources/list_changed",
				   NULL);
	}
	mcp_listen_notify(s, list_changed, uri_hit, &h);
out_free:
	for (i = 0; i < h.nchanged; i++)
		free(h.changed[i]);
	free(h.changed);
}

/* ---- prompts ---- */

static cJSON *prompt_arg(const char *name, const char *description)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddStringToObject(a, "name", name);
	cJSON_AddStringToObject(a, "description", description);
	cJSON_AddBoolToObject(a, "required", 1);
	return a;
}

cJSON *mcp_prompts_list(struct mcp_req *r)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(res, "prompts");
	cJSON *p, *args;
	size_t first, last;

	if (mcp_paginate(r, 2, RESOURCES_PAGE, &first, &last, res)) {
		cJSON_Delete(res);
		return NULL;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "name", "persona");
	cJSON_AddStringToObject(p, "title", "Act as a persona");
	cJSON_AddStringToObject(p, "description",
				"The persona merged with the base identity, as instructions "
				"to follow");
	args = cJSON_AddArrayToObject(p, "arguments");
	cJSON_AddItemToArray(args, prompt_arg("name", "persona name"));
	cJSON_AddItemToArray(list, p);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "name", "compare");
	cJSON_AddStringToObject(p, "title", "Compare two personas");
	cJSON_AddStringToObject(p, "description",
				"How two personas differ after inheritance");
	args = cJSON_AddArrayToObject(p, "arguments");
	cJSON_AddItemToArray(args, prompt_arg("a", "first persona name"));
	cJSON_AddItemToArray(args, prompt_arg("b", "second persona name"));
	cJSON_AddItemToArray(list, p);
	mcp_list_decorate(r, res);
	return res;
}

static cJSON *prompt_result(const char *description, const char *text)
{
	cJSON *res = cJSON_CreateObject();
	cJSON *msgs = cJSON_AddArrayToObject(res, "messages");
	cJSON *m = cJSON_CreateObject();
	cJSON *c = cJSON_AddObjectToObject(m, "content");

	cJSON_AddStringToObject(res, "description", description);
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(c, "type", "text");
	cJSON_AddStringToObject(c, "text", text);
	cJSON_AddItemToArray(msgs, m);
	return res;
}

static const char *prompt_arg_value(struct mcp_req *r, const char *name)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(r->params,
							      "arguments");
	const char *v = json_str(args, name);

	if (!v)
		mcp_req_fail(r, RPC_INVALID_PARAMS,
			     "invalid params: missing argument '%s'", name);
	return v;
}

static cJSON *prompt_persona(struct mcp_req *r)
{
	const char *name = prompt_arg_value(r, "name");
	struct hbuf text;
	char why[1024];
	cJSON *res;

	if (!name)
		return NULL;
	hbuf_init(&text, HBUF_MAX_DEFAULT);
	hbuf_addf(&text,
		  "Act as the Helios persona '%s'. Follow this configuration, which is "
		  "the persona merged with the base identity; behaviors say how to communicate "
		  "and work:\n\n",
		  name);
	if (merged_yaml(r->srv->st, name, &text, why, sizeof(why))) {
		hbuf_release(&text);
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: persona '%s': %s", name,
				    why);
	}
	res = prompt_result("Instructions for a Helios persona",
			    hbuf_str(&text));
	hbuf_release(&text);
	return res;
}

static void compare_maps(const struct hnode *a, const struct hnode *b,
			 const char *an, const char *bn, struct hbuf *out)
{
	size_t i;
	struct hbuf v;

	hbuf_init(&v, HBUF_MAX_DEFAULT);
	for (i = 0; a && a->type == HNODE_MAP && i < a->u.map.len; i++) {
		const struct hpair *p = &a->u.map.items[i];
		const struct hnode *o = hnode_map_get(b, p->key);

		if (!o) {
			hbuf_addf(out, "- %s: only in %s\n", p->key, an);
		} else if (!hnode_equal(p->value, o)) {
			hbuf_addf(out, "- %s differs:\n  %s: ", p->key, an);
			hbuf_release(&v);
			hyaml_emit(p->value, &v);
			hbuf_addf(out, "%s  %s: ", hbuf_str(&v), bn);
			hbuf_release(&v);
			hyaml_emit(o, &v);
			hbuf_adds(out, hbuf_str(&v));
		}
	}
	for (i = 0; b && b->type == HNODE_MAP && i < b->u.map.len; i++)
		if (!hnode_map_get(a, b->u.map.items[i].key))
			hbuf_addf(out, "- %s: only in %s\n",
				  b->u.map.items[i].key, bn);
	hbuf_release(&v);
}

static cJSON *prompt_compare(struct mcp_req *r)
{
	const char *a = prompt_arg_value(r, "a");
	const char *b = a ? prompt_arg_value(r, "b") : NULL;
	struct merge_result ma = { 0 }, mb = { 0 };
	struct hnode *ba = NULL, *bb = NULL;
	struct hbuf text;
	char why[1024];
	cJSON *res = NULL;

	if (!b)
		return NULL;
	if (mcp_merged(r->srv->st, a, &ba, &ma, why, sizeof(why)))
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: persona '%s': %s", a, why);
	if (mcp_merged(r->srv->st, b, &bb, &mb, why, sizeof(why))) {
		mcp_req_fail(r, RPC_INVALID_PARAMS,
			     "invalid params: persona '%s': %s", b, why);
		goto out_free;
	}
	hbuf_init(&text, HBUF_MAX_DEFAULT);
	hbuf_addf(&text,
		  "Compare the Helios personas '%s' (weight %.4g) and '%s' (weight %.4g). "
		  "Their merged behaviors differ as follows:\n",
		  a, ma.weight, b, mb.weight);
	compare_maps(hnode_map_get(ma.merged, "behaviors"),
		     hnode_map_get(mb.merged, "behaviors"), a, b, &text);
	hbuf_adds(&text, "Explain when each persona is the better choice.\n");
	res = prompt_result("How two Helios personas differ", hbuf_str(&text));
	hbuf_release(&text);
	merge_result_release(&mb);
	hnode_free(bb);
out_free:
	merge_result_release(&ma);
	hnode_free(ba);
	return res;
}

cJSON *mcp_prompts_get(struct mcp_req *r)
{
	const char *name = json_str(r->params, "name");

	if (!name)
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: name must be a string");
	if (!strcmp(name, "persona"))
		return prompt_persona(r);
	if (!strcmp(name, "compare"))
		return prompt_compare(r);
	return mcp_req_fail(r, RPC_INVALID_PARAMS,
			    "invalid params: unknown prompt '%.64s'", name);
}

/* ---- completion ---- */

static int completes_persona(const char *type, const char *ref,
			     const char *arg)
{
	if (!strcmp(type, "ref/prompt"))
		return (!strcmp(ref, "persona") && !strcmp(arg, "name")) ||
		       (!strcmp(ref, "compare") &&
			(!strcmp(arg, "a") || !strcmp(arg, "b")));
	return (!strcmp(ref, URI_PERSONA "{name}") ||
		!strcmp(ref, URI_MERGED "{name}")) && !strcmp(arg, "name");
}

static int known_ref(const char *type, const char *ref)
{
	if (!strcmp(type, "ref/prompt"))
		return !strcmp(ref, "persona") || !strcmp(ref, "compare");
	return !strcmp(ref, URI_PERSONA "{name}") ||
	       !strcmp(ref, URI_MERGED "{name}") ||
	       !strcmp(ref, URI_HISTORY "{revision}/{+path}");
}

cJSON *mcp_completion(struct mcp_req *r)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(r->params, "ref");
	const cJSON *arg = cJSON_GetObjectItemCaseSensitive(r->params,
							     "argument");
	const char *type = json_str(ref, "type");
	const char *rname = json_str(ref, "name");
	const char *aname = json_str(arg, "name");
	const char *prefix = json_str(arg, "value");
	char **names = NULL;
	size_t n = 0, i, total = 0;
	cJSON *res, *c, *vals;

	if (type && !strcmp(type, "ref/resource"))
		rname = json_str(ref, "uri");
	if (!type || !rname || !aname || !prefix ||
	    (strcmp(type, "ref/prompt") && strcmp(type, "ref/resource")))
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: expected ref {type, name|uri} and "
				    "argument {name, value}");
	if (!known_ref(type, rname))
		return mcp_req_fail(r, RPC_INVALID_PARAMS,
				    "invalid params: unknown prompt or resource template '%.128s'",
				    rname);
	res = cJSON_CreateObject();
	c = cJSON_AddObjectToObject(res, "completion");
	vals = cJSON_AddArrayToObject(c, "values");
	if (completes_persona(type, rname, aname) &&
	    !store_list_personas(r->srv->st, &names, &n, NULL)) {
		for (i = 0; i < n; i++) {
			if (strncmp(names[i], prefix, strlen(prefix)))
				continue;
			if (total++ < COMPLETION_MAX)
				cJSON_AddItemToArray(vals,
						     cJSON_CreateString(names[i]));
		}
		store_names_free(names, n);
	}
	cJSON_AddNumberToObject(c, "total", (double)total);
	cJSON_AddBoolToObject(c, "hasMore", total > COMPLETION_MAX);
	return res;
}

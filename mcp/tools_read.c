/*
 * tools_read.c - the MCP tools that only read the configuration:
 * get_base_config, get_active_persona, list_personas, merge_behaviors
 * and search_patterns.
 */
#include "tools_i.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helios/merge.h"

#define SEARCH_MAX_MATCHES 100

/* ---- reading ---- */

int tool_get_base_config(struct mcp_req *r, const cJSON *args,
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
	s = tools__structured_new(o);
	cJSON_AddStringToObject(s, "path", STORE_BASE_PATH);
	cJSON_AddItemToObject(s, "config", json_from_hnode(doc));
	hnode_free(doc);
	return 0;
}

int tool_get_active_persona(struct mcp_req *r, const cJSON *args,
			    struct mcp_toolres *o)
{
	const char *name = json_str(args, "persona_name");
	struct hnode *doc = NULL;
	char path[96];
	cJSON *s;

	if (tools__load_persona(r, name, &doc, &o->text, o))
		return TOOL_FAIL;
	snprintf(path, sizeof(path), "personas/%s.yaml", name);
	s = tools__structured_new(o);
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

int tool_list_personas(struct mcp_req *r, const cJSON *args,
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
	s = tools__structured_new(o);
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

int tool_merge_behaviors(struct mcp_req *r, const cJSON *args,
			 struct mcp_toolres *o)
{
	const char *name = json_str(args, "persona_name");
	struct merge_result mr = { 0 };
	struct hnode *base = NULL, *probe = NULL;
	const struct hnode *beh;
	char why[1024];
	cJSON *s;

	if (tools__load_persona(r, name, &probe, NULL, o))
		return TOOL_FAIL;
	hnode_free(probe);
	if (mcp_merged(r->srv->st, name, &base, &mr, why, sizeof(why)))
		return mcp_tool_fail(o, "cannot merge '%s': %s", name, why);
	beh = hnode_map_get(mr.merged, "behaviors");
	s = tools__structured_new(o);
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

int tool_search_patterns(struct mcp_req *r, const cJSON *args,
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
	res = tools__structured_new(o);
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

/*
 * json_yaml.c - conversions between the YAML tree (struct hnode) and
 * cJSON, and dotted-key access into a YAML tree.
 */
#include "server_i.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * JSON has no NaN or infinities, so such floats become the strings YAML
 * writes for them.  Integers beyond 2^53 lose precision as JSON numbers
 * in most clients; they are passed as numbers all the same.
 */
cJSON *json_from_hnode(const struct hnode *n)
{
	cJSON *j;
	size_t i;

	switch (n->type) {
	case HNODE_NULL:
		return cJSON_CreateNull();
	case HNODE_BOOL:
		return cJSON_CreateBool(n->u.b);
	case HNODE_INT:
		return cJSON_CreateNumber((double)n->u.i);
	case HNODE_FLOAT:
		if (isnan(n->u.f))
			return cJSON_CreateString(".nan");
		if (isinf(n->u.f))
			return cJSON_CreateString(n->u.f > 0 ? ".inf" : "-.inf");
		return cJSON_CreateNumber(n->u.f);
	case HNODE_STR:
		return cJSON_CreateString(n->u.s.ptr);
	case HNODE_SEQ:
		j = cJSON_CreateArray();
		for (i = 0; j && i < n->u.seq.len; i++) {
			cJSON *c = json_from_hnode(n->u.seq.items[i]);

			if (!c || !cJSON_AddItemToArray(j, c)) {
				cJSON_Delete(c);
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	case HNODE_MAP:
		j = cJSON_CreateObject();
		for (i = 0; j && i < n->u.map.len; i++) {
			const struct hpair *p = &n->u.map.items[i];
			cJSON *c = json_from_hnode(p->value);

			if (!c || !cJSON_AddItemToObject(j, p->key, c)) {
				cJSON_Delete(c);
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	}
	return NULL;
}

/* Integral JSON numbers that fit become YAML integers, others floats. */
struct hnode *hnode_from_json(const cJSON *j)
{
	struct hnode *n;
	const cJSON *c;

	if (cJSON_IsNull(j))
		return hnode_new(HNODE_NULL);
	if (cJSON_IsBool(j))
		return hnode_new_bool(cJSON_IsTrue(j));
	if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;

		if (floor(d) == d && fabs(d) <= 9007199254740992.0)
			return hnode_new_int((int64_t)d);
		return hnode_new_float(d);
	}
	if (cJSON_IsString(j))
		return hnode_new_str(j->valuestring, strlen(j->valuestring));
	if (cJSON_IsArray(j)) {
		n = hnode_new(HNODE_SEQ);
		cJSON_ArrayForEach(c, j) {
			struct hnode *v = n ? hnode_from_json(c) : NULL;

			if (!v || hnode_seq_push(n, v)) {
				hnode_free(n);
				return NULL;
			}
		}
		return n;
	}
	if (cJSON_IsObject(j)) {
		n = hnode_new(HNODE_MAP);
		cJSON_ArrayForEach(c, j) {
			struct hnode *v = n ? hnode_from_json(c) : NULL;

			if (!v || hnode_map_set(n, c->string, strlen(c->string),
						v)) {
				hnode_free(n);
				return NULL;
			}
		}
		return n;
	}
	return NULL;
}

static struct hpair *map_pair(const struct hnode *map, const char *key,
			      size_t klen)
{
	size_t i;

	if (map->type != HNODE_MAP)
		return NULL;
	for (i = 0; i < map->u.map.len; i++) {
		struct hpair *p = &map->u.map.items[i];

		if (p->key_len == klen && !memcmp(p->key, key, klen))
			return p;
	}
	return NULL;
}

/* The next segment of a dotted path: [*seg, *seg + *len). */
static int next_segment(const char **path, const char **seg, size_t *len)
{
	const char *dot = strchr(*path, '.');

	*seg = *path;
	*len = dot ? (size_t)(dot - *path) : strlen(*path);
	*path = dot ? dot + 1 : *path + *len;
	return dot != NULL;
}

struct hnode *hnode_get_path(const struct hnode *root, const char *path)
{
	const struct hnode *n = root;
	const char *seg;
	size_t len;
	int more;

	do {
		struct hpair *p;

		more = next_segment(&path, &seg, &len);
		p = map_pair(n, seg, len);
		if (!p)
			return NULL;
		n = p->value;
	} while (more);
	return (struct hnode *)n;
}

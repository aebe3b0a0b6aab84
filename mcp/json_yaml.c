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

/*
 * Set root[a][b]...[z] = value for path "a.b...z", creating mappings on
 * the way.  Takes ownership of value.  Returns 0, or -1 with a reason in
 * why (an empty segment, or a step that is not a mapping).
 */
int hnode_set_path(struct hnode *root, const char *path, struct hnode *value,
		   char *why, size_t whylen)
{
	struct hnode *n = root;
	const char *seg;
	size_t len;
	int more;

	for (;;) {
		struct hpair *p;

		more = next_segment(&path, &seg, &len);
		if (!len) {
			snprintf(why, whylen,
				 "the key has an empty segment; write it as a.b.c");
			goto out_free_value;
		}
		if (n->type != HNODE_MAP) {
			snprintf(why, whylen,
				 "'%.*s' cannot be set: its parent is a %s, not a mapping",
				 (int)len, seg, hnode_type_name(n->type));
			goto out_free_value;
		}
		p = map_pair(n, seg, len);
		if (!more) {
			if (p) {
				hnode_free(p->value);
				p->value = value;
				return 0;
			}
			if (hnode_map_set(n, seg, len, value)) {
				snprintf(why, whylen, "out of memory");
				return -1;
			}
			return 0;
		}
		if (!p) {
			struct hnode *m = hnode_new(HNODE_MAP);

			if (!m || hnode_map_set(n, seg, len, m)) {
				snprintf(why, whylen, "out of memory");
				goto out_free_value;
			}
			p = map_pair(n, seg, len);
		}
		n = p->value;
	}

out_free_value:
	hnode_free(value);
	return -1;
}

/*
 * Remove path from root and return its value (caller frees), or NULL when
 * absent or out of memory.  The parent mapping is rebuilt without the key
 * (the model offers no in-place removal) and the rebuilt contents are
 * swapped into the parent node, so pointers to it stay valid.
 */
struct hnode *hnode_take_path(struct hnode *root, const char *path)
{
	const char *last = strrchr(path, '.');
	struct hnode *parent = root, *taken, *rebuilt, tmp;
	const char *key = path;
	size_t i;

	if (last) {
		char *head = strndup(path, (size_t)(last - path));

		if (!head)
			return NULL;
		parent = hnode_get_path(root, head);
		free(head);
		key = last + 1;
	}
	if (!parent || parent->type != HNODE_MAP || !hnode_map_get(parent, key))
		return NULL;
	taken = hnode_clone(hnode_map_get(parent, key));
	rebuilt = hnode_new(HNODE_MAP);
	if (!taken || !rebuilt)
		goto out_free;
	for (i = 0; i < parent->u.map.len; i++) {
		struct hpair *p = &parent->u.map.items[i];
		struct hnode *v;

		if (!strcmp(p->key, key))
			continue;
		v = hnode_clone(p->value);
		if (!v || hnode_map_set(rebuilt, p->key, p->key_len, v))
			goto out_free;
	}
	tmp = *parent;
	parent->u = rebuilt->u;
	rebuilt->u = tmp.u;
	hnode_free(rebuilt);
	return taken;

out_free:
	hnode_free(taken);
	hnode_free(rebuilt);
	return NULL;
}

/*
 * yaml_node.c - building, copying, comparing and freeing YAML trees.
 *
 * The recursive walks here (clone, equal, free) go as deep as the tree.
 * Trees from hyaml_parse() are at most max_depth deep, and trees built in
 * memory are derived from parsed ones, so the stack stays small.
 */
#include "helios/yaml.h"
#include "yaml_i.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hyaml_limits_default(struct hyaml_limits *lim)
{
	lim->max_bytes = HYAML_MAX_BYTES_DEFAULT;
	lim->max_depth = HYAML_MAX_DEPTH_DEFAULT;
	lim->max_nodes = HYAML_MAX_NODES_DEFAULT;
}

void hyaml_warnings_release(struct hyaml_warnings *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->len; i++)
		free(w->items[i].msg);
	free(w->items);
	w->items = NULL;
	w->len = 0;
	w->cap = 0;
}

struct hnode *hnode_new(enum hnode_type type)
{
	struct hnode *n = calloc(1, sizeof(*n));

	if (n)
		n->type = type;
	return n;
}

struct hnode *hnode_new_str(const char *s, size_t len)
{
	struct hnode *n = hnode_new(HNODE_STR);

	if (!n)
		return NULL;
	n->u.s.ptr = malloc(len + 1);
	if (!n->u.s.ptr) {
		free(n);
		return NULL;
	}
	if (len)
		memcpy(n->u.s.ptr, s, len);
	n->u.s.ptr[len] = '\0';
	n->u.s.len = len;
	return n;
}

struct hnode *hnode_new_int(int64_t v)
{
	struct hnode *n = hnode_new(HNODE_INT);

	if (n)
		n->u.i = v;
	return n;
}

struct hnode *hnode_new_float(double v)
{
	struct hnode *n = hnode_new(HNODE_FLOAT);

	if (n)
		n->u.f = v;
	return n;
}

struct hnode *hnode_new_bool(int v)
{
	struct hnode *n = hnode_new(HNODE_BOOL);

	if (n)
		n->u.b = !!v;
	return n;
}

int hnode_seq_push(struct hnode *seq, struct hnode *child)
{
	struct hnode **items;
	size_t cap;

	if (seq->u.seq.len == seq->u.seq.cap) {
		cap = seq->u.seq.cap ? seq->u.seq.cap * 2 : 4;
		items = realloc(seq->u.seq.items, cap * sizeof(*items));
		if (!items) {
			hnode_free(child);
			return HELIOS_ENOMEM;
		}
		seq->u.seq.items = items;
		seq->u.seq.cap = cap;
	}
	seq->u.seq.items[seq->u.seq.len++] = child;
	return 0;
}

int yaml__map_push_owned(struct hnode *map, char *key, size_t key_len,
			 struct hnode *value)
{
	struct hpair *items, *p;
	size_t cap;

	if (map->u.map.len == map->u.map.cap) {
		cap = map->u.map.cap ? map->u.map.cap * 2 : 4;
		items = realloc(map->u.map.items, cap * sizeof(*items));
		if (!items) {
			free(key);
			hnode_free(value);
			return HELIOS_ENOMEM;
		}
		map->u.map.items = items;
		map->u.map.cap = cap;
	}
	p = &map->u.map.items[map->u.map.len++];
	p->key = key;
	p->key_len = key_len;
	p->line = 0;
	p->col = 0;
	p->value = value;
	return 0;
}

/*
 * Appends without looking for an existing key: callers building a tree
 * know their keys are distinct, and the parser checks for duplicates
 * itself with a hash table.
 */
int hnode_map_set(struct hnode *map, const char *key, size_t key_len,
		  struct hnode *value)
{
	char *k = malloc(key_len + 1);

	if (!k) {
		hnode_free(value);
		return HELIOS_ENOMEM;
	}
	memcpy(k, key, key_len);
	k[key_len] = '\0';
	return yaml__map_push_owned(map, k, key_len, value);
}

struct hnode *hnode_map_get(const struct hnode *map, const char *key)
{
	size_t i, len;

	if (!map || map->type != HNODE_MAP)
		return NULL;
	len = strlen(key);
	for (i = 0; i < map->u.map.len; i++) {
		const struct hpair *p = &map->u.map.items[i];

		if (p->key_len == len && !memcmp(p->key, key, len))
			return p->value;
	}
	return NULL;
}

static int clone_children(struct hnode *dst, const struct hnode *src)
{
	size_t i;
	int rc;

	if (src->type == HNODE_SEQ) {
		for (i = 0; i < src->u.seq.len; i++) {
			struct hnode *c = hnode_clone(src->u.seq.items[i]);

			if (!c)
				return HELIOS_ENOMEM;
			rc = hnode_seq_push(dst, c);
			if (rc)
				return rc;
		}
		return 0;
	}
	for (i = 0; i < src->u.map.len; i++) {
		const struct hpair *p = &src->u.map.items[i];
		struct hnode *c = hnode_clone(p->value);

		if (!c)
			return HELIOS_ENOMEM;
		rc = hnode_map_set(dst, p->key, p->key_len, c);
		if (rc)
			return rc;
		dst->u.map.items[dst->u.map.len - 1].line = p->line;
		dst->u.map.items[dst->u.map.len - 1].col = p->col;
	}
	return 0;
}

struct hnode *hnode_clone(const struct hnode *n)
{
	struct hnode *c;

	if (!n)
		return NULL;
	if (n->type == HNODE_STR)
		c = hnode_new_str(n->u.s.ptr, n->u.s.len);
	else
		c = hnode_new(n->type);
	if (!c)
		return NULL;
	c->flags = n->flags;
	c->line = n->line;
	c->col = n->col;

	switch (n->type) {
	case HNODE_BOOL:
		c->u.b = n->u.b;
		break;
	case HNODE_INT:
		c->u.i = n->u.i;
		break;
	case HNODE_FLOAT:
		c->u.f = n->u.f;
		break;
	case HNODE_SEQ:
	case HNODE_MAP:
		if (clone_children(c, n)) {
			hnode_free(c);
			return NULL;
		}
		break;
	default:
		break;
	}
	return c;
}

/* Floats are equal when they have the same bits, or are both NaN. */
static int float_equal(double a, double b)
{
	if (isnan(a) && isnan(b))
		return 1;
	return memcmp(&a, &b, sizeof(a)) == 0;
}

int hnode_equal(const struct hnode *a, const struct hnode *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return 0;

	switch (a->type) {
	case HNODE_NULL:
		return 1;
	case HNODE_BOOL:
		return !a->u.b == !b->u.b;
	case HNODE_INT:
		return a->u.i == b->u.i;
	case HNODE_FLOAT:
		return float_equal(a->u.f, b->u.f);
	case HNODE_STR:
		return a->u.s.len == b->u.s.len &&
		       !memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len);
	case HNODE_SEQ:
		if (a->u.seq.len != b->u.seq.len)
			return 0;
		for (i = 0; i < a->u.seq.len; i++)
			if (!hnode_equal(a->u.seq.items[i], b->u.seq.items[i]))
				return 0;
		return 1;
	case HNODE_MAP:
		if (a->u.map.len != b->u.map.len)
			return 0;
		for (i = 0; i < a->u.map.len; i++) {
			const struct hpair *pa = &a->u.map.items[i];
			const struct hpair *pb = &b->u.map.items[i];

			if (pa->key_len != pb->key_len ||
			    memcmp(pa->key, pb->key, pa->key_len) ||
			    !hnode_equal(pa->value, pb->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

const char *hnode_type_name(enum hnode_type type)
{
	switch (type) {
	case HNODE_NULL:	return "null";
	case HNODE_BOOL:	return "boolean";
	case HNODE_INT:		return "integer";
	case HNODE_FLOAT:	return "float";
	case HNODE_STR:		return "string";
	case HNODE_SEQ:		return "sequence";
	case HNODE_MAP:		return "mapping";
	}
	return "unknown";
}

void hnode_free(struct hnode *n)
{
	size_t i;

	if (!n)
		return;
	switch (n->type) {
	case HNODE_STR:
		free(n->u.s.ptr);
		break;
	case HNODE_SEQ:
		for (i = 0; i < n->u.seq.len; i++)
			hnode_free(n->u.seq.items[i]);
		free(n->u.seq.items);
		break;
	case HNODE_MAP:
		for (i = 0; i < n->u.map.len; i++) {
			free(n->u.map.items[i].key);
			hnode_free(n->u.map.items[i].value);
		}
		free(n->u.map.items);
		break;
	default:
		break;
	}
	free(n);
}

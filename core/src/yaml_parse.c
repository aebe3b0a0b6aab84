/*
 * yaml_parse.c - libyaml events into a struct hnode tree.
 *
 * The parser is a loop over libyaml's event stream with an explicit stack
 * of open collections, so no input can make it recurse.  Every limit is
 * checked as the event that would break it arrives: a 100000-deep "[[[["
 * stops at the first bracket past max_depth, and an alias bomb stops at
 * the first alias whose copy would pass max_nodes, before copying it.
 *
 * Each collection is attached to its parent when it starts, so on any
 * error freeing the root frees everything built so far.
 */
#include "helios/yaml.h"
#include "yaml_i.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "helios/buf.h"

/* Mappings with at least this many keys find duplicates by hashing. */
#define KEYTAB_MIN 8

#define TAG_PREFIX "tag:yaml.org,2002:"

/* Paths in messages longer than this keep only their end. */
#define PATH_SHOWN_MAX 120

/* A small open-addressing table from strings to indexes. */
struct strtab_slot {
	const char *key;	/* borrowed; NULL marks an empty slot */
	size_t len;
	size_t val;
};

struct strtab {
	struct strtab_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t len;
};

/* One open collection. */
struct frame {
	struct hnode *node;
	char *key;		/* map: key waiting for its value */
	size_t key_len;
	unsigned key_line;
	unsigned key_col;
	size_t key_start;	/* byte offsets of the key's text */
	size_t key_end;
	struct strtab keys;	/* map: built once it has KEYTAB_MIN keys */
	const char *label;	/* key in the parent this node sits under */
	size_t label_len;
	size_t label_index;	/* or its index in a parent sequence */
	int label_is_key;
	size_t start_nodes;	/* node count before this collection */
	unsigned height;	/* tallest child collection so far */
	size_t anchor;		/* index into anchors, or SIZE_MAX */
};

struct anchor {
	char *name;
	struct hnode *node;	/* borrowed from the tree, or owned below */
	struct hnode *owned;	/* a key scalar, which is not in the tree */
	size_t count;		/* nodes in the anchored subtree */
	unsigned height;	/* collections nested in it, itself included */
	int done;		/* its end event has been seen */
};

struct yparse {
	struct hyaml_limits lim;
	struct hyaml_warnings *warnings;
	struct helios_error *err;
	struct frame *frames;
	size_t depth;
	size_t frames_cap;
	struct anchor *anchors;
	size_t nanchors;
	size_t anchors_cap;
	struct strtab anchor_tab;
	struct hnode *root;
	size_t nodes;
	int documents;
	int ended;
	const char *buf;	/* input after any BOM, for byte offsets */
	size_t len;
	size_t skipped;		/* BOM bytes before buf */
	int ascii;		/* buf is all ASCII: marks are offsets */
	size_t pos_chars;	/* cursor of byte_offset(): a character */
	size_t pos_bytes;	/* index and its byte offset */
};

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct strtab_slot *strtab_slot(const struct strtab *t, const char *s,
				       size_t len)
{
	size_t i = (size_t)str_hash(s, len) & (t->cap - 1);

	while (t->slots[i].key) {
		if (t->slots[i].len == len && !memcmp(t->slots[i].key, s, len))
			return &t->slots[i];
		i = (i + 1) & (t->cap - 1);
	}
	return &t->slots[i];
}

static const struct strtab_slot *strtab_find(const struct strtab *t,
					     const char *s, size_t len)
{
	const struct strtab_slot *slot;

	if (!t->cap)
		return NULL;
	slot = strtab_slot(t, s, len);
	return slot->key ? slot : NULL;
}

static int strtab_grow(struct strtab *t)
{
	struct strtab old = *t;
	size_t i;

	t->cap = old.cap ? old.cap * 2 : 16;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->slots) {
		*t = old;
		return HELIOS_ENOMEM;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*strtab_slot(t, old.slots[i].key, old.slots[i].len) =
				old.slots[i];
	free(old.slots);
	return 0;
}

/* Insert or replace; key must outlive the table. */
static int strtab_put(struct strtab *t, const char *key, size_t len,
		      size_t val)
{
	struct strtab_slot *slot;

	if ((t->len + 1) * 2 > t->cap && strtab_grow(t))
		return HELIOS_ENOMEM;
	slot = strtab_slot(t, key, len);
	if (!slot->key)
		t->len++;
	slot->key = key;
	slot->len = len;
	slot->val = val;
	return 0;
}

static void strtab_release(struct strtab *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static unsigned mark_line(const yaml_mark_t *m)
{
	return (unsigned)m->line + 1;
}

static unsigned mark_col(const yaml_mark_t *m)
{
	return (unsigned)m->column + 1;
}

/*
 * libyaml counts mark indexes in characters; turn one into a byte offset
 * in the whole input (BOM included).  Marks mostly move forward, so a
 * cursor makes this linear overall.
 */
static size_t byte_offset(struct yparse *p, const yaml_mark_t *m)
{
	size_t want = m->index;

	if (p->ascii)
		return (want < p->len ? want : p->len) + p->skipped;
	if (want < p->pos_chars)
		p->pos_chars = p->pos_bytes = 0;
	while (p->pos_chars < want && p->pos_bytes < p->len) {
		p->pos_bytes++;
		while (p->pos_bytes < p->len &&
		       ((unsigned char)p->buf[p->pos_bytes] & 0xC0) == 0x80)
			p->pos_bytes++;
		p->pos_chars++;
	}
	return p->pos_bytes + p->skipped;
}

static struct frame *top(struct yparse *p)
{
	return p->depth ? &p->frames[p->depth - 1] : NULL;
}

static int expecting_key(struct yparse *p)
{
	struct frame *f = top(p);

	return f && f->node->type == HNODE_MAP && !f->key;
}

/* Keep long paths readable: "...c.d.e" with the innermost keys. */
static void shorten_path(struct hbuf *b)
{
	size_t cut;

	if (b->len <= PATH_SHOWN_MAX)
		return;
	cut = b->len - (PATH_SHOWN_MAX - 3);
	while (cut < b->len && ((unsigned char)b->ptr[cut] & 0xC0) == 0x80)
		cut++;
	memmove(b->ptr + 3, b->ptr + cut, b->len - cut + 1);
	memcpy(b->ptr, "...", 3);
	b->len = b->len - cut + 3;
}

/*
 * Where the next value goes, as "behaviors.tone" or "list[2].name", for
 * messages.  Empty at the root.
 */
static void value_path(struct yparse *p, struct hbuf *b)
{
	char s[YAML__MSG_STR_SIZE];
	size_t i;

	for (i = 1; i <= p->depth; i++) {
		const struct frame *f = &p->frames[i - 1];
		const struct frame *child = i < p->depth ? &p->frames[i] : NULL;

		if (child && child->label_is_key) {
			yaml__msg_str(child->label, child->label_len, s,
				      sizeof(s));
			hbuf_addf(b, "%s%s", b->len ? "." : "", s);
		} else if (child) {
			hbuf_addf(b, "[%zu]", child->label_index);
		} else if (f->node->type == HNODE_MAP && f->key) {
			yaml__msg_str(f->key, f->key_len, s, sizeof(s));
			hbuf_addf(b, "%s%s", b->len ? "." : "", s);
		} else if (f->node->type == HNODE_SEQ) {
			hbuf_addf(b, "[%zu]", f->node->u.seq.len);
		}
	}
	shorten_path(b);
}

/*
 * Record an error at a position, prefixed with "key 'PATH': " when the
 * failing value sits under a key.
 */
static int fail_at(struct yparse *p, int code, const yaml_mark_t *m,
		   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct yparse *p, int code, const yaml_mark_t *m,
		   const char *fmt, ...)
{
	char msg[512];
	struct hbuf path;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	hbuf_init(&path, 4096);
	value_path(p, &path);
	if (path.len)
		helios_error_at(p->err, code, mark_line(m), mark_col(m),
				"key '%s': %s", hbuf_str(&path), msg);
	else
		helios_error_at(p->err, code, mark_line(m), mark_col(m),
				"%s", msg);
	hbuf_release(&path);
	return code;
}

static int add_warning(struct yparse *p, unsigned line, unsigned col,
		       char *msg)
{
	struct hyaml_warnings *w = p->warnings;
	struct hyaml_warning *items;
	size_t cap;

	if (w->len == w->cap) {
		cap = w->cap ? w->cap * 2 : 4;
		items = realloc(w->items, cap * sizeof(*items));
		if (!items) {
			free(msg);
			return helios_error_set(p->err, HELIOS_ENOMEM,
						"out of memory");
		}
		w->items = items;
		w->cap = cap;
	}
	w->items[w->len].line = line;
	w->items[w->len].col = col;
	w->items[w->len].msg = msg;
	w->len++;
	return 0;
}

static const char *type_phrase(enum hnode_type t)
{
	switch (t) {
	case HNODE_NULL:	return "null";
	case HNODE_BOOL:	return "a boolean";
	case HNODE_INT:		return "an integer";
	case HNODE_FLOAT:	return "a float";
	case HNODE_SEQ:		return "a sequence";
	case HNODE_MAP:		return "a mapping";
	default:		return "a string";
	}
}

/*
 * Warn about a plain scalar YAML 1.1 reads differently.  is_key says the
 * scalar is itself a mapping key rather than a value.
 */
static int warn_yaml11(struct yparse *p, const yaml_event_t *ev,
		       enum hnode_type t12, const char *reading, int is_key)
{
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *advice = t12 == HNODE_STR ? "quote it" :
		"quote it, or write it so both versions agree";
	char s[YAML__MSG_STR_SIZE];
	struct hbuf path, b;
	int rc;

	if (!p->warnings)
		return 0;
	yaml__msg_str(text, len, s, sizeof(s));
	hbuf_init(&path, 4096);
	hbuf_init(&b, 8192);
	if (is_key)
		rc = hbuf_addf(&b, "key '%s' is %s in YAML 1.2 but %s in "
			       "YAML 1.1; %s", s, type_phrase(t12), reading,
			       advice);
	else {
		value_path(p, &path);
		rc = hbuf_addf(&b, "%s%s%splain scalar '%s' is %s in YAML "
			       "1.2 but %s in YAML 1.1; %s",
			       path.len ? "key '" : "", hbuf_str(&path),
			       path.len ? "': " : "", s, type_phrase(t12),
			       reading, advice);
	}
	hbuf_release(&path);
	if (rc) {
		hbuf_release(&b);
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	}
	return add_warning(p, mark_line(&ev->start_mark),
			   mark_col(&ev->start_mark), hbuf_detach(&b, NULL));
}

static int count_node(struct yparse *p, const yaml_mark_t *m)
{
	if (p->nodes >= p->lim.max_nodes)
		return fail_at(p, HELIOS_ELIMIT, m,
			       "document has more than %zu nodes",
			       p->lim.max_nodes);
	p->nodes++;
	return 0;
}

/* A collection or scalar of the given height has been added under top. */
static void grow_height(struct yparse *p, unsigned height)
{
	struct frame *f = top(p);

	if (f && height > f->height)
		f->height = height;
}

/* Put a finished or newly started node into its parent. */
static int attach(struct yparse *p, struct hnode *n)
{
	struct frame *f = top(p);
	int rc;

	if (!f) {
		if (p->root) {
			hnode_free(n);
			return helios_error_set(p->err, HELIOS_EINTERNAL,
						"second root node");
		}
		p->root = n;
		return 0;
	}
	if (f->node->type == HNODE_SEQ) {
		rc = hnode_seq_push(f->node, n);
	} else {
		struct hnode *map = f->node;

		rc = yaml__map_push_owned(map, f->key, f->key_len, n);
		if (!rc) {
			struct hpair *pair;

			pair = &map->u.map.items[map->u.map.len - 1];
			pair->line = f->key_line;
			pair->col = f->key_col;
			pair->key_start = f->key_start;
			pair->key_end = f->key_end;
			if (f->keys.cap)
				rc = strtab_put(&f->keys, pair->key,
						pair->key_len,
						map->u.map.len - 1);
		}
		f->key = NULL;
	}
	if (rc)
		return helios_error_set(p->err, rc, "out of memory");
	return 0;
}

static int add_anchor(struct yparse *p, const char *name, struct hnode *node,
		      struct hnode *owned, size_t *index)
{
	struct anchor *a;
	size_t cap;

	if (p->nanchors == p->anchors_cap) {
		cap = p->anchors_cap ? p->anchors_cap * 2 : 8;
		a = realloc(p->anchors, cap * sizeof(*a));
		if (!a)
			goto out_nomem;
		p->anchors = a;
		p->anchors_cap = cap;
	}
	a = &p->anchors[p->nanchors];
	memset(a, 0, sizeof(*a));
	a->name = strdup(name);
	if (!a->name)
		goto out_nomem;
	if (strtab_put(&p->anchor_tab, a->name, strlen(a->name), p->nanchors)) {
		free(a->name);
		goto out_nomem;
	}
	a->node = node;
	a->owned = owned;
	*index = p->nanchors++;
	return 0;

out_nomem:
	hnode_free(owned);
	return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
}

/* Check an explicit tag against the type the node resolved to. */
static int check_tag(struct yparse *p, const yaml_event_t *ev,
		     const char *tag, enum hnode_type type)
{
	static const struct {
		const char *name;
		enum hnode_type type;
	} known[] = {
		{ "null", HNODE_NULL }, { "bool", HNODE_BOOL },
		{ "int", HNODE_INT }, { "float", HNODE_FLOAT },
		{ "str", HNODE_STR }, { "seq", HNODE_SEQ },
		{ "map", HNODE_MAP },
	};
	size_t i, plen = strlen(TAG_PREFIX);
	char s[YAML__MSG_STR_SIZE];

	if (!tag || !strcmp(tag, "!"))
		return 0;
	if (!strncmp(tag, TAG_PREFIX, plen)) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (strcmp(tag + plen, known[i].name))
				continue;
			if (known[i].type == type)
				return 0;
			return fail_at(p, HELIOS_EINVAL, &ev->start_mark,
				       "value tagged !!%s is %s",
				       known[i].name, type_phrase(type));
		}
	}
	yaml__msg_str(tag, strlen(tag), s, sizeof(s));
	return fail_at(p, HELIOS_EINVAL, &ev->start_mark,
		       "unsupported tag '%s'", s);
}

/* Decide what a scalar event holds; fills res, may warn. */
static int scalar_type(struct yparse *p, const yaml_event_t *ev,
		       struct yaml__scalar *res, unsigned *flags, int is_key)
{
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	char s[YAML__MSG_STR_SIZE];
	const char *reading;
	int rc;

	*flags = 0;
	memset(res, 0, sizeof(*res));
	res->type = HNODE_STR;

	if (tag && (!strcmp(tag, TAG_PREFIX "str") || !strcmp(tag, "!")))
		tag = NULL;
	else if (tag || ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		yaml__resolve_plain(text, len, res);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		*flags |= HNODE_F_QUOTED;

	rc = check_tag(p, ev, tag, res->type);
	if (rc)
		return rc;
	if (res->out_of_range) {
		yaml__msg_str(text, len, s, sizeof(s));
		return fail_at(p, HELIOS_EINVAL, &ev->start_mark,
			       "%s '%s' is out of range for a 64-bit %s",
			       res->type == HNODE_INT ? "integer" : "float",
			       s, res->type == HNODE_INT ? "integer" :
			       "double");
	}
	if (tag || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;

	reading = yaml__yaml11_reading(text, len);
	if (!reading)
		return 0;
	*flags |= HNODE_F_YAML11;
	return warn_yaml11(p, ev, res->type, reading, is_key);
}

static int key_not_string(struct yparse *p, const yaml_mark_t *m,
			  const char *what, const char *text, size_t len)
{
	char s[YAML__MSG_STR_SIZE];

	if (!text)
		return fail_at(p, HELIOS_EINVAL, m,
			       "mapping key must be a string, got %s", what);
	yaml__msg_str(text, len, s, sizeof(s));
	return fail_at(p, HELIOS_EINVAL, m,
		       "mapping key must be a string, got %s '%s' "
		       "(quote it to make it a string)", what, s);
}

/* Make text the key waiting for a value in the top mapping. */
static int set_key(struct yparse *p, const yaml_mark_t *m, const char *text,
		   size_t len)
{
	struct frame *f = top(p);
	struct hnode *map = f->node;
	char s[YAML__MSG_STR_SIZE];
	const struct hpair *dup = NULL;
	size_t i;

	if (!f->keys.cap && map->u.map.len >= KEYTAB_MIN) {
		for (i = 0; i < map->u.map.len; i++)
			if (strtab_put(&f->keys, map->u.map.items[i].key,
				       map->u.map.items[i].key_len, i))
				return helios_error_set(p->err, HELIOS_ENOMEM,
							"out of memory");
	}
	if (f->keys.cap) {
		const struct strtab_slot *slot;

		slot = strtab_find(&f->keys, text, len);
		if (slot)
			dup = &map->u.map.items[slot->val];
	} else {
		for (i = 0; i < map->u.map.len && !dup; i++)
			if (map->u.map.items[i].key_len == len &&
			    !memcmp(map->u.map.items[i].key, text, len))
				dup = &map->u.map.items[i];
	}
	if (dup) {
		yaml__msg_str(text, len, s, sizeof(s));
		return helios_error_at(p->err, HELIOS_EINVAL, mark_line(m),
				       mark_col(m),
				       "duplicate key '%s' (first at line %u)",
				       s, dup->line);
	}

	f->key = malloc(len + 1);
	if (!f->key)
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	memcpy(f->key, text, len);
	f->key[len] = '\0';
	f->key_len = len;
	f->key_line = mark_line(m);
	f->key_col = mark_col(m);
	return 0;
}

static int on_key_scalar(struct yparse *p, const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	struct yaml__scalar res;
	struct hnode *owned;
	unsigned flags;
	size_t index;
	int rc;

	rc = scalar_type(p, ev, &res, &flags, 1);
	if (rc)
		return rc;
	if (res.type != HNODE_STR)
		return key_not_string(p, &ev->start_mark,
				      hnode_type_name(res.type), text, len);
	rc = set_key(p, &ev->start_mark, text, len);
	if (!rc) {
		top(p)->key_start = byte_offset(p, &ev->start_mark);
		top(p)->key_end = byte_offset(p, &ev->end_mark);
	}
	if (rc || !anchor)
		return rc;

	owned = hnode_new_str(text, len);
	if (!owned)
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	owned->flags = flags;
	owned->line = mark_line(&ev->start_mark);
	owned->col = mark_col(&ev->start_mark);
	rc = add_anchor(p, anchor, owned, owned, &index);
	if (rc)
		return rc;
	p->anchors[index].count = 1;
	p->anchors[index].done = 1;
	return 0;
}

static struct hnode *scalar_node(const struct yaml__scalar *res,
				 const yaml_event_t *ev)
{
	struct hnode *n;

	if (res->type == HNODE_STR)
		return hnode_new_str((const char *)ev->data.scalar.value,
				     ev->data.scalar.length);
	n = hnode_new(res->type);
	if (n) {
		n->u.b = res->b;
		if (res->type == HNODE_INT)
			n->u.i = res->i;
		else if (res->type == HNODE_FLOAT)
			n->u.f = res->f;
	}
	return n;
}

static int on_scalar(struct yparse *p, const yaml_event_t *ev)
{
	const char *anchor = (const char *)ev->data.scalar.anchor;
	struct yaml__scalar res;
	struct hnode *n;
	unsigned flags;
	size_t index;
	int rc;

	if (expecting_key(p))
		return on_key_scalar(p, ev);

	rc = scalar_type(p, ev, &res, &flags, 0);
	if (!rc)
		rc = count_node(p, &ev->start_mark);
	if (rc)
		return rc;
	n = scalar_node(&res, ev);
	if (!n)
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	n->flags = flags;
	n->line = mark_line(&ev->start_mark);
	n->col = mark_col(&ev->start_mark);
	n->start = byte_offset(p, &ev->start_mark);
	n->end = byte_offset(p, &ev->end_mark);

	rc = attach(p, n);
	if (rc || !anchor)
		return rc;
	rc = add_anchor(p, anchor, n, NULL, &index);
	if (rc)
		return rc;
	p->anchors[index].count = 1;
	p->anchors[index].done = 1;
	return 0;
}

static int push_frame(struct yparse *p, struct hnode *n)
{
	struct frame *parent, *f;
	size_t cap;

	if (p->depth == p->frames_cap) {
		cap = p->frames_cap ? p->frames_cap * 2 : 16;
		f = realloc(p->frames, cap * sizeof(*f));
		if (!f)
			return helios_error_set(p->err, HELIOS_ENOMEM,
						"out of memory");
		p->frames = f;
		p->frames_cap = cap;
	}
	parent = top(p);
	f = &p->frames[p->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->anchor = SIZE_MAX;
	f->start_nodes = p->nodes - 1;
	if (parent && parent->node->type == HNODE_MAP) {
		const struct hpair *pair =
			&parent->node->u.map.items[parent->node->u.map.len - 1];

		f->label = pair->key;
		f->label_len = pair->key_len;
		f->label_is_key = 1;
	} else if (parent) {
		f->label_index = parent->node->u.seq.len - 1;
	}
	return 0;
}

static int on_start(struct yparse *p, const yaml_event_t *ev,
		    enum hnode_type type)
{
	const char *tag, *anchor;
	struct hnode *n;
	size_t index;
	int rc;

	if (type == HNODE_SEQ) {
		tag = (const char *)ev->data.sequence_start.tag;
		anchor = (const char *)ev->data.sequence_start.anchor;
	} else {
		tag = (const char *)ev->data.mapping_start.tag;
		anchor = (const char *)ev->data.mapping_start.anchor;
	}

	if (expecting_key(p))
		return key_not_string(p, &ev->start_mark,
				      hnode_type_name(type), NULL, 0);
	if (p->depth >= p->lim.max_depth)
		return helios_error_at(p->err, HELIOS_ELIMIT,
				       mark_line(&ev->start_mark),
				       mark_col(&ev->start_mark),
				       "nesting is deeper than %u levels",
				       p->lim.max_depth);
	rc = check_tag(p, ev, tag, type);
	if (!rc)
		rc = count_node(p, &ev->start_mark);
	if (rc)
		return rc;

	n = hnode_new(type);
	if (!n)
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	n->line = mark_line(&ev->start_mark);
	n->col = mark_col(&ev->start_mark);
	n->start = n->end = byte_offset(p, &ev->start_mark);
	if ((type == HNODE_SEQ &&
	     ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE) ||
	    (type == HNODE_MAP &&
	     ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE))
		n->flags |= HNODE_F_FLOW;
	rc = attach(p, n);
	if (!rc)
		rc = push_frame(p, n);
	if (rc || !anchor)
		return rc;
	rc = add_anchor(p, anchor, n, NULL, &index);
	if (!rc)
		top(p)->anchor = index;
	return rc;
}

/* Where a collection's text ends: its closing bracket, or last child. */
static void set_end(struct yparse *p, struct hnode *n, const yaml_event_t *ev)
{
	const struct hnode *last = NULL;

	if (n->flags & HNODE_F_FLOW) {
		n->end = byte_offset(p, &ev->end_mark);
		return;
	}
	if (n->type == HNODE_SEQ && n->u.seq.len)
		last = n->u.seq.items[n->u.seq.len - 1];
	else if (n->type == HNODE_MAP && n->u.map.len)
		last = n->u.map.items[n->u.map.len - 1].value;
	if (last && last->end > n->end)
		n->end = last->end;
}

static void on_end(struct yparse *p, const yaml_event_t *ev)
{
	struct frame *f = top(p);
	unsigned height = f->height + 1;

	set_end(p, f->node, ev);

	if (f->anchor != SIZE_MAX) {
		struct anchor *a = &p->anchors[f->anchor];

		a->done = 1;
		a->count = p->nodes - f->start_nodes;
		a->height = height;
	}
	strtab_release(&f->keys);
	p->depth--;
	grow_height(p, height);
}

static int on_alias(struct yparse *p, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct strtab_slot *slot;
	char s[YAML__MSG_STR_SIZE];
	const struct anchor *a;
	struct hnode *copy;
	int rc;

	yaml__msg_str(name, strlen(name), s, sizeof(s));
	slot = strtab_find(&p->anchor_tab, name, strlen(name));
	if (!slot)
		return fail_at(p, HELIOS_EINVAL, &ev->start_mark,
			       "unknown alias '*%s'", s);
	a = &p->anchors[slot->val];
	if (!a->done)
		return fail_at(p, HELIOS_EINVAL, &ev->start_mark,
			       "alias '*%s' refers to a node that contains "
			       "it; recursive aliases are not supported", s);

	if (expecting_key(p)) {
		if (a->node->type != HNODE_STR) {
			char what[YAML__MSG_STR_SIZE + 32];

			snprintf(what, sizeof(what), "alias '*%s' of a %s", s,
				 hnode_type_name(a->node->type));
			return key_not_string(p, &ev->start_mark, what,
					      NULL, 0);
		}
		rc = set_key(p, &ev->start_mark, a->node->u.s.ptr,
			     a->node->u.s.len);
		if (!rc) {
			top(p)->key_start = byte_offset(p, &ev->start_mark);
			top(p)->key_end = byte_offset(p, &ev->end_mark);
		}
		return rc;
	}

	if (a->count > p->lim.max_nodes - p->nodes)
		return fail_at(p, HELIOS_ELIMIT, &ev->start_mark,
			       "alias expansion exceeds %zu nodes",
			       p->lim.max_nodes);
	if (a->height > p->lim.max_depth - p->depth)
		return fail_at(p, HELIOS_ELIMIT, &ev->start_mark,
			       "alias '*%s' nests deeper than %u levels", s,
			       p->lim.max_depth);
	copy = hnode_clone(a->node);
	if (!copy)
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	copy->line = mark_line(&ev->start_mark);
	copy->col = mark_col(&ev->start_mark);
	copy->flags |= HNODE_F_ALIAS;
	copy->start = byte_offset(p, &ev->start_mark);
	copy->end = byte_offset(p, &ev->end_mark);
	p->nodes += a->count;
	rc = attach(p, copy);
	if (!rc)
		grow_height(p, a->height);
	return rc;
}

/* Position of byte offset off in buf: lines and UTF-8 characters. */
static void offset_position(const char *buf, size_t len, size_t off,
			    unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n' ||
		    (c == '\r' && (i + 1 >= len || buf[i + 1] != '\n'))) {
			(*line)++;
			*col = 1;
		} else if ((c & 0xC0) != 0x80 && c != '\r') {
			(*col)++;
		}
	}
}

static int syntax_error(struct yparse *p, const yaml_parser_t *yp,
			const char *buf, size_t len, size_t skipped)
{
	unsigned line, col;

	if (yp->error == YAML_MEMORY_ERROR)
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	if (yp->error == YAML_READER_ERROR) {
		size_t off = yp->problem_offset;

		if (off > len)
			off = len;

		offset_position(buf, len, off, &line, &col);
		if (yp->problem_value != -1)
			return helios_error_at(p->err, HELIOS_EINVAL, line, col,
					       "invalid input: %s (0x%02x at "
					       "byte offset %zu)", yp->problem,
					       (unsigned)yp->problem_value,
					       off + skipped);
		return helios_error_at(p->err, HELIOS_EINVAL, line, col,
				       "invalid input: %s (at byte offset "
				       "%zu)", yp->problem, off + skipped);
	}

	line = mark_line(&yp->problem_mark);
	col = mark_col(&yp->problem_mark);
	if (yp->context)
		return helios_error_at(p->err, HELIOS_EINVAL, line, col,
				       "yaml syntax error: %s (%s at line "
				       "%u, column %u)",
				       yp->problem ? yp->problem : "unknown",
				       yp->context,
				       mark_line(&yp->context_mark),
				       mark_col(&yp->context_mark));
	return helios_error_at(p->err, HELIOS_EINVAL, line, col,
			       "yaml syntax error: %s",
			       yp->problem ? yp->problem : "unknown");
}

static int on_event(struct yparse *p, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (p->documents++)
			return helios_error_at(p->err, HELIOS_EINVAL,
					       mark_line(&ev->start_mark),
					       mark_col(&ev->start_mark),
					       "more than one document; a "
					       "file holds exactly one");
		return 0;
	case YAML_STREAM_END_EVENT:
		p->ended = 1;
		return 0;
	case YAML_ALIAS_EVENT:
		return on_alias(p, ev);
	case YAML_SCALAR_EVENT:
		return on_scalar(p, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(p, ev, HNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(p, ev, HNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		on_end(p, ev);
		return 0;
	default:
		return 0;
	}
}

static void yparse_release(struct yparse *p)
{
	size_t i;

	for (i = 0; i < p->depth; i++) {
		free(p->frames[i].key);
		strtab_release(&p->frames[i].keys);
	}
	free(p->frames);
	for (i = 0; i < p->nanchors; i++) {
		free(p->anchors[i].name);
		hnode_free(p->anchors[i].owned);
	}
	free(p->anchors);
	strtab_release(&p->anchor_tab);
}

/* Run libyaml over buf until the stream ends or something fails. */
static int run_events(struct yparse *p, const char *buf, size_t len,
		      size_t skipped)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	int rc = 0;

	if (!yaml_parser_initialize(&yp))
		return helios_error_set(p->err, HELIOS_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&yp, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&yp, YAML_UTF8_ENCODING);

	while (!rc && !p->ended) {
		if (!yaml_parser_parse(&yp, &ev)) {
			rc = syntax_error(p, &yp, buf, len, skipped);
			break;
		}
		rc = on_event(p, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	return rc;
}

int hyaml_parse(const char *buf, size_t len, const struct hyaml_limits *lim,
		struct hnode **out, struct hyaml_warnings *warnings,
		struct helios_error *err)
{
	struct yparse p;
	const char *nul;
	unsigned line, col;
	size_t skipped = 0, i;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (lim)
		p.lim = *lim;
	else
		hyaml_limits_default(&p.lim);
	p.warnings = warnings;
	p.err = err;

	if (len > p.lim.max_bytes)
		return helios_error_set(err, HELIOS_ELIMIT,
					"file is %zu bytes, limit is %zu",
					len, p.lim.max_bytes);
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		skipped = 3;
		buf += 3;
		len -= 3;
	}
	nul = memchr(buf, '\0', len);
	if (nul) {
		offset_position(buf, len, (size_t)(nul - buf), &line, &col);
		return helios_error_at(err, HELIOS_EINVAL, line, col,
				       "file contains a NUL byte (at byte "
				       "offset %zu)",
				       (size_t)(nul - buf) + skipped);
	}

	p.buf = buf;
	p.len = len;
	p.skipped = skipped;
	p.ascii = 1;
	for (i = 0; i < len && p.ascii; i++)
		p.ascii = !((unsigned char)buf[i] & 0x80);
	rc = run_events(&p, buf, len, skipped);
	if (!rc && !p.root) {
		p.root = hnode_new(HNODE_NULL);
		if (!p.root)
			rc = helios_error_set(err, HELIOS_ENOMEM,
					      "out of memory");
		else
			p.root->line = p.root->col = 1;
	}
	yparse_release(&p);
	if (rc) {
		hnode_free(p.root);
		return rc;
	}
	*out = p.root;
	return 0;
}

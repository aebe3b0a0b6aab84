/*
 * yaml_edit.c - in-place edits of YAML text by splicing the source bytes.
 *
 * The parser records where every node and key sits in the input.  An edit
 * finds the pair or mapping a dotted key names, renders only the new value
 * (through hyaml_emit(), so it reads back the way the emitter promises),
 * and replaces one byte range of the source with it.  The result is then
 * parsed again and compared with the source tree changed the same way in
 * memory; a splice that would mean anything else is refused.
 */
#include "helios/yaml_edit.h"

#include <stdlib.h>
#include <string.h>

/* A byte range of the source and the text that replaces it. */
struct splice {
	size_t from;
	size_t to;
	struct hbuf text;
};

/* Where a dotted key leads in a parsed document. */
struct target {
	struct hnode *map;	/* mapping that holds (or will hold) the key */
	struct hpair *pair;	/* the pair found, or NULL to insert */
	size_t index;		/* of pair in map */
	struct hpair *holder;	/* pair whose value is map; NULL at the root */
	struct hnode *holder_map; /* mapping that holds holder */
	int flow;		/* map sits inside a flow collection */
	const char *rest;	/* path from the key to insert */
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t line_start(const char *src, size_t off)
{
	while (off && src[off - 1] != '\n')
		off--;
	return off;
}

static size_t line_end(const char *src, size_t len, size_t off)
{
	while (off < len && src[off] != '\n')
		off++;
	return off;
}

/* End of a node's text without the line breaks a block scalar keeps. */
static size_t text_end(const char *src, const struct hnode *n)
{
	size_t e = n->end;

	while (e > n->start && is_space(src[e - 1]))
		e--;
	return e;
}

/* Column of a key: the indentation its siblings share. */
static size_t key_indent(const char *src, const struct hpair *p)
{
	return p->key_start - line_start(src, p->key_start);
}

static int is_block_value(const struct hnode *n)
{
	return (n->type == HNODE_MAP && n->u.map.len) ||
	       (n->type == HNODE_SEQ && n->u.seq.len);
}

/* ---- rendering ---- */

/* A scalar or an empty collection on one line. */
static int render_inline(const struct hnode *n, struct hbuf *out)
{
	size_t before = out->len;
	int rc = hyaml_emit(n, out);

	if (!rc && out->len > before && out->ptr[out->len - 1] == '\n')
		rc = hbuf_setlen(out, out->len - 1);
	return rc;
}

static int render_key(const char *key, size_t len, struct hbuf *out)
{
	struct hnode *k = hnode_new_str(key, len);
	int rc;

	if (!k)
		return HELIOS_ENOMEM;
	rc = render_inline(k, out);
	hnode_free(k);
	return rc;
}

static int render_flow(const struct hnode *n, struct hbuf *out)
{
	size_t i, len;
	int rc = 0;

	if (!is_block_value(n))
		return render_inline(n, out);
	len = n->type == HNODE_MAP ? n->u.map.len : n->u.seq.len;
	rc = hbuf_adds(out, n->type == HNODE_MAP ? "{" : "[");
	for (i = 0; !rc && i < len; i++) {
		if (i)
			rc = hbuf_adds(out, ", ");
		if (rc)
			break;
		if (n->type == HNODE_SEQ) {
			rc = render_flow(n->u.seq.items[i], out);
			continue;
		}
		rc = render_key(n->u.map.items[i].key,
				n->u.map.items[i].key_len, out);
		if (!rc)
			rc = hbuf_adds(out, ": ");
		if (!rc)
			rc = render_flow(n->u.map.items[i].value, out);
	}
	return rc ? rc : hbuf_adds(out, n->type == HNODE_MAP ? "}" : "]");
}

/* A non-empty collection as block lines at indent, no final newline. */
static int render_block(const struct hnode *n, size_t indent,
			struct hbuf *out)
{
	struct hbuf tmp;
	const char *p, *end, *nl;
	size_t i;
	int rc;

	hbuf_init(&tmp, out->max);
	rc = hyaml_emit(n, &tmp);
	p = hbuf_str(&tmp);
	end = p + tmp.len;
	while (!rc && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		for (i = 0; !rc && i < indent; i++)
			rc = hbuf_add(out, " ", 1);
		if (!rc)
			rc = hbuf_add(out, p, (size_t)(nl - p));
		if (!rc && nl + 1 < end)
			rc = hbuf_add(out, "\n", 1);
		p = nl + 1;
	}
	hbuf_release(&tmp);
	return rc;
}

/* "key: value" for a block mapping at indent (value lines below). */
static int render_pair(const char *key, size_t key_len,
		       const struct hnode *v, size_t indent, int flow,
		       struct hbuf *out)
{
	int rc = render_key(key, key_len, out);

	if (rc)
		return rc;
	if (flow) {
		rc = hbuf_adds(out, ": ");
		return rc ? rc : render_flow(v, out);
	}
	if (!is_block_value(v)) {
		rc = hbuf_adds(out, ": ");
		return rc ? rc : render_inline(v, out);
	}
	rc = hbuf_adds(out, ":\n");
	return rc ? rc : render_block(v, indent + 2, out);
}

/* ---- the dotted key ---- */

static const char *segment(const char *path, size_t *len)
{
	const char *dot = strchr(path, '.');

	*len = dot ? (size_t)(dot - path) : strlen(path);
	return dot ? dot + 1 : NULL;
}

static int check_path(const char *path, struct helios_error *err)
{
	const char *p = path;
	size_t len;

	do {
		const char *next = segment(p, &len);

		if (!len)
			return helios_error_set(err, HELIOS_EINVAL,
						"key '%s' has an empty "
						"segment; write it as a.b.c",
						path);
		p = next;
	} while (p);
	return 0;
}

static struct hpair *map_find(const struct hnode *map, const char *key,
			      size_t len, size_t *index)
{
	size_t i;

	for (i = 0; i < map->u.map.len; i++) {
		struct hpair *p = &map->u.map.items[i];

		if (p->key_len == len && !memcmp(p->key, key, len)) {
			*index = i;
			return p;
		}
	}
	return NULL;
}

/*
 * Follow path from root.  A null value on the way (or a null document) is
 * reported as t->map == NULL with t->holder naming it (NULL: the root).
 */
static int find_target(struct hnode *root, const char *path,
		       struct target *t, struct helios_error *err)
{
	struct hnode *n = root;
	const char *p = path, *next;
	size_t len;

	memset(t, 0, sizeof(*t));
	for (;;) {
		if (n->flags & HNODE_F_ALIAS)
			return helios_error_set(err, HELIOS_EINVAL,
						"'%s' is reached through an "
						"alias and cannot be edited "
						"in place", path);
		if (n->type == HNODE_NULL) {
			t->map = NULL;
			t->rest = p;
			return 0;
		}
		if (n->type != HNODE_MAP && p == path)
			return helios_error_set(err, HELIOS_EINVAL,
						"the document is a %s, not a "
						"mapping",
						hnode_type_name(n->type));
		if (n->type != HNODE_MAP)
			return helios_error_set(err, HELIOS_EINVAL,
						"'%.*s' is a %s, not a mapping",
						(int)(p - path - 1), path,
						hnode_type_name(n->type));
		t->flow |= !!(n->flags & HNODE_F_FLOW);
		t->map = n;
		next = segment(p, &len);
		t->pair = map_find(n, p, len, &t->index);
		if (!t->pair || !next) {
			t->rest = p;
			return 0;
		}
		t->holder = t->pair;
		t->holder_map = n;
		n = t->pair->value;
		p = next;
	}
}

/* The value to store at rest: value itself, or mappings around it. */
static struct hnode *nest(const char *rest, const struct hnode *value)
{
	const char *next;
	struct hnode *map, *inner;
	size_t len;

	next = segment(rest, &len);
	inner = next ? nest(next, value) : hnode_clone(value);
	if (!inner)
		return NULL;
	map = hnode_new(HNODE_MAP);
	if (!map) {
		hnode_free(inner);
		return NULL;
	}
	if (hnode_map_set(map, rest, len, inner)) {
		hnode_free(map);
		return NULL;
	}
	return map;
}

/* ---- splices ---- */

/* Replace the value of pair p (in a mapping at indent) with v. */
static int splice_value(const char *src, size_t len, struct hpair *p,
			const struct hnode *v, int flow, struct splice *s)
{
	const struct hnode *old = p->value;
	size_t colon = p->key_end, indent = key_indent(src, p), rest;
	int old_block = is_block_value(old) && !(old->flags & HNODE_F_FLOW);

	s->to = text_end(src, old);
	if (flow) {
		s->from = old->start;
		s->to = old->end;
		return render_flow(v, &s->text);
	}
	while (colon < len && src[colon] != ':')
		colon++;
	if (colon < len)
		colon++;

	if (is_block_value(v)) {
		size_t in = indent + 2;

		if (old_block) {
			s->from = line_start(src, old->start);
			if (old->start - s->from > indent)
				in = old->start - s->from;
			return render_block(v, in, &s->text);
		}
		s->from = colon;
		if (hbuf_adds(&s->text, "\n"))
			return HELIOS_ENOMEM;
		return render_block(v, in, &s->text);
	}

	s->from = old->start;
	if (old_block) {
		rest = colon;
		while (rest < len && (src[rest] == ' ' || src[rest] == '\t'))
			rest++;
		if (rest >= len || src[rest] == '\n' || src[rest] == '\r')
			s->from = colon;
	}
	if (s->from && src[s->from - 1] == ':' &&
	    hbuf_adds(&s->text, " "))
		return HELIOS_ENOMEM;
	return render_inline(v, &s->text);
}

/* Insert key rest (with v nested below it) at the end of map. */
static int splice_insert(const char *src, size_t len, struct hnode *map,
			 const char *rest, const struct hnode *v, int flow,
			 struct splice *s)
{
	const struct hpair *last;
	size_t klen, pos;
	const char *next = segment(rest, &klen);
	struct hnode *inner = next ? nest(next, v) : NULL;
	int rc;

	if (next && !inner)
		return HELIOS_ENOMEM;
	if (next)
		v = inner;
	if (map->flags & HNODE_F_FLOW) {
		pos = map->end ? map->end - 1 : 0;
		while (pos > map->start + 1 && is_space(src[pos - 1]))
			pos--;
		rc = map->u.map.len ? hbuf_adds(&s->text, ", ") : 0;
		if (!rc)
			rc = render_pair(rest, klen, v, 0, 1, &s->text);
	} else {
		size_t indent = key_indent(src, &map->u.map.items[0]);

		last = &map->u.map.items[map->u.map.len - 1];
		pos = line_end(src, len, text_end(src, last->value));
		rc = hbuf_addf(&s->text, "\n%*s", (int)indent, "");
		if (!rc)
			rc = render_pair(rest, klen, v, indent, flow,
					 &s->text);
	}
	s->from = s->to = pos;
	hnode_free(inner);
	return rc;
}

/* A document that is empty or only comments gains its first key. */
static int splice_first(const char *src, size_t len, const char *rest,
			const struct hnode *v, struct splice *s)
{
	struct hnode *map = nest(rest, v);
	int rc;

	if (!map)
		return HELIOS_ENOMEM;
	s->from = s->to = len;
	rc = len && src[len - 1] != '\n' ? hbuf_adds(&s->text, "\n") : 0;
	if (!rc)
		rc = render_pair(map->u.map.items[0].key,
				 map->u.map.items[0].key_len,
				 map->u.map.items[0].value, 0, 0, &s->text);
	if (!rc)
		rc = hbuf_adds(&s->text, "\n");
	hnode_free(map);
	return rc;
}

static int splice_remove(const char *src, size_t len, struct target *t,
			 struct splice *s)
{
	struct hnode *map = t->map;
	struct hpair *p = t->pair;
	size_t i = t->index, ls;

	if (map->flags & HNODE_F_FLOW) {
		s->from = p->key_start;
		s->to = p->value->end;
		if (i + 1 < map->u.map.len)
			s->to = map->u.map.items[i + 1].key_start;
		else if (i)
			s->from = map->u.map.items[i - 1].value->end;
		return 0;
	}
	ls = line_start(src, p->key_start);
	s->from = ls;
	while (s->from < p->key_start && src[s->from] == ' ')
		s->from++;
	if (s->from == p->key_start) {
		/* whole lines: from the key's line to the value's last */
		s->from = ls;
		s->to = line_end(src, len, text_end(src, p->value));
		if (s->to < len)
			s->to++;
		return 0;
	}
	/* the first key after "- ": keep the dash, the next key moves up */
	s->from = p->key_start;
	s->to = map->u.map.items[i + 1].key_start;
	return 0;
}

/* ---- the in-memory twin of each edit, for the check ---- */

static int tree_set(struct hnode *n, const char *path, const struct hnode *v)
{
	const char *next;
	struct hpair *p;
	struct hnode *c;
	size_t len, index;

	for (;;) {
		if (n->type == HNODE_NULL) {
			n->type = HNODE_MAP;
			memset(&n->u, 0, sizeof(n->u));
		}
		next = segment(path, &len);
		p = map_find(n, path, len, &index);
		if (!next) {
			c = hnode_clone(v);
			if (!c)
				return HELIOS_ENOMEM;
			if (p) {
				hnode_free(p->value);
				p->value = c;
				return 0;
			}
			return hnode_map_set(n, path, len, c);
		}
		if (!p) {
			c = hnode_new(HNODE_MAP);
			if (!c || hnode_map_set(n, path, len, c))
				return HELIOS_ENOMEM;
			p = &n->u.map.items[n->u.map.len - 1];
		}
		n = p->value;
		path = next;
	}
}

static void tree_remove(struct hnode *map, size_t index)
{
	struct hpair *items = map->u.map.items;

	free(items[index].key);
	hnode_free(items[index].value);
	memmove(&items[index], &items[index + 1],
		(map->u.map.len - index - 1) * sizeof(*items));
	map->u.map.len--;
}

/* Apply s to src into out if the result parses to want. */
static int finish(const char *src, size_t len, const struct splice *s,
		  const struct hnode *want, struct hbuf *out,
		  struct helios_error *err)
{
	struct helios_error perr = { 0 };
	struct hnode *got = NULL;
	struct hbuf res;
	int rc;

	hbuf_init(&res, out->max);
	rc = hbuf_add(&res, src, s->from);
	if (!rc)
		rc = hbuf_add(&res, hbuf_str(&s->text), s->text.len);
	if (!rc)
		rc = hbuf_add(&res, src + s->to, len - s->to);
	if (rc) {
		helios_error_set(err, rc, "the edited text is too large");
		goto out_release;
	}
	rc = hyaml_parse(hbuf_str(&res), res.len, NULL, &got, NULL, &perr);
	if (rc || !hnode_equal(got, want)) {
		rc = helios_error_set(err, HELIOS_EINVAL,
				      "the value cannot be changed in place "
				      "(anchors, aliases or unusual layout "
				      "around it)%s%s", rc ? ": " : "",
				      rc ? perr.msg : "");
		goto out_free;
	}
	rc = hbuf_add(out, hbuf_str(&res), res.len);
	if (rc)
		helios_error_set(err, rc, "the edited text is too large");
out_free:
	hnode_free(got);
out_release:
	hbuf_release(&res);
	return rc;
}

static int parse_source(const char *src, size_t len, struct hnode **root,
			struct hnode **want, struct helios_error *err)
{
	struct helios_error perr = { 0 };
	int rc = hyaml_parse(src, len, NULL, root, NULL, &perr);

	if (rc)
		return helios_error_set(err, rc, "%u:%u: %s", perr.line,
					perr.col, perr.msg);
	*want = hnode_clone(*root);
	if (!*want) {
		hnode_free(*root);
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	}
	return 0;
}

int hyaml_edit_set(const char *src, size_t len, const char *path,
		   const struct hnode *value, struct hbuf *out,
		   struct helios_error *err)
{
	struct hnode *root, *want, *nested = NULL;
	struct splice s = { 0 };
	struct target t;
	int rc = check_path(path, err);

	if (rc)
		return rc;
	rc = parse_source(src, len, &root, &want, err);
	if (rc)
		return rc;
	hbuf_init(&s.text, out->max);
	rc = find_target(root, path, &t, err);
	if (rc)
		goto out_free;

	if (!t.map && !t.holder) {
		if (root->end > root->start) {
			rc = helios_error_set(err, HELIOS_EINVAL,
					      "the document is a scalar, not "
					      "a mapping");
			goto out_free;
		}
		rc = splice_first(src, len, t.rest, value, &s);
	} else if (!t.map) {
		/* a null on the way becomes the mappings down to the key */
		nested = nest(t.rest, value);
		rc = nested ? splice_value(src, len, t.holder, nested, t.flow,
					   &s) : HELIOS_ENOMEM;
	} else if (t.pair) {
		rc = splice_value(src, len, t.pair, value, t.flow, &s);
	} else {
		rc = splice_insert(src, len, t.map, t.rest, value, t.flow, &s);
	}
	if (!rc)
		rc = tree_set(want, path, value);
	if (rc) {
		helios_error_set(err, rc, "out of memory");
		goto out_free;
	}
	rc = finish(src, len, &s, want, out, err);
out_free:
	hnode_free(nested);
	hbuf_release(&s.text);
	hnode_free(root);
	hnode_free(want);
	return rc;
}

int hyaml_edit_remove(const char *src, size_t len, const char *path,
		      struct hbuf *out, struct helios_error *err)
{
	struct hnode *root, *want, *empty = NULL;
	struct splice s = { 0 };
	struct target t, tw;
	int rc = check_path(path, err);

	if (rc)
		return rc;
	rc = parse_source(src, len, &root, &want, err);
	if (rc)
		return rc;
	hbuf_init(&s.text, out->max);
	rc = find_target(root, path, &t, err);
	if (rc)
		goto out_free;
	if (!t.map || !t.pair || strchr(t.rest, '.')) {
		rc = helios_error_set(err, HELIOS_ENOTFOUND,
				      "there is no key '%s'", path);
		goto out_free;
	}

	if (t.map->u.map.len > 1) {
		rc = splice_remove(src, len, &t, &s);
	} else if (t.holder) {
		empty = hnode_new(HNODE_MAP);
		rc = empty ? splice_value(src, len, t.holder, empty, t.flow,
					  &s) : HELIOS_ENOMEM;
	} else {
		s.from = root->start;
		s.to = text_end(src, root);
		rc = hbuf_adds(&s.text, "{}");
	}
	if (rc) {
		helios_error_set(err, rc, "out of memory");
		goto out_free;
	}
	/* the same removal in the expected tree (same shape as root) */
	find_target(want, path, &tw, NULL);
	tree_remove(tw.map, tw.index);
	rc = finish(src, len, &s, want, out, err);
out_free:
	hnode_free(empty);
	hbuf_release(&s.text);
	hnode_free(root);
	hnode_free(want);
	return rc;
}

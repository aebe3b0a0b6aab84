/*
 * yaml_emit.c - write a tree as block YAML that reads back to the same tree.
 *
 * The layout is fixed: two-space indentation, "key: value" pairs, "- "
 * items with nested collections starting on the dash line, "{}" and "[]"
 * for empty collections.  A string is written plain only when the plain
 * text reads back as that same string in YAML 1.2 and YAML 1.1 alike;
 * anything else is double-quoted, with escapes for every character that
 * is not printable.  Nothing depends on the locale or on addresses, so
 * equal trees give equal bytes.
 */
#include "helios/yaml.h"
#include "yaml_i.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* libyaml refuses implicit keys longer than 1024 characters. */
#define IMPLICIT_KEY_MAX 1000

/*
 * Decode one UTF-8 sequence at s (at most len bytes).  Returns its length
 * and the code point, or 0 for an invalid, overlong or surrogate sequence.
 */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		v = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		v = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) ||
	    (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* Printable in a plain scalar, and not a line break to libyaml. */
static int printable(uint32_t c)
{
	return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF &&
		c != 0x2028 && c != 0x2029) ||
		(c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF) ||
		(c >= 0x10000 && c <= 0x10FFFF);
}

static int all_printable(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		n = utf8_decode(u + i, len - i, &c);
		if (!n || !printable(c))
			return 0;
		i += n;
	}
	return 1;
}

/* Can s be written as a plain scalar and read back unchanged? */
static int plain_ok(const char *s, size_t len)
{
	struct yaml__scalar res;

	if (!len || !all_printable(s, len))
		return 0;
	if (strchr("?:,[]{}#&*!|>'\"%@` ", s[0]))
		return 0;
	if (s[0] == '-' && (len == 1 || s[1] == ' '))
		return 0;
	if (len >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3)))
		return 0;
	if (s[len - 1] == ' ' || s[len - 1] == ':')
		return 0;
	if (memmem(s, len, ": ", 2) || memmem(s, len, " #", 2))
		return 0;

	yaml__resolve_plain(s, len, &res);
	return res.type == HNODE_STR && !yaml__yaml11_reading(s, len);
}

static int add_escape(struct hbuf *out, uint32_t c)
{
	static const struct {
		uint32_t c;
		const char *esc;
	} named[] = {
		{ 0x00, "\\0" }, { 0x07, "\\a" }, { 0x08, "\\b" },
		{ 0x09, "\\t" }, { 0x0A, "\\n" }, { 0x0B, "\\v" },
		{ 0x0C, "\\f" }, { 0x0D, "\\r" }, { 0x1B, "\\e" },
		{ '"', "\\\"" }, { '\\', "\\\\" }, { 0x85, "\\N" },
		{ 0x2028, "\\L" }, { 0x2029, "\\P" },
	};
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].c == c)
			return hbuf_adds(out, named[i].esc);
	if (c <= 0xFF)
		return hbuf_addf(out, "\\x%02X", (unsigned)c);
	if (c <= 0xFFFF)
		return hbuf_addf(out, "\\u%04X", (unsigned)c);
	return hbuf_addf(out, "\\U%08X", (unsigned)c);
}

/*
 * Double-quoted form.  A byte that is not valid UTF-8 cannot be written
 * in YAML at all; it comes out as the escape of the code point with that
 * value, so such strings do not read back byte for byte.
 */
static int add_quoted(struct hbuf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;
	int rc = hbuf_add(out, "\"", 1);

	while (!rc && i < len) {
		n = utf8_decode(u + i, len - i, &c);
		if (!n) {
			rc = add_escape(out, u[i]);
			i++;
			continue;
		}
		if (printable(c) && c != '"' && c != '\\')
			rc = hbuf_add(out, s + i, n);
		else
			rc = add_escape(out, c);
		i += n;
	}
	return rc ? rc : hbuf_add(out, "\"", 1);
}

static int add_string(struct hbuf *out, const char *s, size_t len)
{
	if (plain_ok(s, len))
		return hbuf_add(out, s, len);
	return add_quoted(out, s, len);
}

static int is_block(const struct hnode *n)
{
	return (n->type == HNODE_MAP && n->u.map.len) ||
	       (n->type == HNODE_SEQ && n->u.seq.len);
}

/* A scalar or an empty collection, on the current line. */
static int add_inline(struct hbuf *out, const struct hnode *n)
{
	char num[40];

	switch (n->type) {
	case HNODE_NULL:
		return hbuf_adds(out, "null");
	case HNODE_BOOL:
		return hbuf_adds(out, n->u.b ? "true" : "false");
	case HNODE_INT:
		return hbuf_addf(out, "%" PRId64, n->u.i);
	case HNODE_FLOAT:
		yaml__format_float(n->u.f, num, sizeof(num));
		return hbuf_adds(out, num);
	case HNODE_STR:
		return add_string(out, n->u.s.ptr, n->u.s.len);
	case HNODE_SEQ:
		return hbuf_adds(out, "[]");
	case HNODE_MAP:
		return hbuf_adds(out, "{}");
	}
	return HELIOS_EINTERNAL;
}

static int emit_block(struct hbuf *out, const struct hnode *n,
		      unsigned indent, int first_inline);

static int add_indent(struct hbuf *out, unsigned indent)
{
	int rc = hbuf_grow(out, indent);

	if (!rc) {
		memset(out->ptr + out->len, ' ', indent);
		out->len += indent;
		out->ptr[out->len] = '\0';
	}
	return rc;
}

/* What follows a key's ':' or an item's '-': the value, then newlines. */
static int emit_value(struct hbuf *out, const struct hnode *v,
		      unsigned indent)
{
	int rc;

	if (!is_block(v)) {
		rc = hbuf_add(out, " ", 1);
		if (!rc)
			rc = add_inline(out, v);
		return rc ? rc : hbuf_add(out, "\n", 1);
	}
	rc = hbuf_add(out, "\n", 1);
	return rc ? rc : emit_block(out, v, indent + 2, 0);
}

static int emit_pair(struct hbuf *out, const struct hpair *p,
		     unsigned indent)
{
	struct hbuf key;
	int rc;

	hbuf_init(&key, out->max);
	rc = add_string(&key, p->key, p->key_len);
	if (rc)
		goto out_release_key;

	if (key.len <= IMPLICIT_KEY_MAX) {
		rc = hbuf_add(out, key.ptr, key.len);
		if (!rc)
			rc = hbuf_add(out, ":", 1);
	} else {
		/* Too long for an implicit key: "? key" then ": value". */
		rc = hbuf_add(out, "? ", 2);
		if (!rc)
			rc = hbuf_add(out, key.ptr, key.len);
		if (!rc)
			rc = hbuf_add(out, "\n", 1);
		if (!rc)
			rc = add_indent(out, indent);
		if (!rc)
			rc = hbuf_add(out, ":", 1);
	}
	if (!rc)
		rc = emit_value(out, p->value, indent);

out_release_key:
	hbuf_release(&key);
	return rc;
}

/*
 * A non-empty collection whose lines start at column indent.  When
 * first_inline is set the first line continues a "- " already written.
 */
static int emit_block(struct hbuf *out, const struct hnode *n,
		      unsigned indent, int first_inline)
{
	size_t i, len = n->type == HNODE_MAP ? n->u.map.len : n->u.seq.len;
	int rc = 0;

	for (i = 0; !rc && i < len; i++) {
		if (i || !first_inline)
			rc = add_indent(out, indent);
		if (rc)
			break;
		if (n->type == HNODE_MAP) {
			rc = emit_pair(out, &n->u.map.items[i], indent);
			continue;
		}

		rc = hbuf_add(out, "-", 1);
		if (rc)
			break;
		if (is_block(n->u.seq.items[i])) {
			rc = hbuf_add(out, " ", 1);
			if (!rc)
				rc = emit_block(out, n->u.seq.items[i],
						indent + 2, 1);
		} else {
			rc = emit_value(out, n->u.seq.items[i], indent);
		}
	}
	return rc;
}

int hyaml_emit(const struct hnode *tree, struct hbuf *out)
{
	int rc;

	if (!tree)
		return hbuf_adds(out, "null\n");
	if (is_block(tree))
		return emit_block(out, tree, 0, 0);
	rc = add_inline(out, tree);
	return rc ? rc : hbuf_add(out, "\n", 1);
}

/*
 * yaml_edit.c - libFuzzer target for the in-place YAML editor
 * (core/src/yaml_edit.c).
 *
 * Input: a dotted key on the first line, a value in YAML on the second
 * (a flow scalar or collection; read as a plain string when it does not
 * parse), and the document to edit after that.  The key is set to the
 * value and, separately, removed.  Whatever the editor produces must
 * parse, and must hold the value at the key after a set and nothing
 * there after a remove; anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helios/yaml.h"
#include "helios/yaml_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split off one line; returns a NUL-terminated copy or NULL. */
static char *take_line(const uint8_t **p, size_t *left)
{
	const uint8_t *nl = memchr(*p, '\n', *left);
	size_t len = nl ? (size_t)(nl - *p) : *left;
	char *s = malloc(len + 1);

	if (!s)
		return NULL;
	memcpy(s, *p, len);
	s[len] = '\0';
	*p += nl ? len + 1 : len;
	*left -= nl ? len + 1 : len;
	return s;
}

/* Follow a dotted key through mappings; NULL when it leads nowhere. */
static const struct hnode *lookup(const struct hnode *root, const char *path)
{
	char *copy = strdup(path), *seg, *save = NULL;
	const struct hnode *n = root;

	if (!copy)
		return NULL;
	for (seg = strtok_r(copy, ".", &save); seg && n;
	     seg = strtok_r(NULL, ".", &save))
		n = n->type == HNODE_MAP ? hnode_map_get(n, seg) : NULL;
	free(copy);
	return n;
}

static struct hnode *parse_or_die(const struct hbuf *b)
{
	struct helios_error err = { 0 };
	struct hnode *t = NULL;

	if (hyaml_parse(b->ptr, b->len, NULL, &t, NULL, &err))
		abort();	/* the editor wrote YAML that does not parse */
	return t;
}

static void check_set(const uint8_t *src, size_t len, const char *path,
		      const struct hnode *value)
{
	struct helios_error err = { 0 };
	struct hnode *after;
	struct hbuf out;

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	if (!hyaml_edit_set((const char *)src, len, path, value, &out, &err)) {
		after = parse_or_die(&out);
		if (!hnode_equal(lookup(after, path), value))
			abort();	/* the key does not hold the value */
		hnode_free(after);
	} else if (out.len) {
		abort();	/* out must be unchanged on failure */
	}
	hbuf_release(&out);
}

static void check_remove(const uint8_t *src, size_t len, const char *path)
{
	struct helios_error err = { 0 };
	struct hnode *after;
	struct hbuf out;

	hbuf_init(&out, HBUF_MAX_DEFAULT);
	if (!hyaml_edit_remove((const char *)src, len, path, &out, &err)) {
		after = parse_or_die(&out);
		if (lookup(after, path))
			abort();	/* the key is still there */
		hnode_free(after);
	} else if (out.len) {
		abort();
	}
	hbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct helios_error err = { 0 };
	struct hnode *value = NULL;
	char *path, *vtext;

	path = take_line(&data, &size);
	vtext = take_line(&data, &size);
	if (!path || !vtext || !*path)
		goto out_free;
	if (hyaml_parse(vtext, strlen(vtext), NULL, &value, NULL, &err))
		value = hnode_new_str(vtext, strlen(vtext));
	if (!value)
		goto out_free;
	check_set(data, size, path, value);
	check_remove(data, size, path);
	hnode_free(value);
out_free:
	free(vtext);
	free(path);
	return 0;
}

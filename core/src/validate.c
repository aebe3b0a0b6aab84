/*
 * validate.c - check base and persona documents against the schema in
 * validate.h and report every problem as "FILE:LINE:COLUMN: message".
 */
#include "helios/validate.h"
#include "yaml_i.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_PATH "base/identity.yaml"
#define PERSONAS_DIR "personas/"

void hdiag_list_init(struct hdiag_list *l)
{
	memset(l, 0, sizeof(*l));
}

void hdiag_list_release(struct hdiag_list *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		free(l->items[i].text);
	free(l->items);
	hdiag_list_init(l);
}

int hdiag_add(struct hdiag_list *l, enum hdiag_severity sev, const char *file,
	      unsigned line, unsigned col, const char *fmt, ...)
{
	struct hbuf b;
	struct hdiag *items;
	va_list ap;
	char *msg;
	int rc = 0;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return HELIOS_ENOMEM;

	hbuf_init(&b, (size_t)-1);
	if (file && line)
		rc = hbuf_addf(&b, "%s:%u:%u: ", file, line, col ? col : 1);
	else if (file)
		rc = hbuf_addf(&b, "%s: ", file);
	else if (line)
		rc = hbuf_addf(&b, "%u:%u: ", line, col ? col : 1);
	if (!rc)
		rc = hbuf_adds(&b, msg);
	free(msg);
	if (rc)
		goto out_release;

	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		items = realloc(l->items, cap * sizeof(*items));
		if (!items) {
			rc = HELIOS_ENOMEM;
			goto out_release;
		}
		l->items = items;
		l->cap = cap;
	}
	l->items[l->len].severity = sev;
	l->items[l->len].line = line;
	l->items[l->len].col = line ? (col ? col : 1) : 0;
	l->items[l->len].text = hbuf_detach(&b, NULL);
	l->len++;
	if (sev == HDIAG_ERROR)
		l->errors++;
	return 0;

out_release:
	hbuf_release(&b);
	return HELIOS_ENOMEM;
}

enum hdoc_kind hdoc_kind_of_path(const char *relpath)
{
	size_t plen = strlen(PERSONAS_DIR);
	const char *name;

	if (!relpath)
		return HDOC_NONE;
	if (!strcmp(relpath, BASE_PATH))
		return HDOC_BASE;
	if (strncmp(relpath, PERSONAS_DIR, plen))
		return HDOC_NONE;
	name = relpath + plen;
	if (hname_check_persona_file(name, NULL))
		return HDOC_NONE;
	return HDOC_PERSONA;
}

/* "float 1.5", "string \"0.5\"", "mapping": a value for messages. */
static void describe(const struct hnode *n, char *out, size_t size)
{
	char s[YAML__MSG_STR_SIZE];

	switch (n->type) {
	case HNODE_BOOL:
		snprintf(out, size, "boolean %s", n->u.b ? "true" : "false");
		break;
	case HNODE_INT:
		snprintf(out, size, "integer %" PRId64, n->u.i);
		break;
	case HNODE_FLOAT:
		yaml__format_float(n->u.f, s, sizeof(s));
		snprintf(out, size, "float %s", s);
		break;
	case HNODE_STR:
		yaml__msg_str(n->u.s.ptr, n->u.s.len, s, sizeof(s));
		snprintf(out, size, "string \"%s\"", s);
		break;
	default:
		snprintf(out, size, "%s", hnode_type_name(n->type));
		break;
	}
}

struct vctx {
	struct hdiag_list *diags;
	const char *file;
	const struct hnode *root;
	int rc;			/* first HELIOS_ENOMEM, else 0 */
	int bad;		/* an error was reported */
};

static void verr(struct vctx *v, const struct hnode *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verr(struct vctx *v, const struct hnode *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->bad = 1;
	if (hdiag_add(v->diags, HDIAG_ERROR, v->file, at->line, at->col,
		      "%s", msg) && !v->rc)
		v->rc = HELIOS_ENOMEM;
}

/* The value of a required key, or NULL after reporting it missing. */
static const struct hnode *require(struct vctx *v, const char *key)
{
	const struct hnode *n = hnode_map_get(v->root, key);

	if (!n)
		verr(v, v->root, "missing required key '%s'", key);
	return n;
}

static void check_importance(struct vctx *v)
{
	const struct hnode *n = require(v, "base_importance");
	char got[YAML__MSG_STR_SIZE + 32];
	double x;

	if (!n)
		return;
	if (n->type == HNODE_INT || n->type == HNODE_FLOAT) {
		x = n->type == HNODE_INT ? (double)n->u.i : n->u.f;
		if (isfinite(x) && x >= 0.0 && x <= 1.0)
			return;
	}
	describe(n, got, sizeof(got));
	verr(v, n, "base_importance must be a finite number in [0.0, 1.0], "
	     "got %s", got);
}

static void check_level(struct vctx *v)
{
	const struct hnode *n = require(v, "specialization_level");
	char got[YAML__MSG_STR_SIZE + 32];

	if (!n || (n->type == HNODE_INT && n->u.i >= 1))
		return;
	describe(n, got, sizeof(got));
	verr(v, n, "specialization_level must be an integer >= 1, got %s",
	     got);
}

static void check_behaviors(struct vctx *v)
{
	const struct hnode *n = require(v, "behaviors");
	char got[YAML__MSG_STR_SIZE + 32];

	if (!n || n->type == HNODE_MAP)
		return;
	describe(n, got, sizeof(got));
	verr(v, n, "behaviors must be a mapping, got %s", got);
}

static void check_schema(struct vctx *v, enum hdoc_kind kind)
{
	const struct hnode *root = v->root;

	if (root->type == HNODE_NULL) {
		verr(v, root, "root must be a mapping, got null (the document "
		     "is empty)");
		return;
	}
	if (root->type != HNODE_MAP) {
		verr(v, root, "root must be a mapping, got %s",
		     hnode_type_name(root->type));
		return;
	}
	if (kind == HDOC_BASE)
		check_importance(v);
	else
		check_level(v);
	check_behaviors(v);
}

/* Order the diagnostics from index start on by position, stably. */
static void sort_from(struct hdiag_list *l, size_t start)
{
	size_t i, j;

	for (i = start + 1; i < l->len; i++) {
		struct hdiag d = l->items[i];

		for (j = i; j > start; j--) {
			const struct hdiag *p = &l->items[j - 1];

			if (p->line < d.line ||
			    (p->line == d.line && p->col <= d.col))
				break;
			l->items[j] = *p;
		}
		l->items[j] = d;
	}
}

static int add_warnings(struct hdiag_list *diags, const char *file,
			const struct hyaml_warnings *w)
{
	size_t i;

	for (i = 0; i < w->len; i++)
		if (hdiag_add(diags, HDIAG_WARNING, file, w->items[i].line,
			      w->items[i].col, "warning: %s", w->items[i].msg))
			return HELIOS_ENOMEM;
	return 0;
}

int hdoc_validate(enum hdoc_kind kind, const char *file, const char *buf,
		  size_t len, const struct hyaml_limits *lim,
		  struct hdiag_list *diags, struct hnode **doc)
{
	struct hyaml_warnings warnings = { 0 };
	struct helios_error err = { 0 };
	size_t start = diags->len;
	struct vctx v = { 0 };
	struct hnode *tree;
	int rc;

	if (doc)
		*doc = NULL;
	rc = hyaml_parse(buf, len, lim, &tree, &warnings, &err);
	if (rc) {
		hyaml_warnings_release(&warnings);
		if (rc == HELIOS_ENOMEM)
			return rc;
		if (hdiag_add(diags, HDIAG_ERROR, file, err.line, err.col,
			      "%s", err.msg))
			return HELIOS_ENOMEM;
		return rc;
	}

	rc = add_warnings(diags, file, &warnings);
	hyaml_warnings_release(&warnings);
	if (rc)
		goto out_free_tree;

	v.diags = diags;
	v.file = file;
	v.root = tree;
	if (kind != HDOC_NONE)
		check_schema(&v, kind);
	sort_from(diags, start);
	rc = v.rc ? v.rc : v.bad ? HELIOS_EINVAL : 0;
	if (rc)
		goto out_free_tree;

	if (doc)
		*doc = tree;
	else
		hnode_free(tree);
	return 0;

out_free_tree:
	hnode_free(tree);
	return rc;
}

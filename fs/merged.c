/*
 * merged.c - /merged/NAME.yaml: each persona merged over the base
 * identity by the inheritance rules (merge.h), as the store holds them
 * now.  The content is computed from the current files at every lookup
 * and open, so it follows every change of the base or the persona.
 *
 * The file starts with the same header lines as `helios-mcp
 * test-inheritance NAME` prints, then the merged YAML.  When the base or
 * the persona is invalid, the file still exists and holds only YAML
 * comments saying why it could not be merged, with the diagnostics.
 */
#include "views_i.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helios/merge.h"

#define MERGED_SUFFIX ".yaml"

/* Shortest "%g" text that reads back as v, as the command line prints. */
static void format_double(double v, char *out, size_t size)
{
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
	snprintf(out, size, "%.17g", v);
}

/* "coder.yaml" to "coder" in name; -ENOENT when it is no persona's. */
static int merged_name(const char *file, char *name, size_t size)
{
	size_t n = strlen(file), m = strlen(MERGED_SUFFIX);
	struct helios_error err;

	if (n <= m || n - m >= size ||
	    strcmp(file + n - m, MERGED_SUFFIX) != 0)
		return -ENOENT;
	memcpy(name, file, n - m);
	name[n - m] = '\0';
	helios_error_clear(&err);
	return hname_check_persona(name, &err) ? -ENOENT : 0;
}

/* The diagnostics that made a file invalid, as comment lines. */
static int explain(struct hbuf *out, const char *name, const char *why,
		   const struct hdiag_list *diags)
{
	size_t i;
	int rc;

	rc = hbuf_addf(out, "# persona: %s\n# not merged: %s\n", name, why);
	for (i = 0; !rc && diags && i < diags->len; i++)
		if (diags->items[i].severity == HDIAG_ERROR)
			rc = hbuf_addf(out, "# %s\n", diags->items[i].text);
	return rc;
}

/*
 * Read and validate rel.  Returns 0 with *doc set, HELIOS_ENOTFOUND, or
 * HELIOS_EINVAL with the reasons written into out as comments.
 */
static int load(enum hdoc_kind kind, const char *rel, const char *name,
		struct hbuf *out, struct hnode **doc)
{
	struct helios_error err;
	struct hdiag_list diags;
	char why[128];
	struct hbuf buf;
	int rc;

	helios_error_clear(&err);
	hbuf_init(&buf, HYAML_MAX_BYTES_DEFAULT + 1);
	rc = store_read(sfs.st, rel, &buf, &err);
	if (rc)
		goto out_release_buf;

	hdiag_list_init(&diags);
	rc = hdoc_validate(kind, rel, hbuf_str(&buf), buf.len, NULL, &diags,
			   doc);
	if (rc == HELIOS_EINVAL || rc == HELIOS_ELIMIT) {
		snprintf(why, sizeof(why), "%s is invalid", rel);
		rc = explain(out, name, why, &diags);
		if (!rc)
			rc = HELIOS_EINVAL;
	}
	hdiag_list_release(&diags);
out_release_buf:
	hbuf_release(&buf);
	return rc;
}

static int emit_header(struct hbuf *out, const char *name,
		       const struct merge_result *res)
{
	const struct hnode *n = res->inherits_from;
	char wb[32], bb[32];
	int rc;

	format_double(res->weight, wb, sizeof(wb));
	format_double(res->base_importance, bb, sizeof(bb));
	rc = hbuf_addf(out, "# persona: %s\n# weight: %s (base_importance %s "
		       "/ specialization_level %lld^2)\n", name, wb, bb,
		       (long long)res->specialization_level);
	if (rc || !n)
		return rc;
	if (n->type == HNODE_STR)
		return hbuf_addf(out, "# inherits_from: %s\n", n->u.s.ptr);
	return hbuf_addf(out, "# inherits_from: (a %s)\n",
			 hnode_type_name(n->type));
}

/* The merged document with its header, appended to out. */
static int merge_into(struct hbuf *out, const char *name,
		      const struct hnode *base, const struct hnode *doc)
{
	struct merge_result res;
	struct helios_error err;
	int rc;

	helios_error_clear(&err);
	rc = merge_documents(base, doc, &res, &err);
	if (rc)
		return hbuf_addf(out, "# persona: %s\n# not merged: %s\n",
				 name, err.msg);
	rc = emit_header(out, name, &res);
	if (!rc)
		rc = hyaml_emit(res.merged, out);
	merge_result_release(&res);
	return rc;
}

/* Merge persona name over the base into out (appended).  -ENOENT. */
static int merged_render(const char *name, struct hbuf *out)
{
	struct hnode *base = NULL, *doc = NULL;
	char rel[HNAME_MAX + 32];
	int rc;

	snprintf(rel, sizeof(rel), "personas/%s.yaml", name);
	rc = load(HDOC_PERSONA, rel, name, out, &doc);
	if (rc == HELIOS_ENOTFOUND)
		return -ENOENT;
	if (rc == HELIOS_EINVAL)
		return 0;
	if (rc)
		return sfs_errno(rc);

	rc = load(HDOC_BASE, STORE_BASE_PATH, name, out, &base);
	if (rc == HELIOS_ENOTFOUND)
		rc = explain(out, name, STORE_BASE_PATH " is missing", NULL);
	else if (rc == HELIOS_EINVAL)
		rc = 0;
	else if (rc == 0)
		rc = merge_into(out, name, base, doc);
	hnode_free(base);
	hnode_free(doc);
	return sfs_errno(rc);
}

/* The newer mtime of the base and the persona (the merge's inputs). */
static void merged_time(const char *name, struct stat *st)
{
	char rel[HNAME_MAX + 32], path[4096];
	struct stat s;

	if (sfs_store_path(STORE_BASE_PATH, path, sizeof(path)) == 0 &&
	    stat(path, &s) == 0)
		st->st_mtim = s.st_mtim;
	snprintf(rel, sizeof(rel), "personas/%s.yaml", name);
	if (sfs_store_path(rel, path, sizeof(path)) == 0 &&
	    stat(path, &s) == 0 && (s.st_mtim.tv_sec > st->st_mtim.tv_sec ||
				    (s.st_mtim.tv_sec == st->st_mtim.tv_sec &&
				     s.st_mtim.tv_nsec > st->st_mtim.tv_nsec)))
		st->st_mtim = s.st_mtim;
	st->st_atim = st->st_ctim = st->st_mtim;
}

int sfs_merged_getattr(const char *sub, struct stat *st)
{
	char name[HNAME_MAX + 1], path[4096];
	struct stat s;
	struct hbuf b;
	int rc;

	if (*sub == '\0') {
		st->st_mode = S_IFDIR | 0555;
		if (sfs_store_path("personas", path, sizeof(path)) == 0 &&
		    stat(path, &s) == 0)
			st->st_mtim = st->st_atim = st->st_ctim = s.st_mtim;
		return 0;
	}
	if (sub[0] != '/' || strchr(sub + 1, '/'))
		return -ENOENT;
	rc = merged_name(sub + 1, name, sizeof(name));
	if (rc)
		return rc;

	/* The size must be what a read returns: compute it. */
	hbuf_init(&b, HBUF_MAX_DEFAULT);
	rc = merged_render(name, &b);
	if (!rc) {
		st->st_mode = S_IFREG | 0444;
		st->st_size = (off_t)b.len;
		merged_time(name, st);
	}
	hbuf_release(&b);
	return rc;
}

int sfs_merged_readdir(const char *sub, void *buf, fuse_fill_dir_t fill)
{
	struct helios_error err;
	char file[HNAME_MAX + 8];
	char **names;
	size_t i, n;
	int rc;

	if (*sub != '\0')
		return sfs_merged_getattr(sub, &(struct stat){ 0 }) ?
		       -ENOENT : -ENOTDIR;
	helios_error_clear(&err);
	rc = store_list_personas(sfs.st, &names, &n, &err);
	if (rc)
		return sfs_errno(rc);
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s" MERGED_SUFFIX, names[i]);
		fill(buf, file, NULL, 0, 0);
	}
	store_names_free(names, n);
	return 0;
}

int sfs_merged_open(const char *sub, struct sfs_handle *h)
{
	char name[HNAME_MAX + 1];
	int rc;

	if (*sub == '\0')
		return -EISDIR;
	if (sub[0] != '/' || strchr(sub + 1, '/'))
		return -ENOENT;
	rc = merged_name(sub + 1, name, sizeof(name));
	if (rc)
		return rc;
	return merged_render(name, &h->shadow);
}

/*
 * store_read.c - reading a store: one file, the list of personas,
 * validation of every file, and the commit main points at.
 */
#include "helios/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_i.h"
#include "helios/fault.h"
#include "store_i.h"
#include "store_maint_i.h"

/* A store-relative path that stays inside the store. */
static int check_relpath(const char *rel, struct helios_error *err)
{
	const char *p = rel;
	size_t n;

	if (!*rel || *rel == '/')
		goto out_bad;
	while (*p) {
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			goto out_bad;
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
out_bad:
	return helios_error_set(err, HELIOS_ENAME,
				"'%s' is not a path inside the store", rel);
}

int store_read(struct store *st, const char *relpath, struct hbuf *out,
	       struct helios_error *err)
{
	char *path;
	int rc = check_relpath(relpath, err);

	if (rc)
		return rc;
	path = store__path(st, relpath);
	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	rc = store__read_file(path, out, err);
	free(path);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void store_names_free(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* Is de a regular file named NAME.yaml with a valid NAME?  Sets *len. */
static int persona_entry(int dfd, const struct dirent *de, size_t *len)
{
	struct stat sb;
	size_t n = strlen(de->d_name);

	if (n <= 5 || strcmp(de->d_name + n - 5, ".yaml") ||
	    hname_check_persona_file(de->d_name, NULL))
		return 0;
	if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	*len = n - 5;
	return 1;
}

int store_list_personas(struct store *st, char ***names, size_t *count,
			struct helios_error *err)
{
	char *path = store__path(st, "personas"), **list = NULL, **grown;
	size_t n = 0, cap = 0, len;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*names = NULL;
	*count = 0;
	if (!path)
		return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
	d = opendir(path);
	if (!d) {
		rc = errno == ENOENT ? 0 :
		     helios_error_sys(err, errno, "cannot list '%s'", path);
		free(path);
		return rc;
	}
	while ((de = readdir(d))) {
		if (!persona_entry(dirfd(d), de, &len))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				goto out_nomem;
			list = grown;
		}
		list[n] = strndup(de->d_name, len);
		if (!list[n])
			goto out_nomem;
		n++;
	}
	closedir(d);
	free(path);
	if (n)
		qsort(list, n, sizeof(*list), cmp_names);
	*names = list;
	*count = n;
	return 0;

out_nomem:
	closedir(d);
	free(path);
	store_names_free(list, n);
	return helios_error_set(err, HELIOS_ENOMEM, "out of memory");
}

/* Validate one store file; a missing or unreadable file is an error. */
static int validate_file(struct store *st, const char *rel,
			 struct hdiag_list *diags)
{
	struct helios_error e = { 0 };
	struct hbuf content;
	int rc;

	/* far above the parser's limit, which then reports the size */
	hbuf_init(&content, HBUF_MAX_DEFAULT);
	rc = store_read(st, rel, &content, &e);
	if (rc) {
		hdiag_add(diags, HDIAG_ERROR, rel, 0, 0, "%s",
			  rc == HELIOS_ENOTFOUND ? "missing" : e.msg);
		rc = HELIOS_EINVAL;
	} else {
		rc = hdoc_validate(hdoc_kind_of_path(rel), rel,
				   hbuf_str(&content), content.len, NULL,
				   diags, NULL);
	}
	hbuf_release(&content);
	return rc;
}

int store_validate_all(struct store *st, struct hdiag_list *diags)
{
	char **names, rel[STORE_PATH_MAX];
	struct helios_error e = { 0 };
	size_t n, i;
	int rc, bad;

	bad = validate_file(st, STORE_BASE_PATH, diags) != 0;
	rc = store_list_personas(st, &names, &n, &e);
	if (rc) {
		hdiag_add(diags, HDIAG_ERROR, "personas", 0, 0, "%s", e.msg);
		return HELIOS_EINVAL;
	}
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "personas/%s.yaml", names[i]);
		if (validate_file(st, rel, diags))
			bad = 1;
	}
	store_names_free(names, n);
	return bad ? HELIOS_EINVAL : 0;
}

int store_head(struct store *st, char out[41], struct helios_error *err)
{
	git_oid id;
	int rc;

	store_lock_enter(&st->lock);
	rc = store__git_ready(st, err);
	if (!rc)
		rc = store_git__tip(st, &id, err);
	if (!rc)
		git_oid_tostr(out, 41, &id);
	store_lock_leave(&st->lock);
	return rc;
}

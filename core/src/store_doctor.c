/*
 * store_doctor.c - diagnose a store without changing it, plus the object
 * walk and the permission sweep that recovery shares.
 */
#include "store_maint_i.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "atomic_i.h"

/* ------------------------------------------------------------------ */
/* Reachable objects                                                    */

/* Object ids already read; a sorted array is plenty for a store. */
struct oidset {
	git_oid *ids;
	size_t len;
	size_t cap;
};

static size_t oidset_find(const struct oidset *s, const git_oid *id,
			  int *found)
{
	size_t lo = 0, hi = s->len, mid;
	int c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = git_oid_cmp(&s->ids[mid], id);
		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* 1 when added, 0 when already there, HELIOS_ENOMEM. */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	git_oid *grown;
	size_t at;
	int found;

	at = oidset_find(s, id, &found);
	if (found)
		return 0;
	if (s->len == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		grown = realloc(s->ids, s->cap * sizeof(*grown));
		if (!grown)
			return HELIOS_ENOMEM;
		s->ids = grown;
	}
	memmove(&s->ids[at + 1], &s->ids[at], (s->len - at) * sizeof(*s->ids));
	git_oid_cpy(&s->ids[at], id);
	s->len++;
	return 1;
}

struct walk {
	git_repository *repo;
	git_odb *odb;
	struct oidset seen;
	git_oid *bad;
};

/* Read one object fully (hash checked); HELIOS_ENOTFOUND sets bad. */
static int walk_read(struct walk *w, const git_oid *id)
{
	git_odb_object *obj;
	int rc = oidset_add(&w->seen, id);

	if (rc <= 0)
		return rc;
	if (git_odb_read(&obj, w->odb, id) < 0) {
		git_oid_cpy(w->bad, id);
		return HELIOS_ENOTFOUND;
	}
	git_odb_object_free(obj);
	return 1;
}

static int walk_tree(struct walk *w, const git_oid *id)
{
	const git_tree_entry *e;
	git_tree *tree;
	size_t i;
	int rc = walk_read(w, id);

	if (rc <= 0)
		return rc;
	if (git_tree_lookup(&tree, w->repo, id) < 0) {
		git_oid_cpy(w->bad, id);
		return HELIOS_ENOTFOUND;
	}
	for (i = 0; i < git_tree_entrycount(tree); i++) {
		e = git_tree_entry_byindex(tree, i);
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			rc = walk_tree(w, git_tree_entry_id(e));
		else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			rc = walk_read(w, git_tree_entry_id(e));
		else
			rc = 0;	/* a submodule commit lives elsewhere */
		if (rc < 0)
			break;
	}
	git_tree_free(tree);
	return rc < 0 ? rc : 0;
}

/* Each commit, its tree and its parents, without recursion on history. */
static int walk_history(struct walk *w, const git_oid *tip)
{
	git_oid *todo, *grown;
	size_t n = 1, cap = 16, i;
	git_commit *c;
	git_oid id;
	int rc = 0;

	todo = malloc(cap * sizeof(*todo));
	if (!todo)
		return HELIOS_ENOMEM;
	git_oid_cpy(&todo[0], tip);
	while (n && rc >= 0) {
		git_oid_cpy(&id, &todo[--n]);
		rc = walk_read(w, &id);
		if (rc <= 0)
			continue;
		if (git_commit_lookup(&c, w->repo, &id) < 0) {
			git_oid_cpy(w->bad, &id);
			rc = HELIOS_ENOTFOUND;
			break;
		}
		rc = walk_tree(w, git_commit_tree_id(c));
		for (i = 0; rc >= 0 && i < git_commit_parentcount(c); i++) {
			if (n == cap) {
				cap *= 2;
				grown = realloc(todo, cap * sizeof(*todo));
				if (!grown) {
					rc = HELIOS_ENOMEM;
					break;
				}
				todo = grown;
			}
			git_oid_cpy(&todo[n++], git_commit_parent_id(c, i));
		}
		git_commit_free(c);
	}
	free(todo);
	return rc < 0 ? rc : 0;
}

int store_maint__check_reachable(git_repository *repo, const git_oid *tip,
				 git_oid *bad, size_t *count)
{
	struct walk w = { .repo = repo, .bad = bad };
	int rc;

	if (git_repository_odb(&w.odb, repo) < 0)
		return HELIOS_ENOTFOUND;
	rc = walk_history(&w, tip);
	if (count)
		*count = w.seen.len;
	free(w.seen.ids);
	git_odb_free(w.odb);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Permissions                                                          */

static size_t privatize_at(int dfd, const char *name, int depth)
{
	struct dirent *de;
	struct stat sb;
	size_t changed = 0;
	DIR *d;
	int fd;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    S_ISLNK(sb.st_mode))
		return 0;
	if ((sb.st_mode & 077) &&
	    fchmodat(dfd, name, sb.st_mode & 07700, 0) == 0)
		changed++;
	if (!S_ISDIR(sb.st_mode) || depth > 32)
		return changed;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return changed;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			changed += privatize_at(dirfd(d), de->d_name,
						depth + 1);
	}
	closedir(d);
	return changed;
}

size_t store_maint__privatize(const char *dir)
{
	return privatize_at(AT_FDCWD, dir, 0);
}

/* ------------------------------------------------------------------ */
/* Findings                                                             */

void store_checks_init(struct store_checks *c)
{
	memset(c, 0, sizeof(*c));
}

void store_checks_release(struct store_checks *c)
{
	size_t i;

	for (i = 0; i < c->len; i++) {
		free(c->items[i].area);
		free(c->items[i].text);
		free(c->items[i].fix);
	}
	free(c->items);
	memset(c, 0, sizeof(*c));
}

static int check_add(struct store_checks *c, enum store_check_status status,
		     const char *area, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int check_add(struct store_checks *c, enum store_check_status status,
		     const char *area, const char *fix, const char *fmt, ...)
{
	struct store_check *it, *grown;
	va_list ap;
	int n;

	if (c->len == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		grown = realloc(c->items, c->cap * sizeof(*grown));
		if (!grown)
			return HELIOS_ENOMEM;
		c->items = grown;
	}
	it = &c->items[c->len];
	memset(it, 0, sizeof(*it));
	it->status = status;
	it->area = strdup(area);
	it->fix = fix ? strdup(fix) : NULL;
	va_start(ap, fmt);
	n = vasprintf(&it->text, fmt, ap);
	va_end(ap);
	if (n < 0 || !it->area || (fix && !it->fix)) {
		if (n >= 0)
			free(it->text);
		free(it->area);
		free(it->fix);
		return HELIOS_ENOMEM;
	}
	c->len++;
	if (status == STORE_CHECK_FAIL)
		c->failed++;
	return 0;
}

/* The state the doctor works from: paths and "--helios-dir DIR" text. */
struct doctor {
	const char *dir;
	char opt[4200];		/* " --helios-dir 'DIR'" for fixes */
	char fix[9000];
	struct store_checks *out;
	git_repository *repo;	/* NULL when it cannot be opened */
	int rc;			/* sticky HELIOS_ENOMEM */
};

static const char *fix_cmd(struct doctor *d, const char *verb)
{
	snprintf(d->fix, sizeof(d->fix), "helios-mcp %s%s", verb, d->opt);
	return d->fix;
}

#define FOUND(d, st, area, fix, ...)					\
	do {								\
		if (check_add((d)->out, st, area, fix, __VA_ARGS__))	\
			(d)->rc = HELIOS_ENOMEM;			\
	} while (0)

static void check_layout(struct doctor *d)
{
	static const char *const dirs[] = { "base", "personas", ".git",
					    STORE_RUNTIME_DIR };
	char path[4400], buf[256];
	struct stat sb;
	ssize_t n;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d->dir, dirs[i]);
		if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
			FOUND(d, STORE_CHECK_FAIL, "layout",
			      "replace the link with a real directory",
			      "'%s' is a symbolic link; Helios refuses to "
			      "follow it", dirs[i]);
	}
	snprintf(path, sizeof(path), "%s/.helios_version", d->dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		FOUND(d, STORE_CHECK_FAIL, "layout", fix_cmd(d, "recover"),
		      ".helios_version is missing or unreadable: %s",
		      strerror(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (!strncmp(buf, "layout: ", 8) &&
	    atoi(buf + 8) == STORE_LAYOUT_VERSION)
		FOUND(d, STORE_CHECK_OK, "layout", NULL, "layout %d",
		      STORE_LAYOUT_VERSION);
	else if (!strncmp(buf, "layout: ", 8) &&
		 atoi(buf + 8) > STORE_LAYOUT_VERSION)
		FOUND(d, STORE_CHECK_FAIL, "layout",
		      "use a newer Helios for this store",
		      "layout %d is newer than this Helios knows (%d)",
		      atoi(buf + 8), STORE_LAYOUT_VERSION);
	else
		FOUND(d, STORE_CHECK_FAIL, "layout", fix_cmd(d, "recover"),
		      "old layout ('%.*s'); opening the store migrates it",
		      (int)strcspn(buf, "\n"), buf);
}

/* Validate one working file; HEAD tells whether recover can fix it. */
static void check_file(struct doctor *d, const char *rel)
{
	struct hdiag_list diags;
	char path[4400];
	struct hbuf b;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", d->dir, rel);
	hbuf_init(&b, HBUF_MAX_DEFAULT);
	hdiag_list_init(&diags);
	rc = store__read_file(path, &b, NULL);
	if (rc == HELIOS_ENOTFOUND)
		FOUND(d, STORE_CHECK_FAIL, "files", fix_cmd(d, "recover"),
		      "%s is missing", rel);
	else if (rc)
		FOUND(d, STORE_CHECK_FAIL, "files", fix_cmd(d, "recover"),
		      "%s cannot be read", rel);
	else if (hdoc_validate(hdoc_kind_of_path(rel), rel, hbuf_str(&b),
			       b.len, NULL, &diags, NULL))
		FOUND(d, STORE_CHECK_FAIL, "files",
		      fix_cmd(d, "recover"), "%s is invalid: %s", rel,
		      diags.len ? diags.items[0].text : "?");
	hdiag_list_release(&diags);
	hbuf_release(&b);
}

static void check_files(struct doctor *d)
{
	char path[4400], rel[STORE_PATH_MAX];
	size_t before = d->out->failed, n = 0;
	struct dirent *de;
	struct stat sb;
	DIR *dir;

	check_file(d, STORE_BASE_PATH);
	snprintf(path, sizeof(path), "%s/personas", d->dir);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (snprintf(rel, sizeof(rel), "personas/%s", de->d_name) >=
		    (int)sizeof(rel) || hdoc_kind_of_path(rel) != HDOC_PERSONA)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode)) {
			FOUND(d, STORE_CHECK_FAIL, "files",
			      "remove the link and save a real file",
			      "%s is a symbolic link; Helios ignores it", rel);
			continue;
		}
		check_file(d, rel);
		n++;
	}
	if (dir)
		closedir(dir);
	if (d->out->failed == before)
		FOUND(d, STORE_CHECK_OK, "files", NULL,
		      "base identity and %zu persona(s) valid", n);
}

/*
 * A lock file in .git that no process holds open was left by a killed
 * writer: Helios's next commit removes it, but plain git commands refuse
 * to run until then.
 */
static void check_git_locks(struct doctor *d)
{
	char path[PATH_MAX], fix[PATH_MAX + 16];

	if (!store_gitlock__find_stale(git_repository_path(d->repo), path,
				       sizeof(path)))
		return;
	snprintf(fix, sizeof(fix), "rm '%s'", path);
	FOUND(d, STORE_CHECK_FAIL, "git", fix,
	      "stale lock file '%s' left by a writer that was killed", path);
}

static void check_git(struct doctor *d)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_reference *head = NULL;
	git_oid tip, bad;
	size_t n;
	int rc;

	if (git_repository_open_ext(&d->repo, d->dir,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		d->repo = NULL;
		FOUND(d, STORE_CHECK_FAIL, "git", "helios-mcp restore-backup "
		      "FILE (or helios-mcp recover to start a new history)",
		      "no usable git repository: %s", git_error_last() ?
		      git_error_last()->message : "unknown error");
		return;
	}
	/* every change is refused until HEAD is main again */
	snprintf(d->fix, sizeof(d->fix), "git -C '%s' symbolic-ref HEAD "
		 STORE_BRANCH_REF, d->dir);
	if (git_reference_lookup(&head, d->repo, "HEAD") < 0) {
		FOUND(d, STORE_CHECK_FAIL, "git", d->fix, "HEAD is broken");
	} else if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
		   strcmp(git_reference_symbolic_target(head),
			  STORE_BRANCH_REF)) {
		snprintf(d->fix, sizeof(d->fix), "git -C '%s' checkout main",
			 d->dir);
		FOUND(d, STORE_CHECK_FAIL, "git", d->fix,
		      "HEAD is not on branch main");
	}
	git_reference_free(head);
	check_git_locks(d);
	if (git_reference_name_to_id(&tip, d->repo, STORE_BRANCH_REF) < 0) {
		FOUND(d, STORE_CHECK_FAIL, "git", fix_cmd(d, "recover"),
		      "refs/heads/main is missing or broken: %s",
		      git_error_last() ? git_error_last()->message : "?");
		return;
	}
	rc = store_maint__check_reachable(d->repo, &tip, &bad, &n);
	git_oid_tostr(hex, sizeof(hex), &bad);
	if (rc == HELIOS_ENOMEM)
		d->rc = rc;
	else if (rc)
		FOUND(d, STORE_CHECK_FAIL, "git", fix_cmd(d, "recover"),
		      "object %s reachable from main is missing or damaged",
		      hex);
	else
		FOUND(d, STORE_CHECK_OK, "git", NULL,
		      "main and all %zu objects reachable from it are intact",
		      n);
}

/* Does this /proc/PID/fdinfo file show a lock on the inode of sb? */
static int fdinfo_locks(const char *path, const struct stat *sb)
{
	char line[256];
	unsigned maj, min;
	unsigned long ino;
	int found = 0;
	FILE *f = fopen(path, "re");

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "lock:", 5) ||
		    sscanf(line + 5, "%*s %*s %*s %*s %*s %x:%x:%lu", &maj,
			   &min, &ino) != 3)
			continue;
		found = ino == sb->st_ino && maj == major(sb->st_dev) &&
			min == minor(sb->st_dev);
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * Who holds the lock on the file of sb?  OFD locks show pid -1 in
 * /proc/locks, so look through /proc/PID/fdinfo (as fuser does).
 */
static long lock_holder(const struct stat *sb, char *comm, size_t size)
{
	char path[600];
	struct dirent *p, *fd;
	DIR *procs, *fds;
	long pid = -1;
	FILE *f;

	procs = opendir("/proc");
	while (procs && pid < 0 && (p = readdir(procs))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo", p->d_name);
		fds = opendir(path);
		while (fds && pid < 0 && (fd = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s",
				 p->d_name, fd->d_name);
			if (fd->d_name[0] != '.' && fdinfo_locks(path, sb))
				pid = atol(p->d_name);
		}
		if (fds)
			closedir(fds);
	}
	if (procs)
		closedir(procs);
	snprintf(comm, size, "?");
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = pid > 0 ? fopen(path, "re") : NULL;
	if (f && fgets(comm, (int)size, f))
		comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
	return pid;
}

static void check_lock(struct doctor *d)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[4400];
	char comm[64];
	struct stat sb;
	long pid;
	int fd, tries;

	snprintf(path, sizeof(path), "%s/%s/lock", d->dir, STORE_RUNTIME_DIR);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		FOUND(d, STORE_CHECK_OK, "lock", NULL, "no lock file (no "
		      "writer has run yet)");
		return;
	}
	/* a save holds the lock for milliseconds: only a long hold counts */
	for (tries = 0; tries < 20; tries++) {
		fl.l_type = F_WRLCK;
		fl.l_pid = 0;
		if (fcntl(fd, F_OFD_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
			break;
		usleep(100 * 1000);
	}
	pid = fstat(fd, &sb) == 0 ? lock_holder(&sb, comm, sizeof(comm)) : -1;
	close(fd);
	snprintf(d->fix, sizeof(d->fix), "find the writer with 'fuser -v %s' "
		 "and let it finish or stop it", path);
	if (fl.l_type == F_UNLCK)
		FOUND(d, STORE_CHECK_OK, "lock", NULL, "store lock is free");
	else if (pid > 0)
		FOUND(d, STORE_CHECK_FAIL, "lock", d->fix,
		      "store lock held for over 2 s by pid %ld (%s)", pid,
		      comm);
	else
		FOUND(d, STORE_CHECK_FAIL, "lock", d->fix,
		      "store lock held for over 2 s by another process");
}

/* Count entries with group/other bits below dir, not following links. */
static size_t count_open_at(int dfd, const char *name, int depth)
{
	struct dirent *de;
	struct stat sb;
	size_t n = 0;
	DIR *dir;
	int fd;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    S_ISLNK(sb.st_mode))
		return 0;
	n = (sb.st_mode & 077) ? 1 : 0;
	if (!S_ISDIR(sb.st_mode) || depth > 32)
		return n;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return n;
	}
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n += count_open_at(dirfd(dir), de->d_name, depth + 1);
	}
	closedir(dir);
	return n;
}

/*
 * The store directory itself must be private: then nothing below it is
 * reachable by others.  Open entries below it (the git command line
 * writes its index 0644, for one) are only worth a warning.
 */
static void check_permissions(struct doctor *d)
{
	size_t n = count_open_at(AT_FDCWD, d->dir, 0);
	struct stat sb;
	int top_open = stat(d->dir, &sb) == 0 && (sb.st_mode & 077);

	snprintf(d->fix, sizeof(d->fix), "chmod -R go-rwx '%s'", d->dir);
	if (top_open)
		FOUND(d, STORE_CHECK_FAIL, "permissions", d->fix,
		      "the store directory is open to group or others "
		      "(mode %03o)", (unsigned)(sb.st_mode & 0777));
	else if (n)
		FOUND(d, STORE_CHECK_WARN, "permissions", d->fix,
		      "%zu entries inside the private store directory are "
		      "open to group or others", n);
	else
		FOUND(d, STORE_CHECK_OK, "permissions", NULL,
		      "private to its owner");
}

/* Undo the octal escapes (\040 for a space) of /proc/self/mountinfo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] &&
		    s[3]) {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* One mountinfo line: its mount point, fs type and source. */
static int parse_mountinfo(char *line, char **mnt, char **type, char **src)
{
	char *save, *tok, *sep = strstr(line, " - ");
	int i;

	if (!sep)
		return -1;
	*sep = '\0';
	tok = strtok_r(line, " ", &save);
	for (i = 0; tok && i < 4; i++)
		tok = strtok_r(NULL, " ", &save);
	*mnt = tok;
	*type = strtok_r(sep + 3, " ", &save);
	*src = strtok_r(NULL, " ", &save);
	if (!*mnt || !*type || !*src)
		return -1;
	unescape(*mnt);
	unescape(*src);
	return 0;
}

static void check_mounts(struct doctor *d)
{
	char *line = NULL, *mnt, *type, *src;
	size_t cap = 0, live = 0;
	struct statfs sfs;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	while (f && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (parse_mountinfo(line, &mnt, &type, &src) ||
		    strcmp(type, "fuse.helios-fs") || strcmp(src, d->dir))
			continue;
		/* statfs always reaches the daemon; stat may be cached */
		if (statfs(mnt, &sfs) < 0 && errno == ENOTCONN) {
			snprintf(d->fix, sizeof(d->fix),
				 "fusermount3 -u '%s'", mnt);
			FOUND(d, STORE_CHECK_FAIL, "mounts", d->fix,
			      "dead mount of this store at '%s' (its "
			      "helios-fs is gone)", mnt);
			continue;
		}
		if (live++) {
			snprintf(d->fix, sizeof(d->fix),
				 "fusermount3 -u '%s'", mnt);
			FOUND(d, STORE_CHECK_WARN, "mounts", d->fix,
			      "store also mounted at '%s'", mnt);
		} else {
			FOUND(d, STORE_CHECK_OK, "mounts", NULL,
			      "mounted at '%s'", mnt);
		}
	}
	free(line);
	if (f)
		fclose(f);
}

int store_doctor(const char *dir, struct store_checks *out)
{
	struct doctor d = { .dir = dir, .out = out };
	struct stat sb;

	snprintf(d.opt, sizeof(d.opt), " --helios-dir '%s'", dir);
	git_libgit2_init();
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		FOUND(&d, STORE_CHECK_FAIL, "layout", fix_cmd(&d, "init"),
		      "'%s' is not a directory", dir);
		goto out_shutdown;
	}
	check_layout(&d);
	check_files(&d);
	check_git(&d);
	check_lock(&d);
	check_permissions(&d);
	check_mounts(&d);
	git_repository_free(d.repo);
out_shutdown:
	git_libgit2_shutdown();
	return d.rc ? d.rc : (int)out->failed;
}

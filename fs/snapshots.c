/*
 * snapshots.c - /snapshots, the history of main as read-only
 * directories, and the dispatch of every view path (see views_i.h).
 */
#include "views_i.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SNAP_REF "refs/heads/main"
#define SNAP_ABBREV 7
#define SNAP_TIE_MAX 999
/* Snapshot names resolved lately, so a path walk does not re-check. */
#define SNAP_RECENT 16
/* Ceiling of libgit2's object cache in the daemon (process-wide). */
#define SNAP_GIT_CACHE_MAX ((size_t)16 << 20)

struct snap_entry {
	char name[SFS_SNAPSHOT_NAME_MAX];
	git_oid id;
	git_time_t time;
};

/* Everything below is guarded by snap_mutex. */
static pthread_mutex_t snap_mutex = PTHREAD_MUTEX_INITIALIZER;
static git_repository *snap_repo;
static int snap_git_ready;

/* A commit in the listing: its name is made when it is listed. */
struct snap_item {
	git_oid id;
	git_time_t time;
	unsigned tie;
};

/* The listing of /snapshots in name order, for main at list_head. */
static struct snap_item *list;
static size_t list_len;
static git_oid list_head;
static int list_valid;

/* Names resolved lately from their short ids. */
static struct snap_entry recent[SNAP_RECENT];
static size_t recent_next;

/* ---- dispatch of view paths ---- */

static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!path || path[0] != '/' || strncmp(path + 1, dir, n) != 0)
		return NULL;
	if (path[1 + n] != '\0' && path[1 + n] != '/')
		return NULL;
	return path + 1 + n;
}

int sfs_view_path(const char *path)
{
	return under(path, SFS_SNAPSHOTS_DIR) || under(path, SFS_MERGED_DIR);
}

uint64_t sfs_view_ino(const char *path)
{
	uint64_t h = 1469598103934665603ULL;

	/* FNV-1a, kept in the top quarter of the inode space. */
	for (; *path; path++) {
		h ^= (unsigned char)*path;
		h *= 1099511628211ULL;
	}
	return ((uint64_t)3 << 62) | (h >> 2);
}

int sfs_view_getattr(const char *path, struct stat *st)
{
	const char *sub;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((sub = under(path, SFS_SNAPSHOTS_DIR)))
		rc = sfs_snap_getattr(sub, st);
	else if ((sub = under(path, SFS_MERGED_DIR)))
		rc = sfs_merged_getattr(sub, st);
	else
		return -ENOENT;
	if (rc)
		return rc;
	st->st_ino = sfs_view_ino(path);
	st->st_uid = sfs.uid;
	st->st_gid = sfs.gid;
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
	if (!st->st_nlink)
		st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	return 0;
}

int sfs_view_fgetattr(const struct sfs_handle *h, struct stat *st)
{
	int rc = sfs_view_getattr(h->rel, st);

	/* An open file keeps what it read at open, even if main moved. */
	if (rc == 0)
		st->st_size = (off_t)h->shadow.len;
	return rc;
}

int sfs_view_opendir(const char *path, struct fuse_file_info *fi)
{
	struct sfs_handle *h;
	struct stat st;
	int rc;

	rc = sfs_view_getattr(path, &st);
	if (rc)
		return rc;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (fi->flags & (O_WRONLY | O_RDWR))
		return -EROFS;
	rc = sfs_handle_new(SFS_H_DIR, &h);
	if (rc)
		return rc;
	h->rel = strdup(path);
	if (!h->rel) {
		sfs_handle_free(h);
		return -ENOMEM;
	}
	fi->fh = (uintptr_t)h;
	return 0;
}

int sfs_view_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		     off_t off, struct sfs_handle *dir)
{
	const char *sub;

	if ((sub = under(path, SFS_SNAPSHOTS_DIR)))
		return sfs_snap_readdir(sub, buf, fill, off, dir);
	if ((sub = under(path, SFS_MERGED_DIR)))
		return sfs_merged_readdir(sub, buf, fill);
	return -ENOENT;
}

int sfs_view_open(const char *path, struct fuse_file_info *fi)
{
	struct sfs_handle *h;
	const char *sub;
	int rc;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	rc = sfs_handle_new(SFS_H_VIEW, &h);
	if (rc)
		return rc;
	h->rel = strdup(path);
	if (!h->rel) {
		rc = -ENOMEM;
		goto out_free_handle;
	}
	if ((sub = under(path, SFS_SNAPSHOTS_DIR))) {
		rc = sfs_snap_open(sub, h);
		/* A path in a snapshot never changes its content. */
		fi->keep_cache = 1;
	} else {
		rc = sfs_merged_open(under(path, SFS_MERGED_DIR), h);
		/* Recomputed at every open; its size may change any time. */
		fi->direct_io = 1;
	}
	if (rc)
		goto out_free_handle;
	fi->fh = (uintptr_t)h;
	return 0;

out_free_handle:
	sfs_handle_free(h);
	return rc;
}

int sfs_view_read(const struct sfs_handle *h, char *buf, size_t size,
		  off_t off)
{
	size_t n;

	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= h->shadow.len)
		return 0;
	n = h->shadow.len - (size_t)off;
	if (n > size)
		n = size;
	memcpy(buf, h->shadow.ptr + off, n);
	return (int)n;
}

int sfs_view_readlink(const char *path, char *buf, size_t size)
{
	const char *sub = under(path, SFS_SNAPSHOTS_DIR);

	if (!sub)
		return -EINVAL;
	return sfs_snap_readlink(sub, buf, size);
}

void sfs_view_fill_root(void *buf, fuse_fill_dir_t fill)
{
	fill(buf, SFS_SNAPSHOTS_DIR, NULL, 0, 0);
	fill(buf, SFS_MERGED_DIR, NULL, 0, 0);
}

void sfs_views_head_changed(void)
{
	/*
	 * Once the loop has ended, libfuse frees its node table before it
	 * calls sfs_destroy(): an invalidation then reads freed memory.
	 */
	if (!sfs.fuse || fuse_session_exited(fuse_get_session(sfs.fuse)))
		return;
	fuse_invalidate_path(sfs.fuse, "/" SFS_SNAPSHOTS_DIR "/"
			     SFS_SNAPSHOT_LATEST);
	fuse_invalidate_path(sfs.fuse, "/" SFS_SNAPSHOTS_DIR);
}

void sfs_views_stop(void)
{
	pthread_mutex_lock(&snap_mutex);
	free(list);
	list = NULL;
	list_len = 0;
	list_valid = 0;
	recent_next = 0;
	memset(recent, 0, sizeof(recent));
	git_repository_free(snap_repo);
	snap_repo = NULL;
	if (snap_git_ready)
		git_libgit2_shutdown();
	snap_git_ready = 0;
	pthread_mutex_unlock(&snap_mutex);
}

/* ---- git side; everything below needs snap_mutex ---- */

static int git_errno(int code)
{
	switch (code) {
	case GIT_ENOTFOUND:
	case GIT_EAMBIGUOUS:
		return -ENOENT;
	default:
		return -EIO;
	}
}

/* Open the store's repository on first use: nothing at mount time. */
static int snap_repo_get(git_repository **out)
{
	int rc;

	if (!snap_repo) {
		if (!snap_git_ready) {
			if (git_libgit2_init() < 0)
				return -EIO;
			snap_git_ready = 1;
			/*
			 * A walk of a long history would otherwise keep
			 * every commit it read (up to 256 MiB) for the
			 * daemon's lifetime.
			 */
			git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE,
					 (ssize_t)SNAP_GIT_CACHE_MAX);
		}
		rc = git_repository_open_ext(&snap_repo, sfs.dir,
					     GIT_REPOSITORY_OPEN_NO_SEARCH,
					     NULL);
		if (rc < 0) {
			sfs_log(LOG_ERR, "cannot open the git repository of "
				"'%s': %s", sfs.dir, git_error_last() ?
				git_error_last()->message : "unknown error");
			snap_repo = NULL;
			return -EIO;
		}
	}
	*out = snap_repo;
	return 0;
}

/* Where main points now: one small file read, no history. */
static int snap_head(git_repository *repo, git_oid *out)
{
	int rc = git_reference_name_to_id(out, repo, SNAP_REF);

	return rc < 0 ? git_errno(rc) : 0;
}

/*
 * How many first parents in a row were made in the same second as c:
 * the counter that orders commits within one second.  Capped.
 */
static unsigned snap_tie(const git_commit *c)
{
	git_time_t t = git_commit_time(c);
	git_commit *cur = NULL, *parent;
	unsigned n = 0;

	while (n < SNAP_TIE_MAX &&
	       git_commit_parent(&parent, cur ? cur : c, 0) == 0) {
		git_commit_free(cur);
		cur = parent;
		if (git_commit_time(cur) != t)
			break;
		n++;
	}
	git_commit_free(cur);
	return n;
}

static void snap_format(char *out, git_time_t t, unsigned tie,
			const git_oid *id)
{
	char stamp[32], hex[SNAP_ABBREV + 1];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H%M%SZ", &tm);
	git_oid_tostr(hex, sizeof(hex), id);
	if (tie)
		snprintf(out, SFS_SNAPSHOT_NAME_MAX, "%s.%03u-%s", stamp, tie,
			 hex);
	else
		snprintf(out, SFS_SNAPSHOT_NAME_MAX, "%s-%s", stamp, hex);
}

/* Listing order is name order: time, then counter, then id. */
static int item_cmp(const void *a, const void *b)
{
	const struct snap_item *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->tie != y->tie)
		return x->tie < y->tie ? -1 : 1;
	return git_oid_cmp(&x->id, &y->id);
}

/* One commit met by the walk: id, time and first parent. */
struct walk_item {
	git_oid id;
	git_oid parent;
	git_time_t time;
	int has_parent;
};

/* The ids seen by a walk: open addressing, sized for the history. */
struct oid_set {
	git_oid *slots;
	unsigned char *used;
	size_t cap, len;
};

static size_t oid_hash(const git_oid *id, size_t cap)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h & (cap - 1);
}

static int oid_set_grow(struct oid_set *s)
{
	struct oid_set n = { 0 };
	size_t i, j;

	n.cap = s->cap ? s->cap * 2 : 4096;
	n.slots = malloc(n.cap * sizeof(*n.slots));
	n.used = calloc(n.cap, 1);
	if (!n.slots || !n.used) {
		free(n.slots);
		free(n.used);
		return -ENOMEM;
	}
	for (i = 0; i < s->cap; i++) {
		if (!s->used[i])
			continue;
		for (j = oid_hash(&s->slots[i], n.cap); n.used[j];
		     j = (j + 1) & (n.cap - 1))
			;
		n.slots[j] = s->slots[i];
		n.used[j] = 1;
	}
	n.len = s->len;
	free(s->slots);
	free(s->used);
	*s = n;
	return 0;
}

/* Add id; 1 when it was new, 0 when seen already, -ENOMEM. */
static int oid_set_add(struct oid_set *s, const git_oid *id)
{
	size_t j;

	if ((s->len + 1) * 2 > s->cap && oid_set_grow(s))
		return -ENOMEM;
	for (j = oid_hash(id, s->cap); s->used[j]; j = (j + 1) & (s->cap - 1))
		if (git_oid_equal(&s->slots[j], id))
			return 0;
	s->slots[j] = *id;
	s->used[j] = 1;
	s->len++;
	return 1;
}

static void oid_set_release(struct oid_set *s)
{
	free(s->slots);
	free(s->used);
}

/*
 * Parents and committer time from a raw commit object.  Parsed here
 * rather than with git_commit_lookup(): the walk reads each commit once
 * and keeps no parsed objects, so a long history costs one pass.
 */
static int parse_commit(const char *p, size_t len, git_oid *parents,
			size_t max, size_t *np, git_time_t *time)
{
	const char *end = p + len, *eol, *gt;

	*np = 0;
	*time = 0;
	while (p < end && *p != '\n') {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) >= 7 + GIT_OID_HEXSZ &&
		    memcmp(p, "parent ", 7) == 0) {
			if (*np < max &&
			    git_oid_fromstrn(&parents[*np], p + 7,
					     GIT_OID_HEXSZ) < 0)
				return -EIO;
			(*np)++;
		} else if ((size_t)(eol - p) > 10 &&
			   memcmp(p, "committer ", 10) == 0) {
			for (gt = eol; gt > p && gt[-1] != '>'; gt--)
				;
			*time = (git_time_t)strtoll(gt, NULL, 10);
		}
		p = eol + 1;
	}
	return 0;
}

struct walk {
	git_odb *odb;
	struct oid_set seen;
	git_oid *stack;
	size_t depth, stack_cap;
	struct walk_item *items;
	size_t n, cap;
};

static int walk_push(struct walk *w, const git_oid *id)
{
	git_oid *grown;
	int rc = oid_set_add(&w->seen, id);

	if (rc <= 0)
		return rc;
	if (w->depth == w->stack_cap) {
		w->stack_cap = w->stack_cap ? w->stack_cap * 2 : 64;
		grown = realloc(w->stack, w->stack_cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		w->stack = grown;
	}
	w->stack[w->depth++] = *id;
	return 0;
}

/* Read one commit, record it and queue its parents (first on top). */
static int walk_visit(struct walk *w, const git_oid *id)
{
	git_oid parents[16];
	struct walk_item *it, *grown;
	git_odb_object *obj;
	size_t np, i;
	int rc;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		grown = realloc(w->items, w->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		w->items = grown;
	}
	rc = git_odb_read(&obj, w->odb, id);
	if (rc < 0)
		return git_errno(rc);
	it = &w->items[w->n++];
	it->id = *id;
	rc = git_odb_object_type(obj) == GIT_OBJECT_COMMIT ?
	     parse_commit(git_odb_object_data(obj), git_odb_object_size(obj),
			  parents, 16, &np, &it->time) : -EIO;
	git_odb_object_free(obj);
	if (rc)
		return rc;
	it->has_parent = np > 0;
	if (np)
		it->parent = parents[0];
	for (i = np < 16 ? np : 16; !rc && i-- > 0;)
		rc = walk_push(w, &parents[i]);
	return rc;
}

/* Every commit reachable from head, in the order a walk meets them. */
static int walk_collect(git_repository *repo, const git_oid *head,
			struct walk_item **out, size_t *len)
{
	struct walk w = { 0 };
	git_oid id;
	int rc;

	rc = git_repository_odb(&w.odb, repo);
	if (rc < 0)
		return git_errno(rc);
	rc = walk_push(&w, head);
	while (!rc && w.depth) {
		id = w.stack[--w.depth];
		rc = walk_visit(&w, &id);
	}
	git_odb_free(w.odb);
	oid_set_release(&w.seen);
	free(w.stack);
	if (rc) {
		free(w.items);
		return rc;
	}
	*out = w.items;
	*len = w.n;
	return 0;
}

/*
 * Counters of same-second commits for a walk.  In a linear stretch
 * the next item is the first parent and the counter follows from it;
 * elsewhere (merges) the parents are walked.
 */
static void walk_ties(git_repository *repo, const struct walk_item *items,
		      size_t n, struct snap_item *out)
{
	git_commit *c;
	size_t i;

	for (i = n; i-- > 0;) {
		out[i].id = items[i].id;
		out[i].time = items[i].time;
		out[i].tie = 0;
		if (!items[i].has_parent)
			continue;
		if (i + 1 < n && git_oid_equal(&items[i + 1].id,
					       &items[i].parent)) {
			if (items[i + 1].time == items[i].time)
				out[i].tie = out[i + 1].tie < SNAP_TIE_MAX ?
					     out[i + 1].tie + 1 : SNAP_TIE_MAX;
			continue;
		}
		if (git_commit_lookup(&c, repo, &items[i].id) == 0) {
			out[i].tie = snap_tie(c);
			git_commit_free(c);
		}
	}
}

/* Build the listing for main at head; replaces the cached one. */
static int snap_list_build(git_repository *repo, const git_oid *head)
{
	struct walk_item *items;
	struct snap_item *sorted;
	size_t n;
	int rc;

	rc = walk_collect(repo, head, &items, &n);
	if (rc)
		return rc;
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted) {
		free(items);
		return -ENOMEM;
	}
	walk_ties(repo, items, n, sorted);
	free(items);
	qsort(sorted, n, sizeof(*sorted), item_cmp);

	free(list);
	list = sorted;
	list_len = n;
	list_head = *head;
	list_valid = 1;
	return 0;
}

/* "2026-12-04T152216Z[.NNN]-..." to its time and counter. */
static int name_parse(const char *name, git_time_t *t, unsigned *tie)
{
	struct tm tm;
	char sep;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(name, "%4d-%2d-%2dT%2d%2d%2d%c", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		   &sep) != 7 || sep != 'Z')
		return -ENOENT;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = (git_time_t)timegm(&tm);
	*tie = 0;
	if (name[18] == '.' && sscanf(name + 19, "%3u", tie) != 1)
		return -ENOENT;
	return 0;
}

/* The cached listing's entry named name, into out. */
static int list_find(const char *name, struct snap_entry *out)
{
	struct snap_item key = { 0 };
	size_t lo = 0, hi = list_len, mid;

	if (name_parse(name, &key.time, &key.tie))
		return -ENOENT;
	/* The first item not before (time, tie). */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (list[mid].time < key.time ||
		    (list[mid].time == key.time && list[mid].tie < key.tie))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < list_len && list[lo].time == key.time &&
	       list[lo].tie == key.tie; lo++) {
		snap_format(out->name, list[lo].time, list[lo].tie,
			    &list[lo].id);
		if (strcmp(out->name, name) == 0) {
			out->id = list[lo].id;
			out->time = list[lo].time;
			return 0;
		}
	}
	return -ENOENT;
}

static const struct snap_entry *recent_find(const char *name)
{
	size_t i;

	for (i = 0; i < SNAP_RECENT; i++)
		if (recent[i].name[0] && strcmp(recent[i].name, name) == 0)
			return &recent[i];
	return NULL;
}

static void recent_add(const struct snap_entry *e)
{
	recent[recent_next] = *e;
	recent_next = (recent_next + 1) % SNAP_RECENT;
}

/* Split "TIME[.NNN]-HEX" into the hex part; NULL when malformed. */
static const char *name_hex(const char *name)
{
	const char *dash;
	size_t len;

	if (strlen(name) < 18 || name[10] != 'T' || name[17] != 'Z')
		return NULL;
	dash = strchr(name + 17, '-');
	if (!dash)
		return NULL;
	len = strlen(dash + 1);
	if (len < 4 || len > GIT_OID_HEXSZ ||
	    strspn(dash + 1, "0123456789abcdef") != len)
		return NULL;
	return dash + 1;
}

/*
 * Resolve a snapshot name without walking history: the short id is
 * looked up, and the name that commit gets must be the one asked for
 * (same time, same counter).  Whether the commit is on main is only
 * checked when the listing for the current main is cached: proving it
 * otherwise means reading the history back to that commit.  An
 * ambiguous short id falls back to the listing.
 */
static int snap_resolve(git_repository *repo, const git_oid *head,
			const char *name, struct snap_entry *out)
{
	const struct snap_entry *e;
	git_object *obj;
	const char *hex = name_hex(name);
	git_oid prefix;
	int rc;

	if (!hex)
		return -ENOENT;
	if (list_valid && git_oid_equal(&list_head, head))
		return list_find(name, out);
	if ((e = recent_find(name))) {
		*out = *e;
		return 0;
	}

	rc = git_oid_fromstrn(&prefix, hex, strlen(hex));
	if (rc == 0)
		rc = git_object_lookup_prefix(&obj, repo, &prefix,
					      strlen(hex), GIT_OBJECT_COMMIT);
	if (rc == GIT_EAMBIGUOUS) {
		rc = snap_list_build(repo, head);
		return rc ? rc : snap_resolve(repo, head, name, out);
	}
	if (rc < 0)
		return git_errno(rc);

	out->id = *git_object_id(obj);
	out->time = git_commit_time((git_commit *)obj);
	snap_format(out->name, out->time, snap_tie((git_commit *)obj),
		    &out->id);
	git_object_free(obj);
	if (strcmp(out->name, name) != 0)
		return -ENOENT;
	recent_add(out);
	return 0;
}

/* The commit a name under /snapshots stands for ("latest" too). */
static int snap_find(git_repository *repo, const char *name,
		     struct snap_entry *out)
{
	git_commit *c;
	git_oid head;
	int rc;

	rc = snap_head(repo, &head);
	if (rc)
		return rc;
	if (strcmp(name, SFS_SNAPSHOT_LATEST) != 0)
		return snap_resolve(repo, &head, name, out);

	rc = git_commit_lookup(&c, repo, &head);
	if (rc < 0)
		return git_errno(rc);
	out->id = head;
	out->time = git_commit_time(c);
	snap_format(out->name, out->time, snap_tie(c), &head);
	git_commit_free(c);
	return 0;
}

/*
 * Split sub ("/NAME/personas/x.yaml") into the snapshot name and the
 * path inside it ("personas/x.yaml", "" for the snapshot itself).
 * Returns -ENOENT for anything that cannot exist.
 */
static int snap_split(const char *sub, char *name, const char **inner)
{
	const char *slash;
	size_t n;

	if (sub[0] != '/')
		return -ENOENT;
	sub++;
	slash = strchr(sub, '/');
	n = slash ? (size_t)(slash - sub) : strlen(sub);
	if (n == 0 || n >= SFS_SNAPSHOT_NAME_MAX)
		return -ENOENT;
	memcpy(name, sub, n);
	name[n] = '\0';
	*inner = slash ? slash + 1 : "";
	return 0;
}

/* Only base/ and personas/ of a commit's tree are shown. */
static int inner_allowed(const char *inner)
{
	return strncmp(inner, "base", 4) == 0 ?
		       (inner[4] == '\0' || inner[4] == '/') :
	       strncmp(inner, "personas", 8) == 0 ?
		       (inner[8] == '\0' || inner[8] == '/') : 0;
}

static void snap_time(struct stat *st, git_time_t t)
{
	st->st_mtim.tv_sec = (time_t)t;
	st->st_atim = st->st_ctim = st->st_mtim;
}

/*
 * The tree entry of inner in commit id; *out is NULL for the
 * snapshot's own directory.  Free with git_tree_entry_free().
 */
static int snap_entry_at(git_repository *repo, const git_oid *id,
			 const char *inner, git_tree_entry **out)
{
	git_commit *c;
	git_tree *tree;
	int rc;

	*out = NULL;
	if (*inner == '\0')
		return 0;
	if (!inner_allowed(inner))
		return -ENOENT;
	rc = git_commit_lookup(&c, repo, id);
	if (rc < 0)
		return git_errno(rc);
	rc = git_commit_tree(&tree, c);
	git_commit_free(c);
	if (rc < 0)
		return git_errno(rc);
	rc = git_tree_entry_bypath(out, tree, inner);
	git_tree_free(tree);
	return rc < 0 ? git_errno(rc) : 0;
}

static int entry_stat(git_repository *repo, const git_tree_entry *e,
		      struct stat *st)
{
	git_object_t type;
	git_odb *odb;
	size_t len;
	int rc;

	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_TREE:
		st->st_mode = S_IFDIR | 0555;
		return 0;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		break;
	default:
		return -ENOENT;
	}
	rc = git_repository_odb(&odb, repo);
	if (rc < 0)
		return git_errno(rc);
	/* The size from the object header: nothing is inflated. */
	rc = git_odb_read_header(&len, &type, odb, git_tree_entry_id(e));
	git_odb_free(odb);
	if (rc < 0)
		return git_errno(rc);
	st->st_mode = S_IFREG | 0444;
	st->st_size = (off_t)len;
	return 0;
}

static int snap_getattr_locked(git_repository *repo, const char *sub,
			       struct stat *st)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	struct snap_entry se;
	git_tree_entry *e;
	const char *inner;
	git_commit *c;
	git_oid head;
	int rc;

	if (*sub == '\0') {
		rc = snap_head(repo, &head);
		if (rc == 0 && git_commit_lookup(&c, repo, &head) == 0) {
			snap_time(st, git_commit_time(c));
			git_commit_free(c);
		}
		st->st_mode = S_IFDIR | 0555;
		return 0;
	}
	rc = snap_split(sub, name, &inner);
	if (rc)
		return rc;
	rc = snap_find(repo, name, &se);
	if (rc)
		return rc;
	snap_time(st, se.time);
	if (strcmp(name, SFS_SNAPSHOT_LATEST) == 0) {
		if (*inner)
			return -ENOTDIR;	/* the kernel follows links */
		st->st_mode = S_IFLNK | 0777;
		st->st_size = (off_t)strlen(se.name);
		return 0;
	}
	rc = snap_entry_at(repo, &se.id, inner, &e);
	if (rc)
		return rc;
	if (!e) {
		st->st_mode = S_IFDIR | 0555;
		return 0;
	}
	rc = entry_stat(repo, e, st);
	git_tree_entry_free(e);
	return rc;
}

int sfs_snap_getattr(const char *sub, struct stat *st)
{
	git_repository *repo;
	int rc;

	pthread_mutex_lock(&snap_mutex);
	rc = snap_repo_get(&repo);
	if (!rc)
		rc = snap_getattr_locked(repo, sub, st);
	pthread_mutex_unlock(&snap_mutex);
	return rc;
}

/* Copy the listing for main as it is now into out (appended). */
static int snap_list_copy(git_repository *repo, struct hbuf *out)
{
	git_oid head;
	int rc;

	rc = snap_head(repo, &head);
	if (rc)
		return rc;
	if (!list_valid || !git_oid_equal(&list_head, &head)) {
		rc = snap_list_build(repo, &head);
		if (rc)
			return rc;
	}
	return sfs_errno(hbuf_add(out, list, list_len * sizeof(*list)));
}

static int fill_tree(git_repository *repo, const git_oid *id,
		     const char *inner, void *buf, fuse_fill_dir_t fill)
{
	const git_tree_entry *te;
	git_tree_entry *e;
	git_tree *tree;
	git_filemode_t mode;
	size_t i, n;
	int rc;

	rc = snap_entry_at(repo, id, inner, &e);
	if (rc)
		return rc;
	if (!e)
		return -ENOTDIR;
	if (git_tree_entry_filemode(e) != GIT_FILEMODE_TREE) {
		git_tree_entry_free(e);
		return -ENOTDIR;
	}
	rc = git_tree_lookup(&tree, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc < 0)
		return git_errno(rc);
	n = git_tree_entrycount(tree);
	for (i = 0; i < n; i++) {
		te = git_tree_entry_byindex(tree, i);
		mode = git_tree_entry_filemode(te);
		if (mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_BLOB ||
		    mode == GIT_FILEMODE_BLOB_EXECUTABLE)
			fill(buf, git_tree_entry_name(te), NULL, 0, 0);
	}
	git_tree_free(tree);
	return 0;
}

/* List dir ("base", "personas") when that commit has it. */
static void fill_top(git_repository *repo, const git_oid *id,
		     const char *dir, void *buf, fuse_fill_dir_t fill)
{
	git_tree_entry *e;

	if (snap_entry_at(repo, id, dir, &e) == 0 && e &&
	    git_tree_entry_filemode(e) == GIT_FILEMODE_TREE)
		fill(buf, dir, NULL, 0, 0);
	git_tree_entry_free(e);
}

static int snap_readdir_locked(git_repository *repo, const char *sub,
			       void *buf, fuse_fill_dir_t fill)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	struct snap_entry se;
	const char *inner;
	int rc;

	rc = snap_split(sub, name, &inner);
	if (rc)
		return rc;
	if (strcmp(name, SFS_SNAPSHOT_LATEST) == 0)
		return -ENOTDIR;
	rc = snap_find(repo, name, &se);
	if (rc)
		return rc;
	if (*inner == '\0') {
		fill(buf, ".", NULL, 0, 0);
		fill(buf, "..", NULL, 0, 0);
		fill_top(repo, &se.id, "base", buf, fill);
		fill_top(repo, &se.id, "personas", buf, fill);
		return 0;
	}
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	return fill_tree(repo, &se.id, inner, buf, fill);
}

/*
 * Entry i of the listing of /snapshots: ".", "..", the snapshots in
 * name order, then "latest".  NULL past the end.
 */
static const char *snap_list_name(const struct snap_item *items, size_t n,
				  size_t i, char *name)
{
	if (i == 0)
		return ".";
	if (i == 1)
		return "..";
	if (i - 2 < n) {
		i -= 2;
		snap_format(name, items[i].time, items[i].tie, &items[i].id);
		return name;
	}
	return i - 2 == n && n ? SFS_SNAPSHOT_LATEST : NULL;
}

int sfs_snap_readdir(const char *sub, void *buf, fuse_fill_dir_t fill,
		     off_t off, struct sfs_handle *dir)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	const struct snap_item *items;
	git_repository *repo;
	const char *entry;
	size_t i, n;
	int rc;

	if (!dir || off < 0)
		return -EBADF;
	pthread_mutex_lock(&snap_mutex);
	rc = snap_repo_get(&repo);
	if (!rc && *sub != '\0') {
		rc = snap_readdir_locked(repo, sub, buf, fill);
	} else if (!rc && (off == 0 || !dir->shadow.len)) {
		/* A listing from the start takes main as it is now. */
		hbuf_setlen(&dir->shadow, 0);
		rc = snap_list_copy(repo, &dir->shadow);
	}
	pthread_mutex_unlock(&snap_mutex);
	if (rc || *sub != '\0')
		return rc;

	/* Offsets are positions in the handle's copy: one pass in all. */
	items = (const struct snap_item *)(const void *)dir->shadow.ptr;
	n = dir->shadow.len / sizeof(*items);
	for (i = (size_t)off; (entry = snap_list_name(items, n, i, name));
	     i++)
		if (fill(buf, entry, NULL, (off_t)i + 1, 0))
			break;
	return 0;
}

/* Inflate the blob at sub into the handle's shadow, once per open. */
static int snap_open_locked(git_repository *repo, const char *sub,
			    struct sfs_handle *h)
{
	char name[SFS_SNAPSHOT_NAME_MAX];
	struct snap_entry se;
	git_tree_entry *e;
	const char *inner;
	git_blob *blob;
	git_filemode_t mode;
	int rc;

	rc = snap_split(sub, name, &inner);
	if (rc)
		return rc;
	if (strcmp(name, SFS_SNAPSHOT_LATEST) == 0)
		return -ENOENT;	/* the kernel resolves the link first */
	rc = snap_find(repo, name, &se);
	if (rc)
		return rc;
	rc = snap_entry_at(repo, &se.id, inner, &e);
	if (rc)
		return rc;
	if (!e)
		return -EISDIR;
	mode = git_tree_entry_filemode(e);
	if (mode == GIT_FILEMODE_TREE) {
		rc = -EISDIR;
		goto out_free_entry;
	}
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
		rc = -ENOENT;
		goto out_free_entry;
	}
	rc = git_blob_lookup(&blob, repo, git_tree_entry_id(e));
	if (rc < 0) {
		rc = git_errno(rc);
		goto out_free_entry;
	}
	rc = sfs_errno(hbuf_add(&h->shadow, git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob)));
	git_blob_free(blob);
out_free_entry:
	git_tree_entry_free(e);
	return rc;
}

int sfs_snap_open(const char *sub, struct sfs_handle *h)
{
	git_repository *repo;
	int rc;

	pthread_mutex_lock(&snap_mutex);
	rc = snap_repo_get(&repo);
	if (!rc)
		rc = snap_open_locked(repo, sub, h);
	pthread_mutex_unlock(&snap_mutex);
	return rc;
}

int sfs_snap_readlink(const char *sub, char *buf, size_t size)
{
	git_repository *repo;
	struct snap_entry se;
	int rc;

	if (strcmp(sub, "/" SFS_SNAPSHOT_LATEST) != 0)
		return -EINVAL;
	if (size == 0)
		return -EINVAL;
	pthread_mutex_lock(&snap_mutex);
	rc = snap_repo_get(&repo);
	if (!rc)
		rc = snap_find(repo, SFS_SNAPSHOT_LATEST, &se);
	pthread_mutex_unlock(&snap_mutex);
	if (rc)
		return rc;
	snprintf(buf, size, "%s", se.name);
	return 0;
}

/*
 * snapshots_history.c - the history behind /snapshots: the store's
 * repository opened on first use, the walk of main into the listing in
 * name order, snapshot names made and resolved back to commits, and
 * the teardown of all of it.  Everything here needs sfs_snap__mutex.
 */
#include "snapshots_i.h"

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

/* Everything below is guarded by sfs_snap__mutex. */
pthread_mutex_t sfs_snap__mutex = PTHREAD_MUTEX_INITIALIZER;
static git_repository *snap_repo;
static int snap_git_ready;

/* The listing of /snapshots in name order, for main at list_head. */
static struct snap_item *list;
static size_t list_len;
static git_oid list_head;
static int list_valid;

/* Names resolved lately from their short ids. */
static struct snap_entry recent[SNAP_RECENT];
static size_t recent_next;

void sfs_views_stop(void)
{
	pthread_mutex_lock(&sfs_snap__mutex);
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
	pthread_mutex_unlock(&sfs_snap__mutex);
}

/* ---- git side; everything below needs sfs_snap__mutex ---- */

int sfs_snap__git_errno(int code)
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
int sfs_snap__repo_get(git_repository **out)
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
int sfs_snap__head(git_repository *repo, git_oid *out)
{
	int rc = git_reference_name_to_id(out, repo, SNAP_REF);

	return rc < 0 ? sfs_snap__git_errno(rc) : 0;
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

void sfs_snap__format(char *out, git_time_t t, unsigned tie,
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
		return sfs_snap__git_errno(rc);
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
		return sfs_snap__git_errno(rc);
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
		sfs_snap__format(out->name, list[lo].time, list[lo].tie,
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
		return sfs_snap__git_errno(rc);

	out->id = *git_object_id(obj);
	out->time = git_commit_time((git_commit *)obj);
	sfs_snap__format(out->name, out->time, snap_tie((git_commit *)obj),
			 &out->id);
	git_object_free(obj);
	if (strcmp(out->name, name) != 0)
		return -ENOENT;
	recent_add(out);
	return 0;
}

/* The commit a name under /snapshots stands for ("latest" too). */
int sfs_snap__find(git_repository *repo, const char *name,
		   struct snap_entry *out)
{
	git_commit *c;
	git_oid head;
	int rc;

	rc = sfs_snap__head(repo, &head);
	if (rc)
		return rc;
	if (strcmp(name, SFS_SNAPSHOT_LATEST) != 0)
		return snap_resolve(repo, &head, name, out);

	rc = git_commit_lookup(&c, repo, &head);
	if (rc < 0)
		return sfs_snap__git_errno(rc);
	out->id = head;
	out->time = git_commit_time(c);
	sfs_snap__format(out->name, out->time, snap_tie(c), &head);
	git_commit_free(c);
	return 0;
}

/* Copy the listing for main as it is now into out (appended). */
int sfs_snap__list_copy(git_repository *repo, struct hbuf *out)
{
	git_oid head;
	int rc;

	rc = sfs_snap__head(repo, &head);
	if (rc)
		return rc;
	if (!list_valid || !git_oid_equal(&list_head, &head)) {
		rc = snap_list_build(repo, &head);
		if (rc)
			return rc;
	}
	return sfs_errno(hbuf_add(out, list, list_len * sizeof(*list)));
}

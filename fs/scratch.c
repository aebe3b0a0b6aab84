/*
 * scratch.c - scratch files: every name under base/ and personas/ that is
 * not configuration (sedXXXXXX, 4913, .F.swp, F~, #F#, .#F, ...).  They
 * live in daemon memory only, are visible through the mount while they
 * exist, and never reach the store directory or git.
 *
 * A scratch object is reference counted: the table holds one reference
 * while the name exists, each open handle one more, so an unlinked file
 * that is still open keeps working.  All functions need sfs_lock().
 */
#include "sfs_i.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct sfs_scratch *table;
static uint64_t next_ino = SFS_INO_SYNTH_BASE;

uint64_t sfs_next_ino(void)
{
	return next_ino++;
}

struct sfs_scratch *sfs_scratch_find(const char *rel)
{
	struct sfs_scratch *sc;

	for (sc = table; sc; sc = sc->next)
		if (strcmp(sc->rel, rel) == 0)
			return sc;
	return NULL;
}

void sfs_scratch_touch(struct sfs_scratch *sc)
{
	clock_gettime(CLOCK_REALTIME, &sc->mtime);
	sc->ctime = sc->mtime;
}

struct sfs_seen {
	char *name;
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
};

static void seen_free(struct sfs_scratch *sc)
{
	size_t i;

	for (i = 0; i < sc->nseen; i++)
		free(sc->seen[i].name);
	free(sc->seen);
	sc->seen = NULL;
	sc->nseen = 0;
}

/*
 * Note which version of each configuration file lies beside the new
 * scratch file: a writer (sed -i, an atomic-write library) reads its
 * target after creating its temporary file, so renaming that file over
 * a target that got a new version since would undo that version.
 */
static void scratch_see(struct sfs_scratch *sc)
{
	const char *slash = strchr(sc->rel, '/');
	char dir[4096], rel[4096];
	struct sfs_seen *grown;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (!slash || snprintf(dir, sizeof(dir), "%s/%.*s", sfs.dir,
			       (int)(slash - sc->rel), sc->rel) >=
			      (int)sizeof(dir))
		return;
	d = opendir(dir);
	if (!d)
		return;
	sc->has_seen = 1;
	while ((de = readdir(d))) {
		snprintf(rel, sizeof(rel), "%.*s/%s", (int)(slash - sc->rel),
			 sc->rel, de->d_name);
		if (hdoc_kind_of_path(rel) == HDOC_NONE ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		grown = realloc(sc->seen, (sc->nseen + 1) * sizeof(*grown));
		if (grown)
			sc->seen = grown;
		if (!grown || !(grown[sc->nseen].name = strdup(rel))) {
			sc->has_seen = 0;	/* unknown, not "absent" */
			break;
		}
		grown[sc->nseen].dev = st.st_dev;
		grown[sc->nseen].ino = st.st_ino;
		grown[sc->nseen].ctime = st.st_ctim;
		sc->nseen++;
	}
	closedir(d);
}

int sfs_scratch_saw(const struct sfs_scratch *sc, const char *rel,
		    const struct stat *now)
{
	const char *a = strchr(sc->rel, '/'), *b = strchr(rel, '/');
	size_t i;

	if (!sc->has_seen || !a || !b || a - sc->rel != b - rel ||
	    strncmp(sc->rel, rel, (size_t)(a - sc->rel)))
		return -1;
	for (i = 0; i < sc->nseen; i++) {
		const struct sfs_seen *s = &sc->seen[i];

		if (strcmp(s->name, rel))
			continue;
		return now && s->dev == now->st_dev && s->ino == now->st_ino &&
		       s->ctime.tv_sec == now->st_ctim.tv_sec &&
		       s->ctime.tv_nsec == now->st_ctim.tv_nsec;
	}
	return !now;
}

int sfs_scratch_new(const char *rel, mode_t mode, struct sfs_scratch **out)
{
	struct sfs_scratch *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return -ENOMEM;
	sc->rel = strdup(rel);
	if (!sc->rel) {
		free(sc);
		return -ENOMEM;
	}
	hbuf_init(&sc->data, SFS_SCRATCH_MAX);
	hbuf_init(&sc->origin, SFS_SCRATCH_MAX);
	sc->mode = mode;
	sc->ino = sfs_next_ino();
	sfs_scratch_touch(sc);
	sc->atime = sc->mtime;
	sc->born = sc->mtime;
	sc->refs = 1;
	sc->linked = 1;
	if (S_ISREG(mode))
		scratch_see(sc);
	sc->next = table;
	table = sc;
	*out = sc;
	return 0;
}

static void table_remove(struct sfs_scratch *sc)
{
	struct sfs_scratch **pp;

	for (pp = &table; *pp; pp = &(*pp)->next) {
		if (*pp == sc) {
			*pp = sc->next;
			sc->next = NULL;
			sc->linked = 0;
			return;
		}
	}
}

void sfs_scratch_get(struct sfs_scratch *sc)
{
	sc->refs++;
}

void sfs_scratch_put(struct sfs_scratch *sc)
{
	if (--sc->refs)
		return;
	hbuf_release(&sc->data);
	hbuf_release(&sc->origin);
	seen_free(sc);
	free(sc->rel);
	free(sc);
}

void sfs_scratch_unlink(struct sfs_scratch *sc)
{
	if (!sc->linked)
		return;
	table_remove(sc);
	sfs_scratch_put(sc);
}

/* Give sc the name to, replacing a scratch file of that name. */
int sfs_scratch_rename(struct sfs_scratch *sc, const char *to)
{
	struct sfs_scratch *old = sfs_scratch_find(to);
	char *name;

	if (old == sc)
		return 0;
	name = strdup(to);
	if (!name)
		return -ENOMEM;
	if (old)
		sfs_scratch_unlink(old);
	free(sc->rel);
	sc->rel = name;
	clock_gettime(CLOCK_REALTIME, &sc->ctime);
	return 0;
}

void sfs_scratch_stat(const struct sfs_scratch *sc, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = sc->mode;
	st->st_nlink = sc->linked ? 1 : 0;
	st->st_uid = sfs.uid;
	st->st_gid = sfs.gid;
	st->st_ino = sc->ino;
	st->st_size = (off_t)sc->data.len;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((sc->data.len + 511) / 512);
	st->st_atim = sc->atime;
	st->st_mtim = sc->mtime;
	st->st_ctim = sc->ctime;
}

void sfs_scratch_each(const char *dir, void (*fn)(const char *name,
						    void *arg), void *arg)
{
	size_t n = strlen(dir);
	struct sfs_scratch *sc;

	for (sc = table; sc; sc = sc->next)
		if (strncmp(sc->rel, dir, n) == 0 && sc->rel[n] == '/')
			fn(sc->rel + n + 1, arg);
}

void sfs_scratch_free_all(void)
{
	while (table)
		sfs_scratch_unlink(table);
}

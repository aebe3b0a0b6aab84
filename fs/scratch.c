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

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	sc->mode = mode;
	sc->ino = sfs_next_ino();
	sfs_scratch_touch(sc);
	sc->atime = sc->mtime;
	sc->born = sc->mtime;
	sc->refs = 1;
	sc->linked = 1;
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

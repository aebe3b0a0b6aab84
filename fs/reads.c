/*
 * reads.c - which version of each configuration file a process last read
 * through the mount.
 *
 * Editors read a file when they load it and save much later, through a
 * new descriptor (nano, vim's default save) or a new temporary file
 * (atomic savers).  What the store held when that save began is then not
 * what the editor's buffer came from, and a change another face landed
 * in between would be undone silently.  So every read-only open notes
 * (pid, file, version) here, and a save by that pid checks, under the
 * store lock, that the file is still the version it read.  A version is
 * the store file's inode and ctime: every store save makes a new inode.
 *
 * Records are few and short-lived: at most READS_MAX, the oldest go
 * first, and a record is ignored once its pid belongs to a process that
 * started after it was made (the pid was reused).  A process the mount
 * has no record for is not checked.
 */
#include "sfs_i.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READS_MAX 512

struct sfs_read {
	pid_t pid;
	char *rel;
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
	struct timespec noted;		/* CLOCK_BOOTTIME */
	struct sfs_read *next;		/* newest first */
};

static struct sfs_read *reads;
static size_t nreads;

static struct sfs_read *read_find(pid_t pid, const char *rel,
				  struct sfs_read ***link)
{
	struct sfs_read **pp;

	for (pp = &reads; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid == pid && strcmp((*pp)->rel, rel) == 0) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

static void read_drop_oldest(void)
{
	struct sfs_read **pp = &reads;

	if (!*pp)
		return;
	while ((*pp)->next)
		pp = &(*pp)->next;
	free((*pp)->rel);
	free(*pp);
	*pp = NULL;
	nreads--;
}

void sfs_reads_note(pid_t pid, const char *rel, const struct stat *st,
		    int known_only)
{
	struct sfs_read *r, **link;

	if (pid <= 0)
		return;
	r = read_find(pid, rel, &link);
	if (!r && known_only)
		return;
	if (r) {
		*link = r->next;	/* moved to the front below */
	} else {
		if (nreads >= READS_MAX)
			read_drop_oldest();
		r = calloc(1, sizeof(*r));
		if (!r || !(r->rel = strdup(rel))) {
			free(r);
			return;		/* unchecked, as if never read */
		}
		r->pid = pid;
		nreads++;
	}
	r->dev = st->st_dev;
	r->ino = st->st_ino;
	r->ctime = st->st_ctim;
	clock_gettime(CLOCK_BOOTTIME, &r->noted);
	r->next = reads;
	reads = r;
}

/* Did process pid start after when (it reused a recorded pid)? */
static int started_after(pid_t pid, const struct timespec *when)
{
	unsigned long long start;
	char buf[1024];
	const char *p = sfs_proc_stat(pid, buf, sizeof(buf));
	int i;

	/* starttime is field 22; p is at the end of field 2 */
	for (i = 2; p && i < 21; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return 1;
	return start / (unsigned long long)sysconf(_SC_CLK_TCK) >
	       (unsigned long long)when->tv_sec;
}

int sfs_reads_still(pid_t pid, const char *rel, const struct stat *now)
{
	struct sfs_read *r = pid > 0 ? read_find(pid, rel, NULL) : NULL;

	if (!r || started_after(pid, &r->noted))
		return 1;
	return now && now->st_dev == r->dev && now->st_ino == r->ino &&
	       now->st_ctim.tv_sec == r->ctime.tv_sec &&
	       now->st_ctim.tv_nsec == r->ctime.tv_nsec;
}

void sfs_reads_free_all(void)
{
	while (reads)
		read_drop_oldest();
}

/*
 * fuse-floor.c - the least a FUSE file system can do: one read-only file
 * held in memory, served through libfuse's high-level API with the same
 * cache settings helios-fs gives a reader (keep_cache, noflush, timeouts).
 * bench-fs.sh reads it beside the store and the Helios mount, so that
 * what FUSE itself costs per open is measured, not guessed.
 *
 *	fuse-floor FILE [FUSE OPTIONS] MOUNTPOINT
 *
 * serves FILE's bytes (read once, at start) as MOUNTPOINT/file.
 */
#define _DEFAULT_SOURCE
#define FUSE_USE_VERSION 35

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *data;
static size_t data_len;

static void *floor_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 10.0;
	cfg->negative_timeout = 0.0;
	cfg->nullpath_ok = 1;
	return NULL;
}

static int floor_getattr(const char *path, struct stat *st,
			 struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (strcmp(path, "/") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (strcmp(path, "/file") == 0) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = (off_t)data_len;
	} else {
		return -ENOENT;
	}
	return 0;
}

static int floor_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/file"))
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	fi->keep_cache = 1;
	fi->noflush = 1;
	return 0;
}

static int floor_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	if ((size_t)off >= data_len)
		return 0;
	if (size > data_len - (size_t)off)
		size = data_len - (size_t)off;
	memcpy(buf, data + off, size);
	return (int)size;
}

static const struct fuse_operations floor_ops = {
	.init = floor_init,
	.getattr = floor_getattr,
	.open = floor_open,
	.read = floor_read,
};

int main(int argc, char **argv)
{
	FILE *f;
	long n;

	if (argc < 3) {
		fprintf(stderr, "usage: fuse-floor FILE [OPTIONS] MOUNTPOINT\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(data = malloc((size_t)n + 1)) ||
	    fread(data, 1, (size_t)n, f) != (size_t)n) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);
	data_len = (size_t)n;
	argv[1] = argv[0];
	return fuse_main(argc - 1, argv + 1, &floor_ops, NULL);
}

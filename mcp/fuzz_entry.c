/*
 * fuzz_entry.c - an in-memory front for the MCP server's line reader and
 * dispatcher, used by the libFuzzer target fuzz/jsonrpc.c.  It is part of
 * the server library but nothing in helios-mcp calls it.
 */
#include "fuzz_entry.h"
#include "server_i.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static struct mcp_server fz;
static int fz_open;
static int fz_idle[2] = { -1, -1 };	/* stdin stand-in: never readable */

int mcp_fuzz_open(const char *dir)
{
	struct helios_error err = { 0 };

	if (fz_open)
		return 0;
	memset(&fz, 0, sizeof(fz));
	fz.inotify_fd = -1;
	fz.log_level = MCP_LOG_WARNING;
	hbuf_init(&fz.in, MCP_LINE_MAX + ((size_t)128 << 10) + 16);
	if (pipe(fz_idle)) {
		mcp_log(MCP_LOG_ERROR, "cannot create a pipe");
		return -1;
	}
	fz.in_fd = fz_idle[0];
	fz.out_fd = memfd_create("helios-fuzz-out", MFD_CLOEXEC);
	if (fz.out_fd < 0) {
		mcp_log(MCP_LOG_ERROR, "cannot create the output file");
		goto out_close_pipe;
	}
	if (store_open(dir, STORE_OPEN_CREATE, &fz.st, NULL, &err)) {
		mcp_log(MCP_LOG_ERROR, "cannot open store '%s': %s", dir,
			err.msg);
		goto out_close_memfd;
	}
	fz_open = 1;
	return 0;

out_close_memfd:
	close(fz.out_fd);
out_close_pipe:
	close(fz_idle[0]);
	close(fz_idle[1]);
	hbuf_release(&fz.in);
	return -1;
}

/* Every line written to the output must parse as one JSON value. */
static void check_output(void)
{
	off_t size = lseek(fz.out_fd, 0, SEEK_CUR);
	char *map, *p, *end;

	if (size <= 0)
		return;
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fz.out_fd, 0);
	if (map == MAP_FAILED)
		abort();
	if (map[size - 1] != '\n')
		abort();	/* a response cut short */
	for (p = map, end = map + size; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		cJSON *msg = cJSON_ParseWithLength(p, (size_t)(nl - p));

		if (!msg || !(cJSON_IsObject(msg) || cJSON_IsArray(msg)))
			abort();	/* stdout carried something else */
		cJSON_Delete(msg);
		p = nl + 1;
	}
	munmap(map, (size_t)size);
}

static void reset_session(void)
{
	size_t i;

	for (i = 0; i < fz.nsubs; i++)
		free(fz.subs[i]);
	free(fz.subs);
	fz.subs = NULL;
	fz.nsubs = 0;
	fz.in.len = 0;
	fz.done = 0;
	fz.discarding = 0;
	fz.eof = 0;
	fz.out_broken = 0;
	fz.initialized = 0;
	memset(fz.version, 0, sizeof(fz.version));
	fz.log_level = MCP_LOG_WARNING;
	if (ftruncate(fz.out_fd, 0) || lseek(fz.out_fd, 0, SEEK_SET))
		abort();
}

void mcp_fuzz_feed(const unsigned char *data, size_t len, size_t chunk)
{
	size_t off = 0;

	if (!fz_open)
		abort();
	if (!chunk)
		chunk = len ? len : 1;
	while (off < len && !fz.out_broken) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (hbuf_add(&fz.in, data + off, n))
			abort();	/* the framing caps what it keeps */
		off += n;
		mcp_process_input(&fz);
	}
	/* End of input: a last line without its newline still counts. */
	fz.eof = 1;
	if (fz.in.len && !fz.discarding && !hbuf_add(&fz.in, "\n", 1))
		mcp_process_input(&fz);
	check_output();
	reset_session();
}

void mcp_fuzz_close(void)
{
	if (!fz_open)
		return;
	reset_session();
	store_free(fz.st);
	hbuf_release(&fz.in);
	close(fz.out_fd);
	close(fz_idle[0]);
	close(fz_idle[1]);
	fz_open = 0;
}

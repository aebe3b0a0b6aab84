/*
 * jsonrpc.c - libFuzzer target for the MCP server's message handling.
 *
 * The input is what a client writes on the server's stdin: it is fed
 * through the real line framing and dispatcher (mcp/fuzz_entry.c) against
 * a temporary store under $HELIOS_FUZZ_TMP (or $TMPDIR, or /tmp).  The
 * store is replaced by a fresh one every STORE_ROUNDS inputs, so the
 * personas and commits the tools make do not pile up and slow the run.
 * The first byte picks the read() chunk size, so lines split across
 * reads are exercised too.  Every response line must be valid JSON; a
 * crash, leak, sanitizer report or bad line is a finding.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_entry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STORE_ROUNDS 2000

static char base_dir[4096];
static unsigned long rounds;

static int remove_one(const char *path, const struct stat *sb, int type,
		      struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Create base_dir and a store in it; exit on failure. */
static void store_new(void)
{
	const char *tmp = getenv("HELIOS_FUZZ_TMP");
	char store[4200];

	if (!tmp || !*tmp)
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(base_dir, sizeof(base_dir), "%s/helios-fuzz-XXXXXX", tmp);
	if (!mkdtemp(base_dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(store, sizeof(store), "%s/store", base_dir);
	if (mcp_fuzz_open(store))
		exit(1);
}

static void store_drop(void)
{
	mcp_fuzz_close();
	nftw(base_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	store_new();
	atexit(store_drop);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[] = { 0, 1, 7, 64, 4096 };
	size_t chunk = 0;

	if (size) {
		chunk = chunks[data[0] % (sizeof(chunks) / sizeof(chunks[0]))];
		data++;
		size--;
	}
	mcp_fuzz_feed(data, size, chunk);
	if (++rounds % STORE_ROUNDS == 0) {
		store_drop();
		store_new();
	}
	return 0;
}

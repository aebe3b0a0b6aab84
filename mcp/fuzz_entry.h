/*
 * fuzz_entry.h - drive the MCP server's input handling from memory, for
 * the libFuzzer target fuzz/jsonrpc.c.
 *
 *	mcp_fuzz_open("/path/to/tmp/store");	once, creates the store
 *	mcp_fuzz_feed(bytes, n, 512);		per input
 *	mcp_fuzz_close();
 *
 * The bytes go through the same framing and dispatch as stdin does
 * (mcp_process_input), in chunks as read() would deliver them, and a
 * last line without a newline is handled as at end of input.  Responses
 * are written to an in-memory file; mcp_fuzz_feed() checks that every
 * output line is one JSON object and aborts when one is not, so a broken
 * response is a finding like a crash.  Not thread-safe; one server only.
 */
#ifndef HELIOS_MCP_FUZZ_ENTRY_H
#define HELIOS_MCP_FUZZ_ENTRY_H

#include <stddef.h>

/* 0, or -1 when the store cannot be created (message on stderr). */
int mcp_fuzz_open(const char *dir);

/*
 * Feed len bytes in chunks of at most chunk bytes (0: all at once), then
 * forget the session state (handshake, log level, subscriptions) so each
 * input starts from a fresh server on the same store.
 */
void mcp_fuzz_feed(const unsigned char *data, size_t len, size_t chunk);

void mcp_fuzz_close(void);

#endif

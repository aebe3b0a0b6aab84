/*
 * server.h - the Model Context Protocol server of helios-mcp.
 *
 * The server speaks JSON-RPC 2.0, one message per line, on stdin and
 * stdout, against the store named by --helios-dir (or $HELIOS_DIR, or
 * ~/.helios), which it bootstraps when missing.  stdout carries protocol
 * messages only; diagnostics go to stderr.
 */
#ifndef HELIOS_MCP_SERVER_H
#define HELIOS_MCP_SERVER_H

/*
 * Run the server.  argv[0] is the verb ("serve"); the options that follow
 * are --helios-dir DIR, --help and --version.  Returns the process exit
 * status: 0 after EOF on stdin or SIGTERM, 2 on a usage error, 1 when
 * the store cannot be opened.
 */
int mcp_server_main(int argc, char **argv);

#endif

#!/usr/bin/env bash
# check-mcp-stdout.sh - the MCP server's stdout carries protocol messages
# only.  Fail when a server source in mcp/ (everything but the command-line
# verbs, cli_*.c, and the verb dispatch, main.c) calls a function that
# writes to stdout.  A line that must write to stdout before the server
# starts (--help, --version) says why with "stdout-ok" on it or the line
# before.  rpc.c writes protocol messages with write(2) on fd 1.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
banned='(^|[^A-Za-z0-9_])(printf|vprintf|puts|putchar)[(]|(^|[^A-Za-z0-9_])stdout([^A-Za-z0-9_]|$)'
status=0

for f in "$top"/mcp/*.c; do
	case "$(basename "$f")" in
	cli_*.c | main.c) continue ;;
	esac
	hits=$(awk -v re="$banned" '
		{
			code = $0
			gsub(/"([^"\\]|\\.)*"/, "\"\"", code)	# string literals
			sub(/\/\*.*\*\//, "", code)		# comments
			sub(/^[ \t]*\*.*/, "", code)
		}
		code ~ re && $0 !~ /stdout-ok/ && prev !~ /stdout-ok/ {
			printf "%s:%d: %s\n", FILENAME, FNR, $0
		}
		{ prev = $0 }' "$f")
	if [ -n "$hits" ]; then
		echo "$hits"
		status=1
	fi
done
[ "$status" = 0 ] && echo "check-mcp-stdout: no stdout writes in the server"
exit "$status"

#!/bin/bash
# mcp_stream.sh - the stdio transport of the MCP server: messages split
# across reads (also inside a UTF-8 character), several per read, a 5 MiB
# message accepted, a 9 MiB one refused with resynchronisation at the next
# newline, a last line without newline, prompt exit on EOF and SIGTERM,
# and a vanished reader (EPIPE) that does not kill the server.

set -u
. "$(dirname "$0")/../mcp/lib.sh"

mt_setup
S=$MT_TMP/store
OUT=$MT_TMP/out
"$MT_MCP" serve --helios-dir "$S" </dev/null >"$OUT" 2>/dev/null ||
	mt_fail "cannot bootstrap a store"
[ -s "$OUT" ] && mt_fail "output without input: $(head -c 200 "$OUT")"

ping() { printf '{"jsonrpc":"2.0","id":%s,"method":"ping"}' "$1"; }

# split reads, several messages in one write, a UTF-8 character split
# in the middle, and a final line without newline
{
	printf '{"jsonrpc":"2.0","id":1,'
	sleep 0.3
	printf '"method":"ping"}\n%s\n%s\n' "$(ping 2)" "$(ping 3)"
	printf '{"jsonrpc":"2.0","id":"\xc3'
	sleep 0.3
	printf '\xa9","method":"ping"}\n'
	ping 4
} | "$MT_MCP" serve --helios-dir "$S" >"$OUT" 2>/dev/null ||
	mt_fail "exit status $? on split input"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{}}' \
	'{"jsonrpc":"2.0","id":2,"result":{}}' \
	'{"jsonrpc":"2.0","id":3,"result":{}}' \
	'{"jsonrpc":"2.0","id":"é","result":{}}' \
	'{"jsonrpc":"2.0","id":4,"result":{}}' >"$MT_TMP/want"
cmp -s "$MT_TMP/want" "$OUT" || { diff "$MT_TMP/want" "$OUT"; mt_fail "split input"; }
echo "ok   split reads, UTF-8 split, last line without newline"

# 5 MiB accepted; 9 MiB refused, then the next line is served
big() { head -c "$1" /dev/zero | tr '\0' a; }
{
	printf '{"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":"'
	big $((5 << 20))
	printf '"}}\n'
	printf '{"jsonrpc":"2.0","id":6,"method":"ping","params":{"pad":"'
	big $((9 << 20))
	printf '"}}\n%s\n' "$(ping 7)"
} | "$MT_MCP" serve --helios-dir "$S" >"$OUT" 2>/dev/null ||
	mt_fail "exit status $? on large input"
printf '%s\n' '{"jsonrpc":"2.0","id":5,"result":{}}' \
	'{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: message longer than the 8 MiB limit"}}' \
	'{"jsonrpc":"2.0","id":7,"result":{}}' >"$MT_TMP/want"
cmp -s "$MT_TMP/want" "$OUT" || { diff "$MT_TMP/want" "$OUT" | cut -c1-200; mt_fail "large input"; }
echo "ok   5 MiB accepted, 9 MiB refused with resync"

# EOF: exit 0 promptly, with stdin a pipe the client closes
start=$(date +%s%N)
ping 8 | timeout 5 "$MT_MCP" serve --helios-dir "$S" >"$OUT" 2>/dev/null
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc -eq 0 ] || mt_fail "exit status $rc at EOF"
[ $ms -lt 2000 ] || mt_fail "took $ms ms to exit at EOF"
echo "ok   EOF: exit 0 in $ms ms"

# SIGTERM while idle with stdin held open: exit 0, lock free afterwards
mkfifo "$MT_TMP/fifo"
"$MT_MCP" serve --helios-dir "$S" <"$MT_TMP/fifo" >"$OUT" 2>/dev/null &
pid=$!
MT_PIDS=$pid
exec 4>"$MT_TMP/fifo"
printf '%s\n' "$(ping 9)" >&4
for i in $(seq 50); do [ -s "$OUT" ] && break; sleep 0.1; done
[ -s "$OUT" ] || mt_fail "no answer while stdin stays open"
kill -TERM "$pid"
for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && mt_fail "still running 3 s after SIGTERM"
wait "$pid"
rc=$?
MT_PIDS=
exec 4>&-
[ $rc -eq 0 ] || mt_fail "exit status $rc after SIGTERM"
echo "ok   SIGTERM: exit 0"

# EPIPE: the reader goes away; the server must not die of SIGPIPE, and a
# change it was asked for is still committed
before=$(git -C "$S" rev-list --count HEAD)
{
	printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"learn_behavior","arguments":{"persona":"welcome","key":"epipe","value":"yes"}}}'
	sleep 0.5
	printf '%s\n' "$(ping 2)" "$(ping 3)"
} | { "$MT_MCP" serve --helios-dir "$S" 2>/dev/null; echo $? >"$MT_TMP/rc"; } | true
sleep 0.2
[ "$(cat "$MT_TMP/rc")" = 0 ] || mt_fail "exit status $(cat "$MT_TMP/rc") after EPIPE"
after=$(git -C "$S" rev-list --count HEAD)
[ $after -eq $((before + 1)) ] || mt_fail "commit count $before -> $after"
echo "ok   EPIPE: exit 0, change committed"

# stdout carries nothing but protocol lines even with noisy failures
printf '%s\n' "$(ping 1)" 'garbage' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_snapshot","arguments":{"revision":"nope","path":"base/identity.yaml"}}}' |
	"$MT_MCP" serve --helios-dir "$S" >"$OUT" 2>/dev/null
n=$(grep -cv '^{"jsonrpc":"2.0",' "$OUT")
[ "$n" = 0 ] || mt_fail "non-protocol output: $(grep -v '^{"jsonrpc"' "$OUT")"
[ "$(wc -l <"$OUT")" = 3 ] || mt_fail "expected 3 lines"
echo "ok   stdout holds protocol lines only"
exit 0

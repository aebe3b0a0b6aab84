#!/bin/bash
# crash_mcp.sh - the crash matrix through the MCP server: a tools/call
# of learn_behavior over stdio, the server SIGKILLed at every fault
# point the save passes; then started again and checked as crash_lib.bash
# describes.  Last, a server killed right after it answered: the
# acknowledged save must be there.
. "$(dirname "$0")/crash_lib.bash"
cr_setup
S=$CR_TMP/store
REL=personas/welcome.yaml
"$CR_MCP" init --helios-dir "$S" >/dev/null 2>"$CR_LOG" || cr_fail "init"

# The request lines of one learn_behavior call setting key crash to $1.
cr_mcp_request()
{
	printf '%s\n' \
	'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"crash","version":"1"}}}' \
	'{"jsonrpc":"2.0","method":"notifications/initialized"}' \
	"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"learn_behavior\",\"arguments\":{\"persona\":\"welcome\",\"key\":\"crash\",\"value\":\"$1\"}}}"
}

# Serve store $1 for request value $2; the answers go to $CR_TMP/answers.
cr_mcp_call()
{
	cr_mcp_request "$2" | "$CR_MCP" serve --helios-dir "$1" \
		>"$CR_TMP/answers"
}

# Did the answers hold a successful tool result for id 2?
cr_mcp_acked()
{
	grep '"id":2,"result"' "$CR_TMP/answers" | grep -qv '"isError":true'
}

rm -rf "$CR_TMP/ref"
cp -a "$S" "$CR_TMP/ref"
points=$(cr_trace cr_mcp_call "$CR_TMP/ref" reference)
cr_expect_all_points "$points" "mcp"
k=0
while read -r name n; do
	k=$((k + 1))
	what="mcp learn_behavior at $name:$n"
	old=$(cr_work "$S" "$REL")
	rm -rf "$CR_TMP/ref"
	cp -a "$S" "$CR_TMP/ref"
	cr_mcp_call "$CR_TMP/ref" "value $k" 2>"$CR_LOG" ||
		cr_fail "$what: reference call failed"
	cr_mcp_acked || cr_fail "$what: reference call not answered"
	new=$(cr_work "$CR_TMP/ref" "$REL")

	HELIOS_FAULT=$name:$n cr_mcp_call "$S" "value $k" 2>"$CR_LOG"
	rc=$?
	[ "$rc" = 137 ] || cr_fail "$what: server not killed (exit $rc)"
	acked=no
	cr_mcp_acked && acked=yes

	"$CR_MCP" validate --helios-dir "$S" >/dev/null 2>"$CR_LOG" ||
		cr_fail "$what: validate after the crash"
	cr_verify "$S" "$REL" "$old" "$new" "$acked" "$what"
	cr_next_writer "$S" "$REL" "$what"
done <<<"$points"
echo "ok   mcp learn_behavior: killed at $k points"

# Killed right after answering: the answered save is kept.
fifo=$CR_TMP/in
mkfifo "$fifo"
rm -rf "$CR_TMP/ref"
cp -a "$S" "$CR_TMP/ref"
cr_mcp_call "$CR_TMP/ref" "answered" 2>"$CR_LOG" || cr_fail "reference"
new=$(cr_work "$CR_TMP/ref" "$REL")
"$CR_MCP" serve --helios-dir "$S" <"$fifo" >"$CR_TMP/answers" \
	2>"$CR_LOG" &
pid=$!
CR_PIDS="$CR_PIDS $pid"
exec 7>"$fifo"
cr_mcp_request answered >&7
for i in $(seq 200); do
	grep -q '"id":2' "$CR_TMP/answers" && break
	sleep 0.05
done
cr_mcp_acked || cr_fail "no answer from the server"
kill -9 "$pid"
wait "$pid" 2>/dev/null
exec 7>&-
"$CR_MCP" validate --helios-dir "$S" >/dev/null 2>"$CR_LOG" ||
	cr_fail "validate after the kill"
cr_verify "$S" "$REL" x "$new" yes "mcp killed after answering"
echo "ok   mcp killed after answering keeps the save"
echo PASS

#!/bin/bash
# mcp_mount.sh - the MCP server and a real mount on one store: a
# subscribed resource is notified when the file is edited through the
# mount (sed -i) and when a persona is added there, and writes made at the
# same time through both faces all land in git, one commit each, with
# nothing lost and a clean fsck.

set -u
. "$HELIOS_TEST_LIB"

hl_setup
[ -x "$HL_BIN/helios-mcp" ] || hl_fail "no $HL_BIN/helios-mcp"
hl_mount

SPID=
stop_server()
{
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	hl_cleanup
}
trap stop_server EXIT

SOUT=$HL_TMP/server.out
mkfifo "$HL_TMP/server.in"
"$HL_BIN/helios-mcp" serve --helios-dir "$S" <"$HL_TMP/server.in" \
	>"$SOUT" 2>"$HL_TMP/server.err" &
SPID=$!
exec 5>"$HL_TMP/server.in"

send() { printf '%s\n' "$1" >&5; }

# Wait up to 10 s for a fixed string in the server's output.
wait_for()
{
	local i

	for i in $(seq 100); do
		grep -qF -- "$1" "$SOUT" && return 0
		sleep 0.1
	done
	hl_fail "server never wrote: $1"
}

send '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
send '{"jsonrpc":"2.0","method":"notifications/initialized"}'
send '{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"helios://personas/welcome"}}'
wait_for '{"jsonrpc":"2.0","id":2,"result":{}}'

sed -i 's/^  purpose: .*/  purpose: edited through the mount/' "$M/personas/welcome.yaml" ||
	hl_fail "sed -i through the mount"
wait_for '{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"helios://personas/welcome"}}'
echo "ok   resources/updated after sed -i through the mount"

hl_persona 2 calm >"$M/personas/mnt.yaml"
wait_for '{"jsonrpc":"2.0","method":"notifications/resources/list_changed"}'
echo "ok   resources/list_changed after a persona was created in the mount"
hl_wait_commits 2
hl_expect_commits "update personas/welcome.yaml (mount)" \
	"create personas/mnt.yaml (mount)"

# 20 tool writes and 20 mount writes at the same time
for i in $(seq 20); do
	send "{\"jsonrpc\":\"2.0\",\"id\":$((100 + i)),\"method\":\"tools/call\",\"params\":{\"name\":\"learn_behavior\",\"arguments\":{\"persona\":\"welcome\",\"key\":\"k$i\",\"value\":$i}}}"
done &
for i in $(seq 20); do
	hl_persona 2 "v$i" >"$M/personas/mnt.yaml" ||
		hl_fail "mount write $i refused"
done
wait $!
wait_for '"id":120,'
n=$(grep -c '"id":1[0-9][0-9],"result":{"content":\[{"type":"text","text":"set behaviors' "$SOUT")
[ "$n" = 20 ] || hl_fail "$n of 20 tool writes succeeded: $(grep isError "$SOUT")"

hl_wait_commits 40
hl_eq "new commits" 40 "$(hl_new_commits)"
hl_eq "tool commits" 20 "$(git -C "$S" log --format=%s "$HL_MARK..HEAD" |
	grep -cx 'update personas/welcome.yaml (mcp learn_behavior)')"
hl_eq "mount commits" 20 "$(git -C "$S" log --format=%s "$HL_MARK..HEAD" |
	grep -cx 'update personas/mnt.yaml (mount)')"
for i in $(seq 20); do
	grep -qx "  k$i: $i" "$S/personas/welcome.yaml" ||
		hl_fail "k$i lost from welcome.yaml"
done
hl_expect_content personas/mnt.yaml "$(hl_persona 2 v20)"
hl_expect_clean
git -C "$S" fsck --no-progress 2>&1 | grep -v '^dangling' | grep . &&
	hl_fail "git fsck"
echo "ok   20 tool writes and 20 mount writes, all committed, fsck clean"

exec 5>&-
wait "$SPID"
rc=$?
SPID=
[ $rc -eq 0 ] || hl_fail "server exit status $rc"
exit 0

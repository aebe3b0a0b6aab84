#!/bin/bash
# mcp_mount.sh - the MCP server and a real mount on one store: a
# subscribed resource is notified, to a handshake session and on a
# 2026-07-28 subscriptions/listen stream, when the file is edited through
# the mount (sed -i) and when a persona is added there; and writes made at
# the same time through both faces (one-file tool edits, two-file
# evolve_behavior moves, mount writes) all land in git, one commit each,
# with nothing lost and a clean fsck.

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
send '{"jsonrpc":"2.0","id":"L","method":"subscriptions/listen","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"notifications":{"resourcesListChanged":true,"resourceSubscriptions":["helios://merged/welcome"]}}}'
wait_for '"method":"notifications/subscriptions/acknowledged","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":"L"}'

sed -i 's/^  purpose: .*/  purpose: edited through the mount/' "$M/personas/welcome.yaml" ||
	hl_fail "sed -i through the mount"
wait_for '{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"helios://personas/welcome"}}'
wait_for '{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"helios://merged/welcome","_meta":{"io.modelcontextprotocol/subscriptionId":"L"}}}'
echo "ok   resources/updated after sed -i through the mount (session and listen stream)"

hl_persona 2 calm >"$M/personas/mnt.yaml"
wait_for '{"jsonrpc":"2.0","method":"notifications/resources/list_changed"}'
wait_for '{"jsonrpc":"2.0","method":"notifications/resources/list_changed","params":{"_meta":{"io.modelcontextprotocol/subscriptionId":"L"}}}'
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

# 10 two-file moves (welcome -> base) and 10 mount writes at the same time
hl_checkpoint
for i in $(seq 10); do
	send "{\"jsonrpc\":\"2.0\",\"id\":$((200 + i)),\"method\":\"tools/call\",\"params\":{\"name\":\"evolve_behavior\",\"arguments\":{\"from_config\":\"welcome\",\"to_config\":\"base\",\"key\":\"k$i\"}}}"
done &
for i in $(seq 10); do
	hl_persona 3 "w$i" >"$M/personas/mnt.yaml" ||
		hl_fail "mount write w$i refused"
done
wait $!
wait_for '"id":210,'
n=$(grep -c '"id":2[01][0-9],"result":{"content":\[{"type":"text","text":"moved behaviors' "$SOUT")
[ "$n" = 10 ] || hl_fail "$n of 10 moves succeeded: $(grep isError "$SOUT")"
hl_wait_commits 20
hl_eq "new commits" 20 "$(hl_new_commits)"
for c in $(git -C "$S" rev-list "$HL_MARK..HEAD"); do
	msg=$(git -C "$S" log -1 --format=%s "$c")
	files=$(git -C "$S" show --name-only --format= "$c" | tr '\n' ' ')
	case "$msg" in
	"evolve behaviors.k"*" from personas/welcome.yaml to base/identity.yaml (mcp evolve_behavior)")
		[ "$files" = "base/identity.yaml personas/welcome.yaml " ] ||
			hl_fail "move $c touched: $files" ;;
	"update personas/mnt.yaml (mount)")
		[ "$files" = "personas/mnt.yaml " ] ||
			hl_fail "mount commit $c touched: $files" ;;
	*)	hl_fail "unexpected commit: $msg" ;;
	esac
done
for i in $(seq 10); do
	grep -qx "  k$i: $i" "$S/base/identity.yaml" ||
		hl_fail "k$i did not arrive in the base"
	grep -q "^  k$i:" "$S/personas/welcome.yaml" &&
		hl_fail "k$i still in welcome.yaml"
done
for i in $(seq 11 20); do
	grep -qx "  k$i: $i" "$S/personas/welcome.yaml" ||
		hl_fail "k$i lost from welcome.yaml"
done
grep -qx '# Helios base identity' "$S/base/identity.yaml" ||
	hl_fail "base comments lost"
hl_expect_content personas/mnt.yaml "$(hl_persona 3 w10)"
hl_expect_clean
git -C "$S" fsck --no-progress 2>&1 | grep -v '^dangling' | grep . &&
	hl_fail "git fsck"
echo "ok   10 two-file moves and 10 mount writes, one commit each, nothing lost"

exec 5>&-
wait "$SPID"
rc=$?
SPID=
[ $rc -eq 0 ] || hl_fail "server exit status $rc"
# the listen stream was closed gracefully at EOF
tail -n 1 "$SOUT" | grep -qxF '{"jsonrpc":"2.0","id":"L","result":{"_meta":{"io.modelcontextprotocol/subscriptionId":"L"},"resultType":"complete"}}' ||
	hl_fail "no graceful close of the listen stream"
exit 0

#!/bin/bash
# mcp_crash_multi.sh - the crash matrix of a two-file change: an
# evolve_behavior call (personas/welcome.yaml -> base/identity.yaml, one
# commit) with the server SIGKILLed at every fault point the save passes.
# After each kill the store is opened again (recovery) and must show the
# move wholly (both files new, one new commit touching both) or not at
# all (both files and HEAD as before) - never half - with no leftovers, a
# clean git fsck, and the next save going through.  Skipped without
# -DHELIOS_FAULT_INJECTION=ON.
. "$(dirname "$0")/crash_lib.bash"
cr_setup
S=$CR_TMP/store
"$CR_MCP" init --helios-dir "$S" >/dev/null 2>"$CR_LOG" || cr_fail "init"

request()
{
	printf '%s\n' \
	'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"crash","version":"1"}}}' \
	"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"evolve_behavior\",\"arguments\":{\"from_config\":\"welcome\",\"to_config\":\"base\",\"key\":\"$1\"}}}"
}
call() { request "$2" | "$CR_MCP" serve --helios-dir "$1" >"$CR_TMP/answers"; }
acked() { grep '"id":2,"result"' "$CR_TMP/answers" | grep -qv '"isError":true'; }
state() { cat "$1/base/identity.yaml" "$1/personas/welcome.yaml"; }

# a fresh behavior to move each round, committed through the store
add_key()
{
	printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"learn_behavior","arguments":{"persona":"welcome","key":"%s","value":"v"}}}\n' \
		"$2" | "$CR_MCP" serve --helios-dir "$1" >/dev/null 2>"$CR_LOG" ||
		cr_fail "cannot add $2"
}

add_key "$S" m0
rm -rf "$CR_TMP/ref"
cp -a "$S" "$CR_TMP/ref"
points=$(cr_trace call "$CR_TMP/ref" m0)
grep -q '^journal-written ' <<<"$points" || cr_fail "no journal point"
[ "$(grep -c '^renamed ' <<<"$points")" -ge 3 ] ||
	cr_fail "journal and both files should each be renamed: $points"
k=0
while read -r name n; do
	k=$((k + 1))
	key=m$k
	what="evolve_behavior at $name:$n"
	add_key "$S" "$key"
	old=$(state "$S")
	oldhead=$(git -C "$S" rev-parse HEAD)
	rm -rf "$CR_TMP/ref"
	cp -a "$S" "$CR_TMP/ref"
	call "$CR_TMP/ref" "$key" 2>"$CR_LOG" || cr_fail "$what: reference"
	acked || cr_fail "$what: reference not answered"
	new=$(state "$CR_TMP/ref")

	HELIOS_FAULT=$name:$n call "$S" "$key" 2>"$CR_LOG"
	rc=$?
	[ "$rc" = 137 ] || cr_fail "$what: server not killed (exit $rc)"
	was_acked=no
	acked && was_acked=yes

	"$CR_MCP" validate --helios-dir "$S" >/dev/null 2>"$CR_LOG" ||
		cr_fail "$what: validate after the crash"
	now=$(state "$S")
	if [ "$now" = "$new" ]; then
		[ "$(git -C "$S" rev-parse HEAD~1)" = "$oldhead" ] ||
			cr_fail "$what: the move is not exactly one commit"
		[ "$(git -C "$S" show --name-only --format= HEAD | tr '\n' ' ')" = \
		  "base/identity.yaml personas/welcome.yaml " ] ||
			cr_fail "$what: the commit does not hold both files"
	elif [ "$now" = "$old" ]; then
		[ "$was_acked" = no ] || cr_fail "$what: acknowledged move lost"
		[ "$(git -C "$S" rev-parse HEAD)" = "$oldhead" ] ||
			cr_fail "$what: a commit without the move"
	else
		cr_fail "$what: half a move: $now"
	fi
	cr_expect_no_leftovers "$S" "$what"
	cr_expect_git_clean "$S" "$what"
	cr_next_writer "$S" personas/other.yaml "$what"
done <<<"$points"
echo "ok   evolve_behavior (two files, one commit): killed at $k points, never half"
exit 0

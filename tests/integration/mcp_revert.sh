#!/bin/bash
# mcp_revert.sh - revert_learning and commit_changes against history made
# by the git command line as well as by tools: reverts are new commits
# (history never rewritten), refused with nothing changed when a revert
# would leave an invalid file, touch a file that is not configuration,
# overwrite uncommitted edits or go past the first commit; commit_changes
# validates and commits direct edits (changed, new and deleted personas)
# in one commit, refuses invalid ones, and is a no-op when clean.

set -u
. "$(dirname "$0")/../mcp/lib.sh"

mt_setup
S=$MT_TMP/store
"$MT_MCP" serve --helios-dir "$S" </dev/null >/dev/null 2>&1 ||
	mt_fail "cannot bootstrap a store"
G() { git -C "$S" -c user.name=T -c user.email=t@t "$@"; }

# call TOOL ARGS-JSON: one request; the result line in $OUT
call()
{
	printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":%s}}\n' \
		"$1" "$2" | "$MT_MCP" serve --helios-dir "$S" 2>/dev/null |
		grep '"id":1,' >"$MT_TMP/out" || mt_fail "$1: no answer"
	OUT=$(cat "$MT_TMP/out")
}
expect_error()
{
	case "$OUT" in
	*'"isError":true'*"$1"* | *"$1"*'"isError":true'*) ;;
	*) mt_fail "expected an error with [$1], got: $OUT" ;;
	esac
}
expect_ok()
{
	case "$OUT" in
	*'"isError":true'*) mt_fail "unexpected error: $OUT" ;;
	esac
}

# bounds
for n in 0 11 2.5 '"2"'; do
	call revert_learning "{\"commits_back\":$n}"
	expect_error 'commits_back must be an integer from 1 to 10'
done
call revert_learning '{"commits_back":1}'
expect_error 'is the first commit of the store and cannot be reverted'
echo "ok   commits_back bounds; the first commit is never reverted"

# three tool changes, reverted newest first as three new commits
call learn_behavior '{"persona":"welcome","key":"tone","value":"warm"}'; expect_ok
call update_preference '{"domain":"behaviors","key":"humour","value":"dry"}'; expect_ok
call create_persona '{"name":"rev","specialization_level":2,"behaviors":{"a":1}}'; expect_ok
old=$(G rev-parse HEAD)
first=$(G rev-list --max-parents=0 HEAD)
call revert_learning '{"commits_back":3}'
expect_ok
[ "$(G rev-list --count "$old..HEAD")" = 3 ] || mt_fail "not 3 new commits"
G merge-base --is-ancestor "$old" HEAD || mt_fail "history was rewritten"
G log -3 --format=%s | grep -c '^revert [0-9a-f]\{12\}: .* (mcp revert_learning)$' |
	grep -qx 3 || mt_fail "revert messages: $(G log -3 --format=%s)"
[ -z "$(G diff "$first" HEAD -- base personas)" ] ||
	mt_fail "files not back to the first commit"
[ ! -e "$S/personas/rev.yaml" ] || mt_fail "created persona still there"
[ -z "$(G status --porcelain)" ] || mt_fail "store not clean"
echo "ok   3 reverts: 3 new commits, files as before, history kept"

# a revert that would bring back an invalid file is refused
printf 'specialization_level: x\nbehaviors: {}\n' >"$S/personas/bad.yaml"
G add personas/bad.yaml && G commit -qm "bad persona (by hand)"
printf 'specialization_level: 2\nbehaviors: {}\n' >"$S/personas/bad.yaml"
G commit -qam "fix bad persona (by hand)"
head=$(G rev-parse HEAD)
call revert_learning '{"commits_back":1}'
expect_error 'personas/bad.yaml would be invalid'
[ "$(G rev-parse HEAD)" = "$head" ] || mt_fail "refused revert committed"
grep -qx 'specialization_level: 2' "$S/personas/bad.yaml" ||
	mt_fail "refused revert touched the file"
echo "ok   a revert that would make a file invalid is refused, nothing changed"

# a commit touching a file that is not configuration
echo "# notes" >>"$S/.gitignore"
G commit -qam "gitignore (by hand)"
call revert_learning '{"commits_back":1}'
expect_error 'which is not a configuration file'
G reset -q --hard HEAD~1

# uncommitted edits are never overwritten
printf 'specialization_level: 3\nbehaviors: {}\n' >"$S/personas/bad.yaml"
call revert_learning '{"commits_back":1}'
expect_error 'personas/bad.yaml has changes that are not committed'
grep -qx 'specialization_level: 3' "$S/personas/bad.yaml" || mt_fail "edit lost"
echo "ok   non-configuration files and uncommitted edits are refused"

# commit_changes: edited, new and deleted files in one commit
call commit_changes '{}'
expect_error "missing required argument 'message'"
call commit_changes '{"message":""}'
expect_error 'message must be a non-empty string'
printf '# new\nspecialization_level: 4\nbehaviors:\n  x: 1\n' >"$S/personas/new.yaml"
rm "$S/personas/welcome.yaml"
echo "scratch" >"$S/notes.txt"
printf 'specialization_level: 0\nbehaviors: {}\n' >"$S/personas/zero.yaml"
head=$(G rev-parse HEAD)
call commit_changes '{"message":"hand edits"}'
expect_error 'personas/zero.yaml'
[ "$(G rev-parse HEAD)" = "$head" ] || mt_fail "invalid edit committed"
rm "$S/personas/zero.yaml"
call commit_changes '{"message":"hand edits"}'
expect_ok
[ "$(G rev-list --count "$head..HEAD")" = 1 ] || mt_fail "not one commit"
[ "$(G log -1 --format=%s)" = "hand edits (mcp commit_changes)" ] ||
	mt_fail "message: $(G log -1 --format=%s)"
[ "$(G show --name-status --format= HEAD | sort | tr '\t\n' ' ')" = \
  "A personas/new.yaml D personas/welcome.yaml M personas/bad.yaml " ] ||
	mt_fail "files: $(G show --name-status --format= HEAD)"
[ "$(G status --porcelain)" = "?? notes.txt" ] ||
	mt_fail "status: $(G status --porcelain)"
call commit_changes '{"message":"again"}'
expect_ok
case "$OUT" in *'"committed":false'*) ;; *) mt_fail "not a no-op: $OUT" ;; esac
[ "$(G rev-list --count "$head..HEAD")" = 1 ] || mt_fail "no-op committed"
G fsck --no-progress 2>&1 | grep -v '^dangling' | grep . && mt_fail "git fsck"
echo "ok   commit_changes: invalid refused, changed/new/deleted in one commit, no-op when clean"
exit 0

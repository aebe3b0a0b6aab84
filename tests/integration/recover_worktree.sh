#!/bin/bash
# recover_worktree.sh - `helios-mcp recover` restores damaged and missing
# working files from git, keeps the damaged bytes, leaves valid hand
# edits alone, brings a base identity back from history or the default;
# opening alone changes nothing.
set -u

. "$(dirname "$0")/cli_lib.bash"
cli_setup helios-recover-wt
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@t

# Here expect_rc shows stdout as well as stderr.
expect_rc() {
	[ "$rc" -eq "$1" ] || fail "$2: exit $rc, want $1; out: $(cat "$T/out" \
		"$T/err")"
}
expect_line() {
	grep -qF -- "$1" "$T/out" || fail "$2: no line [$1] in: $(cat "$T/out")"
}
persona() { printf 'specialization_level: %s\nbehaviors:\n  tone: %s\n' "$1" "$2"; }

S=$T/store
run "$BIN" init --helios-dir "$S"
expect_rc 0 init
persona 2 calm >"$S/personas/coder.yaml"
run "$BIN" write --helios-dir "$S" personas/coder.yaml "$S/personas/coder.yaml"
expect_rc 0 "write coder"
welcome_head=$(git -C "$S" show HEAD:personas/welcome.yaml)
base_head=$(git -C "$S" show HEAD:base/identity.yaml)

# damage: invalid YAML in welcome, a valid hand edit in coder, no base
printf 'behaviors: [unclosed\n' >"$S/personas/welcome.yaml"
persona 3 edited-by-hand >"$S/personas/coder.yaml"
rm "$S/base/identity.yaml"
head0=$(git -C "$S" rev-parse HEAD)

# recovery on open is conservative: it reports and touches nothing
run "$BIN" validate --helios-dir "$S"
grep -q "differs from HEAD; left as is" "$T/err" ||
	fail "open did not report the damage: $(cat "$T/err")"
[ "$(cat "$S/personas/welcome.yaml")" = 'behaviors: [unclosed' ] ||
	fail "opening changed the damaged file"
[ ! -e "$S/base/identity.yaml" ] || fail "opening restored the base"

run "$BIN" recover --helios-dir "$S"
expect_rc 0 recover
expect_line "base/identity.yaml: warning: was missing; restored from HEAD" \
	"base report"
expect_line "personas/welcome.yaml: warning: was damaged; restored from HEAD, damaged bytes kept in '$S/.helios-state/recovered/" \
	"welcome report"
expect_line "store at $S is usable" "summary"
[ "$(cat "$S/personas/welcome.yaml")" = "$welcome_head" ] ||
	fail "welcome not restored from HEAD"
[ "$(cat "$S/base/identity.yaml")" = "$base_head" ] ||
	fail "base not restored from HEAD"
kept=$(ls "$S"/.helios-state/recovered/*/personas/welcome.yaml) ||
	fail "damaged bytes not kept"
[ "$(cat "$kept")" = 'behaviors: [unclosed' ] || fail "kept bytes differ"
[ "$(cat "$S/personas/coder.yaml")" = "$(persona 3 edited-by-hand)" ] ||
	fail "a valid hand edit was overwritten"
[ "$(git -C "$S" rev-parse HEAD)" = "$head0" ] ||
	fail "restoring from HEAD must not commit"
[ "$(stat -c %a "$S/personas/welcome.yaml")" = 600 ] ||
	fail "restored file is not 0600"
git -C "$S" check-ignore -q "$kept" || fail "recovery folder not ignored"

# a second damage of the same file never overwrites the first copy
printf 'behaviors: [again\n' >"$S/personas/welcome.yaml"
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "second recover"
n=$(find "$S/.helios-state/recovered" -type f | wc -l)
[ "$n" = 2 ] || fail "expected 2 kept copies, found $n"

# base deleted from history too: it comes back from the newest commit
# that has it, in a commit saying so
git -C "$S" checkout -q -- personas/coder.yaml 2>/dev/null
old=$(git -C "$S" rev-parse --short=12 HEAD)
git -C "$S" rm -q base/identity.yaml
git -C "$S" commit -q -m "remove base by hand"
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "recover from history"
expect_line "recover base/identity.yaml from history (commit $old)" \
	"history report"
[ "$(git -C "$S" log -1 --format=%s)" = \
  "recover base/identity.yaml from history (commit $old)" ] ||
	fail "no recovery commit: $(git -C "$S" log -1 --format=%s)"
[ "$(git -C "$S" show HEAD:base/identity.yaml)" = "$base_head" ] ||
	fail "history base content differs"
git -C "$S" fsck --strict >/dev/null 2>&1 || fail "fsck after history recovery"

# no history at all: the default base, a new history, personas adopted
D=$T/nohist
run "$BIN" init --helios-dir "$T/fresh"
default_base=$(cat "$T/fresh/base/identity.yaml")
mkdir -p "$D/personas" "$D/base"
persona 4 kept >"$D/personas/kept.yaml"
printf 'not: [valid\n' >"$D/personas/broken.yaml"
run "$BIN" recover --helios-dir "$D"
expect_rc 1 "recover without history (one invalid persona left)"
expect_line "base/identity.yaml: warning: was missing and the store has no history; restored from the default" \
	"default report"
expect_line "personas/broken.yaml: invalid, so not committed" "invalid report"
[ "$(cat "$D/base/identity.yaml")" = "$default_base" ] ||
	fail "default base differs"
[ "$(git -C "$D" show HEAD:personas/kept.yaml)" = "$(persona 4 kept)" ] ||
	fail "valid persona not adopted"
git -C "$D" cat-file -e HEAD:personas/broken.yaml 2>/dev/null &&
	fail "invalid persona committed"
[ "$(cat "$D/personas/broken.yaml")" = 'not: [valid' ] ||
	fail "invalid persona touched"

# nothing there: refused, and nothing created
run "$BIN" recover --helios-dir "$T/nothing"
expect_rc 1 "recover of a missing directory"
grep -qF "there is no store at '$T/nothing' to recover" "$T/err" ||
	fail "missing dir: $(cat "$T/err")"
[ ! -e "$T/nothing" ] || fail "recover created a store"
echo PASS

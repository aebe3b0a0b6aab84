#!/bin/bash
# recover_git.sh - a damaged git repository (missing commit or blob,
# garbage or deleted ref) is diagnosed by doctor and repaired by recover
# from the working tree, the reflog or a backup; when nothing can repair
# it, recover says to restore a backup.
set -u

BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR must point at the build bin dir}/helios-mcp
T=$(mktemp -d "${TMPDIR:-/tmp}/helios-recover-git.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1
unset HELIOS_DIR
mkdir -p "$HOME"

fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect_rc() {
	[ "$rc" -eq "$1" ] || fail "$2: exit $rc, want $1; out: $(cat "$T/out" \
		"$T/err")"
}
expect_line() {
	grep -qF -- "$1" "$T/out" || fail "$2: no line [$1] in: $(cat "$T/out")"
}
persona() { printf 'specialization_level: %s\nbehaviors:\n  tone: %s\n' "$1" "$2"; }
save() {	# save NAME LEVEL TONE through the command line
	persona "$2" "$3" >"$T/in.yaml"
	run "$BIN" write --helios-dir "$S" "personas/$1.yaml" "$T/in.yaml"
	expect_rc 0 "write $1"
}
drop_object() {	# remove one loose object
	rm -f "$S/.git/objects/${1:0:2}/${1:2}"
	git -C "$S" cat-file -e "$1" 2>/dev/null && fail "object $1 still there"
}
fsck_clean() {
	git -C "$S" fsck --strict >"$T/fsck" 2>&1 ||
		fail "$1: fsck: $(cat "$T/fsck")"
	grep -q -e missing -e invalid -e error "$T/fsck" &&
		fail "$1: fsck: $(cat "$T/fsck")"
	return 0
}

S=$T/store
run "$BIN" init --helios-dir "$S"
save a 2 one
c2=$(git -C "$S" rev-parse HEAD)
save a 3 two
c3=$(git -C "$S" rev-parse HEAD)

# 1. the tip commit's object is gone: main goes back to the newest
# complete commit of the reflog
drop_object "$c3"
run "$BIN" doctor --helios-dir "$S"
expect_rc 1 "doctor on a missing commit"
expect_line "problem: git: object $c3 reachable from main is missing or damaged" \
	"doctor missing commit"
expect_line "fix: helios-mcp recover --helios-dir '$S'" "doctor fix"
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "recover missing commit"
expect_line "repaired: main reset to $c2, the newest complete commit in the reflog" \
	"reset report"
[ "$(git -C "$S" rev-parse HEAD)" = "$c2" ] || fail "main not at $c2"
fsck_clean "after commit loss"
# the lost save's bytes are still the working file: a valid hand edit now
[ "$(cat "$S/personas/a.yaml")" = "$(persona 3 two)" ] ||
	fail "working file lost"
run "$BIN" doctor --helios-dir "$S"
expect_rc 0 "doctor after repair"

# 2. a blob is gone but the working file has its bytes: repaired in
# place, main unchanged
save a 4 three
tip=$(git -C "$S" rev-parse HEAD)
blob=$(git -C "$S" rev-parse HEAD:personas/a.yaml)
drop_object "$blob"
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "recover missing blob"
expect_line "repaired: 1 missing object(s) rewritten from the working tree, 0 backup(s) imported" \
	"blob report"
[ "$(git -C "$S" rev-parse HEAD)" = "$tip" ] || fail "main moved"
fsck_clean "after blob loss"

# 3. a blob gone from both git and the working tree comes from a backup
run "$BIN" backup --helios-dir "$S"
expect_rc 0 backup
persona 9 edited >"$S/personas/a.yaml"
drop_object "$blob"
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "recover from backup"
expect_line "repaired: 0 missing object(s) rewritten from the working tree, 1 backup(s) imported" \
	"backup report"
[ "$(git -C "$S" show HEAD:personas/a.yaml)" = "$(persona 4 three)" ] ||
	fail "blob not restored from the backup"
fsck_clean "after backup import"

# 4. garbage in refs/heads/main, then the ref deleted outright
echo "not an object id" >"$S/.git/refs/heads/main"
run "$BIN" validate --helios-dir "$S"
[ "$rc" -ne 0 ] || fail "validate accepted a garbage ref"
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "recover garbage ref"
expect_line "refs/heads/main is missing or broken" "garbage report"
[ "$(git -C "$S" rev-parse HEAD)" = "$tip" ] || fail "garbage ref not reset"
rm "$S/.git/refs/heads/main"
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "recover deleted ref"
[ "$(git -C "$S" rev-parse HEAD)" = "$tip" ] || fail "deleted ref not reset"
fsck_clean "after ref repair"

# 5. HEAD detached: put back on main
git -C "$S" checkout -q --detach
run "$BIN" recover --helios-dir "$S"
expect_rc 0 "recover detached HEAD"
expect_line "repaired: HEAD was not on main; it is again" "head report"
[ "$(git -C "$S" symbolic-ref HEAD)" = refs/heads/main ] || fail "HEAD not main"

# 6. nothing left to repair from: recover refuses and says what to do
rm -rf "$S/.git/objects"/?? "$S/.helios-state/backups"
rm -rf "$S/.git/objects/pack"/*
run "$BIN" recover --helios-dir "$S"
expect_rc 1 "recover with no objects"
grep -qF "restore a backup with 'helios-mcp restore-backup FILE'" "$T/err" ||
	fail "no restore advice: $(cat "$T/err")"
echo PASS

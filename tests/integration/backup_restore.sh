#!/bin/bash
# backup_restore.sh - `helios-mcp backup` writes a verified git bundle
# that git itself reads; `restore-backup` rebuilds the store from it into
# an empty place or over a damaged store (moved aside, never deleted),
# and refuses damaged or incomplete bundles without touching anything.
set -u

BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR must point at the build bin dir}/helios-mcp
T=$(mktemp -d "${TMPDIR:-/tmp}/helios-backup.XXXXXX") || exit 1
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
persona() { printf 'specialization_level: %s\nbehaviors:\n  tone: %s\n' "$1" "$2"; }
tree_of() {	# content fingerprint of the configuration files
	(cd "$1" && find base personas -type f -print0 | sort -z |
		xargs -0 sha256sum)
}

S=$T/store
run "$BIN" init --helios-dir "$S"
for i in 1 2 3; do
	persona "$i" "tone $i" >"$T/in.yaml"
	run "$BIN" write --helios-dir "$S" "personas/p$i.yaml" "$T/in.yaml"
	expect_rc 0 "write p$i"
done
tip=$(git -C "$S" rev-parse HEAD)
fp=$(tree_of "$S")

# to a file
run "$BIN" backup --helios-dir "$S" "$T/b.bundle"
expect_rc 0 "backup to a file"
[ "$(cat "$T/out")" = "backup of $S (main at $tip) written and verified: $T/b.bundle" ] ||
	fail "backup output: $(cat "$T/out")"
[ "$(stat -c %a "$T/b.bundle")" = 600 ] || fail "bundle is not 0600"
# git reads it: verify and clone
git -C "$S" bundle verify "$T/b.bundle" >/dev/null 2>&1 ||
	fail "git bundle verify rejects it"
git clone -q -b main "$T/b.bundle" "$T/clone" || fail "git clone rejects it"
[ "$(git -C "$T/clone" rev-parse HEAD)" = "$tip" ] || fail "clone HEAD"
[ "$(git -C "$T/clone" rev-list --count HEAD)" = 4 ] ||
	fail "clone lacks history"

# into a directory, and by default inside the store
mkdir "$T/dir"
run "$BIN" backup --helios-dir "$S" "$T/dir"
expect_rc 0 "backup to a directory"
ls "$T"/dir/helios-*.bundle >/dev/null || fail "no bundle in the directory"
run "$BIN" backup --helios-dir "$S"
expect_rc 0 "backup to the default place"
ls "$S"/.helios-state/backups/helios-*.bundle >/dev/null ||
	fail "no bundle in the default place"
git -C "$S" status --porcelain | grep -q . && fail "backup dirtied the store"

# restore into a place that does not exist yet
R=$T/restored
run "$BIN" restore-backup --helios-dir "$R" "$T/b.bundle"
expect_rc 0 "restore into a new dir"
# (checked first: `git status` rewrites the index with its own umask)
bad=$(find "$R" -perm /077 | head -3)
[ -z "$bad" ] || fail "restored store not private: $bad"
[ "$(git -C "$R" rev-parse HEAD)" = "$tip" ] || fail "restored HEAD"
[ "$(git -C "$R" symbolic-ref HEAD)" = refs/heads/main ] || fail "HEAD not main"
[ "$(tree_of "$R")" = "$fp" ] || fail "restored files differ"
[ -z "$(git -C "$R" status --porcelain)" ] || fail "restored store not clean"
git -C "$R" fsck --strict >/dev/null 2>&1 || fail "restored fsck"

# restore over a damaged store: it is moved aside, never deleted
printf 'garbage: [\n' >"$S/personas/p1.yaml"
rm -rf "$S/.git/refs"
run "$BIN" restore-backup --helios-dir "$S" "$T/b.bundle"
expect_rc 0 "restore over a damaged store"
aside=$(ls -d "$S".before-restore-*) || fail "old store not moved aside"
grep -qx "previous store kept at $aside" "$T/out" || fail "aside not reported"
[ "$(cat "$aside/personas/p1.yaml")" = 'garbage: [' ] ||
	fail "moved-aside store altered"
[ "$(tree_of "$S")" = "$fp" ] || fail "restored files differ"
[ "$(git -C "$S" rev-parse HEAD)" = "$tip" ] || fail "restored HEAD"

# damaged bundles are refused before anything moves
head -c 300 "$T/b.bundle" >"$T/trunc.bundle"
run "$BIN" restore-backup --helios-dir "$S" "$T/trunc.bundle"
expect_rc 1 "truncated bundle"
grep -q "damaged pack" "$T/err" || fail "truncated: $(cat "$T/err")"
[ "$(ls -d "$S".before-restore-* | wc -l)" = 1 ] ||
	fail "a refused restore moved the store"
# flip one byte inside the pack
cp "$T/b.bundle" "$T/flip.bundle"
size=$(stat -c %s "$T/flip.bundle")
printf '\x55' | dd of="$T/flip.bundle" bs=1 seek=$((size - 30)) conv=notrunc \
	2>/dev/null
run "$BIN" restore-backup --helios-dir "$T/x" "$T/flip.bundle"
expect_rc 1 "corrupted bundle"
[ ! -e "$T/x" ] || fail "refused restore created the target"
# a bundle that needs commits it does not hold is not a backup
git -C "$S" bundle create -q "$T/thin.bundle" HEAD~1..main 2>/dev/null
run "$BIN" restore-backup --helios-dir "$T/y" "$T/thin.bundle"
expect_rc 1 "thin bundle"
grep -q "not a full backup" "$T/err" || fail "thin: $(cat "$T/err")"
run "$BIN" restore-backup --helios-dir "$T/y" "$T/missing.bundle"
expect_rc 1 "missing file"
echo PASS

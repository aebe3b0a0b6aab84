#!/bin/bash
# doctor_checks.sh - `helios-mcp doctor` finds each kind of problem,
# prints the command that fixes it and exits 1; a healthy store gives 0.
# Covers layout, invalid files, git damage, a long-held lock, an open
# store directory, and dead and duplicate helios-fs mounts.
. "${HELIOS_TEST_LIB:?HELIOS_TEST_LIB is not set}"

hl_setup
BIN=$HL_BIN/helios-mcp
EXTRA_PIDS=
EXTRA_MNTS=
doctor_cleanup()
{
	local st=$? p m

	for m in $EXTRA_MNTS; do
		umount "$m" 2>/dev/null || fusermount3 -u "$m" 2>/dev/null ||
			fusermount3 -uz "$m" 2>/dev/null
	done
	for p in $EXTRA_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	(exit $st)
	hl_cleanup
}
trap doctor_cleanup EXIT

run() { "$@" >"$HL_OUT/out" 2>"$HL_OUT/err"; rc=$?; }
expect_rc() {
	[ "$rc" -eq "$1" ] || hl_fail "$2: exit $rc, want $1: $(cat "$HL_OUT/out" \
		"$HL_OUT/err")"
}
expect_line() {
	grep -qxF -- "$1" "$HL_OUT/out" ||
		hl_fail "$2: no line [$1] in: $(cat "$HL_OUT/out")"
}
S=$HL_STORE
FIX="    fix: helios-mcp recover --helios-dir '$S'"

run "$BIN" init --helios-dir "$S"
run "$BIN" doctor --helios-dir "$S"
expect_rc 0 "healthy store"
expect_line "ok: layout: layout 1" healthy
expect_line "ok: permissions: private to its owner" healthy
expect_line "all well in $S" healthy

# an invalid persona
printf 'specialization_level: zero\nbehaviors: {}\n' >"$S/personas/welcome.yaml"
run "$BIN" doctor --helios-dir "$S"
expect_rc 1 "invalid persona"
grep -q "^problem: files: personas/welcome.yaml is invalid: " "$HL_OUT/out" ||
	hl_fail "invalid persona not reported: $(cat "$HL_OUT/out")"
expect_line "$FIX" "invalid persona fix"
expect_line "1 problem(s) found in $S" "count"
git -C "$S" checkout -q -- personas/welcome.yaml

# the store directory open to others
chmod 755 "$S"
run "$BIN" doctor --helios-dir "$S"
expect_rc 1 "open store directory"
expect_line "problem: permissions: the store directory is open to group or others (mode 755)" perms
expect_line "    fix: chmod -R go-rwx '$S'" "perms fix"
chmod 700 "$S"

# a ref lock file a killed writer left in .git (the tester's store where
# doctor said "all well" while every git command refused to run)
: >"$S/.git/refs/heads/main.lock"
run "$BIN" doctor --helios-dir "$S"
expect_rc 1 "stale git lock"
expect_line "problem: git: stale lock file '$S/.git/refs/heads/main.lock' left by a writer that was killed" "stale lock"
expect_line "    fix: rm '$S/.git/refs/heads/main.lock'" "stale lock fix"
rm "$S/.git/refs/heads/main.lock"

# an old layout and a broken ref
printf '0.9.1\n' >"$S/.helios_version"
cp "$S/.git/refs/heads/main" "$HL_OUT/main.ref"
echo garbage >"$S/.git/refs/heads/main"
run "$BIN" doctor --helios-dir "$S"
expect_rc 1 "old layout, broken ref"
expect_line "problem: layout: old layout ('0.9.1'); opening the store migrates it" layout
grep -q "^problem: git: refs/heads/main is missing or broken" "$HL_OUT/out" ||
	hl_fail "broken ref not reported: $(cat "$HL_OUT/out")"
expect_line "2 problem(s) found in $S" "count 2"
cp "$HL_OUT/main.ref" "$S/.git/refs/heads/main"
git -C "$S" checkout -q -- .helios_version

# a writer that holds the lock for long
python3 - "$S/.helios-state/lock" <<'PY' &
import fcntl, struct, sys, time
fd = open(sys.argv[1], "r+")
fcntl.fcntl(fd, fcntl.F_OFD_SETLKW, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))
open(sys.argv[1] + ".held", "w").close()
time.sleep(8)
PY
EXTRA_PIDS="$EXTRA_PIDS $!"
for i in $(seq 50); do [ -e "$S/.helios-state/lock.held" ] && break; sleep 0.1; done
run "$BIN" doctor --helios-dir "$S"
expect_rc 1 "held lock"
grep -q "^problem: lock: store lock held for over 2 s by pid $! (python3)" "$HL_OUT/out" ||
	hl_fail "held lock not reported: $(cat "$HL_OUT/out")"
kill $EXTRA_PIDS 2>/dev/null; wait $EXTRA_PIDS 2>/dev/null
EXTRA_PIDS=
rm -f "$S/.helios-state/lock.held"

# mounts: a dead one, then a live one, then the live one seen twice
M2=$HL_TMP/mnt2
mkdir -p "$M2"
"$HL_BIN/helios-fs" --helios-dir "$S" -f "$M2" 2>"$HL_OUT/fs2.log" &
P2=$!
EXTRA_PIDS=$P2
EXTRA_MNTS=$M2
for i in $(seq 100); do [ -e "$M2/errors.log" ] && break; sleep 0.1; done
[ -e "$M2/errors.log" ] || hl_fail "second helios-fs: $(cat "$HL_OUT/fs2.log")"
kill -9 "$P2"
wait "$P2" 2>/dev/null
EXTRA_PIDS=
run "$BIN" doctor --helios-dir "$S"
expect_rc 1 "dead mount"
expect_line "problem: mounts: dead mount of this store at '$M2' (its helios-fs is gone)" \
	"dead mount"
expect_line "    fix: fusermount3 -u '$M2'" "dead mount fix"
fusermount3 -u "$M2" || hl_fail "the suggested fix failed"
EXTRA_MNTS=

hl_mount
run "$BIN" doctor --helios-dir "$S"
expect_rc 0 "one mount"
expect_line "ok: mounts: mounted at '$HL_MNT'" "live mount"
# the same mount visible twice (a bind mount): a warning, not a fault
M3=$HL_TMP/mnt3
mkdir -p "$M3"
if mount --bind "$HL_MNT" "$M3" 2>/dev/null; then
	EXTRA_MNTS=$M3
	run "$BIN" doctor --helios-dir "$S"
	expect_rc 0 "duplicate mount is a warning"
	expect_line "warning: mounts: store also mounted at '$M3'" duplicate
	umount "$M3" || hl_fail "cannot unmount the bind mount"
	EXTRA_MNTS=
else
	echo "note: mount --bind not permitted; duplicate check skipped"
fi
run "$BIN" doctor --helios-dir "$S"
expect_rc 0 "after the fix"
echo PASS

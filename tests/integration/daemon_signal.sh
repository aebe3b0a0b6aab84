#!/bin/bash
# SIGTERM and fusermount3 -u end the daemon cleanly (exit 0, mount gone),
# also in the middle of a stream of saves: every save is then either a
# whole commit or nothing - the store is clean, HEAD matches the working
# tree, git fsck passes.  A file still open with unsaved changes is
# named in the log, not committed half-written.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml

mounted()
{
	grep -qF " $HL_MNT fuse.helios-fs " /proc/self/mounts
}

# stop_daemon SIGNAL: signal the daemon, expect exit 0 and no mount.
stop_daemon()
{
	local rc i
	kill -"$1" "$HL_PID"
	for i in $(seq 100); do
		kill -0 "$HL_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$HL_PID" 2>/dev/null && hl_fail "daemon ignored SIG$1"
	wait "$HL_PID"
	rc=$?
	HL_PID=
	hl_eq "exit status after SIG$1" 0 "$rc"
	mounted && hl_fail "still mounted after SIG$1"
	grep -q -e Sanitizer -e 'runtime error' "$HL_LOG" &&
		hl_fail "sanitizer report: $(cat "$HL_LOG")"
}

store_consistent()
{
	hl_expect_clean
	git -C "$S" fsck --no-progress >/dev/null 2>&1 || hl_fail "git fsck"
	"$HL_BIN/helios-mcp" validate --helios-dir "$S" >"$HL_OUT/validate" \
		2>&1 || hl_fail "store invalid: $(cat "$HL_OUT/validate")"
	hl_expect_no_strays
}

# 1. SIGTERM during a stream of valid and refused saves.
saver()
{
	local r
	for r in $(seq 400); do
		hl_persona 2 "v$r" > "$M/$F" 2>/dev/null
		sed -i "s/tone: v$r/tone: s$r/" "$M/$F" 2>/dev/null
		echo "specialization_level: -$r" > "$M/$F" 2>/dev/null
		[ -d "$M/personas" ] || break
	done
}
saver &
spid=$!
hl_wait_commits 6
stop_daemon TERM
wait "$spid"
[ "$(hl_new_commits)" -ge 6 ] || hl_fail "saves did not run"
store_consistent
grep -q "tone: [vs][0-9]" "$S/$F" || hl_fail "last save: $(cat "$S/$F")"

# 2. fusermount3 -u during the stream.
hl_mount
saver &
spid=$!
hl_wait_commits 6
fusermount3 -u "$M" 2>/dev/null || fusermount3 -u -z "$M"
for i in $(seq 100); do
	kill -0 "$HL_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$HL_PID"
rc=$?
HL_PID=
hl_eq "exit status after fusermount3 -u" 0 "$rc"
wait "$spid"
store_consistent

# 3. SIGTERM while a file is open with unsaved changes.
hl_mount
hl_checkpoint
mkfifo "$HL_OUT/go"
python3 - "$M/$F" "$HL_OUT/go" <<'EOF' &
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, b"# persona\nspecialization_level: 9\n")
open(sys.argv[2], "w").close()    # tell the test, then hold the file
try:
    os.read(os.open(sys.argv[2], os.O_RDONLY), 1)
except OSError:
    pass
EOF
ppid=$!
cat "$HL_OUT/go" >/dev/null
stop_daemon TERM
echo >"$HL_OUT/go" &
wait "$ppid" 2>/dev/null
grep -q "'$F' was still open for writing at unmount" "$HL_LOG" ||
	hl_fail "unsaved file not named: $(cat "$HL_LOG")"
hl_expect_commits
store_consistent
echo PASS

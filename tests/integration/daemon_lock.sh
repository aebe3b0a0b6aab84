#!/bin/bash
# One daemon per store: a second helios-fs on the same store (foreground
# or background) is refused with a message naming the first one and its
# mountpoint, and mounts nothing; once the first unmounts, the store can
# be mounted again.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
M2=$HL_TMP/mnt2
mkdir -p "$M2"

mounted()
{
	grep -qF " $1 fuse.helios-fs " /proc/self/mounts
}

timeout 10 "$HL_BIN/helios-fs" --helios-dir "$S" -f "$M2" \
	>"$HL_OUT/second" 2>&1
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
	hl_fail "second daemon: rc $rc: $(cat "$HL_OUT/second")"
grep -q "store '$S' is already mounted by helios-fs (pid $HL_PID) on '$M'" \
	"$HL_OUT/second" || hl_fail "message: $(cat "$HL_OUT/second")"
mounted "$M2" && hl_fail "second mount appeared"

# Backgrounded, the same.
timeout 10 "$HL_BIN/helios-fs" --helios-dir "$S" "$M2" \
	>"$HL_OUT/third" 2>&1 && hl_fail "background second daemon started"
grep -q "already mounted" "$HL_OUT/third" ||
	hl_fail "message: $(cat "$HL_OUT/third")"
mounted "$M2" && hl_fail "second mount appeared"
cat "$M/personas/welcome.yaml" >/dev/null || hl_fail "first mount broken"

# The first goes; a backgrounded daemon takes the store and holds it
# after its fork.
fusermount3 -u "$M" || hl_fail "unmount"
wait "$HL_PID"
HL_PID=
"$HL_BIN/helios-fs" --helios-dir "$S" "$M2" 2>"$HL_OUT/bg" ||
	hl_fail "remount: $(cat "$HL_OUT/bg")"
HL_DAEMON_MNT=$M2
for i in $(seq 50); do
	[ -e "$M2/errors.log" ] && break
	sleep 0.1
done
mounted "$M2" || hl_fail "background mount did not appear"
timeout 10 "$HL_BIN/helios-fs" --helios-dir "$S" -f "$M" \
	>"$HL_OUT/fourth" 2>&1 && hl_fail "second daemon started"
bgpid=$(head -1 "$S/.helios-state/mount.lock")
grep -q "already mounted by helios-fs (pid $bgpid) on '$M2'" \
	"$HL_OUT/fourth" || hl_fail "message: $(cat "$HL_OUT/fourth")"
[ "$(cat /proc/"$bgpid"/comm 2>/dev/null)" = helios-fs ] ||
	hl_fail "lock names pid $bgpid, not the daemon"
mounted "$M" && hl_fail "second mount appeared"
hl_expect_clean
echo PASS

#!/bin/bash
# A daemon that dies leaves its mountpoint dead ("Transport endpoint is
# not connected").  Mounting there again detaches the dead mount by
# itself and serves the store, whose lock died with the old daemon.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml

hl_persona 2 before > "$M/$F"
hl_expect_commits "update $F (mount)"
kill -9 "$HL_PID"
wait "$HL_PID" 2>/dev/null
HL_PID=
stat "$M" >/dev/null 2>"$HL_OUT/stat" && hl_fail "mount still alive"
grep -q "Transport endpoint is not connected" "$HL_OUT/stat" ||
	hl_fail "not a dead mount: $(cat "$HL_OUT/stat")"

hl_mount
grep -q "dead mount .*detaching it" "$HL_LOG" ||
	hl_fail "no recovery message"
hl_eq "content after recovery" "$(hl_persona 2 before)" "$(cat "$M/$F")"
hl_persona 2 after > "$M/$F"
hl_expect_content "$F" "$(hl_persona 2 after)"
hl_eq "helios mounts on the mountpoint" 1 \
	"$(grep -cF " $M fuse.helios-fs " /proc/self/mounts)"
hl_expect_clean
echo PASS

#!/bin/bash
# An rm through the mount returned 0, then the daemon was killed before
# its deferred delete commit (found by a tester: kill -9 right after rm
# brought the persona back after a remount).  The acknowledged delete
# must survive: the next daemon commits it.  A delete whose file was
# saved anew by another face in between is not replayed.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/todel.yaml
G=personas/keep.yaml

hl_persona 2 doomed > "$M/$F"
hl_persona 2 spared > "$M/$G"
hl_expect_commits "create $F (mount)" "create $G (mount)"

# Unlink both, and kill the daemon before the deletes can be committed:
# the daemon defers them while the unlinking process lives (at most 2 s),
# so the unlinker stays alive until the kill.
python3 -c '
import os, sys, time
os.unlink(sys.argv[1]); os.unlink(sys.argv[2])
print("unlinked", flush=True)
time.sleep(30)' "$M/$F" "$M/$G" >"$HL_OUT/unlinker" 2>&1 &
unlinker=$!
for i in $(seq 100); do
	grep -q unlinked "$HL_OUT/unlinker" && break
	sleep 0.01
done
grep -q unlinked "$HL_OUT/unlinker" ||
	hl_fail "unlink failed: $(cat "$HL_OUT/unlinker")"
kill -9 "$HL_PID"
wait "$HL_PID" 2>/dev/null
HL_PID=
kill "$unlinker"
wait "$unlinker" 2>/dev/null
git -C "$S" cat-file -e "HEAD:$F" 2>/dev/null ||
	hl_fail "the delete was committed before the kill: the test proves nothing"
[ -f "$S/$F" ] || hl_fail "$F already gone from the store before the kill"

mark=$(git -C "$S" rev-parse HEAD)
# meanwhile another face saves G anew: that delete must not be replayed
hl_persona 3 rewritten | "$HL_BIN/helios-mcp" write --helios-dir "$S" "$G" ||
	hl_fail "helios-mcp write $G"

hl_mount
for i in $(seq 50); do
	[ "$(git -C "$S" rev-list --count "$mark..HEAD")" -ge 2 ] && break
	sleep 0.1
done
hl_eq "commits after the remount" \
	"$(printf '%s\n' "update $G (cli)" "delete $F (mount)")" \
	"$(git -C "$S" log --reverse --format=%s "$mark..HEAD")"
[ -e "$M/$F" ] && hl_fail "$F is back in the mount after a remount"
[ -e "$S/$F" ] && hl_fail "$F is back in the store"
hl_expect_content "$G" "$(hl_persona 3 rewritten)"
[ -z "$(ls -A "$S/.helios-state/mount-deletes" 2>/dev/null)" ] ||
	hl_fail "delete records left: $(ls -A "$S/.helios-state/mount-deletes")"
hl_expect_clean
echo PASS

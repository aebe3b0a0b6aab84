#!/bin/bash
# A configuration file renamed to a scratch name and never replaced is
# deleted in git too, so the mount never shows what git lacks; one whose
# replacement is refused (emacs's F -> F~ then an invalid F) comes back.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
P=personas
F=$P/coder.yaml
hl_persona 3 terse > "$M/$F" || hl_fail "create failed"
hl_expect_commits "create $F (mount)"
OLD=$(hl_persona 3 terse)

# mv F F.bak: one delete commit once mv has exited; F.bak keeps the text.
mv "$M/$F" "$M/$F.bak" || hl_fail "mv to F.bak failed"
hl_wait_commits 1
hl_expect_commits "delete $F (mount)"
[ -e "$M/$F" ] && hl_fail "$F still in the mount"
[ -e "$S/$F" ] && hl_fail "$F still in the store"
hl_eq "F.bak in mount" "$OLD" "$(cat "$M/$F.bak")"
# and back: one create commit with the same content.
mv "$M/$F.bak" "$M/$F" || hl_fail "mv back failed"
hl_expect_content "$F" "$OLD"
hl_expect_commits "create $F (mount)"

# emacs's refused save: F -> F~, an invalid new F refused at close, the
# editor exits.  F must stay, with its old content, and no commit.
python3 - "$M/$F" <<'PY' || hl_fail "emacs-style refused save misbehaved"
import errno, os, sys
f = sys.argv[1]
os.rename(f, f + "~")
fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, b"specialization_level: 1.5\n")
try:
    os.close(fd)
    sys.exit(1)
except OSError as e:
    if e.errno != errno.EINVAL:
        sys.exit(2)
if not os.path.exists(f + "~"):
    sys.exit(3)
PY
# Longer than the grace period: no delete may follow.
sleep 3
hl_expect_commits
hl_expect_content "$F" "$OLD"
hl_eq "backup kept" "$OLD" "$(cat "$M/$F~")"
grep -q "specialization_level" "$M/errors.log" ||
	hl_fail "refusal not in errors.log"

# A save by another face while a delete is pending wins: the renamer (or
# unlinker) is still running when the command line saves F, and no
# delete may follow when it exits (it did: the confirmed save was lost).
NEW=$(hl_persona 5 from-cli)
for how in rename unlink; do
	python3 - "$M/$F" "$how" <<'PY' &
import os, sys, time
f, how = sys.argv[1:3]
if how == "rename":
    os.rename(f, f + ".bak")
else:
    os.unlink(f)
time.sleep(1.5)
PY
	bg=$!
	sleep 0.5
	printf '%s\n' "$NEW" | "$HL_BIN/helios-mcp" write --helios-dir "$S" \
		"$F" >/dev/null 2>&1 || hl_fail "cli write failed ($how)"
	wait "$bg"
	sleep 1
	hl_expect_commits "update $F (cli)"
	hl_expect_content "$F" "$NEW"
	rm -f "$M/$F.bak"
	NEW=$(hl_persona 6 from-cli-again)
done

# The base identity cannot be deleted: renamed away and not replaced, it
# stays (no commit) and errors.log says why.
B=base/identity.yaml
BASE=$(cat "$S/$B")
mv "$M/$B" "$M/$B.bak" || hl_fail "mv of the base failed"
hl_wait_grep "base identity cannot be deleted; it stays" "$M/errors.log" ||
	hl_fail "no refusal for the base: $(cat "$M/errors.log")"
hl_expect_commits
hl_expect_content "$B" "$BASE"
rm "$M/$B.bak"

# A remount shows exactly what git has: F present, scratch gone.
mv "$M/$F" "$M/$P/.coder.yaml.old" || hl_fail "mv to dot name failed"
hl_wait_commits 1
hl_expect_commits "delete $F (mount)"
fusermount3 -u "$M" || hl_fail "unmount failed"
wait "$HL_PID"
HL_PID=
hl_mount
[ -e "$M/$F" ] && hl_fail "$F came back after remount"
hl_eq "personas after remount" "welcome.yaml" "$(ls -A "$M/$P")"
hl_expect_clean
hl_expect_no_strays
echo PASS

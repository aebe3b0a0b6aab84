#!/bin/bash
# Shell redirection, append, cp, tee and truncate: one commit per save.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml
MSG="update $F (mount)"

# echo > f
hl_persona 2 calm > "$M/$F" || hl_fail "> failed"
hl_expect_content "$F" "$(hl_persona 2 calm)"
hl_expect_commits "$MSG"

# >> appends to the current content
printf '  pace: slow\n' >> "$M/$F" || hl_fail ">> failed"
hl_expect_content "$F" "$(hl_persona 2 calm; printf '  pace: slow')"
hl_expect_commits "$MSG"

# cp from outside the mount
hl_persona 3 bold > "$HL_OUT/p.yaml"
cp "$HL_OUT/p.yaml" "$M/$F" || hl_fail "cp failed"
hl_expect_content "$F" "$(hl_persona 3 bold)"
hl_expect_commits "$MSG"

# tee
hl_persona 4 dry | tee "$M/$F" >/dev/null || hl_fail "tee failed"
hl_expect_content "$F" "$(hl_persona 4 dry)"
hl_expect_commits "$MSG"

# Writing what is already there makes no commit.
hl_persona 4 dry > "$M/$F"
hl_expect_content "$F" "$(hl_persona 4 dry)"
hl_expect_commits

# The base identity is written the same way.
B=base/identity.yaml
printf 'base_importance: 0.5\nbehaviors:\n  style: terse\n' > "$M/$B"
hl_expect_content "$B" "$(printf 'base_importance: 0.5\nbehaviors:\n  style: terse')"
hl_expect_commits "update $B (mount)"

# truncate -s 0 alone is an empty document.  A truncation to 0 before
# any write is treated like O_TRUNC (a flush may come before the data),
# so it is refused at the last close, where no one hears: the file is
# untouched and the refusal recorded.  The write that follows is the save.
before=$(grep -c "document is empty" "$M/errors.log")
truncate -s 0 "$M/$F" || hl_fail "truncate failed"
for i in $(seq 20); do
	[ "$(grep -c "document is empty" "$M/errors.log")" -gt "$before" ] &&
		break
	sleep 0.1
done
[ "$(grep -c "document is empty" "$M/errors.log")" -gt "$before" ] ||
	hl_fail "truncate refusal not recorded"
hl_expect_content "$F" "$(hl_persona 4 dry)"
hl_expect_commits
hl_persona 5 warm > "$M/$F"
hl_expect_content "$F" "$(hl_persona 5 warm)"
hl_expect_commits "$MSG"

# truncate to a shorter valid document, by path and through a handle.
{ hl_persona 6 ok; echo "# a trailing comment"; } > "$M/$F"
hl_expect_commits "$MSG"
len=$(hl_persona 6 ok | wc -c)
truncate -s "$len" "$M/$F" || hl_fail "truncate to $len failed"
hl_expect_content "$F" "$(hl_persona 6 ok)"
hl_expect_commits "$MSG"
python3 - "$M/$F" <<'PY' || hl_fail "ftruncate+write failed"
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.ftruncate(fd, 0)
os.write(fd, b"specialization_level: 7\nbehaviors: {}\n")
os.fsync(fd)
os.close(fd)
PY
hl_expect_content "$F" "$(printf 'specialization_level: 7\nbehaviors: {}')"
hl_expect_commits "$MSG"

hl_eq "mode kept" "$(stat -c %a "$S/$F")" "$(stat -c %a "$M/$F")"
hl_eq "size" "$(stat -c %s "$S/$F")" "$(stat -c %s "$M/$F")"
hl_expect_clean
hl_expect_no_strays
echo PASS

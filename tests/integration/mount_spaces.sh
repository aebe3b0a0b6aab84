#!/bin/bash
# A store whose path contains spaces (and a mount point beside it).
. "$HELIOS_TEST_LIB"
hl_setup "my helios store"
HL_MNT="$HL_TMP/the mount"
hl_mount
F=personas/welcome.yaml

hl_eq "listing" "welcome.yaml" "$(ls "$M/personas")"
cmp -s "$M/$F" "$S/$F" || hl_fail "content differs"

hl_persona 2 spaced > "$M/$F"
hl_expect_content "$F" "$(hl_persona 2 spaced)"
hl_expect_commits "update $F (mount)"

sed -i 's/spaced/roomy/' "$M/$F" || hl_fail "sed -i failed"
hl_expect_content "$F" "$(hl_persona 2 roomy)"
hl_expect_commits "update $F (mount)"

hl_persona 3 new > "$M/personas/other.yaml"
hl_expect_commits "create personas/other.yaml (mount)"
rm "$M/personas/other.yaml"
hl_wait_commits 1
hl_expect_commits "delete personas/other.yaml (mount)"

echo 'behaviors: 1' > "$M/$F"
hl_expect_content "$F" "$(hl_persona 2 roomy)"
hl_expect_commits
grep -q "$F:1:1: missing required key 'specialization_level'" "$M/errors.log" ||
	hl_fail "errors.log: $(cat "$M/errors.log")"

hl_expect_clean
hl_expect_no_strays
echo PASS

#!/bin/bash
# Creating, deleting and renaming personas, and mv from another
# filesystem: one commit each; refused ones leave nothing behind.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
P=personas

# Create.
hl_persona 2 sharp > "$M/$P/coder.yaml" || hl_fail "create failed"
hl_expect_content "$P/coder.yaml" "$(hl_persona 2 sharp)"
hl_expect_commits "create $P/coder.yaml (mount)"
hl_eq "listing" "coder.yaml
welcome.yaml" "$(ls "$M/$P")"

# Invalid new persona: nothing is created anywhere.
echo 'specialization_level: 0' > "$M/$P/broken.yaml"
[ -e "$M/$P/broken.yaml" ] && hl_fail "invalid persona visible"
[ -e "$S/$P/broken.yaml" ] && hl_fail "invalid persona in the store"
hl_expect_commits
grep -q "$P/broken.yaml: $P/broken.yaml:1:23:" "$M/errors.log" ||
	hl_fail "errors.log: $(cat "$M/errors.log")"
cp "$M/$P/welcome.yaml" "$M/$P/copy.yaml" || hl_fail "cp new failed"
hl_expect_content "$P/copy.yaml" "$(cat "$S/$P/welcome.yaml")"
hl_expect_commits "create $P/copy.yaml (mount)"

# A name the rules refuse is never turned into a file.
hl_persona 1 x > "$M/$P/bad name.yaml" 2>/dev/null &&
	hl_fail "bad name accepted"
[ -e "$M/$P/bad name.yaml" ] && hl_fail "bad name visible"
hl_expect_commits

# mv inside the mount: one rename commit.
mv "$M/$P/coder.yaml" "$M/$P/dev.yaml" || hl_fail "mv failed"
[ -e "$M/$P/coder.yaml" ] && hl_fail "old name still visible"
hl_expect_content "$P/dev.yaml" "$(hl_persona 2 sharp)"
hl_expect_commits "rename $P/coder.yaml to $P/dev.yaml (mount)"

# mv from another filesystem onto a persona: unlink + create becomes
# one update.
OUTSIDE=/dev/shm
[ -w "$OUTSIDE" ] || OUTSIDE=$HL_OUT
hl_persona 5 moved > "$OUTSIDE/helios-mv.$$.yaml"
mv "$OUTSIDE/helios-mv.$$.yaml" "$M/$P/dev.yaml" || hl_fail "mv in failed"
sleep 0.3
hl_expect_content "$P/dev.yaml" "$(hl_persona 5 moved)"
hl_expect_commits "update $P/dev.yaml (mount)"
# ... and onto a new name: one create.
hl_persona 6 fresh > "$OUTSIDE/helios-mv.$$.yaml"
mv "$OUTSIDE/helios-mv.$$.yaml" "$M/$P/fresh.yaml" || hl_fail "mv new failed"
hl_expect_content "$P/fresh.yaml" "$(hl_persona 6 fresh)"
hl_expect_commits "create $P/fresh.yaml (mount)"
# ... invalid: mv fails, the persona stays as it was.
printf 'specialization_level: 1\n' > "$OUTSIDE/helios-mv.$$.yaml"
mv "$OUTSIDE/helios-mv.$$.yaml" "$M/$P/dev.yaml" 2>"$HL_OUT/err" &&
	hl_fail "invalid mv succeeded"
rm -f "$OUTSIDE/helios-mv.$$.yaml"
sleep 0.3
hl_expect_content "$P/dev.yaml" "$(hl_persona 5 moved)"
hl_expect_commits

# rm: one delete commit (committed once rm has exited).
rm "$M/$P/dev.yaml" || hl_fail "rm failed"
[ -e "$M/$P/dev.yaml" ] && hl_fail "removed persona visible"
hl_wait_commits 1
hl_expect_commits "delete $P/dev.yaml (mount)"
[ -e "$S/$P/dev.yaml" ] && hl_fail "removed persona in the store"
git -C "$S" cat-file -e "HEAD:$P/dev.yaml" 2>/dev/null &&
	hl_fail "removed persona at HEAD"

# rm of something that is not there.
rm "$M/$P/nobody.yaml" 2>/dev/null && hl_fail "rm of nothing succeeded"
hl_expect_commits

hl_eq "final listing" "copy.yaml
fresh.yaml
welcome.yaml" "$(ls "$M/$P")"
hl_expect_clean
hl_expect_no_strays
echo PASS

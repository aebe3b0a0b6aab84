#!/bin/bash
# sed -i through the mount: one commit with the new content; an invalid
# edit fails with "Invalid argument" and changes nothing.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml

hl_persona 2 calm > "$M/$F"
hl_expect_commits "update $F (mount)"

# The headline case.
sed -i 's/tone: calm/tone: lively/' "$M/$F" || hl_fail "sed -i failed"
hl_expect_content "$F" "$(hl_persona 2 lively)"
hl_expect_commits "update $F (mount)"
hl_eq "HEAD diff" "-  tone: calm
+  tone: lively" "$(git -C "$S" diff HEAD~1 HEAD -- "$F" | grep '^[-+] ')"

# sed -i on the base identity.
sed -i 's/^base_importance: .*/base_importance: 0.25/' "$M/base/identity.yaml" ||
	hl_fail "sed -i on base failed"
grep -q '^base_importance: 0.25$' "$S/base/identity.yaml" ||
	hl_fail "base not updated in the store"
hl_expect_commits "update base/identity.yaml (mount)"

# Invalid: specialization_level 0.
sed -i 's/specialization_level: 2/specialization_level: 0/' "$M/$F" \
	2>"$HL_OUT/err"
rc=$?
hl_eq "sed exit code" 4 "$rc"
grep -q "cannot rename .*sed.*: Invalid argument" "$HL_OUT/err" ||
	hl_fail "sed message: $(cat "$HL_OUT/err")"
hl_expect_content "$F" "$(hl_persona 2 lively)"
hl_expect_commits
ls -a "$M/personas" | grep -q '^sed' && hl_fail "sed temp left in the mount"
grep -q "personas/welcome.yaml:2:23: specialization_level" "$M/errors.log" ||
	hl_fail "refusal not in errors.log: $(cat "$M/errors.log")"

# The same session goes on: a corrected edit succeeds.
sed -i 's/tone: lively/tone: quiet/' "$M/$F" || hl_fail "sed -i failed"
hl_expect_content "$F" "$(hl_persona 2 quiet)"
hl_expect_commits "update $F (mount)"

hl_eq "listing" "welcome.yaml" "$(ls -a "$M/personas" | grep -v '^\.\.\?$')"
hl_expect_clean
hl_expect_no_strays
echo PASS

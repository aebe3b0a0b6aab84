#!/bin/bash
# The mount shows the store: listing, content, sizes, modes, inodes.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount

hl_eq "root listing" "base
errors.log
merged
personas
snapshots" "$(ls "$M")"
hl_eq "base listing" "identity.yaml" "$(ls "$M/base")"
hl_eq "personas listing" "welcome.yaml" "$(ls "$M/personas")"

for f in base/identity.yaml personas/welcome.yaml; do
	cmp -s "$M/$f" "$S/$f" || hl_fail "$f differs from the store"
	hl_eq "$f size" "$(stat -c %s "$S/$f")" "$(stat -c %s "$M/$f")"
	hl_eq "$f mode" "$(stat -c %A "$S/$f")" "$(stat -c %A "$M/$f")"
	hl_eq "$f inode" "$(stat -c %i "$S/$f")" "$(stat -c %i "$M/$f")"
	hl_eq "$f mtime" "$(stat -c %Y "$S/$f")" "$(stat -c %Y "$M/$f")"
	hl_eq "$f type" "regular file" "$(stat -c %F "$M/$f")"
done
grep -q '^base_importance:' "$M/base/identity.yaml" ||
	hl_fail "base identity has no base_importance"
grep -q '^specialization_level:' "$M/personas/welcome.yaml" ||
	hl_fail "welcome persona has no specialization_level"

hl_eq "errors.log mode" "-r--r--r--" "$(stat -c %A "$M/errors.log")"
hl_eq "errors.log size" "0" "$(stat -c %s "$M/errors.log")"
hl_eq "no xattr without a refusal" "ENODATA" \
	"$(hl_xattr "$M/personas/welcome.yaml" user.helios.error)"
hl_eq "other xattrs" "ENOTSUP" \
	"$(hl_xattr "$M/personas/welcome.yaml" user.other)"

# Nothing else can be made at the root or as a directory.
mkdir "$M/personas/sub" 2>/dev/null && hl_fail "mkdir allowed"
touch "$M/stray" 2>/dev/null && hl_fail "file created at the root"
(echo x > "$M/errors.log") 2>/dev/null && hl_fail "errors.log writable"
[ -e "$M/personas/nobody.yaml" ] && hl_fail "a persona out of nowhere"
df "$M" >/dev/null || hl_fail "statfs failed"

hl_expect_commits
hl_expect_clean
echo PASS

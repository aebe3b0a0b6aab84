#!/bin/bash
# merged/NAME.yaml: each persona merged over the base, exactly as
# `helios-mcp test-inheritance NAME` prints it, following every change
# of the base or the persona, with a size that matches its content.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
export LC_ALL=C

inherit()
{
	"$HL_BIN/helios-mcp" test-inheritance --helios-dir "$S" "$1" ||
		hl_fail "test-inheritance $1 failed"
}

# The merged file equals the command's output and its size is right.
expect_merged()
{
	local want got

	want=$(inherit "$1"; echo .)
	got=$(cat "$M/merged/$1.yaml"; echo .)
	hl_eq "merged/$1.yaml ($2)" "$want" "$got"
	hl_eq "merged/$1.yaml size ($2)" "$(printf %s "${want%.}" | wc -c)" \
		"$(stat -c %s "$M/merged/$1.yaml")"
}

hl_eq "merged is a read-only dir" "directory dr-xr-xr-x" \
	"$(stat -c '%F %A' "$M/merged")"
hl_eq "merged listing" "welcome.yaml" "$(ls "$M/merged")"
expect_merged welcome "fresh store"
head -n 2 "$M/merged/welcome.yaml" | grep -q '^# weight: ' ||
	hl_fail "no weight header"
hl_eq "merged mode" "-r--r--r--" "$(stat -c %A "$M/merged/welcome.yaml")"

# A persona with other weights and an inherits_from key.
cat > "$M/personas/coder.yaml" <<'EOF'
# coder
specialization_level: 2
inherits_from: welcome
behaviors:
  communication_style:
    tone: terse
  extra: [one, two]
EOF
hl_wait_commits 1
hl_eq "merged listing" "coder.yaml
welcome.yaml" "$(ls "$M/merged")"
expect_merged coder "new persona"
grep -q '^# inherits_from: welcome$' "$M/merged/coder.yaml" ||
	hl_fail "no inherits_from header"
grep -q 'tone: terse' "$M/merged/coder.yaml" ||
	hl_fail "the persona's tone is not merged in"

# The base changes through the mount: every merged file follows at once.
old=$(cat "$M/merged/coder.yaml")
sed -i 's/^base_importance: .*/base_importance: 0.9/' \
	"$M/base/identity.yaml" || hl_fail "sed -i on the base failed"
hl_wait_commits 2
grep -q '^base_importance: 0.9$' "$S/base/identity.yaml" ||
	hl_fail "the base was not saved"
expect_merged coder "after a base change"
expect_merged welcome "after a base change"
[ "$old" != "$(cat "$M/merged/coder.yaml")" ] ||
	hl_fail "merged/coder.yaml did not change with the base"
grep -q 'base_importance 0.9 ' "$M/merged/coder.yaml" ||
	hl_fail "the weight header does not show the new base_importance"

# The persona changes behind the mount (command line), mtime follows.
sleep 1.1
hl_persona 5 loud | "$HL_BIN/helios-mcp" write --helios-dir "$S" \
	personas/coder.yaml >/dev/null || hl_fail "helios-mcp write failed"
expect_merged coder "after a command-line write"
hl_eq "merged mtime is the persona's" \
	"$(stat -c %Y "$S/personas/coder.yaml")" \
	"$(stat -c %Y "$M/merged/coder.yaml")"
grep -q 'tone: loud' "$M/merged/coder.yaml" ||
	hl_fail "merged/coder.yaml does not show the new tone"

# An open merged file keeps what it read; a new open sees the change.
exec 7< "$M/merged/coder.yaml"
first=$(cat "$M/merged/coder.yaml")
hl_persona 6 soft | "$HL_BIN/helios-mcp" write --helios-dir "$S" \
	personas/coder.yaml >/dev/null || hl_fail "helios-mcp write failed"
hl_eq "open merged file unchanged" "$first" "$(cat <&7)"
exec 7<&-
expect_merged coder "after a second write"

# An invalid persona written behind the mount: the file explains why.
printf 'specialization_level: zero\n' > "$S/personas/broken.yaml"
out=$(cat "$M/merged/broken.yaml") || hl_fail "merged/broken.yaml absent"
echo "$out" | grep -q '^# not merged: personas/broken.yaml is invalid$' ||
	hl_fail "no explanation for an invalid persona: $out"
echo "$out" | grep -q '^# personas/broken.yaml:1:' ||
	hl_fail "no diagnostic with a position: $out"
echo "$out" | grep -qv '^#' && hl_fail "an invalid persona shows YAML: $out"
hl_eq "broken size" "$(cat "$M/merged/broken.yaml" | wc -c)" \
	"$(stat -c %s "$M/merged/broken.yaml")"
rm -f "$S/personas/broken.yaml"
[ -e "$M/merged/broken.yaml" ] && hl_fail "merged/broken.yaml stays"

# An invalid base (behind the mount): every merged file explains it.
cp "$S/base/identity.yaml" "$HL_OUT/base"
printf 'base_importance: [1\n' > "$S/base/identity.yaml"
grep -q '^# not merged: base/identity.yaml is invalid$' \
	"$M/merged/welcome.yaml" || hl_fail "no explanation for a bad base"
cp "$HL_OUT/base" "$S/base/identity.yaml"
expect_merged welcome "base restored"

# Names that are no persona's.
for bad in nobody.yaml welcome welcome.yml .welcome.yaml "a b.yaml"; do
	[ -e "$M/merged/$bad" ] && hl_fail "merged/$bad exists"
done
[ -e "$M/merged/welcome.yaml/x" ] && hl_fail "a path below a merged file"

hl_expect_clean
echo PASS

#!/bin/bash
# security_symlinks.sh - Helios never follows a symbolic link out of the
# store: linked base/ or personas/ directories and a linked base
# identity make the store refuse to open; a persona that is a link is
# neither read nor listed, and a save to its name replaces the link
# without touching the file it pointed at.
. "${HELIOS_TEST_LIB:?HELIOS_TEST_LIB is not set}"

hl_setup
BIN=$HL_BIN/helios-mcp
S=$HL_STORE
OUT=$HL_TMP/outside
mkdir -p "$OUT/dir"
hl_persona 7 secret >"$OUT/secret.yaml"
chmod 644 "$OUT/secret.yaml"
secret=$(cat "$OUT/secret.yaml")
"$BIN" init --helios-dir "$S" >/dev/null || hl_fail "init"

run() { "$@" >"$HL_OUT/out" 2>"$HL_OUT/err"; rc=$?; }

# a linked directory or base identity: refused, with the reason
for what in base personas base/identity.yaml; do
	cp -a "$S" "$HL_TMP/s2"
	rm -rf "${HL_TMP:?}/s2/$what"
	cp -a "$S/$what" "$OUT/dir/x"
	ln -s "$OUT/dir/x" "$HL_TMP/s2/$what"
	run "$BIN" validate --helios-dir "$HL_TMP/s2"
	[ "$rc" -ne 0 ] || hl_fail "$what as a link: store opened"
	grep -qF "'$HL_TMP/s2/$what' is a symbolic link; Helios does not follow links out of the store" \
		"$HL_OUT/err" || hl_fail "$what: $(cat "$HL_OUT/err")"
	run "$BIN" doctor --helios-dir "$HL_TMP/s2"
	[ "$rc" = 1 ] || hl_fail "$what: doctor exit $rc"
	rm -rf "$HL_TMP/s2" "$OUT/dir/x"
done

# a persona that links outside
ln -s "$OUT/secret.yaml" "$S/personas/evil.yaml"
run "$BIN" validate --helios-dir "$S"
[ "$rc" = 0 ] || hl_fail "validate with a linked persona: $(cat "$HL_OUT/err")"
grep -q "evil" "$HL_OUT/out" && hl_fail "validate read the link: $(cat "$HL_OUT/out")"
run "$BIN" doctor --helios-dir "$S"
grep -qxF "problem: files: personas/evil.yaml is a symbolic link; Helios ignores it" \
	"$HL_OUT/out" || hl_fail "doctor: $(cat "$HL_OUT/out")"

hl_mount
ls "$M/personas" | grep -q evil && hl_fail "mount lists the link"
if cat "$M/personas/evil.yaml" 2>/dev/null | grep -q secret; then
	hl_fail "mount reads through the link"
fi
# a save to that name replaces the link, never the file behind it
hl_persona 2 mine >"$M/personas/evil.yaml" || hl_fail "save over the link"
hl_wait_commits 1
[ "$(cat "$OUT/secret.yaml")" = "$secret" ] || hl_fail "outside file changed"
[ -L "$S/personas/evil.yaml" ] && hl_fail "link still in place"
hl_eq "saved content" "$(hl_persona 2 mine)" "$(cat "$S/personas/evil.yaml")"
hl_eq "mode of the saved file" 600 "$(stat -c %a "$S/personas/evil.yaml")"

# the same through the command line
ln -sf "$OUT/secret.yaml" "$S/personas/evil2.yaml"
hl_persona 3 cli >"$HL_TMP/in.yaml"
run "$BIN" write --helios-dir "$S" personas/evil2.yaml "$HL_TMP/in.yaml"
[ "$(cat "$OUT/secret.yaml")" = "$secret" ] || hl_fail "cli: outside file changed"
echo PASS

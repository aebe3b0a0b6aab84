#!/bin/bash
# cli_validate.sh - `helios-mcp validate` on a store, a git clone of one,
# a checkout without .git, and loose files: exact diagnostics and exit
# codes (0 valid, 1 invalid, 2 usage or unreadable path).
set -u

. "$(dirname "$0")/cli_lib.bash"
cli_setup helios-cli-validate

S=$T/store
"$BIN" init --helios-dir "$S" >/dev/null || fail "init"

# a good store: nothing on stdout, a summary on stderr
run "$BIN" validate --helios-dir "$S"
expect_rc 0 "valid store"
expect_out "" "valid store"
grep -q "store valid" "$T/err" || fail "no summary: $(cat "$T/err")"
HELIOS_DIR=$S run "$BIN" validate
expect_rc 0 "valid store through HELIOS_DIR"

# a missing store is a usage error, and validate does not create it
run "$BIN" validate --helios-dir "$T/none"
expect_rc 2 "missing store"
expect_out "" "missing store"
grep -q "helios-mcp init" "$T/err" || fail "missing store: no hint"
[ -e "$T/none" ] && fail "validate created a store"

# broken files in the store: the exact lines, exit 1
printf 'specialization_level: 1.5\nbehaviors: []\nmood: yes\n' \
	>"$S/personas/bad.yaml"
printf 'specialization_level: 2\nbehaviors:\n  a: [1\n' \
	>"$S/personas/syntax.yaml"
run "$BIN" validate --helios-dir "$S"
expect_rc 1 "invalid store"
expect_out "personas/bad.yaml:1:23: specialization_level must be an integer >= 1, got float 1.5
personas/bad.yaml:2:12: behaviors must be a mapping, got sequence
personas/bad.yaml:3:7: warning: key 'mood': plain scalar 'yes' is a string in YAML 1.2 but a boolean in YAML 1.1; quote it
personas/syntax.yaml:4:1: yaml syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 3, column 6)
" "invalid store"
grep -q "3 error(s), 1 warning(s)" "$T/err" || fail "summary: $(cat "$T/err")"
rm "$S/personas/bad.yaml" "$S/personas/syntax.yaml"

# a warning alone does not fail validation
printf 'specialization_level: 1\nbehaviors:\n  mood: on\n' \
	>"$S/personas/warn.yaml"
run "$BIN" validate --helios-dir "$S"
expect_rc 0 "store with a warning"
expect_out "personas/warn.yaml:3:9: warning: key 'behaviors.mood': plain scalar 'on' is a string in YAML 1.2 but a boolean in YAML 1.1; quote it
" "store with a warning"
rm "$S/personas/warn.yaml"

# a git clone of the store, as CI checks it out
C=$T/clone
git clone -q "$S" "$C" || fail "git clone"
run "$BIN" validate "$C"
expect_rc 0 "valid clone"
expect_out "" "valid clone"
grep -q "2 file(s) checked, 0 invalid" "$T/err" ||
	fail "clone summary: $(cat "$T/err")"

printf 'base_importance: 1.5\nbehaviors: {}\n' >"$C/base/identity.yaml"
printf 'specialization_level: 0\n' >"$C/personas/zero.yaml"
printf 'specialization_level: 1\nbehaviors: {}\n' >"$C/personas/bad name.yaml"
printf 'not yaml config\n' >"$C/personas/README.txt"
cd "$T" || fail "cd"
run "$BIN" validate clone
expect_rc 1 "broken clone"
expect_out "clone/base/identity.yaml:1:18: base_importance must be a finite number in [0.0, 1.0], got float 1.5
clone/personas/bad name.yaml:1:1: invalid persona file name: persona name 'bad name' contains ' '; use A-Z, a-z, 0-9, '-', '_' and '.'
clone/personas/zero.yaml:1:1: missing required key 'behaviors'
clone/personas/zero.yaml:1:23: specialization_level must be an integer >= 1, got integer 0
" "broken clone"
grep -q "4 file(s) checked, 3 invalid, 4 error(s)" "$T/err" ||
	fail "broken clone summary: $(cat "$T/err")"

# the same checkout without .git, and with a trailing slash
git -C "$S" checkout -q -- . && cp -r "$S" "$T/plain" && rm -rf "$T/plain/.git"
run "$BIN" validate plain/
expect_rc 0 "checkout without .git"
expect_out "" "checkout without .git"
rm "$T/plain/base/identity.yaml"
run "$BIN" validate plain
expect_rc 1 "checkout without a base identity"
expect_out "plain/base/identity.yaml:1:1: missing base identity
" "checkout without a base identity"

# a directory that is no store at all, a missing path: exit 2
mkdir "$T/empty"
run "$BIN" validate empty
expect_rc 2 "directory that is not a store"
grep -q "'empty' is not a helios store" "$T/err" || fail "empty dir message"
run "$BIN" validate clone/personas/welcome.yaml missing.yaml
expect_rc 2 "missing file"
expect_out "" "missing file"
grep -q "cannot read 'missing.yaml': No such file or directory" "$T/err" ||
	fail "missing file message: $(cat "$T/err")"

# loose files: the kind comes from the place, else from the content
mkdir -p loose/base loose/personas
printf 'base_importance: 0.5\nbehaviors: {}\n' >loose/base/identity.yaml
printf 'base_importance: 0.5\nbehaviors: {}\n' >loose/personas/p.yaml
printf 'base_importance: 0.5\nbehaviors: {}\n' >loose/b.yaml
printf 'specialization_level: 3\nbehaviors: {}\n' >loose/p.yaml
printf 'behaviors: {}\n' >loose/unknown.yaml
printf 'a: [\n' >loose/broken.yaml
run "$BIN" validate loose/base/identity.yaml loose/b.yaml loose/p.yaml
expect_rc 0 "valid loose files"
expect_out "" "valid loose files"
grep -q "3 file(s) checked, 0 invalid" "$T/err" || fail "loose summary"

run "$BIN" validate loose/personas/p.yaml
expect_rc 1 "base content in a personas directory"
expect_out "loose/personas/p.yaml:1:1: missing required key 'specialization_level'
" "base content in a personas directory"
(cd loose/personas && run "$BIN" validate p.yaml &&
	expect_rc 1 "relative file in a personas directory") || exit 1

run "$BIN" validate loose/unknown.yaml loose/broken.yaml
expect_rc 1 "undecidable loose files"
expect_out "loose/unknown.yaml:1:1: cannot tell whether this is a base identity (base_importance) or a persona (specialization_level); use --kind base|persona
loose/broken.yaml:2:1: yaml syntax error: did not find expected node content (while parsing a flow node at line 2, column 1)
" "undecidable loose files"

run "$BIN" validate --kind persona loose/unknown.yaml
expect_rc 1 "--kind persona"
expect_out "loose/unknown.yaml:1:1: missing required key 'specialization_level'
" "--kind persona"
run "$BIN" validate --kind base loose/b.yaml
expect_rc 0 "--kind base"
# --kind applies to file arguments, not to the files of a directory
run "$BIN" validate --kind base loose/b.yaml loose
expect_rc 1 "--kind with a directory"
expect_out "loose/personas/p.yaml:1:1: missing required key 'specialization_level'
" "--kind with a directory"

echo "cli_validate: ok"
exit 0

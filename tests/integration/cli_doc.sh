#!/bin/bash
# cli_doc.sh - the worked example in README.md is what the real
# binary prints: the base and persona blocks are written into a fresh
# store and test-inheritance must print the output block byte for byte.
set -u

BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR must point at the build bin dir}/helios-mcp
DOC=$(cd "$(dirname "$0")/../.." && pwd)/README.md
T=$(mktemp -d "${TMPDIR:-/tmp}/helios-cli-doc.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1
unset HELIOS_DIR
mkdir -p "$HOME"

fail() { echo "FAIL: $*" >&2; exit 1; }

# The fenced block that follows "<!-- example: NAME -->" in the doc.
example() {
	awk -v want="<!-- example: $1 -->" '
		$0 == want { found = 1; next }
		found && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }
	' "$DOC"
}

[ -f "$DOC" ] || fail "no $DOC"
S=$T/store
"$BIN" init --helios-dir "$S" >/dev/null || fail "init"
example base/identity.yaml >"$S/base/identity.yaml"
example personas/reviewer.yaml >"$S/personas/reviewer.yaml"
example output >"$T/want"
for f in "$S/base/identity.yaml" "$S/personas/reviewer.yaml" "$T/want"; do
	[ -s "$f" ] || fail "example block for $f missing from the doc"
done
git -C "$S" add -A && git -C "$S" -c user.name=t -c user.email=t@t \
	commit -q -m "doc example" || fail "git commit"

"$BIN" validate --helios-dir "$S" >"$T/diags" 2>/dev/null ||
	fail "the doc's example files are invalid: $(cat "$T/diags")"
"$BIN" test-inheritance --helios-dir "$S" reviewer >"$T/got" 2>"$T/err" ||
	fail "test-inheritance failed: $(cat "$T/err")"
diff -u "$T/want" "$T/got" >&2 ||
	fail "README.md output block differs from the binary"

# the paragraph on specialization_level 2
sed -i 's/^specialization_level: 1$/specialization_level: 2/' \
	"$S/personas/reviewer.yaml"
"$BIN" test-inheritance --helios-dir "$S" reviewer >"$T/got" 2>/dev/null ||
	fail "level 2 failed"
for line in "# weight: 0.15 (base_importance 0.6 / specialization_level 2^2)" \
	    "  tone: blunt" "  verbosity: 1" "  cite_sources: false"; do
	grep -qxF -- "$line" "$T/got" || fail "level 2: no line '$line'"
done
[ "$(sed -n '/habits:/{n;p}' "$T/got")" = "    - answer briefly" ] ||
	fail "level 2: the persona's habits do not come first"

echo "cli_doc: ok"
exit 0

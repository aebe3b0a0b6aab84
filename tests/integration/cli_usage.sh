#!/bin/bash
# cli_usage.sh - helios-mcp option handling: --help and --version on every
# verb, usage errors exit 2 with nothing on stdout.
set -u

BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR must point at the build bin dir}/helios-mcp
T=$(mktemp -d "${TMPDIR:-/tmp}/helios-cli-usage.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
export HOME=$T/home
unset HELIOS_DIR
mkdir -p "$HOME"

fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect_rc() {
	[ "$rc" -eq "$1" ] ||
		fail "$2: exit $rc, want $1; stderr: $(cat "$T/err")"
}

VERSION_LINE="helios-mcp 0.1.0"

for verb in init validate test-inheritance; do
	run "$BIN" "$verb" --help
	expect_rc 0 "$verb --help"
	head -n 1 "$T/out" | grep -q "^usage: helios-mcp $verb " ||
		fail "$verb --help: first line is '$(head -n 1 "$T/out")'"
	grep -q -- '--helios-dir DIR' "$T/out" ||
		fail "$verb --help does not describe --helios-dir"
	[ -s "$T/err" ] && fail "$verb --help wrote to stderr"

	run "$BIN" "$verb" -h
	expect_rc 0 "$verb -h"
	head -n 1 "$T/out" | grep -q "^usage: helios-mcp $verb " ||
		fail "$verb -h"

	run "$BIN" "$verb" --version
	expect_rc 0 "$verb --version"
	[ "$(cat "$T/out")" = "$VERSION_LINE" ] ||
		fail "$verb --version printed '$(cat "$T/out")'"

	run "$BIN" "$verb" --no-such-option
	expect_rc 2 "$verb --no-such-option"
	[ -s "$T/out" ] && fail "$verb: usage error wrote to stdout"
	grep -q "unknown option '--no-such-option'" "$T/err" ||
		fail "$verb: no unknown-option message: $(cat "$T/err")"
	grep -q "^usage: helios-mcp $verb" "$T/err" ||
		fail "$verb: no usage on stderr"

	run "$BIN" "$verb" -x
	expect_rc 2 "$verb -x"
	grep -q "unknown option '-x'" "$T/err" || fail "$verb -x message"

	run "$BIN" "$verb" --helios-dir
	expect_rc 2 "$verb --helios-dir without a value"
	grep -q "needs a value" "$T/err" || fail "$verb: missing value message"
done

# --help and --version win over everything else and touch nothing
run "$BIN" init --helios-dir "$T/s" --help
expect_rc 0 "init --helios-dir --help"
[ -e "$T/s" ] && fail "init --help created the store"

run "$BIN" --version
expect_rc 0 "--version"
[ "$(cat "$T/out")" = "$VERSION_LINE" ] || fail "--version: $(cat "$T/out")"

run "$BIN" --help
expect_rc 0 "--help"
for verb in init validate test-inheritance; do
	grep -q "^  $verb " "$T/out" || fail "--help does not list $verb"
done

# no verb: the MCP server, which ends with status 0 on end of input and
# writes nothing to stdout when it was sent nothing
run "$BIN" --helios-dir "$T/served" </dev/null
expect_rc 0 "no verb (server on empty input)"
[ -s "$T/out" ] && fail "server on empty input wrote to stdout"
[ -f "$T/served/base/identity.yaml" ] || fail "server did not open its store"

run "$BIN" serve --help
expect_rc 0 "serve --help"
grep -q "^usage: helios-mcp \[serve\]" "$T/out" || fail "serve --help"

run "$BIN" frobnicate
expect_rc 2 "unknown verb"
grep -q "unknown verb 'frobnicate'" "$T/err" || fail "unknown verb message"

run "$BIN" --frobnicate
expect_rc 2 "unknown top-level option"

run "$BIN" validate --kind nonsense file.yaml
expect_rc 2 "validate --kind nonsense"
grep -q "'base' or 'persona'" "$T/err" || fail "--kind message"

run "$BIN" validate --helios-dir "$T/s" file.yaml
expect_rc 2 "validate --helios-dir with PATH"

run "$BIN" init --helios-dir "$T/s" extra
expect_rc 2 "init with an extra argument"
[ -e "$T/s" ] && fail "init with a usage error created the store"

echo "cli_usage: ok"
exit 0

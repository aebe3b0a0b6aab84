# cli_lib.bash - shared set-up of the command-line tests (cli_*.sh,
# migrate_python.sh, recover_worktree.sh).
#
# Named .bash, not .sh, so that the test glob does not run it by itself.
#
#	. "$(dirname "$0")/cli_lib.bash"
#	cli_setup NAME		BIN, a temp dir T (removed on exit), a private
#				HOME, no system git config, no HELIOS_DIR
#	run CMD ...		CMD's stdout to $T/out, stderr to $T/err, exit
#				status to rc
#	expect_rc N WHAT	fail unless rc is N
#	expect_out TEXT WHAT	fail unless $T/out is exactly TEXT
#	fail MESSAGE		report and exit 1
set -u

cli_setup() {
	BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR must point at the build bin dir}/helios-mcp
	T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	trap 'rm -rf "$T"' EXIT
	export HOME=$T/home GIT_CONFIG_NOSYSTEM=1
	unset HELIOS_DIR
	mkdir -p "$HOME"
}

fail() { echo "FAIL: $*" >&2; exit 1; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect_rc() {
	[ "$rc" -eq "$1" ] ||
		fail "$2: exit $rc, want $1; stderr: $(cat "$T/err")"
}
expect_out() {
	printf '%s' "$1" | diff -u - "$T/out" >&2 || fail "$2: stdout differs"
}

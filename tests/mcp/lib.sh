# lib.sh - helpers for the MCP server tests (tests/integration/mcp_*.sh).
#
#	. "$(dirname "$0")/../mcp/lib.sh"
#	mt_setup		temp dir under $HELIOS_TEST_TMP (default
#				$HOME/tmp), EXIT trap, $MT_MCP, $MT_DATA
#	mt_match EXP OUT	compare expected lines ("< exact", "~ regex")
#				with output lines; prints the differences
#	mt_npm			the pinned node clients (package-lock.json),
#				installed with npm ci into $MT_NODE, a copy of
#				tests/mcp private to this run, so parallel
#				runs never share or rebuild one node_modules;
#				skips (77) without node and npm

mt_fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

mt_cleanup()
{
	local pid

	for pid in ${MT_PIDS:-}; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "${MT_TMP:-}" ] && [ -d "$MT_TMP" ]; then
		rm -rf -- "$MT_TMP"
	fi
}

mt_setup()
{
	local base

	command -v git >/dev/null || { echo "SKIP: git is missing"; exit 77; }
	MT_BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR is not set}
	MT_MCP=$MT_BIN/helios-mcp
	[ -x "$MT_MCP" ] || mt_fail "no $MT_MCP"
	MT_DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	base=${HELIOS_TEST_TMP:-$HOME/tmp}
	mkdir -p "$base" || mt_fail "cannot create $base"
	MT_TMP=$(mktemp -d "$base/helios-mcp-test.XXXXXX") ||
		mt_fail "cannot create a temp dir in $base"
	MT_PIDS=
	trap mt_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.org
	export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.org
}

mt_match()
{
	local exp=$1 out=$2 n=0 e g bad=0
	local ne no

	ne=$(wc -l <"$exp")
	no=$(wc -l <"$out")
	exec 3<"$out"
	while IFS= read -r e; do
		n=$((n + 1))
		if ! IFS= read -r g <&3; then
			echo "  line $n: missing, expected: $e"
			bad=1
			break
		fi
		case "$e" in
		'< '*)
			if [ "$g" != "${e#< }" ]; then
				echo "  line $n: expected: ${e#< }"
				echo "  line $n: got:      $g"
				bad=1
			fi
			;;
		'~ '*)
			if ! [[ $g =~ ${e#\~ } ]]; then
				echo "  line $n: expected match: ${e#\~ }"
				echo "  line $n: got:            $g"
				bad=1
			fi
			;;
		esac
	done <"$exp"
	exec 3<&-
	if [ "$ne" != "$no" ]; then
		echo "  expected $ne lines, got $no"
		sed 's/^/    | /' "$out" | tail -n +$((ne + 1)) | head -5
		bad=1
	fi
	return $bad
}

mt_npm()
{
	command -v node >/dev/null && command -v npm >/dev/null ||
		{ echo "SKIP: node/npm are missing"; exit 77; }
	MT_NODE=$MT_TMP/node
	mkdir -p "$MT_NODE" || mt_fail "cannot create $MT_NODE"
	cp "$MT_DATA"/package.json "$MT_DATA"/package-lock.json \
		"$MT_DATA"/*.mjs "$MT_NODE"/ || mt_fail "cannot copy the clients"
	# once more on failure: parallel runs share npm's cache
	if ! (cd "$MT_NODE" && npm ci --no-audit --no-fund --prefer-offline \
		--loglevel=error) >"$MT_TMP/npm.log" 2>&1 &&
	   ! (cd "$MT_NODE" && npm ci --no-audit --no-fund --prefer-offline \
		--loglevel=error) >>"$MT_TMP/npm.log" 2>&1; then
		cat "$MT_TMP/npm.log"
		mt_fail "npm ci failed"
	fi
}

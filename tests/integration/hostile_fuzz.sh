#!/bin/bash
# hostile_fuzz.sh - the fuzz targets in CI: scripts/fuzz.sh builds them
# with clang (ASan, UBSan, libFuzzer) in a directory beside this build,
# replays tests/data/fuzz-regress/<target>/ and runs each target for
# $HELIOS_FUZZ_SECONDS (default 30) seconds.  Any crash, leak, sanitizer
# report or malformed MCP response fails the test.  Skipped (77) when
# clang or its runtime (libclang-rt-14-dev) is missing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR is not set}

command -v clang >/dev/null || { echo "SKIP: clang is missing"; exit 77; }
probe=$(mktemp -d "${TMPDIR:-/tmp}/helios-fuzz-probe.XXXXXX") || exit 1
trap 'rm -rf -- "$probe"' EXIT
cat >"$probe/t.c" <<'EOF'
int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{
	(void)d;
	(void)n;
	return 0;
}
EOF
clang -fsanitize=fuzzer,address,undefined "$probe/t.c" -o "$probe/t" \
	2>/dev/null || { echo "SKIP: clang cannot link libFuzzer"; exit 77; }

build=$(cd "$bin/.." && pwd)/fuzz-targets
HELIOS_FUZZ_BUILD=$build HELIOS_FUZZ_WORK=$probe/work \
	bash "$top/scripts/fuzz.sh" "${HELIOS_FUZZ_SECONDS:-30}"
rc=$?
if [ "$rc" != 0 ]; then
	# Keep the inputs that failed; the temporary directory goes away.
	mkdir -p "$build/findings"
	cp -p "$probe/work/findings/"* "$build/findings/" 2>/dev/null
	echo "FAIL: fuzz.sh exited with $rc; inputs in $build/findings"
	exit 1
fi
echo "ok   fuzz targets ran clean"

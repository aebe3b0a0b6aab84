#!/usr/bin/env bash
# test.sh - the whole test suite: install what it needs, build once
# plainly (warnings are errors) and once with AddressSanitizer and
# UndefinedBehaviorSanitizer, and run every test under ctest on the
# sanitizer build.
#
#	bash scripts/test.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

bash "$top/scripts/install-deps.sh" --test

cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$jobs"

cmake -S "$top" -B "$top/build-asan" -DCMAKE_BUILD_TYPE=Debug \
	-DHELIOS_SANITIZE=ON -DHELIOS_FAULT_INJECTION=ON >/dev/null
cmake --build "$top/build-asan" -j"$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$top/build-asan"
ctest --output-on-failure -j"$jobs"

#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets (fuzz/) with clang, ASan and UBSan
# in their own build directory and run each for a bounded time, one after
# the other, then print the figures per target.
#
#	bash scripts/fuzz.sh [SECONDS_PER_TARGET]	(default 60)
#
# Environment: HELIOS_FUZZ_BUILD (build dir, default build-fuzz-targets),
# HELIOS_FUZZ_WORK (corpora, findings and the temporary store; default
# $HELIOS_FUZZ_BUILD/work), HELIOS_FUZZ_TARGETS (default "yaml_validate
# yaml_edit jsonrpc").  The committed seeds in fuzz/corpus/<target>/ are
# read, never written; new inputs go to the work directory.  Before fuzzing,
# each target replays the inputs of past findings kept in
# tests/data/fuzz-regress/<target>/.  Exit status 1 when a regression
# input fails or a target found a crash, a leak or a bad response (the
# input is kept as WORK/findings/<target>-*), 3 without clang, else 0.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
build=${HELIOS_FUZZ_BUILD:-$top/build-fuzz-targets}
work=${HELIOS_FUZZ_WORK:-$build/work}
targets=${HELIOS_FUZZ_TARGETS:-yaml_validate yaml_edit jsonrpc}

case "$secs" in
'' | *[!0-9]*) echo "usage: fuzz.sh [SECONDS_PER_TARGET]" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "fuzz.sh: clang is missing" >&2; exit 3; }

CC=clang cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DHELIOS_SANITIZE=ON -DHELIOS_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target \
	$(for t in $targets; do printf 'fuzz_%s ' "$t"; done) >/dev/null

mkdir -p "$work/findings" "$work/store"
export HELIOS_FUZZ_TMP=$work/store
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
summary=
for t in $targets; do
	# First the inputs of past findings, once each.
	regress=$top/tests/data/fuzz-regress/$t
	if [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
		if ! "$build/fuzz/fuzz_$t" -close_fd_mask=2 "$regress"/* \
			>"$work/$t-regress.log" 2>&1; then
			echo "fuzz.sh: $t fails on a regression input:" >&2
			tail -40 "$work/$t-regress.log" >&2
			status=1
		fi
	fi

	log=$work/$t.log
	mkdir -p "$work/corpus/$t"
	echo "fuzz.sh: running $t for ${secs}s (log $log)"
	rc=0
	"$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=25 \
		-rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=2 \
		-dict="$top/fuzz/$t.dict" \
		-artifact_prefix="$work/findings/$t-" \
		"$work/corpus/$t" "$top/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	files=$(find "$work/corpus/$t" -type f | wc -l)
	found=$(grep -c -E \
		'^==[0-9]+==.*(ERROR|WARNING): |runtime error|deadly signal' \
		"$log" || true)
	line=$(printf '%-14s execs=%s cov=%s ft=%s corpus=%s findings=%s rc=%s' \
		"$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$files" "$found" "$rc")
	summary+="$line"$'\n'
	if [ "$rc" != 0 ] || [ "$found" != 0 ]; then
		status=1
		echo "fuzz.sh: $t found a problem:" >&2
		grep -E -A25 'ERROR: |runtime error|deadly signal' "$log" | head -60 >&2
		ls "$work/findings" | grep "^$t-" >&2 || true
	fi
done
printf '%s' "$summary"
exit "$status"

#!/bin/bash
# errors.log keeps one refusal per line even when the refused name holds
# a newline or other control bytes (found by the hostile-name tests: the
# name "a<newline>b.yaml" split a refusal into lines with no timestamp).
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount

printf 'specialization_level: 1\nbehaviors: {}\n' \
	>"$M/personas/a"$'\n'"b.yaml" 2>/dev/null &&
	hl_fail "a name with a newline was accepted"
printf 'specialization_level: 1\nbehaviors: {}\n' \
	>"$M/personas/c"$'\t'"d.yaml" 2>/dev/null &&
	hl_fail "a name with a tab was accepted"
hl_expect_commits

log=$(cat "$M/errors.log")
[ -n "$log" ] || hl_fail "no refusal recorded"
bad=$(printf '%s\n' "$log" |
	grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ')
[ -z "$bad" ] || hl_fail "errors.log lines without a timestamp: [$bad]"
printf '%s\n' "$log" | grep -qF 'personas/a\x0ab.yaml: ' ||
	hl_fail "newline in the name not escaped: [$log]"
printf '%s\n' "$log" | grep -qF 'personas/c\x09d.yaml: ' ||
	hl_fail "tab in the name not escaped: [$log]"
hl_expect_clean
echo PASS

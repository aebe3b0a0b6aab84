#!/bin/bash
# mcp_transcripts.sh - run every tests/mcp/transcripts/*.t against the real
# server: the request lines go to stdin in one piece, and the lines the
# server writes to stdout must match the expected ones, in order and in
# number (so an answered notification fails the case).
#
# Transcript lines:
#	> TEXT		send TEXT and a newline
#	>% TEXT		send printf %b of TEXT and a newline (\xff, \r, ...)
#	< TEXT		the next output line is exactly TEXT
#	~ REGEX		the next output line matches the extended REGEX
#	# ...		comment
# Each case runs on a fresh store the server bootstraps.  Resource change
# notifications depend on when inotify reports the server's own commits,
# so they are dropped from the output here (mcp_subscribe.sh tests them).  NAME.check,
# when present, is a bash snippet run afterwards with $STORE set; it
# fails the case by exiting non-zero.

set -u
. "$(dirname "$0")/../mcp/lib.sh"

mt_setup
fail=0
for t in "$MT_DATA"/transcripts/*.t; do
	name=$(basename "$t" .t)
	STORE=$MT_TMP/$name
	in=$MT_TMP/$name.in
	exp=$MT_TMP/$name.exp
	out=$MT_TMP/$name.out
	: >"$in"
	: >"$exp"
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		'>% '*) printf '%b\n' "${line#>% }" >>"$in" ;;
		'> '*) printf '%s\n' "${line#> }" >>"$in" ;;
		'< '* | '~ '*) printf '%s\n' "$line" >>"$exp" ;;
		esac
	done <"$t"
	timeout 60 "$MT_MCP" serve --helios-dir "$STORE" <"$in" >"$out" \
		2>"$MT_TMP/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: exit status $rc"
		sed 's/^/    /' "$MT_TMP/$name.err"
		fail=1
		continue
	fi
	grep -v '^{"jsonrpc":"2.0","method":"notifications/resources/' \
		"$out" >"$out.f"
	if ! mt_match "$exp" "$out.f"; then
		echo "FAIL $name"
		fail=1
		continue
	fi
	if [ -f "$MT_DATA/transcripts/$name.check" ] &&
	   ! (STORE=$STORE; . "$MT_DATA/transcripts/$name.check"); then
		echo "FAIL $name: $name.check"
		fail=1
		continue
	fi
	echo "ok   $name"
done
exit $fail

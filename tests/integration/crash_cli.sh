#!/bin/bash
# crash_cli.sh - the crash matrix through the command line: for every
# fault point a save passes (helios-mcp write: update, create, base;
# helios-mcp rm), SIGKILL the command there, open the store again and
# check what crash_lib.bash describes.
. "$(dirname "$0")/crash_lib.bash"
cr_setup
S=$CR_TMP/store
"$CR_MCP" init --helios-dir "$S" >/dev/null 2>"$CR_LOG" || cr_fail "init"
k=0
runs=0

# The command of case $1 on store $2, content from $CR_TMP/new.
cr_cli_op()
{
	case $1 in
	update) "$CR_MCP" write --helios-dir "$2" personas/welcome.yaml \
			"$CR_TMP/new" ;;
	create) "$CR_MCP" write --helios-dir "$2" personas/fresh.yaml \
			"$CR_TMP/new" ;;
	base) "$CR_MCP" write --helios-dir "$2" base/identity.yaml \
			"$CR_TMP/new" ;;
	rm) "$CR_MCP" rm --helios-dir "$2" personas/fresh.yaml ;;
	esac
}

cr_cli_rel()
{
	case $1 in
	update) echo personas/welcome.yaml ;;
	base) echo base/identity.yaml ;;
	*) echo personas/fresh.yaml ;;
	esac
}

# Bring the store to the starting state of case $1.
cr_cli_prepare()
{
	local rel

	rel=$(cr_cli_rel "$1")
	case $1 in
	create)
		if [ -e "$S/$rel" ]; then
			"$CR_MCP" rm --helios-dir "$S" "$rel" 2>"$CR_LOG" ||
				cr_fail "cannot remove $rel"
		fi ;;
	rm)
		hl_persona_text 2 "to delete $k" |
			"$CR_MCP" write --helios-dir "$S" "$rel" 2>"$CR_LOG" ||
			cr_fail "cannot create $rel" ;;
	base)
		printf 'base_importance: 0.5\nbehaviors:\n  tone: base %s\n' \
			"$k" >"$CR_TMP/new" ;;
	*)
		hl_persona_text 4 "crash $k" >"$CR_TMP/new" ;;
	esac
	[ "$1" = create ] && hl_persona_text 5 "created $k" >"$CR_TMP/new"
	return 0
}

all=
for op in update create base rm; do
	k=$((k + 1))
	cr_cli_prepare "$op"
	rm -rf "$CR_TMP/ref"
	cp -a "$S" "$CR_TMP/ref"
	points=$(cr_trace cr_cli_op "$op" "$CR_TMP/ref")
	all+=$points$'\n'
	rel=$(cr_cli_rel "$op")
	while read -r name n; do
		k=$((k + 1))
		what="cli $op at $name:$n"
		cr_cli_prepare "$op"
		old=$(cr_work "$S" "$rel")
		if [ "$op" = rm ]; then
			new=ABSENT
		else
			new=$(cat "$CR_TMP/new"; echo x)
		fi
		HELIOS_FAULT=$name:$n cr_cli_op "$op" "$S" >/dev/null \
			2>"$CR_LOG"
		rc=$?
		case $rc in
		0) acked=yes ;;
		137) acked=no ;;
		*) cr_fail "$what: exit status $rc" ;;
		esac
		[ "$acked" = no ] || cr_fail "$what: not killed at the point"

		# start again: opening the store runs recovery
		"$CR_MCP" validate --helios-dir "$S" >"$CR_TMP/val.out" \
			2>"$CR_LOG" || cr_fail "$what: validate after the crash"
		cr_verify "$S" "$rel" "$old" "$new" "$acked" "$what"
		cr_next_writer "$S" "$rel" "$what"
		runs=$((runs + 1))
	done <<<"$points"
	echo "ok   cli $op: killed at $(wc -l <<<"$points") points"
done
cr_expect_all_points "$all" "cli"

# an acknowledged save, then the next process: present everywhere
hl_persona_text 6 acknowledged >"$CR_TMP/new"
cr_cli_op update "$S" 2>"$CR_LOG" || cr_fail "plain save failed"
"$CR_MCP" validate --helios-dir "$S" >/dev/null 2>"$CR_LOG" ||
	cr_fail "validate after a plain save"
cr_verify "$S" personas/welcome.yaml x "$(cat "$CR_TMP/new"; echo x)" yes \
	"cli acknowledged"
echo "PASS ($runs crash runs)"

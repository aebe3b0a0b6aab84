#!/bin/bash
# Parallel saves to several personas, refused saves and readers at the
# same time: every valid save is one commit, readers only ever see
# complete documents, and the repository stays consistent.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
N=6
ROUNDS=5

for i in $(seq $N); do
	hl_persona "$i" v0 > "$M/personas/p$i.yaml"
done
[ "$(hl_new_commits)" = $N ] || hl_fail "creates: $(hl_new_commits) commits"
hl_checkpoint

editor()
{
	local i=$1 r
	for r in $(seq $ROUNDS); do
		sed -i "s/tone: v$((r - 1))\$/tone: v$r/" "$M/personas/p$i.yaml" ||
			echo "sed p$i round $r failed" >>"$HL_OUT/errors"
	done
}

vandal()
{
	local r
	for r in $(seq $ROUNDS); do
		echo "specialization_level: -$r" > "$M/personas/p1.yaml"
		printf 'x: [\n' > "$M/personas/p2.yaml"
	done
}

reader()
{
	local r i c
	for r in $(seq 20); do
		for i in $(seq $N); do
			c=$(cat "$M/personas/p$i.yaml")
			case "$c" in
			"# persona"*"behaviors:"*"tone: v"[0-9]) ;;
			*) echo "reader saw [$c]" >>"$HL_OUT/errors" ;;
			esac
		done
	done
}

pids=
for i in $(seq $N); do
	editor "$i" &
	pids="$pids $!"
done
vandal &
pids="$pids $!"
reader &
pids="$pids $!"
reader &
pids="$pids $!"
for p in $pids; do
	wait "$p"
done

[ -s "$HL_OUT/errors" ] && hl_fail "$(head -5 "$HL_OUT/errors")"
hl_eq "commits" $((N * ROUNDS)) "$(hl_new_commits)"
for i in $(seq $N); do
	hl_expect_content "personas/p$i.yaml" "$(hl_persona "$i" v$ROUNDS)"
done
hl_eq "refusals logged" $((2 * ROUNDS)) \
	"$(grep -c "refused save of 'personas/p[12].yaml'" "$HL_LOG")"
git -C "$S" fsck --no-progress >/dev/null 2>&1 || hl_fail "git fsck failed"
hl_expect_clean
hl_expect_no_strays
echo PASS

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

# An open racing a rename over the same name can fail with ESTALE (the
# high-level libfuse API drops the replaced node; the kernel retries the
# open once).  That is an error the reader sees, never wrong content.
reader()
{
	local r i c ef="$HL_OUT/cat.$BASHPID"
	for r in $(seq 20); do
		for i in $(seq $N); do
			c=$(cat "$M/personas/p$i.yaml" 2>"$ef") ||
				grep -q "Stale file handle" "$ef" ||
				echo "cat failed: $(cat "$ef")" >>"$HL_OUT/errors"
			[ -z "$c" ] && continue
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
hl_eq "p1 refusals logged" $ROUNDS \
	"$(grep -c "refused save of 'personas/p1.yaml': .*:1:23:" "$HL_LOG")"
hl_eq "p2 refusals logged" $ROUNDS \
	"$(grep -c "refused save of 'personas/p2.yaml': .*syntax error" "$HL_LOG")"
git -C "$S" fsck --no-progress >/dev/null 2>&1 || hl_fail "git fsck failed"
hl_expect_clean
hl_expect_no_strays
echo PASS

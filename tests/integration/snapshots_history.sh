#!/bin/bash
# snapshots/: one directory per commit of main, named by UTC time and
# short id, sorted by time, with `latest`; the files and mtimes of each
# commit; new commits (through the mount, the command line or git) show
# at once.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
export LC_ALL=C
G="git -C $S -c user.name=t -c user.email=t@example.com"

# The names helios-fs must give the commits of main, oldest first.  A
# commit in the same second as its parent gets .001, .002, ...
expected_names()
{
	local t h prev="" tie=0 stamp

	git -C "$S" log --first-parent --reverse --format='%ct %H' main |
	while read -r t h; do
		if [ "$t" = "$prev" ]; then
			tie=$((tie + 1))
		else
			tie=0
		fi
		prev=$t
		stamp=$(date -u -d "@$t" +%Y-%m-%dT%H%M%SZ)
		if [ "$tie" = 0 ]; then
			echo "$stamp-${h:0:7}"
		else
			printf '%s.%03d-%s\n' "$stamp" "$tie" "${h:0:7}"
		fi
	done
}

expect_listing()
{
	local want

	want=$(expected_names)
	# Sorting the chronological list must not change it.
	hl_eq "$1: names sort by time" "$want" "$(echo "$want" | sort)"
	hl_eq "$1: listing" "$want
latest" "$(ls "$M/snapshots")"
	hl_eq "$1: latest" "$(echo "$want" | tail -n 1)" \
		"$(readlink "$M/snapshots/latest")"
}

hl_eq "snapshots is a read-only dir" "directory dr-xr-xr-x" \
	"$(stat -c '%F %A' "$M/snapshots")"
expect_listing "fresh store"

# Saves through the mount appear at once, without waiting.
hl_persona 2 calm > "$M/personas/coder.yaml"
hl_wait_commits 1
expect_listing "after a create"
hl_persona 3 brisk > "$M/personas/coder.yaml"
hl_wait_commits 2
expect_listing "after an update"
hl_expect_commits "create personas/coder.yaml (mount)" \
	"update personas/coder.yaml (mount)"

# A change behind the mount: the command line.
hl_persona 4 dry | "$HL_BIN/helios-mcp" write --helios-dir "$S" \
	personas/coder.yaml >/dev/null || hl_fail "helios-mcp write failed"
expect_listing "after a command-line write"
hl_eq "latest has the new content" "$(hl_persona 4 dry)" \
	"$(cat "$M/snapshots/latest/personas/coder.yaml")"

# Several commits in one second, made with git: unique, ordered names.
now=$(date +%s)
for i in 1 2 3; do
	hl_persona "$i" "tie$i" > "$S/personas/tie.yaml"
	$G add personas/tie.yaml
	GIT_COMMITTER_DATE="@$now +0000" GIT_AUTHOR_DATE="@$now +0000" \
		$G commit -q -m "tie $i" || hl_fail "git commit failed"
done
expect_listing "after same-second commits"
third=$(git -C "$S" rev-parse --short=7 HEAD)
ls "$M/snapshots" |
	grep -q "^$(date -u -d "@$now" +%Y-%m-%dT%H%M%SZ)\.00[2-9]-$third\$" ||
	hl_fail "no .00N name for the third commit of one second"
hl_eq "unique names" "" "$(ls "$M/snapshots" | uniq -d)"

# Every snapshot holds base/ and personas/ as at its commit.
for name in $(expected_names); do
	id=$(git -C "$S" rev-parse "${name##*-}")
	ct=$(git -C "$S" log -1 --format=%ct "$id")
	d=$M/snapshots/$name
	hl_eq "$name top" "base
personas" "$(ls "$d")"
	hl_eq "$name personas" \
		"$(git -C "$S" ls-tree --name-only "$id" personas/ |
		   sed 's|^personas/||')" "$(ls "$d/personas")"
	hl_eq "$name base" "identity.yaml" "$(ls "$d/base")"
	for f in $(cd "$d" && echo base/* personas/*); do
		git -C "$S" show "$id:$f" > "$HL_OUT/want"
		cmp -s "$HL_OUT/want" "$d/$f" ||
			hl_fail "$name/$f differs from git show $id:$f"
		hl_eq "$name/$f size" "$(stat -c %s "$HL_OUT/want")" \
			"$(stat -c %s "$d/$f")"
		hl_eq "$name/$f mtime" "$ct" "$(stat -c %Y "$d/$f")"
		hl_eq "$name/$f mode" "-r--r--r--" "$(stat -c %A "$d/$f")"
	done
	hl_eq "$name mtime" "$ct" "$(stat -c %Y "$d")"
	hl_eq "$name personas mtime" "$ct" "$(stat -c %Y "$d/personas")"
done

# The oldest snapshot has only the welcome persona, the old content.
oldest=$(expected_names | head -n 1)
hl_eq "oldest personas" "welcome.yaml" \
	"$(ls "$M/snapshots/$oldest/personas")"
[ -e "$M/snapshots/$oldest/personas/coder.yaml" ] &&
	hl_fail "coder.yaml exists in the first commit"
grep -q 'tone: tie3' "$M/snapshots/latest/personas/tie.yaml" ||
	hl_fail "latest tie.yaml is not the third version"

# Names that are no snapshot of main.
newest=$(expected_names | tail -n 1)
id=${newest##*-}
for bad in "2001-01-01T000000Z-$id" "${newest%%-*}" "nonsense" \
	   "${newest%Z*}Z.001-$id" "${newest%-*}-0000000" ".git" "HEAD"; do
	[ -e "$M/snapshots/$bad" ] && hl_fail "snapshot '$bad' exists"
done
# A commit that is not on main (dangling) is not shown either.
tree=$(git -C "$S" rev-parse HEAD^{tree})
side=$(GIT_COMMITTER_DATE="@1800000000 +0000" \
       $G commit-tree -m side "$tree") || hl_fail "commit-tree failed"
stamp=$(date -u -d @1800000000 +%Y-%m-%dT%H%M%SZ)
[ -e "$M/snapshots/$stamp-${side:0:7}" ] &&
	hl_fail "a commit outside main is shown"
[ -e "$M/snapshots/$newest/nothing" ] && hl_fail "a stray name exists"
[ -e "$M/snapshots/$newest/.git" ] && hl_fail ".git shown in a snapshot"

# An open snapshot file keeps its content when main moves on.
exec 7< "$M/snapshots/latest/personas/coder.yaml"
hl_persona 5 late | "$HL_BIN/helios-mcp" write --helios-dir "$S" \
	personas/coder.yaml >/dev/null || hl_fail "helios-mcp write failed"
hl_eq "open file unchanged" "$(hl_persona 4 dry)" "$(cat <&7)"
exec 7<&-
hl_eq "latest moved" "$(hl_persona 5 late)" \
	"$(cat "$M/snapshots/latest/personas/coder.yaml")"
expect_listing "after the open file"

# A merge (git pull does this): the side branch's commits are on main
# too, and each is listed once.
$G checkout -q -b side HEAD~2 || hl_fail "git checkout -b failed"
hl_persona 2 side > "$S/personas/side.yaml"
$G add personas/side.yaml
$G commit -q -m "side" || hl_fail "side commit failed"
side=$(git -C "$S" rev-parse HEAD)
$G checkout -q main || hl_fail "git checkout main failed"
$G merge -q --no-ff -m "merge side" side || hl_fail "git merge failed"
$G branch -q -D side
hl_eq "listing after a merge" \
	"$(( $(git -C "$S" rev-list --count main) + 1 ))" \
	"$(ls "$M/snapshots" | wc -l)"
stamp=$(date -u -d "@$(git -C "$S" log -1 --format=%ct "$side")" \
	+%Y-%m-%dT%H%M%SZ)
name=$(ls "$M/snapshots" | grep -- "-${side:0:7}\$") ||
	hl_fail "the side commit is not listed"
case "$name" in
"$stamp"-* | "$stamp".*) ;;
*) hl_fail "side commit name $name does not carry its time $stamp" ;;
esac
hl_eq "side snapshot content" "$(hl_persona 2 side)" \
	"$(cat "$M/snapshots/$name/personas/side.yaml")"
hl_eq "latest is the merge" "$(git -C "$S" rev-parse --short=7 HEAD)" \
	"$(readlink "$M/snapshots/latest" | sed 's/.*-//')"
hl_eq "unique names after a merge" "" "$(ls "$M/snapshots" | uniq -d)"

hl_expect_clean
echo PASS

# crash_lib.bash - shared part of the crash matrix (crash_*.sh).
#
# Named .bash, not .sh, so that the test glob does not run it by itself.
#
#	. "$(dirname "$0")/crash_lib.bash"
#	cr_setup [--no-faults]	temp dir, EXIT trap; exit 77 when the binaries
#				have no fault points (a release build), unless
#				the test needs none
#	cr_points FACE ...	run one save under HELIOS_FAULT_TRACE and
#				print the points it passes, "NAME N" a line
#	cr_verify ...		the checks after a crash (see below)
#
# A save is "acknowledged" when its face reported success to the caller:
# the command line exited 0, the MCP server returned a tool result, or
# the writing program's close() returned 0 (sed -i / echo exited 0).
# After every SIGKILL, whether the save was acknowledged or not, the
# store is opened again (recovery) and must show the save either wholly
# or not at all, agree with HEAD, hold no temporary, journal or lock
# file, pass `git fsck --strict`, and take the next save at once.

set -u

cr_fail()
{
	echo "FAIL: $*" >&2
	if [ -n "${CR_LOG:-}" ] && [ -s "$CR_LOG" ]; then
		echo "--- last log:" >&2
		tail -n 20 "$CR_LOG" | sed 's/^/    /' >&2
	fi
	exit 1
}

cr_skip()
{
	echo "SKIP: $*"
	exit 77
}

cr_cleanup()
{
	local status=$? pid mnt

	for pid in ${CR_PIDS:-}; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for mnt in ${CR_MOUNTS:-}; do
		grep -qF " $mnt fuse" /proc/self/mounts &&
			fusermount3 -u "$mnt" 2>/dev/null
		grep -qF " $mnt fuse" /proc/self/mounts &&
			fusermount3 -uz "$mnt" 2>/dev/null
	done
	if [ -n "${CR_TMP:-}" ] && [ -d "$CR_TMP" ]; then
		rm -rf -- "$CR_TMP"
	fi
	exit "$status"
}

cr_setup()
{
	local base

	command -v git >/dev/null || cr_skip "git is missing"
	CR_BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR is not set}
	CR_MCP=$CR_BIN/helios-mcp
	CR_FS=$CR_BIN/helios-fs
	[ -x "$CR_MCP" ] || cr_fail "no $CR_MCP"
	base=${HELIOS_TEST_TMP:-$HOME/tmp}
	case "$base" in
	/tmp | /tmp/*) cr_fail "test mounts must not live under /tmp" ;;
	esac
	mkdir -p "$base" || cr_fail "cannot create $base"
	CR_TMP=$(mktemp -d "$base/helios-crash.XXXXXX") ||
		cr_fail "cannot create a temp dir in $base"
	CR_PIDS=
	CR_MOUNTS=
	CR_LOG=$CR_TMP/log
	trap cr_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	export GIT_CONFIG_NOSYSTEM=1
	export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.org
	export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.org
	# a sanitizer must not turn a kill into a report, nor a report
	# into a pass: leaks of a SIGKILLed process are not checked anyway
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

	# a release build has no fault points: nothing to test here
	[ "${1:-}" = --no-faults ] && return 0
	"$CR_MCP" init --helios-dir "$CR_TMP/probe" >/dev/null 2>&1 ||
		cr_fail "cannot create a store"
	hl_persona_text 1 probe | HELIOS_FAULT_TRACE=$CR_TMP/probe.trace \
		"$CR_MCP" write --helios-dir "$CR_TMP/probe" \
		personas/probe.yaml 2>/dev/null || cr_fail "probe write failed"
	[ -s "$CR_TMP/probe.trace" ] ||
		cr_skip "built without -DHELIOS_FAULT_INJECTION=ON"
	rm -rf -- "$CR_TMP/probe" "$CR_TMP/probe.trace"
}

# A valid persona: level $1, behavior tone $2.
hl_persona_text()
{
	printf '# persona\nspecialization_level: %s\nbehaviors:\n  tone: %s\n' \
		"$1" "$2"
}

# Content of store file $2 in store $1, or the word ABSENT.
cr_work()
{
	if [ -e "$1/$2" ]; then
		cat "$1/$2"
		echo x
	else
		echo ABSENT
	fi
}

cr_head()
{
	if git -C "$1" cat-file -e "HEAD:$2" 2>/dev/null; then
		git -C "$1" show "HEAD:$2"
		echo x
	else
		echo ABSENT
	fi
}

# No temporary, journal or git lock file anywhere in store $1.  Lock
# files in .helios-state are kernel locks on a file that stays (the
# store lock, the mount's lock): a dead holder's lock is gone with it,
# which the next save and the next mount prove.
cr_expect_no_leftovers()
{
	local left

	left=$(find "$1" \( -name '.helios-tmp-*' -o -name 'tmp_obj_*' \
		-o -path "$1/.helios-state/journal" \
		-o \( -name '*.lock' ! -path "$1/.helios-state/*" \) \) \
		-print)
	[ -z "$left" ] || cr_fail "$2: leftovers: $left"
}

# git fsck --strict is clean and the index agrees with HEAD and the
# working tree.
cr_expect_git_clean()
{
	local out

	out=$(git -C "$1" fsck --strict --no-progress --no-dangling 2>&1) ||
		cr_fail "$2: git fsck --strict failed: $out"
	[ -z "$out" ] || cr_fail "$2: git fsck --strict: $out"
	out=$(git -C "$1" status --porcelain --untracked-files=all) ||
		cr_fail "$2: git status failed"
	[ -z "$out" ] || cr_fail "$2: git status not clean: $out"
}

# cr_verify STORE REL OLD NEW ACKED WHAT
#
# OLD and NEW are the file's content before and after the save as
# printed by cr_work (ABSENT for no file).  The store must already have
# been opened again (recovery).
cr_verify()
{
	local s=$1 rel=$2 old=$3 new=$4 acked=$5 what=$6 work head

	work=$(cr_work "$s" "$rel")
	head=$(cr_head "$s" "$rel")
	[ "$work" = "$head" ] ||
		cr_fail "$what: working file and HEAD differ:" \
			"[$work] vs [$head]"
	if [ "$acked" = yes ]; then
		[ "$work" = "$new" ] ||
			cr_fail "$what: acknowledged save lost: [$work]"
	elif [ "$work" != "$old" ] && [ "$work" != "$new" ]; then
		cr_fail "$what: neither old nor new content: [$work]"
	fi
	cr_expect_no_leftovers "$s" "$what"
	cr_expect_git_clean "$s" "$what"
}

# cr_next_writer STORE REL WHAT: a save right after recovery goes
# through at once and lands in the file and HEAD.
cr_next_writer()
{
	local s=$1 rel=$2 what=$3 text

	if [ "$rel" = base/identity.yaml ]; then
		text=$(printf 'base_importance: 0.6\nbehaviors:\n  tone: %s' \
			"next after $what")
	else
		text=$(hl_persona_text 3 "next after $what")
	fi
	printf '%s\n' "$text" | timeout 30 "$CR_MCP" write --helios-dir "$s" \
		"$rel" >"$CR_TMP/next.out" 2>"$CR_LOG" ||
		cr_fail "$what: the next save failed ($?)"
	[ "$(cat "$s/$rel")" = "$text" ] ||
		cr_fail "$what: next save not in the working file"
	[ "$(git -C "$s" show "HEAD:$rel")" = "$text" ] ||
		cr_fail "$what: next save not in HEAD"
	cr_expect_no_leftovers "$s" "$what (next save)"
	cr_expect_git_clean "$s" "$what (next save)"
}

# Run "$@" with HELIOS_FAULT_TRACE; print the trace ("NAME N" lines).
cr_trace()
{
	local trace=$CR_TMP/trace.$$

	rm -f "$trace"
	HELIOS_FAULT_TRACE=$trace "$@" >/dev/null 2>"$CR_LOG" ||
		cr_fail "reference run failed: $*"
	[ -s "$trace" ] || cr_fail "reference run passed no fault point: $*"
	cat "$trace"
	rm -f "$trace"
}

# Every point name the write pipeline has must occur in the trace $1.
cr_expect_all_points()
{
	local p

	for p in tmp-written tmp-fsynced renamed dir-fsynced journal-written \
		 blob-written tree-written commit-written ref-updated \
		 index-written journal-removed; do
		grep -q "^$p " <<<"$1" || cr_fail "$2: point $p never reached"
	done
}

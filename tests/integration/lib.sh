# lib.sh - shared helpers for the integration tests of helios-fs.
#
#	. "$HELIOS_TEST_LIB"
#	hl_setup [STORE-NAME]	temp dir (exit 77 without FUSE), EXIT trap
#	hl_mount		bootstrap a store, mount it, wait for it
#	hl_checkpoint		remember HEAD; hl_expect_commits counts from it
#
# Mounts live under $HELIOS_TEST_TMP (default $HOME/tmp), never /tmp: vim
# skips its backup rename there.  The EXIT trap unmounts, stops only the
# helios-fs process this script started, and removes the temp dir.

set -u

hl_skip()
{
	echo "SKIP: $*"
	exit 77
}

hl_fail()
{
	echo "FAIL: $*" >&2
	if [ -n "${HL_LOG:-}" ] && [ -s "$HL_LOG" ]; then
		echo "--- helios-fs log:" >&2
		sed 's/^/    /' "$HL_LOG" >&2
	fi
	exit 1
}

hl_cleanup()
{
	HL_STATUS=$?
	local i rc


	# Background helpers of a failed test may still hold files open.
	for i in $(jobs -p); do
		[ "$i" = "${HL_PID:-}" ] || kill "$i" 2>/dev/null
	done
	if [ -n "${HL_PID:-}" ]; then
		for i in 1 2 3 4 5 6 7 8 9 10; do
			fusermount3 -u "$HL_MNT" 2>/dev/null && break
			sleep 0.2
		done
		for i in $(seq 50); do
			kill -0 "$HL_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$HL_PID" 2>/dev/null; then
			echo "helios-fs $HL_PID did not exit; killing it" >&2
			fusermount3 -uz "$HL_MNT" 2>/dev/null
			kill "$HL_PID" 2>/dev/null
			sleep 1
			kill -0 "$HL_PID" 2>/dev/null && kill -9 "$HL_PID"
			HL_STATUS=1
		fi
		wait "$HL_PID" 2>/dev/null
		rc=$?
		HL_PID=
		if [ "$rc" != 0 ] ||
		   grep -q -e 'Sanitizer' -e 'runtime error' "$HL_LOG"; then
			echo "FAIL: helios-fs exited with $rc" >&2
			sed 's/^/    /' "$HL_LOG" >&2
			HL_STATUS=1
		fi
	fi
	if [ -n "${HL_DAEMON_MNT:-}" ]; then
		for i in 1 2 3 4 5 6 7 8 9 10; do
			fusermount3 -u "$HL_DAEMON_MNT" 2>/dev/null && break
			grep -qF " fuse.helios-fs " /proc/self/mounts || break
			sleep 0.2
		done
		HL_DAEMON_MNT=
	fi
	# A test that killed its daemon and failed before mounting again
	# leaves a dead mount: detach it so the directory can go.
	if [ -n "${HL_MNT:-}" ] &&
	   grep -qF " $HL_MNT fuse.helios-fs " /proc/self/mounts; then
		fusermount3 -u -z "$HL_MNT" 2>/dev/null
	fi
	if [ -n "${HL_TMP:-}" ] && [ -d "$HL_TMP" ] && [ -z "${HL_KEEP:-}" ]
	then
		rm -rf -- "$HL_TMP"
	fi
	exit "$HL_STATUS"
}

hl_setup()
{
	local base

	[ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] ||
		hl_skip "/dev/fuse is not usable"
	command -v fusermount3 >/dev/null || hl_skip "fusermount3 is missing"
	command -v git >/dev/null || hl_skip "git is missing"
	HL_BIN=${HELIOS_BIN_DIR:?HELIOS_BIN_DIR is not set}
	[ -x "$HL_BIN/helios-fs" ] || hl_fail "no $HL_BIN/helios-fs"

	base=${HELIOS_TEST_TMP:-$HOME/tmp}
	case "$base" in
	/tmp | /tmp/*) hl_fail "test mounts must not live under /tmp" ;;
	esac
	mkdir -p "$base" || hl_fail "cannot create $base"
	HL_TMP=$(mktemp -d "$base/helios-test.XXXXXX") ||
		hl_fail "cannot create a temp dir in $base"
	# Work from inside the test's own directory, so that a git command
	# whose -C argument came out empty can never reach the source tree.
	cd "$HL_TMP" || hl_fail "cannot enter $HL_TMP"
	HL_PID=
	trap hl_cleanup EXIT
	trap 'exit 130' INT TERM HUP

	HL_STORE=$HL_TMP/${1:-store}
	HL_MNT=$HL_TMP/mnt
	HL_LOG=$HL_TMP/helios-fs.log
	HL_OUT=$HL_TMP/out
	mkdir -p "$HL_OUT"
	export GIT_CONFIG_NOSYSTEM=1
}

hl_mount()
{
	local i

	mkdir -p "$HL_MNT" 2>/dev/null
	"$HL_BIN/helios-fs" --helios-dir "$HL_STORE" -f "$HL_MNT" \
		2>"$HL_LOG" &
	HL_PID=$!
	# The start-up line comes once the mount is there (a dead mount's
	# cached entries could make errors.log look present earlier).
	for i in $(seq 300); do
		grep -q "serving store" "$HL_LOG" &&
			[ -e "$HL_MNT/errors.log" ] && break
		kill -0 "$HL_PID" 2>/dev/null || {
			HL_PID=
			hl_fail "helios-fs exited during start-up"
		}
		sleep 0.1
	done
	grep -q "serving store" "$HL_LOG" && [ -e "$HL_MNT/errors.log" ] ||
		hl_fail "mount did not appear"
	[ -d "$HL_STORE/.git" ] || hl_fail "store was not bootstrapped"
	hl_checkpoint
	M=$HL_MNT
	S=$HL_STORE
}

# A store made by `helios-mcp init`, without a mount; sets S.
hl_init_store()
{
	[ -x "$HL_BIN/helios-mcp" ] || hl_fail "no $HL_BIN/helios-mcp"
	"$HL_BIN/helios-mcp" init --helios-dir "$HL_STORE" >/dev/null 2>&1 ||
		hl_fail "init failed"
	S=$HL_STORE
}

# ---- git ----

hl_checkpoint()
{
	HL_MARK=$(git -C "$HL_STORE" rev-parse HEAD) ||
		hl_fail "store has no HEAD"
}

hl_new_commits()
{
	git -C "$HL_STORE" rev-list --count "$HL_MARK..HEAD"
}

# Exactly these commits (oldest first) since the checkpoint; then a
# new checkpoint.  hl_expect_commits with no argument: none.
hl_expect_commits()
{
	local want got

	want=$(printf '%s\n' "$@" | sed '/^$/d')
	got=$(git -C "$HL_STORE" log --reverse --format=%s "$HL_MARK..HEAD")
	[ "$got" = "$want" ] ||
		hl_fail "commits: expected [$want], got [$got]"
	hl_checkpoint
}

# Wait (up to 5 s) until n commits landed since the checkpoint.
hl_wait_commits()
{
	local i

	for i in $(seq 50); do
		[ "$(hl_new_commits)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 0
}

hl_expect_clean()
{
	local st

	st=$(git -C "$HL_STORE" status --porcelain --untracked-files=all)
	[ -z "$st" ] || hl_fail "store not clean: $st"
}

# ---- content ----

# A valid persona with level $1 and one behavior value $2.
hl_persona()
{
	printf '# persona\nspecialization_level: %s\nbehaviors:\n  tone: %s\n' \
		"$1" "$2"
}

# Wait (up to 2 s) for a line matching $1 in file $2; release is async.
hl_wait_grep()
{
	local i

	for i in $(seq 20); do
		grep -q -- "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}

hl_eq()
{
	[ "$2" = "$3" ] || hl_fail "$1: expected [$2], got [$3]"
}

# File rel has content $2 through the mount, in the store and at HEAD.
hl_expect_content()
{
	hl_eq "$1 in mount" "$2" "$(cat "$HL_MNT/$1")"
	hl_eq "$1 in store" "$2" "$(cat "$HL_STORE/$1")"
	hl_eq "$1 at HEAD" "$2" "$(git -C "$HL_STORE" show "HEAD:$1")"
}

# Value of an extended attribute, or "ENODATA".
hl_xattr()
{
	python3 -c '
import errno, os, sys
try:
    sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())
except OSError as e:
    sys.stdout.write(errno.errorcode.get(e.errno, str(e.errno)))
' "$1" "$2"
}

# No file in the store besides configuration, git and runtime state.
hl_expect_no_strays()
{
	local strays

	strays=$(cd "$HL_STORE" && find . -path ./.git -prune -o \
		-path ./.helios-state -prune -o -type f -print |
		grep -v -e '^\./base/identity\.yaml$' \
			-e '^\./personas/[^/]*\.yaml$' \
			-e '^\./\.helios_version$' -e '^\./\.gitignore$')
	[ -z "$strays" ] || hl_fail "stray files in store: $strays"
	strays=$(git -C "$HL_STORE" ls-files | grep -v -e '\.yaml$' \
		-e '^\.helios_version$' -e '^\.gitignore$')
	[ -z "$strays" ] || hl_fail "stray files in git: $strays"
}

#!/bin/bash
# security_private.sh - the store is created private (0700 directories,
# 0600 files, git's own files included) and stays so after saves through
# the mount and the command line; the mount is private to its user, and
# with allow_other the kernel enforces permissions (default_permissions).
. "${HELIOS_TEST_LIB:?HELIOS_TEST_LIB is not set}"

# The other-user checks need a directory user nobody can traverse; root's
# home (0700) is not one, so as root the test works under /var/tmp.
if [ "$(id -u)" = 0 ] && [ -z "${HELIOS_TEST_TMP:-}" ]; then
	export HELIOS_TEST_TMP=/var/tmp/helios-tests
	mkdir -p "$HELIOS_TEST_TMP" && chmod 711 "$HELIOS_TEST_TMP"
fi
hl_setup
BIN=$HL_BIN/helios-mcp
S=$HL_STORE
umask 022
open_entries() { find "$S" -perm /077 -printf '%m %p\n' | head -5; }

"$BIN" init --helios-dir "$S" >/dev/null || hl_fail "init"
bad=$(open_entries)
[ -z "$bad" ] || hl_fail "new store not private: $bad"
[ "$(stat -c %a "$S")" = 700 ] || hl_fail "store dir mode"
[ "$(stat -c %a "$S/base/identity.yaml")" = 600 ] || hl_fail "base mode"

hl_mount
for i in 1 2 3; do
	hl_persona "$i" "via mount $i" >"$M/personas/m$i.yaml" ||
		hl_fail "save $i via mount"
done
hl_wait_commits 3
hl_persona 5 cli >"$HL_TMP/in.yaml"
"$BIN" write --helios-dir "$S" personas/c.yaml "$HL_TMP/in.yaml" \
	>/dev/null 2>&1 || hl_fail "save via the command line"
mv "$M/personas/m1.yaml" "$M/personas/m9.yaml" || hl_fail "rename via mount"
rm "$M/personas/m2.yaml" || hl_fail "delete via mount"
hl_wait_commits 6
[ "$(hl_new_commits)" = 6 ] || hl_fail "expected 6 commits, got $(hl_new_commits)"
bad=$(open_entries)
[ -z "$bad" ] || hl_fail "store not private after saves: $bad"

# --- the mount itself, seen by another user ---
command -v setpriv >/dev/null || hl_skip "setpriv is missing"
[ "$(id -u)" = 0 ] || { echo "not root: other-user checks skipped"; echo PASS; exit 0; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 711 "$HL_TMP"
mkdir -m 755 "$HL_TMP/ctl"
as_nobody stat "$HL_TMP/ctl" >/dev/null 2>&1 ||
	hl_skip "user nobody cannot reach $HL_TMP; other-user checks skipped"
as_nobody ls "$HL_MNT" >/dev/null 2>&1 &&
	hl_fail "another user can list a mount without allow_other"

# helios-fs serves a store once: unmount before mounting it shared
fusermount3 -u "$HL_MNT" || hl_fail "cannot unmount"
wait "$HL_PID"
HL_PID=
M2=$HL_TMP/shared
mkdir -m 755 "$M2"
"$HL_BIN/helios-fs" --helios-dir "$S" -o allow_other -f "$M2" \
	2>"$HL_OUT/fs2.log" &
P2=$!
shared_cleanup()
{
	local st=$? i

	for i in $(seq 20); do
		fusermount3 -u "$M2" 2>/dev/null && break
		sleep 0.1
	done
	wait "$P2" 2>/dev/null
	(exit $st)
	hl_cleanup
}
trap shared_cleanup EXIT
for i in $(seq 100); do [ -e "$M2/errors.log" ] && break; sleep 0.1; done
[ -e "$M2/errors.log" ] || hl_fail "allow_other mount did not start: $(cat "$HL_OUT/fs2.log")"
opts=$(awk -v m="$M2" '$5 == m { print $NF }' /proc/self/mountinfo)
case ",$opts," in
*,default_permissions,*) ;;
*) hl_fail "allow_other without default_permissions: $opts" ;;
esac
cat "$M2/personas/welcome.yaml" >/dev/null || hl_fail "owner cannot read"
as_nobody cat "$M2/personas/welcome.yaml" >/dev/null 2>&1 &&
	hl_fail "another user read a 0600 file through allow_other"
as_nobody sh -c "echo x >'$M2/personas/intruder.yaml'" 2>/dev/null &&
	hl_fail "another user wrote through allow_other"
[ -e "$S/personas/intruder.yaml" ] && hl_fail "intruder file in the store"
echo PASS

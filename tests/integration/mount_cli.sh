#!/bin/bash
# helios-fs options: --help, --version, usage errors, store resolution
# ($HELIOS_DIR, ~), and running as a daemon.
. "$HELIOS_TEST_LIB"
hl_setup
FS=$HL_BIN/helios-fs

"$FS" --help >"$HL_OUT/help" || hl_fail "--help failed"
grep -q -- "--helios-dir" "$HL_OUT/help" || hl_fail "--help lacks --helios-dir"
grep -q "errors.log" "$HL_OUT/help" || hl_fail "--help lacks errors.log"
"$FS" --version >"$HL_OUT/version" || hl_fail "--version failed"
grep -Eq '^helios-fs [0-9]+\.[0-9]+\.[0-9]+' "$HL_OUT/version" ||
	hl_fail "--version: $(cat "$HL_OUT/version")"

"$FS" --helios-dir "$HL_TMP/x" 2>"$HL_OUT/err"
hl_eq "exit without a mountpoint" 2 $?
grep -q "mountpoint" "$HL_OUT/err" || hl_fail "usage: $(cat "$HL_OUT/err")"

# A file where the store should be: refused before mounting.
mkdir -p "$HL_TMP/mp"
echo not a store > "$HL_TMP/file"
"$FS" --helios-dir "$HL_TMP/file" -f "$HL_TMP/mp" 2>"$HL_OUT/err"
hl_eq "exit on a bad store" 1 $?
grep -q "cannot open store" "$HL_OUT/err" || hl_fail "bad store: $(cat "$HL_OUT/err")"
grep -qF "$HL_TMP/mp" /proc/self/mounts && hl_fail "mounted anyway"

# Daemon mode, the store from $HELIOS_DIR with "~" expanded; the daemon
# exits by itself when unmounted.
mkdir -p "$HL_TMP/home" "$HL_TMP/dmnt"
HL_DAEMON_MNT=$HL_TMP/dmnt
HOME=$HL_TMP/home HELIOS_DIR='~/helios store' "$FS" "$HL_TMP/dmnt" ||
	hl_fail "daemon start failed"
[ -e "$HL_TMP/dmnt/errors.log" ] || hl_fail "daemon mount not ready"
S="$HL_TMP/home/helios store"
[ -f "$S/base/identity.yaml" ] || hl_fail "store not bootstrapped at $S"
HL_STORE=$S
hl_checkpoint
hl_persona 2 daemon > "$HL_TMP/dmnt/personas/d.yaml"
hl_expect_commits "create personas/d.yaml (mount)"
cmp -s "$HL_TMP/dmnt/personas/d.yaml" "$S/personas/d.yaml" ||
	hl_fail "daemon mount content"
fusermount3 -u "$HL_TMP/dmnt" || hl_fail "unmount failed"
HL_DAEMON_MNT=
[ -e "$HL_TMP/dmnt/errors.log" ] && hl_fail "still mounted"

# The default store is ~/.helios.
mkdir -p "$HL_TMP/home2"
HL_DAEMON_MNT=$HL_TMP/dmnt
env -u HELIOS_DIR HOME=$HL_TMP/home2 "$FS" "$HL_TMP/dmnt" ||
	hl_fail "daemon start failed"
[ -f "$HL_TMP/home2/.helios/personas/welcome.yaml" ] ||
	hl_fail "no store in ~/.helios"
fusermount3 -u "$HL_TMP/dmnt" || hl_fail "unmount failed"
HL_DAEMON_MNT=
echo PASS

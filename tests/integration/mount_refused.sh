#!/bin/bash
# Every refused save leaves the file as it was in the mount, the store and
# git, makes no commit, and is recorded in /errors.log and the xattr.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml
OLD=$(cat "$S/$F")

# bash ignores close() errors: the refusal is silent in the shell...
echo 'specialization_level: 1.5' > "$M/$F" || hl_fail "> reported an error"
hl_expect_content "$F" "$OLD"
hl_expect_commits
# ...and visible in /errors.log, one line per diagnostic.
log=$(cat "$M/errors.log")
echo "$log" | grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z $F: $F:1:23: specialization_level must be an integer >= 1" ||
	hl_fail "errors.log: $log"
echo "$log" | grep -q "^.*Z $F: $F:1:1: missing required key 'behaviors'" ||
	hl_fail "errors.log lacks the missing key: $log"
hl_eq "errors.log size" "$(printf '%s\n' "$log" | wc -c)" \
	"$(stat -c %s "$M/errors.log")"
x=$(hl_xattr "$M/$F" user.helios.error)
echo "$x" | grep -q "^$F:1:23: specialization_level" || hl_fail "xattr: $x"
grep -q "warning: refused save of '$F'" "$HL_LOG" || hl_fail "not logged"

# A flush with nothing new still fails; : > f is an empty document.
: > "$M/$F"
hl_expect_content "$F" "$OLD"
hl_expect_commits
hl_wait_grep "$F:.*empty" "$M/errors.log" || hl_fail "empty refusal not recorded"

# cp of an invalid file fails at close.
printf 'specialization_level: true\nbehaviors: {}\n' > "$HL_OUT/bad.yaml"
cp "$HL_OUT/bad.yaml" "$M/$F" 2>"$HL_OUT/err" && hl_fail "cp succeeded"
grep -q "Invalid argument" "$HL_OUT/err" || hl_fail "cp: $(cat "$HL_OUT/err")"
hl_expect_content "$F" "$OLD"
hl_expect_commits

# YAML syntax error and a non-mapping root.
printf 'behaviors: [unclosed\n' > "$M/$F"
printf -- '- a list\n' > "$M/$F"
hl_expect_content "$F" "$OLD"
hl_expect_commits

# Invalid base identity, and deleting it.
printf 'base_importance: 2\nbehaviors: {}\n' > "$M/base/identity.yaml"
hl_eq "base unchanged" "$(git -C "$S" show HEAD:base/identity.yaml)" \
	"$(cat "$M/base/identity.yaml")"
rm "$M/base/identity.yaml" 2>"$HL_OUT/err" && hl_fail "rm base succeeded"
grep -q "Operation not permitted" "$HL_OUT/err" || hl_fail "rm: $(cat "$HL_OUT/err")"
[ -f "$S/base/identity.yaml" ] || hl_fail "base gone from the store"
hl_expect_commits

# Oversize: a write beyond 1 MiB fails with EFBIG.
python3 - "$M/$F" <<'PY'

import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
try:
    os.write(fd, b"#" * (1 << 20))
    os.write(fd, b"#" * 4096)
except OSError as e:
    sys.exit(0 if e.errno == errno.EFBIG else 2)
finally:
    try:
        os.close(fd)
    except OSError:
        pass
sys.exit(1)
PY
[ $? = 0 ] || hl_fail "oversize write did not fail with EFBIG"
hl_expect_content "$F" "$OLD"
hl_expect_commits

# A valid save clears the xattr.
hl_persona 3 fine > "$M/$F"
hl_expect_content "$F" "$(hl_persona 3 fine)"
hl_expect_commits "update $F (mount)"
hl_eq "xattr after a valid save" "ENODATA" \
	"$(hl_xattr "$M/$F" user.helios.error)"
[ -e "$M/errors.log" ] && [ -s "$M/errors.log" ] || hl_fail "errors.log lost"

hl_expect_clean
hl_expect_no_strays
echo PASS

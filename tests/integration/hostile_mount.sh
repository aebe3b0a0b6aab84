#!/bin/bash
# hostile_mount.sh - hostile content written through the mount.  Writes
# above the 1 MiB limit fail with EFBIG whatever way they take (one big
# write, a write past the end, ftruncate, truncate, cp of a big file to a
# new name) and change nothing; exactly 1 MiB is still accepted.  Each
# case of the issue's hostile YAML list written over a persona or the
# base is refused with its exact positioned error in /errors.log and
# changes nothing; a byte-order mark and CRLF line ends are accepted and
# kept byte for byte.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml
OLD=$(cat "$S/$F")
BASE=base/identity.yaml
OLDBASE=$(cat "$S/$BASE")
LIMIT=$((1 << 20))

# ---- the size limit ----

# $1: operation, $2: path; exit 0 when it failed with EFBIG.
efbig()
{
	python3 - "$1" "$2" "$LIMIT" <<'PY'
import errno, os, sys
op, path, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = b"specialization_level: 1\nbehaviors: {}\n"

def write_all(fd, data):
    # As applications do: a short write is followed by the rest.
    off = 0
    while off < len(data):
        off += os.write(fd, data[off:])

try:
    if op == "one-write":
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        try:
            write_all(fd, body + b"#" * (limit + 1 - len(body)))
        finally:
            os.close(fd)
    elif op == "past-end":
        fd = os.open(path, os.O_WRONLY)
        try:
            os.pwrite(fd, b"x", limit)
        finally:
            os.close(fd)
    elif op == "ftruncate":
        fd = os.open(path, os.O_WRONLY)
        try:
            os.ftruncate(fd, limit + 1)
        finally:
            os.close(fd)
    elif op == "truncate":
        os.truncate(path, 50 << 20)
    elif op == "scalar-50M":
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            write_all(fd, body + b"x: " + b"a" * (50 << 20) + b"\n")
        finally:
            os.close(fd)
except OSError as e:
    sys.exit(0 if e.errno == errno.EFBIG else 3)
sys.exit(1)
PY
}

for op in one-write past-end ftruncate truncate scalar-50M; do
	efbig "$op" "$M/$F"
	rc=$?
	[ "$rc" = 0 ] || hl_fail "$op over the limit: not EFBIG (status $rc)"
	hl_expect_content "$F" "$OLD"
	hl_expect_commits
done

# A new file above the limit never reaches the store.
efbig scalar-50M "$M/personas/huge.yaml" || hl_fail "new 50 MiB file: not EFBIG"
head -c $((LIMIT + 1)) /dev/zero | tr '\0' '#' >"$HL_OUT/big.yaml"
cp "$HL_OUT/big.yaml" "$M/personas/big.yaml" 2>"$HL_OUT/err" &&
	hl_fail "cp of a file above the limit succeeded"
grep -q "File too large" "$HL_OUT/err" || hl_fail "cp: $(cat "$HL_OUT/err")"
for n in huge big; do
	[ -e "$S/personas/$n.yaml" ] && hl_fail "$n.yaml reached the store"
done
hl_expect_commits
hl_expect_no_strays

# Exactly at the limit is fine: a valid persona padded with a comment.
python3 - "$M/$F" "$LIMIT" <<'PY' || hl_fail "a save of exactly 1 MiB failed"
import os, sys
body = b"specialization_level: 2\nbehaviors: {}\n#"
data = body + b"x" * (int(sys.argv[2]) - len(body) - 1) + b"\n"
assert len(data) == int(sys.argv[2])
with open(sys.argv[1], "wb") as f:
    f.write(data)
PY
hl_eq "size of a 1 MiB save" "$LIMIT" "$(stat -c %s "$S/$F")"
hl_eq "1 MiB at HEAD" "$LIMIT" "$(git -C "$S" cat-file -s "HEAD:$F")"
hl_expect_commits "update $F (mount)"
printf '%s\n' "$OLD" >"$M/$F" || hl_fail "cannot restore $F"
hl_expect_commits "update $F (mount)"
OLD=$(cat "$S/$F")

# ---- the hostile YAML list ----

mkdir -p "$HL_OUT/y"
python3 - "$HL_OUT/y" <<'PY'
import os, sys
d = sys.argv[1]
def put(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
beh = b"behaviors:\n  tone: calm\n"
rows = [b"a0: &a0 [x, x, x, x, x, x, x, x, x]"]
for i in range(1, 10):
    rows.append(b"a%d: &a%d [" % (i, i) +
                b", ".join([b"*a%d" % (i - 1)] * 9) + b"]")
put("alias-bomb", b"specialization_level: 1\n" + beh + b"\n".join(rows) + b"\n")
put("deep", b"specialization_level: 1\n" + beh + b"x: " +
    b"[" * 100000 + b"]" * 100000 + b"\n")
put("bad-utf8", b"specialization_level: 1\nbehaviors:\n  tone: \xc3\x28\n")
put("nul", b"specialization_level: 1\nbehaviors:\n  tone: a\x00b\n")
put("tabs", b"specialization_level: 1\nbehaviors:\n\ttone: calm\n")
put("dupkey", b"specialization_level: 1\n" + beh + b"specialization_level: 2\n")
put("nonstring-key", b"specialization_level: 1\nbehaviors:\n  [a, b]: calm\n")
put("level-1e9", b"specialization_level: 1e9\n" + beh)
put("level-2.5", b"specialization_level: 2.5\n" + beh)
put("two-docs", b"specialization_level: 1\n" + beh + b"---\n"
    b"specialization_level: 2\n" + beh)
put("empty", b"")
put("nan", b"base_importance: .nan\n" + beh)
put("inf", b"base_importance: .inf\n" + beh)
put("bom", b"\xef\xbb\xbfspecialization_level: 3\n" + beh)
put("crlf", b"specialization_level: 4\r\nbehaviors:\r\n  tone: calm\r\n")
PY

# $1 case, $2 file, $3 exact diagnostic (after "FILE: FILE:").  cp must
# fail, except for the empty file: a truncation with no write is refused
# at release, too late for close() to report it (as for ": > FILE").
refused()
{
	local before got old

	old=$(cat "$S/$2")
	before=$(wc -l <"$M/errors.log")
	if cp "$HL_OUT/y/$1" "$M/$2" 2>/dev/null && [ "$1" != empty ]; then
		hl_fail "$1: the save was not refused"
	fi
	hl_expect_content "$2" "$old"
	hl_expect_commits
	got=$(tail -n +$((before + 1)) "$M/errors.log")
	printf '%s\n' "$got" | grep -qE "^[0-9TZ:-]{20} $2: $2:" ||
		hl_fail "$1: errors.log lines are not 'TIME FILE: ...': $got"
	printf '%s\n' "$got" | grep -qF " $2: $2:$3" ||
		hl_fail "$1: errors.log lacks [$2:$3], has: $got"
	hl_eq "$1: error lines" 1 "$(printf '%s\n' "$got" | wc -l)"
}

refused alias-bomb $F "9:10: key 'a5[0]': alias expansion exceeds 100000 nodes"
refused deep $F "4:67: nesting is deeper than 64 levels"
refused bad-utf8 $F "3:10: invalid input: invalid trailing UTF-8 octet (0x28 at byte offset 44)"
refused nul $F "3:10: file contains a NUL byte (at byte offset 44)"
refused tabs $F "3:1: yaml syntax error: found character that cannot start \
any token (while scanning for the next token at line 3, column 1)"
refused dupkey $F "4:1: duplicate key 'specialization_level' (first at line 1)"
refused nonstring-key $F "3:3: key 'behaviors': mapping key must be a string, got sequence"
refused level-2.5 $F "1:23: specialization_level must be an integer >= 1, got float 2.5"
refused two-docs $F "4:1: more than one document; a file holds exactly one"
refused empty $F "1:1: root must be a mapping, got null (the document is empty)"
refused nan $BASE "1:18: base_importance must be a finite number in [0.0, 1.0], got float .nan"
refused inf $BASE "1:18: base_importance must be a finite number in [0.0, 1.0], got float .inf"

# 1e9 also draws a YAML 1.1 warning; the error is what refuses it.
before=$(wc -l <"$M/errors.log")
cp "$HL_OUT/y/level-1e9" "$M/$F" 2>/dev/null && hl_fail "1e9 was accepted"
hl_expect_content "$F" "$OLD"
hl_expect_commits
tail -n +$((before + 1)) "$M/errors.log" | grep -qF \
	" $F: $F:1:23: specialization_level must be an integer >= 1, got float 1000000000.0" ||
	hl_fail "1e9: $(tail -n +$((before + 1)) "$M/errors.log")"
hl_eq "base untouched" "$OLDBASE" "$(cat "$S/$BASE")"

# A byte-order mark and CRLF are valid YAML: saved byte for byte.
for c in bom crlf; do
	cp "$HL_OUT/y/$c" "$M/$F" || hl_fail "$c was refused"
	cmp -s "$HL_OUT/y/$c" "$S/$F" || hl_fail "$c: store file differs"
	git -C "$S" show "HEAD:$F" | cmp -s "$HL_OUT/y/$c" - ||
		hl_fail "$c: HEAD differs"
	hl_expect_commits "update $F (mount)"
done
hl_expect_no_strays
hl_expect_clean
git -C "$S" fsck --strict >/dev/null 2>&1 || hl_fail "git fsck --strict"
echo "ok   hostile content through the mount"

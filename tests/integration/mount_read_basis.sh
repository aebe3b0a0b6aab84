#!/bin/bash
# mount_read_basis.sh - a save is based on what the saving process read.
# Editors read a file when they load it and save later through a new
# descriptor (nano) or a new temporary file (atomic savers); a change
# another face landed in between used to be undone without a word.  Now
# such a save is refused (ESTALE at close, EINVAL at rename), while saves
# by a process over its own earlier save, and blind writes, still land.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml
hl_persona 2 start > "$M/$F" || hl_fail "setup save failed"
hl_expect_commits "update $F (mount)"

python3 - "$M/$F" "$HL_BIN/helios-mcp" "$S" >"$HL_OUT/result" 2>&1 <<'PY' ||
import errno, os, subprocess, sys
path, mcp, store = sys.argv[1:4]
d, name = os.path.split(path)

def read():
    with open(path) as f:
        return f.read()

def cli(tone):
    text = "specialization_level: 3\nbehaviors:\n  tone: %s\n" % tone
    subprocess.run([mcp, "write", "--helios-dir", store, "personas/" + name],
                   input=text.encode(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)

def by_rename(text):
    tmp = os.path.join(d, "." + name + ".tmp1")
    with open(tmp, "w") as f:
        f.write(text)
    try:
        os.rename(tmp, path)
        return "ok"
    except OSError as e:
        os.unlink(tmp)
        return errno.errorcode[e.errno]

def by_trunc(text):
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    os.write(fd, text.encode())
    try:
        os.close(fd)
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]

# read, another face saves, then the temporary file: refused
old = read()
cli("cli1")
print("rename after cli:", by_rename(old + "  mine: 1\n"))
# read, another face saves, then a new descriptor: refused
old = read()
cli("cli2")
print("trunc after cli:", by_trunc(old + "  mine: 2\n"))
# read again: the save lands; then saves over its own saves land
old = read()
print("trunc after reread:", by_trunc(old + "  mine: 3\n"))
print("trunc again:", by_trunc(old + "  mine: 3\n  more: 4\n"))
print("rename over own save:", by_rename(old + "  mine: 5\n"))
PY
	hl_fail "driver failed: $(cat "$HL_OUT/result")"

hl_eq "results" "rename after cli: EINVAL
trunc after cli: ESTALE
trunc after reread: ok
trunc again: ok
rename over own save: ok" "$(cat "$HL_OUT/result")"
hl_expect_commits "update $F (cli)" "update $F (cli)" "update $F (mount)" \
	"update $F (mount)" "update $F (mount)"
grep -q "tone: cli2" "$S/$F" || hl_fail "cli2 lost: $(cat "$S/$F")"
grep -q "mine: 5" "$S/$F" || hl_fail "last save missing"
grep -q "since it was read" "$M/errors.log" ||
	hl_fail "refusal reason missing: $(cat "$M/errors.log")"
# A blind writer (the shell) after another face's save: lands.
printf 'specialization_level: 3\nbehaviors:\n  tone: cli3\n' |
	"$HL_BIN/helios-mcp" write --helios-dir "$S" "$F" >/dev/null 2>&1
hl_persona 4 blind > "$M/$F" || hl_fail "blind write failed"
hl_expect_content "$F" "$(hl_persona 4 blind)"
hl_expect_clean
echo PASS

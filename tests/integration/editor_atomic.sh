#!/bin/bash
# Temp-file-and-rename saves, as atomic-write libraries and VS Code's
# atomic save do: write .NAME.tmpXXXX (or NAME.vsctmp) beside the file,
# fsync, chmod, rename over.  A valid save is one commit and leaves no
# temp file; an invalid one fails at the rename with EINVAL, keeps the old
# content and the temp file (the writer removes it); a corrected save by
# the same process then lands.
. "$HELIOS_TEST_LIB"
command -v python3 >/dev/null || hl_skip "python3 is not installed"
hl_setup
hl_mount
F=personas/welcome.yaml

hl_persona 2 v0 > "$M/$F"
hl_expect_commits "update $F (mount)"

# One writer process, three saves; prints one line per save.
cat >"$HL_OUT/atomic.py" <<'EOF'
import errno, os, sys, tempfile

path = sys.argv[1]
d, name = os.path.split(path)

def persona(level, tone):
    return ("# persona\nspecialization_level: %s\nbehaviors:\n  tone: %s\n"
            % (level, tone)).encode()

def save(data, style):
    if style == "vsctmp":
        tmp = path + ".vsctmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    else:
        fd, tmp = tempfile.mkstemp(prefix="." + name + ".tmp", dir=d)
    try:
        os.write(fd, data)
        os.fsync(fd)
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    try:
        os.rename(tmp, path)
    except OSError as e:
        left = os.path.exists(tmp)
        os.unlink(tmp)
        return "%s %s temp-left=%s" % (style, errno.errorcode[e.errno], left)
    return "%s ok" % style

print(save(persona(2, "atomic1"), "tmp"))
print(save(persona(0, "atomicbad"), "tmp"))
print(save(persona(2, "atomic2"), "tmp"))
print(save(persona(3, "vsc1"), "vsctmp"))
print(save(b"behaviors: [\n", "vsctmp"))
print(save(persona(3, "vsc2"), "vsctmp"))
with open(path, "rb") as f:
    print("final " + f.read().decode().splitlines()[-1].strip())
EOF

python3 "$HL_OUT/atomic.py" "$M/$F" >"$HL_OUT/result" 2>&1 ||
	hl_fail "writer failed: $(cat "$HL_OUT/result")"
hl_eq "results" "tmp ok
tmp EINVAL temp-left=True
tmp ok
vsctmp ok
vsctmp EINVAL temp-left=True
vsctmp ok
final tone: vsc2" "$(cat "$HL_OUT/result")"

hl_expect_content "$F" "$(hl_persona 3 vsc2)"
hl_expect_commits "update $F (mount)" "update $F (mount)" \
	"update $F (mount)" "update $F (mount)"
git -C "$S" log -p --format=%s -- "$F" | grep -q -e atomicbad -e 'behaviors: \[' &&
	hl_fail "refused content reached git"
git -C "$S" log -p --format=%s -- "$F" | grep -q 'tone: atomic1' ||
	hl_fail "first save not in history"
grep -q "$F:2:23: specialization_level" "$M/errors.log" ||
	hl_fail "refusal 1 not in errors.log: $(cat "$M/errors.log")"
grep -q "refused save of '$F': .*syntax error" "$HL_LOG" ||
	hl_fail "syntax refusal not logged"
hl_eq "listing" "welcome.yaml" "$(ls -a "$M/personas" | grep -v '^\.\.\?$')"
hl_expect_clean
hl_expect_no_strays
echo PASS

#!/bin/bash
# A file open for writing through the mount while the store changes
# behind it: the save that closes later is refused (ESTALE, errors.log
# "changed in the store since it was read or opened"), the other change stays,
# and a fresh open then saves normally.  A temporary file renamed over a
# file that changed after the temporary file was made (sed -i, atomic
# writers) gets EINVAL the same way.  A handle's own earlier saves are
# no conflict, and a change the save already matches is none either.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml
CLI=$HL_BIN/helios-mcp

hl_persona 2 v0 > "$M/$F"
hl_expect_commits "update $F (mount)"

python3 - "$M/$F" "$CLI" "$S" >"$HL_OUT/result" 2>&1 <<'EOF'
import errno, os, subprocess, sys
path, cli, store = sys.argv[1:4]

def persona(level, tone):
    return ("# persona\nspecialization_level: %s\nbehaviors:\n  tone: %s\n"
            % (level, tone)).encode()

def cli_write(data):
    subprocess.run([cli, "write", "--helios-dir", store,
                    "personas/welcome.yaml"], input=data, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def replace(fd, data):
    os.lseek(fd, 0, 0)
    os.ftruncate(fd, 0)
    os.write(fd, data)

# 1. Opened, then the command line saves, then this save: refused.
fd = os.open(path, os.O_RDWR)
os.read(fd, 4096)
cli_write(persona(3, "cli"))
replace(fd, persona(4, "mount"))
try:
    os.close(fd)
    print("1 closed")
except OSError as e:
    print("1 " + errno.errorcode[e.errno])

# 2. A fresh open saves.
with open(path, "wb") as f:
    f.write(persona(5, "fresh"))
print("2 ok")

# 3. One handle saving twice (fsync, then close): no conflict with itself.
fd = os.open(path, os.O_RDWR)
replace(fd, persona(6, "first"))
os.fsync(fd)
replace(fd, persona(6, "second"))
os.close(fd)
print("3 ok")

# 4. The store changed to exactly what this handle saves: no conflict.
fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
cli_write(persona(7, "same"))
os.write(fd, persona(7, "same"))
os.close(fd)
print("4 ok")

# 5. Deleted behind the open file: refused, the delete stays.
fd = os.open(path, os.O_RDWR)
subprocess.run([cli, "rm", "--helios-dir", store, "personas/welcome.yaml"],
               check=True, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
replace(fd, persona(8, "ghost"))
try:
    os.close(fd)
    print("5 closed")
except OSError as e:
    print("5 " + errno.errorcode[e.errno])

# 6. A temp file renamed over a file that changed after the temp file was
#    made (sed -i, atomic writers): refused, the other change stays.
with open(path, "wb") as f:
    f.write(persona(2, "recreated"))
tmp = os.path.join(os.path.dirname(path), ".welcome.yaml.tmp1")
with open(tmp, "wb") as f:
    f.write(persona(9, "from-temp"))
cli_write(persona(3, "cli-again"))
try:
    os.rename(tmp, path)
    print("6 renamed")
except OSError as e:
    print("6 " + errno.errorcode[e.errno])
    os.unlink(tmp)
EOF
hl_eq "results" "1 ESTALE
2 ok
3 ok
4 ok
5 ESTALE
6 EINVAL" "$(cat "$HL_OUT/result")"

hl_eq "commits" "update $F (cli)
update $F (mount)
update $F (mount)
update $F (mount)
update $F (cli)
delete $F (cli)
create $F (mount)
update $F (cli)" "$(git -C "$S" log --reverse --format=%s "$HL_MARK..HEAD")"
git -C "$S" log -p -- "$F" | grep -q -e 'tone: mount' -e 'tone: ghost' \
	-e 'tone: from-temp' && hl_fail "a refused save reached git"
git -C "$S" log -p -- "$F" | grep -q 'tone: first' ||
	hl_fail "the handle's first save is missing"
hl_expect_content "$F" "$(hl_persona 3 cli-again)"
hl_eq "conflicts in errors.log" 3 "$(grep -c \
	"$F: changed in the store since" "$M/errors.log")"
grep -q "refused save of '$F': .*changed in the store since it was read or opened" \
	"$HL_LOG" || hl_fail "conflict not logged"
hl_expect_clean
hl_expect_no_strays
echo PASS

#!/bin/bash
# Scratch files (editor temp, swap, backup and lock names) live in the
# mount only; the rename dances of editors give one commit per save.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
P=personas
F=$P/welcome.yaml
OLD=$(cat "$S/$F")

# Scratch files: visible while they live, never in the store or git.
echo swap > "$M/$P/.welcome.yaml.swp"
hl_eq "scratch content" "swap" "$(cat "$M/$P/.welcome.yaml.swp")"
ls -a "$M/$P" | grep -q '^\.welcome\.yaml\.swp$' || hl_fail "swap not listed"
hl_expect_no_strays
hl_expect_clean
# O_EXCL is honoured.
python3 - "$M/$P/4913" <<'PY' || hl_fail "O_EXCL not honoured"
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.fchown(fd, os.getuid(), os.getgid())
os.close(fd)
try:
    os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    sys.exit(1)
except OSError as e:
    sys.exit(0 if e.errno == errno.EEXIST else 1)
PY
rm "$M/$P/4913" "$M/$P/.welcome.yaml.swp" || hl_fail "rm scratch failed"
# emacs's lock is a dangling symlink.
ln -s "user@host.1234" "$M/$P/.#welcome.yaml" || hl_fail "symlink failed"
hl_eq "readlink" "user@host.1234" "$(readlink "$M/$P/.#welcome.yaml")"
rm "$M/$P/.#welcome.yaml"
hl_expect_commits

# vim's rename mode: F -> F~, create F, write, fsync, close, rm F~.
python3 - "$M/$F" <<'PY' || hl_fail "vim-style save failed"
import os, sys
f = sys.argv[1]
os.rename(f, f + "~")
assert not os.path.exists(f)
fd = os.open(f, os.O_WRONLY | os.O_CREAT, 0o600)
os.ftruncate(fd, 0)
os.write(fd, b"specialization_level: 4\nbehaviors:\n  editor: vim\n")
os.fsync(fd)
os.fchmod(fd, 0o600)
os.close(fd)
os.unlink(f + "~")
PY
hl_expect_content "$F" "$(printf 'specialization_level: 4\nbehaviors:\n  editor: vim')"
hl_expect_commits "update $F (mount)"

# The same save refused at fsync: the editor puts its backup back.
python3 - "$M/$F" <<'PY' || hl_fail "vim-style refused save misbehaved"
import errno, os, sys
f = sys.argv[1]
os.rename(f, f + "~")
fd = os.open(f, os.O_WRONLY | os.O_CREAT, 0o600)
os.write(fd, b"specialization_level: 1.5\n")
try:
    os.fsync(fd)
    sys.exit(1)
except OSError as e:
    if e.errno != errno.EINVAL:
        sys.exit(1)
try:
    os.close(fd)
except OSError:
    pass
os.rename(f + "~", f)
PY
hl_expect_content "$F" "$(printf 'specialization_level: 4\nbehaviors:\n  editor: vim')"
hl_expect_commits

# An atomic writer: .F.tmpXXXX, fsync, rename over F.
printf 'specialization_level: 5\nbehaviors: {}\n' > "$M/$P/.welcome.yaml.tmp1234"
mv "$M/$P/.welcome.yaml.tmp1234" "$M/$F" || hl_fail "rename over failed"
hl_expect_content "$F" "$(printf 'specialization_level: 5\nbehaviors: {}')"
hl_expect_commits "update $F (mount)"
# The same with invalid content: EINVAL, the temp file stays.
printf 'nope: 1\n' > "$M/$P/.welcome.yaml.tmp5678"
mv "$M/$P/.welcome.yaml.tmp5678" "$M/$F" 2>/dev/null && hl_fail "bad rename ok"
[ -e "$M/$P/.welcome.yaml.tmp5678" ] || hl_fail "temp file lost"
rm "$M/$P/.welcome.yaml.tmp5678"
hl_expect_commits

# Reads through a write handle see the pending content; others the file.
python3 - "$M/$F" <<'PY' || hl_fail "shadow isolation broken"
import os, sys
f = sys.argv[1]
old = open(f, "rb").read()
fd = os.open(f, os.O_RDWR | os.O_TRUNC)
os.write(fd, b"specialization_level: 6\nbehaviors: {}\n")
if open(f, "rb").read() != old:
    sys.exit(1)
os.lseek(fd, 0, os.SEEK_SET)
if not os.read(fd, 100).startswith(b"specialization_level: 6"):
    sys.exit(2)
os.close(fd)
if not open(f, "rb").read().startswith(b"specialization_level: 6"):
    sys.exit(3)
PY
hl_expect_commits "update $F (mount)"

hl_eq "listing" "welcome.yaml" "$(ls -A "$M/$P")"
hl_expect_clean
hl_expect_no_strays
echo PASS

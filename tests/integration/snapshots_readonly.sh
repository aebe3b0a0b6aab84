#!/bin/bash
# Every modifying operation under snapshots/ and merged/ fails with
# EROFS, through the real tools and through the system calls
# themselves; nothing reaches the store or git.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
export LC_ALL=C

hl_persona 2 calm > "$M/personas/coder.yaml"
hl_wait_commits 1
hl_checkpoint

snap=$M/snapshots/$(readlink "$M/snapshots/latest")
[ -d "$snap" ] || hl_fail "latest does not lead to a directory"
F=$snap/personas/coder.yaml
MF=$M/merged/coder.yaml
before=$(cat "$F")
merged_before=$(cat "$MF")

# The tools: each must fail, saying "Read-only file system".
tool()
{
	local out

	out=$("$@" 2>&1 </dev/null) && hl_fail "allowed: $*"
	case "$out" in
	*"Read-only file system"*) ;;
	*) hl_fail "$*: expected EROFS, got: $out" ;;
	esac
}

for f in "$F" "$MF"; do
	tool touch "$f"
	tool sh -c "echo x > '$f'"
	tool sh -c "echo x >> '$f'"
	tool rm -f "$f"
	tool mv "$f" "$f.moved"
	tool chmod 600 "$f"
	tool truncate -s 0 "$f"
	tool sed -i s/a/b/ "$f"
done
tool touch "$snap/personas/new.yaml"
tool touch "$M/snapshots/new"
tool touch "$M/merged/new.yaml"
tool mkdir "$M/snapshots/dir"
tool mkdir "$snap/personas/dir"
tool mkdir "$M/merged/dir"
tool rmdir "$snap/personas"
tool rm -rf "$snap"
tool rm -f "$M/snapshots/latest"
tool mv "$snap" "$M/snapshots/renamed"
tool mv "$M/personas/coder.yaml" "$M/snapshots/coder.yaml"
tool mv "$M/personas/coder.yaml" "$snap/personas/other.yaml"
tool cp "$M/personas/coder.yaml" "$snap/personas/copy.yaml"
tool ln -s target "$snap/personas/link"
tool ln "$F" "$snap/personas/hard"
tool chmod 700 "$snap"

# The system calls, with the errno each one returns.
python3 - "$F" "$MF" "$snap" "$M" <<'EOF' || hl_fail "system calls"
import errno, os, sys

f, mf, snap, mnt = sys.argv[1:5]
bad = []

def expect(what, fn, *args):
    try:
        fn(*args)
    except OSError as e:
        if e.errno != errno.EROFS:
            bad.append("%s: %s" % (what, errno.errorcode.get(e.errno)))
        return
    bad.append("%s: succeeded" % what)

for p in (f, mf):
    expect("open O_WRONLY " + p, os.open, p, os.O_WRONLY)
    expect("open O_RDWR " + p, os.open, p, os.O_RDWR)
    expect("open O_TRUNC " + p, os.open, p, os.O_RDONLY | os.O_TRUNC)
    expect("truncate " + p, os.truncate, p, 1)
    expect("chmod " + p, os.chmod, p, 0o600)
    expect("chown " + p, os.chown, p, os.getuid(), os.getgid())
    expect("utime " + p, os.utime, p, (1, 1))
    expect("unlink " + p, os.unlink, p)
    expect("rename " + p, os.rename, p, p + ".x")
    expect("setxattr " + p, os.setxattr, p, "user.a", b"b")
    expect("removexattr " + p, os.removexattr, p, "user.a")
for d in (snap, mnt + "/snapshots", mnt + "/merged",
          snap + "/personas"):
    expect("create in " + d, os.open, d + "/n.yaml",
           os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    expect("mkdir in " + d, os.mkdir, d + "/d")
    expect("mknod in " + d, os.mknod, d + "/fifo", 0o600 | 0o010000)
    expect("symlink in " + d, os.symlink, "t", d + "/l")
    expect("rmdir " + d, os.rmdir, d)
    expect("setxattr " + d, os.setxattr, d, "user.a", b"b")
expect("rename into snapshots", os.rename, mnt + "/personas/coder.yaml",
       mnt + "/snapshots/coder.yaml")
expect("rename within snapshots", os.rename, snap,
       mnt + "/snapshots/other")
expect("link into snapshots", os.link, mnt + "/personas/coder.yaml",
       snap + "/personas/h.yaml")
# A read-only open still works and reads the file.
fd = os.open(f, os.O_RDONLY)
if not os.read(fd, 4096):
    bad.append("read of a snapshot file gave nothing")
try:
    os.write(fd, b"x")
    bad.append("write on a read-only descriptor succeeded")
except OSError as e:
    if e.errno != errno.EBADF:
        bad.append("write: %s" % errno.errorcode.get(e.errno))
os.close(fd)
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF

hl_eq "snapshot file unchanged" "$before" "$(cat "$F")"
hl_eq "merged file unchanged" "$merged_before" "$(cat "$MF")"
hl_eq "live persona unchanged" "$(hl_persona 2 calm)" \
	"$(cat "$M/personas/coder.yaml")"
hl_eq "nothing in errors.log" "0" "$(stat -c %s "$M/errors.log")"
hl_expect_commits
hl_expect_clean
hl_expect_no_strays
echo PASS

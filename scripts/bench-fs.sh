#!/usr/bin/env bash
# bench-fs.sh - measure helios-fs side by side with the plain store and
# the git command line, in one run on this machine.  Not part of ctest.
#
#	bash scripts/bench-fs.sh [BIN_DIR]
#
# BIN_DIR holds helios-fs and helios-mcp (default build/bin; build it
# with -DCMAKE_BUILD_TYPE=RelWithDebInfo, not with sanitizers).  Work
# files and mounts go to $HELIOS_BENCH_TMP (default $HOME/tmp), never
# under /tmp.  Environment knobs: BENCH_COMMITS (100000), BENCH_READS
# (5000), BENCH_SAVES (30).
#
# Measured:
#  1. reading a persona through the mount vs from the store directory
#     (warm cache, open+read+close in a loop; target: within 1.5x), and
#     beside them the same file served by scripts/fuse-floor.c, the
#     least any FUSE file system does per open, to tell what FUSE costs
#     from what Helios adds;
#  2. a save through the mount until committed vs the same write plus
#     `git add && git commit` with the git command line (target: Helios
#     faster);
#  3. `ls snapshots/` and reading a file of the oldest snapshot in a
#     store of BENCH_COMMITS commits (built with git fast-import);
#  4. mount time of a store with 10 commits vs BENCH_COMMITS commits;
#  5. the daemon's peak RSS (VmHWM) after all that.
set -euo pipefail
export LC_ALL=C GIT_CONFIG_NOSYSTEM=1

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/bin}
commits=${BENCH_COMMITS:-100000}
reads=${BENCH_READS:-5000}
saves=${BENCH_SAVES:-30}
base=${HELIOS_BENCH_TMP:-$HOME/tmp}

die() { echo "bench-fs: $*" >&2; exit 1; }

for tool in fusermount3 git python3; do
	command -v "$tool" >/dev/null || die "no $tool"
done
[ -x "$bin/helios-fs" ] && [ -x "$bin/helios-mcp" ] ||
	{ echo "bench-fs: no helios-fs/helios-mcp in $bin" >&2; exit 1; }
case "$base" in
/tmp | /tmp/*) echo "bench-fs: mounts must not live under /tmp" >&2; exit 1 ;;
esac
mkdir -p "$base"
work=$(mktemp -d "$base/helios-bench.XXXXXX")

pids=()
mnts=()
cleanup()
{
	local m p

	for m in "${mnts[@]}"; do
		fusermount3 -u "$m" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf -- "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
# Milliseconds between two `now` stamps.
ms()
{
	python3 -c 'import sys; a, b = map(float, sys.argv[1:3])
print("%.1f" % ((b - a) * 1000))' "$1" "$2"
}
ratio()
{
	python3 -c 'import sys; a, b = map(float, sys.argv[1:3])
print("%.2f" % (a / b))' "$1" "$2"
}

# Mount store $1 on $2 in the foreground; sets MOUNT_MS and MOUNT_PID.
mount_store()
{
	local t0 t1

	mkdir -p "$2"
	t0=$(now)
	"$bin/helios-fs" --helios-dir "$1" -f "$2" >/dev/null \
		2>>"$work/fs.log" &
	MOUNT_PID=$!
	pids+=("$MOUNT_PID")
	mnts+=("$2")
	until [ -e "$2/errors.log" ]; do
		kill -0 "$MOUNT_PID" 2>/dev/null ||
			die "helios-fs died: $(cat "$work/fs.log")"
		sleep 0.002
	done
	t1=$(now)
	MOUNT_MS=$(ms "$t0" "$t1")
}

# CPU time (user + system) process $1 has used so far, in ms.
cpu_ms()
{
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' \
		"/proc/$1/stat"
}

# Median mount time of store $1 over 5 mounts, in ms.
mount_median()
{
	local i times=()

	for i in 1 2 3 4 5; do
		mount_store "$1" "$work/m-time"
		times+=("$MOUNT_MS")
		fusermount3 -u "$work/m-time"
		wait "$MOUNT_PID" 2>/dev/null || true
	done
	printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

persona()
{
	printf '# bench\nspecialization_level: 2\nbehaviors:\n'
	printf '  tone: t%s\n' "$1"
}

# Average microseconds of open+read+close of $1, warm, $reads times.
read_us()
{
	python3 - "$1" "$reads" <<'EOF'
import os, sys, time
path, n = sys.argv[1], int(sys.argv[2])
def once():
    fd = os.open(path, os.O_RDONLY)
    while os.read(fd, 65536):
        pass
    os.close(fd)
for _ in range(200):
    once()
t = time.perf_counter()
for _ in range(n):
    once()
print("%.1f" % ((time.perf_counter() - t) * 1e6 / n))
EOF
}

# Average milliseconds of `cat $1 >/dev/null`, 200 times.
cat_ms()
{
	local t0 t1 i

	t0=$(now)
	for i in $(seq 200); do
		cat "$1" >/dev/null
	done
	t1=$(now)
	python3 -c "print('%.3f' % ($(ms "$t0" "$t1") / 200))"
}

echo "helios-fs benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs," \
	"$(uname -r), load$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/ /'))"
echo

# ---- a small store: reads, saves, mount time with 10 commits ----
small=$work/small
"$bin/helios-mcp" init --helios-dir "$small" >/dev/null
for i in $(seq 2 10); do
	persona "$i" | "$bin/helios-mcp" write --helios-dir "$small" \
		personas/bench.yaml >/dev/null 2>&1
done
mount_store "$small" "$work/m-small"
m=$work/m-small

# A file changed in the last 2 s is read past the page cache (see
# reader_cache_ok() in fs/ops_file.c); wait so the reads are warm ones.
sleep 3
direct=$(read_us "$small/personas/bench.yaml")
viamnt=$(read_us "$m/personas/bench.yaml")
echo "1. read personas/bench.yaml ($(stat -c %s "$small/personas/bench.yaml")" \
	"bytes, open+read+close, warm, x$reads)"
echo "   store directory : $direct us"
echo "   through mount   : $viamnt us"
echo "   ratio mount/dir : $(ratio "$viamnt" "$direct")  (target <= 1.5)"
floor=
if command -v cc >/dev/null && pkg-config --exists fuse3 2>/dev/null &&
	cc -std=c11 -Wall -Wextra -O2 -o "$work/fuse-floor" "$top/scripts/fuse-floor.c" \
		$(pkg-config --cflags --libs fuse3) 2>>"$work/fs.log"; then
	mkdir -p "$work/m-floor"
	"$work/fuse-floor" "$small/personas/bench.yaml" -f "$work/m-floor" \
		2>>"$work/fs.log" &
	pids+=("$!")
	mnts+=("$work/m-floor")
	until [ -e "$work/m-floor/file" ]; do sleep 0.01; done
	sleep 1
	floor=$(read_us "$work/m-floor/file")
	echo "   fuse-floor      : $floor us  (one in-memory file, no work)"
	echo "   ratio floor/dir : $(ratio "$floor" "$direct")"
	echo "   ratio mount/floor: $(ratio "$viamnt" "$floor")  (what Helios" \
		"adds over FUSE itself)"
else
	echo "   fuse-floor      : not built (needs cc and libfuse3-dev)"
fi
cat_direct=$(cat_ms "$small/personas/bench.yaml")
cat_mnt=$(cat_ms "$m/personas/bench.yaml")
echo "   cat (a process per read), store directory: $cat_direct ms"
echo "   cat (a process per read), through mount  : $cat_mnt ms"
echo "   ratio mount/dir : $(ratio "$cat_mnt" "$cat_direct")"
if [ -n "$floor" ]; then
	cat_floor=$(cat_ms "$work/m-floor/file")
	echo "   cat (a process per read), fuse-floor     : $cat_floor ms"
	fusermount3 -u "$work/m-floor"
fi
echo

# Saves through the mount: the write returns once committed.
head0=$(git -C "$small" rev-list --count HEAD)
t0=$(now)
for i in $(seq 1 "$saves"); do
	persona "m$i" > "$m/personas/bench.yaml"
done
t1=$(now)
landed=$(( $(git -C "$small" rev-list --count HEAD) - head0 ))
mount_save=$(python3 -c "print('%.2f' % ($(ms "$t0" "$t1") / $saves))")

# The same writes plus git add && git commit, in a plain clone.
git clone -q "$small" "$work/plain"
git -C "$work/plain" config user.name bench
git -C "$work/plain" config user.email bench@example.com
t0=$(now)
for i in $(seq 1 "$saves"); do
	persona "g$i" > "$work/plain/personas/bench.yaml"
	(cd "$work/plain" && git add personas/bench.yaml &&
	 git commit -q -m "update personas/bench.yaml")
done
t1=$(now)
git_save=$(python3 -c "print('%.2f' % ($(ms "$t0" "$t1") / $saves))")
echo "2. save personas/bench.yaml until committed (x$saves)"
echo "   through mount       : $mount_save ms/save ($landed commits landed)"
echo "   write + git add/commit: $git_save ms/save"
echo "   ratio git/mount     : $(ratio "$git_save" "$mount_save")  (target > 1)"
echo

# ---- a store with $commits commits ----
big=$work/big
"$bin/helios-mcp" init --helios-dir "$big" >/dev/null
t0=$(now)
python3 - "$commits" "$(git -C "$big" rev-parse HEAD)" \
	"$(git -C "$big" log -1 --format=%ct)" <<'EOF' |
import sys
n, parent, start = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
out = sys.stdout.buffer
t0 = start - n - 10     # one commit per second, ending before now
for i in range(1, n + 1):
    body = ("# bench\nspecialization_level: 2\nbehaviors:\n"
            "  tone: v%d\n" % i).encode()
    msg = b"update personas/bench.yaml (bench)\n"
    when = b"%d +0000" % (t0 + i)
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer bench <bench@example.com> " + when + b"\n")
    out.write(b"data %d\n%s" % (len(msg), msg))
    if i == 1:
        out.write(b"from %s\n" % parent.encode())
    out.write(b"M 100644 inline personas/bench.yaml\n")
    out.write(b"data %d\n%s\n" % (len(body), body))
EOF
	git -C "$big" fast-import --quiet --force
git -C "$big" reset -q --hard main
t1=$(now)
total=$(git -C "$big" rev-list --count HEAD)
echo "3. store of $total commits" \
	"(git fast-import + checkout: $(ms "$t0" "$t1") ms)"

mount_store "$big" "$work/m-big"
bigpid=$MOUNT_PID
b=$work/m-big

c0=$(cpu_ms "$bigpid")
t0=$(now)
cold=$(ls "$b/snapshots" | wc -l)
t1=$(now)
ls_cold=$(ms "$t0" "$t1")
ls_cpu=$(( $(cpu_ms "$bigpid") - c0 ))
t0=$(now)
ls "$b/snapshots" >/dev/null
t1=$(now)
ls_warm=$(ms "$t0" "$t1")
oldest=$(ls "$b/snapshots" | sed -n 1p)
t0=$(now)
cat "$b/snapshots/$oldest/personas/welcome.yaml" >/dev/null
t1=$(now)
read_old=$(ms "$t0" "$t1")
echo "   ls snapshots/ ($cold entries), first : $ls_cold ms" \
	"(daemon CPU $ls_cpu ms)"
echo "   ls snapshots/, again (cached)        : $ls_warm ms"
echo "   cat $oldest/personas/welcome.yaml: $read_old ms"
echo

# A fresh mount, reading the oldest file without any listing first:
# the name is resolved from its short id alone.
fusermount3 -u "$b"
wait "$bigpid" 2>/dev/null || true
mount_store "$big" "$work/m-big2"
t0=$(now)
cat "$work/m-big2/snapshots/$oldest/personas/welcome.yaml" >/dev/null
t1=$(now)
echo "   same read on a fresh mount, no ls first: $(ms "$t0" "$t1") ms"
# Once more with the listing built, then the peak RSS of this daemon.
ls "$work/m-big2/snapshots" >/dev/null
cat "$work/m-big2/snapshots/$oldest/personas/welcome.yaml" >/dev/null
hwm=$(awk '/VmHWM|RssAnon|RssFile/ { printf "%s %s %s  ", $1, $2, $3 }' \
	"/proc/$MOUNT_PID/status")
smallhwm=$(awk '/VmHWM|RssAnon|RssFile/ { printf "%s %s %s  ", $1, $2, $3 }' \
	"/proc/${pids[0]}/status")
# One daemon per store: wait for both to exit before mounting again.
big2pid=$MOUNT_PID
fusermount3 -u "$work/m-big2"
fusermount3 -u "$m"
wait "$big2pid" "${pids[0]}" 2>/dev/null || true
mount10=$(mount_median "$small")
mountbig=$(mount_median "$big")
echo
echo "4. mount time (start until the mount answers, median of 5)"
echo "   10 commits        : $mount10 ms"
echo "   $total commits: $mountbig ms"
echo "   ratio             : $(ratio "$mountbig" "$mount10")"
echo
echo "5. daemon peak RSS (VmHWM; RssFile is mostly the mapped git pack)"
echo "   small store, after reads and saves   : $smallhwm"
echo "   $total-commit store, after ls + reads: $hwm"

#!/bin/bash
# stress_concurrent.sh - the mount, two MCP servers and the command line
# save the same file and their own files at once: over 1,000 saves, one
# in five invalid through the mount and the command line, one in ten
# through the MCP servers.  Afterwards:
#   - every acknowledged save is one commit holding exactly its content,
#     and the number of new commits equals the number of acknowledged
#     saves (so no refused save made one);
#   - no refused content is in any commit;
#   - the working files equal HEAD, the mount shows them, git status is
#     clean and `git fsck --strict` passes;
#   - nothing deadlocked: every writer finished within its time limit.
. "$(dirname "$0")/crash_lib.bash"
cr_setup --no-faults
[ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] ||
	cr_skip "/dev/fuse is not usable"
command -v fusermount3 >/dev/null || cr_skip "fusermount3 is missing"
command -v python3 >/dev/null || cr_skip "python3 is missing"
[ -x "$CR_FS" ] || cr_fail "no $CR_FS"

S=$CR_TMP/store
M=$CR_TMP/mnt
W=$CR_TMP/work
N_MOUNT=${HELIOS_STRESS_MOUNT:-300}
N_MCP=${HELIOS_STRESS_MCP:-250}
N_CLI=${HELIOS_STRESS_CLI:-250}
LIMIT=${HELIOS_STRESS_LIMIT:-150}	# seconds for every writer
mkdir -p "$M" "$W"

"$CR_MCP" init --helios-dir "$S" >/dev/null 2>"$CR_LOG" || cr_fail "init"
for who in shared mount mcpA mcpB cli; do
	hl_persona_text 1 "start $who" | "$CR_MCP" write --helios-dir "$S" \
		"personas/$who.yaml" 2>"$CR_LOG" || cr_fail "seed $who"
done
BASE=$(git -C "$S" rev-parse HEAD)

"$CR_FS" --helios-dir "$S" -f "$M" 2>"$W/fs.log" &
FS_PID=$!
CR_PIDS="$CR_PIDS $FS_PID"
CR_MOUNTS=$M
for i in $(seq 200); do
	ls "$M" 2>/dev/null | grep -qx errors.log && break
	sleep 0.05
done
ls "$M" | grep -qx errors.log || cr_fail "mount did not come up"

cat >"$W/writer.py" <<'PY'
# One writer of the stress test; logs "ACK|REFUSED TAG PATH EXTRA".
import errno, json, os, select, subprocess, sys, time

face, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
log = open(out, "w", buffering=1)
saves = os.path.join(os.path.dirname(out), "saves")
os.makedirs(saves, exist_ok=True)


def persona(level, tone):
    return ("# stress\nspecialization_level: %d\nbehaviors:\n"
            "  tone: %s\n" % (level, tone))


def content(tag, i):
    if i % 10 == 7:
        return "# stress\nspecialization_level: 0\nbehaviors:\n" \
               "  tone: %s\n" % tag, False
    if i % 10 == 3:
        return "specialization_level: [%s\n" % tag, False
    return persona(1 + i % 5, tag), True


def record(ok, tag, path, extra, text=None):
    if text is not None:
        with open(os.path.join(saves, tag), "w") as f:
            f.write(text)
    log.write("%s %s %s %s\n" % ("ACK" if ok else "REFUSED", tag, path,
                                 extra))


def mount_save(mnt, rel, text, i):
    target = os.path.join(mnt, rel)
    if i % 3:
        with open(target, "w") as f:
            f.write(text)
        return
    tmp = os.path.join(mnt, "personas", ".stress-%d" % i)
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, target)
    except OSError:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def mount_writer(mnt):
    # A valid save may still be refused: a conflict with a save through
    # another face since the file was opened, or ESTALE when the open
    # races a rename over the same name.  It must then change nothing,
    # which the checker verifies like any refusal.
    why = {}
    for i in range(n):
        tag = "mount-%d" % i
        rel = "personas/%s.yaml" % ("shared" if i % 2 else "mount")
        text, valid = content(tag, i)
        try:
            mount_save(mnt, rel, text, i)
            ok = True
        except OSError as e:
            ok = False
            if valid:
                name = errno.errorcode.get(e.errno, str(e.errno))
                why[name] = why.get(name, 0) + 1
        if ok and not valid:
            sys.exit("mount: invalid save %s accepted" % tag)
        record(ok, tag, rel, "-", text)
    if why:
        print("mount: valid saves refused: %s" % why)


def cli_writer(mcp, store):
    for i in range(n):
        tag = "cli-%d" % i
        rel = "personas/%s.yaml" % ("shared" if i % 2 else "cli")
        text, valid = content(tag, i)
        r = subprocess.run([mcp, "write", "--helios-dir", store, rel],
                           input=text.encode(), capture_output=True,
                           timeout=60)
        if r.returncode not in (0, 1) or (r.returncode == 0) != valid:
            sys.exit("cli: save %s exit %d: %s" % (tag, r.returncode,
                                                   r.stderr.decode()))
        record(r.returncode == 0, tag, rel, "-", text)


class Server:
    def __init__(self, mcp, store):
        self.p = subprocess.Popen([mcp, "serve", "--helios-dir", store],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.buf = b""
        self.next_id = 1

    def call(self, method, params):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method,
               "params": params}
        self.p.stdin.write((json.dumps(msg) + "\n").encode())
        self.p.stdin.flush()
        deadline = time.time() + 60
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                m = json.loads(line)
                if m.get("id") == rid:
                    return m
            left = deadline - time.time()
            if left <= 0 or not select.select([self.p.stdout], [], [],
                                              left)[0]:
                sys.exit("mcp: no answer to %s within 60 s" % method)
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                sys.exit("mcp: server closed its output")
            self.buf += chunk


def mcp_writer(mcp, store, me):
    s = Server(mcp, store)
    s.call("initialize", {"protocolVersion": "2025-06-18",
                          "capabilities": {},
                          "clientInfo": {"name": "stress", "version": "1"}})
    s.p.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    for i in range(n):
        tag = "%s-%d" % (me, i)
        name = "shared" if i % 2 else me
        rel = "personas/%s.yaml" % name
        if i % 10 == 7:
            args = {"name": "tune_weight", "arguments": {
                "target": name, "parameter": "specialization_level",
                "value": 0}}
        else:
            args = {"name": "learn_behavior", "arguments": {
                "persona": name, "key": "stress_" + me, "value": tag}}
        m = s.call("tools/call", args)
        res = m.get("result")
        if res is None:
            sys.exit("mcp: protocol error on %s: %s" % (tag, m))
        ok = not res.get("isError", False)
        if ok != (i % 10 != 7):
            sys.exit("mcp: save %s answered %s" % (tag, res))
        commit = res["structuredContent"]["commit"] if ok else "-"
        record(ok, tag, rel, commit)
    s.p.stdin.close()
    if s.p.wait(timeout=60) != 0:
        sys.exit("mcp: server exit status %d" % s.p.returncode)


if face == "mount":
    mount_writer(sys.argv[4])
elif face == "cli":
    cli_writer(sys.argv[4], sys.argv[5])
else:
    mcp_writer(sys.argv[4], sys.argv[5], face)
PY

start=$SECONDS
timeout -k 5 "$LIMIT" python3 "$W/writer.py" mount "$N_MOUNT" "$W/mount.log" \
	"$M" >"$W/mount.out" 2>"$W/mount.err" &
p1=$!
timeout -k 5 "$LIMIT" python3 "$W/writer.py" mcpA "$N_MCP" "$W/mcpA.log" \
	"$CR_MCP" "$S" 2>"$W/mcpA.err" &
p2=$!
timeout -k 5 "$LIMIT" python3 "$W/writer.py" mcpB "$N_MCP" "$W/mcpB.log" \
	"$CR_MCP" "$S" 2>"$W/mcpB.err" &
p3=$!
timeout -k 5 "$LIMIT" python3 "$W/writer.py" cli "$N_CLI" "$W/cli.log" \
	"$CR_MCP" "$S" 2>"$W/cli.err" &
p4=$!
bad=
for p in "$p1:mount" "$p2:mcpA" "$p3:mcpB" "$p4:cli"; do
	wait "${p%%:*}"
	rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		bad+=" ${p#*:}: timed out (deadlock?)"
	elif [ "$rc" != 0 ]; then
		bad+=" ${p#*:}: exit $rc: $(tail -n 3 "$W/${p#*:}.err")"
	fi
done
[ -z "$bad" ] || { CR_LOG=$W/fs.log; cr_fail "writers:$bad"; }
echo "ok   writers done in $((SECONDS - start)) s"
cat "$W/mount.out"

cat >"$W/check.py" <<'PY'
# Check the logs of all writers against the git history.
import os, subprocess, sys

store, base, work = sys.argv[1], sys.argv[2], sys.argv[3]


def git(*args, inp=None):
    return subprocess.run(["git", "-C", store] + list(args), input=inp,
                          capture_output=True, check=True,
                          text=True).stdout


entries = []
for face in ("mount", "mcpA", "mcpB", "cli"):
    with open(os.path.join(work, face + ".log")) as f:
        for line in f:
            st, tag, path, extra = line.split()
            entries.append((face, st, tag, path, extra))
acked = [e for e in entries if e[1] == "ACK"]
refused = [e for e in entries if e[1] == "REFUSED"]
print("saves: %d, acknowledged %d, refused %d"
      % (len(entries), len(acked), len(refused)))
if len(entries) < 1000:
    sys.exit("fewer than 1000 saves")
if not refused:
    sys.exit("no refused saves: the invalid ones did not happen")

commits = git("rev-list", "--reverse", base + "..HEAD").split()
if len(commits) != len(acked):
    sys.exit("%d new commits for %d acknowledged saves"
             % (len(commits), len(acked)))

# (path, blob) each new commit introduced; every commit touches one path
introduced = {}
raw = git("log", "--raw", "--no-abbrev", "--format=C %H", base + "..HEAD")
cur, touched = None, {}
for line in raw.splitlines():
    if line.startswith("C "):
        cur = line[2:]
        touched[cur] = []
    elif line.startswith(":"):
        meta, path = line.split("\t", 1)
        blob = meta.split()[3]
        introduced[(path, blob)] = cur
        touched[cur].append(path)
for c, paths in touched.items():
    if len(paths) != 1:
        sys.exit("commit %s touches %s" % (c, paths))

# content saves (mount, cli): the exact bytes are a commit's blob
files = [os.path.join(work, "saves", e[2]) for e in entries
         if e[0] in ("mount", "cli")]
hashes = git("hash-object", "--stdin-paths",
             inp="\n".join(files) + "\n").split()
blobs = {}
for f, h in zip(files, hashes):
    blobs[os.path.basename(f)] = h
all_blobs = {b for (_, b) in introduced}
used = set()
for face, st, tag, path, extra in entries:
    if face in ("mount", "cli"):
        h = blobs[tag]
        if st == "ACK":
            c = introduced.get((path, h))
            if not c:
                sys.exit("acknowledged %s is no commit of %s" % (tag, path))
            used.add(c)
        elif h in all_blobs:
            sys.exit("refused %s reached a commit" % tag)
    elif st == "ACK":
        if extra not in touched or touched[extra] != [path]:
            sys.exit("acknowledged %s: commit %s is not a new commit of %s"
                     % (tag, extra, path))
        if extra in used:
            sys.exit("commit %s claimed twice" % extra)
        used.add(extra)
        key = "stress_" + face + ": " + tag + "\n"
        if key not in git("show", "%s:%s" % (extra, path)):
            sys.exit("commit %s lacks %s" % (extra, key.strip()))
        parent = git("show", "%s^:%s" % (extra, path))
        if key in parent:
            sys.exit("commit %s: %s was there before" % (extra, tag))
if len(used) != len(commits):
    sys.exit("%d commits claimed by saves, %d made"
             % (len(used), len(commits)))
print("every acknowledged save is exactly one commit")
PY
python3 "$W/check.py" "$S" "$BASE" "$W" || cr_fail "history check"

# final state: files equal HEAD, the mount agrees, fsck clean
cr_expect_no_leftovers "$S" "stress"
cr_expect_git_clean "$S" "stress"
for f in "$S"/personas/*.yaml "$S/base/identity.yaml"; do
	rel=${f#"$S"/}
	cmp -s "$f" "$M/$rel" || cr_fail "mount differs from store: $rel"
	[ "$(cr_work "$S" "$rel")" = "$(cr_head "$S" "$rel")" ] ||
		cr_fail "$rel differs from HEAD"
done
ls -A "$S/personas" | grep -v '\.yaml$' &&
	cr_fail "stray files in personas/"
fusermount3 -u "$M" || cr_fail "cannot unmount"
wait "$FS_PID"
rc=$?
[ "$rc" = 0 ] || { CR_LOG=$W/fs.log; cr_fail "helios-fs exited with $rc"; }
grep -q -e Sanitizer -e 'runtime error' "$W/fs.log" &&
	{ CR_LOG=$W/fs.log; cr_fail "sanitizer report from helios-fs"; }
echo PASS

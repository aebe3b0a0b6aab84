#!/bin/bash
# mcp_revert_race.sh - revert_learning while other servers write.  Each
# revert commit must undo exactly its target commit: it used to undo its
# target and also wipe whatever the other servers committed while it
# waited for the store lock (29 of 38 reverts did, in one run).
set -u
. "$HELIOS_TEST_LIB"
hl_setup
hl_init_store

python3 - "$HL_BIN/helios-mcp" "$S" >"$HL_OUT/race" <<'PY' ||
import json, subprocess, sys, time
binary, store = sys.argv[1:3]

INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "race", "version": "1"}}}

def start():
    return subprocess.Popen([binary, "serve", "--helios-dir", store],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)

def call(i, name, args):
    return json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                       "params": {"name": name, "arguments": args}}) + "\n"

learners = []
for k in range(2):
    p = start()
    p.stdin.write(json.dumps(INIT) + "\n" + "".join(
        call(j, "learn_behavior", {"persona": "welcome",
                                   "key": "w%d_%d" % (k, j), "value": "v"})
        for j in range(1, 31)))
    p.stdin.close()
    learners.append(p)
# The reverter asks one at a time, so its reverts spread over the race.
rv = start()
rv.stdin.write(json.dumps(INIT) + "\n")
rv.stdin.flush()
rv.stdout.readline()
ok = 0
for i in range(1, 41):
    rv.stdin.write(call(i, "revert_learning", {"commits_back": 1}))
    rv.stdin.flush()
    ok += not json.loads(rv.stdout.readline())["result"].get("isError")
    time.sleep(0.01)
rv.stdin.close()
rv.wait()
for p in learners:
    p.stdout.read()
    p.wait()
print(ok)
PY
	hl_fail "race driver failed"

# Changed lines of a diff, without headers, sorted.
changes() { grep '^[-+] ' | sort; }
reverts=0
for r in $(git -C "$S" log --format=%H --grep='^revert '); do
	t=$(git -C "$S" log -1 --format=%s "$r" | sed -n 's/^revert \([0-9a-f]*\):.*/\1/p')
	[ -n "$t" ] || hl_fail "revert commit $r names no target"
	want=$(git -C "$S" diff "$t" "$t^" | changes)
	got=$(git -C "$S" diff "$r^" "$r" | changes)
	[ "$want" = "$got" ] ||
		hl_fail "revert $r of $t changed more than its target: $got"
	reverts=$((reverts + 1))
done
[ "$reverts" -ge 1 ] || hl_fail "no revert landed"
hl_expect_clean
hl_eq "fsck" "" "$(git -C "$S" fsck --strict --no-progress 2>&1)"
echo PASS

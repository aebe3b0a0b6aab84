#!/bin/bash
# mcp_race.sh - MCP servers editing one file at the same time.  Every tool
# edit reads the file, changes one key and writes it back; another
# server's commit landing in between must not be overwritten (it was:
# two servers doing ten learn_behavior calls each kept 10 of 20 keys).
# Also: two servers creating the same persona - one wins, one is told.
set -u
. "$HELIOS_TEST_LIB"
hl_setup
hl_init_store
hl_checkpoint

python3 - "$HL_BIN/helios-mcp" "$S" >"$HL_OUT/race" <<'PY' ||
import json, subprocess, sys
binary, store = sys.argv[1:3]
SERVERS, CALLS = 3, 10

def start():
    return subprocess.Popen([binary, "serve", "--helios-dir", store],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)

def send(p, msg):
    p.stdin.write(json.dumps(msg) + "\n")

init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "race", "version": "1"}}}

def call(i, name, args):
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": name, "arguments": args}}

servers = [start() for _ in range(SERVERS)]
for k, p in enumerate(servers):
    send(p, init)
    send(p, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    for j in range(1, CALLS + 1):
        send(p, call(j, "learn_behavior", {"persona": "welcome",
                                           "key": "s%d_%d" % (k, j),
                                           "value": "v%d" % j}))
    send(p, call(CALLS + 1, "create_persona",
                 {"name": "dup", "specialization_level": k + 2,
                  "behaviors": {"by": "server%d" % k}}))
    p.stdin.flush()
failed, created, exists = 0, 0, 0
for p in servers:
    p.stdin.close()
    for line in p.stdout:
        m = json.loads(line)
        if m.get("id") in (None, 0):
            continue
        r = m["result"]
        text = r["content"][0]["text"]
        if m["id"] == CALLS + 1:
            if r.get("isError"):
                exists += "already exists" in text
            else:
                created += 1
        elif r.get("isError"):
            failed += 1
            print("learn_behavior failed:", text)
    p.wait()
print("failed=%d created=%d exists=%d" % (failed, created, exists))
PY
	hl_fail "race driver failed: $(cat "$HL_OUT/race")"

hl_eq "results" "failed=0 created=1 exists=2 ($(head -3 "$HL_OUT/race"))" \
	"$(tail -1 "$HL_OUT/race") ($(head -3 "$HL_OUT/race"))"
# Every key of every server is in the file, in the store and in git.
for k in 0 1 2; do
	for j in $(seq 10); do
		grep -q "^  s${k}_$j: v$j\$" "$S/personas/welcome.yaml" ||
			hl_fail "s${k}_$j lost: $(cat "$S/personas/welcome.yaml")"
	done
done
git -C "$S" show HEAD:personas/welcome.yaml | cmp -s - "$S/personas/welcome.yaml" ||
	hl_fail "working file differs from HEAD"
hl_eq "commits" "31" "$(hl_new_commits)"
hl_eq "dup commits" "1" "$(git -C "$S" log --format=%s -- personas/dup.yaml | wc -l)"
hl_expect_clean
hl_eq "fsck" "" "$(git -C "$S" fsck --strict --no-progress 2>&1)"
echo PASS

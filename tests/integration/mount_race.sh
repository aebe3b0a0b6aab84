#!/bin/bash
# mount_race.sh - saves through the mount while MCP servers edit the same
# file.  A mount save must never undo a change another face has already
# acknowledged: it lands on top of it or is refused (it did undo them:
# sed -i and vim saves each dropped keys that servers had committed
# while the editor held the old content).
set -u
. "$HELIOS_TEST_LIB"
hl_setup
[ -x "$HL_BIN/helios-mcp" ] || hl_fail "no $HL_BIN/helios-mcp"
hl_mount
B=base/identity.yaml
P=personas/welcome.yaml

# Two servers, 25 calls each: update_preference on the base and
# learn_behavior on the welcome persona, one key per call.
python3 - "$HL_BIN/helios-mcp" "$S" >"$HL_OUT/servers" <<'PY' &
import json, subprocess, sys
binary, store = sys.argv[1:3]
procs = []
for k in range(2):
    p = subprocess.Popen([binary, "serve", "--helios-dir", store],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    msgs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "race", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    for j in range(1, 26):
        if j % 2:
            call = ("update_preference", {"domain": "behaviors",
                                          "key": "m%d_%d" % (k, j),
                                          "value": "v"})
        else:
            call = ("learn_behavior", {"persona": "welcome",
                                       "key": "m%d_%d" % (k, j),
                                       "value": "v"})
        msgs.append({"jsonrpc": "2.0", "id": j, "method": "tools/call",
                     "params": {"name": call[0], "arguments": call[1]}})
    p.stdin.write("".join(json.dumps(m) + "\n" for m in msgs))
    p.stdin.close()
    procs.append((k, p))
for k, p in procs:
    for line in p.stdout:
        m = json.loads(line)
        if m.get("id") and not m["result"].get("isError"):
            print("m%d_%d %s" % (k, m["id"], "base" if m["id"] % 2 else
                                 "welcome"))
    p.wait()
PY
srv=$!

# Meanwhile: sed -i on the base and, when vim is there, vim on the persona.
for i in $(seq 12); do
	if sed -i "\$a\\  se$i: val" "$M/$B" 2>/dev/null; then
		echo "se$i base"
	fi
	if command -v vim >/dev/null &&
	   vim -u NONE -N -es -c "\$put ='  vi$i: val'" -c wq "$M/$P" \
		</dev/null >/dev/null 2>&1; then
		echo "vi$i welcome"
	fi
done >"$HL_OUT/mount"
wait "$srv"

# vim's own saves are not counted: after a refused save whose backup
# could not be put back either, vim -es can still exit 0.  What matters
# is that its saves never removed what the servers and sed had landed.
acked=$(cat "$HL_OUT/servers"; grep '^se' "$HL_OUT/mount")
[ "$(grep -c . "$HL_OUT/servers")" -ge 40 ] ||
	hl_fail "servers acknowledged too little: $(cat "$HL_OUT/servers")"
[ "$(grep -c '^se' "$HL_OUT/mount")" -ge 1 ] ||
	hl_fail "no sed save landed at all"
lost=
while read -r key file; do
	case $file in
	base) f=$B ;;
	*) f=$P ;;
	esac
	grep -q "^  $key: v" "$S/$f" || lost="$lost $key"
done <<<"$acked"
[ -z "$lost" ] || hl_fail "acknowledged changes lost:$lost"
for f in $B $P; do
	git -C "$S" show "HEAD:$f" | cmp -s - "$S/$f" ||
		hl_fail "$f differs from HEAD"
	cmp -s "$M/$f" "$S/$f" || hl_fail "$f differs in the mount"
done
hl_expect_clean
hl_eq "fsck" "" "$(git -C "$S" fsck --strict --no-progress 2>&1)"
echo PASS

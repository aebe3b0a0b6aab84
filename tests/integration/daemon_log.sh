#!/bin/bash
# What helios-fs logs in normal use: one start-up line with version,
# store and mountpoint; one line per commit and per refusal; nothing
# else.  --debug logs more.
. "$HELIOS_TEST_LIB"
hl_setup
"$HL_BIN/helios-mcp" init --helios-dir "$HL_STORE" >/dev/null 2>&1 ||
	hl_fail "init"
hl_mount
F=personas/welcome.yaml
V=$("$HL_BIN/helios-fs" --version | awk '{print $2}')

hl_persona 2 one > "$M/$F"
hl_persona 0 bad > "$M/$F"
sed -i 's/tone: one/tone: two/' "$M/$F"
cat "$M/$F" "$M/base/identity.yaml" >/dev/null
ls -la "$M" "$M/personas" >/dev/null
mv "$M/$F" "$M/personas/moved.yaml"
rm "$M/personas/moved.yaml"
hl_wait_commits 4
fusermount3 -u "$M"
wait "$HL_PID" || hl_fail "exit status $?"
HL_PID=

hl_eq "log" "helios-fs: info: helios-fs $V serving store '$S' on '$M'
helios-fs: info: committed '$F' (57 bytes)
helios-fs: warning: refused save of '$F': $F:2:23: specialization_level must be an integer >= 1, got integer 0
helios-fs: info: committed '$F' (57 bytes)
helios-fs: info: committed rename of '$F' to 'personas/moved.yaml'
helios-fs: info: committed delete of 'personas/moved.yaml'" "$(cat "$HL_LOG")"

# --debug: the same lines and the steps in between.
"$HL_BIN/helios-fs" --helios-dir "$S" --debug "$M" 2>"$HL_OUT/debug" &
HL_PID=$!
HL_LOG=$HL_OUT/debug
for i in $(seq 50); do
	[ -e "$M/errors.log" ] && break
	sleep 0.1
done
hl_persona 2 three > "$M/personas/p.yaml"
grep -q "debug: publishing 'personas/p.yaml'" "$HL_OUT/debug" ||
	hl_fail "no debug lines: $(cat "$HL_OUT/debug")"
grep -q "info: committed 'personas/p.yaml'" "$HL_OUT/debug" ||
	hl_fail "no commit line in debug mode"
echo PASS

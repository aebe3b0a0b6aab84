#!/bin/bash
# hostile_names.sh - hostile persona names (.., a/b, empty, 256 bytes,
# leading dot, control characters, unicode, leading and trailing spaces,
# ../ paths) through the mount, the MCP tools create_persona and
# get_active_persona, and the command line (test-inheritance, validate).
# Each is refused with its exact message or kept out of the store, and
# none touches a path outside the store: a canary file beside the store
# keeps its bytes and nothing new appears next to it.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
P=$M/personas
MCP=$HL_BIN/helios-mcp
USE="use A-Z, a-z, 0-9, '-', '_' and '.'"
BADFILE="invalid persona file name: persona name"
LONG=$(printf 'x%.0s' $(seq 256))
CANARY=$HL_TMP/canary
mkdir -p "$CANARY"
printf 'specialization_level: 1\nbehaviors: {tone: canary}\n' >"$CANARY/evil.yaml"
SUM=$(sha256sum "$CANARY/evil.yaml")

# Everything outside the store and the mount, and the store's own files.
outside() { (cd "$HL_TMP" && find . -path ./store -prune -o -path ./mnt \
	-prune -o -path ./out -prune -o -print | LC_ALL=C sort); }
store_tree() { (cd "$S" && find . -path ./.git -prune -o \
	-path ./.helios-state -prune -o -print | LC_ALL=C sort); }
OUTSIDE=$(outside)
TREE=$(store_tree)
HEAD=$(git -C "$S" rev-parse HEAD)

untouched()
{
	hl_eq "$1: canary" "$SUM" "$(sha256sum "$CANARY/evil.yaml")"
	hl_eq "$1: files outside the store" "$OUTSIDE" "$(outside)"
	hl_eq "$1: store files" "$TREE" "$(store_tree)"
	hl_eq "$1: HEAD" "$HEAD" "$(git -C "$S" rev-parse HEAD)"
}

# ---- the mount ----

# $1 name (file name under personas/), $2 expected errno name or "scratch".
create()
{
	python3 - "$P/$1" "$2" <<'PY'
import errno, os, sys
path, want = sys.argv[1], sys.argv[2]
try:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"specialization_level: 1\nbehaviors: {}\n")
    finally:
        os.close(fd)
    got = "scratch"
except OSError as e:
    got = errno.errorcode[e.errno]
if got != want:
    print("%r: want %s, got %s" % (os.path.basename(path), want, got))
    sys.exit(1)
PY
}

before=$(wc -l <"$M/errors.log")
create "$LONG.yaml" EINVAL || hl_fail "256-byte name"
create "$(printf 'a\001b').yaml" EINVAL || hl_fail "control character"
create "café.yaml" EINVAL || hl_fail "unicode"
create "coder .yaml" EINVAL || hl_fail "trailing space in the name"
create " coder.yaml" EINVAL || hl_fail "leading space in the name"
create "a/b.yaml" ENOENT || hl_fail "a/b"
create ".." EISDIR || hl_fail ".."
# Names the store never holds are the editors' scratch files: kept in
# memory by the mount, never written to the store.
for n in .yaml .hidden.yaml ..yaml "coder.yaml " "coder.yaml~"; do
	create "$n" scratch || hl_fail "scratch name [$n]"
	[ -e "$S/personas/$n" ] && hl_fail "[$n] reached the store"
done
log=$(tail -n +$((before + 1)) "$M/errors.log")
for want in \
	"persona name '$(printf 'x%.0s' $(seq 60))...' is 256 bytes, longer than 64 bytes" \
	"persona name 'a\\x01b' contains a control character (0x01)" \
	"persona name 'café' contains a non-ASCII byte (0xc3); $USE" \
	"persona name 'coder ' contains ' '; $USE" \
	"persona name ' coder' contains ' '; $USE"; do
	printf '%s\n' "$log" | grep -qF -- "$want" ||
		hl_fail "errors.log lacks [$want]: $log"
done
mkdir "$P/sub" 2>/dev/null && hl_fail "mkdir in personas/ succeeded"
for n in "café.yaml" "$LONG.yaml" "a b.yaml"; do
	mv "$P/welcome.yaml" "$P/$n" 2>/dev/null &&
		hl_fail "rename to [$n] succeeded"
done
# A rename to a scratch name is an editor's backup: the store keeps the
# file, and the rename back restores the view.
mv "$P/welcome.yaml" "$P/.hidden.yaml" || hl_fail "rename to a scratch name"
[ -f "$S/personas/welcome.yaml" ] || hl_fail "backup rename changed the store"
mv "$P/.hidden.yaml" "$P/welcome.yaml" || hl_fail "rename back"
untouched mount

# ---- the MCP tools ----

python3 - "$MCP" "$S" "$LONG" <<'PY' || hl_fail "MCP tools"
import json, subprocess, sys
mcp, store, long_name = sys.argv[1:4]
hint = (" (use 1-64 letters, digits, '-', '_' or '.', not starting"
        " with '.')")
ascii_hint = "; use A-Z, a-z, 0-9, '-', '_' and '.'"
cases = [
    ("..", "invalid persona name '..': persona name '..' starts with '.'"),
    ("a/b", "invalid persona name 'a/b': persona name 'a/b' contains '/';"
     " a name is one path component"),
    ("", "invalid persona name '': persona name is empty"),
    (long_name, "invalid persona name '%s': persona name '%s...' is 256"
     " bytes, longer than 64 bytes" % ("x" * 64, "x" * 60)),
    (".hidden", "invalid persona name '.hidden': persona name '.hidden'"
     " starts with '.'"),
    ("a\x01b", "invalid persona name 'a\x01b': persona name 'a\\x01b'"
     " contains a control character (0x01)"),
    ("café", "invalid persona name 'café': persona name 'café' contains a"
     " non-ASCII byte (0xc3)" + ascii_hint),
    ("coder ", "invalid persona name 'coder ': persona name 'coder '"
     " contains ' '" + ascii_hint),
    ("../canary/evil", "invalid persona name '../canary/evil': persona"
     " name '../canary/evil' starts with '.'"),
    ("/etc/passwd", "invalid persona name '/etc/passwd': persona name"
     " '/etc/passwd' contains '/'; a name is one path component"),
]
reqs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize",
         "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "hostile", "version": "1"}}}]
for i, (name, _) in enumerate(cases):
    reqs.append({"jsonrpc": "2.0", "id": 2 * i + 1, "method": "tools/call",
                 "params": {"name": "create_persona", "arguments": {
                     "name": name, "specialization_level": 1,
                     "behaviors": {"tone": "x"}}}})
    reqs.append({"jsonrpc": "2.0", "id": 2 * i + 2, "method": "tools/call",
                 "params": {"name": "get_active_persona",
                            "arguments": {"persona_name": name}}})
inp = "".join(json.dumps(r) + "\n" for r in reqs)
out = subprocess.run([mcp, "serve", "--helios-dir", store], input=inp,
                     capture_output=True, text=True, timeout=60).stdout
got = {}
for line in out.splitlines():
    msg = json.loads(line)
    got[msg["id"]] = msg
bad = 0
for i, (name, want) in enumerate(cases):
    for rid in (2 * i + 1, 2 * i + 2):
        res = got.get(rid, {}).get("result", {})
        text = "".join(c.get("text", "") for c in res.get("content", []))
        if not res.get("isError") or text != want + hint:
            print("id %d %r:\n  want %r\n  got  %r" % (rid, name,
                  want + hint, got.get(rid)))
            bad = 1
sys.exit(bad)
PY
untouched "MCP tools"

# ---- the command line ----

# test-inheritance NAME: status 1 and the exact message.
inherit()
{
	local err rc

	err=$("$MCP" test-inheritance --helios-dir "$S" "$1" 2>&1 >/dev/null)
	rc=$?
	hl_eq "test-inheritance [$1] status" 1 "$rc"
	hl_eq "test-inheritance [$1]" "helios-mcp: error: invalid persona name '$1': $2" "$err"
}
inherit .. "persona name '..' starts with '.'"
inherit a/b "persona name 'a/b' contains '/'; a name is one path component"
inherit "" "persona name is empty"
inherit .hidden "persona name '.hidden' starts with '.'"
inherit café "persona name 'café' contains a non-ASCII byte (0xc3); $USE"
inherit "coder " "persona name 'coder ' contains ' '; $USE"
inherit ../canary/evil "persona name '../canary/evil' starts with '.'"
inherit ../../canary/evil "persona name '../../canary/evil' starts with '.'"
err=$("$MCP" test-inheritance --helios-dir "$S" "$LONG" 2>&1 >/dev/null)
case "$err" in
*"is 256 bytes, longer than 64 bytes") ;;
*) hl_fail "test-inheritance 256 bytes: $err" ;;
esac
untouched "test-inheritance"

# validate on a checkout holding files with hostile names (a clone of
# someone's store, say): each is reported, nothing is written anywhere.
C=$HL_OUT/clone
git clone -q "$S" "$C" || hl_fail "git clone"
for n in "café" "coder " "$(printf 'a\001b')"; do
	printf 'specialization_level: 1\nbehaviors: {}\n' >"$C/personas/$n.yaml"
done
CTREE=$(cd "$C" && find . | LC_ALL=C sort)
out=$("$MCP" validate "$C" 2>/dev/null)
hl_eq "validate status" 1 "$?"
for want in \
	"$C/personas/café.yaml:1:1: $BADFILE 'café' contains a non-ASCII byte (0xc3); $USE" \
	"$C/personas/coder .yaml:1:1: $BADFILE 'coder ' contains ' '; $USE" \
	"$BADFILE 'a\\x01b' contains a control character (0x01)"; do
	printf '%s\n' "$out" | grep -qF -- "$want" ||
		hl_fail "validate lacks [$want]: $out"
done
hl_eq "clone after validate" "$CTREE" "$(cd "$C" && find . | LC_ALL=C sort)"
untouched validate

hl_expect_no_strays
hl_expect_clean
echo "ok   hostile names through the mount, MCP and command line"

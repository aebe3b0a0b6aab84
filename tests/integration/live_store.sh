#!/bin/bash
# The store changes behind the mount - the command line, hand edits, git
# revert, git checkout - and the mount shows it within a second, kernel
# caches included: content, size and mtime through the mount match the
# store.  Reads are warmed first so that stale caches would show.
. "$HELIOS_TEST_LIB"
hl_setup
hl_mount
F=personas/welcome.yaml
CLI=$HL_BIN/helios-mcp

# warm F: stat and read it through the mount a few times
warm()
{
	local i
	for i in 1 2 3; do
		stat "$M/$1" >/dev/null 2>&1
		cat "$M/$1" >/dev/null 2>&1
	done
}

# seen REL CONTENT: within 0.5 s the mount shows CONTENT with the
# store's size and mtime.  (Names are cached for 1 s, so without the
# daemon's invalidations a warm name would show the old attributes.)
seen()
{
	local i want_attr got_attr
	for i in $(seq 5); do
		if [ "$(cat "$M/$1" 2>/dev/null)" = "$2" ]; then
			want_attr=$(stat -c '%s %Y' "$S/$1")
			got_attr=$(stat -c '%s %Y' "$M/$1")
			[ "$got_attr" = "$want_attr" ] && return 0
		fi
		sleep 0.1
	done
	hl_fail "$1 not seen within 0.5 s: mount [$(cat "$M/$1" 2>&1)]" \
		"$(stat -c '%s %Y' "$M/$1" 2>&1), store" \
		"$(stat -c '%s %Y' "$S/$1" 2>&1)"
}

# gone REL: within 1 s the mount no longer shows REL.
gone()
{
	local i
	for i in $(seq 10); do
		[ -e "$M/$1" ] || { ls "$M/${1%/*}" | grep -qx "${1##*/}" ||
			return 0; }
		sleep 0.1
	done
	hl_fail "$1 still shown a second after its delete"
}

hl_persona 2 v0 > "$M/$F"
hl_expect_commits "update $F (mount)"
V0=$HL_MARK
sleep 1.1
warm "$F"
m0=$(stat -c %Y "$M/$F")

# 1. The command line (a longer document).
sleep 1.1
warm "$F"
hl_persona 3 from-the-command-line-with-a-longer-value |
	"$CLI" write --helios-dir "$S" "$F" >/dev/null || hl_fail "cli write"
seen "$F" "$(hl_persona 3 from-the-command-line-with-a-longer-value)"
[ "$(stat -c %Y "$M/$F")" -ge "$m0" ] || hl_fail "mtime went back"
hl_expect_commits "$(git -C "$S" log -1 --format=%s)"

# 2. A hand edit of the same size with an old mtime: only an explicit
#    page invalidation can show it (the size and age look unchanged).
sleep 1.1
warm "$F"
hl_persona 3 from-the-command-line-with-a-longer-VALUE > "$S/$F"
touch -d '2020-01-01' "$S/$F"
seen "$F" "$(hl_persona 3 from-the-command-line-with-a-longer-VALUE)"
git -C "$S" commit -q -am "hand edit" || hl_fail "git commit"

# 2b. The same, timed: a name looked up a moment ago (cached for 1 s)
#     shows the change 0.3 s after it.
sleep 2.1
stat "$M/$F" >/dev/null
cat "$M/$F" >/dev/null
echo "# appended by hand" >> "$S/$F"
sleep 0.3
hl_eq "attributes 0.3 s after a hand edit" "$(stat -c '%s %Y' "$S/$F")" \
	"$(stat -c '%s %Y' "$M/$F")"
hl_eq "content 0.3 s after a hand edit" "$(cat "$S/$F")" "$(cat "$M/$F")"
git -C "$S" commit -q -am "hand edit 2" || hl_fail "git commit"

# 3. git revert, with the mount's caches warm.
sleep 1.1
warm "$F"
git -C "$S" revert --no-edit HEAD >/dev/null || hl_fail "git revert"
seen "$F" "$(hl_persona 3 from-the-command-line-with-a-longer-VALUE)"

# 4. A shorter version from git checkout of an old commit's file.
sleep 1.1
warm "$F"
git -C "$S" checkout -q "$V0" -- "$F" || hl_fail "git checkout"
git -C "$S" commit -q -m "back to v0" || hl_fail "git commit"
seen "$F" "$(hl_persona 2 v0)"

# 5. The base identity, through the command line.
B=base/identity.yaml
sleep 1.1
warm "$B"
sed 's/^base_importance: .*/base_importance: 0.75/' "$S/$B" >"$HL_OUT/base"
"$CLI" write --helios-dir "$S" "$B" "$HL_OUT/base" >/dev/null ||
	hl_fail "cli write base"
seen "$B" "$(cat "$HL_OUT/base")"

# 6. A persona created and removed by the command line.
ls "$M/personas" >/dev/null
hl_persona 4 new | "$CLI" write --helios-dir "$S" personas/new.yaml \
	>/dev/null || hl_fail "cli write new"
seen personas/new.yaml "$(hl_persona 4 new)"
ls "$M/personas" | grep -qx new.yaml || hl_fail "new.yaml not listed"
warm personas/new.yaml
"$CLI" rm --helios-dir "$S" personas/new.yaml >/dev/null || hl_fail "cli rm"
gone personas/new.yaml

# 7. An open file's attributes follow too (fstat through the handle).
sleep 2.1
python3 - "$M/$F" "$S/$F" <<'EOF' || hl_fail "fstat of an open file"
import os, sys, time
mnt, store = sys.argv[1], sys.argv[2]
f = open(mnt, "rb")
f.read()
data = b"# persona\nspecialization_level: 2\nbehaviors:\n  tone: longer-one\n"
with open(store, "wb") as w:
    w.write(data)
for i in range(5):
    time.sleep(0.1)
    if os.fstat(f.fileno()).st_size == len(data):
        break
else:
    sys.exit("fstat size %d, want %d" % (os.fstat(f.fileno()).st_size,
                                         len(data)))
f.seek(0)
assert f.read() == data
EOF
git -C "$S" commit -q -am "longer" || hl_fail "git commit"

# 8. A file held open for reading across a change sees one whole
#    version, never a mix.
python3 - "$M/$F" "$S/$F" <<'EOF' || hl_fail "reader across a change"
import sys, time
mnt, store = sys.argv[1], sys.argv[2]
f = open(mnt, "rb")
old = f.read()
with open(store, "wb") as w:
    w.write(b"# persona\nspecialization_level: 2\nbehaviors:\n  tone: x\n")
time.sleep(0.3)
f.seek(0)
again = f.read()
assert again in (old, open(store, "rb").read()), again
EOF
git -C "$S" commit -q -am "while reading" || hl_fail "git commit"
seen "$F" "$(hl_persona 2 x)"

hl_expect_clean
echo PASS

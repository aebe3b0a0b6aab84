#!/bin/bash
# migrate_python.sh - stores of the original Python Helios (bare version
# string in .helios_version, learned/ and temporary/, with or without
# git, maybe no .gitignore) migrate on open: backup first, one commit per
# step; a layout newer than this Helios is refused untouched.
set -u

. "$(dirname "$0")/cli_lib.bash"
cli_setup helios-migrate
export GIT_AUTHOR_NAME=py GIT_AUTHOR_EMAIL=py@py GIT_COMMITTER_NAME=py \
	GIT_COMMITTER_EMAIL=py@py

# Here expect_rc shows stdout as well as stderr.
expect_rc() {
	[ "$rc" -eq "$1" ] || fail "$2: exit $rc, want $1; out: $(cat "$T/out" \
		"$T/err")"
}
subjects() { git -C "$1" log --reverse --format=%s "${2:-HEAD}"; }

# The Python Helios layout, as its documentation describes it.
python_store() {
	mkdir -p "$1/base" "$1/personas" "$1/learned" "$1/temporary/session"
	printf '1.0.0\n' >"$1/.helios_version"
	cat >"$1/base/identity.yaml" <<'YAML'
base_importance: 0.6
behaviors:
  communication_style:
    tone: warm
YAML
	printf 'specialization_level: 2\nbehaviors:\n  focus: code\n' \
		>"$1/personas/coder.yaml"
	cat >"$1/learned/patterns.yaml" <<'YAML'
patterns:
  - trigger: user says thanks
    response_style: brief
    confidence: 0.8
YAML
	printf 'draft: true\n' >"$1/temporary/session/scratch.yaml"
}

# 1. no git, no .gitignore
P=$T/py
python_store "$P"
(cd "$P" && find . -type f | sort | xargs sha256sum) >"$T/before"
run "$BIN" validate --helios-dir "$P"
expect_rc 0 "open (migrate) a Python store"
grep -qF "migration: backup of the old store in '$P/.helios-state/backups/pre-migration-" \
	"$T/err" || fail "no backup reported: $(cat "$T/err")"
want="migrate from Python Helios 1/3: import base, personas and learned
migrate from Python Helios 3/3: record layout 1"
[ "$(subjects "$P")" = "$want" ] || fail "commits: $(subjects "$P")"
for f in base/identity.yaml personas/coder.yaml learned/patterns.yaml \
	 .gitignore .helios_version; do
	git -C "$P" cat-file -e "HEAD:$f" 2>/dev/null || fail "$f not in HEAD"
done
[ "$(git -C "$P" show HEAD:learned/patterns.yaml)" = \
  "$(cat "$P/learned/patterns.yaml")" ] || fail "learned content"
[ ! -e "$P/temporary" ] || fail "temporary/ still in the store"
moved=$(ls "$P"/.helios-state/temporary-*/session/scratch.yaml) ||
	fail "temporary/ not kept in .helios-state"
[ "$(cat "$moved")" = "draft: true" ] || fail "scratch content"
head -1 "$P/.helios_version" | grep -qx "layout: 1" || fail "version file"
grep -q "from Python Helios 1.0.0" "$P/.helios_version" || fail "old version"
# the backup copy has every original file, byte for byte
bk=$(ls -d "$P"/.helios-state/backups/pre-migration-*) || fail "no backup"
(cd "$bk" && find . -type f | sort | xargs sha256sum) >"$T/backup"
diff -u "$T/before" "$T/backup" >&2 || fail "backup differs from the original"
[ -z "$(git -C "$P" status --porcelain)" ] || fail "not clean: $(git -C "$P" status --porcelain)"
git -C "$P" fsck --strict >/dev/null 2>&1 || fail "fsck"
bad=$(find "$P" -path "$P/.git" -prune -o -perm /077 -print | head -3)
[ -z "$bad" ] || fail "migrated store not private: $bad"
head=$(git -C "$P" rev-parse HEAD)
run "$BIN" validate --helios-dir "$P"
expect_rc 0 "second open"
[ "$(git -C "$P" rev-parse HEAD)" = "$head" ] || fail "second open committed"
run "$BIN" doctor --helios-dir "$P"
expect_rc 0 "doctor after migration"

# 2. a git repository on master, temporary/ tracked, its own .gitignore
G=$T/pygit
python_store "$G"
printf '*.pyc\n' >"$G/.gitignore"
git -C "$G" init -q -b master
git -C "$G" add -A
git -C "$G" commit -q -m "python helios"
old=$(git -C "$G" rev-parse HEAD)
run "$BIN" validate --helios-dir "$G"
expect_rc 0 "open (migrate) a Python git store"
[ "$(git -C "$G" symbolic-ref HEAD)" = refs/heads/main ] || fail "HEAD not main"
want="python helios
migrate from Python Helios 2/3: move temporary/ out of git
migrate from Python Helios 3/3: record layout 1"
[ "$(subjects "$G")" = "$want" ] || fail "git commits: $(subjects "$G")"
git -C "$G" ls-tree -r --name-only HEAD | grep -q '^temporary/' &&
	fail "temporary/ still tracked"
grep -qx '\*.pyc' "$G/.gitignore" || fail "user's ignore lines lost"
grep -qx '/.helios-state/' "$G/.gitignore" || fail "runtime dir not ignored"
b=$(ls "$G"/.helios-state/backups/pre-migration-*.bundle) ||
	fail "no bundle before migrating a git store"
git clone -q -b main "$b" "$T/bclone" 2>/dev/null ||
	git clone -q "$b" "$T/bclone" || fail "pre-migration bundle unreadable"
[ "$(git -C "$T/bclone" rev-parse HEAD)" = "$old" ] || fail "bundle tip"
[ -z "$(git -C "$G" status --porcelain)" ] ||
	fail "git store not clean: $(git -C "$G" status --porcelain)"
git -C "$G" fsck --strict >/dev/null 2>&1 || fail "git fsck"

# 3. a newer layout is refused and left as it is
N=$T/newer
run "$BIN" init --helios-dir "$N"
printf 'layout: 99\n' >"$N/.helios_version"
git -C "$N" commit -q -am "from the future"
head=$(git -C "$N" rev-parse HEAD)
run "$BIN" validate --helios-dir "$N"
[ "$rc" -ne 0 ] || fail "newer layout accepted"
grep -qF "has layout 99, newer than this Helios knows (1); use a newer Helios" \
	"$T/err" || fail "newer: $(cat "$T/err")"
[ "$(git -C "$N" rev-parse HEAD)" = "$head" ] || fail "newer store changed"
[ "$(cat "$N/.helios_version")" = "layout: 99" ] || fail "version rewritten"
echo PASS

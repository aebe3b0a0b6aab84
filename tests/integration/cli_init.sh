#!/bin/bash
# cli_init.sh - `helios-mcp init` creates the layout and exactly one
# commit; a second init changes nothing.
set -u

. "$(dirname "$0")/cli_lib.bash"
cli_setup helios-cli-init

# What identifies the state of a store: its files, HEAD and status
# (.helios-state/ holds the lock file and is runtime state, git-ignored).
snapshot() {
	(cd "$1" && find . \( -path ./.git -o -path ./.helios-state \) \
		-prune -o -type f -print0 | sort -z | xargs -0 sha256sum &&
		git rev-parse HEAD && git status --porcelain)
}

S=$T/store
run "$BIN" init --helios-dir "$S"
expect_rc 0 "first init"
expect_out "initialised store at $S
" "first init"

for f in base/identity.yaml personas/welcome.yaml .helios_version \
	 .gitignore; do
	[ -f "$S/$f" ] || fail "init did not create $f"
done
[ -d "$S/.git" ] || fail "init did not create a git repository"
[ "$(git -C "$S" log --oneline | wc -l)" -eq 1 ] ||
	fail "want exactly one commit, got: $(git -C "$S" log --oneline)"
[ "$(git -C "$S" symbolic-ref HEAD)" = refs/heads/main ] ||
	fail "HEAD is not main"
[ -z "$(git -C "$S" status --porcelain)" ] ||
	fail "working tree not clean: $(git -C "$S" status --porcelain)"
git -C "$S" ls-files --error-unmatch base/identity.yaml \
	personas/welcome.yaml >/dev/null || fail "files not committed"
grep -q '^base_importance: 0.7$' "$S/base/identity.yaml" ||
	fail "default base has no base_importance 0.7"
grep -q '^specialization_level: 1$' "$S/personas/welcome.yaml" ||
	fail "welcome persona has no specialization_level 1"

# the new store validates
run "$BIN" validate --helios-dir "$S"
expect_rc 0 "validate after init"
expect_out "" "validate after init"

before=$(snapshot "$S")
run "$BIN" init --helios-dir "$S"
expect_rc 0 "second init"
expect_out "store already exists at $S
" "second init"
[ "$before" = "$(snapshot "$S")" ] || fail "second init changed the store"
[ "$(git -C "$S" log --oneline | wc -l)" -eq 1 ] ||
	fail "second init added a commit"

# a clone of a store is a store: init leaves it alone
git clone -q "$S" "$T/clone" || fail "git clone"
before=$(snapshot "$T/clone")
run "$BIN" init --helios-dir "$T/clone"
expect_rc 0 "init on a clone"
expect_out "store already exists at $T/clone
" "init on a clone"
[ "$before" = "$(snapshot "$T/clone")" ] || fail "init changed the clone"

# HELIOS_DIR, then ~/.helios by default; a relative --helios-dir is
# reported as an absolute path
HELIOS_DIR=$T/env run "$BIN" init
expect_rc 0 "init with HELIOS_DIR"
expect_out "initialised store at $T/env
" "init with HELIOS_DIR"

run "$BIN" init
expect_rc 0 "init in ~/.helios"
expect_out "initialised store at $HOME/.helios
" "init in ~/.helios"
[ -f "$HOME/.helios/base/identity.yaml" ] || fail "~/.helios not created"

(cd "$T" && run "$BIN" init --helios-dir rel &&
	expect_rc 0 "relative init" &&
	expect_out "initialised store at $T/rel
" "relative init") || exit 1

# a regular file where the store should be: failure, file untouched
echo "not a store" >"$T/file"
run "$BIN" init --helios-dir "$T/file"
[ "$rc" -ne 0 ] || fail "init on a regular file succeeded"
[ -s "$T/out" ] && fail "failed init wrote to stdout"
[ "$(cat "$T/file")" = "not a store" ] || fail "init changed a plain file"

echo "cli_init: ok"
exit 0

#!/bin/bash
# security_hooks.sh - a store's git configuration may come from someone
# else: Helios never runs its hooks, core.hooksPath, core.fsmonitor or
# filter drivers.  The same traps do fire under the git command line, so
# the test would notice if Helios ran them.
. "${HELIOS_TEST_LIB:?HELIOS_TEST_LIB is not set}"

hl_setup
BIN=$HL_BIN/helios-mcp
S=$HL_STORE
C=$HL_TMP/canary
"$BIN" init --helios-dir "$S" >/dev/null || hl_fail "init"

# every kind of trap, each touching its own canary
arm() {
	local dir=$1 hook

	for hook in pre-commit post-commit commit-msg prepare-commit-msg \
		    post-checkout reference-transaction pre-auto-gc \
		    post-index-change; do
		printf '#!/bin/sh\ntouch "%s.%s"\n' "$C" "$hook" \
			>"$dir/.git/hooks/$hook"
		chmod +x "$dir/.git/hooks/$hook"
	done
	mkdir -p "$dir/.git/evil-hooks"
	cp "$dir/.git/hooks/post-commit" "$dir/.git/evil-hooks/post-commit"
	sed -i "s|post-commit|hookspath|" "$dir/.git/evil-hooks/post-commit"
	git -C "$dir" config core.fsmonitor "touch $C.fsmonitor; false"
	git -C "$dir" config filter.evil.clean "touch $C.clean; cat"
	git -C "$dir" config filter.evil.smudge "touch $C.smudge; cat"
	git -C "$dir" config filter.evil.required true
	printf '* filter=evil\n' >"$dir/.git/info/attributes"
}
arm "$S"

# saves through the mount, the command line, backup, recover
hl_mount
hl_persona 2 mounted >"$M/personas/m.yaml" || hl_fail "save via mount"
hl_wait_commits 1
hl_persona 3 cli >"$HL_TMP/in.yaml"
"$BIN" write --helios-dir "$S" personas/c.yaml "$HL_TMP/in.yaml" \
	>/dev/null 2>&1 || hl_fail "save via the command line"
"$BIN" rm --helios-dir "$S" personas/c.yaml >/dev/null 2>&1 ||
	hl_fail "delete via the command line"
"$BIN" backup --helios-dir "$S" "$HL_TMP/b.bundle" >/dev/null ||
	hl_fail "backup"
printf 'broken: [\n' >"$S/personas/welcome.yaml"
"$BIN" recover --helios-dir "$S" >/dev/null || hl_fail "recover"
"$BIN" doctor --helios-dir "$S" >/dev/null 2>&1
"$BIN" restore-backup --helios-dir "$HL_TMP/r" "$HL_TMP/b.bundle" \
	>/dev/null || hl_fail "restore"
[ "$(git -C "$S" log --format=%s | grep -c .)" -ge 4 ] ||
	hl_fail "the saves did not commit"
fired=$(ls "$C".* 2>/dev/null)
[ -z "$fired" ] || hl_fail "Helios ran store-supplied commands: $fired"

# control: the git command line does fire them (so the traps are real)
git -C "$S" config core.hooksPath .git/evil-hooks
hl_persona 4 git >"$S/personas/g.yaml"
git -C "$S" add personas/g.yaml 2>/dev/null
git -C "$S" -c user.name=t -c user.email=t@t commit -q -m by-git \
	2>/dev/null
ls "$C".hookspath >/dev/null 2>&1 || hl_fail "control: hooksPath did not fire"
ls "$C".clean >/dev/null 2>&1 || hl_fail "control: filter did not fire"
echo PASS

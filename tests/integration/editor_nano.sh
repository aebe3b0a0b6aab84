#!/bin/bash
# nano (Debian's /etc/nanorc: locking on) saving through the mount, driven
# through a terminal in tmux: a valid save is one commit, an invalid save
# shows "Error writing" and keeps the old content, and a corrected save
# from the same session is one commit.  Its lock file stays out of git.
. "$HELIOS_TEST_LIB"
command -v nano >/dev/null || hl_skip "nano is not installed"
command -v tmux >/dev/null || hl_skip "tmux is not installed"
hl_setup
hl_mount
F=personas/welcome.yaml
SOCK=helios-test-$$

hl_persona 2 v0 > "$M/$F"
hl_expect_commits "update $F (mount)"

tm()
{
	tmux -L "$SOCK" "$@"
}

stop_tmux()
{
	tm kill-server 2>/dev/null
}

# wait_screen TEXT: until the terminal shows TEXT (10 s).
wait_screen()
{
	local i

	for i in $(seq 100); do
		tm capture-pane -p -t helios 2>/dev/null | grep -qF -- "$1" &&
			return 0
		sleep 0.1
	done
	hl_fail "nano never showed [$1]; screen:
$(tm capture-pane -p -t helios 2>/dev/null)"
}

# replace_text LINE...: cut the 4-line document, type the new lines.
replace_text()
{
	local l

	tm send-keys -t helios M-\\
	tm send-keys -t helios C-k C-k C-k C-k C-k
	for l in "$@"; do
		tm send-keys -t helios -l -- "$l"
		tm send-keys -t helios Enter
	done
}

save()
{
	tm send-keys -t helios C-o
	wait_screen "File Name to Write"
	tm send-keys -t helios Enter
}

trap 'stop_tmux; hl_cleanup' EXIT
tm -f /dev/null new-session -d -s helios -x 100 -y 30 \
	"env TERM=xterm HOME=$HL_TMP nano $M/$F" ||
	hl_fail "cannot start tmux"
wait_screen "tone: v0"
# nano's lock file sits beside the file, in the mount only.
for i in $(seq 50); do
	[ -e "$M/personas/.welcome.yaml.swp" ] && break
	sleep 0.1
done

replace_text "# persona" "specialization_level: 2" "behaviors:" \
	"  tone: nano1"
save
wait_screen "Wrote 4 lines"
hl_wait_commits 1
hl_expect_content "$F" "$(hl_persona 2 nano1)"
hl_expect_commits "update $F (mount)"
[ -e "$M/personas/.welcome.yaml.swp" ] ||
	hl_fail "nano's lock file is not visible in the mount"
[ -e "$S/personas/.welcome.yaml.swp" ] &&
	hl_fail "nano's lock file reached the store"

# Invalid: refused, nano says so, the old content stays.
replace_text "# persona" "specialization_level: 0" "behaviors:" \
	"  tone: nanobad"
save
wait_screen "Error writing"
tm capture-pane -p -t helios | grep -q "Error writing .*welcome.yaml" ||
	hl_fail "nano's message: $(tm capture-pane -p -t helios)"
sleep 0.3
hl_expect_content "$F" "$(hl_persona 2 nano1)"
hl_expect_commits
grep -q "$F:2:23: specialization_level" "$M/errors.log" ||
	hl_fail "refusal not in errors.log: $(cat "$M/errors.log")"
hl_eq "xattr" 1 "$(hl_xattr "$M/$F" user.helios.error |
	grep -c 'specialization_level')"

# Corrected, from the same session.
replace_text "# persona" "specialization_level: 2" "behaviors:" \
	"  tone: nano2"
save
wait_screen "Wrote 4 lines"
hl_wait_commits 1
hl_expect_content "$F" "$(hl_persona 2 nano2)"
hl_expect_commits "update $F (mount)"
hl_eq "xattr after a valid save" ENODATA \
	"$(hl_xattr "$M/$F" user.helios.error)"

tm send-keys -t helios C-x
for i in $(seq 50); do
	tm has-session -t helios 2>/dev/null || break
	sleep 0.1
done
tm has-session -t helios 2>/dev/null && hl_fail "nano did not exit"
[ -e "$M/personas/.welcome.yaml.swp" ] &&
	hl_fail "nano's lock file left after exit"
hl_expect_commits
hl_expect_clean
hl_expect_no_strays
echo PASS

#!/bin/bash
# vim saving through the mount, driven by a script in one vim session per
# setting: Debian's defaults (backupcopy=auto, writebackup: the rename
# F -> F~ path), backupcopy=yes, no and auto, writebackup off, and backup
# on.  In each session: a valid save is one commit, an invalid save is
# refused with an error vim shows (E512/E667/E514) and the old content
# stays, and a corrected save from the same session is one commit.
. "$HELIOS_TEST_LIB"
command -v vim >/dev/null || hl_skip "vim is not installed"
hl_setup
hl_mount
F=personas/welcome.yaml
TRACE=
if command -v strace >/dev/null &&
   strace -f -o /dev/null true 2>/dev/null; then
	TRACE=1
fi

hl_persona 2 v0 > "$M/$F"
hl_expect_commits "update $F (mount)"

# run_vim TAG SETTINGS: three saves in one session; vim's view of each
# goes to $HL_OUT/TAG.log, the calls it made to $HL_OUT/TAG.trace.
run_vim()
{
	local tag=$1 sets=$2 log=$HL_OUT/$1.log
	local script=$HL_OUT/$tag.vim

	cat >"$script" <<EOF
$sets
let g:log = []
function! Save(tag)
  try
    write
    call add(g:log, a:tag . ' ok')
  catch
    call add(g:log, a:tag . ' ' . v:exception)
  endtry
endfunction
edit $M/$F
call add(g:log, 'settings bkc=' . &backupcopy . ' wb=' . &writebackup .
	\\ ' bk=' . &backup . ' swf=' . &swapfile)
call add(g:log, 'swap ' . join(filter(readdir('$M/personas'),
	\\ 'v:val =~ "^\\\\.welcome\\\\.yaml\\\\.sw"')))
call setline(4, '  tone: $tag-1')
call Save('first')
call setline(2, 'specialization_level: 0')
call setline(4, '  tone: $tag-bad')
call Save('bad')
call setline(2, 'specialization_level: 2')
call setline(4, '  tone: $tag-2')
call Save('second')
call writefile(g:log, '$log')
qall!
EOF
	if [ -n "$TRACE" ]; then
		timeout 30 strace -f -qq -o "$HL_OUT/$tag.trace" \
			-e trace=rename,renameat,renameat2 \
			vim $VIM_ARGS -S "$script" </dev/null >/dev/null 2>&1
	else
		timeout 30 vim $VIM_ARGS -S "$script" </dev/null \
			>/dev/null 2>&1
	fi
	[ -s "$log" ] || hl_fail "vim ($tag) wrote no log"
	# After a refused copy-mode save vim keeps its backup F~ (its way
	# to keep the old text safe): clear it for the next session.
	rm -f "$M/personas/"*~
}

# check_session TAG: the three saves had the expected outcome.
check_session()
{
	local tag=$1 log=$HL_OUT/$1.log

	grep -qx 'first ok' "$log" || hl_fail "$tag first save: $(cat "$log")"
	grep -q '^bad .*E\(512\|514\|667\)' "$log" ||
		hl_fail "$tag bad save not reported: $(cat "$log")"
	grep -qx 'second ok' "$log" ||
		hl_fail "$tag second save: $(cat "$log")"
	grep -qx 'swap \.welcome\.yaml\.swp' "$log" ||
		hl_fail "$tag: no swap file beside the file: $(cat "$log")"
	hl_expect_content "$F" "$(hl_persona 2 "$tag-2")"
	hl_expect_commits "update $F (mount)" "update $F (mount)"
	git -C "$S" log -p -2 --format=%s -- "$F" | grep -q "$tag-bad" &&
		hl_fail "$tag: the refused content reached git"
	git -C "$S" show HEAD~1:"$F" | grep -q "tone: $tag-1" ||
		hl_fail "$tag: first commit lacks the first save"
	grep -q "refused save of '$F'" "$HL_LOG" ||
		hl_fail "$tag: refusal not logged"
	grep -q "$F:2:23: specialization_level" "$M/errors.log" ||
		hl_fail "$tag: refusal not in errors.log"
	hl_expect_clean
	hl_expect_no_strays
}

# renamed TAG: whether vim renamed F to a backup (rename mode).
renamed()
{
	grep -q "rename.*\"$M/$F\", .*\"$M/$F~\"" "$HL_OUT/$1.trace"
}

VIM_ARGS="-N -E -s -i NONE -u /etc/vim/vimrc"
[ -r /etc/vim/vimrc ] || VIM_ARGS="-N -E -s -i NONE -u NONE"

# Debian's defaults, nothing set.
run_vim default ""
grep -qx 'settings bkc=auto wb=1 bk=0 swf=1' "$HL_OUT/default.log" ||
	hl_fail "not vim's defaults: $(head -1 "$HL_OUT/default.log")"
check_session default
[ -z "$TRACE" ] || renamed default ||
	hl_fail "default vim did not take the rename path: $(cat \
		"$HL_OUT/default.trace")"

for bkc in yes no auto; do
	run_vim "bkc-$bkc" "set backupcopy=$bkc writebackup nobackup"
	check_session "bkc-$bkc"
	if [ -n "$TRACE" ]; then
		case $bkc in
		yes) renamed "bkc-$bkc" && hl_fail "backupcopy=yes renamed F" ;;
		*) renamed "bkc-$bkc" ||
			hl_fail "backupcopy=$bkc did not rename F" ;;
		esac
	fi
done

run_vim nowb "set nowritebackup nobackup"
check_session nowb
[ -z "$TRACE" ] || ! renamed nowb || hl_fail "nowritebackup renamed F"

# backup on: F~ stays, as a scratch file of the mount only.
run_vim backup "set backup writebackup backupcopy=auto"
check_session backup
grep -q "rename.*\"$M/$F\", .*\"$M/$F~\"" "$HL_OUT/backup.trace" ||
	[ -z "$TRACE" ] || hl_fail "set backup did not rename F to F~"

# vim's swap file does not survive the session.
ls -a "$M/personas" | grep -q '\.sw[a-p]$' && hl_fail "swap file left"
echo PASS

#!/bin/bash
# emacs in batch mode saving through the mount (lock symlink .#F, backup
# by renaming F to F~, auto-save names): one commit per valid save, an
# invalid save reported as a write error with the old content kept, and a
# corrected save from the same session.  Skipped without emacs.
. "$HELIOS_TEST_LIB"
command -v emacs >/dev/null || hl_skip "emacs is not installed"
hl_setup
hl_mount
F=personas/welcome.yaml

hl_persona 2 v0 > "$M/$F"
hl_expect_commits "update $F (mount)"

cat >"$HL_OUT/save.el" <<EOF
(setq make-backup-files t create-lockfiles t backup-by-copying nil)
(defun helios-save (tag)
  (condition-case err
      (progn (save-buffer) (princ (format "%s ok\n" tag)))
    (error (princ (format "%s error %S\n" tag err)))))
(find-file "$M/$F")
(goto-char (point-max))
(forward-line -1)
(delete-region (point) (point-max))
(insert "  tone: emacs1\n")
(helios-save "first")
(goto-char (point-min))
(forward-line 1)
(delete-region (point) (line-end-position))
(insert "specialization_level: 0")
(helios-save "bad")
(goto-char (point-min))
(forward-line 1)
(delete-region (point) (line-end-position))
(insert "specialization_level: 2")
(goto-char (point-max))
(forward-line -1)
(delete-region (point) (point-max))
(insert "  tone: emacs2\n")
(helios-save "second")
(set-buffer-modified-p nil)
(kill-emacs 0)
EOF
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null
then
	timeout 60 strace -f -qq -o "$HL_OUT/trace" \
		-e trace=rename,renameat,renameat2,symlink,symlinkat \
		emacs -Q --batch -l "$HL_OUT/save.el" >"$HL_OUT/result" 2>&1
	grep -q "rename.*\"$M/$F\", .*\"$M/$F~\"" "$HL_OUT/trace" ||
		hl_fail "emacs made no backup by rename: $(cat "$HL_OUT/trace")"
	grep -q "symlink(.*\"$M/personas/\.#welcome\.yaml\") = 0" \
		"$HL_OUT/trace" || hl_fail "emacs made no lock symlink"
else
	timeout 60 emacs -Q --batch -l "$HL_OUT/save.el" \
		>"$HL_OUT/result" 2>&1
fi
grep -qx 'first ok' "$HL_OUT/result" ||
	hl_fail "first save: $(cat "$HL_OUT/result")"
grep -q '^bad error .*Invalid argument' "$HL_OUT/result" ||
	hl_fail "bad save not reported: $(cat "$HL_OUT/result")"
grep -qx 'second ok' "$HL_OUT/result" ||
	hl_fail "second save: $(cat "$HL_OUT/result")"
hl_expect_content "$F" "$(hl_persona 2 emacs2)"
hl_expect_commits "update $F (mount)" "update $F (mount)"
rm -f "$M/personas/"*~
hl_expect_clean
hl_expect_no_strays
echo PASS

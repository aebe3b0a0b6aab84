#!/bin/bash
# cli_inheritance.sh - `helios-mcp test-inheritance`: the exact merged YAML
# of the welcome persona and of a persona with its own weight, and the
# failures (missing persona, bad name, invalid files, no store).
set -u

. "$(dirname "$0")/cli_lib.bash"
cli_setup helios-cli-inherit

S=$T/store
"$BIN" init --helios-dir "$S" >/dev/null || fail "init"

WELCOME='# persona: welcome
# weight: 0.7 (base_importance 0.7 / specialization_level 1^2)
behaviors:
  communication_style:
    tone: friendly and direct
    verbosity: concise
  problem_solving:
    approach: understand the problem before proposing a fix
    steps:
      - ask what the goal is
      - try the simplest thing that could work
      - check the result
  learning_approach: explain the reasoning, not only the answer
  greeting: Hello, I am your assistant, configured by Helios.
  purpose: show how a persona is laid out
'

run "$BIN" test-inheritance --helios-dir "$S" welcome
expect_rc 0 "welcome"
expect_out "$WELCOME" "welcome"
[ -s "$T/err" ] && fail "welcome wrote to stderr: $(cat "$T/err")"

# a persona with level 2: weight 0.7 / 4 = 0.175, so the persona's
# strings win, numbers lean to the persona, its list items come first
cat >"$S/personas/coder.yaml" <<'YAML'
specialization_level: 2
inherits_from: base
behaviors:
  communication_style:
    tone: terse
    max_lines: 10
  problem_solving:
    steps:
      - write a failing test
      - check the result
  review: true
limits:
  max_lines: 100
YAML
cat >>"$S/base/identity.yaml" <<'YAML'
limits:
  max_lines: 40
YAML
git -C "$S" add -A && git -C "$S" -c user.name=t -c user.email=t@t \
	commit -q -m "test personas" || fail "git commit"

CODER='# persona: coder
# weight: 0.175 (base_importance 0.7 / specialization_level 2^2)
# inherits_from: base
behaviors:
  communication_style:
    tone: terse
    verbosity: concise
    max_lines: 10
  problem_solving:
    approach: understand the problem before proposing a fix
    steps:
      - write a failing test
      - check the result
      - ask what the goal is
      - try the simplest thing that could work
  learning_approach: explain the reasoning, not only the answer
  review: true
limits:
  max_lines: 90
'

# welcome now inherits the new base key unchanged
WELCOME="${WELCOME}limits:
  max_lines: 40
"

run "$BIN" test-inheritance --helios-dir "$S" coder
expect_rc 0 "coder"
expect_out "$CODER" "coder"

# all personas, sorted, separated by a blank line; HELIOS_DIR works too
HELIOS_DIR=$S run "$BIN" test-inheritance
expect_rc 0 "all personas"
expect_out "$CODER
$WELCOME" "all personas"

# the same twice gives the same bytes
cp "$T/out" "$T/first"
HELIOS_DIR=$S run "$BIN" test-inheritance
cmp -s "$T/out" "$T/first" || fail "output is not deterministic"

# failures: the good persona is still printed, the exit status is 1
run "$BIN" test-inheritance --helios-dir "$S" nosuch welcome
expect_rc 1 "missing persona"
expect_out "$WELCOME" "missing persona"
grep -q "'personas/nosuch.yaml' not found" "$T/err" ||
	fail "missing persona message: $(cat "$T/err")"

for bad in ../base/identity .hidden 'a b' "" \
	   aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; do
	run "$BIN" test-inheritance --helios-dir "$S" "$bad"
	expect_rc 1 "bad name '$bad'"
	expect_out "" "bad name '$bad'"
	grep -q "invalid persona name" "$T/err" ||
		fail "bad name '$bad': $(cat "$T/err")"
done

printf 'specialization_level: 1.5\nbehaviors: {}\n' >"$S/personas/broken.yaml"
run "$BIN" test-inheritance --helios-dir "$S" broken welcome
expect_rc 1 "invalid persona"
expect_out "$WELCOME" "invalid persona"
grep -qx "personas/broken.yaml:1:23: specialization_level must be an integer >= 1, got float 1.5" "$T/err" ||
	fail "invalid persona diagnostic: $(cat "$T/err")"
rm "$S/personas/broken.yaml"

printf 'base_importance: high\nbehaviors: {}\n' >"$S/base/identity.yaml"
run "$BIN" test-inheritance --helios-dir "$S"
expect_rc 1 "invalid base"
expect_out "" "invalid base"
grep -q "^base/identity.yaml:1:18: base_importance" "$T/err" ||
	fail "invalid base diagnostic: $(cat "$T/err")"

run "$BIN" test-inheritance --helios-dir "$T/none" welcome
expect_rc 2 "missing store"
[ -e "$T/none" ] && fail "test-inheritance created a store"

echo "cli_inheritance: ok"
exit 0

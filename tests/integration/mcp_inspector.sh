#!/bin/bash
# mcp_inspector.sh - the MCP Inspector's command-line mode (pinned in
# tests/mcp/package-lock.json, installed with npm ci) as a third,
# independent client: every kind of request in each protocol era it can
# negotiate (legacy handshake, auto, modern), tool success and error
# results, an unknown tool, and a change it makes, committed to git.

set -u
. "$(dirname "$0")/../mcp/lib.sh"

mt_setup
mt_npm
S=$MT_TMP/store
export HOME=$MT_TMP/home MCP_CATALOG_PATH=$MT_TMP/home/catalog.json
mkdir -p "$HOME"
"$MT_MCP" serve --helios-dir "$S" </dev/null >/dev/null 2>&1 ||
	mt_fail "cannot bootstrap a store"

# insp ERA ARGS...: run one request; output in $OUT, stderr in $ERR,
# exit status in $RC
OUT=$MT_TMP/out.json
ERR=$MT_TMP/err
insp()
{
	local era=$1

	shift
	timeout 60 "$MT_NODE/node_modules/.bin/mcp-inspector" --cli \
		--format json --protocol-era "$era" \
		"$MT_MCP" serve --helios-dir "$S" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# jq-free JSON checks with node: js EXPR evaluated with d = the output
js()
{
	node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const v = eval(process.argv[2]);
		if (v !== true) { console.error("got:", JSON.stringify(d).slice(0, 400)); process.exit(1); }' \
		"$OUT" "$1" || mt_fail "$2"
}

for era in legacy auto modern; do
	insp $era --method tools/list
	[ $RC -eq 0 ] || { cat "$ERR"; mt_fail "$era tools/list exit $RC"; }
	js 'd.result.tools.length === 17 && d.result.tools.every((t) =>
		t.inputSchema.type === "object" && t.outputSchema.type === "object")' \
		"$era: 17 tools with schemas"
	# the era really used: only the handshake era sends initialize
	if [ $era = legacy ]; then
		grep -q 'initialize: client asked for' "$ERR" ||
			mt_fail "legacy era without initialize"
	else
		grep -q 'initialize: client asked for' "$ERR" &&
			mt_fail "$era era fell back to initialize"
	fi
	echo "ok   $era: tools/list over every page"

	insp $era --method tools/call --tool-name merge_behaviors \
		--tool-arg persona_name=welcome
	[ $RC -eq 0 ] || mt_fail "$era merge_behaviors exit $RC"
	js 'd.result.structuredContent.inheritance_weight === 0.7' \
		"$era: merge_behaviors"
	insp $era --method tools/call --tool-name get_active_persona \
		--tool-arg persona_name=nobody
	[ $RC -ne 0 ] || mt_fail "$era: an error result exits 0"
	js 'd.result.isError === true &&
		/existing personas: welcome/.test(d.result.content[0].text)' \
		"$era: error result for a missing persona"
	insp $era --method tools/call --tool-name no_such_tool
	[ $RC -ne 0 ] || mt_fail "$era: unknown tool exits 0"
	echo "ok   $era: tools/call result, error result, unknown tool"

	insp $era --method resources/list
	js 'd.result.resources.map((r) => r.uri).join(" ") ===
		"helios://base helios://personas/welcome helios://merged/welcome"' \
		"$era: resources/list"
	insp $era --method resources/templates/list
	js 'd.result.resourceTemplates.length === 3' "$era: templates"
	insp $era --method resources/read --uri helios://personas/welcome
	js 'd.result.contents[0].mimeType === "application/yaml" &&
		/^specialization_level: 1$/m.test(d.result.contents[0].text)' \
		"$era: resources/read"
	insp $era --method prompts/list
	js 'd.result.prompts.map((p) => p.name).sort().join(" ") ===
		"compare persona"' "$era: prompts/list"
	insp $era --method prompts/get --prompt-name persona \
		--prompt-args name=welcome
	js 'd.result.messages[0].content.text.includes("welcome")' \
		"$era: prompts/get"
	echo "ok   $era: resources, templates, read, prompts"
done

insp legacy --method logging/setLevel --log-level debug
[ $RC -eq 0 ] || mt_fail "logging/setLevel exit $RC"
echo "ok   legacy: logging/setLevel"

# a change through the Inspector lands in git, validated, comments kept
head0=$(git -C "$S" rev-parse HEAD)
insp modern --method tools/call --tool-name learn_behavior \
	--tool-args-json '{"persona":"welcome","key":"review.depth","value":"deep"}'
[ $RC -eq 0 ] || { cat "$OUT" "$ERR"; mt_fail "learn_behavior exit $RC"; }
[ "$(git -C "$S" rev-parse HEAD~1)" = "$head0" ] || mt_fail "not one commit"
[ "$(git -C "$S" log -1 --format=%s)" = \
  "update personas/welcome.yaml (mcp learn_behavior)" ] ||
	mt_fail "commit message"
grep -qx '# The welcome persona: a starting point for your own.' \
	"$S/personas/welcome.yaml" || mt_fail "comment lost"
grep -qx '    depth: deep' "$S/personas/welcome.yaml" || mt_fail "value"
insp modern --method tools/call --tool-name tune_weight \
	--tool-args-json '{"target":"base","parameter":"base_importance","value":7}'
js 'd.result.isError === true' "tune_weight out of bounds"
[ "$(git -C "$S" rev-parse HEAD~1)" = "$head0" ] ||
	mt_fail "a refused change made a commit"
echo "ok   modern: learn_behavior committed with comments kept; bad value refused"
exit 0

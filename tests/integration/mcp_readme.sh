#!/bin/bash
# mcp_readme.sh - the client configuration snippets in README.md work as
# written: every ```json block naming helios-mcp (Claude Desktop's
# "mcpServers", VS Code's "servers") is read the way the client reads it,
# its command is started with its args (VS Code's ${userHome} expanded,
# helios-mcp found on PATH, an empty HOME) and must answer initialize and
# tools/list and create the store where the snippet says.  Skipped while
# README.md has no such snippet.

set -u
. "$(dirname "$0")/../mcp/lib.sh"

mt_setup
command -v node >/dev/null || { echo "SKIP: node is missing"; exit 77; }
README=${HELIOS_README:-$MT_DATA/../../README.md}
[ -f "$README" ] || { echo "SKIP: no README.md"; exit 77; }

# One line per server entry: "CLIENT<TAB>COMMAND<TAB>ARGS-AS-JSON".
node -e '
const text = require("fs").readFileSync(process.argv[1], "utf8");
for (const m of text.matchAll(/```json\n([\s\S]*?)```/g)) {
	if (!m[1].includes("helios-mcp")) continue;
	const cfg = JSON.parse(m[1]);
	const client = cfg.mcpServers ? "claude-desktop" : "vscode";
	for (const s of Object.values(cfg.mcpServers || cfg.servers || {}))
		console.log([client, s.command, JSON.stringify(s.args || [])].join("\t"));
}' "$README" >"$MT_TMP/snippets" || mt_fail "a json snippet does not parse"
[ -s "$MT_TMP/snippets" ] ||
	{ echo "SKIP: README.md has no helios-mcp client snippet yet"; exit 77; }

n=0
while IFS=$'\t' read -r client cmd args; do
	n=$((n + 1))
	home=$MT_TMP/home$n
	mkdir -p "$home"
	# what the client does: run command with args, no shell
	printf '%s\n' \
	'{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"readme","version":"1"}}}' \
	'{"jsonrpc":"2.0","method":"notifications/initialized"}' \
	'{"jsonrpc":"2.0","id":1,"method":"tools/list"}' |
	HOME=$home PATH=$MT_BIN:/usr/bin:/bin node -e '
const { spawnSync } = require("child_process");
const [cmd, args, home] = process.argv.slice(1);
const argv = JSON.parse(args).map((a) => a.replace("${userHome}", home));
const r = spawnSync(cmd, argv, { input: require("fs").readFileSync(0),
	env: { HOME: home, PATH: process.env.PATH }, timeout: 20000 });
process.stdout.write(r.stdout);
process.exit(r.status === null ? 99 : r.status);' "$cmd" "$args" "$home" \
		>"$MT_TMP/out$n" 2>"$MT_TMP/err$n" ||
		mt_fail "$client snippet: exit status $?: $(cat "$MT_TMP/err$n")"
	grep -q '^{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-11-25"' \
		"$MT_TMP/out$n" || mt_fail "$client snippet: no initialize answer"
	grep -q '^{"jsonrpc":"2.0","id":1,"result":{"tools":\[' "$MT_TMP/out$n" ||
		mt_fail "$client snippet: no tools/list answer"
	[ -f "$home/.helios/base/identity.yaml" ] ||
		mt_fail "$client snippet: no store at ~/.helios"
	echo "ok   $client snippet: $cmd $args"
done <"$MT_TMP/snippets"
exit 0

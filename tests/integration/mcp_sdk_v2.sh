#!/bin/bash
# mcp_sdk_v2.sh - the v2 MCP client (@modelcontextprotocol/client, pinned
# in tests/mcp/package-lock.json and installed here with npm ci) in its
# automatic version negotiation drives the real server in the stateless
# 2026-07-28 era: discovery, every kind of request, subscriptions/listen
# with changes made by a tool, by git and by a new persona, cancellation.

set -u
. "$(dirname "$0")/../mcp/lib.sh"

mt_setup
mt_npm
cd "$MT_NODE" || mt_fail "no $MT_NODE"
"$MT_MCP" serve --helios-dir "$MT_TMP/store" </dev/null >/dev/null ||
	mt_fail "cannot bootstrap a store"
timeout 120 node v2_client.mjs "$MT_MCP" "$MT_TMP/store" ||
	mt_fail "v2 client checks failed"
git -C "$MT_TMP/store" fsck --no-progress 2>&1 | grep -v '^dangling' | grep . &&
	mt_fail "git fsck"
exit 0

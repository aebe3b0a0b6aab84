#!/bin/bash
# mcp_sdk.sh - the official MCP TypeScript SDK client (pinned in
# tests/mcp/package-lock.json, installed here with npm ci) drives the real
# server over stdio: tools, resources, prompts, progress, logging,
# subscriptions, and the git commits behind each change.

set -u
. "$(dirname "$0")/../mcp/lib.sh"

mt_setup
mt_npm
cd "$MT_NODE" || mt_fail "no $MT_NODE"
"$MT_MCP" serve --helios-dir "$MT_TMP/store" </dev/null >/dev/null ||
	mt_fail "cannot bootstrap a store"
timeout 120 node sdk_client.mjs "$MT_MCP" "$MT_TMP/store" ||
	mt_fail "SDK client checks failed"
git -C "$MT_TMP/store" fsck --no-progress 2>&1 | grep -v '^dangling' | grep . &&
	mt_fail "git fsck"
exit 0

#!/usr/bin/env bash
# install-deps.sh - install what Helios needs to build, run and test on
# Debian 12.  Run as root.  Safe to run again: apt skips what is there.
#
#	scripts/install-deps.sh          build and run dependencies
#	scripts/install-deps.sh --test   plus the tools the test suite drives
set -euo pipefail

packages=(build-essential cmake pkg-config git
	  libyaml-dev libgit2-dev libfuse3-dev fuse3 libcjson-dev)
if [ "${1:-}" = "--test" ]; then
	packages+=(vim nano tmux emacs-nox attr strace clang
		   libclang-rt-14-dev python3)
	# The MCP client tests need node and npm.  Machines that already have
	# a Node.js build bundling npm (NodeSource's nodejs conflicts with
	# Debian's npm package) keep theirs; only a machine without them
	# gets Debian's.
	command -v node >/dev/null || packages+=(nodejs)
	command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

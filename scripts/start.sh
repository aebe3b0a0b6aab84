#!/usr/bin/env bash
# start.sh - the main job: install dependencies, build Helios, create a
# store if there is none, and mount it.
#
#	bash scripts/start.sh [MOUNTPOINT]
#
# The store is $HELIOS_DIR when set, else ~/.helios.  The mount point is
# the argument, else ~/helios-mount.  Run it again to rebuild and remount.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
store=${HELIOS_DIR:-$HOME/.helios}
mnt=${1:-$HOME/helios-mount}

bash "$top/scripts/install-deps.sh"
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DBUILD_TESTING=OFF >/dev/null
cmake --build "$top/build" -j"$(nproc)"

bin=$top/build/bin
"$bin/helios-mcp" init --helios-dir "$store"

if mountpoint -q "$mnt" 2>/dev/null; then
	fusermount3 -u "$mnt"
fi
mkdir -p "$mnt"
"$bin/helios-fs" --helios-dir "$store" "$mnt"

printf '\nHelios is mounted at %s (store: %s).\n\n' "$mnt" "$store"
while IFS='|' read -r cmd what; do
	printf '  # %s\n  %s\n' "$what" "$cmd"
done <<MSG
ls $mnt/personas|the personas
\$EDITOR $mnt/personas/welcome.yaml|edit one; each save is a commit
git -C $store log --oneline|the history
cat $mnt/errors.log|why a save was refused
$bin/helios-mcp validate --helios-dir $store|check every file
$bin/helios-mcp test-inheritance --helios-dir $store welcome|the merged persona
fusermount3 -u $mnt|unmount
MSG

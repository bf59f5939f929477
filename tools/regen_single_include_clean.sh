#!/usr/bin/env bash
# Regenerates single_include/ from the committed include/ (HEAD) in a temporary worktree and
# copies the result here: untracked work in progress in include/ stays out of it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
git -C "$root" worktree add -q --detach "$tmp" HEAD
(cd "$tmp" && python3 tools/amalgamate.py >/dev/null)
rm -rf "$root/single_include/tcpfsm"
cp -r "$tmp/single_include/tcpfsm" "$root/single_include/"
git -C "$root" worktree remove --force "$tmp"

#!/usr/bin/env bash
# Compares benchmarks between a git revision and this checkout: npm run bench:compare -- <revision> [engine api …].
# The revision is checked out beside this one (.bench-compare/<revision>), sharing node_modules by hard links; each
# benchmark runs alternately in both, BENCH_COMPARE_ROUNDS times (3), and the medians are printed side by side.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
revision="${1:?usage: npm run bench:compare -- <revision> [benchmark …]}"
shift
source scripts/setup.sh
before=".bench-compare/$(git rev-parse --short "$revision")"
if [ ! -d "$before" ]; then
  git worktree add --detach "$before" "$revision" >&2
  cp -al node_modules "$before/"
  # The same installed packages serve both checkouts: the revision's set-up must not reinstall over shared files.
  touch "$before/node_modules/.package-lock.json"
fi
names="$*"
BENCH_COMPARE_BEFORE="$before" BENCH_COMPARE_AFTER=. BENCH_COMPARE_NAMES="${names// /,}" node tools/dist/bench/compare.js

#!/usr/bin/env bash
# Runs every test against real PostgreSQL and Redis; the reports land in test-results/vitest*.json.
# With arguments (`npm test -- test/api/http.test.ts`), runs one vitest with them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source scripts/test-tools.sh
printf '\n[test] type-checking sources and tests together\n' >&2
npx --no-install tsc -p tsconfig.typecheck.json
mkdir -p test-results
rm -f test-results/abuse-report.jsonl test-results/vitest*.json test-results/isolated.log
export NO_COLOR=1
run_vitest() { npx --no-install vitest run --reporter=default --reporter=json "$@"; }

if [ "$#" -gt 0 ]; then
  run_vitest --outputFile.json=test-results/vitest.json "$@"
  exit
fi

# The isolated files (fault injection, the memory soak) mostly wait, on resources no other file touches: they run in
# a second vitest beside the rest, and their output is shown once both are done.
printf '\n[test] the isolated files run beside the rest; their output follows at the end\n' >&2
run_vitest --project isolated --outputFile.json=test-results/vitest-isolated.json >test-results/isolated.log 2>&1 &
isolated=$!
status=0
run_vitest --project unit --project integration --outputFile.json=test-results/vitest.json || status=$?
isolated_status=0
wait "$isolated" || isolated_status=$?
printf '\n[test] the isolated files (test-results/isolated.log)\n' >&2
cat test-results/isolated.log
if [ "$status" -eq 0 ]; then status=$isolated_status; fi
exit "$status"

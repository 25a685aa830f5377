#!/usr/bin/env bash
# Runs every test against real PostgreSQL and Redis; the report lands in test-results/vitest.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source scripts/test-tools.sh
printf '\n[test] type-checking sources and tests together\n' >&2
npx --no-install tsc -p tsconfig.typecheck.json
mkdir -p test-results
rm -f test-results/abuse-report.jsonl
export NO_COLOR=1
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"

#!/usr/bin/env bash
# Runs every test against real PostgreSQL and Redis, and the linters; the reports land in test-results/vitest*.json.
# With arguments (`npm test -- test/api/http.test.ts`), runs one vitest with them and nothing else.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source scripts/test-tools.sh
printf '\n[test] type-checking sources and tests together\n' >&2
npx --no-install tsc -p tsconfig.typecheck.json
npx --no-install tsc -p apps/dashboard/tsconfig.json
mkdir -p test-results
rm -f test-results/abuse-report.jsonl test-results/vitest*.json test-results/systems.log test-results/lint.log
export NO_COLOR=1
run_vitest() { npx --no-install vitest run --reporter=default --reporter=json "$@"; }

if [ "$#" -gt 0 ]; then
  run_vitest --outputFile.json=test-results/vitest.json "$@"
  exit
fi

# ESLint (type-aware, with the module boundaries and import cycles) and Prettier's check, and the files that bring up
# whole systems (end to end, analysis, faults, the memory soak; `systems` in vitest.config.ts), which mostly wait, run
# beside the unit and integration files; their output is shown once all are done.
printf '\n[test] lint and the system files run beside the rest; their output follows at the end\n' >&2
lint() { npx --no-install nx show projects >/dev/null && npx --no-install eslint . && npx --no-install prettier --check . --log-level warn && echo 'ESLint and Prettier: clean'; }
lint >test-results/lint.log 2>&1 &
linting=$!
run_vitest --project systems --outputFile.json=test-results/vitest-systems.json >test-results/systems.log 2>&1 &
systems=$!
status=0
run_vitest --project unit --project integration --outputFile.json=test-results/vitest.json || status=$?
systems_status=0
wait "$systems" || systems_status=$?
lint_status=0
wait "$linting" || lint_status=$?
printf '\n[test] the system files (test-results/systems.log)\n' >&2
cat test-results/systems.log
printf '\n[test] lint (test-results/lint.log)\n' >&2
cat test-results/lint.log
for outcome in "$systems_status" "$lint_status"; do
  if [ "$status" -eq 0 ]; then status=$outcome; fi
done
exit "$status"

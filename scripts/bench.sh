#!/usr/bin/env bash
# Runs the benchmarks and prints their figures: npm run bench (all) or npm run bench:<name>.
set -euo pipefail
# Arguments starting with -- are options of the one benchmark named, such as: npm run bench:fleet -- --full
names=()
options=()
for argument in "$@"; do
  case "$argument" in
    --*) options+=("$argument") ;;
    *) names+=("$argument") ;;
  esac
done
if [ ${#options[@]} -gt 0 ] && [ "${names[*]}" != fleet ]; then
  echo "only bench:fleet takes options (${options[*]}): npm run bench:fleet -- --full" >&2
  exit 2
fi
[ ${#names[@]} -gt 0 ] || names=(engine fleet-engine api agent analysis)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
for name in "${names[@]}"; do
  case "$name" in
    api) node tools/dist/bench/control-plane/api.bench.js ;;
    agent) node tools/dist/bench/agent/agent.bench.js ;;
    engine) node tools/dist/bench/control-plane/engine.bench.js ;;
    fleet-engine) node tools/dist/bench/fleet-engine/fleet-engine.bench.js ;;
    analysis) node tools/dist/bench/control-plane/analysis.bench.js ;;
    fleet) node tools/dist/bench/fleet/fleet.bench.js "${options[@]}" ;;
    notifications) node tools/dist/bench/notifications/notifications.bench.js ;;
    *) echo "unknown benchmark: $name" >&2; exit 2 ;;
  esac
done

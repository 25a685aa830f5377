#!/usr/bin/env bash
# Runs the benchmarks and prints their figures: npm run bench (all) or npm run bench:<name>.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(engine fleet-engine api agent analysis)
for name in "${names[@]}"; do
  case "$name" in
    api) node tools/dist/bench/control-plane/api.bench.js ;;
    agent) node tools/dist/bench/agent/agent.bench.js ;;
    engine) node tools/dist/bench/control-plane/engine.bench.js ;;
    fleet-engine) node tools/dist/bench/fleet-engine/fleet-engine.bench.js ;;
    analysis) node tools/dist/bench/control-plane/analysis.bench.js ;;
    fleet) node tools/dist/bench/fleet/fleet.bench.js ;;
    notifications) node tools/dist/bench/notifications/notifications.bench.js ;;
    *) echo "unknown benchmark: $name" >&2; exit 2 ;;
  esac
done

#!/usr/bin/env bash
# Brings the whole system up on this machine and keeps it in the foreground; Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT INT TERM

node apps/api/dist/demo-bootstrap.js

export PORT="${PORT:-3000}"
node apps/api/dist/main.js &
pids+=($!)
node apps/api/dist/worker.js &
pids+=($!)

for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
cat <<INFO

Flotilla is up.
  GraphQL API   http://127.0.0.1:$PORT/graphql
  GraphiQL      http://127.0.0.1:$PORT/graphiql   (token in .flotilla/token)
  Health        http://127.0.0.1:$PORT/readyz
  Try:          curl -s http://127.0.0.1:$PORT/graphql -H "authorization: Bearer \$(cat .flotilla/token)" \\
                  -H 'content-type: application/json' -d '{"query":"{ clusters { name connectionState } }"}'
Ctrl-C stops everything.
INFO
wait -n "${pids[@]}"

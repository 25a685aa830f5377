#!/usr/bin/env bash
# Brings the whole demo up on this machine and keeps it in the foreground: the Kubernetes simulator with clusters
# staging, production, production-us and production-ap (and a Prometheus query API over their pods), the API, a
# worker, one agent per cluster, and the applications of deploy/demo: guestbook released as a canary with an analysis
# in staging and blue-green in production, a standalone Experiment in staging, and podinfo in every cluster with its
# FleetRollout. Ctrl-C stops everything. `npm start` (scripts/start.sh) runs it once PostgreSQL, Redis and the build
# are ready; run on its own, it expects them ready.
# Environment: DATABASE_URL, REDIS_URL and REDIS_PREFIX (of every process; the services' defaults otherwise), PORT
# (API, default 3000), KUBE_SIM_PORT (simulator, default 6443), DEMO_METRICS_PORT (the simulator's Prometheus query
# API, default 3002), WORKER_HEALTH_PORT (default 3001), API_METRICS_PORT and WORKER_METRICS_PORT (the METRICS_PORT
# of the API and of the worker, default 9464 and 9465), FLOTILLA_HOME (default .flotilla), LOG_LEVEL (of every
# process, default info; their logs go to $FLOTILLA_HOME/logs/), AUDIT_SIGNING_KEY_FILE (default
# $FLOTILLA_HOME/audit-signing-key.pem, generated at the first start).
set -euo pipefail
FLOTILLA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$FLOTILLA_ROOT"

export PORT="${PORT:-3000}"
KUBE_SIM_PORT="${KUBE_SIM_PORT:-6443}"
export WORKER_HEALTH_PORT="${WORKER_HEALTH_PORT:-3001}"
API_METRICS_PORT="${API_METRICS_PORT:-9464}"
WORKER_METRICS_PORT="${WORKER_METRICS_PORT:-9465}"
# Read by the demo bootstrap too, which points the demo's AnalysisTemplates at it.
export DEMO_METRICS_PORT="${DEMO_METRICS_PORT:-3002}"
export FLOTILLA_HOME="${FLOTILLA_HOME:-$FLOTILLA_ROOT/.flotilla}"
export FLOTILLA_URL="http://127.0.0.1:$PORT"
# The clusters of tools/src/demo/demo-layout.ts (DEMO_CLUSTERS), which also gives their labels and applications.
CLUSTERS=(staging production production-us production-ap)
LOGS="$FLOTILLA_HOME/logs"
mkdir -p "$LOGS" "$FLOTILLA_HOME/kube" "$FLOTILLA_HOME/agents"

say() { printf '[start] %s\n' "$*" >&2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$PORT" "$KUBE_SIM_PORT" "$WORKER_HEALTH_PORT" "$DEMO_METRICS_PORT" "$API_METRICS_PORT" "$WORKER_METRICS_PORT"; do
  if listening "$port"; then
    say "port $port is in use (another npm start?); stop it, or choose others with PORT=… KUBE_SIM_PORT=… WORKER_HEALTH_PORT=… DEMO_METRICS_PORT=… API_METRICS_PORT=… WORKER_METRICS_PORT=… npm start"
    exit 1
  fi
done

pids=()
names=()
stop_all() {
  trap - EXIT INT TERM
  say "stopping"
  # In reverse order of start, each gone before the next: agents before the API and the simulator they talk to.
  for ((index = ${#pids[@]} - 1; index >= 0; index--)); do
    kill "${pids[index]}" 2>/dev/null || true
    wait "${pids[index]}" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Runs a process in the background with its log in $LOGS/<name>.log, in its own session: Ctrl-C reaches this script
# only, which then stops the processes in order.
run() {
  local name=$1
  shift
  setsid "$@" >>"$LOGS/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

wait_until() {
  local what=$1
  shift
  for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done
  say "$what did not happen within 30 s; see $LOGS/"
  exit 1
}

# The key that signs audit checkpoints, made once like a mounted secret: only the API and the worker read it.
export AUDIT_SIGNING_KEY_FILE="${AUDIT_SIGNING_KEY_FILE:-$FLOTILLA_HOME/audit-signing-key.pem}"
if [ ! -s "$AUDIT_SIGNING_KEY_FILE" ]; then
  say "generating the audit signing key ${AUDIT_SIGNING_KEY_FILE#"$FLOTILLA_ROOT/"}"
  (umask 077 && node -e "process.stdout.write(require('node:crypto').generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }))" >"$AUDIT_SIGNING_KEY_FILE")
fi

rm -f "$FLOTILLA_HOME"/kube/*.yaml
say "starting the Kubernetes simulator on 127.0.0.1:$KUBE_SIM_PORT (clusters ${CLUSTERS[*]}), its Prometheus on 127.0.0.1:$DEMO_METRICS_PORT"
run kube-sim node libs/kube-sim/dist/main.js --port "$KUBE_SIM_PORT" --clusters "$(IFS=,; echo "${CLUSTERS[*]}")" \
  --kubeconfig-dir "$FLOTILLA_HOME/kube" --pod-ready-delay-ms 1000 --metrics-port "$DEMO_METRICS_PORT" --log-level "${LOG_LEVEL:-info}"
kubeconfigs_written() { for cluster in "${CLUSTERS[@]}"; do [ -s "$FLOTILLA_HOME/kube/$cluster.yaml" ] || return 1; done; }
wait_until "the simulator writing its kubeconfigs" kubeconfigs_written

say "starting the API on $FLOTILLA_URL and a worker"
run api env METRICS_PORT="$API_METRICS_PORT" node apps/api/dist/main.js
# The demo's AnalysisTemplate request-latency is measured by the worker, whose address policy refuses loopback
# unless told: the simulator's Prometheus listens on 127.0.0.1, so that one address is allowed, and nothing else.
run worker env CENTRAL_MEASUREMENT_ALLOW="${CENTRAL_MEASUREMENT_ALLOW:+$CENTRAL_MEASUREMENT_ALLOW,}127.0.0.1/32" METRICS_PORT="$WORKER_METRICS_PORT" \
  node apps/worker/dist/main.js
wait_until "the API answering /readyz" curl -fs "$FLOTILLA_URL/readyz" -o /dev/null

say "preparing the demo organization, clusters and application"
LOG_LEVEL="${LOG_LEVEL:-warn}" node tools/dist/demo/demo-bootstrap.js | sed 's/^/  /' >&2

for cluster in "${CLUSTERS[@]}"; do
  run "agent-$cluster" env FLOTILLA_AGENT_TOKEN_FILE="$FLOTILLA_HOME/agents/$cluster.token" KUBECONFIG="$FLOTILLA_HOME/kube/$cluster.yaml" \
    node apps/agent/dist/main.js
done
token="$(cat "$FLOTILLA_HOME/token")"
agents_connected() {
  for cluster in "${CLUSTERS[@]}"; do
    curl -fs "$FLOTILLA_URL/graphql" -H "authorization: Bearer $token" -H 'content-type: application/json' \
      -d "{\"query\":\"{ cluster(name: \\\"$cluster\\\") { connectionState } }\"}" | grep -q '"Connected"' || return 1
  done
}
wait_until "every agent connecting" agents_connected

cli="node apps/cli/dist/main.js"
# The CLI finds the demo by itself in .flotilla (its token, and its address in .flotilla/server); anywhere else it is told.
[ "$FLOTILLA_HOME" = "$FLOTILLA_ROOT/.flotilla" ] || cli="FLOTILLA_SERVER=$FLOTILLA_URL FLOTILLA_TOKEN=\$(cat $FLOTILLA_HOME/token) $cli"
set_image='mutation { setImage(rollout: { cluster: \"staging\", namespace: \"guestbook\", name: \"guestbook\" }, container: \"guestbook\", image: \"argoproj/rollouts-demo:yellow\") { id state } }'
cat <<INFO

Flotilla is up with ${#CLUSTERS[@]} clusters ($(IFS=,; echo "${CLUSTERS[*]}" | sed 's/,/, /g')): guestbook runs as a canary in staging
and blue-green in production (namespace guestbook), podinfo in every cluster (namespace podinfo), released across
them by its FleetRollout (deploy/demo/podinfo/fleet-rollout.yaml). guestbook's canary is analysed against the
simulator's Prometheus, and the Experiment guestbook-purple runs beside it in staging.
  GraphQL API   $FLOTILLA_URL/graphql            (token in ${FLOTILLA_HOME#"$FLOTILLA_ROOT/"}/token)
  GraphiQL      $FLOTILLA_URL/graphiql           (add the header  Authorization: Bearer <token>)
  Health        $FLOTILLA_URL/readyz
  Metrics       http://127.0.0.1:$API_METRICS_PORT/metrics (API)   http://127.0.0.1:$WORKER_METRICS_PORT/metrics (worker)
  Clusters      https://127.0.0.1:$KUBE_SIM_PORT/clusters/{$(IFS=,; echo "${CLUSTERS[*]}")}   (kubeconfigs in ${FLOTILLA_HOME#"$FLOTILLA_ROOT/"}/kube/)
  kubectl       KUBECONFIG=${FLOTILLA_HOME#"$FLOTILLA_ROOT/"}/kube/staging.yaml kubectl get pods,rs,svc -n guestbook
  Prometheus    http://127.0.0.1:$DEMO_METRICS_PORT/api/v1/query   (the simulated pods' metrics: deploy/demo/README.md)
  Logs          ${LOGS#"$FLOTILLA_ROOT/"}/
INFO
if curl -fs "$FLOTILLA_URL/" 2>/dev/null | grep -qi '<html'; then echo "  Dashboard     $FLOTILLA_URL/"; fi
cat <<INFO

Release a new image in staging:
  curl -s $FLOTILLA_URL/graphql -H "authorization: Bearer \$(cat ${FLOTILLA_HOME#"$FLOTILLA_ROOT/"}/token)" -H 'content-type: application/json' \\
    -d '{"query":"$set_image"}'
INFO
if [ -f apps/cli/dist/main.js ]; then
  cat <<INFO
or with the CLI:
  $cli set image guestbook guestbook=argoproj/rollouts-demo:yellow --cluster staging --namespace guestbook
(an image whose tag contains "bad" but is not just "bad", such as argoproj/rollouts-demo:red-bad, runs but fails
its analysis, which aborts the release). Watch it, and promote past the pause once the analysis passed:
  $cli get rollout guestbook --cluster staging --namespace guestbook --watch
  $cli promote guestbook --cluster staging --namespace guestbook
The same in production (blue-green): --cluster production.
Release a new podinfo across the fleet, wave by wave (staging, production-eu, then production-rest once approved):
  $cli fleet release podinfo --image podinfo=ghcr.io/stefanprodan/podinfo:6.7.1 --reason "podinfo 6.7.1"
  $cli fleet get podinfo --watch
  $cli fleet approve podinfo
INFO
fi
echo "Ctrl-C stops everything."

set +e
wait -n "${pids[@]}"
status=$?
for index in "${!pids[@]}"; do
  if ! kill -0 "${pids[index]}" 2>/dev/null; then say "${names[index]} stopped unexpectedly (status $status); its log: $LOGS/${names[index]}.log"; fi
done
exit "$status"

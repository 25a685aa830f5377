#!/usr/bin/env bash
# Programs the tests drive that a fresh Debian machine lacks: Prometheus (a metric provider is tested against the
# real one, and its promtool checks the metrics the API and worker serve), Chromium (the dashboard is tested in a real
# browser), redis-sentinel and PgBouncer (the system is tested on Redis behind Sentinel and Postgres behind
# PgBouncer) and HAProxy (API replicas are tested behind it). Installed with apt-get when missing.
# Usage: source scripts/test-tools.sh
set -euo pipefail

tool_install() {
  if ! command -v apt-get >/dev/null; then printf '[test-tools] cannot install %s: no apt-get on this machine\n' "$*" >&2; return 1; fi
  printf '[test-tools] installing %s with apt-get\n' "$*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 || {
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
  }
}

command -v prometheus >/dev/null && command -v promtool >/dev/null || tool_install prometheus
command -v chromium >/dev/null || tool_install chromium
command -v redis-sentinel >/dev/null || tool_install redis-sentinel
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || tool_install pgbouncer
command -v haproxy >/dev/null || tool_install haproxy

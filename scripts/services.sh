#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer at DATABASE_URL and REDIS_URL, installing and starting local ones
# (bound to 127.0.0.1, data under .data/) when nothing is listening, and creates the database.
# Usage: source scripts/services.sh   (exports DATABASE_URL and REDIS_URL)
set -euo pipefail

FLOTILLA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/flotilla}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
DATA_DIR="$FLOTILLA_ROOT/.data"

log() { printf '[services] %s\n' "$*" >&2; }

url_part() { node -e 'const u=new URL(process.argv[1]);const p={host:u.hostname,port:u.port||process.argv[3],user:decodeURIComponent(u.username),db:u.pathname.slice(1)};console.log(p[process.argv[2]])' "$1" "$2" "$3"; }

apt_install() {
  if ! command -v apt-get >/dev/null; then log "cannot install $*: no apt-get on this machine"; return 1; fi
  log "installing $* with apt-get"
  if [ ! -f "$DATA_DIR/.apt-updated" ]; then apt-get update -qq >&2; mkdir -p "$DATA_DIR"; touch "$DATA_DIR/.apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

is_local_host() { case "$1" in 127.*|localhost|::1) return 0;; *) return 1;; esac; }

ensure_postgres() {
  local host port user db
  host=$(url_part "$DATABASE_URL" host 5432); port=$(url_part "$DATABASE_URL" port 5432)
  user=$(url_part "$DATABASE_URL" user 5432); db=$(url_part "$DATABASE_URL" db 5432)
  if ! command -v pg_isready >/dev/null; then apt_install postgresql; fi
  if ! pg_isready -q -h "$host" -p "$port"; then
    is_local_host "$host" || { log "PostgreSQL at $host:$port does not answer"; return 1; }
    local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$bin" ] || { apt_install postgresql; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); }
    local pgdata="$DATA_DIR/postgres"
    mkdir -p "$pgdata"
    local run_as=(); [ "$(id -u)" = 0 ] && { chown -R postgres:postgres "$pgdata"; run_as=(runuser -u postgres --); }
    if [ ! -f "$pgdata/PG_VERSION" ]; then
      log "initialising a PostgreSQL cluster in $pgdata"
      "${run_as[@]}" "$bin/initdb" -D "$pgdata" -U "${user:-postgres}" --auth=trust >/dev/null
    fi
    log "starting PostgreSQL on $host:$port"
    "${run_as[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pgdata" start >/dev/null
  fi
  local admin_url="${DATABASE_URL%/*}/postgres"
  if [ "$(psql "$admin_url" -tAc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    log "creating database $db"
    psql "$admin_url" -qc "create database \"$db\"" >/dev/null
  fi
}

ensure_redis() {
  local host port
  host=$(url_part "$REDIS_URL" host 6379); port=$(url_part "$REDIS_URL" port 6379)
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
  if [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" != PONG ]; then
    is_local_host "$host" || { log "Redis at $host:$port does not answer"; return 1; }
    mkdir -p "$DATA_DIR/redis"
    log "starting Redis on 127.0.0.1:$port"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --dir "$DATA_DIR/redis" --pidfile "$DATA_DIR/redis/redis.pid" --logfile "$DATA_DIR/redis/redis.log"
    for _ in $(seq 50); do [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  fi
}

ensure_postgres
ensure_redis
log "PostgreSQL and Redis are ready"

#!/usr/bin/env bash
# Everything `npm start` and `npm test` need before they run: dependencies, PostgreSQL and Redis, the
# database schema and a build. Each step is skipped when already done, so running it again is cheap.
# Usage: source scripts/setup.sh
set -euo pipefail
FLOTILLA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$FLOTILLA_ROOT"

step() { printf '\n[setup] %s\n' "$*" >&2; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  step "installing dependencies (npm install)"
  npm install --no-audit --no-fund >&2
fi

step "checking PostgreSQL and Redis"
source scripts/services.sh

step "generating the database client"
bash scripts/generate-database-client.sh

step "applying database migrations to ${DATABASE_URL%%\?*}"
npx --no-install prisma migrate deploy 2>&1 | grep -E 'applied|migrations found|No pending|Error' >&2 || true

step "building (tsc -b)"
npx --no-install tsc -b

step "building the dashboard (vite build)"
npx --no-install vite build apps/dashboard --logLevel warn

#!/usr/bin/env bash
# `npm start`: prepares this checkout (dependencies, PostgreSQL and Redis, migrations, build; see setup.sh), then
# brings the demo up in the foreground (demo.sh, which describes it and its environment). Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec bash scripts/demo.sh

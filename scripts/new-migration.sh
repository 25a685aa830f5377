#!/usr/bin/env bash
# Writes a migration for what prisma/schema.prisma changed since the last one: npm run db:diff -- <name>
set -euo pipefail
name="${1:?usage: npm run db:diff -- <migration_name>}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/services.sh
folder="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$folder"
npx --no-install prisma migrate diff --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --script > "$folder/migration.sql"
echo "wrote $folder/migration.sql; apply it with: npm run db:migrate"

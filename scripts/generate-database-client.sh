#!/usr/bin/env bash
# Generates the Prisma client into libs/stores/src/generated/prisma. The stores library is compiled with declarations,
# and TypeScript cannot write one for the three JSON null sentinels (instances of classes Prisma's runtime does not
# export, TS4094): each is given the type of the runtime value it is, which a declaration can name.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx --no-install prisma generate >/dev/null
sed -E -i -e 's/^export const (DbNull|JsonNull|AnyNull) = runtime\.objectEnumValues\.instances\.(DbNull|JsonNull|AnyNull)$/export const \1: typeof runtime.objectEnumValues.instances.\2 = runtime.objectEnumValues.instances.\2/' \
  -e 's/^  (DbNull|JsonNull|AnyNull): (DbNull|JsonNull|AnyNull)(,?)$/  \1: \2 as typeof \2\3/' \
  libs/stores/src/generated/prisma/internal/prismaNamespace.ts libs/stores/src/generated/prisma/internal/prismaNamespaceBrowser.ts

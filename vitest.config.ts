import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every entry point a library exports (`@flotilla/<lib>` and subpaths such as `@flotilla/<lib>/job`), to its source. */
function libraryAliases(library: string): Array<{ find: RegExp; replacement: string }> {
  const manifest = JSON.parse(readFileSync(`${root}libs/${library}/package.json`, 'utf8')) as {
    exports: Record<string, { source: string }>;
  };
  return Object.entries(manifest.exports).map(([subpath, entry]) => ({
    find: new RegExp(`^${escapeRegExp(`@flotilla/${library}${subpath.slice(1)}`)}$`),
    replacement: `${root}libs/${library}/${entry.source.replace(/^\.\//, '')}`,
  }));
}

// graphql ships both an ES module and a CommonJS build; the application must load the same copy as the
// frameworks that run it (Node picks the CommonJS one), or its `instanceof` checks fail.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

const ISOLATED_FILES = ['test/faults/**/*.test.ts', 'test/api/memory-soak.test.ts'];

export default defineConfig({
  resolve: { alias: [...readdirSync(`${root}libs`).flatMap(libraryAliases), { find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Integration files share one database, and each runs its workers and API on a Redis prefix of its own: side by
    // side, one file's worker would sweep up another's rollouts and announce their changes where that file's API
    // never hears them. One file at a time, as vitest runs them on two cores anyway.
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['libs/*/src/**/*.test.ts', 'tools/src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ISOLATED_FILES,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      // Files whose processes use nothing another file's workers could reach (a Postgres and Redis of their own, or
      // an API with no worker on a Redis prefix of its own), and which mostly wait: scripts/test.sh runs them in a
      // second vitest beside the rest.
      { extends: true, test: { name: 'isolated', include: ISOLATED_FILES, globalSetup: ['test/support/global-setup.ts'] } },
    ],
  },
});

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every entry point a library exports (`@flotilla/<lib>` and subpaths such as `@flotilla/<lib>/job`), to its source. */
function libraryAliases(library: string): Array<{ find: RegExp; replacement: string }> {
  const manifest = JSON.parse(readFileSync(`${root}libs/${library}/package.json`, 'utf8')) as { exports: Record<string, { source: string }> };
  return Object.entries(manifest.exports).map(([subpath, entry]) => ({
    find: new RegExp(`^${escapeRegExp(`@flotilla/${library}${subpath.slice(1)}`)}$`),
    replacement: `${root}libs/${library}/${entry.source.replace(/^\.\//, '')}`,
  }));
}

// graphql ships both an ES module and a CommonJS build; the application must load the same copy as the
// frameworks that run it (Node picks the CommonJS one), or its `instanceof` checks fail.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

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
      { extends: true, test: { name: 'unit', include: ['libs/*/src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});

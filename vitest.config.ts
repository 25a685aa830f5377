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

// Files that bring up whole systems (API, workers, agents, a simulator, private services) and mostly wait on them.
const SYSTEM_FILES = ['test/e2e/**/*.test.ts', 'test/analysis/**/*.test.ts', 'test/faults/**/*.test.ts', 'test/api/memory-soak.test.ts'];
export default defineConfig({
  resolve: { alias: [...readdirSync(`${root}libs`).flatMap(libraryAliases), { find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The files of one run share one database, and each runs its workers and API on a Redis prefix of its own: side by
    // side, one file's worker would sweep up another's rollouts and announce their changes where that file's API
    // never hears them. One file at a time in each run; scripts/test.sh runs two side by side (see `systems`).
    fileParallelism: false,
    projects: [
      // The unit and integration files run one after another in one process each (no file changes a module's
      // state for the next: nothing is mocked and every process, port and key prefix a file starts is its own), so
      // that the sources are loaded once and not again for every file.
      { extends: true, test: { name: 'unit', isolate: false, include: ['libs/*/src/**/*.test.ts', 'tools/src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          isolate: false,
          include: ['apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: SYSTEM_FILES,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      // scripts/test.sh runs these in a second vitest beside the rest. Its global set-up makes a database of its own,
      // and every file works under a Redis key prefix of its own, so neither run's workers can reach the other's
      // rollouts. Each file gets a fresh process: some stop and freeze the services they start.
      { extends: true, test: { name: 'systems', include: SYSTEM_FILES, globalSetup: ['test/support/global-setup.ts'] } },
    ],
  },
});

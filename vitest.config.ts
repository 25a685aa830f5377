import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const libraryAliases = readdirSync(`${root}libs`).map((library) => ({
  find: `@flotilla/${library}`,
  replacement: `${root}libs/${library}/src/index.ts`,
}));

// graphql ships both an ES module and a CommonJS build; the application must load the same copy as the
// frameworks that run it (Node picks the CommonJS one), or its `instanceof` checks fail.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [...libraryAliases, { find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
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

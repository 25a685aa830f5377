import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Imports a pure library may never make: it decides, it does not perform. */
const IO_PACKAGES = [
  '@nestjs/*',
  '@prisma/*',
  'bullmq',
  'ioredis',
  'pg',
  '@kubernetes/client-node',
  'ws',
  'undici',
  'pino',
  'node:*',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
];

export default tseslint.config(
  {
    ignores: [
      '.bench-compare/**',
      '**/dist/**',
      '**/node_modules/**',
      '**/generated/**',
      '.nx/**',
      'test-results/**',
      'coverage/**',
      '.flotilla/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.typecheck.json'], tsconfigRootDir: import.meta.dirname } },
    plugins: { '@nx': nx, 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.typecheck.json' })],
    },
    rules: {
      // Within a project: between projects, the module-boundary rule below forbids cycles.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure'], bannedExternalImports: IO_PACKAGES },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:pure', 'type:adapter'] },
            { sourceTag: 'type:node', onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:node'] },
            { sourceTag: 'type:store', onlyDependOnLibsWithTags: ['type:pure', 'type:shell'] },
            { sourceTag: 'type:shell', onlyDependOnLibsWithTags: ['type:pure', 'type:shell', 'type:store'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:pure', 'type:adapter', 'type:node', 'type:store', 'type:shell'] },
            { sourceTag: 'scope:agent', notDependOnLibsWithTags: ['type:store', 'scope:engine', 'type:test'] },
            // Benchmarks and the demo bootstrap drive whole systems from a checkout; nothing depends on them.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/dashboard/**/*.ts', 'apps/dashboard/**/*.tsx'],
    languageOptions: { parserOptions: { project: ['./apps/dashboard/tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Only the stores reach the database: the applications go through them.
    files: ['apps/**/*.ts', 'apps/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@prisma/*', 'pg', '@flotilla/stores/prisma'], message: 'reach the database through a store of @flotilla/stores' },
          ],
        },
      ],
    },
  },
  {
    // Tests are never built into a product (test/build/production-builds.test.ts checks that): they may reach any
    // library, and the support under test/ that is no project of its own.
    files: ['**/*.test.ts', '**/*.test-support.ts', 'test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  { files: ['**/*.mjs', '**/*.cjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);

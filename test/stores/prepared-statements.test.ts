import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PreparedStatement } from '../../libs/stores/src/database/sql.js';

/**
 * Every hand-written statement of the stores, planned by Postgres against the migrated schema: a renamed column or
 * table, or a type that no longer fits, fails here instead of in production. A statement is any exported
 * `PreparedStatement` of a module of libs/stores.
 */
const storesSource = fileURLToPath(new URL('../../libs/stores/src/', import.meta.url));

function modulesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : modulesUnder(join(directory, entry.name));
    const isModule = entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'index.ts';
    return isModule ? [join(directory, entry.name)] : [];
  });
}

const isPreparedStatement = (value: unknown): value is PreparedStatement =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>).name === 'string' &&
  typeof (value as Record<string, unknown>).text === 'string';

const statements: { module: string; exported: string; statement: PreparedStatement }[] = [];
for (const path of modulesUnder(storesSource)) {
  const exports = (await import(path)) as Record<string, unknown>;
  for (const [exported, value] of Object.entries(exports))
    if (isPreparedStatement(value)) statements.push({ module: relative(storesSource, path), exported, statement: value });
}

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
});
afterAll(() => client.end());

describe('hand-written SQL of the stores', () => {
  it('finds the statements of the stores that keep SQL', () => {
    const modules = new Set(statements.map(({ module }) => module));
    expect([...modules].sort()).toEqual(
      expect.arrayContaining(['analysis-runs/analysis-run-store.ts', 'audit/audit-store.ts', 'rollouts/reconcile-batches.ts']),
    );
    expect(new Set(statements.map(({ statement }) => statement.name)).size).toBe(statements.length);
  });

  it.each(statements.map((entry) => [`${entry.module} ${entry.exported}`, entry.statement] as const))(
    '%s is planned against the migrated schema',
    async (_name, statement) => {
      await client.query(`PREPARE schema_check AS ${statement.text}`);
      await client.query('DEALLOCATE schema_check');
    },
  );
});

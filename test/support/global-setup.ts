import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A fresh database for this test run, migrated with the real migrations, dropped at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const baseUrl = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/flotilla');
  const database = `flotilla_test_${Date.now()}_${process.pid}`;
  const adminUrl = new URL(baseUrl);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  const testUrl = new URL(baseUrl);
  testUrl.pathname = `/${database}`;
  execFileSync(process.execPath, [`${root}node_modules/prisma/build/index.js`, 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: testUrl.toString() },
    stdio: 'pipe',
  });
  project.provide('databaseUrl', testUrl.toString());
  project.provide('redisUrl', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  };
}

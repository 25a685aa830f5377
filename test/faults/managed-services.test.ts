import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2eSystem } from '../support/e2e-system.js';
import { releaseThroughFault } from '../support/fault-release.js';
import { PrivatePgBouncer, PrivateRedisSentinel } from '../support/private-services.js';
import { eventually } from '../support/processes.js';

// The system as users run it on managed services: Redis as a primary and a replica watched by three sentinels,
// Postgres behind PgBouncer in transaction pooling mode. Every process reaches Redis through the sentinels only
// and Postgres through the pooler only; migrations alone go straight to Postgres.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const STEPS = [{ setWeight: 20 }, { pause: { duration: '1s' } }, { setWeight: 40 }, { pause: { duration: '1s' } }, { setWeight: 80 }];

const database = `flotilla_managed_${Date.now()}_${process.pid}`;
const directUrl = Object.assign(new URL(inject('databaseUrl')), { pathname: `/${database}` }).toString();
const adminUrl = Object.assign(new URL(inject('databaseUrl')), { pathname: '/postgres' }).toString();
let redis: PrivateRedisSentinel | undefined;
let bouncer: PrivatePgBouncer | undefined;
let system: E2eSystem | undefined;

function migrate(environment: Record<string, string>): Promise<{ stdout: string }> {
  const { DATABASE_DIRECT_URL: _direct, ...inherited } = process.env;
  return run(process.execPath, [`${root}node_modules/prisma/build/index.js`, 'migrate', 'deploy'], {
    cwd: root,
    env: { ...inherited, ...environment },
  });
}

async function asAdmin(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  await asAdmin(`CREATE DATABASE "${database}"`);
  [redis, bouncer] = await Promise.all([PrivateRedisSentinel.start(3), PrivatePgBouncer.start(directUrl)]);
  await migrate({ DATABASE_URL: bouncer.url, DATABASE_DIRECT_URL: directUrl });
  system = await E2eSystem.start({
    workers: 1,
    databaseUrl: bouncer.url,
    redis: redis.target,
    podReadyDelayMs: 100,
    clusters: { staging: {} },
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await Promise.all([redis?.stop(), bouncer?.stop()]);
  await asAdmin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
});

describe('managed Redis and Postgres', { timeout: 120_000 }, () => {
  it('refuses to migrate through PgBouncer without a direct URL', async () => {
    await expect(migrate({ DATABASE_URL: bouncer!.url })).rejects.toThrow(/set DATABASE_DIRECT_URL/);
  });

  it('finishes a release through PgBouncer when the Redis primary is killed mid-release and Sentinel fails over', async () => {
    const sentinels = redis!;
    const recorded = await releaseThroughFault(system!, 'sentinel-failover', STEPS, async () => {
      await sentinels.primary.kill();
      await eventually(
        async () => (await sentinels.primaryPort()) === sentinels.replica.port,
        20_000,
        'the sentinels to promote the replica',
      );
    });
    expect(recorded).toEqual(STEPS.map((_step, index) => index));
    for (const worker of system!.runningWorkers)
      await eventually(async () => (await fetch(`${worker.healthUrl}/readyz`)).status === 200, 20_000, 'the worker to be ready');
    expect((await fetch(`${system!.apiUrl}/readyz`)).status).toBe(200);
  });
});

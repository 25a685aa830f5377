import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { organizationScope, systemScope } from '../../libs/stores/src/scope/scope.js';
import { initialStatus } from '../../libs/rollout-engine/src/reconcile.js';
import { RoundTripCounter, throughCounter } from '../support/round-trip-counter.js';

// A transaction's statements go out pipelined: each round trip to Postgres wakes both processes, and on a shared
// machine the wake-ups, not the statements, are most of what a small transaction costs.
const TABLE = `pipelined_${process.pid}`;

let counter: RoundTripCounter;
let sql: SqlPool;
let database: DatabaseClient;
let redis: Redis;

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  counter = await RoundTripCounter.start({ host: url.hostname, port: Number(url.port || 5432) });
  // One connection, opened before counting starts, so that every round trip counted is a statement's.
  sql = new SqlPool(throughCounter(inject('databaseUrl'), counter), 1);
  database = createDatabaseClient(inject('databaseUrl'), 2);
  redis = new Redis(inject('redisUrl'));
  await sql.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id integer PRIMARY KEY, note text NOT NULL)`);
});
afterAll(async () => {
  await sql.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
  await Promise.allSettled([sql.end(), database.$disconnect(), redis.quit()]);
  await counter.stop();
});
beforeEach(async () => {
  await sql.query(`DELETE FROM ${TABLE}`);
  counter.take();
});

const notes = async (): Promise<string[]> =>
  (await sql.query<{ note: string }>(`SELECT note FROM ${TABLE} ORDER BY id`)).map(({ note }) => note);

describe('a pipelined transaction', () => {
  it('sends its BEGIN with its first statement and its COMMIT with the statements sent last: two round trips', async () => {
    const answered = await sql.transaction(async (session) => {
      const [inserted] = await session.query<{ id: number }>(`INSERT INTO ${TABLE} VALUES (1, 'waited for') RETURNING id`);
      session.send(`INSERT INTO ${TABLE} VALUES (2, 'sent')`);
      session.send(`UPDATE ${TABLE} SET note = note || ' and updated' WHERE id = $1`, [inserted?.id]);
      return inserted?.id;
    });

    expect(counter.take()).toBe(2);
    expect(answered).toBe(1);
    expect(await notes()).toEqual(['waited for and updated', 'sent']);
  });

  it('fails with the error of a statement sent and not waited for, and keeps nothing of it', async () => {
    const transaction = sql.transaction(async (session) => {
      await session.query(`INSERT INTO ${TABLE} VALUES (1, 'first')`);
      session.send(`INSERT INTO ${TABLE} VALUES (1, 'the same id again')`);
      return 'finished its work';
    });

    await expect(transaction).rejects.toThrow(/duplicate key/);
    expect(await notes()).toEqual([]);
  });

  it('rolls back the statements it sent when its work fails, and leaves the connection usable', async () => {
    const transaction = sql.transaction(async (session) => {
      session.send(`INSERT INTO ${TABLE} VALUES (1, 'sent')`);
      session.send(`INSERT INTO ${TABLE} VALUES (1, 'sent again, and failing')`);
      await session.query('SELECT 1');
    });

    await expect(transaction).rejects.toThrow(/duplicate key|current transaction is aborted/);
    expect(await notes()).toEqual([]);
    await sql.transaction((session) => {
      session.send(`INSERT INTO ${TABLE} VALUES (3, 'afterwards')`);
      return Promise.resolve();
    });
    expect(await notes()).toEqual(['afterwards']);
  });
});

describe('a reconcile write', () => {
  it('takes two round trips: the write with the chain heads locked behind it, then its audit events with the commit', async () => {
    const eventBus = new EventBus(redis, redis, createLogger('test', 'warn'), `test-pipelined-${process.pid}`);
    const audit = new AuditStore(database, eventBus);
    const store = new RolloutStore(database, { sql, audit });
    const label = `pipelined-${randomUUID()}`;
    const organization = await database.organization.create({ data: { name: label } });
    const cluster = await database.cluster.create({ data: { organizationId: organization.id, name: 'staging', agentTokenHash: label } });
    const spec = {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      strategy: { canary: {} },
    };
    const rollout = await database.rollout.create({
      data: { organizationId: organization.id, clusterId: cluster.id, namespace: 'shop', name: 'web', spec },
      select: { id: true, organizationId: true, clusterId: true, namespace: true },
    });
    const status = { ...initialStatus('hash-1', 1, '2026-12-06T12:00:00.000Z'), phase: 'Paused' as const, message: 'paused' };
    counter.take();

    const result = await store.writeReconcile(systemScope('worker'), {
      rollout,
      expectedVersion: 0,
      update: {
        spec: undefined,
        generation: 1,
        specChangedBy: 'token:test',
        status,
        desiredState: undefined,
        desiredVersion: 0,
        nextReconcileAt: null,
        version: 1,
      },
      settledOperations: [],
      revisionStarts: [],
      revisionFinishes: [],
      currentRevision: undefined,
      analysisRunStarts: [],
      analysisRunsToEnd: [],
      experimentStarts: [],
      experimentUpdates: [],
      audit: [{ actor: 'engine', action: 'rollout.paused', targetType: 'Rollout', targetName: 'staging/shop/web' }],
      now: new Date(),
    });

    expect(counter.take()).toBe(2);
    expect(result).toMatchObject({ written: true });
    expect(await database.rollout.findUniqueOrThrow({ where: { id: rollout.id } })).toMatchObject({ version: 1, phase: 'Paused' });
    const chain = await audit.verifyChain(organizationScope(organization.id));
    expect({ valid: chain.valid, checkedEvents: chain.checkedEvents }).toEqual({ valid: true, checkedEvents: 1 });
  });
});

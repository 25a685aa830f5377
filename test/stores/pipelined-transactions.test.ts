import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { organizationScope, systemScope } from '../../libs/stores/src/scope/scope.js';
import { initialStatus } from '../../libs/rollout-engine/src/reconcile.js';
import { organizationWithClusters, statusWrite } from '../support/fleet-fixture.js';
import { RoundTripCounter, throughCounter } from '../support/round-trip-counter.js';
import { storesForThisFile } from '../support/stores-for-file.js';

// A transaction's statements go out pipelined: each round trip to Postgres wakes both processes, and on a shared
// machine the wake-ups, not the statements, are most of what a small transaction costs.
const TABLE = `pipelined_${process.pid}`;
const stores = await storesForThisFile(`test-pipelined-${process.pid}`, createLogger('test', 'warn'));

let counter: RoundTripCounter;
let sql: SqlPool;

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  counter = await RoundTripCounter.start({ host: url.hostname, port: Number(url.port || 5432) });
  // One connection, opened before counting starts, so that every round trip counted is a statement's.
  sql = new SqlPool(throughCounter(inject('databaseUrl'), counter), 1);
  await sql.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id integer PRIMARY KEY, note text NOT NULL)`);
});
afterAll(async () => {
  await sql.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
  await sql.end();
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

    // The statement awaited is refused as "current transaction is aborted"; the cause is the one sent before it.
    await expect(transaction).rejects.toThrow(/duplicate key/);
    expect(await notes()).toEqual([]);
    await sql.transaction((session) => {
      session.send(`INSERT INTO ${TABLE} VALUES (3, 'afterwards')`);
      return Promise.resolve();
    });
    expect(await notes()).toEqual(['afterwards']);
  });

  it('answers its result once committed though an effect after the commit fails, and keeps what it wrote', async () => {
    let effectsRun = 0;
    const answered = await sql.transaction((session, afterCommit) => {
      session.send(`INSERT INTO ${TABLE} VALUES (1, 'kept')`);
      afterCommit.add(() => {
        effectsRun += 1;
        return Promise.reject(new Error('Redis is away'));
      });
      afterCommit.add(() => {
        effectsRun += 1;
      });
      return Promise.resolve('committed');
    });

    expect(answered).toBe('committed');
    expect(effectsRun).toBe(2);
    expect(await notes()).toEqual(['kept']);
  });
});

describe('a reconcile write', () => {
  it('takes two round trips: the write with the chain heads locked behind it, then its audit events with the commit', async () => {
    const { organizationId, rolloutIds } = await organizationWithClusters(stores, 'pipelined', [{ name: 'staging', labels: {} }], {
      rollouts: stores.rollouts,
      image: 'shop/checkout:1',
    });
    const rollouts = new RolloutStore(stores.database, { sql, audit: stores.audit });
    const rollout = await rollouts.loadForReconcile(systemScope('worker'), rolloutIds.staging as string);
    if (!rollout) throw new Error('the rollout was not stored');
    const status = { ...initialStatus('hash-1', rollout.generation, '2026-12-06T12:00:00.000Z'), phase: 'Paused' as const };
    const audit = [{ actor: 'engine', action: 'rollout.paused', targetType: 'Rollout', targetName: 'staging/shop/checkout' }];
    counter.take();

    const result = await rollouts.writeReconcile(systemScope('worker'), statusWrite(rollout, status, new Date(), audit));

    expect(counter.take()).toBe(2);
    expect(result).toMatchObject({ written: true });
    expect(await stores.database.rollout.findUniqueOrThrow({ where: { id: rollout.id } })).toMatchObject({ phase: 'Paused' });
    const events = await stores.database.auditEvent.findMany({ where: { organizationId, action: 'rollout.paused' } });
    expect(events.map((event) => event.targetName)).toEqual(['staging/shop/checkout']);
    expect((await stores.audit.verifyChain(organizationScope(organizationId))).valid).toBe(true);
  });
});

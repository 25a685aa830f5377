import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { organizationScope } from '../../libs/stores/src/scope/scope.js';
import { ReconcileStore, type ReconcileWritePlan } from '../../libs/stores/src/rollouts/reconcile-store.js';

let database: DatabaseClient;
let sql: SqlPool;
let redis: Redis;
let audit: AuditStore;
let store: ReconcileStore;

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  sql = new SqlPool(inject('databaseUrl'), 4);
  redis = new Redis(inject('redisUrl'));
  const eventBus = new EventBus(redis, redis, createLogger('test', 'warn'), `test-reconcile-store-${process.pid}`);
  audit = new AuditStore(database, eventBus);
  store = new ReconcileStore(sql, audit);
});
afterAll(async () => {
  await Promise.allSettled([database.$disconnect(), sql.end(), redis.quit()]);
});

let counter = 0;

async function storedRollout(): Promise<ReconcileWritePlan['rollout']> {
  counter += 1;
  const label = `store-${process.pid}-${counter}`;
  const organization = await database.organization.create({ data: { name: label } });
  const cluster = await database.cluster.create({ data: { organizationId: organization.id, name: 'staging', agentTokenHash: label } });
  const spec = {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } },
    strategy: { canary: {} },
  };
  return database.rollout.create({
    data: { organizationId: organization.id, clusterId: cluster.id, namespace: 'shop', name: 'web', spec },
    select: { id: true, organizationId: true, clusterId: true, namespace: true },
  });
}

function plan(rollout: ReconcileWritePlan['rollout'], phase: string, revision: number): ReconcileWritePlan {
  return {
    rollout,
    expectedVersion: 0,
    update: {
      spec: { replicas: 1 },
      generation: 1,
      specChangedBy: 'token:test',
      status: { phase, message: `${phase} by this plan`, observedGeneration: 1 },
      desiredState: { replicaSets: [] },
      desiredVersion: 1,
      nextReconcileAt: null,
      version: 1,
    },
    settledOperations: [],
    revisionStarts: [
      { revision, podTemplateHash: `hash-${revision}`, images: ['web:1'], specSnapshot: { replicas: 1 }, startedBy: 'token:test' },
    ],
    revisionFinishes: [],
    analysisRunStarts: [],
    analysisRunsToEnd: [],
    experimentStarts: [],
    experimentUpdates: [],
    audit: [
      { actor: 'engine', action: 'rollout.status_changed', targetType: 'Rollout', targetName: `staging/shop/${phase}`, after: { phase } },
    ],
    now: new Date(),
  };
}

describe('batched reconcile writes', () => {
  it('writes one of two reconciles of a rollout read at the same version, and reports the other as lost', async () => {
    const rollout = await storedRollout();
    const results = await Promise.all([store.write(plan(rollout, 'Progressing', 1)), store.write(plan(rollout, 'Paused', 1))]);

    expect(results.map((result) => result.written)).toEqual([true, false]);
    const row = await database.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect({ phase: row.phase, version: row.version }).toEqual({ phase: 'Progressing', version: 1 });
    const events = await database.auditEvent.findMany({ where: { organizationId: rollout.organizationId } });
    expect(events.map((event) => event.targetName)).toEqual(['staging/shop/Progressing']);
    expect(await database.rolloutRevision.count({ where: { rolloutId: rollout.id } })).toBe(1);
  });

  it('replaces the spec and desired state when a write carries them, and keeps them when it leaves them out', async () => {
    const rollout = await storedRollout();
    const changed = plan(rollout, 'Progressing', 1);
    const carried = { spec: { replicas: 3 }, desiredState: { replicaSets: [{ podTemplateHash: 'hash-1', replicas: 3 }] } };
    expect(await store.write({ ...changed, update: { ...changed.update, ...carried } })).toMatchObject({ written: true });
    const replaced = await database.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect({ spec: replaced.spec, desiredState: replaced.desiredState }).toEqual(carried);

    const unchanged = plan(rollout, 'Paused', 2);
    const left = {
      ...unchanged,
      expectedVersion: 1,
      update: { ...unchanged.update, version: 2, spec: undefined, desiredState: undefined },
    };
    expect(await store.write(left)).toMatchObject({ written: true });
    const kept = await database.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect({ spec: kept.spec, desiredState: kept.desiredState, phase: kept.phase, version: kept.version }).toEqual({
      ...carried,
      phase: 'Paused',
      version: 2,
    });
  });

  it('writes rollouts of several organizations in one transaction, each audit chain unbroken', async () => {
    const rollouts = await Promise.all([storedRollout(), storedRollout(), storedRollout()]);
    const results = await Promise.all(rollouts.map((rollout) => store.write(plan(rollout, 'Progressing', 1))));

    expect(results.every((result) => result.written)).toBe(true);
    for (const rollout of rollouts) {
      expect((await audit.verifyChain(organizationScope(rollout.organizationId))).valid).toBe(true);
      expect(await database.rolloutRevision.count({ where: { rolloutId: rollout.id } })).toBe(1);
    }
  });

  it('writes the rest of a batch when one of its plans fails, and fails only that one', async () => {
    const [good, bad] = await Promise.all([storedRollout(), storedRollout()]);
    const [goodResult, badResult] = await Promise.allSettled([
      store.write(plan(good, 'Progressing', 1)),
      store.write(plan(bad, 'Progressing', 1.5)),
    ]);

    expect(goodResult).toEqual({ status: 'fulfilled', value: { written: true, startedRunIds: [] } });
    expect(badResult.status).toBe('rejected');
    const [goodRow, badRow] = await Promise.all(
      [good, bad].map((rollout) => database.rollout.findUniqueOrThrow({ where: { id: rollout.id } })),
    );
    expect([goodRow?.version, badRow?.version]).toEqual([1, 0]);
    expect(await database.auditEvent.count({ where: { organizationId: bad.organizationId } })).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { observationDigest, type ObservedRolloutState } from '../../libs/protocol/src/index.js';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { RolloutStore, type RolloutKey } from '../../libs/stores/src/rollouts/rollout-store.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { observedReplicaSet } from '../support/observed-state.js';

const GATEWAY = systemScope('agent-gateway');
let database: DatabaseClient;
let sql: SqlPool;
let store: RolloutStore;

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  sql = new SqlPool(inject('databaseUrl'), 2);
  store = new RolloutStore(database, { sql });
});
afterAll(async () => {
  await Promise.allSettled([database.$disconnect(), sql.end()]);
});

let counter = 0;
async function rolloutKey(): Promise<RolloutKey & { id: string }> {
  counter += 1;
  const label = `agent-reports-${process.pid}-${counter}`;
  const organization = await database.organization.create({ data: { name: label } });
  const cluster = await database.cluster.create({ data: { organizationId: organization.id, name: 'staging', agentTokenHash: label } });
  const rollout = await database.rollout.create({
    data: { organizationId: organization.id, clusterId: cluster.id, namespace: 'shop', name: 'web', spec: {} },
  });
  return { id: rollout.id, clusterId: cluster.id, namespace: 'shop', name: 'web' };
}

const observation = (observedAt: string, restarts = 0, eventCount = 1): ObservedRolloutState => ({
  replicaSets: [
    observedReplicaSet({
      pods: [
        {
          name: 'web-abc-x1',
          status: 'Running',
          readyContainers: 1,
          containers: 1,
          restarts,
          startedAt: '2026-12-05T10:00:01.000Z',
          nodeName: 'node-1',
        },
      ],
      podsOmitted: 0,
    }),
  ],
  serviceSelectors: {},
  trafficWeights: {},
  events: [
    {
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: 'Created pod: web-abc-x1',
      count: eventCount,
      lastSeenAt: '2026-12-05T10:00:00.000Z',
      involvedObject: { kind: 'ReplicaSet', name: 'web-abc' },
    },
  ],
  observedAt,
});

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const report = (appliedDesiredVersion: number, observed: ObservedRolloutState) => ({
  appliedDesiredVersion,
  observed,
  digest: observationDigest(observed, sha256Hex),
});

/** The row's tuple id and version: a write of any kind gives the row a new tuple. */
const rowVersion = async (id: string): Promise<{ ctid: string; version: number }> => {
  const [row] = await database.$queryRaw<
    { ctid: string; version: number }[]
  >`SELECT ctid::text, version FROM "Rollout" WHERE id = ${id}::uuid`;
  if (row === undefined) throw new Error(`rollout ${id} is gone`);
  return row;
};

describe('RolloutStore.recordAgentReport with pods and events', () => {
  it('stores pods and events, writes nothing for a report that differs only in its time, and records a change of either', async () => {
    // Given a rollout whose agent reported its pods and events once
    const key = await rolloutKey();
    const first = await store.recordAgentReport(GATEWAY, key, report(1, observation('2026-12-05T10:00:05.000Z')), new Date());
    expect(first).toMatchObject({ observationChanged: true });
    const stored = await database.rollout.findUniqueOrThrow({ where: { id: key.id } });
    expect(stored.observed).toMatchObject({ replicaSets: [{ pods: [{ name: 'web-abc-x1', restarts: 0 }] }], events: [{ count: 1 }] });
    const before = await rowVersion(key.id);

    // When the same pods and events are reported 30 s later, then nothing is written
    expect(await store.recordAgentReport(GATEWAY, key, report(1, observation('2026-12-05T10:00:35.000Z')), new Date())).toBeNull();
    expect(await rowVersion(key.id)).toEqual(before);

    // When a pod restarted, or an event happened again, then the observation is written with a new version
    expect(await store.recordAgentReport(GATEWAY, key, report(1, observation('2026-12-05T10:01:05.000Z', 1)), new Date())).toMatchObject({
      observationChanged: true,
      version: before.version + 1,
    });
    expect(await store.recordAgentReport(GATEWAY, key, report(1, observation('2026-12-05T10:01:35.000Z', 1, 2)), new Date())).toMatchObject(
      {
        observationChanged: true,
        version: before.version + 2,
      },
    );
  });
});

describe('RolloutStore.toObserveAgain', () => {
  it('lists the rollouts whose stored digest differs or is missing, or whose applied version is behind, and no unknown rollout', async () => {
    // Given a rollout whose agent reported it once, and one stored without a digest (before digests were kept)
    const key = await rolloutKey();
    const stored = observation('2026-12-05T10:00:05.000Z');
    const { digest } = report(2, stored);
    await store.recordAgentReport(GATEWAY, key, report(2, stored), new Date());
    const other = await database.rollout.create({
      data: {
        organizationId: (await database.rollout.findUniqueOrThrow({ where: { id: key.id } })).organizationId,
        clusterId: key.clusterId,
        namespace: 'shop',
        name: 'cart',
        spec: {},
      },
    });
    const listed = (name: string, entryDigest: string, appliedDesiredVersion = 2) => ({
      namespace: 'shop',
      name,
      digest: entryDigest,
      appliedDesiredVersion,
    });

    // Then the same digest and version need nothing; another digest, a later applied version, a missing digest do
    expect(await store.toObserveAgain(GATEWAY, key.clusterId, [listed('web', digest), listed('gone', digest)])).toEqual([]);
    expect(await store.toObserveAgain(GATEWAY, key.clusterId, [listed('web', report(2, observation('x', 1)).digest)])).toEqual([
      { namespace: 'shop', name: 'web' },
    ]);
    expect(await store.toObserveAgain(GATEWAY, key.clusterId, [listed('web', digest, 3)])).toEqual([{ namespace: 'shop', name: 'web' }]);
    expect(await store.toObserveAgain(GATEWAY, key.clusterId, [listed(other.name, digest)])).toEqual([{ namespace: 'shop', name: 'cart' }]);

    // When the rollout without a digest is reported with an observation equal to what is stored, its digest is kept
    await database.$executeRaw`UPDATE "Rollout" SET observed = ${JSON.stringify(stored)}::jsonb WHERE id = ${other.id}::uuid`;
    const before = await rowVersion(other.id);
    expect(await store.recordAgentReport(GATEWAY, { ...key, name: 'cart' }, report(0, stored), new Date())).toMatchObject({
      observationChanged: false,
      version: before.version,
    });
    expect(await store.toObserveAgain(GATEWAY, key.clusterId, [listed('cart', digest, 0)])).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ExperimentSpec, RolloutSpec } from '../../libs/argo-spec/src/types.js';
import type { ExperimentStatus, RolloutStatus } from '../../libs/rollout-engine/src/types.js';
import { initialStatus } from '../../libs/rollout-engine/src/reconcile.js';
import type { DesiredRolloutState } from '../../libs/protocol/src/index.js';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import type { ReconcileWritePlan } from '../../libs/stores/src/rollouts/reconcile-batches.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { organizationScope, systemScope } from '../../libs/stores/src/scope/scope.js';

let database: DatabaseClient;
let sql: SqlPool;
let redis: Redis;
let audit: AuditStore;
let store: RolloutStore;
const WORKER = systemScope('worker');

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  sql = new SqlPool(inject('databaseUrl'), 4);
  redis = new Redis(inject('redisUrl'));
  const eventBus = new EventBus(redis, redis, createLogger('test', 'warn'), `test-reconcile-store-${process.pid}`);
  audit = new AuditStore(database, eventBus);
  store = new RolloutStore(database, { sql, audit });
});
afterAll(async () => {
  await Promise.allSettled([database.$disconnect(), sql.end(), redis.quit()]);
});

let counter = 0;

/** A fixture as Prisma writes JSON, and as it reads back: without its undefined fields. */
const json = (value: object): Prisma.InputJsonObject => JSON.parse(JSON.stringify(value)) as Prisma.InputJsonObject;

const SPEC: RolloutSpec = {
  replicas: 1,
  selector: { matchLabels: { app: 'web' } },
  template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } },
  strategy: { canary: {} },
};

const EXPERIMENT_SPEC: ExperimentSpec = {
  templates: [{ name: 'baseline', selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'web' }] } } }],
};

const rolloutStatus = (phase: RolloutStatus['phase'], currentPodHash = 'hash-1'): RolloutStatus => ({
  ...initialStatus(currentPodHash, 1, '2026-12-04T12:00:00.000Z'),
  phase,
  message: `${phase} by this plan`,
  currentStepIndex: 0,
  replicas: 1,
  updatedReplicas: 1,
  readyReplicas: 1,
  availableReplicas: 1,
  lastProgressAt: undefined,
});

const experimentStatus = (phase: ExperimentStatus['phase']): ExperimentStatus => ({
  phase,
  message: `${phase} experiment`,
  availableAt: undefined,
  finishedAt: undefined,
  templateStatuses: [],
  analysisRuns: [],
});

const desiredState = (replicas: number): DesiredRolloutState => ({
  replicaSets: [{ podTemplateHash: 'hash-1', template: SPEC.template, replicas, labels: {}, annotations: {}, restart: undefined }],
  services: {},
  trafficRouting: undefined,
});

type StoredRollout = ReconcileWritePlan['rollout'];

async function storedRollout(): Promise<StoredRollout> {
  counter += 1;
  const label = `store-${process.pid}-${counter}`;
  const organization = await database.organization.create({ data: { name: label } });
  const cluster = await database.cluster.create({ data: { organizationId: organization.id, name: 'staging', agentTokenHash: label } });
  return database.rollout.create({
    data: { organizationId: organization.id, clusterId: cluster.id, namespace: 'shop', name: 'web', spec: json(SPEC) },
    select: { id: true, organizationId: true, clusterId: true, namespace: true },
  });
}

/** A plan that writes the rollout at `expectedVersion` and starts `revision`, and nothing else. */
function plan(rollout: StoredRollout, phase: RolloutStatus['phase'], revision: number, expectedVersion = 0): ReconcileWritePlan {
  return {
    rollout,
    expectedVersion,
    update: {
      spec: { ...SPEC, replicas: 1 },
      generation: 1,
      specChangedBy: 'token:test',
      status: rolloutStatus(phase),
      desiredState: desiredState(1),
      desiredVersion: expectedVersion + 1,
      nextReconcileAt: null,
      version: expectedVersion + 1,
    },
    settledOperations: [],
    revisionStarts: [{ revision, podTemplateHash: `hash-${revision}`, images: ['web:1'], specSnapshot: SPEC, startedBy: 'token:test' }],
    revisionFinishes: [],
    currentRevision: undefined,
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

/** A plan that only writes the rollout's row, leaving its spec and desired state as stored. */
function statusOnly(rollout: StoredRollout, phase: RolloutStatus['phase'], expectedVersion: number): ReconcileWritePlan {
  const base = plan(rollout, phase, 1, expectedVersion);
  return { ...base, update: { ...base.update, spec: undefined, desiredState: undefined }, revisionStarts: [], audit: [] };
}

const row = (rollout: StoredRollout) => database.rollout.findUniqueOrThrow({ where: { id: rollout.id } });

async function pendingOperation(rollout: StoredRollout, type: string, parameters: object = {}): Promise<string> {
  const operation = await database.rolloutOperation.create({
    data: { organizationId: rollout.organizationId, rolloutId: rollout.id, type, parameters, requestedBy: 'token:test' },
  });
  return operation.id;
}

describe('batched reconcile writes', () => {
  it('writes one of two reconciles of a rollout read at the same version, and reports the other as lost', async () => {
    const rollout = await storedRollout();
    const results = await Promise.all([
      store.writeReconcile(WORKER, plan(rollout, 'Progressing', 1)),
      store.writeReconcile(WORKER, plan(rollout, 'Paused', 1)),
    ]);

    expect(results.map((result) => result.written)).toEqual([true, false]);
    const stored = await row(rollout);
    expect({ phase: stored.phase, version: stored.version }).toEqual({ phase: 'Progressing', version: 1 });
    const events = await database.auditEvent.findMany({ where: { organizationId: rollout.organizationId } });
    expect(events.map((event) => event.targetName)).toEqual(['staging/shop/Progressing']);
    expect(await database.rolloutRevision.count({ where: { rolloutId: rollout.id } })).toBe(1);
  });

  it('replaces the spec and desired state when a write carries them, and keeps them when it leaves them out', async () => {
    const rollout = await storedRollout();
    const changed = plan(rollout, 'Progressing', 1);
    const carried = { spec: { ...SPEC, replicas: 3 }, desiredState: desiredState(3) };
    expect(await store.writeReconcile(WORKER, { ...changed, update: { ...changed.update, ...carried } })).toMatchObject({ written: true });
    const replaced = await row(rollout);
    expect({ spec: replaced.spec, desiredState: replaced.desiredState }).toEqual(json(carried));

    expect(await store.writeReconcile(WORKER, statusOnly(rollout, 'Paused', 1))).toMatchObject({ written: true });
    const kept = await row(rollout);
    expect({ spec: kept.spec, desiredState: kept.desiredState, phase: kept.phase, version: kept.version }).toEqual({
      ...json(carried),
      phase: 'Paused',
      version: 2,
    });
  });

  it('writes the status, its phase, message and observed generation, and the wake-up time with the row', async () => {
    const rollout = await storedRollout();
    const wakeAt = new Date(Date.now() + 60_000);
    const write = statusOnly(rollout, 'Degraded', 0);
    const result = await store.writeReconcile(WORKER, {
      ...write,
      update: { ...write.update, nextReconcileAt: wakeAt, desiredVersion: 0 },
    });

    expect(result).toEqual({ written: true, startedRunIds: [], deliveries: [] });
    const stored = await row(rollout);
    expect(stored).toMatchObject({
      phase: 'Degraded',
      message: 'Degraded by this plan',
      observedGeneration: 1,
      nextReconcileAt: wakeAt,
      specChangedBy: 'token:test',
      desiredState: null,
      desiredVersion: 0,
      version: 1,
    });
    expect(stored.status).toEqual(json(rolloutStatus('Degraded')));
    expect(stored.spec).toEqual(SPEC);
  });

  it('settles the operations a reconcile carried out, and leaves them pending when the write loses', async () => {
    const rollout = await storedRollout();
    const [applied, refused] = [await pendingOperation(rollout, 'pause'), await pendingOperation(rollout, 'promote', { full: false })];
    const settled = {
      ...statusOnly(rollout, 'Paused', 0),
      settledOperations: [
        { id: applied, state: 'Applied', message: null },
        { id: refused, state: 'Refused', message: 'nothing to promote' },
      ],
    };

    expect(await store.writeReconcile(WORKER, { ...settled, expectedVersion: 7 })).toEqual({ written: false });
    const pending = await database.rolloutOperation.findMany({ where: { rolloutId: rollout.id } });
    expect(pending.map((operation) => operation.state)).toEqual(['Pending', 'Pending']);

    expect(await store.writeReconcile(WORKER, settled)).toMatchObject({ written: true });
    const operations = await database.rolloutOperation.findMany({ where: { rolloutId: rollout.id }, orderBy: { requestedAt: 'asc' } });
    expect(operations.map(({ id, state, message }) => ({ id, state, message }))).toEqual([
      { id: applied, state: 'Applied', message: null },
      { id: refused, state: 'Refused', message: 'nothing to promote' },
    ]);
    expect(operations.every((operation) => operation.completedAt?.getTime() === settled.now.getTime())).toBe(true);
  });

  it('starts a revision once, closes revisions left behind by number, and keeps the current one where its status says', async () => {
    const rollout = await storedRollout();
    expect(await store.writeReconcile(WORKER, plan(rollout, 'Progressing', 1))).toMatchObject({ written: true });

    const second = plan(rollout, 'Progressing', 2, 1);
    const aborting = {
      ...second,
      revisionStarts: [...plan(rollout, 'Progressing', 1).revisionStarts, ...second.revisionStarts],
      revisionFinishes: [{ revision: 1, outcome: 'Superseded' }],
      currentRevision: { podTemplateHash: 'hash-2', state: 'Aborted' },
    };
    expect(await store.writeReconcile(WORKER, aborting)).toMatchObject({ written: true });
    const outcomes = async () =>
      (await database.rolloutRevision.findMany({ where: { rolloutId: rollout.id }, orderBy: { revision: 'asc' } })).map(
        ({ revision, outcome, specSnapshot, organizationId, finishedAt }) => ({
          revision,
          outcome,
          specSnapshot,
          organizationId,
          finished: finishedAt !== null,
        }),
      );
    expect(await outcomes()).toEqual([
      { revision: 1, outcome: 'Superseded', specSnapshot: SPEC, organizationId: rollout.organizationId, finished: true },
      { revision: 2, outcome: 'Aborted', specSnapshot: SPEC, organizationId: rollout.organizationId, finished: true },
    ]);

    const retried = { ...statusOnly(rollout, 'Progressing', 2), currentRevision: { podTemplateHash: 'hash-2', state: 'Progressing' } };
    expect(await store.writeReconcile(WORKER, retried)).toMatchObject({ written: true });
    expect((await outcomes())[1]).toMatchObject({ revision: 2, outcome: 'Progressing', finished: false });

    const promoted = { ...statusOnly(rollout, 'Healthy', 3), currentRevision: { podTemplateHash: 'hash-2', state: 'Healthy' } };
    expect(await store.writeReconcile(WORKER, promoted)).toMatchObject({ written: true });
    expect((await outcomes())[1]).toMatchObject({ revision: 2, outcome: 'Healthy', finished: true });

    // Back to the first template: a new revision of the same hash, which alone takes the state from now on.
    const undone = {
      ...plan(rollout, 'Healthy', 3, 4),
      revisionStarts: [{ revision: 3, podTemplateHash: 'hash-1', images: ['web:1'], specSnapshot: SPEC, startedBy: 'token:test' }],
      currentRevision: { podTemplateHash: 'hash-1', state: 'Healthy' },
    };
    expect(await store.writeReconcile(WORKER, undone)).toMatchObject({ written: true });
    expect((await outcomes()).map(({ revision, outcome }) => [revision, outcome])).toEqual([
      [1, 'Superseded'],
      [2, 'Healthy'],
      [3, 'Healthy'],
    ]);

    const lost = { ...plan(rollout, 'Progressing', 4, 0), revisionFinishes: [{ revision: 3, outcome: 'Aborted' }] };
    expect(await store.writeReconcile(WORKER, lost)).toEqual({ written: false });
    expect(await database.rolloutRevision.count({ where: { rolloutId: rollout.id } })).toBe(3);
  });

  it('gives the current revision its state in the same write whether that write starts it or sends its start again', async () => {
    const rollout = await storedRollout();
    const stateOf = async (revision: number) =>
      (await database.rolloutRevision.findFirstOrThrow({ where: { rolloutId: rollout.id, revision } })).outcome;
    const healthyAtOnce = { ...plan(rollout, 'Healthy', 1), currentRevision: { podTemplateHash: 'hash-1', state: 'Healthy' } };
    expect(await store.writeReconcile(WORKER, healthyAtOnce)).toMatchObject({ written: true });
    expect(await stateOf(1)).toBe('Healthy');

    const startedAgain = { ...plan(rollout, 'Progressing', 1, 1), currentRevision: { podTemplateHash: 'hash-1', state: 'Aborted' } };
    expect(await store.writeReconcile(WORKER, startedAgain)).toMatchObject({ written: true });
    expect(await stateOf(1)).toBe('Aborted');

    const lost = { ...statusOnly(rollout, 'Healthy', 0), currentRevision: { podTemplateHash: 'hash-1', state: 'Healthy' } };
    expect(await store.writeReconcile(WORKER, lost)).toEqual({ written: false });
    expect(await stateOf(1)).toBe('Aborted');
  });

  it('corrects revisions stored before their outcome followed the status, with the migration that does it', async () => {
    const [promoted, retried] = [await storedRollout(), await storedRollout()];
    const statusJson = (stableRS: string, currentPodHash: string) => json({ ...rolloutStatus('Healthy', currentPodHash), stableRS });
    await database.rollout.update({ where: { id: promoted.id }, data: { phase: 'Healthy', status: statusJson('hash-2', 'hash-2') } });
    await database.rollout.update({ where: { id: retried.id }, data: { phase: 'Paused', status: statusJson('hash-1', 'hash-2') } });
    const finishedAt = new Date('2026-12-04T12:00:00.000Z');
    for (const rollout of [promoted, retried]) {
      await database.rolloutRevision.createMany({
        data: [
          { revision: 1, podTemplateHash: 'hash-1', outcome: 'Healthy', finishedAt },
          { revision: 2, podTemplateHash: 'hash-2', outcome: 'Aborted', finishedAt },
        ].map((revision) => ({
          ...revision,
          organizationId: rollout.organizationId,
          rolloutId: rollout.id,
          images: [],
          specSnapshot: json(SPEC),
          startedBy: 'token:test',
        })),
      });
    }

    const migration = new URL('../../prisma/migrations/20261205053500_revision_outcomes_from_status/migration.sql', import.meta.url);
    await database.$executeRawUnsafe(readFileSync(migration, 'utf8'));

    const outcomes = async (rollout: StoredRollout) =>
      (await database.rolloutRevision.findMany({ where: { rolloutId: rollout.id }, orderBy: { revision: 'asc' } })).map(
        ({ outcome, finishedAt: finished }) => [outcome, finished?.toISOString() ?? null],
      );
    expect(await outcomes(promoted)).toEqual([
      ['Healthy', finishedAt.toISOString()],
      ['Healthy', finishedAt.toISOString()],
    ]);
    expect(await outcomes(retried)).toEqual([
      ['Healthy', finishedAt.toISOString()],
      ['Progressing', null],
    ]);
  });

  it('starts experiments and the runs of their analyses, moves experiments on, and ends runs', async () => {
    const rollout = await storedRollout();
    const start = {
      ...statusOnly(rollout, 'Progressing', 0),
      experimentStarts: [
        {
          name: 'web-exp',
          phase: 'Pending',
          message: '',
          status: experimentStatus('Pending'),
          released: false,
          spec: EXPERIMENT_SPEC,
          podTemplateHash: 'hash-1',
          stepIndex: 0,
        },
      ],
      analysisRunStarts: [
        {
          name: 'web-exp-check',
          kind: 'experiment',
          revision: 1,
          podTemplateHash: 'hash-1',
          stepIndex: 0,
          spec: { analysis: { templates: [{ templateName: 'check' }] }, stablePodTemplateHash: null },
          experimentName: 'web-exp',
        },
      ],
    };
    const started = await store.writeReconcile(WORKER, start);

    expect(started.written).toBe(true);
    const [experiment] = await database.experiment.findMany({ where: { rolloutId: rollout.id } });
    expect(experiment).toMatchObject({
      name: 'web-exp',
      organizationId: rollout.organizationId,
      clusterId: rollout.clusterId,
      namespace: 'shop',
      podTemplateHash: 'hash-1',
      stepIndex: 0,
      phase: 'Pending',
      releasedAt: null,
    });
    expect(experiment?.spec).toEqual(EXPERIMENT_SPEC);
    const [run] = await database.analysisRun.findMany({ where: { rolloutId: rollout.id } });
    expect(started).toEqual({ written: true, startedRunIds: [run?.id], deliveries: [] });
    expect(run).toMatchObject({ name: 'web-exp-check', kind: 'experiment', experimentId: experiment?.id, revision: 1, finishedAt: null });

    // Asking again for a run of a name taken starts nothing; ending it and moving the experiment on write both.
    const moved = {
      ...statusOnly(rollout, 'Progressing', 1),
      analysisRunStarts: start.analysisRunStarts,
      analysisRunsToEnd: ['web-exp-check'],
      experimentUpdates: [
        { name: 'web-exp', phase: 'Successful', message: 'done', status: experimentStatus('Successful'), released: true },
      ],
    };
    expect(await store.writeReconcile(WORKER, moved)).toEqual({ written: true, startedRunIds: [], deliveries: [] });
    const updated = await database.experiment.findUniqueOrThrow({ where: { id: experiment?.id } });
    expect(updated).toMatchObject({ phase: 'Successful', message: 'done', version: (experiment?.version ?? 0) + 1 });
    expect(updated.releasedAt?.getTime()).toBe(moved.now.getTime());
    expect(updated.status).toEqual(json(experimentStatus('Successful')));
    const ended = await database.analysisRun.findUniqueOrThrow({ where: { id: run?.id } });
    expect(ended).toMatchObject({ phase: 'Successful', message: 'terminated by the rollout' });
    expect(ended.finishedAt?.getTime()).toBe(moved.now.getTime());
  });

  it('writes nothing of a plan whose rollout moved on: no experiment, no run, no audit event', async () => {
    const rollout = await storedRollout();
    await database.rollout.update({ where: { id: rollout.id }, data: { version: { increment: 1 } } });
    const lost = {
      ...plan(rollout, 'Progressing', 1),
      experimentStarts: [
        {
          name: 'web-exp',
          phase: 'Pending',
          message: '',
          status: experimentStatus('Pending'),
          released: false,
          spec: EXPERIMENT_SPEC,
          podTemplateHash: 'hash-1',
          stepIndex: 0,
        },
      ],
      analysisRunStarts: [
        {
          name: 'web-step',
          kind: 'step',
          revision: 1,
          podTemplateHash: 'hash-1',
          stepIndex: 0,
          spec: { analysis: { templates: [{ templateName: 'check' }] }, stablePodTemplateHash: null },
          experimentName: null,
        },
      ],
    };

    expect(await store.writeReconcile(WORKER, lost)).toEqual({ written: false });
    expect(await row(rollout)).toMatchObject({ version: 1, phase: 'Pending', desiredState: null });
    expect(await database.experiment.count({ where: { rolloutId: rollout.id } })).toBe(0);
    expect(await database.analysisRun.count({ where: { rolloutId: rollout.id } })).toBe(0);
    expect(await database.rolloutRevision.count({ where: { rolloutId: rollout.id } })).toBe(0);
    expect(await database.auditEvent.count({ where: { organizationId: rollout.organizationId } })).toBe(0);
  });

  it('writes rollouts of several organizations in one transaction, each audit chain unbroken', async () => {
    const rollouts = await Promise.all([storedRollout(), storedRollout(), storedRollout()]);
    const results = await Promise.all(rollouts.map((rollout) => store.writeReconcile(WORKER, plan(rollout, 'Progressing', 1))));

    expect(results.every((result) => result.written)).toBe(true);
    for (const rollout of rollouts) {
      expect((await audit.verifyChain(organizationScope(rollout.organizationId))).valid).toBe(true);
      expect(await database.rolloutRevision.count({ where: { rolloutId: rollout.id } })).toBe(1);
    }
  });

  it('writes the rest of a batch when one of its plans fails, and fails only that one', async () => {
    const [good, bad] = await Promise.all([storedRollout(), storedRollout()]);
    const [goodResult, badResult] = await Promise.allSettled([
      store.writeReconcile(WORKER, plan(good, 'Progressing', 1)),
      store.writeReconcile(WORKER, plan(bad, 'Progressing', 1.5)),
    ]);

    expect(goodResult).toEqual({ status: 'fulfilled', value: { written: true, startedRunIds: [], deliveries: [] } });
    expect(badResult.status).toBe('rejected');
    const [goodRow, badRow] = await Promise.all([good, bad].map(row));
    expect([goodRow?.version, badRow?.version]).toEqual([1, 0]);
    expect(await database.auditEvent.count({ where: { organizationId: bad.organizationId } })).toBe(0);
  });
});

describe('reconcile loads', () => {
  it('decode the rollout with its cluster, its pending operations in order, and its live and current experiments', async () => {
    const rollout = await storedRollout();
    const pause = await pendingOperation(rollout, 'pause');
    const setImage = await pendingOperation(rollout, 'setImage', { container: 'web', image: 'web:2' });
    const done = await pendingOperation(rollout, 'abort');
    await database.rolloutOperation.update({ where: { id: done }, data: { state: 'Applied' } });
    await database.rollout.update({ where: { id: rollout.id }, data: { status: json(rolloutStatus('Progressing', 'hash-2')) } });
    const experiment = (name: string, podTemplateHash: string, releasedAt: Date | null) =>
      database.experiment.create({
        data: {
          organizationId: rollout.organizationId,
          clusterId: rollout.clusterId,
          rolloutId: rollout.id,
          namespace: 'shop',
          name,
          spec: json(EXPERIMENT_SPEC),
          status: json(experimentStatus('Successful')),
          podTemplateHash,
          stepIndex: 0,
          releasedAt,
        },
      });
    await experiment('live', 'hash-1', null);
    await experiment('current-released', 'hash-2', new Date());
    await experiment('old-released', 'hash-1', new Date());

    const loaded = await store.loadForReconcile(WORKER, rollout.id);

    expect(loaded).toMatchObject({ id: rollout.id, spec: SPEC, status: { phase: 'Progressing' }, cluster: { name: 'staging' } });
    expect(loaded?.operations).toEqual([
      { id: pause, operation: { type: 'pause' }, requestedBy: 'token:test' },
      { id: setImage, operation: { type: 'setImage', container: 'web', image: 'web:2' }, requestedBy: 'token:test' },
    ]);
    expect(
      loaded?.experiments.map(({ name, spec, status, released }) => ({ name, spec, status: status?.phase ?? null, released })),
    ).toEqual([
      { name: 'live', spec: EXPERIMENT_SPEC, status: 'Successful', released: false },
      { name: 'current-released', spec: null, status: null, released: true },
    ]);
    expect(await store.loadForReconcile(WORKER, '00000000-0000-7000-8000-000000000000')).toBeNull();
  });

  it('fail only the rollout whose row cannot be read, and load the others of its batch', async () => {
    // Given rollouts of two organizations, one whose stored observation lacks keys every observation has
    const [readable, unreadable] = await Promise.all([storedRollout(), storedRollout()]);
    await database.$executeRaw`UPDATE "Rollout" SET observed = '{"replicaSets":[]}'::jsonb WHERE id = ${unreadable.id}::uuid`;

    // When reconciles load them in one batch
    const [readableLoad, unreadableLoad, unreadableAgain] = await Promise.allSettled([
      store.loadForReconcile(WORKER, readable.id),
      store.loadForReconcile(WORKER, unreadable.id),
      store.loadForReconcile(WORKER, unreadable.id),
    ]);

    // Then only the loads of the unreadable one fail, naming its column
    expect(readableLoad).toMatchObject({ status: 'fulfilled', value: { id: readable.id, spec: SPEC, observed: null } });
    const failure = {
      status: 'rejected',
      reason: expect.objectContaining({ name: 'JsonColumnError', column: 'Rollout.observed' }) as unknown,
    };
    expect([unreadableLoad, unreadableAgain]).toEqual([failure, failure]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetRolloutSpec } from '../../libs/fleet-engine/src/index.js';
import type { MeasurementOutcome } from '../../libs/protocol/src/index.js';
import { inTransaction } from '../../libs/stores/src/database/database.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { runSpecColumn } from '../../libs/stores/src/analysis-runs/analysis-run-columns.js';
import { AnalysisRunStore } from '../../libs/stores/src/analysis-runs/analysis-run-store.js';
import { releaseStatusColumn } from '../../libs/stores/src/fleet/fleet-columns.js';
import { FleetReleaseStore } from '../../libs/stores/src/fleet/fleet-release-store.js';
import { FleetRolloutStore } from '../../libs/stores/src/fleet/fleet-rollout-store.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AnalysisQueue } from '../../libs/queues/src/analysis-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { AnalysisRunner } from '../../apps/worker/src/analysis/analysis-runner.js';
import { organizationWithClusters, startedCheckoutRelease } from '../support/fleet-fixture.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { eventually } from '../support/processes.js';

/**
 * Analysis runs whose owner is done with them (a rollout deleted, a fleet release ended outside the worker) measure
 * no more, and the sweep asks first for the measurements longest due, against the real Postgres and Redis.
 */
const SYSTEM = systemScope('test');
const PREFIX = `test-abandoned-runs-${process.pid}`;
const logger = createLogger('test', 'warn');

const { database, sql, redis, eventBus, audit, organizations, clusters, rollouts } = await storesForThisFile(PREFIX, logger);

let store: AnalysisRunStore;
let analysisQueue: AnalysisQueue;
let reconcileQueue: ReconcileQueue;
let runner: AnalysisRunner;
const cancelled: { clusterId: string; requestIds: string[] }[] = [];

beforeAll(() => {
  store = new AnalysisRunStore(sql, database);
  analysisQueue = new AnalysisQueue(redis, PREFIX);
  reconcileQueue = new ReconcileQueue(redis, PREFIX);
  runner = new AnalysisRunner(store, sql, analysisQueue, reconcileQueue, eventBus, logger, {
    measurementTimeoutSeconds: 30,
    centralAllowList: [],
    centralCredentialsDirectory: undefined,
  });
});
afterAll(async () => {
  for (const queue of [analysisQueue.queue, analysisQueue.records, reconcileQueue.queue]) await queue.obliterate({ force: true });
  await Promise.allSettled([analysisQueue.close(), reconcileQueue.close()]);
});

const stores = { database, organizations, clusters };
const ENDED_IN_FLIGHT = { phase: 'Inconclusive', message: 'Metric Terminated' };

/** A ClusterAnalysisTemplate whose one metric, measured by the agents, has no count: it is measured until its run ends. */
async function backgroundTemplate(organizationId: string): Promise<void> {
  await database.clusterAnalysisTemplate.create({
    data: {
      organizationId,
      name: 'error-rate',
      spec: {
        metrics: [
          {
            name: 'error-rate',
            interval: '1m',
            successCondition: 'result[0] < 0.01',
            provider: { web: { url: 'http://metrics.shop/errors' } },
          },
        ],
      },
    },
  });
}

const analysisDocument = {
  analysis: { templates: [{ templateName: 'error-rate', clusterScope: true }] },
  stablePodTemplateHash: null,
};
const analysisSpec = runSpecColumn.encode(analysisDocument);

/** What the cluster's agent (or one of them) answers: an error rate well within the condition. */
const healthyAnswer = (index: number) => [
  {
    metricName: 'error-rate',
    index,
    outcome: { ok: true, value: [0.001], rawValue: '[0.001]' } satisfies MeasurementOutcome,
    answeredAt: new Date(),
  },
];

const measurementsOf = (runId: string) =>
  database.measurement.findMany({
    where: { analysisRunId: runId },
    select: { index: true, cluster: true, phase: true, message: true },
    orderBy: [{ index: 'asc' }, { cluster: 'asc' }],
  });

const runOf = (runId: string) =>
  database.analysisRun.findUniqueOrThrow({
    where: { id: runId },
    select: { phase: true, message: true, finishedAt: true, nextMeasurementAt: true, rolloutId: true },
  });

describe("a deleted rollout's analysis", () => {
  it('ends with the delete: a measurement in flight is answered in vain and none is taken after', async () => {
    const { organizationId, scope, clusterIds, rolloutIds } = await organizationWithClusters(
      stores,
      'deleted-rollout',
      [{ name: 'east', labels: {} }],
      { rollouts, image: 'shop/checkout:1' },
    );
    const clusterId = clusterIds.east as string;
    const rolloutId = rolloutIds.east as string;
    await database.cluster.update({ where: { id: clusterId }, data: { connectionState: 'Connected', lastHeartbeatAt: new Date() } });
    await backgroundTemplate(organizationId);
    const { id: runId } = await database.analysisRun.create({
      data: { organizationId, clusterId, rolloutId, namespace: 'shop', name: 'checkout-6f7d9c', kind: 'background', spec: analysisSpec },
    });
    await runner.start(runId);
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    expect(await measurementsOf(runId)).toMatchObject([{ index: 0, phase: 'Running' }]);

    await inTransaction(database, (transaction) => rollouts.delete(scope, transaction, rolloutId));

    expect(await runOf(runId)).toMatchObject({
      phase: 'Successful',
      message: 'terminated: the rollout was deleted',
      nextMeasurementAt: null,
      rolloutId: null,
    });
    expect((await runOf(runId)).finishedAt).not.toBeNull();
    await runner.record({ runId, answers: healthyAnswer(0) });
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 1 }] });
    await runner.sweep();
    expect(await measurementsOf(runId)).toMatchObject([{ index: 0, ...ENDED_IN_FLIGHT }]);
    expect(await runOf(runId)).toMatchObject({ phase: 'Successful', message: 'terminated: the rollout was deleted' });
  });

  it('is ended by the sweep when the delete left it under way', async () => {
    const { organizationId, clusterIds } = await organizationWithClusters(stores, 'orphaned-run', [{ name: 'east', labels: {} }]);
    await backgroundTemplate(organizationId);
    const { id: runId } = await database.analysisRun.create({
      data: {
        organizationId,
        clusterId: clusterIds.east as string,
        namespace: 'shop',
        name: 'checkout-6f7d9c~0a1b2c3d',
        kind: 'background',
        spec: analysisSpec,
      },
    });
    await runner.start(runId);
    expect((await runOf(runId)).phase).toBe('Running');

    await runner.sweep();

    expect(await runOf(runId)).toMatchObject({
      phase: 'Successful',
      message: 'terminated: the rollout was deleted',
      nextMeasurementAt: null,
    });
  });
});

describe("a fleet release's wave analysis", () => {
  const CLUSTERS = [
    { name: 'eu-1', labels: { region: 'eu' } },
    { name: 'eu-2', labels: { region: 'eu' } },
  ];
  const pooledSpec: FleetRolloutSpec = {
    rollout: { namespace: 'shop', name: 'checkout' },
    waves: [{ name: 'eu', analysis: { templates: [{ templateName: 'error-rate', clusterScope: true }], pooled: true } }],
  };

  it('ends within one sweep once the release was aborted outside the worker, its parts in flight cancelled', async () => {
    const now = new Date();
    const { organizationId, scope, clusterIds } = await organizationWithClusters(stores, 'aborted-release', CLUSTERS);
    const subscriptions = Object.values(clusterIds).map((clusterId) =>
      eventBus.listenToCluster('measurementsCancelled', clusterId, ({ payload }) => cancelled.push(payload)),
    );
    await Promise.all(subscriptions.map((subscription) => subscription.subscribed));
    const releases = new FleetReleaseStore(database, rollouts, audit);
    const release = await startedCheckoutRelease({ database, fleetRollouts: new FleetRolloutStore(database), releases }, scope, {
      spec: pooledSpec,
      clusters: CLUSTERS,
      image: 'shop/checkout:2',
      reason: null,
      now,
    });
    await backgroundTemplate(organizationId);
    const runId = await store.createFleetRun(SYSTEM, {
      organizationId,
      fleetReleaseId: release.id,
      name: 'checkout-1-eu-0-pooled',
      clusterId: null,
      pooledClusters: CLUSTERS.map(({ name }) => ({ id: clusterIds[name] as string, name })),
      namespace: 'shop',
      spec: { ...analysisDocument, fleetWave: { wave: 'eu', cluster: null, attempt: 0 } },
    });
    if (runId === undefined) throw new Error('the wave run was not made');
    await runner.start(runId);
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    await runner.record({ runId, cluster: 'eu-1', answers: healthyAnswer(0) });

    // What the API's abort writes, and nothing else: the worker never hears of it.
    await database.fleetRelease.update({
      where: { id: release.id },
      data: { phase: 'Aborted', status: releaseStatusColumn.encode({ ...release.status, phase: 'Aborted' }), version: { increment: 1 } },
    });
    await runner.sweep();

    expect(await runOf(runId)).toMatchObject({
      phase: 'Successful',
      message: 'terminated: the fleet release is Aborted',
      nextMeasurementAt: null,
    });
    expect(await measurementsOf(runId)).toMatchObject([
      { index: 0, cluster: 'eu-1', phase: 'Successful' },
      { index: 0, cluster: 'eu-2', ...ENDED_IN_FLIGHT },
    ]);
    const requestId = `${runId}.error-rate.0`;
    await eventually(() => expect(cancelled.filter((each) => each.requestIds.includes(requestId))).toHaveLength(1));
    await runner.record({ runId, cluster: 'eu-2', answers: healthyAnswer(0) });
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 1 }] });
    expect(await measurementsOf(runId)).toHaveLength(2);
  });
});

describe('the analysis sweep', () => {
  it('asks first for the runs longest due, leaving out those of clusters whose agent is away', async () => {
    const { organizationId, clusterIds } = await organizationWithClusters(stores, 'due-order', [
      { name: 'connected', labels: {} },
      { name: 'away', labels: {} },
    ]);
    await database.cluster.update({ where: { id: clusterIds.connected as string }, data: { connectionState: 'Connected' } });
    await database.cluster.update({ where: { id: clusterIds.away as string }, data: { connectionState: 'Disconnected' } });
    // Due long before anything another test leaves due, so that only these come before `dueBy`.
    const dueAt = (second: number) => new Date(Date.UTC(2001, 0, 1, 0, 0, second));
    const runDue = async (name: string, cluster: string, second: number): Promise<string> => {
      const run = await database.analysisRun.create({
        data: {
          organizationId,
          clusterId: clusterIds[cluster] as string,
          namespace: 'shop',
          name,
          kind: 'background',
          phase: 'Running',
          nextMeasurementAt: dueAt(second),
          spec: analysisSpec,
        },
      });
      return run.id;
    };
    const latest = await runDue('latest', 'connected', 3);
    const first = await runDue('first', 'connected', 1);
    const second = await runDue('second', 'connected', 2);
    const away = await runDue('away', 'away', 0);

    try {
      const due = await store.dueRuns(SYSTEM, dueAt(10), 2);
      expect(due.map((run) => run.id)).toEqual([first, second]);
    } finally {
      await database.analysisRun.updateMany({
        where: { id: { in: [latest, first, second, away] } },
        data: { phase: 'Successful', finishedAt: new Date(), nextMeasurementAt: null },
      });
    }
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metric } from '../../libs/argo-spec/src/index.js';
import type { MeasurementOutcome, MeasurementRequest } from '../../libs/protocol/src/index.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { AnalysisQueries } from '../../libs/stores/src/analysis-runs/analysis-queries.js';
import { runSpecColumn } from '../../libs/stores/src/analysis-runs/analysis-run-columns.js';
import { AnalysisRunStore } from '../../libs/stores/src/analysis-runs/analysis-run-store.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AnalysisQueue, parseAnalysisJob, type MeasurementAnswer } from '../../libs/queues/src/analysis-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import { AnalysisRunner } from '../../apps/worker/src/analysis/analysis-runner.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { organizationWithClusters } from '../support/fleet-fixture.js';
import { eventually } from '../support/processes.js';

/**
 * A pooled run through the worker's analysis runner against the real Postgres and Redis: its measurements asked of
 * four clusters at once, each cluster's answer recorded as its part, the pooled measurement formed once all are in
 * (or Error once one is overdue), and the run assessed on it.
 */
const SYSTEM = systemScope('test');
const PREFIX = `test-pooled-${process.pid}`;
const CLUSTERS = ['ap', 'eu', 'sa', 'us'];
const TIMEOUT_SECONDS = 30;
const logger = createLogger('test', 'warn');

const { database, sql, redis, eventBus, organizations, clusters } = await storesForThisFile(PREFIX, logger);

let store: AnalysisRunStore;
let queries: AnalysisQueries;
let analysisQueue: AnalysisQueue;
let reconcileQueue: ReconcileQueue;
let runner: AnalysisRunner;
const requested: { clusterId: string; requests: MeasurementRequest[] }[] = [];
const cancelled: { clusterId: string; requestIds: string[] }[] = [];

beforeAll(() => {
  store = new AnalysisRunStore(sql, database);
  queries = new AnalysisQueries(database);
  analysisQueue = new AnalysisQueue(redis, PREFIX);
  reconcileQueue = new ReconcileQueue(redis, PREFIX);
  runner = new AnalysisRunner(store, sql, analysisQueue, reconcileQueue, eventBus, logger, {
    measurementTimeoutSeconds: TIMEOUT_SECONDS,
    centralAllowList: [],
    centralCredentialsDirectory: undefined,
  });
});
afterAll(async () => {
  for (const queue of [analysisQueue.queue, analysisQueue.records, reconcileQueue.queue]) await queue.obliterate({ force: true });
  await Promise.allSettled([analysisQueue.close(), reconcileQueue.close()]);
});

interface PooledFixture {
  runId: string;
  clusterIds: Record<string, string>;
  otherClusterId: string;
}

/** An organization with four clusters and one more, a ClusterAnalysisTemplate of `metric`, and a pooled run of it over the four, started. */
async function startedPooledRun(
  metric: Omit<Metric, 'name' | 'provider'>,
  otherMetrics: Prisma.InputJsonObject[] = [],
): Promise<PooledFixture> {
  const { organizationId, clusterIds } = await organizationWithClusters(
    { database, organizations, clusters },
    'pooled',
    [...CLUSTERS, 'elsewhere'].map((name) => ({ name, labels: {} })),
  );
  // What the API holding each cluster's agent would hear.
  const subscriptions = Object.values(clusterIds).flatMap((clusterId) => [
    eventBus.listenToCluster('measurementRequested', clusterId, ({ payload }) => requested.push(payload)),
    eventBus.listenToCluster('measurementsCancelled', clusterId, ({ payload }) => cancelled.push(payload)),
  ]);
  await Promise.all(subscriptions.map((subscription) => subscription.subscribed));
  await database.clusterAnalysisTemplate.create({
    data: {
      organizationId,
      name: 'error-rate',
      spec: {
        metrics: [{ name: 'error-rate', count: 1, provider: { web: { url: 'http://metrics.shop/errors' } }, ...metric }, ...otherMetrics],
      },
    },
  });
  const run = await database.analysisRun.create({
    data: {
      organizationId,
      clusterId: null,
      pooledClusters: CLUSTERS.map((name) => ({ id: clusterIds[name] as string, name })),
      namespace: 'shop',
      name: `checkout-1-first-production-0-pooled-${randomUUID().slice(0, 6)}`,
      kind: 'fleetWave',
      spec: runSpecColumn.encode({
        analysis: { templates: [{ templateName: 'error-rate', clusterScope: true }] },
        stablePodTemplateHash: null,
        fleetWave: { wave: 'first-production', cluster: null, attempt: 0 },
      }),
    },
  });
  await runner.start(run.id);
  return { runId: run.id, clusterIds, otherClusterId: clusterIds.elsewhere as string };
}

const value = (measured: unknown): MeasurementOutcome => ({ ok: true, value: measured, rawValue: JSON.stringify(measured) });
const answer = (outcome: MeasurementOutcome): MeasurementAnswer[] => [
  { metricName: 'error-rate', index: 0, outcome, answeredAt: new Date() },
];

const measurementsOf = (runId: string) =>
  database.measurement.findMany({
    where: { analysisRunId: runId },
    select: { cluster: true, phase: true, value: true, message: true },
    orderBy: [{ cluster: 'asc' }],
  });
const runOf = (runId: string) => database.analysisRun.findUniqueOrThrow({ where: { id: runId }, select: { phase: true, message: true } });

describe('a pooled analysis run', () => {
  it('asks every cluster at the same moment, one in-flight part each', async () => {
    const { runId, clusterIds } = await startedPooledRun({ successCondition: 'all(result, {#.value[0] < 0.01})' });
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    await eventually(() => expect(requested.filter((each) => each.requests[0]?.run.uid === runId)).toHaveLength(4));
    expect(new Set(requested.filter((each) => each.requests[0]?.run.uid === runId).map((each) => each.clusterId))).toEqual(
      new Set(CLUSTERS.map((name) => clusterIds[name])),
    );
    expect((await measurementsOf(runId)).map((row) => [row.cluster, row.phase])).toEqual(CLUSTERS.map((name) => [name, 'Running']));
    // Asking again (a repeated job) stores and sends nothing more.
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    expect(await measurementsOf(runId)).toHaveLength(4);
  });

  it('fails although each cluster would pass alone: the fleet is over its error budget', async () => {
    const { runId } = await startedPooledRun({ successCondition: 'sum(map(result, {#.value.errors})) < 10' });
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    for (const [position, cluster] of CLUSTERS.entries()) {
      await runner.record({ runId, cluster, answers: answer(value({ errors: 4, requests: 100 })) });
      // No pooled measurement, and no verdict, before the last cluster answered.
      if (position < CLUSTERS.length - 1) expect((await runOf(runId)).phase).toBe('Running');
    }
    const pooled = (await measurementsOf(runId)).find((row) => row.cluster === null);
    expect(pooled?.phase).toBe('Failed');
    expect(JSON.parse(pooled?.value ?? 'null')).toEqual(CLUSTERS.map((cluster) => ({ cluster, value: { errors: 4, requests: 100 } })));
    expect((await runOf(runId)).phase).toBe('Failed');
  });

  it('passes although one cluster would fail alone: the fleet is under 1 %', async () => {
    const { runId } = await startedPooledRun({
      successCondition: 'sum(map(result, {#.value.errors})) / sum(map(result, {#.value.requests})) < 0.01',
    });
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    const measured: Record<string, unknown> = {
      ap: { errors: 3, requests: 100 },
      eu: { errors: 0, requests: 10_000 },
      sa: { errors: 1, requests: 5_000 },
      us: { errors: 0, requests: 1_000 },
    };
    for (const cluster of CLUSTERS) await runner.record({ runId, cluster, answers: answer(value(measured[cluster])) });
    expect((await runOf(runId)).phase).toBe('Successful');
  });

  it('is Error when a cluster does not answer in time, never a smaller sample', async () => {
    // consecutiveErrorLimit 0: the first Error ends the run, as Argo counts errors.
    const { runId } = await startedPooledRun({ successCondition: 'all(result, {#.value[0] < 0.01})', consecutiveErrorLimit: 0 });
    const startedAt = new Date();
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] }, startedAt);
    for (const cluster of CLUSTERS.filter((name) => name !== 'sa'))
      await runner.record({ runId, cluster, answers: answer(value([0.001])) });
    expect((await runOf(runId)).phase).toBe('Running');

    await runner.sweep(new Date(startedAt.getTime() + (TIMEOUT_SECONDS + 60) * 1000));
    const overdue = (await analysisQueue.records.getJobs(['waiting', 'delayed'])).find(
      (job) => (job.data as { runId?: string }).runId === runId,
    );
    const parsed = overdue && parseAnalysisJob(overdue.name, overdue.data, new Date());
    expect(parsed).toMatchObject({ name: 'record', data: { runId, cluster: 'sa' } });
    if (parsed?.name === 'record') await runner.record(parsed.data);

    const pooled = (await measurementsOf(runId)).find((row) => row.cluster === null);
    expect(pooled).toMatchObject({ phase: 'Error', message: `sa: no answer from the cluster's agent within ${TIMEOUT_SECONDS} s` });
    expect((await runOf(runId)).phase).toBe('Error');
  });

  it('takes no answer from a cluster outside the run', async () => {
    const { runId, clusterIds, otherClusterId } = await startedPooledRun({ successCondition: 'all(result, {#.value[0] < 0.01})' });
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    await runner.record({ runId, cluster: 'elsewhere', answers: answer(value([0.5])) });
    expect((await measurementsOf(runId)).map((row) => row.phase)).toEqual(['Running', 'Running', 'Running', 'Running']);
    expect(await queries.isRunOfCluster(SYSTEM, runId, clusterIds.eu as string)).toBe(true);
    expect(await queries.isRunOfCluster(SYSTEM, runId, otherClusterId)).toBe(false);
  });
});

describe('a pooled run that stops', () => {
  it('ends its parts in flight as upstream ends a terminated measurement, cancels them in their clusters, and ignores late answers', async () => {
    const { runId, clusterIds } = await startedPooledRun({ successCondition: 'all(result, {#.value[0] < 0.01})' });
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    await runner.record({ runId, cluster: 'ap', answers: answer(value([0.001])) });
    // Its owner ends it, as a reconcile does.
    await database.analysisRun.update({
      where: { id: runId },
      data: { phase: 'Successful', message: 'terminated: the fleet release is Aborted', finishedAt: new Date() },
    });

    await runner.sweep();

    const ended = { phase: 'Inconclusive', message: 'Metric Terminated' };
    expect(await measurementsOf(runId)).toMatchObject([{ cluster: 'ap', phase: 'Successful' }, ended, ended, ended]);
    const requestId = `${runId}.error-rate.0`;
    await eventually(() => expect(cancelled.filter((each) => each.requestIds.includes(requestId))).toHaveLength(3));
    expect(new Set(cancelled.filter((each) => each.requestIds.includes(requestId)).map((each) => each.clusterId))).toEqual(
      new Set(['eu', 'sa', 'us'].map((name) => clusterIds[name])),
    );
    const stopped = await database.analysisRun.findUniqueOrThrow({ where: { id: runId } });
    expect(stopped).toMatchObject({ phase: 'Successful', message: 'terminated: the fleet release is Aborted', nextMeasurementAt: null });
    expect(stopped.metricResults).toMatchObject({
      results: [{ name: 'error-rate', phase: 'Inconclusive', inconclusive: 1, measurements: [ended] }],
      nextAt: { 'error-rate': null },
    });

    for (const cluster of ['eu', 'sa', 'us']) await runner.record({ runId, cluster, answers: answer(value([0.001])) });
    await runner.sweep();
    expect(await database.analysisRun.findUniqueOrThrow({ where: { id: runId } })).toEqual(stopped);
    expect(await measurementsOf(runId)).toMatchObject([{ cluster: 'ap', phase: 'Successful' }, ended, ended, ended]);
    expect(cancelled.filter((each) => each.requestIds.includes(requestId))).toHaveLength(3);
  });

  // upstream: TestReconcileAnalysisRunTerminateSiblingAfterFail
  it('ends the sibling in flight at once when a metric fails the run', async () => {
    const smoke = { name: 'smoke', provider: { job: { spec: { template: { spec: { containers: [] } } } } } };
    const { runId } = await startedPooledRun({ successCondition: 'all(result, {#.value[0] < 0.01})' }, [smoke]);
    await runner.measure({
      runId,
      due: [
        { metricName: 'error-rate', index: 0 },
        { metricName: 'smoke', index: 0 },
      ],
    });
    for (const cluster of CLUSTERS) await runner.record({ runId, cluster, answers: answer(value([0.5])) });

    expect(await runOf(runId)).toMatchObject({ phase: 'Failed' });
    const smokeParts = await database.measurement.findMany({ where: { analysisRunId: runId, metricName: 'smoke' } });
    expect(smokeParts.map(({ phase, message }) => ({ phase, message }))).toEqual(
      CLUSTERS.map(() => ({ phase: 'Inconclusive', message: 'Metric Terminated' })),
    );
    await eventually(() => expect(cancelled.filter((each) => each.requestIds.includes(`${runId}.smoke.0`))).toHaveLength(4));
  });
});

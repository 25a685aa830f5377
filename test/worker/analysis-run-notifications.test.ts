import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutSpec } from '../../libs/argo-spec/src/index.js';
import type { MeasurementOutcome } from '../../libs/protocol/src/index.js';
import { inTransaction } from '../../libs/stores/src/database/database.js';
import type { SqlSession } from '../../libs/stores/src/database/sql.js';
import { organizationScope, systemScope, type SystemScope } from '../../libs/stores/src/scope/scope.js';
import { AnalysisRunStore, type RunAssessmentWrite } from '../../libs/stores/src/analysis-runs/analysis-run-store.js';
import { NotificationConfigStore } from '../../libs/stores/src/notifications/notification-config-store.js';
import type { QueuedDelivery, ReconcileNotifications } from '../../libs/stores/src/notifications/notification-delivery-store.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AnalysisQueue } from '../../libs/queues/src/analysis-queue.js';
import { NotificationQueue, deliveryJobId } from '../../libs/queues/src/notification-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { AnalysisRunner } from '../../apps/worker/src/analysis/analysis-runner.js';
import { AnalysisRunNotifications } from '../../apps/worker/src/notifications/analysis-run-notifications.js';
import { testNotificationDecider } from '../support/notification-decider.js';
import { templateWithStepRun } from '../support/analysis-fixture.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { canaryRollout } from '../support/manifests.js';

/**
 * The notifications of an analysis run's phase changes, decided by the worker's analysis runner and stored in the
 * transaction that writes the new phase, against the real Postgres and Redis.
 */
const SYSTEM = systemScope('test');
const PREFIX = `test-run-notify-${process.pid}`;
const logger = createLogger('test', 'warn');

const { database, sql, redis, eventBus, organizations, clusters, rollouts } = await storesForThisFile(PREFIX, logger);

let configs: NotificationConfigStore;
let analysisQueue: AnalysisQueue;
let reconcileQueue: ReconcileQueue;
let notificationQueue: NotificationQueue;
let notifications: AnalysisRunNotifications;

beforeAll(() => {
  configs = new NotificationConfigStore(database, undefined);
  analysisQueue = new AnalysisQueue(redis, PREFIX);
  reconcileQueue = new ReconcileQueue(redis, PREFIX);
  notificationQueue = new NotificationQueue(redis, PREFIX);
  const decider = testNotificationDecider(database, configs, logger);
  notifications = new AnalysisRunNotifications(rollouts, decider, notificationQueue);
});
afterAll(async () => {
  for (const queue of [analysisQueue.queue, analysisQueue.records, reconcileQueue.queue, notificationQueue.queue])
    await queue.obliterate({ force: true });
  await Promise.allSettled([analysisQueue.close(), reconcileQueue.close(), notificationQueue.close()]);
});

const SUBSCRIBED = {
  'notifications.argoproj.io/subscribe.on-analysis-run-running.hooks': '',
  'notifications.argoproj.io/subscribe.on-analysis-run-failed.hooks': 'releases',
  'notifications.argoproj.io/subscribe.on-analysis-run-failed.audit': 'security',
};

function runnerWith(store: AnalysisRunStore): AnalysisRunner {
  return new AnalysisRunner(
    store,
    sql,
    analysisQueue,
    reconcileQueue,
    eventBus,
    logger,
    { measurementTimeoutSeconds: 30, centralAllowList: [], centralCredentialsDirectory: undefined },
    undefined,
    notifications,
  );
}

/**
 * An organization with two webhook services, a connected cluster, the `shop/checkout` Rollout with `annotations`,
 * a ClusterAnalysisTemplate whose one measurement fails the run when the error rate reaches 1 %, and a run of it.
 */
async function rolloutWithRun(annotations: Record<string, string>): Promise<{ organizationId: string; rolloutId: string; runId: string }> {
  const created = await organizations.create(SYSTEM, `run-notify-${randomUUID().slice(0, 8)}`, { name: 'admin', role: 'admin' });
  const organizationId = created.organization.id;
  const scope = organizationScope(organizationId);
  const { rolloutId, clusterId } = await inTransaction(database, async (transaction) => {
    await configs.applyConfigMap(
      scope,
      transaction,
      undefined,
      { 'service.webhook.hooks': 'url: http://127.0.0.1:9/hooks\n', 'service.webhook.audit': 'url: http://127.0.0.1:9/audit\n' },
      'admin',
    );
    const cluster = await clusters.register(scope, transaction, { name: 'east', labels: {}, agentToken: `agent-${randomUUID()}` });
    const applied = await rollouts.apply(scope, transaction, {
      clusterId: cluster.id,
      namespace: 'shop',
      name: 'checkout',
      labels: {},
      annotations,
      spec: canaryRollout('checkout', 'shop/checkout:2').spec as unknown as RolloutSpec,
      appliedBy: 'admin',
    });
    return { rolloutId: applied.rollout.id, clusterId: cluster.id };
  });
  await database.cluster.update({ where: { id: clusterId }, data: { connectionState: 'Connected', lastHeartbeatAt: new Date() } });
  const runId = await templateWithStepRun(
    database,
    { organizationId, clusterId, rolloutId },
    {
      name: 'error-rate',
      metrics: [
        { name: 'error-rate', count: 1, successCondition: 'result[0] < 0.01', provider: { web: { url: 'http://metrics.shop/errors' } } },
      ],
    },
    'checkout-6f7d9c-2-1',
  );
  return { organizationId, rolloutId, runId };
}

const value = (measured: unknown): MeasurementOutcome => ({ ok: true, value: measured, rawValue: JSON.stringify(measured) });
const failingAnswer = (runId: string) => ({
  runId,
  answers: [{ metricName: 'error-rate', index: 0, outcome: value([0.05]), answeredAt: new Date() }],
});

const deliveriesOf = async (organizationId: string) =>
  (
    await database.notificationDelivery.findMany({
      where: { organizationId },
      select: { id: true, trigger: true, service: true, recipient: true, subjectName: true, attempts: true },
    })
  ).sort((a, b) => `${a.trigger}/${a.service}`.localeCompare(`${b.trigger}/${b.service}`));

const phaseOf = async (runId: string) => (await database.analysisRun.findUniqueOrThrow({ where: { id: runId } })).phase;

describe('notifications of an analysis run', () => {
  it('notifies each subscription once when the run of a subscribed rollout starts, and once when it fails', async () => {
    const { organizationId, runId } = await rolloutWithRun(SUBSCRIBED);
    const runner = runnerWith(new AnalysisRunStore(sql, database));
    await runner.start(runId);
    await runner.start(runId);
    expect((await deliveriesOf(organizationId)).map(({ trigger, service }) => [trigger, service])).toEqual([
      ['on-analysis-run-running', 'hooks'],
    ]);

    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    await runner.record(failingAnswer(runId));
    await runner.record(failingAnswer(runId));
    expect(await phaseOf(runId)).toBe('Failed');
    const stored = await deliveriesOf(organizationId);
    expect(stored.map(({ trigger, service, recipient, subjectName }) => [trigger, service, recipient, subjectName])).toEqual([
      ['on-analysis-run-failed', 'audit', 'security', 'east/shop/checkout'],
      ['on-analysis-run-failed', 'hooks', 'releases', 'east/shop/checkout'],
      ['on-analysis-run-running', 'hooks', '', 'east/shop/checkout'],
    ]);
    for (const { id, attempts } of stored) expect(await notificationQueue.queue.getJob(deliveryJobId(id, attempts))).toBeTruthy();
  });

  it('notifies nothing for a rollout that subscribes to nothing', async () => {
    const { organizationId, runId } = await rolloutWithRun({});
    const runner = runnerWith(new AnalysisRunStore(sql, database));
    await runner.start(runId);
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });
    await runner.record(failingAnswer(runId));
    expect(await phaseOf(runId)).toBe('Failed');
    expect(await deliveriesOf(organizationId)).toEqual([]);
  });

  it('stores no notification when the write of the new phase rolls back, and one once it is written again', async () => {
    const { organizationId, runId } = await rolloutWithRun(SUBSCRIBED);
    let failNextWrite = false;
    /** A store whose write of the run's assessment fails once, after the notifications are stored in its transaction. */
    class FailingStore extends AnalysisRunStore {
      override async writeRunAssessment(
        scope: SystemScope,
        session: SqlSession,
        id: string,
        write: RunAssessmentWrite,
        decided?: ReconcileNotifications,
      ): Promise<QueuedDelivery[]> {
        const deliveries = await super.writeRunAssessment(scope, session, id, write, decided);
        if (failNextWrite) {
          failNextWrite = false;
          throw new Error('the connection was lost before the commit');
        }
        return deliveries;
      }
    }
    const runner = runnerWith(new FailingStore(sql, database));
    await runner.start(runId);
    await runner.measure({ runId, due: [{ metricName: 'error-rate', index: 0 }] });

    failNextWrite = true;
    await expect(runner.record(failingAnswer(runId))).rejects.toThrow('the connection was lost before the commit');
    expect(await phaseOf(runId)).toBe('Running');
    expect((await deliveriesOf(organizationId)).map(({ trigger }) => trigger)).toEqual(['on-analysis-run-running']);

    await runner.record(failingAnswer(runId));
    expect(await phaseOf(runId)).toBe('Failed');
    expect((await deliveriesOf(organizationId)).map(({ trigger }) => trigger)).toEqual([
      'on-analysis-run-failed',
      'on-analysis-run-failed',
      'on-analysis-run-running',
    ]);
  });
});

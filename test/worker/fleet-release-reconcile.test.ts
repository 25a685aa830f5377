import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetRolloutSpec } from '../../libs/fleet-engine/src/index.js';
import { inTransaction, type Transaction } from '../../libs/stores/src/database/database.js';
import { ExperimentStore } from '../../libs/stores/src/experiments/experiment-store.js';
import { FleetReleaseStore, type LoadedRelease } from '../../libs/stores/src/fleet/fleet-release-store.js';
import type { FleetReleaseRecord } from '../../libs/stores/src/fleet/fleet-records.js';
import { FleetRolloutStore } from '../../libs/stores/src/fleet/fleet-rollout-store.js';
import { organizationScope, systemScope, type Scope } from '../../libs/stores/src/scope/scope.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AnalysisQueue } from '../../libs/queues/src/analysis-queue.js';
import { AnalysisRunStore } from '../../libs/stores/src/analysis-runs/analysis-run-store.js';
import { releaseStatusColumn } from '../../libs/stores/src/fleet/fleet-columns.js';
import { FleetReconcileQueue, memberChangedJobId } from '../../libs/queues/src/fleet-reconcile-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { FleetReleaseReconciler } from '../../apps/worker/src/fleet/fleet-release-reconciler.js';
import { FreezeChecker } from '../../apps/worker/src/freezes/freeze-checker.js';
import { BreakGlassStore } from '../../libs/stores/src/freezes/break-glass-store.js';
import { FreezeWindowStore } from '../../libs/stores/src/freezes/freeze-window-store.js';
import { ReconcileSweep } from '../../apps/worker/src/reconcile/reconcile-sweep.js';
import { RolloutReconciler } from '../../apps/worker/src/reconcile/rollout-reconciler.js';
import { testNotificationDecider } from '../support/notification-decider.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { markHealthy, organizationWithClusters, startedCheckoutRelease, statusWrite } from '../support/fleet-fixture.js';
import { initialStatus, podTemplateHash } from '../../libs/rollout-engine/src/index.js';
import { NotificationConfigStore } from '../../libs/stores/src/notifications/notification-config-store.js';
import { NotificationQueue } from '../../libs/queues/src/notification-queue.js';
import { eventually } from '../support/processes.js';

const SYSTEM = systemScope('test');
const PREFIX = `test-fleet-${process.pid}`;
const HORIZON_MS = 20_000;
const logger = createLogger('test', 'warn');

const { database, sql, redis, eventBus, audit, organizations, clusters, rollouts } = await storesForThisFile(PREFIX, logger);

let fleetRollouts: FleetRolloutStore;
let releases: FleetReleaseStore;
let reconcileQueue: ReconcileQueue;
let fleetQueue: FleetReconcileQueue;
let analysisQueue: AnalysisQueue;
let reconciler: FleetReleaseReconciler;
let freezes: FreezeChecker;
let notificationQueue: NotificationQueue;
const published: FleetReleaseRecord[] = [];

beforeAll(() => {
  eventBus.listen('fleetReleaseChanged', ({ payload }) => published.push(payload));
  fleetRollouts = new FleetRolloutStore(database);
  releases = new FleetReleaseStore(database, rollouts, audit);
  reconcileQueue = new ReconcileQueue(redis, PREFIX, HORIZON_MS);
  fleetQueue = new FleetReconcileQueue(redis, PREFIX, HORIZON_MS);
  analysisQueue = new AnalysisQueue(redis, PREFIX);
  notificationQueue = new NotificationQueue(redis, PREFIX);
  freezes = new FreezeChecker(new FreezeWindowStore(database), new BreakGlassStore(database));
  reconciler = new FleetReleaseReconciler(database, releases, eventBus, reconcileQueue, fleetQueue, logger, freezes);
});
afterAll(async () => {
  for (const queue of [reconcileQueue, fleetQueue, notificationQueue]) await queue.queue.obliterate({ force: true });
  await Promise.allSettled([reconcileQueue.close(), fleetQueue.close(), analysisQueue.close(), notificationQueue.close()]);
});

const OLD_IMAGE = 'shop/checkout:1';
const NEW_IMAGE = 'shop/checkout:2';
const ACTOR = 'fleet-release:checkout#1';

/** Two clusters in the EU, released one at a time, then the rest of the fleet. */
const fleetSpec: FleetRolloutSpec = {
  rollout: { namespace: 'shop', name: 'checkout' },
  waves: [{ name: 'eu', clusterSelector: { matchLabels: { region: 'eu' } }, maxParallel: 1 }, { name: 'rest' }],
};
const CLUSTERS = [
  { name: 'eu-1', labels: { region: 'eu' } },
  { name: 'eu-2', labels: { region: 'eu' } },
  { name: 'us-1', labels: { region: 'us' } },
];

interface Fleet {
  organizationId: string;
  release: FleetReleaseRecord;
  /** Member rollout ids by cluster name. */
  rolloutIds: Record<string, string>;
}

/**
 * An organization with three labelled clusters, connected but for those named in `neverConnected`, the
 * `shop/checkout` Rollout in each, its FleetRollout, and a release of a new image just started.
 */
async function startedFleet(
  now: Date,
  spec: FleetRolloutSpec = fleetSpec,
  annotations: Record<string, string> = {},
  neverConnected: readonly string[] = [],
): Promise<Fleet> {
  const { organizationId, scope, rolloutIds, clusterIds } = await organizationWithClusters(
    { database, organizations, clusters },
    'fleet-worker',
    CLUSTERS,
    {
      rollouts,
      image: OLD_IMAGE,
    },
  );
  const release = await startedCheckoutRelease({ database, fleetRollouts, releases }, scope, {
    spec,
    clusters: CLUSTERS,
    image: NEW_IMAGE,
    reason: 'a fix',
    now,
    annotations,
  });
  const connected = Object.entries(clusterIds).flatMap(([name, id]) => (neverConnected.includes(name) ? [] : [id]));
  await database.cluster.updateMany({ where: { id: { in: connected } }, data: { connectionState: 'Connected', lastHeartbeatAt: now } });
  return { organizationId, release, rolloutIds };
}

const imageOf = async (rolloutId: string): Promise<string | undefined> =>
  (await rollouts.findById(SYSTEM, rolloutId))?.spec.template.spec.containers[0]?.image;

async function images(fleet: Fleet): Promise<Record<string, string | undefined>> {
  const entries = await Promise.all(Object.entries(fleet.rolloutIds).map(async ([cluster, id]) => [cluster, await imageOf(id)] as const));
  return Object.fromEntries(entries);
}

const becomeHealthy = (rolloutId: string, at: Date): Promise<void> => markHealthy(rollouts, rolloutId, at);

const memberStates = async (releaseId: string): Promise<Record<string, string>> => {
  const release = (await releases.findById(SYSTEM, releaseId))!;
  return Object.fromEntries(release.status.waves.flatMap((wave) => wave.members.map((member) => [member.cluster, member.state])));
};

async function releaseAudit(organizationId: string): Promise<{ action: string; targetName: string }[]> {
  return database.auditEvent.findMany({
    where: { organizationId, actor: ACTOR },
    orderBy: { sequence: 'asc' },
    select: { action: true, targetName: true },
  });
}

async function rolloutJob(rolloutId: string): Promise<{ rolloutId: string } | undefined> {
  const { version } = (await rollouts.findById(SYSTEM, rolloutId))!;
  const job = await reconcileQueue.queue.getJob(`${rolloutId}.v${version}`);
  return job?.data as { rolloutId: string } | undefined;
}

describe('the fleet release reconciler', () => {
  it('changes the first wave one member at a time, and starts the next wave once the first is Healthy on the new image', async () => {
    const start = new Date();
    const fleet = await startedFleet(start);
    const at = (seconds: number) => () => new Date(start.getTime() + seconds * 1000);

    expect(await reconciler.reconcile(fleet.release.id, at(1))).toEqual({ result: 'written', version: 1, changedRollouts: 1 });
    expect(await images(fleet)).toEqual({ 'eu-1': NEW_IMAGE, 'eu-2': OLD_IMAGE, 'us-1': OLD_IMAGE });
    expect(await memberStates(fleet.release.id)).toEqual({ 'eu-1': 'Changing', 'eu-2': 'Pending', 'us-1': 'Pending' });
    expect(await rolloutJob(fleet.rolloutIds['eu-1']!)).toEqual({ rolloutId: fleet.rolloutIds['eu-1'] });
    expect(await releaseAudit(fleet.organizationId)).toEqual([
      { action: 'fleet_release.MemberChanged', targetName: 'checkout#1' },
      { action: 'rollout.fleet_template_changed', targetName: 'eu-1/shop/checkout' },
    ]);
    const eu1 = (await rollouts.findById(SYSTEM, fleet.rolloutIds['eu-1']!))!;
    expect([eu1.specChangedBy, eu1.generation, eu1.fleetReleaseId]).toEqual([ACTOR, 2, fleet.release.id]);
    await eventually(
      () => published.find((record) => record.id === fleet.release.id && record.version === 1),
      5_000,
      'fleetReleaseChanged for version 1',
    );

    expect(await reconciler.reconcile(fleet.release.id, at(2))).toEqual({ result: 'unchanged' });

    await becomeHealthy(fleet.rolloutIds['eu-1']!, at(3)());
    expect(await reconciler.reconcile(fleet.release.id, at(4))).toMatchObject({ result: 'written', changedRollouts: 1 });
    expect(await images(fleet)).toEqual({ 'eu-1': NEW_IMAGE, 'eu-2': NEW_IMAGE, 'us-1': OLD_IMAGE });
    expect(await memberStates(fleet.release.id)).toEqual({ 'eu-1': 'Released', 'eu-2': 'Changing', 'us-1': 'Pending' });

    await becomeHealthy(fleet.rolloutIds['eu-2']!, at(5)());
    expect(await reconciler.reconcile(fleet.release.id, at(6))).toMatchObject({ result: 'written', changedRollouts: 1 });
    expect(await images(fleet)).toEqual({ 'eu-1': NEW_IMAGE, 'eu-2': NEW_IMAGE, 'us-1': NEW_IMAGE });
    const release = (await releases.findById(SYSTEM, fleet.release.id))!;
    expect([release.phase, release.status.currentWave, release.status.waves.map((wave) => wave.phase)]).toEqual([
      'Progressing',
      1,
      ['Passed', 'Progressing'],
    ]);
    expect(await rolloutJob(fleet.rolloutIds['us-1']!)).toEqual({ rolloutId: fleet.rolloutIds['us-1'] });
    const actions = (await releaseAudit(fleet.organizationId)).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['fleet_release.WavePassed', 'fleet_release.WaveStarted']));
    expect(actions.filter((action) => action === 'rollout.fleet_template_changed')).toHaveLength(3);
  });

  it('decides again on what another writer wrote when the release moved on between its read and its write', async () => {
    const start = new Date();
    const fleet = await startedFleet(start);
    let loads = 0;
    /** A store whose first load is followed at once by another writer's change of the release. */
    class ContestedReleases extends FleetReleaseStore {
      override async load(scope: Scope, releaseId: string, transaction?: Transaction): Promise<LoadedRelease | null> {
        const loaded = await super.load(scope, releaseId, transaction);
        loads += 1;
        if (loads === 1) await database.fleetRelease.update({ where: { id: releaseId }, data: { version: { increment: 1 } } });
        return loaded;
      }
    }
    const contested = new FleetReleaseReconciler(
      database,
      new ContestedReleases(database, rollouts, audit),
      eventBus,
      reconcileQueue,
      fleetQueue,
      logger,
      freezes,
    );

    expect(await contested.reconcile(fleet.release.id, () => start)).toEqual({ result: 'written', version: 2, changedRollouts: 1 });
    expect(loads).toBe(2);
    expect(await images(fleet)).toEqual({ 'eu-1': NEW_IMAGE, 'eu-2': OLD_IMAGE, 'us-1': OLD_IMAGE });
    const changes = (await releaseAudit(fleet.organizationId)).filter((entry) => entry.action === 'rollout.fleet_template_changed');
    expect(changes).toHaveLength(1);
  });

  it('is told when the rollout reconciler writes one of its members', async () => {
    const fleet = await startedFleet(new Date());
    const rolloutId = fleet.rolloutIds['us-1']!;
    const { clusterId } = (await rollouts.findById(SYSTEM, rolloutId))!;
    await database.cluster.update({ where: { id: clusterId }, data: { connectionState: 'Connected', lastHeartbeatAt: new Date() } });
    const rolloutReconciler = new RolloutReconciler(rollouts, eventBus, reconcileQueue, analysisQueue, fleetQueue, logger, freezes);

    const outcome = await rolloutReconciler.reconcile(rolloutId);
    if (outcome.result !== 'written') throw new Error(`the rollout was not written: ${outcome.result}`);
    const job = await fleetQueue.queue.getJob(memberChangedJobId(fleet.release.id, rolloutId, outcome.version));
    expect(job?.data).toEqual({ fleetReleaseId: fleet.release.id });
  });
});

describe('members waiting on their clusters', () => {
  /** Writes the member rollout's status as its reconcile would once it aborted its current template. */
  async function abortOnItsTemplate(rolloutId: string, at: Date): Promise<void> {
    const rollout = (await rollouts.loadForReconcile(SYSTEM, rolloutId))!;
    const hash = podTemplateHash(rollout.spec.template);
    const status = {
      ...initialStatus(hash, rollout.generation, at.toISOString()),
      phase: 'Degraded' as const,
      message: 'RolloutAborted: aborted by admin',
      abort: true,
      abortedAt: at.toISOString(),
    };
    expect((await rollouts.writeReconcile(SYSTEM, statusWrite(rollout, status, at))).written).toBe(true);
  }

  it('does not fail a member again for the abort it is retried from while its retry waits for the rollout reconcile', async () => {
    const start = new Date();
    const fleet = await startedFleet(start);
    const eu1 = fleet.rolloutIds['eu-1']!;
    await reconciler.reconcile(fleet.release.id, () => start);
    await abortOnItsTemplate(eu1, start);
    await rollouts.requestOperation(organizationScope(fleet.organizationId), sql, eu1, { type: 'retry' }, 'admin');

    await reconciler.reconcile(fleet.release.id, () => new Date(start.getTime() + 1_000));
    const release = (await releases.findById(SYSTEM, fleet.release.id))!;
    expect([release.phase, release.status.waves[0]?.members[0]?.state]).toEqual(['Progressing', 'Changing']);
  });

  it('fails a member whose cluster never connected once the disconnected timeout passed since it was registered, waking up then', async () => {
    const start = new Date();
    const fleet = await startedFleet(start, { ...fleetSpec, disconnectedTimeoutSeconds: 10 }, {}, ['eu-1']);
    const { createdAt } = await database.cluster.findFirstOrThrow({ where: { organizationId: fleet.organizationId, name: 'eu-1' } });
    const deadline = new Date(createdAt.getTime() + 10_000);

    await reconciler.reconcile(fleet.release.id, () => start);
    expect((await releases.findById(SYSTEM, fleet.release.id))!.nextReconcileAt).toEqual(deadline);
    expect(await fleetQueue.queue.getJob(`${fleet.release.id}.t${deadline.getTime()}`)).toBeTruthy();

    await reconciler.reconcile(fleet.release.id, () => deadline);
    const halted = (await releases.findById(SYSTEM, fleet.release.id))!;
    expect(halted.phase).toBe('Halted');
    expect(halted.status.message).toBe('halted: wave 1/2 eu failed: eu-1: its cluster has been disconnected for more than 10 s');
  });
});

describe('the sweep', () => {
  it('asks again for every active release at its version once the queue lost its jobs, and queues its upcoming wake-up', async () => {
    const now = new Date();
    const fleet = await startedFleet(now);
    await reconciler.reconcile(fleet.release.id, () => now);
    const wakeAt = new Date(now.getTime() + 5_000);
    await database.fleetRelease.update({ where: { id: fleet.release.id }, data: { nextReconcileAt: wakeAt } });
    const { version } = (await releases.findById(SYSTEM, fleet.release.id))!;
    await fleetQueue.queue.obliterate({ force: true });
    const sweep = new ReconcileSweep(
      database,
      rollouts,
      new ExperimentStore(database, audit),
      clusters,
      reconcileQueue,
      logger,
      60_000,
      { releases, queue: fleetQueue },
      { publish: () => Promise.resolve() },
    );

    // Another sweeper may hold the sweep's lock for a moment: sweep again until this one ran.
    const job = await eventually(
      async () => {
        await sweep.sweep(now);
        return (await fleetQueue.queue.getJob(`${fleet.release.id}.v${version}`)) ?? undefined;
      },
      10_000,
      "the sweep's request of the release",
    );
    expect(job.data).toEqual({ fleetReleaseId: fleet.release.id });
    const wakeUp = await fleetQueue.queue.getJob(`${fleet.release.id}.t${wakeAt.getTime()}`);
    expect(wakeUp?.delay).toBe(5_000);
  });
});

/** `fleetSpec` with one pooled analysis over the `eu` wave. */
const pooledSpec: FleetRolloutSpec = {
  ...fleetSpec,
  waves: [
    {
      name: 'eu',
      clusterSelector: { matchLabels: { region: 'eu' } },
      analysis: { templates: [{ templateName: 'error-rate', clusterScope: true }], pooled: true },
    },
    { name: 'rest' },
  ],
};

describe('a wave with pooled analysis', () => {
  it('starts one pooled run over the released wave, waits for it, and halts the release when it fails', async () => {
    const now = new Date();
    const fleet = await startedFleet(now, pooledSpec);
    const withAnalysis = new FleetReleaseReconciler(database, releases, eventBus, reconcileQueue, fleetQueue, logger, freezes, {
      runs: new AnalysisRunStore(sql, database),
      queue: analysisQueue,
    });
    await withAnalysis.reconcile(fleet.release.id, () => now);
    const later = new Date(now.getTime() + 1_000);
    for (const cluster of ['eu-1', 'eu-2']) await becomeHealthy(fleet.rolloutIds[cluster] as string, later);
    await withAnalysis.reconcile(fleet.release.id, () => later);

    const runs = await database.analysisRun.findMany({ where: { fleetReleaseId: fleet.release.id } });
    const eu = await database.cluster.findMany({ where: { organizationId: fleet.organizationId, name: { in: ['eu-1', 'eu-2'] } } });
    expect(runs.map(({ name, clusterId, phase, kind }) => ({ name, clusterId, phase, kind }))).toEqual([
      { name: 'checkout-1-eu-0-pooled', clusterId: null, phase: 'Pending', kind: 'fleetWave' },
    ]);
    expect(runs[0]?.pooledClusters).toEqual(
      ['eu-1', 'eu-2'].map((name) => ({ id: eu.find((cluster) => cluster.name === name)?.id, name })),
    );
    expect(await analysisQueue.queue.getJob(`${runs[0]?.id}.start`)).toBeTruthy();
    const waiting = (await releases.findById(SYSTEM, fleet.release.id))!;
    expect(waiting.status.waves[0]?.gates.map((gate) => [gate.gate, gate.state])).toEqual([
      ['healthy', 'Passed'],
      ['analysis', 'Waiting'],
      ['soak', 'Pending'],
    ]);

    // Deciding again while the run goes on makes no second run.
    await withAnalysis.reconcile(fleet.release.id, () => later);
    expect(await database.analysisRun.count({ where: { fleetReleaseId: fleet.release.id } })).toBe(1);

    await database.analysisRun.update({
      where: { id: runs[0]?.id },
      data: { phase: 'Error', message: 'metric "error-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)' },
    });
    await withAnalysis.reconcile(fleet.release.id, () => later);
    const halted = (await releases.findById(SYSTEM, fleet.release.id))!;
    expect(halted.phase).toBe('Halted');
    expect(halted.status.message).toContain('wave 1/2 eu failed: pooled analysis Error: metric "error-rate" assessed Error');
    expect(await images(fleet)).toEqual({ 'eu-1': NEW_IMAGE, 'eu-2': NEW_IMAGE, 'us-1': OLD_IMAGE });
  });

  it('ends the runs of a release that ended or was superseded: they measure no more', async () => {
    const now = new Date();
    const fleet = await startedFleet(now, pooledSpec);
    const withAnalysis = new FleetReleaseReconciler(database, releases, eventBus, reconcileQueue, fleetQueue, logger, freezes, {
      runs: new AnalysisRunStore(sql, database),
      queue: analysisQueue,
    });
    await withAnalysis.reconcile(fleet.release.id, () => now);
    for (const cluster of ['eu-1', 'eu-2']) await becomeHealthy(fleet.rolloutIds[cluster] as string, now);
    await withAnalysis.reconcile(fleet.release.id, () => now);
    await database.analysisRun.updateMany({ where: { fleetReleaseId: fleet.release.id }, data: { phase: 'Running' } });
    const { status } = (await releases.findById(SYSTEM, fleet.release.id))!;
    await database.fleetRelease.update({
      where: { id: fleet.release.id },
      data: { phase: 'Superseded', status: releaseStatusColumn.encode({ ...status, phase: 'Superseded' }) },
    });

    await withAnalysis.reconcile(fleet.release.id, () => now);
    const [run] = await database.analysisRun.findMany({ where: { fleetReleaseId: fleet.release.id } });
    expect(run).toMatchObject({ phase: 'Successful', message: 'terminated: the fleet release is Superseded', nextMeasurementAt: null });
    expect(run?.finishedAt).not.toBeNull();
  });
});

describe('notifications of a fleet release', () => {
  const FLEET_TRIGGERS = ['on-fleet-wave-started', 'on-fleet-wave-passed', 'on-fleet-release-halted', 'on-fleet-release-completed'];
  const subscribed = Object.fromEntries(FLEET_TRIGGERS.map((trigger) => [`notifications.argoproj.io/subscribe.${trigger}.hooks`, '']));

  /** A reconciler deciding notifications with the organization's webhook service configured. */
  async function notifyingReconciler(organizationId: string, store: FleetReleaseStore = releases): Promise<FleetReleaseReconciler> {
    const configs = new NotificationConfigStore(database, undefined);
    await inTransaction(database, (transaction) =>
      configs.applyConfigMap(
        organizationScope(organizationId),
        transaction,
        undefined,
        { 'service.webhook.hooks': 'url: http://127.0.0.1:9/hooks\n' },
        'admin',
      ),
    );
    const decider = testNotificationDecider(database, configs, logger);
    return new FleetReleaseReconciler(
      database,
      store,
      eventBus,
      reconcileQueue,
      fleetQueue,
      logger,
      freezes,
      { runs: new AnalysisRunStore(sql, database), queue: analysisQueue },
      { decider, fleetRollouts, queue: notificationQueue },
    );
  }

  const deliveries = async (organizationId: string): Promise<string[][]> =>
    (
      await database.notificationDelivery.findMany({
        where: { organizationId },
        orderBy: { id: 'asc' },
        select: { trigger: true, subjectName: true, notification: true },
      })
    )
      .map(({ trigger, subjectName, notification }) => [trigger, subjectName, (notification as { message: string }).message])
      .sort(([, , a], [, , b]) => a!.localeCompare(b!));

  it('notifies each wave started and passed and the release completed once, however often the reconcile runs', async () => {
    const start = new Date();
    const fleet = await startedFleet(start, fleetSpec, subscribed);
    const notifying = await notifyingReconciler(fleet.organizationId);
    const at = (seconds: number) => () => new Date(start.getTime() + seconds * 1000);
    const twice = async (seconds: number) => {
      await notifying.reconcile(fleet.release.id, at(seconds));
      await notifying.reconcile(fleet.release.id, at(seconds));
    };

    await twice(1);
    await becomeHealthy(fleet.rolloutIds['eu-1']!, at(2)());
    await twice(3);
    await becomeHealthy(fleet.rolloutIds['eu-2']!, at(4)());
    await twice(5);
    expect(await deliveries(fleet.organizationId)).toEqual([
      ['on-fleet-wave-passed', 'checkout', 'Fleet release of checkout: wave eu passed.'],
      ['on-fleet-wave-started', 'checkout', 'Fleet release of checkout: wave rest started.'],
    ]);
    const jobs = await notificationQueue.queue.getJobs(['waiting', 'delayed']);
    const ids = (
      await database.notificationDelivery.findMany({ where: { organizationId: fleet.organizationId }, select: { id: true } })
    ).map((row) => row.id);
    expect(jobs.filter((job) => ids.includes(job.data.deliveryId))).toHaveLength(2);

    await becomeHealthy(fleet.rolloutIds['us-1']!, at(6)());
    await twice(7);
    await twice(8);
    expect((await releases.findById(SYSTEM, fleet.release.id))!.phase).toBe('Succeeded');
    expect((await deliveries(fleet.organizationId)).map(([, , message]) => message)).toEqual([
      'Fleet release of checkout has been completed.',
      'Fleet release of checkout: wave eu passed.',
      'Fleet release of checkout: wave rest passed.',
      'Fleet release of checkout: wave rest started.',
    ]);
  });

  it('notifies a halt once, and stores nothing for a decision whose write lost to another writer', async () => {
    const now = new Date();
    const fleet = await startedFleet(now, pooledSpec, subscribed);
    let contest = false;
    /** A store whose load, once `contest` is set, is followed at once by another writer's change of the release. */
    class ContestedReleases extends FleetReleaseStore {
      override async load(scope: Scope, releaseId: string, transaction?: Transaction): Promise<LoadedRelease | null> {
        const loaded = await super.load(scope, releaseId, transaction);
        if (contest) {
          contest = false;
          await database.fleetRelease.update({ where: { id: releaseId }, data: { version: { increment: 1 } } });
        }
        return loaded;
      }
    }
    const notifying = await notifyingReconciler(fleet.organizationId, new ContestedReleases(database, rollouts, audit));
    await notifying.reconcile(fleet.release.id, () => now);
    for (const cluster of ['eu-1', 'eu-2']) await becomeHealthy(fleet.rolloutIds[cluster] as string, now);
    await notifying.reconcile(fleet.release.id, () => now);
    await database.analysisRun.updateMany({
      where: { fleetReleaseId: fleet.release.id },
      data: { phase: 'Error', message: 'assessed Error' },
    });

    contest = true;
    expect(await notifying.reconcile(fleet.release.id, () => now)).toMatchObject({ result: 'written' });
    expect(contest).toBe(false);
    await notifying.reconcile(fleet.release.id, () => now);
    expect((await releases.findById(SYSTEM, fleet.release.id))!.phase).toBe('Halted');
    const stored = await deliveries(fleet.organizationId);
    expect(stored.map(([trigger]) => trigger)).toEqual(['on-fleet-release-halted']);
    expect(stored[0]![2]).toContain('Fleet release of checkout halted in wave eu');
  });
});

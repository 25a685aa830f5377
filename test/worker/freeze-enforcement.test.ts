import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FreezeWindowSpec, RolloutSpec } from '../../libs/argo-spec/src/index.js';
import { inTransaction } from '../../libs/stores/src/database/database.js';
import { FleetReleaseStore } from '../../libs/stores/src/fleet/fleet-release-store.js';
import type { FleetReleaseRecord } from '../../libs/stores/src/fleet/fleet-records.js';
import { FleetRolloutStore } from '../../libs/stores/src/fleet/fleet-rollout-store.js';
import { BreakGlassStore } from '../../libs/stores/src/freezes/break-glass-store.js';
import { FreezeWindowStore } from '../../libs/stores/src/freezes/freeze-window-store.js';
import { systemScope, type OrganizationScope } from '../../libs/stores/src/scope/scope.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AnalysisQueue } from '../../libs/queues/src/analysis-queue.js';
import { FleetReconcileQueue } from '../../libs/queues/src/fleet-reconcile-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { FleetReleaseReconciler } from '../../apps/worker/src/fleet/fleet-release-reconciler.js';
import { FreezeChecker } from '../../apps/worker/src/freezes/freeze-checker.js';
import { RolloutReconciler } from '../../apps/worker/src/reconcile/rollout-reconciler.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { canaryRollout } from '../support/manifests.js';
import { organizationWithClusters, startedCheckoutRelease, type FixtureCluster } from '../support/fleet-fixture.js';

const SYSTEM = systemScope('test');
const PREFIX = `test-freeze-${process.pid}`;
const logger = createLogger('test', 'warn');

const { database, redis, eventBus, audit, organizations, clusters, rollouts } = await storesForThisFile(PREFIX, logger);

let fleetRollouts: FleetRolloutStore;
let releases: FleetReleaseStore;
let freezeWindows: FreezeWindowStore;
let breakGlass: BreakGlassStore;
let reconcileQueue: ReconcileQueue;
let fleetQueue: FleetReconcileQueue;
let analysisQueue: AnalysisQueue;
let rolloutReconciler: RolloutReconciler;
let fleetReconciler: FleetReleaseReconciler;

beforeAll(() => {
  fleetRollouts = new FleetRolloutStore(database);
  releases = new FleetReleaseStore(database, rollouts, audit);
  freezeWindows = new FreezeWindowStore(database);
  breakGlass = new BreakGlassStore(database);
  reconcileQueue = new ReconcileQueue(redis, PREFIX, 20_000);
  fleetQueue = new FleetReconcileQueue(redis, PREFIX, 20_000);
  analysisQueue = new AnalysisQueue(redis, PREFIX);
  // Windows are read again at every reconcile: the tests apply them between reconciles.
  const freezes = new FreezeChecker(freezeWindows, breakGlass, 0);
  rolloutReconciler = new RolloutReconciler(rollouts, eventBus, reconcileQueue, analysisQueue, fleetQueue, logger, freezes);
  fleetReconciler = new FleetReleaseReconciler(database, releases, eventBus, reconcileQueue, fleetQueue, logger, freezes);
});
afterAll(async () => {
  for (const queue of [reconcileQueue, fleetQueue]) await queue.queue.obliterate({ force: true });
  await Promise.allSettled([reconcileQueue.close(), fleetQueue.close(), analysisQueue.close()]);
});

const OLD_IMAGE = 'shop/checkout:1';
const NEW_IMAGE = 'shop/checkout:2';
const START = new Date('2026-12-05T10:00:00Z');
const WINDOW_END = new Date('2026-12-05T12:00:00Z');
const at = (minutes: number): Date => new Date(START.getTime() + minutes * 60_000);

const rolloutSpec = (image: string): RolloutSpec => canaryRollout('checkout', image).spec as unknown as RolloutSpec;

const PROD: FixtureCluster[] = [{ name: 'prod', labels: { env: 'prod' } }];

/** An organization with a connected `prod` cluster running `shop/checkout` on its first revision, reconciled once. */
async function deployed(): Promise<{ scope: OrganizationScope; clusterId: string; rolloutId: string }> {
  const fixture = await organizationWithClusters({ database, organizations, clusters }, 'freeze', PROD, { rollouts, image: OLD_IMAGE });
  const clusterId = fixture.clusterIds['prod'] as string;
  const rolloutId = fixture.rolloutIds['prod'] as string;
  await database.cluster.update({ where: { id: clusterId }, data: { connectionState: 'Connected', lastHeartbeatAt: START } });
  expect(await rolloutReconciler.reconcile(rolloutId, () => START)).toMatchObject({ result: 'written' });
  return { scope: fixture.scope, clusterId, rolloutId };
}

/** A release of NEW_IMAGE to the `prod` cluster in one wave, started a minute after START. */
const releaseToProd = (scope: OrganizationScope, reason: string | null): Promise<FleetReleaseRecord> =>
  startedCheckoutRelease({ database, fleetRollouts, releases }, scope, {
    spec: { rollout: { namespace: 'shop', name: 'checkout' }, waves: [{ name: 'all' }] },
    clusters: PROD,
    image: NEW_IMAGE,
    reason,
    now: at(1),
  });

async function applyWindow(scope: OrganizationScope, spec: Partial<FreezeWindowSpec> = {}): Promise<void> {
  await inTransaction(database, (transaction) =>
    freezeWindows.apply(scope, transaction, {
      name: 'maintenance',
      labels: {},
      annotations: {},
      spec: {
        reason: 'maintenance',
        start: START.toISOString(),
        end: WINDOW_END.toISOString(),
        clusterSelector: { matchLabels: { env: 'prod' } },
        ...spec,
      },
      appliedBy: 'admin',
    }),
  );
}

async function changeImage(scope: OrganizationScope, clusterId: string, image: string): Promise<void> {
  await inTransaction(database, (transaction) =>
    rollouts.apply(scope, transaction, {
      clusterId,
      namespace: 'shop',
      name: 'checkout',
      labels: {},
      annotations: {},
      spec: rolloutSpec(image),
      appliedBy: 'admin',
    }),
  );
}

const stored = async (rolloutId: string) => {
  const row = await database.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
  const status = row.status as { currentPodHash: string; message: string; stableRS: string } | null;
  return {
    status,
    desiredState: row.desiredState,
    desiredVersion: row.desiredVersion,
    nextReconcileAt: row.nextReconcileAt,
    generation: row.generation,
  };
};

describe('the rollout reconciler under a freeze window', () => {
  it('holds a template change on the current revision, keeps the desired state, and starts it at the window end', async () => {
    const { scope, clusterId, rolloutId } = await deployed();
    const before = await stored(rolloutId);
    await applyWindow(scope);
    await changeImage(scope, clusterId, NEW_IMAGE);

    expect(await rolloutReconciler.reconcile(rolloutId, () => at(5))).toMatchObject({ result: 'written', desiredChanged: false });
    const held = await stored(rolloutId);
    expect(held.status?.currentPodHash).toBe(before.status?.currentPodHash);
    expect(held.status?.message).toBe(`held by freeze maintenance until ${WINDOW_END.toISOString()}`);
    expect(held).toMatchObject({ desiredState: before.desiredState, desiredVersion: before.desiredVersion, nextReconcileAt: WINDOW_END });
    expect(await rolloutReconciler.reconcile(rolloutId, () => at(6))).toEqual({ result: 'unchanged' });

    expect(await rolloutReconciler.reconcile(rolloutId, () => WINDOW_END)).toMatchObject({ result: 'written', desiredChanged: true });
    const started = await stored(rolloutId);
    expect(started.status?.currentPodHash).not.toBe(before.status?.currentPodHash);
    expect(started.status?.message).not.toContain('held by freeze');
  });

  it('a window not covering the rollout (another namespace) holds nothing', async () => {
    const { scope, clusterId, rolloutId } = await deployed();
    const before = await stored(rolloutId);
    await applyWindow(scope, { namespaces: ['payments'] });
    await changeImage(scope, clusterId, NEW_IMAGE);
    expect(await rolloutReconciler.reconcile(rolloutId, () => at(5))).toMatchObject({ result: 'written', desiredChanged: true });
    expect((await stored(rolloutId)).status?.currentPodHash).not.toBe(before.status?.currentPodHash);
  });

  it('an active break-glass override of the rollout lifts the freeze; a revoked one no longer does', async () => {
    const { scope, clusterId, rolloutId } = await deployed();
    const before = await stored(rolloutId);
    await applyWindow(scope);
    await changeImage(scope, clusterId, NEW_IMAGE);
    const override = await inTransaction(database, (transaction) =>
      breakGlass.request(scope, transaction, {
        targetType: 'Rollout',
        targetId: randomUUID(),
        targetName: 'prod/shop/checkout',
        reason: 'hotfix',
        durationSeconds: 600,
        requestedBy: 'alice',
        effectiveNow: true,
        now: at(1),
      }),
    );
    // An override of another target changes nothing.
    await rolloutReconciler.reconcile(rolloutId, () => at(2));
    expect((await stored(rolloutId)).status?.message).toContain('held by freeze maintenance');
    await inTransaction(database, (transaction) => breakGlass.revoke(scope, transaction, override.id, at(2)));

    await inTransaction(database, (transaction) =>
      breakGlass.request(scope, transaction, {
        targetType: 'Rollout',
        targetId: rolloutId,
        targetName: 'prod/shop/checkout',
        reason: 'hotfix',
        durationSeconds: 600,
        requestedBy: 'alice',
        effectiveNow: true,
        now: at(3),
      }),
    );
    expect(await rolloutReconciler.reconcile(rolloutId, () => at(4))).toMatchObject({ result: 'written', desiredChanged: true });
    expect((await stored(rolloutId)).status?.currentPodHash).not.toBe(before.status?.currentPodHash);
  });
});

describe('the fleet release reconciler under a freeze window', () => {
  it('holds the members of a frozen cluster Pending until the window ends, and a break-glass of the release lifts it', async () => {
    const { scope, rolloutId } = await deployed();
    await applyWindow(scope);
    const release = await releaseToProd(scope, 'a fix');
    const image = async (): Promise<string | undefined> =>
      (await rollouts.findById(SYSTEM, rolloutId))?.spec.template.spec.containers[0]?.image;

    await fleetReconciler.reconcile(release.id, () => at(2));
    const held = await releases.findById(SYSTEM, release.id);
    expect(held?.status.waves[0]?.members[0]).toMatchObject({
      state: 'Pending',
      message: `held by freeze maintenance until ${WINDOW_END.toISOString()}`,
    });
    expect(held?.nextReconcileAt).toEqual(WINDOW_END);
    expect(await image()).toBe(OLD_IMAGE);

    await inTransaction(database, (transaction) =>
      breakGlass.request(scope, transaction, {
        targetType: 'FleetRelease',
        targetId: release.id,
        targetName: 'checkout#1',
        reason: 'hotfix',
        durationSeconds: 600,
        requestedBy: 'alice',
        effectiveNow: true,
        now: at(3),
      }),
    );
    await fleetReconciler.reconcile(release.id, () => at(4));
    expect((await releases.findById(SYSTEM, release.id))?.status.waves[0]?.members[0]?.state).toBe('Changing');
    expect(await image()).toBe(NEW_IMAGE);
    // The member's own reconcile finds the override of its release too: its new revision starts inside the window.
    const before = await stored(rolloutId);
    await database.rollout.update({ where: { id: rolloutId }, data: { fleetReleaseId: release.id } });
    expect(await rolloutReconciler.reconcile(rolloutId, () => at(5))).toMatchObject({ result: 'written', desiredChanged: true });
    expect((await stored(rolloutId)).status?.currentPodHash).not.toBe(before.status?.currentPodHash);
  });

  it('changes the member at the window end', async () => {
    const { scope, rolloutId } = await deployed();
    await applyWindow(scope);
    const release = await releaseToProd(scope, null);
    await fleetReconciler.reconcile(release.id, () => at(2));
    expect((await releases.findById(SYSTEM, release.id))?.status.waves[0]?.members[0]?.state).toBe('Pending');
    await fleetReconciler.reconcile(release.id, () => WINDOW_END);
    expect((await releases.findById(SYSTEM, release.id))?.status.waves[0]?.members[0]?.state).toBe('Changing');
    expect((await rollouts.findById(SYSTEM, rolloutId))?.spec.template.spec.containers[0]?.image).toBe(NEW_IMAGE);
  });
});

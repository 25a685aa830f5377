import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredRolloutState, ObservedRolloutState } from '../../libs/protocol/src/index.js';
import { inTransaction } from '../../libs/stores/src/database/database.js';
import { BreakGlassStore } from '../../libs/stores/src/freezes/break-glass-store.js';
import { FreezeWindowStore } from '../../libs/stores/src/freezes/freeze-window-store.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AnalysisQueue } from '../../libs/queues/src/analysis-queue.js';
import { FleetReconcileQueue } from '../../libs/queues/src/fleet-reconcile-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { FreezeChecker } from '../../apps/worker/src/freezes/freeze-checker.js';
import { RolloutReconciler } from '../../apps/worker/src/reconcile/rollout-reconciler.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { markHealthy, organizationWithClusters } from '../support/fleet-fixture.js';

// A changed observation is recorded, and its reconcile asked for, in two steps (Postgres, then Redis): a trigger lost
// between them, or a reconcile held while the cluster counted as disconnected, must not leave a Healthy rollout on an
// observation the engine never read until the next change.
const SYSTEM = systemScope('test');
const PREFIX = `test-observation-pending-${process.pid}`;
const logger = createLogger('test', 'warn');

const { database, redis, eventBus, organizations, clusters, rollouts } = await storesForThisFile(PREFIX, logger);

let reconcileQueue: ReconcileQueue;
let fleetQueue: FleetReconcileQueue;
let analysisQueue: AnalysisQueue;
let reconciler: RolloutReconciler;

beforeAll(() => {
  reconcileQueue = new ReconcileQueue(redis, PREFIX, 20_000);
  fleetQueue = new FleetReconcileQueue(redis, PREFIX, 20_000);
  analysisQueue = new AnalysisQueue(redis, PREFIX);
  const freezes = new FreezeChecker(new FreezeWindowStore(database), new BreakGlassStore(database), 0);
  reconciler = new RolloutReconciler(rollouts, eventBus, reconcileQueue, analysisQueue, fleetQueue, logger, freezes);
});
afterAll(async () => {
  for (const queue of [reconcileQueue, fleetQueue]) await queue.queue.obliterate({ force: true });
  await Promise.allSettled([reconcileQueue.close(), fleetQueue.close(), analysisQueue.close()]);
});

const START = new Date('2026-12-06T10:00:00Z');
const at = (seconds: number): Date => new Date(START.getTime() + seconds * 1000);

const unsettled = async (now: Date): Promise<{ id: string; version: number }[]> =>
  inTransaction(database, (transaction) => rollouts.unsettled(SYSTEM, transaction, now));

const pending = async (rolloutId: string): Promise<boolean> =>
  (await database.rollout.findUniqueOrThrow({ where: { id: rolloutId } })).observationPending;

/** What the agent of a converged cluster reports: the desired ReplicaSets, every pod available, and `events`. */
async function converged(rolloutId: string, observedAt: Date, events: ObservedRolloutState['events'] = []): Promise<ObservedRolloutState> {
  const { desiredState } = await database.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
  const desired = desiredState as unknown as DesiredRolloutState;
  return {
    replicaSets: desired.replicaSets.map(({ podTemplateHash, labels, annotations, replicas, template }) => ({
      podTemplateHash,
      labels,
      annotations,
      template,
      replicas,
      currentReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      podProblems: [],
      oldestPodCreatedAt: undefined,
    })),
    serviceSelectors: {},
    trafficWeights: {},
    events,
    observedAt: observedAt.toISOString(),
  };
}

const PULLED = {
  type: 'Normal',
  reason: 'Pulled',
  message: 'pulled',
  count: 1,
  lastSeenAt: at(5).toISOString(),
  involvedObject: { kind: 'Pod', name: 'checkout-1' },
};

describe('an observation the engine has not read', () => {
  it('keeps its rollout among those the sweep asks for until a reconcile read it, whether that reconcile wrote or not', async () => {
    const fixture = await organizationWithClusters({ database, organizations, clusters }, 'pending', [{ name: 'prod', labels: {} }], {
      rollouts,
      image: 'shop/checkout:1',
    });
    const clusterId = fixture.clusterIds['prod'] as string;
    const rolloutId = fixture.rolloutIds['prod'] as string;
    await database.cluster.update({ where: { id: clusterId }, data: { connectionState: 'Connected', lastHeartbeatAt: START } });
    const key = { clusterId, namespace: 'shop', name: 'checkout' };
    const report = (observed: ObservedRolloutState, digest: string, now: Date) =>
      rollouts.recordAgentReport(SYSTEM, key, { appliedDesiredVersion: 0, observed, digest }, now);
    const asked = async (now: Date) => (await unsettled(now)).filter((row) => row.id === rolloutId);
    expect(await reconciler.reconcile(rolloutId, () => at(0))).toMatchObject({ result: 'written' });
    await markHealthy(rollouts, rolloutId, at(1));
    expect(await asked(at(2))).toEqual([]);

    const changed = await report(await converged(rolloutId, at(3)), 'a', at(3));
    expect(changed).toMatchObject({ observationChanged: true });
    // Its trigger lost: the sweep finds the Healthy rollout all the same.
    expect(await asked(at(4))).toEqual([{ id: rolloutId, version: changed?.version }]);
    await reconciler.reconcile(rolloutId, () => at(4));
    expect(await pending(rolloutId)).toBe(false);

    expect(await report(await converged(rolloutId, at(5), [PULLED]), 'b', at(5))).toMatchObject({ observationChanged: true });
    expect(await pending(rolloutId)).toBe(true);
    expect(await reconciler.reconcile(rolloutId, () => at(6))).toEqual({ result: 'unchanged' });
    expect(await pending(rolloutId)).toBe(false);

    // A report that changes nothing but its time leaves the rollout as the engine last read it.
    await report(await converged(rolloutId, at(7), [PULLED]), 'b', at(7));
    expect(await pending(rolloutId)).toBe(false);
  });
});

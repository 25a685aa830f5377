import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FleetRolloutSpec } from '../../libs/fleet-engine/src/index.js';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { FleetReconcileQueue } from '../../libs/queues/src/fleet-reconcile-queue.js';
import { NotificationQueue } from '../../libs/queues/src/notification-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { SqlPool } from '../../libs/stores/src/database/sql.js';
import { FleetReleaseStore } from '../../libs/stores/src/fleet/fleet-release-store.js';
import { FleetRolloutStore } from '../../libs/stores/src/fleet/fleet-rollout-store.js';
import { BreakGlassStore } from '../../libs/stores/src/freezes/break-glass-store.js';
import { FreezeWindowStore } from '../../libs/stores/src/freezes/freeze-window-store.js';
import { NotificationConfigStore } from '../../libs/stores/src/notifications/notification-config-store.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { FleetReleaseReconciler } from '../../apps/worker/src/fleet/fleet-release-reconciler.js';
import { FreezeChecker } from '../../apps/worker/src/freezes/freeze-checker.js';
import { testNotificationDecider } from '../support/notification-decider.js';
import { markHealthy } from '../support/fleet-fixture.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { toYaml } from '../support/manifests.js';
import { notifyingOrganization } from '../support/notifying-organization.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile();
const prefix = api.environment.REDIS_PREFIX!;
const logger = createLogger('test', 'warn');

// No worker process runs here: the test plays the worker's fleet reconcile itself, on the API's database and queues.
const redis = new Redis(inject('redisUrl'));
const subscriber = new Redis(inject('redisUrl'));
const sql = new SqlPool(inject('databaseUrl'), 1);
const eventBus = new EventBus(redis, subscriber, logger, prefix);
const notificationQueue = new NotificationQueue(redis, prefix);
const reconcileQueue = new ReconcileQueue(redis, prefix);
const fleetQueue = new FleetReconcileQueue(redis, prefix);
const audit = new AuditStore(api.database, eventBus);
const rollouts = new RolloutStore(api.database, { sql, audit });
const fleetRollouts = new FleetRolloutStore(api.database);
const releases = new FleetReleaseStore(api.database, rollouts, audit);
const workerReconcile = new FleetReleaseReconciler(
  api.database,
  releases,
  eventBus,
  reconcileQueue,
  fleetQueue,
  logger,
  new FreezeChecker(new FreezeWindowStore(api.database), new BreakGlassStore(api.database)),
  undefined,
  {
    decider: testNotificationDecider(api.database, new NotificationConfigStore(api.database, undefined), logger),
    fleetRollouts,
    queue: notificationQueue,
  },
);
afterAll(async () => {
  await Promise.allSettled([notificationQueue.close(), reconcileQueue.close(), fleetQueue.close()]);
  await Promise.allSettled([sql.end(), redis.quit(), subscriber.quit()]);
});

const APPLY = 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { action } }';
const RELEASE_FLEET = `mutation($fleetRollout: String!) {
  releaseFleet(fleetRollout: $fleetRollout, image: "shop/app:2", container: $fleetRollout) { id currentWave }
}`;
const OPERATE = {
  approveWave: 'mutation($fleetRollout: String!) { approveWave(fleetRollout: $fleetRollout) { currentWave } }',
  resumeFleetRelease: 'mutation($fleetRollout: String!) { resumeFleetRelease(fleetRollout: $fleetRollout) { currentWave } }',
} as const;

const SUBSCRIBED = Object.fromEntries(
  ['on-fleet-wave-started', 'on-fleet-wave-passed', 'on-fleet-release-superseded', 'on-fleet-release-completed'].map((trigger) => [
    `notifications.argoproj.io/subscribe.${trigger}.hooks`,
    '',
  ]),
);

/** The Rollout `shop/<name>` released by the FleetRollout `<name>`: staging first, waiting for an approval, then production. */
const fleetRolloutYaml = (name: string, annotations: Record<string, string>): string => {
  const spec: FleetRolloutSpec = {
    rollout: { namespace: 'shop', name },
    waves: [
      { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' },
      { name: 'production', clusterSelector: { matchLabels: { env: 'prod' } } },
    ],
  };
  return toYaml({ apiVersion: 'flotilla.io/v1alpha1', kind: 'FleetRollout', metadata: { name, annotations }, spec });
};

const releaseFleet = (fleetRollout: string) =>
  graphql<{ releaseFleet: { id: string; currentWave: number } }>(api.url, org.tokens.deployer, RELEASE_FLEET, { fleetRollout });

const operate = (operation: keyof typeof OPERATE, fleetRollout: string) =>
  graphql<Record<string, { currentWave: number }>>(api.url, org.tokens.deployer, OPERATE[operation], { fleetRollout });

/** The organization's stored deliveries as `[trigger, FleetRollout, message]`, in message order. */
const deliveries = async (): Promise<string[][]> =>
  (
    await api.database.notificationDelivery.findMany({
      where: { organizationId: org.id },
      select: { trigger: true, subjectName: true, notification: true },
    })
  )
    .map(({ trigger, subjectName, notification }) => [trigger, subjectName, (notification as { message: string }).message])
    .sort(([, , a], [, , b]) => a!.localeCompare(b!));

beforeAll(async () => {
  await notifyingOrganization(api.url, org.tokens, ['checkout', 'cart'], {
    // A release superseded has no default template: it says what a halted release says.
    'trigger.on-fleet-release-superseded': '- send: [fleet-release-halted]\n',
  });
  await graphqlData(api.url, org.tokens.admin, APPLY, { yaml: fleetRolloutYaml('checkout', SUBSCRIBED) });
  await graphqlData(api.url, org.tokens.admin, APPLY, { yaml: fleetRolloutYaml('cart', {}) });
});

describe('notifications of fleet releases changed by the API', () => {
  let releaseId: string;

  it('releaseFleet on a subscribed FleetRollout stores the first wave started once and queues it after the commit', async () => {
    const released = await releaseFleet('checkout');
    expect(released.errors).toBeUndefined();
    releaseId = released.data!.releaseFleet.id;
    expect(await deliveries()).toEqual([['on-fleet-wave-started', 'checkout', 'Fleet release of checkout: wave staging started.']]);
    const [stored] = await api.database.notificationDelivery.findMany({ where: { organizationId: org.id }, select: { id: true } });
    const jobs = await notificationQueue.queue.getJobs(['waiting', 'delayed']);
    expect(jobs.map((job) => job.data.deliveryId)).toContain(stored!.id);
  });

  it('releaseFleet on a FleetRollout that subscribes nothing stores none', async () => {
    expect((await releaseFleet('cart')).errors).toBeUndefined();
    expect((await deliveries()).filter(([, subject]) => subject === 'cart')).toEqual([]);
  });

  it('an operation the fleet engine refuses stores none', async () => {
    const before = await deliveries();
    expect((await operate('resumeFleetRelease', 'checkout')).errors?.[0]?.extensions?.code).toBe('fleet/operation_refused');
    expect(await deliveries()).toEqual(before);
  });

  it("an approval that starts the next wave notifies it once, though the worker's reconcile decides the release again", async () => {
    const staging = await api.database.rollout.findFirstOrThrow({
      where: { organizationId: org.id, name: 'checkout', cluster: { name: 'staging' } },
      select: { id: true },
    });
    // A member of a cluster that never connected cannot be Released: the cluster is heard of first.
    await api.database.cluster.updateMany({
      where: { organizationId: org.id, name: 'staging' },
      data: { connectionState: 'Connected', lastHeartbeatAt: new Date() },
    });
    await markHealthy(rollouts, staging.id, new Date());
    expect((await operate('approveWave', 'checkout')).data?.approveWave).toEqual({ currentWave: 1 });
    const afterApproval = [
      ['on-fleet-wave-started', 'checkout', 'Fleet release of checkout: wave production started.'],
      ['on-fleet-wave-passed', 'checkout', 'Fleet release of checkout: wave staging passed.'],
      ['on-fleet-wave-started', 'checkout', 'Fleet release of checkout: wave staging started.'],
    ];
    expect(await deliveries()).toEqual(afterApproval);

    await workerReconcile.reconcile(releaseId);
    await workerReconcile.reconcile(releaseId);
    expect(await deliveries()).toEqual(afterApproval);
  });

  it('a release that supersedes the active one notifies the superseded release and its own first wave, each once', async () => {
    const stored = await api.database.notificationDelivery.findMany({ where: { organizationId: org.id }, select: { id: true } });
    expect((await releaseFleet('checkout')).errors).toBeUndefined();
    const added = await api.database.notificationDelivery.findMany({
      where: { organizationId: org.id, id: { notIn: stored.map(({ id }) => id) } },
      select: { trigger: true, notification: true },
    });
    expect(added.map(({ trigger, notification }) => [trigger, (notification as { message: string }).message]).sort()).toEqual([
      [
        'on-fleet-release-superseded',
        'Fleet release of checkout halted: superseded by a newer release of the fleet (it was Progressing in wave 2/2 production)',
      ],
      ['on-fleet-wave-started', 'Fleet release of checkout: wave staging started.'],
    ]);
  });
});

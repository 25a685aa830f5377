import { isDeepStrictEqual } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { startHaproxy } from '../support/haproxy.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { eventually, exitOf } from '../support/processes.js';

// Two API replicas behind HAProxy, two workers, both clusters' agents connected through HAProxy. HAProxy sends every
// connection to the first replica that is up, so the replica holding the agents is known.

const STEPS = [{ setWeight: 20 }, { pause: { duration: '1s' } }, { setWeight: 40 }, { pause: { duration: '2s' } }, { setWeight: 80 }];
const GRACE_SECONDS = 6;

let system: E2eSystem;
let subscriptions: Client | undefined;

beforeAll(async () => {
  system = await E2eSystem.start({
    apis: 2,
    workers: 2,
    podReadyDelayMs: 100,
    front: (apiUrls, directory) => startHaproxy(directory, apiUrls),
    apiEnvironment: { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS), SHUTDOWN_DRAIN_SECONDS: '1', TRUSTED_PROXIES: 'loopback' },
    workerEnvironment: { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) },
  });
}, 60_000);
afterAll(async () => {
  await subscriptions?.dispose();
  await system?.stop();
});

/**
 * Subscribes to rollout changes on one replica, once the replica acknowledged the connection; answers the names of
 * the rollouts changed, as they arrive.
 */
async function rolloutChangesOn(apiUrl: string): Promise<string[]> {
  const changed: string[] = [];
  await new Promise<void>((resolve, reject) => {
    subscriptions = createClient({
      url: `${apiUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${system.tokens.deployer}` },
      retryAttempts: 0,
      on: { connected: () => resolve(), error: reject },
    });
    subscriptions.subscribe<{ rolloutChanged: { name: string } }>(
      { query: 'subscription { rolloutChanged { name } }' },
      { next: ({ data }) => data && changed.push(data.rolloutChanged.name), error: () => undefined, complete: () => undefined },
    );
  });
  return changed;
}

/** Every cluster's agent connected (again) after `since`: its gateway recorded it connected or heard it since. */
async function everyAgentBackSince(since: Date, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const clusters = await system.database.cluster.findMany({ where: { name: { in: system.clusterNames } } });
      const back = clusters.filter((cluster) => cluster.connectionState === 'Connected' && (cluster.lastHeartbeatAt ?? since) > since);
      return back.length === system.clusterNames.length || undefined;
    },
    timeoutMs,
    'every agent to be connected again',
  );
}

describe('several API replicas and workers', { timeout: 60_000 }, () => {
  it('finish a release with each step exactly once although the replica holding the agents is killed and a worker stopped mid-way', async () => {
    // Given a canary on its way from v1 to v2
    const space = await E2eNamespace.create(system, 'staging', 'replicas');
    const rollout = canaryRollout('orders', 'shop/orders:1');
    rollout.spec.strategy.canary.steps = STEPS;
    await space.applyManifests(toYaml(rollout));
    await space.waitForPhase('orders', 'Healthy');
    const stepsBefore = (await space.completedSteps('orders')).length;
    await space.setImage('orders', 'orders', 'shop/orders:2');
    await space.waitFor(
      'orders',
      'to be past its first step',
      (seen) => seen.images[0] === 'shop/orders:2' && (seen.currentStepIndex ?? 0) >= 1,
    );

    // And a subscription held by the replica that holds no agent
    const changes = await rolloutChangesOn(system.apiUrls[1] as string);

    // When the replica holding both agents is killed with SIGKILL
    const killedAt = new Date();
    await system.killApi(0);

    // Then both agents are connected again through HAProxy, to the other replica, within 15 s
    await everyAgentBackSince(killedAt, 15_000);

    // When a worker is stopped with SIGTERM while the release goes on
    const [worker] = system.runningWorkers;
    if (!worker) throw new Error('no worker is running');
    worker.process.kill('SIGTERM');

    // Then it exits on its graceful path within its grace period
    expect(await exitOf(worker.process, GRACE_SECONDS * 1000)).toEqual({ code: 0, signal: null });

    // And the release finishes, only v2 pods running, each step recorded exactly once and in order
    const healthy = await space.waitForPhase(
      'orders',
      'Healthy',
      (seen) => seen.currentStepIndex === STEPS.length && seen.images[0] === 'shop/orders:2',
      30_000,
    );
    await space.waitFor('orders', 'to run v2 pods only', async () =>
      isDeepStrictEqual(await space.readyPodsByHash('orders'), { [healthy.status?.stableRS ?? '']: 5 }),
    );
    const recorded = (await space.completedSteps('orders')).slice(stepsBefore).map((step) => step.stepIndex);
    expect(recorded).toEqual(STEPS.map((_step, index) => index));
    // The workers' changes reached the subscriber on the surviving replica throughout
    expect(changes.filter((name) => name === 'orders').length).toBeGreaterThanOrEqual(2);
  });

  it('on SIGTERM, a replica turns /readyz to 503 first, then sends its agents to another replica at once and exits', async () => {
    // Given the first replica back, ready and first in HAProxy's order again, while the second one holds the agents
    await system.startApi(0);
    const [first, second] = system.apiUrls as [string, string];
    await eventually(async () => (await fetch(`${system.apiUrl}/readyz`)).ok || undefined, 5_000, 'HAProxy to find the first replica');

    // When the second one is sent SIGTERM
    const signalledAt = new Date();
    const exit = system.signalApi('SIGTERM', GRACE_SECONDS * 1000, 1);

    // Then it answers /readyz with 503 while it drains, so that HAProxy stops sending it work
    await eventually(async () => (await fetch(`${second}/readyz`)).status === 503 || undefined, 1_000, '/readyz to answer 503');

    // And its agents are connected to the first replica within a few seconds of the goodbye, and it exits 0
    await everyAgentBackSince(signalledAt, 4_000);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect((await fetch(`${first}/readyz`)).ok).toBe(true);
  });
});

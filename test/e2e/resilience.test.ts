import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';

let system: E2eSystem;

beforeAll(async () => {
  system = await E2eSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system?.stop();
});

const TIMED_PAUSE_SECONDS = 4;

/** Steps 20 / pause / 40 / pause 4s / 60 / 80, so that a failure can be staged at the timed pause. */
function canary(name: string, image: string): Manifest {
  const rollout = canaryRollout(name, image);
  rollout.spec.strategy.canary.steps = [
    { setWeight: 20 },
    { pause: {} },
    { setWeight: 40 },
    { pause: { duration: `${TIMED_PAUSE_SECONDS}s` } },
    { setWeight: 60 },
    { setWeight: 80 },
  ];
  return rollout;
}

/** A rollout of `name` at v1, updated to v2 and promoted past its first pause: it is now on its way to step 3. */
async function promotedUpdate(prefix: string, name: string): Promise<{ space: E2eNamespace; stableHash: string }> {
  const space = await E2eNamespace.create(system, 'staging', prefix);
  await space.applyManifests(toYaml(canary(name, `shop/${name}:1`)));
  const healthy = await space.waitForPhase(name, 'Healthy');
  await space.setImage(name, name, `shop/${name}:2`);
  await space.waitForPhase(name, 'Paused', (rollout) => rollout.currentStepIndex === 1);
  await space.operate('promote', name);
  return { space, stableHash: healthy.status?.stableRS ?? '' };
}

/** The rollout finished its update: Healthy at the last step with every pod of v2 ready in the cluster. */
async function finished(space: E2eNamespace, name: string, timeoutMs = 40_000): Promise<void> {
  const healthy = await space.waitForPhase(
    name,
    'Healthy',
    (rollout) => rollout.currentStepIndex === 6 && rollout.images[0] === `shop/${name}:2`,
    timeoutMs,
  );
  await space.waitFor(name, 'to run v2 pods only', async () =>
    isDeepStrictEqual(await space.readyPodsByHash(name), { [healthy.status?.stableRS ?? '']: 5 }),
  );
}

describe('a rollout survives the loss of the processes that carry it', { timeout: 120_000 }, () => {
  it('holds while its cluster’s agent is killed, even past the end of a timed pause, and finishes once the agent is back', async () => {
    // Given a rollout at its 4 s timed pause
    const { space, stableHash } = await promotedUpdate('agent-loss', 'catalog');
    const pausedAt = await space.waitForPhase('catalog', 'Paused', (rollout) => rollout.currentStepIndex === 3);

    // When the staging agent is killed with SIGKILL
    await system.killAgent('staging');

    // Then the cluster shows Disconnected, and the rollout stays at its step although the pause has run out
    await system.waitForConnectionState('staging', 'Disconnected', 5_000);
    await new Promise((resolve) => setTimeout(resolve, (TIMED_PAUSE_SECONDS + 2) * 1000));
    const held = await space.rollout('catalog');
    expect({ step: held.currentStepIndex, phase: held.phase }).toEqual({ step: pausedAt.currentStepIndex, phase: 'Paused' });
    expect((await space.readyPodsByHash('catalog'))[stableHash]).toBe(3);

    // When the agent is started again
    system.startAgent('staging');

    // Then the cluster is Connected and the rollout goes on to the end
    await system.waitForConnectionState('staging', 'Connected');
    await finished(space, 'catalog');
  });

  it('finishes when one of two workers is killed with SIGKILL mid-rollout', async () => {
    // Given a rollout on its way through its steps, and two workers
    const { space } = await promotedUpdate('worker-loss', 'orders');
    expect(system.workerCount).toBe(2);

    // When one worker is killed
    await system.killWorker();

    // Then the other one carries the rollout to the end
    await finished(space, 'orders');
    expect(system.workerCount).toBe(1);
    await system.startWorker();
  });

  it('finishes when every Redis key of the system is deleted mid-rollout', async () => {
    // Given a rollout on its way through its steps
    const { space } = await promotedUpdate('redis-loss', 'billing');
    await space.waitFor('billing', 'to reach the timed pause', (rollout) => (rollout.currentStepIndex ?? 0) >= 3);

    // When every job, lock and scheduled wake-up under the system's Redis prefix is deleted
    const deleted = await system.deleteRedisKeys();
    expect(deleted).toBeGreaterThan(0);

    // Then the workers re-derive what to do from Postgres and the rollout finishes
    await finished(space, 'billing');
  });
});

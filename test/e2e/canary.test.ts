import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';

let system: E2eSystem;

beforeAll(async () => {
  system = await E2eSystem.start();
});
afterAll(async () => {
  await system?.stop();
});

/** The getting-started canary with shorter timed pauses, for scenarios that are not about timing. */
function quickCanary(name: string, image: string, edit: (rollout: Manifest) => void = () => {}): Manifest {
  const rollout = canaryRollout(name, image);
  rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { duration: '2s' } }, { setWeight: 60 }, { setWeight: 80 }];
  edit(rollout);
  return rollout;
}

/** A rollout released once, Healthy with every pod of its first revision ready in the cluster. */
async function released(prefix: string, manifest: Manifest): Promise<{ space: E2eNamespace; stableHash: string }> {
  const space = await E2eNamespace.create(system, 'staging', prefix);
  await space.applyManifests(toYaml(manifest));
  const healthy = await space.waitForPhase(manifest.metadata.name, 'Healthy');
  const stableHash = healthy.status?.stableRS ?? '';
  await space.waitFor(manifest.metadata.name, 'to run every pod of its first revision', async () => isDeepStrictEqual(await space.readyPodsByHash(manifest.metadata.name), { [stableHash]: 5 }));
  return { space, stableHash };
}

// Each scenario has its own namespace, so they run side by side on one system.
describe.concurrent('canary releases across the API, workers, agent and cluster', { timeout: 90_000 }, () => {
  it('steps through 20 / pause / 40 / pause 10s / 60 / 80 to a new stable revision', async () => {
    // Given the getting-started rollout released at blue
    const { space, stableHash } = await released('getting-started', canaryRollout('rollouts-demo', 'argoproj/rollouts-demo:blue'));

    // When the image is set to yellow
    await space.setImage('rollouts-demo', 'rollouts-demo', 'argoproj/rollouts-demo:yellow');

    // Then it pauses at the indefinite pause with one canary and four stable pods running
    const paused = await space.waitForPhase('rollouts-demo', 'Paused', (rollout) => rollout.currentStepIndex === 1);
    const canaryHash = paused.status?.currentPodHash ?? '';
    expect(canaryHash).not.toBe(stableHash);
    await space.waitFor('rollouts-demo', 'to run 1 canary and 4 stable pods', async () => isDeepStrictEqual(await space.readyPodsByHash('rollouts-demo'), { [stableHash]: 4, [canaryHash]: 1 }));
    expect(await space.replicaSets('rollouts-demo')).toEqual(
      expect.arrayContaining([
        { hash: stableHash, image: 'argoproj/rollouts-demo:blue', replicas: 4, readyReplicas: 4 },
        { hash: canaryHash, image: 'argoproj/rollouts-demo:yellow', replicas: 1, readyReplicas: 1 },
      ]),
    );

    // When it is promoted
    await space.operate('promote', 'rollouts-demo');

    // Then it holds at the 10 s pause for its whole duration, with two canary pods of five
    const timedPause = await space.waitFor('rollouts-demo', 'to reach the 10 s pause', (rollout) => rollout.currentStepIndex === 3, 30_000);
    const pauseReachedAt = Date.now();
    expect(timedPause.phase).toBe('Paused');
    await space.waitFor('rollouts-demo', 'to run 2 canary and 3 stable pods', async () => isDeepStrictEqual(await space.readyPodsByHash('rollouts-demo'), { [stableHash]: 3, [canaryHash]: 2 }));
    const after = await space.waitFor('rollouts-demo', 'to leave the 10 s pause', (rollout) => (rollout.currentStepIndex ?? 0) > 3, 30_000);
    expect(Date.now() - pauseReachedAt).toBeGreaterThanOrEqual(8_000);
    expect(after.currentStepIndex).toBeGreaterThan(3);

    // And it ends Healthy with yellow as the stable revision on all five pods and blue scaled away
    const healthy = await space.waitForPhase('rollouts-demo', 'Healthy', (rollout) => rollout.currentStepIndex === 6, 30_000);
    expect(healthy.status?.stableRS).toBe(canaryHash);
    await space.waitFor('rollouts-demo', 'to run 5 yellow pods only', async () => isDeepStrictEqual(await space.readyPodsByHash('rollouts-demo'), { [canaryHash]: 5 }));
    expect((await space.replicaSets('rollouts-demo')).find((replicaSet) => replicaSet.hash === stableHash)?.replicas).toBe(0);
    expect(await space.revisions('rollouts-demo')).toEqual([
      { revision: 2, images: ['argoproj/rollouts-demo:yellow'], outcome: 'Healthy' },
      { revision: 1, images: ['argoproj/rollouts-demo:blue'], outcome: 'Healthy' },
    ]);
  });

  it('aborts back to the stable pods, stays Degraded, and rolls back without steps when the image is reverted', async () => {
    // Given a rollout paused at its first pause with one canary pod
    const { space, stableHash } = await released('abort', quickCanary('cart', 'shop/cart:1'));
    await space.setImage('cart', 'cart', 'shop/cart:2');
    const paused = await space.waitForPhase('cart', 'Paused', (rollout) => rollout.currentStepIndex === 1);
    const canaryHash = paused.status?.currentPodHash ?? '';

    // When it is aborted
    await space.operate('abort', 'cart');

    // Then stable is back at full size, the canary has no pods, and the rollout is Degraded
    const degraded = await space.waitForPhase('cart', 'Degraded');
    expect(degraded.message).toMatch(/abort/i);
    await space.waitFor('cart', 'to run 5 stable pods only', async () => isDeepStrictEqual(await space.readyPodsByHash('cart'), { [stableHash]: 5 }));
    expect((await space.replicaSets('cart')).find((replicaSet) => replicaSet.hash === canaryHash)?.replicas).toBe(0);

    // And it stays Degraded while the spec still names the aborted image
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await space.rollout('cart')).phase).toBe('Degraded');

    // When the image is set back to the stable one
    await space.setImage('cart', 'cart', 'shop/cart:1');

    // Then it is Healthy at once on the stable pods, no step having run, and no new ReplicaSet made
    const healthy = await space.waitForPhase('cart', 'Healthy', (rollout) => rollout.images[0] === 'shop/cart:1');
    expect(healthy.status?.stableRS).toBe(stableHash);
    expect(healthy.currentStepIndex).toBe(6);
    expect((await space.replicaSets('cart')).map((replicaSet) => replicaSet.hash).sort()).toEqual([stableHash, canaryHash].sort());
    expect(await space.readyPodsByHash('cart')).toEqual({ [stableHash]: 5 });
    const steps = await system.graphql<{ auditEvents: { nodes: { after: { stepIndex: number } }[] } }>(
      system.tokens.deployer,
      'query($f: AuditEventFilter) { auditEvents(filter: $f, page: { first: 100 }) { nodes { after } } }',
      { f: { action: 'rollout.step_completed', targetName: `staging/${space.namespace}/cart` } },
    );
    expect(steps.auditEvents.nodes.map((event) => event.after.stepIndex).filter((index) => index > 1)).toEqual([]);
  });

  it('goes Degraded with ProgressDeadlineExceeded when the new pods crash-loop', async () => {
    // Given a rollout with a 15 s progress deadline
    const { space, stableHash } = await released('bad-image', quickCanary('search', 'shop/search:1', (rollout) => {
      rollout.spec.progressDeadlineSeconds = 15;
    }));

    // When the new image crashes on start
    await space.setImage('search', 'search', 'shop/search:bad');

    // Then its pods crash-loop in the cluster, and the agent reports it to the control plane
    await space.waitFor('search', 'to have a crash-looping pod', async () => (await space.pods('search')).some((pod) => pod.waitingReason === 'CrashLoopBackOff'));
    await space.waitFor('search', 'to be reported crash-looping by the agent', async () => {
      const row = await system.database.rollout.findFirstOrThrow({ where: { namespace: space.namespace, name: 'search' }, select: { observed: true } });
      const observed = row.observed as { replicaSets: { podProblems: { reason: string }[] }[] } | null;
      return (observed?.replicaSets ?? []).some((replicaSet) => replicaSet.podProblems.some((problem) => problem.reason === 'CrashLoopBackOff'));
    });
    expect((await space.rollout('search')).phase).toBe('Progressing');

    // And once the deadline passes it is Degraded, while the stable pods keep serving
    const degraded = await space.waitForPhase('search', 'Degraded', () => true, 40_000);
    expect(degraded.message).toContain('ProgressDeadlineExceeded');
    expect(degraded.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' })]));
    expect((await space.readyPodsByHash('search'))[stableHash]).toBeGreaterThanOrEqual(4);
  });
});

import { isDeepStrictEqual } from 'node:util';
import { E2eNamespace } from './e2e-rollouts.js';
import type { E2eSystem } from './e2e-system.js';
import { canaryRollout, toYaml, type Manifest } from './manifests.js';

/**
 * Updates a fresh five-pod canary with `steps` on the system's `staging` cluster from v1 to v2, runs `fault` once it
 * has completed its first step, and waits for the release to finish on its own: Healthy at its last step, only v2
 * pods. Answers the step indexes the audit recorded for the release, in order, for the caller to expect each once.
 */
export async function releaseThroughFault(
  system: E2eSystem,
  name: string,
  steps: readonly Manifest[],
  fault: () => Promise<void>,
): Promise<number[]> {
  const rollout = canaryRollout(name, `shop/${name}:1`);
  rollout.spec.strategy.canary.steps = [...steps];
  const space = await E2eNamespace.create(system, 'staging', name);
  await space.applyManifests(toYaml(rollout));
  await space.waitForPhase(name, 'Healthy');
  const stepsBefore = (await space.completedSteps(name)).length;
  await space.setImage(name, name, `shop/${name}:2`);
  await space.waitFor(
    name,
    'to be past its first step',
    (state) => state.images[0] === `shop/${name}:2` && (state.currentStepIndex ?? 0) >= 1 && state.phase !== 'Healthy',
  );

  await fault();

  const healthy = await space.waitForPhase(
    name,
    'Healthy',
    (state) => state.currentStepIndex === steps.length && state.images[0] === `shop/${name}:2`,
    60_000,
  );
  await space.waitFor(name, 'to run v2 pods only', async () =>
    isDeepStrictEqual(await space.readyPodsByHash(name), { [healthy.status?.stableRS ?? '']: 5 }),
  );
  return (await space.completedSteps(name)).slice(stepsBefore).map((step) => step.stepIndex);
}

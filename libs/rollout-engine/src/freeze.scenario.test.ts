import { describe, expect, it } from 'vitest';
import type { BlueGreenStrategy, CanaryStep } from '@flotilla/argo-spec';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';
import type { RolloutFreeze } from './types.js';

const steps: CanaryStep[] = [{ setWeight: 20 }, { pause: { duration: '60s' } }, { setWeight: 60 }];
const UNTIL = new Date(START.getTime() + 3_600_000);
const freeze = (policy: RolloutFreeze['policy']): RolloutFreeze => ({ window: 'weekend', until: UNTIL, policy });

function deployedCanary(canarySteps: CanaryStep[] = steps, canaryOptions = {}): { simulation: RolloutSimulation; stable: string } {
  const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps: canarySteps, ...canaryOptions } }), START);
  simulation.settle();
  return { simulation, stable: simulation.status?.stableRS as string };
}

describe('a freeze holds a new revision (both policies)', () => {
  it.each(['finish', 'hold'] as const)('policy %s: the template change waits on the current revision, then starts at the end', (policy) => {
    const { simulation, stable } = deployedCanary();
    const before = simulation.status;
    simulation.freeze = freeze(policy);
    simulation.setImage('shop/checkout:2.0');
    const held = simulation.settle();
    expect(held.every((decision) => decision.heldByFreeze === true)).toBe(true);
    expect(simulation.status).toEqual({ ...before, message: `held by freeze weekend until ${UNTIL.toISOString()}` });
    expect(simulation.lastDecision).toMatchObject({ requeueAt: UNTIL, events: [], analysisRunsToStart: [] });
    expect(simulation.observed.replicaSets.map((replicaSet) => replicaSet.podTemplateHash)).toEqual([stable]);

    // The window ends: the shell finds no freeze any more, and the revision starts.
    simulation.now = UNTIL;
    simulation.freeze = undefined;
    const resumed = simulation.settle();
    expect(resumed.flatMap((decision) => decision.events.map((event) => event.type))).toContain('RevisionStarted');
    expect(simulation.status?.currentPodHash).not.toBe(stable);
    expect(simulation.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
  });

  it('a change back to an existing revision (an undo) is never held', () => {
    const { simulation, stable } = deployedCanary();
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    expect(simulation.status?.currentPodHash).not.toBe(stable);
    simulation.freeze = freeze('hold');
    expect(simulation.operate({ type: 'undo' }).ok).toBe(true);
    const decisions = simulation.settle();
    expect(decisions.some((decision) => decision.heldByFreeze === true)).toBe(false);
    expect(simulation.status).toMatchObject({ currentPodHash: stable, stableRS: stable });
  });

  it('a template change of a freeze already over is not held', () => {
    const { simulation } = deployedCanary();
    simulation.freeze = { ...freeze('finish'), until: START };
    simulation.setImage('shop/checkout:2.0');
    expect(simulation.settle().some((decision) => decision.heldByFreeze === true)).toBe(false);
  });
});

describe('an in-flight canary under a freeze', () => {
  /** A canary at its timed pause: step 1, 20 % of the pods on the new revision. */
  function atTimedPause(): RolloutSimulation {
    const { simulation } = deployedCanary();
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
    return simulation;
  }

  it('policy finish: the timed pause ends and the steps carry on to the end', () => {
    const simulation = atTimedPause();
    simulation.freeze = freeze('finish');
    simulation.advanceSeconds(60);
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', currentStepIndex: 3 });
    expect(simulation.lastDecision.requeueAt).toEqual(UNTIL);
  });

  it('policy hold: the timed pause does not end until the window does, then the rollout completes', () => {
    const simulation = atTimedPause();
    simulation.freeze = freeze('hold');
    simulation.advanceSeconds(60);
    simulation.settle();
    expect(simulation.status).toMatchObject({
      phase: 'Paused',
      currentStepIndex: 1,
      message: `held by freeze weekend until ${UNTIL.toISOString()}`,
    });
    expect(simulation.lastDecision.requeueAt).toEqual(UNTIL);
    // Far past the progress deadline (600 s): a held rollout does not time out.
    simulation.advanceSeconds(3000);
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1, abort: false });

    simulation.now = UNTIL;
    simulation.freeze = undefined;
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', currentStepIndex: 3 });
  });

  it('policy hold: a successful analysis step does not complete, a failed one still aborts', () => {
    const analysisSteps: CanaryStep[] = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'smoke' }] } }, { setWeight: 60 }];
    const { simulation, stable } = deployedCanary(analysisSteps);
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const run = simulation.lastDecision.status.canary.currentStepAnalysisRun as string;
    simulation.freeze = freeze('hold');
    simulation.finishRun(run, 'Successful');
    simulation.settle();
    expect(simulation.status).toMatchObject({ currentStepIndex: 1, abort: false });

    simulation.finishRun(run, 'Failed', 'error rate too high');
    simulation.settle();
    expect(simulation.status).toMatchObject({ abort: true, phase: 'Degraded' });
    expect(simulation.replicasByHash()).toEqual({ [stable]: 5 });
  });

  it('policy hold: an abort by operation still acts', () => {
    const simulation = atTimedPause();
    const stable = simulation.status?.stableRS as string;
    simulation.freeze = freeze('hold');
    expect(simulation.operate({ type: 'abort' }).ok).toBe(true);
    simulation.settle();
    expect(simulation.status).toMatchObject({ abort: true, phase: 'Degraded' });
    expect(simulation.replicasByHash()).toEqual({ [stable]: 5 });
  });
});

describe('an in-flight blue-green under a freeze', () => {
  const autoPromoting: BlueGreenStrategy = {
    activeService: 'checkout-active',
    previewService: 'checkout-preview',
    autoPromotionSeconds: 30,
  };

  it.each([
    ['finish', 'green'],
    ['hold', 'blue'],
  ] as const)('policy %s: auto-promotion switches the active Service to %s', (policy, expected) => {
    const simulation = new RolloutSimulation(rolloutSpec({ blueGreen: autoPromoting }, { replicas: 3 }), START);
    simulation.settle();
    const blue = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const green = simulation.status?.currentPodHash as string;
    simulation.freeze = freeze(policy);
    simulation.advanceSeconds(31);
    simulation.settle();
    expect(simulation.status?.blueGreen.activeSelector).toBe(expected === 'green' ? green : blue);
  });
});

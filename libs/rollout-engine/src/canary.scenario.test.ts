import { describe, expect, it } from 'vitest';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';

const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { duration: '10s' } }, { setWeight: 60 }, { setWeight: 80 }];

function deployedCanary(): RolloutSimulation {
  const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps } }), START);
  simulation.settle();
  return simulation;
}

describe('basic canary, 5 replicas, steps 20 / pause / 40 / pause 10s / 60 / 80', () => {
  it('first deployment goes straight to 100% without steps', () => {
    const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps } }), START);
    const [first] = simulation.settle();
    expect(first?.desired.replicaSets.map((replicaSet) => replicaSet.replicas)).toEqual([5]);
    expect(first?.events[0]).toMatchObject({ type: 'RevisionStarted', revision: 1, images: ['shop/checkout:1.0'] });
    expect(simulation.status).toMatchObject({ phase: 'Healthy', currentStepIndex: 6, abort: false });
    expect(simulation.status?.stableRS).toBe(simulation.status?.currentPodHash);
  });

  it('a new image runs 1 canary and 4 stable pods, then pauses', () => {
    const simulation = deployedCanary();
    const stable = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:2.0');
    const decisions = simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(canary).not.toBe(stable);
    expect(simulation.replicasByHash()).toEqual({ [stable]: 4, [canary]: 1 });
    expect(simulation.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', currentStepIndex: 1, controllerPause: true });
    expect(simulation.status?.pauseConditions).toEqual([{ reason: 'CanaryPauseStep', startTime: START.toISOString() }]);
    const events = decisions.flatMap((decision) => decision.events.map((event) => event.type));
    expect(events).toContain('RevisionStarted');
    expect(events).toContain('RolloutStepCompleted');
    expect(events).toContain('RolloutPaused');
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
  });

  it('promote runs through the timed pause to Healthy with the new revision stable', () => {
    const simulation = deployedCanary();
    const stable = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.operate({ type: 'promote', full: false }).ok).toBe(true);
    simulation.settle();
    expect(simulation.replicasByHash()).toEqual({ [stable]: 3, [canary]: 2 });
    expect(simulation.status).toMatchObject({ phase: 'Paused', currentStepIndex: 3 });
    const pauseEnd = new Date(START.getTime() + 10_000);
    expect(simulation.lastDecision.requeueAt).toEqual(pauseEnd);
    simulation.wakeUp();
    expect(simulation.now).toEqual(pauseEnd);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary, currentStepIndex: 6 });
    expect(simulation.replicasByHash()).toEqual({ [canary]: 5 });
    const completed = simulation.decisions.flatMap((decision) => decision.events).filter((event) => event.type === 'RevisionFinished');
    expect(completed).toEqual([{ type: 'RevisionFinished', revision: 2, podTemplateHash: canary, outcome: 'Healthy' }]);
  });
});

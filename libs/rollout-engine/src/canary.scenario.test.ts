import { describe, expect, it } from 'vitest';
import { podTemplateHash } from './pod-template-hash.js';
import type { Decision } from './types.js';
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

  it('is Available only with spec.replicas pods available, as upstream: maxUnavailable does not loosen it', () => {
    const simulation = deployedCanary();
    const available = (decision: Decision): string | undefined =>
      decision.status.conditions.find((condition) => condition.type === 'Available')?.status;
    expect(available(simulation.lastDecision)).toBe('True');
    simulation.observed = {
      ...simulation.observed,
      replicaSets: simulation.observed.replicaSets.map((replicaSet) => ({ ...replicaSet, availableReplicas: 4 })),
    };
    expect(available(simulation.step())).toBe('False');
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

describe('basic canary, every intermediate state', () => {
  it('walks 20 / pause / 40 / pause 10s / 60 / 80 within surge 2 and unavailable 1', () => {
    const simulation = deployedCanary();
    const stable = simulation.status?.stableRS as string;
    const summarize = (decisions: Decision[]): string[] =>
      decisions.map((decision) => {
        const sizes = decision.desired.replicaSets
          .map((replicaSet) => `${replicaSet.podTemplateHash === stable ? 'stable' : 'canary'}=${replicaSet.replicas}`)
          .join(' ');
        return `${decision.status.currentStepIndex} ${decision.status.phase} ${sizes}`;
      });
    simulation.setImage('shop/checkout:2.0');
    expect(summarize(simulation.settle())).toEqual([
      '0 Progressing canary=1 stable=4',
      '1 Paused canary=1 stable=4',
      '1 Paused canary=1 stable=4',
    ]);
    simulation.operate({ type: 'promote', full: false });
    expect(summarize(simulation.settle())).toEqual([
      '2 Progressing canary=2 stable=3',
      '3 Paused canary=2 stable=3',
      '3 Paused canary=2 stable=3',
    ]);
    expect(summarize(simulation.wakeUp())).toEqual([
      '4 Progressing canary=3 stable=2',
      '5 Progressing canary=4 stable=1',
      '6 Progressing canary=5 stable=0',
      '6 Healthy canary=5 stable=0',
      '6 Healthy canary=5 stable=0',
    ]);
  });
});

describe('basic canary: abort, retry and rollbacks', () => {
  function pausedAtFirstStep(): { simulation: RolloutSimulation; stable: string; canary: string } {
    const simulation = deployedCanary();
    const stable = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    return { simulation, stable, canary: simulation.status?.currentPodHash as string };
  }

  it('abort mid-way brings the stable back to full size and leaves the rollout Degraded', () => {
    const { simulation, stable, canary } = pausedAtFirstStep();
    expect(simulation.operate({ type: 'abort' }).ok).toBe(true);
    const decisions = simulation.settle();
    expect(simulation.replicasByHash()).toEqual({ [stable]: 5 });
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true, stableRS: stable, currentPodHash: canary });
    expect(simulation.status?.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
    expect(simulation.status?.conditions.find((condition) => condition.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutAborted',
    });
    const events = decisions.flatMap((decision) => decision.events);
    expect(events).toContainEqual({ type: 'RevisionFinished', revision: 2, podTemplateHash: canary, outcome: 'Aborted' });
    expect(events.filter((event) => event.type === 'RolloutAborted')).toHaveLength(1);
  });

  it('retry starts again from step 0 and pauses at the first pause', () => {
    const { simulation, stable, canary } = pausedAtFirstStep();
    simulation.operate({ type: 'abort' });
    simulation.settle();
    expect(simulation.operate({ type: 'retry' }).ok).toBe(true);
    const decisions = simulation.settle();
    expect(decisions.flatMap((decision) => decision.events.map((event) => event.type))).toContain('RolloutRetried');
    expect(simulation.replicasByHash()).toEqual({ [stable]: 4, [canary]: 1 });
    expect(simulation.status).toMatchObject({ phase: 'Paused', abort: false, currentStepIndex: 1 });
  });

  it('reverting the image mid-update is a fast rollback: no steps, stable stays', () => {
    const { simulation, stable, canary } = pausedAtFirstStep();
    simulation.setImage('shop/checkout:1.0');
    const decisions = simulation.settle();
    expect(simulation.status?.currentPodHash).toBe(stable);
    expect(simulation.replicasByHash()).toEqual({ [stable]: 5 });
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: stable, currentStepIndex: 6, pauseConditions: [] });
    expect(decisions[0]?.events).toContainEqual({ type: 'RevisionFinished', revision: 2, podTemplateHash: canary, outcome: 'RolledBack' });
    const revisions = simulation.lastDecision.desired.replicaSets.map((replicaSet) => [
      replicaSet.podTemplateHash,
      replicaSet.annotations['rollout.argoproj.io/revision'],
    ]);
    expect(revisions).toContainEqual([stable, '3']);
  });

  it('a new template mid-rollout replaces the in-flight canary', () => {
    const { simulation, stable, canary } = pausedAtFirstStep();
    simulation.setImage('shop/checkout:3.0');
    const decisions = simulation.settle();
    const third = simulation.status?.currentPodHash as string;
    expect(decisions[0]?.events).toContainEqual({ type: 'RevisionFinished', revision: 2, podTemplateHash: canary, outcome: 'Superseded' });
    expect(simulation.replicasByHash()).toEqual({ [stable]: 4, [third]: 1 });
    expect(simulation.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
  });

  it('undo copies the previous revision back into the spec, which rolls back fast', () => {
    const { simulation, stable } = pausedAtFirstStep();
    expect(simulation.operate({ type: 'undo' }).ok).toBe(true);
    expect(simulation.spec.template.spec.containers[0]?.image).toBe('shop/checkout:1.0');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', currentPodHash: stable, stableRS: stable });
  });

  it('promote full skips the remaining steps', () => {
    const { simulation, canary } = pausedAtFirstStep();
    expect(simulation.operate({ type: 'promote', full: true }).ok).toBe(true);
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary, promoteFull: false });
    expect(simulation.replicasByHash()).toEqual({ [canary]: 5 });
  });

  it('a bad image never completes the first step and exceeds the progress deadline', () => {
    const simulation = deployedCanary();
    simulation.spec = { ...simulation.spec, progressDeadlineSeconds: 60 };
    simulation.setImage('shop/checkout:broken');
    const broken = simulation.spec.template;
    simulation.stuck.add(podHashOf(simulation, broken));
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Progressing', currentStepIndex: 0 });
    const deadline = new Date(START.getTime() + 60_000);
    expect(simulation.lastDecision.requeueAt).toEqual(deadline);
    const decisions = simulation.wakeUp();
    expect(simulation.status?.phase).toBe('Degraded');
    expect(simulation.status?.message).toMatch(/^ProgressDeadlineExceeded: ReplicaSet "checkout-\w+" has timed out progressing\.$/);
    expect(decisions.flatMap((decision) => decision.events)).toContainEqual({
      type: 'ProgressDeadlineExceeded',
      message: expect.stringMatching(/has timed out progressing\. ImagePullBackOff on 1 pod\(s\): Back-off pulling image$/) as unknown,
    });
  });

  it('with progressDeadlineAbort, a timed-out update aborts back to the stable', () => {
    const simulation = deployedCanary();
    simulation.spec = { ...simulation.spec, progressDeadlineSeconds: 60, progressDeadlineAbort: true };
    const stable = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:broken');
    simulation.stuck.add(podHashOf(simulation, simulation.spec.template));
    simulation.settle();
    const [atDeadline] = simulation.wakeUp();
    expect(atDeadline?.status).toMatchObject({ phase: 'Degraded', abort: true });
    expect(atDeadline?.desired.replicaSets.map((replicaSet) => [replicaSet.podTemplateHash === stable, replicaSet.replicas])).toEqual([
      [false, 0],
      [true, 5],
    ]);
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true });
    expect(simulation.replicasByHash()).toEqual({ [stable]: 5 });
  });

  it("with progressDeadlineAbort, the abort message is upstream's: the ReplicaSet has timed out progressing", () => {
    const simulation = deployedCanary();
    simulation.spec = { ...simulation.spec, progressDeadlineSeconds: 60, progressDeadlineAbort: true };
    simulation.setImage('shop/checkout:broken');
    const canary = podHashOf(simulation, simulation.spec.template);
    simulation.stuck.add(canary);
    simulation.settle();
    const message = `Rollout aborted update to revision 2: ReplicaSet "checkout-${canary}" has timed out progressing.`;
    expect(simulation.wakeUp().flatMap((decision) => decision.events)).toContainEqual({ type: 'RolloutAborted', message });
    expect(simulation.status?.message).toBe(`RolloutAborted: ${message}`);
    expect(simulation.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Progressing', reason: 'RolloutAborted', message }),
    );
  });
});

describe('canary and stable Services, switched as upstream switches them', () => {
  const withServices = () => {
    const simulation = new RolloutSimulation(
      rolloutSpec({ canary: { steps, canaryService: 'checkout-canary', stableService: 'checkout-stable' } }),
      START,
    );
    simulation.settle();
    return { simulation, stable: simulation.status?.stableRS as string };
  };

  it('points a Service that selects no hash yet only at a fully available ReplicaSet', () => {
    const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps, stableService: 'checkout-stable' } }), START);
    const [first] = simulation.settle();
    expect(first?.desired.services).toEqual({});
    expect(simulation.lastDecision.desired.services).toEqual({
      stable: { service: 'checkout-stable', podTemplateHash: simulation.status?.stableRS },
    });
  });

  it('keeps the canary Service where it is while the canary has no available pod', () => {
    const { simulation, stable } = withServices();
    simulation.setImage('shop/checkout:broken');
    simulation.stuck.add(podHashOf(simulation, simulation.spec.template));
    simulation.settle();
    expect(simulation.observed.serviceSelectors).toEqual({ 'checkout-stable': stable, 'checkout-canary': stable });
    simulation.stuck.clear();
    simulation.settle();
    expect(simulation.observed.serviceSelectors['checkout-canary']).toBe(simulation.status?.currentPodHash);
  });

  it('points the canary Service back at the stable pods on abort, without a traffic router', () => {
    const { simulation, stable } = withServices();
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    expect(simulation.observed.serviceSelectors['checkout-canary']).toBe(simulation.status?.currentPodHash);
    simulation.operate({ type: 'abort' });
    simulation.settle();
    expect(simulation.observed.serviceSelectors).toEqual({ 'checkout-stable': stable, 'checkout-canary': stable });
  });
});

function podHashOf(simulation: RolloutSimulation, template: RolloutSimulation['spec']['template']): string {
  return podTemplateHash(template, simulation.status?.collisionCount);
}

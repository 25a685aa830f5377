import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '@flotilla/argo-spec';
import { applyOperation, templateWithImage } from './operations.js';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';
import type { OperationRefusalCode, RolloutOperation, RolloutStatus } from './types.js';

const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }];

function pausedCanary(): RolloutSimulation {
  const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps } }), START);
  simulation.settle();
  simulation.setImage('shop/checkout:2.0');
  simulation.settle();
  return simulation;
}

function healthyCanary(): RolloutSimulation {
  const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps } }), START);
  simulation.settle();
  return simulation;
}

function abortedCanary(): RolloutSimulation {
  const simulation = pausedCanary();
  simulation.operate({ type: 'abort' });
  simulation.settle();
  return simulation;
}

describe('applyOperation: status patches', () => {
  it.each<[string, () => RolloutSimulation, RolloutOperation, Partial<RolloutStatus>]>([
    ['promote clears the pause', pausedCanary, { type: 'promote', full: false }, { pauseConditions: [], currentStepIndex: 1 }],
    ['promote full asks for full promotion', pausedCanary, { type: 'promote', full: true }, { promoteFull: true, pauseConditions: [] }],
    ['abort sets abort for the engine to act on', pausedCanary, { type: 'abort' }, { abort: true, abortedAt: undefined }],
    [
      'retry restarts from step 0 with fresh runs',
      abortedCanary,
      { type: 'retry' },
      { abort: false, currentStepIndex: 0, retryAttempt: 1, pauseConditions: [] },
    ],
  ])('%s', (_name, build, operation, expected) => {
    const simulation = build();
    const result = applyOperation(simulation.spec, simulation.status, simulation.observed, operation, START);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.spec).toBe(simulation.spec);
      expect(result.status).toMatchObject(expected);
    }
  });

  it('promote while between steps skips the current step', () => {
    const simulation = pausedCanary();
    const status = { ...(simulation.status as RolloutStatus), pauseConditions: [], currentStepIndex: 0 };
    const result = applyOperation(simulation.spec, status, simulation.observed, { type: 'promote', full: false }, START);
    expect(result.ok && result.status?.currentStepIndex).toBe(1);
  });
});

/** A rollout paused by `spec.paused` before its update started: no pause condition holds it. */
function specPaused(strategy: Parameters<typeof rolloutSpec>[0]): RolloutSimulation {
  const simulation = new RolloutSimulation(rolloutSpec(strategy), START);
  simulation.settle();
  simulation.operate({ type: 'pause' });
  simulation.setImage('shop/checkout:2.0');
  simulation.settle();
  return simulation;
}

describe('applyOperation: promote of a rollout paused by spec.paused, as upstream getPatches', () => {
  const pausedAtPauseStep = (): RolloutSimulation => {
    const simulation = pausedCanary();
    simulation.operate({ type: 'pause' });
    return simulation;
  };
  const pastLastStep = (): RolloutSimulation => {
    const simulation = specPaused({ canary: { steps } });
    simulation.status = { ...(simulation.status as RolloutStatus), currentStepIndex: steps.length };
    return simulation;
  };
  it.each<[string, () => RolloutSimulation, Partial<RolloutStatus>]>([
    [
      'canary without a pause condition: unpauses and skips the current step',
      () => specPaused({ canary: { steps } }),
      { currentStepIndex: 1 },
    ],
    [
      'canary at a pause step: unpauses and clears the pause, the step stays',
      pausedAtPauseStep,
      { currentStepIndex: 1, pauseConditions: [] },
    ],
    ['canary past its last step: unpauses, the step index stays', pastLastStep, { currentStepIndex: steps.length }],
    ['canary without steps: only unpauses', () => specPaused({ canary: {} }), { pauseConditions: [] }],
    ['blue-green: only unpauses', () => specPaused({ blueGreen: { activeService: 'checkout-active' } }), { pauseConditions: [] }],
  ])('%s', (_name, build, expected) => {
    const simulation = build();
    const before = simulation.status as RolloutStatus;
    expect(simulation.spec.paused).toBe(true);
    const result = applyOperation(simulation.spec, before, simulation.observed, { type: 'promote', full: false }, START);
    expect(result).toMatchObject({
      ok: true,
      spec: { paused: false },
      status: { ...expected, currentStepIndex: expected.currentStepIndex ?? before.currentStepIndex },
    });
  });
});

describe('applyOperation: spec changes', () => {
  it.each<[string, RolloutOperation, (spec: RolloutSimulation['spec']) => unknown, unknown]>([
    ['pause sets spec.paused', { type: 'pause' }, (spec) => spec.paused, true],
    ['resume clears spec.paused', { type: 'resume' }, (spec) => spec.paused, false],
    ['restart sets restartAt to now', { type: 'restart' }, (spec) => spec.restartAt, START.toISOString()],
    [
      'restart at a time sets restartAt to it',
      { type: 'restart', at: '2026-12-05T12:00:30.000Z' },
      (spec) => spec.restartAt,
      '2026-12-05T12:00:30.000Z',
    ],
    [
      'setImage changes the named container',
      { type: 'setImage', container: 'app', image: 'shop/checkout:9' },
      (spec) => spec.template.spec.containers[0]?.image,
      'shop/checkout:9',
    ],
    [
      'setImage * changes every container',
      { type: 'setImage', container: '*', image: 'shop/checkout:9' },
      (spec) => spec.template.spec.containers[0]?.image,
      'shop/checkout:9',
    ],
  ])('%s', (_name, operation, pick, expected) => {
    const simulation = healthyCanary();
    const result = applyOperation(simulation.spec, simulation.status, simulation.observed, operation, START);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(pick(result.spec)).toEqual(expected);
      expect(result.status).toBeUndefined();
    }
  });

  it('undo to an explicit revision copies that template without the hash label', () => {
    const simulation = healthyCanary();
    simulation.setImage('shop/checkout:2.0');
    simulation.operate({ type: 'promote', full: true });
    simulation.settle();
    simulation.settle();
    const result = applyOperation(simulation.spec, simulation.status, simulation.observed, { type: 'undo', toRevision: 1 }, START);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.spec.template.spec.containers[0]?.image).toBe('shop/checkout:1.0');
      expect(result.spec.template.metadata?.labels).toEqual({ app: 'checkout' });
    }
  });

  it('undo restores the template as applied, so the engine scales the old ReplicaSet back up', () => {
    // upstream: TestUndoCmdToRevision, TestFindNewReplicaSet
    const simulation = healthyCanary();
    const firstHash = simulation.status?.currentPodHash ?? '';
    simulation.setImage('shop/checkout:2.0');
    simulation.operate({ type: 'promote', full: true });
    simulation.settle();
    simulation.settle();
    const secondHash = simulation.status?.currentPodHash ?? '';
    // The cluster keeps ReplicaSets with its defaults filled in.
    simulation.observed = {
      ...simulation.observed,
      replicaSets: simulation.observed.replicaSets.map((replicaSet) => ({
        ...replicaSet,
        template: {
          ...replicaSet.template,
          spec: {
            ...replicaSet.template.spec,
            dnsPolicy: 'ClusterFirst',
            containers: replicaSet.template.spec.containers.map((container) => ({ ...container, imagePullPolicy: 'IfNotPresent' })),
          },
        },
      })),
    };
    const undone = simulation.operate({ type: 'undo', toRevision: 1 });
    expect(undone.ok).toBe(true);
    simulation.settle();
    expect(simulation.status?.currentPodHash).toBe(firstHash);
    expect(simulation.lastDecision.desired.replicaSets.map((replicaSet) => replicaSet.podTemplateHash).sort()).toEqual(
      [firstHash, secondHash].sort(),
    );
    expect(simulation.replicasByHash()).toEqual({ [firstHash]: 5 });
    expect(
      simulation.lastDecision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === firstHash)?.annotations,
    ).toMatchObject({
      'rollout.argoproj.io/revision': '3',
    });
  });
});

describe('templateWithImage', () => {
  const template: PodTemplateSpec = {
    metadata: { labels: { app: 'checkout' } },
    spec: {
      initContainers: [{ name: 'migrate', image: 'shop/migrate:1' }],
      containers: [
        { name: 'app', image: 'shop/checkout:1' },
        { name: 'proxy', image: 'envoy:1' },
      ],
    },
  };
  const images = (changed: PodTemplateSpec | undefined): Array<string | undefined> | undefined =>
    changed && [...(changed.spec.initContainers ?? []), ...changed.spec.containers].map((container) => container.image);

  it.each<[string, string, string[] | undefined]>([
    ['a container by name', 'app', ['shop/migrate:1', 'new', 'envoy:1']],
    ['an init container by name', 'migrate', ['new', 'shop/checkout:1', 'envoy:1']],
    ['every container with *', '*', ['new', 'new', 'new']],
    ['nothing when no container has the name', 'sidecar', undefined],
  ])('sets the image of %s', (_case, container, expected) => {
    expect(images(templateWithImage(template, container, 'new'))).toEqual(expected);
  });

  it('leaves the template given as it was, and its other fields in place', () => {
    const before = structuredClone(template);
    const changed = templateWithImage(template, 'app', 'new');
    expect(template).toEqual(before);
    expect(changed?.metadata).toBe(template.metadata);
  });
});

describe('applyOperation: refusals', () => {
  it.each<[string, () => RolloutSimulation, RolloutOperation, OperationRefusalCode]>([
    ['promote of a healthy rollout', healthyCanary, { type: 'promote', full: false }, 'operation/not_in_progress'],
    ['promote of an aborted rollout', abortedCanary, { type: 'promote', full: false }, 'operation/already_aborted'],
    ['abort of a healthy rollout', healthyCanary, { type: 'abort' }, 'operation/not_in_progress'],
    ['abort twice', abortedCanary, { type: 'abort' }, 'operation/already_aborted'],
    ['retry of a rollout that is not aborted', pausedCanary, { type: 'retry' }, 'operation/not_aborted'],
    [
      'setImage of an unknown container',
      healthyCanary,
      { type: 'setImage', container: 'sidecar', image: 'x' },
      'operation/unknown_container',
    ],
    ['undo to an unknown revision', healthyCanary, { type: 'undo', toRevision: 7 }, 'operation/unknown_revision'],
    ['undo with no previous revision', healthyCanary, { type: 'undo' }, 'operation/unknown_revision'],
  ])('%s', (_name, build, operation, code) => {
    const simulation = build();
    const result = applyOperation(simulation.spec, simulation.status, simulation.observed, operation, START);
    expect(result).toMatchObject({ ok: false, refusal: { code, operation: operation.type } });
  });

  it('promote of a never-reconciled rollout', () => {
    const simulation = healthyCanary();
    expect(applyOperation(simulation.spec, undefined, simulation.observed, { type: 'promote', full: false }, START)).toMatchObject({
      ok: false,
      refusal: { code: 'operation/never_reconciled' },
    });
  });
});

describe('operations replayed through reconcile', () => {
  it('pause holds the steps with phase Paused, resume lets them continue', () => {
    const simulation = healthyCanary();
    simulation.operate({ type: 'pause' });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Paused', message: 'manually paused', currentStepIndex: 0 });
    expect(simulation.status?.conditions.find((condition) => condition.type === 'Paused')).toMatchObject({
      status: 'True',
      reason: 'RolloutPaused',
    });
    simulation.operate({ type: 'resume' });
    const decisions = simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', currentStepIndex: 1 });
    expect(decisions.flatMap((decision) => decision.events.map((event) => event.type))).toContain('RolloutStepCompleted');
  });

  it('a paused rollout reconciled an hour later keeps the same status', () => {
    const simulation = pausedCanary();
    const paused = simulation.status;
    simulation.advanceSeconds(3600);
    simulation.step();
    expect(simulation.status).toEqual(paused);
    expect(simulation.lastDecision.events).toEqual([]);
  });

  it('restart recreates old pods one ReplicaSet at a time and records restartedAt', () => {
    const simulation = healthyCanary();
    simulation.advanceSeconds(60);
    simulation.operate({ type: 'restart' });
    const decisions = simulation.settle();
    const restartAt = simulation.spec.restartAt;
    expect(decisions[0]?.desired.replicaSets[0]?.restart).toEqual({ podsCreatedBefore: restartAt, maxUnavailable: 1 });
    expect(decisions[0]?.status.phase).toBe('Progressing');
    expect(simulation.status).toMatchObject({ phase: 'Healthy', restartedAt: restartAt });
    expect(decisions.flatMap((decision) => decision.events)).toContainEqual({ type: 'RolloutRestarted', restartAt });
  });
});

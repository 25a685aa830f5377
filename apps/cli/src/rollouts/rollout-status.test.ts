import { describe, expect, it } from 'vitest';
import { actualWeight, replicaSetRoles, rolloutFacts, setWeight, type RolloutFacts } from './rollout-status.js';

const steps = [{ setWeight: 20 }, {}, { setWeight: 40 }, {}, { setWeight: 60 }, { setWeight: 80 }];

const facts = (overrides: Partial<RolloutFacts>): RolloutFacts => ({
  specReplicas: 5,
  steps,
  stableHash: 'aaa',
  currentHash: 'bbb',
  currentStepIndex: 0,
  aborted: false,
  routedCanaryWeight: undefined,
  activeHash: undefined,
  previewHash: undefined,
  replicas: 5,
  updatedReplicas: 0,
  readyReplicas: 5,
  availableReplicas: 5,
  ...overrides,
});

describe('setWeight', () => {
  it.each([
    { case: 'first step sets 20', overrides: { currentStepIndex: 0 }, weight: 20 },
    { case: 'a pause keeps the weight before it', overrides: { currentStepIndex: 1 }, weight: 20 },
    { case: 'a later pause keeps 40', overrides: { currentStepIndex: 3 }, weight: 40 },
    { case: 'past the last step', overrides: { currentStepIndex: 6 }, weight: 100 },
    { case: 'aborted', overrides: { currentStepIndex: 3, aborted: true }, weight: 0 },
    { case: 'fully promoted', overrides: { stableHash: 'bbb', currentStepIndex: 2 }, weight: 100 },
    { case: 'no setWeight yet', overrides: { steps: [{}, { setWeight: 50 }], currentStepIndex: 0 }, weight: 0 },
    { case: 'routed weight wins', overrides: { routedCanaryWeight: 35, currentStepIndex: 0 }, weight: 35 },
  ])('$case: $weight', ({ overrides, weight }) => {
    expect(setWeight(facts(overrides))).toBe(weight);
  });
});

describe('actualWeight', () => {
  it.each([
    { case: 'one updated pod of five', overrides: { replicas: 5, updatedReplicas: 1 }, weight: 20 },
    { case: 'surge: two of six', overrides: { replicas: 6, updatedReplicas: 2 }, weight: 33 },
    { case: 'no pods', overrides: { replicas: 0, updatedReplicas: 0 }, weight: 0 },
    { case: 'fully promoted', overrides: { stableHash: 'bbb', replicas: 5, updatedReplicas: 5 }, weight: 100 },
    { case: 'routed', overrides: { routedCanaryWeight: 10, replicas: 5, updatedReplicas: 5 }, weight: 10 },
  ])('$case: $weight', ({ overrides, weight }) => {
    expect(actualWeight(facts(overrides))).toBe(weight);
  });
});

describe('replicaSetRoles', () => {
  it.each([
    { strategy: 'Canary' as const, hash: 'aaa', roles: ['stable'] },
    { strategy: 'Canary' as const, hash: 'bbb', roles: ['canary'] },
    { strategy: 'Canary' as const, hash: 'ccc', roles: [] },
    { strategy: 'BlueGreen' as const, hash: 'aaa', roles: ['stable', 'active'] },
    { strategy: 'BlueGreen' as const, hash: 'bbb', roles: ['preview'] },
  ])('$strategy $hash: $roles', ({ strategy, hash, roles }) => {
    expect(replicaSetRoles(facts({ activeHash: 'aaa', previewHash: 'bbb' }), strategy, hash)).toEqual(roles);
  });
});

describe('rolloutFacts', () => {
  it('reads the engine status and the spec, ignoring fields of the wrong type', () => {
    const read = rolloutFacts({
      spec: { replicas: 3, strategy: { canary: { steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 'x' }] } } },
      status: {
        stableRS: 'aaa',
        currentPodHash: 'bbb',
        currentStepIndex: 1,
        abort: true,
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 'four',
        canary: { weights: { canary: { weight: 10 } } },
      },
    });
    expect(read).toMatchObject({
      specReplicas: 3,
      steps: [{ setWeight: 10 }, {}, {}],
      stableHash: 'aaa',
      currentHash: 'bbb',
      currentStepIndex: 1,
      aborted: true,
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 0,
      routedCanaryWeight: 10,
    });
  });

  it('reads a rollout the engine has not reconciled yet', () => {
    expect(rolloutFacts({ spec: { strategy: { blueGreen: {} } }, status: null })).toMatchObject({
      specReplicas: 1,
      steps: [],
      stableHash: undefined,
      currentStepIndex: undefined,
      replicas: 0,
    });
  });
});

import { describe, expect, it } from 'vitest';
import type { ReplicaSet, RolloutDetail } from '../api/documents.js';
import { unavailableReason, type OperationAction } from './operation-actions.js';
import { actualWeight, describeStep, replicaSetRoles, rolloutFacts, setWeight, stepState, type RolloutFacts } from './rollout-facts.js';

const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { duration: '10s' } }];

function replicaSet(role: string, availableReplicas: number | null): ReplicaSet {
  return {
    podTemplateHash: role,
    revision: 1,
    role,
    images: [],
    desiredReplicas: 1,
    replicas: 1,
    readyReplicas: 1,
    availableReplicas,
    scaleDownDeadline: null,
    podProblems: [],
  };
}

function factsOf(
  status: Record<string, unknown>,
  overrides: Partial<Pick<RolloutDetail, 'replicaSets' | 'observedTrafficWeights' | 'strategy'>> = {},
  spec: Record<string, unknown> = {},
): RolloutFacts {
  return rolloutFacts({
    strategy: 'Canary',
    spec: { replicas: 5, strategy: { canary: { steps } }, ...spec },
    status: { stableRS: 'stable', currentPodHash: 'canary', pauseConditions: [], ...status },
    replicaSets: [],
    observedTrafficWeights: {},
    ...overrides,
  });
}

describe('rolloutFacts', () => {
  it('reads what it needs from the spec and status, tolerating missing or malformed fields', () => {
    expect(rolloutFacts({ strategy: 'Canary', spec: null, status: 'nonsense', replicaSets: [], observedTrafficWeights: {} })).toMatchObject(
      {
        specReplicas: 1,
        steps: [],
        stableHash: undefined,
        currentStepIndex: undefined,
        aborted: false,
        pauseReasons: [],
        canaryAvailable: undefined,
      },
    );
    expect(
      factsOf({ pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 'x' }, {}], abort: true }, {}, { paused: true }),
    ).toMatchObject({ pauseReasons: ['CanaryPauseStep'], aborted: true, specPaused: true });
  });
});

describe('weights', () => {
  it.each([
    ['at the first step', { currentStepIndex: 0 }, 20],
    ['at a pause after a setWeight', { currentStepIndex: 1 }, 20],
    ['at a later pause', { currentStepIndex: 3 }, 40],
    ['past the last step', { currentStepIndex: 4 }, 100],
    ['once promoted', { currentStepIndex: 1, stableRS: 'canary' }, 100],
    ['once aborted', { currentStepIndex: 2, abort: true }, 0],
  ])('sets the weight %s', (_, status, expected) => {
    expect(setWeight(factsOf(status))).toBe(expected);
  });

  it.each([
    [
      'from the router the agent observed',
      { observedTrafficWeights: { nginx: 35 } },
      { canary: { weights: { canary: { weight: 40 } } } },
      35,
    ],
    ['from the weight the router was asked for', {}, { canary: { weights: { canary: { weight: 40 } } } }, 40],
    ['from available pods of the canary', { replicaSets: [replicaSet('canary', 1), replicaSet('stable', 4)] }, {}, 20],
    ['as 0 when no pod is available', { replicaSets: [replicaSet('canary', 0), replicaSet('stable', 0)] }, {}, 0],
    ['from updated pods before the agent reported', {}, { replicas: 5, updatedReplicas: 2 }, 40],
    ['as 100 once promoted', {}, { stableRS: 'canary' }, 100],
  ])('takes the actual weight %s', (_, overrides, status, expected) => {
    expect(actualWeight(factsOf(status, overrides))).toBe(expected);
  });
});

describe('steps', () => {
  it.each([
    [{ setWeight: 20 }, 'Set weight 20%'],
    [{ pause: {} }, 'Pause until promoted'],
    [{ pause: { duration: '10s' } }, 'Pause for 10s'],
    [{ pause: { duration: 30 } }, 'Pause for 30s'],
    [{ analysis: { templates: [{ templateName: 'success-rate' }, { templateName: 'errors' }] } }, 'Analysis: success-rate, errors'],
    [{ experiment: { duration: '5m', templates: [{ name: 'baseline' }] } }, 'Experiment for 5m: baseline'],
    [{ setCanaryScale: { replicas: 2 } }, 'Canary scale: 2 pods'],
    [{ setCanaryScale: { weight: 25 } }, 'Canary scale: 25% of pods'],
    [{ setCanaryScale: { matchTrafficWeight: true } }, 'Canary scale: follow the weight'],
    [{ setHeaderRoute: { name: 'beta' } }, 'Header route: beta'],
    [{ setMirrorRoute: { name: 'mirror' } }, 'Mirror route: mirror'],
    [{}, 'Empty step'],
  ])('describes %j as %j', (step, expected) => {
    expect(describeStep(step)).toBe(expected);
  });

  it('marks steps done before the current one, and all of them once promoted', () => {
    const paused = factsOf({ currentStepIndex: 1 });
    expect(steps.map((_, index) => stepState(paused, index))).toEqual(['done', 'current', 'pending', 'pending']);
    const promoted = factsOf({ currentStepIndex: 4, stableRS: 'canary' });
    expect(steps.map((_, index) => stepState(promoted, index))).toEqual(['done', 'done', 'done', 'done']);
  });
});

describe('replicaSetRoles', () => {
  it.each([
    ['Canary', 'stable', ['stable']],
    ['Canary', 'canary', ['canary']],
    ['Canary', 'older', []],
    ['BlueGreen', 'stable', ['stable', 'active']],
    ['BlueGreen', 'canary', ['preview']],
  ] as const)('%s: %s is %j', (strategy, hash, expected) => {
    const facts = factsOf({ blueGreen: { activeSelector: 'stable', previewSelector: 'canary' } }, { strategy });
    expect(replicaSetRoles(facts, hash)).toEqual(expected);
  });
});

describe('unavailableReason', () => {
  const paused = factsOf({ currentStepIndex: 1, pauseConditions: [{ reason: 'CanaryPauseStep' }] });
  const aborted = factsOf({ currentStepIndex: 1, abort: true });
  const healthy = factsOf({ currentStepIndex: 4, stableRS: 'canary' });
  it.each<[string, RolloutFacts, OperationAction[]]>([
    ['paused at a step', paused, ['retry']],
    ['aborted', aborted, ['promote', 'promote-full', 'abort', 'resume']],
    ['fully promoted', healthy, ['promote', 'promote-full', 'abort', 'retry', 'resume']],
  ])('when %s, leaves out %j', (_, facts, unavailable) => {
    const actions: OperationAction[] = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume', 'restart', 'undo'];
    expect(actions.filter((action) => unavailableReason(action, facts, 2) !== undefined)).toEqual(unavailable);
  });

  it('needs an earlier revision to undo, and refuses to pause twice', () => {
    expect(unavailableReason('undo', healthy, 1)).toBe('There is no earlier revision to go back to.');
    expect(unavailableReason('pause', factsOf({}, {}, { paused: true }), 2)).toBe('The rollout is already paused.');
  });
});

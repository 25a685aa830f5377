import type { CanaryStep, RolloutSpec } from '@flotilla/argo-spec';
import { initialStatus, type RolloutStatus } from '@flotilla/rollout-engine';
import { describe, expect, it } from 'vitest';
import { replicaSetRoles } from './replica-set-view.js';
import { describeStep, rolloutProgress, type RolloutProgressSource } from './rollout-progress.js';

const steps: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { duration: '10s' } }];

const spec = (overrides: Partial<RolloutSpec> = {}): RolloutSpec =>
  ({ replicas: 5, strategy: { canary: { steps } }, ...overrides }) as unknown as RolloutSpec;

const status = (overrides: Partial<RolloutStatus> = {}): RolloutStatus => ({
  ...initialStatus('canary', 2, '2026-12-04T12:00:00.000Z'),
  stableRS: 'stable',
  currentStepIndex: 0,
  replicas: 5,
  readyReplicas: 5,
  availableReplicas: 5,
  lastProgressAt: undefined,
  ...overrides,
});

const replicaSet = (role: string, availableReplicas: number | null) => ({ role, availableReplicas });

const progressOf = (statusOverrides: Partial<RolloutStatus>, source: Partial<RolloutProgressSource> = {}) =>
  rolloutProgress({ spec: spec(), status: status(statusOverrides), replicaSets: [], observedTrafficWeights: {}, ...source });

const routedWeights = (canary: number) => ({
  canary: { weight: canary, podTemplateHash: 'canary' },
  stable: { weight: 100 - canary, podTemplateHash: 'stable' },
  additionalDestinations: [],
});

describe('rolloutProgress', () => {
  it('reads a rollout the engine has not reconciled yet', () => {
    expect(rolloutProgress({ spec: spec(), status: null, replicaSets: [], observedTrafficWeights: {} })).toMatchObject({
      currentStep: { index: 0, count: 4, step: { index: 0, description: 'Set weight 20%', state: 'current' } },
      replicas: { desired: 5, current: 0, updated: 0, ready: 0, available: 0 },
      pause: { paused: false, specPaused: false, conditions: [] },
      abort: { aborted: false, message: null, abortedAt: null },
      podTemplateHashes: { current: null, stable: null },
      fullyPromoted: false,
      updateInProgress: false,
    });
  });

  it('reads pauses, the abort and the analysis runs under way', () => {
    const progress = rolloutProgress({
      spec: spec({ paused: true }),
      status: status({
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-03-01T12:00:00.000Z' }],
        abort: true,
        abortedAt: '2026-03-01T12:01:00.000Z',
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'RolloutAborted',
            message: 'Rollout aborted update to revision 2',
            lastTransitionTime: '2026-03-01T12:01:00.000Z',
            lastUpdateTime: '2026-03-01T12:01:00.000Z',
          },
        ],
        canary: { ...status().canary, currentStepAnalysisRun: 'checkout-bbb-2-1', currentBackgroundAnalysisRun: 'checkout-bbb-2' },
      }),
      replicaSets: [],
      observedTrafficWeights: {},
    });
    expect(progress.pause).toEqual({
      paused: true,
      specPaused: true,
      controllerPause: false,
      conditions: [{ reason: 'CanaryPauseStep', startTime: new Date('2026-03-01T12:00:00.000Z') }],
    });
    expect(progress.abort).toEqual({
      aborted: true,
      message: 'Rollout aborted update to revision 2',
      abortedAt: new Date('2026-03-01T12:01:00.000Z'),
    });
    expect(progress.conditions[0]?.lastTransitionTime).toEqual(new Date('2026-03-01T12:01:00.000Z'));
    expect(progress.analysisRuns).toEqual([
      { kind: 'step', name: 'checkout-bbb-2-1' },
      { kind: 'background', name: 'checkout-bbb-2' },
    ]);
  });

  it('has no steps or weights for blue-green', () => {
    const progress = rolloutProgress({
      spec: spec({ strategy: { blueGreen: { activeService: 'active' } } }),
      status: status({ blueGreen: { ...status().blueGreen, activeSelector: 'stable', previewSelector: 'canary' } }),
      replicaSets: [],
      observedTrafficWeights: {},
    });
    expect(progress).toMatchObject({
      currentStep: null,
      steps: [],
      weights: null,
      podTemplateHashes: { active: 'stable', preview: 'canary' },
    });
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
  ])('sets the weight %s', (_, overrides, expected) => {
    expect(progressOf(overrides).weights?.setWeight).toBe(expected);
  });

  it.each<[string, Partial<RolloutProgressSource>, Partial<RolloutStatus>, number]>([
    [
      'from the router the agent observed',
      { observedTrafficWeights: { nginx: 35 } },
      { canary: { ...status().canary, weights: routedWeights(40) } },
      35,
    ],
    ['from the weight the router was asked for', {}, { canary: { ...status().canary, weights: routedWeights(40) } }, 40],
    ['from available pods of the canary', { replicaSets: [replicaSet('canary', 1), replicaSet('stable', 4)] }, {}, 20],
    ['as 0 when no pod is available', { replicaSets: [replicaSet('canary', 0), replicaSet('stable', 0)] }, {}, 0],
    ['from updated pods before the agent reported', {}, { replicas: 5, updatedReplicas: 2 }, 40],
    ['as 100 once promoted', {}, { stableRS: 'canary' }, 100],
    // upstream: NewRolloutInfo (ActualWeight is MaxTrafficWeight when GetCurrentCanaryStep finds no step)
    [
      'as 100 once promoted, while the router still reports the canary side empty',
      { observedTrafficWeights: { nginx: 0 } },
      { stableRS: 'canary', currentStepIndex: 4, canary: { ...status().canary, weights: routedWeights(0) } },
      100,
    ],
    [
      'as 100 past the last step, before the promotion is recorded',
      { replicaSets: [replicaSet('canary', 3), replicaSet('stable', 2)] },
      { currentStepIndex: 4 },
      100,
    ],
    ['as 0 once aborted, from the router', { observedTrafficWeights: { nginx: 0 } }, { currentStepIndex: 4, abort: true }, 0],
  ])('takes the actual weight %s', (_, source, overrides, expected) => {
    expect(progressOf(overrides, source).weights?.actualWeight).toBe(expected);
  });

  it('gives the weights the router is asked for and those each router reported', () => {
    expect(
      progressOf({ canary: { ...status().canary, weights: routedWeights(40) } }, { observedTrafficWeights: { nginx: 35 } }).weights,
    ).toEqual({ setWeight: 20, actualWeight: 35, canary: 40, stable: 60, routers: [{ router: 'nginx', weight: 35 }] });
  });
});

describe('steps', () => {
  it.each<[CanaryStep, string]>([
    [{ setWeight: 20 }, 'Set weight 20%'],
    [{ pause: {} }, 'Pause until promoted'],
    [{ pause: { duration: '10s' } }, 'Pause for 10s'],
    [{ pause: { duration: 30 } }, 'Pause for 30s'],
    [{ analysis: { templates: [{ templateName: 'success-rate' }, { templateName: 'errors' }] } }, 'Analysis: success-rate, errors'],
    [{ experiment: { duration: '5m', templates: [{ name: 'baseline', specRef: 'stable' }] } }, 'Experiment for 5m: baseline'],
    [{ setCanaryScale: { replicas: 2 } }, 'Canary scale: 2 pods'],
    [{ setCanaryScale: { weight: 25 } }, 'Canary scale: 25% of pods'],
    [{ setCanaryScale: { matchTrafficWeight: true } }, 'Canary scale: follow the weight'],
    [{ setHeaderRoute: { name: 'beta' } }, 'Header route: beta'],
    [{ setMirrorRoute: { name: 'mirror' } }, 'Mirror route: mirror'],
    [{ setCanaryScale: { replicas: 2, matchTrafficWeight: true } }, 'Canary scale: follow the weight'],
    [
      { setWeight: 20, setCanaryScale: { replicas: 2 }, setHeaderRoute: { name: 'beta' } },
      'Set weight 20%; Canary scale: 2 pods; Header route: beta',
    ],
    [{}, 'Empty step'],
  ])('describes %j as %j', (step, expected) => {
    expect(describeStep(step)).toBe(expected);
  });

  it('marks steps done before the current one, and all of them once promoted', () => {
    expect(progressOf({ currentStepIndex: 1 }).steps.map((step) => step.state)).toEqual(['done', 'current', 'pending', 'pending']);
    expect(progressOf({ currentStepIndex: 4, stableRS: 'canary' }).steps.map((step) => step.state)).toEqual([
      'done',
      'done',
      'done',
      'done',
    ]);
  });

  it('is at the count of steps once past the last one', () => {
    expect(progressOf({ currentStepIndex: 4 }).currentStep).toEqual({ index: 4, count: 4, step: null });
  });
});

describe('replicaSetRoles', () => {
  it.each([
    [false, 'stable', ['stable']],
    [false, 'canary', ['canary']],
    [false, 'older', []],
    [true, 'stable', ['stable', 'active']],
    [true, 'canary', ['preview']],
  ] as const)('blue-green %s: %s is %j', (isBlueGreen, hash, expected) => {
    const bothServices = status({ blueGreen: { ...status().blueGreen, activeSelector: 'stable', previewSelector: 'canary' } });
    expect(replicaSetRoles(hash, bothServices, isBlueGreen)).toEqual(expected);
  });

  it('calls a promoted blue-green ReplicaSet active, not preview as well', () => {
    const promoted = status({
      stableRS: 'canary',
      blueGreen: { ...status().blueGreen, activeSelector: 'canary', previewSelector: 'canary' },
    });
    expect(replicaSetRoles('canary', promoted, true)).toEqual(['stable', 'active']);
  });
});

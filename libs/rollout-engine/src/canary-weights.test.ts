import { describe, expect, it } from 'vitest';
import type { CanaryStep, CanaryStrategy } from '@flotilla/argo-spec';
import {
  abortedCanaryWeight,
  canaryReplicasOrWeight,
  currentSetWeight,
  describeStep,
  desiredCanaryWeight,
  hasReplicasForWeight,
  previousSetWeight,
} from './canary-weights.js';
import { calculateReplicaCountsForTrafficRoutedCanary } from './replica-math.js';
import type { RolloutStatus } from './types.js';

const steps: CanaryStep[] = [
  { setWeight: 10 },
  { pause: {} },
  { setCanaryScale: { replicas: 2 } },
  { setWeight: 50 },
  { setCanaryScale: { matchTrafficWeight: true } },
];

describe('canary weights by step index', () => {
  it.each([
    [0, 10, 0],
    [1, 10, 10],
    [2, 10, 10],
    [3, 50, 10],
    [4, 50, 50],
    [5, 100, 50],
  ])('at index %d the set weight is %d and the previous one %d', (index, current, previous) => {
    expect(currentSetWeight(steps, index, 100)).toBe(current);
    expect(previousSetWeight(steps, index)).toBe(previous);
  });

  const status = { promoteFull: false, abort: false, stableRS: 'stable', currentPodHash: 'canary' } as RolloutStatus;
  const observed = { specReplicas: 10, canary: { replicas: 1, availableReplicas: 1 }, stable: { replicas: 10, availableReplicas: 10 } };
  const routed = { steps, trafficRouting: { smi: {} } };
  it.each([
    ['basic canary ignores setCanaryScale', { steps }, status, 2, observed, { replicas: undefined, weightPercent: 10 }],
    ['routed canary uses setCanaryScale replicas', routed, status, 2, observed, { replicas: 2, weightPercent: 0 }],
    ['matchTrafficWeight goes back to the weight', routed, status, 4, observed, { replicas: undefined, weightPercent: 50 }],
    ['promote full is 100%', routed, { ...status, promoteFull: true }, 0, observed, { replicas: undefined, weightPercent: 100 }],
    [
      'no stable revision recorded is 100%',
      { steps },
      { ...status, stableRS: undefined },
      0,
      observed,
      { replicas: undefined, weightPercent: 100 },
    ],
    [
      'the stable revision being rolled out is 100%',
      { steps },
      { ...status, stableRS: 'canary' },
      0,
      observed,
      { replicas: undefined, weightPercent: 100 },
    ],
    [
      'a stable revision not observed yet still follows the step',
      { steps },
      status,
      3,
      { ...observed, stable: undefined },
      { replicas: undefined, weightPercent: 50 },
    ],
    ['abort is 0%', { steps }, { ...status, abort: true }, 3, observed, { replicas: undefined, weightPercent: 0 }],
    [
      'maxTrafficWeight turns weights into percent',
      { steps, trafficRouting: { smi: {}, maxTrafficWeight: 200 } },
      status,
      0,
      observed,
      { replicas: undefined, weightPercent: 5 },
    ],
    [
      'maxTrafficWeight is the unit of a setCanaryScale weight too',
      { steps: [{ setCanaryScale: { weight: 300 } }], trafficRouting: { smi: {}, maxTrafficWeight: 1000 } },
      status,
      0,
      observed,
      { replicas: undefined, weightPercent: 30 },
    ],
  ])('%s', (_name, canary, current, index, replicaSets, expected) => {
    expect(canaryReplicasOrWeight(canary, current, index, replicaSets)).toEqual(expected);
  });

  // upstream: TestGetCanaryReplicasOrWeight
  it.each<[string, CanaryStrategy, Partial<RolloutStatus>, { replicas: number | undefined; weightPercent: number }]>([
    ['full promote', {}, { promoteFull: true }, { replicas: undefined, weightPercent: 100 }],
    [
      'setCanaryScale weight',
      { steps: [{ setWeight: 10 }, { setCanaryScale: { weight: 20 } }], trafficRouting: { smi: {} } },
      { stableRS: 'stable-rs', currentPodHash: 'canary-rs' },
      { replicas: undefined, weightPercent: 20 },
    ],
    [
      'setCanaryScale replicas',
      { steps: [{ setWeight: 10 }, { setCanaryScale: { replicas: 5 } }], trafficRouting: { smi: {} } },
      { stableRS: 'stable-rs', currentPodHash: 'canary-rs' },
      { replicas: 5, weightPercent: 0 },
    ],
    ['aborted without a stable revision', {}, { abort: true, stableRS: undefined }, { replicas: undefined, weightPercent: 100 }],
  ])('%s (upstream table)', (_name, canary, fields, expected) => {
    const current: RolloutStatus = { ...status, ...fields };
    expect(canaryReplicasOrWeight(canary, current, 1, { specReplicas: 10, canary: undefined, stable: undefined })).toEqual(expected);
  });

  it('the current set weight is 0 once aborted (upstream: TestGetCurrentSetWeight)', () => {
    const canary = { steps: [{ setWeight: 10 }] };
    const none = { specReplicas: 10, canary: undefined, stable: undefined };
    expect(desiredCanaryWeight(canary, status, 1, none)).toBe(100);
    expect(desiredCanaryWeight(canary, status, 0, none)).toBe(10);
    expect(desiredCanaryWeight(canary, { ...status, abort: true }, 0, none)).toBe(0);
  });
});

// upstream: TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale, TestCalculateReplicaCountsForCanary (routed rows)
describe('traffic-routed canary counts from the status and the observed ReplicaSets', () => {
  interface Row {
    replicas: number;
    steps: CanaryStep[];
    abort: boolean;
    served: { canary: number; stable: number } | undefined;
    canary?: [replicas: number, available: number];
    stable?: [replicas: number, available: number];
    dynamicStableScale?: boolean;
    abortScaleDownDelaySeconds?: number;
    minPodsPerReplicaSet?: number;
    promoteFull?: boolean;
  }
  // Upstream's fixture puts `setWeight: weight` first and appends the row's steps.
  const dynamic = (weight: number, abort: boolean, served: [number, number], { steps: more = [], ...rest }: Partial<Row> = {}): Row => ({
    replicas: 10,
    steps: [{ setWeight: weight }, ...more],
    abort,
    served: { canary: served[0], stable: served[1] },
    dynamicStableScale: true,
    ...rest,
  });
  it.each<[string, Row, { canary: number; stable: number }]>([
    [
      'aborted: the stable scales up for the next setWeight down, canary 6 → stable 8',
      dynamic(20, true, [60, 40], { steps: [{ setWeight: 60 }], canary: [6, 6], stable: [4, 4] }),
      { canary: 6, stable: 8 },
    ],
    [
      'aborted: fewer canary pods than expected still count from the stable',
      dynamic(20, true, [60, 40], { steps: [{ setWeight: 60 }], canary: [1, 1], stable: [4, 4] }),
      { canary: 6, stable: 8 },
    ],
    [
      'aborted: the stable availability decides',
      dynamic(20, true, [60, 40], { steps: [{ setWeight: 60 }], canary: [2, 2], stable: [8, 4] }),
      { canary: 6, stable: 8 },
    ],
    [
      'aborted without ReplicaSets: the stable as if the canary were gone',
      dynamic(20, true, [60, 40], { steps: [{ setWeight: 60 }] }),
      { canary: 6, stable: 10 },
    ],
    ['scales the stable down', dynamic(10, false, [10, 90]), { canary: 1, stable: 9 }],
    ['desired canary above the served one', dynamic(20, false, [10, 90]), { canary: 2, stable: 9 }],
    ['aborted: the canary stays while traffic reaches it', dynamic(20, true, [20, 80]), { canary: 2, stable: 10 }],
    ['aborted: the canary shrinks with its traffic', dynamic(20, true, [10, 90]), { canary: 1, stable: 10 }],
    [
      'aborted with abortScaleDownDelaySeconds 0 keeps setCanaryScale',
      {
        replicas: 1,
        steps: [{ setWeight: 0, setCanaryScale: { replicas: 1 } }],
        abort: true,
        served: undefined,
        abortScaleDownDelaySeconds: 0,
      },
      { canary: 1, stable: 1 },
    ],
    [
      'aborted with abortScaleDownDelaySeconds > 0 drops setCanaryScale',
      {
        replicas: 1,
        steps: [{ setWeight: 0, setCanaryScale: { replicas: 1 } }],
        abort: true,
        served: undefined,
        abortScaleDownDelaySeconds: 30,
      },
      { canary: 0, stable: 1 },
    ],
    [
      'minPodsPerReplicaSet raises a starting canary',
      { replicas: 10, steps: [{ setWeight: 5 }], abort: false, served: undefined, minPodsPerReplicaSet: 2 },
      { canary: 2, stable: 10 },
    ],
    [
      'minPodsPerReplicaSet is capped at spec.replicas',
      { replicas: 1, steps: [{ setWeight: 100 }], abort: false, served: undefined, minPodsPerReplicaSet: 2, promoteFull: true },
      { canary: 1, stable: 1 },
    ],
  ])('%s', (_name, row, expected) => {
    const canary: CanaryStrategy = {
      steps: row.steps,
      trafficRouting: { smi: {} },
      ...(row.dynamicStableScale ? { dynamicStableScale: true } : {}),
      ...(row.abortScaleDownDelaySeconds === undefined ? {} : { abortScaleDownDelaySeconds: row.abortScaleDownDelaySeconds }),
    };
    const current = {
      promoteFull: row.promoteFull ?? false,
      abort: row.abort,
      stableRS: 'stable',
      currentPodHash: 'canary',
    } as RolloutStatus;
    const counts = (pair: [number, number] | undefined) =>
      pair === undefined ? undefined : { replicas: pair[0], availableReplicas: pair[1] };
    const wanted = canaryReplicasOrWeight(canary, current, 0, {
      specReplicas: row.replicas,
      canary: counts(row.canary),
      stable: counts(row.stable),
    });
    const result = calculateReplicaCountsForTrafficRoutedCanary({
      specReplicas: row.replicas,
      desiredWeight: wanted.weightPercent,
      canaryReplicasOverride: wanted.replicas,
      dynamicStableScale: row.dynamicStableScale === true,
      minPodsPerReplicaSet: row.minPodsPerReplicaSet,
      actualWeights: row.served,
      abort: row.abort,
    });
    expect(result).toEqual(expected);
  });
});

// upstream: TestDynamicScalingDontIncreaseWeightWhenAborted, TestDynamicScalingDecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted,
// TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAborted
describe('router weight once aborted', () => {
  const canary: CanaryStrategy = { steps: [{ setWeight: 50 }, { pause: {} }], trafficRouting: { smi: {} }, dynamicStableScale: true };
  const aborted = (served: number | undefined): RolloutStatus =>
    ({
      abort: true,
      promoteFull: false,
      stableRS: 'stable',
      currentPodHash: 'canary',
      canary: {
        weights:
          served === undefined
            ? undefined
            : {
                canary: { weight: served, podTemplateHash: 'canary' },
                stable: { weight: 100 - served, podTemplateHash: 'stable' },
                additionalDestinations: [],
              },
      },
    }) as unknown as RolloutStatus;
  const pods = (replicas: number, available: number) => ({ replicas, availableReplicas: available });
  it.each<[string, CanaryStrategy, number | undefined, [number, number], [number, number], number]>([
    ['does not raise the weight while the stable is short', canary, 0, [5, 4], [0, 0], 0],
    ['steps back to the previous setWeight the stable can serve', canary, 100, [5, 3], [4, 4], 50],
    ['follows the stable availability without a setWeight to step back to', { ...canary, steps: [{ pause: {} }] }, 100, [5, 1], [4, 4], 80],
    ['keeps the weight while the stable scales up for the next step', canary, 100, [5, 2], [4, 4], 100],
    ['without a weight served yet, what the stable cannot cover', canary, undefined, [5, 4], [1, 1], 20],
    ['without dynamicStableScale, 0 at once', { ...canary, dynamicStableScale: false }, 100, [5, 1], [4, 4], 0],
  ])('%s', (_name, strategy, served, stable, current, expected) => {
    const observed = { specReplicas: 5, stable: pods(...stable), canary: pods(...current) };
    expect(abortedCanaryWeight(strategy, aborted(served), 1, observed)).toBe(expected);
  });
});

// upstream: TestCheckReplicasAvailableWithReplicaProgressThreshold, TestCheckReplicasAvailableWithCustomMaxTrafficWeight
describe('hasReplicasForWeight', () => {
  const routed = (threshold?: CanaryStrategy['replicaProgressThreshold'], maxTrafficWeight?: number): CanaryStrategy => ({
    trafficRouting: { smi: {}, ...(maxTrafficWeight === undefined ? {} : { maxTrafficWeight }) },
    ...(threshold === undefined ? {} : { replicaProgressThreshold: threshold }),
  });
  it.each<[string, CanaryStrategy, number, [number, number], number, boolean]>([
    ['80% available meets 80%', routed({ type: 'Percent', value: 80 }), 10, [5, 4], 50, true],
    ['60% available misses 80%', routed({ type: 'Percent', value: 80 }), 10, [5, 3], 50, false],
    ['without a threshold every pod is needed', routed(), 10, [5, 4], 50, false],
    ['a large maxTrafficWeight: half of 2 pods is 1', routed(undefined, 100000000), 2, [2, 1], 50000000, true],
    ['a large maxTrafficWeight: no pod available', routed(undefined, 100000000), 2, [2, 0], 50000000, false],
    ['a large maxTrafficWeight: the full weight needs both pods', routed(undefined, 100000000), 2, [2, 2], 100000000, true],
    ['weight 0 needs no pod', routed(undefined, 100000000), 2, [2, 0], 0, true],
    ['the default maxTrafficWeight', routed(), 10, [10, 5], 50, true],
  ])('%s', (_name, canary, specReplicas, [replicas, availableReplicas], weight, expected) => {
    expect(hasReplicasForWeight(canary, { replicas, availableReplicas }, specReplicas, weight)).toBe(expected);
  });
});

describe('step descriptions', () => {
  it.each<[CanaryStep, string]>([
    [{ setWeight: 20 }, 'setWeight: 20'],
    [{ pause: {} }, 'pause'],
    [{ pause: { duration: '10s' } }, 'pause: 10s'],
    [{ analysis: { templates: [] } }, 'analysis'],
    [{ experiment: { templates: [] } }, 'experiment'],
    [{ setCanaryScale: { weight: 30 } }, 'setCanaryScale{weight: 30}'],
    [{ setCanaryScale: { matchTrafficWeight: true } }, 'setCanaryScale{matchTrafficWeight: true}'],
    [{ setCanaryScale: { replicas: 3 } }, 'setCanaryScale{replicas: 3}'],
    [{ setHeaderRoute: { name: 'beta' } }, 'setHeaderRoute: beta'],
    [{ setMirrorRoute: { name: 'shadow' } }, 'setMirrorRoute: shadow'],
  ])('describes %j as %j', (step, text) => {
    expect(describeStep(step)).toBe(text);
  });
});

import type { CanaryStrategy, IntOrString } from '@flotilla/argo-spec';
import { describe, expect, it } from 'vitest';
import {
  approximateWeightedCanaryStableReplicaCounts,
  calculateReplicaCountsForBasicCanary,
  calculateReplicaCountsForTrafficRoutedCanary,
  replicaProgressThresholdMet,
  resolveFenceposts,
  scaledValue,
  trafficWeightToReplicas,
  type ReplicaSetCounts,
} from './replica-math.js';

describe('resolveFenceposts', () => {
  it.each([
    [1, 1, 10, 1, 1],
    ['25%', '25%', 10, 3, 2],
    ['20%', 0, 10, 2, 0],
    ['0%', '0%', 10, 0, 1],
    [0, 0, 3, 0, 1],
    ['10%', '10%', 4, 1, 0],
  ] as const)('surge %j unavailable %j of %d → %d / %d', (surge, unavailable, replicas, expectedSurge, expectedUnavailable) => {
    expect(resolveFenceposts(surge, unavailable, replicas)).toEqual({ maxSurge: expectedSurge, maxUnavailable: expectedUnavailable });
  });

  it.each([
    ['33%', 10, true, 4],
    ['33%', 10, false, 3],
    [7, 10, false, 7],
  ] as const)('scaledValue(%j, %d, roundUp=%j) = %d', (value, total, roundUp, expected) => {
    expect(scaledValue(value, total, roundUp)).toBe(expected);
  });
});

describe('approximateWeightedCanaryStableReplicaCounts (upstream table)', () => {
  it.each([
    [0, 0, 0, 0, 0],
    [0, 50, 0, 0, 0],
    [0, 100, 0, 0, 0],
    [0, 0, 1, 0, 0],
    [0, 50, 1, 0, 0],
    [0, 100, 1, 0, 0],
    [1, 0, 0, 0, 1],
    [1, 1, 0, 0, 1],
    [1, 49, 0, 0, 1],
    [1, 50, 0, 1, 0],
    [1, 99, 0, 1, 0],
    [1, 100, 0, 1, 0],
    [1, 0, 1, 0, 1],
    [1, 1, 1, 1, 1],
    [1, 49, 1, 1, 1],
    [1, 50, 1, 1, 1],
    [1, 99, 1, 1, 1],
    [1, 100, 1, 1, 0],
    [2, 0, 0, 0, 2],
    [2, 1, 0, 1, 1],
    [2, 50, 0, 1, 1],
    [2, 99, 0, 1, 1],
    [2, 100, 0, 2, 0],
    [2, 0, 1, 0, 2],
    [2, 1, 1, 1, 2],
    [2, 50, 1, 1, 1],
    [2, 99, 1, 2, 1],
    [2, 100, 1, 2, 0],
    [3, 10, 0, 1, 2],
    [3, 25, 0, 1, 2],
    [3, 33, 0, 1, 2],
    [3, 34, 0, 1, 2],
    [3, 49, 0, 1, 2],
    [3, 50, 0, 2, 1],
    [3, 10, 1, 1, 3],
    [3, 25, 1, 1, 3],
    [3, 33, 1, 1, 2],
    [3, 34, 1, 1, 2],
    [3, 49, 1, 2, 2],
    [3, 50, 1, 2, 2],
    [10, 0, 1, 0, 10],
    [10, 1, 0, 1, 9],
    [10, 14, 0, 1, 9],
    [10, 15, 0, 2, 8],
    [10, 16, 0, 2, 8],
    [10, 99, 0, 9, 1],
    [10, 100, 1, 10, 0],
    [10, 1, 1, 1, 10],
    [10, 18, 1, 2, 9],
    [10, 19, 1, 2, 9],
    [10, 20, 1, 2, 8],
    [10, 23, 1, 2, 8],
    [10, 24, 1, 3, 8],
    [10, 25, 1, 3, 8],
    [10, 99, 1, 10, 1],
  ])('replicas %d weight %d surge %d → canary %d stable %d', (replicas, weight, surge, canary, stable) => {
    expect(approximateWeightedCanaryStableReplicaCounts(replicas, weight, surge)).toEqual({ canary, stable });
  });
});

interface BasicCase {
  replicas: number;
  weight: number;
  surge: IntOrString;
  unavailable: IntOrString;
  stable: [spec: number, available: number];
  canary: [spec: number, available: number];
  older?: [spec: number, available: number];
  expected: { canary: number; stable: number };
}

describe('calculateReplicaCountsForBasicCanary (upstream table)', () => {
  const cases: [string, BasicCase][] = [
    [
      'do not count extra available replicas when spec < available',
      { replicas: 10, weight: 100, surge: 3, unavailable: 0, stable: [7, 8], canary: [6, 3], expected: { canary: 6, stable: 7 } },
    ],
    [
      'max surge as a count scales up the canary',
      { replicas: 10, weight: 20, surge: 2, unavailable: 0, stable: [10, 10], canary: [0, 0], expected: { canary: 2, stable: 10 } },
    ],
    [
      'max surge as a percentage scales up the canary',
      { replicas: 10, weight: 20, surge: '20%', unavailable: 0, stable: [10, 10], canary: [0, 0], expected: { canary: 2, stable: 10 } },
    ],
    [
      'extra stable replicas are scaled down',
      { replicas: 10, weight: 20, surge: '20%', unavailable: 0, stable: [10, 10], canary: [2, 2], expected: { canary: 2, stable: 8 } },
    ],
    [
      'never past max surge',
      { replicas: 10, weight: 30, surge: 2, unavailable: 0, stable: [10, 10], canary: [0, 0], expected: { canary: 2, stable: 10 } },
    ],
    [
      'max unavailable as a count scales down the stable',
      { replicas: 10, weight: 20, surge: 0, unavailable: 2, stable: [10, 10], canary: [0, 0], expected: { canary: 0, stable: 8 } },
    ],
    [
      'max unavailable as a percentage scales down the stable',
      { replicas: 10, weight: 20, surge: 0, unavailable: '20%', stable: [10, 10], canary: [0, 0], expected: { canary: 0, stable: 8 } },
    ],
    [
      'never past max unavailable',
      { replicas: 10, weight: 30, surge: 0, unavailable: 2, stable: [10, 10], canary: [0, 0], expected: { canary: 0, stable: 8 } },
    ],
    [
      'surge and unavailable together',
      { replicas: 10, weight: 50, surge: 2, unavailable: 1, stable: [10, 10], canary: [0, 0], expected: { canary: 2, stable: 9 } },
    ],
    [
      'weight 0 scales the canary to zero',
      { replicas: 10, weight: 0, surge: 1, unavailable: 1, stable: [10, 10], canary: [1, 1], expected: { canary: 0, stable: 10 } },
    ],
    [
      'weight 100 scales the stable to zero',
      { replicas: 10, weight: 100, surge: 1, unavailable: 1, stable: [1, 1], canary: [10, 10], expected: { canary: 10, stable: 0 } },
    ],
    [
      'a non-zero weight keeps one canary pod',
      { replicas: 1, weight: 20, surge: 1, unavailable: 0, stable: [1, 1], canary: [0, 0], expected: { canary: 1, stable: 1 } },
    ],
    [
      'a weight below 100 keeps one stable pod',
      { replicas: 1, weight: 90, surge: 1, unavailable: 0, stable: [1, 1], canary: [0, 0], expected: { canary: 1, stable: 1 } },
    ],
    [
      'stable scales up before the canary',
      {
        replicas: 10,
        weight: 30,
        surge: 1,
        unavailable: 0,
        stable: [1, 1],
        canary: [0, 0],
        older: [3, 3],
        expected: { canary: 1, stable: 7 },
      },
    ],
    [
      'canary and stable scale down',
      { replicas: 10, weight: 30, surge: 0, unavailable: 3, stable: [8, 5], canary: [4, 4], expected: { canary: 3, stable: 7 } },
    ],
    [
      'stable and canary availability both count',
      { replicas: 10, weight: 100, surge: 1, unavailable: 0, stable: [10, 2], canary: [10, 8], expected: { canary: 9, stable: 2 } },
    ],
    [
      'older ReplicaSets drain first',
      {
        replicas: 10,
        weight: 30,
        surge: 0,
        unavailable: 1,
        stable: [8, 6],
        canary: [4, 2],
        older: [3, 3],
        expected: { canary: 4, stable: 8 },
      },
    ],
    [
      'uneven weight never rounds past surge',
      { replicas: 10, weight: 5, surge: 0, unavailable: 1, stable: [10, 10], canary: [0, 0], expected: { canary: 0, stable: 9 } },
    ],
    [
      'uneven weight never rounds past surge (part 2)',
      { replicas: 10, weight: 5, surge: 0, unavailable: 1, stable: [9, 9], canary: [0, 0], expected: { canary: 1, stable: 9 } },
    ],
    [
      '0% surge and 0% unavailable allow one unavailable pod',
      { replicas: 10, weight: 10, surge: '0%', unavailable: '0%', stable: [10, 10], canary: [0, 0], expected: { canary: 0, stable: 9 } },
    ],
    [
      'surge honoured while the stable is unavailable',
      { replicas: 4, weight: 100, surge: 1, unavailable: 0, stable: [4, 1], canary: [0, 0], expected: { canary: 1, stable: 4 } },
    ],
    [
      'scale down to max unavailable without surging',
      { replicas: 3, weight: 99, surge: 0, unavailable: 2, stable: [3, 3], canary: [0, 0], expected: { canary: 0, stable: 1 } },
    ],
    [
      'scale down to max unavailable without surging (part 2)',
      { replicas: 3, weight: 99, surge: 0, unavailable: 2, stable: [1, 1], canary: [0, 0], expected: { canary: 2, stable: 1 } },
    ],
    [
      'max unavailable honoured while the stable is unavailable',
      { replicas: 4, weight: 100, surge: 1, unavailable: 0, stable: [4, 1], canary: [1, 1], expected: { canary: 1, stable: 3 } },
    ],
    [
      'abort: surge the stable before touching the canary',
      { replicas: 4, weight: 0, surge: 1, unavailable: 0, stable: [0, 0], canary: [4, 4], expected: { canary: 4, stable: 1 } },
    ],
    [
      'abort: wait for the surged stable pod',
      { replicas: 4, weight: 0, surge: 1, unavailable: 0, stable: [1, 0], canary: [4, 4], expected: { canary: 4, stable: 1 } },
    ],
    [
      'abort: then drain one canary pod',
      { replicas: 4, weight: 0, surge: 1, unavailable: 0, stable: [1, 1], canary: [4, 4], expected: { canary: 3, stable: 1 } },
    ],
    [
      'promote full ignores the step weight',
      { replicas: 4, weight: 100, surge: 4, unavailable: 4, stable: [4, 4], canary: [0, 0], expected: { canary: 4, stable: 0 } },
    ],
    [
      'promote full still honours surge and unavailable',
      { replicas: 4, weight: 100, surge: 3, unavailable: 0, stable: [4, 4], canary: [0, 0], expected: { canary: 3, stable: 4 } },
    ],
  ];

  it.each(cases)('%s', (_name, testCase) => {
    const { maxSurge, maxUnavailable } = resolveFenceposts(testCase.surge, testCase.unavailable, testCase.replicas);
    const counts = calculateReplicaCountsForBasicCanary({
      specReplicas: testCase.replicas,
      desiredWeight: testCase.weight,
      maxSurge,
      maxUnavailable,
      stable: { replicas: testCase.stable[0], availableReplicas: testCase.stable[1] },
      canary: { replicas: testCase.canary[0], availableReplicas: testCase.canary[1] },
      others: testCase.older ? [{ replicas: testCase.older[0], availableReplicas: testCase.older[1] }] : [],
    });
    expect(counts).toEqual(testCase.expected);
  });

  it('with no distinct stable, goes straight to full size', () => {
    const counts = calculateReplicaCountsForBasicCanary({
      specReplicas: 10,
      desiredWeight: 10,
      maxSurge: 0,
      maxUnavailable: 1,
      canary: { replicas: 9, availableReplicas: 9 },
      stable: undefined,
      others: [],
    });
    expect(counts).toEqual({ canary: 10, stable: 0 });
  });
});

describe('calculateReplicaCountsForTrafficRoutedCanary (upstream table)', () => {
  const base = {
    specReplicas: 10,
    desiredWeight: 10,
    canaryReplicasOverride: undefined,
    dynamicStableScale: false,
    minPodsPerReplicaSet: undefined,
    actualWeights: undefined,
    abort: false,
  };
  it.each([
    ['canary follows the weight, stable stays full', base, { canary: 1, stable: 10 }],
    [
      'setCanaryScale replicas win over the weight',
      { ...base, specReplicas: 1, desiredWeight: 100, canaryReplicasOverride: 9 },
      { canary: 9, stable: 1 },
    ],
    ['setCanaryScale weight may exceed 100', { ...base, specReplicas: 4, desiredWeight: 200 }, { canary: 8, stable: 4 }],
    ['minPodsPerReplicaSet raises a small canary', { ...base, desiredWeight: 5, minPodsPerReplicaSet: 2 }, { canary: 2, stable: 10 }],
    [
      'dynamic stable scale follows the served weight',
      { ...base, dynamicStableScale: true, actualWeights: { canary: 10, stable: 90 } },
      { canary: 1, stable: 9 },
    ],
    [
      'dynamic: desired canary above served canary',
      { ...base, desiredWeight: 20, dynamicStableScale: true, actualWeights: { canary: 10, stable: 90 } },
      { canary: 2, stable: 9 },
    ],
    [
      'dynamic abort keeps canary while traffic still reaches it',
      { ...base, desiredWeight: 0, dynamicStableScale: true, abort: true, actualWeights: { canary: 20, stable: 80 } },
      { canary: 2, stable: 10 },
    ],
    [
      'dynamic abort reduces canary with its traffic',
      { ...base, desiredWeight: 0, dynamicStableScale: true, abort: true, actualWeights: { canary: 10, stable: 90 } },
      { canary: 1, stable: 10 },
    ],
  ] as const)('%s', (_name, input, expected) => {
    expect(calculateReplicaCountsForTrafficRoutedCanary(input)).toEqual(expected);
  });

  it('minPodsPerReplicaSet above spec.replicas is capped at spec.replicas', () => {
    // upstream: TestCalculateReplicaCountsForCanary "Cap MinPodsPerReplicaSet when it exceeds rollout replicas with trafficRouting"
    expect(calculateReplicaCountsForTrafficRoutedCanary({ ...base, specReplicas: 1, desiredWeight: 100, minPodsPerReplicaSet: 2 })).toEqual(
      {
        canary: 1,
        stable: 1,
      },
    );
    expect(
      calculateReplicaCountsForTrafficRoutedCanary({
        ...base,
        specReplicas: 3,
        desiredWeight: 10,
        minPodsPerReplicaSet: 5,
        dynamicStableScale: true,
        actualWeights: { canary: 10, stable: 90 },
      }),
    ).toEqual({ canary: 3, stable: 3 });
  });

  // upstream: TestTrafficWeightToReplicas
  it.each([
    [10, 0, 100, 0],
    [10, 20, 100, 2],
    [10, 25, 100, 3],
    [10, 33, 100, 4],
    [10, 99, 100, 10],
    [10, 100, 100, 10],
    [23, 100000000, 100000000, 23],
  ])('%d pods at weight %d of %d is %d pods', (replicas, weight, fullWeight, pods) => {
    expect(trafficWeightToReplicas(replicas, weight, fullWeight)).toBe(pods);
  });
});

// upstream: TestAllReplicaProgressThresholdMet, TestAllDesiredAreAvailable
describe('replicaProgressThresholdMet', () => {
  const pods = (replicas: number, availableReplicas: number) => ({ replicas, availableReplicas });
  it.each<[string, CanaryStrategy['replicaProgressThreshold'], ReplicaSetCounts | undefined, number, boolean]>([
    ['90% with 9 of 10 available', { type: 'Percent', value: 90 }, pods(10, 9), 10, true],
    ['9 pods with 9 available', { type: 'Pod', value: 9 }, pods(10, 9), 10, true],
    ['90% with 8 of 10 available', { type: 'Percent', value: 90 }, pods(10, 8), 10, false],
    ['8 pods with 7 available', { type: 'Pod', value: 8 }, pods(10, 7), 10, false],
    ['a negative threshold asks for every pod', { type: 'Pod', value: -100 }, pods(10, 10), 10, true],
    ['no threshold: the ReplicaSet must have the desired count', undefined, pods(5, 10), 10, false],
    ['no ReplicaSet never meets it', { type: 'Pod', value: 5 }, undefined, 10, false],
    ['well above the percentage', { type: 'Percent', value: 100 }, pods(10, 100), 10, true],
    ['nothing desired meets any percentage', { type: 'Percent', value: 90 }, pods(0, 0), 0, true],
    ['no threshold, all desired available', undefined, pods(10, 10), 10, true],
    ['no threshold, one short', undefined, pods(10, 9), 10, false],
    ['one third of 3 pods is 33.33…%, which meets 33%', { type: 'Percent', value: 33 }, pods(3, 1), 3, true],
  ])('%s', (_name, threshold, replicaSet, desired, met) => {
    expect(replicaProgressThresholdMet(threshold, replicaSet, desired)).toBe(met);
  });
});

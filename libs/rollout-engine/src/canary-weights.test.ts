import { describe, expect, it } from 'vitest';
import type { CanaryStep } from '@flotilla/argo-spec';
import { canaryReplicasOrWeight, currentSetWeight, describeStep, previousSetWeight } from './canary-weights.js';
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

  const status = { promoteFull: false, abort: false } as RolloutStatus;
  const routed = { steps, trafficRouting: { smi: {} } };
  it.each([
    ['basic canary ignores setCanaryScale', { steps }, status, 2, true, { replicas: undefined, weightPercent: 10 }],
    ['routed canary uses setCanaryScale replicas', routed, status, 2, true, { replicas: 2, weightPercent: 0 }],
    ['matchTrafficWeight goes back to the weight', routed, status, 4, true, { replicas: undefined, weightPercent: 50 }],
    ['promote full is 100%', routed, { ...status, promoteFull: true }, 0, true, { replicas: undefined, weightPercent: 100 }],
    ['no distinct stable is 100%', { steps }, status, 0, false, { replicas: undefined, weightPercent: 100 }],
    ['abort is 0%', { steps }, { ...status, abort: true }, 3, true, { replicas: undefined, weightPercent: 0 }],
    [
      'maxTrafficWeight turns weights into percent',
      { steps, trafficRouting: { smi: {}, maxTrafficWeight: 200 } },
      status,
      0,
      true,
      { replicas: undefined, weightPercent: 5 },
    ],
  ])('%s', (_name, canary, current, index, distinctStable, expected) => {
    expect(canaryReplicasOrWeight(canary, current, index, distinctStable)).toEqual(expected);
  });

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

import type { DesiredReplicaSet, DesiredRolloutState } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { HUB_LOSS_AFTER_ANNOTATION, HUB_LOSS_POLICY_ANNOTATION, hubLossAnnotationProblems, hubLossInstruction } from './hub-loss.js';

const replicaSet = (podTemplateHash: string, replicas: number): DesiredReplicaSet => ({
  podTemplateHash,
  template: {
    metadata: { labels: { app: 'checkout', 'rollouts-pod-template-hash': podTemplateHash } },
    spec: { containers: [{ name: 'checkout', image: `shop/checkout:${podTemplateHash}` }] },
  },
  replicas,
  labels: { 'rollouts-pod-template-hash': podTemplateHash },
  annotations: {},
  restart: podTemplateHash === 'def' ? { podsCreatedBefore: '2026-06-01T00:00:00.000Z', maxUnavailable: 1 } : undefined,
});

/** A canary at 40% on a router: stable `abc` at 3, canary `def` at 2, an experiment taking 10% and a header route. */
const canaryAt40: DesiredRolloutState = {
  replicaSets: [replicaSet('abc', 3), replicaSet('def', 2)],
  services: {
    stable: { service: 'checkout-stable', podTemplateHash: 'abc' },
    canary: { service: 'checkout-canary', podTemplateHash: 'def' },
  },
  trafficRouting: {
    router: 'nginx',
    routing: { nginx: { stableIngress: 'checkout' } },
    canaryService: 'checkout-canary',
    stableService: 'checkout-stable',
    canaryPodTemplateHash: 'def',
    stablePodTemplateHash: 'abc',
    canaryWeight: 40,
    stableWeight: 50,
    additionalDestinations: [{ weight: 10, podTemplateHash: 'def', serviceName: 'checkout-experiment' }],
    headerRoutes: [{ name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'true' } }] }],
    mirrorRoutes: [],
  },
};
const policy = { [HUB_LOSS_POLICY_ANNOTATION]: 'rollback-to-stable' };

describe('hubLossInstruction', () => {
  it('falls back to the stable ReplicaSet at full size, serving every request, after the default 300 s', () => {
    const instruction = hubLossInstruction(policy, canaryAt40, 'abc', 5);
    expect(instruction?.afterSeconds).toBe(300);
    expect(
      instruction?.fallback.replicaSets.map(({ podTemplateHash, replicas, restart }) => ({ podTemplateHash, replicas, restart })),
    ).toEqual([
      { podTemplateHash: 'abc', replicas: 5, restart: undefined },
      { podTemplateHash: 'def', replicas: 0, restart: undefined },
    ]);
    expect(instruction?.fallback.services).toEqual({
      stable: { service: 'checkout-stable', podTemplateHash: 'abc' },
      canary: { service: 'checkout-canary', podTemplateHash: 'abc' },
    });
    expect(instruction?.fallback.trafficRouting).toMatchObject({
      canaryWeight: 0,
      stableWeight: 100,
      additionalDestinations: [],
      headerRoutes: [],
      mirrorRoutes: [],
    });
  });

  it('waits as long as the rollout asks', () => {
    expect(hubLossInstruction({ ...policy, [HUB_LOSS_AFTER_ANNOTATION]: '45' }, canaryAt40, 'abc', 5)?.afterSeconds).toBe(45);
  });

  it.each([
    { case: 'no policy', annotations: {}, stable: 'abc' },
    { case: 'no stable revision yet', annotations: policy, stable: undefined },
    { case: 'a stable ReplicaSet the desired state no longer lists', annotations: policy, stable: 'old' },
  ])('gives no instruction with $case', ({ annotations, stable }) => {
    expect(hubLossInstruction(annotations, canaryAt40, stable, 5)).toBeUndefined();
  });
});

describe('hubLossAnnotationProblems', () => {
  it('accepts the policy with or without a delay, and no policy at all', () => {
    expect(hubLossAnnotationProblems(undefined)).toEqual([]);
    expect(hubLossAnnotationProblems(policy)).toEqual([]);
    expect(hubLossAnnotationProblems({ ...policy, [HUB_LOSS_AFTER_ANNOTATION]: '600' })).toEqual([]);
  });

  it('names the annotation and the reason for an unknown policy or a delay that is not whole seconds', () => {
    expect(hubLossAnnotationProblems({ [HUB_LOSS_POLICY_ANNOTATION]: 'scale-to-zero', [HUB_LOSS_AFTER_ANNOTATION]: '1.5' })).toEqual([
      {
        path: "metadata.annotations['flotilla.io/hub-loss-policy']",
        message: 'the only hub-loss policy is "rollback-to-stable", got "scale-to-zero"',
      },
      {
        path: "metadata.annotations['flotilla.io/hub-loss-after-seconds']",
        message: 'must be a whole number of seconds from 1 to 2147483, got "1.5"',
      },
    ]);
    expect(hubLossAnnotationProblems({ [HUB_LOSS_AFTER_ANNOTATION]: '0' })).toHaveLength(1);
    expect(hubLossAnnotationProblems({ [HUB_LOSS_AFTER_ANNOTATION]: '2147483' })).toEqual([]);
    expect(hubLossAnnotationProblems({ [HUB_LOSS_AFTER_ANNOTATION]: '3000000' })).toHaveLength(1);
  });
});

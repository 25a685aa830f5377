import { POD_TEMPLATE_HASH_LABEL } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';

const repelling = (stable: string) => ({
  labelSelector: { matchExpressions: [{ key: POD_TEMPLATE_HASH_LABEL, operator: 'In', values: [stable] }] },
  topologyKey: 'kubernetes.io/hostname',
});

describe('antiAffinity', () => {
  it.each([
    [
      'required',
      { requiredDuringSchedulingIgnoredDuringExecution: {} },
      (stable: string) => ({ requiredDuringSchedulingIgnoredDuringExecution: [repelling(stable)] }),
    ],
    [
      'preferred',
      { preferredDuringSchedulingIgnoredDuringExecution: { weight: 40 } },
      (stable: string) => ({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 40, podAffinityTerm: repelling(stable) }] }),
    ],
  ])(
    'keeps the new revision’s pods off the stable pods’ nodes, %s, and leaves the stable ReplicaSet and the pod template hash alone',
    (_kind, antiAffinity, expected) => {
      const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps: [{ setWeight: 20 }, { pause: {} }], antiAffinity } }), START);
      simulation.settle();
      const stable = simulation.status?.stableRS as string;
      expect(simulation.lastDecision.desired.replicaSets[0]?.template.spec.affinity).toBeUndefined();
      simulation.setImage('shop/checkout:2.0');
      simulation.settle();
      const canary = simulation.status?.currentPodHash as string;
      const byHash = new Map(simulation.lastDecision.desired.replicaSets.map((replicaSet) => [replicaSet.podTemplateHash, replicaSet]));
      expect(byHash.get(canary)?.template.spec.affinity).toEqual({ podAntiAffinity: expected(stable) });
      expect(byHash.get(stable)?.template.spec.affinity).toBeUndefined();
    },
  );

  it('adds its rule to the template’s own pod anti-affinity, and a blue-green preview takes it too', () => {
    const own = { weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' } };
    const spec = rolloutSpec({
      blueGreen: {
        activeService: 'checkout-active',
        autoPromotionEnabled: false,
        antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 60 } },
      },
    });
    spec.template = {
      ...spec.template,
      spec: { ...spec.template.spec, affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [own] } } },
    };
    const simulation = new RolloutSimulation(spec, START);
    simulation.settle();
    const stable = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const preview = simulation.lastDecision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash !== stable);
    expect(preview?.template.spec.affinity).toEqual({
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [own, { weight: 60, podAffinityTerm: repelling(stable) }] },
    });
  });
});

import type { ObservedRolloutState } from '@flotilla/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanaryStep, IntOrString, RolloutSpec } from '@flotilla/argo-spec';
import { canaryFenceposts } from './defaults.js';
import { applyOperation } from './operations.js';
import { reconcile } from './reconcile.js';
import { rolloutSpec, START } from './testing/fixtures.js';
import { converge, emptyObservation } from './testing/rollout-simulation.js';
import type { Decision, ReconcileInput, RolloutOperation, RolloutStatus } from './types.js';

type Action =
  | { kind: 'reconcile'; podsBecomeReady: boolean }
  | { kind: 'setImage'; version: number; broken: boolean }
  | { kind: 'operate'; operation: RolloutOperation }
  | { kind: 'tick'; seconds: number };

const intOrPercent = (max: number): fc.Arbitrary<IntOrString> =>
  fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom('0%', '10%', '25%', '50%', '100%'));

const stepArbitrary: fc.Arbitrary<CanaryStep> = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((setWeight) => ({ setWeight })),
  fc.constant({ pause: {} }),
  fc.integer({ min: 0, max: 60 }).map((duration) => ({ pause: { duration } })),
);

const specArbitrary: fc.Arbitrary<RolloutSpec> = fc
  .record({
    replicas: fc.integer({ min: 1, max: 8 }),
    maxSurge: intOrPercent(3),
    maxUnavailable: intOrPercent(3),
    steps: fc.array(stepArbitrary, { maxLength: 5 }),
    routed: fc.boolean(),
    dynamicStableScale: fc.boolean(),
  })
  .map(({ replicas, maxSurge, maxUnavailable, steps, routed, dynamicStableScale }) =>
    rolloutSpec(
      {
        canary: {
          steps,
          maxSurge,
          maxUnavailable,
          ...(routed
            ? { trafficRouting: { nginx: { stableIngress: 'checkout' } }, dynamicStableScale, canaryService: 'c', stableService: 's' }
            : {}),
        },
      },
      { replicas },
    ),
  );

const operationArbitrary: fc.Arbitrary<RolloutOperation> = fc.constantFrom<RolloutOperation>(
  { type: 'promote', full: false },
  { type: 'promote', full: true },
  { type: 'abort' },
  { type: 'retry' },
  { type: 'pause' },
  { type: 'resume' },
);

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.boolean().map((podsBecomeReady) => ({ kind: 'reconcile' as const, podsBecomeReady })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ version: fc.integer({ min: 1, max: 4 }), broken: fc.boolean() })
      .map((change) => ({ kind: 'setImage' as const, ...change })),
  },
  { weight: 2, arbitrary: operationArbitrary.map((operation) => ({ kind: 'operate' as const, operation })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 120 }).map((seconds) => ({ kind: 'tick' as const, seconds })) },
);

interface World {
  spec: RolloutSpec;
  status: RolloutStatus | undefined;
  observed: ObservedRolloutState;
  now: Date;
  broken: Set<string>;
}

function inputOf(world: World): ReconcileInput {
  return {
    rollout: { name: 'checkout', namespace: 'shop', generation: 1, spec: world.spec },
    status: world.status,
    observed: world.observed,
    analysisRuns: [],
    experiments: [],
    now: world.now,
  };
}

/** The agent applies the decision; pods it adds are ready now only when `podsBecomeReady` (and never for a broken image). */
function applyDecision(world: World, decision: Decision, podsBecomeReady: boolean): void {
  const before = new Map(world.observed.replicaSets.map((replicaSet) => [replicaSet.podTemplateHash, replicaSet]));
  const next = converge(world.observed, decision.desired, { stuck: world.broken, nowIso: world.now.toISOString() });
  world.status = decision.status;
  world.observed = {
    ...next,
    replicaSets: next.replicaSets.map((replicaSet) => {
      if (podsBecomeReady) return replicaSet;
      const available = Math.min(before.get(replicaSet.podTemplateHash)?.availableReplicas ?? 0, replicaSet.replicas);
      return { ...replicaSet, readyReplicas: available, availableReplicas: available };
    }),
  };
}

function deployedWorld(spec: RolloutSpec): World {
  const world: World = { spec, status: undefined, observed: emptyObservation(START.toISOString()), now: START, broken: new Set() };
  for (let round = 0; round < 3; round++) applyDecision(world, reconcile(inputOf(world)), true);
  return world;
}

function act(world: World, action: Action, check: (decision: Decision, before: ObservedRolloutState) => void): void {
  switch (action.kind) {
    case 'reconcile': {
      const before = world.observed;
      const decision = reconcile(inputOf(world));
      check(decision, before);
      applyDecision(world, decision, action.podsBecomeReady);
      return;
    }
    case 'setImage': {
      const result = applyOperation(
        world.spec,
        world.status,
        world.observed,
        { type: 'setImage', container: 'app', image: `shop/checkout:${action.version}${action.broken ? '-broken' : ''}` },
        world.now,
      );
      if (!result.ok) return;
      world.spec = result.spec;
      if (action.broken) world.broken.add(reconcile(inputOf(world)).status.currentPodHash);
      return;
    }
    case 'operate': {
      const result = applyOperation(world.spec, world.status, world.observed, action.operation, world.now);
      if (!result.ok) return;
      world.spec = result.spec;
      world.status = result.status ?? world.status;
      return;
    }
    case 'tick':
      world.now = new Date(world.now.getTime() + action.seconds * 1000);
  }
}

const scenario = fc.record({ spec: specArbitrary, actions: fc.array(actionArbitrary, { minLength: 5, maxLength: 40 }) });

describe('reconcile properties over random canaries and observation sequences', () => {
  it('a basic canary never asks for more than replicas + maxSurge pods', () => {
    fc.assert(
      fc.property(scenario, ({ spec, actions }) => {
        const canary = spec.strategy.canary;
        fc.pre(canary?.trafficRouting === undefined);
        const world = deployedWorld(spec);
        const { maxSurge } = canaryFenceposts(spec, canary ?? {});
        const limit = (spec.replicas ?? 1) + maxSurge;
        for (const action of actions) {
          act(world, action, (decision) => {
            const total = decision.desired.replicaSets.reduce((sum, replicaSet) => sum + replicaSet.replicas, 0);
            expect(total).toBeLessThanOrEqual(limit);
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('once the stable is available, a basic canary keeps at least replicas − maxUnavailable pods available', () => {
    fc.assert(
      fc.property(scenario, ({ spec, actions }) => {
        const canary = spec.strategy.canary;
        fc.pre(canary?.trafficRouting === undefined);
        const world = deployedWorld(spec);
        const { maxUnavailable } = canaryFenceposts(spec, canary ?? {});
        const floor = (spec.replicas ?? 1) - maxUnavailable;
        for (const action of actions) {
          act(world, action, (decision, before) => {
            const availableBefore = new Map(
              before.replicaSets.map((replicaSet) => [replicaSet.podTemplateHash, replicaSet.availableReplicas]),
            );
            const stillAvailable = decision.desired.replicaSets.reduce(
              (sum, replicaSet) => sum + Math.min(replicaSet.replicas, availableBefore.get(replicaSet.podTemplateHash) ?? 0),
              0,
            );
            const totalBefore = [...availableBefore.values()].reduce((sum, available) => sum + available, 0);
            expect(stillAvailable).toBeGreaterThanOrEqual(Math.min(floor, totalBefore));
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('router and status weights stay within 0–100 and add up to 100', () => {
    fc.assert(
      fc.property(scenario, ({ spec, actions }) => {
        const world = deployedWorld(spec);
        for (const action of actions) {
          act(world, action, (decision) => {
            const weights = decision.status.canary.weights;
            if (weights === undefined) return;
            for (const weight of [weights.canary.weight, weights.stable.weight]) {
              expect(weight).toBeGreaterThanOrEqual(0);
              expect(weight).toBeLessThanOrEqual(100);
            }
            expect(weights.canary.weight + weights.stable.weight).toBe(100);
            expect(decision.desired.trafficRouting?.canaryWeight ?? weights.canary.weight).toBe(weights.canary.weight);
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('an abort always ends with the stable serving 100%', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 2, max: 4 }), ({ spec, actions }, version) => {
        const world = deployedWorld(spec);
        for (const action of actions) act(world, action, () => undefined);
        const stable = world.status?.stableRS as string;
        act(world, { kind: 'setImage', version: version + 10, broken: false }, () => undefined);
        act(world, { kind: 'operate', operation: { type: 'resume' } }, () => undefined);
        act(world, { kind: 'reconcile', podsBecomeReady: true }, () => undefined);
        if (world.status?.stableRS === world.status?.currentPodHash) return;
        act(world, { kind: 'operate', operation: { type: 'abort' } }, () => undefined);
        let decision = reconcile(inputOf(world));
        for (let round = 0; round < 30; round++) {
          applyDecision(world, decision, true);
          if (decision.requeueAt !== undefined && decision.requeueAt.getTime() - world.now.getTime() <= 60_000)
            world.now = decision.requeueAt;
          decision = reconcile(inputOf(world));
        }
        expect(decision.status.abort).toBe(true);
        expect(decision.status.stableRS).toBe(stable);
        const replicas = spec.replicas ?? 1;
        const stableReplicaSet = decision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === stable);
        expect(stableReplicaSet?.replicas).toBe(replicas);
        if (decision.desired.trafficRouting !== undefined) expect(decision.desired.trafficRouting.canaryWeight).toBe(0);
        else
          expect(
            decision.desired.replicaSets
              .filter((replicaSet) => replicaSet.podTemplateHash !== stable)
              .every((replicaSet) => replicaSet.replicas === 0),
          ).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('the same input always gives the same decision', () => {
    fc.assert(
      fc.property(scenario, ({ spec, actions }) => {
        const world = deployedWorld(spec);
        for (const action of actions) {
          act(world, action, (decision) => {
            const copy = structuredClone(inputOf(world));
            expect(reconcile(copy)).toEqual(decision);
            expect(reconcile(inputOf(world))).toEqual(decision);
          });
        }
      }),
      { numRuns: 100 },
    );
  });
});

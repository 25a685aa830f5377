import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FailurePolicy, FleetRolloutSpec, FleetWaveSpec } from './fleet-rollout-spec.js';
import { decideRelease } from './release-decision.js';
import type { ReleaseDecision, ReleaseOperation } from './release-types.js';
import { appTemplate, FleetSimulation } from './testing/fleet-simulation.js';
import { membersAtOnce, type FleetCluster } from './wave-plan.js';

const CLUSTERS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
const ENVS = ['staging', 'eu', 'us'];

type Action =
  | { kind: 'step' }
  | { kind: 'tick'; seconds: number }
  | { kind: 'degrade' | 'abort' | 'undo' | 'disconnect' | 'reconnect' | 'pause-at-step'; cluster: string }
  | { kind: 'operate'; operation: ReleaseOperation };

const waveArbitrary = (env: string): fc.Arbitrary<FleetWaveSpec> =>
  fc
    .record({
      maxParallel: fc.option(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom('25%' as const, '50%' as const)), { nil: undefined }),
      soakSeconds: fc.constantFrom(0, 20),
      approval: fc.constantFrom('automatic' as const, 'manual' as const),
      allowMissing: fc.boolean(),
    })
    .map((wave) => ({ name: env, clusterSelector: { matchLabels: { env } }, ...wave }));

const scenarioArbitrary = fc.record({
  waves: fc.tuple(waveArbitrary('staging'), waveArbitrary('eu'), waveArbitrary('us')),
  failurePolicy: fc.constantFrom<FailurePolicy>('halt', 'rollbackWave', 'rollbackAll'),
  envs: fc.array(fc.constantFrom(...ENVS), { minLength: CLUSTERS.length, maxLength: CLUSTERS.length }),
  missing: fc.array(fc.boolean(), { minLength: CLUSTERS.length, maxLength: CLUSTERS.length }),
  actions: fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<Action>({ kind: 'step' }) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 700 }).map((seconds): Action => ({ kind: 'tick', seconds })) },
      {
        weight: 2,
        arbitrary: fc
          .record({
            kind: fc.constantFrom('degrade', 'abort', 'undo', 'disconnect', 'reconnect', 'pause-at-step'),
            cluster: fc.constantFrom(...CLUSTERS),
          })
          .map((action) => action as Action),
      },
      {
        weight: 2,
        arbitrary: fc
          .oneof(
            fc.constantFrom<ReleaseOperation>(
              { type: 'pause' },
              { type: 'resume' },
              { type: 'retry' },
              { type: 'promoteWave' },
              { type: 'approveWave', wave: null, by: 'ada', reason: null },
              { type: 'abort', rollback: true },
            ),
            fc.constantFrom(...CLUSTERS).map((cluster): ReleaseOperation => ({ type: 'skipMember', cluster })),
            fc.constantFrom(...CLUSTERS).map((cluster): ReleaseOperation => ({ type: 'retryMember', cluster })),
          )
          .map((operation): Action => ({ kind: 'operate', operation })),
      },
    ),
    { minLength: 10, maxLength: 80 },
  ),
});

type Scenario = typeof scenarioArbitrary extends fc.Arbitrary<infer T> ? T : never;

function simulationOf(scenario: Scenario): FleetSimulation {
  const spec: FleetRolloutSpec = {
    rollout: { namespace: 'shop', name: 'checkout' },
    waves: [...scenario.waves],
    failurePolicy: scenario.failurePolicy,
  };
  const clusters: FleetCluster[] = CLUSTERS.map((name, index) => ({ name, labels: { env: scenario.envs[index] ?? 'us' } }));
  const templates = Object.fromEntries(
    CLUSTERS.map((name, index) => [name, scenario.missing[index] && index % 3 === 0 ? null : appTemplate('shop/app:1')]),
  );
  return new FleetSimulation({ spec, change: { type: 'image', container: 'app', image: 'shop/app:2' }, clusters, templates });
}

/** Plays the actions; `check` sees every decision, of a step or of an operation. */
function play(simulation: FleetSimulation, actions: readonly Action[], check: (decision: ReleaseDecision) => void): void {
  for (const action of actions) {
    switch (action.kind) {
      case 'step':
        check(simulation.step());
        break;
      case 'tick':
        simulation.advanceSeconds(action.seconds);
        break;
      case 'operate': {
        const result = simulation.operate(action.operation);
        if (result.ok) check(result.decision);
        break;
      }
      case 'degrade': {
        const rollout = simulation.rollout(action.cluster);
        if (rollout) simulation.rollouts.set(action.cluster, { ...rollout, phase: 'Degraded', reconciled: true, stepsLeft: 0 });
        break;
      }
      case 'abort':
        simulation.abortMember(action.cluster);
        break;
      case 'undo':
        simulation.setTemplateOutside(action.cluster, appTemplate('shop/app:1'));
        break;
      case 'disconnect':
        if (!simulation.disconnectedSince.has(action.cluster)) simulation.disconnectedSince.set(action.cluster, simulation.now);
        break;
      case 'reconnect':
        simulation.disconnectedSince.delete(action.cluster);
        break;
      case 'pause-at-step':
        simulation.pausingClusters.add(action.cluster);
    }
  }
}

describe('fleet release properties over random fleets, failures and operations', () => {
  it('a wave never starts before the previous one passed its gates', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const simulation = simulationOf(scenario);
        play(simulation, scenario.actions, (decision) => {
          for (const event of decision.events) {
            if (event.type !== 'WaveStarted') continue;
            const index = decision.status.waves.findIndex((wave) => wave.name === event.wave);
            const previous = decision.status.waves[index - 1];
            if (previous === undefined) continue;
            expect(previous.finishedAt).not.toBeNull();
            expect(previous.gates.every((gate) => gate.state === 'Passed')).toBe(true);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('never has more than membersAtOnce members of a wave Changing at once', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const simulation = simulationOf(scenario);
        play(simulation, scenario.actions, (decision) => {
          decision.status.waves.forEach((wave, index) => {
            const changing = wave.members.filter((member) => member.state === 'Changing').length;
            expect(changing).toBeLessThanOrEqual(membersAtOnce(scenario.waves[index]?.maxParallel, wave.members.length));
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a Halted release changes nothing', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const simulation = simulationOf(scenario);
        play(simulation, scenario.actions, () => undefined);
        if (simulation.status.phase !== 'Halted') return;
        simulation.advanceSeconds(3600);
        const input = simulation.input();
        expect(decideRelease(input)).toEqual({
          status: input.status,
          memberChanges: [],
          memberOperations: [],
          events: [],
          analysisRunsToStart: [],
          wakeAt: null,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('the same input always gives the same decision', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const simulation = simulationOf(scenario);
        play(simulation, scenario.actions, () => {
          const input = simulation.input();
          expect(decideRelease(structuredClone(input))).toEqual(decideRelease(input));
        });
      }),
      { numRuns: 100 },
    );
  });

  it('changes a member for the release at most once, unless it was retried', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const simulation = simulationOf(scenario);
        play(simulation, scenario.actions, () => undefined);
        for (const cluster of CLUSTERS) {
          const changes = simulation.decisions
            .flatMap((decision) => decision.memberChanges)
            .filter((change) => change.cluster === cluster && change.purpose === 'release');
          const retries = simulation.events.filter((event) => event.type === 'MemberRetried' && event.cluster === cluster);
          expect(changes.length).toBeLessThanOrEqual(1 + retries.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});

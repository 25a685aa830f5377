import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, type ObservedRolloutState } from '../../libs/protocol/src/index.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { experimentColumns } from '../../libs/stores/src/experiments/experiment-columns.js';
import { ExperimentStore } from '../../libs/stores/src/experiments/experiment-store.js';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import { rolloutColumns } from '../../libs/stores/src/rollouts/rollout-columns.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { fuzzSeed } from '../support/fuzz-seed.js';
import { observedReplicaSet } from '../support/observed-state.js';
import { storesForThisFile } from '../support/stores-for-file.js';

const { database, audit } = await storesForThisFile(`test-observed-column-${process.pid}`, createLogger('test', 'warn'));

/** Mostly well formed, sometimes anything. */
const mostly = <T>(wellFormed: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: wellFormed, weight: 4 }, fc.anything());

/** An observed state as an agent, of any release or none, might send it: each key present or not, well formed or not. */
const observedState = fc.record(
  {
    replicaSets: fc.array(fc.constant(observedReplicaSet()), { maxLength: 2 }),
    serviceSelectors: mostly(
      fc.dictionary(fc.constantFrom('web', 'web-canary'), fc.option(fc.string({ maxLength: 8 }), { nil: undefined })),
    ),
    trafficWeights: mostly(fc.dictionary(fc.constantFrom('nginx', 'istio'), fc.nat(100))),
    observedAt: mostly(fc.date({ noInvalidDate: true }).map((date) => date.toISOString())),
  },
  { requiredKeys: [] },
);

/** The state of an `observed` message the protocol accepts, or undefined when it refuses the message. */
function acceptedState(state: object, kind: 'Experiment' | undefined): ObservedRolloutState | undefined {
  try {
    const message = decodeAgentMessage(
      JSON.stringify({ type: 'observed', rollout: { namespace: 'a', name: 'web', kind }, desiredVersion: 1, state }),
    );
    return message.type === 'observed' ? message.state : undefined;
  } catch {
    return undefined;
  }
}

describe('an observed state the agent protocol accepts', () => {
  it.each([
    ['Rollout.observed', undefined, rolloutColumns.observed],
    ['Experiment.observed', 'Experiment' as const, experimentColumns.observed],
  ])('is read back from %s as it was stored, by the full check and by the hot path', (_column, kind, column) => {
    let acceptedStates = 0;
    fc.assert(
      fc.property(observedState, (state) => {
        const accepted = acceptedState(state, kind);
        if (accepted === undefined) return;
        acceptedStates += 1;
        const stored = JSON.parse(JSON.stringify(column.encode(accepted))) as Prisma.JsonValue;
        expect(column.validate(stored)).toEqual(stored);
        expect(column.decode(stored)).toEqual(stored);
      }),
      { numRuns: 300, seed: fuzzSeed(20261205) },
    );
    expect(acceptedStates).toBeGreaterThan(10);
  });
});

describe('a standalone experiment whose stored observation cannot be read', () => {
  it("takes the agent's next observation in its place", async () => {
    // Given a standalone experiment whose stored observation lacks keys every observation has
    const label = `observed-column-${process.pid}`;
    const organization = await database.organization.create({ data: { name: label } });
    const cluster = await database.cluster.create({ data: { organizationId: organization.id, name: 'staging', agentTokenHash: label } });
    const key = { clusterId: cluster.id, namespace: 'a', name: 'web' };
    const { id } = await database.experiment.create({
      data: { organizationId: organization.id, ...key, spec: { templates: [] } },
    });
    await database.$executeRaw`UPDATE "Experiment" SET observed = '{"replicaSets":[]}'::jsonb WHERE id = ${id}::uuid`;
    const experiments = new ExperimentStore(database, audit);
    const gateway = systemScope('agent-gateway');

    // When the gateway reads it to compare the agent's next report with it, and stores that report
    const stored = await experiments.observedOf(gateway, key);
    const next: ObservedRolloutState = {
      replicaSets: [],
      serviceSelectors: {},
      trafficWeights: {},
      observedAt: '2026-12-05T10:00:00.000Z',
    };
    await experiments.recordObserved(gateway, id, next);

    // Then it reads as none, and the experiment is readable again with the new one
    expect(stored).toMatchObject({ id, observed: null });
    expect((await experiments.findById(gateway, id))?.observed).toEqual(next);
  });
});

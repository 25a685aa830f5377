import { describe, expect, it } from 'vitest';
import type { FleetRolloutSpec } from './fleet-rollout-spec.js';
import { startRelease, supersedeRelease } from './release-start.js';
import type { ReleaseStatus } from './release-types.js';
import { appTemplate, START } from './testing/fleet-simulation.js';

const spec: FleetRolloutSpec = {
  rollout: { namespace: 'shop', name: 'checkout' },
  clusterSelector: { matchLabels: { tier: 'web' } },
  waves: [
    { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } },
    { name: 'production', clusterSelector: { matchLabels: { env: 'prod' } }, approval: 'manual' },
  ],
};
const clusters = [
  { name: 'prod-us', labels: { tier: 'web', env: 'prod' } },
  { name: 'stg', labels: { tier: 'web', env: 'staging' } },
  { name: 'prod-eu', labels: { tier: 'web', env: 'prod' } },
  { name: 'lab', labels: { tier: 'web', env: 'lab' } },
  { name: 'batch', labels: { tier: 'batch', env: 'prod' } },
];

describe('startRelease', () => {
  it('plans the waves, starts the first one and leaves every member Pending', () => {
    const { status, events } = startRelease({ spec, clusters, now: START });
    expect(status).toMatchObject({
      phase: 'Progressing',
      currentWave: 0,
      unassigned: ['lab'],
      pausedFrom: null,
      startedAt: START.toISOString(),
      finishedAt: null,
    });
    expect(status.waves.map((wave) => [wave.name, wave.phase, wave.startedAt, wave.members.map((member) => member.cluster)])).toEqual([
      ['staging', 'Progressing', START.toISOString(), ['stg']],
      ['production', 'Pending', null, ['prod-eu', 'prod-us']],
    ]);
    expect(status.waves[1]?.gates.map((gate) => [gate.gate, gate.state])).toEqual([
      ['healthy', 'Pending'],
      ['soak', 'Pending'],
      ['approval', 'Pending'],
    ]);
    expect(status.waves[0]?.members[0]).toMatchObject({
      state: 'Pending',
      changedAt: null,
      targetHash: null,
      previousTemplate: null,
      previousHash: null,
    });
    expect(events.map((event) => event.type)).toEqual(['ReleaseStarted', 'WaveStarted']);
    expect(events[1]?.message).toBe('wave 1/2 staging started');
  });

  it("carries over what a superseded release's members had before the chain changed them", () => {
    const superseded: ReleaseStatus = startRelease({ spec, clusters, now: START }).status;
    const changed = {
      ...superseded.waves[0]!.members[0]!,
      state: 'Released' as const,
      previousTemplate: appTemplate('shop/app:1'),
      previousHash: 'h1',
    };
    const older = { ...superseded, waves: superseded.waves.with(0, { ...superseded.waves[0]!, members: [changed] }) };
    const { status, events } = startRelease({ spec, clusters, now: START, superseded: older });
    expect(status.waves[0]?.members[0]).toMatchObject({
      cluster: 'stg',
      state: 'Pending',
      previousTemplate: appTemplate('shop/app:1'),
      previousHash: 'h1',
    });
    expect(status.waves[1]?.members.every((member) => member.previousTemplate === null)).toBe(true);
    expect(events[0]?.message).toBe('release started over 3 clusters in 2 waves, superseding the active release');
  });
});

describe('supersedeRelease', () => {
  it('ends an active release as Superseded', () => {
    const { status } = startRelease({ spec, clusters, now: START });
    const later = new Date(START.getTime() + 60_000);
    const superseded = supersedeRelease(status, later);
    expect(superseded.status).toMatchObject({ phase: 'Superseded', finishedAt: later.toISOString(), pausedFrom: null });
    expect(superseded.events).toEqual([
      { type: 'ReleaseSuperseded', message: 'superseded by a newer release of the fleet (it was Progressing in wave 1/2 staging)' },
    ]);
  });

  it('leaves a finished release as it is', () => {
    const { status } = startRelease({ spec, clusters, now: START });
    const succeeded: ReleaseStatus = { ...status, phase: 'Succeeded' };
    expect(supersedeRelease(succeeded, START)).toEqual({ status: succeeded, events: [] });
  });
});

import { describe, expect, it } from 'vitest';
import type { FleetRolloutSpec } from './fleet-rollout-spec.js';
import { applyReleaseOperation } from './release-operations.js';
import type { ReleaseOperation, ReleaseOperationRefusalCode, ReleasePhase } from './release-types.js';
import { FleetSimulation } from './testing/fleet-simulation.js';

const spec: FleetRolloutSpec = {
  rollout: { namespace: 'shop', name: 'checkout' },
  waves: [
    { name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' },
    { name: 'production', maxParallel: 1 },
  ],
};
const clusters = [
  { name: 'stg', labels: { env: 'staging' } },
  { name: 'prod-eu', labels: { env: 'prod' } },
  { name: 'prod-us', labels: { env: 'prod' } },
];

/** A release whose first wave has just changed its member. */
const started = (): FleetSimulation => {
  const simulation = new FleetSimulation({ spec, change: { type: 'image', container: 'app', image: 'shop/app:2' }, clusters });
  simulation.step();
  return simulation;
};
/** The first wave released and waiting for its approval. */
const awaitingApproval = (): FleetSimulation => {
  const simulation = started();
  simulation.run(5);
  return simulation;
};
/** Halted: the staging member aborted. */
const halted = (): FleetSimulation => {
  const simulation = started();
  simulation.abortMember('stg');
  simulation.step();
  return simulation;
};
const inPhase =
  (phase: ReleasePhase): (() => FleetSimulation) =>
  () => {
    const simulation = started();
    simulation.status = { ...simulation.status, phase };
    return simulation;
  };
const paused = (): FleetSimulation => {
  const simulation = started();
  simulation.operate({ type: 'pause' });
  return simulation;
};

describe('applyReleaseOperation: refusals', () => {
  it.each<[string, () => FleetSimulation, ReleaseOperation, ReleaseOperationRefusalCode, string]>([
    [
      'any operation of a finished release',
      inPhase('Succeeded'),
      { type: 'pause' },
      'fleet/release_finished',
      'the release is Succeeded: it takes no more operations',
    ],
    [
      'an abort of a rolled back release',
      inPhase('RolledBack'),
      { type: 'abort', rollback: true },
      'fleet/release_finished',
      'the release is RolledBack: it takes no more operations',
    ],
    ['pause twice', paused, { type: 'pause' }, 'fleet/already_paused', 'the release is already paused'],
    ['resume of a running release', started, { type: 'resume' }, 'fleet/not_paused', 'the release is Progressing, not paused'],
    [
      'retry of a running release',
      started,
      { type: 'retry' },
      'fleet/not_halted',
      'only a Halted release can be retried; this one is Progressing',
    ],
    [
      'approval of an unknown wave',
      awaitingApproval,
      { type: 'approveWave', wave: 'canary', by: 'ada', reason: null },
      'fleet/unknown_wave',
      'the release has no wave named "canary"',
    ],
    [
      'approval of a wave not under way',
      awaitingApproval,
      { type: 'approveWave', wave: 'production', by: 'ada', reason: null },
      'fleet/no_approval_pending',
      'wave "production" is not the wave under way (staging)',
    ],
    [
      'approval of a wave twice',
      () => {
        const simulation = started();
        simulation.operate({ type: 'approveWave', wave: null, by: 'ada', reason: null });
        return simulation;
      },
      { type: 'approveWave', wave: null, by: 'bob', reason: null },
      'fleet/no_approval_pending',
      'wave "staging" was already approved by ada',
    ],
    [
      'approval of a wave with an automatic approval',
      () => {
        const simulation = awaitingApproval();
        simulation.operate({ type: 'approveWave', wave: null, by: 'ada', reason: null });
        return simulation;
      },
      { type: 'approveWave', wave: null, by: 'ada', reason: null },
      'fleet/no_approval_pending',
      'wave "production" has an automatic approval',
    ],
    [
      'approval of a halted wave',
      halted,
      { type: 'approveWave', wave: null, by: 'ada', reason: null },
      'fleet/no_approval_pending',
      'no wave of the release is under way',
    ],
    [
      'promote with no member at a pause',
      started,
      { type: 'promoteWave' },
      'fleet/nothing_to_promote',
      'no changing member of the wave under way waits at a pause',
    ],
    [
      'skip of an unknown cluster',
      started,
      { type: 'skipMember', cluster: 'lab' },
      'fleet/unknown_member',
      'no member of the release runs in cluster "lab"',
    ],
    [
      'skip of a released member',
      awaitingApproval,
      { type: 'skipMember', cluster: 'stg' },
      'fleet/member_finished',
      'stg is already Released',
    ],
    [
      'retry of a member that did not fail',
      started,
      { type: 'retryMember', cluster: 'stg' },
      'fleet/member_not_failed',
      'stg is Changing, not Failed',
    ],
    [
      'retry of an unknown member',
      started,
      { type: 'retryMember', cluster: 'lab' },
      'fleet/unknown_member',
      'no member of the release runs in cluster "lab"',
    ],
  ])('refuses %s', (_case, build, operation, code, message) => {
    const simulation = build();
    const before = simulation.status;
    expect(applyReleaseOperation(simulation.input(), operation)).toEqual({ ok: false, refusal: { code, message } });
    expect(simulation.status).toBe(before);
  });
});

describe('applyReleaseOperation', () => {
  it('pauses a Halted release and resumes it to Halted', () => {
    const simulation = halted();
    const pausedResult = simulation.operate({ type: 'pause' });
    expect(pausedResult.ok && pausedResult.decision.events.map((event) => event.type)).toEqual(['ReleasePaused']);
    expect(simulation.status).toMatchObject({ phase: 'Paused', pausedFrom: 'Halted' });
    simulation.operate({ type: 'resume' });
    expect(simulation.status).toMatchObject({ phase: 'Halted', pausedFrom: null });
  });

  it('records an approval given before the soak is over, and passes the wave once it is', () => {
    const simulation = started();
    const approved = simulation.operate({ type: 'approveWave', wave: 'staging', by: 'ada', reason: 'early' });
    expect(approved.ok && approved.decision.memberChanges).toEqual([]);
    expect(simulation.status.waves[0]?.approval).toEqual({ by: 'ada', at: simulation.now.toISOString(), reason: 'early' });
    expect(simulation.status.waves[0]?.gates.find((gate) => gate.gate === 'approval')).toMatchObject({
      state: 'Pending',
      message: 'approved early by ada',
    });
    simulation.run(5);
    expect(simulation.status.currentWave).toBe(1);
  });

  it('skips a member of a later wave before its turn', () => {
    const simulation = awaitingApproval();
    expect(simulation.operate({ type: 'skipMember', cluster: 'prod-eu' }).ok).toBe(true);
    expect(simulation.memberState('prod-eu')).toBe('Skipped');
    const approved = simulation.operate({ type: 'approveWave', wave: null, by: 'ada', reason: null });
    expect(approved.ok && approved.decision.memberChanges.map((change) => change.cluster)).toEqual(['prod-us']);
  });

  it('retryMember of a failed member leaves the release Halted while another member of the wave failed', () => {
    const twoMembers: FleetRolloutSpec = { ...spec, waves: [{ name: 'all' }] };
    const simulation = new FleetSimulation({
      spec: twoMembers,
      change: { type: 'image', container: 'app', image: 'shop/app:2' },
      clusters,
    });
    simulation.step();
    simulation.abortMember('prod-eu');
    simulation.step();
    expect(simulation.status.phase).toBe('Halted');
    simulation.status = {
      ...simulation.status,
      waves: [
        {
          ...simulation.status.waves[0]!,
          members: simulation.status.waves[0]!.members.map((member) => ({ ...member, state: 'Failed' as const })),
        },
      ],
    };
    const retried = simulation.operate({ type: 'retryMember', cluster: 'prod-us' });
    expect(retried.ok && retried.decision.events.map((event) => event.type)).toEqual(['MemberRetried']);
    expect(simulation.status.phase).toBe('Halted');
    expect(simulation.memberState('prod-us')).toBe('Pending');
  });

  it('gives the same result for the same input', () => {
    const simulation = halted();
    const input = simulation.input();
    expect(applyReleaseOperation(structuredClone(input), { type: 'retry' })).toEqual(applyReleaseOperation(input, { type: 'retry' }));
  });
});

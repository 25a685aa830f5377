import { podTemplateHash } from '@flotilla/rollout-engine';
import { describe, expect, it } from 'vitest';
import type { FleetWaveSpec } from './fleet-rollout-spec.js';
import { decideRelease } from './release-decision.js';
import { startRelease } from './release-start.js';
import type { GateState, MemberObservation, MemberStatus, ReleaseInput, ReleasePhase, ReleaseStatus, WaveStatus } from './release-types.js';
import { appTemplate, START } from './testing/fleet-simulation.js';

const before = appTemplate('shop/app:1');
const target = appTemplate('shop/app:2');
const targetHash = podTemplateHash(target);
const later = (seconds: number): Date => new Date(START.getTime() + seconds * 1000);

const released: MemberObservation = {
  present: true,
  template: target,
  templateHash: targetHash,
  phase: 'Healthy',
  reconciled: true,
  fullyPromoted: true,
  aborted: false,
  waitsAtPause: false,
  disconnectedSince: null,
  frozen: null,
};
const underWay: MemberObservation = { ...released, phase: 'Progressing', fullyPromoted: false };

/** One wave of `eu` and `us`, both changed at START. */
function oneWave(wave: Partial<FleetWaveSpec>, record: Partial<WaveStatus> = {}, members: Partial<MemberStatus> = {}): ReleaseInput {
  const spec = { rollout: { namespace: 'shop', name: 'checkout' }, waves: [{ name: 'all', ...wave }] };
  const { status } = startRelease({
    spec,
    clusters: [
      { name: 'eu', labels: {} },
      { name: 'us', labels: {} },
    ],
    now: START,
  });
  const changed = (member: MemberStatus): MemberStatus => ({
    ...member,
    state: 'Changing',
    changedAt: START.toISOString(),
    targetHash,
    previousTemplate: before,
    previousHash: podTemplateHash(before),
    ...members,
  });
  const first = status.waves[0] as WaveStatus;
  return {
    spec,
    change: { type: 'image', container: 'app', image: 'shop/app:2' },
    status: { ...status, waves: [{ ...first, ...record, members: first.members.map(changed) }] },
    members: { eu: released, us: released },
    now: START,
  };
}

const gateStates = (status: ReleaseStatus): Array<[string, GateState]> =>
  (status.waves[0]?.gates ?? []).map((gate) => [gate.gate, gate.state]);

describe('decideRelease: the gates of a wave', () => {
  it.each<[string, ReleaseInput, Array<[string, GateState]>, Date | null, ReleasePhase]>([
    [
      'a member still under way',
      { ...oneWave({ soakSeconds: 60 }), members: { eu: released, us: underWay } },
      [
        ['healthy', 'Waiting'],
        ['soak', 'Pending'],
      ],
      null,
      'Progressing',
    ],
    [
      'every member released: the soak starts',
      oneWave({ soakSeconds: 60 }),
      [
        ['healthy', 'Passed'],
        ['soak', 'Waiting'],
      ],
      later(60),
      'Progressing',
    ],
    [
      'the soak under way',
      { ...oneWave({ soakSeconds: 60 }, { healthySince: START.toISOString() }), now: later(59) },
      [
        ['healthy', 'Passed'],
        ['soak', 'Waiting'],
      ],
      later(60),
      'Progressing',
    ],
    [
      'the soak over',
      { ...oneWave({ soakSeconds: 60 }, { healthySince: START.toISOString() }), now: later(60) },
      [
        ['healthy', 'Passed'],
        ['soak', 'Passed'],
      ],
      null,
      'Succeeded',
    ],
    [
      'the soak over, waiting for a manual approval',
      { ...oneWave({ approval: 'manual' }, { healthySince: START.toISOString() }), now: later(1) },
      [
        ['healthy', 'Passed'],
        ['soak', 'Passed'],
        ['approval', 'Waiting'],
      ],
      null,
      'Progressing',
    ],
    [
      'the soak over and approved',
      oneWave({ approval: 'manual' }, { approval: { by: 'ada', at: START.toISOString(), reason: null } }),
      [
        ['healthy', 'Passed'],
        ['soak', 'Passed'],
        ['approval', 'Passed'],
      ],
      null,
      'Succeeded',
    ],
    [
      'a member disconnected: waits until its deadline',
      { ...oneWave({}), members: { eu: released, us: { ...released, disconnectedSince: later(-100) } } },
      [
        ['healthy', 'Waiting'],
        ['soak', 'Pending'],
      ],
      later(500),
      'Progressing',
    ],
    [
      'a member disconnected past the wave timeout',
      { ...oneWave({ disconnectedTimeoutSeconds: 60 }), members: { eu: released, us: { ...released, disconnectedSince: later(-60) } } },
      [
        ['healthy', 'Failed'],
        ['soak', 'Pending'],
      ],
      null,
      'Halted',
    ],
    [
      'a member Degraded',
      { ...oneWave({}), members: { eu: { ...underWay, phase: 'Degraded' }, us: released } },
      [
        ['healthy', 'Failed'],
        ['soak', 'Pending'],
      ],
      null,
      'Halted',
    ],
  ])('%s', (_case, input, gates, wakeAt, phase) => {
    const decision = decideRelease(input);
    expect(gateStates(decision.status)).toEqual(gates);
    expect(decision.wakeAt).toEqual(wakeAt);
    expect(decision.status.phase).toBe(phase);
  });

  it("keeps a gate's since while its state holds, and records the soak end as its until", () => {
    const first = decideRelease({ ...oneWave({ soakSeconds: 60 }), now: later(5) });
    const soak = first.status.waves[0]?.gates[1];
    expect(soak).toMatchObject({
      state: 'Waiting',
      since: later(5).toISOString(),
      until: later(65).toISOString(),
      message: `soaking until ${later(65).toISOString()}`,
    });
    const second = decideRelease({ ...oneWave({ soakSeconds: 60 }), status: first.status, now: later(30) });
    expect(second.status.waves[0]?.gates[1]).toEqual(soak);
    expect(second.events).toEqual([]);
  });

  it('a member Released leaving Healthy stays Released, and the soak starts again once it is back', () => {
    const soaking = decideRelease(oneWave({ soakSeconds: 60 }));
    expect(soaking.status.waves[0]?.members.map((member) => member.state)).toEqual(['Released', 'Released']);
    const broken = decideRelease({
      ...oneWave({ soakSeconds: 60 }),
      status: soaking.status,
      members: { eu: released, us: underWay },
      now: later(30),
    });
    expect(broken.status.waves[0]?.members.map((member) => member.state)).toEqual(['Released', 'Released']);
    expect(broken.status.waves[0]?.members[1]?.message).toBe(
      "was Healthy and fully promoted on the release's template; no longer Healthy and fully promoted: the soak waits for it",
    );
    expect(broken.status.waves[0]?.healthySince).toBeNull();
    expect(gateStates(broken.status)).toEqual([
      ['healthy', 'Waiting'],
      ['soak', 'Pending'],
    ]);
    const back = decideRelease({ ...oneWave({ soakSeconds: 60 }), status: broken.status, now: later(40) });
    expect(back.status.waves[0]?.members[1]?.message).toBe("Healthy and fully promoted on the release's template");
    expect(back.wakeAt).toEqual(later(100));
  });
});

describe('decideRelease: releases that change nothing', () => {
  it.each<ReleasePhase>(['Halted', 'Succeeded', 'Aborted', 'RolledBack', 'Superseded'])('%s', (phase) => {
    const input = oneWave({});
    const status = { ...input.status, phase };
    expect(decideRelease({ ...input, status, members: { eu: { ...released, phase: 'Degraded' } } })).toEqual({
      status,
      memberChanges: [],
      memberOperations: [],
      events: [],
      analysisRunsToStart: [],
      wakeAt: null,
    });
  });

  it('a release paused from Halted changes nothing either', () => {
    const input = oneWave({});
    const status: ReleaseStatus = { ...input.status, phase: 'Paused', pausedFrom: 'Halted' };
    expect(decideRelease({ ...input, status }).status).toBe(status);
  });
});

describe('decideRelease: members', () => {
  it('a member Failed while paused fails the wave and applies the policy', () => {
    const input = oneWave({});
    const status: ReleaseStatus = { ...input.status, phase: 'Paused', pausedFrom: 'Progressing' };
    const decision = decideRelease({ ...input, status, members: { eu: { ...released, aborted: true }, us: released } });
    expect(decision.status).toMatchObject({
      phase: 'Halted',
      pausedFrom: null,
      message: 'halted: wave 1/1 all failed: eu: its rollout was aborted',
    });
  });

  it('sets a member changed again by the release back on its first previous template', () => {
    const input = oneWave({}, {}, { state: 'Pending', previousTemplate: before, previousHash: podTemplateHash(before) });
    const onOther = { ...released, template: appTemplate('shop/app:7'), templateHash: podTemplateHash(appTemplate('shop/app:7')) };
    const decision = decideRelease({ ...input, members: { eu: onOther, us: onOther } });
    expect(decision.memberChanges.map((change) => [change.cluster, change.template])).toEqual([
      ['eu', target],
      ['us', target],
    ]);
    expect(decision.status.waves[0]?.members.map((member) => member.previousTemplate)).toEqual([before, before]);
  });

  it('promotes a member rolling back fully, once, as soon as it runs its previous template: a rollback waits at no pause', () => {
    const input = oneWave({ soakSeconds: 10 }, { phase: 'RollingBack' }, { state: 'RollingBack' });
    const rollingBack: ReleaseInput = { ...input, status: { ...input.status, phase: 'RollingBack' } };
    const backAtPause: MemberObservation = {
      ...underWay,
      phase: 'Paused',
      template: before,
      templateHash: podTemplateHash(before),
      waitsAtPause: true,
    };
    const first = decideRelease({ ...rollingBack, members: { eu: backAtPause, us: { ...underWay, reconciled: false } } });
    expect(first.memberOperations).toEqual([{ cluster: 'eu', operation: { type: 'promote', full: true } }]);
    expect(first.status.phase).toBe('RollingBack');

    const again = decideRelease({ ...rollingBack, status: first.status, members: { eu: backAtPause, us: backAtPause } });
    expect(again.memberOperations).toEqual([{ cluster: 'us', operation: { type: 'promote', full: true } }]);
  });

  it('does not modify its input', () => {
    const input = oneWave({ soakSeconds: 10 }, {}, { state: 'Pending' });
    const copy = structuredClone(input);
    decideRelease(input);
    expect(input).toEqual(copy);
  });
});

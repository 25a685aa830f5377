import { describe, expect, it } from 'vitest';
import { assessWave, isReleased, type MemberStanding, type WaveGateSpec, type WaveRecord } from './wave-gate.js';

const now = new Date('2026-12-04T12:00:00Z');
const secondsFrom = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);

const spec: WaveGateSpec = { soakSeconds: 600, approval: 'automatic', allowMissing: false, disconnectedTimeoutSeconds: 300 };
const fresh: WaveRecord = { healthySince: null, approvedAt: null };

const healthy: MemberStanding = {
  present: true,
  changed: true,
  onTarget: true,
  promoted: true,
  phase: 'Healthy',
  aborted: false,
  disconnectedSince: null,
};
const progressing: MemberStanding = { ...healthy, phase: 'Progressing' };
const notChangedYet: MemberStanding = { ...healthy, changed: false, onTarget: false };
const lostSince = (secondsAgo: number): MemberStanding => ({ ...healthy, disconnectedSince: secondsFrom(now, -secondsAgo) });

describe('assessWave', () => {
  it.each<[string, Record<string, MemberStanding>, Partial<WaveGateSpec>, string, string]>([
    ['a Degraded member', { eu: healthy, us: { ...healthy, phase: 'Degraded' } }, {}, 'us', 'its rollout is Degraded'],
    ['an aborted member', { eu: { ...progressing, aborted: true }, us: healthy }, {}, 'eu', 'its rollout was aborted'],
    ['a missing member', { eu: healthy, us: { present: false } }, {}, 'us', 'the cluster has no such Rollout'],
    [
      'a member changed outside the release',
      { eu: healthy, us: { ...healthy, onTarget: false } },
      {},
      'us',
      'its template was changed outside the release',
    ],
    [
      'a member not changed yet whose cluster is disconnected for the timeout',
      { eu: healthy, us: { ...notChangedYet, disconnectedSince: secondsFrom(now, -300) } },
      {},
      'us',
      'its cluster has been disconnected for more than 300 s',
    ],
    [
      'a cluster disconnected for the timeout',
      { eu: healthy, us: lostSince(300) },
      {},
      'us',
      'its cluster has been disconnected for more than 300 s',
    ],
    [
      'the first failing member by name',
      { b: { ...healthy, phase: 'Degraded' }, a: { ...healthy, aborted: true } },
      {},
      'a',
      'its rollout was aborted',
    ],
  ])('fails the wave for %s', (_case, members, overrides, member, reason) => {
    expect(assessWave({ ...spec, ...overrides }, members, fresh, now)).toEqual({
      verdict: { verdict: 'failed', member, reason },
      healthySince: null,
      wakeAt: null,
    });
  });

  it('does not hold the troubles of a rollout the release has not changed yet against the wave', () => {
    const members = { eu: healthy, us: { ...notChangedYet, phase: 'Degraded' as const, aborted: true } };
    expect(assessWave(spec, members, fresh, now).verdict).toEqual({ verdict: 'waiting', gate: 'healthy', members: ['us'] });
  });

  it.each<[string, MemberStanding, boolean]>([
    ['changed, on target, promoted and Healthy', healthy, true],
    ['not changed yet', notChangedYet, false],
    ['not fully promoted', { ...healthy, promoted: false }, false],
    ['Paused at a step', { ...healthy, phase: 'Paused' }, false],
    ['on a disconnected cluster', lostSince(1), false],
    ['missing', { present: false }, false],
  ])('a member %s is released: %s', (_case, member, expected) => {
    expect(isReleased(member)).toBe(expected);
  });

  it('passes over a missing member when the wave allows it', () => {
    const assessment = assessWave({ ...spec, allowMissing: true, soakSeconds: 0 }, { eu: healthy, us: { present: false } }, fresh, now);
    expect(assessment.verdict).toEqual({ verdict: 'passed' });
  });

  it('waits for every member to be released, naming those it waits for', () => {
    const notPromoted: MemberStanding = { ...healthy, promoted: false };
    expect(assessWave(spec, { d: healthy, c: notPromoted, b: notChangedYet, a: progressing }, fresh, now)).toEqual({
      verdict: { verdict: 'waiting', gate: 'healthy', members: ['a', 'b', 'c'] },
      healthySince: null,
      wakeAt: null,
    });
  });

  it('waits for a disconnected member until its timeout, and wakes up then to fail the wave', () => {
    expect(assessWave(spec, { eu: healthy, us: lostSince(100), ap: lostSince(250) }, fresh, now)).toEqual({
      verdict: { verdict: 'waiting', gate: 'healthy', members: ['ap', 'us'] },
      healthySince: null,
      wakeAt: secondsFrom(now, 50),
    });
  });

  it('starts the soak when the last member becomes Healthy, and keeps its start', () => {
    const started = assessWave(spec, { eu: healthy, us: healthy }, fresh, now);
    expect(started).toEqual({
      verdict: { verdict: 'waiting', gate: 'soak', until: secondsFrom(now, 600) },
      healthySince: now,
      wakeAt: secondsFrom(now, 600),
    });
    const later = secondsFrom(now, 400);
    expect(assessWave(spec, { eu: healthy, us: healthy }, { healthySince: now, approvedAt: null }, later).verdict).toEqual({
      verdict: 'waiting',
      gate: 'soak',
      until: secondsFrom(now, 600),
    });
  });

  it('starts the soak again after a member left Healthy', () => {
    const duringSoak: WaveRecord = { healthySince: now, approvedAt: null };
    const broken = assessWave(spec, { eu: healthy, us: progressing }, duringSoak, secondsFrom(now, 300));
    expect(broken.healthySince).toBeNull();
    const again = assessWave(
      spec,
      { eu: healthy, us: healthy },
      { healthySince: broken.healthySince, approvedAt: null },
      secondsFrom(now, 320),
    );
    expect(again.verdict).toEqual({ verdict: 'waiting', gate: 'soak', until: secondsFrom(now, 920) });
  });

  it('passes once the soak is over, with an automatic approval', () => {
    expect(assessWave(spec, { eu: healthy }, { healthySince: now, approvedAt: null }, secondsFrom(now, 600))).toEqual({
      verdict: { verdict: 'passed' },
      healthySince: now,
      wakeAt: null,
    });
  });

  it('waits for a manual approval after the soak, and passes once approved', () => {
    const manual = { ...spec, approval: 'manual' as const };
    const soaked = secondsFrom(now, 601);
    expect(assessWave(manual, { eu: healthy }, { healthySince: now, approvedAt: null }, soaked).verdict).toEqual({
      verdict: 'waiting',
      gate: 'approval',
    });
    expect(assessWave(manual, { eu: healthy }, { healthySince: now, approvedAt: soaked }, soaked).verdict).toEqual({ verdict: 'passed' });
  });

  it('gives the same assessment for the same input', () => {
    const members = { eu: healthy, us: lostSince(10), ap: progressing };
    expect(assessWave(spec, members, fresh, now)).toEqual(assessWave(spec, { ...members }, { ...fresh }, new Date(now)));
  });
});

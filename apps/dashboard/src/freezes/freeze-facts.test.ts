import { describe, expect, it } from 'vitest';
import type { FleetMember, FleetRelease, FreezePeriod } from '../api/documents.js';
import { pathOf } from '../routing/routes.js';
import { freezeOutlook, frozenMembers, overrideActions } from './freeze-facts.js';

const period = (window: string, start: string, end: string): FreezePeriod => ({
  window,
  reason: `${window} reason`,
  policy: 'finish',
  start,
  end,
});
const weekend = period('weekend', '2026-12-04T15:00:00Z', '2026-12-07T07:00:00Z');
const launch = period('launch', '2026-12-05T00:00:00Z', '2026-12-05T18:00:00Z');

function member(cluster: string, freeze: FreezePeriod | null, present = true): FleetMember {
  return {
    cluster,
    state: 'Pending',
    message: '',
    changedAt: null,
    rollout: present
      ? {
          cluster,
          namespace: 'shop',
          name: 'checkout',
          phase: 'Healthy',
          message: '',
          strategy: 'Canary',
          progress: { currentStep: null, weights: null, pause: { specPaused: false, conditions: [] }, abort: { aborted: false } },
          freeze,
        }
      : null,
  };
}

const release = (...waves: FleetMember[][]): Pick<FleetRelease, 'waves'> => ({
  waves: waves.map((members, index) => ({
    name: `wave-${index}`,
    phase: 'Pending',
    startedAt: null,
    finishedAt: null,
    healthySince: null,
    approvedBy: null,
    approvedAt: null,
    approvalReason: null,
    gates: [],
    members,
  })),
});

describe('frozenMembers', () => {
  it('groups the frozen members by window, the one ending last first', () => {
    const shown = release(
      [member('staging', null), member('prod-eu', launch)],
      [member('prod-us', weekend), member('prod-ap', weekend), member('gone', null, false)],
    );
    expect(frozenMembers(shown)).toEqual([
      { period: weekend, clusters: ['prod-us', 'prod-ap'] },
      { period: launch, clusters: ['prod-eu'] },
    ]);
  });

  it('finds none without a release or a freeze', () => {
    expect(frozenMembers(null)).toEqual([]);
    expect(frozenMembers(release([member('staging', null)]))).toEqual([]);
  });
});

describe('freezeOutlook', () => {
  it('lists the periods in effect, ending last first, and the earliest next one', () => {
    const nextWeekend = period('weekend', '2026-12-11T15:00:00Z', '2026-12-14T07:00:00Z');
    const newYear = period('new-year', '2026-12-24T00:00:00Z', '2027-01-02T00:00:00Z');
    expect(
      freezeOutlook([
        { current: launch, next: null },
        { current: weekend, next: nextWeekend },
        { current: null, next: newYear },
      ]),
    ).toEqual({ current: [weekend, launch], next: nextWeekend });
    expect(freezeOutlook([])).toEqual({ current: [], next: null });
  });
});

describe('overrideActions', () => {
  const alice = { role: 'admin', actor: 'token:alice' } as const;
  const bob = { role: 'admin', actor: 'token:bob' } as const;
  it.each([
    {
      case: 'another admin, pending, setting on',
      state: 'PendingConfirmation',
      viewer: bob,
      setting: true,
      acts: { confirm: true, revoke: true },
    },
    { case: 'the requester, pending', state: 'PendingConfirmation', viewer: alice, setting: true, acts: { confirm: false, revoke: true } },
    {
      case: 'pending while the setting is off',
      state: 'PendingConfirmation',
      viewer: bob,
      setting: false,
      acts: { confirm: false, revoke: true },
    },
    { case: 'active', state: 'Active', viewer: bob, setting: true, acts: { confirm: false, revoke: true } },
    { case: 'expired', state: 'Expired', viewer: bob, setting: true, acts: { confirm: false, revoke: false } },
    { case: 'revoked', state: 'Revoked', viewer: bob, setting: true, acts: { confirm: false, revoke: false } },
    {
      case: 'a deployer',
      state: 'PendingConfirmation',
      viewer: { role: 'deployer', actor: 'token:carol' },
      setting: true,
      acts: { confirm: false, revoke: false },
    },
  ] as const)('$case', ({ state, viewer, setting, acts }) => {
    expect(overrideActions({ state, requestedBy: 'token:alice' }, viewer, setting)).toEqual(acts);
  });
});

describe('the freezes page address', () => {
  it('is /freezes', () => {
    expect(pathOf({ page: 'freezes' })).toBe('/freezes');
  });
});

import { describe, expect, it } from 'vitest';
import type { FleetMember, FleetPlan, FleetRelease, FleetWave } from '../api/documents.js';
import { pathOf, ROUTE_PATTERNS, type Route } from '../routing/routes.js';
import { formatCountdown } from './countdown.js';
import { memberActions, releaseActions, type ReleaseAction } from './fleet-actions.js';
import { memberTally, waveColumns } from './wave-columns.js';

function member(cluster: string, state: FleetMember['state'], waitsAtPause = false): FleetMember {
  return {
    cluster,
    state,
    message: '',
    changedAt: null,
    rollout: {
      cluster,
      namespace: 'shop',
      name: 'checkout',
      phase: waitsAtPause ? 'Paused' : 'Progressing',
      message: '',
      strategy: 'Canary',
      progress: {
        currentStep: { index: 1, count: 3 },
        weights: { setWeight: 20, actualWeight: 20 },
        pause: { specPaused: false, conditions: waitsAtPause ? [{ reason: 'CanaryPauseStep' }] : [] },
        abort: { aborted: false },
      },
      freeze: null,
    },
  };
}

function wave(name: string, members: FleetMember[], gates: FleetWave['gates'] = [], approvedBy: string | null = null): FleetWave {
  return {
    name,
    phase: 'Progressing',
    startedAt: null,
    finishedAt: null,
    healthySince: null,
    approvedBy,
    approvedAt: null,
    approvalReason: null,
    gates,
    members,
  };
}

function release(phase: FleetRelease['phase'], waves: FleetWave[], currentWave = 0): FleetRelease {
  return {
    number: 1,
    phase,
    message: '',
    change: { container: 'checkout', image: 'shop/checkout:2', template: null },
    reason: null,
    startedBy: 'token:deployer',
    startedAt: '2026-01-01T10:00:00Z',
    finishedAt: null,
    currentWave,
    waves,
    unassigned: [],
    supersededBy: null,
    analysisRuns: [],
  };
}

const approvalWaiting = { gate: 'approval', state: 'Waiting' as const, message: 'waits for approveWave', since: null, until: null };

describe('which operations a release offers', () => {
  it.each<[string, FleetRelease | null, ReleaseAction[]]>([
    ['no release yet', null, ['release']],
    ['progressing', release('Progressing', [wave('canary', [member('a', 'Changing')])]), ['release', 'pause', 'abort']],
    [
      'progressing with a member at a pause',
      release('Progressing', [wave('canary', [member('a', 'Changing', true), member('b', 'Released')])]),
      ['release', 'pause', 'abort', 'promoteWave'],
    ],
    [
      'waiting for an approval',
      release('Progressing', [wave('canary', [member('a', 'Released')], [approvalWaiting])]),
      ['release', 'pause', 'abort', 'approveWave'],
    ],
    [
      'approved but not yet passed',
      release('Progressing', [wave('canary', [member('a', 'Released')], [approvalWaiting], 'token:admin')]),
      ['release', 'pause', 'abort'],
    ],
    ['paused', release('Paused', [wave('canary', [member('a', 'Changing', true)])]), ['release', 'resume', 'abort', 'promoteWave']],
    ['halted', release('Halted', [wave('canary', [member('a', 'Failed')])]), ['release', 'abort', 'retry']],
    [
      'rolling back',
      release('RollingBack', [wave('canary', [member('a', 'RollingBack', true)], [approvalWaiting])]),
      ['release', 'pause', 'abort'],
    ],
    ['succeeded', release('Succeeded', [wave('canary', [member('a', 'Released')])], 1), ['release']],
    ['superseded', release('Superseded', [wave('canary', [member('a', 'Changing', true)])]), ['release']],
  ])('%s: %j', (_, shown, expected) => {
    expect(releaseActions(shown)).toEqual(expected);
  });

  it.each<[FleetRelease['phase'], FleetMember['state'], string[]]>([
    ['Progressing', 'Pending', ['skipMember']],
    ['Progressing', 'Changing', ['skipMember']],
    ['Halted', 'Failed', ['skipMember', 'retryMember']],
    ['Progressing', 'Released', []],
    ['Progressing', 'Skipped', []],
    ['RollingBack', 'Failed', []],
    ['Aborted', 'Failed', []],
  ])('a %s release offers a %s member %j', (phase, state, expected) => {
    expect(memberActions(phase, state)).toEqual(expected);
  });
});

describe('soak countdown', () => {
  const now = new Date('2026-01-01T10:00:00Z');
  it.each([
    ['2026-01-01T10:00:00.400Z', '1s'],
    ['2026-01-01T10:00:42Z', '42s'],
    ['2026-01-01T10:04:05Z', '4m 05s'],
    ['2026-01-01T12:03:00Z', '2h 03m'],
    ['2026-01-08T09:00:00Z', '6d 23h'],
    ['2026-01-01T10:00:00Z', undefined],
    ['2026-01-01T09:59:00Z', undefined],
  ])('until %s reads %j', (until, expected) => {
    expect(formatCountdown(until, now)).toBe(expected);
  });
});

describe('the wave board', () => {
  const plan: FleetPlan = {
    waves: [
      { wave: 'canary', clusters: ['staging'] },
      { wave: 'rest', clusters: ['eu-1', 'us-1', 'us-2'] },
    ],
    unassigned: ['lab'],
  };

  it('lays out the plan alone when there is no release', () => {
    const columns = waveColumns(plan, null);
    expect(columns.map((column) => [column.name, column.position, column.cards.map((card) => card.cluster)])).toEqual([
      ['canary', 'planned', ['staging']],
      ['rest', 'planned', ['eu-1', 'us-1', 'us-2']],
    ]);
  });

  it("lays out a release's waves around the current one, naming clusters that joined the plan after it started", () => {
    const shown = release(
      'Progressing',
      [wave('canary', [member('staging', 'Released')]), wave('rest', [member('eu-1', 'Changing'), member('us-1', 'Pending')])],
      1,
    );
    const columns = waveColumns(plan, shown);
    expect(columns.map((column) => [column.name, column.position, column.tally, column.notInRelease])).toEqual([
      ['canary', 'earlier', '1 Released', []],
      ['rest', 'current', '1 Changing · 1 Pending', ['us-2']],
    ]);
    expect(columns[1]?.cards.map((card) => card.member?.state)).toEqual(['Changing', 'Pending']);
    expect(waveColumns(plan, { ...shown, currentWave: 0 }).map((column) => column.position)).toEqual(['current', 'later']);
  });

  it('tallies members in a fixed order of states', () => {
    expect(memberTally([{ state: 'Failed' }, { state: 'Released' }, { state: 'Released' }, { state: 'Skipped' }])).toBe(
      '2 Released · 1 Failed · 1 Skipped',
    );
    expect(memberTally([])).toBe('');
  });
});

describe('fleet routes', () => {
  it.each<[string, Route]>([
    ['/fleet', { page: 'fleet-rollouts' }],
    ['/fleet/checkout', { page: 'fleet-rollout', fleetRollout: 'checkout', release: undefined }],
    ['/fleet/checkout/releases/3', { page: 'fleet-rollout', fleetRollout: 'checkout', release: 3 }],
  ])('%s is the address of %j', (path, route) => {
    expect(pathOf(route)).toBe(path);
  });

  it('reads the FleetRollout and release number of a release address', () => {
    expect(ROUTE_PATTERNS.fleetRelease.exec('/fleet/checkout/releases/3')?.groups).toEqual({ fleetRollout: 'checkout', release: '3' });
  });

  it.each(['/fleet/checkout/releases/0', '/fleet/checkout/releases/03', '/fleet/checkout/releases/two'])('%s is no release', (path) => {
    expect(ROUTE_PATTERNS.fleetRelease.test(path)).toBe(false);
  });
});

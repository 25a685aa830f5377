import { describe, expect, it } from 'vitest';
import type { BreakGlassOverride, FreezePeriod, FreezeWindowRow } from '../api/freeze-queries.js';
import type { Styles } from '../output/terminal.js';
import {
  freezeLine,
  overrideLine,
  periodText,
  renderFreezeList,
  renderFreezeWindow,
  renderOverrides,
  selectorText,
} from './freeze-view.js';

const plain: Styles = {
  bold: (text) => text,
  dim: (text) => text,
  green: (text) => text,
  red: (text) => text,
  yellow: (text) => text,
  cyan: (text) => text,
};
const now = new Date('2026-12-05T12:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();

const period = (window: string, start: number, end: number, policy = 'finish'): FreezePeriod => ({
  window,
  reason: `${window} reason`,
  policy,
  start: at(start),
  end: at(end),
});

function window(name: string, current: FreezePeriod | null, next: FreezePeriod | null): FreezeWindowRow {
  return {
    name,
    reason: `${name} reason`,
    policy: current?.policy ?? 'finish',
    schedule: null,
    start: null,
    end: null,
    clusterSelector: null,
    namespaces: null,
    generation: 1,
    appliedBy: 'token:admin',
    createdAt: at(-48),
    updatedAt: at(-48),
    current,
    next,
  };
}

function override(state: BreakGlassOverride['state'], expiresAt: string | null): BreakGlassOverride {
  return {
    id: '0193a1b2-0000-7000-8000-000000000001',
    targetType: 'Rollout',
    target: 'prod/shop/checkout',
    reason: 'hotfix for the checkout crash',
    durationSeconds: 7200,
    requestedBy: 'token:alice',
    requestedAt: at(-1),
    confirmedBy: null,
    confirmedAt: null,
    expiresAt,
    state,
  };
}

describe('periodText', () => {
  it.each([
    { case: 'a period in effect', start: -2, end: 4, text: 'until 2026-12-05T16:00:00Z (4h0m)' },
    { case: 'a coming period', start: 27, end: 91, text: '2026-12-06T15:00:00Z to 2026-12-09T07:00:00Z (in 27h)' },
    { case: 'one starting now', start: 0, end: 1, text: 'until 2026-12-05T13:00:00Z (60m)' },
  ])('$case', ({ start, end, text }) => {
    expect(periodText(period('w', start, end), now)).toBe(text);
  });
});

describe('freeze list and get', () => {
  it('lists each window with its period now and its next one', () => {
    const output = renderFreezeList(
      [window('weekend', period('weekend', -2, 4), period('weekend', 166, 230)), window('new-year', null, null)],
      now,
      plain,
    );
    expect(output.split('\n')).toEqual([
      'NAME       POLICY   NOW                                        NEXT                                                      REASON',
      'weekend    finish   frozen until 2026-12-05T16:00:00Z (4h0m)   2026-12-12T10:00:00Z to 2026-12-15T02:00:00Z (in 6d22h)   weekend reason',
      'new-year   finish   -                                          -                                                         new-year reason',
      '',
    ]);
  });

  it('shows a recurring window with its schedule lines, what it covers and when', () => {
    const weekend: FreezeWindowRow = {
      ...window('weekend', null, period('weekend', 28, 92, 'hold')),
      policy: 'hold',
      schedule: 'DTSTART;TZID=Europe/Berlin:20261204T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H\n',
      clusterSelector: { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['eu', 'us'] }] },
      namespaces: ['shop'],
    };
    expect(renderFreezeWindow(weekend, now, plain).split('\n')).toEqual([
      'Name:            weekend',
      'Reason:          weekend reason',
      'Policy:          hold (releases under way stop where they are until the window ends)',
      'Schedule:        DTSTART;TZID=Europe/Berlin:20261204T160000',
      '                 RRULE:FREQ=WEEKLY;BYDAY=FR',
      '                 DURATION:PT64H',
      'Clusters:        env=prod,region in (eu,us)',
      'Namespaces:      shop',
      'Now:             not frozen',
      'Next:            2026-12-06T16:00:00Z to 2026-12-09T08:00:00Z (in 28h)',
      'Generation:      1',
      'Applied by:      token:admin',
      '',
    ]);
  });

  it.each([
    { selector: null, text: '<all>' },
    { selector: {}, text: '<all>' },
    {
      selector: {
        matchExpressions: [
          { key: 'canary', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      text: 'canary,!legacy',
    },
    { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['dev'] }] }, text: 'tier notin (dev)' },
  ])('writes the selector $selector as $text', ({ selector, text }) => {
    expect(selectorText(selector)).toBe(text);
  });
});

describe('break-glass list and lines', () => {
  it('lists overrides with their state and when they expire', () => {
    const output = renderOverrides(
      [override('Active', at(1)), override('PendingConfirmation', null), override('Expired', at(-0.5))],
      now,
      plain,
    );
    expect(output.split('\n')).toEqual([
      'ID                                     STATE                 TARGET                       EXPIRES          REQUESTED BY   REASON',
      '0193a1b2-0000-7000-8000-000000000001   Active                Rollout prod/shop/checkout   in 60m           token:alice    hotfix for the checkout crash',
      '0193a1b2-0000-7000-8000-000000000001   PendingConfirmation   Rollout prod/shop/checkout   once confirmed   token:alice    hotfix for the checkout crash',
      '0193a1b2-0000-7000-8000-000000000001   Expired               Rollout prod/shop/checkout   30m ago          token:alice    hotfix for the checkout crash',
      '',
    ]);
  });

  it('says until when an active override lasts, and how to confirm a pending one', () => {
    expect(overrideLine(override('Active', at(4)), now, plain)).toBe(
      'break-glass 0193a1b2-0000-7000-8000-000000000001 Active: Rollout prod/shop/checkout until 2026-12-05T16:00:00Z (4h0m)',
    );
    expect(overrideLine(override('PendingConfirmation', null), now, plain)).toBe(
      'break-glass 0193a1b2-0000-7000-8000-000000000001 PendingConfirmation: Rollout prod/shop/checkout, waits for another admin: flotilla break-glass confirm 0193a1b2-0000-7000-8000-000000000001',
    );
  });
});

describe('freezeLine', () => {
  it.each([
    {
      case: 'a finish window',
      freeze: period('weekend', -1, 3),
      message: 'Healthy',
      line: 'frozen by weekend until 2026-12-05T15:00:00Z (3h0m): weekend reason',
    },
    {
      case: 'a hold window',
      freeze: period('weekend', -1, 3, 'hold'),
      message: '',
      line: 'held by freeze weekend until 2026-12-05T15:00:00Z (3h0m): weekend reason',
    },
    {
      case: 'a new revision waiting in a finish window',
      freeze: period('weekend', -1, 3),
      message: 'held by freeze weekend until 2026-12-05T15:00:00.000Z',
      line: 'held by freeze weekend until 2026-12-05T15:00:00Z (3h0m): weekend reason',
    },
  ])('$case', ({ freeze, message, line }) => {
    expect(freezeLine(freeze, message, now)).toBe(line);
  });
});

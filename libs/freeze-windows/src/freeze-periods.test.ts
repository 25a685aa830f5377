import type { FreezeWindowSpec } from '@flotilla/argo-spec';
import { describe, expect, it } from 'vitest';
import {
  covers,
  engineFreeze,
  freezesAt,
  holdsProgress,
  nextPeriod,
  periodAt,
  type FreezePeriod,
  type NamedFreezeWindow,
} from './index.js';

const at = (iso: string): Date => new Date(iso);
const window = (name: string, spec: Partial<FreezeWindowSpec>): NamedFreezeWindow => ({
  name,
  spec: { reason: `${name} reason`, ...spec },
});
const span = (period: FreezePeriod | null): [string, string] | null =>
  period === null ? null : [period.start.toISOString(), period.end.toISOString()];

const xmas = window('xmas', { start: '2026-12-24T00:00:00Z', end: '2027-01-02T00:00:00Z' });
/** Friday 16:00 in Berlin for 64 hours: to Monday 08:00 in winter and in summer. */
const weekend = window('weekend', {
  schedule: 'DTSTART;TZID=Europe/Berlin:20260102T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H',
  policy: 'hold',
});

describe('periodAt: a fixed window', () => {
  it.each([
    ['2026-12-23T23:59:59.999Z', null],
    ['2026-12-24T00:00:00.000Z', ['2026-12-24T00:00:00.000Z', '2027-01-02T00:00:00.000Z']],
    ['2027-01-01T23:59:59.999Z', ['2026-12-24T00:00:00.000Z', '2027-01-02T00:00:00.000Z']],
    ['2027-01-02T00:00:00.000Z', null],
  ] as const)('at %s: %j (start inclusive, end exclusive)', (now, expected) => {
    expect(span(periodAt(xmas, at(now)))).toEqual(expected);
  });

  it('names the window, its reason and its policy (finish by default)', () => {
    expect(periodAt(xmas, at('2026-12-25T00:00:00Z'))).toMatchObject({ window: 'xmas', reason: 'xmas reason', policy: 'finish' });
  });
});

describe('periodAt: a weekly window in Europe/Berlin keeps its wall-clock start across daylight saving changes', () => {
  it.each([
    // Winter (UTC+1): Friday 16:00 is 15:00Z; 64 h later is Monday 07:00Z (08:00 local).
    ['2026-02-06T14:59:59Z', null],
    ['2026-02-06T15:00:00Z', ['2026-02-06T15:00:00.000Z', '2026-02-09T07:00:00.000Z']],
    ['2026-02-09T06:59:59Z', ['2026-02-06T15:00:00.000Z', '2026-02-09T07:00:00.000Z']],
    ['2026-02-09T07:00:00Z', null],
    // Across the last Sunday of March (29th): starts 16:00 CET, 64 exact hours end at 09:00 CEST.
    ['2026-03-27T15:00:00Z', ['2026-03-27T15:00:00.000Z', '2026-03-30T07:00:00.000Z']],
    ['2026-03-30T06:59:59Z', ['2026-03-27T15:00:00.000Z', '2026-03-30T07:00:00.000Z']],
    // Summer (UTC+2): Friday 16:00 is 14:00Z.
    ['2026-04-03T13:59:59Z', null],
    ['2026-04-03T14:00:00Z', ['2026-04-03T14:00:00.000Z', '2026-04-06T06:00:00.000Z']],
    // Across the last Sunday of October (25th): starts 16:00 CEST, ends 07:00 CET.
    ['2026-10-23T14:00:00Z', ['2026-10-23T14:00:00.000Z', '2026-10-26T06:00:00.000Z']],
    ['2026-10-26T06:00:00Z', null],
    ['2026-10-30T15:00:00Z', ['2026-10-30T15:00:00.000Z', '2026-11-02T07:00:00.000Z']],
    // Years after DTSTART: the search starts near now, not at DTSTART.
    ['2031-03-28T15:00:00Z', ['2031-03-28T15:00:00.000Z', '2031-03-31T07:00:00.000Z']],
  ] as const)('at %s: %j', (now, expected) => {
    expect(span(periodAt(weekend, at(now)))).toEqual(expected);
  });

  it('a nominal duration (P2DT16H) keeps the wall-clock end too', () => {
    const nominal = window('nominal', {
      schedule: 'DTSTART;TZID=Europe/Berlin:20260102T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:P2DT16H',
    });
    expect(span(periodAt(nominal, at('2026-03-28T12:00:00Z')))).toEqual(['2026-03-27T15:00:00.000Z', '2026-03-30T06:00:00.000Z']);
  });
});

describe('periodAt: other schedules', () => {
  it('overlapping occurrences (a DURATION longer than the interval): the one ending last', () => {
    const overlapping = window('overlap', { schedule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY\nDURATION:PT36H' });
    expect(span(periodAt(overlapping, at('2026-01-05T06:00:00Z')))).toEqual(['2026-01-05T00:00:00.000Z', '2026-01-06T12:00:00.000Z']);
    expect(span(nextPeriod(overlapping, at('2026-01-05T06:00:00Z')))).toEqual(['2026-01-06T00:00:00.000Z', '2026-01-07T12:00:00.000Z']);
  });

  it.each([
    ['COUNT', 'DTSTART:20260105T000000Z\nRRULE:FREQ=WEEKLY;COUNT=2\nDURATION:P1D', '2026-01-12T12:00:00Z', '2026-01-19T12:00:00Z'],
    [
      'UTC UNTIL',
      'DTSTART;TZID=America/New_York:20260105T000000\nRRULE:FREQ=WEEKLY;UNTIL=20260112T050000Z\nDURATION:P1D',
      '2026-01-12T12:00:00Z',
      '2026-01-19T12:00:00Z',
    ],
    [
      'local UNTIL',
      'DTSTART;TZID=Asia/Tokyo:20260105T000000\nRRULE:FREQ=WEEKLY;UNTIL=20260112T000000\nDURATION:P1D',
      '2026-01-11T20:00:00Z',
      '2026-01-18T20:00:00Z',
    ],
  ])('an exhausted rule (%s) freezes up to its last occurrence, then never', (_, schedule, lastInside, afterward) => {
    const exhausted = window('exhausted', { schedule });
    expect(periodAt(exhausted, at(lastInside))).not.toBeNull();
    expect(periodAt(exhausted, at(afterward))).toBeNull();
    expect(nextPeriod(exhausted, at(lastInside))).toBeNull();
  });

  it('a far-future DTSTART: nothing before it, and it is the next period', () => {
    const later = window('later', { schedule: 'DTSTART:20400601T000000Z\nRRULE:FREQ=YEARLY\nDURATION:P7D' });
    expect(periodAt(later, at('2026-06-02T00:00:00Z'))).toBeNull();
    expect(span(nextPeriod(later, at('2026-06-02T00:00:00Z')))).toEqual(['2040-06-01T00:00:00.000Z', '2040-06-08T00:00:00.000Z']);
    expect(span(periodAt(later, at('2045-06-03T00:00:00Z')))).toEqual(['2045-06-01T00:00:00.000Z', '2045-06-08T00:00:00.000Z']);
  });

  it('a schedule without RRULE happens once', () => {
    const once = window('once', { schedule: 'DTSTART;TZID=Europe/Berlin:20261224T000000\nDURATION:P2D' });
    expect(span(periodAt(once, at('2026-12-25T00:00:00Z')))).toEqual(['2026-12-23T23:00:00.000Z', '2026-12-25T23:00:00.000Z']);
    expect(nextPeriod(once, at('2026-12-25T00:00:00Z'))).toBeNull();
  });

  it('an impossible rule (30 February) finds nothing, quickly', () => {
    const impossible = window('never', { schedule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\nDURATION:PT1H' });
    const started = performance.now();
    expect(periodAt(impossible, at('2030-02-28T00:30:00Z'))).toBeNull();
    expect(nextPeriod(impossible, at('2030-02-28T00:30:00Z'))).toBeNull();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a monthly rule on the 31st keeps to months that have one, years after DTSTART', () => {
    const monthEnd = window('month-end', { schedule: 'DTSTART:20260131T200000Z\nRRULE:FREQ=MONTHLY\nDURATION:PT8H' });
    expect(periodAt(monthEnd, at('2029-02-28T21:00:00Z'))).toBeNull();
    expect(span(nextPeriod(monthEnd, at('2029-02-28T21:00:00Z')))).toEqual(['2029-03-31T20:00:00.000Z', '2029-04-01T04:00:00.000Z']);
  });

  it('a spec validation would refuse freezes nothing', () => {
    expect(periodAt(window('bad', { schedule: 'DTSTART:20260101T000000\nDURATION:PT1H' }), at('2026-01-01T00:30:00Z'))).toBeNull();
  });
});

describe('nextPeriod', () => {
  it.each([
    ['2026-02-04T12:00:00Z', ['2026-02-06T15:00:00.000Z', '2026-02-09T07:00:00.000Z']],
    // During a period, the one after it; exactly at a start, the following one (strictly after now).
    ['2026-02-06T15:00:00Z', ['2026-02-13T15:00:00.000Z', '2026-02-16T07:00:00.000Z']],
    ['2026-03-25T00:00:00Z', ['2026-03-27T15:00:00.000Z', '2026-03-30T07:00:00.000Z']],
  ] as const)('after %s: %j', (now, expected) => {
    expect(span(nextPeriod(weekend, at(now)))).toEqual(expected);
  });

  it('a fixed window: its period while it is ahead, then none', () => {
    expect(span(nextPeriod(xmas, at('2026-12-01T00:00:00Z')))).toEqual(['2026-12-24T00:00:00.000Z', '2027-01-02T00:00:00.000Z']);
    expect(nextPeriod(xmas, at('2026-12-24T00:00:00Z'))).toBeNull();
  });
});

describe('covers', () => {
  const target = { clusterName: 'production', clusterLabels: { env: 'prod', region: 'eu' }, namespace: 'shop' };
  it.each([
    ['no selector and no namespaces: everything', {}, true],
    ['a selector matching the labels', { clusterSelector: { matchLabels: { env: 'prod' } } }, true],
    ['a selector not matching', { clusterSelector: { matchLabels: { env: 'staging' } } }, false],
    ['an expression', { clusterSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us'] }] } }, true],
    ['the namespace listed', { namespaces: ['web', 'shop'] }, true],
    ['the namespace not listed', { namespaces: ['web'] }, false],
    ['both, the namespace not listed', { clusterSelector: { matchLabels: { env: 'prod' } }, namespaces: ['web'] }, false],
  ] as const)('%s', (_, spec, expected) => {
    expect(covers(window('w', { ...xmas.spec, ...spec } as FreezeWindowSpec), target)).toBe(expected);
  });
});

describe('freezesAt, holdsProgress and engineFreeze', () => {
  const target = { clusterName: 'production', clusterLabels: { env: 'prod' }, namespace: 'shop' };
  const elsewhere = window('elsewhere', { ...xmas.spec, namespaces: ['web'] });
  const shortHold = window('short-hold', { start: '2026-12-24T00:00:00Z', end: '2026-12-27T00:00:00Z', policy: 'hold' });

  it('lists the covering periods in effect, ending last first, and the next to start', () => {
    const result = freezesAt([weekend, elsewhere, shortHold, xmas], target, at('2026-12-25T20:00:00Z'));
    expect(result.active.map((period) => period.window)).toEqual(['xmas', 'weekend', 'short-hold']);
    expect(span(result.next)).toEqual(['2027-01-01T15:00:00.000Z', '2027-01-04T07:00:00.000Z']);
    expect(holdsProgress(result.active)).toBe(true);
    expect(engineFreeze(result.active)).toEqual({ window: 'weekend', until: at('2026-12-28T07:00:00Z'), policy: 'hold' });
  });

  it('no window in effect: nothing active, no engine freeze', () => {
    const result = freezesAt([xmas], target, at('2026-12-01T00:00:00Z'));
    expect(result).toMatchObject({ active: [], next: { window: 'xmas' } });
    expect(holdsProgress(result.active)).toBe(false);
    expect(engineFreeze(result.active)).toBeNull();
  });

  it('finish periods only: the one ending last, with policy finish', () => {
    const { active } = freezesAt([xmas], target, at('2026-12-25T00:00:00Z'));
    expect(engineFreeze(active)).toEqual({ window: 'xmas', until: at('2027-01-02T00:00:00Z'), policy: 'finish' });
  });
});

import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextPeriod, periodAt, type NamedFreezeWindow } from './index.js';

const HOUR = 3_600_000;
const anInstant = (from: string, to: string): fc.Arbitrary<Date> =>
  fc.integer({ min: Date.parse(from), max: Date.parse(to) }).map((ms) => new Date(ms));

describe('freeze periods: properties', () => {
  it('a fixed window: frozen exactly from its start (inclusive) to its end (exclusive)', () => {
    fc.assert(
      fc.property(
        anInstant('2026-01-01', '2028-01-01'),
        fc.integer({ min: 1, max: 31 * 24 * 60 }),
        anInstant('2025-06-01', '2028-06-01'),
        (start, minutes, now) => {
          const end = new Date(start.getTime() + minutes * 60_000);
          const window: NamedFreezeWindow = { name: 'fixed', spec: { reason: 'r', start: start.toISOString(), end: end.toISOString() } };
          const inside = start <= now && now < end;
          expect(periodAt(window, now) !== null).toBe(inside);
          expect(periodAt(window, start)).not.toBeNull();
          expect(periodAt(window, end)).toBeNull();
        },
      ),
    );
  });

  it('an hourly rule in UTC: frozen exactly when the time since the last start is under the duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 72 * 60 }),
        anInstant('2025-12-01', '2027-01-01'),
        (interval, minutes, now) => {
          const dtstart = Date.parse('2026-01-01T00:00:00Z');
          const window: NamedFreezeWindow = {
            name: 'hourly',
            spec: { reason: 'r', schedule: `DTSTART:20260101T000000Z\nRRULE:FREQ=HOURLY;INTERVAL=${interval}\nDURATION:PT${minutes}M` },
          };
          const since = now.getTime() - dtstart;
          const inside = since >= 0 && (minutes * 60_000 > interval * HOUR || since % (interval * HOUR) < minutes * 60_000);
          expect(periodAt(window, now) !== null).toBe(inside);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a weekly rule in Europe/Berlin: frozen exactly from Friday 16:00 local for 64 hours, whatever the season', () => {
    const window: NamedFreezeWindow = {
      name: 'weekend',
      spec: { reason: 'r', schedule: 'DTSTART;TZID=Europe/Berlin:20260102T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H' },
    };
    fc.assert(
      fc.property(anInstant('2026-01-10', '2030-12-31'), (now) => {
        const local = DateTime.fromJSDate(now, { zone: 'Europe/Berlin' });
        const daysSinceFriday = (local.weekday - 5 + 7) % 7;
        let lastStart = local.minus({ days: daysSinceFriday }).set({ hour: 16, minute: 0, second: 0, millisecond: 0 });
        if (lastStart > local) lastStart = lastStart.minus({ weeks: 1 });
        const inside = now.getTime() - lastStart.toMillis() < 64 * HOUR;
        const period = periodAt(window, now);
        expect(period !== null).toBe(inside);
        if (period !== null) expect(period.start.getTime()).toBe(lastStart.toMillis());
      }),
      { numRuns: 300 },
    );
  });

  it('nextPeriod starts after now, and no period starts between now and it', () => {
    const window: NamedFreezeWindow = {
      name: 'monthly',
      spec: { reason: 'r', schedule: 'DTSTART;TZID=America/New_York:20260115T220000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR\nDURATION:P2D' },
    };
    fc.assert(
      fc.property(anInstant('2026-01-01', '2032-01-01'), (now) => {
        const next = nextPeriod(window, now);
        expect(next).not.toBeNull();
        if (next === null) return;
        expect(next.start > now).toBe(true);
        expect(periodAt(window, next.start)?.start).toEqual(next.start);
        const before = periodAt(window, new Date(next.start.getTime() - 1));
        const current = periodAt(window, now);
        expect(before?.start ?? null).toEqual(before === null ? null : current?.start);
      }),
      { numRuns: 200 },
    );
  });
});

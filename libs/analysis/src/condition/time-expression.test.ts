import { describe, expect, it } from 'vitest';
import { evaluateTimeExpression } from './time-expression.js';

const NOW = new Date('2024-03-05T10:00:00Z');

describe('evaluateTimeExpression', () => {
  it.each([
    ['now()', '2024-03-05T10:00:00.000Z'],
    ['now() - duration("1h")', '2024-03-05T09:00:00.000Z'],
    ["now() - duration('90s') + duration(`30s`)", '2024-03-05T09:59:00.000Z'],
    ['now() - (duration("1h") + duration("1h"))', '2024-03-05T08:00:00.000Z'],
    // upstream: TestRunSuccessfullyWithRangeQuery
    ['date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")', '2023-08-13T23:00:00.000Z'],
    ['date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC")', '2023-08-14T00:00:00.000Z'],
    ['date("2023-08-14T02:00:00+02:00")', '2023-08-14T00:00:00.000Z'],
    ['date("2023-08-14")', '2023-08-14T00:00:00.000Z'],
    ['date("14/08/2023 02:00", "02/01/2006 15:04", "Europe/Berlin")', '2023-08-14T00:00:00.000Z'],
    ['date("14/01/2023 01:00", "02/01/2006 15:04", "Europe/Berlin")', '2023-01-14T00:00:00.000Z'],
  ])('%s', (source, iso) => {
    expect(evaluateTimeExpression(source, NOW)).toEqual({ ok: true, time: new Date(iso) });
  });

  it.each([
    // upstream: TestRunUnparsableStartTime
    ['now() - duration("??")', /invalid duration/],
    ['duration("1h")', /expected a time, but got time\.Duration|expected a time, but got duration/],
    ['now() + now()', /invalid operation|mismatched|cannot/],
    ['', /.+/],
    ['later()', /later/],
    ['date("14.08.2023")', /14\.08\.2023/],
    ['date("2023-08-14", "2006-01-02", "Mars/Olympus")', /Mars\/Olympus/],
    ['now() - duration("1h"', /.+/],
    ['result', /.+/],
  ])('refuses %j', (source, error) => {
    const evaluated = evaluateTimeExpression(source, NOW);
    expect(evaluated.ok).toBe(false);
    if (!evaluated.ok) expect(evaluated.error).toMatch(error);
  });
});

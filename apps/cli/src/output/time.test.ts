import { describe, expect, it } from 'vitest';
import { humanDuration, parseSince } from './time.js';

describe('humanDuration', () => {
  it.each([
    [-5, '0s'],
    [0, '0s'],
    [8_400, '8s'],
    [119_999, '119s'],
    [185_000, '3m5s'],
    [45 * 60_000, '45m'],
    [4 * 3_600_000 + 7 * 60_000, '4h7m'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 5 * 3_600_000, '3d5h'],
    [40 * 86_400_000, '40d'],
  ])('%i ms is %s', (milliseconds, text) => {
    expect(humanDuration(milliseconds)).toBe(text);
  });
});

describe('parseSince', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  it.each([
    ['1h', '2026-03-01T11:00:00.000Z'],
    ['90m', '2026-03-01T10:30:00.000Z'],
    ['2026-02-28T08:00:00Z', '2026-02-28T08:00:00.000Z'],
    ['2026-02-28', '2026-02-28T00:00:00.000Z'],
  ])('%s back from noon is %s', (text, expected) => {
    expect(parseSince(text, now)?.toISOString()).toBe(expected);
  });

  it.each(['yesterday', '-1h', '5', '2026-13-45'])('refuses %s', (text) => {
    expect(parseSince(text, now)).toBeUndefined();
  });
});

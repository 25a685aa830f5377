import { describe, expect, it } from 'vitest';
import { parseGoDuration, pauseDurationSeconds } from './duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['10s', 10_000],
    ['1.5h', 5_400_000],
    ['1h30m', 5_400_000],
    ['300ms', 300],
    ['-2m', -120_000],
    ['1h0m0s', 3_600_000],
  ])('%s is %d ms', (text, expected) => {
    expect(parseGoDuration(text)).toBe(expected);
  });

  it.each(['', '5', '10x', 's', '1h 30m', '1.2.3s', '-'])('refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('pauseDurationSeconds', () => {
  it.each([
    [30, 30],
    ['30', 30],
    ['10s', 10],
    ['5m', 300],
    ['1h', 3600],
    ['1500ms', 1],
  ] as const)('%j is %d s', (duration, expected) => {
    expect(pauseDurationSeconds(duration)).toBe(expected);
  });

  it.each([1.5, 'ten', '10 s'])('refuses %j', (duration) => {
    expect(pauseDurationSeconds(duration)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { nextBackoffMs } from './backoff.js';

const policy = { baseMs: 500, capMs: 30_000 };

describe('nextBackoffMs', () => {
  it.each([
    [1, 0, 250],
    [1, 0.5, 375],
    [2, 0, 500],
    [4, 0.5, 3000],
    [7, 0, 15_000],
    [20, 0, 15_000],
    [20, 0.999, 29_985],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(nextBackoffMs(attempt, random, policy)).toBe(expected);
  });

  it('never exceeds the cap and never waits less than half of it once capped', () => {
    for (let attempt = 1; attempt < 40; attempt += 1) {
      const delay = nextBackoffMs(attempt, Math.random(), policy);
      expect(delay).toBeLessThanOrEqual(policy.capMs);
      if (attempt > 7) expect(delay).toBeGreaterThanOrEqual(policy.capMs / 2);
    }
  });
});

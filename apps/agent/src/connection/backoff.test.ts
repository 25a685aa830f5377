import { describe, expect, it } from 'vitest';
import { nextBackoffMs } from './backoff.js';

const policy = { baseMs: 500, capMs: 30_000 };

describe('nextBackoffMs', () => {
  it.each([
    [1, 0, 0],
    [1, 0.5, 250],
    [1, 0.999, 500],
    [2, 0.5, 500],
    [4, 0.5, 2000],
    [7, 0.5, 15_000],
    [20, 0, 0],
    [20, 0.999, 29_970],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(nextBackoffMs(attempt, random, policy)).toBe(expected);
  });

  it('never exceeds the exponential bound nor the cap', () => {
    for (let attempt = 1; attempt < 40; attempt += 1) {
      const delay = nextBackoffMs(attempt, Math.random(), policy);
      expect(delay).toBeLessThanOrEqual(Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1)));
    }
  });

  it('spreads 500 agents that lost their connection together over the whole first window', () => {
    // Each agent draws its own random number; the first retry comes anywhere in [0, base)
    const delays = Array.from({ length: 500 }, () => nextBackoffMs(1, Math.random(), policy));
    const perTenth = new Array<number>(10).fill(0);
    for (const delay of delays) {
      const tenth = Math.min(9, Math.floor(delay / (policy.baseMs / 10)));
      perTenth[tenth] = (perTenth[tenth] ?? 0) + 1;
    }
    // Uniform: about 50 per tenth of the window, none holding the whole herd
    for (const count of perTenth) expect(count).toBeLessThan(100);
  });
});

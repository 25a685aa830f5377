import { describe, expect, it } from 'vitest';
import { isActivePhase } from './phase.js';

describe('isActivePhase', () => {
  it.each([
    ['Pending', true],
    ['Running', true],
    ['Successful', false],
    ['Failed', false],
    ['Error', false],
    ['Inconclusive', false],
  ])('%s → %s', (phase, expected) => {
    expect(isActivePhase(phase)).toBe(expected);
  });
});

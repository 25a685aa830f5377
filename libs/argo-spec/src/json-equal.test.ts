import { describe, expect, it } from 'vitest';
import { jsonEqual } from './json-equal.js';

describe('jsonEqual', () => {
  it.each([
    ['the same scalars', 'canary', 'canary'],
    ['objects whose keys come in another order', { replicas: 3, selector: { app: 'web' } }, { selector: { app: 'web' }, replicas: 3 }],
    ['nested arrays of objects', { steps: [{ setWeight: 20 }, { pause: {} }] }, { steps: [{ setWeight: 20 }, { pause: {} }] }],
    ['a key holding undefined and an absent key', { paused: undefined, replicas: 1 }, { replicas: 1 }],
    ['empty objects', {}, {}],
    ['nulls', null, null],
  ] as const)('holds for %s', (_title, a, b) => {
    expect(jsonEqual(a, b)).toBe(true);
    expect(jsonEqual(b, a)).toBe(true);
  });

  it.each([
    ['a changed nested value', { spec: { replicas: 3 } }, { spec: { replicas: 4 } }],
    ['arrays in another order', [1, 2], [2, 1]],
    ['an extra key', { replicas: 3 }, { replicas: 3, paused: false }],
    ['a number and its string', { weight: 20 }, { weight: '20' }],
    ['an array and an object with index keys', [1], { 0: 1 }],
    ['null and an empty object', null, {}],
    ['arrays of different lengths', [1, 2], [1, 2, 3]],
    ['false and an absent key', { paused: false }, {}],
  ] as const)('fails for %s', (_title, a, b) => {
    expect(jsonEqual(a, b)).toBe(false);
    expect(jsonEqual(b, a)).toBe(false);
  });
});

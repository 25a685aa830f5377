import { describe, expect, it } from 'vitest';
import { selects, type ClusterSelector } from './cluster-selector.js';

const labels = { env: 'prod', region: 'eu-west-1', tier: 'web' };

describe('selects', () => {
  it.each<[string, ClusterSelector, boolean]>([
    ['no terms: every cluster', {}, true],
    ['matching labels', { matchLabels: { env: 'prod', tier: 'web' } }, true],
    ['one label differs', { matchLabels: { env: 'prod', tier: 'api' } }, false],
    ['a label the cluster lacks', { matchLabels: { zone: 'a' } }, false],
    ['In with the value', { matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east-1', 'eu-west-1'] }] }, true],
    ['In without the value', { matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east-1'] }] }, false],
    ['In on a missing label', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn without the value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['staging'] }] }, true],
    ['NotIn with the value', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    ['NotIn on a missing label', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists on a missing label', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist on a present label', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, false],
    [
      'labels and expressions together, all holding',
      { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west-1'] }] },
      true,
    ],
    [
      'labels hold, an expression does not',
      { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] },
      false,
    ],
  ])('%s', (_case, selector, expected) => {
    expect(selects(selector, labels)).toBe(expected);
  });
});

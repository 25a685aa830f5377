import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { doublingFragments, operationAndFragments } from './documents.test-support.js';
import { measureOperation, type OperationMeasure } from './operation-cost.js';

const schema = buildSchema(readFileSync(new URL('../../../schema.gql', import.meta.url), 'utf8'));

function measure(document: string, variables: Record<string, unknown> = {}): OperationMeasure {
  const { operation, fragments } = operationAndFragments(document);
  return measureOperation(schema, operation, fragments, variables);
}

describe('measureOperation', () => {
  const rolloutRef = 'cluster: "staging", namespace: "shop", name: "checkout"';

  it.each<[string, string, Omit<OperationMeasure, 'repeated'>]>([
    ['a page of 50', '{ rollouts(page: { first: 50 }) { nodes { id name } } }', { depth: 3, price: 170, rootFields: 1, aliases: 0 }],
    ['a page left to its default size', '{ rollouts { nodes { id name } } }', { depth: 3, price: 170, rootFields: 1, aliases: 0 }],
    [
      'a fragment spread at two depths',
      `{ a: rollouts { nodes { ...Names } } b: rollout(${rolloutRef}) { ...Names } } fragment Names on Rollout { name cluster }`,
      { depth: 3, price: 20 + 50 * (1 + 2) + 10 + 2, rootFields: 2, aliases: 2 },
    ],
    [
      'a fragment spread twice at the root, once within an inline fragment',
      '{ ...Me ... on Query { ...Me } } fragment Me on Query { me { role } clusters { name } }',
      { depth: 2, price: 2 * (10 + 1 + 10 + 1), rootFields: 4, aliases: 0 },
    ],
  ])('measures %s', (_title, document, expected) => {
    expect(measure(document)).toEqual({ ...expected, repeated: [] });
  });

  it('counts a field allowed once per request each time a fragment spreads it', () => {
    const twice = '{ ...Chain ...Chain } fragment Chain on Query { verifyAuditChain { valid } }';
    expect(measure(twice).repeated).toEqual(['Query.verifyAuditChain']);
  });

  it('prices 2^60 root fields spread by 2.4 KB of fragments at once, at the largest exact integer', { timeout: 5000 }, () => {
    const document = doublingFragments(60);
    expect(document.length).toBeLessThan(2500);
    expect(measure(document)).toEqual({
      depth: 1,
      price: Number.MAX_SAFE_INTEGER,
      rootFields: Number.MAX_SAFE_INTEGER,
      aliases: 0,
      repeated: [],
    });
  });
});

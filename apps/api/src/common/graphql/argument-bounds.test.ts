import { buildSchema } from 'graphql';
import type { FieldProblem } from '@flotilla/service-runtime';
import { describe, expect, it } from 'vitest';
import { findArgumentProblems } from './argument-bounds.js';
import { doublingFragments, operationAndFragments } from './documents.test-support.js';

const schema = buildSchema(`
  type Query { shop(name: String): Shop }
  type Shop { items(after: String): [String] }
`);

function problemsOf(document: string): FieldProblem[] {
  const { operation, fragments } = operationAndFragments(document);
  return findArgumentProblems(schema, operation, fragments, {}, { maxListEntries: 10, maxStringLength: 4 });
}

describe('findArgumentProblems', () => {
  it('names the problems of a fragment under each path it is spread at', () => {
    const document =
      '{ a: shop { ...Items } b: shop { c: items(after: "ok") ...Items } } fragment Items on Shop { items(after: "longer") }';
    expect(problemsOf(document)).toEqual([
      { path: 'a.items.after', message: 'must be at most 4 characters long' },
      { path: 'b.items.after', message: 'must be at most 4 characters long' },
    ]);
  });

  it('checks a fragment spread 2^60 times at once, naming its first ten problems', { timeout: 5000 }, () => {
    const problem = { path: 'big.name', message: 'must be at most 4 characters long' };
    expect(problemsOf(doublingFragments(60, 'big: shop(name: "longer") { __typename }'))).toEqual(
      Array.from({ length: 10 }, () => problem),
    );
    expect(problemsOf(doublingFragments(60, '__typename'))).toEqual([]);
  });
});

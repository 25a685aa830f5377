import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { FieldProblem } from '@flotilla/service-runtime';
import { describe, expect, it } from 'vitest';
import { findArgumentProblems } from './argument-bounds.js';
import { doublingFragments } from './doubling-fragments.test-support.js';

const schema = buildSchema(`
  type Query { shop(name: String): Shop }
  type Shop { items(after: String): [String] }
`);

function problemsOf(document: string): FieldProblem[] {
  const definitions = parse(document).definitions;
  const operation = definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('the document has no operation');
  const fragments = Object.fromEntries(
    definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
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

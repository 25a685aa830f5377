import fc from 'fast-check';
import { analysisTemplate, canaryRollout, type Document, experiment } from './documents.fixtures.js';

/** Values an attacker would try: huge and control-laden strings, broken UTF-16, odd numbers, wrong types, depth and width. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    'x\uDFFFy',
    'a b\nc;rm -rf /',
    '{{args.x}}',
    '99999999999h',
    '-1s',
    '1e300',
    'NaN',
    '%',
    '../..',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 300, max: 70_000 }).map((length) => 'a'.repeat(length)),
  fc.constantFrom(-1, 0, 0.5, -0.5, 2 ** 31, 2 ** 53, 1e300, -1e300, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.integer({ min: 65, max: 2_000 }).map((depth) => Array.from({ length: depth }).reduce<unknown>((inner) => ({ nested: inner }), 'leaf')),
  fc.integer({ min: 100, max: 3_000 }).map((length) => Array.from({ length }, (_, index) => index)),
  fc.integer({ min: 65, max: 500 }).map((count) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`key-${index}`, 'v']))),
);

// Deeper than any valid document goes, and shallow enough to walk what an earlier mutation nested.
const MAX_MUTATED_DEPTH = 12;

/** Every path of a JSON value down to MAX_MUTATED_DEPTH, as keys from the root, containers and leaves alike. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (prefix.length >= MAX_MUTATED_DEPTH) return [prefix];
  if (Array.isArray(value)) return [prefix, ...value.flatMap((element, index) => pathsOf(element, [...prefix, index]))];
  if (typeof value === 'object' && value !== null)
    return [prefix, ...Object.entries(value).flatMap(([key, element]) => pathsOf(element, [...prefix, key]))];
  return [prefix];
}

/** Sets the value at `path` in place (each document is made fresh), answering the document, or the value at the root. */
function withValueAt(document: Document, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let parent = document as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1] as string | number] = value;
  return document;
}

const validDocuments = [canaryRollout, analysisTemplate, experiment];

/** A valid Rollout, AnalysisTemplate or Experiment with one to three of its paths, or a new key, set to hostile values. */
export const hostileDocument: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...validDocuments),
    fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.string({ maxLength: 8 }), hostileValue), { minLength: 1, maxLength: 3 }),
  )
  .map(([makeDocument, mutations]) =>
    mutations.reduce<unknown>((document, [pathIndex, addKey, key, value]) => {
      if (typeof document !== 'object' || document === null) return document;
      const paths = pathsOf(document);
      const path = paths[pathIndex % paths.length] ?? [];
      return withValueAt(document as Document, addKey ? [...path.slice(0, -1), key] : path, value);
    }, makeDocument()),
  );

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { expect, it } from 'vitest';
import { reportAbuse } from '../support/abuse-report.js';
import { apiForThisFile } from '../support/test-api.js';
import { fuzzSeed } from '../support/fuzz-seed.js';

const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../apps/api/schema.gql', import.meta.url)), 'utf8'));
const SEED = fuzzSeed(20_250_801);
const RUNS = 300;

const { api, org } = await apiForThisFile({ cluster: 'staging' });

/** Values no well-behaved client sends, of every JSON type, so that every argument also meets the wrong type. */
const wrongTypeValue = fc.oneof(
  fc.constant({}),
  fc.constant([]),
  fc.constant(true),
  fc.constant(-0.5),
  fc.constant('7'),
  fc.constant({ nested: [null] }),
);

const hostileString = fc.oneof(
  fc.constant(''),
  fc.constant('a\u0000b'),
  fc.constant('x\uD800y'),
  fc.constant('\uDFFF'),
  fc.constant('z'.repeat(10_000)),
  fc.constant('../../etc/passwd'),
  fc.constant("'; DROP TABLE rollouts; --"),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const plausibleString = fc.oneof(
  fc.constantFrom('staging', 'default', 'demo', 'shop', 'app', 'nginx:1.27', 'canary'),
  fc.string({ maxLength: 12 }),
);
const hostileNumber = fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, -1, 0, 1.5, 1e308, -1e308, Number.MIN_VALUE);

/** What each scalar may be sent as: shapes a client would send, then hostile ones. */
function scalarValue(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case 'String':
    case 'ID':
      return fc.oneof(plausibleString, hostileString, fc.uuid());
    case 'Int':
      return fc.oneof(fc.integer({ min: -5, max: 200 }), hostileNumber);
    case 'Float':
      return fc.oneof(fc.double({ noNaN: true }), hostileNumber);
    case 'Boolean':
      return fc.boolean();
    case 'DateTime':
      return fc.oneof(
        fc
          .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
          .map((date) => date.toISOString()),
        fc.constantFrom(
          '2025-02-30T00:00:00Z',
          '10000-01-01T00:00:00Z',
          '+275760-09-13T00:00:00.000Z',
          '2025-01-01',
          'nope',
          '2025-01-01T00:00:00+99:00',
        ),
      );
    case 'JSON':
      return fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constant(Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`k${index}`, 'v']))),
      );
    default:
      throw new Error(`the fuzzer has no values for the scalar ${name}`);
  }
}

/** Values for an input type: its valid shapes, hostile values of the right type, null where it is not allowed, and wrong types. */
function inputValue(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type))
    return fc.oneof({ arbitrary: inputValue(type.ofType, depth), weight: 12 }, { arbitrary: fc.constant(null), weight: 1 });
  const value = ((): fc.Arbitrary<unknown> => {
    if (isListType(type)) {
      const item = inputValue(type.ofType, depth + 1);
      return fc.oneof(
        { arbitrary: fc.array(item, { maxLength: 3 }), weight: 6 },
        { arbitrary: item.map((entry) => Array.from({ length: 150 }, () => entry)), weight: 1 },
      );
    }
    if (isEnumType(type))
      return fc.oneof(
        { arbitrary: fc.constantFrom(...type.getValues().map((entry) => entry.name)), weight: 6 },
        { arbitrary: fc.constant('NOT_A_VALUE'), weight: 1 },
      );
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      return fc.record(Object.fromEntries(fields.map((field) => [field.name, inputValue(field.type, depth + 1)])), {
        requiredKeys: fields.filter((field) => isNonNullType(field.type)).map((field) => field.name),
      });
    }
    return scalarValue(type.name);
  })();
  return fc.oneof({ arbitrary: value, weight: 10 }, { arbitrary: fc.constant(null), weight: 1 }, { arbitrary: wrongTypeValue, weight: 1 });
}

/** A few leaf fields of what a field answers, so that its resolver's result is really serialized. */
function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '{ __typename }';
  const leaves = Object.values(named.getFields())
    .filter((child) => isLeafType(getNamedType(child.type)) && child.args.length === 0)
    .slice(0, 4)
    .map((child) => child.name);
  const lists = Object.values(named.getFields()).filter((child) => isObjectType(getNamedType(child.type)) && child.args.length === 0);
  const nested = lists.slice(0, 2).map((child) => `${child.name} ${selectionOf(child)}`);
  return `{ __typename ${[...leaves, ...nested].join(' ')} }`;
}

interface FuzzCase {
  operation: 'query' | 'mutation';
  field: string;
  document: string;
  variables: Record<string, unknown>;
  role: 'admin' | 'viewer';
}

/**
 * Every field of Query and Mutation. None of them can take the organization's own tokens away from the fuzzer:
 * revokeApiToken and rotateApiToken only meet ids the fuzzer makes up, never those of its tokens.
 */
function rootFields(operation: 'query' | 'mutation'): Array<{ operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }> {
  const root: GraphQLObjectType | null | undefined = operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  return Object.values(root?.getFields() ?? {}).map((field) => ({ operation, field }));
}

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.constantFrom(...rootFields('query'), ...rootFields('mutation')).chain(({ operation, field }) =>
  fc
    .record({
      variables: fc.record(Object.fromEntries(field.args.map((argument) => [argument.name, inputValue(argument.type)])), {
        requiredKeys: [],
      }),
      role: fc.constantFrom('admin' as const, 'viewer' as const),
    })
    .map(({ variables, role }) => {
      const declared = field.args.map((argument) => `$${argument.name}: ${String(argument.type)}`);
      const passed = field.args.map((argument) => `${argument.name}: $${argument.name}`);
      const header = declared.length > 0 ? `(${declared.join(', ')})` : '';
      const call = passed.length > 0 ? `(${passed.join(', ')})` : '';
      return {
        operation,
        field: field.name,
        document: `${operation} fuzz${header} { ${field.name}${call} ${selectionOf(field)} }`,
        variables,
        role,
      };
    }),
);

interface Outcome {
  status: number;
  codes: string[];
}

async function send(input: FuzzCase): Promise<Outcome> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${org.tokens[input.role]}` },
    body: JSON.stringify({ query: input.document, variables: input.variables }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  return { status: response.status, codes: (body.errors ?? []).map((error) => error.extensions?.code ?? 'none') };
}

/** Statuses an answer may have: success, a client's fault, and the documented refusals of an overloaded API. */
const isDocumentedStatus = (outcome: Outcome): boolean =>
  outcome.status < 500 || (outcome.status === 503 && outcome.codes.includes('request/timeout'));

it('answers every generated operation without an internal error, and stays up', async () => {
  const tally = { inputs: 0, refused: 0, accepted: 0, internal: 0, crashes: 0 };
  await fc.assert(
    fc.asyncProperty(fuzzCase, async (input) => {
      const outcome = await send(input);
      tally.inputs += 1;
      if (outcome.codes.includes('internal')) tally.internal += 1;
      else if (outcome.codes.length > 0) tally.refused += 1;
      else tally.accepted += 1;
      expect(outcome.codes, `${input.document} ${JSON.stringify(input.variables).slice(0, 500)}`).not.toContain('internal');
      expect(isDocumentedStatus(outcome), `HTTP ${outcome.status} for ${input.document}`).toBe(true);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  const health = await fetch(`${api.url}/healthz`).catch(() => undefined);
  if (!health?.ok) tally.crashes += 1;
  reportAbuse({
    kind: 'fuzz',
    surface: `GraphQL arguments (seed ${SEED})`,
    inputs: tally.inputs,
    refusedCleanly: tally.refused,
    accepted: tally.accepted,
    internalErrors: tally.internal,
    crashes: tally.crashes,
  });
  expect(tally.crashes).toBe(0);
}, 60_000);

import { readFileSync } from 'node:fs';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { graphqlData } from '../support/graphql-client.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile();

const normalise = (schema: ReturnType<typeof buildSchema>): string => printSchema(lexicographicSortSchema(schema));

describe('the committed schema.gql', () => {
  it('is the schema the API serves (regenerate it with `npm run schema:graphql`)', async () => {
    const served = await graphqlData<IntrospectionQuery>(api.url, org.tokens.viewer, getIntrospectionQuery({ descriptions: true }));
    const committed = readFileSync(new URL('../../apps/api/schema.gql', import.meta.url), 'utf8');
    expect(normalise(buildClientSchema(served))).toBe(normalise(buildSchema(committed)));
  });
});

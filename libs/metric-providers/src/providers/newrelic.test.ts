import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsFrom, startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { newRelicAdapter, NRQL_QUERY } from './newrelic.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const context = () =>
  testContext({
    secrets: secretsFrom({
      'newrelic-prod': { 'personal-api-key': 'NRAK-123', 'account-id': '1234567', 'base-url-nerdgraph': `${backend.url}/graphql` },
    }),
  });
const nerdgraph = (results: unknown[]) => JSON.stringify({ data: { actor: { account: { nrql: { results } } } } });
const QUERY =
  "FROM Transaction SELECT percentage(count(*), WHERE error is false) AS successRate WHERE appName = 'checkout' SINCE 5 minutes ago";

describe('newRelicAdapter', () => {
  it('posts NRQL to NerdGraph with the API key and account of the profile', async () => {
    backend.respond({ body: nerdgraph([{ successRate: 99.2 }]) });
    const outcome = await newRelicAdapter.measure({ profile: 'newrelic-prod', query: QUERY }, context());
    expect(outcome).toEqual({ ok: true, value: { successRate: 99.2 }, rawValue: '{"successRate":99.2}' });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({
      method: 'POST',
      path: '/graphql',
      headers: { 'api-key': 'NRAK-123', 'content-type': 'application/json' },
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({ query: NRQL_QUERY, variables: { accountId: 1234567, query: QUERY, timeout: 5 } });
    expect(NRQL_QUERY).toContain('nrql(query: $query, timeout: $timeout)');
  });

  it('passes the metric timeout to NRQL', async () => {
    backend.respond({ body: nerdgraph([{ successRate: 99.2 }]) });
    await newRelicAdapter.measure({ profile: 'newrelic-prod', query: QUERY, timeout: 45 }, context());
    expect(JSON.parse(backend.requests.at(-1)?.body ?? '')).toMatchObject({ variables: { timeout: 45 } });
  });

  it('refuses a negative timeout before sending anything', async () => {
    const sent = backend.requests.length;
    const outcome = await newRelicAdapter.measure({ profile: 'newrelic-prod', query: QUERY, timeout: -1 }, context());
    expect(outcome).toEqual({ ok: false, error: 'timeout value needs to be a positive value' });
    expect(backend.requests.length).toBe(sent);
  });

  it('hands several rows over as an array', async () => {
    backend.respond({
      body: nerdgraph([
        { facet: 'a', count: 1 },
        { facet: 'b', count: 2 },
      ]),
    });
    const outcome = await newRelicAdapter.measure({ profile: 'newrelic-prod', query: QUERY }, context());
    expect(outcome).toMatchObject({
      ok: true,
      value: [
        { facet: 'a', count: 1 },
        { facet: 'b', count: 2 },
      ],
    });
  });

  it.each([
    ['no rows', { body: nerdgraph([]) }, 'no results returned from NRQL query'],
    [
      'GraphQL errors',
      { body: JSON.stringify({ data: null, errors: [{ message: 'NRQL Syntax Error: Error at line 1' }] }) },
      'graphql: NRQL Syntax Error: Error at line 1',
    ],
    ['a 502', { status: 502, body: 'Bad Gateway' }, 'received non 2xx response code: 502'],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await newRelicAdapter.measure({ profile: 'newrelic-prod', query: QUERY }, context());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });

  it('reads the newrelic profile by default', async () => {
    await expect(newRelicAdapter.measure({ query: QUERY }, context())).resolves.toEqual({
      ok: false,
      error: 'secret "newrelic" not found',
    });
  });
});

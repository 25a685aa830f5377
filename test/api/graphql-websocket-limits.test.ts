import { createClient, type Client } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphql, graphqlData, type GraphqlError } from '../support/graphql-client.js';
import { apiForThisFile, startTestApi, type TestApi } from '../support/test-api.js';

const MAX_REQUEST_BYTES = 64 * 1024;
const { api, org } = await apiForThisFile({
  environment: {
    MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
    MAX_QUERY_DEPTH: '3',
    MAX_QUERY_COMPLEXITY: '100',
    SUBSCRIPTION_TOKEN_RECHECK_MS: '200',
    SUBSCRIPTION_MAX_CONNECTIONS_PER_TOKEN: '2',
    SUBSCRIPTION_MAX_PER_CONNECTION: '2',
  },
});

const budgeted = await startTestApi({ MAX_QUERY_COMPLEXITY: '100', RATE_LIMIT_POINTS: '200', RATE_LIMIT_ANONYMOUS_REQUESTS: '3' });
afterAll(() => budgeted.close());
const tenant = await budgeted.organization();

const AUDIT = 'subscription { auditEventAdded { action } }';
/** 10 for `rolloutChanged` and 21 for each `analysisRuns { id }`: 94. */
const COSTING_94 =
  'subscription { rolloutChanged { a: analysisRuns { id } b: analysisRuns { id } c: analysisRuns { id } d: analysisRuns { id } } }';

interface Closed {
  code: number;
  reason: string;
}

/** What a subscription got first: its first result, its errors, or the close of its connection. */
type Outcome = { data?: unknown; errors?: readonly GraphqlError[] } | Closed | 'complete';

const closedOf = (event: unknown): Closed => {
  const { code, reason } = event as Closed;
  return { code, reason };
};

function connection(target: TestApi, token: string | undefined): { client: Client; connected: Promise<void>; closed: Promise<Closed> } {
  let connected: () => void = () => undefined;
  let closed: (event: Closed) => void = () => undefined;
  const client = createClient({
    url: `${target.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: { connected: () => connected(), closed: (event) => closed(closedOf(event)) },
  });
  return {
    client,
    connected: new Promise((resolve) => (connected = resolve)),
    closed: new Promise((resolve) => (closed = resolve)),
  };
}

function firstOutcome(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (result) => resolve(result as Outcome),
        error: (error) => resolve(Array.isArray(error) ? { errors: error as GraphqlError[] } : closedOf(error)),
        complete: () => resolve('complete'),
      },
    );
  });
}

async function outcomeOver(
  target: TestApi,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Outcome> {
  const { client } = connection(target, token);
  try {
    return await firstOutcome(client, query, variables);
  } finally {
    await client.dispose();
  }
}

const codeOf = (outcome: Outcome): string | undefined =>
  typeof outcome === 'object' && 'errors' in outcome ? outcome.errors?.[0]?.extensions?.code : undefined;

async function newToken(target: TestApi, adminToken: string, name: string): Promise<{ id: string; secret: string }> {
  const issued = await graphqlData<{ createApiToken: { secret: string; token: { id: string } } }>(
    target.url,
    adminToken,
    'mutation($name: String!) { createApiToken(name: $name, role: viewer) { secret token { id } } }',
    { name },
  );
  return { id: issued.createApiToken.token.id, secret: issued.createApiToken.secret };
}

describe('graphql-ws connections are authenticated as HTTP requests are', () => {
  it('refuses a connection without a token, or with an unknown one, with 4401 before acknowledging it', async () => {
    expect(await outcomeOver(api, undefined, AUDIT)).toEqual({ code: 4401, reason: 'auth/unauthenticated: a bearer token is required' });
    expect(await outcomeOver(api, 'not-a-token', AUDIT)).toEqual({
      code: 4401,
      reason: 'auth/unauthenticated: the token is unknown or revoked',
    });
  });

  it("closes a revoked token's connection within the recheck interval", async () => {
    // Given a connection subscribed with a token
    const token = await newToken(api, org.tokens.admin, 'soon-revoked');
    const { client, connected, closed } = connection(api, token.secret);
    client.subscribe({ query: AUDIT }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await connected;

    // When the token is revoked
    await graphqlData(api.url, org.tokens.admin, 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: token.id });

    // Then its connection is closed within a few recheck intervals (200 ms)
    const timeout = new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 2_000));
    expect(await Promise.race([closed, timeout])).toEqual({ code: 4401, reason: 'auth/unauthenticated: the token is unknown or revoked' });
    await client.dispose();
  });
});

describe('graphql-ws serves subscriptions only, within the limits of HTTP', () => {
  it('refuses queries and mutations sent over the socket, running none', async () => {
    const query = await outcomeOver(api, org.tokens.viewer, '{ clusters { name } }');
    expect(query).toEqual({
      errors: [
        {
          message: 'queries and mutations are served over HTTP at /graphql; WebSocket serves subscriptions only',
          extensions: { code: 'input/invalid' },
        },
      ],
    });
    const mutation = await outcomeOver(
      api,
      org.tokens.admin,
      'mutation { createApiToken(name: "over-the-socket", role: viewer) { secret } }',
    );
    expect(codeOf(mutation)).toBe('input/invalid');
    const tokens = await graphqlData<{ apiTokens: { name: string }[] }>(api.url, org.tokens.admin, '{ apiTokens { name } }');
    expect(tokens.apiTokens.map((token) => token.name)).not.toContain('over-the-socket');
  });

  it('refuses over-deep, over-priced and out-of-bounds subscriptions with the codes HTTP answers', async () => {
    const deepOverHttp = await graphql(api.url, org.tokens.viewer, '{ rollouts { nodes { progress { abort { message } } } } }');
    const deep = await outcomeOver(api, org.tokens.viewer, 'subscription { rolloutChanged { progress { abort { message } } } }');
    expect(codeOf(deep)).toBe(deepOverHttp.errors?.[0]?.extensions?.code);
    expect(deep).toMatchObject({
      errors: [{ message: 'the query is 4 levels deep; at most 3 are allowed', extensions: { code: 'query/too_deep' } }],
    });

    const priced = `subscription { rolloutChanged { ${Array.from({ length: 5 }, (_, index) => `a${index}: analysisRuns { id }`).join(' ')} } }`;
    expect(await outcomeOver(api, org.tokens.viewer, priced)).toMatchObject({
      errors: [{ message: 'the query costs 115; at most 100 is allowed', extensions: { code: 'query/too_complex' } }],
    });

    const withNul = await outcomeOver(
      api,
      org.tokens.viewer,
      'subscription($cluster: String) { rolloutChanged(cluster: $cluster) { name } }',
      {
        cluster: 'staging\u0000',
      },
    );
    expect(withNul).toMatchObject({
      errors: [
        {
          extensions: { code: 'input/invalid', problems: [{ path: 'rolloutChanged.cluster', message: 'must not contain NUL characters' }] },
        },
      ],
    });

    const overTokens = await outcomeOver(api, org.tokens.viewer, `subscription { auditEventAdded { ${'action '.repeat(6000)} } }`);
    expect(overTokens).toMatchObject({ errors: [{ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
  });

  it('closes a connection that sends a message over MAX_REQUEST_BYTES with 1009', async () => {
    const socket = new WebSocket(`${api.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    const acknowledged = new Promise<void>((resolve) => socket.once('message', () => resolve()));
    await new Promise<void>((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${org.tokens.viewer}` } }));
    await acknowledged;
    const variables = { cluster: 'x'.repeat(MAX_REQUEST_BYTES) };
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription($cluster: String) { rolloutChanged(cluster: $cluster) { name } }', variables },
      }),
    );
    expect(await closed).toBe(1009);
  });
});

describe('graphql-ws connections and subscriptions are capped', () => {
  it('refuses a token more connections than SUBSCRIPTION_MAX_CONNECTIONS_PER_TOKEN', async () => {
    const token = await newToken(api, org.tokens.admin, 'many-tabs');
    const open = [connection(api, token.secret), connection(api, token.secret)];
    await Promise.all(open.map((each) => each.connected));
    const third = connection(api, token.secret);
    expect(await third.closed).toEqual({
      code: 1013,
      reason: 'rate_limited: this token has 2 subscription connections open; at most 2 are allowed',
    });
    for (const each of [...open, third]) await each.client.dispose();
  });

  it('refuses a connection more subscriptions than SUBSCRIPTION_MAX_PER_CONNECTION', async () => {
    const { client, connected } = connection(api, org.tokens.viewer);
    await connected;
    const sink = { next: () => undefined, error: () => undefined, complete: () => undefined };
    client.subscribe({ query: AUDIT }, sink);
    client.subscribe({ query: AUDIT }, sink);
    expect(await firstOutcome(client, AUDIT)).toEqual({
      errors: [{ message: 'this connection has 2 subscriptions; at most 2 are allowed', extensions: { code: 'rate_limited' } }],
    });
    await client.dispose();
  });
});

describe('budgets', () => {
  it("charges each subscription's price to its token's budget", async () => {
    const { client, connected } = connection(budgeted, tenant.tokens.viewer);
    await connected;
    const sink = { next: () => undefined, error: () => undefined, complete: () => undefined };
    client.subscribe({ query: COSTING_94 }, sink);
    client.subscribe({ query: COSTING_94 }, sink);
    expect(codeOf(await firstOutcome(client, COSTING_94))).toBe('rate_limited');
    await client.dispose();
  });

  it('refuses an address that has spent its budget without a valid token before looking its token up, over HTTP and WebSocket', async () => {
    // Given three connection attempts with an unknown token, the address's whole budget
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect(await outcomeOver(budgeted, 'not-a-token', AUDIT)).toMatchObject({ code: 4401 });

    // Then even a valid token is refused from that address, over HTTP and WebSocket
    const overHttp = await graphql(budgeted.url, tenant.tokens.admin, '{ clusters { name } }');
    expect(overHttp.status).toBe(429);
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('rate_limited');
    expect(await outcomeOver(budgeted, tenant.tokens.admin, AUDIT)).toMatchObject({
      code: 1013,
      reason: expect.stringMatching(/^rate_limited: this address without a valid token has spent its request budget/) as string,
    });
  });
});

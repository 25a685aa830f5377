import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doublingFragments } from '../../apps/api/src/common/graphql/documents.test-support.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { eventually } from '../support/processes.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { apiForThisFile, startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const codeOf = (response: { errors?: { extensions?: { code?: string } }[] | undefined }): string | undefined =>
  response.errors?.[0]?.extensions?.code;

describe('operations are priced by what their fields cost', () => {
  it('answers verifyAuditChain once per request, and refuses hundreds of aliases of it', async () => {
    expect((await graphqlData(api.url, org.tokens.viewer, '{ verifyAuditChain { valid } }')).verifyAuditChain).toEqual({ valid: true });
    const twice = await graphql(api.url, org.tokens.viewer, '{ a: verifyAuditChain { valid } b: verifyAuditChain { valid } }');
    expect(twice.status).toBe(400);
    expect(twice.errors?.[0]).toMatchObject({
      message: 'Query.verifyAuditChain may be asked for once per request',
      extensions: { code: 'query/too_complex' },
    });
    const aliases = Array.from({ length: 500 }, (_, index) => `a${index}: verifyAuditChain { valid }`).join(' ');
    expect(codeOf(await graphql(api.url, org.tokens.viewer, `{ ${aliases} }`))).toBe('query/too_complex');
  });

  it('refuses operations with too many aliases', async () => {
    const aliases = Array.from({ length: 60 }, (_, index) => `a${index}: name`).join(' ');
    const response = await graphql(api.url, org.tokens.viewer, `{ clusters { ${aliases} } }`);
    expect(response.errors?.[0]?.message).toBe('the query has 60 aliases; at most 50 are allowed');
  });

  it('refuses documents of more tokens than allowed before building them', async () => {
    const response = await graphql(api.url, org.tokens.viewer, `{ ${'__typename '.repeat(6000)} }`);
    expect(codeOf(response)).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.errors?.[0]?.message).toMatch(/5000 tokens/);
  });

  it('refuses at once, from anyone, 2.4 KB of fragments that spread 2^60 fields, and goes on serving', { timeout: 5000 }, async () => {
    const response = await graphql(api.url, undefined, doublingFragments(60));
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('query/too_complex');
    expect(await graphqlData(api.url, org.tokens.viewer, '{ clusters { name } }')).toEqual({ clusters: [{ name: 'staging' }] });
  });
});

describe('arguments are bounded and checked before any resolver runs', () => {
  const rolloutsByLabels = 'query($labels: [String!]) { rollouts(filter: { labels: $labels }) { nodes { id } } }';

  it.each([
    ['65 label filters', 65],
    ['50,000 label filters', 50_000],
  ])('refuses %s, naming the argument', async (_title, count) => {
    const labels = Array.from({ length: count }, (_, index) => `k${index}=v`);
    const response = await graphql(api.url, org.tokens.viewer, rolloutsByLabels, { labels });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toEqual({
      code: 'input/invalid',
      problems: [{ path: 'rollouts.filter.labels', message: 'must have at most 64 entries' }],
    });
  });

  it.each([
    ['a NUL character', 'shop\u0000', 'must not contain NUL characters', 'input/invalid'],
    // GraphQL's lexer refuses a lone surrogate escape in a literal itself.
    ['a lone surrogate', 'shop\uD800', 'must be valid Unicode (it holds a lone surrogate)', 'GRAPHQL_PARSE_FAILED'],
    ['a string over the length bound', 'x'.repeat(4097), 'must be at most 4096 characters long', 'input/invalid'],
  ])('refuses %s in a string argument, literal or variable', async (_title, value, message, literalCode) => {
    const literal = await graphql(
      api.url,
      org.tokens.viewer,
      `{ r: rollout(cluster: "staging", namespace: ${JSON.stringify(value)}, name: "a") { id } }`,
    );
    expect(codeOf(literal)).toBe(literalCode);
    if (literalCode === 'input/invalid') expect(literal.errors?.[0]?.extensions?.problems).toEqual([{ path: 'r.namespace', message }]);
    const variable = await graphql(
      api.url,
      org.tokens.viewer,
      'query($ref: RolloutRef!) { rolloutRevisions(rollout: $ref) { revision } }',
      {
        ref: { cluster: 'staging', namespace: value, name: 'a' },
      },
    );
    expect(variable.errors?.[0]?.extensions).toEqual({
      code: 'input/invalid',
      problems: [{ path: 'rolloutRevisions.rollout.namespace', message }],
    });
  });

  it('refuses NUL characters and oversized lists inside JSON arguments', async () => {
    const register = 'mutation($labels: JSON) { registerCluster(name: "prod", labels: $labels) { agentToken } }';
    const nul = await graphql(api.url, org.tokens.admin, register, { labels: { env: 'prod\u0000' } });
    expect(nul.errors?.[0]?.extensions).toEqual({
      code: 'input/invalid',
      problems: [{ path: 'registerCluster.labels.env', message: 'must not contain NUL characters' }],
    });
    const wide = await graphql(api.url, org.tokens.admin, register, {
      labels: Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`k${index}`, 'v'])),
    });
    expect(codeOf(wide)).toBe('input/invalid');
    expect(await api.database.cluster.count({ where: { organizationId: org.id, name: 'prod' } })).toBe(0);
  });

  it.each(['nope', '2025-02-30T00:00:00Z', '10000-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2025-01-01'])(
    'refuses the date %j as bad input',
    async (date) => {
      const variable = await graphql(
        api.url,
        org.tokens.viewer,
        'query($from: DateTime) { auditEvents(filter: { from: $from }) { nodes { id } } }',
        { from: date },
      );
      expect(variable.status).toBe(400);
      expect(codeOf(variable)).toBe('BAD_USER_INPUT');
      const literal = await graphql(
        api.url,
        org.tokens.viewer,
        `{ auditEvents(filter: { to: ${JSON.stringify(date)} }) { nodes { id } } }`,
      );
      expect(codeOf(literal)).toBe('GRAPHQL_VALIDATION_FAILED');
    },
  );

  it('accepts dates with an offset', async () => {
    const response = await graphql(
      api.url,
      org.tokens.viewer,
      '{ auditEvents(filter: { from: "2020-02-29T23:00:00.5+01:00", to: "2999-12-31T23:59:59Z" }) { nodes { action } } }',
    );
    expect(response.errors).toBeUndefined();
  });
});

describe('requests GraphQL over HTTP does not serve are refused cleanly', () => {
  it('refuses a subscription sent over HTTP', async () => {
    const response = await graphql(api.url, org.tokens.viewer, 'subscription { auditEventAdded { action } }');
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('input/invalid');
  });

  it('refuses persisted queries', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.tokens.viewer}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });
});

describe('a request over its time or its budget', () => {
  let limited: TestApi;
  let limitedOrg: TestOrganization;

  beforeAll(async () => {
    limited = await startTestApi({
      REQUEST_TIMEOUT_MS: '1500',
      MAX_QUERY_COMPLEXITY: '300',
      RATE_LIMIT_POINTS: '400',
      RATE_LIMIT_ANONYMOUS_REQUESTS: '3',
    });
    limitedOrg = await limited.organization({ cluster: 'staging' });
    await graphqlData(
      limited.url,
      limitedOrg.tokens.deployer,
      'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
      {
        yaml: toYaml(canaryRollout('checkout')),
      },
    );
  });
  afterAll(() => limited.close());

  it('is answered request/timeout while the database holds it up, and its work is abandoned', async () => {
    const locker = new pg.Client({ connectionString: limited.environment.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM "Rollout" WHERE "organizationId" = $1 FOR UPDATE`, [limitedOrg.id]);
      const response = await graphql(
        limited.url,
        limitedOrg.tokens.deployer,
        'mutation { pause(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }) { id } }',
      );
      expect(response.status).toBe(503);
      expect(response.errors?.[0]?.extensions?.code).toBe('request/timeout');
      const waitingOnLocks = async (): Promise<number> =>
        Number(
          (
            await locker.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rows[0]?.n,
        );
      await eventually(async () => (await waitingOnLocks()) === 0, 10_000, 'the statement waiting on the lock to be cancelled');
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    expect(await limited.database.rolloutOperation.count({ where: { rollout: { organizationId: limitedOrg.id } } })).toBe(0);
  });

  it('answers rate_limited with a retry delay once a token has spent its points, its price per operation', async () => {
    const costly = '{ rollouts(page: { first: 25 }) { nodes { id name } } }';
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let attempt = 0; attempt < 10 && !refused; attempt += 1) {
      const response = await fetch(`${limited.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${limitedOrg.tokens.viewer}` },
        body: JSON.stringify({ query: costly }),
      });
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(await refused?.json()).toMatchObject({ errors: [{ extensions: { code: 'rate_limited', retryAfterSeconds: retryAfter } }] });
    // Another token of the same organization keeps its own budget.
    expect((await graphql(limited.url, limitedOrg.tokens.deployer, costly)).status).toBe(200);
  });

  describe('a list is priced by the items it can serve, however its page is given', () => {
    const nodes = 'nodes { id name }';
    it.each<[string, string, Record<string, unknown>, number]>([
      ['no page, which serves 50', '{ rollouts { nodes { id name cluster namespace phase message } } }', {}, 20 + 50 * 7],
      ['a page in a variable', `query($page: PageInput) { rollouts(page: $page) { ${nodes} } }`, { page: { first: 500 } }, 20 + 500 * 3],
      [
        'a page size in a variable left to its default',
        `query($first: Int! = 500) { rollouts(page: { first: $first }) { ${nodes} } }`,
        {},
        20 + 500 * 3,
      ],
      [
        'a negative page size beside a full page',
        `{ refused: rollouts(page: { first: -1000000 }) { ${nodes} } served: rollouts(page: { first: 500 }) { ${nodes} } }`,
        {},
        20 + 1 * 3 + 20 + 500 * 3,
      ],
    ])('refuses %s at the price of what it serves', async (_title, query, variables, price) => {
      const response = await graphql(limited.url, limitedOrg.tokens.admin, query, variables);
      expect(response.status).toBe(400);
      expect(response.errors?.[0]).toMatchObject({
        message: `the query costs ${price}; at most 300 is allowed`,
        extensions: { code: 'query/too_complex' },
      });
    });

    it('serves a small page given in a variable', async () => {
      const response = await graphql(
        limited.url,
        limitedOrg.tokens.admin,
        `query($page: PageInput) { rollouts(page: $page) { ${nodes} } }`,
        {
          page: { first: 30 },
        },
      );
      expect(response.errors).toBeUndefined();
    });
  });

  it('gives requests without a valid token a small budget of their own', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await graphql(limited.url, 'not-a-token', '{ me { role } }')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

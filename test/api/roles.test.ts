import { beforeAll, describe, expect, it } from 'vitest';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, exampleManifest, toYaml } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const rollout = { cluster: 'staging', namespace: 'shop', name: 'checkout' };
type Role = 'viewer' | 'deployer' | 'admin';

beforeAll(async () => {
  await graphqlData(
    api.url,
    org.tokens.deployer,
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    {
      yaml: toYaml(canaryRollout('checkout')),
    },
  );
});

/** Each mutation, the least role allowed to run it, and its variables. */
const mutations: [string, Role, string, () => Record<string, unknown>][] = [
  [
    'applyManifests',
    'deployer',
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    () => ({ yaml: toYaml(canaryRollout('checkout')) }),
  ],
  [
    'setImage',
    'deployer',
    'mutation($r: RolloutRef!) { setImage(rollout: $r, container: "checkout", image: "demo:2") { state } }',
    () => ({ r: rollout }),
  ],
  ['promote', 'deployer', 'mutation($r: RolloutRef!) { promote(rollout: $r) { state } }', () => ({ r: rollout })],
  ['promote full', 'deployer', 'mutation($r: RolloutRef!) { promote(rollout: $r, full: true) { state } }', () => ({ r: rollout })],
  ['abort', 'deployer', 'mutation($r: RolloutRef!) { abort(rollout: $r) { state } }', () => ({ r: rollout })],
  ['retry', 'deployer', 'mutation($r: RolloutRef!) { retry(rollout: $r) { state } }', () => ({ r: rollout })],
  ['pause', 'deployer', 'mutation($r: RolloutRef!) { pause(rollout: $r) { state } }', () => ({ r: rollout })],
  ['resume', 'deployer', 'mutation($r: RolloutRef!) { resume(rollout: $r) { state } }', () => ({ r: rollout })],
  ['restart', 'deployer', 'mutation($r: RolloutRef!) { restart(rollout: $r) { state } }', () => ({ r: rollout })],
  ['undo', 'deployer', 'mutation($r: RolloutRef!) { undo(rollout: $r) { state } }', () => ({ r: rollout })],
  [
    'registerCluster',
    'admin',
    'mutation($n: String!) { registerCluster(name: $n) { agentToken } }',
    () => ({ n: `c-${Math.random().toString(36).slice(2, 8)}` }),
  ],
  ['rotateClusterAgentToken', 'admin', 'mutation { rotateClusterAgentToken(name: "staging") { agentToken } }', () => ({})],
  ['createApiToken', 'admin', 'mutation { createApiToken(name: "ci", role: viewer) { secret } }', () => ({})],
  [
    'applyManifests of a ClusterAnalysisTemplate',
    'admin',
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    () => ({ yaml: exampleManifest('success-rate-cluster-analysis-template.yaml') }),
  ],
  [
    'updateClusterLabels',
    'admin',
    'mutation { updateClusterLabels(cluster: "staging", labels: { env: "staging" }) { labels } }',
    () => ({}),
  ],
  [
    'applyManifests of a FleetRollout',
    'admin',
    'mutation($yaml: String!) { applyManifests(yaml: $yaml) { name } }',
    () => ({
      yaml: toYaml({
        apiVersion: 'flotilla.io/v1alpha1',
        kind: 'FleetRollout',
        metadata: { name: `fleet-${Math.random().toString(36).slice(2, 8)}` },
        spec: { rollout: { namespace: 'shop', name: 'checkout' }, waves: [{ name: 'all' }] },
      }),
    }),
  ],
  [
    'breakGlass',
    'admin',
    'mutation($r: RolloutRef!) { breakGlass(target: { rollout: $r }, reason: "hotfix", durationSeconds: 600) { state } }',
    () => ({ r: rollout }),
  ],
  [
    'updateOrganizationSettings',
    'admin',
    'mutation { updateOrganizationSettings(breakGlassNeedsSecondAdmin: false) { breakGlassNeedsSecondAdmin } }',
    () => ({}),
  ],
];

const ROLES: Role[] = ['viewer', 'deployer', 'admin'];
const RANK: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };

describe('roles are enforced on every mutation', () => {
  const cases = mutations.flatMap(([name, least, query, variables]) =>
    ROLES.map((role) => [name, role, RANK[role] >= RANK[least], query, variables] as const),
  );

  it.each(cases)('%s as %s → allowed: %s', async (_name, role, allowed, query, variables) => {
    const auditBefore = await api.database.auditEvent.count({ where: { organizationId: org.id } });
    const response = await graphql(api.url, org.tokens[role], query, variables());
    if (allowed) {
      expect(response.errors).toBeUndefined();
    } else {
      expect(response.errors?.[0]?.extensions?.code).toBe('auth/forbidden');
      expect(response.data).toBeNull();
      expect(await api.database.auditEvent.count({ where: { organizationId: org.id } })).toBe(auditBefore);
    }
  });

  it('lets viewers read but not list tokens', async () => {
    expect(
      (
        await graphql(
          api.url,
          org.tokens.viewer,
          '{ rollouts { nodes { name } } auditEvents { nodes { action } } fleetRollouts { name plan { unassigned } currentRelease { number } } }',
        )
      ).errors,
    ).toBeUndefined();
    expect((await graphql(api.url, org.tokens.viewer, '{ apiTokens { name } }')).errors?.[0]?.extensions?.code).toBe('auth/forbidden');
  });

  it('rotates and revokes tokens: the old secret stops working at once', async () => {
    const issued = await graphqlData<{ createApiToken: { token: { id: string }; secret: string } }>(
      api.url,
      org.tokens.admin,
      'mutation { createApiToken(name: "rotating", role: deployer) { token { id } secret } }',
    );
    const { id } = issued.createApiToken.token;
    const rotated = await graphqlData<{ rotateApiToken: { secret: string } }>(
      api.url,
      org.tokens.admin,
      'mutation($id: ID!) { rotateApiToken(id: $id) { secret } }',
      { id },
    );
    expect((await graphql(api.url, issued.createApiToken.secret, '{ clusters { name } }')).errors?.[0]?.extensions?.code).toBe(
      'auth/unauthenticated',
    );
    expect((await graphql(api.url, rotated.rotateApiToken.secret, '{ clusters { name } }')).errors).toBeUndefined();

    await graphqlData(api.url, org.tokens.admin, 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id });
    expect((await graphql(api.url, rotated.rotateApiToken.secret, '{ clusters { name } }')).errors?.[0]?.extensions?.code).toBe(
      'auth/unauthenticated',
    );
    const stored = await api.database.apiToken.findUniqueOrThrow({ where: { id } });
    expect(stored.tokenHash).not.toContain(rotated.rotateApiToken.secret);
    expect(JSON.stringify(await api.database.auditEvent.findMany({ where: { organizationId: org.id } }))).not.toContain(
      rotated.rotateApiToken.secret,
    );
  });

  it.each([
    ['no token', undefined],
    ['an unknown token', 'flt_not-a-real-token'],
    ['a malformed header', 'Basic abc'],
  ])('answers auth/unauthenticated for %s', async (_title, token) => {
    const response = token?.startsWith('Basic')
      ? await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: token },
          body: JSON.stringify({ query: '{ clusters { name } }' }),
        }).then((r) => r.json() as Promise<{ errors: { extensions: { code: string } }[] }>)
      : await graphql(api.url, token, '{ clusters { name } }');
    expect(response.errors?.[0]?.extensions?.code).toBe('auth/unauthenticated');
  });
});

describe('me', () => {
  it.each(['viewer', 'deployer', 'admin'] as const)('tells a %s token who it is', async (role) => {
    const answer = await graphqlData<{ me: unknown }>(api.url, org.tokens[role], '{ me { organization tokenName role } }');
    expect(answer.me).toEqual({ organization: org.name, tokenName: role, role });
  });
});

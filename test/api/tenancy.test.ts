import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, exampleManifest, toYaml } from '../support/manifests.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
let acme: TestOrganization;
let globex: TestOrganization;

const APPLY = 'mutation($yaml: String!) { applyManifests(cluster: "production", namespace: "shop", yaml: $yaml) { name } }';
const ROLLOUT_REF = { cluster: 'production', namespace: 'shop', name: 'checkout' };

beforeAll(async () => {
  api = await startTestApi();
  acme = await api.organization({ cluster: 'production' });
  globex = await api.organization({ cluster: 'production' });
  await graphqlData(api.url, acme.tokens.admin, APPLY, {
    yaml: [toYaml(canaryRollout('checkout')), exampleManifest('success-rate-cluster-analysis-template.yaml')].join('---\n'),
  });
  await graphqlData(api.url, globex.tokens.admin, APPLY, { yaml: toYaml(canaryRollout('storefront')) });
});
afterAll(() => api.close());

describe('tenancy: an organization sees and touches only its own objects', () => {
  it('lists only its own clusters, rollouts, templates and audit events', async () => {
    const seen = await graphqlData<Record<string, { nodes?: { name?: string; targetName?: string }[] } & unknown[]>>(
      api.url,
      globex.tokens.viewer,
      `{ clusters { id name } rollouts { nodes { name } } clusterAnalysisTemplates { name }
         analysisTemplates { name } auditEvents(page: { first: 500 }) { nodes { targetName } } }`,
    );
    expect(seen.rollouts?.nodes?.map((rollout) => rollout.name)).toEqual(['storefront']);
    expect(seen.clusterAnalysisTemplates).toEqual([]);
    expect(JSON.stringify(seen.auditEvents)).not.toContain('checkout');
    const acmeCluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: acme.id } });
    expect((seen.clusters as unknown as { id: string }[]).map((cluster) => cluster.id)).not.toContain(acmeCluster.id);
  });

  it("answers not-found, never data, for another organization's rollout", async () => {
    const response = await graphql(
      api.url,
      globex.tokens.admin,
      '{ rollout(cluster: "production", namespace: "shop", name: "checkout") { name spec } }',
    );
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('rollout/not_found');
  });

  it.each([
    ['promote', 'promote(rollout: $rollout) { id }'],
    ['abort', 'abort(rollout: $rollout) { id }'],
    ['setImage', 'setImage(rollout: $rollout, container: "checkout", image: "x:2") { id }'],
    ['deleteRollout', 'deleteRollout(rollout: $rollout) { id }'],
    ['rolloutRevisions', 'rolloutRevisions(rollout: $rollout) { revision }'],
  ])("refuses %s on another organization's rollout as not found", async (name, selection) => {
    const operation = name === 'rolloutRevisions' ? 'query' : 'mutation';
    const response = await graphql(api.url, globex.tokens.admin, `${operation}($rollout: RolloutRef!) { ${selection} }`, {
      rollout: ROLLOUT_REF,
    });
    expect(response.errors?.[0]?.extensions?.code).toBe('rollout/not_found');
    expect(await api.database.rollout.count({ where: { organizationId: acme.id, name: 'checkout' } })).toBe(1);
    expect(await api.database.rolloutOperation.count({ where: { organizationId: globex.id } })).toBe(0);
  });

  it("keeps each organization's audit chain separate and valid", async () => {
    for (const org of [acme, globex]) {
      const verdict = await graphqlData<{ verifyAuditChain: { valid: boolean } }>(
        api.url,
        org.tokens.viewer,
        '{ verifyAuditChain { valid checkedEvents reason brokenAtSequence } }',
      );
      expect(verdict.verifyAuditChain).toMatchObject({ valid: true, reason: null });
    }
  });

  it("cannot revoke another organization's token", async () => {
    const acmeToken = await api.database.apiToken.findFirstOrThrow({ where: { organizationId: acme.id, name: 'viewer' } });
    const response = await graphql(api.url, globex.tokens.admin, 'mutation($id: ID!) { revokeApiToken(id: $id) { id } }', {
      id: acmeToken.id,
    });
    expect(response.errors?.[0]?.extensions?.code).toBe('token/not_found');
    expect((await api.database.apiToken.findUniqueOrThrow({ where: { id: acmeToken.id } })).revokedAt).toBeNull();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const names = Array.from({ length: 23 }, (_, index) => `app-${String(index).padStart(2, '0')}`);

beforeAll(async () => {
  await graphqlData(api.url, org.tokens.admin, 'mutation { registerCluster(name: "production") { agentToken } }');
  const apply =
    'mutation($cluster: String!, $namespace: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { name } }';
  const documents = names.map((name, index) => {
    const rollout = canaryRollout(name);
    rollout.metadata.labels.tier = index % 2 === 0 ? 'web' : 'worker';
    return rollout;
  });
  await graphqlData(api.url, org.tokens.deployer, apply, {
    cluster: 'staging',
    namespace: 'shop',
    yaml: toYaml(...documents.slice(0, 15)),
  });
  await graphqlData(api.url, org.tokens.deployer, apply, {
    cluster: 'production',
    namespace: 'shop',
    yaml: toYaml(...documents.slice(15)),
  });
});

type Page = { rollouts: { nodes: { cluster: string; name: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
const LIST = `query($filter: RolloutFilter, $page: PageInput) {
  rollouts(filter: $filter, page: $page) { nodes { cluster name } pageInfo { endCursor hasNextPage } }
}`;

async function readAll(filter: Record<string, unknown>, first: number): Promise<{ names: string[]; pages: number }> {
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const data: Page = await graphqlData<Page>(api.url, org.tokens.viewer, LIST, { filter, page: { first, after } });
    pages += 1;
    seen.push(...data.rollouts.nodes.map((node) => node.name));
    if (!data.rollouts.pageInfo.hasNextPage) return { names: seen, pages };
    after = data.rollouts.pageInfo.endCursor;
  }
}

describe('cursor pagination', () => {
  it.each([1, 4, 10, 23, 50])('walks every rollout exactly once with pages of %i', async (first) => {
    const { names: seen, pages } = await readAll({}, first);
    expect([...seen].sort()).toEqual(names);
    expect(new Set(seen).size).toBe(names.length);
    expect(pages).toBe(Math.max(1, Math.ceil(names.length / first)));
  });

  it('combines filters with pages', async () => {
    expect((await readAll({ cluster: 'production' }, 3)).names).toEqual(names.slice(15));
    expect((await readAll({ labels: ['tier=worker'], cluster: 'staging' }, 2)).names).toEqual(
      names.slice(0, 15).filter((_, index) => index % 2 === 1),
    );
    expect((await readAll({ phase: 'Pending', namespace: 'shop' }, 7)).names).toHaveLength(23);
    expect((await readAll({ phase: 'Healthy' }, 7)).names).toEqual([]);
  });

  it('pages audit events newest first without gaps', async () => {
    const sequences: number[] = [];
    let after: string | null = null;
    for (;;) {
      const data: { auditEvents: { nodes: { sequence: number }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } } =
        await graphqlData(
          api.url,
          org.tokens.viewer,
          'query($page: PageInput) { auditEvents(page: $page) { nodes { sequence } pageInfo { endCursor hasNextPage } } }',
          { page: { first: 5, after } },
        );
      sequences.push(...data.auditEvents.nodes.map((node) => node.sequence));
      if (!data.auditEvents.pageInfo.hasNextPage) break;
      after = data.auditEvents.pageInfo.endCursor;
    }
    const total = await api.database.auditEvent.count({ where: { organizationId: org.id } });
    expect(sequences).toEqual(Array.from({ length: total }, (_, index) => total - index));
  });

  it.each([
    [{ first: 0 }, 'page.first'],
    [{ first: 501 }, 'page.first'],
    [{ first: 5, after: 'not-a-cursor' }, 'page.after'],
    [{ first: 5, after: Buffer.from(JSON.stringify({ sequence: 3 })).toString('base64url') }, 'page.after'],
  ])('refuses the page %j', async (page, path) => {
    const response = await graphql(api.url, org.tokens.viewer, LIST, { page });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'input/invalid', problems: [{ path }] });
  });
});

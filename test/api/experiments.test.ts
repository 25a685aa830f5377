import type { ExperimentStatus } from '@flotilla/rollout-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
let acme: TestOrganization;
let globex: TestOrganization;

const experimentSpec = {
  duration: '5m',
  templates: [
    {
      name: 'baseline',
      replicas: 1,
      selector: { matchLabels: { app: 'checkout' } },
      template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'checkout', image: 'shop/checkout:1' }] } },
    },
    {
      name: 'canary',
      replicas: 1,
      selector: { matchLabels: { app: 'checkout' } },
      template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'checkout', image: 'shop/checkout:2' }] } },
    },
  ],
  analyses: [{ name: 'compare', templateName: 'success-rate', requiredForCompletion: true }],
};

const template = (name: string, podTemplateHash: string, status: 'Running' | 'Successful', ready: number) => ({
  name,
  status,
  message: status === 'Running' ? '' : 'experiment completed',
  podTemplateHash,
  replicas: 1,
  readyReplicas: ready,
  availableReplicas: ready,
  lastTransitionTime: '2026-11-20T10:01:00.000Z',
});

const runningStatus: ExperimentStatus = {
  phase: 'Running',
  message: '',
  availableAt: '2026-11-20T10:01:00.000Z',
  finishedAt: undefined,
  templateStatuses: [template('baseline', '5d8f7c', 'Running', 1), template('canary', '7b9c4d', 'Running', 0)],
  analysisRuns: [{ name: 'compare', analysisRun: 'smoke-test-compare', phase: 'Running', message: '' }],
};

const successfulStatus: ExperimentStatus = {
  phase: 'Successful',
  message: 'analysis compare successful',
  availableAt: '2026-11-20T11:00:30.000Z',
  finishedAt: '2026-11-20T11:05:30.000Z',
  templateStatuses: [template('baseline', '6a1b2c', 'Successful', 1), template('canary', '6a1b2d', 'Successful', 1)],
  analysisRuns: [{ name: 'compare', analysisRun: 'checkout-6c8f9d-2-1-compare', phase: 'Successful', message: 'all measurements passed' }],
};

const json = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;

async function clusterOf(org: TestOrganization, name: string): Promise<string> {
  return (await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name } })).id;
}

beforeAll(async () => {
  api = await startTestApi();
  acme = await api.organization({ cluster: 'staging' });
  globex = await api.organization({ cluster: 'staging' });
  await graphqlData(api.url, acme.tokens.admin, 'mutation { registerCluster(name: "production") { agentToken } }');
  await graphqlData(
    api.url,
    acme.tokens.deployer,
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    {
      yaml: toYaml(canaryRollout('checkout')),
    },
  );
  const staging = await clusterOf(acme, 'staging');
  const rollout = await api.database.rollout.findFirstOrThrow({ where: { organizationId: acme.id, name: 'checkout' } });

  await api.database.experiment.create({
    data: {
      organizationId: acme.id,
      clusterId: staging,
      namespace: 'shop',
      name: 'smoke-test',
      spec: json(experimentSpec),
      phase: 'Running',
      status: json(runningStatus),
    },
  });
  const ofRollout = await api.database.experiment.create({
    data: {
      organizationId: acme.id,
      clusterId: staging,
      rolloutId: rollout.id,
      namespace: 'shop',
      name: 'checkout-6c8f9d-2-1',
      podTemplateHash: '6c8f9d',
      stepIndex: 1,
      spec: json(experimentSpec),
      phase: 'Successful',
      message: 'analysis compare successful',
      status: json(successfulStatus),
      releasedAt: new Date('2026-11-20T11:06:00.000Z'),
    },
  });
  await api.database.analysisRun.create({
    data: {
      organizationId: acme.id,
      clusterId: staging,
      rolloutId: rollout.id,
      experimentId: ofRollout.id,
      namespace: 'shop',
      name: 'checkout-6c8f9d-2-1-compare',
      kind: 'experiment',
      podTemplateHash: '6c8f9d',
      spec: json({ analysis: { templates: [{ templateName: 'success-rate' }] }, stablePodTemplateHash: null }),
      phase: 'Successful',
      message: 'all measurements passed',
      startedAt: new Date('2026-11-20T11:00:30.000Z'),
      finishedAt: new Date('2026-11-20T11:05:30.000Z'),
      measurements: {
        create: [1, 0].map((index) => ({
          metricName: 'success-rate',
          index,
          phase: 'Successful',
          value: `[0.9${index}]`,
          startedAt: new Date(`2026-11-20T11:0${index + 1}:00.000Z`),
          finishedAt: new Date(`2026-11-20T11:0${index + 1}:01.000Z`),
        })),
      },
    },
  });
  await api.database.experiment.create({
    data: {
      organizationId: acme.id,
      clusterId: await clusterOf(acme, 'production'),
      namespace: 'load',
      name: 'load-test',
      spec: json(experimentSpec),
    },
  });
  await api.database.experiment.create({
    data: {
      organizationId: globex.id,
      clusterId: await clusterOf(globex, 'staging'),
      namespace: 'shop',
      name: 'globex-trial',
      spec: json(experimentSpec),
    },
  });
});
afterAll(() => api.close());

const FIELDS = `id cluster namespace name rollout stepIndex podTemplateHash phase message availableAt finishedAt releasedAt createdAt spec
  templates { name status message podTemplateHash replicas readyReplicas availableReplicas }
  analyses { name analysisRun phase message }`;

type ExperimentNode = { id: string; cluster: string; namespace: string; name: string } & Record<string, unknown>;
type ExperimentList = { experiments: { nodes: ExperimentNode[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };

async function list(
  token: string,
  filter: Record<string, unknown> = {},
  page?: { first: number; after?: string | null },
): Promise<ExperimentList['experiments']> {
  const data = await graphqlData<ExperimentList>(
    api.url,
    token,
    `query($filter: ExperimentFilter, $page: PageInput) {
    experiments(filter: $filter, page: $page) { nodes { ${FIELDS} } pageInfo { endCursor hasNextPage } }
  }`,
    { filter, page },
  );
  return data.experiments;
}

const namesOf = async (filter: Record<string, unknown>): Promise<string[]> =>
  (await list(acme.tokens.viewer, filter)).nodes.map((node) => node.name);

describe('experiments query', () => {
  it("lists the organization's experiments newest first, standalone and of rollouts", async () => {
    const stored = await api.database.experiment.findMany({ where: { organizationId: acme.id }, orderBy: { id: 'desc' } });
    const { nodes, pageInfo } = await list(acme.tokens.viewer);
    expect(nodes.map((node) => node.name)).toEqual(stored.map((row) => row.name));
    expect(nodes.map((node) => node.name).sort()).toEqual(['checkout-6c8f9d-2-1', 'load-test', 'smoke-test']);
    expect(pageInfo.hasNextPage).toBe(false);
  });

  it('answers a standalone experiment with its templates and analyses from its status', async () => {
    const [smoke] = (await list(acme.tokens.viewer, { name: 'smoke-test' })).nodes;
    expect(smoke).toMatchObject({
      cluster: 'staging',
      namespace: 'shop',
      name: 'smoke-test',
      rollout: null,
      stepIndex: null,
      podTemplateHash: null,
      phase: 'Running',
      message: '',
      availableAt: '2026-11-20T10:01:00.000Z',
      finishedAt: null,
      releasedAt: null,
      spec: experimentSpec,
      templates: [
        {
          name: 'baseline',
          status: 'Running',
          message: '',
          podTemplateHash: '5d8f7c',
          replicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
        },
        { name: 'canary', status: 'Running', message: '', podTemplateHash: '7b9c4d', replicas: 1, readyReplicas: 0, availableReplicas: 0 },
      ],
      analyses: [{ name: 'compare', analysisRun: 'smoke-test-compare', phase: 'Running', message: '' }],
    });
    expect(Number.isNaN(Date.parse(smoke?.createdAt as string))).toBe(false);
  });

  it('answers an experiment of a rollout with its rollout, step and revision, and one not yet reconciled with empty status', async () => {
    const [ofRollout] = (await list(acme.tokens.viewer, { rollout: 'checkout' })).nodes;
    expect(ofRollout).toMatchObject({
      name: 'checkout-6c8f9d-2-1',
      rollout: 'checkout',
      stepIndex: 1,
      podTemplateHash: '6c8f9d',
      phase: 'Successful',
      message: 'analysis compare successful',
      availableAt: '2026-11-20T11:00:30.000Z',
      finishedAt: '2026-11-20T11:05:30.000Z',
      releasedAt: '2026-11-20T11:06:00.000Z',
      templates: [
        { name: 'baseline', status: 'Successful', podTemplateHash: '6a1b2c', readyReplicas: 1 },
        { name: 'canary', status: 'Successful', podTemplateHash: '6a1b2d', readyReplicas: 1 },
      ],
      analyses: [{ name: 'compare', analysisRun: 'checkout-6c8f9d-2-1-compare', phase: 'Successful', message: 'all measurements passed' }],
    });
    const [pending] = (await list(acme.tokens.viewer, { name: 'load-test' })).nodes;
    expect(pending).toMatchObject({
      cluster: 'production',
      namespace: 'load',
      phase: 'Pending',
      availableAt: null,
      finishedAt: null,
      templates: [],
      analyses: [],
    });
  });

  it('narrows by cluster, namespace, name, rollout and phase', async () => {
    expect(await namesOf({ cluster: 'production' })).toEqual(['load-test']);
    expect((await namesOf({ cluster: 'staging', namespace: 'shop' })).sort()).toEqual(['checkout-6c8f9d-2-1', 'smoke-test']);
    expect(await namesOf({ namespace: 'load' })).toEqual(['load-test']);
    expect(await namesOf({ name: 'smoke-test', cluster: 'staging' })).toEqual(['smoke-test']);
    expect(await namesOf({ name: 'smoke-test', cluster: 'production' })).toEqual([]);
    expect(await namesOf({ rollout: 'checkout', namespace: 'shop' })).toEqual(['checkout-6c8f9d-2-1']);
    expect(await namesOf({ rollout: 'storefront' })).toEqual([]);
    expect(await namesOf({ phase: 'Running' })).toEqual(['smoke-test']);
  });

  it('walks every experiment exactly once a page at a time', async () => {
    const everything = (await list(acme.tokens.viewer)).nodes.map((node) => node.name);
    const walked: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: ExperimentList['experiments'] = await list(acme.tokens.viewer, {}, { first: 1, after });
      walked.push(...page.nodes.map((node) => node.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(everything);
  });

  it('gives each experiment the analysis runs it started, with their measurements', async () => {
    const data = await graphqlData<{ experiments: { nodes: { name: string; analysisRuns: unknown[] }[] } }>(
      api.url,
      acme.tokens.viewer,
      '{ experiments(filter: { cluster: "staging" }) { nodes { name analysisRuns { cluster name kind phase measurements { metricName index value } } } } }',
    );
    const runsByExperiment = Object.fromEntries(data.experiments.nodes.map((node) => [node.name, node.analysisRuns]));
    expect(runsByExperiment).toEqual({
      'smoke-test': [],
      'checkout-6c8f9d-2-1': [
        {
          cluster: 'staging',
          name: 'checkout-6c8f9d-2-1-compare',
          kind: 'experiment',
          phase: 'Successful',
          measurements: [
            { metricName: 'success-rate', index: 0, value: '[0.90]' },
            { metricName: 'success-rate', index: 1, value: '[0.91]' },
          ],
        },
      ],
    });
  });

  it('reads one experiment by cluster, namespace and name, the same as the list does', async () => {
    const one = await graphqlData<{ experiment: ExperimentNode }>(
      api.url,
      acme.tokens.viewer,
      `{ experiment(cluster: "staging", namespace: "shop", name: "checkout-6c8f9d-2-1") { ${FIELDS} } }`,
    );
    const [listed] = (await list(acme.tokens.viewer, { name: 'checkout-6c8f9d-2-1' })).nodes;
    expect(one.experiment).toEqual(listed);
    const missing = await graphql(
      api.url,
      acme.tokens.viewer,
      '{ experiment(cluster: "staging", namespace: "shop", name: "nowhere") { name } }',
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('experiment/not_found');
  });

  it('shows another organization nothing of these experiments', async () => {
    expect((await list(globex.tokens.admin)).nodes.map((node) => node.name)).toEqual(['globex-trial']);
    expect((await list(globex.tokens.admin, { cluster: 'staging', namespace: 'shop', rollout: 'checkout' })).nodes).toEqual([]);
    const response = await graphql(
      api.url,
      globex.tokens.admin,
      '{ experiment(cluster: "staging", namespace: "shop", name: "smoke-test") { name analysisRuns { name } } }',
    );
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('experiment/not_found');
  });

  it('refuses a caller without a token', async () => {
    const response = await graphql(api.url, undefined, '{ experiments { nodes { name } } }');
    expect(response.errors?.[0]?.extensions?.code).toBe('auth/unauthenticated');
  });
});

describe('deleting a rollout', () => {
  it('keeps its analysis runs and experiments as history under names of their own, released, so the same rollout applied again starts afresh', async () => {
    const initech = await api.organization({ cluster: 'staging' });
    const apply = () =>
      graphqlData(
        api.url,
        initech.tokens.deployer,
        'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
        {
          yaml: toYaml(canaryRollout('cart')),
        },
      );
    await apply();
    const staging = await clusterOf(initech, 'staging');
    const rollout = await api.database.rollout.findFirstOrThrow({ where: { organizationId: initech.id, name: 'cart' } });
    const names = { experiment: 'cart-5f6d7c-1-1', run: 'cart-5f6d7c-1-1-compare' };
    const experiment = await api.database.experiment.create({
      data: {
        organizationId: initech.id,
        clusterId: staging,
        rolloutId: rollout.id,
        namespace: 'shop',
        name: names.experiment,
        podTemplateHash: '5f6d7c',
        stepIndex: 1,
        spec: json(experimentSpec),
        phase: 'Running',
      },
    });
    const run = await api.database.analysisRun.create({
      data: {
        organizationId: initech.id,
        clusterId: staging,
        rolloutId: rollout.id,
        experimentId: experiment.id,
        namespace: 'shop',
        name: names.run,
        kind: 'experiment',
        spec: json({ analysis: { templates: [{ templateName: 'success-rate' }] }, stablePodTemplateHash: null }),
        phase: 'Successful',
        finishedAt: new Date(),
      },
    });

    await graphqlData(
      api.url,
      initech.tokens.deployer,
      'mutation { deleteRollout(rollout: { cluster: "staging", namespace: "shop", name: "cart" }) { id } }',
    );

    const suffix = `~${rollout.id.slice(0, 8)}`;
    expect(await api.database.experiment.findUniqueOrThrow({ where: { id: experiment.id } })).toMatchObject({
      name: names.experiment + suffix,
      rolloutId: null,
      releasedAt: expect.any(Date) as unknown,
    });
    expect(await api.database.analysisRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      name: names.run + suffix,
      rolloutId: null,
    });
    await apply();
    const again = await api.database.rollout.findFirstOrThrow({ where: { organizationId: initech.id, name: 'cart' } });
    const fresh = await api.database.experiment.create({
      data: {
        organizationId: initech.id,
        clusterId: staging,
        rolloutId: again.id,
        namespace: 'shop',
        name: names.experiment,
        podTemplateHash: '5f6d7c',
        stepIndex: 1,
        spec: json(experimentSpec),
      },
    });
    expect(fresh.name).toBe(names.experiment);
  });
});

import { describe, expect, it } from 'vitest';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, exampleManifest, parseYamlDocuments, toYaml, type Manifest } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';

const APPLY = `mutation($cluster: String!, $namespace: String!, $yaml: String!) {
  applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { documentIndex kind name namespace action generation }
}`;
const ROLLOUT = `query($name: String!) { rollout(cluster: "staging", namespace: "shop", name: $name) { spec generation phase images stepCount strategy labels } }`;

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const apply = (yaml: string, token = org.tokens.deployer) =>
  graphql<{ applyManifests: unknown[] }>(api.url, token, APPLY, { cluster: 'staging', namespace: 'shop', yaml });

async function storedCounts(organizationId: string) {
  const [rollouts, templates, clusterTemplates, experiments, auditEvents] = await Promise.all([
    api.database.rollout.count({ where: { organizationId } }),
    api.database.analysisTemplate.count({ where: { organizationId } }),
    api.database.clusterAnalysisTemplate.count({ where: { organizationId } }),
    api.database.experiment.count({ where: { organizationId } }),
    api.database.auditEvent.count({ where: { organizationId } }),
  ]);
  return { rollouts, templates, clusterTemplates, experiments, auditEvents };
}

describe('applyManifests with the Argo Rollouts documentation examples', () => {
  it('stores a canary, an AnalysisTemplate and a ClusterAnalysisTemplate and reads them back unchanged', async () => {
    const canary = canaryRollout();
    const template = exampleManifest('success-rate-analysis-template.yaml');
    const clusterTemplate = exampleManifest('success-rate-cluster-analysis-template.yaml');
    const yaml = [toYaml(canary), template, clusterTemplate].join('---\n');

    const applied = await graphqlData<{ applyManifests: Manifest[] }>(api.url, org.tokens.admin, APPLY, {
      cluster: 'staging',
      namespace: 'shop',
      yaml,
    });

    expect(applied.applyManifests).toEqual([
      { documentIndex: 0, kind: 'Rollout', name: 'rollouts-demo', namespace: 'shop', action: 'Created', generation: 1 },
      { documentIndex: 1, kind: 'AnalysisTemplate', name: 'success-rate', namespace: 'shop', action: 'Created', generation: 1 },
      {
        documentIndex: 2,
        kind: 'ClusterAnalysisTemplate',
        name: (parseYamlDocuments(clusterTemplate)[0] as { metadata: { name: string } } | undefined)?.metadata.name,
        namespace: null,
        action: 'Created',
        generation: 1,
      },
    ]);
    const read = await graphqlData<{ rollout: Manifest }>(api.url, org.tokens.viewer, ROLLOUT, { name: 'rollouts-demo' });
    expect(read.rollout).toMatchObject({
      spec: canary.spec,
      generation: 1,
      phase: 'Pending',
      images: ['argoproj/rollouts-demo:blue'],
      stepCount: 6,
      strategy: 'Canary',
      labels: { app: 'rollouts-demo' },
    });
    const templates = await graphqlData<{ analysisTemplates: Manifest[]; clusterAnalysisTemplates: Manifest[] }>(
      api.url,
      org.tokens.viewer,
      '{ analysisTemplates(cluster: "staging", namespace: "shop") { name spec version } clusterAnalysisTemplates { name spec version } }',
    );
    expect(templates.analysisTemplates).toEqual([{ name: 'success-rate', spec: parseYamlDocuments(template)[0]?.spec, version: 1 }]);
    expect(templates.clusterAnalysisTemplates[0]?.spec).toEqual(parseYamlDocuments(clusterTemplate)[0]?.spec);
  });

  it('bumps the generation only when the spec really changes', async () => {
    const rollout = canaryRollout('generations');
    await apply(toYaml(rollout));
    const again = await apply(toYaml(rollout));
    expect(again.data?.applyManifests).toMatchObject([{ action: 'Unchanged', generation: 1 }]);

    const reordered = { ...rollout, spec: Object.fromEntries(Object.entries(rollout.spec).reverse()) };
    expect((await apply(toYaml(reordered))).data?.applyManifests).toMatchObject([{ action: 'Unchanged', generation: 1 }]);

    const relabelled = canaryRollout('generations');
    relabelled.metadata.labels.team = 'payments';
    expect((await apply(toYaml(relabelled))).data?.applyManifests).toMatchObject([{ action: 'Updated', generation: 1 }]);

    const changed = canaryRollout('generations', 'argoproj/rollouts-demo:yellow');
    expect((await apply(toYaml(changed))).data?.applyManifests).toMatchObject([{ action: 'Updated', generation: 2 }]);
    const read = await graphqlData<{ rollout: Manifest }>(api.url, org.tokens.viewer, ROLLOUT, { name: 'generations' });
    expect(read.rollout.images).toEqual(['argoproj/rollouts-demo:yellow']);
  });

  it('creates rollouts applied at the same moment, each audited once on one unbroken chain', async () => {
    const names = Array.from({ length: 8 }, (_, index) => `simultaneous-${index}`);
    const results = await Promise.all(names.map((name) => apply(toYaml(canaryRollout(name)))));
    expect(results.map((result) => result.errors)).toEqual(names.map(() => undefined));
    const audited = await api.database.auditEvent.findMany({
      where: { organizationId: org.id, action: 'rollout.created', targetName: { in: names.map((name) => `staging/shop/${name}`) } },
    });
    expect(audited).toHaveLength(names.length);
    const verdict = await graphqlData<{ verifyAuditChain: { valid: boolean } }>(
      api.url,
      org.tokens.viewer,
      '{ verifyAuditChain { valid } }',
    );
    expect(verdict.verifyAuditChain.valid).toBe(true);
  });

  it('applies every example of the documentation', async () => {
    const files = [
      'smoke-tests-analysis-template.yaml',
      'http-benchmark-analysis-template.yaml',
      'background-analysis-rollout.yaml',
      'blue-green-rollout.yaml',
      'nginx-canary-rollout.yaml',
      'istio-canary-rollout.yaml',
      'experiment.yaml',
    ];
    const response = await apply(files.map(exampleManifest).join('\n---\n'), org.tokens.admin);
    expect(response.errors).toBeUndefined();
    expect(response.data?.applyManifests.length).toBeGreaterThanOrEqual(files.length);
  });
});

type Breakage = (manifest: ReturnType<typeof canaryRollout>) => void;

const invalidRollouts: [string, Breakage, string][] = [
  [
    'an apiVersion other than v1alpha1',
    (m) => {
      m.apiVersion = 'argoproj.io/v1beta1';
    },
    'apiVersion',
  ],
  [
    'a kind that is not an Argo kind',
    (m) => {
      m.kind = 'Deployment';
    },
    'kind',
  ],
  [
    'a name that is not DNS-1123',
    (m) => {
      m.metadata.name = 'Rollouts_Demo';
    },
    'metadata.name',
  ],
  [
    'another namespace',
    (m) => {
      m.metadata.namespace = 'billing';
    },
    'metadata.namespace',
  ],
  [
    'negative replicas',
    (m) => {
      m.spec.replicas = -1;
    },
    'spec.replicas',
  ],
  [
    'replicas as a string',
    (m) => {
      m.spec.replicas = 'five';
    },
    'spec.replicas',
  ],
  [
    'no selector',
    (m) => {
      delete (m.spec as Manifest).selector;
    },
    'spec.selector',
  ],
  [
    'a selector missing the template labels',
    (m) => {
      m.spec.selector.matchLabels.app = 'other';
    },
    'spec.template.metadata.labels',
  ],
  [
    'no containers',
    (m) => {
      (m.spec.template.spec as Manifest).containers = [];
    },
    'spec.template.spec.containers',
  ],
  [
    'both strategies',
    (m) => {
      m.spec.strategy.blueGreen = { activeService: 'active' };
    },
    'spec.strategy',
  ],
  [
    'no strategy',
    (m) => {
      (m.spec as Manifest).strategy = {};
    },
    'spec.strategy',
  ],
  [
    'a weight above 100',
    (m) => {
      m.spec.strategy.canary.steps[0] = { setWeight: 120 };
    },
    'spec.strategy.canary.steps[0].setWeight',
  ],
  [
    'a negative weight',
    (m) => {
      m.spec.strategy.canary.steps[2] = { setWeight: -10 };
    },
    'spec.strategy.canary.steps[2].setWeight',
  ],
  [
    'a step with two actions',
    (m) => {
      m.spec.strategy.canary.steps[1] = { pause: {}, setWeight: 30 };
    },
    'spec.strategy.canary.steps[1]',
  ],
  [
    'an empty step',
    (m) => {
      m.spec.strategy.canary.steps[4] = {};
    },
    'spec.strategy.canary.steps[4]',
  ],
  [
    'a pause with an unknown unit',
    (m) => {
      m.spec.strategy.canary.steps[3] = { pause: { duration: '10x' } };
    },
    'spec.strategy.canary.steps[3].pause.duration',
  ],
  [
    'a negative pause',
    (m) => {
      m.spec.strategy.canary.steps[3] = { pause: { duration: -5 } };
    },
    'spec.strategy.canary.steps[3].pause.duration',
  ],
  [
    'setCanaryScale without traffic routing',
    (m) => {
      m.spec.strategy.canary.steps[1] = { setCanaryScale: { replicas: 1 } };
    },
    'spec.strategy.canary.steps[1].setCanaryScale',
  ],
  [
    'maxSurge and maxUnavailable both 0',
    (m) => {
      m.spec.strategy.canary.maxSurge = 0;
      m.spec.strategy.canary.maxUnavailable = 0;
    },
    'spec.strategy.canary.maxSurge',
  ],
  [
    'a maxSurge that is not a count or percentage',
    (m) => {
      m.spec.strategy.canary.maxSurge = 'half';
    },
    'spec.strategy.canary.maxSurge',
  ],
  [
    'an unknown canary field',
    (m) => {
      m.spec.strategy.canary.maxsurge = 1;
    },
    'spec.strategy.canary.maxsurge',
  ],
  [
    'a missing analysis template',
    (m) => {
      m.spec.strategy.canary.steps[1] = { analysis: { templates: [{ templateName: 'no-such-template' }] } };
    },
    'spec.strategy.canary.steps[1].analysis.templates[0].templateName',
  ],
  [
    'a missing cluster analysis template',
    (m) => {
      m.spec.strategy.canary.analysis = { templates: [{ templateName: 'no-such-template', clusterScope: true }] };
    },
    'spec.strategy.canary.analysis.templates[0].templateName',
  ],
  [
    'background analysis starting after the last step',
    (m) => {
      m.spec.strategy.canary.analysis = { templates: [{ templateName: 'success-rate' }], startingStep: 9 };
    },
    'spec.strategy.canary.analysis.startingStep',
  ],
  [
    'a restartAt that is not RFC 3339',
    (m) => {
      m.spec.restartAt = 'yesterday';
    },
    'spec.restartAt',
  ],
  [
    'a progress deadline within minReadySeconds',
    (m) => {
      m.spec.minReadySeconds = 30;
      m.spec.progressDeadlineSeconds = 10;
    },
    'spec.progressDeadlineSeconds',
  ],
  [
    'blue-green with one service for active and preview',
    (m) => {
      (m.spec as Manifest).strategy = { blueGreen: { activeService: 'web', previewService: 'web' } };
    },
    'spec.strategy.blueGreen.activeService',
  ],
  [
    'blue-green preview replica count 0',
    (m) => {
      (m.spec as Manifest).strategy = { blueGreen: { activeService: 'web', previewReplicaCount: 0 } };
    },
    'spec.strategy.blueGreen.previewReplicaCount',
  ],
];

describe('applyManifests refuses invalid manifests with the field path, storing nothing', () => {
  it.each(invalidRollouts)('%s → %s', async (_title, breakage, path) => {
    const broken = canaryRollout('broken');
    breakage(broken);
    const before = await storedCounts(org.id);

    const response = await apply([toYaml(canaryRollout('innocent-bystander')), toYaml(broken)].join('---\n'));

    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('manifest/invalid');
    expect(response.errors?.[0]?.extensions?.problems).toContainEqual(expect.objectContaining({ documentIndex: 1, path }));
    expect(JSON.stringify(response.errors)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(await storedCounts(org.id)).toEqual(before);
  });

  it('reports every problem of every document at once', async () => {
    const first = canaryRollout('first');
    first.spec.replicas = -1;
    const second = canaryRollout('second');
    second.spec.strategy.canary.steps[0] = { setWeight: 101 };
    const response = await apply(toYaml(first, second));
    expect(response.errors?.[0]?.extensions?.problems).toEqual([
      expect.objectContaining({ documentIndex: 0, path: 'spec.replicas' }),
      expect.objectContaining({ documentIndex: 1, path: 'spec.strategy.canary.steps[0].setWeight' }),
    ]);
  });

  it.each([
    ['malformed YAML', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: x\n'],
    [
      'an AnalysisTemplate with an unknown provider',
      toYaml({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: { name: 't' },
        spec: { metrics: [{ name: 'm', provider: { dynatrace: {} } }] },
      }),
    ],
    [
      'an AnalysisTemplate with a bad interval',
      toYaml({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: { name: 't' },
        spec: { metrics: [{ name: 'm', interval: '5 minutes', provider: { web: { url: 'http://x' } } }] },
      }),
    ],
  ])('refuses %s', async (_title, yaml) => {
    const before = await storedCounts(org.id);
    const response = await apply(yaml);
    expect(response.errors?.[0]?.extensions?.code).toBe('manifest/invalid');
    expect(response.errors?.[0]?.extensions?.problems?.length).toBeGreaterThan(0);
    expect(await storedCounts(org.id)).toEqual(before);
  });

  it('refuses an unknown cluster and a namespace that is not a DNS label', async () => {
    const unknownCluster = await graphql(api.url, org.tokens.deployer, APPLY, {
      cluster: 'nowhere',
      namespace: 'shop',
      yaml: toYaml(canaryRollout()),
    });
    expect(unknownCluster.errors?.[0]?.extensions?.code).toBe('cluster/not_found');
    const badNamespace = await graphql(api.url, org.tokens.deployer, APPLY, {
      cluster: 'staging',
      namespace: 'Shop_1',
      yaml: toYaml(canaryRollout()),
    });
    expect(badNamespace.errors?.[0]?.extensions).toMatchObject({ code: 'input/invalid', problems: [{ path: 'namespace' }] });
  });

  it('refuses hub-loss annotations it cannot carry out, naming each', async () => {
    const rollout = canaryRollout('hub-loss');
    rollout.metadata.annotations = { 'flotilla.io/hub-loss-policy': 'rollback', 'flotilla.io/hub-loss-after-seconds': 'soon' };
    const before = await storedCounts(org.id);
    const response = await apply(toYaml(rollout));
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'manifest/invalid',
      problems: [
        { documentIndex: 0, path: "metadata.annotations['flotilla.io/hub-loss-policy']" },
        { documentIndex: 0, path: "metadata.annotations['flotilla.io/hub-loss-after-seconds']" },
      ],
    });
    expect(await storedCounts(org.id)).toEqual(before);
  });

  it('refuses a new spec for an Experiment that has completed, or whose name a rollout step took, changing nothing', async () => {
    const experiment = (name: string, image: string): Manifest => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Experiment',
      metadata: { name },
      spec: {
        duration: '1m',
        templates: [
          {
            name: 'baseline',
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
          },
        ],
      },
    });
    await apply(toYaml(experiment('completed', 'web:1'), experiment('stepped', 'web:1')));
    await api.database.experiment.updateMany({ where: { organizationId: org.id, name: 'completed' }, data: { phase: 'Successful' } });
    await api.database.experiment.updateMany({ where: { organizationId: org.id, name: 'stepped' }, data: { stepIndex: 2 } });
    const before = await storedCounts(org.id);

    const response = await apply(toYaml(experiment('completed', 'web:2'), experiment('stepped', 'web:2')));

    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'manifest/invalid',
      problems: [
        {
          documentIndex: 0,
          path: 'metadata.name',
          message: 'the experiment has completed (Successful); apply it under a new name to run it again',
        },
      ],
    });
    expect(await storedCounts(org.id)).toEqual(before);
    const refusedStep = await apply(toYaml(experiment('stepped', 'web:2')));
    expect(refusedStep.errors?.[0]?.extensions?.problems).toEqual([
      expect.objectContaining({ documentIndex: 0, path: 'metadata.name', message: expect.stringContaining('rollout step') as unknown }),
    ]);
    const stored = await api.database.experiment.findMany({
      where: { organizationId: org.id, name: { in: ['completed', 'stepped'] } },
      orderBy: { name: 'asc' },
    });
    expect(stored.map((row) => [row.name, row.generation])).toEqual([
      ['completed', 1],
      ['stepped', 1],
    ]);
  });

  it('lets a running Experiment be terminated but not change its templates', async () => {
    const experiment = (image: string) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Experiment',
      metadata: { name: 'running' },
      spec: {
        templates: [
          {
            name: 'baseline',
            selector: { matchLabels: { app: 'running' } },
            template: { metadata: { labels: { app: 'running' } }, spec: { containers: [{ name: 'web', image }] } },
          },
        ],
      },
    });
    const running = experiment('web:1');
    await apply(toYaml(running));
    const refused = await apply(toYaml(experiment('web:2')));
    expect(refused.errors?.[0]?.extensions?.problems).toEqual([
      expect.objectContaining({
        path: 'metadata.name',
        message: 'the templates of a running experiment cannot change; apply it under a new name to run other templates',
      }),
    ]);
    const terminated = await apply(toYaml({ ...running, spec: { ...running.spec, terminate: true } }));
    expect(terminated.data?.applyManifests).toEqual([
      expect.objectContaining({ kind: 'Experiment', name: 'running', action: 'Updated', generation: 2 }),
    ]);
  });

  it('creates a new Experiment named from its generateName at each apply, as kubectl create does', async () => {
    const generated: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Experiment',
      metadata: { generateName: 'smoke-' },
      spec: {
        duration: '1m',
        templates: [
          {
            name: 'baseline',
            selector: { matchLabels: { app: 'smoke' } },
            template: { metadata: { labels: { app: 'smoke' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
          },
        ],
      },
    };
    const first = await graphqlData<{ applyManifests: { name: string; action: string }[] }>(api.url, org.tokens.deployer, APPLY, {
      cluster: 'staging',
      namespace: 'shop',
      yaml: toYaml(generated),
    });
    const second = await graphqlData<{ applyManifests: { name: string; action: string }[] }>(api.url, org.tokens.deployer, APPLY, {
      cluster: 'staging',
      namespace: 'shop',
      yaml: toYaml(generated),
    });

    const applied = [...first.applyManifests, ...second.applyManifests];
    expect(applied).toEqual([
      expect.objectContaining({ kind: 'Experiment', action: 'Created', generation: 1 }),
      expect.objectContaining({ kind: 'Experiment', action: 'Created', generation: 1 }),
    ]);
    const names = applied.map((document) => document.name);
    for (const name of names) expect(name).toMatch(/^smoke-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(new Set(names).size).toBe(2);
    const stored = await api.database.experiment.findMany({ where: { organizationId: org.id, name: { in: names } } });
    expect(stored.map((row) => row.spec)).toEqual([generated.spec, generated.spec]);
    const audited = await api.database.auditEvent.findMany({ where: { organizationId: org.id, action: 'experiment.created' } });
    expect(audited.map((event) => event.targetName)).toEqual(expect.arrayContaining(names.map((name) => `staging/shop/${name}`)));
  });

  it('accepts a canary step that combines setWeight with setCanaryScale and a header route, as Argo does', async () => {
    const rollout = canaryRollout('combined-steps');
    rollout.spec.strategy.canary = {
      canaryService: 'combined-canary',
      stableService: 'combined-stable',
      trafficRouting: { istio: { virtualService: { name: 'combined' } }, managedRoutes: [{ name: 'beta' }] },
      steps: [
        {
          setWeight: 20,
          setCanaryScale: { replicas: 2 },
          setHeaderRoute: { name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] },
        },
        { pause: {} },
      ],
    };
    const response = await apply(toYaml(rollout));
    expect(response.errors).toBeUndefined();
    expect(response.data?.applyManifests).toEqual([
      expect.objectContaining({ kind: 'Rollout', name: 'combined-steps', action: 'Created' }),
    ]);
  });

  it('refuses a ClusterAnalysisTemplate from a deployer', async () => {
    const response = await apply(exampleManifest('success-rate-cluster-analysis-template.yaml'));
    expect(response.errors?.[0]?.extensions?.code).toBe('auth/forbidden');
  });
});

describe('applyManifests checks analysis templates as a run would use them', () => {
  const analysisTemplate = (metric: Record<string, unknown>): Manifest => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'checks' },
    spec: { metrics: [{ name: 'rate', provider: { web: { url: 'http://metrics.shop/rate' } }, ...metric }] },
  });

  it.each([
    ['a condition that does not compile', { successCondition: 'result[0] >= ' }, 'spec.metrics[0].successCondition'],
    ['a condition reaching for a prototype', { successCondition: 'result.constructor != nil' }, 'spec.metrics[0].successCondition'],
    ['an interval below the configured minimum', { interval: '1s', count: 3 }, 'spec.metrics[0].interval'],
  ])('refuses %s with its field path', async (_title, metric, path) => {
    const response = await apply(toYaml(analysisTemplate(metric)));
    expect(response.errors?.[0]?.extensions?.code).toBe('manifest/invalid');
    expect(response.errors?.[0]?.extensions?.problems).toContainEqual(expect.objectContaining({ documentIndex: 0, path }));
  });

  it('refuses a rollout that leaves out an argument a stored template needs, and stores nothing of it', async () => {
    const needsService: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'needs-service' },
      spec: {
        args: [{ name: 'service' }],
        metrics: [{ name: 'rate', provider: { web: { url: 'http://metrics.shop/{{args.service}}' } } }],
      },
    };
    expect((await apply(toYaml(needsService))).errors).toBeUndefined();
    const rollout = canaryRollout('argument-less');
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'needs-service' }] } }];
    const before = await storedCounts(org.id);

    const response = await apply(toYaml(rollout));
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'manifest/invalid',
      problems: [
        {
          documentIndex: 0,
          path: 'spec.strategy.canary.steps[1].analysis.templates[0].templateName',
          message: expect.stringContaining('needs "service" passed in args') as unknown,
        },
      ],
    });
    expect(await storedCounts(org.id)).toEqual(before);
  });

  it('warns, as Argo documents, when count is not above failureLimit', async () => {
    const response = await graphqlData<{ applyManifests: { warnings: string[] }[] }>(
      api.url,
      org.tokens.deployer,
      'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { warnings } }',
      { yaml: toYaml(analysisTemplate({ interval: '30s', count: 2, failureLimit: 2, successCondition: 'result > 0' })) },
    );
    expect(response.applyManifests[0]?.warnings).toEqual([expect.stringContaining('spec.metrics[0]')]);
  });
});

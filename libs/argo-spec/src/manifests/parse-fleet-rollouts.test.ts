import { describe, expect, it } from 'vitest';
import { parseManifests, type ValidationContext } from './parse-manifests.js';
import { canaryRollout, context, type Document, edit, fleetRollout, yaml } from './documents.fixtures.js';

type ExpectedIssue = readonly [documentIndex: number, path: string, reasonWord: string];

const organizationContext: ValidationContext = { knownAnalysisTemplates: new Map(), knownClusterAnalysisTemplates: new Map() };

function expectIssues(text: string, expected: readonly ExpectedIssue[], validationContext = organizationContext): void {
  const result = parseManifests(text, validationContext);
  expect(result.ok).toBe(false);
  expect(result.ok ? [] : result.errors).toEqual(
    expected.map(([documentIndex, path, reasonWord]) => ({ documentIndex, path, message: expect.stringContaining(reasonWord) as unknown })),
  );
}

const wave = (name: string, env: string): Document => ({ name, clusterSelector: { matchLabels: { env } } });

describe('parseManifests refuses invalid FleetRollouts, naming the field and the reason', () => {
  const single = (title: string, document: Document, path: string, reasonWord: string): [string, string, ExpectedIssue[]] => [
    title,
    yaml(document),
    [[0, path, reasonWord]],
  ];

  it.each([
    // envelope and metadata
    single('the Argo apiVersion', edit(fleetRollout(), [['apiVersion', 'argoproj.io/v1alpha1']]), 'apiVersion', 'flotilla.io/v1alpha1'),
    single(
      'a name that is not a DNS-1123 subdomain',
      edit(fleetRollout(), [['metadata.name', 'Checkout']]),
      'metadata.name',
      'not a valid',
    ),
    single('a missing name', edit(fleetRollout(), [['metadata.name', undefined]]), 'metadata.name', 'required'),
    single('a namespace', edit(fleetRollout(), [['metadata.namespace', 'shop']]), 'metadata.namespace', 'belongs to the organization'),
    single('a label key with two slashes', edit(fleetRollout(), [['metadata.labels', { 'a/b/c': 'x' }]]), 'metadata.labels[a/b/c]', 'key'),
    single('a status', edit(fleetRollout(), [['status', {}]]), 'status', 'unknown field'),
    single('no spec', edit(fleetRollout(), [['spec', undefined]]), 'spec', 'required'),
    // spec
    single('an unknown spec field, with a hint', edit(fleetRollout(), [['spec.Waves', []]]), 'spec.Waves', 'did you mean "waves"'),
    single('no rollout', edit(fleetRollout(), [['spec.rollout', undefined]]), 'spec.rollout', 'required'),
    single('no rollout namespace', edit(fleetRollout(), [['spec.rollout.namespace', undefined]]), 'spec.rollout.namespace', 'required'),
    single(
      'a rollout namespace with a dot',
      edit(fleetRollout(), [['spec.rollout.namespace', 'a.b']]),
      'spec.rollout.namespace',
      'lowercase',
    ),
    single('a rollout name in capitals', edit(fleetRollout(), [['spec.rollout.name', 'Checkout']]), 'spec.rollout.name', 'lowercase'),
    single('a field beside the rollout', edit(fleetRollout(), [['spec.rollout.cluster', 'eu']]), 'spec.rollout.cluster', 'unknown field'),
    single(
      'an empty cluster selector',
      edit(fleetRollout(), [['spec.clusterSelector', {}]]),
      'spec.clusterSelector',
      'leave clusterSelector out to select every cluster',
    ),
    single(
      'an unknown selector operator',
      edit(fleetRollout(), [['spec.clusterSelector', { matchExpressions: [{ key: 'env', operator: 'Gt', values: ['1'] }] }]]),
      'spec.clusterSelector.matchExpressions[0].operator',
      'must be one of "In", "NotIn", "Exists", "DoesNotExist"',
    ),
    single(
      'NotIn without values',
      edit(fleetRollout(), [['spec.clusterSelector', { matchExpressions: [{ key: 'env', operator: 'NotIn' }] }]]),
      'spec.clusterSelector.matchExpressions[0].values',
      'must not be empty for operator NotIn',
    ),
    single(
      'Exists with values',
      edit(fleetRollout(), [['spec.clusterSelector', { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['prod'] }] }]]),
      'spec.clusterSelector.matchExpressions[0].values',
      'must be empty for operator Exists',
    ),
    single(
      'a selector label value over 63 characters',
      edit(fleetRollout(), [['spec.clusterSelector.matchLabels.tier', 'a'.repeat(64)]]),
      'spec.clusterSelector.matchLabels[tier]',
      'at most 63',
    ),
    single(
      'a disconnected timeout of 0',
      edit(fleetRollout(), [['spec.disconnectedTimeoutSeconds', 0]]),
      'spec.disconnectedTimeoutSeconds',
      'at least 1',
    ),
    single(
      'a disconnected timeout over a day',
      edit(fleetRollout(), [['spec.disconnectedTimeoutSeconds', 86_401]]),
      'spec.disconnectedTimeoutSeconds',
      'at most 86400',
    ),
    single(
      'a fractional disconnected timeout',
      edit(fleetRollout(), [['spec.disconnectedTimeoutSeconds', 1.5]]),
      'spec.disconnectedTimeoutSeconds',
      'integer',
    ),
    single('an unknown failure policy', edit(fleetRollout(), [['spec.failurePolicy', 'retry']]), 'spec.failurePolicy', '"rollbackAll"'),
    // waves
    single('no waves', edit(fleetRollout(), [['spec.waves', undefined]]), 'spec.waves', 'required'),
    single('an empty list of waves', edit(fleetRollout(), [['spec.waves', []]]), 'spec.waves', 'must not be empty'),
    single(
      '51 waves',
      edit(fleetRollout(), [['spec.waves', Array.from({ length: 51 }, (_, index) => wave(`w${index}`, `e${index}`))]]),
      'spec.waves',
      'at most 50 items',
    ),
    single('a wave without a name', edit(fleetRollout(), [['spec.waves[0].name', undefined]]), 'spec.waves[0].name', 'required'),
    single('a wave name with a dot', edit(fleetRollout(), [['spec.waves[0].name', 'eu.west']]), 'spec.waves[0].name', 'lowercase'),
    single(
      'two waves of one name',
      edit(fleetRollout(), [['spec.waves[1].name', 'canary']]),
      'spec.waves[1].name',
      'duplicate wave "canary"',
    ),
    single('an unknown wave field', edit(fleetRollout(), [['spec.waves[0].selector', {}]]), 'spec.waves[0].selector', 'unknown field'),
    single(
      'a wave without selector before the last',
      edit(fleetRollout(), [['spec.waves[1].clusterSelector', undefined]]),
      'spec.waves[1].clusterSelector',
      'is required but in the last wave',
    ),
    single(
      'an empty wave selector',
      edit(fleetRollout(), [['spec.waves[0].clusterSelector', {}]]),
      'spec.waves[0].clusterSelector',
      'must not be empty',
    ),
    single(
      'In without values in a wave',
      edit(fleetRollout(), [['spec.waves[1].clusterSelector.matchExpressions[0].values', []]]),
      'spec.waves[1].clusterSelector.matchExpressions[0].values',
      'must not be empty for operator In',
    ),
    single(
      'DoesNotExist with values in a wave',
      edit(fleetRollout(), [['spec.waves[1].clusterSelector.matchExpressions[0]', { key: 'x', operator: 'DoesNotExist', values: ['y'] }]]),
      'spec.waves[1].clusterSelector.matchExpressions[0].values',
      'must be empty for operator DoesNotExist',
    ),
    single('maxParallel 0', edit(fleetRollout(), [['spec.waves[0].maxParallel', 0]]), 'spec.waves[0].maxParallel', 'positive integer'),
    single('maxParallel 0%', edit(fleetRollout(), [['spec.waves[0].maxParallel', '0%']]), 'spec.waves[0].maxParallel', 'percentage'),
    single('maxParallel 101%', edit(fleetRollout(), [['spec.waves[0].maxParallel', '101%']]), 'spec.waves[0].maxParallel', '"100%"'),
    single('maxParallel "3"', edit(fleetRollout(), [['spec.waves[0].maxParallel', '3']]), 'spec.waves[0].maxParallel', 'the string "3"'),
    single('maxParallel 2.5', edit(fleetRollout(), [['spec.waves[0].maxParallel', 2.5]]), 'spec.waves[0].maxParallel', 'positive integer'),
    single('a negative soak', edit(fleetRollout(), [['spec.waves[0].soakSeconds', -1]]), 'spec.waves[0].soakSeconds', 'non-negative'),
    single(
      'a soak over a week',
      edit(fleetRollout(), [['spec.waves[0].soakSeconds', 604_801]]),
      'spec.waves[0].soakSeconds',
      'at most 604800',
    ),
    single('an unknown approval', edit(fleetRollout(), [['spec.waves[0].approval', 'auto']]), 'spec.waves[0].approval', '"manual"'),
    single(
      'allowMissing as a string',
      edit(fleetRollout(), [['spec.waves[0].allowMissing', 'yes']]),
      'spec.waves[0].allowMissing',
      'boolean',
    ),
    single(
      'a wave disconnected timeout of 0',
      edit(fleetRollout(), [['spec.waves[1].disconnectedTimeoutSeconds', 0]]),
      'spec.waves[1].disconnectedTimeoutSeconds',
      'at least 1',
    ),
    single(
      'a wave disconnected timeout over a day',
      edit(fleetRollout(), [['spec.waves[1].disconnectedTimeoutSeconds', 100_000]]),
      'spec.waves[1].disconnectedTimeoutSeconds',
      'at most 86400',
    ),
  ] as const)('%s', (_title, text, expected) => {
    expectIssues(text, expected);
  });

  it('refuses one FleetRollout name twice', () => {
    expectIssues(yaml(fleetRollout(), fleetRollout()), [
      [1, 'metadata.name', 'FleetRollout "checkout-fleet" is already defined by document 0'],
    ]);
  });
});

describe('parseManifests checks the analysis of a wave', () => {
  const errorRate = {
    templates: [{ templateName: 'error-rate', clusterScope: true }],
    args: [{ name: 'service', value: 'checkout' }],
    pooled: true,
  };
  const withTemplates: ValidationContext = {
    knownAnalysisTemplates: new Map(),
    knownClusterAnalysisTemplates: new Map([
      ['error-rate', ['service']],
      ['latency', []],
    ]),
  };
  const withAnalysis = (analysis: unknown): string => yaml(edit(fleetRollout(), [['spec.waves[1].analysis', analysis]]));

  it('accepts a pooled analysis of ClusterAnalysisTemplates that exist, with the arguments they need', () => {
    expect(parseManifests(withAnalysis(errorRate), withTemplates)).toMatchObject({ ok: true });
  });

  it('accepts a namespaced template when each cluster runs its own', () => {
    expect(parseManifests(withAnalysis({ templates: [{ templateName: 'local-errors' }], pooled: false }), withTemplates)).toMatchObject({
      ok: true,
    });
  });

  it.each<[string, unknown, string, string]>([
    ['no templates', { pooled: true }, 'spec.waves[1].analysis.templates', 'required'],
    ['an empty template list', { templates: [] }, 'spec.waves[1].analysis.templates', 'must not be empty'],
    [
      'a ClusterAnalysisTemplate that does not exist',
      { ...errorRate, templates: [{ templateName: 'saturation', clusterScope: true }] },
      'spec.waves[1].analysis.templates[0].templateName',
      'no ClusterAnalysisTemplate named "saturation"',
    ],
    [
      'an argument the template needs, missing',
      { ...errorRate, args: [] },
      'spec.waves[1].analysis.templates[0].templateName',
      '"service"',
    ],
    [
      'a namespaced template in a pooled analysis',
      { ...errorRate, templates: [{ templateName: 'latency', clusterScope: false }] },
      'spec.waves[1].analysis.templates[0].clusterScope',
      'must be true in a pooled analysis',
    ],
    [
      "a cluster's pod template hash in a pooled analysis",
      { ...errorRate, args: [{ name: 'service', valueFrom: { podTemplateHashValue: 'Latest' } }] },
      'spec.waves[1].analysis.args[0].valueFrom.podTemplateHashValue',
      'not available in a pooled analysis',
    ],
    [
      'two arguments of one name',
      {
        ...errorRate,
        args: [
          { name: 'service', value: 'a' },
          { name: 'service', value: 'b' },
        ],
      },
      'spec.waves[1].analysis.args[1].name',
      'duplicate',
    ],
    ['pooled as a string', { ...errorRate, pooled: 'yes' }, 'spec.waves[1].analysis.pooled', 'boolean'],
    [
      'run metadata, which a wave has no use for',
      { ...errorRate, analysisRunMetadata: {} },
      'spec.waves[1].analysis.analysisRunMetadata',
      'unknown field',
    ],
    [
      'a dry-run rule that is no pattern',
      { ...errorRate, dryRun: [{ metricName: '(' }] },
      'spec.waves[1].analysis.dryRun[0].metricName',
      'not a valid regular expression',
    ],
  ])('refuses %s', (_title, analysis, path, reasonWord) => {
    expectIssues(withAnalysis(analysis), [[0, path, reasonWord]], withTemplates);
  });
});

describe('parseManifests places FleetRollouts in the organization', () => {
  it('accepts FleetRollouts with no namespace, exactly as written', () => {
    const minimal = {
      ...fleetRollout(),
      metadata: { name: 'minimal' },
      spec: { rollout: { namespace: 'shop', name: 'checkout' }, waves: [{ name: 'all' }] },
    };
    expect(parseManifests(yaml(fleetRollout(), minimal), organizationContext)).toEqual({ ok: true, documents: [fleetRollout(), minimal] });
  });

  it('accepts FleetRollouts when a namespace is given too', () => {
    expect(parseManifests(yaml(fleetRollout()), context)).toMatchObject({ ok: true });
  });

  it('refuses a namespaced document without a namespace', () => {
    expectIssues(yaml(canaryRollout()), [[0, 'kind', 'a Rollout belongs to a cluster namespace: give the cluster and namespace']]);
  });

  const mixed: ExpectedIssue = [
    1,
    'kind',
    'a FleetRollout belongs to the organization, and document 0 (a Rollout) to a cluster namespace: apply them separately',
  ];

  it('refuses a FleetRollout beside namespaced documents', () => {
    expectIssues(yaml(canaryRollout(), fleetRollout()), [mixed], context);
    expectIssues(yaml(canaryRollout(), fleetRollout()), [[0, 'kind', 'give the cluster and namespace'], mixed]);
  });

  it('refuses a Rollout after a FleetRollout, and names the first document', () => {
    expectIssues(yaml(fleetRollout(), canaryRollout()), [
      [1, 'kind', 'a Rollout belongs to a cluster namespace, and document 0 (a FleetRollout) to the organization: apply them separately'],
    ]);
  });
});

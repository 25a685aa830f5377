import { describe, expect, it } from 'vitest';
import { parseManifests } from './parse-manifests.js';
import {
  context,
  type Document,
  canaryRollout,
  routedCanaryRollout,
  nginxRouting,
  istioRouting,
  blueGreenRollout,
  analysisTemplate,
  experiment,
  edit,
  yaml,
} from './documents.fixtures.js';

type ExpectedIssue = readonly [documentIndex: number, path: string, reasonWord: string];

function expectIssues(text: string, expected: readonly ExpectedIssue[]): void {
  const result = parseManifests(text, context);
  expect(result.ok).toBe(false);
  const errors = result.ok ? [] : result.errors;
  expect(errors).toEqual(
    expected.map(([documentIndex, path, reasonWord]) => ({ documentIndex, path, message: expect.stringContaining(reasonWord) as unknown })),
  );
}

describe('parseManifests refuses invalid manifests, naming document, field and reason', () => {
  const single = (title: string, document: Document, path: string, reasonWord: string): [string, string, ExpectedIssue[]] => [
    title,
    yaml(document),
    [[0, path, reasonWord]],
  ];

  it.each([
    // envelope and metadata
    single(
      'an apiVersion other than v1alpha1',
      edit(canaryRollout(), [['apiVersion', 'argoproj.io/v1beta1']]),
      'apiVersion',
      'argoproj.io/v1alpha1',
    ),
    single(
      'a kind that is not an Argo Rollouts kind',
      edit(canaryRollout(), [
        ['kind', 'Deployment'],
        ['spec', { replicas: 1 }],
      ]),
      'kind',
      '"Deployment" is not an accepted kind',
    ),
    single(
      'a name that is not a DNS-1123 subdomain',
      edit(canaryRollout(), [['metadata.name', 'Checkout_API']]),
      'metadata.name',
      'not a valid name',
    ),
    single('a missing name', edit(canaryRollout(), [['metadata.name', undefined]]), 'metadata.name', 'required'),
    single('another namespace', edit(canaryRollout(), [['metadata.namespace', 'billing']]), 'metadata.namespace', 'differs'),
    single('a field beside the spec', edit(canaryRollout(), [['status', { phase: 'Healthy' }]]), 'status', 'unknown field'),
    single(
      'a label value that is a number',
      edit(canaryRollout(), [['metadata.labels', { version: 2 }]]),
      'metadata.labels[version]',
      'must be a string',
    ),
    // rollout spec
    single(
      'an unknown spec field, with a hint',
      edit(canaryRollout(), [['spec.strategy.canary.maxsurge', 1]]),
      'spec.strategy.canary.maxsurge',
      'did you mean "maxSurge"',
    ),
    single('negative replicas', edit(canaryRollout(), [['spec.replicas', -1]]), 'spec.replicas', 'non-negative'),
    single('replicas given as a string', edit(canaryRollout(), [['spec.replicas', '3']]), 'spec.replicas', 'must be an integer'),
    single('a missing selector', edit(canaryRollout(), [['spec.selector', undefined]]), 'spec.selector', 'required'),
    single(
      'a selector that misses the template labels',
      edit(canaryRollout(), [['spec.selector.matchLabels.app', 'payments']]),
      'spec.template.metadata.labels',
      'selected by the selector',
    ),
    single(
      'an In expression without values',
      edit(canaryRollout(), [['spec.selector.matchExpressions', [{ key: 'tier', operator: 'In' }]]]),
      'spec.selector.matchExpressions[0].values',
      'must not be empty',
    ),
    single(
      'no containers',
      edit(canaryRollout(), [['spec.template.spec.containers', []]]),
      'spec.template.spec.containers',
      'must not be empty',
    ),
    single(
      'a container without a name',
      edit(canaryRollout(), [['spec.template.spec.containers[0].name', undefined]]),
      'spec.template.spec.containers[0].name',
      'required',
    ),
    single(
      'a progress deadline within minReadySeconds',
      edit(canaryRollout(), [
        ['spec.minReadySeconds', 30],
        ['spec.progressDeadlineSeconds', 20],
      ]),
      'spec.progressDeadlineSeconds',
      'greater than minReadySeconds (30)',
    ),
    single(
      'the default progress deadline within minReadySeconds',
      edit(canaryRollout(), [['spec.minReadySeconds', 900]]),
      'spec.progressDeadlineSeconds',
      'not 600 (the default)',
    ),
    single(
      'a restartAt that is not RFC 3339',
      edit(canaryRollout(), [['spec.restartAt', '2024-02-30T10:00:00Z']]),
      'spec.restartAt',
      'RFC 3339',
    ),
    single(
      'negative rollback window revisions',
      edit(canaryRollout(), [['spec.rollbackWindow', { revisions: -1 }]]),
      'spec.rollbackWindow.revisions',
      'non-negative',
    ),
    single(
      'both strategies',
      edit(canaryRollout(), [['spec.strategy.blueGreen', { activeService: 'checkout' }]]),
      'spec.strategy',
      'only one of canary and blueGreen',
    ),
    single('no strategy', edit(canaryRollout(), [['spec.strategy', {}]]), 'spec.strategy', 'must set canary or blueGreen'),
    // canary steps
    single(
      'a step with two actions',
      edit(canaryRollout(), [['spec.strategy.canary.steps[1].setWeight', 30]]),
      'spec.strategy.canary.steps[1]',
      'at most one of setWeight, pause, experiment, analysis',
    ),
    single(
      'a step with no action',
      edit(canaryRollout(), [['spec.strategy.canary.steps[1]', {}]]),
      'spec.strategy.canary.steps[1]',
      'must set at least one of',
    ),
    single(
      'a weight above 100',
      edit(canaryRollout(), [['spec.strategy.canary.steps[2].setWeight', 120]]),
      'spec.strategy.canary.steps[2].setWeight',
      'between 0 and 100',
    ),
    single(
      'a weight above maxTrafficWeight',
      edit(routedCanaryRollout({ ...nginxRouting, maxTrafficWeight: 50 }), []),
      'spec.strategy.canary.steps[2].setWeight',
      'between 0 and 50',
    ),
    single(
      'a pause duration with an unknown unit',
      edit(canaryRollout(), [['spec.strategy.canary.steps[1].pause.duration', '10x']]),
      'spec.strategy.canary.steps[1].pause.duration',
      'not a number of seconds or a duration',
    ),
    single(
      'a negative pause',
      edit(canaryRollout(), [['spec.strategy.canary.steps[1].pause.duration', -5]]),
      'spec.strategy.canary.steps[1].pause.duration',
      'non-negative',
    ),
    single(
      'setCanaryScale without traffic routing',
      edit(canaryRollout(), [['spec.strategy.canary.steps[1]', { setCanaryScale: { replicas: 1 } }]]),
      'spec.strategy.canary.steps[1].setCanaryScale',
      'requires spec.strategy.canary.trafficRouting',
    ),
    single(
      'a setCanaryScale weight above 100',
      edit(routedCanaryRollout(nginxRouting), [['spec.strategy.canary.steps[1]', { setCanaryScale: { weight: 101 } }]]),
      'spec.strategy.canary.steps[1].setCanaryScale.weight',
      'at most 100',
    ),
    single(
      'a header route missing from managedRoutes',
      edit(routedCanaryRollout(istioRouting), [
        [
          'spec.strategy.canary.steps[1]',
          { setHeaderRoute: { name: 'beta-users', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] } },
        ],
      ]),
      'spec.strategy.canary.steps[1].setHeaderRoute.name',
      'not listed in spec.strategy.canary.trafficRouting.managedRoutes',
    ),
    single(
      'a header route matching two ways at once',
      edit(routedCanaryRollout(istioRouting), [
        [
          'spec.strategy.canary.steps[1]',
          { setHeaderRoute: { name: 'header-route', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes', prefix: 'y' } }] } },
        ],
      ]),
      'spec.strategy.canary.steps[1].setHeaderRoute.match[0].headerValue',
      'exactly one of exact, prefix and regex',
    ),
    single(
      'header routes without managedRoutes',
      edit(routedCanaryRollout({ istio: istioRouting.istio }), [
        ['spec.strategy.canary.steps[1]', { setHeaderRoute: { name: 'header-route' } }],
      ]),
      'spec.strategy.canary.trafficRouting.managedRoutes',
      'is required',
    ),
    single(
      'a mirror route under nginx',
      edit(routedCanaryRollout({ ...nginxRouting, managedRoutes: [{ name: 'mirror' }] }), [
        ['spec.strategy.canary.steps[1]', { setMirrorRoute: { name: 'mirror', percentage: 10 } }],
      ]),
      'spec.strategy.canary.steps[1].setMirrorRoute',
      'requires trafficRouting with istio',
    ),
    single(
      'maxSurge and maxUnavailable both 0',
      edit(canaryRollout(), [
        ['spec.strategy.canary.maxSurge', 0],
        ['spec.strategy.canary.maxUnavailable', '0%'],
      ]),
      'spec.strategy.canary.maxSurge',
      'cannot both be 0',
    ),
    single(
      'a maxSurge that is neither a count nor a percentage',
      edit(canaryRollout(), [['spec.strategy.canary.maxSurge', 'half']]),
      'spec.strategy.canary.maxSurge',
      'percentage such as "25%"',
    ),
    single(
      'one service for canary and stable',
      edit(routedCanaryRollout(nginxRouting), [['spec.strategy.canary.canaryService', 'checkout-stable']]),
      'spec.strategy.canary.stableService',
      'must differ from canaryService',
    ),
    single(
      'traffic routing without a canary service',
      edit(routedCanaryRollout(nginxRouting), [['spec.strategy.canary.canaryService', undefined]]),
      'spec.strategy.canary.canaryService',
      'required by trafficRouting',
    ),
    single(
      'nginx without a stable ingress',
      edit(routedCanaryRollout({ nginx: { annotationPrefix: 'nginx.ingress.kubernetes.io' } }), []),
      'spec.strategy.canary.trafficRouting.nginx',
      'exactly one of stableIngress and stableIngresses',
    ),
    single(
      'two traffic routers',
      edit(routedCanaryRollout({ ...nginxRouting, smi: {} }), []),
      'spec.strategy.canary.trafficRouting',
      'at most one',
    ),
    single(
      'an unsupported traffic router',
      edit(routedCanaryRollout({ alb: { ingress: 'checkout' } }), []),
      'spec.strategy.canary.trafficRouting.alb',
      'traffic router "alb" is not supported',
    ),
    single(
      'an unsupported traffic router plugin',
      edit(routedCanaryRollout({ plugins: { 'acme/mesh': {} } }), []),
      'spec.strategy.canary.trafficRouting.plugins[acme/mesh]',
      'not supported',
    ),
    single(
      'a Gateway API route missing',
      edit(routedCanaryRollout({ plugins: { 'argoproj-labs/gatewayAPI': { namespace: 'shop' } } }), []),
      'spec.strategy.canary.trafficRouting.plugins[argoproj-labs/gatewayAPI]',
      'exactly one of httpRoute and httpRoutes',
    ),
    single(
      'an istio destination rule without a canary subset',
      edit(
        routedCanaryRollout({
          istio: { virtualService: { name: 'checkout' }, destinationRule: { name: 'checkout', stableSubsetName: 'stable' } },
        }),
        [],
      ),
      'spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName',
      'required',
    ),
    single(
      'scaleDownDelaySeconds without traffic routing',
      edit(canaryRollout(), [['spec.strategy.canary.scaleDownDelaySeconds', 30]]),
      'spec.strategy.canary.scaleDownDelaySeconds',
      'only be used with trafficRouting',
    ),
    single(
      'background analysis starting after the last step',
      edit(canaryRollout(), [['spec.strategy.canary.analysis', { templates: [{ templateName: 'success-rate' }], startingStep: 3 }]]),
      'spec.strategy.canary.analysis.startingStep',
      'one of the 3 steps',
    ),
    single(
      'an analysis step with no template',
      edit(canaryRollout(), [['spec.strategy.canary.steps[1]', { analysis: { templates: [] } }]]),
      'spec.strategy.canary.steps[1].analysis.templates',
      'must not be empty',
    ),
    single(
      'analysis arguments with value and valueFrom',
      edit(canaryRollout(), [
        [
          'spec.strategy.canary.steps[1]',
          {
            analysis: {
              templates: [{ templateName: 'success-rate' }],
              args: [{ name: 'service', value: 'a', valueFrom: { podTemplateHashValue: 'Latest' } }],
            },
          },
        ],
      ]),
      'spec.strategy.canary.steps[1].analysis.args[0]',
      'only one of value and valueFrom',
    ),
    single(
      'an experiment step with two templates of one name',
      edit(canaryRollout(), [
        [
          'spec.strategy.canary.steps[1]',
          {
            experiment: {
              templates: [
                { name: 'probe', specRef: 'canary' },
                { name: 'probe', specRef: 'stable' },
              ],
            },
          },
        ],
      ]),
      'spec.strategy.canary.steps[1].experiment.templates[1].name',
      'duplicate template "probe"',
    ),
    single(
      'an experiment template with an unknown specRef',
      edit(canaryRollout(), [['spec.strategy.canary.steps[1]', { experiment: { templates: [{ name: 'probe', specRef: 'baseline' }] } }]]),
      'spec.strategy.canary.steps[1].experiment.templates[0].specRef',
      'one of "stable", "canary"',
    ),
    single(
      'an experiment template weight without traffic routing',
      edit(canaryRollout(), [
        ['spec.strategy.canary.steps[1]', { experiment: { templates: [{ name: 'probe', specRef: 'canary', weight: 5 }] } }],
      ]),
      'spec.strategy.canary.steps[1].experiment.templates[0].weight',
      'requires spec.strategy.canary.trafficRouting',
    ),
    single(
      'an experiment step duration that is not a duration',
      edit(canaryRollout(), [
        ['spec.strategy.canary.steps[1]', { experiment: { duration: '1 hour', templates: [{ name: 'probe', specRef: 'canary' }] } }],
      ]),
      'spec.strategy.canary.steps[1].experiment.duration',
      'not a duration',
    ),
    // blue-green
    single(
      'one service for active and preview',
      edit(blueGreenRollout(), [['spec.strategy.blueGreen.previewService', 'checkout-active']]),
      'spec.strategy.blueGreen.activeService',
      'must differ from previewService',
    ),
    single(
      'a blue-green without an active service',
      edit(blueGreenRollout(), [['spec.strategy.blueGreen.activeService', undefined]]),
      'spec.strategy.blueGreen.activeService',
      'required',
    ),
    single(
      'a preview replica count of 0',
      edit(blueGreenRollout(), [['spec.strategy.blueGreen.previewReplicaCount', 0]]),
      'spec.strategy.blueGreen.previewReplicaCount',
      'at least 1',
    ),
    single(
      'a negative autoPromotionSeconds',
      edit(blueGreenRollout(), [['spec.strategy.blueGreen.autoPromotionSeconds', -30]]),
      'spec.strategy.blueGreen.autoPromotionSeconds',
      'non-negative',
    ),
    single(
      'a negative abortScaleDownDelaySeconds',
      edit(blueGreenRollout(), [['spec.strategy.blueGreen.abortScaleDownDelaySeconds', -1]]),
      'spec.strategy.blueGreen.abortScaleDownDelaySeconds',
      'non-negative',
    ),
    single(
      'a scale-down revision limit above the history limit',
      edit(blueGreenRollout(), [['spec.strategy.blueGreen.scaleDownDelayRevisionLimit', 12]]),
      'spec.strategy.blueGreen.scaleDownDelayRevisionLimit',
      'spec.revisionHistoryLimit (10)',
    ),
    single(
      'an anti-affinity weight of 0',
      edit(blueGreenRollout(), [
        ['spec.strategy.blueGreen.antiAffinity', { preferredDuringSchedulingIgnoredDuringExecution: { weight: 0 } }],
      ]),
      'spec.strategy.blueGreen.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight',
      'between 1 and 100',
    ),
    // template references
    single(
      'a pre-promotion template that does not exist',
      edit(blueGreenRollout(), [['spec.strategy.blueGreen.prePromotionAnalysis', { templates: [{ templateName: 'smoke-tests' }] }]]),
      'spec.strategy.blueGreen.prePromotionAnalysis.templates[0].templateName',
      'no AnalysisTemplate in namespace "shop" named "smoke-tests"',
    ),
    single(
      'a cluster template that does not exist',
      edit(canaryRollout(), [['spec.strategy.canary.analysis', { templates: [{ templateName: 'success-rate', clusterScope: true }] }]]),
      'spec.strategy.canary.analysis.templates[0].templateName',
      'no ClusterAnalysisTemplate named "success-rate"',
    ),
    single(
      'a step experiment analysing with a missing template',
      edit(canaryRollout(), [
        [
          'spec.strategy.canary.steps[1]',
          {
            experiment: {
              templates: [{ name: 'probe', specRef: 'canary' }],
              analyses: [{ name: 'probe-latency', templateName: 'latency' }],
            },
          },
        ],
      ]),
      'spec.strategy.canary.steps[1].experiment.analyses[0].templateName',
      'named "latency"',
    ),
    // analysis templates
    single('a template without metrics', edit(analysisTemplate(), [['spec.metrics', []]]), 'spec.metrics', 'must not be empty'),
    single(
      'two metrics of one name',
      edit(analysisTemplate(), [['spec.metrics[1]', { name: 'p99', provider: { web: { url: 'http://probe' } } }]]),
      'spec.metrics[1].name',
      'duplicate metric "p99"',
    ),
    single(
      'an unknown provider',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { dynatrace: { query: 'x' } }]]),
      'spec.metrics[0].provider.dynatrace',
      'unknown metric provider "dynatrace"',
    ),
    single(
      'a metric with no provider',
      edit(analysisTemplate(), [['spec.metrics[0].provider', {}]]),
      'spec.metrics[0].provider',
      'must set one provider',
    ),
    single(
      'two providers',
      edit(analysisTemplate(), [['spec.metrics[0].provider.web', { url: 'http://probe' }]]),
      'spec.metrics[0].provider',
      '2 providers (prometheus, web)',
    ),
    single(
      'a prometheus provider without a query',
      edit(analysisTemplate(), [['spec.metrics[0].provider.prometheus.query', undefined]]),
      'spec.metrics[0].provider.prometheus.query',
      'required',
    ),
    single(
      'a web provider without a url',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { web: { jsonPath: '{$.ok}' } }]]),
      'spec.metrics[0].provider.web.url',
      'required',
    ),
    single(
      'a job provider without a spec',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { job: { metadata: {} } }]]),
      'spec.metrics[0].provider.job.spec',
      'required',
    ),
    single(
      'a datadog provider with query and queries',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { datadog: { apiVersion: 'v2', query: 'a', queries: { a: 'b' } } }]]),
      'spec.metrics[0].provider.datadog',
      'exactly one of query and queries',
    ),
    single(
      'a prometheus rangeQuery without a step',
      edit(analysisTemplate(), [['spec.metrics[0].provider.prometheus.rangeQuery', { start: 'now() - duration("1h")', end: 'now()' }]]),
      'spec.metrics[0].provider.prometheus.rangeQuery.step',
      'required',
    ),
    single(
      'a prometheus rangeQuery with a zero step',
      edit(analysisTemplate(), [['spec.metrics[0].provider.prometheus.rangeQuery', { start: 'now()', end: 'now()', step: '0s' }]]),
      'spec.metrics[0].provider.prometheus.rangeQuery.step',
      'greater than zero',
    ),
    single(
      'an unknown field of prometheus sigv4',
      edit(analysisTemplate(), [
        ['spec.metrics[0].provider.prometheus.authentication', { sigv4: { region: 'eu-west-1', accessKey: 'x' } }],
      ]),
      'spec.metrics[0].provider.prometheus.authentication.sigv4.accessKey',
      'unknown field',
    ),
    single(
      'a prometheus sigv4 roleArn',
      edit(analysisTemplate(), [['spec.metrics[0].provider.prometheus.authentication', { sigv4: { roleArn: 'arn:aws:iam::1:role/amp' } }]]),
      'spec.metrics[0].provider.prometheus.authentication.sigv4.roleArn',
      'not supported',
    ),
    single(
      'a prometheus oauth2 without a client secret',
      edit(analysisTemplate(), [
        ['spec.metrics[0].provider.prometheus.authentication', { oauth2: { tokenUrl: 'https://idp/token', clientId: 'a' } }],
      ]),
      'spec.metrics[0].provider.prometheus.authentication.oauth2',
      'clientId and clientSecret',
    ),
    single(
      'a namespaced datadog secretRef without a name',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { datadog: { query: 'a', secretRef: { namespaced: true } } }]]),
      'spec.metrics[0].provider.datadog.secretRef.name',
      'required when namespaced',
    ),
    single(
      'a datadog requestTimeout that is no duration',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { datadog: { query: 'a', requestTimeout: '30' } }]]),
      'spec.metrics[0].provider.datadog.requestTimeout',
      'not a duration',
    ),
    single(
      'a datadog aggregator outside the CRD enum',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { datadog: { apiVersion: 'v2', query: 'a', aggregator: 'p99' } }]]),
      'spec.metrics[0].provider.datadog.aggregator',
      'must be one of',
    ),
    single(
      'a datadog aggregator with api v1',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { datadog: { query: 'a', aggregator: 'avg' } }]]),
      'spec.metrics[0].provider.datadog.aggregator',
      'requires apiVersion v2',
    ),
    single(
      'a negative new relic timeout',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { newRelic: { query: 'SELECT 1', timeout: -1 } }]]),
      'spec.metrics[0].provider.newRelic.timeout',
      '',
    ),
    single(
      'a kayenta provider without a threshold',
      edit(analysisTemplate(), [
        [
          'spec.metrics[0].provider',
          {
            kayenta: {
              address: 'http://kayenta',
              application: 'shop',
              canaryConfigName: 'c',
              metricsAccountName: 'm',
              configurationAccountName: 'c',
              storageAccountName: 's',
              scopes: [{ name: 'default' }],
            },
          },
        ],
      ]),
      'spec.metrics[0].provider.kayenta.threshold',
      'required',
    ),
    single(
      'a cloudWatch provider without queries',
      edit(analysisTemplate(), [['spec.metrics[0].provider', { cloudWatch: { interval: '1m', metricDataQueries: [] } }]]),
      'spec.metrics[0].provider.cloudWatch.metricDataQueries',
      'must not be empty',
    ),
    single(
      'an interval that is not a Go duration',
      edit(analysisTemplate(), [['spec.metrics[0].interval', '5 minutes']]),
      'spec.metrics[0].interval',
      'not a duration',
    ),
    single(
      'an interval of zero',
      edit(analysisTemplate(), [['spec.metrics[0].interval', '0s']]),
      'spec.metrics[0].interval',
      'greater than zero',
    ),
    single(
      'a negative initial delay',
      edit(analysisTemplate(), [['spec.metrics[0].initialDelay', '-1m']]),
      'spec.metrics[0].initialDelay',
      'non-negative',
    ),
    single('a negative count', edit(analysisTemplate(), [['spec.metrics[0].count', -1]]), 'spec.metrics[0].count', 'non-negative'),
    single(
      'a failure limit below -1',
      edit(analysisTemplate(), [['spec.metrics[0].failureLimit', -2]]),
      'spec.metrics[0].failureLimit',
      'at least -1',
    ),
    single(
      'a consecutive error limit that is a percentage',
      edit(analysisTemplate(), [['spec.metrics[0].consecutiveErrorLimit', '50%']]),
      'spec.metrics[0].consecutiveErrorLimit',
      'integer or an {{args.NAME}} placeholder',
    ),
    single(
      'a failure limit above the count',
      edit(analysisTemplate(), [['spec.metrics[0].failureLimit', 6]]),
      'spec.metrics[0].failureLimit',
      'must not exceed count (5)',
    ),
    single(
      'a count above 1 without an interval',
      edit(analysisTemplate(), [['spec.metrics[0].interval', undefined]]),
      'spec.metrics[0].interval',
      'required when count is greater than 1',
    ),
    single(
      'an empty success condition',
      edit(analysisTemplate(), [['spec.metrics[0].successCondition', '']]),
      'spec.metrics[0].successCondition',
      'must not be empty',
    ),
    single(
      'a count placeholder naming no argument',
      edit(analysisTemplate(), [['spec.metrics[0].count', '{{args.samples}}']]),
      'spec.metrics[0].count',
      '{{args.samples}} names no argument',
    ),
    single(
      'a query placeholder naming no argument',
      edit(analysisTemplate(), [['spec.metrics[0].provider.prometheus.query', 'p99{service="{{args.svc}}"}']]),
      'spec.metrics[0].provider.prometheus.query',
      '{{args.svc}} names no argument',
    ),
    single(
      'two arguments of one name',
      edit(analysisTemplate(), [['spec.args[1]', { name: 'service', value: 'checkout' }]]),
      'spec.args[1].name',
      'duplicate argument "service"',
    ),
    single(
      'an argument with value and valueFrom',
      edit(analysisTemplate(), [['spec.args[0]', { name: 'service', value: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]]),
      'spec.args[0]',
      'only one of value and valueFrom',
    ),
    single(
      'a dry-run rule matching no metric',
      edit(analysisTemplate(), [['spec.dryRun', [{ metricName: 'error-.*' }]]]),
      'spec.dryRun[0].metricName',
      'matches none of the metrics (p99)',
    ),
    single(
      'a dry-run rule that nests repetition',
      edit(analysisTemplate(), [['spec.dryRun', [{ metricName: '(p+)+9$' }]]]),
      'spec.dryRun[0].metricName',
      'exponential time',
    ),
    single(
      'a dry-run rule over 253 characters',
      edit(analysisTemplate(), [['spec.dryRun', [{ metricName: `p${'9?'.repeat(200)}` }]]]),
      'spec.dryRun[0].metricName',
      'at most 253 characters',
    ),
    single(
      'a retention rule that is not a regular expression',
      edit(analysisTemplate(), [['spec.measurementRetention', [{ metricName: 'p99(', limit: 5 }]]]),
      'spec.measurementRetention[0].metricName',
      'not a valid regular expression',
    ),
    // experiments
    single(
      'a generateName on a Rollout',
      edit(canaryRollout(), [['metadata.generateName', 'checkout-']]),
      'metadata.generateName',
      'accepted on an Experiment only',
    ),
    single(
      'an experiment with neither name nor generateName',
      edit(experiment(), [['metadata.name', undefined]]),
      'metadata.name',
      'is required, unless generateName is set',
    ),
    single(
      'a generateName that is not a name prefix',
      edit(experiment(), [
        ['metadata.name', undefined],
        ['metadata.generateName', 'Compare_'],
      ]),
      'metadata.generateName',
      'must be lowercase letters',
    ),
    single(
      'a generateName whose generated name leaves no room for a template Service name',
      edit(experiment(), [
        ['metadata.name', undefined],
        ['metadata.generateName', `${'c'.repeat(60)}-`],
        ['spec.templates[0].service', {}],
      ]),
      'spec.templates[0].name',
      'makes a Service name of 72 characters',
    ),
    single('an experiment without templates', edit(experiment(), [['spec.templates', []]]), 'spec.templates', 'must not be empty'),
    single(
      'an experiment with two templates of one name',
      edit(experiment(), [['spec.templates[1].name', 'baseline']]),
      'spec.templates[1].name',
      'duplicate template "baseline"',
    ),
    single(
      'an experiment template its selector misses',
      edit(experiment(), [['spec.templates[1].selector.matchLabels.app', 'other']]),
      'spec.templates[1].template.metadata.labels',
      'selected by the selector',
    ),
    single(
      'an experiment duration that is not a duration',
      edit(experiment(), [['spec.duration', 'forever']]),
      'spec.duration',
      'not a duration',
    ),
    single(
      'two experiment analyses of one name',
      edit(experiment(), [['spec.analyses[1]', { name: 'latency', templateName: 'success-rate' }]]),
      'spec.analyses[1].name',
      'duplicate analysis "latency"',
    ),
    single(
      'an experiment analysing with a missing template',
      edit(experiment(), [['spec.analyses[0].templateName', 'throughput']]),
      'spec.analyses[0].templateName',
      'named "throughput"',
    ),
    // YAML itself
    [
      'malformed YAML, with its line and column',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: checkout\n',
      [[0, '', 'invalid YAML at line 4, column 1']],
    ],
    [
      'a repeated key',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nkind: Rollout\n',
      [[0, '', 'invalid YAML at line 3, column 1: Map keys must be unique']],
    ],
    ['a document that is a list', '- apiVersion: argoproj.io/v1alpha1\n', [[0, '', 'must be a mapping']]],
  ] as const)('%s', (_title, text, expected) => {
    expectIssues(text, expected);
  });
});

describe('parseManifests accepts what Argo accepts', () => {
  const accepted = (title: string, document: Document): [string, string] => [title, yaml(document)];

  it.each([
    accepted(
      'a pause in seconds, as a string of digits and as a Go duration',
      edit(canaryRollout(), [
        ['spec.strategy.canary.steps', [{ pause: { duration: '30' } }, { pause: { duration: '1h' } }, { pause: { duration: 0 } }]],
      ]),
    ),
    accepted(
      'a weight of 0 and percentages for surge and unavailability',
      edit(canaryRollout(), [
        ['spec.strategy.canary.steps[0].setWeight', 0],
        ['spec.strategy.canary.maxSurge', '0%'],
        ['spec.strategy.canary.maxUnavailable', 1],
      ]),
    ),
    accepted(
      'a selector with expressions its template satisfies',
      edit(canaryRollout(), [
        [
          'spec.selector',
          {
            matchExpressions: [
              { key: 'app', operator: 'In', values: ['checkout'] },
              { key: 'legacy', operator: 'DoesNotExist' },
            ],
          },
        ],
      ]),
    ),
    accepted(
      'pod spec fields Kubernetes owns',
      edit(canaryRollout(), [
        ['spec.template.spec.volumes', [{ name: 'cache', emptyDir: {} }]],
        ['spec.template.spec.containers[0].env', [{ name: 'MODE', value: 'canary' }]],
      ]),
    ),
    accepted(
      'nginx with several stable ingresses and a weight cap',
      edit(routedCanaryRollout({ nginx: { stableIngresses: ['checkout', 'checkout-internal'] }, maxTrafficWeight: 60 }), []),
    ),
    accepted(
      'istio with subsets and no services',
      edit(canaryRollout(), [
        [
          'spec.strategy.canary.trafficRouting',
          {
            istio: {
              virtualServices: [{ name: 'checkout' }],
              destinationRule: { name: 'checkout', canarySubsetName: 'canary', stableSubsetName: 'stable' },
            },
          },
        ],
      ]),
    ),
    accepted(
      'the Gateway API plugin with header routes',
      edit(
        routedCanaryRollout({
          plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'checkout', namespace: 'shop' } },
          managedRoutes: [{ name: 'beta' }],
        }),
        [
          [
            'spec.strategy.canary.steps[1]',
            { setHeaderRoute: { name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] } },
          ],
        ],
      ),
    ),
    accepted(
      'setCanaryScale, header and mirror routes under istio',
      edit(routedCanaryRollout({ ...istioRouting, managedRoutes: [{ name: 'header-route' }, { name: 'mirror-route' }] }), [
        [
          'spec.strategy.canary.steps',
          [
            { setCanaryScale: { matchTrafficWeight: true } },
            { setHeaderRoute: { name: 'header-route' } },
            { setMirrorRoute: { name: 'mirror-route', percentage: 50, match: [{ method: { exact: 'GET' } }] } },
          ],
        ],
      ]),
    ),
    accepted(
      'a step experiment with a weight under istio',
      edit(routedCanaryRollout(istioRouting), [
        ['spec.strategy.canary.steps[1]', { experiment: { duration: '5m', templates: [{ name: 'probe', specRef: 'canary', weight: 5 }] } }],
      ]),
    ),
    accepted(
      'a cluster-scoped template already stored',
      edit(canaryRollout(), [
        [
          'spec.strategy.canary.analysis',
          {
            templates: [{ templateName: 'error-rate', clusterScope: true }],
            startingStep: 2,
            args: [
              { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
              { name: 'app', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            ],
          },
        ],
      ]),
    ),
    accepted(
      'autoPromotionSeconds beside autoPromotionEnabled false, which Argo ignores',
      edit(blueGreenRollout(), [
        ['spec.strategy.blueGreen.autoPromotionEnabled', false],
        ['spec.strategy.blueGreen.autoPromotionSeconds', 30],
      ]),
    ),
    accepted(
      'a prometheus range query over Amazon Managed Prometheus with SigV4',
      edit(analysisTemplate(), [
        [
          'spec.metrics[0].provider.prometheus',
          {
            address: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
            query: 'up',
            rangeQuery: { start: 'date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")', end: 'now()', step: '1m' },
            authentication: { sigv4: { region: 'eu-west-1', profile: 'amp-credentials' } },
          },
        ],
      ]),
    ),
    accepted(
      'a datadog metric with a namespaced Secret and a request timeout, a new relic metric with a timeout',
      edit(analysisTemplate(), [
        [
          'spec.metrics[0].provider',
          { datadog: { query: 'avg:cpu{*}', secretRef: { name: 'dd-team-a', namespaced: true }, requestTimeout: '30s' } },
        ],
        ['spec.metrics[1]', { name: 'nr', provider: { newRelic: { query: 'SELECT 1', timeout: 20 } } }],
      ]),
    ),
    accepted(
      'an experiment named by generateName, with a trailing dash',
      edit(experiment(), [
        ['metadata.name', undefined],
        ['metadata.generateName', 'compare-'],
      ]),
    ),
    accepted('a failure limit of -1, which lifts the limit', edit(analysisTemplate(), [['spec.metrics[0].failureLimit', -1]])),
    accepted(
      'limits and timings given by declared arguments',
      edit(analysisTemplate(), [
        ['spec.args[1]', { name: 'samples', value: '5' }],
        ['spec.metrics[0].count', '{{args.samples}}'],
        ['spec.metrics[0].interval', '{{args.samples}}'],
        ['spec.metrics[0].consecutiveErrorLimit', '4'],
      ]),
    ),
    accepted(
      'dry-run and retention rules as regular expressions',
      edit(analysisTemplate(), [
        ['spec.dryRun', [{ metricName: '.*' }]],
        ['spec.measurementRetention', [{ metricName: 'p9.', limit: 20 }]],
      ]),
    ),
    accepted(
      'a datadog v2 formula over queries',
      edit(analysisTemplate(), [
        [
          'spec.metrics[0].provider',
          { datadog: { apiVersion: 'v2', queries: { a: 'sum:errors{*}', b: 'sum:requests{*}' }, formula: 'a/b' } },
        ],
      ]),
    ),
    accepted(
      'an argument read from a Secret',
      edit(analysisTemplate(), [['spec.args[1]', { name: 'token', valueFrom: { secretKeyRef: { name: 'datadog', key: 'api-key' } } }]]),
    ),
  ] as const)('%s', (_title, text) => {
    expect(parseManifests(text, context)).toMatchObject({ ok: true });
  });

  it('returns nothing for a text with no documents', () => {
    expect(parseManifests('# nothing to apply\n---\n', context)).toEqual({ ok: true, documents: [] });
  });
});

describe('parseManifests across documents', () => {
  it('reports every issue of every document, indexing only documents with content', () => {
    const text = [
      '---\n# a leading separator and a comment-only document are skipped\n',
      yaml(
        edit(canaryRollout(), [
          ['spec.replicas', -2],
          ['spec.strategy.canary.steps[0].setWeight', 150],
        ]),
      ),
      '\n',
      yaml(analysisTemplate()),
      yaml(
        edit(analysisTemplate(), [
          ['spec.metrics[0].provider', { web: {} }],
          ['spec.metrics[0].count', -3],
        ]),
      ),
      yaml(edit(experiment(), [['apiVersion', 'argoproj.io/v2']])),
      '',
    ].join('---\n');

    expectIssues(text, [
      [0, 'spec.replicas', 'non-negative'],
      [0, 'spec.strategy.canary.steps[0].setWeight', 'between 0 and 100'],
      [2, 'spec.metrics[0].provider.web.url', 'required'],
      [2, 'spec.metrics[0].count', 'non-negative'],
      [2, 'metadata.name', 'AnalysisTemplate "latency" is already defined by document 1'],
      [3, 'apiVersion', 'argoproj.io/v1alpha1'],
    ]);
  });

  it('lets a rollout use templates applied with it, of the right scope only', () => {
    const clusterTemplate = edit(analysisTemplate(), [
      ['kind', 'ClusterAnalysisTemplate'],
      ['metadata.name', 'latency-everywhere'],
    ]);
    const rollout = edit(canaryRollout(), [
      [
        'spec.strategy.canary.analysis',
        {
          templates: [{ templateName: 'latency' }, { templateName: 'latency-everywhere', clusterScope: true }],
          args: [{ name: 'service', value: 'checkout' }],
        },
      ],
      ['spec.strategy.canary.steps[1]', { analysis: { templates: [{ templateName: 'latency-everywhere' }] } }],
    ]);

    expectIssues(yaml(rollout, analysisTemplate(), clusterTemplate), [
      [
        0,
        'spec.strategy.canary.steps[1].analysis.templates[0].templateName',
        'no AnalysisTemplate in namespace "shop" named "latency-everywhere"',
      ],
    ]);
  });

  it('requires the arguments an applied template leaves without a value, wherever it runs', () => {
    const templateWithDefault = edit(analysisTemplate(), [
      ['metadata.name', 'latency-defaulted'],
      ['spec.args[0].value', 'checkout'],
    ]);
    const rollout = edit(blueGreenRollout(), [
      ['spec.strategy.blueGreen.prePromotionAnalysis', { templates: [{ templateName: 'latency' }, { templateName: 'latency-defaulted' }] }],
      [
        'spec.strategy.blueGreen.postPromotionAnalysis',
        { templates: [{ templateName: 'latency' }], args: [{ name: 'service', value: 'checkout-active' }] },
      ],
    ]);
    const comparison = edit(experiment(), [
      ['spec.analyses[0]', { name: 'latency', templateName: 'latency', args: [{ name: 'unrelated', value: 'x' }] }],
    ]);

    expectIssues(yaml(rollout, analysisTemplate(), templateWithDefault, comparison), [
      [
        0,
        'spec.strategy.blueGreen.prePromotionAnalysis.templates[0].templateName',
        'AnalysisTemplate "latency" needs "service" passed in args',
      ],
      [3, 'spec.analyses[0].templateName', 'AnalysisTemplate "latency" needs "service" passed in args'],
    ]);
  });

  it('requires the arguments a stored template leaves without a value, unless the same apply replaces it', () => {
    const stored = {
      ...context,
      knownAnalysisTemplates: new Map([['latency', ['service']]]),
      knownClusterAnalysisTemplates: new Map([['latency', ['region', 'service']]]),
    };
    const rollout = edit(canaryRollout(), [
      [
        'spec.strategy.canary.analysis',
        {
          templates: [{ templateName: 'latency' }, { templateName: 'latency', clusterScope: true }],
          args: [{ name: 'service', value: 'checkout' }],
        },
      ],
      ['spec.strategy.canary.steps[1]', { analysis: { templates: [{ templateName: 'latency' }] } }],
    ]);
    const result = parseManifests(yaml(rollout), stored);
    expect(result.ok ? [] : result.errors).toEqual([
      {
        documentIndex: 0,
        path: 'spec.strategy.canary.analysis.templates[1].templateName',
        message: 'ClusterAnalysisTemplate "latency" needs "region" passed in args, as it declares no value for it',
      },
      {
        documentIndex: 0,
        path: 'spec.strategy.canary.steps[1].analysis.templates[0].templateName',
        message: 'AnalysisTemplate "latency" needs "service" passed in args, as it declares no value for it',
      },
    ]);

    const replacement = edit(analysisTemplate(), [['spec.args[0].value', 'checkout']]);
    const withoutStep = edit(rollout, [['spec.strategy.canary.analysis.templates', [{ templateName: 'latency' }]]]);
    expect(parseManifests(yaml(withoutStep, replacement), stored)).toMatchObject({ ok: true });
  });

  it('allows one name for different kinds, and refuses it twice for one kind', () => {
    const clusterTemplate = edit(analysisTemplate(), [['kind', 'ClusterAnalysisTemplate']]);
    expect(parseManifests(yaml(analysisTemplate(), clusterTemplate), context)).toMatchObject({ ok: true });
    expectIssues(yaml(canaryRollout(), analysisTemplate(), edit(canaryRollout(), [['spec.replicas', 1]])), [
      [2, 'metadata.name', 'Rollout "checkout" is already defined by document 0'],
    ]);
  });

  it('keeps reading the documents after a malformed one', () => {
    const text = `${yaml(canaryRollout())}---\nkind: [Rollout\n---\n${yaml(edit(experiment(), [['spec.templates', []]]))}`;
    expectIssues(text, [
      [1, '', 'invalid YAML'],
      [2, 'spec.templates', 'must not be empty'],
    ]);
  });

  it('returns the documents exactly as written, in order', () => {
    const documents = [canaryRollout(), analysisTemplate(), experiment()];
    expect(parseManifests(yaml(...documents), context)).toEqual({ ok: true, documents });
  });
});

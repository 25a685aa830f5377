import { describe, expect, it } from 'vitest';
import { parseManifests } from './parse-manifests.js';
import {
  canaryRollout,
  context,
  type Document,
  edit,
  istioRouting,
  nginxRouting,
  routedCanaryRollout,
  yaml,
} from './documents.fixtures.js';

type Issue = readonly [path: string, reasonWord: string];

const STEP = 'spec.strategy.canary.steps[0]';
const GATEWAY_API = { 'argoproj-labs/gatewayAPI': { httpRoute: 'checkout' } };

/** The canary rollout of the fixtures, routed by `router` (or not routed), whose only step is `step`. */
function withStep(step: Document, router?: Document): Document {
  const rollout = router === undefined ? canaryRollout() : routedCanaryRollout(router);
  return edit(rollout, [['spec.strategy.canary.steps', [step]]]);
}

function issuesOf(document: Document): Issue[] {
  const result = parseManifests(yaml(document), context);
  return result.ok ? [] : result.errors.map(({ path, message }) => [path, message] as const);
}

function expectIssues(document: Document, expected: readonly Issue[]): void {
  expect(issuesOf(document)).toEqual(expected.map(([path, word]) => [path, expect.stringContaining(word) as unknown]));
}

const headerRoute = (headerValue: Document = { exact: 'chrome' }): Document => ({
  setHeaderRoute: { name: 'header-route', match: [{ headerName: 'agent', headerValue }] },
});
const mirrorRoute = (match?: Document[]): Document => ({
  setMirrorRoute: { name: 'mirror-route', ...(match === undefined ? {} : { match }) },
});
const istioWithRoutes = (...names: string[]): Document => ({ istio: istioRouting.istio, managedRoutes: names.map((name) => ({ name })) });
const experimentStep = (weight?: number): Document => ({
  experiment: { templates: [{ name: 'probe', specRef: 'canary', ...(weight === undefined ? {} : { weight }) }] },
});
const badFieldRefArgs = [
  { name: 'app', valueFrom: { fieldRef: { fieldPath: "metadata.label['app']" } } },
  { name: 'value-key', value: 'hardcoded-value' },
];

describe('canary steps are validated as upstream validates them', () => {
  it.each<[string, Document, Issue[]]>([
    // upstream: TestValidateRolloutStrategyCanary
    ['valid rollout', withStep({ setWeight: 10 }, nginxRouting), []],
    [
      'invalid setCanaryScale without trafficRouting',
      withStep({ setCanaryScale: {} }),
      [[`${STEP}.setCanaryScale`, 'requires spec.strategy.canary.trafficRouting']],
    ],
    ['invalid canary step', withStep({}), [[STEP, 'must set at least one of setWeight, pause']]],
    ['invalid set weight value', withStep({ setWeight: 101 }), [[`${STEP}.setWeight`, 'between 0 and 100']]],
    [
      'only nginx/plugins support max weight value: istio',
      withStep({ setWeight: 1 }, { ...istioRouting, maxTrafficWeight: 1 }),
      [['spec.strategy.canary.trafficRouting.maxTrafficWeight', 'only supported with the nginx router or a plugin']],
    ],
    ['only nginx/plugins support max weight value: nginx', withStep({ setWeight: 1 }, { ...nginxRouting, maxTrafficWeight: 1 }), []],
    ['only nginx/plugins support max weight value: plugins', withStep({ setWeight: 1 }, { plugins: GATEWAY_API, maxTrafficWeight: 1 }), []],
    ['invalid duration set in paused step', withStep({ pause: { duration: -1 } }), [[`${STEP}.pause.duration`, 'non-negative']]],
    [
      'invalid metadata references in analysis step',
      withStep({ analysis: { templates: [{ templateName: 'success-rate' }], args: badFieldRefArgs } }),
      [[`${STEP}.analysis.args[0].valueFrom.fieldRef.fieldPath`, 'not a metadata field the downward API supports']],
    ],
    [
      'invalid metadata references in experiment step',
      withStep({
        experiment: {
          templates: [{ name: 'probe', specRef: 'canary' }],
          analyses: [{ name: 'check', templateName: 'success-rate', args: badFieldRefArgs }],
        },
      }),
      [[`${STEP}.experiment.analyses[0].args[0].valueFrom.fieldRef.fieldPath`, 'not a metadata field the downward API supports']],
    ],
    // upstream: TestHasMultipleStepsType
    ['a step with setWeight alone', withStep({ setWeight: 1 }), []],
    [
      'a step with setWeight and pause',
      withStep({ setWeight: 1, pause: { duration: 1 } }),
      [[STEP, 'sets setWeight and pause; a step takes at most one of setWeight, pause, experiment, analysis']],
    ],
    [
      'a step with an experiment and an analysis',
      withStep({ ...experimentStep(), analysis: { templates: [{ templateName: 'success-rate' }] } }),
      [[STEP, 'sets experiment and analysis']],
    ],
    // upstream: TestValidateRolloutStrategyCanarySetHeaderRoute
    [
      'using SetHeaderRoute step without the traffic routing',
      withStep(headerRoute()),
      [[`${STEP}.setHeaderRoute`, 'requires trafficRouting with istio or plugins']],
    ],
    // upstream: TestValidateRolloutStrategyCanarySetHeaderRoutePlugins
    [
      'using SetHeaderRoute step with plugins',
      withStep(headerRoute(), { plugins: GATEWAY_API, managedRoutes: [{ name: 'header-route' }] }),
      [],
    ],
    // upstream: TestValidateRolloutStrategyCanarySetMirrorRoute
    [
      'using SetMirrorRoute step without the traffic routing',
      withStep(mirrorRoute()),
      [[`${STEP}.setMirrorRoute`, 'requires trafficRouting with istio']],
    ],
    // upstream: TestValidateRolloutStrategyCanarySetMirrorRoutePlugins (accepted upstream; Flotilla drives mirrors with istio only)
    [
      'using SetMirrorRoute step with plugins',
      withStep(mirrorRoute([{ method: { exact: 'GET' }, path: { prefix: '/api' } }]), {
        plugins: GATEWAY_API,
        managedRoutes: [{ name: 'mirror-route' }],
      }),
      [[`${STEP}.setMirrorRoute`, 'requires trafficRouting with istio']],
    ],
    // upstream: TestValidateRolloutStrategyCanarySetHeaderRouteIstio
    [
      'using SetHeaderRoute step with multiple values',
      withStep(headerRoute({ exact: 'chrome', regex: 'chrome(.*)' }), istioWithRoutes('header-route')),
      [[`${STEP}.setHeaderRoute.match[0].headerValue`, 'a match takes exactly one of exact, prefix and regex']],
    ],
    [
      'using SetHeaderRoute step with missed values',
      withStep(headerRoute({}), istioWithRoutes('header-route')),
      [[`${STEP}.setHeaderRoute.match[0].headerValue`, 'must set one of exact, prefix and regex']],
    ],
    [
      'using SetHeaderRoute step with an empty value, which upstream counts as missed',
      withStep(headerRoute({ exact: '' }), istioWithRoutes('header-route')),
      [[`${STEP}.setHeaderRoute.match[0].headerValue`, 'must set one of exact, prefix and regex']],
    ],
    [
      'using SetHeaderRoute step without managedRoutes defined but missing route',
      withStep(headerRoute(), istioWithRoutes('not-in-steps')),
      [[`${STEP}.setHeaderRoute.name`, 'is not listed in spec.strategy.canary.trafficRouting.managedRoutes']],
    ],
    // upstream: TestValidateRolloutStrategyCanarySetMirrorRouteIstio
    [
      'using SetMirrorRoute step with multiple values',
      withStep(mirrorRoute([{ method: { exact: 'test', prefix: 'test' } }]), istioWithRoutes('mirror-route')),
      [[`${STEP}.setMirrorRoute.match[0].method`, 'a match takes exactly one']],
    ],
    [
      'using SetMirrorRoute step with missed match and no kind',
      withStep(mirrorRoute([{ method: {} }]), istioWithRoutes('mirror-route')),
      [[`${STEP}.setMirrorRoute.match[0].method`, 'must set one of exact, prefix and regex']],
    ],
    [
      'using SetMirrorRoute step without managedRoutes not defined',
      withStep(mirrorRoute([{ method: { exact: 'exact' } }]), { istio: istioRouting.istio }),
      [['spec.strategy.canary.trafficRouting.managedRoutes', 'is required']],
    ],
    [
      'using SetMirrorRoute step without managedRoutes defined but missing route',
      withStep(mirrorRoute([{ method: { exact: 'GET' }, path: { prefix: '/' } }]), istioWithRoutes('not-in-steps')),
      [[`${STEP}.setMirrorRoute.name`, 'is not listed']],
    ],
    [
      'using SetMirrorRoute step with managedRoutes defined',
      withStep(mirrorRoute([{ method: { exact: 'GET' }, path: { prefix: '/' } }]), istioWithRoutes('mirror-route')),
      [],
    ],
    // upstream: TestCanaryExperimentStepWithWeight
    [
      'invalid - no TrafficRouting set',
      withStep(experimentStep(20)),
      [[`${STEP}.experiment.templates[0].weight`, 'requires spec.strategy.canary.trafficRouting']],
    ],
    [
      'unsupported - Nginx TrafficRouting',
      withStep(experimentStep(20), nginxRouting),
      [[`${STEP}.experiment.templates[0].weight`, 'is only supported with the smi or istio router or plugins']],
    ],
    ['success - Istio TrafficRouting', withStep(experimentStep(20), istioRouting), []],
    ['success - SMI TrafficRouting', withStep(experimentStep(20), { smi: {} }), []],
    ['success - Plugins', withStep(experimentStep(20), { plugins: GATEWAY_API }), []],
  ])('%s', (_title, document, expected) => {
    expectIssues(document, expected);
  });
});

describe('a step combines setCanaryScale and the routes with one other action, as upstream accepts', () => {
  const routes = istioWithRoutes('header-route', 'mirror-route');
  it.each<[string, Document]>([
    ['setCanaryScale and setHeaderRoute', { setCanaryScale: { replicas: 1 }, ...headerRoute() }],
    ['setWeight and setCanaryScale', { setWeight: 20, setCanaryScale: { weight: 50 } }],
    ['pause, setCanaryScale and setMirrorRoute', { pause: { duration: '1m' }, setCanaryScale: { replicas: 2 }, ...mirrorRoute() }],
    ['an experiment and a header route', { ...experimentStep(), ...headerRoute() }],
    ['an analysis and setCanaryScale', { analysis: { templates: [{ templateName: 'success-rate' }] }, setCanaryScale: { weight: 10 } }],
    [
      'setCanaryScale with weight, replicas and matchTrafficWeight at once',
      { setCanaryScale: { weight: 10, replicas: 1, matchTrafficWeight: true } },
    ],
    ['an empty setCanaryScale', { setCanaryScale: {} }],
  ])('%s', (_title, step) => {
    expectIssues(withStep(step, routes), []);
  });
});

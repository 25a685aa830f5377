import { stringify } from 'yaml';
import type { ValidationContext } from './parse-manifests.js';

// Valid documents of every kind, and the means to edit them, shared by the manifest tests.
export const context: ValidationContext = {
  namespace: 'shop',
  knownAnalysisTemplates: new Map([['success-rate', []]]),
  knownClusterAnalysisTemplates: new Map([['error-rate', []]]),
};

export type Document = Record<string, unknown>;

export const podTemplate = (app: string): Document => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: app, image: `registry.example/${app}:1.0` }] },
});

export const canaryRollout = (): Document => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'checkout', namespace: 'shop' },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'checkout' } },
    template: podTemplate('checkout'),
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: '1m' } }, { setWeight: 60 }] } },
  },
});

export const routedCanaryRollout = (router: Document): Document => {
  const rollout = canaryRollout();
  return edit(rollout, [
    ['spec.strategy.canary.canaryService', 'checkout-canary'],
    ['spec.strategy.canary.stableService', 'checkout-stable'],
    ['spec.strategy.canary.trafficRouting', router],
  ]);
};

export const nginxRouting = { nginx: { stableIngress: 'checkout' } };
export const istioRouting = {
  istio: { virtualService: { name: 'checkout', routes: ['primary'] } },
  managedRoutes: [{ name: 'header-route' }],
};

export const blueGreenRollout = (): Document =>
  edit(canaryRollout(), [['spec.strategy', { blueGreen: { activeService: 'checkout-active', previewService: 'checkout-preview' } }]]);

export const analysisTemplate = (): Document => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'latency' },
  spec: {
    args: [{ name: 'service' }],
    metrics: [
      {
        name: 'p99',
        interval: '1m',
        count: 5,
        failureLimit: 1,
        successCondition: 'result[0] < 0.3',
        provider: { prometheus: { address: 'http://prometheus:9090', query: 'p99{service="{{args.service}}"}' } },
      },
    ],
  },
});

export const experiment = (): Document => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Experiment',
  metadata: { name: 'compare' },
  spec: {
    duration: '10m',
    templates: [
      { name: 'baseline', selector: { matchLabels: { app: 'baseline' } }, template: podTemplate('baseline') },
      { name: 'candidate', selector: { matchLabels: { app: 'candidate' } }, template: podTemplate('candidate') },
    ],
    analyses: [{ name: 'latency', templateName: 'success-rate' }],
  },
});

export const fleetRollout = (): Document => ({
  apiVersion: 'flotilla.io/v1alpha1',
  kind: 'FleetRollout',
  metadata: { name: 'checkout-fleet', labels: { team: 'payments' } },
  spec: {
    rollout: { namespace: 'shop', name: 'checkout' },
    clusterSelector: { matchLabels: { tier: 'edge' } },
    disconnectedTimeoutSeconds: 300,
    waves: [
      { name: 'canary', clusterSelector: { matchLabels: { env: 'staging' } }, maxParallel: 1, soakSeconds: 600 },
      {
        name: 'europe',
        clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west-1', 'eu-central-1'] }] },
        maxParallel: '25%',
        approval: 'manual',
        allowMissing: true,
        disconnectedTimeoutSeconds: 900,
      },
      { name: 'rest' },
    ],
    failurePolicy: 'rollbackWave',
  },
});

export const freezeWindow = (): Document => ({
  apiVersion: 'flotilla.io/v1alpha1',
  kind: 'FreezeWindow',
  metadata: { name: 'weekend', labels: { team: 'platform' } },
  spec: {
    reason: 'no releases over the weekend',
    schedule: 'DTSTART;TZID=Europe/Berlin:20261204T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H\n',
    policy: 'hold',
    clusterSelector: { matchLabels: { env: 'prod' } },
    namespaces: ['shop', 'payments'],
  },
});

const FIELD = /([^.[\]]+)|\[(\d+)\]/g;

/** Sets (or, with `undefined`, removes) the value at a path such as `spec.strategy.canary.steps[0].setWeight`. */
export function edit(document: Document, edits: readonly (readonly [string, unknown])[]): Document {
  for (const [path, value] of edits) {
    const keys = [...path.matchAll(FIELD)].map((match) => (match[2] === undefined ? (match[1] as string) : Number(match[2])));
    const last = keys.pop() as string | number;
    let parent = document as Record<string | number, unknown>;
    for (const key of keys) {
      parent[key] ??= typeof key === 'number' ? [] : {};
      parent = parent[key] as Record<string | number, unknown>;
    }
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return document;
}

export const yaml = (...documents: Document[]): string => documents.map((document) => stringify(document)).join('---\n');

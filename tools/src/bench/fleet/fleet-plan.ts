/**
 * The rollouts of the fleet benchmark: which strategy each one runs, its manifest, and the timers its strategy holds
 * between steps (what the fleet simulator needs to tell a reaction to an observation from the end of a pause).
 */
export type FleetRolloutKind = 'canary' | 'routed-canary' | 'blue-green';

export interface FleetRollout {
  cluster: string;
  namespace: string;
  name: string;
  kind: FleetRolloutKind;
  /** Whether a step of the canary runs an analysis, measured by the cluster's agent. */
  analysed: boolean;
}

export const FLEET_NAMESPACE = 'bench';
export const ANALYSIS_TEMPLATE = 'virtual-success';
export const CONTAINER = 'app';
const REPLICAS = 4;
const PAUSE_SECONDS = 10;
/** Every fifth rollout runs a step analysis: 20 % of the fleet. */
const ANALYSED_EVERY = 5;
const KINDS: readonly FleetRolloutKind[] = ['canary', 'canary', 'routed-canary', 'blue-green'];

export const clusterName = (index: number): string => `virtual-${String(index).padStart(4, '0')}`;
export const imageOf = (name: string, version: number): string => `registry.example.com/bench/${name}:1.${version}.0`;

/** `rollouts` rollouts spread round-robin over `clusters` clusters, in a mix of strategies. */
export function fleetLayout(clusters: number, rollouts: number): FleetRollout[] {
  return Array.from({ length: rollouts }, (_, index) => ({
    cluster: clusterName(index % clusters),
    namespace: FLEET_NAMESPACE,
    name: `svc-${String(index).padStart(5, '0')}`,
    kind: KINDS[index % KINDS.length] as FleetRolloutKind,
    analysed: index % ANALYSED_EVERY === 0,
  }));
}

function canarySteps(rollout: FleetRollout): object[] {
  const analysis = rollout.analysed ? [{ analysis: { templates: [{ templateName: ANALYSIS_TEMPLATE }] } }] : [];
  const first = rollout.kind === 'routed-canary' ? 10 : 25;
  return [
    { setWeight: first },
    { pause: { duration: `${PAUSE_SECONDS}s` } },
    { setWeight: 50 },
    ...analysis,
    { pause: { duration: `${PAUSE_SECONDS}s` } },
    { setWeight: 75 },
  ];
}

/**
 * Canary weights after which the strategy pauses for a time, with the pause in seconds: a desired state that moves
 * on from such a weight answers the pause's end, not an observation.
 */
export function timedPauses(kind: FleetRolloutKind): ReadonlyMap<number, number> {
  if (kind === 'blue-green') return new Map();
  return new Map([
    [kind === 'routed-canary' ? 10 : 25, PAUSE_SECONDS],
    [50, PAUSE_SECONDS],
  ]);
}

function strategyOf(rollout: FleetRollout): object {
  const { name } = rollout;
  switch (rollout.kind) {
    case 'canary':
      return { canary: { steps: canarySteps(rollout) } };
    case 'routed-canary':
      return {
        canary: {
          canaryService: `${name}-canary`,
          stableService: `${name}-stable`,
          trafficRouting: { nginx: { stableIngress: name } },
          steps: canarySteps(rollout),
        },
      };
    case 'blue-green':
      return { blueGreen: { activeService: `${name}-active`, previewService: `${name}-preview` } };
  }
}

/** The Rollout manifest of `rollout` at image `version`. */
export function rolloutManifest(rollout: FleetRollout, version: number): object {
  const { name } = rollout;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: CONTAINER, image: imageOf(name, version), ports: [{ containerPort: 8080 }] }] },
      },
      strategy: strategyOf(rollout),
    },
  };
}

/** The template of every step analysis: one measurement the virtual agents answer with 1. */
export function analysisTemplateManifest(): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: ANALYSIS_TEMPLATE },
    spec: {
      metrics: [
        {
          name: 'success',
          count: 1,
          successCondition: 'result == 1',
          provider: { web: { url: 'http://metrics.bench.svc/success', jsonPath: '{$.value}' } },
        },
      ],
    },
  };
}

import type { CanaryStep, RolloutSpec, RolloutStrategy } from '@flotilla/argo-spec';
import {
  applyOperation,
  reconcile,
  type AnalysisRunState,
  type Decision,
  type ReconcileInput,
  type RolloutOperation,
  type RolloutStatus,
} from '@flotilla/rollout-engine';
import { type DesiredRolloutState, type ObservedReplicaSet, type ObservedRolloutState } from '@flotilla/protocol';

/**
 * Reconcile inputs for a fleet of rollouts in every state the engine meets: each rollout is carried there by the
 * engine itself against an obedient cluster (pods ready at once, Services and routers set as asked), so its
 * status, observations and analysis runs match as they would in production.
 */
export type FleetScenario =
  | 'first-deployment'
  | 'steady'
  | 'basic-canary'
  | 'nginx-canary'
  | 'istio-canary'
  | 'blue-green-preview'
  | 'blue-green-promoted'
  | 'aborted-canary';

export interface BenchRollout {
  scenario: FleetScenario;
  input: ReconcileInput;
}

/** Shares of the fleet, in percent. */
export const FLEET_MIX: Readonly<Record<FleetScenario, number>> = {
  'first-deployment': 10,
  steady: 10,
  'basic-canary': 20,
  'nginx-canary': 15,
  'istio-canary': 15,
  'blue-green-preview': 10,
  'blue-green-promoted': 10,
  'aborted-canary': 10,
};

const FLEET_START = new Date('2026-06-01T08:00:00.000Z');
const SETTLE_LIMIT = 40;

const BASIC_STEPS: CanaryStep[] = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 40 },
  { pause: { duration: '10s' } },
  { setWeight: 60 },
  { setWeight: 80 },
];
const ROUTED_STEPS: CanaryStep[] = [
  { setWeight: 5 },
  { pause: {} },
  { setWeight: 25 },
  { pause: { duration: '30s' } },
  { setWeight: 50 },
  { pause: { duration: '1m' } },
  { setWeight: 75 },
];

function strategyOf(scenario: FleetScenario, name: string): RolloutStrategy {
  switch (scenario) {
    case 'first-deployment':
    case 'steady':
    case 'basic-canary':
    case 'aborted-canary':
      return { canary: { steps: BASIC_STEPS } };
    case 'nginx-canary':
      return {
        canary: {
          canaryService: `${name}-canary`,
          stableService: `${name}-stable`,
          trafficRouting: { nginx: { stableIngress: name } },
          steps: ROUTED_STEPS,
        },
      };
    case 'istio-canary':
      return {
        canary: {
          canaryService: `${name}-canary`,
          stableService: `${name}-stable`,
          trafficRouting: { istio: { virtualService: { name, routes: ['primary'] } } },
          analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service', value: name }] },
          steps: ROUTED_STEPS,
        },
      };
    case 'blue-green-preview':
    case 'blue-green-promoted':
      return {
        blueGreen: {
          activeService: `${name}-active`,
          previewService: `${name}-preview`,
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: 30,
        },
      };
  }
}

function fleetSpec(scenario: FleetScenario, name: string, image: string, replicas: number): RolloutSpec {
  return {
    replicas,
    revisionHistoryLimit: 3,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, tier: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image,
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            resources: { requests: { cpu: '100m', memory: '128Mi' } },
          },
        ],
      },
    },
    strategy: strategyOf(scenario, name),
  };
}

/** The cluster as an agent that applies every desired state at once reports it. */
export function convergedObservation(observed: ObservedRolloutState, desired: DesiredRolloutState, nowIso: string): ObservedRolloutState {
  const before = new Map(observed.replicaSets.map((replicaSet) => [replicaSet.podTemplateHash, replicaSet]));
  const replicaSets = desired.replicaSets.map((wanted): ObservedReplicaSet => ({
    podTemplateHash: wanted.podTemplateHash,
    labels: wanted.labels,
    annotations: wanted.annotations,
    replicas: wanted.replicas,
    currentReplicas: wanted.replicas,
    readyReplicas: wanted.replicas,
    availableReplicas: wanted.replicas,
    template: wanted.template,
    podProblems: [],
    oldestPodCreatedAt: before.get(wanted.podTemplateHash)?.oldestPodCreatedAt ?? nowIso,
  }));
  const serviceSelectors = { ...observed.serviceSelectors };
  for (const selector of Object.values(desired.services)) serviceSelectors[selector.service] = selector.podTemplateHash;
  const routing = desired.trafficRouting;
  const trafficWeights =
    routing === undefined ? observed.trafficWeights : { ...observed.trafficWeights, [routing.router]: routing.canaryWeight };
  return { replicaSets, serviceSelectors, trafficWeights, observedAt: nowIso };
}

/** One rollout driven by the engine against an obedient cluster; analysis runs stay Running once started. */
class DrivenRollout {
  private status: RolloutStatus | undefined;
  private observed: ObservedRolloutState;
  private generation = 1;
  private desired: DesiredRolloutState = { replicaSets: [], services: {}, trafficRouting: undefined };
  private readonly runs = new Map<string, AnalysisRunState>();

  constructor(
    private readonly name: string,
    private readonly namespace: string,
    private spec: RolloutSpec,
    private now: Date,
  ) {
    this.observed = { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: now.toISOString() };
  }

  /** What the next reconcile sees, `secondsLater` after the last one. */
  nextInput(secondsLater: number): ReconcileInput {
    return {
      rollout: { name: this.name, namespace: this.namespace, generation: this.generation, spec: this.spec },
      status: this.status,
      observed: this.observed,
      analysisRuns: [...this.runs.values()],
      experiments: [],
      now: new Date(this.now.getTime() + secondsLater * 1000),
    };
  }

  private step(): Decision {
    const decision = reconcile(this.nextInput(0));
    this.status = decision.status;
    this.desired = decision.desired;
    this.observed = convergedObservation(this.observed, decision.desired, this.now.toISOString());
    for (const request of decision.analysisRunsToStart) {
      this.runs.set(request.name, {
        name: request.name,
        kind: request.kind,
        podTemplateHash: request.podTemplateHash,
        stepIndex: request.stepIndex,
        phase: 'Running',
        message: '',
      });
    }
    for (const name of decision.analysisRunsToTerminate) {
      const run = this.runs.get(name);
      if (run !== undefined) this.runs.set(name, { ...run, phase: 'Successful' });
    }
    return decision;
  }

  /** Reconciles until a reconcile changes neither status nor cluster, as a cluster left alone would. */
  settle(): this {
    for (let round = 0; round < SETTLE_LIMIT; round++) {
      const before = JSON.stringify([this.status, this.observed]);
      this.step();
      if (JSON.stringify([this.status, this.observed]) === before) return this;
    }
    throw new Error(`${this.namespace}/${this.name} did not settle in ${SETTLE_LIMIT} reconciles`);
  }

  operate(operation: RolloutOperation): this {
    const result = applyOperation(this.spec, this.status, this.observed, operation, this.now);
    if (!result.ok) throw new Error(`${operation.type} on ${this.namespace}/${this.name} refused: ${result.refusal.message}`);
    if (result.spec !== this.spec) {
      this.spec = result.spec;
      this.generation++;
    }
    if (result.status !== undefined) this.status = result.status;
    return this;
  }

  /** Promotes through pauses until the canary stands at `stepIndex` (or has finished). */
  advanceToStep(stepIndex: number): this {
    for (let guard = 0; guard < SETTLE_LIMIT; guard++) {
      this.settle();
      const status = this.status;
      if (status === undefined || status.phase === 'Healthy' || (status.currentStepIndex ?? 0) >= stepIndex) return this;
      this.now = new Date(this.now.getTime() + 5_000);
      this.operate({ type: 'promote', full: false });
    }
    throw new Error(`${this.namespace}/${this.name} did not reach step ${stepIndex}`);
  }

  /** The rows a control plane stores for this rollout. */
  stored(): StoredRollout {
    return {
      name: this.name,
      namespace: this.namespace,
      spec: this.spec,
      generation: this.generation,
      status: this.status,
      observed: this.observed,
      desired: this.desired,
    };
  }

  elapse(seconds: number): this {
    this.now = new Date(this.now.getTime() + seconds * 1000);
    return this;
  }
}

export interface StoredRollout {
  name: string;
  namespace: string;
  spec: RolloutSpec;
  generation: number;
  status: RolloutStatus | undefined;
  observed: ObservedRolloutState;
  desired: DesiredRolloutState;
}

/**
 * A basic canary, healthy on its first image, whose spec has just been given a new image: its next reconcile
 * starts a revision, changes the desired state and writes audit events.
 * @example pendingRelease(7).generation // → 2, while its status still observes generation 1
 */
export function pendingRelease(index: number): StoredRollout {
  const name = `release-${String(index).padStart(5, '0')}`;
  const namespace = `team-${index % 50}`;
  const image = (version: number): string => `registry.example.com/${namespace}/${name}:2.${version}.0`;
  return new DrivenRollout(name, namespace, fleetSpec('basic-canary', name, image(0), 5), FLEET_START)
    .settle()
    .elapse(600)
    .operate({ type: 'setImage', container: 'app', image: image(1) })
    .stored();
}

/** A small deterministic generator, so that every run benchmarks the same fleet. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Carries one rollout of `scenario` to a random point of it and returns the input of its next reconcile. */
function benchRollout(scenario: FleetScenario, index: number, random: () => number): BenchRollout {
  const name = `svc-${String(index).padStart(5, '0')}`;
  const namespace = `team-${index % 50}`;
  const replicas = [3, 5, 10, 20][Math.floor(random() * 4)] ?? 5;
  const image = (version: number): string => `registry.example.com/${namespace}/${name}:1.${version}.${index % 7}`;
  const rollout = new DrivenRollout(name, namespace, fleetSpec(scenario, name, image(0), replicas), FLEET_START);
  const nextSeconds = 1 + Math.floor(random() * 20);
  const stepCount = scenario === 'basic-canary' || scenario === 'aborted-canary' ? BASIC_STEPS.length : ROUTED_STEPS.length;
  const release = (): DrivenRollout =>
    rollout
      .settle()
      .elapse(600)
      .operate({ type: 'setImage', container: 'app', image: image(1) });
  switch (scenario) {
    case 'first-deployment':
      break;
    case 'steady':
      rollout.settle().elapse(3600);
      break;
    case 'basic-canary':
    case 'nginx-canary':
    case 'istio-canary':
      release().advanceToStep(Math.floor(random() * (stepCount + 1)));
      break;
    case 'blue-green-preview':
      release().settle();
      break;
    case 'blue-green-promoted':
      release().settle().elapse(20).operate({ type: 'promote', full: false }).settle();
      break;
    case 'aborted-canary':
      // Only a pause holds a canary mid-way; the steps between pauses pass as soon as pods are ready.
      release()
        .advanceToStep(random() < 0.5 ? 1 : 3)
        .elapse(5)
        .operate({ type: 'abort' })
        .settle();
      break;
  }
  return { scenario, input: rollout.nextInput(nextSeconds) };
}

/**
 * `size` rollouts in the proportions of `FLEET_MIX`, shuffled, each with the input of its next reconcile.
 * @example buildFleet(10_000).filter((rollout) => rollout.scenario === 'istio-canary').length // → 1500
 */
export function buildFleet(size: number, progress?: (built: number) => void): BenchRollout[] {
  const random = seededRandom(20_260_601);
  const scenarios = Object.entries(FLEET_MIX) as [FleetScenario, number][];
  const fleet: BenchRollout[] = [];
  for (const [scenario, percent] of scenarios) {
    const count = Math.round((size * percent) / 100);
    for (let made = 0; made < count && fleet.length < size; made++) {
      fleet.push(benchRollout(scenario, fleet.length, random));
      if (progress && fleet.length % 1000 === 0) progress(fleet.length);
    }
  }
  for (let index = fleet.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [fleet[index], fleet[other]] = [fleet[other] as BenchRollout, fleet[index] as BenchRollout];
  }
  return fleet;
}

import type { RolloutSpec } from '@flotilla/argo-spec';
import { applyOperation } from '../operations.js';
import { reconcile } from '../reconcile.js';
import type {
  AnalysisRunPhase,
  AnalysisRunState,
  Decision,
  DesiredRolloutState,
  ExperimentPhase,
  ExperimentState,
  ObservedReplicaSet,
  ObservedRolloutState,
  OperationResult,
  RolloutOperation,
  RolloutStatus,
} from '../types.js';

export interface ConvergeOptions {
  /** Pods of these pod-template-hashes never become ready, as with a bad image. */
  stuck: ReadonlySet<string>;
  nowIso: string;
}

/** An agent that applies a desired state at once: pods ready (or stuck), Services and router set. */
export function converge(observed: ObservedRolloutState, desired: DesiredRolloutState, options: ConvergeOptions): ObservedRolloutState {
  const before = new Map(observed.replicaSets.map((replicaSet) => [replicaSet.podTemplateHash, replicaSet]));
  const replicaSets: ObservedReplicaSet[] = desired.replicaSets.map((wanted) => {
    const existing = before.get(wanted.podTemplateHash);
    const stuck = options.stuck.has(wanted.podTemplateHash);
    const healthy = stuck ? 0 : wanted.replicas;
    const restarted = wanted.restart !== undefined;
    return {
      podTemplateHash: wanted.podTemplateHash,
      labels: wanted.labels,
      annotations: wanted.annotations,
      replicas: wanted.replicas,
      currentReplicas: wanted.replicas,
      readyReplicas: healthy,
      availableReplicas: healthy,
      template: wanted.template,
      podProblems: stuck && wanted.replicas > 0 ? [{ reason: 'ImagePullBackOff', message: 'Back-off pulling image', pods: wanted.replicas }] : [],
      oldestPodCreatedAt: restarted || existing?.oldestPodCreatedAt === undefined ? options.nowIso : existing.oldestPodCreatedAt,
    };
  });
  const serviceSelectors: Record<string, string | undefined> = { ...observed.serviceSelectors };
  for (const selector of Object.values(desired.services)) serviceSelectors[selector.service] = selector.podTemplateHash;
  const trafficWeights = desired.trafficRouting === undefined ? observed.trafficWeights : { ...observed.trafficWeights, [desired.trafficRouting.router]: desired.trafficRouting.canaryWeight };
  return { replicaSets, serviceSelectors, trafficWeights, observedAt: options.nowIso };
}

export function emptyObservation(nowIso: string): ObservedRolloutState {
  return { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: nowIso };
}

/**
 * One rollout and a cluster that obeys: reconcile, let the agent converge, repeat; a fake clock moves only to the
 * times the engine asks to be woken at. Every decision is kept for inspection.
 */
export class RolloutSimulation {
  spec: RolloutSpec;
  status: RolloutStatus | undefined = undefined;
  observed: ObservedRolloutState;
  now: Date;
  generation = 1;
  readonly stuck = new Set<string>();
  readonly decisions: Decision[] = [];
  private readonly runs = new Map<string, AnalysisRunState>();
  private readonly experimentStates = new Map<string, ExperimentState>();
  /** Phase given to analysis runs and experiments as soon as they are started. */
  runPhaseOnStart: AnalysisRunPhase = 'Running';

  constructor(spec: RolloutSpec, start: Date, readonly name = 'checkout') {
    this.spec = spec;
    this.now = start;
    this.observed = emptyObservation(start.toISOString());
  }

  get lastDecision(): Decision {
    const decision = this.decisions.at(-1);
    if (decision === undefined) throw new Error('no decision yet');
    return decision;
  }

  /** One reconcile, then the agent applies its desired state and the run controller starts requested runs. */
  step(): Decision {
    const decision = reconcile({
      rollout: { name: this.name, namespace: 'shop', generation: this.generation, spec: this.spec },
      status: this.status,
      observed: this.observed,
      analysisRuns: [...this.runs.values()],
      experiments: [...this.experimentStates.values()],
      now: this.now,
    });
    this.decisions.push(decision);
    this.status = decision.status;
    this.observed = converge(this.observed, decision.desired, { stuck: this.stuck, nowIso: this.now.toISOString() });
    for (const request of decision.analysisRunsToStart) {
      this.runs.set(request.name, { name: request.name, kind: request.kind, podTemplateHash: request.podTemplateHash, stepIndex: request.stepIndex, phase: this.runPhaseOnStart, message: '' });
    }
    for (const name of decision.analysisRunsToTerminate) this.finishRun(name, 'Successful', 'terminated');
    for (const request of decision.experimentsToStart) {
      this.experimentStates.set(request.name, { name: request.name, podTemplateHash: request.podTemplateHash, stepIndex: request.stepIndex, phase: this.runPhaseOnStart, message: '' });
    }
    for (const name of decision.experimentsToTerminate) this.finishExperiment(name, 'Successful', 'terminated');
    return decision;
  }

  /** Reconciles until nothing changes any more without the clock moving; returns every decision taken. */
  settle(limit = 40): Decision[] {
    const taken: Decision[] = [];
    for (let round = 0; round < limit; round++) {
      const before = JSON.stringify([this.status, this.observed]);
      taken.push(this.step());
      if (JSON.stringify([this.status, this.observed]) === before) return taken;
    }
    throw new Error(`rollout did not settle in ${limit} reconciles: ${JSON.stringify(this.status)}`);
  }

  /** Moves the fake clock to the engine's requested wake-up and settles again. */
  wakeUp(): Decision[] {
    const requeueAt = this.lastDecision.requeueAt;
    if (requeueAt === undefined) throw new Error('the engine asked for no wake-up');
    this.now = requeueAt;
    return this.settle();
  }

  advanceSeconds(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  operate(operation: RolloutOperation): OperationResult {
    const result = applyOperation(this.spec, this.status, this.observed, operation, this.now);
    if (!result.ok) return result;
    if (result.spec !== this.spec) {
      this.spec = result.spec;
      this.generation++;
    }
    if (result.status !== undefined) this.status = result.status;
    return result;
  }

  setImage(image: string): void {
    const result = this.operate({ type: 'setImage', container: 'app', image });
    if (!result.ok) throw new Error(result.refusal.message);
  }

  finishRun(name: string, phase: AnalysisRunPhase, message = ''): void {
    const run = this.runs.get(name);
    if (run === undefined) throw new Error(`no analysis run ${name}`);
    this.runs.set(name, { ...run, phase, message });
  }

  finishExperiment(name: string, phase: ExperimentPhase, message = ''): void {
    const experiment = this.experimentStates.get(name);
    if (experiment === undefined) throw new Error(`no experiment ${name}`);
    this.experimentStates.set(name, { ...experiment, phase, message });
  }

  replicasByHash(): Record<string, number> {
    return Object.fromEntries(this.lastDecision.desired.replicaSets.filter((replicaSet) => replicaSet.replicas > 0).map((replicaSet) => [replicaSet.podTemplateHash, replicaSet.replicas]));
  }
}

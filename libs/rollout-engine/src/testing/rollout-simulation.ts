import type { ExperimentSpec, PodTemplateSpec, RolloutSpec } from '@flotilla/argo-spec';
import type { DesiredRolloutState, ObservedReplicaSet, ObservedRolloutState } from '@flotilla/protocol';
import { reconcileRolloutExperiments, type ExperimentOutcome, type RolloutExperiment } from '../experiment/rollout-experiments.js';
import { applyOperation } from '../operations.js';
import { reconcile } from '../reconcile.js';
import type {
  AnalysisRunPhase,
  AnalysisRunState,
  Decision,
  ExperimentEvent,
  ExperimentState,
  ExperimentStatus,
  OperationResult,
  RolloutFreeze,
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
      podProblems:
        stuck && wanted.replicas > 0 ? [{ reason: 'ImagePullBackOff', message: 'Back-off pulling image', pods: wanted.replicas }] : [],
      oldestPodCreatedAt: restarted || existing?.oldestPodCreatedAt === undefined ? options.nowIso : existing.oldestPodCreatedAt,
    };
  });
  const serviceSelectors: Record<string, string | undefined> = { ...observed.serviceSelectors };
  for (const selector of Object.values(desired.services)) serviceSelectors[selector.service] = selector.podTemplateHash;
  const trafficWeights =
    desired.trafficRouting === undefined
      ? observed.trafficWeights
      : { ...observed.trafficWeights, [desired.trafficRouting.router]: desired.trafficRouting.canaryWeight };
  return { replicaSets, serviceSelectors, trafficWeights, observedAt: options.nowIso };
}

/** An experiment as the control plane keeps it: the engine's view, plus the spec and status its controller carries on. */
export interface SimulatedExperiment extends ExperimentState {
  spec: ExperimentSpec;
  status: ExperimentStatus;
  released: boolean;
}

const rowState = ({ status, released }: ExperimentOutcome): Pick<SimulatedExperiment, 'phase' | 'message' | 'status' | 'released'> => ({
  phase: status.phase,
  message: status.message,
  status,
  released,
});

export function emptyObservation(nowIso: string): ObservedRolloutState {
  return { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: nowIso };
}

/**
 * One rollout and a cluster that obeys: reconcile, carry out its experiments, let the agent converge, repeat; a fake
 * clock moves only to the times the engine asks to be woken at. Every decision is kept for inspection.
 */
export class RolloutSimulation {
  spec: RolloutSpec;
  status: RolloutStatus | undefined = undefined;
  observed: ObservedRolloutState;
  now: Date;
  generation = 1;
  readonly stuck = new Set<string>();
  readonly decisions: Decision[] = [];
  readonly experimentEvents: ExperimentEvent[] = [];
  /** The template each revision started with, as the control plane keeps it for `undo`. */
  readonly appliedTemplates = new Map<string, PodTemplateSpec>();
  private readonly runs = new Map<string, AnalysisRunState>();
  private readonly experimentRows = new Map<string, SimulatedExperiment>();
  /** Phase given to analysis runs as soon as they are started. */
  runPhaseOnStart: AnalysisRunPhase = 'Running';
  /** The freeze window the shell would find in effect, passed to every reconcile. */
  freeze: RolloutFreeze | undefined = undefined;

  constructor(
    spec: RolloutSpec,
    start: Date,
    readonly name = 'checkout',
  ) {
    this.spec = spec;
    this.now = start;
    this.observed = emptyObservation(start.toISOString());
  }

  get lastDecision(): Decision {
    const decision = this.decisions.at(-1);
    if (decision === undefined) throw new Error('no decision yet');
    return decision;
  }

  /**
   * One reconcile as the control plane does it: the rollout engine, then the experiment controller for the rollout's
   * live experiments and those it starts; the agent applies the desired state and the run controller starts runs.
   */
  step(): Decision {
    const runs = [...this.runs.values()];
    const experiments: RolloutExperiment[] = [...this.experimentRows.values()].map(({ spec, released, ...row }) => ({
      ...row,
      ...(released ? {} : { spec }),
    }));
    const rolloutDecision = reconcile({
      rollout: { name: this.name, namespace: 'shop', generation: this.generation, spec: this.spec },
      status: this.status,
      observed: this.observed,
      analysisRuns: runs,
      experiments,
      now: this.now,
      ...(this.freeze === undefined ? {} : { freeze: this.freeze }),
    });
    const withExperiments = reconcileRolloutExperiments({
      decision: rolloutDecision,
      experiments,
      observed: this.observed,
      analysisRuns: runs.filter((run) => run.kind === 'experiment'),
      now: this.now,
    });
    const { decision } = withExperiments;
    this.decisions.push(decision);
    for (const event of decision.events) {
      if (event.type === 'RevisionStarted') this.appliedTemplates.set(event.podTemplateHash, this.spec.template);
    }
    this.experimentEvents.push(...withExperiments.events);
    this.status = decision.status;
    // A held decision's desired state is not applied: the shell keeps the one it stored, and the cluster stays as it is.
    if (decision.heldByFreeze !== true) {
      this.observed = converge(this.observed, decision.desired, { stuck: this.stuck, nowIso: this.now.toISOString() });
    }
    // A run's or experiment's name is its identity: asking again for one that exists starts nothing.
    for (const request of decision.analysisRunsToStart) {
      if (this.runs.has(request.name)) continue;
      this.runs.set(request.name, {
        name: request.name,
        kind: request.kind,
        podTemplateHash: request.podTemplateHash,
        stepIndex: request.stepIndex,
        phase: this.runPhaseOnStart,
        message: '',
      });
    }
    for (const name of decision.analysisRunsToTerminate) this.finishRun(name, 'Successful', 'terminated');
    for (const { request, ...outcome } of withExperiments.started) {
      if (this.experimentRows.has(request.name)) continue;
      this.experimentRows.set(request.name, {
        name: request.name,
        podTemplateHash: request.podTemplateHash,
        stepIndex: request.stepIndex,
        spec: request.spec,
        ...rowState(outcome),
      });
    }
    for (const outcome of withExperiments.changed) {
      const row = this.experimentRows.get(outcome.name);
      if (row !== undefined) this.experimentRows.set(outcome.name, { ...row, ...rowState(outcome) });
    }
    return decision;
  }

  /** Reconciles until nothing changes any more without the clock moving; returns every decision taken. */
  settle(limit = 40): Decision[] {
    const taken: Decision[] = [];
    for (let round = 0; round < limit; round++) {
      const before = this.snapshot();
      taken.push(this.step());
      if (this.snapshot() === before) return taken;
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
    const result = applyOperation(this.spec, this.status, this.observed, operation, this.now, this.appliedTemplates);
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

  analysisRun(name: string): AnalysisRunState | undefined {
    return this.runs.get(name);
  }

  experiment(name: string): SimulatedExperiment | undefined {
    return this.experimentRows.get(name);
  }

  replicasByHash(): Record<string, number> {
    return Object.fromEntries(
      this.lastDecision.desired.replicaSets
        .filter((replicaSet) => replicaSet.replicas > 0)
        .map((replicaSet) => [replicaSet.podTemplateHash, replicaSet.replicas]),
    );
  }

  private snapshot(): string {
    return JSON.stringify([this.status, this.observed, [...this.runs.values()], [...this.experimentRows.values()]]);
  }
}

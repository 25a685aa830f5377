import { jsonEqual, type ExperimentSpec } from '@flotilla/argo-spec';
import { EXPERIMENT_LABEL, type ObservedRolloutState } from '@flotilla/protocol';
import type {
  AnalysisRunState,
  Decision,
  ExperimentDecision,
  ExperimentEvent,
  ExperimentRequest,
  ExperimentState,
  ExperimentStatus,
} from '../types.js';
import { reconcileExperiment } from './reconcile-experiment.js';

/** An experiment of the rollout as stored: what the rollout engine reads of it, and the status its controller keeps. */
export interface RolloutExperiment extends ExperimentState {
  status: ExperimentStatus | undefined;
}

/** An experiment that still has something in the cluster: only a released one has no spec any more. */
type LiveExperiment = RolloutExperiment & { spec: ExperimentSpec };

const isLive = (experiment: RolloutExperiment): experiment is LiveExperiment => experiment.spec !== undefined;

export interface ExperimentOutcome {
  name: string;
  status: ExperimentStatus;
  released: boolean;
}

export interface RolloutExperimentsInput {
  decision: Decision;
  /** Every experiment of the rollout, released ones included (they are left alone). */
  experiments: RolloutExperiment[];
  observed: ObservedRolloutState;
  /** The rollout's runs of kind `experiment`. */
  analysisRuns: AnalysisRunState[];
  now: Date;
}

export interface RolloutExperimentsResult {
  /** The rollout's decision with its experiments' ReplicaSets, Services, runs and wake-ups added. */
  decision: Decision;
  /** Each experiment the decision starts, with its first state. */
  started: (ExperimentOutcome & { request: ExperimentRequest })[];
  /** The existing experiments whose state changed. */
  changed: ExperimentOutcome[];
  events: ExperimentEvent[];
}

const earliest = (left: Date | undefined, right: Date | undefined): Date | undefined =>
  left === undefined ? right : right === undefined ? left : left.getTime() <= right.getTime() ? left : right;

/**
 * Runs the experiment controller for each live experiment of a rollout, and for those its decision starts, and
 * folds their cluster state into the rollout's. When a running experiment's phase moves, the rollout is woken at once,
 * so its engine reads the new phase (an experiment step completes, aborts or pauses on it).
 */
export function reconcileRolloutExperiments(input: RolloutExperimentsInput): RolloutExperimentsResult {
  const { decision, now } = input;
  const terminated = new Set(decision.experimentsToTerminate);
  const requests = new Map<LiveExperiment, ExperimentRequest>(
    decision.experimentsToStart.map((request) => [{ ...request, phase: 'Pending', message: '', status: undefined }, request]),
  );
  const merged: Decision = {
    ...decision,
    desired: { ...decision.desired, replicaSets: [...decision.desired.replicaSets] },
    analysisRunsToStart: [...decision.analysisRunsToStart],
    analysisRunsToTerminate: [...decision.analysisRunsToTerminate],
  };
  const result: RolloutExperimentsResult = { decision: merged, started: [], changed: [], events: [] };
  for (const experiment of [...input.experiments.filter(isLive), ...requests.keys()]) {
    const outcome: ExperimentDecision = reconcileExperiment({
      experiment: { name: experiment.name, spec: experiment.spec },
      status: experiment.status,
      terminate: terminated.has(experiment.name),
      podTemplateHash: experiment.podTemplateHash,
      observedReplicaSets: input.observed.replicaSets.filter((replicaSet) => replicaSet.labels[EXPERIMENT_LABEL] === experiment.name),
      analysisRuns: input.analysisRuns,
      now,
    });
    merged.desired.replicaSets.push(...outcome.replicaSets);
    // A Service name both a replaced experiment and its successor give goes to the successor, which comes later.
    if (outcome.services.length > 0) {
      const taken = new Set(outcome.services.map((service) => service.name));
      merged.desired.experimentServices = [
        ...(merged.desired.experimentServices ?? []).filter((service) => !taken.has(service.name)),
        ...outcome.services,
      ];
    }
    merged.analysisRunsToStart.push(...outcome.analysisRunsToStart);
    merged.analysisRunsToTerminate.push(...outcome.analysisRunsToTerminate);
    const request = requests.get(experiment);
    // A started experiment's first phase is read from its new row at the next reconcile, which its pods' observations bring.
    const phaseMoved = request === undefined && outcome.status.phase !== experiment.phase;
    merged.requeueAt = earliest(merged.requeueAt, phaseMoved ? now : outcome.requeueAt);
    result.events.push(...outcome.events);
    const state = { name: experiment.name, status: outcome.status, released: outcome.released };
    if (request !== undefined) result.started.push({ ...state, request });
    else if (outcome.released || !jsonEqual(outcome.status, experiment.status)) result.changed.push(state);
  }
  return result;
}

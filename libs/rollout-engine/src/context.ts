import type { PodTemplateMetadata, RolloutAnalysis, RolloutSpec } from '@flotilla/argo-spec';
import type { DesiredServiceSelectors, DesiredTrafficRouting, ObservedReplicaSet, ObservedRolloutState } from '@flotilla/protocol';
import type {
  AnalysisRunKind,
  AnalysisRunRequest,
  AnalysisRunState,
  ExperimentRequest,
  ExperimentState,
  PauseReason,
  RolloutEvent,
  RolloutStatus,
} from './types.js';

export type ReplicaSetRole = 'canary' | 'stable' | 'active' | 'preview' | 'old';

export interface ReplicaSetPlan {
  replicas: number;
  role: ReplicaSetRole;
  metadata: PodTemplateMetadata | undefined;
}

/** Everything one reconcile knows and everything it has decided so far; strategies fill in the intents. */
export interface RolloutContext {
  readonly name: string;
  readonly spec: RolloutSpec;
  readonly specReplicas: number;
  readonly nowMs: number;
  readonly nowIso: string;
  readonly observed: ObservedRolloutState;
  readonly replicaSets: ReadonlyMap<string, ObservedReplicaSet>;
  readonly currentHash: string;
  readonly revisions: ReadonlyMap<string, number>;
  readonly currentRevision: number;
  readonly analysisRuns: ReadonlyMap<string, AnalysisRunState>;
  readonly experiments: ReadonlyMap<string, ExperimentState>;
  readonly previous: RolloutStatus | undefined;
  /** The new status, edited in place by the strategy. */
  readonly status: RolloutStatus;
  readonly plan: Map<string, ReplicaSetPlan>;
  services: DesiredServiceSelectors;
  trafficRouting: DesiredTrafficRouting | undefined;
  readonly analysisRunsToStart: AnalysisRunRequest[];
  /** Names of the runs this decision keeps alive (a handful: a list costs a decision less than a set). */
  readonly wantedAnalysisRuns: string[];
  readonly experimentsToStart: ExperimentRequest[];
  readonly wantedExperiments: string[];
  readonly events: RolloutEvent[];
  readonly wakeUps: number[];
  /** Set while a step or promotion waits on an analysis run or experiment: the progress deadline does not run then. */
  awaitingRun: boolean;
  /** A freeze with policy `hold` is in effect: nothing advances by itself (aborts still act). */
  readonly progressHeld: boolean;
}

export function revisionOf(context: RolloutContext, hash: string): number {
  return context.revisions.get(hash) ?? 0;
}

export function wakeUpAt(context: RolloutContext, timeMs: number): void {
  if (timeMs > context.nowMs) context.wakeUps.push(timeMs);
}

/** Resets the progress deadline: something moved. */
export function markProgress(context: RolloutContext): void {
  context.status.lastProgressAt = context.nowIso;
}

function runPrefix(context: RolloutContext): string {
  const attempt = context.status.retryAttempt > 0 ? `-r${context.status.retryAttempt}` : '';
  return `${context.name}-${context.currentHash}-${context.currentRevision}${attempt}`;
}

/**
 * Deterministic name of a run this revision owns, e.g. `checkout-7c5b9f-3-2` for the analysis of step 2.
 * Upstream names runs the same way (rollout, hash, revision, step) and adds a generated suffix on retry.
 */
export function ownedRunName(context: RolloutContext, suffix: string): string {
  return `${runPrefix(context)}-${suffix}`;
}

export type RunOutcome = { state: 'waiting' } | { state: 'successful' } | { state: 'failed'; message: string } | { state: 'inconclusive' };

/** Asks for an analysis run (once it exists, reads its phase) and keeps it alive for this reconcile. */
export function requireAnalysisRun(
  context: RolloutContext,
  kind: AnalysisRunKind,
  suffix: string,
  analysis: RolloutAnalysis,
  stepIndex: number | undefined,
): { name: string; outcome: RunOutcome } {
  const name = ownedRunName(context, suffix);
  context.wantedAnalysisRuns.push(name);
  const run = context.analysisRuns.get(name);
  if (run === undefined) {
    context.awaitingRun = true;
    context.analysisRunsToStart.push({
      name,
      kind,
      analysis,
      podTemplateHash: context.currentHash,
      stablePodTemplateHash: context.status.stableRS,
      stepIndex,
    });
    return { name, outcome: { state: 'waiting' } };
  }
  const outcome = outcomeOfPhase(run.phase, run.message);
  if (outcome.state === 'waiting') context.awaitingRun = true;
  return { name, outcome };
}

export function outcomeOfPhase(phase: AnalysisRunState['phase'], message: string): RunOutcome {
  switch (phase) {
    case 'Pending':
    case 'Running':
      return { state: 'waiting' };
    case 'Successful':
      return { state: 'successful' };
    case 'Inconclusive':
      return { state: 'inconclusive' };
    case 'Failed':
    case 'Error':
      return { state: 'failed', message: message === '' ? `run ${phase.toLowerCase()}` : message };
  }
}

/** Starts an abort of the current revision (the same state the `abort` operation leaves behind). */
export function abortRollout(context: RolloutContext, reason: string | undefined): void {
  const status = context.status;
  status.abort = true;
  status.abortedAt = context.nowIso;
  status.pauseConditions = [];
  status.controllerPause = false;
  status.promoteFull = false;
  context.events.push(
    {
      type: 'RolloutAborted',
      message: `Rollout aborted update to revision ${context.currentRevision}${reason === undefined ? '' : `: ${reason}`}`,
    },
    { type: 'RevisionFinished', revision: context.currentRevision, podTemplateHash: context.currentHash, outcome: 'Aborted' },
  );
}

export function hasPause(status: RolloutStatus, reason: PauseReason): boolean {
  return status.pauseConditions.some((condition) => condition.reason === reason);
}

export function addPause(context: RolloutContext, reason: PauseReason): void {
  if (hasPause(context.status, reason)) return;
  context.status.pauseConditions = [...context.status.pauseConditions, { reason, startTime: context.nowIso }];
  context.status.controllerPause = true;
}

/** True when the engine paused and a promote has since cleared the pause: the pause is over. */
export function pauseWasPromoted(status: RolloutStatus): boolean {
  return status.controllerPause && status.pauseConditions.length === 0;
}

export function observedReplicas(replicaSet: ObservedReplicaSet | undefined): { replicas: number; availableReplicas: number } {
  return replicaSet === undefined ? { replicas: 0, availableReplicas: 0 } : replicaSet;
}

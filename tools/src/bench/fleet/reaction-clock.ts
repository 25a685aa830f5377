import {
  DESIRED_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  SCALE_DOWN_DEADLINE_ANNOTATION,
  type DesiredRolloutState,
} from '@flotilla/protocol';

/** What a virtual cluster last told the control plane about one rollout, in epoch milliseconds. */
export interface RolloutCauses {
  /** The last observation that differed from the one before (periodic repeats cause nothing). */
  changedObservationAt: number | undefined;
  /** The last measurement answered for one of the rollout's analysis runs. */
  answeredAt: number | undefined;
}

/** Canary weight of a desired state: the router's, else the newest revision's share of the rollout's replicas. */
export function canaryWeight(state: DesiredRolloutState): number | undefined {
  if (state.trafficRouting) return state.trafficRouting.canaryWeight;
  if (state.replicaSets.length < 2) return undefined;
  const revision = (annotations: Record<string, string>): number => Number(annotations[REVISION_ANNOTATION] ?? 0);
  const newest = state.replicaSets.reduce((best, candidate) =>
    revision(candidate.annotations) > revision(best.annotations) ? candidate : best,
  );
  const total = Number(newest.annotations[DESIRED_REPLICAS_ANNOTATION] ?? Number.NaN);
  return total > 0 ? Math.round((newest.replicas * 100) / total) : undefined;
}

/** Whether `next` runs a pod template that `previous` did not: a new revision, started by a spec change. */
export function startsRevision(previous: DesiredRolloutState, next: DesiredRolloutState): boolean {
  const known = new Set(previous.replicaSets.map((replicaSet) => replicaSet.podTemplateHash));
  return next.replicaSets.some((replicaSet) => !known.has(replicaSet.podTemplateHash));
}

/**
 * How long the control plane took to send `next`, received at `now`, after what caused it: the latest of the
 * rollout's changed observation and measurement answer, moved on by the timed pause that holds the canary at the
 * previous state's weight once that pause has run out, and by any scale-down deadline of the previous state that
 * has passed. Undefined when nothing the cluster said caused it (no observation yet).
 * @example reactionLatency(previous, causes, new Map([[25, 10]]), now) // previous at weight 25: measured from 10 s after the observation
 */
export function reactionLatency(
  previous: DesiredRolloutState,
  causes: RolloutCauses,
  pauses: ReadonlyMap<number, number>,
  now: number,
): number | undefined {
  const told = Math.max(causes.changedObservationAt ?? Number.NEGATIVE_INFINITY, causes.answeredAt ?? Number.NEGATIVE_INFINITY);
  if (!Number.isFinite(told)) return undefined;
  let cause = told;
  const weight = canaryWeight(previous);
  const pauseSeconds = weight === undefined ? undefined : pauses.get(weight);
  if (pauseSeconds !== undefined && now >= told + pauseSeconds * 1000) cause = told + pauseSeconds * 1000;
  for (const replicaSet of previous.replicaSets) {
    const deadline = Date.parse(replicaSet.annotations[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '');
    if (deadline <= now && deadline > cause) cause = deadline;
  }
  return now - cause;
}

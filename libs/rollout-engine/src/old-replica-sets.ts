import type { ObservedReplicaSet } from '@flotilla/protocol';
import { revisionOf, wakeUpAt, type RolloutContext } from './context.js';

/** Observed ReplicaSets that are neither the current nor the stable one, oldest revision first. */
export function otherReplicaSets(context: RolloutContext): ObservedReplicaSet[] {
  const others: ObservedReplicaSet[] = [];
  for (const replicaSet of context.replicaSets.values()) {
    if (replicaSet.podTemplateHash !== context.currentHash && replicaSet.podTemplateHash !== context.status.stableRS)
      others.push(replicaSet);
  }
  return others.sort((left, right) => revisionOf(context, left.podTemplateHash) - revisionOf(context, right.podTemplateHash));
}

/** Starts the scale-down delay of a ReplicaSet that just stopped serving, unless one is already running. */
export function scheduleScaleDown(context: RolloutContext, hash: string, delaySeconds: number): void {
  if (context.status.scaleDownDeadlines[hash] !== undefined) return;
  context.status.scaleDownDeadlines = {
    ...context.status.scaleDownDeadlines,
    [hash]: new Date(context.nowMs + delaySeconds * 1000).toISOString(),
  };
}

/** True while a ReplicaSet's scale-down deadline lies ahead; schedules the wake-up at it. */
function isScaleDownDelayed(context: RolloutContext, hash: string): boolean {
  const deadline = context.status.scaleDownDeadlines[hash];
  if (deadline === undefined) return false;
  const deadlineMs = Date.parse(deadline);
  if (deadlineMs <= context.nowMs) return false;
  wakeUpAt(context, deadlineMs);
  return true;
}

/**
 * Plans the other ReplicaSets. Those inside their scale-down delay keep their size (only the newest
 * `revisionLimit` of them when a limit is set); the rest go to zero, at once or, when `availabilityFloor` is given,
 * only as far as the pods available across the rollout stay at or above it (unavailable pods go first).
 */
export function planOtherReplicaSets(
  context: RolloutContext,
  others: ObservedReplicaSet[],
  options: { availabilityFloor: number | undefined; totalAvailable: number; revisionLimit: number | undefined },
): void {
  const kept = new Set<string>();
  for (let index = others.length - 1; index >= 0; index--) {
    const replicaSet = others[index] as ObservedReplicaSet;
    const withinLimit = options.revisionLimit === undefined || kept.size < options.revisionLimit;
    if (replicaSet.replicas > 0 && withinLimit && isScaleDownDelayed(context, replicaSet.podTemplateHash))
      kept.add(replicaSet.podTemplateHash);
  }
  let removable = options.availabilityFloor === undefined ? Infinity : Math.max(0, options.totalAvailable - options.availabilityFloor);
  for (const replicaSet of others) {
    if (kept.has(replicaSet.podTemplateHash)) {
      context.plan.set(replicaSet.podTemplateHash, { replicas: replicaSet.replicas, role: 'old', metadata: undefined });
      continue;
    }
    const unavailable = Math.max(0, replicaSet.replicas - replicaSet.availableReplicas);
    const scaleDown = Math.min(replicaSet.replicas, unavailable + removable);
    removable -= Math.max(0, scaleDown - unavailable);
    context.plan.set(replicaSet.podTemplateHash, { replicas: replicaSet.replicas - scaleDown, role: 'old', metadata: undefined });
  }
}

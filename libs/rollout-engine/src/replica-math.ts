import type { CanaryStrategy, IntOrString } from '@flotilla/argo-spec';

/** Spec and available replicas of one ReplicaSet, all the replica maths needs to know about it. */
export interface ReplicaSetCounts {
  replicas: number;
  availableReplicas: number;
}

/**
 * Kubernetes `GetScaledValueFromIntOrPercent`: a count as is, or a percentage of `total` rounded up or down.
 * @example scaledValue('25%', 10, true) === 3; scaledValue('25%', 10, false) === 2; scaledValue(4, 10, true) === 4
 */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.endsWith('%') ? value.slice(0, -1) : value);
  if (!value.endsWith('%')) return percent;
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Kubernetes `ResolveFenceposts`: surge rounds up, unavailable rounds down, and when both come out at zero one pod
 * may be unavailable so that a rollout can always move.
 * @example resolveFenceposts('0%', '0%', 10) → { maxSurge: 0, maxUnavailable: 1 }
 */
export function resolveFenceposts(
  maxSurge: IntOrString,
  maxUnavailable: IntOrString,
  replicas: number,
): { maxSurge: number; maxUnavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  const unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge: surge, maxUnavailable: unavailable };
}

/**
 * Ceiling of `weight` (out of `fullWeight`) of `replicas`: how many pods serve a traffic weight.
 * @example trafficWeightToReplicas(10, 25) === 3; trafficWeightToReplicas(10, 99) === 10; trafficWeightToReplicas(10, 250, 1000) === 3
 */
export function trafficWeightToReplicas(replicas: number, weight: number, fullWeight = 100): number {
  return Math.ceil((weight * replicas) / fullWeight);
}

/**
 * Whether a ReplicaSet has enough pods available for `desired` (upstream `ReplicaProgressThresholdMet`): without a
 * threshold (or with a negative one) every desired pod must exist and be available; with `Percent`, that share of
 * `desired` must be available (always met when nothing is desired); with `Pod`, that many pods.
 * @example replicaProgressThresholdMet({ type: 'Percent', value: 90 }, { replicas: 10, availableReplicas: 9 }, 10) === true
 */
export function replicaProgressThresholdMet(
  threshold: CanaryStrategy['replicaProgressThreshold'],
  replicaSet: ReplicaSetCounts | undefined,
  desired: number,
): boolean {
  if (replicaSet === undefined) return false;
  if (threshold === undefined || threshold.value < 0) return desired === replicaSet.replicas && desired === replicaSet.availableReplicas;
  if (threshold.type === 'Pod') return replicaSet.availableReplicas >= threshold.value;
  if (desired === 0) return true;
  // Compared as integers, so that 9 of 10 pods meets 90% without floating-point doubt.
  return replicaSet.availableReplicas * 100 >= threshold.value * desired;
}

function fractionIsHalf(weight: number, total: number): boolean {
  const exact = (total * weight) / 100;
  return exact - Math.trunc(exact) === 0.5;
}

function weightDelta(weight: number, canary: number, total: number): number {
  return Math.abs((canary * 100) / total - weight);
}

/**
 * Canary and stable counts that best approximate `weight` with `replicas` pods, or one more when surging is allowed.
 * Both sides keep at least one pod for weights 1–99 unless a single pod cannot surge; ties pick the larger canary.
 * @example approximateWeightedCanaryStableReplicaCounts(10, 24, 1) → { canary: 3, stable: 8 } (27.2% is nearest)
 */
export function approximateWeightedCanaryStableReplicaCounts(
  replicas: number,
  weight: number,
  maxSurge: number,
): { canary: number; stable: number } {
  if (replicas === 0) return { canary: 0, stable: 0 };
  const ceil = Math.ceil((replicas * weight) / 100);
  const floor = Math.floor((replicas * weight) / 100);
  const zeroAllowed = weight === 100 || weight === 0 || (replicas === 1 && maxSurge === 0);
  const options: { canary: number; total: number }[] = [];
  if (ceil < replicas || zeroAllowed) options.push({ canary: ceil, total: replicas });
  if (!fractionIsHalf(weight, replicas) && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas });
  if (maxSurge > 0) {
    options.push({ canary: ceil, total: replicas + 1 });
    if (!fractionIsHalf(weight, replicas + 1) && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas + 1 });
  }
  let best = options[0];
  if (best === undefined) return { canary: 0, stable: replicas };
  for (const option of options.slice(1)) {
    if (weightDelta(weight, option.canary, option.total) < weightDelta(weight, best.canary, best.total)) best = option;
  }
  return { canary: best.canary, stable: best.total - best.canary };
}

/** Replicas of a ReplicaSet that may be counted on while scaling down (upstream `GetReplicasForScaleDown`). */
function replicasForScaleDown(replicaSet: ReplicaSetCounts | undefined, ignoreAvailability: boolean): number {
  if (replicaSet === undefined) return 0;
  if (replicaSet.replicas < replicaSet.availableReplicas || ignoreAvailability) return replicaSet.replicas;
  return replicaSet.availableReplicas;
}

function scaleDownTowards(replicaSet: ReplicaSetCounts | undefined, desired: number, scaleDownCount: number, current: number): number {
  if (replicaSet !== undefined && replicaSet.replicas > desired) return Math.max(desired, replicaSet.replicas - scaleDownCount);
  return current;
}

/** Keeps the two counts within surge while restoring the availability the adjusted side was providing. */
function adjustWithinLimits(
  drain: ReplicaSetCounts | undefined,
  adjust: ReplicaSetCounts | undefined,
  drainCount: number,
  adjustCount: number,
  maxReplicaCountAllowed: number,
  minAvailable: number,
): [drain: number, adjust: number] {
  if (adjust === undefined) return [drainCount, adjustCount];
  let overLimit = Math.max(0, adjustCount + drainCount - maxReplicaCountAllowed);
  let available = drain === undefined ? 0 : Math.min(drain.availableReplicas, drainCount);
  let adjusted = adjustCount - overLimit;
  available += Math.min(adjust.availableReplicas, adjusted);
  const availabilityLost = Math.max(0, adjust.availableReplicas - adjusted);
  const availabilityNeeded = Math.max(0, minAvailable - available);
  adjusted += Math.min(availabilityLost, availabilityNeeded);
  overLimit = Math.max(0, adjusted + drainCount - maxReplicaCountAllowed);
  return [drainCount - overLimit, adjusted];
}

export interface BasicCanaryReplicaInput {
  specReplicas: number;
  /** Canary weight wanted now: 100 when promoting fully or when there is no distinct stable, 0 when aborted. */
  desiredWeight: number;
  maxSurge: number;
  maxUnavailable: number;
  canary: ReplicaSetCounts | undefined;
  /** `undefined` when there is no stable ReplicaSet or it is the canary itself. */
  stable: ReplicaSetCounts | undefined;
  /** Every other ReplicaSet of the rollout. */
  others: ReplicaSetCounts[];
}

/**
 * Next replica counts of a canary without traffic routing (upstream `CalculateReplicaCountsForBasicCanary`):
 * scale up within `replicas + maxSurge` (stable first), drain older ReplicaSets, then scale down while keeping
 * `replicas − maxUnavailable` pods available.
 * @example replicas 10, weight 10, canary 0, stable 10, maxSurge 1, maxUnavailable 1 → { canary: 1, stable: 9 }
 */
export function calculateReplicaCountsForBasicCanary(input: BasicCanaryReplicaInput): { canary: number; stable: number } {
  const { specReplicas, maxSurge, canary, stable, others } = input;
  let { canary: desiredCanary, stable: desiredStable } = approximateWeightedCanaryStableReplicaCounts(
    specReplicas,
    input.desiredWeight,
    maxSurge,
  );
  let canaryCount = canary?.replicas ?? 0;
  let stableCount = stable?.replicas ?? 0;
  if (stable === undefined) {
    desiredCanary = specReplicas;
    desiredStable = 0;
  }
  const maxReplicaCountAllowed = specReplicas + maxSurge;
  const otherReplicas = others.reduce((sum, replicaSet) => sum + replicaSet.replicas, 0);
  let scaleUpCount = maxReplicaCountAllowed - (otherReplicas + canaryCount + stableCount);

  if (stable !== undefined && stable.replicas < desiredStable && scaleUpCount > 0) {
    if (stable.replicas + scaleUpCount < desiredStable) {
      stableCount = stable.replicas + scaleUpCount;
      scaleUpCount = 0;
    } else {
      stableCount = desiredStable;
      scaleUpCount -= desiredStable - stable.replicas;
    }
  }
  const canaryReplicas = canary?.replicas ?? 0;
  if (canary !== undefined && canaryReplicas < desiredCanary && scaleUpCount > 0) {
    canaryCount = Math.min(desiredCanary, canaryReplicas + scaleUpCount);
  }
  if (otherReplicas > 0) return { canary: canaryCount, stable: stableCount };

  const minAvailable = specReplicas - input.maxUnavailable;
  const isIncreasing = canary === undefined || desiredCanary >= canary.replicas;
  const replicasToScaleDown = replicasForScaleDown(canary, !isIncreasing) + replicasForScaleDown(stable, isIncreasing);
  if (replicasToScaleDown <= minAvailable) return { canary: canaryCount, stable: stableCount };

  const scaleDownCount = replicasToScaleDown - minAvailable;
  if (!isIncreasing) {
    canaryCount = scaleDownTowards(canary, desiredCanary, scaleDownCount, canaryCount);
    [canaryCount, stableCount] = adjustWithinLimits(canary, stable, canaryCount, stableCount, maxReplicaCountAllowed, minAvailable);
  } else if (stable !== undefined) {
    stableCount = scaleDownTowards(stable, desiredStable, scaleDownCount, stableCount);
    [stableCount, canaryCount] = adjustWithinLimits(stable, canary, stableCount, canaryCount, maxReplicaCountAllowed, minAvailable);
  }
  return { canary: canaryCount, stable: stableCount };
}

export interface TrafficRoutedReplicaInput {
  specReplicas: number;
  desiredWeight: number;
  /** `setCanaryScale.replicas` in effect, if any. */
  canaryReplicasOverride: number | undefined;
  dynamicStableScale: boolean;
  minPodsPerReplicaSet: number | undefined;
  /** Weights the router currently serves, when known. */
  actualWeights: { canary: number; stable: number } | undefined;
  abort: boolean;
}

/** Upstream `CheckMinPodsPerReplicaSet`: a side that runs pods runs at least `minPods`, capped at `spec.replicas`. */
function atLeastMinPods(count: number, minPods: number | undefined, specReplicas: number): number {
  return count === 0 || minPods === undefined ? count : Math.max(count, Math.min(minPods, specReplicas));
}

/**
 * Canary and stable counts of a traffic-routed canary (upstream `CalculateReplicaCountsForTrafficRoutedCanary`):
 * the canary follows its weight (or `setCanaryScale`), the stable stays full unless `dynamicStableScale`, where it
 * follows the higher of the desired and the served stable weight.
 * @example replicas 10, weight 5, minPodsPerReplicaSet 2 → { canary: 2, stable: 10 }
 */
export function calculateReplicaCountsForTrafficRoutedCanary(input: TrafficRoutedReplicaInput): { canary: number; stable: number } {
  const { specReplicas, desiredWeight, minPodsPerReplicaSet } = input;
  let canary =
    input.canaryReplicasOverride ??
    atLeastMinPods(trafficWeightToReplicas(specReplicas, desiredWeight), minPodsPerReplicaSet, specReplicas);
  if (!input.dynamicStableScale) return { canary, stable: specReplicas };
  let stable = trafficWeightToReplicas(specReplicas, 100 - desiredWeight);
  if (input.actualWeights !== undefined) {
    stable = Math.max(stable, trafficWeightToReplicas(specReplicas, input.actualWeights.stable));
    if (input.abort) canary = Math.max(canary, trafficWeightToReplicas(specReplicas, input.actualWeights.canary));
  }
  return {
    canary: atLeastMinPods(canary, minPodsPerReplicaSet, specReplicas),
    stable: atLeastMinPods(stable, minPodsPerReplicaSet, specReplicas),
  };
}

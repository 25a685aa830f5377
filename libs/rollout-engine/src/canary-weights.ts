import { GATEWAY_API_PLUGIN, type CanaryStep, type CanaryStrategy, type SetCanaryScale } from '@flotilla/argo-spec';
import type { TrafficRouterKind } from '@flotilla/protocol';
import { abortScaleDownDelaySeconds, DEFAULT_MAX_TRAFFIC_WEIGHT } from './defaults.js';
import { replicaProgressThresholdMet, trafficWeightToReplicas, type ReplicaSetCounts } from './replica-math.js';
import type { RolloutStatus } from './types.js';

/** The traffic router a canary configures, if the engine knows how to drive it. */
export function trafficRouterOf(canary: CanaryStrategy): TrafficRouterKind | undefined {
  const routing = canary.trafficRouting;
  if (routing === undefined) return undefined;
  if (routing.nginx !== undefined) return 'nginx';
  if (routing.istio !== undefined) return 'istio';
  if (routing.smi !== undefined) return 'smi';
  if (routing.plugins?.[GATEWAY_API_PLUGIN] !== undefined) return 'gatewayAPI';
  return undefined;
}

export function maxTrafficWeight(canary: CanaryStrategy): number {
  return canary.trafficRouting?.maxTrafficWeight ?? DEFAULT_MAX_TRAFFIC_WEIGHT;
}

/** The last `setWeight` at or before `index` (upstream `GetCurrentSetWeight`); past the last step, the full weight. */
export function currentSetWeight(steps: readonly CanaryStep[], index: number, fullWeight: number): number {
  if (index >= steps.length) return fullWeight;
  for (let stepIndex = index; stepIndex >= 0; stepIndex--) {
    const weight = steps[stepIndex]?.setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

/** The last `setWeight` strictly before `index`: what the router keeps serving until the canary is scaled for the next. */
export function previousSetWeight(steps: readonly CanaryStep[], index: number): number {
  for (let stepIndex = Math.min(index, steps.length) - 1; stepIndex >= 0; stepIndex--) {
    const weight = steps[stepIndex]?.setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

/**
 * The `setCanaryScale` in effect at `index` (upstream `UseSetCanaryScale`): only with traffic routing, not past the
 * last step, not after `matchTrafficWeight`, and not once aborted unless the canary is meant to stay up.
 */
function setCanaryScaleAt(canary: CanaryStrategy, status: RolloutStatus, index: number): SetCanaryScale | undefined {
  const steps = canary.steps ?? [];
  if (canary.trafficRouting === undefined || index >= steps.length) return undefined;
  if (status.abort && abortScaleDownDelaySeconds(canary) !== 0) return undefined;
  for (let stepIndex = index; stepIndex >= 0; stepIndex--) {
    const scale = steps[stepIndex]?.setCanaryScale;
    if (scale === undefined) continue;
    return scale.matchTrafficWeight === true ? undefined : scale;
  }
  return undefined;
}

/** The canary and stable ReplicaSets as observed, `undefined` when absent (or, for the stable, the canary itself). */
export interface ObservedCanaryAndStable {
  specReplicas: number;
  canary: ReplicaSetCounts | undefined;
  stable: ReplicaSetCounts | undefined;
}

/**
 * Canary weight the steps ask for (upstream `GetDesiredCanaryWeight`), in units of `maxTrafficWeight`. Aborted with
 * `dynamicStableScale`, the canary steps back down through the `setWeight`s in reverse, each one as soon as the
 * stable has taken over the pods above it, so that the stable is not scaled up all at once; otherwise aborted is 0.
 * @example steps [setWeight 20, setWeight 60], 10 replicas, aborted, stable 4 available, canary 6 available → 20
 */
export function desiredCanaryWeight(
  canary: CanaryStrategy,
  status: RolloutStatus,
  index: number,
  observed: ObservedCanaryAndStable,
): number {
  const steps = canary.steps ?? [];
  const fullWeight = maxTrafficWeight(canary);
  if (!status.abort) return currentSetWeight(steps, index, fullWeight);
  if (canary.dynamicStableScale !== true || observed.canary === undefined || observed.stable === undefined) return 0;
  const canaryPods = Math.max(observed.specReplicas - observed.stable.availableReplicas, observed.canary.availableReplicas);
  for (let stepIndex = steps.length - 1; stepIndex >= 0; stepIndex--) {
    const weight = steps[stepIndex]?.setWeight;
    if (weight !== undefined && trafficWeightToReplicas(observed.specReplicas, weight, fullWeight) < canaryPods) return weight;
  }
  return 0;
}

/**
 * Canary weight the router should serve once aborted (upstream `calculateDesiredWeightOnAbortOrStableRollback`): 0 at
 * once, unless `dynamicStableScale`, where traffic leaves the canary only as fast as the stable has pods available
 * to take it, and never goes back up (`status.canary.weights` holds what the router was last asked for).
 * @example dynamic, 5 replicas, stable 1 of 5 available, router at 100, no setWeight to step back to → 80
 */
export function abortedCanaryWeight(
  canary: CanaryStrategy,
  status: RolloutStatus,
  index: number,
  observed: ObservedCanaryAndStable,
): number {
  const { specReplicas, stable } = observed;
  if (canary.dynamicStableScale !== true || stable === undefined || observed.canary === undefined || specReplicas === 0) return 0;
  const fullWeight = maxTrafficWeight(canary);
  const desired = desiredCanaryWeight(canary, status, index, observed);
  const stableCovers = Math.floor((fullWeight * stable.availableReplicas) / specReplicas);
  const uncovered = Math.max(0, fullWeight - stableCovers);
  const served = status.canary.weights?.canary.weight;
  if (served === undefined) return Math.max(uncovered, desired);
  if (desired <= 0) return Math.min(uncovered, served);
  if (stableCovers < fullWeight - desired) return served;
  return Math.min(desired, served);
}

/**
 * Whether a ReplicaSet has the pods available to serve `weight` of `spec.replicas` (upstream `checkReplicasAvailable`),
 * or as many as `replicaProgressThreshold` asks for.
 * @example 10 replicas, weight 50, 4 of 5 available: false; with { type: 'Percent', value: 80 }: true
 */
export function hasReplicasForWeight(canary: CanaryStrategy, replicaSet: ReplicaSetCounts, specReplicas: number, weight: number): boolean {
  const needed = Math.floor((weight * specReplicas) / maxTrafficWeight(canary));
  return replicaSet.availableReplicas >= needed || replicaProgressThresholdMet(canary.replicaProgressThreshold, replicaSet, needed);
}

/**
 * Replicas or weight (in percent of `spec.replicas`) the canary should have at `index`
 * (upstream `GetCanaryReplicasOrWeight`). It reads the revision from the status: while no distinct stable revision
 * is recorded, or on `promote --full`, the canary is wanted at full weight.
 * @example steps [setWeight 20, pause {}] at index 1 → { replicas: undefined, weightPercent: 20 }
 */
export function canaryReplicasOrWeight(
  canary: CanaryStrategy,
  status: RolloutStatus,
  index: number,
  observed: ObservedCanaryAndStable,
): { replicas: number | undefined; weightPercent: number } {
  const rollingOut = status.stableRS !== undefined && status.stableRS !== status.currentPodHash;
  if (status.promoteFull || !rollingOut) return { replicas: undefined, weightPercent: 100 };
  const scale = setCanaryScaleAt(canary, status, index);
  if (scale?.replicas !== undefined) return { replicas: scale.replicas, weightPercent: 0 };
  const weight = scale?.weight ?? desiredCanaryWeight(canary, status, index, observed);
  return { replicas: undefined, weightPercent: (weight * 100) / maxTrafficWeight(canary) };
}

/** One line naming a step, as upstream's `CanaryStepString`. @example describeStep({ pause: { duration: '10s' } }) === 'pause: 10s' */
export function describeStep(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause !== undefined) return step.pause.duration === undefined ? 'pause' : `pause: ${step.pause.duration}`;
  if (step.experiment !== undefined) return 'experiment';
  if (step.analysis !== undefined) return 'analysis';
  if (step.setCanaryScale !== undefined) {
    if (step.setCanaryScale.weight !== undefined) return `setCanaryScale{weight: ${step.setCanaryScale.weight}}`;
    if (step.setCanaryScale.matchTrafficWeight === true) return 'setCanaryScale{matchTrafficWeight: true}';
    return `setCanaryScale{replicas: ${step.setCanaryScale.replicas ?? 0}}`;
  }
  if (step.setHeaderRoute !== undefined) return `setHeaderRoute: ${step.setHeaderRoute.name}`;
  if (step.setMirrorRoute !== undefined) return `setMirrorRoute: ${step.setMirrorRoute.name}`;
  return 'invalid';
}

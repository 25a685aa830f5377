import { GATEWAY_API_PLUGIN, type CanaryStep, type CanaryStrategy, type SetCanaryScale } from '@flotilla/argo-spec';
import type { TrafficRouterKind } from '@flotilla/protocol';
import { abortScaleDownDelaySeconds, DEFAULT_MAX_TRAFFIC_WEIGHT } from './defaults.js';
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

/**
 * Replicas or weight (in percent of `spec.replicas`) the canary should have at `index`
 * (upstream `GetCanaryReplicasOrWeight`).
 * @example steps [setWeight 20, pause {}] at index 1 → { replicas: undefined, weightPercent: 20 }
 */
export function canaryReplicasOrWeight(
  canary: CanaryStrategy,
  status: RolloutStatus,
  index: number,
  hasDistinctStable: boolean,
): { replicas: number | undefined; weightPercent: number } {
  if (status.promoteFull || !hasDistinctStable) return { replicas: undefined, weightPercent: 100 };
  const fullWeight = maxTrafficWeight(canary);
  const scale = setCanaryScaleAt(canary, status, index);
  if (scale?.replicas !== undefined) return { replicas: scale.replicas, weightPercent: 0 };
  if (scale?.weight !== undefined) return { replicas: undefined, weightPercent: scale.weight };
  if (status.abort) return { replicas: undefined, weightPercent: 0 };
  return { replicas: undefined, weightPercent: (currentSetWeight(canary.steps ?? [], index, fullWeight) * 100) / fullWeight };
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

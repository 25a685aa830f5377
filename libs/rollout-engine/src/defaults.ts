import type { BlueGreenStrategy, CanaryStrategy, IntOrString, RolloutSpec } from '@flotilla/argo-spec';
import { resolveFenceposts, scaledValue } from './replica-math.js';

export const DEFAULT_REPLICAS = 1;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_MAX_SURGE: IntOrString = '25%';
export const DEFAULT_MAX_UNAVAILABLE: IntOrString = '25%';
export const DEFAULT_MAX_TRAFFIC_WEIGHT = 100;

export function specReplicas(spec: RolloutSpec): number {
  return spec.replicas ?? DEFAULT_REPLICAS;
}

/** Surge and unavailability of a canary in pods (blue-green never surges and never takes pods away). */
export function canaryFenceposts(spec: RolloutSpec, canary: CanaryStrategy): { maxSurge: number; maxUnavailable: number } {
  const replicas = specReplicas(spec);
  if (replicas === 0) return { maxSurge: 0, maxUnavailable: 0 };
  const { maxSurge, maxUnavailable } = resolveFenceposts(
    canary.maxSurge ?? DEFAULT_MAX_SURGE,
    canary.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE,
    replicas,
  );
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

/**
 * Pods of a blue-green rollout that may be unavailable at once, which paces `spec.restartAt`: `maxUnavailable`
 * rounded down, 25% when unset (upstream's `GetMaxUnavailableOrDefault`; its docs say 0, its code says 25%), never
 * more than the replicas. Blue-green never surges, so there is no fencepost to resolve against.
 * @example with 5 replicas: unset → 1, '50%' → 2, 9 → 5
 */
export function blueGreenMaxUnavailable(spec: RolloutSpec, blueGreen: BlueGreenStrategy): number {
  const replicas = specReplicas(spec);
  return Math.min(scaledValue(blueGreen.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, replicas, false), replicas);
}

/** `abortScaleDownDelaySeconds`, where 0 means the aborted side is left running. */
export function abortScaleDownDelaySeconds(strategy: CanaryStrategy | BlueGreenStrategy): number {
  return strategy.abortScaleDownDelaySeconds ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS;
}

export function scaleDownDelaySeconds(strategy: CanaryStrategy | BlueGreenStrategy): number {
  return strategy.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS;
}

import type { RolloutStrategy } from '@flotilla/argo-spec';
import type { RolloutCondition, RolloutConditionReason } from './types.js';

/**
 * The `phase` label values of Argo's `rollout_info` and `rollout_phase`: where the last reconcile left the rollout.
 * Error (a ReplicaSet that could not be created) is listed for `rollout_phase` but never reached here: the agent
 * reports such failures in its observations rather than through a condition.
 */
export const ROLLOUT_METRIC_PHASES = ['Completed', 'Progressing', 'Paused', 'Timeout', 'Error', 'Abort'] as const;
export type RolloutMetricPhase = (typeof ROLLOUT_METRIC_PHASES)[number];

const PHASE_OF_PROGRESSING_REASON: Partial<Record<RolloutConditionReason, RolloutMetricPhase>> = {
  NewReplicaSetAvailable: 'Completed',
  RolloutPaused: 'Paused',
  ProgressDeadlineExceeded: 'Timeout',
  RolloutAborted: 'Abort',
};

/** Argo's metric phase, read from the reason of the Progressing condition; Progressing when it has none. */
export function rolloutMetricPhase(conditions: readonly Pick<RolloutCondition, 'type' | 'reason'>[]): RolloutMetricPhase {
  const progressing = conditions.find((condition) => condition.type === 'Progressing');
  return (progressing && PHASE_OF_PROGRESSING_REASON[progressing.reason]) ?? 'Progressing';
}

/** The `strategy` and `traffic_router` labels of Argo's `rollout_info`; a router given by a plugin is left empty. */
export function strategyAndTrafficRouter(strategy: RolloutStrategy): { strategy: string; trafficRouter: string } {
  if (strategy.blueGreen) return { strategy: 'blueGreen', trafficRouter: '' };
  if (!strategy.canary) return { strategy: 'none', trafficRouter: '' };
  const routing = strategy.canary.trafficRouting;
  const trafficRouter = routing?.smi ? 'SMI' : routing?.nginx ? 'Nginx' : routing?.istio ? 'Istio' : '';
  return { strategy: 'canary', trafficRouter };
}

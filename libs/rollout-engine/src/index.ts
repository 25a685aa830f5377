export * from './types.js';
export { initialStatus, reconcile } from './reconcile.js';
export { applyOperation, templateWithImage, type AppliedTemplates } from './operations.js';
export { MAX_RESTART_DELAY_MS, restartTime, type RestartTimeDecision, type RestartTiming } from './restart.js';
export { podTemplateHash } from './pod-template-hash.js';
export { maxTrafficWeight, trafficRouterOf } from './canary-weights.js';
export {
  approximateWeightedCanaryStableReplicaCounts,
  calculateReplicaCountsForBasicCanary,
  calculateReplicaCountsForTrafficRoutedCanary,
  resolveFenceposts,
  trafficWeightToReplicas,
  type BasicCanaryReplicaInput,
  type ReplicaSetCounts,
  type TrafficRoutedReplicaInput,
} from './replica-math.js';
export { reconcileExperiment } from './experiment/reconcile-experiment.js';
export { retryExperiment, terminateExperiment, type ExperimentOperationResult } from './experiment/experiment-operations.js';
export {
  reconcileRolloutExperiments,
  type ExperimentOutcome,
  type RolloutExperiment,
  type RolloutExperimentsResult,
} from './experiment/rollout-experiments.js';
export { currentRevisionState, releaseHistoryChanges, type ReleaseHistoryChanges, type RevisionState } from './release-history.js';
export { ROLLOUT_METRIC_PHASES, rolloutMetricPhase, strategyAndTrafficRouter, type RolloutMetricPhase } from './metric-labels.js';

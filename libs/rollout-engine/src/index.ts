export * from './types.js';
/** The wire contract with the agent, defined in @flotilla/protocol, for code that knows them as the engine's. */
export {
  DESIRED_REPLICAS_ANNOTATION,
  EPHEMERAL_METADATA_ANNOTATION,
  EXPERIMENT_LABEL,
  EXPERIMENT_TEMPLATE_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  SCALE_DOWN_DEADLINE_ANNOTATION,
  type DesiredExperimentService,
  type DesiredReplicaSet,
  type DesiredRolloutState,
  type DesiredServicePort,
  type DesiredServiceSelectors,
  type DesiredTrafficRouting,
  type ObservedReplicaSet,
  type ObservedRolloutState,
  type PodProblem,
  type PodProblemReason,
  type TrafficRouterKind,
  type WeightDestination,
} from '@flotilla/protocol';
export { reconcile } from './reconcile.js';
export { applyOperation } from './operations.js';
export { podTemplateHash } from './pod-template-hash.js';
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
export {
  reconcileRolloutExperiments,
  type ExperimentOutcome,
  type RolloutExperiment,
  type RolloutExperimentsResult,
} from './experiment/rollout-experiments.js';

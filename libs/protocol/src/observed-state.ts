import type { PodTemplateSpec } from '@flotilla/argo-spec';
import type { TrafficRouterKind } from './desired-state.js';

export type PodProblemReason = 'ImagePullBackOff' | 'ErrImagePull' | 'CrashLoopBackOff' | 'FailedCreate';

export interface PodProblem {
  reason: PodProblemReason;
  message: string;
  pods: number;
}

export interface ObservedReplicaSet {
  podTemplateHash: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `spec.replicas` as the cluster holds it. */
  replicas: number;
  /** Pods that exist (`status.replicas`). */
  currentReplicas: number;
  readyReplicas: number;
  /** Ready for at least `minReadySeconds`, as the ReplicaSet controller reports it. */
  availableReplicas: number;
  template: PodTemplateSpec;
  podProblems: PodProblem[];
  /** ISO creation time of the oldest pod, used to see whether a restart has reached this ReplicaSet. */
  oldestPodCreatedAt: string | undefined;
}

/** What the agent of the rollout's cluster last reported. */
export interface ObservedRolloutState {
  replicaSets: ObservedReplicaSet[];
  /** Current `rollouts-pod-template-hash` selector of each Service the rollout names, by Service name. */
  serviceSelectors: Record<string, string | undefined>;
  /** Canary weight each traffic router currently applies, by router (`nginx`, `istio`, `smi`, `gatewayAPI`). */
  trafficWeights: Partial<Record<TrafficRouterKind, number>>;
  observedAt: string;
}

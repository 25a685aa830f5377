import type { PodTemplateSpec } from '@flotilla/argo-spec';
import type { TrafficRouterKind } from './desired-state.js';

export type PodProblemReason = 'ImagePullBackOff' | 'ErrImagePull' | 'CrashLoopBackOff' | 'FailedCreate';

export interface PodProblem {
  reason: PodProblemReason;
  message: string;
  pods: number;
}

/** One pod of a ReplicaSet, as `kubectl get pods` shows it; ages are the reader's to work out from `startedAt`. */
export interface ObservedPod {
  name: string;
  /** kubectl's STATUS: the phase, or what a container waits or ended in (ContainerCreating, CrashLoopBackOff…), or Terminating. */
  status: string;
  /** Containers ready, of `containers` (kubectl's READY `1/1`). */
  readyContainers: number;
  containers: number;
  /** Restarts of all its containers. */
  restarts: number;
  /** ISO time the kubelet started the pod (`status.startTime`), or its creation time before that. */
  startedAt: string | undefined;
  nodeName: string | undefined;
}

/** A Kubernetes Event about one of a rollout's objects (the Rollout, its ReplicaSets, pods, Services, router objects). */
export interface ObservedEvent {
  /** `Normal` or `Warning`. */
  type: string;
  reason: string;
  /** At most `AGENT_MESSAGE_BOUNDS.eventMessageLength` characters (longer ones are cut, ending in `…`). */
  message: string;
  /** How many times it happened (repeats folded by the API server). */
  count: number;
  /** ISO time it last happened. */
  lastSeenAt: string;
  involvedObject: { kind: string; name: string };
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
  /**
   * Its pods, oldest first, at most `AGENT_MESSAGE_BOUNDS.podsPerReplicaSet`; absent from agents that predate it.
   */
  pods?: ObservedPod[];
  /** Pods beyond `pods` that were left out. */
  podsOmitted?: number;
}

/** What the agent of the rollout's cluster last reported. */
export interface ObservedRolloutState {
  replicaSets: ObservedReplicaSet[];
  /** Current `rollouts-pod-template-hash` selector of each Service the rollout names, by Service name. */
  serviceSelectors: Record<string, string | undefined>;
  /** Canary weight each traffic router currently applies, by router (`nginx`, `istio`, `smi`, `gatewayAPI`). */
  trafficWeights: Partial<Record<TrafficRouterKind, number>>;
  /**
   * The most recent Events of the rollout's objects, newest first, at most `AGENT_MESSAGE_BOUNDS.eventsPerObservation`;
   * absent from agents that predate it.
   */
  events?: ObservedEvent[];
  observedAt: string;
}

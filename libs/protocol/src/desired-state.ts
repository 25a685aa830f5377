import type { PodTemplateSpec, RolloutTrafficRouting, SetHeaderRoute, SetMirrorRoute } from '@flotilla/argo-spec';

export type TrafficRouterKind = 'nginx' | 'istio' | 'smi' | 'gatewayAPI';

export interface WeightDestination {
  weight: number;
  podTemplateHash: string;
  serviceName?: string;
}

export interface DesiredReplicaSet {
  /** The ReplicaSet's name when it is not `<rollout>-<pod template hash>`: an experiment's is `<experiment>-<template>`. */
  name?: string;
  podTemplateHash: string;
  /** The rollout template with the hash label and the role's ephemeral metadata applied. */
  template: PodTemplateSpec;
  replicas: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Seconds a pod must be ready before it counts as available (`spec.minReadySeconds` of the ReplicaSet); absent is 0. */
  minReadySeconds?: number;
  /** Recreate pods created before this ISO time, at most `maxUnavailable` at once (`spec.restartAt`). */
  restart: { podsCreatedBefore: string; maxUnavailable: number } | undefined;
}

export interface DesiredTrafficRouting {
  router: TrafficRouterKind;
  /** The rollout's `trafficRouting` block: which Ingress, VirtualService, TrafficSplit or HTTPRoute to drive. */
  routing: RolloutTrafficRouting;
  canaryService: string | undefined;
  stableService: string | undefined;
  /** The canary and stable ReplicaSets, for routers that select pods by hash (Istio DestinationRule subsets). */
  canaryPodTemplateHash: string;
  stablePodTemplateHash: string;
  canaryWeight: number;
  stableWeight: number;
  additionalDestinations: WeightDestination[];
  headerRoutes: SetHeaderRoute[];
  mirrorRoutes: SetMirrorRoute[];
}

/** The Service of each role the rollout names, and the pod template hash its selector is to hold. */
export type DesiredServiceSelectors = Partial<
  Record<'stable' | 'canary' | 'active' | 'preview', { service: string; podTemplateHash: string }>
>;

export interface DesiredServicePort {
  name?: string;
  protocol: string;
  port: number;
  targetPort: number;
}

/** A Service the agent creates for an experiment template and deletes when the experiment no longer needs it. */
export interface DesiredExperimentService {
  name: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  ports: DesiredServicePort[];
}

/** The full cluster state of one rollout; an agent converges to it without knowing history. */
export interface DesiredRolloutState {
  replicaSets: DesiredReplicaSet[];
  services: DesiredServiceSelectors;
  trafficRouting: DesiredTrafficRouting | undefined;
  /** Services of running experiments; absent means none. */
  experimentServices?: DesiredExperimentService[];
}

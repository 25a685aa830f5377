import type { RolloutTrafficRouting } from '@flotilla/argo-spec';
import {
  POD_TEMPLATE_HASH_LABEL,
  type DesiredReplicaSet,
  type DesiredRollout,
  type DesiredRolloutState,
  type DesiredTrafficRouting,
  type HubLossInstruction,
  type TrafficRouterKind,
} from '@flotilla/protocol';

export interface RevisionSpec {
  hash: string;
  replicas: number;
  image?: string;
}

/** A ReplicaSet of rollout `app` as the engine would ask for it. */
export function desiredReplicaSet(app: string, revision: RevisionSpec, annotations: Record<string, string> = {}): DesiredReplicaSet {
  const labels = { app, [POD_TEMPLATE_HASH_LABEL]: revision.hash };
  return {
    podTemplateHash: revision.hash,
    template: {
      metadata: { labels },
      spec: { containers: [{ name: 'app', image: revision.image ?? `registry.example/${app}:${revision.hash}` }] },
    },
    replicas: revision.replicas,
    labels,
    annotations: { 'rollout.argoproj.io/revision': '1', ...annotations },
    restart: undefined,
  };
}

export interface CanaryOptions {
  namespace: string;
  name: string;
  version: number;
  stable: RevisionSpec;
  canary?: RevisionSpec;
  services?: { stable: string; canary: string };
  traffic?: {
    router: TrafficRouterKind;
    routing: RolloutTrafficRouting;
    canaryWeight: number;
    headerRoutes?: DesiredTrafficRouting['headerRoutes'];
    mirrorRoutes?: DesiredTrafficRouting['mirrorRoutes'];
  };
  hubLoss?: HubLossInstruction;
}

/** A canary rollout's desired state: a stable and optionally a canary revision, Services and a router. */
export function canaryRollout(options: CanaryOptions): DesiredRollout {
  const { namespace, name, stable, canary, services, traffic } = options;
  const canaryHash = canary?.hash ?? stable.hash;
  const state: DesiredRolloutState = {
    replicaSets: [desiredReplicaSet(name, stable), ...(canary === undefined ? [] : [desiredReplicaSet(name, canary)])],
    services:
      services === undefined
        ? {}
        : {
            stable: { service: services.stable, podTemplateHash: stable.hash },
            canary: { service: services.canary, podTemplateHash: canaryHash },
          },
    trafficRouting:
      traffic === undefined
        ? undefined
        : {
            router: traffic.router,
            routing: traffic.routing,
            canaryService: services?.canary,
            stableService: services?.stable,
            canaryPodTemplateHash: canaryHash,
            stablePodTemplateHash: stable.hash,
            canaryWeight: traffic.canaryWeight,
            stableWeight: (traffic.routing.maxTrafficWeight ?? 100) - traffic.canaryWeight,
            additionalDestinations: [],
            headerRoutes: traffic.headerRoutes ?? [],
            mirrorRoutes: traffic.mirrorRoutes ?? [],
          },
  };
  return {
    rollout: { namespace, name },
    desiredVersion: options.version,
    serviceNames: services === undefined ? [] : [services.stable, services.canary],
    state,
    hubLoss: options.hubLoss,
  };
}

/** A desired Istio routing of `web-canary` and `web-stable` at 25/75, for pure router tests; `overrides` change any part. */
export const desiredRouting = (overrides: Partial<DesiredTrafficRouting> = {}): DesiredTrafficRouting => ({
  router: 'istio',
  routing: { istio: { virtualService: { name: 'vs' } } },
  canaryService: 'web-canary',
  stableService: 'web-stable',
  canaryPodTemplateHash: 'c1',
  stablePodTemplateHash: 's1',
  canaryWeight: 25,
  stableWeight: 75,
  additionalDestinations: [],
  headerRoutes: [],
  mirrorRoutes: [],
  ...overrides,
});

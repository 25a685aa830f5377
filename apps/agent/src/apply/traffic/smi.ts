import type { DesiredTrafficRouting, RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../../kube/cluster-state.js';
import { isAlreadyExists, type KubeClient } from '../../kube/kube-client.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { TRAFFIC_SPLITS } from '../../kube/resources.js';
import { isOwnedBy, ownershipLabels, sameJson } from '../ownership.js';
import { guardedUpdate } from './guarded-update.js';

export interface TrafficSplitBackend {
  service: string;
  weight: number;
}

export interface TrafficSplitObject extends KubeObject {
  spec: { service?: string; backends?: TrafficSplitBackend[] };
}

/** As Argo Rollouts names it: `trafficSplitName`, or the rollout's name. */
export const trafficSplitNameOf = (rollout: RolloutKey, routing: DesiredTrafficRouting): string =>
  routing.routing.smi?.trafficSplitName ?? rollout.name;

/**
 * The backends of the rollout's TrafficSplit: canary, stable, then experiment destinations.
 * @example canary web-canary 10, stable web-stable 90 → [{ service: 'web-canary', weight: 10 }, { service: 'web-stable', weight: 90 }]
 */
export function trafficSplitBackends(routing: DesiredTrafficRouting): TrafficSplitBackend[] {
  return [
    { service: routing.canaryService ?? '', weight: routing.canaryWeight },
    { service: routing.stableService ?? '', weight: routing.stableWeight },
    ...routing.additionalDestinations.map((destination) => ({ service: destination.serviceName ?? '', weight: destination.weight })),
  ];
}

/** Only the weights of the backends the rollout knows, for a TrafficSplit the team wrote itself. */
export function reweighBackends(backends: TrafficSplitBackend[], routing: DesiredTrafficRouting): TrafficSplitBackend[] {
  const wanted = new Map(trafficSplitBackends(routing).map((backend) => [backend.service, backend.weight]));
  return backends.map((backend) => ({ ...backend, weight: wanted.get(backend.service) ?? backend.weight }));
}

/** Keeps the rollout's SMI TrafficSplit at the desired weights, creating it when it does not exist. */
export class SmiApplier {
  constructor(
    private readonly kube: KubeClient,
    private readonly cluster: ClusterState,
  ) {}

  async apply(rollout: RolloutKey, routing: DesiredTrafficRouting): Promise<number> {
    const splits = this.cluster.router(TRAFFIC_SPLITS);
    await splits.whenSynced();
    const name = trafficSplitNameOf(rollout, routing);
    const spec = { service: routing.routing.smi?.rootService ?? routing.stableService ?? '', backends: trafficSplitBackends(routing) };
    if (splits.get(rollout.namespace, name) === undefined) {
      try {
        splits.remember(
          await this.kube.create<TrafficSplitObject>(TRAFFIC_SPLITS, rollout.namespace, {
            metadata: { name, namespace: rollout.namespace, labels: ownershipLabels(rollout) },
            spec,
          }),
        );
        return 1;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
    return guardedUpdate(this.kube, splits, TRAFFIC_SPLITS, rollout.namespace, name, (current) => {
      const existing = (current as TrafficSplitObject).spec;
      if (isOwnedBy(current, rollout)) return sameJson(existing, spec) ? undefined : { spec };
      const backends = reweighBackends(existing.backends ?? [], routing);
      return sameJson(existing.backends, backends) ? undefined : { spec: { backends } };
    });
  }
}

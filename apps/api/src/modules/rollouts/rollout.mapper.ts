import type { RolloutSpec } from '@flotilla/argo-spec';
import { replicaSetViews, rolloutEventViews } from './replica-set-view.js';
import type { RolloutWithCluster } from '@flotilla/stores';
import { RolloutStrategy, type RolloutModel } from './rollout.model.js';
import { trafficRoutingView } from './traffic-routing-view.js';

export function containerImages(spec: RolloutSpec): string[] {
  return spec.template.spec.containers.map((container) => container.image ?? '');
}

export function toRolloutModel(row: RolloutWithCluster): RolloutModel {
  const { spec } = row;
  return {
    id: row.id,
    cluster: row.cluster.name,
    namespace: row.namespace,
    name: row.name,
    labels: row.labels,
    annotations: row.annotations,
    strategy: spec.strategy.blueGreen ? RolloutStrategy.BlueGreen : RolloutStrategy.Canary,
    spec: row.spec,
    generation: row.generation,
    observedGeneration: row.observedGeneration,
    phase: row.phase,
    message: row.message,
    images: containerImages(spec),
    currentStepIndex: row.status?.currentStepIndex ?? null,
    stepCount: spec.strategy.canary?.steps?.length ?? 0,
    status: row.status,
    replicaSets: replicaSetViews(row.desiredState, row.observed, row.status, spec.strategy.blueGreen !== undefined),
    events: rolloutEventViews(row.observed),
    observedTrafficWeights: row.observed?.trafficWeights ?? {},
    trafficRouting: trafficRoutingView(row, spec.strategy.canary, row.desiredState?.trafficRouting, row.observed?.trafficWeights ?? {}),
    observedAt: row.observedAt,
    desiredVersion: row.desiredVersion,
    appliedDesiredVersion: row.appliedDesiredVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    fleetReleaseId: row.fleetReleaseId,
  };
}

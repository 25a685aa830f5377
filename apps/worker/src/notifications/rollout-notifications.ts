import type { RolloutSpec } from '@flotilla/argo-spec';
import type { JsonObject } from '@flotilla/notifications';
import type { RolloutEvent, RolloutStatus } from '@flotilla/rollout-engine';
import { rolloutTargetName, type LoadedRollout, type NotificationSubjectRef } from '@flotilla/stores';
import { toJson, type SubjectChange } from './notification-decider.js';

/** The rollout as one reconcile leaves it: what its notifications are decided on. */
export interface RolloutChange {
  rollout: LoadedRollout;
  spec: RolloutSpec;
  generation: number;
  status: RolloutStatus;
  events: readonly RolloutEvent[];
  /** The version the change writes: with the rollout's id, what identifies the change. */
  version: number;
  now: Date;
}

/** What the Rollout object of templates is made of. */
export type RolloutObjectSource = Pick<RolloutChange, 'spec' | 'generation'> & {
  status: RolloutStatus | null;
  rollout: Pick<LoadedRollout, 'id' | 'name' | 'namespace' | 'labels' | 'annotations' | 'createdAt'>;
};

/**
 * A rollout's reconcile as the change its notifications are decided on: the engine's events of the reconcile and
 * the rollout as it leaves it, identified by the rollout's id and the version the reconcile writes.
 */
export function rolloutChange(change: RolloutChange): SubjectChange {
  const { rollout, now } = change;
  return {
    organizationId: rollout.organizationId,
    subject: rolloutSubjectRef(rollout),
    annotations: rollout.annotations,
    changeId: `${rollout.id}/${change.version}`,
    events: change.events.map((event) => ({ source: 'rollout', event })),
    planSubject: () => ({ kind: 'Rollout', rollout: rolloutObject(change), analysisRuns: analysisRunObjects(rollout) }),
    now,
  };
}

/** How a rollout's deliveries name it, and the cluster namespace whose configuration they are sent with. */
export function rolloutSubjectRef(
  rollout: Pick<LoadedRollout, 'id' | 'clusterId' | 'namespace' | 'name'> & { cluster: { name: string } },
): NotificationSubjectRef {
  return {
    kind: 'Rollout',
    id: rollout.id,
    name: rolloutTargetName(rollout.cluster.name, rollout.namespace, rollout.name),
    placement: { clusterId: rollout.clusterId, namespace: rollout.namespace },
  };
}

/** The Rollout as Argo's templates read it: `.rollout.metadata.name`, `.rollout.status.currentStepIndex`, … */
export function rolloutObject({ rollout, spec, generation, status }: RolloutObjectSource): JsonObject {
  return toJson({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: rollout.name,
      namespace: rollout.namespace,
      uid: rollout.id,
      generation,
      labels: rollout.labels,
      annotations: rollout.annotations,
      creationTimestamp: rollout.createdAt.toISOString(),
    },
    spec,
    status,
  });
}

/** The rollout's analysis runs as objects: their names and phases. */
export function analysisRunObjects(rollout: {
  namespace: string;
  analysisRuns: readonly { name: string; phase: string; message: string }[];
}): JsonObject[] {
  return rollout.analysisRuns.map((run) =>
    toJson({ metadata: { name: run.name, namespace: rollout.namespace }, status: { phase: run.phase, message: run.message } }),
  );
}

import type { RolloutSpec } from '@flotilla/argo-spec';
import { rolloutSubject } from '@flotilla/notifications';
import type { RolloutEvent, RolloutStatus } from '@flotilla/rollout-engine';
import { rolloutTargetName, type LoadedRollout, type NotificationSubjectRef, type SubjectChange } from '@flotilla/stores';

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
    planSubject: () => rolloutSubject({ ...rollout, generation: change.generation, spec: change.spec, status: change.status }),
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

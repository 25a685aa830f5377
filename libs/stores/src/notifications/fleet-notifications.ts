import type { ReleaseEvent, ReleaseStatus } from '@flotilla/fleet-engine';
import { toJson, type JsonObject } from '@flotilla/notifications';
import type { FleetReleaseRecord, FleetRolloutRecord } from '../fleet/fleet-records.js';
import type { SubjectChange } from './notification-decider.js';

/** A fleet release as one reconcile leaves it, with the FleetRollout it releases: what its notifications are decided on. */
export interface FleetReleaseChange {
  fleetRollout: FleetRolloutRecord;
  release: FleetReleaseRecord;
  status: ReleaseStatus;
  events: readonly ReleaseEvent[];
  /** The version the change writes: with the release's id, what identifies the change. */
  version: number;
  now: Date;
}

/**
 * A fleet release's reconcile as the change its notifications are decided on: the FleetRollout is the subscribed
 * object (its annotations, its labels for `subscriptions`), configured by the organization only, and the fleet
 * engine's events fire `on-fleet-<event>` (`ReleaseSucceeded` as `on-fleet-release-completed`) and
 * `on-approval-required`.
 */
export function fleetReleaseChange(change: FleetReleaseChange): SubjectChange {
  const { fleetRollout, release, now } = change;
  return {
    organizationId: release.organizationId,
    subject: { kind: 'FleetRollout', id: fleetRollout.id, name: fleetRollout.name, placement: undefined },
    annotations: fleetRollout.annotations,
    changeId: `${release.id}/${change.version}`,
    events: change.events.map((event) => ({ source: 'fleetRelease', event })),
    planSubject: () => ({ kind: 'FleetRollout', fleetRollout: fleetRolloutObject(fleetRollout), release: change.status }),
    now,
  };
}

/** The FleetRollout as templates read it: `.fleetRollout.metadata.name`, `.fleetRollout.spec.waves`, … */
function fleetRolloutObject(fleetRollout: FleetRolloutRecord): JsonObject {
  return toJson({
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FleetRollout',
    metadata: {
      name: fleetRollout.name,
      uid: fleetRollout.id,
      generation: fleetRollout.generation,
      labels: fleetRollout.labels,
      annotations: fleetRollout.annotations,
      creationTimestamp: fleetRollout.createdAt.toISOString(),
    },
    spec: fleetRollout.spec,
  });
}

import type { FleetChange, FleetRolloutSpec, ReleasePhase, ReleaseStatus } from '@flotilla/fleet-engine';

/** A FleetRollout as applied: the policy of how a Rollout present in many clusters is released. */
export interface FleetRolloutRecord {
  id: string;
  organizationId: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: FleetRolloutSpec;
  generation: number;
  appliedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One fleet release: what it changes, who started it, and the fleet engine's status of it. */
export interface FleetReleaseRecord {
  id: string;
  organizationId: string;
  fleetRolloutId: string;
  fleetRolloutName: string;
  /** 1, 2, 3… within its FleetRollout. */
  number: number;
  /** The FleetRollout's spec when the release started. */
  spec: FleetRolloutSpec;
  change: FleetChange;
  reason: string | null;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  phase: ReleasePhase;
  status: ReleaseStatus;
  /** The number of the release that superseded this one. */
  supersededByNumber: number | null;
  nextReconcileAt: Date | null;
  /** Grows with every write; a write happens only at the version its decision read. */
  version: number;
}

/** How audit events and logs name a fleet release. */
export const fleetReleaseTargetName = (fleetRollout: string, number: number): string => `${fleetRollout}#${number}`;

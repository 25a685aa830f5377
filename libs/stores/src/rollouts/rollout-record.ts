import type { RolloutSpec } from '@flotilla/argo-spec';
import type { RolloutStatus } from '@flotilla/rollout-engine';
import type { DesiredRolloutState, ObservedRolloutState } from '@flotilla/protocol';

/** A rollout as it is stored: its manifest, the engine's status and desired state, and what its agent observed. */
export interface RolloutRecord {
  id: string;
  organizationId: string;
  clusterId: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: RolloutSpec;
  generation: number;
  observedGeneration: number;
  phase: string;
  message: string;
  status: RolloutStatus | null;
  /** Who last changed the spec: new revisions are credited to them. */
  specChangedBy: string;
  desiredState: DesiredRolloutState | null;
  desiredVersion: number;
  appliedDesiredVersion: number;
  observed: ObservedRolloutState | null;
  observedAt: Date | null;
  nextReconcileAt: Date | null;
  /** Grows with every write a reconcile must not overlook; a reconcile writes only at the version it read. */
  version: number;
  /** The active fleet release it is a member of: it owns the template until the release ends. */
  fleetReleaseId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A rollout with the name of its cluster. */
export type RolloutWithCluster = RolloutRecord & { cluster: { name: string } };

export interface RolloutRevisionRecord {
  id: string;
  rolloutId: string;
  revision: number;
  podTemplateHash: string;
  images: string[];
  specSnapshot: RolloutSpec;
  startedBy: string;
  /** Progressing, Healthy, Aborted, Superseded or RolledBack. */
  outcome: string;
  startedAt: Date;
  finishedAt: Date | null;
}

/** An operation's parameters, as its GraphQL field shows them. */
export type OperationParameters = Record<string, unknown>;

export interface RolloutOperationRecord {
  id: string;
  rolloutId: string;
  type: string;
  parameters: OperationParameters;
  requestedBy: string;
  requestedAt: Date;
  /** Pending, Applied or Refused. */
  state: string;
  message: string | null;
  completedAt: Date | null;
}

/** How audit events and logs name a rollout across the fleet. */
export const rolloutTargetName = (cluster: string, namespace: string, name: string): string => `${cluster}/${namespace}/${name}`;

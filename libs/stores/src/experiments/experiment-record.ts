import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentStatus } from '@flotilla/rollout-engine';
import type { DesiredRolloutState, ObservedRolloutState } from '@flotilla/protocol';

/**
 * An experiment as it is stored: applied on its own, or started by a rollout's step (then with the step's revision
 * hash and index, and reconciled with its rollout).
 */
export interface ExperimentRecord {
  id: string;
  organizationId: string;
  clusterId: string;
  rolloutId: string | null;
  namespace: string;
  name: string;
  spec: ExperimentSpec;
  podTemplateHash: string | null;
  stepIndex: number | null;
  generation: number;
  phase: string;
  message: string;
  status: ExperimentStatus | null;
  /** Grows with every write a reconcile must not overlook; a reconcile writes only at the version it read. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** When a completed experiment had nothing left in its cluster. */
  releasedAt: Date | null;
  /** A standalone experiment's own desired cluster state; an experiment of a rollout travels in its rollout's. */
  desiredState: DesiredRolloutState | null;
  desiredVersion: number;
  observed: ObservedRolloutState | null;
  nextReconcileAt: Date | null;
}

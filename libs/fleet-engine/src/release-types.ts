import type { PodTemplateSpec } from '@flotilla/argo-spec';
import type { FleetCluster } from './wave-plan.js';
import type { FleetRolloutSpec } from './fleet-rollout-spec.js';

/** What a fleet release changes in each member's Rollout. */
export type FleetChange =
  /** That container's image in each member's own template: other per-cluster differences stay. */
  | { type: 'image'; container: string; image: string }
  /** The members' pod template, replaced whole. */
  | { type: 'template'; template: PodTemplateSpec };

/**
 * `Progressing`, `Paused`, `Halted` and `RollingBack` are active: the release owns its members' templates.
 * The others are final.
 */
export type ReleasePhase = 'Progressing' | 'Paused' | 'Halted' | 'RollingBack' | 'Succeeded' | 'Aborted' | 'RolledBack' | 'Superseded';

export const ACTIVE_RELEASE_PHASES: readonly ReleasePhase[] = ['Progressing', 'Paused', 'Halted', 'RollingBack'];

export type WavePhase = 'Pending' | 'Progressing' | 'Passed' | 'Failed' | 'RollingBack' | 'RolledBack';

/** A wave's gates, in the order they pass: `analysis` only when the wave names analysis, `approval` only when manual. */
export type GateName = 'healthy' | 'analysis' | 'soak' | 'approval';
export type GateState = 'Pending' | 'Waiting' | 'Passed' | 'Failed';

export interface GateStatus {
  gate: GateName;
  state: GateState;
  message: string;
  /** ISO time the gate last changed state. */
  since: string | null;
  /** ISO time the gate may pass on its own (the soak's end). */
  until: string | null;
}

/**
 * A member's place in the release:
 * - `Pending`: not changed yet (or waiting for its turn in `maxParallel`);
 * - `Changing`: its template was changed; it runs its own steps;
 * - `Released`: Healthy and fully promoted on the template the release set;
 * - `Failed`: Degraded, aborted, changed outside the release, disconnected past the timeout, or missing; or set back
 *   by a rollback but not seen back, its cluster disconnected past the timeout;
 * - `Skipped`: passed over by `skipFleetMember`, or missing with `allowMissing`;
 * - `RollingBack` / `RolledBack`: its template set back to `previousTemplate`.
 */
export type MemberState = 'Pending' | 'Changing' | 'Released' | 'Failed' | 'Skipped' | 'RollingBack' | 'RolledBack';

export interface MemberStatus {
  cluster: string;
  state: MemberState;
  message: string;
  /** ISO time the release changed the member's template (last time, after a retry). */
  changedAt: string | null;
  /** `podTemplateHash` (no collision count) of the template this release set. */
  targetHash: string | null;
  /**
   * The template the member had before the first release of a chain of superseding releases changed it: what
   * `rollbackAll` and `abortFleetRelease(rollback: true)` restore. Null while untouched.
   */
  previousTemplate: PodTemplateSpec | null;
  previousHash: string | null;
  /** A rollback asked the member to promote fully to its previous template, past its steps: asked once. */
  rollbackPromoted?: boolean;
}

export interface WaveStatus {
  name: string;
  phase: WavePhase;
  startedAt: string | null;
  finishedAt: string | null;
  /** Since when every member has been Released without a break. */
  healthySince: string | null;
  approval: { by: string; at: string; reason: string | null } | null;
  gates: GateStatus[];
  /** Frozen when the release starts, in cluster-name order. */
  members: MemberStatus[];
  /**
   * Which attempt of the wave's analysis counts (0 first; a retry of the release makes a new one). Absent in
   * releases stored before waves had analysis: 0.
   */
  analysisAttempt?: number;
  /** The wave's analysis came out Inconclusive and paused the release; a resume accepts it. */
  analysisInconclusive?: boolean;
}

export interface ReleaseStatus {
  phase: ReleasePhase;
  message: string;
  /** Index of the wave under way; `waves.length` once every wave passed. */
  currentWave: number;
  waves: WaveStatus[];
  /** Clusters the FleetRollout selects that no wave takes. */
  unassigned: string[];
  /** Why the release rolls back, or rolled back: the final message keeps it. */
  rollbackCause?: string;
  /** The phase to return to on resume (Paused keeps what it paused). */
  pausedFrom: ReleasePhase | null;
  startedAt: string;
  finishedAt: string | null;
}

/** A member's Rollout as the control plane holds it now. */
export type MemberObservation =
  | { present: false }
  | {
      present: true;
      /** The Rollout's `spec.template` now. */
      template: PodTemplateSpec;
      /** `podTemplateHash(template)`, no collision count. */
      templateHash: string;
      /** The Rollout's phase, as its status reports it for its current generation (`Progressing` until then). */
      phase: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';
      /** The status was computed for the current spec generation. */
      reconciled: boolean;
      /** Its stable ReplicaSet is the current template's one. */
      fullyPromoted: boolean;
      /** Aborted, and no retry of it asked since. */
      aborted: boolean;
      /** It waits at a pause that a promote would end (a step pause or `spec.paused`). */
      waitsAtPause: boolean;
      /**
       * Since when its cluster has not been connected: its last heartbeat, or its registration if it never connected;
       * null while connected.
       */
      disconnectedSince: Date | null;
      /** A freeze window in effect for it (and no break-glass override): a Pending member is not changed until `until`. */
      frozen: MemberFreeze | null;
    };

/** The freeze window holding a member back, and when it ends. */
export interface MemberFreeze {
  window: string;
  until: Date;
}

/** Phases of an analysis run, as Argo names them. */
export type WaveAnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/**
 * An analysis run of a wave the decision asks the shell to start, unless it exists: one pooled across the wave's
 * released clusters (`cluster` null), or one per released cluster. Wave, cluster and attempt name it.
 */
export interface WaveAnalysisRunRequest {
  wave: string;
  /** Null: the pooled run of the wave, measured in every cluster of `clusters`. */
  cluster: string | null;
  /** The clusters it measures in, in name order: the pooled run's, or the one cluster's own. */
  clusters: string[];
  attempt: number;
}

/** An analysis run of a wave, as the shell found it. */
export interface WaveAnalysisRun {
  wave: string;
  cluster: string | null;
  attempt: number;
  phase: WaveAnalysisPhase;
  message: string;
}

export interface StartReleaseInput {
  spec: FleetRolloutSpec;
  clusters: readonly FleetCluster[];
  /** The release this one supersedes, while active: each member's `previousTemplate` carries over. */
  superseded?: ReleaseStatus;
  now: Date;
}

export interface ReleaseInput {
  spec: FleetRolloutSpec;
  change: FleetChange;
  status: ReleaseStatus;
  /** By cluster name; a member absent here counts as `{ present: false }`. */
  members: Readonly<Record<string, MemberObservation>>;
  /** The analysis runs of the release's waves that exist; absent: none. */
  analysisRuns?: readonly WaveAnalysisRun[];
  now: Date;
}

/** A member's template to write, in the same transaction as the release's status. */
export interface MemberTemplateChange {
  cluster: string;
  template: PodTemplateSpec;
  purpose: 'release' | 'rollback';
}

/** A rollout operation to request of a member, in the same transaction as the release's status. */
export interface MemberOperation {
  cluster: string;
  operation: { type: 'abort' } | { type: 'retry' } | { type: 'promote'; full: boolean };
}

export type ReleaseEventType =
  | 'ReleaseStarted'
  | 'WaveStarted'
  | 'MemberChanged'
  | 'MemberReleased'
  | 'MemberFailed'
  | 'MemberSkipped'
  | 'MemberRetried'
  | 'MemberRolledBack'
  | 'GatePassed'
  | 'GateFailed'
  | 'WaveApproved'
  | 'WavePromoted'
  | 'WavePassed'
  | 'WaveFailed'
  | 'ReleasePaused'
  | 'ReleaseResumed'
  | 'ReleaseHalted'
  | 'ReleaseRetried'
  | 'RollbackStarted'
  | 'ReleaseSucceeded'
  | 'ReleaseAborted'
  | 'ReleaseRolledBack'
  | 'ReleaseSuperseded';

/** What happened, for the audit chain and notifications. */
export interface ReleaseEvent {
  type: ReleaseEventType;
  wave?: string;
  cluster?: string;
  gate?: GateName;
  message: string;
}

export interface ReleaseDecision {
  status: ReleaseStatus;
  memberChanges: MemberTemplateChange[];
  memberOperations: MemberOperation[];
  events: ReleaseEvent[];
  /** Analysis runs to start after the commit, unless they exist (the shell names them deterministically). */
  analysisRunsToStart: WaveAnalysisRunRequest[];
  /** When to decide again with no member changing (a soak's end, a disconnection's deadline); null: no timer. */
  wakeAt: Date | null;
}

/** Operations people ask of a release. */
export type ReleaseOperation =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'abort'; rollback: boolean }
  | { type: 'approveWave'; wave: string | null; by: string; reason: string | null }
  | { type: 'retry' }
  | { type: 'promoteWave' }
  | { type: 'skipMember'; cluster: string }
  | { type: 'retryMember'; cluster: string };

export type ReleaseOperationRefusalCode =
  | 'fleet/release_finished'
  | 'fleet/not_paused'
  | 'fleet/already_paused'
  | 'fleet/not_halted'
  | 'fleet/no_approval_pending'
  | 'fleet/unknown_wave'
  | 'fleet/unknown_member'
  | 'fleet/member_not_failed'
  | 'fleet/member_finished'
  | 'fleet/nothing_to_promote';

export type ReleaseOperationResult =
  { ok: true; decision: ReleaseDecision } | { ok: false; refusal: { code: ReleaseOperationRefusalCode; message: string } };

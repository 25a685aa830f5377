import type { PodTemplateSpec } from '@flotilla/argo-spec';
import { podTemplateHash, type RolloutStatus } from '@flotilla/rollout-engine';
import type { MemberFreeze, MemberObservation } from './release-types.js';

/** A member's Rollout as the control plane stores it. */
export interface MemberRollout {
  spec: { template: PodTemplateSpec; paused?: boolean };
  /** Undefined until the rollout engine first reconciled it. */
  status: RolloutStatus | undefined;
  generation: number;
  /** A `retry` operation was asked of it and its engine has not carried it out yet (it runs on its next reconcile). */
  retryAsked?: boolean;
}

/** How the control plane reaches a cluster's agent, as the cluster row records it. */
export type ClusterConnectionState = 'Pending' | 'Connected' | 'Disconnected';

export interface MemberCluster {
  connectionState: ClusterConnectionState;
  lastHeartbeatAt: Date | null;
  /** When the cluster was registered: how long a cluster that never connected has been away. */
  registeredAt: Date;
}

/**
 * A retry lifts `abort` from the status at once, but the phase stays the Degraded of the abort until the rollout
 * engine reconciles again: the rollout runs again already. A retry asked and not carried out yet (the rollout's
 * reconcile has not run, or waits for its cluster) counts the same: the abort it retries is over.
 */
const retriedSinceReconcile = (status: RolloutStatus, retryAsked: boolean): boolean =>
  (status.abort && retryAsked) || (status.phase === 'Degraded' && !status.abort && status.message.startsWith('RolloutAborted'));

/** Since when a cluster not connected is away: its last heartbeat, or its registration when it never connected. */
const awaySince = (cluster: MemberCluster): Date | null =>
  cluster.connectionState === 'Connected' ? null : (cluster.lastHeartbeatAt ?? cluster.registeredAt);

/**
 * What a fleet release sees of a member: its Rollout row (undefined when the cluster has none), its cluster's
 * connection, and the freeze window holding it back (its shell finds it; null when none, or under a break-glass). A
 * status computed for an older generation tells nothing of the current template: until the rollout engine reconciles
 * the new one, the member is Progressing and not aborted. A cluster not connected (lost, or never connected yet) is
 * disconnected since its last heartbeat, or since it was registered.
 *
 * @example observeMember({ spec: { template }, status: { ...status, observedGeneration: 3, phase: 'Healthy' }, generation: 3 },
 *   { connectionState: 'Connected', lastHeartbeatAt, registeredAt })
 *   // { present: true, template, templateHash: podTemplateHash(template), phase: 'Healthy', reconciled: true, … disconnectedSince: null, frozen: null }
 */
export function observeMember(
  rollout: MemberRollout | undefined,
  cluster: MemberCluster,
  frozen: MemberFreeze | null = null,
): MemberObservation {
  if (rollout === undefined) return { present: false };
  const { spec, status, generation } = rollout;
  const reconciled = status !== undefined && status.observedGeneration === generation;
  const retried = reconciled && retriedSinceReconcile(status, rollout.retryAsked === true);
  return {
    present: true,
    template: spec.template,
    templateHash: podTemplateHash(spec.template),
    phase: reconciled && !retried ? status.phase : 'Progressing',
    reconciled,
    fullyPromoted: status !== undefined && status.stableRS === status.currentPodHash,
    aborted: reconciled && status.abort && !retried,
    waitsAtPause: spec.paused === true || (status?.pauseConditions.length ?? 0) > 0,
    disconnectedSince: awaySince(cluster),
    frozen,
  };
}

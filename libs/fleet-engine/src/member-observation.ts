import type { PodTemplateSpec } from '@flotilla/argo-spec';
import { podTemplateHash, type RolloutStatus } from '@flotilla/rollout-engine';
import type { MemberFreeze, MemberObservation } from './release-types.js';

/** A member's Rollout as the control plane stores it. */
export interface MemberRollout {
  spec: { template: PodTemplateSpec; paused?: boolean };
  /** Undefined until the rollout engine first reconciled it. */
  status: RolloutStatus | undefined;
  generation: number;
}

/** How the control plane reaches a cluster's agent, as the cluster row records it. */
export type ClusterConnectionState = 'Pending' | 'Connected' | 'Disconnected';

export interface MemberCluster {
  connectionState: ClusterConnectionState;
  lastHeartbeatAt: Date | null;
}

/**
 * A retry lifts `abort` from the status at once, but the phase stays the Degraded of the abort until the rollout
 * engine reconciles again: the rollout runs again already.
 */
const retriedSinceReconcile = (status: RolloutStatus): boolean =>
  status.phase === 'Degraded' && !status.abort && status.message.startsWith('RolloutAborted');

/**
 * What a fleet release sees of a member: its Rollout row (undefined when the cluster has none), its cluster's
 * connection, and the freeze window holding it back (its shell finds it; null when none, or under a break-glass). A status computed for an older generation tells nothing of the current template: until the rollout
 * engine reconciles the new one, the member is Progressing and not aborted.
 *
 * @example observeMember({ spec: { template }, status: { ...status, observedGeneration: 3, phase: 'Healthy' }, generation: 3 },
 *   { connectionState: 'Connected', lastHeartbeatAt })
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
  return {
    present: true,
    template: spec.template,
    templateHash: podTemplateHash(spec.template),
    phase: reconciled && !retriedSinceReconcile(status) ? status.phase : 'Progressing',
    reconciled,
    fullyPromoted: status !== undefined && status.stableRS === status.currentPodHash,
    aborted: reconciled && status.abort,
    waitsAtPause: spec.paused === true || (status?.pauseConditions.length ?? 0) > 0,
    disconnectedSince: cluster.connectionState === 'Disconnected' ? cluster.lastHeartbeatAt : null,
    frozen,
  };
}

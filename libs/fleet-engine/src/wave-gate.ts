/** A wave's member as its cluster reports it: no Rollout there, or the Rollout's standing in the release. */
export type MemberStanding =
  | { present: false }
  | {
      present: true;
      /** The release changed its template (or found it already on target): from then on its rollout's troubles count. */
      changed: boolean;
      /** Its template is the one the release set. */
      onTarget: boolean;
      /** Its status was computed for the current spec, and its stable ReplicaSet is the current template's one. */
      promoted: boolean;
      phase: 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';
      aborted: boolean;
      /** When its cluster's agent was last lost; null while connected. */
      disconnectedSince: Date | null;
    };

/**
 * Whether a member runs the release's revision to the end: changed, on target, fully promoted, Healthy, and its
 * cluster connected (a lost cluster's last report may be stale).
 *
 * @example isReleased({ present: true, changed: true, onTarget: true, promoted: true, phase: 'Healthy', aborted: false, disconnectedSince: null }) // true
 */
export function isReleased(member: MemberStanding): boolean {
  return (
    member.present &&
    member.changed &&
    member.onTarget &&
    member.promoted &&
    member.phase === 'Healthy' &&
    !member.aborted &&
    member.disconnectedSince === null
  );
}

export interface WaveGateSpec {
  /** Time every member must stay Healthy, after the last one became so, before the wave passes. */
  soakSeconds: number;
  approval: 'automatic' | 'manual';
  /** A member without the Rollout is passed over instead of failing the wave. */
  allowMissing: boolean;
  /** How long a member's cluster may stay disconnected before the wave fails. */
  disconnectedTimeoutSeconds: number;
}

/** What the release recorded of the wave so far. */
export interface WaveRecord {
  /** Since when every member has been released, without a break. */
  healthySince: Date | null;
  approvedAt: Date | null;
}

export type WaveVerdict =
  | { verdict: 'failed'; member: string; reason: string }
  | { verdict: 'waiting'; gate: 'healthy'; members: string[] }
  | { verdict: 'waiting'; gate: 'soak'; until: Date }
  | { verdict: 'waiting'; gate: 'approval' }
  | { verdict: 'passed' };

export interface WaveAssessment {
  verdict: WaveVerdict;
  /** What to record as the wave's `healthySince`. */
  healthySince: Date | null;
  /** When the verdict may change with no member changing: the soak's end, or a disconnection's deadline. */
  wakeAt: Date | null;
}

const seconds = (value: number): number => value * 1000;

/**
 * Assesses a wave's gates, in order: no member failed (a changed member Degraded, aborted or moved off the release's
 * template; any member's cluster disconnected past the timeout; a member missing unless allowed); every member
 * released (`isReleased`); the soak without a break; a manual approval. Members are read in name order, so that the
 * first failure named is the same on every call.
 *
 * @example assessWave({ soakSeconds: 60, approval: 'automatic', allowMissing: false, disconnectedTimeoutSeconds: 600 },
 *   { eu: { present: true, changed: true, onTarget: true, promoted: true, phase: 'Healthy', aborted: false, disconnectedSince: null } },
 *   { healthySince: null, approvedAt: null }, now)
 *   // { verdict: { verdict: 'waiting', gate: 'soak', until: now + 60 s }, healthySince: now, wakeAt: now + 60 s }
 */
export function assessWave(
  spec: WaveGateSpec,
  members: Readonly<Record<string, MemberStanding>>,
  record: WaveRecord,
  now: Date,
): WaveAssessment {
  const names = Object.keys(members).sort();
  const waitingFor: string[] = [];
  let deadline: number | null = null;
  for (const name of names) {
    const member = members[name];
    if (!member) continue;
    if (!member.present) {
      if (spec.allowMissing) continue;
      return failed(name, 'the cluster has no such Rollout');
    }
    if (member.changed) {
      if (member.aborted) return failed(name, 'its rollout was aborted');
      if (member.phase === 'Degraded') return failed(name, 'its rollout is Degraded');
      if (!member.onTarget) return failed(name, 'its template was changed outside the release');
    }
    if (member.disconnectedSince) {
      const memberDeadline = member.disconnectedSince.getTime() + seconds(spec.disconnectedTimeoutSeconds);
      if (now.getTime() >= memberDeadline)
        return failed(name, `its cluster has been disconnected for more than ${spec.disconnectedTimeoutSeconds} s`);
      deadline = deadline === null ? memberDeadline : Math.min(deadline, memberDeadline);
    }
    if (!isReleased(member)) waitingFor.push(name);
  }
  if (waitingFor.length > 0)
    return {
      verdict: { verdict: 'waiting', gate: 'healthy', members: waitingFor },
      healthySince: null,
      wakeAt: deadline === null ? null : new Date(deadline),
    };
  const healthySince = record.healthySince ?? now;
  const soakEnd = new Date(healthySince.getTime() + seconds(spec.soakSeconds));
  if (now < soakEnd) return { verdict: { verdict: 'waiting', gate: 'soak', until: soakEnd }, healthySince, wakeAt: soakEnd };
  if (spec.approval === 'manual' && !record.approvedAt)
    return { verdict: { verdict: 'waiting', gate: 'approval' }, healthySince, wakeAt: null };
  return { verdict: { verdict: 'passed' }, healthySince, wakeAt: null };
}

function failed(member: string, reason: string): WaveAssessment {
  return { verdict: { verdict: 'failed', member, reason }, healthySince: null, wakeAt: null };
}

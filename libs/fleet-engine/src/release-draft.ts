import { DEFAULT_DISCONNECTED_TIMEOUT_SECONDS, type FleetRolloutSpec, type FleetWaveSpec } from './fleet-rollout-spec.js';
import type {
  MemberFreeze,
  MemberObservation,
  MemberOperation,
  MemberStatus,
  MemberTemplateChange,
  ReleaseDecision,
  ReleaseEvent,
  ReleaseStatus,
  WaveAnalysisRunRequest,
  WaveStatus,
} from './release-types.js';
import type { WaveGateSpec } from './wave-gate.js';

export const ABSENT: MemberObservation = { present: false };

/**
 * A release's status being decided, with what the decision asks of members and the events it tells. Every change
 * copies only the objects on its path, so the status given is never modified and untouched waves stay shared.
 */
export class ReleaseDraft {
  readonly memberChanges: MemberTemplateChange[] = [];
  readonly memberOperations: MemberOperation[] = [];
  readonly events: ReleaseEvent[] = [];
  readonly analysisRunsToStart: WaveAnalysisRunRequest[] = [];
  readonly nowIso: string;
  /** The freeze holding back a member the release would change now, ending last: the wave shows it. */
  heldBy: MemberFreeze | null = null;
  private heldUntil: Date | null = null;

  constructor(
    public status: ReleaseStatus,
    readonly now: Date,
  ) {
    this.nowIso = now.toISOString();
  }

  wave(index: number): WaveStatus {
    const wave = this.status.waves[index];
    if (wave === undefined) throw new RangeError(`the release has no wave ${index}`);
    return wave;
  }

  update(patch: Partial<ReleaseStatus>): void {
    this.status = { ...this.status, ...patch };
  }

  updateWave(index: number, patch: Partial<WaveStatus>): void {
    this.update({ waves: this.status.waves.with(index, { ...this.wave(index), ...patch }) });
  }

  updateMember(waveIndex: number, memberIndex: number, patch: Partial<MemberStatus>): void {
    const members = this.wave(waveIndex).members;
    const member = members[memberIndex];
    if (member === undefined) throw new RangeError(`wave ${waveIndex} has no member ${memberIndex}`);
    this.updateWave(waveIndex, { members: members.with(memberIndex, { ...member, ...patch }) });
  }

  emit(event: ReleaseEvent): void {
    this.events.push(event);
  }

  /** Notes a freeze holding a member back; the decision asks to be taken again when it ends. */
  holdBy(freeze: MemberFreeze): void {
    if (this.heldBy === null || freeze.until > this.heldBy.until) this.heldBy = freeze;
    this.heldUntil = this.heldUntil === null || freeze.until < this.heldUntil ? freeze.until : this.heldUntil;
  }

  decision(wakeAt: Date | null): ReleaseDecision {
    const held = this.heldUntil;
    return {
      status: this.status,
      memberChanges: this.memberChanges,
      memberOperations: this.memberOperations,
      events: this.events,
      analysisRunsToStart: this.analysisRunsToStart,
      wakeAt: held !== null && (wakeAt === null || held < wakeAt) ? held : wakeAt,
    };
  }
}

/** The gates of a wave as its spec and the FleetRollout's defaults set them. */
export function waveGateSpec(spec: FleetRolloutSpec, wave: FleetWaveSpec | undefined): WaveGateSpec {
  return {
    soakSeconds: wave?.soakSeconds ?? 0,
    approval: wave?.approval ?? 'automatic',
    allowMissing: wave?.allowMissing ?? false,
    disconnectedTimeoutSeconds: wave?.disconnectedTimeoutSeconds ?? spec.disconnectedTimeoutSeconds ?? DEFAULT_DISCONNECTED_TIMEOUT_SECONDS,
  };
}

/** `wave 2/3 production-eu`: how events and messages name a wave. */
export function waveLabel(status: ReleaseStatus, index: number): string {
  const wave = status.waves[index];
  return wave === undefined ? 'no wave' : `wave ${index + 1}/${status.waves.length} ${wave.name}`;
}

/** A member the release may ask to abort: it runs the release's template and is not aborted already. */
export function isAbortable(member: MemberStatus, observation: MemberObservation): boolean {
  return member.state === 'Changing' && observation.present && !observation.aborted && observation.templateHash === member.targetHash;
}

import { decideRelease, startRollback } from './release-decision.js';
import { ABSENT, isAbortable, ReleaseDraft, waveLabel } from './release-draft.js';
import { pendingGates } from './release-start.js';
import {
  ACTIVE_RELEASE_PHASES,
  type MemberObservation,
  type MemberOperation,
  type ReleaseInput,
  type ReleaseOperation,
  type ReleaseOperationRefusalCode,
  type ReleaseOperationResult,
} from './release-types.js';

type Refusal = { code: ReleaseOperationRefusalCode; message: string };

const refuse = (code: ReleaseOperationRefusalCode, message: string): Refusal => ({ code, message });

function findMember(draft: ReleaseDraft, cluster: string): { waveIndex: number; memberIndex: number } | undefined {
  for (const [waveIndex, wave] of draft.status.waves.entries()) {
    const memberIndex = wave.members.findIndex((member) => member.cluster === cluster);
    if (memberIndex >= 0) return { waveIndex, memberIndex };
  }
  return undefined;
}

/**
 * Retries a failed (or aborted) member: it goes back to Pending and is changed again in its turn, within the wave's
 * `maxParallel`; an aborted rollout already on the release's template is then retried where it stands.
 */
function retryMember(draft: ReleaseDraft, input: ReleaseInput, waveIndex: number, memberIndex: number): void {
  const wave = draft.wave(waveIndex);
  const member = wave.members[memberIndex];
  if (member === undefined) return;
  const observation = input.members[member.cluster] ?? ABSENT;
  const abortedOnTarget =
    observation.present && observation.aborted && member.targetHash !== null && observation.templateHash === member.targetHash;
  if (member.state !== 'Failed' && !(abortedOnTarget && member.state === 'Changing')) return;
  draft.updateMember(waveIndex, memberIndex, { state: 'Pending', message: 'retried: waiting for its turn' });
  draft.emit({
    type: 'MemberRetried',
    wave: wave.name,
    cluster: member.cluster,
    message: `${waveLabel(draft.status, waveIndex)}: ${member.cluster} retried, to be changed again in its turn`,
  });
}

/** The failed wave under way again: its failed and aborted members retried, its gates to be assessed afresh. */
function reopenWave(draft: ReleaseDraft, input: ReleaseInput, message: string): void {
  const index = draft.status.currentWave;
  draft.wave(index).members.forEach((_member, memberIndex) => retryMember(draft, input, index, memberIndex));
  draft.updateWave(index, {
    phase: 'Progressing',
    finishedAt: null,
    healthySince: null,
    gates: pendingGates(input.spec.waves[index]),
    // A failed or inconclusive analysis is not taken again: the retried wave runs a new one once it is healthy.
    ...(input.spec.waves[index]?.analysis
      ? { analysisAttempt: (draft.wave(index).analysisAttempt ?? 0) + 1, analysisInconclusive: false }
      : {}),
  });
  draft.update({ phase: 'Progressing', message: `${waveLabel(draft.status, index)} in progress` });
  draft.emit({
    type: 'ReleaseRetried',
    wave: draft.wave(index).name,
    message: `${waveLabel(draft.status, index)} under way again: ${message}`,
  });
}

/** Whether the Halted release's failed wave, the one under way, would have no failed member left without `cluster`. */
function haltedOnlyBy(draft: ReleaseDraft, waveIndex: number, cluster: string): boolean {
  return (
    draft.status.phase === 'Halted' &&
    waveIndex === draft.status.currentWave &&
    draft.wave(waveIndex).members.every((member) => member.cluster === cluster || member.state !== 'Failed')
  );
}

function abortChanging(draft: ReleaseDraft, input: ReleaseInput): void {
  for (const member of draft.status.waves[draft.status.currentWave]?.members ?? [])
    if (isAbortable(member, input.members[member.cluster] ?? ABSENT))
      draft.memberOperations.push({ cluster: member.cluster, operation: { type: 'abort' } });
}

/** Applies the operation to the draft, or says why not. */
function operate(draft: ReleaseDraft, input: ReleaseInput, operation: ReleaseOperation): Refusal | undefined {
  const { status } = draft;
  const current = status.waves[status.currentWave];
  switch (operation.type) {
    case 'pause':
      if (status.phase === 'Paused') return refuse('fleet/already_paused', 'the release is already paused');
      draft.update({ phase: 'Paused', pausedFrom: status.phase, message: `paused (was ${status.phase})` });
      draft.emit({ type: 'ReleasePaused', message: `release paused in ${waveLabel(status, status.currentWave)}` });
      return undefined;
    case 'resume':
      if (status.phase !== 'Paused') return refuse('fleet/not_paused', `the release is ${status.phase}, not paused`);
      draft.update({
        phase: status.pausedFrom ?? 'Progressing',
        pausedFrom: null,
        message: `resumed in ${waveLabel(status, status.currentWave)}`,
      });
      draft.emit({ type: 'ReleaseResumed', message: `release resumed in ${waveLabel(status, status.currentWave)}` });
      return undefined;
    case 'abort':
      if (operation.rollback) {
        const rollingBack = status.phase === 'RollingBack' || status.pausedFrom === 'RollingBack';
        if (!rollingBack) abortChanging(draft, input);
        if (rollingBack) draft.update({ phase: 'RollingBack', pausedFrom: null });
        else startRollback(draft, `aborted with rollback in ${waveLabel(status, status.currentWave)}`);
        return undefined;
      }
      abortChanging(draft, input);
      draft.update({
        phase: 'Aborted',
        pausedFrom: null,
        message: `aborted in ${waveLabel(status, status.currentWave)}`,
        finishedAt: draft.nowIso,
      });
      draft.emit({
        type: 'ReleaseAborted',
        message: `release aborted in ${waveLabel(status, status.currentWave)}: members keep the templates they have`,
      });
      return undefined;
    case 'approveWave': {
      if (operation.wave !== null && !status.waves.some((wave) => wave.name === operation.wave))
        return refuse('fleet/unknown_wave', `the release has no wave named "${operation.wave}"`);
      if (current === undefined || current.phase !== 'Progressing')
        return refuse('fleet/no_approval_pending', 'no wave of the release is under way');
      if (operation.wave !== null && operation.wave !== current.name)
        return refuse('fleet/no_approval_pending', `wave "${operation.wave}" is not the wave under way (${current.name})`);
      if (input.spec.waves[status.currentWave]?.approval !== 'manual')
        return refuse('fleet/no_approval_pending', `wave "${current.name}" has an automatic approval`);
      if (current.approval !== null)
        return refuse('fleet/no_approval_pending', `wave "${current.name}" was already approved by ${current.approval.by}`);
      draft.updateWave(status.currentWave, { approval: { by: operation.by, at: draft.nowIso, reason: operation.reason } });
      draft.emit({
        type: 'WaveApproved',
        wave: current.name,
        message: `${waveLabel(status, status.currentWave)} approved by ${operation.by}`,
      });
      return undefined;
    }
    case 'retry':
      if (status.phase !== 'Halted') return refuse('fleet/not_halted', `only a Halted release can be retried; this one is ${status.phase}`);
      reopenWave(draft, input, 'retried');
      return undefined;
    case 'promoteWave': {
      const waiting = (current?.members ?? []).filter((member) => {
        const observation: MemberObservation = input.members[member.cluster] ?? ABSENT;
        return member.state === 'Changing' && observation.present && observation.waitsAtPause;
      });
      if (current === undefined || waiting.length === 0)
        return refuse('fleet/nothing_to_promote', 'no changing member of the wave under way waits at a pause');
      draft.memberOperations.push(
        ...waiting.map((member): MemberOperation => ({ cluster: member.cluster, operation: { type: 'promote', full: false } })),
      );
      draft.emit({
        type: 'WavePromoted',
        wave: current.name,
        message: `${waveLabel(status, status.currentWave)}: promoted ${waiting.map((member) => member.cluster).join(', ')}`,
      });
      return undefined;
    }
    case 'skipMember': {
      const found = findMember(draft, operation.cluster);
      if (found === undefined) return refuse('fleet/unknown_member', `no member of the release runs in cluster "${operation.cluster}"`);
      const member = draft.wave(found.waveIndex).members[found.memberIndex];
      if (member === undefined) return refuse('fleet/unknown_member', `no member of the release runs in cluster "${operation.cluster}"`);
      if (['Released', 'RolledBack', 'Skipped'].includes(member.state))
        return refuse('fleet/member_finished', `${operation.cluster} is already ${member.state}`);
      const reopen = member.state === 'Failed' && haltedOnlyBy(draft, found.waveIndex, member.cluster);
      draft.updateMember(found.waveIndex, found.memberIndex, { state: 'Skipped', message: 'skipped by skipFleetMember' });
      draft.emit({
        type: 'MemberSkipped',
        wave: draft.wave(found.waveIndex).name,
        cluster: member.cluster,
        message: `${waveLabel(status, found.waveIndex)}: ${member.cluster} skipped`,
      });
      if (reopen) reopenWave(draft, input, `${member.cluster}, which halted it, was skipped`);
      return undefined;
    }
    case 'retryMember': {
      const found = findMember(draft, operation.cluster);
      if (found === undefined) return refuse('fleet/unknown_member', `no member of the release runs in cluster "${operation.cluster}"`);
      const member = draft.wave(found.waveIndex).members[found.memberIndex];
      if (member?.state !== 'Failed')
        return refuse('fleet/member_not_failed', `${operation.cluster} is ${member?.state ?? 'unknown'}, not Failed`);
      if (haltedOnlyBy(draft, found.waveIndex, member.cluster)) reopenWave(draft, input, `${member.cluster} retried`);
      else retryMember(draft, input, found.waveIndex, found.memberIndex);
      return undefined;
    }
  }
}

/**
 * What the rollout operations requested make of the members in the same transaction, for the decision that follows
 * the release operation: a retried rollout is no longer aborted and runs again, a promoted one no longer waits.
 */
function observedAfter(members: ReleaseInput['members'], operations: readonly MemberOperation[]): ReleaseInput['members'] {
  if (operations.length === 0) return members;
  const after = { ...members };
  for (const { cluster, operation } of operations) {
    const observation = after[cluster];
    if (!observation?.present) continue;
    if (operation.type === 'retry') after[cluster] = { ...observation, aborted: false, phase: 'Progressing' };
    else if (operation.type === 'promote') after[cluster] = { ...observation, waitsAtPause: false };
  }
  return after;
}

/**
 * Applies an operation people ask of a fleet release (pause, resume, abort with or without rollback, approveWave,
 * retry, promoteWave, skipMember, retryMember), then decides as `decideRelease` does in the same call, so that its
 * effects show at once (a retried member is changed again, an approved wave passes). Refusals carry a `fleet/…`
 * code and say why; a finished release refuses everything.
 *
 * @example applyReleaseOperation({ ...input, status: { ...status, phase: 'Halted' } }, { type: 'pause' })
 *   // → { ok: true, decision: { status: { phase: 'Paused', pausedFrom: 'Halted', … }, events: [{ type: 'ReleasePaused', … }], … } }
 * @example applyReleaseOperation(input, { type: 'resume' }) // → { ok: false, refusal: { code: 'fleet/not_paused', message: 'the release is Progressing, not paused' } }
 */
export function applyReleaseOperation(input: ReleaseInput, operation: ReleaseOperation): ReleaseOperationResult {
  if (!ACTIVE_RELEASE_PHASES.includes(input.status.phase))
    return { ok: false, refusal: refuse('fleet/release_finished', `the release is ${input.status.phase}: it takes no more operations`) };
  const draft = new ReleaseDraft(input.status, input.now);
  const refusal = operate(draft, input, operation);
  if (refusal) return { ok: false, refusal };
  const decision = decideRelease({ ...input, status: draft.status, members: observedAfter(input.members, draft.memberOperations) });
  return {
    ok: true,
    decision: {
      status: decision.status,
      memberChanges: [...draft.memberChanges, ...decision.memberChanges],
      memberOperations: [...draft.memberOperations, ...decision.memberOperations],
      events: [...draft.events, ...decision.events],
      analysisRunsToStart: decision.analysisRunsToStart,
      wakeAt: decision.wakeAt,
    },
  };
}

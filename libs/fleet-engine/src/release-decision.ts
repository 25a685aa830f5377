import type { PodTemplateSpec } from '@flotilla/argo-spec';
import { podTemplateHash, templateWithImage } from '@flotilla/rollout-engine';
import { ABSENT, isAbortable, ReleaseDraft, waveGateSpec, waveLabel } from './release-draft.js';
import { waveGateNames } from './release-start.js';
import type {
  FleetChange,
  GateName,
  GateStatus,
  MemberObservation,
  MemberStatus,
  ReleaseDecision,
  ReleaseInput,
  ReleaseStatus,
  WaveAnalysisRun,
} from './release-types.js';
import { assessWave, isReleased, type MemberStanding, type WaveAssessment, type WaveGateSpec } from './wave-gate.js';
import { membersAtOnce, membersToChange, type MemberProgress } from './wave-plan.js';

interface Failure {
  /** Null when no one member failed: the wave's pooled analysis did. */
  member: string | null;
  reason: string;
  /** The gate that failed; `healthy` unless said. */
  gate?: 'healthy' | 'analysis';
}

type WaveOutcome =
  | { kind: 'failed'; failure: Failure }
  | { kind: 'waiting'; wakeAt: Date | null }
  | { kind: 'inconclusive'; message: string }
  | { kind: 'passed' };

/** Where the wave's analysis stands once its members are released. */
type AnalysisGate =
  | { state: 'waiting'; message: string }
  | { state: 'passed'; message: string }
  | { state: 'inconclusive'; message: string }
  | { state: 'failed'; failure: Failure };

const templateHashes = new WeakMap<PodTemplateSpec, string>();

/** Hash of a template, remembered per template object: a whole-template release hashes its one template once. */
function hashOf(template: PodTemplateSpec): string {
  let hash = templateHashes.get(template);
  if (hash === undefined) {
    hash = podTemplateHash(template);
    templateHashes.set(template, hash);
  }
  return hash;
}

const observe = (input: ReleaseInput, cluster: string): MemberObservation => input.members[cluster] ?? ABSENT;

const dateOrNull = (iso: string | null | undefined): Date | null => (iso ? new Date(iso) : null);

const describeChange = (change: FleetChange): string =>
  change.type === 'image' ? `image ${change.container}=${change.image}` : "the release's pod template";

const listed = (names: readonly string[]): string =>
  names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;

function standingOf(member: MemberStatus, observation: MemberObservation): MemberStanding {
  if (!observation.present) return observation;
  const changed = member.state !== 'Pending';
  return {
    present: true,
    changed,
    onTarget: changed && observation.templateHash === member.targetHash,
    promoted: observation.reconciled && observation.fullyPromoted,
    phase: observation.phase,
    aborted: observation.aborted,
    disconnectedSince: observation.disconnectedSince,
  };
}

/** The first failure by member name, so that the failure named is the same on every call. */
function earliest(left: Failure | undefined, right: Failure | undefined): Failure | undefined {
  if (left === undefined || right === undefined) return left ?? right;
  return (right.member ?? '') < (left.member ?? '') ? right : left;
}

/** A Failed or Error run of the wave's current attempt, as a failure of the wave. */
function failedAnalysis(draft: ReleaseDraft, input: ReleaseInput, index: number): Failure | undefined {
  if (!input.spec.waves[index]?.analysis) return undefined;
  const wave = draft.wave(index);
  const attempt = wave.analysisAttempt ?? 0;
  const run = input.analysisRuns?.find(
    (candidate) =>
      candidate.wave === wave.name && candidate.attempt === attempt && (candidate.phase === 'Failed' || candidate.phase === 'Error'),
  );
  return run && analysisFailure(run);
}

function analysisFailure(run: WaveAnalysisRun): Failure {
  const why = `${runName(run)} ${run.phase}${run.message ? `: ${run.message}` : ''}`;
  return { member: run.cluster, reason: run.cluster === null ? why : `its ${why}`, gate: 'analysis' };
}

const runName = (run: { cluster: string | null }): string => (run.cluster === null ? 'pooled analysis' : `analysis of ${run.cluster}`);

/**
 * The analysis gate of a wave whose members are all released: asks for the runs that do not exist yet (one pooled
 * run across the released clusters, or one per cluster; none while paused), and judges those that do. Failed or
 * Error fails the wave; Inconclusive pauses the release for a person, and the resume that follows accepts it.
 */
function assessAnalysis(draft: ReleaseDraft, input: ReleaseInput, index: number, paused: boolean): AnalysisGate | undefined {
  const analysis = input.spec.waves[index]?.analysis;
  if (!analysis) return undefined;
  const wave = draft.wave(index);
  const attempt = wave.analysisAttempt ?? 0;
  const released = wave.members.filter((member) => member.state === 'Released').map((member) => member.cluster);
  if (released.length === 0) return { state: 'passed', message: 'no member to analyse: every one was passed over' };
  const wanted =
    analysis.pooled === true ? [{ cluster: null, clusters: released }] : released.map((cluster) => ({ cluster, clusters: [cluster] }));
  const found = (cluster: string | null): WaveAnalysisRun | undefined =>
    input.analysisRuns?.find((run) => run.wave === wave.name && run.cluster === cluster && run.attempt === attempt);
  const pending: string[] = [];
  let inconclusive: string | undefined;
  for (const { cluster, clusters } of wanted) {
    const run = found(cluster);
    if (run === undefined) {
      if (!paused) draft.analysisRunsToStart.push({ wave: wave.name, cluster, clusters, attempt });
      pending.push(runName({ cluster }));
    } else if (run.phase === 'Failed' || run.phase === 'Error') {
      return { state: 'failed', failure: analysisFailure(run) };
    } else if (run.phase === 'Inconclusive') {
      inconclusive ??= `${runName(run)} Inconclusive${run.message ? `: ${run.message}` : ''}`;
    } else if (run.phase !== 'Successful') {
      pending.push(runName(run));
    }
  }
  if (pending.length > 0) {
    const starting = paused && wanted.some(({ cluster }) => found(cluster) === undefined) ? '; runs start once the release is resumed' : '';
    return { state: 'waiting', message: `waiting for ${listed(pending)}${starting}` };
  }
  if (inconclusive === undefined)
    return {
      state: 'passed',
      message: `${wanted.length === 1 ? runName(wanted[0] as { cluster: string | null }) : 'every analysis'} Successful`,
    };
  if (wave.analysisInconclusive === true && !paused)
    return { state: 'passed', message: `${inconclusive}; accepted when the release was resumed` };
  return { state: 'inconclusive', message: `${inconclusive}: resume the release to accept it, or abort it` };
}

const RELEASED = "Healthy and fully promoted on the release's template";
const RELEASED_BEFORE = "was Healthy and fully promoted on the release's template";

/** Passed over when missing, Released once it runs the release's template to the end. */
function settleMembers(draft: ReleaseDraft, index: number, standings: Readonly<Record<string, MemberStanding>>): void {
  const label = waveLabel(draft.status, index);
  draft.wave(index).members.forEach((member, memberIndex) => {
    const standing = standings[member.cluster];
    if (standing === undefined) return;
    if (!standing.present) {
      draft.updateMember(index, memberIndex, {
        state: 'Skipped',
        message: 'the cluster has no such Rollout: passed over, as the wave allows',
      });
      draft.emit({
        type: 'MemberSkipped',
        wave: draft.wave(index).name,
        cluster: member.cluster,
        message: `${label}: ${member.cluster} has no such Rollout: passed over`,
      });
    } else if (member.state === 'Changing' && isReleased(standing)) {
      draft.updateMember(index, memberIndex, { state: 'Released', message: RELEASED });
      draft.emit({
        type: 'MemberReleased',
        wave: draft.wave(index).name,
        cluster: member.cluster,
        message: `${label}: ${member.cluster} released`,
      });
    } else if (member.state === 'Released') {
      // It stays Released, not Changing: the release changes nothing of it any more, and it takes no room in a batch.
      const message = isReleased(standing) ? RELEASED : `${RELEASED_BEFORE}; no longer Healthy and fully promoted: the soak waits for it`;
      if (member.message !== message) draft.updateMember(index, memberIndex, { message });
    }
  });
}

function targetTemplate(change: FleetChange, current: PodTemplateSpec): PodTemplateSpec | undefined {
  return change.type === 'template' ? change.template : templateWithImage(current, change.container, change.image);
}

/** Sets a Pending member on the release's template; a failure when its template has no such container. */
function changeMember(draft: ReleaseDraft, input: ReleaseInput, index: number, memberIndex: number): Failure | undefined {
  const wave = draft.wave(index);
  const member = wave.members[memberIndex];
  const observation = member && observe(input, member.cluster);
  // Missing members already failed the wave or were passed over.
  if (member === undefined || observation === undefined || !observation.present) return undefined;
  const target = targetTemplate(input.change, observation.template);
  if (target === undefined)
    return {
      member: member.cluster,
      reason: `its pod template has no container named "${input.change.type === 'image' ? input.change.container : ''}"`,
    };
  const targetHash = hashOf(target);
  const label = `${waveLabel(draft.status, index)}: ${member.cluster}`;
  const changing = { state: 'Changing', changedAt: draft.nowIso, targetHash } as const;
  if (targetHash === observation.templateHash) {
    // A member aborted on the release's template (and retried since) runs it again where it stands.
    if (observation.aborted) draft.memberOperations.push({ cluster: member.cluster, operation: { type: 'retry' } });
    const message = observation.aborted ? "its aborted rollout retried on the release's template" : "already runs the release's template";
    draft.updateMember(index, memberIndex, { ...changing, message });
    draft.emit({ type: 'MemberChanged', wave: wave.name, cluster: member.cluster, message: `${label}: ${message}` });
    return undefined;
  }
  const previous =
    member.previousTemplate === null ? { previousTemplate: observation.template, previousHash: observation.templateHash } : {};
  draft.updateMember(index, memberIndex, { ...changing, ...previous, message: `changed to ${describeChange(input.change)}` });
  draft.memberChanges.push({ cluster: member.cluster, template: target, purpose: 'release' });
  draft.emit({
    type: 'MemberChanged',
    wave: wave.name,
    cluster: member.cluster,
    message: `${label} changed to ${describeChange(input.change)}`,
  });
  return undefined;
}

/**
 * A Pending member a freeze holds back: not changed (unless it runs the release's template already, which starts no
 * new revision), and says which window holds it until when.
 */
function holdFrozenMember(draft: ReleaseDraft, input: ReleaseInput, index: number, memberIndex: number): boolean {
  const member = draft.wave(index).members[memberIndex];
  const observation = member && observe(input, member.cluster);
  if (member === undefined || observation === undefined || !observation.present || observation.frozen === null) return false;
  if (observation.frozen.until <= draft.now) return false;
  const target = targetTemplate(input.change, observation.template);
  if (target !== undefined && hashOf(target) === observation.templateHash) return false;
  const message = `held by freeze ${observation.frozen.window} until ${observation.frozen.until.toISOString()}`;
  if (member.message !== message) draft.updateMember(index, memberIndex, { message });
  draft.holdBy(observation.frozen);
  return true;
}

/** Changes the Pending members that fit beside those still changing, in name order; frozen ones wait and take no place. */
function changeNextBatch(draft: ReleaseDraft, input: ReleaseInput, index: number): Failure | undefined {
  const members = draft.wave(index).members;
  const progress: Record<string, MemberProgress> = {};
  const positions = new Map<string, number>();
  members.forEach((member, memberIndex) => {
    const held = member.state === 'Pending' && holdFrozenMember(draft, input, index, memberIndex);
    progress[member.cluster] = member.state === 'Pending' && !held ? 'pending' : member.state === 'Changing' ? 'changing' : 'settled';
    positions.set(member.cluster, memberIndex);
  });
  const atOnce = membersAtOnce(input.spec.waves[index]?.maxParallel, members.length);
  for (const cluster of membersToChange(progress, atOnce)) {
    const failure = changeMember(draft, input, index, positions.get(cluster) ?? -1);
    if (failure) return failure;
  }
  return undefined;
}

function gateMessage(
  gate: GateName,
  state: GateStatus['state'],
  assessment: WaveAssessment,
  spec: WaveGateSpec,
  approvedBy: string | undefined,
  analysis: AnalysisGate | undefined,
): string {
  const { verdict } = assessment;
  switch (gate) {
    case 'analysis':
      if (state === 'Pending' || analysis === undefined || analysis.state === 'failed') return 'runs once every member is released';
      return analysis.message;
    case 'healthy':
      return verdict.verdict === 'waiting' && verdict.gate === 'healthy'
        ? `waiting for ${listed(verdict.members)} to be Healthy and fully promoted on the release's template`
        : "every member Healthy and fully promoted on the release's template";
    case 'soak':
      if (state === 'Pending') return `${spec.soakSeconds} s once every member is released`;
      if (state === 'Waiting' && verdict.verdict === 'waiting' && verdict.gate === 'soak')
        return `soaking until ${verdict.until.toISOString()}`;
      return `${spec.soakSeconds} s without a break`;
    case 'approval':
      if (state === 'Passed') return `approved by ${approvedBy ?? 'someone'}`;
      return state === 'Waiting'
        ? 'waiting for approveWave'
        : approvedBy
          ? `approved early by ${approvedBy}`
          : 'approveWave once the soak is over';
  }
}

/** The gate the wave waits at, in its order of gates: the analysis after healthy; undefined once all passed. */
function gateReached(assessment: WaveAssessment, analysis: AnalysisGate | undefined): GateName | undefined {
  const { verdict } = assessment;
  if (verdict.verdict === 'waiting' && verdict.gate === 'healthy') return 'healthy';
  if (analysis !== undefined && analysis.state !== 'passed') return 'analysis';
  return verdict.verdict === 'waiting' ? verdict.gate : undefined;
}

/** The wave's gates as the assessment has them, each keeping its `since` while its state holds. */
function recordGates(
  draft: ReleaseDraft,
  input: ReleaseInput,
  index: number,
  assessment: WaveAssessment,
  spec: WaveGateSpec,
  analysis: AnalysisGate | undefined,
): void {
  const wave = draft.wave(index);
  const names = waveGateNames(input.spec.waves[index]);
  const waitingAt = gateReached(assessment, analysis);
  const reached = waitingAt === undefined ? names.length : names.indexOf(waitingAt);
  const soakUntil = assessment.healthySince && new Date(assessment.healthySince.getTime() + spec.soakSeconds * 1000).toISOString();
  const gates = names.map((gate, position): GateStatus => {
    const before = wave.gates.find((each) => each.gate === gate);
    const state = position < reached ? 'Passed' : position === reached ? 'Waiting' : 'Pending';
    if (state === 'Passed' && before?.state !== 'Passed')
      draft.emit({ type: 'GatePassed', wave: wave.name, gate, message: `${waveLabel(draft.status, index)}: gate ${gate} passed` });
    const message = gateMessage(gate, state, assessment, spec, wave.approval?.by, analysis);
    const heldBy = gate === 'healthy' && state === 'Waiting' ? draft.heldBy : null;
    return {
      gate,
      state,
      message: heldBy === null ? message : `held by freeze ${heldBy.window} until ${heldBy.until.toISOString()}; ${message}`,
      since: before?.state === state ? before.since : draft.nowIso,
      until: gate === 'soak' ? (soakUntil ?? null) : null,
    };
  });
  draft.updateWave(index, { gates, healthySince: assessment.healthySince?.toISOString() ?? null });
}

/**
 * One pass over the wave under way: failures first, then members' states, the next batch, the analysis once every
 * member is released, and the gates.
 */
function advanceWave(draft: ReleaseDraft, input: ReleaseInput, index: number, paused: boolean): WaveOutcome {
  const wave = draft.wave(index);
  const spec = waveGateSpec(input.spec, input.spec.waves[index]);
  const standings: Record<string, MemberStanding> = {};
  let recorded: Failure | undefined;
  for (const member of wave.members) {
    if (member.state === 'Failed') recorded ??= { member: member.cluster, reason: member.message };
    else if (member.state === 'Pending' || member.state === 'Changing' || member.state === 'Released')
      standings[member.cluster] = standingOf(member, observe(input, member.cluster));
  }
  const record = { healthySince: dateOrNull(wave.healthySince), approvedAt: dateOrNull(wave.approval?.at) };
  const assessment = assessWave(spec, standings, record, draft.now);
  const failure = earliest(recorded, assessment.verdict.verdict === 'failed' ? assessment.verdict : undefined);
  if (failure) return { kind: 'failed', failure: { member: failure.member, reason: failure.reason } };
  settleMembers(draft, index, standings);
  const batchFailure = paused ? undefined : changeNextBatch(draft, input, index);
  if (batchFailure) return { kind: 'failed', failure: batchFailure };
  const { verdict } = assessment;
  const healthy = verdict.verdict === 'passed' || (verdict.verdict === 'waiting' && verdict.gate !== 'healthy');
  // A run that already failed fails the wave even while a member is away again (its cluster lost, say): its verdict stands.
  const failedRun = healthy ? undefined : failedAnalysis(draft, input, index);
  if (failedRun) return { kind: 'failed', failure: failedRun };
  const analysis = healthy ? assessAnalysis(draft, input, index, paused) : undefined;
  // Recorded before a failed analysis too: the healthy gate did pass.
  recordGates(draft, input, index, assessment, spec, analysis);
  if (analysis?.state === 'failed') return { kind: 'failed', failure: analysis.failure };
  if (analysis?.state === 'inconclusive') return { kind: 'inconclusive', message: analysis.message };
  if (analysis?.state === 'waiting') return { kind: 'waiting', wakeAt: assessment.wakeAt };
  return verdict.verdict === 'passed' ? { kind: 'passed' } : { kind: 'waiting', wakeAt: assessment.wakeAt };
}

/** The wave's analysis came out Inconclusive: the release pauses until a person resumes (accepting it) or aborts. */
function pauseForAnalysis(draft: ReleaseDraft, index: number, message: string): void {
  const label = waveLabel(draft.status, index);
  draft.updateWave(index, { analysisInconclusive: true });
  draft.update({ phase: 'Paused', pausedFrom: 'Progressing', message: `paused: ${label}: ${message}` });
  draft.emit({ type: 'ReleasePaused', wave: draft.wave(index).name, gate: 'analysis', message: `release paused: ${label}: ${message}` });
}

function succeed(draft: ReleaseDraft): void {
  draft.update({ phase: 'Succeeded', message: 'every wave passed its gates', finishedAt: draft.nowIso });
  draft.emit({ type: 'ReleaseSucceeded', message: `release succeeded: all ${draft.status.waves.length} waves passed their gates` });
}

/** Starts the next wave in the same decision; after the last one, `progress` finds no wave left and ends the release. */
function passWave(draft: ReleaseDraft, index: number): void {
  draft.updateWave(index, { phase: 'Passed', finishedAt: draft.nowIso });
  draft.emit({ type: 'WavePassed', wave: draft.wave(index).name, message: `${waveLabel(draft.status, index)} passed its gates` });
  const next = index + 1;
  draft.update({ currentWave: next });
  if (next >= draft.status.waves.length) return;
  draft.updateWave(next, { phase: 'Progressing', startedAt: draft.nowIso });
  draft.update({ message: `${waveLabel(draft.status, next)} in progress` });
  draft.emit({ type: 'WaveStarted', wave: draft.wave(next).name, message: `${waveLabel(draft.status, next)} started` });
}

/**
 * Marks the member and its wave failed and applies the FleetRollout's failure policy; answers when to decide again
 * (a rollbackAll's member on a disconnected cluster), or null.
 */
export function failWave(draft: ReleaseDraft, input: ReleaseInput, index: number, failure: Failure): Date | null {
  const policy = input.spec.failurePolicy ?? 'halt';
  const wave = draft.wave(index);
  const label = waveLabel(draft.status, index);
  if (policy !== 'halt')
    for (const member of wave.members)
      if (isAbortable(member, observe(input, member.cluster)))
        draft.memberOperations.push({ cluster: member.cluster, operation: { type: 'abort' } });
  const memberIndex = wave.members.findIndex((member) => member.cluster === failure.member);
  if (failure.member !== null && wave.members[memberIndex]?.state !== 'Failed') {
    draft.updateMember(index, memberIndex, { state: 'Failed', message: failure.reason });
    draft.emit({
      type: 'MemberFailed',
      wave: wave.name,
      cluster: failure.member,
      message: `${label}: ${failure.member} failed: ${failure.reason}`,
    });
  }
  const failedGate = failure.gate ?? 'healthy';
  const who = failure.member === null ? '' : `${failure.member}: `;
  const gates = draft.wave(index).gates.map((gate): GateStatus => {
    if (gate.gate === failedGate) return { ...gate, state: 'Failed', message: `${who}${failure.reason}`, since: draft.nowIso, until: null };
    // Gates before the one that failed keep having passed.
    if (gate.state === 'Passed' && failedGate === 'analysis' && gate.gate === 'healthy') return gate;
    return { ...gate, state: 'Pending', until: null, since: gate.state === 'Pending' ? gate.since : draft.nowIso };
  });
  draft.updateWave(index, { phase: 'Failed', finishedAt: draft.nowIso, healthySince: null, gates });
  draft.emit({
    type: 'GateFailed',
    wave: wave.name,
    gate: failedGate,
    message: `${label}: gate ${failedGate} failed: ${failure.member === null ? '' : `${failure.member} `}${failure.reason}`,
  });
  draft.emit({
    type: 'WaveFailed',
    wave: wave.name,
    ...(failure.member === null ? {} : { cluster: failure.member }),
    message: `${label} failed: ${who}${failure.reason}`,
  });
  const why = `${label} failed: ${who}${failure.reason}`;
  if (policy === 'rollbackAll') {
    startRollback(draft, `failure policy rollbackAll: ${why}`);
    return rollBack(draft, input, false);
  }
  const aborted = policy === 'rollbackWave' ? "; the wave's changing members were aborted" : '';
  draft.update({ phase: 'Halted', pausedFrom: null, message: `halted: ${why}${aborted}` });
  draft.emit({
    type: 'ReleaseHalted',
    wave: wave.name,
    ...(failure.member === null ? {} : { cluster: failure.member }),
    message: `release halted: ${why}${aborted}`,
  });
  return null;
}

/**
 * A member to set back: one this release changed, or one a release it superseded changed and this one has not
 * reached yet (its `previousTemplate` came over); skipped or not, since skipping a member does not undo its change.
 */
const isToRollBack = (member: MemberStatus): boolean =>
  member.previousTemplate !== null && ['Pending', 'Changing', 'Released', 'Failed', 'Skipped'].includes(member.state);

/** A member the rollback set back that did not get there: its cluster stayed disconnected past the timeout. */
const isNotRestored = (member: MemberStatus): boolean => member.state === 'Failed' && member.previousTemplate !== null;

/**
 * Turns the release to rolling back, from the wave under way, or from a later wave that a superseded release had
 * already reached: `rollBack` then goes wave by wave down to the first.
 */
export function startRollback(draft: ReleaseDraft, cause: string): void {
  const lastChanged = draft.status.waves.findLastIndex((wave) => wave.members.some(isToRollBack));
  const message = `rolling back every changed member, wave by wave (${cause})`;
  draft.update({
    phase: 'RollingBack',
    pausedFrom: null,
    message,
    rollbackCause: cause,
    currentWave: Math.max(draft.status.currentWave, lastChanged),
  });
  draft.emit({ type: 'RollbackStarted', message });
}

/** Sets every member of the wave the release changed back to the template it had before the release. */
function startWaveRollback(draft: ReleaseDraft, input: ReleaseInput, index: number): void {
  const wave = draft.wave(index);
  const label = waveLabel(draft.status, index);
  draft.updateWave(index, { phase: 'RollingBack' });
  wave.members.forEach((member, memberIndex) => {
    if (!isToRollBack(member) || member.previousTemplate === null) return;
    const observation = observe(input, member.cluster);
    if (observation.present && observation.templateHash !== member.previousHash)
      draft.memberChanges.push({ cluster: member.cluster, template: member.previousTemplate, purpose: 'rollback' });
    draft.updateMember(index, memberIndex, { state: 'RollingBack', message: 'set back to its template from before the release' });
    draft.emit({
      type: 'MemberChanged',
      wave: wave.name,
      cluster: member.cluster,
      message: `${label}: ${member.cluster} set back to its template from before the release`,
    });
  });
}

/** When a member not back yet stops being waited for: its cluster's disconnection deadline; null while connected. */
function rollbackDeadline(observation: MemberObservation, disconnectedTimeoutSeconds: number): Date | null {
  if (!observation.present || observation.disconnectedSince === null) return null;
  return new Date(observation.disconnectedSince.getTime() + disconnectedTimeoutSeconds * 1000);
}

/** A member set back whose cluster stayed disconnected past the timeout: failed, its Rollout left as it is. */
function failUnreachable(draft: ReleaseDraft, index: number, memberIndex: number, disconnectedTimeoutSeconds: number): void {
  const member = draft.wave(index).members[memberIndex];
  if (member === undefined) return;
  const reason = `its cluster has been disconnected for more than ${disconnectedTimeoutSeconds} s: set back, but not seen running its template from before the release`;
  draft.updateMember(index, memberIndex, { state: 'Failed', message: reason });
  draft.emit({
    type: 'MemberFailed',
    wave: draft.wave(index).name,
    cluster: member.cluster,
    message: `${waveLabel(draft.status, index)}: ${member.cluster} ${reason}`,
  });
}

/**
 * Rolled back once Healthy and fully promoted on its previous template, or gone; failed once its cluster has been
 * disconnected past the wave's timeout, as going forward. Answers whether none of the wave is left, and when the
 * first disconnected member's deadline comes. A member back on its previous template is promoted fully, once: the
 * revision it returns to was running before the release, and a rollback must not wait at its steps' pauses or analyses.
 */
function settleWaveRollback(draft: ReleaseDraft, input: ReleaseInput, index: number): { done: boolean; wakeAt: Date | null } {
  const label = waveLabel(draft.status, index);
  const { disconnectedTimeoutSeconds } = waveGateSpec(input.spec, input.spec.waves[index]);
  let rollingBack = 0;
  let wakeAt: Date | null = null;
  draft.wave(index).members.forEach((member, memberIndex) => {
    if (member.state !== 'RollingBack') return;
    const observation = observe(input, member.cluster);
    const onPrevious = observation.present && observation.templateHash === member.previousHash && observation.reconciled;
    const back = !observation.present || (onPrevious && observation.fullyPromoted && observation.phase === 'Healthy');
    if (!back) {
      const deadline = rollbackDeadline(observation, disconnectedTimeoutSeconds);
      if (deadline !== null && deadline <= draft.now) return failUnreachable(draft, index, memberIndex, disconnectedTimeoutSeconds);
      rollingBack += 1;
      if (deadline !== null && (wakeAt === null || deadline < wakeAt)) wakeAt = deadline;
      if (onPrevious && !observation.fullyPromoted && member.rollbackPromoted !== true) {
        draft.memberOperations.push({ cluster: member.cluster, operation: { type: 'promote', full: true } });
        draft.updateMember(index, memberIndex, { rollbackPromoted: true });
      }
      return;
    }
    draft.updateMember(index, memberIndex, {
      state: 'RolledBack',
      message: observation.present ? 'back on its template from before the release' : 'the cluster has no such Rollout any more',
    });
    draft.emit({
      type: 'MemberRolledBack',
      wave: draft.wave(index).name,
      cluster: member.cluster,
      message: `${label}: ${member.cluster} rolled back`,
    });
  });
  return { done: rollingBack === 0, wakeAt };
}

/**
 * Rolls waves back one at a time, from the wave under way to the first; a paused rollback starts no new wave. Answers
 * when to decide again with no member changing: the deadline of a member's disconnected cluster.
 */
function rollBack(draft: ReleaseDraft, input: ReleaseInput, paused: boolean): Date | null {
  for (;;) {
    const index = Math.min(draft.status.currentWave, draft.status.waves.length - 1);
    if (index < 0) return finishRollback(draft);
    if (index !== draft.status.currentWave) draft.update({ currentWave: index });
    const phase = draft.wave(index).phase;
    if (phase !== 'RollingBack' && phase !== 'RolledBack') {
      if (paused) return null;
      startWaveRollback(draft, input, index);
    }
    const { done, wakeAt } = settleWaveRollback(draft, input, index);
    if (!done) return wakeAt;
    if (phase !== 'RolledBack') draft.updateWave(index, { phase: 'RolledBack', finishedAt: draft.nowIso });
    if (index === 0) return finishRollback(draft);
    draft.update({ currentWave: index - 1 });
  }
}

/** Ends the release RolledBack; its message names the members left as they were, their clusters lost past the timeout. */
function finishRollback(draft: ReleaseDraft): null {
  const cause = draft.status.rollbackCause === undefined ? '' : ` (${draft.status.rollbackCause})`;
  const notRestored = draft.status.waves.flatMap((wave) => wave.members.filter(isNotRestored).map((member) => member.cluster));
  const message =
    notRestored.length === 0
      ? `rolled back: every member the release changed runs its template from before the release${cause}`
      : `rolled back, except ${listed(notRestored)}: set back, but their clusters stayed disconnected past the timeout${cause}`;
  draft.update({ phase: 'RolledBack', pausedFrom: null, message, finishedAt: draft.nowIso });
  draft.emit({ type: 'ReleaseRolledBack', message });
  return null;
}

function progress(draft: ReleaseDraft, input: ReleaseInput, paused: boolean): ReleaseDecision {
  for (;;) {
    const index = draft.status.currentWave;
    if (index >= draft.status.waves.length) {
      if (!paused) succeed(draft);
      return draft.decision(null);
    }
    const outcome = advanceWave(draft, input, index, paused);
    if (outcome.kind === 'failed') return draft.decision(failWave(draft, input, index, outcome.failure));
    if (outcome.kind === 'waiting') return draft.decision(outcome.wakeAt);
    if (outcome.kind === 'inconclusive') {
      if (!paused) pauseForAnalysis(draft, index, outcome.message);
      return draft.decision(null);
    }
    if (paused) return draft.decision(null);
    passWave(draft, index);
  }
}

const unchanged = (status: ReleaseStatus): ReleaseDecision => ({
  status,
  memberChanges: [],
  memberOperations: [],
  events: [],
  analysisRunsToStart: [],
  wakeAt: null,
});

/**
 * The reconcile step of a fleet release: from its status, its members' Rollouts as observed and the clock, the next
 * status, the member templates to write and rollout operations to request (in the same transaction), the events,
 * and when to decide again if nothing changes. In the wave under way, Pending members change in `maxParallel`
 * batches, changing members become Released once Healthy and fully promoted on the release's template, and the
 * gates (healthy, soak, approval) pass in order; a passed wave starts the next one in the same decision. A failure
 * applies the failure policy (halt, rollbackWave, rollbackAll). Paused: members changing keep running, nothing new
 * starts. Halted and finished releases change nothing. Pure: never reads the clock, never modifies its input.
 * Shells apply `memberOperations` before `memberChanges`: a rollback aborts a member, then sets its template back.
 *
 * @example decideRelease({ spec, change: { type: 'image', container: 'app', image: 'shop/app:2' }, status: startRelease({ spec, clusters, now }).status, members, now })
 *   // → the first wave's first batch in memberChanges (purpose 'release'), those members Changing, events MemberChanged
 */
export function decideRelease(input: ReleaseInput): ReleaseDecision {
  const { status, now } = input;
  const rollingBack = status.phase === 'RollingBack' || (status.phase === 'Paused' && status.pausedFrom === 'RollingBack');
  if (rollingBack) {
    const draft = new ReleaseDraft(status, now);
    return draft.decision(rollBack(draft, input, status.phase === 'Paused'));
  }
  if (status.phase === 'Progressing') return progress(new ReleaseDraft(status, now), input, false);
  if (status.phase === 'Paused' && status.pausedFrom !== 'Halted') return progress(new ReleaseDraft(status, now), input, true);
  return unchanged(status);
}

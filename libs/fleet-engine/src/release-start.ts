import {
  ACTIVE_RELEASE_PHASES,
  type GateStatus,
  type MemberStatus,
  type ReleaseEvent,
  type ReleaseStatus,
  type StartReleaseInput,
  type WaveStatus,
} from './release-types.js';
import type { FleetWaveSpec } from './fleet-rollout-spec.js';
import { waveLabel } from './release-draft.js';
import { planWaves } from './wave-plan.js';

/**
 * The gates of a wave that has not started: healthy, analysis when the wave names some, soak, and approval when the
 * wave asks for one.
 * @example pendingGates({ name: 'eu', approval: 'manual' }).map((gate) => gate.gate) // ['healthy', 'soak', 'approval']
 */
export function pendingGates(wave: Pick<FleetWaveSpec, 'approval' | 'analysis'> | undefined): GateStatus[] {
  const gate = (name: GateStatus['gate']): GateStatus => ({
    gate: name,
    state: 'Pending',
    message: 'the wave has not started',
    since: null,
    until: null,
  });
  return waveGateNames(wave).map(gate);
}

/** The gates a wave of this spec has, in the order they pass. */
export function waveGateNames(wave: Pick<FleetWaveSpec, 'approval' | 'analysis'> | undefined): GateStatus['gate'][] {
  return [
    'healthy',
    ...(wave?.analysis ? (['analysis'] as const) : []),
    'soak',
    ...(wave?.approval === 'manual' ? (['approval'] as const) : []),
  ];
}

/** What a member of the superseded release keeps in the new one: the template it had before the chain changed it. */
function carriedOver(superseded: ReleaseStatus | undefined): Map<string, Pick<MemberStatus, 'previousTemplate' | 'previousHash'>> {
  const carried = new Map<string, Pick<MemberStatus, 'previousTemplate' | 'previousHash'>>();
  for (const member of superseded?.waves.flatMap((wave) => wave.members) ?? [])
    if (member.previousTemplate !== null)
      carried.set(member.cluster, { previousTemplate: member.previousTemplate, previousHash: member.previousHash });
  return carried;
}

/**
 * The status a fleet release starts from: its waves planned over `clusters` and frozen, the first wave under way,
 * every member Pending. A member the superseded release had changed keeps the template it had before that release
 * (or the first of its chain) changed it, so that a rollback restores what ran before the whole chain. The first
 * `decideRelease` changes the first batch.
 *
 * @example startRelease({ spec: { rollout, waves: [{ name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } }, { name: 'rest' }] },
 *   clusters: [{ name: 'eu', labels: { env: 'prod' } }, { name: 'stg', labels: { env: 'staging' } }], now })
 *   // status: { phase: 'Progressing', currentWave: 0, waves: [{ name: 'staging', phase: 'Progressing', members: [{ cluster: 'stg', state: 'Pending', … }] },
 *   //   { name: 'rest', phase: 'Pending', members: [{ cluster: 'eu', … }] }] }; events: ReleaseStarted, WaveStarted
 */
export function startRelease(input: StartReleaseInput): { status: ReleaseStatus; events: ReleaseEvent[] } {
  const { spec, now } = input;
  const nowIso = now.toISOString();
  const plan = planWaves({ clusterSelector: spec.clusterSelector, waves: spec.waves }, input.clusters);
  const carried = carriedOver(input.superseded);
  const waves = plan.waves.map((planned, index): WaveStatus => ({
    name: planned.wave,
    phase: index === 0 ? 'Progressing' : 'Pending',
    startedAt: index === 0 ? nowIso : null,
    finishedAt: null,
    healthySince: null,
    approval: null,
    gates: pendingGates(spec.waves[index]),
    members: planned.clusters.map((cluster) => ({
      cluster,
      state: 'Pending',
      message: 'waiting for its turn',
      changedAt: null,
      targetHash: null,
      previousTemplate: carried.get(cluster)?.previousTemplate ?? null,
      previousHash: carried.get(cluster)?.previousHash ?? null,
    })),
  }));
  const status: ReleaseStatus = {
    phase: 'Progressing',
    message: '',
    currentWave: 0,
    waves,
    unassigned: plan.unassigned,
    pausedFrom: null,
    startedAt: nowIso,
    finishedAt: null,
  };
  const memberCount = waves.reduce((sum, wave) => sum + wave.members.length, 0);
  const started = `release started over ${memberCount} cluster${memberCount === 1 ? '' : 's'} in ${waves.length} wave${waves.length === 1 ? '' : 's'}`;
  const events: ReleaseEvent[] = [
    { type: 'ReleaseStarted', message: input.superseded ? `${started}, superseding the active release` : started },
  ];
  if (waves[0] !== undefined) {
    status.message = `${waveLabel(status, 0)} in progress`;
    events.push({ type: 'WaveStarted', wave: waves[0].name, message: `${waveLabel(status, 0)} started` });
  }
  return { status, events };
}

/**
 * Ends an active release that a newer one replaces; a finished release stays as it is.
 *
 * @example supersedeRelease(progressingStatus, now)
 *   // { status: { ...progressingStatus, phase: 'Superseded', finishedAt: now, pausedFrom: null, … }, events: [{ type: 'ReleaseSuperseded', … }] }
 */
export function supersedeRelease(status: ReleaseStatus, now: Date): { status: ReleaseStatus; events: ReleaseEvent[] } {
  if (!ACTIVE_RELEASE_PHASES.includes(status.phase)) return { status, events: [] };
  const message = 'superseded by a newer release of the fleet';
  return {
    status: { ...status, phase: 'Superseded', message, pausedFrom: null, finishedAt: now.toISOString() },
    events: [{ type: 'ReleaseSuperseded', message: `${message} (it was ${status.phase} in ${waveLabel(status, status.currentWave)})` }],
  };
}

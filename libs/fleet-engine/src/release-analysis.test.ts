import { podTemplateHash } from '@flotilla/rollout-engine';
import { describe, expect, it } from 'vitest';
import type { FleetRolloutSpec, FleetWaveSpec } from './fleet-rollout-spec.js';
import { decideRelease } from './release-decision.js';
import { applyReleaseOperation } from './release-operations.js';
import { startRelease } from './release-start.js';
import type {
  GateState,
  MemberObservation,
  MemberStatus,
  ReleaseDecision,
  ReleaseInput,
  ReleasePhase,
  WaveAnalysisPhase,
  WaveAnalysisRun,
  WaveStatus,
} from './release-types.js';
import { appTemplate, START } from './testing/fleet-simulation.js';

const before = appTemplate('shop/app:1');
const target = appTemplate('shop/app:2');
const targetHash = podTemplateHash(target);

const released: Extract<MemberObservation, { present: true }> = {
  present: true,
  template: target,
  templateHash: targetHash,
  phase: 'Healthy',
  reconciled: true,
  fullyPromoted: true,
  aborted: false,
  waitsAtPause: false,
  disconnectedSince: null,
  frozen: null,
};
const underWay: MemberObservation = { ...released, phase: 'Progressing', fullyPromoted: false };
const notChanged: MemberObservation = { ...released, template: before, templateHash: podTemplateHash(before) };

const POOLED: FleetWaveSpec['analysis'] = { templates: [{ templateName: 'error-rate', clusterScope: true }], pooled: true };
const EACH_OWN: FleetWaveSpec['analysis'] = { templates: [{ templateName: 'error-rate', clusterScope: true }] };
const CLUSTERS = ['ap', 'eu', 'sa', 'us'];

/** A first wave of four clusters, all changed at START, with this analysis, then a second wave `rest`. */
function wave(
  analysis: FleetWaveSpec['analysis'],
  runs: readonly WaveAnalysisRun[] = [],
  extra: Partial<FleetRolloutSpec> = {},
): ReleaseInput {
  const spec: FleetRolloutSpec = {
    rollout: { namespace: 'shop', name: 'checkout' },
    waves: [
      { name: 'first-production', clusterSelector: { matchLabels: { env: 'prod' } }, ...(analysis ? { analysis } : {}) },
      { name: 'rest' },
    ],
    ...extra,
  };
  const { status } = startRelease({
    spec,
    clusters: [...CLUSTERS.map((name) => ({ name, labels: { env: 'prod' } })), { name: 'zz', labels: {} }],
    now: START,
  });
  const changed = (member: MemberStatus): MemberStatus => ({
    ...member,
    state: 'Changing',
    changedAt: START.toISOString(),
    targetHash,
    previousTemplate: before,
    previousHash: podTemplateHash(before),
  });
  const first = status.waves[0] as WaveStatus;
  return {
    spec,
    change: { type: 'image', container: 'app', image: 'shop/app:2' },
    status: { ...status, waves: status.waves.with(0, { ...first, members: first.members.map(changed) }) },
    members: {
      ...Object.fromEntries(CLUSTERS.map((cluster) => [cluster, released])),
      zz: notChanged,
    },
    analysisRuns: runs,
    now: START,
  };
}

const pooledRun = (phase: WaveAnalysisPhase, message = '', attempt = 0): WaveAnalysisRun => ({
  wave: 'first-production',
  cluster: null,
  attempt,
  phase,
  message,
});
const ownRun = (cluster: string, phase: WaveAnalysisPhase, message = ''): WaveAnalysisRun => ({
  wave: 'first-production',
  cluster,
  attempt: 0,
  phase,
  message,
});

const gatesOf = (decision: ReleaseDecision): Array<[string, GateState]> =>
  (decision.status.waves[0]?.gates ?? []).map((gate) => [gate.gate, gate.state]);

describe('decideRelease: the analysis gate of a wave', () => {
  it.each<[string, ReleaseInput, Array<[string, GateState]>, ReleasePhase, number]>([
    [
      'members still under way: no analysis yet',
      { ...wave(POOLED), members: { ...wave(POOLED).members, sa: underWay } },
      [
        ['healthy', 'Waiting'],
        ['analysis', 'Pending'],
        ['soak', 'Pending'],
      ],
      'Progressing',
      0,
    ],
    [
      'every member released: the pooled run is asked for',
      wave(POOLED),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Waiting'],
        ['soak', 'Pending'],
      ],
      'Progressing',
      0,
    ],
    [
      'the pooled run running',
      wave(POOLED, [pooledRun('Running')]),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Waiting'],
        ['soak', 'Pending'],
      ],
      'Progressing',
      0,
    ],
    [
      'the pooled run Successful: the wave passes',
      wave(POOLED, [pooledRun('Successful')]),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Passed'],
        ['soak', 'Passed'],
      ],
      'Progressing',
      1,
    ],
    [
      'the pooled run Failed',
      wave(POOLED, [pooledRun('Failed', 'metric "error-rate" assessed Failed')]),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Failed'],
        ['soak', 'Pending'],
      ],
      'Halted',
      0,
    ],
    [
      'the pooled run Error',
      wave(POOLED, [pooledRun('Error', 'no answer from cluster sa in time')]),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Failed'],
        ['soak', 'Pending'],
      ],
      'Halted',
      0,
    ],
    [
      'the pooled run Inconclusive',
      wave(POOLED, [pooledRun('Inconclusive')]),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Waiting'],
        ['soak', 'Pending'],
      ],
      'Paused',
      0,
    ],
    [
      'a run of an earlier attempt does not count',
      wave(POOLED, [pooledRun('Failed', '', 1)]),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Waiting'],
        ['soak', 'Pending'],
      ],
      'Progressing',
      0,
    ],
    [
      'each cluster its own run, all Successful',
      wave(
        EACH_OWN,
        CLUSTERS.map((cluster) => ownRun(cluster, 'Successful')),
      ),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Passed'],
        ['soak', 'Passed'],
      ],
      'Progressing',
      1,
    ],
    [
      'each cluster its own run, one Failed',
      wave(
        EACH_OWN,
        CLUSTERS.map((cluster) => ownRun(cluster, cluster === 'sa' ? 'Failed' : 'Successful')),
      ),
      [
        ['healthy', 'Passed'],
        ['analysis', 'Failed'],
        ['soak', 'Pending'],
      ],
      'Halted',
      0,
    ],
  ])('%s', (_case, input, gates, phase, currentWave) => {
    const decision = decideRelease(input);
    expect(gatesOf(decision)).toEqual(gates);
    expect(decision.status.phase).toBe(phase);
    expect(decision.status.currentWave).toBe(currentWave);
  });

  it('asks for one pooled run over the released clusters, and again only while it does not exist', () => {
    expect(decideRelease(wave(POOLED)).analysisRunsToStart).toEqual([
      { wave: 'first-production', cluster: null, clusters: CLUSTERS, attempt: 0 },
    ]);
    expect(decideRelease(wave(POOLED, [pooledRun('Running')])).analysisRunsToStart).toEqual([]);
  });

  it('asks for a run per cluster when not pooled', () => {
    expect(decideRelease(wave(EACH_OWN, [ownRun('eu', 'Running')])).analysisRunsToStart).toEqual(
      ['ap', 'sa', 'us'].map((cluster) => ({ wave: 'first-production', cluster, clusters: [cluster], attempt: 0 })),
    );
  });

  it('leaves out members passed over', () => {
    const input = wave(POOLED);
    const first = input.status.waves[0] as WaveStatus;
    const skipped = first.members.map((member) => (member.cluster === 'ap' ? { ...member, state: 'Skipped' as const } : member));
    const decision = decideRelease({
      ...input,
      status: { ...input.status, waves: input.status.waves.with(0, { ...first, members: skipped }) },
    });
    expect(decision.analysisRunsToStart).toEqual([{ wave: 'first-production', cluster: null, clusters: ['eu', 'sa', 'us'], attempt: 0 }]);
  });

  it('a failed pooled run halts the release without failing a member, naming why', () => {
    const decision = decideRelease(wave(POOLED, [pooledRun('Error', 'no answer from cluster sa in time')]));
    expect(decision.status.message).toBe(
      'halted: wave 1/2 first-production failed: pooled analysis Error: no answer from cluster sa in time',
    );
    expect(decision.status.waves[0]?.members.map((member) => member.state)).toEqual(['Released', 'Released', 'Released', 'Released']);
    expect(decision.events.map((event) => [event.type, event.gate ?? null])).toEqual([
      ['MemberReleased', null],
      ['MemberReleased', null],
      ['MemberReleased', null],
      ['MemberReleased', null],
      ['GatePassed', 'healthy'],
      ['GateFailed', 'analysis'],
      ['WaveFailed', null],
      ['ReleaseHalted', null],
    ]);
  });

  it('a failed run of one cluster fails that member', () => {
    const decision = decideRelease(
      wave(
        EACH_OWN,
        CLUSTERS.map((cluster) => ownRun(cluster, cluster === 'sa' ? 'Failed' : 'Successful', 'too many errors')),
      ),
    );
    expect(decision.status.waves[0]?.members.find((member) => member.cluster === 'sa')).toMatchObject({
      state: 'Failed',
      message: 'its analysis of sa Failed: too many errors',
    });
  });

  it('a failed run fails the wave even once a member is away again', () => {
    const input = wave(POOLED, [pooledRun('Error', 'no answer from cluster sa in time')]);
    const away = { ...released, disconnectedSince: new Date(START.getTime() - 1_000) };
    const decision = decideRelease({ ...input, members: { ...input.members, sa: away } });
    expect(decision.status.phase).toBe('Halted');
    expect(gatesOf(decision)).toEqual([
      ['healthy', 'Pending'],
      ['analysis', 'Failed'],
      ['soak', 'Pending'],
    ]);
  });

  it('the failure policy applies: rollbackAll sets the wave back', () => {
    const decision = decideRelease(wave(POOLED, [pooledRun('Failed')], { failurePolicy: 'rollbackAll' }));
    expect(decision.status.phase).toBe('RollingBack');
    expect(decision.memberChanges.map((change) => [change.cluster, change.purpose])).toEqual(
      CLUSTERS.map((cluster) => [cluster, 'rollback']),
    );
  });

  it('Inconclusive pauses the release for a person; resuming accepts it and the next wave starts', () => {
    const input = wave(POOLED, [pooledRun('Inconclusive', 'metric "error-rate" assessed Inconclusive')]);
    const paused = decideRelease(input);
    expect(paused.status).toMatchObject({
      phase: 'Paused',
      pausedFrom: 'Progressing',
      message:
        'paused: wave 1/2 first-production: pooled analysis Inconclusive: metric "error-rate" assessed Inconclusive: resume the release to accept it, or abort it',
    });
    expect(paused.events.at(-1)).toMatchObject({ type: 'ReleasePaused', gate: 'analysis' });
    expect(decideRelease({ ...input, status: paused.status }).events).toEqual([]);
    const resumed = applyReleaseOperation({ ...input, status: paused.status }, { type: 'resume' });
    expect(resumed.ok && resumed.decision.status).toMatchObject({ phase: 'Progressing', currentWave: 1 });
    expect(resumed.ok && resumed.decision.status.waves[0]?.gates.find((gate) => gate.gate === 'analysis')?.message).toBe(
      'pooled analysis Inconclusive: metric "error-rate" assessed Inconclusive; accepted when the release was resumed',
    );
  });

  it('a release a person paused starts no analysis until resumed', () => {
    const input = wave(POOLED);
    const decision = decideRelease({ ...input, status: { ...input.status, phase: 'Paused', pausedFrom: 'Progressing' } });
    expect(decision.analysisRunsToStart).toEqual([]);
    expect(decision.status.waves[0]?.gates.find((gate) => gate.gate === 'analysis')?.message).toBe(
      'waiting for pooled analysis; runs start once the release is resumed',
    );
  });

  it('retrying a release halted by its analysis asks for a new attempt', () => {
    const input = wave(POOLED, [pooledRun('Failed')]);
    const halted = decideRelease(input);
    const retried = applyReleaseOperation({ ...input, status: halted.status }, { type: 'retry' });
    expect(retried.ok && retried.decision.status.phase).toBe('Progressing');
    expect(retried.ok && retried.decision.analysisRunsToStart).toEqual([
      { wave: 'first-production', cluster: null, clusters: CLUSTERS, attempt: 1 },
    ]);
  });

  it('a wave without analysis has no analysis gate and asks for no run', () => {
    const decision = decideRelease(wave(undefined));
    expect(gatesOf(decision)).toEqual([
      ['healthy', 'Passed'],
      ['soak', 'Passed'],
    ]);
    expect(decision.analysisRunsToStart).toEqual([]);
  });
});

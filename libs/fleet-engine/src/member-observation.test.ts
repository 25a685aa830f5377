import { initialStatus, podTemplateHash, type RolloutStatus } from '@flotilla/rollout-engine';
import { describe, expect, it } from 'vitest';
import { observeMember, type MemberCluster, type MemberRollout } from './member-observation.js';
import { appTemplate, START } from './testing/fleet-simulation.js';

const template = appTemplate('shop/app:2');
const REGISTERED = new Date(START.getTime() - 3_600_000);
const connected: MemberCluster = { connectionState: 'Connected', lastHeartbeatAt: START, registeredAt: REGISTERED };
const healthy: RolloutStatus = { ...initialStatus('h2', 3, START.toISOString()), phase: 'Healthy', stableRS: 'h2', currentPodHash: 'h2' };
const rollout = (status: RolloutStatus | undefined, overrides: Partial<MemberRollout> = {}): MemberRollout => ({
  spec: { template },
  status,
  generation: 3,
  ...overrides,
});

describe('observeMember', () => {
  it('maps a reconciled, fully promoted Rollout of a connected cluster', () => {
    expect(observeMember(rollout(healthy), connected)).toEqual({
      present: true,
      template,
      templateHash: podTemplateHash(template),
      phase: 'Healthy',
      reconciled: true,
      fullyPromoted: true,
      aborted: false,
      waitsAtPause: false,
      disconnectedSince: null,
      frozen: null,
    });
  });

  it('has no member where the cluster has no such Rollout', () => {
    expect(observeMember(undefined, connected)).toEqual({ present: false });
  });

  it.each<[string, MemberRollout, MemberCluster, Record<string, unknown>]>([
    ['never reconciled: Progressing', rollout(undefined), connected, { phase: 'Progressing', reconciled: false, fullyPromoted: false }],
    ['reconciled for an older generation', rollout(healthy, { generation: 4 }), connected, { phase: 'Progressing', reconciled: false }],
    [
      'a canary under way',
      rollout({ ...healthy, phase: 'Progressing', stableRS: 'h1' }),
      connected,
      { phase: 'Progressing', fullyPromoted: false },
    ],
    [
      'at a step pause',
      rollout({ ...healthy, phase: 'Paused', pauseConditions: [{ reason: 'CanaryPauseStep', startTime: START.toISOString() }] }),
      connected,
      { phase: 'Paused', waitsAtPause: true },
    ],
    ['paused by spec.paused', rollout(healthy, { spec: { template, paused: true } }), connected, { waitsAtPause: true }],
    [
      'aborted',
      rollout({ ...healthy, abort: true, phase: 'Degraded', message: 'RolloutAborted: x' }),
      connected,
      { aborted: true, phase: 'Degraded' },
    ],
    [
      'retried since its abort, not reconciled yet',
      rollout({ ...healthy, abort: false, phase: 'Degraded', message: 'RolloutAborted: x' }),
      connected,
      { aborted: false, phase: 'Progressing' },
    ],
    [
      'aborted, with a retry asked and not carried out yet',
      rollout({ ...healthy, abort: true, phase: 'Degraded', message: 'RolloutAborted: x' }, { retryAsked: true }),
      connected,
      { aborted: false, phase: 'Progressing' },
    ],
    ['not aborted, with a retry asked: as it is', rollout(healthy, { retryAsked: true }), connected, { aborted: false, phase: 'Healthy' }],
    [
      'on a disconnected cluster',
      rollout(healthy),
      { ...connected, connectionState: 'Disconnected', lastHeartbeatAt: START },
      { disconnectedSince: START },
    ],
    [
      'on a cluster never connected: away since it was registered',
      rollout(healthy),
      { connectionState: 'Pending', lastHeartbeatAt: null, registeredAt: REGISTERED },
      { disconnectedSince: REGISTERED },
    ],
    [
      'on a cluster disconnected before any heartbeat',
      rollout(healthy),
      { connectionState: 'Disconnected', lastHeartbeatAt: null, registeredAt: REGISTERED },
      { disconnectedSince: REGISTERED },
    ],
  ])('%s', (_case, member, cluster, expected) => {
    expect(observeMember(member, cluster)).toMatchObject(expected);
  });
});

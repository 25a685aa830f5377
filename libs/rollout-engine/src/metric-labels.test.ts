import { describe, expect, it } from 'vitest';
import type { RolloutStrategy } from '@flotilla/argo-spec';
import { rolloutMetricPhase, strategyAndTrafficRouter, type RolloutMetricPhase } from './metric-labels.js';
import type { RolloutConditionReason } from './types.js';

describe('strategyAndTrafficRouter', () => {
  // upstream: TestGetStrategyAndTrafficRouter (ALB, Ambassador and AppMesh are refused at apply here)
  it.each<[string, RolloutStrategy, string, string]>([
    ['blue-green', { blueGreen: { activeService: 'active' } }, 'blueGreen', ''],
    ['basic canary', { canary: {} }, 'canary', ''],
    ['no strategy', {}, 'none', ''],
    ['SMI', { canary: { trafficRouting: { smi: {} } } }, 'canary', 'SMI'],
    ['Istio', { canary: { trafficRouting: { istio: {} } } }, 'canary', 'Istio'],
    ['Nginx', { canary: { trafficRouting: { nginx: { stableIngress: 'web' } } } }, 'canary', 'Nginx'],
    ['a plugin', { canary: { trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'web' } } } } }, 'canary', ''],
    ['the last upstream checks of several', { canary: { trafficRouting: { istio: {}, nginx: {}, smi: {} } } }, 'canary', 'SMI'],
  ])('labels %s', (_, strategy, expectedStrategy, expectedRouter) => {
    expect(strategyAndTrafficRouter(strategy)).toEqual({ strategy: expectedStrategy, trafficRouter: expectedRouter });
  });
});

describe('rolloutMetricPhase', () => {
  // upstream: calculatePhase, exercised by TestCollectRollouts
  it.each<[RolloutConditionReason | undefined, RolloutMetricPhase]>([
    ['NewReplicaSetAvailable', 'Completed'],
    ['RolloutPaused', 'Paused'],
    ['ProgressDeadlineExceeded', 'Timeout'],
    ['RolloutAborted', 'Abort'],
    ['ReplicaSetUpdated', 'Progressing'],
    ['NewReplicaSetCreated', 'Progressing'],
    [undefined, 'Progressing'],
  ])('reads a Progressing condition of reason %s as %s', (reason, phase) => {
    const conditions = [
      { type: 'Available' as const, reason: 'AvailableReason' as const },
      ...(reason ? [{ type: 'Progressing' as const, reason }] : []),
    ];
    expect(rolloutMetricPhase(conditions)).toBe(phase);
  });

  it('ignores the reasons of other conditions', () => {
    expect(rolloutMetricPhase([{ type: 'Paused', reason: 'RolloutPaused' }])).toBe('Progressing');
  });
});

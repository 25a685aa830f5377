import type { Metric } from '@flotilla/argo-spec';
import { newMetricResult, recordMeasurement } from './assessment.js';
import type { AnalysisPhase, MetricResult } from './run-types.js';

export const PROMETHEUS = { prometheus: { address: 'http://prometheus:9090', query: 'up' } };

export function metric(overrides: Partial<Metric> = {}): Metric {
  return { name: 'success-rate', provider: PROMETHEUS, ...overrides };
}

/** A result after measurements with these phases, one a minute from `start`. */
export function resultAfter(
  phases: readonly AnalysisPhase[],
  name = 'success-rate',
  start = new Date('2026-01-01T00:00:00Z'),
): MetricResult {
  return phases.reduce((result, phase, index) => {
    const startedAt = new Date(start.getTime() + index * 60_000);
    const finished = phase !== 'Running' && phase !== 'Pending';
    return recordMeasurement(result, { phase, startedAt, ...(finished ? { finishedAt: startedAt } : {}) }, 10);
  }, newMetricResult(name));
}

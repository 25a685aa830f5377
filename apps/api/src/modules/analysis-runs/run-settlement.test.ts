import type { Metric } from '@flotilla/argo-spec';
import { newMetricResult, type Measurement } from '@flotilla/analysis';
import { describe, expect, it } from 'vitest';
import type { ResolvedRun } from './run-resolution.js';
import { beginMeasurements, groupByDueTime, settleMeasurements } from './run-settlement.js';
import type { RunState } from './run-state.js';

const metric = (name: string, extra: Partial<Metric> = {}): Metric => ({ name, interval: '10s', count: 3, failureLimit: 0, provider: { web: { url: `http://metrics/${name}` } }, ...extra });
const resolvedRun = (...metrics: Metric[]): ResolvedRun => ({
  templates: [],
  spec: { metrics, args: [], dryRun: [], measurementRetention: [] },
  measuredBy: Object.fromEntries(metrics.map(({ name }) => [name, 'control-plane'])),
});
const startedAt = new Date('2026-06-01T00:00:00.000Z');
const finishedAt = new Date('2026-06-01T00:00:00.250Z');
const freshState = (...names: string[]): RunState => ({ results: names.map((name) => newMetricResult(name)), nextAt: Object.fromEntries(names.map((name) => [name, startedAt.toISOString()])) });
const completed = (phase: Measurement['phase']): Measurement => ({ phase, startedAt, finishedAt, value: '1' });

describe('settleMeasurements', () => {
  it('records measurements taken together, assesses once, and makes their metrics due together again', () => {
    const run = resolvedRun(metric('latency'), metric('errors'));
    const settlement = settleMeasurements(freshState('latency', 'errors'), run, startedAt, [
      { metricName: 'latency', index: 0, measurement: completed('Successful') },
      { metricName: 'errors', index: 0, measurement: completed('Successful') },
    ]);
    const nextAt = new Date(finishedAt.getTime() + 10_000);
    expect(settlement.phase).toBe('Running');
    expect(settlement.state.results.map(({ name, count, successful }) => ({ name, count, successful }))).toEqual([
      { name: 'latency', count: 1, successful: 1 },
      { name: 'errors', count: 1, successful: 1 },
    ]);
    expect(settlement.state.nextAt).toEqual({ latency: nextAt.toISOString(), errors: nextAt.toISOString() });
    expect(groupByDueTime(settlement.next)).toEqual([{ at: nextAt, due: [{ metricName: 'latency', index: 1 }, { metricName: 'errors', index: 1 }] }]);
  });

  it('stops measuring a metric that failed, and fails the run at its next assessment, as upstream', () => {
    const run = resolvedRun(metric('latency'), metric('errors'));
    const first = settleMeasurements(freshState('latency', 'errors'), run, startedAt, [
      { metricName: 'latency', index: 0, measurement: completed('Successful') },
      { metricName: 'errors', index: 0, measurement: completed('Failed') },
    ]);
    expect(first.state.results.map(({ name, phase }) => ({ name, phase }))).toEqual([
      { name: 'latency', phase: 'Running' },
      { name: 'errors', phase: 'Failed' },
    ]);
    expect(first.next.map(({ metricName, index }) => ({ metricName, index }))).toEqual([{ metricName: 'latency', index: 1 }]);
    expect(first.state.nextAt.errors).toBeNull();

    const second = settleMeasurements(first.state, run, startedAt, [{ metricName: 'latency', index: 1, measurement: completed('Successful') }]);
    expect(second.phase).toBe('Failed');
    expect(second.message).toContain('errors');
    expect(second.next).toEqual([]);
  });

  it('leaves the due times of metrics outside the batch as they were', () => {
    const run = resolvedRun(metric('latency'), metric('errors', { interval: '30s' }));
    const state = freshState('latency', 'errors');
    const settlement = settleMeasurements(state, run, startedAt, [{ metricName: 'latency', index: 0, measurement: completed('Successful') }]);
    expect(settlement.state.nextAt.errors).toBe(state.nextAt.errors);
    expect(settlement.next).toEqual([{ metricName: 'latency', index: 1, at: new Date(finishedAt.getTime() + 10_000) }]);
  });
});

describe('beginMeasurements', () => {
  it('marks measurements in flight: their metrics are not due until recorded', () => {
    const run = resolvedRun(metric('latency'), metric('errors'));
    const state = beginMeasurements(freshState('latency', 'errors'), run, ['errors'], startedAt);
    expect(state.nextAt).toEqual({ latency: startedAt.toISOString(), errors: null });
    expect(state.results[1]?.measurements).toEqual([{ phase: 'Running', startedAt }]);
    expect(state.results[0]?.measurements).toEqual([]);
  });
});

describe('groupByDueTime', () => {
  it('makes one group per moment, earliest first', () => {
    const early = new Date('2026-06-01T00:00:10.000Z');
    const late = new Date('2026-06-01T00:00:10.001Z');
    expect(
      groupByDueTime([
        { metricName: 'a', index: 4, at: late },
        { metricName: 'b', index: 2, at: early },
        { metricName: 'c', index: 7, at: late },
      ]),
    ).toEqual([
      { at: early, due: [{ metricName: 'b', index: 2 }] },
      { at: late, due: [{ metricName: 'a', index: 4 }, { metricName: 'c', index: 7 }] },
    ]);
  });
});

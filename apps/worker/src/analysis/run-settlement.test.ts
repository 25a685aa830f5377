import type { Metric } from '@flotilla/argo-spec';
import { newMetricResult, type Measurement } from '@flotilla/analysis';
import { describe, expect, it } from 'vitest';
import type { ResolvedRun } from '../../../../libs/stores/src/analysis-runs/run-resolution.js';
import { beginMeasurements, DUE_TOGETHER_MS, groupByDueTime, settleMeasurements } from './run-settlement.js';
import type { RunState } from '../../../../libs/stores/src/analysis-runs/run-state.js';

const metric = (name: string, extra: Partial<Metric> = {}): Metric => ({
  name,
  interval: '10s',
  count: 3,
  failureLimit: 0,
  provider: { web: { url: `http://metrics/${name}` } },
  ...extra,
});
const resolvedRun = (...metrics: Metric[]): ResolvedRun => ({
  templates: [],
  spec: { metrics, args: [], dryRun: [], measurementRetention: [] },
  measuredBy: Object.fromEntries(metrics.map(({ name }) => [name, 'control-plane'])),
});
const startedAt = new Date('2026-06-01T00:00:00.000Z');
const finishedAt = new Date('2026-06-01T00:00:00.250Z');
const freshState = (...names: string[]): RunState => ({
  results: names.map((name) => newMetricResult(name)),
  nextAt: Object.fromEntries(names.map((name) => [name, startedAt.toISOString()])),
});
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
    expect(groupByDueTime(settlement.next)).toEqual([
      {
        at: nextAt,
        due: [
          { metricName: 'latency', index: 1 },
          { metricName: 'errors', index: 1 },
        ],
      },
    ]);
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

    const second = settleMeasurements(first.state, run, startedAt, [
      { metricName: 'latency', index: 1, measurement: completed('Successful') },
    ]);
    expect(second.phase).toBe('Failed');
    expect(second.message).toContain('errors');
    expect(second.next).toEqual([]);
  });

  it('leaves the due times of metrics outside the batch as they were', () => {
    const run = resolvedRun(metric('latency'), metric('errors', { interval: '30s' }));
    const state = freshState('latency', 'errors');
    const settlement = settleMeasurements(state, run, startedAt, [
      { metricName: 'latency', index: 0, measurement: completed('Successful') },
    ]);
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
  const at = (milliseconds: number): Date => new Date(Date.parse('2026-06-01T00:00:10.000Z') + milliseconds);

  it('makes one group per moment, earliest first', () => {
    expect(
      groupByDueTime([
        { metricName: 'a', index: 4, at: at(5_000) },
        { metricName: 'b', index: 2, at: at(0) },
        { metricName: 'c', index: 7, at: at(5_000) },
      ]),
    ).toEqual([
      { at: at(0), due: [{ metricName: 'b', index: 2 }] },
      {
        at: at(5_000),
        due: [
          { metricName: 'a', index: 4 },
          { metricName: 'c', index: 7 },
        ],
      },
    ]);
  });

  it(`takes due times within ${DUE_TOGETHER_MS} ms of a group's first as one moment, at the latest of them`, () => {
    expect(
      groupByDueTime([
        { metricName: 'late', index: 1, at: at(DUE_TOGETHER_MS) },
        { metricName: 'first', index: 1, at: at(0) },
        { metricName: 'soon', index: 1, at: at(3) },
        { metricName: 'next', index: 1, at: at(DUE_TOGETHER_MS + 1) },
        { metricName: 'after', index: 1, at: at(DUE_TOGETHER_MS + 2) },
      ]),
    ).toEqual([
      {
        at: at(DUE_TOGETHER_MS),
        due: [
          { metricName: 'first', index: 1 },
          { metricName: 'soon', index: 1 },
          { metricName: 'late', index: 1 },
        ],
      },
      {
        at: at(DUE_TOGETHER_MS + 2),
        due: [
          { metricName: 'next', index: 1 },
          { metricName: 'after', index: 1 },
        ],
      },
    ]);
  });

  it('keeps metrics answered a few milliseconds apart due together, interval after interval', () => {
    const run = resolvedRun(metric('latency', { count: 10 }), metric('errors', { count: 10 }));
    let state = freshState('latency', 'errors');
    let takenAt = startedAt;
    for (let index = 0; index < 5; index++) {
      const answer = (metricName: string, afterMs: number) => ({
        metricName,
        index,
        measurement: { phase: 'Successful' as const, startedAt: takenAt, finishedAt: new Date(takenAt.getTime() + afterMs), value: '1' },
      });
      const settlement = settleMeasurements(state, run, startedAt, [answer('latency', 7), answer('errors', 41)]);
      const groups = groupByDueTime(settlement.next);
      expect(groups).toHaveLength(1);
      state = settlement.state;
      takenAt = (groups[0] as { at: Date }).at;
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { Metric } from '@flotilla/argo-spec';
import { recordMeasurement } from './assessment.js';
import type { AnalysisRunSpec, MetricResult } from './run-types.js';
import { METRIC_TERMINATED, RUN_TERMINATED, terminateInFlight, terminatedMeasurement, terminateRun } from './termination.js';
import { metric, resultAfter } from './test-support.js';

const now = new Date('2026-01-01T00:10:00Z');
const startedAt = new Date('2026-01-01T00:09:00Z');
const job: Metric = { name: 'smoke', provider: { job: { spec: { template: { spec: { containers: [] } } } } } };

function spec(metrics: Metric[], overrides: Partial<AnalysisRunSpec> = {}): AnalysisRunSpec {
  return { metrics, args: [], dryRun: [], measurementRetention: [], ...overrides };
}

function inFlight(result: MetricResult): MetricResult {
  return recordMeasurement(result, { phase: 'Running', startedAt, resumeAt: now }, 10);
}

describe('terminatedMeasurement', () => {
  // upstream: TestTerminateMeasurement (metricproviders/job)
  it('ends an in-flight measurement Inconclusive, finished now, as upstream ends a Job metric', () => {
    expect(terminatedMeasurement({ phase: 'Running', startedAt, resumeAt: now }, now)).toEqual({
      phase: 'Inconclusive',
      startedAt,
      finishedAt: now,
      message: METRIC_TERMINATED,
    });
  });
});

describe('terminateInFlight', () => {
  // upstream: TestReconcileAnalysisRunTerminateSiblingAfterFail
  it.each(['Failed', 'Inconclusive', 'Error'] as const)('ends the sibling in flight after a metric ended %s', (phase) => {
    const metrics = [job, metric({ name: 'rate', interval: '1m', consecutiveErrorLimit: 0 })];
    const failed = { ...resultAfter([phase], 'rate'), phase };
    const { metricResults, ended } = terminateInFlight([inFlight(resultAfter([], 'smoke')), failed], spec(metrics), now);
    expect(ended).toEqual(['smoke']);
    const [smoke, rate] = metricResults;
    expect(smoke).toMatchObject({ phase: 'Inconclusive', message: METRIC_TERMINATED, count: 1, inconclusive: 1 });
    expect(smoke?.measurements).toEqual([{ phase: 'Inconclusive', startedAt, finishedAt: now, message: METRIC_TERMINATED }]);
    expect(rate).toEqual(failed);
  });

  // upstream: TestTerminateAnalysisRun (a metric that never measured is Successful once the run stops)
  it('assesses the metrics without a measurement in flight as terminating', () => {
    const metrics = [job, metric({ name: 'rate', interval: '1m' })];
    const { metricResults } = terminateInFlight(
      [inFlight(resultAfter([], 'smoke')), resultAfter(['Successful'], 'rate')],
      spec(metrics),
      now,
    );
    expect(metricResults.map((result) => [result.name, result.phase])).toEqual([
      ['smoke', 'Inconclusive'],
      ['rate', 'Successful'],
    ]);
  });

  it('keeps the retention limit and the measurements already completed', () => {
    const metrics = [metric({ name: 'rate', interval: '1m' })];
    const result = inFlight(resultAfter(['Successful', 'Successful'], 'rate'));
    const { metricResults } = terminateInFlight([result], spec(metrics, { measurementRetention: [{ metricName: 'rate', limit: 2 }] }), now);
    expect(metricResults[0]?.measurements.map((measurement) => measurement.phase)).toEqual(['Successful', 'Inconclusive']);
    expect(metricResults[0]).toMatchObject({ count: 3, successful: 2, inconclusive: 1, consecutiveSuccess: 0 });
  });

  it('changes nothing when no measurement is in flight', () => {
    const results = [resultAfter(['Successful'], 'rate')];
    expect(terminateInFlight(results, spec([metric({ name: 'rate', interval: '1m' })]), now)).toEqual({
      metricResults: results,
      ended: [],
    });
  });
});

describe('terminateRun', () => {
  const rate = metric({ name: 'success-rate', interval: '20s' });

  // upstream: TestTerminateAnalysisRun, TestTerminateAnalysisRunInDryRunMode
  it.each([
    ['a run with no measurement yet', spec([rate])],
    ['a dry-run metric', spec([rate], { dryRun: [{ metricName: 'success-rate' }] })],
  ])('ends %s Successful, "Run Terminated"', (_name, runSpec) => {
    expect(terminateRun({ phase: 'Running', results: [] }, runSpec, now)).toEqual({
      ok: true,
      phase: 'Successful',
      message: RUN_TERMINATED,
      metricResults: [],
    });
  });

  it('ends a run not started yet Successful at once', () => {
    expect(terminateRun({ phase: 'Pending', results: [] }, undefined, now)).toMatchObject({ ok: true, phase: 'Successful' });
  });

  it("ends the measurement in flight Inconclusive, and the run with the worst phase of its metrics and that metric's message", () => {
    const decision = terminateRun({ phase: 'Running', results: [inFlight(resultAfter(['Successful'], 'smoke'))] }, spec([job]), now);
    expect(decision).toMatchObject({
      ok: true,
      phase: 'Inconclusive',
      message: 'Metric "smoke" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): "Error Message: Metric Terminated"',
    });
    expect(decision.ok && decision.metricResults[0]?.measurements.at(-1)).toMatchObject({
      phase: 'Inconclusive',
      message: METRIC_TERMINATED,
    });
  });

  it.each(['Successful', 'Failed', 'Error', 'Inconclusive'] as const)('refuses a run that already ended %s', (phase) => {
    expect(terminateRun({ phase, results: [] }, spec([rate]), now)).toEqual({
      ok: false,
      refusal: `the analysis run already ended ${phase}`,
    });
  });
});

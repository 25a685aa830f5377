import { describe, expect, it } from 'vitest';
import { assessRun, isTerminating, isWorse } from './run-assessment.js';
import type { AnalysisPhase, AnalysisRunSpec, MetricResult } from './run-types.js';
import { metric, resultAfter } from './test-support.js';

const S = 'Successful';
const F = 'Failed';
const E = 'Error';
const I = 'Inconclusive';

function spec(overrides: Partial<AnalysisRunSpec> = {}): AnalysisRunSpec {
  return {
    metrics: [metric({ name: 'success-rate', interval: '1m', count: 3 }), metric({ name: 'error-rate', interval: '1m', count: 3 })],
    args: [],
    dryRun: [],
    measurementRetention: [],
    ...overrides,
  };
}

function results(successRate: AnalysisPhase[], errorRate: AnalysisPhase[]): MetricResult[] {
  return [resultAfter(successRate, 'success-rate'), resultAfter(errorRate, 'error-rate')];
}

describe('isWorse', () => {
  it.each<[AnalysisPhase, AnalysisPhase, boolean]>([
    ['Successful', 'Failed', true],
    ['Failed', 'Error', false],
    ['Error', 'Failed', true],
    ['Inconclusive', 'Error', true],
    ['Successful', 'Inconclusive', true],
    ['Inconclusive', 'Successful', false],
  ])('%s then %s: %s', (current, candidate, expected) => {
    expect(isWorse(current, candidate)).toBe(expected);
  });
});

describe('assessRun', () => {
  it.each<[string, AnalysisPhase[], AnalysisPhase[], AnalysisPhase, string]>([
    ['both metrics still measuring', [S], [S], 'Running', ''],
    ['one metric complete, one measuring', [S, S, S], [S], 'Running', ''],
    ['both complete and successful', [S, S, S], [S, S, S], 'Successful', ''],
    [
      'a failed metric wins over a successful one',
      [S, S, S],
      [S, F],
      'Failed',
      'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
    ],
    [
      'failure is worse than error',
      [E, E, E, E, E],
      [F],
      'Failed',
      'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
    ],
    [
      'error is worse than inconclusive',
      [I],
      [E, E, E, E, E],
      'Error',
      'Metric "error-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)',
    ],
    [
      'inconclusive is worse than successful',
      [S, S, S],
      [I],
      'Inconclusive',
      'Metric "error-rate" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
    ],
  ])('%s', (_, successRate, errorRate, phase, message) => {
    const assessment = assessRun(results(successRate, errorRate), spec());
    expect(assessment.phase).toBe(phase);
    expect(assessment.message).toBe(message);
  });

  it('is Running while a metric has no result yet', () => {
    expect(assessRun([resultAfter([S, S, S], 'success-rate')], spec()).phase).toBe('Running');
  });

  it('records the assessed phase and the last measurement message on each result', () => {
    const failing = resultAfter([S, F], 'error-rate');
    const withMessage = {
      ...failing,
      measurements: failing.measurements.map((measurement) => ({ ...measurement, message: 'query returned 503' })),
    };
    const assessment = assessRun([resultAfter([S], 'success-rate'), withMessage], spec());
    expect(assessment.metricResults.map((result) => [result.name, result.phase, result.message])).toEqual([
      ['success-rate', 'Running', undefined],
      ['error-rate', 'Failed', 'query returned 503'],
    ]);
    expect(assessment).toMatchObject({ phase: 'Running', message: '' });
    expect(assessRun(assessment.metricResults, spec())).toMatchObject({
      phase: 'Failed',
      message: 'Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0): "Error Message: query returned 503"',
    });
  });

  it('ignores dry-run metrics for the phase but summarises them apart', () => {
    const assessment = assessRun(results([S, S, S], [F]), spec({ dryRun: [{ metricName: 'error.*' }] }));
    expect(assessment.phase).toBe('Successful');
    expect(assessment.message).toBe('');
    expect(assessment.runSummary).toEqual({ count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0 });
    expect(assessment.dryRunSummary).toEqual({ count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0 });
    expect(assessment.metricResults[1]).toMatchObject({
      phase: 'Failed',
      message: 'Metric assessed Failed due to failed (1) > failureLimit (0)',
    });
  });

  it('is Successful when every metric runs dry and fails', () => {
    expect(assessRun(results([F], [F]), spec({ dryRun: [{ metricName: '.*' }] })).phase).toBe('Successful');
  });

  it('ends a terminated run with what completed so far', () => {
    const assessment = assessRun(results([S, S], []), spec({ terminate: true }));
    expect(assessment.phase).toBe('Successful');
    expect(assessment.message).toBe('Run Terminated');
    expect(assessment.metricResults.map((result) => result.phase)).toEqual(['Successful', 'Successful']);
  });

  it('terminates the other metrics once a metric failed', () => {
    const first = assessRun(results([S], [F]), spec());
    expect(first.phase).toBe('Running');
    expect(isTerminating(spec(), first.metricResults)).toBe(true);
    const second = assessRun(first.metricResults, spec());
    expect(second.phase).toBe('Failed');
    expect(second.metricResults.map((result) => result.phase)).toEqual(['Successful', 'Failed']);
  });

  it('does not terminate for a failing dry-run metric', () => {
    const failed = results([S], [F]).map((result) => ({
      ...result,
      phase: result.name === 'error-rate' ? ('Failed' as const) : result.phase,
    }));
    expect(isTerminating(spec({ dryRun: [{ metricName: 'error-rate' }] }), failed)).toBe(false);
    expect(isTerminating(spec(), failed)).toBe(true);
  });
});

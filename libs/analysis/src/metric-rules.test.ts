import type { MeasurementRetention } from '@flotilla/argo-spec';
import { describe, expect, it } from 'vitest';
import { newMetricResult, recordMeasurement } from './assessment.js';
import { isDryRunMetric, measurementRetentionLimit, ruleMatches } from './metric-rules.js';
import type { AnalysisPhase } from './run-types.js';

describe('ruleMatches', () => {
  it.each<[string, string, string, boolean]>([
    ['an exact name', 'error-rate', 'error-rate', true],
    ['.* matches every name', '.*', 'latency-p99', true],
    ['a prefix pattern', 'error-.*', 'error-rate', true],
    ['a prefix pattern against another metric', 'error-.*', 'success-rate', false],
    ['an unanchored pattern matches inside the name', 'rate', 'error-rate', true],
    ['an anchored pattern does not', '^rate$', 'error-rate', false],
    ['a pattern that does not compile matches nothing', '(', '(', false],
  ])('%s', (_case, pattern, metricName, expected) => {
    expect(ruleMatches(pattern, metricName)).toBe(expected);
  });
});

describe('measurementRetentionLimit', () => {
  it.each<[string, MeasurementRetention[], number]>([
    ['no rules keep the latest 10', [], 10],
    ['an exact name', [{ metricName: 'error-rate', limit: 20 }], 20],
    ['.* covers every metric', [{ metricName: '.*', limit: 3 }], 3],
    ['error-.* covers error-rate', [{ metricName: 'error-.*', limit: 7 }], 7],
    ['a rule for another metric leaves the default', [{ metricName: 'success-rate', limit: 20 }], 10],
    ['a limit of 0 leaves the default', [{ metricName: 'error-rate', limit: 0 }], 10],
    // Argo builds a metric-to-rule map in rule order, so a later matching rule overwrites an earlier one.
    [
      'the last matching rule wins',
      [
        { metricName: '.*', limit: 3 },
        { metricName: 'error-.*', limit: 7 },
        { metricName: 'success-.*', limit: 5 },
      ],
      7,
    ],
    [
      'the last matching rule wins even when broader',
      [
        { metricName: 'error-rate', limit: 20 },
        { metricName: '.*', limit: 4 },
      ],
      4,
    ],
    [
      'a last matching rule with limit 0 falls back to the default, not to an earlier rule',
      [
        { metricName: '.*', limit: 3 },
        { metricName: 'error-rate', limit: 0 },
      ],
      10,
    ],
  ])('%s', (_case, rules, expected) => {
    expect(measurementRetentionLimit('error-rate', rules)).toBe(expected);
  });

  it('drops the oldest measurements of the matching metric while its counters keep counting', () => {
    const limit = measurementRetentionLimit('error-rate', [{ metricName: 'error-.*', limit: 3 }]);
    const phases: AnalysisPhase[] = ['Failed', 'Successful', 'Error', 'Inconclusive', 'Successful', 'Successful'];
    const result = phases.reduce(
      (current, phase, index) => recordMeasurement(current, { phase, finishedAt: new Date(index * 1000) }, limit),
      newMetricResult('error-rate'),
    );
    expect(result.measurements).toEqual([
      { phase: 'Inconclusive', finishedAt: new Date(3000) },
      { phase: 'Successful', finishedAt: new Date(4000) },
      { phase: 'Successful', finishedAt: new Date(5000) },
    ]);
    expect(result).toMatchObject({
      count: 5,
      successful: 3,
      failed: 1,
      inconclusive: 1,
      error: 1,
      consecutiveSuccess: 2,
      consecutiveError: 0,
    });
  });
});

describe('isDryRunMetric', () => {
  it.each<[string, string[], boolean]>([
    ['no rules', [], false],
    ['an exact name', ['error-rate'], true],
    ['.* covers every metric', ['.*'], true],
    ['error-.* covers error-rate', ['error-.*'], true],
    ['rules for other metrics', ['success-.*', '^rate$'], false],
    ['any matching rule among others', ['success-rate', 'error-.*'], true],
  ])('%s', (_case, patterns, expected) => {
    expect(
      isDryRunMetric(
        'error-rate',
        patterns.map((metricName) => ({ metricName })),
      ),
    ).toBe(expected);
  });
});

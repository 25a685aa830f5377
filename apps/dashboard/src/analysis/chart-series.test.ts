import { describe, expect, it } from 'vitest';
import type { Measurement } from '../api/documents.js';
import { chartData, thresholdsOf, valuesOf } from './chart-series.js';

const at = (second: number): string => new Date(Date.UTC(2026, 11, 5, 12, 0, second)).toISOString();
const measurement = (metricName: string, index: number, value: string | null, second: number, phase = 'Successful'): Measurement => ({
  metricName,
  index,
  phase,
  value,
  message: null,
  startedAt: at(second - 1),
  finishedAt: at(second),
});
const seconds = (second: number): number => Date.UTC(2026, 11, 5, 12, 0, second) / 1000;

describe('chartData', () => {
  it('gives every series the same ascending times, null where a series was not measured', () => {
    const data = chartData([measurement('latency', 0, '[250]', 12), measurement('error-rate', 0, '[0.1]', 10)], []);
    expect(data.times).toEqual([seconds(10), seconds(12)]);
    expect(data.series.map((line) => [line.metricName, line.values])).toEqual([
      ['latency', [null, 250]],
      ['error-rate', [0.1, null]],
    ]);
    expect(data.series[0]?.measurements.map((placed) => placed?.index ?? null)).toEqual([null, 0]);
  });

  it('puts the metrics of the spec first with their thresholds, and leaves out values that are no number', () => {
    const data = chartData(
      [measurement('success-rate', 0, '[0.97]', 5), measurement('success-rate', 1, '{"ok":true}', 6)],
      [
        { metricName: 'never-measured', successCondition: undefined, failureCondition: undefined },
        { metricName: 'success-rate', successCondition: 'result[0] >= 0.95', failureCondition: 'result[0] < 0.5' },
      ],
    );
    expect(data.series.map((line) => line.metricName)).toEqual(['never-measured', 'success-rate']);
    expect(data.times).toEqual([seconds(5)]);
    expect(thresholdsOf(data)).toEqual([
      { operator: '>=', value: 0.95 },
      { operator: '<', value: 0.5 },
    ]);
    expect(valuesOf(data)).toEqual([0.97]);
  });

  it('has no times and no values without a measurement', () => {
    expect(chartData([], [])).toEqual({ times: [], series: [] });
  });
});

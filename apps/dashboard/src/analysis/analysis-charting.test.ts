import { describe, expect, it } from 'vitest';
import { valueDomain } from './chart-scale.js';
import { conditionThreshold, metricConditionsOf } from './condition-thresholds.js';
import { measurementNumber } from './measurement-values.js';

describe('measurementNumber', () => {
  it.each([
    ['[0.97]', 0.97],
    ['0.97', 0.97],
    ['[0.5, 0.7]', 0.5],
    ['["0.25"]', 0.25],
    ['42', 42],
    ['-1e-3', -0.001],
    ['[]', undefined],
    ['{"ok":true}', undefined],
    ['"text"', undefined],
    ['NaN', undefined],
    ['', undefined],
    [null, undefined],
  ])('reads %j as %j', (value, expected) => {
    expect(measurementNumber(value)).toBe(expected);
  });
});

describe('conditionThreshold', () => {
  it.each([
    ['result[0] >= 0.95', { operator: '>=', value: 0.95 }],
    ['result < 0.05', { operator: '<', value: 0.05 }],
    ['result[0] > 5', { operator: '>', value: 5 }],
    ['  result <= 1e2 ', { operator: '<=', value: 100 }],
    ['asFloat(result[0]) >= .9', { operator: '>=', value: 0.9 }],
    ['0.05 > result', { operator: '<', value: 0.05 }],
    ['0.95 <= result[0]', { operator: '>=', value: 0.95 }],
    ['result[0] == 1', undefined],
    ['result[1] >= 0.95', undefined],
    ['result.ok >= 1', undefined],
    ['result[0] >= 0.95 && result[0] < 1', undefined],
    ['len(result) > 0', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (condition, expected) => {
    expect(conditionThreshold(condition)).toEqual(expected);
  });

  it('reads the conditions of every metric of a started run, and none before templates are resolved', () => {
    const spec = {
      analysis: { templates: [{ templateName: 'success-rate' }] },
      resolved: {
        spec: {
          metrics: [
            { name: 'success-rate', successCondition: 'result[0] >= 0.95' },
            { name: 'errors', failureCondition: 'result > 5', successCondition: '' },
            { provider: {} },
          ],
        },
      },
    };
    expect(metricConditionsOf(spec)).toEqual([
      { metricName: 'success-rate', successCondition: 'result[0] >= 0.95', failureCondition: undefined },
      { metricName: 'errors', successCondition: undefined, failureCondition: 'result > 5' },
    ]);
    expect(metricConditionsOf({ analysis: spec.analysis })).toEqual([]);
    expect(metricConditionsOf(null)).toEqual([]);
  });
});

describe('chart scales', () => {
  it.each([
    [[0.97, 0.99], [0.95], [0.946, 0.994]],
    [[2], [], [1.8, 2.2]],
    [[0], [], [-1, 1]],
    [[], [], [0, 1]],
    [[], [0.5], [0.45, 0.55]],
  ])('shows values %j with thresholds %j in %j', (values, thresholds, expected) => {
    const [low, high] = valueDomain(values, thresholds);
    expect(low).toBeCloseTo(expected[0] as number, 9);
    expect(high).toBeCloseTo(expected[1] as number, 9);
  });
});

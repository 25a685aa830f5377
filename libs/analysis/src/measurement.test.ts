import { describe, expect, it } from 'vitest';
import { evaluateMeasurementResult } from './measurement.js';

const SUCCESS = 'result >= 0.95';
const FAILURE = 'result < 0.5';

describe('evaluateMeasurementResult', () => {
  it.each<[string | undefined, string | undefined, unknown, string]>([
    [undefined, undefined, 0.1, 'Successful'],
    [SUCCESS, undefined, 0.97, 'Successful'],
    [SUCCESS, undefined, 0.7, 'Failed'],
    [undefined, FAILURE, 0.2, 'Failed'],
    [undefined, FAILURE, 0.7, 'Successful'],
    [SUCCESS, FAILURE, 0.97, 'Successful'],
    [SUCCESS, FAILURE, 0.2, 'Failed'],
    [SUCCESS, FAILURE, 0.7, 'Inconclusive'],
    ['result > 0', 'result > 0', 1, 'Failed'],
    ['result >= 0.95', 'result < 0.95', Number.NaN, 'Inconclusive'],
    ['result >= 0.95', undefined, Number.NaN, 'Failed'],
    ['isNaN(result) || result >= 0.95', undefined, Number.NaN, 'Successful'],
    [undefined, 'isInf(result)', Number.POSITIVE_INFINITY, 'Failed'],
    ['', '', 0, 'Successful'],
  ])('success %j, failure %j, value %j: %s', (successCondition, failureCondition, value, phase) => {
    expect(evaluateMeasurementResult({ successCondition, failureCondition }, value)).toEqual({ phase });
  });

  it.each<[string | undefined, string | undefined, unknown, string]>([
    [
      'result < 0.05',
      undefined,
      null,
      'could not evaluate successCondition "result < 0.05": metric result is nil or empty: no data returned from the metric provider',
    ],
    [undefined, 'result', 0.5, 'could not evaluate failureCondition "result": expected bool, but got float64'],
    [
      'result >',
      undefined,
      1,
      'could not evaluate successCondition "result >": unexpected end of condition at position 8 of condition "result >"',
    ],
    [
      SUCCESS,
      'result[0] > 1',
      0.97,
      'could not evaluate failureCondition "result[0] > 1": cannot fetch 0 from float64 (at position 6 of "result[0] > 1")',
    ],
  ])('success %j, failure %j, value %j: Error', (successCondition, failureCondition, value, message) => {
    expect(evaluateMeasurementResult({ successCondition, failureCondition }, value)).toEqual({ phase: 'Error', message });
  });
});

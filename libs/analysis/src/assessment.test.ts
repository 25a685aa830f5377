import { describe, expect, it } from 'vitest';
import { assessMetric, newMetricResult, recordMeasurement } from './assessment.js';
import type { AnalysisPhase } from './run-types.js';
import { metric, resultAfter } from './test-support.js';

const S = 'Successful';
const F = 'Failed';
const I = 'Inconclusive';
const E = 'Error';

describe('recordMeasurement', () => {
  it('counts completed measurements and tracks streaks', () => {
    const result = resultAfter([S, S, E, S, F, I, E, E]);
    expect(result).toMatchObject({
      count: 5,
      successful: 3,
      failed: 1,
      inconclusive: 1,
      error: 3,
      consecutiveError: 2,
      consecutiveSuccess: 0,
    });
  });

  it('replaces the in-flight measurement with its completion', () => {
    const running = recordMeasurement(newMetricResult('job'), { phase: 'Running', startedAt: new Date(0) }, 10);
    const done = recordMeasurement(running, { phase: 'Successful', startedAt: new Date(0), finishedAt: new Date(5000) }, 10);
    expect(done.measurements).toEqual([{ phase: 'Successful', startedAt: new Date(0), finishedAt: new Date(5000) }]);
    expect(done).toMatchObject({ count: 1, successful: 1 });
  });

  it('keeps only the latest measurements but the whole history in the counters', () => {
    const result = Array.from({ length: 25 }, (_, index) => index).reduce(
      (current, index) => recordMeasurement(current, { phase: index === 0 ? F : S, finishedAt: new Date(index) }, 20),
      newMetricResult('rate'),
    );
    expect(result.measurements).toHaveLength(20);
    expect(result.measurements[0]?.finishedAt).toEqual(new Date(5));
    expect(result).toMatchObject({ count: 25, failed: 1, successful: 24 });
  });
});

describe('assessMetric', () => {
  it.each<[string, Parameters<typeof metric>[0], AnalysisPhase[], AnalysisPhase, string | undefined]>([
    ['no measurement yet', {}, [], 'Pending', undefined],
    ['in-flight measurement', {}, ['Running'], 'Running', undefined],
    ['count defaults to one measurement', {}, [S], 'Successful', undefined],
    ['failureLimit defaults to 0', {}, [F], 'Failed', 'failed (1) > failureLimit (0)'],
    ['inconclusiveLimit defaults to 0', {}, [I], 'Inconclusive', 'inconclusive (1) > inconclusiveLimit (0)'],
    ['consecutiveErrorLimit defaults to 4: four errors are tolerated', {}, [E, E, E, E], 'Running', undefined],
    [
      'consecutiveErrorLimit defaults to 4: the fifth error ends it',
      {},
      [E, E, E, E, E],
      'Error',
      'consecutiveErrors (5) > consecutiveErrorLimit (4)',
    ],
    ['an error streak is broken by a result', { interval: '1m' }, [E, E, E, E, S, E, E], 'Running', undefined],
    ['errors do not count towards count', { count: 2, interval: '1m' }, [S, E, E], 'Running', undefined],
    ['count reached', { count: 3, interval: '1m' }, [S, S, S], 'Successful', undefined],
    ['count not reached', { count: 3, interval: '1m' }, [S, S], 'Running', undefined],
    ['interval without count runs on', { interval: '1m' }, [S, S, S, S, S, S, S, S, S, S, S, S], 'Running', undefined],
    ['count 0 with interval runs on', { count: 0, interval: '1m' }, [S, S], 'Running', undefined],
    ['count 0 without interval measures once', { count: 0 }, [S], 'Successful', undefined],
    ['failures within failureLimit', { count: 5, interval: '1m', failureLimit: 2 }, [F, S, F, S, S], 'Successful', undefined],
    ['failures beyond failureLimit', { interval: '1m', failureLimit: 2 }, [F, S, F, S, F], 'Failed', 'failed (3) > failureLimit (2)'],
    ['failureLimit as a string', { interval: '1m', failureLimit: '2' }, [F, F, F], 'Failed', 'failed (3) > failureLimit (2)'],
    [
      'failureLimit -1 tolerates any failure',
      { count: 3, interval: '1m', failureLimit: -1, consecutiveSuccessLimit: 5 },
      [F, F],
      'Running',
      undefined,
    ],
    ['inconclusive within limit', { count: 3, interval: '1m', inconclusiveLimit: 1 }, [I, S, S], 'Successful', undefined],
    [
      'inconclusive beyond limit',
      { interval: '1m', inconclusiveLimit: 1 },
      [I, I],
      'Inconclusive',
      'inconclusive (2) > inconclusiveLimit (1)',
    ],
    ['consecutiveErrorLimit 0', { consecutiveErrorLimit: 0 }, [E], 'Error', 'consecutiveErrors (1) > consecutiveErrorLimit (0)'],
    [
      'consecutive errors outrank failures',
      { interval: '1m', failureLimit: 0, consecutiveErrorLimit: 1 },
      [F, E, E],
      'Error',
      'consecutiveErrors (2) > consecutiveErrorLimit (1)',
    ],
    ['inconclusive outranks failures', { interval: '1m' }, [F, I], 'Inconclusive', 'inconclusive (1) > inconclusiveLimit (0)'],
    [
      'consecutiveSuccessLimit reached',
      { interval: '1m', failureLimit: -1, consecutiveSuccessLimit: 3 },
      [F, S, S, S],
      'Successful',
      undefined,
    ],
    [
      'consecutiveSuccessLimit streak broken',
      { interval: '1m', failureLimit: -1, consecutiveSuccessLimit: 3 },
      [S, S, F, S],
      'Running',
      undefined,
    ],
    [
      'only consecutiveSuccessLimit: count reached without it',
      { count: 4, interval: '1m', failureLimit: -1, consecutiveSuccessLimit: 3 },
      [S, S, F, S],
      'Failed',
      undefined,
    ],
    [
      'both limits: count reached with neither',
      { count: 4, interval: '1m', failureLimit: 2, consecutiveSuccessLimit: 3 },
      [S, F, S, F],
      'Inconclusive',
      undefined,
    ],
    [
      'both limits: success streak first',
      { count: 6, interval: '1m', failureLimit: 2, consecutiveSuccessLimit: 2 },
      [F, S, S],
      'Successful',
      undefined,
    ],
    [
      'both limits: failures first',
      { count: 6, interval: '1m', failureLimit: 1, consecutiveSuccessLimit: 3 },
      [F, S, F],
      'Failed',
      'failed (2) > failureLimit (1)',
    ],
  ])('%s', (_, overrides, phases, phase, limitMessage) => {
    const assessment = assessMetric(metric(overrides), resultAfter(phases));
    expect(assessment).toEqual(limitMessage ? { phase, limitMessage } : { phase });
  });

  it.each<[string, AnalysisPhase[], AnalysisPhase]>([
    ['never measured', [], 'Successful'],
    ['runs without end', [S, S], 'Successful'],
    ['in flight', [S, 'Running'], 'Running'],
    ['failed before', [F], 'Failed'],
  ])('a terminating run ends a metric that %s', (_, phases, phase) => {
    expect(assessMetric(metric({ interval: '1m' }), resultAfter(phases), { terminating: true }).phase).toBe(phase);
  });

  it('keeps the phase of a completed result', () => {
    expect(assessMetric(metric(), { ...resultAfter([S]), phase: 'Inconclusive' }).phase).toBe('Inconclusive');
  });
});

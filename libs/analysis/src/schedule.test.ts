import type { Metric } from '@flotilla/argo-spec';
import { describe, expect, it } from 'vitest';
import { newMetricResult, recordMeasurement } from './assessment.js';
import { evaluateMeasurementResult } from './measurement.js';
import { assessRun, isTerminating } from './run-assessment.js';
import type { AnalysisPhase, AnalysisRunSpec, MetricResult } from './run-types.js';
import { nextMeasurementTime } from './schedule.js';
import { metric, resultAfter } from './test-support.js';

const START = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number): Date => new Date(START.getTime() + seconds * 1000);
const secondsOf = (date: Date | undefined): number | undefined =>
  date === undefined ? undefined : (date.getTime() - START.getTime()) / 1000;

describe('nextMeasurementTime', () => {
  it.each<[string, Partial<Metric>, MetricResult | undefined, number | undefined]>([
    ['first measurement at once', {}, undefined, 0],
    ['first measurement after the initial delay', { initialDelay: '5m' }, undefined, 300],
    ['unparsable initial delay never measures', { initialDelay: 'soon' }, undefined, undefined],
    ['single measurement done', {}, resultAfter(['Successful'], 'success-rate', START), undefined],
    ['next interval after the last finished', { interval: '30s', count: 3 }, resultAfter(['Successful'], 'success-rate', START), 30],
    ['count reached', { interval: '30s', count: 2 }, resultAfter(['Successful', 'Failed'], 'success-rate', START), undefined],
    ['retry 10 s after an error', { interval: '5m' }, resultAfter(['Error'], 'success-rate', START), 10],
    ['retry 10 s after an error without interval', {}, resultAfter(['Error'], 'success-rate', START), 10],
    ['no end with an interval', { interval: '1m' }, resultAfter(['Successful', 'Successful', 'Successful'], 'success-rate', START), 180],
    ['completed metric', { interval: '1m' }, { ...resultAfter(['Failed'], 'success-rate', START), phase: 'Failed' }, undefined],
    ['unparsable interval', { interval: 'often', count: 3 }, resultAfter(['Successful'], 'success-rate', START), undefined],
  ])('%s', (_, overrides, result, expected) => {
    expect(secondsOf(nextMeasurementTime(metric(overrides), result, START))).toBe(expected);
  });

  it('resumes an in-flight measurement at its resume time', () => {
    const running = recordMeasurement(newMetricResult('job'), { phase: 'Running', startedAt: START, resumeAt: at(15) }, 10);
    expect(nextMeasurementTime(metric({ name: 'job' }), running, START)).toEqual(at(15));
    const waiting = recordMeasurement(newMetricResult('job'), { phase: 'Running', startedAt: START }, 10);
    expect(nextMeasurementTime(metric({ name: 'job' }), waiting, START)).toBeUndefined();
  });
});

interface TimelineEntry {
  second: number;
  metric: string;
  phase: AnalysisPhase;
}

/**
 * Replays a run the way the worker drives it: whenever a measurement is due, the provider answers with
 * the next scripted value, the run is assessed, and time jumps to the earliest next measurement.
 */
function replay(
  spec: AnalysisRunSpec,
  values: Record<string, unknown[]>,
): { timeline: TimelineEntry[]; phase: AnalysisPhase; message: string; endedAt: number } {
  let results: MetricResult[] = [];
  const timeline: TimelineEntry[] = [];
  let now = START;
  for (let step = 0; step < 100; step += 1) {
    const terminating = isTerminating(spec, results);
    for (const current of spec.metrics) {
      const result = results.find((candidate) => candidate.name === current.name);
      const due = nextMeasurementTime(current, result, START);
      if (terminating || due === undefined || due > now) continue;
      const scripted = values[current.name] ?? [];
      const value = scripted.shift();
      const { phase, message } =
        value instanceof Error ? { phase: 'Error' as const, message: value.message } : evaluateMeasurementResult(current, value);
      timeline.push({ second: secondsOf(now) as number, metric: current.name, phase });
      const recorded = recordMeasurement(
        result ?? newMetricResult(current.name),
        { phase, startedAt: now, finishedAt: now, ...(message ? { message } : {}) },
        10,
      );
      results = [...results.filter((candidate) => candidate.name !== current.name), recorded];
    }
    const assessment = assessRun(results, spec);
    results = assessment.metricResults;
    if (assessment.phase !== 'Running')
      return { timeline, phase: assessment.phase, message: assessment.message, endedAt: secondsOf(now) as number };
    const upcoming = spec.metrics
      .map((current) =>
        nextMeasurementTime(
          current,
          results.find((candidate) => candidate.name === current.name),
          START,
        ),
      )
      .filter((time): time is Date => time !== undefined && time > now)
      .sort((a, b) => a.getTime() - b.getTime());
    now = upcoming[0] ?? now;
  }
  throw new Error('run did not finish');
}

function runSpec(metrics: Metric[], overrides: Partial<AnalysisRunSpec> = {}): AnalysisRunSpec {
  return { metrics, args: [], dryRun: [], measurementRetention: [], ...overrides };
}

describe('a run replayed over time', () => {
  it('measures every interval until the count is reached', () => {
    const run = replay(runSpec([metric({ interval: '1m', count: 3, successCondition: 'result[0] >= 0.95' })]), {
      'success-rate': [[0.97], [0.96], [0.99]],
    });
    expect(run.timeline.map((entry) => [entry.second, entry.phase])).toEqual([
      [0, 'Successful'],
      [60, 'Successful'],
      [120, 'Successful'],
    ]);
    expect(run).toMatchObject({ phase: 'Successful', endedAt: 120 });
  });

  it('waits for the initial delay and retries errors after 10 s', () => {
    const run = replay(runSpec([metric({ initialDelay: '2m', interval: '1m', count: 2, successCondition: 'result >= 0.9' })]), {
      'success-rate': [new Error('connection refused'), 0.95, null, 0.92],
    });
    expect(run.timeline.map((entry) => [entry.second, entry.phase])).toEqual([
      [120, 'Error'],
      [130, 'Successful'],
      [190, 'Error'],
      [200, 'Successful'],
    ]);
    expect(run.phase).toBe('Successful');
  });

  it('fails once failures exceed the limit and stops the other metric', () => {
    const spec = runSpec([
      metric({ name: 'success-rate', interval: '30s', successCondition: 'result >= 0.95', failureLimit: 1 }),
      metric({ name: 'latency', interval: '1m', successCondition: 'result < 0.3' }),
    ]);
    const run = replay(spec, { 'success-rate': [0.97, 0.8, 0.96, 0.7], latency: [0.1, 0.2, 0.1] });
    expect(run.timeline.map((entry) => [entry.second, entry.metric, entry.phase])).toEqual([
      [0, 'success-rate', 'Successful'],
      [0, 'latency', 'Successful'],
      [30, 'success-rate', 'Failed'],
      [60, 'success-rate', 'Successful'],
      [60, 'latency', 'Successful'],
      [90, 'success-rate', 'Failed'],
    ]);
    expect(run).toMatchObject({ phase: 'Failed', message: 'Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1)' });
  });

  it('ends in Error after too many consecutive errors', () => {
    const run = replay(runSpec([metric({ interval: '1m', successCondition: 'result < 0.05', consecutiveErrorLimit: 2 })]), {
      'success-rate': [0.01, null, null, null],
    });
    expect(run.timeline.map((entry) => [entry.second, entry.phase])).toEqual([
      [0, 'Successful'],
      [60, 'Error'],
      [70, 'Error'],
      [80, 'Error'],
    ]);
    expect(run).toMatchObject({
      phase: 'Error',
      message: expect.stringContaining(
        'consecutiveErrors (3) > consecutiveErrorLimit (2): "Error Message: could not evaluate successCondition "result < 0.05": metric result is nil or empty',
      ) as unknown,
    });
  });

  it('succeeds on a streak of consecutive successes', () => {
    const run = replay(
      runSpec([metric({ interval: '20s', count: 10, failureLimit: -1, consecutiveSuccessLimit: 3, successCondition: 'result == 200' })]),
      {
        'success-rate': [500, 200, 500, 200, 200, 200, 200],
      },
    );
    expect(run.timeline).toHaveLength(6);
    expect(run).toMatchObject({ phase: 'Successful', endedAt: 100 });
  });

  it('pauses on an inconclusive result', () => {
    const run = replay(
      runSpec([metric({ interval: '1m', count: 5, successCondition: 'result >= 0.9', failureCondition: 'result < 0.5' })]),
      {
        'success-rate': [0.95, 0.7],
      },
    );
    expect(run).toMatchObject({ phase: 'Inconclusive', endedAt: 60 });
  });
});

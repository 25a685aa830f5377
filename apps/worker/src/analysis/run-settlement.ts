import {
  assessRun,
  isCompleted,
  measurementRetentionLimit,
  nextMeasurementTime,
  recordMeasurement,
  type AnalysisPhase,
  type Measurement,
} from '@flotilla/analysis';
import type { DueMeasurement } from '@flotilla/queues';
import type { ResolvedRun, RunState } from '@flotilla/stores';

/** A measurement of a run with its result, to be added to the run's state. */
export interface SettledMeasurement extends DueMeasurement {
  measurement: Measurement;
}

export interface ScheduledMeasurement extends DueMeasurement {
  at: Date;
}

export interface Settlement {
  state: RunState;
  phase: AnalysisPhase;
  message: string;
  /** The measurements that follow the settled ones, for metrics that go on. */
  next: ScheduledMeasurement[];
}

function withMeasurement(state: RunState, resolved: ResolvedRun, metricName: string, measurement: Measurement): RunState['results'] {
  const retention = measurementRetentionLimit(metricName, resolved.spec.measurementRetention);
  return state.results.map((result) => (result.name === metricName ? recordMeasurement(result, measurement, retention) : result));
}

/** Marks measurements as in flight: their metrics are not due again until they are recorded. */
export function beginMeasurements(state: RunState, resolved: ResolvedRun, metricNames: readonly string[], startedAt: Date): RunState {
  let next: RunState = { results: state.results, nextAt: { ...state.nextAt } };
  for (const metricName of metricNames) {
    next = {
      results: withMeasurement(next, resolved, metricName, { phase: 'Running', startedAt }),
      nextAt: { ...next.nextAt, [metricName]: null },
    };
  }
  return next;
}

/**
 * Adds completed measurements to the run's state and assesses the metrics and the run once, as Argo's controller
 * does after taking the measurements due in one reconcile; answers when each of those metrics is next due.
 */
export function settleMeasurements(
  state: RunState,
  resolved: ResolvedRun,
  runStartedAt: Date,
  settled: readonly SettledMeasurement[],
): Settlement {
  let recorded: RunState = state;
  for (const { metricName, measurement } of settled)
    recorded = { ...recorded, results: withMeasurement(recorded, resolved, metricName, measurement) };
  const assessment = assessRun(recorded.results, resolved.spec);
  const nextAt = { ...state.nextAt };
  const next: ScheduledMeasurement[] = [];
  for (const { metricName, index } of settled) {
    const metric = resolved.spec.metrics.find((candidate) => candidate.name === metricName);
    const result = assessment.metricResults.find((candidate) => candidate.name === metricName);
    const goesOn = metric !== undefined && result !== undefined && !isCompleted(result.phase) && !isCompleted(assessment.phase);
    const at = goesOn ? nextMeasurementTime(metric, result, runStartedAt) : undefined;
    nextAt[metricName] = at?.toISOString() ?? null;
    if (at) next.push({ metricName, index: index + 1, at });
  }
  return { state: { results: assessment.metricResults, nextAt }, phase: assessment.phase, message: assessment.message, next };
}

/**
 * Due times at most this far apart are one moment. Metrics measured together finish a few milliseconds apart (each
 * when its own answer arrives), so without it their next measurements would drift into jobs of their own.
 */
export const DUE_TOGETHER_MS = 250;

/**
 * Measurements due at the same moment, one group per moment (earliest first), so that each group is one job. A
 * group starts at its earliest due time, takes every later one within `DUE_TOGETHER_MS` of it, and falls due at the
 * latest of them: none is taken before it is due, and none waits longer than `DUE_TOGETHER_MS`.
 */
export function groupByDueTime(scheduled: readonly ScheduledMeasurement[]): { at: Date; due: DueMeasurement[] }[] {
  const groups: { at: Date; due: DueMeasurement[] }[] = [];
  let groupStart = Number.NEGATIVE_INFINITY;
  for (const { metricName, index, at } of [...scheduled].sort((left, right) => left.at.getTime() - right.at.getTime())) {
    const current = groups.at(-1);
    if (current && at.getTime() - groupStart <= DUE_TOGETHER_MS) {
      current.due.push({ metricName, index });
      current.at = at;
    } else {
      groups.push({ at, due: [{ metricName, index }] });
      groupStart = at.getTime();
    }
  }
  return groups;
}

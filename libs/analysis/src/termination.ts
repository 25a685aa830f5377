import { recordMeasurement } from './assessment.js';
import { measurementRetentionLimit } from './metric-rules.js';
import { assessRun } from './run-assessment.js';
import {
  isCompleted,
  type AnalysisPhase,
  type AnalysisRunSpec,
  type CompletedPhase,
  type Measurement,
  type MetricResult,
} from './run-types.js';

/** The message of a measurement ended because its run stopped, as upstream writes it. */
export const METRIC_TERMINATED = 'Metric Terminated';

/** How a measurement in flight ends when its run stops. */
export const TERMINATED_OUTCOME = { phase: 'Inconclusive', message: METRIC_TERMINATED } as const satisfies Pick<
  Measurement,
  'phase' | 'message'
>;

/**
 * An in-flight measurement ended because its run stopped, as upstream's Job provider ends one (the Job is deleted,
 * the measurement is Inconclusive) and its controller labels it.
 * @example terminatedMeasurement({ phase: 'Running', startedAt }, now) // { phase: 'Inconclusive', startedAt, finishedAt: now, message: 'Metric Terminated' }
 */
export function terminatedMeasurement(inFlight: Measurement, now: Date): Measurement {
  const { resumeAt: _resumeAt, ...kept } = inFlight;
  return { ...kept, ...TERMINATED_OUTCOME, finishedAt: now };
}

export interface TerminatedResults {
  /** Every metric result, those that had a measurement in flight with it ended and their phase assessed. */
  metricResults: MetricResult[];
  /** The metrics whose in-flight measurement was ended. */
  ended: string[];
}

/**
 * Ends the measurements in flight of a run that stopped (its owner terminated it, or a metric ended it), as
 * upstream's controller does on its next reconcile: each is `terminatedMeasurement`, counted as Inconclusive, and
 * every metric is assessed as terminating (one whose measurement was ended becomes Inconclusive with its message).
 * The run's own phase is left to the caller: a stopped run keeps the phase it stopped with.
 * @example
 * terminateInFlight([{ ...newMetricResult('smoke'), measurements: [{ phase: 'Running', startedAt }] }], spec, now)
 * // { metricResults: [{ name: 'smoke', phase: 'Inconclusive', inconclusive: 1, message: 'Metric Terminated', … }], ended: ['smoke'] }
 */
export function terminateInFlight(
  results: readonly MetricResult[],
  spec: Pick<AnalysisRunSpec, 'metrics' | 'dryRun' | 'measurementRetention'>,
  now: Date,
): TerminatedResults {
  const ended: string[] = [];
  const recorded = results.map((result) => {
    const last = result.measurements.at(-1);
    if (!last || isCompleted(last.phase)) return result;
    ended.push(result.name);
    return recordMeasurement(result, terminatedMeasurement(last, now), measurementRetentionLimit(result.name, spec.measurementRetention));
  });
  if (ended.length === 0) return { metricResults: [...results], ended };
  return { metricResults: assessRun(recorded, { ...spec, terminate: true }).metricResults, ended };
}

/** The message of a run terminated on request, as upstream's `assessRunStatus` writes it. */
export const RUN_TERMINATED = 'Run Terminated';

export type RunTermination =
  { ok: true; phase: CompletedPhase; message: string; metricResults: MetricResult[] } | { ok: false; refusal: string };

/**
 * A run terminated on request (Argo's `spec.terminate`, `kubectl argo rollouts terminate analysisrun`), as upstream's
 * controller settles it: measurements in flight end as {@link terminateInFlight} ends them, then the run takes the
 * worst phase of its completed metrics, Successful when none completed, with "Run Terminated" unless a metric's
 * breach says more. A run not started yet (no `spec`) ends Successful at once; a run that completed is refused.
 * @example terminateRun({ phase: 'Running', results: [] }, spec, now) // { ok: true, phase: 'Successful', message: 'Run Terminated', metricResults: [] }
 * @example terminateRun({ phase: 'Failed', results }, spec, now) // { ok: false, refusal: 'the analysis run already ended Failed' }
 */
export function terminateRun(
  run: { phase: AnalysisPhase; results: readonly MetricResult[] },
  spec: Pick<AnalysisRunSpec, 'metrics' | 'dryRun' | 'measurementRetention'> | undefined,
  now: Date,
): RunTermination {
  if (isCompleted(run.phase)) return { ok: false, refusal: `the analysis run already ended ${run.phase}` };
  if (spec === undefined) return { ok: true, phase: 'Successful', message: RUN_TERMINATED, metricResults: [...run.results] };
  const { metricResults } = terminateInFlight(run.results, spec, now);
  const assessment = assessRun(metricResults, { ...spec, terminate: true });
  const phase = isCompleted(assessment.phase) ? assessment.phase : 'Successful';
  return { ok: true, phase, message: assessment.message || RUN_TERMINATED, metricResults: assessment.metricResults };
}

import type { Metric } from '@flotilla/argo-spec';
import { metricSettings } from './metric-settings.js';
import { isCompleted, type AnalysisPhase, type CompletedPhase, type Measurement, type MetricResult } from './run-types.js';

/** An empty result for a metric that has not measured yet. */
export function newMetricResult(name: string, dryRun = false): MetricResult {
  return {
    name,
    phase: 'Running',
    measurements: [],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    dryRun,
  };
}

/**
 * Adds a measurement to a metric result as Argo's controller does: a measurement that completes the
 * in-flight one replaces it, anything else is appended; completed measurements update the counters
 * (an Error does not count towards `count` and breaks a success streak); only the latest
 * `retentionLimit` measurements are kept, the counters keep the whole history.
 * @example
 * recordMeasurement(newMetricResult('rate'), { phase: 'Failed', finishedAt: t }, 10)
 * // { count: 1, failed: 1, consecutiveSuccess: 0, measurements: [{ phase: 'Failed', … }], … }
 */
export function recordMeasurement(result: MetricResult, measurement: Measurement, retentionLimit: number): MetricResult {
  const last = result.measurements.at(-1);
  const completesInFlight = last !== undefined && !isCompleted(last.phase);
  const measurements = [...(completesInFlight ? result.measurements.slice(0, -1) : result.measurements), measurement];
  const next: MetricResult = { ...result, measurements: measurements.slice(-retentionLimit) };
  switch (measurement.phase) {
    case 'Successful':
      return {
        ...next,
        count: next.count + 1,
        successful: next.successful + 1,
        consecutiveError: 0,
        consecutiveSuccess: next.consecutiveSuccess + 1,
      };
    case 'Failed':
      return { ...next, count: next.count + 1, failed: next.failed + 1, consecutiveError: 0, consecutiveSuccess: 0 };
    case 'Inconclusive':
      return { ...next, count: next.count + 1, inconclusive: next.inconclusive + 1, consecutiveError: 0, consecutiveSuccess: 0 };
    case 'Error':
      return { ...next, error: next.error + 1, consecutiveError: next.consecutiveError + 1, consecutiveSuccess: 0 };
    case 'Pending':
    case 'Running':
      return next;
  }
}

export interface MetricAssessment {
  phase: AnalysisPhase;
  /** Why a limit decided the phase, such as `failed (2) > failureLimit (1)`. */
  limitMessage?: string;
}

/**
 * Which limit, if any, ends the metric early. Later rules win, as upstream: a run of consecutive errors
 * outranks too many inconclusive results, which outranks too many failures.
 * @example
 * breachedLimit({ name: 'rate', failureLimit: 1, provider: {} }, { ...newMetricResult('rate'), failed: 2 })
 * // { phase: 'Failed', limitMessage: 'failed (2) > failureLimit (1)' }
 */
export function breachedLimit(metric: Metric, result: MetricResult): { phase: CompletedPhase; limitMessage: string } | undefined {
  const settings = metricSettings(metric);
  let breach: { phase: CompletedPhase; limitMessage: string } | undefined;
  if (settings.failureLimit >= 0 && result.failed > settings.failureLimit) {
    breach = { phase: 'Failed', limitMessage: `failed (${result.failed}) > failureLimit (${settings.failureLimit})` };
  }
  if (result.inconclusive > settings.inconclusiveLimit) {
    breach = {
      phase: 'Inconclusive',
      limitMessage: `inconclusive (${result.inconclusive}) > inconclusiveLimit (${settings.inconclusiveLimit})`,
    };
  }
  if (result.consecutiveError > settings.consecutiveErrorLimit) {
    breach = {
      phase: 'Error',
      limitMessage: `consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${settings.consecutiveErrorLimit})`,
    };
  }
  return breach;
}

export interface AssessMetricOptions {
  /** The run is stopping: a metric without an end, or one that never measured, is then Successful. */
  terminating?: boolean;
}

/**
 * The phase of one metric from its counters, as Argo's `assessMetricStatus`:
 * - a completed result keeps its phase; no measurement yet is Pending (Successful when terminating);
 * - an in-flight last measurement keeps the metric Running;
 * - `failureLimit` (default 0, -1 off), `inconclusiveLimit` (default 0) and `consecutiveErrorLimit`
 *   (default 4) end it as Failed, Inconclusive or Error once exceeded;
 * - `consecutiveSuccessLimit` ends it Successful once reached;
 * - reaching `count` ends it: Successful when only the failure limit applies, Failed when only the
 *   consecutive success limit applies (it was not reached), Inconclusive when both apply;
 * - otherwise it runs on, or is Successful when the run is terminating.
 * @example
 * assessMetric({ name: 'rate', interval: '1m', count: 3, failureLimit: 1, provider: {} },
 *   { …newMetricResult('rate'), count: 3, failed: 1, successful: 2, measurements: [...] })
 * // { phase: 'Successful' }
 */
export function assessMetric(metric: Metric, result: MetricResult, options: AssessMetricOptions = {}): MetricAssessment {
  if (isCompleted(result.phase)) return { phase: result.phase };
  const last = result.measurements.at(-1);
  if (!last) return { phase: options.terminating ? 'Successful' : 'Pending' };
  if (!isCompleted(last.phase)) return { phase: 'Running' };
  const breach = breachedLimit(metric, result);
  if (breach) return breach;
  const settings = metricSettings(metric);
  const successLimitApplies = settings.consecutiveSuccessLimit > 0;
  if (successLimitApplies && result.consecutiveSuccess >= settings.consecutiveSuccessLimit) return { phase: 'Successful' };
  if (settings.count !== undefined && result.count >= settings.count) {
    if (!successLimitApplies) return { phase: 'Successful' };
    return { phase: settings.failureLimit >= 0 ? 'Inconclusive' : 'Failed' };
  }
  return { phase: options.terminating ? 'Successful' : 'Running' };
}

import type { Metric } from '@flotilla/argo-spec';
import { DEFAULT_ERROR_RETRY_INTERVAL_MS, metricSettings } from './metric-settings.js';
import { isCompleted, type MetricResult } from './run-types.js';

/**
 * When a metric's next measurement is due, as Argo's controller decides it:
 * - the first measurement at `runStartedAt`, or `initialDelay` after it;
 * - an in-flight measurement at its `resumeAt` (without one, the provider reports its completion itself);
 * - after a measurement that ended in Error, 10 s after it finished;
 * - otherwise `interval` after the last measurement finished (10 s when a count needs more
 *   measurements but no interval was given);
 * - `undefined` once the metric completed or reached its count, or when its timings cannot be parsed.
 *
 * A terminating run takes no new measurement; callers only resume in-flight ones then.
 * A time in the past means the measurement is overdue and should be taken now.
 * @example
 * nextMeasurementTime({ name: 'rate', interval: '1m', provider }, resultFinishedAt('10:00:00'), runStart)
 * // 10:01:00
 */
export function nextMeasurementTime(metric: Metric, result: MetricResult | undefined, runStartedAt: Date): Date | undefined {
  if (result && isCompleted(result.phase)) return undefined;
  const settings = metricSettings(metric);
  const last = result?.measurements.at(-1);
  if (!result || !last) {
    if (!metric.initialDelay) return runStartedAt;
    return settings.initialDelayMs === undefined ? undefined : new Date(runStartedAt.getTime() + settings.initialDelayMs);
  }
  if (!isCompleted(last.phase) || !last.finishedAt) return last.resumeAt;
  if (settings.count !== undefined && result.count >= settings.count) return undefined;
  if (last.phase !== 'Error' && metric.interval && settings.intervalMs === undefined) return undefined;
  const waitMs = last.phase === 'Error' ? DEFAULT_ERROR_RETRY_INTERVAL_MS : (settings.intervalMs ?? DEFAULT_ERROR_RETRY_INTERVAL_MS);
  return new Date(last.finishedAt.getTime() + waitMs);
}

import { parseGoDuration, type IntOrString, type Metric } from '@flotilla/argo-spec';

export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** How soon a measurement that ended in Error is retried when the metric has no interval of its own. */
export const DEFAULT_ERROR_RETRY_INTERVAL_MS = 10_000;
export const DEFAULT_MEASUREMENT_RETENTION = 10;

/**
 * The integer of a Kubernetes IntOrString as Go's `IntValue()` reads it: a string that is not an integer counts as 0.
 * @example intValue('3') === 3; intValue(undefined) === undefined; intValue('three') === 0
 */
export function intValue(value: IntOrString | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Math.trunc(value);
  return /^[+-]?\d+$/.test(value) ? Number(value) : 0;
}

/** The limits and timings of a metric with Argo's defaults applied. */
export interface MetricSettings {
  /** Measurements to take; `undefined` means no end (an interval without a count). */
  count: number | undefined;
  /** Failed measurements tolerated; -1 turns the limit off. */
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** Consecutive successes that complete the metric; 0 turns the rule off. */
  consecutiveSuccessLimit: number;
  intervalMs: number | undefined;
  initialDelayMs: number | undefined;
}

/**
 * Applies Argo's defaults: a metric with neither `count` nor `interval` measures once; with an interval
 * and no count it measures until stopped; `failureLimit` and `inconclusiveLimit` default to 0 and
 * `consecutiveErrorLimit` to 4.
 * @example metricSettings({ name: 'm', provider: {} }).count === 1
 * @example metricSettings({ name: 'm', interval: '30s', provider: {} }).count === undefined
 */
export function metricSettings(metric: Metric): MetricSettings {
  const count = intValue(metric.count) ?? 0;
  return {
    count: count === 0 ? (metric.interval ? undefined : 1) : count,
    failureLimit: intValue(metric.failureLimit) ?? 0,
    inconclusiveLimit: intValue(metric.inconclusiveLimit) ?? 0,
    consecutiveErrorLimit: intValue(metric.consecutiveErrorLimit) ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
    consecutiveSuccessLimit: intValue(metric.consecutiveSuccessLimit) ?? 0,
    intervalMs: metric.interval ? parseGoDuration(metric.interval) : undefined,
    initialDelayMs: metric.initialDelay ? parseGoDuration(metric.initialDelay) : undefined,
  };
}

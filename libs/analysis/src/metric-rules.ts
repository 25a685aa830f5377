import type { DryRun, MeasurementRetention } from '@flotilla/argo-spec';
import { DEFAULT_MEASUREMENT_RETENTION } from './metric-settings.js';

/**
 * Whether a dry-run or retention rule applies to a metric. Argo reads `metricName` as an unanchored
 * regular expression, so `.*` covers every metric and `error` covers `error-rate`; a pattern that does
 * not compile matches nothing.
 * @example ruleMatches('total-.*', 'total-5xx-errors') === true
 */
export function ruleMatches(pattern: string, metricName: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(metricName);
  } catch {
    return false;
  }
}

/** @example isDryRunMetric('error-rate', [{ metricName: '.*' }]) === true */
export function isDryRunMetric(metricName: string, rules: readonly DryRun[]): boolean {
  return rules.some((rule) => ruleMatches(rule.metricName, metricName));
}

/**
 * How many measurements of a metric are kept: the limit of the last matching rule when above 0, else 10.
 * @example measurementRetentionLimit('error-rate', [{ metricName: 'error.*', limit: 20 }]) === 20
 */
export function measurementRetentionLimit(metricName: string, rules: readonly MeasurementRetention[]): number {
  const matching = rules.filter((rule) => ruleMatches(rule.metricName, metricName)).at(-1);
  return matching && matching.limit > 0 ? matching.limit : DEFAULT_MEASUREMENT_RETENTION;
}

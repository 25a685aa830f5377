import type { Metric } from '@flotilla/argo-spec';
import { evaluateMeasurementResult } from './measurement.js';
import type { CompletedPhase } from './run-types.js';

/** What one cluster's agent answered for its part of a pooled measurement (a `MeasurementOutcome` fits). */
export type ClusterOutcome = { ok: true; value: unknown; phase?: CompletedPhase } | { ok: false; error: string };

/** One entry of a pooled measurement's `result`: the cluster's value exactly as a single-cluster run would see it. */
export interface PooledEntry {
  cluster: string;
  value: unknown;
}

export interface PooledMeasurement {
  phase: CompletedPhase;
  /** The pooled `result`, one entry per cluster in name order; absent when the measurement could not be formed. */
  result?: PooledEntry[];
  /** The pooled `result` as text, as a measurement's value is stored. */
  value?: string;
  message?: string;
}

/**
 * Forms one pooled measurement from the answers of a wave's clusters to the same moment, or `undefined` while a
 * cluster has still to answer and the deadline has not passed. Every cluster must answer: a cluster without an
 * answer at the deadline, an error in any cluster, or a provider that decided a phase itself (a Job, Kayenta)
 * makes it Error, never a smaller sample. Otherwise the metric's conditions are evaluated over the list
 * `[{ cluster, value }, …]` in cluster name order, as `evaluateMeasurementResult` evaluates one value. Answers of
 * clusters outside `clusters` are ignored.
 * @example
 * poolMeasurement({ successCondition: 'all(result, {#.value[0] < 0.01})' }, ['a', 'b'],
 *   new Map([['a', { ok: true, value: [0.001] }], ['b', { ok: true, value: [0.02] }]]), false)
 * // { phase: 'Failed', result: [{ cluster: 'a', value: [0.001] }, { cluster: 'b', value: [0.02] }], value: '[…]' }
 */
export function poolMeasurement(
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>,
  clusters: readonly string[],
  answers: ReadonlyMap<string, ClusterOutcome>,
  deadlinePassed: boolean,
  measuredAt?: Date,
): PooledMeasurement | undefined {
  const names = [...new Set(clusters)].sort();
  const missing = names.filter((cluster) => !answers.has(cluster));
  if (missing.length > 0) {
    return deadlinePassed
      ? { phase: 'Error', message: `no answer from ${plural('cluster', missing)} ${missing.join(', ')} in time` }
      : undefined;
  }
  const outcomes = names.map((cluster) => [cluster, answers.get(cluster) as ClusterOutcome] as const);
  const errors = outcomes.flatMap(([cluster, outcome]) => (outcome.ok ? [] : [`${cluster}: ${outcome.error}`]));
  if (errors.length > 0) return { phase: 'Error', message: errors.join('; ') };
  const decided = outcomes.flatMap(([cluster, outcome]) => (outcome.ok && outcome.phase ? [`${cluster} (${outcome.phase})`] : []));
  if (decided.length > 0) {
    return { phase: 'Error', message: `the provider decided its phase in ${decided.join(', ')}: a pooled measurement needs values` };
  }
  const result = outcomes.map(([cluster, outcome]): PooledEntry => ({ cluster, value: outcome.ok ? outcome.value : undefined }));
  const evaluation = evaluateMeasurementResult(metric, result, measuredAt);
  return { phase: evaluation.phase, result, value: JSON.stringify(result), ...(evaluation.message ? { message: evaluation.message } : {}) };
}

function plural(noun: string, items: readonly unknown[]): string {
  return items.length === 1 ? noun : `${noun}s`;
}

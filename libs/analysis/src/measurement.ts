import type { Metric } from '@flotilla/argo-spec';
import { compileCondition, ConditionSyntaxError } from './condition/compile.js';
import type { CompletedPhase } from './run-types.js';

export interface MeasurementEvaluation {
  phase: CompletedPhase;
  /** Why the measurement is in Error. */
  message?: string;
}

/**
 * Decides the phase of one measurement from its value, exactly as Argo's `EvaluateResult`:
 * - no condition at all: Successful (unless nothing could be measured, which the provider reports as Error);
 * - only `successCondition`: Successful when it holds, otherwise Failed;
 * - only `failureCondition`: Failed when it holds, otherwise Successful;
 * - both: Failed when the failure condition holds (it wins over success), Successful when only the
 *   success condition holds, Inconclusive when neither does;
 * - a condition that does not compile, fails to evaluate or is not boolean: Error, with Argo's wording around the
 *   reason: `could not evaluate successCondition "…": …`, and `metric result is nil or empty: …` in place of the
 *   reason when the value is nil or an empty list.
 *
 * `measuredAt` is what `now()` answers in a condition.
 *
 * `value` is what the provider shaped for `result`: Prometheus gives a number for a scalar and an array
 * of numbers for a vector, `web` the JSON at its `jsonPath`, Datadog a number or `null` when there is no
 * data, New Relic an object of the query's fields, CloudWatch an array of `{ Id, Label, Timestamps, Values }`.
 * Arguments must already be substituted into the metric (see `substituteArgs`).
 * @example
 * evaluateMeasurementResult({ name: 'rate', successCondition: 'result[0] >= 0.95', provider: {} }, [0.9])
 * // { phase: 'Failed' }
 */
export function evaluateMeasurementResult(
  metric: Pick<Metric, 'successCondition' | 'failureCondition'>,
  value: unknown,
  measuredAt?: Date,
): MeasurementEvaluation {
  const success = decide('successCondition', metric.successCondition, value, measuredAt);
  if (typeof success === 'string') return { phase: 'Error', message: success };
  const failure = decide('failureCondition', metric.failureCondition, value, measuredAt);
  if (typeof failure === 'string') return { phase: 'Error', message: failure };
  if (success === undefined && failure === undefined) return { phase: 'Successful' };
  const failed = failure ?? !success;
  const succeeded = success ?? !failure;
  if (failed) return { phase: 'Failed' };
  return { phase: succeeded ? 'Successful' : 'Inconclusive' };
}

/** `undefined` when there is no condition, the decision when it evaluated, the error message otherwise. */
function decide(
  field: 'successCondition' | 'failureCondition',
  condition: string | undefined,
  value: unknown,
  now: Date | undefined,
): boolean | string | undefined {
  if (!condition) return undefined;
  const compiled = compileCondition(condition);
  const outcome = compiled instanceof ConditionSyntaxError ? compiled : compiled.evaluate(now ? { result: value, now } : { result: value });
  if (typeof outcome === 'boolean') return outcome;
  const reason = isNilOrEmpty(value) ? 'metric result is nil or empty: no data returned from the metric provider' : outcome.message;
  return `could not evaluate ${field} ${JSON.stringify(condition)}: ${reason}`;
}

function isNilOrEmpty(value: unknown): boolean {
  return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}

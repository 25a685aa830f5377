import { BUILTINS } from './builtins.js';
import { EvaluationFailure } from './evaluation-failure.js';
import { evaluateNode } from './evaluator.js';
import { ConditionParseFailure } from './lexer.js';
import { parseCondition } from './parser.js';
import { ConditionTime, typeName } from './values.js';

export type TimeExpressionResult = { ok: true; time: Date } | { ok: false; error: string };

const NANOSECONDS_PER_MILLISECOND = 1_000_000n;
const NO_VARIABLES: ReadonlySet<string> = new Set();

/**
 * Evaluates a Prometheus `rangeQuery` time (`start`, `end`) at `now`, in the condition language as Argo does:
 * `now()`, `date(…)` and `duration(…)` with the operators and built-ins conditions have, to a time.
 * @example evaluateTimeExpression('now() - duration("1h")', new Date('2024-03-05T10:00:00Z')) // { ok: true, time: 2024-03-05T09:00:00Z }
 */
export function evaluateTimeExpression(source: string, now: Date): TimeExpressionResult {
  try {
    const value = evaluateNode(parseCondition(source, NO_VARIABLES, BUILTINS), { result: undefined, now });
    if (value instanceof ConditionTime) return { ok: true, time: new Date(Number(value.epochNanoseconds / NANOSECONDS_PER_MILLISECOND)) };
    return { ok: false, error: `expected a time, but got ${typeName(value)}` };
  } catch (failure) {
    if (failure instanceof ConditionParseFailure) return { ok: false, error: failure.message };
    if (failure instanceof EvaluationFailure) return { ok: false, error: failure.detail };
    throw failure;
  }
}

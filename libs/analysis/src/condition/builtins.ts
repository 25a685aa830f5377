import { EvaluationFailure, typeMismatch } from './evaluation-failure.js';
import type { FunctionSignature } from './parser.js';
import { isConditionArray, isConditionMap, isNil, typeName, type ConditionArray } from './values.js';

export type Closure = (element: unknown) => unknown;

export interface Builtin extends FunctionSignature {
  apply(values: readonly unknown[], closure: Closure | undefined): unknown;
}

const GO_INTEGER = /^[+-]?\d+$/;
const GO_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf|infinity)$/i;

function array(name: string, value: unknown): ConditionArray {
  if (!isConditionArray(value)) throw typeMismatch(`${name}() cannot iterate over ${typeName(value)}`);
  return value;
}

function number(name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeMismatch(`${name}() expects float64, got ${typeName(value)}`);
  return value;
}

function predicateOutcome(name: string, closure: Closure | undefined, element: unknown): boolean {
  const outcome = (closure as Closure)(element);
  if (typeof outcome !== 'boolean') throw typeMismatch(`${name}() predicate must return bool, got ${typeName(outcome)}`);
  return outcome;
}

function closureBuiltin(
  name: string,
  over: (items: ConditionArray, test: (item: unknown) => boolean, closure: Closure) => unknown,
): Builtin {
  return {
    parameters: 2,
    closureParameter: 1,
    apply: ([items], closure) => over(array(name, items), (item) => predicateOutcome(name, closure, item), closure as Closure),
  };
}

function invalidSyntax(parser: string, text: string): EvaluationFailure {
  return new EvaluationFailure('invalid-value', `strconv.${parser}: parsing ${JSON.stringify(text)}: invalid syntax`);
}

function asInt(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EvaluationFailure('invalid-value', `asInt() cannot convert ${value} to an integer`);
    return Math.trunc(value);
  }
  if (typeof value !== 'string') throw typeMismatch(`asInt() not supported on ${typeName(value)}`);
  if (!GO_INTEGER.test(value)) throw invalidSyntax('ParseInt', value);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed))
    throw new EvaluationFailure('invalid-value', `strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
  return parsed;
}

function asFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') throw typeMismatch(`asFloat() not supported on ${typeName(value)}`);
  if (/^nan$/i.test(value)) return Number.NaN;
  if (!GO_FLOAT.test(value)) throw invalidSyntax('ParseFloat', value);
  const unsigned = value.replace(/^[+-]/, '');
  const magnitude = /^inf/i.test(unsigned) ? Number.POSITIVE_INFINITY : Number(unsigned);
  return value.startsWith('-') ? -magnitude : magnitude;
}

function length(value: unknown): number {
  if (typeof value === 'string') return [...value].length;
  if (isConditionArray(value)) return value.length;
  if (isConditionMap(value)) return Object.keys(value).length;
  throw typeMismatch(`invalid argument for len (type ${typeName(value)})`);
}

/**
 * The numbers of `values`, arrays flattened at any depth, as expr-lang's `mean`, `median`, `min` and `max` read
 * their arguments; anything else is refused with expr-lang's message.
 */
function numbers(name: string, values: readonly unknown[]): number[] {
  const found: number[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'number') found.push(value);
    else if (isConditionArray(value)) value.forEach(visit);
    else throw typeMismatch(`invalid argument for ${name} (type ${typeName(value)})`);
  };
  values.forEach(visit);
  return found;
}

/** expr-lang's `sum(array[, predicate])`: 0 for an empty array; every element (or what the predicate makes of it) a number. */
function sum(items: unknown, closure: Closure | undefined): number {
  let total = 0;
  for (const item of array('sum', items)) {
    const value = closure ? closure(item) : item;
    if (typeof value !== 'number') throw typeMismatch(`invalid argument for sum (type ${typeName(value)})`);
    total += value;
  }
  return total;
}

/**
 * expr-lang's `min` and `max`: over numbers and arrays of numbers (`max(1, [2, 3])`), `nil` when there is none; a
 * single argument that is neither is answered as it is, as expr-lang does.
 */
function extreme(name: 'min' | 'max', values: readonly unknown[]): unknown {
  const [only] = values;
  if (values.length === 1 && typeof only !== 'number' && !isConditionArray(only)) return only;
  const found = numbers(name, values);
  if (found.length === 0) return null;
  return found.reduce((best, value) => ((name === 'min' ? value < best : value > best) ? value : best));
}

/** expr-lang's `mean`: 0 when there is no number. */
function mean(values: readonly unknown[]): number {
  const found = numbers('mean', values);
  return found.length === 0 ? 0 : found.reduce((total, value) => total + value, 0) / found.length;
}

/** expr-lang's `median`: the middle number, or the mean of the two middle ones; 0 when there is no number. */
function median(values: readonly unknown[]): number {
  const found = numbers('median', values).sort((left, right) => left - right);
  const middle = Math.floor(found.length / 2);
  if (found.length === 0) return 0;
  return found.length % 2 === 1 ? (found[middle] as number) : ((found[middle - 1] as number) + (found[middle] as number)) / 2;
}

/**
 * The functions a condition may call: expr-lang's built-ins that Argo conditions use, plus Argo's own helpers.
 * Nothing else is callable; a name outside this table is refused when the condition is compiled.
 */
export const BUILTINS: Readonly<Record<string, Builtin>> = Object.freeze({
  len: { parameters: 1, apply: ([value]) => length(value) },
  abs: { parameters: 1, apply: ([value]) => Math.abs(number('abs', value)) },
  asInt: { parameters: 1, apply: ([value]) => asInt(value) },
  asFloat: { parameters: 1, apply: ([value]) => asFloat(value) },
  isNaN: { parameters: 1, apply: ([value]) => Number.isNaN(number('isNaN', value)) },
  isInf: { parameters: 1, apply: ([value]) => Math.abs(number('isInf', value)) === Number.POSITIVE_INFINITY },
  isNil: { parameters: 1, apply: ([value]) => isNil(value) },
  default: { parameters: 2, apply: ([value, fallback]) => (isNil(value) ? fallback : value) },
  all: closureBuiltin('all', (items, test) => items.every(test)),
  any: closureBuiltin('any', (items, test) => items.some(test)),
  none: closureBuiltin('none', (items, test) => !items.some(test)),
  one: closureBuiltin('one', (items, test) => items.filter(test).length === 1),
  filter: closureBuiltin('filter', (items, test) => items.filter(test)),
  count: closureBuiltin('count', (items, test) => items.filter(test).length),
  map: closureBuiltin('map', (items, _test, closure) => items.map((item) => closure(item))),
  sum: { parameters: 1, maxParameters: 2, closureParameter: 1, apply: ([items], closure) => sum(items, closure) },
  min: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => extreme('min', values) },
  max: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => extreme('max', values) },
  mean: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => mean(values) },
  median: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => median(values) },
});

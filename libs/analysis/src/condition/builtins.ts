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
});

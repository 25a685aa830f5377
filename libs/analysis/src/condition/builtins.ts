import { EvaluationFailure, typeMismatch } from './evaluation-failure.js';
import type { FunctionSignature } from './parser.js';
import { STRING_BUILTINS } from './string-builtins.js';
import { TIME_BUILTINS } from './time-builtins.js';
import {
  isConditionArray,
  isConditionMap,
  isConditionNumber,
  isNil,
  typeName,
  type ConditionArray,
  type ConditionMap,
  type ConditionNumber,
} from './values.js';

export type Closure = (element: unknown) => unknown;

/** What every call can see besides its arguments. */
export interface CallContext {
  result: unknown;
  /** The time of the measurement, read by `now()`. */
  now: Date | undefined;
  /** Values of the other names a condition may use (`rollout` in a notification trigger's `when`). */
  variables?: Readonly<Record<string, unknown>>;
}

export interface Builtin extends FunctionSignature {
  apply(values: readonly unknown[], closure: Closure | undefined, context: CallContext): unknown;
}

const GO_INTEGER = /^[+-]?\d+$/;
const GO_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf|infinity)$/i;

function array(name: string, value: unknown): ConditionArray {
  if (!isConditionArray(value)) throw typeMismatch(`${name}() cannot iterate over ${typeName(value)}`);
  return value;
}

function map(name: string, value: unknown): ConditionMap {
  if (!isConditionMap(value)) throw typeMismatch(`${name}() expects a map, got ${typeName(value)}`);
  return value;
}

function number(name: string, value: unknown): number {
  if (!isConditionNumber(value)) throw typeMismatch(`${name}() expects float64, got ${typeName(value)}`);
  return Number(value);
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

/** Argo's `asInt` and expr-lang's `int`: a float is truncated, a string read as a base-10 integer. */
export function toInt(name: string, value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EvaluationFailure('invalid-value', `${name}() cannot convert ${value} to an integer`);
    return BigInt.asIntN(64, BigInt(Math.trunc(value)));
  }
  if (typeof value !== 'string') throw typeMismatch(`${name}() not supported on ${typeName(value)}`);
  if (!GO_INTEGER.test(value)) throw invalidSyntax('ParseInt', value);
  const parsed = BigInt(value);
  if (parsed !== BigInt.asIntN(64, parsed))
    throw new EvaluationFailure('invalid-value', `strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
  return parsed;
}

/** Argo's `asFloat` and expr-lang's `float`: a string is read as Go's `strconv.ParseFloat` reads it. */
export function toFloat(name: string, value: unknown): number {
  if (isConditionNumber(value)) return Number(value);
  if (typeof value !== 'string') throw typeMismatch(`${name}() not supported on ${typeName(value)}`);
  if (/^nan$/i.test(value)) return Number.NaN;
  if (!GO_FLOAT.test(value)) throw invalidSyntax('ParseFloat', value);
  const unsigned = value.replace(/^[+-]/, '');
  const magnitude = /^inf/i.test(unsigned) ? Number.POSITIVE_INFINITY : Number(unsigned);
  return value.startsWith('-') ? -magnitude : magnitude;
}

function length(value: unknown): bigint {
  if (typeof value === 'string') return BigInt([...value].length);
  if (isConditionArray(value)) return BigInt(value.length);
  if (isConditionMap(value)) return BigInt(Object.keys(value).length);
  throw typeMismatch(`invalid argument for len (type ${typeName(value)})`);
}

/**
 * The numbers of `values`, arrays flattened at any depth, as expr-lang's `mean`, `median`, `min` and `max` read
 * their arguments; anything else is refused with expr-lang's message.
 */
function numbers(name: string, values: readonly unknown[]): ConditionNumber[] {
  const found: ConditionNumber[] = [];
  const visit = (value: unknown): void => {
    if (isConditionNumber(value)) found.push(value);
    else if (isConditionArray(value)) value.forEach(visit);
    else throw typeMismatch(`invalid argument for ${name} (type ${typeName(value)})`);
  };
  values.forEach(visit);
  return found;
}

/**
 * expr-lang's `sum(array[, predicate])`: int 0 for an empty array; every element (or what the predicate makes of
 * it) a number; an int while every one is an int.
 */
function sum(items: unknown, closure: Closure | undefined): ConditionNumber {
  let total: ConditionNumber = 0n;
  for (const item of array('sum', items)) {
    const value = closure ? closure(item) : item;
    if (!isConditionNumber(value)) throw typeMismatch(`invalid argument for sum (type ${typeName(value)})`);
    total = typeof total === 'bigint' && typeof value === 'bigint' ? BigInt.asIntN(64, total + value) : Number(total) + Number(value);
  }
  return total;
}

/**
 * expr-lang's `min` and `max`: over numbers and arrays of numbers (`max(1, [2, 3])`), `nil` when there is none; a
 * single argument that is neither is answered as it is, as expr-lang does.
 */
function extreme(name: 'min' | 'max', values: readonly unknown[]): unknown {
  const [only] = values;
  if (values.length === 1 && !isConditionNumber(only) && !isConditionArray(only)) return only;
  const found = numbers(name, values);
  if (found.length === 0) return null;
  return found.reduce((best, value) => ((name === 'min' ? Number(value) < Number(best) : Number(value) > Number(best)) ? value : best));
}

/** expr-lang's `mean`: a float, 0 when there is no number. */
function mean(values: readonly unknown[]): number {
  const found = numbers('mean', values).map(Number);
  return found.length === 0 ? 0 : found.reduce((total, value) => total + value, 0) / found.length;
}

/** expr-lang's `median`: the middle number, or the mean of the two middle ones, as a float; 0 when there is no number. */
function median(values: readonly unknown[]): number {
  const found = numbers('median', values)
    .map(Number)
    .sort((left, right) => left - right);
  const middle = Math.floor(found.length / 2);
  if (found.length === 0) return 0;
  return found.length % 2 === 1 ? (found[middle] as number) : ((found[middle - 1] as number) + (found[middle] as number)) / 2;
}

/** expr-lang's `abs`: keeps an int an int. */
function absolute(value: unknown): ConditionNumber {
  if (typeof value === 'bigint') return value < 0n ? BigInt.asIntN(64, -value) : value;
  if (typeof value === 'number') return Math.abs(value);
  throw typeMismatch(`invalid argument for abs (type ${typeName(value)})`);
}

/** expr-lang's `ceil`, `floor` and `round`: always a float. */
function rounding(name: string, round: (value: number) => number): Builtin {
  return {
    parameters: 1,
    apply: ([value]) => {
      if (!isConditionNumber(value)) throw typeMismatch(`invalid argument for ${name} (type ${typeName(value)})`);
      return round(Number(value));
    },
  };
}

/** Go's `math.Round`: halves away from zero. */
function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/**
 * The functions a condition may call: expr-lang's built-ins that Argo conditions use, plus Argo's own helpers.
 * Nothing else is callable; a name outside this table is refused when the condition is compiled.
 */
export const BUILTINS: Readonly<Record<string, Builtin>> = Object.freeze({
  len: { parameters: 1, apply: ([value]) => length(value) },
  abs: { parameters: 1, apply: ([value]) => absolute(value) },
  ceil: rounding('ceil', Math.ceil),
  floor: rounding('floor', Math.floor),
  round: rounding('round', roundHalfAwayFromZero),
  int: { parameters: 1, apply: ([value]) => toInt('int', value) },
  float: { parameters: 1, apply: ([value]) => toFloat('float', value) },
  asInt: { parameters: 1, apply: ([value]) => toInt('asInt', value) },
  asFloat: { parameters: 1, apply: ([value]) => toFloat('asFloat', value) },
  isNaN: { parameters: 1, apply: ([value]) => Number.isNaN(number('isNaN', value)) },
  isInf: { parameters: 1, apply: ([value]) => Math.abs(number('isInf', value)) === Number.POSITIVE_INFINITY },
  // Argo's isNil and default look at `result` whatever their argument is.
  isNil: { parameters: 1, apply: (_values, _closure, { result }) => isNil(result) },
  default: { parameters: 2, apply: ([, fallback], _closure, { result }) => (isNil(result) ? fallback : result) },
  all: closureBuiltin('all', (items, test) => items.every(test)),
  any: closureBuiltin('any', (items, test) => items.some(test)),
  none: closureBuiltin('none', (items, test) => !items.some(test)),
  one: closureBuiltin('one', (items, test) => items.filter(test).length === 1),
  filter: closureBuiltin('filter', (items, test) => items.filter(test)),
  count: closureBuiltin('count', (items, test) => BigInt(items.filter(test).length)),
  find: closureBuiltin('find', (items, test) => items.find(test)),
  findIndex: closureBuiltin('findIndex', (items, test) => BigInt(items.findIndex(test))),
  findLast: closureBuiltin('findLast', (items, test) => items.findLast(test)),
  findLastIndex: closureBuiltin('findLastIndex', (items, test) => BigInt(items.findLastIndex(test))),
  map: closureBuiltin('map', (items, _test, closure) => items.map((item) => closure(item))),
  sum: { parameters: 1, maxParameters: 2, closureParameter: 1, apply: ([items], closure) => sum(items, closure) },
  min: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => extreme('min', values) },
  max: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => extreme('max', values) },
  mean: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => mean(values) },
  median: { parameters: 1, maxParameters: Number.POSITIVE_INFINITY, apply: (values) => median(values) },
  first: { parameters: 1, apply: ([items]) => array('first', items)[0] },
  last: { parameters: 1, apply: ([items]) => array('last', items).at(-1) },
  reverse: { parameters: 1, apply: ([items]) => [...array('reverse', items)].reverse() },
  keys: { parameters: 1, apply: ([value]) => Object.keys(map('keys', value)) },
  values: { parameters: 1, apply: ([value]) => Object.values(map('values', value)) },
  ...STRING_BUILTINS,
  ...TIME_BUILTINS,
});

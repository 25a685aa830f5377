import { RE2JS } from 're2js';
import { EvaluationFailure, typeMismatch } from './evaluation-failure.js';
import { ConditionDuration, ConditionTime, goInt, isConditionArray, isConditionNumber, typeName, type ConditionNumber } from './values.js';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%' | '**';
export type ComparisonOperator = '<' | '<=' | '>' | '>=';

/** The longest list a range such as `1..3` may build. */
export const MAXIMUM_RANGE_LENGTH = 100_000;
const PATTERN_CACHE_SIZE = 64;
const compiledPatterns = new Map<string, RE2JS>();

export function mismatch(operator: string, left: unknown, right: unknown): EvaluationFailure {
  return typeMismatch(`invalid operation: ${operator} (mismatched types ${typeName(left)} and ${typeName(right)})`);
}

/** expr-lang's arithmetic: int with int stays int (wrapping at 64 bits), anything with a float is a float. */
export function arithmetic(operator: ArithmeticOperator, left: unknown, right: unknown): unknown {
  if (typeof left === 'bigint' && typeof right === 'bigint') return integerArithmetic(operator, left, right);
  if (isConditionNumber(left) && isConditionNumber(right)) return floatArithmetic(operator, left, right);
  if (operator === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  if (operator === '+' && isConditionArray(left) && isConditionArray(right)) return [...left, ...right];
  const timed = timeArithmetic(operator, left, right);
  if (timed === undefined) throw mismatch(operator, left, right);
  return timed;
}

function integerArithmetic(operator: ArithmeticOperator, left: bigint, right: bigint): ConditionNumber {
  switch (operator) {
    case '+':
      return goInt(left + right);
    case '-':
      return goInt(left - right);
    case '*':
      return goInt(left * right);
    case '%':
      if (right === 0n) throw new EvaluationFailure('invalid-value', 'integer divide by zero');
      return left % right;
    case '/':
    case '**':
      return floatArithmetic(operator, left, right);
  }
}

function floatArithmetic(operator: ArithmeticOperator, left: ConditionNumber, right: ConditionNumber): number {
  const [a, b] = [Number(left), Number(right)];
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '**':
      return a ** b;
    case '%':
      throw mismatch(operator, left, right);
  }
}

/** `time ± duration`, `time - time` and `duration ± duration`, as Go's `time` package answers them. */
function timeArithmetic(operator: ArithmeticOperator, left: unknown, right: unknown): ConditionTime | ConditionDuration | undefined {
  if (operator !== '+' && operator !== '-') return undefined;
  const sign = operator === '+' ? 1n : -1n;
  if (left instanceof ConditionTime && right instanceof ConditionDuration) {
    return new ConditionTime(left.epochNanoseconds + sign * right.nanoseconds, left.zone);
  }
  if (operator === '+' && left instanceof ConditionDuration && right instanceof ConditionTime) {
    return new ConditionTime(right.epochNanoseconds + left.nanoseconds, right.zone);
  }
  if (operator === '-' && left instanceof ConditionTime && right instanceof ConditionTime) {
    return new ConditionDuration(left.epochNanoseconds - right.epochNanoseconds);
  }
  if (left instanceof ConditionDuration && right instanceof ConditionDuration) {
    return new ConditionDuration(goInt(left.nanoseconds + sign * right.nanoseconds));
  }
  return undefined;
}

/** Orders two numbers (of either kind), two strings, two instants or two durations; anything else is an error. */
export function compare(operator: ComparisonOperator, left: unknown, right: unknown): boolean {
  const order = ordering(left, right);
  if (order === undefined) throw mismatch(operator, left, right);
  if (Number.isNaN(order)) return false;
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** Negative, zero or positive; `NaN` when a float is NaN; `undefined` when the two cannot be ordered. */
function ordering(left: unknown, right: unknown): number | undefined {
  if (typeof left === 'bigint' && typeof right === 'bigint') return left < right ? -1 : left > right ? 1 : 0;
  if (isConditionNumber(left) && isConditionNumber(right)) return Number(left) - Number(right);
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (left instanceof ConditionTime && right instanceof ConditionTime) return Number(left.epochNanoseconds - right.epochNanoseconds);
  if (left instanceof ConditionDuration && right instanceof ConditionDuration) return Number(left.nanoseconds - right.nanoseconds);
  return undefined;
}

/** `from..to`: the ints from `from` to `to`, both included; empty when `to` is below `from`. */
export function range(from: unknown, to: unknown): bigint[] {
  if (typeof from !== 'bigint' || typeof to !== 'bigint') throw mismatch('..', from, to);
  if (to - from >= BigInt(MAXIMUM_RANGE_LENGTH)) {
    throw new EvaluationFailure('invalid-value', `range ${from}..${to} is longer than ${MAXIMUM_RANGE_LENGTH} elements`);
  }
  const items: bigint[] = [];
  for (let value = from; value <= to; value += 1n) items.push(value);
  return items;
}

/** Compiles an RE2 pattern as Go's `regexp` reads it; throws its `error parsing regexp: …` message. */
export function compilePattern(pattern: string): RE2JS {
  const cached = compiledPatterns.get(pattern);
  if (cached) return cached;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (failure) {
    throw new EvaluationFailure('invalid-value', failure instanceof Error ? failure.message : String(failure));
  }
  if (compiledPatterns.size >= PATTERN_CACHE_SIZE) compiledPatterns.delete(compiledPatterns.keys().next().value as string);
  compiledPatterns.set(pattern, compiled);
  return compiled;
}

/** `text matches pattern`: whether the RE2 pattern matches anywhere in the text, in linear time. */
export function matches(text: unknown, pattern: unknown): boolean {
  if (typeof text !== 'string' || typeof pattern !== 'string') throw mismatch('matches', text, pattern);
  return compilePattern(pattern).matcher(text).find();
}

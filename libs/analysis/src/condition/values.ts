/**
 * The values a condition works on: what a provider produced (JSON-like data) and what the
 * condition computes from it. Only plain data is ever read; nothing reaches a prototype.
 */

export type ConditionArray = readonly unknown[];
export type ConditionMap = Readonly<Record<string, unknown>>;

/** Names that would reach into JavaScript internals; refused wherever a property is read. */
export const FORBIDDEN_PROPERTIES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** An instant, as expr-lang's `time.Time`: nanoseconds since the Unix epoch and the zone it was read in. */
export class ConditionTime {
  constructor(
    readonly epochNanoseconds: bigint,
    readonly zone: string,
  ) {}
}

/** A span of time, as Go's `time.Duration`: a whole number of nanoseconds. */
export class ConditionDuration {
  constructor(readonly nanoseconds: bigint) {}
}

/** expr-lang keeps integers (`int`, here a `bigint`) apart from floats (`float64`, here a `number`). */
export type ConditionNumber = bigint | number;

export function isConditionNumber(value: unknown): value is ConditionNumber {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** Go's `int` is 64 bits wide and wraps around on overflow. */
export function goInt(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

export function isConditionArray(value: unknown): value is ConditionArray {
  return Array.isArray(value);
}

/** A plain data object: `{…}` or JSON, never a class instance, function or built-in such as `Map`. */
export function isConditionMap(value: unknown): value is ConditionMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The type of a value as Go's expr-lang would print it, so that messages read as they do in Argo.
 * @example typeName(0.5) === 'float64'; typeName(null) === '<nil>'
 */
export function typeName(value: unknown): string {
  if (isNil(value)) return '<nil>';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'bigint') return 'int';
  if (value instanceof ConditionTime) return 'time.Time';
  if (value instanceof ConditionDuration) return 'time.Duration';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (isConditionArray(value)) return '[]interface {}';
  if (isConditionMap(value)) return 'map[string]interface {}';
  return `unsupported ${typeof value}`;
}

/** Reads an own data property without invoking getters or touching the prototype chain. */
export function readOwnProperty(map: ConditionMap, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(map, key);
  return descriptor && 'value' in descriptor ? (descriptor.value as unknown) : undefined;
}

export function hasOwnDataProperty(map: ConditionMap, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(map, key);
  return descriptor !== undefined && 'value' in descriptor;
}

/**
 * Deep equality of condition values as expr-lang's `==`: an int and a float compare by value (`NaN` equals
 * nothing), instants by the moment they name, values of other different types are never equal.
 */
export function valuesEqual(left: unknown, right: unknown): boolean {
  if (isNil(left) || isNil(right)) return isNil(left) && isNil(right);
  if (isConditionNumber(left) && isConditionNumber(right))
    return typeof left === typeof right ? left === right : Number(left) === Number(right);
  if (left instanceof ConditionTime && right instanceof ConditionTime) return left.epochNanoseconds === right.epochNanoseconds;
  if (left instanceof ConditionDuration && right instanceof ConditionDuration) return left.nanoseconds === right.nanoseconds;
  if (isConditionArray(left) && isConditionArray(right)) {
    return left.length === right.length && left.every((item, index) => valuesEqual(item, right[index]));
  }
  if (isConditionMap(left) && isConditionMap(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => hasOwnDataProperty(right, key) && valuesEqual(readOwnProperty(left, key), readOwnProperty(right, key)))
    );
  }
  return left === right;
}

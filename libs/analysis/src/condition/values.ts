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

/** Deep equality of condition values, numbers compared by value (`NaN` equals nothing), as expr-lang's `==`. */
export function valuesEqual(left: unknown, right: unknown): boolean {
  if (isNil(left) || isNil(right)) return isNil(left) && isNil(right);
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

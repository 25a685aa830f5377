import type { JsonValue } from '../types.js';
import { quoted } from '../kubernetes-names.js';
import { MAX_INT32 } from '../limits.js';
import { childPath, indexPath, type IssueList, keyPath } from './issues.js';

/**
 * A value as it is after structural checking: any part of the wrong type is left out,
 * so every field that is present has the type `T` gives it, and any field may be missing.
 */
export type Loose<T> = T extends readonly (infer Item)[]
  ? (Loose<Item> | undefined)[]
  : T extends object
    ? { [K in keyof T]?: Loose<T[K]> }
    : T;

declare const schemaValue: unique symbol;

/** Checks the shape of one value of type `V` and answers it with every invalid part left out. */
export interface Schema<V> {
  readonly required: boolean;
  /** `undefined` when the value itself is unusable; every problem is recorded in `issues`. */
  check(this: void, value: unknown, path: string, issues: IssueList): Loose<V> | undefined;
  readonly [schemaValue]?: V;
}

export type OptionalSchema<V> = Schema<V> & { readonly required: false };
export type RequiredSchema<V> = Schema<V> & { readonly required: true };

/**
 * One schema per field of `T`, and only those: required fields of `T` take a `required(...)` schema,
 * optional ones a plain schema, so a schema cannot drift from the type it checks.
 */
export type FieldSchemas<T> = {
  [K in keyof T]-?: undefined extends T[K] ? OptionalSchema<Exclude<T[K], undefined>> : RequiredSchema<T[K]>;
};

const INT32_MAX = MAX_INT32;
const INT32_MIN = -MAX_INT32 - 1;

function schema<V>(check: (value: unknown, path: string, issues: IssueList) => Loose<V> | undefined): OptionalSchema<V> {
  return { required: false, check };
}

export function required<V>(inner: OptionalSchema<V>): RequiredSchema<V> {
  return { required: true, check: inner.check };
}

/** `describeValue([]) === 'an array'`: how a value reads in a message. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
    case 'number':
      return `the number ${value}`;
    case 'string':
      return `the string ${quoted(value)}`;
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'undefined':
    case 'function':
      return `${typeof value} ${String(value)}`;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A string, not blank when `nonEmpty`, and refused with the reason `problem` gives when it answers one. */
export function string(options: { nonEmpty?: boolean; problem?: (text: string) => string | undefined } = {}): OptionalSchema<string> {
  return schema((value, path, issues) => {
    if (typeof value !== 'string') {
      issues.add(path, `must be a string, not ${describeValue(value)}`);
      return undefined;
    }
    if (options.nonEmpty === true && value.trim() === '') {
      issues.add(path, 'must not be empty');
      return undefined;
    }
    const problem = options.problem?.(value);
    if (problem !== undefined) {
      issues.add(path, problem);
      return undefined;
    }
    return value;
  });
}

export function boolean(): OptionalSchema<boolean> {
  return schema((value, path, issues) => {
    if (typeof value === 'boolean') return value;
    issues.add(path, `must be a boolean, not ${describeValue(value)}`);
    return undefined;
  });
}

export function number(): OptionalSchema<number> {
  return schema((value, path, issues) => {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    issues.add(path, `must be a number, not ${describeValue(value)}`);
    return undefined;
  });
}

/** A 32-bit integer, as Kubernetes `int32` fields are, within `[min, max]` when given. */
export function integer(bounds: { min?: number; max?: number } = {}): OptionalSchema<number> {
  const min = bounds.min ?? INT32_MIN;
  const max = bounds.max ?? INT32_MAX;
  return schema((value, path, issues) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      issues.add(path, `must be an integer, not ${describeValue(value)}`);
      return undefined;
    }
    if (value < min) {
      issues.add(path, `must be ${min === 0 ? 'non-negative' : `at least ${min}`}, not ${value}`);
      return undefined;
    }
    if (value > max) {
      issues.add(path, `must be at most ${max}, not ${value}`);
      return undefined;
    }
    return value;
  });
}

const PERCENTAGE = /^(0|[1-9]\d*)%$/;

/** `intOrStringValue('25%') === 25`, `intOrStringValue(3) === 3`: the number an IntOrString holds. */
export function intOrStringValue(value: number | string): number | undefined {
  if (typeof value === 'number') return value;
  const match = PERCENTAGE.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Kubernetes `IntOrString` used as a count or a share: a non-negative integer or a percentage such as `"25%"`. */
export function intOrPercent(): OptionalSchema<number | string> {
  return schema((value, path, issues) => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && PERCENTAGE.test(value)) return value;
    issues.add(path, `must be a non-negative integer or a percentage such as "25%", not ${describeValue(value)}`);
    return undefined;
  });
}

/** An IntOrString whose string form is checked by the rules that use it (a duration, a placeholder); its integer is an int32. */
export function intOrString(): OptionalSchema<number | string> {
  return schema((value, path, issues) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (value >= INT32_MIN && value <= INT32_MAX) return value;
      issues.add(path, `must be between ${INT32_MIN} and ${INT32_MAX}, not ${value}`);
      return undefined;
    }
    issues.add(path, `must be an integer or a string, not ${describeValue(value)}`);
    return undefined;
  });
}

export function oneOf<const Values extends readonly string[]>(values: Values): OptionalSchema<Values[number]> {
  return schema((value, path, issues) => {
    if (typeof value === 'string' && values.includes(value)) return value as Loose<Values[number]>;
    issues.add(path, `must be one of ${values.map((allowed) => JSON.stringify(allowed)).join(', ')}, not ${describeValue(value)}`);
    return undefined;
  });
}

/** A list of one schema; with `maxItems`, the list is refused whole beyond that many items. */
export function array<Item>(item: Schema<Item>, options: { minItems?: number; maxItems?: number } = {}): OptionalSchema<Item[]> {
  return schema<Item[]>((value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.add(path, `must be a list, not ${describeValue(value)}`);
      return undefined;
    }
    if (options.maxItems !== undefined && value.length > options.maxItems) {
      issues.add(path, `must have at most ${options.maxItems} items, not ${value.length}`);
      return undefined;
    }
    if (options.minItems !== undefined && value.length < options.minItems) {
      issues.add(path, options.minItems === 1 ? 'must not be empty' : `must have at least ${options.minItems} items`);
    }
    return value.map((element, index) => item.check(element, indexPath(path, index), issues));
  });
}

const invalidFieldsByObject = new WeakMap<object, Set<string>>();

/**
 * A map from string keys to values of one schema, such as labels: with `keyProblem`, each key is checked too,
 * and with `maxEntries` the map is refused whole beyond that many keys.
 */
export function record<V>(
  values: Schema<V>,
  options: { keyProblem?: (key: string) => string | undefined; maxEntries?: number } = {},
): OptionalSchema<Record<string, V>> {
  return schema<Record<string, V>>((value, path, issues) => {
    if (!isPlainObject(value)) {
      issues.add(path, `must be an object, not ${describeValue(value)}`);
      return undefined;
    }
    const entries = Object.entries(value);
    if (options.maxEntries !== undefined && entries.length > options.maxEntries) {
      issues.add(path, `must have at most ${options.maxEntries} entries, not ${entries.length}`);
      return undefined;
    }
    const result: Record<string, Loose<V>> = {};
    const refusedKeys = new Set<string>();
    invalidFieldsByObject.set(result, refusedKeys);
    for (const [key, element] of entries) {
      const keyProblem = options.keyProblem?.(key);
      if (keyProblem !== undefined) issues.add(keyPath(path, key), `is not a valid key: ${keyProblem}`);
      const checked = values.check(element, keyPath(path, key), issues);
      if (checked !== undefined) result[key] = checked;
      else refusedKeys.add(key);
    }
    return result;
  });
}

/** Whether a checked object (or map) had any field that was refused: unknown, or of the wrong shape. */
export function hadRefusedFields(checked: object): boolean {
  return (invalidFieldsByObject.get(checked)?.size ?? 0) > 0;
}

/**
 * Whether a checked object had `field` at all, even with a value that was refused and left out:
 * rules such as "at most one of setWeight, pause, experiment and analysis per step" must count it, or they would report
 * a second, wrong issue.
 */
export function isPresent(checked: object, field: string): boolean {
  return (checked as Record<string, unknown>)[field] !== undefined || invalidFieldsByObject.get(checked)?.has(field) === true;
}

/** Whether exactly one of `fields` is present on a checked object, counting refused values. */
export function exactlyOnePresent(checked: object, fields: readonly string[]): boolean {
  return fields.filter((field) => isPresent(checked, field)).length === 1;
}

function closestField(field: string, known: readonly string[]): string | undefined {
  const lower = field.toLowerCase();
  return known.find((candidate) => candidate.toLowerCase() === lower);
}

/**
 * An object with exactly the fields of `T`: unknown fields are refused by name, required ones must be present.
 * A field set to `null` counts as absent, as in Kubernetes.
 */
export function object<T>(
  fields: FieldSchemas<T>,
  options: { describeUnknownField?: (field: string, known: readonly string[]) => string } = {},
): OptionalSchema<T> {
  const entries = fields as Record<string, Schema<unknown>>;
  const known = Object.keys(entries);
  return schema((value, path, issues) => {
    if (!isPlainObject(value)) {
      issues.add(path, `must be an object, not ${describeValue(value)}`);
      return undefined;
    }
    const result: Record<string, unknown> = {};
    const invalidFields = new Set<string>();
    invalidFieldsByObject.set(result, invalidFields);
    for (const [field, fieldValue] of Object.entries(value)) {
      const fieldSchema = Object.hasOwn(entries, field) ? entries[field] : undefined;
      if (fieldSchema === undefined) {
        const suggestion = closestField(field, known);
        const message = options.describeUnknownField?.(field, known) ?? `unknown field "${field}"`;
        issues.add(childPath(path, field), `${message}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
        invalidFields.add(field);
        continue;
      }
      if (fieldValue === null) continue;
      const checked = fieldSchema.check(fieldValue, childPath(path, field), issues);
      if (checked === undefined) invalidFields.add(field);
      else result[field] = checked;
    }
    for (const field of known) {
      if (entries[field]?.required === true && (value[field] === undefined || value[field] === null)) {
        issues.add(childPath(path, field), 'is required');
      }
    }
    return result as Loose<T>;
  });
}

function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  return isPlainObject(value) && Object.values(value).every(isJsonValue);
}

/** Any JSON value, not looked into: used where Kubernetes itself owns the shape (a Job spec, a container). */
export function jsonValue(): OptionalSchema<JsonValue> {
  return schema<JsonValue>((value, path, issues) => {
    if (isJsonValue(value)) return value;
    issues.add(path, 'must be plain JSON data (no binary, timestamps or infinite numbers)');
    return undefined;
  });
}

export function jsonObject(): OptionalSchema<{ [key: string]: JsonValue }> {
  return schema<{ [key: string]: JsonValue }>((value, path, issues) => {
    if (!isPlainObject(value)) {
      issues.add(path, `must be an object, not ${describeValue(value)}`);
      return undefined;
    }
    return jsonValue().check(value, path, issues) as Loose<{ [key: string]: JsonValue }> | undefined;
  });
}

/** A schema written by hand, for shapes the combinators above cannot say (maps whose known keys have their own shapes). */
export function custom<V>(check: (value: unknown, path: string, issues: IssueList) => Loose<V> | undefined): OptionalSchema<V> {
  return schema(check);
}

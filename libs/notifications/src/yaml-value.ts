import { parse } from 'yaml';
import type { JsonObject, JsonValue } from './json.js';

// Aliases can expand a small text into a huge value; configuration never needs many.
const MAX_ALIAS_COUNT = 100;
const MAX_DEPTH = 32;

/** A YAML text read as plain JSON data, or why it cannot be. */
export function readYamlValue(text: string): { ok: true; value: JsonValue } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = parse(text, { version: '1.2', schema: 'core', uniqueKeys: true, maxAliasCount: MAX_ALIAS_COUNT });
  } catch (failure) {
    const reason = failure instanceof Error ? (failure.message.split('\n')[0] ?? failure.message) : String(failure);
    return { ok: false, message: `invalid YAML: ${reason}` };
  }
  const problem = jsonProblem(value, 0);
  return problem === undefined ? { ok: true, value: (value ?? null) as JsonValue } : { ok: false, message: problem };
}

function jsonProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${value} is not a JSON number`;
  if (Array.isArray(value)) return value.map((item) => jsonProblem(item, depth + 1)).find((problem) => problem !== undefined);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value)
      .map((item) => jsonProblem(item, depth + 1))
      .find((problem) => problem !== undefined);
  return 'holds a value JSON cannot represent (a date, a set, binary data)';
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

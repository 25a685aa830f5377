function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

/**
 * Structural equality of two JSON values, independent of key order: used to bump a rollout's generation
 * only when its spec really changed. Arrays compare in order; a key holding `undefined` counts as absent,
 * as it does once serialised.
 * @example jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }) === true; jsonEqual([1, 2], [2, 1]) === false
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((element, index) => jsonEqual(element, b[index]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = definedKeys(a);
  return keys.length === definedKeys(b).length && keys.every((key) => jsonEqual(a[key], b[key]));
}

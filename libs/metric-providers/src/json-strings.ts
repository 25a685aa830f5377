/**
 * Applies `map` to every string of a JSON-shaped value, object keys included, and returns a new value of the same
 * shape; numbers, booleans and nulls are kept.
 * @example mapStrings({ headers: [{ key: 'A', value: 'x' }] }, (text) => text.toLowerCase())
 * // { headers: [{ key: 'a', value: 'x' }] }
 */
export function mapStrings<T>(value: T, map: (text: string) => string): T {
  return mapValue(value, map) as T;
}

function mapValue(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapValue(item, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [map(key), mapValue(item, map)]));
  }
  return value;
}

/** Every string of a JSON-shaped value, object keys included, depth first. */
export function stringsOf(value: unknown): string[] {
  const found: string[] = [];
  mapStrings(value, (text) => {
    found.push(text);
    return text;
  });
  return found;
}

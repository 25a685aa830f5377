/**
 * The number a measurement's value stands for: the value itself, or the first element of a vector such as
 * Prometheus returns. `undefined` for anything else (maps, strings, NaN), which the chart lists but cannot place.
 * @example measurementNumber('[0.97]') === 0.97
 * @example measurementNumber('0.97') === 0.97
 * @example measurementNumber('{"ok":true}') === undefined
 */
export function measurementNumber(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  const number = typeof first === 'string' && first.trim() !== '' ? Number(first) : first;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

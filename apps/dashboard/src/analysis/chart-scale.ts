/**
 * The value interval a chart shows: every value and threshold, with some room above and below so that points do
 * not sit on the frame; a single value gets room of its own size (or 1 around zero).
 * @example valueDomain([0.97, 0.99], [0.95]) → [0.946, 0.994]
 */
export function valueDomain(values: readonly number[], thresholds: readonly number[]): [number, number] {
  const all = [...values, ...thresholds];
  if (all.length === 0) return [0, 1];
  const min = Math.min(...all);
  const max = Math.max(...all);
  if (max === min) {
    const room = min === 0 ? 1 : Math.abs(min) * 0.1;
    return [min - room, max + room];
  }
  const padding = (max - min) * 0.1;
  return [min - padding, max + padding];
}

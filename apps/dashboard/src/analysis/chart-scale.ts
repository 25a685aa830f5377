/** A linear map from a data interval onto a pixel interval. */
export interface LinearScale {
  (value: number): number;
  domain: readonly [number, number];
}

/**
 * Maps `domain` onto `range` linearly; a zero-width domain maps everything to the middle of the range.
 * @example linearScale([0, 10], [0, 100])(2.5) === 25
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const scale = (value: number): number => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((value - d0) / (d1 - d0)) * (r1 - r0));
  return Object.assign(scale, { domain });
}

/**
 * About `count` round tick values (steps of 1, 2 or 5 times a power of ten) covering `[min, max]`.
 * @example niceTicks(0.91, 0.99, 5) → [0.9, 0.92, 0.94, 0.96, 0.98, 1]
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let tick = Math.floor(min / step) * step; tick <= max + step / 2; tick += step) ticks.push(Number(tick.toFixed(decimals)));
  return ticks;
}

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

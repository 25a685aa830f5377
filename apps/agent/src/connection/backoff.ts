export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/**
 * Delay before retry number `attempt` (1 for the first retry): exponential growth capped at `capMs`, with "full
 * jitter" (anywhere from 0 to that bound) so that agents that lost the control plane together spread their return
 * over the whole window instead of arriving in step. `random` is a number in [0, 1).
 * @example nextBackoffMs(1, 0.5, { baseMs: 500, capMs: 30_000 }) // 250
 *          nextBackoffMs(4, 0.999, { baseMs: 500, capMs: 30_000 }) // ≈ 4000
 *          nextBackoffMs(20, 0.5, { baseMs: 500, capMs: 30_000 }) // 15000
 */
export function nextBackoffMs(attempt: number, random: number, policy: BackoffPolicy): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * random);
}

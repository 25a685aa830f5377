import type { DeliveryOutcome } from '@flotilla/notification-services';

export interface RetryPolicy {
  /** Attempts before a delivery that keeps failing for reasons that may pass is given up. */
  maxAttempts: number;
  /** Wait after the first failed attempt; each further one doubles it. */
  baseDelayMs: number;
  /** Longest wait between two attempts, `Retry-After` included. */
  maxDelayMs: number;
}

/** What becomes of a delivery after one attempt. */
export type DeliveryStep = { kind: 'delivered' } | { kind: 'retry'; at: Date; reason: string } | { kind: 'failed'; reason: string };

/**
 * The step after attempt number `attempts` (1 for the first) ended with `outcome`: delivered; retried with an
 * exponential backoff (or after the receiver's `Retry-After`, whichever is longer, within `maxDelayMs`) when the
 * failure may pass; failed when the receiver refused it or the attempts ran out.
 *
 * @example
 * deliveryStep({ kind: 'retryable', reason: 'hooks answered 503' }, 3, now, { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 300000 })
 * // → { kind: 'retry', at: now + 4 s, reason: 'hooks answered 503' }
 */
export function deliveryStep(outcome: DeliveryOutcome, attempts: number, now: Date, policy: RetryPolicy): DeliveryStep {
  switch (outcome.kind) {
    case 'delivered':
      return { kind: 'delivered' };
    case 'permanent':
      return { kind: 'failed', reason: outcome.reason };
    case 'retryable': {
      if (attempts >= policy.maxAttempts) return { kind: 'failed', reason: `${outcome.reason} (gave up after ${attempts} attempts)` };
      const backoff = policy.baseDelayMs * 2 ** Math.max(0, attempts - 1);
      const delay = Math.min(policy.maxDelayMs, Math.max(backoff, outcome.retryAfterMs ?? 0));
      return { kind: 'retry', at: new Date(now.getTime() + delay), reason: outcome.reason };
    }
  }
}

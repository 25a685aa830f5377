/**
 * What one attempt to send a notification came to. `retryable`: the receiver may take it later (a 5xx, a 429, a
 * timeout, a connection that failed); `permanent`: sending it again cannot help (a 4xx, a recipient or setting the
 * service does not know). `retryAfterMs` is set when the receiver said how long to wait (`Retry-After`).
 */
export type DeliveryOutcome =
  { kind: 'delivered' } | { kind: 'retryable'; reason: string; retryAfterMs?: number } | { kind: 'permanent'; reason: string };

export const delivered = (): DeliveryOutcome => ({ kind: 'delivered' });

export const retryable = (reason: string, retryAfterMs?: number): DeliveryOutcome =>
  retryAfterMs === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, retryAfterMs };

export const permanent = (reason: string): DeliveryOutcome => ({ kind: 'permanent', reason });

/** A notification that cannot be sent as it is (a missing field, a recipient the service does not know): never retried. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

import { describe, expect, it } from 'vitest';
import { deliveryStep } from './delivery-schedule.js';

const now = new Date('2026-12-05T10:00:00Z');
const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };
const later = (ms: number) => new Date(now.getTime() + ms);

describe('deliveryStep', () => {
  it.each([
    ['delivered', { kind: 'delivered' as const }, 1, { kind: 'delivered' }],
    [
      'a 4xx, on the first attempt',
      { kind: 'permanent' as const, reason: 'hooks answered 404' },
      1,
      { kind: 'failed', reason: 'hooks answered 404' },
    ],
    ['a 5xx after one attempt', { kind: 'retryable' as const, reason: '503' }, 1, { kind: 'retry', at: later(1000), reason: '503' }],
    ['a 5xx after three attempts', { kind: 'retryable' as const, reason: '503' }, 3, { kind: 'retry', at: later(4000), reason: '503' }],
    [
      'a 429 asking for more than the backoff',
      { kind: 'retryable' as const, reason: '429', retryAfterMs: 9000 },
      1,
      { kind: 'retry', at: later(9000), reason: '429' },
    ],
    [
      'a 429 asking for less than the backoff',
      { kind: 'retryable' as const, reason: '429', retryAfterMs: 10 },
      2,
      { kind: 'retry', at: later(2000), reason: '429' },
    ],
    [
      'a Retry-After past the longest wait',
      { kind: 'retryable' as const, reason: '429', retryAfterMs: 3_600_000 },
      1,
      { kind: 'retry', at: later(60_000), reason: '429' },
    ],
    [
      'a timeout on the last attempt',
      { kind: 'retryable' as const, reason: 'timed out' },
      5,
      { kind: 'failed', reason: 'timed out (gave up after 5 attempts)' },
    ],
  ])('%s', (_case, outcome, attempts, expected) => {
    expect(deliveryStep(outcome, attempts, now, policy)).toEqual(expected);
  });

  it('never waits longer than the longest wait, however many attempts', () => {
    const step = deliveryStep({ kind: 'retryable', reason: '500' }, 40, now, { ...policy, maxAttempts: 100 });
    expect(step).toEqual({ kind: 'retry', at: later(60_000), reason: '500' });
  });
});

const STRIKE_WINDOW_MS = 60_000;
/** How long an agent told `rate_limited` is asked to wait, and is not told again. */
const RETRY_AFTER_MS = 1_000;

/** What to do with one message of an agent. */
export type RateDecision =
  | { kind: 'take' }
  /** Over the rate: drop the message, and tell the agent when it may send again if it has not been told yet. */
  | { kind: 'drop'; tellRetryAfterSeconds: number | undefined }
  /** Over the rate again and again after being told: end the connection. */
  | { kind: 'disconnect' };

/**
 * The message rate of one agent connection, counted in this process: a cluster's connection is held by one API
 * replica (a newer one replaces it), so a count of its own gives the guarantee a shared count gave, without a Redis
 * round trip per message. A token bucket of one second's messages, refilled continuously; and when the agent was
 * last told `rate_limited`, and how often within a minute.
 */
export class AgentMessageRate {
  private tokens: number;
  private refilledAt: number;
  private toldUntil = 0;
  private strikes: number[] = [];

  constructor(
    private readonly messagesPerSecond: number,
    private readonly strikesPerMinute: number,
    now: number,
  ) {
    this.tokens = messagesPerSecond;
    this.refilledAt = now;
  }

  /**
   * Counts one message.
   * @example at 100 messages per second with 1 strike a minute: a burst of 150 at once takes 100; the 101st is
   *          dropped and the agent told to retry in 1 s; the rest are dropped silently; the first one over the rate
   *          after that second, within the same minute, disconnects.
   */
  decide(now: number): RateDecision {
    const elapsedMs = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.messagesPerSecond, this.tokens + (elapsedMs * this.messagesPerSecond) / 1_000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { kind: 'take' };
    }
    if (now < this.toldUntil) return { kind: 'drop', tellRetryAfterSeconds: undefined };
    this.strikes = [...this.strikes.filter((at) => now - at < STRIKE_WINDOW_MS), now];
    if (this.strikes.length > this.strikesPerMinute) return { kind: 'disconnect' };
    this.toldUntil = now + RETRY_AFTER_MS;
    return { kind: 'drop', tellRetryAfterSeconds: RETRY_AFTER_MS / 1_000 };
  }
}

import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

const STRIKE_WINDOW_MS = 60_000;

/** What to do with one message of an agent. */
export type RateDecision =
  | { kind: 'take' }
  /** Over the rate: drop the message, and tell the agent when it may send again if it has not been told yet. */
  | { kind: 'drop'; tellRetryAfterSeconds: number | undefined }
  /** Over the rate again and again after being told: end the connection. */
  | { kind: 'disconnect' };

/** The rate state of one agent connection: when it was last told `rate_limited`, and how often within a minute. */
export class RateStanding {
  toldUntil = 0;
  strikes: number[] = [];
}

/**
 * Messages per second per agent, counted in Redis by cluster, so that every API replica holds the same count. While
 * Redis is not ready the count is kept in this process instead (rate-limiter-flexible's insurance limiter): the
 * gateway keeps taking messages within the rate, as counted by each replica alone.
 */
export class AgentRateLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    redisPrefix: string,
    messagesPerSecond: number,
    private readonly strikesPerMinute: number,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${redisPrefix}:agent-messages`,
      points: messagesPerSecond,
      duration: 1,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: messagesPerSecond, duration: 1 }),
    });
  }

  /**
   * Counts one message of the cluster's agent.
   * @example at 100 messages per second with 1 strike a minute: messages 1–100 of a second are taken; the 101st is
   *          dropped and the agent told to retry in ≤ 1 s; the rest of that second are dropped silently; the first
   *          one over the rate in a later second of the same minute disconnects.
   */
  async decide(clusterId: string, standing: RateStanding, now: number): Promise<RateDecision> {
    let refusal: RateLimiterRes;
    try {
      await this.limiter.consume(clusterId);
      return { kind: 'take' };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      refusal = rejection;
    }
    if (now < standing.toldUntil) return { kind: 'drop', tellRetryAfterSeconds: undefined };
    standing.strikes = [...standing.strikes.filter((at) => now - at < STRIKE_WINDOW_MS), now];
    if (standing.strikes.length > this.strikesPerMinute) return { kind: 'disconnect' };
    standing.toldUntil = now + refusal.msBeforeNext;
    return { kind: 'drop', tellRetryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
  }
}

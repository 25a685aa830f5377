import type { Redis } from 'ioredis';

/**
 * A per-service send rate: at most `perSecond` attempts in each second for one organization's service, counted in
 * Redis so that every worker shares the count. Losing the counters (Redis flushed) only lets one second through freely.
 * `perSecond` 0 sets no rate (as Argo Rollouts, which has none): every attempt is allowed without asking Redis.
 */
export class ServiceRateLimit {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perSecond: number,
  ) {}

  /** Takes a slot for an attempt now; when the second's slots are gone, the time the next second starts instead. */
  async take(organizationId: string, service: string, now: Date): Promise<{ allowed: true } | { allowed: false; retryAt: Date }> {
    if (this.perSecond === 0) return { allowed: true };
    const second = Math.floor(now.getTime() / 1000);
    const key = `${this.prefix}:notification-rate:${organizationId}:${service}:${second}`;
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, 2000).exec()) as [[Error | null, number], unknown];
    return count <= this.perSecond ? { allowed: true } : { allowed: false, retryAt: new Date((second + 1) * 1000) };
  }
}

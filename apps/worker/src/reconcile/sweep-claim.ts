import type { Redis } from 'ioredis';

/** The claim lapses this much before the interval ends, so that the worker that swept claims the next one too. */
const CLAIM_SHARE_OF_INTERVAL = 0.9;

/**
 * One sweep per interval across all workers: each worker's timer ticks every interval, and a tick sweeps only if its
 * worker is the first to claim the interval. Whoever swept keeps claiming, and another worker takes over within an
 * interval once it stops. A claim Redis cannot answer counts as taken: a sweep too many is harmless (the sweep's
 * advisory lock and job ids see to that), one too few is not.
 */
export class SweepClaim {
  private readonly claimMs: number;

  constructor(
    private readonly redis: Pick<Redis, 'set'>,
    private readonly key: string,
    intervalMs: number,
    private readonly holder: string,
  ) {
    this.claimMs = Math.max(1, Math.floor(intervalMs * CLAIM_SHARE_OF_INTERVAL));
  }

  async claim(): Promise<boolean> {
    try {
      return (await this.redis.set(this.key, this.holder, 'PX', this.claimMs, 'NX')) === 'OK';
    } catch {
      return true;
    }
  }
}

import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, RetryLaterError } from '@flotilla/service-runtime';

export interface RateLimits {
  /** Points each API token may spend per window. */
  points: number;
  windowSeconds: number;
  /** Requests without a valid token each client address may make per window. */
  anonymousRequests: number;
}

function limiter(redis: Redis, keyPrefix: string, points: number, duration: number): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration,
    // Without Redis each process counts on its own rather than failing requests.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
  });
}

/**
 * Budgets of requests, kept in Redis so that every API process shares them: each API token spends the price of its
 * operations from its own budget, and requests without a valid token spend one point each from their address's.
 */
export class RequestRateLimiter {
  private readonly byToken: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;

  constructor(redis: Redis, redisPrefix: string, limits: RateLimits) {
    this.byToken = limiter(redis, `${redisPrefix}:rate:token`, limits.points, limits.windowSeconds);
    this.byAddress = limiter(redis, `${redisPrefix}:rate:address`, limits.anonymousRequests, limits.windowSeconds);
  }

  /** Spends `price` points of the token's budget; throws `rate_limited` when the budget cannot pay for it. */
  chargeToken(tokenId: string, price: number): Promise<void> {
    return charge(this.byToken, tokenId, price, 'this token');
  }

  /** Spends one request of the address's budget for requests without a valid token. */
  chargeAddress(address: string): Promise<void> {
    return charge(this.byAddress, address, 1, ANONYMOUS_ADDRESS);
  }

  /** Throws `rate_limited` when the address has already spent its budget for requests without a valid token; spends nothing. */
  async refuseSpentAddress(address: string): Promise<void> {
    const spent = await this.byAddress.get(address);
    if (spent && spent.remainingPoints <= 0) throw budgetSpent(spent, ANONYMOUS_ADDRESS);
  }
}

const ANONYMOUS_ADDRESS = 'this address without a valid token';

function budgetSpent(refusal: RateLimiterRes, who: string): RetryLaterError {
  const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
  return new RetryLaterError(
    ErrorCode.RateLimited,
    `${who} has spent its request budget; retry in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  );
}

async function charge(limiter: RateLimiterRedis, key: string, points: number, who: string): Promise<void> {
  try {
    await limiter.consume(key, Math.max(1, Math.ceil(points)));
  } catch (refusal) {
    if (!(refusal instanceof RateLimiterRes)) throw refusal;
    throw budgetSpent(refusal, who);
  }
}

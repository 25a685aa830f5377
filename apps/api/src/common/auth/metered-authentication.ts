import { FlotillaError } from '@flotilla/service-runtime';
import type { RequestRateLimiter } from '../rate-limit/request-rate-limiter.js';
import type { AuthService } from './auth.service.js';
import type { Principal } from './principal.js';

/**
 * Resolves a caller's `Authorization` to its principal, metering the callers without a valid token by client address:
 * an address that has spent its budget is refused (`rate_limited`, thrown) before its token is hashed and looked up,
 * and each failed authentication spends one request of it. The failure itself (`auth/unauthenticated`) is returned,
 * for the caller to decide when it matters.
 */
export async function authenticateMetered(
  auth: AuthService,
  rateLimiter: RequestRateLimiter,
  authorization: string | undefined,
  clientAddress: string | undefined,
): Promise<Principal | FlotillaError> {
  if (clientAddress) await rateLimiter.refuseSpentAddress(clientAddress);
  try {
    return await auth.authenticate(authorization);
  } catch (error) {
    if (!(error instanceof FlotillaError)) throw error;
    if (clientAddress) await rateLimiter.chargeAddress(clientAddress);
    return error;
  }
}

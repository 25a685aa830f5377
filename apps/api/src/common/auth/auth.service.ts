import { Injectable } from '@nestjs/common';
import { ApiTokenStore, systemScope } from '@flotilla/stores';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { Principal } from './principal.js';

const LAST_USED_RESOLUTION_MS = 60_000;
const AUTHENTICATION = systemScope('authentication');

@Injectable()
export class AuthService {
  constructor(private readonly tokens: ApiTokenStore) {}

  /** Resolves an `Authorization: Bearer …` header to its principal, or throws `auth/unauthenticated`. */
  async authenticate(authorization: string | undefined, now = new Date()): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new FlotillaError(ErrorCode.Unauthenticated, 'a bearer token is required');
    const token = await this.tokens.findBySecret(AUTHENTICATION, match[1] as string);
    if (!token || token.revokedAt) throw new FlotillaError(ErrorCode.Unauthenticated, 'the token is unknown or revoked');
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.tokens.recordUse(AUTHENTICATION, token.id, now);
    }
    return { organizationId: token.organizationId, tokenId: token.id, tokenName: token.name, role: token.role };
  }
}

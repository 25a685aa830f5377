import { Inject, Injectable } from '@nestjs/common';
import {
  type ApiTokenRecord,
  type AuditEntry,
  ApiTokenStore,
  AuditStore,
  inTransaction,
  type DatabaseClient,
  type IssuedToken,
  OrganizationStore,
  organizationScope,
  prismaSession,
  type Role,
  tokenAuditView,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { generateSecret, ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import { DATABASE } from '../../infrastructure/tokens.js';

@Injectable()
export class TokensService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    private readonly tokens: ApiTokenStore,
    private readonly organizations: OrganizationStore,
    private readonly audit: AuditStore,
  ) {}

  async session(principal: Principal): Promise<{ organization: string; tokenName: string; role: Role }> {
    const organization = await this.organizations.get(organizationScope(principal.organizationId));
    return { organization: organization.name, tokenName: principal.tokenName, role: principal.role };
  }

  list(principal: Principal): Promise<ApiTokenRecord[]> {
    return this.tokens.list(organizationScope(principal.organizationId));
  }

  async create(principal: Principal, name: string, role: Role, requestId: string): Promise<IssuedToken> {
    if (name.trim() === '' || name.length > 100) {
      throw new FlotillaError(ErrorCode.InputInvalid, 'name must have 1 to 100 characters', [
        { path: 'name', message: 'must have 1 to 100 characters' },
      ]);
    }
    return inTransaction(this.database, (transaction, afterCommit) =>
      this.tokens.issue(organizationScope(principal.organizationId), transaction, afterCommit, {
        name,
        role,
        createdBy: actorOf(principal),
        requestId,
      }),
    );
  }

  /** Gives the token a new secret; the old secret stops working at once. */
  async rotate(principal: Principal, id: string, requestId: string): Promise<IssuedToken> {
    const scope = organizationScope(principal.organizationId);
    const existing = await this.find(principal, id);
    if (existing.revokedAt)
      throw new FlotillaError(ErrorCode.InputInvalid, 'a revoked token cannot be rotated', [{ path: 'id', message: 'token is revoked' }]);
    const secret = generateSecret('api');
    const token = await inTransaction(this.database, async (transaction, afterCommit) => {
      const updated = await this.tokens.replaceSecret(scope, transaction, id, secret);
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        tokenChange('token.rotated', principal, existing, updated, requestId),
      ]);
      return updated;
    });
    return { token, secret };
  }

  async revoke(principal: Principal, id: string, requestId: string, now = new Date()): Promise<ApiTokenRecord> {
    const scope = organizationScope(principal.organizationId);
    const existing = await this.find(principal, id);
    if (existing.revokedAt) return existing;
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const updated = await this.tokens.revoke(scope, transaction, id, now);
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        tokenChange('token.revoked', principal, existing, updated, requestId),
      ]);
      return updated;
    });
  }

  private async find(principal: Principal, id: string): Promise<ApiTokenRecord> {
    const token = await this.tokens.find(organizationScope(principal.organizationId), id);
    if (!token) throw notFound(ErrorCode.TokenNotFound, `token ${id}`);
    return token;
  }
}

/** The audit entry of a change to an existing token, before and after as the audit shows tokens. */
function tokenChange(action: string, principal: Principal, before: ApiTokenRecord, after: ApiTokenRecord, requestId: string): AuditEntry {
  return {
    actor: actorOf(principal),
    action,
    targetType: 'ApiToken',
    targetName: before.name,
    targetId: before.id,
    before: tokenAuditView(before),
    after: tokenAuditView(after),
    requestId,
  };
}

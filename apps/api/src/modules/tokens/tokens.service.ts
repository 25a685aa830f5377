import { Inject, Injectable } from '@nestjs/common';
import {
  type ApiToken,
  type Role,
  issueApiToken,
  tokenAuditView,
  type IssuedToken,
  inTransaction,
  type DatabaseClient,
  prismaSession,
  AuditService,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { generateSecret, hashSecret, secretPrefix, ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import { DATABASE } from '../../infrastructure/tokens.js';

@Injectable()
export class TokensService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    private readonly audit: AuditService,
  ) {}

  async session(principal: Principal): Promise<{ organization: string; tokenName: string; role: Role }> {
    const organization = await this.database.organization.findUniqueOrThrow({
      where: { id: principal.organizationId },
      select: { name: true },
    });
    return { organization: organization.name, tokenName: principal.tokenName, role: principal.role };
  }

  list(principal: Principal): Promise<ApiToken[]> {
    return this.database.apiToken.findMany({ where: { organizationId: principal.organizationId }, orderBy: { createdAt: 'asc' } });
  }

  async create(principal: Principal, name: string, role: Role, requestId: string): Promise<IssuedToken> {
    if (name.trim() === '' || name.length > 100) {
      throw new FlotillaError(ErrorCode.InputInvalid, 'name must have 1 to 100 characters', [
        { path: 'name', message: 'must have 1 to 100 characters' },
      ]);
    }
    return inTransaction(this.database, (transaction, afterCommit) =>
      issueApiToken(transaction, afterCommit, this.audit, {
        organizationId: principal.organizationId,
        name,
        role,
        createdBy: actorOf(principal),
        requestId,
      }),
    );
  }

  /** Gives the token a new secret; the old secret stops working at once. */
  async rotate(principal: Principal, id: string, requestId: string): Promise<IssuedToken> {
    const existing = await this.find(principal, id);
    if (existing.revokedAt)
      throw new FlotillaError(ErrorCode.InputInvalid, 'a revoked token cannot be rotated', [{ path: 'id', message: 'token is revoked' }]);
    const secret = generateSecret('api');
    const token = await inTransaction(this.database, async (transaction, afterCommit) => {
      const updated = await transaction.apiToken.update({
        where: { id },
        data: { tokenHash: hashSecret(secret), tokenPrefix: secretPrefix(secret) },
      });
      await this.audit.append(prismaSession(transaction), afterCommit, principal.organizationId, [
        {
          actor: actorOf(principal),
          action: 'token.rotated',
          targetType: 'ApiToken',
          targetName: existing.name,
          targetId: id,
          before: tokenAuditView(existing),
          after: tokenAuditView(updated),
          requestId,
        },
      ]);
      return updated;
    });
    return { token, secret };
  }

  async revoke(principal: Principal, id: string, requestId: string, now = new Date()): Promise<ApiToken> {
    const existing = await this.find(principal, id);
    if (existing.revokedAt) return existing;
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const updated = await transaction.apiToken.update({ where: { id }, data: { revokedAt: now } });
      await this.audit.append(prismaSession(transaction), afterCommit, principal.organizationId, [
        {
          actor: actorOf(principal),
          action: 'token.revoked',
          targetType: 'ApiToken',
          targetName: existing.name,
          targetId: id,
          before: tokenAuditView(existing),
          after: tokenAuditView(updated),
          requestId,
        },
      ]);
      return updated;
    });
  }

  private async find(principal: Principal, id: string): Promise<ApiToken> {
    const token = /^[0-9a-f-]{36}$/.test(id)
      ? await this.database.apiToken.findFirst({ where: { id, organizationId: principal.organizationId } })
      : null;
    if (!token) throw notFound(ErrorCode.TokenNotFound, `token ${id}`);
    return token;
  }
}

import { generateSecret, hashSecret, secretPrefix } from '@flotilla/service-runtime';
import { Role } from '../generated/prisma/enums.js';
import type { AfterCommit, DatabaseClient, Transaction } from '../database/database.js';
import { prismaSession, type PreparedStatement, type SqlPool } from '../database/sql.js';
import { isRecordId } from '../scope/record-id.js';
import type { OrganizationScope, SystemScope } from '../scope/scope.js';
import type { AuditStore } from '../audit/audit-store.js';

export { Role };

/** An API token of an organization. The hash of its secret never leaves the store. */
export interface ApiTokenRecord {
  id: string;
  organizationId: string;
  name: string;
  role: Role;
  /** The first characters of the secret, to tell tokens apart. */
  tokenPrefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface IssuedToken {
  token: ApiTokenRecord;
  secret: string;
}

export interface TokenRequest {
  name: string;
  role: Role;
  /** The actor creating it, as audit records name actors. */
  createdBy: string;
  requestId?: string;
}

export const tokenAuditView = (token: ApiTokenRecord) => ({
  name: token.name,
  role: token.role,
  tokenPrefix: token.tokenPrefix,
  revokedAt: token.revokedAt,
});

const RECORD_FIELDS = {
  id: true,
  organizationId: true,
  name: true,
  role: true,
  tokenPrefix: true,
  createdBy: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

/**
 * The token of a secret's hash, as `RECORD_FIELDS` selects it: hand-written, since every API request authenticates
 * and the Prisma client's planning of the query cost more than the query. $1 the hash.
 */
export const TOKEN_BY_HASH: PreparedStatement = {
  name: 'token-by-hash',
  text: `SELECT id, "organizationId", name, role, "tokenPrefix", "createdBy", "createdAt", "lastUsedAt", "revokedAt"
  FROM "ApiToken" WHERE "tokenHash" = $1`,
};

/** API tokens. Secrets are stored as their hash: the store takes a secret and hashes it, to store or to look it up. */
export class ApiTokenStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly audit: AuditStore,
    /** The pool `findBySecret` reads through; a store without one cannot authenticate. */
    private readonly sql?: SqlPool,
  ) {}

  /** Every token of the organization, revoked ones included, oldest first. */
  list(scope: OrganizationScope): Promise<ApiTokenRecord[]> {
    return this.database.apiToken.findMany({
      where: { organizationId: scope.organizationId },
      orderBy: { createdAt: 'asc' },
      select: RECORD_FIELDS,
    });
  }

  /** The organization's token of that id; null for any other id, well-formed or not. */
  find(scope: OrganizationScope, id: string): Promise<ApiTokenRecord | null> {
    if (!isRecordId(id)) return Promise.resolve(null);
    return this.database.apiToken.findFirst({ where: { id, organizationId: scope.organizationId }, select: RECORD_FIELDS });
  }

  /** Creates a token with a new secret inside the caller's transaction and audits it. */
  async issue(scope: OrganizationScope, transaction: Transaction, afterCommit: AfterCommit, request: TokenRequest): Promise<IssuedToken> {
    const secret = generateSecret('api');
    const token = await transaction.apiToken.create({
      data: {
        organizationId: scope.organizationId,
        name: request.name,
        role: request.role,
        tokenHash: hashSecret(secret),
        tokenPrefix: secretPrefix(secret),
        createdBy: request.createdBy,
      },
      select: RECORD_FIELDS,
    });
    await this.audit.append(scope, prismaSession(transaction), afterCommit, [
      {
        actor: request.createdBy,
        action: 'token.created',
        targetType: 'ApiToken',
        targetName: request.name,
        targetId: token.id,
        after: tokenAuditView(token),
        requestId: request.requestId ?? null,
      },
    ]);
    return { token, secret };
  }

  /** Gives the token the secret `secret` inside the caller's transaction; the old one stops working at the commit. */
  replaceSecret(scope: OrganizationScope, transaction: Transaction, id: string, secret: string): Promise<ApiTokenRecord> {
    return transaction.apiToken.update({
      where: { id, organizationId: scope.organizationId },
      data: { tokenHash: hashSecret(secret), tokenPrefix: secretPrefix(secret) },
      select: RECORD_FIELDS,
    });
  }

  /** Revokes the token at `at` inside the caller's transaction. */
  revoke(scope: OrganizationScope, transaction: Transaction, id: string, at: Date): Promise<ApiTokenRecord> {
    return transaction.apiToken.update({
      where: { id, organizationId: scope.organizationId },
      data: { revokedAt: at },
      select: RECORD_FIELDS,
    });
  }

  /** The token of this secret, of any organization, revoked or not: authentication learns the organization from it. */
  async findBySecret(_scope: SystemScope, secret: string): Promise<ApiTokenRecord | null> {
    if (!this.sql) throw new Error('this token store was made without the SQL pool tokens are authenticated with');
    const [token] = await this.sql.query<ApiTokenRecord>(TOKEN_BY_HASH, [hashSecret(secret)]);
    return token ?? null;
  }

  /** Records that the token was used at `at`. */
  async recordUse(_scope: SystemScope, id: string, at: Date): Promise<void> {
    await this.database.apiToken.update({ where: { id }, data: { lastUsedAt: at } });
  }
}

import type { ApiToken } from '../generated/prisma/client.js';
import type { Role } from '../generated/prisma/enums.js';
import { generateSecret, hashSecret, secretPrefix } from '@flotilla/service-runtime';
import type { AfterCommit, Transaction } from '../database/database.js';
import { prismaSession } from '../database/sql.js';
import type { AuditService } from '../audit/audit.service.js';

export interface IssuedToken {
  token: ApiToken;
  secret: string;
}

export interface TokenRequest {
  organizationId: string;
  name: string;
  role: Role;
  /** The actor creating it, as audit records name actors. */
  createdBy: string;
  requestId?: string;
}

export const tokenAuditView = (token: ApiToken) => ({
  name: token.name,
  role: token.role,
  tokenPrefix: token.tokenPrefix,
  revokedAt: token.revokedAt,
});

/** Creates a token inside the caller's transaction and audits it; only the hash of its secret is stored. */
export async function issueApiToken(
  transaction: Transaction,
  afterCommit: AfterCommit,
  audit: AuditService,
  request: TokenRequest,
): Promise<IssuedToken> {
  const secret = generateSecret('api');
  const token = await transaction.apiToken.create({
    data: {
      organizationId: request.organizationId,
      name: request.name,
      role: request.role,
      tokenHash: hashSecret(secret),
      tokenPrefix: secretPrefix(secret),
      createdBy: request.createdBy,
    },
  });
  await audit.append(prismaSession(transaction), afterCommit, request.organizationId, [
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

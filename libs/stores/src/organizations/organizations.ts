import type { Organization } from '../generated/prisma/client.js';
import type { Role } from '../generated/prisma/enums.js';
import { inTransaction, type DatabaseClient } from '../database/database.js';
import { prismaSession } from '../database/sql.js';
import { AuditService } from '../audit/audit.service.js';
import { issueApiToken, type IssuedToken } from '../tokens/issue-api-token.js';

export interface NewOrganization extends IssuedToken {
  organization: Organization;
}

export const SYSTEM_ACTOR = 'system:bootstrap';

/**
 * Creates an organization with a first token of the given role. Organizations are created by operators of
 * the control plane (the demo set-up, tests and benchmarks), not through the tenant-facing API.
 */
export async function createOrganization(
  database: DatabaseClient,
  audit: AuditService,
  name: string,
  firstToken: { name: string; role: Role },
): Promise<NewOrganization> {
  return inTransaction(database, async (transaction, afterCommit) => {
    const organization = await transaction.organization.create({ data: { name } });
    await audit.append(prismaSession(transaction), afterCommit, organization.id, [
      { actor: SYSTEM_ACTOR, action: 'organization.created', targetType: 'Organization', targetName: name, targetId: organization.id },
    ]);
    const issued = await issueApiToken(transaction, afterCommit, audit, {
      organizationId: organization.id,
      ...firstToken,
      createdBy: SYSTEM_ACTOR,
    });
    return { organization, ...issued };
  });
}

/** Issues one more token for an existing organization, on behalf of the control plane's operator. */
export function issueOperatorToken(
  database: DatabaseClient,
  audit: AuditService,
  organizationId: string,
  token: { name: string; role: Role },
): Promise<IssuedToken> {
  return inTransaction(database, (transaction, afterCommit) =>
    issueApiToken(transaction, afterCommit, audit, { organizationId, ...token, createdBy: SYSTEM_ACTOR }),
  );
}

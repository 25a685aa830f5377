import type { ApiToken, Organization } from '../../generated/prisma/client.js';
import type { Role } from '../../generated/prisma/enums.js';
import { generateSecret, hashSecret, secretPrefix } from '../../common/auth/secrets.js';
import { inTransaction, type DatabaseClient } from '../../infrastructure/database.js';
import { AuditService } from '../audit/audit.service.js';

export interface NewOrganization {
  organization: Organization;
  token: ApiToken;
  secret: string;
}

const SYSTEM_ACTOR = 'system:bootstrap';

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
  const secret = generateSecret('api');
  return inTransaction(database, async (transaction, afterCommit) => {
    const organization = await transaction.organization.create({ data: { name } });
    const token = await transaction.apiToken.create({
      data: {
        organizationId: organization.id,
        name: firstToken.name,
        role: firstToken.role,
        tokenHash: hashSecret(secret),
        tokenPrefix: secretPrefix(secret),
        createdBy: SYSTEM_ACTOR,
      },
    });
    await audit.append(transaction, afterCommit, organization.id, [
      { actor: SYSTEM_ACTOR, action: 'organization.created', targetType: 'Organization', targetName: name, targetId: organization.id },
      {
        actor: SYSTEM_ACTOR,
        action: 'token.created',
        targetType: 'ApiToken',
        targetName: firstToken.name,
        targetId: token.id,
        after: { name: token.name, role: token.role, tokenPrefix: token.tokenPrefix },
      },
    ]);
    return { organization, token, secret };
  });
}

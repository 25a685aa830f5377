import type { Role } from '../generated/prisma/enums.js';
import { inTransaction, type DatabaseClient, type Transaction } from '../database/database.js';
import { prismaSession } from '../database/sql.js';
import { organizationScope, type OrganizationScope, type SystemScope } from '../scope/scope.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { ApiTokenStore, IssuedToken } from '../tokens/api-token-store.js';

/** An organization: the tenant that owns clusters, tokens, rollouts and an audit chain. */
export interface OrganizationRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export interface NewOrganization extends IssuedToken {
  organization: OrganizationRecord;
}

/** What an organization's admins decide for it. */
export interface OrganizationSettings {
  /** A break-glass override takes effect only once an admin other than its requester confirms it. */
  breakGlassNeedsSecondAdmin: boolean;
}

const SETTINGS_FIELDS = { breakGlassNeedsSecondAdmin: true } as const;

export const SYSTEM_ACTOR = 'system:bootstrap';

const RECORD_FIELDS = { id: true, name: true, createdAt: true } as const;

/**
 * Organizations. They are created by operators of the control plane (the demo set-up, tests and benchmarks), not
 * through the tenant-facing API.
 */
export class OrganizationStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly audit: AuditStore,
    private readonly tokens: ApiTokenStore,
  ) {}

  /** Creates an organization with a first token of the given role. */
  create(_scope: SystemScope, name: string, firstToken: { name: string; role: Role }): Promise<NewOrganization> {
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const organization = await transaction.organization.create({ data: { name }, select: RECORD_FIELDS });
      const scope = organizationScope(organization.id);
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [
        { actor: SYSTEM_ACTOR, action: 'organization.created', targetType: 'Organization', targetName: name, targetId: organization.id },
      ]);
      const issued = await this.tokens.issue(scope, transaction, afterCommit, { ...firstToken, createdBy: SYSTEM_ACTOR });
      return { organization, ...issued };
    });
  }

  /** Issues one more token for the organization, on behalf of the control plane's operator. */
  issueOperatorToken(scope: OrganizationScope, token: { name: string; role: Role }): Promise<IssuedToken> {
    return inTransaction(this.database, (transaction, afterCommit) =>
      this.tokens.issue(scope, transaction, afterCommit, { ...token, createdBy: SYSTEM_ACTOR }),
    );
  }

  /** The scope's organization. */
  get(scope: OrganizationScope): Promise<OrganizationRecord> {
    return this.database.organization.findUniqueOrThrow({ where: { id: scope.organizationId }, select: RECORD_FIELDS });
  }

  findByName(_scope: SystemScope, name: string): Promise<OrganizationRecord | null> {
    return this.database.organization.findUnique({ where: { name }, select: RECORD_FIELDS });
  }

  /** The organization's settings. */
  settings(scope: OrganizationScope, transaction: Transaction = this.database): Promise<OrganizationSettings> {
    return transaction.organization.findUniqueOrThrow({ where: { id: scope.organizationId }, select: SETTINGS_FIELDS });
  }

  /** Changes the organization's settings; auditing the change is the caller's, in the same transaction. */
  updateSettings(scope: OrganizationScope, transaction: Transaction, settings: OrganizationSettings): Promise<OrganizationSettings> {
    return transaction.organization.update({ where: { id: scope.organizationId }, data: settings, select: SETTINGS_FIELDS });
  }
}

import { organizationScope, type ApiTokenStore, type OrganizationStore, type SystemScope } from '@flotilla/stores';

export const BOOTSTRAP_TOKEN_NAME = 'bootstrap-admin';

/** What the bootstrap command did; only the first two carry a secret, which exists nowhere else in clear text. */
export type BootstrapOutcome =
  | { kind: 'organizationCreated'; organizationId: string; secret: string; tokenPrefix: string }
  | { kind: 'tokenIssued'; organizationId: string; secret: string; tokenPrefix: string }
  | { kind: 'alreadyBootstrapped'; organizationId: string; adminTokenPrefixes: string[] };

/**
 * Makes sure the organization exists with an admin token, and is safe to run again: an organization that already has
 * an admin token that is not revoked gets no second one unless `newToken` asks for it.
 */
export async function ensureFirstAdminToken(
  scope: SystemScope,
  stores: { organizations: OrganizationStore; tokens: ApiTokenStore },
  request: { organization: string; newToken: boolean },
): Promise<BootstrapOutcome> {
  const adminToken = { name: BOOTSTRAP_TOKEN_NAME, role: 'admin' as const };
  const existing = await stores.organizations.findByName(scope, request.organization);
  if (!existing) {
    const created = await stores.organizations.create(scope, request.organization, adminToken);
    return {
      kind: 'organizationCreated',
      organizationId: created.organization.id,
      secret: created.secret,
      tokenPrefix: created.token.tokenPrefix,
    };
  }
  const organization = organizationScope(existing.id);
  const activeAdmins = (await stores.tokens.list(organization)).filter((token) => token.role === 'admin' && token.revokedAt === null);
  if (activeAdmins.length > 0 && !request.newToken)
    return { kind: 'alreadyBootstrapped', organizationId: existing.id, adminTokenPrefixes: activeAdmins.map((token) => token.tokenPrefix) };
  const issued = await stores.organizations.issueOperatorToken(organization, adminToken);
  return { kind: 'tokenIssued', organizationId: existing.id, secret: issued.secret, tokenPrefix: issued.token.tokenPrefix };
}

import type { Role } from '@flotilla/stores';

export type { Role };

/** Who is calling: an API token of one organization, with its role. */
export interface Principal {
  organizationId: string;
  tokenId: string;
  tokenName: string;
  role: Role;
}

const ROLE_RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };

export function roleAllows(role: Role, required: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[required];
}

/** How the principal is named in audit records. */
export function actorOf(principal: Principal): string {
  return `token:${principal.tokenName}`;
}

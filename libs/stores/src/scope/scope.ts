/**
 * Whom a store acts for. Every store method takes one, and filters every read and write by it inside the store, so a
 * caller cannot forget to.
 * - An organization scope is what a request acts in: resolvers get it from the caller's principal.
 * - The system scope is the control plane acting on its own, by id across organizations: the worker, its sweeps and
 *   the agent gateway (which learns the organization from the agent's token).
 */
export interface OrganizationScope {
  readonly kind: 'organization';
  readonly organizationId: string;
}

export interface SystemScope {
  readonly kind: 'system';
  /** Who acts, for logs: `worker`, `sweep`, `agent-gateway`, … */
  readonly actor: string;
}

export type Scope = OrganizationScope | SystemScope;

export const organizationScope = (organizationId: string): OrganizationScope => ({ kind: 'organization', organizationId });

export const systemScope = (actor: string): SystemScope => ({ kind: 'system', actor });

/** The filter a scope adds to a query of an organization-owned table: none for the system scope. */
export function organizationFilter(scope: Scope): { organizationId?: string } {
  return scope.kind === 'organization' ? { organizationId: scope.organizationId } : {};
}

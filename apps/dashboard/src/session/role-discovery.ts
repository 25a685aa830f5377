import { ME, type Role } from '../api/documents.js';
import { requestGraphql } from '../api/graphql-client.js';

/** Who a token is, as the API tells it. */
export interface TokenIdentity {
  role: Role;
  tokenName: string;
  organization: string;
}

/**
 * Asks the API who a token is (`me`); fails with the request's error when the token is refused
 * (`auth/unauthenticated`).
 * @example discoverIdentity('viewer-secret') resolves to { role: 'viewer', tokenName: 'viewer', organization: 'demo' }
 */
export async function discoverIdentity(token: string): Promise<TokenIdentity> {
  const { me } = await requestGraphql(token, ME, {});
  return me;
}

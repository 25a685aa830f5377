import { ADMIN_CHECK, type Role } from '../api/documents.js';
import { GraphqlRequestError, requestGraphql } from '../api/graphql-client.js';

/** What a token may do, as far as the API lets a client find out: `undefined` when it did not say. */
export interface TokenIdentity {
  role: Role | undefined;
}

const ROLE_IN_FORBIDDEN_MESSAGE = /this token has (admin|deployer|viewer)\b/;

/**
 * Reads the role of a token from the API's own answer: admins may list tokens; anyone else is refused with a
 * message naming their role ("the admin role is required; this token has viewer").
 * Fails with the request's error when the token itself is refused (`auth/unauthenticated`).
 * @example discoverRole('viewer-secret') resolves to { role: 'viewer' }
 */
export async function discoverRole(token: string): Promise<TokenIdentity> {
  try {
    await requestGraphql(token, ADMIN_CHECK);
    return { role: 'admin' };
  } catch (error) {
    if (!(error instanceof GraphqlRequestError) || !error.forbidden) throw error;
    const role = ROLE_IN_FORBIDDEN_MESSAGE.exec(error.message)?.[1] as Role | undefined;
    return { role };
  }
}

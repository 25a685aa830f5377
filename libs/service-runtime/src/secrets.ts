import { createHash, randomBytes } from 'node:crypto';

export type SecretKind = 'api' | 'agent';

const PREFIX: Record<SecretKind, string> = { api: 'flt_', agent: 'fla_' };

/** A new bearer secret: a kind prefix and 32 random bytes, base64url. */
export function generateSecret(kind: SecretKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

/** Secrets carry 256 bits of entropy, so a plain SHA-256 is a sufficient one-way hash. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretPrefix(secret: string): string {
  return secret.slice(0, 10);
}

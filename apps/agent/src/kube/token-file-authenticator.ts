import { readFile } from 'node:fs/promises';
import type { KubeConfig, User } from '@kubernetes/client-node';

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

const PROVIDER_NAME = 'flotilla-token-file';
/** A token file is read again this often, as client-go reads it: rotated tokens are written well before expiry. */
const REREAD_MS = 60_000;

/** The auth provider entry that stands for kubectl's `tokenFile` user field. */
export const tokenFileProvider = (path: string): { name: string; config: { path: string } } => ({ name: PROVIDER_NAME, config: { path } });

/**
 * kubectl's `tokenFile` user field, which the library does not read: the bearer token is the file's content without
 * surrounding whitespace, read again once a minute so that a rotated token is picked up.
 */
export class TokenFileAuthenticator implements Authenticator {
  private readonly tokens = new Map<string, { value: string; readAt: number }>();

  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: unknown } | undefined)?.name === PROVIDER_NAME;
  }

  async applyAuthentication(user: User, options: { headers?: object }): Promise<void> {
    const path = String((user.authProvider as { config: { path: string } }).config.path);
    let token = this.tokens.get(path);
    if (token === undefined || Date.now() - token.readAt >= REREAD_MS) {
      token = { value: (await readFile(path, 'utf8')).trim(), readAt: Date.now() };
      this.tokens.set(path, token);
    }
    options.headers = { ...options.headers, Authorization: `Bearer ${token.value}` };
  }
}

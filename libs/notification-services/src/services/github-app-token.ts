import { sign } from 'node:crypto';
import type { DeliveryOutcome } from '../delivery-outcome.js';
import { outcomeOfResponse } from '../http-outcome.js';
import type { ServiceEnvironment } from '../notification-service.js';
import { joinUrl, sendRequest } from './http-send.js';

/** GitHub accepts app JWTs for at most ten minutes; the clock may be a minute ahead of GitHub's. */
const JWT_BACKDATE_SECONDS = 60;
const JWT_LIFETIME_SECONDS = 540;
/** An installation token is renewed this long before it expires. */
const RENEWAL_MARGIN_MS = 5 * 60_000;

export interface GitHubApp {
  apiBase: string;
  appId: string;
  installationId: string;
  privateKey: string;
}

export const GITHUB_HEADERS = {
  Accept: 'application/vnd.github+json',
  'User-Agent': 'flotilla-notifications',
  'X-GitHub-Api-Version': '2022-11-28',
};

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** The app's JWT (RS256), issued at `now`, as GitHub's "authenticating as a GitHub App" asks. */
export function appJwt(app: Pick<GitHubApp, 'appId' | 'privateKey'>, now: Date): string {
  const issuedAt = Math.floor(now.getTime() / 1000) - JWT_BACKDATE_SECONDS;
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ iat: issuedAt, exp: issuedAt + JWT_LIFETIME_SECONDS, iss: app.appId }));
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), app.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}

export type TokenResult = { token: string } | { failed: DeliveryOutcome };

/** Installation access tokens of one app installation, fetched when needed and reused until shortly before they expire. */
export function installationTokens(app: GitHubApp, environment: ServiceEnvironment): () => Promise<TokenResult> {
  let cached: { token: string; expiresAt: number } | undefined;
  return async () => {
    const now = environment.now();
    if (cached && cached.expiresAt - RENEWAL_MARGIN_MS > now.getTime()) return { token: cached.token };
    const response = await sendRequest(environment, {
      method: 'POST',
      url: joinUrl(app.apiBase, `app/installations/${encodeURIComponent(app.installationId)}/access_tokens`),
      headers: { ...GITHUB_HEADERS, Authorization: `Bearer ${appJwt(app, now)}` },
    });
    const outcome = outcomeOfResponse('github (installation token)', response, now);
    if (outcome.kind !== 'delivered') return { failed: outcome };
    const { token, expires_at: expiresAt } = JSON.parse(response.body) as { token?: unknown; expires_at?: unknown };
    if (typeof token !== 'string')
      return { failed: { kind: 'permanent', reason: 'github answered an installation token request without a token' } };
    cached = { token, expiresAt: typeof expiresAt === 'string' ? Date.parse(expiresAt) : now.getTime() };
    return { token };
  };
}

import { PermanentDeliveryError, delivered, retryable, type DeliveryOutcome } from '../delivery-outcome.js';
import { outcomeOfResponse } from '../http-outcome.js';
import { defineServiceKind } from '../service-kind.js';
import { goStruct, numberOrText, requiredText } from '../settings/go-settings.js';
import { nestedBlock, serviceBlock, textField } from '../template-fields.js';
import type { HttpResponse } from '@flotilla/metric-providers';
import { GITHUB_HEADERS, installationTokens } from './github-app-token.js';
import { joinUrl, sendRequest } from './http-send.js';

const STATES = ['error', 'failure', 'pending', 'success'];
const MAX_DESCRIPTION = 140;
const STATUS_LIMIT_REACHED = 'maximum number of statuses';

const gitHubSettings = goStruct({
  appID: numberOrText,
  installationID: numberOrText,
  privateKey: requiredText,
  enterpriseBaseURL: requiredText.optional(),
});

/**
 * `owner` and `repo` of a repository URL (`https://github.com/o/r.git`, `git@github.com:o/r.git`).
 * @example repositoryOf('https://github.com/argoproj/argo-rollouts.git') // { owner: 'argoproj', repo: 'argo-rollouts' }
 */
export function repositoryOf(url: string): { owner: string; repo: string } {
  const match = /[:/]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url.trim());
  if (!match?.[1] || !match[2]) throw new PermanentDeliveryError(`github.repoURLPath "${url}" names no repository`);
  return { owner: match[1], repo: match[2] };
}

function truncated(text: string): string {
  const line = text.trim();
  return line.length > MAX_DESCRIPTION ? `${line.slice(0, MAX_DESCRIPTION - 3)}...` : line;
}

/** GitHub's rate limit answers 403 or 429 with no requests left and the second they come back. */
function rateLimited(response: HttpResponse, now: Date): DeliveryOutcome | undefined {
  if ((response.status !== 403 && response.status !== 429) || response.headers['x-ratelimit-remaining'] !== '0') return undefined;
  const reset = Number(response.headers['x-ratelimit-reset']);
  return retryable('github rate limit reached', Number.isFinite(reset) ? Math.max(0, reset * 1000 - now.getTime()) : undefined);
}

/**
 * `service.github`: a GitHub App (`appID`, `installationID`, `privateKey`; `enterpriseBaseURL` for GitHub Enterprise,
 * with its `/api/v3`). Each notification sets a commit status: the template's `github` block gives the repository
 * (`repoURLPath`), the commit (`revisionPath`) and `status` (`state`, `label` as its context, `targetURL`); the
 * description is the message, cut to 140 characters. A commit that already has GitHub's maximum of statuses for the
 * context counts as delivered, as Argo has it.
 */
export const gitHubService = defineServiceKind('github', gitHubSettings, (settings, { environment }) => {
  const apiBase = settings.enterpriseBaseURL ?? environment.endpoints.github;
  const tokens = installationTokens(
    { apiBase, appId: settings.appID, installationId: settings.installationID, privateKey: settings.privateKey },
    environment,
  );
  return async (notification) => {
    const block = serviceBlock(notification, 'github');
    const status = nestedBlock(block, 'status');
    if (Object.keys(status).length === 0)
      throw new PermanentDeliveryError('github.status is required (commit statuses are what this service sets)');
    const state = textField(status, 'state');
    if (state === undefined || !STATES.includes(state))
      throw new PermanentDeliveryError(`github.status.state must be one of ${STATES.join(', ')}, not "${state ?? ''}"`);
    const revision = textField(block, 'revisionPath');
    if (revision === undefined) throw new PermanentDeliveryError('github.revisionPath is required');
    const { owner, repo } = repositoryOf(textField(block, 'repoURLPath') ?? '');
    const token = await tokens();
    if ('failed' in token) return token.failed;
    const targetUrl = textField(status, 'targetURL');
    const response = await sendRequest(environment, {
      method: 'POST',
      url: joinUrl(apiBase, `repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/statuses/${encodeURIComponent(revision)}`),
      headers: { ...GITHUB_HEADERS, Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        state,
        ...(targetUrl === undefined ? {} : { target_url: targetUrl }),
        description: truncated(notification.message),
        context: textField(status, 'label') ?? 'flotilla',
      }),
    });
    const now = environment.now();
    if (response.status === 422 && response.body.includes(STATUS_LIMIT_REACHED)) return delivered();
    return rateLimited(response, now) ?? outcomeOfResponse('github', response, now);
  };
});

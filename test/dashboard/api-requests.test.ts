import type { Page, Request, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';
import { dashboardForThisFile } from './dashboard-harness.js';

// No worker or agent runs: what is measured is what the dashboard asks of the API, not how releases go.
const { api, org, openPage, signedInAs } = await dashboardForThisFile();

const OVERVIEW_PAGE_SIZE = 500;
const TOKEN_KEY = 'flotilla.token';

async function apply(...documents: Manifest[]): Promise<void> {
  await graphqlData(
    api.url,
    org.tokens.deployer,
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    { yaml: toYaml(...documents) },
  );
}

/** `aa-first`, then more rollouts of staging/shop than the overview's page holds: `fill-000` to `fill-499`. */
beforeAll(async () => {
  await apply(canaryRollout('aa-first', 'shop/aa-first:1'));
  const first = await api.database.rollout.findFirstOrThrow({ where: { organizationId: org.id, name: 'aa-first' } });
  await api.database.rollout.createMany({
    data: Array.from({ length: OVERVIEW_PAGE_SIZE }, (_, index) => ({
      organizationId: org.id,
      clusterId: first.clusterId,
      namespace: 'shop',
      name: `fill-${String(index).padStart(3, '0')}`,
      spec: first.spec as Prisma.InputJsonValue,
    })),
  });
});

/** How many `Rollouts` queries the page sends from now on, and the most of them in flight at once. */
function watchRolloutQueries(page: Page): { sent: () => number; mostAtOnce: () => number } {
  const isRolloutsQuery = (request: Request) => request.method() === 'POST' && /query Rollouts\b/.test(request.postData() ?? '');
  const inFlight = new Set<Request>();
  let sent = 0;
  let mostAtOnce = 0;
  page.on('request', (request) => {
    if (!isRolloutsQuery(request)) return;
    sent += 1;
    inFlight.add(request);
    mostAtOnce = Math.max(mostAtOnce, inFlight.size);
  });
  const settled = (request: Request) => inFlight.delete(request);
  page.on('requestfinished', settled);
  page.on('requestfailed', settled);
  return { sent: () => sent, mostAtOnce: () => mostAtOnce };
}

/** The overview as a viewer sees it once its first page is shown and its events flow, watched from then on. */
async function liveOverview(): Promise<{ page: Page; queries: ReturnType<typeof watchRolloutQueries> }> {
  const page = await signedInAs(org.tokens.viewer);
  await page.getByText(`Showing the first ${OVERVIEW_PAGE_SIZE} rollouts of the organization.`).waitFor();
  await page.locator('[data-live-state="live"]').waitFor();
  return { page, queries: watchRolloutQueries(page) };
}

describe('the overview of an organization with more rollouts than its page holds', { timeout: 90_000 }, () => {
  it('does not load its page again for changes of rollouts past its end', async () => {
    const { page, queries } = await liveOverview();

    await apply(...Array.from({ length: 20 }, (_, index) => canaryRollout(`zz-${index}`, `shop/zz-${index}:1`)));
    await apply(canaryRollout('aa-first', 'shop/aa-first:2'));
    await page.locator('tr[data-rollout="staging/shop/aa-first"]').getByText('shop/aa-first:2').waitFor();

    expect(queries.sent()).toBe(0);
  });

  it('loads its page again one request at a time for a burst of new rollouts within it, and shows them all', async () => {
    const { page, queries } = await liveOverview();
    const names = Array.from({ length: 12 }, (_, index) => `ab-${String(index).padStart(2, '0')}`);

    await apply(...names.map((name) => canaryRollout(name, `shop/${name}:1`)));
    for (const name of names) await page.locator(`tr[data-rollout="staging/shop/${name}"]`).waitFor();

    expect(queries.sent()).toBeGreaterThan(0);
    expect(queries.mostAtOnce()).toBe(1);
  });
});

const identityUnavailable: Array<[string, (route: Route) => Promise<void>]> = [
  ['unreachable', (route) => route.abort('connectionrefused')],
  [
    'answering 502 while it restarts',
    (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' }),
  ],
];

const storedToken = (page: Page) => page.evaluate((key) => window.localStorage.getItem(key), TOKEN_KEY);

describe('signing in with the stored token', { timeout: 60_000 }, () => {
  it.each(identityUnavailable)('keeps the token while the API is %s, and signs in once it answers', async (_case, failRequest) => {
    const page = await signedInAs(org.tokens.viewer);
    await page.route('**/graphql', failRequest);
    await page.reload();

    await page.getByRole('alert').filter({ hasText: 'Could not load who your token is' }).waitFor();
    expect(await storedToken(page)).toBe(org.tokens.viewer);

    await page.unroute('**/graphql');
    await page.getByRole('button', { name: 'Try again now' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await storedToken(page)).toBe(org.tokens.viewer);
  });

  it('asks the API again by itself after a while', async () => {
    const page = await signedInAs(org.tokens.viewer);
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'network/unreachable' }).waitFor();

    await page.unroute('**/graphql');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor({ timeout: 15_000 });
  });

  it('forgets a stored token the API refuses', async () => {
    const { page } = await openPage();
    await page.evaluate((key) => window.localStorage.setItem(key, 'revoked-token'), TOKEN_KEY);
    await page.reload();

    await page.getByRole('status').filter({ hasText: 'Signed out' }).waitFor();
    await page.getByLabel('API token').waitFor();
    expect(await storedToken(page)).toBeNull();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { screenshot } from './browser.js';
import { dashboardForThisFile } from './dashboard-harness.js';

// No worker or agent runs: the banner and the overrides are read from what the API answers, not from a release.
const { api, org, signedInAs: dashboardSignedInAs } = await dashboardForThisFile();

const windowEnd = new Date(Math.floor((Date.now() + 2 * 3_600_000) / 1000) * 1000);

beforeAll(async () => {
  await graphqlData(
    api.url,
    org.tokens.deployer,
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    {
      yaml: toYaml(canaryRollout('checkout', 'shop/checkout:1')),
    },
  );
  await graphqlData(api.url, org.tokens.admin, 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { name } }', {
    yaml: toYaml({
      apiVersion: 'flotilla.io/v1alpha1',
      kind: 'FreezeWindow',
      metadata: { name: 'launch' },
      spec: {
        reason: 'launch week',
        start: new Date(Date.now() - 3_600_000).toISOString(),
        end: windowEnd.toISOString(),
        namespaces: ['shop'],
      },
    }),
  });
});

describe('freezes in the dashboard', () => {
  it('shows the freeze on the rollout page and the overview, and no banner once an override lifts it', async () => {
    const page = await dashboardSignedInAs(org.tokens.viewer);
    const outlook = page.getByTestId('freeze-outlook');
    await outlook.waitFor();
    expect(await outlook.textContent()).toContain('launch week');

    await page.goto(`${api.url}/rollouts/staging/shop/checkout`);
    const banner = page.getByRole('status', { name: 'Freeze' });
    await banner.waitFor();
    expect(await banner.getByTestId('freeze-window').textContent()).toBe('launch');
    expect(await banner.getByTestId('freeze-reason').textContent()).toBe('launch week');
    expect(await banner.getByTestId('freeze-end').getAttribute('datetime')).toBe(windowEnd.toISOString());
    await screenshot(page, 'rollout-frozen');

    await graphqlData(
      api.url,
      org.tokens.admin,
      'mutation { breakGlass(target: { rollout: { cluster: "staging", namespace: "shop", name: "checkout" } }, reason: "hotfix", durationSeconds: 600) { id } }',
    );
    await page.reload();
    await page.getByRole('heading', { name: 'checkout', level: 1 }).waitFor();
    await page.getByTestId('rollout-phase').waitFor();
    expect(await page.getByRole('status', { name: 'Freeze' }).count()).toBe(0);
  });

  it('lets another admin confirm an override behind the confirmation dialog, and not its requester', async () => {
    await graphqlData(
      api.url,
      org.tokens.admin,
      'mutation { updateOrganizationSettings(breakGlassNeedsSecondAdmin: true) { breakGlassNeedsSecondAdmin } }',
    );
    const { breakGlass } = await graphqlData<{ breakGlass: { id: string } }>(
      api.url,
      org.tokens.admin,
      'mutation { breakGlass(target: { rollout: { cluster: "staging", namespace: "shop", name: "checkout" } }, reason: "second fix", durationSeconds: 900) { id } }',
    );
    const requesterPage = await dashboardSignedInAs(org.tokens.admin);
    await requesterPage.goto(`${api.url}/freezes`);
    const requesterRow = requesterPage.locator(`tr[data-override="${breakGlass.id}"]`);
    await requesterRow.waitFor();
    expect(await requesterRow.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    expect(await requesterRow.getByRole('button', { name: 'Revoke' }).count()).toBe(1);

    const { createApiToken } = await graphqlData<{ createApiToken: { secret: string } }>(
      api.url,
      org.tokens.admin,
      'mutation { createApiToken(name: "second-admin", role: admin) { secret } }',
    );
    const page = await dashboardSignedInAs(createApiToken.secret);
    await page.goto(`${api.url}/freezes`);
    const row = page.locator(`tr[data-override="${breakGlass.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('PendingConfirmation');
    await row.getByRole('button', { name: 'Confirm' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm the break-glass override' });
    await screenshot(page, 'break-glass-confirmation');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.locator(`tr[data-override="${breakGlass.id}"][data-state="Active"]`).waitFor();
    const stored = await api.database.breakGlassOverride.findUniqueOrThrow({ where: { id: breakGlass.id } });
    expect(stored.confirmedBy).toBe('token:second-admin');
  });
});

import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExperimentStatus, ExperimentTemplateStatus } from '@flotilla/rollout-engine';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inTransaction } from '../../libs/stores/src/database/database.js';
import { NotificationDeliveryStore } from '../../libs/stores/src/notifications/notification-delivery-store.js';
import { organizationScope } from '../../libs/stores/src/scope/scope.js';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, type Manifest } from '../support/manifests.js';
import { eventually } from '../support/processes.js';
import { screenshot, signIn } from './browser.js';
import { dashboardForThisFile, stagingReleasesForThisFile } from './dashboard-harness.js';

const successRateTemplate: Manifest = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'success-rate' },
  spec: {
    args: [{ name: 'service-name' }],
    metrics: [
      {
        name: 'success-rate',
        interval: '1s',
        count: 3,
        successCondition: 'result[0] >= 0.95',
        failureCondition: 'result[0] < 0.5',
        provider: {
          prometheus: {
            address: 'http://prometheus.monitoring:9090',
            query:
              'sum(rate(http_requests_total{service="{{args.service-name}}",code!~"5.."}[1m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[1m]))',
          },
        },
      },
    ],
  },
};

const { api, org, openPage, signedInAs: dashboardSignedInAs } = await dashboardForThisFile({ MIN_METRIC_INTERVAL_SECONDS: '1' });
const { agent, apply, applyAsAdmin, setImage, waitForPhase } = await stagingReleasesForThisFile(api, org);

/** A rollout deployed once and then given a new image, so that its canary steps are walked. */
async function releasedRollout(name: string, steps: unknown[], ...extraDocuments: Manifest[]): Promise<void> {
  const rollout = canaryRollout(name, `shop/${name}:1`);
  rollout.spec.strategy.canary.steps = steps;
  await apply(...extraDocuments, rollout);
  await waitForPhase(name, 'Healthy');
  await setImage(name, `shop/${name}:2`);
}

const json = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;

const experimentTemplate = (
  name: string,
  podTemplateHash: string,
  status: ExperimentTemplateStatus['status'],
  ready: number,
): ExperimentTemplateStatus => ({
  name,
  status,
  message: status === 'Failed' ? 'progress deadline exceeded' : '',
  podTemplateHash,
  replicas: 2,
  readyReplicas: ready,
  availableReplicas: ready,
  lastTransitionTime: '2026-11-20T10:01:00.000Z',
});

/**
 * Stores a completed experiment as the reconciler leaves it (released, so no reconcile loads it again), with the
 * analysis run it started when it has one: of a rollout's step when `owner` names the rollout and step, else standalone.
 */
async function storeFinishedExperiment(
  owner: { rollout: string; stepIndex: number } | 'standalone',
  name: string,
  status: ExperimentStatus,
): Promise<void> {
  const rollout =
    owner === 'standalone'
      ? undefined
      : await api.database.rollout.findFirstOrThrow({ where: { organizationId: org.id, name: owner.rollout } });
  const podTemplateHash = rollout
    ? (await api.database.rolloutRevision.findFirstOrThrow({ where: { rolloutId: rollout.id, revision: 1 } })).podTemplateHash
    : null;
  const clusterId =
    rollout?.clusterId ?? (await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name: 'staging' } })).id;
  const experiment = await api.database.experiment.create({
    data: {
      organizationId: org.id,
      clusterId,
      rolloutId: rollout?.id ?? null,
      namespace: 'shop',
      name,
      podTemplateHash,
      stepIndex: owner === 'standalone' ? null : owner.stepIndex,
      createdAt: new Date('2026-11-20T10:00:00.000Z'),
      spec: json({
        duration: '5m',
        templates: status.templateStatuses.map((template) => ({ name: template.name, replicas: template.replicas })),
      }),
      phase: status.phase,
      message: status.message,
      status: json(status),
      releasedAt: new Date('2026-11-20T10:06:30.000Z'),
    },
  });
  for (const analysis of status.analysisRuns) {
    await api.database.analysisRun.create({
      data: {
        organizationId: org.id,
        clusterId,
        rolloutId: rollout?.id ?? null,
        experimentId: experiment.id,
        namespace: 'shop',
        name: analysis.analysisRun,
        kind: 'experiment',
        revision: rollout ? 1 : null,
        podTemplateHash,
        spec: json({ analysis: { templates: [{ templateName: 'success-rate' }] }, stablePodTemplateHash: null }),
        phase: analysis.phase,
        message: analysis.message,
        startedAt: new Date('2026-11-20T10:01:00.000Z'),
        finishedAt: new Date('2026-11-20T10:06:00.000Z'),
        measurements: {
          create: [
            {
              metricName: 'success-rate',
              index: 0,
              phase: 'Successful',
              value: '[0.98]',
              startedAt: new Date('2026-11-20T10:02:00.000Z'),
              finishedAt: new Date('2026-11-20T10:02:01.000Z'),
            },
          ],
        },
      },
    });
  }
}

/** A FleetRollout of the Rollout shop/<rollout>: a canary wave of the staging cluster with a manual approval, then the rest. */
function fleetRollout(name: string, rollout: string): Manifest {
  return {
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FleetRollout',
    metadata: { name },
    spec: {
      rollout: { namespace: 'shop', name: rollout },
      waves: [
        { name: 'canary', clusterSelector: { matchLabels: { env: 'staging' } }, approval: 'manual' },
        { name: 'production', maxParallel: '50%', allowMissing: true },
      ],
      failurePolicy: 'halt',
    },
  };
}

async function labelCluster(cluster: string, labels: Record<string, string>): Promise<void> {
  await graphqlData(
    api.url,
    org.tokens.admin,
    'mutation($cluster: String!, $labels: JSON!) { updateClusterLabels(cluster: $cluster, labels: $labels) { name } }',
    {
      cluster,
      labels,
    },
  );
}

/** A cluster no agent serves: the plan places it, and a release finds no Rollout there. */
async function registerCluster(name: string, labels: Record<string, string>): Promise<void> {
  await graphqlData(
    api.url,
    org.tokens.admin,
    'mutation($name: String!, $labels: JSON) { registerCluster(name: $name, labels: $labels) { agentToken } }',
    {
      name,
      labels,
    },
  );
}

const rolloutPath = (name: string) => `${api.url}/rollouts/staging/shop/${name}`;
const phaseBadge = (page: Page, phase: string) => page.getByTestId('rollout-phase').locator(`[data-phase="${phase}"]`);

describe('the dashboard in a browser', { timeout: 90_000 }, () => {
  it('signs in with a token and shows the connected cluster and each rollout phase on the overview', async () => {
    await apply(canaryRollout('catalog', 'shop/catalog:1'));
    await waitForPhase('catalog', 'Healthy');
    const opened = await openPage();
    const { page } = opened;

    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'does not accept this token' }).waitFor();
    await signIn(page, org.tokens.admin);

    const cluster = page.locator('tr[data-cluster="staging"]');
    await cluster.locator('[data-phase="Connected"]').waitFor();
    expect(await cluster.textContent()).toContain('converging-test-agent');
    const row = page.locator('tr[data-rollout="staging/shop/catalog"]');
    await row.locator('[data-phase="Healthy"]').waitFor();
    expect(await page.locator('[data-phase-count="Healthy"] .count').textContent()).toBe('1');
    expect(await page.getByText('Role: admin').count()).toBe(1);
    await screenshot(page, 'overview');

    await page.getByLabel('Phase', { exact: true }).selectOption('Paused');
    await page.getByText('0 of 1 rollouts').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Labels').fill('app=catalog');
    await page.getByText('1 of 1 rollouts').waitFor();

    await row.getByRole('link', { name: 'catalog' }).click();
    await page.getByRole('heading', { name: 'catalog', level: 1 }).waitFor();
    expect(page.url()).toBe(rolloutPath('catalog'));
    await page.goBack();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.goForward();
    await page.getByRole('heading', { name: 'catalog', level: 1 }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'catalog', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    expect(page.url()).toBe(`${api.url}/audit`);
    await page.goto(`${api.url}/rollouts/staging/shop`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to the overview' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
  });

  it('promotes a rollout paused at an indefinite pause after confirmation and follows it live to Healthy, with the promote in the audit timeline', async () => {
    await releasedRollout('checkout', [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }]);
    await waitForPhase('checkout', 'Paused', 2);
    const page = await dashboardSignedInAs(org.tokens.deployer);
    await page.goto(rolloutPath('checkout'));
    await phaseBadge(page, 'Paused').waitFor();
    expect(await page.locator('[aria-current="step"]').textContent()).toContain('Pause until promoted');
    expect(await page.getByTestId('set-weight').textContent()).toBe('20%');
    expect(await page.getByTestId('actual-weight').textContent()).toBe('20%');
    expect(await page.locator('tr[data-replica-set="canary"] [data-testid="ready-of-desired"]').textContent()).toBe('1 / 1');
    expect(await page.locator('tr[data-replica-set="stable"] [data-testid="ready-of-desired"]').textContent()).toBe('4 / 4');
    expect(await page.locator('tr[data-revision="2"]').textContent()).toContain('canary');
    expect(await page.locator('tr[data-revision="1"]').textContent()).toContain('stable');
    await screenshot(page, 'rollout-paused');

    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await page.locator('[data-operation="promote"]').click();
    const dialog = page.getByRole('dialog', { name: 'Promote checkout?' });
    await dialog.getByLabel(/Reason/).fill('canary looks good');
    await screenshot(page, 'promote-confirmation');
    await dialog.getByRole('button', { name: 'Promote' }).click();

    await phaseBadge(page, 'Healthy').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.getByTestId('set-weight').textContent()).toBe('100%');
    expect(await page.locator('[data-step-state="done"]').count()).toBe(3);
    const promoted = page.locator('[data-audit-action="rollout.promote"]');
    await promoted.waitFor();
    expect(await promoted.textContent()).toContain('token:deployer');
    expect(await promoted.textContent()).toContain('canary looks good');
    await page.locator('tr[data-operation-row="promote"] [data-phase="Applied"]').waitFor();
    await page.locator('[data-operation-outcome="Applied"]').waitFor();
    expect(await page.getByText('Promote requested').count()).toBe(0);
    await screenshot(page, 'rollout-promoted');
  });

  it('charts the measurements of an analysis step with its success and failure thresholds', async () => {
    await releasedRollout(
      'search',
      [
        { setWeight: 20 },
        { analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'search' }] } },
        { setWeight: 60 },
      ],
      successRateTemplate,
    );
    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(rolloutPath('search'));
    const chart = page.locator('figure[data-chart]');
    await chart.waitFor();

    await phaseBadge(page, 'Healthy').waitFor({ timeout: 30_000 });
    await expect.poll(() => chart.locator('[data-measurement]').count(), { timeout: 10_000 }).toBe(3);
    expect(await chart.locator('[data-phase="Successful"]').count()).toBe(3);
    expect(await chart.locator('[data-threshold="success-rate:success:0.95"]').textContent()).toBe('success-rate success ≥ 0.95');
    expect(await chart.locator('[data-threshold="success-rate:failure:0.5"]').textContent()).toBe('success-rate failure < 0.5');
    const marks = await chart.locator('[data-measurement]').allTextContents();
    expect(marks.map((mark) => mark.split(' (')[0])).toEqual([
      'success-rate #0: [0.97]',
      'success-rate #1: [0.99]',
      'success-rate #2: [0.96]',
    ]);
    await page.locator('[data-analysis-run] [data-phase="Successful"]').first().waitFor();

    const path = await screenshot(page, 'rollout-analysis');
    // The README's picture is refreshed on request only, so that a test run never changes tracked files.
    if (process.env.UPDATE_DOCS_IMAGES === '1') {
      const docsImages = fileURLToPath(new URL('../../docs/images/', import.meta.url));
      mkdirSync(docsImages, { recursive: true });
      copyFileSync(path, `${docsImages}dashboard.png`);
    }
  });

  it("shows a rollout's experiments newest first with their templates and analyses once it has some, following the rollout live", async () => {
    await apply(canaryRollout('pricing', 'shop/pricing:1'));
    await waitForPhase('pricing', 'Healthy');
    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(rolloutPath('pricing'));
    await page.getByText('No analysis has run for this rollout.').waitFor();
    expect(await page.getByRole('heading', { name: 'Experiments', level: 2 }).count()).toBe(0);

    await storeFinishedExperiment({ rollout: 'pricing', stepIndex: 0 }, 'pricing-baseline-1', {
      phase: 'Successful',
      message: 'analysis compare successful',
      availableAt: '2026-11-20T10:01:00.000Z',
      finishedAt: '2026-11-20T10:06:00.000Z',
      templateStatuses: [
        experimentTemplate('baseline', '5d8f7c', 'Successful', 2),
        experimentTemplate('canary', '7b9c4d', 'Successful', 2),
      ],
      analysisRuns: [
        { name: 'compare', analysisRun: 'pricing-baseline-1-compare', phase: 'Successful', message: 'all measurements passed' },
      ],
    });
    await storeFinishedExperiment({ rollout: 'pricing', stepIndex: 1 }, 'pricing-baseline-2', {
      phase: 'Failed',
      message: 'template canary failed: progress deadline exceeded',
      availableAt: undefined,
      finishedAt: '2026-11-20T10:06:00.000Z',
      templateStatuses: [experimentTemplate('baseline', '5d8f7c', 'Running', 2), experimentTemplate('canary', '7b9c4d', 'Failed', 1)],
      analysisRuns: [],
    });
    // Stored rows announce nothing; the next change of the rollout brings them onto the open page.
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    await setImage('pricing', 'shop/pricing:2');

    const section = page.getByRole('region', { name: 'Experiments' });
    await section.waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(
      await section
        .locator('[data-experiment]')
        .evaluateAll((articles) => articles.map((article) => article.getAttribute('data-experiment'))),
    ).toEqual(['pricing-baseline-2', 'pricing-baseline-1']);

    const failed = section.getByRole('article', { name: 'pricing-baseline-2' });
    expect(await failed.locator('.run-header [data-phase="Failed"]').count()).toBe(1);
    expect(await failed.textContent()).toContain('template canary failed: progress deadline exceeded');
    expect(await failed.locator('.run-header .muted').textContent()).toMatch(
      /^step 2 of revision 1 · started .+ · finished .+ · released .+$/,
    );
    const failedCanary = failed.locator('tr[data-template="canary"]');
    expect(await failedCanary.locator('[data-phase="Failed"]').count()).toBe(1);
    expect(await failedCanary.getByTestId('template-ready').textContent()).toBe('1');
    expect(await failedCanary.getByTestId('template-replicas').textContent()).toBe('2');
    expect(await failed.getByRole('table', { name: 'Analyses' }).count()).toBe(0);

    const succeeded = section.getByRole('article', { name: 'pricing-baseline-1' });
    expect(await succeeded.locator('.run-header .muted').textContent()).toMatch(
      /^step 1 of revision 1 · started .+ · available .+ · finished .+ · released .+$/,
    );
    const templates = succeeded.getByRole('table', { name: 'Templates' });
    expect(await templates.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-template')))).toEqual([
      'baseline',
      'canary',
    ]);
    expect(await templates.locator('tr[data-template="baseline"] [data-phase="Successful"]').count()).toBe(1);
    expect(await templates.locator('tr[data-template="baseline"] [data-testid="template-available"]').textContent()).toBe('2');
    const compare = succeeded.getByRole('table', { name: 'Analyses' }).locator('tr[data-analysis="compare"]');
    expect(await compare.locator('[data-phase="Successful"]').count()).toBe(1);
    await screenshot(page, 'rollout-experiments');

    await compare.getByRole('link', { name: 'pricing-baseline-1-compare' }).click();
    await page.getByRole('heading', { name: 'pricing-baseline-1-compare', level: 1 }).waitFor();
    expect(page.url()).toBe(`${api.url}/analysis-runs/staging/shop/pricing-baseline-1-compare`);
  });

  it('gives experiments and analysis runs pages of their own, reached from the overview and the rollout page, that hold at 390 px', async () => {
    await apply(canaryRollout('tax', 'shop/tax:1'));
    await waitForPhase('tax', 'Healthy');
    const analysisRuns = [
      { name: 'compare', analysisRun: 'tax-step-compare', phase: 'Successful' as const, message: 'all measurements passed' },
    ];
    await storeFinishedExperiment({ rollout: 'tax', stepIndex: 0 }, 'tax-step', {
      phase: 'Successful',
      message: 'analysis compare successful',
      availableAt: '2026-11-20T10:01:00.000Z',
      finishedAt: '2026-11-20T10:06:00.000Z',
      templateStatuses: [experimentTemplate('canary', '7b9c4d', 'Successful', 2)],
      analysisRuns,
    });
    await storeFinishedExperiment('standalone', 'tax-purple', {
      phase: 'Failed',
      message: 'template purple failed: progress deadline exceeded',
      availableAt: undefined,
      finishedAt: '2026-11-20T10:06:00.000Z',
      templateStatuses: [experimentTemplate('purple', '3a1b2c', 'Failed', 0)],
      analysisRuns: [],
    });
    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

    const standalone = page.locator('tr[data-standalone-experiment="staging/shop/tax-purple"]');
    await standalone.locator('[data-phase="Failed"]').waitFor();
    expect(await page.locator('[data-standalone-experiment="staging/shop/tax-step"]').count()).toBe(0);
    await standalone.getByRole('link', { name: 'tax-purple' }).click();
    await page.getByRole('heading', { name: 'tax-purple', level: 1 }).waitFor();
    expect(page.url()).toBe(`${api.url}/experiments/staging/shop/tax-purple`);
    await page.getByTestId('experiment-rollout').waitFor();
    expect(await page.getByTestId('experiment-rollout').textContent()).toBe('A standalone experiment.');
    expect(await page.locator('tr[data-template="purple"] [data-phase="Failed"]').count()).toBe(1);
    expect(await page.getByText('template purple failed: progress deadline exceeded').count()).toBe(1);
    expect(await overflow(), 'how far the experiment page overflows 390 px').toBe(0);
    await screenshot(page, 'experiment-390px');

    await page.goto(rolloutPath('tax'));
    const section = page.getByRole('region', { name: 'Experiments' });
    await section.getByRole('link', { name: 'tax-step', exact: true }).click();
    await page.getByRole('heading', { name: 'tax-step', level: 1 }).waitFor();
    await page.getByTestId('experiment-rollout').waitFor();
    expect(await page.getByTestId('experiment-rollout').textContent()).toBe('Started by a step of the rollout tax.');
    await page.getByRole('table', { name: 'Analyses' }).getByRole('link', { name: 'tax-step-compare' }).click();

    await page.getByRole('heading', { name: 'tax-step-compare', level: 1 }).waitFor();
    expect(page.url()).toBe(`${api.url}/analysis-runs/staging/shop/tax-step-compare`);
    await page.getByTestId('analysis-run-phase').locator('[data-phase="Successful"]').waitFor();
    const measurement = page.locator('tr[data-measurement-row="success-rate#0"]');
    expect(await measurement.textContent()).toContain('[0.98]');
    expect(await measurement.locator('[data-phase="Successful"]').count()).toBe(1);
    expect(await page.locator('figure[data-chart] [data-measurement]').count()).toBe(1);
    expect(await overflow(), 'how far the analysis run page overflows 390 px').toBe(0);
    await screenshot(page, 'analysis-run-390px');
    await page.getByTestId('analysis-run-rollout').getByRole('link', { name: 'tax' }).click();
    await page.getByRole('heading', { name: 'tax', level: 1 }).waitFor();
    expect(page.url()).toBe(rolloutPath('tax'));
  });

  it("sets a container's image through the form and rolls back to an earlier revision from the release history, each confirmed with a reason", async () => {
    const rollout = canaryRollout('billing', 'shop/billing:1');
    rollout.spec.strategy.canary.steps = [];
    await apply(rollout);
    await waitForPhase('billing', 'Healthy');
    const page = await dashboardSignedInAs(org.tokens.deployer);
    await page.goto(rolloutPath('billing'));
    await phaseBadge(page, 'Healthy').waitFor();
    expect(await page.locator('[data-roll-back="1"]').isDisabled()).toBe(true);

    await page.locator('[data-operation="set-image"]').click();
    const setImageDialog = page.getByRole('dialog', { name: 'Set an image of billing?' });
    expect(await setImageDialog.getByLabel('Container').inputValue()).toBe('billing');
    await setImageDialog.getByLabel('Image').fill('shop/billing:2');
    await setImageDialog.getByLabel(/Reason/).fill('billing 2');
    await screenshot(page, 'set-image-form');
    await setImageDialog.getByRole('button', { name: 'Set image' }).click();
    await page.locator('[data-operation-outcome="Applied"]').waitFor({ timeout: 30_000 });
    await page.locator('tr[data-revision="2"]').filter({ hasText: 'shop/billing:2' }).waitFor({ timeout: 30_000 });
    await waitForPhase('billing', 'Healthy', 2);
    const audited = page.locator('[data-audit-action="rollout.setImage"]');
    await audited.waitFor();
    expect(await audited.textContent()).toContain('billing 2');

    await page.locator('[data-roll-back="1"]').click();
    const rollBackDialog = page.getByRole('dialog', { name: 'Roll billing back to revision 1?' });
    await rollBackDialog.getByLabel(/Reason/).fill('billing 2 misbehaves');
    await rollBackDialog.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('[data-operation-outcome="Applied"]').filter({ hasText: 'Roll back to revision 1' }).waitFor({ timeout: 30_000 });
    await waitForPhase('billing', 'Healthy', 3);
    const row = await api.database.rollout.findFirstOrThrow({ where: { organizationId: org.id, name: 'billing' } });
    expect(JSON.stringify(row.spec)).toContain('shop/billing:1');
    expect(JSON.stringify(row.spec)).not.toContain('shop/billing:2');
    await screenshot(page, 'rollout-rolled-back');
  });

  it("lists a rollout's notification deliveries and follows a pending one until the worker settles it", async () => {
    await apply(canaryRollout('notices', 'shop/notices:1'));
    await waitForPhase('notices', 'Healthy');
    const rollout = await api.database.rollout.findFirstOrThrow({ where: { organizationId: org.id, name: 'notices' } });
    const planned = (trigger: string, service: string) => ({
      trigger,
      service,
      serviceType: 'slack',
      recipient: '#releases',
      dedupeKey: `${rollout.id}/${trigger}`,
      notification: { message: trigger, fields: {} },
    });
    const now = new Date();
    // No service is configured, so the worker's attempt of the pending delivery fails it for good.
    await inTransaction(api.database, (transaction) =>
      new NotificationDeliveryStore(api.database).record(organizationScope(org.id), transaction, {
        organizationId: org.id,
        subject: {
          kind: 'Rollout',
          id: rollout.id,
          name: 'staging/shop/notices',
          placement: { clusterId: rollout.clusterId, namespace: 'shop' },
        },
        notifications: [planned('on-rollout-updated', 'chat'), planned('on-rollout-completed', 'releases')],
        mutes: [
          {
            id: 'mute-updates',
            organizationId: org.id,
            subjectId: null,
            subjectName: null,
            trigger: 'on-rollout-updated',
            service: null,
            reason: 'noisy',
            until: new Date(now.getTime() + 60_000),
            createdBy: 'test',
            createdAt: now,
            revokedAt: null,
          },
        ],
        bound: { perMinute: 10 },
        now,
      }),
    );
    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(rolloutPath('notices'));
    const section = page.getByRole('region', { name: 'Notifications' });
    const failed = section.locator('tbody tr').filter({ hasText: 'on-rollout-completed' });
    await failed.locator('[data-phase="Failed"]').waitFor({ timeout: 20_000 });
    expect(await failed.locator('td').allTextContents()).toEqual([
      'on-rollout-completed',
      'releases (slack)',
      '#releases',
      '✖ Failed',
      '1',
      'service "releases" is no longer configured',
      expect.any(String),
    ]);
    const muted = section.locator('tbody tr').filter({ hasText: 'on-rollout-updated' });
    expect(await muted.locator('[data-phase="Muted"]').count()).toBe(1);
    expect(await muted.getByTestId('delivery-attempts').textContent()).toBe('0');
  });

  it('runs GraphiQL under the content security policy with the token the dashboard keeps', async () => {
    const page = await dashboardSignedInAs(org.tokens.viewer);
    const policy = (await page.goto(`${api.url}/graphiql`))?.headers()['content-security-policy'];
    expect(policy).toContain("script-src 'self'");
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').filter({ hasText: '"name": "staging"' }).waitFor();
    await screenshot(page, 'graphiql');
  });

  it('shows a viewer token every operation disabled', async () => {
    await apply(canaryRollout('cart', 'shop/cart:1'));
    await waitForPhase('cart', 'Healthy');
    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(rolloutPath('cart'));
    await phaseBadge(page, 'Healthy').waitFor();

    const buttons = page.locator('[data-operation]');
    expect(await buttons.count()).toBe(9);
    for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
    expect(await page.getByText('Role: viewer · read-only').count()).toBe(1);
    await screenshot(page, 'rollout-viewer');

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow(), 'how far the rollout page overflows 390 px').toBe(0);
    await screenshot(page, 'rollout-390px');
    await page.getByRole('link', { name: 'Overview' }).first().click();
    await page.locator('tr[data-rollout="staging/shop/cart"]').waitFor();
    expect(await overflow(), 'how far the overview overflows 390 px').toBe(0);
    await screenshot(page, 'overview-390px');
  });

  it("shows each ReplicaSet's pods and the rollout's recent events, and holds at 390 px", async () => {
    // Given a healthy rollout whose cluster reports a running and a crash-looping pod, more left out, and two Events
    await apply(canaryRollout('basket', 'shop/basket:1'));
    await waitForPhase('basket', 'Healthy');
    const startedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const lastSeenAt = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
    agent.observeWith('shop/basket', (state) => ({
      ...state,
      replicaSets: state.replicaSets.map((replicaSet) => ({
        ...replicaSet,
        pods: [
          {
            name: `basket-${replicaSet.podTemplateHash}-5jz59`,
            status: 'Running',
            readyContainers: 1,
            containers: 1,
            restarts: 0,
            startedAt,
            nodeName: 'node-eu-west-1a-7f3c',
          },
          {
            name: `basket-${replicaSet.podTemplateHash}-mkhrl`,
            status: 'CrashLoopBackOff',
            readyContainers: 0,
            containers: 1,
            restarts: 4,
            startedAt,
            nodeName: 'node-eu-west-1b-2d9e',
          },
          {
            name: `basket-${replicaSet.podTemplateHash}-q8wzt`,
            status: 'ContainerCreating',
            readyContainers: 0,
            containers: 1,
            restarts: 0,
            startedAt: undefined,
            nodeName: undefined,
          },
        ],
        podsOmitted: 2,
      })),
      events: [
        {
          type: 'Warning',
          reason: 'BackOff',
          message: 'Back-off restarting failed container basket in pod basket-mkhrl_shop(0b6c1f2e-5b1a-4f0e-9a57-1c3e8f0b7a42)',
          count: 4,
          lastSeenAt: lastSeenAt(20),
          involvedObject: { kind: 'Pod', name: 'basket-mkhrl' },
        },
        {
          type: 'Normal',
          reason: 'SuccessfulCreate',
          message: 'Created pod: basket-q8wzt',
          count: 1,
          lastSeenAt: lastSeenAt(60),
          involvedObject: { kind: 'ReplicaSet', name: 'basket' },
        },
      ],
    }));

    // When its page opens
    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(rolloutPath('basket'));
    const crashing = page.locator('tr[data-pod$="-mkhrl"]');
    await crashing.waitFor();

    // Then each pod shows its status, ready containers, restarts, age and node, and the events come newest first
    expect(await crashing.locator('td').allInnerTexts()).toEqual(['CrashLoopBackOff', '0/1', '4', '5m ago', 'node-eu-west-1b-2d9e']);
    expect(await page.locator('tr[data-pod$="-q8wzt"] td').allInnerTexts()).toEqual([
      'ContainerCreating',
      '0/1',
      '0',
      '—',
      'not scheduled',
    ]);
    expect(await page.getByText('… and 2 more pods, not reported.').count()).toBe(1);
    const events = page.locator('.event-list li');
    expect(await events.count()).toBe(2);
    expect(await events.first().innerText()).toContain('BackOff');
    expect(await events.first().innerText()).toContain('pod/basket-mkhrl');
    expect(await events.first().innerText()).toContain('×4');
    expect(await events.nth(1).getAttribute('data-event-type')).toBe('Normal');
    await screenshot(page, 'rollout-pods-events');

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow(), 'how far the rollout page with pods and events overflows 390 px').toBe(0);
    await page.getByRole('heading', { name: 'Pods' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'rollout-pods-events-390px');
  });

  it("shows a FleetRollout's plan wave by wave, then its release: members' steps, the manual approval and who gave it", async () => {
    await apply(canaryRollout('inventory', 'shop/inventory:1'));
    await waitForPhase('inventory', 'Healthy');
    await labelCluster('staging', { env: 'staging' });
    await registerCluster('prod-eu', { env: 'production' });
    await registerCluster('prod-us', { env: 'production' });
    await applyAsAdmin(fleetRollout('inventory-fleet', 'inventory'));

    const viewerPage = await dashboardSignedInAs(org.tokens.viewer);
    await viewerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Fleet releases' }).click();
    const row = viewerPage.locator('tr[data-fleet-rollout="inventory-fleet"]');
    expect(await row.textContent()).toContain('shop/inventory');
    expect(await row.textContent()).toContain('canary → production');
    await row.getByRole('link', { name: 'inventory-fleet' }).click();
    await viewerPage.getByRole('heading', { name: 'inventory-fleet', level: 1 }).waitFor();
    expect(viewerPage.url()).toBe(`${api.url}/fleet/inventory-fleet`);
    expect(await viewerPage.locator('tr[data-plan-wave="canary"] [data-testid="plan-clusters"]').textContent()).toBe('staging');
    expect(await viewerPage.locator('tr[data-plan-wave="production"] [data-testid="plan-clusters"]').textContent()).toBe(
      'prod-eu, prod-us',
    );
    await viewerPage.getByRole('heading', { name: 'No release yet', level: 2 }).waitFor();
    const plannedBoard = await viewerPage
      .locator('[data-wave]')
      .evaluateAll((columns) =>
        columns.map((column) => [
          column.getAttribute('data-wave'),
          [...column.querySelectorAll('[data-member]')].map((card) => card.getAttribute('data-member')),
        ]),
      );
    expect(plannedBoard).toEqual([
      ['canary', ['staging']],
      ['production', ['prod-eu', 'prod-us']],
    ]);
    expect(await viewerPage.locator('[data-fleet-operation="release"]').isDisabled()).toBe(true);
    await screenshot(viewerPage, 'fleet-plan');

    // What follows needs the fleet release mutations and the worker's fleet releases.
    const page = await dashboardSignedInAs(org.tokens.deployer);
    await page.goto(`${api.url}/fleet/inventory-fleet`);
    await page.locator('[data-fleet-operation="release"]').click();
    const releaseDialog = page.getByRole('dialog', { name: 'Release inventory-fleet?' });
    await releaseDialog.getByLabel('Image').fill('shop/inventory:2');
    expect(await releaseDialog.getByLabel('Container').inputValue()).toBe('inventory');
    await releaseDialog.getByLabel(/Reason/).fill('inventory 2 everywhere');
    await releaseDialog.getByRole('button', { name: 'Release' }).click();

    const release = page.locator('[data-release="1"]');
    await release.getByRole('heading', { name: 'Release #1', level: 2 }).waitFor({ timeout: 20_000 });
    expect(await release.textContent()).toContain('shop/inventory:2');
    expect(await release.textContent()).toContain('inventory 2 everywhere');
    const stagingCard = release.getByRole('article', { name: 'staging' });
    // The canary waits at its indefinite pause: one act promotes the wave
    const promote = page.locator('[data-fleet-operation="promoteWave"]');
    await promote.waitFor({ timeout: 30_000 });
    await promote.click();
    const promoteDialog = page.getByRole('dialog', { name: /^Promote wave .*inventory-fleet\?$/ });
    await promoteDialog.getByLabel(/Reason/).fill('canary checked');
    await promoteDialog.getByRole('button', { name: 'Promote wave' }).click();
    await stagingCard.locator('[data-phase="Released"]').waitFor({ timeout: 45_000 });
    expect(await stagingCard.getByTestId('member-rollout-phase').textContent()).toContain('Healthy');
    const canary = release.locator('[data-wave="canary"]');
    await canary.locator('[data-gate="approval"]').waitFor({ timeout: 20_000 });
    expect(await release.locator('[data-wave="production"] [data-member]').count()).toBe(2);
    await screenshot(page, 'fleet-release-waiting-for-approval');

    await page.locator('[data-fleet-operation="approveWave"]').click();
    const approveDialog = page.getByRole('dialog', { name: 'Approve wave canary of inventory-fleet?' });
    await approveDialog.getByLabel(/Reason/).fill('staging looks good');
    await approveDialog.getByRole('button', { name: 'Approve wave' }).click();
    const approval = canary.getByTestId('wave-approval');
    await approval.waitFor({ timeout: 20_000 });
    expect(await approval.textContent()).toContain('staging looks good');
    await page.getByTestId('release-phase').locator('[data-phase="Succeeded"]').waitFor({ timeout: 30_000 });
    expect(await release.locator('[data-wave="production"] [data-member-state="Skipped"]').count()).toBe(2);
    await screenshot(page, 'fleet-release-succeeded');
  });

  it('pages through the audit log with its cursor, filters it by target and action, and links each target to its page', async () => {
    await apply(canaryRollout('ledger', 'shop/ledger:1'));
    await waitForPhase('ledger', 'Healthy');
    const everything = await graphqlData<{ auditEvents: { nodes: unknown[] } }>(
      api.url,
      org.tokens.viewer,
      'query { auditEvents(page: { first: 500 }) { nodes { id } } }',
    );
    const total = everything.auditEvents.nodes.length;
    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.getByRole('link', { name: 'Audit' }).click();
    const rows = page.locator('tr[data-audit-event]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(Math.min(50, total));
    if (total > 50) {
      await page.getByRole('button', { name: 'Load older events' }).click();
      await eventually(async () => (await rows.count()) === Math.min(100, total), 10_000, 'the second page of events');
      const sequences = await rows.evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute('data-audit-event'))));
      expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
      expect(new Set(sequences).size).toBe(sequences.length);
    }

    await page.getByLabel('Target', { exact: true }).fill('staging/shop/ledger');
    await page.getByLabel(/^Action/).fill('rollout.created');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('1 event shown.').waitFor();
    expect(await rows.first().textContent()).toContain('token:deployer');
    await screenshot(page, 'audit-filtered');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await screenshot(page, 'audit-390px');
    await rows.first().getByRole('link', { name: 'staging/shop/ledger' }).click();
    await page.getByRole('heading', { name: 'ledger', level: 1 }).waitFor();
  });
});

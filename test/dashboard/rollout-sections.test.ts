import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, type Manifest } from '../support/manifests.js';
import { screenshot } from './browser.js';
import { dashboardForThisFile, stagingReleasesForThisFile } from './dashboard-harness.js';

const successRateTemplate: Manifest = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'success-rate' },
  spec: {
    metrics: [
      {
        name: 'success-rate',
        interval: '1s',
        count: 3,
        successCondition: 'result[0] >= 0.95',
        failureCondition: 'result[0] < 0.5',
        provider: { prometheus: { address: 'http://prometheus.monitoring:9090', query: 'vector(1)' } },
      },
    ],
  },
};

const { api, org, signedInAs: dashboardSignedInAs } = await dashboardForThisFile({ MIN_METRIC_INTERVAL_SECONDS: '1' });
const { apply, applyAsAdmin, setImage, waitForPhase } = await stagingReleasesForThisFile(api, org);

/**
 * Stores a finished pooled run of the release's `canary` wave, as the worker leaves one: per moment, each cluster's
 * own value and the pooled measurement (cluster null) with the verdict.
 */
async function storePooledRun(fleetReleaseId: string, values: Record<string, readonly number[]>): Promise<void> {
  const clusters = await api.database.cluster.findMany({ where: { organizationId: org.id }, orderBy: { name: 'asc' } });
  const at = (index: number, clusterOffsetMs: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, 10 * index) + clusterOffsetMs);
  await api.database.analysisRun.create({
    data: {
      organizationId: org.id,
      fleetReleaseId,
      pooledClusters: clusters.map((cluster) => ({ id: cluster.id, name: cluster.name })),
      namespace: 'shop',
      name: 'ledger-fleet-1-canary-0-pooled',
      kind: 'fleetWave',
      spec: {
        analysis: { templates: [{ templateName: 'error-rate' }] },
        stablePodTemplateHash: null,
        fleetWave: { wave: 'canary', cluster: null, attempt: 0 },
        resolved: {
          templates: [{ name: 'error-rate', clusterScope: false, version: 1 }],
          spec: { metrics: [{ name: 'error-rate', successCondition: 'all(result, {# < 0.05})', provider: { job: {} } }] },
          measuredBy: { 'error-rate': 'agent' },
        },
      },
      phase: 'Successful',
      startedAt: at(0, -1000),
      finishedAt: at(2, 1000),
      measurements: {
        create: [
          ...Object.entries(values).flatMap(([cluster, series], clusterIndex) =>
            series.map((value, index) => ({
              metricName: 'error-rate',
              index,
              cluster,
              phase: 'Successful',
              value: `[${value}]`,
              startedAt: at(index, clusterIndex * 200 - 500),
              finishedAt: at(index, clusterIndex * 200),
            })),
          ),
          ...[0, 1, 2].map((index) => ({
            metricName: 'error-rate',
            index,
            cluster: null,
            phase: 'Successful',
            value: JSON.stringify(Object.values(values).map((series) => series[index])),
            startedAt: at(index, -1000),
            finishedAt: at(index, 1000),
          })),
        ],
      },
    },
  });
}

/** Where a screenshot of one section goes, beside the full-page ones. */
const detailPath = (name: string): string => fileURLToPath(new URL(`../../test-results/screenshots/${name}.png`, import.meta.url));
const rolloutPath = (name: string) => `${api.url}/rollouts/staging/shop/${name}`;
const phaseBadge = (page: Page, phase: string) => page.getByTestId('rollout-phase').locator(`[data-phase="${phase}"]`);
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Moves the pointer to `share` of the way across the chart's plotting area, half way down. */
async function pointAt(plot: Locator, page: Page, share: number): Promise<void> {
  await plot.scrollIntoViewIfNeeded();
  const box = await plot.boundingBox();
  if (box === null) throw new Error('the chart has no plotting area on screen');
  await page.mouse.move(box.x + box.width * share, box.y + box.height / 2);
}

describe('the rollout page: manifest, revision diff, traffic routing and analysis chart', { timeout: 90_000 }, () => {
  it('shows the manifest as applied, the diff of a set image between two revisions, and the canary weights of the NGINX router', async () => {
    const rollout = canaryRollout('storefront', 'shop/storefront:1');
    rollout.spec.strategy.canary = {
      canaryService: 'storefront-canary',
      stableService: 'storefront-stable',
      trafficRouting: { nginx: { stableIngress: 'web' } },
      steps: [{ setWeight: 20 }, { pause: {} }],
    };
    await apply(rollout);
    await waitForPhase('storefront', 'Healthy');
    await setImage('storefront', 'shop/storefront:2');
    await waitForPhase('storefront', 'Paused', 2);
    // The diff reads only the two revisions it compares.
    const { rolloutRevisions } = await graphqlData<{ rolloutRevisions: unknown[] }>(
      api.url,
      org.tokens.viewer,
      'query { rolloutRevisions(rollout: { cluster: "staging", namespace: "shop", name: "storefront" }, revisions: [1]) { revision images } }',
    );
    expect(rolloutRevisions).toEqual([{ revision: 1, images: ['shop/storefront:1'] }]);

    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(rolloutPath('storefront'));
    await phaseBadge(page, 'Paused').waitFor();

    const traffic = page.getByRole('region', { name: 'Traffic routing' });
    const canaryIngress = traffic.locator('tr[data-router-object="Ingress/storefront-web-canary"]');
    await expect.poll(() => canaryIngress.getByTestId('observed-weight').textContent(), { timeout: 10_000 }).toContain('20%');
    expect(await canaryIngress.getByTestId('desired-weight').textContent()).toBe('20%');
    expect(await traffic.locator('tr[data-router-object="Ingress/web"]').getByTestId('observed-weight').textContent()).toBe(
      'not read back',
    );
    expect(await traffic.getByTestId('traffic-summary').textContent()).toBe(
      'NGINX Ingress: canary storefront-canary 20%, stable storefront-stable 80% asked.',
    );

    const manifest = page.getByRole('region', { name: 'Manifest' });
    const applied = await manifest.getByTestId('rollout-manifest').textContent();
    expect(applied).toMatch(/^apiVersion: argoproj.io\/v1alpha1\nkind: Rollout\nmetadata:\n {2}name: storefront\n {2}namespace: shop\n/);
    expect(applied).toContain('image: shop/storefront:2');

    const diff = manifest.getByTestId('revision-diff');
    expect(await diff.getAttribute('aria-label')).toBe('Diff from revision 1 to revision 2');
    expect((await diff.locator('[data-diff-line="removed"]').allTextContents()).map((line) => line.trim())).toEqual([
      '-          image: shop/storefront:1',
    ]);
    expect((await diff.locator('[data-diff-line="added"]').allTextContents()).map((line) => line.trim())).toEqual([
      '+          image: shop/storefront:2',
    ]);
    expect(await diff.locator('[data-diff-line="added"]').evaluate((line) => getComputedStyle(line).backgroundColor)).toBe(
      'rgb(220, 252, 231)',
    );
    await screenshot(page, 'rollout-manifest-traffic');

    await manifest.getByLabel('To revision', { exact: true }).selectOption('1');
    await manifest.getByTestId('revision-diff-empty').waitFor();
    expect(await manifest.getByTestId('revision-diff-empty').textContent()).toBe('Revisions 1 and 1 have the same spec.');
    await manifest.getByLabel('From revision', { exact: true }).selectOption('2');
    expect(await manifest.getByTestId('revision-diff').getAttribute('aria-label')).toBe('Diff from revision 2 to revision 1');
    expect(await manifest.locator('[data-diff-line="added"]').allTextContents()).toEqual(['+          image: shop/storefront:1\n']);

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflow(page), 'how far the rollout page overflows 390 px').toBe(0);
    await screenshot(page, 'rollout-manifest-traffic-390px');
    await traffic.screenshot({ path: detailPath('rollout-traffic-390px-detail') });
    await manifest.screenshot({ path: detailPath('rollout-manifest-390px-detail') });
  });

  it('charts the analysis measurements with uPlot: thresholds, a value on hover, and zoom into a time span', async () => {
    const rollout = canaryRollout('recommend', 'shop/recommend:1');
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'success-rate' }] } }];
    await apply(successRateTemplate, rollout);
    await waitForPhase('recommend', 'Healthy');
    await setImage('recommend', 'shop/recommend:2');

    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(rolloutPath('recommend'));
    await phaseBadge(page, 'Healthy').waitFor({ timeout: 30_000 });
    const chart = page.locator('figure[data-chart]');
    await expect.poll(() => chart.locator('[data-measurement][data-phase="Successful"]').count(), { timeout: 10_000 }).toBe(3);
    expect(await chart.locator('canvas').count()).toBe(1);
    expect(await chart.locator('[data-threshold="success-rate:success:0.95"]').textContent()).toBe('success-rate success ≥ 0.95');
    expect(await chart.locator('[data-threshold="success-rate:failure:0.5"]').textContent()).toBe('success-rate failure < 0.5');
    const legend = chart.locator('.u-legend .u-series');
    expect(await legend.locator('.u-label').allTextContents()).toEqual(['Time', 'success-rate']);

    const plot = chart.locator('.u-over');
    const hoveredValue = legend.nth(1).locator('.u-value');
    await pointAt(plot, page, 0.99);
    await expect.poll(() => hoveredValue.textContent()).toBe('0.96');
    await pointAt(plot, page, 0.01);
    await expect.poll(() => hoveredValue.textContent()).toBe('0.97');
    await screenshot(page, 'analysis-chart-hover');
    await chart.screenshot({
      path: detailPath('analysis-chart-hover-detail'),
    });

    // Dragging across the first part of the run zooms into it: its right edge is then the second measurement.
    await pointAt(plot, page, 0.02);
    await page.mouse.down();
    await pointAt(plot, page, 0.6);
    await page.mouse.up();
    await pointAt(plot, page, 0.99);
    await expect.poll(() => hoveredValue.textContent()).toBe('0.99');
    await plot.dblclick();
    await pointAt(plot, page, 0.99);
    await expect.poll(() => hoveredValue.textContent()).toBe('0.96');

    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => overflow(page), { message: 'how far the rollout page overflows 390 px' }).toBe(0);
    await screenshot(page, 'analysis-chart-390px');
  });

  it("charts a fleet release's pooled wave analysis with one series per cluster, each with its value on hover", async () => {
    await graphqlData(api.url, org.tokens.admin, 'mutation { registerCluster(name: "prod-eu") { agentToken } }');
    await apply(canaryRollout('ledger', 'shop/ledger:1'));
    await waitForPhase('ledger', 'Healthy');
    await applyAsAdmin({
      apiVersion: 'flotilla.io/v1alpha1',
      kind: 'FleetRollout',
      metadata: { name: 'ledger-fleet' },
      spec: { rollout: { namespace: 'shop', name: 'ledger' }, waves: [{ name: 'canary', approval: 'manual', allowMissing: true }] },
    });
    const { releaseFleet } = await graphqlData<{ releaseFleet: { id: string } }>(
      api.url,
      org.tokens.deployer,
      'mutation { releaseFleet(fleetRollout: "ledger-fleet", container: "ledger", image: "shop/ledger:2") { id } }',
    );
    await storePooledRun(releaseFleet.id, { 'prod-eu': [0.01, 0.02, 0.04], staging: [0.03, 0.01, 0.02] });

    const page = await dashboardSignedInAs(org.tokens.viewer);
    await page.goto(`${api.url}/fleet/ledger-fleet`);
    const chart = page.getByRole('region', { name: 'Wave analysis' }).locator('figure[data-chart="ledger-fleet-1-canary-0-pooled"]');
    await chart.locator('canvas').waitFor({ timeout: 20_000 });
    const legend = chart.locator('.u-legend .u-series');
    expect(await legend.locator('.u-label').allTextContents()).toEqual(['Time', 'error-rate · prod-eu', 'error-rate · staging']);
    expect(await chart.locator('[data-measurement]').count()).toBe(6);

    const plot = chart.locator('.u-over');
    const hoveredValues = () => legend.locator('.u-value').allTextContents();
    await pointAt(plot, page, 0.99);
    await expect.poll(async () => (await hoveredValues()).slice(1)).toEqual(['0.04', '0.02']);
    await pointAt(plot, page, 0.01);
    await expect.poll(async () => (await hoveredValues()).slice(1)).toEqual(['0.01', '0.03']);
    await chart.screenshot({
      path: detailPath('wave-analysis-chart-detail'),
    });
    await screenshot(page, 'wave-analysis-chart');
  });
});

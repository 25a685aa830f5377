import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, type TestContext } from 'vitest';

const screenshotDirectory = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

/** Debian's Chromium, headless, kept off the network: this machine's network is closed and the dashboard must not need it. */
export async function launchBrowser(): Promise<Browser> {
  // Playwright starts each browser with a new empty profile directory of its own (`--user-data-dir`).
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface DashboardPage {
  page: Page;
  context: BrowserContext;
  /** Every request the page made to a host other than the API's, which should stay empty. */
  foreignRequests: string[];
  /** Everything the Content-Security-Policy refused (events and console reports), which should stay empty. */
  policyViolations: string[];
  /** Every error the page's scripts threw and nothing caught, which should stay empty. */
  pageErrors: string[];
}

/**
 * A fresh browser context (empty localStorage) at laptop size at `path` of the API, refusing any request that leaves
 * the API's origin and recording whatever the Content-Security-Policy refuses.
 */
export async function openDashboard(browser: Browser, apiUrl: string, path = '/'): Promise<DashboardPage> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const foreignRequests: string[] = [];
  const policyViolations: string[] = [];
  const pageErrors: string[] = [];
  const origin = new URL(apiUrl).origin;
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  await context.exposeBinding('reportPolicyViolation', (_source, violation: string) => policyViolations.push(violation));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportPolicyViolation: (violation: string) => void }).reportPolicyViolation;
      report(`${event.effectiveDirective} refused ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) policyViolations.push(message.text());
  });
  await page.goto(new URL(path, apiUrl).href);
  return { page, context, foreignRequests, policyViolations, pageErrors };
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

/** Saves a full-page screenshot under test-results/screenshots/ and returns its path. */
export async function screenshot(page: Page, name: string, path = `${screenshotDirectory}${name}.png`): Promise<string> {
  mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Closes the pages a test opened (a screenshot of each first when the test failed) and fails the test on any request
 * that left the API origin or that the Content-Security-Policy refused.
 * @example afterEach((context) => closeCheckedPages(openPages, context));
 */
export async function closeCheckedPages(pages: DashboardPage[], context: TestContext): Promise<void> {
  const failed = context.task.result?.state === 'fail';
  for (const [index, opened] of pages.splice(0).entries()) {
    if (failed) await screenshot(opened.page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}-${index}`);
    await opened.context.close();
    expect(opened.foreignRequests, 'requests that left the API origin').toEqual([]);
    expect(opened.policyViolations, 'what the Content-Security-Policy refused').toEqual([]);
    expect(opened.pageErrors, "errors the page's scripts threw").toEqual([]);
  }
}

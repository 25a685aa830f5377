import type { Page } from 'playwright-core';
import { afterAll, afterEach } from 'vitest';
import { type MeasurementResponder, ConvergingAgent } from '../support/converging-agent.js';
import { graphqlData } from '../support/graphql-client.js';
import { toYaml, type Manifest } from '../support/manifests.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { apiForThisFile, type TestApi, type TestOrganization } from '../support/test-api.js';
import { closeCheckedPages, launchBrowser, openDashboard, signIn, type DashboardPage } from './browser.js';
import { ensureDashboardBuilt } from './dashboard-build.js';

/** The API serving the built dashboard, an organization with the cluster `staging`, and a browser to open it in. */
export interface DashboardHarness {
  api: TestApi;
  org: TestOrganization;
  /** A fresh page at `path`, checked after the test for foreign requests, policy violations and page errors. */
  openPage: (path?: string) => Promise<DashboardPage>;
  /** A fresh checked page of the dashboard, signed in with `token`. */
  signedInAs: (token: string) => Promise<Page>;
}

/**
 * The dashboard a test file shares, built when its sources changed and served by an API started while the file is
 * collected; pages are checked after each test, and the browser and API are closed after the last.
 */
export async function dashboardForThisFile(environment?: Record<string, string>): Promise<DashboardHarness> {
  ensureDashboardBuilt();
  const { api, org } = await apiForThisFile({ cluster: 'staging', ...(environment === undefined ? {} : { environment }) });
  const browser = await launchBrowser();
  const openPages: DashboardPage[] = [];
  afterAll(() => browser.close());
  afterEach((context) => closeCheckedPages(openPages, context));
  const openPage = async (path?: string): Promise<DashboardPage> => {
    const opened = await openDashboard(browser, api.url, path);
    openPages.push(opened);
    return opened;
  };
  return {
    api,
    org,
    openPage,
    signedInAs: async (token) => {
      const { page } = await openPage();
      await signIn(page, token);
      return page;
    },
  };
}

const SUCCESS_RATES = [0.97, 0.99, 0.96];
// Argo numbers measurements from 1 in what it sends; the API lists them from 0.
const answerSuccessRates: MeasurementResponder = (request) => {
  const value = SUCCESS_RATES[(request.measurementIndex - 1) % SUCCESS_RATES.length] as number;
  return { ok: true, value: [value], rawValue: `[${value}]` };
};

/** Releases carried out on `staging`: the worker, a stand-in agent answering success rates, and what drives them. */
export interface StagingReleases {
  agent: ConvergingAgent;
  /** Applies documents to the namespace `shop` of `staging` as the deployer. */
  apply: (...documents: Manifest[]) => Promise<void>;
  /** Organization-scoped documents, applied without a cluster or namespace, as FleetRollouts need the admin role. */
  applyAsAdmin: (...documents: Manifest[]) => Promise<void>;
  /** Sets the image of the container named as the rollout, as the deployer. */
  setImage: (name: string, image: string) => Promise<void>;
  /** Waits until the rollout is in `phase` at `generation` or later, observed. */
  waitForPhase: (name: string, phase: string, generation?: number) => Promise<void>;
}

/** A worker and a converging agent for `org`'s `staging`, stopped after the file's last test. */
export async function stagingReleasesForThisFile(api: TestApi, org: TestOrganization): Promise<StagingReleases> {
  // The stand-in agent sends no heartbeats; the scenarios together outlast the default silence limit.
  const worker = startNodeProcess('apps/worker/dist/main.js', {
    ...api.environment,
    SWEEP_INTERVAL_MS: '500',
    JOB_LOCK_MS: '3000',
    AGENT_SILENCE_LIMIT_MS: '600000',
  });
  afterAll(() => stopProcess(worker));
  const agent = new ConvergingAgent(api.url, org.agentTokens.staging as string, answerSuccessRates);
  afterAll(() => agent.disconnect());
  await agent.connect();
  return {
    agent,
    apply: async (...documents) => {
      await graphqlData(
        api.url,
        org.tokens.deployer,
        'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
        { yaml: toYaml(...documents) },
      );
    },
    applyAsAdmin: async (...documents) => {
      await graphqlData(api.url, org.tokens.admin, 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { name } }', {
        yaml: toYaml(...documents),
      });
    },
    setImage: async (name, image) => {
      await graphqlData(
        api.url,
        org.tokens.deployer,
        'mutation($rollout: RolloutRef!, $container: String!, $image: String!) { setImage(rollout: $rollout, container: $container, image: $image) { id } }',
        { rollout: { cluster: 'staging', namespace: 'shop', name }, container: name, image },
      );
    },
    waitForPhase: async (name, phase, generation = 1) => {
      await eventually(
        async () => {
          const row = await api.database.rollout.findFirst({ where: { organizationId: org.id, name } });
          return row !== null && row.phase === phase && row.generation >= generation && row.observedGeneration === row.generation;
        },
        30_000,
        `${name} to be ${phase} at generation ${generation}`,
      );
    },
  };
}

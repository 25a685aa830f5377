import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvergingAgent } from '../support/converging-agent.js';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

const API_KEY = 'dd-api-key-5f1e0c';
const APP_KEY = 'dd-app-key-93ab27';

let api: TestApi;
let worker: ChildProcess | undefined;
let agent: ConvergingAgent | undefined;
let server: Server;
let credentials: string;
const seen: { query: string | null; headers: IncomingHttpHeaders }[] = [];

/** Answers the Datadog v1 query API; `echo-key` fails with the key it was sent in the body, as a careless backend might. */
function startDatadog(): Promise<string> {
  server = createServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://datadog').searchParams.get('query');
    seen.push({ query, headers: request.headers });
    response.setHeader('content-type', 'application/json');
    if (query === 'echo-key') {
      response.statusCode = 400;
      response.end(JSON.stringify({ errors: [`unexpected key ${String(request.headers['dd-api-key'])}`] }));
      return;
    }
    response.end(
      JSON.stringify({
        status: 'ok',
        series: [
          {
            metric: 'checkout.latency',
            pointlist: [
              [Date.now() - 60_000, 48],
              [Date.now(), 42],
            ],
          },
        ],
      }),
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

let datadogAddress = '';
beforeAll(async () => {
  datadogAddress = await startDatadog();
  credentials = await mkdtemp(join(tmpdir(), 'flotilla-credentials-'));
  api = await startTestApi({ MIN_METRIC_INTERVAL_SECONDS: '1' });
});

/** The organization's `datadog` Secret, laid out as Kubernetes mounts one: a file per key, its own dot-entries beside them. */
async function mountDatadogSecret(organizationId: string): Promise<void> {
  const secret = join(credentials, organizationId, 'datadog');
  await mkdir(join(secret, '..2026_11_22'), { recursive: true });
  await Promise.all([
    writeFile(join(secret, 'api-key'), API_KEY),
    writeFile(join(secret, 'app-key'), APP_KEY),
    writeFile(join(secret, 'address'), datadogAddress),
  ]);
}
afterAll(async () => {
  agent?.disconnect();
  if (worker) await stopProcess(worker);
  await api.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(credentials, { recursive: true, force: true });
});

const datadogMetric = (name: string, query: string) => ({
  name,
  count: 1,
  consecutiveErrorLimit: 0,
  successCondition: 'result < 100',
  provider: { datadog: { apiVersion: 'v1', interval: '5m', query } },
});

describe('measurements taken from the control plane with provider credentials', () => {
  it('authenticate with the mounted Secret, and no credential value is stored', async () => {
    worker = startNodeProcess('apps/worker/dist/main.js', {
      ...api.environment,
      SWEEP_INTERVAL_MS: '500',
      CENTRAL_MEASUREMENT_ALLOW: '127.0.0.1/32',
      CENTRAL_CREDENTIALS_DIR: credentials,
    });
    const org = await api.organization({ cluster: 'staging' });
    await mountDatadogSecret(org.id);
    agent = new ConvergingAgent(api.url, org.agentTokens.staging as string);
    await agent.connect();
    const template: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'saas-latency', annotations: { 'flotilla.io/measure-from': 'control-plane' } },
      spec: { metrics: [datadogMetric('latency', 'avg:checkout.latency{*}'), datadogMetric('careless', 'echo-key')] },
    };
    const rollout = canaryRollout('checkout', 'shop/checkout:1');
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'saas-latency' }] } }];
    const applyYaml = (yaml: string) =>
      graphqlData(
        api.url,
        org.tokens.admin,
        'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
        { yaml },
      );
    await applyYaml(toYaml(template, rollout));
    await eventually(
      async () => (await api.database.rollout.findFirst({ where: { organizationId: org.id } }))?.phase === 'Healthy' || undefined,
      20_000,
      'the first deployment',
    );
    rollout.spec.template.spec.containers[0].image = 'shop/checkout:2';
    await applyYaml(toYaml(rollout));

    const measurements = await eventually(
      async () => {
        const rows = await api.database.measurement.findMany({
          where: { analysisRun: { organizationId: org.id } },
          orderBy: { metricName: 'asc' },
        });
        return rows.length === 2 && rows.every((row) => row.finishedAt !== null) ? rows : undefined;
      },
      20_000,
      'both measurements',
    );

    expect(measurements.map(({ metricName, phase, value, takenBy }) => ({ metricName, phase, value, takenBy }))).toEqual([
      { metricName: 'careless', phase: 'Error', value: null, takenBy: 'control-plane' },
      { metricName: 'latency', phase: 'Successful', value: '42', takenBy: 'control-plane' },
    ]);
    expect(measurements[0]?.message).toContain('unexpected key [redacted]');
    expect(
      seen
        .map(({ query, headers }) => ({ query, apiKey: headers['dd-api-key'], appKey: headers['dd-application-key'] }))
        .sort((a, b) => String(a.query).localeCompare(String(b.query))),
    ).toEqual([
      { query: 'avg:checkout.latency{*}', apiKey: API_KEY, appKey: APP_KEY },
      { query: 'echo-key', apiKey: API_KEY, appKey: APP_KEY },
    ]);
    const stored = JSON.stringify(
      await api.database.analysisRun.findMany({ where: { organizationId: org.id }, include: { measurements: true } }),
    );
    const audited = JSON.stringify(await api.database.auditEvent.findMany({ where: { organizationId: org.id } }));
    for (const secret of [API_KEY, APP_KEY]) {
      expect(stored).not.toContain(secret);
      expect(audited).not.toContain(secret);
    }
  });
});

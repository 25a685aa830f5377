import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConvergingAgent, type MeasurementResponder } from '../support/converging-agent.js';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
const workers: ChildProcess[] = [];
const agents: ConvergingAgent[] = [];

beforeAll(async () => {
  api = await startTestApi({ MIN_METRIC_INTERVAL_SECONDS: '1' });
});
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.disconnect();
  await Promise.all(workers.splice(0).map((worker) => stopProcess(worker)));
});
afterAll(() => api.close());

function startWorker(environment: Record<string, string> = {}): void {
  workers.push(
    startNodeProcess('apps/worker/dist/main.js', {
      ...api.environment,
      SWEEP_INTERVAL_MS: '500',
      JOB_LOCK_MS: '3000',
      MEASUREMENT_TIMEOUT_SECONDS: '3',
      ...environment,
    }),
  );
}

/** Connects a stand-in agent for a registered cluster of `org`, answering measurements with `respond`. */
async function connectAgent(org: TestOrganization, cluster: string, respond: MeasurementResponder): Promise<ConvergingAgent> {
  const agent = new ConvergingAgent(api.url, org.agentTokens[cluster] as string, respond);
  agents.push(agent);
  await agent.connect();
  await eventually(
    async () =>
      (await api.database.cluster.findFirst({ where: { organizationId: org.id, name: cluster, connectionState: 'Connected' } })) ??
      undefined,
    10_000,
    `the agent of ${cluster}`,
  );
  return agent;
}

/** A connected cluster whose stand-in agent answers measurements with `respond`. */
async function clusterAnswering(respond: MeasurementResponder): Promise<{ org: TestOrganization; agent: ConvergingAgent }> {
  const org = await api.organization({ cluster: 'staging' });
  return { org, agent: await connectAgent(org, 'staging', respond) };
}

const vector = (value: number): MeasurementOutcome => ({ ok: true, value: [value], rawValue: `[${value}]` });
const byMetric =
  (values: Record<string, number>): MeasurementResponder =>
  (request) => {
    const value = values[request.metric.name];
    return value === undefined ? undefined : vector(value);
  };

function template(name: string, metric: Record<string, unknown>, extra: Record<string, unknown> = {}): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      args: (extra.args as unknown[]) ?? [{ name: 'service-name' }],
      metrics: [
        {
          name,
          interval: '1s',
          count: 3,
          provider: {
            prometheus: {
              address: 'http://prometheus.monitoring:9090',
              query: `sum(rate(http_requests_total{service="{{args.service-name}}"}[1m]))`,
            },
          },
          ...metric,
        },
      ],
    },
  };
}

const successRate = template('success-rate', { successCondition: 'result[0] >= 0.95' });
const errorRate = template('error-rate', { failureCondition: 'result[0] > 0.05' });
const analysisArgs = [{ name: 'service-name', value: 'checkout' }];

async function applyIn(org: TestOrganization, cluster: string, ...documents: Manifest[]): Promise<void> {
  await graphqlData(
    api.url,
    org.tokens.admin,
    'mutation($cluster: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: "shop", yaml: $yaml) { name } }',
    { cluster, yaml: toYaml(...documents) },
  );
}

const apply = (org: TestOrganization, ...documents: Manifest[]): Promise<void> => applyIn(org, 'staging', ...documents);

async function setImage(org: TestOrganization, name: string, image: string, cluster = 'staging'): Promise<void> {
  await graphqlData(
    api.url,
    org.tokens.deployer,
    'mutation($r: RolloutRef!, $image: String!) { setImage(rollout: $r, container: $c, image: $image) { id } }'.replace('$c', `"${name}"`),
    {
      r: { cluster, namespace: 'shop', name },
      image,
    },
  );
}

type RolloutRow = { phase: string; message: string; status: unknown; generation: number; observedGeneration: number };

async function waitForRollout(org: TestOrganization, name: string, accept: (row: RolloutRow) => boolean, what: string, timeoutMs = 30_000) {
  let last = '';
  return eventually(
    async () => {
      const row = await api.database.rollout.findFirstOrThrow({ where: { organizationId: org.id, name } });
      last = `${row.phase} "${row.message}" step ${(row.status as { currentStepIndex?: number } | null)?.currentStepIndex}`;
      return accept(row) ? row : undefined;
    },
    timeoutMs,
    what,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (${name} is ${last})`);
  });
}

const stepOf = (row: { status: unknown }) => (row.status as { currentStepIndex?: number }).currentStepIndex;
/** The new revision has been acted on and has reached its last step. */
const releasedTo = (lastStep: number) => (row: RolloutRow) =>
  row.phase === 'Healthy' && row.generation > 1 && row.observedGeneration === row.generation && stepOf(row) === lastStep;

async function runsOf(org: TestOrganization) {
  return api.database.analysisRun.findMany({
    where: { organizationId: org.id },
    include: { measurements: { orderBy: [{ metricName: 'asc' }, { index: 'asc' }] } },
    orderBy: { id: 'asc' },
  });
}

describe('analysis runs drive rollouts as in Argo', () => {
  it('continues after a successful inline analysis step, keeping every measurement and the template versions it ran', async () => {
    startWorker();
    const { org, agent } = await clusterAnswering(byMetric({ 'success-rate': 0.99 }));
    const rollout = canaryRollout('checkout', 'shop/checkout:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'success-rate' }], args: analysisArgs } },
      { setWeight: 60 },
    ];
    await apply(org, successRate, rollout);
    await waitForRollout(org, 'checkout', (row) => row.phase === 'Healthy', 'the first deployment');

    await setImage(org, 'checkout', 'shop/checkout:2');
    await waitForRollout(org, 'checkout', releasedTo(3), 'the release to finish');

    const [run] = await runsOf(org);
    expect(run).toMatchObject({ kind: 'step', phase: 'Successful', revision: 2, stepIndex: 1 });
    expect(run?.measurements.map(({ metricName, index, phase, value }) => ({ metricName, index, phase, value }))).toEqual(
      [0, 1, 2].map((index) => ({ metricName: 'success-rate', index, phase: 'Successful', value: '[0.99]' })),
    );
    expect((run?.spec as { resolved: { templates: unknown[] } }).resolved.templates).toEqual([
      { name: 'success-rate', clusterScope: false, version: 1 },
    ]);
    expect(agent.measurementRequests[0]?.metric.provider.prometheus?.query).toBe('sum(rate(http_requests_total{service="checkout"}[1m]))');

    const listed = await graphqlData<{ analysisRuns: { nodes: { phase: string; measurements: unknown[] }[] } }>(
      api.url,
      org.tokens.viewer,
      '{ analysisRuns(filter: { rollout: "checkout", revision: 2 }) { nodes { phase kind measurements { metricName phase value } } } }',
    );
    expect(listed.analysisRuns.nodes).toHaveLength(1);
    expect(listed.analysisRuns.nodes[0]?.measurements).toHaveLength(3);
    const byName = await graphqlData<{ analysisRuns: { nodes: { name: string; revision: number }[] } }>(
      api.url,
      org.tokens.viewer,
      'query($name: String!) { analysisRuns(filter: { cluster: "staging", namespace: "shop", name: $name }) { nodes { name revision } } }',
      { name: run?.name },
    );
    expect(byName.analysisRuns.nodes).toEqual([{ name: run?.name, revision: 2 }]);
  });

  it('aborts to stable when background analysis over two merged templates fails', async () => {
    startWorker();
    const { org } = await clusterAnswering(byMetric({ 'success-rate': 0.99, 'error-rate': 0.5 }));
    const rollout = canaryRollout('cart', 'shop/cart:1');
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { pause: {} }];
    rollout.spec.strategy.canary.analysis = {
      templates: [{ templateName: 'success-rate' }, { templateName: 'error-rate' }],
      args: analysisArgs,
    };
    await apply(org, successRate, errorRate, rollout);
    await waitForRollout(org, 'cart', (row) => row.phase === 'Healthy', 'the first deployment');

    await setImage(org, 'cart', 'shop/cart:2');
    const aborted = await waitForRollout(org, 'cart', (row) => row.phase === 'Degraded', 'the abort');
    expect(aborted.message).toMatch(/aborted/i);
    const [run] = await runsOf(org);
    expect(run?.kind).toBe('background');
    expect(run?.phase).toBe('Failed');
    expect(new Set(run?.measurements.map((measurement) => measurement.metricName))).toEqual(new Set(['success-rate', 'error-rate']));
    expect(run?.message).toContain('error-rate');
  });

  it('pauses on an inconclusive result until promoted', async () => {
    startWorker();
    const { org } = await clusterAnswering(byMetric({ latency: 0.7 }));
    const latency = template('latency', { count: 1, successCondition: 'result[0] >= 0.95', failureCondition: 'result[0] < 0.5' });
    const rollout = canaryRollout('search', 'shop/search:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'latency' }], args: analysisArgs } },
      { setWeight: 60 },
    ];
    await apply(org, latency, rollout);
    await waitForRollout(org, 'search', (row) => row.phase === 'Healthy', 'the first deployment');

    await setImage(org, 'search', 'shop/search:2');
    const paused = await waitForRollout(org, 'search', (row) => row.phase === 'Paused', 'the inconclusive pause');
    expect(JSON.stringify(paused.status)).toContain('InconclusiveAnalysisRun');
    expect((await runsOf(org))[0]?.phase).toBe('Inconclusive');

    await graphqlData(
      api.url,
      org.tokens.deployer,
      'mutation { promote(rollout: { cluster: "staging", namespace: "shop", name: "search" }) { id } }',
    );
    await waitForRollout(org, 'search', releasedTo(3), 'the release to finish after promote');
  });

  it('never switches the active Service when blue-green pre-promotion analysis fails', async () => {
    startWorker();
    const { org, agent } = await clusterAnswering(byMetric({ 'success-rate': 0.2 }));
    const rollout = canaryRollout('payments', 'shop/payments:1');
    (rollout.spec as Manifest).strategy = {
      blueGreen: {
        activeService: 'payments-active',
        previewService: 'payments-preview',
        autoPromotionEnabled: true,
        prePromotionAnalysis: { templates: [{ templateName: 'success-rate' }], args: analysisArgs },
      },
    };
    await apply(org, successRate, rollout);
    const first = await waitForRollout(org, 'payments', (row) => row.phase === 'Healthy', 'the first deployment');
    const stableHash = (first.status as { stableRS: string }).stableRS;

    await setImage(org, 'payments', 'shop/payments:2');
    await waitForRollout(org, 'payments', (row) => row.phase === 'Degraded', 'the failed pre-promotion analysis');
    const desired = agent.desired.get('shop/payments');
    expect(desired?.state.services.active?.podTemplateHash).toBe(stableHash);
    expect((await runsOf(org))[0]).toMatchObject({ kind: 'prePromotion', phase: 'Failed' });
  });

  it('sends secret arguments to the agent as markers, never as values', async () => {
    startWorker();
    const { org, agent } = await clusterAnswering(() => ({ ok: true, value: { healthy: true }, rawValue: '{"healthy":true}' }));
    const probe: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'probe' },
      spec: {
        args: [{ name: 'api-token', valueFrom: { secretKeyRef: { name: 'token-secret', key: 'apiToken' } } }],
        metrics: [
          {
            name: 'probe',
            count: 1,
            successCondition: 'result.healthy',
            provider: {
              web: { url: 'http://checkout.shop/health', headers: [{ key: 'Authorization', value: 'Bearer {{args.api-token}}' }] },
            },
          },
        ],
      },
    };
    const rollout = canaryRollout('profile', 'shop/profile:1');
    rollout.spec.strategy.canary.steps = [{ setWeight: 50 }, { analysis: { templates: [{ templateName: 'probe' }] } }];
    await apply(org, probe, rollout);
    await waitForRollout(org, 'profile', (row) => row.phase === 'Healthy', 'the first deployment');
    await setImage(org, 'profile', 'shop/profile:2');
    await waitForRollout(org, 'profile', releasedTo(2), 'the release to finish');

    const header = agent.measurementRequests[0]?.metric.provider.web?.headers?.[0];
    expect(header).toEqual({ key: 'Authorization', value: 'Bearer $(flotilla-secret:token-secret/apiToken)' });
  });

  it('records an Error when the agent does not answer in time, and the run follows consecutiveErrorLimit', async () => {
    startWorker();
    const { org } = await clusterAnswering(() => undefined);
    const silent = template('silent', { count: 1, consecutiveErrorLimit: 0, successCondition: 'result[0] > 0' });
    const rollout = canaryRollout('ledger', 'shop/ledger:1');
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'silent' }], args: analysisArgs } }];
    await apply(org, silent, rollout);
    await waitForRollout(org, 'ledger', (row) => row.phase === 'Healthy', 'the first deployment');
    await setImage(org, 'ledger', 'shop/ledger:2');
    await waitForRollout(org, 'ledger', (row) => row.phase === 'Degraded', 'the abort after the error');
    const [run] = await runsOf(org);
    expect(run?.phase).toBe('Error');
    expect(run?.measurements[0]).toMatchObject({ phase: 'Error', message: expect.stringContaining('no answer') as unknown });
  });
});

describe("an agent's answers", () => {
  it("are recorded when they arrive after a reconnection, and only from an agent of the run's cluster", async () => {
    startWorker({ MEASUREMENT_TIMEOUT_SECONDS: '30' });
    const { org, agent } = await clusterAnswering(() => undefined);
    const stranger = (await clusterAnswering(() => undefined)).agent;
    const rollout = canaryRollout('ledger', 'shop/ledger:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'success-rate' }, { templateName: 'error-rate' }], args: analysisArgs } },
    ];
    await apply(org, successRate, errorRate, rollout);
    await waitForRollout(org, 'ledger', (row) => row.phase === 'Healthy', 'the first deployment');
    await setImage(org, 'ledger', 'shop/ledger:2');
    const asked = await eventually(
      () => (agent.measurementRequests.length >= 2 ? agent.measurementRequests.slice(0, 2) : undefined),
      15_000,
      'both measurements asked for',
    );

    for (const request of asked) stranger.answer(request.requestId, vector(0));
    // Time for a wrongly taken answer to be recorded: none must be.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await runsOf(org))[0]?.measurements.map((measurement) => measurement.phase)).toEqual(['Running', 'Running']);
    agent.disconnect();
    await agent.connect();
    for (const request of asked) agent.answer(request.requestId, vector(request.metric.name === 'success-rate' ? 0.99 : 0.01));

    const measured = await eventually(
      async () => {
        const [run] = await runsOf(org);
        return run?.measurements.filter((measurement) => measurement.index === 0 && measurement.phase !== 'Running').length === 2
          ? run
          : undefined;
      },
      15_000,
      'the answers recorded',
    );
    expect(
      measured.measurements
        .filter((measurement) => measurement.index === 0)
        .map(({ metricName, phase, value }) => ({ metricName, phase, value })),
    ).toEqual([
      { metricName: 'error-rate', phase: 'Successful', value: '[0.01]' },
      { metricName: 'success-rate', phase: 'Successful', value: '[0.99]' },
    ]);
  });

  it('come from an agent that restarted while measuring: it is asked again when it connects', async () => {
    startWorker({ MEASUREMENT_TIMEOUT_SECONDS: '30' });
    const { org, agent: lost } = await clusterAnswering(() => undefined);
    const rollout = canaryRollout('ledger', 'shop/ledger:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'success-rate' }], args: analysisArgs } },
    ];
    await apply(org, successRate, rollout);
    await waitForRollout(org, 'ledger', (row) => row.phase === 'Healthy', 'the first deployment');
    await setImage(org, 'ledger', 'shop/ledger:2');
    const [asked] = await eventually(
      () => (lost.measurementRequests.length > 0 ? lost.measurementRequests : undefined),
      15_000,
      'the first measurement asked for',
    );
    lost.disconnect();

    const restarted = await connectAgent(org, 'staging', byMetric({ 'success-rate': 0.99 }));
    const first = await eventually(
      async () => {
        const measurement = (await runsOf(org))[0]?.measurements.find((candidate) => candidate.index === 0);
        return measurement?.phase === 'Running' ? undefined : measurement;
      },
      15_000,
      'the first measurement answered',
    );
    expect({ phase: first.phase, value: first.value }).toEqual({ phase: 'Successful', value: '[0.99]' });
    const askedAgain = restarted.measurementRequests.find((request) => request.requestId === asked?.requestId);
    expect(askedAgain?.timeoutSeconds).toBeGreaterThan(0);
  });

  it('keep the metrics measured together due together, interval after interval, though they arrive apart', async () => {
    startWorker();
    const answerLater: { agent?: ConvergingAgent } = {};
    const { org, agent } = await clusterAnswering((request) => {
      const delayMs = request.metric.name === 'error-rate' ? 60 : 0;
      setTimeout(() => answerLater.agent?.answer(request.requestId, vector(request.metric.name === 'success-rate' ? 0.99 : 0.01)), delayMs);
      return undefined;
    });
    answerLater.agent = agent;
    const rollout = canaryRollout('ledger', 'shop/ledger:1');
    rollout.spec.strategy.canary.steps = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'success-rate' }, { templateName: 'error-rate' }], args: analysisArgs } },
    ];
    await apply(org, successRate, errorRate, rollout);
    await waitForRollout(org, 'ledger', (row) => row.phase === 'Healthy', 'the first deployment');
    await setImage(org, 'ledger', 'shop/ledger:2');
    await waitForRollout(org, 'ledger', releasedTo(2), 'the release to finish', 30_000);

    const [run] = await runsOf(org);
    expect(run?.phase).toBe('Successful');
    for (const index of [0, 1, 2]) {
      const taken = (run?.measurements ?? []).filter((measurement) => measurement.index === index);
      expect(
        taken.map((measurement) => measurement.metricName),
        `index ${index}`,
      ).toEqual(['error-rate', 'success-rate']);
      expect(new Set(taken.map((measurement) => measurement.startedAt.toISOString())).size, `index ${index} started together`).toBe(1);
      expect(new Set(taken.map((measurement) => measurement.finishedAt?.toISOString())).size, `index ${index} finished as answered`).toBe(
        2,
      );
    }
  });
});

describe('measurements taken from the control plane', () => {
  let server: Server;
  let url = '';
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: 1 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const centralTemplate = (): Manifest => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'saas', annotations: { 'flotilla.io/measure-from': 'control-plane' } },
    spec: {
      metrics: [
        {
          name: 'saas',
          count: 1,
          consecutiveErrorLimit: 0,
          successCondition: 'result.ok == 1',
          provider: { web: { url, jsonPath: '{$}' } },
        },
      ],
    },
  });

  async function release(org: TestOrganization, name: string): Promise<void> {
    const rollout = canaryRollout(name, `shop/${name}:1`);
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'saas' }] } }];
    await apply(org, centralTemplate(), rollout);
    await waitForRollout(org, name, (row) => row.phase === 'Healthy', 'the first deployment');
    await setImage(org, name, `shop/${name}:2`);
  }

  it('refuses loopback and private addresses unless allowed', async () => {
    startWorker();
    const { org, agent } = await clusterAnswering(() => undefined);
    const before = requests;
    await release(org, 'refused');
    await waitForRollout(org, 'refused', (row) => row.phase === 'Degraded', 'the abort');
    const [run] = await runsOf(org);
    expect(run?.measurements[0]).toMatchObject({ phase: 'Error', takenBy: 'control-plane' });
    expect(run?.measurements[0]?.message).toMatch(/refused|loopback/i);
    expect(requests).toBe(before);
    expect(agent.measurementRequests).toEqual([] as MeasurementRequest[]);
  });

  it('takes the metrics of a run that fall due together in one go, and re-derives them from Postgres after Redis loses them', async () => {
    startWorker({ CENTRAL_MEASUREMENT_ALLOW: '127.0.0.1/32' });
    const { org } = await clusterAnswering(() => undefined);
    const pair: Manifest = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'pair', annotations: { 'flotilla.io/measure-from': 'control-plane' } },
      spec: {
        metrics: ['first', 'second'].map((name) => ({
          name,
          interval: '1s',
          count: 3,
          successCondition: 'result.ok == 1',
          provider: { web: { url, jsonPath: '{$}' } },
        })),
      },
    };
    const rollout = canaryRollout('paired', 'shop/paired:1');
    rollout.spec.strategy.canary.steps = [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'pair' }] } }];
    await apply(org, pair, rollout);
    await waitForRollout(org, 'paired', (row) => row.phase === 'Healthy', 'the first deployment');
    await setImage(org, 'paired', 'shop/paired:2');
    await eventually(async () => ((await runsOf(org))[0]?.measurements.length ?? 0) >= 2 || undefined, 20_000, 'the first measurements');

    // Every queued job goes, the next measurements' delayed jobs with them.
    const redis = new Redis(api.environment.REDIS_URL as string);
    try {
      const keys = await redis.keys(`${api.environment.REDIS_PREFIX}:analysis:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      await redis.quit();
    }

    await waitForRollout(org, 'paired', releasedTo(2), 'the release to finish', 40_000);
    const [run] = await runsOf(org);
    expect(run?.phase).toBe('Successful');
    const measurements = run?.measurements ?? [];
    for (const index of [0, 1, 2]) {
      const taken = measurements.filter((measurement) => measurement.index === index);
      expect(
        taken.map((measurement) => measurement.metricName),
        `index ${index}`,
      ).toEqual(['first', 'second']);
      expect(
        new Set(taken.map((measurement) => `${measurement.startedAt.toISOString()} ${measurement.finishedAt?.toISOString()}`)).size,
        `index ${index} taken together`,
      ).toBe(1);
    }
    expect(measurements).toHaveLength(6);
  });

  it('measures centrally when the address is allowed', async () => {
    startWorker({ CENTRAL_MEASUREMENT_ALLOW: '127.0.0.1/32' });
    const { org } = await clusterAnswering(() => undefined);
    await release(org, 'allowed');
    await waitForRollout(org, 'allowed', releasedTo(2), 'the release to finish');
    const [run] = await runsOf(org);
    expect(run?.measurements[0]).toMatchObject({ phase: 'Successful', takenBy: 'control-plane' });
  });
});

describe('a ClusterAnalysisTemplate shared by the clusters of an organization', () => {
  it('runs in every cluster from the version current when each run started', async () => {
    startWorker();
    const { org } = await clusterAnswering(byMetric({ 'success-rate': 0.99 }));
    const registered = await graphqlData<{ registerCluster: { agentToken: string } }>(
      api.url,
      org.tokens.admin,
      'mutation { registerCluster(name: "production") { agentToken } }',
    );
    org.agentTokens.production = registered.registerCluster.agentToken;
    await connectAgent(org, 'production', byMetric({ 'success-rate': 0.99 }));

    const clusterTemplate = (successCondition: string): Manifest => ({
      ...template('success-rate', { count: 1, successCondition }),
      kind: 'ClusterAnalysisTemplate',
    });
    const rolloutReferringToIt = (name: string): Manifest => {
      const rollout = canaryRollout(name, `shop/${name}:1`);
      rollout.spec.strategy.canary.steps = [
        { setWeight: 20 },
        { analysis: { templates: [{ templateName: 'success-rate', clusterScope: true }], args: analysisArgs } },
        { setWeight: 60 },
      ];
      return rollout;
    };
    const clusterNames = new Map(
      (await api.database.cluster.findMany({ where: { organizationId: org.id } })).map((cluster) => [cluster.id, cluster.name]),
    );
    const releaseTo = async (name: string, cluster: string, revision: number): Promise<void> => {
      await setImage(org, name, `shop/${name}:${revision}`, cluster);
      await waitForRollout(org, name, (row) => releasedTo(3)(row) && row.generation === revision, `${name} revision ${revision} released`);
    };
    /** Each run's cluster, revision, outcome and the template versions it ran, by revision and then cluster. */
    const templatesRun = async () =>
      (await runsOf(org))
        .map((run) => ({
          cluster: run.clusterId === null ? undefined : clusterNames.get(run.clusterId),
          revision: run.revision,
          phase: run.phase,
          templates: (run.spec as { resolved: { templates: unknown[] } }).resolved.templates,
          successCondition: (run.spec as { resolved: { spec: { metrics: { successCondition?: string }[] } } }).resolved.spec.metrics[0]
            ?.successCondition,
        }))
        .sort((left, right) => (left.revision ?? 0) - (right.revision ?? 0) || String(left.cluster).localeCompare(String(right.cluster)));

    await apply(org, clusterTemplate('result[0] >= 0.95'), rolloutReferringToIt('checkout'));
    await applyIn(org, 'production', rolloutReferringToIt('basket'));
    await waitForRollout(org, 'checkout', (row) => row.phase === 'Healthy', 'the first deployment in staging');
    await waitForRollout(org, 'basket', (row) => row.phase === 'Healthy', 'the first deployment in production');
    await Promise.all([releaseTo('checkout', 'staging', 2), releaseTo('basket', 'production', 2)]);

    const firstVersion = [{ name: 'success-rate', clusterScope: true, version: 1 }];
    const firstRuns = [
      { cluster: 'production', revision: 2, phase: 'Successful', templates: firstVersion, successCondition: 'result[0] >= 0.95' },
      { cluster: 'staging', revision: 2, phase: 'Successful', templates: firstVersion, successCondition: 'result[0] >= 0.95' },
    ];
    expect(await templatesRun()).toEqual(firstRuns);

    await apply(org, clusterTemplate('result[0] >= 0.98'));
    expect(
      await api.database.clusterAnalysisTemplate.findFirstOrThrow({ where: { organizationId: org.id, name: 'success-rate' } }),
    ).toMatchObject({ version: 2 });
    await releaseTo('checkout', 'staging', 3);

    expect(await templatesRun()).toEqual([
      ...firstRuns,
      {
        cluster: 'staging',
        revision: 3,
        phase: 'Successful',
        templates: [{ name: 'success-rate', clusterScope: true, version: 2 }],
        successCondition: 'result[0] >= 0.98',
      },
    ]);
  });
});

import { startKubeSim, type KubeSim } from '@flotilla/kube-sim';
import type { AgentMessage, MeasurementRequest } from '@flotilla/protocol';
import type { Metric } from '@flotilla/argo-spec';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED } from '@flotilla/metric-providers';
import { startAgentUnderTest, eventually, type AgentUnderTest } from './support/agent-harness.js';
import { startMetricBackend, type MetricBackend } from './support/metric-backend.js';

type Answer = Extract<AgentMessage, { type: 'measurement' }>;

const CLUSTER = 'analysis';
const API_TOKEN = 'tk-8f2e1c9a77d04b';
let sim: KubeSim;
let running: AgentUnderTest | undefined;
let backend: MetricBackend;
let counter = 0;

function nextNamespace(): string {
  const name = `measure-${++counter}`;
  sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function secret(namespace: string, name: string, data: Record<string, string>): void {
  const encoded = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
  sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data: encoded });
}

async function connectedAgent(env: Record<string, string> = {}): Promise<AgentUnderTest> {
  running = await startAgentUnderTest(sim, CLUSTER, { env });
  await running.controlPlane.waitFor((message) => message.type === 'hello');
  return running;
}

function request(namespace: string, metric: Metric, overrides: Partial<MeasurementRequest> = {}): MeasurementRequest {
  const requestId = `req-${++counter}`;
  return {
    requestId,
    run: { name: 'checkout-6d8f9-2', namespace, uid: `uid-${requestId}` },
    metric,
    measurementIndex: 1,
    timeoutSeconds: 10,
    ...overrides,
  };
}

function measure(agent: AgentUnderTest, measurement: MeasurementRequest): Promise<Answer> {
  const mark = agent.controlPlane.received.length;
  agent.controlPlane.send({ type: 'measure', request: measurement });
  return agent.controlPlane.waitFor<Answer>(
    (message) => message.type === 'measurement' && message.requestId === measurement.requestId,
    10_000,
    mark,
  );
}

const answersTo = (agent: AgentUnderTest, requestId: string): Answer[] =>
  agent.controlPlane.received.filter((message): message is Answer => message.type === 'measurement' && message.requestId === requestId);

const webMetric = (path: string, extra: Partial<NonNullable<Metric['provider']['web']>> = {}): Metric => ({
  name: 'success-rate',
  provider: {
    web: {
      url: `${backend.url}${path}`,
      headers: [{ key: 'Authorization', value: 'Bearer $(flotilla-secret:api-credentials/token)' }],
      ...extra,
    },
  },
});

const smokeJob = (image: string): Metric => ({
  name: 'smoke',
  provider: { job: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image }] } } } } },
});

beforeAll(async () => {
  sim = await startKubeSim({ clusters: [CLUSTER], podReadyDelayMs: 30 });
});

beforeEach(async () => {
  backend = await startMetricBackend();
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await backend.close();
});

afterAll(async () => {
  await sim.stop();
});

describe('secret markers', () => {
  it('replaces a marker in a web header with the Secret value of the run namespace and answers with the value at jsonPath', async () => {
    const namespace = nextNamespace();
    secret(namespace, 'api-credentials', { token: API_TOKEN });
    backend.answer(() => ({ body: { data: { rate: 0.97, requests: 1200 } } }));
    const agent = await connectedAgent();

    const answer = await measure(agent, request(namespace, webMetric('/stats', { jsonPath: '{$.data.rate}' })));

    expect(answer.outcome).toEqual({ ok: true, value: 0.97, rawValue: '0.97' });
    expect(backend.requests.map((received) => [received.url, received.headers.authorization])).toEqual([['/stats', `Bearer ${API_TOKEN}`]]);
    expect(JSON.stringify(agent.logs)).not.toContain(API_TOKEN);
  });

  it('never sends a Secret value back, even when the backend echoes it', async () => {
    const namespace = nextNamespace();
    secret(namespace, 'api-credentials', { token: API_TOKEN });
    backend.answer((received) => ({ body: { caller: received.headers.authorization } }));
    const agent = await connectedAgent();

    const answer = await measure(agent, request(namespace, webMetric('/whoami', { jsonPath: '{$.caller}' })));

    expect(answer.outcome).toMatchObject({ ok: true, value: `Bearer ${REDACTED}` });
    expect(JSON.stringify(agent.controlPlane.received)).not.toContain(API_TOKEN);
  });

  it.each([
    ['the Secret does not exist', {}],
    ['the Secret lacks the key', { password: 'not-the-token' }],
  ])('answers an error without measuring when %s', async (_case, data: Record<string, string>) => {
    const namespace = nextNamespace();
    if (Object.keys(data).length > 0) secret(namespace, 'api-credentials', data);
    const agent = await connectedAgent();

    const answer = await measure(agent, request(namespace, webMetric('/stats')));

    expect(answer.outcome).toEqual({ ok: false, error: `secret api-credentials/token not found in namespace ${namespace}` });
    expect(backend.requests).toEqual([]);
  });
});

describe('providers', () => {
  it('queries a Prometheus endpoint and answers with the vector', async () => {
    const namespace = nextNamespace();
    backend.answer(() => ({
      body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1_763_800_000, '0.995'] }] } },
    }));
    const agent = await connectedAgent();
    const query = 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))';

    const answer = await measure(
      agent,
      request(namespace, { name: 'availability', provider: { prometheus: { address: backend.url, query } } }),
    );

    expect(answer.outcome).toMatchObject({ ok: true, value: [0.995], rawValue: '[0.995]', metadata: { ResolvedPrometheusQuery: query } });
    const received = new URL(backend.requests[0]?.url ?? '', backend.url);
    expect([received.pathname, received.searchParams.get('query')]).toEqual(['/api/v1/query', query]);
  });

  it.each([
    ['smoke:1', { ok: true, value: true, phase: 'Successful' }],
    ['smoke:fail', { ok: true, value: false, phase: 'Failed' }],
  ])('runs a job metric with image %s as a Job in the run namespace', async (image, expected) => {
    const namespace = nextNamespace();
    const agent = await connectedAgent();
    const measurement = request(namespace, smokeJob(image), { measurementIndex: 3 });

    const answer = await measure(agent, measurement);

    const jobName = `${measurement.run.uid}.smoke.3`;
    expect(answer.outcome).toEqual({ ...expected, rawValue: '', metadata: { 'job-name': jobName } });
    expect(sim.get(CLUSTER, { kind: 'Job', apiVersion: 'batch/v1', namespace, name: jobName })?.metadata.labels).toMatchObject({
      'analysisrun.argoproj.io/uid': measurement.run.uid,
    });
  });

  it.each([
    ['the agent namespace', 'agent', 'datadog-in-agent-namespace'],
    ['the run namespace when the agent namespace has none', 'run', 'datadog-in-run-namespace'],
  ])('reads provider credentials from %s', async (_case, holder, apiKey) => {
    const agentNamespace = nextNamespace();
    const namespace = nextNamespace();
    secret(holder === 'agent' ? agentNamespace : namespace, 'datadog', {
      address: backend.url,
      'api-key': apiKey,
      'app-key': 'application-key',
    });
    if (holder === 'agent') secret(namespace, 'datadog', { address: backend.url, 'api-key': 'not-this-one', 'app-key': 'application-key' });
    backend.answer(() => ({ body: { status: 'ok', series: [{ pointlist: [[1_763_800_000_000, 0.012]] }] } }));
    const agent = await connectedAgent({ FLOTILLA_AGENT_NAMESPACE: agentNamespace });

    const answer = await measure(
      agent,
      request(namespace, { name: 'error-rate', provider: { datadog: { query: 'sum:requests.error{service:checkout}' } } }),
    );

    expect(answer.outcome).toEqual({ ok: true, value: 0.012, rawValue: '0.012' });
    expect(backend.requests[0]?.headers['dd-api-key']).toBe(apiKey);
  });
});

describe('cancellation', () => {
  it('deletes the Job of a job metric whose run stopped and never answers it', async () => {
    const namespace = nextNamespace();
    secret(namespace, 'api-credentials', { token: API_TOKEN });
    const agent = await connectedAgent();
    // An image that cannot be pulled keeps the Job running until it is deleted.
    const stopped = request(namespace, smokeJob('smoke:missing'), { measurementIndex: 2 });
    const jobName = `${stopped.run.uid}.smoke.2`;
    const job = { kind: 'Job', apiVersion: 'batch/v1', namespace, name: jobName };

    agent.controlPlane.send({ type: 'measure', request: stopped });
    await eventually(() => expect(sim.get(CLUSTER, job)).toBeDefined());
    agent.controlPlane.send({ type: 'cancel', requestIds: [stopped.requestId] });

    await eventually(() => expect(sim.get(CLUSTER, job)).toBeUndefined());
    await eventually(() => expect(agent.agent.stats().measurements).toEqual({ waiting: 0, running: 0, unsent: 0 }));
    const probe = await measure(agent, request(namespace, webMetric('/probe')));
    expect(probe.outcome.ok).toBe(true);
    expect(answersTo(agent, stopped.requestId)).toEqual([]);
  });
});

describe('timeouts, duplicates and reconnects', () => {
  it('answers an error when the backend is slower than timeoutSeconds', async () => {
    const namespace = nextNamespace();
    secret(namespace, 'api-credentials', { token: API_TOKEN });
    backend.answer(() => ({ body: { data: { rate: 1 } }, delayMs: 3000 }));
    const agent = await connectedAgent();
    const startedAt = Date.now();

    const answer = await measure(agent, request(namespace, webMetric('/slow'), { timeoutSeconds: 1 }));

    expect(answer.outcome).toEqual({ ok: false, error: 'measurement did not finish within 1 s' });
    expect(Date.now() - startedAt).toBeLessThan(2500);
  });

  it('measures a requestId that arrives again while in flight only once', async () => {
    const namespace = nextNamespace();
    secret(namespace, 'api-credentials', { token: API_TOKEN });
    backend.answer(() => ({ body: { data: { rate: 0.9 } }, delayMs: 300 }));
    const agent = await connectedAgent();
    const measurement = request(namespace, webMetric('/stats', { jsonPath: '{$.data.rate}' }));

    agent.controlPlane.send({ type: 'measure', request: measurement });
    const answer = await measure(agent, measurement);

    expect(answer.outcome).toMatchObject({ ok: true, value: 0.9 });
    const probe = await measure(agent, request(namespace, webMetric('/probe')));
    expect(probe.outcome.ok).toBe(true);
    expect(backend.requests.map((received) => received.url)).toEqual(['/stats', '/probe']);
    expect(answersTo(agent, measurement.requestId)).toHaveLength(1);
  });

  it('keeps measuring across a reconnect and delivers the answer once connected again', async () => {
    const namespace = nextNamespace();
    secret(namespace, 'api-credentials', { token: API_TOKEN });
    backend.answer(() => ({ body: { data: { rate: 0.93 } }, delayMs: 300 }));
    const agent = await connectedAgent();
    const { controlPlane } = agent;
    const measurement = request(namespace, webMetric('/stats', { jsonPath: '{$.data.rate}' }));

    controlPlane.send({ type: 'measure', request: measurement });
    await eventually(() => expect(backend.requests).toHaveLength(1));
    controlPlane.unavailable = true;
    controlPlane.dropConnection();
    await eventually(() => expect(agent.agent.stats().measurements).toEqual({ waiting: 0, running: 0, unsent: 1 }));
    const mark = controlPlane.received.length;
    controlPlane.unavailable = false;

    const answer = await controlPlane.waitFor<Answer>(
      (message) => message.type === 'measurement' && message.requestId === measurement.requestId,
      5000,
      mark,
    );
    expect(answer.outcome).toEqual({ ok: true, value: 0.93, rawValue: '0.93' });
    expect(answersTo(agent, measurement.requestId)).toHaveLength(1);
    expect(agent.agent.stats().measurements.unsent).toBe(0);
  });

  it('drops an answer the control plane stopped waiting for while it was away', async () => {
    const namespace = nextNamespace();
    secret(namespace, 'api-credentials', { token: API_TOKEN });
    backend.answer(() => ({ body: { data: { rate: 0.93 } }, delayMs: 200 }));
    const agent = await connectedAgent();
    const { controlPlane } = agent;
    const expired = request(namespace, webMetric('/stats'), { timeoutSeconds: 1 });

    controlPlane.send({ type: 'measure', request: expired });
    await eventually(() => expect(backend.requests).toHaveLength(1));
    controlPlane.unavailable = true;
    controlPlane.dropConnection();
    await eventually(() => expect(agent.agent.stats().measurements.unsent).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const mark = controlPlane.received.length;
    controlPlane.unavailable = false;
    await controlPlane.waitFor((message) => message.type === 'hello', 5000, mark);

    const probe = await measure(agent, request(namespace, webMetric('/probe')));
    expect(probe.outcome.ok).toBe(true);
    expect(answersTo(agent, expired.requestId)).toEqual([]);
    expect(agent.agent.stats().measurements.unsent).toBe(0);
  });
});

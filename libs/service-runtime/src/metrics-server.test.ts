import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetricsListener, requireDistinctPorts, startMetricsServer, type MetricsServer } from './metrics-server.js';

describe('readMetricsListener', () => {
  it.each([
    [{}, { metricsHost: '127.0.0.1', metricsPort: 9464 }, []],
    [{ METRICS_HOST: '0.0.0.0', METRICS_PORT: '0' }, { metricsHost: '0.0.0.0', metricsPort: 0 }, []],
    [{ METRICS_PORT: '65536' }, { metricsHost: '127.0.0.1', metricsPort: 65_536 }, ['METRICS_PORT must be a port number, got 65536']],
    [
      { METRICS_PORT: 'prom' },
      { metricsHost: '127.0.0.1', metricsPort: Number.NaN },
      ['METRICS_PORT must be an integer of at least 0, got "prom"'],
    ],
  ])('reads %j', (environment, listener, expectedProblems) => {
    const problems: string[] = [];
    expect(readMetricsListener(environment, 9464, problems)).toEqual(listener);
    expect(problems).toEqual(expectedProblems);
  });
});

describe('requireDistinctPorts', () => {
  it.each([
    ['127.0.0.1', 3000, '127.0.0.1', 3000, ['METRICS_PORT must differ from PORT: both are 3000']],
    ['0.0.0.0', 3000, '127.0.0.1', 3000, ['METRICS_PORT must differ from PORT: both are 3000']],
    ['127.0.0.1', 3000, '10.0.0.5', 3000, []],
    ['127.0.0.1', 9464, '127.0.0.1', 3000, []],
    ['127.0.0.1', 0, '127.0.0.1', 0, []],
  ])('metrics on %s:%i beside PORT on %s:%i', (metricsHost, metricsPort, host, port, expectedProblems) => {
    const problems: string[] = [];
    requireDistinctPorts({ metricsHost, metricsPort }, { name: 'PORT', host, port }, problems);
    expect(problems).toEqual(expectedProblems);
  });
});

describe('startMetricsServer', () => {
  const registry = new Registry();
  const requests = new Counter({ name: 'probe_requests_total', help: 'Requests seen.', registers: [registry] });
  let server: MetricsServer;

  beforeAll(async () => {
    server = await startMetricsServer({ metricsHost: '127.0.0.1', metricsPort: 0 }, registry);
  });
  afterAll(() => server.close());

  it('serves the registry at /metrics in the Prometheus text format', async () => {
    requests.inc(3);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(await response.text()).toContain('probe_requests_total 3');
  });

  it('serves nothing else', async () => {
    for (const path of ['/', '/healthz', '/graphql', '/metrics/extra'])
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../kube-sim.js';
import { startSimulatedPrometheus, type SimulatedPrometheus } from './prometheus-endpoint.js';

const pod = (name: string, hash: string, image: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: 'shop', 'rollouts-pod-template-hash': hash } },
  spec: { containers: [{ name: 'app', image }] },
});

interface QueryAnswer {
  status: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] };
  errorType?: string;
  error?: string;
}

describe('the simulated Prometheus', () => {
  let sim: KubeSim;
  let prometheus: SimulatedPrometheus;
  const query = async (path: string, parameters: Record<string, string>): Promise<{ status: number; body: QueryAnswer }> => {
    const response = await fetch(`${prometheus.url}${path}?${new URLSearchParams(parameters).toString()}`);
    return { status: response.status, body: (await response.json()) as QueryAnswer };
  };
  const now = (): number => Math.ceil(Date.now() / 1000) + 1;

  beforeAll(async () => {
    sim = await startKubeSim({ clusters: ['east', 'west'] });
    prometheus = await startSimulatedPrometheus(sim, { port: 0 });
    sim.apply('east', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    sim.apply('west', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    sim.apply('east', pod('shop-good', 'good', 'shop:1.2'));
    sim.apply('west', pod('shop-bad', 'bad', 'registry.example/shop:1.3-bad')); // the tag, not the registry, says bad
  });
  afterAll(async () => {
    await prometheus.stop();
    await sim.stop();
  });

  it('answers an instant query with one sample of the pods selected, plausible for a good image', async () => {
    const time = String(now());
    const { body } = await query('/api/v1/query', {
      query: 'http_request_success_ratio{namespace="shop", rollouts_pod_template_hash="good"}',
      time,
    });
    expect(body).toMatchObject({ status: 'success', data: { resultType: 'vector' } });
    expect(body.data?.result).toEqual([
      {
        metric: { __name__: 'http_request_success_ratio', namespace: 'shop', rollouts_pod_template_hash: 'good' },
        value: [Number(time), expect.any(String)],
      },
    ]);
    expect(Number(body.data?.result[0]?.value?.[1])).toBeGreaterThanOrEqual(0.975);
  });

  it('answers worse for pods whose image tag contains "bad", in whichever cluster they run', async () => {
    const time = String(now());
    const ratio = await query('/api/v1/query', { query: 'http_request_success_ratio{rollouts_pod_template_hash="bad"}', time });
    const latency = await query('/api/v1/query', { query: 'http_request_duration_p95_seconds{cluster="west",app="shop"}', time });
    expect(Number(ratio.body.data?.result[0]?.value?.[1])).toBeLessThan(0.9);
    expect(Number(latency.body.data?.result[0]?.value?.[1])).toBeGreaterThan(0.7);
  });

  it('has no sample where no pod is selected, or before the pods existed', async () => {
    const { body } = await query('/api/v1/query', { query: 'http_request_success_ratio{cluster="east",rollouts_pod_template_hash="bad"}' });
    expect(body.data?.result).toEqual([]);
    const before = await query('/api/v1/query', { query: 'http_request_success_ratio{namespace="shop"}', time: '1000000000' });
    expect(before.body.data?.result).toEqual([]);
  });

  it('answers a range query with noisy values that agree with instant queries at the same moments', async () => {
    const start = now();
    const selector = 'http_request_duration_p95_seconds{namespace="shop",app="shop",cluster="east"}';
    const { body } = await query('/api/v1/query_range', { query: selector, start: String(start), end: String(start + 10), step: '3s' });
    const values = body.data?.result[0]?.values ?? [];
    expect(body.data?.resultType).toBe('matrix');
    expect(values.map(([time]) => time)).toEqual([start, start + 3, start + 6, start + 9]);
    for (const [time, value] of values) {
      const instant = await query('/api/v1/query', { query: selector, time: String(time) });
      expect(instant.body.data?.result[0]?.value?.[1]).toBe(value);
      expect(Number(value)).toBeGreaterThan(0.05);
      expect(Number(value)).toBeLessThan(0.2);
    }
    expect(new Set(values.map(([, value]) => value)).size).toBeGreaterThan(1);
  });

  it.each([
    ['up', 'the simulator answers only selectors of'],
    ['sum(rate(http_requests_total[1m]))', 'the simulator answers only selectors of'],
    ['http_request_success_ratio{namespace=~"shop"}', 'cannot read the matchers'],
  ])('refuses %s as Prometheus refuses a bad query', async (promql, message) => {
    const { status, body } = await query('/api/v1/query', { query: promql });
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(body.error).toContain(message);
  });

  it('refuses a range query without a usable step', async () => {
    const { status, body } = await query('/api/v1/query_range', { query: 'http_request_success_ratio', start: '1', end: '2', step: '0' });
    expect(status).toBe(400);
    expect(body.error).toContain('zero or negative query resolution step');
  });
});

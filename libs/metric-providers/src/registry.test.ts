import { METRIC_PROVIDER_NAMES } from '@flotilla/argo-spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineAdapter } from './define-adapter.js';
import { startFakeBackend, testContext, type FakeBackend } from './fake-backend.test-support.js';
import { createProviderRegistry, measureMetric, providerKindsOf } from './registry.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const context = testContext({ metricName: 'replaced-by-the-metric' });

describe('createProviderRegistry', () => {
  it('has an adapter of the right kind for every provider Argo ships', () => {
    const registry = createProviderRegistry();
    expect(METRIC_PROVIDER_NAMES.map((kind) => registry[kind].kind)).toEqual([...METRIC_PROVIDER_NAMES]);
  });
});

describe('measureMetric', () => {
  it('measures with the single provider of the metric', async () => {
    backend.respond({
      body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.98'] }] } }),
    });
    const outcome = await measureMetric({ name: 'success-rate', provider: { prometheus: { address: backend.url, query: 'up' } } }, context);
    expect(outcome).toMatchObject({ ok: true, value: [0.98], rawValue: '[0.98]' });
  });

  it.each([
    [{}, 'metric "m" has no provider'],
    [{ web: { url: 'http://a' }, prometheus: { address: 'http://b', query: 'up' } }, 'metric "m" sets several providers: prometheus, web'],
  ])('refuses the provider block %j', async (provider, error) => {
    await expect(measureMetric({ name: 'm', provider }, context)).resolves.toEqual({ ok: false, error });
  });

  it('passes the metric name to the adapter and turns what it throws into an error outcome', async () => {
    const seen: string[] = [];
    const registry = createProviderRegistry({
      web: defineAdapter('web', (_provider, measureContext) => {
        seen.push(measureContext.metricName);
        throw new Error('backend exploded');
      }),
    });
    await expect(measureMetric({ name: 'status', provider: { web: { url: 'http://a' } } }, context, registry)).resolves.toEqual({
      ok: false,
      error: 'backend exploded',
    });
    expect(seen).toEqual(['status']);
  });

  it.each([
    [{ job: { spec: {} } }, ['job']],
    [{ datadog: { query: 'q' }, newRelic: { query: 'q' } }, ['datadog', 'newRelic']],
  ])('finds the kinds set in %j', (provider, kinds) => {
    expect(providerKindsOf(provider)).toEqual(kinds);
  });
});

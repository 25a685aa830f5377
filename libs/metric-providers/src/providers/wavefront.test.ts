import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXED_NOW, secretsFrom, startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { closestPoint, wavefrontAdapter } from './wavefront.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const NOW = Math.floor(FIXED_NOW.getTime() / 1000);
const context = () => testContext({ secrets: secretsFrom({ 'wavefront-api-tokens': { [backend.url]: 'wf-token' } }) });
const QUERY = 'sum(rate(ts(http.requests.errors, app="checkout")))';

describe('closestPoint', () => {
  it.each([
    [
      [
        [NOW - 30, 0.1],
        [NOW - 2, 0.2],
        [NOW + 5, 0.3],
      ],
      { value: 0.2, epochSeconds: NOW - 2, driftSeconds: -2 },
    ],
    [[[NOW + 1, 4]], { value: 4, epochSeconds: NOW + 1, driftSeconds: 1 }],
  ])('picks the point nearest the measurement time in %j', (points, closest) => {
    expect(closestPoint(points, NOW)).toEqual(closest);
  });
});

describe('wavefrontAdapter', () => {
  it('queries the chart API at the measurement time with the address token', async () => {
    backend.respond({
      body: JSON.stringify({
        name: QUERY,
        query: QUERY,
        granularity: 1,
        timeseries: [{ label: 'http.requests.errors', host: 'checkout-1', tags: {}, data: [[NOW - 1, 0.0123]] }],
      }),
    });
    const outcome = await wavefrontAdapter.measure({ address: backend.url, query: QUERY }, context());
    expect(outcome).toEqual({ ok: true, value: 0.0123, rawValue: '0.01', metadata: { timestamps: String(NOW - 1), drift: '-1' } });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/v2/chart/api',
      query: `e=${NOW * 1000}&g=s&i=true&p=1&q=sum%28rate%28ts%28http.requests.errors%2C+app%3D%22checkout%22%29%29%29&s=${NOW * 1000}`,
      headers: { authorization: 'Bearer wf-token' },
    });
  });

  it('hands several series over as an array', async () => {
    backend.respond({ body: JSON.stringify({ warnings: 'slow query', timeseries: [{ data: [[NOW, 1]] }, { data: [[NOW - 3, 2.5]] }] }) });
    const outcome = await wavefrontAdapter.measure({ address: backend.url, query: QUERY }, context());
    expect(outcome).toEqual({
      ok: true,
      value: [1, 2.5],
      rawValue: '[1.00,2.50]',
      metadata: { warnings: 'slow query', timestamps: `[${NOW},${NOW - 3}]`, drift: '[0,-3]' },
    });
  });

  it.each([
    ['no series', { body: JSON.stringify({ timeseries: [] }) }, 'No TimeSeries found'],
    ['a 401', { status: 401, body: '{"message":"unauthorized"}' }, 'received non 2xx response code: 401'],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await wavefrontAdapter.measure({ address: backend.url, query: QUERY }, context());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });

  it('needs a token for the address', async () => {
    await expect(wavefrontAdapter.measure({ address: 'other.wavefront.com', query: QUERY }, context())).resolves.toEqual({
      ok: false,
      error: 'API token not found',
    });
  });
});

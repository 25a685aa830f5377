import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { graphiteAdapter, graphiteRenderUrl, graphiteValues } from './graphite.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const QUERY = `target=summarize(
  asPercent(sumSeries(stats.timers.checkout.*.5xx.count), sumSeries(stats.timers.checkout.*.count)),
  '5min', 'sum')&from=-5min`;

describe('graphite', () => {
  it('builds the render URL as Argo does', () => {
    expect(graphiteRenderUrl('http://graphite.example.com/', 'target=sum(a.*)&from=-5min')).toBe(
      'http://graphite.example.com/render?format=json&from=-5min&target=sum%28a.%2A%29',
    );
  });

  it.each([
    [
      [
        {
          target: 'a',
          datapoints: [
            [1.5, 1700000000],
            [null, 1700000060],
            ['2.5', 1700000120],
          ],
        },
      ],
      [1.5, 2.5],
    ],
    [[], []],
  ])('keeps the non-null values of the first target in %j', (answer, values) => {
    expect(graphiteValues(answer)).toEqual(values);
  });

  it('requests the render API and returns the values', async () => {
    backend.respond({
      body: JSON.stringify([
        {
          target: 'summarize(asPercent(...))',
          tags: { name: 'checkout' },
          datapoints: [
            [0.5, 1700000000],
            [null, 1700000300],
            [1.25, 1700000600],
          ],
        },
      ]),
    });
    const outcome = await graphiteAdapter.measure({ address: backend.url, query: QUERY }, testContext());
    expect(outcome).toEqual({ ok: true, value: [0.5, 1.25], rawValue: '[0.500000,1.250000]' });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/render',
      query:
        'format=json&from=-5min&target=summarize%28asPercent%28sumSeries%28stats.timers.checkout.%2A.5xx.count%29%2CsumSeries%28stats.timers.checkout.%2A.count%29%29%2C%275min%27%2C%27sum%27%29',
    });
  });

  it.each([
    ['no targets', { body: '[]' }, 'no values found'],
    ['a 500', { status: 500, body: 'render failed' }, 'error response: render failed'],
    ['a malformed body', { body: '[{"target":' }, 'could not parse JSON body'],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await graphiteAdapter.measure({ address: backend.url, query: QUERY }, testContext());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });
});

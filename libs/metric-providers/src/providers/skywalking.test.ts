import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { skywalkingAdapter, skywalkingMinute } from './skywalking.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const QUERY = `query queryData($duration: Duration!) {
  service_apdex: readMetricsValues(condition: { name: "service_apdex", entity: { scope: Service, serviceName: "checkout", normal: true } }, duration: $duration) {
    label values { values { value } }
  }
}`;

describe('skywalkingAdapter', () => {
  it.each([
    [new Date('2024-03-05T09:07:30Z'), '2024-03-05 0907'],
    [new Date('2024-12-31T23:59:59Z'), '2024-12-31 2359'],
  ])('formats %s as a minute', (time, text) => {
    expect(skywalkingMinute(time)).toBe(text);
  });

  it('posts the query with the duration of the interval and returns its data', async () => {
    const data = { service_apdex: { label: null, values: { values: [{ value: 10000 }, { value: 9980 }] } } };
    backend.respond({ body: JSON.stringify({ data }) });
    const outcome = await skywalkingAdapter.measure({ address: backend.url, query: QUERY, interval: '3m' }, testContext());
    expect(outcome).toEqual({ ok: true, value: data, rawValue: JSON.stringify(data) });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(request?.body ?? '')).toEqual({
      query: QUERY,
      variables: { duration: { start: '2024-03-05 0904', end: '2024-03-05 0907', step: 'MINUTE' } },
    });
  });

  it.each([
    [
      'GraphQL errors',
      { body: JSON.stringify({ errors: [{ message: 'Validation error of type FieldUndefined' }] }) },
      'graphql: Validation error of type FieldUndefined',
    ],
    ['null data', { body: JSON.stringify({ data: null }) }, 'no results returned from SkyWalking query'],
    ['a 500', { status: 500, body: 'oap down' }, 'received non 2xx response code: 500'],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await skywalkingAdapter.measure({ address: backend.url, query: QUERY }, testContext());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretLookup } from '../context.js';
import { FIXED_NOW, secretsFrom, startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { datadogAdapter, shapeV1Answer, shapeV2Answer, validateDatadogProvider } from './datadog.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const NOW_SECONDS = Math.floor(FIXED_NOW.getTime() / 1000);
const context = () =>
  testContext({ secrets: secretsFrom({ datadog: { address: backend.url, 'api-key': 'dd-api', 'app-key': 'dd-app' } }) });

// Shaped as in Datadog's API reference for "Query timeseries points" (v1) and "Query scalar data" (v2).
const V1_ANSWER = JSON.stringify({
  status: 'ok',
  res_type: 'time_series',
  from_date: (NOW_SECONDS - 300) * 1000,
  to_date: NOW_SECONDS * 1000,
  query: 'sum:requests.error.count{service:checkout}',
  series: [
    {
      metric: 'requests.error.count',
      pointlist: [
        [(NOW_SECONDS - 60) * 1000, 0.02],
        [NOW_SECONDS * 1000, 0.0042],
      ],
      scope: 'service:checkout',
      length: 2,
    },
  ],
});
const V2_ANSWER = JSON.stringify({
  data: {
    type: 'scalar_response',
    attributes: { columns: [{ name: 'a', type: 'number', values: [0.0042], meta: { unit: [{ family: 'percentage', name: 'percent' }] } }] },
  },
});

describe('shapes', () => {
  it.each([
    ['the last point', JSON.parse(V1_ANSWER) as unknown, { value: 0.0042, rawValue: '0.0042' }],
    ['no series', { series: [] }, { value: null, rawValue: '[]' }],
  ])('v1: %s', (_name, answer, shaped) => {
    expect(shapeV1Answer(answer)).toEqual(shaped);
  });

  it.each([
    ['the first value', JSON.parse(V2_ANSWER) as unknown, { value: 0.0042, rawValue: '0.0042' }],
    [
      'an empty column',
      { data: { attributes: { columns: [{ name: 'a', type: 'number', values: [] }] } } },
      { value: null, rawValue: '[]' },
    ],
    [
      'a group column first',
      {
        data: {
          attributes: {
            columns: [
              { name: 'host', type: 'group', values: [['a']] },
              { name: 'a', type: 'number', values: [7] },
            ],
          },
        },
      },
      { value: 7, rawValue: '7' },
    ],
  ])('v2: %s', (_name, answer, shaped) => {
    expect(shapeV2Answer(answer)).toEqual(shaped);
  });

  it.each([
    [{}, 'Must have either a query or queries'],
    [{ query: 'a', queries: { b: 'b' } }, 'Cannot have both a query and queries'],
    [{ queries: { a: 'a' } }, 'API Version v1 only supports using the query parameter'],
    [{ apiVersion: 'v2' as const, queries: { a: 'a', b: 'b' } }, 'must include a formula'],
    [{ query: 'a', aggregator: 'avg' }, 'Aggregator is not supported in v1'],
    // upstream: TestValidateIncomingProps
    [{ query: 'a', requestTimeout: 'soon' }, 'Could not parse the request timeout: time: invalid duration "soon"'],
    [{ query: 'a', requestTimeout: '0s' }, 'Request timeout must be a positive duration'],
  ])('refuses %j', (provider, message) => {
    expect(validateDatadogProvider(provider)).toContain(message);
  });
});

describe('datadogAdapter', () => {
  it('v1: queries the window before now with both keys', async () => {
    backend.respond({ body: V1_ANSWER });
    const outcome = await datadogAdapter.measure(
      { query: 'sum:requests.error.count{service:checkout}.as_rate()', interval: '5m' },
      context(),
    );
    expect(outcome).toEqual({ ok: true, value: 0.0042, rawValue: '0.0042' });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/v1/query',
      query: `from=${NOW_SECONDS - 300}&query=sum%3Arequests.error.count%7Bservice%3Acheckout%7D.as_rate%28%29&to=${NOW_SECONDS}`,
      headers: { 'dd-api-key': 'dd-api', 'dd-application-key': 'dd-app', 'content-type': 'application/json' },
    });
  });

  it('v2: posts a scalar request with queries, formula and aggregator', async () => {
    backend.respond({ body: V2_ANSWER });
    const outcome = await datadogAdapter.measure(
      {
        apiVersion: 'v2',
        interval: '10m',
        queries: { a: 'sum:requests.error{service:checkout}.as_count()', b: 'sum:requests{service:checkout}.as_count()' },
        formula: 'a/b',
        aggregator: 'sum',
      },
      context(),
    );
    expect(outcome).toEqual({ ok: true, value: 0.0042, rawValue: '0.0042' });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({
      method: 'POST',
      path: '/api/v2/query/scalar',
      headers: { 'dd-api-key': 'dd-api', 'dd-application-key': 'dd-app' },
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({
      data: {
        type: 'scalar_request',
        attributes: {
          from: (NOW_SECONDS - 600) * 1000,
          to: NOW_SECONDS * 1000,
          queries: [
            { aggregator: 'sum', data_source: 'metrics', name: 'a', query: 'sum:requests.error{service:checkout}.as_count()' },
            { aggregator: 'sum', data_source: 'metrics', name: 'b', query: 'sum:requests{service:checkout}.as_count()' },
          ],
          formulas: [{ formula: 'a/b' }],
        },
      },
    });
  });

  it('no data is null, which default() in a condition can replace', async () => {
    backend.respond({ body: JSON.stringify({ status: 'ok', series: [] }) });
    await expect(datadogAdapter.measure({ query: 'sum:requests.error.count{service:checkout}' }, context())).resolves.toEqual({
      ok: true,
      value: null,
      rawValue: '[]',
    });
  });

  it.each([
    ['a 403', { status: 403, body: '{"errors":["Forbidden"]}' }, 'received authentication error response code: 403'],
    ['a 500', { status: 500, body: 'oops' }, 'received non 2xx response code: 500 oops'],
    ['a malformed body', { body: '{"series":[' }, 'could not parse JSON body'],
    ['query errors', { body: JSON.stringify({ data: { errors: 'unknown metric' } }) }, 'There were errors in your query: unknown metric'],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await datadogAdapter.measure({ apiVersion: 'v2', query: 'avg:system.cpu.user{*}' }, context());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });

  it('reads the Secret secretRef names, only in the run namespace when namespaced', async () => {
    backend.respond({ body: V1_ANSWER });
    const lookups: [string, boolean][] = [];
    const secrets: SecretLookup = (name, options) => {
      lookups.push([name, options?.runNamespaceOnly === true]);
      return Promise.resolve({ address: backend.url, 'api-key': 'team-a-api', 'app-key': 'team-a-app' });
    };
    const outcome = await datadogAdapter.measure(
      { query: 'avg:cpu{*}', secretRef: { name: 'datadog-team-a', namespaced: true } },
      testContext({ secrets }),
    );
    expect(outcome.ok).toBe(true);
    expect(lookups).toEqual([['datadog-team-a', true]]);
    expect(backend.requests.at(-1)?.headers).toMatchObject({ 'dd-api-key': 'team-a-api', 'dd-application-key': 'team-a-app' });
    await datadogAdapter.measure({ query: 'avg:cpu{*}', secretRef: { name: 'datadog-shared' } }, testContext({ secrets }));
    expect(lookups.at(-1)).toEqual(['datadog-shared', false]);
  });

  it('says where a namespaced Secret was looked for', async () => {
    const outcome = await datadogAdapter.measure(
      { query: 'avg:cpu{*}', secretRef: { name: 'datadog-team-a', namespaced: true } },
      testContext({ secrets: secretsFrom({}) }),
    );
    expect(outcome).toEqual({ ok: false, error: 'secret "datadog-team-a" not found in the run\'s namespace' });
  });

  // upstream: TestRequestTimeout
  it('gives up after requestTimeout', async () => {
    backend.respond({ body: V1_ANSWER, delayMs: 400 });
    const outcome = await datadogAdapter.measure({ query: 'avg:cpu{*}', requestTimeout: '100ms' }, context());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining('timed out after 100 ms') as unknown });
  });

  it('needs both keys in the datadog secret', async () => {
    const outcome = await datadogAdapter.measure(
      { query: 'avg:system.cpu.user{*}' },
      testContext({ secrets: secretsFrom({ datadog: { 'api-key': 'x' } }) }),
    );
    expect(outcome).toEqual({ ok: false, error: 'secret "datadog" lacks app-key' });
  });
});

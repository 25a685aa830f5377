import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { FIXED_NOW, secretsFrom, startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { parseSampleValue, prometheusAdapter, shapeQueryData } from './prometheus.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

// Answers shaped as in Prometheus' HTTP API documentation.
const VECTOR = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'vector',
    result: [
      { metric: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' }, value: [1435781451.781, '1'] },
      { metric: { __name__: 'up', job: 'node', instance: 'localhost:9100' }, value: [1435781451.781, '0'] },
    ],
  },
});

/** SigV4 of a GET without a body, written out step by step from AWS' description of the canonical request. */
function referenceSignature(request: {
  path: string;
  query: string;
  headers: Record<string, string>;
  secret: string;
  scope: string;
}): string {
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  const names = Object.keys(request.headers).sort();
  // Every byte but the unreserved A-Z a-z 0-9 - _ . ~ is percent-encoded, in upper case.
  const awsEncode = (text: string): string =>
    encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = request.query
    .split('&')
    .map((pair) =>
      pair
        .split('=')
        .map((part) => awsEncode(decodeURIComponent(part.replace(/\+/g, ' '))))
        .join('='),
    )
    .sort()
    .join('&');
  const canonicalRequest = [
    'GET',
    request.path,
    canonicalQuery,
    names.map((name) => `${name}:${request.headers[name]}\n`).join(''),
    names.join(';'),
    sha256(''),
  ].join('\n');
  const [day, region, service] = request.scope.split('/') as [string, string, string];
  const stringToSign = ['AWS4-HMAC-SHA256', `${day}T090730Z`, request.scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = Buffer.from(`AWS4${request.secret}`);
  for (const part of [day, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('shapeQueryData', () => {
  it.each([
    ['scalar', { resultType: 'scalar', result: [1435781451.781, '0.95'] }, 0.95, '0.95'],
    [
      'vector',
      {
        resultType: 'vector',
        result: [
          { metric: {}, value: [1, '0.97'] },
          { metric: {}, value: [1, '0.5'] },
        ],
      },
      [0.97, 0.5],
      '[0.97,0.5]',
    ],
    ['empty vector', { resultType: 'vector', result: [] }, [], '[]'],
    ['vector with NaN', { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] }, [NaN], '[NaN]'],
    ['scalar +Inf', { resultType: 'scalar', result: [1, '+Inf'] }, Infinity, '+Inf'],
    [
      'matrix',
      {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [
              [1, '1'],
              [2, '2'],
            ],
          },
          { metric: {}, values: [[1, '-Inf']] },
        ],
      },
      [1, 2, -Infinity],
      '[1,2,-Inf]',
    ],
  ])('shapes a %s', (_name, data, value, rawValue) => {
    expect(shapeQueryData(data)).toEqual({ value, rawValue });
  });

  it('refuses result types Argo does not read', () => {
    expect(() => shapeQueryData({ resultType: 'string', result: [1, 'x'] })).toThrow('Prometheus metric type not supported: string');
  });

  it.each([
    ['1e-7', 1e-7],
    ['-Inf', -Infinity],
    ['42', 42],
  ])('parses the sample value %s', (text, value) => {
    expect(parseSampleValue(text)).toBe(value);
  });
});

describe('prometheusAdapter', () => {
  const provider = { address: '', query: 'sum(rate(http_requests_total{code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))' };

  it('sends an instant query with time, timeout and headers and returns the vector as numbers', async () => {
    backend.respond({ body: VECTOR });
    const outcome = await prometheusAdapter.measure(
      {
        ...provider,
        address: `${backend.url}/prom/`,
        timeout: 15,
        headers: [
          { key: 'X-Scope-OrgID', value: 'team-a' },
          { key: 'Authorization', value: 'Bearer abc' },
        ],
      },
      testContext(),
    );
    expect(outcome).toEqual({ ok: true, value: [1, 0], rawValue: '[1,0]', metadata: { ResolvedPrometheusQuery: provider.query } });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({
      method: 'GET',
      path: '/prom/api/v1/query',
      body: '',
      headers: { 'x-scope-orgid': 'team-a', authorization: 'Bearer abc' },
    });
    expect(request?.query).toBe(
      `query=sum%28rate%28http_requests_total%7Bcode%21~%225..%22%7D%5B5m%5D%29%29+%2F+sum%28rate%28http_requests_total%5B5m%5D%29%29&time=${FIXED_NOW.getTime() / 1000}&timeout=15s`,
    );
  });

  it('fetches an oauth2 token first and sends it as a bearer token', async () => {
    backend.respond((request) =>
      request.path === '/token'
        ? { body: JSON.stringify({ access_token: 'tok-1', token_type: 'Bearer', expires_in: 3600 }) }
        : { body: VECTOR },
    );
    const authentication = {
      oauth2: { tokenUrl: `${backend.url}/token`, clientId: 'rollouts', clientSecret: 's3cret', scopes: ['read', 'query'] },
    };
    const outcome = await prometheusAdapter.measure({ ...provider, address: backend.url, authentication }, testContext());
    expect(outcome.ok).toBe(true);
    const [tokenRequest, queryRequest] = backend.requests.slice(-2);
    expect(tokenRequest).toMatchObject({
      method: 'POST',
      path: '/token',
      body: 'grant_type=client_credentials&client_id=rollouts&client_secret=s3cret&scope=read+query',
    });
    expect(queryRequest?.headers['authorization']).toBe('Bearer tok-1');
  });

  // upstream: TestRunSuccessfullyWithRangeQuery
  it('sends a range query with start, end and step evaluated at the measurement time and flattens the matrix', async () => {
    backend.respond({
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { pod: 'a' },
              values: [
                [1691967600, '11'],
                [1691967660, '12'],
              ],
            },
            {
              metric: { pod: 'b' },
              values: [
                [1691967600, '13'],
                [1691967660, '14'],
              ],
            },
          ],
        },
      }),
    });
    const rangeQuery = {
      start: 'date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")',
      end: 'now() - duration("30s")',
      step: '1m30s',
    };
    const outcome = await prometheusAdapter.measure({ address: backend.url, query: 'up', rangeQuery, timeout: 20 }, testContext());
    expect(outcome).toEqual({ ok: true, value: [11, 12, 13, 14], rawValue: '[11,12,13,14]', metadata: { ResolvedPrometheusQuery: 'up' } });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/v1/query_range',
      query: `end=${FIXED_NOW.getTime() / 1000 - 30}&query=up&start=1691967600&step=90&timeout=20s`,
    });
  });

  it.each([
    // upstream: TestRunUnparsableStartTime, TestRunUnparsableEndTime, TestRunUnparsableStep
    [
      { start: 'now() - duration("??")', end: 'now()', step: '1m' },
      'failed to parse rangeQuery.start as time: time: invalid duration "??"',
    ],
    [{ start: 'now()', end: 'now() - duration("??")', step: '1m' }, 'failed to parse rangeQuery.end as time: time: invalid duration "??"'],
    [{ start: 'now()', end: 'now()', step: '??' }, 'failed to parse rangeQuery.step as duration: time: invalid duration "??"'],
  ])('refuses the range %j before sending anything', async (rangeQuery, error) => {
    const sent = backend.requests.length;
    const outcome = await prometheusAdapter.measure({ address: backend.url, query: 'up', rangeQuery }, testContext());
    expect(outcome).toEqual({ ok: false, error });
    expect(backend.requests.length).toBe(sent);
  });

  it('signs the query with SigV4 for Amazon Managed Prometheus with the credentials Secret sigv4.profile names', async () => {
    backend.respond({ body: VECTOR });
    const credentials = {
      'access-key-id': 'AKIDEXAMPLE',
      'secret-access-key': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      'session-token': 'tok',
    };
    const outcome = await prometheusAdapter.measure(
      {
        address: `${backend.url}/workspaces/ws-1`,
        query: 'sum(up{job="api"})',
        authentication: { sigv4: { region: 'eu-west-1', profile: 'amp' } },
        headers: [{ key: 'X-Team', value: 'a' }],
      },
      testContext({ secrets: secretsFrom({ amp: credentials }) }),
    );
    expect(outcome.ok).toBe(true);
    const request = backend.requests.at(-1);
    expect(request?.path).toBe('/workspaces/ws-1/api/v1/query');
    expect(request?.headers).toMatchObject({ 'x-amz-date': '20240305T090730Z', 'x-amz-security-token': 'tok', 'x-team': 'a' });
    const expected = referenceSignature({
      path: request?.path ?? '',
      query: request?.query ?? '',
      headers: { host: request?.headers.host ?? '', 'x-amz-date': '20240305T090730Z', 'x-amz-security-token': 'tok' },
      secret: credentials['secret-access-key'],
      scope: '20240305/eu-west-1/aps/aws4_request',
    });
    expect(request?.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240305/eu-west-1/aps/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${expected}`,
    );
  });

  it.each([
    [
      { sigv4: { profile: 'amp' } },
      { amp: { 'access-key-id': 'a', 'secret-access-key': 'b' } },
      'region not configured in sigv4 or in the credentials Secret',
    ],
    [{ sigv4: { region: 'eu-west-1' } }, {}, 'secret "cloudwatch" not found'],
  ])('refuses SigV4 %j without what signing needs', async (authentication, table, error) => {
    const outcome = await prometheusAdapter.measure(
      { address: backend.url, query: 'up', authentication },
      testContext({ secrets: secretsFrom(table) }),
    );
    expect(outcome).toEqual({ ok: false, error });
  });

  it('reports warnings as metadata', async () => {
    backend.respond({
      body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] }, warnings: ['partial response'] }),
    });
    const outcome = await prometheusAdapter.measure({ ...provider, address: backend.url }, testContext());
    expect(outcome).toMatchObject({ ok: true, value: 3, rawValue: '3', metadata: { warnings: '"partial response"' } });
  });

  it.each([
    [
      'a query error',
      {
        status: 400,
        body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error' }),
      },
      'bad_data: invalid parameter "query": 1:5: parse error',
    ],
    ['a 503 without a body', { status: 503, body: '' }, 'server returned HTTP status 503'],
    ['a malformed body', { status: 200, body: '{"status":"success","data":' }, 'could not parse JSON body'],
    [
      'an unknown result type',
      { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'string', result: [1, 'x'] } }) },
      'Prometheus metric type not supported',
    ],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await prometheusAdapter.measure({ ...provider, address: backend.url }, testContext());
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.error).toContain(message);
  });

  it('turns a timeout into an error outcome', async () => {
    backend.respond({ delayMs: 800, body: VECTOR });
    const outcome = await prometheusAdapter.measure({ ...provider, address: backend.url }, testContext({ timeoutMs: 100 }));
    expect(outcome).toEqual({ ok: false, error: expect.stringContaining('timed out after 100 ms') as unknown });
  });

  it('refuses an address that is not a URL', async () => {
    await expect(prometheusAdapter.measure({ ...provider, address: 'prometheus:9090' }, testContext())).resolves.toMatchObject({
      ok: false,
    });
  });
});

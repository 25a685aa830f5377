import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend, testContext, type FakeBackend } from '../fake-backend.test-support.js';
import { startSelfSignedHttpsServer, type SelfSignedHttpsServer } from './self-signed-https.test-support.js';
import { webAdapter } from './web.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const STATUS_BODY = JSON.stringify({
  data: {
    ok: true,
    successPercent: 0.99,
    checks: [
      { name: 'db', ok: true },
      { name: 'cache', ok: false },
    ],
  },
});

describe('webAdapter', () => {
  it.each([
    ['{$.data.ok}', true, 'true'],
    ['{.data.successPercent}', 0.99, '0.99'],
    ['$.data.checks[1].name', 'cache', '"cache"'],
    ['{$.data.checks[?(@.ok==false)].name}', 'cache', '"cache"'],
    [undefined, JSON.parse(STATUS_BODY) as unknown, STATUS_BODY],
  ])('takes the first match of %s', async (jsonPath, value, rawValue) => {
    backend.respond({ body: STATUS_BODY });
    const outcome = await webAdapter.measure(
      { url: `${backend.url}/api/status`, ...(jsonPath === undefined ? {} : { jsonPath }) },
      testContext(),
    );
    expect(outcome).toEqual({ ok: true, value, rawValue });
  });

  it('sends GET with the headers by default', async () => {
    backend.respond({ body: STATUS_BODY });
    await webAdapter.measure(
      {
        url: `${backend.url}/api/status?service=checkout`,
        headers: [{ key: 'Authorization', value: 'Bearer t0k' }],
        jsonPath: '{$.data.ok}',
      },
      testContext(),
    );
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/api/status',
      query: 'service=checkout',
      body: '',
      headers: { authorization: 'Bearer t0k' },
    });
  });

  it('posts a JSON body with its content type', async () => {
    backend.respond({ body: STATUS_BODY });
    await webAdapter.measure(
      { url: `${backend.url}/api/query`, method: 'POST', jsonBody: { service: 'checkout', window: '5m' }, jsonPath: '{$.data.ok}' },
      testContext(),
    );
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"service":"checkout","window":"5m"}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('puts a string body as written', async () => {
    backend.respond({ body: STATUS_BODY });
    await webAdapter.measure(
      { url: `${backend.url}/api/query`, method: 'PUT', body: 'service=checkout', jsonPath: '{$.data.ok}' },
      testContext(),
    );
    expect(backend.requests.at(-1)).toMatchObject({ method: 'PUT', body: 'service=checkout' });
  });

  it('treats a body that is not JSON as a plain status check', async () => {
    backend.respond({ body: 'OK', headers: { 'Content-Type': 'text/plain' } });
    await expect(webAdapter.measure({ url: `${backend.url}/healthz` }, testContext())).resolves.toEqual({
      ok: true,
      value: 'OK',
      rawValue: 'OK',
      phase: 'Successful',
    });
  });

  it.each([
    ['a 500', { status: 500, body: 'boom' }, {}, 'received non 2xx response code: 500'],
    ['a path with no match', { body: STATUS_BODY }, { jsonPath: '{$.data.missing}' }, 'result of web metric produced no value'],
    ['a body with GET', { body: STATUS_BODY }, { body: 'x' }, 'Body/JSONBody can only be used with POST or PUT'],
    ['both bodies', { body: STATUS_BODY }, { method: 'POST' as const, body: 'x', jsonBody: { a: 1 } }, 'use either Body or JSONBody'],
  ])('turns %s into an error outcome', async (_name, answer, settings, message) => {
    backend.respond(answer);
    const outcome = await webAdapter.measure({ url: `${backend.url}/api/status`, ...settings }, testContext());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });

  it('times out after timeoutSeconds', async () => {
    backend.respond({ delayMs: 1500, body: STATUS_BODY });
    const outcome = await webAdapter.measure({ url: `${backend.url}/slow`, timeoutSeconds: 1 }, testContext());
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining('timed out after 1000 ms') as unknown });
  });
});

describe('webAdapter over HTTPS with a self-signed certificate', () => {
  let server: SelfSignedHttpsServer;
  beforeAll(async () => {
    server = await startSelfSignedHttpsServer(STATUS_BODY);
  });
  afterAll(() => server.close());

  it('refuses the certificate unless insecure is set', async () => {
    const outcome = await webAdapter.measure({ url: `${server.url}/api/status`, jsonPath: '{$.data.ok}' }, testContext());
    expect(outcome).toMatchObject({
      ok: false,
      error: expect.stringContaining(`GET ${server.url}/api/status failed: self-signed certificate`) as unknown,
    });
    expect(server.requestPaths).toEqual([]);
  });

  it('measures when insecure skips the verification', async () => {
    const outcome = await webAdapter.measure(
      { url: `${server.url}/api/secure-status`, jsonPath: '{$.data.ok}', insecure: true },
      testContext(),
    );
    expect(outcome).toEqual({ ok: true, value: true, rawValue: 'true' });
    expect(server.requestPaths).toEqual(['/api/secure-status']);
  });
});

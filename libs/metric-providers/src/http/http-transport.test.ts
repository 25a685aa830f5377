import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransportError } from '../errors.js';
import { startFakeBackend, type FakeBackend } from '../fake-backend.test-support.js';
import { createHttpTransport } from './http-transport.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

async function failure(promise: Promise<unknown>): Promise<HttpTransportError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof HttpTransportError)) throw new Error(`expected an HttpTransportError, got ${String(error)}`);
  return error;
}

describe('createHttpTransport', () => {
  it('sends the method, headers and body and returns status, headers and body', async () => {
    backend.respond({ status: 201, headers: { 'X-Answer': '42' }, body: 'created' });
    const response = await createHttpTransport().send({
      method: 'PUT',
      url: `${backend.url}/things?x=1`,
      headers: { 'X-Test': 'yes' },
      body: 'payload',
      timeoutMs: 2000,
    });
    expect(response).toMatchObject({ status: 201, body: 'created', headers: { 'x-answer': '42' } });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/things',
      query: 'x=1',
      body: 'payload',
      headers: { 'x-test': 'yes' },
    });
  });

  it('turns a slow answer into a timeout', async () => {
    backend.respond({ delayMs: 1000, body: '{}' });
    const error = await failure(createHttpTransport().send({ method: 'GET', url: `${backend.url}/slow`, timeoutMs: 100 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('timed out after 100 ms');
  });

  it('reports a connection that cannot be made', async () => {
    const error = await failure(createHttpTransport().send({ method: 'GET', url: 'http://127.0.0.1:1/', timeoutMs: 2000 }));
    expect(error.kind).toBe('network');
  });

  it('refuses loopback under the default address policy, before connecting', async () => {
    const before = backend.requests.length;
    const error = await failure(
      createHttpTransport({ addressPolicy: {} }).send({ method: 'GET', url: `${backend.url}/`, timeoutMs: 2000 }),
    );
    expect(error.kind).toBe('address-refused');
    expect(error.message).toContain('(loopback)');
    expect(backend.requests.length).toBe(before);
  });

  it('refuses the cloud metadata address', async () => {
    const error = await failure(
      createHttpTransport({ addressPolicy: {} }).send({ method: 'GET', url: 'http://169.254.169.254/latest/meta-data/', timeoutMs: 2000 }),
    );
    expect(error).toMatchObject({ kind: 'address-refused' });
  });

  it('refuses a host name that resolves to loopback, at connect time', async () => {
    const port = new URL(backend.url).port;
    const error = await failure(
      createHttpTransport({ addressPolicy: {} }).send({ method: 'GET', url: `http://localhost:${port}/`, timeoutMs: 2000 }),
    );
    expect(error.kind).toBe('address-refused');
  });

  it('reaches a host name the allow-list names, through the checked address', async () => {
    const port = new URL(backend.url).port;
    backend.respond({ body: 'ok' });
    const transport = createHttpTransport({
      addressPolicy: { allow: ['localhost'], resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]) },
    });
    await expect(transport.send({ method: 'GET', url: `http://localhost:${port}/`, timeoutMs: 2000 })).resolves.toMatchObject({
      status: 200,
      body: 'ok',
    });
  });

  it('follows redirects to allowed addresses and refuses a redirect to a refused one', async () => {
    const transport = createHttpTransport({ addressPolicy: { allow: ['127.0.0.1/32'] } });
    backend.respond({ status: 302, headers: { Location: '/final' } }, { body: 'landed' });
    await expect(transport.send({ method: 'GET', url: `${backend.url}/start`, timeoutMs: 2000 })).resolves.toMatchObject({
      body: 'landed',
      url: `${backend.url}/final`,
    });
    backend.respond({ status: 307, headers: { Location: 'http://169.254.169.254/latest/meta-data/iam' } });
    const error = await failure(transport.send({ method: 'GET', url: `${backend.url}/start`, timeoutMs: 2000 }));
    expect(error.kind).toBe('address-refused');
    expect(error.message).toContain('169.254.169.254');
  });

  it('sends credentials on a redirect within the origin only: another origin gets none of the headers that may hold one', async () => {
    const headers = { Authorization: 'Bearer secret', 'DD-API-KEY': 'key', Accept: 'application/json' };
    backend.respond({ status: 302, headers: { Location: '/same' } }, { body: 'same origin' });
    await createHttpTransport().send({ method: 'GET', url: `${backend.url}/start`, headers, timeoutMs: 2000 });
    expect(backend.requests.at(-1)?.headers).toMatchObject({ authorization: 'Bearer secret', 'dd-api-key': 'key' });

    const elsewhere = `http://localhost:${new URL(backend.url).port}/elsewhere`;
    backend.respond({ status: 307, headers: { Location: elsewhere } }, { body: 'another origin' });
    const response = await createHttpTransport().send({ method: 'GET', url: `${backend.url}/start`, headers, timeoutMs: 2000 });
    expect(response).toMatchObject({ body: 'another origin', url: elsewhere });
    const followed = backend.requests.at(-1)?.headers ?? {};
    expect(followed).toMatchObject({ accept: 'application/json' });
    expect(followed).not.toHaveProperty('authorization');
    expect(followed).not.toHaveProperty('dd-api-key');
  });

  it('fails a response larger than it reads, without holding it', async () => {
    backend.respond({ body: 'x'.repeat(64 * 1024) });
    const error = await failure(
      createHttpTransport({ maxResponseBytes: 16 * 1024 }).send({ method: 'GET', url: `${backend.url}/big`, timeoutMs: 2000 }),
    );
    expect(error.kind).toBe('response-too-large');
    expect(error.message).toContain('more than 16384 bytes');
    backend.respond({ body: 'x'.repeat(1024) });
    await expect(
      createHttpTransport({ maxResponseBytes: 16 * 1024 }).send({ method: 'GET', url: `${backend.url}/small`, timeoutMs: 2000 }),
    ).resolves.toMatchObject({ status: 200 });
  });

  it('gives up after too many redirects', async () => {
    backend.respond({ status: 302, headers: { Location: '/again' } });
    const error = await failure(
      createHttpTransport({ maxRedirects: 2 }).send({ method: 'GET', url: `${backend.url}/loop`, timeoutMs: 2000 }),
    );
    expect(error.kind).toBe('too-many-redirects');
  });

  it('refuses URLs that are not http or https', async () => {
    const error = await failure(createHttpTransport().send({ method: 'GET', url: 'file:///etc/passwd', timeoutMs: 2000 }));
    expect(error.kind).toBe('invalid-url');
  });
});

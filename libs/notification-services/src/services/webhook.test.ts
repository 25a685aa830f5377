import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServiceEnvironment } from '../environment.js';
import { DEFAULT_SIGNATURE_HEADER } from './webhook.js';
import { rendered, startFakeBackend, testEnvironment, testService, type FakeBackend } from './service-test.test-support.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());
beforeEach(() => {
  backend.requests.length = 0;
  backend.respond({ status: 200, body: '' });
});

const BODY = '{"rollout":"guestbook","step":2}';

describe('webhook service', () => {
  it('sends the template method, path and body with the configured headers, basic auth and signature', async () => {
    const service = testService(backend, {
      type: 'webhook',
      name: 'deploy-log',
      settings: {
        url: `${backend.url}/hooks/`,
        headers: [
          { name: 'Content-Type', value: 'application/json' },
          { name: 'X-Token', value: '$hook-token' },
        ],
        basicAuth: { username: 'flotilla', password: '$hook-password' },
        signature: { secret: '$hook-signing-key' },
      },
      secrets: { 'hook-token': 't0ken', 'hook-password': 'pa55', 'hook-signing-key': 'signing-key' },
    });
    const outcome = await service.send(
      rendered('ignored with a webhook block', {
        webhook: { 'deploy-log': { method: 'post', path: '/rollouts/guestbook?step=2', body: BODY } },
      }),
      '',
    );
    expect(outcome).toEqual({ kind: 'delivered' });
    expect(backend.requests).toHaveLength(1);
    const [request] = backend.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/rollouts/guestbook', query: 'step=2', body: BODY });
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-token': 't0ken',
      authorization: `Basic ${Buffer.from('flotilla:pa55').toString('base64')}`,
      [DEFAULT_SIGNATURE_HEADER.toLowerCase()]: `sha256=${createHmac('sha256', 'signing-key').update(BODY).digest('hex')}`,
    });
  });

  it('sends GET with the message as the body when the template has no block for the service, as Argo', async () => {
    const service = testService(backend, { type: 'webhook', name: 'plain', settings: { url: `${backend.url}/notify` } });
    await expect(service.send(rendered('Rollout guestbook has been completed.'), '')).resolves.toEqual({ kind: 'delivered' });
    expect(backend.requests.at(-1)).toMatchObject({ method: 'GET', path: '/notify', body: 'Rollout guestbook has been completed.' });
    expect(backend.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('sends PATCH to the configured URL when the block has no path, and the signature header it is told', async () => {
    const service = testService(backend, {
      type: 'webhook',
      name: 'status',
      settings: { URL: `${backend.url}/status/42`, signature: { secret: 'k', header: 'X-Hub-Signature-256' } },
    });
    await service.send(rendered('', { webhook: { status: { method: 'PATCH', body: '{"state":"done"}' } } }), '');
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({ method: 'PATCH', path: '/status/42', body: '{"state":"done"}' });
    expect(request?.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 'k').update('{"state":"done"}').digest('hex')}`);
  });

  it.each([
    [
      { status: 500, body: 'down' },
      { kind: 'retryable', reason: 'webhook hook answered 500: down' },
    ],
    [
      { status: 503, headers: { 'Retry-After': '7' } },
      { kind: 'retryable', reason: 'webhook hook answered 503', retryAfterMs: 7000 },
    ],
    [
      { status: 429, headers: { 'Retry-After': 'Thu, 05 Mar 2026 09:08:00 GMT' } },
      { kind: 'retryable', reason: 'webhook hook answered 429', retryAfterMs: 30_000 },
    ],
    [
      { status: 404, body: 'no such hook' },
      { kind: 'permanent', reason: 'webhook hook answered 404: no such hook' },
    ],
    [{ status: 400 }, { kind: 'permanent', reason: 'webhook hook answered 400' }],
  ])('turns the answer %j into %j', async (answer, outcome) => {
    backend.respond(answer);
    const service = testService(backend, { type: 'webhook', name: 'hook', settings: { url: `${backend.url}/x` } });
    await expect(service.send(rendered('m', { webhook: { hook: { method: 'POST', body: '{}' } } }), '')).resolves.toEqual(outcome);
  });

  it('retries a receiver that does not answer in time', async () => {
    backend.respond({ delayMs: 500, body: '' });
    const service = testService(
      backend,
      { type: 'webhook', name: 'hook', settings: { url: `${backend.url}/slow` } },
      testEnvironment(backend, { timeoutMs: 100 }),
    );
    await expect(service.send(rendered('m'), '')).resolves.toMatchObject({
      kind: 'retryable',
      reason: expect.stringContaining('timed out after 100 ms') as unknown,
    });
  });

  it('never reaches an address the outbound policy refuses, and does not retry it', async () => {
    const environment = { ...testEnvironment(backend), ...createServiceEnvironment({ addressPolicy: {} }) };
    const service = testService(backend, { type: 'webhook', name: 'hook', settings: { url: `${backend.url}/internal` } }, environment);
    await expect(service.send(rendered('m'), '')).resolves.toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('(loopback)') as unknown,
    });
    await expect(
      testService(
        backend,
        { type: 'webhook', name: 'hook', settings: { url: 'http://169.254.169.254/latest/meta-data/' } },
        environment,
      ).send(rendered('m'), ''),
    ).resolves.toMatchObject({ kind: 'permanent', reason: expect.stringContaining('linkLocal') as unknown });
    expect(backend.requests).toHaveLength(0);
  });

  it('refuses a method it does not know, without sending', async () => {
    const service = testService(backend, { type: 'webhook', name: 'hook', settings: { url: `${backend.url}/x` } });
    await expect(service.send(rendered('m', { webhook: { hook: { method: 'TRACE' } } }), '')).resolves.toEqual({
      kind: 'permanent',
      reason: 'webhook.hook.method must be one of GET, POST, PUT, PATCH, DELETE, not "TRACE"',
    });
    expect(backend.requests).toHaveLength(0);
  });
});

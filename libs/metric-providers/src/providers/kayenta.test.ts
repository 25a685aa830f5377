import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend, testContext, type FakeBackend, type RecordedRequest } from '../fake-backend.test-support.js';
import { kayentaAdapter, kayentaPhase } from './kayenta.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());

const provider = () => ({
  address: backend.url,
  application: 'checkout',
  canaryConfigName: 'checkout-canary',
  metricsAccountName: 'prometheus-account',
  configurationAccountName: 'gcs-config',
  storageAccountName: 'gcs-storage',
  threshold: { pass: 90, marginal: 75 },
  scopes: [
    {
      name: 'default',
      controlScope: { scope: 'app=checkout,role=stable', step: 60, start: '2024-03-05T09:00:00Z', end: '2024-03-05T09:05:00Z' },
      experimentScope: { scope: 'app=checkout,role=canary', step: 60, start: '2024-03-05T09:00:00Z', end: '2024-03-05T09:05:00Z' },
    },
  ],
});

function kayenta(score: number, pollsBeforeDone: number) {
  let polls = 0;
  return (request: RecordedRequest) => {
    if (request.path === '/canaryConfig')
      return {
        body: JSON.stringify([
          { id: 'cfg-0', name: 'other' },
          { id: 'cfg-42', name: 'checkout-canary', applications: ['checkout'] },
        ]),
      };
    if (request.method === 'POST') return { body: JSON.stringify({ canaryExecutionId: 'exec-7' }) };
    polls += 1;
    if (polls <= pollsBeforeDone) return { body: JSON.stringify({ complete: false, status: 'running' }) };
    return {
      body: JSON.stringify({ complete: true, status: 'succeeded', result: { judgeResult: { score: { score, classification: 'Pass' } } } }),
    };
  };
}

describe('kayentaPhase', () => {
  it.each([
    [95, 'Successful'],
    [90, 'Successful'],
    [80, 'Inconclusive'],
    [75, 'Inconclusive'],
    [40, 'Failed'],
  ])('scores %i as %s', (score, phase) => {
    expect(kayentaPhase(score, { pass: 90, marginal: 75 })).toBe(phase);
  });
});

describe('kayentaAdapter', () => {
  it('looks up the config, starts the canary, polls until it is judged and takes the phase from the score', async () => {
    backend.requests.length = 0;
    backend.respond(kayenta(82.6, 2));
    const outcome = await kayentaAdapter.measure(provider(), testContext({ pollIntervalMs: 10 }));
    expect(outcome).toEqual({ ok: true, value: 82, rawValue: '82', phase: 'Inconclusive', metadata: { canaryExecutionId: 'exec-7' } });
    const [lookup, start, ...polls] = backend.requests;
    expect(lookup).toMatchObject({
      method: 'GET',
      path: '/canaryConfig',
      query: 'application=checkout&configurationAccountName=gcs-config',
    });
    expect(start).toMatchObject({
      method: 'POST',
      path: '/canary/cfg-42',
      query:
        'application=checkout&metricsAccountName=prometheus-account&configurationAccountName=gcs-config&storageAccountName=gcs-storage',
      headers: { 'content-type': 'application/json' },
    });
    expect(JSON.parse(start?.body ?? '')).toEqual({
      scopes: { default: { controlScope: provider().scopes[0]?.controlScope, experimentScope: provider().scopes[0]?.experimentScope } },
      thresholds: { pass: 90, marginal: 75 },
    });
    expect(polls.map((poll) => `${poll.method} ${poll.path}`)).toEqual(['GET /canary/exec-7', 'GET /canary/exec-7', 'GET /canary/exec-7']);
  });

  it.each([
    ['an unknown config', () => ({ body: '[]' }), 'canary config "checkout-canary" not found'],
    [
      'a failed start',
      (request: RecordedRequest) => (request.method === 'POST' ? { status: 500, body: '' } : kayenta(95, 0)(request)),
      'Invalid Response: status 500',
    ],
    [
      'a judged canary without a score',
      (request: RecordedRequest) =>
        request.path === '/canary/exec-7' ? { body: JSON.stringify({ complete: true }) } : kayenta(95, 0)(request),
      'Missing Score',
    ],
  ])('turns %s into an error outcome', async (_name, answer, message) => {
    backend.respond(answer);
    const outcome = await kayentaAdapter.measure(provider(), testContext({ pollIntervalMs: 10 }));
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining(message) as unknown });
  });
});

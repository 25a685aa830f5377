import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FIXED_NOW,
  lastJsonBody,
  rendered,
  startFakeBackend,
  testService,
  type FakeBackend,
  type RecordedRequest,
} from './service-test.test-support.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());
beforeEach(() => {
  backend.requests.length = 0;
  backend.respond({ status: 202, body: '{"status":"success"}' });
});

describe('pagerdutyv2 service', () => {
  const pagerDuty = () =>
    testService(backend, {
      type: 'pagerdutyv2',
      settings: { serviceKeys: { checkout: '$pagerduty-key-checkout' } },
      secrets: { 'pagerduty-key-checkout': 'R0UT1NGKEY' },
    });

  it('triggers an Events API v2 event with the routing key of the recipient', async () => {
    const outcome = await pagerDuty().send(
      rendered('Rollout guestbook is aborted.', {
        pagerdutyv2: {
          summary: 'Rollout guestbook is aborted.',
          severity: 'critical',
          source: 'guestbook',
          component: 'frontend',
          group: 'shop',
          class: 'deploy',
          url: 'https://flotilla.example.com/r/guestbook',
          dedupKey: 'guestbook-7',
        },
      }),
      'checkout',
    );
    expect(outcome).toEqual({ kind: 'delivered' });
    expect(backend.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v2/enqueue', headers: { 'content-type': 'application/json' } });
    expect(lastJsonBody(backend)).toEqual({
      routing_key: 'R0UT1NGKEY',
      event_action: 'trigger',
      dedup_key: 'guestbook-7',
      payload: {
        summary: 'Rollout guestbook is aborted.',
        severity: 'critical',
        source: 'guestbook',
        component: 'frontend',
        group: 'shop',
        class: 'deploy',
      },
      client: 'Flotilla',
      client_url: 'https://flotilla.example.com/r/guestbook',
    });
  });

  it.each([
    [{ severity: 'critical', source: 'g' }, 'pagerdutyv2.summary is required'],
    [{ summary: 's', severity: 'fatal', source: 'g' }, 'pagerdutyv2.severity must be one of critical, warning, error, info, not "fatal"'],
  ])('refuses the block %j without sending', async (block, reason) => {
    await expect(pagerDuty().send(rendered('m', { pagerdutyv2: block }), 'checkout')).resolves.toEqual({ kind: 'permanent', reason });
    expect(backend.requests).toHaveLength(0);
  });

  it('refuses a recipient with no service key, and retries a 429', async () => {
    await expect(
      pagerDuty().send(rendered('m', { pagerdutyv2: { summary: 's', severity: 'info', source: 'g' } }), 'payments'),
    ).resolves.toEqual({
      kind: 'permanent',
      reason: 'serviceKeys has no "payments"',
    });
    backend.respond({ status: 429, body: '{"status":"throttle event"}' });
    await expect(
      pagerDuty().send(rendered('m', { pagerdutyv2: { summary: 's', severity: 'info', source: 'g' } }), 'checkout'),
    ).resolves.toMatchObject({
      kind: 'retryable',
    });
  });
});

describe('opsgenie service', () => {
  it("creates an alert for the recipient team with the team's key", async () => {
    const opsgenie = testService(backend, {
      type: 'opsgenie',
      settings: { apiUrl: backend.url, apiKeys: { 'release-team': '$opsgenie-key' } },
      secrets: { 'opsgenie-key': 'g3n1e' },
    });
    const outcome = await opsgenie.send(
      rendered('[Flotilla] Rollout guestbook is aborted.', {
        opsgenie: {
          description: 'Rollout: guestbook\nPhase: Degraded\n',
          priority: 'P1',
          alias: 'guestbook',
          note: 'Aborted by the analysis',
          actions: ['Restart', 'Promote'],
          tags: ['Critical'],
          visibleTo: [
            { Id: 'team-1', Type: 'team' },
            { Username: 'trinity@example.com', Type: 'user' },
          ],
          details: { environment: 'production', replicas: 3 },
          entity: 'Flotilla Rollout',
          user: 'flotilla',
        },
      }),
      'release-team',
    );
    expect(outcome).toEqual({ kind: 'delivered' });
    expect(backend.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v2/alerts', headers: { authorization: 'GenieKey g3n1e' } });
    expect(lastJsonBody(backend)).toEqual({
      message: '[Flotilla] Rollout guestbook is aborted.',
      description: 'Rollout: guestbook\nPhase: Degraded\n',
      responders: [{ type: 'team', id: 'release-team' }],
      source: 'Flotilla',
      priority: 'P1',
      alias: 'guestbook',
      note: 'Aborted by the analysis',
      entity: 'Flotilla Rollout',
      user: 'flotilla',
      actions: ['Restart', 'Promote'],
      tags: ['Critical'],
      visibleTo: [
        { id: 'team-1', type: 'team' },
        { username: 'trinity@example.com', type: 'user' },
      ],
      details: { environment: 'production', replicas: '3' },
    });
  });

  it('refuses an alert with no description or a priority Opsgenie does not have', async () => {
    const opsgenie = testService(backend, { type: 'opsgenie', settings: { apiUrl: backend.url, apiKeys: { t: 'k' } } });
    await expect(opsgenie.send(rendered('m'), 't')).resolves.toEqual({ kind: 'permanent', reason: 'opsgenie.description is required' });
    await expect(opsgenie.send(rendered('m', { opsgenie: { description: 'd', priority: 'P9' } }), 't')).resolves.toMatchObject({
      kind: 'permanent',
    });
    expect(backend.requests).toHaveLength(0);
  });
});

describe('grafana service', () => {
  it('annotates at the time of sending with the tags of the recipient', async () => {
    backend.respond({ status: 200, body: '{"message":"Annotation added","id":1}' });
    const grafana = testService(backend, {
      type: 'grafana',
      settings: { apiURL: `${backend.url}/api`, apiKey: '$grafana-api-key' },
      secrets: { 'grafana-api-key': 'glsa_key' },
    });
    await expect(grafana.send(rendered('Rollout guestbook has been completed.'), 'release|guestbook')).resolves.toEqual({
      kind: 'delivered',
    });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/annotations',
      headers: { authorization: 'Bearer glsa_key', 'content-type': 'application/json' },
    });
    expect(lastJsonBody(backend)).toEqual({
      time: FIXED_NOW.getTime(),
      isRegion: false,
      tags: ['release', 'guestbook'],
      text: 'Rollout guestbook has been completed.',
    });
  });
});

describe('github service', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const github = () =>
    testService(backend, {
      type: 'github',
      settings: { appID: 12345, installationID: '678', privateKey: '$github-privateKey' },
      secrets: { 'github-privateKey': privateKeyPem },
    });
  const statusFields = {
    github: {
      repoURLPath: 'https://github.com/example/guestbook.git',
      revisionPath: '3f2a9c1',
      status: { state: 'success', label: 'continuous-delivery/guestbook', targetURL: 'https://flotilla.example.com/r/guestbook' },
    },
  };

  function claimsOfSignedJwt(request: RecordedRequest | undefined): unknown {
    const [header = '', claims = '', signature = ''] = (request?.headers.authorization ?? '').replace(/^Bearer /, '').split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    return JSON.parse(Buffer.from(claims, 'base64url').toString());
  }

  it('gets an installation token with the app JWT, sets the commit status, and reuses the token', async () => {
    backend.respond(
      { status: 201, body: JSON.stringify({ token: 'ghs_installation', expires_at: '2026-03-05T10:07:30Z' }) },
      { status: 201, body: '{"id":1}' },
    );
    const service = github();
    const message = `Rollout guestbook has been completed. ${'x'.repeat(200)}`;
    await expect(service.send(rendered(message, statusFields), '')).resolves.toEqual({ kind: 'delivered' });
    await expect(service.send(rendered('again', statusFields), '')).resolves.toEqual({ kind: 'delivered' });
    const [tokenRequest, statusRequest, secondStatus] = backend.requests;
    expect(backend.requests).toHaveLength(3);
    expect(tokenRequest).toMatchObject({
      method: 'POST',
      path: '/app/installations/678/access_tokens',
      headers: { accept: 'application/vnd.github+json' },
    });
    const issuedAt = Math.floor(FIXED_NOW.getTime() / 1000) - 60;
    expect(claimsOfSignedJwt(tokenRequest)).toEqual({ iat: issuedAt, exp: issuedAt + 540, iss: '12345' });
    expect(statusRequest).toMatchObject({
      method: 'POST',
      path: '/repos/example/guestbook/statuses/3f2a9c1',
      headers: { authorization: 'Bearer ghs_installation' },
    });
    expect(JSON.parse(statusRequest?.body ?? '')).toEqual({
      state: 'success',
      target_url: 'https://flotilla.example.com/r/guestbook',
      description: `${message.slice(0, 137)}...`,
      context: 'continuous-delivery/guestbook',
    });
    expect(secondStatus).toMatchObject({
      path: '/repos/example/guestbook/statuses/3f2a9c1',
      headers: { authorization: 'Bearer ghs_installation' },
    });
  });

  it('counts a commit with the most statuses GitHub keeps as delivered, and waits out the rate limit', async () => {
    backend.respond(
      { status: 201, body: JSON.stringify({ token: 'ghs_t', expires_at: '2026-03-05T10:07:30Z' }) },
      {
        status: 422,
        body: '{"message":"Validation Failed","errors":[{"message":"This SHA and context has reached the maximum number of statuses."}]}',
      },
      { status: 403, headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(FIXED_NOW.getTime() / 1000 + 120) }, body: '{}' },
    );
    const service = github();
    await expect(service.send(rendered('m', statusFields), '')).resolves.toEqual({ kind: 'delivered' });
    await expect(service.send(rendered('m', statusFields), '')).resolves.toEqual({
      kind: 'retryable',
      reason: 'github rate limit reached',
      retryAfterMs: 120_000,
    });
  });

  it('refuses a template without a status or a repository', async () => {
    await expect(github().send(rendered('m'), '')).resolves.toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('github.status is required') as unknown,
    });
    await expect(
      github().send(rendered('m', { github: { repoURLPath: 'not a repository', revisionPath: 'abc', status: { state: 'success' } } }), ''),
    ).resolves.toEqual({ kind: 'permanent', reason: 'github.repoURLPath "not a repository" names no repository' });
    expect(backend.requests).toHaveLength(0);
  });
});

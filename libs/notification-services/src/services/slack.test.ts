import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { effectiveConfiguration, parseNotificationConfigMap, planNotifications } from '@flotilla/notifications';
import { createNotificationService } from '../registry.js';
import {
  FIXED_NOW,
  lastJsonBody,
  rendered,
  startFakeBackend,
  testEnvironment,
  testService,
  type FakeBackend,
} from './service-test.test-support.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());
beforeEach(() => {
  backend.requests.length = 0;
  backend.respond({ body: '{"ok":true,"channel":"C1","ts":"1.2"}' });
});

const ATTACHMENTS = '[{"title":"guestbook","color":"#18be52","fields":[{"title":"Strategy","value":"Canary","short":true}]}]';

describe('slack service with a bot token', () => {
  it('posts the message, attachments and blocks to chat.postMessage for the channel', async () => {
    const slack = testService(backend, {
      type: 'slack',
      settings: { token: '$slack-token', username: 'flotilla', icon: ':rocket:', disableUnfurl: true },
      secrets: { 'slack-token': 'xoxb-123-456' },
    });
    const outcome = await slack.send(
      rendered('Rollout guestbook has been completed.', { slack: { attachments: ATTACHMENTS, blocks: '[{"type":"divider"}]' } }),
      'deployments',
    );
    expect(outcome).toEqual({ kind: 'delivered' });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({ method: 'POST', path: '/api/chat.postMessage' });
    expect(request?.headers).toMatchObject({ authorization: 'Bearer xoxb-123-456', 'content-type': 'application/json; charset=utf-8' });
    expect(lastJsonBody(backend)).toEqual({
      channel: 'deployments',
      text: 'Rollout guestbook has been completed.',
      attachments: JSON.parse(ATTACHMENTS) as unknown,
      blocks: [{ type: 'divider' }],
      username: 'flotilla',
      icon_emoji: ':rocket:',
      unfurl_links: false,
      unfurl_media: false,
    });
  });

  it("takes the template's username and icon over the settings' ones, and an icon URL as icon_url", async () => {
    const slack = testService(backend, { type: 'slack', settings: { token: 't', username: 'flotilla', icon: ':rocket:' } });
    await slack.send(rendered('m', { slack: { username: 'release-bot', icon: 'https://example.com/bot.png' } }), 'C1');
    expect(lastJsonBody(backend)).toEqual({ channel: 'C1', text: 'm', username: 'release-bot', icon_url: 'https://example.com/bot.png' });
  });

  it('posts to the apiURL of the settings', async () => {
    const slack = testService(backend, { type: 'slack', settings: { token: 't', apiURL: `${backend.url}/enterprise/api` } });
    await slack.send(rendered('m'), 'C1');
    expect(backend.requests.at(-1)?.path).toBe('/enterprise/api/chat.postMessage');
  });

  it.each([
    [{ body: '{"ok":false,"error":"channel_not_found"}' }, { kind: 'permanent', reason: 'slack refused the message: channel_not_found' }],
    [{ body: '{"ok":false,"error":"invalid_auth"}' }, { kind: 'permanent', reason: 'slack refused the message: invalid_auth' }],
    [{ body: '{"ok":false,"error":"internal_error"}' }, { kind: 'retryable', reason: 'slack refused the message: internal_error' }],
    [
      { status: 429, headers: { 'Retry-After': '3' }, body: '{"ok":false,"error":"ratelimited"}' },
      { kind: 'retryable', reason: 'slack answered 429: {"ok":false,"error":"ratelimited"}', retryAfterMs: 3000 },
    ],
    [
      { status: 502, body: '' },
      { kind: 'retryable', reason: 'slack answered 502' },
    ],
  ])('turns %j into %j', async (answer, outcome) => {
    backend.respond(answer);
    await expect(testService(backend, { type: 'slack', settings: { token: 't' } }).send(rendered('m'), 'C1')).resolves.toEqual(outcome);
  });

  it('refuses attachments that are not JSON, without sending', async () => {
    const outcome = await testService(backend, { type: 'slack', settings: { token: 't' } }).send(
      rendered('m', { slack: { attachments: '[{"title": }]' } }),
      'C1',
    );
    expect(outcome).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('slack.attachments is not JSON') as unknown });
    expect(backend.requests).toHaveLength(0);
  });
});

describe('slack service with an incoming webhook', () => {
  it('posts the message to the webhook, with no channel and no token', async () => {
    backend.respond({ body: 'ok', headers: { 'Content-Type': 'text/plain' } });
    const slack = testService(backend, {
      type: 'slack',
      settings: { webhookUrl: `${backend.url}/services/T000/B000/$slack-hook-key` },
      secrets: { 'slack-hook-key': 'XXXXXXXX' },
    });
    await expect(slack.send(rendered('Rollout guestbook is aborted.', { slack: { attachments: ATTACHMENTS } }), '')).resolves.toEqual({
      kind: 'delivered',
    });
    const request = backend.requests.at(-1);
    expect(request).toMatchObject({ method: 'POST', path: '/services/T000/B000/XXXXXXXX' });
    expect(request?.headers.authorization).toBeUndefined();
    expect(lastJsonBody(backend)).toEqual({ text: 'Rollout guestbook is aborted.', attachments: JSON.parse(ATTACHMENTS) as unknown });
  });

  it('keeps the secret part of the webhook out of the reason of a failure', async () => {
    backend.respond({ status: 404, body: 'no_service for /services/T000/B000/XXXXXXXX' });
    const slack = testService(backend, {
      type: 'slack',
      settings: { webhookUrl: `${backend.url}/services/T000/B000/$slack-hook-key` },
      secrets: { 'slack-hook-key': 'XXXXXXXX' },
    });
    await expect(slack.send(rendered('m'), '')).resolves.toEqual({
      kind: 'permanent',
      reason: 'slack answered 404: no_service for /services/T000/B000/[redacted]',
    });
  });
});

describe("slack service with Argo's default catalog", () => {
  it('sends the rollout-completed template of the catalog to the channel of subscribe.on-rollout-completed.slack', async () => {
    const organization = parseNotificationConfigMap({ 'service.slack': 'token: $slack-token\n' }, 'organization');
    if (!organization.ok) throw new Error(JSON.stringify(organization.issues));
    const configuration = effectiveConfiguration(organization.value);
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: {
        name: 'guestbook',
        namespace: 'shop',
        annotations: { 'notifications.argoproj.io/subscribe.on-rollout-completed.slack': 'deployments' },
      },
      spec: {
        replicas: 3,
        strategy: { canary: { steps: [{ setWeight: 50 }] } },
        template: { spec: { containers: [{ name: 'guestbook', image: 'argoproj/rollouts-demo:yellow' }] } },
      },
      status: { phase: 'Healthy', currentStepIndex: 1 },
    };
    const plan = planNotifications({
      changeId: 'guestbook/3',
      events: [{ source: 'rollout', event: { type: 'RolloutCompleted', revision: 3, podTemplateHash: 'abc' } }],
      subject: { kind: 'Rollout', rollout, analysisRuns: [] },
      configuration,
      history: new Set(),
      now: FIXED_NOW,
    });
    const [planned] = plan.notifications;
    const definition = configuration.services.slack;
    if (planned === undefined || definition === undefined) throw new Error(`nothing planned: ${JSON.stringify(plan.failures)}`);
    const slack = createNotificationService(
      definition,
      { organization: { 'slack-token': 'xoxb-1' }, namespace: {} },
      testEnvironment(backend),
    );
    await expect(slack.send(planned.notification, planned.recipient)).resolves.toEqual({ kind: 'delivered' });
    expect(lastJsonBody(backend)).toEqual({
      channel: 'deployments',
      text: 'Rollout guestbook has been completed.',
      attachments: [
        {
          title: 'guestbook',
          color: '#18be52',
          fields: [
            { title: 'Strategy', value: 'Canary', short: true },
            { title: 'guestbook', value: 'argoproj/rollouts-demo:yellow', short: true },
          ],
        },
      ],
    });
  });
});

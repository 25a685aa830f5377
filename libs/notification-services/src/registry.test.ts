import type { ConfigurationOrigin } from '@flotilla/notifications';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceEnvironment } from './environment.js';
import { createNotificationService, serviceKey, validateServiceDefinition } from './registry.js';
import { serviceDefinition as service, startFakeBackend, testEnvironment, type FakeBackend } from './services/service-test.test-support.js';

describe('validateServiceDefinition', () => {
  // The service settings of Argo's documentation, as written there.
  it.each([
    service('slack', { token: '$slack-token' }),
    service('slack', { token: '$slack-token-workspace1' }, 'workspace1'),
    service('webhook', { url: 'https://api.github.com', headers: [{ name: 'Authorization', value: 'token $github-token' }] }, 'github'),
    service(
      'webhook',
      { url: 'http://jenkins.example.com/job/deploy/build?token=x', basicAuth: { username: 'jenkins', password: '$jenkins-key' } },
      'jenkins',
    ),
    service(
      'webhook',
      {
        url: 'https://hooks.slack.com/services/xxxxx',
        headers: [{ name: 'Content-Type', value: 'application/json' }],
        insecureSkipVerify: true,
        retryMax: 3,
        retryWaitMin: '1s',
      },
      'slack_webhook',
    ),
    service('email', { username: '$username', password: '$password', host: 'smtp.gmail.com', port: 465, from: '$email-address' }, 'gmail'),
    service('email', { host: 'smtp.example.com', port: 587, from: '$email-address' }, 'example'),
    service('teams', { recipientUrls: { channelName: '$channel-teams-url' } }),
    service('teams-workflows', { recipientUrls: { channelName: '$channel-workflows-url' } }),
    service('pagerdutyv2', { serviceKeys: { 'my-service': '$pagerduty-key-my-service' } }),
    service('opsgenie', { apiUrl: 'api.opsgenie.com', apiKeys: { 'my-team': '$opsgenie-key' } }),
    service('github', { appID: 12345, installationID: 67890, privateKey: '$github-privateKey' }),
    service('grafana', { apiUrl: 'https://grafana.example.com/api', apiKey: '$grafana-api-key' }),
    service('grafana', { apiURL: 'https://grafana.example.com/api', apiKey: '$grafana-api-key' }),
  ])('accepts $type settings $settings', (definition) => {
    expect(validateServiceDefinition(definition)).toEqual([]);
  });

  it.each([
    [
      service('webhook', { headers: [{ value: 'x' }] }, 'deploy'),
      [
        { path: 'data[service.webhook.deploy].url', message: 'Invalid input: expected string, received undefined' },
        { path: 'data[service.webhook.deploy].headers[0].name', message: 'Invalid input: expected string, received undefined' },
      ],
    ],
    [
      service('slack', {}),
      [{ path: 'data[service.slack].token', message: 'set token (chat.postMessage) or webhookUrl (an incoming webhook)' }],
    ],
    [
      service('email', { host: 'smtp.example.com', port: 'twenty-five', from: 'a@example.com', html: 'yes' }),
      [
        { path: 'data[service.email].port', message: 'Invalid input' },
        { path: 'data[service.email].html', message: 'Invalid input' },
      ],
    ],
    [
      service('teams', { recipientUrls: { releases: '' } }),
      [{ path: 'data[service.teams].recipientUrls.releases', message: 'must not be empty' }],
    ],
    [service('github', { appID: 1, privateKey: 'k' }), [{ path: 'data[service.github].installationID', message: 'Invalid input' }]],
    [
      service('telegram', { token: 'x' }),
      [{ path: 'data[service.telegram]', message: expect.stringContaining('service type "telegram" is not supported') as unknown }],
    ],
  ])('reports what is wrong with %j at its field path', (definition, issues) => {
    expect(validateServiceDefinition(definition)).toEqual(issues);
  });

  it('names a service by its ConfigMap key', () => {
    expect(serviceKey({ name: 'slack', type: 'slack' })).toBe('service.slack');
    expect(serviceKey({ name: 'github', type: 'webhook' })).toBe('service.webhook.github');
  });
});

describe('createNotificationService', () => {
  const environment = createServiceEnvironment({ addressPolicy: {} });

  it('fails every send, without retries, when a secret reference has no value or the settings do not read', async () => {
    const missing = createNotificationService(
      service('slack', { token: '$slack-token' }),
      { organization: {}, namespace: {} },
      environment,
    );
    await expect(missing.send({ message: 'm', fields: {} }, 'C1')).resolves.toEqual({
      kind: 'permanent',
      reason: 'the notification Secret has no "slack-token"',
    });
    const invalid = createNotificationService(
      service('email', { host: 'smtp.example.com', port: '$smtp-port', from: 'a@example.com' }),
      { organization: { 'smtp-port': 'x' }, namespace: {} },
      environment,
    );
    await expect(invalid.send({ message: 'm', fields: {} }, 'ops@example.com')).resolves.toEqual({
      kind: 'permanent',
      reason: 'data[service.email].port: Invalid input',
    });
  });

  it('keeps the values of secrets out of the reason of a failure', async () => {
    const webhook = createNotificationService(
      service('webhook', { url: 'http://$webhook-host/hook' }, 'hook'),
      { organization: { 'webhook-host': '10.1.2.3' }, namespace: {} },
      environment,
    );
    const outcome = await webhook.send({ message: 'm', fields: {} }, '');
    expect(outcome).toEqual({ kind: 'permanent', reason: '[redacted] resolves to [redacted] (private), which the address policy refuses' });
  });
});

describe('whose Secret a service reads', () => {
  let backend: FakeBackend;
  beforeAll(async () => {
    backend = await startFakeBackend();
  });
  afterAll(() => backend.close());

  const secrets = { organization: { 'slack-token': 'xoxb-admin', shared: 'organization' }, namespace: { shared: 'shop' } };
  const send = (origin: ConfigurationOrigin, reference: string) =>
    createNotificationService(
      service('webhook', { url: `${backend.url}/hook?k=${reference}` }, 'hook', origin),
      secrets,
      testEnvironment(backend),
    ).send({ message: 'm', fields: {} }, '');

  it("refuses a namespace's service a key only the organization's Secret has, and sends nothing", async () => {
    const before = backend.requests.length;
    await expect(send('namespace', '$slack-token')).resolves.toEqual({
      kind: 'permanent',
      reason: `the namespace's notification Secret has no "slack-token"`,
    });
    expect(backend.requests).toHaveLength(before);
  });

  it.each<[string, ConfigurationOrigin, string]>([
    ['$shared', 'namespace', 'k=shop'],
    ['$shared', 'organization', 'k=organization'],
    ['$slack-token', 'organization', 'k=xoxb-admin'],
  ])("resolves %s of a service the %s's ConfigMap defines to %s, from that layer's Secret alone", async (reference, origin, query) => {
    await expect(send(origin, reference)).resolves.toEqual({ kind: 'delivered' });
    expect(backend.requests.at(-1)?.query).toBe(query);
  });
});

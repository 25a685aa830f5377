import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lastJsonBody, rendered, startFakeBackend, testService, type FakeBackend } from './service-test.test-support.js';

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(() => backend.close());
beforeEach(() => {
  backend.requests.length = 0;
  backend.respond({ body: '1', headers: { 'Content-Type': 'text/plain' } });
});

const FACTS = '[{"name":"Strategy","value":"Canary"},{"name":"Step","value":"2/4"}]';
const ACTIONS = '[{"@type":"OpenUri","name":"Open rollout","targets":[{"os":"default","uri":"https://flotilla.example.com/r/guestbook"}]}]';

describe('teams service', () => {
  it('posts a MessageCard to the URL of the recipient, with the facts as a section', async () => {
    const teams = testService(backend, {
      type: 'teams',
      settings: { recipientUrls: { releases: `${backend.url}/webhookb2/$teams-key` } },
      secrets: { 'teams-key': 'abc' },
    });
    const outcome = await teams.send(
      rendered('Rollout guestbook has been completed.', {
        teams: { title: 'guestbook completed', themeColor: '#000080', summary: 'guestbook', facts: FACTS, potentialAction: ACTIONS },
      }),
      'releases',
    );
    expect(outcome).toEqual({ kind: 'delivered' });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/webhookb2/abc',
      headers: { 'content-type': 'application/json' },
    });
    expect(lastJsonBody(backend)).toEqual({
      '@type': 'MessageCard',
      '@context': 'https://schema.org/extensions',
      text: 'Rollout guestbook has been completed.',
      title: 'guestbook completed',
      summary: 'guestbook',
      themeColor: '#000080',
      sections: [{ facts: JSON.parse(FACTS) as unknown }],
      potentialAction: JSON.parse(ACTIONS) as unknown,
    });
  });

  it('sends the raw template when the block has one', async () => {
    const teams = testService(backend, { type: 'teams', settings: { recipientUrls: { releases: `${backend.url}/hook` } } });
    await teams.send(rendered('m', { teams: { template: '{"text":"raw"}' } }), 'releases');
    expect(backend.requests.at(-1)?.body).toBe('{"text":"raw"}');
  });

  it('does not take an answer other than 1 from a connector, nor a recipient it has no URL for', async () => {
    backend.respond({ body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400' });
    const teams = testService(backend, { type: 'teams', settings: { recipientUrls: { releases: `${backend.url}/hook` } } });
    await expect(teams.send(rendered('m'), 'releases')).resolves.toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('instead of 1') as unknown,
    });
    await expect(teams.send(rendered('m'), 'elsewhere')).resolves.toEqual({
      kind: 'permanent',
      reason: 'recipientUrls has no "elsewhere"',
    });
  });

  it('sends an Adaptive Card to a Workflows URL', async () => {
    backend.respond({ status: 202, body: '' });
    const teams = testService(backend, {
      type: 'teams',
      settings: { recipientUrls: { releases: `${backend.url}/powerautomate/automations/direct/workflows/1` } },
    });
    await expect(
      teams.send(
        rendered('Rollout guestbook is aborted.', {
          teams: { title: 'aborted', themeColor: 'Attention', facts: FACTS, potentialAction: ACTIONS },
        }),
        'releases',
      ),
    ).resolves.toEqual({
      kind: 'delivered',
    });
    expect(lastJsonBody(backend)).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'aborted', size: 'Large', weight: 'Bolder', wrap: true, color: 'Attention' },
              { type: 'TextBlock', text: 'Rollout guestbook is aborted.', wrap: true },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Strategy', value: 'Canary' },
                  { title: 'Step', value: '2/4' },
                ],
              },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Open rollout', url: 'https://flotilla.example.com/r/guestbook' }],
          },
        },
      ],
    });
  });
});

describe('teams-workflows service', () => {
  it('sends the adaptiveCard of the template as written, inside the message envelope', async () => {
    backend.respond({ status: 202, body: '' });
    const workflows = testService(backend, {
      type: 'teams-workflows',
      settings: { recipientUrls: { releases: `${backend.url}/workflows/1` } },
    });
    const card = '{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"guestbook"}]}';
    await expect(workflows.send(rendered('m', { 'teams-workflows': { adaptiveCard: card } }), 'releases')).resolves.toEqual({
      kind: 'delivered',
    });
    expect(lastJsonBody(backend)).toEqual({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: JSON.parse(card) as unknown }],
    });
  });
});

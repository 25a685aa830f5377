import { describe, expect, it } from 'vitest';
import type { NotificationConfiguration } from './configuration-types.js';
import { evaluateTrigger, planOnDemand, renderTemplate } from './inspect-configuration.js';
import { effectiveConfiguration } from './merge-configurations.js';
import { parseNotificationConfigMap } from './parse-configuration.js';
import { rolloutSubject } from './rollout-subject.js';

const NOW = new Date('2026-12-05T08:00:00Z');

const subject = rolloutSubject({
  id: '0190f1a2-0000-7000-8000-000000000001',
  name: 'guestbook',
  namespace: 'shop',
  generation: 2,
  labels: {},
  annotations: {},
  createdAt: new Date('2026-12-01T00:00:00Z'),
  spec: {
    replicas: 3,
    strategy: { canary: { steps: [{ setWeight: 50 }] } },
    template: { spec: { containers: [{ name: 'web', image: 'argoproj/rollouts-demo:purple' }] } },
  },
  status: null,
  analysisRuns: [{ name: 'guestbook-1', phase: 'Failed', message: 'error rate too high' }],
});

function configuration(data: Record<string, string>): NotificationConfiguration {
  const parsed = parseNotificationConfigMap(data, 'organization');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return effectiveConfiguration(parsed.value);
}

const ORGANIZATION = configuration({
  'service.slack': 'token: $slack-token\n',
  'template.analysis-summary': 'message: "{{.rollout.metadata.name}}: {{(index .analysisRuns 0).status.phase}}"\n',
  'trigger.on-purple':
    "- send: [rollout-completed]\n  when: rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'\n" +
    "- send: [rollout-aborted]\n  when: rollout.spec.replicas > 5\n- send: [rollout-updated]\n  when: event.type == 'x'\n",
});

describe('renderTemplate', () => {
  it("renders Argo's rollout-completed whole: message, email subject and slack attachments", () => {
    const rendered = renderTemplate({ configuration: ORGANIZATION, template: 'rollout-completed', subject, now: NOW });
    expect(rendered).toMatchObject({
      message: 'Rollout guestbook has been completed.',
      fields: { email: { subject: 'Rollout guestbook has been completed.' } },
    });
    if ('code' in rendered) throw new Error(rendered.message);
    const attachments = rendered.fields.slack?.attachments;
    if (typeof attachments !== 'string') throw new Error('no slack attachments rendered');
    expect(JSON.parse(attachments)).toEqual([
      {
        title: 'guestbook',
        color: '#18be52',
        fields: [
          { title: 'Strategy', value: 'Canary', short: true },
          { title: 'web', value: 'argoproj/rollouts-demo:purple', short: true },
        ],
      },
    ]);
  });

  it.each([
    ['analysis-summary', { message: 'guestbook: Failed', fields: {} }],
    ['absent', { code: 'template/unknown', message: 'template "absent" is not defined' }],
  ])('%s', (template, expected) => {
    expect(renderTemplate({ configuration: ORGANIZATION, template, subject, now: NOW })).toEqual(expected);
  });
});

describe('planOnDemand', () => {
  it('renders for each destination with a key of the send, and names the destination it cannot serve', () => {
    const input = { configuration: ORGANIZATION, template: 'rollout-completed', subject, now: NOW, sendId: 's1' };
    expect(planOnDemand({ ...input, destinations: [{ service: 'slack', recipient: 'releases' }] })).toMatchObject([
      {
        trigger: 'on-demand',
        service: 'slack',
        serviceType: 'slack',
        recipient: 'releases',
        dedupeKey: 'on-demand/s1/slack/releases',
        notification: { message: 'Rollout guestbook has been completed.', fields: { slack: {} } },
      },
    ]);
    expect(
      planOnDemand({
        ...input,
        destinations: [
          { service: 'slack', recipient: 'a' },
          { service: 'teams', recipient: '' },
        ],
      }),
    ).toEqual({ code: 'service/unknown', message: 'service "teams" is not configured', destination: 1 });
  });
});

describe('evaluateTrigger', () => {
  it('evaluates each condition, saying why one cannot be told', () => {
    const results = evaluateTrigger({ configuration: ORGANIZATION, trigger: 'on-purple', subject, now: NOW });
    expect(Array.isArray(results) && results.map(({ holds, error }) => ({ holds, failed: error !== undefined }))).toEqual([
      { holds: true, failed: false },
      { holds: false, failed: false },
      { holds: false, failed: true },
    ]);
  });

  it.each([
    ['on-rollout-completed', [{ condition: { send: ['rollout-completed'] }, holds: true }]],
    ['on-absent', { code: 'trigger/unknown', message: 'trigger "on-absent" is not defined' }],
  ])('%s', (trigger, expected) => {
    expect(evaluateTrigger({ configuration: ORGANIZATION, trigger, subject, now: NOW })).toEqual(expected);
  });
});

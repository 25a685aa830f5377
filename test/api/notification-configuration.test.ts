import { describe, expect, it } from 'vitest';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

const APPLY = `mutation($cluster: String, $namespace: String, $yaml: String!) {
  applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { name action }
}`;
const TEMPLATES = `query($cluster: String, $namespace: String) {
  notificationTemplates(cluster: $cluster, namespace: $namespace) { name layer message title fields }
}`;
const TRIGGERS = `query($cluster: String, $namespace: String) {
  notificationTriggers(cluster: $cluster, namespace: $namespace) { name layer conditions { when send oncePer description } }
}`;
const RENDER = `query($template: String!, $rollout: RolloutRef!) {
  renderNotificationTemplate(template: $template, rollout: $rollout) { template rollout message title fields }
}`;
const EVALUATE = `query($trigger: String!, $rollout: RolloutRef!) {
  evaluateNotificationTrigger(trigger: $trigger, rollout: $rollout) { trigger rollout conditions { when send holds error } }
}`;
const SEND = `mutation($template: String!, $rollout: RolloutRef!, $recipients: [NotificationRecipientInput!]!) {
  sendNotification(template: $template, rollout: $rollout, recipients: $recipients) { trigger service serviceType recipient message fields state }
}`;

const guestbook = { cluster: 'staging', namespace: 'shop', name: 'guestbook' };
const shop = { cluster: 'staging', namespace: 'shop' };

const configMap = (data: Record<string, string>) =>
  toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argo-rollouts-notification-configmap' }, data });

await graphqlData(api.url, org.tokens.admin, APPLY, {
  yaml: configMap({
    'service.slack': 'token: $slack-token\n',
    'template.my-purple-template': 'message: Rollout {{.rollout.metadata.name}} is purple.\n',
    'trigger.on-purple':
      "- send: [my-purple-template]\n  when: rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'\n",
  }),
});
await graphqlData(api.url, org.tokens.admin, APPLY, {
  ...shop,
  yaml: `${configMap({ 'template.my-purple-template': 'message: "{{.rollout.metadata.namespace}}: {{.rollout.metadata.name}} is purple."\n' })}---\n${toYaml(
    canaryRollout('guestbook', 'argoproj/rollouts-demo:purple'),
  )}`,
});

/** What the shipped rollout-completed template's Slack block renders to for guestbook, as Argo's engine writes it. */
const ROLLOUT_COMPLETED_ATTACHMENTS = `[{
  "title": "guestbook",
  "color": "#18be52",
  "fields": [
  {
    "title": "Strategy",
    "value": "Canary",
    "short": true
  }
  
    ,
    
    {
      "title": "guestbook",
      "value": "argoproj/rollouts-demo:purple",
      "short": true
    }
  
  ]
}]
`;

describe('the notification configuration in effect, read and tried over a rollout', () => {
  it("lists templates and triggers by layer: Argo's defaults, the organization's, the namespace's", async () => {
    const { notificationTemplates } = await graphqlData<{ notificationTemplates: { name: string; layer: string; message: string }[] }>(
      api.url,
      org.tokens.viewer,
      TEMPLATES,
      shop,
    );
    expect(notificationTemplates.find((template) => template.name === 'my-purple-template')).toMatchObject({
      layer: 'Namespace',
      message: '{{.rollout.metadata.namespace}}: {{.rollout.metadata.name}} is purple.',
    });
    expect(notificationTemplates.find((template) => template.name === 'rollout-completed')).toMatchObject({ layer: 'Default' });
    const organization = await graphqlData<{ notificationTemplates: { name: string; layer: string }[] }>(
      api.url,
      org.tokens.viewer,
      TEMPLATES,
    );
    expect(organization.notificationTemplates.find((template) => template.name === 'my-purple-template')?.layer).toBe('Organization');

    const { notificationTriggers } = await graphqlData<{ notificationTriggers: { name: string; layer: string }[] }>(
      api.url,
      org.tokens.viewer,
      TRIGGERS,
      shop,
    );
    expect(notificationTriggers.find((trigger) => trigger.name === 'on-purple')).toEqual({
      name: 'on-purple',
      layer: 'Organization',
      conditions: [
        {
          when: "rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'",
          send: ['my-purple-template'],
          oncePer: null,
          description: null,
        },
      ],
    });
    expect(notificationTriggers.map((trigger) => trigger.name)).toContain('on-rollout-completed');
    expect(JSON.stringify(notificationTriggers)).not.toContain('slack-token');
  });

  it("renders Argo's rollout-completed whole over the rollout, and the namespace's own template", async () => {
    const completed = await graphqlData<{ renderNotificationTemplate: unknown }>(api.url, org.tokens.viewer, RENDER, {
      template: 'rollout-completed',
      rollout: guestbook,
    });
    expect(completed.renderNotificationTemplate).toEqual({
      template: 'rollout-completed',
      rollout: 'staging/shop/guestbook',
      message: 'Rollout guestbook has been completed.',
      title: null,
      fields: {
        email: { subject: 'Rollout guestbook has been completed.' },
        slack: { attachments: ROLLOUT_COMPLETED_ATTACHMENTS },
      },
    });
    const own = await graphqlData<{ renderNotificationTemplate: { message: string } }>(api.url, org.tokens.viewer, RENDER, {
      template: 'my-purple-template',
      rollout: guestbook,
    });
    expect(own.renderNotificationTemplate.message).toBe('shop: guestbook is purple.');
  });

  it('evaluates a trigger over the rollout, condition by condition', async () => {
    const { evaluateNotificationTrigger } = await graphqlData<{ evaluateNotificationTrigger: unknown }>(
      api.url,
      org.tokens.viewer,
      EVALUATE,
      {
        trigger: 'on-purple',
        rollout: guestbook,
      },
    );
    expect(evaluateNotificationTrigger).toEqual({
      trigger: 'on-purple',
      rollout: 'staging/shop/guestbook',
      conditions: [
        {
          when: "rollout.spec.template.spec.containers[0].image == 'argoproj/rollouts-demo:purple'",
          send: ['my-purple-template'],
          holds: true,
          error: null,
        },
      ],
    });
  });

  it('sends through the outbox as a deployer, audited; a mute holds it back; a viewer may not', async () => {
    const sent = await graphqlData<{ sendNotification: unknown[] }>(api.url, org.tokens.deployer, SEND, {
      template: 'my-purple-template',
      rollout: guestbook,
      recipients: [{ service: 'slack', recipient: 'releases' }],
    });
    expect(sent.sendNotification).toEqual([
      {
        trigger: 'on-demand',
        service: 'slack',
        serviceType: 'slack',
        recipient: 'releases',
        message: 'shop: guestbook is purple.',
        fields: {},
        state: 'Pending',
      },
    ]);
    const audit = await api.database.auditEvent.findMany({ where: { organizationId: org.id, action: 'notification.sent' } });
    expect(audit).toMatchObject([
      {
        targetName: 'staging/shop/guestbook',
        after: { template: 'my-purple-template', recipients: [{ service: 'slack', recipient: 'releases' }] },
      },
    ]);

    await graphqlData(
      api.url,
      org.tokens.deployer,
      'mutation($input: NotificationMuteInput!) { muteNotifications(input: $input) { id } }',
      { input: { trigger: 'on-demand', service: 'slack', durationSeconds: 600, reason: 'quiet hours' } },
    );
    const muted = await graphqlData<{ sendNotification: { state: string }[] }>(api.url, org.tokens.deployer, SEND, {
      template: 'rollout-completed',
      rollout: guestbook,
      recipients: [{ service: 'slack', recipient: 'releases' }],
    });
    expect(muted.sendNotification.map((delivery) => delivery.state)).toEqual(['Muted']);

    const refused = await graphql(api.url, org.tokens.viewer, SEND, {
      template: 'rollout-completed',
      rollout: guestbook,
      recipients: [{ service: 'slack', recipient: 'releases' }],
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('auth/forbidden');
  });

  it.each([
    [
      'an unknown template',
      SEND,
      { template: 'absent', rollout: guestbook, recipients: [{ service: 'slack', recipient: 'a' }] },
      'notification/template_not_found',
      'template',
    ],
    [
      'an unknown service',
      SEND,
      {
        template: 'rollout-completed',
        rollout: guestbook,
        recipients: [
          { service: 'slack', recipient: 'a' },
          { service: 'teams', recipient: '' },
        ],
      },
      'input/invalid',
      'recipients[1].service',
    ],
    ['no recipients', SEND, { template: 'rollout-completed', rollout: guestbook, recipients: [] }, 'input/invalid', 'recipients'],
    [
      'an unknown rollout',
      RENDER,
      { template: 'rollout-completed', rollout: { ...guestbook, name: 'absent' } },
      'rollout/not_found',
      'rollout',
    ],
    ['an unknown trigger', EVALUATE, { trigger: 'on-absent', rollout: guestbook }, 'notification/trigger_not_found', 'trigger'],
    ['a namespace without its cluster', TEMPLATES, { namespace: 'shop' }, 'input/invalid', 'cluster'],
    ['an unknown cluster', TRIGGERS, { cluster: 'absent', namespace: 'shop' }, 'cluster/not_found', 'cluster'],
  ])('refuses %s, naming the field', async (_case, document, variables, code, path) => {
    const answer = await graphql(api.url, org.tokens.deployer, document, variables);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code, problems: [{ path }] });
  });

  it("answers nothing of another organization's rollouts", async () => {
    const other = await api.organization({ cluster: 'staging' });
    const answer = await graphql(api.url, other.tokens.admin, RENDER, { template: 'rollout-completed', rollout: guestbook });
    expect(answer.errors?.[0]?.extensions?.code).toBe('rollout/not_found');
  });
});
